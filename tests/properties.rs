//! Property scenarios end to end: a failure is shrunk, printed with its
//! seed and the command that reproduces it, and the same seed gives the
//! same verdict and the same case again.

mod common;

use common::{fixture, result, run_json, sockspec};
use predicates::prelude::*;

fn one_recv_line(seed: &str) -> serde_json::Value {
    let target = format!(
        "python3 {} {{port}}",
        fixture("tcp-server", "one_recv_line.py").display()
    );
    let (code, report) = run_json(&[
        "--only",
        "tcp-server/stream-round-trip",
        "--role",
        "tcp-server",
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
        "--framing",
        "line",
        "--seed",
        seed,
    ]);
    assert_eq!(code, 1, "{report:#}");
    result(&report, "tcp-server/stream-round-trip").clone()
}

#[test]
fn a_failure_is_shrunk_reproducible_and_says_how_to_reproduce() {
    let first = one_recv_line("7");
    let message = first["message"].as_str().unwrap();
    assert!(message.contains("(seed 7)"), "{message}");
    assert!(message.contains("the smallest failing case"), "{message}");
    // The one-recv-is-one-message server fails when two messages share a
    // write: the smallest case is two messages in one piece.
    assert!(message.contains("2 messages"), "{message}");
    assert!(message.contains("written as 1 piece"), "{message}");
    assert!(
        message.contains("--only tcp-server/stream-round-trip --seed 7"),
        "{message}"
    );
    let again = one_recv_line("7");
    assert_eq!(first["message"], again["message"]);
    assert_eq!(first["failure"]["sent"], again["failure"]["sent"]);
}

#[test]
fn the_references_pass_every_property_under_any_seed() {
    for seed in ["1", "2"] {
        for (reply, framing) in [
            ("echo", "none"),
            ("fixed:Thanks", "line"),
            ("echo", "len32"),
        ] {
            let (code, report) = run_json(&[
                "--only",
                "tcp-server/stream-round-trip",
                "--only",
                "tcp-server/echo-round-trip",
                "--only",
                "udp-server/boundaries",
                "--only",
                "http-server/head-splitting",
                "--only",
                "tcp-client/reply-splitting",
                "--only",
                "http-client/response-splitting",
                "--only",
                "udp-client/datagram-lines",
                "--only",
                "broadcast-receiver/broadcast-datagrams",
                "--reply",
                reply,
                "--framing",
                framing,
                "--seed",
                seed,
                "--cases",
                "40",
            ]);
            assert_eq!(code, 0, "seed {seed}, {reply} {framing}: {report:#}");
        }
    }
}

#[test]
fn bad_property_options_are_usage_errors() {
    sockspec()
        .args(["run", "--cases", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--cases"));
    sockspec()
        .args(["run", "--only", "tcp-server/no-such-thing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no scenario with id tcp-server/no-such-thing",
        ));
}

#[test]
fn a_property_must_fit_its_role() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    std::fs::write(
        &file,
        "id: udp-server/p\ntitle: t\nrole: udp-server\nlevel: required\nconcept: c\n\
         property:\n  name: stream-round-trip\n",
    )
    .unwrap();
    sockspec()
        .arg("check")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "property `stream-round-trip` is about a tcp-server, not a udp-server",
        ))
        .stderr(predicate::str::contains("p.yaml:7:3"));
}

/// A program that hard-codes its port is restarted there after a case
/// that crashed it, so shrinking finds the case that really kills it: a
/// course-style UDP server that takes an empty datagram for the end.
#[test]
fn a_hard_coded_port_shrinks_to_the_case_that_crashes_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("udp_server.py");
    std::fs::write(
        &server,
        "from socket import *\n\
         s = socket(AF_INET, SOCK_DGRAM)\n\
         s.bind(('0.0.0.0', 8888))\n\
         while True:\n\
         \x20   data, addr = s.recvfrom(1024)\n\
         \x20   if not data:\n\
         \x20       break\n\
         \x20   s.sendto(b'Thanks', addr)\n",
    )
    .unwrap();
    let target = format!("python3 {}", server.display());
    let (code, report) = run_json(&[
        "--only",
        "udp-server/boundaries",
        "--role",
        "udp-server",
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
    ]);
    assert_eq!(code, 1, "{report:#}");
    let message = result(&report, "udp-server/boundaries")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("1 datagram"), "{message}");
    assert!(message.contains("\"\" (0 bytes)"), "{message}");
    assert!(!message.contains("could not be restarted"), "{message}");
}
