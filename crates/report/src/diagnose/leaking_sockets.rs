//! Connection sockets that are never closed. This is not what the program
//! is doing at the moment it failed but what it left behind across clients
//! (its open sockets after each one, and those in CLOSE_WAIT), so it speaks
//! of the life of an accepted socket and the four-way close.

use sockspec_model::Role;
use sockspec_results::Language;

use super::{eof, recv_call, who};
use crate::Lang;

pub(super) fn leaking(
    counts: &[usize],
    close_wait: usize,
    role: Role,
    language: Language,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let (recv, eof) = (recv_call(role, language), eof(language));
    let list = |sep: &str| {
        counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(sep)
    };
    match lang {
        Lang::En => {
            let mut text = if counts.len() >= 2 {
                format!(
                    "{who}'s open sockets grow with every client ({})",
                    list(", ")
                )
            } else {
                format!("{who} keeps sockets open after their clients leave")
            };
            match close_wait {
                0 => {}
                1 => text.push_str(" and 1 is in CLOSE_WAIT"),
                n => text.push_str(&format!(" and {n} are in CLOSE_WAIT")),
            }
            text.push_str(
                ": connection sockets are never closed; call close() on each accepted socket \
                 when its client leaves",
            );
            text
        }
        Lang::Zh => {
            let mut text = if counts.len() >= 2 {
                format!("{who}打开的套接字随每个客户端增加（{} 个）", list("、"))
            } else {
                format!("{who}在客户端离开后仍然开着它们的套接字")
            };
            if close_wait > 0 {
                text.push_str(&format!(
                    "，其中 {close_wait} 个处于 CLOSE_WAIT：客户端已经关闭，{who}却一直没有 \
                     close()，四次挥手没有完成"
                ));
            } else {
                text.push_str("：连接套接字从来没有关闭");
            }
            text.push_str(&format!(
                "；客户端离开（{recv} 返回 {eof}）时，要对 accept() 得到的那个连接套接字调用 close()"
            ));
            text
        }
    }
}
