//! The exchange of one scenario, as it happens: every byte the harness
//! writes and reads, every close and reset, every start and end of the
//! program. A failure carries it, so a student can read what happened on
//! the wire without Wireshark.
//!
//! The recorder is task-local: a scenario runs in a task of its own, and
//! every socket of the harness records into the scenario it belongs to
//! without a recorder being handed through every call. Outside a scenario
//! (unit tests of a socket, say) recording does nothing. Only the last
//! [`KEEP`] entries are kept, so a property scenario's thousand cases cost
//! a bounded amount of memory and the failing case is what remains.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};

use sockspec_model::Bytes;
use tokio::time::Instant;

use sockspec_results::diagnosis::{Actor, Happening, TimelineEntry};

/// Entries kept per scenario (the most recent).
const KEEP: usize = 200;
/// Bytes of a message kept in an entry.
const BYTES: usize = 256;

#[derive(Clone)]
struct Recorder(
    Arc<Mutex<(Instant, VecDeque<TimelineEntry>)>>,
    Arc<std::sync::atomic::AtomicU32>,
    Arc<Cut>,
);

/// "Stop waiting": set when the program will not act (it ended, or only
/// waits for the harness), so that the step's own wait ends now, with its
/// own evidence, instead of at its deadline.
#[derive(Default)]
struct Cut {
    set: std::sync::atomic::AtomicBool,
    woken: tokio::sync::Notify,
}

tokio::task_local! {
    static TIMELINE: Recorder;
}

/// Runs `fut` with a fresh, empty timeline.
pub(crate) fn scope<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    TIMELINE.scope(
        Recorder(
            Arc::new(Mutex::new((Instant::now(), VecDeque::new()))),
            Arc::default(),
            Arc::default(),
        ),
        fut,
    )
}

/// Adds an entry to the current scenario's timeline.
pub(crate) fn record(actor: Actor, what: Happening) {
    let _ = TIMELINE.try_with(|r| {
        if matches!(what, Happening::Started { .. }) {
            r.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if let Ok(mut inner) = r.0.lock() {
            // A program ends once: its exit is seen both where a step
            // waited for it and where the failure is reported.
            let program = |e: &&TimelineEntry| e.actor == Actor::Target;
            if matches!(what, Happening::Exited { .. })
                && inner
                    .1
                    .iter()
                    .rev()
                    .find(program)
                    .is_some_and(|last| last.what == what)
            {
                return;
            }
            let at = inner.0.elapsed();
            if inner.1.len() == KEEP {
                inner.1.pop_front();
            }
            inner.1.push_back(TimelineEntry { at, actor, what });
        }
    });
}

/// The harness, on its socket of this name.
pub(crate) fn harness(name: &str) -> Actor {
    Actor::Harness(name.to_owned())
}

/// Bytes written, as an entry (the first [`BYTES`] of them).
pub(crate) fn sent(bytes: &[u8]) -> Happening {
    Happening::Sent {
        bytes: Bytes(bytes[..bytes.len().min(BYTES)].to_vec()),
        len: bytes.len(),
    }
}

/// Bytes read, as an entry.
pub(crate) fn received(bytes: &[u8]) -> Happening {
    Happening::Received {
        bytes: Bytes(bytes[..bytes.len().min(BYTES)].to_vec()),
        len: bytes.len(),
    }
}

/// Ends the current step's waits now (see [`Cut`]).
pub(crate) fn cut() {
    let _ = TIMELINE.try_with(|r| {
        r.2.set.store(true, std::sync::atomic::Ordering::SeqCst);
        r.2.woken.notify_waiters();
    });
}

/// Lets the next step wait again.
pub(crate) fn uncut() {
    let _ = TIMELINE.try_with(|r| r.2.set.store(false, std::sync::atomic::Ordering::SeqCst));
}

/// Whether the current step's waits were ended.
pub(crate) fn is_cut() -> bool {
    TIMELINE
        .try_with(|r| r.2.set.load(std::sync::atomic::Ordering::SeqCst))
        .unwrap_or(false)
}

/// `fut` until `deadline`, or until the waits are ended: `None` then.
pub(crate) async fn until<F: Future>(deadline: Instant, fut: F) -> Option<F::Output> {
    let cut = TIMELINE.try_with(|r| r.2.clone()).ok();
    let ended = async {
        match cut {
            Some(c) => loop {
                let woken = c.woken.notified();
                if c.set.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                woken.await;
            },
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = fut => Some(r),
        () = tokio::time::sleep_until(deadline) => None,
        () = ended => None,
    }
}

/// How many times the program was started in this scenario (all of them,
/// not only those still in the kept entries).
pub(crate) fn starts() -> u32 {
    TIMELINE
        .try_with(|r| r.1.load(std::sync::atomic::Ordering::Relaxed))
        .unwrap_or(0)
}

/// The timeline so far.
pub(crate) fn snapshot() -> Vec<TimelineEntry> {
    TIMELINE
        .try_with(|r| {
            r.0.lock()
                .map(|inner| inner.1.iter().cloned().collect())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Whether the harness has closed, shut down or reset one of its
/// connections so far (a loop on b'' starts there).
pub(crate) fn harness_closed() -> bool {
    TIMELINE
        .try_with(|r| {
            r.0.lock().is_ok_and(|inner| {
                inner.1.iter().any(|e| {
                    matches!(e.actor, Actor::Harness(_))
                        && matches!(
                            e.what,
                            Happening::Closed | Happening::ShutdownWrite | Happening::Reset
                        )
                })
            })
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_results::Ended;

    /// Seen twice (a step that waited for it, then the report), a
    /// program's exit is one line; an exit after a restart is its own.
    #[tokio::test]
    async fn a_program_exits_once_per_start() {
        let entries = scope(async {
            let exit = || Happening::Exited {
                ended: Ended::Code(1),
            };
            record(Actor::Target, exit());
            record(Actor::Target, exit());
            record(
                Actor::Target,
                Happening::Started {
                    command: "python3 s.py".into(),
                },
            );
            record(Actor::Target, exit());
            snapshot()
        })
        .await;
        let exits = entries
            .iter()
            .filter(|e| matches!(e.what, Happening::Exited { .. }))
            .count();
        assert_eq!(exits, 2, "{entries:#?}");
    }
}
