//! What a step expected, when more than its failure says: shown beside
//! what was sent and what came back.

use sockspec_model::{Bytes, Framing};

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
