//! The head: the start line and the header lines, up to the empty line.
//!
//! Lines are cut at LF, and a line that does not end in CRLF is named,
//! not refused: the head of a student's message that uses bare LF still
//! ends at its empty line, so the report can say "line 2 ends with LF"
//! instead of "timed out".

use crate::{Kind as K, Problem, show};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Request,
    Response,
}

pub(crate) enum Start {
    Request {
        method: String,
        target: String,
        version: Option<(u8, u8)>,
    },
    Response {
        version: Option<(u8, u8)>,
        status: u16,
        reason: String,
    },
}

pub(crate) struct Head {
    /// Bytes up to and including the empty line.
    pub len: usize,
    /// The start line, if it could be understood at all.
    pub start: Option<Start>,
    pub headers: Vec<(String, Vec<u8>)>,
    /// The line each header is on, in the order of `headers`, so a rule
    /// about a value can name its line.
    pub lines: Vec<usize>,
    pub problems: Vec<Problem>,
}

/// The index just past the empty line that ends the head (CRLF or bare LF
/// line ends), skipping empty lines before the start line; none while the
/// head is unfinished.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut pos = 0;
    let mut seen_start = false;
    while let Some(nl) = bytes[pos..].iter().position(|&b| b == b'\n') {
        let line = &bytes[pos..pos + nl];
        pos += nl + 1;
        let empty = line.is_empty() || line == b"\r";
        if empty && seen_start {
            return Some(pos);
        }
        if !empty {
            seen_start = true;
        }
    }
    None
}

const METHODS: [&str; 9] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "CONNECT", "TRACE", "OPTIONS", "PATCH",
];

/// RFC 9110 token characters (method and header names).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn version(word: &[u8]) -> Option<(u8, u8)> {
    match word {
        b"HTTP/1.0" => Some((1, 0)),
        b"HTTP/1.1" => Some((1, 1)),
        _ => None,
    }
}

fn bad_version(line: usize, word: &[u8]) -> Problem {
    let shown = show(word);
    let (hint, hint_zh) =
        if word.eq_ignore_ascii_case(b"HTTP/1.1") || word.eq_ignore_ascii_case(b"HTTP/1.0") {
            (
                ": the version is upper case, HTTP/1.1",
                "：版本要全部大写，写成 HTTP/1.1",
            )
        } else if word.starts_with(b"HTTP/2") || word.starts_with(b"HTTP/3") {
            (
                ": HTTP/2 and HTTP/3 are not text over a socket; write HTTP/1.1",
                "：HTTP/2 和 HTTP/3 不是在套接字上直接收发的文本；请写 HTTP/1.1",
            )
        } else {
            (
                ": write HTTP/1.1 (or HTTP/1.0)",
                "：请写 HTTP/1.1（或 HTTP/1.0）",
            )
        };
    Problem::error(
        Some(line),
        K::BadVersion,
        format!("'{shown}' is not an HTTP version{hint}"),
        format!("'{shown}' 不是 HTTP 版本{hint_zh}"),
    )
}

fn request_line(line: &[u8], n: usize, problems: &mut Vec<Problem>) -> Option<Start> {
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        problems.push(Problem::error(
            Some(n),
            K::RequestLineShape,
            format!(
                "request line '{}' must be METHOD TARGET VERSION separated by single spaces, e.g. \"GET / HTTP/1.1\"",
                show(line)
            ),
            format!(
                "请求行 '{}' 必须是“方法 请求目标 协议版本”三部分，各用一个空格隔开，例如 \"GET / HTTP/1.1\"",
                show(line)
            ),
        ));
        return None;
    }
    let (method, target, ver) = (parts[0], parts[1], parts[2]);
    let method_text = String::from_utf8_lossy(method).into_owned();
    if !method.iter().all(|&b| is_tchar(b)) {
        problems.push(Problem::error(
            Some(n),
            K::BadMethod,
            format!(
                "method '{}' has characters a method cannot have",
                show(method)
            ),
            format!("方法 '{}' 含有方法里不能出现的字符", show(method)),
        ));
        return None;
    }
    let upper = method_text.to_ascii_uppercase();
    if !METHODS.contains(&method_text.as_str()) {
        if METHODS.contains(&upper.as_str()) {
            problems.push(Problem::error(
                Some(n),
                K::LowercaseMethod,
                format!("methods are case-sensitive: write {upper}, not {method_text}"),
                format!("方法区分大小写：要写 {upper}，而不是 {method_text}"),
            ));
        } else {
            problems.push(Problem::warning(
                Some(n),
                K::UnknownMethod,
                format!(
                    "method {method_text} is none of {}; a server will likely answer 501",
                    METHODS.join(" ")
                ),
                format!(
                    "方法 {method_text} 不是 {} 中的任何一个；服务端很可能回答 501",
                    METHODS.join(" ")
                ),
            ));
        }
    }
    if !target.iter().all(|&b| b > b' ' && b < 0x7f) {
        problems.push(Problem::error(
            Some(n),
            K::BadTarget,
            format!(
                "request target '{}' has characters that must be percent-encoded (spaces, non-ASCII, control characters)",
                show(target)
            ),
            format!(
                "请求目标 '{}' 含有必须做百分号编码的字符（空格、非 ASCII 字符、控制字符）",
                show(target)
            ),
        ));
    }
    let target_ok = target.starts_with(b"/")
        || target.starts_with(b"http://")
        || target.starts_with(b"https://")
        || (target == b"*" && upper == "OPTIONS")
        || (upper == "CONNECT" && target.contains(&b':'));
    if !target_ok {
        problems.push(Problem::error(
            Some(n),
            K::BadTarget,
            format!(
                "request target '{}' must start with / (a path such as /index.html)",
                show(target)
            ),
            format!(
                "请求目标 '{}' 必须以 / 开头（是一个路径，例如 /index.html）",
                show(target)
            ),
        ));
    }
    let v = version(ver);
    if v.is_none() {
        problems.push(bad_version(n, ver));
    }
    Some(Start::Request {
        method: method_text,
        target: String::from_utf8_lossy(target).into_owned(),
        version: v,
    })
}

fn status_line(line: &[u8], n: usize, problems: &mut Vec<Problem>) -> Option<Start> {
    let (ver, rest) = match line.iter().position(|&b| b == b' ') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &b""[..]),
    };
    let v = version(ver);
    if v.is_none() {
        if !ver.to_ascii_uppercase().starts_with(b"HTTP") {
            problems.push(Problem::error(
                Some(n),
                K::StatusLineShape,
                format!(
                    "status line '{}' must start with the version, e.g. \"HTTP/1.1 200 OK\"",
                    show(line)
                ),
                format!(
                    "状态行 '{}' 必须以协议版本开头，例如 \"HTTP/1.1 200 OK\"",
                    show(line)
                ),
            ));
            return None;
        }
        problems.push(bad_version(n, ver));
    }
    let (code, reason) = match rest.iter().position(|&b| b == b' ') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    if code.is_empty() || !code.iter().all(u8::is_ascii_digit) {
        let kind = if code.iter().any(u8::is_ascii_digit) {
            K::BadStatusCode
        } else {
            K::NoStatusCode
        };
        problems.push(Problem::error(
            Some(n),
            kind,
            format!(
                "status line '{}' has no status code: write the version, a 3-digit code and a reason, e.g. \"HTTP/1.1 200 OK\"",
                show(line)
            ),
            format!(
                "状态行 '{}' 没有状态码：要依次写协议版本、3 位数的状态码和原因短语，例如 \"HTTP/1.1 200 OK\"",
                show(line)
            ),
        ));
        return None;
    }
    if code.len() != 3 || code[0] == b'0' {
        problems.push(Problem::error(
            Some(n),
            K::BadStatusCode,
            format!("status code '{}' must be 3 digits, 100 to 599", show(code)),
            format!("状态码 '{}' 必须是 3 位数字，从 100 到 599", show(code)),
        ));
        return None;
    }
    let status: u16 = std::str::from_utf8(code).ok()?.parse().ok()?;
    if reason.iter().any(|&b| b < b' ' && b != b'\t' || b == 0x7f) {
        problems.push(Problem::error(
            Some(n),
            K::ControlInValue,
            "the reason phrase has control characters",
            "原因短语里有控制字符",
        ));
    }
    Some(Start::Response {
        version: v,
        status,
        reason: String::from_utf8_lossy(reason).into_owned(),
    })
}

fn header_line(
    line: &[u8],
    n: usize,
    headers: &mut Vec<(String, Vec<u8>)>,
    problems: &mut Vec<Problem>,
) {
    if line.starts_with(b" ") || line.starts_with(b"\t") {
        problems.push(Problem::error(
            Some(n),
            K::ObsoleteFolding,
            "a header line starts with a space: continuing a header on the next line is obsolete and rejected; keep each header on one line",
            "头部行以空格开头：把一个头部接着写到下一行是过时的写法，会被拒绝；每个头部都写在同一行里",
        ));
        return;
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        problems.push(Problem::error(
            Some(n),
            K::NoColon,
            format!(
                "header line '{}' has no colon: write \"Name: value\"",
                show(line)
            ),
            format!("头部行 '{}' 没有冒号：要写成 \"Name: value\"", show(line)),
        ));
        return;
    };
    let name = &line[..colon];
    let value = &line[colon + 1..];
    if name.is_empty() {
        problems.push(Problem::error(
            Some(n),
            K::EmptyHeaderName,
            format!("header line '{}' has no name before the colon", show(line)),
            format!("头部行 '{}' 的冒号前面没有名称", show(line)),
        ));
        return;
    }
    if name.ends_with(b" ") || name.ends_with(b"\t") {
        problems.push(Problem::error(
            Some(n),
            K::SpaceBeforeColon,
            format!(
                "space before the colon in '{}': write \"{}: value\"",
                show(line),
                show(name.trim_ascii_end())
            ),
            format!(
                "'{}' 的冒号前面有空格：要写成 \"{}: value\"",
                show(line),
                show(name.trim_ascii_end())
            ),
        ));
        return;
    }
    if !name.iter().all(|&b| is_tchar(b)) {
        problems.push(Problem::error(
            Some(n),
            K::BadHeaderName,
            format!(
                "header name '{}' has characters a name cannot have (letters, digits and - are usual)",
                show(name)
            ),
            format!(
                "头部名称 '{}' 含有名称里不能出现的字符（通常只用字母、数字和 -）",
                show(name)
            ),
        ));
        return;
    }
    // Only SP and HTAB are optional whitespace; trim_ascii would also eat
    // form feeds and hide them.
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    let value = &value[start..end];
    if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
        problems.push(Problem::error(
            Some(n),
            K::ControlInValue,
            format!("the value of {} has control characters", show(name)),
            format!("{} 的值里有控制字符", show(name)),
        ));
    }
    headers.push((String::from_utf8_lossy(name).into_owned(), value.to_vec()));
}

/// Parses the head, or none while it is unfinished.
pub(crate) fn parse(bytes: &[u8], kind: Kind) -> Option<Head> {
    let len = head_end(bytes)?;
    let mut problems = Vec::new();
    let mut headers = Vec::new();
    let mut lines = Vec::new();
    let mut start = None;
    let mut started = false;
    let mut lf_lines = Vec::new();
    for (i, raw) in bytes[..len - 1].split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = match raw.strip_suffix(b"\r") {
            Some(l) => l,
            None => {
                lf_lines.push(n);
                raw
            }
        };
        if line.contains(&b'\r') {
            problems.push(Problem::error(
                Some(n),
                K::BareCr,
                "a lone \\r inside the line: \\r belongs only right before \\n",
                "行中间有一个单独的 \\r：\\r 只能紧挨在 \\n 前面",
            ));
        }
        if !started {
            if line.is_empty() {
                problems.push(Problem::warning(
                    Some(n),
                    K::LeadingEmptyLine,
                    "an empty line before the start line is tolerated, but nothing should come before it",
                    "起始行之前的空行可以容忍，但起始行之前本不该有任何东西",
                ));
                continue;
            }
            started = true;
            start = match kind {
                Kind::Request => request_line(line, n, &mut problems),
                Kind::Response => status_line(line, n, &mut problems),
            };
            if start.is_none() {
                break;
            }
        } else if !line.is_empty() {
            header_line(line, n, &mut headers, &mut problems);
            lines.resize(headers.len(), n);
        }
    }
    // One report per message for LF line ends, naming the first line: a
    // student who used \n once used it everywhere.
    if let Some(&first) = lf_lines.first() {
        let (which, which_zh) = match first {
            1 if kind == Kind::Request => ("the request line", "请求行"),
            1 => ("the status line", "状态行"),
            _ if Some(&first) == lf_lines.last() && first == count_lines(bytes, len) => {
                ("the empty line", "空行")
            }
            _ => ("header line", "头部行"),
        };
        let (more, more_zh) = if lf_lines.len() > 1 {
            (
                format!(" ({} lines in all)", lf_lines.len()),
                format!("，一共有 {} 行是这样", lf_lines.len()),
            )
        } else {
            (String::new(), String::new())
        };
        problems.insert(
            0,
            Problem::error(
                Some(first),
                K::LfLineEnd,
                format!("{which} ends with LF, HTTP needs CRLF (\\r\\n){more}"),
                format!("{which_zh}以 LF 结尾，HTTP 要求 CRLF（\\r\\n）{more_zh}"),
            ),
        );
    }
    Some(Head {
        len,
        start,
        headers,
        lines,
        problems,
    })
}

fn count_lines(bytes: &[u8], len: usize) -> usize {
    bytes[..len].iter().filter(|&&b| b == b'\n').count()
}
