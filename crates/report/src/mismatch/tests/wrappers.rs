//! The failures that wrap another (the try that was flaky, the step the
//! program ended during, a property's case...), so that the walk can put
//! every failure inside each of them.

use std::time::Duration;

use sockspec_results::{Mismatch, Nth, PropertyFailure};

/// The failure wrappers are sampled around, as a step's failure.
pub(super) fn plain() -> Mismatch {
    Mismatch::NoReply {
        nth: Nth::The,
        within: Duration::from_secs(2),
    }
}

/// `m` with `inner` in place of the failure it wraps; none when `m` wraps
/// no other. A new variant must say here whether it wraps one.
pub(super) fn rewrap(m: &Mismatch, inner: &Mismatch) -> Option<Mismatch> {
    let b = || Box::new(inner.clone());
    Some(match m {
        Mismatch::AsIn { id, .. } => Mismatch::AsIn {
            id: id.clone(),
            first: b(),
        },
        Mismatch::Flaky {
            passes, attempts, ..
        } => Mismatch::Flaky {
            passes: *passes,
            attempts: *attempts,
            first: b(),
        },
        Mismatch::AfterRestart(_) => Mismatch::AfterRestart(b()),
        Mismatch::Meanwhile { ended, .. } => Mismatch::Meanwhile {
            inner: b(),
            ended: *ended,
        },
        Mismatch::Stalled(_) => Mismatch::Stalled(b()),
        Mismatch::Incomplete { why, .. } => Mismatch::Incomplete {
            inner: b(),
            why: why.clone(),
        },
        Mismatch::ResetUnread(_) => Mismatch::ResetUnread(b()),
        Mismatch::RestartFailed(_) => Mismatch::RestartFailed(b()),
        Mismatch::BaselineFailed(_) => Mismatch::BaselineFailed(b()),
        Mismatch::Property(p) => Mismatch::Property(Box::new(PropertyFailure {
            inner: inner.clone(),
            ..(**p).clone()
        })),
        Mismatch::NoProgram { .. }
        | Mismatch::Unrunnable { .. }
        | Mismatch::OverBudget { .. }
        | Mismatch::Harness { .. }
        | Mismatch::Io { .. }
        | Mismatch::Scenario { .. }
        | Mismatch::SpawnFailed { .. }
        | Mismatch::CommandNotRun { .. }
        | Mismatch::EndedBeforeReady { .. }
        | Mismatch::NotReady { .. }
        | Mismatch::ReadyFailed { .. }
        | Mismatch::Refused { .. }
        | Mismatch::ResetOnConnect { .. }
        | Mismatch::ConnectTimeout { .. }
        | Mismatch::BrokenPipe
        | Mismatch::ResetWhileWriting
        | Mismatch::StoppedReading
        | Mismatch::NoConnection { .. }
        | Mismatch::Unframeable { .. }
        | Mismatch::ClosedBeforeReply { .. }
        | Mismatch::ResetBeforeReply { .. }
        | Mismatch::ResetBeforeAnyReply
        | Mismatch::NoReply { .. }
        | Mismatch::IncompleteReply { .. }
        | Mismatch::IncompleteStream { .. }
        | Mismatch::NoMatchingReply { .. }
        | Mismatch::WrongReply { .. }
        | Mismatch::ClosedWithoutReply
        | Mismatch::Unreachable { .. }
        | Mismatch::SomeReplies { .. }
        | Mismatch::NotTheLine
        | Mismatch::NoDatagram { .. }
        | Mismatch::MessageUnframeable { .. }
        | Mismatch::ClosedInsteadOfMessage
        | Mismatch::ResetBeforeMessage
        | Mismatch::NoMessage { .. }
        | Mismatch::MessageIncomplete { .. }
        | Mismatch::SomethingElse
        | Mismatch::BytesBeforeClose { .. }
        | Mismatch::ResetNotClosed
        | Mismatch::NotClosed { .. }
        | Mismatch::ClosedNotReset
        | Mismatch::NotReset { .. }
        | Mismatch::CloseWait { .. }
        | Mismatch::NotRunning { .. }
        | Mismatch::StillRunning { .. }
        | Mismatch::WrongExit { .. }
        | Mismatch::Traceback
        | Mismatch::EndedWithoutPrinting { .. }
        | Mismatch::NotPrinted { .. }
        | Mismatch::NoBroadcast { .. }
        | Mismatch::SomeBroadcast { .. }
        | Mismatch::HttpReset { .. }
        | Mismatch::NoHttp { .. }
        | Mismatch::HttpStopped { .. }
        | Mismatch::AnsweredEarly { .. }
        | Mismatch::ClosedEarly { .. }
        | Mismatch::NoResponse
        | Mismatch::NoRequest
        | Mismatch::Malformed { .. }
        | Mismatch::HttpCut { .. }
        | Mismatch::WrongStatus { .. }
        | Mismatch::WrongBody { .. }
        | Mismatch::WrongMethod { .. }
        | Mismatch::PropertyAbort { .. }
        | Mismatch::PropertyNoCase
        | Mismatch::PropertyPanicked
        | Mismatch::PiecesStatus { .. } => return None,
    })
}
