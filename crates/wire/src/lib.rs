//! Message framing and reply judgement, shared by the harness and the
//! reference peers so that both sides agree on what a message is.
//!
//! TCP is a byte stream: two writes may arrive in one recv ("sticky packets")
//! and one write may arrive in several. [`FrameReader`] is the cure from the
//! notes: it owns a buffer, takes whatever bytes arrive, and hands out whole
//! messages only, the way a correct homework server must.

use sockspec_model::{Framing, ReplyRule};

/// The largest `len32` frame either side accepts; a bigger length prefix is
/// far more likely to be text mistaken for a length than a real message.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The bytes to write for one message under a framing.
pub fn encode(framing: Framing, message: &[u8]) -> Vec<u8> {
    match framing {
        Framing::None => message.to_vec(),
        Framing::Line => {
            let mut out = Vec::with_capacity(message.len() + 1);
            out.extend_from_slice(message);
            out.push(b'\n');
            out
        }
        Framing::Len32 => {
            let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
            let mut out = Vec::with_capacity(message.len() + 4);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(message);
            out
        }
    }
}

/// A stream that cannot be cut into messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A `len32` prefix announces more than [`MAX_FRAME`] bytes.
    #[error(
        "length prefix announces {announced} bytes (limit {MAX_FRAME}); is the peer sending text without a length prefix?"
    )]
    TooLong {
        /// The length the prefix announced.
        announced: usize,
    },
}

/// Owns the bytes received so far and cuts whole messages out of them.
#[derive(Debug, Clone)]
pub struct FrameReader {
    framing: Framing,
    buf: Vec<u8>,
}

impl FrameReader {
    /// An empty reader for a framing.
    pub fn new(framing: Framing) -> Self {
        FrameReader {
            framing,
            buf: Vec::new(),
        }
    }

    /// Appends bytes as they arrived from the stream.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The bytes received but not yet handed out.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes every buffered byte (for `none` framing, where the caller decides).
    pub fn take_all(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Takes exactly `n` buffered bytes, if that many are there.
    pub fn take_exact(&mut self, n: usize) -> Option<Vec<u8>> {
        (self.buf.len() >= n).then(|| self.buf.drain(..n).collect())
    }

    /// The next whole message, without its framing, or `None` if the bytes
    /// for it have not all arrived. Under `none` framing every buffered byte
    /// is one message.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        match self.framing {
            Framing::None => Ok((!self.buf.is_empty()).then(|| self.take_all())),
            Framing::Line => Ok(self.buf.iter().position(|&b| b == b'\n').map(|i| {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                line
            })),
            Framing::Len32 => {
                let Some(prefix) = self.buf.get(..4) else {
                    return Ok(None);
                };
                let announced =
                    u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
                if announced > MAX_FRAME {
                    return Err(FrameError::TooLong { announced });
                }
                if self.buf.len() < 4 + announced {
                    return Ok(None);
                }
                let frame: Vec<u8> = self.buf.drain(..4 + announced).skip(4).collect();
                Ok(Some(frame))
            }
        }
    }
}

/// The reply a rule produces for a message, where the rule determines one.
pub fn reply_for(rule: &ReplyRule, message: &[u8]) -> Option<Vec<u8>> {
    match rule {
        ReplyRule::Echo => Some(message.to_vec()),
        ReplyRule::Fixed(text) => Some(text.clone()),
        ReplyRule::Any | ReplyRule::Regex(_) => None,
    }
}

/// Whether `reply` is an acceptable answer to `message` under `rule`.
pub fn reply_ok(rule: &ReplyRule, message: &[u8], reply: &[u8]) -> bool {
    match rule {
        ReplyRule::Echo => reply == message,
        ReplyRule::Fixed(text) => reply == text.as_slice(),
        ReplyRule::Any => !reply.is_empty(),
        ReplyRule::Regex(re) => re.is_match(reply),
    }
}

/// What the rule expects for `message`, in words for a failure report.
pub fn describe_expected(rule: &ReplyRule, framing: Framing, message: &[u8]) -> String {
    let framed = match framing {
        Framing::None => "",
        Framing::Line => " followed by \\n",
        Framing::Len32 => " with a 4-byte length prefix",
    };
    match rule {
        ReplyRule::Echo => format!(
            "the message itself, {}{framed} (reply rule echo)",
            sockspec_model::Bytes(message.to_vec())
        ),
        ReplyRule::Fixed(text) => format!(
            "exactly {}{framed} (reply rule fixed)",
            sockspec_model::Bytes(text.clone())
        ),
        ReplyRule::Any => format!("any non-empty reply{framed}"),
        ReplyRule::Regex(re) => format!("a reply matching /{}/{framed}", re.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn framing() -> impl Strategy<Value = Framing> {
        prop_oneof![Just(Framing::Line), Just(Framing::Len32)]
    }

    proptest! {
        /// Whatever way a stream of framed messages is cut into reads, the
        /// reader hands back exactly the messages, in order.
        #[test]
        fn any_split_gives_back_the_messages(
            framing in framing(),
            cuts in proptest::collection::vec(1usize..16, 0..20),
            messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..8),
        ) {
            let messages: Vec<Vec<u8>> = match framing {
                Framing::Line => messages.into_iter().map(|m| m.into_iter().filter(|&b| b != b'\n').collect()).collect(),
                _ => messages,
            };
            let stream: Vec<u8> = messages.iter().flat_map(|m| encode(framing, m)).collect();
            let mut reader = FrameReader::new(framing);
            let mut got = Vec::new();
            let mut rest = &stream[..];
            let mut cuts = cuts.into_iter().cycle();
            while !rest.is_empty() {
                let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
                reader.push(&rest[..n]);
                rest = &rest[n..];
                while let Some(m) = reader.next_message().unwrap() {
                    got.push(m);
                }
            }
            prop_assert_eq!(got, messages);
            prop_assert!(reader.buffered().is_empty());
        }
    }

    #[test]
    fn len32_rejects_absurd_lengths() {
        let mut r = FrameReader::new(Framing::Len32);
        r.push(b"GET / HTTP/1.1\r\n");
        assert!(matches!(r.next_message(), Err(FrameError::TooLong { .. })));
    }

    #[test]
    fn partial_frames_wait_for_more() {
        let mut r = FrameReader::new(Framing::Line);
        r.push(b"hel");
        assert_eq!(r.next_message().unwrap(), None);
        r.push(b"lo\nwor");
        assert_eq!(r.next_message().unwrap(), Some(b"hello".to_vec()));
        assert_eq!(r.next_message().unwrap(), None);
        assert_eq!(r.buffered(), b"wor");
    }

    #[test]
    fn judging_follows_the_rule() {
        let fixed: ReplyRule = "fixed:Thanks".parse().unwrap();
        assert!(reply_ok(&fixed, b"hi", b"Thanks"));
        assert!(!reply_ok(&fixed, b"hi", b"thanks"));
        assert!(reply_ok(&ReplyRule::Echo, b"hi", b"hi"));
        assert!(!reply_ok(&ReplyRule::Any, b"hi", b""));
        let re: ReplyRule = "regex:^\\d{2}:\\d{2}".parse().unwrap();
        assert!(reply_ok(&re, b"x", b"12:30:01"));
    }
}
