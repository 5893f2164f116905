//! What a step expected, when it is more than its failure says: the
//! reply the contract's rule wants, the datagram, the end of the stream.
//! The reports show it beside what came, so it is a phrase, not a
//! sentence.

use sockspec_model::Framing;
use sockspec_results::{Expectation, ReplyShape};

use super::printed;
use crate::lang::Lang;

/// What a step expected, in one language.
pub(crate) fn expectation(e: &Expectation, lang: Lang) -> String {
    match lang {
        Lang::En => expectation_en(e),
        Lang::Zh => expectation_zh(e),
    }
}

fn expectation_en(e: &Expectation) -> String {
    match e {
        Expectation::Reply {
            rule,
            framing,
            message,
        } => {
            let framed = match framing {
                Framing::None => "",
                Framing::Line => " followed by \\n",
                Framing::Len32 => " with a 4-byte length prefix",
            };
            match rule {
                ReplyShape::Echo => format!("the message itself, {message}{framed} (reply rule echo)"),
                ReplyShape::Fixed(t) => format!("exactly {t}{framed} (reply rule fixed)"),
                ReplyShape::Any => format!("any non-empty reply{framed}"),
                ReplyShape::Regex(re) => format!("a reply matching /{re}/{framed}"),
            }
        }
        Expectation::Datagram(b) => format!("one datagram of exactly {b}"),
        Expectation::Message(b) => format!("the message {b}"),
        Expectation::ListeningAgain(p) => {
            format!("the target listening on port {p} again at once")
        }
        Expectation::Printed(missing) => format!("stdout to contain {}", printed(missing)),
        Expectation::Broadcast { count, to, port } => {
            format!("at least {count} datagram(s) at every receiver, sent to {to}:{port}")
        }
        Expectation::CloseSocket => {
            "recv() to give b'' and the program to close() the connection socket".into()
        }
        Expectation::EndNothingBefore => {
            "the end of the connection (recv gives b'') and nothing before it".into()
        }
        Expectation::End => "the end of the connection (recv gives b'')".into(),
        Expectation::WholeMessage => "the target to wait for the whole message".into(),
        Expectation::HttpResponse => {
            "a status line, header lines, each ending in \\r\\n, an empty line, then the body".into()
        }
        Expectation::HttpRequest => "a request line (METHOD /path HTTP/1.1), header lines (Host first), each ending in \\r\\n, an empty line, then the body".into(),
        Expectation::Status(s) => format!("status {s}"),
        Expectation::BodyMatching(r) => format!("a body matching {r:?}"),
    }
}

fn expectation_zh(e: &Expectation) -> String {
    match e {
        Expectation::Reply {
            rule,
            framing,
            message,
        } => {
            let framed = match framing {
                Framing::None => "",
                Framing::Line => "，后面跟 \\n",
                Framing::Len32 => "，前面加 4 字节的长度前缀",
            };
            match rule {
                ReplyShape::Echo => format!("消息本身 {message}{framed}（回复规则 echo）"),
                ReplyShape::Fixed(t) => format!("恰好是 {t}{framed}（回复规则 fixed）"),
                ReplyShape::Any => format!("任何非空的回复{framed}"),
                ReplyShape::Regex(re) => format!("匹配 /{re}/ 的回复{framed}"),
            }
        }
        Expectation::Datagram(b) => format!("恰好是 {b} 的一个数据报"),
        Expectation::Message(b) => format!("消息 {b}"),
        Expectation::ListeningAgain(p) => format!("程序立刻重新在端口 {p} 上监听"),
        Expectation::Printed(missing) => format!("标准输出中包含 {}", printed(missing)),
        Expectation::Broadcast { count, to, port } => {
            format!("每个接收者都至少收到 {count} 个发往 {to}:{port} 的数据报")
        }
        Expectation::CloseSocket => "recv() 返回 b''，然后程序 close() 这个连接套接字".into(),
        Expectation::EndNothingBefore => "连接结束（recv 返回 b''），之前没有别的数据".into(),
        Expectation::End => "连接结束（recv 返回 b''）".into(),
        Expectation::WholeMessage => "程序等整条消息收完再行动".into(),
        Expectation::HttpResponse => {
            "一行状态行、若干首部行，每行以 \\r\\n 结尾，然后一个空行，再是正文".into()
        }
        Expectation::HttpRequest => "一行请求行（METHOD /path HTTP/1.1）、若干首部行（Host 在前），每行以 \\r\\n 结尾，然后一个空行，再是正文".into(),
        Expectation::Status(s) => format!("状态码 {s}"),
        Expectation::BodyMatching(r) => format!("匹配 {r:?} 的正文"),
    }
}
