//! Homework graded exactly as handed in: programs that hard-code the
//! classroom's addresses ('10.16.129.97', '118.25.239.224',
//! '172.40.74.177', the subnet broadcast '172.40.71.255', '<broadcast>') and
//! the same port 8888, or a host name (`('www.python.org', 80)`,
//! `urlopen('http://www.example.com/')`), graded in parallel, unchanged,
//! each scenario in a private network; and proof that nothing they send,
//! and no look-up of a name, leaves it.
//!
//! A program that names a host is only ever run here with `--isolate net`
//! (or refused with `--isolate none`): on the host's network its look-up
//! alone would be a packet out.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::sockspec;
use serde_json::Value;

fn classroom(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/classroom")
        .join(file)
}

/// Whether this machine gives private networks; where it does not, that
/// `--isolate net` says so (exit 2) instead of running anything.
fn can_isolate() -> bool {
    if common::can_isolate() {
        return true;
    }
    let output = sockspec()
        .args(["run", "--isolate", "net", "--only", "tcp-server/reply"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not allow a private network"));
    false
}

const ASSIGNMENT: &str = r#"assignment: the classroom's four programs and broadcast, as handed in
retries: 0
levels:
  tcp-server/restart: required   # the same hard-coded port, restarted at once
programs:
  tcp-server:
    command: python3 tcp_server.py
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit, tcp-server/restart]
  tcp-client:
    command: python3 tcp_client.py
    reply: fixed:Thanks
    only: [tcp-client/lines, tcp-client/quit]
  udp-server:
    command: python3 udp_server.py
    reply: fixed:Thanks
    only: [udp-server/reply, udp-server/two-clients]
  udp-client:
    command: python3 udp_client.py
    reply: fixed:Thanks
    only: [udp-client/lines]
  broadcast-sender:
    command: python3 sender.py
  broadcast-receiver:
    command: python3 receiver.py
    only: [broadcast-receiver/receives]
"#;

/// A submission folder of classroom programs, the sender chosen.
fn submission(root: &Path, name: &str, sender: &str) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in [
        ("tcp_server.py", "tcp_server.py"),
        ("tcp_client.py", "tcp_client.py"),
        ("udp_server.py", "udp_server.py"),
        ("udp_client.py", "udp_client.py"),
        (sender, "sender.py"),
        ("broadcast_receiver.py", "receiver.py"),
    ] {
        std::fs::copy(classroom(from), dir.join(to)).unwrap();
    }
}

#[test]
fn a_class_with_the_same_hard_coded_port_grades_in_parallel_unchanged() {
    if !can_isolate() {
        // Without private networks the clients of classroom addresses are
        // refused, never sent out (the fallback test below).
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let subs = root.path().join("subs");
    submission(&subs, "li", "subnet_sender.py");
    submission(&subs, "wang", "subnet_sender_no_broadcast.py");
    submission(&subs, "zhang", "broadcast_sender.py");
    let before: Vec<(PathBuf, Vec<u8>)> = ["li", "wang", "zhang"]
        .iter()
        .flat_map(|s| std::fs::read_dir(subs.join(s)).unwrap().flatten())
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect();
    let hw = root.path().join("hw.yaml");
    std::fs::write(&hw, ASSIGNMENT).unwrap();
    let out = root.path().join("out");
    let output = common::grade(&subs, &hw, &out, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("one at a time"), "{stderr}");
    let batch: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grade.json")).unwrap()).unwrap();
    assert_eq!(batch["isolation"], "net");
    let grade = |name: &str| -> Value {
        batch["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["student"] == name)
            .cloned()
            .unwrap()
    };
    for name in ["li", "zhang"] {
        let g = grade(name);
        assert_eq!(g["points"], g["points_possible"], "{name}: {g:#}");
        assert_eq!(g["points_possible"], 10, "{name}: {g:#}");
    }
    let g = grade("wang");
    assert_eq!(
        g["failed_ids"],
        serde_json::json!(["broadcast-sender/reaches-all"]),
        "{g:#}"
    );
    // The report of the one that forgot SO_BROADCAST names it, as on the
    // classroom network.
    let report = std::fs::read_to_string(out.join("wang/report.txt")).unwrap();
    assert!(report.contains("PermissionError"), "{report}");
    assert!(report.contains("SO_BROADCAST"), "{report}");
    // What was found where: the server's own address, read from /proc.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("zhang/report.json")).unwrap())
            .unwrap();
    let reply = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "tcp-server/reply")
        .unwrap();
    assert_eq!(
        reply["found"], "listening on 10.16.129.97:8888 (its own choice of address)",
        "{reply:#}"
    );
    // Not a byte of any submission was edited.
    for (path, bytes) in before {
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{} changed",
            path.display()
        );
    }
}

/// Packets sent by the host's own interfaces other than loopback.
fn host_packets_out() -> u64 {
    std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "lo")
        .filter_map(|e| std::fs::read_to_string(e.path().join("statistics/tx_packets")).ok())
        .filter_map(|t| t.trim().parse::<u64>().ok())
        .sum()
}

/// Pids of a running program (not the sockspec naming it in --target).
fn pids_of(script: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let cmd = String::from_utf8_lossy(&std::fs::read(e.path().join("cmdline")).ok()?)
                .into_owned();
            (cmd.contains(script) && !cmd.contains("--target")).then_some(pid)
        })
        .collect()
}

#[test]
fn nothing_a_program_sends_leaves_its_private_network() {
    if !can_isolate() {
        return;
    }
    let before = host_packets_out();
    let dir = classroom("");
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("sockspec"))
        .args([
            "run",
            "--role",
            "udp-client",
            "--reply",
            "fixed:Thanks",
            "--isolate",
            "net",
        ])
        .args(["--target", "python3 leaky_udp_client.py", "--jobs", "1"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // While it runs, look at the program from outside: another network
    // namespace, whose only link is the loopback.
    let host_ns = std::fs::read_link("/proc/self/ns/net").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while run.try_wait().unwrap().is_none() && Instant::now() < deadline {
        for pid in pids_of("leaky_udp_client.py") {
            let (Ok(ns), Ok(dev)) = (
                std::fs::read_link(format!("/proc/{pid}/ns/net")),
                std::fs::read_to_string(format!("/proc/{pid}/net/dev")),
            ) else {
                continue;
            };
            assert_ne!(ns, host_ns, "pid {pid} is on the host's network");
            let links: Vec<&str> = dev
                .lines()
                .skip(2)
                .map(|l| l.split(':').next().unwrap().trim())
                .collect();
            assert_eq!(links, ["lo"], "pid {pid}");
            seen += 1;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let output = run.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(seen > 0, "the program was never seen running");
    // Each run of the program sent 600 datagrams off the machine's
    // loopback; had any namespace leaked, the host's interfaces would show
    // thousands. What else the host sends meanwhile is far fewer.
    let sent = host_packets_out() - before;
    assert!(
        sent < 300,
        "the host's interfaces sent {sent} packets during the run"
    );
}

#[test]
fn without_a_private_network_a_client_of_a_classroom_address_is_not_run() {
    let output = sockspec()
        .args([
            "run",
            "--role",
            "tcp-client",
            "--reply",
            "fixed:Thanks",
            "--isolate",
            "none",
        ])
        .args(["--target", "python3 tcp_client.py", "--format", "json"])
        .current_dir(classroom(""))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for r in report["results"].as_array().unwrap() {
        if r["status"] == "skip" {
            continue;
        }
        assert_eq!(r["status"], "error", "{r:#}");
        let message = r["message"].as_str().unwrap();
        assert!(message.contains("sends to 118.25.239.224"), "{message}");
        assert!(message.contains("--isolate net"), "{message}");
    }
}

/// A tcp-client as handed in that connects to a web server by its name.
const NAMED_TCP_CLIENT: &str = r#"# tcp客户端: socket -> connect -> send/recv -> close
import socket

sockfd = socket.socket()
sockfd.connect(('www.python.org', 80))
while True:
    try:
        msg = input("Msg>>")
    except EOFError:
        break
    if not msg:
        break
    sockfd.send(msg.encode())
    data = sockfd.recv(1024)
    if not data:
        break
    print("From server:", data.decode())
sockfd.close()
"#;

/// An http-client as handed in: Python's own client, of a page by its URL.
const URLOPEN_CLIENT: &str = r#"# http客户端: urllib
from urllib.request import urlopen

with urlopen('http://www.example.com/', timeout=10) as r:
    print(r.read().decode(errors="replace"))
"#;

/// An http-client that writes its request itself, to a server by its name.
const RAW_HTTP_CLIENT: &str = r#"import socket

HOST = 'www.example.com'
PORT = 80
s = socket.socket()
s.connect((HOST, PORT))
s.sendall(b"GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n")
data = b""
while True:
    more = s.recv(4096)
    if not more:
        break
    data += more
s.close()
print(data.partition(b"\r\n\r\n")[2].decode())
"#;

/// A folder with one program in it, as `client.py`.
fn handed_in(program: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.py"), program).unwrap();
    dir
}

/// The `found` line of every scenario that ran, asserting each passed (or,
/// for a recommended one, at worst warned).
fn found_lines(report: &Value) -> Vec<String> {
    let results = report["results"].as_array().unwrap();
    let ran: Vec<&Value> = results.iter().filter(|r| r["status"] != "skip").collect();
    assert!(!ran.is_empty(), "{report:#}");
    ran.iter()
        .map(|r| {
            assert!(
                r["status"] == "pass" || r["level"] == "recommended",
                "{r:#}"
            );
            r["found"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn a_client_of_a_host_name_is_graded_in_its_private_network() {
    if !can_isolate() {
        return;
    }
    let dir = handed_in(NAMED_TCP_CLIENT);
    let output = sockspec()
        .args(["run", "--role", "tcp-client", "--reply", "fixed:Thanks"])
        .args(["--isolate", "net", "--target", "python3 client.py"])
        .args(["--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for found in found_lines(&report) {
        assert_eq!(
            found,
            "connects to www.python.org:80 (mapped to 127.77.0.1 in its private network)"
        );
    }
    // The human report says it too.
    let output = sockspec()
        .args(["run", "--role", "tcp-client", "--reply", "fixed:Thanks"])
        .args(["--isolate", "net", "--target", "python3 client.py"])
        .args(["--only", "tcp-client/lines"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{human}");
    assert!(
        human.contains(
            "connects to www.python.org:80 (mapped to 127.77.0.1 in its private network)"
        ),
        "{human}"
    );
}

#[test]
fn http_clients_of_a_url_and_of_a_name_are_graded_in_their_private_network() {
    if !can_isolate() {
        return;
    }
    // urllib, as an assignment's program: in the sandbox, whose mount
    // namespace is a copy of the one the names were mounted in.
    let root = tempfile::tempdir().unwrap();
    let sub = root.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("client.py"), URLOPEN_CLIENT).unwrap();
    let hw = root.path().join("hw.yaml");
    std::fs::write(
        &hw,
        "assignment: a page by its URL\nretries: 0\nprograms:\n  http-client:\n    command: python3 client.py\n",
    )
    .unwrap();
    let output = sockspec()
        .arg("run")
        .arg("--assignment")
        .arg(&hw)
        .arg("--submission")
        .arg(&sub)
        .args(["--isolate", "net", "--format", "json"])
        .args([
            "--only",
            "http-client/request",
            "--only",
            "http-client/close-delimited",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = found_lines(&report);
    assert_eq!(found.len(), 2, "{report:#}");
    for f in found {
        assert_eq!(
            f,
            "connects to www.example.com:80 (mapped to 127.77.0.1 in its private network)"
        );
    }
    // A request written by hand to `HOST = 'www.example.com'`, run as it is.
    let dir = handed_in(RAW_HTTP_CLIENT);
    let output = sockspec()
        .args(["run", "--role", "http-client", "--isolate", "net"])
        .args(["--target", "python3 client.py", "--format", "json"])
        .args([
            "--only",
            "http-client/request",
            "--only",
            "http-client/close-delimited",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for f in found_lines(&report) {
        assert_eq!(
            f,
            "connects to www.example.com:80 (mapped to 127.77.0.1 in its private network)"
        );
    }
}

#[test]
fn without_a_private_network_a_client_of_a_host_name_is_not_run() {
    for (role, program, name) in [
        ("tcp-client", NAMED_TCP_CLIENT, "www.python.org"),
        ("http-client", URLOPEN_CLIENT, "www.example.com"),
    ] {
        let dir = handed_in(program);
        let output = sockspec()
            .args(["run", "--role", role, "--reply", "fixed:Thanks"])
            .args(["--isolate", "none", "--target", "python3 client.py"])
            .args(["--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{role}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        for r in report["results"].as_array().unwrap() {
            if r["status"] == "skip" {
                continue;
            }
            assert_eq!(r["status"], "error", "{r:#}");
            let message = r["message"].as_str().unwrap();
            assert!(
                message.contains(&format!(
                    "not run: this {role} connects to {name}, a host off this machine"
                )),
                "{message}"
            );
            assert!(message.contains("--isolate net"), "{message}");
        }
    }
}

/// A udp-client whose server is a name, that first tries to reach the
/// world by name: 300 datagrams to the name at another port, and 300
/// look-ups of names its source does not spell out.
const LEAKY_NAMED_CLIENT: &str = r#"import socket

ADDR = ('www.python.org', 8888)

out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
unresolved = 0
for i in range(300):
    out.sendto(b'x' * 100, ('www.python.org', 9999))
    try:
        socket.gethostbyname('mirror%d.python.org' % i)
    except OSError:
        unresolved += 1
with open('unresolved.txt', 'a') as f:
    f.write('%d\n' % unresolved)

sockfd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sockfd.settimeout(2)
while True:
    try:
        data = input("Msg>>")
    except EOFError:
        break
    if not data:
        break
    sockfd.sendto(data.encode(), ADDR)
    try:
        msg, addr = sockfd.recvfrom(1024)
        print("From server:", msg.decode())
    except socket.timeout:
        print("timeout")
"#;

#[test]
fn nothing_a_client_of_a_host_name_sends_or_looks_up_leaves_its_private_network() {
    if !can_isolate() {
        return;
    }
    let hosts_before = std::fs::read("/etc/hosts").unwrap();
    let before = host_packets_out();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leaky_named_client.py"), LEAKY_NAMED_CLIENT).unwrap();
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("sockspec"))
        .args(["run", "--role", "udp-client", "--reply", "fixed:Thanks"])
        .args([
            "--isolate",
            "net",
            "--target",
            "python3 leaky_named_client.py",
        ])
        .args(["--only", "udp-client/lines", "--only", "udp-client/quit"])
        .args(["--jobs", "1", "--format", "json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // While it runs, look at the program from outside: another network
    // namespace whose only link is the loopback, and a hosts file of its
    // own in which the name is an address of that loopback.
    let host_ns = std::fs::read_link("/proc/self/ns/net").unwrap();
    let host_mnt = std::fs::read_link("/proc/self/ns/mnt").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0;
    while run.try_wait().unwrap().is_none() && Instant::now() < deadline {
        for pid in pids_of("leaky_named_client.py") {
            let (Ok(ns), Ok(mnt), Ok(dev), Ok(hosts)) = (
                std::fs::read_link(format!("/proc/{pid}/ns/net")),
                std::fs::read_link(format!("/proc/{pid}/ns/mnt")),
                std::fs::read_to_string(format!("/proc/{pid}/net/dev")),
                std::fs::read_to_string(format!("/proc/{pid}/root/etc/hosts")),
            ) else {
                continue;
            };
            assert_ne!(ns, host_ns, "pid {pid} is on the host's network");
            assert_ne!(mnt, host_mnt, "pid {pid} sees the host's /etc/hosts");
            let links: Vec<&str> = dev
                .lines()
                .skip(2)
                .map(|l| l.split(':').next().unwrap().trim())
                .collect();
            assert_eq!(links, ["lo"], "pid {pid}");
            assert!(
                hosts.contains("127.77.0.1\twww.python.org"),
                "pid {pid}: {hosts}"
            );
            seen += 1;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    if run.try_wait().unwrap().is_none() {
        let _ = run.kill();
    }
    let output = run.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(seen > 0, "the program was never seen running");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "udp-client/lines")
        .unwrap();
    assert_eq!(
        lines["found"],
        "sends to www.python.org:8888 (mapped to 127.77.0.1 in its private network)",
        "{lines:#}"
    );
    // Every name it made up went unresolved, in every run: no one outside
    // was asked.
    let unresolved = std::fs::read_to_string(dir.path().join("unresolved.txt")).unwrap();
    assert!(!unresolved.is_empty());
    assert!(unresolved.lines().all(|l| l == "300"), "{unresolved}");
    let sent = host_packets_out() - before;
    assert!(
        sent < 300,
        "the host's interfaces sent {sent} packets during the run"
    );
    // The host's own hosts file is as it was.
    assert_eq!(std::fs::read("/etc/hosts").unwrap(), hosts_before);
}

/// A client written to take its server from the command line.
const ARGV_TCP_CLIENT: &str = r#"import socket, sys

sockfd = socket.socket()
sockfd.connect((sys.argv[1], int(sys.argv[2])))
while True:
    msg = input("Msg>>")
    if not msg:
        break
    sockfd.send(msg.encode())
    data = sockfd.recv(1024)
    if not data:
        break
    print("From server:", data.decode())
sockfd.close()
"#;

/// An address typed on the command line sends a program there as surely as
/// one in its source: it is carried by the private network, and without
/// one the program is not run.
#[test]
fn an_address_given_on_the_command_line_is_carried_or_refused() {
    let dir = handed_in(ARGV_TCP_CLIENT);
    let run = |isolate: &str| {
        let output = sockspec()
            .args(["run", "--role", "tcp-client", "--reply", "fixed:Thanks"])
            .args(["--target", "python3 client.py 10.16.129.97 8888"])
            .args(["--isolate", isolate, "--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    if can_isolate() {
        let (code, report) = run("net");
        assert_eq!(code, Some(0), "{report:#}");
        found_lines(&report);
    }
    let (code, report) = run("none");
    assert_eq!(code, Some(2), "{report:#}");
    for r in report["results"].as_array().unwrap() {
        if r["status"] != "skip" {
            let message = r["message"].as_str().unwrap();
            assert!(message.contains("10.16.129.97"), "{message}");
        }
    }
}
