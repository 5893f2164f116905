//! Programs nobody here wrote, graded by the suite: socat as an echo server
//! must pass every scenario that applies to an echo server. (.ci/run installs
//! socat; without it this test fails and says so, rather than passing
//! silently.)

mod common;

use common::{ids_with, run_json};

#[test]
fn socat_echo_server_passes_the_echo_suite() {
    assert!(
        std::process::Command::new("socat")
            .arg("-V")
            .output()
            .is_ok(),
        "socat is not installed (apt-get install socat; .ci/run does)"
    );
    let (code, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        "socat TCP-LISTEN:{port},bind={host},reuseaddr,fork EXEC:cat",
        "--reply",
        "echo",
        "--strict",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert!(ids_with(&report, "fail").is_empty(), "{report:#}");
    assert!(ids_with(&report, "pass").len() >= 8, "{report:#}");
}

fn installed(program: &str, version_flag: &str) {
    assert!(
        std::process::Command::new(program)
            .arg(version_flag)
            .output()
            .is_ok(),
        "{program} is not installed (apt-get install {program}; .ci/run does)"
    );
}

#[test]
fn curl_is_a_well_formed_http_client() {
    installed("curl", "--version");
    let (code, report) = run_json(&[
        "--role",
        "http-client",
        "--target",
        "curl --silent --show-error --max-time 20 http://{host}:{port}/",
        "--strict",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(ids_with(&report, "pass").len(), 4, "{report:#}");
}

/// Python's http.server passes every http-server scenario, recommended
/// ones included. It answers POST with 501 as soon as it has the head,
/// before the body has arrived: a whole error response, which a server
/// that does not take the method may send (a page rule is about GET).
#[test]
fn python_http_server_is_graded_with_a_page_rule() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        "<h1>Welcome to the course page</h1>\n",
    )
    .unwrap();
    let (code, report) = run_json(&[
        "--role",
        "http-server",
        "--target",
        "python3 -m http.server {port} --bind {host}",
        "--cwd",
        site.path().to_str().unwrap(),
        "--page",
        "/=200:Welcome",
        "--page",
        "/no-such-page.html=404",
        "--strict",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert!(ids_with(&report, "fail").is_empty(), "{report:#}");
    assert!(ids_with(&report, "pass").len() >= 8, "{report:#}");
    // The same server, held to a page it does not serve, fails for that reason.
    let (_, report) = run_json(&[
        "--role",
        "http-server",
        "--target",
        "python3 -m http.server {port} --bind {host}",
        "--cwd",
        site.path().to_str().unwrap(),
        "--page",
        "/=200:Goodbye",
        "tests/../scenarios/http-server/get.yaml",
    ]);
    let message = common::result(&report, "http-server/get")["message"].to_string();
    assert!(
        message.contains("does not match \\\"Goodbye\\\""),
        "{message}"
    );
}
