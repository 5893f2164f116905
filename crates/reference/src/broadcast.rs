//! The reference broadcaster and broadcast receiver.
//!
//! The sender refuses every address outside 127.0.0.0/8: a broadcast to
//! 255.255.255.255 or to a real subnet leaves the machine through a real
//! interface, and a grading tool must never put traffic on a classroom
//! network. 127.255.255.255 is a broadcast address on Linux loopback, which
//! is all the suite needs.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::time::Duration;

use crate::ReferenceError;

/// What to broadcast, and how often.
#[derive(Debug, Clone)]
pub struct Broadcast {
    pub to: SocketAddrV4,
    pub text: String,
    pub count: u32,
    pub interval: Duration,
}

/// Refuses destinations that would leave this machine.
pub fn check_destination(to: Ipv4Addr) -> Result<(), ReferenceError> {
    if to.is_loopback() {
        Ok(())
    } else {
        Err(ReferenceError::OffLoopback(to))
    }
}

/// Sends the datagrams with SO_BROADCAST set, then returns.
pub fn send(b: &Broadcast, mut output: impl Write) -> Result<(), ReferenceError> {
    check_destination(*b.to.ip())?;
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
    socket.set_broadcast(true)?;
    for i in 0..b.count {
        if i > 0 {
            std::thread::sleep(b.interval);
        }
        socket.send_to(b.text.as_bytes(), b.to)?;
        writeln!(output, "sent {:?} to {}", b.text, b.to)?;
    }
    Ok(())
}

/// Binds the port for broadcasts: on all addresses (a socket bound to
/// 127.0.0.1 does not receive what is sent to 127.255.255.255), with
/// SO_REUSEADDR so that other receivers on this machine can share the port.
pub fn bind_receiver(addr: SocketAddr) -> Result<UdpSocket, ReferenceError> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::DGRAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

/// Prints every datagram received, forever.
pub fn receive(socket: &UdpSocket, mut output: impl Write) -> Result<(), ReferenceError> {
    let mut buf = vec![0u8; 65536];
    loop {
        let (n, from) = socket.recv_from(&mut buf)?;
        writeln!(
            output,
            "{} (from {from})",
            String::from_utf8_lossy(&buf[..n])
        )?;
    }
}
