//! The checker names each classic mistake, accepts every valid variant
//! homework uses, never panics, and is never more lenient than httparse.

use proptest::prelude::*;
use sockspec_http::{Checked, Kind, check_request, check_response, head_end};

fn kinds<T>(c: &Checked<T>) -> Vec<Kind> {
    c.problems()
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.kind)
        .collect()
}

fn messages<T>(c: &Checked<T>) -> String {
    c.problems()
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_plain_get_is_fine() {
    let c = check_request(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n");
    assert!(c.is_ok(), "{}", messages(&c));
    let Checked::Complete(r, _) = c else { panic!() };
    assert_eq!(
        (r.method.as_str(), r.target.as_str(), r.version),
        ("GET", "/", (1, 1))
    );
    assert_eq!(r.header("HOST"), Some(&b"127.0.0.1:8000"[..]));
}

#[test]
fn lf_line_ends_are_named_with_their_line() {
    let c = check_request(b"GET / HTTP/1.1\r\nHost: x\nAccept: */*\n\n");
    assert_eq!(kinds(&c), [Kind::LfLineEnd]);
    assert_eq!(
        messages(&c),
        "line 2: header line ends with LF, HTTP needs CRLF (\\r\\n) (3 lines in all)"
    );
}

#[test]
fn a_head_without_its_empty_line_waits_then_is_named_at_close() {
    let bytes = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html></html>";
    assert_eq!(
        check_response(bytes, Some("GET"), false),
        Checked::Incomplete
    );
    let c = check_response(bytes, Some("GET"), true);
    assert!(
        messages(&c).contains("no empty line after the headers"),
        "{}",
        messages(&c)
    );
    assert!(!c.is_ok());
}

#[test]
fn http11_needs_host_and_http10_does_not() {
    let c = check_request(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(kinds(&c), [Kind::MissingHost]);
    assert!(messages(&c).contains("HTTP/1.1 request without Host"));
    assert!(check_request(b"GET / HTTP/1.0\r\n\r\n").is_ok());
}

#[test]
fn content_length_must_match_the_body() {
    let bytes = b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nname=alice";
    assert_eq!(check_request(bytes), Checked::Incomplete);
    let c = check_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nshort body",
        Some("GET"),
        true,
    );
    assert_eq!(messages(&c), "Content-Length says 12, body has 10 bytes");
    let c = check_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nlonger",
        Some("GET"),
        true,
    );
    assert_eq!(kinds(&c), [Kind::BodyTooLong]);
}

#[test]
fn a_status_line_needs_a_code() {
    let c = check_response(b"HTTP/1.1 OK\r\n\r\n", Some("GET"), true);
    assert!(matches!(c, Checked::Invalid(_)));
    assert!(
        messages(&c).contains("status line 'HTTP/1.1 OK' has no status code"),
        "{}",
        messages(&c)
    );
    let c = check_response(b"HTTP/1.1 2000 OK\r\n\r\n", Some("GET"), true);
    assert_eq!(kinds(&c), [Kind::BadStatusCode]);
}

#[test]
fn versions_and_request_lines_are_exact() {
    for (bytes, kind) in [
        (&b"GET / http/1.1\r\nHost: x\r\n\r\n"[..], Kind::BadVersion),
        (b"GET / HTTP1.1\r\nHost: x\r\n\r\n", Kind::BadVersion),
        (
            b"GET /  HTTP/1.1\r\nHost: x\r\n\r\n",
            Kind::RequestLineShape,
        ),
        (b"GET HTTP/1.1\r\nHost: x\r\n\r\n", Kind::RequestLineShape),
        (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", Kind::LowercaseMethod),
        (
            b"GET index.html HTTP/1.1\r\nHost: x\r\n\r\n",
            Kind::BadTarget,
        ),
    ] {
        let c = check_request(bytes);
        assert!(
            kinds(&c).contains(&kind),
            "{:?}: {}",
            String::from_utf8_lossy(bytes),
            messages(&c)
        );
    }
}

#[test]
fn header_mistakes_are_named() {
    for (line, kind) in [
        ("Content-Type text/html", Kind::NoColon),
        ("Host : x", Kind::SpaceBeforeColon),
        (": x", Kind::EmptyHeaderName),
        ("Bad Name: x", Kind::BadHeaderName),
        (" folded", Kind::ObsoleteFolding),
    ] {
        let bytes = format!("GET / HTTP/1.1\r\nHost: x\r\n{line}\r\n\r\n");
        let c = check_request(bytes.as_bytes());
        assert!(kinds(&c).contains(&kind), "{line:?}: {}", messages(&c));
        assert!(messages(&c).starts_with("line 3: "), "{}", messages(&c));
    }
}

#[test]
fn lengths_that_contradict_are_errors() {
    for (headers, kind) in [
        ("Content-Length: ten", Kind::BadContentLength),
        (
            "Content-Length: 1\r\nContent-Length: 2",
            Kind::ConflictingContentLength,
        ),
        (
            "Content-Length: 1\r\nTransfer-Encoding: chunked",
            Kind::LengthAndChunked,
        ),
    ] {
        let bytes = format!("POST / HTTP/1.1\r\nHost: x\r\n{headers}\r\n\r\nx");
        let c = check_request(bytes.as_bytes());
        assert!(kinds(&c).contains(&kind), "{headers:?}: {}", messages(&c));
    }
}

#[test]
fn bytes_after_a_bodiless_request_are_named() {
    let c = check_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nabcd");
    assert_eq!(kinds(&c), [Kind::UnexpectedBody]);
    assert!(messages(&c).starts_with("4 bytes after the empty line but no Content-Length"));
}

#[test]
fn valid_homework_variants_pass() {
    // No space after the colon, lower-case names, close-delimited body.
    let c = check_response(
        b"HTTP/1.1 200 OK\r\ncontent-type:text/html\r\n\r\n<html>hi</html>",
        Some("GET"),
        true,
    );
    assert!(c.is_ok(), "{}", messages(&c));
    let Checked::Complete(r, _) = c else { panic!() };
    assert_eq!(r.body, b"<html>hi</html>");
    // The same response is not over while the connection is open.
    assert_eq!(
        check_response(b"HTTP/1.1 200 OK\r\n\r\n<html>", Some("GET"), false),
        Checked::Incomplete
    );
    // A realistic browser request.
    let browser = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\n\
        sec-ch-ua: \"Chromium\";v=\"130\", \"Not?A_Brand\";v=\"99\"\r\nsec-ch-ua-mobile: ?0\r\n\
        sec-ch-ua-platform: \"Linux\"\r\nUpgrade-Insecure-Requests: 1\r\n\
        User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36\r\n\
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
        Sec-Fetch-Site: none\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-User: ?1\r\nSec-Fetch-Dest: document\r\n\
        Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.8\r\n\r\n";
    let c = check_request(browser.as_bytes());
    assert!(c.is_ok(), "{}", messages(&c));
}

#[test]
fn head_responses_and_204_have_no_body() {
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    assert!(check_response(ok, Some("HEAD"), false).is_ok());
    let c = check_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        Some("HEAD"),
        true,
    );
    assert_eq!(kinds(&c), [Kind::UnexpectedBody]);
    assert!(check_response(b"HTTP/1.1 204 No Content\r\n\r\n", Some("GET"), false).is_ok());
}

#[test]
fn chunked_bodies_are_decoded() {
    let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";
    let c = check_response(bytes, Some("GET"), false);
    let Checked::Complete(r, p) = c else {
        panic!("{c:?}")
    };
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(r.body, b"hello world");
    let cut = &bytes[..bytes.len() - 5];
    assert_eq!(check_response(cut, Some("GET"), false), Checked::Incomplete);
    assert_eq!(
        kinds(&check_response(cut, Some("GET"), true)),
        [Kind::BadChunk]
    );
    let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert_eq!(
        kinds(&check_response(bad, Some("GET"), false)),
        [Kind::BadChunk]
    );
}

#[test]
fn head_end_skips_leading_empty_lines_and_accepts_lf() {
    assert_eq!(head_end(b"\r\nGET / HTTP/1.1\r\n\r\nbody"), Some(20));
    assert_eq!(head_end(b"GET / HTTP/1.1\n\n"), Some(16));
    assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
}

/// A valid request, as (method, target, headers, body).
fn valid_request() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec!["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]),
        "/[a-z0-9/._-]{0,20}",
        prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,15}", "[ -~]{0,30}"), 0..6),
        prop::option::of("[ -~]{0,40}"),
    )
        .prop_map(|(method, target, headers, body)| {
            let mut s = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (n, v) in headers {
                if n.eq_ignore_ascii_case("host")
                    || n.eq_ignore_ascii_case("content-length")
                    || n.eq_ignore_ascii_case("transfer-encoding")
                {
                    continue;
                }
                s.push_str(&format!("{n}: {}\r\n", v.trim()));
            }
            if let Some(b) = &body {
                s.push_str(&format!("Content-Length: {}\r\n\r\n{b}", b.len()));
            } else {
                s.push_str("\r\n");
            }
            s.into_bytes()
        })
}

/// The ways students break a valid message.
fn mutate(bytes: &[u8], how: u8, at: usize) -> Vec<u8> {
    let text = bytes.to_vec();
    let at = at % (text.len().max(1));
    match how % 6 {
        0 => String::from_utf8_lossy(&text)
            .replacen("\r\n", "\n", 1 + at % 3)
            .into_bytes(),
        1 => String::from_utf8_lossy(&text)
            .replacen(": ", " ", 1)
            .into_bytes(),
        2 => {
            let mut t = text;
            t.insert(at, b' ');
            t
        }
        3 => String::from_utf8_lossy(&text)
            .replacen("HTTP/1.1", "HTTP/1.x", 1)
            .into_bytes(),
        4 => {
            let mut t = text;
            t.remove(at);
            t
        }
        _ => {
            let mut t = text;
            t[at] = (at as u8).wrapping_mul(37);
            t
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), closed: bool) {
        let _ = check_request(&bytes);
        let _ = check_response(&bytes, Some("GET"), closed);
        let _ = check_response(&bytes, Some("HEAD"), closed);
        let _ = sockspec_http::why_incomplete(&bytes, closed, None);
    }

    #[test]
    fn valid_requests_pass_and_every_cut_is_incomplete(request in valid_request(), cut: prop::sample::Index) {
        let c = check_request(&request);
        prop_assert!(c.is_ok(), "{}", messages(&c));
        let k = cut.index(request.len());
        prop_assert_eq!(check_request(&request[..k]), Checked::Incomplete);
    }

    /// httparse rejects ⇒ the checker rejects, with a reason. (The checker
    /// is stricter on purpose: it rejects bare LF and spaces before the
    /// colon, which httparse tolerates.)
    #[test]
    fn never_more_lenient_than_httparse(request in valid_request(), how: u8, at: usize) {
        let bytes = mutate(&request, how, at);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut headers);
        let ours = check_request(&bytes);
        match parsed.parse(&bytes) {
            Err(e) => {
                prop_assert!(
                    matches!(ours, Checked::Incomplete) || !ours.is_ok(),
                    "httparse says {e}, the checker accepts {:?}",
                    String::from_utf8_lossy(&bytes)
                );
                if !matches!(ours, Checked::Incomplete) {
                    prop_assert!(ours.problems().iter().any(|p| p.is_error()));
                }
            }
            Ok(httparse::Status::Complete(len)) if ours.is_ok() => {
                let Checked::Complete(r, _) = &ours else { unreachable!() };
                prop_assert_eq!(Some(r.method.as_str()), parsed.method);
                prop_assert_eq!(Some(r.target.as_str()), parsed.path);
                prop_assert_eq!(r.headers.len(), parsed.headers.len());
                prop_assert_eq!(r.head_len, len);
            }
            Ok(_) => {}
        }
    }

    #[test]
    fn arbitrary_bytes_httparse_rejects_are_rejected(bytes in prop::collection::vec(any::<u8>(), 0..120)) {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Request::new(&mut headers);
        if parsed.parse(&bytes).is_err() {
            prop_assert!(!check_request(&bytes).is_ok());
        }
    }
}
