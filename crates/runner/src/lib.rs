//! The runner: drives a target and the harness's peers through each scenario
//! and tells what happened as a stream of [`Event`]s.
//!
//! Running never prints. Reporters consume the events, so a new report format
//! never touches the runner, and the runner never has to know who is watching.

// A step's error is its failure's evidence (the mismatch, the bytes sent,
// expected and received), built once per failing scenario: its size costs
// nothing, and boxing it would only add noise to every step.
#![allow(clippy::result_large_err)]

pub mod build;
mod conn;
mod exec;
mod explain;
pub mod files;
mod harness;
mod language;
pub mod ports;
mod property;
mod run;
mod start;
mod steps;
mod timeline;
pub mod timing;
mod udp;
mod watch;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sockspec_model::{Contract, Role, Scenario};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

pub use sockspec_results::{
    Actor, BindProblem, BlockedCall, Diagnosis, Event, Failure, Happening, PortWait, RoleSign,
    ScenarioResult, SocketView, Status, Summary, TargetReport, TimelineEntry,
};
pub use timing::Timing;

/// One program under test: what runs for a role's scenarios, and the
/// contract it is judged by.
#[derive(Clone, Debug)]
pub struct Program {
    /// The role its scenarios have.
    pub role: Role,
    /// The command template (`{port}`, `{host}`, `{broadcast}`).
    pub command: String,
    /// The contract the grader states for it.
    pub contract: Contract,
    /// Its working directory.
    pub cwd: Option<PathBuf>,
    /// A fixed port, for a program that hard-codes its own (forces one job).
    pub port: Option<u16>,
    /// The wall time one try of one of its scenarios may take (scaled like
    /// every deadline); past it the scenario fails and the program is killed.
    pub budget: Option<Duration>,
    /// Why the program cannot be run at all (a submission without its
    /// file): every scenario of its role is an error saying so, at once.
    pub missing: Option<sockspec_results::Unrunnable>,
    /// The sandbox an untrusted program runs in (`None`: run as it is).
    pub sandbox: Option<sockspec_process::Sandbox>,
    /// Where the program's other end is, when the program says so itself
    /// (a hard-coded address): the address a server listens on, for the
    /// harness to connect to; the one a client connects or sends to, for
    /// the harness to listen on. `None`: 127.0.0.1 and the scenario's port.
    pub server: Option<SocketAddr>,
    /// Each scenario in a private network of its own with these addresses
    /// (`None`: on the machine's loopback). Hard-coded ports then never
    /// collide, a TIME_WAIT never outlives its scenario, and nothing the
    /// program sends leaves the namespace.
    pub network: Option<sockspec_netns::NetPlan>,
}

/// Everything a run needs besides the scenarios.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The programs under test, one per role that is run: one when a
    /// student's program is graded, one per program of an assignment, every
    /// role when the references are.
    pub programs: Vec<Program>,
    /// How the target is named in reports.
    pub target_label: String,
    /// The address the harness connects to and passes as `{host}`.
    pub host: Ipv4Addr,
    /// Scenarios run at once, each with its own target and port.
    pub jobs: usize,
    /// Recommended scenarios count too.
    pub strict: bool,
    /// The deadlines.
    pub timing: Timing,
    /// The seed of property scenarios' generators: the same seed gives the
    /// same cases, so a grade can be reproduced.
    pub seed: u64,
    /// Cases per property scenario, instead of each scenario's own count.
    pub cases: Option<u32>,
    /// Extra tries for a scenario that fails or errors; a verdict that
    /// changes between tries is reported as flaky.
    pub retries: u32,
    /// The command line that reruns this run (without `--only` and
    /// `--seed`), quoted for a shell; property failures print it.
    pub command_line: String,
    /// The submission's builds, run in order before any scenario; the
    /// scenarios of a program whose build failed are not run.
    pub builds: Vec<build::Build>,
}

/// The seed used when none is given: fixed, so every run of the same
/// program gets the same cases and the same grade.
pub const DEFAULT_SEED: u64 = 20261125;

impl Program {
    /// Whether the program's scenarios must run one at a time: it uses a
    /// port of its own choosing (given, or hard-coded where the command has
    /// no `{port}`) on the machine's shared loopback.
    pub fn shares_a_port(&self) -> bool {
        self.network.is_none() && self.addressing().picks_own_port()
    }

    /// How the program is addressed: decided once, from its command and
    /// what the grader states.
    pub fn addressing(&self) -> sockspec_model::Addressing {
        sockspec_model::Addressing::of(self.role, &self.command, self.port, self.server)
    }

    /// Where a client's hard-coded host name took it, in words, when its
    /// private network gave the name an address ("connects to
    /// www.python.org:80 (mapped to 127.77.0.1 in its private network)").
    pub fn mapped_server(&self) -> Option<sockspec_results::Found> {
        let server = self.server?;
        let (name, ip) = self
            .network
            .as_ref()?
            .names
            .iter()
            .find(|(_, ip)| server.ip() == std::net::IpAddr::V4(*ip))?;
        if !self.role.is_client() {
            return None;
        }
        Some(sockspec_results::Found::Mapped {
            name: name.clone(),
            port: server.port(),
            ip: *ip,
            connects: self.role.transport() == sockspec_model::Transport::Stream,
        })
    }

    /// A JVM reserves gigabytes of address space at start (heap, class
    /// space, code cache) that it never touches: under the sandbox's cap on
    /// address space it cannot even create its threads. A Java program gets
    /// no such cap; the JVM bounds its own heap, and a cgroup, where there
    /// is one, the memory it really uses. Decided once per program, from
    /// its command, not at each start.
    fn fit_sandbox_to_language(&mut self) {
        let Some(sandbox) = self.sandbox.as_mut() else {
            return;
        };
        let spec = sockspec_process::TargetSpec {
            command: self.command.clone(),
            cwd: self.cwd.clone(),
            ..sockspec_process::TargetSpec::default()
        };
        if language::of(&spec).language == sockspec_results::Language::Java {
            sandbox.cap_address_space = false;
        }
    }

    /// Whether the program picks its own port, to be found where it
    /// listens: a server whose command has no `{port}` and whose port the
    /// grader did not state.
    pub fn discovers_port(&self) -> bool {
        self.addressing().is_discovered()
    }
}

impl RunConfig {
    /// The program for a role's scenarios, if one was given.
    pub fn program_for(&self, role: Role) -> Option<&Program> {
        self.programs.iter().find(|p| p.role == role)
    }

    /// The contract as command-line options, for reports: one line when
    /// every program has the same, else one `role: options` per program.
    pub fn contract_label(&self) -> String {
        let label = |c: &Contract| format!("--reply {} --framing {}", c.reply, c.framing);
        let labels: Vec<String> = self.programs.iter().map(|p| label(&p.contract)).collect();
        if labels.windows(2).all(|w| w[0] == w[1]) {
            return labels.into_iter().next().unwrap_or_default();
        }
        self.programs
            .iter()
            .zip(labels)
            .map(|(p, l)| format!("{}: {l}", p.role))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Plays a scenario until it passes or its tries (`retries + 1`) are used
/// up. A pass after a failure is [`Status::Flaky`]: the evidence of the
/// first failed try is kept, and the message says how often it passed.
async fn with_retries(
    scenario: &Arc<Scenario>,
    config: &Arc<RunConfig>,
    ports: &Arc<ports::PortPool>,
) -> ScenarioResult {
    let mut first = once(scenario, config, ports, false).await;
    let mut attempts = 1;
    // A program that never started is not tried again: starting it is the
    // same every time, and waiting for it to listen is the slowest verdict.
    while matches!(first.status, Status::Fail | Status::Error)
        && !exec::could_not_start(&first)
        && attempts <= config.retries
    {
        let again = once(scenario, config, ports, true).await;
        attempts += 1;
        first.duration += again.duration;
        if again.status == Status::Pass {
            first.status = Status::Flaky;
            first.passes = 1;
            if let Some(sockspec_results::Why::Mismatch(m)) = first.why.take() {
                first.why = Some(sockspec_results::Why::Mismatch(
                    sockspec_results::Mismatch::Flaky {
                        passes: first.passes,
                        attempts,
                        first: Box::new(m),
                    },
                ));
            }
            break;
        }
    }
    first.attempts = attempts;
    if first.found.is_none() {
        first.found = config
            .program_for(scenario.role)
            .and_then(Program::mapped_server);
    }
    first
}

/// One try of a scenario, within its time budget. The scenario runs in a
/// task of its own (or, in a private network, on a thread of its own) so
/// that a bug of the harness (a panic) becomes an error verdict, not a lost
/// result; a scenario past its budget is dropped, which kills its target.
async fn once(
    scenario: &Arc<Scenario>,
    config: &Arc<RunConfig>,
    ports: &Arc<ports::PortPool>,
    retry: bool,
) -> ScenarioResult {
    let program = config.program_for(scenario.role);
    let budget = program
        .and_then(|p| p.budget)
        .map(|b| config.timing.pause(b));
    let (scenario_, config_, ports_) = (scenario.clone(), config.clone(), ports.clone());
    let play = async move { exec::run_scenario(&scenario_, &config_, &ports_, retry).await };
    let outcome = match program.and_then(|p| p.network.clone()) {
        None => {
            let inner = tokio::spawn(timeline::scope(play));
            let abort = inner.abort_handle();
            let joined = match budget {
                Some(b) => match tokio::time::timeout(b, inner).await {
                    Ok(joined) => joined,
                    Err(_) => {
                        abort.abort();
                        return exec::over_budget(scenario, config, b);
                    }
                },
                None => inner.await,
            };
            joined.map_err(|e| e.to_string())
        }
        Some(plan) => {
            // The scenario's sockets and its program must all be in the
            // namespace: a thread of its own enters it, and runs the
            // scenario on a runtime of its own, so everything it creates
            // (sockets, the program it spawns) is born there.
            let (done_tx, done_rx) = tokio::sync::oneshot::channel();
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let spawned = std::thread::Builder::new()
                .name("scenario".into())
                .spawn(move || {
                    let result = sockspec_netns::enter_thread(&plan)
                        .map_err(|e| format!("no private network for the scenario: {e}"))
                        .and_then(|()| {
                            tokio::runtime::Builder::new_current_thread()
                                .enable_all()
                                .build()
                                .map_err(|e| format!("no runtime for the scenario: {e}"))
                        })
                        .map(|rt| {
                            rt.block_on(async {
                                // On the heap: a scenario's future is large,
                                // and this thread's stack is the default one.
                                tokio::select! {
                                    r = Box::pin(timeline::scope(play)) => Some(r),
                                    _ = stop_rx => None,
                                }
                            })
                        });
                    let _ = done_tx.send(result);
                });
            if let Err(e) = spawned {
                return exec::harness_error(
                    scenario,
                    config,
                    format!("no thread for the scenario: {e}"),
                );
            }
            let joined = match budget {
                Some(b) => match tokio::time::timeout(b, done_rx).await {
                    Ok(joined) => joined,
                    Err(_) => {
                        drop(stop_tx);
                        return exec::over_budget(scenario, config, b);
                    }
                },
                None => done_rx.await,
            };
            drop(stop_tx);
            match joined {
                Ok(Ok(Some(r))) => Ok(r),
                Ok(Ok(None)) => Err("the scenario was stopped".into()),
                Ok(Err(e)) => Err(e),
                Err(_) => Err("the scenario's thread ended without a verdict".into()),
            }
        }
    };
    match outcome {
        Ok(r) => r,
        Err(e) => exec::harness_error(scenario, config, format!("the harness failed: {e}")),
    }
}

/// A rough guess of a scenario's wall time, in milliseconds, to schedule
/// the long ones first: the waits it states, what its generated cases
/// cost, a little per step. Only the order matters.
fn expected_cost(s: &Scenario) -> u64 {
    let steps: u64 = s.steps.iter().map(|at| at.step.expected_cost_ms()).sum();
    let cases: u64 = s.property.as_ref().map_or(0, |p| {
        let per_case = 10 + u64::from(p.pause_ms.max) / 2;
        // A client's case is a run of the program of its own.
        let per_start = match s.role {
            Role::TcpClient | Role::UdpClient | Role::HttpClient => 50,
            _ => 0,
        };
        u64::from(p.cases) * (per_case + per_start)
    });
    50 + steps + cases
}

/// The process's peak resident set (`VmHWM` in /proc/self/status), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the scenarios, sending every event to `events`, and returns the summary.
pub async fn run(
    scenarios: Vec<Scenario>,
    mut config: RunConfig,
    events: mpsc::UnboundedSender<Event>,
) -> Summary {
    let started = Instant::now();
    // Failing to deliver an event means nobody is listening any more; the
    // run still completes so that every target is stopped.
    let _ = events.send(Event::RunStarted {
        total: scenarios.len(),
        target: config.target_label.clone(),
        contract: config.contract_label(),
    });
    sockspec_process::become_subreaper();
    let mut not_built: Vec<Role> = Vec::new();
    if !config.builds.is_empty() {
        let mut reports = Vec::new();
        for b in &config.builds {
            let report = build::run(b, &config.timing).await;
            let failed = !report.ok();
            reports.push(report);
            if failed {
                // One program's build: the others are built as usual.
                not_built.extend(Role::ALL.into_iter().filter(|&r| b.builds(r)));
            }
            if failed && b.roles.is_empty() {
                // The submission's own build makes what every program
                // needs: the builds after it are not tried either.
                break;
            }
        }
        let _ = events.send(Event::Built(reports));
        // What a build made is there now, or its program is missing.
        let RunConfig {
            programs, builds, ..
        } = &mut config;
        for p in programs.iter_mut() {
            if p.missing.is_none() && builds.iter().any(|b| b.builds(p.role)) {
                let cwd = p.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
                p.missing = files::missing_file(&p.command, &cwd);
            }
        }
    }
    for p in &mut config.programs {
        p.fit_sandbox_to_language();
    }
    // A fixed port cannot be shared by scenarios running at the same time.
    let jobs = if config.programs.iter().any(Program::shares_a_port) {
        1
    } else {
        config.jobs.max(1)
    };
    // With several at once, the longest go first: the run ends when its
    // longest scenario does, so that one should not start last.
    let mut scenarios = scenarios;
    if jobs > 1 {
        scenarios.sort_by_key(|s| std::cmp::Reverse(expected_cost(s)));
    }
    let gate = Arc::new(Semaphore::new(jobs));
    let config = Arc::new(config);
    let ports = Arc::new(ports::PortPool::new());
    let unstartable: Arc<Mutex<HashMap<Role, ScenarioResult>>> = Arc::default();
    let not_built = Arc::new(not_built);
    let mut tasks = Vec::new();
    for scenario in scenarios {
        let scenario = Arc::new(scenario);
        let (gate, config, ports, events, unstartable) = (
            gate.clone(),
            config.clone(),
            ports.clone(),
            events.clone(),
            unstartable.clone(),
        );
        let task_scenario = scenario.clone();
        let not_built = not_built.clone();
        let task = tokio::spawn(async move {
            let scenario = task_scenario;
            let _permit = gate.acquire_owned().await;
            let _ = events.send(Event::ScenarioStarted {
                id: scenario.id.clone(),
            });
            let earlier = unstartable
                .lock()
                .ok()
                .and_then(|m| m.get(&scenario.role).cloned());
            let result = match (exec::skipped(&scenario, &config), earlier) {
                (Some(skip), _) => skip,
                (None, _) if not_built.contains(&scenario.role) => {
                    exec::not_built(&scenario, &config)
                }
                (None, Some(first)) => exec::not_started(&scenario, &config, &first),
                (None, None) => {
                    let result = with_retries(&scenario, &config, &ports).await;
                    if exec::could_not_start(&result)
                        && let Ok(mut m) = unstartable.lock()
                    {
                        m.entry(scenario.role).or_insert_with(|| result.clone());
                    }
                    result
                }
            };
            let _ = events.send(Event::ScenarioFinished(Box::new(result.clone())));
            result
        });
        tasks.push((scenario, task));
    }
    let mut summary = Summary::default();
    for (scenario, task) in tasks {
        // A scenario lost to a bug of the harness is still reported, as an
        // error: what a submission could earn never depends on the harness.
        let result = match task.await {
            Ok(result) => result,
            Err(e) => {
                let lost =
                    exec::harness_error(&scenario, &config, format!("the harness failed: {e}"));
                let _ = events.send(Event::ScenarioFinished(Box::new(lost.clone())));
                lost
            }
        };
        summary.add(&result);
    }
    let _ = events.send(Event::RunFinished {
        summary,
        wall: started.elapsed(),
        peak_rss_kb: peak_rss_kb(),
    });
    summary
}
