//! A program that died of a signal it brought on itself. The harness stops
//! programs only with SIGKILL (and pauses them with SIGSTOP), so a SIGPIPE
//! or a SIGSEGV is the program's own doing, and C programs meet both:
//! a write to a connection whose peer has gone kills a C program that does
//! not ignore SIGPIPE; a recv() whose return is not checked before its
//! buffer is used ends in SIGSEGV. The kernel does not say where it died,
//! but the timeline says what had just happened on the wire, which is
//! what the student can act on.

use sockspec_results::diagnosis::{Actor, Happening, LastSeen, TimelineEntry};
use sockspec_results::{Diagnosis, Ended, FatalSignal};

/// The diagnosis of a program that `ended` so, after the exchange of
/// `timeline`: none unless a signal the harness never sends killed it.
pub(crate) fn death(ended: Option<Ended>, timeline: &[TimelineEntry]) -> Option<Diagnosis> {
    let Some(Ended::Signal(n)) = ended else {
        return None;
    };
    let signal = FatalSignal::from_number(n)?;
    Some(Diagnosis::Signaled {
        signal,
        after: last_seen(timeline),
    })
}

/// The last thing on the wire, in the program's last life (after its last
/// start, before its end), that says what it was doing when it died.
fn last_seen(timeline: &[TimelineEntry]) -> Option<LastSeen> {
    let life = match timeline
        .iter()
        .rposition(|e| matches!(e.what, Happening::Started { .. }))
    {
        Some(start) => &timeline[start..],
        None => timeline,
    };
    let end = life
        .iter()
        .position(|e| matches!(e.what, Happening::Exited { .. }))
        .unwrap_or(life.len());
    for e in life[..end].iter().rev() {
        let harness = matches!(e.actor, Actor::Harness(_));
        let seen = match &e.what {
            Happening::Started { .. } => LastSeen::Starting,
            Happening::Connected | Happening::Accepted => LastSeen::Connected,
            Happening::Sent { len, .. } if harness => LastSeen::GotBytes(*len),
            Happening::Received { len, .. } if harness => LastSeen::SentBytes(*len),
            Happening::ShutdownWrite | Happening::Closed if harness => LastSeen::PeerClosed,
            Happening::Reset if harness => LastSeen::PeerReset,
            Happening::Typed { .. } => LastSeen::Typed,
            Happening::StdinClosed => LastSeen::StdinClosed,
            // Being ready, and what the harness saw of the end, say
            // nothing of what the program was doing.
            _ => continue,
        };
        return Some(seen);
    }
    None
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sockspec_model::Bytes;

    use super::*;

    fn at(actor: Actor, what: Happening) -> TimelineEntry {
        TimelineEntry {
            at: Duration::ZERO,
            actor,
            what,
        }
    }

    fn harness(what: Happening) -> TimelineEntry {
        at(Actor::Harness("a".into()), what)
    }

    fn started() -> TimelineEntry {
        at(
            Actor::Target,
            Happening::Started {
                command: "./server 9000".into(),
            },
        )
    }

    fn exited(signal: i32) -> TimelineEntry {
        at(
            Actor::Target,
            Happening::Exited {
                ended: Ended::Signal(signal),
            },
        )
    }

    fn sent(n: usize) -> Happening {
        Happening::Sent {
            bytes: Bytes(vec![b'x'; n]),
            len: n,
        }
    }

    #[test]
    fn only_the_signals_a_program_brings_on_itself() {
        assert_eq!(death(Some(Ended::Signal(9)), &[]), None);
        assert_eq!(death(Some(Ended::Signal(15)), &[]), None);
        assert_eq!(death(Some(Ended::Code(1)), &[]), None);
        assert_eq!(death(None, &[]), None);
        assert_eq!(
            death(Some(Ended::Signal(13)), &[]),
            Some(Diagnosis::Signaled {
                signal: FatalSignal::Pipe,
                after: None
            })
        );
    }

    #[test]
    fn the_last_thing_on_the_wire_before_it_died() {
        let after = |timeline: &[TimelineEntry]| match death(Some(Ended::Signal(11)), timeline) {
            Some(Diagnosis::Signaled { after, .. }) => after,
            other => panic!("{other:?}"),
        };
        // A SIGPIPE server: it got a message, the client closed, it wrote.
        let timeline = [
            started(),
            at(
                Actor::Target,
                Happening::Ready {
                    addr: "127.0.0.1:9000".parse().unwrap(),
                },
            ),
            harness(Happening::Connected),
            harness(sent(6)),
            harness(Happening::Closed),
            exited(13),
            harness(Happening::SawEof),
        ];
        assert_eq!(after(&timeline), Some(LastSeen::PeerClosed));
        assert_eq!(after(&timeline[..4]), Some(LastSeen::GotBytes(6)));
        assert_eq!(after(&timeline[..3]), Some(LastSeen::Connected));
        // Ready is no doing of its own; before it, it was starting.
        assert_eq!(after(&timeline[..2]), Some(LastSeen::Starting));
        // Only its last life counts: after a restart, the exchange before
        // is another process's.
        let mut restarted = timeline.to_vec();
        restarted.push(started());
        restarted.push(exited(11));
        assert_eq!(after(&restarted), Some(LastSeen::Starting));
        let reply = [
            started(),
            harness(Happening::Received {
                bytes: Bytes(b"Thanks".to_vec()),
                len: 6,
            }),
        ];
        assert_eq!(after(&reply), Some(LastSeen::SentBytes(6)));
    }
}
