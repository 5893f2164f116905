//! The scenarios drafted for the other roles (issue 3) are not in the
//! built-in suite yet: they have no reference peers and too few buggy
//! fixtures to prove every scenario twice. These tests keep them honest
//! meanwhile: they load, a correct program of each role passes them, and
//! the buggy drafts fail what they should. Deadlines are tripled here: these
//! runs share the machine with the whole matrix, and a draft's verdict must
//! not hang on a busy moment (seen once: a udp-client scenario under load).

mod common;

use common::{ids_with, run_json};
use rstest::rstest;

fn draft(path: &str) -> String {
    format!("{}/drafts/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[rstest]
#[case::tcp_client("tcp-client", "tcp_client.py", "{host} {port}", &[])]
#[case::tcp_client_newline("tcp-client", "tcp_client_newline.py", "{host} {port}",
    &["tcp-client/lines", "tcp-client/quit", "tcp-client/server-leaves", "tcp-client/server-resets"])]
#[case::udp_server("udp-server", "udp_server.py", "{port}", &[])]
#[case::udp_batching("udp-server", "udp_batching.py", "{port}", &["udp-server/burst"])]
#[case::udp_client("udp-client", "udp_client.py", "{host} {port}", &[])]
#[case::broadcast_sender("broadcast-sender", "broadcast_sender.py", "{broadcast} {port}", &[])]
#[case::broadcast_receiver("broadcast-receiver", "broadcast_receiver.py", "{port}", &[])]
fn draft_roles(#[case] role: &str, #[case] file: &str, #[case] args: &str, #[case] fails: &[&str]) {
    let target = format!(
        "python3 {} {args}",
        draft(&format!("fixtures/{role}/{file}"))
    );
    let scenarios = format!("{}/scenarios/{role}", env!("CARGO_MANIFEST_DIR"));
    let (code, report) = run_json(&[
        &scenarios,
        "--role",
        role,
        "--target",
        &target,
        "--reply",
        "fixed:Thanks",
        "--strict",
        "--time-scale",
        "3",
    ]);
    assert_eq!(ids_with(&report, "fail"), fails, "{report:#}");
    assert!(ids_with(&report, "error").is_empty(), "{report:#}");
    assert_eq!(code, if fails.is_empty() { 0 } else { 1 }, "{report:#}");
}
