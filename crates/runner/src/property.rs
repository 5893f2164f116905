//! Property scenarios: proptest's runner generates cases (messages, how the
//! bytes are cut into writes, pauses, senders) and each case is played
//! against the live program as ordinary steps, so a failing case fails with
//! the same evidence a hand-written scenario would give. proptest then
//! shrinks it to the smallest case that still fails.
//!
//! proptest's runner is synchronous and calls the test as a plain function,
//! while the steps are async and hold the target. So the runner lives on a
//! thread of its own and hands each case over a channel to this task, which
//! plays it and sends the verdict back: the target never leaves the task
//! that owns it, and no async runtime is entered from inside another.
//!
//! Verdicts must not flake, and shrinking must not take forever: the first
//! failure is found with the normal deadlines; while shrinking, deadlines
//! are a quarter of that (a case that fails by a missing reply costs its
//! deadline every time), shrinking has a time bound, and the smallest case
//! is played once more with the normal deadlines before it is reported.

use std::sync::Mutex;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use sockspec_model::{
    Alphabet, BodyLength, Bounds, BroadcastStep, Bytes, ConnName, ExpectExitStep,
    ExpectMessageStep, ExpectPrintedStep, ExpectReplyStep, ExpectRequestStep, ExpectResponseStep,
    Framing, PropertyName, PropertySpec, ReplyStep, RequestStep, RespondStep, Role, Scenario,
    SendStep, Step,
};
use tokio::time::Instant;

use crate::conn::StepFailure;
use crate::ports::PortPool;
use crate::run::{Peer, Run};
use crate::steps::split;
use sockspec_results::{CaseView, Doing, Mismatch, PropertyFailure, ScenarioBug};

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

/// One generated case.
#[derive(Clone, Debug)]
pub(crate) enum Case {
    /// Messages written on one connection, cut into pieces of these sizes.
    Stream {
        pieces: Vec<usize>,
        pause_ms: u64,
        messages: Vec<Vec<u8>>,
    },
    /// Datagrams, each from one of `senders` harness sockets; `queued`:
    /// all sent while the server is paused, so they wait in its queue at once.
    Udp {
        queued: bool,
        senders: usize,
        datagrams: Vec<(usize, Vec<u8>)>,
    },
    /// Texts broadcast to the receiver's port, one datagram each.
    Broadcasts { texts: Vec<String> },
    /// Lines typed into a client, each reply cut into pieces of these sizes
    /// (a UDP client's reply is one datagram: no pieces).
    Replies {
        pieces: Vec<usize>,
        lines: Vec<String>,
    },
    /// A response with this body cut into pieces of these sizes; its end
    /// given by Content-Length, or by the close.
    Response {
        pieces: Vec<usize>,
        pause_ms: u64,
        close_delimited: bool,
        body: String,
    },
    /// A request cut into pieces of these sizes.
    Http {
        pieces: Vec<usize>,
        pause_ms: u64,
        path: String,
        headers: Vec<String>,
    },
}

fn range(b: Bounds) -> std::ops::RangeInclusive<usize> {
    b.min as usize..=b.max as usize
}

/// Bytes of one message: `size` bytes (characters for utf8) from the
/// alphabet, never the line framing's delimiter.
fn message(alphabet: Alphabet, size: Bounds, framing: Framing) -> BoxedStrategy<Vec<u8>> {
    let line = framing == Framing::Line;
    match alphabet {
        Alphabet::Text => vec(0x20u8..=0x7e, range(size)).boxed(),
        Alphabet::Bytes => vec(any::<u8>(), range(size))
            .prop_map(move |mut m| {
                if line {
                    m.retain(|&b| b != b'\n');
                }
                m
            })
            .boxed(),
        Alphabet::Utf8 => vec(any::<char>(), range(size))
            .prop_map(move |chars| {
                chars
                    .into_iter()
                    .filter(|&c| !(line && c == '\n'))
                    .collect::<String>()
                    .into_bytes()
            })
            .boxed(),
    }
}

/// A line a user could type: printable ASCII, starting with a letter (so
/// it is never empty, never the quit line, and never read as a command).
fn line(size: Bounds) -> BoxedStrategy<String> {
    let rest = size.min.saturating_sub(1) as usize..=size.max.max(1) as usize - 1;
    ("[a-z]", vec(0x20u8..=0x7e, rest))
        .prop_map(|(first, rest)| first + &String::from_utf8_lossy(&rest))
        .boxed()
}

/// Pieces come first in each tuple: proptest shrinks a tuple's elements in
/// order, and shrinking the cut plan before the payload keeps the payload
/// from shrinking away the very coalescing that failed.
fn strategy(spec: &PropertySpec, framing: Framing) -> BoxedStrategy<Case> {
    let pauses = spec.pause_ms.min as u64..=spec.pause_ms.max as u64;
    match spec.name {
        PropertyName::StreamRoundTrip => (
            vec(range(spec.chunks), 0..=8),
            pauses,
            vec(
                message(spec.alphabet, spec.size, framing),
                range(spec.messages),
            ),
        )
            .prop_map(|(pieces, pause_ms, messages)| Case::Stream {
                pieces,
                pause_ms,
                messages,
            })
            .boxed(),
        PropertyName::UdpBoundaries => {
            let (alphabet, size, messages) = (spec.alphabet, spec.size, spec.messages);
            (any::<bool>(), range(spec.senders))
                .prop_flat_map(move |(queued, senders)| {
                    vec(
                        (0..senders, message(alphabet, size, Framing::None)),
                        range(messages),
                    )
                    .prop_map(move |datagrams| Case::Udp {
                        queued,
                        senders,
                        datagrams,
                    })
                })
                .boxed()
        }
        PropertyName::ReplySplitting => (
            vec(range(spec.chunks), 0..=6),
            vec(line(spec.size), range(spec.messages)),
        )
            .prop_map(|(pieces, lines)| Case::Replies { pieces, lines })
            .boxed(),
        PropertyName::DatagramLines => vec(line(spec.size), range(spec.messages))
            .prop_map(|lines| Case::Replies {
                pieces: Vec::new(),
                lines,
            })
            .boxed(),
        PropertyName::BroadcastDatagrams => vec(line(spec.size), range(spec.messages))
            .prop_map(|texts| Case::Broadcasts { texts })
            .boxed(),
        PropertyName::ResponseSplitting => (
            vec(range(spec.chunks), 1..=6),
            pauses,
            any::<bool>(),
            line(spec.size),
        )
            .prop_map(|(pieces, pause_ms, close_delimited, body)| Case::Response {
                pieces,
                pause_ms,
                close_delimited,
                body,
            })
            .boxed(),
        PropertyName::HttpHeadSplitting => {
            const HEADERS: [&str; 6] = [
                "User-Agent: sockspec",
                "Accept: text/html,*/*;q=0.8",
                "Accept-Language: zh-CN,zh;q=0.9",
                "Connection: close",
                "Cache-Control: no-cache",
                "Cookie: session=4f2a9c",
            ];
            (
                vec(range(spec.chunks), 1..=8),
                pauses,
                prop::sample::select(vec!["/", "/index.html"]),
                prop::sample::subsequence(HEADERS.to_vec(), 0..=HEADERS.len()),
            )
                .prop_map(|(pieces, pause_ms, path, headers)| Case::Http {
                    pieces,
                    pause_ms,
                    path: path.to_owned(),
                    headers: headers.into_iter().map(str::to_owned).collect(),
                })
                .boxed()
        }
    }
}

/// Shows bytes as a student reads them: quoted text with escapes.
/// The writes `bytes` are cut into.
fn pieces(bytes: &[u8], sizes: &[usize]) -> Vec<Bytes> {
    split(bytes, sizes)
        .into_iter()
        .map(|p| Bytes(p.to_vec()))
        .collect()
}

impl Case {
    /// The case as a reader checks it by hand: the messages, and the exact
    /// writes that carried them.
    pub(crate) fn view(&self, framing: Framing, host: &str) -> CaseView {
        match self {
            Case::Stream {
                pieces: sizes,
                pause_ms,
                messages,
            } => {
                let bytes: Vec<u8> = messages
                    .iter()
                    .flat_map(|m| sockspec_wire::encode(framing, m))
                    .collect();
                CaseView::Stream {
                    messages: messages.iter().map(|m| Bytes(m.clone())).collect(),
                    written: pieces(&bytes, sizes),
                    pause_ms: *pause_ms,
                }
            }
            Case::Udp {
                queued, datagrams, ..
            } => CaseView::Udp {
                queued: *queued,
                datagrams: datagrams
                    .iter()
                    .map(|(s, d)| (*s, Bytes(d.clone())))
                    .collect(),
            },
            Case::Replies { pieces, lines } => CaseView::Replies {
                lines: lines.clone(),
                pieces: pieces.clone(),
            },
            Case::Broadcasts { texts } => CaseView::Broadcasts {
                texts: texts.clone(),
            },
            Case::Response {
                pieces: sizes,
                pause_ms,
                close_delimited,
                body,
            } => CaseView::Response {
                written: pieces(&response(body, *close_delimited).bytes(), sizes),
                pause_ms: *pause_ms,
            },
            Case::Http {
                pieces: sizes,
                pause_ms,
                ..
            } => CaseView::Request {
                written: pieces(&self.request().bytes(host), sizes),
                pause_ms: *pause_ms,
            },
        }
    }

    pub(crate) fn request(&self) -> RequestStep {
        let (path, headers, pieces, pause_ms) = match self {
            Case::Http {
                path,
                headers,
                pieces,
                pause_ms,
            } => (path.clone(), headers.clone(), pieces.clone(), *pause_ms),
            _ => ("/".into(), Vec::new(), Vec::new(), 0),
        };
        RequestStep {
            to: conn("p"),
            method: "GET".into(),
            path,
            headers,
            body: None,
            raw: None,
            chunks: pieces,
            pause_ms,
            split_body: false,
        }
    }
}

fn response(body: &str, close_delimited: bool) -> RespondStep {
    RespondStep {
        to: conn("a"),
        status: 200,
        body: body.to_owned(),
        length: if close_delimited {
            BodyLength::Close
        } else {
            BodyLength::ContentLength
        },
        chunks: Vec::new(),
        pause_ms: 0,
    }
}

fn conn(name: &str) -> ConnName {
    ConnName(name.to_owned())
}

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

/// The status each path gets when its request is sent whole.
#[derive(Default)]
struct Baseline {
    status: std::collections::HashMap<String, u16>,
}

/// Restarts a target that died (on a fresh port where the harness chose
/// it: the old one may sit in TIME_WAIT), so one crashing case does not
/// fail every later one.
async fn ensure_running(run: &mut Run<'_>, ports: &PortPool) -> Result<(), StepFailure> {
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

/// A client runs one conversation and ends: each case gets its own run of
/// the program (the first case the one the scenario started).
async fn fresh_client(run: &mut Run<'_>) -> Result<(), StepFailure> {
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

/// Plays one case, then closes whatever it opened.
async fn play(
    run: &mut Run<'_>,
    case: &Case,
    baseline: &mut Baseline,
    ports: &PortPool,
) -> Result<(), StepFailure> {
    if run.role.is_client() {
        fresh_client(run).await?;
    } else {
        ensure_running(run, ports).await?;
    }
    let verdict = play_steps(run, case, baseline).await;
    for (_, peer) in run.peers.drain() {
        if let Peer::Tcp(c) = peer {
            c.close().await;
        }
    }
    run.requests.clear();
    verdict
}

async fn play_steps(
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
                    wait_read(run).await;
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
            if let Some(a) = &a {
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
async fn request(run: &mut Run<'_>, req: &RequestStep) -> Result<u16, StepFailure> {
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

/// Waits until the UDP server has read everything sent to it, so the next
/// datagram is read on its own.
async fn wait_read(run: &mut Run<'_>) {
    let Some(pid) = run.target.as_ref().map(|t| t.pid() as i32) else {
        return;
    };
    let port = run.addr.port();
    let deadline = Instant::now() + run.timing.consumed();
    loop {
        let unread: u32 = sockspec_process::proc::sockets(pid, sockspec_process::proc::Proto::Udp)
            .iter()
            .filter(|e| e.local.port() == port)
            .map(|e| e.rx_queue)
            .sum();
        if unread == 0 || Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
