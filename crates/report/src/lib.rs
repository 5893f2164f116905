//! Reporters: each turns the runner's one stream of events into one format.
//!
//! A reporter never touches a socket or a process; everything it shows came
//! in an [`Event`]. Adding a format is adding a reporter, never changing the
//! runner.

mod human;
mod json;
mod junit;

pub use human::{Human, HumanOptions};
pub use json::Json;
pub use junit::Junit;

use sockspec_runner::Event;

/// Something that consumes a run's events and writes a report.
pub trait Reporter {
    /// Takes the next event; formats that need the whole run write on
    /// `RunFinished`.
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
}

/// Whether to colour output: on a terminal, unless NO_COLOR is set and
/// non-empty; always when CLICOLOR_FORCE is set and not "0".
pub fn color_wanted(is_tty: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    set("CLICOLOR_FORCE") || is_tty
}
