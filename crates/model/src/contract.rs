//! The contract a grader states for a program: how it replies and how it frames
//! messages. Scenarios are written against a contract, never against one
//! student's wording, so the same suite grades `b'Thanks'` servers and echo
//! servers alike.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

/// The kind of program under test; the harness plays the other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Binds, listens, accepts clients in turn and replies to each message.
    TcpServer,
    /// Connects, sends each stdin line, prints each reply.
    TcpClient,
    /// Binds, recvfrom → sendto(reply, addr).
    UdpServer,
    /// Sends each stdin line as a datagram and prints the reply.
    UdpClient,
    /// Sends datagrams to the broadcast address with SO_BROADCAST.
    BroadcastSender,
    /// Binds the port and prints each broadcast datagram.
    BroadcastReceiver,
    /// Answers HTTP/1.x requests.
    HttpServer,
    /// Sends an HTTP request and prints the body.
    HttpClient,
}

impl Role {
    /// Every role, in the order the notes introduce them.
    pub const ALL: [Role; 8] = [
        Role::TcpServer,
        Role::TcpClient,
        Role::UdpServer,
        Role::UdpClient,
        Role::BroadcastSender,
        Role::BroadcastReceiver,
        Role::HttpServer,
        Role::HttpClient,
    ];

    /// The name used on the command line and in scenario ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::TcpServer => "tcp-server",
            Role::TcpClient => "tcp-client",
            Role::UdpServer => "udp-server",
            Role::UdpClient => "udp-client",
            Role::BroadcastSender => "broadcast-sender",
            Role::BroadcastReceiver => "broadcast-receiver",
            Role::HttpServer => "http-server",
            Role::HttpClient => "http-client",
        }
    }
}

impl Role {
    /// Whether the program acts first (connects, sends, broadcasts): the
    /// harness's own sockets for it are in place before it starts, and it
    /// is ready as soon as it runs.
    pub fn is_client(self) -> bool {
        matches!(
            self,
            Role::TcpClient | Role::UdpClient | Role::BroadcastSender | Role::HttpClient
        )
    }

    /// Whether the program answers clients (a TCP, UDP or HTTP server).
    pub fn serves(self) -> bool {
        matches!(self, Role::TcpServer | Role::UdpServer | Role::HttpServer)
    }

    /// What its traffic rides on.
    pub fn transport(self) -> Transport {
        match self {
            Role::TcpServer | Role::TcpClient | Role::HttpServer | Role::HttpClient => {
                Transport::Stream
            }
            Role::UdpServer | Role::UdpClient | Role::BroadcastSender | Role::BroadcastReceiver => {
                Transport::Datagram
            }
        }
    }

    /// When the program can be tested: once it listens (TCP servers), once
    /// it has bound its port (UDP servers and receivers), or as soon as it
    /// runs (the roles that act first).
    pub fn ready_when(self) -> ReadyWhen {
        match self {
            Role::TcpServer | Role::HttpServer => ReadyWhen::Listening,
            Role::UdpServer | Role::BroadcastReceiver => ReadyWhen::Bound,
            _ => ReadyWhen::Running,
        }
    }

    /// Whether the program reads what a user types (the course's clients
    /// call input()): the harness types on its stdin.
    pub fn reads_stdin(self) -> bool {
        matches!(self, Role::TcpClient | Role::UdpClient)
    }

    /// Whether the program speaks HTTP.
    pub fn is_http(self) -> bool {
        matches!(self, Role::HttpServer | Role::HttpClient)
    }

    /// The role of the program at the other end: a TCP server's is a TCP
    /// client, a broadcast sender's a receiver. A program run under one
    /// role that behaves as its counterpart was given the wrong `--role`.
    pub fn counterpart(self) -> Role {
        match self {
            Role::TcpServer => Role::TcpClient,
            Role::TcpClient => Role::TcpServer,
            Role::UdpServer => Role::UdpClient,
            Role::UdpClient => Role::UdpServer,
            Role::BroadcastSender => Role::BroadcastReceiver,
            Role::BroadcastReceiver => Role::BroadcastSender,
            Role::HttpServer => Role::HttpClient,
            Role::HttpClient => Role::HttpServer,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ContractError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ContractError::UnknownRole(s.to_owned()))
    }
}

/// Whether a scenario counts toward the verdict by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// The notes demand it; always counts.
    Required,
    /// Robustness a careful grader wants; counts under `--strict`.
    Recommended,
}

impl Level {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Required => "required",
            Level::Recommended => "recommended",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a role's traffic rides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP byte stream.
    Stream,
    /// UDP datagrams.
    Datagram,
}

/// When a program of a role can be tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyWhen {
    /// Its TCP socket listens.
    Listening,
    /// Its UDP socket is bound.
    Bound,
    /// It runs (it acts first).
    Running,
}

/// How the program answers a message.
#[derive(Clone, Debug)]
pub enum ReplyRule {
    /// The reply is the message itself.
    Echo,
    /// The reply is always these bytes (`b'Thanks'`).
    Fixed(Vec<u8>),
    /// Any non-empty reply will do.
    Any,
    /// The reply, read as text, matches this regular expression.
    Regex(regex::bytes::Regex),
}

/// The shape of a reply rule, for scenarios that only apply to some rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReplyKind {
    /// `echo`
    Echo,
    /// `fixed:TEXT`
    Fixed,
    /// `any`
    Any,
    /// `regex:RE`
    Regex,
}

impl ReplyKind {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Echo => "echo",
            ReplyKind::Fixed => "fixed",
            ReplyKind::Any => "any",
            ReplyKind::Regex => "regex",
        }
    }
}

impl ReplyRule {
    /// Which kind of rule this is.
    pub fn kind(&self) -> ReplyKind {
        match self {
            ReplyRule::Echo => ReplyKind::Echo,
            ReplyRule::Fixed(_) => ReplyKind::Fixed,
            ReplyRule::Any => ReplyKind::Any,
            ReplyRule::Regex(_) => ReplyKind::Regex,
        }
    }
}

impl PartialEq for ReplyRule {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl fmt::Display for ReplyRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyRule::Echo => f.write_str("echo"),
            ReplyRule::Fixed(t) => write!(f, "fixed:{}", String::from_utf8_lossy(t)),
            ReplyRule::Any => f.write_str("any"),
            ReplyRule::Regex(r) => write!(f, "regex:{}", r.as_str()),
        }
    }
}

impl FromStr for ReplyRule {
    type Err = ContractError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "echo" => return Ok(ReplyRule::Echo),
            "any" => return Ok(ReplyRule::Any),
            _ => {}
        }
        if let Some(text) = s.strip_prefix("fixed:") {
            if text.is_empty() {
                return Err(ContractError::EmptyFixedReply);
            }
            return Ok(ReplyRule::Fixed(text.as_bytes().to_vec()));
        }
        if let Some(re) = s.strip_prefix("regex:") {
            return regex::bytes::Regex::new(re)
                .map(ReplyRule::Regex)
                .map_err(|e| ContractError::BadRegex(e.to_string()));
        }
        Err(ContractError::UnknownReplyRule(s.to_owned()))
    }
}

/// A reply rule is written as text (`fixed:Thanks`); its schema says which
/// texts parse, so an editor can check and complete them.
impl JsonSchema for ReplyRule {
    fn schema_name() -> Cow<'static, str> {
        "ReplyRule".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "How the program answers a message: `echo` (the message itself), \
                `any` (any non-empty reply), `fixed:TEXT` (always TEXT, e.g. fixed:Thanks) \
                or `regex:RE` (the reply, read as text, matches the regular expression RE).",
            "pattern": r"^(echo|any|fixed:[\s\S]+|regex:[\s\S]*)$",
            "examples": ["fixed:Thanks", "echo", "any", r"regex:^\d{2}:\d{2}"],
        })
    }
}

/// Where one message ends and the next begins: the cure for sticky packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Framing {
    /// No boundaries: a message is whatever one write carries.
    None,
    /// Every message ends with `\n`.
    Line,
    /// Every message is preceded by its length as a 4-byte big-endian integer.
    Len32,
}

impl Framing {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Framing::None => "none",
            Framing::Line => "line",
            Framing::Len32 => "len32",
        }
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Framing {
    type Err = ContractError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Framing::None),
            "line" => Ok(Framing::Line),
            "len32" => Ok(Framing::Len32),
            _ => Err(ContractError::UnknownFraming(s.to_owned())),
        }
    }
}

/// Everything the grader states about one program under test.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    /// How the program answers a message.
    pub reply: ReplyRule,
    /// How messages are delimited on a stream.
    pub framing: Framing,
    /// The line that makes a client program quit.
    pub quit: String,
    /// What an HTTP server must answer for given paths.
    pub pages: Vec<Page>,
}

impl Default for Contract {
    fn default() -> Self {
        Contract {
            reply: ReplyRule::Any,
            framing: Framing::None,
            quit: String::new(),
            pages: Vec::new(),
        }
    }
}

impl Contract {
    /// The grader's rule for a path, if any.
    pub fn page(&self, path: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.path == path)
    }
}

/// What an HTTP server must answer for one path: `PATH=STATUS`, optionally
/// followed by `:REGEX` for the body (e.g. `/=200:Welcome`, `/missing=404`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The request target, e.g. `/` or `/index.html`.
    pub path: String,
    /// The status code it must have.
    pub status: u16,
    /// A regular expression the body must match (checked when parsed).
    pub body: Option<String>,
}

/// A page rule is written as text (`/=200:Welcome`); its schema says which
/// texts parse.
impl JsonSchema for Page {
    fn schema_name() -> Cow<'static, str> {
        "Page".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "What an HTTP server must answer for one path: PATH=STATUS, \
                optionally followed by :REGEX for the body (PATH starts with / or is *).",
            "pattern": r"^(/[^=]*|\*)=[1-5][0-9]{2}(:[\s\S]*)?$",
            "examples": ["/=200:Welcome", "/index.html=200", "/missing=404"],
        })
    }
}

impl FromStr for Page {
    type Err = ContractError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ContractError::BadPage(s.to_owned());
        let (path, rest) = s.split_once('=').ok_or_else(bad)?;
        let (status, body) = match rest.split_once(':') {
            Some((status, body)) => (status, Some(body.to_owned())),
            None => (rest, None),
        };
        if !path.starts_with('/') && path != "*" {
            return Err(bad());
        }
        let status: u16 = status.parse().map_err(|_| bad())?;
        if !(100..=599).contains(&status) {
            return Err(bad());
        }
        if let Some(re) = &body {
            regex::Regex::new(re).map_err(|e| ContractError::BadRegex(e.to_string()))?;
        }
        Ok(Page {
            path: path.to_owned(),
            status,
            body,
        })
    }
}

impl fmt::Display for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.status)?;
        if let Some(b) = &self.body {
            write!(f, ":{b}")?;
        }
        Ok(())
    }
}

/// A contract option that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// Not one of the known roles.
    #[error(
        "unknown role `{0}`; expected one of: tcp-server, tcp-client, udp-server, udp-client, broadcast-sender, broadcast-receiver, http-server, http-client"
    )]
    UnknownRole(String),
    /// Not `echo`, `any`, `fixed:TEXT` or `regex:RE`.
    #[error("unknown reply rule `{0}`; expected echo, any, fixed:TEXT or regex:RE")]
    UnknownReplyRule(String),
    /// `fixed:` with nothing after it.
    #[error("`fixed:` needs the reply text after the colon, e.g. fixed:Thanks")]
    EmptyFixedReply,
    /// The regular expression does not compile.
    #[error("bad regular expression in reply rule: {0}")]
    BadRegex(String),
    /// Not `PATH=STATUS[:REGEX]`.
    #[error(
        "bad page rule `{0}`; expected PATH=STATUS or PATH=STATUS:BODY-REGEX, e.g. /=200:Welcome or /missing=404"
    )]
    BadPage(String),
    /// Not `none`, `line` or `len32`.
    #[error("unknown framing `{0}`; expected none, line or len32")]
    UnknownFraming(String),
}
