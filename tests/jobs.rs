//! `grade` without `--jobs` chooses how many submissions to grade at once:
//! it grades the first submission alone, measures its run, says what it
//! chose and why in one line, keeps the choice in grade.json, and grades
//! every submission once. With `--jobs` the grader's count is used, and
//! the line says so; with `--no-calibrate` the default is kept.
//!
//! The assertions are on the structure of the line and of grade.json, never
//! on a measured value: the machine's load changes those.

mod common;

use std::path::{Path, PathBuf};

use common::sockspec;
use serde_json::Value;

const ASSIGNMENT: &str = "assignment: jobs batch
limits:
  memory_mb: 256
programs:
  tcp-server:
    command: python3 tcp_server.py {port}
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit]
";

const STUDENTS: [&str; 3] = ["ana", "ben", "cai"];

/// Three submissions of the course's TCP server and the assignment:
/// (submissions, hw.yaml).
fn batch(root: &Path) -> (PathBuf, PathBuf) {
    let subs = root.join("submissions");
    for name in STUDENTS {
        let dir = subs.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            common::fixture("course", "tcp_server.py"),
            dir.join("tcp_server.py"),
        )
        .unwrap();
    }
    let hw = root.join("hw.yaml");
    std::fs::write(&hw, ASSIGNMENT).unwrap();
    (subs, hw)
}

/// `grade` of the batch with `extra`; its stderr, stdout and grade.json.
fn grade(root: &Path, extra: &[&str]) -> (String, String, Value) {
    let (subs, hw) = batch(root);
    let out = root.join("out");
    let output = sockspec()
        .arg("grade")
        .arg(&subs)
        .arg("--assignment")
        .arg(&hw)
        .arg("--out-dir")
        .arg(&out)
        .args(extra)
        .output()
        .expect("sockspec grade runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}\n{stdout}");
    let text = std::fs::read_to_string(out.join("grade.json")).unwrap();
    let batch: Value = serde_json::from_str(&text).unwrap();
    // Every student graded once, right, with a report of their own.
    let graded: Vec<(&str, u64)> = batch["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["student"].as_str().unwrap(),
                s["points"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(graded, STUDENTS.map(|s| (s, 2)), "{stderr}");
    for name in STUDENTS {
        assert!(out.join(name).join("report.json").is_file(), "{name}");
    }
    (stderr, stdout, batch)
}

/// The one line of stderr that says how many at once.
fn jobs_line<'a>(stderr: &'a str, prefix: &str) -> &'a str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with(prefix)).collect();
    assert_eq!(lines.len(), 1, "one line starting {prefix:?}:\n{stderr}");
    lines[0]
}

#[test]
fn without_jobs_grade_measures_the_first_submission_and_says_what_it_chose() {
    let root = tempfile::tempdir().unwrap();
    let (stderr, stdout, batch) = grade(root.path(), &["--lang", "en"]);
    assert!(stderr.contains("calibration: "), "{stderr}");
    let line = jobs_line(&stderr, "jobs: ");
    let shape = regex::Regex::new(
        r"^jobs: (\d+) at once \(a submission \(ana\) used \d+% of a core over \d+\.\d s; \d+ cores?; (memory allows \d+|memory not known)(; \d+ submissions? left|; at most 32)?\)$",
    )
    .unwrap();
    let jobs: u64 = shape
        .captures(line)
        .unwrap_or_else(|| panic!("not the jobs line's shape: {line}"))[1]
        .parse()
        .unwrap();
    assert!(jobs >= 2, "{line}");
    assert!(stdout.contains(&format!("with --jobs {jobs};")), "{stdout}");

    let kept = &batch["jobs"];
    assert_eq!(kept["jobs"], jobs, "{kept}");
    assert_eq!(kept["chosen_by"], "measured", "{kept}");
    let m = &kept["measured"];
    assert_eq!(m["student"], "ana", "{m}");
    for key in [
        "wall_ms",
        "cpu_ms",
        "children_cpu_ms",
        "peak_memory_kib",
        "cores",
    ] {
        assert!(m[key].is_u64(), "{key}: {m}");
    }
    assert!(m["wall_ms"].as_u64() > Some(0), "{m}");
    let bounds = ["cpu", "cores", "memory", "submissions", "ceiling"];
    assert!(bounds.iter().any(|b| m["bound"] == *b), "{m}");
}

#[test]
fn with_jobs_the_graders_count_is_used_and_said_so() {
    let root = tempfile::tempdir().unwrap();
    let (stderr, stdout, batch) = grade(
        root.path(),
        &["--jobs", "1", "--no-calibrate", "--lang", "en"],
    );
    assert_eq!(
        jobs_line(&stderr, "jobs: "),
        "jobs: 1 at once (--jobs, the grader's choice)"
    );
    assert!(stdout.contains("with --jobs 1;"), "{stdout}");
    assert_eq!(
        batch["jobs"],
        serde_json::json!({"jobs": 1, "chosen_by": "flag", "measured": null})
    );
}

#[test]
fn with_no_calibrate_the_default_is_kept_and_said_so_in_chinese() {
    let root = tempfile::tempdir().unwrap();
    let (stderr, _, batch) = grade(root.path(), &["--no-calibrate", "--lang", "zh"]);
    let line = jobs_line(&stderr, "并行：");
    assert!(
        line.ends_with("份（默认值：核数，2 到 8；--no-calibrate 不作测量）"),
        "{line}"
    );
    assert_eq!(batch["jobs"]["chosen_by"], "default", "{batch}");
    let jobs = batch["jobs"]["jobs"].as_u64().unwrap();
    assert!((2..=8).contains(&jobs), "{batch}");
    assert_eq!(
        line,
        format!("并行：同时评 {jobs} 份（默认值：核数，2 到 8；--no-calibrate 不作测量）")
    );
}
