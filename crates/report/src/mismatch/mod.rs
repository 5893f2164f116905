//! Why a scenario did not pass, as a sentence in each language.
//!
//! The runner hands over a typed [`Mismatch`]; this module is the only place
//! that says how each one reads. Every match is exhaustive, so a new kind
//! of failure does not compile until it has its English and its Chinese.
//! What the operating system or a parser said is quoted as it is, like the
//! program's own output.
//!
//! The sentences are split by what a reader checks together. The two big
//! matches over [`Mismatch`] are one per language (`en.rs`, `zh.rs`), so
//! that a translator reads one language straight through and the compiler
//! points at both when a failure is added. What they lean on lives beside
//! them: a property's generated case (`case.rs`), a program that cannot
//! run at all (`unrunnable.rs`), what the harness was doing when the
//! system refused, what the kernel showed of a program that never
//! listened, and the scenario's own mistakes (`io.rs`), and what a step
//! expected (`expectation.rs`). This file keeps the entry points the
//! reporters call and the small phrases all of them use (a deadline, a
//! reply's number, a listening port).

mod case;
mod en;
mod expectation;
mod io;
#[cfg(test)]
mod tests;
mod unrunnable;
mod zh;

use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::Skip;
use sockspec_results::{Ended, HttpMessage, Listen, Mismatch, Nth, Why};

use crate::lang::Lang;

pub(crate) use expectation::expectation;
pub(crate) use unrunnable::unrunnable;

/// Why a result is not a plain pass, in one language.
pub(crate) fn why(w: &Why, lang: Lang) -> String {
    match w {
        Why::Skip(s) => skip(s, lang),
        Why::Mismatch(m) => mismatch(m, lang),
    }
}

/// The reason of a result (empty on a pass).
pub(crate) fn reason(r: &sockspec_results::ScenarioResult, lang: Lang) -> String {
    if r.status == sockspec_results::Status::NotBuilt {
        return crate::build::not_built(lang);
    }
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

/// The pieces of a Chinese sentence joined as the notes set them: a space
/// where Chinese meets a Latin letter or a digit (`监听 TCP 端口 9000 之前`),
/// none where it meets Chinese or punctuation (`监听任何 TCP 端口之前`), and
/// nothing left of a piece that is empty (a deadline not said).
fn zh_join(pieces: &[&str]) -> String {
    let han = |c: char| matches!(c, '\u{4E00}'..='\u{9FFF}');
    let mut out = String::new();
    for piece in pieces.iter().filter(|p| !p.is_empty()) {
        let (Some(a), Some(b)) = (out.chars().next_back(), piece.chars().next()) else {
            out.push_str(piece);
            continue;
        };
        if (han(a) && b.is_ascii_alphanumeric()) || (a.is_ascii_alphanumeric() && han(b)) {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
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
}

/// Whether a failure already says how the program ended, so that "(the
/// program exited meanwhile)" would only say it twice.
pub(super) fn says_how_it_ended(m: &Mismatch) -> bool {
    matches!(
        m,
        Mismatch::NotRunning(_)
            | Mismatch::WrongExit { .. }
            | Mismatch::EndedWithoutPrinting { .. }
            | Mismatch::EndedBeforeReady { .. }
            | Mismatch::CommandNotRun(_)
            | Mismatch::NoBroadcast {
                sender: Some(_),
                ..
            }
    )
}
