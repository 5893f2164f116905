//! Property scenarios: proptest's runner generates cases (messages, how the
//! bytes are cut into writes, pauses, senders) and each case is played
//! against the live program as ordinary steps, so a failing case fails with
//! the same evidence a hand-written scenario would give. proptest then
//! shrinks it to the smallest case that still fails.
//!
//! This file is the bridge. proptest's runner is synchronous and calls the
//! test as a plain function, while the steps are async and hold the target.
//! So the runner lives on a thread of its own and hands each case over a
//! channel to this task, which plays it (`play.rs`) and sends the verdict
//! back: the target never leaves the task that owns it, and no async
//! runtime is entered from inside another. What a case is and how cases are
//! generated is `case.rs`.
//!
//! Verdicts must not flake, and shrinking must not take forever: the first
//! failure is found with the normal deadlines; while shrinking, deadlines
//! are ten times shorter (a case that fails by a missing reply costs its
//! deadline every time), shrinking plays a bounded number of candidates,
//! and the smallest case is played once more with the normal deadlines
//! before it is reported.

mod case;
mod play;

pub(crate) use case::Case;
use case::strategy;
use play::{Baseline, play};

use std::sync::Mutex;
use std::time::Duration;

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use sockspec_model::{PropertySpec, Scenario};
use tokio::time::Instant;

use crate::conn::StepFailure;
use crate::ports::PortPool;
use crate::run::Run;
use sockspec_results::{Doing, Mismatch, PropertyFailure};

/// How many candidates shrinking plays: a count, not a time, so that the
/// smallest case shown is the same on a fast machine and a loaded one.
const SHRINK_CANDIDATES: usize = 48;

/// A far safety net on shrinking's wall time (scaled like every wait), for
/// a program slow enough to make even the count take too long.
const SHRINK_BUDGET: Duration = Duration::from_secs(30);

/// How much shorter deadlines are while shrinking: a reply from a program
/// on loopback takes a millisecond or two, and a spurious failure here can
/// only mislead shrinking, never the verdict (see the module doc). Ten
/// times shorter keeps a reply deadline of 200 ms, which a loaded machine
/// still meets.
const SHRINK_SPEEDUP: f64 = 10.0;

/// Checks the property; on failure, the smallest failing case as evidence.
pub(crate) async fn check(
    run: &mut Run<'_>,
    scenario: &Scenario,
    spec: &PropertySpec,
    ports: &PortPool,
) -> Result<(), StepFailure> {
    let config = run.config;
    let framing = run.program.contract.framing;
    let cases = config.cases.unwrap_or(spec.cases);
    let runner_config = Config {
        cases,
        rng_seed: RngSeed::Fixed(config.seed),
        failure_persistence: None,
        // Shrinking is bounded by the budget below, not by proptest's
        // timer (which prints to stderr when it fires).
        max_shrink_iters: 256,
        max_shrink_time: 0,
        ..Config::default()
    };
    let spec_for_runner = spec.clone();
    let (case_tx, mut case_rx) = tokio::sync::mpsc::channel::<Case>(1);
    let (verdict_tx, verdict_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let verdict_rx = Mutex::new(verdict_rx);
    let runner = std::thread::spawn(move || {
        // Strategies are not Send: build it on the thread that uses it.
        let strategy = strategy(&spec_for_runner, framing);
        let mut runner = TestRunner::new(runner_config);
        runner.run(&strategy, |case| {
            case_tx
                .blocking_send(case)
                .map_err(|_| TestCaseError::fail("the harness stopped"))?;
            let verdict = verdict_rx
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .recv()
                .map_err(|_| TestCaseError::fail("the harness stopped"))?;
            verdict.map_err(TestCaseError::fail)
        })
    });

    let mut baseline = Baseline::default();
    let mut played = 0usize;
    let mut first: Option<(usize, Case, StepFailure)> = None;
    // A retry does not shrink: whether it fails again is all it is for.
    let budget = if run.retry {
        Duration::ZERO
    } else {
        config.timing.pause(SHRINK_BUDGET)
    };
    let mut shrink_started: Option<Instant> = None;
    let mut candidates = 0usize;
    while let Some(case) = case_rx.recv().await {
        // Past the count (or the budget), every further candidate counts
        // as passing without being played: proptest then settles on the
        // smallest failing case found so far.
        let spent = candidates >= SHRINK_CANDIDATES
            || shrink_started.is_some_and(|at| at.elapsed() > budget);
        if spent {
            let _ = verdict_tx.send(Ok(()));
            continue;
        }
        played += 1;
        if shrink_started.is_some() {
            candidates += 1;
        }
        let verdict = play(run, &case, &mut baseline, ports).await;
        if let Err(f) = &verdict
            && first.is_none()
        {
            first = Some((played, case.clone(), f.clone()));
            shrink_started = Some(Instant::now());
            run.timing = crate::Timing::scaled(config.timing.scale() / SHRINK_SPEEDUP);
            // Every failing candidate must cost the same (no early end for
            // a stall), or which candidates fit the budget would depend on
            // how soon a stalled program was noticed.
            run.shrinking = true;
        }
        let _ = verdict_tx.send(verdict.map_err(|f| format!("{:?}", f.mismatch)));
    }
    run.timing = config.timing;
    run.shrinking = false;
    let outcome = tokio::task::spawn_blocking(move || runner.join())
        .await
        .map_err(|e| StepFailure::io(Doing::PropertyRunner, e))?
        .map_err(|_| StepFailure::new(Mismatch::PropertyPanicked))?;

    let smallest = match outcome {
        Ok(()) => return Ok(()),
        Err(TestError::Abort(why)) => {
            return Err(StepFailure::new(Mismatch::PropertyAbort(why.to_string())));
        }
        Err(TestError::Fail(_, smallest)) => smallest,
    };
    let Some((nth, first_case, first_failure)) = first else {
        return Err(StepFailure::new(Mismatch::PropertyNoCase));
    };
    // The smallest case, once more with the normal deadlines: its evidence
    // is what the report shows, and it must really fail.
    let (case, failure, unshrunk) = match play(run, &smallest, &mut baseline, ports).await {
        Err(f) => (smallest, f, false),
        // The first failing case then, played again too, so that its
        // message and the program's state and output come from one run.
        Ok(()) => match play(run, &first_case, &mut baseline, ports).await {
            Err(f) => (first_case, f, true),
            Ok(()) => (first_case, first_failure, true),
        },
    };
    let host = run.addr.to_string();
    let cases_flag = config
        .cases
        .map(|n| format!(" --cases {n}"))
        .unwrap_or_default();
    let reproduce = format!(
        "{} --only {} --seed {}{cases_flag}",
        config.command_line, scenario.id, config.seed
    );
    let view = case.view(framing, &host);
    Err(failure.map(|inner| {
        Mismatch::Property(Box::new(PropertyFailure {
            name: spec.name,
            nth: nth as u32,
            cases,
            seed: config.seed,
            case: view,
            inner,
            unshrunk,
            reproduce,
        }))
    }))
}
