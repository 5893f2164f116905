//! A thread's private network carries what homework hard-codes: a foreign
//! address to bind and connect to, a subnet broadcast and '<broadcast>',
//! each still needing SO_BROADCAST; and its only link is the loopback.

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
