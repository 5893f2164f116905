//! The command line end to end: listing, checking, usage errors and the
//! report formats, against the real binary.

mod common;

use common::{fixture, python_target, run_json, sockspec};
use predicates::prelude::*;

#[test]
fn list_shows_the_builtin_suite() {
    sockspec()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("tcp-server/peer-exit"))
        .stdout(predicate::str::is_match(r"(?m)^tcp-server/non-utf8 +recommended +Bytes").unwrap());
}

#[test]
fn check_accepts_the_builtin_suite_and_its_folder() {
    sockspec().arg("check").assert().success();
    sockspec()
        .args(["check", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .assert()
        .success()
        .stdout(predicate::str::contains("scenario(s) OK"));
}

#[test]
fn check_points_at_the_typo() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(
        &file,
        "id: tcp-server/bad\ntitle: t\nrole: tcp-server\nlevel: required\nconcept: c\nsteps:\n  - connect: a\n  - sned: { to: a, text: hi }\n",
    )
    .unwrap();
    sockspec()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yaml:8:5"))
        .stderr(predicate::str::contains("did you mean `send`?"));
}

#[test]
fn a_bad_scenario_file_stops_the_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.yaml"), "id: [").unwrap();
    sockspec()
        .arg("run")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("x.yaml:1:"));
}

#[test]
fn bad_contract_options_are_usage_errors() {
    sockspec()
        .args(["run", "--reply", "fixd:Thanks"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown reply rule"));
    sockspec()
        .args(["run", "--framing", "lines"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected none, line or len32"));
    sockspec()
        .args(["run", "--role", "tcp-sever"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown role"));
}

#[test]
fn a_target_needs_a_role_when_the_suite_has_several() {
    sockspec()
        .args(["run", "--target", "true"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--target needs --role"))
        .stderr(predicate::str::contains("udp-client"));
    // Naming a role with no scenarios is an error that says so.
    let tcp_server = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/tcp-server");
    sockspec()
        .args([
            "run",
            tcp_server,
            "--role",
            "http-server",
            "--target",
            "true",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario for role http-server"));
}

/// A program that runs and ends before it listens (a SyntaxError, a crash
/// at bind) has failed, the student's fault: exit 1, with its output once
/// and every other scenario saying where to look. Only a command that
/// cannot be executed at all is exit 2.
#[test]
fn a_program_that_ends_before_it_listens_fails_with_its_output() {
    let (code, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        "python3 -c 'import sys; print(\"boom\", file=sys.stderr); sys.exit(3)' {port}",
    ]);
    assert_eq!(code, 1, "{report:#}");
    let results = report["results"].as_array().unwrap();
    let ran: Vec<&serde_json::Value> = results.iter().filter(|r| r["status"] != "skip").collect();
    assert!(ran.iter().all(|r| r["status"] == "fail"), "{report:#}");
    for r in &ran {
        let message = r["message"].as_str().unwrap();
        assert!(message.contains("exited with code 3"), "{message}");
    }
    let with_output = ran
        .iter()
        .filter(|r| {
            r["failure"]["target"]["stderr"]
                .as_str()
                .is_some_and(|e| e.contains("boom"))
        })
        .count();
    assert!(with_output >= 1, "{report:#}");
    assert_eq!(report["summary"]["errors"], 0);
}

#[test]
fn a_missing_program_is_exit_2() {
    sockspec()
        .args([
            "run",
            "--role",
            "tcp-server",
            "--target",
            "/nonexistent/server {port}",
        ])
        .assert()
        .code(2);
}

#[test]
fn the_reference_passes_and_json_follows_the_contract() {
    let (code, report) = run_json(&["--reply", "echo", "--framing", "line"]);
    assert_eq!(code, 0, "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        for key in ["id", "role", "level", "status", "duration_ms", "message"] {
            assert!(!r[key].is_null(), "{key} missing in {r}");
        }
        assert!(
            ["pass", "skip"].contains(&r["status"].as_str().unwrap()),
            "{r}"
        );
    }
    for key in ["passed", "failed", "errors", "skipped"] {
        assert!(report["summary"][key].is_u64(), "summary.{key}: {report:#}");
    }
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn junit_goes_to_the_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.xml");
    sockspec()
        .args(["run", "--reply", "echo", "--format", "junit", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testcase"), "{xml}");
    assert!(xml.contains("tcp-server/peer-exit"), "{xml}");
}

#[test]
fn human_report_teaches_on_failure() {
    let output = sockspec()
        .args(["run", "--role", "tcp-server", "--target"])
        .arg(python_target("tcp-server", "no_reuseaddr.py"))
        // The restart is recommended: without --strict it would only warn.
        .args(["--reply", "fixed:Thanks", "--strict"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("tcp-server/restart"), "{text}");
    assert!(text.contains("Address already in use"), "{text}");
    assert!(text.contains("SO_REUSEADDR"), "{text}");
    assert!(
        !text.contains("\u{1b}["),
        "NO_COLOR must give plain text: {text}"
    );
}

#[test]
fn a_hard_coded_port_is_graded_with_port() {
    let target = format!(
        "python3 {}",
        fixture("tcp-server", "hardcoded_port_server.py").display()
    );
    let (code, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
        "--port",
        "47321",
    ]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn the_reference_serves_on_a_given_port() {
    // `sockspec ref` runs until killed; prove it listens and answers.
    use std::io::{BufRead, BufReader, Read, Write};
    let exe = assert_cmd::cargo::cargo_bin("sockspec");
    let mut child = std::process::Command::new(exe)
        .args([
            "ref",
            "tcp-server",
            "--port",
            "0",
            "--reply",
            "fixed:Thanks",
            "--framing",
            "line",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.split_whitespace().nth(4).unwrap().to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"hi\nthere\n").unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut got = String::new();
    s.read_to_string(&mut got).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(got, "Thanks\nThanks\n");
}

/// No process of the target outlives the run: every scenario's copy of the
/// program, and anything it forked, is killed and reaped.
#[test]
fn nothing_is_left_running() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("forking_server.py");
    // A server, run through `sh -c`, that also starts a long-lived child
    // (carrying the program's path so this test can find it).
    std::fs::write(
        &program,
        "import os, socket, subprocess, sys\n\
         subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', sys.argv[0]])\n\
         s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n\
         while True:\n\
         \x20   c, _ = s.accept()\n\
         \x20   try:\n\
         \x20       while (d := c.recv(1024)): c.sendall(b'Thanks')\n\
         \x20   except OSError: pass\n\
         \x20   c.close()\n",
    )
    .unwrap();
    let target = format!("sh -c 'python3 {} {{port}}'", program.display());
    let (code, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
    ]);
    assert_eq!(code, 0, "{report:#}");
    let marker = dir.path().to_string_lossy().into_owned();
    let mut left = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            left.push(entry.file_name());
        }
    }
    assert!(left.is_empty(), "processes left running: {left:?}");
}

#[test]
fn the_reference_broadcaster_stays_on_loopback() {
    for host in ["255.255.255.255", "192.168.1.255"] {
        sockspec()
            .args(["ref", "broadcast-sender", "--host", host, "--port", "9"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("only broadcasts on loopback"));
    }
}

#[test]
fn a_reference_client_needs_the_port_to_send_to() {
    for role in ["tcp-client", "udp-client", "broadcast-sender"] {
        sockspec()
            .args(["ref", role])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("needs --port"));
    }
}

#[test]
fn the_reference_tcp_client_converses_through_stdin() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        s.write_all(&buf[..n]).unwrap();
        assert_eq!(s.read(&mut buf).unwrap(), 0);
    });
    sockspec()
        .args(["ref", "tcp-client", "--port", &port, "--quit", "exit"])
        .write_stdin("hello\nexit\nnot sent\n")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .success()
        .stdout("hello\nbye\n");
    server.join().unwrap();
}

/// A course-style server that hard-codes its port and sets no SO_REUSEADDR.
fn hard_coded_server(dir: &std::path::Path, port: u16) -> String {
    let file = dir.join("server.py");
    std::fs::write(
        &file,
        format!(
            "import socket\n\
             ADDR = ('0.0.0.0', {port})\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n\
             s.bind(ADDR)\n\
             s.listen(5)\n\
             while True:\n\
             \x20   c, addr = s.accept()\n\
             \x20   while True:\n\
             \x20       data = c.recv(1024)\n\
             \x20       if not data:\n\
             \x20           break\n\
             \x20       print(data.decode(errors='replace'))\n\
             \x20       c.send(b'Thanks')\n\
             \x20   c.close()\n"
        ),
    )
    .unwrap();
    format!("python3 {}", file.display())
}

/// The TIME_WAIT its own restart scenario leaves must not reach any other
/// scenario: a program that hard-codes its port runs each scenario in a
/// private network by default, and gets the same verdict every time.
#[test]
fn a_hard_coded_port_without_reuseaddr_fails_only_its_restart_every_time() {
    if !common::can_isolate() {
        eprintln!("no private networks on this machine: nothing to prove here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = hard_coded_server(dir.path(), 8888);
    for _ in 0..3 {
        let (code, report) = run_json(&[
            "--role",
            "tcp-server",
            "--target",
            &target,
            "--reply",
            "fixed:Thanks",
            "--strict",
        ]);
        assert_eq!(code, 1, "{report:#}");
        // Its restart fails for want of SO_REUSEADDR, and a reset kills
        // it (no try/except): both recommended, nothing else.
        assert_eq!(
            common::ids_with(&report, "fail"),
            ["tcp-server/restart", "tcp-server/vanish-reset"],
            "{report:#}"
        );
        assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    }
}

/// Without a private network the scenarios of a hard-coded port run one
/// at a time, each once the port is free again, and the report says why
/// one was slow to begin. (A listener of the test's own holds the port
/// for a moment, as a TIME_WAIT would, without its 60 s.)
#[test]
fn without_a_private_network_a_busy_hard_coded_port_is_waited_for() {
    let holder = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let target = hard_coded_server(dir.path(), port);
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(holder);
    });
    let (code, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
        "--isolate",
        "none",
        "--port",
        &port.to_string(),
        "--only",
        "tcp-server/reply",
    ]);
    release.join().unwrap();
    assert_eq!(code, 0, "{report:#}");
    let wait = &common::result(&report, "tcp-server/reply")["port_wait"];
    assert_eq!(wait["port"], port, "{report:#}");
    assert_eq!(wait["freed"], true, "{report:#}");
    assert!(wait["waited_ms"].as_u64().unwrap() >= 1000, "{report:#}");
    assert!(
        wait["text"]["en"].as_str().unwrap().contains("TIME_WAIT"),
        "{wait}"
    );
    assert!(
        wait["text"]["zh"].as_str().unwrap().contains("私有网络"),
        "{wait}"
    );
}

/// A receiver that hard-codes its port is found there first, so the
/// harness's own receiver can take that very port before it starts: the
/// sharing is tested, not skipped by binding elsewhere.
#[test]
fn a_hard_coded_receiver_is_held_to_sharing_its_port() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = |reuse: bool| {
        let file = dir.path().join(format!("receiver_{reuse}.py"));
        std::fs::write(
            &file,
            format!(
                "from socket import *\n\
                 s = socket(AF_INET, SOCK_DGRAM)\n\
                 s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1)\n\
                 {}\
                 s.bind(('', 9999))\n\
                 while True:\n\
                 \x20   msg, addr = s.recvfrom(1024)\n\
                 \x20   print(msg.decode())\n",
                if reuse {
                    "s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)\n"
                } else {
                    ""
                }
            ),
        )
        .unwrap();
        format!("python3 {}", file.display())
    };
    for (reuse, code) in [(false, 1), (true, 0)] {
        let (got, report) = run_json(&[
            "--role",
            "broadcast-receiver",
            "--target",
            &receiver(reuse),
            "--only",
            "broadcast-receiver/shares-port",
            "--strict",
        ]);
        assert_eq!(got, code, "SO_REUSEADDR {reuse}: {report:#}");
    }
}

/// The grader's own missing page is the one asked for: a page server that
/// answers index.html for every path fails not-found for `/nope`.
#[test]
fn a_page_rule_for_a_missing_path_is_what_not_found_asks_for() {
    let site = fixture("course", "");
    let target = format!(
        "python3 {} {{port}}",
        fixture("course", "page_server.py").display()
    );
    let (code, report) = run_json(&[
        "--role",
        "http-server",
        "--target",
        &target,
        "--cwd",
        site.to_str().unwrap(),
        "--page",
        "/=200",
        "--page",
        "/nope=404",
        "--only",
        "http-server/not-found",
    ]);
    assert_eq!(code, 1, "{report:#}");
    let message = common::result(&report, "http-server/not-found")["message"].to_string();
    assert!(
        message.contains("GET /nope was answered with status 200"),
        "{message}"
    );
}

/// A command that runs but cannot run the program (an interpreter the
/// machine lacks: `env`, a shell or a pyenv shim exits 127) is the grader's
/// to fix, for servers and clients alike: exit 2, not the student's failure.
#[test]
fn a_command_not_found_by_its_launcher_is_exit_2() {
    for (role, args) in [("tcp-server", "{port}"), ("tcp-client", "{host} {port}")] {
        let target = format!("env no-such-interpreter prog.py {args}");
        let (code, report) = run_json(&["--role", role, "--target", &target]);
        assert_eq!(code, 2, "{role}: {report:#}");
        assert_eq!(report["summary"]["failed"], 0, "{role}: {report:#}");
    }
}
