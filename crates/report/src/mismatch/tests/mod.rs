//! Every sentence exists in both languages: a walk over every variant of
//! every value the reporters put into words (each failure, also wrapped in
//! every failure that wraps another; each step; each diagnosis, about a
//! program of every role), rendered in English and in Chinese.
//!
//! It fails, naming the value, when the English is empty, when the Chinese
//! has no Chinese in it, or when the Chinese has an English word of four
//! letters or more that is neither code the course writes as it is
//! ([`CODE`], and calls, options, identifiers, quoted text) nor the value's
//! own data (its strings and bytes, and the names its enums have in a
//! scenario file). The samples are listed through [`every!`], whose match
//! has no `_` arm: a variant added without its sample does not compile.
//!
//! `SOCKSPEC_PRINT_SENTENCES=1 cargo test -p sockspec-report --lib
//! mismatch::tests -- --nocapture --test-threads 1` prints every sentence
//! the walk makes, in both languages, for a translator to read through.

use std::collections::BTreeSet;

use sockspec_model::{BodyLength, ReplyKind, Step};
use sockspec_results::{Diagnosis, FailedAt, Why};

use crate::lang::Lang;

/// The samples of every variant of `$ty`, `Variant => samples` each (any
/// `IntoIterator`), in a match with no `_` arm, so that a variant the enum
/// gains without its line here does not compile; each sample is checked to
/// be of the variant it is listed under.
macro_rules! every {
    ($ty:ident { $($variant:ident => $samples:expr),+ $(,)? }) => {{
        let _exhaustive = |v: &$ty| match v {
            $($ty::$variant { .. } => ()),+
        };
        let mut all: Vec<$ty> = Vec::new();
        $(
            for s in $samples {
                let s: $ty = s;
                assert!(
                    matches!(s, $ty::$variant { .. }),
                    "{s:?} is listed under {}",
                    stringify!($variant)
                );
                all.push(s);
            }
        )+
        all
    }};
}

mod diagnoses;
mod samples;
mod steps;
mod wrappers;

/// Words a Chinese sentence keeps in English because the course and the
/// system write them so: socket calls, protocols and their fields,
/// signals, Python's, C's and Java's words. A word with `_` or `.`, called
/// (`recv(`), indexed (`headers[`), given (`errors=`) or assigned to
/// (`text = ...`), an option (`--role`, `-Wall`), a placeholder
/// (`{port}`), an exception class (`OSError`, `EOFException`), a constant
/// in capitals (`EPIPE`), a name in camel case (`setReuseAddress`) or
/// anything quoted is code by its shape and needs no entry.
const CODE: &[&str] = &[
    // Python, C and Java words, and the languages' and tools' names.
    "errno",
    "argv",
    "argc",
    "args",
    "sizeof",
    "fork",
    "continue",
    "catch",
    "finally",
    "import",
    "print",
    "bytes",
    "null",
    "true",
    "True",
    "conn",
    "addr",
    "socketserver",
    "valgrind",
    "Python",
    "python2",
    "python3",
    "Ctrl-D",
    // An assignment file's key.
    "command",
    "accept",
    "recv",
    "send",
    "shutdown",
    "sleep",
    "backlog",
    "HTTP",
    "Host",
    "Content-Length",
    "PATH",
    "chunked",
    "ICMP",
    "SIGKILL",
    "SIGPIPE",
    "None",
    "except",
    "traceback",
    "stderr",
    "shell",
    "root",
    "Linux",
];

/// Phrases kept whole: a status line's reason, the system's name for an
/// error, code quoted without quotes.
const PHRASES: &[&str] = &[
    "404 Not Found",
    "broken pipe",
    "if not data:",
    "len(parts)",
    "METHOD /path HTTP/1.1",
];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// `text` with what it quotes blanked out: `code`, "text" (with Rust's
/// escapes) and 'text' (without spaces: Python's literals, b'').
fn unquoted(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let end = match c {
            '`' => chars[i + 1..].iter().position(|&d| d == '`'),
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                (j < chars.len()).then(|| j - i - 1)
            }
            '\'' => chars[i + 1..]
                .iter()
                .position(|&d| d == '\'' || d.is_whitespace())
                .filter(|&k| chars[i + 1 + k] == '\''),
            _ => None,
        };
        match end {
            Some(k) => {
                out.push(' ');
                i += k + 2;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The words of `text`: runs of letters, digits and `_`, joined by inner
/// `-` or `.` (`Content-Length`, `server.py`), each with whether its shape
/// says it is code: it has `_` or `.`, it is called (`recv(`) or given
/// (`errors=`), or it is an option (`--role`).
fn words(text: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (is_word(chars[i])
                || (matches!(chars[i], '-' | '.') && chars.get(i + 1).is_some_and(|&c| is_word(c))))
        {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let before = |k: usize| start.checked_sub(k).map(|j| chars[j]);
        // `--role`, and a compiler's `-Wall`, `-fsanitize=address`.
        let option = (before(1) == Some('-') && before(2) == Some('-'))
            || (before(1) == Some('-') && before(2).is_none_or(|c| !c.is_alphanumeric()))
            || (before(1) == Some('=') && before(2).is_some_and(|c| c.is_alphanumeric()));
        let exception = word.len() > 5
            && (word.ends_with("Error") || word.ends_with("Exception"))
            && word.starts_with(|c: char| c.is_ascii_uppercase());
        // `EADDRINUSE`, `SIGSEGV`, `NULL`: C writes its constants so.
        let constant = word.chars().filter(char::is_ascii_alphabetic).count() >= 3
            && !word.chars().any(|c| c.is_ascii_lowercase());
        // `setReuseAddress`, `DataInputStream`: Java writes its names so.
        let camel = word
            .chars()
            .zip(word.chars().skip(1))
            .any(|(a, b)| a.is_ascii_lowercase() && b.is_ascii_uppercase());
        // `{port}`: a placeholder of a command.
        let placeholder = before(1) == Some('{') && chars.get(i) == Some(&'}');
        // `text = data.decode()`: assigned to.
        let assigned = {
            let rest: String = chars[i..].iter().take(3).collect();
            let rest = rest.trim_start();
            rest.starts_with('=') && !rest.starts_with("==")
        };
        // `sendto(reply, addr)`: an argument of a call.
        let argument = {
            let prev = chars[..start].iter().rev().find(|c| **c != ' ');
            matches!(prev, Some('(' | ',')) && matches!(chars.get(i), Some(')' | ','))
        };
        let code = option
            || argument
            || exception
            || constant
            || camel
            || placeholder
            || assigned
            || word.contains(['_', '.'])
            || matches!(chars.get(i), Some('(' | '[' | '='));
        out.push((word, code));
    }
    out
}

/// A value's own data, from its `Debug`: its strings, its bytes as text,
/// and the names a scenario file gives the enums it holds.
fn data(debug: &str) -> BTreeSet<String> {
    let mut texts = Vec::new();
    let mut rest = debug;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = 0;
        let b = after.as_bytes();
        while end < b.len() && b[end] != b'"' {
            end += if b[end] == b'\\' { 2 } else { 1 };
        }
        texts.push(after[..end.min(after.len())].to_owned());
        rest = &after[(end + 1).min(after.len())..];
    }
    for (i, _) in debug.match_indices("Bytes([") {
        let list = &debug[i + 7..];
        let list = &list[..list.find(']').unwrap_or(0)];
        let bytes: Vec<u8> = list
            .split(", ")
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
        texts.push(hex);
    }
    let debug_words: BTreeSet<String> = words(debug).into_iter().map(|(w, _)| w).collect();
    for (name, written) in names() {
        if debug_words.contains(&name) {
            texts.push(written.to_owned());
        }
    }
    texts
        .iter()
        .flat_map(|t| words(t))
        .map(|(w, _)| w)
        .collect()
}

/// Each enum a scenario file names by a word of its own, as `Debug` shows
/// it and as the file writes it (`TcpServer`, `tcp-server`).
fn names() -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &str)> = Vec::new();
    out.extend(
        samples::roles()
            .into_iter()
            .map(|r| (format!("{r:?}"), r.as_str())),
    );
    out.extend(
        samples::property_names()
            .into_iter()
            .map(|p| (format!("{p:?}"), p.as_str())),
    );
    out.extend(
        samples::framings()
            .into_iter()
            .map(|f| (format!("{f:?}"), f.as_str())),
    );
    let kinds = every!(ReplyKind {
        Echo => [ReplyKind::Echo],
        Fixed => [ReplyKind::Fixed],
        Any => [ReplyKind::Any],
        Regex => [ReplyKind::Regex],
    });
    out.extend(kinds.into_iter().map(|k| (format!("{k:?}"), k.as_str())));
    let lengths = every!(BodyLength {
        ContentLength => [BodyLength::ContentLength],
        Close => [BodyLength::Close],
        Chunked => [BodyLength::Chunked],
    });
    out.extend(lengths.into_iter().map(|l| (format!("{l:?}"), l.as_str())));
    out
}

/// The walk: how many values it rendered, and what it found wrong.
#[derive(Default)]
struct Walk {
    values: usize,
    problems: Vec<String>,
}

impl Walk {
    /// Checks one value's sentence in both languages (`say`), naming it
    /// by `what` (its `Debug`, which also gives its data).
    fn check(&mut self, what: &str, say: impl Fn(Lang) -> String) {
        self.values += 1;
        let (en, zh) = (say(Lang::En), say(Lang::Zh));
        if std::env::var_os("SOCKSPEC_PRINT_SENTENCES").is_some() {
            eprintln!("{what}\n  en: {en}\n  zh: {zh}");
        }
        let mut wrong = Vec::new();
        if en.trim().is_empty() {
            wrong.push("the English is empty".to_owned());
        }
        if en.chars().any(is_cjk) {
            wrong.push("the English has Chinese in it".to_owned());
        }
        if !zh.chars().any(is_cjk) {
            wrong.push("the Chinese has no Chinese in it".to_owned());
        }
        let data = data(what);
        let mut text = zh.clone();
        for p in PHRASES {
            text = text.replace(p, " ");
        }
        let english: BTreeSet<String> = words(&unquoted(&text))
            .into_iter()
            .filter(|(w, code)| {
                !code
                    && w.chars().filter(char::is_ascii_alphabetic).count() >= 4
                    && !CODE.contains(&w.as_str())
                    && !data.contains(w)
            })
            .map(|(w, _)| w)
            .collect();
        if !english.is_empty() {
            wrong.push(format!("English in the Chinese: {english:?}"));
        }
        if !wrong.is_empty() {
            self.problems.push(format!(
                "{what}\n  {}\n  en: {en}\n  zh: {zh}",
                wrong.join("; ")
            ));
        }
    }

    fn done(self, family: &str) {
        eprintln!("{family}: {} values in both languages", self.values);
        assert!(
            self.problems.is_empty(),
            "{} of {} {family} are not said in both languages:\n\n{}",
            self.problems.len(),
            self.values,
            self.problems.join("\n\n")
        );
    }
}

#[test]
fn every_failure_is_said_in_both_languages() {
    use super::{ended, expectation, mismatch, skip, state, unrunnable, why};
    let mut walk = Walk::default();
    let all = samples::mismatches();
    let (wrappers, leaves): (Vec<_>, Vec<_>) = all
        .iter()
        .partition(|m| wrappers::rewrap(m, &wrappers::plain()).is_some());
    for m in &all {
        walk.check(&format!("{m:?}"), |lang| {
            why(&Why::Mismatch(m.clone()), lang)
        });
    }
    // Every leaf inside every wrapper, and every wrapper inside every other.
    for w in &wrappers {
        for inner in leaves.iter().chain(&wrappers) {
            let m = wrappers::rewrap(w, inner).expect("a wrapper");
            walk.check(&format!("{m:?}"), |lang| mismatch(&m, lang));
        }
    }
    for s in samples::skips() {
        walk.check(&format!("{s:?}"), |lang| why(&Why::Skip(s.clone()), lang));
        walk.check(&format!("{s:?}"), |lang| skip(&s, lang));
    }
    for e in samples::expectations() {
        walk.check(&format!("{e:?}"), |lang| expectation(&e, lang));
    }
    for u in samples::unrunnables() {
        walk.check(&format!("{u:?}"), |lang| unrunnable(&u, lang));
    }
    for e in samples::endings() {
        walk.check(&format!("{e:?}"), |lang| ended(e, lang));
    }
    for e in std::iter::once(None).chain(samples::endings().into_iter().map(Some)) {
        walk.check(&format!("{e:?}"), |lang| state(e, lang));
    }
    walk.done("failures");
}

#[test]
fn every_step_is_said_in_both_languages() {
    use crate::step::{failed_at, step, waited};
    let mut walk = Walk::default();
    let all: Vec<Step> = steps::steps();
    for s in &all {
        let what = format!("{s:?}");
        walk.check(&what, |lang| step(s, lang));
        walk.check(&what, |lang| waited(s, 2.0, lang));
        let at = FailedAt::Step(s.clone());
        walk.check(&what, |lang| failed_at(&at, lang));
    }
    for p in samples::property_names() {
        let at = FailedAt::Property(p);
        walk.check(&format!("{at:?}"), |lang| failed_at(&at, lang));
    }
    walk.done("steps");
}

#[test]
fn every_diagnosis_is_said_in_both_languages() {
    let mut walk = Walk::default();
    for d in diagnoses::diagnoses() {
        for role in samples::roles() {
            for language in diagnoses::languages() {
                walk.check(&format!("{d:?} about a {role:?} in {language:?}"), |lang| {
                    crate::diagnose::sentence(&d, role, language, lang)
                });
            }
        }
    }
    walk.done("diagnoses");
}

/// Whether a program graded under a UDP role can be diagnosed with `d`:
/// not blocked in accept() or connect(), nor leaking CLOSE_WAIT sockets
/// (the runner reads those of TCP only), nor raising what only a
/// connection raises, nor printing a call only TCP makes, nor a page
/// server; a wrong role is judged by the role it plays.
fn udp_can_show(d: &Diagnosis) -> bool {
    use sockspec_results::{BlockedCall, Errno, SocketCall};
    match d {
        Diagnosis::Blocked { call, .. } => {
            !matches!(call, BlockedCall::Accept | BlockedCall::Connect)
        }
        Diagnosis::LeakingSockets { .. } | Diagnosis::PageNotFound { .. } => false,
        Diagnosis::Exception { class, .. } => !matches!(
            class.as_str(),
            "BrokenPipeError" | "ConnectionResetError" | "ConnectionAbortedError"
        ),
        Diagnosis::CallFailed { call, errno, .. } => {
            !matches!(call, Some(SocketCall::Accept | SocketCall::Listen))
                && !matches!(errno, Errno::ConnReset | Errno::ConnAborted)
        }
        Diagnosis::JavaException { thrown, .. } => {
            thrown.short_name() != "ConnectException"
                && !thrown.message.starts_with("Connection reset")
                && thrown.message != "Broken pipe"
        }
        Diagnosis::WrongRole { plays, .. } => crate::diagnose::is_udp(*plays),
        _ => true,
    }
}

/// UDP has no connections, no accept(), no TIME_WAIT and no stream: the
/// sentences about a UDP program never speak of them, whatever the
/// diagnosis and the language, except to quote the program (an exception
/// class, a line it printed).
#[test]
fn udp_programs_get_udp_sentences() {
    use sockspec_model::Role;
    const TCP: &[&str] = &[
        "TIME_WAIT",
        "TCP",
        "stream",
        "accept()",
        "connection",
        "Connection",
        "四次挥手",
        "字节流",
        "连接套接字",
        "监听套接字",
    ];
    let udp_roles = [
        Role::UdpServer,
        Role::UdpClient,
        Role::BroadcastSender,
        Role::BroadcastReceiver,
    ];
    let mut problems = Vec::new();
    let mut seen = 0;
    for d in diagnoses::diagnoses().into_iter().filter(udp_can_show) {
        // What the program itself wrote is quoted as it is.
        let own = data_strings(&format!("{d:?}"));
        for role in udp_roles {
            for language in diagnoses::languages() {
                for lang in [Lang::En, Lang::Zh] {
                    seen += 1;
                    let mut text = crate::diagnose::sentence(&d, role, language, lang);
                    for s in &own {
                        text = text.replace(s.as_str(), " ");
                    }
                    // And so are exception classes (ConnectionRefusedError).
                    for (w, _) in words(&text.clone()) {
                        if w.ends_with("Error") || w.ends_with("Exception") {
                            text = text.replace(&w, " ");
                        }
                    }
                    let found: Vec<&str> =
                        TCP.iter().copied().filter(|t| text.contains(t)).collect();
                    if !found.is_empty() {
                        problems.push(format!("{found:?} about a {role:?} in {language:?}: {d:?}"));
                    }
                }
            }
        }
    }
    assert!(seen > 1000, "only {seen} sentences");
    assert!(
        problems.is_empty(),
        "{} UDP sentences speak of TCP:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The strings of a value's `Debug`.
fn data_strings(debug: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = debug;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let b = after.as_bytes();
        let mut end = 0;
        while end < b.len() && b[end] != b'"' {
            end += if b[end] == b'\\' { 2 } else { 1 };
        }
        let s = after[..end.min(after.len())].replace("\\\"", "\"");
        if !s.is_empty() {
            out.push(s);
        }
        rest = &after[(end + 1).min(after.len())..];
    }
    // The longest first, so that a string inside another is not cut out
    // of it first.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

#[test]
fn the_checker_sees_english_and_spares_code_and_data() {
    let mut walk = Walk::default();
    walk.check("Stdin(\"hello there\")", |lang| {
        lang.pick(
            "typed it",
            "程序输入了 \"hello there\" 和 hello，用 recv() 读取",
        )
        .to_owned()
    });
    assert!(walk.problems.is_empty(), "{:?}", walk.problems);
    walk.check("NoReply", |lang| {
        lang.pick("no reply", "没有收到 reply within 2.0 秒")
            .to_owned()
    });
    walk.check("Empty", |lang| lang.pick("", "空").to_owned());
    walk.check("Untranslated", |_| "no reply".to_owned());
    let found = walk.problems.join("\n");
    assert_eq!(walk.problems.len(), 3, "{found}");
    assert!(found.contains("\"reply\", \"within\""), "{found}");
    assert!(found.contains("the English is empty"), "{found}");
    assert!(
        found.contains("the Chinese has no Chinese in it"),
        "{found}"
    );
}
