//! A strict HTTP/1.x format checker that explains itself.
//!
//! Students write HTTP by hand over sockets, so their mistakes are in the
//! bytes: LF where CRLF belongs, no empty line after the headers, a
//! Content-Length that does not match the body. A parser that says only
//! "invalid" teaches nothing, and a lenient one (most are, on purpose)
//! hides exactly what a course wants named. This checker reads a message
//! line by line and reports every problem with the line it is on, in the
//! words a teacher would use, in English and in Chinese (`Problem::text`).
//!
//! It accepts every valid variant real homework uses: `Content-Type:text/html`
//! without a space, lower-case header names, a response whose body ends when
//! the connection closes, HTTP/1.0 without Host. It is stricter than
//! httparse where httparse is lenient on purpose (bare LF line ends, spaces
//! before the colon are rejected here), and never more lenient: a property
//! test holds it to that.
//!
//! Completeness and correctness come from the same reading, so a harness
//! that reads "until the checker says complete" never judges a message by
//! different rules than it read it by.

mod body;
mod head;
mod host;
pub mod write;

use std::fmt;

pub use head::head_end;

/// The verdict on the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked<T> {
    /// More bytes are needed before anything can be said.
    Incomplete,
    /// A whole message, perhaps with problems (errors or warnings).
    Complete(T, Vec<Problem>),
    /// Not HTTP, for these reasons.
    Invalid(Vec<Problem>),
}

impl<T> Checked<T> {
    /// The problems found, if the message is complete or invalid.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Checked::Incomplete => &[],
            Checked::Complete(_, p) | Checked::Invalid(p) => p,
        }
    }

    /// Whether the bytes make a whole message without errors (warnings allowed).
    pub fn is_ok(&self) -> bool {
        matches!(self, Checked::Complete(_, p) if !p.iter().any(Problem::is_error))
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// (major, minor): (1, 1) for HTTP/1.1.
    pub version: (u8, u8),
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, de-chunked when it was chunked.
    pub body: Vec<u8>,
    /// Bytes in the head, up to and including the empty line.
    pub head_len: usize,
}

/// A parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub version: (u8, u8),
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, de-chunked when it was chunked.
    pub body: Vec<u8>,
    /// Bytes in the head, up to and including the empty line.
    pub head_len: usize,
}

fn find<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

impl Request {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        find(&self.headers, name)
    }
}

impl Response {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        find(&self.headers, name)
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The message breaks HTTP: a browser or server may reject or misread it.
    Error,
    /// Allowed, but worth a word.
    Warning,
}

/// What kind of mistake, for callers and tests to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    LfLineEnd,
    BareCr,
    NoEmptyLine,
    LeadingEmptyLine,
    RequestLineShape,
    LowercaseMethod,
    UnknownMethod,
    BadMethod,
    BadTarget,
    BadVersion,
    StatusLineShape,
    NoStatusCode,
    BadStatusCode,
    NoColon,
    SpaceBeforeColon,
    EmptyHeaderName,
    BadHeaderName,
    ControlInValue,
    ObsoleteFolding,
    MissingHost,
    DuplicateHost,
    /// A Host value that is not `host[:port]`: a scheme, a path, spaces.
    BadHost,
    BadContentLength,
    ConflictingContentLength,
    /// Content-Length twice with one value: tolerated, a warning.
    DuplicateContentLength,
    LengthAndChunked,
    UnsupportedTransferEncoding,
    /// Transfer-Encoding in an HTTP/1.0 message, whose framing the
    /// receiver must then treat as faulty.
    TransferEncodingInHttp10,
    BodyTooShort,
    BodyTooLong,
    BadChunk,
    UnexpectedBody,
    Binary,
}

/// One thing wrong (or worth a word) in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line of the head it is on; none for the body or the whole.
    pub line: Option<usize>,
    pub kind: Kind,
    pub severity: Severity,
    /// The explanation, in a teacher's words.
    pub message: String,
    /// The same explanation in Chinese, for `--lang zh`; header names,
    /// methods, status codes, `\r\n` and the bytes shown stay as they are.
    pub message_zh: String,
}

impl Problem {
    pub(crate) fn error(
        line: Option<usize>,
        kind: Kind,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        Problem {
            line,
            kind,
            severity: Severity::Error,
            message: en.into(),
            message_zh: zh.into(),
        }
    }

    pub(crate) fn warning(
        line: Option<usize>,
        kind: Kind,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        Problem {
            line,
            kind,
            severity: Severity::Warning,
            message: en.into(),
            message_zh: zh.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The problem as a reader sees it, in English (as `Display` writes
    /// it: `line 3: … (warning)`) or in Chinese (`第 3 行：…（警告）`).
    pub fn text(&self, zh: bool) -> String {
        let (line, message, warning) = if zh {
            (
                self.line.map(|l| format!("第 {l} 行：")),
                &self.message_zh,
                "（警告）",
            )
        } else {
            (
                self.line.map(|l| format!("line {l}: ")),
                &self.message,
                " (warning)",
            )
        };
        let warning = if self.severity == Severity::Warning {
            warning
        } else {
            ""
        };
        format!("{}{message}{warning}", line.unwrap_or_default())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(false))
    }
}

/// Shows a line of a message as a student would recognise it.
pub(crate) fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let shown: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// RFC 9112 §6.1: the receiver of an HTTP/1.0 message with
/// Transfer-Encoding must treat its framing as faulty, since HTTP/1.0
/// has no transfer codings. The body is still decoded as chunked, so the
/// harness reads as far as the sender meant.
fn http10_transfer_encoding(
    headers: &[(String, Vec<u8>)],
    lines: &[usize],
    version: Option<(u8, u8)>,
    problems: &mut Vec<Problem>,
) {
    if version != Some((1, 0)) {
        return;
    }
    if let Some(&(line, _)) = body::named(headers, lines, "transfer-encoding").first() {
        problems.push(Problem::error(
            line,
            Kind::TransferEncodingInHttp10,
            "Transfer-Encoding in an HTTP/1.0 message: HTTP/1.0 has no Transfer-Encoding, so the receiver must treat the body's end as unknown; send Content-Length, or write HTTP/1.1",
            "HTTP/1.0 的消息里出现了 Transfer-Encoding：HTTP/1.0 没有 Transfer-Encoding，接收方只能当作不知道正文在哪里结束；请发送 Content-Length，或者改用 HTTP/1.1",
        ));
    }
}

/// Checks a request. Without the peer's close to go by, a message that
/// could still grow is Incomplete; a head that ends with bare LF ends
/// (and is named for it), so a harness is never left waiting for a CRLF
/// that will not come.
pub fn check_request(bytes: &[u8]) -> Checked<Request> {
    let Some(head) = head::parse(bytes, head::Kind::Request) else {
        return Checked::Incomplete;
    };
    let mut problems = head.problems;
    let Some(head::Start::Request {
        method,
        target,
        version,
    }) = head.start
    else {
        return Checked::Invalid(problems);
    };
    let hosts = body::named(&head.headers, &head.lines, "host");
    if version.unwrap_or((1, 1)) == (1, 1) && hosts.is_empty() {
        problems.push(Problem::error(
            None,
            Kind::MissingHost,
            "HTTP/1.1 request without Host: add a header line like \"Host: 127.0.0.1:8000\"",
            "HTTP/1.1 请求缺少 Host：加一行头部，例如 \"Host: 127.0.0.1:8000\"",
        ));
    }
    if let [(first, _), (second, _), ..] = hosts[..] {
        let (all, all_zh) = if hosts.len() > 2 {
            (
                format!(" ({} Host lines in all)", hosts.len()),
                format!("（一共有 {} 行 Host）", hosts.len()),
            )
        } else {
            (String::new(), String::new())
        };
        let first_zh = first.map_or(String::new(), |l| format!("（第一个在第 {l} 行）"));
        let first = first.map_or(String::new(), |l| format!(" (the first is on line {l})"));
        problems.push(Problem::error(
            second,
            Kind::DuplicateHost,
            format!(
                "a second Host header{first}: a request has exactly one, and a server must answer 400 to two{all}"
            ),
            format!(
                "出现了第二个 Host 头部{first_zh}：一个请求只能有一个 Host，收到两个时服务端必须回答 400{all_zh}"
            ),
        ));
    }
    for &(line, value) in &hosts {
        if let Some((why, why_zh)) = host::problem(value) {
            problems.push(Problem::error(
                line,
                Kind::BadHost,
                format!("Host is \"{}\": {why}", show(value)),
                format!("Host 的值是 \"{}\"：{why_zh}", show(value)),
            ));
        }
    }
    http10_transfer_encoding(&head.headers, &head.lines, version, &mut problems);
    let version = version.unwrap_or((1, 1));
    let rest = &bytes[head.len..];
    let body = match body::framing(&head.headers, &head.lines, &mut problems) {
        body::Framing::Length(n) => match body::by_length(rest, n, false, &mut problems) {
            None => return Checked::Incomplete,
            Some(b) => b,
        },
        body::Framing::Chunked => match body::chunked(rest, false, &mut problems) {
            None => return Checked::Incomplete,
            Some(b) => b,
        },
        body::Framing::Unknown => Vec::new(),
        body::Framing::None => {
            if !rest.is_empty() {
                problems.push(Problem::error(
                    None,
                    Kind::UnexpectedBody,
                    format!(
                        "{} bytes after the empty line but no Content-Length: the server will read them as the next request",
                        rest.len()
                    ),
                    format!(
                        "空行之后还有 {} 字节，却没有 Content-Length：服务端会把它们当成下一个请求来读",
                        rest.len()
                    ),
                ));
            }
            Vec::new()
        }
    };
    let request = Request {
        method,
        target,
        version,
        headers: head.headers,
        body,
        head_len: head.len,
    };
    Checked::Complete(request, problems)
}

/// Checks a response to a request with `request_method` (HEAD responses
/// have no body); `closed` says the peer has closed, so a body without a
/// length is over and a short one will not grow.
pub fn check_response(
    bytes: &[u8],
    request_method: Option<&str>,
    closed: bool,
) -> Checked<Response> {
    let Some(head) = head::parse(bytes, head::Kind::Response) else {
        if closed && !bytes.is_empty() {
            return Checked::Invalid(vec![Problem::error(
                None,
                Kind::NoEmptyLine,
                "no empty line after the headers: the head must end with an empty line (\\r\\n\\r\\n), even when there is no body",
                "头部之后没有空行：消息头必须以一个空行（\\r\\n\\r\\n）结束，即使没有正文也一样",
            )]);
        }
        return Checked::Incomplete;
    };
    let mut problems = head.problems;
    let Some(head::Start::Response {
        version,
        status,
        reason,
    }) = head.start
    else {
        return Checked::Invalid(problems);
    };
    let rest = &bytes[head.len..];
    let bodiless = request_method == Some("HEAD")
        || (100..200).contains(&status)
        || status == 204
        || status == 304;
    http10_transfer_encoding(&head.headers, &head.lines, version, &mut problems);
    let framing = body::framing(&head.headers, &head.lines, &mut problems);
    let body = if bodiless {
        if !rest.is_empty() {
            let (why, why_zh) = if request_method == Some("HEAD") {
                ("a response to HEAD".to_owned(), "对 HEAD 的响应".to_owned())
            } else {
                (
                    format!("a {status} response"),
                    format!("状态码为 {status} 的响应"),
                )
            };
            problems.push(Problem::error(
                None,
                Kind::UnexpectedBody,
                format!(
                    "{why} has no body, but {} bytes came after the head",
                    rest.len()
                ),
                format!("{why_zh}没有正文，但消息头之后来了 {} 字节", rest.len()),
            ));
        }
        Vec::new()
    } else {
        match framing {
            body::Framing::Length(n) => match body::by_length(rest, n, closed, &mut problems) {
                None => return Checked::Incomplete,
                Some(b) => b,
            },
            body::Framing::Chunked => match body::chunked(rest, closed, &mut problems) {
                None => return Checked::Incomplete,
                Some(b) => b,
            },
            // Without a length the body runs to the close (valid, and what
            // most homework servers do).
            body::Framing::None | body::Framing::Unknown if closed => rest.to_vec(),
            body::Framing::None | body::Framing::Unknown => return Checked::Incomplete,
        }
    };
    Checked::Complete(
        Response {
            version: version.unwrap_or((1, 1)),
            status,
            reason,
            headers: head.headers,
            body,
            head_len: head.len,
        },
        problems,
    )
}

/// Why bytes that stopped coming are not a whole message, as data, for
/// a reporter to put in either language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incomplete {
    /// Not one byte came.
    NothingCame,
    /// The head has no empty line yet.
    HeadNeverEnded,
    /// The head ended, but could not be read as one.
    HeadUnparsable,
    /// Content-Length said `declared`, and `came` bytes of body came.
    BodyShort { declared: usize, came: usize },
    /// A chunked body without its last chunk.
    ChunkedNeverEnded,
    /// A response without a length, whose connection stayed open.
    NoLengthStayedOpen,
    /// Anything else: the message stopped before it was whole.
    StoppedEarly,
}

impl Incomplete {
    /// The reason in a sentence, in English or in Chinese.
    pub fn text(&self, zh: bool) -> String {
        match (self, zh) {
            (Incomplete::NothingCame, false) => "nothing came".into(),
            (Incomplete::NothingCame, true) => "什么都没有收到".into(),
            (Incomplete::HeadNeverEnded, false) => {
                "no empty line after the headers: the head never ended".into()
            }
            (Incomplete::HeadNeverEnded, true) => "头部之后没有空行：消息头一直没有结束".into(),
            (Incomplete::HeadUnparsable, false) => "the head never ended".into(),
            (Incomplete::HeadUnparsable, true) => "消息头一直没有结束".into(),
            (Incomplete::BodyShort { declared, came }, false) => {
                format!("Content-Length says {declared}, but only {came} bytes of body came")
            }
            (Incomplete::BodyShort { declared, came }, true) => {
                format!("Content-Length 是 {declared}，但只收到了 {came} 字节的正文")
            }
            (Incomplete::ChunkedNeverEnded, false) => {
                "the chunked body never ended: the last chunk is \"0\\r\\n\\r\\n\"".into()
            }
            (Incomplete::ChunkedNeverEnded, true) => {
                "分块（chunked）正文一直没有结束：最后一块应该是 \"0\\r\\n\\r\\n\"".into()
            }
            (Incomplete::NoLengthStayedOpen, false) => {
                "the response has no Content-Length, so its body ends only when the connection closes, and it stayed open".into()
            }
            (Incomplete::NoLengthStayedOpen, true) => {
                "响应没有 Content-Length，所以正文要等连接关闭才算结束，而连接一直没有关闭".into()
            }
            (Incomplete::StoppedEarly, false) => "the message stopped before it was whole".into(),
            (Incomplete::StoppedEarly, true) => "消息还不完整，就没有下文了".into(),
        }
    }
}

/// Why bytes that stopped coming are not a whole message; for a harness
/// whose deadline passed while the checker said Incomplete.
pub fn incomplete(bytes: &[u8], is_response: bool, request_method: Option<&str>) -> Incomplete {
    if bytes.is_empty() {
        return Incomplete::NothingCame;
    }
    if head_end(bytes).is_none() {
        return Incomplete::HeadNeverEnded;
    }
    let kind = if is_response {
        head::Kind::Response
    } else {
        head::Kind::Request
    };
    let Some(head) = head::parse(bytes, kind) else {
        return Incomplete::HeadUnparsable;
    };
    let rest = bytes.len() - head.len;
    let mut scratch = Vec::new();
    match body::framing(&head.headers, &head.lines, &mut scratch) {
        body::Framing::Length(n) => Incomplete::BodyShort {
            declared: n,
            came: rest,
        },
        body::Framing::Chunked => Incomplete::ChunkedNeverEnded,
        _ if is_response && request_method != Some("HEAD") => Incomplete::NoLengthStayedOpen,
        _ => Incomplete::StoppedEarly,
    }
}

/// Why bytes that stopped coming are not a whole message, in an English
/// sentence: [`incomplete`] rendered by [`Incomplete::text`].
pub fn why_incomplete(bytes: &[u8], is_response: bool, request_method: Option<&str>) -> String {
    incomplete(bytes, is_response, request_method).text(false)
}
