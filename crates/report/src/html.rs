//! One self-contained HTML page per run, for the student who reads their
//! grade on a phone, or a teacher who mails it: everything the terminal
//! report says about each failure (the evidence, what the runner found
//! out, what to change, the note of the course, the exchange as a table,
//! the end of the program's output) laid out to be read rather than
//! scrolled through.
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
use crate::human::{counts, verdict};
use crate::text::printable;
use crate::{Lang, Reporter};

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

/// Lines of each output shown: a page has room for more than a terminal.
const OUTPUT_LINES: usize = 30;

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--box:#f6f8fa;--line:#d1d9e0;\
--pass:#1a7f37;--fail:#cf222e;--error:#a40e26;--warn:#9a6700;--skip:#6e7781;--flaky:#8250df}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--box:#161b22;\
--line:#3d444d;--pass:#3fb950;--fail:#f85149;--error:#ff7b72;--warn:#d29922;--skip:#9198a1;--flaky:#ab7df8}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:52rem;padding:1rem;color:var(--fg);background:var(--bg);\
font:16px/1.55 system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.05rem;margin:0}h3{font-size:.95rem;margin:1rem 0 .3rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
code{overflow-wrap:anywhere}
pre{margin:0;padding:.5rem .7rem;background:var(--box);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:.5rem 0}
dt{color:var(--muted)}dd{margin:0;min-width:0;overflow-wrap:anywhere}
@media (max-width:36rem){dl{grid-template-columns:1fr}dd{margin-bottom:.3rem}}
.summary{padding:.6rem .8rem;border:1px solid var(--line);border-radius:6px}
.summary p{margin:.2rem 0}
nav ul{margin:.3rem 0;padding-left:1.2rem}
section{margin:1rem 0;padding:.5rem .8rem;border-left:4px solid var(--c);background:var(--bg)}
section.pass,section.skip{padding:.2rem .8rem;margin:.4rem 0}
.label{display:inline-block;min-width:4.2em;padding:0 .4em;margin-right:.4em;border-radius:4px;\
color:#fff;background:var(--c);text-align:center;font-weight:600;font-size:.85em}
.meta{margin:.1rem 0;color:var(--muted);font-size:.9em}
.reason{margin:.4rem 0;color:var(--c);font-weight:600;white-space:pre-line}
.verdict{font-weight:600;color:var(--c)}
ul.diagnoses{margin:.2rem 0;padding-left:1.2rem}ul.diagnoses li{margin:.2rem 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9em}
td,th{padding:.1rem .6rem .1rem 0;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:normal}td.ms{text-align:right;white-space:nowrap}
td.who{white-space:nowrap}
.none{color:var(--muted)}
.pass{--c:var(--pass)}.fail{--c:var(--fail)}.error{--c:var(--error)}.warn{--c:var(--warn)}\
.skip{--c:var(--skip)}.flaky{--c:var(--flaky)}
";

/// `s` as HTML text: markup characters escaped, control characters made
/// visible (a program's output may carry escape codes), line ends kept as
/// line ends: a traceback in a `<pre>` reads as lines, not as one line
/// of `\n`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let lines: Vec<String> = s.split('\n').map(printable).collect();
    for c in lines.join("\n").chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An element id for a scenario id: letters, digits and dashes only.
fn anchor(id: &str) -> String {
    let mut out = String::from("s-");
    out.extend(
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
    out
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

/// A heading without its colon (`stdout (last 30 of 40 lines)`).
fn unlabel(s: &str) -> &str {
    s.trim_end_matches([':', '：'])
}

impl<W: Write> Html<W> {
    fn page(&mut self, summary: &Summary) -> std::io::Result<()> {
        let lang = self.options.lang;
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n");
        h.push_str(&format!(
            "<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>sockspec: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
            lang.pick("en", "zh-CN"),
            esc(&self.run.target)
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
        let (paint, words) = verdict(s, lang);
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
        Status::Pass => {}
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
        output_lines: OUTPUT_LINES,
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
        h.push_str(&format!(
            "<h3>{}</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>ms</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            lang.pick("timeline", "时间线"),
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
        if o.total == 0 {
            h.push_str(&format!(
                "<h3>{}</h3>\n<p class=\"none\">{}</p>\n",
                o.name,
                lang.pick("(nothing)", "（没有输出）")
            ));
            continue;
        }
        h.push_str(&format!(
            "<h3>{}</h3>\n<pre>{}</pre>\n",
            esc(unlabel(&o.heading(lang))),
            esc(&o.lines.join("\n"))
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_control_characters_shown() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>\x1b[31m"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\\u{1b}[31m"
        );
    }

    #[test]
    fn output_keeps_its_lines() {
        assert_eq!(esc("a <b>\n\tc\r\n"), "a &lt;b&gt;\n\tc\\r\n");
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(anchor("tcp-server/peer-exit"), "s-tcp-server-peer-exit");
        assert_eq!(anchor("a\"><b"), "s-a---b");
    }
}
