//! What the harness and the kernel saw, rather than what the program
//! answered: what the harness was doing when the operating system said no
//! ([`Doing`]), what a program that never listened was seen doing in the
//! socket tables ([`Seen`]), and a mistake in the scenario itself
//! ([`ScenarioBug`]). The system's own words are quoted, not translated.

use sockspec_results::{Doing, Queue, ScenarioBug, Seen};

use super::{addrs, http, nth, zh_join};
use crate::lang::Lang;

/// What a program that never became ready was seen doing instead.
pub(super) fn seen(s: &Seen, lang: Lang) -> String {
    match (s, lang) {
        (Seen::ListeningLate(a), Lang::En) => format!("listening on {a} only just now"),
        (Seen::ListeningLate(a), Lang::Zh) => format!("直到最后一刻才在 {a} 上监听"),
        (Seen::ListensElsewhere { addrs: a, port }, Lang::En) => format!(
            "listening on {} instead of port {port} (is the port hard-coded?)",
            addrs(a)
        ),
        (Seen::ListensElsewhere { addrs: a, port }, Lang::Zh) => format!(
            "它在 {} 上监听，而不是端口 {port}（端口是写死在代码里的吗？）",
            addrs(a)
        ),
        (Seen::UdpInsteadOfTcp(port), Lang::En) => format!(
            "no TCP listener on port {port}, but a UDP socket is bound to it (SOCK_DGRAM instead of SOCK_STREAM?)"
        ),
        (Seen::UdpInsteadOfTcp(port), Lang::Zh) => format!(
            "端口 {port} 上没有 TCP 监听，却绑定了一个 UDP 套接字（把 SOCK_STREAM 写成了 SOCK_DGRAM？）"
        ),
        (Seen::OtherProcess(port), Lang::En) => {
            format!("no socket on port {port}; another process (not the target) listens on it")
        }
        (Seen::OtherProcess(port), Lang::Zh) => {
            format!("它在端口 {port} 上没有套接字；另一个进程（不是被测程序）在那里监听")
        }
        (Seen::NoSocket(port), Lang::En) => format!("no socket on port {port}"),
        (Seen::NoSocket(port), Lang::Zh) => format!("端口 {port} 上没有它的套接字"),
        (Seen::UdpElsewhere { addrs: a, port }, Lang::En) => format!(
            "a UDP socket is bound to {} instead of port {port} (is the port hard-coded?)",
            addrs(a)
        ),
        (Seen::UdpElsewhere { addrs: a, port }, Lang::Zh) => format!(
            "UDP 套接字绑定在 {} 上，而不是端口 {port}（端口是写死在代码里的吗？）",
            addrs(a)
        ),
        (Seen::TcpInsteadOfUdp(port), Lang::En) => format!(
            "a TCP listener on port {port} instead of a UDP socket (SOCK_STREAM instead of SOCK_DGRAM?)"
        ),
        (Seen::TcpInsteadOfUdp(port), Lang::Zh) => format!(
            "端口 {port} 上是 TCP 监听，而不是 UDP 套接字（把 SOCK_DGRAM 写成了 SOCK_STREAM？）"
        ),
        (Seen::NoUdpSocket(port), Lang::En) => format!("no UDP socket on port {port}"),
        (Seen::NoUdpSocket(port), Lang::Zh) => format!("端口 {port} 上没有 UDP 套接字"),
    }
}

fn queue(q: Queue, lang: Lang) -> &'static str {
    match (q, lang) {
        (Queue::RepliesToMessages, Lang::En) => "replies to messages sent",
        (Queue::RepliesToDatagrams, Lang::En) => "replies to datagrams sent",
        (Queue::MessagesToAnswer, Lang::En) => "messages from the target to answer",
        (Queue::DatagramsToAnswer, Lang::En) => "datagrams to answer",
        (Queue::RepliesToMessages, Lang::Zh) => "条对已发消息的回复",
        (Queue::RepliesToDatagrams, Lang::Zh) => "条对已发数据报的回复",
        (Queue::MessagesToAnswer, Lang::Zh) => "条待回复的程序消息",
        (Queue::DatagramsToAnswer, Lang::Zh) => "个待回复的数据报",
    }
}

pub(super) fn bug_en(b: &ScenarioBug) -> String {
    match b {
        ScenarioBug::NotTcp(n) => format!("`{n}` is a UDP socket, not a TCP connection"),
        ScenarioBug::NotUdp(n) => format!("`{n}` is not a UDP socket"),
        ScenarioBug::NotOpen(n) => format!("connection `{n}` is not open"),
        ScenarioBug::NotStarted => "the target has not been started (add a `start` step)".into(),
        ScenarioBug::NoUdpServer => "this role has no harness UDP server socket".into(),
        ScenarioBug::NoListener => "this role has no harness listener".into(),
        ScenarioBug::NoReceivers => "this role has no harness receivers".into(),
        ScenarioBug::TooFew { want, what, have } => format!(
            "the scenario wants {want} {} but there are only {have} (a scenario bug)",
            queue(*what, Lang::En)
        ),
        ScenarioBug::NotClosedByHarness(n) => {
            format!("connection `{n}` was not closed by the harness (a scenario bug)")
        }
        ScenarioBug::BadRegex { rule, error } => format!("bad body regex {rule:?}: {error}"),
    }
}

pub(super) fn bug_zh(b: &ScenarioBug) -> String {
    let text = match b {
        ScenarioBug::NotTcp(n) => format!("`{n}` 是 UDP 套接字，不是 TCP 连接"),
        ScenarioBug::NotUdp(n) => format!("`{n}` 不是 UDP 套接字"),
        ScenarioBug::NotOpen(n) => format!("连接 `{n}` 没有打开"),
        ScenarioBug::NotStarted => "程序还没有启动（加一个 `start` 步骤）".into(),
        ScenarioBug::NoUdpServer => "这个角色没有测试端的 UDP 服务端套接字".into(),
        ScenarioBug::NoListener => "这个角色没有测试端的监听套接字".into(),
        ScenarioBug::NoReceivers => "这个角色没有测试端的接收者".into(),
        ScenarioBug::TooFew { want, what, have } => {
            let unit = match what {
                Queue::DatagramsToAnswer => "个",
                _ => "条",
            };
            format!(
                "场景要取 {want} {}，但只有 {have} {unit}",
                queue(*what, Lang::Zh)
            )
        }
        ScenarioBug::NotClosedByHarness(n) => format!("连接 `{n}` 并没有被测试端关闭"),
        ScenarioBug::BadRegex { rule, error } => {
            format!("正文规则 {rule:?} 不是合法的正则表达式：{error}")
        }
    };
    format!("{text}（场景文件的错误）")
}

pub(super) fn io_en(doing: &Doing, e: &str) -> String {
    match doing {
        Doing::Listen(a) => format!("the harness cannot listen on {a}: {e}"),
        Doing::BindReceiver(p) => format!("the harness cannot bind a receiver to port {p}: {e}"),
        Doing::Accept => format!("accept failed: {e}"),
        Doing::Broadcast(a) => format!("broadcasting to {a} failed: {e}"),
        Doing::BindUdp(a) => format!("cannot bind a UDP socket to {a}: {e}"),
        Doing::SendDatagram(a) => format!("sending a datagram to {a} failed: {e}"),
        Doing::Receive => format!("receiving failed: {e}"),
        Doing::ReceiveReply(n) => format!("receiving {} failed: {e}", nth(*n, Lang::En)),
        Doing::ReplyTo(a) => format!("replying to {a} failed: {e}"),
        Doing::Connect(a) => format!("cannot connect to {a}: {e}"),
        Doing::LocalAddr => format!("connected socket has no address: {e}"),
        Doing::AcceptedAddr => format!("accepted socket has no address: {e}"),
        Doing::Write => format!("write failed: {e}"),
        Doing::Read => format!("reading failed: {e}"),
        Doing::ReadReply(n) => format!("reading {} failed: {e}", nth(*n, Lang::En)),
        Doing::ReadHttp(m) => format!("reading {} failed: {e}", http(*m, Lang::En)),
        Doing::Shutdown => format!("shutdown failed: {e}"),
        Doing::Cork => format!("TCP_CORK failed: {e}"),
        Doing::Abort => format!("abort failed: {e}"),
        Doing::Linger => format!("SO_LINGER failed: {e}"),
        Doing::Stdin => format!("cannot type on the target's stdin: {e} (has it stopped reading?)"),
        Doing::PropertyRunner => format!("the property runner failed: {e}"),
        Doing::RestartPort => format!("no free port to restart the target: {e}"),
        Doing::Port => format!("no free port for the target: {e}"),
    }
}

pub(super) fn io_zh(doing: &Doing, e: &str) -> String {
    match doing {
        Doing::Listen(a) => format!("测试端无法在 {a} 上监听：{e}"),
        Doing::BindReceiver(p) => format!("测试端无法把接收者绑定到端口 {p}：{e}"),
        Doing::Accept => format!("accept 失败：{e}"),
        Doing::Broadcast(a) => format!("向 {a} 广播失败：{e}"),
        Doing::BindUdp(a) => format!("无法把 UDP 套接字绑定到 {a}：{e}"),
        Doing::SendDatagram(a) => format!("向 {a} 发送数据报失败：{e}"),
        Doing::Receive => format!("接收失败：{e}"),
        Doing::ReceiveReply(n) => format!("接收{}失败：{e}", nth(*n, Lang::Zh)),
        Doing::ReplyTo(a) => format!("回复 {a} 失败：{e}"),
        Doing::Connect(a) => format!("无法连接 {a}：{e}"),
        Doing::LocalAddr => format!("已连接的套接字没有地址：{e}"),
        Doing::AcceptedAddr => format!("接受的套接字没有地址：{e}"),
        Doing::Write => format!("写入失败：{e}"),
        Doing::Read => format!("读取失败：{e}"),
        Doing::ReadReply(n) => format!("读取{}失败：{e}", nth(*n, Lang::Zh)),
        Doing::ReadHttp(m) => format!("{}：{e}", zh_join(&["读取", http(*m, Lang::Zh), "失败"])),
        Doing::Shutdown => format!("shutdown 失败：{e}"),
        Doing::Cork => format!("设置 TCP_CORK 失败：{e}"),
        Doing::Abort => format!("重置连接失败：{e}"),
        Doing::Linger => format!("设置 SO_LINGER 失败：{e}"),
        Doing::Stdin => format!("无法在程序的标准输入上输入：{e}（它已经不再读取了吗？）"),
        Doing::PropertyRunner => format!("性质检查的运行器出错：{e}"),
        Doing::RestartPort => format!("没有空闲端口来重启程序：{e}"),
        Doing::Port => format!("没有给程序用的空闲端口：{e}"),
    }
}
