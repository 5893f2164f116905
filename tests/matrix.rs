//! The verdict matrix: every scenario is proven twice. The references and the
//! correct homework fixtures pass every scenario that applies to their
//! contract; each buggy fixture fails exactly the scenarios its bug breaks,
//! for the reason the scenario names; and no scenario goes unfailed.
//!
//! The course-style programs (tests/fixtures/course: written the way the
//! notes teach, with nothing added) are the level policy made concrete:
//! each passes the default suite, and under `--strict` fails exactly the
//! recommended scenarios its missing robustness explains.

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
    /// Fixture file under tests/fixtures/ROLE, or under tests/fixtures/course
    /// for a course-style program (None: the reference).
    fixture: Option<&'static str>,
    /// Written the way the notes teach: it must pass the default suite, and
    /// fails (`fails`, all recommended) only under `--strict`.
    course: bool,
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
        course: false,
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
        course: false,
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
        course: false,
        reply,
        framing,
        fails,
        because,
    }
}

/// A course-style program: passes by default; under `--strict` fails the
/// recommended scenarios `fails`, for the reasons `because`.
const fn course(
    name: &'static str,
    role: &'static str,
    file: &'static str,
    reply: &'static str,
    fails: &'static [&'static str],
    because: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        role: Some(role),
        fixture: Some(file),
        course: true,
        reply,
        framing: "none",
        fails,
        because,
    }
}

const TS: &str = "tcp-server";
const TC: &str = "tcp-client";
const US: &str = "udp-server";
const UC: &str = "udp-client";
const BS: &str = "broadcast-sender";
const BR: &str = "broadcast-receiver";
const HS: &str = "http-server";
const HC: &str = "http-client";
const F: &str = "fixed:Thanks";
/// HTTP roles take no reply rule; the format checker and --page judge them.
const A: &str = "any";

/// Every http-server scenario that reads a response.
const EVERY_HTTP_RESPONSE: &[&str] = &[
    "http-server/browser",
    "http-server/head-splitting",
    "http-server/get",
    "http-server/head-in-pieces",
    "http-server/head-method",
    "http-server/long-head",
    "http-server/not-found",
    "http-server/post-body",
    "http-server/preconnect",
];

const EVERY_HTTP_REQUEST: &[&str] = &[
    "http-client/close-delimited",
    "http-client/response-splitting",
    "http-client/request",
    "http-client/response-in-pieces",
];

const EVERY_UDP_REPLY_AFTER_ANOTHER_CLIENT: &[&str] = &[
    "udp-server/big-datagram",
    "udp-server/boundaries",
    "udp-server/cut-character",
    "udp-server/empty-datagram",
    "udp-server/non-utf8",
    "udp-server/two-clients",
];

const EVERY_TCP_CLIENT_AFTER_THE_FIRST: &[&str] = &[
    "tcp-server/clients-in-turn",
    "tcp-server/closes-connections",
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
    // Rebinding connfd closes a connection only when the next client
    // comes: the last one is left in CLOSE_WAIT.
    buggy("accept_in_loop", TS, "accept_in_loop.py", F, "none", &["tcp-server/closes-connections", "tcp-server/conversation"],
        &[("tcp-server/conversation", "no reply"), ("tcp-server/closes-connections", "CLOSE_WAIT")]),
    buggy("leaking_server", TS, "leaking_server.py", F, "none", &["tcp-server/closes-connections"],
        &[("tcp-server/closes-connections", "CLOSE_WAIT")]),
    buggy("recv_twice", TS, "recv_twice.py", F, "none",
        &["tcp-server/clients-in-turn", "tcp-server/closes-connections", "tcp-server/conversation", "tcp-server/non-utf8",
          "tcp-server/peer-exit", "tcp-server/reply", "tcp-server/restart", "tcp-server/vanish-close", "tcp-server/vanish-reset"],
        &[("tcp-server/reply", "no reply")]),
    buggy("eof_spinner", TS, "eof_spinner.py", F, "none",
        &["tcp-server/clients-in-turn", "tcp-server/closes-connections", "tcp-server/non-utf8", "tcp-server/peer-exit",
          "tcp-server/vanish-close"],
        &[("tcp-server/peer-exit", "no reply")]),
    buggy("one_recv_line", TS, "one_recv_line.py", F, "line",
        &["tcp-server/stream-round-trip", "tcp-server/sticky-coalesced", "tcp-server/sticky-split"],
        &[("tcp-server/sticky-coalesced", "reply 2 of 3"),
          ("tcp-server/sticky-split", "more bytes came before the target closed"), ("tcp-server/stream-round-trip", "written as 1 piece")]),
    buggy("strip_echo", TS, "strip_echo.py", "echo", "none", &["tcp-server/echo-round-trip", "tcp-server/echo-stream"],
        &[("tcp-server/echo-stream", "not what the contract says"), ("tcp-server/echo-round-trip", "smallest failing case")]),
    buggy("decode_crash", TS, "decode_crash.py", F, "none", &["tcp-server/non-utf8"],
        &[("tcp-server/non-utf8", "UnicodeDecodeError")]),
    buggy("wrong_reply", TS, "wrong_reply.py", F, "none",
        &["tcp-server/clients-in-turn", "tcp-server/closes-connections", "tcp-server/conversation", "tcp-server/non-utf8",
          "tcp-server/peer-exit", "tcp-server/reply", "tcp-server/restart",
          "tcp-server/vanish-close", "tcp-server/vanish-reset"],
        &[("tcp-server/reply", "not what the contract says")]),
    // course-style: the notes' own programs
    course("course_tcp_server", TS, "tcp_server.py", F,
        &["tcp-server/non-utf8", "tcp-server/restart", "tcp-server/vanish-reset"],
        &[("tcp-server/non-utf8", "UnicodeDecodeError"), ("tcp-server/restart", "Address already in use"),
          ("tcp-server/vanish-reset", "ConnectionResetError|BrokenPipeError")]),
    // A thread or a process per client: an exception ends only its own.
    course("course_tcp_server_thread", TS, "tcp_server_thread.py", F, &["tcp-server/restart"],
        &[("tcp-server/restart", "Address already in use")]),
    course("course_tcp_server_fork", TS, "tcp_server_fork.py", F, &["tcp-server/restart"],
        &[("tcp-server/restart", "Address already in use")]),
    course("course_tcp_client", TC, "tcp_client.py", F, &["tcp-client/end-of-input", "tcp-client/server-resets"],
        &[("tcp-client/end-of-input", "EOFError"), ("tcp-client/server-resets", "ConnectionResetError")]),
    course("course_udp_server", US, "udp_server.py", F, &["udp-server/cut-character", "udp-server/non-utf8"],
        &[("udp-server/cut-character", "UnicodeDecodeError"), ("udp-server/non-utf8", "UnicodeDecodeError")]),
    course("course_udp_client", UC, "udp_client.py", F, &["udp-client/end-of-input", "udp-client/lost-reply"],
        &[("udp-client/end-of-input", "EOFError"), ("udp-client/lost-reply", "no datagram")]),
    course("course_broadcast_receiver", BR, "broadcast_receiver.py", F, &["broadcast-receiver/shares-port"],
        &[("broadcast-receiver/shares-port", "Address already in use")]),
    course("course_broadcast_sender", BS, "broadcast_sender.py", F, &[], &[]),
    course("course_broadcast_sender_waits", BS, "broadcast_sender_waits.py", F, &[], &[]),
    course("course_page_server", HS, "page_server.py", A,
        &["http-server/head-in-pieces", "http-server/head-method", "http-server/head-splitting", "http-server/post-body"],
        &[("http-server/head-in-pieces", "the head was not over"), ("http-server/head-method", "a response to HEAD has no body"),
          ("http-server/head-splitting", "smallest failing case"), ("http-server/post-body", "the body was still on its way")]),
    // The same with recv(1024): a browser's head that carries cookies is
    // longer than that.
    course("course_page_server_1024", HS, "page_server_1024.py", A,
        &["http-server/head-in-pieces", "http-server/head-method", "http-server/head-splitting", "http-server/long-head",
          "http-server/post-body"],
        &[("http-server/long-head", "a reset here usually means")]),
    // tcp-client
    correct("tcp_client", TC, "tcp_client.py", F, "none"),
    correct("tcp_client_line", TC, "tcp_client_line.py", F, "line"),
    correct("tcp_client_len32", TC, "tcp_client_len32.py", F, "len32"),
    buggy("tcp_client_newline", TC, "tcp_client_newline.py", F, "none",
        &["tcp-client/lines", "tcp-client/quit", "tcp-client/server-leaves", "tcp-client/server-resets"],
        &[("tcp-client/lines", "\\r\\n")]),
    buggy("tcp_client_no_quit", TC, "tcp_client_no_quit.py", F, "none", &["tcp-client/quit"],
        &[("tcp-client/quit", "did not close the connection")]),
    buggy("tcp_client_eof_crash", TC, "tcp_client_eof_crash.py", F, "none", &["tcp-client/end-of-input"],
        &[("tcp-client/end-of-input", "EOFError")]),
    buggy("tcp_client_ignores_eof", TC, "tcp_client_ignores_eof.py", F, "none", &["tcp-client/server-leaves"],
        &[("tcp-client/server-leaves", "exit")]),
    buggy("tcp_client_reset_crash", TC, "tcp_client_reset_crash.py", F, "none", &["tcp-client/server-resets"],
        &[("tcp-client/server-resets", "ConnectionResetError|BrokenPipeError")]),
    buggy("tcp_client_one_recv_line", TC, "tcp_client_one_recv_line.py", F, "line", &["tcp-client/reply-splitting", "tcp-client/reply-in-pieces"],
        &[("tcp-client/reply-in-pieces", "print"), ("tcp-client/reply-splitting", "each reply cut into pieces")]),
    // udp-server
    correct("udp_server", US, "udp_server.py", F, "none"),
    correct("udp_echo_server", US, "udp_echo_server.py", "echo", "none"),
    buggy("udp_batching", US, "udp_batching.py", F, "none", &["udp-server/boundaries", "udp-server/burst"],
        &[("udp-server/burst", "reply"), ("udp-server/boundaries", "waiting in its queue together")]),
    buggy("udp_decode_crash", US, "udp_decode_crash.py", F, "none",
        &["udp-server/cut-character", "udp-server/non-utf8"],
        &[("udp-server/cut-character", "UnicodeDecodeError"), ("udp-server/non-utf8", "UnicodeDecodeError")]),
    buggy("udp_reassembles", US, "udp_reassembles.py", F, "none", &["udp-server/big-datagram"],
        &[("udp-server/big-datagram", "no reply")]),
    buggy("udp_empty_quits", US, "udp_empty_quits.py", F, "none", &["udp-server/boundaries", "udp-server/empty-datagram"],
        &[("udp-server/empty-datagram", "exited|no reply"), ("udp-server/boundaries", "(0 bytes)")]),
    buggy("udp_first_client", US, "udp_first_client.py", F, "none", EVERY_UDP_REPLY_AFTER_ANOTHER_CLIENT,
        &[("udp-server/two-clients", "no reply")]),
    buggy("udp_hardcoded_client", US, "udp_hardcoded_client.py", F, "none",
        &["udp-server/boundaries", "udp-server/big-datagram", "udp-server/burst", "udp-server/cut-character", "udp-server/empty-datagram",
          "udp-server/non-utf8", "udp-server/reply", "udp-server/two-clients"],
        &[("udp-server/reply", "no reply")]),
    buggy("udp_wrong_reply", US, "udp_wrong_reply.py", F, "none",
        &["udp-server/boundaries", "udp-server/big-datagram", "udp-server/burst", "udp-server/cut-character", "udp-server/empty-datagram",
          "udp-server/non-utf8", "udp-server/reply", "udp-server/two-clients"],
        &[("udp-server/reply", "not what the contract says")]),
    // udp-client
    correct("udp_client", UC, "udp_client.py", F, "none"),
    buggy("udp_client_newline", UC, "udp_client_newline.py", F, "none", &["udp-client/datagram-lines", "udp-client/lines", "udp-client/lost-reply", "udp-client/quit"],
        &[("udp-client/lines", "\\n"), ("udp-client/datagram-lines", "\\n")]),
    buggy("udp_client_no_quit", UC, "udp_client_no_quit.py", F, "none", &["udp-client/quit"],
        &[("udp-client/quit", "exit")]),
    buggy("udp_client_eof_crash", UC, "udp_client_eof_crash.py", F, "none", &["udp-client/end-of-input"],
        &[("udp-client/end-of-input", "EOFError")]),
    buggy("udp_client_no_timeout", UC, "udp_client_no_timeout.py", F, "none", &["udp-client/lost-reply"],
        &[("udp-client/lost-reply", "no datagram")]),
    // broadcast
    correct("broadcast_sender", BS, "broadcast_sender.py", F, "none"),
    buggy("broadcast_no_so_broadcast", BS, "broadcast_no_so_broadcast.py", F, "none", &["broadcast-sender/reaches-all"],
        &[("broadcast-sender/reaches-all", "PermissionError")]),
    buggy("broadcast_to_localhost", BS, "broadcast_to_localhost.py", F, "none", &["broadcast-sender/reaches-all"],
        &[("broadcast-sender/reaches-all", "receiver")]),
    correct("broadcast_receiver", BR, "broadcast_receiver.py", F, "none"),
    buggy("broadcast_receiver_localhost", BR, "broadcast_receiver_localhost.py", F, "none",
        &["broadcast-receiver/broadcast-datagrams", "broadcast-receiver/receives", "broadcast-receiver/shares-port"],
        &[("broadcast-receiver/receives", "did not print"), ("broadcast-receiver/broadcast-datagrams", "did not print")]),
    buggy("broadcast_receiver_no_reuse", BR, "broadcast_receiver_no_reuse.py", F, "none", &["broadcast-receiver/shares-port"],
        &[("broadcast-receiver/shares-port", "Address already in use")]),
    // http-server (run in tests/fixtures/http-server, where index.html is)
    correct("page_server", HS, "page_server.py", A, "none"),
    buggy("one_recv_server", HS, "one_recv_server.py", A, "none",
        &["http-server/head-splitting", "http-server/long-head", "http-server/head-in-pieces", "http-server/post-body"],
        &[("http-server/long-head", "a reset here usually means"), ("http-server/head-in-pieces", "the head was not over"),
          ("http-server/post-body", "the body was still on its way"), ("http-server/head-splitting", "smallest failing case")]),
    buggy("lf_server", HS, "lf_server.py", A, "none", EVERY_HTTP_RESPONSE,
        &[("http-server/get", "line 1: the status line ends with LF, HTTP needs CRLF")]),
    buggy("no_empty_line_server", HS, "no_empty_line_server.py", A, "none", EVERY_HTTP_RESPONSE,
        &[("http-server/get", "no empty line after the headers")]),
    buggy("char_length_server", HS, "char_length_server.py", A, "none",
        &["http-server/head-splitting", "http-server/browser", "http-server/get", "http-server/head-in-pieces", "http-server/long-head",
          "http-server/not-found", "http-server/post-body", "http-server/preconnect"],
        &[("http-server/get", "Content-Length says 138, but 142 bytes came")]),
    buggy("empty_request_crash", HS, "empty_request_crash.py", A, "none", &["http-server/preconnect"],
        &[("http-server/preconnect", "IndexError")]),
    buggy("one_client_server", HS, "one_client_server.py", A, "none", &["http-server/head-splitting", "http-server/get", "http-server/preconnect"],
        &[("http-server/get", "exited with code 0")]),
    buggy("file_not_found_crash", HS, "file_not_found_crash.py", A, "none", &["http-server/not-found"],
        &[("http-server/not-found", "FileNotFoundError")]),
    buggy("head_body_server", HS, "head_body_server.py", A, "none", &["http-server/head-method"],
        &[("http-server/head-method", "a response to HEAD has no body")]),
    // http-client
    correct("page_client", HC, "page_client.py", A, "none"),
    correct("urllib_client", HC, "urllib_client.py", A, "none"),
    buggy("lf_client", HC, "lf_client.py", A, "none", EVERY_HTTP_REQUEST,
        &[("http-client/request", "line 1: the request line ends with LF, HTTP needs CRLF")]),
    buggy("no_host_client", HC, "no_host_client.py", A, "none", EVERY_HTTP_REQUEST,
        &[("http-client/request", "HTTP/1.1 request without Host")]),
    buggy("host_url_client", HC, "host_url_client.py", A, "none", EVERY_HTTP_REQUEST,
        &[("http-client/request", "line 2: Host is \\\"http://127.0.0.1:")]),
    buggy("no_empty_line_client", HC, "no_empty_line_client.py", A, "none", EVERY_HTTP_REQUEST,
        &[("http-client/request", "no empty line after the headers")]),
    buggy("one_recv_client", HC, "one_recv_client.py", A, "none", &["http-client/response-splitting", "http-client/response-in-pieces"],
        &[("http-client/response-in-pieces", "stopped reading too soon"), ("http-client/response-splitting", "stopped reading too soon|without printing")]),
    buggy("content_length_client", HC, "content_length_client.py", A, "none", &["http-client/response-splitting", "http-client/close-delimited"],
        &[("http-client/close-delimited", "KeyError"), ("http-client/response-splitting", "KeyError")]),
];

/// How the harness starts a program of each role.
fn arguments(role: &str) -> &'static str {
    match role {
        "tcp-client" | "udp-client" | "http-client" => "{host} {port}",
        "broadcast-sender" => "{broadcast} {port}",
        _ => "{port}",
    }
}

/// Grades a case's program, under `--strict` or by default.
fn grade(case: &Case, strict: bool) -> (i32, serde_json::Value) {
    let folder = |role: &str| {
        if case.course {
            "course".to_owned()
        } else {
            role.to_owned()
        }
    };
    let target = match (case.role, case.fixture) {
        (Some(role), Some(file)) => Some(format!(
            "python3 {} {}",
            fixture(&folder(role), file).display(),
            arguments(role)
        )),
        _ => None,
    };
    let mut args = vec!["--reply", case.reply, "--framing", case.framing];
    if strict {
        args.push("--strict");
    }
    if let Some(role) = case.role {
        args.extend(["--role", role]);
    }
    // Page servers run where their index.html is.
    let site = fixture(&folder("http-server"), "");
    if case.role == Some("http-server") {
        args.extend(["--cwd", site.to_str().expect("a UTF-8 path")]);
    }
    if let Some(t) = &target {
        args.extend(["--target", t.as_str()]);
    }
    run_json(&args)
}

/// Checks one run of a case: exactly its `fails` failed, each for its
/// reason, nothing errored, and the exit code is `exit`.
fn check(case: &Case, code: i32, report: &serde_json::Value, exit: i32) {
    let failed: BTreeSet<String> = ids_with(report, "fail").into_iter().collect();
    let want: BTreeSet<String> = case.fails.iter().map(|id| id.to_string()).collect();
    assert_eq!(failed, want, "failed scenarios differ; report:\n{report:#}");
    assert!(ids_with(report, "error").is_empty(), "errors in {report:#}");
    assert_eq!(code, exit, "exit code; report:\n{report:#}");
    for (id, reason) in case.because {
        let r = result(report, id);
        let target = &r["failure"]["target"];
        let evidence = format!(
            "{} {} {} {} {} {}",
            r["message"],
            r["failure"]["received"],
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
#[case::leaking_server("leaking_server")]
#[case::recv_twice("recv_twice")]
#[case::eof_spinner("eof_spinner")]
#[case::one_recv_line("one_recv_line")]
#[case::strip_echo("strip_echo")]
#[case::decode_crash("decode_crash")]
#[case::wrong_reply("wrong_reply")]
#[case::course_tcp_server("course_tcp_server")]
#[case::course_tcp_server_thread("course_tcp_server_thread")]
#[case::course_tcp_server_fork("course_tcp_server_fork")]
#[case::course_tcp_client("course_tcp_client")]
#[case::course_udp_server("course_udp_server")]
#[case::course_udp_client("course_udp_client")]
#[case::course_broadcast_receiver("course_broadcast_receiver")]
#[case::course_broadcast_sender("course_broadcast_sender")]
#[case::course_broadcast_sender_waits("course_broadcast_sender_waits")]
#[case::course_page_server("course_page_server")]
#[case::course_page_server_1024("course_page_server_1024")]
#[case::tcp_client("tcp_client")]
#[case::tcp_client_line("tcp_client_line")]
#[case::tcp_client_len32("tcp_client_len32")]
#[case::tcp_client_newline("tcp_client_newline")]
#[case::tcp_client_no_quit("tcp_client_no_quit")]
#[case::tcp_client_eof_crash("tcp_client_eof_crash")]
#[case::tcp_client_ignores_eof("tcp_client_ignores_eof")]
#[case::tcp_client_reset_crash("tcp_client_reset_crash")]
#[case::tcp_client_one_recv_line("tcp_client_one_recv_line")]
#[case::udp_server("udp_server")]
#[case::udp_echo_server("udp_echo_server")]
#[case::udp_batching("udp_batching")]
#[case::udp_decode_crash("udp_decode_crash")]
#[case::udp_reassembles("udp_reassembles")]
#[case::udp_empty_quits("udp_empty_quits")]
#[case::udp_first_client("udp_first_client")]
#[case::udp_hardcoded_client("udp_hardcoded_client")]
#[case::udp_wrong_reply("udp_wrong_reply")]
#[case::udp_client("udp_client")]
#[case::udp_client_newline("udp_client_newline")]
#[case::udp_client_no_quit("udp_client_no_quit")]
#[case::udp_client_eof_crash("udp_client_eof_crash")]
#[case::udp_client_no_timeout("udp_client_no_timeout")]
#[case::broadcast_sender("broadcast_sender")]
#[case::broadcast_no_so_broadcast("broadcast_no_so_broadcast")]
#[case::broadcast_to_localhost("broadcast_to_localhost")]
#[case::broadcast_receiver("broadcast_receiver")]
#[case::broadcast_receiver_localhost("broadcast_receiver_localhost")]
#[case::broadcast_receiver_no_reuse("broadcast_receiver_no_reuse")]
#[case::page_server("page_server")]
#[case::one_recv_server("one_recv_server")]
#[case::lf_server("lf_server")]
#[case::no_empty_line_server("no_empty_line_server")]
#[case::char_length_server("char_length_server")]
#[case::empty_request_crash("empty_request_crash")]
#[case::one_client_server("one_client_server")]
#[case::file_not_found_crash("file_not_found_crash")]
#[case::head_body_server("head_body_server")]
#[case::page_client("page_client")]
#[case::urllib_client("urllib_client")]
#[case::lf_client("lf_client")]
#[case::no_host_client("no_host_client")]
#[case::host_url_client("host_url_client")]
#[case::no_empty_line_client("no_empty_line_client")]
#[case::one_recv_client("one_recv_client")]
#[case::content_length_client("content_length_client")]
fn verdicts(#[case] name: &str) {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case named {name}"));
    if case.course {
        // What the notes teach passes as it is: what it lacks is only
        // recommended, reported as a warning, and does not count.
        let (code, report) = grade(case, false);
        check(case, code, &report, 0);
        for id in case.fails {
            let r = result(&report, id);
            assert_eq!(r["level"], "recommended", "{id} must be recommended: {r:#}");
            assert_eq!(r["counted"], false, "{id} must not count: {r:#}");
        }
    }
    // Under --strict every failure counts.
    let (code, report) = grade(case, true);
    check(case, code, &report, i32::from(!case.fails.is_empty()));
}

/// Every built-in scenario is failed by at least one fixture: a required
/// one by a buggy fixture (a course-style program fails only recommended
/// ones), a recommended one by some fixture under `--strict`. Every case in
/// the table is run by the matrix, and every course-style program is in it.
#[test]
fn no_scenario_goes_unfailed() {
    let out = common::sockspec().arg("list").output().unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let failed_by = |course: bool| -> BTreeSet<&str> {
        CASES
            .iter()
            .filter(|c| course || !c.course)
            .flat_map(|c| c.fails.iter().copied())
            .collect()
    };
    let (buggy, any) = (failed_by(false), failed_by(true));
    for line in listed.lines() {
        let mut words = line.split_whitespace();
        let (id, level) = (words.next().unwrap(), words.next().unwrap());
        match level {
            "required" => assert!(buggy.contains(id), "no buggy fixture fails {id}"),
            _ => assert!(any.contains(id), "no fixture fails {id} under --strict"),
        }
    }
    let source = include_str!("matrix.rs");
    for case in CASES {
        assert!(
            source.contains(&format!("#[case::{0}(\"{0}\")]", case.name)),
            "case {} is not in the rstest list",
            case.name
        );
    }
    let folder = std::fs::read_dir(fixture("course", "")).unwrap();
    for entry in folder {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".py") {
            assert!(
                CASES
                    .iter()
                    .any(|c| c.course && c.fixture == Some(name.as_str())),
                "course/{name} is not in the matrix"
            );
        }
    }
}
