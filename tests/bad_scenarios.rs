//! Scenario files a teacher gets wrong, and what `sockspec check` tells
//! them: each `tests/bad-scenarios/NAME.yaml` is a scenario with one
//! mistake (its first line, a comment, says which), and `NAME.err` beside
//! it is exactly what `sockspec check tests/bad-scenarios/NAME.yaml` prints
//! on stderr, run from the crate's folder: the message, file:line:column,
//! the line with a caret, the help. It must exit with 2 and print nothing
//! on stdout.
//!
//! When a message changes on purpose, `SOCKSPEC_BLESS=1 cargo test --test
//! bad_scenarios` writes what the tool prints now into the `.err` files
//! (and creates those of new files); `git diff tests/bad-scenarios` then
//! shows what changed.
//!
//! The files are listed when this test is compiled (rstest `#[files]`):
//! after adding one, `touch tests/bad_scenarios.rs`;
//! `every_bad_scenario_has_its_error` fails until then, naming it.

mod common;

use std::path::{Path, PathBuf};

use rstest::rstest;

const FOLDER: &str = "tests/bad-scenarios";

/// Whether to write the expected texts instead of comparing with them.
fn blessing() -> bool {
    std::env::var_os("SOCKSPEC_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The file's path as given to `sockspec check` (relative, as a teacher
/// types it, so that the messages are the same on every machine).
fn relative(path: &Path) -> String {
    format!("{FOLDER}/{}", path.file_name().unwrap().to_string_lossy())
}

#[rstest]
fn each_bad_scenario_gives_its_error(#[files("tests/bad-scenarios/*.yaml")] path: PathBuf) {
    let file = relative(&path);
    let output = common::sockspec()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "C")
        .args(["check", &file])
        .output()
        .expect("sockspec runs");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 on stderr");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(2),
        "sockspec check {file} must exit with 2; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.is_empty(),
        "{file}: nothing on stdout; got:\n{stdout}"
    );
    let expected = path.with_extension("err");
    if blessing() {
        std::fs::write(&expected, &stderr).unwrap();
        return;
    }
    let Ok(want) = std::fs::read_to_string(&expected) else {
        panic!(
            "{file} has no {}; SOCKSPEC_BLESS=1 cargo test --test bad_scenarios writes it. \
             sockspec check prints:\n{stderr}",
            relative(&expected)
        );
    };
    if stderr != want {
        let (n, (got, wanted)) = stderr
            .lines()
            .chain(std::iter::repeat("<end>"))
            .zip(want.lines().chain(std::iter::repeat("<end>")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((0, ("<the same lines>", "<the same lines>")));
        panic!(
            "sockspec check {file} prints other than {}: line {} is\n  {got:?}\nnot\n  {wanted:?}\n\
             all of it:\n{stderr}\n(SOCKSPEC_BLESS=1 cargo test --test bad_scenarios to accept it)",
            relative(&expected),
            n + 1
        );
    }
}

/// Every `.yaml` has its `.err`, every `.err` its `.yaml`, nothing else
/// is in the folder, every file is a case of the test above, and the
/// mistakes are many.
#[test]
fn every_bad_scenario_has_its_error() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(FOLDER);
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut wrong = Vec::new();
    let mut yaml = Vec::new();
    for name in &names {
        match name.rsplit_once('.') {
            Some((stem, "yaml")) => {
                yaml.push(stem.to_owned());
                if !blessing() && !names.contains(&format!("{stem}.err")) {
                    wrong.push(format!("{FOLDER}/{name} has no {stem}.err"));
                }
            }
            Some((stem, "err")) => {
                if !names.contains(&format!("{stem}.yaml")) {
                    wrong.push(format!("{FOLDER}/{name} has no {stem}.yaml"));
                }
            }
            _ if name == "README.md" => {}
            _ => wrong.push(format!(
                "{FOLDER}/{name}: the folder holds NAME.yaml, NAME.err and README.md only"
            )),
        }
    }
    let listed = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--list",
            "--format",
            "terse",
            "each_bad_scenario_gives_its_error::",
        ])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    for stem in &yaml {
        let case: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !listed
            .lines()
            .any(|l| l.ends_with(&format!("_bad_scenarios_{case}_yaml: test")))
        {
            wrong.push(format!(
                "{FOLDER}/{stem}.yaml was added after tests/bad_scenarios.rs was compiled, \
                 and is not run: touch tests/bad_scenarios.rs"
            ));
        }
    }
    assert!(
        yaml.len() >= 12,
        "at least 12 mistakes; {} here",
        yaml.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
