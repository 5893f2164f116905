//! The Python exceptions whose advice depends on their message or on the
//! program more than on an errno, apart from the errno table of the
//! module above because each needs reading of its own.

use sockspec_model::Role;
use sockspec_results::Errno;

use super::Facts;
use crate::Lang;
use crate::diagnose::{is_server, is_udp};

/// The classes whose advice depends on their message or on the program
/// more than on an errno: str where bytes belong, a name or a file Python
/// cannot make sense of, a payload struct cannot unpack, an input() with
/// nothing to read, and socketserver's own way to reuse an address.
pub(super) fn python_class(f: &Facts<'_>, role: Role, lang: Lang) -> Option<(String, String)> {
    let s = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let (detail, code) = (f.detail, f.code);
    let send = if is_udp(role) { "sendto()" } else { "send()" };
    let recv = if is_udp(role) { "recvfrom()" } else { "recv()" };
    let mixes = [
        "can't concat str to bytes",
        "can only concatenate str (not \"bytes\") to str",
        "must be str, not bytes",
        "a bytes-like object is required, not 'str'",
        "argument should be integer or bytes-like object, not 'str'",
        "startswith first arg must be bytes",
        "endswith first arg must be bytes",
    ];
    let mixed_ops = detail.starts_with("unsupported operand type(s)")
        && detail.contains("'bytes'")
        && detail.contains("'str'");
    Some(match f.short {
        // socketserver's server classes bind in their constructor, before
        // the program could set an option on the socket.
        _ if f.socketserver && f.errno == Some(Errno::AddrInUse) && !is_udp(role) => (
            s(
                "the port is still taken when the socketserver server binds it: after the \
                 four-way close the previous run's connections wait in TIME_WAIT",
                "socketserver 的服务器绑定端口时端口还被占着：上一次运行的连接四次挥手之后\
                 还处于 TIME_WAIT",
            ),
            s(
                "The server class binds in its constructor, so set the option on the class, \
                 not on a socket: socketserver.TCPServer.allow_reuse_address = True before \
                 creating the server (or allow_reuse_address = True in a subclass)",
                "服务器类在构造时就绑定了端口，所以要在类上设置，而不是对套接字 setsockopt()：\
                 创建服务器之前写 socketserver.TCPServer.allow_reuse_address = True\
                 （或者在子类里写 allow_reuse_address = True）",
            ),
        ),
        "TypeError"
            if detail.starts_with("a bytes-like object is required, not 'str'")
                && (code.contains("send") || code.is_empty()) =>
        {
            (
                lang.pick(
                    format!(
                        "{send} was given a str: a socket sends bytes, and in Python 3 text \
                         (str) and bytes are different types"
                    ),
                    format!("{send} 收到的是 str：套接字只能发送字节串（bytes），Python 3 里文本 str 和 bytes 是两种类型"),
                ),
                lang.pick(
                    format!(
                        "Encode the text before sending it: {} (or b'...' for a literal), and \
                         decode what {recv} returns: data.decode()",
                        if is_udp(role) {
                            "s.sendto(text.encode(), addr)"
                        } else {
                            "conn.send(text.encode())"
                        }
                    ),
                    format!(
                        "发送之前先编码：{}（常量直接写 b'...'），{recv} 收到的数据要用 data.decode() 解码",
                        if is_udp(role) {
                            "s.sendto(text.encode(), addr)"
                        } else {
                            "conn.send(text.encode())"
                        }
                    ),
                ),
            )
        }
        "TypeError" if mixed_ops || mixes.iter().any(|m| detail.starts_with(m)) => (
            lang.pick(
                format!(
                    "bytes and str were mixed ({detail}): {recv} returns bytes, and a literal \
                     like 'hello' is a str; in Python 3 they do not mix"
                ),
                format!(
                    "bytes 和 str 混在一起用了（{detail}）：{recv} 返回的是 bytes，\
                     而 'hello' 这样的常量是 str，Python 3 里两者不能混用"
                ),
            ),
            s(
                "Decode what arrives before working on it as text (text = data.decode()), \
                 and encode text before sending it (text.encode()); or keep both sides bytes \
                 (b'hello')",
                "收到的数据先解码再当文本处理（text = data.decode()），发送之前再编码（text.encode()）；\
                 或者两边都用 bytes（b'hello'）",
            ),
        ),
        "TypeError"
            if detail.contains("cannot be interpreted as an integer")
                || detail.starts_with("an integer is required") =>
        {
            (
                s(
                    "a number was given as text: sys.argv holds strings, so a port read from \
                     it is '9000', not 9000",
                    "数字被当成文本传进去了：sys.argv 里都是字符串，从里面读到的端口是 '9000'，\
                     不是 9000",
                ),
                s(
                    "Convert it first: port = int(sys.argv[1])",
                    "先转换成整数：port = int(sys.argv[1])",
                ),
            )
        }
        "NameError" => (
            lang.pick(
                format!(
                    "a name was used that is not defined at that point ({detail}): it is \
                     misspelt, defined further down or only in another branch, or never \
                     imported"
                ),
                format!(
                    "用到了一个在那里还没有定义的名字（{detail}）：可能拼错了，\
                     或者定义在后面、只在另一个分支里定义，或者没有 import"
                ),
            ),
            s(
                "Define it (or import it) before that line runs, on every path to it; \
                 Python looks a name up only when the line runs",
                "在那一行执行之前定义（或 import）它，每条执行路径都要定义到；\
                 Python 只在执行到那一行时才查找这个名字",
            ),
        ),
        "SyntaxError" | "IndentationError" | "TabError" => {
            let line = f.line.unwrap_or("?");
            let column = f.caret.map(|c| c.to_string());
            (
                match (lang, column) {
                    (Lang::En, Some(c)) => format!(
                        "the file does not even compile: Python stopped at line {line}, column \
                         {c} ({detail}), before running anything"
                    ),
                    (Lang::En, None) => format!(
                        "the file does not even compile: Python stopped at line {line} \
                         ({detail}), before running anything"
                    ),
                    (Lang::Zh, Some(c)) => format!(
                        "这个文件根本编译不过：Python 在第 {line} 行第 {c} 列停下了（{detail}），\
                         一行代码都还没有运行"
                    ),
                    (Lang::Zh, None) => format!(
                        "这个文件根本编译不过：Python 在第 {line} 行停下了（{detail}），\
                         一行代码都还没有运行"
                    ),
                },
                s(
                    "Fix that line, and look at the line before it too (a bracket or quote \
                     left open shows on the next line); python3 -m py_compile FILE checks a \
                     file without running it",
                    "修改那一行，也看看它的上一行（没闭合的括号或引号会在下一行报错）；\
                     python3 -m py_compile 文件名 可以只检查语法、不运行",
                ),
            )
        }
        "error" if f.class == "struct.error" => (
            lang.pick(
                format!(
                    "struct could not unpack the payload ({detail}): what one {recv} returns \
                     is not the size the format needs"
                ),
                format!("struct.unpack() 没能解开收到的数据（{detail}）：一次 {recv} 收到的长度和格式要求的长度不一样"),
            ),
            if is_udp(role) {
                s(
                    "Check len(data) == struct.calcsize(fmt) before struct.unpack(fmt, data), \
                     and answer an error to a datagram of another size",
                    "struct.unpack(fmt, data) 之前先检查 len(data) == struct.calcsize(fmt)，\
                     长度不对的数据报回一个错误",
                )
            } else {
                s(
                    "Check len(data) == struct.calcsize(fmt) before struct.unpack(fmt, data), \
                     and recv() until that many bytes have come: one recv() returns what has \
                     arrived, which may be less",
                    "struct.unpack(fmt, data) 之前先检查 len(data) == struct.calcsize(fmt)，\
                     不够就继续 recv() 直到收齐：一次 recv() 只返回已经到达的数据，可能不够",
                )
            },
        ),
        "EOFError" if is_server(role) => (
            s(
                "input() found the end of standard input: a server's stdin is closed when it \
                 is graded (nobody types at it), so input() has nothing to read",
                "input() 读到了标准输入的末尾：评分时服务端的标准输入是关闭的（没有人在键盘上输入），\
                 input() 什么也读不到",
            ),
            s(
                "A server should not read stdin: take what it needs from the command line \
                 (sys.argv); where it must, catch EOFError around input()",
                "服务端不要读标准输入，需要的参数从命令行（sys.argv）读取；\
                 非读不可的话，用 try/except EOFError 把 input() 包起来",
            ),
        ),
        "EOFError" => (
            s(
                "input() found the end of standard input (Ctrl-D, or its input was closed)",
                "input() 读到了标准输入的末尾（按了 Ctrl-D，或者输入被关闭了）",
            ),
            s(
                "Catch EOFError around input() and end the way the quit line does: close() \
                 the socket and quit",
                "用 try/except EOFError 包住 input()，像输入退出命令那样结束：close() 套接字后退出",
            ),
        ),
        _ => return None,
    })
}
