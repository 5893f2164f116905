//! Every failure in Chinese: the same match as `en.rs`, arm for arm, in
//! the course's words. Kept in a file of its own so that a translator
//! reads the Chinese straight through, and a failure without its Chinese
//! does not compile.

use std::time::Duration;

use sockspec_model::Framing;
use sockspec_results::{Mismatch, Nth};

use super::io::{bug_zh, io_zh, seen};
use super::{
    Say, addrs, ended, http, listen, nth, printed, says_how_it_ended, secs, unrunnable, zh_join,
};
use crate::lang::Lang;

impl Say {
    pub(super) fn zh(self, m: &Mismatch) -> String {
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
            Mismatch::SpawnFailed {
                program,
                not_on_path,
                error,
            } => {
                let mut out = match program {
                    Some(p) => format!("程序无法启动：`{p}`：{error}"),
                    None => format!("程序无法启动：{error}"),
                };
                if *not_on_path {
                    out.push_str("（PATH 里的各个目录中都找不到它）");
                }
                out
            }
            Mismatch::CommandNotRun(e) => format!(
                "命令无法运行：它{}，这是 shell 表示“找不到命令”或“无法执行”的方式",
                ended(*e, lang)
            ),
            Mismatch::EndedBeforeReady {
                ended: e,
                listen: l,
            } => {
                let (verb, port) = listen(*l, lang);
                let before = zh_join(&["程序在", &verb, &port, "之前就"]);
                format!("{before}{}", ended(*e, lang))
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
                    "{:.1} 秒后{}：{seen}",
                    after.as_secs_f64(),
                    zh_join(&["程序仍没有", &verb, &port])
                )
            }
            Mismatch::ReadyFailed(e) => format!("等待程序就绪时出错：{e}"),
            Mismatch::AfterRestart(inner) => format!("重启之后，{}", self.zh(inner)),
            Mismatch::Meanwhile { inner, .. } if says_how_it_ended(inner) => self.zh(inner),
            Mismatch::Meanwhile { inner, ended: e } => format!(
                "{}（与此同时程序{}）",
                self.zh(inner),
                e.map_or_else(|| "已结束".to_owned(), |e| ended(e, lang))
            ),
            Mismatch::Stalled(inner) => format!(
                "{}：程序只在等待（每个线程都阻塞在套接字或输入上等待，却没有可读的数据），不会再有动作，所以测试端不再等待",
                Say {
                    within: false,
                    ..self
                }
                .zh(inner)
            ),
            Mismatch::Refused(a) => format!("连接被拒绝：{a} 上已经没有程序在监听"),
            Mismatch::ResetOnConnect(a) => {
                format!("到 {a} 的连接刚建立就被重置：监听套接字已关闭（程序退出了吗？）")
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
                let mut out = format!("{} {addr}", zh_join(&["程序", &w(within), "没有连接到"]));
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
                "{}后{}仍不完整：{}",
                secs(*within, lang),
                nth(*n, lang),
                match framing {
                    Framing::Line => "收到的字节里没有结束消息的 \\n",
                    _ => "收到的字节比长度前缀声明的少",
                }
            ),
            Mismatch::IncompleteStream { within, got, want } => format!(
                "{}后回复仍不完整：只收到 {got} 字节，应有 {want} 字节",
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
                format!("{}后消息仍不完整", secs(*within, lang))
            }
            Mismatch::SomethingElse => "程序发来的不是预期的内容".into(),
            Mismatch::BytesBeforeClose(n) => {
                format!("程序关闭连接之前又多发了 {n} 字节（多回复了一次？）")
            }
            Mismatch::ResetNotClosed => "连接被重置，而不是正常关闭".into(),
            Mismatch::NotClosed { within, extra: 0 } => {
                zh_join(&["程序", &w(within), "没有关闭连接"])
            }
            Mismatch::NotClosed { within, extra } => {
                let closed = zh_join(&["程序", &w(within), "没有关闭连接"]);
                format!("又收到 {extra} 字节，而且{closed}")
            }
            Mismatch::ClosedNotReset => "连接被正常关闭，而不是被重置".into(),
            Mismatch::NotReset(within) => zh_join(&["连接", &w(within), "没有被重置"]),
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
            Mismatch::Traceback => "程序打印了 traceback：有一个它没有处理的异常".into(),
            Mismatch::EndedWithoutPrinting { ended: e, missing } => {
                format!("程序{}，没有打印 {}", ended(*e, lang), printed(missing))
            }
            Mismatch::NotPrinted { missing, within } => {
                format!(
                    "{} {}",
                    zh_join(&["程序", &w(within), "没有打印"]),
                    printed(missing)
                )
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
                zh_join(&[&w(within), "没有收到", http(*what, lang)])
            }
            Mismatch::HttpStopped { what, within, got } => format!(
                "{}仍不完整：收到 {got} 字节后就没有下文了",
                zh_join(&[&w(within), http(*what, lang)])
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
                format!("{}的格式不正确：{listed}", http(*what, lang))
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
}
