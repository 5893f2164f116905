//! Carrying out one scenario: put the harness's own sockets for the role in
//! place, start the target on a fresh port, wait until it is ready, play the
//! steps in order, and turn the first step that does not
//! hold into a verdict with its evidence. The target is killed at the end of
//! every scenario, whatever happened, so nothing outlives its scenario.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use sockspec_model::{ConnName, ReadyWhen, Role, Scenario, SendStep, Step};
use sockspec_process::{ExitState, ExitWatch, Readiness, ReadyError, Target, TargetSpec, proc};
use tokio::net::{TcpListener, UdpSocket};
use tokio::time::Instant;

use crate::conn::{Conn, StepFailure};
use crate::timeline;
use crate::udp::UdpPeer;
use crate::{Program, RunConfig, ports::PortPool};
use sockspec_results::diagnosis::{Actor, Diagnosis, Happening};
use sockspec_results::event::{FailedAt, Failure, ScenarioResult, Status, TargetReport};
use sockspec_results::{Doing, Ended, Expectation, Listen, Mismatch, ScenarioBug, Why};

/// Runs one scenario to its verdict.
pub async fn run_scenario(
    scenario: &Scenario,
    config: &RunConfig,
    ports: &PortPool,
    retry: bool,
) -> ScenarioResult {
    let started = Instant::now();
    if let Some(skip) = skipped(scenario, config) {
        return skip;
    }
    let mut result = base_result(scenario, config);
    let Some(program) = config.program_for(scenario.role) else {
        result.status = Status::Error;
        result.why = Some(Why::Mismatch(Mismatch::NoProgram(scenario.role)));
        return result;
    };
    // After the skip: every submission has the same points possible.
    if let Some(missing) = &program.missing {
        result.status = Status::Error;
        result.why = Some(Why::Mismatch(Mismatch::Unrunnable(missing.clone())));
        return result;
    }
    let outcome = play(scenario, config, program, ports, &mut result, retry).await;
    result.duration = started.elapsed();
    result.starts = timeline::starts();
    match outcome {
        Ok(()) => result.passes = 1,
        Err(not_passed) => {
            result.status = not_passed.status;
            result.why = Some(Why::Mismatch(not_passed.mismatch));
            result.failure = Some(not_passed.failure);
        }
    }
    result
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
    Err(Box::new(NotPassed {
        status,
        mismatch,
        failure,
    }))
}

async fn play(
    scenario: &Scenario,
    config: &RunConfig,
    program: &Program,
    ports: &PortPool,
    result: &mut ScenarioResult,
    retry: bool,
) -> Verdict {
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
                    return not_passed(
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
            Err(f) => return not_passed(Status::Error, Failure::default(), f.mismatch),
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
    };
    let mut run = Run {
        config,
        program,
        role,
        spec,
        target: None,
        addr,
        harness,
        peers: HashMap::new(),
        replies_sent: Vec::new(),
        requests: HashMap::new(),
        timing: config.timing,
        client_used: false,
        last_wait: None,
        open_sockets: Vec::new(),
        leak_seen: false,
        closed: HashMap::new(),
        found: None,
        stuck: false,
        shrinking: false,
        retry,
    };
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
                    target: f.target.map(|mut t| target_report(&mut t)),
                    diagnoses: f.diagnoses,
                    timeline: timeline::snapshot(),
                    program_start: true,
                    ..Failure::default()
                };
                return not_passed(status, failure, f.mismatch);
            }
        }
    }
    let mut verdict = Ok(());
    if let Some(property) = &scenario.property
        && let Err(f) = crate::property::check(&mut run, scenario, property, ports).await
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
        verdict = not_passed(Status::Fail, failure, f.mismatch);
    }
    for (i, at) in scenario.steps.iter().enumerate() {
        if let Err(f) = run.step(&at.step).await {
            let (target, mut diagnoses) = run.evidence().await;
            if let Step::ExpectResponse(e) = &at.step
                && let Some(d) = crate::explain::page_not_found(&run, &e.from, f.received.as_ref())
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
            verdict = not_passed(status, failure, f.mismatch);
            break;
        }
    }
    result.found = run.found.take();
    if program.discovers_port() && run.spec.port != 0 {
        ports.chose(scenario.role, run.spec.port);
    }
    run.finish().await;
    verdict
}

/// Whether a step waits for the program to do something (reply, close,
/// connect, print, exit...), rather than doing something itself.
fn waits_on_program(step: &Step) -> bool {
    matches!(
        step,
        Step::ExpectReply(_)
            | Step::ExpectEof(_)
            | Step::ExpectReset(_)
            | Step::ExpectClosed(_)
            | Step::ExpectMessage(_)
            | Step::ExpectPrinted(_)
            | Step::ExpectExit(_)
            | Step::ExpectBroadcast(_)
            | Step::ExpectRequest(_)
            | Step::ExpectResponse(_)
            | Step::Accept(_)
    )
}

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

/// The port a program is given in a private network (any would do).
const PRIVATE_PORT: u16 = 40000;

/// The broadcast address handed to targets and used by the harness. Only the
/// loopback network's: a broadcast must never leave the machine.
const BROADCAST: &str = "127.255.255.255";

/// What the target is ready when, per role: servers and receivers when their
/// socket is listening / bound; clients and senders as soon as they run (the
/// harness's sockets are in place before they start).
pub(crate) fn readiness(role: Role, port: u16) -> Option<Readiness> {
    match role.ready_when() {
        ReadyWhen::Listening => Some(Readiness::TcpListen { port }),
        ReadyWhen::Bound => Some(Readiness::UdpBound { port }),
        ReadyWhen::Running => None,
    }
}

/// Why the target did not come up: the message, the target (killed, kept
/// for its output) if it got as far as running, and what could be found
/// out about why.
pub(crate) struct StartFailure {
    pub(crate) target: Option<Target>,
    pub(crate) mismatch: Mismatch,
    pub(crate) diagnoses: Vec<sockspec_results::diagnosis::Diagnosis>,
    /// The program's own code ran (and ended, or never listened): its
    /// failure. Otherwise the command could not be run at all, which is
    /// the grader's to fix.
    pub(crate) ran: bool,
}

/// Whether a program that ended this way never ran: 127 and 126 are how a
/// shell, `env` or a pyenv shim say the command was not found or cannot be
/// executed (an interpreter the machine lacks, a script without its `x`).
pub(crate) fn never_ran(state: ExitState) -> bool {
    matches!(state, ExitState::Code(126 | 127))
}

/// Spawns the target and waits until it is ready.
pub(crate) async fn start(
    spec: &TargetSpec,
    role: Role,
    config: &RunConfig,
) -> Result<Target, StartFailure> {
    let mut target = match Target::spawn(spec).await {
        Ok(t) => t,
        Err(e) => {
            return Err(StartFailure {
                target: None,
                mismatch: Mismatch::SpawnFailed(e.to_string()),
                diagnoses: Vec::new(),
                ran: false,
            });
        }
    };
    timeline::record(
        Actor::Target,
        Happening::Started {
            command: target.command_line(),
        },
    );
    let Some(what) = readiness(role, spec.port) else {
        return Ok(target);
    };
    let (udp, table) = match what {
        Readiness::TcpListen { .. } => (false, proc::Proto::Tcp),
        Readiness::UdpBound { .. } => (true, proc::Proto::Udp),
    };
    let listen = Listen {
        udp,
        port: spec.port,
    };
    let limit = config.timing.ready();
    let mut diagnoses = Vec::new();
    let mut ran = true;
    let mismatch = match target.wait_ready(what, Instant::now() + limit).await {
        Ok(()) => {
            if let Some(addr) = target.ready_addr() {
                timeline::record(Actor::Target, Happening::Ready { addr });
            }
            return Ok(target);
        }
        Err(ReadyError::Exited { state }) if never_ran(state) => {
            ran = false;
            Mismatch::CommandNotRun(ended(state))
        }
        Err(ReadyError::Exited { state }) => Mismatch::EndedBeforeReady {
            ended: ended(state),
            listen,
        },
        Err(ReadyError::Timeout { seen, .. }) => {
            if spec.port != 0 {
                diagnoses = crate::explain::bound_elsewhere(target.pid() as i32, spec.port, table);
            }
            Mismatch::NotReady {
                listen,
                after: limit,
                seen: (spec.port != 0).then_some(seen),
            }
        }
        Err(e) => Mismatch::ReadyFailed(e.to_string()),
    };
    let state = target.kill().await;
    timeline::record(
        Actor::Target,
        Happening::Exited {
            ended: ended(state),
        },
    );
    diagnoses.extend(crate::explain::exception(&target.output().stderr));
    let exception = diagnoses
        .iter()
        .find(|d| matches!(d, Diagnosis::Exception { .. }));
    if let Some(d) = crate::explain::wrong_role(role, None, spec.port, exception) {
        diagnoses.insert(0, d);
    }
    Err(StartFailure {
        target: Some(target),
        mismatch,
        diagnoses,
        ran,
    })
}

/// How a program ended, as the results say it.
pub(crate) fn ended(state: ExitState) -> Ended {
    match state {
        ExitState::Code(c) => Ended::Code(c),
        ExitState::Signal(s) => Ended::Signal(s),
    }
}

pub(crate) fn target_report(target: &mut Target) -> TargetReport {
    let output = target.output();
    TargetReport {
        command: target.command_line(),
        ended: target.try_exit().map(ended),
        stdout: output.stdout,
        stderr: output.stderr,
    }
}

/// The sockets the harness holds for the role before the target starts: the
/// server a client connects to, the receivers a broadcast must reach.
enum Harness {
    /// The harness only makes connections of its own (server roles).
    Nothing,
    /// tcp-client: the harness listens.
    Listener(TcpListener),
    /// udp-client: the harness is the UDP server.
    UdpServer(Box<UdpPeer>),
    /// broadcast roles: receivers bound to the port with SO_REUSEADDR.
    Receivers(Vec<UdpPeer>),
}

impl Harness {
    async fn set_up(role: Role, addr: SocketAddr) -> Result<Harness, StepFailure> {
        let port = addr.port();
        Ok(match role {
            Role::TcpClient | Role::HttpClient => {
                let listener =
                    reference_bind(addr).map_err(|e| StepFailure::io(Doing::Listen(addr), e))?;
                Harness::Listener(listener)
            }
            Role::UdpClient => {
                let mut server = UdpPeer::bind(addr).await?;
                server.label = "server".into();
                Harness::UdpServer(Box::new(server))
            }
            Role::BroadcastSender => {
                let mut receivers = Vec::new();
                for i in 0..2 {
                    let mut r = broadcast_receiver(port)?;
                    r.label = format!("receiver {}", i + 1);
                    receivers.push(r);
                }
                Harness::Receivers(receivers)
            }
            _ => Harness::Nothing,
        })
    }
}

/// A TCP listener with SO_REUSEADDR, like the reference server's.
fn reference_bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(16)?;
    TcpListener::from_std(socket.into())
}

/// A UDP socket bound to 0.0.0.0:port with SO_REUSEADDR: how a receiver
/// shares a port with other receivers and hears broadcasts.
fn broadcast_receiver(port: u16) -> Result<UdpPeer, StepFailure> {
    let make = || -> std::io::Result<UdpSocket> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
        socket.set_reuse_address(true)?;
        socket.set_nonblocking(true)?;
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
        socket.bind(&any.into())?;
        UdpSocket::from_std(socket.into())
    };
    make()
        .map(UdpPeer::from_socket)
        .map_err(|e| StepFailure::io(Doing::BindReceiver(port), e))
}

/// One of the harness's own sockets, named by the scenario.
pub(crate) enum Peer {
    Tcp(Conn),
    Udp(UdpPeer),
}

pub(crate) struct Run<'a> {
    pub(crate) config: &'a RunConfig,
    /// The program under test and its contract.
    pub(crate) program: &'a Program,
    /// The deadlines now: the configured ones, shortened while a property
    /// failure is being shrunk.
    pub(crate) timing: crate::Timing,
    pub(crate) role: Role,
    pub(crate) spec: TargetSpec,
    pub(crate) target: Option<Target>,
    pub(crate) addr: SocketAddr,
    harness: Harness,
    pub(crate) peers: HashMap<ConnName, Peer>,
    /// Every reply the harness sent to the target (client roles), in order,
    /// for `expect_printed`.
    replies_sent: Vec<Vec<u8>>,
    /// The method and path of the last HTTP request sent on each connection.
    pub(crate) requests: HashMap<ConnName, (String, String)>,
    /// Property scenarios of client roles: whether the target started for
    /// the scenario has had its case (later cases start their own).
    pub(crate) client_used: bool,
    /// When the last waiting step started: a failure after a long wait is
    /// worth asking "blocked where?" and "spinning?".
    pub(crate) last_wait: Option<Instant>,
    /// tcp-server: the program's open sockets each time a new client came.
    pub(crate) open_sockets: Vec<usize>,
    /// An `expect_closed` found a connection the program never closed.
    pub(crate) leak_seen: bool,
    /// The harness's and the program's ends of each connection it closed.
    closed: HashMap<ConnName, (SocketAddr, SocketAddr)>,
    /// Where a program that chose its own address was found, in words.
    found: Option<String>,
    /// The last step failed because the program stalled: it is alive and
    /// blocked, so neither its end nor its CPU use needs waiting for.
    pub(crate) stuck: bool,
    /// A property failure is being shrunk: no early end for stalls.
    pub(crate) shrinking: bool,
    /// This is a retry of a failed try: a property only needs to know
    /// whether it fails again (the first try's shrunk case is the evidence).
    pub(crate) retry: bool,
}

impl Run<'_> {
    fn conn(&mut self, name: &ConnName) -> Result<&mut Conn, StepFailure> {
        // The loader proves every connection is opened before use; this only
        // guards against a step used on the wrong kind of socket.
        match self.peers.get_mut(name) {
            Some(Peer::Tcp(c)) => Ok(c),
            Some(Peer::Udp(_)) => Err(StepFailure::bug(ScenarioBug::NotTcp(name.0.clone()))),
            None => Err(StepFailure::bug(ScenarioBug::NotOpen(name.0.clone()))),
        }
    }

    pub(crate) fn target(&mut self) -> Result<&mut Target, StepFailure> {
        self.target
            .as_mut()
            .ok_or_else(|| StepFailure::bug(ScenarioBug::NotStarted))
    }

    fn udp_server(&mut self) -> Result<&mut UdpPeer, StepFailure> {
        match &mut self.harness {
            Harness::UdpServer(peer) => Ok(peer),
            _ => Err(StepFailure::bug(ScenarioBug::NoUdpServer)),
        }
    }

    /// The harness's reply to a message from the target, by the contract
    /// (rules that do not determine a reply get the homework's classic "Thanks").
    fn reply_to(&self, message: &[u8]) -> Vec<u8> {
        sockspec_wire::reply_for(&self.program.contract.reply, message)
            .unwrap_or_else(|| b"Thanks".to_vec())
    }

    /// Carries out one step. A step that waits for the program notes when
    /// the wait started (a failure after a long one is worth a diagnosis),
    /// and a failure after a long wait says so in the timeline.
    pub(crate) async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        self.stuck = false;
        let waits = waits_on_program(step);
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

    async fn carry_out(&mut self, step: &Step) -> Result<(), StepFailure> {
        let timing = self.timing;
        // HTTP carries its own boundaries; the contract's framing is for
        // the plain stream roles.
        let framing = match self.role {
            Role::HttpServer | Role::HttpClient => sockspec_model::Framing::None,
            _ => self.program.contract.framing,
        };
        match step {
            Step::Connect(name) => {
                if self.role == Role::TcpServer
                    && let Some(t) = &self.target
                {
                    let pids = sockspec_process::inspect::program_pids(t.pid() as i32);
                    self.open_sockets.push(proc::socket_inodes(&pids).len());
                }
                let limit = timing.connect();
                let mut conn =
                    Conn::connect(self.addr, framing, Instant::now() + limit, limit).await?;
                conn.label = name.0.clone();
                timeline::record(timeline::harness(&name.0), Happening::Connected);
                self.peers.insert(name.clone(), Peer::Tcp(conn));
                Ok(())
            }
            Step::Udp(name) => {
                let any = SocketAddr::new(IpAddr::V4(self.config.host), 0);
                let mut peer = UdpPeer::bind(any).await?;
                peer.label = name.0.clone();
                self.peers.insert(name.clone(), Peer::Udp(peer));
                Ok(())
            }
            Step::Accept(name) => {
                let limit = timing.connect();
                let Harness::Listener(listener) = &self.harness else {
                    return Err(StepFailure::bug(ScenarioBug::NoListener));
                };
                match timeline::until(Instant::now() + limit, listener.accept())
                    .await
                    .ok_or(())
                {
                    Ok(Ok((stream, _))) => {
                        let mut conn = Conn::accepted(stream, framing)?;
                        conn.label = name.0.clone();
                        timeline::record(Actor::Target, Happening::Accepted);
                        self.peers.insert(name.clone(), Peer::Tcp(conn));
                        Ok(())
                    }
                    Ok(Err(e)) => Err(StepFailure::io(Doing::Accept, e)),
                    Err(_) => Err(StepFailure::new(Mismatch::NoConnection {
                        addr: self.addr,
                        within: limit,
                        trying: self.connecting_elsewhere(),
                    })),
                }
            }
            Step::Send(send) => self.send(send).await,
            Step::ExpectReply(e) => {
                let limit = timing.reply();
                let contract = self.program.contract.clone();
                let deadline = Instant::now() + limit;
                match self.peers.get_mut(&e.from) {
                    Some(Peer::Udp(peer)) => {
                        peer.expect_replies(e.count, &contract, deadline, limit)
                            .await
                    }
                    _ => {
                        self.conn(&e.from)?
                            .expect_replies(e.count, &contract, deadline, limit)
                            .await
                    }
                }
            }
            Step::ExpectMessage(e) => {
                let limit = e
                    .within_ms
                    .map(|ms| timing.pause(Duration::from_millis(ms)))
                    .unwrap_or_else(|| timing.reply());
                let deadline = Instant::now() + limit;
                let text = e.text.as_deref().map(str::as_bytes);
                match &e.from {
                    Some(name) => {
                        self.conn(name)?
                            .expect_message(text, framing, deadline, limit)
                            .await
                    }
                    None => {
                        self.udp_server()?
                            .expect_message(text, deadline, limit)
                            .await
                    }
                }
            }
            Step::Reply(r) => self.reply(r).await,
            Step::ExpectEof(name) => {
                let limit = timing.end();
                self.conn(name)?
                    .expect_eof(Instant::now() + limit, limit)
                    .await
            }
            Step::ExpectReset(name) => {
                let limit = timing.end();
                self.conn(name)?
                    .expect_reset(Instant::now() + limit, limit)
                    .await
            }
            Step::Shutdown(name) => self.conn(name)?.shutdown().await,
            Step::Close(name) => {
                if let Some(Peer::Tcp(conn)) = self.peers.remove(name) {
                    self.closed.insert(name.clone(), (conn.local, conn.remote));
                    conn.close().await;
                }
                Ok(())
            }
            Step::Abort(name) => match self.peers.remove(name) {
                Some(Peer::Tcp(conn)) => {
                    self.closed.insert(name.clone(), (conn.local, conn.remote));
                    conn.abort()
                }
                _ => Ok(()),
            },
            Step::ExpectClosed(name) => self.expect_closed(name).await,
            Step::ExpectAlive => match self.target()?.try_exit() {
                None => Ok(()),
                Some(state) => Err(StepFailure::new(Mismatch::NotRunning(ended(state)))),
            },
            Step::ExpectExit(e) => {
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
            Step::Kill => {
                self.target()?.kill().await;
                timeline::record(timeline::harness(""), Happening::Killed);
                Ok(())
            }
            Step::Start | Step::Restart => {
                if let Some(t) = self.target.as_mut() {
                    t.kill().await;
                }
                let restart = matches!(step, Step::Restart);
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
                            expected: restart
                                .then(|| Expectation::ListeningAgain(self.addr.port())),
                            ..StepFailure::new(mismatch)
                        })
                    }
                }
            }
            Step::Stdin(line) => {
                let mut bytes = line.clone().into_bytes();
                bytes.push(b'\n');
                self.type_in(&bytes).await
            }
            Step::Quit => {
                let mut bytes = self.program.contract.quit.clone().into_bytes();
                bytes.push(b'\n');
                self.type_in(&bytes).await
            }
            Step::CloseStdin => {
                self.target()?.close_stdin().await;
                timeline::record(timeline::harness(""), Happening::StdinClosed);
                Ok(())
            }
            Step::ExpectPrinted(p) => self.expect_printed(p).await,
            Step::ExpectNoTraceback => {
                let stderr = self.target()?.output().stderr;
                match stderr.find("Traceback (most recent call last)") {
                    None => Ok(()),
                    Some(at) => Err(StepFailure {
                        received: Some(sockspec_model::Bytes(stderr.as_bytes()[at..].to_vec())),
                        ..StepFailure::new(Mismatch::Traceback)
                    }),
                }
            }
            Step::ExpectBroadcast(b) => {
                let limit = b
                    .within_ms
                    .map(|ms| timing.pause(Duration::from_millis(ms)))
                    .unwrap_or_else(|| timing.reply());
                let deadline = Instant::now() + limit;
                let Harness::Receivers(receivers) = &self.harness else {
                    return Err(StepFailure::bug(ScenarioBug::NoReceivers));
                };
                let mut counts = Vec::new();
                for r in receivers {
                    counts.push(r.expect_any(b.count, deadline).await);
                }
                let (port, n) = (self.addr.port(), receivers.len());
                if counts.iter().all(|&got| got >= b.count) {
                    Ok(())
                } else {
                    let mismatch = if counts.iter().all(|&got| got == 0) {
                        Mismatch::NoBroadcast {
                            receivers: n,
                            port,
                            within: limit,
                            sender: self.target.as_mut().and_then(|t| t.try_exit()).map(ended),
                        }
                    } else {
                        Mismatch::SomeBroadcast {
                            receivers: n,
                            port,
                            counts,
                            within: limit,
                        }
                    };
                    Err(StepFailure {
                        expected: Some(Expectation::Broadcast {
                            count: b.count,
                            // A program that hard-codes its broadcast
                            // address ('<broadcast>', a subnet's) uses it.
                            to: match self.program.server {
                                Some(s) => s.ip().to_string(),
                                None => BROADCAST.to_owned(),
                            },
                            port: self.addr.port(),
                        }),
                        ..StepFailure::new(mismatch)
                    })
                }
            }
            Step::Broadcast(b) => {
                let to = SocketAddr::new(
                    IpAddr::V4(BROADCAST.parse().unwrap_or(Ipv4Addr::LOCALHOST)),
                    self.addr.port(),
                );
                let send = || -> std::io::Result<()> {
                    let socket =
                        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
                    socket.set_broadcast(true)?;
                    socket.send_to(b.text.as_bytes(), &to.into())?;
                    timeline::record(
                        timeline::harness("broadcaster"),
                        timeline::sent(b.text.as_bytes()),
                    );
                    Ok(())
                };
                send().map_err(|e| StepFailure::io(Doing::Broadcast(to), e))
            }
            Step::Request(r) => {
                let r = &r.for_contract(&self.program.contract);
                let bytes = r.bytes(&self.addr.to_string());
                let (method, path) = match &r.raw {
                    Some(raw) => {
                        let mut words = raw.split_whitespace();
                        let method = words.next().unwrap_or_default().to_owned();
                        (method, words.next().unwrap_or_default().to_owned())
                    }
                    None => (r.method.clone(), r.path.clone()),
                };
                self.requests.insert(r.to.clone(), (method, path));
                let pause = Duration::from_millis(r.pause_ms);
                let chunks = match sockspec_http::head_end(&bytes) {
                    Some(head) if r.split_body && r.chunks.is_empty() => vec![head],
                    _ => r.chunks.clone(),
                };
                let conn = self.conn(&r.to)?;
                crate::http::send_pieces(
                    conn,
                    &bytes,
                    &chunks,
                    pause,
                    timing,
                    crate::http::Writing::Request,
                )
                .await
            }
            Step::ExpectResponse(e) => {
                let (method, path) = self
                    .requests
                    .get(&e.from)
                    .cloned()
                    .unwrap_or_else(|| ("GET".into(), "/".into()));
                let contract = &self.program.contract;
                let Some(Peer::Tcp(conn)) = self.peers.get_mut(&e.from) else {
                    return Err(StepFailure::bug(ScenarioBug::NotOpen(e.from.0.clone())));
                };
                crate::http::expect_response(conn, &method, &path, e, contract, timing)
                    .await
                    .map(drop)
            }
            Step::ExpectRequest(e) => {
                let conn = self.conn(&e.from)?;
                crate::http::expect_request(conn, e, timing).await
            }
            Step::Respond(r) => {
                let bytes = r.bytes();
                let pause = Duration::from_millis(r.pause_ms);
                let conn = self.conn(&r.to)?;
                let writing = crate::http::Writing::Response;
                crate::http::send_pieces(conn, &bytes, &r.chunks, pause, timing, writing).await?;
                // Every response ends the connection (Connection: close), so
                // a client that reads until b'' is never left waiting.
                if let Some(Peer::Tcp(conn)) = self.peers.remove(&r.to) {
                    conn.close().await;
                }
                Ok(())
            }
            Step::BindBeside => {
                let receiver = broadcast_receiver(self.addr.port())?;
                match &mut self.harness {
                    Harness::Receivers(rs) => rs.push(receiver),
                    other => *other = Harness::Receivers(vec![receiver]),
                }
                Ok(())
            }
        }
    }

    async fn type_in(&mut self, bytes: &[u8]) -> Result<(), StepFailure> {
        self.target()?
            .write_stdin(bytes)
            .await
            .map_err(|e| StepFailure::io(Doing::Stdin, e))
    }

    async fn reply(&mut self, r: &sockspec_model::ReplyStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let framing = self.program.contract.framing;
        match &r.to {
            None => {
                let rule = self.program.contract.reply.clone();
                let sent = self
                    .udp_server()?
                    .reply(r.count, |m| {
                        sockspec_wire::reply_for(&rule, m).unwrap_or_else(|| b"Thanks".to_vec())
                    })
                    .await?;
                self.replies_sent.extend(sent);
                Ok(())
            }
            Some(name) => {
                let messages = self.conn(name)?.take_unanswered(r.count)?;
                let replies: Vec<Vec<u8>> = messages.iter().map(|m| self.reply_to(m)).collect();
                let bytes: Vec<u8> = replies
                    .iter()
                    .flat_map(|reply| sockspec_wire::encode(framing, reply))
                    .collect();
                self.replies_sent.extend(replies);
                let conn = self.conn(name)?;
                let last =
                    write_leading_pieces(conn, &bytes, &r.chunks, Duration::ZERO, timing).await?;
                conn.write(last, Instant::now() + timing.reply()).await
            }
        }
    }

    /// Waits until stdout holds the text, or each of the last N replies as
    /// many times as it was sent (a reply printed in fragments does not count).
    async fn expect_printed(
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
        let target = self.target()?;
        let mut exited: Option<(Instant, sockspec_process::ExitState)> = None;
        loop {
            let stdout = target.output().stdout;
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

    async fn send(&mut self, send: &SendStep) -> Result<(), StepFailure> {
        let framing = self.program.contract.framing;
        if matches!(self.peers.get(&send.to), Some(Peer::Udp(_))) {
            return self.send_datagrams(send).await;
        }
        let bytes: Vec<u8> = if send.framed {
            send.messages
                .iter()
                .flat_map(|m| sockspec_wire::encode(framing, &m.0))
                .collect()
        } else {
            send.messages
                .iter()
                .flat_map(|m| m.0.iter().copied())
                .collect()
        };
        let timing = self.timing;
        let conn = self.conn(&send.to)?;
        conn.expect_replies_to(send.messages.iter().map(|m| m.0.clone()));
        let last = write_leading_pieces(conn, &bytes, &send.chunks, send.pause, timing).await?;
        let deadline = Instant::now() + timing.reply();
        match self.peers.remove(&send.to) {
            Some(Peer::Tcp(conn)) if send.close => {
                self.closed
                    .insert(send.to.clone(), (conn.local, conn.remote));
                conn.write_and_close(last, deadline).await
            }
            Some(Peer::Tcp(mut conn)) => {
                let written = conn.write(last, deadline).await;
                self.peers.insert(send.to.clone(), Peer::Tcp(conn));
                written
            }
            _ => Err(StepFailure::bug(ScenarioBug::NotOpen(send.to.0.clone()))),
        }
    }

    /// Sends each message as one datagram (no framing, no pieces), then waits
    /// until the target has read them all (its socket's receive queue is
    /// empty), so the next step's datagrams cannot be read in the same
    /// breath. With `queued`, the target is paused while they are sent, so
    /// they all wait in its queue together.
    async fn send_datagrams(&mut self, send: &SendStep) -> Result<(), StepFailure> {
        let messages: Vec<Vec<u8>> = send.messages.iter().map(|m| m.0.clone()).collect();
        let to = self.addr;
        let deadline = Instant::now() + self.timing.consumed();
        let pid = self.target.as_ref().map(|t| t.pid() as i32);
        if send.queued {
            self.target()?.pause();
        }
        let sent = match self.peers.get_mut(&send.to) {
            Some(Peer::Udp(peer)) => peer.send(&messages, to).await,
            _ => Err(StepFailure::bug(ScenarioBug::NotUdp(send.to.0.clone()))),
        };
        if send.queued {
            self.target()?.resume();
        }
        sent?;
        let Some(pid) = pid else { return Ok(()) };
        loop {
            let unread: u32 = proc::sockets(pid, proc::Proto::Udp)
                .iter()
                .filter(|e| e.local.port() == to.port())
                .map(|e| e.rx_queue)
                .sum();
            if unread == 0 || Instant::now() >= deadline {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// The target's state and output now, if it was started. A target that
    /// is dying (a reset or refused connection is often the first sign of a
    /// crash) gets a moment to be reaped, so the report can say how it ended.
    pub(crate) async fn report(&mut self) -> Option<TargetReport> {
        // A stalled program is alive and blocked, not dying.
        let grace = if self.stuck {
            Duration::ZERO
        } else {
            self.timing.exit() / 8
        };
        let target = self.target.as_mut()?;
        if let Some(state) = target.wait_exit(Instant::now() + grace).await {
            timeline::record(
                Actor::Target,
                Happening::Exited {
                    ended: ended(state),
                },
            );
        }
        Some(target_report(target))
    }

    /// A server bound to one address of its own choosing (a hard-coded
    /// '10.16.129.97'): the harness connects there from now on. One bound
    /// to every address is reached on the usual one.
    fn adopt_ready_addr(&mut self, target: &Target) {
        let Some(a) = target.ready_addr() else {
            return;
        };
        let verb = match self.role {
            Role::UdpServer | Role::BroadcastReceiver => "bound to",
            _ => "listening on",
        };
        if self.program.discovers_port() {
            // A restart waits for the same port again.
            self.spec.port = a.port();
            self.addr.set_port(a.port());
            self.found = Some(format!("{verb} {a} (its own choice of port)"));
        }
        if !a.ip().is_unspecified()
            && matches!(
                self.role,
                Role::TcpServer | Role::HttpServer | Role::UdpServer
            )
        {
            self.addr = a;
            if !a.ip().is_loopback() {
                self.found = Some(format!("{verb} {a} (its own choice of address)"));
            }
        }
    }

    /// Where the program is trying to connect instead, read from the
    /// kernel's table (its sockets in SYN_SENT), as a clause of a message.
    fn connecting_elsewhere(&self) -> Vec<SocketAddr> {
        self.target
            .as_ref()
            .map(|t| crate::explain::connecting_to(t.pid() as i32))
            .unwrap_or_default()
    }

    /// The evidence of a failure that just happened: the diagnoses `/proc`
    /// gives now, then (once the program's output has settled) its state,
    /// its output and the exception its traceback names.
    pub(crate) async fn evidence(
        &mut self,
    ) -> (
        Option<TargetReport>,
        Vec<sockspec_results::diagnosis::Diagnosis>,
    ) {
        let mut diagnoses = crate::explain::diagnose(self).await;
        let pgid = self.target.as_ref().map(|t| t.pid() as i32);
        let target = self.report().await;
        let exception = target
            .as_ref()
            .and_then(|t| crate::explain::exception(&t.stderr));
        let wrong =
            crate::explain::wrong_role(self.role, pgid, self.addr.port(), exception.as_ref());
        // A server graded as a client fails to bind the harness's port:
        // its EADDRINUSE is the wrong role, not a TIME_WAIT to fix.
        let explained = matches!(
            wrong,
            Some(Diagnosis::WrongRole {
                seen: sockspec_results::diagnosis::RoleSign::BindsHarnessPort(_),
                ..
            })
        );
        if let Some(e) = exception.filter(|_| !explained) {
            diagnoses.insert(0, e);
        }
        if let Some(w) = wrong {
            diagnoses.insert(0, w);
        }
        (target, diagnoses)
    }

    /// Waits until the program has closed its end of a connection the
    /// harness closed: its socket for it is gone from the kernel's table,
    /// or past CLOSE_WAIT. Read from the kernel (sock_diag) each
    /// millisecond; the program does nothing the harness could await.
    async fn expect_closed(&mut self, name: &ConnName) -> Result<(), StepFailure> {
        const CLOSE_WAIT: u8 = 0x08;
        let Some(&(harness, program)) = self.closed.get(name) else {
            return Err(StepFailure::bug(ScenarioBug::NotClosedByHarness(
                name.0.clone(),
            )));
        };
        let limit = self.timing.end();
        let started = Instant::now();
        let deadline = started + limit;
        loop {
            match proc::tcp_conn(program, harness) {
                Some(e) if e.state == CLOSE_WAIT => {}
                _ => return Ok(()),
            }
            if Instant::now() >= deadline || timeline::is_cut() {
                self.leak_seen = true;
                return Err(StepFailure {
                    expected: Some(Expectation::CloseSocket),
                    ..StepFailure::new(Mismatch::CloseWait {
                        after: started.elapsed(),
                        name: name.0.clone(),
                        program,
                        harness,
                    })
                });
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Ends the scenario: the harness's connections close first, so that
    /// the TIME_WAIT of each is on the harness's side, not on a port the
    /// program binds (the next scenario of a program with a hard-coded port
    /// starts it again there); then the program is killed.
    async fn finish(mut self) {
        for (_, peer) in self.peers.drain() {
            if let Peer::Tcp(conn) = peer {
                conn.close().await;
            }
        }
        if let Some(t) = self.target.as_mut() {
            t.kill().await;
        }
    }
}

/// Writes every piece of `bytes` but the last, each once the target has read
/// the one before (plus the scenario's own pause), and returns the last piece
/// for the caller to write as it must (plainly, or together with a close).
pub(crate) async fn write_leading_pieces<'b>(
    conn: &mut Conn,
    bytes: &'b [u8],
    chunks: &[usize],
    pause: Duration,
    timing: crate::Timing,
) -> Result<&'b [u8], StepFailure> {
    let mut pieces = split(bytes, chunks);
    let last = pieces.pop().unwrap_or_default();
    for piece in pieces {
        conn.write(piece, Instant::now() + timing.reply()).await?;
        wait_consumed(conn, Instant::now() + timing.consumed()).await;
        if !pause.is_zero() {
            tokio::time::sleep(timing.pause(pause)).await;
        }
    }
    Ok(last)
}

/// Cuts `bytes` into pieces of the given sizes; what is left is a last piece.
pub(crate) fn split<'b>(bytes: &'b [u8], sizes: &[usize]) -> Vec<&'b [u8]> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    for &size in sizes {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Waits until the target has read everything written on `conn`: the
/// harness's socket has no unacknowledged bytes and the target's socket has
/// nothing left unread (both asked of the kernel by exact address, as `ss`
/// does). This is what makes a split message arrive in separate recv calls,
/// whatever the machine's load: the next piece is written only after the
/// target has read the previous one. Past the deadline the next piece goes
/// anyway; a target that never reads fails on its replies, not here.
///
/// Where the kernel gives the target socket's byte count (tcp_info), "read"
/// means: every byte written has arrived there and none is left unread.
/// That does not wait for the target's ACK, which a delayed ACK can hold
/// back 40 ms when the target has nothing to answer (a half message).
pub(crate) async fn wait_consumed(conn: &Conn, deadline: Instant) {
    let started = Instant::now();
    loop {
        let drained = match proc::tcp_conn(conn.remote, conn.local) {
            Some(proc::SocketEntry {
                bytes_received: Some(got),
                rx_queue,
                ..
            }) => got >= conn.written() && rx_queue == 0,
            _ => {
                let ours = proc::tcp_conn_queues(conn.local, conn.remote);
                let theirs = proc::tcp_conn_queues(conn.remote, conn.local);
                matches!(ours, Some((0, _))) && matches!(theirs, Some((_, 0)))
            }
        };
        if drained || Instant::now() >= deadline {
            return;
        }
        // A target that is running reads within tens of microseconds; the
        // timer's millisecond would be most of the wait. Ask again at once
        // for the first half millisecond (each question costs ~10 µs),
        // then settle for the timer.
        if started.elapsed() < Duration::from_micros(500) {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn split_keeps_every_byte_in_order() {
        let b = b"hello world";
        assert_eq!(split(b, &[3, 2]), vec![&b"hel"[..], b"lo", b" world"]);
        assert_eq!(split(b, &[]), vec![&b[..]]);
        assert_eq!(split(b, &[20]), vec![&b[..]]);
        assert_eq!(split(b"", &[]), vec![&b""[..]]);
    }
}
