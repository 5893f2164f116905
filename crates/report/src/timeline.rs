//! The exchange that led to a failure, as lines a student can follow
//! without Wireshark: when, who (the program, or the harness on its
//! connection `a`), and what, in the words of the notes (FIN, RST, b'').
//! The human report aligns them in columns, the HTML report puts them in a
//! table and the JSON report carries each line's text in both languages, so
//! the wording lives here once.

use sockspec_model::Role;
use sockspec_runner::{Actor, Happening, TimelineEntry};

use crate::Lang;
use crate::diagnose::is_udp;
use crate::evidence::{bytes, state};
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
        })
        .collect()
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
    format!(
        "{} {}",
        actor(&e.actor, lang),
        happening(&e.what, role, lang, true)
    )
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
        (Happening::Exited { state: s }, _) => state(s, lang),
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
        (Happening::Waited { what, waited }, Lang::En) => format!(
            "waited {:.1} s for {what}: nothing came",
            waited.as_secs_f64()
        ),
        (Happening::Waited { what, waited }, Lang::Zh) => format!(
            "等待{}：{:.1} 秒内什么也没等到",
            awaited_zh(what),
            waited.as_secs_f64()
        ),
    }
}

/// What the harness waited for, in Chinese: the runner words it in
/// English ("a reply"), and the few things a harness waits for have names
/// in the notes; anything else is kept as it is.
fn awaited_zh(what: &str) -> String {
    let known = match what.trim().to_ascii_lowercase().as_str() {
        "a reply" | "the reply" | "reply" | "replies" | "the replies" => "回复",
        "a message" | "the message" | "messages" => "消息",
        "a datagram" | "datagrams" | "the datagram" => "数据报",
        "a broadcast" | "broadcasts" => "广播",
        "a connection" | "the connection" | "the program to connect" => "程序来连接",
        "the end of the stream" | "eof" | "the program to close" | "the close" => "程序关闭连接",
        "a reset" | "the reset" => "连接被重置",
        "a request" | "the request" => "请求",
        "a response" | "the response" => "响应",
        "output" | "the output" | "the program to print" => "程序输出",
        "the program to exit" | "the exit" => "程序退出",
        "the program to listen" => "程序开始监听",
        _ => return format!(" {what}"),
    };
    known.to_owned()
}
