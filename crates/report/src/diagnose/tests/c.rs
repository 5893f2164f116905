//! Sentences about programs in C: signals, perror lines, and the /proc
//! diagnoses in C's words.

use sockspec_model::Role;
use sockspec_results::{
    BindProblem, BlockedCall, Diagnosis, Errno, FatalSignal, Language, LastSeen, RoleSign,
    SocketCall,
};

use super::{addr, has, view};
use crate::Lang;

fn say(d: &Diagnosis, role: Role) -> (String, String) {
    let t = super::super::both(d, role, Language::C);
    (t.en, t.zh)
}

fn signaled(signal: FatalSignal, after: Option<LastSeen>) -> Diagnosis {
    Diagnosis::Signaled { signal, after }
}

fn failed(call: Option<SocketCall>, errno: Errno, line: &str) -> Diagnosis {
    Diagnosis::CallFailed {
        call,
        errno,
        line: line.into(),
    }
}

#[test]
fn a_tcp_server_dead_of_sigpipe() {
    let (en, zh) = say(
        &signaled(FatalSignal::Pipe, Some(LastSeen::PeerClosed)),
        Role::TcpServer,
    );
    assert_eq!(
        en,
        "the server died of SIGPIPE (signal 13) right after the client closed the connection \
         (from then on its recv() returns 0): it wrote to a connection whose peer had gone; a \
         C program dies of SIGPIPE unless it ignores it: signal(SIGPIPE, SIG_IGN); at the \
         start of main(), or send(fd, buf, n, MSG_NOSIGNAL); and then check send()'s -1 with \
         errno EPIPE and close that connection"
    );
    assert_eq!(
        zh,
        "服务端在客户端关闭连接之后（从那时起它的 recv() 返回 0）被 SIGPIPE 信号（13）终止了：\
         它往一个对方已经关闭的连接里写数据；C 程序收到 SIGPIPE 默认就会终止，除非忽略它：\
         在 main() 开头调用 signal(SIGPIPE, SIG_IGN)，或者用 send(fd, buf, n, MSG_NOSIGNAL) \
         发送；然后检查 send() 返回的 -1，errno 为 EPIPE 时关闭这个连接"
    );
    // Nothing of Python's.
    for python in ["b''", "BrokenPipeError", "try"] {
        assert!(!en.contains(python) && !zh.contains(python), "{python}");
    }
}

#[test]
fn a_segfault_says_what_was_last_on_the_wire() {
    let (en, zh) = say(
        &signaled(FatalSignal::Segv, Some(LastSeen::GotBytes(6))),
        Role::TcpServer,
    );
    has(
        &en,
        &[
            "died of SIGSEGV (signal 11) right after the client sent it 6 bytes",
            "invalid memory access",
            "check recv()'s return before using the buffer",
            "buf[n] = '\\0' is only right for n > 0",
            "valgrind",
            "-fsanitize=address -g",
        ],
    );
    has(
        &zh,
        &[
            "在客户端发给它 6 字节之后",
            "段错误",
            "buf[n] = '\\0'",
            "valgrind",
        ],
    );
    let (en, zh) = say(
        &signaled(FatalSignal::Segv, Some(LastSeen::PeerClosed)),
        Role::TcpServer,
    );
    has(
        &en,
        &[
            "right after the client closed the connection",
            "recv() returns 0",
        ],
    );
    has(&zh, &["客户端关闭连接之后", "recv() 返回 0"]);
    let (en, zh) = say(
        &signaled(FatalSignal::Segv, Some(LastSeen::Starting)),
        Role::TcpServer,
    );
    has(
        &en,
        &["while starting", "argv[1] used without checking argc"],
    );
    has(&zh, &["启动时", "argc"]);
    let (en, _) = say(&signaled(FatalSignal::Segv, None), Role::UdpServer);
    has(
        &en,
        &[
            "died of SIGSEGV (signal 11): an invalid memory access",
            "recvfrom()'s return",
        ],
    );
}

#[test]
fn abort_and_division_by_zero() {
    let (en, zh) = say(&signaled(FatalSignal::Abrt, None), Role::TcpServer);
    has(
        &en,
        &[
            "SIGABRT (signal 6)",
            "assert()",
            "double free()",
            "valgrind",
        ],
    );
    has(&zh, &["abort()", "assert()", "free() 了两次"]);
    let (en, zh) = say(&signaled(FatalSignal::Fpe, None), Role::TcpServer);
    has(&en, &["SIGFPE (signal 8)", "division (or %) by zero"]);
    has(&zh, &["除以零"]);
}

#[test]
fn python_and_java_ignore_sigpipe_unless_told() {
    let d = signaled(FatalSignal::Pipe, Some(LastSeen::PeerClosed));
    let t = super::super::both(&d, Role::TcpServer, Language::Python);
    has(
        &t.en,
        &["signal.SIG_DFL", "BrokenPipeError", "recv() returns b''"],
    );
    assert!(!t.en.contains("MSG_NOSIGNAL"), "{}", t.en);
    let t = super::super::both(&d, Role::TcpServer, Language::Java);
    has(&t.en, &["IOException", "read() returns -1"]);
}

#[test]
fn perror_lines_become_their_errno_and_c_advice() {
    let (en, zh) = say(
        &failed(
            Some(SocketCall::Bind),
            Errno::AddrInUse,
            "bind: Address already in use",
        ),
        Role::TcpServer,
    );
    assert_eq!(
        en,
        "the server printed \"bind: Address already in use\": bind() failed with EADDRINUSE — \
         the port is still taken when bind() runs: after the four-way close the previous \
         run's connections wait in TIME_WAIT, and without SO_REUSEADDR the port cannot be \
         bound again until they are gone. Set SO_REUSEADDR before bind(): int one = 1; \
         setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);"
    );
    has(
        &zh,
        &[
            "服务端输出了 \"bind: Address already in use\"：bind() 失败了，errno 为 EADDRINUSE",
            "TIME_WAIT",
            "setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);",
        ],
    );
    // UDP: another socket holds the port.
    let (en, zh) = say(
        &failed(
            Some(SocketCall::Bind),
            Errno::AddrInUse,
            "bind failed: Address already in use",
        ),
        Role::UdpServer,
    );
    has(&en, &["another UDP socket is bound", "(argv)"]);
    has(&zh, &["另一个 UDP 套接字"]);
    assert!(
        !en.contains("TIME_WAIT") && !en.contains("SO_REUSEADDR"),
        "{en}"
    );
    let (en, _) = say(
        &failed(
            Some(SocketCall::Connect),
            Errno::ConnRefused,
            "connect: Connection refused",
        ),
        Role::TcpClient,
    );
    has(
        &en,
        &[
            "connect() failed with ECONNREFUSED",
            "nothing is listening",
            "argv[1], argv[2]",
            "htons()",
        ],
    );
    let (en, _) = say(
        &failed(
            Some(SocketCall::Accept),
            Errno::Intr,
            "accept: Interrupted system call",
        ),
        Role::TcpServer,
    );
    has(&en, &["EINTR", "SIGCHLD", "SA_RESTART"]);
    let (en, _) = say(
        &failed(
            Some(SocketCall::Send),
            Errno::Acces,
            "sendto: Permission denied",
        ),
        Role::BroadcastSender,
    );
    has(
        &en,
        &["setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);"],
    );
    let (en, _) = say(
        &failed(
            Some(SocketCall::Accept),
            Errno::Inval,
            "accept: Invalid argument",
        ),
        Role::TcpServer,
    );
    has(&en, &["not listening", "listen(fd, 5)"]);
    let (en, _) = say(
        &failed(
            Some(SocketCall::Recv),
            Errno::BadF,
            "recv: Bad file descriptor",
        ),
        Role::TcpServer,
    );
    has(&en, &["already close()d", "-1 of a socket() or accept()"]);
    let (en, _) = say(
        &failed(
            Some(SocketCall::Recv),
            Errno::ConnReset,
            "recv: Connection reset by peer",
        ),
        Role::TcpServer,
    );
    has(
        &en,
        &["ECONNRESET instead of returning 0", "go back to accept()"],
    );
    // An errno without advice of its own, and a line that names no call.
    let (en, zh) = say(
        &failed(None, Errno::NoEnt, "No such file or directory"),
        Role::TcpServer,
    );
    has(
        &en,
        &[
            "a call failed with ENOENT",
            "\"No such file or directory\"",
            "-1",
        ],
    );
    has(&zh, &["有一个调用失败了，errno 为 ENOENT"]);
}

#[test]
fn proc_diagnoses_in_cs_words() {
    let c = |d: &Diagnosis, role| super::super::sentence(d, role, Language::C, Lang::En);
    let recv = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Recv,
        socket: Some(view(0, 0)),
    };
    assert!(c(&recv, Role::TcpServer).starts_with("the server is blocked in recv() on "));
    let spin = Diagnosis::Spinning {
        cpu_percent: 100,
        window: std::time::Duration::from_millis(200),
        after_peer_closed: true,
    };
    assert_eq!(
        c(&spin, Role::TcpServer),
        "the server is spinning at 100% CPU after the peer closed: recv() returns 0 forever; \
         break out of the loop when it does"
    );
    has(
        &super::super::sentence(&spin, Role::TcpServer, Language::C, Lang::Zh),
        &["recv() 一直返回 0，返回 0 时应当跳出循环"],
    );
    let stdin = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::ReadStdin,
        socket: None,
    };
    has(&c(&stdin, Role::TcpClient), &["(fgets())"]);
    // Back in fgets() after the server left: recv()'s 0 was not checked.
    let ignored = Diagnosis::Blocked {
        peer_closed: true,
        call: BlockedCall::ReadStdin,
        socket: None,
    };
    let (en, zh) = say(&ignored, Role::TcpClient);
    has(
        &en,
        &[
            "(fgets())",
            "recv() returned 0 and the client did not check it",
        ],
    );
    has(&zh, &["recv() 返回了 0，客户端却没有检查"]);
    // A server reading its console is not a client that missed the end.
    has(
        &c(&ignored, Role::TcpServer),
        &["waiting for a line to be typed"],
    );
    let sleep = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Sleep,
        socket: None,
    };
    has(&c(&sleep, Role::TcpServer), &["(sleep())"]);
    let poll = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Poll,
        socket: None,
    };
    assert!(!c(&poll, Role::TcpServer).contains("settimeout"));
    let port = Diagnosis::Bound {
        addr: addr("127.0.0.1:9001"),
        problem: BindProblem::WrongPort { expected: 9000 },
    };
    has(&c(&port, Role::TcpServer), &["command line (argv)"]);
    let all = Diagnosis::Bound {
        addr: addr("127.0.0.1:9000"),
        problem: BindProblem::NotAllAddresses,
    };
    has(&c(&all, Role::BroadcastReceiver), &["(INADDR_ANY)"]);
    let refused = Diagnosis::WrongRole {
        seen: RoleSign::Connects(None),
        plays: Role::TcpClient,
    };
    has(&c(&refused, Role::TcpServer), &["(ECONNREFUSED)"]);
    let leak = Diagnosis::LeakingSockets {
        counts: vec![3, 4],
        close_wait: 1,
    };
    has(
        &super::super::sentence(&leak, Role::TcpServer, Language::C, Lang::Zh),
        &["recv() 返回 0"],
    );
}
