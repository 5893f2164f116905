//! A program that cannot be run at all: its file is not in the
//! submission, or its packets would leave the machine. These are said
//! before anything is played, and the second is long enough (the role,
//! what it sends to, how to grade it instead) to want a file of its own.

use sockspec_results::Unrunnable;

use crate::lang::Lang;

/// Why a program cannot be run at all.
pub(crate) fn unrunnable(u: &Unrunnable, lang: Lang) -> String {
    match u {
        Unrunnable::MissingFile {
            file,
            command,
            dir,
            has,
        } => {
            let listed = |more: &str| match has.len() {
                n if n <= 8 => has.join(", "),
                n => format!("{} {more} {}", has[..8].join(", "), n - 8),
            };
            match lang {
                Lang::En => {
                    let has = if has.is_empty() {
                        "it is empty".to_owned()
                    } else if has.len() <= 8 {
                        format!("it has {}", listed(""))
                    } else {
                        format!("it has {} more", listed("and"))
                    };
                    format!(
                        "the submission has no {file} (the command is `{command}`, run in {dir}; {has})"
                    )
                }
                Lang::Zh => {
                    let has = if has.is_empty() {
                        "文件夹是空的".to_owned()
                    } else if has.len() <= 8 {
                        format!("里面有 {}", listed(""))
                    } else {
                        format!(
                            "里面有 {}，另外还有 {} 个",
                            has[..8].join(", "),
                            has.len() - 8
                        )
                    };
                    format!("提交的作业里没有 {file}（命令是 `{command}`，在 {dir} 中运行；{has}）")
                }
            }
        }
        Unrunnable::LeavesMachine {
            role,
            sends,
            far,
            hosts,
        } => leaves(*role, *sends, far, hosts, lang),
    }
}

fn and_list(words: &[String], and: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(", ")),
    }
}

fn leaves(
    role: sockspec_model::Role,
    sends: bool,
    far: &[String],
    hosts: &[String],
    lang: Lang,
) -> String {
    use sockspec_model::Role;
    match lang {
        Lang::En => {
            let verb = match role {
                _ if !sends => "looks up",
                Role::TcpClient | Role::HttpClient => "connects to",
                _ if !far.is_empty() => "to",
                _ => "sends to",
            };
            let mut clauses = Vec::new();
            if !far.is_empty() {
                clauses.push(format!("sends to {}", far.join(", ")));
            }
            match hosts {
                [] => {}
                [one] => clauses.push(format!("{verb} {one}, a host off this machine")),
                many => clauses.push(format!(
                    "{verb} {}, hosts off this machine",
                    and_list(many, " and ")
                )),
            }
            let inside = if hosts.is_empty() {
                ""
            } else {
                " (there a name is an address of its own loopback, and looking it up asks no one)"
            };
            format!(
                "not run: this {role} {}, which only a private network can serve without its packets leaving the machine{inside}; grade it with --isolate net (as root, or with unprivileged user namespaces)",
                clauses.join(" and ")
            )
        }
        Lang::Zh => {
            let verb = match role {
                _ if !sends => "要查询",
                Role::TcpClient | Role::HttpClient => "要连接",
                _ => "要发往",
            };
            let mut clauses = Vec::new();
            if !far.is_empty() {
                clauses.push(format!("要发往 {}", far.join(", ")));
            }
            if !hosts.is_empty() {
                clauses.push(format!(
                    "{verb}不在本机上的主机 {}",
                    and_list(hosts, " 和 ")
                ));
            }
            let inside = if hosts.is_empty() {
                ""
            } else {
                "（在那里，主机名是它自己回环网络上的地址，查询时不会问任何人）"
            };
            format!(
                "没有运行：这个 {role} {}，只有私有网络才能让它运行而数据包不离开本机{inside}；请用 --isolate net 评分（需要 root，或允许非特权用户命名空间）",
                clauses.join("，并且")
            )
        }
    }
}
