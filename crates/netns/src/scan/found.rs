//! The result of a scan, apart from how it is found: what a program names
//! (its addresses, its (host, port) pairs, its host names), one type for
//! the source scanner and the command-line scanner alike, so that what a
//! folder and a command line name add up the same way.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// A host and port a program names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host as written: an IPv4 address, '', '0.0.0.0', 'localhost',
    /// `'<broadcast>'`, a name...
    pub host: String,
    /// The port.
    pub port: u16,
}

impl Endpoint {
    /// The host as an address: '' and '0.0.0.0' are every address,
    /// 'localhost' is 127.0.0.1, `'<broadcast>'` is 255.255.255.255; a name
    /// that is none of these is `None`.
    pub fn ip(&self) -> Option<Ipv4Addr> {
        match self.host.as_str() {
            "" | "0.0.0.0" => Some(Ipv4Addr::UNSPECIFIED),
            "localhost" => Some(Ipv4Addr::LOCALHOST),
            "<broadcast>" => Some(Ipv4Addr::BROADCAST),
            h => h.parse().ok(),
        }
    }
}

/// What a submission's source names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// Every quoted IPv4 address (`'<broadcast>'` counts as 255.255.255.255),
    /// and those of URLs.
    pub literals: BTreeSet<Ipv4Addr>,
    /// The (host, port) pairs, in the order written.
    pub endpoints: Vec<Endpoint>,
    /// The host names (never 'localhost', an address, '' or `'<broadcast>'`),
    /// as written.
    pub names: BTreeSet<String>,
}

impl Found {
    /// Adds what another file names.
    pub fn extend(&mut self, more: Found) {
        self.literals.extend(more.literals);
        self.names.extend(more.names);
        for e in more.endpoints {
            self.add_endpoint(e);
        }
    }

    /// Adds a (host, port) pair, once: the first place it is named decides
    /// its order.
    pub(super) fn add_endpoint(&mut self, e: Endpoint) {
        if !self.endpoints.contains(&e) {
            self.endpoints.push(e);
        }
    }
}
