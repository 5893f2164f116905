//! What the runner found out about a failing program, said the way a
//! teacher standing behind the student would say it: what the program is
//! doing right now, in the course's words (阻塞, 缓冲区, 四次挥手, b''), and
//! what to change. The runner only gathers facts ([`Diagnosis`]); the
//! sentences live here, in both languages, so that every reporter says the
//! same thing and a better wording is one edit.
//!
//! Sentences name the program by its role ("the server", 服务端) because
//! that is how the notes and the student think of it, keep API names as
//! they are written in Python (`recv()`, `SO_REUSEADDR`, `b''`), and end
//! without a full stop, as a line of the report does.
//!
//! Each kind of diagnosis is worded in a module of its own, named after its
//! variant of [`Diagnosis`], so that rewording one touches no other. This
//! module only dispatches ([`sentence`]) and holds the words they all use
//! for the program and its peer ([`who`], [`is_udp`]...): a new kind of
//! diagnosis is one module and one arm of the match in [`sentence`].

mod blocked;
mod bound;
mod exception;
mod leaking_sockets;
mod page_not_found;
mod spinning;
#[cfg(test)]
mod tests;
mod wrong_role;

use sockspec_model::{Localized, Role};
use sockspec_results::Diagnosis;

use crate::Lang;

/// The sentence for `d`, about a program of `role`, in `lang`.
pub(crate) fn sentence(d: &Diagnosis, role: Role, lang: Lang) -> String {
    match d {
        Diagnosis::Blocked { call, socket } => blocked::blocked(*call, socket.as_ref(), role, lang),
        Diagnosis::Spinning {
            cpu_percent,
            after_peer_closed,
            ..
        } => spinning::spinning(*cpu_percent, *after_peer_closed, role, lang),
        Diagnosis::LeakingSockets { counts, close_wait } => {
            leaking_sockets::leaking(counts, *close_wait, role, lang)
        }
        Diagnosis::Exception {
            class,
            detail,
            at,
            code,
        } => exception::exception(class, detail, at.as_deref(), code.as_deref(), role, lang),
        Diagnosis::Bound { addr, problem } => bound::bound(*addr, *problem, role, lang),
        Diagnosis::WrongRole { seen, plays } => wrong_role::wrong_role(*seen, *plays, lang),
        Diagnosis::PageNotFound { path, cwd } => page_not_found::page_not_found(path, cwd, lang),
    }
}

/// The sentence in both languages, for the JSON report.
pub(crate) fn both(d: &Diagnosis, role: Role) -> Localized {
    Localized {
        en: sentence(d, role, Lang::En),
        zh: sentence(d, role, Lang::Zh),
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

/// What the program receives: a request, a response or a message.
fn thing(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::HttpServer => lang.pick("request", "请求"),
        Role::HttpClient => lang.pick("response", "响应"),
        _ => lang.pick("message", "消息"),
    }
}
