//! The system's own names for what went wrong, shared by every language:
//! an errno (`EADDRINUSE` is the same fact whether Python says
//! `[Errno 98]`, C prints "Address already in use" through perror, or
//! Java throws a BindException), the socket call that failed, and the
//! signals a program dies of. One table, so that the number, the name and
//! glibc's text of an errno never disagree between the runner that reads
//! them and the reporters that explain them.

/// An errno a socket program meets, by its Linux meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    /// `EPERM` (1).
    Perm,
    /// `ENOENT` (2).
    NoEnt,
    /// `EINTR` (4): a signal interrupted the call.
    Intr,
    /// `EBADF` (9): not an open file descriptor.
    BadF,
    /// `EAGAIN` (11): a non-blocking call that would block.
    Again,
    /// `ENOMEM` (12).
    NoMem,
    /// `EACCES` (13).
    Acces,
    /// `EINVAL` (22).
    Inval,
    /// `EMFILE` (24): the process has too many open files.
    MFile,
    /// `EPIPE` (32): the peer is gone.
    Pipe,
    /// `ENOTSOCK` (88).
    NotSock,
    /// `EMSGSIZE` (90): a datagram too big.
    MsgSize,
    /// `EAFNOSUPPORT` (97).
    AfNoSupport,
    /// `EADDRINUSE` (98).
    AddrInUse,
    /// `EADDRNOTAVAIL` (99).
    AddrNotAvail,
    /// `ENETUNREACH` (101).
    NetUnreach,
    /// `ECONNABORTED` (103).
    ConnAborted,
    /// `ECONNRESET` (104).
    ConnReset,
    /// `ENOTCONN` (107).
    NotConn,
    /// `ETIMEDOUT` (110).
    TimedOut,
    /// `ECONNREFUSED` (111).
    ConnRefused,
    /// `EHOSTUNREACH` (113).
    HostUnreach,
}

/// Every errno of the table, with its Linux number, its name and glibc's
/// `strerror()` text (what perror prints and Python quotes).
const ERRNOS: &[(Errno, u32, &str, &str)] = &[
    (Errno::Perm, 1, "EPERM", "Operation not permitted"),
    (Errno::NoEnt, 2, "ENOENT", "No such file or directory"),
    (Errno::Intr, 4, "EINTR", "Interrupted system call"),
    (Errno::BadF, 9, "EBADF", "Bad file descriptor"),
    (
        Errno::Again,
        11,
        "EAGAIN",
        "Resource temporarily unavailable",
    ),
    (Errno::NoMem, 12, "ENOMEM", "Cannot allocate memory"),
    (Errno::Acces, 13, "EACCES", "Permission denied"),
    (Errno::Inval, 22, "EINVAL", "Invalid argument"),
    (Errno::MFile, 24, "EMFILE", "Too many open files"),
    (Errno::Pipe, 32, "EPIPE", "Broken pipe"),
    (
        Errno::NotSock,
        88,
        "ENOTSOCK",
        "Socket operation on non-socket",
    ),
    (Errno::MsgSize, 90, "EMSGSIZE", "Message too long"),
    (
        Errno::AfNoSupport,
        97,
        "EAFNOSUPPORT",
        "Address family not supported by protocol",
    ),
    (Errno::AddrInUse, 98, "EADDRINUSE", "Address already in use"),
    (
        Errno::AddrNotAvail,
        99,
        "EADDRNOTAVAIL",
        "Cannot assign requested address",
    ),
    (
        Errno::NetUnreach,
        101,
        "ENETUNREACH",
        "Network is unreachable",
    ),
    (
        Errno::ConnAborted,
        103,
        "ECONNABORTED",
        "Software caused connection abort",
    ),
    (
        Errno::ConnReset,
        104,
        "ECONNRESET",
        "Connection reset by peer",
    ),
    (
        Errno::NotConn,
        107,
        "ENOTCONN",
        "Transport endpoint is not connected",
    ),
    (Errno::TimedOut, 110, "ETIMEDOUT", "Connection timed out"),
    (
        Errno::ConnRefused,
        111,
        "ECONNREFUSED",
        "Connection refused",
    ),
    (Errno::HostUnreach, 113, "EHOSTUNREACH", "No route to host"),
];

impl Errno {
    fn row(self) -> &'static (Errno, u32, &'static str, &'static str) {
        ERRNOS
            .iter()
            .find(|r| r.0 == self)
            .expect("every errno is in the table")
    }

    /// Its name, as C writes it: `EADDRINUSE`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// Its number on Linux: 98.
    pub fn number(self) -> u32 {
        self.row().1
    }

    /// glibc's text for it, as perror prints it: "Address already in use".
    pub fn strerror(self) -> &'static str {
        self.row().3
    }

    /// The errno of this Linux number, if the table has it.
    pub fn from_number(n: u32) -> Option<Errno> {
        ERRNOS.iter().find(|r| r.1 == n).map(|r| r.0)
    }

    /// The errno whose glibc text this is, exactly.
    pub fn from_strerror(text: &str) -> Option<Errno> {
        ERRNOS.iter().find(|r| r.3 == text).map(|r| r.0)
    }

    /// Every errno of the table.
    pub fn all() -> impl Iterator<Item = Errno> {
        ERRNOS.iter().map(|r| r.0)
    }
}

/// The socket call that failed, as a C program names it in its message
/// (`bind: Address already in use`, `ERROR on binding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketCall {
    /// `socket()`.
    Socket,
    /// `setsockopt()`.
    Setsockopt,
    /// `bind()`.
    Bind,
    /// `listen()`.
    Listen,
    /// `accept()`.
    Accept,
    /// `connect()`.
    Connect,
    /// `send()`, `sendto()`, `write()`.
    Send,
    /// `recv()`, `recvfrom()`, `read()`.
    Recv,
    /// `close()`.
    Close,
}

impl SocketCall {
    /// The call as C writes it, without its arguments: `bind`.
    pub fn name(self) -> &'static str {
        match self {
            SocketCall::Socket => "socket",
            SocketCall::Setsockopt => "setsockopt",
            SocketCall::Bind => "bind",
            SocketCall::Listen => "listen",
            SocketCall::Accept => "accept",
            SocketCall::Connect => "connect",
            SocketCall::Send => "send",
            SocketCall::Recv => "recv",
            SocketCall::Close => "close",
        }
    }
}

/// A signal that ends a program by its own doing, never one the harness
/// sends (it stops programs with SIGKILL, and pauses them with SIGSTOP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FatalSignal {
    /// SIGPIPE (13): a write to a connection whose peer has gone.
    Pipe,
    /// SIGSEGV (11): an invalid memory access.
    Segv,
    /// SIGBUS (7): a bad access of another kind (a mapped file cut short).
    Bus,
    /// SIGABRT (6): abort(), a failed assert(), or the C library finding
    /// its heap corrupt (a double free).
    Abrt,
    /// SIGFPE (8): an integer division by zero.
    Fpe,
    /// SIGILL (4): an illegal instruction (often a stack smashed).
    Ill,
}

impl FatalSignal {
    /// The signal of this number, if it is one a program dies of by itself.
    pub fn from_number(n: i32) -> Option<FatalSignal> {
        Some(match n {
            13 => FatalSignal::Pipe,
            11 => FatalSignal::Segv,
            7 => FatalSignal::Bus,
            6 => FatalSignal::Abrt,
            8 => FatalSignal::Fpe,
            4 => FatalSignal::Ill,
            _ => return None,
        })
    }

    /// Its number on Linux.
    pub fn number(self) -> i32 {
        match self {
            FatalSignal::Pipe => 13,
            FatalSignal::Segv => 11,
            FatalSignal::Bus => 7,
            FatalSignal::Abrt => 6,
            FatalSignal::Fpe => 8,
            FatalSignal::Ill => 4,
        }
    }

    /// Its name: `SIGPIPE`.
    pub fn name(self) -> &'static str {
        crate::Ended::signal_name(self.number()).unwrap_or("SIG?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_texts_agree() {
        assert_eq!(Errno::from_number(98), Some(Errno::AddrInUse));
        assert_eq!(Errno::AddrInUse.name(), "EADDRINUSE");
        assert_eq!(
            Errno::from_strerror("Connection refused"),
            Some(Errno::ConnRefused)
        );
        assert_eq!(Errno::from_number(12345), None);
        for e in Errno::all() {
            assert_eq!(Errno::from_number(e.number()), Some(e));
            assert_eq!(Errno::from_strerror(e.strerror()), Some(e));
            assert!(e.name().starts_with('E'));
        }
        for n in 0..64 {
            if let Some(s) = FatalSignal::from_number(n) {
                assert_eq!(s.number(), n);
                assert!(s.name().starts_with("SIG"));
            }
        }
    }
}
