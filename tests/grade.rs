//! `sockspec grade` end to end: a folder of twenty homework submissions
//! (correct, buggy, hostile, with a hard-coded port, with a missing file,
//! one that flakes on purpose) graded in two CI partitions with `--jobs 2`,
//! merged, and checked in every output: each student's score and the
//! scenarios they failed, the CSV, Gradescope's results.json, Autolab's
//! last line. Afterwards nothing of any submission is running and nothing
//! was written outside the submissions and the output folder.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::sockspec;
use serde_json::Value;

/// The assignment: a tcp-server and a udp-server, five scenarios, one of
/// them (the restart, recommended in the suite, required here: SO_REUSEADDR
/// is this homework's lesson) worth 2 points, a tight CPU limit so that a
/// spinner ends soon.
fn assignment(dir: &Path, outside: &Path) -> PathBuf {
    let text = format!(
        r#"assignment: batch test
points:
  required: 1
  scenarios:
    tcp-server/restart: 2
levels:
  tcp-server/restart: required
retries: 1
budget_s: 20
limits:
  cpu_s: 1
  memory_mb: 256
programs:
  tcp-server:
    command: python3 tcp_server.py {{port}} {outside}
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit, tcp-server/restart]
  udp-server:
    command: python3 udp_server.py {{port}}
    reply: fixed:Thanks
    only: [udp-server/reply, udp-server/empty-datagram]
"#,
        outside = outside.display()
    );
    let path = dir.join("hw.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

const TCP: [&str; 3] = [
    "tcp-server/peer-exit",
    "tcp-server/reply",
    "tcp-server/restart",
];
const UDP: [&str; 2] = ["udp-server/empty-datagram", "udp-server/reply"];

/// What one submission holds and must score.
struct Sub {
    name: &'static str,
    tcp: Option<&'static str>,
    udp: Option<&'static str>,
    failed: &'static [&'static str],
    errors: &'static [&'static str],
    flaky: usize,
    /// Text one of its failures must contain (the reason the scenario names).
    says: &'static str,
}

const fn sub(name: &'static str, tcp: Option<&'static str>, udp: Option<&'static str>) -> Sub {
    Sub {
        name,
        tcp,
        udp,
        failed: &[],
        errors: &[],
        flaky: 0,
        says: "",
    }
}

const GOOD_TCP: Option<&str> = Some("tcp-server/thanks_server.py");
const GOOD_UDP: Option<&str> = Some("udp-server/udp_server.py");

fn submissions() -> Vec<Sub> {
    vec![
        sub("alice", GOOD_TCP, GOOD_UDP),
        sub("bao", Some("tcp-server/threaded_server.py"), GOOD_UDP),
        Sub {
            failed: &["tcp-server/restart"],
            says: "Address already in use",
            ..sub("chen", Some("tcp-server/no_reuseaddr.py"), GOOD_UDP)
        },
        Sub {
            failed: &["tcp-server/peer-exit"],
            ..sub("dana", Some("tcp-server/one_client.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            says: "thanks",
            ..sub("emil", Some("tcp-server/wrong_reply.py"), GOOD_UDP)
        },
        Sub {
            failed: &["udp-server/empty-datagram"],
            ..sub("fang", GOOD_TCP, Some("udp-server/udp_empty_quits.py"))
        },
        Sub {
            failed: &UDP,
            says: "Thank you",
            ..sub("gita", GOOD_TCP, Some("udp-server/udp_wrong_reply.py"))
        },
        Sub {
            errors: &UDP,
            says: "the submission has no udp_server.py",
            ..sub("hugo", GOOD_TCP, None)
        },
        Sub {
            errors: &[
                "tcp-server/peer-exit",
                "tcp-server/reply",
                "tcp-server/restart",
                "udp-server/empty-datagram",
                "udp-server/reply",
            ],
            says: "it is empty",
            ..sub("ivan", None, None)
        },
        // Programs that run but never listen where they must have failed
        // (the student's fault), unlike a submission without its file.
        Sub {
            failed: &TCP,
            says: "is the port hard-coded?",
            ..sub("jin", Some("tcp-server/hardcoded_port_server.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            says: "no socket on port",
            ..sub("kai", Some("hostile/never_binds.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            says: "instead of port",
            ..sub("lena", Some("hostile/wrong_port.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            ..sub("ming", Some("hostile/ignores_sigterm.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            says: "daemon here",
            ..sub("nora", Some("hostile/daemon_child.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            ..sub("omar", Some("hostile/floods_stdout.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            says: "SIGXCPU|SIGKILL|closed",
            ..sub("pia", Some("hostile/spins_cpu.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            // The memory cgroup kills it (said as the limit it hit);
            // without one, the cap on address space raises MemoryError.
            says: "MemoryError|closed|more than 256 MiB of memory",
            ..sub("quan", Some("hostile/allocates.py"), GOOD_UDP)
        },
        Sub {
            failed: &TCP,
            ..sub("rosa", Some("hostile/writes_outside.py"), GOOD_UDP)
        },
        Sub {
            flaky: 1,
            says: "flaky: passed 1 of 2 tries",
            ..sub("sami", Some("flaky/first_try_wrong.py"), GOOD_UDP)
        },
        Sub {
            failed: &UDP,
            ..sub("tara", GOOD_TCP, Some("udp-server/udp_hardcoded_client.py"))
        },
    ]
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn points_possible() -> u32 {
    6
}

fn expected_points(s: &Sub) -> u32 {
    let lost: u32 = s
        .failed
        .iter()
        .chain(s.errors)
        .map(|id| if *id == "tcp-server/restart" { 2 } else { 1 })
        .sum();
    points_possible() - lost
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(format!("{}: {cmd}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

fn grade(subs: &Path, hw: &Path, out: &Path, partition: &str) -> std::process::Output {
    sockspec()
        .args(["grade"])
        .arg(subs)
        .arg("--assignment")
        .arg(hw)
        .arg("--out-dir")
        .arg(out)
        .args([
            "--jobs",
            "2",
            "--partition",
            partition,
            "--gradescope",
            "--autolab",
            "--html",
        ])
        .args(["--no-calibrate"])
        .output()
        .unwrap()
}

#[test]
fn a_batch_of_twenty_grades_right_in_every_output() {
    let root = tempfile::tempdir().unwrap();
    let subs = root.path().join("submissions");
    let outside = root.path().join("outside.txt");
    let hw = assignment(root.path(), &outside);
    let all = submissions();
    let lay_out = |subs: &Path| {
        for s in &all {
            let dir = subs.join(s.name);
            std::fs::create_dir_all(&dir).unwrap();
            for (file, from) in [("tcp_server.py", s.tcp), ("udp_server.py", s.udp)] {
                if let Some(from) = from {
                    std::fs::copy(fixtures().join(from), dir.join(file)).unwrap();
                }
            }
        }
    };
    lay_out(&subs);
    // The same class again, graded with every program started afresh.
    let subs_fresh = root.path().join("submissions-fresh");
    lay_out(&subs_fresh);
    let before: BTreeMap<PathBuf, u64> = listing(root.path());

    let parts: Vec<PathBuf> = ["1/2", "2/2"]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let out = root.path().join(format!("part{}", i + 1));
            let output = grade(&subs, &hw, &out, p);
            assert_eq!(
                output.status.code(),
                Some(0),
                "grade {p}:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            out.join("grade.json")
        })
        .collect();
    // Nothing of any submission outlives its run.
    let left = processes_mentioning(&subs.display().to_string());
    assert!(left.is_empty(), "still running: {left:#?}");

    // One share alone is refused, naming the one missing, unless the
    // grader says the merge may be partial.
    let alone = sockspec()
        .arg("merge")
        .arg(&parts[0])
        .arg("--out-dir")
        .arg(root.path().join("half"))
        .output()
        .unwrap();
    assert_eq!(alone.status.code(), Some(2));
    let said = String::from_utf8_lossy(&alone.stderr);
    assert!(said.contains("share(s) 2 of 2 missing"), "{said}");
    let partial = sockspec()
        .arg("merge")
        .arg(&parts[0])
        .arg("--partial")
        .arg("--out-dir")
        .arg(root.path().join("half"))
        .output()
        .unwrap();
    assert_eq!(partial.status.code(), Some(0));
    let said = String::from_utf8_lossy(&partial.stderr);
    assert!(said.contains("warning: share(s) 2 missing"), "{said}");

    let merged = root.path().join("all");
    let output = sockspec()
        .arg("merge")
        .args(&parts)
        .arg("--out-dir")
        .arg(&merged)
        .args(["--html", "--lang", "en"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("20 submission(s)"), "{table}");
    assert!(table.contains("what the class missed"), "{table}");
    // The merged folder is the whole class, as one grade run writes it:
    // every student's reports, and a dashboard whose links all lead there.
    let dashboard = std::fs::read_to_string(merged.join("index.html")).unwrap();
    let links: Vec<&str> = dashboard
        .split("href=\"")
        .skip(1)
        .filter_map(|l| l.split('"').next())
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(links.len() >= all.len(), "{dashboard}");
    let base = url::Url::from_directory_path(&merged).unwrap();
    for link in links {
        let file = base.join(link).unwrap().to_file_path().unwrap();
        assert!(file.is_file(), "{link} leads nowhere");
    }

    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("grade.json")).unwrap()).unwrap();
    let grades = batch["submissions"].as_array().unwrap();
    assert_eq!(grades.len(), all.len(), "{batch:#}");
    let csv = std::fs::read_to_string(merged.join("scores.csv")).unwrap();
    let mut wrong = Vec::new();
    for s in &all {
        let g = grades
            .iter()
            .find(|g| g["student"] == s.name)
            .unwrap_or_else(|| panic!("{} was not graded", s.name));
        let ids = |k: &str| -> Vec<String> {
            g[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let points = expected_points(s);
        if ids("failed_ids") != s.failed
            || ids("error_ids") != s.errors
            || g["flaky"] != s.flaky
            || g["points"] != points
        {
            wrong.push(format!(
                "{}: failed {:?} errors {:?} flaky {} points {} (expected {:?} {:?} {} {points})",
                s.name,
                ids("failed_ids"),
                ids("error_ids"),
                g["flaky"],
                g["points"],
                s.failed,
                s.errors,
                s.flaky
            ));
            continue;
        }
        assert_eq!(g["points_possible"], points_possible(), "{}: {g:#}", s.name);
        assert!(
            csv.lines().any(|l| l.starts_with(&format!(
                "{},{points},{},",
                s.name,
                points_possible()
            ))),
            "{}: {csv}",
            s.name
        );

        // The submission's own reports say why, in each format.
        let report_path = merged.join(g["report"].as_str().unwrap());
        let dir = report_path.parent().unwrap();
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
        if !s.says.is_empty() {
            let wanted = regex::Regex::new(s.says).unwrap();
            let text = report.to_string();
            assert!(
                wanted.is_match(&text),
                "{}: no {:?} in {report:#}",
                s.name,
                s.says
            );
        }
        let peak = report["harness"]["peak_rss_kb"].as_u64().unwrap();
        assert!(
            peak < 60 * 1024,
            "{}: the harness grew to {peak} kB",
            s.name
        );
        let gradescope: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap())
                .unwrap();
        assert_eq!(gradescope["score"], points, "{}: {gradescope:#}", s.name);
        let autolab = std::fs::read_to_string(dir.join("autolab.txt")).unwrap();
        let last: Value = serde_json::from_str(autolab.lines().last().unwrap()).unwrap();
        let total: u64 = last["scores"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(total, u64::from(points), "{}: {last}", s.name);
        assert!(dir.join("report.txt").exists());
    }

    assert!(wrong.is_empty(), "wrong grades:\n{}", wrong.join("\n"));

    // Handing idle servers from scenario to scenario changes no grade.
    let fresh_out = root.path().join("fresh");
    let output = common::grade(&subs_fresh, &hw, &fresh_out, &["--fresh"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh: Value =
        serde_json::from_str(&std::fs::read_to_string(fresh_out.join("grade.json")).unwrap())
            .unwrap();
    let verdicts = |g: &Value| {
        (
            g["points"].clone(),
            g["failed_ids"].clone(),
            g["error_ids"].clone(),
            // Which scenario meets the flaky one's first run is a race
            // either way; that one of them is flaky is not.
            g["flaky"].clone(),
            g["warned_ids"].clone(),
        )
    };
    for g in fresh["submissions"].as_array().unwrap() {
        let shared = grades
            .iter()
            .find(|s| s["student"] == g["student"])
            .unwrap();
        assert_eq!(verdicts(shared), verdicts(g), "{}", g["student"]);
    }

    // The programs wrote only inside their own folders (the marker of the
    // flaky one, the allowed file of the one that tries to escape).
    assert!(
        !outside.exists(),
        "a submission wrote {}",
        outside.display()
    );
    let after = listing(root.path());
    let new: Vec<&PathBuf> = after
        .keys()
        .filter(|p| !before.contains_key(*p))
        .filter(|p| !p.starts_with(root.path().join("part1")))
        .filter(|p| !p.starts_with(root.path().join("part2")))
        .filter(|p| !p.starts_with(&merged))
        .filter(|p| !p.starts_with(root.path().join("half")))
        .filter(|p| !p.starts_with(&fresh_out))
        .filter(|p| !p.starts_with(&subs_fresh))
        .filter(|p| !p.starts_with(&subs))
        .collect();
    assert!(new.is_empty(), "written outside the submissions: {new:#?}");
    let escaped: Vec<String> = std::fs::read_dir("/tmp")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sockspec-escaped"))
        .collect();
    assert!(
        escaped.is_empty(),
        "written to the host's /tmp: {escaped:?}"
    );
}

/// Every file under `dir`, with its size.
fn listing(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p, e.metadata().map(|m| m.len()).unwrap_or(0));
            }
        }
    }
    out
}
