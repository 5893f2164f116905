//! Steps on the program itself: start, restart, kill, type on its stdin,
//! and what it must be doing or have printed.

use std::time::Duration;

use sockspec_process::ExitState;
use tokio::time::Instant;

use crate::conn::StepFailure;
use crate::start::{ended, start};

use crate::run::Run;
use crate::timeline;
use sockspec_model::ExpectExitStep;
use sockspec_results::diagnosis::Happening;
use sockspec_results::{Doing, Expectation, Mismatch};

impl Run<'_> {
    pub(crate) async fn expect_alive(&mut self) -> Result<(), StepFailure> {
        match self.target()?.try_exit() {
            None => Ok(()),
            Some(state) => Err(StepFailure::new(Mismatch::NotRunning(ended(state)))),
        }
    }

    pub(crate) async fn expect_exit(&mut self, e: &ExpectExitStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let limit = timing.exit();
        let deadline = Instant::now() + limit;
        let target = self.target()?;
        match timeline::until(deadline, target.wait_exit(deadline))
            .await
            .flatten()
        {
            None => Err(StepFailure::new(Mismatch::StillRunning(limit))),
            Some(state) => match (e.code, &state) {
                (Some(want), got) if *got != ExitState::Code(want) => {
                    Err(StepFailure::new(Mismatch::WrongExit {
                        ended: ended(state),
                        want,
                    }))
                }
                _ => Ok(()),
            },
        }
    }

    pub(crate) async fn kill_target(&mut self) -> Result<(), StepFailure> {
        self.target()?.kill().await;
        timeline::record(timeline::harness(""), Happening::Killed);
        Ok(())
    }

    pub(crate) async fn start_again(&mut self, restart: bool) -> Result<(), StepFailure> {
        if let Some(t) = self.target.as_mut() {
            t.kill().await;
        }
        match start(&self.spec, self.role, self.config).await {
            Ok(t) => {
                if !restart {
                    self.adopt_ready_addr(&t);
                }
                self.target = Some(t);
                Ok(())
            }
            Err(f) => {
                if f.target.is_some() {
                    // Report the instance that failed to come up.
                    self.target = f.target;
                }
                let mismatch = if restart {
                    Mismatch::AfterRestart(Box::new(f.mismatch))
                } else {
                    f.mismatch
                };
                Err(StepFailure {
                    expected: restart.then(|| Expectation::ListeningAgain(self.addr.port())),
                    ..StepFailure::new(mismatch)
                })
            }
        }
    }

    pub(crate) async fn type_line(&mut self, line: &str) -> Result<(), StepFailure> {
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\n');
        self.type_in(&bytes).await
    }

    pub(crate) async fn type_quit(&mut self) -> Result<(), StepFailure> {
        let mut bytes = self.program.contract.quit.clone().into_bytes();
        bytes.push(b'\n');
        self.type_in(&bytes).await
    }

    pub(crate) async fn close_stdin(&mut self) -> Result<(), StepFailure> {
        self.target()?.close_stdin().await;
        timeline::record(timeline::harness(""), Happening::StdinClosed);
        Ok(())
    }

    pub(crate) async fn expect_no_traceback(&mut self) -> Result<(), StepFailure> {
        let stderr = self.target()?.output().stderr;
        match stderr.find("Traceback (most recent call last)") {
            None => Ok(()),
            Some(at) => Err(StepFailure {
                received: Some(sockspec_model::Bytes(stderr.as_bytes()[at..].to_vec())),
                ..StepFailure::new(Mismatch::Traceback)
            }),
        }
    }

    pub(crate) async fn type_in(&mut self, bytes: &[u8]) -> Result<(), StepFailure> {
        self.target()?
            .write_stdin(bytes)
            .await
            .map_err(|e| StepFailure::io(Doing::Stdin, e))
    }

    /// Waits until stdout holds the text, or each of the last N replies as
    /// many times as it was sent (a reply printed in fragments does not count).
    pub(crate) async fn expect_printed(
        &mut self,
        p: &sockspec_model::ExpectPrintedStep,
    ) -> Result<(), StepFailure> {
        let limit = self.timing.reply();
        let deadline = Instant::now() + limit;
        let mut wanted: Vec<(String, usize)> = Vec::new();
        if let Some(t) = &p.text {
            wanted.push((t.clone(), 1));
        }
        let recent = &self.replies_sent[self.replies_sent.len().saturating_sub(p.replies)..];
        for reply in recent {
            let text = String::from_utf8_lossy(reply).into_owned();
            match wanted.iter_mut().find(|(t, _)| *t == text) {
                Some((_, n)) => *n += 1,
                None => wanted.push((text, 1)),
            }
        }
        // Once the target has exited nothing more will be printed: after a
        // moment for its last output to come through the pipe, say so
        // rather than wait out the deadline.
        let drain = self.timing.pause(Duration::from_millis(100));
        let from = self.printed_from;
        let target = self.target()?;
        let mut exited: Option<(Instant, sockspec_process::ExitState)> = None;
        loop {
            let mut stdout = target.output().stdout;
            if from > 0 {
                let at = (from..=stdout.len())
                    .find(|&i| stdout.is_char_boundary(i))
                    .unwrap_or(stdout.len());
                stdout = stdout.split_off(at);
            }
            let missing: Vec<(String, usize)> = wanted
                .iter()
                .filter(|(t, n)| stdout.matches(t.as_str()).count() < *n)
                .cloned()
                .collect();
            if missing.is_empty() {
                return Ok(());
            }
            if exited.is_none() {
                exited = target.try_exit().map(|state| (Instant::now(), state));
            }
            if let Some((at, state)) = exited
                && at.elapsed() >= drain
            {
                return Err(StepFailure {
                    expected: Some(Expectation::Printed(missing.clone())),
                    received: Some(sockspec_model::Bytes(stdout.into_bytes())),
                    ..StepFailure::new(Mismatch::EndedWithoutPrinting {
                        ended: ended(state),
                        missing,
                    })
                });
            }
            if Instant::now() >= deadline || timeline::is_cut() {
                return Err(StepFailure {
                    expected: Some(Expectation::Printed(missing.clone())),
                    received: Some(sockspec_model::Bytes(stdout.into_bytes())),
                    ..StepFailure::new(Mismatch::NotPrinted {
                        missing,
                        within: limit,
                    })
                });
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
