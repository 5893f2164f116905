//! The values a mismatch is made of: which reply, how a program ended,
//! what it was to listen on, what the harness was doing when the system
//! said no, what a program was seen doing instead of becoming ready, why
//! it cannot be run at all. Small types, each used by several mismatches.

use std::net::{Ipv4Addr, SocketAddr};

use sockspec_model::Role;

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

/// Where a program that chose its own address or port was found, or where
/// a client's hard-coded host name took it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// It listens (or is bound, UDP) on a port of its own choosing.
    OwnPort {
        /// Where.
        addr: SocketAddr,
        /// Bound (UDP) rather than listening (TCP).
        udp: bool,
    },
    /// It listens (or is bound) on an address of its own choosing.
    OwnAddress {
        /// Where.
        addr: SocketAddr,
        /// Bound (UDP) rather than listening (TCP).
        udp: bool,
    },
    /// Its hard-coded host was given an address in its private network.
    Mapped {
        /// The host name it names.
        name: String,
        /// The port it connects or sends to.
        port: u16,
        /// The address the name was given.
        ip: Ipv4Addr,
        /// It connects (TCP) rather than sends datagrams.
        connects: bool,
    },
}
