//! A program that burns CPU where it should be waiting. Unlike being
//! blocked, this is read from CPU time over a window, not from a call or a
//! socket, and its advice is the opposite: make the loop block (or break
//! out of it when recv() returns b'').

use sockspec_model::Role;
use sockspec_results::Language;

use super::{eof, is_udp, recv_call, who};
use crate::Lang;

pub(super) fn spinning(
    cpu: u32,
    after_peer_closed: bool,
    role: Role,
    language: Language,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let (recv, eof) = (recv_call(role, language), eof(language));
    // A UDP socket has no end to read: the harness closing its own socket
    // changes nothing for the program.
    let after_peer_closed = after_peer_closed && !is_udp(role);
    let block = if is_udp(role) {
        recv.to_owned()
    } else {
        format!("{recv} and accept()")
    };
    match (after_peer_closed, lang) {
        (true, Lang::En) => format!(
            "{who} is spinning at {cpu}% CPU after the peer closed: {recv} returns {eof} \
             forever; break out of the loop when it does"
        ),
        (true, Lang::Zh) => {
            let spins = if cpu >= 90 {
                format!("占满 CPU 空转（{cpu}%）")
            } else {
                format!("在空转，CPU 占用 {cpu}%")
            };
            if eof == "b''" {
                format!(
                    "对方关闭连接后{who}{spins}：{recv} 一直返回空字节串 b''，\
                     收到 b'' 时应当跳出循环"
                )
            } else {
                format!(
                    "对方关闭连接后{who}{spins}：{recv} 一直返回 {eof}，返回 {eof} 时应当跳出循环"
                )
            }
        }
        (false, Lang::En) => format!(
            "{who} is spinning at {cpu}% CPU where it should be waiting: the loop never blocks \
             (a non-blocking socket polled over and over, or an exception caught and retried at \
             once); let {block} block, or sleep between tries"
        ),
        (false, Lang::Zh) => format!(
            "{who}本该阻塞等待，却在空转，CPU 占用 {cpu}%：循环里没有会阻塞的调用\
             （比如反复轮询非阻塞套接字，或者捕获异常后立刻重试）；\
             让 {block} 阻塞等待，或者每次重试之间 sleep 一下"
        ),
    }
}
