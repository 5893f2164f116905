//! What each step kind takes, as the scenario file writes it: the fields,
//! their defaults, and the checks a field needs on its own (hex that is
//! hex, chunk sizes above zero).

use std::borrow::Cow;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;

use super::{Bytes, ConnName};

/// A write of one or more messages.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "RawSend")]
pub struct SendStep {
    /// The connection to write on.
    pub to: ConnName,
    /// The messages, before framing; several are coalesced into one write.
    pub messages: Vec<Bytes>,
    /// Whether the contract's framing is applied (false: the bytes go as they are).
    pub framed: bool,
    /// Split the framed bytes into pieces of these sizes (the rest is a last piece).
    /// Each piece is written once the target has read the one before.
    pub chunks: Vec<usize>,
    /// An extra pause after each piece has been read, before the next.
    pub pause: Duration,
    /// Close the connection with the last piece: data and FIN in one segment,
    /// so the client is gone before the target can answer.
    pub close: bool,
    /// Pause the target (SIGSTOP) while writing, so that everything sent
    /// waits in its queue at once, as if it had been busy; then resume it.
    pub queued: bool,
}

/// A send as the file writes it: what to send (one of `text`, `hex` and
/// `messages`) and how to write it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["text"] },
    { "required": ["hex"] },
    { "required": ["messages"] },
]))]
struct RawSend {
    /// The connection to write on.
    to: ConnName,
    /// One message, as text.
    text: Option<String>,
    /// One message, as hex digits (whitespace between them is ignored).
    #[schemars(regex(pattern = r"^\s*([0-9A-Fa-f]\s*[0-9A-Fa-f]\s*)*$"))]
    hex: Option<String>,
    /// Several messages, coalesced into one write.
    #[schemars(length(min = 1))]
    messages: Option<Vec<String>>,
    /// Split the framed bytes into pieces of these sizes (the rest is a last
    /// piece); each is written once the target has read the one before.
    #[schemars(inner(range(min = 1)))]
    chunks: Option<Vec<usize>>,
    /// An extra pause after each piece has been read, before the next.
    pause_ms: Option<u64>,
    /// Send each message this many times over, as one message.
    #[schemars(range(min = 1))]
    repeat: Option<usize>,
    /// Whether the contract's framing is applied (false: the bytes go as they are).
    #[serde(default = "yes")]
    framed: bool,
    /// Close the connection with the last piece: data and FIN in one
    /// segment, so the client is gone before the target can answer.
    #[serde(default)]
    close: bool,
    /// Pause the target (SIGSTOP) while writing, so that everything sent
    /// waits in its queue at once; then resume it.
    #[serde(default)]
    queued: bool,
}

/// A send is read as a [`RawSend`], so that is what a file must look like.
impl JsonSchema for SendStep {
    fn schema_name() -> Cow<'static, str> {
        "SendStep".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RawSend::json_schema(generator)
    }
}

fn yes() -> bool {
    true
}

impl TryFrom<RawSend> for SendStep {
    type Error = String;
    fn try_from(raw: RawSend) -> Result<Self, String> {
        let messages = match (raw.text, raw.hex, raw.messages) {
            (Some(t), None, None) => vec![Bytes(t.into_bytes())],
            (None, Some(h), None) => vec![Bytes(decode_hex(&h)?)],
            (None, None, Some(ms)) if !ms.is_empty() => {
                ms.into_iter().map(|m| Bytes(m.into_bytes())).collect()
            }
            (None, None, Some(_)) => return Err("`messages` needs at least one message".into()),
            (None, None, None) => {
                return Err("send needs what to send: one of `text`, `hex` or `messages`".into());
            }
            _ => return Err("send takes only one of `text`, `hex` and `messages`".into()),
        };
        let messages = match raw.repeat {
            Some(0) => {
                return Err("`repeat: 0` would send nothing; repeat counts start at 1".into());
            }
            Some(n) => messages.into_iter().map(|m| Bytes(m.0.repeat(n))).collect(),
            None => messages,
        };
        let chunks = raw.chunks.unwrap_or_default();
        if chunks.contains(&0) {
            return Err("a chunk size of 0 would write nothing; chunk sizes start at 1".into());
        }
        Ok(SendStep {
            to: raw.to,
            messages,
            framed: raw.framed,
            chunks,
            pause: Duration::from_millis(raw.pause_ms.unwrap_or(0)),
            close: raw.close,
            queued: raw.queued,
        })
    }
}

fn decode_hex(h: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = h.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("hex `{h}` has an odd number of digits"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).map_err(|_| format!("`{h}` is not hex"))?;
            u8::from_str_radix(s, 16).map_err(|_| format!("`{s}` in `{h}` is not a hex byte"))
        })
        .collect()
}

/// Read replies on a connection.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectReplyStep {
    /// The connection to read from.
    pub from: ConnName,
    /// How many replies (one per message sent and not yet answered).
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

/// Expect the target to have exited.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectExitStep {
    /// The exit code it must have, if any.
    pub code: Option<i32>,
}

/// Receive messages from the target.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectMessageStep {
    /// The connection (tcp-client); none: the harness's UDP server socket.
    pub from: Option<ConnName>,
    /// The exact text the message must have, if given.
    pub text: Option<String>,
    /// How long to wait, if not the usual reply deadline (scaled too).
    pub within_ms: Option<u64>,
}

/// Answer the target's messages.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyStep {
    /// The connection (tcp-client); none: the harness's UDP server socket.
    pub to: Option<ConnName>,
    /// How many of the oldest unanswered messages to answer, in one write.
    #[serde(default = "one")]
    pub count: usize,
    /// Split the framed replies into pieces of these sizes (TCP only).
    #[serde(default)]
    pub chunks: Vec<usize>,
}

/// What the target must print.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectPrintedStep {
    /// This text, anywhere on stdout.
    pub text: Option<String>,
    /// The last N replies the harness sent, each as many times as sent.
    #[serde(default)]
    pub replies: usize,
}

/// Expect broadcast datagrams at every harness receiver.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectBroadcastStep {
    /// Datagrams each receiver must get (at least).
    #[serde(default = "one")]
    pub count: usize,
    /// How long to wait, if not the usual reply deadline (scaled too): a
    /// sender that sleeps before it sends is waited for.
    pub within_ms: Option<u64>,
}

/// A broadcast datagram.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastStep {
    /// The datagram's text.
    pub text: String,
}

/// What a reply must be; the runner builds it from the reply rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// Exactly these bytes.
    Exactly(Bytes),
    /// Anything non-empty.
    Anything,
    /// Text matching this pattern.
    Matching(String),
}

/// An HTTP request the harness sends to an http-server.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestStep {
    /// The connection to write on.
    pub to: ConnName,
    /// The method (GET unless stated).
    #[serde(default = "get")]
    pub method: String,
    /// The request target (`/` unless stated).
    #[serde(default = "slash")]
    pub path: String,
    /// Header lines (`Name: value`), after the Host line the harness adds.
    #[serde(default)]
    pub headers: Vec<String>,
    /// A body; a Content-Length header is added for it.
    pub body: Option<String>,
    /// The exact bytes to send instead of a request built from the fields above.
    pub raw: Option<String>,
    /// Split the request into pieces of these sizes; each is written once
    /// the target has read the one before.
    #[serde(default)]
    pub chunks: Vec<usize>,
    /// An extra pause after each piece, before the next.
    #[serde(default)]
    pub pause_ms: u64,
    /// Send the head and the body as two pieces (the body once the head
    /// has been read), whatever the head's length.
    #[serde(default)]
    pub split_body: bool,
}

impl RequestStep {
    /// The path that stands for "a page that does not exist": the one the
    /// grader's page rules say is missing, if they say so.
    pub const MISSING: &'static str = "{missing}";

    /// The step as it is sent under `contract`: `{missing}` becomes the path
    /// of the contract's first page rule with a 4xx status (the grader's own
    /// missing page), else `/no-such-page.html`.
    pub fn for_contract(&self, contract: &crate::Contract) -> RequestStep {
        let mut step = self.clone();
        if step.path == Self::MISSING {
            step.path = contract
                .pages
                .iter()
                .find(|p| (400..500).contains(&p.status))
                .map_or_else(|| "/no-such-page.html".to_owned(), |p| p.path.clone());
        }
        step
    }
}

fn get() -> String {
    "GET".into()
}

fn slash() -> String {
    "/".into()
}

/// Read and judge one HTTP response.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectResponseStep {
    /// The connection to read from.
    pub from: ConnName,
    /// The status it must have (otherwise the contract's page rule, if any).
    pub status: Option<u16>,
    /// A regular expression the body must match (otherwise the contract's).
    pub body: Option<String>,
    /// How long to wait, if not the usual reply deadline (scaled too).
    pub within_ms: Option<u64>,
}

/// Read and judge one HTTP request the target sends.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectRequestStep {
    /// The connection to read from.
    pub from: ConnName,
    /// The method it must use, if stated.
    pub method: Option<String>,
    /// How long to wait, if not the usual reply deadline (scaled too).
    pub within_ms: Option<u64>,
}

/// How a response tells where its body ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BodyLength {
    /// A Content-Length header.
    #[default]
    ContentLength,
    /// No length: the body ends when the connection closes.
    Close,
    /// Transfer-Encoding: chunked.
    Chunked,
}

impl BodyLength {
    /// As written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyLength::ContentLength => "content-length",
            BodyLength::Close => "close",
            BodyLength::Chunked => "chunked",
        }
    }
}

/// An HTTP response the harness sends to an http-client.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondStep {
    /// The connection to write on.
    pub to: ConnName,
    /// The status code (200 unless stated).
    #[serde(default = "ok")]
    pub status: u16,
    /// The body.
    #[serde(default)]
    pub body: String,
    /// How the end of the body is marked.
    #[serde(default)]
    pub length: BodyLength,
    /// Split the response into pieces of these sizes.
    #[serde(default)]
    pub chunks: Vec<usize>,
    /// An extra pause after each piece, before the next.
    #[serde(default)]
    pub pause_ms: u64,
}

fn ok() -> u16 {
    200
}
