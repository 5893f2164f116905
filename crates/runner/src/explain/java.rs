//! Reading a Java stack trace: the exception that ended the program and
//! the first frame in the student's own classes. The JVM prints the
//! library's frames first (`java.base/sun.nio.ch.Net.bind0`), seven deep
//! for a ServerSocket; the student's `Server.main(Server.java:7)` is where
//! the fix goes. When one exception wraps another (`Caused by:`), the
//! innermost is the one that says what happened.

use sockspec_results::{JavaFrame, JavaThrowable, SocketCall};

/// The exception a stack trace in `stderr` ends with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StackTrace {
    /// The root cause (the last `Caused by:`, or the exception itself).
    pub(crate) thrown: JavaThrowable,
    /// The outermost exception, when it wraps the root cause.
    pub(crate) wrapper: Option<JavaThrowable>,
    /// The first frame in the student's classes: of the root cause, else
    /// of the exceptions around it (whose frames its `... N more` shares).
    pub(crate) at: Option<JavaFrame>,
    /// The socket call the root cause was thrown in, if its frames say.
    pub(crate) call: Option<SocketCall>,
}

/// Packages of the JDK, whose frames are never the student's.
const JDK: &[&str] = &["java.", "javax.", "sun.", "jdk.", "com.sun."];

/// The last uncaught exception in `stderr` (`Exception in thread "main"
/// ...`), or, without one, the last trace a program printed itself
/// (`e.printStackTrace()`): a `class: message` line followed by `at` lines.
pub(crate) fn parse(stderr: &str) -> Option<StackTrace> {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| l.starts_with("Exception in thread \""))
        .or_else(|| {
            (0..lines.len()).rev().find(|&i| {
                throwable(lines[i]).is_some()
                    && !lines[i].starts_with("Caused by: ")
                    && lines.get(i + 1).is_some_and(|n| frame_text(n).is_some())
            })
        })?;
    let header = lines[start];
    let header = match header.strip_prefix("Exception in thread \"") {
        Some(rest) => rest.split_once("\" ").map(|(_, t)| t)?,
        None => header,
    };
    // Each exception of the chain, outermost first, with its frames.
    let mut chain: Vec<(JavaThrowable, Vec<JavaFrame>)> = vec![(throwable(header)?, Vec::new())];
    for line in &lines[start + 1..] {
        if let Some(f) = frame_text(line) {
            if let Some(f) = parse_frame(f)
                && let Some((_, frames)) = chain.last_mut()
            {
                frames.push(f);
            }
        } else if let Some(cause) = line.strip_prefix("Caused by: ") {
            match throwable(cause) {
                Some(t) => chain.push((t, Vec::new())),
                None => break,
            }
        } else if line.trim_start().starts_with("... ")
            || line.trim_start().starts_with("Suppressed: ")
        {
            continue;
        } else {
            break;
        }
    }
    let at = chain
        .iter()
        .rev()
        .find_map(|(_, frames)| frames.iter().find(|f| is_students(f)).cloned())
        .map(without_module);
    let wrapper = (chain.len() > 1).then(|| chain[0].0.clone());
    let (thrown, frames) = chain.pop()?;
    let call = frames
        .iter()
        .take_while(|f| !is_students(f))
        .find_map(call_of);
    Some(StackTrace {
        thrown,
        wrapper,
        at,
        call,
    })
}

/// The socket call a JDK frame is part of, by its method's name: JDK 17's
/// `sun.nio.ch.NioSocketImpl.implWrite`, `java.net.Socket$SocketInputStream.read`,
/// older JDKs' `java.net.SocketOutputStream.socketWrite0`.
fn call_of(f: &JavaFrame) -> Option<SocketCall> {
    let method = f.method.rsplit('.').next()?.to_ascii_lowercase();
    let class = f.method.to_ascii_lowercase();
    let socket = class.contains("socket") || class.contains("sun.nio.ch.net");
    if !socket {
        return None;
    }
    [
        ("write", SocketCall::Send),
        ("send", SocketCall::Send),
        ("read", SocketCall::Recv),
        ("receive", SocketCall::Recv),
        ("accept", SocketCall::Accept),
        ("connect", SocketCall::Connect),
        ("bind", SocketCall::Bind),
    ]
    .into_iter()
    .find(|(name, _)| method.contains(name))
    .map(|(_, call)| call)
}

/// `java.net.BindException: Address already in use`: a class (dotted, or
/// at least capitalised like one) and its message.
fn throwable(line: &str) -> Option<JavaThrowable> {
    let line = line.trim();
    let (class, message) = match line.split_once(": ") {
        Some((c, m)) => (c, m),
        None => (line, ""),
    };
    let is_name = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    let parts: Vec<&str> = class.split('.').collect();
    let looks_like_class = parts.iter().all(|p| is_name(p))
        && parts
            .last()
            .is_some_and(|p| p.ends_with("Exception") || p.ends_with("Error") || parts.len() > 1);
    looks_like_class.then(|| JavaThrowable {
        class: class.to_owned(),
        message: message.to_owned(),
    })
}

/// A frame line's text after `at ` (the JVM indents with a tab; some
/// loggers with spaces).
fn frame_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    (trimmed.len() < line.len())
        .then(|| trimmed.strip_prefix("at "))
        .flatten()
}

/// `java.base/sun.nio.ch.Net.bind(Net.java:555)`, `Server.main(Server.java:7)`,
/// `sun.nio.ch.Net.bind0(Native Method)`.
fn parse_frame(text: &str) -> Option<JavaFrame> {
    let (method, place) = text.split_once('(')?;
    let place = place.strip_suffix(')').unwrap_or(place);
    let (file, line) = match place.rsplit_once(':') {
        Some((f, n)) => (Some(f.to_owned()), n.parse().ok()),
        None if place.ends_with(".java") => (Some(place.to_owned()), None),
        None => (None, None),
    };
    Some(JavaFrame {
        method: method.to_owned(),
        file,
        line,
    })
}

/// A frame of the student's classes: none of the JDK's packages, and of
/// no JDK module (`java.base/...`; `app//Server.main` is the class path's).
fn is_students(f: &JavaFrame) -> bool {
    let (module, class) = match f.method.rsplit_once('/') {
        Some((m, c)) => (m.trim_end_matches('/'), c),
        None => ("", f.method.as_str()),
    };
    let jdk_module = module.starts_with("java.") || module.starts_with("jdk.");
    !jdk_module && !JDK.iter().any(|p| class.starts_with(p))
}

/// A frame as the trace shows it, without its module: `Server.main`.
fn without_module(f: JavaFrame) -> JavaFrame {
    JavaFrame {
        method: f
            .method
            .rsplit_once('/')
            .map_or(f.method.as_str(), |(_, m)| m)
            .to_owned(),
        ..f
    }
}

#[cfg(test)]
mod tests;
