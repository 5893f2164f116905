//! The CI templates of `docs/ci/`: each is a valid file for its CI (by the
//! CI's published schema, through `check-jsonschema`), and its commands,
//! run here as its CI would run them, grade a class the way one
//! `sockspec grade` does.
//!
//! The test reads each template, takes its grade job's commands with the
//! matrix (GitHub) or `parallel:` (GitLab) variables set for each share,
//! runs the shares at once in their own copies of the repository, carries
//! each share's artifacts to the merge job as the CI does, runs the merge
//! job's commands there and compares its `scores.csv` with that of one
//! `sockspec grade` of the whole class, byte for byte. What it runs is the
//! template's text; only the steps that install sockspec and the system's
//! packages are left out (they reach the network), and sockspec is put
//! where they would have put it.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn template(name: &str) -> PathBuf {
    root().join("docs/ci").join(name)
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

fn text<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not text: {v}"))
}

// ---------------------------------------------------------------- validity

const INSTALL_CHECK_JSONSCHEMA: &str = "pip install check-jsonschema==0.39.0";

/// `check-jsonschema --builtin-schema SCHEMA FILE`: whether the file is
/// valid, and what the tool said.
fn check_jsonschema(schema: &str, file: &Path) -> (bool, String) {
    let output = Command::new("check-jsonschema")
        .args(["--builtin-schema", schema])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run check-jsonschema ({e}); it checks the CI templates against \
                 the CIs' own schemas, offline. Install it with:\n  {INSTALL_CHECK_JSONSCHEMA}"
            )
        });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// Each template is valid, and the same template with one key broken is
/// not (so the check is a real one).
#[test]
fn templates_are_valid_for_their_ci() {
    let dir = tempfile::tempdir().unwrap();
    for (name, schema, good, broken) in [
        (
            "github-actions.yml",
            "vendor.github-workflows",
            "    runs-on: ubuntu-24.04\n    timeout-minutes: 60\n",
            "    run-on: ubuntu-24.04\n    timeout-minutes: 60\n",
        ),
        (
            "gitlab-ci.yml",
            "vendor.gitlab-ci",
            "  parallel: 4\n",
            "  parallel: four\n",
        ),
    ] {
        let file = template(name);
        let (ok, said) = check_jsonschema(schema, &file);
        assert!(ok, "{name} is not a valid file for its CI:\n{said}");

        let original = std::fs::read_to_string(&file).unwrap();
        assert!(original.contains(good), "{name} no longer has `{good}`");
        let bad = dir.path().join(name);
        std::fs::write(&bad, original.replacen(good, broken, 1)).unwrap();
        let (ok, said) = check_jsonschema(schema, &bad);
        assert!(
            !ok,
            "check-jsonschema accepts {name} with `{broken}`:\n{said}"
        );
    }
}

// ---------------------------------------------------------------- the class

/// Six submissions, each with its own mix of right and wrong programs.
const CLASS: [(&str, &str, Option<&str>); 6] = [
    (
        "alice",
        "tcp-server/thanks_server.py",
        Some("udp-server/udp_server.py"),
    ),
    (
        "dana",
        "tcp-server/one_client.py",
        Some("udp-server/udp_server.py"),
    ),
    (
        "emil",
        "tcp-server/wrong_reply.py",
        Some("udp-server/udp_server.py"),
    ),
    (
        "fang",
        "tcp-server/thanks_server.py",
        Some("udp-server/udp_empty_quits.py"),
    ),
    (
        "gita",
        "tcp-server/thanks_server.py",
        Some("udp-server/udp_wrong_reply.py"),
    ),
    ("hugo", "tcp-server/thanks_server.py", None),
];

const ASSIGNMENT: &str = "assignment: CI fan-out test
programs:
  tcp-server:
    command: python3 tcp_server.py {port}
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit]
  udp-server:
    command: python3 udp_server.py {port}
    reply: fixed:Thanks
    only: [udp-server/reply, udp-server/empty-datagram]
";

/// A repository as the teacher keeps it: the submissions and the
/// assignment where the template's variables say.
fn lay_out_repository(repo: &Path, submissions: &str, assignment: &str) {
    let fixtures = root().join("tests/fixtures");
    for (student, tcp, udp) in CLASS {
        let dir = repo.join(submissions).join(student);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(fixtures.join(tcp), dir.join("tcp_server.py")).unwrap();
        if let Some(udp) = udp {
            std::fs::copy(fixtures.join(udp), dir.join("udp_server.py")).unwrap();
        }
    }
    let file = repo.join(assignment);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, ASSIGNMENT).unwrap();
}

/// The scores.csv of one `sockspec grade` of the whole class, made once.
fn one_run_scores(submissions: &str, assignment: &str) -> String {
    static SCORES: OnceLock<Mutex<BTreeMap<(String, String), String>>> = OnceLock::new();
    let key = (submissions.to_owned(), assignment.to_owned());
    let mut made = SCORES.get_or_init(Default::default).lock().unwrap();
    made.entry(key)
        .or_insert_with(|| {
            let repo = tempfile::tempdir().unwrap();
            lay_out_repository(repo.path(), submissions, assignment);
            let output = common::sockspec()
                .current_dir(repo.path())
                .args(["grade", submissions, "--assignment", assignment])
                .args(["--out-dir", "whole"])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "one grade of the class:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            std::fs::read_to_string(repo.path().join("whole/scores.csv")).unwrap()
        })
        .clone()
}

/// The shares of two templates at once would be twice the load the
/// templates are meant for: one template's class at a time.
fn one_class_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------- running jobs

/// One CI job as the test runs it: its folder, its environment and its
/// shell script.
struct Job {
    dir: PathBuf,
    env: Vec<(String, String)>,
    script: String,
}

/// Runs jobs at once, each by bash as the CIs run a script (`-e`, pipefail),
/// and fails with the output of any that fails.
fn run_all(jobs: &[Job], what: &str) {
    let children: Vec<_> = jobs
        .iter()
        .map(|job| {
            assert!(
                !job.script.contains("${{"),
                "{what}: an expression the test cannot stand in for: {}",
                job.script
            );
            Command::new("bash")
                .args([
                    "--noprofile",
                    "--norc",
                    "-eo",
                    "pipefail",
                    "-c",
                    &job.script,
                ])
                .current_dir(&job.dir)
                .envs(job.env.iter().map(|(k, v)| (k, v)))
                .env_remove("SOCKSPEC_TIME_SCALE")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("bash runs")
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{what} {}: {}\n--- script\n{}\n--- stdout\n{}\n--- stderr\n{}",
            i + 1,
            output.status,
            jobs[i].script,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Puts the built sockspec where the template's install step would have.
fn install_sockspec(prefix: &Path) {
    let bin = prefix.join(".sockspec/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_sockspec"), bin.join("sockspec")).unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
    }
}

/// `*` matches any run of characters within one name.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.len() >= head.len()
                && name.starts_with(head)
                && (0..=name.len() - head.len()).any(|i| {
                    name.is_char_boundary(head.len() + i) && wildcard(tail, &name[head.len() + i..])
                })
        }
    }
}

/// The paths under `dir` a CI path pattern (`a/*/b.html`, `class/`) names.
fn matching(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    for part in pattern.trim_end_matches('/').split('/') {
        found = found
            .iter()
            .filter(|d| d.is_dir())
            .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
            .filter(|p| wildcard(part, &p.file_name().unwrap().to_string_lossy()))
            .collect();
    }
    found.sort();
    found
}

/// What the merge job publishes meets a teacher's needs: the class's
/// scores.csv, equal to one grade run's, and every student's page.
fn check_published(merge_dir: &Path, published: &[String], expected_csv: &str) {
    let files: Vec<PathBuf> = published
        .iter()
        .flat_map(|p| matching(merge_dir, p))
        .collect();
    let csv: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.is_dir() && p.join("scores.csv").is_file())
        .collect();
    assert_eq!(
        csv.len(),
        1,
        "the merge job publishes {published:?}, holding {files:?}: not one scores.csv"
    );
    let merged = std::fs::read_to_string(csv[0].join("scores.csv")).unwrap();
    assert_eq!(
        merged, expected_csv,
        "the shares, merged, do not score the class as one grade run does"
    );
    assert!(csv[0].join("grade.json").is_file());
    // The class dashboard, beside the students' pages it links to.
    let dashboard = std::fs::read_to_string(csv[0].join("index.html"))
        .expect("the merge job publishes the class dashboard (merge --html)");
    for (student, ..) in CLASS {
        assert!(
            dashboard.contains(&format!("href=\"{student}/report.html")),
            "the dashboard does not link to {student}'s page"
        );
    }
    let mut every = Vec::new();
    for f in &files {
        walk(f, &mut every);
    }
    for (student, ..) in CLASS {
        let pages = every
            .iter()
            .filter(|p| p.ends_with(format!("{student}/report.html")))
            .count();
        assert_eq!(
            pages, 1,
            "{student}'s report.html is published {pages} times"
        );
    }
}

/// Every file under `path` (or `path` itself).
fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for e in entries.flatten() {
                walk(&e.path(), out);
            }
        }
        Err(_) => out.push(path.to_path_buf()),
    }
}

// ---------------------------------------------------------------- GitHub

/// `${{ expr }}` replaced by the value the test gives `expr`.
fn github_expand(text: &str, values: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed expression in {text}"))
            + start;
        let expr = rest[start + 3..end].trim();
        let value = values
            .iter()
            .find(|(name, _)| *name == expr)
            .unwrap_or_else(|| {
                panic!("the test cannot stand in for `${{{{ {expr} }}}}` in {text}")
            });
        out.push_str(&value.1);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn github_step<'a>(job: &'a Value, pick: impl Fn(&Value) -> bool, what: &str) -> &'a Value {
    let steps = job["steps"].as_array().expect("a job has steps");
    let mut found = steps.iter().filter(|s| pick(s));
    let step = found.next().unwrap_or_else(|| panic!("no {what} step"));
    assert!(found.next().is_none(), "more than one {what} step");
    step
}

fn uses(action: &'static str) -> impl Fn(&Value) -> bool {
    move |s: &Value| s["uses"].as_str().is_some_and(|u| u.starts_with(action))
}

fn with_id(id: &'static str) -> impl Fn(&Value) -> bool {
    move |s: &Value| s["id"] == id
}

/// A step's environment over the workflow's, expressions expanded.
fn github_env(workflow: &Value, step: &Value, values: &[(&str, String)]) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for scope in [&workflow["env"], &step["env"]] {
        if let Some(map) = scope.as_object() {
            for (k, v) in map {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                env.push((k.clone(), github_expand(&v, values)));
            }
        }
    }
    env
}

#[test]
fn github_matrix_grades_the_class_as_one_run_does() {
    let _one = one_class_at_a_time();
    let workflow = yaml(&template("github-actions.yml"));
    let grade = &workflow["jobs"]["grade"];
    let merge = &workflow["jobs"]["merge"];
    assert_eq!(
        merge["needs"], "grade",
        "the merge job must wait for every share"
    );
    let shares: Vec<String> = grade["strategy"]["matrix"]["partition"]
        .as_array()
        .expect("a matrix of partitions")
        .iter()
        .map(|k| k.to_string())
        .collect();
    let total = shares.len().to_string();
    assert!(shares.len() >= 2, "a matrix of one share fans nothing out");

    let submissions = text(&workflow["env"]["SUBMISSIONS"], "env.SUBMISSIONS");
    let assignment = text(&workflow["env"]["ASSIGNMENT"], "env.ASSIGNMENT");
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    install_sockspec(&home);
    let repo = work.path().join("repo");
    lay_out_repository(&repo, submissions, assignment);

    let grade_step = github_step(grade, with_id("grade"), "grade");
    let upload = github_step(grade, uses("actions/upload-artifact@"), "upload");
    let store = work.path().join("artifacts");
    let mut jobs = Vec::new();
    for k in &shares {
        let values = [
            ("matrix.partition", k.clone()),
            ("strategy.job-total", total.clone()),
        ];
        let dir = work.path().join(format!("job-{k}"));
        copy_tree(&repo, &dir);
        let mut env = github_env(&workflow, grade_step, &values);
        env.push(("HOME".into(), home.display().to_string()));
        jobs.push(Job {
            dir,
            env,
            script: github_expand(text(&grade_step["run"], "run"), &values),
        });
    }
    run_all(&jobs, "grade job");
    for (k, job) in shares.iter().zip(&jobs) {
        let values = [("matrix.partition", k.clone())];
        let name = github_expand(text(&upload["with"]["name"], "artifact name"), &values);
        let path = github_expand(text(&upload["with"]["path"], "artifact path"), &values);
        copy_tree(&job.dir.join(path), &store.join(name));
    }

    let download = github_step(merge, uses("actions/download-artifact@"), "download");
    let pattern = text(&download["with"]["pattern"], "download pattern");
    let into = text(&download["with"]["path"], "download path");
    let merge_dir = work.path().join("merge");
    let mut downloaded = 0;
    for artifact in std::fs::read_dir(&store).unwrap() {
        let artifact = artifact.unwrap();
        if wildcard(pattern, &artifact.file_name().to_string_lossy()) {
            copy_tree(
                &artifact.path(),
                &merge_dir.join(into).join(artifact.file_name()),
            );
            downloaded += 1;
        }
    }
    assert_eq!(
        downloaded,
        shares.len(),
        "the merge job downloads every share"
    );
    let merge_step = github_step(merge, with_id("merge"), "merge");
    let mut env = github_env(&workflow, merge_step, &[]);
    env.push(("HOME".into(), home.display().to_string()));
    run_all(
        &[Job {
            dir: merge_dir.clone(),
            env,
            script: text(&merge_step["run"], "run").to_owned(),
        }],
        "merge job",
    );

    let publish = merge["steps"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|s| uses("actions/upload-artifact@")(s))
        .expect("the merge job publishes its outputs");
    let published: Vec<String> = text(&publish["with"]["path"], "published paths")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    check_published(
        &merge_dir,
        &published,
        &one_run_scores(submissions, assignment),
    );
}

// ---------------------------------------------------------------- GitLab

/// `$NAME` and `${NAME}` replaced from `vars`, as GitLab expands
/// variables in `artifacts:paths`.
fn gitlab_expand(text: &str, vars: &BTreeMap<String, String>) -> String {
    let re = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").unwrap();
    re.replace_all(text, |c: &regex::Captures| {
        vars.get(&c[1])
            .unwrap_or_else(|| panic!("`${}` in {text} has no value here", &c[1]))
            .clone()
    })
    .into_owned()
}

fn lines(v: &Value, what: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not a list: {v}"))
        .iter()
        .map(|l| text(l, what).to_owned())
        .collect()
}

/// A job's shell script: its template's `before_script` (less the line
/// that installs system packages, apt-get) and its own `script`.
fn gitlab_script(pipeline: &Value, job: &Value) -> String {
    let base = &pipeline[text(&job["extends"], "extends")];
    let before = lines(&base["before_script"], "before_script");
    assert!(
        before.iter().any(|l| l.contains("cargo install")),
        "the jobs no longer build sockspec in before_script"
    );
    before
        .into_iter()
        .filter(|l| !l.contains("apt-get"))
        .chain(lines(&job["script"], "script"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn gitlab_parallel_grades_the_class_as_one_run_does() {
    let _one = one_class_at_a_time();
    let pipeline = yaml(&template("gitlab-ci.yml"));
    let grade = &pipeline["grade"];
    let merge = &pipeline["merge"];
    let total = grade["parallel"]
        .as_u64()
        .expect("`parallel: N` on the grade job");
    assert!(total >= 2, "parallel: 1 fans nothing out");
    assert!(
        merge["needs"]
            .as_array()
            .expect("merge needs the grade jobs")
            .iter()
            .any(|n| n == "grade" || n["job"] == "grade"),
        "the merge job must wait for every share"
    );

    let variables: BTreeMap<String, String> = pipeline["variables"]
        .as_object()
        .expect("top-level variables")
        .iter()
        .map(|(k, v)| (k.clone(), text(v, k).to_owned()))
        .collect();
    let submissions = &variables["SUBMISSIONS"];
    let assignment = &variables["ASSIGNMENT"];
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    lay_out_repository(&repo, submissions, assignment);

    let script = gitlab_script(&pipeline, grade);
    let mut jobs = Vec::new();
    for k in 1..=total {
        // CI_NODE_INDEX counts from 1.
        let mut vars = variables.clone();
        vars.insert("CI_NODE_INDEX".into(), k.to_string());
        vars.insert("CI_NODE_TOTAL".into(), total.to_string());
        let dir = work.path().join(format!("job-{k}"));
        copy_tree(&repo, &dir);
        install_sockspec(&dir);
        jobs.push(Job {
            dir,
            env: vars.into_iter().collect(),
            script: script.clone(),
        });
    }
    run_all(&jobs, "grade job");

    // GitLab restores a needed job's artifacts at their paths.
    let merge_dir = work.path().join("merge");
    for job in &jobs {
        let vars: BTreeMap<String, String> = job.env.iter().cloned().collect();
        for path in lines(&grade["artifacts"]["paths"], "artifacts:paths") {
            let path = gitlab_expand(&path, &vars);
            copy_tree(&job.dir.join(&path), &merge_dir.join(&path));
        }
    }
    install_sockspec(&merge_dir);
    run_all(
        &[Job {
            dir: merge_dir.clone(),
            env: variables.clone().into_iter().collect(),
            script: gitlab_script(&pipeline, merge),
        }],
        "merge job",
    );
    let published: Vec<String> = lines(&merge["artifacts"]["paths"], "artifacts:paths")
        .iter()
        .map(|p| gitlab_expand(p, &variables))
        .collect();
    check_published(
        &merge_dir,
        &published,
        &one_run_scores(submissions, assignment),
    );
}
