//! Starting the program under test and waiting until it can be tested:
//! the one place that knows what "ready" means for each role and what to
//! say (as data) when a program never gets there.

use sockspec_model::{ReadyWhen, Role};
use sockspec_process::{ExitState, Readiness, ReadyError, Target, TargetSpec, proc};
use tokio::time::Instant;

use crate::RunConfig;
use crate::timeline;
use sockspec_results::diagnosis::{Actor, Happening};
use sockspec_results::event::TargetReport;
use sockspec_results::{Ended, Language, Listen, Mismatch};

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
    /// What the program is written in, as recognised to read its output.
    pub(crate) language: Language,
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
                language: Language::Unknown,
                mismatch: match e {
                    sockspec_process::TargetError::Spawn { program, source } => {
                        Mismatch::SpawnFailed {
                            not_on_path: source.kind() == std::io::ErrorKind::NotFound
                                && !program.contains('/'),
                            program: Some(program),
                            error: source.to_string(),
                        }
                    }
                    other => Mismatch::SpawnFailed {
                        program: None,
                        not_on_path: false,
                        error: other.to_string(),
                    },
                },
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
    let program = crate::language::of(spec);
    let errors = crate::explain::from_output(
        &target.output().stderr,
        &program,
        Some(&crate::language::cwd_of(spec)),
        crate::language::path_of(spec).as_ref(),
    );
    let wrong = crate::explain::wrong_role(role, None, spec.port, &errors);
    let died = crate::explain::death(target.try_exit().map(ended), &timeline::snapshot());
    let hits = crate::explain::limits_hit(Some(&target));
    diagnoses.splice(
        0..0,
        hits.into_iter().chain(wrong).chain(died).chain(errors),
    );
    Err(StartFailure {
        target: Some(target),
        language: program.language,
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

/// The target as a report shows it, `language` being what it is written in.
pub(crate) fn target_report(target: &mut Target, language: Language) -> TargetReport {
    let output = target.output();
    TargetReport {
        command: target.command_line(),
        ended: target.try_exit().map(ended),
        stdout: output.stdout,
        stderr: output.stderr,
        stdout_dropped: output.stdout_dropped,
        stderr_dropped: output.stderr_dropped,
        language,
    }
}
