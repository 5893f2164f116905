//! The class dashboard of a batch (`grade --html` writes it as
//! `index.html` beside the students' folders): the page a teacher opens
//! first. Which scenarios the class failed, most failed first, each linked
//! to the section of that scenario in the report of every student who
//! failed it; how the scores spread; who needs a person to look (did not
//! build, could not be run, flaky, not graded); and every submission with
//! its score and a link to its report.
//!
//! The numbers are the batch's [`ClassView`], the same the terminal shows
//! after the grade table; this page only words and draws them. It stands
//! alone like a student's page: inline style, no script, nothing fetched.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sockspec_grade::{BatchReport, Bucket, ClassView, SubmissionGrade};

use crate::Lang;

use super::markup::{self, anchor, esc};

/// Where each student's HTML report is, relative to the dashboard
/// (`alice/report.html`); a student without one is named, not linked.
pub type ReportPaths = BTreeMap<String, String>;

/// The class dashboard of `batch`, in `lang`, linking to the `reports`.
pub fn class_page(batch: &BatchReport, reports: &ReportPaths, lang: Lang) -> String {
    let view = batch.class();
    let links = Links(reports);
    let title = match lang {
        Lang::En => format!("sockspec: class dashboard — {}", batch.assignment),
        Lang::Zh => format!("sockspec：全班概况 — {}", batch.assignment),
    };
    let mut h = markup::head(lang, &title);
    h.push_str("<header class=\"summary\">\n");
    h.push_str(&format!("<h1>{}</h1>\n", esc(&title)));
    h.push_str(&format!("<p>{}</p>\n", esc(&overview(batch, &view, lang))));
    h.push_str("</header>\n<main>\n");
    scenarios(&mut h, &view, &links, lang);
    histogram(&mut h, &view.histogram, view.graded, lang);
    review(&mut h, &view, &links, lang);
    submissions(&mut h, &batch.submissions, &links, lang);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// Links into the students' reports.
struct Links<'a>(&'a ReportPaths);

/// What a path segment keeps unencoded: letters, digits and `-._~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Links<'_> {
    /// The link to the student's report (at `scenario`'s section when
    /// given), escaped for an attribute; none without a report.
    fn href(&self, student: &str, scenario: Option<&str>) -> Option<String> {
        let path = self.0.get(student)?;
        let path: Vec<String> = path
            .split('/')
            .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
            .collect();
        let fragment = scenario.map_or(String::new(), |id| format!("#{}", anchor(id)));
        Some(esc(&format!("{}{fragment}", path.join("/"))))
    }

    /// The student's name, linked to their report if they have one.
    fn student(&self, student: &str, scenario: Option<&str>) -> String {
        match self.href(student, scenario) {
            Some(href) => format!("<a href=\"{href}\">{}</a>", esc(student)),
            None => esc(student),
        }
    }

    /// The scenario ids, each linked to its section in the student's report.
    fn scenarios(&self, student: &str, ids: &[String]) -> String {
        ids.iter()
            .map(|id| match self.href(student, Some(id)) {
                Some(href) => format!("<a href=\"{href}\"><code>{}</code></a>", esc(id)),
                None => format!("<code>{}</code>", esc(id)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// "20 submissions, 19 graded, 4 with full marks".
fn overview(batch: &BatchReport, view: &ClassView, lang: Lang) -> String {
    let total = batch.submissions.len();
    let full = batch
        .submissions
        .iter()
        .filter(|s| s.problem.is_none() && s.points == s.points_possible && s.errors == 0)
        .count();
    let part = batch.partition.as_deref();
    match lang {
        Lang::En => {
            let mut s = format!(
                "{total} submission{}, {} graded, {full} with full marks",
                if total == 1 { "" } else { "s" },
                view.graded
            );
            if let Some(p) = part {
                s.push_str(&format!(" (partition {p} of the class)"));
            }
            s
        }
        Lang::Zh => {
            let mut s = format!("共 {total} 份作业，评分 {} 份，满分 {full} 份", view.graded);
            if let Some(p) = part {
                s.push_str(&format!("（这是全班的分片 {p}）"));
            }
            s
        }
    }
}

/// The scenarios by fail rate, with who failed each.
fn scenarios(h: &mut String, view: &ClassView, links: &Links, lang: Lang) {
    h.push_str(&format!(
        "<section id=\"scenarios\">\n<h2>{}</h2>\n",
        lang.pick("Scenarios by fail rate", "各测试的失败率（从高到低）")
    ));
    if view.scenarios.is_empty() {
        h.push_str(&format!(
            "<p class=\"none\">{}</p>\n</section>\n",
            lang.pick("no scenario was run", "没有运行任何测试")
        ));
        return;
    }
    h.push_str(&format!(
        "<div class=\"scroll\"><table class=\"scenarios\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.pick("scenario", "测试"),
        lang.pick("passed", "通过"),
        lang.pick("failed", "失败"),
        lang.pick("warned (recommended)", "警告（建议项）"),
        lang.pick("could not run", "无法运行"),
        lang.pick("flaky", "不稳定"),
        lang.pick("fail rate", "失败率"),
        lang.pick("failed by", "失败的学生"),
    ));
    for t in &view.scenarios {
        let class = if !t.failed.is_empty() {
            " class=\"fail\""
        } else if !t.errors.is_empty() {
            " class=\"error\""
        } else if !t.warned.is_empty() {
            " class=\"warn\""
        } else {
            ""
        };
        let warn = lang.pick("WARN", "警告");
        let who: Vec<String> = t
            .failed
            .iter()
            .map(|s| links.student(s, Some(&t.id)))
            .chain(t.warned.iter().map(|s| {
                format!(
                    "<span class=\"warn\">{} ({warn})</span>",
                    links.student(s, Some(&t.id))
                )
            }))
            .collect();
        h.push_str(&format!(
            "<tr{class}><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td class=\"who\">{}</td></tr>\n",
            esc(&t.id),
            t.passed,
            t.failed.len(),
            t.warned.len(),
            t.errors.len(),
            t.flaky.len(),
            t.failed_percent,
            who.join(" ")
        ));
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// The histogram of scores, as bars with their counts.
fn histogram(h: &mut String, buckets: &[Bucket], graded: usize, lang: Lang) {
    const W: f64 = 800.0;
    const H: f64 = 220.0;
    const BASE: f64 = 190.0;
    const TALL: f64 = 150.0;
    h.push_str(&format!(
        "<section id=\"scores\">\n<h2>{}</h2>\n",
        lang.pick("Scores", "分数分布")
    ));
    let highest = buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let label = |b: &Bucket| {
        if b.from == b.to {
            format!("{}%", b.from)
        } else {
            format!("{}–{}%", b.from, b.to)
        }
    };
    let described: Vec<String> = buckets
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| format!("{} {}", label(b), b.count))
        .collect();
    let title = match lang {
        Lang::En => format!(
            "Histogram of the scores of {graded} graded submission{}: {}",
            if graded == 1 { "" } else { "s" },
            described.join(", ")
        ),
        Lang::Zh => format!("{graded} 份已评分作业的分数分布：{}", described.join("，")),
    };
    h.push_str(&format!(
        "<figure class=\"bars\"><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"scores-title\">\n\
         <title id=\"scores-title\">{}</title>\n\
         <line x1=\"20\" y1=\"{BASE}\" x2=\"{}\" y2=\"{BASE}\"/>\n",
        esc(&title),
        W - 20.0
    ));
    let slot = (W - 40.0) / buckets.len().max(1) as f64;
    for (i, b) in buckets.iter().enumerate() {
        let x = 20.0 + i as f64 * slot;
        let tall = TALL * b.count as f64 / highest as f64;
        let mid = x + slot / 2.0;
        h.push_str(&format!(
            "<g class=\"bar\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{tall:.1}\"/>\
             <text class=\"n\" x=\"{mid:.1}\" y=\"{:.1}\">{}</text>\
             <text class=\"x\" x=\"{mid:.1}\" y=\"{}\">{}</text></g>\n",
            x + 6.0,
            BASE - tall,
            slot - 12.0,
            BASE - tall - 5.0,
            b.count,
            BASE + 18.0,
            esc(&label(b))
        ));
    }
    h.push_str("</svg></figure>\n</section>\n");
}

/// The submissions a person must look at, by why.
fn review(h: &mut String, view: &ClassView, links: &Links, lang: Lang) {
    h.push_str(&format!(
        "<section id=\"review\">\n<h2>{}</h2>\n",
        lang.pick("To review", "需要人工查看")
    ));
    let mut any = false;
    let mut list = |h: &mut String, heading: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        any = true;
        h.push_str(&format!("<h3>{heading}</h3>\n<ul>\n"));
        for i in items {
            h.push_str(&format!("<li>{i}</li>\n"));
        }
        h.push_str("</ul>\n");
    };
    list(
        h,
        lang.pick("did not build", "编译失败"),
        view.not_built
            .iter()
            .map(|(s, error)| format!("{}: <code>{}</code>", links.student(s, None), esc(error)))
            .collect(),
    );
    list(
        h,
        lang.pick(
            "could not run (a program missing, or one that never started)",
            "无法运行（缺少程序，或程序没能启动）",
        ),
        view.could_not_run
            .iter()
            .map(|(s, ids)| format!("{}: {}", links.student(s, None), links.scenarios(s, ids)))
            .collect(),
    );
    list(
        h,
        lang.pick(
            "FLAKY (passed on some tries only; the points were given)",
            "不稳定（只在部分尝试中通过；已给分）",
        ),
        view.flaky
            .iter()
            .map(|(s, ids)| format!("{}: {}", links.student(s, None), links.scenarios(s, ids)))
            .collect(),
    );
    list(
        h,
        lang.pick(
            "ran into a limit (too many processes, or too much memory; even where it passed)",
            "触及资源上限（进程过多或内存过多；即使测试通过）",
        ),
        view.limits
            .iter()
            .map(|(s, ids)| format!("{}: {}", links.student(s, None), links.scenarios(s, ids)))
            .collect(),
    );
    list(
        h,
        lang.pick(
            "not graded (the run gave no report)",
            "未评分（运行没有产生报告）",
        ),
        view.not_graded
            .iter()
            .map(|(s, why)| format!("{}: {}", esc(s), esc(why)))
            .collect(),
    );
    if !any {
        h.push_str(&format!(
            "<p class=\"none\">{}</p>\n",
            lang.pick("nothing to review", "没有需要人工查看的作业")
        ));
    }
    h.push_str("</section>\n");
}

/// Every submission with its score.
fn submissions(h: &mut String, subs: &[SubmissionGrade], links: &Links, lang: Lang) {
    h.push_str(&format!(
        "<section id=\"submissions\">\n<h2>{}</h2>\n<div class=\"scroll\"><table class=\"submissions\">\n\
         <thead><tr><th>{}</th><th>{}</th><th>%</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        lang.pick("Submissions", "全部作业"),
        lang.pick("student", "学生"),
        lang.pick("points", "得分"),
        lang.pick("passed", "通过"),
        lang.pick("failed", "失败"),
        lang.pick("warned", "警告"),
        lang.pick("could not run", "无法运行"),
        lang.pick("flaky", "不稳定"),
    ));
    for s in subs {
        let class = if s.problem.is_some() || s.build_error.is_some() {
            " class=\"error\""
        } else if s.points < s.points_possible || s.errors > 0 {
            " class=\"fail\""
        } else {
            " class=\"pass\""
        };
        h.push_str(&format!(
            "<tr{class}><td class=\"who\">{}</td><td class=\"n\">{}/{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            links.student(&s.student, None),
            s.points,
            s.points_possible,
            s.percent(),
            s.passed,
            s.failed,
            s.warned_ids.len(),
            s.errors,
            s.flaky
        ));
    }
    h.push_str("</tbody>\n</table></div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(student: &str, failed: &[&str], points: u32) -> SubmissionGrade {
        let mut g = SubmissionGrade::broken(student, String::new(), 1, 0);
        g.problem = None;
        g.failed_ids = failed.iter().map(|s| s.to_string()).collect();
        g.failed = failed.len();
        g.passed_ids = vec!["tcp-server/reply".into()];
        g.points = points;
        g.points_possible = 2;
        g
    }

    fn batch() -> BatchReport {
        let mut flaky = grade("bo & co", &[], 2);
        flaky.flaky_ids = vec!["tcp-server/reply".into()];
        BatchReport {
            assignment: "hw <1>".into(),
            partition: None,
            time_scale: 1.0,
            isolation: "process".into(),
            jobs: None,
            submissions: vec![
                grade("alice", &[], 2),
                flaky,
                grade("chen", &["tcp-server/peer-exit"], 1),
                SubmissionGrade::broken("dan", "its run took too long".into(), -1, 1),
            ],
        }
    }

    fn reports() -> ReportPaths {
        ["alice", "bo & co", "chen"]
            .into_iter()
            .map(|s| (s.to_owned(), format!("{s}/report.html")))
            .collect()
    }

    #[test]
    fn failures_link_to_the_scenario_in_the_students_report() {
        let page = class_page(&batch(), &reports(), Lang::En);
        assert!(page.contains("<title>sockspec: class dashboard — hw &lt;1&gt;</title>"));
        assert!(
            page.contains("4 submissions, 3 graded, 2 with full marks"),
            "{page}"
        );
        assert!(
            page.contains("<td class=\"who\"><a href=\"chen/report.html#s-tcp-server-peer-exit\">chen</a></td>"),
            "{page}"
        );
        // A name is encoded as a path, escaped as text.
        assert!(page.contains("<a href=\"bo%20%26%20co/report.html#s-tcp-server-reply\"><code>tcp-server/reply</code></a>"), "{page}");
        assert!(page.contains(">bo &amp; co</a>"));
        // The most failed scenario first.
        assert!(
            page.find("tcp-server/peer-exit").unwrap()
                < page.find("<td><code>tcp-server/reply").unwrap()
        );
        assert!(page.contains("<li>dan: its run took too long</li>"));
        assert_eq!(page.matches("<g class=\"bar\">").count(), 11);
        assert!(page.contains("aria-labelledby=\"scores-title\""));
        assert!(
            page.contains("Histogram of the scores of 3 graded submissions: 50–59% 1, 100% 2"),
            "{page}"
        );
    }

    #[test]
    fn the_dashboard_speaks_chinese() {
        let page = class_page(&batch(), &reports(), Lang::Zh);
        assert!(page.contains("<html lang=\"zh-CN\">"));
        assert!(page.contains("共 4 份作业，评分 3 份，满分 2 份"));
        assert!(page.contains("<h2>各测试的失败率（从高到低）</h2>"));
        assert!(page.contains("3 份已评分作业的分数分布：50–59% 1，100% 2"));
        for english in ["Scenarios", "failed by", "To review", "Submissions"] {
            assert!(!page.contains(english), "{english}");
        }
    }
}
