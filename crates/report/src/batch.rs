//! A batch in the terminal: the table `grade` and `merge` print, one line
//! per student with the score and what to look at, and the class view
//! after it (what the class missed, who did not build, how the scores
//! spread). The numbers are the grade crate's ([`BatchReport`],
//! [`ClassView`]); only the words are here, so that a teacher who asked
//! for `--lang zh` reads the whole batch in Chinese, not only each
//! student's report.

use sockspec_grade::{BatchReport, SubmissionGrade};

use crate::Lang;
use crate::text::width;

/// At most this many ids are named in a cell; the rest are counted.
const SHOWN: usize = 4;

fn short_list(ids: &[String], lang: Lang) -> String {
    let mut s = ids
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        let more = ids.len() - SHOWN;
        s.push_str(&match lang {
            Lang::En => format!(" and {more} more"),
            Lang::Zh => format!(" 等另外 {more} 项"),
        });
    }
    s
}

/// What to look at in one student's row.
fn notes(s: &SubmissionGrade, lang: Lang) -> String {
    let mut notes: Vec<String> = Vec::new();
    let list = |ids: &[String]| short_list(ids, lang);
    if let Some(p) = &s.problem {
        notes.push(lang.pick(format!("not graded: {p}"), format!("未评分：{p}")));
    }
    if let Some(b) = &s.build_error {
        notes.push(lang.pick(format!("BUILD ERROR {b}"), format!("编译失败 {b}")));
    }
    if !s.failed_ids.is_empty() {
        let ids = list(&s.failed_ids);
        notes.push(lang.pick(format!("failed {ids}"), format!("未通过 {ids}")));
    }
    if !s.error_ids.is_empty() {
        let ids = list(&s.error_ids);
        notes.push(lang.pick(format!("could not run {ids}"), format!("无法进行 {ids}")));
    }
    if !s.flaky_ids.is_empty() {
        let ids = list(&s.flaky_ids);
        notes.push(lang.pick(format!("FLAKY {ids}"), format!("结果不稳定 {ids}")));
    }
    if !s.limit_ids.is_empty() {
        let ids = list(&s.limit_ids);
        notes.push(lang.pick(format!("LIMIT HIT in {ids}"), format!("触及资源上限 {ids}")));
    }
    if !s.warned_ids.is_empty() {
        let ids = list(&s.warned_ids);
        notes.push(lang.pick(format!("WARN {ids}"), format!("警告 {ids}")));
    }
    if notes.is_empty() {
        "-".to_owned()
    } else {
        notes.join(lang.pick("; ", "；"))
    }
}

/// `text` padded with spaces to `columns` terminal columns.
fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

/// The table printed at the end of a batch.
pub fn batch_table(batch: &BatchReport, lang: Lang) -> String {
    let (student, points, look) = match lang {
        Lang::En => ("student", "points", "look at"),
        Lang::Zh => ("学生", "得分", "要看的"),
    };
    let columns = batch
        .submissions
        .iter()
        .map(|s| width(&s.student))
        .max()
        .unwrap_or(0)
        .max(width(student));
    let mut out = format!(
        "{}  {}  {:>6}  {look}\n",
        pad(student, columns),
        " ".repeat(9usize.saturating_sub(width(points))) + points,
        "%"
    );
    for s in &batch.submissions {
        out.push_str(&format!(
            "{}  {:>9}  {:>6.1}  {}\n",
            pad(&s.student, columns),
            format!("{}/{}", s.points, s.points_possible),
            s.percent(),
            notes(s, lang)
        ));
    }
    let n = batch.submissions.len();
    let full = batch
        .submissions
        .iter()
        .filter(|s| s.problem.is_none() && s.points == s.points_possible && s.errors == 0)
        .count();
    let review = batch
        .submissions
        .iter()
        .filter(|s| s.flaky > 0 || s.problem.is_some() || !s.limit_ids.is_empty())
        .count();
    out.push_str(&match lang {
        Lang::En => format!("{n} submission(s), {full} with full marks"),
        Lang::Zh => format!("共 {n} 份作业，{full} 份满分"),
    });
    if review > 0 {
        out.push_str(&match lang {
            Lang::En => format!(", {review} to review (flaky, a limit hit, or not graded)"),
            Lang::Zh => format!("，{review} 份需要人工复查（结果不稳定、触及资源上限或未评分）"),
        });
    }
    out.push('\n');
    out
}

/// What the class missed, as the terminal shows it after the table: each
/// scenario failed (or not carried out) by some submission, most failed
/// first, with who failed it; the submissions that did not build; and how
/// the scores spread, in tenths.
pub fn class_summary(batch: &BatchReport, lang: Lang) -> String {
    let view = batch.class();
    if view.graded == 0 {
        return String::new();
    }
    let n = view.graded;
    let rows: Vec<_> = view
        .scenarios
        .iter()
        .filter(|t| !t.failed.is_empty() || !t.errors.is_empty() || !t.warned.is_empty())
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        let columns = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
        out.push_str(&match lang {
            Lang::En => format!("what the class missed (of {n} graded):\n"),
            Lang::Zh => format!("全班没做好的（共 {n} 份已评分）：\n"),
        });
        for t in &rows {
            let failed = lang.pick("failed", "未通过");
            let mut line = format!(
                "  {:columns$}  {failed} {:>3}  {:>5.1}%",
                t.id,
                t.failed.len(),
                t.failed_percent
            );
            if !t.errors.is_empty() {
                line.push_str(&match lang {
                    Lang::En => format!("  could not run {}", t.errors.len()),
                    Lang::Zh => format!("  无法进行 {}", t.errors.len()),
                });
            }
            if !t.failed.is_empty() {
                line.push_str(&format!("  {}", short_list(&t.failed, lang)));
            }
            if !t.warned.is_empty() {
                let who = short_list(&t.warned, lang);
                line.push_str(&match lang {
                    Lang::En => format!("  WARN {} ({who})", t.warned.len()),
                    Lang::Zh => format!("  警告 {}（{who}）", t.warned.len()),
                });
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    let unbuilt: Vec<String> = view.not_built.iter().map(|(s, _)| s.clone()).collect();
    if !unbuilt.is_empty() {
        let who = short_list(&unbuilt, lang);
        out.push_str(&match lang {
            Lang::En => format!("did not build: {} ({who})\n", unbuilt.len()),
            Lang::Zh => format!("编译失败：{} 份（{who}）\n", unbuilt.len()),
        });
    }
    out.push_str(lang.pick("scores:\n", "分数分布：\n"));
    for b in &view.histogram {
        let label = if b.from == 100 {
            "   100%".to_owned()
        } else {
            format!("{:>3}–{:>2}%", b.from, b.to)
        };
        out.push_str(&format!(
            "  {label}  {:<bar$} {}\n",
            "#".repeat(b.count),
            b.count,
            bar = n.min(40)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn report() -> Value {
        json!({
            "results": [
                {"id": "tcp-server/reply", "status": "pass", "counted": true},
                {"id": "tcp-server/restart", "status": "fail", "counted": true},
                {"id": "tcp-server/non-utf8", "status": "fail", "counted": false},
                {"id": "udp-server/reply", "status": "error", "counted": true},
                {"id": "udp-server/burst", "status": "flaky", "counted": true},
            ],
            "summary": {"passed": 1, "failed": 2, "errors": 1, "skipped": 0, "flaky": 1,
                        "counted_failed": 1, "points": 4, "points_possible": 10, "exit_code": 2}
        })
    }

    fn batch(students: &[&str]) -> BatchReport {
        BatchReport {
            assignment: "hw".into(),
            partition: None,
            time_scale: 1.0,
            isolation: "process".into(),
            jobs: None,
            submissions: students
                .iter()
                .map(|s| SubmissionGrade::from_report(s, &report(), 2, 10, "r.json").unwrap())
                .collect(),
        }
    }

    #[test]
    fn the_table_names_what_to_look_at_in_either_language() {
        let mut b = batch(&["alice", "bob, the \"second\""]);
        b.submissions.push(SubmissionGrade::broken(
            "carol",
            "the run was killed".into(),
            -1,
            5,
        ));
        b.submissions[1].build_error = Some("gcc -Wall -o s s.c: s.c:14: error".into());
        let table = batch_table(&b, Lang::En);
        for wanted in [
            "alice",
            "4/10",
            "failed tcp-server/restart",
            "FLAKY udp-server/burst",
            "WARN tcp-server/non-utf8",
            "could not run udp-server/reply",
            "not graded: the run was killed",
            "BUILD ERROR gcc -Wall",
            "3 submission(s), 0 with full marks, 3 to review",
        ] {
            assert!(table.contains(wanted), "{wanted}: {table}");
        }
        let zh = batch_table(&b, Lang::Zh);
        for wanted in [
            "学生",
            "未通过 tcp-server/restart",
            "结果不稳定 udp-server/burst",
            "警告 tcp-server/non-utf8",
            "无法进行 udp-server/reply",
            "未评分：the run was killed",
            "编译失败 gcc -Wall",
            "共 3 份作业，0 份满分，3 份需要人工复查",
        ] {
            assert!(zh.contains(wanted), "{wanted}: {zh}");
        }
        for english in [
            "failed",
            "FLAKY",
            "WARN",
            "could not run",
            "submission(s)",
            "look at",
        ] {
            assert!(!zh.contains(english), "{english}: {zh}");
        }
        // The points column ends in the same terminal column under a
        // Chinese heading as in the rows.
        let end = |line: &str, cell: &str| {
            let at = line.find(cell).unwrap_or_else(|| panic!("{cell}: {line}"));
            width(&line[..at]) + width(cell)
        };
        let lines: Vec<&str> = zh.lines().collect();
        assert_eq!(end(lines[0], "得分"), end(lines[1], "4/10"), "{zh}");
        assert_eq!(end(lines[1], "4/10"), end(lines[3], "0/0"), "{zh}");
    }

    /// The class view sorts the scenarios by how many failed them, names
    /// who did, lists the submissions that did not build, and spreads the
    /// scores over tenths.
    #[test]
    fn the_class_view_says_what_the_class_missed() {
        let mut b = batch(&["alice", "bob"]);
        b.submissions[1]
            .failed_ids
            .push("tcp-server/peer-exit".into());
        b.submissions[1].points = 10;
        b.submissions[1].build_error = Some("gcc: error".into());
        b.submissions
            .push(SubmissionGrade::broken("carol", "killed".into(), -1, 5));
        let view = class_summary(&b, Lang::En);
        let lines: Vec<&str> = view.lines().collect();
        assert_eq!(lines[0], "what the class missed (of 2 graded):", "{view}");
        assert!(lines[1].starts_with("  tcp-server/restart"), "{view}");
        assert!(
            lines[1].contains("failed   2  100.0%  alice, bob"),
            "{view}"
        );
        assert!(view.contains("did not build: 1 (bob)"), "{view}");
        assert!(view.contains("   100%  #"), "{view}");
        assert!(view.contains(" 40–49%  #"), "{view}");
        assert!(!view.contains("carol"), "not graded, not counted: {view}");
        let zh = class_summary(&b, Lang::Zh);
        assert!(zh.starts_with("全班没做好的（共 2 份已评分）：\n"), "{zh}");
        assert!(zh.contains("未通过   2  100.0%  alice, bob"), "{zh}");
        assert!(zh.contains("编译失败：1 份（bob）"), "{zh}");
        assert!(zh.contains("分数分布："), "{zh}");
    }

    #[test]
    fn long_lists_are_counted_not_named() {
        let ids: Vec<String> = (1..=6).map(|i| format!("s{i}")).collect();
        assert_eq!(short_list(&ids, Lang::En), "s1, s2, s3, s4 and 2 more");
        assert_eq!(short_list(&ids, Lang::Zh), "s1, s2, s3, s4 等另外 2 项");
    }
}
