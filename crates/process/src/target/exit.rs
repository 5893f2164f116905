//! How a target ended, and a way to learn it the moment it does.
//!
//! Observing an end is apart from causing one ([`kill`](super::kill)): a
//! test waits for a client to exit by itself, a readiness wait gives up as
//! soon as the server died, and a wait on sockets elsewhere in the runner
//! races an [`ExitWatch`] so a crashed program is not waited for until a
//! deadline.

use std::fmt;
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::sys::signal::Signal;
use tokio::time::{Instant, timeout_at};

use super::Target;

/// How a target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitState {
    /// It exited with this code.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

impl ExitState {
    pub(super) fn from_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => ExitState::Code(code),
            (None, Some(sig)) => ExitState::Signal(sig),
            // Stopped/continued are not reported by wait; be explicit anyway.
            (None, None) => ExitState::Code(-1),
        }
    }

    /// Whether this is exit code 0.
    pub fn success(&self) -> bool {
        *self == ExitState::Code(0)
    }
}

impl fmt::Display for ExitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExitState::Code(code) => write!(f, "exited with code {code}"),
            ExitState::Signal(sig) => match Signal::try_from(sig) {
                Ok(s) => write!(f, "killed by signal {sig} ({})", s.as_str()),
                Err(_) => write!(f, "killed by signal {sig}"),
            },
        }
    }
}

/// See [`Target::exit_watch`].
#[derive(Debug)]
pub struct ExitWatch(Watch);

#[derive(Debug)]
enum Watch {
    Ended,
    Pidfd(tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>),
    Unavailable,
}

impl ExitWatch {
    /// A watch that never resolves (for a wait that is for the end itself).
    pub fn never() -> ExitWatch {
        ExitWatch(Watch::Unavailable)
    }

    /// Resolves when the process has ended.
    pub async fn ended(self) {
        match self.0 {
            Watch::Ended => {}
            // A pidfd is readable once its process has exited.
            Watch::Pidfd(fd) => {
                let _ = fd.readable().await;
            }
            Watch::Unavailable => std::future::pending().await,
        }
    }
}

impl Target {
    /// A future that resolves once the target's process has ended, held
    /// apart from the target (a pidfd), so that a wait on its sockets can
    /// race it: a program that died is not waited for until a deadline.
    /// It never resolves where pidfds are unavailable (Linux before 5.3).
    pub fn exit_watch(&self) -> ExitWatch {
        if self.exit.is_some() {
            return ExitWatch(Watch::Ended);
        }
        // SAFETY: pidfd_open takes a pid and flags; the result is a new fd
        // or -1.
        let fd = unsafe {
            nix::libc::syscall(nix::libc::SYS_pidfd_open, self.pid as nix::libc::c_int, 0)
        };
        if fd < 0 {
            return ExitWatch(Watch::Unavailable);
        }
        // SAFETY: the fd was just opened and is owned by nothing else.
        let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as std::os::fd::RawFd) };
        // SAFETY: an OwnedFd keeps its fd open and the same for as long as
        // the AsyncFd that owns it lives.
        match unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)
        } {
            Ok(fd) => ExitWatch(Watch::Pidfd(fd)),
            Err(_) => ExitWatch(Watch::Unavailable),
        }
    }

    /// How the target ended, or `None` while it runs. Never blocks.
    pub fn try_exit(&mut self) -> Option<ExitState> {
        if self.exit.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.exit = Some(ExitState::from_status(status));
        }
        self.exit
    }

    /// Waits for the target to exit; `None` at the deadline. Once it has
    /// exited, also gives its output a moment to arrive.
    pub async fn wait_exit(&mut self, deadline: Instant) -> Option<ExitState> {
        if self.exit.is_none() {
            let status = timeout_at(deadline, self.child.wait()).await.ok()?.ok()?;
            self.exit = Some(ExitState::from_status(status));
            self.settle_output((Instant::now() + self.waits.drain).min(deadline))
                .await;
        }
        self.exit
    }
}
