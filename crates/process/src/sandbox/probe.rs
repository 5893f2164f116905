//! What this machine allows: which namespaces a target can be given.
//!
//! A PID or mount namespace needs privileges a teacher's laptop, a
//! container or a CI runner may not grant. Failing every run there would
//! make the sandbox a reason not to grade, so each namespace is tried once,
//! in a short-lived child that exits instead of exec'ing, and a spawn then
//! applies only what worked (see [`Plan::decide`](super::Plan::decide)).
//! The answer also says why a namespace failed, for the one warning the
//! caller gives.

use std::fmt;
use std::os::fd::AsRawFd;
use std::sync::OnceLock;

use nix::libc;

use super::Plan;
use super::mounts::FsPlan;
use super::postfork::{self, errno};
use super::prepare::Scratch;
use super::report::{Failure, Step, read_report, report_pipe};

/// What this machine supports, from [`support`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// A PID namespace can be created.
    pub pid_namespace: bool,
    /// A mount namespace can be created and made read-only.
    pub mount_namespace: bool,
    pub(super) pid_failure: Option<Failure>,
    pub(super) mount_failure: Option<Failure>,
    /// A cgroup can hold the number of processes.
    pub(super) process_cgroup: bool,
    /// A cgroup can hold memory.
    pub(super) memory_cgroup: bool,
}

impl Support {
    /// Nothing supported (what a spawn without a sandbox needs).
    pub(crate) const NONE: Support = Support {
        pid_namespace: false,
        mount_namespace: false,
        pid_failure: None,
        mount_failure: None,
        process_cgroup: false,
        memory_cgroup: false,
    };
}

impl fmt::Display for Support {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let say = |f: &mut fmt::Formatter<'_>, what: &str, failure: Option<Failure>| match failure {
            None => write!(f, "{what}: yes"),
            Some(fail) => write!(f, "{what}: no ({fail})"),
        };
        say(f, "pid namespace", self.pid_failure)?;
        f.write_str("; ")?;
        say(f, "private file system", self.mount_failure)?;
        let yes = |b: bool| if b { "yes" } else { "no" };
        write!(
            f,
            "; process limit for root (cgroup): {}; memory cgroup: {}",
            yes(self.process_cgroup),
            yes(self.memory_cgroup)
        )
    }
}

/// What this machine supports, probed once per process by trying each
/// namespace in a short-lived child (which then exits; nothing is changed
/// outside it).
pub fn support() -> Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    *SUPPORT.get_or_init(probe)
}

fn probe() -> Support {
    let pid_failure = run_probe(&Plan {
        pid_ns: true,
        ..Plan::empty()
    })
    .err();
    let mount_failure = match Scratch::new() {
        Err(e) => Some(Failure {
            step: Step::Prepare,
            errno: e.raw_os_error().unwrap_or(0),
        }),
        Ok(scratch) => match FsPlan::new(&scratch.path, &scratch.path, 1 << 20, &[]) {
            Err(_) => Some(Failure {
                step: Step::Prepare,
                errno: libc::EINVAL,
            }),
            Ok(fs) => run_probe(&Plan {
                fs: Some(fs),
                ..Plan::empty()
            })
            .err(),
        },
    };
    Support {
        pid_namespace: pid_failure.is_none(),
        mount_namespace: mount_failure.is_none(),
        pid_failure,
        mount_failure,
        process_cgroup: crate::cgroup::support().processes.is_ok(),
        memory_cgroup: crate::cgroup::support().memory.is_ok(),
    }
}

/// Runs `plan` in a forked child that exits instead of exec'ing.
fn run_probe(plan: &Plan) -> Result<(), Failure> {
    let fail = |step| Failure {
        step,
        errno: errno(),
    };
    let (read, write) = report_pipe().map_err(|_| fail(Step::Prepare))?;
    let pid = postfork::fork_and_enter(plan, write.as_raw_fd());
    if pid < 0 {
        return Err(fail(Step::Fork));
    }
    drop(write);
    let mut status = 0;
    // SAFETY: waits for the child forked above, by its pid.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 && errno() == libc::EINTR {}
    match read_report(read.as_raw_fd()) {
        Some(Ok(_)) => Ok(()),
        Some(Err(failure)) => Err(failure),
        None => Err(Failure {
            step: Step::Report,
            errno: 0,
        }),
    }
}
