//! The verdict matrix: every scenario is proven twice. The references and the
//! correct homework fixtures pass every scenario that applies to their
//! contract; each buggy fixture fails exactly the scenarios its bug breaks,
//! for the reason the scenario names; and no scenario goes unfailed.
//!
//! The course-style programs (tests/fixtures/course: written the way the
//! notes teach, with nothing added) are the level policy made concrete:
//! each passes the default suite, and under `--strict` fails exactly the
//! recommended scenarios its missing robustness explains.
//!
//! The matrix is data: one file per case, `tests/verdicts/NAME.verdict`
//! (tests/verdicts/README.md says the same at more length). A line is a
//! keyword and its value, separated by spaces; a line that starts with `#`
//! is a comment; blank lines are ignored:
//!
//! ```text
//! role     tcp-server
//! fixture  tcp-server/no_break.py
//! course   no
//! reply    fixed:Thanks
//! framing  none
//! fail     tcp-server/vanish-close
//! fail     tcp-server/peer-exit  because BrokenPipeError | ConnectionResetError
//! ```
//!
//! - `role`: `--role`, or `all` (every role's reference, `fixture reference`);
//! - `fixture`: the program, relative to tests/fixtures (in `ROLE/`, or in
//!   `course/` with `course yes`), or `reference`: the built-in peer;
//! - `course`: `yes` for a course-style program, else `no`;
//! - `reply`, `framing`: the contract (`--reply`, `--framing`);
//! - `build`, `command`: for a program that is not a Python script (C,
//!   Java, in `c/`, `java/`), how it is built and started: the fixture is
//!   copied into a folder of its own and graded with `--build` there;
//! - `fail ID [because TEXT | TEXT...]`: a scenario it must fail under
//!   `--strict`, and texts of which one must appear in the failure's
//!   message, received bytes, failing step, or the program's state and
//!   output, as the JSON report writes them (a quote is `\"`, a newline
//!   `\n`). Every other scenario that applies must pass;
//! - `diagnosis ID en|zh TEXT`: one of that failure's diagnoses says TEXT
//!   in that language (the failure is explained in its language's terms).
//!
//! A `course yes` case must also pass the default suite: the scenarios it
//! fails are recommended ones that do not count. A file that leaves out a
//! line, or names a fixture or a scenario that does not exist, fails its
//! case with every problem and its line.
//!
//! Each file is a case of the rstest test `verdicts` (`#[files]`, expanded
//! when this test is compiled: `no_scenario_goes_unfailed` says when a file
//! was added since).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fixture, ids_with, result, run_json};
use rstest::rstest;

/// The folder of the verdict files.
const VERDICTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verdicts");
/// Their extension.
const EXTENSION: &str = "verdict";
/// The roles, as `--role` takes them.
const ROLES: &[&str] = &[
    "tcp-server",
    "tcp-client",
    "udp-server",
    "udp-client",
    "broadcast-sender",
    "broadcast-receiver",
    "http-server",
    "http-client",
];

/// One program under one contract, and the verdicts it must get: one
/// verdict file.
#[derive(Debug)]
struct Case {
    /// The file's name without `.verdict`.
    name: String,
    /// The role; `None` (`role all`) grades every role's reference.
    role: Option<String>,
    /// The fixture, relative to tests/fixtures (`None`: the reference).
    fixture: Option<String>,
    /// Written the way the notes teach: it must pass the default suite, and
    /// fails (`fails`, all recommended) only under `--strict`.
    course: bool,
    reply: String,
    framing: String,
    /// The scenario ids it must fail; every other one that applies must pass.
    fails: Vec<String>,
    /// (scenario id, texts of which one must appear in its message,
    /// received bytes, failing step or the target's state and output): the
    /// failure happens for the reason the scenario names.
    because: Vec<(String, Vec<String>)>,
    /// The command that builds the fixture, run by `--build` in a folder
    /// of its own holding a copy of it (`None`: a Python script).
    build: Option<String>,
    /// The command that starts it there (`None`: `python3 FIXTURE ARGS`).
    command: Option<String>,
    /// (scenario id, language, text): one of its diagnoses must say the
    /// text in that language (`en`, `zh`): the failure is explained in its
    /// program's own terms.
    diagnoses: Vec<(String, &'static str, String)>,
}

/// The folders of fixtures in other languages than the notes': a program
/// of any role, course-style or not, built (C, Java) or run as it is
/// (Python 2 by python3, as a grader would by mistake).
const LANGUAGE_FOLDERS: [&str; 3] = ["c", "java", "python2"];

/// Reads a verdict file: its case, or every problem found in it, each as
/// `FILE:LINE: what` (`FILE: what` for a missing line). `scenarios` are the
/// ids and levels `sockspec list` gives; a fixture is looked for under
/// tests/fixtures.
fn parse(file: &str, text: &str, scenarios: &BTreeMap<String, String>) -> Result<Case, String> {
    let name = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file)
        .to_owned();
    let mut problems = Vec::new();
    let mut fields: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    let mut fails: Vec<(usize, String)> = Vec::new();
    let mut because = Vec::new();
    let mut diagnoses = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let value = value.trim();
        match key {
            "role" | "fixture" | "course" | "reply" | "framing" | "build" | "command" => {
                if value.is_empty() {
                    problems.push(format!("{file}:{n}: `{key}` needs a value"));
                } else if let Some((first, _)) = fields.insert(key, (n, value)) {
                    problems.push(format!("{file}:{n}: `{key}` again (first on line {first})"));
                }
            }
            "fail" => {
                let (id, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
                let rest = rest.trim();
                if id.is_empty() {
                    problems.push(format!("{file}:{n}: `fail` needs a scenario id"));
                    continue;
                }
                if !scenarios.contains_key(id) {
                    problems.push(format!("{file}:{n}: {}", unknown_scenario(id, scenarios)));
                }
                if let Some((first, _)) = fails.iter().find(|(_, f)| f == id) {
                    problems.push(format!("{file}:{n}: `{id}` again (first on line {first})"));
                }
                fails.push((n, id.to_owned()));
                if rest.is_empty() {
                    continue;
                }
                let texts = rest
                    .strip_prefix("because")
                    .filter(|t| t.is_empty() || t.starts_with(char::is_whitespace));
                let Some(texts) = texts else {
                    problems.push(format!(
                        "{file}:{n}: after the scenario id, `because TEXT` or nothing; got {rest:?}"
                    ));
                    continue;
                };
                let texts: Vec<String> = texts.split('|').map(|t| t.trim().to_owned()).collect();
                if texts.iter().any(String::is_empty) {
                    problems.push(format!(
                        "{file}:{n}: `because` needs texts (separated by `|`), none of them empty"
                    ));
                }
                because.push((id.to_owned(), texts));
            }
            "diagnosis" => {
                let mut words = value.splitn(3, char::is_whitespace);
                let (id, lang, text) = (
                    words.next().unwrap_or(""),
                    words.next().unwrap_or(""),
                    words.next().unwrap_or("").trim(),
                );
                let lang = match lang {
                    "en" => "en",
                    "zh" => "zh",
                    _ => {
                        problems.push(format!(
                            "{file}:{n}: `diagnosis ID en|zh TEXT`; got {value:?}"
                        ));
                        continue;
                    }
                };
                if text.is_empty() {
                    problems.push(format!("{file}:{n}: `diagnosis` needs a text"));
                }
                diagnoses.push((n, id.to_owned(), lang, text.to_owned()));
            }
            _ => problems.push(format!(
                "{file}:{n}: unknown keyword `{key}`; a line starts with one of: \
                 role, fixture, course, reply, framing, build, command, fail, diagnosis"
            )),
        }
    }
    let mut field = |key: &str| match fields.get(key) {
        Some(&(n, value)) => Some((n, value)),
        None => {
            problems.push(format!("{file}: no `{key}` line"));
            None
        }
    };
    let (role, fixture_at, course, reply, framing) = (
        field("role"),
        field("fixture"),
        field("course"),
        field("reply"),
        field("framing"),
    );
    let role = role.and_then(|(n, role)| match role {
        "all" => Some(None),
        _ if ROLES.contains(&role) => Some(Some(role.to_owned())),
        _ => {
            problems.push(format!(
                "{file}:{n}: unknown role `{role}`; one of: all, {}",
                ROLES.join(", ")
            ));
            None
        }
    });
    let course = course.and_then(|(n, course)| match course {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            problems.push(format!("{file}:{n}: `course` is yes or no, not `{course}`"));
            None
        }
    });
    if let Some((n, framing)) = framing
        && !["none", "line", "len32"].contains(&framing)
    {
        problems.push(format!(
            "{file}:{n}: `framing` is none, line or len32, not `{framing}`"
        ));
    }
    let mut fixture_path = None;
    if let (Some((n, path)), Some(role), Some(course)) = (fixture_at, &role, course) {
        let folder = Path::new(path)
            .parent()
            .and_then(|p| p.to_str())
            .unwrap_or("");
        let expected = if LANGUAGE_FOLDERS.contains(&folder) {
            Some(folder)
        } else if course {
            Some("course")
        } else {
            role.as_deref()
        };
        if path == "reference" {
            if course {
                problems.push(format!("{file}:{n}: the reference is not a course program"));
            }
        } else if role.is_none() {
            problems.push(format!(
                "{file}:{n}: `role all` grades the references: `fixture reference`"
            ));
        } else if !fixture("", path).is_file() {
            problems.push(format!(
                "{file}:{n}: fixture {path} does not exist (no file {})",
                fixture("", path).display()
            ));
        } else if !path.ends_with(".py") && !fields.contains_key("command") {
            problems.push(format!(
                "{file}:{n}: {path} is not a Python script: say how it starts (`command ./server {{port}}`) and how it is built (`build gcc -o server server.c`)"
            ));
        } else if Some(folder) != expected {
            let expected = expected.unwrap_or_default();
            problems.push(format!(
                "{file}:{n}: a {} fixture lives in tests/fixtures/{expected}, not in {folder}",
                if course { "course-style" } else { expected }
            ));
        } else {
            fixture_path = Some(path.to_owned());
        }
    }
    for (n, id, _, _) in &diagnoses {
        if !fails.iter().any(|(_, f)| f == id) {
            problems.push(format!(
                "{file}:{n}: `diagnosis {id}`: a diagnosis is of a failure; add `fail {id}`"
            ));
        }
    }
    if let Some(Some(role)) = &role {
        for (n, id) in &fails {
            if scenarios.contains_key(id) && !id.starts_with(&format!("{role}/")) {
                problems.push(format!("{file}:{n}: `{id}` is not a {role} scenario"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let (Some(role), Some(course), Some((_, reply)), Some((_, framing))) =
        (role, course, reply, framing)
    else {
        unreachable!("a missing field is a problem");
    };
    let text = |key: &str| fields.get(key).map(|(_, v)| (*v).to_owned());
    Ok(Case {
        name,
        role,
        fixture: fixture_path,
        course,
        reply: reply.to_owned(),
        framing: framing.to_owned(),
        fails: fails.into_iter().map(|(_, id)| id).collect(),
        because,
        build: text("build"),
        command: text("command"),
        diagnoses: diagnoses
            .into_iter()
            .map(|(_, id, lang, t)| (id, lang, t))
            .collect(),
    })
}

/// What is wrong with a scenario id `sockspec list` does not know.
fn unknown_scenario(id: &str, scenarios: &BTreeMap<String, String>) -> String {
    let role = id.split('/').next().unwrap_or("");
    let alike: Vec<&str> = scenarios
        .keys()
        .filter(|s| s.starts_with(&format!("{role}/")))
        .map(String::as_str)
        .collect();
    if alike.is_empty() {
        format!("no scenario `{id}` (`sockspec list` has none of role `{role}`)")
    } else {
        format!(
            "no scenario `{id}` (`sockspec list`); {role} has: {}",
            alike.join(", ")
        )
    }
}

/// Every built-in scenario's id and level, from `sockspec list`.
fn scenarios() -> &'static BTreeMap<String, String> {
    static LISTED: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    LISTED.get_or_init(|| {
        let out = common::sockspec().arg("list").output().unwrap();
        assert!(out.status.success(), "sockspec list: {out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                let mut words = line.split_whitespace();
                let (id, level) = (words.next().unwrap(), words.next().unwrap());
                (id.to_owned(), level.to_owned())
            })
            .collect()
    })
}

/// Reads one verdict file, or fails with every problem in it.
fn load(path: &Path) -> Case {
    let shown = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{shown}: {e}"));
    parse(&shown, &text, scenarios()).unwrap_or_else(|problems| panic!("{problems}"))
}

/// Every verdict file, in name order; and the folder's other entries.
fn verdict_files() -> (Vec<PathBuf>, Vec<String>) {
    let (mut files, mut others) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(VERDICTS).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && path.extension().is_some_and(|x| x == EXTENSION) {
            files.push(path);
        } else if name != "README.md" {
            others.push(name);
        }
    }
    files.sort();
    (files, others)
}

/// How the harness starts a program of each role.
fn arguments(role: &str) -> &'static str {
    match role {
        "tcp-client" | "udp-client" | "http-client" => "{host} {port}",
        "broadcast-sender" => "{broadcast} {port}",
        _ => "{port}",
    }
}

/// Grades a case's program, under `--strict` or by default. A fixture
/// that is built (or started by a command of its own) is copied into a
/// folder of its own first, and built there by `--build`: the build's
/// products never land in the source tree, and two cases never share them.
fn grade(case: &Case, strict: bool, fresh: bool) -> (i32, serde_json::Value) {
    let mut args: Vec<String> = vec![
        "--reply".into(),
        case.reply.clone(),
        "--framing".into(),
        case.framing.clone(),
    ];
    if strict {
        args.push("--strict".into());
    }
    if fresh {
        args.push("--fresh".into());
    }
    if let Some(role) = &case.role {
        args.extend(["--role".into(), role.clone()]);
    }
    let mut folder = None;
    let target = match (&case.role, &case.fixture) {
        (Some(role), Some(file)) => Some(match &case.command {
            None => format!(
                "python3 {} {}",
                fixture("", file).display(),
                arguments(role)
            ),
            Some(command) => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let source = fixture("", file);
                let name = source.file_name().expect("a file name");
                std::fs::copy(&source, dir.path().join(name)).expect("the fixture is copied");
                args.extend(["--cwd".into(), dir.path().display().to_string()]);
                if let Some(build) = &case.build {
                    args.extend(["--build".into(), build.clone()]);
                }
                folder = Some(dir);
                command.clone()
            }
        }),
        _ => None,
    };
    // Page servers run where their index.html is.
    let site = fixture(if case.course { "course" } else { "http-server" }, "");
    if case.role.as_deref() == Some("http-server") && folder.is_none() {
        args.extend(["--cwd".into(), site.display().to_string()]);
    }
    if let Some(t) = target {
        args.extend(["--target".into(), t]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let graded = run_json(&args);
    drop(folder);
    graded
}

/// Checks one run of a case: exactly its `fails` failed, each for its
/// reason, nothing errored, and the exit code is `exit`.
fn check(case: &Case, code: i32, report: &serde_json::Value, exit: i32) {
    let failed: BTreeSet<String> = ids_with(report, "fail").into_iter().collect();
    let want: BTreeSet<String> = case.fails.iter().cloned().collect();
    assert_eq!(failed, want, "failed scenarios differ; report:\n{report:#}");
    assert!(ids_with(report, "error").is_empty(), "errors in {report:#}");
    assert_eq!(code, exit, "exit code; report:\n{report:#}");
    // A scenario not played because its program could not be started
    // elsewhere has that scenario's evidence.
    let evidence_of = |id: &str| {
        let r = result(report, id);
        match r["as_in"].as_str() {
            Some(first) => result(report, first),
            None => r,
        }
    };
    for (id, reasons) in &case.because {
        let r = evidence_of(id);
        let target = &r["failure"]["target"];
        let evidence = format!(
            "{} {} {} {} {} {}",
            r["message"],
            r["failure"]["received"],
            r["failure"]["step_text"],
            target["state"],
            target["stderr"],
            target["stdout"]
        );
        assert!(
            reasons.iter().any(|one| evidence.contains(one.as_str())),
            "{id} should fail because of {:?}; got {r:#}",
            reasons.join("|")
        );
    }
    for (id, lang, text) in &case.diagnoses {
        let r = evidence_of(id);
        let said: Vec<&str> = r["failure"]["diagnoses"]
            .as_array()
            .map(|ds| {
                ds.iter()
                    .filter_map(|d| d["text"][*lang].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            said.iter().any(|d| d.contains(text.as_str())),
            "{id}: no diagnosis says {text:?} in {lang}; the diagnoses say {said:#?}"
        );
    }
}

#[rstest]
fn verdicts(#[files("tests/verdicts/*.verdict")] path: PathBuf) {
    let case = load(&path);
    if case.course {
        // What the notes teach passes as it is: what it lacks is only
        // recommended, reported as a warning, and does not count.
        let (code, report) = grade(&case, false, false);
        check(&case, code, &report, 0);
        for id in &case.fails {
            let r = result(&report, id);
            assert_eq!(r["level"], "recommended", "{id} must be recommended: {r:#}");
            assert_eq!(r["counted"], false, "{id} must not count: {r:#}");
        }
    }
    // Under --strict every failure counts.
    let (code, report) = grade(&case, true, false);
    check(&case, code, &report, i32::from(!case.fails.is_empty()));
    // A program handed from scenario to scenario (a server), or a client
    // typed the next property case where it waits for its next line, gets
    // the verdicts it gets when every scenario and case starts it afresh.
    // Other roles are never handed over: they have nothing to compare.
    let shares = matches!(
        case.role.as_deref(),
        None | Some("tcp-server" | "udp-server" | "http-server" | "tcp-client" | "udp-client")
    );
    if !shares {
        return;
    }
    let (fresh_code, fresh) = grade(&case, true, true);
    assert_eq!(
        verdicts_of(&report),
        verdicts_of(&fresh),
        "sharing programs changed a verdict; with --fresh:\n{fresh:#}"
    );
    assert_eq!(code, fresh_code);
    assert_eq!(fresh["summary"]["starts_saved"], 0, "{fresh:#}");
}

/// Each scenario's id and status.
fn verdicts_of(report: &serde_json::Value) -> BTreeMap<String, String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Every built-in scenario is failed by at least one fixture: a required
/// one by a buggy fixture (a course-style program fails only recommended
/// ones), a recommended one by some fixture under `--strict`. Every file in
/// tests/verdicts is a case the matrix runs, and every course-style
/// program is in it.
#[test]
fn no_scenario_goes_unfailed() {
    let (files, others) = verdict_files();
    assert!(
        others.is_empty(),
        "tests/verdicts holds only README.md and *.{EXTENSION} files (the matrix runs no other): {others:?}"
    );
    let cases: Vec<Case> = files.iter().map(|f| load(f)).collect();
    let failed_by = |course: bool| -> BTreeSet<&str> {
        cases
            .iter()
            .filter(|c| course || !c.course)
            .flat_map(|c| c.fails.iter().map(String::as_str))
            .collect()
    };
    let (buggy, any) = (failed_by(false), failed_by(true));
    for (id, level) in scenarios() {
        match level.as_str() {
            "required" => assert!(buggy.contains(id.as_str()), "no buggy fixture fails {id}"),
            _ => assert!(
                any.contains(id.as_str()),
                "no fixture fails {id} under --strict"
            ),
        }
    }
    // `#[files]` is expanded when this test is compiled: a file added since
    // is not a case until it is compiled again.
    let exe = std::env::current_exe().unwrap();
    let listed = std::process::Command::new(exe)
        .args(["--list", "--format", "terse", "verdicts::"])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    for case in &cases {
        let suffix = format!("_tests_verdicts_{}_{EXTENSION}: test", case.name);
        assert!(
            listed.lines().any(|l| l.ends_with(&suffix)),
            "tests/verdicts/{}.{EXTENSION} is not a case of `verdicts`: it was added after \
             tests/matrix.rs was compiled (touch tests/matrix.rs)",
            case.name
        );
    }
    for language in LANGUAGE_FOLDERS {
        let Ok(folder) = std::fs::read_dir(fixture(language, "")) else {
            continue;
        };
        for entry in folder {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let path = format!("{language}/{name}");
            if name != "README.md" {
                assert!(
                    cases
                        .iter()
                        .any(|c| c.fixture.as_deref() == Some(path.as_str())),
                    "{path} is not in the matrix (tests/verdicts)"
                );
            }
        }
    }
    let folder = std::fs::read_dir(fixture("course", "")).unwrap();
    for entry in folder {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".py") {
            let path = format!("course/{name}");
            assert!(
                cases
                    .iter()
                    .any(|c| c.course && c.fixture.as_deref() == Some(path.as_str())),
                "course/{name} is not in the matrix"
            );
        }
    }
}

/// A verdict file that does not say what it should, or names a fixture or
/// a scenario that does not exist, is refused with its file and line.
#[test]
fn a_wrong_verdict_file_says_where() {
    let known = scenarios();
    let refused = |text: &str| parse("tests/verdicts/x.verdict", text, known).unwrap_err();
    let good = "role tcp-server\nfixture tcp-server/no_break.py\ncourse no\nreply fixed:Thanks\nframing none\n";
    let case = parse("tests/verdicts/x.verdict", good, known).unwrap();
    assert_eq!(case.name, "x");
    assert_eq!(case.fixture.as_deref(), Some("tcp-server/no_break.py"));
    let cases: &[(&str, &str)] = &[
        (
            "fixture tcp-server/no_break.py\n",
            "fixture tcp-server/nope.py\n",
        ),
        (
            "fail",
            "fail tcp-server/peer-exitt because BrokenPipeError\n",
        ),
        ("fail", "fail tcp-server/peer-exit BrokenPipeError\n"),
        ("fail", "fail tcp-server/peer-exit because\n"),
        (
            "fail",
            "fail tcp-server/peer-exit\nfail tcp-server/peer-exit\n",
        ),
        ("fail", "fail udp-server/reply because no reply\n"),
        ("course no\n", "course yes\n"),
        ("course no\n", "course maybe\n"),
        ("role tcp-server\n", "role tcp-sever\n"),
        ("role tcp-server\n", "role all\n"),
        ("framing none\n", ""),
        ("fail", "fails tcp-server/peer-exit\n"),
        (
            "fixture tcp-server/no_break.py\n",
            "fixture c/tcp_server.c\n",
        ),
        ("fail", "diagnosis tcp-server/peer-exit en SIGPIPE\n"),
        (
            "fail",
            "fail tcp-server/peer-exit\ndiagnosis tcp-server/peer-exit fr x\n",
        ),
    ];
    let expected = [
        "tests/verdicts/x.verdict:2: fixture tcp-server/nope.py does not exist (no file ",
        "tests/verdicts/x.verdict:6: no scenario `tcp-server/peer-exitt` (`sockspec list`); tcp-server has: ",
        "tests/verdicts/x.verdict:6: after the scenario id, `because TEXT` or nothing; got \"BrokenPipeError\"",
        "tests/verdicts/x.verdict:6: `because` needs texts (separated by `|`), none of them empty",
        "tests/verdicts/x.verdict:7: `tcp-server/peer-exit` again (first on line 6)",
        "tests/verdicts/x.verdict:6: `udp-server/reply` is not a tcp-server scenario",
        "tests/verdicts/x.verdict:2: a course-style fixture lives in tests/fixtures/course, not in tcp-server",
        "tests/verdicts/x.verdict:3: `course` is yes or no, not `maybe`",
        "tests/verdicts/x.verdict:1: unknown role `tcp-sever`; one of: all, tcp-server, ",
        "tests/verdicts/x.verdict:2: `role all` grades the references: `fixture reference`",
        "tests/verdicts/x.verdict: no `framing` line",
        "tests/verdicts/x.verdict:6: unknown keyword `fails`; a line starts with one of: ",
        "tests/verdicts/x.verdict:2: c/tcp_server.c is not a Python script: say how it starts",
        "tests/verdicts/x.verdict:6: `diagnosis tcp-server/peer-exit`: a diagnosis is of a failure; add `fail tcp-server/peer-exit`",
        "tests/verdicts/x.verdict:7: `diagnosis ID en|zh TEXT`; got ",
    ];
    for ((from, to), want) in cases.iter().zip(expected) {
        let text = if *from == "fail" {
            format!("{good}{to}")
        } else {
            good.replace(from, to)
        };
        let got = refused(&text);
        assert!(
            got.contains(want),
            "{text}\nshould say {want:?}; says:\n{got}"
        );
    }
}
