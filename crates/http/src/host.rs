//! The value of a request's Host header.
//!
//! Host is an authority, not a URL: `uri-host [ ":" port ]` (RFC 9112
//! §3.2, RFC 9110 §7.2), and a server answers 400 to anything else. What
//! students put there instead is what they see in the address bar, a
//! scheme and a path, so those are named as the parts to leave out, with
//! the Host that remains shown to copy. The grammar is RFC 3986's, no
//! stricter: a reg-name may hold sub-delims, a port may be empty or any
//! number of digits, and an empty value is allowed (RFC 9112 §3.2 allows
//! it for a target without an authority, which is every origin-form
//! target homework sends).

use std::net::Ipv6Addr;

use crate::show;

const SHAPE: &str = "a host is a name such as localhost, an IPv4 address such as 127.0.0.1, or an IPv6 address in brackets such as [::1], then optionally \":\" and a port";
const SHAPE_ZH: &str = "主机可以是一个名字（例如 localhost）、一个 IPv4 地址（例如 127.0.0.1），或者放在方括号里的 IPv6 地址（例如 [::1]），后面可以再跟 \":\" 和端口";

/// A sentence in English and in Chinese.
type Why = (String, String);

fn why(en: impl Into<String>, zh: impl Into<String>) -> Why {
    (en.into(), zh.into())
}

/// Chinese `words` after a Chinese word: a space before ASCII (a quoted
/// value), none before more Chinese.
fn after_zh(words: &str) -> String {
    if words.starts_with(|c: char| c.is_ascii()) {
        format!(" {words}")
    } else {
        words.to_owned()
    }
}

/// What is wrong with a Host value, as the sentence after `Host is "…": `
/// (and its Chinese); none when it is valid. Control characters are left
/// to the header check, which names them already.
pub(crate) fn problem(value: &[u8]) -> Option<Why> {
    if value.is_empty() || value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
        return None;
    }
    let mut rest = value;
    let mut extra: Vec<Why> = Vec::new();
    if let Some(i) = scheme_end(rest) {
        let scheme = format!("\"{}\"", show(&rest[..i]));
        extra.push((scheme.clone(), scheme));
        rest = &rest[i..];
    }
    let mut tail = None;
    if let Some(i) = rest.iter().position(|b| b"/?#".contains(b)) {
        let shown = show(&rest[i..]);
        tail = Some(if rest[i] == b'/' {
            why(format!("the path \"{shown}\""), format!("路径 \"{shown}\""))
        } else {
            why(format!("\"{shown}\""), format!("\"{shown}\""))
        });
        rest = &rest[..i];
    }
    if let Some(i) = rest.iter().rposition(|&b| b == b'@') {
        let user = show(&rest[..=i]);
        extra.push(why(
            format!("the user part \"{user}\""),
            format!("用户信息部分 \"{user}\""),
        ));
        rest = &rest[i + 1..];
    }
    extra.extend(tail);
    if let Some(((last, last_zh), before)) = extra.split_last() {
        let (without, without_zh) = if before.is_empty() {
            (last.clone(), last_zh.clone())
        } else {
            let (en, zh): (Vec<&str>, Vec<&str>) =
                before.iter().map(|(e, z)| (e.as_str(), z.as_str())).unzip();
            (
                format!("{} and {last}", en.join(", ")),
                format!("{} 和{}", zh.join("、"), after_zh(last_zh)),
            )
        };
        return Some(if !rest.is_empty() && authority(rest).is_none() {
            why(
                format!(
                    "Host takes the host and port only ({}), without {without}",
                    show(rest)
                ),
                format!(
                    "Host 只写主机和端口（{}），不要带上{}",
                    show(rest),
                    after_zh(&without_zh)
                ),
            )
        } else {
            why(
                format!("Host takes the host and port only, without {without}: {SHAPE}"),
                format!(
                    "Host 只写主机和端口，不要带上{}：{SHAPE_ZH}",
                    after_zh(&without_zh)
                ),
            )
        });
    }
    authority(value)
}

/// The length of a leading `scheme://` (RFC 3986 §3.1), if there is one.
fn scheme_end(value: &[u8]) -> Option<usize> {
    let i = value.windows(3).position(|w| w == b"://")?;
    let scheme = &value[..i];
    let ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    ok.then_some(i + 3)
}

/// What is wrong with `host [":" port]`, or none.
fn authority(value: &[u8]) -> Option<Why> {
    if value.iter().any(|&b| b == b' ' || b == b'\t') {
        return Some(why(
            "a host has no spaces inside: write it as one word, with the port right after a colon, e.g. localhost:8000",
            "主机里不能有空格：要连成一个词来写，端口紧跟在冒号后面，例如 localhost:8000",
        ));
    }
    if let Some(inside) = value.strip_prefix(b"[") {
        let Some(close) = inside.iter().position(|&b| b == b']') else {
            return Some(why(
                "the [ that opens an IPv6 address has no ] to close it, e.g. [::1]:8000",
                "IPv6 地址开头的 [ 没有与之配对的 ]，应该写成 [::1]:8000 这样",
            ));
        };
        let (address, after) = (&inside[..close], &inside[close + 1..]);
        if !ip_literal(address) {
            let shown = show(address);
            return Some(if !address.is_empty() && reg_name(address).is_none() {
                why(
                    format!("brackets are only for IPv6 addresses: write {shown} without them"),
                    format!("方括号只用于 IPv6 地址：{shown} 不要加方括号"),
                )
            } else {
                why(
                    format!("[{shown}] is not an IPv6 address"),
                    format!("[{shown}] 不是 IPv6 地址"),
                )
            });
        }
        return match after.strip_prefix(b":") {
            Some(port) => port_problem(port),
            None if after.is_empty() => None,
            None => Some(why(
                format!(
                    "after the ] of an IPv6 address comes only \":\" and a port, not \"{}\"",
                    show(after)
                ),
                format!(
                    "IPv6 地址的 ] 后面只能跟 \":\" 和端口，不能是 \"{}\"",
                    show(after)
                ),
            )),
        };
    }
    let (host, port) = match value.iter().position(|&b| b == b':') {
        Some(i) => (&value[..i], Some(&value[i + 1..])),
        None => (value, None),
    };
    if let Some(port) = port {
        if port.contains(&b':') {
            let text = std::str::from_utf8(value).unwrap_or_default();
            if text.parse::<Ipv6Addr>().is_ok() {
                return Some(why(
                    format!(
                        "an IPv6 address in Host goes in brackets: [{text}], and a port after them: [{text}]:8000"
                    ),
                    format!(
                        "Host 里的 IPv6 地址要放在方括号里：[{text}]，端口写在方括号后面：[{text}]:8000"
                    ),
                ));
            }
        }
        if host.is_empty() {
            let example = if port.is_empty() { &b"8000"[..] } else { port };
            return Some(why(
                format!(
                    "the host is missing before \":{}\", e.g. localhost:{}",
                    show(port),
                    show(example)
                ),
                format!(
                    "\":{}\" 前面缺少主机，例如 localhost:{}",
                    show(port),
                    show(example)
                ),
            ));
        }
    }
    reg_name(host).or_else(|| port.and_then(port_problem))
}

fn port_problem(port: &[u8]) -> Option<Why> {
    // `port = *DIGIT`: an empty port is allowed, a long one too.
    (!port.iter().all(u8::is_ascii_digit)).then(|| {
        why(
            format!(
                "the port \"{}\" must be digits only, e.g. localhost:8000",
                show(port)
            ),
            format!(
                "端口 \"{}\" 只能由数字组成，例如 localhost:8000",
                show(port)
            ),
        )
    })
}

/// What is wrong with a reg-name or IPv4 address (an IPv4 address is a
/// reg-name by its characters), or none.
fn reg_name(host: &[u8]) -> Option<Why> {
    let mut i = 0;
    while i < host.len() {
        let b = host[i];
        if b == b'%' {
            let hex = host.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Some(why(
                    format!("% in a host must start a percent-encoded byte such as %41; {SHAPE}"),
                    format!("主机里的 % 必须是一个百分号编码字节（例如 %41）的开头；{SHAPE_ZH}"),
                ));
            }
            i += 3;
        } else if unreserved(b) || sub_delim(b) {
            i += 1;
        } else if !b.is_ascii() {
            return Some(why(
                "a host is ASCII: a name in another script is sent in its xn-- (punycode) form",
                "主机名只能是 ASCII：用其他文字写的名字，要以它的 xn--（punycode）形式发送",
            ));
        } else {
            let c = char::from(b);
            return Some(why(
                format!("'{c}' cannot be in a host; {SHAPE}"),
                format!("主机里不能有 '{c}'；{SHAPE_ZH}"),
            ));
        }
    }
    None
}

/// An IPv6 address or an IPvFuture (RFC 3986 §3.2.2), without brackets.
fn ip_literal(address: &[u8]) -> bool {
    if let Some(future) = address
        .strip_prefix(b"v")
        .or_else(|| address.strip_prefix(b"V"))
    {
        let Some(dot) = future.iter().position(|&b| b == b'.') else {
            return false;
        };
        let (version, rest) = (&future[..dot], &future[dot + 1..]);
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !rest.is_empty()
            && rest
                .iter()
                .all(|&b| unreserved(b) || sub_delim(b) || b == b':');
    }
    std::str::from_utf8(address).is_ok_and(|a| a.parse::<Ipv6Addr>().is_ok())
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

fn sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}
