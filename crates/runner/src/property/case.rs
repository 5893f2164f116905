//! What a generated case is, how cases are generated from a property's
//! bounds (the strategies), and how a case reads in a report.

use proptest::collection::vec;
use proptest::prelude::*;
use sockspec_model::{
    Alphabet, BodyLength, Bounds, Bytes, ConnName, Framing, PropertyName, PropertySpec,
    RequestStep, RespondStep,
};

use crate::steps::split;
use sockspec_results::CaseView;

/// One generated case.
#[derive(Clone, Debug)]
pub(crate) enum Case {
    /// Messages written on one connection, cut into pieces of these sizes.
    Stream {
        pieces: Vec<usize>,
        pause_ms: u64,
        messages: Vec<Vec<u8>>,
    },
    /// Datagrams, each from one of `senders` harness sockets; `queued`:
    /// all sent while the server is paused, so they wait in its queue at once.
    Udp {
        queued: bool,
        senders: usize,
        datagrams: Vec<(usize, Vec<u8>)>,
    },
    /// Texts broadcast to the receiver's port, one datagram each.
    Broadcasts { texts: Vec<String> },
    /// Lines typed into a client, each reply cut into pieces of these sizes
    /// (a UDP client's reply is one datagram: no pieces).
    Replies {
        pieces: Vec<usize>,
        lines: Vec<String>,
    },
    /// A response with this body cut into pieces of these sizes; its end
    /// given by Content-Length, or by the close.
    Response {
        pieces: Vec<usize>,
        pause_ms: u64,
        close_delimited: bool,
        body: String,
    },
    /// A request cut into pieces of these sizes.
    Http {
        pieces: Vec<usize>,
        pause_ms: u64,
        path: String,
        headers: Vec<String>,
    },
}

pub(super) fn range(b: Bounds) -> std::ops::RangeInclusive<usize> {
    b.min as usize..=b.max as usize
}

/// Bytes of one message: `size` bytes (characters for utf8) from the
/// alphabet, never the line framing's delimiter.
pub(super) fn message(
    alphabet: Alphabet,
    size: Bounds,
    framing: Framing,
) -> BoxedStrategy<Vec<u8>> {
    let line = framing == Framing::Line;
    match alphabet {
        Alphabet::Text => vec(0x20u8..=0x7e, range(size)).boxed(),
        Alphabet::Bytes => vec(any::<u8>(), range(size))
            .prop_map(move |mut m| {
                if line {
                    m.retain(|&b| b != b'\n');
                }
                m
            })
            .boxed(),
        Alphabet::Utf8 => vec(any::<char>(), range(size))
            .prop_map(move |chars| {
                chars
                    .into_iter()
                    .filter(|&c| !(line && c == '\n'))
                    .collect::<String>()
                    .into_bytes()
            })
            .boxed(),
    }
}

/// A line a user could type: printable ASCII, starting with a letter (so
/// it is never empty, never the quit line, and never read as a command).
pub(super) fn line(size: Bounds) -> BoxedStrategy<String> {
    let rest = size.min.saturating_sub(1) as usize..=size.max.max(1) as usize - 1;
    ("[a-z]", vec(0x20u8..=0x7e, rest))
        .prop_map(|(first, rest)| first + &String::from_utf8_lossy(&rest))
        .boxed()
}

/// Pieces come first in each tuple: proptest shrinks a tuple's elements in
/// order, and shrinking the cut plan before the payload keeps the payload
/// from shrinking away the very coalescing that failed.
pub(super) fn strategy(spec: &PropertySpec, framing: Framing) -> BoxedStrategy<Case> {
    let pauses = spec.pause_ms.min as u64..=spec.pause_ms.max as u64;
    match spec.name {
        PropertyName::StreamRoundTrip => (
            vec(range(spec.chunks), 0..=8),
            pauses,
            vec(
                message(spec.alphabet, spec.size, framing),
                range(spec.messages),
            ),
        )
            .prop_map(|(pieces, pause_ms, messages)| Case::Stream {
                pieces,
                pause_ms,
                messages,
            })
            .boxed(),
        PropertyName::UdpBoundaries => {
            let (alphabet, size, messages) = (spec.alphabet, spec.size, spec.messages);
            (any::<bool>(), range(spec.senders))
                .prop_flat_map(move |(queued, senders)| {
                    vec(
                        (0..senders, message(alphabet, size, Framing::None)),
                        range(messages),
                    )
                    .prop_map(move |datagrams| Case::Udp {
                        queued,
                        senders,
                        datagrams,
                    })
                })
                .boxed()
        }
        PropertyName::ReplySplitting => (
            vec(range(spec.chunks), 0..=6),
            vec(line(spec.size), range(spec.messages)),
        )
            .prop_map(|(pieces, lines)| Case::Replies { pieces, lines })
            .boxed(),
        PropertyName::DatagramLines => vec(line(spec.size), range(spec.messages))
            .prop_map(|lines| Case::Replies {
                pieces: Vec::new(),
                lines,
            })
            .boxed(),
        PropertyName::BroadcastDatagrams => vec(line(spec.size), range(spec.messages))
            .prop_map(|texts| Case::Broadcasts { texts })
            .boxed(),
        PropertyName::ResponseSplitting => (
            vec(range(spec.chunks), 1..=6),
            pauses,
            any::<bool>(),
            line(spec.size),
        )
            .prop_map(|(pieces, pause_ms, close_delimited, body)| Case::Response {
                pieces,
                pause_ms,
                close_delimited,
                body,
            })
            .boxed(),
        PropertyName::HttpHeadSplitting => {
            const HEADERS: [&str; 6] = [
                "User-Agent: sockspec",
                "Accept: text/html,*/*;q=0.8",
                "Accept-Language: zh-CN,zh;q=0.9",
                "Connection: close",
                "Cache-Control: no-cache",
                "Cookie: session=4f2a9c",
            ];
            (
                vec(range(spec.chunks), 1..=8),
                pauses,
                prop::sample::select(vec!["/", "/index.html"]),
                prop::sample::subsequence(HEADERS.to_vec(), 0..=HEADERS.len()),
            )
                .prop_map(|(pieces, pause_ms, path, headers)| Case::Http {
                    pieces,
                    pause_ms,
                    path: path.to_owned(),
                    headers: headers.into_iter().map(str::to_owned).collect(),
                })
                .boxed()
        }
    }
}

/// Shows bytes as a student reads them: quoted text with escapes.
/// The writes `bytes` are cut into.
pub(super) fn pieces(bytes: &[u8], sizes: &[usize]) -> Vec<Bytes> {
    split(bytes, sizes)
        .into_iter()
        .map(|p| Bytes(p.to_vec()))
        .collect()
}

impl Case {
    /// The case as a reader checks it by hand: the messages, and the exact
    /// writes that carried them.
    pub(crate) fn view(&self, framing: Framing, host: &str) -> CaseView {
        match self {
            Case::Stream {
                pieces: sizes,
                pause_ms,
                messages,
            } => {
                let bytes: Vec<u8> = messages
                    .iter()
                    .flat_map(|m| sockspec_wire::encode(framing, m))
                    .collect();
                CaseView::Stream {
                    messages: messages.iter().map(|m| Bytes(m.clone())).collect(),
                    written: pieces(&bytes, sizes),
                    pause_ms: *pause_ms,
                }
            }
            Case::Udp {
                queued, datagrams, ..
            } => CaseView::Udp {
                queued: *queued,
                datagrams: datagrams
                    .iter()
                    .map(|(s, d)| (*s, Bytes(d.clone())))
                    .collect(),
            },
            Case::Replies { pieces, lines } => CaseView::Replies {
                lines: lines.clone(),
                pieces: pieces.clone(),
            },
            Case::Broadcasts { texts } => CaseView::Broadcasts {
                texts: texts.clone(),
            },
            Case::Response {
                pieces: sizes,
                pause_ms,
                close_delimited,
                body,
            } => CaseView::Response {
                written: pieces(
                    &crate::steps::response_bytes(&response(body, *close_delimited)),
                    sizes,
                ),
                pause_ms: *pause_ms,
            },
            Case::Http {
                pieces: sizes,
                pause_ms,
                ..
            } => CaseView::Request {
                written: pieces(&crate::steps::request_bytes(&self.request(), host), sizes),
                pause_ms: *pause_ms,
            },
        }
    }

    pub(crate) fn request(&self) -> RequestStep {
        let (path, headers, pieces, pause_ms) = match self {
            Case::Http {
                path,
                headers,
                pieces,
                pause_ms,
            } => (path.clone(), headers.clone(), pieces.clone(), *pause_ms),
            _ => ("/".into(), Vec::new(), Vec::new(), 0),
        };
        RequestStep {
            to: conn("p"),
            method: "GET".into(),
            path,
            headers,
            body: None,
            raw: None,
            chunks: pieces,
            pause_ms,
            split_body: false,
        }
    }
}

pub(super) fn response(body: &str, close_delimited: bool) -> RespondStep {
    RespondStep {
        to: conn("a"),
        status: 200,
        body: body.to_owned(),
        length: if close_delimited {
            BodyLength::Close
        } else {
            BodyLength::ContentLength
        },
        chunks: Vec::new(),
        pause_ms: 0,
    }
}

pub(super) fn conn(name: &str) -> ConnName {
    ConnName(name.to_owned())
}
