//! The scenario model: what a scenario file says, as types, and the one place
//! where YAML becomes those types.
//!
//! Parsing never runs anything. Everything the runner needs to know about a
//! scenario is decided here, so a scenario that loads is a scenario that can
//! run, and every mistake in a file is reported with the file, line and column
//! where the author can fix it.

pub mod addressing;
pub mod assignment;
pub mod contract;
pub mod load;
pub mod property;
pub mod scenario;
pub mod schema;
mod spanned;
pub mod step;

pub use addressing::Addressing;
pub use assignment::{
    AssignedProgram, Assignment, BuildStep, LimitsSpec, Visibility, load_assignment,
};
pub use contract::{
    Contract, ContractError, Framing, Level, Page, ReadyWhen, ReplyKind, ReplyRule, Role, Transport,
};
pub use load::{LoadError, LoadErrorKind, Source, load_paths, load_source, load_sources};
pub use property::{Alphabet, Bounds, PropertyName, PropertySpec};
pub use scenario::{Localized, Scenario, Skip, When};
pub use step::{
    BodyLength, BroadcastStep, Bytes, ConnName, ExpectBroadcastStep, ExpectExitStep,
    ExpectMessageStep, ExpectPrintedStep, ExpectReplyStep, ExpectRequestStep, ExpectResponseStep,
    Expected, ReplyStep, RequestStep, RespondStep, SendStep, Step, StepAt,
};
