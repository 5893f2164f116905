//! One scenario in progress: the program, the harness's peers, and what the
//! steps have learnt so far; and, once a step fails, the evidence.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use sockspec_model::{ConnName, Role};
use sockspec_process::{Target, TargetSpec};
use tokio::time::Instant;

use crate::conn::{Conn, StepFailure};
use crate::harness::Harness;
use crate::start::{ended, target_report};

use crate::timeline;
use crate::udp::UdpPeer;
use crate::{Program, RunConfig};
use sockspec_results::diagnosis::{Actor, Diagnosis, Happening};
use sockspec_results::event::TargetReport;
use sockspec_results::{Errno, Language, ScenarioBug};

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
    pub(crate) harness: Harness,
    pub(crate) peers: HashMap<ConnName, Peer>,
    /// Every reply the harness sent to the target (client roles), in order,
    /// for `expect_printed`.
    pub(crate) replies_sent: Vec<Vec<u8>>,
    /// The method and path of the last HTTP request sent on each connection.
    pub(crate) requests: HashMap<ConnName, (String, String)>,
    /// Property scenarios of client roles: whether the target started for
    /// the scenario has had its case (later cases start their own).
    pub(crate) client_used: bool,
    /// Where in stdout the current case began (property scenarios of
    /// client roles whose client goes on from the last case): what it
    /// printed before belongs to earlier cases.
    pub(crate) printed_from: usize,
    /// Cases that passed on a client that went on from the last case: the
    /// starts saved.
    pub(crate) went_on: u32,
    /// The client was not back at its input within the wait once: it is
    /// not looked for again (each later case starts its own at once,
    /// rather than after that wait too).
    pub(crate) client_busy: bool,
    /// A case failed on a client that went on, and was played again on a
    /// fresh one (whose verdict the case's is).
    pub(crate) case_replayed: bool,
    /// When the last waiting step started: a failure after a long wait is
    /// worth asking "blocked where?" and "spinning?".
    pub(crate) last_wait: Option<Instant>,
    /// tcp-server: the program's open sockets each time a new client came.
    pub(crate) open_sockets: Vec<usize>,
    /// An `expect_closed` found a connection the program never closed.
    pub(crate) leak_seen: bool,
    /// The harness's and the program's ends of each connection it closed.
    pub(crate) closed: HashMap<ConnName, (SocketAddr, SocketAddr)>,
    /// Where a program that chose its own address was found, in words.
    pub(crate) found: Option<sockspec_results::Found>,
    /// The last step failed because the program stalled: it is alive and
    /// blocked, so neither its end nor its CPU use needs waiting for.
    pub(crate) stuck: bool,
    /// A property failure is being shrunk: no early end for stalls.
    pub(crate) shrinking: bool,
    /// This is a retry of a failed try: a property only needs to know
    /// whether it fails again (the first try's shrunk case is the evidence).
    pub(crate) retry: bool,
}

impl<'a> Run<'a> {
    /// A scenario's run, before anything happened in it.
    pub(crate) fn new(
        config: &'a RunConfig,
        program: &'a Program,
        role: Role,
        spec: TargetSpec,
        addr: SocketAddr,
        harness: Harness,
        retry: bool,
    ) -> Self {
        Run {
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
            printed_from: 0,
            went_on: 0,
            client_busy: false,
            case_replayed: false,
            last_wait: None,
            open_sockets: Vec::new(),
            leak_seen: false,
            closed: HashMap::new(),
            found: None,
            stuck: false,
            shrinking: false,
            retry,
        }
    }
}

impl Run<'_> {
    /// The pid of the running target (the leader of its process group).
    pub(crate) fn target_pid(&self) -> Option<i32> {
        self.target.as_ref().map(|t| t.pid() as i32)
    }

    /// The framing replies and messages are cut by: HTTP carries its own
    /// boundaries; the contract's framing is for the plain stream roles.
    pub(crate) fn framing(&self) -> sockspec_model::Framing {
        if self.role.is_http() {
            sockspec_model::Framing::None
        } else {
            self.program.contract.framing
        }
    }

    pub(crate) fn conn(&mut self, name: &ConnName) -> Result<&mut Conn, StepFailure> {
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

    pub(crate) fn udp_server(&mut self) -> Result<&mut UdpPeer, StepFailure> {
        match &mut self.harness {
            Harness::UdpServer(peer) => Ok(peer),
            _ => Err(StepFailure::bug(ScenarioBug::NoUdpServer)),
        }
    }

    /// The harness's reply to a message from the target, by the contract
    /// (rules that do not determine a reply get the homework's classic "Thanks").
    pub(crate) fn reply_to(&self, message: &[u8]) -> Vec<u8> {
        sockspec_wire::reply_for(&self.program.contract.reply, message)
            .unwrap_or_else(|| b"Thanks".to_vec())
    }

    /// The target's state and output now, if it was started, `language`
    /// being what it is written in. A target that is dying (a reset or
    /// refused connection is often the first sign of a crash) gets a
    /// moment to be reaped, so the report can say how it ended.
    pub(crate) async fn report(&mut self, language: Language) -> Option<TargetReport> {
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
        Some(target_report(target, language))
    }

    /// A server bound to one address of its own choosing (a hard-coded
    /// '10.16.129.97'): the harness connects there from now on. One bound
    /// to every address is reached on the usual one.
    pub(crate) fn adopt_ready_addr(&mut self, target: &Target) {
        let Some(a) = target.ready_addr() else {
            return;
        };
        let udp = self.role.ready_when() == sockspec_model::ReadyWhen::Bound;
        if self.program.discovers_port() {
            // A restart waits for the same port again.
            self.spec.port = a.port();
            self.addr.set_port(a.port());
            self.found = Some(sockspec_results::Found::OwnPort { addr: a, udp });
        }
        if !a.ip().is_unspecified() && self.role.serves() {
            self.addr = a;
            if !a.ip().is_loopback() {
                self.found = Some(sockspec_results::Found::OwnAddress { addr: a, udp });
            }
        }
    }

    /// Where the program is trying to connect instead, read from the
    /// kernel's table (its sockets in SYN_SENT), as a clause of a message.
    pub(crate) fn connecting_elsewhere(&self) -> Vec<SocketAddr> {
        self.target
            .as_ref()
            .map(|t| crate::explain::connecting_to(t.pid() as i32))
            .unwrap_or_default()
    }

    /// The evidence of a failure that just happened: the diagnoses `/proc`
    /// gives now, then (once the program's output has settled) its state,
    /// its output, what its output says (read as its language writes
    /// errors) and the signal it died of.
    pub(crate) async fn evidence(
        &mut self,
    ) -> (
        Option<TargetReport>,
        Vec<sockspec_results::diagnosis::Diagnosis>,
    ) {
        let mut diagnoses = crate::explain::diagnose(self).await;
        let pgid = self.target.as_ref().map(|t| t.pid() as i32);
        let program = crate::language::of(&self.spec);
        let target = self.report(program.language).await;
        let mut errors = target.as_ref().map_or_else(Vec::new, |t| {
            crate::explain::from_output(
                &t.stderr,
                &program,
                Some(&crate::language::cwd_of(&self.spec)),
                crate::language::path_of(&self.spec).as_ref(),
            )
        });
        let wrong = crate::explain::wrong_role(self.role, pgid, self.addr.port(), &errors);
        // A server graded as a client fails to bind the harness's port:
        // its EADDRINUSE is the wrong role, not a TIME_WAIT to fix.
        if matches!(
            wrong,
            Some(Diagnosis::WrongRole {
                seen: sockspec_results::diagnosis::RoleSign::BindsHarnessPort(_),
                ..
            })
        ) {
            errors.retain(|d| crate::explain::errno_of(d) != Some(Errno::AddrInUse));
        }
        let died =
            crate::explain::death(target.as_ref().and_then(|t| t.ended), &timeline::snapshot());
        // A limit it ran into is why it died or failed: said first.
        let hits = crate::explain::limits_hit(self.target.as_ref());
        diagnoses.splice(
            0..0,
            hits.into_iter().chain(wrong).chain(died).chain(errors),
        );
        (target, diagnoses)
    }

    /// Ends the scenario: the harness's connections close first, so that
    /// the TIME_WAIT of each is on the harness's side, not on a port the
    /// program binds (the next scenario of a program with a hard-coded port
    /// starts it again there); then the program is killed.
    pub(crate) async fn finish(mut self) {
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
