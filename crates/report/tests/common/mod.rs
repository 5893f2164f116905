//! The run every reporter test renders, built by hand: a pass, a counted
//! failure with a Python traceback, a reply cut in the middle of a UTF-8
//! character, an error, a skip, a recommended failure with a long value,
//! and a flaky verdict of another role (passed on the second of two tries);
//! and a tiny snapshot helper (`UPDATE_SNAPSHOTS=1` rewrites the files).

#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;
use std::time::Duration;

use sockspec_model::{Bytes, Level, Role};
use sockspec_report::Reporter;
use sockspec_runner::{Event, Failure, ScenarioResult, Status, Summary, TargetReport};

const TRACEBACK: &str = "\
Traceback (most recent call last):
  File \"server.py\", line 14, in <module>
    conn.send(b'Thanks')
BrokenPipeError: [Errno 32] Broken pipe
";

fn result(id: &str, title: &str, status: Status, message: &str) -> ScenarioResult {
    ScenarioResult {
        id: format!("tcp-server/{id}"),
        title: title.into(),
        role: Role::TcpServer,
        level: Level::Required,
        counted: true,
        points: 1,
        status,
        duration: Duration::from_millis(12),
        message: message.into(),
        concept: String::new(),
        concept_zh: String::new(),
        hint: Default::default(),
        file: format!("scenarios/tcp-server/{id}.yaml"),
        failure: None,
        attempts: 1,
        passes: u32::from(status == Status::Pass),
    }
}

/// The scenario results, in the order they finished (not sorted by id).
pub fn results() -> Vec<ScenarioResult> {
    // Twenty lines of output, so that the report shows only the end.
    let stdout: String = (1..=20)
        .map(|i| format!("received b'message {i}'\n"))
        .collect();
    let crashed = TargetReport {
        command: "python3 server.py 40001".into(),
        state: "exited with code 1".into(),
        stdout,
        stderr: TRACEBACK.into(),
    };

    let pass = result(
        "reply",
        "The server answers a client's message as the contract says",
        Status::Pass,
        "",
    );

    let mut peer_exit = result(
        "peer-exit",
        "A client that leaves does not stop the server",
        Status::Fail,
        "the connection was reset before the reply arrived",
    );
    peer_exit.concept = "When one end of a TCP connection exits, the other end's recv returns \
        an empty bytes object (b''). A server must treat b'' as \"this client has left\": break \
        out of the client's loop, close the connection, and go back to accept() \
        (notes: \"一个监听套接字可以同时连多个客户端，也能重复被连接\")."
        .into();
    peer_exit.points = 2;
    peer_exit.failure = Some(Failure {
        step: 7,
        step_text: "expect a reply on b".into(),
        line: 17,
        sent: Some(Bytes(b"are you still there?".to_vec())),
        expected: Some("exactly \"Thanks\" (reply rule fixed)".into()),
        received: Some(Bytes(Vec::new())),
        target: Some(crashed.clone()),
        ..Failure::default()
    });

    let mut cut = result(
        "echo-stream",
        "An echo server sends back exactly the bytes it received",
        Status::Fail,
        "the reply is not what the contract says",
    );
    cut.concept = "TCP carries a stream of bytes: recv(4) may stop in the middle of a \
        character."
        .into();
    cut.failure = Some(Failure {
        step: 3,
        step_text: "expect a reply on a".into(),
        line: 9,
        sent: Some(Bytes("你好".as_bytes().to_vec())),
        expected: Some("the message itself, \"你好\" (reply rule echo)".into()),
        received: Some(Bytes("你好".as_bytes()[..4].to_vec())),
        target: None,
        ..Failure::default()
    });

    let mut error = result(
        "restart",
        "The server restarts at once on the same port",
        Status::Error,
        "the target exited with code 1 before it listened on port 40001",
    );
    error.concept = "SO_REUSEADDR lets a server bind a port still in TIME_WAIT.".into();
    error.failure = Some(Failure {
        target: Some(TargetReport {
            command: "python3 server.py 40001".into(),
            state: "exited with code 1".into(),
            stdout: String::new(),
            stderr: "  File \"server.py\", line 3\n    s.bind(('', port)\n          ^\nSyntaxError: '(' was never closed\n".into(),
        }),
        ..Failure::default()
    });

    let skip = result(
        "sticky-split",
        "A message split across several sends is one message",
        Status::Skip,
        "applies to framing line/len32 only; the contract says none",
    );

    let mut recommended = result(
        "non-utf8",
        "Bytes that are not UTF-8 do not crash the server",
        Status::Fail,
        "the target is no longer running: it exited with code 1",
    );
    recommended.level = Level::Recommended;
    recommended.counted = false;
    recommended.concept = "recv() returns bytes, and a peer may send any bytes at all.".into();
    recommended.failure = Some(Failure {
        step: 2,
        step_text: "expect the target alive".into(),
        line: 8,
        sent: Some(Bytes("你".repeat(100).into_bytes())),
        expected: None,
        received: None,
        target: Some(TargetReport {
            command: "python3 server.py 40002".into(),
            state: "exited with code 1".into(),
            stdout: "\x1b[32mlistening\x1b[0m\n".into(),
            stderr: "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe4 in position 4095: unexpected end of data\n".into(),
        }),
        ..Failure::default()
    });

    let mut flaky = result(
        "burst",
        "A burst of datagrams gets one reply each",
        Status::Flaky,
        "flaky: passed 1 of 2 tries; the first failed: no reply 4 of 4 within 2.0 s",
    );
    flaky.id = "udp-server/burst".into();
    flaky.role = Role::UdpServer;
    flaky.file = "scenarios/udp-server/burst.yaml".into();
    flaky.points = 2;
    flaky.attempts = 2;
    flaky.passes = 1;
    flaky.duration = Duration::from_millis(40);
    flaky.concept = "Each datagram is its own message: recvfrom returns one per call, and \
        a server that is slow to come back to recvfrom finds the others queued."
        .into();
    flaky.failure = Some(Failure {
        step: 3,
        step_text: "expect 4 replies on a".into(),
        line: 11,
        sent: Some(Bytes(b"m4".to_vec())),
        expected: Some("exactly \"Thanks\" (reply rule fixed)".into()),
        received: None,
        target: Some(TargetReport {
            command: "python3 udp_server.py 40003".into(),
            state: "running".into(),
            stdout: "got b'm1'\ngot b'm2'\ngot b'm3'\n".into(),
            stderr: String::new(),
        }),
        ..Failure::default()
    });

    vec![pass, peer_exit, cut, error, skip, recommended, flaky]
}

/// The whole run as events, as the runner would send them.
pub fn events() -> Vec<Event> {
    let results = results();
    let mut summary = Summary::default();
    let mut events = vec![Event::RunStarted {
        total: results.len(),
        target: "python3 server.py {port}".into(),
        contract: "--reply fixed:Thanks --framing none".into(),
    }];
    for r in results {
        summary.add(&r);
        events.push(Event::ScenarioStarted { id: r.id.clone() });
        events.push(Event::ScenarioFinished(Box::new(r)));
    }
    events.push(Event::RunFinished {
        summary,
        wall: Duration::from_millis(1300),
        peak_rss_kb: None,
    });
    events
}

/// Feeds every event of [`events`] to `reporter`.
pub fn render(mut reporter: impl Reporter) {
    for e in events() {
        reporter.event(&e).unwrap();
    }
}

/// Compares `actual` with tests/snapshots/`name`, or writes it there when
/// UPDATE_SNAPSHOTS is set.
pub fn check_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    if actual != expected {
        panic!(
            "{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it)\n\
             --- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}
