//! Gradescope's autograder `results.json`, so that a course on Gradescope
//! grades with sockspec without a script of its own in between: the scores
//! land in Gradescope's gradebook and each student reads, under each
//! scenario, the same explanation the terminal report gives.
//!
//! The format is the one of Gradescope's autograder specification
//! (<https://gradescope-autograders.readthedocs.io/en/latest/specs/>). What
//! a student sees decides the mapping:
//!
//! - One test per applicable scenario, named `id — title`, worth its points.
//!   A pass or a flaky verdict earns them, a failure or an error earns 0;
//!   `status` is set, never left for Gradescope to infer from the score.
//! - A flaky scenario is `passed` with its points, as the runner grants
//!   them, but never passes unremarked: its name ends with its pass rate
//!   (Gradescope shows names, and outputs only collapsed) and its output
//!   opens with `FLAKY`, then shows the failed try. A student whose program
//!   passes only sometimes should look for the race before the grader does.
//! - A scenario that does not count (recommended, without `--strict`) is
//!   still a test, as advice: `max_score` 0, its real `passed`/`failed`
//!   status, and a name and a first line saying it earns no points. A red
//!   0/0 is something to improve, not something lost.
//! - A skipped scenario is not a test: it does not apply to the contract
//!   the course chose, so it is neither a pass nor a failure of the
//!   student's program, and Gradescope has no third status. The top-level
//!   output lists skipped scenarios with their reasons instead. (Hiding
//!   them with `visibility: hidden` was the alternative, but the
//!   specification warns that hidden tests can keep students from seeing
//!   their total.)
//! - Outputs are plain text (`output_format` and the test defaults are
//!   `text`): evidence quotes programs' output, such as `<module>` in a
//!   traceback, which Gradescope's HTML formats would swallow.
//! - The top-level `score` is the run's points (the same as the tests'
//!   sum). The specification has no top-level `max_score` (an assignment's
//!   total is set on Gradescope), so none is written; the run's counts, the
//!   target and the contract go in `extra_data`, which Gradescope stores
//!   for the instructor.
//! - `visibility` is written at the top and on every test, each test's
//!   from the assignment's `test_visibility` where it names the scenario
//!   (a scenario revealed only after the due date), else the top one.
//! - `stdout_visibility` is not written: the harness does not know what
//!   else the course's `run_autograder` prints, so Gradescope's default
//!   (instructors only) stands.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use sockspec_results::{Event, ScenarioResult, Status, Summary};

use crate::collect::Collected;
use crate::evidence::{Limits, evidence, pass_rate_in};
use crate::human::counts;
use crate::text::count;
use crate::{Lang, Reporter};

/// What the Gradescope report lets students see.
#[derive(Clone, Debug)]
pub struct GradescopeOptions {
    /// When students see the results: `visible` (the default),
    /// `after_due_date`, `after_published` or `hidden`.
    pub visibility: String,
    /// Scenarios (by id) whose test students see otherwise than
    /// `visibility`, e.g. one shown only after the due date.
    pub tests: std::collections::BTreeMap<String, String>,
}

impl GradescopeOptions {
    /// The visibilities Gradescope knows.
    pub const VISIBILITIES: [&'static str; 4] =
        ["visible", "after_due_date", "after_published", "hidden"];
}

impl Default for GradescopeOptions {
    fn default() -> Self {
        GradescopeOptions {
            visibility: "visible".to_owned(),
            tests: Default::default(),
        }
    }
}

/// Writes Gradescope's `results.json` to `out` at the end of the run.
pub struct Gradescope<W: Write> {
    out: W,
    options: GradescopeOptions,
    lang: Lang,
    run: Collected,
}

impl<W: Write> Gradescope<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: GradescopeOptions) -> Self {
        Gradescope {
            out,
            options,
            lang: Lang::En,
            run: Collected::default(),
        }
    }

    /// The same reporter, writing what students read (outputs, the names'
    /// remarks, the overview) in `lang` (English unless told).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

#[derive(Serialize)]
struct Document<'a> {
    score: u32,
    execution_time: u64,
    output: String,
    output_format: &'static str,
    test_output_format: &'static str,
    test_name_format: &'static str,
    visibility: &'a str,
    extra_data: Extra<'a>,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Extra<'a> {
    summary: SummaryJson,
    target: &'a str,
    contract: &'a str,
}

#[derive(Serialize)]
struct SummaryJson {
    #[serde(flatten)]
    counts: Summary,
    exit_code: i32,
}

#[derive(Serialize)]
struct Test<'a> {
    name: String,
    score: u32,
    max_score: u32,
    status: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    output: String,
    tags: Vec<&'static str>,
    visibility: &'a str,
}

/// The test of one played scenario.
fn test<'a>(r: &ScenarioResult, visibility: &'a str, lang: Lang) -> Test<'a> {
    let earned = matches!(r.status, Status::Pass | Status::Flaky);
    let mut name = format!("{} — {}", r.id, crate::title(r, lang));
    let mut lines = Vec::new();
    if !r.counted {
        name.push_str(lang.pick(" (recommended, no points)", "（推荐项，不计分）"));
        lines.push(
            lang.pick(
                "recommended: shown as advice, it earns no points (it counts only under --strict)",
                "推荐项：仅作为建议，不计分（只在 --strict 下计分）",
            )
            .to_owned(),
        );
    }
    if r.status == Status::Flaky {
        // Gradescope shows outputs collapsed: the name is what is seen.
        let rate = pass_rate_in(r, lang);
        match lang {
            Lang::En => {
                name.push_str(&format!(" (flaky: {rate})"));
                lines.push(format!(
                    "FLAKY: {rate}. It earns its points, but a program that passes only \
                     sometimes usually has a race."
                ));
            }
            Lang::Zh => {
                name.push_str(&format!("（不稳定：{rate}）"));
                lines.push(format!(
                    "不稳定：{rate}。这一项照样得分，但时而通过、时而失败的程序通常有竞争条件。"
                ));
            }
        }
    }
    lines.extend(
        evidence(r, Limits::page(lang))
            .into_iter()
            .map(|(_, line)| line),
    );
    let mut tags = vec![r.role.as_str(), r.level.as_str()];
    if r.status == Status::Flaky {
        tags.push("flaky");
    }
    Test {
        name,
        score: if earned && r.counted { r.points } else { 0 },
        max_score: if r.counted { r.points } else { 0 },
        status: if earned { "passed" } else { "failed" },
        output: lines.join("\n"),
        tags,
        visibility,
    }
}

/// Text about the whole submission: the counts, what was graded, what
/// deserves a look, and the scenarios that did not apply.
fn overview(
    s: &Summary,
    target: &str,
    contract: &str,
    skipped: &[&ScenarioResult],
    builds: &[sockspec_results::BuildReport],
    lang: Lang,
) -> String {
    let mut lines = Vec::new();
    // A build that failed is the whole story: it comes first, whole.
    for b in builds.iter().filter(|b| !b.ok()) {
        lines.push(crate::build::headline(b, lang));
        lines.extend(crate::build::output_lines(b, usize::MAX, lang));
        lines.push(crate::build::consequence(b, lang));
        lines.push(String::new());
    }
    lines.push(counts(s, lang));
    match lang {
        Lang::En => {
            lines.push(format!("graded: {target}"));
            lines.push(format!("contract: {contract}"));
        }
        Lang::Zh => {
            lines.push(format!("被测程序：{target}"));
            lines.push(format!("约定：{contract}"));
        }
    }
    if s.flaky > 0 {
        lines.push(match lang {
            Lang::En => format!(
                "{} passed on some tries only: the points count, but look for a race \
                 (or ask whether the grading machine was loaded)",
                count(s.flaky, "flaky scenario")
            ),
            Lang::Zh => format!(
                "{} 项不稳定的测试只在部分尝试中通过：照样得分，但要找一找竞争条件\
                 （或者问问评分机器当时是不是负载太高）",
                s.flaky
            ),
        });
    }
    if s.errors > 0 {
        lines.push(match lang {
            Lang::En => format!(
                "{} could not be carried out; the output of each says why (often: the program did not start)",
                count(s.errors, "scenario")
            ),
            Lang::Zh => format!(
                "{} 项测试无法进行，各自的输出说明了原因（常见原因：程序没有启动）",
                s.errors
            ),
        });
    }
    if !skipped.is_empty() {
        lines.push(
            lang.pick(
                "not graded, as they do not apply to this contract:",
                "以下测试不适用于这个约定，不评分：",
            )
            .to_owned(),
        );
        for r in skipped {
            lines.push(format!("  {}: {}", r.id, crate::mismatch::reason(r, lang)));
        }
    }
    lines.join("\n")
}

/// Whole seconds, to the nearest, as the specification's example has them.
fn seconds(d: Duration) -> u64 {
    u64::try_from((d.as_millis() + 500) / 1000).unwrap_or(u64::MAX)
}

impl<W: Write> Reporter for Gradescope<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Some(end) = self.run.take(event) {
            let (summary, wall) = (&end.summary, &end.wall);
            // In the order of the notes, then by id: a student reads the
            // tests top to bottom.
            self.run
                .results
                .sort_by(|a, b| (a.role, &a.id).cmp(&(b.role, &b.id)));
            let visibility = self.options.visibility.as_str();
            let (skipped, played): (Vec<&ScenarioResult>, Vec<&ScenarioResult>) = self
                .run
                .results
                .iter()
                .partition(|r| r.status == Status::Skip);
            let doc = Document {
                score: summary.points,
                execution_time: seconds(*wall),
                output: overview(
                    summary,
                    &self.run.target,
                    &self.run.contract,
                    &skipped,
                    &self.run.builds,
                    self.lang,
                ),
                output_format: "text",
                test_output_format: "text",
                test_name_format: "text",
                visibility,
                extra_data: Extra {
                    summary: SummaryJson {
                        counts: *summary,
                        exit_code: summary.exit_code(),
                    },
                    target: &self.run.target,
                    contract: &self.run.contract,
                },
                tests: played
                    .into_iter()
                    .map(|r| {
                        let own = self.options.tests.get(&r.id).map_or(visibility, |v| v);
                        test(r, own, self.lang)
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut self.out, &doc)?;
            writeln!(self.out)?;
            self.out.flush()?;
        }
        Ok(())
    }
}
