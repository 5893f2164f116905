//! JUnit XML for CI systems: one test suite per role, one test case per
//! scenario (classname = role, name = id), written when the run ends and
//! sorted by id so that parallel runs give the same file.
//!
//! A failure's text is the same evidence block the human report shows
//! (diagnosis and hint included, in the language asked for), so a student
//! reading the CI page learns the same thing; the target's whole
//! captured output goes to system-out / system-err, where CI viewers show
//! it. A recommended scenario that does not count is reported as skipped
//! with its reason, so that it is visible without failing the CI job.
//!
//! A flaky scenario is a success carrying its failed try as a
//! `<flakyFailure>`, the element Maven Surefire writes for a test that
//! passed on a rerun and that CI viewers (Jenkins, GitLab, test-result
//! actions) show as flaky: the job stays green, as the points are earned,
//! but the failed try is on the page. As Surefire's schema wants, its
//! evidence is in `<stackTrace>` and the target's output of that try inside
//! the element, not on the test case, whose passing try printed something
//! else.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};
use sockspec_results::{Event, ScenarioResult, Status};

use crate::collect::Collected;
use crate::evidence::{Limits, evidence};
use crate::{Lang, Reporter};

/// Writes a JUnit XML report to `out` at the end of the run.
pub struct Junit<W: Write> {
    out: W,
    lang: Lang,
    run: Collected,
}

impl<W: Write> Junit<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        Junit {
            out,
            lang: Lang::En,
            run: Collected::default(),
        }
    }

    /// The same reporter, writing the failures' explanations in `lang`
    /// (English unless told).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

/// The evidence block, as plain lines.
fn evidence_text(r: &ScenarioResult, lang: Lang) -> String {
    let mut text = String::new();
    for (_, line) in evidence(r, Limits::page(lang)) {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The failed try of a flaky scenario.
fn flaky_run(r: &ScenarioResult, lang: Lang) -> TestRerun {
    let mut run = TestRerun::new(NonSuccessKind::Failure);
    run.set_message(crate::mismatch::reason(r, lang));
    // Surefire's schema requires a type; ours is what happened, not a class.
    run.set_type("failed try");
    run.set_stack_trace(evidence_text(r, lang));
    if let Some(t) = r.failure.as_ref().and_then(|f| f.target.as_ref()) {
        run.set_system_out(t.stdout.as_str());
        run.set_system_err(t.stderr.as_str());
    }
    run
}

fn test_case(r: &ScenarioResult, lang: Lang) -> TestCase {
    let status = match r.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Flaky => {
            let mut s = TestCaseStatus::success();
            s.add_rerun(flaky_run(r, lang));
            s
        }
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(crate::mismatch::reason(r, lang));
            s
        }
        Status::NotBuilt => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(crate::mismatch::reason(r, lang));
            s.set_type("build error");
            s
        }
        Status::Fail | Status::Error => {
            let (mut s, message) = match (r.status, r.counted) {
                (Status::Error, _) => (
                    TestCaseStatus::non_success(NonSuccessKind::Error),
                    crate::mismatch::reason(r, lang),
                ),
                (_, true) => (
                    TestCaseStatus::non_success(NonSuccessKind::Failure),
                    crate::mismatch::reason(r, lang),
                ),
                (_, false) => (
                    TestCaseStatus::skipped(),
                    format!(
                        "{}{}",
                        lang.pick("recommended, not counted: ", "推荐项，不计分："),
                        crate::mismatch::reason(r, lang)
                    ),
                ),
            };
            s.set_message(message);
            s.set_description(evidence_text(r, lang));
            s
        }
    };
    let mut case = TestCase::new(r.id.as_str(), status);
    case.set_classname(r.role.as_str());
    case.set_time(r.duration);
    if let Some(t) = r.failure.as_ref().and_then(|f| f.target.as_ref())
        && r.status != Status::Flaky
    {
        // quick-junit drops characters XML cannot carry (escape codes).
        case.set_system_out(t.stdout.as_str());
        case.set_system_err(t.stderr.as_str());
    }
    case
}

/// A build as a test case: a failure with the compiler's output when it
/// failed, so that CI shows BUILD ERROR first.
fn build_case(b: &sockspec_results::BuildReport, lang: Lang) -> TestCase {
    let status = if b.ok() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(crate::build::headline(b, lang));
        s.set_type("build error");
        s.set_description(format!(
            "{}\n{}",
            crate::build::output_lines(b, usize::MAX, lang).join("\n"),
            crate::build::consequence(b, lang)
        ));
        s
    };
    let mut case = TestCase::new(b.command.as_str(), status);
    case.set_classname("build");
    case.set_time(b.duration);
    case
}

impl<W: Write> Reporter for Junit<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Some(end) = self.run.take(event) {
            let wall = &end.wall;
            self.run.results.sort_by(|a, b| a.id.cmp(&b.id));
            let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
            for r in &self.run.results {
                suites
                    .entry(r.role.as_str())
                    .or_insert_with(|| {
                        let mut suite = TestSuite::new(r.role.as_str());
                        suite.add_properties([
                            Property::new("target", self.run.target.as_str()),
                            Property::new("contract", self.run.contract.as_str()),
                        ]);
                        suite
                    })
                    .add_test_case(test_case(r, self.lang));
            }
            if self.run.builds.iter().any(|b| !b.ok()) {
                let mut suite = TestSuite::new("build");
                for b in &self.run.builds {
                    suite.add_test_case(build_case(b, self.lang));
                }
                suites.insert("build", suite);
            }
            let mut report = Report::new("sockspec");
            report.set_time(*wall);
            report.add_test_suites(suites.into_values());
            report
                .serialize(&mut self.out)
                .map_err(std::io::Error::other)?;
            self.out.flush()?;
        }
        Ok(())
    }
}
