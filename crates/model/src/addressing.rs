//! How a program under test is addressed: the one decision every part of
//! the harness asks about ("does this program pick its own port?": run its
//! scenarios one at a time; "where is its other end?": listen or connect
//! there). Made once, from the command and what the grader states, so that
//! the scheduler, the runner and the grading batch can never disagree.

use std::net::SocketAddr;

use crate::contract::Role;

/// How a program is reached, or reaches the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressing {
    /// Its command takes `{port}`: the harness hands out a free one.
    Placeholder,
    /// The grader states the port it hard-codes.
    Fixed(u16),
    /// Its other end is written in its source (a client's server, a
    /// server's own address): the harness uses that.
    Server(SocketAddr),
    /// A server with no `{port}` and no stated port: found where it
    /// listens, once it does.
    Discovered,
    /// A client with no `{port}` whose server could not be read from its
    /// source: it goes where it goes.
    Unstated,
}

impl Addressing {
    /// The addressing of a program of `role` run as `command`, with the
    /// port and the server the grader (or its source) states.
    pub fn of(role: Role, command: &str, port: Option<u16>, server: Option<SocketAddr>) -> Self {
        match (port, server) {
            (Some(p), _) => Addressing::Fixed(p),
            (None, Some(s)) => Addressing::Server(s),
            _ if command.contains("{port}") => Addressing::Placeholder,
            _ if role.is_client() => Addressing::Unstated,
            _ => Addressing::Discovered,
        }
    }

    /// Whether the program uses a port of its own rather than one the
    /// harness hands out: on a shared loopback its scenarios (and its
    /// submissions) run one at a time.
    pub fn picks_own_port(self) -> bool {
        self != Addressing::Placeholder
    }

    /// The port the program is known to use before it runs.
    pub fn fixed_port(self) -> Option<u16> {
        match self {
            Addressing::Fixed(p) => Some(p),
            Addressing::Server(s) => Some(s.port()),
            _ => None,
        }
    }

    /// Whether its port is found only once it listens.
    pub fn is_discovered(self) -> bool {
        self == Addressing::Discovered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decision_for_every_shape_of_program() {
        let server: SocketAddr = "10.0.0.5:8888".parse().unwrap();
        let of = Addressing::of;
        assert_eq!(
            of(Role::TcpServer, "python3 s.py {port}", None, None),
            Addressing::Placeholder
        );
        assert_eq!(
            of(Role::TcpServer, "python3 s.py", Some(8888), None),
            Addressing::Fixed(8888)
        );
        assert_eq!(
            of(Role::TcpClient, "python3 c.py", None, Some(server)),
            Addressing::Server(server)
        );
        assert_eq!(
            of(Role::UdpServer, "python3 s.py", None, None),
            Addressing::Discovered
        );
        assert_eq!(
            of(Role::UdpClient, "python3 c.py", None, None),
            Addressing::Unstated
        );
        assert!(!Addressing::Placeholder.picks_own_port());
        assert!(Addressing::Unstated.picks_own_port());
        assert_eq!(Addressing::Server(server).fixed_port(), Some(8888));
    }
}
