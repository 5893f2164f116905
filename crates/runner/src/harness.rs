//! The sockets the harness holds for a role before the program starts: a
//! client's server, a sender's receivers. They are in place first so a
//! program that acts at once finds its other end.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use sockspec_model::Role;
use tokio::net::{TcpListener, UdpSocket};

use crate::conn::StepFailure;

use crate::udp::UdpPeer;
use sockspec_results::Doing;

/// The sockets the harness holds for the role before the target starts: the
/// server a client connects to, the receivers a broadcast must reach.
pub(crate) enum Harness {
    /// The harness only makes connections of its own (server roles).
    Nothing,
    /// tcp-client: the harness listens.
    Listener(TcpListener),
    /// udp-client: the harness is the UDP server.
    UdpServer(Box<UdpPeer>),
    /// broadcast roles: receivers bound to the port with SO_REUSEADDR.
    Receivers(Vec<UdpPeer>),
}

impl Harness {
    pub(crate) async fn set_up(role: Role, addr: SocketAddr) -> Result<Harness, StepFailure> {
        let port = addr.port();
        Ok(match role {
            Role::TcpClient | Role::HttpClient => {
                let listener =
                    reference_bind(addr).map_err(|e| StepFailure::io(Doing::Listen(addr), e))?;
                Harness::Listener(listener)
            }
            Role::UdpClient => {
                let mut server = UdpPeer::bind(addr).await?;
                server.label = "server".into();
                Harness::UdpServer(Box::new(server))
            }
            Role::BroadcastSender => {
                let mut receivers = Vec::new();
                for i in 0..2 {
                    let mut r = broadcast_receiver(port)?;
                    r.label = format!("receiver {}", i + 1);
                    receivers.push(r);
                }
                Harness::Receivers(receivers)
            }
            _ => Harness::Nothing,
        })
    }
}

/// A TCP listener with SO_REUSEADDR, like the reference server's.
pub(crate) fn reference_bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(16)?;
    TcpListener::from_std(socket.into())
}

/// A UDP socket bound to 0.0.0.0:port with SO_REUSEADDR: how a receiver
/// shares a port with other receivers and hears broadcasts.
pub(crate) fn broadcast_receiver(port: u16) -> Result<UdpPeer, StepFailure> {
    let make = || -> std::io::Result<UdpSocket> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
        socket.set_reuse_address(true)?;
        socket.set_nonblocking(true)?;
        let any = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
        socket.bind(&any.into())?;
        UdpSocket::from_std(socket.into())
    };
    make()
        .map(UdpPeer::from_socket)
        .map_err(|e| StepFailure::io(Doing::BindReceiver(port), e))
}
