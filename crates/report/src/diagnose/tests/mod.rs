//! The sentences of every kind of diagnosis, through [`sentence`] and
//! [`both`] as the reporters ask for them: here about Python programs
//! (and UDP's words), in the modules below about programs in C and Java
//! and about Python 2.

mod c;
mod java;
mod python;
mod python2;

use std::net::SocketAddr;

use sockspec_model::{Localized, Role};
use sockspec_results::{BindProblem, BlockedCall, Diagnosis, Errno, Language, SocketView};

use crate::Lang;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// The sentence about a Python program.
fn sentence(d: &Diagnosis, role: Role, lang: Lang) -> String {
    super::sentence(d, role, Language::Python, lang)
}

/// Both sentences about a Python program.
fn both(d: &Diagnosis, role: Role) -> Localized {
    super::both(d, role, Language::Python)
}

/// An exception as the runner reads it from a traceback: the errno is the
/// one its detail quotes.
fn exc(class: &str, detail: &str, at: Option<&str>, code: Option<&str>) -> Diagnosis {
    let errno = detail
        .strip_prefix("[Errno ")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok())
        .and_then(Errno::from_number)
        .or_else(|| {
            detail
                .contains("[WinError 10048]")
                .then_some(Errno::AddrInUse)
        });
    Diagnosis::Exception {
        class: class.into(),
        detail: detail.into(),
        at: at.map(str::to_owned),
        code: code.map(str::to_owned),
        errno,
        caret: None,
        socketserver: false,
    }
}

/// The sentence of an exception in both languages, for a TCP server.
fn server(class: &str, detail: &str, code: Option<&str>) -> (String, String) {
    let d = exc(class, detail, Some("server.py, line 18, in <module>"), code);
    let t = both(&d, Role::TcpServer);
    (t.en, t.zh)
}

/// Asserts that `text` contains every one of `parts`.
fn has(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{p:?} not in:\n{text}");
    }
}

#[test]
fn an_exception_quotes_where_and_the_code() {
    let (en, zh) = server(
        "BrokenPipeError",
        "[Errno 32] Broken pipe",
        Some("conn.send(data)"),
    );
    assert!(
        en.starts_with("BrokenPipeError at server.py, line 18: conn.send(data) — "),
        "{en}"
    );
    assert!(
        zh.starts_with("server.py 第 18 行的 conn.send(data) 抛出了 BrokenPipeError："),
        "{zh}"
    );
    let d = exc("KeyError", "'Host'", Some("web.py, line 7, in parse"), None);
    let t = both(&d, Role::HttpServer);
    assert!(
        t.en.starts_with("KeyError at web.py, line 7, in parse — "),
        "{}",
        t.en
    );
    assert!(
        t.zh.starts_with("web.py 第 7 行（parse 函数）抛出了 KeyError："),
        "{}",
        t.zh
    );
    let t = both(&exc("MemoryError", "", None, None), Role::TcpServer);
    assert!(t.en.starts_with("MemoryError — "), "{}", t.en);
    assert!(t.zh.starts_with("程序抛出了 MemoryError："), "{}", t.zh);
}

#[test]
fn broken_pipe_is_the_peer_that_left() {
    let (en, zh) = server(
        "BrokenPipeError",
        "[Errno 32] Broken pipe",
        Some("conn.send(data)"),
    );
    has(
        &en,
        &[
            "the client had already closed",
            "recv() returns b''",
            "accept()",
        ],
    );
    has(
        &zh,
        &[
            "客户端已经关闭了连接",
            "产生 BrokenPipeError",
            "回到 accept()",
        ],
    );
    let t = both(&exc("BrokenPipeError", "", None, None), Role::TcpClient);
    has(
        &t.en,
        &[
            "the server had already closed",
            "close() the socket and quit",
        ],
    );
    has(&t.zh, &["服务端已经关闭了连接", "退出"]);
}

#[test]
fn connection_reset_is_an_rst_to_handle_like_b() {
    let (en, zh) = server(
        "ConnectionResetError",
        "[Errno 104] Connection reset by peer",
        None,
    );
    has(
        &en,
        &[
            "reset the connection (RST",
            "treat it like b''",
            "must not stop the server",
        ],
    );
    has(&zh, &["重置了连接（RST", "按收到 b'' 一样处理"]);
}

#[test]
fn connection_refused_is_nothing_listening_or_an_unreachable_port() {
    let d = exc(
        "ConnectionRefusedError",
        "[Errno 111] Connection refused",
        None,
        Some("s.connect((host, port))"),
    );
    let t = both(&d, Role::TcpClient);
    has(&t.en, &["nothing is listening", "sys.argv"]);
    has(&t.zh, &["没有程序在监听", "不要写死"]);
    let t = both(&d, Role::UdpClient);
    has(&t.en, &["port unreachable", "recvfrom()"]);
    has(&t.zh, &["端口不可达", "recvfrom()"]);
}

#[test]
fn connection_aborted_is_a_client_gone_before_accept() {
    let (en, zh) = server(
        "ConnectionAbortedError",
        "[Errno 103] Software caused connection abort",
        Some("conn, addr = s.accept()"),
    );
    has(
        &en,
        &["before accept() takes it", "keep serving the others"],
    );
    has(&zh, &["还没被 accept() 取走", "继续服务其他客户端"]);
}

#[test]
fn address_in_use_is_so_reuseaddr() {
    let (en, zh) = server(
        "OSError",
        "[Errno 98] Address already in use",
        Some("s.bind(('', port))"),
    );
    has(
        &en,
        &["TIME_WAIT", "four-way close", "socket.SO_REUSEADDR, 1)"],
    );
    has(&zh, &["四次挥手", "TIME_WAIT", "端口重用", "SO_REUSEADDR"]);
    // The class matters less than the errno.
    let (en, _) = server("error", "[Errno 98] Address already in use", None);
    has(&en, &["SO_REUSEADDR"]);
}

#[test]
fn permission_denied_on_a_broadcast_is_so_broadcast() {
    let d = exc(
        "PermissionError",
        "[Errno 13] Permission denied",
        Some("sender.py, line 9, in <module>"),
        Some("s.sendto(data, (addr, port))"),
    );
    let t = both(&d, Role::BroadcastSender);
    has(
        &t.en,
        &["broadcast address is refused", "socket.SO_BROADCAST, 1)"],
    );
    has(&t.zh, &["广播", "SO_BROADCAST"]);
    let d = exc(
        "OSError",
        "[Errno 13] Permission denied",
        None,
        Some("s.sendto(b'hi', ('<broadcast>', 9000))"),
    );
    assert!(both(&d, Role::UdpClient).en.contains("SO_BROADCAST"));
    let d = exc(
        "PermissionError",
        "[Errno 13] Permission denied",
        None,
        Some("s.bind(('', 80))"),
    );
    assert!(both(&d, Role::TcpServer).en.contains("below 1024"));
    let d = exc(
        "PermissionError",
        "[Errno 13] Permission denied: '/etc/x'",
        None,
        Some("open('/etc/x', 'w')"),
    );
    assert!(both(&d, Role::TcpServer).en.contains("own folder"));
}

#[test]
fn other_errnos_homework_hits() {
    let (en, zh) = server(
        "OSError",
        "[Errno 9] Bad file descriptor",
        Some("data = conn.recv(1024)"),
    );
    has(&en, &["used after close()"]);
    has(&zh, &["close() 之后又被使用"]);
    let (en, _) = server(
        "OSError",
        "[Errno 99] Cannot assign requested address",
        None,
    );
    has(&en, &["not one of this machine's"]);
}

#[test]
fn unicode_decode_error_is_bytes_that_are_not_utf8() {
    let (en, zh) = server(
        "UnicodeDecodeError",
        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        Some("text = data.decode()"),
    );
    has(
        &en,
        &["not UTF-8", "errors='replace'", "keep working on bytes"],
    );
    has(&zh, &["不一定是 UTF-8", "errors='replace'", "字节流"]);
}

#[test]
fn index_and_value_errors_are_an_empty_request() {
    let d = exc(
        "IndexError",
        "list index out of range",
        Some("web.py, line 12, in <module>"),
        Some("path = request.split()[1]"),
    );
    let t = both(&d, Role::HttpServer);
    has(
        &t.en,
        &[
            "an empty request",
            "b''",
            "Check for the empty request first",
            "if not data:",
        ],
    );
    has(&t.zh, &["空请求", "split()", "先检查是不是空请求"]);
    let d = exc(
        "ValueError",
        "not enough values to unpack (expected 3, got 0)",
        None,
        Some("method, path, version = line.split()"),
    );
    let t = both(&d, Role::HttpServer);
    has(
        &t.en,
        &[
            "unpacking failed (not enough values",
            "empty or short request",
            "len(parts)",
        ],
    );
    has(&t.zh, &["拆包失败", "len(parts)"]);
    let t = both(&d, Role::TcpClient);
    has(&t.en, &["empty or short message", "before splitting it"]);
    let d = exc(
        "ValueError",
        "invalid literal for int() with base 10: 'abc'",
        None,
        None,
    );
    has(
        &both(&d, Role::HttpServer).en,
        &["not a whole number", "isdigit()"],
    );
}

#[test]
fn key_error_is_a_missing_header() {
    let d = exc(
        "KeyError",
        "'Content-Length'",
        None,
        Some("n = int(headers['Content-Length'])"),
    );
    let t = both(&d, Role::HttpServer);
    has(
        &t.en,
        &[
            "no key 'Content-Length'",
            "headers.get('Content-Length', '0')",
        ],
    );
    has(&t.zh, &["没有键 'Content-Length'", "headers.get("]);
    let t = both(&d, Role::TcpServer);
    has(&t.en, &["d.get(key)"]);
}

#[test]
fn timeouts_are_settimeout() {
    for class in ["timeout", "socket.timeout", "TimeoutError"] {
        let d = exc(
            class,
            "timed out",
            None,
            Some("data, addr = s.recvfrom(1024)"),
        );
        let t = both(&d, Role::UdpClient);
        has(&t.en, &["settimeout()", "go on to the next line"]);
        has(&t.zh, &["settimeout()", "接着处理下一行"]);
        assert!(both(&d, Role::TcpServer).en.contains("set no timeout"));
    }
}

#[test]
fn memory_error_is_an_unbounded_buffer() {
    let (en, zh) = server("MemoryError", "", Some("buf += conn.recv(n)"));
    has(&en, &["ran out of memory", "recv(4096)"]);
    has(&zh, &["内存", "recv(4096)"]);
}

#[test]
fn file_not_found_is_the_working_directory() {
    let d = exc(
        "FileNotFoundError",
        "[Errno 2] No such file or directory: 'index.html'",
        None,
        Some("f = open('index.html')"),
    );
    let t = both(&d, Role::HttpServer);
    has(
        &t.en,
        &[
            "'index.html' relative to the working directory",
            "__file__",
            "answer 404",
        ],
    );
    has(&t.zh, &["当前工作目录", "__file__", "404"]);
    let d = exc(
        "FileNotFoundError",
        "[Errno 2] No such file or directory: '/home/me/hw/index.html'",
        None,
        None,
    );
    has(
        &both(&d, Role::HttpServer).en,
        &["does not exist on the grading machine"],
    );
}

#[test]
fn any_other_class_gets_the_general_advice() {
    let (en, zh) = server("ZeroDivisionError", "division by zero", Some("x = 1 / 0"));
    assert!(
        en.starts_with("ZeroDivisionError at server.py, line 18: x = 1 / 0 — "),
        "{en}"
    );
    has(&en, &["did not catch: division by zero", "traceback"]);
    has(&zh, &["没有捕获的异常", "division by zero", "traceback"]);
}

fn view(rx: u64, tx: u64) -> SocketView {
    SocketView {
        proto: "tcp",
        local: addr("127.0.0.1:40001"),
        peer: Some(addr("127.0.0.1:51234")),
        rx_queue: rx,
        tx_queue: tx,
        state: "ESTABLISHED",
    }
}

#[test]
fn blocked_in_recv_with_empty_queues_is_both_ends_waiting() {
    let d = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Recv,
        socket: Some(view(0, 0)),
    };
    assert_eq!(
        sentence(&d, Role::TcpServer, Lang::En),
        "the server is blocked in recv() on 127.0.0.1:40001 ← 127.0.0.1:51234; nothing is \
         queued either way: both ends are waiting to receive (the notes: prevent both ends \
         from blocking — pair recv and send)"
    );
    assert_eq!(
        sentence(&d, Role::TcpServer, Lang::Zh),
        "服务端阻塞在 recv() 上（127.0.0.1:40001 ← 127.0.0.1:51234），双方缓冲区都是空的：\
         两端都在等对方发消息（笔记：防止两端都阻塞，recv 和 send 要配合使用）"
    );
    assert!(sentence(&d, Role::TcpClient, Lang::En).starts_with("the client is blocked"));
}

#[test]
fn every_blocked_call_has_a_sentence_in_both_languages() {
    for call in [
        BlockedCall::Accept,
        BlockedCall::Recv,
        BlockedCall::Send,
        BlockedCall::Connect,
        BlockedCall::ReadStdin,
        BlockedCall::Poll,
        BlockedCall::Sleep,
        BlockedCall::Other(7),
    ] {
        for socket in [None, Some(view(3, 9000))] {
            let d = Diagnosis::Blocked {
                peer_closed: false,
                call,
                socket: socket.clone(),
            };
            let en = sentence(&d, Role::TcpServer, Lang::En);
            let zh = sentence(&d, Role::TcpServer, Lang::Zh);
            assert!(en.starts_with("the server "), "{en}");
            assert!(zh.starts_with("服务端"), "{zh}");
            assert!(!en.chars().any(|c| c > '\u{2fff}'), "CJK in English: {en}");
        }
    }
    let send = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Send,
        socket: Some(view(0, 2_626_560)),
    };
    has(
        &sentence(&send, Role::TcpServer, Lang::En),
        &["send buffer is full (2626560 bytes"],
    );
    has(
        &sentence(&send, Role::TcpServer, Lang::Zh),
        &["发送缓冲区已经满了"],
    );
    let accept = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Accept,
        socket: None,
    };
    has(
        &sentence(&accept, Role::TcpServer, Lang::En),
        &["accept() inside the message loop?"],
    );
}

#[test]
fn spinning_leaking_and_bound() {
    let spin = Diagnosis::Spinning {
        cpu_percent: 100,
        window: std::time::Duration::from_millis(500),
        after_peer_closed: true,
    };
    assert_eq!(
        sentence(&spin, Role::TcpServer, Lang::En),
        "the server is spinning at 100% CPU after the peer closed: recv() returns b'' \
         forever; break out of the loop when it does"
    );
    assert_eq!(
        sentence(&spin, Role::TcpServer, Lang::Zh),
        "对方关闭连接后服务端占满 CPU 空转（100%）：recv() 一直返回空字节串 b''，\
         收到 b'' 时应当跳出循环"
    );
    let leak = Diagnosis::LeakingSockets {
        counts: vec![3, 4, 5],
        close_wait: 3,
    };
    assert_eq!(
        sentence(&leak, Role::TcpServer, Lang::En),
        "the server's open sockets grow with every client (3, 4, 5) and 3 are in \
         CLOSE_WAIT: connection sockets are never closed; call close() on each accepted \
         socket when its client leaves"
    );
    has(
        &sentence(&leak, Role::TcpServer, Lang::Zh),
        &["（3、4、5 个）", "CLOSE_WAIT", "四次挥手没有完成"],
    );
    let port = Diagnosis::Bound {
        addr: addr("127.0.0.1:9001"),
        problem: BindProblem::WrongPort { expected: 9000 },
    };
    has(
        &sentence(&port, Role::TcpServer, Lang::En),
        &["listening on 127.0.0.1:9001, expected port 9000"],
    );
    has(
        &sentence(&port, Role::UdpServer, Lang::En),
        &["bound to 127.0.0.1:9001"],
    );
    let all = Diagnosis::Bound {
        addr: addr("127.0.0.1:9000"),
        problem: BindProblem::NotAllAddresses,
    };
    has(
        &sentence(&all, Role::BroadcastReceiver, Lang::En),
        &[
            "the receiver is bound to 127.0.0.1: a broadcast receiver must bind all addresses ('' or '0.0.0.0')",
        ],
    );
    has(
        &sentence(&all, Role::BroadcastReceiver, Lang::Zh),
        &["接收端绑定在 127.0.0.1 上", "'0.0.0.0'"],
    );
}

/// UDP has no connections, no TIME_WAIT and no stream: its sentences
/// never speak of them (the walk in `mismatch::tests` holds every kind of
/// diagnosis, in every language, to the same).
#[test]
fn udp_programs_get_udp_sentences() {
    let udp = |class: &str, detail: &str| {
        let d = exc(
            class,
            detail,
            Some("udp_server.py, line 9, in <module>"),
            None,
        );
        both(&d, Role::UdpServer)
    };
    let t = udp("OSError", "[Errno 98] Address already in use");
    has(&t.en, &["another UDP socket is bound"]);
    has(&t.zh, &["另一个 UDP 套接字"]);
    let t = udp(
        "UnicodeDecodeError",
        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    );
    has(&t.en, &["recvfrom()", "errors='replace'"]);
    for text in [&t.en, &t.zh] {
        for tcp in [
            "TIME_WAIT",
            "TCP",
            "stream",
            "accept()",
            "connection",
            "字节流",
            "四次挥手",
        ] {
            assert!(!text.contains(tcp), "{tcp:?} in a UDP sentence:\n{text}");
        }
    }
    let t = udp("OSError", "[Errno 98] Address already in use");
    for text in [&t.en, &t.zh] {
        for tcp in [
            "TIME_WAIT",
            "four-way",
            "accept()",
            "connection",
            "四次挥手",
        ] {
            assert!(!text.contains(tcp), "{tcp:?} in a UDP sentence:\n{text}");
        }
    }
}

#[test]
fn udp_servers_skip_an_empty_datagram_and_say_why_they_spin() {
    let d = exc(
        "IndexError",
        "list index out of range",
        None,
        Some("cmd = data.split()[0]"),
    );
    let t = both(&d, Role::UdpServer);
    has(
        &t.en,
        &["an empty datagram", "skip it and go back to recvfrom()"],
    );
    has(&t.zh, &["空数据报", "回到 recvfrom()"]);
    let spin = Diagnosis::Spinning {
        cpu_percent: 100,
        window: std::time::Duration::from_millis(200),
        after_peer_closed: true,
    };
    let en = sentence(&spin, Role::UdpServer, Lang::En);
    has(&en, &["where it should be waiting", "let recvfrom() block"]);
    assert!(
        !en.contains("accept()") && !en.contains("peer closed"),
        "{en}"
    );
}
