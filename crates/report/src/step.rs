//! A scenario's steps as sentences, in each language.
//!
//! The runner reports the step it was on as the typed step itself; this is
//! the one place that says how a step reads, for the failing-step line and
//! for a wait in the timeline that came to nothing. A new step kind is one
//! arm here in each function, and the compiler points at every one.

use sockspec_model::{ExpectExitStep, Step};

use crate::lang::Lang;

/// The step as a line of the report ("send to a: \"hello\"").
pub(crate) fn step(step: &Step, lang: Lang) -> String {
    match lang {
        Lang::En => en(step),
        Lang::Zh => zh(step),
    }
}

fn en(step: &Step) -> String {
    match step {
        Step::Send(s) => {
            let shown: Vec<String> = s.messages.iter().map(|m| m.to_string()).collect();
            let mut out = format!("send to {}: {}", s.to, shown.join(" + "));
            if s.messages.len() > 1 {
                out.push_str(" in one write");
            }
            if !s.chunks.is_empty() {
                out.push_str(&format!(" in pieces of {:?} bytes", s.chunks));
            }
            if s.close {
                out.push_str(", and close at once");
            }
            if s.queued {
                out.push_str(" while the target is paused");
            }
            out
        }
        Step::ExpectReply(_)
        | Step::ExpectExit(_)
        | Step::ExpectAlive
        | Step::ExpectClosed(_)
        | Step::ExpectMessage(_)
        | Step::ExpectPrinted(_)
        | Step::ExpectNoTraceback
        | Step::ExpectBroadcast(_)
        | Step::ExpectResponse(_)
        | Step::ExpectRequest(_) => match awaited_en(step) {
            Some(Awaited::Thing(t)) => format!("expect {t}"),
            Some(Awaited::Program(p)) => format!("expect the target {p}"),
            None => unreachable!("every expectation says what it awaits"),
        },
        Step::Kill => "kill the target".into(),
        Step::Restart => "restart the target on the same port".into(),
        Step::Start => "start the target".into(),
        Step::Stdin(line) => format!("type {line:?} on the target's stdin"),
        Step::Quit => "type the quit line on the target's stdin".into(),
        Step::CloseStdin => "close the target's stdin (end of input)".into(),
        Step::Accept(c) => format!("accept the target's connection as {c}"),
        Step::Udp(c) => format!("open UDP socket {c}"),
        Step::Reply(r) if r.count == 1 => "reply to the target's message".into(),
        Step::Reply(r) => format!("reply to the target's last {} messages", r.count),
        Step::Broadcast(b) => format!("broadcast {:?}", b.text),
        Step::BindBeside => "bind a harness receiver to the target's port first".into(),
        Step::Request(r) => {
            let mut out = match &r.raw {
                Some(raw) => format!("send on {} the request {:?}", r.to, raw),
                None => format!("send on {} the request {} {}", r.to, r.method, r.path),
            };
            if !r.chunks.is_empty() {
                out.push_str(&format!(" in pieces of {:?} bytes", r.chunks));
            }
            out
        }
        Step::Respond(r) => format!(
            "respond on {} with status {} and a {}-byte body ({})",
            r.to,
            r.status,
            r.body.len(),
            r.length.as_str()
        ),
        Step::Connect(c) => format!("connect {c}"),
        Step::ExpectEof(c) => format!("expect_eof {c}"),
        Step::ExpectReset(c) => format!("expect_reset {c}"),
        Step::Shutdown(c) => format!("shutdown {c}"),
        Step::Close(c) => format!("close {c}"),
        Step::Abort(c) => format!("abort {c}"),
    }
}

fn zh(step: &Step) -> String {
    match step {
        Step::Send(s) => {
            let shown: Vec<String> = s.messages.iter().map(|m| m.to_string()).collect();
            let mut out = format!("向 {} 发送 {}", s.to, shown.join(" + "));
            if s.messages.len() > 1 {
                out.push_str("（一次写出）");
            }
            if !s.chunks.is_empty() {
                out.push_str(&format!("，分成 {:?} 字节的几段", s.chunks));
            }
            if s.close {
                out.push_str("，随即关闭");
            }
            if s.queued {
                out.push_str("（程序暂停期间）");
            }
            out
        }
        Step::ExpectReply(e) if e.count == 1 => format!("等待 {} 上的回复", e.from),
        Step::ExpectReply(e) => format!("等待 {} 上的 {} 条回复", e.from, e.count),
        Step::ExpectExit(ExpectExitStep { code: Some(c) }) => {
            format!("等待程序以退出码 {c} 退出")
        }
        Step::ExpectExit(_) => "等待程序退出".into(),
        Step::ExpectAlive => "确认程序仍在运行".into(),
        Step::ExpectClosed(c) => format!("等待程序关闭它那一端的连接 {c}"),
        Step::Kill => "强行结束程序".into(),
        Step::Restart => "在同一端口上重启程序".into(),
        Step::Start => "启动程序".into(),
        Step::Stdin(line) => format!("在程序的标准输入上输入 {line:?}"),
        Step::Quit => "在程序的标准输入上输入退出命令".into(),
        Step::CloseStdin => "关闭程序的标准输入（输入结束，EOF）".into(),
        Step::Accept(c) => format!("接受程序发来的连接，记作 {c}"),
        Step::Udp(c) => format!("打开 UDP 套接字 {c}"),
        Step::ExpectMessage(e) => {
            let on = match &e.from {
                Some(c) => format!(" {c} 上的"),
                None => String::new(),
            };
            match &e.text {
                Some(t) => format!("等待{on}消息 {t:?}"),
                None => format!("等待{on}消息"),
            }
        }
        Step::Reply(r) if r.count == 1 => "回复程序发来的消息".into(),
        Step::Reply(r) => format!("回复程序发来的最后 {} 条消息", r.count),
        Step::ExpectPrinted(p) => match (&p.text, p.replies) {
            (Some(t), _) => format!("等待程序打印 {t:?}"),
            (None, n) => format!("等待程序打印收到的 {n} 条回复"),
        },
        Step::ExpectNoTraceback => "确认程序的标准错误上没有 traceback".into(),
        Step::ExpectBroadcast(b) => {
            format!("等待每个测试端接收者收到 {} 个广播数据报", b.count)
        }
        Step::Broadcast(b) => format!("广播 {:?}", b.text),
        Step::BindBeside => "先在程序的端口上绑定一个测试端接收者".into(),
        Step::Request(r) => {
            let mut out = match &r.raw {
                Some(raw) => format!("在 {} 上发送请求 {:?}", r.to, raw),
                None => format!("在 {} 上发送请求 {} {}", r.to, r.method, r.path),
            };
            if !r.chunks.is_empty() {
                out.push_str(&format!("，分成 {:?} 字节的几段", r.chunks));
            }
            out
        }
        Step::ExpectResponse(e) => match e.status {
            Some(s) => format!("等待 {} 上格式正确的 HTTP 响应（状态码 {s}）", e.from),
            None => format!("等待 {} 上格式正确的 HTTP 响应", e.from),
        },
        Step::ExpectRequest(e) => format!("等待 {} 上格式正确的 HTTP 请求", e.from),
        Step::Respond(r) => format!(
            "在 {} 上回应状态码 {}、{} 字节的正文（{}）",
            r.to,
            r.status,
            r.body.len(),
            r.length.as_str()
        ),
        Step::Connect(c) => format!("建立连接 {c}"),
        Step::ExpectEof(c) => format!("等待程序关闭连接 {c}（recv() 返回 b''）"),
        Step::ExpectReset(c) => format!("等待连接 {c} 被重置"),
        Step::Shutdown(c) => format!("关闭 {c} 的发送方向（shutdown）"),
        Step::Close(c) => format!("关闭连接 {c}"),
        Step::Abort(c) => format!("重置连接 {c}（RST）"),
    }
}

/// What a failure happened in: its step, its property, or (empty) the
/// start before the first step.
pub(crate) fn failed_at(at: &sockspec_results::FailedAt, lang: Lang) -> String {
    match at {
        sockspec_results::FailedAt::Start => String::new(),
        sockspec_results::FailedAt::Step(s) => step(s, lang),
        sockspec_results::FailedAt::Property(p) => match lang {
            Lang::En => format!("property {}", p.as_str()),
            Lang::Zh => format!("性质 {}", p.as_str()),
        },
    }
}

/// A wait of `secs` seconds that ended without what the step waited for,
/// as a line of the timeline: what did not come.
pub(crate) fn waited(step: &Step, secs: f64, lang: Lang) -> String {
    match lang {
        Lang::En => waited_en(step, secs),
        Lang::Zh => waited_zh(step, secs),
    }
}

/// What an expectation awaits, in English: a thing that must come ("a
/// reply on b"), or something the program must do ("to exit").
enum Awaited {
    /// Read after "expect" and "waited … for".
    Thing(String),
    /// Read after "expect the target" and "waited … for the program".
    Program(String),
}

fn awaited_en(step: &Step) -> Option<Awaited> {
    use Awaited::{Program, Thing};
    Some(match step {
        Step::ExpectReply(e) if e.count == 1 => Thing(format!("a reply on {}", e.from)),
        Step::ExpectReply(e) => Thing(format!("{} replies on {}", e.count, e.from)),
        Step::ExpectExit(ExpectExitStep { code: Some(c) }) => {
            Program(format!("to exit with code {c}"))
        }
        Step::ExpectExit(_) => Program("to exit".into()),
        Step::ExpectAlive => Program("to be running".into()),
        Step::ExpectClosed(c) => Program(format!("to close its end of {c}")),
        Step::ExpectMessage(e) => {
            let what = match &e.text {
                Some(t) => format!("the message {t:?}"),
                None => "a message".into(),
            };
            Thing(match &e.from {
                Some(c) => format!("{what} on {c}"),
                None => format!("{what} on the harness's socket"),
            })
        }
        Step::ExpectPrinted(p) => Program(match (&p.text, p.replies) {
            (Some(t), _) => format!("to print {t:?}"),
            (None, n) => format!("to print the {n} replies it got"),
        }),
        Step::ExpectNoTraceback => Thing("no traceback on the target's stderr".into()),
        Step::ExpectBroadcast(b) => Thing(format!(
            "every harness receiver to get {} broadcast datagram(s)",
            b.count
        )),
        Step::ExpectResponse(e) => {
            let mut out = format!("a well-formed HTTP response on {}", e.from);
            if let Some(s) = e.status {
                out.push_str(&format!(" with status {s}"));
            }
            Thing(out)
        }
        Step::ExpectRequest(e) => Thing(format!("a well-formed HTTP request on {}", e.from)),
        _ => return None,
    })
}

fn waited_en(step: &Step, secs: f64) -> String {
    match step {
        Step::ExpectEof(c) => {
            format!("waited {secs:.1} s for the program to close {c}: it did not")
        }
        Step::ExpectReset(c) => format!("waited {secs:.1} s for a reset on {c}: none came"),
        Step::Accept(_) => format!("waited {secs:.1} s for the program to connect: it did not"),
        _ => match awaited_en(step) {
            Some(Awaited::Program(p)) => {
                format!("waited {secs:.1} s for the program {p}: it did not")
            }
            Some(Awaited::Thing(t)) => format!("waited {secs:.1} s for {t}: nothing came"),
            None => format!("{}: gave up after {secs:.1} s", en(step)),
        },
    }
}

fn waited_zh(step: &Step, secs: f64) -> String {
    let none = format!("：{secs:.1} 秒内没有等到");
    match step {
        Step::ExpectReply(_)
        | Step::ExpectMessage(_)
        | Step::ExpectBroadcast(_)
        | Step::ExpectResponse(_)
        | Step::ExpectRequest(_)
        | Step::ExpectExit(_)
        | Step::ExpectClosed(_)
        | Step::ExpectPrinted(_)
        | Step::ExpectEof(_)
        | Step::ExpectReset(_) => format!("{}{none}", zh(step)),
        Step::Accept(c) => format!("等待程序来连接（{c}）{none}"),
        _ => format!("{}：{secs:.1} 秒后放弃", zh(step)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_model::{ConnName, ExpectReplyStep};

    #[test]
    fn a_wait_says_what_did_not_come() {
        let reply = Step::ExpectReply(ExpectReplyStep {
            from: ConnName("b".into()),
            count: 1,
        });
        assert_eq!(
            waited(&reply, 2.0, Lang::En),
            "waited 2.0 s for a reply on b: nothing came"
        );
        assert_eq!(
            waited(&reply, 2.0, Lang::Zh),
            "等待 b 上的回复：2.0 秒内没有等到"
        );
        let eof = Step::ExpectEof(ConnName("a".into()));
        assert_eq!(
            waited(&eof, 1.5, Lang::En),
            "waited 1.5 s for the program to close a: it did not"
        );
        let exit = Step::ExpectExit(ExpectExitStep { code: Some(0) });
        assert_eq!(
            waited(&exit, 3.0, Lang::En),
            "waited 3.0 s for the program to exit with code 0: it did not"
        );
    }
}
