//! Lanes: the few scenarios of a run played at once.
//!
//! Each lane is a thread with a runtime of its own that plays one scenario
//! after another, so that a server which passed a scenario and was left
//! idle can serve the lane's next scenario of its role without being
//! started again (see [`crate::warm`]): starting the program is most of
//! what a scenario costs. In a private network, the lane enters a new
//! network namespace for every program it starts, so a fresh program meets
//! a fresh network (no TIME_WAIT of the last one), while a handed-over one
//! stays in the namespace it was started in.
//!
//! Which scenario a lane takes next is the queue's choice: one of the
//! role of the program it holds, if any is left; else the first (most
//! expensive) one whose program no other lane holds; a role another lane
//! already holds only when enough of its scenarios are left for a second
//! program to pay for its start. So a submission's server is started about
//! once, not once per scenario, and the lanes still keep busy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sockspec_model::{Role, Scenario};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::{Duration, Instant};

use crate::ports::PortPool;
use crate::warm::Warm;
use crate::{Event, RunConfig, ScenarioResult, Status, exec, timeline};

/// A second program of a role another lane holds is started only when at
/// least this many of its scenarios are left per program.
const STEAL: usize = 4;
/// How long a lane's scenario holds its role for the other lanes: a
/// correct program's scenario is over well within it.
const PATIENCE: Duration = Duration::from_millis(500);

/// The scenarios not yet taken, and what each lane holds.
pub(crate) struct Queue {
    state: Mutex<State>,
    changed: Notify,
}

struct State {
    /// Not yet taken, in the order to take them: `(index in the run, scenario)`.
    pending: Vec<(usize, Arc<Scenario>)>,
    /// The role of the shared program each lane holds or is about to hold,
    /// and since when.
    holding: Vec<Option<(Role, Instant)>>,
    /// Programs are handed over at all (not `--fresh`).
    share: bool,
    /// Roles whose handed-over program failed a scenario (played again on
    /// a fresh one): it is not handed over any more in this run, and its
    /// scenarios go to any lane again, as they would without sharing, so
    /// that a server that breaks after its first client is not waited out
    /// twice for every scenario. (A failure on a fresh program says nothing
    /// about handing over: a course-style server that a reset crashes
    /// passes everything else on a shared one.)
    failed: Vec<Role>,
}

impl State {
    fn shares(&self, s: &Scenario) -> bool {
        self.share && s.may_share() && !self.failed.contains(&s.role)
    }

    /// Lanes other than `lane` holding a program of `role`: one that is
    /// idle with it, or playing a scenario of it for less than
    /// [`PATIENCE`]. A scenario that takes longer is most likely a failure
    /// waiting for its deadline, whose program will not be handed over:
    /// the role's other scenarios need not wait for it.
    fn held(&self, lane: usize, role: Role) -> usize {
        self.holding
            .iter()
            .enumerate()
            .filter(|&(j, h)| {
                j != lane && h.is_some_and(|(r, since)| r == role && since.elapsed() < PATIENCE)
            })
            .count()
    }

    /// The position of the scenario `lane` should take, holding `warm`.
    fn pick(&self, lane: usize, warm: Option<Role>) -> Option<usize> {
        let p = &self.pending;
        if let Some(r) = warm
            && let Some(i) = p.iter().position(|(_, s)| s.role == r && self.shares(s))
        {
            return Some(i);
        }
        if let Some(i) = p
            .iter()
            .position(|(_, s)| !self.shares(s) || self.held(lane, s.role) == 0)
        {
            return Some(i);
        }
        p.iter().position(|(_, s)| {
            let left = p.iter().filter(|(_, o)| o.role == s.role).count();
            left >= STEAL * (self.held(lane, s.role) + 1)
        })
    }
}

impl Queue {
    pub(crate) fn new(scenarios: Vec<(usize, Arc<Scenario>)>, lanes: usize, share: bool) -> Self {
        Queue {
            state: Mutex::new(State {
                pending: scenarios,
                holding: vec![None; lanes],
                share,
                failed: Vec::new(),
            }),
            changed: Notify::new(),
        }
    }

    /// The next scenario for `lane`, which holds a program of `warm`;
    /// `None` once every scenario is taken. Waits while every scenario
    /// left is for a program another lane holds.
    pub(crate) async fn next(
        &self,
        lane: usize,
        warm: Option<Role>,
    ) -> Option<(usize, Arc<Scenario>)> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                st.holding[lane] = warm.map(|r| (r, Instant::now()));
                if st.pending.is_empty() {
                    st.holding[lane] = None;
                    self.changed.notify_waiters();
                    return None;
                }
                if let Some(i) = st.pick(lane, warm) {
                    let (index, s) = st.pending.remove(i);
                    st.holding[lane] = st.shares(&s).then(|| (s.role, Instant::now()));
                    self.changed.notify_waiters();
                    return Some((index, s));
                }
            }
            // A holder past its patience frees its role without a word.
            let _ = tokio::time::timeout(PATIENCE, changed).await;
        }
    }

    /// Whether programs of `role` are still handed over.
    fn shares_role(&self, role: Role) -> bool {
        let st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        !st.failed.contains(&role)
    }

    /// A handed-over program of `role` failed a scenario: hand none over
    /// any more.
    fn stop_sharing(&self, role: Role) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !st.failed.contains(&role) {
            st.failed.push(role);
            self.changed.notify_waiters();
        }
    }

    /// `lane` holds nothing any more (its program was not handed over).
    fn release(&self, lane: usize) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if st.holding[lane].take().is_some() {
            self.changed.notify_waiters();
        }
    }
}

/// What every lane of a run shares.
pub(crate) struct Shared {
    pub(crate) config: Arc<RunConfig>,
    pub(crate) ports: Arc<PortPool>,
    pub(crate) queue: Queue,
    pub(crate) events: mpsc::UnboundedSender<Event>,
    /// Roles whose program could not be started, with the first verdict
    /// that said so: their later scenarios are not played.
    pub(crate) unstartable: Mutex<HashMap<Role, ScenarioResult>>,
    /// Roles whose program did not build.
    pub(crate) not_built: Vec<Role>,
}

impl Shared {
    /// Whether a scenario of `role` may be played on a handed-over program.
    fn hands_over(&self, role: Role) -> bool {
        self.config.share && self.queue.shares_role(role)
    }
}

/// The lanes of a run, stopped (every program they hold killed) when this
/// is dropped, however the run ends.
pub(crate) struct Lanes {
    stops: Vec<oneshot::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Lanes {
    /// Starts `n` lanes; each sends `(index, result)` for every scenario
    /// it plays to `done`.
    pub(crate) fn start(
        n: usize,
        shared: &Arc<Shared>,
        done: &mpsc::UnboundedSender<(usize, ScenarioResult)>,
    ) -> Result<Lanes, String> {
        let mut lanes = Lanes {
            stops: Vec::new(),
            threads: Vec::new(),
        };
        for lane in 0..n {
            let (stop_tx, stop_rx) = oneshot::channel::<()>();
            let (shared, done) = (shared.clone(), done.clone());
            let thread = std::thread::Builder::new()
                .name(format!("lane-{lane}"))
                .spawn(move || {
                    let runtime = match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt,
                        Err(_) => return,
                    };
                    runtime.block_on(async {
                        tokio::select! {
                            () = Box::pin(play_lane(lane, &shared, &done)) => {}
                            _ = stop_rx => {}
                        }
                    });
                    // Dropping the runtime drops whatever scenario was still
                    // being played, and so kills its program.
                    drop(runtime);
                    shared.queue.release(lane);
                })
                .map_err(|e| format!("no thread for a lane: {e}"))?;
            lanes.stops.push(stop_tx);
            lanes.threads.push(thread);
        }
        Ok(lanes)
    }
}

impl Drop for Lanes {
    fn drop(&mut self) {
        self.stops.clear();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// One lane: takes scenarios until none is left, handing its program from
/// one to the next where it may.
async fn play_lane(
    lane: usize,
    shared: &Shared,
    done: &mpsc::UnboundedSender<(usize, ScenarioResult)>,
) {
    let mut warm: Option<Warm> = None;
    while let Some((index, scenario)) = shared.queue.next(lane, warm.as_ref().map(|w| w.role)).await
    {
        let config = &shared.config;
        let _ = shared.events.send(Event::ScenarioStarted {
            id: scenario.id.clone(),
        });
        let earlier = shared
            .unstartable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&scenario.role)
            .cloned();
        // Verdicts given without playing touch no program.
        let result = match (exec::skipped(&scenario, config), earlier) {
            (Some(skip), _) => skip,
            (None, _) if shared.not_built.contains(&scenario.role) => {
                exec::not_built(&scenario, config)
            }
            (None, Some(first)) => exec::not_started(&scenario, config, &first),
            (None, None) => {
                let reuse = shared.hands_over(scenario.role)
                    && scenario.may_share()
                    && warm.as_ref().is_some_and(|w| w.role == scenario.role);
                if !reuse && let Some(mut w) = warm.take() {
                    w.target.kill().await;
                }
                let (result, kept) = with_retries(&scenario, shared, warm.take()).await;
                warm = kept;
                if exec::could_not_start(&result) {
                    shared
                        .unstartable
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .entry(scenario.role)
                        .or_insert_with(|| result.clone());
                }
                result
            }
        };
        let _ = shared
            .events
            .send(Event::ScenarioFinished(Box::new(result.clone())));
        let _ = done.send((index, result));
    }
    if let Some(mut w) = warm {
        w.target.kill().await;
    }
}

/// Plays a scenario until it passes or its tries (`retries + 1`) are used
/// up. A pass after a failure is [`Status::Flaky`]: the evidence of the
/// first failed try is kept, and the message says how often it passed. A
/// first try on a handed-over program that does not pass does not count:
/// the scenario is played again on a fresh program, whose verdict it is.
async fn with_retries(
    scenario: &Arc<Scenario>,
    shared: &Shared,
    warm: Option<Warm>,
) -> (ScenarioResult, Option<Warm>) {
    let config = &shared.config;
    let (mut first, mut kept) = once(scenario, shared, false, warm).await;
    if first.shared && first.status != Status::Pass {
        shared.queue.stop_sharing(scenario.role);
        (first, kept) = once(scenario, shared, false, None).await;
        first.replayed = true;
    }
    if !shared.hands_over(scenario.role) {
        // Another lane stopped the role's hand-over while this one played:
        // end the program here.
        if let Some(mut w) = kept.take() {
            w.target.kill().await;
        }
    }
    let mut attempts = 1;
    // A program that never started is not tried again: starting it is the
    // same every time, and waiting for it to listen is the slowest verdict.
    while matches!(first.status, Status::Fail | Status::Error)
        && !exec::could_not_start(&first)
        && attempts <= config.retries
    {
        let (again, k) = once(scenario, shared, true, None).await;
        kept = k;
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
            .and_then(crate::Program::mapped_server);
    }
    (first, kept)
}

/// One try of a scenario, within its time budget, on `warm` or on a
/// program of its own. The try runs in a task of its own so that a bug of
/// the harness (a panic) becomes an error verdict, not a lost result; a
/// try past its budget is dropped, which kills its program.
async fn once(
    scenario: &Arc<Scenario>,
    shared: &Shared,
    retry: bool,
    warm: Option<Warm>,
) -> (ScenarioResult, Option<Warm>) {
    let config = &shared.config;
    let program = config.program_for(scenario.role);
    let budget = program
        .and_then(|p| p.budget)
        .map(|b| config.timing.pause(b));
    // A fresh program in a private network gets a fresh network: the
    // lane's thread enters a new namespace, in which everything the try
    // creates (its sockets, the program it spawns) is born.
    if warm.is_none()
        && let Some(plan) = program.and_then(|p| p.network.as_ref())
        && let Err(e) = sockspec_netns::enter_thread(plan)
    {
        let why = format!("no private network for the scenario: {e}");
        return (exec::harness_error(scenario, config, why), None);
    }
    let hand_on = shared.hands_over(scenario.role) && scenario.may_share();
    let (s, c, p) = (scenario.clone(), config.clone(), shared.ports.clone());
    let play = async move { exec::run_scenario(&s, &c, &p, retry, warm, hand_on).await };
    let task = tokio::spawn(timeline::scope(play));
    let abort = task.abort_handle();
    let joined = match budget {
        Some(b) => match tokio::time::timeout(b, task).await {
            Ok(joined) => joined,
            Err(_) => {
                abort.abort();
                return (exec::over_budget(scenario, config, b), None);
            }
        },
        None => task.await,
    };
    match joined {
        Ok(r) => r,
        Err(e) => (
            exec::harness_error(scenario, config, format!("the harness failed: {e}")),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario of `role` named `name`; `restarts` kills and starts its
    /// program, so it never shares one.
    fn scenario(role: &str, name: &str, restarts: bool) -> Arc<Scenario> {
        let steps = if restarts {
            "  - restart\n  - expect_alive\n"
        } else {
            "  - expect_alive\n"
        };
        let text = format!(
            "id: {role}/{name}\ntitle: t\nrole: {role}\nlevel: required\nconcept: c\nsteps:\n{steps}"
        );
        let src = sockspec_model::Source {
            name: format!("{name}.yaml"),
            text,
        };
        Arc::new(sockspec_model::load_source(&src).expect("a valid scenario"))
    }

    fn queue(lanes: usize, share: bool, list: &[Arc<Scenario>]) -> Queue {
        Queue::new(list.iter().cloned().enumerate().collect(), lanes, share)
    }

    fn take(q: &Queue, lane: usize, warm: Option<Role>) -> Option<String> {
        take_within(q, lane, warm, PATIENCE / 5)
    }

    fn take_within(q: &Queue, lane: usize, warm: Option<Role>, wait: Duration) -> Option<String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(wait, q.next(lane, warm))
                .await
                .ok()
                .flatten()
                .map(|(_, s)| s.id.clone())
        })
    }

    /// A lane holding a server takes that server's scenarios first; the
    /// others take what no lane holds, and a role another lane holds only
    /// when enough of it is left to pay for a second start.
    #[test]
    fn a_lane_keeps_to_the_program_it_holds() {
        let list = [
            scenario("tcp-client", "a", false),
            scenario("tcp-server", "one", false),
            scenario("tcp-server", "two", false),
            scenario("tcp-server", "again", true),
            scenario("udp-server", "one", false),
            scenario("tcp-server", "three", false),
        ];
        let q = queue(3, true, &list);
        assert_eq!(take(&q, 0, None).as_deref(), Some("tcp-client/a"));
        assert_eq!(take(&q, 1, None).as_deref(), Some("tcp-server/one"));
        // Lane 1 holds the TCP server: lane 2 takes the restart (a program
        // of its own) rather than a second server.
        assert_eq!(take(&q, 2, None).as_deref(), Some("tcp-server/again"));
        assert_eq!(take(&q, 0, None).as_deref(), Some("udp-server/one"));
        assert_eq!(
            take(&q, 1, Some(Role::TcpServer)).as_deref(),
            Some("tcp-server/two")
        );
        // Only one scenario of the held server is left: lane 2 waits
        // rather than start a second one, until lane 1 takes it.
        assert_eq!(take(&q, 2, None), None, "waits (timed out)");
        assert_eq!(
            take(&q, 1, Some(Role::TcpServer)).as_deref(),
            Some("tcp-server/three")
        );
        assert_eq!(take(&q, 1, Some(Role::TcpServer)), None, "all taken");
    }

    /// A scenario that runs past the patience (a failure waiting for its
    /// deadline) no longer holds its role: another lane takes the next.
    #[test]
    fn a_long_scenario_does_not_hold_its_role() {
        let list = [
            scenario("udp-server", "one", false),
            scenario("udp-server", "two", false),
        ];
        let q = queue(2, true, &list);
        assert_eq!(take(&q, 0, None).as_deref(), Some("udp-server/one"));
        assert_eq!(take(&q, 1, None), None, "held for now");
        assert_eq!(
            take_within(&q, 1, None, PATIENCE * 3).as_deref(),
            Some("udp-server/two")
        );
    }

    /// A role whose handed-over program failed is shared out like any
    /// other.
    #[test]
    fn a_failed_role_is_not_held() {
        let list = [
            scenario("udp-server", "one", false),
            scenario("udp-server", "two", false),
        ];
        let q = queue(2, true, &list);
        assert_eq!(take(&q, 0, None).as_deref(), Some("udp-server/one"));
        q.stop_sharing(Role::UdpServer);
        assert!(!q.shares_role(Role::UdpServer));
        assert_eq!(take(&q, 1, None).as_deref(), Some("udp-server/two"));
    }

    /// With `--fresh` nothing is held: the scenarios go in their order.
    #[test]
    fn without_sharing_the_order_is_kept() {
        let list = [
            scenario("tcp-server", "one", false),
            scenario("tcp-server", "two", false),
        ];
        let q = queue(2, false, &list);
        assert_eq!(take(&q, 0, None).as_deref(), Some("tcp-server/one"));
        assert_eq!(take(&q, 1, None).as_deref(), Some("tcp-server/two"));
    }

    /// Enough scenarios of a held server left: a second lane starts a
    /// second program rather than wait.
    #[test]
    fn a_long_queue_of_one_server_is_shared_out() {
        let list: Vec<Arc<Scenario>> = (0..9)
            .map(|i| scenario("udp-server", &format!("s{i}"), false))
            .collect();
        let q = queue(2, true, &list);
        assert_eq!(take(&q, 0, None).as_deref(), Some("udp-server/s0"));
        assert_eq!(take(&q, 1, None).as_deref(), Some("udp-server/s1"));
    }
}
