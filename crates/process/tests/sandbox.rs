//! Hostile homework under the sandbox: each program in
//! `tests/fixtures/hostile/` tries one way to hurt the harness or the
//! machine, and each test proves the harness survives it. Where a test needs
//! a namespace this machine cannot create, it asserts the fallback instead.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use sockspec_process::proc;
use sockspec_process::{
    ExitState, Limits, Readiness, ReadyError, Sandbox, SandboxError, Stream, Target, TargetError,
    TargetSpec, become_subreaper, support,
};
use tokio::time::Instant;

const LONG: Duration = Duration::from_secs(5);

fn soon() -> Instant {
    Instant::now() + LONG
}

/// The real interpreter: `python3` may be a shim (pyenv's is a shell
/// script that adds variables to the environment and a process in front).
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/hostile")
        .join(name)
        .canonicalize()
        .unwrap()
}

fn tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A sandbox with a writable folder, everything on.
fn sandbox(writable: &Path) -> Sandbox {
    Sandbox {
        writable: Some(writable.to_path_buf()),
        ..Sandbox::default()
    }
}

/// Spawns `python3 FIXTURE {port} ARGS...` in `sandbox`, in `cwd`.
async fn spawn(name: &str, port: u16, args: &str, cwd: &Path, sandbox: Option<Sandbox>) -> Target {
    become_subreaper();
    let spec = TargetSpec {
        command: format!("{} {} {{port}} {args}", python(), fixture(name).display()),
        port,
        cwd: Some(cwd.to_path_buf()),
        sandbox,
        ..TargetSpec::default()
    };
    Target::spawn(&spec).await.unwrap()
}

/// Live (non-zombie) processes whose command line mentions both `script`
/// and `port`, anywhere on the machine.
fn live_processes(script: &str, port: u16) -> Vec<i32> {
    let port = port.to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let args: Vec<&[u8]> = raw.split(|b| *b == 0).collect();
            args.iter().any(|a| a.ends_with(script.as_bytes()))
                && args.contains(&port.as_bytes())
                && proc::stat(*pid).is_some_and(|s| !s.is_zombie())
        })
        .collect()
}

/// The group member running the program itself (python3), not the
/// sandbox's processes in front of it.
fn program_pid(t: &Target) -> i32 {
    proc::group_pids(t.pid() as i32)
        .into_iter()
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).next() == Some(python().as_bytes()))
        })
        .expect("the program is in the group")
}

/// Kills `t` and asserts nothing of it is left: no group, no process with
/// its command line.
async fn kill_and_check_gone(t: &mut Target, script: &str, port: u16) -> ExitState {
    let pgid = t.pid() as i32;
    let started = Instant::now();
    let state = t.kill().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "kill took {:?}",
        started.elapsed()
    );
    assert_eq!(proc::group_pids(pgid), Vec::<i32>::new());
    assert_eq!(live_processes(script, port), Vec::<i32>::new());
    state
}

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
async fn probe_says_what_this_machine_supports() {
    let started = std::time::Instant::now();
    let s = support();
    eprintln!(
        "MEASURE sandbox support on this machine: {s} ({:?}, or less if probed already)",
        started.elapsed()
    );
    assert_eq!(support(), s, "probed once");
    let dir = tempfile::tempdir().unwrap();
    let asked = sandbox(dir.path());
    let expected = asked.expected();
    assert_eq!(expected.pid_namespace, s.pid_namespace);
    assert_eq!(expected.private_fs, s.mount_namespace);
    assert_eq!(
        expected.shortfalls(&asked).len(),
        usize::from(!s.pid_namespace) + usize::from(!s.mount_namespace)
    );
    // A spawn applies what the probe found.
    let mut t = spawn("never_binds.py", 1, "", dir.path(), Some(asked)).await;
    assert_eq!(t.sandboxed(), expected);
    assert!(t.sandboxed().limits && t.sandboxed().clean_env);
    t.kill().await;
    // Without a sandbox nothing is applied.
    let mut t = spawn("never_binds.py", 1, "", dir.path(), None).await;
    assert_eq!(t.sandboxed(), Default::default());
    t.kill().await;
}

#[tokio::test]
async fn never_binds_times_out_clearly_and_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let mut t = spawn(
        "never_binds.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    assert!(
        t.wait_output_contains(Stream::Stdout, b"started", soon())
            .await
    );
    let deadline = Instant::now() + Duration::from_millis(300);
    let err = t
        .wait_ready(Readiness::TcpListen { port }, deadline)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ReadyError::Timeout {
                seen: sockspec_process::Seen::NoSocket(p),
                ..
            } if p == port
        ),
        "{err:?}"
    );
    let state = kill_and_check_gone(&mut t, "never_binds.py", port).await;
    assert_eq!(state.to_string(), "killed by signal 9 (SIGKILL)");
}

#[tokio::test]
async fn wrong_port_is_named_in_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    // A port whose neighbour is free too (bound by nobody right now).
    let port = (0..50)
        .map(|_| tcp_port())
        .find(|p| *p < u16::MAX && TcpListener::bind(("127.0.0.1", p + 1)).is_ok())
        .unwrap();
    let mut t = spawn(
        "wrong_port.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    assert!(
        t.wait_output_contains(Stream::Stdout, b"listening on", soon())
            .await,
        "{:?}",
        t.output()
    );
    let deadline = Instant::now() + Duration::from_millis(200);
    match t.wait_ready(Readiness::TcpListen { port }, deadline).await {
        Err(ReadyError::Timeout { seen, .. }) => assert_eq!(
            seen,
            sockspec_process::Seen::ListensElsewhere {
                addrs: vec![format!("127.0.0.1:{}", port + 1).parse().unwrap()],
                port
            }
        ),
        other => panic!("{other:?}"),
    }
    kill_and_check_gone(&mut t, "wrong_port.py", port).await;
}

#[tokio::test]
async fn ignoring_sigterm_does_not_stop_the_kill() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    support();
    let started = std::time::Instant::now();
    let mut t = spawn(
        "ignores_sigterm.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    eprintln!(
        "MEASURE spawn→ready in the full sandbox (python3 TCP server): {:?}",
        started.elapsed()
    );
    assert_eq!(t.ready_addr(), Some(([127, 0, 0, 1], port).into()));
    // It serves: readiness and the connection go through the sandbox.
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(LONG)).unwrap();
    c.write_all(b"ping").unwrap();
    let mut got = [0u8; 4];
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    let state = kill_and_check_gone(&mut t, "ignores_sigterm.py", port).await;
    assert_eq!(state, ExitState::Signal(9));
}

/// Starts daemon_child.py, waits until both halves run, and returns the
/// target and the daemon's pid (as the host sees it).
async fn start_daemon(dir: &Path, port: u16, sandbox: Option<Sandbox>) -> (Target, i32) {
    let mut t = spawn("daemon_child.py", port, "", dir, sandbox).await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    for needle in [&b"daemon"[..], b"parent"] {
        assert!(
            t.wait_output_contains(Stream::Stdout, needle, soon()).await,
            "{:?}",
            t.output()
        );
    }
    let pgid = t.pid() as i32;
    // The daemon left the group: it is the live process with the command
    // line that is not in it.
    let deadline = Instant::now() + LONG;
    let daemon = loop {
        let outside: Vec<i32> = live_processes("daemon_child.py", port)
            .into_iter()
            .filter(|p| proc::stat(*p).is_some_and(|s| s.pgrp != pgid))
            .collect();
        if let [daemon] = outside[..] {
            break daemon;
        }
        assert!(Instant::now() < deadline, "{outside:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    (t, daemon)
}

#[tokio::test]
async fn a_daemon_that_left_the_group_dies_with_the_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let (mut t, daemon) = start_daemon(dir.path(), port, Some(sandbox(dir.path()))).await;
    if support().pid_namespace {
        assert!(t.sandboxed().pid_namespace);
        kill_and_check_gone(&mut t, "daemon_child.py", port).await;
        assert!(proc::stat(daemon).is_none_or(|s| s.is_zombie()));
        // The port is free again.
        TcpListener::bind(("127.0.0.1", port)).unwrap();
    } else {
        assert!(!t.sandboxed().pid_namespace);
        t.kill().await;
        assert!(
            live_processes("daemon_child.py", port).contains(&daemon),
            "without a PID namespace the daemon survives the kill"
        );
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(daemon),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
    }
}

/// The check above is not vacuous: without a PID namespace (and without
/// the cgroup, which would kill it too) the same daemon does survive the
/// group kill (and is cleaned up here by its pid).
#[tokio::test]
async fn without_a_pid_namespace_the_daemon_survives() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let no_pid_ns = Sandbox {
        pid_namespace: false,
        cgroup: false,
        ..sandbox(dir.path())
    };
    let (mut t, daemon) = start_daemon(dir.path(), port, Some(no_pid_ns)).await;
    assert!(!t.sandboxed().pid_namespace);
    t.kill().await;
    assert_eq!(live_processes("daemon_child.py", port), vec![daemon]);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let deadline = Instant::now() + LONG;
    while !live_processes("daemon_child.py", port).is_empty() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Where the cgroup holds, a daemon that left the group dies with its
/// cgroup even without a PID namespace.
#[tokio::test]
async fn without_a_pid_namespace_the_cgroup_takes_the_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let no_pid_ns = Sandbox {
        pid_namespace: false,
        ..sandbox(dir.path())
    };
    let (mut t, daemon) = start_daemon(dir.path(), port, Some(no_pid_ns)).await;
    if !t.sandboxed().process_limit {
        t.kill().await;
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(daemon),
            nix::sys::signal::Signal::SIGKILL,
        );
        return;
    }
    assert!(t.cgroup_pids().contains(&daemon), "{:?}", t.cgroup_pids());
    kill_and_check_gone(&mut t, "daemon_child.py", port).await;
}

#[tokio::test]
async fn a_stdout_flood_stays_capped_and_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let mut t = spawn(
        "floods_stdout.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let flood_deadline = Instant::now() + Duration::from_secs(10);
    // Block k starts at byte k * 64 KiB. The test's runtime runs on this
    // thread only, so no chunk is captured between reading the count and
    // starting the wait: a block past the count is still to come.
    let block_after = |t: &Target, more: usize| {
        let out = t.output();
        let seen = out.stdout_dropped + out.stdout.len();
        format!("block {}\n", seen / 65536 + more)
    };
    let warm = block_after(&t, 16);
    assert!(
        t.wait_output_contains(Stream::Stdout, warm.as_bytes(), flood_deadline)
            .await
    );
    let before = vm_rss_kib();
    let started = Instant::now();
    // 240 more blocks of 64 KiB: 15 MiB through the capture.
    let later = block_after(&t, 240);
    assert!(
        t.wait_output_contains(Stream::Stdout, later.as_bytes(), flood_deadline)
            .await
    );
    let after = vm_rss_kib();
    eprintln!(
        "MEASURE 15 MiB of flood captured in {:?}; harness VmRSS {before} -> {after} KiB",
        started.elapsed()
    );
    let out = t.output();
    assert!(out.stdout.len() <= 64 * 1024, "{}", out.stdout.len());
    assert!(out.stdout_dropped >= 256 * 65536 - 64 * 1024);
    assert!(t.try_exit().is_none(), "still flooding");
    assert!(
        after <= before + 6 * 1024,
        "the harness grew from {before} to {after} KiB"
    );
    let state = kill_and_check_gone(&mut t, "floods_stdout.py", port).await;
    assert_eq!(state, ExitState::Signal(9));
}

#[tokio::test]
async fn a_spinning_program_is_stopped_by_the_cpu_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let sb = Sandbox {
        limits: Limits {
            cpu_seconds: 1,
            ..Limits::default()
        },
        ..sandbox(dir.path())
    };
    let mut t = spawn("spins_cpu.py", port, "", dir.path(), Some(sb)).await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"spinning", soon())
            .await
    );
    let started = Instant::now();
    // One CPU second (SIGXCPU), at most two (SIGKILL), on a possibly busy
    // machine.
    let state = t.wait_exit(Instant::now() + Duration::from_secs(8)).await;
    eprintln!("MEASURE spin → {state:?} after {:?}", started.elapsed());
    match state {
        Some(ExitState::Signal(sig)) => assert!(sig == 24 || sig == 9, "{sig}"),
        other => panic!("{other:?}"),
    }
    assert!(
        state.unwrap().to_string().starts_with("killed by signal"),
        "{state:?}"
    );
    kill_and_check_gone(&mut t, "spins_cpu.py", port).await;
}

#[tokio::test]
async fn an_allocating_program_hits_the_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let sb = Sandbox {
        limits: Limits {
            memory_bytes: 256 << 20,
            ..Limits::default()
        },
        ..sandbox(dir.path())
    };
    let mut t = spawn("allocates.py", port, "", dir.path(), Some(sb)).await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let started = Instant::now();
    let state = t.wait_exit(soon()).await;
    eprintln!("MEASURE allocate → {state:?} after {:?}", started.elapsed());
    let out = t.output();
    match state {
        Some(ExitState::Code(1)) => assert!(
            out.stderr.contains("Traceback") && out.stderr.contains("MemoryError"),
            "{out:?}"
        ),
        Some(ExitState::Signal(_)) => {}
        other => panic!("{other:?} {out:?}"),
    }
    kill_and_check_gone(&mut t, "allocates.py", port).await;
}

#[tokio::test]
async fn writes_outside_the_folder_fail_and_inside_work() {
    // Outside /tmp, so that "elsewhere" is the real file system, not the
    // private /tmp.
    let base = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let folder = base.path().join("submission");
    std::fs::create_dir(&folder).unwrap();
    let other = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let absolute = other.path().join("escaped-abs.txt");
    let port = tcp_port();
    let host_tmp = PathBuf::from(format!("/tmp/sockspec-escaped-{port}"));
    let mut t = spawn(
        "writes_outside.py",
        port,
        &absolute.display().to_string(),
        &folder,
        Some(sandbox(&folder)),
    )
    .await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"done\n", soon())
            .await
    );
    let printed = t.output().stdout;
    kill_and_check_gone(&mut t, "writes_outside.py", port).await;
    assert!(printed.ends_with("done\n"), "{printed}");
    assert!(printed.contains("ok inside.txt\n"), "{printed}");
    assert!(folder.join("inside.txt").exists());
    if support().mount_namespace {
        assert!(t.sandboxed().private_fs);
        // Outside the folder a write fails (read-only, or, where the
        // test's own folders are under /tmp, not there in the private
        // /tmp), or lands in the private /tmp: never on the host.
        let under_tmp = base.path().starts_with("/tmp");
        let refused = |path: &str| {
            printed.contains(&format!(
                "failed {path}: [Errno 30] Read-only file system: "
            )) || under_tmp
                && (printed.contains(&format!("failed {path}:"))
                    || printed.contains(&format!("ok {path}\n")))
        };
        assert!(refused("../escaped.txt"), "{printed}");
        assert!(refused(&absolute.display().to_string()), "{printed}");
        // The private /tmp took it, and went with the target.
        assert!(
            printed.contains(&format!("ok {}\n", host_tmp.display())),
            "{printed}"
        );
        assert!(!base.path().join("escaped.txt").exists());
        assert!(!absolute.exists());
        assert!(!host_tmp.exists());
    } else {
        // The fallback: the folder is not isolated, and says so.
        assert!(!t.sandboxed().private_fs);
        assert!(base.path().join("escaped.txt").exists(), "{printed}");
        let _ = std::fs::remove_file(&host_tmp);
    }
}

#[tokio::test]
async fn exit_codes_and_signals_are_reported_as_without_a_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("import sys; sys.exit(3)", ExitState::Code(3)),
        ("pass", ExitState::Code(0)),
        (
            "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
            ExitState::Signal(15),
        ),
        ("import os; os.abort()", ExitState::Signal(6)),
    ];
    for (code, want) in cases {
        for sb in [None, Some(sandbox(dir.path()))] {
            let with = sb.is_some();
            let mut t = Target::spawn(&TargetSpec {
                command: format!("{} -c '{code}'", python()),
                cwd: Some(dir.path().to_path_buf()),
                sandbox: sb,
                ..TargetSpec::default()
            })
            .await
            .unwrap();
            assert_eq!(
                t.wait_exit(soon()).await,
                Some(want),
                "{code} (sandbox: {with})"
            );
            assert_eq!(t.kill().await, want);
        }
    }
}

#[tokio::test]
async fn pause_and_resume_reach_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let mut t = spawn(
        "ignores_sigterm.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let program = program_pid(&t);
    let state_of = |pid| proc::stat(pid).map(|s| s.state);
    let wait_state = |pid, stopped: bool| async move {
        let deadline = Instant::now() + LONG;
        while (state_of(pid) == Some('T')) != stopped {
            assert!(Instant::now() < deadline, "{pid}: {:?}", state_of(pid));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    t.pause();
    wait_state(program, true).await;
    t.resume();
    wait_state(program, false).await;
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(LONG)).unwrap();
    c.write_all(b"back").unwrap();
    let mut got = [0u8; 4];
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"back");
    if support().pid_namespace {
        // In front of the program: the harness's child and the namespace's init.
        assert_eq!(proc::group_pids(t.pid() as i32).len(), 3);
    }
    t.kill().await;
}

#[tokio::test]
async fn the_environment_is_clean_and_home_is_writable() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = r#"{python} -c '
import os, sys
print(sorted(os.environ))
print(os.environ["HOME"], os.environ["TMPDIR"], os.environ["LANG"], os.environ["EXTRA"])
open(os.path.join(os.environ["HOME"], "home.txt"), "w").write("hi")
open(os.path.join(os.environ["TMPDIR"], "tmp.txt"), "w").write("hi")
open("/dev/null", "w").write("devices still work")
print(os.getcwd())
'"#;
    let mut t = Target::spawn(&TargetSpec {
        command: cmd.replace("{python}", python()),
        cwd: Some(dir.path().to_path_buf()),
        env: vec![("EXTRA".into(), "yes".into())],
        sandbox: Some(sandbox(dir.path())),
        ..TargetSpec::default()
    })
    .await
    .unwrap();
    assert_eq!(
        t.wait_exit(soon()).await,
        Some(ExitState::Code(0)),
        "{:?}",
        t.output()
    );
    let folder = dir.path().canonicalize().unwrap();
    let tmp = if t.sandboxed().private_fs {
        "/tmp".to_string()
    } else {
        "(scratch)".to_string()
    };
    let out = t.output().stdout;
    let lines: Vec<&str> = out.lines().collect();
    // C's stdio is unbuffered through coreutils' libstdbuf, where the
    // machine has it.
    let stdbuf = std::path::Path::new("/usr/libexec/coreutils/libstdbuf.so").is_file()
        || std::path::Path::new("/usr/lib/coreutils/libstdbuf.so").is_file();
    assert_eq!(
        lines[0],
        if stdbuf {
            "['EXTRA', 'HOME', 'LANG', 'LD_PRELOAD', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'TMPDIR', '_STDBUF_O']"
        } else {
            "['EXTRA', 'HOME', 'LANG', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'TMPDIR']"
        }
    );
    let fields: Vec<&str> = lines[1].split(' ').collect();
    assert_eq!(fields[0], folder.display().to_string());
    if tmp == "/tmp" {
        assert_eq!(fields[1], "/tmp");
    }
    assert_eq!(&fields[2..], ["C.UTF-8", "yes"]);
    assert_eq!(lines[2], folder.display().to_string());
    assert!(folder.join("home.txt").exists());
    t.kill().await;
}

#[tokio::test]
async fn limits_are_in_force_in_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let mut t = spawn(
        "never_binds.py",
        port,
        "",
        dir.path(),
        Some(sandbox(dir.path())),
    )
    .await;
    assert!(
        t.wait_output_contains(Stream::Stdout, b"started", soon())
            .await
    );
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", program_pid(&t))).unwrap();
    let row = |name: &str| -> Vec<String> {
        let line = limits.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len()..]
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row("Max cpu time")[..2], ["10", "11"]);
    // Where a cgroup holds the memory, the cap on address space gives way.
    let address_space = if t.sandboxed().memory_limit {
        ["unlimited", "unlimited"]
    } else {
        ["1073741824", "1073741824"]
    };
    assert_eq!(row("Max address space")[..2], address_space);
    assert_eq!(row("Max processes")[..2], ["64", "64"]);
    assert_eq!(row("Max file size")[..2], ["16777216", "16777216"]);
    assert_eq!(row("Max open files")[..2], ["256", "256"]);
    assert_eq!(row("Max core file size")[..2], ["0", "0"]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", program_pid(&t))).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap()
    };
    assert_eq!(field("NoNewPrivs:"), "1");
    if t.sandboxed().privileges_dropped {
        let bounding = u64::from_str_radix(&field("CapBnd:"), 16).unwrap();
        assert_eq!(bounding & (1 << 21), 0, "CAP_SYS_ADMIN is dropped");
    }
    kill_and_check_gone(&mut t, "never_binds.py", port).await;
}

#[tokio::test]
async fn unusable_sandbox_settings_are_explained() {
    let e = Target::spawn(&TargetSpec {
        command: "true".into(),
        sandbox: Some(sandbox(Path::new("/no/such/folder"))),
        ..TargetSpec::default()
    })
    .await
    .unwrap_err();
    assert!(
        matches!(e, TargetError::Sandbox(SandboxError::Writable { .. })),
        "{e}"
    );
    assert!(e.to_string().contains("/no/such/folder"), "{e}");

    if support().mount_namespace {
        // A working directory under the host's /tmp is not hidden by the
        // private one: it comes back, read-only.
        let cwd = tempfile::tempdir().unwrap();
        std::fs::write(cwd.path().join("here.txt"), "here").unwrap();
        let folder = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let mut t = Target::spawn(&TargetSpec {
            command: "cat here.txt".into(),
            cwd: Some(cwd.path().to_path_buf()),
            sandbox: Some(sandbox(folder.path())),
            ..TargetSpec::default()
        })
        .await
        .unwrap();
        assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
        assert_eq!(t.output().stdout, "here");
    }
    // A program that is not there is still the usual spawn error.
    let dir = tempfile::tempdir().unwrap();
    let e = Target::spawn(&TargetSpec {
        command: "no-such-program-xyz".into(),
        cwd: Some(dir.path().to_path_buf()),
        sandbox: Some(sandbox(dir.path())),
        ..TargetSpec::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(e, TargetError::Spawn { .. }), "{e}");
    assert!(e.to_string().contains("not found on PATH"), "{e}");
}

/// The processes in front of the program hold no copy of its stdin: closing
/// it is an EOF the program sees (client roles depend on it).
#[tokio::test]
async fn stdin_and_its_end_reach_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = r#"{python} -c '
import sys
for line in sys.stdin:
    print(line.strip().upper())
print("eof")
'"#;
    let mut t = Target::spawn(&TargetSpec {
        command: cmd.replace("{python}", python()),
        stdin: true,
        cwd: Some(dir.path().to_path_buf()),
        sandbox: Some(sandbox(dir.path())),
        ..TargetSpec::default()
    })
    .await
    .unwrap();
    t.write_stdin(b"hello\n").await.unwrap();
    assert!(
        t.wait_output_contains(Stream::Stdout, b"HELLO", soon())
            .await
    );
    t.close_stdin().await;
    assert_eq!(t.wait_exit(soon()).await, Some(ExitState::Code(0)));
    assert_eq!(t.output().stdout, "HELLO\neof\n");
}

/// A fork flood is stopped at the cgroup's process limit, which holds for
/// root (RLIMIT_NPROC does not), and the refused fork is counted; where no
/// cgroup can be made, the sandbox says the limit is not enforced.
#[tokio::test]
async fn a_fork_flood_stops_at_the_process_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let sb = Sandbox {
        limits: Limits {
            processes: 16,
            ..Limits::default()
        },
        ..sandbox(dir.path())
    };
    let mut t = spawn("fork_flood.py", port, "", dir.path(), Some(sb.clone())).await;
    if !t.sandboxed().process_limit {
        assert!(t.sandboxed().shortfalls(&sb).iter().any(|s| matches!(
            s,
            sockspec_results::Shortfall::Cgroup {
                limit: sockspec_results::CgroupLimit::Processes,
                ..
            }
        )));
        t.kill().await;
        return;
    }
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let state = t.wait_exit(soon()).await;
    let out = t.output();
    assert_eq!(state, Some(ExitState::Code(1)), "{out:?}");
    assert!(out.stderr.contains("BlockingIOError"), "{out:?}");
    // Its workers die with its PID namespace; never more than the limit
    // (and the two processes in front of it) were in the cgroup.
    let left = t.cgroup_pids();
    assert!(left.len() <= 16 + 2, "{left:?}");
    let hit = vec![sockspec_results::LimitHit::Processes { max: 16 }];
    assert_eq!(t.limit_hits(), hit);
    kill_and_check_gone(&mut t, "fork_flood.py", port).await;
    assert_eq!(t.limit_hits(), hit, "still known once the cgroup is gone");
    assert!(t.cgroup_pids().is_empty());
}

/// A program that really uses more memory than its cgroup allows is
/// killed by the kernel, and the kill is counted.
#[tokio::test]
async fn a_memory_hog_is_killed_at_the_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = tcp_port();
    let sb = Sandbox {
        limits: Limits {
            memory_bytes: 128 << 20,
            ..Limits::default()
        },
        ..sandbox(dir.path())
    };
    let mut t = spawn("memory_hog.py", port, "", dir.path(), Some(sb)).await;
    if !t.sandboxed().memory_limit {
        t.kill().await;
        return;
    }
    t.wait_ready(Readiness::TcpListen { port }, soon())
        .await
        .unwrap();
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.write_all(b"hello").unwrap();
    let state = t.wait_exit(soon()).await;
    assert_eq!(state, Some(ExitState::Signal(9)), "{:?}", t.output());
    assert_eq!(
        t.limit_hits(),
        vec![sockspec_results::LimitHit::Memory { max_mib: 128 }]
    );
    kill_and_check_gone(&mut t, "memory_hog.py", port).await;
}
