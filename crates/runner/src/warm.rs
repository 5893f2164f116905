//! A started program handed from one scenario to the next.
//!
//! Starting the program is most of what a scenario costs (a CPython start
//! is tens of milliseconds of CPU; the exchange itself, a few). A server
//! that passed a scenario and is back where it started (alive, one
//! process, idle in accept() or recvfrom(), every connection of the last
//! scenario closed on both sides, nothing queued, on the same port) can
//! serve the next scenario of its role as if it had just been started.
//! Only a pass is handed over, and a scenario that does not pass on a
//! handed-over program is played again on a fresh one, which decides: a
//! verdict never rests on what an earlier scenario left behind.

use std::net::SocketAddr;

use sockspec_model::{ReadyWhen, Role};
use sockspec_process::inspect::{self, NotIdle};
use sockspec_process::proc::Proto;
use sockspec_process::{Target, TargetSpec};
use tokio::time::Instant;

use crate::run::{Peer, Run};

/// A program kept running for the next scenario of its role.
pub(crate) struct Warm {
    /// The role it plays.
    pub(crate) role: Role,
    /// The program.
    pub(crate) target: Target,
    /// How it was started (its port among the rest).
    pub(crate) spec: TargetSpec,
    /// Where the harness reaches it.
    pub(crate) addr: SocketAddr,
    /// Where it was found, if it chose its own address or port.
    pub(crate) found: Option<sockspec_results::Found>,
}

impl Run<'_> {
    /// Ends a scenario that passed: closes the harness's sockets, and
    /// keeps the program for the next scenario if it becomes idle within
    /// a short wait; otherwise kills it, as [`Run::finish`] does.
    pub(crate) async fn hand_over(mut self) -> Option<Warm> {
        for (_, peer) in self.peers.drain() {
            if let Peer::Tcp(conn) = peer {
                conn.close().await;
            }
        }
        let proto = match self.role.ready_when() {
            ReadyWhen::Listening => Proto::Tcp,
            ReadyWhen::Bound => Proto::Udp,
            ReadyWhen::Running => {
                self.finish().await;
                return None;
            }
        };
        let mut target = self.target.take()?;
        let since = Instant::now();
        let deadline = since + self.timing.drain();
        let idle = loop {
            let now = if target.try_exit().is_some() || !target.limit_hits().is_empty() {
                Err(NotIdle::Gone)
            } else {
                inspect::idle_server(target.pid() as i32, self.spec.port, proto)
            };
            match now {
                Ok(()) => break true,
                Err(NotIdle::Gone | NotIdle::Children(_) | NotIdle::NotOnPort) => break false,
                Err(_) if Instant::now() >= deadline => break false,
                Err(_) => tokio::time::sleep(sockspec_process::poll_after(since)).await,
            }
        };
        if !idle {
            target.kill().await;
            return None;
        }
        Some(Warm {
            role: self.role,
            target,
            spec: self.spec.clone(),
            addr: self.addr,
            found: self.found.take(),
        })
    }
}
