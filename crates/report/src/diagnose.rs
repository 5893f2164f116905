//! What the runner found out about a failing program, said the way a
//! teacher standing behind the student would say it: what the program is
//! doing right now, in the course's words (阻塞, 缓冲区, 四次挥手, b''), and
//! what to change. The runner only gathers facts ([`Diagnosis`]); the
//! sentences live here, in both languages, so that every reporter says the
//! same thing and a better wording is one edit.
//!
//! Sentences name the program by its role ("the server", 服务端) because
//! that is how the notes and the student think of it, keep API names as
//! they are written in Python (`recv()`, `SO_REUSEADDR`, `b''`), and end
//! without a full stop, as a line of the report does.

use sockspec_model::{Localized, Role};
use sockspec_results::{BindProblem, BlockedCall, Diagnosis, RoleSign, SocketView};

use crate::Lang;

/// The sentence for `d`, about a program of `role`, in `lang`.
pub(crate) fn sentence(d: &Diagnosis, role: Role, lang: Lang) -> String {
    match d {
        Diagnosis::Blocked { call, socket } => blocked(*call, socket.as_ref(), role, lang),
        Diagnosis::Spinning {
            cpu_percent,
            after_peer_closed,
            ..
        } => spinning(*cpu_percent, *after_peer_closed, role, lang),
        Diagnosis::LeakingSockets { counts, close_wait } => {
            leaking(counts, *close_wait, role, lang)
        }
        Diagnosis::Exception {
            class,
            detail,
            at,
            code,
        } => exception(class, detail, at.as_deref(), code.as_deref(), role, lang),
        Diagnosis::Bound { addr, problem } => bound(*addr, *problem, role, lang),
        Diagnosis::WrongRole { seen, plays } => wrong_role(*seen, *plays, lang),
        Diagnosis::PageNotFound { path, cwd } => page_not_found(path, cwd, lang),
    }
}

/// The sentence in both languages, for the JSON report.
pub(crate) fn both(d: &Diagnosis, role: Role) -> Localized {
    Localized {
        en: sentence(d, role, Lang::En),
        zh: sentence(d, role, Lang::Zh),
    }
}

/// How the notes name the program: "the server", 服务端.
pub(crate) fn who(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::TcpServer | Role::UdpServer | Role::HttpServer => lang.pick("the server", "服务端"),
        Role::TcpClient | Role::UdpClient | Role::HttpClient => lang.pick("the client", "客户端"),
        Role::BroadcastSender => lang.pick("the sender", "发送端"),
        Role::BroadcastReceiver => lang.pick("the receiver", "接收端"),
    }
}

/// The other end of the program's connection.
fn peer(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::TcpServer | Role::UdpServer | Role::HttpServer => lang.pick("the client", "客户端"),
        Role::TcpClient | Role::UdpClient | Role::HttpClient => lang.pick("the server", "服务端"),
        Role::BroadcastSender | Role::BroadcastReceiver => lang.pick("the peer", "对方"),
    }
}

/// Whether the role speaks UDP (datagrams, recvfrom, no connection).
pub(crate) fn is_udp(role: Role) -> bool {
    matches!(
        role,
        Role::UdpServer | Role::UdpClient | Role::BroadcastSender | Role::BroadcastReceiver
    )
}

fn is_server(role: Role) -> bool {
    matches!(role, Role::TcpServer | Role::UdpServer | Role::HttpServer)
}

/// What the program receives: a request, a response or a message.
fn thing(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::HttpServer => lang.pick("request", "请求"),
        Role::HttpClient => lang.pick("response", "响应"),
        _ => lang.pick("message", "消息"),
    }
}

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
fn waiting_to_read(socket: Option<&SocketView>, lang: Lang) -> String {
    let (rx, tx) = socket.map_or((0, 0), |s| (s.rx_queue, s.tx_queue));
    match lang {
        Lang::En if rx > 0 => format!(
            "; {rx} bytes wait unread in its receive buffer, yet it waits for more: it asks for \
             more bytes than were sent (MSG_WAITALL, or a loop until a fixed size), so answer \
             what has come"
        ),
        Lang::Zh if rx > 0 => format!(
            "，接收缓冲区里还有 {rx} 字节没读，它却还在等更多数据：要的字节数比对方发的多\
             （MSG_WAITALL，或者循环读到固定长度才处理）；收到多少就先处理多少"
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

fn blocked(call: BlockedCall, socket: Option<&SocketView>, role: Role, lang: Lang) -> String {
    let who = who(role, lang);
    let at = on(socket, lang);
    let recv = if is_udp(role) { "recvfrom()" } else { "recv()" };
    match (call, lang) {
        (BlockedCall::Recv, Lang::En) => format!(
            "{who} is blocked in {recv}{at}{}",
            waiting_to_read(socket, lang)
        ),
        (BlockedCall::Recv, Lang::Zh) => {
            format!("{who}阻塞在 {recv} 上{at}{}", waiting_to_read(socket, lang))
        }
        (BlockedCall::Poll, Lang::En) => format!(
            "{who} is waiting in select()/poll(){at}, which is also how {recv} waits on a \
             socket with settimeout(){}",
            waiting_to_read(socket, lang)
        ),
        (BlockedCall::Poll, Lang::Zh) => format!(
            "{who}在 select()/poll() 里等待{at}（设置过 settimeout() 的 {recv} 也是这样等的）{}",
            waiting_to_read(socket, lang)
        ),
        (BlockedCall::Send, _) => blocked_send(socket, who, lang),
        (BlockedCall::Accept, Lang::En) => format!(
            "{who} is blocked in accept(){at}, waiting for a new client, while the harness is \
             connected and waiting for a reply: is accept() inside the message loop? Accept \
             each client once, then loop on recv() and send() with the socket accept() returned"
        ),
        (BlockedCall::Accept, Lang::Zh) => format!(
            "{who}阻塞在 accept() 上{at}，在等新的客户端，而测试端已经连上、正在等回复：\
             是不是把 accept() 放进了收发消息的循环里？每个客户端只 accept() 一次，\
             然后用 accept() 返回的连接套接字循环 recv() 和 send()"
        ),
        (BlockedCall::ReadStdin, Lang::En) => format!(
            "{who} is blocked reading standard input (input()), waiting for a line to be typed, \
             while the harness waits for it on the socket: send() each line it reads (framed \
             as the contract says), then recv() and print the reply, before the next input()"
        ),
        (BlockedCall::ReadStdin, Lang::Zh) => format!(
            "{who}阻塞在读标准输入（input()）上，在等用户输入下一行，而测试端在套接字那头等它：\
             读到的每一行都要 send() 出去（按约定加上消息边界），再 recv() 收到回复并打印，\
             然后才读下一行"
        ),
        (BlockedCall::Connect, Lang::En) => {
            let to = socket
                .and_then(|s| s.peer)
                .map(|p| format!(" to {p}"))
                .unwrap_or_default();
            format!(
                "{who} is blocked in connect(){to}: nothing answers at that address; connect \
                 to the host and port given on the command line (sys.argv), not hard-coded ones"
            )
        }
        (BlockedCall::Connect, Lang::Zh) => {
            let to = socket
                .and_then(|s| s.peer)
                .map(|p| format!("（连接 {p}）"))
                .unwrap_or_default();
            format!(
                "{who}阻塞在 connect() 上{to}：那个地址一直没有应答；\
                 要连接命令行给的主机和端口（sys.argv），不要写死"
            )
        }
        (BlockedCall::Sleep, Lang::En) => format!(
            "{who} is sleeping (time.sleep()) while the harness waits for it: a sleep in the \
             loop delays every answer; remove it, or make it short"
        ),
        (BlockedCall::Sleep, Lang::Zh) => format!(
            "{who}正在 sleep（time.sleep()），而测试端在等它：循环里的 sleep 会拖慢每一次回复；\
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

fn spinning(cpu: u32, after_peer_closed: bool, role: Role, lang: Lang) -> String {
    let who = who(role, lang);
    match (after_peer_closed, lang) {
        (true, Lang::En) => format!(
            "{who} is spinning at {cpu}% CPU after the peer closed: recv() returns b'' \
             forever; break out of the loop when it does"
        ),
        (true, Lang::Zh) => {
            let spins = if cpu >= 90 {
                format!("占满 CPU 空转（{cpu}%）")
            } else {
                format!("在空转，CPU 占用 {cpu}%")
            };
            format!(
                "对方关闭连接后{who}{spins}：recv() 一直返回空字节串 b''，\
                 收到 b'' 时应当跳出循环"
            )
        }
        (false, Lang::En) => format!(
            "{who} is spinning at {cpu}% CPU where it should be waiting: the loop never blocks \
             (a non-blocking socket polled over and over, or an exception caught and retried at \
             once); let recv() and accept() block, or sleep between tries"
        ),
        (false, Lang::Zh) => format!(
            "{who}本该阻塞等待，却在空转，CPU 占用 {cpu}%：循环里没有会阻塞的调用\
             （比如反复轮询非阻塞套接字，或者捕获异常后立刻重试）；\
             让 recv() 和 accept() 阻塞等待，或者每次重试之间 sleep 一下"
        ),
    }
}

fn leaking(counts: &[usize], close_wait: usize, role: Role, lang: Lang) -> String {
    let who = who(role, lang);
    let list = |sep: &str| {
        counts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(sep)
    };
    match lang {
        Lang::En => {
            let mut text = if counts.len() >= 2 {
                format!(
                    "{who}'s open sockets grow with every client ({})",
                    list(", ")
                )
            } else {
                format!("{who} keeps sockets open after their clients leave")
            };
            match close_wait {
                0 => {}
                1 => text.push_str(" and 1 is in CLOSE_WAIT"),
                n => text.push_str(&format!(" and {n} are in CLOSE_WAIT")),
            }
            text.push_str(
                ": connection sockets are never closed; call close() on each accepted socket \
                 when its client leaves",
            );
            text
        }
        Lang::Zh => {
            let mut text = if counts.len() >= 2 {
                format!("{who}打开的套接字随每个客户端增加（{} 个）", list("、"))
            } else {
                format!("{who}在客户端离开后仍然开着它们的套接字")
            };
            if close_wait > 0 {
                text.push_str(&format!(
                    "，其中 {close_wait} 个处于 CLOSE_WAIT：客户端已经关闭，{who}却一直没有 \
                     close()，四次挥手没有完成"
                ));
            } else {
                text.push_str("：连接套接字从来没有关闭");
            }
            text.push_str(
                "；客户端离开（recv() 返回 b''）时，要对 accept() 得到的那个连接套接字调用 close()",
            );
            text
        }
    }
}

fn bound(addr: std::net::SocketAddr, problem: BindProblem, role: Role, lang: Lang) -> String {
    let who = who(role, lang);
    match (problem, lang) {
        (BindProblem::WrongPort { expected }, Lang::En) => {
            let is = if is_udp(role) {
                "is bound to"
            } else {
                "is listening on"
            };
            format!(
                "{who} {is} {addr}, expected port {expected}: read the port from the command \
                 line (sys.argv) instead of hard-coding it"
            )
        }
        (BindProblem::WrongPort { expected }, Lang::Zh) => {
            let is = if is_udp(role) {
                format!("绑定在 {addr} 上")
            } else {
                format!("在 {addr} 上监听")
            };
            format!(
                "{who}{is}，但给它的端口是 {expected}：端口要从命令行（sys.argv）读取，不要写死"
            )
        }
        (BindProblem::NotAllAddresses, Lang::En) => format!(
            "{who} is bound to {}: a broadcast receiver must bind all addresses ('' or \
             '0.0.0.0') to get what is sent to the broadcast address",
            addr.ip()
        ),
        (BindProblem::NotAllAddresses, Lang::Zh) => format!(
            "{who}绑定在 {} 上，收不到发往广播地址的数据报：广播接收端要绑定所有地址\
             （'' 或 '0.0.0.0'）",
            addr.ip()
        ),
    }
}

/// A program graded under the other end's role: what gave it away, and
/// the `--role` the grader meant.
fn wrong_role(seen: RoleSign, plays: Role, lang: Lang) -> String {
    let (it_is, not) = (who(plays, lang), who(plays.counterpart(), lang));
    let (it_is, not) = match lang {
        // "the server" → "a server", for "it is a server, not a client".
        Lang::En => (
            it_is.replacen("the ", "a ", 1),
            not.replacen("the ", "a ", 1),
        ),
        Lang::Zh => (it_is.to_owned(), not.to_owned()),
    };
    match (seen, lang) {
        (RoleSign::Listens(addr), Lang::En) => format!(
            "this program listens on {addr}: it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Listens(addr), Lang::Zh) => format!(
            "这个程序在 {addr} 上监听：它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::BindsHarnessPort(port), Lang::En) => format!(
            "this program binds port {port}, where the harness itself listens as the other end: a program that binds its port and waits is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::BindsHarnessPort(port), Lang::Zh) => format!(
            "这个程序要绑定端口 {port}，而测试端自己正作为另一端占着这个端口：绑定端口然后等待的程序是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::Connects(Some(addr)), Lang::En) => format!(
            "this program connects to {addr} instead of listening: it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Connects(Some(addr)), Lang::Zh) => format!(
            "这个程序没有监听，而是去连接 {addr}：它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
        (RoleSign::Connects(None), Lang::En) => format!(
            "this program's connect() was refused (ConnectionRefusedError): it connects instead of listening, so it is {it_is}, not {not}; did you mean --role {plays}?"
        ),
        (RoleSign::Connects(None), Lang::Zh) => format!(
            "这个程序的 connect() 被拒绝了（ConnectionRefusedError）：它是去连接别人，而不是监听，所以它是{it_is}，不是{not}；是不是应该用 --role {plays}？"
        ),
    }
}

/// A page server that answered 404 to its own page: where it looked.
fn page_not_found(path: &str, cwd: &std::path::Path, lang: Lang) -> String {
    let cwd = cwd.display();
    match lang {
        Lang::En => format!(
            "GET {path} was answered 404 Not Found: a page server opens index.html relative to its working directory, here {cwd}; start it in the folder of its page with --cwd DIR (cwd: in an assignment), or have it build the path from __file__"
        ),
        Lang::Zh => format!(
            "GET {path} 得到的是 404 Not Found：网页服务器是相对当前工作目录（这里是 {cwd}）去打开 index.html 的；请用 --cwd 目录 让它在网页所在的文件夹里启动（作业文件里写 cwd:），或者让程序用 __file__ 拼出文件路径"
        ),
    }
}

/// `at` without what tells a student nothing (`, in <module>`).
fn at_en(at: &str) -> &str {
    at.strip_suffix(", in <module>").unwrap_or(at)
}

/// `server.py, line 18, in handle` as Chinese: `server.py 第 18 行（handle 函数）`.
fn at_zh(at: &str) -> String {
    let Some((file, rest)) = at.split_once(", line ") else {
        return at.to_owned();
    };
    let (line, function) = match rest.split_once(", in ") {
        Some((line, f)) => (line, Some(f)),
        None => (rest, None),
    };
    match function {
        Some(f) if f != "<module>" => format!("{file} 第 {line} 行（{f} 函数）"),
        _ => format!("{file} 第 {line} 行"),
    }
}

/// The sentence for an uncaught exception: what happened, then the fix.
fn exception(
    class: &str,
    detail: &str,
    at: Option<&str>,
    code: Option<&str>,
    role: Role,
    lang: Lang,
) -> String {
    let (meaning, fix) = explain(class, detail, code.unwrap_or(""), role, lang);
    match lang {
        Lang::En => {
            let mut head = class.to_owned();
            if let Some(at) = at {
                head.push_str(&format!(" at {}", at_en(at)));
            }
            if let Some(code) = code {
                head.push_str(&format!(": {code}"));
            }
            format!("{head} — {meaning}. {fix}")
        }
        Lang::Zh => {
            let head = match (at, code) {
                (Some(at), Some(code)) => format!("{}的 {code} 抛出了 {class}", at_zh(at)),
                (Some(at), None) => format!("{}抛出了 {class}", at_zh(at)),
                (None, Some(code)) => format!("{code} 抛出了 {class}"),
                (None, None) => format!("程序抛出了 {class}"),
            };
            format!("{head}：{meaning}。{fix}")
        }
    }
}

/// What the exception means for this program, and what to change: the
/// classes socket homework runs into, each with its cause in the notes'
/// terms; any other class gets the general advice.
fn explain(class: &str, detail: &str, code: &str, role: Role, lang: Lang) -> (String, String) {
    let peer = peer(role, lang);
    let thing = thing(role, lang);
    let errno =
        |n: u32, words: &str| detail.contains(&format!("[Errno {n}]")) || detail.contains(words);
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    match class {
        "BrokenPipeError" => (
            match lang {
                Lang::En => format!(
                    "{peer} had already closed the connection, and send() on a connection \
                     whose other end is gone raises BrokenPipeError (the notes: sending to an \
                     end that no longer exists)"
                ),
                Lang::Zh => format!(
                    "{peer}已经关闭了连接，再往这个连接 send() 就会产生 BrokenPipeError\
                     （笔记：一端已经不存在，仍试图通过 send 发送，就会产生 BrokenPipeError）"
                ),
            },
            if is_server(role) {
                s(
                    "When recv() returns b'' the client has left: stop sending, close() that \
                     socket and go back to accept(); and catch BrokenPipeError around send(), \
                     for a client that leaves in the middle of a reply",
                    "recv() 返回 b'' 就说明客户端已经走了：不要再发送，close() 这个连接套接字，\
                     回到 accept()；客户端也可能在回复发到一半时离开，所以还要用 \
                     try/except BrokenPipeError 把 send() 包起来",
                )
            } else {
                s(
                    "When recv() returns b'' the other end has closed: stop sending, close() \
                     the socket and quit; and catch BrokenPipeError around send()",
                    "recv() 返回 b'' 说明对方已经关闭：不要再发送，close() 套接字然后退出；\
                     send() 也要用 try/except BrokenPipeError 包起来",
                )
            },
        ),
        "ConnectionResetError" => (
            match lang {
                Lang::En => format!(
                    "{peer} reset the connection (RST: it was killed, or closed with data it \
                     had not read), and then recv() and send() raise ConnectionResetError \
                     instead of returning b''"
                ),
                Lang::Zh => format!(
                    "{peer}重置了连接（RST：对方进程被杀掉，或者关闭时还有数据没读），\
                     这时 recv() 和 send() 不会返回 b''，而是抛出 ConnectionResetError"
                ),
            },
            if is_server(role) {
                s(
                    "Catch ConnectionResetError around recv() and send() and treat it like \
                     b'': close() that socket and go back to accept(); one client's crash must \
                     not stop the server",
                    "用 try/except ConnectionResetError 包住 recv() 和 send()，按收到 b'' \
                     一样处理：close() 这个连接套接字，回到 accept()；一个客户端出了问题，\
                     不能让整个服务端退出",
                )
            } else {
                s(
                    "Catch ConnectionResetError around recv() and send(), tell the user the \
                     other end went away, close() the socket and quit",
                    "用 try/except ConnectionResetError 包住 recv() 和 send()，提示用户对方已经\
                     断开，close() 套接字后退出",
                )
            },
        ),
        "ConnectionRefusedError" if is_udp(role) => (
            s(
                "the previous sendto() went to a port no program has bound, and the system's \
                 \"port unreachable\" answer comes back as this error on the next recvfrom()",
                "上一次 sendto() 发往的端口上没有程序绑定，系统回的“端口不可达”\
                 在下一次 recvfrom() 时变成了这个异常",
            ),
            s(
                "Send to the host and port given on the command line (sys.argv), not \
                 hard-coded ones; and catch ConnectionRefusedError (like socket.timeout) so \
                 that one lost reply does not end the program",
                "要发往命令行给的主机和端口（sys.argv），不要写死；\
                 还要像 socket.timeout 一样捕获 ConnectionRefusedError，\
                 别让一次没收到回复就结束整个程序",
            ),
        ),
        "ConnectionRefusedError" => (
            s(
                "connect() was refused: nothing is listening at that address and port",
                "connect() 被拒绝，那个地址和端口上没有程序在监听",
            ),
            s(
                "Connect to the host and port given on the command line (sys.argv), not \
                 hard-coded ones",
                "要连接命令行给的主机和端口（sys.argv），不要写死",
            ),
        ),
        "ConnectionAbortedError" => (
            s(
                "the connection was aborted before the program could use it: on Linux, \
                 accept() raises this when a client connects and resets before accept() \
                 takes it",
                "连接在程序用到它之前就被中止了：在 Linux 上，客户端连上之后、\
                 还没被 accept() 取走就重置了连接，accept() 就会抛出这个异常",
            ),
            s(
                "Catch ConnectionAbortedError (or OSError) around accept() and around \
                 recv()/send(), drop that connection and keep serving the others",
                "用 try/except ConnectionAbortedError（或 OSError）包住 accept() 和 \
                 recv()/send()，丢掉这个连接，继续服务其他客户端",
            ),
        ),
        _ if errno(98, "Address already in use") || detail.contains("[WinError 10048]") => (
            s(
                "the port is still taken when bind() runs: after the four-way close the \
                 previous run's connections wait in TIME_WAIT, and without SO_REUSEADDR the \
                 port cannot be bound again until they are gone",
                "上一次运行的连接四次挥手之后还处于 TIME_WAIT，端口还被占着，\
                 不设置 SO_REUSEADDR 的话，要等它们消失才能再次 bind() 这个端口",
            ),
            s(
                "Set SO_REUSEADDR before bind(): \
                 sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "在 bind() 之前设置端口重用：\
                 sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\
                 （笔记：SO_REUSEADDR 让套接字关闭后端口立刻可以重用）",
            ),
        ),
        _ if errno(13, "Permission denied")
            && (code.contains("sendto") || role == Role::BroadcastSender) =>
        {
            (
                s(
                    "sendto() to the broadcast address is refused on a socket that has not \
                     been allowed to broadcast",
                    "套接字没有打开广播选项，sendto() 发往广播地址就会被系统拒绝",
                ),
                s(
                    "Set SO_BROADCAST before sending: \
                     sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)",
                    "发送之前设置 SO_BROADCAST：\
                     sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)",
                ),
            )
        }
        _ if errno(13, "Permission denied") && code.contains("bind") => (
            s(
                "binding a port below 1024 needs root",
                "绑定 1024 以下的端口需要 root 权限",
            ),
            s(
                "Bind the port given on the command line (sys.argv)",
                "绑定命令行给的端口（sys.argv）",
            ),
        ),
        _ if errno(13, "Permission denied") => (
            s(
                "the system refused access to a file: under the grader a program may write \
                 only in its own folder (and /tmp)",
                "系统拒绝访问一个文件，评分时程序只能写它自己的目录（和 /tmp）",
            ),
            s(
                "Open files by paths inside the program's own folder, and only write where \
                 it may",
                "只用程序自己目录里的路径打开文件，也只在允许的地方写文件",
            ),
        ),
        _ if errno(9, "Bad file descriptor") => (
            s(
                "a socket was used after close(): close() inside the loop and recv() on it \
                 again, or the listening socket closed after the first client",
                "套接字 close() 之后又被使用了，比如在循环里 close() 了，下一轮又对它 recv()，\
                 或者第一个客户端走后就关掉了监听套接字",
            ),
            s(
                "Close a connection socket once, when its client has left, and the listening \
                 socket only when the server stops",
                "连接套接字在客户端离开时关闭一次就够了，监听套接字要等服务端结束时才关闭",
            ),
        ),
        _ if errno(99, "Cannot assign requested address") => (
            s(
                "bind() was given an address that is not one of this machine's",
                "bind() 用的地址不是这台机器的地址",
            ),
            s(
                "Bind '' (all addresses) or the host given on the command line",
                "绑定 ''（所有地址）或者命令行给的主机地址",
            ),
        ),
        "UnicodeDecodeError" => (
            s(
                "decode() was given bytes that are not UTF-8: recv() returns whatever bytes \
                 the peer sent, and one recv() may also end in the middle of a character (TCP \
                 is a stream of bytes)",
                "recv() 收到的是对方发来的任意字节，不一定是 UTF-8，\
                 而且一次 recv() 也可能在一个汉字中间截断（TCP 是字节流），\
                 decode() 遇到这样的字节就会出错",
            ),
            s(
                "Decode with errors='replace' (data.decode('utf-8', errors='replace')), or \
                 keep working on bytes; bytes from the network must never crash the program",
                "解码时加上 errors='replace'（data.decode('utf-8', errors='replace')），\
                 或者直接按字节处理；网络上来的字节不能让程序崩溃",
            ),
        ),
        "IndexError" => (
            match lang {
                Lang::En => format!(
                    "an index went past the end of a list: an empty {thing} (a peer that \
                     connects and closes without sending makes recv() return b'') splits into \
                     an empty list, and split()[1] has nothing to give"
                ),
                Lang::Zh => format!(
                    "空{thing}（对方连上就关闭、什么也没发，recv() 返回 b''）\
                     split() 之后是空列表，split()[1] 下标越界，取不到东西"
                ),
            },
            empty_first(role, lang),
        ),
        "ValueError" if detail.starts_with("invalid literal for int()") => (
            match lang {
                Lang::En => format!("int() was given text that is not a whole number ({detail})"),
                Lang::Zh => format!("int() 拿到的文本不是整数（{detail}）"),
            },
            s(
                "Strip the text (value.strip()) and check it (value.isdigit()) before int(), \
                 and answer an error rather than crash",
                "先用 strip() 去掉空白，用 isdigit() 检查之后再 int()，\
                 不对就回一个错误，而不是让程序崩溃",
            ),
        ),
        "ValueError" => (
            match lang {
                Lang::En => format!(
                    "unpacking failed ({detail}): an empty or short {thing} (recv() returned \
                     b'', or a line without spaces) does not split into the parts the code \
                     expects"
                ),
                Lang::Zh => format!(
                    "空的或不完整的{thing}（recv() 返回了 b''，或者一行里没有空格）\
                     split() 之后不够拆成代码要的几部分，拆包失败（{detail}）"
                ),
            },
            match lang {
                Lang::En => format!(
                    "{}, and check len(parts) before unpacking",
                    empty_first(role, lang)
                ),
                Lang::Zh => format!("{}；拆包之前先检查 len(parts)", empty_first(role, lang)),
            },
        ),
        "KeyError" if matches!(role, Role::HttpServer | Role::HttpClient) => (
            match lang {
                Lang::En => format!(
                    "a dictionary has no key {}: e.g. headers['Content-Length'] on a message \
                     that has no body, and so no Content-Length header",
                    key(detail, lang)
                ),
                Lang::Zh => format!(
                    "字典里没有键 {}，比如没有请求体的消息就没有 Content-Length 头，\
                     这时 headers['Content-Length'] 就会抛出 KeyError",
                    key(detail, lang)
                ),
            },
            s(
                "Use headers.get('Content-Length', '0'); header names are case-insensitive, \
                 so store them lowercased",
                "用 headers.get('Content-Length', '0') 取值；头部名称不区分大小写，\
                 存的时候统一转成小写",
            ),
        ),
        "KeyError" => (
            match lang {
                Lang::En => format!(
                    "a dictionary has no key {}: something was looked up that was never stored",
                    key(detail, lang)
                ),
                Lang::Zh => format!(
                    "字典里没有键 {}，查的是一个从来没有存进去的键",
                    key(detail, lang)
                ),
            },
            s(
                "Use d.get(key) and handle None, or check key in d first",
                "用 d.get(key) 取值并处理 None 的情况，或者先检查 key in d",
            ),
        ),
        "timeout" | "socket.timeout" | "TimeoutError" => (
            s(
                "a socket with settimeout() waited longer than its timeout, so recv() raised \
                 instead of returning data",
                "设置了 settimeout() 的套接字等待超过了时限，于是 recv() 抛出了异常，\
                 而不是返回数据",
            ),
            if role == Role::UdpClient {
                s(
                    "Catch socket.timeout (TimeoutError): a datagram may be lost, so say that \
                     no reply came and go on to the next line",
                    "捕获 socket.timeout（TimeoutError）：UDP 数据报可能丢失，\
                     提示没有收到回复，接着处理下一行",
                )
            } else {
                s(
                    "Catch socket.timeout (TimeoutError) where a wait may end without data, \
                     or set no timeout on a socket that must wait (a server waiting for its \
                     clients)",
                    "在可能等不到数据的地方捕获 socket.timeout（TimeoutError）；\
                     必须一直等下去的套接字（比如等客户端的服务端）就不要设置超时",
                )
            },
        ),
        "MemoryError" => (
            s(
                "the program ran out of memory: it keeps everything it receives in one \
                 buffer, or asks recv() for a size the peer announced (a huge Content-Length)",
                "程序把内存用完了，要么是把收到的所有数据都攒在一个缓冲区里，\
                 要么按对方声称的大小（比如一个巨大的 Content-Length）去 recv()",
            ),
            s(
                "recv() in pieces of a fixed size (recv(4096)), handle each as it comes, and \
                 cap any length a peer announces",
                "每次 recv() 固定大小的一块（比如 recv(4096)），收到就处理，\
                 对方声称的长度要设上限",
            ),
        ),
        "FileNotFoundError" => file_not_found(detail, role, lang),
        _ => (
            match (lang, detail.is_empty()) {
                (Lang::En, true) => {
                    "the program stopped on an exception it did not catch".to_owned()
                }
                (Lang::En, false) => {
                    format!("the program stopped on an exception it did not catch: {detail}")
                }
                (Lang::Zh, true) => "程序因为没有捕获的异常而退出".to_owned(),
                (Lang::Zh, false) => format!("程序因为没有捕获的异常而退出（{detail}）"),
            },
            s(
                "The traceback in stderr shows where; catch the exception where it can \
                 happen, or fix its cause, so that one connection's trouble does not end the \
                 program",
                "stderr 里的 traceback 指出了出错的位置；在可能出错的地方捕获异常，\
                 或者修好原因，别让一个连接的问题让整个程序退出",
            ),
        ),
    }
}

/// "Check for the empty request first", for a server or another role.
fn empty_first(role: Role, lang: Lang) -> String {
    let thing = thing(role, lang);
    match (is_server(role), lang) {
        (true, Lang::En) => format!(
            "Check for the empty {thing} first: if not data: close() the connection and go \
             back to accept()"
        ),
        (true, Lang::Zh) => {
            format!("先检查是不是空{thing}：if not data: 就 close() 这个连接，回到 accept()")
        }
        (false, Lang::En) => {
            format!("Check for the empty {thing} (if not data:) before splitting it")
        }
        (false, Lang::Zh) => format!("先检查是不是空{thing}（if not data:），再去 split()"),
    }
}

/// The key of a KeyError as Python prints it (`'Content-Length'`).
fn key(detail: &str, lang: Lang) -> String {
    if detail.is_empty() {
        lang.pick("that was looked up", "（查找的那个键）")
            .to_owned()
    } else {
        detail.to_owned()
    }
}

fn file_not_found(detail: &str, role: Role, lang: Lang) -> (String, String) {
    // "[Errno 2] No such file or directory: 'index.html'"
    let file = detail
        .rsplit_once(": ")
        .map(|(_, f)| f)
        .filter(|f| f.starts_with('\'') || f.starts_with('"'));
    let absolute = file.is_some_and(|f| f[1..].starts_with('/'));
    let page = role == Role::HttpServer;
    if absolute {
        let file = file.unwrap_or_default();
        return (
            lang.pick(
                format!("{file} does not exist on the grading machine"),
                format!("评分机器上没有 {file} 这个文件"),
            ),
            lang.pick(
                "A path of your own machine is not on the grader's: open files by a path \
                 relative to the script's own folder (os.path.dirname(os.path.abspath(__file__)))"
                    .to_owned(),
                "你自己电脑上的路径在评分机器上并不存在：用相对脚本所在目录的路径打开文件\
                 （os.path.dirname(os.path.abspath(__file__))）"
                    .to_owned(),
            ),
        );
    }
    let name = file.unwrap_or("'index.html'");
    let shown = file.map_or_else(|| lang.pick("a file", "文件").to_owned(), str::to_owned);
    let meaning = lang.pick(
        format!(
            "open() looked for {shown} relative to the working directory, and the program was \
             started in another folder"
        ),
        format!("open() 是相对当前工作目录去找 {shown} 的，而程序是在别的目录里启动的"),
    );
    let mut fix = lang.pick(
        format!(
            "Grade it from the folder that holds {name}: --cwd DIR (cwd: in an assignment); \
             or, in the program, build the path from the script's own folder: \
             os.path.join(os.path.dirname(os.path.abspath(__file__)), {name})"
        ),
        format!(
            "评分时让它在 {name} 所在的文件夹里启动：--cwd 目录（作业文件里写 cwd:）；\
             或者在程序里用脚本自己所在的目录拼出路径：\
             os.path.join(os.path.dirname(os.path.abspath(__file__)), {name})"
        ),
    );
    if page {
        fix.push_str(lang.pick(
            "; and answer 404 for a missing file instead of crashing",
            "；文件不存在时回 404，而不是让程序崩溃",
        ));
    }
    (meaning, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn exc(class: &str, detail: &str, at: Option<&str>, code: Option<&str>) -> Diagnosis {
        Diagnosis::Exception {
            class: class.into(),
            detail: detail.into(),
            at: at.map(str::to_owned),
            code: code.map(str::to_owned),
        }
    }

    /// The sentence of an exception in both languages, for a TCP server.
    fn server(class: &str, detail: &str, code: Option<&str>) -> (String, String) {
        let d = exc(class, detail, Some("server.py, line 18, in <module>"), code);
        let t = both(&d, Role::TcpServer);
        (t.en, t.zh)
    }

    /// Asserts that `text` contains every one of `parts`.
    fn has(text: &str, parts: &[&str]) {
        for p in parts {
            assert!(text.contains(p), "{p:?} not in:\n{text}");
        }
    }

    #[test]
    fn an_exception_quotes_where_and_the_code() {
        let (en, zh) = server(
            "BrokenPipeError",
            "[Errno 32] Broken pipe",
            Some("conn.send(data)"),
        );
        assert!(
            en.starts_with("BrokenPipeError at server.py, line 18: conn.send(data) — "),
            "{en}"
        );
        assert!(
            zh.starts_with("server.py 第 18 行的 conn.send(data) 抛出了 BrokenPipeError："),
            "{zh}"
        );
        let d = exc("KeyError", "'Host'", Some("web.py, line 7, in parse"), None);
        let t = both(&d, Role::HttpServer);
        assert!(
            t.en.starts_with("KeyError at web.py, line 7, in parse — "),
            "{}",
            t.en
        );
        assert!(
            t.zh.starts_with("web.py 第 7 行（parse 函数）抛出了 KeyError："),
            "{}",
            t.zh
        );
        let t = both(&exc("MemoryError", "", None, None), Role::TcpServer);
        assert!(t.en.starts_with("MemoryError — "), "{}", t.en);
        assert!(t.zh.starts_with("程序抛出了 MemoryError："), "{}", t.zh);
    }

    #[test]
    fn broken_pipe_is_the_peer_that_left() {
        let (en, zh) = server(
            "BrokenPipeError",
            "[Errno 32] Broken pipe",
            Some("conn.send(data)"),
        );
        has(
            &en,
            &[
                "the client had already closed",
                "recv() returns b''",
                "accept()",
            ],
        );
        has(
            &zh,
            &[
                "客户端已经关闭了连接",
                "产生 BrokenPipeError",
                "回到 accept()",
            ],
        );
        let t = both(&exc("BrokenPipeError", "", None, None), Role::TcpClient);
        has(
            &t.en,
            &[
                "the server had already closed",
                "close() the socket and quit",
            ],
        );
        has(&t.zh, &["服务端已经关闭了连接", "退出"]);
    }

    #[test]
    fn connection_reset_is_an_rst_to_handle_like_b() {
        let (en, zh) = server(
            "ConnectionResetError",
            "[Errno 104] Connection reset by peer",
            None,
        );
        has(
            &en,
            &[
                "reset the connection (RST",
                "treat it like b''",
                "must not stop the server",
            ],
        );
        has(&zh, &["重置了连接（RST", "按收到 b'' 一样处理"]);
    }

    #[test]
    fn connection_refused_is_nothing_listening_or_an_unreachable_port() {
        let d = exc(
            "ConnectionRefusedError",
            "[Errno 111] Connection refused",
            None,
            Some("s.connect((host, port))"),
        );
        let t = both(&d, Role::TcpClient);
        has(&t.en, &["nothing is listening", "sys.argv"]);
        has(&t.zh, &["没有程序在监听", "不要写死"]);
        let t = both(&d, Role::UdpClient);
        has(&t.en, &["port unreachable", "recvfrom()"]);
        has(&t.zh, &["端口不可达", "recvfrom()"]);
    }

    #[test]
    fn connection_aborted_is_a_client_gone_before_accept() {
        let (en, zh) = server(
            "ConnectionAbortedError",
            "[Errno 103] Software caused connection abort",
            Some("conn, addr = s.accept()"),
        );
        has(
            &en,
            &["before accept() takes it", "keep serving the others"],
        );
        has(&zh, &["还没被 accept() 取走", "继续服务其他客户端"]);
    }

    #[test]
    fn address_in_use_is_so_reuseaddr() {
        let (en, zh) = server(
            "OSError",
            "[Errno 98] Address already in use",
            Some("s.bind(('', port))"),
        );
        has(
            &en,
            &["TIME_WAIT", "four-way close", "socket.SO_REUSEADDR, 1)"],
        );
        has(&zh, &["四次挥手", "TIME_WAIT", "端口重用", "SO_REUSEADDR"]);
        // The class matters less than the errno.
        let (en, _) = server("error", "[Errno 98] Address already in use", None);
        has(&en, &["SO_REUSEADDR"]);
    }

    #[test]
    fn permission_denied_on_a_broadcast_is_so_broadcast() {
        let d = exc(
            "PermissionError",
            "[Errno 13] Permission denied",
            Some("sender.py, line 9, in <module>"),
            Some("s.sendto(data, (addr, port))"),
        );
        let t = both(&d, Role::BroadcastSender);
        has(
            &t.en,
            &["broadcast address is refused", "socket.SO_BROADCAST, 1)"],
        );
        has(&t.zh, &["广播", "SO_BROADCAST"]);
        let d = exc(
            "OSError",
            "[Errno 13] Permission denied",
            None,
            Some("s.sendto(b'hi', ('<broadcast>', 9000))"),
        );
        assert!(both(&d, Role::UdpClient).en.contains("SO_BROADCAST"));
        let d = exc(
            "PermissionError",
            "[Errno 13] Permission denied",
            None,
            Some("s.bind(('', 80))"),
        );
        assert!(both(&d, Role::TcpServer).en.contains("below 1024"));
        let d = exc(
            "PermissionError",
            "[Errno 13] Permission denied: '/etc/x'",
            None,
            Some("open('/etc/x', 'w')"),
        );
        assert!(both(&d, Role::TcpServer).en.contains("own folder"));
    }

    #[test]
    fn other_errnos_homework_hits() {
        let (en, zh) = server(
            "OSError",
            "[Errno 9] Bad file descriptor",
            Some("data = conn.recv(1024)"),
        );
        has(&en, &["used after close()"]);
        has(&zh, &["close() 之后又被使用"]);
        let (en, _) = server(
            "OSError",
            "[Errno 99] Cannot assign requested address",
            None,
        );
        has(&en, &["not one of this machine's"]);
    }

    #[test]
    fn unicode_decode_error_is_bytes_that_are_not_utf8() {
        let (en, zh) = server(
            "UnicodeDecodeError",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
            Some("text = data.decode()"),
        );
        has(
            &en,
            &["not UTF-8", "errors='replace'", "keep working on bytes"],
        );
        has(&zh, &["不一定是 UTF-8", "errors='replace'", "字节流"]);
    }

    #[test]
    fn index_and_value_errors_are_an_empty_request() {
        let d = exc(
            "IndexError",
            "list index out of range",
            Some("web.py, line 12, in <module>"),
            Some("path = request.split()[1]"),
        );
        let t = both(&d, Role::HttpServer);
        has(
            &t.en,
            &[
                "an empty request",
                "b''",
                "Check for the empty request first",
                "if not data:",
            ],
        );
        has(&t.zh, &["空请求", "split()", "先检查是不是空请求"]);
        let d = exc(
            "ValueError",
            "not enough values to unpack (expected 3, got 0)",
            None,
            Some("method, path, version = line.split()"),
        );
        let t = both(&d, Role::HttpServer);
        has(
            &t.en,
            &[
                "unpacking failed (not enough values",
                "empty or short request",
                "len(parts)",
            ],
        );
        has(&t.zh, &["拆包失败", "len(parts)"]);
        let t = both(&d, Role::TcpClient);
        has(&t.en, &["empty or short message", "before splitting it"]);
        let d = exc(
            "ValueError",
            "invalid literal for int() with base 10: 'abc'",
            None,
            None,
        );
        has(
            &both(&d, Role::HttpServer).en,
            &["not a whole number", "isdigit()"],
        );
    }

    #[test]
    fn key_error_is_a_missing_header() {
        let d = exc(
            "KeyError",
            "'Content-Length'",
            None,
            Some("n = int(headers['Content-Length'])"),
        );
        let t = both(&d, Role::HttpServer);
        has(
            &t.en,
            &[
                "no key 'Content-Length'",
                "headers.get('Content-Length', '0')",
            ],
        );
        has(&t.zh, &["没有键 'Content-Length'", "headers.get("]);
        let t = both(&d, Role::TcpServer);
        has(&t.en, &["d.get(key)"]);
    }

    #[test]
    fn timeouts_are_settimeout() {
        for class in ["timeout", "socket.timeout", "TimeoutError"] {
            let d = exc(
                class,
                "timed out",
                None,
                Some("data, addr = s.recvfrom(1024)"),
            );
            let t = both(&d, Role::UdpClient);
            has(&t.en, &["settimeout()", "go on to the next line"]);
            has(&t.zh, &["settimeout()", "接着处理下一行"]);
            assert!(both(&d, Role::TcpServer).en.contains("set no timeout"));
        }
    }

    #[test]
    fn memory_error_is_an_unbounded_buffer() {
        let (en, zh) = server("MemoryError", "", Some("buf += conn.recv(n)"));
        has(&en, &["ran out of memory", "recv(4096)"]);
        has(&zh, &["内存", "recv(4096)"]);
    }

    #[test]
    fn file_not_found_is_the_working_directory() {
        let d = exc(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: 'index.html'",
            None,
            Some("f = open('index.html')"),
        );
        let t = both(&d, Role::HttpServer);
        has(
            &t.en,
            &[
                "'index.html' relative to the working directory",
                "__file__",
                "answer 404",
            ],
        );
        has(&t.zh, &["当前工作目录", "__file__", "404"]);
        let d = exc(
            "FileNotFoundError",
            "[Errno 2] No such file or directory: '/home/me/hw/index.html'",
            None,
            None,
        );
        has(
            &both(&d, Role::HttpServer).en,
            &["does not exist on the grading machine"],
        );
    }

    #[test]
    fn any_other_class_gets_the_general_advice() {
        let (en, zh) = server("ZeroDivisionError", "division by zero", Some("x = 1 / 0"));
        assert!(
            en.starts_with("ZeroDivisionError at server.py, line 18: x = 1 / 0 — "),
            "{en}"
        );
        has(&en, &["did not catch: division by zero", "traceback"]);
        has(&zh, &["没有捕获的异常", "division by zero", "traceback"]);
    }

    fn view(rx: u64, tx: u64) -> SocketView {
        SocketView {
            proto: "tcp",
            local: addr("127.0.0.1:40001"),
            peer: Some(addr("127.0.0.1:51234")),
            rx_queue: rx,
            tx_queue: tx,
            state: "ESTABLISHED",
        }
    }

    #[test]
    fn blocked_in_recv_with_empty_queues_is_both_ends_waiting() {
        let d = Diagnosis::Blocked {
            call: BlockedCall::Recv,
            socket: Some(view(0, 0)),
        };
        assert_eq!(
            sentence(&d, Role::TcpServer, Lang::En),
            "the server is blocked in recv() on 127.0.0.1:40001 ← 127.0.0.1:51234; nothing is \
             queued either way: both ends are waiting to receive (the notes: prevent both ends \
             from blocking — pair recv and send)"
        );
        assert_eq!(
            sentence(&d, Role::TcpServer, Lang::Zh),
            "服务端阻塞在 recv() 上（127.0.0.1:40001 ← 127.0.0.1:51234），双方缓冲区都是空的：\
             两端都在等对方发消息（笔记：防止两端都阻塞，recv 和 send 要配合使用）"
        );
        assert!(sentence(&d, Role::TcpClient, Lang::En).starts_with("the client is blocked"));
    }

    #[test]
    fn every_blocked_call_has_a_sentence_in_both_languages() {
        for call in [
            BlockedCall::Accept,
            BlockedCall::Recv,
            BlockedCall::Send,
            BlockedCall::Connect,
            BlockedCall::ReadStdin,
            BlockedCall::Poll,
            BlockedCall::Sleep,
            BlockedCall::Other(7),
        ] {
            for socket in [None, Some(view(3, 9000))] {
                let d = Diagnosis::Blocked {
                    call,
                    socket: socket.clone(),
                };
                let en = sentence(&d, Role::TcpServer, Lang::En);
                let zh = sentence(&d, Role::TcpServer, Lang::Zh);
                assert!(en.starts_with("the server "), "{en}");
                assert!(zh.starts_with("服务端"), "{zh}");
                assert!(!en.chars().any(|c| c > '\u{2fff}'), "CJK in English: {en}");
            }
        }
        let send = Diagnosis::Blocked {
            call: BlockedCall::Send,
            socket: Some(view(0, 2_626_560)),
        };
        has(
            &sentence(&send, Role::TcpServer, Lang::En),
            &["send buffer is full (2626560 bytes"],
        );
        has(
            &sentence(&send, Role::TcpServer, Lang::Zh),
            &["发送缓冲区已经满了"],
        );
        let accept = Diagnosis::Blocked {
            call: BlockedCall::Accept,
            socket: None,
        };
        has(
            &sentence(&accept, Role::TcpServer, Lang::En),
            &["accept() inside the message loop?"],
        );
    }

    #[test]
    fn spinning_leaking_and_bound() {
        let spin = Diagnosis::Spinning {
            cpu_percent: 100,
            window: std::time::Duration::from_millis(500),
            after_peer_closed: true,
        };
        assert_eq!(
            sentence(&spin, Role::TcpServer, Lang::En),
            "the server is spinning at 100% CPU after the peer closed: recv() returns b'' \
             forever; break out of the loop when it does"
        );
        assert_eq!(
            sentence(&spin, Role::TcpServer, Lang::Zh),
            "对方关闭连接后服务端占满 CPU 空转（100%）：recv() 一直返回空字节串 b''，\
             收到 b'' 时应当跳出循环"
        );
        let leak = Diagnosis::LeakingSockets {
            counts: vec![3, 4, 5],
            close_wait: 3,
        };
        assert_eq!(
            sentence(&leak, Role::TcpServer, Lang::En),
            "the server's open sockets grow with every client (3, 4, 5) and 3 are in \
             CLOSE_WAIT: connection sockets are never closed; call close() on each accepted \
             socket when its client leaves"
        );
        has(
            &sentence(&leak, Role::TcpServer, Lang::Zh),
            &["（3、4、5 个）", "CLOSE_WAIT", "四次挥手没有完成"],
        );
        let port = Diagnosis::Bound {
            addr: addr("127.0.0.1:9001"),
            problem: BindProblem::WrongPort { expected: 9000 },
        };
        has(
            &sentence(&port, Role::TcpServer, Lang::En),
            &["listening on 127.0.0.1:9001, expected port 9000"],
        );
        has(
            &sentence(&port, Role::UdpServer, Lang::En),
            &["bound to 127.0.0.1:9001"],
        );
        let all = Diagnosis::Bound {
            addr: addr("127.0.0.1:9000"),
            problem: BindProblem::NotAllAddresses,
        };
        has(
            &sentence(&all, Role::BroadcastReceiver, Lang::En),
            &[
                "the receiver is bound to 127.0.0.1: a broadcast receiver must bind all addresses ('' or '0.0.0.0')",
            ],
        );
        has(
            &sentence(&all, Role::BroadcastReceiver, Lang::Zh),
            &["接收端绑定在 127.0.0.1 上", "'0.0.0.0'"],
        );
    }
}
