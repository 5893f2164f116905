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
