//! A step that waits on the program races the program's end and its
//! stalling: a program that died, or that only waits for the harness,
//! will not act, and is not waited for until the deadline.

use std::time::Duration;

use sockspec_model::Step;
use sockspec_process::{ExitWatch, Target};
use tokio::time::Instant;

use crate::conn::StepFailure;
use crate::run::Run;
use crate::start::ended;

use crate::timeline;
use sockspec_results::Mismatch;
use sockspec_results::diagnosis::Happening;

/// Resolves once the program of group `pgid` is stalled (see
/// [`sockspec_process::inspect::stalled`]) at two looks `interval` apart,
/// the first after `first_look`; never, while it does anything else. A
/// passing step is over long before the first look.
async fn stall(pgid: i32, first_look: Duration, interval: Duration) {
    tokio::time::sleep(first_look).await;
    let mut streak = 0;
    loop {
        let pids = sockspec_process::inspect::program_pids(pgid);
        if sockspec_process::inspect::stalled(&pids) {
            streak += 1;
            if streak >= 2 {
                return;
            }
        } else {
            streak = 0;
        }
        tokio::time::sleep(interval).await;
    }
}

impl Run<'_> {
    /// Carries out one step. A step that waits for the program notes when
    /// the wait started (a failure after a long one is worth a diagnosis),
    /// and a failure after a long wait says so in the timeline.
    pub(crate) async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        self.stuck = false;
        let waits = step.waits_on_program();
        if waits {
            self.last_wait = Some(Instant::now());
        }
        let started = Instant::now();
        // A step that waits for the program to do something races the
        // program's end and its stalling: a program that died, or that
        // waits only for the harness (every thread in recv()/accept()/
        // input() with nothing to read), will not act, and is not waited
        // for until the deadline. What it sent before has arrived by then,
        // and the grace lets the step take it.
        let watched = self
            .target
            .as_ref()
            // A reset is what a program that ends sends anyway: its wait
            // needs no watch.
            .filter(|_| waits && !matches!(step, Step::ExpectReset(_)))
            .map(|t| {
                // Waiting for the end itself, the end is no reason to stop.
                let watch = match step {
                    Step::ExpectExit(_) => ExitWatch::never(),
                    _ => t.exit_watch(),
                };
                (watch, t.pid() as i32)
            });
        let result = match watched {
            None => self.carry_out(step).await,
            Some((watch, pgid)) => {
                let grace = self.timing.consumed() / 10;
                let first_look = self.timing.reply() / 5;
                let ended = async {
                    watch.ended().await;
                    tokio::time::sleep(grace).await;
                };
                let watch_stall = !self.shrinking;
                let stalled = async move {
                    if watch_stall {
                        stall(pgid, first_look, grace).await
                    } else {
                        std::future::pending().await
                    }
                };
                tokio::pin!(ended, stalled);
                let (mut died, mut stuck) = (false, false);
                // The step's own waits end early on either, and it fails
                // with its own evidence; the reason is added to its message.
                let result = {
                    let step_done = self.carry_out(step);
                    tokio::pin!(step_done);
                    loop {
                        tokio::select! {
                            r = &mut step_done => break r,
                            () = &mut ended, if !died && !stuck => { died = true; timeline::cut(); }
                            () = &mut stalled, if !died && !stuck => { stuck = true; timeline::cut(); }
                        }
                    }
                };
                timeline::uncut();
                self.stuck = stuck && result.is_err();
                match result {
                    Err(f) if died => {
                        let how = self
                            .target
                            .as_mut()
                            .and_then(Target::try_exit)
                            .map(self::ended);
                        Err(f.map(|m| Mismatch::Meanwhile {
                            inner: Box::new(m),
                            ended: how,
                        }))
                    }
                    Err(f) if stuck => Err(f.map(|m| Mismatch::Stalled(Box::new(m)))),
                    other => other,
                }
            }
        };
        if result.is_err() && started.elapsed() >= Duration::from_millis(500) {
            timeline::record(
                timeline::harness(""),
                Happening::Waited {
                    step: step.clone(),
                    waited: started.elapsed(),
                },
            );
        }
        result
    }
}
