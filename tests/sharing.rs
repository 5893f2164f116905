//! A started program handed from one scenario to the next: a server that
//! passed and was left idle serves the next scenario of its role, a
//! scenario that kills or restarts its program always gets its own, and a
//! try on a handed-over program that does not pass is played again on a
//! fresh one, whose verdict it is. (The verdict matrix runs every case both
//! ways and compares; this shows each part of the rule on its own.)

mod common;

use common::{fixture, result, run_json};
use serde_json::Value;

/// `sockspec run` of a server's program (`python3 PROGRAM {port}`).
fn run(role: &str, program: &str, fresh: bool, only: &[&str]) -> (i32, Value) {
    play(
        role,
        &format!("python3 {program} {{port}}"),
        fresh,
        only,
        &[],
    )
}

/// `sockspec run --role ROLE --target TARGET` with `--fresh`, `--only`s and
/// EXTRA arguments.
fn play(role: &str, target: &str, fresh: bool, only: &[&str], extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "--role",
        role,
        "--reply",
        "fixed:Thanks",
        "--target",
        target,
    ];
    if fresh {
        args.push("--fresh");
    }
    for id in only {
        args.extend(["--only", id]);
    }
    args.extend(extra);
    run_json(&args)
}

fn results(report: &Value) -> &Vec<Value> {
    report["results"].as_array().expect("results")
}

/// A correct server is started a few times for the whole suite, not once
/// per scenario, and every scenario played on a handed-over program passed
/// there. (A course-style one, which a reset crashes, saves fewer: each
/// failure ends its program, and how many passes follow it is a matter of
/// which lane gets there first.)
#[test]
fn an_idle_server_serves_the_next_scenario() {
    let server = fixture("tcp-server", "thanks_server.py")
        .display()
        .to_string();
    let (code, shared) = run("tcp-server", &server, false, &[]);
    assert_eq!(code, 0, "{shared:#}");
    let saved = shared["summary"]["starts_saved"].as_u64().unwrap();
    assert!(saved >= 3, "only {saved} starts saved: {shared:#}");
    for r in results(&shared).iter().filter(|r| r["shared"] == true) {
        assert_eq!(r["status"], "pass", "{r:#}");
        assert_eq!(r["starts"], 0, "{r:#}");
    }
    // The scenario that restarts the program has its own.
    let restart = result(&shared, "tcp-server/restart");
    assert_eq!(restart["shared"], false, "{restart:#}");
    assert_eq!(restart["starts"], 2, "{restart:#}");

    let (fresh_code, fresh) = run("tcp-server", &server, true, &[]);
    assert_eq!(fresh_code, 0);
    assert_eq!(fresh["summary"]["starts_saved"], 0);
    assert!(results(&fresh).iter().all(|r| r["shared"] == false));
    let starts = |r: &Value| r["summary"]["starts"].as_u64().unwrap();
    assert_eq!(
        starts(&shared) + saved,
        starts(&fresh),
        "every start saved is one the fresh run makes"
    );
}

/// A UDP server that answers only the first client it ever heard: on a
/// program an earlier scenario used, even the one-client scenario fails.
/// That failure is not the verdict; the scenario is played again on a
/// fresh program, and passes, as it does with --fresh.
#[test]
fn a_failure_on_a_handed_over_program_is_played_again_on_a_fresh_one() {
    let server = fixture("udp-server", "udp_first_client.py")
        .display()
        .to_string();
    // Two scenarios of one client each, both passed by a fresh program:
    // whichever comes second meets a program that already has its client.
    let only = ["udp-server/reply", "udp-server/burst"];
    let (code, shared) = run("udp-server", &server, false, &only);
    let (fresh_code, fresh) = run("udp-server", &server, true, &only);
    assert_eq!(code, fresh_code);
    for r in results(&fresh) {
        let id = r["id"].as_str().unwrap();
        assert_eq!(result(&shared, id)["status"], r["status"], "{id}");
    }
    assert_eq!(code, 0, "both pass: {shared:#}");
    let replayed: Vec<&str> = results(&shared)
        .iter()
        .filter(|r| r["replayed"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(!replayed.is_empty(), "nothing was played again: {shared:#}");
    for r in results(&shared).iter().filter(|r| r["replayed"] == true) {
        assert_eq!(r["shared"], false, "the verdict is the fresh one's: {r:#}");
    }
}

/// `sockspec run` of a client's program (`python3 PROGRAM {host} {port}`).
fn client(role: &str, program: &str, fresh: bool, only: &[&str], extra: &[&str]) -> (i32, Value) {
    play(
        role,
        &format!("python3 {program} {{host}} {{port}}"),
        fresh,
        only,
        extra,
    )
}

/// Each case of a property is played on a fresh client or on the one that
/// passed the case before (where it waits for its next line); a case that
/// fails there is played again on a fresh one, so `starts + cases_went_on`
/// is the number of cases either way.
fn starts_and_went_on(r: &Value) -> (u64, u64) {
    (
        r["starts"].as_u64().unwrap(),
        r["cases_went_on"].as_u64().unwrap(),
    )
}

/// A client that passed a property case and waits in input() is typed the
/// next case, instead of being killed and started again; with --fresh,
/// every case has its own.
#[test]
fn a_client_waiting_for_its_next_line_is_typed_the_next_case() {
    for (role, program, id, framing) in [
        (
            "udp-client",
            "udp_client.py",
            "udp-client/datagram-lines",
            "none",
        ),
        (
            "tcp-client",
            "tcp_client_line.py",
            "tcp-client/reply-splitting",
            "line",
        ),
    ] {
        let program = fixture(role, program).display().to_string();
        let extra = ["--framing", framing, "--cases", "10"];
        let (code, shared) = client(role, &program, false, &[id], &extra);
        assert_eq!(code, 0, "{shared:#}");
        let r = result(&shared, id);
        let (starts, went_on) = starts_and_went_on(r);
        assert_eq!(starts + went_on, 10, "no case was played twice: {r:#}");
        assert!(went_on >= 1, "no case went on: {r:#}");
        assert_eq!(shared["summary"]["starts_saved"], went_on);

        let (fresh_code, fresh) = client(role, &program, true, &[id], &extra);
        assert_eq!(fresh_code, 0, "{fresh:#}");
        assert_eq!(starts_and_went_on(result(&fresh, id)), (10, 0));
    }
}

/// A client that ends by itself after its fifth line: each case (at most
/// four lines) passes on a fresh client, but a client that went on meets
/// its end in the middle of a case. That failure is not the verdict: the
/// case is played again on a fresh client, and the property passes, as it
/// does with --fresh.
#[test]
fn a_case_that_fails_on_a_client_that_went_on_is_played_again_on_a_fresh_one() {
    let program = fixture("udp-client", "udp_client_five_lines.py")
        .display()
        .to_string();
    let id = "udp-client/datagram-lines";
    let extra = ["--cases", "10"];
    let (code, shared) = client("udp-client", &program, false, &[id], &extra);
    let (fresh_code, fresh) = client("udp-client", &program, true, &[id], &extra);
    assert_eq!((code, fresh_code), (0, 0), "{shared:#}\n{fresh:#}");
    assert_eq!(result(&shared, id)["status"], "pass");
    assert_eq!(result(&fresh, id)["status"], "pass");
    let r = result(&shared, id);
    assert_eq!(r["replayed"], true, "no case was played again: {r:#}");
    let (starts, went_on) = starts_and_went_on(r);
    assert_eq!(starts + went_on, 10, "{r:#}");
    assert!(went_on >= 1, "{r:#}");
    assert_eq!(result(&fresh, id)["replayed"], false);
}

/// The harness's own reference peers run its binary, as the sandbox's
/// init does, but exec'd with their own arguments: they are looked at as
/// any program is. So the reference UDP client goes on from case to case
/// (it once was taken for the init, and every case waited to see it idle
/// before starting another), and an idle reference server serves the next
/// scenario.
#[test]
fn the_reference_peers_are_looked_at_like_any_program() {
    let id = "udp-client/datagram-lines";
    let (code, client) = run_json(&["--role", "udp-client", "--only", id, "--cases", "10"]);
    assert_eq!(code, 0, "{client:#}");
    let (starts, went_on) = starts_and_went_on(result(&client, id));
    assert_eq!(starts + went_on, 10, "{client:#}");
    assert!(
        went_on >= 1,
        "the reference client never went on: {client:#}"
    );

    let (code, server) = run_json(&["--role", "tcp-server", "--reply", "fixed:Thanks"]);
    assert_eq!(code, 0, "{server:#}");
    let saved = server["summary"]["starts_saved"].as_u64().unwrap();
    assert!(saved >= 3, "only {saved} starts saved: {server:#}");
}
