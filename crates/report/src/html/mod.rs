//! One self-contained HTML page per run, for the student who reads their
//! grade on a phone, or a teacher who mails it: everything the terminal
//! report says about each failure (the evidence, what the runner found
//! out, what to change, the note of the course, the exchange as a
//! sequence diagram and a table, the end of the program's output) laid out
//! to be read rather than scrolled through. The class dashboard of a
//! batch ([`class`]) is a page of the same kind, linked to these.
//!
//! The page stands alone: inline CSS, no script, nothing fetched, so it
//! opens from a mail attachment or an LMS upload the same as from disk.
//! Every string that came from a program or a scenario file (output,
//! tracebacks, titles, the code a traceback quotes) is escaped: a program
//! that prints `<script>` gets its text shown, not run. It is written when
//! the run ends, with the scenarios in the order of the notes, then by id.

use std::io::Write;

use sockspec_results::{Event, ScenarioResult, Status, Summary};

use crate::collect::Collected;
use crate::evidence::{Field, Limits, parts, pass_rate_in};
use crate::human::{Evidence, counts, verdict};
use crate::{Lang, Reporter};

mod class;
mod markup;
mod output;
mod sequence;

pub use class::{ReportPaths, class_page};
use markup::{anchor, esc};

/// How the HTML report looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct HtmlOptions {
    /// The language of everything the page says (the program's output and
    /// the runner's messages stay as they are).
    pub lang: Lang,
}

/// Writes the HTML report to `out` at the end of the run.
pub struct Html<W: Write> {
    out: W,
    options: HtmlOptions,
    run: Collected,
}

impl<W: Write> Html<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W, options: HtmlOptions) -> Self {
        Html {
            out,
            options,
            run: Collected::default(),
        }
    }
}

/// The CSS class and the word of a verdict.
fn label(r: &ScenarioResult, lang: Lang) -> (&'static str, &'static str) {
    match (r.status, r.counted) {
        (Status::Pass, _) => ("pass", lang.pick("PASS", "通过")),
        (Status::Fail, true) => ("fail", lang.pick("FAIL", "失败")),
        (Status::Fail, false) => ("warn", lang.pick("WARN", "警告")),
        (Status::Error, _) => ("error", lang.pick("ERROR", "出错")),
        (Status::Skip, _) => ("skip", lang.pick("SKIP", "跳过")),
        (Status::Flaky, _) => ("flaky", lang.pick("FLAKY", "不稳定")),
        (Status::NotBuilt, _) => ("error", lang.pick("NOT BUILT", "未编译")),
    }
}

impl<W: Write> Html<W> {
    fn page(&mut self, summary: &Summary) -> std::io::Result<()> {
        let lang = self.options.lang;
        let mut h = String::new();
        h.push_str(&markup::head(
            lang,
            &format!("sockspec: {}", self.run.target),
        ));
        self.run
            .results
            .sort_by(|a, b| (a.role, &a.id).cmp(&(b.role, &b.id)));
        self.header(&mut h, summary);
        h.push_str("<main>\n");
        for b in &self.run.builds {
            build(&mut h, b, lang);
        }
        for r in &self.run.results {
            scenario(&mut h, r, lang);
        }
        h.push_str("</main>\n</body>\n</html>\n");
        self.out.write_all(h.as_bytes())?;
        self.out.flush()
    }

    fn header(&self, h: &mut String, s: &Summary) {
        let lang = self.options.lang;
        let (paint, words) = verdict(s, lang, Evidence::Below);
        let class = match paint {
            crate::human::Paint::Green => "pass",
            crate::human::Paint::Red => "fail",
            _ => "warn",
        };
        let code = s.exit_code();
        let code = lang.pick(format!(" (exit code {code})"), format!("（退出码 {code}）"));
        h.push_str("<header class=\"summary\">\n<h1>sockspec</h1>\n<dl>\n");
        h.push_str(&format!(
            "<dt>{}</dt><dd><code>{}</code></dd>\n<dt>{}</dt><dd><code>{}</code></dd>\n</dl>\n",
            lang.pick("target", "被测程序"),
            esc(&self.run.target),
            lang.pick("contract", "约定"),
            esc(&self.run.contract),
        ));
        h.push_str(&format!("<p>{}</p>\n", esc(&counts(s, lang))));
        h.push_str(&format!(
            "<p class=\"verdict {class}\">{}{}</p>\n",
            esc(&words),
            esc(&code)
        ));
        let look: Vec<&ScenarioResult> = self
            .run
            .results
            .iter()
            .filter(|r| !matches!(r.status, Status::Pass | Status::Skip))
            .collect();
        if !look.is_empty() {
            h.push_str(&format!(
                "<nav>\n<p>{}</p>\n<ul>\n",
                lang.pick("to look at:", "需要查看：")
            ));
            for r in look {
                let (class, word) = label(r, lang);
                h.push_str(&format!(
                    "<li class=\"{class}\"><a href=\"#{}\">{}</a> <span class=\"verdict\">{word}</span></li>\n",
                    anchor(&r.id),
                    esc(&r.id)
                ));
            }
            h.push_str("</ul>\n</nav>\n");
        }
        h.push_str("</header>\n");
    }
}

/// One scenario's section.
fn scenario(h: &mut String, r: &ScenarioResult, lang: Lang) {
    let (class, word) = label(r, lang);
    h.push_str(&format!(
        "<section class=\"{class}\" id=\"{}\">\n<h2><span class=\"label\">{word}</span>{}</h2>\n",
        anchor(&r.id),
        esc(crate::title(r, lang))
    ));
    let mut meta = vec![format!("<code>{}</code>", esc(&r.id))];
    if r.status != Status::Skip {
        meta.push(if r.counted {
            match lang {
                Lang::En if r.points == 1 => "1 point".to_owned(),
                Lang::En => format!("{} points", r.points),
                Lang::Zh => format!("{} 分", r.points),
            }
        } else {
            lang.pick("recommended, no points", "推荐项，不计分")
                .to_owned()
        });
    }
    if r.status == Status::Flaky {
        meta.push(esc(&pass_rate_in(r, lang)));
    }
    h.push_str(&format!("<p class=\"meta\">{}</p>\n", meta.join(" · ")));
    match r.status {
        Status::Pass => {
            for &hit in &r.limits_hit {
                h.push_str(&format!(
                    "<p class=\"warn\">{}</p>\n",
                    esc(&crate::diagnose::limit_hit_on_pass(hit, r.role, lang))
                ));
            }
        }
        Status::Skip => h.push_str(&format!(
            "<p class=\"meta\">{}{}</p>\n",
            lang.pick("skipped: ", "跳过："),
            esc(&crate::mismatch::reason(r, lang))
        )),
        Status::NotBuilt => h.push_str(&format!(
            "<p class=\"meta\">{}</p>\n",
            esc(&crate::build::not_built(lang))
        )),
        Status::Fail | Status::Error | Status::Flaky => failure(h, r, lang),
    }
    h.push_str("</section>\n");
}

/// A build's section: a line when it worked; when it failed, BUILD ERROR
/// with the compiler's output whole (a page has room for it).
fn build(h: &mut String, b: &sockspec_results::BuildReport, lang: Lang) {
    let headline = crate::build::headline(b, lang);
    if b.ok() {
        h.push_str(&format!(
            "<section class=\"pass build\">\n<p class=\"meta\">{}</p>\n</section>\n",
            esc(&headline)
        ));
        return;
    }
    h.push_str(&format!(
        "<section class=\"fail build\" id=\"build\">\n<h2><span class=\"label\">{}</span><code>{}</code></h2>\n",
        lang.pick("BUILD ERROR", "编译失败"),
        esc(&b.command)
    ));
    h.push_str(&format!("<p class=\"reason\">{}</p>\n", esc(&headline)));
    h.push_str(&format!(
        "<pre>{}</pre>\n",
        esc(&crate::build::output_lines(b, usize::MAX, lang).join("\n"))
    ));
    h.push_str(&format!(
        "<p>{}</p>\n</section>\n",
        esc(&crate::build::consequence(b, lang))
    ));
}

/// Everything under a failure, in the order a student reads it: what
/// went wrong, why, what to change, then the background.
fn failure(h: &mut String, r: &ScenarioResult, lang: Lang) {
    let limits = Limits {
        output_lines: output::LINES,
        full: false,
        lang,
        timeline: true,
    };
    let p = parts(r, limits);
    if !p.reason.is_empty() {
        h.push_str(&format!("<p class=\"reason\">{}</p>\n", esc(&p.reason)));
    }
    if let Some(location) = &p.location {
        h.push_str(&format!("<p>{}</p>\n", esc(location)));
    }
    if !p.fields.is_empty() {
        h.push_str("<dl>\n");
        for (field, value) in &p.fields {
            let value = match field {
                Field::Expected => esc(value),
                _ => format!("<code>{}</code>", esc(value)),
            };
            h.push_str(&format!("<dt>{}</dt><dd>{value}</dd>\n", field.name(lang)));
        }
        h.push_str("</dl>\n");
    }
    if !p.diagnoses.is_empty() {
        h.push_str(&format!(
            "<h3>{}</h3>\n<ul class=\"diagnoses\">\n",
            lang.pick("diagnosis", "诊断")
        ));
        for d in &p.diagnoses {
            h.push_str(&format!("<li>{}</li>\n", esc(d)));
        }
        h.push_str("</ul>\n");
    }
    for (heading, text) in [
        (lang.pick("what to change", "怎么改"), &p.hint),
        (lang.pick("why it matters", "知识点"), &p.concept),
    ] {
        if let Some(text) = text {
            h.push_str(&format!("<h3>{heading}</h3>\n<p>{}</p>\n", esc(text)));
        }
    }
    if !p.timeline.is_empty() {
        h.push_str(&format!("<h3>{}</h3>\n", lang.pick("timeline", "时间线")));
        sequence::diagram(h, &p.timeline, &format!("seq-{}", anchor(&r.id)), lang);
        h.push_str(&format!(
            "<div class=\"scroll\"><table class=\"timeline\">\n<thead><tr><th>ms</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            lang.pick("who", "谁"),
            lang.pick("what", "做了什么"),
        ));
        for row in &p.timeline {
            h.push_str(&format!(
                "<tr><td class=\"ms\">{}</td><td class=\"who\">{}</td><td class=\"mono\">{}</td></tr>\n",
                row.at_ms,
                esc(&row.actor),
                esc(&row.what)
            ));
        }
        h.push_str("</tbody>\n</table></div>\n");
    }
    for o in &p.outputs {
        output::block(h, o, lang);
    }
}

impl<W: Write> Reporter for Html<W> {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Some(end) = self.run.take(event) {
            self.page(&end.summary)?;
        }
        Ok(())
    }
}
