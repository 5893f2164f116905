//! An uncaught Java exception, read from its stack trace: the Java twin of
//! [`super::exception`]'s table. The exceptions a socket program meets in
//! Java carry an errno in all but name (a BindException is EADDRINUSE), so
//! those are explained by [`super::errno`] with Java's fix; the others
//! (the end of a stream, a timeout, an argument that is not a number) have
//! sentences of their own here.

use sockspec_model::Role;
use sockspec_results::{Errno, JavaFrame, JavaThrowable, Language, SocketCall};

use super::{is_server, is_udp};
use crate::Lang;

pub(super) fn java_exception(
    thrown: &JavaThrowable,
    wrapper: Option<&JavaThrowable>,
    at: Option<&JavaFrame>,
    call: Option<SocketCall>,
    role: Role,
    lang: Lang,
) -> String {
    let short = thrown.short_name();
    let message = &thrown.message;
    let (meaning, fix) = explain(thrown, at, call, role, lang);
    let quoted = |open: &str, close: &str| {
        if message.is_empty() {
            String::new()
        } else {
            format!("{open}\"{message}\"{close}")
        }
    };
    match lang {
        Lang::En => {
            let mut head = format!("{short}{}", quoted(" (", ")"));
            if let Some(f) = at {
                head.push_str(&format!(" at {}", frame_en(f)));
            }
            if let Some(w) = wrapper {
                head.push_str(&format!(" (wrapped in {})", w.short_name()));
            }
            format!("{head} — {meaning}. {fix}")
        }
        Lang::Zh => {
            let place = at.map(frame_zh).unwrap_or_else(|| "程序".to_owned());
            let wrapped = wrapper
                .map(|w| format!("（外面包着 {}）", w.short_name()))
                .unwrap_or_default();
            format!(
                "{place}抛出了 {short}{}{wrapped}：{meaning}。{fix}",
                quoted("（", "）")
            )
        }
    }
}

/// `Server.java, line 7, in Server.main`.
fn frame_en(f: &JavaFrame) -> String {
    match (&f.file, f.line) {
        (Some(file), Some(line)) => format!("{file}, line {line}, in {}", f.method),
        (Some(file), None) => format!("{} ({file})", f.method),
        (None, _) => f.method.clone(),
    }
}

/// `Server.java 第 7 行（Server.main 方法）`.
fn frame_zh(f: &JavaFrame) -> String {
    match (&f.file, f.line) {
        (Some(file), Some(line)) => format!("{file} 第 {line} 行（{} 方法）", f.method),
        (Some(file), None) => format!("{file} 的 {} 方法", f.method),
        (None, _) => format!("{} 方法", f.method),
    }
}

/// The errno a Java exception's message is the system's text of
/// (`Address already in use`); Java says "Connection reset" for
/// ECONNRESET.
fn errno_in(message: &str) -> Option<Errno> {
    if message.starts_with("Connection reset") {
        return Some(Errno::ConnReset);
    }
    Errno::all().find(|e| message.contains(e.strerror()))
}

fn explain(
    thrown: &JavaThrowable,
    at: Option<&JavaFrame>,
    call: Option<SocketCall>,
    role: Role,
    lang: Lang,
) -> (String, String) {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let message = thrown.message.as_str();
    let errno = |e: Errno, call| super::errno::explain(e, call, role, Language::Java, lang);
    let server = is_server(role);
    let found = match thrown.short_name() {
        "BindException" => errno(
            errno_in(message).unwrap_or(Errno::AddrInUse),
            Some(SocketCall::Bind),
        ),
        "ConnectException" => errno(
            errno_in(message).unwrap_or(Errno::ConnRefused),
            Some(SocketCall::Connect),
        ),
        "SocketException" if message == "Socket closed" => errno(Errno::BadF, None),
        "SocketException" | "IOException" => errno_in(message).and_then(|e| errno(e, call)),
        _ => None,
    };
    if let Some(found) = found {
        return found;
    }
    match thrown.short_name() {
        "EOFException" if is_udp(role) => (
            s(
                "a DataInputStream read past the end of a datagram's bytes: the datagram was \
                 shorter than what the code reads from it",
                "DataInputStream 读到了数据报内容的末尾之后：收到的数据报比代码要读的短",
            ),
            s(
                "Check packet.getLength() before reading from the datagram's bytes",
                "从数据报里读之前先检查 packet.getLength()",
            ),
        ),
        "EOFException" => (
            s(
                "readFully(), readInt() or readUTF() of a DataInputStream reached the end of \
                 the stream before the bytes it needed: the peer closed (or sent fewer bytes \
                 than the format)",
                "DataInputStream 的 readFully()、readInt() 或 readUTF() 还没读够需要的字节就到了\
                 流的末尾：对方关闭了连接（或者发的字节比格式要求的少）",
            ),
            if server {
                s(
                    "Catch EOFException as the client leaving: close() that socket and go \
                     back to accept() (a plain read() returns -1 there instead)",
                    "把 EOFException 当作客户端离开来处理：close() 这个连接的套接字，回到 accept()\
                     （普通的 read() 在这时返回 -1）",
                )
            } else {
                s(
                    "Catch EOFException as the server leaving: tell the user, close() the \
                     socket and quit",
                    "把 EOFException 当作服务端离开来处理：提示用户，close() 套接字后退出",
                )
            },
        ),
        "SocketTimeoutException" => (
            s(
                "a socket with setSoTimeout() waited longer than its timeout",
                "设置了 setSoTimeout() 的套接字等待超过了时限",
            ),
            if role == Role::UdpClient {
                s(
                    "Catch SocketTimeoutException: a datagram may be lost, so say that no \
                     reply came and go on to the next line",
                    "捕获 SocketTimeoutException：UDP 数据报可能丢失，提示没有收到回复，接着处理下一行",
                )
            } else {
                s(
                    "Catch SocketTimeoutException where a wait may end without data, or set \
                     no timeout on a socket that must wait (a server waiting for its clients)",
                    "在可能等不到数据的地方捕获 SocketTimeoutException；必须一直等下去的套接字\
                     （比如等客户端的服务端）就不要设置超时",
                )
            },
        ),
        "NumberFormatException" => (
            lang.pick(
                format!("Integer.parseInt() was given text that is not a number ({message})"),
                format!("Integer.parseInt() 拿到的文本不是数字（{message}）"),
            ),
            s(
                "Pass the port as the assignment's command gives it (args[0]), trim the text \
                 before parsing it (s.trim()), and for text that comes from the network catch \
                 NumberFormatException and answer an error",
                "端口按作业命令给的方式传入（args[0]），解析之前先 trim()；\
                 对网络上收到的文本，要捕获 NumberFormatException 并回一个错误",
            ),
        ),
        "ArrayIndexOutOfBoundsException"
            if message.ends_with("length 0") && at.is_some_and(|f| f.method.ends_with(".main")) =>
        {
            (
                s(
                    "args has fewer elements than main() reads: the program was started \
                     without the arguments it expects (the port)",
                    "args 里的元素比 main() 要读的少：启动程序时没有给它需要的参数（端口）",
                ),
                s(
                    "Read the port from args[0] as the command passes it ({port}), and check \
                     args.length before reading",
                    "端口从 args[0] 读取，和命令里的 {port} 对应；读之前先检查 args.length",
                ),
            )
        }
        "ArrayIndexOutOfBoundsException" | "StringIndexOutOfBoundsException" if is_udp(role) => (
            lang.pick(
                format!(
                    "an index went past the end of an array ({message}): the datagram's \
                         bytes indexed past packet.getLength(), or a split() of an empty \
                         message"
                ),
                format!(
                    "数组下标越界（{message}）：取数据报内容时超过了 packet.getLength()，\
                         或者对空消息 split() 之后取下标"
                ),
            ),
            s(
                "Use packet.getLength() as the datagram's length, and check the number of \
                     parts before indexing them",
                "用 packet.getLength() 作为数据报的长度；取下标之前先检查拆出了几部分",
            ),
        ),
        "ArrayIndexOutOfBoundsException" | "StringIndexOutOfBoundsException" => (
            lang.pick(
                format!(
                    "an index went past the end of an array ({message}): a buffer indexed \
                     by a length read() returned, which is -1 at the end of the stream, or \
                     a split() of an empty message"
                ),
                format!(
                    "数组下标越界（{message}）：用 read() 的返回值当长度或下标，而流结束时它是 -1，\
                     或者对空消息 split() 之后取下标"
                ),
            ),
            s(
                "Check read()'s return (-1 at the end) before using it as a length, and the \
                 number of parts before indexing them",
                "先检查 read() 的返回值（结束时是 -1）再把它当长度用；取下标之前先检查拆出了几部分",
            ),
        ),
        "NullPointerException" if is_udp(role) => (
            s(
                "something was used that is null: a variable never set, or a lookup that \
                 found nothing",
                "用到了一个 null 值：变量从来没有赋值，或者查找的东西没有找到",
            ),
            s(
                "Check it for null before using it",
                "使用之前先检查它是不是 null",
            ),
        ),
        "NullPointerException" => (
            s(
                "something was used that is null: readLine() returns null at the end of the \
                 stream (the peer closed), and the code used it anyway",
                "用到了一个 null 值：流结束（对方关闭）时 readLine() 返回 null，代码却照样用了它",
            ),
            if server {
                s(
                    "Check readLine() for null: it is the client leaving, so close() that \
                     socket and go back to accept()",
                    "检查 readLine() 是否返回 null：那表示客户端离开了，close() 这个连接的套接字，回到 accept()",
                )
            } else {
                s(
                    "Check readLine() for null: it is the other end leaving, so close() the \
                     socket and quit",
                    "检查 readLine() 是否返回 null：那表示对方离开了，close() 套接字后退出",
                )
            },
        ),
        _ => (
            match (lang, message.is_empty()) {
                (Lang::En, true) => {
                    "the program stopped on an exception it did not catch".to_owned()
                }
                (Lang::En, false) => {
                    format!("the program stopped on an exception it did not catch: {message}")
                }
                (Lang::Zh, true) => "程序因为没有捕获的异常而退出".to_owned(),
                (Lang::Zh, false) => format!("程序因为没有捕获的异常而退出（{message}）"),
            },
            match (server, is_udp(role)) {
                (_, true) => s(
                    "Catch IOException around each receive() and send(), so that one \
                     datagram's trouble does not end the program",
                    "用 try/catch 捕获每次 receive() 和 send() 的 IOException，\
                     别让一个数据报的问题让整个程序退出",
                ),
                (true, false) => s(
                    "Catch IOException around each client's conversation (try { ... } \
                     catch (IOException e) { ... } finally { socket.close(); }), so that one \
                     connection's trouble does not end the server",
                    "用 try { ... } catch (IOException e) { ... } finally { socket.close(); } \
                     包住和每个客户端的收发，别让一个连接的问题让整个服务端退出",
                ),
                (false, false) => s(
                    "Catch IOException around the conversation, tell the user what went \
                     wrong, and close() the socket",
                    "用 try/catch 捕获收发时的 IOException，提示用户出了什么问题，然后 close() 套接字",
                ),
            },
        ),
    }
}
