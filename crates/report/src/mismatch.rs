//! Why a scenario did not pass, as a sentence in each language.
//!
//! The runner hands over a typed [`Mismatch`]; this file is the only place
//! that says how each one reads. Every match is exhaustive, so a new kind
//! of failure does not compile until it has its English and its Chinese.
//! What the operating system or a parser said is quoted as it is, like the
//! program's own output.

use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{Bytes, Framing, Skip};
use sockspec_results::{
    CaseView, Doing, Ended, Expectation, HttpMessage, Listen, Mismatch, Nth, PropertyFailure,
    Queue, ReplyShape, ScenarioBug, Seen, Unrunnable, Why,
};

use crate::lang::Lang;

/// Why a result is not a plain pass, in one language.
pub(crate) fn why(w: &Why, lang: Lang) -> String {
    match w {
        Why::Skip(s) => skip(s, lang),
        Why::Mismatch(m) => mismatch(m, lang),
    }
}

/// The reason of a result (empty on a pass).
pub(crate) fn reason(r: &sockspec_results::ScenarioResult, lang: Lang) -> String {
    r.why.as_ref().map(|w| why(w, lang)).unwrap_or_default()
}

/// Why a scenario does not apply.
pub(crate) fn skip(s: &Skip, lang: Lang) -> String {
    match (s, lang) {
        (_, Lang::En) => s.to_string(),
        (Skip::Framing { wanted, got }, Lang::Zh) => {
            let wanted: Vec<&str> = wanted.iter().map(|f| f.as_str()).collect();
            format!("只适用于分帧方式 {}；约定的是 {got}", wanted.join("/"))
        }
        (Skip::Reply { wanted, got }, Lang::Zh) => {
            let wanted: Vec<&str> = wanted.iter().map(|r| r.as_str()).collect();
            format!("只适用于回复规则 {}；约定的是 {got}", wanted.join("/"))
        }
    }
}

/// How a program ended ("exited with code 1").
pub(crate) fn ended(e: Ended, lang: Lang) -> String {
    match (e, lang) {
        (Ended::Code(c), Lang::En) => format!("exited with code {c}"),
        (Ended::Code(c), Lang::Zh) => format!("已退出，退出码 {c}"),
        (Ended::Signal(s), Lang::En) => match Ended::signal_name(s) {
            Some(n) => format!("killed by signal {s} ({n})"),
            None => format!("killed by signal {s}"),
        },
        (Ended::Signal(s), Lang::Zh) => match Ended::signal_name(s) {
            Some(n) => format!("被信号 {s}（{n}）终止"),
            None => format!("被信号 {s} 终止"),
        },
    }
}

/// How the program is at the moment of a failure: running, or how it ended.
pub(crate) fn state(e: Option<Ended>, lang: Lang) -> String {
    match e {
        Some(e) => ended(e, lang),
        None => lang.pick("running", "仍在运行").to_owned(),
    }
}

fn secs(d: Duration, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{:.1} s", d.as_secs_f64()),
        Lang::Zh => format!("{:.1} 秒", d.as_secs_f64()),
    }
}

fn addrs(list: &[SocketAddr]) -> String {
    list.iter()
        .map(SocketAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The missing texts of an `expect_printed`: `"Thanks" ×2`.
fn printed(missing: &[(String, usize)]) -> String {
    missing
        .iter()
        .map(|(t, n)| format!("{t:?} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn nth(n: Nth, lang: Lang) -> String {
    match (n, lang) {
        (Nth::The, Lang::En) => "the reply".into(),
        (Nth::Of { i, n }, Lang::En) => format!("reply {i} of {n}"),
        (Nth::The, Lang::Zh) => "回复".into(),
        (Nth::Of { i, n }, Lang::Zh) => format!("第 {i} 条回复（共 {n} 条）"),
    }
}

fn listen(l: Listen, lang: Lang) -> (String, String) {
    let proto = if l.udp { "UDP" } else { "TCP" };
    match lang {
        Lang::En => {
            let verb = if l.udp { "bound" } else { "listened on" };
            let port = if l.port == 0 {
                format!("any {proto} port")
            } else {
                format!("{proto} port {}", l.port)
            };
            (verb.into(), port)
        }
        Lang::Zh => {
            let verb = if l.udp { "绑定" } else { "监听" };
            let port = if l.port == 0 {
                format!("任何 {proto} 端口")
            } else {
                format!("{proto} 端口 {}", l.port)
            };
            (verb.into(), port)
        }
    }
}

fn http(what: HttpMessage, lang: Lang) -> &'static str {
    match (what, lang) {
        (HttpMessage::Request, Lang::En) => "an HTTP request",
        (HttpMessage::Response, Lang::En) => "an HTTP response",
        (HttpMessage::Request, Lang::Zh) => "HTTP 请求",
        (HttpMessage::Response, Lang::Zh) => "HTTP 响应",
    }
}

/// A failure in one language.
pub(crate) fn mismatch(m: &Mismatch, lang: Lang) -> String {
    Say { lang, within: true }.mismatch(m)
}

/// One rendering: the language, and whether deadlines are said (a stalled
/// program was not waited for until any deadline).
#[derive(Clone, Copy)]
struct Say {
    lang: Lang,
    within: bool,
}

impl Say {
    /// " within 2.0 s" (English) or "2.0 秒内" (Chinese), or nothing.
    fn within(self, d: Duration) -> String {
        match (self.within, self.lang) {
            (false, _) => String::new(),
            (true, Lang::En) => format!(" within {}", secs(d, Lang::En)),
            (true, Lang::Zh) => format!("{}内", secs(d, Lang::Zh)),
        }
    }

    fn mismatch(self, m: &Mismatch) -> String {
        match self.lang {
            Lang::En => self.en(m),
            Lang::Zh => self.zh(m),
        }
    }

    fn en(self, m: &Mismatch) -> String {
        let lang = Lang::En;
        let w = |d: &Duration| self.within(*d);
        match m {
            Mismatch::NoProgram(role) => format!("no program to run for role {role}"),
            Mismatch::Unrunnable(u) => unrunnable(u, lang),
            Mismatch::AsIn { id, first } => format!("as in {id}: {}", self.en(first)),
            Mismatch::OverBudget(b) => format!(
                "the scenario did not finish within its time budget of {:.1} s; the program was stopped",
                b.as_secs_f64()
            ),
            Mismatch::Harness(why) => why.clone(),
            Mismatch::Flaky {
                passes,
                attempts,
                first,
            } => format!(
                "flaky: passed {passes} of {attempts} tries; the first failed: {}",
                self.en(first)
            ),
            Mismatch::Io { doing, error } => io_en(doing, error),
            Mismatch::Scenario(bug) => bug_en(bug),
            Mismatch::SpawnFailed(e) => format!("the target could not be started: {e}"),
            Mismatch::CommandNotRun(e) => format!(
                "the command could not be run: it {}, how a shell says a command was not found or cannot be executed",
                ended(*e, lang)
            ),
            Mismatch::EndedBeforeReady {
                ended: e,
                listen: l,
            } => {
                let (verb, port) = listen(*l, lang);
                format!("the target {} before it {verb} {port}", ended(*e, lang))
            }
            Mismatch::NotReady {
                listen: l,
                after,
                seen,
            } => {
                let (verb, port) = listen(*l, lang);
                let seen = seen.as_ref().map_or_else(
                    || "it has no socket there".to_owned(),
                    |s| self::seen(s, lang),
                );
                format!(
                    "the target had not {verb} {port} after {:.1} s: {seen}",
                    after.as_secs_f64()
                )
            }
            Mismatch::ReadyFailed(e) => format!("waiting for the target to be ready failed: {e}"),
            Mismatch::AfterRestart(inner) => format!("after the restart, {}", self.en(inner)),
            Mismatch::Meanwhile { inner, ended: e } => format!(
                "{} (the program {} meanwhile)",
                self.en(inner),
                e.map_or_else(|| "ended".to_owned(), |e| ended(e, lang))
            ),
            Mismatch::Stalled(inner) => format!(
                "{}: the program only waits to receive (every thread in recv(), accept() or input() with nothing to read) and will not act, so the harness stopped waiting",
                Say {
                    within: false,
                    ..self
                }
                .en(inner)
            ),
            Mismatch::Refused(a) => format!("connection refused: nothing listens on {a} any more"),
            Mismatch::ResetOnConnect(a) => format!(
                "the connection to {a} was reset as it opened: the listening socket closed (did the target exit?)"
            ),
            Mismatch::ConnectTimeout { addr, within } => {
                format!(
                    "could not connect to {addr}{} (is the backlog full?)",
                    w(within)
                )
            }
            Mismatch::BrokenPipe => {
                "broken pipe: the target had already closed this connection".into()
            }
            Mismatch::ResetWhileWriting => {
                "connection reset by the target while the harness was writing".into()
            }
            Mismatch::StoppedReading => {
                "the target stopped reading: the harness could not write within the deadline".into()
            }
            Mismatch::NoConnection {
                addr,
                within,
                trying,
            } => {
                let mut out = format!("the target did not connect to {addr}{}", w(within));
                if !trying.is_empty() {
                    out.push_str(&format!(
                        "; it is trying to connect to {} (SYN_SENT), where nothing answers",
                        addrs(trying)
                    ));
                }
                out
            }
            Mismatch::Unframeable { nth: n, error } => {
                format!("{} cannot be framed: {error}", nth(*n, lang))
            }
            Mismatch::ClosedBeforeReply(n) => format!(
                "the target closed the connection before {} was complete",
                nth(*n, lang)
            ),
            Mismatch::ResetBeforeReply(n) => format!(
                "the connection was reset before {} was complete",
                nth(*n, lang)
            ),
            Mismatch::ResetBeforeAnyReply => {
                "the connection was reset before the reply arrived".into()
            }
            Mismatch::NoReply { nth: n, within } => match n {
                Nth::The => format!("no reply{}", w(within)),
                Nth::Of { i, n } => format!("no reply {i} of {n}{}", w(within)),
            },
            Mismatch::IncompleteReply {
                nth: n,
                within,
                framing,
            } => format!(
                "{} is incomplete after {}: {}",
                nth(*n, lang),
                secs(*within, lang),
                match framing {
                    Framing::Line => "the bytes that came have no \\n to end the message",
                    _ => "fewer bytes came than the length prefix announced",
                }
            ),
            Mismatch::IncompleteStream { within, got, want } => format!(
                "the reply is incomplete after {}: {got} of {want} bytes came",
                secs(*within, lang)
            ),
            Mismatch::NoMatchingReply(within) => {
                format!("no reply matching the contract{}", w(within))
            }
            Mismatch::WrongReply(n) => format!("{} is not what the contract says", nth(*n, lang)),
            Mismatch::ClosedWithoutReply => {
                "the target closed the connection without replying".into()
            }
            Mismatch::Unreachable(n) => format!(
                "{} never came: the datagram was refused (ICMP port unreachable), nothing is bound to the port any more",
                nth(*n, lang)
            ),
            Mismatch::SomeReplies { got, count, within } => format!(
                "only {got} of {count} replies came{} (each datagram needs its own reply)",
                w(within)
            ),
            Mismatch::NotTheLine => "the datagram is not the line that was typed".into(),
            Mismatch::NoDatagram(within) => format!("no datagram{}", w(within)),
            Mismatch::MessageUnframeable(e) => format!("the message cannot be framed: {e}"),
            Mismatch::ClosedInsteadOfMessage => {
                "the target closed the connection instead of sending the message".into()
            }
            Mismatch::ResetBeforeMessage => {
                "the connection was reset before the message came".into()
            }
            Mismatch::NoMessage(within) => format!("no message{}", w(within)),
            Mismatch::MessageIncomplete(within) => {
                format!("the message is incomplete after {}", secs(*within, lang))
            }
            Mismatch::SomethingElse => "the target sent something else".into(),
            Mismatch::BytesBeforeClose(n) => format!(
                "{n} more bytes came before the target closed the connection (one reply too many?)"
            ),
            Mismatch::ResetNotClosed => "the connection was reset instead of closed".into(),
            Mismatch::NotClosed { within, extra: 0 } => {
                format!("the target did not close the connection{}", w(within))
            }
            Mismatch::NotClosed { within, extra } => format!(
                "{extra} more bytes came and the target did not close the connection{}",
                w(within)
            ),
            Mismatch::ClosedNotReset => "the connection was closed normally, not reset".into(),
            Mismatch::NotReset(within) => format!("the connection was not reset{}", w(within)),
            Mismatch::CloseWait {
                after,
                name,
                program,
                harness,
            } => format!(
                "{:.1} s after the harness closed {name}, the program still had not closed its end ({program} ← {harness} is in CLOSE_WAIT)",
                after.as_secs_f64()
            ),
            Mismatch::NotRunning(e) => {
                format!("the target is no longer running: it {}", ended(*e, lang))
            }
            Mismatch::StillRunning(after) => format!(
                "the target was still running {:.1} s later",
                after.as_secs_f64()
            ),
            Mismatch::WrongExit { ended: e, want } => format!(
                "the target {}; the scenario expects exit code {want}",
                ended(*e, lang)
            ),
            Mismatch::Traceback => {
                "the target printed a traceback: an exception it did not handle".into()
            }
            Mismatch::EndedWithoutPrinting { ended: e, missing } => format!(
                "the target {} without printing {}",
                ended(*e, lang),
                printed(missing)
            ),
            Mismatch::NotPrinted { missing, within } => {
                format!("the target did not print {}{}", printed(missing), w(within))
            }
            Mismatch::NoBroadcast {
                receivers,
                port,
                within,
                sender,
            } => {
                let exited = match sender {
                    Some(e) => format!("; the sender {}", ended(*e, lang)),
                    None => String::new(),
                };
                format!(
                    "none of the harness's {receivers} receivers on port {port} (0.0.0.0, SO_REUSEADDR) got a datagram{}{exited}",
                    w(within)
                )
            }
            Mismatch::SomeBroadcast {
                receivers,
                port,
                counts,
                within,
            } => format!(
                "the harness's {receivers} receivers on port {port} (0.0.0.0, SO_REUSEADDR) got {counts:?} datagrams{}: a broadcast reaches every one of them, a datagram to one address reaches only one",
                w(within)
            ),
            Mismatch::HttpReset(what) => format!(
                "the connection was reset before {} was complete",
                http(*what, lang)
            ),
            Mismatch::NoHttp { what, within } => format!("no {}{}", http(*what, lang), w(within)),
            Mismatch::HttpStopped { what, within, got } => format!(
                "{}{} was not complete: {got} bytes came and then nothing",
                http(*what, lang),
                w(within)
            ),
            Mismatch::Incomplete { inner, why } => {
                format!("{}; {}", self.en(inner), why.text(false))
            }
            Mismatch::ResetUnread(inner) => format!(
                "{}: a reset here usually means the server closed the connection with bytes of the request still unread (its recv did not take the whole request), and such a close() sends a reset (RST) instead of the end of the stream; read the request to its empty line before answering",
                self.en(inner)
            ),
            Mismatch::AnsweredEarly {
                sent,
                total,
                head_over,
            } => {
                let missing = if *head_over {
                    "the body was still on its way: after the head, a server reads Content-Length more bytes"
                } else {
                    "the head was not over: a server reads until the empty line (\\r\\n\\r\\n) that ends it, however many recv calls that takes"
                };
                format!(
                    "the server answered (or closed) after {sent} of the request's {total} bytes: {missing}"
                )
            }
            Mismatch::ClosedEarly { sent, total } => format!(
                "the client closed the connection after {sent} of the response's {total} bytes: it stopped reading too soon; read until Content-Length bytes of body have come, or until the server closes"
            ),
            Mismatch::NoResponse => {
                "the server closed the connection without sending a response".into()
            }
            Mismatch::NoRequest => {
                "the client closed the connection without sending a request".into()
            }
            Mismatch::Malformed { what, problems } => {
                let what = match what {
                    HttpMessage::Request => "request",
                    HttpMessage::Response => "response",
                };
                let listed: String = problems.iter().map(|p| format!("\n  {p}")).collect();
                format!("the {what} is not well-formed HTTP:{listed}")
            }
            Mismatch::HttpCut(what) => format!(
                "the {} was cut short: the connection closed before it was complete",
                match what {
                    HttpMessage::Request => "request",
                    HttpMessage::Response => "response",
                }
            ),
            Mismatch::WrongStatus {
                method,
                path,
                got,
                want,
            } => format!(
                "{method} {path} was answered with status {got}, the assignment wants {want}"
            ),
            Mismatch::WrongBody { method, path, rule } => {
                format!("the body of {method} {path} does not match {rule:?}")
            }
            Mismatch::WrongMethod { got, want } => {
                format!("the request uses {got}, the assignment wants {want}")
            }
            Mismatch::PropertyAbort(why) => format!("the property could not be checked: {why}"),
            Mismatch::PropertyNoCase => {
                "the property failed without a failing case (a harness bug)".into()
            }
            Mismatch::PropertyPanicked => "the property runner panicked".into(),
            Mismatch::RestartFailed(inner) => format!(
                "the target died during an earlier case and could not be restarted: {}",
                self.en(inner)
            ),
            Mismatch::BaselineFailed(inner) => format!(
                "the request sent whole (to learn the expected answer) failed: {}",
                self.en(inner)
            ),
            Mismatch::PiecesStatus { got, want } => {
                format!("the request in pieces got status {got}; sent whole it got {want}")
            }
            Mismatch::Property(p) => self.property(p),
        }
    }

    fn zh(self, m: &Mismatch) -> String {
        let lang = Lang::Zh;
        let w = |d: &Duration| self.within(*d);
        match m {
            Mismatch::NoProgram(role) => format!("没有给角色 {role} 指定要运行的程序"),
            Mismatch::Unrunnable(u) => unrunnable(u, lang),
            Mismatch::AsIn { id, first } => format!("同 {id}：{}", self.zh(first)),
            Mismatch::OverBudget(b) => format!(
                "场景没有在 {:.1} 秒的时间预算内完成，程序已被停止",
                b.as_secs_f64()
            ),
            Mismatch::Harness(why) => format!("测试工具自身出错：{why}"),
            Mismatch::Flaky {
                passes,
                attempts,
                first,
            } => format!(
                "结果不稳定：{attempts} 次中通过了 {passes} 次；第一次失败的原因：{}",
                self.zh(first)
            ),
            Mismatch::Io { doing, error } => io_zh(doing, error),
            Mismatch::Scenario(bug) => bug_zh(bug),
            Mismatch::SpawnFailed(e) => format!("程序无法启动：{e}"),
            Mismatch::CommandNotRun(e) => format!(
                "命令无法运行：它{}，这是 shell 表示“找不到命令”或“无法执行”的方式",
                ended(*e, lang)
            ),
            Mismatch::EndedBeforeReady {
                ended: e,
                listen: l,
            } => {
                let (verb, port) = listen(*l, lang);
                format!("程序在{verb} {port} 之前就{}", ended(*e, lang))
            }
            Mismatch::NotReady {
                listen: l,
                after,
                seen,
            } => {
                let (verb, port) = listen(*l, lang);
                let seen = seen
                    .as_ref()
                    .map_or_else(|| "那里没有它的套接字".to_owned(), |s| self::seen(s, lang));
                format!(
                    "{:.1} 秒后程序仍没有{verb} {port}：{seen}",
                    after.as_secs_f64()
                )
            }
            Mismatch::ReadyFailed(e) => format!("等待程序就绪时出错：{e}"),
            Mismatch::AfterRestart(inner) => format!("重启之后，{}", self.zh(inner)),
            Mismatch::Meanwhile { inner, ended: e } => format!(
                "{}（与此同时程序{}）",
                self.zh(inner),
                e.map_or_else(|| "已结束".to_owned(), |e| ended(e, lang))
            ),
            Mismatch::Stalled(inner) => format!(
                "{}：程序只在等待接收（每个线程都阻塞在 recv()、accept() 或 input() 上，却没有可读的数据），不会再有动作，所以测试端不再等待",
                Say {
                    within: false,
                    ..self
                }
                .zh(inner)
            ),
            Mismatch::Refused(a) => format!("连接被拒绝：{a} 上已经没有程序在监听"),
            Mismatch::ResetOnConnect(a) => {
                format!("连接 {a} 刚建立就被重置：监听套接字已关闭（程序退出了吗？）")
            }
            Mismatch::ConnectTimeout { addr, within } => {
                format!("{}无法连上 {addr}（积压队列 backlog 满了吗？）", w(within))
            }
            Mismatch::BrokenPipe => "管道破裂（broken pipe）：程序已经关闭了这个连接".into(),
            Mismatch::ResetWhileWriting => "测试端写数据时，连接被程序重置".into(),
            Mismatch::StoppedReading => "程序不再读取数据：测试端在期限内写不出去".into(),
            Mismatch::NoConnection {
                addr,
                within,
                trying,
            } => {
                let mut out = format!("程序{}没有连接到 {addr}", w(within));
                if !trying.is_empty() {
                    out.push_str(&format!(
                        "；它正在尝试连接 {}（SYN_SENT），那里没有人应答",
                        addrs(trying)
                    ));
                }
                out
            }
            Mismatch::Unframeable { nth: n, error } => {
                format!("{}无法按分帧方式解析：{error}", nth(*n, lang))
            }
            Mismatch::ClosedBeforeReply(n) => {
                format!("{}还没收完，程序就关闭了连接", nth(*n, lang))
            }
            Mismatch::ResetBeforeReply(n) => {
                format!("{}还没收完，连接就被重置了", nth(*n, lang))
            }
            Mismatch::ResetBeforeAnyReply => "回复到达之前连接就被重置了".into(),
            Mismatch::NoReply { nth: n, within } => match n {
                Nth::The => format!("{}没有收到回复", w(within)),
                Nth::Of { .. } => format!("{}没有收到{}", w(within), nth(*n, lang)),
            },
            Mismatch::IncompleteReply {
                nth: n,
                within,
                framing,
            } => format!(
                "{} 后{}仍不完整：{}",
                secs(*within, lang),
                nth(*n, lang),
                match framing {
                    Framing::Line => "收到的字节里没有结束消息的 \\n",
                    _ => "收到的字节比长度前缀声明的少",
                }
            ),
            Mismatch::IncompleteStream { within, got, want } => format!(
                "{} 后回复仍不完整：只收到 {got} 字节，应有 {want} 字节",
                secs(*within, lang)
            ),
            Mismatch::NoMatchingReply(within) => {
                format!("{}没有收到符合约定的回复", w(within))
            }
            Mismatch::WrongReply(n) => format!("{}不符合约定", nth(*n, lang)),
            Mismatch::ClosedWithoutReply => "程序没有回复就关闭了连接".into(),
            Mismatch::Unreachable(n) => format!(
                "{}始终没有来：数据报被拒收（ICMP 端口不可达），那个端口上已经没有绑定的套接字",
                nth(*n, lang)
            ),
            Mismatch::SomeReplies { got, count, within } => format!(
                "{}只收到 {count} 条回复中的 {got} 条（每个数据报都要有自己的回复）",
                w(within)
            ),
            Mismatch::NotTheLine => "数据报的内容不是输入的那一行".into(),
            Mismatch::NoDatagram(within) => format!("{}没有收到数据报", w(within)),
            Mismatch::MessageUnframeable(e) => format!("消息无法按分帧方式解析：{e}"),
            Mismatch::ClosedInsteadOfMessage => "程序没有发送消息，而是关闭了连接".into(),
            Mismatch::ResetBeforeMessage => "消息到达之前连接就被重置了".into(),
            Mismatch::NoMessage(within) => format!("{}没有收到消息", w(within)),
            Mismatch::MessageIncomplete(within) => {
                format!("{} 后消息仍不完整", secs(*within, lang))
            }
            Mismatch::SomethingElse => "程序发来的不是预期的内容".into(),
            Mismatch::BytesBeforeClose(n) => {
                format!("程序关闭连接之前又多发了 {n} 字节（多回复了一次？）")
            }
            Mismatch::ResetNotClosed => "连接被重置，而不是正常关闭".into(),
            Mismatch::NotClosed { within, extra: 0 } => {
                format!("程序{}没有关闭连接", w(within))
            }
            Mismatch::NotClosed { within, extra } => {
                format!("又收到 {extra} 字节，而且程序{}没有关闭连接", w(within))
            }
            Mismatch::ClosedNotReset => "连接被正常关闭，而不是被重置".into(),
            Mismatch::NotReset(within) => format!("连接{}没有被重置", w(within)),
            Mismatch::CloseWait {
                after,
                name,
                program,
                harness,
            } => format!(
                "测试端关闭 {name} {:.1} 秒后，程序仍没有关闭它那一端（{program} ← {harness} 处于 CLOSE_WAIT）",
                after.as_secs_f64()
            ),
            Mismatch::NotRunning(e) => format!("程序已不在运行：它{}", ended(*e, lang)),
            Mismatch::StillRunning(after) => {
                format!("{:.1} 秒后程序仍在运行", after.as_secs_f64())
            }
            Mismatch::WrongExit { ended: e, want } => {
                format!("程序{}；场景要求退出码为 {want}", ended(*e, lang))
            }
            Mismatch::Traceback => "程序打印了 traceback：有没有处理的异常".into(),
            Mismatch::EndedWithoutPrinting { ended: e, missing } => {
                format!("程序{}，没有打印 {}", ended(*e, lang), printed(missing))
            }
            Mismatch::NotPrinted { missing, within } => {
                format!("程序{}没有打印 {}", w(within), printed(missing))
            }
            Mismatch::NoBroadcast {
                receivers,
                port,
                within,
                sender,
            } => {
                let exited = match sender {
                    Some(e) => format!("；发送端{}", ended(*e, lang)),
                    None => String::new(),
                };
                format!(
                    "测试端在端口 {port} 上的 {receivers} 个接收者（0.0.0.0，SO_REUSEADDR）{}都没有收到数据报{exited}",
                    w(within)
                )
            }
            Mismatch::SomeBroadcast {
                receivers,
                port,
                counts,
                within,
            } => format!(
                "测试端在端口 {port} 上的 {receivers} 个接收者（0.0.0.0，SO_REUSEADDR）{}分别收到 {counts:?} 个数据报：广播能到达每一个接收者，发给某一个地址的数据报只能到达一个",
                w(within)
            ),
            Mismatch::HttpReset(what) => {
                format!("{}还没收完，连接就被重置了", http(*what, lang))
            }
            Mismatch::NoHttp { what, within } => {
                format!("{}没有收到{}", w(within), http(*what, lang))
            }
            Mismatch::HttpStopped { what, within, got } => format!(
                "{}{}仍不完整：收到 {got} 字节后就没有下文了",
                w(within),
                http(*what, lang)
            ),
            Mismatch::Incomplete { inner, why } => {
                format!("{}；{}", self.zh(inner), why.text(true))
            }
            Mismatch::ResetUnread(inner) => format!(
                "{}：这里出现重置，通常是因为服务端关闭连接时请求的字节还没读完（它的 recv 没有读完整个请求），这样的 close() 会发出重置（RST），而不是正常的结束；回答之前要把请求读到它的空行为止",
                self.zh(inner)
            ),
            Mismatch::AnsweredEarly {
                sent,
                total,
                head_over,
            } => {
                let missing = if *head_over {
                    "请求体还在路上：读完请求头之后，服务端还要再读 Content-Length 个字节"
                } else {
                    "请求头还没结束：服务端要一直读到结束请求头的空行（\\r\\n\\r\\n），不管需要调用几次 recv"
                };
                format!(
                    "请求共 {total} 字节，只发了 {sent} 字节服务端就回答了（或关闭了连接）：{missing}"
                )
            }
            Mismatch::ClosedEarly { sent, total } => format!(
                "响应共 {total} 字节，只发了 {sent} 字节客户端就关闭了连接：它停止读取得太早；要一直读到收满 Content-Length 个字节的正文，或者读到服务端关闭连接"
            ),
            Mismatch::NoResponse => "服务端没有发送响应就关闭了连接".into(),
            Mismatch::NoRequest => "客户端没有发送请求就关闭了连接".into(),
            Mismatch::Malformed { what, problems } => {
                let listed: String = problems
                    .iter()
                    .map(|p| format!("\n  {}", p.text(true)))
                    .collect();
                format!("{}的格式不符合 HTTP：{listed}", http(*what, lang))
            }
            Mismatch::HttpCut(what) => {
                format!("{}被截断了：它还不完整，连接就关闭了", http(*what, lang))
            }
            Mismatch::WrongStatus {
                method,
                path,
                got,
                want,
            } => format!("{method} {path} 得到的状态码是 {got}，作业要求 {want}"),
            Mismatch::WrongBody { method, path, rule } => {
                format!("{method} {path} 的正文不匹配 {rule:?}")
            }
            Mismatch::WrongMethod { got, want } => {
                format!("请求用的方法是 {got}，作业要求 {want}")
            }
            Mismatch::PropertyAbort(why) => format!("无法检查这条性质：{why}"),
            Mismatch::PropertyNoCase => "性质检查失败，却没有失败的用例（测试工具的缺陷）".into(),
            Mismatch::PropertyPanicked => "性质检查的运行器崩溃了".into(),
            Mismatch::RestartFailed(inner) => format!(
                "程序在之前的用例中退出了，而且无法重新启动：{}",
                self.zh(inner)
            ),
            Mismatch::BaselineFailed(inner) => format!(
                "整体发送同一请求（用来得知应有的回答）失败了：{}",
                self.zh(inner)
            ),
            Mismatch::PiecesStatus { got, want } => {
                format!("分段发送的请求得到状态码 {got}；整体发送时得到 {want}")
            }
            Mismatch::Property(p) => self.property(p),
        }
    }

    fn property(self, p: &PropertyFailure) -> String {
        let case = indent(&case(&p.case, self.lang));
        let inner = self.mismatch(&p.inner);
        match self.lang {
            Lang::En => {
                let note = if p.unshrunk {
                    "\n(the smallest case passed when played again with the normal deadlines, so this is the first failing case as generated)"
                } else {
                    ""
                };
                format!(
                    "property {} failed on case {} of {} (seed {}); the smallest failing case:\n{case}\n{inner}{note}\nreproduce: {}",
                    p.name.as_str(),
                    p.nth,
                    p.cases,
                    p.seed,
                    p.reproduce
                )
            }
            Lang::Zh => {
                let note = if p.unshrunk {
                    "\n（最小用例按正常期限重放时通过了，所以这里给出的是生成时第一个失败的用例）"
                } else {
                    ""
                };
                format!(
                    "性质 {} 在 {} 个用例中的第 {} 个失败（种子 {}）；最小的失败用例：\n{case}\n{inner}{note}\n重现：{}",
                    p.name.as_str(),
                    p.cases,
                    p.nth,
                    p.seed,
                    p.reproduce
                )
            }
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(b: &[Bytes]) -> String {
    b.iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn written(pieces: &[Bytes], lang: Lang) -> String {
    let n = pieces.len();
    let parts = pieces
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    match lang {
        Lang::En => format!(
            "written as {n} piece{}: {parts}",
            if n == 1 { "" } else { "s" }
        ),
        Lang::Zh => format!("分 {n} 次写出：{parts}"),
    }
}

fn apart(pause_ms: u64, lang: Lang) -> String {
    match (pause_ms, lang) {
        (0, _) => String::new(),
        (ms, Lang::En) => format!(", {ms} ms apart"),
        (ms, Lang::Zh) => format!("，每次间隔 {ms} 毫秒"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A generated case, as a reader checks it by hand.
fn case(c: &CaseView, lang: Lang) -> String {
    match (c, lang) {
        (
            CaseView::Stream {
                messages,
                written: w,
                pause_ms,
            },
            _,
        ) => {
            let head = match lang {
                Lang::En => format!(
                    "{} message{}: {}",
                    messages.len(),
                    plural(messages.len()),
                    shown(messages)
                ),
                Lang::Zh => format!("{} 条消息：{}", messages.len(), shown(messages)),
            };
            format!("{head}\n{}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (CaseView::Udp { queued, datagrams }, _) => {
            let list = datagrams
                .iter()
                .map(|(s, d)| match lang {
                    Lang::En => format!("s{s} → {d} ({} bytes)", d.0.len()),
                    Lang::Zh => format!("s{s} → {d}（{} 字节）", d.0.len()),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let n = datagrams.len();
            match lang {
                Lang::En => format!(
                    "{n} datagram{}{}: {list}",
                    plural(n),
                    if *queued {
                        ", all sent while the server was paused (waiting in its queue together)"
                    } else {
                        ", each once the server had read the one before"
                    }
                ),
                Lang::Zh => format!(
                    "{n} 个数据报，{}：{list}",
                    if *queued {
                        "全部在服务端暂停期间发出（一起在它的队列里等待）"
                    } else {
                        "每个都在服务端读完上一个之后发出"
                    }
                ),
            }
        }
        (CaseView::Replies { lines, pieces }, _) => {
            let list = lines
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let n = lines.len();
            let mut out = match lang {
                Lang::En => format!("{n} line{} typed: {list}", plural(n)),
                Lang::Zh => format!("输入了 {n} 行：{list}"),
            };
            if !pieces.is_empty() {
                out.push_str(&match lang {
                    Lang::En => format!("\neach reply cut into pieces of {pieces:?} bytes"),
                    Lang::Zh => format!("\n每条回复都切成 {pieces:?} 字节的几段"),
                });
            }
            out
        }
        (CaseView::Broadcasts { texts }, _) => {
            let list = texts
                .iter()
                .map(|t| format!("{t:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let n = texts.len();
            match lang {
                Lang::En => format!("{n} datagram{} broadcast: {list}", plural(n)),
                Lang::Zh => format!("广播了 {n} 个数据报：{list}"),
            }
        }
        (
            CaseView::Response {
                written: w,
                pause_ms,
            },
            Lang::En,
        ) => {
            format!("a response {}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (
            CaseView::Response {
                written: w,
                pause_ms,
            },
            Lang::Zh,
        ) => {
            format!("一个响应，{}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (
            CaseView::Request {
                written: w,
                pause_ms,
            },
            _,
        ) => {
            format!("{}{}", written(w, lang), apart(*pause_ms, lang))
        }
    }
}

/// Why a program cannot be run at all.
pub(crate) fn unrunnable(u: &Unrunnable, lang: Lang) -> String {
    match u {
        Unrunnable::MissingFile {
            file,
            command,
            dir,
            has,
        } => {
            let listed = |more: &str| match has.len() {
                n if n <= 8 => has.join(", "),
                n => format!("{} {more} {}", has[..8].join(", "), n - 8),
            };
            match lang {
                Lang::En => {
                    let has = if has.is_empty() {
                        "it is empty".to_owned()
                    } else if has.len() <= 8 {
                        format!("it has {}", listed(""))
                    } else {
                        format!(
                            "it has {}",
                            listed("and").replace(" and ", " and ") + " more"
                        )
                    };
                    format!(
                        "the submission has no {file} (the command is `{command}`, run in {dir}; {has})"
                    )
                }
                Lang::Zh => {
                    let has = if has.is_empty() {
                        "文件夹是空的".to_owned()
                    } else if has.len() <= 8 {
                        format!("里面有 {}", listed(""))
                    } else {
                        format!("里面有 {} 等", has[..8].join(", "))
                    };
                    format!("提交的作业里没有 {file}（命令是 `{command}`，在 {dir} 中运行；{has}）")
                }
            }
        }
        Unrunnable::LeavesMachine {
            role,
            sends,
            far,
            hosts,
        } => leaves(*role, *sends, far, hosts, lang),
    }
}

fn and_list(words: &[String], and: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(", ")),
    }
}

fn leaves(
    role: sockspec_model::Role,
    sends: bool,
    far: &[String],
    hosts: &[String],
    lang: Lang,
) -> String {
    use sockspec_model::Role;
    match lang {
        Lang::En => {
            let verb = match role {
                _ if !sends => "looks up",
                Role::TcpClient | Role::HttpClient => "connects to",
                _ if !far.is_empty() => "to",
                _ => "sends to",
            };
            let mut clauses = Vec::new();
            if !far.is_empty() {
                clauses.push(format!("sends to {}", far.join(", ")));
            }
            match hosts {
                [] => {}
                [one] => clauses.push(format!("{verb} {one}, a host off this machine")),
                many => clauses.push(format!(
                    "{verb} {}, hosts off this machine",
                    and_list(many, " and ")
                )),
            }
            let inside = if hosts.is_empty() {
                ""
            } else {
                " (there a name is an address of its own loopback, and looking it up asks no one)"
            };
            format!(
                "not run: this {role} {}, which only a private network can serve without its packets leaving the machine{inside}; grade it with --isolate net (as root, or with unprivileged user namespaces)",
                clauses.join(" and ")
            )
        }
        Lang::Zh => {
            let verb = match role {
                _ if !sends => "要查询",
                Role::TcpClient | Role::HttpClient => "要连接",
                _ => "要发往",
            };
            let mut clauses = Vec::new();
            if !far.is_empty() {
                clauses.push(format!("要发往 {}", far.join(", ")));
            }
            if !hosts.is_empty() {
                clauses.push(format!(
                    "{verb}不在本机上的主机 {}",
                    and_list(hosts, " 和 ")
                ));
            }
            let inside = if hosts.is_empty() {
                ""
            } else {
                "（在那里，主机名是它自己回环网络上的地址，查询时不会问任何人）"
            };
            format!(
                "没有运行：这个 {role} {}，只有私有网络才能让它运行而数据包不离开本机{inside}；请用 --isolate net 评分（需要 root，或允许非特权用户命名空间）",
                clauses.join("，并且")
            )
        }
    }
}

/// What a program that never became ready was seen doing instead.
fn seen(s: &Seen, lang: Lang) -> String {
    match (s, lang) {
        (Seen::ListeningLate(a), Lang::En) => format!("listening on {a} only just now"),
        (Seen::ListeningLate(a), Lang::Zh) => format!("直到最后一刻才在 {a} 上监听"),
        (Seen::ListensElsewhere { addrs: a, port }, Lang::En) => format!(
            "listening on {} instead of port {port} (is the port hard-coded?)",
            addrs(a)
        ),
        (Seen::ListensElsewhere { addrs: a, port }, Lang::Zh) => format!(
            "它在 {} 上监听，而不是端口 {port}（端口是写死在代码里的吗？）",
            addrs(a)
        ),
        (Seen::UdpInsteadOfTcp(port), Lang::En) => format!(
            "no TCP listener on port {port}, but a UDP socket is bound to it (SOCK_DGRAM instead of SOCK_STREAM?)"
        ),
        (Seen::UdpInsteadOfTcp(port), Lang::Zh) => format!(
            "端口 {port} 上没有 TCP 监听，却绑定了一个 UDP 套接字（把 SOCK_STREAM 写成了 SOCK_DGRAM？）"
        ),
        (Seen::OtherProcess(port), Lang::En) => {
            format!("no socket on port {port}; another process (not the target) listens on it")
        }
        (Seen::OtherProcess(port), Lang::Zh) => {
            format!("它在端口 {port} 上没有套接字；另一个进程（不是被测程序）在那里监听")
        }
        (Seen::NoSocket(port), Lang::En) => format!("no socket on port {port}"),
        (Seen::NoSocket(port), Lang::Zh) => format!("端口 {port} 上没有它的套接字"),
        (Seen::UdpElsewhere { addrs: a, port }, Lang::En) => format!(
            "a UDP socket is bound to {} instead of port {port} (is the port hard-coded?)",
            addrs(a)
        ),
        (Seen::UdpElsewhere { addrs: a, port }, Lang::Zh) => format!(
            "UDP 套接字绑定在 {} 上，而不是端口 {port}（端口是写死在代码里的吗？）",
            addrs(a)
        ),
        (Seen::TcpInsteadOfUdp(port), Lang::En) => format!(
            "a TCP listener on port {port} instead of a UDP socket (SOCK_STREAM instead of SOCK_DGRAM?)"
        ),
        (Seen::TcpInsteadOfUdp(port), Lang::Zh) => format!(
            "端口 {port} 上是 TCP 监听，而不是 UDP 套接字（把 SOCK_DGRAM 写成了 SOCK_STREAM？）"
        ),
        (Seen::NoUdpSocket(port), Lang::En) => format!("no UDP socket on port {port}"),
        (Seen::NoUdpSocket(port), Lang::Zh) => format!("端口 {port} 上没有 UDP 套接字"),
    }
}

fn queue(q: Queue, lang: Lang) -> &'static str {
    match (q, lang) {
        (Queue::RepliesToMessages, Lang::En) => "replies to messages sent",
        (Queue::RepliesToDatagrams, Lang::En) => "replies to datagrams sent",
        (Queue::MessagesToAnswer, Lang::En) => "messages from the target to answer",
        (Queue::DatagramsToAnswer, Lang::En) => "datagrams to answer",
        (Queue::RepliesToMessages, Lang::Zh) => "条对已发消息的回复",
        (Queue::RepliesToDatagrams, Lang::Zh) => "条对已发数据报的回复",
        (Queue::MessagesToAnswer, Lang::Zh) => "条待回复的程序消息",
        (Queue::DatagramsToAnswer, Lang::Zh) => "个待回复的数据报",
    }
}

fn bug_en(b: &ScenarioBug) -> String {
    match b {
        ScenarioBug::NotTcp(n) => format!("`{n}` is a UDP socket, not a TCP connection"),
        ScenarioBug::NotUdp(n) => format!("`{n}` is not a UDP socket"),
        ScenarioBug::NotOpen(n) => format!("connection `{n}` is not open"),
        ScenarioBug::NotStarted => "the target has not been started (add a `start` step)".into(),
        ScenarioBug::NoUdpServer => "this role has no harness UDP server socket".into(),
        ScenarioBug::NoListener => "this role has no harness listener".into(),
        ScenarioBug::NoReceivers => "this role has no harness receivers".into(),
        ScenarioBug::TooFew { want, what, have } => format!(
            "the scenario wants {want} {} but there are only {have} (a scenario bug)",
            queue(*what, Lang::En)
        ),
        ScenarioBug::NotClosedByHarness(n) => {
            format!("connection `{n}` was not closed by the harness (a scenario bug)")
        }
        ScenarioBug::BadRegex { rule, error } => format!("bad body regex {rule:?}: {error}"),
    }
}

fn bug_zh(b: &ScenarioBug) -> String {
    let text = match b {
        ScenarioBug::NotTcp(n) => format!("`{n}` 是 UDP 套接字，不是 TCP 连接"),
        ScenarioBug::NotUdp(n) => format!("`{n}` 不是 UDP 套接字"),
        ScenarioBug::NotOpen(n) => format!("连接 `{n}` 没有打开"),
        ScenarioBug::NotStarted => "程序还没有启动（加一个 `start` 步骤）".into(),
        ScenarioBug::NoUdpServer => "这个角色没有测试端的 UDP 服务端套接字".into(),
        ScenarioBug::NoListener => "这个角色没有测试端的监听套接字".into(),
        ScenarioBug::NoReceivers => "这个角色没有测试端的接收者".into(),
        ScenarioBug::TooFew { want, what, have } => {
            format!("场景要取 {want} {}，但只有 {have}", queue(*what, Lang::Zh))
        }
        ScenarioBug::NotClosedByHarness(n) => format!("连接 `{n}` 并没有被测试端关闭"),
        ScenarioBug::BadRegex { rule, error } => {
            format!("正文规则 {rule:?} 不是合法的正则表达式：{error}")
        }
    };
    format!("{text}（场景文件的错误）")
}

fn io_en(doing: &Doing, e: &str) -> String {
    match doing {
        Doing::Listen(a) => format!("the harness cannot listen on {a}: {e}"),
        Doing::BindReceiver(p) => format!("the harness cannot bind a receiver to port {p}: {e}"),
        Doing::Accept => format!("accept failed: {e}"),
        Doing::Broadcast(a) => format!("broadcasting to {a} failed: {e}"),
        Doing::BindUdp(a) => format!("cannot bind a UDP socket to {a}: {e}"),
        Doing::SendDatagram(a) => format!("sending a datagram to {a} failed: {e}"),
        Doing::Receive => format!("receiving failed: {e}"),
        Doing::ReceiveReply(n) => format!("receiving {} failed: {e}", nth(*n, Lang::En)),
        Doing::ReplyTo(a) => format!("replying to {a} failed: {e}"),
        Doing::Connect(a) => format!("cannot connect to {a}: {e}"),
        Doing::LocalAddr => format!("connected socket has no address: {e}"),
        Doing::AcceptedAddr => format!("accepted socket has no address: {e}"),
        Doing::Write => format!("write failed: {e}"),
        Doing::Read => format!("reading failed: {e}"),
        Doing::ReadReply(n) => format!("reading {} failed: {e}", nth(*n, Lang::En)),
        Doing::ReadHttp(m) => format!("reading {} failed: {e}", http(*m, Lang::En)),
        Doing::Shutdown => format!("shutdown failed: {e}"),
        Doing::Cork => format!("TCP_CORK failed: {e}"),
        Doing::Abort => format!("abort failed: {e}"),
        Doing::Linger => format!("SO_LINGER failed: {e}"),
        Doing::Stdin => format!("cannot type on the target's stdin: {e} (has it stopped reading?)"),
        Doing::PropertyRunner => format!("the property runner failed: {e}"),
        Doing::RestartPort => format!("no free port to restart the target: {e}"),
        Doing::Port => format!("no free port for the target: {e}"),
    }
}

fn io_zh(doing: &Doing, e: &str) -> String {
    match doing {
        Doing::Listen(a) => format!("测试端无法在 {a} 上监听：{e}"),
        Doing::BindReceiver(p) => format!("测试端无法把接收者绑定到端口 {p}：{e}"),
        Doing::Accept => format!("accept 失败：{e}"),
        Doing::Broadcast(a) => format!("向 {a} 广播失败：{e}"),
        Doing::BindUdp(a) => format!("无法把 UDP 套接字绑定到 {a}：{e}"),
        Doing::SendDatagram(a) => format!("向 {a} 发送数据报失败：{e}"),
        Doing::Receive => format!("接收失败：{e}"),
        Doing::ReceiveReply(n) => format!("接收{}失败：{e}", nth(*n, Lang::Zh)),
        Doing::ReplyTo(a) => format!("回复 {a} 失败：{e}"),
        Doing::Connect(a) => format!("无法连接 {a}：{e}"),
        Doing::LocalAddr => format!("已连接的套接字没有地址：{e}"),
        Doing::AcceptedAddr => format!("接受的套接字没有地址：{e}"),
        Doing::Write => format!("写入失败：{e}"),
        Doing::Read => format!("读取失败：{e}"),
        Doing::ReadReply(n) => format!("读取{}失败：{e}", nth(*n, Lang::Zh)),
        Doing::ReadHttp(m) => format!("读取{}失败：{e}", http(*m, Lang::Zh)),
        Doing::Shutdown => format!("shutdown 失败：{e}"),
        Doing::Cork => format!("设置 TCP_CORK 失败：{e}"),
        Doing::Abort => format!("重置连接失败：{e}"),
        Doing::Linger => format!("设置 SO_LINGER 失败：{e}"),
        Doing::Stdin => format!("无法在程序的标准输入上输入：{e}（它已经不再读取了吗？）"),
        Doing::PropertyRunner => format!("性质检查的运行器出错：{e}"),
        Doing::RestartPort => format!("没有空闲端口来重启程序：{e}"),
        Doing::Port => format!("没有给程序用的空闲端口：{e}"),
    }
}

/// What a step expected, in one language.
pub(crate) fn expectation(e: &Expectation, lang: Lang) -> String {
    match lang {
        Lang::En => expectation_en(e),
        Lang::Zh => expectation_zh(e),
    }
}

fn expectation_en(e: &Expectation) -> String {
    match e {
        Expectation::Reply {
            rule,
            framing,
            message,
        } => {
            let framed = match framing {
                Framing::None => "",
                Framing::Line => " followed by \\n",
                Framing::Len32 => " with a 4-byte length prefix",
            };
            match rule {
                ReplyShape::Echo => format!("the message itself, {message}{framed} (reply rule echo)"),
                ReplyShape::Fixed(t) => format!("exactly {t}{framed} (reply rule fixed)"),
                ReplyShape::Any => format!("any non-empty reply{framed}"),
                ReplyShape::Regex(re) => format!("a reply matching /{re}/{framed}"),
            }
        }
        Expectation::Datagram(b) => format!("one datagram of exactly {b}"),
        Expectation::Message(b) => format!("the message {b}"),
        Expectation::ListeningAgain(p) => {
            format!("the target listening on port {p} again at once")
        }
        Expectation::Printed(missing) => format!("stdout to contain {}", printed(missing)),
        Expectation::Broadcast { count, to, port } => {
            format!("at least {count} datagram(s) at every receiver, sent to {to}:{port}")
        }
        Expectation::CloseSocket => {
            "recv() to give b'' and the program to close() the connection socket".into()
        }
        Expectation::EndNothingBefore => {
            "the end of the connection (recv gives b'') and nothing before it".into()
        }
        Expectation::End => "the end of the connection (recv gives b'')".into(),
        Expectation::WholeMessage => "the target to wait for the whole message".into(),
        Expectation::HttpResponse => {
            "a status line, header lines, each ending in \\r\\n, an empty line, then the body".into()
        }
        Expectation::HttpRequest => "a request line (METHOD /path HTTP/1.1), header lines (Host first), each ending in \\r\\n, an empty line, then the body".into(),
        Expectation::Status(s) => format!("status {s}"),
        Expectation::BodyMatching(r) => format!("a body matching {r:?}"),
    }
}

fn expectation_zh(e: &Expectation) -> String {
    match e {
        Expectation::Reply {
            rule,
            framing,
            message,
        } => {
            let framed = match framing {
                Framing::None => "",
                Framing::Line => "，后面跟 \\n",
                Framing::Len32 => "，前面加 4 字节的长度前缀",
            };
            match rule {
                ReplyShape::Echo => format!("消息本身 {message}{framed}（回复规则 echo）"),
                ReplyShape::Fixed(t) => format!("恰好是 {t}{framed}（回复规则 fixed）"),
                ReplyShape::Any => format!("任何非空的回复{framed}"),
                ReplyShape::Regex(re) => format!("匹配 /{re}/ 的回复{framed}"),
            }
        }
        Expectation::Datagram(b) => format!("恰好是 {b} 的一个数据报"),
        Expectation::Message(b) => format!("消息 {b}"),
        Expectation::ListeningAgain(p) => format!("程序立刻重新在端口 {p} 上监听"),
        Expectation::Printed(missing) => format!("标准输出中包含 {}", printed(missing)),
        Expectation::Broadcast { count, to, port } => {
            format!("每个接收者都至少收到 {count} 个发往 {to}:{port} 的数据报")
        }
        Expectation::CloseSocket => "recv() 返回 b''，然后程序 close() 这个连接套接字".into(),
        Expectation::EndNothingBefore => "连接结束（recv 返回 b''），之前没有别的数据".into(),
        Expectation::End => "连接结束（recv 返回 b''）".into(),
        Expectation::WholeMessage => "程序等整条消息收完再行动".into(),
        Expectation::HttpResponse => {
            "一行状态行、若干首部行，每行以 \\r\\n 结尾，然后一个空行，再是正文".into()
        }
        Expectation::HttpRequest => "一行请求行（METHOD /path HTTP/1.1）、若干首部行（Host 在前），每行以 \\r\\n 结尾，然后一个空行，再是正文".into(),
        Expectation::Status(s) => format!("状态码 {s}"),
        Expectation::BodyMatching(r) => format!("匹配 {r:?} 的正文"),
    }
}
