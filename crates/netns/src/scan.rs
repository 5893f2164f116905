//! What addresses a submission uses, read from its source the way a
//! teacher would read it: the quoted IPv4 addresses, and the (host, port)
//! pairs it binds, connects or sends to, whether written as a tuple
//! `('10.16.129.97', 7777)` or as `HOST = '...'` and `PORT = 7777` beside
//! it. Homework is graded as handed in, so the private network of a target
//! is made to carry exactly these.
//!
//! Only quoted addresses count: a version number or a timestamp in a
//! comment is not an address a program can bind.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// Files larger than this are not source code a student wrote.
const MAX_FILE: u64 = 1 << 20;
/// How deep below the submission's folder to look.
const MAX_DEPTH: usize = 3;

/// A host and port a program names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host as written: an IPv4 address, '', '0.0.0.0', 'localhost',
    /// '<broadcast>'...
    pub host: String,
    /// The port.
    pub port: u16,
}

impl Endpoint {
    /// The host as an address: '' and '0.0.0.0' are every address,
    /// 'localhost' is 127.0.0.1, '<broadcast>' is 255.255.255.255; a name
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
    /// Every quoted IPv4 address ('<broadcast>' counts as 255.255.255.255).
    pub literals: BTreeSet<Ipv4Addr>,
    /// The (host, port) pairs, in the order written.
    pub endpoints: Vec<Endpoint>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// Scans one file's text.
pub fn scan_text(text: &str) -> Found {
    static IP: OnceLock<Regex> = OnceLock::new();
    static PAIR: OnceLock<Regex> = OnceLock::new();
    static HOST_VAR: OnceLock<Regex> = OnceLock::new();
    static PORT_VAR: OnceLock<Regex> = OnceLock::new();
    let ip = re(
        &IP,
        r#"['"](\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|<broadcast>)['"]"#,
    );
    let pair = re(
        &PAIR,
        r#"\(\s*(['"])([^'"\n]{0,40})['"]\s*,\s*(\d{1,5})\s*\)"#,
    );
    let host_var = re(
        &HOST_VAR,
        r#"(?mi)^\s*\w*(?:host|addr|ip|server|dest|broadcast)\w*\s*=\s*['"]([^'"\n]{0,40})['"]"#,
    );
    let port_var = re(&PORT_VAR, r#"(?mi)^\s*\w*port\w*\s*=\s*(\d{1,5})\b"#);

    let mut found = Found::default();
    for c in ip.captures_iter(text) {
        let word = &c[1];
        let addr = if word == "<broadcast>" {
            Some(Ipv4Addr::BROADCAST)
        } else {
            word.parse().ok()
        };
        found.literals.extend(addr);
    }
    let mut push = |host: &str, port: &str| {
        if let Ok(port) = port.parse::<u16>()
            && port > 0
        {
            let e = Endpoint {
                host: host.to_owned(),
                port,
            };
            if !found.endpoints.contains(&e) {
                found.endpoints.push(e);
            }
        }
    };
    for c in pair.captures_iter(text) {
        push(&c[2], &c[3]);
    }
    // `HOST = '...'` and `PORT = 8888` written apart: paired in order.
    let hosts: Vec<String> = host_var
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    let ports: Vec<String> = port_var
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    for (h, p) in hosts.iter().zip(ports.iter()) {
        push(h, p);
    }
    if hosts.is_empty()
        && let Some(p) = ports.first()
    {
        // A port alone: bound on every address, as `bind(('', PORT))` does.
        push("", p);
    }
    found
}

/// Scans the source files of a submission's folder (every file up to
/// 1 MiB, a few levels deep; text read leniently, so GBK comments do not
/// stop it).
pub fn scan_folder(dir: &Path) -> Found {
    let mut found = Found::default();
    scan_into(dir, 0, &mut found);
    found
}

fn scan_into(dir: &Path, depth: usize, found: &mut Found) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                scan_into(&path, depth + 1, found);
            }
            continue;
        }
        if path.metadata().is_ok_and(|m| m.len() <= MAX_FILE)
            && let Ok(bytes) = std::fs::read(&path)
        {
            let more = scan_text(&String::from_utf8_lossy(&bytes));
            found.literals.extend(more.literals);
            for e in more.endpoints {
                if !found.endpoints.contains(&e) {
                    found.endpoints.push(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(host: &str, port: u16) -> Endpoint {
        Endpoint {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn tuples_and_literals_as_homework_writes_them() {
        let f = scan_text(
            "import socket\nADDR = ('10.16.129.97', 7777)\ns.bind(('0.0.0.0', 8888))\n\
             s.sendto(b'hi', ('<broadcast>', 9999))\nc.connect((\"118.25.239.224\", 8877))\n\
             # python 3.11.7 on 2024.01.02\n",
        );
        assert_eq!(
            f.endpoints,
            [
                e("10.16.129.97", 7777),
                e("0.0.0.0", 8888),
                e("<broadcast>", 9999),
                e("118.25.239.224", 8877)
            ]
        );
        let lits: Vec<String> = f.literals.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            lits,
            [
                "0.0.0.0",
                "10.16.129.97",
                "118.25.239.224",
                "255.255.255.255"
            ]
        );
    }

    #[test]
    fn variables_written_apart_are_paired() {
        let f = scan_text("HOST = '172.40.74.177'\nPORT = 22222\nADDR = (HOST, PORT)\n");
        assert_eq!(f.endpoints, [e("172.40.74.177", 22222)]);
        let f = scan_text("port = 8484\ns.bind(('', port))\n");
        assert_eq!(f.endpoints, [e("", 8484)]);
    }

    #[test]
    fn endpoints_name_their_addresses() {
        assert_eq!(e("", 1).ip(), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(e("localhost", 1).ip(), Some(Ipv4Addr::LOCALHOST));
        assert_eq!(e("<broadcast>", 1).ip(), Some(Ipv4Addr::BROADCAST));
        assert_eq!(e("10.0.0.1", 1).ip(), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(e("example.com", 1).ip(), None);
    }
}
