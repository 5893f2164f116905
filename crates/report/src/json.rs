//! The JSON report: one document, written when the run ends, in the shape
//! DESIGN.md promises other tools (extended, never broken). Results are sorted
//! by id so that parallel runs give byte-identical reports apart from times.

use std::io::Write;

use serde_json::{Value, json};
use sockspec_runner::{Event, ScenarioResult};

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

/// One result as JSON. Byte fields are text when they are UTF-8, and
/// `hex ...` otherwise (the same rendering the human report uses).
pub(crate) fn result_json(r: &ScenarioResult) -> Value {
    let failure = r.failure.as_ref().map(|f| {
        json!({
            "step": f.step,
            "step_text": f.step_text,
            "line": f.line,
            "sent": f.sent.as_ref().map(bytes_text),
            "expected": f.expected,
            "received": f.received.as_ref().map(bytes_text),
            "target": f.target.as_ref().map(|t| json!({
                "command": t.command,
                "state": t.state,
                "stdout": t.stdout,
                "stderr": t.stderr,
            })),
        })
    });
    json!({
        "id": r.id,
        "role": r.role.as_str(),
        "level": r.level.as_str(),
        "status": r.status.as_str(),
        "duration_ms": r.duration.as_millis() as u64,
        "message": r.message,
        "title": r.title,
        "counted": r.counted,
        "points": r.points,
        "file": r.file,
        "concept": r.concept,
        "failure": failure,
    })
}

/// Bytes as a JSON string: the text itself if UTF-8, else `hex ...`.
fn bytes_text(b: &sockspec_model::Bytes) -> String {
    match std::str::from_utf8(&b.0) {
        Ok(s) => s.to_owned(),
        Err(_) => b.to_string(),
    }
}

impl<W: Write> Reporter for Json<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted {
                target, contract, ..
            } => {
                self.target = target.clone();
                self.contract = contract.clone();
            }
            Event::ScenarioStarted { .. } => {}
            Event::ScenarioFinished(r) => self.results.push((**r).clone()),
            Event::RunFinished { summary, wall } => {
                self.results.sort_by(|a, b| a.id.cmp(&b.id));
                let doc = json!({
                    "results": self.results.iter().map(result_json).collect::<Vec<_>>(),
                    "summary": {
                        "passed": summary.passed,
                        "failed": summary.failed,
                        "errors": summary.errors,
                        "skipped": summary.skipped,
                        "counted_failed": summary.counted_failed,
                        "points": summary.points,
                        "points_possible": summary.points_possible,
                        "exit_code": summary.exit_code(),
                    },
                    "target": self.target,
                    "contract": self.contract,
                    "duration_ms": wall.as_millis() as u64,
                });
                serde_json::to_writer_pretty(&mut self.out, &doc)?;
                writeln!(self.out)?;
                self.out.flush()?;
            }
        }
        Ok(())
    }
}
