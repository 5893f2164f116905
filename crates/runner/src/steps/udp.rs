//! UDP steps: the harness's own datagram sockets and what it sends from them.

use std::net::{IpAddr, SocketAddr};

use sockspec_model::{ConnName, SendStep};
use sockspec_process::proc;
use tokio::time::Instant;

use crate::conn::StepFailure;

use crate::run::{Peer, Run};
use crate::udp::UdpPeer;
use sockspec_results::ScenarioBug;

impl Run<'_> {
    pub(crate) async fn open_udp(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        let any = SocketAddr::new(IpAddr::V4(self.config.host), 0);
        let mut peer = UdpPeer::bind(any).await?;
        peer.label = name.0.clone();
        self.peers.insert(name.clone(), Peer::Udp(peer));
        Ok(())
    }

    /// Sends each message as one datagram (no framing, no pieces), then waits
    /// until the target has read them all (its socket's receive queue is
    /// empty), so the next step's datagrams cannot be read in the same
    /// breath. With `queued`, the target is paused while they are sent, so
    /// they all wait in its queue together.
    pub(crate) async fn send_datagrams(&mut self, send: &SendStep) -> Result<(), StepFailure> {
        let messages: Vec<Vec<u8>> = send.messages.iter().map(|m| m.0.clone()).collect();
        let to = self.addr;
        let deadline = Instant::now() + self.timing.consumed();
        let pid = self.target.as_ref().map(|t| t.pid() as i32);
        if send.queued {
            self.target()?.pause();
        }
        let (sent, from) = match self.peers.get_mut(&send.to) {
            Some(Peer::Udp(peer)) => (peer.send(&messages, to).await, peer.local_addr()),
            _ => (
                Err(StepFailure::bug(ScenarioBug::NotUdp(send.to.0.clone()))),
                None,
            ),
        };
        if send.queued {
            self.target()?.resume();
        }
        sent?;
        if let (Some(pid), Some(from)) = (pid, from) {
            until_read(pid, to, from, deadline).await;
        }
        Ok(())
    }
}

/// Waits, until `deadline`, for program `pid` to have read every datagram
/// `from` sent to `to`, so the next datagram is read on its own.
pub(crate) async fn until_read(pid: i32, to: SocketAddr, from: SocketAddr, deadline: Instant) {
    let since = Instant::now();
    while proc::udp_unread(pid, to, from) > 0 && Instant::now() < deadline {
        tokio::time::sleep(sockspec_process::poll_after(since)).await;
    }
}
