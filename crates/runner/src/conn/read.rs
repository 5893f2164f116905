//! The incoming direction of a connection: every read goes through the
//! [`FrameReader`](sockspec_wire::FrameReader), so a reply that arrives in
//! pieces or glued to the next one is judged exactly as if it had come
//! whole, and every way a read can end (data, a close, a reset, a failure,
//! the deadline) is told apart once, in [`Read`], then turned by each
//! expectation into the mismatch that says what the target did instead.
//! Kept apart from making, writing and closing the connection, which never
//! judge what the target sent.

use std::io::ErrorKind;
use std::time::Duration;

use sockspec_model::{Bytes, Contract, Framing, ReplyRule};
use sockspec_results::diagnosis::Happening;
use sockspec_results::{Doing, Expectation, HttpMessage, Mismatch, Nth, Queue};
use sockspec_wire::{encode, reply_ok};
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use super::{Conn, StepFailure, expected_reply, take_oldest};
use crate::timeline;

/// How a read from the target ended.
enum Read {
    Data,
    Eof,
    Reset,
    Failed(std::io::Error),
    Timeout,
}

impl Conn {
    /// Reads one message the target sent, framed by the contract (under
    /// `none` framing: as many bytes as `text` has, or whatever comes first),
    /// and checks it is `text` when given.
    pub async fn expect_message(
        &mut self,
        text: Option<&[u8]>,
        framing: Framing,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        self.seen = self.reader.buffered().to_vec();
        let expected = text.map(|t| Expectation::Message(Bytes(t.to_vec())));
        let failure = |mismatch: Mismatch, seen: &[u8]| StepFailure {
            expected: expected.clone(),
            received: Some(Bytes(seen.to_vec())),
            ..StepFailure::new(mismatch)
        };
        let message = loop {
            let whole = match framing {
                // Without framing, what one write carried is the message:
                // once enough bytes for the expected text are here, all of
                // them are judged, so trailing extras (a "\r\n") show.
                Framing::None => match text {
                    Some(t) if self.reader.buffered().len() >= t.len() => {
                        Some(self.reader.take_all())
                    }
                    Some(_) => None,
                    None => self.reader.next_message().ok().flatten(),
                },
                _ => match self.reader.next_message() {
                    Ok(m) => m,
                    Err(e) => {
                        return Err(failure(
                            Mismatch::MessageUnframeable(e.to_string()),
                            &self.seen,
                        ));
                    }
                },
            };
            if let Some(m) = whole {
                break m;
            }
            let why = match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Eof => Mismatch::ClosedInsteadOfMessage,
                Read::Reset => Mismatch::ResetBeforeMessage,
                Read::Failed(e) => return Err(StepFailure::io(Doing::Read, e)),
                Read::Timeout if self.seen.is_empty() => Mismatch::NoMessage(limit),
                Read::Timeout => Mismatch::MessageIncomplete(limit),
            };
            return Err(failure(why, &self.seen));
        };
        if let Some(t) = text
            && message != t
        {
            return Err(failure(Mismatch::SomethingElse, &message));
        }
        self.unanswered.push_back(message);
        Ok(())
    }

    async fn read_more(&mut self, deadline: Instant) -> Read {
        // Acknowledge at once what the target sends: a program without
        // TCP_NODELAY holds its second small reply until the first is
        // acknowledged (Nagle), and a delayed ACK would hold that for 40 ms.
        // Quick-ack mode wears off, so it is asked for before every read.
        let _ = socket2::SockRef::from(&self.stream).set_tcp_quickack(true);
        let mut buf = [0u8; 16 * 1024];
        let me = || timeline::harness(&self.label);
        match timeline::until(deadline, self.stream.read(&mut buf))
            .await
            .ok_or(())
        {
            Ok(Ok(0)) => {
                timeline::record(me(), Happening::SawEof);
                Read::Eof
            }
            Ok(Ok(n)) => {
                timeline::record(me(), timeline::received(&buf[..n]));
                self.reader.push(&buf[..n]);
                self.seen.extend_from_slice(&buf[..n]);
                Read::Data
            }
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => {
                timeline::record(me(), Happening::SawReset);
                Read::Reset
            }
            Ok(Err(e)) => Read::Failed(e),
            Err(_) => Read::Timeout,
        }
    }

    /// Reads `count` replies and judges each by the contract.
    pub async fn expect_replies(
        &mut self,
        count: usize,
        contract: &Contract,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        let messages = take_oldest(&mut self.pending, count, Queue::RepliesToMessages)?;
        self.seen = self.reader.buffered().to_vec();
        let sent: Vec<u8> = messages
            .iter()
            .flat_map(|m| encode(contract.framing, m))
            .collect();
        let evidence = |mismatch: Mismatch, expected: Expectation, received: Vec<u8>| StepFailure {
            sent: Some(Bytes(sent.clone())),
            expected: Some(expected),
            received: Some(Bytes(received)),
            ..StepFailure::new(mismatch)
        };
        match contract.framing {
            Framing::None => {
                self.expect_stream(&messages, contract, deadline, limit, &evidence)
                    .await
            }
            Framing::Line | Framing::Len32 => {
                for (i, message) in messages.iter().enumerate() {
                    let expected = expected_reply(&contract.reply, contract.framing, message);
                    let nth = Nth::of(i, count);
                    let reply = loop {
                        match self.reader.next_message() {
                            Ok(Some(m)) => break m,
                            Ok(None) => {}
                            Err(e) => {
                                return Err(evidence(
                                    Mismatch::Unframeable {
                                        nth,
                                        error: e.to_string(),
                                    },
                                    expected,
                                    self.seen.clone(),
                                ));
                            }
                        }
                        let why = match self.read_more(deadline).await {
                            Read::Data => continue,
                            Read::Eof => Mismatch::ClosedBeforeReply(nth),
                            Read::Reset => Mismatch::ResetBeforeReply(nth),
                            Read::Failed(e) => {
                                return Err(StepFailure::io(Doing::ReadReply(nth), e));
                            }
                            Read::Timeout if self.reader.buffered().is_empty() => {
                                Mismatch::NoReply { nth, within: limit }
                            }
                            Read::Timeout => Mismatch::IncompleteReply {
                                nth,
                                within: limit,
                                framing: contract.framing,
                            },
                        };
                        return Err(evidence(why, expected, self.seen.clone()));
                    };
                    if !reply_ok(&contract.reply, message, &reply) {
                        return Err(evidence(Mismatch::WrongReply(nth), expected, reply));
                    }
                }
                Ok(())
            }
        }
    }

    /// Under `none` framing the replies are one byte stream: wait for as many
    /// bytes as the rule determines (failing early on the first wrong byte),
    /// or for any byte / a match when the rule does not determine them.
    async fn expect_stream(
        &mut self,
        messages: &[Vec<u8>],
        contract: &Contract,
        deadline: Instant,
        limit: Duration,
        evidence: &(dyn Fn(Mismatch, Expectation, Vec<u8>) -> StepFailure + Sync),
    ) -> Result<(), StepFailure> {
        let all: Vec<u8> = messages.concat();
        let expected = expected_reply(&contract.reply, Framing::None, &all);
        let exact: Option<Vec<u8>> = match &contract.reply {
            ReplyRule::Echo => Some(all.clone()),
            ReplyRule::Fixed(t) => Some(t.repeat(messages.len())),
            ReplyRule::Any | ReplyRule::Regex(_) => None,
        };
        loop {
            let got = self.reader.buffered();
            match &exact {
                Some(want) => {
                    let n = got.len().min(want.len());
                    if got[..n] != want[..n] {
                        let got = self.reader.take_all();
                        return Err(evidence(Mismatch::WrongReply(Nth::The), expected, got));
                    }
                    if got.len() >= want.len() {
                        self.reader.take_exact(want.len());
                        return Ok(());
                    }
                }
                None => {
                    let done = match &contract.reply {
                        ReplyRule::Regex(re) => re.is_match(got),
                        _ => !got.is_empty(),
                    };
                    if done {
                        self.reader.take_all();
                        return Ok(());
                    }
                }
            }
            let why = match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Eof if self.reader.buffered().is_empty() => Mismatch::ClosedWithoutReply,
                Read::Eof => Mismatch::ClosedBeforeReply(Nth::The),
                Read::Reset => Mismatch::ResetBeforeAnyReply,
                Read::Failed(e) => return Err(StepFailure::io(Doing::ReadReply(Nth::The), e)),
                Read::Timeout if self.reader.buffered().is_empty() => Mismatch::NoReply {
                    nth: Nth::The,
                    within: limit,
                },
                Read::Timeout => match &exact {
                    Some(want) => Mismatch::IncompleteStream {
                        within: limit,
                        got: self.reader.buffered().len(),
                        want: want.len(),
                    },
                    None => Mismatch::NoMatchingReply(limit),
                },
            };
            self.reader.take_all();
            return Err(evidence(why, expected, self.seen.clone()));
        }
    }

    /// The target must close the connection, with nothing more before it.
    pub async fn expect_eof(
        &mut self,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        loop {
            match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Eof if self.reader.buffered().is_empty() => return Ok(()),
                Read::Eof => {
                    return Err(StepFailure {
                        expected: Some(Expectation::EndNothingBefore),
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..StepFailure::new(Mismatch::BytesBeforeClose(self.reader.buffered().len()))
                    });
                }
                Read::Reset => {
                    return Err(StepFailure {
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..StepFailure::new(Mismatch::ResetNotClosed)
                    });
                }
                Read::Failed(e) => return Err(StepFailure::io(Doing::Read, e)),
                Read::Timeout => {
                    let extra = self.reader.buffered().len();
                    return Err(StepFailure {
                        expected: Some(Expectation::End),
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..StepFailure::new(Mismatch::NotClosed {
                            within: limit,
                            extra,
                        })
                    });
                }
            }
        }
    }

    /// The target must reset the connection.
    pub async fn expect_reset(
        &mut self,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        loop {
            match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Reset => return Ok(()),
                Read::Eof => return Err(StepFailure::new(Mismatch::ClosedNotReset)),
                Read::Failed(e) => return Err(StepFailure::io(Doing::Read, e)),
                Read::Timeout => return Err(StepFailure::new(Mismatch::NotReset(limit))),
            }
        }
    }

    /// Whether the target has written or closed since the last read:
    /// asked of the kernel with a non-blocking peek, so nothing is consumed.
    pub fn target_spoke(&self) -> bool {
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
        // The socket is non-blocking (tokio's), so an empty queue is WouldBlock.
        match socket2::SockRef::from(&self.stream).peek(&mut byte) {
            Ok(_) => true,
            Err(e) => e.kind() != ErrorKind::WouldBlock,
        }
    }

    /// What the target has written and the harness not yet read, without
    /// consuming it (at most 64 KiB). Asked once [`Self::target_spoke`]
    /// says there is something: the peek then returns at once; the bound
    /// only guards against a socket that has nothing after all.
    pub async fn peek_unread(&self) -> Vec<u8> {
        let mut buf = vec![0u8; 64 * 1024];
        let peeked = tokio::time::timeout(Duration::from_millis(50), self.stream.peek(&mut buf));
        match peeked.await {
            Ok(Ok(n)) => {
                buf.truncate(n);
                buf
            }
            _ => Vec::new(),
        }
    }

    /// Reads until `whole` says the bytes so far (and whether the target
    /// has closed) make a whole message, the target closes, or the deadline
    /// passes. Returns every byte read and whether the target closed; a
    /// deadline or a reset is a failure that shows what had come.
    pub async fn read_until(
        &mut self,
        deadline: Instant,
        limit: Duration,
        what: HttpMessage,
        whole: impl Fn(&[u8]) -> bool,
    ) -> Result<(Vec<u8>, bool), StepFailure> {
        self.seen = self.reader.buffered().to_vec();
        loop {
            if !self.reader.buffered().is_empty() && whole(self.reader.buffered()) {
                return Ok((self.reader.take_all(), false));
            }
            let failure = |mismatch: Mismatch, seen: &[u8]| StepFailure {
                received: (!seen.is_empty()).then(|| Bytes(seen.to_vec())),
                ..StepFailure::new(mismatch)
            };
            match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Eof => return Ok((self.reader.take_all(), true)),
                Read::Reset => {
                    return Err(StepFailure {
                        reset: true,
                        ..failure(Mismatch::HttpReset(what), &self.seen)
                    });
                }
                Read::Failed(e) => {
                    return Err(StepFailure {
                        received: (!self.seen.is_empty()).then(|| Bytes(self.seen.clone())),
                        ..StepFailure::io(Doing::ReadHttp(what), e)
                    });
                }
                Read::Timeout => {
                    let mismatch = if self.seen.is_empty() {
                        Mismatch::NoHttp {
                            what,
                            within: limit,
                        }
                    } else {
                        Mismatch::HttpStopped {
                            what,
                            within: limit,
                            got: self.seen.len(),
                        }
                    };
                    return Err(failure(mismatch, &self.seen));
                }
            }
        }
    }
}
