//! The report a student reads at 1 a.m. before handing in, and a grader
//! skims for 300 submissions: one line per scenario as it finishes, and under
//! every failure the evidence (what was sent, expected and received, what the
//! program printed) and the note of the course that explains it. The labels
//! a user sees match the counts at the end: FAIL counts, WARN is a
//! recommended scenario that does not (unless `--strict`). FLAKY earns its
//! points like a pass, yet is never shown as one: a verdict that changed
//! between tries is how a race in the program (or a loaded grading machine)
//! shows itself, and only a person can tell which, so the line gives the
//! pass rate, the block gives the failed try's evidence, and the verdict at
//! the end asks for a review.

use std::io::Write;
use std::time::Duration;

use sockspec_model::Level;
use sockspec_results::{Event, Mismatch, ScenarioResult, Status, Summary, Unrunnable, Why};

use crate::evidence::{Limits, Tone, evidence, pass_rate_in};
use crate::text::{count, width};
use crate::{Lang, Reporter};

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// ANSI colours; see [`color_wanted`](crate::color_wanted).
    pub color: bool,
    /// Everything whole: every line of the target's output and long values
    /// (sent, expected, received) uncut, and the timeline of each failure.
    pub verbose: bool,
    /// The timeline of each failure (the exchange that led to it), without
    /// the rest of `verbose`.
    pub timeline: bool,
    /// The language of everything the report says (the program's output
    /// and the runner's messages stay as they are).
    pub lang: Lang,
    /// Durations on every line and in the summary; off for tests that pin
    /// the output.
    pub durations: bool,
    /// How many trailing lines of the target's stdout and stderr to show
    /// (ignored when `verbose`).
    pub output_lines: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            verbose: false,
            timeline: false,
            lang: Lang::En,
            durations: true,
            output_lines: 15,
        }
    }
}

/// Writes a readable report to `out` as the run goes.
pub struct Human<W: Write> {
    out: W,
    options: HumanOptions,
    /// Whether the last line written was blank, so that blocks are
    /// separated by exactly one blank line.
    after_blank: bool,
    /// The missing files already said in full, each with the scenario that
    /// said it: every scenario of a program without its file fails for the
    /// same reason, which is worth one block, not one per scenario.
    missing_said: Vec<(String, String)>,
}

/// Columns of the id on a verdict line: the longest ids of the suite fit,
/// so titles line up.
const ID_WIDTH: usize = 30;
/// Indentation of the block under a verdict line: past `ERROR  `.
const INDENT: &str = "       ";

#[derive(Clone, Copy)]
pub(crate) enum Paint {
    Green,
    Red,
    Yellow,
    Dim,
    Bold,
}

impl Paint {
    fn code(self) -> &'static str {
        match self {
            Paint::Green => "32",
            Paint::Red => "31",
            Paint::Yellow => "33",
            Paint::Dim => "2",
            Paint::Bold => "1",
        }
    }
}

impl<W: Write> Human<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: HumanOptions) -> Self {
        Human {
            out,
            options,
            after_blank: true,
            missing_said: Vec::new(),
        }
    }

    fn paint(&self, paint: Paint, text: &str) -> String {
        if self.options.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", paint.code())
        } else {
            text.to_owned()
        }
    }

    fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.after_blank = text.is_empty();
        writeln!(self.out, "{text}")
    }

    fn blank(&mut self) -> std::io::Result<()> {
        if self.after_blank {
            Ok(())
        } else {
            self.line("")
        }
    }

    fn header(&mut self, total: usize, target: &str, contract: &str) -> std::io::Result<()> {
        let (head, contract) = match self.options.lang {
            Lang::En => (
                format!("sockspec: {} against {target}", count(total, "scenario")),
                format!("contract: {contract}"),
            ),
            Lang::Zh => (
                format!("sockspec：对 {target} 运行 {total} 项测试"),
                format!("约定：{contract}"),
            ),
        };
        let head = self.paint(Paint::Bold, &head);
        self.line(&head)?;
        self.line(&contract)?;
        self.line("")
    }

    /// The builds: one quiet line for each that worked; for one that
    /// failed, BUILD ERROR, the compiler's output and what it means.
    fn builds(&mut self, builds: &[sockspec_results::BuildReport]) -> std::io::Result<()> {
        let lang = self.options.lang;
        for b in builds {
            let headline = crate::build::headline(b, lang);
            if b.ok() {
                let line = self.paint(Paint::Dim, &headline);
                self.line(&line)?;
                continue;
            }
            let line = self.paint(Paint::Red, &headline);
            self.line(&line)?;
            let max = if self.options.verbose {
                usize::MAX
            } else {
                crate::build::OUTPUT_LINES
            };
            for l in crate::build::output_lines(b, max, lang) {
                self.line(&format!("{INDENT}{l}"))?;
            }
            for l in crate::text::wrap(&crate::build::consequence(b, lang), 72) {
                let l = self.paint(Paint::Bold, &l);
                self.line(&format!("{INDENT}{l}"))?;
            }
        }
        self.line("")
    }

    fn scenario(&mut self, r: &ScenarioResult) -> std::io::Result<()> {
        // Not run because its program did not build: counted once, in
        // the summary, under the BUILD ERROR, not line by line.
        if r.status == Status::NotBuilt {
            return Ok(());
        }
        let (label, paint) = match (r.status, r.counted) {
            (Status::Pass, _) => ("PASS", Paint::Green),
            (Status::Fail, true) => ("FAIL", Paint::Red),
            (Status::Fail, false) => ("WARN", Paint::Yellow),
            (Status::Error, _) => ("ERROR", Paint::Red),
            (Status::Skip, _) => ("SKIP", Paint::Dim),
            (Status::Flaky, _) => ("FLAKY", Paint::Yellow),
            (Status::NotBuilt, _) => unreachable!("said once, in the summary"),
        };
        let lang = self.options.lang;
        let mut rest = crate::title(r, lang).to_owned();
        if r.level == Level::Recommended {
            rest.push_str(lang.pick(" (recommended)", "（推荐）"));
        }
        if r.status == Status::Flaky {
            rest.push_str(&parenthesised(&pass_rate_in(r, lang), lang));
        }
        if self.options.durations {
            rest.push_str(&parenthesised(
                &format!("{} ms", r.duration.as_millis()),
                lang,
            ));
        }
        let pad = " ".repeat(ID_WIDTH.saturating_sub(width(&r.id)));
        let line = format!(
            "{}  {}{pad}  {rest}",
            self.paint(paint, &format!("{label:5}")),
            self.paint(Paint::Bold, &r.id),
        );
        self.line(&line)?;
        if let Some(found) = &r.found {
            let found = self.paint(Paint::Dim, &crate::evidence::found(found, lang));
            self.line(&format!("{INDENT}{found}"))?;
        }
        if let Some(w) = &r.port_wait {
            for l in crate::text::wrap(&crate::evidence::port_wait(w, lang), 72) {
                let l = self.paint(Paint::Dim, &l);
                self.line(&format!("{INDENT}{l}"))?;
            }
        }
        if r.status == Status::Pass {
            for &hit in &r.limits_hit {
                let text = crate::diagnose::limit_hit_on_pass(hit, r.role, lang);
                for l in crate::text::wrap(&text, 72) {
                    let l = self.paint(Paint::Yellow, &l);
                    self.line(&format!("{INDENT}{l}"))?;
                }
            }
        }
        match r.status {
            Status::Pass | Status::NotBuilt => Ok(()),
            Status::Skip => {
                let skipped = lang.pick("skipped: ", "跳过：");
                let why = self.paint(
                    Paint::Dim,
                    &format!("{skipped}{}", crate::mismatch::reason(r, lang)),
                );
                self.line(&format!("{INDENT}{why}"))
            }
            Status::Fail | Status::Error | Status::Flaky => {
                if let Some((first, file)) = self.missing_said_in(r) {
                    let text = match lang {
                        Lang::En => format!("as in {first}: the submission has no {file}"),
                        Lang::Zh => format!("同 {first}：提交的作业里没有 {file}"),
                    };
                    let text = self.paint(Paint::Dim, &text);
                    self.line(&format!("{INDENT}{text}"))?;
                    return self.line("");
                }
                let limits = Limits {
                    output_lines: if self.options.verbose {
                        usize::MAX
                    } else {
                        self.options.output_lines
                    },
                    full: self.options.verbose,
                    lang,
                    timeline: self.options.timeline || self.options.verbose,
                };
                for (tone, text) in evidence(r, limits) {
                    let text = match tone {
                        Tone::Headline => self.paint(paint, &text),
                        Tone::Heading => self.paint(Paint::Bold, &text),
                        Tone::Quiet => self.paint(Paint::Dim, &text),
                        Tone::Plain => text,
                    };
                    self.line(&format!("{INDENT}{text}"))?;
                }
                self.line("")
            }
        }
    }

    fn summary(&mut self, s: &Summary, wall: Duration) -> std::io::Result<()> {
        self.blank()?;
        let lang = self.options.lang;
        if s.not_built > 0 {
            let n = s.not_built;
            let label = self.paint(Paint::Red, lang.pick("NOT BUILT", "未编译"));
            let text = lang.pick(
                format!(
                    "{label}  {} not run (their program did not build)",
                    count(n, "scenario")
                ),
                format!("{label}  {n} 项测试没有运行（它们的程序没有编译成功）"),
            );
            self.line(&text)?;
            self.line("")?;
        }
        let mut counts = counts(s, lang);
        if self.options.durations {
            let secs = wall.as_secs_f64();
            counts.push_str(&lang.pick(format!(" — {secs:.1} s"), format!(" — {secs:.1} 秒")));
            // What the time was mostly spent on: starting the programs.
            if s.starts_saved > 0 {
                counts.push_str(&match lang {
                    Lang::En => format!(
                        ", {} ({} saved: an idle program served the next scenario or case)",
                        count(s.starts as usize, "program start"),
                        s.starts_saved
                    ),
                    Lang::Zh => format!(
                        "，启动程序 {} 次（省下 {} 次：空闲的程序接着用于下一个场景或用例）",
                        s.starts, s.starts_saved
                    ),
                });
            }
        }
        self.line(&counts)?;
        let code = s.exit_code();
        let (paint, verdict) = verdict(s, lang, Evidence::Above);
        let code = lang.pick(format!(" (exit code {code})"), format!("（退出码 {code}）"));
        let verdict = self.paint(paint, &format!("{verdict}{code}"));
        self.line(&verdict)
    }

    /// Switches the language (Autolab builds its human report itself).
    /// The scenario that already said, in full, that this one's program
    /// lacks its file, and the file; `None` (and remembered) the first time.
    fn missing_said_in(&mut self, r: &ScenarioResult) -> Option<(String, String)> {
        let Some(Why::Mismatch(Mismatch::Unrunnable(Unrunnable::MissingFile {
            file, dir, ..
        }))) = &r.why
        else {
            return None;
        };
        if self.options.verbose {
            return None;
        }
        let key = format!("{dir}/{file}");
        if let Some((_, first)) = self.missing_said.iter().find(|(k, _)| *k == key) {
            return Some((first.clone(), file.clone()));
        }
        self.missing_said.push((key, r.id.clone()));
        None
    }

    pub(crate) fn set_lang(&mut self, lang: Lang) {
        self.options.lang = lang;
    }

    /// The writer, for a report that adds to this one (Autolab's last line).
    pub(crate) fn writer(&mut self) -> &mut W {
        &mut self.out
    }
}

/// Failed recommended scenarios that do not count.
fn warnings(s: &Summary) -> usize {
    s.failed.saturating_sub(s.counted_failed)
}

/// ` (text)`, or `（text）` in Chinese.
fn parenthesised(text: &str, lang: Lang) -> String {
    lang.pick(format!(" ({text})"), format!("（{text}）"))
}

/// The counts of a run in one line, without its duration: "1 passed,
/// 1 flaky, 2 failed, 1 error, 1 skipped — points 3/7".
pub(crate) fn counts(s: &Summary, lang: Lang) -> String {
    let warnings = warnings(s);
    match lang {
        Lang::En => {
            let mut counts = format!("{} passed", s.passed);
            if s.flaky > 0 {
                counts.push_str(&format!(", {} flaky", s.flaky));
            }
            counts.push_str(&format!(
                ", {} failed, {}, {} skipped",
                s.counted_failed,
                count(s.errors, "error"),
                s.skipped
            ));
            if warnings > 0 {
                counts.push_str(&format!(", {}", count(warnings, "warning")));
            }
            if s.not_built > 0 {
                counts.push_str(&format!(", {} not built", s.not_built));
            }
            if s.points_possible > 0 {
                counts.push_str(&format!(" — points {}/{}", s.points, s.points_possible));
            }
            counts
        }
        Lang::Zh => {
            let mut counts = format!("通过 {}", s.passed);
            if s.flaky > 0 {
                counts.push_str(&format!("，不稳定 {}", s.flaky));
            }
            counts.push_str(&format!(
                "，失败 {}，出错 {}，跳过 {}",
                s.counted_failed, s.errors, s.skipped
            ));
            if warnings > 0 {
                counts.push_str(&format!("，警告 {warnings}"));
            }
            if s.not_built > 0 {
                counts.push_str(&format!("，未编译 {}", s.not_built));
            }
            if s.points_possible > 0 {
                counts.push_str(&format!(" — 得分 {}/{}", s.points, s.points_possible));
            }
            counts
        }
    }
}

/// What the exit code means, in words (without the code), and its colour.
/// Where the failures are from the verdict line: the terminal prints
/// them before it, the HTML page after its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Evidence {
    Above,
    Below,
}

pub(crate) fn verdict(s: &Summary, lang: Lang, at: Evidence) -> (Paint, String) {
    match lang {
        Lang::En => verdict_en(s, at),
        Lang::Zh => verdict_zh(s, at),
    }
}

fn verdict_en(s: &Summary, at: Evidence) -> (Paint, String) {
    let place = match at {
        Evidence::Above => "above",
        Evidence::Below => "below",
    };
    let warnings = warnings(s);
    let flaky = count(s.flaky, "flaky scenario");
    // A flaky scenario never goes unmentioned, whatever else happened.
    let review = if s.flaky > 0 {
        format!("; {flaky} to review")
    } else {
        String::new()
    };
    match s.exit_code() {
        1 if s.not_built > 0 => {
            let v = format!(
                "BUILD ERROR: a build failed, so {} could not be run; the first error \
                 it printed {place} is the place to start",
                count(s.not_built, "scenario")
            );
            (Paint::Red, v)
        }
        2 => {
            let errors = count(s.errors, "scenario");
            let v = if s.counted_failed > 0 {
                format!(
                    "ERROR: {errors} could not be carried out and {} failed{review}",
                    count(s.counted_failed, "counted scenario")
                )
            } else {
                format!(
                    "ERROR: {errors} could not be carried out, so the verdict is incomplete{review}"
                )
            };
            (Paint::Red, v)
        }
        1 => {
            let v = format!(
                "FAILED: {} failed; the first failure {place} is the place to start{review}",
                count(s.counted_failed, "counted scenario")
            );
            (Paint::Red, v)
        }
        _ if s.passed + s.flaky + s.failed == 0 => {
            let v = "NOTHING CHECKED: no scenario applied to this contract".to_owned();
            (Paint::Yellow, v)
        }
        _ if warnings > 0 || s.flaky > 0 => {
            let mut with = Vec::new();
            let mut why = Vec::new();
            if warnings > 0 {
                with.push(count(warnings, "warning"));
                why.push("recommended scenarios that fail count only under --strict");
            }
            if s.flaky > 0 {
                with.push(flaky);
                why.push(
                    "flaky scenarios passed on some tries only and earn their points, \
                     but review them for a race (or a loaded machine)",
                );
            }
            let v = format!("PASSED with {}: {}", with.join(" and "), why.join("; "));
            (Paint::Yellow, v)
        }
        _ => (
            Paint::Green,
            "PASSED: every counted scenario passed".to_owned(),
        ),
    }
}

/// [`verdict_en`] as a Chinese student's teacher would put it.
fn verdict_zh(s: &Summary, at: Evidence) -> (Paint, String) {
    let place = match at {
        Evidence::Above => "上面",
        Evidence::Below => "下面",
    };
    let warnings = warnings(s);
    let review = if s.flaky > 0 {
        format!("；{} 项不稳定的测试需要复查", s.flaky)
    } else {
        String::new()
    };
    match s.exit_code() {
        1 if s.not_built > 0 => {
            let v = format!(
                "编译失败：有程序没有编译成功，{} 项测试无法运行；从{place}它报的第一个错误看起",
                s.not_built
            );
            (Paint::Red, v)
        }
        2 => {
            let v = if s.counted_failed > 0 {
                format!(
                    "出错：{} 项测试无法进行，另有 {} 项计分测试失败{review}",
                    s.errors, s.counted_failed
                )
            } else {
                format!("出错：{} 项测试无法进行，结果不完整{review}", s.errors)
            };
            (Paint::Red, v)
        }
        1 => {
            let v = format!(
                "未通过：{} 项计分测试失败，从{place}第一个失败看起{review}",
                s.counted_failed
            );
            (Paint::Red, v)
        }
        _ if s.passed + s.flaky + s.failed == 0 => {
            let v = "什么也没有检查：没有一项测试适用于这个约定".to_owned();
            (Paint::Yellow, v)
        }
        _ if warnings > 0 || s.flaky > 0 => {
            let mut with = Vec::new();
            let mut why = Vec::new();
            if warnings > 0 {
                with.push(format!("{warnings} 个警告"));
                why.push("推荐测试失败时只在 --strict 下计分");
            }
            if s.flaky > 0 {
                with.push(format!("{} 项不稳定的测试", s.flaky));
                why.push(
                    "不稳定的测试只在部分尝试中通过，照样得分，\
                     但要检查一下有没有竞争条件（或者机器负载太高）",
                );
            }
            let v = format!("通过，但有 {}：{}", with.join("和"), why.join("；"));
            (Paint::Yellow, v)
        }
        _ => (Paint::Green, "通过：所有计分测试都通过了".to_owned()),
    }
}

impl<W: Write> Reporter for Human<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted {
                total,
                target,
                contract,
            } => self.header(*total, target, contract)?,
            Event::Built(builds) => self.builds(builds)?,
            Event::ScenarioStarted { .. } => return Ok(()),
            Event::ScenarioFinished(r) => self.scenario(r)?,
            Event::RunFinished { summary, wall, .. } => self.summary(summary, *wall)?,
        }
        // A student watching a slow run sees each verdict as it comes.
        self.out.flush()
    }
}
