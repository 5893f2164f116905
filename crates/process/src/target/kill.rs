//! Leaving nothing behind: killing and reaping the whole group.
//!
//! The harness promises that nothing of a test's target outlives it, even a
//! process it forked or one stuck in a loop, and even when the runner does
//! not kill it (a [`Target`] dropped in a panic). That promise is kept here,
//! in one place, because it is easy to break: the group is signalled only
//! while its id cannot have been reused, orphans reparented to the harness
//! are reaped by their own pid without stealing tokio's reaping of the
//! leader, and every wait has a deadline.

use std::collections::HashSet;
use std::sync::OnceLock;

use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpid};
use tokio::time::{Instant, timeout_at};

use super::{ExitState, Target};
use crate::proc;

/// Makes the harness a child subreaper (`PR_SET_CHILD_SUBREAPER`), once, so
/// that the orphans of a target's group are reparented to the harness, which
/// reaps them in [`Target::kill`], instead of to init. Returns whether the
/// harness is a subreaper.
pub fn become_subreaper() -> bool {
    *SUBREAPER.get_or_init(|| nix::sys::prctl::set_child_subreaper(true).is_ok())
}

static SUBREAPER: OnceLock<bool> = OnceLock::new();

/// Whether [`become_subreaper`] made the harness a subreaper.
pub(crate) fn is_subreaper() -> bool {
    SUBREAPER.get().copied().unwrap_or(false)
}

impl Target {
    /// Kills the whole process group (SIGKILL), reaps the target, and reaps
    /// the group's processes that were reparented to the harness (see
    /// [`become_subreaper`]). Returns how the target ended (usually
    /// `killed by signal 9`, or its own exit if it had already ended).
    /// Calling it again returns the same state.
    pub async fn kill(&mut self) -> ExitState {
        if self.done
            && let Some(state) = self.exit
        {
            return state;
        }
        let pgid = self.pgid();
        let deadline = Instant::now() + self.waits.kill;
        signal_group(pgid, self.exit.is_some());
        let state = match self.exit {
            Some(state) => state,
            None => match timeout_at(deadline, self.child.wait()).await {
                Ok(Ok(status)) => ExitState::from_status(status),
                // Unkillable within the limit (stuck in the kernel): report
                // the kill that was sent; kill_on_drop still applies.
                _ => ExitState::Signal(Signal::SIGKILL as i32),
            },
        };
        self.exit = Some(state);
        reap_group(pgid, deadline).await;
        // What left the group (a setsid daemon without a PID namespace)
        // is still in the cgroup.
        if let Some(mut cg) = self.cgroup.take() {
            self.hits = cg.hit();
            cg.end(Some(pgid), deadline.max(Instant::now()).into_std());
        }
        self.settle_output((Instant::now() + self.waits.drain).min(deadline))
            .await;
        for reader in self.readers.drain(..) {
            reader.abort();
        }
        self.stdout.mark_eof();
        self.stderr.mark_eof();
        self.stdin = None;
        self.scratch = None;
        self.done = true;
        state
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        for reader in self.readers.drain(..) {
            reader.abort();
        }
        if self.done {
            return;
        }
        let pgid = self.pgid();
        signal_group(pgid, self.exit.is_some());
        // The target itself is reaped by tokio (kill_on_drop); the rest of
        // the group, reparented here, is reaped in the background.
        let deadline = Instant::now() + self.waits.kill;
        // Removed once nothing of the group can write there any more; the
        // cgroup is killed and removed as it is dropped, after that.
        let scratch = self.scratch.take();
        let cgroup = self.cgroup.take();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    reap_group(pgid, deadline).await;
                    drop(scratch);
                    if let Some(cg) = cgroup {
                        let _ = tokio::task::spawn_blocking(move || drop(cg)).await;
                    }
                });
            }
            Err(_) => {
                std::thread::spawn(move || {
                    let start = Instant::now();
                    while !reap_round(pgid) && Instant::now() < deadline {
                        std::thread::sleep(super::poll_after(start));
                    }
                    drop(scratch);
                    drop(cgroup);
                });
            }
        }
    }
}

/// SIGKILLs the group `pgid`. When the leader is known to have been reaped,
/// its pid could in principle be reused, so the group is signalled only
/// while processes with that group id still exist (which keeps the id reserved).
fn signal_group(pgid: i32, leader_reaped: bool) {
    if leader_reaped && proc::group_pids(pgid).is_empty() {
        return;
    }
    // ESRCH (nothing left) is the only likely error, and fine.
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
}

/// Reaps, until the deadline, the processes of group `pgid` that are the
/// harness's children (reparented orphans), re-signalling survivors.
async fn reap_group(pgid: i32, deadline: Instant) {
    let start = Instant::now();
    while !reap_round(pgid) && Instant::now() < deadline {
        tokio::time::sleep(super::poll_after(start)).await;
    }
}

/// One round of reaping the group `pgid`; true when nothing of it is left
/// that could still need the harness.
///
/// Only pids seen in `/proc` as members of the group *and* children of the
/// harness are waited for, each by its own pid (`waitpid(pid, WNOHANG)`,
/// never `waitpid(-1)`, which would steal tokio's reaping). The leader
/// (`pid == pgid`) is tokio's. A pid cannot be reused before it is reaped,
/// and only the harness can reap its own child, so the pid waited for is the
/// process that was seen.
fn reap_round(pgid: i32) -> bool {
    let me = getpid().as_raw();
    let members = proc::group_members(pgid);
    let in_group: HashSet<i32> = members.iter().map(|m| m.pid).collect();
    let mut pending = false;
    let mut alive = false;
    for m in &members {
        if m.pid == pgid {
            // Tokio reaps the leader; it counts until it has.
            pending = true;
            alive |= !m.is_zombie();
            continue;
        }
        if m.ppid == me {
            // Reaped now (or already gone) unless still alive.
            let status = waitpid(Pid::from_raw(m.pid), Some(WaitPidFlag::WNOHANG));
            if let Ok(WaitStatus::StillAlive) = status {
                pending = true;
                alive = true;
            }
        } else if !m.is_zombie() {
            pending = true;
            alive = true;
        } else if in_group.contains(&m.ppid) {
            // A zombie whose parent is dying: it will be reparented here.
            pending = true;
        }
        // Else: a zombie of some other parent (init, when the harness is not
        // a subreaper); not the harness's to reap.
    }
    if alive {
        // Anything forked during the kill is killed too.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
    !pending
}
