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
use sockspec_wire::{FrameReader, describe_expected, encode, reply_ok};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::timeline;
use sockspec_results::diagnosis::Happening;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// Why a step did not do what the scenario expects, with the evidence.
#[derive(Clone, Debug, Default)]
pub struct StepFailure {
    /// One line saying what went wrong.
    pub message: String,
    /// What the harness had sent for the awaited replies.
    pub sent: Option<Bytes>,
    /// What was expected, in words.
    pub expected: Option<String>,
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
    what: &str,
) -> Result<Vec<T>, StepFailure> {
    if queue.len() < count {
        return Err(StepFailure::new(format!(
            "the scenario wants {count} {what} but there are only {} (a scenario bug)",
            queue.len()
        )));
    }
    Ok(queue.drain(..count).collect())
}

impl StepFailure {
    /// A failure with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        StepFailure {
            message: message.into(),
            ..Default::default()
        }
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

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
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
                return Err(StepFailure::new(format!(
                    "connection refused: nothing listens on {addr} any more"
                )));
            }
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => {
                return Err(StepFailure::new(format!(
                    "the connection to {addr} was reset as it opened: the listening socket closed (did the target exit?)"
                )));
            }
            Ok(Err(e)) => return Err(StepFailure::new(format!("cannot connect to {addr}: {e}"))),
            Err(_) => {
                return Err(StepFailure::new(format!(
                    "could not connect to {addr} within {} (is the backlog full?)",
                    secs(limit)
                )));
            }
        };
        let _ = stream.set_nodelay(true);
        let local = stream
            .local_addr()
            .map_err(|e| StepFailure::new(format!("connected socket has no address: {e}")))?;
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
        let addr = |r: std::io::Result<SocketAddr>| {
            r.map_err(|e| StepFailure::new(format!("accepted socket has no address: {e}")))
        };
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
        let expected = text.map(|t| format!("the message {}", Bytes(t.to_vec())));
        let failure = |message: String, seen: &[u8]| StepFailure {
            message,
            expected: expected.clone(),
            received: Some(Bytes(seen.to_vec())),
            ..Default::default()
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
                            format!("the message cannot be framed: {e}"),
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
                Read::Eof => {
                    "the target closed the connection instead of sending the message".to_owned()
                }
                Read::Reset => "the connection was reset before the message came".to_owned(),
                Read::Failed(e) => format!("reading failed: {e}"),
                Read::Timeout if self.seen.is_empty() => {
                    format!("no message within {}", secs(limit))
                }
                Read::Timeout => format!("the message is incomplete after {}", secs(limit)),
            };
            return Err(failure(why, &self.seen));
        };
        if let Some(t) = text
            && message != t
        {
            return Err(failure("the target sent something else".into(), &message));
        }
        self.unanswered.push_back(message);
        Ok(())
    }

    /// The oldest `count` messages from the target not answered yet.
    pub fn take_unanswered(&mut self, count: usize) -> Result<Vec<Vec<u8>>, StepFailure> {
        take_oldest(
            &mut self.unanswered,
            count,
            "messages from the target to answer",
        )
    }

    /// Writes bytes, within the deadline.
    pub async fn write(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), StepFailure> {
        match timeout_at(deadline, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => {
                self.written += bytes.len() as u64;
                timeline::record(timeline::harness(&self.label), timeline::sent(bytes));
                Ok(())
            }
            Ok(Err(e)) if e.kind() == ErrorKind::BrokenPipe => Err(StepFailure::new(
                "broken pipe: the target had already closed this connection",
            )),
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => Err(StepFailure::new(
                "connection reset by the target while the harness was writing",
            )),
            Ok(Err(e)) => Err(StepFailure::new(format!("write failed: {e}"))),
            Err(_) => Err(StepFailure::new(
                "the target stopped reading: the harness could not write within the deadline",
            )),
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
        let messages = take_oldest(&mut self.pending, count, "replies to messages sent")?;
        self.seen = self.reader.buffered().to_vec();
        let sent: Vec<u8> = messages
            .iter()
            .flat_map(|m| encode(contract.framing, m))
            .collect();
        let evidence = |message: String, expected: String, received: Vec<u8>| StepFailure {
            message,
            sent: Some(Bytes(sent.clone())),
            expected: Some(expected),
            received: Some(Bytes(received)),
            ..Default::default()
        };
        match contract.framing {
            Framing::None => {
                self.expect_stream(&messages, contract, deadline, limit, &evidence)
                    .await
            }
            Framing::Line | Framing::Len32 => {
                for (i, message) in messages.iter().enumerate() {
                    let expected = describe_expected(&contract.reply, contract.framing, message);
                    let nth = if count > 1 {
                        format!("reply {} of {count}", i + 1)
                    } else {
                        "the reply".into()
                    };
                    let reply = loop {
                        match self.reader.next_message() {
                            Ok(Some(m)) => break m,
                            Ok(None) => {}
                            Err(e) => {
                                return Err(evidence(
                                    format!("{nth} cannot be framed: {e}"),
                                    expected,
                                    self.seen.clone(),
                                ));
                            }
                        }
                        let why = match self.read_more(deadline).await {
                            Read::Data => continue,
                            Read::Eof => format!(
                                "the target closed the connection before {nth} was complete"
                            ),
                            Read::Reset => {
                                format!("the connection was reset before {nth} was complete")
                            }
                            Read::Failed(e) => format!("reading {nth} failed: {e}"),
                            Read::Timeout if self.reader.buffered().is_empty() => {
                                format!("no {nth} within {}", secs(limit))
                            }
                            Read::Timeout => format!(
                                "{nth} is incomplete after {}: {}",
                                secs(limit),
                                match contract.framing {
                                    Framing::Line =>
                                        "the bytes that came have no \\n to end the message",
                                    _ => "fewer bytes came than the length prefix announced",
                                }
                            ),
                        };
                        return Err(evidence(why, expected, self.seen.clone()));
                    };
                    if !reply_ok(&contract.reply, message, &reply) {
                        return Err(evidence(
                            format!("{nth} is not what the contract says"),
                            expected,
                            reply,
                        ));
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
        evidence: &(dyn Fn(String, String, Vec<u8>) -> StepFailure + Sync),
    ) -> Result<(), StepFailure> {
        let all: Vec<u8> = messages.concat();
        let expected = describe_expected(&contract.reply, Framing::None, &all);
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
                        return Err(evidence(
                            "the reply is not what the contract says".into(),
                            expected,
                            got,
                        ));
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
                Read::Eof if self.reader.buffered().is_empty() => {
                    "the target closed the connection without replying".to_owned()
                }
                Read::Eof => {
                    "the target closed the connection before the reply was complete".to_owned()
                }
                Read::Reset => "the connection was reset before the reply arrived".to_owned(),
                Read::Failed(e) => format!("reading the reply failed: {e}"),
                Read::Timeout if self.reader.buffered().is_empty() => {
                    format!("no reply within {}", secs(limit))
                }
                Read::Timeout => match &exact {
                    Some(want) => format!(
                        "the reply is incomplete after {}: {} of {} bytes came",
                        secs(limit),
                        self.reader.buffered().len(),
                        want.len()
                    ),
                    None => format!("no reply matching the contract within {}", secs(limit)),
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
                        message: format!(
                            "{} more bytes came before the target closed the connection (one reply too many?)",
                            self.reader.buffered().len()
                        ),
                        expected: Some(
                            "the end of the connection (recv gives b'') and nothing before it"
                                .into(),
                        ),
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..Default::default()
                    });
                }
                Read::Reset => {
                    return Err(StepFailure {
                        message: "the connection was reset instead of closed".into(),
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..Default::default()
                    });
                }
                Read::Failed(e) => return Err(StepFailure::new(format!("reading failed: {e}"))),
                Read::Timeout => {
                    let buffered = self.reader.buffered().len();
                    return Err(StepFailure {
                        message: if buffered == 0 {
                            format!(
                                "the target did not close the connection within {}",
                                secs(limit)
                            )
                        } else {
                            format!(
                                "{buffered} more bytes came and the target did not close the connection within {}",
                                secs(limit)
                            )
                        },
                        expected: Some("the end of the connection (recv gives b'')".into()),
                        received: Some(Bytes(self.reader.buffered().to_vec())),
                        ..Default::default()
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
                Read::Eof => {
                    return Err(StepFailure::new(
                        "the connection was closed normally, not reset",
                    ));
                }
                Read::Failed(e) => return Err(StepFailure::new(format!("reading failed: {e}"))),
                Read::Timeout => {
                    return Err(StepFailure::new(format!(
                        "the connection was not reset within {}",
                        secs(limit)
                    )));
                }
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
        what: &str,
        whole: impl Fn(&[u8]) -> bool,
    ) -> Result<(Vec<u8>, bool), StepFailure> {
        self.seen = self.reader.buffered().to_vec();
        loop {
            if !self.reader.buffered().is_empty() && whole(self.reader.buffered()) {
                return Ok((self.reader.take_all(), false));
            }
            let failure = |message: String, seen: &[u8]| StepFailure {
                message,
                received: (!seen.is_empty()).then(|| Bytes(seen.to_vec())),
                ..Default::default()
            };
            match self.read_more(deadline).await {
                Read::Data => continue,
                Read::Eof => return Ok((self.reader.take_all(), true)),
                Read::Reset => {
                    return Err(StepFailure {
                        reset: true,
                        ..failure(
                            format!("the connection was reset before {what} was complete"),
                            &self.seen,
                        )
                    });
                }
                Read::Failed(e) => {
                    return Err(failure(format!("reading {what} failed: {e}"), &self.seen));
                }
                Read::Timeout => {
                    let message = if self.seen.is_empty() {
                        format!("no {what} within {}", secs(limit))
                    } else {
                        format!(
                            "{what} was not complete within {}: {} bytes came and then nothing",
                            secs(limit),
                            self.seen.len()
                        )
                    };
                    return Err(failure(message, &self.seen));
                }
            }
        }
    }

    /// Shuts down the write half: the target's recv gives b''.
    pub async fn shutdown(&mut self) -> Result<(), StepFailure> {
        self.stream
            .shutdown()
            .await
            .map_err(|e| StepFailure::new(format!("shutdown failed: {e}")))?;
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
                .map_err(|e| StepFailure::new(format!("TCP_CORK failed: {e}")))
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
            .map_err(|e| StepFailure::new(format!("abort failed: {e}")))?;
        let socket = socket2::Socket::from(std);
        socket
            .set_linger(Some(Duration::ZERO))
            .map_err(|e| StepFailure::new(format!("SO_LINGER failed: {e}")))?;
        drop(socket);
        timeline::record(timeline::harness(&self.label), Happening::Reset);
        Ok(())
    }
}
