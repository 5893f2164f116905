//! A submission's build (`gcc -Wall -o server server.c`, `javac *.java`,
//! `make`), run once before any scenario. A build that fails is a verdict
//! of its own: its programs do not exist, so their scenarios are not run
//! and each is reported as not built, under one BUILD ERROR that shows the
//! compiler's words, instead of forty copies of "could not start ./server".

use std::time::Duration;

use sockspec_model::Role;

use crate::mismatch::Ended;

/// One build command and how it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildReport {
    /// The command, as the grader wrote it (run by `sh -c`).
    pub command: String,
    /// The folder it ran in.
    pub dir: String,
    /// The roles whose programs it builds (empty: the whole submission).
    pub roles: Vec<Role>,
    /// How it ended; `None` when it ran past its deadline and was stopped.
    pub ended: Option<Ended>,
    /// Its deadline.
    pub deadline: Duration,
    /// What it printed, stdout and stderr interleaved as written (the tail,
    /// when there was much).
    pub output: String,
    /// How long it took.
    pub duration: Duration,
    /// It could not be started at all (no `sh`, a folder that is gone):
    /// why, in the system's words.
    pub not_started: Option<String>,
}

impl BuildReport {
    /// Whether the build succeeded: it ran and exited 0.
    pub fn ok(&self) -> bool {
        self.not_started.is_none() && self.ended == Some(Ended::Code(0))
    }

    /// Whether it builds the program of `role`.
    pub fn builds(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }
}
