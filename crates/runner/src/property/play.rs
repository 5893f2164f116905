//! Playing one generated case against the live program: the program kept
//! running (servers), or a client started afresh or gone on from the case
//! it passed before; the case turned into ordinary steps, and what it left
//! open closed again.

use std::time::Duration;

use sockspec_model::{
    BroadcastStep, Bytes, ConnName, ExpectExitStep, ExpectMessageStep, ExpectPrintedStep,
    ExpectReplyStep, ExpectRequestStep, ExpectResponseStep, ReplyStep, RequestStep, RespondStep,
    Role, SendStep, Step,
};
use tokio::time::Instant;

use super::case::{Case, conn, response};
use crate::conn::StepFailure;
use crate::ports::PortPool;
use crate::run::{Peer, Run};
use sockspec_results::{Doing, Mismatch, ScenarioBug};

/// The status each path gets when its request is sent whole.
#[derive(Default)]
pub(super) struct Baseline {
    status: std::collections::HashMap<String, u16>,
}

/// Restarts a target that died (on a fresh port where the harness chose
/// it: the old one may sit in TIME_WAIT), so one crashing case does not
/// fail every later one.
pub(super) async fn ensure_running(run: &mut Run<'_>, ports: &PortPool) -> Result<(), StepFailure> {
    // A server that is dying (it crashed on the last case) may not have
    // exited yet; one whose socket no longer listens is as good as dead.
    let port = run.spec.port;
    let alive = match run.target.as_mut() {
        Some(t) => {
            t.try_exit().is_none()
                && match crate::start::readiness(run.role, port) {
                    Some(what) => t.wait_ready(what, Instant::now()).await.is_ok(),
                    None => true,
                }
        }
        None => false,
    };
    if alive {
        return Ok(());
    }
    if let Some(mut old) = run.target.take() {
        old.kill().await;
    }
    // A port the program chose or hard-codes is the one it binds again;
    // only a port the harness handed out can be traded for a fresh one.
    let own_port = run.program.addressing().picks_own_port();
    if !own_port {
        let port = ports
            .take()
            .map_err(|e| StepFailure::io(Doing::RestartPort, e))?;
        run.spec.port = port;
        run.addr.set_port(port);
    }
    match crate::start::start(&run.spec, run.role, run.config).await {
        Ok(t) => {
            run.target = Some(t);
            Ok(())
        }
        Err(f) => Err(StepFailure::new(Mismatch::RestartFailed(Box::new(
            f.mismatch,
        )))),
    }
}

/// A client runs one conversation: each case gets a fresh run of the
/// program (the first case the one the scenario started).
pub(super) async fn fresh_client(run: &mut Run<'_>) -> Result<(), StepFailure> {
    run.printed_from = 0;
    if let Some(t) = run.target.as_mut() {
        if !run.client_used {
            run.client_used = true;
            return Ok(());
        }
        t.kill().await;
    }
    run.target = None;
    match crate::start::start(&run.spec, run.role, run.config).await {
        Ok(t) => {
            run.target = Some(t);
            Ok(())
        }
        Err(f) => Err(StepFailure::new(f.mismatch)),
    }
}

/// Whether the client the last case passed on may type the next case too,
/// as a server that passed serves the next scenario (see `warm.rs`): it
/// is alive and back in `input()` with nothing queued on its sockets
/// (looked for within a short wait), and the harness has nothing of it
/// left to read. Not while shrinking (every candidate meets a fresh
/// client, so the smallest case is the same every run), and not with
/// `--fresh`. A case that fails on a client that went on is played again
/// on a fresh one, which decides: a verdict never rests on what an earlier
/// case left behind.
async fn client_goes_on(run: &mut Run<'_>) -> bool {
    if !run.config.share || run.shrinking || !run.client_used || run.client_busy {
        return false;
    }
    let harness_quiet = match run.role {
        Role::UdpClient => run.udp_server().is_ok_and(|s| s.is_quiet()),
        Role::TcpClient => match run.peers.get(&conn("a")) {
            Some(Peer::Tcp(a)) => a.is_quiet(),
            _ => false,
        },
        _ => false,
    };
    let drain = run.timing.drain();
    let Some(target) = run.target.as_mut() else {
        return false;
    };
    if !harness_quiet || !target.limit_hits().is_empty() {
        return false;
    }
    let since = Instant::now();
    let deadline = since + drain;
    loop {
        if target.try_exit().is_some() {
            return false;
        }
        if sockspec_process::inspect::idle_client(target.pid() as i32) {
            run.printed_from = target.output().stdout.len();
            return true;
        }
        if Instant::now() >= deadline {
            run.client_busy = true;
            return false;
        }
        tokio::time::sleep(sockspec_process::poll_after(since)).await;
    }
}

/// Closes the harness's connections of the last case.
async fn close_peers(run: &mut Run<'_>) {
    for (_, peer) in run.peers.drain() {
        if let Peer::Tcp(c) = peer {
            c.close().await;
        }
    }
    run.requests.clear();
}

/// Plays one case, then closes whatever it opened (a client that may go on
/// keeps its connection).
pub(super) async fn play(
    run: &mut Run<'_>,
    case: &Case,
    baseline: &mut Baseline,
    ports: &PortPool,
) -> Result<(), StepFailure> {
    if !run.role.is_client() {
        ensure_running(run, ports).await?;
        let verdict = play_steps(run, case, baseline).await;
        close_peers(run).await;
        return verdict;
    }
    if client_goes_on(run).await {
        let verdict = play_steps(run, case, baseline).await;
        if verdict.is_ok() {
            run.went_on += 1;
            return verdict;
        }
        run.case_replayed = true;
    }
    close_peers(run).await;
    fresh_client(run).await?;
    play_steps(run, case, baseline).await
}

pub(super) async fn play_steps(
    run: &mut Run<'_>,
    case: &Case,
    baseline: &mut Baseline,
) -> Result<(), StepFailure> {
    match case {
        Case::Stream {
            pieces,
            pause_ms,
            messages,
        } => {
            let p = conn("p");
            run.step(&Step::Connect(p.clone())).await?;
            run.step(&Step::Send(SendStep {
                to: p.clone(),
                messages: messages.iter().cloned().map(Bytes).collect(),
                framed: true,
                chunks: pieces.clone(),
                pause: Duration::from_millis(*pause_ms),
                close: false,
                queued: false,
            }))
            .await?;
            run.step(&Step::ExpectReply(ExpectReplyStep {
                from: p,
                count: messages.len(),
            }))
            .await
        }
        Case::Udp {
            queued,
            senders,
            datagrams,
        } => {
            let names: Vec<ConnName> = (0..*senders).map(|i| conn(&format!("s{i}"))).collect();
            for name in &names {
                run.step(&Step::Udp(name.clone())).await?;
            }
            if *queued {
                run.target()?.pause();
            }
            let mut sent = Ok(());
            for (s, datagram) in datagrams {
                let addr = run.addr;
                if let Some(Peer::Udp(peer)) = run.peers.get_mut(&names[*s]) {
                    sent = peer.send(std::slice::from_ref(datagram), addr).await;
                    if sent.is_err() {
                        break;
                    }
                }
                if !*queued {
                    let from = match run.peers.get(&names[*s]) {
                        Some(Peer::Udp(peer)) => peer.local_addr(),
                        _ => None,
                    };
                    if let (Some(pid), Some(from)) = (run.target_pid(), from) {
                        let deadline = Instant::now() + run.timing.consumed();
                        crate::steps::until_read(pid, run.addr, from, deadline).await;
                    }
                }
            }
            if *queued {
                run.target()?.resume();
            }
            sent?;
            for (i, name) in names.iter().enumerate() {
                let count = datagrams.iter().filter(|(s, _)| *s == i).count();
                if count > 0 {
                    run.step(&Step::ExpectReply(ExpectReplyStep {
                        from: name.clone(),
                        count,
                    }))
                    .await?;
                }
            }
            Ok(())
        }
        Case::Replies { pieces, lines } => {
            // A TCP client's conversation is on the connection it opens; a
            // UDP client's, on the harness's UDP server.
            let a = (run.role == Role::TcpClient).then(|| conn("a"));
            if let Some(a) = a.as_ref().filter(|a| !run.peers.contains_key(a)) {
                run.step(&Step::Accept(a.clone())).await?;
            }
            for (i, line) in lines.iter().enumerate() {
                run.step(&Step::Stdin(line.clone())).await?;
                run.step(&Step::ExpectMessage(ExpectMessageStep {
                    from: a.clone(),
                    text: Some(line.clone()),
                    within_ms: None,
                }))
                .await?;
                run.step(&Step::Reply(ReplyStep {
                    to: a.clone(),
                    count: 1,
                    chunks: pieces.clone(),
                }))
                .await?;
                run.step(&Step::ExpectPrinted(ExpectPrintedStep {
                    text: None,
                    replies: i + 1,
                }))
                .await?;
            }
            Ok(())
        }
        Case::Broadcasts { texts } => {
            for text in texts {
                run.step(&Step::Broadcast(BroadcastStep { text: text.clone() }))
                    .await?;
                run.step(&Step::ExpectPrinted(ExpectPrintedStep {
                    text: Some(text.clone()),
                    replies: 0,
                }))
                .await?;
            }
            Ok(())
        }
        Case::Response {
            pieces,
            pause_ms,
            close_delimited,
            body,
        } => {
            let a = conn("a");
            run.step(&Step::Accept(a.clone())).await?;
            run.step(&Step::ExpectRequest(ExpectRequestStep {
                from: a,
                method: None,
                within_ms: None,
            }))
            .await?;
            run.step(&Step::Respond(RespondStep {
                chunks: pieces.clone(),
                pause_ms: *pause_ms,
                ..response(body, *close_delimited)
            }))
            .await?;
            run.step(&Step::ExpectPrinted(ExpectPrintedStep {
                text: Some(body.clone()),
                replies: 0,
            }))
            .await?;
            run.step(&Step::ExpectExit(ExpectExitStep { code: Some(0) }))
                .await
        }
        Case::Http { path, .. } => {
            let want = match baseline.status.get(path) {
                Some(&s) => s,
                None => {
                    let whole = RequestStep {
                        chunks: Vec::new(),
                        pause_ms: 0,
                        ..case.request()
                    };
                    let status = request(run, &whole)
                        .await
                        .map_err(|f| f.map(|m| Mismatch::BaselineFailed(Box::new(m))))?;
                    for (_, peer) in run.peers.drain() {
                        if let Peer::Tcp(c) = peer {
                            c.close().await;
                        }
                    }
                    baseline.status.insert(path.clone(), status);
                    status
                }
            };
            let status = request(run, &case.request()).await?;
            if status != want {
                return Err(StepFailure::new(Mismatch::PiecesStatus {
                    got: status,
                    want,
                }));
            }
            Ok(())
        }
    }
}

/// Sends one request on a fresh connection and reads the response.
pub(super) async fn request(run: &mut Run<'_>, req: &RequestStep) -> Result<u16, StepFailure> {
    let p = conn("p");
    run.step(&Step::Connect(p.clone())).await?;
    run.step(&Step::Request(req.clone())).await?;
    let step = ExpectResponseStep {
        from: p.clone(),
        status: None,
        body: None,
        within_ms: None,
    };
    let (timing, contract) = (run.timing, &run.program.contract);
    let (method, path) = (req.method.clone(), req.path.clone());
    match run.peers.get_mut(&p) {
        Some(Peer::Tcp(c)) => {
            crate::steps::read_response(c, &method, &path, &step, contract, timing).await
        }
        _ => Err(StepFailure::bug(ScenarioBug::NotOpen(p.0.clone()))),
    }
}
