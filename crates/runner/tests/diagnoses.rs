//! Each diagnosis the runner can make, made by the fixture that shows it:
//! two ends that both wait to receive, a loop on b'', a server that leaks
//! its connection sockets, a wrong bind address, and the exceptions homework
//! dies of. Each failure also carries the timeline of its exchange.

use std::path::PathBuf;

use rstest::rstest;
use sockspec_model::{Contract, Role};
use sockspec_runner::{
    Actor, BindProblem, BlockedCall, Diagnosis, Event, Failure, Happening, Program, RunConfig,
    Status, Timing,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The failure of one built-in scenario against one fixture.
async fn failure(
    role: Role,
    fixture: &str,
    args: &str,
    reply: &str,
    id: &str,
) -> (Status, Failure) {
    let (scenarios, errors) = sockspec_model::load_paths(&[root().join("scenarios")]);
    assert!(errors.is_empty(), "{errors:?}");
    let scenarios: Vec<_> = scenarios.into_iter().filter(|s| s.id == id).collect();
    assert_eq!(scenarios.len(), 1, "no scenario {id}");
    let fixture = root().join("tests/fixtures").join(fixture);
    let config = RunConfig {
        programs: vec![Program {
            role,
            command: format!("python3 {} {args}", fixture.display()),
            contract: Contract {
                reply: reply.parse().unwrap(),
                ..Contract::default()
            },
            cwd: Some(fixture.parent().unwrap().to_path_buf()),
            port: None,
            budget: None,
            missing: None,
            sandbox: None,
            server: None,
            network: None,
        }],
        target_label: "fixture".into(),
        host: std::net::Ipv4Addr::LOCALHOST,
        jobs: 1,
        strict: true,
        timing: Timing::default(),
        seed: sockspec_runner::DEFAULT_SEED,
        cases: None,
        retries: 0,
        command_line: String::new(),
        builds: Vec::new(),
        share: true,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    sockspec_runner::run(scenarios, config, tx).await;
    while let Some(e) = rx.recv().await {
        if let Event::ScenarioFinished(r) = e {
            let f = r
                .failure
                .unwrap_or_else(|| panic!("{id} passed: {:?}", r.why));
            return (r.status, f);
        }
    }
    panic!("no result")
}

const T: &str = "{port}";
const C: &str = "{host} {port}";

#[tokio::test(flavor = "multi_thread")]
async fn two_ends_waiting_to_receive() {
    let (_, f) = failure(
        Role::TcpServer,
        "tcp-server/recv_twice.py",
        T,
        "fixed:Thanks",
        "tcp-server/reply",
    )
    .await;
    let blocked = f.diagnoses.iter().find_map(|d| match d {
        Diagnosis::Blocked {
            call: BlockedCall::Recv,
            socket: Some(s),
            ..
        } => Some(s.clone()),
        _ => None,
    });
    let s = blocked.unwrap_or_else(|| panic!("{:#?}", f.diagnoses));
    assert_eq!(
        (s.proto, s.state, s.rx_queue, s.tx_queue),
        ("tcp", "ESTABLISHED", 0, 0),
        "{s:?}"
    );
    assert!(s.peer.is_some());
    // The timeline shows the message going out and nothing coming back.
    assert!(
        f.timeline
            .iter()
            .any(|e| matches!(&e.what, Happening::Sent { .. })),
        "{:#?}",
        f.timeline
    );
    assert!(
        f.timeline
            .iter()
            .any(|e| matches!(&e.what, Happening::Waited { .. })),
        "{:#?}",
        f.timeline
    );
    assert!(
        matches!(f.timeline[0].what, Happening::Started { .. }),
        "{:#?}",
        f.timeline
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_loop_on_an_empty_recv_spins() {
    let (_, f) = failure(
        Role::TcpServer,
        "tcp-server/eof_spinner.py",
        T,
        "fixed:Thanks",
        "tcp-server/peer-exit",
    )
    .await;
    assert!(
        f.diagnoses.iter().any(|d| matches!(
            d,
            Diagnosis::Spinning { after_peer_closed: true, cpu_percent, .. } if *cpu_percent >= 40
        )),
        "{:#?}",
        f.diagnoses
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_closes_leaks_sockets() {
    let (_, f) = failure(
        Role::TcpServer,
        "tcp-server/leaking_server.py",
        T,
        "fixed:Thanks",
        "tcp-server/closes-connections",
    )
    .await;
    let leak = f.diagnoses.iter().find_map(|d| match d {
        Diagnosis::LeakingSockets { counts, close_wait } => Some((counts.clone(), *close_wait)),
        _ => None,
    });
    let (counts, close_wait) = leak.unwrap_or_else(|| panic!("{:#?}", f.diagnoses));
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(counts.windows(2).all(|w| w[1] > w[0]), "{counts:?}");
    assert_eq!(close_wait, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_on_the_wrong_port_is_found_where_it_is() {
    let (status, f) = failure(
        Role::TcpServer,
        "hostile/wrong_port.py",
        T,
        "any",
        "tcp-server/reply",
    )
    .await;
    // It ran and never listened where it must: its failure, not an error.
    assert_eq!(status, Status::Fail);
    assert!(
        f.diagnoses.iter().any(|d| matches!(
            d,
            Diagnosis::Bound { addr, problem: BindProblem::WrongPort { expected } } if addr.port() == expected + 1
        )),
        "{:#?}",
        f.diagnoses
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_bound_to_one_address_is_told_to_bind_all() {
    let (_, f) = failure(
        Role::BroadcastReceiver,
        "broadcast-receiver/broadcast_receiver_localhost.py",
        T,
        "any",
        "broadcast-receiver/receives",
    )
    .await;
    assert!(
        f.diagnoses.iter().any(|d| matches!(
            d,
            Diagnosis::Bound { problem: BindProblem::NotAllAddresses, addr } if !addr.ip().is_unspecified()
        )),
        "{:#?}",
        f.diagnoses
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_ignores_the_quit_line_is_blocked_in_recv() {
    let (_, f) = failure(
        Role::TcpClient,
        "tcp-client/tcp_client_no_quit.py",
        C,
        "fixed:Thanks",
        "tcp-client/quit",
    )
    .await;
    assert!(
        f.diagnoses.iter().any(|d| matches!(
            d,
            Diagnosis::Blocked {
                call: BlockedCall::Recv,
                ..
            }
        )),
        "{:#?}",
        f.diagnoses
    );
    assert!(
        f.timeline
            .iter()
            .any(|e| matches!(e.actor, Actor::Harness(_)) && e.what == Happening::Accepted)
    );
}

#[rstest]
#[case::address_in_use(
    Role::TcpServer,
    "tcp-server/no_reuseaddr.py",
    T,
    "fixed:Thanks",
    "tcp-server/restart",
    "OSError",
    "Errno 98"
)]
#[case::connection_reset(
    Role::TcpServer,
    "tcp-server/no_except.py",
    T,
    "fixed:Thanks",
    "tcp-server/vanish-reset",
    "ConnectionResetError",
    ""
)]
#[case::broken_pipe(
    Role::TcpServer,
    "tcp-server/no_break.py",
    T,
    "fixed:Thanks",
    "tcp-server/peer-exit",
    "BrokenPipeError",
    ""
)]
#[case::unicode(
    Role::TcpServer,
    "tcp-server/decode_crash.py",
    T,
    "fixed:Thanks",
    "tcp-server/non-utf8",
    "UnicodeDecodeError",
    ""
)]
#[case::no_so_broadcast(
    Role::BroadcastSender,
    "broadcast-sender/broadcast_no_so_broadcast.py",
    "{broadcast} {port}",
    "any",
    "broadcast-sender/reaches-all",
    "PermissionError",
    "Errno 13"
)]
#[case::empty_request(
    Role::HttpServer,
    "http-server/empty_request_crash.py",
    T,
    "any",
    "http-server/preconnect",
    "IndexError",
    ""
)]
#[case::no_content_length(
    Role::HttpClient,
    "http-client/content_length_client.py",
    C,
    "any",
    "http-client/close-delimited",
    "KeyError",
    ""
)]
#[case::no_file(
    Role::HttpServer,
    "http-server/file_not_found_crash.py",
    T,
    "any",
    "http-server/not-found",
    "FileNotFoundError",
    ""
)]
#[tokio::test(flavor = "multi_thread")]
async fn the_exception_that_killed_the_program_is_named(
    #[case] role: Role,
    #[case] fixture: &str,
    #[case] args: &str,
    #[case] reply: &str,
    #[case] id: &str,
    #[case] class: &str,
    #[case] detail: &str,
) {
    let (_, f) = failure(role, fixture, args, reply, id).await;
    let found = f.diagnoses.iter().find_map(|d| match d {
        Diagnosis::Exception {
            class: c,
            detail: d,
            at,
            ..
        } => Some((c.clone(), d.clone(), at.clone())),
        _ => None,
    });
    let (c, d, at) = found.unwrap_or_else(|| panic!("{id}: {:#?}", f.diagnoses));
    assert_eq!(c, class, "{id}");
    assert!(d.contains(detail), "{id}: {d}");
    let at = at.unwrap_or_default();
    assert!(at.contains(".py, line "), "{id}: {at}");
}
