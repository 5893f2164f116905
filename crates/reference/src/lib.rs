//! Reference peers: programs that do what the homework asks, exactly, so the
//! suite can be proven against something that is right by construction.
//!
//! They are run by `sockspec ref ROLE`, and `sockspec run` without `--target`
//! starts them as the program under test through the same supervision path a
//! student's program takes.

pub mod broadcast;
pub mod http_client;
pub mod http_server;
pub mod tcp_client;
pub mod tcp_server;
pub mod udp_client;
pub mod udp_server;

use std::io::BufRead;
use std::net::{Ipv4Addr, SocketAddr};

use sockspec_model::{Contract, ReplyRule};

/// A contract the reference cannot honour.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A regex rule says what a reply may look like, not what to send.
    #[error(
        "the reference cannot make up a reply for `{0}`; give --reply fixed:TEXT or echo, or grade a --target"
    )]
    NoReplyFor(String),
    /// The client found no server.
    #[error("cannot connect to {0}: {1}")]
    Connect(SocketAddr, #[source] std::io::Error),
    /// A broadcast that would leave this machine.
    #[error(
        "the reference only broadcasts on loopback (127.0.0.0/8, e.g. 127.255.255.255); {0} would reach a real network"
    )]
    OffLoopback(Ipv4Addr),
    /// The server's response is not HTTP.
    #[error("the response is not well-formed HTTP: {0}")]
    BadResponse(String),
    /// The socket could not be set up.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The bytes the reference answers `message` with under `contract`.
pub(crate) fn reply(contract: &Contract, message: &[u8]) -> Vec<u8> {
    sockspec_wire::reply_for(&contract.reply, message).unwrap_or_else(|| b"Thanks".to_vec())
}

/// Refuses contracts the reference cannot honour, before it binds anything.
pub fn check_contract(contract: &Contract) -> Result<(), ReferenceError> {
    match &contract.reply {
        ReplyRule::Regex(_) => Err(ReferenceError::NoReplyFor(contract.reply.to_string())),
        _ => Ok(()),
    }
}

/// Why a client reference stopped talking; each is a clean end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The quit line was typed.
    Quit,
    /// The input ended (Ctrl-D, or the end of a piped file).
    EndOfInput,
    /// The server closed the connection (recv gave b'').
    PeerClosed,
    /// The connection was reset or broken (ECONNRESET, EPIPE).
    PeerReset(String),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Quit => f.write_str("bye"),
            Ending::EndOfInput => f.write_str("end of input, bye"),
            Ending::PeerClosed => f.write_str("the server closed the connection, bye"),
            Ending::PeerReset(why) => write!(f, "the server is gone ({why}), bye"),
        }
    }
}

/// Input lines as bytes, without their line end, as Python's input() gives
/// them (a line need not be UTF-8 to be sent).
pub(crate) fn lines(input: impl BufRead) -> impl Iterator<Item = std::io::Result<Vec<u8>>> {
    input.split(b'\n').map(|line| {
        line.map(|mut l| {
            if l.last() == Some(&b'\r') {
                l.pop();
            }
            l
        })
    })
}

/// Whether an error means the peer is gone rather than that this side is broken.
pub(crate) fn peer_gone(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionReset | BrokenPipe | ConnectionAborted)
}
