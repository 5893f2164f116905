//! The harness's side of one TCP connection: a stream, the framing reader that
//! cuts replies out of it, and the messages still waiting for their replies.
//!
//! Reads always go through [`FrameReader`], so a reply that arrives in pieces
//! or glued to the next one is judged exactly as if it had come whole: the
//! harness never has the sticky-packet bug it tests for.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{Bytes, Contract, Framing, ReplyRule};
use sockspec_results::{
    Doing, Expectation, HttpMessage, Mismatch, Nth, Queue, ReplyShape, ScenarioBug,
};
use sockspec_wire::{FrameReader, encode, reply_ok};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::timeline;
use sockspec_results::diagnosis::Happening;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// Why a step did not do what the scenario expects, with the evidence.
#[derive(Clone, Debug)]
pub struct StepFailure {
    /// What went wrong (boxed: a step's result stays small on the happy path).
    pub mismatch: Box<Mismatch>,
    /// What the harness had sent for the awaited replies.
    pub sent: Option<Bytes>,
    /// What was expected, when more than the mismatch says.
    pub expected: Option<Expectation>,
    /// What came back.
    pub received: Option<Bytes>,
    /// The read ended in a reset (RST), not a close.
    pub reset: bool,
}

/// The oldest `count` entries of a queue: the messages sent that await
/// replies, or those received that await answers. Asking for more than are
/// there is a mistake in the scenario, and is said so.
pub(crate) fn take_oldest<T>(
    queue: &mut VecDeque<T>,
    count: usize,
    what: Queue,
) -> Result<Vec<T>, StepFailure> {
    if queue.len() < count {
        return Err(StepFailure::bug(ScenarioBug::TooFew {
            want: count,
            what,
            have: queue.len(),
        }));
    }
    Ok(queue.drain(..count).collect())
}

impl StepFailure {
    /// A failure with no evidence beyond what it is.
    pub fn new(mismatch: Mismatch) -> Self {
        StepFailure {
            mismatch: Box::new(mismatch),
            sent: None,
            expected: None,
            received: None,
            reset: false,
        }
    }

    /// The operating system refused what the harness was doing.
    pub fn io(doing: Doing, error: impl std::fmt::Display) -> Self {
        StepFailure::new(Mismatch::Io {
            doing,
            error: error.to_string(),
        })
    }

    /// A mistake in the scenario.
    pub fn bug(bug: ScenarioBug) -> Self {
        StepFailure::new(Mismatch::Scenario(bug))
    }

    /// The same evidence, with the mismatch wrapped (`AfterRestart`...).
    pub fn map(mut self, wrap: impl FnOnce(Mismatch) -> Mismatch) -> Self {
        let m = std::mem::replace(&mut *self.mismatch, Mismatch::PropertyNoCase);
        *self.mismatch = wrap(m);
        self
    }
}

/// What a reply must be under `rule`, as data for the report.
pub(crate) fn expected_reply(rule: &ReplyRule, framing: Framing, message: &[u8]) -> Expectation {
    Expectation::Reply {
        rule: match rule {
            ReplyRule::Echo => ReplyShape::Echo,
            ReplyRule::Fixed(t) => ReplyShape::Fixed(Bytes(t.clone())),
            ReplyRule::Any => ReplyShape::Any,
            ReplyRule::Regex(re) => ReplyShape::Regex(re.as_str().to_owned()),
        },
        framing,
        message: Bytes(message.to_vec()),
    }
}

/// How a read from the target ended.
enum Read {
    Data,
    Eof,
    Reset,
    Failed(std::io::Error),
    Timeout,
}

/// One connection from the harness to the target.
pub struct Conn {
    stream: TcpStream,
    /// The harness's end, to find this connection in the kernel's tables.
    pub local: SocketAddr,
    /// The target's end.
    pub remote: SocketAddr,
    reader: FrameReader,
    pending: VecDeque<Vec<u8>>,
    /// Every byte read during the current expectation, for the report.
    seen: Vec<u8>,
    /// Messages the target sent (client roles) that the harness has not
    /// answered yet.
    unanswered: VecDeque<Vec<u8>>,
    /// Bytes written on this connection so far.
    written: u64,
    /// The connection's name in the scenario, for the timeline.
    pub label: String,
}

impl Conn {
    /// Connects, within the deadline.
    pub async fn connect(
        addr: SocketAddr,
        framing: Framing,
        deadline: Instant,
        limit: Duration,
    ) -> Result<Conn, StepFailure> {
        let stream = match timeout_at(deadline, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionRefused => {
                return Err(StepFailure::new(Mismatch::Refused(addr)));
            }
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => {
                return Err(StepFailure::new(Mismatch::ResetOnConnect(addr)));
            }
            Ok(Err(e)) => return Err(StepFailure::io(Doing::Connect(addr), e)),
            Err(_) => {
                return Err(StepFailure::new(Mismatch::ConnectTimeout {
                    addr,
                    within: limit,
                }));
            }
        };
        let _ = stream.set_nodelay(true);
        let local = stream
            .local_addr()
            .map_err(|e| StepFailure::io(Doing::LocalAddr, e))?;
        Ok(Conn {
            stream,
            local,
            remote: addr,
            reader: FrameReader::new(framing),
            pending: VecDeque::new(),
            seen: Vec::new(),
            unanswered: VecDeque::new(),
            written: 0,
            label: String::new(),
        })
    }

    /// Wraps a connection the target made to the harness's listener.
    pub fn accepted(stream: TcpStream, framing: Framing) -> Result<Conn, StepFailure> {
        let _ = stream.set_nodelay(true);
        let addr =
            |r: std::io::Result<SocketAddr>| r.map_err(|e| StepFailure::io(Doing::AcceptedAddr, e));
        let local = addr(stream.local_addr())?;
        let remote = addr(stream.peer_addr())?;
        Ok(Conn {
            stream,
            local,
            remote,
            reader: FrameReader::new(framing),
            pending: VecDeque::new(),
            seen: Vec::new(),
            unanswered: VecDeque::new(),
            written: 0,
            label: String::new(),
        })
    }

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

    /// The oldest `count` messages from the target not answered yet.
    pub fn take_unanswered(&mut self, count: usize) -> Result<Vec<Vec<u8>>, StepFailure> {
        take_oldest(&mut self.unanswered, count, Queue::MessagesToAnswer)
    }

    /// Writes bytes, within the deadline.
    pub async fn write(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), StepFailure> {
        match timeout_at(deadline, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => {
                self.written += bytes.len() as u64;
                timeline::record(timeline::harness(&self.label), timeline::sent(bytes));
                Ok(())
            }
            Ok(Err(e)) if e.kind() == ErrorKind::BrokenPipe => {
                Err(StepFailure::new(Mismatch::BrokenPipe))
            }
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => {
                Err(StepFailure::new(Mismatch::ResetWhileWriting))
            }
            Ok(Err(e)) => Err(StepFailure::io(Doing::Write, e)),
            Err(_) => Err(StepFailure::new(Mismatch::StoppedReading)),
        }
    }

    /// Bytes written on this connection so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Remembers messages that now await a reply.
    pub fn expect_replies_to(&mut self, messages: impl IntoIterator<Item = Vec<u8>>) {
        self.pending.extend(messages);
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

    /// Shuts down the write half: the target's recv gives b''.
    pub async fn shutdown(&mut self) -> Result<(), StepFailure> {
        self.stream
            .shutdown()
            .await
            .map_err(|e| StepFailure::io(Doing::Shutdown, e))?;
        timeline::record(timeline::harness(&self.label), Happening::ShutdownWrite);
        Ok(())
    }

    /// Writes bytes and closes at once: the data and the FIN leave in one
    /// segment (TCP_CORK holds the data until the FIN joins it), so the
    /// target cannot have answered before the close, and the close is a clean
    /// FIN whatever the timing. The target's answer then meets a closed
    /// socket, exactly like a client that vanished before the reply.
    pub async fn write_and_close(
        mut self,
        bytes: &[u8],
        deadline: Instant,
    ) -> Result<(), StepFailure> {
        let cork = |on: bool| {
            socket2::SockRef::from(&self.stream)
                .set_tcp_cork(on)
                .map_err(|e| StepFailure::io(Doing::Cork, e))
        };
        cork(true)?;
        self.write(bytes, deadline).await?;
        self.close().await;
        Ok(())
    }

    /// Closes like a program's close(): a FIN. The write half is shut down
    /// first, so that even with unread replies in the harness's buffer the
    /// target sees the FIN (recv gives b'') before the reset that the kernel
    /// sends for the unread bytes; otherwise whether the target saw b'' or
    /// ECONNRESET would depend on timing.
    pub async fn close(mut self) {
        let _ = self.stream.shutdown().await;
        timeline::record(timeline::harness(&self.label), Happening::Closed);
        drop(self);
    }

    /// Closes with RST (SO_LINGER 0): the client vanishes mid-conversation.
    pub fn abort(self) -> Result<(), StepFailure> {
        let std = self
            .stream
            .into_std()
            .map_err(|e| StepFailure::io(Doing::Abort, e))?;
        let socket = socket2::Socket::from(std);
        socket
            .set_linger(Some(Duration::ZERO))
            .map_err(|e| StepFailure::io(Doing::Linger, e))?;
        drop(socket);
        timeline::record(timeline::harness(&self.label), Happening::Reset);
        Ok(())
    }
}
