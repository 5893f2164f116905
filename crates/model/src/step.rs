//! The steps of a scenario: what the harness does or expects, one typed
//! value each, with the facts about a step that more than one crate needs
//! (the roles it fits, whether it waits on the program, the connection it
//! uses) as methods, so that each has one owner.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::contract::Role;

pub use args::{
    BodyLength, BroadcastStep, ExpectBroadcastStep, ExpectExitStep, ExpectMessageStep,
    ExpectPrintedStep, ExpectReplyStep, ExpectRequestStep, ExpectResponseStep, Expected, ReplyStep,
    RequestStep, RespondStep, SendStep,
};

mod args;

/// A step and where it was written.
#[derive(Clone, Debug)]
pub struct StepAt {
    /// The step itself.
    pub step: Step,
    /// 1-based line in the scenario file.
    pub line: u64,
    /// 1-based column in the scenario file.
    pub column: u64,
}

/// The name a scenario gives one of the harness's connections.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ConnName(pub String);

impl fmt::Display for ConnName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One thing the harness does or expects.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Open a TCP connection to the target under this name.
    Connect(ConnName),
    /// Write one or more messages, framed by the contract, in chosen pieces.
    Send(SendStep),
    /// Read replies to the messages sent so far and judge them by the reply rule.
    ExpectReply(ExpectReplyStep),
    /// The target closes the connection: recv gives b'' with nothing before it.
    ExpectEof(ConnName),
    /// The connection is reset by the target.
    ExpectReset(ConnName),
    /// After the harness closed this connection, the target closes its end
    /// too (its socket leaves CLOSE_WAIT): a server that never does leaks a
    /// socket per client.
    ExpectClosed(ConnName),
    /// Shut down the write half: the target's recv gives b''.
    Shutdown(ConnName),
    /// Close the connection normally (FIN).
    Close(ConnName),
    /// Close the connection with RST (SO_LINGER 0): the client vanishes.
    Abort(ConnName),
    /// The target process is still running.
    ExpectAlive,
    /// The target process has exited (with this code, if given).
    ExpectExit(ExpectExitStep),
    /// Kill the target's whole process group with SIGKILL.
    Kill,
    /// Start the target again on the same port and wait until it is ready.
    Restart,
    /// Start the target now (without this step it starts before the first
    /// step, once the harness's own sockets for the role are in place).
    Start,
    /// Type a line on the target's stdin (a newline is added).
    Stdin(String),
    /// Type the contract's quit line on the target's stdin.
    Quit,
    /// Close the target's stdin: end of input.
    CloseStdin,
    /// Accept a connection from the target on the harness's listening socket.
    Accept(ConnName),
    /// Open a UDP socket of the harness's own (a client of a UDP server).
    Udp(ConnName),
    /// Receive a message the target sends (on a connection, or on the
    /// harness's UDP server socket when `from` is left out).
    ExpectMessage(ExpectMessageStep),
    /// Answer the messages received from the target, by the reply rule.
    Reply(ReplyStep),
    /// The target prints this text, or the replies it was sent, on stdout.
    ExpectPrinted(ExpectPrintedStep),
    /// Nothing on the target's stderr looks like a Python traceback.
    ExpectNoTraceback,
    /// Every one of the harness's broadcast receivers gets datagrams.
    ExpectBroadcast(ExpectBroadcastStep),
    /// Send a datagram to the broadcast address and the target's port.
    Broadcast(BroadcastStep),
    /// Bind a broadcast receiver of the harness's own to the target's port
    /// (SO_REUSEADDR) before the target starts: the port is shared.
    BindBeside,
    /// Write an HTTP request (http-server), in chosen pieces.
    Request(RequestStep),
    /// Read one whole HTTP response and check its format, status and body.
    ExpectResponse(ExpectResponseStep),
    /// Read one whole HTTP request from the target (http-client) and check its format.
    ExpectRequest(ExpectRequestStep),
    /// Answer the target's request with an HTTP response.
    Respond(RespondStep),
}

impl Step {
    /// The connection the step acts on, if any.
    pub fn conn(&self) -> Option<&ConnName> {
        match self {
            Step::Connect(c)
            | Step::ExpectEof(c)
            | Step::ExpectReset(c)
            | Step::Shutdown(c)
            | Step::Close(c)
            | Step::Abort(c) => Some(c),
            Step::Send(s) => Some(&s.to),
            Step::ExpectReply(e) => Some(&e.from),
            Step::Accept(c) | Step::Udp(c) => Some(c),
            Step::ExpectMessage(e) => e.from.as_ref(),
            Step::Reply(r) => r.to.as_ref(),
            Step::Request(r) => Some(&r.to),
            Step::ExpectResponse(e) => Some(&e.from),
            Step::ExpectRequest(e) => Some(&e.from),
            Step::Respond(r) => Some(&r.to),
            _ => None,
        }
    }

    /// Every step keyword, in the order a role's list of them is shown.
    pub const KEYWORDS: [&'static str; 30] = [
        "connect",
        "expect_closed",
        "send",
        "expect_reply",
        "expect_eof",
        "expect_reset",
        "shutdown",
        "close",
        "abort",
        "start",
        "kill",
        "restart",
        "expect_alive",
        "expect_exit",
        "expect_printed",
        "expect_no_traceback",
        "accept",
        "expect_message",
        "reply",
        "stdin",
        "quit",
        "close_stdin",
        "udp",
        "expect_broadcast",
        "broadcast",
        "bind_beside",
        "request",
        "expect_response",
        "expect_request",
        "respond",
    ];

    /// Whether the step fits scenarios of `role`: the harness plays the
    /// other end, so a tcp-client scenario accepts rather than connects.
    pub fn fits(&self, role: Role) -> bool {
        Self::keyword_fits(self.keyword(), role)
    }

    /// [`Step::fits`] by keyword, for listing a role's steps.
    pub fn keyword_fits(keyword: &str, role: Role) -> bool {
        use Role::*;
        match keyword {
            // The program itself: started, killed, watched, read.
            "start"
            | "kill"
            | "expect_alive"
            | "expect_exit"
            | "expect_printed"
            | "expect_no_traceback" => true,
            // Only a program that binds a port of its own comes back on it.
            "restart" => matches!(role, TcpServer | UdpServer | BroadcastReceiver),
            "connect" => matches!(role, TcpServer | HttpServer),
            "accept" => matches!(role, TcpClient | HttpClient),
            "expect_closed" => role == TcpServer,
            "send" | "expect_reply" => matches!(role, TcpServer | UdpServer),
            "udp" => role == UdpServer,
            "expect_eof" => matches!(role, TcpServer | TcpClient | HttpServer),
            "expect_reset" | "shutdown" => matches!(role, TcpServer | TcpClient),
            "close" | "abort" => matches!(role, TcpServer | TcpClient | HttpServer | HttpClient),
            "expect_message" | "reply" => matches!(role, TcpClient | UdpClient),
            "stdin" | "quit" | "close_stdin" => role.reads_stdin(),
            "expect_broadcast" => role == BroadcastSender,
            "broadcast" | "bind_beside" => role == BroadcastReceiver,
            "request" | "expect_response" => role == HttpServer,
            "expect_request" | "respond" => role == HttpClient,
            _ => false,
        }
    }

    /// The keywords of the steps that fit `role`.
    pub fn keywords_for(role: Role) -> Vec<&'static str> {
        Self::KEYWORDS
            .into_iter()
            .filter(|k| Self::keyword_fits(k, role))
            .collect()
    }

    /// Whether the step waits for the program to do something (reply,
    /// close, connect, print, exit...), rather than doing something itself.
    pub fn waits_on_program(&self) -> bool {
        matches!(
            self,
            Step::ExpectReply(_)
                | Step::ExpectEof(_)
                | Step::ExpectReset(_)
                | Step::ExpectClosed(_)
                | Step::ExpectMessage(_)
                | Step::ExpectPrinted(_)
                | Step::ExpectExit(_)
                | Step::ExpectBroadcast(_)
                | Step::ExpectRequest(_)
                | Step::ExpectResponse(_)
                | Step::Accept(_)
        )
    }

    /// What the step costs a correct program, in milliseconds, for
    /// scheduling the longest scenarios first: a bound, not the wait.
    pub fn expected_cost_ms(&self) -> u64 {
        match self {
            Step::ExpectMessage(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectRequest(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectResponse(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::ExpectBroadcast(e) => 20 + e.within_ms.unwrap_or(0) / 4,
            Step::Send(send) => 5 + send.pause.as_millis() as u64 * send.chunks.len() as u64,
            Step::Request(r) => 5 + r.pause_ms * r.chunks.len().max(1) as u64,
            Step::Respond(r) => 5 + r.pause_ms * r.chunks.len().max(1) as u64,
            Step::Kill | Step::Restart | Step::Start => 50,
            _ => 5,
        }
    }

    /// The step's keyword, as written in YAML.
    pub fn keyword(&self) -> &'static str {
        match self {
            Step::Connect(_) => "connect",
            Step::Send(_) => "send",
            Step::ExpectReply(_) => "expect_reply",
            Step::ExpectEof(_) => "expect_eof",
            Step::ExpectReset(_) => "expect_reset",
            Step::ExpectClosed(_) => "expect_closed",
            Step::Shutdown(_) => "shutdown",
            Step::Close(_) => "close",
            Step::Abort(_) => "abort",
            Step::ExpectAlive => "expect_alive",
            Step::ExpectExit(_) => "expect_exit",
            Step::Kill => "kill",
            Step::Restart => "restart",
            Step::Start => "start",
            Step::Stdin(_) => "stdin",
            Step::Quit => "quit",
            Step::CloseStdin => "close_stdin",
            Step::Accept(_) => "accept",
            Step::Udp(_) => "udp",
            Step::ExpectMessage(_) => "expect_message",
            Step::Reply(_) => "reply",
            Step::ExpectPrinted(_) => "expect_printed",
            Step::ExpectNoTraceback => "expect_no_traceback",
            Step::ExpectBroadcast(_) => "expect_broadcast",
            Step::Broadcast(_) => "broadcast",
            Step::BindBeside => "bind_beside",
            Step::Request(_) => "request",
            Step::ExpectResponse(_) => "expect_response",
            Step::ExpectRequest(_) => "expect_request",
            Step::Respond(_) => "respond",
        }
    }
}

/// Bytes that print as text when they are text, and as hex when they are not.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => {
                f.write_str("hex ")?;
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword is listed once and fits some role: a step added to
    /// the enum but not to the list (or to no role) is caught here.
    #[test]
    fn every_keyword_fits_a_role_and_is_listed_once() {
        for (i, k) in Step::KEYWORDS.iter().enumerate() {
            assert!(!Step::KEYWORDS[..i].contains(k), "{k} listed twice");
            assert!(
                Role::ALL.iter().any(|&r| Step::keyword_fits(k, r)),
                "{k} fits no role"
            );
        }
        // The program's own steps fit every role.
        for r in Role::ALL {
            assert!(Step::keywords_for(r).contains(&"start"), "{r}");
        }
    }
}
