//! What a program's output is read as, by its language; and the role it
//! plays, whatever language said so.

use sockspec_model::Role;
use sockspec_results::{
    Diagnosis, Errno, JavaFrame, Language, Python2Sign, RoleSign, SocketCall, SourceLine,
};

use super::{from_output, wrong_role};
use crate::language::Recognised;

fn program(language: Language) -> Recognised {
    Recognised {
        language,
        ..Recognised::default()
    }
}

fn read(stderr: &str, language: Language) -> Vec<Diagnosis> {
    from_output(stderr, &program(language), None, None)
}

fn line(file: &str, line: u32, code: &str) -> Option<SourceLine> {
    Some(SourceLine {
        file: file.into(),
        line,
        code: code.into(),
    })
}

#[test]
fn each_language_is_read_as_it_writes_errors() {
    let python = include_str!("traces/py3_send_str.txt");
    let java = include_str!("traces/java_bind.txt");
    let c = include_str!("traces/c_perror.txt");
    let kinds = |ds: Vec<Diagnosis>| -> Vec<&'static str> {
        ds.iter()
            .map(|d| match d {
                Diagnosis::Exception { .. } => "exception",
                Diagnosis::JavaException { .. } => "java",
                Diagnosis::CallFailed { .. } => "call",
                _ => "other",
            })
            .collect()
    };
    assert_eq!(kinds(read(python, Language::Python)), ["exception"]);
    assert_eq!(kinds(read(java, Language::Java)), ["java"]);
    assert_eq!(kinds(read(c, Language::C)), ["call"]);
    // Each is read only as its own language writes errors.
    assert_eq!(kinds(read(c, Language::Python)), Vec::<&str>::new());
    assert_eq!(kinds(read(python, Language::C)), Vec::<&str>::new());
    // A program of no known language: whichever is there.
    for (text, kind) in [(python, "exception"), (java, "java"), (c, "call")] {
        assert_eq!(kinds(read(text, Language::Unknown)), [kind]);
    }
}

#[test]
fn a_python_exception_keeps_its_errno_and_its_library() {
    let ds = read(
        include_str!("traces/py3_socketserver_in_use.txt"),
        Language::Python,
    );
    assert_eq!(
        ds,
        vec![Diagnosis::Exception {
            class: "OSError".into(),
            detail: "[Errno 98] Address already in use".into(),
            at: Some("ss.py, line 6, in <module>".into()),
            code: Some("b = socketserver.TCPServer((\"\", 45710), H)".into()),
            errno: Some(Errno::AddrInUse),
            caret: None,
            socketserver: true,
        }]
    );
}

#[test]
fn python2_code_run_by_python3_is_said_to_be_python2() {
    let ds = read(
        include_str!("traces/py3_print_statement.txt"),
        Language::Python,
    );
    let [Diagnosis::Python2 { sign, at, .. }] = ds.as_slice() else {
        panic!("{ds:?}")
    };
    assert_eq!(sign, &Python2Sign::PrintStatement);
    assert_eq!(at, &line("p2print.py", 3, "print \"listening\""));
    let ds = read(include_str!("traces/py3_raw_input.txt"), Language::Python);
    let [Diagnosis::Python2 { sign, at, .. }] = ds.as_slice() else {
        panic!("{ds:?}")
    };
    assert_eq!(sign, &Python2Sign::Builtin("raw_input".into()));
    assert_eq!(at, &line("p2raw.py", 2, "name = raw_input(\"name: \")"));
    // The source showed it: python3's "invalid syntax" is that.
    let from_source = Recognised {
        language: Language::Python2,
        by_python2: false,
        python2_sign: Some((
            Python2Sign::Backticks,
            line("p2bt.py", 2, "y = `x`").unwrap(),
        )),
    };
    let ds = from_output(
        include_str!("traces/py3_backticks.txt"),
        &from_source,
        None,
        None,
    );
    assert!(
        matches!(
            ds.as_slice(),
            [Diagnosis::Python2 {
                sign: Python2Sign::Backticks,
                ..
            }]
        ),
        "{ds:?}"
    );
    // A name of Python 2 seen in the source, and another exception: both.
    let named = Recognised {
        python2_sign: Some((
            Python2Sign::Builtin("xrange".into()),
            line("s.py", 9, "for i in xrange(3):").unwrap(),
        )),
        ..from_source
    };
    let ds = from_output(include_str!("traces/py3_send_str.txt"), &named, None, None);
    assert!(
        matches!(
            ds.as_slice(),
            [Diagnosis::Python2 { .. }, Diagnosis::Exception { .. }]
        ),
        "{ds:?}"
    );
}

#[test]
fn python3_code_run_by_python2_has_its_input_evaluated() {
    let by_python2 = Recognised {
        language: Language::Python2,
        by_python2: true,
        python2_sign: None,
    };
    let ds = from_output(
        include_str!("traces/py2_input_evaluates.txt"),
        &by_python2,
        None,
        None,
    );
    assert_eq!(
        ds,
        vec![Diagnosis::Python2 {
            sign: Python2Sign::InputEvaluates,
            at: line("p3in.py", 1, "x = input(\"n: \")"),
            python2: None,
        }]
    );
    // Python 2's own socket.error stays an exception, with its errno.
    let ds = from_output(
        include_str!("traces/py2_socket_error.txt"),
        &by_python2,
        None,
        None,
    );
    assert!(
        matches!(
            ds.as_slice(),
            [Diagnosis::Exception {
                errno: Some(Errno::AddrInUse),
                ..
            }]
        ),
        "{ds:?}"
    );
}

#[test]
fn c_and_java_errors_are_typed() {
    let ds = read(
        "Waiting...\nERROR on binding: Address already in use\n",
        Language::C,
    );
    assert_eq!(
        ds,
        vec![Diagnosis::CallFailed {
            call: Some(SocketCall::Bind),
            errno: Errno::AddrInUse,
            line: "ERROR on binding: Address already in use".into(),
        }]
    );
    let ds = read(include_str!("traces/java_caused_by.txt"), Language::Java);
    let [
        Diagnosis::JavaException {
            thrown,
            wrapper,
            at,
            ..
        },
    ] = ds.as_slice()
    else {
        panic!("{ds:?}")
    };
    assert_eq!(thrown.short_name(), "BindException");
    assert!(wrapper.is_some());
    assert_eq!(
        at,
        &Some(JavaFrame {
            method: "Wrap.open".into(),
            file: Some("Wrap.java".into()),
            line: Some(4),
        })
    );
}

/// A server graded as a client binds the harness's port, and a client
/// graded as a server is refused, in whichever language it says so.
#[test]
fn the_wrong_role_in_every_language() {
    for (stderr, language) in [
        ("bind: Address already in use\n", Language::C),
        (include_str!("traces/java_bind.txt"), Language::Java),
        (
            include_str!("traces/py3_socketserver_in_use.txt"),
            Language::Python,
        ),
    ] {
        let errors = read(stderr, language);
        assert_eq!(
            wrong_role(Role::TcpClient, None, 9000, &errors),
            Some(Diagnosis::WrongRole {
                seen: RoleSign::BindsHarnessPort(9000),
                plays: Role::TcpServer,
            }),
            "{language:?}"
        );
    }
    for (stderr, language) in [
        ("connect failed: Connection refused\n", Language::C),
        (
            include_str!("traces/java_connect_refused.txt"),
            Language::Java,
        ),
        (
            include_str!("traces/py3_create_connection.txt"),
            Language::Python,
        ),
    ] {
        let errors = read(stderr, language);
        assert_eq!(
            wrong_role(Role::TcpServer, None, 9000, &errors),
            Some(Diagnosis::WrongRole {
                seen: RoleSign::Connects(None),
                plays: Role::TcpClient,
            }),
            "{language:?}"
        );
    }
}

#[test]
fn a_java_trace_says_which_socket_call_threw() {
    let call = |trace: &str| match read(trace, Language::Java).as_slice() {
        [Diagnosis::JavaException { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    // JDK 17: "Connection reset" from a read and from a write.
    assert_eq!(
        call(include_str!("traces/java_reset.txt")),
        Some(SocketCall::Recv)
    );
    assert_eq!(
        call(include_str!("traces/java_write_reset.txt")),
        Some(SocketCall::Send)
    );
    assert_eq!(
        call(include_str!("traces/java_bind.txt")),
        Some(SocketCall::Bind)
    );
    // A NumberFormatException of Integer.parseInt is no socket call's.
    assert_eq!(call(include_str!("traces/java_number_format.txt")), None);
}
