//! HTTP steps, and the harness's HTTP: writing a request in pieces and noticing a server
//! that answers before the request is whole, and reading a response or a
//! request until the message itself says it is complete.
//!
//! Completeness and correctness both come from the format checker, so the
//! harness never reads a message differently from how it judges it: a head
//! that ends in bare LF still ends, and is then named for its LF.

use std::time::Duration;

use tokio::time::Instant;

use crate::conn::{Conn, StepFailure};

use crate::Timing;
use crate::run::{Peer, Run};
use crate::steps::{split, wait_consumed};
use sockspec_http::{Checked, Problem, check_request, check_response};
use sockspec_model::{
    Bytes, Contract, ExpectRequestStep, ExpectResponseStep, RequestStep, RespondStep,
};
use sockspec_results::HttpMessage;
use sockspec_results::{Expectation, Mismatch, ScenarioBug};

impl Run<'_> {
    pub(crate) async fn request(&mut self, r: &RequestStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let r = &r.for_contract(&self.program.contract);
        let bytes = request_bytes(r, &self.addr.to_string());
        let (method, path) = match &r.raw {
            Some(raw) => {
                let mut words = raw.split_whitespace();
                let method = words.next().unwrap_or_default().to_owned();
                (method, words.next().unwrap_or_default().to_owned())
            }
            None => (r.method.clone(), r.path.clone()),
        };
        self.requests.insert(r.to.clone(), (method, path));
        let pause = Duration::from_millis(r.pause_ms);
        let chunks = match sockspec_http::head_end(&bytes) {
            Some(head) if r.split_body && r.chunks.is_empty() => vec![head],
            _ => r.chunks.clone(),
        };
        let reader = self.target_pid();
        let conn = self.conn(&r.to)?;
        crate::steps::send_pieces(
            conn,
            &bytes,
            &chunks,
            pause,
            timing,
            reader,
            crate::steps::Writing::Request,
        )
        .await
    }

    pub(crate) async fn expect_response(
        &mut self,
        e: &ExpectResponseStep,
    ) -> Result<(), StepFailure> {
        let timing = self.timing;
        let (method, path) = self
            .requests
            .get(&e.from)
            .cloned()
            .unwrap_or_else(|| ("GET".into(), "/".into()));
        let contract = &self.program.contract;
        let Some(Peer::Tcp(conn)) = self.peers.get_mut(&e.from) else {
            return Err(StepFailure::bug(ScenarioBug::NotOpen(e.from.0.clone())));
        };
        read_response(conn, &method, &path, e, contract, timing)
            .await
            .map(drop)
    }

    pub(crate) async fn expect_request(
        &mut self,
        e: &ExpectRequestStep,
    ) -> Result<(), StepFailure> {
        let timing = self.timing;
        let conn = self.conn(&e.from)?;
        read_request(conn, e, timing).await
    }

    pub(crate) async fn respond(&mut self, r: &RespondStep) -> Result<(), StepFailure> {
        let timing = self.timing;
        let bytes = response_bytes(r);
        let pause = Duration::from_millis(r.pause_ms);
        let reader = self.target_pid();
        let conn = self.conn(&r.to)?;
        let writing = crate::steps::Writing::Response;
        crate::steps::send_pieces(conn, &bytes, &r.chunks, pause, timing, reader, writing).await?;
        // Every response ends the connection (Connection: close), so
        // a client that reads until b'' is never left waiting.
        if let Some(Peer::Tcp(conn)) = self.peers.remove(&r.to) {
            conn.close().await;
        }
        Ok(())
    }
}

/// Which message the harness is writing, for what an early answer means.
#[derive(Clone, Copy)]
pub(crate) enum Writing {
    Request,
    Response,
}

/// Writes a message piece by piece (`reader`: the target's pid, to tell it
/// is reading; see [`wait_consumed`]). After each piece but the last has been
/// read by the target (and the pause), the target must still be silent: a
/// server that answers, or a client that closes, has acted on part of a
/// message.
pub(crate) async fn send_pieces(
    conn: &mut Conn,
    bytes: &[u8],
    chunks: &[usize],
    pause: Duration,
    timing: Timing,
    reader: Option<i32>,
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
            let mismatch = match writing {
                Writing::Request => Mismatch::AnsweredEarly {
                    sent,
                    total: bytes.len(),
                    head_over: sent >= head_end,
                },
                Writing::Response => Mismatch::ClosedEarly {
                    sent,
                    total: bytes.len(),
                },
            };
            return Err(StepFailure {
                sent: Some(Bytes(bytes[..sent].to_vec())),
                expected: Some(Expectation::WholeMessage),
                ..StepFailure::new(mismatch)
            });
        }
        conn.write(piece, Instant::now() + timing.reply()).await?;
        sent += piece.len();
        if sent < bytes.len() {
            wait_consumed(conn, Instant::now() + timing.consumed(), reader).await;
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
fn explained(f: StepFailure, response: bool, method: Option<&str>) -> StepFailure {
    // Only after part of a response: a reset with nothing before it is a
    // server that died or refused, which its own evidence tells.
    if f.reset && response && f.received.is_some() {
        // What a server's close() does with bytes of the request it never
        // read: a reset, which can cost the client the response.
        return f.map(|m| Mismatch::ResetUnread(Box::new(m)));
    }
    match f.received.clone() {
        Some(seen) => {
            let why = sockspec_http::incomplete(&seen.0, response, method);
            f.map(|m| Mismatch::Incomplete {
                inner: Box::new(m),
                why,
            })
        }
        None => f,
    }
}

/// The errors among a checker's problems (warnings are not why a message fails).
fn errors(problems: &[Problem]) -> Vec<Problem> {
    problems.iter().filter(|p| p.is_error()).cloned().collect()
}

/// Reads one whole response to a `method` request for `path` and judges
/// its format, then its status and body by the step or the contract.
pub(crate) async fn read_response(
    conn: &mut Conn,
    method: &str,
    path: &str,
    step: &ExpectResponseStep,
    contract: &Contract,
    timing: Timing,
) -> Result<u16, StepFailure> {
    let limit = limit(step.within_ms, timing);
    let (bytes, closed) = conn
        .read_until(Instant::now() + limit, limit, HttpMessage::Response, |b| {
            !matches!(check_response(b, Some(method), false), Checked::Incomplete)
        })
        .await
        .map_err(|f| explained(f, true, Some(method)))?;
    if bytes.is_empty() {
        return Err(StepFailure::new(Mismatch::NoResponse));
    }
    let received = Some(Bytes(bytes.clone()));
    let malformed = |problems: &[Problem]| StepFailure {
        expected: Some(Expectation::HttpResponse),
        received: received.clone(),
        ..StepFailure::new(Mismatch::Malformed {
            what: HttpMessage::Response,
            problems: errors(problems),
        })
    };
    let response = match check_response(&bytes, Some(method), closed) {
        Checked::Complete(_, problems) if problems.iter().any(Problem::is_error) => {
            return Err(malformed(&problems));
        }
        Checked::Complete(r, _) => r,
        Checked::Invalid(problems) => return Err(malformed(&problems)),
        Checked::Incomplete => {
            return Err(StepFailure {
                received,
                ..StepFailure::new(Mismatch::HttpCut(HttpMessage::Response))
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
            expected: Some(Expectation::Status(want)),
            received,
            ..StepFailure::new(Mismatch::WrongStatus {
                method: method.to_owned(),
                path: path.to_owned(),
                got: response.status,
                want,
            })
        });
    }
    // A page's body rule says nothing about HEAD, whose answer has no body.
    let body_rule = step.body.as_deref().or(page
        .filter(|_| method != "HEAD")
        .and_then(|p| p.body.as_deref()));
    if let Some(rule) = body_rule {
        let re = regex::bytes::Regex::new(rule).map_err(|e| {
            StepFailure::bug(ScenarioBug::BadRegex {
                rule: rule.to_owned(),
                error: e.to_string(),
            })
        })?;
        if !re.is_match(&response.body) {
            return Err(StepFailure {
                expected: Some(Expectation::BodyMatching(rule.to_owned())),
                received: Some(Bytes(response.body.clone())),
                ..StepFailure::new(Mismatch::WrongBody {
                    method: method.to_owned(),
                    path: path.to_owned(),
                    rule: rule.to_owned(),
                })
            });
        }
    }
    Ok(response.status)
}

/// Reads one whole request from the target and judges its format.
pub(crate) async fn read_request(
    conn: &mut Conn,
    step: &ExpectRequestStep,
    timing: Timing,
) -> Result<(), StepFailure> {
    let limit = limit(step.within_ms, timing);
    let result = conn
        .read_until(Instant::now() + limit, limit, HttpMessage::Request, |b| {
            !matches!(check_request(b), Checked::Incomplete)
        })
        .await;
    let (bytes, _closed) = result.map_err(|f| explained(f, false, None))?;
    if bytes.is_empty() {
        return Err(StepFailure::new(Mismatch::NoRequest));
    }
    let received = Some(Bytes(bytes.clone()));
    let request = match check_request(&bytes) {
        Checked::Complete(r, problems) if !problems.iter().any(Problem::is_error) => r,
        Checked::Complete(_, problems) | Checked::Invalid(problems) => {
            return Err(StepFailure {
                expected: Some(Expectation::HttpRequest),
                received,
                ..StepFailure::new(Mismatch::Malformed {
                    what: HttpMessage::Request,
                    problems: errors(&problems),
                })
            });
        }
        Checked::Incomplete => {
            return Err(StepFailure {
                received,
                ..StepFailure::new(Mismatch::HttpCut(HttpMessage::Request))
            });
        }
    };
    if let Some(want) = &step.method
        && &request.method != want
    {
        return Err(StepFailure {
            received,
            ..StepFailure::new(Mismatch::WrongMethod {
                got: request.method.clone(),
                want: want.clone(),
            })
        });
    }
    Ok(())
}

/// The bytes of a request step, given the Host the program is reached at:
/// exactly the scenario's `raw` bytes, or the request its fields describe.
pub(crate) fn request_bytes(r: &RequestStep, host: &str) -> Vec<u8> {
    match &r.raw {
        Some(raw) => raw.as_bytes().to_vec(),
        None => {
            sockspec_http::write::request(&r.method, &r.path, host, &r.headers, r.body.as_deref())
        }
    }
}

/// The bytes of a respond step.
pub(crate) fn response_bytes(r: &RespondStep) -> Vec<u8> {
    use sockspec_http::write::BodyEnd;
    let end = match r.length {
        sockspec_model::BodyLength::ContentLength => BodyEnd::ContentLength,
        sockspec_model::BodyLength::Close => BodyEnd::Close,
        sockspec_model::BodyLength::Chunked => BodyEnd::Chunked,
    };
    sockspec_http::write::response(r.status, r.body.as_bytes(), end)
}
