//! The verdict matrix: every scenario is proven twice. The reference and the
//! correct homework fixtures pass every scenario that applies to their
//! contract; each buggy fixture fails exactly the scenarios its bug breaks,
//! for the reason the scenario names; and no scenario goes unfailed.

mod common;

use std::collections::BTreeSet;

use common::{ids_with, python_target, result, run_json};
use rstest::rstest;

/// One program under one contract, and the verdicts it must get.
struct Case {
    /// Fixture file under tests/fixtures/tcp-server (None: the reference).
    fixture: Option<&'static str>,
    reply: &'static str,
    framing: &'static str,
    /// The scenarios (names under tcp-server/) it must fail; all others that
    /// apply must pass.
    fails: &'static [&'static str],
    /// (scenario, texts separated by `|` of which one must appear in its
    /// message, failing step or the target's state and output): the failure
    /// happens for the reason the scenario names.
    because: &'static [(&'static str, &'static str)],
}

const EVERY_CLIENT_AFTER_THE_FIRST: &[&str] = &[
    "clients-in-turn",
    "non-utf8",
    "peer-exit",
    "vanish-close",
    "vanish-reset",
];

const REFERENCE_ECHO: Case = Case {
    fixture: None,
    reply: "echo",
    framing: "none",
    fails: &[],
    because: &[],
};
const REFERENCE_LINE: Case = Case {
    fixture: None,
    reply: "fixed:Thanks",
    framing: "line",
    fails: &[],
    because: &[],
};
const REFERENCE_LEN32: Case = Case {
    fixture: None,
    reply: "echo",
    framing: "len32",
    fails: &[],
    because: &[],
};
const THANKS: Case = Case {
    fixture: Some("thanks_server.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &[],
    because: &[],
};
const ECHO: Case = Case {
    fixture: Some("echo_server.py"),
    reply: "echo",
    framing: "none",
    fails: &[],
    because: &[],
};
const LINE: Case = Case {
    fixture: Some("line_server.py"),
    reply: "fixed:Thanks",
    framing: "line",
    fails: &[],
    because: &[],
};
const LEN32: Case = Case {
    fixture: Some("len32_echo_server.py"),
    reply: "echo",
    framing: "len32",
    fails: &[],
    because: &[],
};
const THREADED: Case = Case {
    fixture: Some("threaded_server.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &[],
    because: &[],
};
const NO_BREAK: Case = Case {
    fixture: Some("no_break.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: EVERY_CLIENT_AFTER_THE_FIRST,
    because: &[("peer-exit", "BrokenPipeError")],
};
const ONE_CLIENT: Case = Case {
    fixture: Some("one_client.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: EVERY_CLIENT_AFTER_THE_FIRST,
    // The second client meets a server that is exiting: refused, or reset
    // from the backlog, depending on when it connects; either way it is b.
    because: &[("clients-in-turn", "connect b|on b")],
};
const NO_EXCEPT: Case = Case {
    fixture: Some("no_except.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &["vanish-reset"],
    because: &[("vanish-reset", "ConnectionResetError|BrokenPipeError")],
};
const NO_REUSEADDR: Case = Case {
    fixture: Some("no_reuseaddr.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &["restart"],
    because: &[("restart", "Address already in use")],
};
const ACCEPT_IN_LOOP: Case = Case {
    fixture: Some("accept_in_loop.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &["conversation"],
    because: &[("conversation", "no reply within")],
};
const ONE_RECV_LINE: Case = Case {
    fixture: Some("one_recv_line.py"),
    reply: "fixed:Thanks",
    framing: "line",
    fails: &["sticky-coalesced", "sticky-split"],
    because: &[
        ("sticky-coalesced", "reply 2 of 3"),
        ("sticky-split", "more bytes came before the target closed"),
    ],
};
const STRIP_ECHO: Case = Case {
    fixture: Some("strip_echo.py"),
    reply: "echo",
    framing: "none",
    fails: &["echo-stream"],
    because: &[("echo-stream", "not what the contract says")],
};
const DECODE_CRASH: Case = Case {
    fixture: Some("decode_crash.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &["non-utf8"],
    because: &[("non-utf8", "UnicodeDecodeError")],
};
const WRONG_REPLY: Case = Case {
    fixture: Some("wrong_reply.py"),
    reply: "fixed:Thanks",
    framing: "none",
    fails: &[
        "clients-in-turn",
        "conversation",
        "non-utf8",
        "peer-exit",
        "reply",
        "restart",
        "vanish-close",
        "vanish-reset",
    ],
    because: &[("reply", "not what the contract says")],
};

const ALL: &[&Case] = &[
    &REFERENCE_ECHO,
    &REFERENCE_LINE,
    &REFERENCE_LEN32,
    &THANKS,
    &ECHO,
    &LINE,
    &LEN32,
    &THREADED,
    &NO_BREAK,
    &ONE_CLIENT,
    &NO_EXCEPT,
    &NO_REUSEADDR,
    &ACCEPT_IN_LOOP,
    &ONE_RECV_LINE,
    &STRIP_ECHO,
    &DECODE_CRASH,
    &WRONG_REPLY,
];

fn grade(case: &Case) -> (i32, serde_json::Value) {
    let target = case.fixture.map(|f| python_target("tcp-server", f));
    let mut args = vec![
        "--role",
        "tcp-server",
        "--reply",
        case.reply,
        "--framing",
        case.framing,
        "--strict",
    ];
    if let Some(t) = &target {
        args.extend(["--target", t.as_str()]);
    }
    run_json(&args)
}

#[rstest]
#[case::reference_echo(&REFERENCE_ECHO)]
#[case::reference_line(&REFERENCE_LINE)]
#[case::reference_len32(&REFERENCE_LEN32)]
#[case::thanks_server(&THANKS)]
#[case::echo_server(&ECHO)]
#[case::line_server(&LINE)]
#[case::len32_echo_server(&LEN32)]
#[case::threaded_server(&THREADED)]
#[case::no_break(&NO_BREAK)]
#[case::one_client(&ONE_CLIENT)]
#[case::no_except(&NO_EXCEPT)]
#[case::no_reuseaddr(&NO_REUSEADDR)]
#[case::accept_in_loop(&ACCEPT_IN_LOOP)]
#[case::one_recv_line(&ONE_RECV_LINE)]
#[case::strip_echo(&STRIP_ECHO)]
#[case::decode_crash(&DECODE_CRASH)]
#[case::wrong_reply(&WRONG_REPLY)]
fn verdicts(#[case] case: &Case) {
    let (code, report) = grade(case);
    let failed: BTreeSet<String> = ids_with(&report, "fail").into_iter().collect();
    let want: BTreeSet<String> = case
        .fails
        .iter()
        .map(|n| format!("tcp-server/{n}"))
        .collect();
    assert_eq!(failed, want, "failed scenarios differ; report:\n{report:#}");
    assert!(
        ids_with(&report, "error").is_empty(),
        "errors in {report:#}"
    );
    assert_eq!(
        code,
        if want.is_empty() { 0 } else { 1 },
        "exit code; report:\n{report:#}"
    );
    for (name, reason) in case.because {
        let r = result(&report, &format!("tcp-server/{name}"));
        let target = &r["failure"]["target"];
        let evidence = format!(
            "{} {} {} {} {}",
            r["message"],
            r["failure"]["step_text"],
            target["state"],
            target["stderr"],
            target["stdout"]
        );
        assert!(
            reason.split('|').any(|one| evidence.contains(one)),
            "{name} should fail because of {reason:?}; got {r:#}"
        );
    }
}

/// Every built-in scenario is failed by at least one buggy fixture.
#[test]
fn no_scenario_goes_unfailed() {
    let out = common::sockspec().arg("list").output().unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let failed_somewhere: BTreeSet<String> = ALL
        .iter()
        .flat_map(|c| c.fails.iter().map(|n| format!("tcp-server/{n}")))
        .collect();
    for line in listed.lines() {
        let id = line.split_whitespace().next().unwrap();
        assert!(failed_somewhere.contains(id), "no fixture fails {id}");
    }
}
