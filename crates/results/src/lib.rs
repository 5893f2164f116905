//! What a run found, as data and nothing else.
//!
//! The runner produces these values and the reporters consume them; they
//! are the one contract between the two. Keeping them in a crate of their
//! own, with no sockets, no processes and no async runtime, lets a reporter
//! (or a tool reading a saved run) be built and tested without the machinery
//! that produced the results, and keeps every sentence out of the runner:
//! a failure is a typed [`Mismatch`], a step is the typed step of the
//! scenario, and only the reporters decide how either reads, in English or
//! in Chinese.

pub mod build;
mod details;
pub mod diagnosis;
pub mod event;
mod expectation;
pub mod language;
pub mod limits;
pub mod mismatch;
mod property;
pub mod system;

pub use build::BuildReport;
pub use diagnosis::{
    Actor, BindProblem, BlockedCall, Diagnosis, Happening, JavaFrame, JavaThrowable, LastSeen,
    Python2Sign, RoleSign, SocketView, SourceLine, TimelineEntry,
};
pub use event::{
    Event, FailedAt, Failure, PortWait, ScenarioResult, Status, Summary, TargetReport,
};
pub use language::Language;
pub use limits::{CgroupLimit, LimitHit, NoCgroup, Shortfall};
pub use mismatch::{
    CaseView, Doing, Ended, Expectation, Found, HttpMessage, Listen, Mismatch, Nth,
    PropertyFailure, Queue, ReplyShape, ScenarioBug, Seen, Unrunnable, Why,
};
pub use system::{Errno, FatalSignal, SocketCall};
