//! Limits that hold as root: one `grade` batch with a fork flood, a memory
//! hog (both bounded themselves: 2000 processes, 2 GB) and a correct
//! course-style server. Each hostile one is stopped at its cgroup's limit
//! and diagnosed as such, in both languages; the correct one keeps its
//! verdict; afterwards nothing of any submission runs and no cgroup of the
//! harness is left. Where this machine can make no cgroup, the run says
//! the limits were not enforced instead.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(format!("{name}: {cmd}"));
            }
        }
    }
    found
}

/// The folders this process's cgroups are in, where the harness makes
/// its own (v1 `pids` and `memory`, and v2).
fn cgroup_bases() -> Vec<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut bases = Vec::new();
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, list, path) = (parts.next(), parts.next(), parts.next());
        let (Some(list), Some(path)) = (list, path) else {
            continue;
        };
        let path = path.trim_start_matches('/');
        if list.is_empty() {
            bases.push(Path::new("/sys/fs/cgroup").join(path));
            bases.push(Path::new("/sys/fs/cgroup/unified").join(path));
        }
        for c in list.split(',').filter(|c| ["pids", "memory"].contains(c)) {
            bases.push(Path::new("/sys/fs/cgroup").join(c).join(path));
        }
    }
    bases.retain(|b| b.is_dir());
    bases
}

/// Cgroups named for a harness (`sockspec-<pid>-<n>`) whose harness no
/// longer runs: what a harness that cleans up never leaves.
fn stale_cgroups() -> Vec<PathBuf> {
    let mut stale = Vec::new();
    for base in cgroup_bases() {
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix("sockspec-")
                .and_then(|r| r.split_once('-'))
                .map(|(pid, _)| pid.to_owned());
            if let Some(pid) = pid
                && !Path::new("/proc").join(&pid).exists()
            {
                stale.push(entry.path());
            }
        }
    }
    stale
}

const ASSIGNMENT: &str = "assignment: hostile batch
limits:
  memory_mb: 256
programs:
  tcp-server:
    command: python3 tcp_server.py {port}
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit]
";

/// The diagnoses of every failed scenario in a submission's report.
fn diagnoses(report: &Value) -> Vec<Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .flat_map(|r| {
            r["failure"]["diagnoses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn hostile_submissions_stop_at_their_limits_and_the_rest_keep_their_verdicts() {
    let root = tempfile::tempdir().unwrap();
    let subs = root.path().join("submissions");
    let cases = [
        ("good", "course/tcp_server.py"),
        ("flood", "hostile/fork_flood.py"),
        ("hog", "hostile/memory_hog.py"),
        ("quiet", "hostile/fork_flood_quiet.py"),
    ];
    for (name, from) in cases {
        let dir = subs.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(fixtures().join(from), dir.join("tcp_server.py")).unwrap();
    }
    let hw = root.path().join("hw.yaml");
    std::fs::write(&hw, ASSIGNMENT).unwrap();
    let out = root.path().join("out");
    let output = common::grade(&subs, &hw, &out, &["--lang", "en", "--html"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    // Nothing of any submission outlives the batch, and no cgroup of it
    // is left.
    let left = processes_mentioning(&subs.display().to_string());
    assert!(left.is_empty(), "still running: {left:#?}");
    let stale = stale_cgroups();
    assert!(stale.is_empty(), "cgroups left behind: {stale:?}");

    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grade.json")).unwrap()).unwrap();
    let points = |student: &str| {
        batch["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["student"] == student)
            .unwrap_or_else(|| panic!("{student} not graded: {batch:#}"))["points"]
            .clone()
    };
    assert_eq!(points("good"), 2, "the correct one keeps its verdict");
    assert_eq!(points("flood"), 0);
    assert_eq!(points("hog"), 0);

    if stderr.contains("limit is not enforced") {
        // No cgroup here: the run said so, and the guards that remain
        // (RLIMIT_AS, the PID namespace) still stopped both.
        return;
    }
    let report = |student: &str| -> Value {
        let text = std::fs::read_to_string(out.join(student).join("report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    for (student, limit, max, en, zh) in [
        (
            "flood",
            "processes",
            64,
            "the server tried to start more than 64 processes",
            "服务端试图启动超过 64 个进程",
        ),
        (
            "hog",
            "memory",
            256,
            "the server used more than 256 MiB of memory and was stopped",
            "服务端使用的内存超过了 256 MiB",
        ),
    ] {
        let found = diagnoses(&report(student));
        assert!(!found.is_empty(), "{student}: no diagnosis");
        for d in &found {
            // The limit is the first thing said about each failure.
            if d["kind"] != "limit_hit" {
                continue;
            }
            assert_eq!(d["limit"], limit, "{d}");
            assert_eq!(d["max"], max, "{d}");
            assert!(d["text"]["en"].as_str().unwrap().starts_with(en), "{d}");
            assert!(d["text"]["zh"].as_str().unwrap().starts_with(zh), "{d}");
        }
        let failures = report(student)["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "fail")
            .map(|r| r["failure"]["diagnoses"][0]["kind"].clone())
            .collect::<Vec<_>>();
        assert_eq!(failures, ["limit_hit", "limit_hit"], "{student}");
        let text = std::fs::read_to_string(out.join(student).join("report.txt")).unwrap();
        assert!(text.contains(en), "{student}: {text}");
    }
    assert!(diagnoses(&report("good")).is_empty());

    // A flood whose refused fork was caught passes, and is still flagged
    // for review: in its report, the table, the CSV and the dashboard.
    assert_eq!(points("quiet"), 2, "it served correctly");
    let quiet = report("quiet");
    for r in quiet["results"].as_array().unwrap() {
        assert_eq!(r["status"], "pass", "{r}");
        assert_eq!(r["limits_hit"][0]["limit"], "processes", "{r}");
    }
    let text = std::fs::read_to_string(out.join("quiet").join("report.txt")).unwrap();
    assert!(
        text.contains("passed, but the server tried to start more than 64 processes"),
        "{text}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = stdout.lines().find(|l| l.starts_with("quiet")).unwrap();
    assert!(row.contains("LIMIT HIT in tcp-server/"), "{stdout}");
    assert!(stdout.contains("to review (flaky, a limit hit"), "{stdout}");
    let csv = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("quiet,")).unwrap();
    assert!(
        row.ends_with(",tcp-server/reply tcp-server/peer-exit")
            || row.ends_with(",tcp-server/peer-exit tcp-server/reply"),
        "{csv}"
    );
    let dashboard = std::fs::read_to_string(out.join("index.html")).unwrap();
    let review = &dashboard[dashboard.find("id=\"review\"").unwrap()..];
    let review = &review[..review.find("</section>").unwrap()];
    assert!(review.contains("ran into a limit"), "{review}");
    assert!(review.contains(">quiet</a>"), "{review}");
    assert!(!review.contains(">good</a>"), "{review}");
}
