//! A diagnosis in the JSON report: its facts under a `kind`, so that a
//! tool can count (the class's servers blocked in accept(), the C programs
//! killed by SIGPIPE), and its sentence in both languages (`text`). One
//! variant per kind of [`Diagnosis`], kept apart from the rest of the
//! document because it grows with every kind the runner learns to find.

use serde::Serialize;
use sockspec_model::Role;
use sockspec_results::{
    BindProblem, BlockedCall, Diagnosis, Language, LastSeen, Python2Sign, RoleSign, SocketView,
};

use super::{Text, millis};
use crate::diagnose;

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum DiagnosisJson<'a> {
    Blocked {
        call: &'static str,
        /// The system call's number, for a call without a name.
        syscall: Option<u64>,
        socket: Option<SocketJson>,
        text: Text,
    },
    Spinning {
        cpu_percent: u32,
        window_ms: u64,
        after_peer_closed: bool,
        text: Text,
    },
    LeakingSockets {
        counts: &'a [usize],
        close_wait: usize,
        text: Text,
    },
    Exception {
        class: &'a str,
        detail: &'a str,
        at: Option<&'a str>,
        code: Option<&'a str>,
        /// The errno's name (`EADDRINUSE`) when the detail quotes one.
        errno: Option<&'static str>,
        /// A SyntaxError's column.
        caret: Option<u32>,
        socketserver: bool,
        text: Text,
    },
    Signaled {
        /// `SIGPIPE`.
        signal: &'static str,
        number: i32,
        /// starting | connected | got_bytes | sent_bytes | peer_closed |
        /// peer_reset | typed | stdin_closed
        after: Option<&'static str>,
        /// For got_bytes and sent_bytes.
        bytes: Option<usize>,
        text: Text,
    },
    CallFailed {
        /// `bind`, when the line names the call.
        call: Option<&'static str>,
        errno: &'static str,
        line: &'a str,
        text: Text,
    },
    JavaException {
        /// `java.net.BindException`.
        class: &'a str,
        /// `BindException`.
        short: &'a str,
        message: &'a str,
        wrapper: Option<&'a str>,
        at: Option<JavaFrameJson<'a>>,
        /// The socket call it was thrown in (`send`), when its frames say.
        call: Option<&'static str>,
        text: Text,
    },
    Python2 {
        /// print_statement | except_comma | backticks | builtin | input_evaluates
        sign: &'static str,
        /// For builtin: `raw_input`.
        name: Option<&'a str>,
        at: Option<SourceJson<'a>>,
        /// A Python 2 interpreter the machine has.
        python2: Option<&'a str>,
        text: Text,
    },
    Bound {
        addr: String,
        problem: &'static str,
        expected_port: Option<u16>,
        text: Text,
    },
    WrongRole {
        /// listens | binds_harness_port | connects
        seen: &'static str,
        addr: Option<String>,
        port: Option<u16>,
        plays: &'static str,
        text: Text,
    },
    PageNotFound {
        path: &'a str,
        cwd: String,
        text: Text,
    },
    LimitHit(LimitHitJson),
}

#[derive(Serialize)]
pub(super) struct JavaFrameJson<'a> {
    method: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
}

#[derive(Serialize)]
pub(super) struct SourceJson<'a> {
    file: &'a str,
    line: u32,
    code: &'a str,
}

#[derive(Serialize)]
pub(super) struct SocketJson {
    proto: &'static str,
    local: String,
    peer: Option<String>,
    rx_queue: u64,
    tx_queue: u64,
    state: &'static str,
}

pub(super) fn diagnosis(d: &Diagnosis, role: Role, language: Language) -> DiagnosisJson<'_> {
    let text = Text::from(diagnose::both(d, role, language));
    match d {
        Diagnosis::Blocked { call, socket, .. } => DiagnosisJson::Blocked {
            call: match call {
                BlockedCall::Accept => "accept",
                BlockedCall::Recv => "recv",
                BlockedCall::Send => "send",
                BlockedCall::Connect => "connect",
                BlockedCall::ReadStdin => "read_stdin",
                BlockedCall::Poll => "poll",
                BlockedCall::Sleep => "sleep",
                BlockedCall::Other(_) => "other",
            },
            syscall: match call {
                BlockedCall::Other(n) => Some(*n),
                _ => None,
            },
            socket: socket.as_ref().map(|s: &SocketView| SocketJson {
                proto: s.proto,
                local: s.local.to_string(),
                peer: s.peer.map(|p| p.to_string()),
                rx_queue: s.rx_queue,
                tx_queue: s.tx_queue,
                state: s.state,
            }),
            text,
        },
        Diagnosis::Spinning {
            cpu_percent,
            window,
            after_peer_closed,
        } => DiagnosisJson::Spinning {
            cpu_percent: *cpu_percent,
            window_ms: millis(*window),
            after_peer_closed: *after_peer_closed,
            text,
        },
        Diagnosis::LeakingSockets { counts, close_wait } => DiagnosisJson::LeakingSockets {
            counts,
            close_wait: *close_wait,
            text,
        },
        Diagnosis::Exception {
            class,
            detail,
            at,
            code,
            errno,
            caret,
            socketserver,
        } => DiagnosisJson::Exception {
            class,
            detail,
            at: at.as_deref(),
            code: code.as_deref(),
            errno: errno.map(|e| e.name()),
            caret: *caret,
            socketserver: *socketserver,
            text,
        },
        Diagnosis::Signaled { signal, after } => DiagnosisJson::Signaled {
            signal: signal.name(),
            number: signal.number(),
            after: after.map(|a| match a {
                LastSeen::Starting => "starting",
                LastSeen::Connected => "connected",
                LastSeen::GotBytes(_) => "got_bytes",
                LastSeen::SentBytes(_) => "sent_bytes",
                LastSeen::PeerClosed => "peer_closed",
                LastSeen::PeerReset => "peer_reset",
                LastSeen::Typed => "typed",
                LastSeen::StdinClosed => "stdin_closed",
            }),
            bytes: match after {
                Some(LastSeen::GotBytes(n) | LastSeen::SentBytes(n)) => Some(*n),
                _ => None,
            },
            text,
        },
        Diagnosis::CallFailed { call, errno, line } => DiagnosisJson::CallFailed {
            call: call.map(|c| c.name()),
            errno: errno.name(),
            line,
            text,
        },
        Diagnosis::JavaException {
            thrown,
            wrapper,
            at,
            call,
        } => DiagnosisJson::JavaException {
            call: call.map(|c| c.name()),
            class: &thrown.class,
            short: thrown.short_name(),
            message: &thrown.message,
            wrapper: wrapper.as_ref().map(|w| w.class.as_str()),
            at: at.as_ref().map(|f| JavaFrameJson {
                method: &f.method,
                file: f.file.as_deref(),
                line: f.line,
            }),
            text,
        },
        Diagnosis::Python2 { sign, at, python2 } => DiagnosisJson::Python2 {
            sign: match sign {
                Python2Sign::PrintStatement => "print_statement",
                Python2Sign::ExceptComma => "except_comma",
                Python2Sign::Backticks => "backticks",
                Python2Sign::Builtin(_) => "builtin",
                Python2Sign::InputEvaluates => "input_evaluates",
            },
            name: match sign {
                Python2Sign::Builtin(n) => Some(n),
                _ => None,
            },
            at: at.as_ref().map(|a| SourceJson {
                file: &a.file,
                line: a.line,
                code: &a.code,
            }),
            python2: python2.as_deref(),
            text,
        },
        Diagnosis::Bound { addr, problem } => DiagnosisJson::Bound {
            addr: addr.to_string(),
            problem: match problem {
                BindProblem::WrongPort { .. } => "wrong_port",
                BindProblem::NotAllAddresses => "not_all_addresses",
            },
            expected_port: match problem {
                BindProblem::WrongPort { expected } => Some(*expected),
                BindProblem::NotAllAddresses => None,
            },
            text,
        },
        Diagnosis::WrongRole { seen, plays } => {
            let (kind, addr, port) = match seen {
                RoleSign::Listens(a) => ("listens", Some(a.to_string()), Some(a.port())),
                RoleSign::BindsHarnessPort(p) => ("binds_harness_port", None, Some(*p)),
                RoleSign::Connects(a) => {
                    ("connects", a.map(|a| a.to_string()), a.map(|a| a.port()))
                }
            };
            DiagnosisJson::WrongRole {
                seen: kind,
                addr,
                port,
                plays: plays.as_str(),
                text,
            }
        }
        Diagnosis::PageNotFound { path, cwd } => DiagnosisJson::PageNotFound {
            path,
            cwd: cwd.display().to_string(),
            text,
        },
        Diagnosis::LimitHit(hit) => DiagnosisJson::LimitHit(LimitHitJson::new(*hit, role)),
    }
}

/// A limit of its sandbox the program ran into during the scenario.
#[derive(Serialize)]
pub(super) struct LimitHitJson {
    /// processes | memory
    limit: &'static str,
    /// The limit: processes, or MiB of memory.
    max: u64,
    text: Text,
}

impl LimitHitJson {
    pub(super) fn new(hit: sockspec_results::LimitHit, role: Role) -> Self {
        let (limit, max) = match hit {
            sockspec_results::LimitHit::Processes { max } => ("processes", max),
            sockspec_results::LimitHit::Memory { max_mib } => ("memory", max_mib),
        };
        let d = sockspec_results::Diagnosis::LimitHit(hit);
        LimitHitJson {
            limit,
            max,
            text: Text::from(diagnose::both(
                &d,
                role,
                sockspec_results::Language::Unknown,
            )),
        }
    }
}
