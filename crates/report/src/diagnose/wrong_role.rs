//! A program graded under the other end's role. Every other diagnosis is
//! about the student's code; this one is about how it was graded (the
//! `--role` given), so it names the program by what it does rather than by
//! the role it was graded as, and its fix is the grader's.

use sockspec_model::Role;
use sockspec_results::{Language, RoleSign};

use super::{Words, who, words};
use crate::Lang;

/// A program graded under the other end's role: what gave it away, and
/// the `--role` the grader meant.
pub(super) fn wrong_role(seen: RoleSign, plays: Role, language: Language, lang: Lang) -> String {
    let refused = match words(language) {
        Words::Python => "ConnectionRefusedError",
        Words::C => "ECONNREFUSED",
        Words::Java => "ConnectException",
    };
    let (it_is, not) = (who(plays, lang), who(plays.counterpart(), lang));
    let (it_is, not) = match lang {
        // "the server" → "a server", for "it is a server, not a client".
        Lang::En => (
            it_is.replacen("the ", "a ", 1),
            not.replacen("the ", "a ", 1),
        ),
        Lang::Zh => (it_is.to_owned(), not.to_owned()),
    };
    match (seen, lang) {
        (RoleSign::Listens(addr), Lang::En) => format!(
            "this program listens on {addr}: it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Listens(addr), Lang::Zh) => format!(
            "这个程序在 {addr} 上监听：它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::BindsHarnessPort(port), Lang::En) => format!(
            "this program binds port {port}, where the harness itself listens as the other end: a program that binds its port and waits is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::BindsHarnessPort(port), Lang::Zh) => format!(
            "这个程序要绑定端口 {port}，而测试端自己正作为另一端占着这个端口：绑定端口然后等待的程序是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::Connects(Some(addr)), Lang::En) => format!(
            "this program connects to {addr} instead of listening: it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Connects(Some(addr)), Lang::Zh) => format!(
            "这个程序没有监听，而是去连接 {addr}：它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::Connects(None), Lang::En) => format!(
            "this program's connect() was refused ({refused}): it connects instead of listening, so it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Connects(None), Lang::Zh) => format!(
            "这个程序的 connect() 被拒绝了（{refused}）：它是去连接别人，而不是监听，所以它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
    }
}
