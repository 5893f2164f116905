//! What the runner found out about a failing program, said the way a
//! teacher standing behind the student would say it: what the program is
//! doing right now, in the course's words (阻塞, 缓冲区, 四次挥手, b''), and
//! what to change. The runner only gathers facts ([`Diagnosis`]); the
//! sentences live here, in both languages, so that every reporter says the
//! same thing and a better wording is one edit.
//!
//! Sentences name the program by its role ("the server", 服务端) because
//! that is how the notes and the student think of it, keep API names as
//! the program's language writes them (`recv()` returns b'' in Python and
//! 0 in C; a Java server reads with read() and sets setReuseAddress(true)),
//! and end without a full stop, as a line of the report does. A program
//! whose language is unknown is spoken to in Python, the course's own.
//!
//! Each kind of diagnosis is worded in a module of its own, named after its
//! variant of [`Diagnosis`], so that rewording one touches no other; what
//! an errno means, and its fix in each language, is [`errno`]'s, whichever
//! language reported it. This module only dispatches ([`sentence`]) and
//! holds the words they all use for the program, its peer and its
//! language's calls ([`who`], [`is_udp`], [`eof`]...): a new kind of
//! diagnosis is one module and one arm of the match in [`sentence`].

mod blocked;
mod bound;
mod call_failed;
mod errno;
mod exception;
mod java_exception;
mod leaking_sockets;
mod limit_hit;
mod page_not_found;
mod python2;
mod signaled;
mod spinning;
#[cfg(test)]
mod tests;
mod wrong_role;

use sockspec_model::{Localized, Role};
use sockspec_results::{Diagnosis, Language};

use crate::Lang;

/// The sentence for `d`, about a program of `role` written in `language`,
/// in `lang`.
pub(crate) fn sentence(d: &Diagnosis, role: Role, language: Language, lang: Lang) -> String {
    match d {
        Diagnosis::Blocked {
            call,
            socket,
            peer_closed,
        } => blocked::blocked(*call, socket.as_ref(), *peer_closed, role, language, lang),
        Diagnosis::Spinning {
            cpu_percent,
            after_peer_closed,
            ..
        } => spinning::spinning(*cpu_percent, *after_peer_closed, role, language, lang),
        Diagnosis::LeakingSockets { counts, close_wait } => {
            leaking_sockets::leaking(counts, *close_wait, role, language, lang)
        }
        Diagnosis::Exception { .. } => exception::exception(d, role, lang),
        Diagnosis::Signaled { signal, after } => {
            signaled::signaled(*signal, *after, role, language, lang)
        }
        Diagnosis::CallFailed { call, errno, line } => {
            call_failed::call_failed(*call, *errno, line, role, lang)
        }
        Diagnosis::JavaException {
            thrown,
            wrapper,
            at,
            call,
        } => {
            java_exception::java_exception(thrown, wrapper.as_ref(), at.as_ref(), *call, role, lang)
        }
        Diagnosis::Python2 { sign, at, python2 } => {
            python2::python2(sign, at.as_ref(), python2.as_deref(), lang)
        }
        Diagnosis::Bound { addr, problem } => bound::bound(*addr, *problem, role, language, lang),
        Diagnosis::WrongRole { seen, plays } => {
            wrong_role::wrong_role(*seen, *plays, language, lang)
        }
        Diagnosis::PageNotFound { path, cwd } => {
            page_not_found::page_not_found(path, cwd, language, lang)
        }
        Diagnosis::LimitHit(hit) => limit_hit::limit_hit(*hit, role, lang),
    }
}

/// A limit hit by a program that passed anyway: the same sentence, said
/// as a "but", since the pass alone would hide it.
pub(crate) fn limit_hit_on_pass(hit: sockspec_results::LimitHit, role: Role, lang: Lang) -> String {
    let text = limit_hit::limit_hit(hit, role, lang);
    match lang {
        Lang::En => format!("passed, but {text}"),
        Lang::Zh => format!("通过了，但{text}"),
    }
}

/// The sentence in both languages, for the JSON report.
pub(crate) fn both(d: &Diagnosis, role: Role, language: Language) -> Localized {
    Localized {
        en: sentence(d, role, language, Lang::En),
        zh: sentence(d, role, language, Lang::Zh),
    }
}

/// How the notes name the program: "the server", 服务端.
pub(crate) fn who(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::TcpServer | Role::UdpServer | Role::HttpServer => lang.pick("the server", "服务端"),
        Role::TcpClient | Role::UdpClient | Role::HttpClient => lang.pick("the client", "客户端"),
        Role::BroadcastSender => lang.pick("the sender", "发送端"),
        Role::BroadcastReceiver => lang.pick("the receiver", "接收端"),
    }
}

/// The other end of the program's connection.
fn peer(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::TcpServer | Role::UdpServer | Role::HttpServer => lang.pick("the client", "客户端"),
        Role::TcpClient | Role::UdpClient | Role::HttpClient => lang.pick("the server", "服务端"),
        Role::BroadcastSender | Role::BroadcastReceiver => lang.pick("the peer", "对方"),
    }
}

/// Whether the role speaks UDP (datagrams, recvfrom, no connection).
pub(crate) fn is_udp(role: Role) -> bool {
    matches!(
        role,
        Role::UdpServer | Role::UdpClient | Role::BroadcastSender | Role::BroadcastReceiver
    )
}

fn is_server(role: Role) -> bool {
    role.serves()
}

/// The languages whose words a sentence is in: C's for native code, Java's
/// for Java, and Python's for Python of either version and for a program
/// of unknown language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Words {
    Python,
    C,
    Java,
}

fn words(language: Language) -> Words {
    match language {
        Language::C => Words::C,
        Language::Java => Words::Java,
        Language::Python | Language::Python2 | Language::Unknown => Words::Python,
    }
}

/// What the program's receive call returns when the peer has closed:
/// b'' in Python, 0 in C, -1 from a Java read().
fn eof(language: Language) -> &'static str {
    match (language, words(language)) {
        (Language::Python2, _) => "''",
        (_, Words::Python) => "b''",
        (_, Words::C) => "0",
        (_, Words::Java) => "-1",
    }
}

/// The call the program receives with: recv() / recvfrom(), and in Java
/// read() / receive().
fn recv_call(role: Role, language: Language) -> &'static str {
    match (words(language), is_udp(role)) {
        (Words::Java, false) => "read()",
        (Words::Java, true) => "receive()",
        (_, false) => "recv()",
        (_, true) => "recvfrom()",
    }
}

/// Where the program reads its command line: sys.argv, argv, args.
fn args(language: Language) -> &'static str {
    match words(language) {
        Words::Python => "sys.argv",
        Words::C => "argv",
        Words::Java => "args",
    }
}

/// The call that reads a line typed on standard input.
fn stdin_call(language: Language) -> &'static str {
    match (language, words(language)) {
        (Language::Python2, _) => "raw_input()",
        (_, Words::Python) => "input()",
        (_, Words::C) => "fgets()",
        (_, Words::Java) => "readLine()",
    }
}

/// What the program receives: a request, a response or a message.
fn thing(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::HttpServer => lang.pick("request", "请求"),
        Role::HttpClient => lang.pick("response", "响应"),
        _ => lang.pick("message", "消息"),
    }
}
