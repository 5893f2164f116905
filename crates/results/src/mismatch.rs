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

use sockspec_model::{Framing, Role, Skip};

pub use crate::details::{
    Doing, Ended, Found, HttpMessage, Listen, Nth, Queue, ScenarioBug, Seen, Unrunnable,
};
pub use crate::expectation::{Expectation, ReplyShape};
pub use crate::property::{CaseView, PropertyFailure};

/// Why a scenario's verdict is not a plain pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// The scenario does not apply to the program's contract.
    Skip(Skip),
    /// What went wrong.
    Mismatch(Mismatch),
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
