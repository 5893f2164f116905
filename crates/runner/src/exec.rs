//! Carrying out one scenario: start the target on a fresh port, wait until it
//! listens, play the steps in order, and turn the first step that does not
//! hold into a verdict with its evidence. The target is killed at the end of
//! every scenario, whatever happened, so nothing outlives its scenario.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sockspec_model::{ConnName, Scenario, SendStep, Step};
use sockspec_target::{ExitState, Readiness, ReadyError, Target, TargetSpec, proc};
use tokio::time::Instant;

use crate::conn::{Conn, StepFailure};
use crate::event::{Failure, ScenarioResult, Status, TargetReport};
use crate::{RunConfig, ports::PortPool};

/// Runs one scenario to its verdict.
pub async fn run_scenario(
    scenario: &Scenario,
    config: &RunConfig,
    ports: &PortPool,
) -> ScenarioResult {
    let started = Instant::now();
    let mut result = ScenarioResult {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        role: scenario.role,
        level: scenario.level,
        counted: scenario.counts(config.strict),
        points: scenario.points,
        status: Status::Pass,
        duration: Duration::ZERO,
        message: String::new(),
        concept: scenario.concept.clone(),
        file: scenario.file.clone(),
        failure: None,
    };
    if let Some(reason) = scenario.when.skip_reason(&config.contract) {
        result.status = Status::Skip;
        result.message = reason;
        return result;
    }
    let outcome = play(scenario, config, ports).await;
    result.duration = started.elapsed();
    if let Err(not_passed) = outcome {
        result.status = not_passed.status;
        result.message = not_passed.message;
        result.failure = Some(not_passed.failure);
    }
    result
}

/// A scenario that did not pass: how, why, and the evidence.
struct NotPassed {
    status: Status,
    message: String,
    failure: Failure,
}

type Verdict = Result<(), Box<NotPassed>>;

fn not_passed(status: Status, failure: Failure, message: String) -> Verdict {
    Err(Box::new(NotPassed {
        status,
        message,
        failure,
    }))
}

async fn play(scenario: &Scenario, config: &RunConfig, ports: &PortPool) -> Verdict {
    let port = match config.port {
        Some(p) => p,
        None => match ports.take() {
            Ok(p) => p,
            Err(e) => {
                return not_passed(
                    Status::Error,
                    Failure::default(),
                    format!("no free port for the target: {e}"),
                );
            }
        },
    };
    let spec = TargetSpec {
        command: config.target.clone(),
        host: config.host.to_string(),
        port,
        broadcast: "127.255.255.255".into(),
        cwd: config.cwd.clone(),
        env: Vec::new(),
        output_cap: 64 * 1024,
        stdin: false,
    };
    let target = match start(&spec, config).await {
        Ok(t) => t,
        Err((target, message)) => {
            let failure = Failure {
                target: target.map(|mut t| target_report(&mut t)),
                ..Failure::default()
            };
            return not_passed(Status::Error, failure, message);
        }
    };
    let mut run = Run {
        config,
        spec,
        target,
        addr: SocketAddr::new(IpAddr::V4(config.host), port),
        conns: HashMap::new(),
    };
    let mut verdict = Ok(());
    for (i, at) in scenario.steps.iter().enumerate() {
        if let Err(f) = run.step(&at.step).await {
            let target = run.report().await;
            let failure = Failure {
                step: i + 1,
                step_text: at.step.to_string(),
                line: at.line,
                sent: f.sent,
                expected: f.expected,
                received: f.received,
                target: Some(target),
            };
            verdict = not_passed(Status::Fail, failure, f.message);
            break;
        }
    }
    run.finish().await;
    verdict
}

/// Spawns the target and waits until it listens. On failure, the message and
/// the target (killed, kept for its output) if it got as far as running.
async fn start(spec: &TargetSpec, config: &RunConfig) -> Result<Target, (Option<Target>, String)> {
    let mut target = match Target::spawn(spec).await {
        Ok(t) => t,
        Err(e) => return Err((None, format!("the target could not be started: {e}"))),
    };
    let limit = config.timing.ready();
    let ready = target
        .wait_ready(
            Readiness::TcpListen { port: spec.port },
            Instant::now() + limit,
        )
        .await;
    let message = match ready {
        Ok(()) => return Ok(target),
        Err(ReadyError::Exited { state }) => {
            format!(
                "the target {state} before it listened on port {}",
                spec.port
            )
        }
        Err(ReadyError::Timeout { seen, .. }) => format!(
            "the target did not listen on port {} within {:.1} s: {seen}",
            spec.port,
            limit.as_secs_f64()
        ),
        Err(e) => format!("waiting for the target to listen failed: {e}"),
    };
    target.kill().await;
    Err((Some(target), message))
}

fn target_report(target: &mut Target) -> TargetReport {
    let output = target.output();
    TargetReport {
        command: target.command_line(),
        state: match target.try_exit() {
            Some(state) => state.to_string(),
            None => "running".into(),
        },
        stdout: output.stdout,
        stderr: output.stderr,
    }
}

struct Run<'a> {
    config: &'a RunConfig,
    spec: TargetSpec,
    target: Target,
    addr: SocketAddr,
    conns: HashMap<ConnName, Conn>,
}

impl Run<'_> {
    fn conn(&mut self, name: &ConnName) -> Result<&mut Conn, StepFailure> {
        // The loader proves every connection is opened before use; this only
        // guards against a future step kind that forgets to.
        self.conns
            .get_mut(name)
            .ok_or_else(|| StepFailure::new(format!("connection `{name}` is not open")))
    }

    async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        let timing = self.config.timing;
        match step {
            Step::Connect(name) => {
                let limit = timing.connect();
                let conn = Conn::connect(
                    self.addr,
                    self.config.contract.framing,
                    Instant::now() + limit,
                    limit,
                )
                .await?;
                self.conns.insert(name.clone(), conn);
                Ok(())
            }
            Step::Send(send) => self.send(send).await,
            Step::ExpectReply(e) => {
                let limit = timing.reply();
                let contract = self.config.contract.clone();
                self.conn(&e.from)?
                    .expect_replies(e.count, &contract, Instant::now() + limit, limit)
                    .await
            }
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
                if let Some(conn) = self.conns.remove(name) {
                    conn.close().await;
                }
                Ok(())
            }
            Step::Abort(name) => match self.conns.remove(name) {
                Some(conn) => conn.abort(),
                None => Ok(()),
            },
            Step::ExpectAlive => match self.target.try_exit() {
                None => Ok(()),
                Some(state) => Err(StepFailure::new(format!(
                    "the target is no longer running: it {state}"
                ))),
            },
            Step::ExpectExit(e) => {
                let limit = timing.exit();
                match self.target.wait_exit(Instant::now() + limit).await {
                    None => Err(StepFailure::new(format!(
                        "the target was still running {:.1} s later",
                        limit.as_secs_f64()
                    ))),
                    Some(state) => match (e.code, &state) {
                        (Some(want), got) if *got != ExitState::Code(want) => {
                            Err(StepFailure::new(format!(
                                "the target {state}; the scenario expects exit code {want}"
                            )))
                        }
                        _ => Ok(()),
                    },
                }
            }
            Step::Kill => {
                self.target.kill().await;
                Ok(())
            }
            Step::Restart => {
                self.target.kill().await;
                match start(&self.spec, self.config).await {
                    Ok(t) => {
                        self.target = t;
                        Ok(())
                    }
                    Err((target, message)) => {
                        if let Some(t) = target {
                            // Report the instance that failed to come back.
                            self.target = t;
                        }
                        Err(StepFailure {
                            message: format!("after the restart, {message}"),
                            expected: Some(format!(
                                "the target listening on port {} again at once",
                                self.addr.port()
                            )),
                            ..Default::default()
                        })
                    }
                }
            }
        }
    }

    async fn send(&mut self, send: &SendStep) -> Result<(), StepFailure> {
        let framing = self.config.contract.framing;
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
        let timing = self.config.timing;
        let conn = self.conn(&send.to)?;
        conn.expect_replies_to(send.messages.iter().map(|m| m.0.clone()));
        let mut pieces = split(&bytes, &send.chunks);
        let last = pieces.pop().unwrap_or_default();
        for piece in pieces {
            conn.write(piece, Instant::now() + timing.reply()).await?;
            wait_consumed(conn, Instant::now() + timing.consumed()).await;
            if !send.pause.is_zero() {
                tokio::time::sleep(timing.pause(send.pause)).await;
            }
        }
        let deadline = Instant::now() + timing.reply();
        match self.conns.remove(&send.to) {
            Some(conn) if send.close => conn.write_and_close(last, deadline).await,
            Some(mut conn) => {
                let written = conn.write(last, deadline).await;
                self.conns.insert(send.to.clone(), conn);
                written
            }
            None => Err(StepFailure::new(format!(
                "connection `{}` is not open",
                send.to
            ))),
        }
    }

    /// The target's state and output now. A target that is dying (a reset
    /// or refused connection is often the first sign of a crash) gets a
    /// moment to be reaped, so the report can say how it ended.
    async fn report(&mut self) -> TargetReport {
        let grace = self.config.timing.exit() / 8;
        let _ = self.target.wait_exit(Instant::now() + grace).await;
        target_report(&mut self.target)
    }

    async fn finish(mut self) {
        self.target.kill().await;
        self.conns.clear();
    }
}

/// Cuts `bytes` into pieces of the given sizes; what is left is a last piece.
fn split<'b>(bytes: &'b [u8], sizes: &[usize]) -> Vec<&'b [u8]> {
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
async fn wait_consumed(conn: &Conn, deadline: Instant) {
    loop {
        let ours = proc::tcp_conn_queues(conn.local, conn.remote);
        let theirs = proc::tcp_conn_queues(conn.remote, conn.local);
        let drained = matches!(ours, Some((0, _))) && matches!(theirs, Some((_, 0)));
        if drained || Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
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
