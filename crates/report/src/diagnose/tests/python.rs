//! Python's exceptions with advice of their own: str where bytes belong, a
//! name or a file that does not make sense, a payload struct cannot
//! unpack, input() in a server, socketserver's own option, errno names.

use sockspec_model::Role;
use sockspec_results::{Diagnosis, Errno};

use super::{both, exc, has};

fn server(class: &str, detail: &str, code: &str) -> (String, String) {
    let t = both(
        &exc(
            class,
            detail,
            Some("server.py, line 9, in <module>"),
            Some(code),
        ),
        Role::TcpServer,
    );
    (t.en, t.zh)
}

#[test]
fn a_str_given_to_send_is_encode() {
    let (en, zh) = server(
        "TypeError",
        "a bytes-like object is required, not 'str'",
        "conn.send(\"Thanks\")",
    );
    assert_eq!(
        en,
        "TypeError at server.py, line 9: conn.send(\"Thanks\") — send() was given a str: a \
         socket sends bytes, and in Python 3 text (str) and bytes are different types. Encode \
         the text before sending it: conn.send(text.encode()) (or b'...' for a literal), and \
         decode what recv() returns: data.decode()"
    );
    assert_eq!(
        zh,
        "server.py 第 9 行的 conn.send(\"Thanks\") 抛出了 TypeError：send() 收到的是 str：\
         套接字只能发送字节串（bytes），Python 3 里文本 str 和 bytes 是两种类型。\
         发送之前先编码：conn.send(text.encode())（常量直接写 b'...'），\
         recv() 收到的数据要用 data.decode() 解码"
    );
    let d = exc(
        "TypeError",
        "a bytes-like object is required, not 'str'",
        None,
        Some("s.sendto(line, addr)"),
    );
    has(
        &both(&d, Role::UdpClient).en,
        &["sendto() was given a str", "s.sendto(text.encode(), addr)"],
    );
}

#[test]
fn bytes_and_str_mixed_is_decode_first() {
    for detail in [
        "can't concat str to bytes",
        "can only concatenate str (not \"bytes\") to str",
        "unsupported operand type(s) for +: 'bytes' and 'str'",
    ] {
        let (en, zh) = server("TypeError", detail, "msg = data + \"!\"");
        has(
            &en,
            &[
                "bytes and str were mixed",
                "recv() returns bytes",
                "text = data.decode()",
            ],
        );
        has(&zh, &["bytes 和 str 混在一起用了", "data.decode()"]);
    }
    // Not a send: the same message about split() is mixing too.
    let (en, _) = server(
        "TypeError",
        "a bytes-like object is required, not 'str'",
        "data.split(' ')",
    );
    has(&en, &["bytes and str were mixed"]);
    let (en, _) = server(
        "TypeError",
        "'str' object cannot be interpreted as an integer",
        "s.bind(('', sys.argv[1]))",
    );
    has(&en, &["int(sys.argv[1])"]);
    // Any other TypeError: the general advice.
    let (en, _) = server(
        "TypeError",
        "f() takes 1 positional argument but 2 were given",
        "f(a, b)",
    );
    has(&en, &["did not catch"]);
}

#[test]
fn a_name_error_and_a_file_that_does_not_compile() {
    let (en, zh) = server("NameError", "name 'conn' is not defined", "conn.send(b'x')");
    has(
        &en,
        &[
            "not defined at that point (name 'conn' is not defined)",
            "before that line runs",
        ],
    );
    has(&zh, &["还没有定义的名字", "import"]);
    let d = Diagnosis::Exception {
        class: "SyntaxError".into(),
        detail: "'(' was never closed".into(),
        at: Some("server.py, line 3".into()),
        code: Some("s.bind(('', port)".into()),
        errno: None,
        caret: Some(7),
        socketserver: false,
    };
    let t = both(&d, Role::TcpServer);
    assert_eq!(
        t.en,
        "SyntaxError at server.py, line 3: s.bind(('', port) — the file does not even compile: \
         Python stopped at line 3, column 7 ('(' was never closed), before running anything. \
         Fix that line, and look at the line before it too (a bracket or quote left open shows \
         on the next line); python3 -m py_compile FILE checks a file without running it"
    );
    has(&t.zh, &["根本编译不过", "第 3 行第 7 列", "py_compile"]);
}

#[test]
fn struct_eof_and_socketserver() {
    let (en, zh) = server(
        "struct.error",
        "unpack requires a buffer of 4 bytes",
        "n, = struct.unpack('!I', data)",
    );
    assert!(
        en.starts_with("struct.error at server.py, line 9: "),
        "{en}"
    );
    has(
        &en,
        &[
            "unpack requires a buffer of 4 bytes",
            "len(data) == struct.calcsize(fmt)",
        ],
    );
    has(&zh, &["struct.calcsize(fmt)"]);
    let (en, zh) = server("EOFError", "EOF when reading a line", "line = input()");
    has(
        &en,
        &[
            "a server's stdin is closed when it is graded",
            "sys.argv",
            "catch EOFError",
        ],
    );
    has(&zh, &["标准输入是关闭的"]);
    let d = exc(
        "EOFError",
        "EOF when reading a line",
        None,
        Some("line = input()"),
    );
    has(
        &both(&d, Role::TcpClient).en,
        &["Ctrl-D", "close() the socket and quit"],
    );
    let mut d = exc(
        "OSError",
        "[Errno 98] Address already in use",
        Some("ss.py, line 6, in <module>"),
        Some("server = socketserver.TCPServer(('', port), Handler)"),
    );
    if let Diagnosis::Exception { socketserver, .. } = &mut d {
        *socketserver = true;
    }
    let t = both(&d, Role::TcpServer);
    has(
        &t.en,
        &[
            "socketserver.TCPServer.allow_reuse_address = True",
            "not on a socket",
        ],
    );
    assert!(!t.en.contains("sock.setsockopt"), "{}", t.en);
    has(&t.zh, &["allow_reuse_address = True"]);
}

#[test]
fn an_oserror_names_its_errno() {
    let (en, zh) = server(
        "OSError",
        "[Errno 98] Address already in use",
        "s.bind(('', port))",
    );
    assert!(
        en.starts_with("OSError (EADDRINUSE) at server.py, line 9: "),
        "{en}"
    );
    assert!(zh.contains("抛出了 OSError（EADDRINUSE）："), "{zh}");
    // A class that names it already is not told twice.
    let (en, _) = server(
        "ConnectionResetError",
        "[Errno 104] Connection reset by peer",
        "conn.recv(1024)",
    );
    assert!(!en.contains("ECONNRESET"), "{en}");
    let (en, _) = server(
        "OSError",
        "[Errno 110] Connection timed out",
        "s.connect(addr)",
    );
    has(
        &en,
        &["OSError (ETIMEDOUT)", "nothing answers at that address"],
    );
    assert_eq!(
        exc("OSError", "[Errno 110] x", None, None),
        Diagnosis::Exception {
            class: "OSError".into(),
            detail: "[Errno 110] x".into(),
            at: None,
            code: None,
            errno: Some(Errno::TimedOut),
            caret: None,
            socketserver: false,
        }
    );
}
