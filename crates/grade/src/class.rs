//! The class as a whole, as numbers: what a teacher looks at first is not
//! one student's grade but which concept the class missed, how the scores
//! spread, and which submissions need a person (flaky, not carried out,
//! not built, not graded at all). This is counted once here; the terminal
//! view after the grade table and the HTML dashboard both render it, so
//! they never disagree on a rate.

use std::collections::BTreeMap;

use crate::{BatchReport, SubmissionGrade};

/// The class's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassView {
    /// Submissions graded (those whose run gave a report).
    pub graded: usize,
    /// Every scenario some graded submission ran, the most failed first
    /// (then the most failed where only recommended, then the most not
    /// carried out, then by id).
    pub scenarios: Vec<ScenarioTally>,
    /// Students whose submission did not build, with the build's first
    /// error.
    pub not_built: Vec<(String, String)>,
    /// Students with scenarios that could not be carried out (a program
    /// missing, say), with their ids.
    pub could_not_run: Vec<(String, Vec<String>)>,
    /// Students with flaky scenarios, with their ids.
    pub flaky: Vec<(String, Vec<String>)>,
    /// Students whose program ran into a limit of its sandbox (a refused
    /// fork, an OOM kill), with the scenarios it did so in: to look at
    /// even where they passed.
    pub limits: Vec<(String, Vec<String>)>,
    /// Students whose run gave no report, with why (they count in no
    /// rate and no histogram).
    pub not_graded: Vec<(String, String)>,
    /// The graded scores in tenths: 0–9 %, …, 90–99 %, then 100 %.
    pub histogram: Vec<Bucket>,
}

/// How the graded submissions did on one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioTally {
    /// The scenario's id.
    pub id: String,
    /// How many passed it.
    pub passed: usize,
    /// Who failed it (counted failures only).
    pub failed: Vec<String>,
    /// Who failed it where it is only recommended (shown, not counted).
    pub warned: Vec<String>,
    /// Who could not be tested on it.
    pub errors: Vec<String>,
    /// Who passed it only on some tries.
    pub flaky: Vec<String>,
    /// `failed` as a percentage of the graded submissions.
    pub failed_percent: f64,
}

/// One bar of the histogram: scores from `from` to `to` percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// The lowest percentage in it.
    pub from: u32,
    /// The highest (`from + 9`, or 100 for the full marks' bar).
    pub to: u32,
    /// Submissions in it.
    pub count: usize,
}

impl BatchReport {
    /// The class's numbers (see [`ClassView`]).
    pub fn class(&self) -> ClassView {
        let graded: Vec<&SubmissionGrade> = self
            .submissions
            .iter()
            .filter(|s| s.problem.is_none())
            .collect();
        let n = graded.len();
        let mut tallies: BTreeMap<&str, ScenarioTally> = BTreeMap::new();
        for s in &graded {
            let who = || s.student.clone();
            for id in &s.passed_ids {
                tally(&mut tallies, id).passed += 1;
            }
            for id in &s.failed_ids {
                tally(&mut tallies, id).failed.push(who());
            }
            for id in &s.error_ids {
                tally(&mut tallies, id).errors.push(who());
            }
            for id in &s.flaky_ids {
                tally(&mut tallies, id).flaky.push(who());
            }
            for id in &s.warned_ids {
                tally(&mut tallies, id).warned.push(who());
            }
        }
        let mut scenarios: Vec<ScenarioTally> = tallies
            .into_values()
            .map(|mut t| {
                t.failed_percent = if n == 0 {
                    0.0
                } else {
                    t.failed.len() as f64 * 100.0 / n as f64
                };
                t
            })
            .collect();
        scenarios.sort_by(|a, b| {
            b.failed
                .len()
                .cmp(&a.failed.len())
                .then(b.warned.len().cmp(&a.warned.len()))
                .then(b.errors.len().cmp(&a.errors.len()))
                .then(a.id.cmp(&b.id))
        });
        let with = |ids: fn(&SubmissionGrade) -> &Vec<String>| -> Vec<(String, Vec<String>)> {
            graded
                .iter()
                .filter(|s| !ids(s).is_empty())
                .map(|s| (s.student.clone(), ids(s).clone()))
                .collect()
        };
        let mut histogram: Vec<Bucket> = (0..=10)
            .map(|i| Bucket {
                from: i * 10,
                to: if i == 10 { 100 } else { i * 10 + 9 },
                count: 0,
            })
            .collect();
        for s in &graded {
            histogram[((s.percent() / 10.0).floor() as usize).min(10)].count += 1;
        }
        ClassView {
            graded: n,
            scenarios,
            not_built: graded
                .iter()
                .filter_map(|s| Some((s.student.clone(), s.build_error.clone()?)))
                .collect(),
            // A submission that did not build has every scenario of that
            // program not run; it is listed as not built, not twice.
            could_not_run: with(|s| &s.error_ids),
            flaky: with(|s| &s.flaky_ids),
            limits: with(|s| &s.limit_ids),
            not_graded: self
                .submissions
                .iter()
                .filter_map(|s| Some((s.student.clone(), s.problem.clone()?)))
                .collect(),
            histogram,
        }
    }
}

/// The tally of `id`, made on first use.
fn tally<'a, 'm>(
    tallies: &'m mut BTreeMap<&'a str, ScenarioTally>,
    id: &'a str,
) -> &'m mut ScenarioTally {
    tallies.entry(id).or_insert_with(|| ScenarioTally {
        id: id.to_owned(),
        passed: 0,
        failed: Vec::new(),
        warned: Vec::new(),
        errors: Vec::new(),
        flaky: Vec::new(),
        failed_percent: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(student: &str, passed: &[&str], failed: &[&str], points: u32) -> SubmissionGrade {
        let own = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut g = SubmissionGrade::broken(student, String::new(), 1, 0);
        g.problem = None;
        g.passed_ids = own(passed);
        g.failed_ids = own(failed);
        g.points = points;
        g.points_possible = 4;
        g
    }

    #[test]
    fn each_scenario_is_counted_once_and_the_most_failed_comes_first() {
        let mut carol = grade("carol", &[], &["r"], 0);
        carol.error_ids = vec!["u".into()];
        carol.flaky_ids = vec!["p".into()];
        let batch = BatchReport {
            assignment: "hw".into(),
            partition: None,
            time_scale: 1.0,
            isolation: "process".into(),
            jobs: None,
            submissions: vec![
                grade("alice", &["p", "r", "u"], &[], 4),
                grade("bob", &["p", "u"], &["r"], 2),
                carol,
                SubmissionGrade::broken("dan", "killed".into(), -1, 1),
            ],
        };
        let view = batch.class();
        assert_eq!(view.graded, 3);
        let ids: Vec<&str> = view.scenarios.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["r", "u", "p"]);
        let r = &view.scenarios[0];
        assert_eq!(
            (r.passed, r.failed.clone()),
            (1, vec!["bob".into(), "carol".into()])
        );
        assert!((r.failed_percent - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(view.scenarios[1].errors, ["carol"]);
        assert_eq!(view.flaky, [("carol".to_owned(), vec!["p".to_owned()])]);
        assert_eq!(
            view.could_not_run,
            [("carol".to_owned(), vec!["u".to_owned()])]
        );
        assert_eq!(view.not_graded, [("dan".to_owned(), "killed".to_owned())]);
        let counts: Vec<usize> = view.histogram.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(
            (
                view.histogram[10].from,
                view.histogram[10].to,
                view.histogram[9].to
            ),
            (100, 100, 99)
        );
    }
}
