//! Reading the errors a C program reports itself. C has no traceback: a
//! failed call returns -1, and the program says so with `perror("bind")`
//! or `fprintf(stderr, "...: %s\n", strerror(errno))`, whose text is
//! glibc's for the errno. So a line that ends in one of those texts is a
//! failed call, and the words before it usually name the call, the way
//! students write them: `bind`, `bind failed`, `ERROR on binding`,
//! `socket creation failed`, `connect() error`.

use sockspec_results::{Errno, SocketCall};

/// A failed call a program reported, from one line of its stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reported {
    /// The call its words name, if they do.
    pub(crate) call: Option<SocketCall>,
    /// The errno glibc's text stands for.
    pub(crate) errno: Errno,
    /// The line, trimmed.
    pub(crate) line: String,
}

/// The last failed call `stderr` reports: a program stops at the first
/// that it cannot go on from, and the lines before may be ones it survived.
pub(crate) fn parse(stderr: &str) -> Option<Reported> {
    stderr.lines().rev().find_map(reported)
}

/// What one line reports: `<words>: <strerror text>`, or the text in
/// brackets (`bind() failed (Address already in use)`), or after ` - `.
fn reported(line: &str) -> Option<Reported> {
    let line = line.trim();
    let body = line.trim_end_matches(['.', '!', ')', ']']);
    Errno::all().find_map(|errno| {
        let before = body.strip_suffix(errno.strerror())?;
        let words = before
            .strip_suffix(": ")
            .or_else(|| before.strip_suffix('('))
            .or_else(|| before.strip_suffix('['))
            .or_else(|| before.strip_suffix(" - "))
            .or_else(|| before.strip_suffix(": errno = "))
            .or_else(|| before.is_empty().then_some(""))?;
        // Python quotes the same texts: `[Errno 98] Address already in
        // use` is its traceback, read elsewhere.
        if words.ends_with(']') || words.contains("[Errno") {
            return None;
        }
        Some(Reported {
            call: call_named(words),
            errno,
            line: line.to_owned(),
        })
    })
}

/// The socket call words name: `bind`, `binding`, `ERROR on binding`,
/// `sendto()`, `Socket creation failed`. The more specific call first
/// (`socket bind failed` is bind's), `socket` last.
fn call_named(words: &str) -> Option<SocketCall> {
    let words: Vec<String> = words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    const CALLS: &[(SocketCall, &[&str])] = &[
        (SocketCall::Setsockopt, &["setsockopt"]),
        (SocketCall::Bind, &["bind", "binding", "bound"]),
        (SocketCall::Listen, &["listen", "listening"]),
        (SocketCall::Accept, &["accept", "accepting"]),
        (
            SocketCall::Connect,
            &["connect", "connecting", "connection"],
        ),
        (
            SocketCall::Send,
            &["send", "sendto", "sendall", "sending", "write", "writing"],
        ),
        (
            SocketCall::Recv,
            &[
                "recv",
                "recvfrom",
                "receive",
                "receiving",
                "read",
                "reading",
            ],
        ),
        (SocketCall::Close, &["close", "closing"]),
        (SocketCall::Socket, &["socket", "sock", "opening"]),
    ];
    CALLS
        .iter()
        .find(|(_, names)| words.iter().any(|w| names.contains(&w.as_str())))
        .map(|(call, _)| *call)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What a C program printed (gcc, glibc): perror and strerror lines.
    const REAL: &str = include_str!("traces/c_perror.txt");

    #[test]
    fn each_real_line_is_its_call_and_errno() {
        let got: Vec<(Option<SocketCall>, Errno)> = REAL
            .lines()
            .map(|l| reported(l).map(|r| (r.call, r.errno)).expect(l))
            .collect();
        use SocketCall::*;
        assert_eq!(
            got,
            vec![
                (Some(Bind), Errno::AddrInUse),
                (Some(Bind), Errno::AddrInUse),
                (Some(Bind), Errno::AddrInUse),
                (Some(Connect), Errno::ConnRefused),
                (Some(Send), Errno::Pipe),
                (Some(Recv), Errno::BadF),
                (Some(Listen), Errno::Inval),
                (Some(Send), Errno::Inval),
                (Some(Bind), Errno::Inval),
                (Some(Bind), Errno::AddrNotAvail),
                (Some(Send), Errno::Acces),
            ]
        );
        // The last one counts.
        assert_eq!(
            parse(REAL).map(|r| r.line),
            Some("sendto: Permission denied".to_owned())
        );
    }

    #[test]
    fn the_ways_students_word_them() {
        let call = |l: &str| reported(l).and_then(|r| r.call);
        assert_eq!(
            call("ERROR opening socket: Too many open files"),
            Some(SocketCall::Socket)
        );
        assert_eq!(
            call("socket bind failed: Address already in use"),
            Some(SocketCall::Bind)
        );
        assert_eq!(
            call("ERROR writing to socket: Broken pipe"),
            Some(SocketCall::Send)
        );
        assert_eq!(
            call("ERROR reading from socket: Connection reset by peer"),
            Some(SocketCall::Recv)
        );
        assert_eq!(
            call("bind() failed (Address already in use)"),
            Some(SocketCall::Bind)
        );
        assert_eq!(
            call("[server] accept error - Interrupted system call"),
            Some(SocketCall::Accept)
        );
        assert_eq!(
            call("Connection failed: Connection refused"),
            Some(SocketCall::Connect)
        );
        let bare = reported("Address already in use").expect("a bare perror(\"\")");
        assert_eq!((bare.call, bare.errno), (None, Errno::AddrInUse));
        assert_eq!(call("oops: Address already in use"), None);
    }

    #[test]
    fn what_is_not_a_failed_call() {
        for line in [
            "OSError: [Errno 98] Address already in use",
            "socket.error: [Errno 111] Connection refused",
            "listening on port 9000",
            "the address already in use is mine",
            "Connection refused by the user, retrying",
            "",
        ] {
            assert_eq!(reported(line), None, "{line}");
        }
        assert_eq!(parse("Server started\nwaiting...\n"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn any_output_is_read_without_panicking(s in "(?s).{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn any_words_before_a_known_text_are_read(words in "[ -~]{0,40}", i in 0usize..22) {
            let errno = Errno::all().nth(i % Errno::all().count()).unwrap();
            let line = format!("{words}: {}", errno.strerror());
            if let Some(r) = reported(&line) {
                prop_assert_eq!(r.errno, errno);
            }
        }
    }
}
