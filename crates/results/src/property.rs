//! A property that failed: its smallest case, as a reader checks it by
//! hand, and why that case failed.

use sockspec_model::{Bytes, PropertyName};

use crate::mismatch::Mismatch;

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
