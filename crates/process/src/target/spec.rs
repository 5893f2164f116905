//! What to start, and why starting (or feeding) it failed.
//!
//! The runner builds a [`TargetSpec`] long before anything runs, compares
//! and prints it, and a teacher reads a [`TargetError`] when a submission
//! does not even start; neither needs a process. Kept apart from the
//! spawning itself so the caller's side of the contract reads on its own.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::command::split_command;
use crate::sandbox::{Sandbox, SandboxError};

/// Bytes of each output stream kept by default (the tail).
pub const DEFAULT_OUTPUT_CAP: usize = 64 * 1024;

/// How to start a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// The command template, e.g. `python3 server.py {port}`; see [`split_command`].
    pub command: String,
    /// Substituted for `{host}`.
    pub host: String,
    /// Substituted for `{port}`.
    pub port: u16,
    /// Substituted for `{broadcast}`.
    pub broadcast: String,
    /// The working directory (default: the harness's).
    pub cwd: Option<PathBuf>,
    /// Extra environment variables, set after `PYTHONUNBUFFERED=1` (so they
    /// can override it).
    pub env: Vec<(String, String)>,
    /// Bytes kept per output stream: the last `output_cap` bytes.
    pub output_cap: usize,
    /// Pipe stdin (client roles) instead of `/dev/null`.
    pub stdin: bool,
    /// Confine the target (`None`: run it as it is). See [`Sandbox`].
    pub sandbox: Option<Sandbox>,
    /// How long the supervision itself waits (to kill, to drain output):
    /// the caller's deadlines, scaled like every other one.
    pub waits: Waits,
}

/// The waits of the supervision itself, which the caller owns and scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waits {
    /// For a killed group to die and be reaped.
    pub kill: Duration,
    /// For the output pipes to reach their end once the target has exited.
    pub drain: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            kill: Duration::from_secs(5),
            drain: Duration::from_millis(250),
        }
    }
}

impl Default for TargetSpec {
    fn default() -> Self {
        TargetSpec {
            command: String::new(),
            host: "127.0.0.1".into(),
            port: 0,
            broadcast: "127.255.255.255".into(),
            cwd: None,
            env: Vec::new(),
            output_cap: DEFAULT_OUTPUT_CAP,
            stdin: false,
            sandbox: None,
            waits: Waits::default(),
        }
    }
}

impl TargetSpec {
    /// The argv this spec starts: the template split and substituted.
    pub fn argv(&self) -> Result<Vec<String>, TargetError> {
        split_command(&self.command, &self.host, self.port, &self.broadcast)
    }
}

/// Why a target could not be started or fed.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The command template has no words.
    #[error("the target command is empty")]
    EmptyCommand,
    /// The command template has an unclosed quote or a trailing backslash.
    #[error("the target command has an unclosed quote or a trailing backslash: {template}")]
    Unbalanced {
        /// The template as given.
        template: String,
    },
    /// The command template uses a placeholder that does not exist.
    #[error(
        "unknown placeholder {{{name}}} in the target command{hint} (known: {{port}}, {{host}}, {{broadcast}}; {{{{{name}}}}} gives a literal {{{name}}})"
    )]
    UnknownPlaceholder {
        /// The name between the braces.
        name: String,
        /// `, did you mean {port}?` or empty.
        hint: String,
    },
    /// The working directory is not a usable directory.
    #[error("the target's working directory {path} is not usable: {source}")]
    Cwd {
        /// The directory.
        path: PathBuf,
        /// What was wrong with it.
        source: io::Error,
    },
    /// The program could not be executed.
    #[error("could not start `{program}`: {source}{}", if source.kind() == io::ErrorKind::NotFound && !program.contains('/') { " (not found on PATH)" } else { "" })]
    Spawn {
        /// The program (first word of the command).
        program: String,
        /// The error from exec.
        source: io::Error,
    },
    /// The target was started without a stdin pipe.
    #[error("the target's stdin is not a pipe (start it with `stdin: true`)")]
    StdinNotPiped,
    /// Stdin was already closed with `close_stdin`.
    #[error("the target's stdin was already closed")]
    StdinClosed,
    /// Writing to stdin failed (typically EPIPE: the target has exited).
    #[error("writing to the target's stdin failed: {0}")]
    Stdin(#[source] io::Error),
    /// The sandbox could not be set up.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}
