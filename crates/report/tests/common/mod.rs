//! The runs the reporter tests render, built by hand. [`results`]: a pass,
//! a counted failure with a Python traceback, a reply cut in the middle of
//! a UTF-8 character, an error, a skip, a recommended failure with a long
//! value, and a flaky verdict of another role (passed on the second of two
//! tries). [`diagnosed`]: failures as the runner explains them, a
//! diagnosis of each kind (blocked in each call homework blocks in,
//! spinning, leaking sockets, exceptions, bound elsewhere), timelines, and
//! concepts and hints in both languages. [`by_language`]: a C program's
//! signal and a Java stack trace. And a tiny snapshot helper
//! (`UPDATE_SNAPSHOTS=1` rewrites the files).

#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;
use std::time::Duration;

use sockspec_model::{Bytes, Framing, Level, Localized, Role, Skip, Step};
use sockspec_report::Reporter;
use sockspec_results::{
    Actor, BindProblem, BlockedCall, Diagnosis, Ended, Errno, Event, Expectation, FailedAt,
    Failure, FatalSignal, Happening, JavaFrame, JavaThrowable, Language, LastSeen, Listen,
    Mismatch, Nth, ReplyShape, ScenarioResult, SocketView, Status, Summary, TargetReport,
    TimelineEntry, Why,
};

const TRACEBACK: &str = "\
Traceback (most recent call last):
  File \"server.py\", line 14, in <module>
    conn.send(b'Thanks')
BrokenPipeError: [Errno 32] Broken pipe
";

fn mm(m: Mismatch) -> Option<Why> {
    Some(Why::Mismatch(m))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn fixed_thanks() -> Expectation {
    Expectation::Reply {
        rule: ReplyShape::Fixed(Bytes(b"Thanks".to_vec())),
        framing: Framing::None,
        message: Bytes(Vec::new()),
    }
}

/// A step of a tcp-server scenario, typed by the loader.
fn step(yaml: &str) -> FailedAt {
    step_of("tcp-server", yaml)
}

/// A step of a scenario of `role`, typed by the loader (the connections
/// it names opened before it).
fn step_of(role: &str, yaml: &str) -> FailedAt {
    FailedAt::Step(typed(role, yaml))
}

fn typed(role: &str, yaml: &str) -> Step {
    let before = match role {
        "udp-server" => "  - udp: a\n",
        "tcp-server" => "  - connect: a\n  - connect: b\n  - connect: c\n  - close: c\n",
        "tcp-client" => "  - accept: a\n",
        _ => "",
    };
    let text = format!(
        "id: {role}/x\ntitle: x\nrole: {role}\nlevel: required\nconcept: x\nsteps:\n{before}  - {yaml}\n"
    );
    let src = sockspec_model::Source {
        name: "t.yaml".into(),
        text,
    };
    let scenario = sockspec_model::load_source(&src).unwrap_or_else(|e| panic!("{yaml}: {e}"));
    scenario.steps.last().expect("a step").step.clone()
}

fn result(id: &str, title: &str, status: Status, why: Option<Why>) -> ScenarioResult {
    ScenarioResult {
        id: format!("tcp-server/{id}"),
        title: title.into(),
        title_zh: String::new(),
        role: Role::TcpServer,
        level: Level::Required,
        counted: true,
        points: 1,
        status,
        duration: Duration::from_millis(12),
        why,
        concept: String::new(),
        concept_zh: String::new(),
        hint: Default::default(),
        file: format!("scenarios/tcp-server/{id}.yaml"),
        failure: None,
        attempts: 1,
        passes: u32::from(status == Status::Pass),
        starts: 1,
        found: None,
        port_wait: None,
        limits_hit: Vec::new(),
        shared: false,
        replayed: false,
        cases_went_on: 0,
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
        ended: Some(Ended::Code(1)),
        stdout,
        stderr: TRACEBACK.into(),
        language: Language::Python,
        ..TargetReport::default()
    };

    let mut pass = result(
        "reply",
        "The server answers a client's message as the contract says",
        Status::Pass,
        None,
    );
    // It began late: the port its program hard-codes was still held.
    pass.port_wait = Some(sockspec_results::PortWait {
        port: 8888,
        waited: Duration::from_millis(58_300),
        freed: true,
    });

    let mut peer_exit = result(
        "peer-exit",
        "A client that leaves does not stop the server",
        Status::Fail,
        mm(Mismatch::ResetBeforeAnyReply),
    );
    peer_exit.concept = "When one end of a TCP connection exits, the other end's recv returns \
        an empty bytes object (b''). A server must treat b'' as \"this client has left\": break \
        out of the client's loop, close the connection, and go back to accept() \
        (notes: \"一个监听套接字可以同时连多个客户端，也能重复被连接\")."
        .into();
    peer_exit.points = 2;
    peer_exit.failure = Some(Failure {
        step: 7,
        at: step("expect_reply: { from: b }"),
        line: 17,
        sent: Some(Bytes(b"are you still there?".to_vec())),
        expected: Some(fixed_thanks()),
        received: Some(Bytes(Vec::new())),
        target: Some(crashed.clone()),
        ..Failure::default()
    });

    let mut cut = result(
        "echo-stream",
        "An echo server sends back exactly the bytes it received",
        Status::Fail,
        mm(Mismatch::WrongReply(Nth::The)),
    );
    cut.concept = "TCP carries a stream of bytes: recv(4) may stop in the middle of a \
        character."
        .into();
    cut.failure = Some(Failure {
        step: 3,
        at: step("expect_reply: { from: a }"),
        line: 9,
        sent: Some(Bytes("你好".as_bytes().to_vec())),
        expected: Some(Expectation::Reply {
            rule: ReplyShape::Echo,
            framing: Framing::None,
            message: Bytes("你好".as_bytes().to_vec()),
        }),
        received: Some(Bytes("你好".as_bytes()[..4].to_vec())),
        target: None,
        ..Failure::default()
    });

    let mut error = result(
        "restart",
        "The server restarts at once on the same port",
        Status::Error,
        mm(Mismatch::EndedBeforeReady {
            ended: Ended::Code(1),
            listen: Listen {
                udp: false,
                port: 40001,
            },
        }),
    );
    error.concept = "SO_REUSEADDR lets a server bind a port still in TIME_WAIT.".into();
    error.failure = Some(Failure {
        target: Some(TargetReport {
            command: "python3 server.py 40001".into(),
            ended: Some(Ended::Code(1)),
            stdout: String::new(),
            stderr: "  File \"server.py\", line 3\n    s.bind(('', port)\n          ^\nSyntaxError: '(' was never closed\n".into(),
            language: Language::Python,
            ..TargetReport::default()
        }),
        ..Failure::default()
    });

    let skip = result(
        "sticky-split",
        "A message split across several sends is one message",
        Status::Skip,
        Some(Why::Skip(Skip::Framing {
            wanted: vec![Framing::Line, Framing::Len32],
            got: Framing::None,
        })),
    );

    let mut recommended = result(
        "non-utf8",
        "Bytes that are not UTF-8 do not crash the server",
        Status::Fail,
        mm(Mismatch::NotRunning(Ended::Code(1))),
    );
    recommended.level = Level::Recommended;
    recommended.counted = false;
    recommended.concept = "recv() returns bytes, and a peer may send any bytes at all.".into();
    recommended.failure = Some(Failure {
        step: 2,
        at: step("expect_alive"),
        line: 8,
        sent: Some(Bytes("你".repeat(100).into_bytes())),
        expected: None,
        received: None,
        target: Some(TargetReport {
            command: "python3 server.py 40002".into(),
            ended: Some(Ended::Code(1)),
            stdout: "\x1b[32mlistening\x1b[0m\n".into(),
            stderr: "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe4 in position 4095: unexpected end of data\n".into(),
            language: Language::Python,
            ..TargetReport::default()
        }),
        ..Failure::default()
    });

    let mut flaky = result(
        "burst",
        "A burst of datagrams gets one reply each",
        Status::Flaky,
        mm(Mismatch::Flaky {
            passes: 1,
            attempts: 2,
            first: Box::new(Mismatch::NoReply {
                nth: Nth::Of { i: 4, n: 4 },
                within: secs(2),
            }),
        }),
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
        at: step_of("udp-server", "expect_reply: { from: a, count: 4 }"),
        line: 11,
        sent: Some(Bytes(b"m4".to_vec())),
        expected: Some(fixed_thanks()),
        received: None,
        target: Some(TargetReport {
            command: "python3 udp_server.py 40003".into(),
            ended: None,
            stdout: "got b'm1'\ngot b'm2'\ngot b'm3'\n".into(),
            stderr: String::new(),
            language: Language::Python,
            ..TargetReport::default()
        }),
        ..Failure::default()
    });

    vec![pass, peer_exit, cut, error, skip, recommended, flaky]
}

/// The whole run as events, as the runner would send them.
pub fn events() -> Vec<Event> {
    events_of(results(), "--reply fixed:Thanks --framing none")
}

/// `results` as the events of a run under `contract`.
fn events_of(results: Vec<ScenarioResult>, contract: &str) -> Vec<Event> {
    let mut summary = Summary::default();
    let mut events = vec![Event::RunStarted {
        total: results.len(),
        target: "python3 server.py {port}".into(),
        contract: contract.into(),
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

/// Three scenarios of a server whose file is not in the submission, and
/// one of a client whose file is missing too.
pub fn missing_file_events() -> Vec<Event> {
    let missing = |file: &str| {
        mm(Mismatch::Unrunnable(
            sockspec_results::Unrunnable::MissingFile {
                file: file.into(),
                command: format!("python3 {file} {{port}}"),
                dir: "/subs/alice".into(),
                has: vec!["server.py".into()],
            },
        ))
    };
    let results = ["reply", "peer-exit", "restart", "client"]
        .iter()
        .map(|id| {
            let file = if *id == "client" {
                "tcp_client.py"
            } else {
                "tcp_server.py"
            };
            result(id, "A scenario", Status::Error, missing(file))
        })
        .collect();
    events_of(results, "--reply fixed:Thanks --framing none")
}

/// Feeds every event of [`events`] to `reporter`.
pub fn render(reporter: impl Reporter) {
    render_events(reporter, events());
}

/// Feeds every event of [`diagnosed_events`] to `reporter`.
pub fn render_diagnosed(reporter: impl Reporter) {
    render_events(reporter, diagnosed_events());
}

/// Feeds the events of [`by_language`] to `reporter`.
pub fn render_by_language(reporter: impl Reporter) {
    render_events(reporter, by_language_events());
}

fn render_events(mut reporter: impl Reporter, events: Vec<Event>) {
    for e in events {
        reporter.event(&e).unwrap();
    }
}

fn addr(s: &str) -> std::net::SocketAddr {
    s.parse().unwrap()
}

fn at(ms: u64, actor: Actor, what: Happening) -> TimelineEntry {
    TimelineEntry {
        at: Duration::from_millis(ms),
        actor,
        what,
    }
}

fn harness(name: &str) -> Actor {
    Actor::Harness(name.into())
}

fn sent(text: &str) -> Happening {
    Happening::Sent {
        bytes: Bytes(text.as_bytes().to_vec()),
        len: text.len(),
    }
}

fn received(text: &str) -> Happening {
    Happening::Received {
        bytes: Bytes(text.as_bytes().to_vec()),
        len: text.len(),
    }
}

fn waited(at: FailedAt, ms: u64) -> Happening {
    let FailedAt::Step(step) = at else {
        panic!("a wait is a step's")
    };
    Happening::Waited {
        step,
        waited: Duration::from_millis(ms),
    }
}

fn running(command: &str) -> TargetReport {
    TargetReport {
        command: command.into(),
        ended: None,
        stdout: String::new(),
        stderr: String::new(),
        language: Language::Python,
        ..TargetReport::default()
    }
}

fn crashed(command: &str, stderr: &str) -> TargetReport {
    TargetReport {
        command: command.into(),
        ended: Some(Ended::Code(1)),
        stdout: String::new(),
        stderr: stderr.into(),
        language: Language::Python,
        ..TargetReport::default()
    }
}

/// A connection socket of the program, as the kernel shows it.
fn conn(local: &str, peer: &str, rx: u64, tx: u64) -> SocketView {
    SocketView {
        proto: "tcp",
        local: addr(local),
        peer: Some(addr(peer)),
        rx_queue: rx,
        tx_queue: tx,
        state: "ESTABLISHED",
    }
}

#[allow(clippy::too_many_arguments)]
fn diagnosed_result(
    role: Role,
    name: &str,
    title: &str,
    status: Status,
    why: Option<Why>,
    concept: [&str; 2],
    hint: [&str; 2],
    failure: Failure,
) -> ScenarioResult {
    let mut r = result(name, title, status, why);
    r.role = role;
    r.id = format!("{}/{name}", role.as_str());
    r.file = format!("scenarios/{}/{name}.yaml", role.as_str());
    r.concept = concept[0].into();
    r.concept_zh = concept[1].into();
    r.hint = Localized {
        en: hint[0].into(),
        zh: hint[1].into(),
    };
    r.failure = Some(failure);
    r
}

/// Failures as the runner explains them, a pass among them.
pub fn diagnosed() -> Vec<ScenarioResult> {
    let server = "python3 server.py 40001";
    let started = |command: &str| Happening::Started {
        command: command.into(),
    };
    let listening = Happening::Ready {
        addr: addr("127.0.0.1:40001"),
    };
    let pass = result(
        "reply",
        "The server answers a client's message as the contract says",
        Status::Pass,
        None,
    );

    let pieces = diagnosed_result(
        Role::TcpServer,
        "pieces",
        "A message written in pieces gets one reply",
        Status::Fail,
        mm(Mismatch::NoReply {
            nth: Nth::The,
            within: secs(2),
        }),
        [
            "TCP is a stream of bytes with no message boundaries: one send may arrive as \
             several recv()s, and several sends as one (sticky packets).",
            "TCP 以字节流方式传输，没有消息边界：一次 send 可能要分几次 recv 才收完，\
             几次 send 也可能被一次 recv 收到（粘包）。",
        ],
        [
            "Keep what recv() returns in a buffer and answer each whole message in it; do \
             not wait for bytes the contract never sends.",
            "把 recv() 收到的数据放进缓冲区，每凑齐一条完整的消息就回复一条；\
             不要等约定里不会发来的数据。",
        ],
        Failure {
            step: 4,
            at: step("expect_reply: { from: a }"),
            line: 12,
            sent: Some(Bytes(b"hello\n".to_vec())),
            expected: Some(fixed_thanks()),
            received: Some(Bytes(Vec::new())),
            target: Some(running(server)),
            diagnoses: vec![Diagnosis::Blocked {
                peer_closed: false,
                call: BlockedCall::Recv,
                socket: Some(conn("127.0.0.1:40001", "127.0.0.1:51234", 0, 0)),
            }],
            timeline: vec![
                at(0, Actor::Target, started(server)),
                at(98, Actor::Target, listening.clone()),
                at(101, harness("a"), Happening::Connected),
                at(102, harness("a"), sent("hel")),
                at(153, harness("a"), sent("lo\n")),
                at(
                    2155,
                    harness(""),
                    waited(step("expect_reply: { from: a }"), 2000),
                ),
            ],
            program_start: false,
        },
    );

    let peer_exit = diagnosed_result(
        Role::TcpServer,
        "peer-exit",
        "A client that leaves does not stop the server",
        Status::Fail,
        mm(Mismatch::NoReply {
            nth: Nth::The,
            within: secs(2),
        }),
        [
            "When one end of a TCP connection exits, recv() at the other end returns an \
             empty bytes object (b''): the server must treat b'' as \"this client has \
             left\" and go back to accept().",
            "TCP 连接中一端退出时，另一端如果阻塞在 recv，recv 会返回空字节串 b''：\
             服务端要把 b'' 当作“这个客户端走了”，然后回到 accept()。",
        ],
        [
            "When recv() returns b'', break out of that client's loop, close() its socket \
             and go back to accept().",
            "recv() 返回 b'' 时跳出这个客户端的循环，close() 它的套接字，再回到 accept()。",
        ],
        Failure {
            step: 7,
            at: step("expect_reply: { from: b }"),
            line: 17,
            sent: Some(Bytes(b"are you still there?\n".to_vec())),
            expected: Some(fixed_thanks()),
            received: Some(Bytes(Vec::new())),
            target: Some(running(server)),
            diagnoses: vec![Diagnosis::Spinning {
                cpu_percent: 100,
                window: Duration::from_millis(2000),
                after_peer_closed: true,
            }],
            timeline: vec![
                at(0, Actor::Target, started(server)),
                at(98, Actor::Target, listening.clone()),
                at(101, harness("a"), Happening::Connected),
                at(102, harness("a"), sent("hello\n")),
                at(103, harness("a"), received("Thanks")),
                at(104, harness("a"), Happening::Closed),
                at(105, harness("b"), Happening::Connected),
                at(106, harness("b"), sent("are you still there?\n")),
                at(
                    2107,
                    harness(""),
                    waited(step("expect_reply: { from: b }"), 2000),
                ),
            ],
            program_start: false,
        },
    );

    let second = diagnosed_result(
        Role::TcpServer,
        "second-message",
        "A client can send several messages on one connection",
        Status::Fail,
        mm(Mismatch::NoReply {
            nth: Nth::The,
            within: secs(2),
        }),
        [
            "A listening socket can be connected to again and again: accept() once per \
             client, then serve that client on the socket accept() returned.",
            "一个监听套接字可以同时连多个客户端，也能重复被连接：每个客户端 accept() 一次，\
             然后用 accept() 返回的套接字为它服务。",
        ],
        [
            "Move accept() out of the message loop: an outer loop accepts, an inner loop \
             does recv() and send() until b''.",
            "把 accept() 移出收发消息的循环：外层循环负责 accept()，\
             内层循环负责 recv() 和 send()，直到收到 b''。",
        ],
        Failure {
            step: 5,
            at: step("expect_reply: { from: a }"),
            line: 10,
            sent: Some(Bytes(b"second\n".to_vec())),
            expected: Some(fixed_thanks()),
            received: Some(Bytes(Vec::new())),
            target: Some(running(server)),
            diagnoses: vec![Diagnosis::Blocked {
                peer_closed: false,
                call: BlockedCall::Accept,
                socket: Some(SocketView {
                    proto: "tcp",
                    local: addr("0.0.0.0:40001"),
                    peer: None,
                    rx_queue: 0,
                    tx_queue: 0,
                    state: "LISTEN",
                }),
            }],
            timeline: Vec::new(),
            program_start: false,
        },
    );

    let leak = diagnosed_result(
        Role::TcpServer,
        "close-each",
        "The server closes each client's connection when the client leaves",
        Status::Fail,
        mm(Mismatch::CloseWait {
            after: secs(1),
            name: "c".into(),
            program: addr("127.0.0.1:40001"),
            harness: addr("127.0.0.1:51240"),
        }),
        [
            "Closing takes the four-way close: after the client's FIN the server's socket \
             stays in CLOSE_WAIT until the server calls close() too.",
            "关闭连接要经过四次挥手：客户端发出 FIN 之后，服务端的套接字一直处于 \
             CLOSE_WAIT，直到服务端也调用 close()。",
        ],
        [
            "Call conn.close() when recv() returns b'', before going back to accept().",
            "recv() 返回 b'' 时调用 conn.close()，再回到 accept()。",
        ],
        Failure {
            step: 9,
            at: step("expect_closed: c"),
            line: 21,
            target: Some(running(server)),
            diagnoses: vec![Diagnosis::LeakingSockets {
                counts: vec![3, 4, 5],
                close_wait: 3,
            }],
            ..Failure::default()
        },
    );

    let pipe = diagnosed_result(
        Role::TcpServer,
        "client-gone",
        "A client that leaves before its reply does not crash the server",
        Status::Fail,
        mm(Mismatch::NotRunning(Ended::Code(1))),
        [
            "Sending to an end that no longer exists raises BrokenPipeError; any client \
             may leave at any time.",
            "一端已经不存在时仍试图 send，会产生 BrokenPipeError；客户端随时可能离开。",
        ],
        [
            "Wrap send() in try/except (BrokenPipeError, ConnectionResetError) and close \
             that connection.",
            "用 try/except (BrokenPipeError, ConnectionResetError) 包住 send()，\
             出错就关闭这个连接。",
        ],
        Failure {
            step: 4,
            at: step("expect_alive"),
            line: 9,
            target: Some(crashed(
                server,
                "Traceback (most recent call last):\n  File \"server.py\", line 18, in <module>\n    conn.send(data)\nBrokenPipeError: [Errno 32] Broken pipe\n",
            )),
            diagnoses: vec![Diagnosis::Exception {
                class: "BrokenPipeError".into(),
                detail: "[Errno 32] Broken pipe".into(),
                at: Some("server.py, line 18, in <module>".into()),
                code: Some("conn.send(data)".into()),
                errno: Some(Errno::Pipe),
                caret: None,
                socketserver: false,
            }],
            ..Failure::default()
        },
    );

    let restart = diagnosed_result(
        Role::TcpServer,
        "restart",
        "The server restarts at once on the same port",
        Status::Fail,
        mm(Mismatch::AfterRestart(Box::new(
            Mismatch::EndedBeforeReady {
                ended: Ended::Code(1),
                listen: Listen {
                    udp: false,
                    port: 40001,
                },
            },
        ))),
        [
            "SO_REUSEADDR lets a server bind its port again at once, while the last run's \
             connections are still in TIME_WAIT.",
            "SO_REUSEADDR 让服务端可以立刻重新绑定端口，即使上一次运行的连接还处于 TIME_WAIT。",
        ],
        [
            "Call s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) before s.bind().",
            "在 s.bind() 之前调用 s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)。",
        ],
        Failure {
            step: 6,
            at: step("restart"),
            line: 14,
            target: Some(crashed(
                server,
                "Traceback (most recent call last):\n  File \"server.py\", line 6, in <module>\n    s.bind(('', port))\nOSError: [Errno 98] Address already in use\n",
            )),
            diagnoses: vec![Diagnosis::Exception {
                class: "OSError".into(),
                detail: "[Errno 98] Address already in use".into(),
                at: Some("server.py, line 6, in <module>".into()),
                code: Some("s.bind(('', port))".into()),
                errno: Some(Errno::AddrInUse),
                caret: None,
                socketserver: false,
            }],
            ..Failure::default()
        },
    );

    let port = diagnosed_result(
        Role::TcpServer,
        "reply-port",
        "The server listens on the port it is given",
        Status::Error,
        mm(Mismatch::NotReady {
            listen: Listen {
                udp: false,
                port: 40001,
            },
            after: secs(5),
            seen: Some(sockspec_results::Seen::ListensElsewhere {
                addrs: vec![addr("0.0.0.0:8888")],
                port: 40001,
            }),
        }),
        [
            "A server binds the port it is told.",
            "服务端绑定给它的端口。",
        ],
        ["Read the port from sys.argv.", "从 sys.argv 读取端口。"],
        Failure {
            target: Some(running(server)),
            diagnoses: vec![Diagnosis::Bound {
                addr: addr("127.0.0.1:9000"),
                problem: BindProblem::WrongPort { expected: 40001 },
            }],
            ..Failure::default()
        },
    );

    let echo = diagnosed_result(
        Role::TcpServer,
        "big-echo",
        "A large message is echoed while it is still being sent",
        Status::Fail,
        mm(Mismatch::StoppedReading),
        [
            "Send and receive buffers are small: a server that sends without receiving fills \
             them, and then both ends block.",
            "收发缓冲区的大小有限：只发不收的服务端会把缓冲区塞满，然后两端都阻塞。",
        ],
        [
            "Echo as you read: recv() a piece, send() it back, then recv() the next.",
            "边收边回：recv() 一块，send() 回去，再 recv() 下一块。",
        ],
        Failure {
            step: 3,
            at: step("send: { to: a, text: x, repeat: 8388608 }"),
            line: 7,
            target: Some(running("python3 echo.py 40001")),
            diagnoses: vec![Diagnosis::Blocked {
                peer_closed: false,
                call: BlockedCall::Send,
                socket: Some(conn(
                    "127.0.0.1:40001",
                    "127.0.0.1:51240",
                    1_048_576,
                    2_626_560,
                )),
            }],
            ..Failure::default()
        },
    );

    let client = "python3 client.py 127.0.0.1 40002";
    let stdin = diagnosed_result(
        Role::TcpClient,
        "each-line",
        "Each line typed is sent, and its reply printed",
        Status::Fail,
        mm(Mismatch::NoMessage(secs(2))),
        [
            "A client sends a message, then receives the reply: recv and send must take \
             turns, or both ends block.",
            "客户端发一条消息，再收一条回复：recv 和 send 要配合使用，否则两端都会阻塞。",
        ],
        [
            "After each input(), send() the line, then recv() the reply and print it.",
            "每次 input() 之后，先 send() 这一行，再 recv() 回复并打印出来。",
        ],
        Failure {
            step: 3,
            at: step_of("tcp-client", "expect_message: { from: a }"),
            line: 8,
            target: Some(running(client)),
            diagnoses: vec![Diagnosis::Blocked {
                peer_closed: false,
                call: BlockedCall::ReadStdin,
                socket: None,
            }],
            timeline: vec![
                at(0, Actor::Target, started(client)),
                at(96, harness("a"), Happening::Accepted),
                at(
                    97,
                    harness(""),
                    Happening::Typed {
                        text: "hello".into(),
                    },
                ),
                at(
                    2098,
                    harness(""),
                    waited(step_of("tcp-client", "expect_message: { from: a }"), 2000),
                ),
            ],
            ..Failure::default()
        },
    );

    let receiver = diagnosed_result(
        Role::BroadcastReceiver,
        "all-addresses",
        "The receiver gets datagrams sent to the broadcast address",
        Status::Fail,
        mm(Mismatch::NotPrinted {
            missing: vec![("hi".into(), 1)],
            within: secs(2),
        }),
        [
            "A broadcast goes to the largest address of the network, and only a socket bound \
             to all addresses receives it.",
            "广播发往网段的最大地址，只有绑定了所有地址的套接字才能收到。",
        ],
        [
            "Bind ('', port), not ('127.0.0.1', port).",
            "绑定 ('', port)，而不是 ('127.0.0.1', port)。",
        ],
        Failure {
            step: 2,
            at: step_of("broadcast-receiver", "expect_printed: { text: hi }"),
            line: 6,
            target: Some(running("python3 receiver.py 40003")),
            diagnoses: vec![Diagnosis::Bound {
                addr: addr("127.0.0.1:40003"),
                problem: BindProblem::NotAllAddresses,
            }],
            ..Failure::default()
        },
    );

    let web = diagnosed_result(
        Role::HttpServer,
        "empty-request",
        "A client that connects and sends nothing does not crash the server",
        Status::Fail,
        mm(Mismatch::NotRunning(Ended::Code(1))),
        [
            "Browsers open connections ahead of time and may close them without sending \
             anything: recv() then returns b''.",
            "浏览器会预先建立连接，也可能什么都不发就关闭：这时 recv() 返回 b''。",
        ],
        Default::default(),
        Failure {
            step: 3,
            at: step("expect_alive"),
            line: 7,
            target: Some(crashed(
                "python3 web.py 40004",
                "Traceback (most recent call last):\n  File \"web.py\", line 12, in handle\n    path = request.split()[1]\nIndexError: list index out of range\n",
            )),
            diagnoses: vec![Diagnosis::Exception {
                class: "IndexError".into(),
                detail: "list index out of range".into(),
                at: Some("web.py, line 12, in handle".into()),
                code: Some("path = request.split()[1]".into()),
                errno: None,
                caret: None,
                socketserver: false,
            }],
            ..Failure::default()
        },
    );

    vec![
        pass, pieces, peer_exit, second, leak, pipe, restart, port, echo, stdin, receiver, web,
    ]
}

/// Failures of programs in other languages than Python, diagnosed in
/// their own terms.
pub fn by_language() -> Vec<ScenarioResult> {
    // A C server that wrote after its client had closed: no traceback,
    // only the signal and what was last on the wire.
    let c_pipe = diagnosed_result(
        Role::TcpServer,
        "vanish-close",
        "A client that leaves in the middle of a reply does not stop the server",
        Status::Fail,
        mm(Mismatch::NotRunning(Ended::Signal(13))),
        Default::default(),
        Default::default(),
        Failure {
            step: 4,
            at: step("expect_alive"),
            line: 11,
            target: Some(TargetReport {
                command: "./server 40001".into(),
                ended: Some(Ended::Signal(13)),
                stdout: String::new(),
                stderr: String::new(),
                language: Language::C,
                ..TargetReport::default()
            }),
            diagnoses: vec![Diagnosis::Signaled {
                signal: FatalSignal::Pipe,
                after: Some(LastSeen::PeerClosed),
            }],
            ..Failure::default()
        },
    );

    // A Java server that makes its ServerSocket again for each client.
    let java_bind = diagnosed_result(
        Role::TcpServer,
        "peer-exit",
        "A client that leaves does not stop the server",
        Status::Fail,
        mm(Mismatch::NotRunning(Ended::Code(1))),
        Default::default(),
        Default::default(),
        Failure {
            step: 5,
            at: step("expect_alive"),
            line: 12,
            target: Some(TargetReport {
                command: "java Server 40001".into(),
                ended: Some(Ended::Code(1)),
                stdout: String::new(),
                stderr: "Exception in thread \"main\" java.net.BindException: Address already in use\n\tat java.base/sun.nio.ch.Net.bind0(Native Method)\n\tat java.base/java.net.ServerSocket.<init>(ServerSocket.java:167)\n\tat Server.main(Server.java:9)\n".into(),
                language: Language::Java,
                ..TargetReport::default()
            }),
            diagnoses: vec![Diagnosis::JavaException {
                thrown: JavaThrowable {
                    class: "java.net.BindException".into(),
                    message: "Address already in use".into(),
                },
                wrapper: None,
                at: Some(JavaFrame {
                    method: "Server.main".into(),
                    file: Some("Server.java".into()),
                    line: Some(9),
                }),
                call: Some(sockspec_results::SocketCall::Bind),
            }],
            ..Failure::default()
        },
    );

    vec![c_pipe, java_bind]
}

/// [`by_language`] as the events of a run.
pub fn by_language_events() -> Vec<Event> {
    events_of(by_language(), "--reply fixed:Thanks")
}

/// [`diagnosed`] as the events of a run.
pub fn diagnosed_events() -> Vec<Event> {
    events_of(diagnosed(), "--reply fixed:Thanks --framing line")
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
