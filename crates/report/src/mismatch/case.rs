//! A property that failed, and the generated case it failed on, written
//! out so that a reader can check it by hand: the messages, the exact
//! writes that carried them, the pauses between. A property's sentence
//! wraps another failure, so it is said through [`Say`] in either language.

use sockspec_model::Bytes;
use sockspec_results::{CaseView, PropertyFailure};

use super::Say;
use crate::lang::Lang;

impl Say {
    pub(super) fn property(self, p: &PropertyFailure) -> String {
        let case = indent(&case(&p.case, self.lang));
        let inner = self.mismatch(&p.inner);
        match self.lang {
            Lang::En => {
                let note = if p.unshrunk {
                    "\n(the smallest case passed when played again with the normal deadlines, so this is the first failing case as generated)"
                } else {
                    ""
                };
                format!(
                    "property {} failed on case {} of {} (seed {}); the smallest failing case:\n{case}\n{inner}{note}\nreproduce: {}",
                    p.name.as_str(),
                    p.nth,
                    p.cases,
                    p.seed,
                    p.reproduce
                )
            }
            Lang::Zh => {
                let note = if p.unshrunk {
                    "\n（最小用例按正常期限重放时通过了，所以这里给出的是生成时第一个失败的用例）"
                } else {
                    ""
                };
                format!(
                    "性质 {} 在 {} 个用例中的第 {} 个失败（种子 {}）；最小的失败用例：\n{case}\n{inner}{note}\n重现：{}",
                    p.name.as_str(),
                    p.cases,
                    p.nth,
                    p.seed,
                    p.reproduce
                )
            }
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(b: &[Bytes]) -> String {
    b.iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn written(pieces: &[Bytes], lang: Lang) -> String {
    let n = pieces.len();
    let parts = pieces
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    match lang {
        Lang::En => format!(
            "written as {n} piece{}: {parts}",
            if n == 1 { "" } else { "s" }
        ),
        Lang::Zh => format!("分 {n} 次写出：{parts}"),
    }
}

fn apart(pause_ms: u64, lang: Lang) -> String {
    match (pause_ms, lang) {
        (0, _) => String::new(),
        (ms, Lang::En) => format!(", {ms} ms apart"),
        (ms, Lang::Zh) => format!("，每次间隔 {ms} 毫秒"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A generated case, as a reader checks it by hand.
fn case(c: &CaseView, lang: Lang) -> String {
    match (c, lang) {
        (
            CaseView::Stream {
                messages,
                written: w,
                pause_ms,
            },
            _,
        ) => {
            let head = match lang {
                Lang::En => format!(
                    "{} message{}: {}",
                    messages.len(),
                    plural(messages.len()),
                    shown(messages)
                ),
                Lang::Zh => format!("{} 条消息：{}", messages.len(), shown(messages)),
            };
            format!("{head}\n{}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (CaseView::Udp { queued, datagrams }, _) => {
            let list = datagrams
                .iter()
                .map(|(s, d)| match lang {
                    Lang::En => format!("s{s} → {d} ({} bytes)", d.0.len()),
                    Lang::Zh => format!("s{s} → {d}（{} 字节）", d.0.len()),
                })
                .collect::<Vec<_>>()
                .join(lang.pick(", ", "，"));
            let n = datagrams.len();
            match lang {
                Lang::En => format!(
                    "{n} datagram{}{}: {list}",
                    plural(n),
                    if *queued {
                        ", all sent while the server was paused (waiting in its queue together)"
                    } else {
                        ", each once the server had read the one before"
                    }
                ),
                Lang::Zh => format!(
                    "{n} 个数据报，{}：{list}",
                    if *queued {
                        "全部在服务端暂停期间发出（一起在它的队列里等待）"
                    } else {
                        "每个都在服务端读完上一个之后发出"
                    }
                ),
            }
        }
        (CaseView::Replies { lines, pieces }, _) => {
            let list = lines
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let n = lines.len();
            let mut out = match lang {
                Lang::En => format!("{n} line{} typed: {list}", plural(n)),
                Lang::Zh => format!("输入了 {n} 行：{list}"),
            };
            if !pieces.is_empty() {
                out.push_str(&match lang {
                    Lang::En => format!("\neach reply cut into pieces of {pieces:?} bytes"),
                    Lang::Zh => format!("\n每条回复都切成 {pieces:?} 字节的几段"),
                });
            }
            out
        }
        (CaseView::Broadcasts { texts }, _) => {
            let list = texts
                .iter()
                .map(|t| format!("{t:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let n = texts.len();
            match lang {
                Lang::En => format!("{n} datagram{} broadcast: {list}", plural(n)),
                Lang::Zh => format!("广播了 {n} 个数据报：{list}"),
            }
        }
        (
            CaseView::Response {
                written: w,
                pause_ms,
            },
            Lang::En,
        ) => {
            format!("a response {}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (
            CaseView::Response {
                written: w,
                pause_ms,
            },
            Lang::Zh,
        ) => {
            format!("一个响应，{}{}", written(w, lang), apart(*pause_ms, lang))
        }
        (
            CaseView::Request {
                written: w,
                pause_ms,
            },
            _,
        ) => {
            format!("{}{}", written(w, lang), apart(*pause_ms, lang))
        }
    }
}
