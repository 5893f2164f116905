//! Helpers shared by the end-to-end tests: run the built binary, find a
//! fixture, read a JSON report.

#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// The `sockspec` binary under test.
pub fn sockspec() -> Command {
    let mut cmd = Command::cargo_bin("sockspec").expect("the sockspec binary is built");
    cmd.env_remove("NO_COLOR").env_remove("SOCKSPEC_TIME_SCALE");
    cmd
}

/// `sockspec grade SUBS --assignment HW --out-dir OUT --jobs 2
/// --no-calibrate`, then `extra`: a class graded as a test grades one.
pub fn grade(
    subs: &std::path::Path,
    hw: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    sockspec()
        .arg("grade")
        .arg(subs)
        .arg("--assignment")
        .arg(hw)
        .arg("--out-dir")
        .arg(out)
        .args(["--jobs", "2", "--no-calibrate"])
        .args(extra)
        .output()
        .expect("sockspec grade runs")
}

/// The path of a fixture program.
pub fn fixture(role: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(role)
        .join(name)
}

/// `python3 <fixture> {port}` as a target command line.
pub fn python_target(role: &str, name: &str) -> String {
    format!("python3 {} {{port}}", fixture(role, name).display())
}

/// Runs sockspec with `--format json` and returns the exit code and the report.
pub fn run_json(args: &[&str]) -> (i32, Value) {
    let output = sockspec()
        .arg("run")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("sockspec runs");
    let code = output.status.code().expect("sockspec exits with a code");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the report is not JSON ({e}); exit {code}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, report)
}

/// The ids of results with a given status.
pub fn ids_with(report: &Value, status: &str) -> Vec<String> {
    let mut ids: Vec<String> = report["results"]
        .as_array()
        .expect("results is an array")
        .iter()
        .filter(|r| r["status"] == status)
        .map(|r| r["id"].as_str().expect("id is a string").to_owned())
        .collect();
    ids.sort();
    ids
}

/// The result for one scenario id.
pub fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .expect("results is an array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

/// Whether this machine gives private networks (`sockspec netns-probe`).
pub fn can_isolate() -> bool {
    sockspec()
        .arg("netns-probe")
        .output()
        .expect("sockspec runs")
        .status
        .success()
}
