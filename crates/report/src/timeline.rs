//! The exchange that led to a failure, as lines a student can follow
//! without Wireshark: when, who (the program, or the harness on its
//! connection `a`), and what, in the words of the notes (FIN, RST, b'').
//! The human report aligns them in columns, the HTML report puts them in a
//! table and the JSON report carries each line's text in both languages, so
//! the wording lives here once. So does the direction of each line (which
//! way it crossed the wire): the HTML report draws a sequence diagram from
//! the same rows as its table, so the picture cannot say something else.

use sockspec_model::Role;
use sockspec_results::{Actor, Happening, TimelineEntry};

use crate::Lang;
use crate::diagnose::is_udp;
use crate::evidence::bytes;
use crate::text::elide;

/// Columns a value (bytes, a command line) may take in a line, unless whole.
const VALUE_WIDTH: usize = 48;

/// One line of a timeline, in parts.
pub(crate) struct Row {
    /// Milliseconds since the scenario started.
    pub at_ms: u128,
    /// Who: "program", "harness a".
    pub actor: String,
    /// What, in words.
    pub what: String,
    /// The lane it happened on: the program's, or one of the harness's.
    pub lane: Lane,
    /// Which way it went between the lanes.
    pub flow: Flow,
}

/// A lane of the exchange: the program, or the harness on one of its
/// connections or sockets (by its name; empty for the harness as a whole,
/// which types on stdin, kills and waits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// The program under test.
    Program,
    /// The harness, on the connection or socket of this name.
    Harness(String),
}

/// Which way a line of the timeline went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// From the harness to the program: a connect, bytes sent, a FIN, an
    /// RST, a line typed, a kill.
    ToProgram,
    /// From the program to the harness: bytes or an end of stream read,
    /// the program's connection accepted.
    ToHarness,
    /// Within one lane, nothing crossing the wire: the program starting,
    /// listening or ending, the harness waiting, a UDP socket closed.
    Within,
}

/// The rows of `entries` for a program of `role`; values are shortened
/// unless `full`.
pub(crate) fn rows(entries: &[TimelineEntry], role: Role, lang: Lang, full: bool) -> Vec<Row> {
    entries
        .iter()
        .map(|e| Row {
            at_ms: e.at.as_millis(),
            actor: actor(&e.actor, lang),
            what: happening(&e.what, role, lang, full),
            lane: match &e.actor {
                Actor::Target => Lane::Program,
                Actor::Harness(name) => Lane::Harness(name.clone()),
            },
            flow: flow(&e.actor, &e.what, role),
        })
        .collect()
}

/// Which way `what`, done by `actor`, went. The program's own lines never
/// cross (the runner records only its start, readiness and end); what the
/// harness reads came from the program, what it does went to it.
fn flow(actor: &Actor, what: &Happening, role: Role) -> Flow {
    if *actor == Actor::Target {
        return Flow::Within;
    }
    match what {
        Happening::Started { .. } | Happening::Ready { .. } | Happening::Exited { .. } => {
            Flow::Within
        }
        Happening::Waited { .. } => Flow::Within,
        // A UDP socket's close sends nothing.
        Happening::Closed if is_udp(role) => Flow::Within,
        Happening::Received { .. }
        | Happening::SawEof
        | Happening::SawReset
        | Happening::Accepted => Flow::ToHarness,
        Happening::Connected
        | Happening::Sent { .. }
        | Happening::ShutdownWrite
        | Happening::Closed
        | Happening::Reset
        | Happening::Typed { .. }
        | Happening::StdinClosed
        | Happening::Killed => Flow::ToProgram,
    }
}

/// The rows as aligned lines: `  98 ms  program   listening on ...`.
pub(crate) fn lines(rows: &[Row]) -> Vec<String> {
    let time = |r: &Row| format!("{} ms", r.at_ms);
    let time_width = rows.iter().map(|r| time(r).len()).max().unwrap_or(0);
    let actor_width = rows
        .iter()
        .map(|r| crate::text::width(&r.actor))
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|r| {
            let pad = " ".repeat(actor_width - crate::text::width(&r.actor));
            format!("{:>time_width$}  {}{pad} {}", time(r), r.actor, r.what)
        })
        .collect()
}

/// An entry's text without its time: "harness a → \"hello\\n\" (6 bytes)".
pub(crate) fn text(e: &TimelineEntry, role: Role, lang: Lang) -> String {
    let (who, what) = (actor(&e.actor, lang), happening(&e.what, role, lang, true));
    // Chinese puts no space between two Chinese words ("测试端等待"), only
    // next to Latin letters and digits ("测试端 a 发送").
    let wide =
        |c: Option<char>| c.is_some_and(|c| crate::text::width(c.encode_utf8(&mut [0; 4])) == 2);
    if wide(who.chars().last()) && wide(what.chars().next()) {
        format!("{who}{what}")
    } else {
        format!("{who} {what}")
    }
}

/// "program", "harness a" / 程序, 测试端 a.
fn actor(a: &Actor, lang: Lang) -> String {
    match a {
        Actor::Target => lang.pick("program", "程序").to_owned(),
        Actor::Harness(name) if name.is_empty() => lang.pick("harness", "测试端").to_owned(),
        Actor::Harness(name) => format!("{} {name}", lang.pick("harness", "测试端")),
    }
}

fn value(s: &str, full: bool) -> String {
    if full {
        s.to_owned()
    } else {
        elide(s, VALUE_WIDTH)
    }
}

fn happening(h: &Happening, role: Role, lang: Lang, full: bool) -> String {
    let udp = is_udp(role);
    let shown = |b: &sockspec_model::Bytes, len: usize| {
        let limit = if full { usize::MAX } else { VALUE_WIDTH };
        bytes(&b.0, len, limit, lang)
    };
    match (h, lang) {
        (Happening::Started { command }, Lang::En) => format!("started: {}", value(command, full)),
        (Happening::Started { command }, Lang::Zh) => format!("启动：{}", value(command, full)),
        (Happening::Ready { addr }, Lang::En) if udp => format!("bound to {addr}"),
        (Happening::Ready { addr }, Lang::En) => format!("listening on {addr}"),
        (Happening::Ready { addr }, Lang::Zh) if udp => format!("绑定了 {addr}"),
        (Happening::Ready { addr }, Lang::Zh) => format!("在 {addr} 上监听"),
        (Happening::Exited { ended }, _) => crate::mismatch::ended(*ended, lang),
        (Happening::Connected, _) => lang.pick("connected", "连上了程序").to_owned(),
        (Happening::Accepted, _) => lang
            .pick("accepted the program's connection", "接受了程序的连接")
            .to_owned(),
        (Happening::Sent { bytes, len }, Lang::En) => format!("→ {}", shown(bytes, *len)),
        (Happening::Sent { bytes, len }, Lang::Zh) => format!("发送 {}", shown(bytes, *len)),
        (Happening::Received { bytes, len }, Lang::En) => format!("← {}", shown(bytes, *len)),
        (Happening::Received { bytes, len }, Lang::Zh) => format!("收到 {}", shown(bytes, *len)),
        (Happening::ShutdownWrite, _) => lang
            .pick(
                "shut down its sending side (FIN)",
                "关闭了发送方向（shutdown，发出 FIN）",
            )
            .to_owned(),
        (Happening::Closed, _) if udp => lang.pick("closed its socket", "关闭了套接字").to_owned(),
        (Happening::Closed, _) => lang.pick("closed (FIN)", "关闭了连接（FIN）").to_owned(),
        (Happening::Reset, _) => lang
            .pick("reset the connection (RST)", "重置了连接（RST）")
            .to_owned(),
        (Happening::SawEof, _) => lang
            .pick(
                "saw the program close: recv() returned b''",
                "发现程序关闭了连接：recv() 返回 b''",
            )
            .to_owned(),
        (Happening::SawReset, _) => lang
            .pick(
                "saw the program reset the connection (RST)",
                "发现程序重置了连接（RST）",
            )
            .to_owned(),
        (Happening::Typed { text }, Lang::En) => {
            format!("typed {}", value(&format!("{text:?}"), full))
        }
        (Happening::Typed { text }, Lang::Zh) => {
            format!("输入了 {}", value(&format!("{text:?}"), full))
        }
        (Happening::StdinClosed, _) => lang
            .pick(
                "closed the program's stdin (EOF)",
                "关闭了程序的标准输入（EOF）",
            )
            .to_owned(),
        (Happening::Killed, _) => lang
            .pick("killed the program (SIGKILL)", "强行结束了程序（SIGKILL）")
            .to_owned(),
        (Happening::Waited { step, waited }, _) => {
            crate::step::waited(step, waited.as_secs_f64(), lang)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_model::Bytes;
    use std::time::Duration;

    fn both(h: Happening, role: Role) -> (String, String) {
        (
            happening(&h, role, Lang::En, false),
            happening(&h, role, Lang::Zh, false),
        )
    }

    #[test]
    fn every_happening_reads_in_both_languages() {
        let addr = "127.0.0.1:40001".parse().unwrap();
        let cases = [
            (
                Happening::Started {
                    command: "python3 server.py 40001".into(),
                },
                "started: python3 server.py 40001",
                "启动：python3 server.py 40001",
            ),
            (
                Happening::Ready { addr },
                "listening on 127.0.0.1:40001",
                "在 127.0.0.1:40001 上监听",
            ),
            (
                Happening::Exited {
                    ended: sockspec_results::Ended::Signal(9),
                },
                "killed by signal 9 (SIGKILL)",
                "被信号 9（SIGKILL）终止",
            ),
            (Happening::Connected, "connected", "连上了程序"),
            (
                Happening::Accepted,
                "accepted the program's connection",
                "接受了程序的连接",
            ),
            (
                Happening::Sent {
                    bytes: Bytes(b"hello\n".to_vec()),
                    len: 6,
                },
                "→ \"hello\\n\" (6 bytes)",
                "发送 \"hello\\n\"（6 字节）",
            ),
            (
                Happening::Received {
                    bytes: Bytes("收到".as_bytes().to_vec()),
                    len: 6,
                },
                "← \"收到\" (6 bytes)",
                "收到 \"收到\"（6 字节）",
            ),
            (
                Happening::ShutdownWrite,
                "shut down its sending side (FIN)",
                "关闭了发送方向（shutdown，发出 FIN）",
            ),
            (Happening::Closed, "closed (FIN)", "关闭了连接（FIN）"),
            (
                Happening::Reset,
                "reset the connection (RST)",
                "重置了连接（RST）",
            ),
            (
                Happening::SawEof,
                "saw the program close: recv() returned b''",
                "发现程序关闭了连接：recv() 返回 b''",
            ),
            (
                Happening::SawReset,
                "saw the program reset the connection (RST)",
                "发现程序重置了连接（RST）",
            ),
            (
                Happening::Typed {
                    text: "hello".into(),
                },
                "typed \"hello\"",
                "输入了 \"hello\"",
            ),
            (
                Happening::StdinClosed,
                "closed the program's stdin (EOF)",
                "关闭了程序的标准输入（EOF）",
            ),
            (
                Happening::Killed,
                "killed the program (SIGKILL)",
                "强行结束了程序（SIGKILL）",
            ),
        ];
        for (h, en, zh) in cases {
            assert_eq!(both(h, Role::TcpServer), (en.to_owned(), zh.to_owned()));
        }
        assert_eq!(
            both(Happening::Ready { addr }, Role::UdpServer),
            (
                "bound to 127.0.0.1:40001".to_owned(),
                "绑定了 127.0.0.1:40001".to_owned()
            )
        );
        assert_eq!(
            both(Happening::Closed, Role::UdpClient),
            ("closed its socket".to_owned(), "关闭了套接字".to_owned())
        );
    }

    use crate::test_support::typed;

    fn waited(yaml: &str, role: &str) -> (String, String) {
        both(
            Happening::Waited {
                step: typed(yaml, role),
                waited: Duration::from_millis(2000),
            },
            Role::TcpServer,
        )
    }

    #[test]
    fn a_wait_says_what_did_not_come() {
        let cases = [
            (
                "expect_reply: { from: b }",
                "waited 2.0 s for a reply on b: nothing came",
                "等待 b 上的回复：2.0 秒内没有等到",
            ),
            (
                "expect_reply: { from: a, count: 4 }",
                "waited 2.0 s for 4 replies on a: nothing came",
                "等待 a 上的 4 条回复：2.0 秒内没有等到",
            ),
            (
                "expect_message: { from: a }",
                "waited 2.0 s for a message on a: nothing came",
                "等待 a 上的消息：2.0 秒内没有等到",
            ),
            (
                "expect_message: {}",
                "waited 2.0 s for a message on the harness's socket: nothing came",
                "等待消息：2.0 秒内没有等到",
            ),
            (
                "expect_message: { from: a, text: hi }",
                "waited 2.0 s for the message \"hi\" on a: nothing came",
                "等待 a 上的消息 \"hi\"：2.0 秒内没有等到",
            ),
            (
                "expect_closed: c",
                "waited 2.0 s for the program to close its end of c: it did not",
                "等待程序关闭它那一端的连接 c：2.0 秒内没有等到",
            ),
            (
                "expect_exit: { code: 0 }",
                "waited 2.0 s for the program to exit with code 0: it did not",
                "等待程序以退出码 0 退出：2.0 秒内没有等到",
            ),
            (
                "expect_printed: { text: hi }",
                "waited 2.0 s for the program to print \"hi\": it did not",
                "等待程序打印 \"hi\"：2.0 秒内没有等到",
            ),
            (
                "expect_printed: { replies: 2 }",
                "waited 2.0 s for the program to print the 2 replies it got: it did not",
                "等待程序打印收到的 2 条回复：2.0 秒内没有等到",
            ),
            (
                "expect_broadcast: { count: 1 }",
                "waited 2.0 s for every harness receiver to get 1 broadcast datagram(s): nothing came",
                "等待每个测试端接收者收到 1 个广播数据报：2.0 秒内没有等到",
            ),
            (
                "expect_response: { from: a, status: 404 }",
                "waited 2.0 s for a well-formed HTTP response on a with status 404: nothing came",
                "等待 a 上格式正确的 HTTP 响应（状态码 404）：2.0 秒内没有等到",
            ),
            (
                "expect_request: { from: a }",
                "waited 2.0 s for a well-formed HTTP request on a: nothing came",
                "等待 a 上格式正确的 HTTP 请求：2.0 秒内没有等到",
            ),
            (
                "expect_eof: a",
                "waited 2.0 s for the program to close a: it did not",
                "等待程序关闭连接 a（recv() 返回 b''）：2.0 秒内没有等到",
            ),
            (
                "expect_reset: a",
                "waited 2.0 s for a reset on a: none came",
                "等待连接 a 被重置：2.0 秒内没有等到",
            ),
            (
                "accept: a",
                "waited 2.0 s for the program to connect: it did not",
                "等待程序来连接（a）：2.0 秒内没有等到",
            ),
            (
                "restart",
                "restart the target on the same port: gave up after 2.0 s",
                "在同一端口上重启程序：2.0 秒后放弃",
            ),
        ];
        for (yaml, en, zh) in cases {
            let role = match yaml {
                y if y.starts_with("expect_message: {}") => "udp-client",
                y if y.starts_with("expect_message") || y.starts_with("accept") => "tcp-client",
                y if y.starts_with("expect_printed") => "tcp-client",
                y if y.starts_with("expect_broadcast") => "broadcast-sender",
                y if y.starts_with("expect_request") => "http-client",
                y if y.starts_with("expect_response") => "http-server",
                _ => "tcp-server",
            };
            assert_eq!(waited(yaml, role), (en.to_owned(), zh.to_owned()), "{yaml}");
        }
    }

    #[test]
    fn each_line_goes_the_way_it_crossed_the_wire() {
        let a = Actor::Harness("a".into());
        let sent = Happening::Sent {
            bytes: Bytes(b"hi".to_vec()),
            len: 2,
        };
        let received = Happening::Received {
            bytes: Bytes(b"ok".to_vec()),
            len: 2,
        };
        let tcp = Role::TcpServer;
        assert_eq!(flow(&a, &sent, tcp), Flow::ToProgram);
        assert_eq!(flow(&a, &received, tcp), Flow::ToHarness);
        assert_eq!(flow(&a, &Happening::Accepted, tcp), Flow::ToHarness);
        assert_eq!(flow(&a, &Happening::SawEof, tcp), Flow::ToHarness);
        assert_eq!(flow(&a, &Happening::Reset, tcp), Flow::ToProgram);
        assert_eq!(flow(&a, &Happening::Closed, tcp), Flow::ToProgram);
        assert_eq!(flow(&a, &Happening::Closed, Role::UdpServer), Flow::Within);
        let started = Happening::Started {
            command: "python3 s.py".into(),
        };
        assert_eq!(flow(&Actor::Target, &started, tcp), Flow::Within);
        let entries = [TimelineEntry {
            at: Duration::from_millis(3),
            actor: a,
            what: sent,
        }];
        let row = &rows(&entries, tcp, Lang::En, false)[0];
        assert_eq!(row.lane, Lane::Harness("a".into()));
        assert_eq!((row.at_ms, row.actor.as_str()), (3, "harness a"));
    }

    #[test]
    fn lines_align_times_and_actors_by_columns() {
        let rows = [
            Row {
                at_ms: 0,
                actor: "程序".into(),
                what: "启动".into(),
                lane: Lane::Program,
                flow: Flow::Within,
            },
            Row {
                at_ms: 2105,
                actor: "测试端 a".into(),
                what: "收到".into(),
                lane: Lane::Harness("a".into()),
                flow: Flow::ToHarness,
            },
        ];
        assert_eq!(
            lines(&rows),
            ["   0 ms  程序     启动", "2105 ms  测试端 a 收到"]
        );
    }

    #[test]
    fn kept_bytes_that_were_cut_say_so() {
        let mut kept = "你好".repeat(43).into_bytes();
        kept.truncate(256); // inside a character
        let h = Happening::Received {
            bytes: Bytes(kept),
            len: 1000,
        };
        let (en, zh) = both(h, Role::TcpServer);
        assert!(
            en.starts_with("← \"你好") && en.ends_with(" (1000 bytes)"),
            "{en}"
        );
        assert!(en.contains('…') && !en.contains("hex"), "{en}");
        assert!(zh.ends_with("（1000 字节）"), "{zh}");
        assert!(crate::text::width(&en) < 70, "{en}");
    }
}
