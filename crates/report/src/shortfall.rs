//! What the sandbox could not do on this machine, said to the grader once
//! per run: the facts come from the process crate ([`Shortfall`]), the
//! words from here, in the grader's language, like every sentence a person
//! reads. A limit that is not enforced is worth a warning because the one
//! thing it guards against (a fork flood, a program that eats the memory)
//! would then reach the machine itself.

use sockspec_results::{CgroupLimit, NoCgroup, Shortfall};

use crate::Lang;

/// The sentence for `s`, in `lang`.
pub fn shortfall(s: &Shortfall, lang: Lang) -> String {
    match (s, lang) {
        (Shortfall::PrivateFs, Lang::En) => {
            "this machine cannot isolate the file system: submissions can write outside their \
             folder"
                .into()
        }
        (Shortfall::PrivateFs, Lang::Zh) => {
            "本机无法隔离文件系统：提交的程序可以写到自己的文件夹之外".into()
        }
        (Shortfall::PidNamespace, Lang::En) => {
            "this machine cannot give submissions a PID namespace: a process that leaves its \
             process group (setsid) can outlive the kill"
                .into()
        }
        (Shortfall::PidNamespace, Lang::Zh) => {
            "本机无法为提交的程序提供 PID 命名空间：离开进程组（setsid）的进程可能在结束后仍在运行"
                .into()
        }
        (Shortfall::Rlimits, Lang::En) => "the resource limits could not be set".into(),
        (Shortfall::Rlimits, Lang::Zh) => "无法设置资源限制".into(),
        (Shortfall::CleanEnv, Lang::En) => "the environment was not cleaned".into(),
        (Shortfall::CleanEnv, Lang::Zh) => "没有清理环境变量".into(),
        (Shortfall::Cgroup { limit, why }, _) => cgroup(*limit, why, lang),
    }
}

fn cgroup(limit: CgroupLimit, why: &NoCgroup, lang: Lang) -> String {
    let why = match (why, lang) {
        (NoCgroup::NoController, Lang::En) => {
            let c = match limit {
                CgroupLimit::Processes => "pids",
                CgroupLimit::Memory => "memory",
            };
            format!("no cgroup hierarchy with the {c} controller is mounted")
        }
        (NoCgroup::NoController, Lang::Zh) => {
            let c = match limit {
                CgroupLimit::Processes => "pids",
                CgroupLimit::Memory => "memory",
            };
            format!("没有挂载带 {c} 控制器的 cgroup 层级")
        }
        (NoCgroup::Denied(e), Lang::En) => format!("no cgroup could be made ({e})"),
        (NoCgroup::Denied(e), Lang::Zh) => format!("无法创建 cgroup（{e}）"),
    };
    match (limit, lang) {
        (CgroupLimit::Processes, Lang::En) => format!(
            "the process limit is not enforced: {why}; a fork flood can exhaust this machine \
             (RLIMIT_NPROC does nothing for root)"
        ),
        (CgroupLimit::Processes, Lang::Zh) => format!(
            "进程数限制没有生效：{why}；fork 炸弹可能耗尽本机资源（RLIMIT_NPROC 对 root 无效）"
        ),
        (CgroupLimit::Memory, Lang::En) => format!(
            "the memory limit is enforced only as a cap on each process's address space: {why}"
        ),
        (CgroupLimit::Memory, Lang::Zh) => {
            format!("内存限制只能按每个进程的地址空间来限制：{why}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shortfall_is_said_in_both_languages() {
        let all = [
            Shortfall::PrivateFs,
            Shortfall::PidNamespace,
            Shortfall::Rlimits,
            Shortfall::CleanEnv,
            Shortfall::Cgroup {
                limit: CgroupLimit::Processes,
                why: NoCgroup::NoController,
            },
            Shortfall::Cgroup {
                limit: CgroupLimit::Memory,
                why: NoCgroup::Denied("Permission denied".into()),
            },
        ];
        for s in &all {
            let (en, zh) = (shortfall(s, Lang::En), shortfall(s, Lang::Zh));
            assert!(en.is_ascii() && !zh.is_ascii(), "{en} / {zh}");
        }
        let s = shortfall(&all[4], Lang::En);
        assert!(
            s.starts_with("the process limit is not enforced: no cgroup"),
            "{s}"
        );
        assert!(shortfall(&all[4], Lang::Zh).contains("进程数限制没有生效"));
        assert!(shortfall(&all[5], Lang::En).contains("Permission denied"));
    }
}
