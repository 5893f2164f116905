//! `sockspec gradescope bundle` and `init`, tried the way Gradescope uses
//! the zip: unpacked into `source/` of an `/autograder` tree (a temporary
//! one, by AUTOGRADER_ROOT), a submission in `submission/`, then
//! `run_autograder` run there for real: the shipped binary grades the real
//! programs, and the results.json it leaves must match Gradescope's
//! documented format (tests/schemas/gradescope-results.schema.json),
//! whether the submission is right, wrong, empty, or sockspec cannot run.
//! setup.sh's apt-get is not run here; its package list and the binary's
//! install (under a prefix) are.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, sockspec};
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `gradescope bundle` of an assignment into `dir/autograder.zip`.
fn bundle(assignment: &Path, dir: &Path) -> PathBuf {
    let zip = dir.join("autograder.zip");
    let out = sockspec()
        .args(["gradescope", "bundle", "--assignment"])
        .arg(assignment)
        .arg("--out")
        .arg(&zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    zip
}

/// An `/autograder` tree in `dir`: the zip unpacked into `source/`, the
/// given fixture files (role, file, name) in `submission/`.
fn autograder_root(dir: &Path, zip: &Path, files: &[(&str, &str, &str)]) -> PathBuf {
    let root = dir.to_path_buf();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    archive.extract(root.join("source")).unwrap();
    let submission = root.join("submission");
    std::fs::create_dir_all(&submission).unwrap();
    for (role, file, name) in files {
        std::fs::copy(fixture(role, file), submission.join(name)).unwrap();
    }
    root
}

/// The course's own four programs, as a student hands them in.
const COURSE: [(&str, &str, &str); 4] = [
    ("course", "tcp_server.py", "tcp_server.py"),
    ("course", "tcp_client.py", "tcp_client.py"),
    ("course", "udp_server.py", "udp_server.py"),
    ("course", "udp_client.py", "udp_client.py"),
];

/// Runs `run_autograder` in the tree; the results.json it wrote, checked
/// against Gradescope's format.
fn run_autograder(root: &Path) -> Value {
    let out = Command::new(root.join("source/run_autograder"))
        .env("AUTOGRADER_ROOT", root)
        .current_dir(root)
        .output()
        .unwrap();
    let log = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "run_autograder failed\n{log}");
    let text = std::fs::read_to_string(root.join("results/results.json"))
        .unwrap_or_else(|e| panic!("no results.json ({e})\n{log}"));
    let results: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}\n{log}"));
    assert_gradescope_format(&results);
    results
}

fn assert_gradescope_format(results: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/schemas/gradescope-results.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(results)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "results.json is not Gradescope's format:\n{}\n{results:#}",
        errors.join("\n")
    );
}

fn score(results: &Value) -> f64 {
    results["score"].as_f64().expect("a score")
}

fn test_named<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().unwrap().starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no test {id} in {results:#}"))
}

/// The Ubuntu packages setup.sh installs.
fn apt_packages(setup: &str) -> Vec<String> {
    let line = setup
        .lines()
        .find(|l| l.starts_with("apt-get install"))
        .unwrap_or_else(|| panic!("setup.sh installs nothing:\n{setup}"));
    line.split_whitespace()
        .skip(2)
        .filter(|w| !w.starts_with('-'))
        .map(str::to_owned)
        .collect()
}

/// The shipped bundle of the course's assignment grades the course's four
/// programs as `run --assignment` does: everything passes but the
/// restart the teacher promoted, and results.json is Gradescope's format.
#[test]
fn the_bundle_of_the_course_assignment_grades_a_course_submission() {
    let dir = tempfile::tempdir().unwrap();
    let zip = bundle(&repo("assignments/four-programs.yaml"), dir.path());

    // What the zip holds, at its root, with the executable bits set.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut names: Vec<(String, u32)> = (0..archive.len())
        .map(|i| {
            let f = archive.by_index(i).unwrap();
            (
                f.name().unwrap().into_owned(),
                f.unix_mode().unwrap() & 0o777,
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("assignment/four-programs.yaml".to_owned(), 0o644),
            ("bin/sockspec".to_owned(), 0o755),
            ("install_sockspec.sh".to_owned(), 0o755),
            ("run_autograder".to_owned(), 0o755),
            ("setup.sh".to_owned(), 0o755),
        ]
    );

    let root = autograder_root(&dir.path().join("ag"), &zip, &COURSE);
    let source = root.join("source");
    for script in ["setup.sh", "install_sockspec.sh", "run_autograder"] {
        let mode = std::fs::metadata(source.join(script))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "{script} is not executable");
        let check = Command::new("bash")
            .arg("-n")
            .arg(source.join(script))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let setup = std::fs::read_to_string(source.join("setup.sh")).unwrap();
    assert_eq!(apt_packages(&setup), ["python3"], "{setup}");
    assert!(setup.contains("install_sockspec.sh"), "{setup}");

    // The install step, under a prefix: the binary lands and starts.
    let prefix = dir.path().join("usr-local");
    let install = Command::new("bash")
        .arg(source.join("install_sockspec.sh"))
        .env("SOCKSPEC_PREFIX", &prefix)
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    assert!(String::from_utf8_lossy(&install.stdout).starts_with("sockspec "));
    assert!(prefix.join("bin/sockspec").is_file());

    let results = run_autograder(&root);
    assert_eq!(results["visibility"], "visible");
    let tests = results["tests"].as_array().unwrap();
    let earned: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    let possible: f64 = tests.iter().map(|t| t["max_score"].as_f64().unwrap()).sum();
    assert_eq!(score(&results), earned);
    let failed: Vec<&str> = tests
        .iter()
        .filter(|t| t["status"] == "failed" && t["max_score"].as_f64().unwrap() > 0.0)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].starts_with("tcp-server/restart "), "{failed:?}");
    assert_eq!(earned, possible - 3.0, "{results:#}");
    assert!(test_named(&results, "udp-server/reply")["status"] == "passed");

    // The submission was graded as a copy: nothing was added to it.
    let mut files: Vec<String> = std::fs::read_dir(root.join("submission"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "tcp_client.py",
            "tcp_server.py",
            "udp_client.py",
            "udp_server.py"
        ]
    );

    // A wrong reply loses that scenario's points, and only those.
    let mut buggy = COURSE;
    buggy[2] = ("udp-server", "udp_wrong_reply.py", "udp_server.py");
    let wrong = run_autograder(&autograder_root(&dir.path().join("ag-buggy"), &zip, &buggy));
    assert!(score(&wrong) < score(&results), "{wrong:#}");
    assert_eq!(test_named(&wrong, "udp-server/reply")["status"], "failed");
    assert_eq!(test_named(&wrong, "tcp-server/reply")["status"], "passed");

    // Nothing handed in: still a results.json, every program named missing.
    let empty = run_autograder(&autograder_root(&dir.path().join("ag-empty"), &zip, &[]));
    assert_eq!(score(&empty), 0.0, "{empty:#}");
    let reply = test_named(&empty, "tcp-server/reply");
    assert!(
        reply["output"].as_str().unwrap().contains("tcp_server.py"),
        "{reply:#}"
    );
}

/// When sockspec cannot grade at all, Gradescope still gets a results.json
/// (score 0) that says why, in the assignment's visibility.
#[test]
fn run_autograder_always_leaves_a_results_json() {
    let dir = tempfile::tempdir().unwrap();
    let hw = dir.path().join("hw.yaml");
    std::fs::write(
        &hw,
        "assignment: one server\nvisibility: after_due_date\n\
         test_visibility: { tcp-server/peer-*: visible }\nprograms:\n  \
         tcp-server:\n    command: python3 tcp_server.py {port}\n    reply: fixed:Thanks\n    \
         only: [tcp-server/reply, tcp-server/peer-exit]\n",
    )
    .unwrap();
    let zip = bundle(&hw, dir.path());
    let server = [("course", "tcp_server.py", "tcp_server.py")];

    let graded = run_autograder(&autograder_root(&dir.path().join("ok"), &zip, &server));
    assert_eq!(graded["visibility"], "after_due_date");
    let reply = test_named(&graded, "tcp-server/reply");
    assert_eq!(reply["visibility"], "after_due_date");
    assert_eq!(reply["status"], "passed", "{graded:#}");
    assert_eq!(
        test_named(&graded, "tcp-server/peer-exit")["visibility"],
        "visible"
    );

    // The binary is cut short (an upload that broke off): it cannot start.
    for kept in [64, 1 << 20] {
        let root = autograder_root(&dir.path().join(format!("cut-{kept}")), &zip, &server);
        let binary = root.join("source/bin/sockspec");
        let head = std::fs::read(&binary).unwrap()[..kept].to_vec();
        std::fs::write(&binary, head).unwrap();
        let broken = run_autograder(&root);
        assert_eq!(score(&broken), 0.0);
        assert_eq!(broken["visibility"], "after_due_date");
        let output = broken["output"].as_str().unwrap();
        assert!(output.contains("sockspec could not start"), "{output}");
    }

    // sockspec starts but cannot grade (the assignment file was lost from
    // the tree): the exit code, and what sockspec said.
    let root = autograder_root(&dir.path().join("lost"), &zip, &server);
    std::fs::remove_file(root.join("source/assignment/hw.yaml")).unwrap();
    let lost = run_autograder(&root);
    assert_eq!(score(&lost), 0.0);
    assert_eq!(lost["extra_data"]["sockspec_exit_code"], 2);
    let output = lost["output"].as_str().unwrap();
    assert!(
        output.contains("could not grade this submission (exit code 2)"),
        "{output}"
    );
    assert!(output.contains("cannot read the assignment"), "{output}");

    // Gradescope gave no submission folder.
    let root = autograder_root(&dir.path().join("none"), &zip, &[]);
    std::fs::remove_dir(root.join("submission")).unwrap();
    let none = run_autograder(&root);
    assert_eq!(score(&none), 0.0);
    assert!(
        none["output"]
            .as_str()
            .unwrap()
            .contains("No submission was found"),
        "{none:#}"
    );
}

/// Scenario files the assignment's `suite:` names travel in the bundle
/// and are what the autograder grades with.
#[test]
fn an_assignment_s_own_scenarios_travel_in_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let course = dir.path().join("course");
    std::fs::create_dir_all(course.join("extra/tcp")).unwrap();
    let reply = std::fs::read_to_string(repo("scenarios/tcp-server/reply.yaml")).unwrap();
    let id_line = reply
        .lines()
        .find(|l| l.starts_with("id:"))
        .expect("a scenario id");
    let own = reply.replacen(id_line, "id: tcp-server/our-reply", 1);
    std::fs::write(course.join("extra/tcp/our-reply.yaml"), own).unwrap();
    std::fs::write(course.join("extra/notes.txt"), "not a scenario").unwrap();
    let hw = course.join("hw.yaml");
    std::fs::write(
        &hw,
        "assignment: our own\nsuite: [extra]\nprograms:\n  tcp-server:\n    \
         command: python3 tcp_server.py {port}\n    reply: fixed:Thanks\n",
    )
    .unwrap();
    let zip = bundle(&hw, dir.path());
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    names.sort();
    assert!(
        names
            .iter()
            .any(|n| n == "assignment/suite/1-extra/tcp/our-reply.yaml"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with("notes.txt")), "{names:?}");

    let root = autograder_root(
        &dir.path().join("ag"),
        &zip,
        &[("course", "tcp_server.py", "tcp_server.py")],
    );
    let results = run_autograder(&root);
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{results:#}");
    assert_eq!(
        test_named(&results, "tcp-server/our-reply")["status"],
        "passed"
    );
}

/// A C assignment's setup installs a compiler, a Java one a JDK; `init`
/// writes the same files as the zip, into a folder.
#[test]
fn setup_installs_what_the_commands_use() {
    let dir = tempfile::tempdir().unwrap();
    for (assignment, wanted) in [
        ("four-programs-c.yaml", &["gcc", "libc6-dev", "python3"][..]),
        (
            "four-programs-java.yaml",
            &["default-jdk-headless", "python3"][..],
        ),
        ("http-page.yaml", &["python3"][..]),
    ] {
        let folder = dir.path().join(assignment);
        sockspec()
            .args(["gradescope", "init", "--assignment"])
            .arg(repo("assignments").join(assignment))
            .arg("--dir")
            .arg(&folder)
            .assert()
            .success();
        let setup = std::fs::read_to_string(folder.join("setup.sh")).unwrap();
        assert_eq!(apt_packages(&setup), wanted, "{assignment}:\n{setup}");
        let mode = std::fs::metadata(folder.join("bin/sockspec"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(folder.join(format!("assignment/{assignment}")).is_file());
    }
    // A folder that holds files (maybe edits) is not written over.
    sockspec()
        .args(["gradescope", "init", "--assignment"])
        .arg(repo("assignments/http-page.yaml"))
        .arg("--dir")
        .arg(dir.path().join("http-page.yaml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not empty"));
}

#[test]
fn bad_input_stops_with_a_reason_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("a.zip");
    let attempt = |args: &[&std::ffi::OsStr], says: &str| {
        sockspec()
            .args(["gradescope", "bundle", "--out"])
            .arg(&zip)
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
        assert!(!zip.exists(), "a zip was written for {args:?}");
    };
    let missing = dir.path().join("missing.yaml");
    attempt(
        &["--assignment".as_ref(), missing.as_os_str()],
        "cannot read the assignment",
    );
    let typo = dir.path().join("typo.yaml");
    std::fs::write(
        &typo,
        "assignment: x\nprograms:\n  tcp-server:\n    command: python3 s.py {port}\n    \
         only: [tcp-server/rply]\n",
    )
    .unwrap();
    attempt(&["--assignment".as_ref(), typo.as_os_str()], "typo.yaml:5:");
    std::fs::write(
        &typo,
        "assignment: x\ntest_visibility:\n  tcp-server/rstart: hidden\nprograms:\n  \
         tcp-server:\n    command: python3 s.py {port}\n",
    )
    .unwrap();
    attempt(
        &["--assignment".as_ref(), typo.as_os_str()],
        "`tcp-server/rstart` in test_visibility matches no scenario",
    );
    let no_suite = dir.path().join("no-suite.yaml");
    std::fs::write(
        &no_suite,
        "assignment: x\nsuite: [gone]\nprograms:\n  tcp-server:\n    command: python3 s.py {port}\n",
    )
    .unwrap();
    attempt(
        &["--assignment".as_ref(), no_suite.as_os_str()],
        "does not exist",
    );
    let hw = repo("assignments/four-programs.yaml");
    let not_elf = repo("Cargo.toml");
    attempt(
        &[
            "--assignment".as_ref(),
            hw.as_os_str(),
            "--binary".as_ref(),
            not_elf.as_os_str(),
        ],
        "is not an x86-64 Linux executable",
    );
    // An x86-64 executable that is not sockspec: this test.
    let other = std::env::current_exe().unwrap();
    attempt(
        &[
            "--assignment".as_ref(),
            hw.as_os_str(),
            "--binary".as_ref(),
            other.as_os_str(),
        ],
        "does not run as sockspec",
    );
}
