//! Fresh ports for targets. A port is never handed out twice in one run: a
//! TIME_WAIT left behind by a program without SO_REUSEADDR would make the next
//! scenario on that port fail for a reason that is not its own.
//!
//! Ports come from below Linux's ephemeral range (32768–60999 by default):
//! a port taken from the kernel with bind(0) is an ephemeral one, and any
//! connect() on the machine (the harness's own clients first of all) may
//! take it as its local port between the moment it is handed out and the
//! moment the target binds it. And several sockspec runs at once (a grader's
//! parallel batch, a test suite) must not hand out the same number: each
//! port is claimed with an abstract Unix socket named after it, which the
//! kernel frees when the run ends, however it ends, and leaves no file.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::sync::Mutex;

/// The range ports are handed out from.
const FIRST: u16 = 20000;
const LAST: u16 = 32767;

#[derive(Debug)]
struct State {
    next: u16,
    given: HashSet<u16>,
    /// The claims on the ports handed out, held as long as the pool lives.
    claims: Vec<UnixListener>,
}

/// Hands out ports that are free for both TCP and UDP right now, were not
/// handed out before by this pool, and are not held by another sockspec run.
#[derive(Debug)]
pub struct PortPool {
    state: Mutex<State>,
    /// The port each role's program chose for itself when it was found
    /// listening (a server whose command has no `{port}`), so that the
    /// next scenario on the shared loopback knows which port to see free.
    chosen: Mutex<Vec<(sockspec_model::Role, u16)>>,
}

impl Default for PortPool {
    fn default() -> Self {
        Self::new()
    }
}

/// Claims `port` among every sockspec process on this machine.
fn claim(port: u16) -> Option<UnixListener> {
    let name = format!("sockspec-port-{port}");
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).ok()?;
    UnixListener::bind_addr(&addr).ok()
}

/// Whether nothing on the machine holds the port, TIME_WAIT included: a
/// bind without SO_REUSEADDR to all addresses fails if any socket uses it.
/// (Not std's `TcpListener::bind`, which sets SO_REUSEADDR on Unix and so
/// binds straight over a TIME_WAIT that a program without it would meet:
/// a fast program killed with a client connected, in another run moments
/// before, then failed to start on a port this pool called free.)
fn free(port: u16) -> bool {
    use socket2::{Domain, Protocol, Socket, Type};
    let addr = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port).into();
    let tcp = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .and_then(|s| s.bind(&addr).map(|()| s));
    tcp.is_ok() && UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)).is_ok()
}

impl PortPool {
    /// A new, empty pool, starting at a place in the range that differs
    /// from run to run, so that parallel runs rarely even meet.
    pub fn new() -> Self {
        let seed = std::process::id()
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
        let span = u32::from(LAST - FIRST) + 1;
        let next = FIRST + (seed % span) as u16;
        PortPool {
            state: Mutex::new(State {
                next,
                given: HashSet::new(),
                claims: Vec::new(),
            }),
            chosen: Mutex::new(Vec::new()),
        }
    }

    /// Notes the port a role's program chose for itself.
    pub fn chose(&self, role: sockspec_model::Role, port: u16) {
        let mut chosen = self.chosen.lock().unwrap_or_else(|e| e.into_inner());
        chosen.retain(|(r, _)| *r != role);
        chosen.push((role, port));
    }

    /// The port a role's program chose for itself in an earlier scenario.
    pub fn chosen(&self, role: sockspec_model::Role) -> Option<u16> {
        let chosen = self.chosen.lock().unwrap_or_else(|e| e.into_inner());
        chosen.iter().find(|(r, _)| *r == role).map(|(_, p)| *p)
    }

    /// A port nobody uses, that this pool has not given before.
    pub fn take(&self) -> std::io::Result<u16> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for _ in FIRST..=LAST {
            let port = state.next;
            state.next = if port == LAST { FIRST } else { port + 1 };
            if state.given.contains(&port) {
                continue;
            }
            let Some(claimed) = claim(port) else { continue };
            if free(port) {
                state.given.insert(port);
                state.claims.push(claimed);
                return Ok(port);
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            format!("no free port left in {FIRST}-{LAST}"),
        ))
    }
}

/// Waits until a port a program hard-codes is free again on the shared
/// loopback, or the deadline passes: a TIME_WAIT left on it by the
/// previous scenario (Linux keeps one for 60 s) would make a program
/// without SO_REUSEADDR fail to bind for a reason that is not this
/// scenario's. Returns how long it waited and whether the port is free
/// now, if it had to wait at all.
pub(crate) async fn until_free(
    port: u16,
    deadline: tokio::time::Instant,
) -> Option<(std::time::Duration, bool)> {
    let started = tokio::time::Instant::now();
    if free(port) {
        return None;
    }
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let freed = free(port);
        if freed || tokio::time::Instant::now() >= deadline {
            return Some((started.elapsed(), freed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port whose server closed first (and so holds it in TIME_WAIT) is
    /// not free: a program without SO_REUSEADDR could not bind it.
    #[test]
    fn a_port_in_time_wait_is_not_free() {
        use std::io::Read;
        let pool = PortPool::new();
        let port = pool.take().unwrap();
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (server_side, _) = listener.accept().unwrap();
        drop(server_side);
        drop(listener);
        let mut end = [0u8; 1];
        assert_eq!(client.read(&mut end).unwrap(), 0);
        drop(client);
        assert!(!free(port), "port {port} is in TIME_WAIT");
    }

    #[test]
    fn never_gives_a_port_twice() {
        let pool = PortPool::new();
        let ports: Vec<u16> = (0..50).map(|_| pool.take().unwrap()).collect();
        let unique: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(unique.len(), ports.len());
        assert!(ports.iter().all(|p| (FIRST..=LAST).contains(p)));
    }

    #[test]
    fn two_pools_never_share_a_port() {
        let (a, b) = (PortPool::new(), PortPool::new());
        let from_a: HashSet<u16> = (0..40).map(|_| a.take().unwrap()).collect();
        let from_b: HashSet<u16> = (0..40).map(|_| b.take().unwrap()).collect();
        assert!(from_a.is_disjoint(&from_b));
    }

    #[test]
    fn a_port_in_use_is_skipped() {
        let pool = PortPool::new();
        let first = pool.take().unwrap();
        // Hold the next one as another program would.
        let next = if first == LAST { FIRST } else { first + 1 };
        let _busy = std::net::TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, next));
        let second = pool.take().unwrap();
        assert_ne!(second, next);
    }
}
