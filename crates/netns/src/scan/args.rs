//! What a command line names, apart from the source: the words typed
//! after the program (`client.py 10.16.129.97 8888`) are read as words,
//! not as code, so they need their own rules (flags, placeholders, module
//! and class names after `-m` or `-cp`), though a word is judged a host
//! name by the same [`super::host`] as the source's.

use std::net::Ipv4Addr;

use super::host::{ends_like_a_host, host_name};
use super::{Endpoint, Found};

/// What the arguments of a command line name: an address or a dotted host
/// name typed as an argument (`client.py 10.16.129.97 8888`, `sender.py
/// 172.40.71.255 {port}`, `--host=www.python.org`), with the number after
/// it as its port. A program is sent there as surely as if its source said
/// so. Placeholders (`{host}`), flags and numbers alone are not addresses.
pub fn scan_args<S: AsRef<str>>(args: &[S]) -> Found {
    let mut found = Found::default();
    let words: Vec<&str> = args
        .iter()
        .map(|a| {
            let a = a.as_ref();
            // `--host=x` and `host:port` name x.
            a.rsplit_once('=').map_or(a, |(_, v)| v)
        })
        .collect();
    for (i, word) in words.iter().enumerate() {
        // What follows `-m`, `-c` or `-cp` is a module, code or a class
        // path (`python3 -m http.server`, `java -cp . com.example.Server`).
        let after_flag = i > 0 && matches!(words[i - 1], "-m" | "-c" | "-cp" | "-classpath");
        if word.contains('{') || word.starts_with('-') || word.contains('/') || after_flag {
            continue;
        }
        let (host, port) = match word.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => (h, Some(p)),
            _ => (*word, words.get(i + 1).copied()),
        };
        let port = port.and_then(|p| p.parse::<u16>().ok()).filter(|p| *p > 0);
        let known = if let Ok(ip) = host.parse::<Ipv4Addr>() {
            found.literals.insert(ip);
            true
        } else if let Some(name) = host_name(host, false)
            // A dotted word is a host name when it ends the way host names
            // do, not a class or a module name (`com.example.Server 8888`).
            .filter(|n| ends_like_a_host(n))
        {
            found.names.insert(name);
            true
        } else {
            false
        };
        if let (true, Some(port)) = (known, port) {
            found.add_endpoint(Endpoint {
                host: host.to_owned(),
                port,
            });
        }
    }
    found
}
