//! Why a scenario did not pass, as data.
//!
//! Every way a step can fail is a variant here with the values that make it
//! concrete (the address, the deadline, the bytes counted), and nothing
//! else: no sentence. The reporters own the sentences, one per variant and
//! language, so a message never has to be parsed back or edited with a
//! pattern, and a variant without its Chinese sentence cannot compile.
//!
//! What the operating system said (an `io::Error`) is kept as its own text:
//! like the program's output, it is quoted, not translated.

use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{Bytes, Framing, PropertyName, Role, Skip};

/// Why a scenario's verdict is not a plain pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// The scenario does not apply to the program's contract.
    Skip(Skip),
    /// What went wrong.
    Mismatch(Mismatch),
}

/// Which of the replies a step awaits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nth {
    /// The only one.
    The,
    /// Number `i` (1-based) of `n`.
    Of {
        /// Which one.
        i: usize,
        /// How many in all.
        n: usize,
    },
}

impl Nth {
    /// Reply `i` (0-based) of `count`.
    pub fn of(i: usize, count: usize) -> Nth {
        if count > 1 {
            Nth::Of { i: i + 1, n: count }
        } else {
            Nth::The
        }
    }
}

/// How a program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ended {
    /// It exited with this code.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

impl Ended {
    /// The signal's name (`SIGKILL`), for the signals a program meets.
    pub fn signal_name(sig: i32) -> Option<&'static str> {
        Some(match sig {
            1 => "SIGHUP",
            2 => "SIGINT",
            3 => "SIGQUIT",
            4 => "SIGILL",
            5 => "SIGTRAP",
            6 => "SIGABRT",
            7 => "SIGBUS",
            8 => "SIGFPE",
            9 => "SIGKILL",
            10 => "SIGUSR1",
            11 => "SIGSEGV",
            12 => "SIGUSR2",
            13 => "SIGPIPE",
            14 => "SIGALRM",
            15 => "SIGTERM",
            24 => "SIGXCPU",
            25 => "SIGXFSZ",
            31 => "SIGSYS",
            _ => return None,
        })
    }
}

/// A socket the program was to listen on or bind: TCP or UDP, and the
/// port (0: any, for a program that picks its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listen {
    /// UDP (bound) rather than TCP (listening).
    pub udp: bool,
    /// The port; 0 for any.
    pub port: u16,
}

/// An HTTP message, by direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMessage {
    /// A request (the program is the client).
    Request,
    /// A response (the program is the server).
    Response,
}

/// A queue of the harness's a scenario takes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Messages sent on a connection that await their replies.
    RepliesToMessages,
    /// Datagrams sent that await their replies.
    RepliesToDatagrams,
    /// Messages from the program the harness has not answered.
    MessagesToAnswer,
    /// Datagrams from the program the harness has not answered.
    DatagramsToAnswer,
}

/// A mistake in the scenario itself (the loader catches most).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioBug {
    /// A TCP step on a UDP socket.
    NotTcp(String),
    /// A UDP step on something else.
    NotUdp(String),
    /// A connection that is not open.
    NotOpen(String),
    /// A step on the program before it started.
    NotStarted,
    /// A step needing the harness's UDP server, in a role without one.
    NoUdpServer,
    /// A step needing the harness's listener, in a role without one.
    NoListener,
    /// A step needing the harness's broadcast receivers, in a role without them.
    NoReceivers,
    /// More taken from a queue than it holds.
    TooFew {
        /// How many the step wants.
        want: usize,
        /// Of what.
        what: Queue,
        /// How many there are.
        have: usize,
    },
    /// `expect_closed` of a connection the harness did not close.
    NotClosedByHarness(String),
    /// A body rule that is not a regular expression.
    BadRegex {
        /// The rule.
        rule: String,
        /// What the regex parser said.
        error: String,
    },
}

/// What the harness was doing when the operating system said no.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Doing {
    /// Listening for a client program.
    Listen(SocketAddr),
    /// Binding one of its broadcast receivers.
    BindReceiver(u16),
    /// Accepting the program's connection.
    Accept,
    /// Sending a broadcast.
    Broadcast(SocketAddr),
    /// Binding a UDP socket.
    BindUdp(SocketAddr),
    /// Sending a datagram.
    SendDatagram(SocketAddr),
    /// Receiving a datagram.
    Receive,
    /// Receiving a reply datagram.
    ReceiveReply(Nth),
    /// Answering a datagram.
    ReplyTo(SocketAddr),
    /// Connecting to the program.
    Connect(SocketAddr),
    /// Reading its own end of a connection it opened.
    LocalAddr,
    /// Reading its own end of a connection it accepted.
    AcceptedAddr,
    /// Writing on a connection.
    Write,
    /// Reading a connection.
    Read,
    /// Reading a reply on a connection.
    ReadReply(Nth),
    /// Reading an HTTP message.
    ReadHttp(HttpMessage),
    /// Shutting down its writing half.
    Shutdown,
    /// Corking a connection (TCP_CORK).
    Cork,
    /// Resetting a connection.
    Abort,
    /// Setting SO_LINGER.
    Linger,
    /// Typing on the program's standard input.
    Stdin,
    /// Running the property's cases.
    PropertyRunner,
    /// Finding a port to restart the program on.
    RestartPort,
    /// Finding a port for the program.
    Port,
}

/// What a step expected, when it is more than its failure says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// A reply by the contract's rule.
    Reply {
        /// The rule.
        rule: ReplyShape,
        /// The framing around it.
        framing: Framing,
        /// The message it answers (for echo).
        message: Bytes,
    },
    /// One datagram of exactly these bytes.
    Datagram(Bytes),
    /// A message of exactly these bytes on a connection.
    Message(Bytes),
    /// The program listening on this port again at once.
    ListeningAgain(u16),
    /// Its stdout to hold these texts, each so many times.
    Printed(Vec<(String, usize)>),
    /// At least `count` datagrams at every receiver, sent to `to:port`.
    Broadcast {
        /// Datagrams per receiver.
        count: usize,
        /// The address they are sent to.
        to: String,
        /// The port.
        port: u16,
    },
    /// recv() to give b'' and the program to close its socket.
    CloseSocket,
    /// The end of the stream, with nothing before it.
    EndNothingBefore,
    /// The end of the stream.
    End,
    /// The program waiting for the whole message before it acts.
    WholeMessage,
    /// A well-formed HTTP response.
    HttpResponse,
    /// A well-formed HTTP request.
    HttpRequest,
    /// This HTTP status.
    Status(u16),
    /// A body matching this pattern.
    BodyMatching(String),
}

/// A reply rule, as data for a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyShape {
    /// The message itself.
    Echo,
    /// Exactly these bytes.
    Fixed(Bytes),
    /// Anything non-empty.
    Any,
    /// Text matching this pattern.
    Regex(String),
}

/// One way a scenario did not pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Mismatch {
    // ----- the run -----
    /// No program was given for the scenario's role.
    NoProgram(Role),
    /// The program cannot be run at all (a submission without its file).
    Unrunnable(Unrunnable),
    /// Not played: its program could not start in scenario `id`.
    AsIn {
        /// The scenario where it was tried.
        id: String,
        /// Why it did not start there.
        first: Box<Mismatch>,
    },
    /// The try went past its time budget.
    OverBudget(Duration),
    /// The harness itself failed (a bug of ours).
    Harness(String),
    /// Passed on some tries, failed on others.
    Flaky {
        /// Tries that passed.
        passes: u32,
        /// Tries in all.
        attempts: u32,
        /// Why the first failed.
        first: Box<Mismatch>,
    },
    /// The operating system refused something the harness did.
    Io {
        /// What.
        doing: Doing,
        /// What the system said.
        error: String,
    },
    /// A mistake in the scenario.
    Scenario(ScenarioBug),

    // ----- start-up -----
    /// The program could not be spawned.
    SpawnFailed {
        /// The program (the command's first word), when exec refused it.
        program: Option<String>,
        /// It is a bare name and no folder on PATH has it.
        not_on_path: bool,
        /// What the system said.
        error: String,
    },
    /// The shell said the command does not exist or cannot run (126/127).
    CommandNotRun(Ended),
    /// The program ended before it listened.
    EndedBeforeReady {
        /// How it ended.
        ended: Ended,
        /// What it was to listen on.
        listen: Listen,
    },
    /// The program never listened.
    NotReady {
        /// What it was to listen on.
        listen: Listen,
        /// After how long.
        after: Duration,
        /// What it was seen doing instead (none: it picks its own port
        /// and has no socket at all).
        seen: Option<Seen>,
    },
    /// Waiting for readiness failed.
    ReadyFailed(String),
    /// The failure came after a restart.
    AfterRestart(Box<Mismatch>),

    // ----- while a step waited -----
    /// The program ended while the step waited.
    Meanwhile {
        /// The step's own failure.
        inner: Box<Mismatch>,
        /// How it ended (none: not yet reaped).
        ended: Option<Ended>,
    },
    /// The program only waits to receive: the harness stopped waiting.
    Stalled(Box<Mismatch>),

    // ----- connections -----
    /// Nothing listens any more.
    Refused(SocketAddr),
    /// The connection was reset as it opened.
    ResetOnConnect(SocketAddr),
    /// No connection within the deadline.
    ConnectTimeout {
        /// Where.
        addr: SocketAddr,
        /// The deadline.
        within: Duration,
    },
    /// The program had closed the connection the harness wrote on.
    BrokenPipe,
    /// The program reset the connection while the harness wrote.
    ResetWhileWriting,
    /// The program stopped reading: a write did not finish.
    StoppedReading,
    /// The program did not connect to the harness.
    NoConnection {
        /// Where the harness listened.
        addr: SocketAddr,
        /// The deadline.
        within: Duration,
        /// Where it tries to connect instead (SYN_SENT).
        trying: Vec<SocketAddr>,
    },

    // ----- replies -----
    /// A reply that cannot be framed.
    Unframeable {
        /// Which reply.
        nth: Nth,
        /// What the framing reader said.
        error: String,
    },
    /// The program closed before the reply was complete.
    ClosedBeforeReply(Nth),
    /// The connection was reset before the reply was complete.
    ResetBeforeReply(Nth),
    /// The connection was reset before any reply arrived.
    ResetBeforeAnyReply,
    /// No reply in time.
    NoReply {
        /// Which reply.
        nth: Nth,
        /// The deadline.
        within: Duration,
    },
    /// Part of a framed reply came.
    IncompleteReply {
        /// Which reply.
        nth: Nth,
        /// The deadline.
        within: Duration,
        /// The framing that was not completed.
        framing: Framing,
    },
    /// Part of a reply stream came.
    IncompleteStream {
        /// The deadline.
        within: Duration,
        /// Bytes that came.
        got: usize,
        /// Bytes the rule wants.
        want: usize,
    },
    /// Bytes came, but none matching the rule.
    NoMatchingReply(Duration),
    /// The reply is not the rule's.
    WrongReply(Nth),
    /// The program closed without replying.
    ClosedWithoutReply,
    /// A datagram to the program was refused (ICMP port unreachable).
    Unreachable(Nth),
    /// Fewer reply datagrams than datagrams sent.
    SomeReplies {
        /// Replies that came.
        got: usize,
        /// Datagrams sent.
        count: usize,
        /// The deadline.
        within: Duration,
    },
    /// A datagram is not the line typed.
    NotTheLine,
    /// No datagram in time.
    NoDatagram(Duration),

    /// A message from the program that cannot be framed.
    MessageUnframeable(String),
    /// The program closed instead of sending its message.
    ClosedInsteadOfMessage,
    /// The connection was reset before the program's message came.
    ResetBeforeMessage,
    /// No message from the program in time.
    NoMessage(Duration),
    /// Part of the program's message came.
    MessageIncomplete(Duration),
    /// The program sent something else.
    SomethingElse,

    // ----- the end of a connection -----
    /// Bytes came before the close.
    BytesBeforeClose(usize),
    /// A reset instead of a close.
    ResetNotClosed,
    /// No close in time (after `extra` more bytes).
    NotClosed {
        /// The deadline.
        within: Duration,
        /// Bytes that came meanwhile.
        extra: usize,
    },
    /// A close instead of a reset.
    ClosedNotReset,
    /// No reset in time.
    NotReset(Duration),
    /// The program never closed its end after the harness closed its own.
    CloseWait {
        /// Since the harness closed.
        after: Duration,
        /// The connection's name.
        name: String,
        /// The program's end.
        program: SocketAddr,
        /// The harness's end.
        harness: SocketAddr,
    },

    // ----- the program -----
    /// The program is no longer running.
    NotRunning(Ended),
    /// The program did not exit.
    StillRunning(Duration),
    /// The program exited with another code.
    WrongExit {
        /// How it ended.
        ended: Ended,
        /// The code the scenario wants.
        want: i32,
    },
    /// A traceback on stderr.
    Traceback,
    /// The program ended without printing what it should have.
    EndedWithoutPrinting {
        /// How it ended.
        ended: Ended,
        /// Texts missing, with how many times each was wanted.
        missing: Vec<(String, usize)>,
    },
    /// The program did not print in time.
    NotPrinted {
        /// Texts missing.
        missing: Vec<(String, usize)>,
        /// The deadline.
        within: Duration,
    },
    /// No receiver got a broadcast.
    NoBroadcast {
        /// Receivers.
        receivers: usize,
        /// Their port.
        port: u16,
        /// The deadline.
        within: Duration,
        /// How the sender ended, if it did.
        sender: Option<Ended>,
    },
    /// Some receivers got fewer datagrams than others.
    SomeBroadcast {
        /// Receivers.
        receivers: usize,
        /// Their port.
        port: u16,
        /// Datagrams each got.
        counts: Vec<usize>,
        /// The deadline.
        within: Duration,
    },

    // ----- HTTP -----
    /// The connection was reset before the message was complete.
    HttpReset(HttpMessage),
    /// No message in time.
    NoHttp {
        /// Which message.
        what: HttpMessage,
        /// The deadline.
        within: Duration,
    },
    /// Part of the message came, then nothing.
    HttpStopped {
        /// Which message.
        what: HttpMessage,
        /// The deadline.
        within: Duration,
        /// Bytes that came.
        got: usize,
    },
    /// What was missing from a message cut short.
    Incomplete {
        /// The failure it explains.
        inner: Box<Mismatch>,
        /// What the checker says was missing.
        why: sockspec_http::Incomplete,
    },
    /// A reset after part of a response: the server closed with the
    /// request unread.
    ResetUnread(Box<Mismatch>),
    /// The server answered before the request was whole.
    AnsweredEarly {
        /// Bytes of the request sent.
        sent: usize,
        /// Bytes in all.
        total: usize,
        /// The head was over (the body was on its way).
        head_over: bool,
    },
    /// The client closed before the response was whole.
    ClosedEarly {
        /// Bytes of the response sent.
        sent: usize,
        /// Bytes in all.
        total: usize,
    },
    /// The server closed without a response.
    NoResponse,
    /// The client closed without a request.
    NoRequest,
    /// The message breaks HTTP.
    Malformed {
        /// Which message.
        what: HttpMessage,
        /// What the checker found (errors only are shown).
        problems: Vec<sockspec_http::Problem>,
    },
    /// The message was cut short by the close.
    HttpCut(HttpMessage),
    /// Another status than the assignment's.
    WrongStatus {
        /// The request's method.
        method: String,
        /// Its path.
        path: String,
        /// The status that came.
        got: u16,
        /// The status wanted.
        want: u16,
    },
    /// The body does not match.
    WrongBody {
        /// The request's method.
        method: String,
        /// Its path.
        path: String,
        /// The pattern.
        rule: String,
    },
    /// The request uses another method.
    WrongMethod {
        /// The method used.
        got: String,
        /// The method wanted.
        want: String,
    },

    // ----- properties -----
    /// The property runner gave up.
    PropertyAbort(String),
    /// The property failed without a case.
    PropertyNoCase,
    /// The property runner panicked.
    PropertyPanicked,
    /// The program died in a case and could not be restarted.
    RestartFailed(Box<Mismatch>),
    /// The request sent whole failed (to learn its answer).
    BaselineFailed(Box<Mismatch>),
    /// A request in pieces got another status than sent whole.
    PiecesStatus {
        /// In pieces.
        got: u16,
        /// Whole.
        want: u16,
    },
    /// A property failed on a case.
    Property(Box<PropertyFailure>),
}

/// Why a program cannot be run at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unrunnable {
    /// The file its command names is not in the submission.
    MissingFile {
        /// The file.
        file: String,
        /// The command.
        command: String,
        /// The folder it runs in.
        dir: String,
        /// What the folder has (sorted).
        has: Vec<String>,
    },
    /// Its packets would leave the machine, and there is no private network.
    LeavesMachine {
        /// Its role.
        role: Role,
        /// Whether the role sends (connects, sends datagrams) rather than
        /// only looking names up.
        sends: bool,
        /// Addresses off the machine it sends to.
        far: Vec<String>,
        /// Host names it names that are not on this machine.
        hosts: Vec<String>,
    },
}

/// A property that failed, and its smallest case.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyFailure {
    /// The property.
    pub name: PropertyName,
    /// The case that failed first (1-based).
    pub nth: u32,
    /// Cases generated.
    pub cases: u32,
    /// The seed.
    pub seed: u64,
    /// The case shown.
    pub case: CaseView,
    /// Why the case failed.
    pub inner: Mismatch,
    /// The smallest case passed when played again: the case shown is
    /// the first as generated.
    pub unshrunk: bool,
    /// The command that plays the same cases again.
    pub reproduce: String,
}

/// A generated case, as a reader checks it by hand: the messages, and the
/// exact writes that carried them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseView {
    /// Messages on a TCP stream.
    Stream {
        /// The messages, before framing.
        messages: Vec<Bytes>,
        /// The writes that carried them.
        written: Vec<Bytes>,
        /// The pause after each write (ms).
        pause_ms: u64,
    },
    /// Datagrams from several harness sockets.
    Udp {
        /// Sent while the server was paused (waiting in its queue together).
        queued: bool,
        /// Each datagram with the number of the socket that sent it.
        datagrams: Vec<(usize, Bytes)>,
    },
    /// Lines typed on a client's stdin, each reply cut into pieces.
    Replies {
        /// The lines.
        lines: Vec<String>,
        /// The pieces of each reply.
        pieces: Vec<usize>,
    },
    /// Datagrams broadcast.
    Broadcasts {
        /// Their texts.
        texts: Vec<String>,
    },
    /// An HTTP response written in pieces.
    Response {
        /// The writes.
        written: Vec<Bytes>,
        /// The pause after each write (ms).
        pause_ms: u64,
    },
    /// An HTTP request written in pieces.
    Request {
        /// The writes.
        written: Vec<Bytes>,
        /// The pause after each write (ms).
        pause_ms: u64,
    },
}

/// What a program that never became ready was seen doing instead, in the
/// kernel's socket tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// It listens there, but only from the last moment.
    ListeningLate(SocketAddr),
    /// It listens on other ports than the one it was given.
    ListensElsewhere {
        /// Where it listens.
        addrs: Vec<SocketAddr>,
        /// The port it was given.
        port: u16,
    },
    /// A UDP socket where a TCP listener was due.
    UdpInsteadOfTcp(u16),
    /// Another process listens on the port.
    OtherProcess(u16),
    /// No socket on the port.
    NoSocket(u16),
    /// Its UDP socket is bound elsewhere.
    UdpElsewhere {
        /// Where it is bound.
        addrs: Vec<SocketAddr>,
        /// The port it was given.
        port: u16,
    },
    /// A TCP listener where a UDP socket was due.
    TcpInsteadOfUdp(u16),
    /// No UDP socket on the port.
    NoUdpSocket(u16),
}
