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

pub(crate) fn framing(headers: &[(String, Vec<u8>)], problems: &mut Vec<Problem>) -> Framing {
    let lengths: Vec<&[u8]> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.as_slice())
        .collect();
    let encodings: Vec<&[u8]> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
        .map(|(_, v)| v.as_slice())
        .collect();
    if !encodings.is_empty() {
        let last = encodings
            .last()
            .and_then(|v| v.split(|&b| b == b',').next_back())
            .map(|v| v.trim_ascii().to_ascii_lowercase())
            .unwrap_or_default();
        if last != b"chunked" {
            problems.push(Problem::error(
                None,
                K::UnsupportedTransferEncoding,
                format!(
                    "Transfer-Encoding '{}' does not end in chunked, so nobody can tell where the body ends",
                    show(encodings.last().copied().unwrap_or_default())
                ),
            ));
            return Framing::Unknown;
        }
        if !lengths.is_empty() {
            problems.push(Problem::error(
                None,
                K::LengthAndChunked,
                "both Transfer-Encoding: chunked and Content-Length: send one or the other",
            ));
            return Framing::Unknown;
        }
        return Framing::Chunked;
    }
    let mut value: Option<usize> = None;
    for raw in lengths {
        let parsed = (!raw.is_empty() && raw.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(raw).ok()?.parse::<usize>().ok())
            .flatten();
        let Some(n) = parsed else {
            problems.push(Problem::error(
                None,
                K::BadContentLength,
                format!("Content-Length '{}' is not a number of bytes", show(raw)),
            ));
            return Framing::Unknown;
        };
        match value {
            Some(v) if v != n => {
                problems.push(Problem::error(
                    None,
                    K::ConflictingContentLength,
                    format!("two Content-Length headers disagree: {v} and {n}"),
                ));
                return Framing::Unknown;
            }
            _ => value = Some(n),
        }
    }
    value.map_or(Framing::None, Framing::Length)
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
            ));
            return Some(body);
        };
        pos += end.len();
    }
}
