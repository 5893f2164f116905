//! Whether a word is a host name, apart from where it is written: the
//! shape of a name (labels, a last part that is a domain, not a file type
//! or a version), the names that are always this machine, and the
//! variable names that say they hold a host. The source scanner and the
//! command-line scanner ask the same questions of a word, and a wrong
//! answer costs (a client that names a host is only run in a private
//! network), so the answers live in one place.

use std::net::Ipv4Addr;

/// A DNS name is at most this long.
const MAX_NAME: usize = 253;

/// Names that are this machine whatever its hosts file says.
const LOCAL_NAMES: [&str; 4] = [
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
];

pub(super) fn is_local_name(word: &str) -> bool {
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
pub(super) fn host_name(word: &str, dotless: bool) -> Option<String> {
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
pub(super) fn says_host(var: &str) -> bool {
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

/// Whether a dotted name ends in a top-level domain homework uses.
pub(super) fn ends_like_a_host(name: &str) -> bool {
    const DOMAINS: [&str; 16] = [
        "com", "org", "net", "edu", "gov", "cn", "io", "info", "local", "lan", "top", "xyz", "me",
        "co", "uk", "jp",
    ];
    name.rsplit('.')
        .next()
        .is_some_and(|last| DOMAINS.iter().any(|d| d.eq_ignore_ascii_case(last)))
}
