//! TCP steps: connections the harness opens or accepts, what it writes on
//! them in chosen pieces, and what it expects back (replies, messages, the
//! end of the stream, a reset, the program closing its end).

use std::time::Duration;

use sockspec_model::{ConnName, Role, SendStep};
use sockspec_process::proc;
use tokio::time::Instant;

use crate::conn::{Conn, StepFailure};
use crate::harness::Harness;

use crate::run::{Peer, Run};
use crate::timeline;
use sockspec_model::{ExpectMessageStep, ExpectReplyStep};
use sockspec_results::diagnosis::Happening;
use sockspec_results::{Doing, Expectation, Mismatch, ScenarioBug};

impl Run<'_> {
    pub(crate) async fn connect(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        let timing = self.timing;
        let framing = self.framing();
        if self.role == Role::TcpServer
            && let Some(t) = &self.target
        {
            let pids = sockspec_process::inspect::program_pids(t.pid() as i32);
            self.open_sockets.push(proc::socket_inodes(&pids).len());
        }
        let limit = timing.connect();
        let mut conn = Conn::connect(self.addr, framing, Instant::now() + limit, limit).await?;
        conn.label = name.0.clone();
        timeline::record(timeline::harness(&name.0), Happening::Connected);
        self.peers.insert(name.clone(), Peer::Tcp(conn));
        Ok(())
    }

    pub(crate) async fn accept(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        let timing = self.timing;
        let framing = self.framing();
        let limit = timing.connect();
        let Harness::Listener(listener) = &self.harness else {
            return Err(StepFailure::bug(ScenarioBug::NoListener));
        };
        match timeline::until(Instant::now() + limit, listener.accept())
            .await
            .ok_or(())
        {
            Ok(Ok((stream, _))) => {
                let mut conn = Conn::accepted(stream, framing)?;
                conn.label = name.0.clone();
                timeline::record(timeline::harness(&name.0), Happening::Accepted);
                self.peers.insert(name.clone(), Peer::Tcp(conn));
                Ok(())
            }
            Ok(Err(e)) => Err(StepFailure::io(Doing::Accept, e)),
            Err(_) => Err(StepFailure::new(Mismatch::NoConnection {
                addr: self.addr,
                within: limit,
                trying: self.connecting_elsewhere(),
            })),
        }
    }

    pub(crate) async fn expect_reply(&mut self, e: &ExpectReplyStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let limit = timing.reply();
        let contract = self.program.contract.clone();
        let deadline = Instant::now() + limit;
        match self.peers.get_mut(&e.from) {
            Some(Peer::Udp(peer)) => {
                peer.expect_replies(e.count, &contract, deadline, limit)
                    .await
            }
            _ => {
                self.conn(&e.from)?
                    .expect_replies(e.count, &contract, deadline, limit)
                    .await
            }
        }
    }

    pub(crate) async fn expect_message(
        &mut self,
        e: &ExpectMessageStep,
    ) -> Result<(), StepFailure> {
        let timing = self.timing;
        let framing = self.framing();
        let limit = e
            .within_ms
            .map(|ms| timing.pause(Duration::from_millis(ms)))
            .unwrap_or_else(|| timing.reply());
        let deadline = Instant::now() + limit;
        let text = e.text.as_deref().map(str::as_bytes);
        match &e.from {
            Some(name) => {
                self.conn(name)?
                    .expect_message(text, framing, deadline, limit)
                    .await
            }
            None => {
                self.udp_server()?
                    .expect_message(text, deadline, limit)
                    .await
            }
        }
    }

    pub(crate) async fn expect_eof(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        let timing = self.timing;
        let limit = timing.end();
        self.conn(name)?
            .expect_eof(Instant::now() + limit, limit)
            .await
    }

    pub(crate) async fn expect_reset(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        let timing = self.timing;
        let limit = timing.end();
        self.conn(name)?
            .expect_reset(Instant::now() + limit, limit)
            .await
    }

    pub(crate) async fn shutdown(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        self.conn(name)?.shutdown().await
    }

    pub(crate) async fn close_conn(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        if let Some(Peer::Tcp(conn)) = self.peers.remove(name) {
            self.closed.insert(name.clone(), (conn.local, conn.remote));
            conn.close().await;
        }
        Ok(())
    }

    pub(crate) async fn abort_conn(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        match self.peers.remove(name) {
            Some(Peer::Tcp(conn)) => {
                self.closed.insert(name.clone(), (conn.local, conn.remote));
                conn.abort()
            }
            _ => Ok(()),
        }
    }

    pub(crate) async fn send(&mut self, send: &SendStep) -> Result<(), StepFailure> {
        let framing = self.program.contract.framing;
        if matches!(self.peers.get(&send.to), Some(Peer::Udp(_))) {
            return self.send_datagrams(send).await;
        }
        let bytes: Vec<u8> = if send.framed {
            send.messages
                .iter()
                .flat_map(|m| sockspec_wire::encode(framing, &m.0))
                .collect()
        } else {
            send.messages
                .iter()
                .flat_map(|m| m.0.iter().copied())
                .collect()
        };
        let timing = self.timing;
        let reader = self.target_pid();
        let conn = self.conn(&send.to)?;
        conn.expect_replies_to(send.messages.iter().map(|m| m.0.clone()));
        let last =
            write_leading_pieces(conn, &bytes, &send.chunks, send.pause, timing, reader).await?;
        let deadline = Instant::now() + timing.reply();
        match self.peers.remove(&send.to) {
            Some(Peer::Tcp(conn)) if send.close => {
                self.closed
                    .insert(send.to.clone(), (conn.local, conn.remote));
                conn.write_and_close(last, deadline).await
            }
            Some(Peer::Tcp(mut conn)) => {
                let written = conn.write(last, deadline).await;
                self.peers.insert(send.to.clone(), Peer::Tcp(conn));
                written
            }
            _ => Err(StepFailure::bug(ScenarioBug::NotOpen(send.to.0.clone()))),
        }
    }

    pub(crate) async fn reply(&mut self, r: &sockspec_model::ReplyStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let framing = self.program.contract.framing;
        match &r.to {
            None => {
                let rule = self.program.contract.reply.clone();
                let sent = self
                    .udp_server()?
                    .reply(r.count, |m| {
                        sockspec_wire::reply_for(&rule, m).unwrap_or_else(|| b"Thanks".to_vec())
                    })
                    .await?;
                self.replies_sent.extend(sent);
                Ok(())
            }
            Some(name) => {
                let messages = self.conn(name)?.take_unanswered(r.count)?;
                let replies: Vec<Vec<u8>> = messages.iter().map(|m| self.reply_to(m)).collect();
                let bytes: Vec<u8> = replies
                    .iter()
                    .flat_map(|reply| sockspec_wire::encode(framing, reply))
                    .collect();
                self.replies_sent.extend(replies);
                let reader = self.target_pid();
                let conn = self.conn(name)?;
                let last =
                    write_leading_pieces(conn, &bytes, &r.chunks, Duration::ZERO, timing, reader)
                        .await?;
                conn.write(last, Instant::now() + timing.reply()).await
            }
        }
    }

    /// Waits until the program has closed its end of a connection the
    /// harness closed: its socket for it is gone from the kernel's table,
    /// or past CLOSE_WAIT. Read from the kernel (sock_diag) each
    /// millisecond; the program does nothing the harness could await.
    pub(crate) async fn expect_closed(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        const CLOSE_WAIT: u8 = 0x08;
        let Some(&(harness, program)) = self.closed.get(name) else {
            return Err(StepFailure::bug(ScenarioBug::NotClosedByHarness(
                name.0.clone(),
            )));
        };
        let limit = self.timing.end();
        let started = Instant::now();
        let deadline = started + limit;
        loop {
            match proc::tcp_conn(program, harness) {
                Some(e) if e.state == CLOSE_WAIT => {}
                _ => return Ok(()),
            }
            if Instant::now() >= deadline || timeline::is_cut() {
                self.leak_seen = true;
                return Err(StepFailure {
                    expected: Some(Expectation::CloseSocket),
                    ..StepFailure::new(Mismatch::CloseWait {
                        after: started.elapsed(),
                        name: name.0.clone(),
                        program,
                        harness,
                    })
                });
            }
            tokio::time::sleep(sockspec_process::poll_after(started)).await;
        }
    }
}

/// Writes every piece of `bytes` but the last, each once the target has read
/// the one before (plus the scenario's own pause), and returns the last piece
/// for the caller to write as it must (plainly, or together with a close).
pub(crate) async fn write_leading_pieces<'b>(
    conn: &mut Conn,
    bytes: &'b [u8],
    chunks: &[usize],
    pause: Duration,
    timing: crate::Timing,
    reader: Option<i32>,
) -> Result<&'b [u8], StepFailure> {
    let mut pieces = split(bytes, chunks);
    let last = pieces.pop().unwrap_or_default();
    for piece in pieces {
        conn.write(piece, Instant::now() + timing.reply()).await?;
        wait_consumed(conn, Instant::now() + timing.consumed(), reader).await;
        if !pause.is_zero() {
            tokio::time::sleep(timing.pause(pause)).await;
        }
    }
    Ok(last)
}

/// Cuts `bytes` into pieces of the given sizes; what is left is a last piece.
pub(crate) fn split<'b>(bytes: &'b [u8], sizes: &[usize]) -> Vec<&'b [u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    for &size in sizes {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Waits until the target has read everything written on `conn`: the
/// harness's socket has no unacknowledged bytes and the target's socket has
/// nothing left unread (both asked of the kernel by exact address, as `ss`
/// does). This is what makes a split message arrive in separate recv calls,
/// whatever the machine's load: the next piece is written only after the
/// target has read the previous one.
///
/// The wait ends early only on what says the target will not read now: its
/// end of the connection is gone or closing, or (with `reader`, the
/// target's pid) none of its threads can run and none is sleeping or polling
/// with a timeout, seen twice: it is blocked somewhere else (accept() of
/// another client, input()) with these bytes queued, and a recv() on this
/// socket would have woken it. A target that is merely slow, on a loaded
/// machine, is runnable and is waited for, up to the deadline; past the
/// deadline the next piece goes anyway, and a target that never reads
/// fails on its replies, not here.
///
/// Where the kernel gives the target socket's byte count (tcp_info), "read"
/// means: every byte written has arrived there and none is left unread.
/// That does not wait for the target's ACK, which a delayed ACK can hold
/// back 40 ms when the target has nothing to answer (a half message).
pub(crate) async fn wait_consumed(conn: &Conn, deadline: Instant, reader: Option<i32>) {
    const ESTABLISHED: u8 = 0x01;
    /// How often the target's threads are looked at, once the wait is longer
    /// than a running target takes to read.
    const LOOK: Duration = Duration::from_millis(20);
    let started = Instant::now();
    let mut idle_looks = 0;
    let mut next_look = started + LOOK;
    loop {
        let theirs = proc::tcp_conn(conn.remote, conn.local);
        let drained = match &theirs {
            Some(proc::SocketEntry {
                bytes_received: Some(got),
                rx_queue,
                ..
            }) => *got >= conn.written() && *rx_queue == 0,
            _ => {
                let ours = proc::tcp_conn_queues(conn.local, conn.remote);
                let theirs = proc::tcp_conn_queues(conn.remote, conn.local);
                matches!(ours, Some((0, _))) && matches!(theirs, Some((_, 0)))
            }
        };
        let closing = theirs.as_ref().is_some_and(|e| e.state != ESTABLISHED);
        if drained || closing || Instant::now() >= deadline {
            return;
        }
        if let Some(pid) = reader
            && Instant::now() >= next_look
        {
            next_look = Instant::now() + LOOK;
            if blocked_elsewhere(pid) {
                idle_looks += 1;
                if idle_looks >= 2 {
                    return;
                }
            } else {
                idle_looks = 0;
            }
        }
        // A target that is running reads within tens of microseconds; the
        // timer's millisecond would be most of the wait. Ask again at once
        // for the first half millisecond (each question costs ~10 µs),
        // then settle for the timer, less often as the wait goes on.
        if started.elapsed() < Duration::from_micros(500) {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(sockspec_process::poll_after(started)).await;
        }
    }
}

/// Whether the program of `pid` can read nothing now: none of its threads
/// is runnable, and none waits in a sleep or a poll (which end by
/// themselves, or on this socket).
fn blocked_elsewhere(pid: i32) -> bool {
    use sockspec_process::inspect::{self, Call};
    let pids = inspect::program_pids(pid);
    if pids.is_empty() || inspect::runnable_threads(&pids) > 0 {
        return false;
    }
    let waiting = inspect::waiting(&pids);
    !waiting.is_empty()
        && waiting
            .iter()
            .all(|w| !matches!(w.call, Call::Sleep | Call::Poll))
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    pub(crate) fn split_keeps_every_byte_in_order() {
        let b = b"hello world";
        assert_eq!(split(b, &[3, 2]), vec![&b"hel"[..], b"lo", b" world"]);
        assert_eq!(split(b, &[]), vec![&b[..]]);
        assert_eq!(split(b, &[20]), vec![&b[..]]);
        assert_eq!(split(b"", &[]), vec![&b""[..]]);
    }
}
