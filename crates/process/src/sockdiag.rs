//! The kernel's TCP socket tables through `NETLINK_SOCK_DIAG` (what `ss` uses).
//!
//! Reading `/proc/net/tcp{,6}` walks every bucket of the established hash
//! table, which is sized from RAM: on the 23 GB test machines one read costs
//! 2.5–7 ms even when the table is empty. Sock-diag can ask for listening
//! sockets only (the kernel then walks just the small listening hash) or for
//! one connection by its 4-tuple (one hash lookup), each in tens of
//! microseconds; a dump of all connections still walks the hash, but skips
//! formatting text and costs about a third of the `/proc` read. It answers for the network namespace of the asking socket,
//! i.e. the harness's; callers fall back to `/proc/PID/net` for a target in
//! another namespace.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recv, sendto, socket,
};

use crate::proc::{SocketEntry, TCP_LISTEN};

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const HDR: usize = 16;
/// `inet_diag_msg`: family, state, timer, retrans, sockid (48), expires,
/// rqueue, wqueue, uid, inode.
const DIAG_MSG: usize = 72;
/// The `inet_diag` attribute that carries `struct tcp_info`, and the bit
/// that asks for it (`idiag_ext`, 1 << (INET_DIAG_INFO - 1)).
const INET_DIAG_INFO: u16 = 2;
const EXT_INFO: u8 = 1 << (INET_DIAG_INFO - 1);
/// Where `tcpi_bytes_received` (u64, Linux 4.1+) sits in `struct tcp_info`.
const BYTES_RECEIVED_AT: usize = 128;

/// Which sockets to ask for.
enum Query {
    /// Every socket whose state is in the mask (`1 << state`).
    Dump { states: u32 },
    /// The one connection with this local and remote address.
    Exact {
        local: SocketAddr,
        remote: SocketAddr,
    },
    /// The UDP socket a datagram from `from` to `to` is delivered to (one
    /// hash lookup, as the kernel does for the datagram itself).
    UdpFor { to: SocketAddr, from: SocketAddr },
}

fn open() -> Option<OwnedFd> {
    socket(
        AddressFamily::Netlink,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .ok()
}

/// `inet_diag_sockid`: ports big-endian, addresses in network byte order.
fn put_sockid(buf: &mut Vec<u8>, local: Option<SocketAddr>, remote: Option<SocketAddr>) {
    let port = |a: Option<SocketAddr>| a.map_or(0, |a| a.port()).to_be_bytes();
    let addr = |a: Option<SocketAddr>| -> [u8; 16] {
        let mut b = [0u8; 16];
        match a.map(|a| a.ip()) {
            Some(IpAddr::V4(ip)) => b[..4].copy_from_slice(&ip.octets()),
            Some(IpAddr::V6(ip)) => b.copy_from_slice(&ip.octets()),
            None => {}
        }
        b
    };
    buf.extend_from_slice(&port(local));
    buf.extend_from_slice(&port(remote));
    buf.extend_from_slice(&addr(local));
    buf.extend_from_slice(&addr(remote));
    buf.extend_from_slice(&0u32.to_ne_bytes()); // interface
    buf.extend_from_slice(&[0xff; 8]); // INET_DIAG_NOCOOKIE
}

fn request(family: u8, query: &Query) -> Vec<u8> {
    // An exact lookup also asks for tcp_info (bytes received); a dump
    // does not need it and would carry it for every socket.
    let (protocol, flags, states, ext, local, remote) = match *query {
        Query::Dump { states } => (
            IPPROTO_TCP,
            NLM_F_REQUEST | NLM_F_DUMP,
            states,
            0,
            None,
            None,
        ),
        Query::Exact { local, remote } => (
            IPPROTO_TCP,
            NLM_F_REQUEST,
            u32::MAX,
            EXT_INFO,
            Some(local),
            Some(remote),
        ),
        // udp_diag looks up with source and destination the other way
        // round: `src` is the datagram's sender, `dst` the receiving socket.
        Query::UdpFor { to, from } => (
            IPPROTO_UDP,
            NLM_F_REQUEST,
            u32::MAX,
            0,
            Some(from),
            Some(to),
        ),
    };
    let mut buf = Vec::with_capacity(HDR + 56);
    buf.extend_from_slice(&0u32.to_ne_bytes()); // length, set below
    buf.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    buf.extend_from_slice(&flags.to_ne_bytes());
    buf.extend_from_slice(&1u32.to_ne_bytes()); // sequence
    buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel
    buf.extend_from_slice(&[family, protocol, ext, 0]);
    buf.extend_from_slice(&states.to_ne_bytes());
    put_sockid(&mut buf, local, remote);
    let len = buf.len() as u32;
    buf[..4].copy_from_slice(&len.to_ne_bytes());
    buf
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn addr_at(b: &[u8], family: u8, port_at: usize, addr_at: usize) -> Option<SocketAddr> {
    let port = u16::from_be_bytes([b[port_at], b[port_at + 1]]);
    let ip = match family {
        AF_INET => IpAddr::V4(Ipv4Addr::new(
            b[addr_at],
            b[addr_at + 1],
            b[addr_at + 2],
            b[addr_at + 3],
        )),
        AF_INET6 => IpAddr::V6(Ipv6Addr::from(
            <[u8; 16]>::try_from(&b[addr_at..addr_at + 16]).ok()?,
        )),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn parse_msg(b: &[u8]) -> Option<SocketEntry> {
    if b.len() < DIAG_MSG {
        return None;
    }
    let family = b[0];
    let state = b[1];
    Some(SocketEntry {
        local: addr_at(b, family, 4, 8)?,
        remote: addr_at(b, family, 6, 24)?,
        state,
        rx_queue: u32_at(b, 56),
        // For a listener sock-diag gives the backlog limit here; /proc gives
        // 0. Keep the /proc meaning, so both sources agree.
        tx_queue: if state == TCP_LISTEN {
            0
        } else {
            u32_at(b, 60)
        },
        inode: u64::from(u32_at(b, 68)),
        bytes_received: bytes_received(&b[DIAG_MSG..]),
    })
}

/// `tcpi_bytes_received` from the message's attributes, if it has tcp_info.
fn bytes_received(mut attrs: &[u8]) -> Option<u64> {
    while attrs.len() >= 4 {
        let len = u16::from_ne_bytes([attrs[0], attrs[1]]) as usize;
        let kind = u16::from_ne_bytes([attrs[2], attrs[3]]);
        if len < 4 || len > attrs.len() {
            return None;
        }
        let payload = &attrs[4..len];
        if kind == INET_DIAG_INFO {
            let field = payload.get(BYTES_RECEIVED_AT..BYTES_RECEIVED_AT + 8)?;
            return Some(u64::from_ne_bytes(field.try_into().ok()?));
        }
        attrs = attrs.get((len + 3) & !3..).unwrap_or_default();
    }
    None
}

/// Sends one request and collects the answers; `None` if netlink failed
/// (the caller then falls back to `/proc`). An exact lookup that finds
/// nothing is `Some(empty)`.
fn ask(fd: &OwnedFd, family: u8, query: &Query) -> Option<Vec<SocketEntry>> {
    let req = request(family, query);
    sendto(
        fd.as_raw_fd(),
        &req,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .ok()?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).ok()?;
        if n == 0 {
            return None;
        }
        let mut at = 0;
        while at + HDR <= n {
            let len = u32_at(&buf, at) as usize;
            let kind = u16::from_ne_bytes([buf[at + 4], buf[at + 5]]);
            if len < HDR || at + len > n {
                return None;
            }
            let body = &buf[at + HDR..at + len];
            match kind {
                NLMSG_DONE => return Some(out),
                NLMSG_ERROR => {
                    let errno = i32::from_ne_bytes(body.get(..4)?.try_into().ok()?);
                    // ENOENT: no such connection.
                    return (errno == 0 || errno == -2).then_some(out);
                }
                SOCK_DIAG_BY_FAMILY => out.extend(parse_msg(body)),
                _ => {}
            }
            at += (len + 3) & !3;
        }
        if matches!(query, Query::Exact { .. } | Query::UdpFor { .. }) {
            // An exact lookup answers with one message and no DONE.
            return Some(out);
        }
    }
}

/// Every listening TCP socket (IPv4 and IPv6) in the harness's namespace.
pub(crate) fn tcp_listeners() -> Option<Vec<SocketEntry>> {
    let fd = open()?;
    let query = Query::Dump {
        states: 1 << TCP_LISTEN,
    };
    let mut all = ask(&fd, AF_INET, &query)?;
    all.extend(ask(&fd, AF_INET6, &query)?);
    Some(all)
}

/// The connection from `local` to `remote` in the harness's namespace.
pub(crate) fn tcp_conn(local: SocketAddr, remote: SocketAddr) -> Option<Option<SocketEntry>> {
    let fd = open()?;
    let family = if local.is_ipv4() { AF_INET } else { AF_INET6 };
    let found = ask(&fd, family, &Query::Exact { local, remote })?;
    Some(found.into_iter().next())
}

/// Every non-listening TCP socket in the harness's namespace (a walk of the
/// whole connection hash, but about 3× cheaper than `/proc/net/tcp{,6}`).
pub(crate) fn tcp_connections() -> Option<Vec<SocketEntry>> {
    let fd = open()?;
    let query = Query::Dump {
        states: !(1 << TCP_LISTEN),
    };
    let mut all = ask(&fd, AF_INET, &query)?;
    all.extend(ask(&fd, AF_INET6, &query)?);
    Some(all)
}

/// The UDP socket in the harness's namespace that a datagram from `from`
/// to `to` is delivered to, with its receive queue; `None` if sock-diag
/// cannot say (no UDP support, or no such socket: the caller then reads
/// the tables).
pub(crate) fn udp_for(to: SocketAddr, from: SocketAddr) -> Option<SocketEntry> {
    let fd = open()?;
    let family = if to.is_ipv4() { AF_INET } else { AF_INET6 };
    ask(&fd, family, &Query::UdpFor { to, from })?
        .into_iter()
        .find(|e| e.local.port() == to.port())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    /// The lookup finds the socket a datagram goes to, bound to the
    /// wildcard address, and the bytes queued in it, as the tables do.
    #[test]
    fn the_udp_socket_a_datagram_reaches_and_its_queue() {
        let server = UdpSocket::bind("0.0.0.0:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let to: SocketAddr = ([127, 0, 0, 1], port).into();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let from = sender.local_addr().unwrap();
        let found = udp_for(to, from).expect("udp_diag answers");
        assert_eq!(found.local.port(), port);
        assert_eq!(found.rx_queue, 0);
        sender.send_to(b"hello", to).unwrap();
        let queued = udp_for(to, from).unwrap().rx_queue;
        assert!(queued > 0, "{queued}");
        let me = std::process::id() as i32;
        let in_tables: u32 = crate::proc::sockets(me, crate::proc::Proto::Udp)
            .iter()
            .filter(|e| e.local.port() == port)
            .map(|e| e.rx_queue)
            .sum();
        assert_eq!(queued, in_tables);
        assert_eq!(crate::proc::udp_unread(me, to, from), queued);
    }
}
