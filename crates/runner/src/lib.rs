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
mod lanes;
mod language;
pub mod ports;
mod property;
mod run;
mod start;
mod steps;
mod timeline;
pub mod timing;
mod udp;
mod warm;
mod watch;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sockspec_model::{Contract, Role, Scenario};
use tokio::sync::mpsc;
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
    /// A server that passed a scenario and was left idle serves the next
    /// scenario of its role instead of a freshly started one (`--fresh`
    /// turns it off). A failure on such a program is never the verdict:
    /// the scenario is played again on a fresh one.
    pub share: bool,
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
    let all: Vec<Arc<Scenario>> = scenarios.into_iter().map(Arc::new).collect();
    let shared = Arc::new(lanes::Shared {
        queue: lanes::Queue::new(
            all.iter().cloned().enumerate().collect(),
            jobs,
            config.share,
        ),
        config: Arc::new(config),
        ports: Arc::new(ports::PortPool::new()),
        events: events.clone(),
        unstartable: Mutex::default(),
        not_built,
    });
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let mut results: Vec<Option<ScenarioResult>> = vec![None; all.len()];
    let lanes = lanes::Lanes::start(jobs.min(all.len()).max(1), &shared, &done_tx);
    drop(done_tx);
    let lost = match &lanes {
        Ok(_) => None,
        Err(e) => Some(e.clone()),
    };
    while let Some((index, result)) = done_rx.recv().await {
        results[index] = Some(result);
    }
    drop(lanes);
    let mut summary = Summary::default();
    for (scenario, result) in all.iter().zip(results) {
        // A scenario lost to a bug of the harness is still reported, as an
        // error: what a submission could earn never depends on the harness.
        let result = result.unwrap_or_else(|| {
            let why = lost
                .clone()
                .unwrap_or_else(|| "a lane of the run ended early".into());
            let lost = exec::harness_error(
                scenario,
                &shared.config,
                format!("the harness failed: {why}"),
            );
            let _ = events.send(Event::ScenarioFinished(Box::new(lost.clone())));
            lost
        });
        summary.add(&result);
    }
    let _ = events.send(Event::RunFinished {
        summary,
        wall: started.elapsed(),
        peak_rss_kb: peak_rss_kb(),
    });
    summary
}
