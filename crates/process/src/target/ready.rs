//! Readiness: when a target can be tested, seen from the kernel's socket
//! tables.
//!
//! This is the subtle part of supervision, and apart for it. A homework
//! server may `accept()` once, so readiness is never tested by connecting;
//! it may be a `sh -c` wrapper or fork, so the whole process group is
//! looked at; it may hard-code its port or open the wrong kind of socket,
//! so a timeout says what was seen instead of only that time ran out; and
//! it may crash first, so its death ends the wait at once.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use super::{ExitState, Target};
use crate::proc::{self, ListenState, Proto};
pub use sockspec_results::Seen;

/// How often readiness rescans `/proc` for the group's other processes
/// (`sh -c` wrappers, forks); the target's own sockets are checked every poll.
const GROUP_RESCAN: Duration = Duration::from_millis(10);

/// What "ready" means for a target. Port 0 means any port: a program that
/// chose its own (hard-coded) is ready wherever it listens or binds, and
/// [`Target::ready_addr`] then says where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// A socket of the target's process group is in LISTEN on this TCP port.
    TcpListen {
        /// The port (0: any).
        port: u16,
    },
    /// A socket of the target's process group is bound to this UDP port.
    UdpBound {
        /// The port (0: any).
        port: u16,
    },
}

/// Why a target did not become ready.
#[derive(Debug, thiserror::Error)]
pub enum ReadyError {
    /// The target exited first.
    #[error("the target {state} before it was ready")]
    Exited {
        /// How it ended.
        state: ExitState,
    },
    /// The deadline passed.
    #[error("the target was not ready after {:.1} s: {seen:?}", waited.as_secs_f64())]
    Timeout {
        /// How long readiness was waited for.
        waited: Duration,
        /// What the target was seen doing instead (listening on another
        /// port, a socket of the other protocol...).
        seen: Seen,
    },
    /// Waiting on the child failed.
    #[error("waiting for the target failed: {0}")]
    Io(#[from] io::Error),
}

impl Target {
    /// Waits until the target is ready: a socket held by a process of its
    /// group listens on (or has bound) the port, seen in the kernel's socket
    /// tables every few milliseconds ([`poll_after`](super::poll_after)), never by
    /// connecting. Returns early with
    /// [`ReadyError::Exited`] as soon as the started process exits (even if
    /// it left children behind), after giving its last output up to 250 ms to
    /// arrive; at the deadline, [`ReadyError::Timeout`] says what was seen
    /// instead. On success, [`ready_addr`](Target::ready_addr) tells where.
    pub async fn wait_ready(
        &mut self,
        what: Readiness,
        deadline: Instant,
    ) -> Result<(), ReadyError> {
        let start = Instant::now();
        let me = self.pid as i32;
        let mut group: Vec<i32> = Vec::new();
        let mut rescan_at = start;
        loop {
            let now = Instant::now();
            if now >= rescan_at {
                group = proc::group_pids(self.pgid());
                group.retain(|p| *p != me);
                rescan_at = now + GROUP_RESCAN;
            }
            if self.exit.is_none()
                && let Some(addr) = self.ready_at(what, &group)
            {
                self.ready_addr = Some(addr);
                return Ok(());
            }
            if let Some(state) = self.try_exit() {
                self.settle_output(Instant::now() + self.waits.drain).await;
                return Err(ReadyError::Exited { state });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ReadyError::Timeout {
                    waited: now - start,
                    seen: self.describe(what),
                });
            }
            tokio::select! {
                status = self.child.wait() => {
                    let state = ExitState::from_status(status?);
                    self.exit = Some(state);
                    // It may have become ready just before exiting; it is not
                    // ready now, and saying how it ended is what helps.
                    self.settle_output(Instant::now() + self.waits.drain).await;
                    return Err(ReadyError::Exited { state });
                }
                _ = sleep_until((now + super::poll_after(start)).min(deadline)) => {}
            }
        }
    }

    /// One readiness check: the target's own sockets first (one fd scan),
    /// then those of the rest of its group. The address when ready.
    fn ready_at(&self, what: Readiness, others: &[i32]) -> Option<SocketAddr> {
        let me = self.pid as i32;
        let check = |inodes: &HashSet<u64>| match what {
            Readiness::TcpListen { port } => match proc::tcp_listening(me, port, inodes) {
                ListenState::Listening(addr) => Some(addr),
                ListenState::Elsewhere(addrs) if port == 0 => addrs.first().copied(),
                _ => None,
            },
            Readiness::UdpBound { port: 0 } => {
                proc::bound_addrs(me, Proto::Udp, inodes).first().copied()
            }
            Readiness::UdpBound { port } => proc::udp_bound_addr(me, port, inodes),
        };
        let mine = proc::socket_inodes(&[me]);
        if !mine.is_empty()
            && let Some(addr) = check(&mine)
        {
            return Some(addr);
        }
        if others.is_empty() {
            return None;
        }
        let theirs = proc::socket_inodes(others);
        if theirs.is_empty() {
            return None;
        }
        check(&theirs)
    }

    /// The local address of the socket that made the last successful
    /// [`wait_ready`](Target::wait_ready) succeed, e.g. `0.0.0.0:40001` or
    /// `127.0.0.1:40001`, so a caller can tell a target bound to an address
    /// it cannot reach.
    pub fn ready_addr(&self) -> Option<SocketAddr> {
        self.ready_addr
    }

    /// What the target's group is doing instead of being ready, for a
    /// timeout message.
    fn describe(&self, what: Readiness) -> Seen {
        let pids = proc::group_pids(self.pgid());
        let net_pid = pids
            .iter()
            .copied()
            .find(|p| proc::stat(*p).is_some_and(|s| !s.is_zombie()))
            .unwrap_or(self.pgid());
        let inodes = proc::socket_inodes(&pids);
        match what {
            Readiness::TcpListen { port } => match proc::tcp_listening(net_pid, port, &inodes) {
                ListenState::Listening(a) => Seen::ListeningLate(a),
                ListenState::Elsewhere(addrs) => Seen::ListensElsewhere { addrs, port },
                ListenState::Nothing => {
                    if proc::udp_bound(net_pid, port, &inodes) {
                        Seen::UdpInsteadOfTcp(port)
                    } else if proc::tcp_listeners(net_pid)
                        .iter()
                        .any(|e| e.local.port() == port)
                    {
                        Seen::OtherProcess(port)
                    } else {
                        Seen::NoSocket(port)
                    }
                }
            },
            Readiness::UdpBound { port } => {
                let udp = proc::bound_addrs(net_pid, Proto::Udp, &inodes);
                if !udp.is_empty() {
                    Seen::UdpElsewhere { addrs: udp, port }
                } else if matches!(
                    proc::tcp_listening(net_pid, port, &inodes),
                    ListenState::Listening(_)
                ) {
                    Seen::TcpInsteadOfUdp(port)
                } else {
                    Seen::NoUdpSocket(port)
                }
            }
        }
    }
}
