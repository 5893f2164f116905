//! The events a run emits, in order: `RunStarted`, then for each scenario
//! `ScenarioStarted` and `ScenarioFinished` (interleaved when scenarios run in
//! parallel), then `RunFinished`. They carry everything a reporter shows, so
//! reporters never look anywhere else.

use std::time::Duration;

use serde::Serialize;
use sockspec_model::{Bytes, Level, Localized, PropertyName, Role, Step};

use crate::diagnosis::{Diagnosis, TimelineEntry};
use crate::mismatch::{Ended, Expectation, Why};

/// One thing that happened during a run.
#[derive(Clone, Debug)]
pub enum Event {
    /// The run begins.
    RunStarted {
        /// How many scenarios will be reported.
        total: usize,
        /// What is under test, as the user named it (or the built-in reference).
        target: String,
        /// The contract, as command-line options (`--reply echo --framing line`).
        contract: String,
    },
    /// The submission's builds ran (before any scenario), in order; sent
    /// only when there are builds. A failed one makes the scenarios of the
    /// programs it builds [`Status::NotBuilt`].
    Built(Vec<crate::build::BuildReport>),
    /// A scenario begins.
    ScenarioStarted {
        /// Its id.
        id: String,
    },
    /// A scenario has a verdict.
    ScenarioFinished(Box<ScenarioResult>),
    /// The run is over.
    RunFinished {
        /// The counts.
        summary: Summary,
        /// Wall time of the whole run.
        wall: Duration,
        /// The harness's own peak memory (resident set, kB), when known: a
        /// run must stay small whatever the programs under test do.
        peak_rss_kb: Option<u64>,
    },
}

/// The verdict of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every step did what the scenario expects.
    Pass,
    /// The program did something the scenario does not allow.
    Fail,
    /// The scenario could not be carried out (the target did not start, or
    /// the harness itself failed); says nothing about the program's behaviour.
    Error,
    /// The scenario does not apply to the stated contract.
    Skip,
    /// The verdict changed between tries (`--retries`): it passed at least
    /// once and failed at least once. It earns its points, like a pass, but
    /// is never reported as one: every report names it with its pass rate,
    /// so a grader can look at a racy program (or a loaded machine).
    Flaky,
    /// Not run: the build of its program failed (see [`Event::Built`]).
    /// It earns nothing and counts as a failure of the submission, not of
    /// the harness.
    NotBuilt,
}

impl Status {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skip => "skip",
            Status::Flaky => "flaky",
            Status::NotBuilt => "not-built",
        }
    }
}

/// What one scenario did.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    /// `role/name`.
    pub id: String,
    /// One line saying what was checked.
    pub title: String,
    /// The same in Chinese (empty if the scenario gives none).
    pub title_zh: String,
    /// The role.
    pub role: Role,
    /// Required or recommended.
    pub level: Level,
    /// Whether it counts toward the exit code (required, or `--strict`).
    pub counted: bool,
    /// Points it is worth.
    pub points: u32,
    /// The verdict.
    pub status: Status,
    /// How long it took.
    pub duration: Duration,
    /// Why it failed, errored, was skipped or was flaky (none on a pass).
    pub why: Option<Why>,
    /// The note of the course the scenario checks.
    pub concept: String,
    /// The same in Chinese (empty if the scenario gives none).
    pub concept_zh: String,
    /// What to change when it fails, in both languages.
    pub hint: Localized,
    /// The scenario file.
    pub file: String,
    /// Details of a failure or error (for a flaky scenario: of a failed try).
    pub failure: Option<Failure>,
    /// How many times the scenario was played (1 unless it failed and
    /// `--retries` allowed more).
    pub attempts: u32,
    /// How many of those tries passed.
    pub passes: u32,
    /// How many times the program was started (the last try's count): the
    /// start-up a scenario cannot do without, for benchmarks' floors.
    pub starts: u32,
    /// Where a program that chose its own address or port was found, or
    /// where its hard-coded host name took it.
    pub found: Option<crate::details::Found>,
    /// How long the scenario waited before it began for the port its
    /// program hard-codes to be free (a TIME_WAIT of the scenario before,
    /// on a machine without private networks): why it was slow.
    pub port_wait: Option<PortWait>,
    /// The limits of its sandbox the program ran into during the scenario
    /// (the last try's), pass or not: a program that passed while a fork
    /// was refused is one a grader should look at.
    pub limits_hit: Vec<crate::LimitHit>,
    /// The verdict was given on a program an earlier scenario started and
    /// left idle (a pass; a failure there is played again on a fresh one):
    /// a start saved.
    pub shared: bool,
    /// A try on a handed-over program did not pass, so the scenario was
    /// played again on a fresh one: this verdict is that one's. (For a
    /// property of a client: a case that failed on the client that went on
    /// from the case before was played again on a fresh one.)
    pub replayed: bool,
    /// Property cases (client roles) typed into the client the case before
    /// passed on, as it waited for its next line, instead of a fresh one:
    /// starts saved. A case that fails there is played again on a fresh one.
    pub cases_went_on: u32,
}

/// A wait for a hard-coded port to be free before a scenario began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortWait {
    /// The port.
    pub port: u16,
    /// How long it took.
    pub waited: Duration,
    /// Whether it was free at the end (else the scenario went ahead anyway).
    pub freed: bool,
}

/// Where and how a scenario failed, with what a student needs to understand it.
#[derive(Clone, Debug, Default)]
pub struct Failure {
    /// 1-based index of the failing step (0: before the first step, e.g. start-up).
    pub step: usize,
    /// What was being done.
    pub at: FailedAt,
    /// Line of the step in the scenario file.
    pub line: u64,
    /// What the harness had sent on the connection for the replies it awaited.
    pub sent: Option<Bytes>,
    /// What was expected, when more than the failure says.
    pub expected: Option<Expectation>,
    /// What actually came back.
    pub received: Option<Bytes>,
    /// The target at the moment of failure.
    pub target: Option<TargetReport>,
    /// What the runner found out about why (gathered only on failure).
    pub diagnoses: Vec<Diagnosis>,
    /// The exchange up to the failure, as the harness saw it (the last
    /// entries, when there were many).
    pub timeline: Vec<TimelineEntry>,
    /// The program itself could not be started (or never became ready),
    /// rather than the harness failing to set up: its other scenarios would
    /// fail the same way.
    pub program_start: bool,
}

/// What a failure happened in.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FailedAt {
    /// Setting up and starting the program, before the first step.
    #[default]
    Start,
    /// A step of the scenario.
    Step(Step),
    /// A property's generated cases.
    Property(PropertyName),
}

/// The program under test at the moment a scenario failed.
#[derive(Clone, Debug, Default)]
pub struct TargetReport {
    /// The command line that was run.
    pub command: String,
    /// How it ended (none: still running).
    pub ended: Option<Ended>,
    /// The end of what it printed on stdout.
    pub stdout: String,
    /// The end of what it printed on stderr (tracebacks land here).
    pub stderr: String,
    /// Bytes of stdout before [`TargetReport::stdout`] that the capture's
    /// cap dropped: a report says the output it shows is not all there was.
    pub stdout_dropped: usize,
    /// Bytes of stderr the capture dropped, likewise.
    pub stderr_dropped: usize,
    /// What it is written in: the words its diagnoses are said in.
    pub language: crate::Language,
}

/// Counts of a run, and the exit code they imply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios that could not be carried out.
    pub errors: usize,
    /// Scenarios that do not apply to the contract.
    pub skipped: usize,
    /// Scenarios that passed on some tries and failed on others.
    pub flaky: usize,
    /// Scenarios not run because their program did not build.
    pub not_built: usize,
    /// Failed scenarios that count (required, or all under `--strict`).
    pub counted_failed: usize,
    /// Points of the passed, counted scenarios.
    pub points: u32,
    /// Points of all counted, applicable scenarios.
    pub points_possible: u32,
    /// Times a program under test was started (in the last try of each
    /// scenario): what a run's time is mostly made of.
    pub starts: u32,
    /// Starts saved: scenarios whose verdict was given on a program an
    /// earlier one had started and left idle, and property cases that went
    /// on on the client of the case before.
    pub starts_saved: usize,
}

impl Summary {
    /// Adds one result.
    pub fn add(&mut self, r: &ScenarioResult) {
        match r.status {
            Status::Pass => self.passed += 1,
            Status::Fail => self.failed += 1,
            Status::Error => self.errors += 1,
            Status::Skip => self.skipped += 1,
            Status::Flaky => self.flaky += 1,
            Status::NotBuilt => self.not_built += 1,
        }
        self.starts += r.starts;
        self.starts_saved += usize::from(r.shared) + r.cases_went_on as usize;
        if r.counted && r.status != Status::Skip {
            self.points_possible += r.points;
            match r.status {
                Status::Pass | Status::Flaky => self.points += r.points,
                Status::Fail => self.counted_failed += 1,
                _ => {}
            }
        }
    }

    /// 0: every counted scenario passed; 1: some failed, or did not build;
    /// 2: some could not run.
    pub fn exit_code(&self) -> i32 {
        if self.errors > 0 {
            2
        } else if self.counted_failed > 0 || self.not_built > 0 {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: Status, counted: bool) -> ScenarioResult {
        ScenarioResult {
            id: "tcp-server/x".into(),
            title: String::new(),
            title_zh: String::new(),
            role: Role::TcpServer,
            level: Level::Required,
            counted,
            points: 2,
            status,
            duration: Duration::ZERO,
            why: None,
            concept: String::new(),
            concept_zh: String::new(),
            hint: Localized::default(),
            file: String::new(),
            failure: None,
            attempts: 1,
            passes: 0,
            starts: 0,
            found: None,
            port_wait: None,
            limits_hit: Vec::new(),
            shared: false,
            replayed: false,
            cases_went_on: 0,
        }
    }

    /// What a submission can earn is the same whatever happened to the
    /// harness: an error keeps its points possible; only a scenario that
    /// does not apply (skip) or does not count leaves them out.
    #[test]
    fn errors_keep_their_points_possible() {
        let mut s = Summary::default();
        for (status, counted) in [
            (Status::Pass, true),
            (Status::Error, true),
            (Status::Fail, true),
            (Status::Skip, true),
            (Status::Fail, false),
        ] {
            s.add(&result(status, counted));
        }
        assert_eq!(s.points_possible, 6);
        assert_eq!(s.points, 2);
        assert_eq!(s.exit_code(), 2);
    }
}
