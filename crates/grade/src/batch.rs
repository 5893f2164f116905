//! What a batch scored, per submission, and the files a teacher gets: the
//! batch JSON (`grade.json`, which `sockspec merge` joins across CI jobs),
//! the CSV of scores, and the table printed at the end of a run.
//!
//! A submission's grade is read from the JSON report of its own run, the
//! same document `sockspec run --format json` prints, so a batch never
//! disagrees with what a student sees when running the suite alone.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What one submission scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmissionGrade {
    /// The student (the submission folder's name).
    pub student: String,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub points_possible: u32,
    /// Scenarios that passed.
    pub passed: usize,
    /// Counted scenarios that failed.
    pub failed: usize,
    /// Scenarios that could not be carried out (a program missing, or one
    /// that never started).
    pub errors: usize,
    /// Scenarios whose verdict changed between tries (they earn their
    /// points; listed so that a grader can look).
    pub flaky: usize,
    /// Ids of the counted scenarios that failed.
    pub failed_ids: Vec<String>,
    /// Ids of the scenarios that could not be carried out.
    pub error_ids: Vec<String>,
    /// Ids of the flaky scenarios.
    pub flaky_ids: Vec<String>,
    /// Ids of the scenarios that passed (absent from batch reports of
    /// older versions, whose class view then counts no passes).
    #[serde(default)]
    pub passed_ids: Vec<String>,
    /// Ids of the recommended scenarios that failed (shown, not counted:
    /// what `--strict` would count).
    #[serde(default)]
    pub warned_ids: Vec<String>,
    /// Ids of the scenarios in which the program ran into a limit of its
    /// sandbox (a refused fork, an OOM kill), whatever their verdict: a
    /// grader should look, even at full marks.
    #[serde(default)]
    pub limit_ids: Vec<String>,
    /// The exit code of the submission's run (0 pass, 1 fail, 2 error).
    pub exit_code: i32,
    /// Wall time of the submission's run.
    pub duration_ms: u64,
    /// The submission's own report, relative to the output folder.
    pub report: String,
    /// Why the submission has no report, when its run itself broke down
    /// (then it scores 0 and a grader must look).
    pub problem: Option<String>,
    /// The build that failed, when one did: its command and the
    /// compiler's first error (then its programs were not run).
    #[serde(default)]
    pub build_error: Option<String>,
}

impl SubmissionGrade {
    /// The grade a submission's JSON report gives.
    pub fn from_report(
        student: &str,
        report: &Value,
        exit_code: i32,
        duration_ms: u64,
        path: &str,
    ) -> Result<SubmissionGrade, String> {
        let summary = report.get("summary").ok_or("the report has no summary")?;
        let count = |k: &str| summary.get(k).and_then(Value::as_u64).unwrap_or(0);
        let results = report
            .get("results")
            .and_then(Value::as_array)
            .ok_or("the report has no results")?;
        let id_of = |r: &Value| r.get("id").and_then(Value::as_str).map(str::to_owned);
        let counted = |r: &Value| r.get("counted").and_then(Value::as_bool) == Some(true);
        let ids = |status: &str, which: Option<bool>| -> Vec<String> {
            results
                .iter()
                .filter(|r| r.get("status").and_then(Value::as_str) == Some(status))
                .filter(|r| which.is_none_or(|c| counted(r) == c))
                .filter_map(id_of)
                .collect()
        };
        let limit_ids = results
            .iter()
            .filter(|r| {
                r.get("limits_hit")
                    .and_then(Value::as_array)
                    .is_some_and(|l| !l.is_empty())
            })
            .filter_map(id_of)
            .collect();
        Ok(SubmissionGrade {
            student: student.to_owned(),
            points: count("points") as u32,
            points_possible: count("points_possible") as u32,
            passed: count("passed") as usize,
            failed: count("counted_failed") as usize,
            errors: count("errors") as usize,
            flaky: count("flaky") as usize,
            failed_ids: ids("fail", Some(true)),
            error_ids: ids("error", None),
            flaky_ids: ids("flaky", None),
            passed_ids: ids("pass", None),
            warned_ids: ids("fail", Some(false)),
            limit_ids,
            exit_code,
            duration_ms,
            report: path.to_owned(),
            problem: None,
            build_error: build_error(report),
        })
    }

    /// The grade of a submission whose run broke down without a report.
    pub fn broken(student: &str, problem: String, exit_code: i32, duration_ms: u64) -> Self {
        SubmissionGrade {
            student: student.to_owned(),
            points: 0,
            points_possible: 0,
            passed: 0,
            failed: 0,
            errors: 0,
            flaky: 0,
            failed_ids: Vec::new(),
            error_ids: Vec::new(),
            flaky_ids: Vec::new(),
            passed_ids: Vec::new(),
            warned_ids: Vec::new(),
            limit_ids: Vec::new(),
            exit_code,
            duration_ms,
            report: String::new(),
            problem: Some(problem),
            build_error: None,
        }
    }

    /// The score as a percentage of the possible points (0 when nothing
    /// was possible).
    pub fn percent(&self) -> f64 {
        if self.points_possible == 0 {
            0.0
        } else {
            f64::from(self.points) * 100.0 / f64::from(self.points_possible)
        }
    }
}

/// The failed build of a report, in one line: its command and the first
/// line of its output that says `error` (else its first line).
fn build_error(report: &Value) -> Option<String> {
    let failed = report
        .get("builds")?
        .as_array()?
        .iter()
        .find(|b| b.get("status").and_then(Value::as_str) == Some("error"))?;
    let command = failed.get("command").and_then(Value::as_str).unwrap_or("");
    let output = failed.get("output").and_then(Value::as_str).unwrap_or("");
    let first = output
        .lines()
        .find(|l| l.to_lowercase().contains("error"))
        .or_else(|| output.lines().find(|l| !l.trim().is_empty()))
        .map(str::trim);
    Some(match first {
        Some(line) => format!("{command}: {line}"),
        None => command.to_owned(),
    })
}

/// A graded batch, or a share of one (`--partition`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    /// The assignment's title.
    pub assignment: String,
    /// Which share of the submissions this is (`count:1/2`), or `None`
    /// for the whole batch (also after a merge).
    pub partition: Option<String>,
    /// Every deadline was multiplied by this (calibration × `--time-scale`).
    pub time_scale: f64,
    /// How submissions were isolated (`process`, `net`).
    pub isolation: String,
    /// How many submissions were graded at once, and why (absent from
    /// batch reports of older versions; `None` after a merge, whose CI
    /// jobs each chose their own).
    #[serde(default)]
    pub jobs: Option<crate::Jobs>,
    /// One grade per submission, sorted by student.
    pub submissions: Vec<SubmissionGrade>,
}

/// Every share of the reports' partitioning is among them.
fn complete(parts: &[BatchReport]) -> Result<(), MergeError> {
    let missing = BatchReport::missing_shares(parts)?;
    match parts
        .iter()
        .find_map(|p| p.partition.as_deref()?.parse::<crate::Partition>().ok())
    {
        Some(share) if !missing.is_empty() => Err(MergeError::Missing {
            missing,
            n: share.n,
        }),
        _ => Ok(()),
    }
}

/// Partial reports that cannot be joined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("nothing to merge: give the batch JSON files of each CI job")]
    Empty,
    /// The reports are of different assignments.
    #[error("the reports grade different assignments: `{0}` and `{1}`")]
    Assignments(String, String),
    /// A student appears in two reports.
    #[error(
        "{0} was graded in two of the reports (overlapping partitions, or the same report twice)"
    )]
    Twice(String),
    /// The shares are of different partitionings (`count:1/2` and
    /// `hash:2/3`).
    #[error(
        "the reports are shares of different partitionings: `{0}` and `{1}` (give the grade.json of one CI matrix)"
    )]
    Partitionings(String, String),
    /// Some shares of the partitioning are not among the reports: their
    /// students would silently have no grade.
    #[error(
        "share(s) {} of {n} missing: give the grade.json of every CI job (or --partial to merge what is there)",
        .missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    )]
    Missing {
        /// The missing shares' numbers.
        missing: Vec<u32>,
        /// How many shares there are.
        n: u32,
    },
}

impl BatchReport {
    /// Joins the shares of a batch into one report. Unless `partial`,
    /// every share of the partitioning must be there.
    pub fn merge(parts: Vec<BatchReport>, partial: bool) -> Result<BatchReport, MergeError> {
        if !partial {
            complete(&parts)?;
        }
        let mut parts = parts.into_iter();
        let mut whole = parts.next().ok_or(MergeError::Empty)?;
        whole.partition = None;
        whole.jobs = None;
        let mut seen: BTreeMap<String, ()> = whole
            .submissions
            .iter()
            .map(|s| (s.student.clone(), ()))
            .collect();
        for part in parts {
            if part.assignment != whole.assignment {
                return Err(MergeError::Assignments(whole.assignment, part.assignment));
            }
            whole.time_scale = whole.time_scale.max(part.time_scale);
            if part.isolation != whole.isolation {
                whole.isolation = format!("{} + {}", whole.isolation, part.isolation);
            }
            for s in part.submissions {
                if seen.insert(s.student.clone(), ()).is_some() {
                    return Err(MergeError::Twice(s.student));
                }
                whole.submissions.push(s);
            }
        }
        whole.submissions.sort_by(|a, b| a.student.cmp(&b.student));
        Ok(whole)
    }

    /// The shares `missing` of `n`, once every part is known to be a
    /// share of the same partitioning.
    pub fn missing_shares(parts: &[BatchReport]) -> Result<Vec<u32>, MergeError> {
        let mut kind: Option<(&str, bool, u32)> = None;
        let mut seen = std::collections::BTreeSet::new();
        for p in parts {
            let Some(text) = p.partition.as_deref() else {
                continue;
            };
            let Ok(share) = text.parse::<crate::Partition>() else {
                continue;
            };
            match kind {
                Some((first, by_hash, n)) if (by_hash, n) != (share.by_hash, share.n) => {
                    return Err(MergeError::Partitionings(first.to_owned(), text.to_owned()));
                }
                _ => kind = Some((text, share.by_hash, share.n)),
            }
            seen.insert(share.k);
        }
        Ok(match kind {
            Some((_, _, n)) => (1..=n).filter(|k| !seen.contains(k)).collect(),
            None => Vec::new(),
        })
    }

    /// The CSV of scores: a header, then one row per student.
    pub fn write_csv<W: Write>(&self, out: W) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "student",
            "points",
            "points_possible",
            "percent",
            "passed",
            "failed",
            "errors",
            "flaky",
            "failed_scenarios",
            "error_scenarios",
            "flaky_scenarios",
            "problem",
            "build_error",
            "warned",
            "warned_scenarios",
            "limit_scenarios",
        ])?;
        for s in &self.submissions {
            w.write_record([
                s.student.clone(),
                s.points.to_string(),
                s.points_possible.to_string(),
                format!("{:.1}", s.percent()),
                s.passed.to_string(),
                s.failed.to_string(),
                s.errors.to_string(),
                s.flaky.to_string(),
                s.failed_ids.join(" "),
                s.error_ids.join(" "),
                s.flaky_ids.join(" "),
                s.problem.clone().unwrap_or_default(),
                s.build_error.clone().unwrap_or_default(),
                s.warned_ids.len().to_string(),
                s.warned_ids.join(" "),
                s.limit_ids.join(" "),
            ])?;
        }
        w.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Value {
        json!({
            "results": [
                {"id": "tcp-server/reply", "status": "pass", "counted": true,
                 "limits_hit": [{"limit": "processes", "max": 64}]},
                {"id": "tcp-server/restart", "status": "fail", "counted": true},
                {"id": "tcp-server/non-utf8", "status": "fail", "counted": false},
                {"id": "udp-server/reply", "status": "error", "counted": true},
                {"id": "udp-server/burst", "status": "flaky", "counted": true},
            ],
            "summary": {"passed": 1, "failed": 2, "errors": 1, "skipped": 0, "flaky": 1,
                        "counted_failed": 1, "points": 4, "points_possible": 10, "exit_code": 2}
        })
    }

    fn batch(partition: &str, students: &[&str]) -> BatchReport {
        BatchReport {
            assignment: "hw".into(),
            partition: Some(partition.into()),
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
    fn a_grade_is_read_from_the_report() {
        let g =
            SubmissionGrade::from_report("alice", &report(), 2, 10, "alice/report.json").unwrap();
        assert_eq!(
            (g.points, g.points_possible, g.failed, g.flaky),
            (4, 10, 1, 1)
        );
        assert_eq!(g.failed_ids, ["tcp-server/restart"]);
        assert_eq!(g.error_ids, ["udp-server/reply"]);
        assert_eq!(g.flaky_ids, ["udp-server/burst"]);
        assert_eq!(g.warned_ids, ["tcp-server/non-utf8"], "recommended, failed");
        assert_eq!(g.limit_ids, ["tcp-server/reply"], "passed, but hit a limit");
        assert_eq!(g.percent(), 40.0);
        assert!(SubmissionGrade::from_report("x", &json!({}), 2, 0, "").is_err());
    }

    #[test]
    fn merge_joins_shares_and_refuses_overlaps() {
        let merged = BatchReport::merge(
            vec![batch("count:2/2", &["bob"]), batch("count:1/2", &["alice"])],
            false,
        )
        .unwrap();
        assert_eq!(merged.partition, None);
        let names: Vec<&str> = merged
            .submissions
            .iter()
            .map(|s| s.student.as_str())
            .collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(
            BatchReport::merge(vec![batch("1/2", &["bob"]), batch("2/2", &["bob"])], false),
            Err(MergeError::Twice("bob".into()))
        );
        let mut other = batch("2/2", &["carol"]);
        other.assignment = "other".into();
        assert!(matches!(
            BatchReport::merge(vec![batch("1/2", &["bob"]), other], false),
            Err(MergeError::Assignments(..))
        ));
        assert_eq!(
            BatchReport::merge(Vec::new(), false),
            Err(MergeError::Empty)
        );
    }

    /// A grade.json written before the batch kept its jobs still loads;
    /// a merge of CI jobs that each chose their own keeps none.
    #[test]
    fn jobs_are_optional_and_dropped_by_a_merge() {
        let mut old = serde_json::to_value(batch("count:1/2", &["alice"])).unwrap();
        old.as_object_mut().unwrap().remove("jobs");
        let old: BatchReport = serde_json::from_value(old).unwrap();
        assert_eq!(old.jobs, None);
        let mut part = batch("count:2/2", &["bob"]);
        part.jobs = Some(crate::Jobs {
            jobs: 3,
            chosen_by: crate::jobs::ChosenBy::Flag,
            measured: None,
        });
        let text = serde_json::to_string(&part).unwrap();
        assert!(
            text.contains(r#""jobs":{"jobs":3,"chosen_by":"flag","measured":null}"#),
            "{text}"
        );
        let read: BatchReport = serde_json::from_str(&text).unwrap();
        assert_eq!(read, part);
        let merged = BatchReport::merge(vec![part, old], false).unwrap();
        assert_eq!(merged.jobs, None);
    }

    /// A CI job that never uploaded its share must not leave its students
    /// silently without a grade.
    #[test]
    fn merge_names_the_missing_shares_unless_told_partial() {
        let parts = || {
            vec![
                batch("count:1/4", &["alice"]),
                batch("count:3/4", &["carol"]),
            ]
        };
        let err = BatchReport::merge(parts(), false).unwrap_err();
        assert_eq!(
            err,
            MergeError::Missing {
                missing: vec![2, 4],
                n: 4
            }
        );
        assert!(
            err.to_string().starts_with("share(s) 2, 4 of 4 missing"),
            "{err}"
        );
        assert_eq!(
            BatchReport::merge(parts(), true).unwrap().submissions.len(),
            2
        );
        assert!(matches!(
            BatchReport::merge(
                vec![batch("count:1/2", &["a"]), batch("hash:2/3", &["b"])],
                false
            ),
            Err(MergeError::Partitionings(..))
        ));
    }

    /// A submission that did not build says so in one line: the command
    /// and the compiler's first error.
    #[test]
    fn a_failed_build_is_named_with_its_first_error() {
        let report = serde_json::json!({
            "builds": [
                {"command": "make", "status": "ok", "output": ""},
                {"command": "gcc -Wall -o server server.c", "status": "error",
                 "output": "server.c: In function 'main':\nserver.c:14:17: error: expected ';' before 'while'\n"}
            ],
            "results": [{"id": "tcp-server/reply", "status": "not-built", "counted": true}],
            "summary": {"passed": 0, "counted_failed": 0, "not_built": 1, "points": 0,
                        "points_possible": 2, "exit_code": 1}
        });
        let g = SubmissionGrade::from_report("dave", &report, 1, 10, "dave/report.json").unwrap();
        assert_eq!(
            g.build_error.as_deref(),
            Some(
                "gcc -Wall -o server server.c: server.c:14:17: error: expected ';' before 'while'"
            )
        );
        assert_eq!((g.points, g.points_possible), (0, 2));
        let mut b = batch("1/1", &[]);
        b.submissions.push(g);
        let mut csv = Vec::new();
        b.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(
            csv.lines().nth(1).unwrap().ends_with("before 'while',0,,"),
            "{csv}"
        );
    }

    #[test]
    fn csv() {
        let mut b = batch("1/1", &["alice", "bob, the \"second\""]);
        b.submissions.push(SubmissionGrade::broken(
            "carol",
            "the run was killed".into(),
            -1,
            5,
        ));
        let mut csv = Vec::new();
        b.write_csv(&mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("student,points,points_possible,percent"));
        assert_eq!(
            lines[1],
            "alice,4,10,40.0,1,1,1,1,tcp-server/restart,udp-server/reply,udp-server/burst,,,1,tcp-server/non-utf8,tcp-server/reply"
        );
        assert!(
            lines[2].starts_with("\"bob, the \"\"second\"\"\",4,10"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].ends_with("the run was killed,,0,,"),
            "{}",
            lines[3]
        );
    }
}
