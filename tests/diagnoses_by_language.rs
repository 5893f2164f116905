//! Diagnoses by language, end to end: Python 2 code run by python3,
//! written in a temporary folder and graded by the binary. The report must
//! say what language the program is in and diagnose it in that language's
//! terms, in both languages.

mod common;

use std::path::Path;

use common::run_json;
use serde_json::Value;

/// The report of `target` (run in `dir`) under scenario `only`, in JSON,
/// and the one result's failure.
fn failure(dir: &Path, target: &str, only: &str) -> Value {
    let dir = dir.to_str().expect("a UTF-8 path");
    let (_, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        target,
        "--reply",
        "fixed:Thanks",
        "--cwd",
        dir,
        "--only",
        only,
    ]);
    report["results"][0]["failure"].clone()
}

/// The diagnosis of `kind` in `failure`, or a panic that shows them all.
fn diagnosis<'a>(failure: &'a Value, kind: &str) -> &'a Value {
    failure["diagnoses"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} in {failure:#}"))
}

#[test]
fn python2_code_run_by_python3_is_said_to_be_python2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("server.py"),
        "import socket, sys\ns = socket.socket()\nprint \"listening on\", sys.argv[1]\n",
    )
    .unwrap();
    let f = failure(
        dir.path(),
        "python3 server.py {port}",
        "tcp-server/peer-exit",
    );
    assert_eq!(f["target"]["language"], "python2", "{f:#}");
    let d = diagnosis(&f, "python2");
    assert_eq!(d["sign"], "print_statement");
    assert_eq!(d["at"]["line"], 3);
    let en = d["text"]["en"].as_str().unwrap();
    assert!(
        en.contains("this is Python 2 code (a print statement"),
        "{en}"
    );
    assert!(en.contains("run it with python2, or port it"), "{en}");
    let zh = d["text"]["zh"].as_str().unwrap();
    assert!(zh.contains("这是 Python 2 的代码"), "{zh}");
    // The generic exception advice is replaced, not added to.
    assert!(
        !f["diagnoses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "exception"),
        "{f:#}"
    );
}
