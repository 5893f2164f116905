//! The harness's HTTP: writing a request in pieces and noticing a server
//! that answers before the request is whole, and reading a response or a
//! request until the message itself says it is complete.
//!
//! Completeness and correctness both come from the format checker, so the
//! harness never reads a message differently from how it judges it: a head
//! that ends in bare LF still ends, and is then named for its LF.

use std::time::Duration;

use sockspec_http::{Checked, Problem, check_request, check_response};
use sockspec_model::{Bytes, Contract, ExpectRequestStep, ExpectResponseStep};
use tokio::time::Instant;

use crate::Timing;
use crate::conn::{Conn, StepFailure};
use crate::exec::{split, wait_consumed};

/// Which message the harness is writing, for what an early answer means.
#[derive(Clone, Copy)]
pub(crate) enum Writing {
    Request,
    Response,
}

/// Writes a message piece by piece. After each piece but the last has been
/// read by the target (and the pause), the target must still be silent: a
/// server that answers, or a client that closes, has acted on part of a
/// message.
pub(crate) async fn send_pieces(
    conn: &mut Conn,
    bytes: &[u8],
    chunks: &[usize],
    pause: Duration,
    timing: Timing,
    writing: Writing,
) -> Result<(), StepFailure> {
    let head_end = sockspec_http::head_end(bytes).unwrap_or(bytes.len());
    let mut sent = 0;
    for piece in split(bytes, chunks) {
        if sent > 0 && conn.target_spoke() {
            // A server may refuse a request before its body has come (RFC
            // 9110 §15.5: 501 for a method it does not implement, 413, 405):
            // a whole error response, valid HTTP. The body is not sent; the
            // response is judged by the next step.
            if matches!(writing, Writing::Request)
                && sent >= head_end
                && refused(&conn.peek_unread().await)
            {
                return Ok(());
            }
            let message = match writing {
                Writing::Request => {
                    let missing = if sent < head_end {
                        "the head was not over: a server reads until the empty line (\\r\\n\\r\\n) that ends it, however many recv calls that takes"
                    } else {
                        "the body was still on its way: after the head, a server reads Content-Length more bytes"
                    };
                    format!(
                        "the server answered (or closed) after {sent} of the request's {} bytes: {missing}",
                        bytes.len()
                    )
                }
                Writing::Response => format!(
                    "the client closed the connection after {sent} of the response's {} bytes: it stopped reading too soon; read until Content-Length bytes of body have come, or until the server closes",
                    bytes.len()
                ),
            };
            return Err(StepFailure {
                message,
                sent: Some(Bytes(bytes[..sent].to_vec())),
                expected: Some("the target to wait for the whole message".into()),
                ..Default::default()
            });
        }
        conn.write(piece, Instant::now() + timing.reply()).await?;
        sent += piece.len();
        if sent < bytes.len() {
            wait_consumed(conn, Instant::now() + timing.consumed()).await;
            if !pause.is_zero() {
                tokio::time::sleep(timing.pause(pause)).await;
            }
        }
    }
    Ok(())
}

/// Whether `bytes` are a whole, well-formed error response (4xx or 5xx).
fn refused(bytes: &[u8]) -> bool {
    let checked = check_response(bytes, None, false);
    checked.is_ok() && matches!(&checked, Checked::Complete(r, _) if r.status >= 400)
}

fn limit(within_ms: Option<u64>, timing: Timing) -> Duration {
    within_ms
        .map(|ms| timing.pause(Duration::from_millis(ms)))
        .unwrap_or_else(|| timing.reply())
}

/// A read that stopped with part of a message: say what was missing
/// (the empty line, or the rest of a Content-Length body).
fn explained(mut f: StepFailure, response: bool, method: Option<&str>) -> StepFailure {
    // Only after part of a response: a reset with nothing before it is a
    // server that died or refused, which its own evidence tells.
    if f.reset && response && f.received.is_some() {
        // What a server's close() does with bytes of the request it never
        // read: a reset, which can cost the client the response.
        f.message = format!(
            "{}: a reset here usually means the server closed the connection with bytes of the request still unread (its recv did not take the whole request), and such a close() sends a reset (RST) instead of the end of the stream; read the request to its empty line before answering",
            f.message
        );
        return f;
    }
    if let Some(seen) = &f.received {
        let why = sockspec_http::why_incomplete(&seen.0, response, method);
        f.message = format!("{}; {why}", f.message);
    }
    f
}

/// One line per problem, indented under the message.
fn listed(problems: &[Problem]) -> String {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| format!("\n  {p}"))
        .collect()
}

/// Reads one whole response to a `method` request for `path` and judges
/// its format, then its status and body by the step or the contract.
pub(crate) async fn expect_response(
    conn: &mut Conn,
    method: &str,
    path: &str,
    step: &ExpectResponseStep,
    contract: &Contract,
    timing: Timing,
) -> Result<u16, StepFailure> {
    let limit = limit(step.within_ms, timing);
    let (bytes, closed) = conn
        .read_until(Instant::now() + limit, limit, "an HTTP response", |b| {
            !matches!(check_response(b, Some(method), false), Checked::Incomplete)
        })
        .await
        .map_err(|f| explained(f, true, Some(method)))?;
    if bytes.is_empty() {
        return Err(StepFailure::new(
            "the server closed the connection without sending a response",
        ));
    }
    let received = Some(Bytes(bytes.clone()));
    let malformed = |problems: &[Problem]| StepFailure {
        message: format!("the response is not well-formed HTTP:{}", listed(problems)),
        expected: Some(
            "a status line, header lines, each ending in \\r\\n, an empty line, then the body"
                .into(),
        ),
        received: received.clone(),
        ..Default::default()
    };
    let response = match check_response(&bytes, Some(method), closed) {
        Checked::Complete(_, problems) if problems.iter().any(Problem::is_error) => {
            return Err(malformed(&problems));
        }
        Checked::Complete(r, _) => r,
        Checked::Invalid(problems) => return Err(malformed(&problems)),
        Checked::Incomplete => {
            return Err(StepFailure {
                message: "the response was cut short: the connection closed before it was complete"
                    .into(),
                received,
                ..Default::default()
            });
        }
    };
    // A page rule says what GET (and HEAD) of a path answers; a server may
    // take other methods or refuse them (501, 405) as it likes. The rule is
    // the grader's word about this very path, so it wins over the status
    // the scenario expects of a page server in general.
    let page = contract
        .page(path)
        .filter(|_| matches!(method, "GET" | "HEAD"));
    let status = page.map(|p| p.status).or(step.status);
    if let Some(want) = status
        && response.status != want
    {
        return Err(StepFailure {
            message: format!(
                "{method} {path} was answered with status {}, the assignment wants {want}",
                response.status
            ),
            expected: Some(format!("status {want}")),
            received,
            ..Default::default()
        });
    }
    // A page's body rule says nothing about HEAD, whose answer has no body.
    let body_rule = step.body.as_deref().or(page
        .filter(|_| method != "HEAD")
        .and_then(|p| p.body.as_deref()));
    if let Some(rule) = body_rule {
        let re = regex::bytes::Regex::new(rule)
            .map_err(|e| StepFailure::new(format!("bad body regex {rule:?}: {e}")))?;
        if !re.is_match(&response.body) {
            return Err(StepFailure {
                message: format!("the body of {method} {path} does not match {rule:?}"),
                expected: Some(format!("a body matching {rule:?}")),
                received: Some(Bytes(response.body.clone())),
                ..Default::default()
            });
        }
    }
    Ok(response.status)
}

/// Reads one whole request from the target and judges its format.
pub(crate) async fn expect_request(
    conn: &mut Conn,
    step: &ExpectRequestStep,
    timing: Timing,
) -> Result<(), StepFailure> {
    let limit = limit(step.within_ms, timing);
    let result = conn
        .read_until(Instant::now() + limit, limit, "an HTTP request", |b| {
            !matches!(check_request(b), Checked::Incomplete)
        })
        .await;
    let (bytes, _closed) = result.map_err(|f| explained(f, false, None))?;
    if bytes.is_empty() {
        return Err(StepFailure::new(
            "the client closed the connection without sending a request",
        ));
    }
    let received = Some(Bytes(bytes.clone()));
    let request = match check_request(&bytes) {
        Checked::Complete(r, problems) if !problems.iter().any(Problem::is_error) => r,
        Checked::Complete(_, problems) | Checked::Invalid(problems) => {
            return Err(StepFailure {
                message: format!("the request is not well-formed HTTP:{}", listed(&problems)),
                expected: Some(
                    "a request line (METHOD /path HTTP/1.1), header lines (Host first), each ending in \\r\\n, an empty line, then the body".into(),
                ),
                received,
                ..Default::default()
            });
        }
        Checked::Incomplete => {
            return Err(StepFailure {
                message: "the request was cut short: the connection closed before it was complete"
                    .into(),
                received,
                ..Default::default()
            });
        }
    };
    if let Some(want) = &step.method
        && &request.method != want
    {
        return Err(StepFailure {
            message: format!(
                "the request uses {}, the assignment wants {want}",
                request.method
            ),
            received,
            ..Default::default()
        });
    }
    Ok(())
}
