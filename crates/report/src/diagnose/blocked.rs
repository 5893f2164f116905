//! A program blocked in a system call. Which call, and the queues of the
//! socket it waits on, tell apart the deadlocks the notes warn about (both
//! ends waiting to receive, both ends sending into full buffers) from a
//! read that asks for more than was sent and from an accept() or input()
//! in the wrong place. It is the one diagnosis read off a socket's queues,
//! so how a socket is quoted (`on ADDR`) and the notes' "pair recv and
//! send" live here and nowhere else.

use sockspec_model::Role;
use sockspec_results::{BlockedCall, Language, SocketView};

use super::{Words, args, eof, is_udp, recv_call, stdin_call, who, words};
use crate::Lang;

/// `127.0.0.1:40001 ← 127.0.0.1:51234` (local, then peer), or the local
/// address alone.
fn socket_text(s: &SocketView) -> String {
    match s.peer {
        Some(peer) => format!("{} ← {peer}", s.local),
        None => s.local.to_string(),
    }
}

/// " on ADDR" / "（ADDR）", or nothing without a socket.
fn on(socket: Option<&SocketView>, lang: Lang) -> String {
    match (socket, lang) {
        (None, _) => String::new(),
        (Some(s), Lang::En) => format!(" on {}", socket_text(s)),
        (Some(s), Lang::Zh) => format!("（{}）", socket_text(s)),
    }
}

const PAIR_EN: &str = "(the notes: prevent both ends from blocking — pair recv and send)";
const PAIR_ZH: &str = "（笔记：防止两端都阻塞，recv 和 send 要配合使用）";

/// What the queues of a socket the program waits to read on say.
fn waiting_to_read(socket: Option<&SocketView>, language: Language, lang: Lang) -> String {
    let (rx, tx) = socket.map_or((0, 0), |s| (s.rx_queue, s.tx_queue));
    let all = match words(language) {
        Words::Java => "readFully()",
        _ => "MSG_WAITALL",
    };
    match lang {
        Lang::En if rx > 0 => format!(
            "; {rx} bytes wait unread in its receive buffer, yet it waits for more: it asks for \
             more bytes than were sent ({all}, or a loop until a fixed size), so answer \
             what has come"
        ),
        Lang::Zh if rx > 0 => format!(
            "，接收缓冲区里还有 {rx} 字节没读，它却还在等更多数据：要的字节数比对方发的多\
             （{all}，或者循环读到固定长度才处理）；收到多少就先处理多少"
        ),
        Lang::En if socket.is_none() => {
            format!(": it waits for data that does not come, and the harness waits too {PAIR_EN}")
        }
        Lang::Zh if socket.is_none() => {
            format!("，在等一直不来的数据，而测试端也在等它{PAIR_ZH}")
        }
        Lang::En if tx > 0 => format!(
            "; nothing has come for it to read, and the {tx} bytes it sent are still queued: \
             both ends are waiting to receive {PAIR_EN}"
        ),
        Lang::Zh if tx > 0 => format!(
            "，没有数据可读，它发出的 {tx} 字节也还在缓冲区里：两端都在等对方发消息{PAIR_ZH}"
        ),
        Lang::En => {
            format!("; nothing is queued either way: both ends are waiting to receive {PAIR_EN}")
        }
        Lang::Zh => format!("，双方缓冲区都是空的：两端都在等对方发消息{PAIR_ZH}"),
    }
}

pub(super) fn blocked(
    call: BlockedCall,
    socket: Option<&SocketView>,
    peer_closed: bool,
    role: Role,
    language: Language,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let at = on(socket, lang);
    let recv = recv_call(role, language);
    let waiting = waiting_to_read(socket, language, lang);
    let w = words(language);
    let args = args(language);
    let input = stdin_call(language);
    let eof = eof(language);
    let (send, reply) = match (w, is_udp(role)) {
        (Words::Java, _) => ("write()", "read()"),
        (_, true) => ("sendto()", "recvfrom()"),
        (_, false) => ("send()", "recv()"),
    };
    let sleep = match w {
        Words::Python => "time.sleep()",
        Words::C => "sleep()",
        Words::Java => "Thread.sleep()",
    };
    let client = matches!(role, Role::TcpClient | Role::HttpClient);
    match (call, lang) {
        // The server left, and the client went on to read its next line:
        // the recv() that returned the end was not looked at.
        (BlockedCall::ReadStdin, Lang::En) if peer_closed && client => format!(
            "{who} is blocked reading standard input ({input}) for the next line to send, \
             although the server has closed the connection: {recv} returned {eof} and the \
             client did not check it; when it does, say that the server has gone, close \
             the socket and quit"
        ),
        (BlockedCall::ReadStdin, Lang::Zh) if peer_closed && client => format!(
            "{who}阻塞在读标准输入（{input}）上，等下一行要发送的内容，可是服务端已经关闭了连接：\
             {recv} 返回了 {eof}，客户端却没有检查；应该检查它，提示服务端已经断开，\
             关闭套接字后退出"
        ),
        (BlockedCall::Recv, Lang::En) => format!("{who} is blocked in {recv}{at}{waiting}"),
        (BlockedCall::Recv, Lang::Zh) => format!("{who}阻塞在 {recv} 上{at}{waiting}"),
        (BlockedCall::Poll, Lang::En) => match w {
            Words::C => format!("{who} is waiting in select()/poll(){at}{waiting}"),
            Words::Python => format!(
                "{who} is waiting in select()/poll(){at}, which is also how {recv} waits on a \
                 socket with settimeout(){waiting}"
            ),
            Words::Java => format!(
                "{who} is waiting in poll(){at}, which is how {recv} waits on a socket with \
                 setSoTimeout(){waiting}"
            ),
        },
        (BlockedCall::Poll, Lang::Zh) => match w {
            Words::C => format!("{who}在 select()/poll() 里等待{at}{waiting}"),
            Words::Python => format!(
                "{who}在 select()/poll() 里等待{at}（设置过 settimeout() 的 {recv} 也是这样等的）{waiting}"
            ),
            Words::Java => format!(
                "{who}在 poll() 里等待{at}（设置过 setSoTimeout() 的 {recv} 就是这样等的）{waiting}"
            ),
        },
        (BlockedCall::Send, _) => blocked_send(socket, who, lang),
        (BlockedCall::Accept, Lang::En) => format!(
            "{who} is blocked in accept(){at}, waiting for a new client, while the harness is \
             connected and waiting for a reply: is accept() inside the message loop? Accept \
             each client once, then loop on {recv} and send() with the socket accept() returned"
        ),
        (BlockedCall::Accept, Lang::Zh) => format!(
            "{who}阻塞在 accept() 上{at}，在等新的客户端，而测试端已经连上、正在等回复：\
             是不是把 accept() 放进了收发消息的循环里？每个客户端只 accept() 一次，\
             然后用 accept() 返回的连接套接字循环 {recv} 和 send()"
        ),
        (BlockedCall::ReadStdin, Lang::En) => format!(
            "{who} is blocked reading standard input ({input}), waiting for a line to be typed, \
             while the harness waits for it on the socket: {send} each line it reads (framed \
             as the contract says), then {reply} and print the reply, before the next {input}"
        ),
        (BlockedCall::ReadStdin, Lang::Zh) => format!(
            "{who}阻塞在读标准输入（{input}）上，在等用户输入下一行，而测试端在套接字那头等它：\
             读到的每一行都要 {send} 出去（按约定加上消息边界），再 {reply} 收到回复并打印，\
             然后才读下一行"
        ),
        (BlockedCall::Connect, Lang::En) => {
            let to = socket
                .and_then(|s| s.peer)
                .map(|p| format!(" to {p}"))
                .unwrap_or_default();
            format!(
                "{who} is blocked in connect(){to}: nothing answers at that address; connect \
                 to the host and port given on the command line ({args}), not hard-coded ones"
            )
        }
        (BlockedCall::Connect, Lang::Zh) => {
            let to = socket
                .and_then(|s| s.peer)
                .map(|p| format!("（连接 {p}）"))
                .unwrap_or_default();
            format!(
                "{who}阻塞在 connect() 上{to}：那个地址一直没有应答；\
                 要连接命令行给的主机和端口（{args}），不要写死"
            )
        }
        (BlockedCall::Sleep, Lang::En) => format!(
            "{who} is sleeping ({sleep}) while the harness waits for it: a sleep in the \
             loop delays every answer; remove it, or make it short"
        ),
        (BlockedCall::Sleep, Lang::Zh) => format!(
            "{who}正在 sleep（{sleep}），而测试端在等它：循环里的 sleep 会拖慢每一次回复；\
             去掉它，或者改短一些"
        ),
        (BlockedCall::Other(n), Lang::En) => format!(
            "{who} is blocked in system call {n}{at}, waiting for something the scenario does \
             not do"
        ),
        (BlockedCall::Other(n), Lang::Zh) => {
            format!("{who}阻塞在系统调用 {n} 上{at}，在等测试里不会发生的事")
        }
    }
}

fn blocked_send(socket: Option<&SocketView>, who: &str, lang: Lang) -> String {
    let at = on(socket, lang);
    let Some(s) = socket else {
        return lang.pick(
            format!(
                "{who} is blocked in send(): the other end is not reading what it sends \
                     {PAIR_EN}"
            ),
            format!("{who}阻塞在 send() 上：对方没有在读它发的数据{PAIR_ZH}"),
        );
    };
    let (rx, tx) = (s.rx_queue, s.tx_queue);
    match lang {
        Lang::En => {
            let mut text = format!(
                "{who} is blocked in send(){at}: its send buffer is full ({tx} bytes the peer \
                 has not read), so send() waits for room"
            );
            if rx > 0 {
                text.push_str(&format!(
                    ", while {rx} bytes it has not read fill its receive buffer: both ends are \
                     sending and neither receives; read and answer in turns {PAIR_EN}"
                ));
            } else {
                text.push_str(&format!(
                    "; only the other end's recv() makes room, so read and answer in turns \
                     {PAIR_EN}"
                ));
            }
            text
        }
        Lang::Zh => {
            let mut text = format!(
                "{who}阻塞在 send() 上{at}：发送缓冲区已经满了（{tx} 字节对方还没读），\
                 send() 只能等缓冲区腾出空间"
            );
            if rx > 0 {
                text.push_str(&format!(
                    "；它自己的接收缓冲区里也积压了 {rx} 字节没读：两端都在发、没有人在收；\
                     收一条回一条，轮流进行{PAIR_ZH}"
                ));
            } else {
                text.push_str(&format!(
                    "；只有对方 recv() 之后才能继续发，收发要轮流进行{PAIR_ZH}"
                ));
            }
            text
        }
    }
}
