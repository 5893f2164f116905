//! Property scenarios: which property, and the bounds of the generators
//! that make its cases.

use schemars::JsonSchema;
use serde::Deserialize;

/// The properties a scenario can check on generated cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PropertyName {
    /// tcp-server: any messages, written with any coalescing and splitting,
    /// get one reply each, in order (or, echo without framing, exactly the
    /// bytes sent).
    StreamRoundTrip,
    /// udp-server: any datagrams from any of several sockets get one reply
    /// each, to their own sender, none merged.
    UdpBoundaries,
    /// http-server: a valid request cut at any byte positions gets the same
    /// well-formed response as when sent whole.
    HttpHeadSplitting,
    /// tcp-client: any lines typed, with every reply cut at any byte
    /// positions, are sent as typed and each reply is printed whole.
    ReplySplitting,
    /// http-client: a response cut at any byte positions, with a length or
    /// ending at the close, is read whole and its body printed.
    ResponseSplitting,
    /// udp-client: any lines typed are each exactly one datagram with
    /// exactly the line's bytes, and each reply is printed.
    DatagramLines,
    /// broadcast-receiver: any datagrams broadcast to the port are each
    /// received and printed.
    BroadcastDatagrams,
}

impl PropertyName {
    /// As written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyName::StreamRoundTrip => "stream-round-trip",
            PropertyName::UdpBoundaries => "udp-boundaries",
            PropertyName::HttpHeadSplitting => "http-head-splitting",
            PropertyName::ReplySplitting => "reply-splitting",
            PropertyName::ResponseSplitting => "response-splitting",
            PropertyName::DatagramLines => "datagram-lines",
            PropertyName::BroadcastDatagrams => "broadcast-datagrams",
        }
    }

    /// The role whose program the property is about.
    pub fn role(self) -> crate::contract::Role {
        use crate::contract::Role;
        match self {
            PropertyName::StreamRoundTrip => Role::TcpServer,
            PropertyName::UdpBoundaries => Role::UdpServer,
            PropertyName::HttpHeadSplitting => Role::HttpServer,
            PropertyName::ReplySplitting => Role::TcpClient,
            PropertyName::ResponseSplitting => Role::HttpClient,
            PropertyName::DatagramLines => Role::UdpClient,
            PropertyName::BroadcastDatagrams => Role::BroadcastReceiver,
        }
    }
}

/// The bytes generated messages are made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    /// Printable ASCII.
    #[default]
    Text,
    /// Any Unicode text, multi-byte characters included (UTF-8 encoded).
    Utf8,
    /// Any bytes.
    Bytes,
}

/// An inclusive range written `[min, max]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(try_from = "[u32; 2]")]
pub struct Bounds {
    /// The least value.
    pub min: u32,
    /// The greatest value.
    pub max: u32,
}

impl TryFrom<[u32; 2]> for Bounds {
    type Error = String;
    fn try_from([min, max]: [u32; 2]) -> Result<Self, String> {
        if min > max {
            return Err(format!(
                "[{min}, {max}] is empty: write [min, max] with min <= max"
            ));
        }
        Ok(Bounds { min, max })
    }
}

impl Bounds {
    const fn new(min: u32, max: u32) -> Self {
        Bounds { min, max }
    }
}

/// A property and the bounds of its generators.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropertySpec {
    /// Which property.
    pub name: PropertyName,
    /// How many messages (or datagrams) per case.
    #[serde(default = "default_messages")]
    pub messages: Bounds,
    /// How many bytes per message.
    #[serde(default = "default_size")]
    pub size: Bounds,
    /// What the messages are made of.
    #[serde(default)]
    pub alphabet: Alphabet,
    /// The sizes of the pieces the bytes are written in.
    #[serde(default = "default_chunks")]
    pub chunks: Bounds,
    /// The pause after each piece, in milliseconds.
    #[serde(default = "default_pause")]
    pub pause_ms: Bounds,
    /// UDP: how many harness sockets send.
    #[serde(default = "default_senders")]
    pub senders: Bounds,
    /// Cases to generate (--cases overrides).
    #[serde(default = "default_cases")]
    pub cases: u32,
}

fn default_messages() -> Bounds {
    Bounds::new(1, 6)
}
fn default_size() -> Bounds {
    Bounds::new(0, 24)
}
fn default_chunks() -> Bounds {
    Bounds::new(1, 24)
}
fn default_pause() -> Bounds {
    Bounds::new(0, 0)
}
fn default_senders() -> Bounds {
    Bounds::new(1, 3)
}
fn default_cases() -> u32 {
    24
}
