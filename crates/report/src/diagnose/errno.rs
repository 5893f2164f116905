//! What an errno means for a socket program, and its fix in the program's
//! language. The errno is the system's fact, whichever language reported
//! it (a Python OSError's `[Errno 98]`, a C program's perror line, a Java
//! BindException): its meaning is said once, here, and only the code of
//! the fix differs (`sock.setsockopt(...)`, `setsockopt(fd, ...)`,
//! `ss.setReuseAddress(true)`).

use sockspec_model::Role;
use sockspec_results::{Errno, SocketCall};

use super::{Words, args, eof, is_server, is_udp, peer, recv_call, words};
use crate::Lang;
use sockspec_results::Language;

/// How to set a socket option in each language: SO_REUSEADDR.
fn reuseaddr(language: Language) -> &'static str {
    match words(language) {
        Words::Python => "sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        Words::C => "int one = 1; setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);",
        Words::Java => {
            "ServerSocket ss = new ServerSocket(); ss.setReuseAddress(true); \
             ss.bind(new InetSocketAddress(port));"
        }
    }
}

/// SO_BROADCAST, set in each language.
fn broadcast(language: Language) -> &'static str {
    match words(language) {
        Words::Python => "sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)",
        Words::C => "int one = 1; setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);",
        Words::Java => "socket.setBroadcast(true);",
    }
}

/// What `errno` means for a program of `role` whose `call` failed (when
/// known), and what to change in `language`; `None` for an errno this
/// table has nothing particular to say about in that language.
pub(super) fn explain(
    errno: Errno,
    call: Option<SocketCall>,
    role: Role,
    language: Language,
    lang: Lang,
) -> Option<(String, String)> {
    let w = words(language);
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let args = args(language);
    let peer = peer(role, lang);
    let udp = is_udp(role);
    Some(match errno {
        // UDP has no connections to wait out: another socket holds the port.
        Errno::AddrInUse if udp => (
            s(
                "the port is still taken when bind() runs: another UDP socket is bound \
                 to it (an earlier run of the program still running, or another program)",
                "bind() 时端口还被占着：另一个 UDP 套接字已经绑定了它（之前运行的程序\
                 还没退出，或者是别的程序）",
            ),
            lang.pick(
                format!(
                    "Stop the other program, and bind the port given on the command line \
                     ({args}), not a hard-coded one"
                ),
                format!("先结束另一个程序，并绑定命令行给的端口（{args}），不要写死端口"),
            ),
        ),
        // The JDK sets SO_REUSEADDR on a ServerSocket itself (on Linux): a
        // Java server that cannot bind meets another socket, most often one
        // of its own.
        Errno::AddrInUse if w == Words::Java => (
            s(
                "the port is taken when the ServerSocket binds it: another socket holds it, \
                 most often a ServerSocket of the same program made again for each client \
                 (inside the accept() loop) while the first is still open, or an earlier run \
                 still running",
                "ServerSocket 绑定端口时端口被占着：另一个套接字占着它，最常见的是同一个程序\
                 在每个客户端到来时（accept() 循环里）又创建了一个 ServerSocket，而第一个还没关闭；\
                 或者之前运行的程序还没退出",
            ),
            lang.pick(
                format!(
                    "Create the ServerSocket once, before the accept() loop, and accept() \
                     every client from it; to bind a port still in TIME_WAIT, set \
                     SO_REUSEADDR before binding: {}",
                    reuseaddr(language)
                ),
                format!(
                    "ServerSocket 只创建一次，放在 accept() 循环之前，所有客户端都从它 accept()；\
                     要绑定仍处于 TIME_WAIT 的端口，先设置 SO_REUSEADDR 再绑定：{}",
                    reuseaddr(language)
                ),
            ),
        ),
        Errno::AddrInUse => (
            s(
                "the port is still taken when bind() runs: after the four-way close the \
                 previous run's connections wait in TIME_WAIT, and without SO_REUSEADDR the \
                 port cannot be bound again until they are gone",
                "上一次运行的连接四次挥手之后还处于 TIME_WAIT，端口还被占着，\
                 不设置 SO_REUSEADDR 的话，要等它们消失才能再次 bind() 这个端口",
            ),
            match lang {
                Lang::En => format!("Set SO_REUSEADDR before bind(): {}", reuseaddr(language)),
                Lang::Zh => format!(
                    "在 bind() 之前设置端口重用：{}（笔记：SO_REUSEADDR 让套接字关闭后端口立刻可以重用）",
                    reuseaddr(language)
                ),
            },
        ),
        Errno::Acces if call == Some(SocketCall::Send) || role == Role::BroadcastSender => (
            s(
                "sendto() to the broadcast address is refused on a socket that has not \
                 been allowed to broadcast",
                "套接字没有打开广播选项，sendto() 发往广播地址就会被系统拒绝",
            ),
            lang.pick(
                format!("Set SO_BROADCAST before sending: {}", broadcast(language)),
                format!("发送之前设置 SO_BROADCAST：{}", broadcast(language)),
            ),
        ),
        Errno::Acces if call == Some(SocketCall::Bind) => (
            s(
                "binding a port below 1024 needs root",
                "绑定 1024 以下的端口需要 root 权限",
            ),
            lang.pick(
                format!("Bind the port given on the command line ({args})"),
                format!("绑定命令行给的端口（{args}）"),
            ),
        ),
        Errno::Acces => (
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
        Errno::BadF => (
            match (w, udp) {
                (Words::C, true) => s(
                    "a descriptor that is not open was used: one already close()d (inside \
                     the loop), or the -1 of a socket() whose failure was not checked",
                    "用了一个没有打开的描述符：已经 close() 过的（比如在循环里关掉了），\
                     或者 socket() 失败返回的 -1 没有检查就拿来用了",
                ),
                (Words::C, false) => s(
                    "a descriptor that is not open was used: one already close()d (inside \
                     the loop), or the -1 of a socket() or accept() whose failure was not \
                     checked",
                    "用了一个没有打开的描述符：已经 close() 过的（比如在循环里关掉了），\
                     或者 socket()/accept() 失败返回的 -1 没有检查就拿来用了",
                ),
                (_, true) => s(
                    "a socket was used after close(): close() inside the loop and recvfrom() \
                     on it again",
                    "套接字 close() 之后又被使用了，比如在循环里 close() 了，下一轮又对它 recvfrom()",
                ),
                (_, false) => s(
                    "a socket was used after close(): close() inside the loop and recv() on \
                     it again, or the listening socket closed after the first client",
                    "套接字 close() 之后又被使用了，比如在循环里 close() 了，下一轮又对它 recv()，\
                     或者第一个客户端走后就关掉了监听套接字",
                ),
            },
            match (w, udp) {
                (_, true) => s(
                    "Close the socket only when the program ends",
                    "套接字要等程序结束时才关闭",
                ),
                (Words::C, false) => s(
                    "Check socket() and accept() for -1; close a connection's descriptor \
                     once, when its client has left, and the listening one only when the \
                     server stops",
                    "检查 socket() 和 accept() 是否返回 -1；连接的描述符在客户端离开时关闭一次，\
                     监听的描述符要等服务端结束时才关闭",
                ),
                (_, false) => s(
                    "Close a connection socket once, when its client has left, and the \
                     listening socket only when the server stops",
                    "连接套接字在客户端离开时关闭一次就够了，监听套接字要等服务端结束时才关闭",
                ),
            },
        ),
        Errno::AddrNotAvail => (
            s(
                "bind() was given an address that is not one of this machine's",
                "bind() 用的地址不是这台机器的地址",
            ),
            match w {
                Words::Python => s(
                    "Bind '' (all addresses) or the host given on the command line",
                    "绑定 ''（所有地址）或者命令行给的主机地址",
                ),
                Words::C => s(
                    "Bind INADDR_ANY (addr.sin_addr.s_addr = htonl(INADDR_ANY)) or the host \
                     given on the command line",
                    "绑定 INADDR_ANY（addr.sin_addr.s_addr = htonl(INADDR_ANY)）或者命令行给的主机地址",
                ),
                Words::Java => s(
                    "Bind every address (new ServerSocket(port), with no address) or the \
                     host given on the command line",
                    "绑定所有地址（new ServerSocket(port)，不指定地址）或者命令行给的主机地址",
                ),
            },
        ),
        // The others Python raises as classes of their own, with their own
        // sentences; these are C's and Java's.
        _ if w == Words::Python => return python_only(errno, role, lang),
        Errno::ConnRefused if udp => (
            s(
                "the previous send went to a port no program has bound, and the system's \
                 \"port unreachable\" answer comes back as ECONNREFUSED on the next call",
                "上一次发往的端口上没有程序绑定，系统回的“端口不可达”在下一次调用时变成了 \
                 ECONNREFUSED",
            ),
            lang.pick(
                format!(
                    "Send to the host and port given on the command line ({args}), not \
                     hard-coded ones; and treat this error like a lost reply, not the end"
                ),
                format!("要发往命令行给的主机和端口（{args}），不要写死；这个错误要像没收到回复一样处理，不要因此退出"),
            ),
        ),
        Errno::ConnRefused => (
            s(
                "connect() was refused: nothing is listening at that address and port",
                "connect() 被拒绝，那个地址和端口上没有程序在监听",
            ),
            match w {
                Words::C => s(
                    "Connect to the host and port given on the command line (argv[1], \
                     argv[2]), with the port through htons()",
                    "要连接命令行给的主机和端口（argv[1]、argv[2]），端口要经过 htons() 转换",
                ),
                _ => lang.pick(
                    format!(
                        "Connect to the host and port given on the command line ({args}), \
                         not hard-coded ones"
                    ),
                    format!("要连接命令行给的主机和端口（{args}），不要写死"),
                ),
            },
        ),
        Errno::TimedOut | Errno::HostUnreach | Errno::NetUnreach => (
            s(
                "nothing answers at that address: it is not one this machine can reach",
                "那个地址没有应答，这台机器到不了它",
            ),
            lang.pick(
                format!(
                    "Use the host and port given on the command line ({args}), not a \
                     classroom's hard-coded address"
                ),
                format!("要用命令行给的主机和端口（{args}），不要写死教室里的地址"),
            ),
        ),
        Errno::Pipe if udp => (
            s(
                "a write went to a pipe or socket that nothing reads any more",
                "往一个已经没有人读的管道或套接字里写数据",
            ),
            s(
                "Check each write's return for -1 and stop writing there",
                "检查每次写操作是否返回 -1，出错就不要再写了",
            ),
        ),
        Errno::Pipe => (
            lang.pick(
                format!(
                    "{peer} had already closed the connection, and a send() to a connection \
                     whose other end is gone fails with EPIPE (the notes: sending to an end \
                     that no longer exists)"
                ),
                format!(
                    "{peer}已经关闭了连接，再往这个连接 send() 就会失败，errno 为 EPIPE\
                     （笔记：一端已经不存在，仍试图通过 send 发送）"
                ),
            ),
            end_of_peer(role, language, lang),
        ),
        Errno::ConnReset if call == Some(SocketCall::Send) => {
            let send = match words(language) {
                Words::Java => "write()",
                _ => "send()",
            };
            (
                lang.pick(
                    format!(
                        "{peer} reset the connection (RST: it was killed, or closed with data \
                         it had not read), and the {send} that came next failed with ECONNRESET"
                    ),
                    format!(
                        "{peer}重置了连接（RST：对方进程被杀掉，或者关闭时还有数据没读），\
                         之后的 {send} 就失败了，errno 为 ECONNRESET"
                    ),
                ),
                end_of_peer(role, language, lang),
            )
        }
        Errno::ConnReset => (
            lang.pick(
                format!(
                    "{peer} reset the connection (RST: it was killed, or closed with data it \
                     had not read), and then {} fails with ECONNRESET instead of returning {}",
                    recv_call(role, language),
                    eof(language)
                ),
                format!(
                    "{peer}重置了连接（RST：对方进程被杀掉，或者关闭时还有数据没读），\
                     这时 {} 不会返回 {}，而是失败，errno 为 ECONNRESET",
                    recv_call(role, language),
                    eof(language)
                ),
            ),
            end_of_peer(role, language, lang),
        ),
        Errno::ConnAborted => (
            s(
                "a client connected and reset the connection before accept() took it",
                "客户端连上之后、还没被 accept() 取走就重置了连接",
            ),
            s(
                "On ECONNABORTED, go back to accept(): it is that one client's trouble, not \
                 the server's",
                "遇到 ECONNABORTED 就回到 accept() 继续等：这只是那一个客户端的问题，不是服务端的",
            ),
        ),
        Errno::Inval if call == Some(SocketCall::Bind) => (
            s(
                "bind() on a socket that is already bound (bind() called twice, or inside \
                 the loop), or with an address length that is not that of the address",
                "对已经绑定过的套接字又 bind() 了一次（调用了两次，或者放在循环里），\
                 或者地址长度参数不对",
            ),
            match w {
                Words::C => s(
                    "Bind once, before the loop, with sizeof addr as the length",
                    "只 bind() 一次，放在循环前面，长度参数用 sizeof addr",
                ),
                _ => s("Bind once, before the loop", "只 bind() 一次，放在循环前面"),
            },
        ),
        Errno::Inval if call == Some(SocketCall::Accept) && !udp => (
            s(
                "accept() on a socket that is not listening: listen() was never called on it",
                "对没有在监听的套接字调用了 accept()：没有先调用 listen()",
            ),
            match w {
                Words::C => s(
                    "Call listen(fd, 5) after bind() and before accept(), and check each for -1",
                    "在 bind() 之后、accept() 之前调用 listen(fd, 5)，并检查每个调用是否返回 -1",
                ),
                _ => s(
                    "Call listen() after bind() and before accept()",
                    "在 bind() 之后、accept() 之前调用 listen()",
                ),
            },
        ),
        Errno::Inval => (
            s(
                "a call was given an argument it does not take: an address length, a flag, or \
                 a socket of the wrong type for it",
                "调用收到了它不接受的参数：地址长度、标志，或者类型不对的套接字",
            ),
            s(
                "Check the arguments of that call against its manual page (man 2 NAME), and \
                 each call's return for -1",
                "对照手册（man 2 调用名）检查这个调用的参数，并检查每个调用是否返回 -1",
            ),
        ),
        Errno::NotConn if udp => (
            s(
                "send() on a UDP socket that has no peer address: a UDP socket sends with \
                 sendto() and the address recvfrom() gave",
                "对没有对端地址的 UDP 套接字调用了 send()：UDP 要用 sendto()，\
                 地址用 recvfrom() 得到的那个",
            ),
            s(
                "Reply with sendto(reply, addr) to the address recvfrom() returned",
                "用 sendto() 回复到 recvfrom() 返回的地址",
            ),
        ),
        Errno::NotConn => (
            s(
                "a send or receive on a socket that is not connected: the listening socket \
                 instead of the one accept() returned, or a client's socket whose connect() \
                 failed",
                "在没有连接的套接字上收发数据：用的是监听套接字，而不是 accept() 返回的那个，\
                 或者客户端的 connect() 其实失败了",
            ),
            match w {
                Words::C => s(
                    "Send and receive on the descriptor accept() returns (int conn = \
                     accept(fd, ...)), and check connect() for -1",
                    "用 accept() 返回的描述符收发（int conn = accept(fd, ...)），并检查 connect() 是否返回 -1",
                ),
                _ => s(
                    "Send and receive on the socket accept() returns",
                    "用 accept() 返回的套接字收发数据",
                ),
            },
        ),
        Errno::Intr => (
            {
                let waiting = if udp { "recvfrom()" } else { "accept()" };
                lang.pick(
                    format!(
                        "a signal interrupted the call: SIGCHLD, when a forked child ends, \
                         stops a parent waiting in {waiting}"
                    ),
                    format!(
                        "调用被信号打断了：fork 出来的子进程结束时的 SIGCHLD 会打断在 {waiting} 里等待的父进程"
                    ),
                )
            },
            s(
                "Call it again when it fails with EINTR (if (errno == EINTR) continue;), or \
                 install the SIGCHLD handler with SA_RESTART",
                "失败且 errno 为 EINTR 时重新调用（if (errno == EINTR) continue;），\
                 或者用 SA_RESTART 安装 SIGCHLD 的处理函数",
            ),
        ),
        Errno::NotSock => (
            s(
                "a socket call was given a descriptor that is not a socket: the wrong \
                 variable, or a file's",
                "套接字调用收到的描述符不是套接字：用错了变量，或者是文件的描述符",
            ),
            if udp {
                s(
                    "Pass the descriptor socket() returned",
                    "传入 socket() 返回的那个描述符",
                )
            } else {
                s(
                    "Pass the descriptor socket() or accept() returned",
                    "传入 socket() 或 accept() 返回的那个描述符",
                )
            },
        ),
        Errno::MsgSize => (
            s(
                "a datagram bigger than UDP allows (65507 bytes of payload)",
                "数据报超过了 UDP 允许的大小（最多 65507 字节）",
            ),
            s(
                "Send at most 65507 bytes in one datagram",
                "一个数据报最多发 65507 字节",
            ),
        ),
        Errno::MFile => (
            s(
                "the program has too many open descriptors: sockets are opened and never \
                 closed",
                "程序打开的描述符太多了：套接字打开之后从来没有关闭",
            ),
            if udp {
                s(
                    "Make one socket and use it for every datagram, or close() each one it \
                     makes",
                    "只创建一个套接字收发所有数据报，或者每个新建的套接字用完都 close()",
                )
            } else {
                s(
                    "Close each connection socket when its client leaves",
                    "客户端离开时关闭它的连接套接字",
                )
            },
        ),
        Errno::Again => (
            s(
                "a non-blocking socket (or one with a receive timeout) had nothing to read yet",
                "非阻塞的（或者设置了接收超时的）套接字暂时没有数据可读",
            ),
            s(
                "Let the socket block, or wait with select()/poll() before reading",
                "让套接字阻塞，或者先用 select()/poll() 等到可读再读",
            ),
        ),
        Errno::Perm | Errno::NoEnt | Errno::NoMem | Errno::AfNoSupport => return None,
    })
}

/// The errnos Python has no class of its own for that this table speaks of.
fn python_only(errno: Errno, role: Role, lang: Lang) -> Option<(String, String)> {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    Some(match errno {
        Errno::TimedOut | Errno::HostUnreach | Errno::NetUnreach => (
            s(
                "nothing answers at that address: it is not one this machine can reach",
                "那个地址没有应答，这台机器到不了它",
            ),
            s(
                "Use the host and port given on the command line (sys.argv), not a \
                 classroom's hard-coded address",
                "要用命令行给的主机和端口（sys.argv），不要写死教室里的地址",
            ),
        ),
        Errno::MsgSize => (
            s(
                "a datagram bigger than UDP allows (65507 bytes of payload)",
                "数据报超过了 UDP 允许的大小（最多 65507 字节）",
            ),
            s(
                "Send at most 65507 bytes in one sendto()",
                "一次 sendto() 最多发 65507 字节",
            ),
        ),
        Errno::NotConn if !is_udp(role) => (
            s(
                "a send or receive on a socket that is not connected: the listening socket \
                 instead of the one accept() returned",
                "在没有连接的套接字上收发数据：用的是监听套接字，而不是 accept() 返回的那个",
            ),
            s(
                "conn, addr = s.accept(), then conn.recv() and conn.send()",
                "conn, addr = s.accept()，然后用 conn.recv() 和 conn.send()",
            ),
        ),
        _ => return None,
    })
}

/// What to do when the peer has gone (EPIPE, ECONNRESET): a server closes
/// that connection and goes back to accept(); a client quits.
fn end_of_peer(role: Role, language: Language, lang: Lang) -> String {
    let recv = recv_call(role, language);
    let eof = eof(language);
    match (is_server(role), words(language), lang) {
        (true, Words::Java, Lang::En) => "Catch IOException around each client's loop, close() \
             that socket and go back to accept(): one client's trouble must not stop the server"
            .to_owned(),
        (true, Words::Java, Lang::Zh) => "用 try/catch 捕获每个客户端循环里的 IOException，\
             close() 这个连接的套接字，回到 accept()：一个客户端出了问题，不能让整个服务端退出"
            .to_owned(),
        (true, _, Lang::En) => format!(
            "Treat it like {recv} returning {eof}: close() that connection and go back to \
             accept(); one client's trouble must not stop the server"
        ),
        (true, _, Lang::Zh) => format!(
            "按 {recv} 返回 {eof} 一样处理：close() 这个连接，回到 accept()；\
             一个客户端出了问题，不能让整个服务端退出"
        ),
        (false, _, Lang::En) => format!(
            "Treat it like {recv} returning {eof}: tell the user the other end went away, \
             close() the socket and quit"
        ),
        (false, _, Lang::Zh) => {
            format!("按 {recv} 返回 {eof} 一样处理：提示用户对方已经断开，close() 套接字后退出")
        }
    }
}
