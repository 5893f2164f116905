//! Fresh ports for targets. A port is never handed out twice in one run: a
//! TIME_WAIT left behind by a program without SO_REUSEADDR would make the next
//! scenario on that port fail for a reason that is not its own.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::sync::Mutex;

/// Hands out ports that are free for both TCP and UDP right now and were not
/// handed out before by this pool.
#[derive(Debug, Default)]
pub struct PortPool {
    given: Mutex<HashSet<u16>>,
}

impl PortPool {
    /// A new, empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// A port nobody uses, that this pool has not given before.
    pub fn take(&self) -> std::io::Result<u16> {
        for _ in 0..200 {
            let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
            let port = listener.local_addr()?.port();
            // The same number must be free for UDP too, so a role that binds
            // both (or a broadcast receiver) gets a clean port.
            if UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)).is_err() {
                continue;
            }
            let mut given = self.given.lock().unwrap_or_else(|e| e.into_inner());
            if given.insert(port) {
                return Ok(port);
            }
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            "no free port found after 200 tries",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_gives_a_port_twice() {
        let pool = PortPool::new();
        let ports: Vec<u16> = (0..50).map(|_| pool.take().unwrap()).collect();
        let unique: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(unique.len(), ports.len());
    }
}
