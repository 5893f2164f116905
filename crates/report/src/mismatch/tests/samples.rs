//! One sample or more of every variant of the results' types, each list
//! written through [`every!`] so that a variant without its samples does
//! not compile. Where a variant's sentence has branches (a deadline said or
//! not, a list of one or of many), its list has one sample per branch.

use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{Bytes, Framing, PropertyName, ReplyKind, Role, Skip};
use sockspec_results::{
    CaseView, Doing, Ended, Expectation, HttpMessage, Listen, Mismatch, Nth, PropertyFailure,
    Queue, ReplyShape, ScenarioBug, Seen, Unrunnable,
};

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn bytes(text: &str) -> Bytes {
    Bytes(text.as_bytes().to_vec())
}

/// What the operating system says, quoted as it is in both languages.
const OS: &str = "Address already in use (os error 98)";

pub(super) fn roles() -> Vec<Role> {
    every!(Role {
        TcpServer => [Role::TcpServer],
        TcpClient => [Role::TcpClient],
        UdpServer => [Role::UdpServer],
        UdpClient => [Role::UdpClient],
        BroadcastSender => [Role::BroadcastSender],
        BroadcastReceiver => [Role::BroadcastReceiver],
        HttpServer => [Role::HttpServer],
        HttpClient => [Role::HttpClient],
    })
}

pub(super) fn property_names() -> Vec<PropertyName> {
    use PropertyName as P;
    every!(PropertyName {
        StreamRoundTrip => [P::StreamRoundTrip],
        UdpBoundaries => [P::UdpBoundaries],
        HttpHeadSplitting => [P::HttpHeadSplitting],
        ReplySplitting => [P::ReplySplitting],
        ResponseSplitting => [P::ResponseSplitting],
        DatagramLines => [P::DatagramLines],
        BroadcastDatagrams => [P::BroadcastDatagrams],
    })
}

pub(super) fn framings() -> Vec<Framing> {
    every!(Framing {
        None => [Framing::None],
        Line => [Framing::Line],
        Len32 => [Framing::Len32],
    })
}

pub(super) fn endings() -> Vec<Ended> {
    every!(Ended {
        // 126 and 127: how a shell says a command was not found.
        Code => [Ended::Code(0), Ended::Code(1), Ended::Code(127)],
        // A signal with a name, the one a broken pipe sends, and one without.
        Signal => [Ended::Signal(9), Ended::Signal(13), Ended::Signal(64)],
    })
}

fn nths() -> Vec<Nth> {
    every!(Nth {
        The => [Nth::The],
        Of => [Nth::Of { i: 2, n: 3 }],
    })
}

fn listens() -> Vec<Listen> {
    [(false, 9000), (false, 0), (true, 9000), (true, 0)]
        .map(|(udp, port)| Listen { udp, port })
        .into()
}

fn http_messages() -> Vec<HttpMessage> {
    every!(HttpMessage {
        Request => [HttpMessage::Request],
        Response => [HttpMessage::Response],
    })
}

fn queues() -> Vec<Queue> {
    every!(Queue {
        RepliesToMessages => [Queue::RepliesToMessages],
        RepliesToDatagrams => [Queue::RepliesToDatagrams],
        MessagesToAnswer => [Queue::MessagesToAnswer],
        DatagramsToAnswer => [Queue::DatagramsToAnswer],
    })
}

pub(super) fn skips() -> Vec<Skip> {
    every!(Skip {
        Framing => [Skip::Framing {
            wanted: vec![Framing::Line, Framing::Len32],
            got: Framing::None,
        }],
        Reply => [Skip::Reply {
            wanted: vec![ReplyKind::Echo, ReplyKind::Fixed],
            got: "regex:^ok".into(),
        }],
    })
}

pub(super) fn seen() -> Vec<Seen> {
    every!(Seen {
        ListeningLate => [Seen::ListeningLate(addr(9000))],
        ListensElsewhere => [Seen::ListensElsewhere {
            addrs: vec![addr(8080), SocketAddr::from(([0, 0, 0, 0], 8081))],
            port: 9000,
        }],
        UdpInsteadOfTcp => [Seen::UdpInsteadOfTcp(9000)],
        OtherProcess => [Seen::OtherProcess(9000)],
        NoSocket => [Seen::NoSocket(9000)],
        UdpElsewhere => [Seen::UdpElsewhere {
            addrs: vec![addr(8080)],
            port: 9000,
        }],
        TcpInsteadOfUdp => [Seen::TcpInsteadOfUdp(9000)],
        NoUdpSocket => [Seen::NoUdpSocket(9000)],
    })
}

pub(super) fn doings() -> Vec<Doing> {
    let a = addr(9000);
    every!(Doing {
        Listen => [Doing::Listen(a)],
        BindReceiver => [Doing::BindReceiver(9000)],
        Accept => [Doing::Accept],
        Broadcast => [Doing::Broadcast(SocketAddr::from(([255, 255, 255, 255], 9000)))],
        BindUdp => [Doing::BindUdp(a)],
        SendDatagram => [Doing::SendDatagram(a)],
        Receive => [Doing::Receive],
        ReceiveReply => nths().into_iter().map(Doing::ReceiveReply),
        ReplyTo => [Doing::ReplyTo(a)],
        Connect => [Doing::Connect(a)],
        LocalAddr => [Doing::LocalAddr],
        AcceptedAddr => [Doing::AcceptedAddr],
        Write => [Doing::Write],
        Read => [Doing::Read],
        ReadReply => nths().into_iter().map(Doing::ReadReply),
        ReadHttp => http_messages().into_iter().map(Doing::ReadHttp),
        Shutdown => [Doing::Shutdown],
        Cork => [Doing::Cork],
        Abort => [Doing::Abort],
        Linger => [Doing::Linger],
        Stdin => [Doing::Stdin],
        PropertyRunner => [Doing::PropertyRunner],
        RestartPort => [Doing::RestartPort],
        Port => [Doing::Port],
    })
}

pub(super) fn scenario_bugs() -> Vec<ScenarioBug> {
    every!(ScenarioBug {
        NotTcp => [ScenarioBug::NotTcp("u".into())],
        NotUdp => [ScenarioBug::NotUdp("a".into())],
        NotOpen => [ScenarioBug::NotOpen("b".into())],
        NotStarted => [ScenarioBug::NotStarted],
        NoUdpServer => [ScenarioBug::NoUdpServer],
        NoListener => [ScenarioBug::NoListener],
        NoReceivers => [ScenarioBug::NoReceivers],
        TooFew => queues().into_iter().map(|what| ScenarioBug::TooFew {
            want: 2,
            what,
            have: 1,
        }),
        NotClosedByHarness => [ScenarioBug::NotClosedByHarness("a".into())],
        BadRegex => [ScenarioBug::BadRegex {
            rule: "(unclosed".into(),
            error: "regex parse error: unclosed group".into(),
        }],
    })
}

fn reply_shapes() -> Vec<ReplyShape> {
    every!(ReplyShape {
        Echo => [ReplyShape::Echo],
        Fixed => [ReplyShape::Fixed(bytes("Thanks"))],
        Any => [ReplyShape::Any],
        Regex => [ReplyShape::Regex("^[0-9]+$".into())],
    })
}

pub(super) fn expectations() -> Vec<Expectation> {
    let replies = reply_shapes().into_iter().flat_map(|rule| {
        framings()
            .into_iter()
            .map(move |framing| Expectation::Reply {
                rule: rule.clone(),
                framing,
                message: bytes("hello"),
            })
    });
    every!(Expectation {
        Reply => replies,
        Datagram => [Expectation::Datagram(bytes("hello"))],
        Message => [Expectation::Message(bytes("hello"))],
        ListeningAgain => [Expectation::ListeningAgain(9000)],
        Printed => [Expectation::Printed(vec![("Thanks".into(), 2), ("Bye".into(), 1)])],
        Broadcast => [Expectation::Broadcast {
            count: 2,
            to: "255.255.255.255".into(),
            port: 9000,
        }],
        CloseSocket => [Expectation::CloseSocket],
        EndNothingBefore => [Expectation::EndNothingBefore],
        End => [Expectation::End],
        WholeMessage => [Expectation::WholeMessage],
        HttpResponse => [Expectation::HttpResponse],
        HttpRequest => [Expectation::HttpRequest],
        Status => [Expectation::Status(404)],
        BodyMatching => [Expectation::BodyMatching("^<html>".into())],
    })
}

pub(super) fn cases() -> Vec<CaseView> {
    let one = vec![bytes("hello")];
    let three = vec![bytes("a"), bytes("bc"), bytes("hello")];
    every!(CaseView {
        Stream => [
            CaseView::Stream {
                messages: one.clone(),
                written: one.clone(),
                pause_ms: 0,
            },
            CaseView::Stream {
                messages: three.clone(),
                written: vec![bytes("a\nb"), bytes("c\nhello\n")],
                pause_ms: 50,
            },
        ],
        Udp => [false, true].map(|queued| CaseView::Udp {
            queued,
            datagrams: vec![(1, bytes("hello")), (2, bytes("x"))],
        }),
        Replies => [
            CaseView::Replies {
                lines: vec!["hello".into()],
                pieces: vec![],
            },
            CaseView::Replies {
                lines: vec!["one".into(), "two".into()],
                pieces: vec![1, 3],
            },
        ],
        Broadcasts => [
            CaseView::Broadcasts {
                texts: vec!["hello".into()],
            },
            CaseView::Broadcasts {
                texts: vec!["one".into(), "two".into()],
            },
        ],
        Response => [0, 100].map(|pause_ms| CaseView::Response {
            written: vec![bytes("HTTP/1.1 200 OK\r\n"), bytes("\r\n")],
            pause_ms,
        }),
        Request => [0, 100].map(|pause_ms| CaseView::Request {
            written: vec![bytes("GET / HTTP/1.1\r\n"), bytes("Host: x\r\n\r\n")],
            pause_ms,
        }),
    })
}

pub(super) fn unrunnables() -> Vec<Unrunnable> {
    let files = |n: usize| (1..=n).map(|i| format!("f{i}.py")).collect::<Vec<_>>();
    let missing = [0, 3, 11].map(|n| Unrunnable::MissingFile {
        file: "server.py".into(),
        command: "python3 server.py {port}".into(),
        dir: "/sub/student".into(),
        has: files(n),
    });
    let far = || vec!["8.8.8.8:53".to_owned()];
    let hosts = |n: usize| {
        ["example.com", "example.org"][..n]
            .iter()
            .map(|h| h.to_string())
    };
    let leaves = roles().into_iter().flat_map(move |role| {
        [false, true].into_iter().flat_map(move |sends| {
            [(far(), 0), (vec![], 1), (vec![], 2), (far(), 2)].map(|(far, n)| {
                Unrunnable::LeavesMachine {
                    role,
                    sends,
                    far,
                    hosts: hosts(n).collect(),
                }
            })
        })
    });
    every!(Unrunnable {
        MissingFile => missing,
        LeavesMachine => leaves,
    })
}

/// Every failure: each leaf, and each wrapper around `wrappers::plain` (the walk
/// wraps every leaf in each of them too).
pub(super) fn mismatches() -> Vec<Mismatch> {
    let a = addr(9000);
    let b = || Box::new(super::wrappers::plain());
    let each_nth = |f: fn(Nth) -> Mismatch| nths().into_iter().map(f);
    let each_http = |f: fn(HttpMessage) -> Mismatch| http_messages().into_iter().map(f);
    let property = cases().into_iter().flat_map(|case| {
        [false, true].map(|unshrunk| {
            Mismatch::Property(Box::new(PropertyFailure {
                name: PropertyName::StreamRoundTrip,
                nth: 3,
                cases: 100,
                seed: 42,
                case: case.clone(),
                inner: super::wrappers::plain(),
                unshrunk,
                reproduce: "sockspec --seed 42 --only stream-round-trip".into(),
            }))
        })
    });
    every!(Mismatch {
        NoProgram => roles().into_iter().map(Mismatch::NoProgram),
        Unrunnable => unrunnables().into_iter().map(Mismatch::Unrunnable),
        AsIn => [Mismatch::AsIn {
            id: "tcp-server/echo".into(),
            first: b(),
        }],
        OverBudget => [Mismatch::OverBudget(secs(30.0))],
        Harness => [Mismatch::Harness("the wire reader stopped: channel closed".into())],
        Flaky => [Mismatch::Flaky {
            passes: 2,
            attempts: 3,
            first: b(),
        }],
        Io => doings().into_iter().map(|doing| Mismatch::Io {
            doing,
            error: OS.into(),
        }),
        Scenario => scenario_bugs().into_iter().map(Mismatch::Scenario),
        SpawnFailed => [
            (Some("./server"), false),
            (Some("pyhton3"), true),
            (None, false),
        ]
        .map(|(program, not_on_path)| Mismatch::SpawnFailed {
            program: program.map(str::to_owned),
            not_on_path,
            error: "No such file or directory (os error 2)".into(),
        }),
        CommandNotRun => [Mismatch::CommandNotRun(Ended::Code(127))],
        EndedBeforeReady => endings().into_iter().flat_map(|ended| {
            listens()
                .into_iter()
                .map(move |listen| Mismatch::EndedBeforeReady { ended, listen })
        }),
        NotReady => listens().into_iter().flat_map(|listen| {
            std::iter::once(None)
                .chain(seen().into_iter().map(Some))
                .map(move |seen| Mismatch::NotReady {
                    listen,
                    after: secs(5.0),
                    seen,
                })
        }),
        ReadyFailed => [Mismatch::ReadyFailed(OS.into())],
        AfterRestart => [Mismatch::AfterRestart(b())],
        Meanwhile => std::iter::once(None)
            .chain(endings().into_iter().map(Some))
            .map(|ended| Mismatch::Meanwhile { inner: b(), ended }),
        Stalled => [Mismatch::Stalled(b())],
        Refused => [Mismatch::Refused(a)],
        ResetOnConnect => [Mismatch::ResetOnConnect(a)],
        ConnectTimeout => [Mismatch::ConnectTimeout {
            addr: a,
            within: secs(2.0),
        }],
        BrokenPipe => [Mismatch::BrokenPipe],
        ResetWhileWriting => [Mismatch::ResetWhileWriting],
        StoppedReading => [Mismatch::StoppedReading],
        NoConnection => [vec![], vec![addr(80), addr(8080)]].map(|trying| {
            Mismatch::NoConnection {
                addr: a,
                within: secs(2.0),
                trying,
            }
        }),
        Unframeable => nths().into_iter().map(|nth| Mismatch::Unframeable {
            nth,
            error: "length prefix 4294967295 is over the limit".into(),
        }),
        ClosedBeforeReply => each_nth(Mismatch::ClosedBeforeReply),
        ResetBeforeReply => each_nth(Mismatch::ResetBeforeReply),
        ResetBeforeAnyReply => [Mismatch::ResetBeforeAnyReply],
        NoReply => nths().into_iter().map(|nth| Mismatch::NoReply {
            nth,
            within: secs(2.0),
        }),
        IncompleteReply => nths().into_iter().flat_map(|nth| {
            framings().into_iter().map(move |framing| Mismatch::IncompleteReply {
                nth,
                within: secs(2.0),
                framing,
            })
        }),
        IncompleteStream => [Mismatch::IncompleteStream {
            within: secs(2.0),
            got: 3,
            want: 5,
        }],
        NoMatchingReply => [Mismatch::NoMatchingReply(secs(2.0))],
        WrongReply => each_nth(Mismatch::WrongReply),
        ClosedWithoutReply => [Mismatch::ClosedWithoutReply],
        Unreachable => each_nth(Mismatch::Unreachable),
        SomeReplies => [Mismatch::SomeReplies {
            got: 1,
            count: 3,
            within: secs(2.0),
        }],
        NotTheLine => [Mismatch::NotTheLine],
        NoDatagram => [Mismatch::NoDatagram(secs(2.0))],
        MessageUnframeable => [Mismatch::MessageUnframeable(
            "length prefix 4294967295 is over the limit".into(),
        )],
        ClosedInsteadOfMessage => [Mismatch::ClosedInsteadOfMessage],
        ResetBeforeMessage => [Mismatch::ResetBeforeMessage],
        NoMessage => [Mismatch::NoMessage(secs(2.0))],
        MessageIncomplete => [Mismatch::MessageIncomplete(secs(2.0))],
        SomethingElse => [Mismatch::SomethingElse],
        BytesBeforeClose => [Mismatch::BytesBeforeClose(6)],
        ResetNotClosed => [Mismatch::ResetNotClosed],
        NotClosed => [0, 6].map(|extra| Mismatch::NotClosed {
            within: secs(2.0),
            extra,
        }),
        ClosedNotReset => [Mismatch::ClosedNotReset],
        NotReset => [Mismatch::NotReset(secs(2.0))],
        CloseWait => [Mismatch::CloseWait {
            after: secs(1.0),
            name: "a".into(),
            program: a,
            harness: addr(40001),
        }],
        NotRunning => endings().into_iter().map(Mismatch::NotRunning),
        StillRunning => [Mismatch::StillRunning(secs(3.0))],
        WrongExit => endings()
            .into_iter()
            .map(|ended| Mismatch::WrongExit { ended, want: 0 }),
        Traceback => [Mismatch::Traceback],
        EndedWithoutPrinting => endings().into_iter().map(|ended| {
            Mismatch::EndedWithoutPrinting {
                ended,
                missing: vec![("Thanks".into(), 2)],
            }
        }),
        NotPrinted => [Mismatch::NotPrinted {
            missing: vec![("Thanks".into(), 1), ("Bye".into(), 1)],
            within: secs(2.0),
        }],
        NoBroadcast => std::iter::once(None)
            .chain(endings().into_iter().map(Some))
            .map(|sender| Mismatch::NoBroadcast {
                receivers: 2,
                port: 9000,
                within: secs(6.0),
                sender,
            }),
        SomeBroadcast => [Mismatch::SomeBroadcast {
            receivers: 2,
            port: 9000,
            counts: vec![1, 0],
            within: secs(6.0),
        }],
        HttpReset => each_http(Mismatch::HttpReset),
        NoHttp => http_messages().into_iter().map(|what| Mismatch::NoHttp {
            what,
            within: secs(2.0),
        }),
        HttpStopped => http_messages().into_iter().map(|what| Mismatch::HttpStopped {
            what,
            within: secs(2.0),
            got: 17,
        }),
        Incomplete => [
            sockspec_http::Incomplete::NothingCame,
            sockspec_http::Incomplete::HeadNeverEnded,
            sockspec_http::Incomplete::HeadUnparsable,
            sockspec_http::Incomplete::BodyShort {
                declared: 10,
                came: 4,
            },
            sockspec_http::Incomplete::ChunkedNeverEnded,
            sockspec_http::Incomplete::NoLengthStayedOpen,
            sockspec_http::Incomplete::StoppedEarly,
        ]
        .map(|why| Mismatch::Incomplete {
            inner: b(),
            why,
        }),
        ResetUnread => [Mismatch::ResetUnread(b())],
        AnsweredEarly => [false, true].map(|head_over| Mismatch::AnsweredEarly {
            sent: 20,
            total: 60,
            head_over,
        }),
        ClosedEarly => [Mismatch::ClosedEarly { sent: 20, total: 60 }],
        NoResponse => [Mismatch::NoResponse],
        NoRequest => [Mismatch::NoRequest],
        // The problems are the http crate's, each with its own Chinese.
        Malformed => http_messages().into_iter().map(|what| Mismatch::Malformed {
            what,
            problems: sockspec_http::check_request(b"get / HTTP/1.1\nHost: a\n\n")
                .problems()
                .to_vec(),
        }),
        HttpCut => each_http(Mismatch::HttpCut),
        WrongStatus => [Mismatch::WrongStatus {
            method: "GET".into(),
            path: "/index.html".into(),
            got: 404,
            want: 200,
        }],
        WrongBody => [Mismatch::WrongBody {
            method: "GET".into(),
            path: "/".into(),
            rule: "^<html>".into(),
        }],
        WrongMethod => [Mismatch::WrongMethod {
            got: "POST".into(),
            want: "GET".into(),
        }],
        PropertyAbort => [Mismatch::PropertyAbort("no case could be generated".into())],
        PropertyNoCase => [Mismatch::PropertyNoCase],
        PropertyPanicked => [Mismatch::PropertyPanicked],
        RestartFailed => [Mismatch::RestartFailed(b())],
        BaselineFailed => [Mismatch::BaselineFailed(b())],
        PiecesStatus => [Mismatch::PiecesStatus { got: 400, want: 200 }],
        Property => property,
    })
}
