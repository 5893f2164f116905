//! The target's standard streams: what it printed, and its stdin.
//!
//! Output is what a failed test shows a student (the traceback, the last
//! line before a hang), so it must be kept whatever the target does: a
//! capped tail of each stream ([`Capture`](crate::capture::Capture)),
//! drained for a moment after the target ends so the last lines are not
//! lost, and waited on by event, not by polling. Stdin is the one way in for
//! a client role.

use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use super::{Target, TargetError};

/// Which output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A snapshot of the captured output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The tail of stdout (lossy UTF-8).
    pub stdout: String,
    /// The tail of stderr (lossy UTF-8).
    pub stderr: String,
    /// Bytes of stdout dropped from the front to respect the cap.
    pub stdout_dropped: usize,
    /// Bytes of stderr dropped from the front to respect the cap.
    pub stderr_dropped: usize,
}

impl Target {
    /// Waits until both output streams have ended (every writer closed its
    /// end), at most until `deadline`.
    pub(super) async fn settle_output(&self, deadline: Instant) {
        self.stdout.wait_eof(deadline).await;
        self.stderr.wait_eof(deadline).await;
    }

    /// A snapshot of the captured output so far.
    pub fn output(&self) -> Output {
        let out = self.stdout.lock();
        let err = self.stderr.lock();
        Output {
            stdout: out.text(),
            stderr: err.text(),
            stdout_dropped: out.dropped(),
            stderr_dropped: err.dropped(),
        }
    }

    /// Writes `bytes` to the target's stdin and flushes.
    pub async fn write_stdin(&mut self, bytes: &[u8]) -> Result<(), TargetError> {
        let stdin = match &mut self.stdin {
            Some(s) => s,
            None if self.stdin_piped => return Err(TargetError::StdinClosed),
            None => return Err(TargetError::StdinNotPiped),
        };
        stdin.write_all(bytes).await.map_err(TargetError::Stdin)?;
        stdin.flush().await.map_err(TargetError::Stdin)
    }

    /// Closes the target's stdin (it reads EOF). Does nothing if it is not
    /// a pipe or already closed.
    pub async fn close_stdin(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.shutdown().await;
        }
    }

    /// Waits until the captured tail of `stream` contains `needle`: woken by
    /// every chunk the target writes, not polled. False at the deadline, or
    /// as soon as the stream ends without it.
    pub async fn wait_output_contains(
        &self,
        stream: Stream,
        needle: &[u8],
        deadline: Instant,
    ) -> bool {
        let capture = match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        };
        capture.wait_contains(needle, deadline).await
    }
}
