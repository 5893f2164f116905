//! The verdict matrix: every scenario is proven twice. The references and the
//! correct homework fixtures pass every scenario that applies to their
//! contract; each buggy fixture fails exactly the scenarios its bug breaks,
//! for the reason the scenario names; and no scenario goes unfailed.

mod common;

use std::collections::BTreeSet;

use common::{fixture, ids_with, result, run_json};
use rstest::rstest;

/// One program under one contract, and the verdicts it must get.
struct Case {
    /// The case's name (the rstest case names it too).
    name: &'static str,
    /// The role; `None` grades every role's reference.
    role: Option<&'static str>,
    /// Fixture file under tests/fixtures/ROLE (None: the reference).
    fixture: Option<&'static str>,
    reply: &'static str,
    framing: &'static str,
    /// The scenario ids it must fail; every other one that applies must pass.
    fails: &'static [&'static str],
    /// (scenario id, texts separated by `|` of which one must appear in its
    /// message, failing step or the target's state and output): the failure
    /// happens for the reason the scenario names.
    because: &'static [(&'static str, &'static str)],
}

const fn reference(name: &'static str, reply: &'static str, framing: &'static str) -> Case {
    Case {
        name,
        role: None,
        fixture: None,
        reply,
        framing,
        fails: &[],
        because: &[],
    }
}

const fn correct(
    name: &'static str,
    role: &'static str,
    file: &'static str,
    reply: &'static str,
    framing: &'static str,
) -> Case {
    Case {
        name,
        role: Some(role),
        fixture: Some(file),
        reply,
        framing,
        fails: &[],
        because: &[],
    }
}

const fn buggy(
    name: &'static str,
    role: &'static str,
    file: &'static str,
    reply: &'static str,
    framing: &'static str,
    fails: &'static [&'static str],
    because: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        role: Some(role),
        fixture: Some(file),
        reply,
        framing,
        fails,
        because,
    }
}

const TS: &str = "tcp-server";
const F: &str = "fixed:Thanks";

const EVERY_TCP_CLIENT_AFTER_THE_FIRST: &[&str] = &[
    "tcp-server/clients-in-turn",
    "tcp-server/non-utf8",
    "tcp-server/peer-exit",
    "tcp-server/vanish-close",
    "tcp-server/vanish-reset",
];

#[rustfmt::skip]
const CASES: &[Case] = &[
    reference("reference_echo", "echo", "none"),
    reference("reference_line", F, "line"),
    reference("reference_len32", "echo", "len32"),
    // tcp-server
    correct("thanks_server", TS, "thanks_server.py", F, "none"),
    correct("echo_server", TS, "echo_server.py", "echo", "none"),
    correct("line_server", TS, "line_server.py", F, "line"),
    correct("len32_echo_server", TS, "len32_echo_server.py", "echo", "len32"),
    correct("threaded_server", TS, "threaded_server.py", F, "none"),
    buggy("no_break", TS, "no_break.py", F, "none", EVERY_TCP_CLIENT_AFTER_THE_FIRST,
        &[("tcp-server/peer-exit", "BrokenPipeError")]),
    // The second client meets a server that is exiting: refused, or reset
    // from the backlog, depending on when it connects; either way it is b.
    buggy("one_client", TS, "one_client.py", F, "none", EVERY_TCP_CLIENT_AFTER_THE_FIRST,
        &[("tcp-server/clients-in-turn", "connect b|on b")]),
    buggy("no_except", TS, "no_except.py", F, "none", &["tcp-server/vanish-reset"],
        &[("tcp-server/vanish-reset", "ConnectionResetError|BrokenPipeError")]),
    buggy("no_reuseaddr", TS, "no_reuseaddr.py", F, "none", &["tcp-server/restart"],
        &[("tcp-server/restart", "Address already in use")]),
    buggy("accept_in_loop", TS, "accept_in_loop.py", F, "none", &["tcp-server/conversation"],
        &[("tcp-server/conversation", "no reply within")]),
    buggy("one_recv_line", TS, "one_recv_line.py", F, "line",
        &["tcp-server/sticky-coalesced", "tcp-server/sticky-split"],
        &[("tcp-server/sticky-coalesced", "reply 2 of 3"),
          ("tcp-server/sticky-split", "more bytes came before the target closed")]),
    buggy("strip_echo", TS, "strip_echo.py", "echo", "none", &["tcp-server/echo-stream"],
        &[("tcp-server/echo-stream", "not what the contract says")]),
    buggy("decode_crash", TS, "decode_crash.py", F, "none", &["tcp-server/non-utf8"],
        &[("tcp-server/non-utf8", "UnicodeDecodeError")]),
    buggy("wrong_reply", TS, "wrong_reply.py", F, "none",
        &["tcp-server/clients-in-turn", "tcp-server/conversation", "tcp-server/non-utf8",
          "tcp-server/peer-exit", "tcp-server/reply", "tcp-server/restart",
          "tcp-server/vanish-close", "tcp-server/vanish-reset"],
        &[("tcp-server/reply", "not what the contract says")]),
];

/// How the harness starts a program of each role.
fn arguments(role: &str) -> &'static str {
    match role {
        "tcp-client" | "udp-client" => "{host} {port}",
        "broadcast-sender" => "{broadcast} {port}",
        _ => "{port}",
    }
}

fn grade(case: &Case) -> (i32, serde_json::Value) {
    let target = match (case.role, case.fixture) {
        (Some(role), Some(file)) => Some(format!(
            "python3 {} {}",
            fixture(role, file).display(),
            arguments(role)
        )),
        _ => None,
    };
    let mut args = vec!["--reply", case.reply, "--framing", case.framing, "--strict"];
    if let Some(role) = case.role {
        args.extend(["--role", role]);
    }
    if let Some(t) = &target {
        args.extend(["--target", t.as_str()]);
    }
    run_json(&args)
}

#[rstest]
#[case::reference_echo("reference_echo")]
#[case::reference_line("reference_line")]
#[case::reference_len32("reference_len32")]
#[case::thanks_server("thanks_server")]
#[case::echo_server("echo_server")]
#[case::line_server("line_server")]
#[case::len32_echo_server("len32_echo_server")]
#[case::threaded_server("threaded_server")]
#[case::no_break("no_break")]
#[case::one_client("one_client")]
#[case::no_except("no_except")]
#[case::no_reuseaddr("no_reuseaddr")]
#[case::accept_in_loop("accept_in_loop")]
#[case::one_recv_line("one_recv_line")]
#[case::strip_echo("strip_echo")]
#[case::decode_crash("decode_crash")]
#[case::wrong_reply("wrong_reply")]
fn verdicts(#[case] name: &str) {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case named {name}"));
    let (code, report) = grade(case);
    let failed: BTreeSet<String> = ids_with(&report, "fail").into_iter().collect();
    let want: BTreeSet<String> = case.fails.iter().map(|id| id.to_string()).collect();
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
    for (id, reason) in case.because {
        let r = result(&report, id);
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
            "{id} should fail because of {reason:?}; got {r:#}"
        );
    }
}

/// Every built-in scenario is failed by at least one buggy fixture, and
/// every case in the table is run by the matrix.
#[test]
fn no_scenario_goes_unfailed() {
    let out = common::sockspec().arg("list").output().unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let failed_somewhere: BTreeSet<&str> =
        CASES.iter().flat_map(|c| c.fails.iter().copied()).collect();
    for line in listed.lines() {
        let id = line.split_whitespace().next().unwrap();
        assert!(failed_somewhere.contains(id), "no fixture fails {id}");
    }
    let source = include_str!("matrix.rs");
    for case in CASES {
        assert!(
            source.contains(&format!("#[case::{0}(\"{0}\")]", case.name)),
            "case {} is not in the rstest list",
            case.name
        );
    }
}
