//! The diagnoses end to end: real fixtures, each showing one thing a
//! teacher would say, named in the JSON report (as data and in both
//! languages), in the human report and in the HTML page, in English and in
//! Chinese.
//!
//! The cases run side by side, and a loaded machine slows them all: set
//! `SOCKSPEC_TIME_SCALE` for this test and every run of it gets that
//! `--time-scale` (the shared helper clears the variable, so that other
//! tests see the deadlines they assert on). Nothing asserted changes with it.

mod common;

use common::{fixture, sockspec};
use serde_json::Value;

/// `--time-scale F` when the test runs with `SOCKSPEC_TIME_SCALE=F`.
fn time_scale() -> Vec<String> {
    match std::env::var("SOCKSPEC_TIME_SCALE") {
        Ok(f) if !f.trim().is_empty() => vec!["--time-scale".to_owned(), f.trim().to_owned()],
        _ => Vec::new(),
    }
}

/// Why a spinning program may go unseen here: the judgement reads the time
/// it wanted the CPU from the kernel's per-thread schedstat; without one
/// (or with one that stays at zero) only the CPU time it got is left,
/// which a loaded machine shares out thinly.
fn schedstat_note() -> String {
    let read = std::fs::read_to_string("/proc/thread-self/schedstat");
    let fields: Vec<u64> = read
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match read {
        Err(e) => format!(
            "\nthis kernel gives no per-thread schedstat ({e}): the spinning judgement \
             falls back to the CPU time received, which load hides"
        ),
        Ok(_) if fields.iter().take(2).all(|&f| f == 0) => "\nthis kernel's schedstat reads 0 0: \
             the spinning judgement sees no CPU wanted at all"
            .to_owned(),
        Ok(text) => format!(
            "\n(schedstat is there: {}; load average {})",
            text.trim(),
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim()
        ),
    }
}

struct Case {
    role: &'static str,
    fixture: (&'static str, &'static str),
    args: &'static str,
    scenario: &'static str,
    /// The diagnosis kind in JSON.
    kind: &'static str,
    /// A phrase of the English sentence and one of the Chinese.
    en: &'static str,
    zh: &'static str,
}

const CASES: &[Case] = &[
    // A server graded as a client: it binds the port the harness listens on.
    Case {
        role: "tcp-client",
        fixture: ("tcp-server", "thanks_server.py"),
        args: "{port}",
        scenario: "tcp-client/lines",
        kind: "wrong_role",
        en: "a server, not a client; did you mean --role tcp-server?",
        zh: "是不是应该用 --role tcp-server",
    },
    // A client graded as a server: it connects, and is refused.
    Case {
        role: "tcp-server",
        fixture: ("tcp-client", "tcp_client.py"),
        args: "{host} {port}",
        scenario: "tcp-server/reply",
        kind: "wrong_role",
        en: "a client, not a server; did you mean --role tcp-client?",
        zh: "它是客户端，不是服务端",
    },
    // A page server started where its page is not.
    Case {
        role: "http-server",
        fixture: ("wrong-folder", "page_server.py"),
        args: "{port}",
        scenario: "http-server/get",
        kind: "page_not_found",
        en: "--cwd DIR",
        zh: "--cwd 目录",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "recv_twice.py"),
        args: "{port}",
        scenario: "tcp-server/reply",
        kind: "blocked",
        en: "both ends are waiting to receive",
        zh: "两端都在等对方发消息",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "eof_spinner.py"),
        args: "{port}",
        scenario: "tcp-server/peer-exit",
        kind: "spinning",
        en: "recv() returns b'' forever",
        zh: "空转",
    },
    Case {
        role: "tcp-client",
        fixture: ("tcp-client", "tcp_client_ignores_eof.py"),
        args: "{host} {port}",
        scenario: "tcp-client/server-leaves",
        kind: "blocked",
        en: "although the server has closed the connection: recv() returned b'' and the client did not check it",
        zh: "客户端却没有检查",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "leaking_server.py"),
        args: "{port}",
        scenario: "tcp-server/closes-connections",
        kind: "leaking_sockets",
        en: "connection sockets are never closed",
        zh: "四次挥手",
    },
    Case {
        role: "tcp-server",
        fixture: ("hostile", "wrong_port.py"),
        args: "{port}",
        scenario: "tcp-server/reply",
        kind: "bound",
        en: "expected port",
        zh: "端口",
    },
    Case {
        role: "broadcast-receiver",
        fixture: ("broadcast-receiver", "broadcast_receiver_localhost.py"),
        args: "{port}",
        scenario: "broadcast-receiver/receives",
        kind: "bound",
        en: "must bind all addresses",
        zh: "0.0.0.0",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "no_reuseaddr.py"),
        args: "{port}",
        scenario: "tcp-server/restart",
        kind: "exception",
        en: "SO_REUSEADDR",
        zh: "SO_REUSEADDR",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "no_except.py"),
        args: "{port}",
        scenario: "tcp-server/vanish-reset",
        kind: "exception",
        en: "ConnectionResetError",
        zh: "ConnectionResetError",
    },
    Case {
        role: "tcp-server",
        fixture: ("tcp-server", "decode_crash.py"),
        args: "{port}",
        scenario: "tcp-server/non-utf8",
        kind: "exception",
        en: "UnicodeDecodeError",
        zh: "UnicodeDecodeError",
    },
    Case {
        role: "http-server",
        fixture: ("http-server", "empty_request_crash.py"),
        args: "{port}",
        scenario: "http-server/preconnect",
        kind: "exception",
        en: "IndexError",
        zh: "IndexError",
    },
];

#[test]
fn each_diagnosis_is_named_in_every_format_and_both_languages() {
    // The cases wait on deadlines, not on the CPU: run them side by side.
    let wrong: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = CASES.iter().map(|c| s.spawn(move || check(c))).collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// What is missing from the reports of one case, in both languages.
fn check(c: &Case) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    let target = format!(
        "python3 {} {}",
        fixture(c.fixture.0, c.fixture.1).display(),
        c.args
    );
    let html = |lang: &str| dir.path().join(format!("{}-{lang}.html", c.fixture.1));
    for lang in ["en", "zh"] {
        let output = sockspec()
            .args([
                "run",
                "--role",
                c.role,
                "--target",
                &target,
                "--reply",
                "fixed:Thanks",
            ])
            .args([
                "--only", c.scenario, "--strict", "--lang", lang, "--format", "human",
            ])
            .args(time_scale())
            .arg("--cwd")
            .arg(fixture(c.fixture.0, ""))
            .arg("--report")
            .arg(format!(
                "json={}",
                dir.path().join(format!("{lang}.json")).display()
            ))
            .arg("--report")
            .arg(format!("html={}", html(lang).display()))
            .output()
            .unwrap();
        let human = String::from_utf8_lossy(&output.stdout).into_owned();
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("{lang}.json"))).unwrap(),
        )
        .unwrap();
        let diagnoses = &report["results"][0]["failure"]["diagnoses"];
        let found = diagnoses
            .as_array()
            .map(|d| d.iter().find(|d| d["kind"] == c.kind))
            .unwrap_or_default();
        let Some(d) = found else {
            let note = if c.kind == "spinning" {
                schedstat_note()
            } else {
                String::new()
            };
            wrong.push(format!(
                "{} ({lang}): no {} in {diagnoses:#}{note}",
                c.fixture.1, c.kind
            ));
            continue;
        };
        let (phrase, text) = if lang == "en" {
            (c.en, d["text"]["en"].as_str().unwrap_or(""))
        } else {
            (c.zh, d["text"]["zh"].as_str().unwrap_or(""))
        };
        let page = std::fs::read_to_string(html(lang)).unwrap();
        // Sentences are wrapped in the terminal: compare without breaks.
        let flat = human.split_whitespace().collect::<String>();
        let wanted = phrase.split_whitespace().collect::<String>();
        if !text.contains(phrase) || !flat.contains(&wanted) || !page.contains(&html_escape(phrase))
        {
            wrong.push(format!(
                "{} ({lang}): {phrase:?} missing from the JSON text {text:?}, the human report or the page\n{human}",
                c.fixture.1
            ));
        }
    }
    wrong
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn the_timeline_shows_the_exchange_when_asked_for() {
    let target = format!(
        "python3 {} {{port}}",
        fixture("tcp-server", "recv_twice.py").display()
    );
    let output = sockspec()
        .args([
            "run",
            "--role",
            "tcp-server",
            "--target",
            &target,
            "--reply",
            "fixed:Thanks",
        ])
        .args(["--only", "tcp-server/reply", "--timeline", "--lang", "en"])
        .args(time_scale())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&output.stdout);
    assert!(human.contains("timeline:"), "{human}");
    assert!(human.contains("harness a connected"), "{human}");
    assert!(human.contains("harness a → \"hello\""), "{human}");
    let quiet = sockspec()
        .args([
            "run",
            "--role",
            "tcp-server",
            "--target",
            &target,
            "--reply",
            "fixed:Thanks",
        ])
        .args(["--only", "tcp-server/reply", "--lang", "en"])
        .args(time_scale())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stdout).contains("timeline:"));
}

/// The kinds (with the blocked call, if any) of the diagnoses of one
/// scenario of a tcp-server fixture.
fn diagnoses_of(file: &str, scenario: &str) -> Vec<String> {
    let output = sockspec()
        .args(["run", "--role", "tcp-server", "--reply", "fixed:Thanks"])
        .args(["--strict", "--format", "json", "--only", scenario])
        .arg("--target")
        .arg(format!(
            "python3 {} {{port}}",
            fixture("tcp-server", file).display()
        ))
        .args(time_scale())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["results"][0]["failure"]["diagnoses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| match d["call"].as_str() {
            Some(call) => format!("{}:{call}", d["kind"].as_str().unwrap_or("")),
            None => d["kind"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}

#[test]
fn accept_is_blamed_only_while_a_client_it_accepted_waits() {
    // accept() inside the message loop: the harness's connection is open,
    // waiting for its second reply, while the server waits for a client.
    let in_loop = diagnoses_of("accept_in_loop.py", "tcp-server/conversation");
    assert!(
        in_loop.contains(&"blocked:accept".to_owned()),
        "{in_loop:?}"
    );
    // Back in accept() with the last client's socket left in CLOSE_WAIT is
    // the leak, not accept() in the wrong place.
    let leak = diagnoses_of("leaking_server.py", "tcp-server/closes-connections");
    assert!(leak.contains(&"leaking_sockets".to_owned()), "{leak:?}");
    assert!(!leak.contains(&"blocked:accept".to_owned()), "{leak:?}");
}
