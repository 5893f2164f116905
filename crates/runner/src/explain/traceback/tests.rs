use std::path::Path;

use proptest::prelude::*;
use sockspec_results::Errno;

use super::{Frame, errno, parse};

fn trace(name: &str) -> &'static str {
    match name {
        "print" => include_str!("../traces/py3_print_statement.txt"),
        "raw_input" => include_str!("../traces/py3_raw_input.txt"),
        "except" => include_str!("../traces/py3_except_comma.txt"),
        "backticks" => include_str!("../traces/py3_backticks.txt"),
        "send_str" => include_str!("../traces/py3_send_str.txt"),
        "concat" => include_str!("../traces/py3_concat.txt"),
        "struct" => include_str!("../traces/py3_struct.txt"),
        "eof" => include_str!("../traces/py3_eof.txt"),
        "socketserver" => include_str!("../traces/py3_socketserver_in_use.txt"),
        "handler" => include_str!("../traces/py3_socketserver_handler.txt"),
        "create_connection" => include_str!("../traces/py3_create_connection.txt"),
        "py2_error" => include_str!("../traces/py2_socket_error.txt"),
        "py2_input" => include_str!("../traces/py2_input_evaluates.txt"),
        _ => unreachable!("{name}"),
    }
}

fn frame(file: &str, line: u32, function: Option<&str>) -> Option<Frame> {
    Some(Frame {
        file: file.into(),
        line,
        function: function.map(str::to_owned),
    })
}

#[test]
fn a_traceback_gives_class_detail_place_and_code() {
    let stderr = "Waiting for connect...\nTraceback (most recent call last):\n  File \"/tmp/hw/server.py\", line 18, in <module>\n    connfd.send(b'Thanks')\nBrokenPipeError: [Errno 32] Broken pipe\n";
    let t = parse(stderr, None).expect("a traceback");
    assert_eq!(t.class, "BrokenPipeError");
    assert_eq!(t.detail, "[Errno 32] Broken pipe");
    assert_eq!(
        t.frame.map(|f| f.at()).as_deref(),
        Some("server.py, line 18, in <module>")
    );
    assert_eq!(t.code.as_deref(), Some("connfd.send(b'Thanks')"));
    assert_eq!(errno(&t.detail), Some(Errno::Pipe));
}

#[test]
fn the_last_traceback_counts_and_carets_are_not_code() {
    let stderr = "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nValueError: x\n\
                  Traceback (most recent call last):\n  File \"b.py\", line 9, in f\n    s.bind(addr)\n    ^^^^^^\n\
                  OSError: [Errno 98] Address already in use\n";
    let t = parse(stderr, None).expect("a traceback");
    assert_eq!(t.class, "OSError");
    assert_eq!(t.frame, frame("b.py", 9, Some("f")));
    assert_eq!(t.code.as_deref(), Some("s.bind(addr)"));
    // Not a file that does not compile: its marks are no caret.
    assert_eq!(t.caret, None);
    assert_eq!(errno(&t.detail), Some(Errno::AddrInUse));
    assert_eq!(parse("no traceback here", None), None);
    assert_eq!(parse("Traceback (most recent call last):\n", None), None);
}

#[test]
fn dotted_classes_are_kept_whole() {
    let t = parse(trace("struct"), None).expect("a traceback");
    assert_eq!(t.class, "struct.error");
    assert_eq!(t.detail, "unpack requires a buffer of 4 bytes");
    assert_eq!(
        t.code.as_deref(),
        Some("n, = struct.unpack(\"!I\", b\"ab\")")
    );
    let stderr = "Traceback (most recent call last):\n  File \"d.py\", line 3, in <module>\n    c.recv(1)\nsocket.timeout: timed out\n";
    assert_eq!(
        parse(stderr, None).map(|t| t.class).as_deref(),
        Some("socket.timeout")
    );
    // Python 2's socket.error, through its socket.py.
    let t = parse(trace("py2_error"), None).expect("a traceback");
    assert_eq!(t.class, "socket.error");
    assert_eq!(errno(&t.detail), Some(Errno::AddrInUse));
}

#[test]
fn a_script_that_does_not_compile_has_its_line_and_caret() {
    let t = parse(trace("print"), None).expect("a SyntaxError");
    assert_eq!(t.class, "SyntaxError");
    assert!(
        t.detail
            .starts_with("Missing parentheses in call to 'print'")
    );
    assert_eq!(t.frame, frame("p2print.py", 3, None));
    assert_eq!(t.code.as_deref(), Some("print \"listening\""));
    assert_eq!(t.caret, Some(1));
    let t = parse(trace("except"), None).expect("a SyntaxError");
    assert_eq!(t.frame.map(|f| f.line), Some(3));
    assert_eq!(t.code.as_deref(), Some("except Exception, e:"));
    assert_eq!(t.caret, Some(8));
    let t = parse(trace("backticks"), None).expect("a SyntaxError");
    assert_eq!((t.code.as_deref(), t.caret), (Some("y = `x`"), Some(5)));
    // One the report's own tests use: an unclosed bracket.
    let t = parse(
        "  File \"server.py\", line 3\n    s.bind(('', port)\n          ^\nSyntaxError: '(' was never closed\n",
        None,
    )
    .expect("a SyntaxError");
    assert_eq!((t.frame.map(|f| f.line), t.caret), (Some(3), Some(7)));
}

#[test]
fn the_frame_shown_is_the_students_not_the_librarys() {
    // socketserver.py:472 raised it; the student's line is ss.py:6.
    let t = parse(trace("socketserver"), None).expect("a traceback");
    assert_eq!(t.frame, frame("ss.py", 6, Some("<module>")));
    assert_eq!(
        t.code.as_deref(),
        Some("b = socketserver.TCPServer((\"\", 45710), H)")
    );
    assert!(t.socketserver);
    let t = parse(trace("create_connection"), None).expect("a traceback");
    assert_eq!(t.frame, frame("cc.py", 2, Some("<module>")));
    assert!(!t.socketserver);
    assert_eq!(errno(&t.detail), Some(Errno::ConnRefused));
    // A handler's exception that socketserver caught and printed.
    let t = parse(trace("handler"), Some(Path::new("/tmp/traces"))).expect("a traceback");
    assert_eq!(t.class, "TypeError");
    assert_eq!(t.frame, frame("ssh.py", 5, Some("handle")));
    assert_eq!(t.code.as_deref(), Some("self.request.sendall(\"reply\")"));
    assert!(t.socketserver);
    // Code made at run time is no one's file: python2's input() evaluated.
    let t = parse(trace("py2_input"), None).expect("a traceback");
    assert_eq!(t.frame, frame("p3in.py", 1, Some("<module>")));
    assert_eq!(t.files.last().map(String::as_str), Some("<string>"));
}

#[test]
fn under_the_working_directory_beats_elsewhere() {
    let stderr = "Traceback (most recent call last):\n  File \"/home/t/hw/server.py\", line 4, in <module>\n    helper.go()\n  File \"/opt/course/helper.py\", line 9, in go\n    raise ValueError('x')\nValueError: x\n";
    let t = parse(stderr, Some(Path::new("/home/t/hw"))).expect("a traceback");
    assert_eq!(t.frame, frame("server.py", 4, Some("<module>")));
    // Without the working directory, a file outside any Python
    // installation is nearer the student than none.
    let t = parse(stderr, None).expect("a traceback");
    assert_eq!(t.frame, frame("helper.py", 9, Some("go")));
    // Nothing but the library: its last frame.
    let stderr = "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/socket.py\", line 836, in create_connection\n    sock.connect(sa)\nConnectionRefusedError: [Errno 111] Connection refused\n";
    let t = parse(stderr, None).expect("a traceback");
    assert_eq!(t.frame, frame("socket.py", 836, Some("create_connection")));
}

#[test]
fn errnos_as_python_quotes_them() {
    assert_eq!(
        errno("[Errno 104] Connection reset by peer"),
        Some(Errno::ConnReset)
    );
    assert_eq!(
        errno("[WinError 10048] Only one usage"),
        Some(Errno::AddrInUse)
    );
    assert_eq!(errno("timed out"), None);
    assert_eq!(errno("[Errno 9999] What"), None);
    assert_eq!(errno("[Errno x"), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_output_is_read_without_panicking(s in "(?s).{0,300}") {
        let _ = parse(&s, Some(Path::new("/tmp")));
        let _ = errno(&s);
    }

    /// Bits of real tracebacks, shuffled and cut anywhere.
    #[test]
    fn pieces_of_tracebacks_are_read_without_panicking(
        pieces in prop::collection::vec(prop::sample::select(vec![
            "Traceback (most recent call last):\n",
            "  File \"/hw/s.py\", line 3, in <module>\n",
            "  File \"x.py\", line \n",
            "    s.bind(addr)\n",
            "    ^^^^\n",
            "        ^\n",
            "SyntaxError: invalid syntax\n",
            "OSError: [Errno 98] Address already in use\n",
            "\n",
            "  File \"",
        ]), 0..12),
        cut in 0usize..400,
    ) {
        let text: String = pieces.concat();
        let cut = (0..=cut.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let _ = parse(&text[..cut], None);
    }
}
