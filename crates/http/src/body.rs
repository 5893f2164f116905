//! Where the body ends: Content-Length, chunked, or the connection's close.

use crate::{Kind as K, Problem, show};

pub(crate) enum Framing {
    /// Neither header: a request has no body; a response runs to the close.
    None,
    Length(usize),
    Chunked,
    /// The headers contradict each other; an error is already recorded.
    Unknown,
}

/// The values of the headers called `name` (case-insensitive), each with
/// the line it is on.
pub(crate) fn named<'a>(
    headers: &'a [(String, Vec<u8>)],
    lines: &[usize],
    name: &str,
) -> Vec<(Option<usize>, &'a [u8])> {
    headers
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| n.eq_ignore_ascii_case(name))
        .map(|(i, (_, v))| (lines.get(i).copied(), v.as_slice()))
        .collect()
}

/// A Content-Length value as a number of bytes: digits only (RFC 9110
/// §8.6), no sign, no spaces, no list.
fn length(raw: &[u8]) -> Option<usize> {
    if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// Why a Content-Length value is not a length. A list of numbers
/// ("12, 12") is what two Content-Length lines become when something
/// joins them; it gets its own words, since "not a number" would puzzle
/// a student who can see numbers in it.
fn not_a_length(line: Option<usize>, raw: &[u8]) -> Problem {
    let items: Vec<&[u8]> = raw.split(|&b| b == b',').map(<[u8]>::trim_ascii).collect();
    if items.len() > 1 && items.iter().all(|i| length(i).is_some()) {
        let first = show(items[0]);
        return if items.iter().all(|i| *i == items[0]) {
            Problem::error(
                line,
                K::BadContentLength,
                format!(
                    "Content-Length '{}' is a list: a message has one length, write \"Content-Length: {first}\"",
                    show(raw)
                ),
                format!(
                    "Content-Length '{}' 是一个列表：一条消息只有一个长度，要写成 \"Content-Length: {first}\"",
                    show(raw)
                ),
            )
        } else {
            Problem::error(
                line,
                K::ConflictingContentLength,
                format!(
                    "Content-Length '{}' gives {} lengths that disagree: a message has one, the number of bytes in its body",
                    show(raw),
                    items.len()
                ),
                format!(
                    "Content-Length '{}' 给出了 {} 个互相矛盾的长度：一条消息只有一个长度，就是它正文的字节数",
                    show(raw),
                    items.len()
                ),
            )
        };
    }
    Problem::error(
        line,
        K::BadContentLength,
        format!("Content-Length '{}' is not a number of bytes", show(raw)),
        format!("Content-Length '{}' 不是一个字节数", show(raw)),
    )
}

pub(crate) fn framing(
    headers: &[(String, Vec<u8>)],
    lines: &[usize],
    problems: &mut Vec<Problem>,
) -> Framing {
    let lengths = named(headers, lines, "content-length");
    let encodings = named(headers, lines, "transfer-encoding");
    if let Some(&(te_line, te)) = encodings.last() {
        let last = te
            .split(|&b| b == b',')
            .next_back()
            .map(|v| v.trim_ascii().to_ascii_lowercase())
            .unwrap_or_default();
        if last != b"chunked" {
            problems.push(Problem::error(
                te_line,
                K::UnsupportedTransferEncoding,
                format!(
                    "Transfer-Encoding '{}' does not end in chunked, so nobody can tell where the body ends",
                    show(te)
                ),
                format!(
                    "Transfer-Encoding '{}' 的最后一项不是 chunked，所以谁也无法知道正文在哪里结束",
                    show(te)
                ),
            ));
            return Framing::Unknown;
        }
        if let Some(&(cl_line, _)) = lengths.last() {
            // RFC 9112 §6.1: a sender must not send both; the line named
            // is the later one, where the contradiction becomes visible.
            problems.push(Problem::error(
                te_line.max(cl_line),
                K::LengthAndChunked,
                "both Transfer-Encoding: chunked and Content-Length: send one or the other",
                "同时有 Transfer-Encoding: chunked 和 Content-Length：两者只能发送其中一个",
            ));
            return Framing::Unknown;
        }
        return Framing::Chunked;
    }
    let mut value: Option<(usize, Option<usize>)> = None;
    for (line, raw) in lengths {
        let Some(n) = length(raw) else {
            problems.push(not_a_length(line, raw));
            return Framing::Unknown;
        };
        match value {
            Some((v, _)) if v != n => {
                problems.push(Problem::error(
                    line,
                    K::ConflictingContentLength,
                    format!("two Content-Length headers disagree: {v} and {n}"),
                    format!("两个 Content-Length 头部的值不一致：{v} 和 {n}"),
                ));
                return Framing::Unknown;
            }
            // RFC 9110 §8.6 lets a recipient take identical repeats as
            // one; the sender still should not have sent two.
            Some((_, first)) => problems.push(Problem::warning(
                line,
                K::DuplicateContentLength,
                format!(
                    "Content-Length is sent twice{}, with the same value: tolerated, but send it once",
                    first.map_or(String::new(), |l| format!(" (also on line {l})"))
                ),
                format!(
                    "Content-Length 发送了两次{}，值相同：可以容忍，但只应发送一次",
                    first.map_or(String::new(), |l| format!("（另一次在第 {l} 行）"))
                ),
            )),
            None => value = Some((n, line)),
        }
    }
    value.map_or(Framing::None, |(n, _)| Framing::Length(n))
}

/// The body of exactly `n` bytes, or none while more can come.
pub(crate) fn by_length(
    rest: &[u8],
    n: usize,
    closed: bool,
    problems: &mut Vec<Problem>,
) -> Option<Vec<u8>> {
    if rest.len() < n {
        if !closed {
            return None;
        }
        problems.push(Problem::error(
            None,
            K::BodyTooShort,
            format!("Content-Length says {n}, body has {} bytes", rest.len()),
            format!("Content-Length 是 {n}，正文却只有 {} 字节", rest.len()),
        ));
        return Some(rest.to_vec());
    }
    if rest.len() > n {
        problems.push(Problem::error(
            None,
            K::BodyTooLong,
            format!(
                "Content-Length says {n}, but {} bytes came after the head: count the body's bytes (encoded), not its characters",
                rest.len()
            ),
            format!(
                "Content-Length 是 {n}，但消息头之后来了 {} 字节：要数正文编码之后的字节数，而不是字符数",
                rest.len()
            ),
        ));
    }
    Some(rest[..n].to_vec())
}

/// A chunked body, decoded; none while more can come.
pub(crate) fn chunked(rest: &[u8], closed: bool, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    let mut pos = 0;
    let cut = |problems: &mut Vec<Problem>, body: Vec<u8>| {
        if closed {
            problems.push(Problem::error(
                None,
                K::BadChunk,
                "the chunked body stopped before its last chunk (\"0\\r\\n\\r\\n\")",
                "分块（chunked）正文在最后一块（\"0\\r\\n\\r\\n\"）之前就断了",
            ));
            Some(body)
        } else {
            None
        }
    };
    loop {
        let Some(nl) = rest[pos..].iter().position(|&b| b == b'\n') else {
            return cut(problems, body);
        };
        let line = &rest[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += nl + 1;
        let size_text = line
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        let size = std::str::from_utf8(size_text)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|s| usize::from_str_radix(s, 16).ok());
        let Some(size) = size else {
            problems.push(Problem::error(
                None,
                K::BadChunk,
                format!(
                    "chunk size line '{}' is not a hexadecimal number",
                    show(line)
                ),
                format!("块大小行 '{}' 不是十六进制数", show(line)),
            ));
            return Some(body);
        };
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                let Some(nl) = rest[pos..].iter().position(|&b| b == b'\n') else {
                    return cut(problems, body);
                };
                let line = &rest[pos..pos + nl];
                pos += nl + 1;
                if line.is_empty() || line == b"\r" {
                    return Some(body);
                }
            }
        }
        if rest.len() < pos + size + 1 {
            return cut(problems, body);
        }
        body.extend_from_slice(&rest[pos..pos + size]);
        pos += size;
        let end: &[u8] = if rest[pos..].starts_with(b"\r\n") {
            b"\r\n"
        } else if rest[pos..].starts_with(b"\n") {
            b"\n"
        } else if rest[pos..] == *b"\r" {
            return cut(problems, body);
        } else {
            problems.push(Problem::error(
                None,
                K::BadChunk,
                format!("a chunk of {size} bytes is not followed by \\r\\n: is the size right?"),
                format!("{size} 字节的块后面没有紧跟 \\r\\n：块大小写对了吗？"),
            ));
            return Some(body);
        };
        pos += end.len();
    }
}
