//! The run as a whole, for the reporters that write one document when it
//! ends (JSON, JUnit, Gradescope, HTML): they only differ in what they
//! write, so gathering the events is done once, here.

use std::time::Duration;

use sockspec_results::{BuildReport, Event, ScenarioResult, Summary};

/// What a run said, gathered from its events.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// What was under test.
    pub(crate) target: String,
    /// The contract, as command-line options.
    pub(crate) contract: String,
    /// Every result, in the order they finished.
    pub(crate) results: Vec<ScenarioResult>,
    /// The submission's builds, when it has any.
    pub(crate) builds: Vec<BuildReport>,
}

/// The end of a run, once it has come.
pub(crate) struct Finished {
    pub(crate) summary: Summary,
    pub(crate) wall: Duration,
    pub(crate) peak_rss_kb: Option<u64>,
}

impl Collected {
    /// Takes one event; at the end of the run, what the end said.
    pub(crate) fn take(&mut self, event: &Event) -> Option<Finished> {
        match event {
            Event::RunStarted {
                target, contract, ..
            } => {
                self.target.clone_from(target);
                self.contract.clone_from(contract);
                None
            }
            Event::Built(builds) => {
                self.builds.clone_from(builds);
                None
            }
            Event::ScenarioStarted { .. } => None,
            Event::ScenarioFinished(r) => {
                self.results.push((**r).clone());
                None
            }
            Event::RunFinished {
                summary,
                wall,
                peak_rss_kb,
            } => Some(Finished {
                summary: *summary,
                wall: *wall,
                peak_rss_kb: *peak_rss_kb,
            }),
        }
    }
}
