//! Writing HTTP, beside reading it: the requests the harness sends an
//! http-server and the responses it sends an http-client. Kept with the
//! checker so that what the harness writes and what it judges are the same
//! format, and a test can hold one against the other.

/// How a response tells where its body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEnd {
    /// A Content-Length header.
    ContentLength,
    /// No length: the body ends when the connection closes.
    Close,
    /// Transfer-Encoding: chunked.
    Chunked,
}

/// A request: the request line, `Host`, the extra header lines as given,
/// a Content-Length for a body, the empty line, the body.
pub fn request(
    method: &str,
    path: &str,
    host: &str,
    headers: &[String],
    body: Option<&str>,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if let Some(body) = body {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if let Some(body) = body {
        bytes.extend_from_slice(body.as_bytes());
    }
    bytes
}

/// A response of `status` with an HTML `body`, its end marked as `end`
/// says, and `Connection: close` (every response ends its connection).
pub fn response(status: u16, body: &[u8], end: BodyEnd) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head =
        format!("HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n");
    let mut out = Vec::new();
    match end {
        BodyEnd::ContentLength => {
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(body);
        }
        BodyEnd::Close => {
            head.push_str("Connection: close\r\n\r\n");
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(body);
        }
        BodyEnd::Chunked => {
            head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            out.extend_from_slice(head.as_bytes());
            // Two chunks when there is enough body, so the client must join them.
            let mid = body.len() / 2;
            for part in [&body[..mid], &body[mid..]] {
                if !part.is_empty() {
                    out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    out.extend_from_slice(part);
                    out.extend_from_slice(b"\r\n");
                }
            }
            out.extend_from_slice(b"0\r\n\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Checked, check_request, check_response};

    /// What the harness writes, its own checker passes: a mistake in the
    /// harness's HTTP would otherwise fail correct programs.
    #[test]
    fn what_is_written_is_what_the_checker_calls_well_formed() {
        let req = request(
            "POST",
            "/form",
            "127.0.0.1:8000",
            &["Accept: */*".into()],
            Some("a=1"),
        );
        assert!(matches!(check_request(&req), Checked::Complete(_, ref p) if p.is_empty()));
        for end in [BodyEnd::ContentLength, BodyEnd::Close, BodyEnd::Chunked] {
            let resp = response(200, b"<p>hello</p>", end);
            let checked = check_response(&resp, Some("GET"), true);
            assert!(
                matches!(&checked, Checked::Complete(r, p) if p.is_empty() && r.body == b"<p>hello</p>"),
                "{end:?}: {checked:?}"
            );
        }
    }
}
