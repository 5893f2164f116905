//! The steps of a scenario: what the harness does or expects, one typed
//! value each, with the facts about a step that more than one crate needs
//! (the roles it fits, whether it waits on the program, the connection it
//! uses) as methods, so that each has one owner.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::contract::Role;

/// A step and where it was written.
#[derive(Clone, Debug)]
pub struct StepAt {
    /// The step itself.
    pub step: Step,
    /// 1-based line in the scenario file.
    pub line: u64,
    /// 1-based column in the scenario file.
    pub column: u64,
}

/// The name a scenario gives one of the harness's connections.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(transparent)]
pub struct ConnName(pub String);

impl fmt::Display for ConnName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One thing the harness does or expects.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Open a TCP connection to the target under this name.
    Connect(ConnName),
    /// Write one or more messages, framed by the contract, in chosen pieces.
    Send(SendStep),
    /// Read replies to the messages sent so far and judge them by the reply rule.
    ExpectReply(ExpectReplyStep),
    /// The target closes the connection: recv gives b'' with nothing before it.
    ExpectEof(ConnName),
    /// The connection is reset by the target.
    ExpectReset(ConnName),
    /// After the harness closed this connection, the target closes its end
    /// too (its socket leaves CLOSE_WAIT): a server that never does leaks a
    /// socket per client.
    ExpectClosed(ConnName),
    /// Shut down the write half: the target's recv gives b''.
    Shutdown(ConnName),
    /// Close the connection normally (FIN).
    Close(ConnName),
    /// Close the connection with RST (SO_LINGER 0): the client vanishes.
    Abort(ConnName),
    /// The target process is still running.
    ExpectAlive,
    /// The target process has exited (with this code, if given).
    ExpectExit(ExpectExitStep),
    /// Kill the target's whole process group with SIGKILL.
    Kill,
    /// Start the target again on the same port and wait until it is ready.
    Restart,
    /// Start the target now (without this step it starts before the first
    /// step, once the harness's own sockets for the role are in place).
    Start,
    /// Type a line on the target's stdin (a newline is added).
    Stdin(String),
    /// Type the contract's quit line on the target's stdin.
    Quit,
    /// Close the target's stdin: end of input.
    CloseStdin,
    /// Accept a connection from the target on the harness's listening socket.
    Accept(ConnName),
    /// Open a UDP socket of the harness's own (a client of a UDP server).
    Udp(ConnName),
    /// Receive a message the target sends (on a connection, or on the
    /// harness's UDP server socket when `from` is left out).
    ExpectMessage(ExpectMessageStep),
    /// Answer the messages received from the target, by the reply rule.
    Reply(ReplyStep),
    /// The target prints this text, or the replies it was sent, on stdout.
    ExpectPrinted(ExpectPrintedStep),
    /// Nothing on the target's stderr looks like a Python traceback.
    ExpectNoTraceback,
    /// Every one of the harness's broadcast receivers gets datagrams.
    ExpectBroadcast(ExpectBroadcastStep),
    /// Send a datagram to the broadcast address and the target's port.
    Broadcast(BroadcastStep),
    /// Bind a broadcast receiver of the harness's own to the target's port
    /// (SO_REUSEADDR) before the target starts: the port is shared.
    BindBeside,
    /// Write an HTTP request (http-server), in chosen pieces.
    Request(RequestStep),
    /// Read one whole HTTP response and check its format, status and body.
    ExpectResponse(ExpectResponseStep),
    /// Read one whole HTTP request from the target (http-client) and check its format.
    ExpectRequest(ExpectRequestStep),
    /// Answer the target's request with an HTTP response.
    Respond(RespondStep),
}

impl Step {
    /// The connection the step acts on, if any.
    pub fn conn(&self) -> Option<&ConnName> {
        match self {
            Step::Connect(c)
            | Step::ExpectEof(c)
            | Step::ExpectReset(c)
            | Step::Shutdown(c)
            | Step::Close(c)
            | Step::Abort(c) => Some(c),
            Step::Send(s) => Some(&s.to),
            Step::ExpectReply(e) => Some(&e.from),
            Step::Accept(c) | Step::Udp(c) => Some(c),
            Step::ExpectMessage(e) => e.from.as_ref(),
            Step::Reply(r) => r.to.as_ref(),
            Step::Request(r) => Some(&r.to),
            Step::ExpectResponse(e) => Some(&e.from),
            Step::ExpectRequest(e) => Some(&e.from),
            Step::Respond(r) => Some(&r.to),
            _ => None,
        }
    }

    /// Every step keyword, in the order a role's list of them is shown.
    pub const KEYWORDS: [&'static str; 30] = [
        "connect",
        "expect_closed",
        "send",
        "expect_reply",
        "expect_eof",
        "expect_reset",
        "shutdown",
        "close",
        "abort",
        "start",
        "kill",
        "restart",
        "expect_alive",
        "expect_exit",
        "expect_printed",
        "expect_no_traceback",
        "accept",
        "expect_message",
        "reply",
        "stdin",
        "quit",
        "close_stdin",
        "udp",
        "expect_broadcast",
        "broadcast",
        "bind_beside",
        "request",
        "expect_response",
        "expect_request",
        "respond",
    ];

    /// Whether the step fits scenarios of `role`: the harness plays the
    /// other end, so a tcp-client scenario accepts rather than connects.
    pub fn fits(&self, role: Role) -> bool {
        Self::keyword_fits(self.keyword(), role)
    }

    /// [`Step::fits`] by keyword, for listing a role's steps.
    pub fn keyword_fits(keyword: &str, role: Role) -> bool {
        use Role::*;
        match keyword {
            // The program itself: started, killed, watched, read.
            "start"
            | "kill"
            | "expect_alive"
            | "expect_exit"
            | "expect_printed"
            | "expect_no_traceback" => true,
            // Only a program that binds a port of its own comes back on it.
            "restart" => matches!(role, TcpServer | UdpServer | BroadcastReceiver),
            "connect" => matches!(role, TcpServer | HttpServer),
            "accept" => matches!(role, TcpClient | HttpClient),
            "expect_closed" => role == TcpServer,
            "send" | "expect_reply" => matches!(role, TcpServer | UdpServer),
            "udp" => role == UdpServer,
            "expect_eof" => matches!(role, TcpServer | TcpClient | HttpServer),
            "expect_reset" | "shutdown" => matches!(role, TcpServer | TcpClient),
            "close" | "abort" => matches!(role, TcpServer | TcpClient | HttpServer | HttpClient),
            "expect_message" | "reply" => matches!(role, TcpClient | UdpClient),
            "stdin" | "quit" | "close_stdin" => role.reads_stdin(),
            "expect_broadcast" => role == BroadcastSender,
            "broadcast" | "bind_beside" => role == BroadcastReceiver,
            "request" | "expect_response" => role == HttpServer,
            "expect_request" | "respond" => role == HttpClient,
            _ => false,
        }
    }

    /// The keywords of the steps that fit `role`.
    pub fn keywords_for(role: Role) -> Vec<&'static str> {
        Self::KEYWORDS
            .into_iter()
            .filter(|k| Self::keyword_fits(k, role))
            .collect()
    }

    /// Whether the step waits for the program to do something (reply,
    /// close, connect, print, exit...), rather than doing something itself.
    pub fn waits_on_program(&self) -> bool {
        matches!(
            self,
            Step::ExpectReply(_)
                | Step::ExpectEof(_)
                | Step::ExpectReset(_)
                | Step::ExpectClosed(_)
                | Step::ExpectMessage(_)
                | Step::ExpectPrinted(_)
                | Step::ExpectExit(_)
                | Step::ExpectBroadcast(_)
                | Step::ExpectRequest(_)
                | Step::ExpectResponse(_)
                | Step::Accept(_)
        )
    }

    /// What the step costs a correct program, in milliseconds, for
    /// scheduling the longest scenarios first: a bound, not the wait.
    pub fn expected_cost_ms(&self) -> u64 {
        match self {
            Step::ExpectMessage(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectRequest(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectResponse(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectBroadcast(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::Send(send) => 5 + send.pause.as_millis() as u64 * send.chunks.len() as u64,
            Step::Request(r) => 5 + r.pause_ms * r.chunks.len().max(1) as u64,
            Step::Respond(r) => 5 + r.pause_ms * r.chunks.len().max(1) as u64,
            Step::Kill | Step::Restart | Step::Start => 50,
            _ => 5,
        }
    }

    /// The step's keyword, as written in YAML.
    pub fn keyword(&self) -> &'static str {
        match self {
            Step::Connect(_) => "connect",
            Step::Send(_) => "send",
            Step::ExpectReply(_) => "expect_reply",
            Step::ExpectEof(_) => "expect_eof",
            Step::ExpectReset(_) => "expect_reset",
            Step::ExpectClosed(_) => "expect_closed",
            Step::Shutdown(_) => "shutdown",
            Step::Close(_) => "close",
            Step::Abort(_) => "abort",
            Step::ExpectAlive => "expect_alive",
            Step::ExpectExit(_) => "expect_exit",
            Step::Kill => "kill",
            Step::Restart => "restart",
            Step::Start => "start",
            Step::Stdin(_) => "stdin",
            Step::Quit => "quit",
            Step::CloseStdin => "close_stdin",
            Step::Accept(_) => "accept",
            Step::Udp(_) => "udp",
            Step::ExpectMessage(_) => "expect_message",
            Step::Reply(_) => "reply",
            Step::ExpectPrinted(_) => "expect_printed",
            Step::ExpectNoTraceback => "expect_no_traceback",
            Step::ExpectBroadcast(_) => "expect_broadcast",
            Step::Broadcast(_) => "broadcast",
            Step::BindBeside => "bind_beside",
            Step::Request(_) => "request",
            Step::ExpectResponse(_) => "expect_response",
            Step::ExpectRequest(_) => "expect_request",
            Step::Respond(_) => "respond",
        }
    }
}

/// Bytes that print as text when they are text, and as hex when they are not.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => {
                f.write_str("hex ")?;
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSend {
    to: ConnName,
    text: Option<String>,
    hex: Option<String>,
    messages: Option<Vec<String>>,
    chunks: Option<Vec<usize>>,
    pause_ms: Option<u64>,
    repeat: Option<usize>,
    #[serde(default = "yes")]
    framed: bool,
    #[serde(default)]
    close: bool,
    #[serde(default)]
    queued: bool,
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectExitStep {
    /// The exit code it must have, if any.
    pub code: Option<i32>,
}

/// Receive messages from the target.
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectPrintedStep {
    /// This text, anywhere on stdout.
    pub text: Option<String>,
    /// The last N replies the harness sent, each as many times as sent.
    #[serde(default)]
    pub replies: usize,
}

/// Expect broadcast datagrams at every harness receiver.
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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

    /// The bytes on the wire, given the Host the target is reached at.
    pub fn bytes(&self, host: &str) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.as_bytes().to_vec();
        }
        let mut head = format!("{} {} HTTP/1.1\r\nHost: {host}\r\n", self.method, self.path);
        for h in &self.headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        if let Some(body) = &self.body {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        if let Some(body) = &self.body {
            bytes.extend_from_slice(body.as_bytes());
        }
        bytes
    }
}

fn get() -> String {
    "GET".into()
}

fn slash() -> String {
    "/".into()
}

/// Read and judge one HTTP response.
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Deserialize)]
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

impl RespondStep {
    /// The bytes on the wire.
    pub fn bytes(&self) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n",
            self.status
        );
        let body = self.body.as_bytes();
        let mut out = Vec::new();
        match self.length {
            BodyLength::ContentLength => {
                head.push_str(&format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                ));
                out.extend_from_slice(head.as_bytes());
                out.extend_from_slice(body);
            }
            BodyLength::Close => {
                head.push_str("Connection: close\r\n\r\n");
                out.extend_from_slice(head.as_bytes());
                out.extend_from_slice(body);
            }
            BodyLength::Chunked => {
                head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                out.extend_from_slice(head.as_bytes());
                // Two chunks when there is enough body, so the client must join them.
                let mid = body.len() / 2;
                for part in [&body[..mid], &body[mid..]] {
                    if !part.is_empty() {
                        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                        out.extend_from_slice(part);
                        out.extend_from_slice(b"\r\n");
                    }
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
        }
        out
    }
}

fn ok() -> u16 {
    200
}
