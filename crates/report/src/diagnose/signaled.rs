//! A program that died of a signal it brought on itself. Its sentence is
//! the one with no line of code to quote: the kernel does not say where a
//! program died, so it says what had just happened on the wire (the
//! harness had closed, had sent N bytes) and what C code dies that way.
//! Python and Java ignore SIGPIPE and cannot segfault by themselves, so for
//! them it says what their runtime must have met.

use sockspec_model::Role;
use sockspec_results::{FatalSignal, Language, LastSeen};

use super::{Words, eof, is_udp, peer, recv_call, who, words};
use crate::Lang;

/// The sentence for a program of `role` killed by `signal` after `after`.
pub(super) fn signaled(
    signal: FatalSignal,
    after: Option<LastSeen>,
    role: Role,
    language: Language,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let (name, n) = (signal.name(), signal.number());
    let when = after
        .map(|a| when(a, role, language, lang))
        .unwrap_or_default();
    // A program of unknown language that dies of a signal is native code
    // as often as not: C's words fit it best.
    let native = matches!(words(language), Words::C) || language == Language::Unknown;
    let (meaning, fix) = if native {
        native_cause(signal, after, role, language, lang)
    } else {
        runtime_cause(signal, is_udp(role), language, lang)
    };
    match lang {
        Lang::En => format!("{who} died of {name} (signal {n}){when}: {meaning}; {fix}"),
        Lang::Zh => format!("{who}{when}被 {name} 信号（{n}）终止了：{meaning}；{fix}"),
    }
}

/// " right after the client closed the connection", and its Chinese.
fn when(after: LastSeen, role: Role, language: Language, lang: Lang) -> String {
    let peer = peer(role, lang);
    let udp = is_udp(role);
    let recv = recv_call(role, language);
    let eof = eof(language);
    match (after, lang) {
        (LastSeen::Starting, Lang::En) => " while starting, before any exchange".to_owned(),
        (LastSeen::Starting, Lang::Zh) => "在启动时、还没有任何收发之前".to_owned(),
        (LastSeen::Connected, Lang::En) if udp => " right after the exchange began".to_owned(),
        (LastSeen::Connected, Lang::Zh) if udp => "在刚开始收发时".to_owned(),
        (LastSeen::Connected, Lang::En) => " right after a connection was made".to_owned(),
        (LastSeen::Connected, Lang::Zh) => "在连接刚建立时".to_owned(),
        (LastSeen::GotBytes(n), Lang::En) => format!(" right after {peer} sent it {n} bytes"),
        (LastSeen::GotBytes(n), Lang::Zh) => format!("在{peer}发给它 {n} 字节之后"),
        (LastSeen::SentBytes(n), Lang::En) => format!(" right after it sent {n} bytes"),
        (LastSeen::SentBytes(n), Lang::Zh) => format!("在它发出 {n} 字节之后"),
        (LastSeen::PeerClosed, Lang::En) if udp => format!(" right after {peer} closed its socket"),
        (LastSeen::PeerClosed, Lang::Zh) if udp => format!("在{peer}关闭套接字之后"),
        (LastSeen::PeerClosed, Lang::En) => format!(
            " right after {peer} closed the connection (from then on its {recv} returns {eof})"
        ),
        (LastSeen::PeerClosed, Lang::Zh) => {
            format!("在{peer}关闭连接之后（从那时起它的 {recv} 返回 {eof}）")
        }
        (LastSeen::PeerReset, Lang::En) if udp => format!(" right after {peer} went away"),
        (LastSeen::PeerReset, Lang::Zh) if udp => format!("在{peer}离开之后"),
        (LastSeen::PeerReset, Lang::En) => {
            format!(" right after {peer} reset the connection (RST)")
        }
        (LastSeen::PeerReset, Lang::Zh) => format!("在{peer}重置连接（RST）之后"),
        (LastSeen::Typed, Lang::En) => " right after a line was typed on its input".to_owned(),
        (LastSeen::Typed, Lang::Zh) => "在标准输入刚输入一行之后".to_owned(),
        (LastSeen::StdinClosed, Lang::En) => {
            " right after its input ended (end of input)".to_owned()
        }
        (LastSeen::StdinClosed, Lang::Zh) => "在标准输入结束之后".to_owned(),
    }
}

/// What native code does to die so, and what to change in C.
fn native_cause(
    signal: FatalSignal,
    after: Option<LastSeen>,
    role: Role,
    language: Language,
    lang: Lang,
) -> (String, String) {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let tools = lang.pick(
        "run it under valgrind, or build it with -fsanitize=address -g, to see the line",
        "用 valgrind 运行它，或者加上 -fsanitize=address -g 重新编译，就能看到出错的那一行",
    );
    let recv = recv_call(role, language);
    let zero = match (is_udp(role), lang) {
        (true, Lang::En) => "0 for an empty datagram",
        (true, Lang::Zh) => "收到空数据报时是 0",
        (false, Lang::En) => "0 when the peer has closed",
        (false, Lang::Zh) => "对方关闭时是 0",
    };
    match signal {
        FatalSignal::Pipe if is_udp(role) => (
            s(
                "it wrote to a pipe or socket that nothing reads any more",
                "它往一个已经没有人读的管道或套接字里写数据",
            ),
            s(
                "a C program dies of SIGPIPE unless it ignores it: signal(SIGPIPE, SIG_IGN); \
                 at the start of main(), then check each write's return for -1",
                "C 程序收到 SIGPIPE 默认就会终止，除非忽略它：在 main() 开头调用 \
                 signal(SIGPIPE, SIG_IGN)，然后检查每次写操作是否返回 -1",
            ),
        ),
        FatalSignal::Pipe => (
            s(
                "it wrote to a connection whose peer had gone",
                "它往一个对方已经关闭的连接里写数据",
            ),
            s(
                "a C program dies of SIGPIPE unless it ignores it: signal(SIGPIPE, SIG_IGN); \
                 at the start of main(), or send(fd, buf, n, MSG_NOSIGNAL); and then check \
                 send()'s -1 with errno EPIPE and close that connection",
                "C 程序收到 SIGPIPE 默认就会终止，除非忽略它：在 main() 开头调用 \
                 signal(SIGPIPE, SIG_IGN)，或者用 send(fd, buf, n, MSG_NOSIGNAL) 发送；\
                 然后检查 send() 返回的 -1，errno 为 EPIPE 时关闭这个连接",
            ),
        ),
        FatalSignal::Segv | FatalSignal::Bus => {
            let likely = match (after, lang) {
                (Some(LastSeen::Starting), Lang::En) => {
                    "before any exchange, argv[1] used without checking argc, or a NULL \
                     pointer, is the usual cause"
                        .to_owned()
                }
                (Some(LastSeen::Starting), Lang::Zh) => {
                    "还没开始收发就崩溃，通常是没检查 argc 就用了 argv[1]，或者用了 NULL 指针"
                        .to_owned()
                }
                (_, Lang::En) => format!(
                    "check {recv}'s return before using the buffer ({zero}, -1 on an error): \
                     buf[n] = '\\0' is only right for n > 0 (and n < sizeof buf), and \
                     strchr() or strtok() may return NULL"
                ),
                (_, Lang::Zh) => format!(
                    "使用缓冲区之前先检查 {recv} 的返回值（{zero}，出错时是 -1）：\
                     只有 n > 0（并且 n < sizeof buf）时 buf[n] = '\\0' 才是对的，\
                     strchr()、strtok() 也可能返回 NULL"
                ),
            };
            (
                s(
                    "an invalid memory access (a segmentation fault)",
                    "非法访问内存（段错误）",
                ),
                lang.pick(format!("{likely}; {tools}"), format!("{likely}；{tools}")),
            )
        }
        FatalSignal::Abrt => (
            s(
                "abort() was called: a failed assert(), or the C library found its heap \
                 corrupt (a double free(), or a write past the end of a malloc()'d buffer)",
                "程序调用了 abort()：assert() 失败，或者 C 库发现堆被破坏了\
                 （同一块内存 free() 了两次，或者写越过了 malloc() 分配的缓冲区的末尾）",
            ),
            lang.pick(
                format!("the message above it in stderr says which; {tools}"),
                format!("stderr 里它上面的那条消息说明了是哪一种；{tools}"),
            ),
        ),
        FatalSignal::Fpe => (
            s(
                "an integer division (or %) by zero",
                "整数除以零（或者对零取余）",
            ),
            s(
                "check the divisor before dividing: a length that came back as 0 (an empty \
                 message) is the usual one",
                "除之前先检查除数：常见的是一个为 0 的长度（比如空消息）",
            ),
        ),
        FatalSignal::Ill => (
            s(
                "an illegal instruction: usually a stack overwritten by a buffer overflow, or \
                 a function that returns nothing where a value is used",
                "非法指令：通常是缓冲区溢出把栈写坏了，或者没有返回值的函数被当成有返回值来用",
            ),
            lang.pick(
                format!("build it with -Wall and read every warning; {tools}"),
                format!("加上 -Wall 编译并看完每一条警告；{tools}"),
            ),
        ),
    }
}

/// What a Python or Java program's runtime met to die so: neither dies of
/// SIGPIPE, nor faults, by itself.
fn runtime_cause(
    signal: FatalSignal,
    udp: bool,
    language: Language,
    lang: Lang,
) -> (String, String) {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let wrote = if udp {
        s(
            "it wrote to a pipe or socket that nothing reads any more",
            "它往一个已经没有人读的管道或套接字里写数据",
        )
    } else {
        s(
            "it wrote to a connection whose peer had gone",
            "它往一个对方已经关闭的连接里写数据",
        )
    };
    match (signal, words(language)) {
        (FatalSignal::Pipe, Words::Python) => (
            lang.pick(
                format!("{wrote}, and Python, which ignores SIGPIPE, had been told not to"),
                format!("{wrote}，而 Python 本来会忽略 SIGPIPE，程序却把它改回了默认处理"),
            ),
            s(
                "remove signal.signal(signal.SIGPIPE, signal.SIG_DFL), and catch \
                 BrokenPipeError around send() instead",
                "去掉 signal.signal(signal.SIGPIPE, signal.SIG_DFL)，\
                 改为用 try/except BrokenPipeError 把 send() 包起来",
            ),
        ),
        (FatalSignal::Pipe, _) => (
            wrote,
            s(
                "catch the error of the write instead (IOException), and stop writing there",
                "改为捕获写操作的异常（IOException），出错就不要再写了",
            ),
        ),
        _ => (
            s(
                "the runtime itself crashed, which its code cannot do by itself: a native \
                 library, or the machine's memory limit",
                "运行时本身崩溃了，这不是它的代码自己能做到的：可能是某个本地库，或者机器的内存限制",
            ),
            s(
                "run it again by hand with the same input; if it crashes again, say so to \
                 the teacher",
                "用同样的输入手动再运行一次；如果还崩溃，请告诉老师",
            ),
        ),
    }
}
