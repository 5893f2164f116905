//! The harness's UDP sockets: a client of a UDP server, or the server a UDP
//! client talks to. Every datagram is one message, so there is no framing to
//! undo; what matters is that each datagram is judged on its own and replies
//! go to, and come from, the right address.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{Bytes, Contract};
use sockspec_results::{Doing, Expectation, Mismatch, Nth, Queue};
use sockspec_wire::reply_ok;
use tokio::net::UdpSocket;
use tokio::time::Instant;

use crate::conn::{StepFailure, expected_reply, take_oldest};
use crate::timeline;

/// Large enough for any UDP payload (65507 bytes), so the harness never
/// truncates what it receives.
const MAX_DATAGRAM: usize = 65536;

/// One UDP socket of the harness.
pub struct UdpPeer {
    socket: UdpSocket,
    /// Datagrams sent that await a reply.
    pending: VecDeque<Vec<u8>>,
    /// Datagrams received from the target and not answered yet, with their sender.
    unanswered: VecDeque<(Vec<u8>, SocketAddr)>,
    /// The socket's name in the scenario, for the timeline.
    pub label: String,
}

impl UdpPeer {
    /// Binds a UDP socket.
    pub async fn bind(addr: SocketAddr) -> Result<UdpPeer, StepFailure> {
        let socket = UdpSocket::bind(addr)
            .await
            .map_err(|e| StepFailure::io(Doing::BindUdp(addr), e))?;
        Ok(UdpPeer::from_socket(socket))
    }

    /// Wraps a socket bound elsewhere (with options set by the caller).
    pub fn from_socket(socket: UdpSocket) -> UdpPeer {
        UdpPeer {
            socket,
            pending: VecDeque::new(),
            unanswered: VecDeque::new(),
            label: String::new(),
        }
    }

    /// Where the socket is bound (the sender of what it sends).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()
    }

    /// Whether every datagram received was answered and none waits to be
    /// read (asked of the socket itself, not of tokio's readiness, which
    /// may not have seen the latest datagram yet).
    pub fn is_quiet(&self) -> bool {
        self.unanswered.is_empty()
            && matches!(
                socket2::SockRef::from(&self.socket).peek_sender(),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
            )
    }

    /// Sends each message as one datagram to `to`, back to back.
    pub async fn send(&mut self, messages: &[Vec<u8>], to: SocketAddr) -> Result<(), StepFailure> {
        for m in messages {
            self.socket
                .send_to(m, to)
                .await
                .map_err(|e| StepFailure::io(Doing::SendDatagram(to), e))?;
            timeline::record(timeline::harness(&self.label), timeline::sent(m));
            self.pending.push_back(m.clone());
        }
        Ok(())
    }

    async fn recv(&self, deadline: Instant) -> Option<std::io::Result<(Vec<u8>, SocketAddr)>> {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        match timeline::until(deadline, self.socket.recv_from(&mut buf))
            .await
            .ok_or(())
        {
            Ok(Ok((n, from))) => {
                buf.truncate(n);
                timeline::record(timeline::harness(&self.label), timeline::received(&buf));
                Some(Ok((buf, from)))
            }
            Ok(Err(e)) => Some(Err(e)),
            Err(_) => None,
        }
    }

    /// Receives `count` replies, one datagram each, and judges each against
    /// the datagram it answers.
    pub async fn expect_replies(
        &mut self,
        count: usize,
        contract: &Contract,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        let messages = take_oldest(&mut self.pending, count, Queue::RepliesToDatagrams)?;
        for (i, message) in messages.iter().enumerate() {
            let nth = Nth::of(i, count);
            let expected = expected_reply(&contract.reply, sockspec_model::Framing::None, message);
            let evidence = |why: Mismatch, received: Option<Vec<u8>>| StepFailure {
                sent: Some(Bytes(message.clone())),
                expected: Some(expected.clone()),
                received: received.map(Bytes),
                ..StepFailure::new(why)
            };
            let reply = match self.recv(deadline).await {
                Some(Ok((data, _))) => data,
                Some(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return Err(evidence(Mismatch::Unreachable(nth), None));
                }
                Some(Err(e)) => {
                    return Err(StepFailure {
                        sent: Some(Bytes(message.clone())),
                        ..StepFailure::io(Doing::ReceiveReply(nth), e)
                    });
                }
                None if i == 0 => {
                    return Err(evidence(
                        Mismatch::NoReply {
                            nth: Nth::The,
                            within: limit,
                        },
                        None,
                    ));
                }
                None => {
                    return Err(evidence(
                        Mismatch::SomeReplies {
                            got: i,
                            count,
                            within: limit,
                        },
                        None,
                    ));
                }
            };
            if !reply_ok(&contract.reply, message, &reply) {
                return Err(evidence(Mismatch::WrongReply(nth), Some(reply)));
            }
        }
        Ok(())
    }

    /// Receives one datagram from the target, checks it is `text` when given,
    /// and remembers its sender for the reply.
    pub async fn expect_message(
        &mut self,
        text: Option<&[u8]>,
        deadline: Instant,
        limit: Duration,
    ) -> Result<(), StepFailure> {
        let expected = text.map(|t| Expectation::Datagram(Bytes(t.to_vec())));
        match self.recv(deadline).await {
            Some(Ok((data, from))) => {
                if let Some(t) = text
                    && data != t
                {
                    return Err(StepFailure {
                        expected,
                        received: Some(Bytes(data)),
                        ..StepFailure::new(Mismatch::NotTheLine)
                    });
                }
                self.unanswered.push_back((data, from));
                Ok(())
            }
            Some(Err(e)) => Err(StepFailure::io(Doing::Receive, e)),
            None => Err(StepFailure {
                expected,
                ..StepFailure::new(Mismatch::NoDatagram(limit))
            }),
        }
    }

    /// Answers the oldest `count` datagrams from the target, each with one
    /// datagram to its sender. Returns the replies sent.
    pub async fn reply(
        &mut self,
        count: usize,
        reply: impl Fn(&[u8]) -> Vec<u8>,
    ) -> Result<Vec<Vec<u8>>, StepFailure> {
        let mut sent = Vec::new();
        for (data, from) in take_oldest(&mut self.unanswered, count, Queue::DatagramsToAnswer)? {
            let answer = reply(&data);
            self.socket
                .send_to(&answer, from)
                .await
                .map_err(|e| StepFailure::io(Doing::ReplyTo(from), e))?;
            timeline::record(timeline::harness(&self.label), timeline::sent(&answer));
            sent.push(answer);
        }
        Ok(sent)
    }

    /// Receives at least `count` datagrams (from anyone) within the deadline.
    pub async fn expect_any(&self, count: usize, deadline: Instant) -> usize {
        let mut got = 0;
        while got < count {
            match self.recv(deadline).await {
                Some(Ok(_)) => got += 1,
                Some(Err(_)) => continue,
                None => break,
            }
        }
        got
    }
}
