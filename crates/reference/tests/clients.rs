//! The client references against a hand-played server on loopback: each way
//! a conversation ends is a clean ending, named.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::thread;
use std::time::Duration;

use sockspec_model::{Contract, Framing, ReplyRule};
use sockspec_reference::{Ending, broadcast, tcp_client, udp_client};

fn contract(framing: Framing) -> Contract {
    Contract {
        reply: ReplyRule::Echo,
        framing,
        quit: String::new(),
        pages: Vec::new(),
    }
}

/// Runs the TCP client reference with `input` against a server thread.
fn tcp_conversation(
    framing: Framing,
    input: &str,
    server: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> (Ending, String) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || server(listener.accept().unwrap().0));
    let mut out = Vec::new();
    let ending = tcp_client::run(addr, &contract(framing), input.as_bytes(), &mut out).unwrap();
    handle.join().unwrap();
    (ending, String::from_utf8(out).unwrap())
}

#[test]
fn quits_on_the_quit_line_after_printing_the_reply() {
    let (ending, out) = tcp_conversation(Framing::None, "hello\n\nnever sent\n", |mut s| {
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
        s.write_all(b"Thanks").unwrap();
        assert_eq!(
            s.read(&mut buf).unwrap(),
            0,
            "the client closes after quitting"
        );
    });
    assert_eq!(ending, Ending::Quit);
    assert_eq!(out, "Thanks\nbye\n");
}

#[test]
fn a_line_framed_reply_in_pieces_is_printed_once() {
    let (ending, out) = tcp_conversation(Framing::Line, "one\n", |mut s| {
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one\n");
        for piece in [&b"Th"[..], b"an", b"ks\n"] {
            s.write_all(piece).unwrap();
            thread::sleep(Duration::from_millis(10));
        }
    });
    assert_eq!(ending, Ending::EndOfInput);
    assert_eq!(out, "Thanks\nend of input, bye\n");
}

#[test]
fn a_server_that_closes_ends_the_client_cleanly() {
    // The server reads everything the client sends before it closes: a
    // close with bytes unread, or bytes arriving after it, is a reset, and
    // which one the client sees would then be a race.
    let (ending, out) = tcp_conversation(Framing::None, "hello\nagain\n", |mut s| {
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        s.write_all(b"Thanks").unwrap();
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"again");
    });
    assert_eq!(ending, Ending::PeerClosed);
    assert!(
        out.ends_with("the server closed the connection, bye\n"),
        "{out}"
    );
}

#[test]
fn a_server_that_resets_ends_the_client_cleanly() {
    let (ending, _) = tcp_conversation(Framing::None, "hello\nagain\n", |s| {
        let mut s = socket2::Socket::from(s);
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        s.set_linger(Some(Duration::ZERO)).unwrap();
    });
    assert!(matches!(ending, Ending::PeerReset(_)), "{ending:?}");
}

#[test]
fn no_server_is_an_error_that_names_the_address() {
    let addr = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap();
    let err = tcp_client::run(addr, &contract(Framing::None), &b"x\n"[..], Vec::new()).unwrap_err();
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[test]
fn the_udp_client_sends_each_line_as_one_datagram_and_survives_a_lost_reply() {
    let server = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = server.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"first");
        // The reply to "first" is lost; "second" is answered.
        let (n, from2) = server.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from2), (&b"second"[..], from));
        server.send_to(b"Thanks", from).unwrap();
    });
    let mut out = Vec::new();
    let input = &b"first\nsecond\n\n"[..];
    let ending = udp_client::run(addr, "", Duration::from_millis(100), input, &mut out).unwrap();
    handle.join().unwrap();
    assert_eq!(ending, Ending::Quit);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "no reply within 0.1 s\nThanks\nbye\n"
    );
}

#[test]
fn the_broadcaster_refuses_addresses_off_loopback() {
    for ip in [Ipv4Addr::BROADCAST, Ipv4Addr::new(192, 168, 1, 255)] {
        let plan = broadcast::Broadcast {
            to: SocketAddrV4::new(ip, 9),
            text: "x".into(),
            count: 1,
            interval: Duration::ZERO,
        };
        let err = broadcast::send(&plan, Vec::new()).unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
    }
}

#[test]
fn two_receivers_share_a_port_and_both_get_the_broadcast() {
    let any = (Ipv4Addr::UNSPECIFIED, 0).into();
    let first = broadcast::bind_receiver(any).unwrap();
    let port = first.local_addr().unwrap().port();
    let second = broadcast::bind_receiver((Ipv4Addr::UNSPECIFIED, port).into()).unwrap();
    let plan = broadcast::Broadcast {
        to: SocketAddrV4::new(Ipv4Addr::new(127, 255, 255, 255), port),
        text: "to all".into(),
        count: 1,
        interval: Duration::ZERO,
    };
    broadcast::send(&plan, Vec::new()).unwrap();
    for r in [first, second] {
        r.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 64];
        let (n, _) = r.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"to all");
    }
}
