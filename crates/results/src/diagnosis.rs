//! What the runner can tell about *why* a program failed, beyond "expected
//! X, got Y": where it is blocked, that it spins, that it leaks sockets,
//! which exception killed it, where it is bound, and the exchange that led
//! there as a timeline.
//!
//! These are facts, read from the kernel (`/proc`), from how the program
//! ended and from what it printed (a Python traceback, a Java stack trace,
//! a C program's perror line), kept as data: the reporters turn them into sentences, in
//! English or Chinese, so that the runner never decides how a hint reads.
//! They are gathered only when a scenario fails, so a passing run pays
//! nothing for them but the timeline's bookkeeping.

use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::Bytes;

use crate::system::{Errno, FatalSignal, SocketCall};

/// One thing the runner found out about a failing program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Diagnosis {
    /// The program is blocked in a system call, waiting.
    Blocked {
        /// The call it is blocked in.
        call: BlockedCall,
        /// The socket it waits on, when the call has one.
        socket: Option<SocketView>,
        /// The harness had closed its end before: a client back in
        /// `input()` then did not see its recv() return the end.
        peer_closed: bool,
    },
    /// The program burns CPU in a window where it should be waiting.
    Spinning {
        /// CPU used over the window, as a percentage of one core.
        cpu_percent: u32,
        /// The window measured.
        window: Duration,
        /// The harness had closed its end before the window: the classic
        /// loop on `recv()` returning b'' forever.
        after_peer_closed: bool,
    },
    /// The program's open sockets grow with every client it served: the
    /// connection sockets are never closed.
    LeakingSockets {
        /// Its open sockets after each client in turn had left.
        counts: Vec<usize>,
        /// Of its sockets at the end, those in CLOSE_WAIT (the client has
        /// closed, the program never did).
        close_wait: usize,
    },
    /// The program ended with an uncaught exception (a Python traceback).
    Exception {
        /// The exception's class as the traceback names it, e.g.
        /// `BrokenPipeError`, `struct.error`, `socket.timeout`.
        class: String,
        /// The rest of its last line, e.g. `[Errno 32] Broken pipe`.
        detail: String,
        /// Where it was raised, in the student's own files when a frame
        /// is theirs: `server.py, line 18, in <module>`.
        at: Option<String>,
        /// The source line, as the traceback quotes it.
        code: Option<String>,
        /// The errno the detail quotes (`[Errno 98]`).
        errno: Option<Errno>,
        /// The column (from 1) a SyntaxError's caret points at in `code`.
        caret: Option<u32>,
        /// The traceback passes through the standard library's
        /// socketserver, whose server classes bind for the program.
        socketserver: bool,
    },
    /// The program died of a signal it brought on itself: none the
    /// harness sends (see [`FatalSignal`]).
    Signaled {
        /// The signal.
        signal: FatalSignal,
        /// The last thing seen on the wire before it died.
        after: Option<LastSeen>,
    },
    /// The program reported a failed call itself, as C programs do with
    /// perror or strerror(errno): `bind: Address already in use`.
    CallFailed {
        /// The call, when its message names it.
        call: Option<SocketCall>,
        /// The errno, from the system's text for it.
        errno: Errno,
        /// The line it printed.
        line: String,
    },
    /// The program ended with an uncaught Java exception (a stack trace).
    JavaException {
        /// The exception that ended it: the root cause, when one exception
        /// wraps another (`Caused by:`).
        thrown: JavaThrowable,
        /// The exception that wrapped it, if any.
        wrapper: Option<JavaThrowable>,
        /// The first frame in the student's own classes.
        at: Option<JavaFrame>,
        /// The socket call the JDK was in when it threw, read off the
        /// library's frames above the student's (`NioSocketImpl.implWrite`
        /// is a send): "Connection reset" from a write is not a read's.
        call: Option<crate::SocketCall>,
    },
    /// The program is Python 2 code run by Python 3 (or the other way
    /// round: Python 3's `input()` run by python2, which evaluates what is
    /// typed).
    Python2 {
        /// What gave it away.
        sign: Python2Sign,
        /// Where, when the source or the traceback shows it.
        at: Option<SourceLine>,
        /// A Python 2 interpreter this machine has, which an assignment
        /// can name (`python2`, or its full path).
        python2: Option<String>,
    },
    /// A socket of the program is bound where the scenario cannot use it.
    Bound {
        /// Where it is bound.
        addr: SocketAddr,
        /// What is wrong with that.
        problem: BindProblem,
    },
    /// The program does what the other end of its role does: a server
    /// graded as a client (it listens, or binds the port the harness
    /// listens on), a client graded as a server (it connects): the grader
    /// gave the wrong `--role`.
    WrongRole {
        /// What it was seen doing.
        seen: RoleSign,
        /// The role it plays.
        plays: sockspec_model::Role,
    },
    /// A page server answered 404 to the page every page server serves:
    /// it opens its file relative to its working directory, which is not
    /// the folder the file is in.
    PageNotFound {
        /// The path asked for (`/`).
        path: String,
        /// The working directory it was started in.
        cwd: std::path::PathBuf,
    },
    /// The program ran into a limit of its sandbox and was stopped there
    /// (a fork refused, or killed for its memory).
    LimitHit(crate::LimitHit),
}

/// A Java exception: its class and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaThrowable {
    /// The class's full name: `java.net.BindException`.
    pub class: String,
    /// Its message (`Address already in use`), empty when it has none.
    pub message: String,
}

impl JavaThrowable {
    /// The class without its package: `BindException`.
    pub fn short_name(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }
}

/// A frame of a Java stack trace: `Server.main(Server.java:12)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaFrame {
    /// The class and method: `Server.main`.
    pub method: String,
    /// The source file, when the frame names one.
    pub file: Option<String>,
    /// The line, when the frame names one.
    pub line: Option<u32>,
}

/// A line of a program's source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    /// The file, as the program's command or traceback names it.
    pub file: String,
    /// The line number, from 1.
    pub line: u32,
    /// The line, trimmed.
    pub code: String,
}

/// What shows that a program is Python 2 code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Python2Sign {
    /// `print "x"` or `print x`: print is a statement in Python 2.
    PrintStatement,
    /// `except E, e:` (Python 3 writes `except E as e:`).
    ExceptComma,
    /// `` `x` `` for repr(x).
    Backticks,
    /// A name Python 3 no longer has: `raw_input`, `xrange`, `unicode`...
    Builtin(String),
    /// The opposite case: python2 ran code written for Python 3, and its
    /// `input()` evaluated the typed line as Python code.
    InputEvaluates,
}

/// The last thing seen on the wire before a program died, from the
/// timeline: what can honestly be said it was doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastSeen {
    /// Nothing yet: it died starting up.
    Starting,
    /// A connection had just been made (by the harness or by it).
    Connected,
    /// The harness had sent it this many bytes.
    GotBytes(usize),
    /// It had sent this many bytes.
    SentBytes(usize),
    /// The peer had closed its end, so that its recv() returns 0.
    PeerClosed,
    /// The peer had reset the connection.
    PeerReset,
    /// A line had been typed on its standard input.
    Typed,
    /// Its standard input had been closed (end of input).
    StdinClosed,
}

/// What gave a program's real role away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleSign {
    /// It listens on this address.
    Listens(SocketAddr),
    /// Its bind() failed with EADDRINUSE on the port the harness holds
    /// (as the server of a client, it listens there itself).
    BindsHarnessPort(u16),
    /// It connects (SYN_SENT, or refused) instead of listening.
    Connects(Option<SocketAddr>),
}

/// The system call a blocked program waits in (from `/proc/PID/syscall`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockedCall {
    /// `accept()`: waiting for a client to connect.
    Accept,
    /// `recv()` / `recvfrom()` / `read()` on a socket: waiting for data.
    Recv,
    /// `send()` / `sendto()` / `write()` on a socket: waiting for room.
    Send,
    /// `connect()`: waiting for the server to answer.
    Connect,
    /// `read()` on standard input: waiting for a line to be typed.
    ReadStdin,
    /// `poll()` / `select()` / `epoll_wait()`: waiting on several, or with a
    /// timeout (`settimeout()`).
    Poll,
    /// A sleep.
    Sleep,
    /// Another call, by number (x86-64).
    Other(u64),
}

/// A socket as the kernel sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketView {
    /// `tcp` or `udp`.
    pub proto: &'static str,
    /// Its local address.
    pub local: SocketAddr,
    /// Its peer (TCP connections).
    pub peer: Option<SocketAddr>,
    /// Bytes waiting to be read by the program.
    pub rx_queue: u64,
    /// Bytes the program wrote that the peer has not yet taken.
    pub tx_queue: u64,
    /// The TCP state (`ESTABLISHED`, `CLOSE_WAIT`, `LISTEN`...), or
    /// `bound` for UDP.
    pub state: &'static str,
}

/// Why a bound address does not serve the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindProblem {
    /// The port is not the one the program was told.
    WrongPort {
        /// The port it was given.
        expected: u16,
    },
    /// A broadcast receiver bound to one address gets nothing sent to the
    /// broadcast address: it must bind all addresses ('' or '0.0.0.0').
    NotAllAddresses,
}

/// Who did something in a timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The harness, on its connection or socket of this name (or, empty,
    /// the harness as a whole).
    Harness(String),
    /// The program under test.
    Target,
}

/// What happened, in the order it happened on the wire or to the program.
#[derive(Clone, Debug, PartialEq)]
pub enum Happening {
    /// The program was started.
    Started {
        /// Its command line.
        command: String,
    },
    /// Its socket listens (or is bound) here.
    Ready {
        /// The address.
        addr: SocketAddr,
    },
    /// The program ended.
    Exited {
        /// How.
        ended: crate::mismatch::Ended,
    },
    /// The harness connected to the program.
    Connected,
    /// The harness accepted the connection the program made to it.
    Accepted,
    /// Bytes written (by the actor).
    Sent {
        /// The bytes (the first 256 of them).
        bytes: Bytes,
        /// How many bytes there were in all.
        len: usize,
    },
    /// Bytes read (by the actor, which is the harness: what the program sent).
    Received {
        /// The bytes (the first 256 of them).
        bytes: Bytes,
        /// How many bytes there were in all.
        len: usize,
    },
    /// The actor shut down its writing half (FIN): the other side's recv
    /// will give b''.
    ShutdownWrite,
    /// The actor closed its socket.
    Closed,
    /// The actor reset the connection (RST).
    Reset,
    /// The harness read the end of the stream: the program closed.
    SawEof,
    /// The harness saw a reset from the program.
    SawReset,
    /// A line typed on the program's standard input.
    Typed {
        /// The line.
        text: String,
    },
    /// The program's standard input was closed.
    StdinClosed,
    /// The harness stopped the program (SIGKILL).
    Killed,
    /// A wait that ended without what it waited for.
    Waited {
        /// The step that waited.
        step: sockspec_model::Step,
        /// For how long.
        waited: Duration,
    },
}

/// One line of a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    /// Since the scenario started.
    pub at: Duration,
    /// Who.
    pub actor: Actor,
    /// What.
    pub what: Happening,
}
