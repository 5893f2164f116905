//! Carrying out one scenario: put the harness's own sockets for the role in
//! place, start the target on a fresh port (or take the idle server an
//! earlier scenario handed over), wait until it is ready, play the steps
//! in order, and turn the first step that does not hold into a verdict with
//! its evidence. The target is killed at the end of every scenario,
//! whatever happened, unless the scenario passed, may hand its program on,
//! and left it idle (see [`crate::warm`]): then the lane that played it
//! keeps it for its next scenario of the role, and kills it when it has
//! none.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sockspec_model::{Localized, Scenario, Step};
use sockspec_process::{Target, TargetSpec};
use tokio::time::Instant;

use crate::harness::Harness;
use crate::run::Run;
use crate::start::{never_ran, readiness, start, target_report};
use crate::timeline;
use crate::warm::Warm;
use crate::{Program, RunConfig, ports::PortPool};
use sockspec_results::event::{FailedAt, Failure, ScenarioResult, Status};
use sockspec_results::{Doing, Language, Mismatch, Why};

/// Runs one scenario to its verdict, on `warm` (a program an earlier
/// scenario of its role passed with and left idle) if given, else on a
/// program started for it. Returns the program too when `hand_on` (the
/// lane's decision: see [`Scenario::may_share`]), the scenario passed, and
/// left it idle.
pub(crate) async fn run_scenario(
    scenario: &Scenario,
    config: &RunConfig,
    ports: &PortPool,
    retry: bool,
    warm: Option<Warm>,
    hand_on: bool,
) -> (ScenarioResult, Option<Warm>) {
    let started = Instant::now();
    if let Some(skip) = skipped(scenario, config) {
        return (skip, warm);
    }
    let mut result = base_result(scenario, config);
    let Some(program) = config.program_for(scenario.role) else {
        result.status = Status::Error;
        result.why = Some(Why::Mismatch(Mismatch::NoProgram(scenario.role)));
        return (result, None);
    };
    // After the skip: every submission has the same points possible.
    if let Some(missing) = &program.missing {
        result.status = Status::Error;
        result.why = Some(Why::Mismatch(Mismatch::Unrunnable(missing.clone())));
        return (result, None);
    }
    result.shared = warm.is_some();
    let (outcome, warm) = play(
        scenario,
        config,
        program,
        ports,
        &mut result,
        retry,
        warm,
        hand_on,
    )
    .await;
    result.duration = started.elapsed();
    result.starts = timeline::starts();
    match outcome {
        Ok(()) => result.passes = 1,
        Err(not_passed) => {
            result.status = not_passed.status;
            result.why = Some(Why::Mismatch(not_passed.mismatch));
            let language = not_passed.failure.target.as_ref().map(|t| t.language);
            if let Some(hint) = language.and_then(|l| hint_in(scenario, l)) {
                result.hint = hint.clone();
            }
            result.failure = Some(not_passed.failure);
        }
    }
    (result, warm)
}

/// The scenario's advice in the terms of the language its program is
/// written in, where the scenario gives it (`hint_c:`, `hint_java:`); a
/// Python program, or one whose language is not known, gets the notes'
/// own `hint:`.
fn hint_in(scenario: &Scenario, language: Language) -> Option<&Localized> {
    match language {
        Language::C => scenario.hint_c.as_ref(),
        Language::Java => scenario.hint_java.as_ref(),
        Language::Python | Language::Python2 | Language::Unknown => None,
    }
}

/// Whether a verdict says the program could not even be started (or never
/// became ready) before the first step: every later scenario of its role
/// would wait for the same thing in vain.
pub fn could_not_start(r: &ScenarioResult) -> bool {
    matches!(r.status, Status::Error | Status::Fail)
        && r.failure.as_ref().is_some_and(|f| f.program_start)
}

/// The verdict of a scenario not played because its program could not be
/// started in an earlier one (`first`): the same verdict, with its
/// evidence, without waiting for readiness again. A command that cannot be
/// executed is an error (the grader's to fix); a program that ran and
/// ended, or never listened, before a scenario could begin has failed it.
pub fn not_started(
    scenario: &Scenario,
    config: &RunConfig,
    first: &ScenarioResult,
) -> ScenarioResult {
    // The evidence is the first one's, shown there once.
    ScenarioResult {
        status: first.status,
        why: match &first.why {
            Some(Why::Mismatch(m)) => Some(Why::Mismatch(Mismatch::AsIn {
                id: first.id.clone(),
                first: Box::new(m.clone()),
            })),
            other => other.clone(),
        },
        failure: Some(Failure {
            program_start: true,
            ..Failure::default()
        }),
        ..base_result(scenario, config)
    }
}

/// The verdict of a scenario that does not apply to its program's
/// contract, if it does not: decided before anything is run or waited
/// for, so that no error of the program's or the harness's can make it
/// anything but a skip.
pub fn skipped(scenario: &Scenario, config: &RunConfig) -> Option<ScenarioResult> {
    let program = config.program_for(scenario.role)?;
    let reason = scenario.when.skip(&program.contract)?;
    Some(ScenarioResult {
        status: Status::Skip,
        why: Some(Why::Skip(reason)),
        ..base_result(scenario, config)
    })
}

/// The verdict of a scenario whose program did not build: not run, and
/// said once, with the compiler's output, by the build's report.
pub fn not_built(scenario: &Scenario, config: &RunConfig) -> ScenarioResult {
    ScenarioResult {
        status: Status::NotBuilt,
        attempts: 0,
        ..base_result(scenario, config)
    }
}

/// The verdict of a try that went past its time budget.
pub fn over_budget(scenario: &Scenario, config: &RunConfig, budget: Duration) -> ScenarioResult {
    ScenarioResult {
        status: Status::Fail,
        duration: budget,
        why: Some(Why::Mismatch(Mismatch::OverBudget(budget))),
        ..base_result(scenario, config)
    }
}

/// The verdict of a scenario the harness itself failed to carry out (a bug
/// of ours, reported as an error rather than lost).
pub fn harness_error(scenario: &Scenario, config: &RunConfig, message: String) -> ScenarioResult {
    ScenarioResult {
        status: Status::Error,
        why: Some(Why::Mismatch(Mismatch::Harness(message))),
        ..base_result(scenario, config)
    }
}

fn base_result(scenario: &Scenario, config: &RunConfig) -> ScenarioResult {
    ScenarioResult {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        title_zh: scenario.title_zh.clone(),
        role: scenario.role,
        level: scenario.level,
        counted: scenario.counts(config.strict),
        points: scenario.points,
        status: Status::Pass,
        duration: Duration::ZERO,
        why: None,
        concept: scenario.concept.clone(),
        concept_zh: scenario.concept_zh.clone(),
        hint: scenario.hint.clone(),
        file: scenario.file.clone(),
        failure: None,
        attempts: 1,
        passes: 0,
        starts: 0,
        found: None,
        port_wait: None,
        limits_hit: Vec::new(),
        shared: false,
        replayed: false,
        cases_went_on: 0,
    }
}

/// A scenario that did not pass: how, why, and the evidence.
struct NotPassed {
    status: Status,
    mismatch: Mismatch,
    failure: Failure,
}

type Verdict = Result<(), Box<NotPassed>>;

fn not_passed(status: Status, failure: Failure, mismatch: Mismatch) -> Verdict {
    Err(failed_box(status, failure, mismatch))
}

fn failed<T>(status: Status, failure: Failure, mismatch: Mismatch) -> Result<T, Box<NotPassed>> {
    Err(failed_box(status, failure, mismatch))
}

fn failed_box(status: Status, failure: Failure, mismatch: Mismatch) -> Box<NotPassed> {
    Box::new(NotPassed {
        status,
        mismatch,
        failure,
    })
}

// Each argument is one fact of the try, given by its caller.
#[allow(clippy::too_many_arguments)]
async fn play(
    scenario: &Scenario,
    config: &RunConfig,
    program: &Program,
    ports: &PortPool,
    result: &mut ScenarioResult,
    retry: bool,
    warm: Option<Warm>,
    hand_on: bool,
) -> (Verdict, Option<Warm>) {
    let mut run = match warm {
        Some(w) => on_warm(scenario, config, program, w, retry).await,
        None => match fresh(scenario, config, program, ports, result, retry).await {
            Ok(run) => run,
            Err(not_passed) => return (Err(not_passed), None),
        },
    };
    let verdict = steps(scenario, &mut run, ports).await;
    result.found = run.found.clone();
    result.cases_went_on = run.went_on;
    result.replayed |= run.case_replayed;
    result.limits_hit = run
        .target
        .as_ref()
        .map(Target::limit_hits)
        .unwrap_or_default();
    if program.discovers_port() && run.spec.port != 0 {
        ports.chose(scenario.role, run.spec.port);
    }
    if verdict.is_ok() && hand_on {
        let warm = run.hand_over().await;
        return (verdict, warm);
    }
    run.finish().await;
    (verdict, None)
}

/// The run of a scenario on a program handed over by an earlier one: its
/// port, address and start are that scenario's.
async fn on_warm<'a>(
    scenario: &Scenario,
    config: &'a RunConfig,
    program: &'a Program,
    warm: Warm,
    retry: bool,
) -> Run<'a> {
    let harness = Harness::set_up(scenario.role, warm.addr)
        .await
        .unwrap_or(Harness::Nothing);
    let mut run = Run::new(
        config,
        program,
        scenario.role,
        warm.spec,
        warm.addr,
        harness,
        retry,
    );
    run.target = Some(warm.target);
    run.found = warm.found;
    run
}

/// The run of a scenario on a program started for it: its port, the
/// harness's own sockets, and the program, started and ready (unless the
/// scenario starts it itself).
async fn fresh<'a>(
    scenario: &Scenario,
    config: &'a RunConfig,
    program: &'a Program,
    ports: &PortPool,
    result: &mut ScenarioResult,
    retry: bool,
) -> Result<Run<'a>, Box<NotPassed>> {
    // The harness's own sockets for the role (a client's server, a
    // sender's receivers) take the port before the program starts. A port
    // from the pool that something took since it was found free is traded
    // for another; a port the program chose is what it is.
    let fixed = program.addressing().fixed_port();
    // A port the program binds itself, on the machine's shared loopback:
    // the scenario before may have left it in TIME_WAIT (scenarios of such
    // a program run one at a time), which is not this scenario's fault.
    let binds = fixed.or_else(|| {
        program
            .discovers_port()
            .then(|| ports.chosen(scenario.role))
            .flatten()
    });
    if let (Some(port), None, Some(_)) = (binds, &program.network, readiness(scenario.role, 0)) {
        let deadline = Instant::now() + config.timing.port_free();
        if let Some((waited, freed)) = crate::ports::until_free(port, deadline).await {
            result.port_wait = Some(sockspec_results::event::PortWait {
                port,
                waited,
                freed,
            });
        }
    }
    let mut tries = 0;
    let (port, addr, harness) = loop {
        let port = match (fixed, &program.network) {
            // Found where the program listens, once it does.
            _ if program.discovers_port() => 0,
            (Some(p), _) => p,
            // A private network has every port free, and nothing to claim.
            (None, Some(_)) => PRIVATE_PORT,
            (None, None) => match ports.take() {
                Ok(p) => p,
                Err(e) => {
                    return failed(
                        Status::Error,
                        Failure::default(),
                        Mismatch::Io {
                            doing: Doing::Port,
                            error: e.to_string(),
                        },
                    );
                }
            },
        };
        let addr = program
            .server
            .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(config.host), port));
        match Harness::set_up(scenario.role, addr).await {
            Ok(h) => break (port, addr, h),
            Err(_) if fixed.is_none() && program.network.is_none() && tries < 3 => tries += 1,
            Err(f) => return failed(Status::Error, Failure::default(), *f.mismatch),
        }
    };
    let role = scenario.role;
    let spec = TargetSpec {
        command: program.command.clone(),
        host: config.host.to_string(),
        port,
        broadcast: BROADCAST.to_string(),
        cwd: program.cwd.clone(),
        env: Vec::new(),
        output_cap: 64 * 1024,
        stdin: role.reads_stdin(),
        sandbox: program.sandbox.clone(),
        waits: config.timing.waits(),
    };
    let mut run = Run::new(config, program, role, spec, addr, harness, retry);
    // A scenario that takes the program's port before starting it (a
    // receiver of the harness's own beside it) must know the port of a
    // program that chooses its own: from an earlier scenario, or from a
    // first run of the program that is stopped as soon as it is bound.
    let port_first = scenario
        .steps
        .iter()
        .take_while(|s| !matches!(s.step, Step::Start))
        .any(|s| matches!(s.step, Step::BindBeside));
    if program.discovers_port() && port_first {
        let chosen = match ports.chosen(role) {
            Some(p) => Some(p),
            None => match start(&run.spec, role, config).await {
                Ok(mut t) => {
                    let p = t.ready_addr().map(|a| a.port());
                    t.kill().await;
                    p
                }
                Err(_) => None,
            },
        };
        if let Some(p) = chosen {
            run.spec.port = p;
            run.addr.set_port(p);
        }
    }
    // Without an explicit `start`, the target starts before the first step;
    // if it does not come up, no step can be played.
    if !scenario.steps.iter().any(|s| matches!(s.step, Step::Start)) {
        match start(&run.spec, role, config).await {
            Ok(t) => {
                run.adopt_ready_addr(&t);
                run.target = Some(t);
            }
            Err(f) => {
                // A program that ran is judged by what it did: it ended, or
                // never listened, before the scenario could begin. Only a
                // command that could not be executed at all is an error.
                let status = if f.ran { Status::Fail } else { Status::Error };
                let failure = Failure {
                    target: f.target.map(|mut t| target_report(&mut t, f.language)),
                    diagnoses: f.diagnoses,
                    timeline: timeline::snapshot(),
                    program_start: true,
                    ..Failure::default()
                };
                return failed(status, failure, f.mismatch);
            }
        }
    }
    Ok(run)
}

/// Plays the scenario's property or steps on `run`, to the first that
/// does not hold.
async fn steps(scenario: &Scenario, run: &mut Run<'_>, ports: &PortPool) -> Verdict {
    let mut verdict = Ok(());
    if let Some(property) = &scenario.property
        && let Err(f) = crate::property::check(run, scenario, property, ports).await
    {
        let (target, diagnoses) = run.evidence().await;
        let failure = Failure {
            step: 0,
            at: FailedAt::Property(property.name),
            line: 0,
            sent: f.sent,
            expected: f.expected,
            received: f.received,
            target,
            diagnoses,
            timeline: timeline::snapshot(),
            program_start: false,
        };
        verdict = not_passed(Status::Fail, failure, *f.mismatch);
    }
    for (i, at) in scenario.steps.iter().enumerate() {
        if let Err(f) = run.step(&at.step).await {
            let (target, mut diagnoses) = run.evidence().await;
            if let Step::ExpectResponse(e) = &at.step
                && let Some(d) = crate::explain::page_not_found(run, &e.from, f.received.as_ref())
            {
                diagnoses.insert(0, d);
            }
            let failure = Failure {
                step: i + 1,
                at: FailedAt::Step(at.step.clone()),
                line: at.line,
                sent: f.sent,
                expected: f.expected,
                received: f.received,
                target,
                diagnoses,
                timeline: timeline::snapshot(),
                program_start: false,
            };
            // A client's command that could not be run shows only now.
            let status = match run.target.as_mut().and_then(Target::try_exit) {
                Some(state) if never_ran(state) => Status::Error,
                _ => Status::Fail,
            };
            verdict = not_passed(status, failure, *f.mismatch);
            break;
        }
    }
    verdict
}

/// The port a program is given in a private network (any would do).
pub(crate) const PRIVATE_PORT: u16 = 40000;

/// The broadcast address handed to targets and used by the harness. Only the
/// loopback network's: a broadcast must never leave the machine.
pub(crate) const BROADCAST: &str = "127.255.255.255";
