//! Reporters: each turns the runner's one stream of events into one format.
//!
//! A reporter never touches a socket or a process; everything it shows came
//! in an [`Event`]. Adding a format is adding a reporter, never changing the
//! runner. [`Human`] writes as the run goes, for people; [`Json`] and
//! [`Junit`] write one document when the run ends, sorted by id, for tools;
//! [`Gradescope`] and [`Autolab`] speak the formats of the two graders
//! courses put homework through, so that sockspec's points become the
//! gradebook's without a script in between; [`Html`] is one page a student
//! can open anywhere, a phone included.
//!
//! Whatever a reporter writes for a student exists in English and in
//! Chinese ([`Lang`]): the course is taught in Chinese, and a hint a student
//! has to translate first is a hint half given. The sentences that explain
//! a failure (what the program is blocked in, which exception killed it,
//! the exchange that led there) are worded once, in `diagnose` and
//! `timeline`, and every format shows the same ones.

#![warn(missing_docs)]

mod autolab;
mod batch;
mod build;
mod collect;
mod diagnose;
mod evidence;
mod gradescope;
mod html;
mod human;
mod json;
mod junit;
mod lang;
mod mismatch;
mod shortfall;
mod step;
#[cfg(test)]
mod test_support;
mod text;
mod timeline;

use std::ffi::OsStr;

pub use autolab::Autolab;
pub use batch::{batch_table, class_summary};
pub use gradescope::{Gradescope, GradescopeOptions};
pub use html::{Html, HtmlOptions, ReportPaths, class_page};
pub use human::{Human, HumanOptions};
pub use json::Json;
pub use junit::Junit;
pub use lang::{Lang, ParseLangError};
pub use shortfall::shortfall;

use sockspec_results::Event;

/// Something that consumes a run's events and writes a report.
pub trait Reporter {
    /// Takes the next event; formats that need the whole run write on
    /// `RunFinished`.
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
}

/// A result's title in `lang` (English when the scenario gives no Chinese).
pub(crate) fn title(r: &sockspec_results::ScenarioResult, lang: Lang) -> &str {
    match lang {
        Lang::Zh if !r.title_zh.is_empty() => &r.title_zh,
        _ => &r.title,
    }
}

impl<R: Reporter + ?Sized> Reporter for Box<R> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        (**self).event(event)
    }
}

/// Whether to colour output written to a terminal (`is_tty`) or not:
/// never when NO_COLOR is set and non-empty, always when CLICOLOR_FORCE is
/// set and not "0", never when CLICOLOR is "0", else on a terminal only.
pub fn color_wanted(is_tty: bool) -> bool {
    let var = std::env::var_os;
    color_from(
        is_tty,
        var("NO_COLOR").as_deref(),
        var("CLICOLOR_FORCE").as_deref(),
        var("CLICOLOR").as_deref(),
    )
}

/// [`color_wanted`] without the environment, so it can be tested.
fn color_from(
    is_tty: bool,
    no_color: Option<&OsStr>,
    force: Option<&OsStr>,
    clicolor: Option<&OsStr>,
) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if force.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    if clicolor.is_some_and(|v| v == "0") {
        return false;
    }
    is_tty
}

#[cfg(test)]
mod tests {
    use super::color_from;
    use std::ffi::OsStr;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn colour_follows_the_terminal_and_the_conventions() {
        assert!(color_from(true, None, None, None));
        assert!(!color_from(false, None, None, None));
        assert!(!color_from(true, os("1"), None, None), "NO_COLOR wins");
        assert!(!color_from(true, os("1"), os("1"), None), "even over force");
        assert!(
            color_from(true, os(""), None, None),
            "empty NO_COLOR is unset"
        );
        assert!(color_from(false, None, os("1"), None), "CLICOLOR_FORCE");
        assert!(!color_from(false, None, os("0"), None), "CLICOLOR_FORCE=0");
        assert!(!color_from(true, None, None, os("0")), "CLICOLOR=0");
        assert!(color_from(true, None, None, os("1")));
    }
}
