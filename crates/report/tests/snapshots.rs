//! Every line a user can see, pinned: a hand-built run (a pass, a counted
//! failure with a traceback, a non-UTF-8 reply, an error, a skip and a
//! recommended failure) rendered by each reporter and compared with the files
//! in tests/snapshots. Durations are off in the human report and zero in the
//! others. `UPDATE_SNAPSHOTS=1 cargo test -p sockspec-report` rewrites them.

use std::path::PathBuf;
use std::time::Duration;

use sockspec_model::{Bytes, Level, Role};
use sockspec_report::{Human, HumanOptions, Json, Junit, Reporter};
use sockspec_runner::{Event, Failure, ScenarioResult, Status, Summary, TargetReport};

fn result(
    id: &str,
    status: Status,
    level: Level,
    message: &str,
    failure: Option<Failure>,
) -> ScenarioResult {
    ScenarioResult {
        id: format!("tcp-server/{id}"),
        title: format!("the {id} scenario"),
        role: Role::TcpServer,
        level,
        counted: level == Level::Required,
        points: 1,
        status,
        duration: Duration::ZERO,
        message: message.into(),
        concept: "When one end exits, recv at the other end returns b''. Break out of the loop on b'' and go back to accept().".into(),
        file: format!("scenarios/tcp-server/{id}.yaml"),
        failure,
    }
}

fn events() -> Vec<Event> {
    let target = TargetReport {
        command: "python3 server.py 40001".into(),
        state: "exited with code 1".into(),
        stdout: "connected ('127.0.0.1', 51234)\nreceived b'hello'\n".into(),
        stderr: "Traceback (most recent call last):\n  File \"server.py\", line 12, in <module>\n    conn.send(b'Thanks')\nBrokenPipeError: [Errno 32] Broken pipe\n".into(),
    };
    let results = vec![
        result("reply", Status::Pass, Level::Required, "", None),
        result(
            "peer-exit",
            Status::Fail,
            Level::Required,
            "the connection was reset before the reply arrived",
            Some(Failure {
                step: 7,
                step_text: "expect a reply on b".into(),
                line: 17,
                sent: Some(Bytes(b"are you still there?".to_vec())),
                expected: Some("exactly \"Thanks\" (reply rule fixed)".into()),
                received: Some(Bytes(Vec::new())),
                target: Some(target.clone()),
            }),
        ),
        result(
            "echo-stream",
            Status::Fail,
            Level::Required,
            "the reply is not what the contract says",
            Some(Failure {
                step: 3,
                step_text: "expect a reply on a".into(),
                line: 9,
                sent: Some(Bytes(vec![0xff, 0xfe, b'a'])),
                expected: Some("the message itself (reply rule echo)".into()),
                received: Some(Bytes(vec![0xef, 0xbf, 0xbd])),
                target: None,
            }),
        ),
        result(
            "restart",
            Status::Error,
            Level::Required,
            "the target exited with code 2 before it listened on port 40001",
            Some(Failure {
                target: Some(target),
                ..Failure::default()
            }),
        ),
        result(
            "sticky-split",
            Status::Skip,
            Level::Required,
            "applies to framing line/len32 only; the contract says none",
            None,
        ),
        result(
            "non-utf8",
            Status::Fail,
            Level::Recommended,
            "the target is no longer running: it exited with code 1",
            None,
        ),
    ];
    let mut summary = Summary::default();
    let mut events = vec![Event::RunStarted {
        total: results.len(),
        target: "python3 server.py {port}".into(),
        contract: "--reply fixed:Thanks --framing none".into(),
    }];
    for r in results {
        summary.add(&r);
        events.push(Event::ScenarioStarted { id: r.id.clone() });
        events.push(Event::ScenarioFinished(Box::new(r)));
    }
    events.push(Event::RunFinished {
        summary,
        wall: Duration::ZERO,
    });
    events
}

fn render(mut reporter: impl Reporter) {
    for e in events() {
        reporter.event(&e).unwrap();
    }
}

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{name} differs from its snapshot");
}

#[test]
fn human_report() {
    let mut out = Vec::new();
    render(Human::new(
        &mut out,
        HumanOptions {
            color: false,
            durations: false,
            ..Default::default()
        },
    ));
    check("human.txt", &String::from_utf8(out).unwrap());
}

#[test]
fn human_report_in_colour_marks_verdicts() {
    let mut out = Vec::new();
    render(Human::new(
        &mut out,
        HumanOptions {
            color: true,
            durations: false,
            ..Default::default()
        },
    ));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\x1b[32mPASS"), "{text}");
    assert!(text.contains("\x1b[31mFAIL"), "{text}");
    assert!(text.contains("\x1b[33mWARN"), "{text}");
}

#[test]
fn json_report() {
    let mut out = Vec::new();
    render(Json::new(&mut out));
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["summary"]["failed"], 3);
    assert_eq!(doc["summary"]["counted_failed"], 2);
    assert_eq!(doc["summary"]["exit_code"], 2);
    let ids: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "results are sorted by id");
    check("report.json", &String::from_utf8(out).unwrap());
}

#[test]
fn junit_report() {
    let mut out = Vec::new();
    render(Junit::new(&mut out));
    check("junit.xml", &String::from_utf8(out).unwrap());
}
