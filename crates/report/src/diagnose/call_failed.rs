//! A call that failed, as a C program reported it (perror, strerror). The
//! line is the program's own, so it is quoted; the errno it stands for is
//! named the way `man 2 bind` names it, and explained, with the fix in C,
//! by [`super::errno`].

use sockspec_model::Role;
use sockspec_results::{Errno, Language, SocketCall};

use super::{is_udp, who};
use crate::Lang;

pub(super) fn call_failed(
    call: Option<SocketCall>,
    errno: Errno,
    line: &str,
    role: Role,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let name = errno.name();
    let failed = match (call, lang) {
        (Some(c), Lang::En) => format!("{}() failed with {name}", c.name()),
        (Some(c), Lang::Zh) => format!("{}() 失败了，errno 为 {name}", c.name()),
        (None, Lang::En) => format!("a call failed with {name}"),
        (None, Lang::Zh) => format!("有一个调用失败了，errno 为 {name}"),
    };
    let explained = super::errno::explain(errno, call, role, Language::C, lang);
    let (meaning, fix) = explained.unwrap_or_else(|| {
        (
            lang.pick(
                format!("the system said \"{}\"", errno.strerror()),
                format!("系统的说法是 \"{}\"", errno.strerror()),
            ),
            if is_udp(role) {
                lang.pick(
                    "Check each call's return for -1 and handle errno there, so that one \
                     datagram's trouble does not end the program",
                    "检查每个调用是否返回 -1，并在那里处理 errno，别让一个数据报的问题让整个程序退出",
                )
                .to_owned()
            } else {
                lang.pick(
                    "Check each call's return for -1 and handle errno there, so that one \
                     connection's trouble does not end the program",
                    "检查每个调用是否返回 -1，并在那里处理 errno，别让一个连接的问题让整个程序退出",
                )
                .to_owned()
            },
        )
    });
    match lang {
        Lang::En => format!("{who} printed \"{line}\": {failed} — {meaning}. {fix}"),
        Lang::Zh => format!("{who}输出了 \"{line}\"：{failed}。{meaning}。{fix}"),
    }
}
