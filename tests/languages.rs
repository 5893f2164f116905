//! Homework in C and Java, graded through an assignment with `build:`:
//! compiled once before any scenario, graded like its Python twin, and a
//! submission that does not compile is BUILD ERROR with the compiler's
//! words, in every report and in the batch table, not a cascade of
//! scenario errors.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{fixture, sockspec};
use serde_json::Value;

/// The repository's assignment of that name.
fn assignment(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assignments")
        .join(name)
}

/// A submission folder in `root`, holding fixtures under the names the
/// assignment expects: (fixture relative to tests/fixtures, name).
fn submission(root: &Path, student: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join(student);
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in files {
        std::fs::copy(fixture("", from), dir.join(to)).unwrap();
    }
    dir
}

/// `run --assignment` on a submission: the exit code and the JSON report.
fn grade(assignment_file: &Path, dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(assignment_file)
        .arg("--submission")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// The verdict of every scenario that counts, by id.
fn counted(report: &Value) -> BTreeMap<String, String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["counted"] == true && r["status"] != "skip")
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const PYTHON_TWINS: [(&str, &str); 4] = [
    ("course/tcp_server.py", "tcp_server.py"),
    ("course/tcp_client.py", "tcp_client.py"),
    ("course/udp_server.py", "udp_server.py"),
    ("course/udp_client.py", "udp_client.py"),
];

/// The C and the Java versions of the four programs earn what their
/// Python twins earn, scenario by scenario, once built by the assignment.
/// One difference is the JVM's, not the student's: Java's ServerSocket
/// sets SO_REUSEADDR by itself on Linux, so the Java server passes the
/// restart its twin (which does not set it) fails.
#[test]
fn c_and_java_homework_is_built_and_graded_like_its_python_twin() {
    let root = tempfile::tempdir().unwrap();
    let python = submission(root.path(), "python", &PYTHON_TWINS);
    let c = submission(
        root.path(),
        "c",
        &[
            ("c/tcp_server_course.c", "tcp_server.c"),
            ("c/tcp_client.c", "tcp_client.c"),
            ("c/udp_server.c", "udp_server.c"),
            ("c/udp_client.c", "udp_client.c"),
        ],
    );
    let java = submission(
        root.path(),
        "java",
        &[
            ("java/TcpServer.java", "TcpServer.java"),
            ("java/TcpClient.java", "TcpClient.java"),
            ("java/UdpServer.java", "UdpServer.java"),
            ("java/UdpClient.java", "UdpClient.java"),
        ],
    );
    let (py_code, py) = grade(&assignment("four-programs.yaml"), &python, &[]);
    let twin = counted(&py);
    assert_eq!(
        twin.get("tcp-server/restart").map(String::as_str),
        Some("fail")
    );
    assert_eq!(py_code, 1);

    let (c_code, c_report) = grade(&assignment("four-programs-c.yaml"), &c, &[]);
    let builds = c_report["builds"].as_array().unwrap();
    assert_eq!(builds.len(), 4, "one build per program: {builds:#?}");
    assert!(builds.iter().all(|b| b["status"] == "ok"), "{builds:#?}");
    assert_eq!(counted(&c_report), twin, "C against Python: {c_report:#}");
    assert_eq!(c_code, py_code);
    assert_eq!(c_report["summary"]["points"], py["summary"]["points"]);

    let (java_code, java_report) = grade(&assignment("four-programs-java.yaml"), &java, &[]);
    assert_eq!(java_report["builds"][0]["command"], "javac *.java");
    assert_eq!(java_report["builds"][0]["status"], "ok");
    let mut expected = twin.clone();
    expected.insert("tcp-server/restart".into(), "pass".into());
    assert_eq!(counted(&java_report), expected, "Java: {java_report:#}");
    assert_eq!(java_code, 0);
    for report in [&c_report, &java_report] {
        assert!(
            report["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] != "error"),
            "{report:#}"
        );
    }
}

/// A C program that does not compile: BUILD ERROR with gcc's own lines,
/// its scenarios not built (not errors, not failures of their own), the
/// other programs of the submission graded as usual, exit code 1; in
/// English and in Chinese, and in the batch table.
#[test]
fn a_compile_error_is_a_build_error_with_the_compiler_output() {
    let root = tempfile::tempdir().unwrap();
    let dir = submission(
        root.path(),
        "bob",
        &[
            ("c/tcp_server.c", "tcp_server.c"),
            ("c/udp_server.c", "udp_server.c"),
        ],
    );
    // The classic: a missing semicolon.
    let source = std::fs::read_to_string(dir.join("tcp_server.c")).unwrap();
    let broken = source.replacen("listen(", "listen(sockfd, 5)\n    int broken = (", 1);
    assert_ne!(broken, source, "the fixture calls listen()");
    std::fs::write(dir.join("tcp_server.c"), broken).unwrap();
    let only = ["--role", "tcp-server"];
    let (code, report) = grade(&assignment("four-programs-c.yaml"), &dir, &only);
    assert_eq!(code, 1, "{report:#}");
    let build = &report["builds"][0];
    assert_eq!(build["command"], "gcc -Wall -o tcp_server tcp_server.c");
    assert_eq!(build["status"], "error");
    assert_eq!(build["exit_code"], 1);
    assert!(
        build["output"].as_str().unwrap().contains("error:"),
        "{build:#}"
    );
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert!(
            matches!(r["status"].as_str(), Some("not-built" | "skip")),
            "{r:#}"
        );
    }
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["points"], 0);
    assert!(report["summary"]["not_built"].as_u64().unwrap() > 0);

    // One program's build failing stops no other: the udp-server is
    // built and graded as usual beside it.
    let (_, report) = grade(&assignment("four-programs-c.yaml"), &dir, &[]);
    let builds: Vec<(&str, &str)> = report["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["command"].as_str().unwrap(),
                b["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        builds.contains(&("gcc -Wall -o udp_server udp_server.c", "ok")),
        "{builds:?}"
    );
    assert_eq!(
        common::result(&report, "udp-server/reply")["status"],
        "pass"
    );
    assert_eq!(
        common::result(&report, "tcp-server/reply")["status"],
        "not-built"
    );

    for (lang, says) in [
        (
            "en",
            "BUILD ERROR: gcc -Wall -o tcp_server tcp_server.c exited with code 1",
        ),
        ("zh", "编译失败：gcc -Wall -o tcp_server tcp_server.c"),
    ] {
        let out = sockspec()
            .arg("run")
            .arg("--assignment")
            .arg(assignment("four-programs-c.yaml"))
            .arg("--submission")
            .arg(&dir)
            .args(["--role", "tcp-server", "--lang", lang])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(says), "{lang}:\n{text}");
        assert!(
            text.contains("tcp_server.c:"),
            "gcc's own lines, {lang}:\n{text}"
        );
        assert!(
            !text.contains("\nFAIL "),
            "no scenario of its own, {lang}:\n{text}"
        );
        assert_eq!(out.status.code(), Some(1));
    }

    let out_dir = root.path().join("out");
    let batch = sockspec()
        .arg("grade")
        .arg(root.path())
        .arg("--assignment")
        .arg(assignment("four-programs-c.yaml"))
        .arg("--out-dir")
        .arg(&out_dir)
        .args(["--only", "bob", "--no-calibrate"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&batch.stdout);
    assert!(
        table.contains("BUILD ERROR gcc -Wall -o tcp_server tcp_server.c: tcp_server.c:"),
        "{table}\n{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    assert!(table.contains("did not build: 1 (bob)"), "{table}");
    let csv = std::fs::read_to_string(out_dir.join("scores.csv")).unwrap();
    assert!(csv.contains("error:"), "{csv}");
}

/// `run --build` builds a program given with --target, in --cwd; a build
/// stuck past its deadline is stopped and said so; a build cannot write
/// outside the submission (it runs in its sandbox); --build without a
/// program to build is refused.
#[test]
fn run_build_and_its_edges() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("c", "udp_server.c"),
        dir.path().join("udp_server.c"),
    )
    .unwrap();
    let out = sockspec()
        .arg("run")
        .args(["--role", "udp-server", "--reply", "fixed:Thanks"])
        .args(["--target", "./udp_server {port}"])
        .args(["--build", "gcc -Wall -o udp_server udp_server.c"])
        .arg("--cwd")
        .arg(dir.path())
        .args(["--only", "udp-server/reply", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["builds"][0]["status"], "ok");
    assert!(dir.path().join("udp_server").is_file());

    let slow = tempfile::tempdir().unwrap();
    std::fs::write(
        slow.path().join("a.yaml"),
        "assignment: slow\nbuild: sleep 30\nbuild_s: 1\nprograms:\n  udp-server:\n    command: ./udp_server {port}\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let (code, report) = grade(
        &slow.path().join("a.yaml"),
        slow.path(),
        &["--time-scale", "1"],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["builds"][0]["timed_out"], true, "{report:#}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("written-by-the-build");
    std::fs::write(
        slow.path().join("b.yaml"),
        format!(
            "assignment: outside\nbuild: touch {}\nprograms:\n  udp-server:\n    command: ./udp_server {{port}}\n",
            target.display()
        ),
    )
    .unwrap();
    let (code, report) = grade(&slow.path().join("b.yaml"), slow.path(), &[]);
    let sandboxed = sockspec_process::support().mount_namespace;
    if sandboxed {
        assert_eq!(code, 1, "{report:#}");
        assert!(!target.exists(), "the build wrote outside its submission");
        assert_eq!(report["builds"][0]["status"], "error");
    }

    sockspec()
        .arg("run")
        .args([
            "--build",
            " ",
            "--target",
            "./s {port}",
            "--role",
            "tcp-server",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--build needs a command"));
    sockspec()
        .arg("run")
        .args(["--build", "make"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--build builds the program under test",
        ));
}
