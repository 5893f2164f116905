//! What addresses a submission uses, read from its source the way a
//! teacher would read it: the quoted IPv4 addresses, the host names, and
//! the (host, port) pairs it binds, connects or sends to, whether written
//! as a tuple `('10.16.129.97', 7777)`, as `HOST = '...'` and `PORT = 7777`
//! beside it, or as a URL. Homework is graded as handed in, so the private
//! network of a target is made to carry exactly these.
//!
//! Only quoted addresses count: a version number or a timestamp in a
//! comment is not an address a program can bind, and a line that is a
//! comment (`# s.connect(('10.0.0.1', 80))`, code the student turned off)
//! is not read at all.
//!
//! A name is a host only where the text says so, because a wrong guess
//! costs: without a private network, a client that names a host is not
//! run. So a dotted name counts in a (host, port) pair, as a URL's host, in
//! a variable whose name says host or server, or as what is looked up
//! (`gethostbyname`, `getaddrinfo`, `HTTPConnection`); a name without a dot
//! (`'tedu-server'`) only where the context says host (such a variable, a
//! look-up, `connect((...))` or `sendto(..., (...))`), never in any pair:
//! `('ok', 200)` is a reply and a status. A dotted word whose last part is
//! a file type (`'index.html'`) or a number (`'3.11.7'`) is never a host.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

/// Files larger than this are not source code a student wrote.
const MAX_FILE: u64 = 1 << 20;
/// How deep below the submission's folder to look.
const MAX_DEPTH: usize = 3;
/// A DNS name is at most this long.
const MAX_NAME: usize = 253;

/// A host and port a program names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host as written: an IPv4 address, '', '0.0.0.0', 'localhost',
    /// '<broadcast>', a name...
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
    /// Every quoted IPv4 address ('<broadcast>' counts as 255.255.255.255),
    /// and those of URLs.
    pub literals: BTreeSet<Ipv4Addr>,
    /// The (host, port) pairs, in the order written.
    pub endpoints: Vec<Endpoint>,
    /// The host names (never 'localhost', an address, '' or '<broadcast>'),
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
    fn add_endpoint(&mut self, e: Endpoint) {
        if !self.endpoints.contains(&e) {
            self.endpoints.push(e);
        }
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// Names that are this machine whatever its hosts file says.
const LOCAL_NAMES: [&str; 4] = [
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
];

fn is_local_name(word: &str) -> bool {
    LOCAL_NAMES.iter().any(|l| l.eq_ignore_ascii_case(word))
}

/// Last parts of a dotted word that make it a file, not a host (some are
/// also top-level domains, `.py` and `.sh` among them, but no homework
/// connects to one).
const FILE_TYPES: [&str; 44] = [
    "html", "htm", "php", "asp", "jsp", "py", "pyc", "txt", "json", "css", "js", "png", "jpg",
    "jpeg", "gif", "ico", "svg", "xml", "csv", "log", "md", "conf", "cfg", "ini", "yaml", "yml",
    "toml", "zip", "gz", "tgz", "tar", "pdf", "doc", "docx", "cpp", "hpp", "java", "class", "jar",
    "sh", "bat", "exe", "dll", "so",
];

/// `word` as a host name, if it is one: letters, digits and hyphens in
/// dot-separated labels, not a local name or an address. A word without a
/// dot only when `dotless` (the context says host); a dotted one whose last
/// label is not a word of letters, or is a file type, never.
fn host_name(word: &str, dotless: bool) -> Option<String> {
    let name = word.trim().trim_end_matches('.');
    if name.is_empty()
        || name.len() > MAX_NAME
        || is_local_name(name)
        || name.parse::<Ipv4Addr>().is_ok()
    {
        return None;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !labels.iter().all(label_ok) || !name.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    match labels.as_slice() {
        [_] => dotless.then(|| name.to_owned()),
        [.., last] => {
            let domain = last.len() >= 2 && last.bytes().all(|b| b.is_ascii_alphabetic());
            let file = FILE_TYPES.iter().any(|t| t.eq_ignore_ascii_case(last));
            (domain && !file).then(|| name.to_owned())
        }
        [] => None,
    }
}

/// Whether a variable's name says it holds a host: its last word
/// (`SERVER_IP`, `serverHost`, `dest_addr`, `HOST`, `server_name`), not
/// any part of it (`description`, `server_msg`).
fn says_host(var: &str) -> bool {
    const HOSTISH: [&str; 20] = [
        "host",
        "hostname",
        "server",
        "srv",
        "addr",
        "address",
        "ip",
        "ipv4",
        "ipaddr",
        "dest",
        "destination",
        "remote",
        "broadcast",
        "bcast",
        "hostip",
        "hostaddr",
        "serverip",
        "serveraddr",
        "servername",
        "servaddr",
    ];
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut lower_before = false;
    for c in var.chars() {
        if (c == '_' || (c.is_uppercase() && lower_before)) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c != '_' {
            word.push(c.to_ascii_lowercase());
        }
        lower_before = c.is_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words.retain(|w| !w.bytes().all(|b| b.is_ascii_digit()));
    let bare = |w: &String| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned();
    match words.as_slice() {
        [.., before, last] if bare(last) == "name" => {
            matches!(bare(before).as_str(), "host" | "server")
        }
        [.., last] => HOSTISH.contains(&bare(last).as_str()) || HOSTISH.contains(&last.as_str()),
        [] => false,
    }
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

/// Whether a dotted name ends in a top-level domain homework uses.
fn ends_like_a_host(name: &str) -> bool {
    const DOMAINS: [&str; 16] = [
        "com", "org", "net", "edu", "gov", "cn", "io", "info", "local", "lan", "top", "xyz", "me",
        "co", "uk", "jp",
    ];
    name.rsplit('.')
        .next()
        .is_some_and(|last| DOMAINS.iter().any(|d| d.eq_ignore_ascii_case(last)))
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
            found.extend(scan_text(&String::from_utf8_lossy(&bytes)));
        }
    }
}

#[cfg(test)]
mod args_tests {
    use super::*;

    #[test]
    fn arguments_name_addresses_and_their_ports() {
        let f = scan_args(&["10.16.129.97", "8888"]);
        assert_eq!(
            f.literals,
            BTreeSet::from(["10.16.129.97".parse().unwrap()])
        );
        assert_eq!(
            f.endpoints,
            vec![Endpoint {
                host: "10.16.129.97".into(),
                port: 8888
            }]
        );
        let f = scan_args(&["172.40.71.255", "{port}"]);
        assert_eq!(f.literals.len(), 1);
        assert!(f.endpoints.is_empty());
        let f = scan_args(&["--host=www.python.org", "--port", "80"]);
        assert_eq!(f.names, BTreeSet::from(["www.python.org".to_owned()]));
        let f = scan_args(&["server.example.com:7777"]);
        assert_eq!(f.names, BTreeSet::from(["server.example.com".to_owned()]));
        assert_eq!(
            f.endpoints,
            vec![Endpoint {
                host: "server.example.com".into(),
                port: 7777
            }]
        );
        for quiet in [
            &["{host}", "{port}"][..],
            &["8888"],
            &["index.html"],
            &["-v", "3"],
            &["hello"],
            &["-m", "http.server", "{port}"],
            &["http.server"],
            &["-cp", ".", "com.example.Server"],
            &["com.example.Server", "8888"],
            &["./hw/server.py"],
        ] {
            let f = scan_args(quiet);
            assert!(
                f.literals.is_empty() && f.names.is_empty(),
                "{quiet:?}: {f:?}"
            );
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

    fn names(text: &str) -> Vec<String> {
        scan_text(text).names.into_iter().collect()
    }

    #[test]
    fn host_names_as_homework_writes_them() {
        let f = scan_text(
            "import socket\nsockfd = socket.socket()\nsockfd.connect(('www.python.org', 80))\n",
        );
        assert_eq!(f.names.iter().collect::<Vec<_>>(), ["www.python.org"]);
        assert_eq!(f.endpoints, [e("www.python.org", 80)]);
        assert!(f.literals.is_empty());

        // A classroom server's name, written apart from its port.
        let f = scan_text("HOST = 'tedu-server'\nPORT = 8888\nADDR = (HOST, PORT)\n");
        assert_eq!(names("HOST = 'tedu-server'\n"), ["tedu-server"]);
        assert_eq!(f.endpoints, [e("tedu-server", 8888)]);
        let f = scan_text("HOST, PORT = 'tedu-server', 8888\n");
        assert_eq!(f.endpoints, [e("tedu-server", 8888)]);
        assert_eq!(f.names.len(), 1);

        // Looked up, the port elsewhere.
        let f = scan_text(
            "PORT = 80\nip = socket.gethostbyname('www.baidu.com')\ns.connect((ip, PORT))\n",
        );
        assert_eq!(f.endpoints, [e("www.baidu.com", 80)]);
        assert_eq!(
            names("socket.gethostbyname('tedu-server')"),
            ["tedu-server"]
        );
        assert_eq!(
            scan_text("socket.getaddrinfo('www.python.org', 443, 0, socket.SOCK_STREAM)").endpoints,
            [e("www.python.org", 443)]
        );

        // URLs: the host, and the port or the scheme's.
        let f =
            scan_text("from urllib.request import urlopen\nr = urlopen('http://example.com/')\n");
        assert_eq!(f.endpoints, [e("example.com", 80)]);
        assert_eq!(
            names("urlopen('http://example.com/index.html')"),
            ["example.com"]
        );
        let f = scan_text("requests.get(\"https://api.example.org:8443/v1?q=1\")");
        assert_eq!(f.endpoints, [e("api.example.org", 8443)]);
        let f = scan_text("url = 'http://10.16.129.97:8080/'\n");
        assert_eq!(f.endpoints, [e("10.16.129.97", 8080)]);
        assert_eq!(
            f.literals.iter().collect::<Vec<_>>(),
            [&Ipv4Addr::new(10, 16, 129, 97)]
        );
        assert_eq!(
            names("urlopen('http://tedu-server:8000/')"),
            ["tedu-server"]
        );
        assert_eq!(
            scan_text("c = http.client.HTTPConnection('www.example.com')").endpoints,
            [e("www.example.com", 80)]
        );

        // Without a dot, where the call says host.
        for text in [
            "socket.create_connection(('tedu-server', 9000))",
            "s.connect(('tedu-server', 9000))",
            "s.sendto(data.encode('utf-8'), ('tedu-server', 9000))",
            "Socket s = new Socket(\"tedu-server\", 9000);",
            "server_address = ('tedu-server', 9000)",
            "serverIP = 'tedu-server'",
            "SERVER_NAME = 'tedu-server'",
            "#define SERVER \"tedu-server\"",
            "he = gethostbyname(\"tedu-server\");",
        ] {
            assert_eq!(names(text), ["tedu-server"], "{text}");
        }
    }

    #[test]
    fn what_is_not_a_host_name() {
        for text in [
            // A reply and a status, strings that are not hosts.
            "return ('ok', 200)",
            "resp = ('ok', 200)",
            "conn.send(('ok', 200))",
            "description = 'hello'",
            "server_msg = 'hello'",
            "reply = 'Thanks'",
            "data.decode('utf-8')",
            "ENCODING = 'utf-8'",
            "# -*- coding: utf-8 -*-",
            // Versions and files.
            "VERSION = '3.11.7'",
            "print('python 3.11.7')",
            "SERVER_VERSION = ('1.0.2', 80)",
            "open('index.html')",
            "PAGE = 'index.html'",
            "HOST_FILE = 'hosts.txt'",
            "server_page = ('index.html', 80)",
            "logging.basicConfig(filename='server.log')",
            "f = open('server.py')",
            // This machine, every address, a broadcast, addresses.
            "HOST = 'localhost'",
            "s.connect(('localhost', 80))",
            "HOST = ''",
            "HOST = '0.0.0.0'",
            "s.bind(('', 8888))",
            "s.sendto(b'x', ('<broadcast>', 9999))",
            "s.connect(('127.0.0.1', 8888))",
            "urlopen('http://127.0.0.1:8000/')",
            "urlopen('http://localhost:8000/')",
            // Not code: comments, lines turned off.
            "# s.connect(('www.python.org', 80))",
            "  # HOST = 'tedu-server'",
            "// socket.connect(\"www.python.org\", 80);",
            "# see https://docs.python.org/3/library/socket.html",
            // A page that links somewhere, a dotted string with no context.
            "page = '<a href=\"http://www.baidu.com\">baidu</a>'",
            "body = \"<img src='https://www.python.org/logo.png'>\"",
            "print('www.python.org')",
            "print(\"socket.AF_INET\")",
            // Templates, not names.
            "urlopen('http://%s:%d/' % (host, port))",
            "urlopen(f'http://{HOST}:{PORT}/')",
            "urlopen('http://{}:{}/'.format(h, p))",
            "HOST = sys.argv[1]",
        ] {
            assert_eq!(names(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn a_line_turned_off_is_not_where_it_connects() {
        let f = scan_text(
            "# s.connect(('10.16.129.97', 7777))\ns.connect(('127.0.0.1', 7777))\n\
             #define PORTNO 7777\n#define SERVER_IP \"10.0.0.9\"\n",
        );
        assert_eq!(f.endpoints[0], e("127.0.0.1", 7777));
        let lits: Vec<String> = f.literals.iter().map(|a| a.to_string()).collect();
        assert_eq!(lits, ["10.0.0.9", "127.0.0.1"]);
    }

    #[test]
    fn variable_names_that_say_host() {
        for yes in [
            "HOST",
            "host",
            "SERVER",
            "server_host",
            "SERVER_IP",
            "serverIP",
            "ServerAddr",
            "dest_addr",
            "ADDR",
            "server_address",
            "TCP_IP",
            "UDP_IP",
            "host1",
            "HOST_2",
            "ipv4",
            "hostname",
            "server_name",
            "HostName",
            "BROADCAST_ADDR",
            "remote",
        ] {
            assert!(says_host(yes), "{yes}");
        }
        for no in [
            "description",
            "server_msg",
            "server_reply",
            "zip",
            "tip",
            "file_name",
            "user_name",
            "page",
            "host_page",
            "ENCODING",
            "url",
            "",
            "_",
            "name",
        ] {
            assert!(!says_host(no), "{no}");
        }
    }

    #[test]
    fn any_text_scans_without_panic() {
        for text in [
            "",
            "'",
            "(\"",
            "('é', 1)",
            "HOST = 'é.中文'",
            "url='http://",
            "'http://:80'",
            "'http://a.b.c:99999/'",
            "gethostbyname(''",
            "\u{feff}HOST = 'x.org'\r\nPORT=1\r\n",
            "s.connect(( 'a' , 0 ))",
            "(('x.org', 65535))",
            "href='http://x.org'",
            "=",
        ] {
            let _ = scan_text(text);
        }
        let long = format!("HOST = '{}.org'", "a".repeat(300));
        assert!(scan_text(&long).names.is_empty());
        assert_eq!(host_name(&format!("{}.org", "a".repeat(64)), true), None);
        assert_eq!(
            host_name("www.python.org.", false).as_deref(),
            Some("www.python.org")
        );
        assert_eq!(host_name("-x.org", false), None);
        assert_eq!(host_name("999.1.1.1", false), None);
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
