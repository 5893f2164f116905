//! One submission against an assignment (`run --assignment`), the batch
//! options that are about the machine (hard-coded ports with and without a
//! private network), and stopping a run: whatever happens, nothing of a
//! program is left running.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{fixture, sockspec};
use predicates::prelude::*;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn copy_fixture(dir: &Path, from: (&str, &str), to: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(fixture(from.0, from.1), dir.join(to)).unwrap();
}

const TWO_PROGRAMS: &str = r#"assignment: two programs
retries: 0
points: { required: 3 }
programs:
  tcp-server:
    command: python3 server.py {port}
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit]
  udp-server:
    command: python3 udp.py {port}
    reply: fixed:Thanks
    only: [udp-server/reply]
"#;

#[test]
fn run_grades_one_submission_in_every_format_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let hw = write(dir.path(), "hw.yaml", TWO_PROGRAMS);
    let sub = dir.path().join("alice");
    copy_fixture(&sub, ("tcp-server", "thanks_server.py"), "server.py");
    copy_fixture(&sub, ("udp-server", "udp_wrong_reply.py"), "udp.py");
    let (json, gradescope, autolab) = (
        dir.path().join("r.json"),
        dir.path().join("results.json"),
        dir.path().join("autolab.txt"),
    );
    let output = sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .arg("--submission")
        .arg(&sub)
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("gradescope={}", gradescope.display()))
        .arg("--report")
        .arg(format!("autolab={}", autolab.display()))
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{human}");
    assert!(human.contains("points 6/9"), "{human}");
    assert!(human.contains("FAIL   udp-server/reply"), "{human}");
    assert!(human.contains("two programs"), "{human}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["points"], 6);
    assert_eq!(report["results"].as_array().unwrap().len(), 3);
    let gs: Value = serde_json::from_str(&std::fs::read_to_string(&gradescope).unwrap()).unwrap();
    assert_eq!(gs["score"], 6);
    let tests = gs["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3);
    assert!(tests.iter().any(|t| t["status"] == "failed"
        && t["output"].as_str().unwrap().contains("Thank you")));
    let last = std::fs::read_to_string(&autolab).unwrap();
    let last: Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(last["scores"]["tcp-server"], 6);
    assert_eq!(last["scores"]["udp-server"], 0);
    // Nothing was written into the submission (no __pycache__, no marker).
    let mut files: Vec<String> = std::fs::read_dir(&sub)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["server.py", "udp.py"]);
}

/// The shipped course assignment grades the course's own four programs:
/// everything the notes teach passes, robustness they do not teach does
/// not count, and the restart the teacher promoted (`levels:`) does.
#[test]
fn the_course_assignment_counts_what_the_notes_teach_and_what_the_teacher_promoted() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("student");
    for (file, to) in [
        ("tcp_server.py", "tcp_server.py"),
        ("tcp_client.py", "tcp_client.py"),
        ("udp_server.py", "udp_server.py"),
        ("udp_client.py", "udp_client.py"),
    ] {
        copy_fixture(&sub, ("course", file), to);
    }
    let hw = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assignments/four-programs.yaml");
    let json = dir.path().join("r.json");
    let output = sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .arg("--submission")
        .arg(&sub)
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let counted_failures: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail" && r["counted"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(counted_failures, ["tcp-server/restart"], "{report:#}");
    let restart = common::result(&report, "tcp-server/restart");
    assert_eq!(restart["level"], "required", "{restart:#}");
    assert_eq!(restart["points"], 3, "{restart:#}");
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
}

#[test]
fn role_picks_one_program_and_a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let hw = write(dir.path(), "hw.yaml", TWO_PROGRAMS);
    let sub = dir.path().join("bob");
    copy_fixture(&sub, ("tcp-server", "thanks_server.py"), "server.py");
    let output = sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .arg("--submission")
        .arg(&sub)
        .args(["--role", "udp-server", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{report:#}");
    let message = results[0]["message"].as_str().unwrap();
    assert!(
        message.contains("the submission has no udp.py"),
        "{message}"
    );
    assert!(message.contains("it has server.py"), "{message}");
}

#[test]
fn assignment_mistakes_stop_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let hw = write(
        dir.path(),
        "hw.yaml",
        "assignment: x\nprograms:\n  tcp-server:\n    command: python3 s.py {port}\n    only: [tcp-server/rply]\n",
    );
    sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .arg("--submission")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hw.yaml:5:"))
        .stderr(predicate::str::contains("did you mean `tcp-server/reply`?"));
    // The same file stops a batch before its first submission.
    std::fs::create_dir_all(dir.path().join("subs/a")).unwrap();
    sockspec()
        .arg("grade")
        .arg(dir.path().join("subs"))
        .arg("--assignment")
        .arg(&hw)
        .arg("--out-dir")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hw.yaml:5:"));
    assert!(!dir.path().join("out/a").exists());
    // --assignment and a contract on the command line do not mix.
    sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .args(["--reply", "echo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn bad_batch_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let hw = write(dir.path(), "hw.yaml", TWO_PROGRAMS);
    sockspec()
        .args(["grade", "nowhere", "--assignment"])
        .arg(&hw)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the submissions folder nowhere",
        ));
    sockspec()
        .args(["grade", ".", "--partition", "3/2", "--assignment"])
        .arg(&hw)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad partition `3/2`"));
    std::fs::create_dir_all(dir.path().join("subs")).unwrap();
    sockspec()
        .arg("grade")
        .arg(dir.path().join("subs"))
        .arg("--assignment")
        .arg(&hw)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no submissions to grade"));
    let bad = write(dir.path(), "grade.json", "{\"assignment\": 1}");
    sockspec()
        .arg("merge")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a batch report"));
}

/// Two submissions that hard-code the same port, as homework does.
fn hard_coded_batch(dir: &Path) -> (PathBuf, PathBuf) {
    let hw = write(
        dir,
        "hw.yaml",
        "assignment: hard-coded\nretries: 0\nprograms:\n  tcp-server:\n    command: python3 server.py\n    \
         port: 47321\n    reply: fixed:Thanks\n    only: [tcp-server/reply, tcp-server/peer-exit]\n",
    );
    let subs = dir.join("subs");
    for name in ["a", "b"] {
        copy_fixture(
            &subs.join(name),
            ("tcp-server", "hardcoded_port_server.py"),
            "server.py",
        );
    }
    (hw, subs)
}

fn batch_scores(out: &Path) -> Vec<(String, u64)> {
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grade.json")).unwrap()).unwrap();
    batch["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["student"].as_str().unwrap().to_owned(),
                s["points"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Grades the hard-coded batch with `--jobs 2` and the given isolation;
/// both submissions score full marks. Returns the stderr and grade.json.
fn grade_hard_coded(isolate: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (hw, subs) = hard_coded_batch(dir.path());
    let out = dir.path().join("out");
    let output = sockspec()
        .arg("grade")
        .arg(&subs)
        .arg("--assignment")
        .arg(&hw)
        .arg("--out-dir")
        .arg(&out)
        .args(["--jobs", "2", "--isolate", isolate, "--no-calibrate"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(batch_scores(&out), [("a".into(), 2), ("b".into(), 2)]);
    (
        stderr,
        std::fs::read_to_string(out.join("grade.json")).unwrap(),
    )
}

#[test]
fn hard_coded_ports_run_in_parallel_each_in_its_own_network() {
    let (stderr, batch) = grade_hard_coded("net");
    assert!(!stderr.contains("one at a time"), "{stderr}");
    assert!(batch.contains("\"isolation\": \"net\""), "{batch}");
}

#[test]
fn without_a_private_network_hard_coded_ports_go_one_at_a_time() {
    let (stderr, batch) = grade_hard_coded("none");
    assert!(stderr.contains("graded one at a time"), "{stderr}");
    assert!(batch.contains("\"isolation\": \"process\""), "{batch}");
}

#[test]
fn isolate_net_keeps_the_run_off_the_hosts_network() {
    // In the private network only loopback exists: the reference suite
    // still passes, on addresses of 127.0.0.0/8 alone.
    let output = sockspec()
        .args([
            "run",
            "--isolate",
            "net",
            "--reply",
            "echo",
            "--format",
            "json",
        ])
        .args([
            "--only",
            "tcp-server/reply",
            "--only",
            "broadcast-sender/reaches-all",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Pids of processes whose command line mentions `needle`.
fn running(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd);
            // The program itself, not the sockspec whose --target names it.
            (cmd.contains(needle) && !cmd.contains("--target")).then_some(pid)
        })
        .collect()
}

#[rstest::rstest]
#[case::interrupt(nix::sys::signal::Signal::SIGINT)]
#[case::terminate(nix::sys::signal::Signal::SIGTERM)]
fn a_cancelled_run_leaves_nothing_running(#[case] signal: nix::sys::signal::Signal) {
    // A program that takes its time to listen keeps the run busy; the
    // marker in its command line finds it in /proc.
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("sockspec-cancel-{}-{signal}", std::process::id());
    let target = format!(
        "python3 {} {{port}} {marker}",
        fixture("hostile", "never_binds.py").display()
    );
    let bin = assert_cmd::cargo::cargo_bin("sockspec");
    let mut child = std::process::Command::new(bin)
        .args([
            "run",
            "--role",
            "tcp-server",
            "--target",
            &target,
            "--only",
            "tcp-server/reply",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(&marker).is_empty() {
        assert!(Instant::now() < deadline, "the target never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !running(&marker).is_empty() {
        assert!(
            Instant::now() < deadline,
            "left running: {:?}",
            running(&marker)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
