//! The supervised target process: one homework program, as the runner sees
//! it.
//!
//! A [`Target`] is one value because the runner asks everything of the same
//! process group: start it, wait until it is ready, feed it and read what it
//! printed, learn how it ended, and leave nothing of it behind. Each of
//! those questions has a file of its own, since each is answered from a
//! different source and goes wrong in its own way: [`spec`] (what to start,
//! and why it could not be), [`spawn`](mod@spawn) (starting it in its own
//! group, inside the sandbox), [`ready`] (readiness from the kernel's socket
//! tables, never by connecting), [`stdio`] (the captured output and the
//! stdin pipe), [`exit`] (how it ended, and a watch to race against its
//! end) and [`kill`](mod@kill) (killing and reaping the whole group, also
//! on drop). This file holds the struct they share and the few accessors
//! that belong to none of them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::{Child, ChildStdin};
use tokio::task::JoinHandle;

use crate::capture::Capture;
use crate::cgroup::Cgroup;
use crate::sandbox::{Applied, Scratch};

mod exit;
mod kill;
mod ready;
mod spawn;
pub(crate) use spawn::unbuffered;
mod spec;
mod stdio;

pub use exit::{ExitState, ExitWatch};
pub use kill::become_subreaper;
pub(crate) use kill::is_subreaper;
pub use ready::{Readiness, ReadyError, Seen};
pub use spec::{DEFAULT_OUTPUT_CAP, TargetError, TargetSpec, Waits};
pub use stdio::{Output, Stream};

/// The shortest pause between two looks at `/proc` (a look costs ~0.1 ms).
const POLL: Duration = Duration::from_millis(1);
/// The longest.
const MAX_POLL: Duration = Duration::from_millis(8);

/// The pause before the next look of a wait that began at `since`: a fifth
/// of the time waited so far, from 1 ms to 8 ms.
///
/// A look costs the same however long the wait has been, and a wait is
/// long mostly because the machine is busy (a CPython start takes 40 ms on
/// an idle machine and 200 ms on a loaded one). Looking every millisecond
/// made a loaded machine spend more on looking the more loaded it was; so
/// the looks thin out as the wait goes on, and what they add to it is at
/// most a fifth of it (and 8 ms).
pub fn poll_after(since: tokio::time::Instant) -> Duration {
    (since.elapsed() / 5).clamp(POLL, MAX_POLL)
}

/// A running (or finished) target: its own process group, with captured output.
///
/// Dropping a `Target` that was not [`kill`](Target::kill)ed kills its whole
/// process group (SIGKILL) and reaps what it can in the background.
#[derive(Debug)]
pub struct Target {
    child: Child,
    pid: u32,
    argv: Vec<String>,
    stdin: Option<ChildStdin>,
    stdin_piped: bool,
    stdout: Arc<Capture>,
    stderr: Arc<Capture>,
    readers: Vec<JoinHandle<()>>,
    exit: Option<ExitState>,
    ready_addr: Option<SocketAddr>,
    /// What the sandbox applied.
    applied: Applied,
    /// The target's private host folder, removed once its group is gone.
    scratch: Option<Scratch>,
    /// The target's cgroup, killed and removed at its end.
    cgroup: Option<Cgroup>,
    /// The limits it ran into, read from its cgroup before that was removed.
    hits: Vec<sockspec_results::LimitHit>,
    /// The group was killed and reaped: nothing left to do on drop.
    done: bool,
    /// How long to wait to kill and to drain output.
    waits: Waits,
}

impl Target {
    /// The pid of the process the harness started, which is also the
    /// process group id. In a PID namespace this is the small process in
    /// front of the namespace, which ends as the program ends.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// What the sandbox applied (all false without one).
    pub fn sandboxed(&self) -> Applied {
        self.applied
    }

    /// The limits of its cgroup the target ran into so far (a fork
    /// refused at the process limit, a process killed for its memory),
    /// from the kernel's counts; after [`kill`](Target::kill), those it
    /// had run into by then.
    pub fn limit_hits(&self) -> Vec<sockspec_results::LimitHit> {
        match &self.cgroup {
            Some(cg) => cg.hit(),
            None => self.hits.clone(),
        }
    }

    /// The pids in the target's cgroup now (empty without one), for a
    /// test to see that nothing escaped it.
    pub fn cgroup_pids(&self) -> Vec<i32> {
        self.cgroup.as_ref().map(Cgroup::pids).unwrap_or_default()
    }

    /// The words the target was started with, split and substituted.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// Stops the whole group (SIGSTOP): it runs no code until [`resume`],
    /// so whatever arrives meanwhile waits in its socket queues at once.
    /// That is how "datagrams queued while the server was busy" is made
    /// certain rather than likely.
    ///
    /// [`resume`]: Target::resume
    pub fn pause(&self) {
        if self.exit.is_none() {
            let _ = killpg(Pid::from_raw(self.pgid()), Signal::SIGSTOP);
        }
    }

    /// Lets a paused group run again (SIGCONT).
    pub fn resume(&self) {
        if self.exit.is_none() {
            let _ = killpg(Pid::from_raw(self.pgid()), Signal::SIGCONT);
        }
    }

    /// The command line for display, quoted so it can be pasted into a shell.
    pub fn command_line(&self) -> String {
        shlex::try_join(self.argv.iter().map(String::as_str))
            .unwrap_or_else(|_| self.argv.join(" "))
    }

    fn pgid(&self) -> i32 {
        self.pid as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[test]
    fn looks_thin_out_as_a_wait_goes_on() {
        let waited = |ms| poll_after(Instant::now() - Duration::from_millis(ms));
        assert_eq!(waited(0), POLL, "at first, every millisecond");
        assert_eq!(waited(4), POLL);
        let at_20 = waited(20);
        assert!(at_20 >= Duration::from_millis(4) && at_20 < Duration::from_millis(5));
        assert_eq!(waited(200), MAX_POLL, "never more than 8 ms");
        assert_eq!(waited(60_000), MAX_POLL);
    }
}
