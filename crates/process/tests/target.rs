//! Real processes, real sockets: spawn, readiness, exit, output, kill.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use sockspec_process::proc;
use sockspec_process::{
    ExitState, Readiness, ReadyError, Seen, Stream, Target, TargetError, TargetSpec,
    become_subreaper,
};
use tokio::time::Instant;

const LONG: Duration = Duration::from_secs(5);

fn soon() -> Instant {
    Instant::now() + LONG
}

fn tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spec(command: &str, port: u16) -> TargetSpec {
    TargetSpec {
        command: command.into(),
        port,
        ..TargetSpec::default()
    }
}

/// A one-client TCP server: accepts once, sends "first", exits.
const ONE_CLIENT: &str = r#"python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("bound", flush=True)
c, _ = s.accept()
c.sendall(b"first")
c.close()
' {port}"#;

#[tokio::test]
async fn tcp_ready_without_using_up_the_accept() {
    let port = tcp_port();
    let started = std::time::Instant::now();
    let mut t = Target::spawn(&spec(ONE_CLIENT, port)).await.unwrap();
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    eprintln!(
        "MEASURE spawn→ready (python3 -c TCP listener): {:?}",
        started.elapsed()
    );
    assert_eq!(t.ready_addr(), Some(([127, 0, 0, 1], port).into()));
    // Readiness did not connect: the single accept() is still ours.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(LONG)).unwrap();
    let mut got = Vec::new();
    conn.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"first");
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert!(t.output().stdout.contains("bound"));
    assert_eq!(t.kill().await, ExitState::Code(0));
}

#[tokio::test]
async fn exit_before_ready_reports_code_and_traceback() {
    let port = tcp_port();
    let cmd = r#"python3 -c '
import sys, traceback
print("starting")
try:
    1 / 0
except ZeroDivisionError:
    traceback.print_exc()
    sys.exit(3)
'"#;
    let mut t = Target::spawn(&spec(cmd, port)).await.unwrap();
    let started = Instant::now();
    let err = t
        .wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap_err();
    let waited = started.elapsed();
    eprintln!("MEASURE spawn→Exited (python3 -c exit 3): {waited:?}");
    assert!(
        waited < Duration::from_secs(3),
        "returned early: {waited:?}"
    );
    match err {
        ReadyError::Exited { state } => {
            assert_eq!(state, ExitState::Code(3));
            assert_eq!(state.to_string(), "exited with code 3");
        }
        other => panic!("{other:?}"),
    }
    let out = t.output();
    assert!(out.stdout.contains("starting"), "{out:?}");
    assert!(
        out.stderr.contains("Traceback") && out.stderr.contains("ZeroDivisionError"),
        "{out:?}"
    );
    assert_eq!(t.try_exit(), Some(ExitState::Code(3)));
}

/// Starts `cmd`, waits for it to print `bound` (so the socket state is
/// settled), then waits briefly for `what` and returns the timeout's message.
async fn not_ready_message(cmd: &str, port: u16, what: Readiness) -> Seen {
    let mut t = Target::spawn(&spec(cmd, port)).await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"bound", soon())
            .await,
        "{:?}",
        t.output()
    );
    let deadline = Instant::now() + Duration::from_millis(200);
    let err = t.wait_ready(what, deadline).await.unwrap_err();
    assert!(Instant::now() >= deadline);
    t.kill().await;
    match err {
        ReadyError::Timeout { waited, seen } => {
            assert!(waited >= Duration::from_millis(150), "{waited:?}");
            seen
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn hard_coded_port_is_named_in_the_timeout() {
    let port = tcp_port();
    let other = tcp_port();
    let cmd = format!(
        r#"python3 -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", {other}))
s.listen()
print("bound", flush=True)
time.sleep(100)
'"#
    );
    let seen = not_ready_message(&cmd, port, Readiness::TcpListen { port }).await;
    assert_eq!(
        seen,
        Seen::ListensElsewhere {
            addrs: vec![format!("127.0.0.1:{other}").parse().unwrap()],
            port
        }
    );
}

#[tokio::test]
async fn other_timeout_messages() {
    let port = tcp_port();
    let sleeper = r#"python3 -c '
print("bound", flush=True)
import time; time.sleep(100)
'"#;
    let seen = not_ready_message(sleeper, port, Readiness::TcpListen { port }).await;
    assert_eq!(seen, Seen::NoSocket(port));

    let port = udp_port();
    let udp = r#"python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("bound", flush=True)
time.sleep(100)
' {port}"#;
    let seen = not_ready_message(udp, port, Readiness::TcpListen { port }).await;
    assert_eq!(seen, Seen::UdpInsteadOfTcp(port));

    let port = tcp_port();
    let tcp = r#"python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("bound", flush=True)
time.sleep(100)
' {port}"#;
    let seen = not_ready_message(tcp, port, Readiness::UdpBound { port }).await;
    assert_eq!(seen, Seen::TcpInsteadOfUdp(port));
    let seen = not_ready_message(sleeper, port, Readiness::UdpBound { port }).await;
    assert_eq!(seen, Seen::NoUdpSocket(port));
}

#[tokio::test]
async fn udp_bound_is_ready() {
    let port = udp_port();
    let cmd = r#"python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
data, addr = s.recvfrom(100)
s.sendto(data.upper(), addr)
' {port}"#;
    let started = std::time::Instant::now();
    let mut t = Target::spawn(&spec(cmd, port)).await.unwrap();
    t.wait_ready(Readiness::UdpBound { port }, soon())
        .await
        .unwrap();
    eprintln!(
        "MEASURE spawn→ready (python3 -c UDP bind): {:?}",
        started.elapsed()
    );
    assert_eq!(t.ready_addr(), Some(([0, 0, 0, 0], port).into()));
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    u.set_read_timeout(Some(LONG)).unwrap();
    u.send_to(b"hi", ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 10];
    let n = u.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"HI");
    t.kill().await;
}

#[tokio::test]
async fn shell_wrapper_resolves_through_the_group() {
    let port = tcp_port();
    // `; true` keeps sh from exec'ing python: the listener is a grandchild.
    let cmd = r#"sh -c 'python3 -c "
import socket, sys, time
s = socket.socket()
s.bind((\"127.0.0.1\", int(sys.argv[1])))
s.listen()
time.sleep(100)
" {port}; true'"#;
    let mut t = Target::spawn(&spec(cmd, port)).await.unwrap();
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let pgid = t.pid() as i32;
    assert!(proc::group_pids(pgid).len() >= 2);
    assert_eq!(t.kill().await.to_string(), "killed by signal 9 (SIGKILL)");
    assert!(proc::group_pids(pgid).is_empty());
}

#[tokio::test]
async fn kill_leaves_nothing_of_the_group() {
    become_subreaper();
    // A background sleep, an orphaned one (its subshell exits at once, so
    // it is reparented to the harness while alive), and a foreground one.
    let cmd = "sh -c 'sleep 100 & (sleep 100 &) ; echo started; sleep 100'";
    let mut t = Target::spawn(&spec(cmd, 0)).await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"started", soon())
            .await
    );
    let pgid = t.pid() as i32;
    let members = proc::group_pids(pgid);
    assert!(members.len() >= 3, "{members:?}");
    let started = std::time::Instant::now();
    let state = t.kill().await;
    eprintln!(
        "MEASURE kill+reap of a 4-process group: {:?}",
        started.elapsed()
    );
    assert_eq!(state, ExitState::Signal(9));
    // Not even zombies: everything was reaped before kill returned.
    assert_eq!(proc::group_pids(pgid), Vec::<i32>::new());
    for pid in members {
        assert!(proc::stat(pid).is_none_or(|s| s.pgrp != pgid));
    }
    // Idempotent.
    assert_eq!(t.kill().await, ExitState::Signal(9));
    assert_eq!(t.try_exit(), Some(ExitState::Signal(9)));
}

#[tokio::test]
async fn kill_after_exit_still_clears_the_group() {
    become_subreaper();
    // The target exits at once, leaving a background child in its group.
    let mut t = Target::spawn(&spec("sh -c 'sleep 100 & echo started'", 0))
        .await
        .unwrap();
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    let pgid = t.pid() as i32;
    assert_eq!(proc::group_pids(pgid).len(), 1, "the sleep is still there");
    assert_eq!(t.kill().await, ExitState::Code(0));
    assert_eq!(proc::group_pids(pgid), Vec::<i32>::new());
    assert_eq!(t.output().stdout, "started\n");
}

#[tokio::test]
async fn drop_kills_the_group() {
    become_subreaper();
    let cmd = "sh -c 'sleep 100 & (sleep 100 &) ; echo started; sleep 100'";
    let t = Target::spawn(&spec(cmd, 0)).await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"started", soon())
            .await
    );
    let pgid = t.pid() as i32;
    assert!(proc::group_pids(pgid).len() >= 3);
    drop(t);
    // Drop reaps in the background: wait (bounded) until the group is gone.
    let deadline = Instant::now() + LONG;
    while !proc::group_pids(pgid).is_empty() {
        assert!(
            Instant::now() < deadline,
            "left: {:?}",
            proc::group_members(pgid)
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn ten_megabytes_keep_only_the_tail() {
    let cmd = r#"python3 -c '
import sys
data = b"".join(b"line %08d\n" % i for i in range(750_000))  # 14 bytes a line
sys.stdout.buffer.write(data + b"END\n")
sys.stderr.write("E" * 100)
'"#;
    let cap = 64 * 1024;
    let mut t = Target::spawn(&TargetSpec {
        output_cap: cap,
        ..spec(cmd, 0)
    })
    .await
    .unwrap();
    let started = std::time::Instant::now();
    // Generous: ~0.5 s alone, several seconds on two busy cores.
    let deadline = Instant::now() + Duration::from_secs(30);
    assert_eq!(t.wait_exit(deadline).await, Some(ExitState::Code(0)));
    eprintln!(
        "MEASURE 10.5 MB of stdout captured in {:?}",
        started.elapsed()
    );
    let out = t.output();
    let total = 14 * 750_000 + 4;
    assert_eq!(out.stdout.len(), cap);
    assert_eq!(out.stdout_dropped, total - cap);
    assert!(out.stdout.ends_with("line 00749999\nEND\n"));
    assert_eq!((out.stderr.len(), out.stderr_dropped), (100, 0));
}

#[tokio::test]
async fn output_waits_are_events_with_deadlines() {
    let cmd = r#"python3 -c '
import sys, time
time.sleep(0.3)
print("hello there")
sys.stderr.write("oops\n")
time.sleep(100)
'"#;
    let mut t = Target::spawn(&spec(cmd, 0)).await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"there", soon())
            .await
    );
    assert!(
        t.wait_output_contains(Stream::Stderr, b"oops", soon())
            .await
    );
    let deadline = Instant::now() + Duration::from_millis(100);
    assert!(
        !t.wait_output_contains(Stream::Stdout, b"never", deadline)
            .await
    );
    assert!(Instant::now() >= deadline);
    assert_eq!(
        t.wait_exit(Instant::now() + Duration::from_millis(50))
            .await,
        None
    );
    assert_eq!(t.try_exit(), None);
    t.kill().await;

    // A stream that ends without the needle ends the wait at once.
    let mut t = Target::spawn(&spec("echo done", 0)).await.unwrap();
    let started = Instant::now();
    assert!(
        !t.wait_output_contains(Stream::Stdout, b"never", soon())
            .await
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert_eq!(t.output().stdout, "done\n");
}

#[tokio::test]
async fn stdin_pipe_for_client_roles() {
    let cmd = r#"python3 -c '
import sys
for line in sys.stdin:
    print(line.strip().upper())
print("eof")
'"#;
    let mut t = Target::spawn(&TargetSpec {
        stdin: true,
        ..spec(cmd, 0)
    })
    .await
    .unwrap();
    t.write_stdin(b"hello\n").await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"HELLO", soon())
            .await
    );
    assert_eq!(t.try_exit(), None, "waiting must not have closed stdin");
    t.close_stdin().await;
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert_eq!(t.output().stdout, "HELLO\neof\n");
    assert!(matches!(
        t.write_stdin(b"x").await,
        Err(TargetError::StdinClosed)
    ));

    let mut t = Target::spawn(&spec("cat", 0)).await.unwrap();
    assert!(matches!(
        t.write_stdin(b"x").await,
        Err(TargetError::StdinNotPiped)
    ));
    // stdin is /dev/null: cat ends at once.
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
}

#[tokio::test]
async fn no_shell_means_no_injection() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Target::spawn(&TargetSpec {
        command: "echo {port}; touch PWNED".into(),
        port: 4242,
        cwd: Some(dir.path().to_path_buf()),
        ..TargetSpec::default()
    })
    .await
    .unwrap();
    assert_eq!(t.command_line(), "echo '4242;' touch PWNED");
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert_eq!(t.output().stdout, "4242; touch PWNED\n");
    assert!(!dir.path().join("PWNED").exists());

    // A hostile host value stays one argument.
    let mut t = Target::spawn(&TargetSpec {
        command: "python3 -c 'import sys; print(len(sys.argv), repr(sys.argv[1]))' '{host}:{port}'"
            .into(),
        host: "$(touch PWNED); `id` 'x".into(),
        port: 1,
        cwd: Some(dir.path().to_path_buf()),
        ..TargetSpec::default()
    })
    .await
    .unwrap();
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert_eq!(t.output().stdout, "2 \"$(touch PWNED); `id` 'x:1\"\n");
    assert!(!dir.path().join("PWNED").exists());
}

#[tokio::test]
async fn start_errors_are_explained() {
    let e = Target::spawn(&spec("no-such-program-xyz {port}", 1))
        .await
        .unwrap_err();
    assert!(matches!(e, TargetError::Spawn { .. }));
    assert!(e.to_string().contains("`no-such-program-xyz`"), "{e}");
    assert!(e.to_string().contains("not found on PATH"), "{e}");

    let e = Target::spawn(&TargetSpec {
        cwd: Some("/no/such/dir".into()),
        ..spec("true", 1)
    })
    .await
    .unwrap_err();
    assert!(matches!(e, TargetError::Cwd { .. }), "{e}");

    let e = Target::spawn(&spec("python3 s.py {prot}", 1))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown placeholder {prot} in the target command, did you mean {port}? \
         (known: {port}, {host}, {broadcast}; {{prot}} gives a literal {prot})"
    );
    assert!(matches!(
        Target::spawn(&spec("python3 'x", 1)).await,
        Err(TargetError::Unbalanced { .. })
    ));
}

#[tokio::test]
async fn pythonunbuffered_and_env() {
    let cmd = r#"python3 -c 'import os; print(os.environ["PYTHONUNBUFFERED"], os.environ["EXTRA"], os.getcwd())'"#;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Target::spawn(&TargetSpec {
        env: vec![("EXTRA".into(), "yes".into())],
        cwd: Some(dir.path().to_path_buf()),
        ..spec(cmd, 0)
    })
    .await
    .unwrap();
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    let cwd = dir.path().canonicalize().unwrap();
    assert_eq!(t.output().stdout, format!("1 yes {}\n", cwd.display()));
}

#[test]
fn exit_state_display() {
    assert_eq!(ExitState::Code(1).to_string(), "exited with code 1");
    assert_eq!(
        ExitState::Signal(9).to_string(),
        "killed by signal 9 (SIGKILL)"
    );
    assert_eq!(
        ExitState::Signal(15).to_string(),
        "killed by signal 15 (SIGTERM)"
    );
    assert_eq!(ExitState::Signal(99).to_string(), "killed by signal 99");
}

/// The target-side rx_queue shows whether the target has read what was sent.
#[tokio::test]
async fn tcp_queues_follow_what_the_target_read() {
    let port = tcp_port();
    let cmd = r#"python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
c, _ = s.accept()
print("accepted", flush=True)
sys.stdin.readline()
data = c.recv(1000)
print("got", len(data), flush=True)
sys.stdin.readline()
' {port}"#;
    let mut t = Target::spawn(&TargetSpec {
        stdin: true,
        ..spec(cmd, port)
    })
    .await
    .unwrap();
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let local = conn.local_addr().unwrap().port();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"accepted", soon())
            .await
    );
    conn.write_all(&[7u8; 100]).unwrap();
    let pid = t.pid() as i32;
    // Delivery on loopback is asynchronous: wait (bounded) for the bytes to
    // land in the target's receive queue.
    let deadline = Instant::now() + LONG;
    loop {
        let q = proc::tcp_queues(pid, port, local);
        if q == Some((0, 100)) {
            break;
        }
        assert!(Instant::now() < deadline, "target side: {q:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let target_end = conn.peer_addr().unwrap();
    assert_eq!(
        proc::tcp_conn_queues(target_end, conn.local_addr().unwrap()),
        Some((0, 100))
    );
    // Our side: everything acknowledged, nothing unread.
    assert_eq!(proc::tcp_queues(pid, local, port), Some((0, 0)));
    t.write_stdin(b"go\n").await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"got 100", soon())
            .await
    );
    assert_eq!(proc::tcp_queues(pid, port, local), Some((0, 0)));
    assert_eq!(proc::tcp_queues(pid, port, 1), None);
    // The same through sock-diag, by the connection's two addresses.
    let (ours, theirs) = (conn.local_addr().unwrap(), conn.peer_addr().unwrap());
    assert_eq!(proc::tcp_conn_queues(theirs, ours), Some((0, 0)));
    assert_eq!(proc::tcp_conn_queues(ours, theirs), Some((0, 0)));
    t.kill().await;
}

/// A target in a network namespace of its own is seen through
/// `/proc/PID/net`, not the harness's sock-diag.
#[tokio::test]
async fn readiness_in_another_network_namespace() {
    let port = tcp_port();
    let cmd = r#"unshare -n python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen()
time.sleep(100)
' {port}"#;
    let mut t = Target::spawn(&spec(cmd, port)).await.unwrap();
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let pid = t.pid() as i32;
    assert!(!proc::same_netns(pid));
    let me = std::process::id() as i32;
    assert!(
        !proc::tcp_listeners(me)
            .iter()
            .any(|e| e.local.port() == port)
    );
    t.kill().await;
}

/// A needle is seen even when far more than the cap follows it before the
/// waiter runs: every chunk is searched as it arrives.
#[tokio::test]
async fn needle_that_scrolls_past_the_cap_is_seen() {
    let cmd = r#"python3 -c '
import sys
sys.stdout.write("x" * 100000 + "MARK" + "y" * 1000000)
'"#;
    let t = Target::spawn(&TargetSpec {
        output_cap: 1024,
        ..spec(cmd, 0)
    })
    .await
    .unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"MARK", soon())
            .await
    );
    let out = t.output();
    assert!(!out.stdout.contains("MARK"));
    assert_eq!(out.stdout.len(), 1024);
}
