//! A thread's private network carries what homework hard-codes: a foreign
//! address to bind and connect to, a subnet broadcast and '<broadcast>',
//! each still needing SO_BROADCAST; host names that resolve to its
//! loopback; and its only link is the loopback.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use sockspec_netns::{NetPlan, enter_thread, threads_can_isolate};

fn receiver(port: u16) -> UdpSocket {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
    s.set_reuse_address(true).unwrap();
    s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)).into())
        .unwrap();
    let s: UdpSocket = s.into();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s
}

#[test]
fn hard_coded_addresses_work_inside_and_nothing_else_is_there() {
    if !threads_can_isolate() {
        // Without the privilege the call says so instead of half-working.
        let err = std::thread::spawn(|| enter_thread(&NetPlan::default()))
            .join()
            .unwrap()
            .unwrap_err();
        assert!(
            err.to_string().contains("does not allow a private network"),
            "{err}"
        );
        return;
    }
    let plan = NetPlan::for_literals(
        [
            "10.16.129.97",
            "172.40.71.255",
            "255.255.255.255",
            "127.0.0.1",
            "0.0.0.0",
        ]
        .iter()
        .map(|a| a.parse().unwrap()),
    );
    assert_eq!(
        plan.addrs,
        [
            ("10.16.129.97".parse().unwrap(), 32, None),
            (
                "172.40.71.1".parse().unwrap(),
                24,
                Some("172.40.71.255".parse().unwrap())
            ),
        ]
    );
    assert!(plan.default_route);
    let host_ns = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
    let host = host_ns.clone();
    std::thread::spawn(move || {
        enter_thread(&plan).unwrap();
        let ns = std::fs::read_link("/proc/thread-self/ns/net").unwrap();
        assert_ne!(ns, host);
        let links: Vec<String> = std::fs::read_to_string("/proc/thread-self/net/dev")
            .unwrap()
            .lines()
            .skip(2)
            .map(|l| l.split(':').next().unwrap().trim().to_owned())
            .collect();
        assert_eq!(links, ["lo"]);

        let listener = TcpListener::bind("10.16.129.97:7777").unwrap();
        let c = TcpStream::connect("10.16.129.97:7777").unwrap();
        assert_eq!(c.peer_addr().unwrap(), listener.local_addr().unwrap());

        let r = receiver(8888);
        for to in ["172.40.71.255:8888", "255.255.255.255:8888"] {
            let s = UdpSocket::bind("0.0.0.0:0").unwrap();
            let denied = s.send_to(b"x", to).unwrap_err();
            assert_eq!(denied.raw_os_error(), Some(13), "{to}: {denied}");
            s.set_broadcast(true).unwrap();
            s.send_to(to.as_bytes(), to).unwrap();
            let mut buf = [0u8; 64];
            let (n, _) = r.recv_from(&mut buf).unwrap();
            assert_eq!(&buf[..n], to.as_bytes());
        }
        // An address nobody has is no way out: nothing answers.
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let far: SocketAddr = "118.25.239.224:8877".parse().unwrap();
        assert!(
            s.connect_timeout(&far.into(), Duration::from_millis(200))
                .is_err()
        );
    })
    .join()
    .unwrap();
    // The test's own thread is still on the host's network.
    assert_eq!(
        std::fs::read_link("/proc/thread-self/ns/net").unwrap(),
        host_ns
    );
}

/// Files the harness generated for a private network's names, still in the
/// temporary folder.
fn generated_files() -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("sockspec-names-{}-", std::process::id())))
        .collect()
}

#[test]
fn host_names_resolve_inside_to_its_loopback_and_the_host_is_untouched() {
    if !threads_can_isolate() {
        return;
    }
    let names = sockspec_netns::map_names(["www.python.org", "tedu-server"]);
    assert_eq!(
        names,
        [
            ("tedu-server".to_owned(), Ipv4Addr::new(127, 77, 0, 1)),
            ("www.python.org".to_owned(), Ipv4Addr::new(127, 77, 0, 2)),
        ]
    );
    // With a route for everything through the loopback (a program that
    // names '<broadcast>'), as the hardest case for a look-up.
    let plan = NetPlan::for_literals([Ipv4Addr::BROADCAST]).with_names(names);
    let hosts_before = std::fs::read("/etc/hosts").unwrap();
    let host_mnt = std::fs::read_link("/proc/thread-self/ns/mnt").unwrap();
    let (host, machine) = (host_mnt.clone(), hosts_before.clone());
    std::thread::spawn(move || {
        // Every look-up below is made inside the private network: had the
        // names not been mapped, a DNS query could only reach its loopback.
        enter_thread(&plan).unwrap();
        assert_ne!(
            std::fs::read_link("/proc/thread-self/ns/mnt").unwrap(),
            host
        );
        use std::net::ToSocketAddrs;
        let addrs: Vec<SocketAddr> = ("www.python.org", 80).to_socket_addrs().unwrap().collect();
        assert_eq!(addrs, [SocketAddr::from(([127, 77, 0, 2], 80))]);
        // A name the source does not name asks the namespace's loopback,
        // where no one answers: it fails at once.
        let started = std::time::Instant::now();
        assert!(
            ("not-in-the-source.example.org", 80)
                .to_socket_addrs()
                .is_err()
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // A program started from here resolves them the same way, and the
        // harness listens where it connects.
        let listener = TcpListener::bind("127.77.0.1:8888").unwrap();
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import socket\n\
                 print(socket.gethostbyname('www.python.org'))\n\
                 s = socket.create_connection(('tedu-server', 8888), timeout=5)\n\
                 s.sendall(b'hi')\n",
            ])
            .output();
        let Ok(out) = out else {
            return; // no python3 here
        };
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "127.77.0.2");
        let (mut c, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut c, &mut got).unwrap();
        assert_eq!(got, b"hi");
        // The machine's own lines are still there, after the names.
        let hosts = std::fs::read_to_string("/etc/hosts").unwrap();
        assert!(hosts.contains("127.77.0.1\ttedu-server"), "{hosts}");
        assert!(
            hosts.ends_with(&*String::from_utf8_lossy(&machine)),
            "{hosts}"
        );
    })
    .join()
    .unwrap();
    // Outside, nothing changed, and nothing generated is left behind.
    assert_eq!(std::fs::read("/etc/hosts").unwrap(), hosts_before);
    assert_eq!(
        std::fs::read_link("/proc/thread-self/ns/mnt").unwrap(),
        host_mnt
    );
    let mounts = std::fs::read_to_string("/proc/thread-self/mountinfo").unwrap();
    assert!(!mounts.contains("sockspec-names"), "{mounts}");
    assert_eq!(generated_files(), Vec::<String>::new());
}
