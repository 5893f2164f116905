//! The runner against real Python programs, without the binary: the events
//! come in the documented order and the verdicts follow the program's bugs.

use std::path::PathBuf;

use sockspec_model::{Contract, Framing, ReplyRule};
use sockspec_runner::{Event, Program, RunConfig, Status, Timing};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn grade(fixture: &str, reply: &str, framing: Framing) -> Vec<Event> {
    let (scenarios, errors) = sockspec_model::load_paths(&[root().join("scenarios/tcp-server")]);
    assert!(errors.is_empty(), "{errors:?}");
    let config = RunConfig {
        programs: vec![Program {
            role: sockspec_model::Role::TcpServer,
            command: format!(
                "python3 {} {{port}}",
                root()
                    .join("tests/fixtures/tcp-server")
                    .join(fixture)
                    .display()
            ),
            contract: Contract {
                reply: reply.parse::<ReplyRule>().unwrap(),
                framing,
                quit: String::new(),
                pages: Vec::new(),
            },
            cwd: None,
            port: None,
            budget: None,
            missing: None,
            sandbox: None,
            server: None,
            network: None,
        }],
        target_label: fixture.into(),
        host: std::net::Ipv4Addr::LOCALHOST,
        jobs: 4,
        strict: true,
        timing: Timing::default(),
        seed: sockspec_runner::DEFAULT_SEED,
        cases: None,
        retries: 0,
        command_line: "sockspec run".into(),
        builds: Vec::new(),
        share: true,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = sockspec_runner::run(scenarios, config, tx).await;
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    match events.last() {
        Some(Event::RunFinished { summary: s, .. }) => assert_eq!(*s, summary),
        other => panic!("the last event must be RunFinished, got {other:?}"),
    }
    events
}

fn verdicts(events: &[Event]) -> Vec<(String, Status, String)> {
    let mut v: Vec<(String, Status, String)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ScenarioFinished(r) => Some((r.id.clone(), r.status, format!("{:?}", r.why))),
            _ => None,
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correct_server_passes_and_events_are_in_order() {
    let events = grade("line_server.py", "fixed:Thanks", Framing::Line).await;
    assert!(matches!(
        events.first(),
        Some(Event::RunStarted { total: 14, .. })
    ));
    let started = events
        .iter()
        .filter(|e| matches!(e, Event::ScenarioStarted { .. }))
        .count();
    assert_eq!(started, 14);
    for (id, status, message) in verdicts(&events) {
        let ok = status == Status::Pass || (status == Status::Skip && id.contains("echo-"));
        assert!(ok, "{id}: {status:?} {message}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_reads_one_message_per_recv_fails_the_sticky_scenarios() {
    let events = grade("one_recv_line.py", "fixed:Thanks", Framing::Line).await;
    let failed: Vec<String> = verdicts(&events)
        .into_iter()
        .filter(|v| v.1 == Status::Fail)
        .map(|v| v.0)
        .collect();
    assert_eq!(
        failed,
        [
            "tcp-server/sticky-coalesced",
            "tcp-server/sticky-split",
            "tcp-server/stream-round-trip"
        ]
    );
}
