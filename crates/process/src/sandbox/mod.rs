//! An optional sandbox for targets that cannot be trusted.
//!
//! A teacher grades hundreds of submissions at once, so one program that
//! spins, allocates without bound, writes all over the disk or leaves a
//! daemon behind must not take the machine, the other submissions or the
//! next run with it. The sandbox is applied between `fork` and `exec` of the
//! target (a `pre_exec` hook), so it costs no helper binary and works for any
//! command line:
//!
//! - resource limits (`setrlimit`), so a runaway program is stopped by the
//!   kernel rather than by the harness noticing;
//! - a clean environment, so what a program sees does not depend on the
//!   teacher's shell, and Python writes no `__pycache__` into submissions;
//! - a mount namespace in which everything is read-only except the
//!   submission's folder and a private `/tmp`, so a stray write fails with
//!   `EROFS` instead of landing in another submission or the teacher's home;
//! - a PID namespace, so killing the target ends everything it ever forked,
//!   even a daemon that called `setsid()` and left the process group that
//!   the harness kills;
//! - a cgroup ([`crate::cgroup`]), whose process and memory limits hold
//!   for root too, which `RLIMIT_NPROC` does not; where its memory limit
//!   holds it replaces the cap on address space (why is said there).
//!
//! Namespaces need privileges this machine may not grant. [`support`] probes
//! once what works; a spawn applies what it can and says what it applied
//! ([`Applied`]), so the caller can warn once instead of failing every run.
//!
//! In a PID namespace the target is not pid 1: pid 1 of a namespace ignores
//! every signal it has no handler for (a program's own `SIGTERM`, `SIGXCPU`
//! at the CPU limit, the `SIGABRT` of `abort()`), so the harness would report
//! other deaths than without the sandbox. Instead a tiny init (a fork of the
//! harness that never execs) is pid 1, reaps orphans, and passes on how the
//! target ended; the process the harness started waits for it and ends the
//! same way (same exit code, or killed by the same signal). All three stay in
//! the target's process group, so group kill, pause and resume, and readiness
//! by process group work as before. When the target ends, init exits and the
//! kernel kills whatever is left in the namespace.
//!
//! A target running as root could undo a namespace (remount `/` read-write,
//! `setns` back) or raise its limits, so a sandboxed target also loses the
//! capabilities that allow it (everything but file-permission overrides,
//! `kill`, `setuid`/`setgid` and binding low ports) and gets `no_new_privs`.
//! The sandbox is a guard against careless and runaway programs, not a
//! security boundary against someone attacking the grader: the target still
//! shares the harness's network namespace and user.
//!
//! The files are rooms by idea, each holding what is decided for it in the
//! harness before the fork, where allocating, reading the file system and
//! failing with a clear message are all fine: [`probe`] (what this machine
//! allows), [`rlimits`], [`mounts`] (the private file system),
//! [`capabilities`] (which ones a target keeps), [`prepare`](mod@prepare)
//! (the environment, and the spawn's side of it all) and [`report`] (how the
//! new process says what it applied). Everything that runs between `fork` and
//! `exec` (entering the namespaces, the pid-1 init, setting the limits,
//! dropping capabilities) is in [`postfork`] alone, so the PID namespace,
//! which is nothing but that, has no room of its own. That code lives under
//! rules the rest of the crate does not: a forked copy of a multi-threaded
//! process may only make async-signal-safe calls, so one allocation or lock
//! there can hang the spawn. In one file it can be reviewed against those
//! rules in one sitting, and nothing else creeps in.

use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use nix::libc;
use sockspec_results::{CgroupLimit, NoCgroup, Shortfall};

mod capabilities;
mod mounts;
mod postfork;
mod prepare;
mod probe;
mod report;
mod rlimits;

pub(crate) use prepare::{Scratch, prepare};
pub use probe::{Support, support};
pub use rlimits::Limits;

use mounts::FsPlan;

/// What to confine a target to, applied between `fork` and `exec`. What
/// this machine cannot do is skipped, and said by
/// [`Target::sandboxed`](crate::Target::sandboxed). A sandboxed target also
/// loses the capabilities that would undo the namespaces or raise its
/// limits, and gets `no_new_privs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// Resource limits.
    pub limits: Limits,
    /// Start from an empty environment: only `PATH` (the harness's), `HOME`
    /// (the writable folder, or a private temporary folder), `LANG=C.UTF-8`,
    /// `TMPDIR` (private), the line-buffering variables (`PYTHONUNBUFFERED=1`,
    /// libstdbuf for C), `PYTHONDONTWRITEBYTECODE=1`,
    /// then [`TargetSpec::env`](crate::TargetSpec::env).
    pub clean_env: bool,
    /// If set, the target runs in its own mount namespace where everything
    /// is read-only except this folder (its submission) and a private, empty
    /// `/tmp` (and `/dev/shm`), gone with the target. Writes elsewhere fail
    /// with `EROFS`; `/dev/null` and the like keep working. Files under the
    /// host's `/tmp` outside this folder are hidden from the target.
    pub writable: Option<PathBuf>,
    /// Run the target in a new PID namespace, so that when it ends or is
    /// killed, everything it forked dies too.
    pub pid_namespace: bool,
    /// Run the target in a cgroup of its own, whose `pids.max` and memory
    /// limit are [`limits`](Sandbox::limits)' `processes` and
    /// `memory_bytes` (for root too), and which is killed and removed
    /// when the target ends.
    pub cgroup: bool,
    /// Cap the target's address space at `limits.memory_bytes`
    /// (`RLIMIT_AS`) where no cgroup limits its memory. Off for a JVM,
    /// which reserves gigabytes it never uses and cannot start under it.
    pub cap_address_space: bool,
}

impl Default for Sandbox {
    /// Everything on, no writable folder (so no private file system).
    fn default() -> Self {
        Sandbox {
            limits: Limits::default(),
            clean_env: true,
            writable: None,
            pid_namespace: true,
            cgroup: true,
            cap_address_space: true,
        }
    }
}

impl Sandbox {
    /// What a spawn with this sandbox would apply on this machine.
    pub fn expected(&self) -> Applied {
        Plan::decide(self, support())
    }
}

/// What the sandbox applied to one target (all false without a sandbox).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The resource limits are in force.
    pub limits: bool,
    /// The environment was cleaned.
    pub clean_env: bool,
    /// Only the writable folder and a private `/tmp` can be written.
    pub private_fs: bool,
    /// The target and everything it forks live in a PID namespace.
    pub pid_namespace: bool,
    /// The target cannot gain privileges, nor keep those that would undo
    /// the namespaces or raise its limits.
    pub privileges_dropped: bool,
    /// A cgroup holds the number of its processes (`pids.max`), for root
    /// too.
    pub process_limit: bool,
    /// A cgroup holds its memory.
    pub memory_limit: bool,
}

impl Applied {
    /// What `asked` wanted and this does not give, as facts the reporters
    /// word (in the grader's language): no private file system, no PID
    /// namespace, no cgroup to hold the process or memory limit and why.
    pub fn shortfalls(&self, asked: &Sandbox) -> Vec<Shortfall> {
        let mut missing = Vec::new();
        if asked.writable.is_some() && !self.private_fs {
            missing.push(Shortfall::PrivateFs);
        }
        if asked.pid_namespace && !self.pid_namespace {
            missing.push(Shortfall::PidNamespace);
        }
        if !self.limits {
            missing.push(Shortfall::Rlimits);
        }
        let no_cgroup = |limit, result: &Result<(), NoCgroup>| Shortfall::Cgroup {
            limit,
            why: result.clone().err().unwrap_or(NoCgroup::NoController),
        };
        let cgroups = crate::cgroup::support();
        if asked.cgroup && !self.process_limit {
            missing.push(no_cgroup(CgroupLimit::Processes, &cgroups.processes));
        }
        if asked.cgroup && asked.limits.memory_bytes != u64::MAX && !self.memory_limit {
            missing.push(no_cgroup(CgroupLimit::Memory, &cgroups.memory));
        }
        if asked.clean_env && !self.clean_env {
            missing.push(Shortfall::CleanEnv);
        }
        missing
    }
}

/// Why a sandboxed target could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The writable folder is not usable.
    #[error("the sandbox's writable folder {path} is not usable: {source}")]
    Writable {
        /// The folder as given.
        path: PathBuf,
        /// What was wrong with it.
        source: io::Error,
    },
    /// The working directory would be hidden by the private `/tmp`.
    #[error(
        "the target's working directory {cwd} is under {tmp}, which the sandbox replaces with a \
         private one; put it inside the writable folder {writable}"
    )]
    HiddenCwd {
        /// The working directory.
        cwd: PathBuf,
        /// The private mount that hides it.
        tmp: PathBuf,
        /// The writable folder.
        writable: PathBuf,
    },
    /// A private temporary folder or a pipe could not be made.
    #[error("the sandbox could not prepare {what}: {source}")]
    Prepare {
        /// What it was making.
        what: &'static str,
        /// Why it failed.
        source: io::Error,
    },
    /// A step in the new process failed although [`support`] found it works.
    #[error("the sandbox could not {step}: {source}")]
    Setup {
        /// The step, e.g. `make every mount read-only`.
        step: &'static str,
        /// The error of its system call.
        source: io::Error,
    },
}

/// Everything the new process needs, built before the fork.
struct Plan {
    fs: Option<FsPlan>,
    pid_ns: bool,
    limits: Option<[libc::rlimit; 6]>,
    drop_privileges: bool,
    report: Option<OwnedFd>,
    /// The `cgroup.procs` files of the target's cgroup, joined first.
    cgroup: Vec<OwnedFd>,
}

impl Plan {
    fn empty() -> Plan {
        Plan {
            fs: None,
            pid_ns: false,
            limits: None,
            drop_privileges: false,
            report: None,
            cgroup: Vec::new(),
        }
    }

    /// What a spawn of `sandbox` applies given `support` (before it runs).
    fn decide(sandbox: &Sandbox, support: Support) -> Applied {
        Applied {
            limits: true,
            clean_env: sandbox.clean_env,
            private_fs: sandbox.writable.is_some() && support.mount_namespace,
            pid_namespace: sandbox.pid_namespace && support.pid_namespace,
            privileges_dropped: true,
            process_limit: sandbox.cgroup && support.process_cgroup,
            memory_limit: sandbox.cgroup
                && support.memory_cgroup
                && sandbox.limits.memory_bytes != u64::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfalls_name_what_is_missing() {
        let asked = Sandbox {
            writable: Some("/srv/hw".into()),
            ..Sandbox::default()
        };
        let all = Plan::decide(
            &asked,
            Support {
                pid_namespace: true,
                mount_namespace: true,
                pid_failure: None,
                mount_failure: None,
                process_cgroup: true,
                memory_cgroup: true,
            },
        );
        assert!(all.shortfalls(&asked).is_empty());
        let none = Plan::decide(
            &asked,
            Support {
                pid_namespace: false,
                mount_namespace: false,
                pid_failure: None,
                mount_failure: None,
                process_cgroup: true,
                memory_cgroup: true,
            },
        );
        let said = none.shortfalls(&asked);
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said, [Shortfall::PrivateFs, Shortfall::PidNamespace]);
    }
}
