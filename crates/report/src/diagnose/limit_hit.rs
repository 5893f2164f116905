//! A program stopped at a limit of its sandbox. What it shows for it (a
//! BlockingIOError from fork(), a SIGKILL out of nowhere) reads like a bug
//! of its own; the kernel's count says it was the limit, so that is said
//! first, with the number, and what in homework usually causes it: a
//! process per client that is never waited for or never exits, a list that
//! keeps everything ever received.

use sockspec_model::Role;
use sockspec_results::LimitHit;

use super::who;
use crate::Lang;

pub(super) fn limit_hit(hit: LimitHit, role: Role, lang: Lang) -> String {
    let who = who(role, lang);
    match (hit, lang) {
        (LimitHit::Processes { max }, Lang::En) => format!(
            "{who} tried to start more than {max} processes and was refused (fork() failed): \
             a child per client must end (os._exit(0) at the end of its work) and be waited \
             for, and nothing should fork in a loop"
        ),
        (LimitHit::Processes { max }, Lang::Zh) => format!(
            "{who}试图启动超过 {max} 个进程，被系统拒绝（fork() 失败）：\
             每个客户端的子进程处理完要结束（最后调用 os._exit(0)）并被回收，\
             不要在循环里不停地 fork"
        ),
        (LimitHit::Memory { max_mib }, Lang::En) => format!(
            "{who} used more than {max_mib} MiB of memory and was stopped by the system: \
             something keeps growing (every message kept in a list, a buffer that is never \
             emptied)"
        ),
        (LimitHit::Memory { max_mib }, Lang::Zh) => format!(
            "{who}使用的内存超过了 {max_mib} MiB，被系统强行结束：\
             有东西在不停增长（把收到的每条消息都存进列表，缓冲区从不清空）"
        ),
    }
}
