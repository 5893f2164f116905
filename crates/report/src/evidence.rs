//! The block under a failure: what went wrong, where in the scenario file,
//! what was sent, expected and received, what the program printed, and the
//! note of the course that explains it. The human report shows it on the
//! terminal and the JUnit report puts it in the failure's text, so a student
//! reads the same explanation whether they ran sockspec or CI did.

use sockspec_model::Bytes;
use sockspec_runner::{ScenarioResult, Status, TargetReport};

use crate::text::{count, elide, printable, width, wrap};

/// How a line of the block is meant to look; only the human report paints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// The one-line reason, in the verdict's colour.
    Headline,
    /// Evidence.
    Plain,
    /// Captured output and other background, dimmed.
    Quiet,
    /// A heading (`why it matters:`).
    Heading,
}

/// How much of long values and outputs to show.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Trailing lines of stdout and stderr.
    pub output_lines: usize,
    /// Show sent/expected/received and output lines whole.
    pub full: bool,
}

/// Columns the block's text may take; it is indented by 7 under the
/// verdict line, which keeps it within 80 columns.
const TEXT_WIDTH: usize = 72;
/// Longest line of output, or value, shown when not `full`.
const VALUE_WIDTH: usize = 160;
/// Values up to this many bytes are shown whole; longer ones by their ends.
const VALUE_BYTES: usize = 96;

/// The lines of the block, without indentation.
pub(crate) fn evidence(r: &ScenarioResult, limits: Limits) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    let mut push = |tone: Tone, text: String| out.push((tone, text));
    // Lines the message breaks itself (a list of problems, a generated
    // case) stay lines, each wrapped on its own with its indentation.
    for para in reason(r).lines() {
        let body = para.trim_start();
        let indent = &para[..para.len() - body.len()];
        for l in wrap(body, TEXT_WIDTH.saturating_sub(indent.len()).max(20)) {
            push(Tone::Headline, format!("{indent}{l}"));
        }
    }
    let value = |s: &str| {
        if limits.full {
            s.to_owned()
        } else {
            elide(s, VALUE_WIDTH)
        }
    };
    if let Some(f) = &r.failure {
        if f.step > 0 {
            push(
                Tone::Plain,
                format!(
                    "at step {} ({}:{}): {}",
                    f.step,
                    r.file,
                    f.line,
                    value(&f.step_text)
                ),
            );
        } else if !f.step_text.is_empty() {
            push(
                Tone::Plain,
                format!("in {} ({})", value(&f.step_text), r.file),
            );
        } else if f.target.is_some() {
            push(Tone::Plain, format!("before step 1 ({})", r.file));
        }
        if let Some(sent) = &f.sent {
            push(
                Tone::Plain,
                format!("sent:      {}", bytes(sent, limits.full)),
            );
        }
        if let Some(expected) = &f.expected {
            push(Tone::Plain, format!("expected:  {}", value(expected)));
        }
        if let Some(received) = &f.received {
            push(
                Tone::Plain,
                format!("received:  {}", bytes(received, limits.full)),
            );
        }
        if let Some(t) = &f.target {
            target(t, limits, &mut push);
        }
    }
    // An error says the scenario could not be carried out (often: the
    // program did not start), so the scenario's lesson would point the
    // student at the wrong cause; the output above tells the real one.
    if r.status != Status::Error && !r.concept.trim().is_empty() {
        push(Tone::Heading, "why it matters:".to_owned());
        for l in wrap(&r.concept, TEXT_WIDTH - 2) {
            push(Tone::Plain, format!("  {l}"));
        }
    }
    out
}

/// How often a scenario passed: "passed 1 of 2 tries".
pub(crate) fn pass_rate(r: &ScenarioResult) -> String {
    let tries = if r.attempts == 1 { "try" } else { "tries" };
    format!("passed {} of {} {tries}", r.passes, r.attempts)
}

/// The message without what every report already says on its own: a
/// flaky result's message starts with `flaky:` and its pass rate, which
/// the verdict label and [`pass_rate`] show, so the block starts with the
/// failed try's reason.
pub(crate) fn reason(r: &ScenarioResult) -> &str {
    if r.status != Status::Flaky {
        return &r.message;
    }
    let known = format!("flaky: {}; ", pass_rate(r));
    r.message
        .strip_prefix(known.as_str())
        .or_else(|| r.message.strip_prefix("flaky: "))
        .unwrap_or(&r.message)
}

/// The target's state and the end of its output, stderr first: that is
/// where a Python traceback lands, and it usually names the bug.
fn target(t: &TargetReport, limits: Limits, push: &mut impl FnMut(Tone, String)) {
    push(
        Tone::Plain,
        format!("target:    {} — {}", t.state, t.command),
    );
    for (name, text) in [("stderr", &t.stderr), ("stdout", &t.stdout)] {
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            push(Tone::Plain, format!("{name}:    (nothing)"));
            continue;
        }
        let skip = lines.len().saturating_sub(limits.output_lines);
        if skip > 0 {
            push(
                Tone::Plain,
                format!(
                    "{name} (last {} of {} lines):",
                    lines.len() - skip,
                    lines.len()
                ),
            );
        } else {
            push(Tone::Plain, format!("{name}:"));
        }
        for l in &lines[skip..] {
            let l = printable(l);
            let l = if limits.full {
                l
            } else {
                elide(&l, VALUE_WIDTH)
            };
            push(Tone::Quiet, format!("  | {l}"));
        }
    }
}

/// Bytes as the reports show them: quoted text, or hex when not UTF-8,
/// long values by their two ends, always with the byte count (TCP and UDP
/// are about bytes, and `"收到"` is 6 of them).
fn bytes(b: &Bytes, full: bool) -> String {
    let n = b.0.len();
    if n == 0 {
        return "nothing (0 bytes)".to_owned();
    }
    let size = count(n, "byte");
    match std::str::from_utf8(&b.0) {
        Ok(text) => {
            let shown = if full || n <= VALUE_BYTES {
                b.to_string()
            } else {
                let head = &text[..floor_boundary(text, 64)];
                let tail = &text[ceil_boundary(text, n - 24)..];
                format!("{head:?} … {tail:?}")
            };
            // A quoted CJK run can still be wider than it is long.
            let shown = if full || width(&shown) <= VALUE_WIDTH {
                shown
            } else {
                elide(&shown, VALUE_WIDTH)
            };
            format!("{shown} ({size})")
        }
        Err(_) => {
            let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
            let shown = if full || n <= VALUE_BYTES / 2 {
                hex(&b.0)
            } else {
                format!("{} … {}", hex(&b.0[..32]), hex(&b.0[n - 8..]))
            };
            format!("hex {shown} ({size}, not UTF-8)")
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_show_text_hex_and_size() {
        assert_eq!(
            bytes(&Bytes(b"ok\n".to_vec()), false),
            "\"ok\\n\" (3 bytes)"
        );
        assert_eq!(
            bytes(&Bytes(vec![0xe4, 0xbd, 0xa0, 0xe5]), false),
            "hex e4bda0e5 (4 bytes, not UTF-8)"
        );
        assert_eq!(bytes(&Bytes(Vec::new()), false), "nothing (0 bytes)");
    }

    fn flaky(message: &str, attempts: u32, passes: u32) -> ScenarioResult {
        ScenarioResult {
            id: "tcp-server/x".into(),
            title: String::new(),
            role: sockspec_model::Role::TcpServer,
            level: sockspec_model::Level::Required,
            counted: true,
            points: 1,
            status: Status::Flaky,
            duration: std::time::Duration::ZERO,
            message: message.into(),
            concept: String::new(),
            concept_zh: String::new(),
            hint: Default::default(),
            file: String::new(),
            failure: None,
            attempts,
            passes,
        }
    }

    #[test]
    fn a_flaky_reason_drops_what_the_verdict_line_says() {
        let r = flaky(
            "flaky: passed 1 of 3 tries; the first failed: no reply",
            3,
            1,
        );
        assert_eq!(pass_rate(&r), "passed 1 of 3 tries");
        assert_eq!(reason(&r), "the first failed: no reply");
        // Worded otherwise: only the label goes, nothing is lost.
        let r = flaky("flaky: 2 of 3 tries failed", 3, 1);
        assert_eq!(reason(&r), "2 of 3 tries failed");
        let r = flaky("odd", 1, 1);
        assert_eq!(
            (reason(&r), pass_rate(&r).as_str()),
            ("odd", "passed 1 of 1 try")
        );
        let mut r = flaky("flaky: kept", 1, 0);
        r.status = Status::Fail;
        assert_eq!(reason(&r), "flaky: kept", "only a flaky verdict is trimmed");
    }

    #[test]
    fn long_bytes_show_both_ends_unless_full() {
        let big = Bytes("你".repeat(1000).into_bytes());
        let short = bytes(&big, false);
        assert!(
            short.contains(" … ") && short.ends_with("(3000 bytes)"),
            "{short}"
        );
        assert!(width(&short) < 200, "{short}");
        assert!(bytes(&big, true).len() > 3000);
        let binary = Bytes(vec![0xff; 100]);
        assert!(bytes(&binary, false).contains(" … "));
    }
}
