use proptest::prelude::*;
use sockspec_results::{JavaFrame, JavaThrowable};

use super::parse;

fn thrown(class: &str, message: &str) -> JavaThrowable {
    JavaThrowable {
        class: class.into(),
        message: message.into(),
    }
}

fn at(method: &str, file: &str, line: u32) -> Option<JavaFrame> {
    Some(JavaFrame {
        method: method.into(),
        file: Some(file.into()),
        line: Some(line),
    })
}

#[test]
fn a_bind_exception_and_the_students_line() {
    let t = parse(include_str!("../traces/java_bind.txt")).expect("a stack trace");
    assert_eq!(
        t.thrown,
        thrown("java.net.BindException", "Address already in use")
    );
    assert_eq!(t.thrown.short_name(), "BindException");
    assert_eq!(t.wrapper, None);
    // Seven frames of the JDK first; the student's is the eighth.
    assert_eq!(t.at, at("Server.main", "Server.java", 7));
}

#[test]
fn the_common_exceptions_of_socket_homework() {
    let cases = [
        (
            include_str!("../traces/java_connect_refused.txt"),
            thrown("java.net.ConnectException", "Connection refused"),
            at("Client.main", "Client.java", 5),
        ),
        (
            include_str!("../traces/java_reset.txt"),
            thrown("java.net.SocketException", "Connection reset"),
            at("Reset.main", "Reset.java", 9),
        ),
        (
            include_str!("../traces/java_eof.txt"),
            thrown("java.io.EOFException", ""),
            at("Eof.serve", "Eof.java", 6),
        ),
        (
            include_str!("../traces/java_timeout.txt"),
            thrown("java.net.SocketTimeoutException", "Receive timed out"),
            at("Timeout.main", "Timeout.java", 9),
        ),
        (
            include_str!("../traces/java_no_args.txt"),
            thrown(
                "java.lang.ArrayIndexOutOfBoundsException",
                "Index 0 out of bounds for length 0",
            ),
            at("Server.main", "Server.java", 5),
        ),
        (
            include_str!("../traces/java_number_format.txt"),
            thrown(
                "java.lang.NumberFormatException",
                "For input string: \"abc\"",
            ),
            at("Server.main", "Server.java", 5),
        ),
    ];
    for (stderr, class, frame) in cases {
        let t = parse(stderr).expect("a stack trace");
        assert_eq!((t.thrown, t.at), (class, frame), "{stderr}");
    }
}

#[test]
fn the_root_cause_of_a_wrapped_exception() {
    let t = parse(include_str!("../traces/java_caused_by.txt")).expect("a stack trace");
    assert_eq!(
        t.thrown,
        thrown("java.net.BindException", "Address already in use")
    );
    assert_eq!(
        t.wrapper,
        Some(thrown("java.lang.RuntimeException", "could not start"))
    );
    assert_eq!(t.at, at("Wrap.open", "Wrap.java", 4));
}

#[test]
fn a_trace_the_program_printed_itself_and_what_is_none() {
    let stderr = "client 1 left\njava.net.SocketException: Connection reset\n\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:328)\n\tat app//Server.handle(Server.java:31)\n";
    let t = parse(stderr).expect("a stack trace");
    assert_eq!(t.thrown.short_name(), "SocketException");
    assert_eq!(t.at, at("Server.handle", "Server.java", 31));
    assert_eq!(parse("Server listening on 9000\nclient: hello\n"), None);
    assert_eq!(
        parse("Error: Could not find or load main class Server\n"),
        None
    );
    let native = "Exception in thread \"main\" java.net.BindException: Address already in use\n\tat java.base/sun.nio.ch.Net.bind0(Native Method)\n";
    assert_eq!(parse(native).and_then(|t| t.at), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_output_is_read_without_panicking(s in "(?s).{0,300}") {
        let _ = parse(&s);
    }

    #[test]
    fn pieces_of_traces_are_read_without_panicking(
        pieces in prop::collection::vec(prop::sample::select(vec![
            "Exception in thread \"main\" java.net.BindException: Address already in use\n",
            "Exception in thread \"",
            "\tat java.base/sun.nio.ch.Net.bind0(Native Method)\n",
            "\tat Server.main(Server.java:7)\n",
            "\tat X(\n",
            "\tat \n",
            "Caused by: java.io.EOFException\n",
            "Caused by: \n",
            "\t... 1 more\n",
            "java.lang.Error\n",
        ]), 0..10),
    ) {
        let _ = parse(&pieces.concat());
    }
}
