//! Supervision of the program under test (the *target*).
//!
//! Homework programs are unruly: they hard-code ports, crash with a traceback
//! before they bind, fork a child per client, print megabytes, or wait on a
//! single `accept()`. This crate exists so the runner never has to care: it
//! starts the target from a command template (split like a shell would, with
//! no shell, so a placeholder can never inject syntax), in its own process
//! group, captures a capped tail of its output, tells when it is ready by
//! reading `/proc` (never by connecting, which would use up a one-client
//! server's `accept()`), and kills and reaps the whole group so nothing is left
//! running. Every wait takes a deadline.
//!
//! Student code is untrusted, and a teacher grades hundreds of submissions
//! at once: a [`Sandbox`] in the [`TargetSpec`] adds resource limits, a
//! clean environment, a read-only file system but for the submission's
//! folder, and a PID namespace that takes every process the target forked
//! down with it, as far as this machine [supports](support()) them.
//!
//! The [`proc`] module holds the Linux `/proc` readers this is built on; the
//! runner uses them too (for instance [`proc::tcp_queues`] to wait until the
//! target has read what was sent).

#![warn(missing_docs)]

mod capture;
mod cgroup;
mod command;
pub mod inspect;
pub mod proc;
mod sandbox;
mod sockdiag;
mod target;

pub use command::{PLACEHOLDERS, split_command};
pub use sandbox::{Applied, Limits, Sandbox, SandboxError, Support, support};
pub use target::{
    DEFAULT_OUTPUT_CAP, ExitState, ExitWatch, Output, Readiness, ReadyError, Seen, Stream, Target,
    TargetError, TargetSpec, Waits, become_subreaper, poll_after,
};
