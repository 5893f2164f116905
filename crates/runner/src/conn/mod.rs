//! The harness's side of one TCP connection: a stream, the framing reader that
//! cuts replies out of it, and the messages still waiting for their replies.
//!
//! Reads always go through [`FrameReader`], so a reply that arrives in pieces
//! or glued to the next one is judged exactly as if it had come whole: the
//! harness never has the sticky-packet bug it tests for.
//!
//! One idea a file: what a failed step is and carries ([`failure`], shared
//! by every transport), reading and judging what the target sends
//! ([`read`]), and here the connection itself: making or accepting it,
//! writing to it, and ending it by a shutdown, a close or a reset.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::Framing;
use sockspec_results::diagnosis::Happening;
use sockspec_results::{Doing, Mismatch, Queue};
use sockspec_wire::FrameReader;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::timeline;

mod failure;
mod read;

pub use failure::StepFailure;
pub(crate) use failure::{expected_reply, take_oldest};

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

    /// Whether the target sent nothing the harness has not read and
    /// answered: no message waiting for an answer, no bytes buffered, none
    /// queued on the socket (asked of the socket itself).
    pub fn is_quiet(&self) -> bool {
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
        self.unanswered.is_empty()
            && self.reader.buffered().is_empty()
            && matches!(
                socket2::SockRef::from(&self.stream).peek(&mut byte),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
            )
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
