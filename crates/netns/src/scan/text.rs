//! Reading one file's text the way a teacher reads it: comment lines
//! skipped, then the quoted addresses, the (host, port) tuples, the host
//! and port variables written apart, the look-ups and the URLs. This is
//! where the context of a word is judged (a `connect((...))`, a `HOST =`,
//! an `href=`); whether the word itself is a host name is asked of
//! [`super::host`], so that the patterns here stay about where code
//! names an address, not about what a name looks like.

use std::net::Ipv4Addr;
use std::sync::OnceLock;

use regex::Regex;

use super::host::{host_name, is_local_name, says_host};
use super::{Endpoint, Found};

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// Whether the text just before a quoted (host, port) pair says it is an
/// address: the argument of a connect, a bind, a create_connection, the
/// address of a sendto, or a variable whose name says so.
fn pair_says_host(before: &str) -> bool {
    static CALL: OnceLock<Regex> = OnceLock::new();
    let call = re(
        &CALL,
        r#"(?:\b(?:connect|connect_ex|bind|create_connection)\s*\(|\bsendto\s*\(.*,|\b(?:Socket|DatagramSocket|InetSocketAddress|HTTPS?Connection)\s*|\b(\w+)\s*=)\s*$"#,
    );
    let before = before.trim_end();
    let line = before.rsplit('\n').next().unwrap_or(before);
    match call.captures(line) {
        Some(c) => c.get(1).is_none_or(|var| says_host(var.as_str())),
        None => false,
    }
}

/// Whether the text before a quoted URL makes it a link in a page
/// (`href="http://..."` inside a page a server sends), not an address.
fn in_a_page(before: &str) -> bool {
    let b = before
        .trim_end()
        .trim_end_matches('=')
        .trim_end()
        .as_bytes();
    ["href", "src", "action"]
        .iter()
        .any(|a| b.len() >= a.len() && b[b.len() - a.len()..].eq_ignore_ascii_case(a.as_bytes()))
}

/// The text with every line that is a comment (`#` or `//` first, but not
/// a C preprocessor line: `#define SERVER "10.0.0.1"` is code) blanked.
fn without_comment_lines(text: &str) -> String {
    static DIRECTIVE: OnceLock<Regex> = OnceLock::new();
    let directive = re(
        &DIRECTIVE,
        r"^\s*#\s*(?:define|include|if|ifdef|ifndef|elif|else|endif|undef|pragma|error|warning|line)\b",
    );
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let comment = (t.starts_with('#') && !directive.is_match(line)) || t.starts_with("//");
        if comment {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Scans one file's text.
pub fn scan_text(text: &str) -> Found {
    static IP: OnceLock<Regex> = OnceLock::new();
    static PAIR: OnceLock<Regex> = OnceLock::new();
    static STRING_VAR: OnceLock<Regex> = OnceLock::new();
    static TWO_VARS: OnceLock<Regex> = OnceLock::new();
    static PORT_VAR: OnceLock<Regex> = OnceLock::new();
    static LOOKUP: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    let ip = re(
        &IP,
        r#"['"](\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|<broadcast>)['"]"#,
    );
    let pair = re(
        &PAIR,
        r#"\(\s*(['"])([^'"\n]{0,100})['"]\s*,\s*(\d{1,5})\s*\)"#,
    );
    let string_var = re(
        &STRING_VAR,
        r#"(?m)^\s*(?:#\s*define\s+(\w+)\s+|(\w+)\s*=\s*)['"]([^'"\n]{0,100})['"]"#,
    );
    let two_vars = re(
        &TWO_VARS,
        r#"(?mi)^\s*(\w+)\s*,\s*\w*port\w*\s*=\s*['"]([^'"\n]{0,100})['"]\s*,\s*(\d{1,5})\b"#,
    );
    let port_var = re(&PORT_VAR, r#"(?mi)^\s*\w*port\w*\s*=\s*(\d{1,5})\b"#);
    // What a program looks up, with the port beside it where the call
    // takes one.
    let lookup = re(
        &LOOKUP,
        r#"\b(gethostbyname(?:_ex)?|getaddrinfo|HTTPS?Connection)\s*\(\s*['"]([^'"\n]{1,100})['"](?:\s*,\s*(\d{1,5})\b)?"#,
    );
    let url = re(
        &URL,
        r#"(?i)['"](https?|ftp|wss?)://(?:[^@/'"\s]*@)?([^/:'"\s?#\[\]]+)(?::(\d{1,5}))?"#,
    );

    let text = without_comment_lines(text);
    let text = text.as_str();
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
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut push = |host: &str, port: &str| {
        if let Ok(port) = port.parse::<u16>()
            && port > 0
        {
            let e = Endpoint {
                host: host.to_owned(),
                port,
            };
            if !endpoints.contains(&e) {
                endpoints.push(e);
            }
        }
    };
    for c in pair.captures_iter(text) {
        push(&c[2], &c[3]);
        let whole = c.get(0).map_or(0, |m| m.start());
        let dotless = pair_says_host(&text[..whole]);
        found.names.extend(host_name(&c[2], dotless));
    }
    for c in two_vars.captures_iter(text) {
        if says_host(&c[1]) {
            push(&c[2], &c[3]);
            found.names.extend(host_name(&c[2], true));
        }
    }
    // Hosts and ports written apart (`HOST = '...'`, `PORT = 8888`, or a
    // name looked up without its port), paired in the order written.
    let mut hosts: Vec<(usize, String)> = Vec::new();
    for c in string_var.captures_iter(text) {
        let var = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        if says_host(var) {
            found.names.extend(host_name(&c[3], true));
            hosts.push((c.get(0).map_or(0, |m| m.start()), c[3].to_owned()));
        }
    }
    for c in lookup.captures_iter(text) {
        let Some(name) = host_name(&c[2], true) else {
            continue;
        };
        match (c.get(3), &c[1]) {
            (Some(port), _) => push(&name, port.as_str()),
            (None, call) if call.starts_with("HTTPS") => push(&name, "443"),
            (None, call) if call.starts_with("HTTP") => push(&name, "80"),
            (None, _) => hosts.push((c.get(0).map_or(0, |m| m.start()), name.clone())),
        }
        found.names.insert(name);
    }
    for c in url.captures_iter(text) {
        let start = c.get(0).map_or(0, |m| m.start());
        if in_a_page(&text[..start]) {
            continue;
        }
        let host = &c[2];
        let scheme = c[1].to_ascii_lowercase();
        let default = match scheme.as_str() {
            "https" | "wss" => "443",
            "ftp" => "21",
            _ => "80",
        };
        let port = c.get(3).map_or(default, |p| p.as_str());
        if let Ok(addr) = host.parse::<Ipv4Addr>() {
            found.literals.insert(addr);
            push(host, port);
        } else if let Some(name) = host_name(host, true) {
            push(&name, port);
            found.names.insert(name);
        } else if is_local_name(host) {
            push(host, port);
        }
    }
    hosts.sort_by_key(|(at, _)| *at);
    let ports: Vec<String> = port_var
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    for ((_, h), p) in hosts.iter().zip(ports.iter()) {
        push(h, p);
    }
    if hosts.is_empty()
        && let Some(p) = ports.first()
    {
        // A port alone: bound on every address, as `bind(('', PORT))` does.
        push("", p);
    }
    found.endpoints = endpoints;
    found
}
