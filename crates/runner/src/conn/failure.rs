//! What a step's failure is and carries, apart from any one connection:
//! [`StepFailure`] is the error of every step (TCP, UDP, HTTP, processes,
//! broadcasts), so it lives beside the two helpers the other transports
//! share with TCP: [`take_oldest`] for the queues of messages awaiting
//! replies, and [`expected_reply`] for what the report says a reply had to
//! be. None of it touches a socket.

use std::collections::VecDeque;

use sockspec_model::{Bytes, Framing, ReplyRule};
use sockspec_results::{Doing, Expectation, Mismatch, Queue, ReplyShape, ScenarioBug};

/// Why a step did not do what the scenario expects, with the evidence.
#[derive(Clone, Debug)]
pub struct StepFailure {
    /// What went wrong. Boxed: every step's future holds its result, so the
    /// mismatch's size would be paid by every await of a scenario (unboxed,
    /// a scenario's future overflowed a thread's default stack).
    pub mismatch: Box<Mismatch>,
    /// What the harness had sent for the awaited replies.
    pub sent: Option<Bytes>,
    /// What was expected, when more than the mismatch says.
    pub expected: Option<Expectation>,
    /// What came back.
    pub received: Option<Bytes>,
    /// The read ended in a reset (RST), not a close.
    pub reset: bool,
}

/// The oldest `count` entries of a queue: the messages sent that await
/// replies, or those received that await answers. Asking for more than are
/// there is a mistake in the scenario, and is said so.
pub(crate) fn take_oldest<T>(
    queue: &mut VecDeque<T>,
    count: usize,
    what: Queue,
) -> Result<Vec<T>, StepFailure> {
    if queue.len() < count {
        return Err(StepFailure::bug(ScenarioBug::TooFew {
            want: count,
            what,
            have: queue.len(),
        }));
    }
    Ok(queue.drain(..count).collect())
}

impl StepFailure {
    /// A failure with no evidence beyond what it is.
    pub fn new(mismatch: Mismatch) -> Self {
        StepFailure {
            mismatch: Box::new(mismatch),
            sent: None,
            expected: None,
            received: None,
            reset: false,
        }
    }

    /// The operating system refused what the harness was doing.
    pub fn io(doing: Doing, error: impl std::fmt::Display) -> Self {
        StepFailure::new(Mismatch::Io {
            doing,
            error: error.to_string(),
        })
    }

    /// A mistake in the scenario.
    pub fn bug(bug: ScenarioBug) -> Self {
        StepFailure::new(Mismatch::Scenario(bug))
    }

    /// The same evidence, with the mismatch wrapped (`AfterRestart`...).
    pub fn map(self, wrap: impl FnOnce(Mismatch) -> Mismatch) -> Self {
        StepFailure {
            mismatch: Box::new(wrap(*self.mismatch)),
            ..self
        }
    }
}

/// What a reply must be under `rule`, as data for the report.
pub(crate) fn expected_reply(rule: &ReplyRule, framing: Framing, message: &[u8]) -> Expectation {
    Expectation::Reply {
        rule: match rule {
            ReplyRule::Echo => ReplyShape::Echo,
            ReplyRule::Fixed(t) => ReplyShape::Fixed(Bytes(t.clone())),
            ReplyRule::Any => ReplyShape::Any,
            ReplyRule::Regex(re) => ReplyShape::Regex(re.as_str().to_owned()),
        },
        framing,
        message: Bytes(message.to_vec()),
    }
}
