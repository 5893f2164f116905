//! JUnit XML for CI systems: one test suite per role, one test case per
//! scenario. Failures carry the teaching text; the target's output goes to
//! system-out / system-err where CI viewers show it.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use sockspec_runner::{Event, ScenarioResult, Status};

use crate::Reporter;
use crate::human::failure_text;

/// Writes a JUnit XML report to `out` at the end of the run.
pub struct Junit<W: Write> {
    out: W,
    results: Vec<ScenarioResult>,
}

impl<W: Write> Junit<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        Junit {
            out,
            results: Vec::new(),
        }
    }
}

fn test_case(r: &ScenarioResult) -> TestCase {
    let status = match r.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.message.as_str());
            s
        }
        Status::Fail | Status::Error => {
            // A recommended scenario that does not count is reported as
            // skipped-with-a-reason rather than failing the CI job.
            let kind = if r.status == Status::Error {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = if r.counted {
                TestCaseStatus::non_success(kind)
            } else {
                TestCaseStatus::skipped()
            };
            s.set_message(r.message.as_str());
            s.set_description(failure_text(r));
            s
        }
    };
    let mut case = TestCase::new(r.id.as_str(), status);
    case.set_classname(r.role.as_str());
    case.set_time(r.duration);
    if let Some(t) = r.failure.as_ref().and_then(|f| f.target.as_ref()) {
        case.set_system_out(t.stdout.as_str());
        case.set_system_err(t.stderr.as_str());
    }
    case
}

impl<W: Write> Reporter for Junit<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::ScenarioFinished(r) => self.results.push((**r).clone()),
            Event::RunFinished { wall, .. } => {
                self.results.sort_by(|a, b| a.id.cmp(&b.id));
                let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
                for r in &self.results {
                    suites
                        .entry(r.role.as_str())
                        .or_insert_with(|| TestSuite::new(r.role.as_str()))
                        .add_test_case(test_case(r));
                }
                let mut report = Report::new("sockspec");
                report.set_time(*wall);
                report.add_test_suites(suites.into_values());
                report
                    .serialize(&mut self.out)
                    .map_err(std::io::Error::other)?;
                writeln!(self.out)?;
                self.out.flush()?;
            }
            _ => {}
        }
        Ok(())
    }
}
