//! Measures what the supervisor costs on this machine: one readiness look,
//! `/proc` socket tables against sock-diag, a process-group scan, spawn→ready of a Python listener, spawn→exit,
//! and kill. Run with `cargo run --release -p sockspec-process --example measure`.

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use sockspec_process::proc;
use sockspec_process::{Readiness, Target, TargetSpec, become_subreaper};

fn per_call(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::main]
async fn main() {
    become_subreaper();
    let me = std::process::id() as i32;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let look = || {
        let inodes = proc::socket_inodes(&[me]);
        proc::tcp_listening(me, port, &inodes);
    };
    println!(
        "readiness look (fds + sock-diag listeners): {:?}",
        per_call(1000, look)
    );
    println!(
        "one read of /proc/self/net/tcp + tcp6 (parsed): {:?}",
        per_call(50, || {
            proc::sockets(me, proc::Proto::Tcp);
        })
    );
    println!(
        "one read of /proc/self/net/udp + udp6 (parsed): {:?}",
        per_call(200, || {
            proc::sockets(me, proc::Proto::Udp);
        })
    );
    {
        let c = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (s, _) = listener.accept().unwrap();
        let (a, b) = (s.local_addr().unwrap(), c.local_addr().unwrap());
        println!(
            "tcp_conn_queues (sock-diag exact): {:?}; tcp_queues (/proc walk): {:?}",
            per_call(1000, || {
                proc::tcp_conn_queues(a, b);
            }),
            per_call(50, || {
                proc::tcp_queues(me, a.port(), b.port());
            })
        );
    }
    let pgid = nix::unistd::getpgrp().as_raw();
    println!(
        "process-group scan of {} processes: {:?}",
        std::fs::read_dir("/proc").unwrap().count(),
        per_call(200, || {
            proc::group_pids(pgid);
        })
    );

    // A busier table: 500 established loopback connections (1000 lines).
    let conns: Vec<_> = (0..500)
        .map(|_| {
            let c = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let s = listener.accept().unwrap();
            (c, s)
        })
        .collect();
    let listeners = || {
        proc::tcp_listeners(me);
    };
    println!(
        "sock-diag listeners with {} more tcp connections: {:?}; /proc tcp read: {:?}",
        conns.len() * 2,
        per_call(200, listeners),
        per_call(20, || {
            proc::sockets(me, proc::Proto::Tcp);
        })
    );
    drop(conns);

    let listen = r#"python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(100)
' {port}"#;
    let mut ready = Vec::new();
    let mut kills = Vec::new();
    for _ in 0..10 {
        let port = free_port();
        let spec = TargetSpec {
            command: listen.into(),
            port,
            ..TargetSpec::default()
        };
        let start = Instant::now();
        let mut t = Target::spawn(&spec).await.unwrap();
        t.wait_ready(
            Readiness::TcpListen { port },
            tokio::time::Instant::now() + Duration::from_secs(5),
        )
        .await
        .unwrap();
        ready.push(start.elapsed());
        let start = Instant::now();
        t.kill().await;
        kills.push(start.elapsed());
    }
    println!(
        "spawn→ready, python3 -c TCP listener (median of 10): {:?}",
        median(ready)
    );
    println!("kill+reap (median of 10): {:?}", median(kills));

    let mut exits = Vec::new();
    for _ in 0..10 {
        let spec = TargetSpec {
            command: "python3 -c 'import sys; sys.exit(3)'".into(),
            port: 1,
            ..TargetSpec::default()
        };
        let start = Instant::now();
        let mut t = Target::spawn(&spec).await.unwrap();
        let r = t
            .wait_ready(
                Readiness::TcpListen { port: 1 },
                tokio::time::Instant::now() + Duration::from_secs(5),
            )
            .await;
        assert!(r.is_err());
        exits.push(start.elapsed());
    }
    println!(
        "spawn→Exited, python3 -c exit 3 (median of 10): {:?}",
        median(exits)
    );

    let spec = TargetSpec {
        command: r#"python3 -c '
import sys
for i in range(1_000_000):
    sys.stdout.write("line %08d\n" % i)
'"#
        .into(),
        ..TargetSpec::default()
    };
    let start = Instant::now();
    let mut t = Target::spawn(&spec).await.unwrap();
    t.wait_exit(tokio::time::Instant::now() + Duration::from_secs(30))
        .await
        .unwrap();
    let out = t.output();
    println!(
        "14 MB of stdout: {:?}, kept {} bytes, dropped {}",
        start.elapsed(),
        out.stdout.len(),
        out.stdout_dropped
    );
}
