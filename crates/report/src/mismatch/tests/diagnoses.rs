//! One diagnosis or more of every kind, with one sample per branch of its
//! sentence; the walk says each about a program of every role.

use std::net::SocketAddr;

use sockspec_results::{
    BindProblem, BlockedCall, Diagnosis, Errno, FatalSignal, JavaFrame, JavaThrowable, Language,
    LastSeen, Python2Sign, RoleSign, SocketCall, SocketView, SourceLine,
};

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("an address")
}

fn calls() -> Vec<BlockedCall> {
    every!(BlockedCall {
        Accept => [BlockedCall::Accept],
        Recv => [BlockedCall::Recv],
        Send => [BlockedCall::Send],
        Connect => [BlockedCall::Connect],
        ReadStdin => [BlockedCall::ReadStdin],
        Poll => [BlockedCall::Poll],
        Sleep => [BlockedCall::Sleep],
        Other => [BlockedCall::Other(7)],
    })
}

/// No socket, and a socket with nothing queued, bytes to read, bytes
/// unsent, and both.
fn sockets() -> Vec<Option<SocketView>> {
    let view = |rx_queue, tx_queue| SocketView {
        proto: "tcp",
        local: addr("127.0.0.1:9000"),
        peer: Some(addr("127.0.0.1:40001")),
        rx_queue,
        tx_queue,
        state: "ESTABLISHED",
    };
    let mut all = vec![None];
    all.extend([(0, 0), (5, 0), (0, 5), (5, 5)].map(|(rx, tx)| Some(view(rx, tx))));
    all
}

/// An uncaught exception of every class the table in
/// `diagnose/exception.rs` knows (it matches on text, so this list is
/// kept by hand), and one it does not.
fn exceptions() -> Vec<Diagnosis> {
    // The errno the runner reads from `[Errno N]`.
    let number = |detail: &str| {
        detail
            .strip_prefix("[Errno ")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse().ok())
            .and_then(Errno::from_number)
    };
    let errno = |class: &str, detail: &str, code: &str| Diagnosis::Exception {
        class: class.into(),
        detail: detail.into(),
        at: Some("server.py, line 18, in handle".into()),
        code: Some(code.into()),
        errno: number(detail),
        caret: None,
        socketserver: false,
    };
    let bare = |class: &str, detail: &str| Diagnosis::Exception {
        class: class.into(),
        detail: detail.into(),
        at: None,
        code: None,
        errno: number(detail),
        caret: None,
        socketserver: false,
    };
    let syntax = |caret| Diagnosis::Exception {
        class: "SyntaxError".into(),
        detail: "invalid syntax".into(),
        at: Some("server.py, line 3".into()),
        code: Some("y = `x`".into()),
        errno: None,
        caret,
        socketserver: false,
    };
    let socketserver = Diagnosis::Exception {
        class: "OSError".into(),
        detail: "[Errno 98] Address already in use".into(),
        at: Some("ss.py, line 6, in <module>".into()),
        code: Some("b = socketserver.TCPServer(('', port), H)".into()),
        errno: Some(Errno::AddrInUse),
        caret: None,
        socketserver: true,
    };
    vec![
        errno(
            "TypeError",
            "a bytes-like object is required, not 'str'",
            "conn.send(\"Thanks\")",
        ),
        errno(
            "TypeError",
            "a bytes-like object is required, not 'str'",
            "data.split(' ')",
        ),
        errno("TypeError", "can't concat str to bytes", "data + '!'"),
        errno(
            "TypeError",
            "unsupported operand type(s) for +: 'bytes' and 'str'",
            "data + '!'",
        ),
        errno(
            "TypeError",
            "'str' object cannot be interpreted as an integer",
            "s.bind(('', sys.argv[1]))",
        ),
        errno("TypeError", "f() takes 1 positional argument", "f(a, b)"),
        errno("NameError", "name 'conn' is not defined", "conn.recv(1024)"),
        syntax(Some(5)),
        syntax(None),
        bare("IndentationError", "unexpected indent"),
        errno(
            "struct.error",
            "unpack requires a buffer of 4 bytes",
            "struct.unpack('!I', data)",
        ),
        errno("EOFError", "EOF when reading a line", "line = input()"),
        socketserver,
        errno(
            "OSError",
            "[Errno 110] Connection timed out",
            "s.connect(addr)",
        ),
        errno(
            "OSError",
            "[Errno 90] Message too long",
            "s.sendto(data, addr)",
        ),
        errno(
            "OSError",
            "[Errno 107] Transport endpoint is not connected",
            "s.send(data)",
        ),
        errno("OSError", "[Errno 22] Invalid argument", "s.bind(addr)"),
        errno(
            "socket.error",
            "[Errno 98] Address already in use",
            "s.bind(addr)",
        ),
        errno(
            "BrokenPipeError",
            "[Errno 32] Broken pipe",
            "conn.send(data)",
        ),
        errno(
            "ConnectionResetError",
            "[Errno 104] Connection reset by peer",
            "conn.recv(1024)",
        ),
        errno(
            "ConnectionRefusedError",
            "[Errno 111] Connection refused",
            "s.connect(addr)",
        ),
        errno(
            "ConnectionAbortedError",
            "[Errno 103] Software caused connection abort",
            "s.accept()",
        ),
        errno(
            "OSError",
            "[Errno 98] Address already in use",
            "s.bind(addr)",
        ),
        errno("OSError", "[WinError 10048] Only one usage", "s.bind(addr)"),
        errno(
            "PermissionError",
            "[Errno 13] Permission denied",
            "s.sendto(data, addr)",
        ),
        errno(
            "PermissionError",
            "[Errno 13] Permission denied",
            "s.bind(addr)",
        ),
        errno(
            "PermissionError",
            "[Errno 13] Permission denied",
            "open(name, 'w')",
        ),
        errno(
            "OSError",
            "[Errno 9] Bad file descriptor",
            "conn.recv(1024)",
        ),
        errno(
            "OSError",
            "[Errno 99] Cannot assign requested address",
            "s.bind(addr)",
        ),
        errno(
            "UnicodeDecodeError",
            "'utf-8' codec can't decode byte 0xff",
            "data.decode()",
        ),
        errno(
            "IndexError",
            "list index out of range",
            "cmd = data.split()[1]",
        ),
        errno(
            "ValueError",
            "invalid literal for int() with base 10: 'x'",
            "int(text)",
        ),
        errno(
            "ValueError",
            "not enough values to unpack",
            "a, b = line.split()",
        ),
        errno("KeyError", "'Content-Length'", "headers['Content-Length']"),
        bare("KeyError", ""),
        errno("TimeoutError", "timed out", "s.recvfrom(1024)"),
        bare("socket.timeout", "timed out"),
        bare("timeout", ""),
        bare("MemoryError", ""),
        errno(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: '/home/me/site/index.html'",
            "open(path)",
        ),
        errno(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: 'index.html'",
            "open(path)",
        ),
        bare("FileNotFoundError", ""),
        errno("ZeroDivisionError", "division by zero", "n / 0"),
        bare("ZeroDivisionError", ""),
    ]
}

/// Every signal a program dies of, after each thing it can be seen doing.
fn signaled() -> Vec<Diagnosis> {
    let signals = every!(FatalSignal {
        Pipe => [FatalSignal::Pipe],
        Segv => [FatalSignal::Segv],
        Bus => [FatalSignal::Bus],
        Abrt => [FatalSignal::Abrt],
        Fpe => [FatalSignal::Fpe],
        Ill => [FatalSignal::Ill],
    });
    let seen = every!(LastSeen {
        Starting => [LastSeen::Starting],
        Connected => [LastSeen::Connected],
        GotBytes => [LastSeen::GotBytes(6)],
        SentBytes => [LastSeen::SentBytes(6)],
        PeerClosed => [LastSeen::PeerClosed],
        PeerReset => [LastSeen::PeerReset],
        Typed => [LastSeen::Typed],
        StdinClosed => [LastSeen::StdinClosed],
    });
    let afters: Vec<Option<LastSeen>> = std::iter::once(None)
        .chain(seen.into_iter().map(Some))
        .collect();
    signals
        .into_iter()
        .flat_map(|signal| {
            afters
                .clone()
                .into_iter()
                .map(move |after| Diagnosis::Signaled { signal, after })
        })
        .collect()
}

/// Every errno a C program can print, for every call its line can name
/// (and none).
fn failed_calls() -> Vec<Diagnosis> {
    let calls = every!(SocketCall {
        Socket => [SocketCall::Socket],
        Setsockopt => [SocketCall::Setsockopt],
        Bind => [SocketCall::Bind],
        Listen => [SocketCall::Listen],
        Accept => [SocketCall::Accept],
        Connect => [SocketCall::Connect],
        Send => [SocketCall::Send],
        Recv => [SocketCall::Recv],
        Close => [SocketCall::Close],
    });
    let calls: Vec<Option<SocketCall>> = std::iter::once(None)
        .chain(calls.into_iter().map(Some))
        .collect();
    Errno::all()
        .flat_map(|errno| {
            calls
                .clone()
                .into_iter()
                .map(move |call| Diagnosis::CallFailed {
                    call,
                    errno,
                    line: format!(
                        "{}: {}",
                        call.map_or("error", |c| c.name()),
                        errno.strerror()
                    ),
                })
        })
        .collect()
}

/// A Java exception of every class the table in
/// `diagnose/java_exception.rs` knows (it matches on names and messages,
/// so this list is kept by hand), with and without a frame and a wrapper.
fn java_exceptions() -> Vec<Diagnosis> {
    let frame = |method: &str| JavaFrame {
        method: method.into(),
        file: Some("Server.java".into()),
        line: Some(7),
    };
    let thrown = |class: &str, message: &str| JavaThrowable {
        class: class.into(),
        message: message.into(),
    };
    let mut all = Vec::new();
    for (class, message) in [
        ("java.net.BindException", "Address already in use"),
        ("java.net.BindException", "Cannot assign requested address"),
        ("java.net.BindException", "Permission denied"),
        ("java.net.ConnectException", "Connection refused"),
        ("java.net.ConnectException", "Connection timed out"),
        ("java.net.SocketException", "Connection reset"),
        ("java.net.SocketException", "Broken pipe"),
        ("java.net.SocketException", "Socket closed"),
        ("java.net.SocketException", "Permission denied"),
        ("java.net.SocketException", "Something else"),
        ("java.io.IOException", "Broken pipe"),
        ("java.io.EOFException", ""),
        ("java.net.SocketTimeoutException", "Receive timed out"),
        (
            "java.lang.NumberFormatException",
            "For input string: \"abc\"",
        ),
        (
            "java.lang.ArrayIndexOutOfBoundsException",
            "Index 0 out of bounds for length 0",
        ),
        (
            "java.lang.ArrayIndexOutOfBoundsException",
            "Index 9 out of bounds for length 4",
        ),
        ("java.lang.NullPointerException", ""),
        ("java.lang.IllegalStateException", "oops"),
        ("java.lang.IllegalStateException", ""),
    ] {
        for (at, wrapper) in [
            (Some(frame("Server.main")), None),
            (
                Some(frame("Server.handle")),
                Some(thrown("java.lang.RuntimeException", "could not start")),
            ),
            (None, None),
        ] {
            all.push(Diagnosis::JavaException {
                thrown: thrown(class, message),
                wrapper,
                at,
                call: None,
            });
        }
    }
    all.push(Diagnosis::JavaException {
        thrown: thrown("java.io.EOFException", ""),
        wrapper: None,
        at: Some(JavaFrame {
            method: "Server.main".into(),
            file: None,
            line: None,
        }),
        call: Some(sockspec_results::SocketCall::Recv),
    });
    all
}

/// Each sign of Python 2, where it shows and not, on a machine with a
/// python2 and without.
fn python2() -> Vec<Diagnosis> {
    let signs = every!(Python2Sign {
        PrintStatement => [Python2Sign::PrintStatement],
        ExceptComma => [Python2Sign::ExceptComma],
        Backticks => [Python2Sign::Backticks],
        Builtin => ["raw_input", "xrange", "unicode", "unichr", "execfile", "other"]
            .map(|n| Python2Sign::Builtin(n.into())),
        InputEvaluates => [Python2Sign::InputEvaluates],
    });
    let at = SourceLine {
        file: "server.py".into(),
        line: 3,
        code: "print \"listening\"".into(),
    };
    signs
        .into_iter()
        .flat_map(|sign| {
            [(Some(at.clone()), None), (None, Some("python2".to_owned()))].map(|(at, python2)| {
                Diagnosis::Python2 {
                    sign: sign.clone(),
                    at,
                    python2,
                }
            })
        })
        .collect()
}

/// Every language a program can be recognised as.
pub(super) fn languages() -> Vec<Language> {
    every!(Language {
        Python => [Language::Python],
        Python2 => [Language::Python2],
        C => [Language::C],
        Java => [Language::Java],
        Unknown => [Language::Unknown],
    })
}

pub(super) fn diagnoses() -> Vec<Diagnosis> {
    let blocked = calls().into_iter().flat_map(|call| {
        sockets().into_iter().map(move |socket| Diagnosis::Blocked {
            peer_closed: false,
            call,
            socket,
        })
    });
    let problems = every!(BindProblem {
        WrongPort => [BindProblem::WrongPort { expected: 9000 }],
        NotAllAddresses => [BindProblem::NotAllAddresses],
    });
    let signs = every!(RoleSign {
        Listens => [RoleSign::Listens(addr("0.0.0.0:9000"))],
        BindsHarnessPort => [RoleSign::BindsHarnessPort(9000)],
        Connects => [
            RoleSign::Connects(Some(addr("127.0.0.1:9000"))),
            RoleSign::Connects(None),
        ],
    });
    every!(Diagnosis {
        Blocked => blocked,
        Spinning => [(95, true), (40, true), (95, false)].map(|(cpu_percent, after)| {
            Diagnosis::Spinning {
                cpu_percent,
                window: std::time::Duration::from_millis(500),
                after_peer_closed: after,
            }
        }),
        LeakingSockets => [(vec![2, 3, 4], 0), (vec![3], 1), (vec![2, 3], 2)].map(
            |(counts, close_wait)| Diagnosis::LeakingSockets { counts, close_wait }
        ),
        Exception => exceptions(),
        Signaled => signaled(),
        CallFailed => failed_calls(),
        JavaException => java_exceptions(),
        Python2 => python2(),
        Bound => problems.into_iter().map(|problem| Diagnosis::Bound {
            addr: addr("127.0.0.1:8080"),
            problem,
        }),
        WrongRole => signs.into_iter().flat_map(|seen| {
            super::samples::roles()
                .into_iter()
                .map(move |plays| Diagnosis::WrongRole { seen, plays })
        }),
        PageNotFound => [Diagnosis::PageNotFound {
            path: "/".into(),
            cwd: "/sub/student".into(),
        }],
        LimitHit => [
            sockspec_results::LimitHit::Processes { max: 64 },
            sockspec_results::LimitHit::Memory { max_mib: 256 },
        ]
        .map(Diagnosis::LimitHit),
    })
}
