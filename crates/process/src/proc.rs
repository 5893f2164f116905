//! Linux `/proc` readers: process groups, socket inodes and the kernel's
//! socket tables.
//!
//! These let the harness see what the target is doing without touching it:
//! whether it listens or has bound a port (readiness), and how much of what
//! was sent to it it has read (`rx_queue`). Every reader is a snapshot; a
//! process that vanishes between two reads is simply not reported.
//!
//! `/proc/PID/net/*` shows the socket tables of the network namespace `PID`
//! lives in, so reading through the target's pid is right even when the
//! target runs in a namespace of its own. Reading `/proc/net/tcp{,6}` walks
//! the kernel's whole connection hash, which is sized from RAM (2.5–7 ms per
//! read on the 23 GB test machines, even with an empty table), so TCP
//! listeners and single connections are asked of sock-diag netlink instead
//! when the target shares the harness's namespace; UDP tables are small and
//! cheap (~0.1 ms).

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::sockdiag;

/// TCP state `LISTEN` as `/proc/net/tcp` writes it.
pub const TCP_LISTEN: u8 = 0x0A;
/// TCP state `TIME_WAIT`.
pub const TCP_TIME_WAIT: u8 = 0x06;

/// The fields of `/proc/PID/stat` the harness needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// The process id.
    pub pid: i32,
    /// The state letter: `R`, `S`, `D`, `Z` (zombie), `T`, …
    pub state: char,
    /// The parent's pid.
    pub ppid: i32,
    /// The process group id.
    pub pgrp: i32,
}

impl ProcStat {
    /// Whether the process has exited and waits to be reaped.
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z'
    }
}

/// Parses the text of `/proc/PID/stat`. The command name is in parentheses
/// and may itself contain spaces and `)`, so the fields are read after the
/// last `)`.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let mut fields = text.get(close + 1..)?.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some(ProcStat {
        pid,
        state,
        ppid,
        pgrp,
    })
}

/// `/proc/PID/stat` of one process, if it exists.
pub fn stat(pid: i32) -> Option<ProcStat> {
    parse_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Every process (zombies included) whose process group is `pgid`.
///
/// Reading every process's `stat` costs a millisecond or more on a busy
/// machine, and readiness, idle checks and reaping ask many times a
/// second. So when the harness is a subreaper (every orphan of a group it
/// started comes back to it) the group is found by walking down from its
/// leader and from the harness's own children that are in it (orphans,
/// the leader once reaped), through `/proc/PID/task/TID/children`; a
/// member that moved to a group of its own takes its descendants with it.
/// Otherwise, every process is read.
pub fn group_members(pgid: i32) -> Vec<ProcStat> {
    if !crate::target::is_subreaper() {
        return every_member(pgid);
    }
    let mut roots = vec![pgid];
    roots.extend(children(std::process::id() as i32));
    let mut seen = HashSet::new();
    let mut members = Vec::new();
    let mut stack = Vec::new();
    for root in roots {
        stack.push(root);
        while let Some(pid) = stack.pop() {
            if !seen.insert(pid) {
                continue;
            }
            let Some(s) = stat(pid).filter(|s| s.pgrp == pgid) else {
                continue;
            };
            // A zombie's children have gone to the harness already.
            if !s.is_zombie() {
                stack.extend(children(pid));
            }
            members.push(s);
        }
    }
    members
}

/// Every process of group `pgid`, found by reading every process's `stat`.
fn every_member(pgid: i32) -> Vec<ProcStat> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(stat)
        .filter(|s| s.pgrp == pgid)
        .collect()
}

/// The children of every thread of `pid` (a thread's children are listed
/// under the thread that forked them).
fn children(pid: i32) -> Vec<i32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<i32>>()
        })
        .collect()
}

/// The pids of every process (zombies included) whose process group is `pgid`.
pub fn group_pids(pgid: i32) -> Vec<i32> {
    group_members(pgid).into_iter().map(|s| s.pid).collect()
}

/// The inodes of the sockets the processes `pids` hold open
/// (`/proc/PID/fd/*` → `socket:[INODE]`). Threads share their process's fd
/// table, so this covers them too.
pub fn socket_inodes(pids: &[i32]) -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for pid in pids {
        let Ok(dir) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for entry in dir.flatten() {
            if let Ok(link) = fs::read_link(entry.path())
                && let Some(inode) = link
                    .to_str()
                    .and_then(|l| l.strip_prefix("socket:["))
                    .and_then(|l| l.strip_suffix(']'))
                    .and_then(|l| l.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// Which socket table to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// `net/tcp` and `net/tcp6`.
    Tcp,
    /// `net/udp` and `net/udp6`.
    Udp,
}

/// One line of a `/proc/net/{tcp,udp}{,6}` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketEntry {
    /// The local address and port.
    pub local: SocketAddr,
    /// The remote address and port (`0.0.0.0:0` when unconnected).
    pub remote: SocketAddr,
    /// The state code (see [`TCP_LISTEN`]; for UDP, 07 unconnected, 01 connected).
    pub state: u8,
    /// Bytes queued to send (TCP: not yet acknowledged by the peer).
    pub tx_queue: u32,
    /// Bytes received and not yet read by the owner (for a listening
    /// socket: connections waiting to be accepted).
    pub rx_queue: u32,
    /// The socket's inode, 0 for sockets no process holds (`TIME_WAIT`).
    pub inode: u64,
    /// TCP: every byte this socket has received so far (tcp_info's
    /// `bytes_received`), when the kernel was asked for it (an exact
    /// sock-diag lookup); `None` from `/proc`.
    pub bytes_received: Option<u64>,
}

/// Parses the text of one socket table. Lines that do not parse are skipped.
pub fn parse_table(text: &str) -> Vec<SocketEntry> {
    text.lines().skip(1).filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<SocketEntry> {
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() < 10 {
        return None;
    }
    let (tx, rx) = f[4].split_once(':')?;
    Some(SocketEntry {
        local: parse_addr(f[1])?,
        remote: parse_addr(f[2])?,
        state: u8::from_str_radix(f[3], 16).ok()?,
        tx_queue: u32::from_str_radix(tx, 16).ok()?,
        rx_queue: u32::from_str_radix(rx, 16).ok()?,
        inode: f[9].parse().ok()?,
        bytes_received: None,
    })
}

/// `0100007F:1F90` → 127.0.0.1:8080. The kernel prints the address as
/// 32-bit words in host byte order and the port as a number.
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        Some(
            u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16)
                .ok()?
                .to_ne_bytes(),
        )
    };
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Every socket of `proto` (IPv4 and IPv6 tables) in the network namespace
/// of `pid`.
pub fn sockets(pid: i32, proto: Proto) -> Vec<SocketEntry> {
    let names: [&str; 2] = match proto {
        Proto::Tcp => ["tcp", "tcp6"],
        Proto::Udp => ["udp", "udp6"],
    };
    names
        .iter()
        .filter_map(|n| fs::read_to_string(format!("/proc/{pid}/net/{n}")).ok())
        .flat_map(|t| parse_table(&t))
        .collect()
}

/// What a process group does with TCP, seen from the port it should listen on.
///
/// A TCP socket that is bound but not listening is in no table of
/// `/proc/net/tcp` (only in the kernel's bind hash), so it looks like `Nothing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenState {
    /// One of the group's sockets listens on the port, at this address.
    Listening(SocketAddr),
    /// The group listens, but only on other ports (a hard-coded port).
    Elsewhere(Vec<SocketAddr>),
    /// The group has no TCP socket on the port and listens nowhere.
    Nothing,
}

/// Whether `pid` lives in the network namespace of the calling thread (a
/// scenario in a private network runs on a thread of its own, in its own
/// namespace, so this is asked of the thread, never cached per process).
pub fn same_netns(pid: i32) -> bool {
    match (
        fs::read_link("/proc/thread-self/ns/net"),
        fs::read_link(format!("/proc/{pid}/ns/net")),
    ) {
        (Ok(mine), Ok(theirs)) => mine == theirs,
        _ => false,
    }
}

/// Every listening TCP socket (IPv4 and IPv6) in the network namespace of
/// `pid`. In the harness's own namespace this asks sock-diag netlink for
/// listeners only (tens of microseconds); elsewhere it reads
/// `/proc/PID/net/tcp{,6}`, which walks the whole connection hash (2.5–7 ms
/// on a machine with a lot of RAM).
pub fn tcp_listeners(pid: i32) -> Vec<SocketEntry> {
    if same_netns(pid)
        && let Some(listeners) = sockdiag::tcp_listeners()
    {
        return listeners;
    }
    sockets(pid, Proto::Tcp)
        .into_iter()
        .filter(|e| e.state == TCP_LISTEN)
        .collect()
}

/// Whether a socket among `inodes` listens on TCP `port` in `pid`'s
/// namespace; if not, whether the group listens elsewhere.
pub fn tcp_listening(pid: i32, port: u16, inodes: &HashSet<u64>) -> ListenState {
    let ours: Vec<SocketEntry> = tcp_listeners(pid)
        .into_iter()
        .filter(|e| inodes.contains(&e.inode))
        .collect();
    if let Some(e) = ours.iter().find(|e| e.local.port() == port) {
        return ListenState::Listening(e.local);
    }
    let mut elsewhere: Vec<SocketAddr> = ours.iter().map(|e| e.local).collect();
    elsewhere.sort();
    elsewhere.dedup();
    if elsewhere.is_empty() {
        ListenState::Nothing
    } else {
        ListenState::Elsewhere(elsewhere)
    }
}

/// Whether a socket among `inodes` is bound to UDP `port`.
pub fn udp_bound(pid: i32, port: u16, inodes: &HashSet<u64>) -> bool {
    udp_bound_addr(pid, port, inodes).is_some()
}

/// The address a socket among `inodes` has bound on UDP `port`, if any.
pub fn udp_bound_addr(pid: i32, port: u16, inodes: &HashSet<u64>) -> Option<SocketAddr> {
    sockets(pid, Proto::Udp)
        .iter()
        .find(|e| e.local.port() == port && inodes.contains(&e.inode))
        .map(|e| e.local)
}

/// The local addresses of the sockets among `inodes` in one protocol's
/// tables (listening or bound), sorted, without duplicates: what a message
/// can show when the target is not where it should be.
pub fn bound_addrs(pid: i32, proto: Proto, inodes: &HashSet<u64>) -> Vec<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = sockets(pid, proto)
        .into_iter()
        .filter(|e| inodes.contains(&e.inode) && e.local.port() != 0)
        .map(|e| e.local)
        .collect();
    addrs.sort();
    addrs.dedup();
    addrs
}

/// The TCP sockets of `pid`'s namespace, connections at least (a walk of
/// the whole connection hash): through a sock-diag dump in the harness's
/// namespace, else (or if netlink fails) `/proc/PID/net/tcp{,6}`, which
/// lists listeners too.
fn tcp_connections(pid: i32) -> Vec<SocketEntry> {
    if same_netns(pid)
        && let Some(all) = sockdiag::tcp_connections()
    {
        return all;
    }
    sockets(pid, Proto::Tcp)
}

/// The sockets among `inodes`, each with its table, cheapest first: the
/// UDP tables and the TCP listeners cost microseconds; only an inode found
/// in neither (a connection, or a socket of another kind) makes this walk
/// the connection hash, through sock-diag in the harness's namespace. A
/// server idle in `accept()` holds only its listener, so the checks run
/// between scenarios never pay for that walk.
pub fn sockets_of(pid: i32, inodes: &HashSet<u64>) -> Vec<(Proto, SocketEntry)> {
    let mut found: Vec<(Proto, SocketEntry)> = sockets(pid, Proto::Udp)
        .into_iter()
        .filter(|e| inodes.contains(&e.inode))
        .map(|e| (Proto::Udp, e))
        .collect();
    found.extend(
        tcp_listeners(pid)
            .into_iter()
            .filter(|e| inodes.contains(&e.inode))
            .map(|e| (Proto::Tcp, e)),
    );
    let known: HashSet<u64> = found.iter().map(|(_, e)| e.inode).collect();
    if inodes.iter().all(|i| known.contains(i)) {
        return found;
    }
    found.extend(
        tcp_connections(pid)
            .into_iter()
            .filter(|e| {
                e.state != TCP_LISTEN && inodes.contains(&e.inode) && !known.contains(&e.inode)
            })
            .map(|e| (Proto::Tcp, e)),
    );
    found
}

/// `(tx_queue, rx_queue)` of the TCP connection whose local port is
/// `local_port` and remote port `remote_port`, in `pid`'s namespace, if it
/// exists. A live connection is preferred over a `TIME_WAIT` leftover with the
/// same ports. Knowing only the ports, this has to walk the whole connection
/// hash: a sock-diag dump in the harness's namespace (~4 ms with a thousand
/// sockets in TIME_WAIT), `/proc/PID/net/tcp{,6}` elsewhere (~11 ms).
/// [`tcp_conn_queues`] answers the same in ~10 µs when both addresses are
/// known: prefer it in loops.
pub fn tcp_queues(pid: i32, local_port: u16, remote_port: u16) -> Option<(u32, u32)> {
    let matching = tcp_connections(pid)
        .into_iter()
        .filter(|e| e.local.port() == local_port && e.remote.port() == remote_port);
    let mut found = None;
    for e in matching {
        if e.state != TCP_TIME_WAIT {
            return Some((e.tx_queue, e.rx_queue));
        }
        found = Some((e.tx_queue, e.rx_queue));
    }
    found
}

/// The bytes waiting to be read in the UDP socket of `pid` that datagrams
/// from `from` to `to` reach: one sock-diag lookup when `pid` shares the
/// harness's network namespace (a UDP table walk costs tens of
/// microseconds, and a harness waiting for each datagram to be read asks
/// every millisecond); otherwise the sum over the sockets on `to`'s port
/// in `/proc/PID/net/udp{,6}`.
pub fn udp_unread(pid: i32, to: SocketAddr, from: SocketAddr) -> u32 {
    if same_netns(pid)
        && let Some(e) = sockdiag::udp_for(to, from)
    {
        return e.rx_queue;
    }
    sockets(pid, Proto::Udp)
        .iter()
        .filter(|e| e.local.port() == to.port())
        .map(|e| e.rx_queue)
        .sum()
}

/// The connection from `local` to `remote` as sock-diag sees it, with the
/// bytes it has received (`None` if sock-diag is unavailable or it is gone).
pub fn tcp_conn(local: SocketAddr, remote: SocketAddr) -> Option<SocketEntry> {
    sockdiag::tcp_conn(local, remote)
        .flatten()
        .filter(|e| e.local.port() == local.port() && e.remote.port() == remote.port())
}

/// `(tx_queue, rx_queue)` of the TCP connection from `local` to `remote` in
/// the harness's network namespace (one sock-diag lookup, no table walk),
/// e.g. the target's end of a harness connection is
/// `tcp_conn_queues(conn.peer_addr(), conn.local_addr())`. Falls back to
/// `/proc/self/net/tcp{,6}` if netlink is unavailable.
pub fn tcp_conn_queues(local: SocketAddr, remote: SocketAddr) -> Option<(u32, u32)> {
    match sockdiag::tcp_conn(local, remote) {
        Some(found) => found
            .filter(|e| e.local.port() == local.port() && e.remote.port() == remote.port())
            .map(|e| (e.tx_queue, e.rx_queue)),
        None => tcp_queues(std::process::id() as i32, local.port(), remote.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_hostile_comm() {
        let s = parse_stat("1234 (a) b (c)) S 1 999 999 0 -1 4194560 ...").unwrap();
        assert_eq!(
            s,
            ProcStat {
                pid: 1234,
                state: 'S',
                ppid: 1,
                pgrp: 999
            }
        );
        assert!(parse_stat("garbage").is_none());
        assert!(parse_stat("12 (x) Z").is_none());
    }

    #[test]
    fn own_stat_and_group() {
        let me = std::process::id() as i32;
        let s = stat(me).unwrap();
        assert_eq!(s.pid, me);
        assert_eq!(s.ppid, nix::unistd::getppid().as_raw());
        assert_eq!(s.pgrp, nix::unistd::getpgrp().as_raw());
        assert!(group_pids(s.pgrp).contains(&me));
    }

    #[test]
    fn table_lines() {
        let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n\
   1: 0100007F:1F90 0100007F:D431 01 0000000A:00000014 00:00000000 00000000     0        0 12346 1\n";
        let t = parse_table(v4);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].local, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(t[0].state, TCP_LISTEN);
        assert_eq!((t[0].tx_queue, t[0].rx_queue, t[0].inode), (0, 2, 12345));
        assert_eq!(t[1].remote, "127.0.0.1:54321".parse().unwrap());
        assert_eq!((t[1].tx_queue, t[1].rx_queue), (10, 20));

        let v6 = "header\n   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1\n\
   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 778 1\n";
        let t = parse_table(v6);
        assert_eq!(t[0].local, "[::1]:8080".parse().unwrap());
        assert_eq!(t[1].local, "[::ffff:127.0.0.1]:80".parse().unwrap());
    }

    #[test]
    fn reads_a_real_listener() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let me = std::process::id() as i32;
        let inodes = socket_inodes(&[me]);
        assert_eq!(
            tcp_listening(me, port, &inodes),
            ListenState::Listening(l.local_addr().unwrap())
        );
        // Not ours: the right port with someone else's inodes.
        assert_eq!(
            tcp_listening(me, port, &HashSet::new()),
            ListenState::Nothing
        );
        match tcp_listening(me, port.wrapping_add(1).max(1), &inodes) {
            ListenState::Elsewhere(addrs) => assert!(addrs.contains(&l.local_addr().unwrap())),
            other => panic!("{other:?}"),
        }

        let u = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let uport = u.local_addr().unwrap().port();
        let inodes = socket_inodes(&[me]);
        assert!(udp_bound(me, uport, &inodes));
        assert!(!udp_bound(me, uport, &HashSet::new()));
        assert!(bound_addrs(me, Proto::Udp, &inodes).contains(&u.local_addr().unwrap()));
    }

    #[test]
    fn netlink_agrees_with_proc() {
        let l4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let l6 = std::net::TcpListener::bind("[::1]:0").ok();
        let me = std::process::id() as i32;
        assert!(same_netns(me));
        let via_netlink = sockdiag::tcp_listeners().expect("sock-diag works");
        let via_proc: Vec<SocketEntry> = sockets(me, Proto::Tcp)
            .into_iter()
            .filter(|e| e.state == TCP_LISTEN)
            .collect();
        for l in std::iter::once(&l4).chain(l6.as_ref()) {
            let addr = l.local_addr().unwrap();
            let a = via_netlink.iter().find(|e| e.local == addr).unwrap();
            let b = via_proc.iter().find(|e| e.local == addr).unwrap();
            assert_eq!(a, b);
            assert!(socket_inodes(&[me]).contains(&a.inode));
        }
    }

    #[test]
    fn connection_queues_both_ways() {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (mut s, _) = l.accept().unwrap();
        let (cl, sl) = (c.local_addr().unwrap(), s.local_addr().unwrap());
        c.write_all(&[1u8; 50]).unwrap();
        // Loopback delivery is asynchronous; bounded wait for it to land.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while tcp_conn_queues(sl, cl) != Some((0, 50)) {
            assert!(
                std::time::Instant::now() < deadline,
                "{:?}",
                tcp_conn_queues(sl, cl)
            );
            std::thread::yield_now();
        }
        assert_eq!(
            tcp_queues(std::process::id() as i32, sl.port(), cl.port()),
            Some((0, 50))
        );
        assert_eq!(tcp_conn_queues(cl, sl), Some((0, 0)));
        let mut buf = [0u8; 50];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(tcp_conn_queues(sl, cl), Some((0, 0)));
        // No such connection (the listener's port is not mistaken for one).
        let other: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(tcp_conn_queues(l.local_addr().unwrap(), other), None);
        assert_eq!(tcp_conn_queues(other, cl), None);
    }
}
