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

/// The problems of a request whose Host line is `host_line`, on line 2.
fn host(host_line: &str) -> Checked<sockspec_http::Request> {
    check_request(format!("GET / HTTP/1.1\r\n{host_line}\r\nAccept: */*\r\n\r\n").as_bytes())
}

#[test]
fn host_is_the_host_and_port_only() {
    for (line, message) in [
        (
            "Host: http://localhost:8000",
            "line 2: Host is \"http://localhost:8000\": Host takes the host and port only (localhost:8000), without \"http://\"",
        ),
        (
            "Host: localhost:8000/index.html",
            "line 2: Host is \"localhost:8000/index.html\": Host takes the host and port only (localhost:8000), without the path \"/index.html\"",
        ),
        (
            "Host: https://user:pw@example.com/a?b=1",
            "line 2: Host is \"https://user:pw@example.com/a?b=1\": Host takes the host and port only (example.com), without \"https://\", the user part \"user:pw@\" and the path \"/a?b=1\"",
        ),
        (
            "Host: 127.0.0.1:8000?x",
            "line 2: Host is \"127.0.0.1:8000?x\": Host takes the host and port only (127.0.0.1:8000), without \"?x\"",
        ),
        (
            "Host: /index.html",
            "line 2: Host is \"/index.html\": Host takes the host and port only, without the path \"/index.html\": a host is a name such as localhost, an IPv4 address such as 127.0.0.1, or an IPv6 address in brackets such as [::1], then optionally \":\" and a port",
        ),
        (
            "Host: localhost 8000",
            "line 2: Host is \"localhost 8000\": a host has no spaces inside: write it as one word, with the port right after a colon, e.g. localhost:8000",
        ),
        (
            "Host: localhost:abc",
            "line 2: Host is \"localhost:abc\": the port \"abc\" must be digits only, e.g. localhost:8000",
        ),
        (
            "Host: localhost:80:80",
            "line 2: Host is \"localhost:80:80\": the port \"80:80\" must be digits only, e.g. localhost:8000",
        ),
        (
            "Host: :8000",
            "line 2: Host is \":8000\": the host is missing before \":8000\", e.g. localhost:8000",
        ),
        (
            "Host: ::1",
            "line 2: Host is \"::1\": an IPv6 address in Host goes in brackets: [::1], and a port after them: [::1]:8000",
        ),
        (
            "Host: [::1:80",
            "line 2: Host is \"[::1:80\": the [ that opens an IPv6 address has no ] to close it, e.g. [::1]:8000",
        ),
        (
            "Host: [localhost]:80",
            "line 2: Host is \"[localhost]:80\": brackets are only for IPv6 addresses: write localhost without them",
        ),
        (
            "Host: [::1]80",
            "line 2: Host is \"[::1]80\": after the ] of an IPv6 address comes only \":\" and a port, not \"80\"",
        ),
        (
            "Host: [1.2.3.4.5]",
            "line 2: Host is \"[1.2.3.4.5]\": brackets are only for IPv6 addresses: write 1.2.3.4.5 without them",
        ),
        (
            "Host: [::g]",
            "line 2: Host is \"[::g]\": [::g] is not an IPv6 address",
        ),
        (
            "Host: local<host>",
            "line 2: Host is \"local<host>\": '<' cannot be in a host; a host is a name such as localhost, an IPv4 address such as 127.0.0.1, or an IPv6 address in brackets such as [::1], then optionally \":\" and a port",
        ),
        (
            "Host: 100%.com",
            "line 2: Host is \"100%.com\": % in a host must start a percent-encoded byte such as %41; a host is a name such as localhost, an IPv4 address such as 127.0.0.1, or an IPv6 address in brackets such as [::1], then optionally \":\" and a port",
        ),
        (
            "Host: 例子.com",
            "line 2: Host is \"例子.com\": a host is ASCII: a name in another script is sent in its xn-- (punycode) form",
        ),
    ] {
        let c = host(line);
        assert_eq!(kinds(&c), [Kind::BadHost], "{line:?}: {}", messages(&c));
        assert_eq!(messages(&c), message, "{line:?}");
    }
    // The line named is the Host line's, wherever it is; HTTP/1.0 too.
    let c = check_request(b"GET / HTTP/1.0\r\nAccept: */*\r\nHost: http://x/\r\n\r\n");
    assert!(
        messages(&c).starts_with("line 3: Host is \"http://x/\": "),
        "{}",
        messages(&c)
    );
}

#[test]
fn every_valid_host_passes() {
    for line in [
        "Host: localhost",
        "Host: 127.0.0.1:8000",
        "Host: [::1]:80",
        "Host: [::1]",
        "Host: [::ffff:127.0.0.1]:8080",
        "Host: [v1.fe80::a+en1]",
        "Host: example.com:",
        "Host: example.com.:443",
        "Host:localhost",
        "Host:localhost:8000",
        "host: LOCALHOST",
        "Host: my_host.local:99999",
        "Host: xn--fsqu00a.com",
        "Host: a%41b",
        "Host:  localhost:8000  ",
        // RFC 9112 §3.2: empty when the target has no authority.
        "Host:",
        "Host: ",
    ] {
        let c = host(line);
        assert!(c.is_ok(), "{line:?}: {}", messages(&c));
        assert!(c.problems().is_empty(), "{line:?}: {}", messages(&c));
    }
}

#[test]
fn a_request_has_one_host() {
    let c = check_request(b"GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nHost: a\r\n\r\n");
    assert_eq!(kinds(&c), [Kind::DuplicateHost]);
    assert_eq!(
        messages(&c),
        "line 4: a second Host header (the first is on line 2): a request has exactly one, and a server must answer 400 to two"
    );
    let c = check_request(b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\nHost: c\r\n\r\n");
    assert_eq!(
        messages(&c),
        "line 3: a second Host header (the first is on line 2): a request has exactly one, and a server must answer 400 to two (3 Host lines in all)"
    );
    // Each Host value is judged on its own line too.
    let c = check_request(b"GET / HTTP/1.1\r\nHost: a\r\nHost: http://b\r\n\r\n");
    assert_eq!(kinds(&c), [Kind::DuplicateHost, Kind::BadHost]);
    assert!(messages(&c).contains("line 3: Host is \"http://b\""));
}

#[test]
fn content_length_is_one_number_of_bytes() {
    for (value, kind, message) in [
        (
            "12, 12",
            Kind::BadContentLength,
            "line 3: Content-Length '12, 12' is a list: a message has one length, write \"Content-Length: 12\"",
        ),
        (
            "1,2",
            Kind::ConflictingContentLength,
            "line 3: Content-Length '1,2' gives 2 lengths that disagree: a message has one, the number of bytes in its body",
        ),
        (
            "+1",
            Kind::BadContentLength,
            "line 3: Content-Length '+1' is not a number of bytes",
        ),
        (
            "-1",
            Kind::BadContentLength,
            "line 3: Content-Length '-1' is not a number of bytes",
        ),
        (
            "1 2",
            Kind::BadContentLength,
            "line 3: Content-Length '1 2' is not a number of bytes",
        ),
        (
            "1abc",
            Kind::BadContentLength,
            "line 3: Content-Length '1abc' is not a number of bytes",
        ),
        (
            "",
            Kind::BadContentLength,
            "line 3: Content-Length '' is not a number of bytes",
        ),
    ] {
        let c = check_request(
            format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n\r\nx").as_bytes(),
        );
        assert_eq!(kinds(&c), [kind], "{value:?}: {}", messages(&c));
        assert_eq!(messages(&c), message, "{value:?}");
        let c = check_response(
            format!("HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: {value}\r\n\r\nx").as_bytes(),
            Some("GET"),
            true,
        );
        assert_eq!(messages(&c), message, "response {value:?}");
    }
    let c = check_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nxx",
        Some("GET"),
        true,
    );
    assert_eq!(kinds(&c), [Kind::ConflictingContentLength]);
    assert_eq!(
        messages(&c),
        "line 3: two Content-Length headers disagree: 1 and 2"
    );
}

#[test]
fn the_same_content_length_twice_is_a_warning() {
    let c = check_request(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nAccept: */*\r\ncontent-length:2\r\n\r\nhi",
    );
    assert!(c.is_ok(), "{}", messages(&c));
    assert_eq!(
        messages(&c),
        "line 5: Content-Length is sent twice (also on line 3), with the same value: tolerated, but send it once (warning)"
    );
    assert_eq!(c.problems()[0].kind, Kind::DuplicateContentLength);
    let Checked::Complete(r, _) = c else { panic!() };
    assert_eq!(r.body, b"hi");
}

#[test]
fn content_length_without_a_space_is_fine() {
    let c = check_request(b"POST / HTTP/1.1\r\nHost:x\r\nContent-Length:0\r\n\r\n");
    assert!(c.is_ok(), "{}", messages(&c));
    assert!(c.problems().is_empty(), "{}", messages(&c));
    let c = check_response(
        b"HTTP/1.1 200 OK\r\ncontent-length:5\r\n\r\nhello",
        Some("GET"),
        false,
    );
    assert!(c.is_ok(), "{}", messages(&c));
    assert!(c.problems().is_empty(), "{}", messages(&c));
}

#[test]
fn framing_mistakes_name_their_line() {
    let c = check_response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        Some("GET"),
        true,
    );
    assert_eq!(kinds(&c), [Kind::LengthAndChunked]);
    assert_eq!(
        messages(&c),
        "line 3: both Transfer-Encoding: chunked and Content-Length: send one or the other"
    );
    let c = check_request(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
    assert_eq!(kinds(&c), [Kind::UnsupportedTransferEncoding]);
    assert!(messages(&c).starts_with("line 3: Transfer-Encoding 'gzip'"));
}

#[test]
fn http10_has_no_transfer_encoding() {
    let message = "line 2: Transfer-Encoding in an HTTP/1.0 message: HTTP/1.0 has no Transfer-Encoding, so the receiver must treat the body's end as unknown; send Content-Length, or write HTTP/1.1";
    let c = check_response(
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        Some("GET"),
        false,
    );
    assert_eq!(kinds(&c), [Kind::TransferEncodingInHttp10]);
    assert_eq!(messages(&c), message);
    // Still read to its last chunk, so a harness is not left waiting.
    let Checked::Complete(r, _) = c else { panic!() };
    assert_eq!(r.body, b"hi");
    let c =
        check_request(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    assert_eq!(kinds(&c), [Kind::TransferEncodingInHttp10]);
    assert_eq!(messages(&c), message);
    // HTTP/1.1 chunked is fine, and HTTP/1.0 with Content-Length.
    assert!(
        check_request(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
        )
        .is_ok()
    );
    assert!(
        check_response(
            b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            None,
            false
        )
        .is_ok()
    );
}

#[test]
fn head_end_skips_leading_empty_lines_and_accepts_lf() {
    assert_eq!(head_end(b"\r\nGET / HTTP/1.1\r\n\r\nbody"), Some(20));
    assert_eq!(head_end(b"GET / HTTP/1.1\n\n"), Some(16));
    assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
}

/// A valid Host value: a name, an IPv4 or a bracketed IPv6 address, with
/// or without a port (empty or not), or nothing at all.
fn valid_host() -> impl Strategy<Value = String> {
    let host = prop_oneof![
        "[a-zA-Z0-9]([a-zA-Z0-9_-]{0,10}[a-zA-Z0-9])?(\\.[a-z0-9]{1,8}){0,3}\\.?",
        any::<[u8; 4]>().prop_map(|a| std::net::Ipv4Addr::from(a).to_string()),
        any::<[u16; 8]>().prop_map(|a| format!("[{}]", std::net::Ipv6Addr::from(a))),
        Just("[::1]".to_owned()),
    ];
    prop_oneof![
        9 => (host, prop::option::of("[0-9]{0,5}"))
            .prop_map(|(h, p)| p.map_or(h.clone(), |p| format!("{h}:{p}"))),
        1 => Just(String::new()),
    ]
}

/// A valid request, as (method, target, headers, body).
fn valid_request() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec!["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]),
        "/[a-z0-9/._-]{0,20}",
        valid_host(),
        prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,15}", "[ -~]{0,30}"), 0..6),
        prop::option::of("[ -~]{0,40}"),
        prop::sample::select(vec![": ", ":"]),
    )
        .prop_map(|(method, target, host, headers, body, colon)| {
            let mut s = format!("{method} {target} HTTP/1.1\r\nHost{colon}{host}\r\n");
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
                s.push_str(&format!("Content-Length{colon}{}\r\n\r\n{b}", b.len()));
            } else {
                s.push_str("\r\n");
            }
            s.into_bytes()
        })
}

/// A Host value broken the way students break it: what the address bar
/// shows (a scheme, a path, a user), a space, an IPv6 address without
/// brackets, a port that is not digits, or no host before the port.
fn broken_host() -> impl Strategy<Value = String> {
    let name = "[a-z][a-z0-9]{0,8}(\\.[a-z]{2,4})?";
    let port =
        prop::option::of("[0-9]{1,5}").prop_map(|p| p.map_or(String::new(), |p| format!(":{p}")));
    (name, port, 0..8u8, "[a-z0-9./]{0,10}", any::<[u16; 8]>()).prop_map(
        |(name, port, how, path, v6)| match how {
            0 => format!("http://{name}{port}"),
            1 => format!("https://{name}{port}/{path}"),
            2 => format!("{name}{port}/{path}"),
            3 => format!("user@{name}{port}"),
            4 => format!("{name} 8000{port}"),
            5 => std::net::Ipv6Addr::from(v6).to_string(),
            6 => format!("{name}:{path}x"),
            _ => format!("{port}:80"),
        },
    )
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
    fn every_broken_host_is_named_on_its_line(host in broken_host(), colon in prop::sample::select(vec![": ", ":"])) {
        let bytes = format!("GET / HTTP/1.1\r\nHost{colon}{host}\r\nAccept: */*\r\n\r\n");
        let c = check_request(bytes.as_bytes());
        prop_assert_eq!(kinds(&c), [Kind::BadHost], "{}", messages(&c));
        let start = format!("line 2: Host is \"{}\": ", host.trim());
        prop_assert!(messages(&c).starts_with(&start), "{}", messages(&c));
    }

    #[test]
    fn a_content_length_with_a_non_digit_is_named(a in "[0-9]{1,4}", c in "[-+,;. a-zA-Z]", b in "[0-9]{1,4}", sign in prop::option::of("[-+]")) {
        let value = format!("{}{a}{c}{b}", sign.unwrap_or_default());
        let bytes = format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n\r\n");
        let got = check_request(bytes.as_bytes());
        let k = kinds(&got);
        prop_assert!(
            k == [Kind::BadContentLength] || k == [Kind::ConflictingContentLength],
            "{value:?}: {}", messages(&got)
        );
        prop_assert!(messages(&got).starts_with("line 3: Content-Length '"), "{}", messages(&got));
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

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(is_cjk)
}

/// A message to provoke `kind` with: the bytes, and for a response the
/// request's method (read as closed); none for a request. None for a kind
/// the checker never reports. The match has no catch-all, so a new Kind
/// does not compile until it has a message here.
fn provoke(kind: Kind) -> Option<(&'static [u8], Option<&'static str>)> {
    let request = |b: &'static [u8]| Some((b, None));
    let response = |b: &'static [u8]| Some((b, Some("GET")));
    match kind {
        Kind::LfLineEnd => request(b"GET / HTTP/1.1\r\nHost: x\nAccept: */*\n\n"),
        Kind::BareCr => request(b"GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"),
        Kind::NoEmptyLine => response(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html>"),
        Kind::LeadingEmptyLine => request(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::RequestLineShape => request(b"GET /  HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::LowercaseMethod => request(b"get / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::UnknownMethod => request(b"FETCH / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::BadMethod => request(b"GE(T / HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::BadTarget => request(b"GET index.html HTTP/1.1\r\nHost: x\r\n\r\n"),
        Kind::BadVersion => request(b"GET / http/1.1\r\nHost: x\r\n\r\n"),
        Kind::StatusLineShape => response(b"200 OK\r\n\r\n"),
        Kind::NoStatusCode => response(b"HTTP/1.1 OK\r\n\r\n"),
        Kind::BadStatusCode => response(b"HTTP/1.1 2000 OK\r\n\r\n"),
        Kind::NoColon => request(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Type text/html\r\n\r\n"),
        Kind::SpaceBeforeColon => request(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        Kind::EmptyHeaderName => request(b"GET / HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n"),
        Kind::BadHeaderName => request(b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n"),
        Kind::ControlInValue => request(b"GET / HTTP/1.1\r\nHost: x\r\nAccept: a\x01b\r\n\r\n"),
        Kind::ObsoleteFolding => request(b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"),
        Kind::MissingHost => request(b"GET / HTTP/1.1\r\n\r\n"),
        Kind::DuplicateHost => request(b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
        Kind::BadHost => request(b"GET / HTTP/1.1\r\nHost: http://localhost:8000\r\n\r\n"),
        Kind::BadContentLength => {
            request(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\nx")
        }
        Kind::ConflictingContentLength => request(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
        ),
        Kind::DuplicateContentLength => request(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        ),
        Kind::LengthAndChunked => request(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\nx",
        ),
        Kind::UnsupportedTransferEncoding => {
            request(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")
        }
        Kind::TransferEncodingInHttp10 => request(
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        ),
        Kind::BodyTooShort => response(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nshort body"),
        Kind::BodyTooLong => response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nlonger"),
        Kind::BadChunk => response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        Kind::UnexpectedBody => request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nabcd"),
        // Declared for callers, never reported by the checker.
        Kind::Binary => None,
    }
}

const KINDS: [Kind; 33] = [
    Kind::LfLineEnd,
    Kind::BareCr,
    Kind::NoEmptyLine,
    Kind::LeadingEmptyLine,
    Kind::RequestLineShape,
    Kind::LowercaseMethod,
    Kind::UnknownMethod,
    Kind::BadMethod,
    Kind::BadTarget,
    Kind::BadVersion,
    Kind::StatusLineShape,
    Kind::NoStatusCode,
    Kind::BadStatusCode,
    Kind::NoColon,
    Kind::SpaceBeforeColon,
    Kind::EmptyHeaderName,
    Kind::BadHeaderName,
    Kind::ControlInValue,
    Kind::ObsoleteFolding,
    Kind::MissingHost,
    Kind::DuplicateHost,
    Kind::BadHost,
    Kind::BadContentLength,
    Kind::ConflictingContentLength,
    Kind::DuplicateContentLength,
    Kind::LengthAndChunked,
    Kind::UnsupportedTransferEncoding,
    Kind::TransferEncodingInHttp10,
    Kind::BodyTooShort,
    Kind::BodyTooLong,
    Kind::BadChunk,
    Kind::UnexpectedBody,
    Kind::Binary,
];

fn problems_of(bytes: &[u8], method: Option<&str>) -> Vec<sockspec_http::Problem> {
    match method {
        None => check_request(bytes).problems().to_vec(),
        Some(m) => check_response(bytes, Some(m), true).problems().to_vec(),
    }
}

/// Every problem reads in Chinese too: a sentence with Chinese of its
/// own in it (not only the student's bytes it quotes, which the English
/// quotes as well), rendered like Display (line, warning).
fn assert_chinese(p: &sockspec_http::Problem) {
    assert!(
        p.message_zh
            .chars()
            .any(|c| is_cjk(c) && !p.message.contains(c)),
        "{:?}: {:?}",
        p.kind,
        p.message_zh
    );
    assert_eq!(p.text(false), p.to_string());
    let zh = p.text(true);
    match p.line {
        Some(l) => assert!(zh.starts_with(&format!("第 {l} 行：")), "{zh}"),
        None => assert!(!zh.starts_with('第'), "{zh}"),
    }
    assert_eq!(zh.ends_with("（警告）"), !p.is_error(), "{zh}");
}

#[test]
fn every_kind_of_problem_is_written_in_chinese_too() {
    let mut provoked = 0;
    for kind in KINDS {
        let Some((bytes, method)) = provoke(kind) else {
            continue;
        };
        let problems = problems_of(bytes, method);
        assert!(
            problems.iter().any(|p| p.kind == kind),
            "{kind:?} not provoked by {:?}: {problems:?}",
            String::from_utf8_lossy(bytes)
        );
        problems.iter().for_each(assert_chinese);
        provoked += 1;
    }
    assert_eq!(provoked, KINDS.len() - 1, "all but Binary");
}

#[test]
fn every_wording_of_a_problem_is_written_in_chinese_too() {
    // The branches inside one kind: each LF line, each version hint, each
    // Host sentence, lists of lengths, bodies after HEAD and 204, chunks.
    let requests: &[&[u8]] = &[
        b"GET / HTTP/1.1\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n\n",
        b"GET / HTTP/1.1\nHost: x\n\n",
        b"GET / HTTP/2\r\nHost: x\r\n\r\n",
        b"GET / HTTP1.1\r\nHost: x\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nHost: c\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12, 12\r\n\r\nx",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1,2\r\n\r\nx",
    ];
    let responses: &[(&[u8], &str)] = &[
        (b"HTTP/1.1 200 OK\nServer: s\n\n", "GET"),
        (b"HTTP/1.1 0200 OK\r\n\r\n", "GET"),
        (b"HTTP/1.1 200 O\x01K\r\n\r\n", "GET"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "HEAD"),
        (b"HTTP/1.1 204 No Content\r\n\r\nhello", "GET"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
            "GET",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "GET",
        ),
    ];
    let hosts = [
        "http://localhost:8000",
        "localhost:8000/index.html",
        "https://user:pw@example.com/a?b=1",
        "127.0.0.1:8000?x",
        "/index.html",
        "localhost 8000",
        "localhost:abc",
        ":8000",
        ":",
        "::1",
        "[::1:80",
        "[localhost]:80",
        "[::1]80",
        "[::1]:x",
        "[::g]",
        "local<host>",
        "100%.com",
        "例子.com",
    ];
    let mut all: Vec<sockspec_http::Problem> = Vec::new();
    for bytes in requests {
        all.extend(problems_of(bytes, None));
    }
    for (bytes, method) in responses {
        all.extend(problems_of(bytes, Some(method)));
    }
    for h in hosts {
        let found = problems_of(
            format!("GET / HTTP/1.1\r\nHost: {h}\r\n\r\n").as_bytes(),
            None,
        );
        assert!(found.iter().any(|p| p.kind == Kind::BadHost), "{h}");
        all.extend(found);
    }
    assert!(all.len() >= requests.len() + responses.len() + hosts.len());
    all.iter().for_each(assert_chinese);
}

#[test]
fn problems_render_in_either_language() {
    let c = check_request(b"GET / HTTP/1.1\r\nHost: x\nAccept: */*\n\n");
    let p = &c.problems()[0];
    assert_eq!(
        p.text(false),
        "line 2: header line ends with LF, HTTP needs CRLF (\\r\\n) (3 lines in all)"
    );
    assert_eq!(
        p.text(true),
        "第 2 行：头部行以 LF 结尾，HTTP 要求 CRLF（\\r\\n），一共有 3 行是这样"
    );
    let c = check_request(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\ncontent-length:2\r\n\r\nhi",
    );
    assert_eq!(
        c.problems()[0].text(true),
        "第 4 行：Content-Length 发送了两次（另一次在第 3 行），值相同：可以容忍，但只应发送一次（警告）"
    );
    let c = check_request(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(
        c.problems()[0].text(true),
        "HTTP/1.1 请求缺少 Host：加一行头部，例如 \"Host: 127.0.0.1:8000\""
    );
    let c = host("Host: https://user:pw@example.com/a?b=1");
    assert_eq!(
        c.problems()[0].text(true),
        "第 2 行：Host 的值是 \"https://user:pw@example.com/a?b=1\"：Host 只写主机和端口（example.com），不要带上 \"https://\"、用户信息部分 \"user:pw@\" 和路径 \"/a?b=1\""
    );
}

#[test]
fn every_reason_for_an_incomplete_message_is_said_in_both_languages() {
    use sockspec_http::{Incomplete, incomplete, why_incomplete};
    /// Bytes, is_response, the request's method, the reason, and its
    /// English word for word.
    type Case<'a> = (&'a [u8], bool, Option<&'a str>, Incomplete, &'a str);
    let cases: [Case; 7] = [
        (
            b"",
            true,
            Some("GET"),
            Incomplete::NothingCame,
            "nothing came",
        ),
        (
            b"HTTP/1.1 200 OK\r\nServer: s\r\n",
            true,
            Some("GET"),
            Incomplete::HeadNeverEnded,
            "no empty line after the headers: the head never ended",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nname=alice",
            false,
            None,
            Incomplete::BodyShort {
                declared: 12,
                came: 10,
            },
            "Content-Length says 12, but only 10 bytes of body came",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            true,
            Some("GET"),
            Incomplete::ChunkedNeverEnded,
            "the chunked body never ended: the last chunk is \"0\\r\\n\\r\\n\"",
        ),
        (
            b"HTTP/1.1 200 OK\r\n\r\n<html>",
            true,
            Some("GET"),
            Incomplete::NoLengthStayedOpen,
            "the response has no Content-Length, so its body ends only when the connection closes, and it stayed open",
        ),
        (
            b"HTTP/1.1 200 OK\r\n\r\n",
            true,
            Some("HEAD"),
            Incomplete::StoppedEarly,
            "the message stopped before it was whole",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
            false,
            None,
            Incomplete::StoppedEarly,
            "the message stopped before it was whole",
        ),
    ];
    for (bytes, is_response, method, want, en) in cases {
        let got = incomplete(bytes, is_response, method);
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(bytes));
        assert_eq!(why_incomplete(bytes, is_response, method), en);
        assert_eq!(got.text(false), en);
    }
    // Every variant, the unreachable-by-bytes HeadUnparsable included.
    for reason in [
        Incomplete::NothingCame,
        Incomplete::HeadNeverEnded,
        Incomplete::HeadUnparsable,
        Incomplete::BodyShort {
            declared: 12,
            came: 10,
        },
        Incomplete::ChunkedNeverEnded,
        Incomplete::NoLengthStayedOpen,
        Incomplete::StoppedEarly,
    ] {
        let (en, zh) = (reason.text(false), reason.text(true));
        assert!(!en.is_empty() && !has_cjk(&en), "{reason:?}: {en}");
        assert!(has_cjk(&zh), "{reason:?}: {zh}");
        assert_ne!(en, zh);
    }
    assert_eq!(
        Incomplete::HeadUnparsable.text(false),
        "the head never ended"
    );
    assert_eq!(
        Incomplete::BodyShort {
            declared: 12,
            came: 10
        }
        .text(true),
        "Content-Length 是 12，但只收到了 10 字节的正文"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the bytes, every problem found has its Chinese.
    #[test]
    fn every_problem_found_has_its_chinese(
        request in valid_request(),
        how: u8,
        at: usize,
        host in broken_host(),
        bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let broken = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let mutated = mutate(&request, how, at);
        for bytes in [&mutated[..], broken.as_bytes(), &bytes] {
            for p in check_request(bytes).problems() {
                assert_chinese(p);
            }
            for method in ["GET", "HEAD"] {
                for p in check_response(bytes, Some(method), true).problems() {
                    assert_chinese(p);
                }
            }
            prop_assert!(has_cjk(&sockspec_http::incomplete(bytes, true, Some("GET")).text(true)));
        }
    }
}
