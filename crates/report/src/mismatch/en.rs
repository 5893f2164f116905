//! Every failure in English: the one match over [`Mismatch`] that says
//! how each reads, apart from the Chinese so that each language reads
//! straight through, and so that adding a failure is an arm here and one
//! in `zh.rs`, both demanded by the compiler.

use std::time::Duration;

use sockspec_model::Framing;
use sockspec_results::{HttpMessage, Mismatch, Nth};

use super::io::{bug_en, io_en, seen};
use super::{Say, addrs, http, listen, nth, printed, says_how_it_ended, secs, unrunnable};
use crate::lang::Lang;

/// How a program ended, after its subject ("the target was killed by
/// signal 9", "it exited with code 1").
fn ended(e: sockspec_results::Ended, lang: Lang) -> String {
    match e {
        sockspec_results::Ended::Signal(_) => format!("was {}", super::ended(e, lang)),
        sockspec_results::Ended::Code(_) => super::ended(e, lang),
    }
}

impl Say {
    pub(super) fn en(self, m: &Mismatch) -> String {
        let lang = Lang::En;
        let w = |d: &Duration| self.within(*d);
        match m {
            Mismatch::NoProgram(role) => format!("no program to run for role {role}"),
            Mismatch::Unrunnable(u) => unrunnable(u, lang),
            Mismatch::AsIn { id, first } => format!("as in {id}: {}", self.en(first)),
            Mismatch::OverBudget(b) => format!(
                "the scenario did not finish within its time budget of {:.1} s; the program was stopped",
                b.as_secs_f64()
            ),
            Mismatch::Harness(why) => why.clone(),
            Mismatch::Flaky {
                passes,
                attempts,
                first,
            } => format!(
                "flaky: passed {passes} of {attempts} tries; the first failed: {}",
                self.en(first)
            ),
            Mismatch::Io { doing, error } => io_en(doing, error),
            Mismatch::Scenario(bug) => bug_en(bug),
            Mismatch::SpawnFailed {
                program,
                not_on_path,
                error,
            } => {
                let mut out = match program {
                    Some(p) => format!("the target could not be started: `{p}`: {error}"),
                    None => format!("the target could not be started: {error}"),
                };
                if *not_on_path {
                    out.push_str(" (not found on PATH)");
                }
                out
            }
            Mismatch::CommandNotRun(e) => format!(
                "the command could not be run: it {}, how a shell says a command was not found or cannot be executed",
                ended(*e, lang)
            ),
            Mismatch::EndedBeforeReady {
                ended: e,
                listen: l,
            } => {
                let (verb, port) = listen(*l, lang);
                format!("the target {} before it {verb} {port}", ended(*e, lang))
            }
            Mismatch::NotReady {
                listen: l,
                after,
                seen,
            } => {
                let (verb, port) = listen(*l, lang);
                let seen = seen.as_ref().map_or_else(
                    || "it has no socket there".to_owned(),
                    |s| self::seen(s, lang),
                );
                format!(
                    "the target had not {verb} {port} after {:.1} s: {seen}",
                    after.as_secs_f64()
                )
            }
            Mismatch::ReadyFailed(e) => format!("waiting for the target to be ready failed: {e}"),
            Mismatch::AfterRestart(inner) => format!("after the restart, {}", self.en(inner)),
            Mismatch::Meanwhile { inner, .. } if says_how_it_ended(inner) => self.en(inner),
            Mismatch::Meanwhile { inner, ended: e } => format!(
                "{} (the program {} meanwhile)",
                self.en(inner),
                e.map_or_else(|| "ended".to_owned(), |e| ended(e, lang))
            ),
            Mismatch::Stalled(inner) => format!(
                "{}: the program only waits (every thread blocked waiting on a socket or on its input, with nothing to read) and will not act, so the harness stopped waiting",
                Say {
                    within: false,
                    ..self
                }
                .en(inner)
            ),
            Mismatch::Refused(a) => format!("connection refused: nothing listens on {a} any more"),
            Mismatch::ResetOnConnect(a) => format!(
                "the connection to {a} was reset as it opened: the listening socket closed (did the target exit?)"
            ),
            Mismatch::ConnectTimeout { addr, within } => {
                format!(
                    "could not connect to {addr}{} (is the backlog full?)",
                    w(within)
                )
            }
            Mismatch::BrokenPipe => {
                "broken pipe: the target had already closed this connection".into()
            }
            Mismatch::ResetWhileWriting => {
                "connection reset by the target while the harness was writing".into()
            }
            Mismatch::StoppedReading => {
                "the target stopped reading: the harness could not write within the deadline".into()
            }
            Mismatch::NoConnection {
                addr,
                within,
                trying,
            } => {
                let mut out = format!("the target did not connect to {addr}{}", w(within));
                if !trying.is_empty() {
                    out.push_str(&format!(
                        "; it is trying to connect to {} (SYN_SENT), where nothing answers",
                        addrs(trying)
                    ));
                }
                out
            }
            Mismatch::Unframeable { nth: n, error } => {
                format!("{} cannot be framed: {error}", nth(*n, lang))
            }
            Mismatch::ClosedBeforeReply(n) => format!(
                "the target closed the connection before {} was complete",
                nth(*n, lang)
            ),
            Mismatch::ResetBeforeReply(n) => format!(
                "the connection was reset before {} was complete",
                nth(*n, lang)
            ),
            Mismatch::ResetBeforeAnyReply => {
                "the connection was reset before the reply arrived".into()
            }
            Mismatch::NoReply { nth: n, within } => match n {
                Nth::The => format!("no reply{}", w(within)),
                Nth::Of { i, n } => format!("no reply {i} of {n}{}", w(within)),
            },
            Mismatch::IncompleteReply {
                nth: n,
                within,
                framing,
            } => format!(
                "{} is incomplete after {}: {}",
                nth(*n, lang),
                secs(*within, lang),
                match framing {
                    Framing::Line => "the bytes that came have no \\n to end the message",
                    _ => "fewer bytes came than the length prefix announced",
                }
            ),
            Mismatch::IncompleteStream { within, got, want } => format!(
                "the reply is incomplete after {}: {got} of {want} bytes came",
                secs(*within, lang)
            ),
            Mismatch::NoMatchingReply(within) => {
                format!("no reply matching the contract{}", w(within))
            }
            Mismatch::WrongReply(n) => format!("{} is not what the contract says", nth(*n, lang)),
            Mismatch::ClosedWithoutReply => {
                "the target closed the connection without replying".into()
            }
            Mismatch::Unreachable(n) => format!(
                "{} never came: the datagram was refused (ICMP port unreachable), nothing is bound to the port any more",
                nth(*n, lang)
            ),
            Mismatch::SomeReplies { got, count, within } => format!(
                "only {got} of {count} replies came{} (each datagram needs its own reply)",
                w(within)
            ),
            Mismatch::NotTheLine => "the datagram is not the line that was typed".into(),
            Mismatch::NoDatagram(within) => format!("no datagram{}", w(within)),
            Mismatch::MessageUnframeable(e) => format!("the message cannot be framed: {e}"),
            Mismatch::ClosedInsteadOfMessage => {
                "the target closed the connection instead of sending the message".into()
            }
            Mismatch::ResetBeforeMessage => {
                "the connection was reset before the message came".into()
            }
            Mismatch::NoMessage(within) => format!("no message{}", w(within)),
            Mismatch::MessageIncomplete(within) => {
                format!("the message is incomplete after {}", secs(*within, lang))
            }
            Mismatch::SomethingElse => "the target sent something else".into(),
            Mismatch::BytesBeforeClose(n) => format!(
                "{n} more bytes came before the target closed the connection (one reply too many?)"
            ),
            Mismatch::ResetNotClosed => "the connection was reset instead of closed".into(),
            Mismatch::NotClosed { within, extra: 0 } => {
                format!("the target did not close the connection{}", w(within))
            }
            Mismatch::NotClosed { within, extra } => format!(
                "{extra} more bytes came and the target did not close the connection{}",
                w(within)
            ),
            Mismatch::ClosedNotReset => "the connection was closed normally, not reset".into(),
            Mismatch::NotReset(within) => format!("the connection was not reset{}", w(within)),
            Mismatch::CloseWait {
                after,
                name,
                program,
                harness,
            } => format!(
                "{:.1} s after the harness closed {name}, the program still had not closed its end ({program} ← {harness} is in CLOSE_WAIT)",
                after.as_secs_f64()
            ),
            Mismatch::NotRunning(e) => {
                format!("the target is no longer running: it {}", ended(*e, lang))
            }
            Mismatch::StillRunning(after) => format!(
                "the target was still running {:.1} s later",
                after.as_secs_f64()
            ),
            Mismatch::WrongExit { ended: e, want } => format!(
                "the target {}; the scenario expects exit code {want}",
                ended(*e, lang)
            ),
            Mismatch::Traceback => {
                "the target printed a traceback: an exception it did not handle".into()
            }
            Mismatch::EndedWithoutPrinting { ended: e, missing } => format!(
                "the target {} without printing {}",
                ended(*e, lang),
                printed(missing)
            ),
            Mismatch::NotPrinted { missing, within } => {
                format!("the target did not print {}{}", printed(missing), w(within))
            }
            Mismatch::NoBroadcast {
                receivers,
                port,
                within,
                sender,
            } => {
                let exited = match sender {
                    Some(e) => format!("; the sender {}", ended(*e, lang)),
                    None => String::new(),
                };
                format!(
                    "none of the harness's {receivers} receivers on port {port} (0.0.0.0, SO_REUSEADDR) got a datagram{}{exited}",
                    w(within)
                )
            }
            Mismatch::SomeBroadcast {
                receivers,
                port,
                counts,
                within,
            } => format!(
                "the harness's {receivers} receivers on port {port} (0.0.0.0, SO_REUSEADDR) got {counts:?} datagrams{}: a broadcast reaches every one of them, a datagram to one address reaches only one",
                w(within)
            ),
            Mismatch::HttpReset(what) => format!(
                "the connection was reset before {} was complete",
                http(*what, lang)
            ),
            Mismatch::NoHttp { what, within } => format!("no {}{}", http(*what, lang), w(within)),
            Mismatch::HttpStopped { what, within, got } => format!(
                "{}{} was not complete: {got} bytes came and then nothing",
                http(*what, lang),
                w(within)
            ),
            Mismatch::Incomplete { inner, why } => {
                format!("{}; {}", self.en(inner), why.text(false))
            }
            Mismatch::ResetUnread(inner) => format!(
                "{}: a reset here usually means the server closed the connection with bytes of the request still unread (its recv did not take the whole request), and such a close() sends a reset (RST) instead of the end of the stream; read the request to its empty line before answering",
                self.en(inner)
            ),
            Mismatch::AnsweredEarly {
                sent,
                total,
                head_over,
            } => {
                let missing = if *head_over {
                    "the body was still on its way: after the head, a server reads Content-Length more bytes"
                } else {
                    "the head was not over: a server reads until the empty line (\\r\\n\\r\\n) that ends it, however many recv calls that takes"
                };
                format!(
                    "the server answered (or closed) after {sent} of the request's {total} bytes: {missing}"
                )
            }
            Mismatch::ClosedEarly { sent, total } => format!(
                "the client closed the connection after {sent} of the response's {total} bytes: it stopped reading too soon; read until Content-Length bytes of body have come, or until the server closes"
            ),
            Mismatch::NoResponse => {
                "the server closed the connection without sending a response".into()
            }
            Mismatch::NoRequest => {
                "the client closed the connection without sending a request".into()
            }
            Mismatch::Malformed { what, problems } => {
                let what = match what {
                    HttpMessage::Request => "request",
                    HttpMessage::Response => "response",
                };
                let listed: String = problems.iter().map(|p| format!("\n  {p}")).collect();
                format!("the {what} is not well-formed HTTP:{listed}")
            }
            Mismatch::HttpCut(what) => format!(
                "the {} was cut short: the connection closed before it was complete",
                match what {
                    HttpMessage::Request => "request",
                    HttpMessage::Response => "response",
                }
            ),
            Mismatch::WrongStatus {
                method,
                path,
                got,
                want,
            } => format!(
                "{method} {path} was answered with status {got}, the assignment wants {want}"
            ),
            Mismatch::WrongBody { method, path, rule } => {
                format!("the body of {method} {path} does not match {rule:?}")
            }
            Mismatch::WrongMethod { got, want } => {
                format!("the request uses {got}, the assignment wants {want}")
            }
            Mismatch::PropertyAbort(why) => format!("the property could not be checked: {why}"),
            Mismatch::PropertyNoCase => {
                "the property failed without a failing case (a harness bug)".into()
            }
            Mismatch::PropertyPanicked => "the property runner panicked".into(),
            Mismatch::RestartFailed(inner) => format!(
                "the target died during an earlier case and could not be restarted: {}",
                self.en(inner)
            ),
            Mismatch::BaselineFailed(inner) => format!(
                "the request sent whole (to learn the expected answer) failed: {}",
                self.en(inner)
            ),
            Mismatch::PiecesStatus { got, want } => {
                format!("the request in pieces got status {got}; sent whole it got {want}")
            }
            Mismatch::Property(p) => self.property(p),
        }
    }
}
