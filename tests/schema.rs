//! `sockspec schema`: the committed schemas are what the binary prints, and
//! they say yes to every file the suite ships (each built-in scenario, each
//! example assignment) and no to the malformed files of
//! `tests/bad-scenarios/` whose fault is one of shape (an unknown key, a
//! wrong type, a misspelt name), checked by an independent validator.
//! Faults that need the whole file (a connection used before it is opened)
//! are the loader's, and the schema must not reject those files.

mod common;

use std::path::{Path, PathBuf};

use common::sockspec;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What `sockspec schema KIND` prints.
fn printed(kind: &str) -> String {
    let out = sockspec()
        .args(["schema", kind])
        .output()
        .expect("sockspec runs");
    assert!(
        out.status.success(),
        "sockspec schema {kind} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the schema is UTF-8")
}

fn validator(kind: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&printed(kind)).expect("the schema is JSON");
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{kind} schema is invalid: {e}"))
}

/// A YAML file as JSON, read the way the loader reads it (`yes` is text).
fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// The schema's complaints about a file, one line each.
fn complaints(v: &jsonschema::Validator, path: &Path) -> Vec<String> {
    let doc = yaml(path);
    v.iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
    out.sort();
}

#[test]
fn committed_schemas_are_what_the_binary_prints() {
    for kind in ["scenario", "assignment"] {
        let file = root().join(format!("docs/schema/{kind}.schema.json"));
        let committed = std::fs::read_to_string(&file).unwrap();
        assert!(
            committed == printed(kind),
            "{} is out of date; regenerate it with\n  \
             cargo run -- schema {kind} --out docs/schema/{kind}.schema.json",
            file.display()
        );
    }
}

#[test]
fn out_writes_the_same_schema_and_a_bad_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.json");
    sockspec()
        .args(["schema", "assignment", "--out"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        printed("assignment")
    );

    let out = sockspec()
        .args(["schema", "scenario", "--out"])
        .arg(dir.path().join("no/such/dir/s.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write"), "{err}");

    sockspec().args(["schema", "suite"]).assert().code(2);
}

#[test]
fn every_built_in_scenario_fits_the_schema() {
    let v = validator("scenario");
    let mut files = Vec::new();
    yaml_files(&root().join("scenarios"), &mut files);
    assert!(
        files.len() >= 40,
        "only {} scenario files found",
        files.len()
    );
    let bad: Vec<String> = files
        .iter()
        .flat_map(|f| {
            complaints(&v, f)
                .into_iter()
                .map(move |c| format!("{}: {c}", f.display()))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_example_assignment_fits_the_schema_and_names_it() {
    let v = validator("assignment");
    let mut files = Vec::new();
    yaml_files(&root().join("assignments"), &mut files);
    assert!(!files.is_empty());
    for f in &files {
        let bad = complaints(&v, f);
        assert!(bad.is_empty(), "{}:\n{}", f.display(), bad.join("\n"));
        let first = std::fs::read_to_string(f).unwrap();
        let first = first.lines().next().unwrap_or("");
        assert_eq!(
            first,
            "# yaml-language-server: $schema=../docs/schema/assignment.schema.json",
            "{} does not name its schema on its first line",
            f.display()
        );
    }
}

/// The malformed files whose fault is one of shape, each with the text at
/// fault and its fix: the schema must reject the file as it is and accept
/// it (as must the loader) once that one text is fixed, so it is rejected
/// for that fault and no other.
const SHAPE_FAULTS: [(&str, &str, &str); 15] = [
    ("unknown-key", "chunk:", "chunks:"),
    ("unknown-top-key", "description:", "title:"),
    ("wrong-type", "count: two", "count: 2"),
    ("unknown-step", "sned:", "send:"),
    ("unknown-role", "tcp-sever", "tcp-server"),
    ("unknown-level", "optional", "recommended"),
    ("unknown-framing", "[lines]", "[line]"),
    ("yes-is-not-true", "framed: yes", "framed: true"),
    ("two-payloads", r#", hex: "68656c6c6f""#, ""),
    ("bad-hex", "ff zz", "ff 00"),
    ("odd-hex", "fffe0", "fffe00"),
    ("chunk-zero", "2, 0, 3", "2, 1, 3"),
    ("repeat-zero", "repeat: 0", "repeat: 2"),
    (
        "missing-concept",
        "level: required\n",
        "level: required\nconcept: c\n",
    ),
    (
        "missing-role",
        "level: required\n",
        "role: tcp-server\nlevel: required\n",
    ),
];

/// Malformed files whose fault needs more than a file's shape to see.
const LOADER_FAULTS: [&str; 8] = [
    "used-before-connect",
    "used-after-close",
    "connected-twice",
    "closed-still-open",
    "step-of-another-role",
    "id-of-another-role",
    "property-of-another-role",
    "empty-bounds",
];

#[test]
fn shape_faults_are_rejected_by_the_schema_and_loader_faults_are_left_to_the_loader() {
    let v = validator("scenario");
    let dir = root().join("tests/bad-scenarios");
    let fixed_dir = tempfile::tempdir().unwrap();
    for (name, fault, fix) in SHAPE_FAULTS {
        let file = dir.join(format!("{name}.yaml"));
        let bad = complaints(&v, &file);
        assert!(!bad.is_empty(), "the schema accepts {name}.yaml");

        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(fault), "{name}.yaml no longer has `{fault}`");
        let fixed = fixed_dir.path().join(format!("{name}.yaml"));
        std::fs::write(&fixed, text.replacen(fault, fix, 1)).unwrap();
        let left = complaints(&v, &fixed);
        assert!(
            left.is_empty(),
            "{name}.yaml with `{fault}` fixed still does not fit the schema:\n{}",
            left.join("\n")
        );
        sockspec().arg("check").arg(&fixed).assert().success();
    }
    for name in LOADER_FAULTS {
        let bad = complaints(&v, &dir.join(format!("{name}.yaml")));
        assert!(
            bad.is_empty(),
            "the schema rejects {name}.yaml, which only the loader can judge:\n{}",
            bad.join("\n")
        );
    }
}

/// A structurally wrong assignment: an unknown role, a reply rule that is
/// not one, a budget of no time.
#[test]
fn a_malformed_assignment_is_rejected_where_it_is_wrong() {
    let v = validator("assignment");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hw.yaml");
    std::fs::write(
        &file,
        "assignment: hw\nbudget_s: 0\nprograms:\n  tcp-server:\n    command: python3 s.py {port}\n    \
         reply: thanks\n  tcp-sever:\n    command: python3 s.py\n",
    )
    .unwrap();
    let bad = complaints(&v, &file).join("\n");
    for at in ["/budget_s", "/programs/tcp-server/reply", "tcp-sever"] {
        assert!(bad.contains(at), "nothing said about {at}:\n{bad}");
    }
}
