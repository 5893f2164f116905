//! The report a student reads at 1 a.m. before handing in, and a grader
//! skims for 300 submissions: one line per scenario, and under every failure
//! the evidence (what was sent, expected and received, what the program
//! printed) and the note of the course that explains it.

use std::io::Write;
use std::time::Duration;

use sockspec_runner::{Event, ScenarioResult, Status, Summary};

use crate::Reporter;

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// ANSI colours (on a terminal, unless NO_COLOR).
    pub color: bool,
    /// Durations on every line; off for tests that pin the output.
    pub durations: bool,
    /// How many trailing lines of the target's stdout and stderr to show.
    pub output_lines: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            durations: true,
            output_lines: 15,
        }
    }
}

/// Writes a readable report to `out` as the run goes.
pub struct Human<W: Write> {
    out: W,
    options: HumanOptions,
    width: usize,
}

const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";
const DIM: &str = "2";
const BOLD: &str = "1";

impl<W: Write> Human<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: HumanOptions) -> Self {
        Human {
            out,
            options,
            width: 0,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.options.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn ms(&self, d: Duration) -> String {
        if self.options.durations {
            format!(" ({} ms)", d.as_millis())
        } else {
            String::new()
        }
    }

    fn scenario(&mut self, r: &ScenarioResult) -> std::io::Result<()> {
        let (label, code) = match (r.status, r.counted) {
            (Status::Pass, _) => ("PASS", GREEN),
            (Status::Fail, true) => ("FAIL", RED),
            (Status::Fail, false) => ("WARN", YELLOW),
            (Status::Error, _) => ("ERROR", RED),
            (Status::Skip, _) => ("SKIP", DIM),
        };
        let level = if r.level == sockspec_model::Level::Recommended {
            " (recommended)"
        } else {
            ""
        };
        let id = format!("{:width$}", r.id, width = self.width);
        let line = format!(
            "{}  {}  {}{}{}",
            self.paint(code, &format!("{label:5}")),
            self.paint(BOLD, &id),
            r.title,
            level,
            self.ms(r.duration)
        );
        writeln!(self.out, "{line}")?;
        match r.status {
            Status::Pass => {}
            Status::Skip => {
                let why = self.paint(DIM, &format!("skipped: {}", r.message));
                writeln!(self.out, "       {why}")?;
            }
            Status::Fail | Status::Error => {
                let text = failure_text_with(r, self.options.output_lines);
                for (i, l) in text.lines().enumerate() {
                    let l = if i == 0 {
                        self.paint(code, l)
                    } else {
                        l.to_owned()
                    };
                    writeln!(self.out, "       {l}")?;
                }
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    fn summary(&mut self, s: &Summary, wall: Duration) -> std::io::Result<()> {
        let total = s.passed + s.failed + s.errors + s.skipped;
        let time = if self.options.durations {
            format!(" · {:.1} s", wall.as_secs_f64())
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "\n{total} scenarios: {} passed, {} failed, {} errors, {} skipped · points {}/{}{time}",
            s.passed, s.failed, s.errors, s.skipped, s.points, s.points_possible
        )?;
        let verdict = match s.exit_code() {
            0 if s.failed > 0 => self.paint(
                YELLOW,
                "PASSED (recommended scenarios failed; --strict would count them)",
            ),
            0 => self.paint(GREEN, "PASSED"),
            1 => self.paint(
                RED,
                &format!("FAILED: {} counted scenario(s) failed", s.counted_failed),
            ),
            _ => self.paint(
                RED,
                &format!(
                    "ERROR: {} scenario(s) could not be carried out (see above)",
                    s.errors
                ),
            ),
        };
        writeln!(self.out, "{verdict}")
    }
}

/// The block shown under a failure or error, without colour, also used as
/// the JUnit failure description.
pub(crate) fn failure_text(r: &ScenarioResult) -> String {
    failure_text_with(r, 15)
}

fn failure_text_with(r: &ScenarioResult, output_lines: usize) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(r.message.clone());
    if let Some(f) = &r.failure {
        if f.step > 0 {
            line(format!(
                "at step {} ({}:{}): {}",
                f.step, r.file, f.line, f.step_text
            ));
        }
        if let Some(sent) = &f.sent {
            line(format!("sent:      {sent}"));
        }
        if let Some(expected) = &f.expected {
            line(format!("expected:  {expected}"));
        }
        if let Some(received) = &f.received {
            let shown = if received.0.is_empty() {
                "nothing".to_owned()
            } else {
                received.to_string()
            };
            line(format!("received:  {shown}"));
        }
        if let Some(t) = &f.target {
            line(format!("target:    {} — {}", t.state, t.command));
            for (name, text) in [("stderr", &t.stderr), ("stdout", &t.stdout)] {
                let lines: Vec<&str> = text.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let skip = lines.len().saturating_sub(output_lines);
                let more = if skip > 0 {
                    format!(" (last {output_lines} of {} lines)", lines.len())
                } else {
                    String::new()
                };
                line(format!("{name}{more}:"));
                for l in &lines[skip..] {
                    line(format!("  | {l}"));
                }
            }
        }
    }
    if !r.concept.is_empty() {
        line("why it matters:".to_owned());
        for l in wrap(&r.concept, 70) {
            line(format!("  {l}"));
        }
    }
    out
}

/// Greedy word wrap; long words stay whole.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

impl<W: Write> Reporter for Human<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted {
                total,
                target,
                contract,
            } => {
                self.width = 32;
                let head = format!("sockspec: {total} scenarios against {target}");
                writeln!(self.out, "{}", self.paint(BOLD, &head))?;
                writeln!(self.out, "contract: {contract}\n")?;
            }
            Event::ScenarioStarted { .. } => {}
            Event::ScenarioFinished(r) => self.scenario(r)?,
            Event::RunFinished { summary, wall } => self.summary(summary, *wall)?,
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_and_width() {
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 14);
        assert!(lines.iter().all(|l| l.len() <= 14), "{lines:?}");
        assert_eq!(lines.join(" "), text);
    }
}
