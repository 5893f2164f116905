//! Sentences about Java programs: their exceptions, and the /proc
//! diagnoses in Java's words.

use sockspec_model::Role;
use sockspec_results::{BlockedCall, Diagnosis, JavaFrame, JavaThrowable, Language};

use super::has;
use crate::Lang;

fn java(class: &str, message: &str, at: Option<(&str, &str, u32)>) -> Diagnosis {
    Diagnosis::JavaException {
        thrown: JavaThrowable {
            class: class.into(),
            message: message.into(),
        },
        wrapper: None,
        at: at.map(|(method, file, line)| JavaFrame {
            method: method.into(),
            file: Some(file.into()),
            line: Some(line),
        }),
        call: None,
    }
}

fn say(d: &Diagnosis, role: Role) -> (String, String) {
    let t = super::super::both(d, role, Language::Java);
    (t.en, t.zh)
}

#[test]
fn a_bind_exception_is_set_reuse_address_before_bind() {
    let d = java(
        "java.net.BindException",
        "Address already in use",
        Some(("Server.main", "Server.java", 7)),
    );
    let (en, zh) = say(&d, Role::TcpServer);
    assert_eq!(
        en,
        "BindException (\"Address already in use\") at Server.java, line 7, in Server.main — \
         the port is taken when the ServerSocket binds it: another socket holds it, most often \
         a ServerSocket of the same program made again for each client (inside the accept() \
         loop) while the first is still open, or an earlier run still running. Create the \
         ServerSocket once, before the accept() loop, and accept() every client from it; to \
         bind a port still in TIME_WAIT, set SO_REUSEADDR before binding: ServerSocket ss = \
         new ServerSocket(); ss.setReuseAddress(true); ss.bind(new InetSocketAddress(port));"
    );
    assert_eq!(
        zh,
        "Server.java 第 7 行（Server.main 方法）抛出了 BindException（\"Address already in use\"）：\
         ServerSocket 绑定端口时端口被占着：另一个套接字占着它，最常见的是同一个程序\
         在每个客户端到来时（accept() 循环里）又创建了一个 ServerSocket，而第一个还没关闭；\
         或者之前运行的程序还没退出。ServerSocket 只创建一次，放在 accept() 循环之前，\
         所有客户端都从它 accept()；要绑定仍处于 TIME_WAIT 的端口，先设置 SO_REUSEADDR 再绑定：\
         ServerSocket ss = new ServerSocket(); ss.setReuseAddress(true); \
         ss.bind(new InetSocketAddress(port));"
    );
    // A DatagramSocket's: another socket has the port.
    let (en, _) = say(&d, Role::UdpServer);
    has(&en, &["another UDP socket is bound", "(args)"]);
}

#[test]
fn the_exceptions_of_a_java_socket_program() {
    let (en, zh) = say(
        &java("java.net.SocketException", "Connection reset", None),
        Role::TcpServer,
    );
    has(
        &en,
        &[
            "reset the connection (RST",
            "read() fails with ECONNRESET instead of returning -1",
            "Catch IOException around each client's loop",
            "go back to accept()",
        ],
    );
    has(&zh, &["重置了连接", "IOException", "回到 accept()"]);
    let (en, _) = say(
        &java(
            "java.net.ConnectException",
            "Connection refused",
            Some(("Client.main", "Client.java", 5)),
        ),
        Role::TcpClient,
    );
    has(
        &en,
        &[
            "ConnectException (\"Connection refused\") at Client.java, line 5, in Client.main",
            "nothing is listening",
            "(args)",
        ],
    );
    let (en, zh) = say(
        &java(
            "java.io.EOFException",
            "",
            Some(("Eof.serve", "Eof.java", 6)),
        ),
        Role::TcpServer,
    );
    assert!(
        en.starts_with("EOFException at Eof.java, line 6, in Eof.serve — "),
        "{en}"
    );
    has(
        &en,
        &["readFully(), readInt() or readUTF()", "client leaving"],
    );
    has(&zh, &["EOFException", "回到 accept()"]);
    let (en, _) = say(
        &java("java.net.SocketTimeoutException", "Receive timed out", None),
        Role::UdpClient,
    );
    has(&en, &["setSoTimeout()", "go on to the next line"]);
    let (en, zh) = say(
        &java(
            "java.lang.NumberFormatException",
            "For input string: \"abc\"",
            None,
        ),
        Role::TcpServer,
    );
    has(
        &en,
        &["Integer.parseInt()", "For input string: \"abc\"", "args[0]"],
    );
    has(&zh, &["Integer.parseInt()"]);
    let (en, _) = say(
        &java(
            "java.lang.ArrayIndexOutOfBoundsException",
            "Index 0 out of bounds for length 0",
            Some(("Server.main", "Server.java", 5)),
        ),
        Role::TcpServer,
    );
    has(&en, &["args has fewer elements", "args.length"]);
    let (en, _) = say(
        &java(
            "java.lang.ArrayIndexOutOfBoundsException",
            "Index 1024 out of bounds for length 1024",
            Some(("Server.handle", "Server.java", 20)),
        ),
        Role::TcpServer,
    );
    has(&en, &["read()'s return (-1 at the end)"]);
    let (en, _) = say(
        &java("java.lang.NullPointerException", "", None),
        Role::TcpServer,
    );
    has(&en, &["readLine() returns null"]);
    let (en, zh) = say(
        &java("java.lang.IllegalStateException", "oops", None),
        Role::TcpServer,
    );
    has(&en, &["did not catch: oops", "catch (IOException e)"]);
    has(&zh, &["没有捕获的异常", "IOException"]);
}

#[test]
fn a_wrapped_exception_is_said_by_its_cause() {
    let d = Diagnosis::JavaException {
        thrown: JavaThrowable {
            class: "java.net.BindException".into(),
            message: "Address already in use".into(),
        },
        wrapper: Some(JavaThrowable {
            class: "java.lang.RuntimeException".into(),
            message: "could not start".into(),
        }),
        at: None,
        call: None,
    };
    let (en, zh) = say(&d, Role::TcpServer);
    assert!(
        en.starts_with(
            "BindException (\"Address already in use\") (wrapped in RuntimeException) — "
        ),
        "{en}"
    );
    assert!(
        zh.starts_with(
            "程序抛出了 BindException（\"Address already in use\"）（外面包着 RuntimeException）："
        ),
        "{zh}"
    );
}

#[test]
fn proc_diagnoses_in_javas_words() {
    let j = |d: &Diagnosis, role| super::super::sentence(d, role, Language::Java, Lang::En);
    let recv = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Recv,
        socket: None,
    };
    assert!(j(&recv, Role::TcpServer).starts_with("the server is blocked in read()"));
    assert!(j(&recv, Role::UdpServer).starts_with("the server is blocked in receive()"));
    let sleep = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Sleep,
        socket: None,
    };
    has(&j(&sleep, Role::TcpServer), &["(Thread.sleep())"]);
    let poll = Diagnosis::Blocked {
        peer_closed: false,
        call: BlockedCall::Poll,
        socket: None,
    };
    has(&j(&poll, Role::TcpServer), &["setSoTimeout()"]);
}

#[test]
fn a_reset_is_said_in_the_call_that_met_it() {
    let reset = |with| match java(
        "java.net.SocketException",
        "Connection reset by peer",
        Some(("Server.main", "Server.java", 10)),
    ) {
        Diagnosis::JavaException {
            thrown,
            wrapper,
            at,
            ..
        } => Diagnosis::JavaException {
            thrown,
            wrapper,
            at,
            call: with,
        },
        other => other,
    };
    let (en, zh) = say(
        &reset(Some(sockspec_results::SocketCall::Send)),
        Role::TcpServer,
    );
    assert!(
        en.contains("the write() that came next failed with ECONNRESET"),
        "{en}"
    );
    assert!(!en.contains("read()"), "{en}");
    assert!(zh.contains("之后的 write() 就失败了"), "{zh}");
    let (en, _) = say(
        &reset(Some(sockspec_results::SocketCall::Recv)),
        Role::TcpServer,
    );
    assert!(en.contains("read() fails with ECONNRESET"), "{en}");
}
