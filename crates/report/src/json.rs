//! The JSON report: one document, written when the run ends, in the shape
//! DESIGN.md promises other tools (extended, never broken). Results are sorted
//! by id so that parallel runs give identical reports apart from times.
//!
//! Bytes (`sent`, `received`) appear twice: as a string that reads well (the
//! text itself when it is UTF-8, else `hex ...`, the rendering the human
//! report uses) and as `sent_hex` / `received_hex`, the exact bytes in
//! lowercase hex, because a string that says `hex ff` could also be a
//! program that replied with those six characters. Both are `null` when the
//! failure has no such value. Nothing is shortened here, unlike the human
//! report: tools get the whole evidence.
//!
//! Retries add `attempts`, `passes` and `pass_rate` (passes / attempts,
//! `null` for a skipped scenario, which was never played), and the status
//! `"flaky"`: a tool that only knows pass and fail sees a status it does not
//! know rather than a pass, which is what a flaky verdict is owed.

use std::io::Write;

use serde::Serialize;
use sockspec_model::Bytes;
use sockspec_runner::{Event, Failure, ScenarioResult, Status, Summary, TargetReport};

use crate::Reporter;

/// Writes the JSON report to `out` at the end of the run.
pub struct Json<W: Write> {
    out: W,
    results: Vec<ScenarioResult>,
    target: String,
    contract: String,
}

impl<W: Write> Json<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        Json {
            out,
            results: Vec::new(),
            target: String::new(),
            contract: String::new(),
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    results: Vec<ResultJson<'a>>,
    summary: SummaryJson,
    target: &'a str,
    contract: &'a str,
    duration_ms: u64,
    harness: HarnessJson,
}

/// The harness itself: what a grader checks to trust a batch (its memory
/// stays small whatever a program under test does).
#[derive(Serialize)]
struct HarnessJson {
    peak_rss_kb: Option<u64>,
}

#[derive(Serialize)]
struct ResultJson<'a> {
    id: &'a str,
    role: &'static str,
    level: &'static str,
    status: &'static str,
    duration_ms: u64,
    message: &'a str,
    counted: bool,
    points: u32,
    attempts: u32,
    passes: u32,
    pass_rate: Option<f64>,
    title: &'a str,
    file: &'a str,
    concept: &'a str,
    failure: Option<FailureJson<'a>>,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    step: usize,
    step_text: &'a str,
    line: u64,
    sent: Option<String>,
    sent_hex: Option<String>,
    expected: Option<&'a str>,
    received: Option<String>,
    received_hex: Option<String>,
    target: Option<TargetJson<'a>>,
}

#[derive(Serialize)]
struct TargetJson<'a> {
    command: &'a str,
    state: &'a str,
    stdout: &'a str,
    stderr: &'a str,
}

#[derive(Serialize)]
struct SummaryJson {
    #[serde(flatten)]
    counts: Summary,
    exit_code: i32,
}

impl<'a> ResultJson<'a> {
    fn new(r: &'a ScenarioResult) -> Self {
        ResultJson {
            id: &r.id,
            role: r.role.as_str(),
            level: r.level.as_str(),
            status: r.status.as_str(),
            duration_ms: millis(r.duration),
            message: &r.message,
            counted: r.counted,
            points: r.points,
            attempts: r.attempts,
            passes: r.passes,
            pass_rate: (r.status != Status::Skip && r.attempts > 0)
                .then(|| f64::from(r.passes) / f64::from(r.attempts)),
            title: &r.title,
            file: &r.file,
            concept: &r.concept,
            failure: r.failure.as_ref().map(FailureJson::new),
        }
    }
}

impl<'a> FailureJson<'a> {
    fn new(f: &'a Failure) -> Self {
        FailureJson {
            step: f.step,
            step_text: &f.step_text,
            line: f.line,
            sent: f.sent.as_ref().map(readable),
            sent_hex: f.sent.as_ref().map(hex),
            expected: f.expected.as_deref(),
            received: f.received.as_ref().map(readable),
            received_hex: f.received.as_ref().map(hex),
            target: f.target.as_ref().map(|t: &TargetReport| TargetJson {
                command: &t.command,
                state: &t.state,
                stdout: &t.stdout,
                stderr: &t.stderr,
            }),
        }
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The text itself if UTF-8, else `hex ...`.
fn readable(b: &Bytes) -> String {
    match std::str::from_utf8(&b.0) {
        Ok(s) => s.to_owned(),
        Err(_) => b.to_string(),
    }
}

/// The exact bytes, lowercase hex, no prefix.
fn hex(b: &Bytes) -> String {
    b.0.iter().map(|b| format!("{b:02x}")).collect()
}

impl<W: Write> Reporter for Json<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted {
                target, contract, ..
            } => {
                self.target.clone_from(target);
                self.contract.clone_from(contract);
            }
            Event::ScenarioStarted { .. } => {}
            Event::ScenarioFinished(r) => self.results.push((**r).clone()),
            Event::RunFinished {
                summary,
                wall,
                peak_rss_kb,
            } => {
                self.results.sort_by(|a, b| a.id.cmp(&b.id));
                let doc = Document {
                    results: self.results.iter().map(ResultJson::new).collect(),
                    summary: SummaryJson {
                        counts: *summary,
                        exit_code: summary.exit_code(),
                    },
                    target: &self.target,
                    contract: &self.contract,
                    duration_ms: millis(*wall),
                    harness: HarnessJson {
                        peak_rss_kb: *peak_rss_kb,
                    },
                };
                serde_json::to_writer_pretty(&mut self.out, &doc)?;
                writeln!(self.out)?;
                self.out.flush()?;
            }
        }
        Ok(())
    }
}
