//! An uncaught Python exception, read from the program's traceback. It is
//! the diagnosis that keeps a table: the exception classes socket homework
//! runs into, each with its cause in the notes' terms and its fix, plus how
//! a traceback's `file, line, function` is quoted in each language. An
//! OSError's errno is explained by [`super::errno`], as every language's
//! is. Growing that table should not crowd the other diagnoses.

use sockspec_model::Role;
use sockspec_results::{Diagnosis, Errno, Language, SocketCall};

use super::{is_server, is_udp, peer, thing};
use crate::Lang;

mod classes;
use classes::python_class;

/// Classes that say no more than "a system call failed": the errno is what
/// tells, so it is named beside them.
const GENERIC: &[&str] = &[
    "OSError",
    "IOError",
    "EnvironmentError",
    "error",
    "socket.error",
];

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
pub(super) fn exception(d: &Diagnosis, role: Role, lang: Lang) -> String {
    let Diagnosis::Exception {
        class,
        detail,
        at,
        code,
        errno,
        caret,
        socketserver,
    } = d
    else {
        return String::new();
    };
    let (at, code) = (at.as_deref(), code.as_deref());
    let facts = Facts {
        class,
        short: class.rsplit('.').next().unwrap_or(class),
        detail,
        code: code.unwrap_or(""),
        errno: *errno,
        caret: *caret,
        socketserver: *socketserver,
        line: at
            .and_then(|a| a.split(", line ").nth(1))
            .map(|l| l.split(',').next().unwrap_or(l)),
    };
    let (meaning, fix) = explain(&facts, role, lang);
    let named = match errno.filter(|_| GENERIC.contains(&class.as_str())) {
        Some(e) => lang.pick(
            format!("{class} ({})", e.name()),
            format!("{class}（{}）", e.name()),
        ),
        None => class.clone(),
    };
    match lang {
        Lang::En => {
            let mut head = named;
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
                (Some(at), Some(code)) => format!("{}的 {code} 抛出了 {named}", at_zh(at)),
                (Some(at), None) => format!("{}抛出了 {named}", at_zh(at)),
                (None, Some(code)) => format!("{code} 抛出了 {named}"),
                (None, None) => format!("程序抛出了 {named}"),
            };
            format!("{head}：{meaning}。{fix}")
        }
    }
}

/// What the table reads of an exception.
pub(super) struct Facts<'a> {
    /// As printed: `struct.error`.
    class: &'a str,
    /// Without its module: `error`.
    short: &'a str,
    detail: &'a str,
    /// The line of code, or empty.
    code: &'a str,
    errno: Option<Errno>,
    caret: Option<u32>,
    socketserver: bool,
    /// The line number of the frame shown.
    line: Option<&'a str>,
}

/// What the exception means for this program, and what to change: the
/// classes socket homework runs into, each with its cause in the notes'
/// terms; any other class gets the general advice.
fn explain(f: &Facts<'_>, role: Role, lang: Lang) -> (String, String) {
    let peer = peer(role, lang);
    let thing = thing(role, lang);
    let (class, detail, code) = (f.short, f.detail, f.code);
    let recv = if is_udp(role) { "recvfrom()" } else { "recv()" };
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    // The call the line makes, for an errno that means different things
    // for different calls (EACCES).
    let call = if code.contains("sendto") {
        Some(SocketCall::Send)
    } else if code.contains("bind") {
        Some(SocketCall::Bind)
    } else {
        None
    };
    if let Some(found) = python_class(f, role, lang) {
        return found;
    }
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
        _ if let Some(found) = f
            .errno
            .and_then(|e| super::errno::explain(e, call, role, Language::Python, lang)) =>
        {
            found
        }
        "UnicodeDecodeError" if role.transport() == sockspec_model::Transport::Datagram => (
            s(
                "decode() was given bytes that are not UTF-8: recvfrom() returns whatever \
                 bytes the peer sent in its datagram",
                "recvfrom() 收到的是对方在数据报里发来的任意字节，不一定是 UTF-8，\
                 decode() 遇到这样的字节就会出错",
            ),
            s(
                "Decode with errors='replace' (data.decode('utf-8', errors='replace')), or \
                 keep working on bytes; bytes from the network must never crash the program",
                "解码时加上 errors='replace'（data.decode('utf-8', errors='replace')），\
                 或者直接按字节处理；网络上来的字节不能让程序崩溃",
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
        "IndexError" if is_udp(role) => (
            match lang {
                Lang::En => format!(
                    "an index went past the end of a list: an empty {thing} (an empty \
                     datagram makes recvfrom() return b'') splits into an empty list, and \
                     split()[1] has nothing to give"
                ),
                Lang::Zh => format!(
                    "空{thing}（收到空数据报时 recvfrom() 返回 b''）\
                     split() 之后是空列表，split()[1] 下标越界，取不到东西"
                ),
            },
            empty_first(role, lang),
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
                    "unpacking failed ({detail}): an empty or short {thing} ({recv} returned \
                     b'', or a line without spaces) does not split into the parts the code \
                     expects"
                ),
                Lang::Zh => format!(
                    "空的或不完整的{thing}（{recv} 返回了 b''，或者一行里没有空格）\
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
                    "{}，比如没有请求体的消息就没有 Content-Length 头，\
                     这时 headers['Content-Length'] 就会抛出 KeyError",
                    no_key_zh(detail)
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
                Lang::Zh => format!("{}，查的是一个从来没有存进去的键", no_key_zh(detail)),
            },
            s(
                "Use d.get(key) and handle None, or check key in d first",
                "用 d.get(key) 取值并处理 None 的情况，或者先检查 key in d",
            ),
        ),
        "timeout" | "socket.timeout" | "TimeoutError" => (
            match lang {
                Lang::En => format!(
                    "a socket with settimeout() waited longer than its timeout, so {recv} \
                     raised instead of returning data"
                ),
                Lang::Zh => format!(
                    "设置了 settimeout() 的套接字等待超过了时限，于是 {recv} 抛出了异常，\
                     而不是返回数据"
                ),
            },
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
            if is_udp(role) {
                s(
                    "The traceback in stderr shows where; catch the exception where it can \
                     happen, or fix its cause, so that one datagram's trouble does not end \
                     the program",
                    "stderr 里的 traceback 指出了出错的位置；在可能出错的地方捕获异常，\
                     或者修好原因，别让一个数据报的问题让整个程序退出",
                )
            } else {
                s(
                    "The traceback in stderr shows where; catch the exception where it can \
                     happen, or fix its cause, so that one connection's trouble does not end \
                     the program",
                    "stderr 里的 traceback 指出了出错的位置；在可能出错的地方捕获异常，\
                     或者修好原因，别让一个连接的问题让整个程序退出",
                )
            },
        ),
    }
}

/// "Check for the empty request first", for a server or another role.
fn empty_first(role: Role, lang: Lang) -> String {
    let thing = thing(role, lang);
    if is_udp(role) && is_server(role) {
        return lang.pick(
            format!(
                "Check for the empty {thing} first: if not data: skip it and go back to \
                 recvfrom()"
            ),
            format!("先检查是不是空{thing}：if not data: 就跳过它，回到 recvfrom()"),
        );
    }
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

/// "The dictionary has no key 'x'" in Chinese, the key named when the
/// traceback names it.
fn no_key_zh(detail: &str) -> String {
    if detail.is_empty() {
        "字典里没有要查的那个键".to_owned()
    } else {
        format!("字典里没有键 {detail}")
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
        match file {
            Some(f) => format!("open() 是相对当前工作目录去找 {f} 的，而程序是在别的目录里启动的"),
            None => {
                "open() 是相对当前工作目录去找那个文件的，而程序是在别的目录里启动的".to_owned()
            }
        },
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
