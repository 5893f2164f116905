//! Reading a Python traceback: the exception that ended the program, and
//! the line that raised it *in the student's own files*. A traceback ends
//! in the library more often than not (`socket.py`, `socketserver.py`),
//! and a student told "socket.py, line 836" learns nothing; the deepest
//! frame of their own code is where the fix goes.
//!
//! A SyntaxError has no "Traceback" line at all when the script itself does
//! not compile: only its `File "...", line N`, the code and a caret.

use std::path::Path;

use sockspec_results::Errno;

/// The last exception of a Python traceback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Traceback {
    /// Its class as printed: `OSError`, `struct.error`, `socket.timeout`.
    pub(crate) class: String,
    /// The rest of its line: `[Errno 98] Address already in use`.
    pub(crate) detail: String,
    /// The frame shown: the deepest in the student's files, else the last.
    pub(crate) frame: Option<Frame>,
    /// The frame's source line, as quoted.
    pub(crate) code: Option<String>,
    /// A SyntaxError's caret: the column (from 1) in `code` it points at.
    pub(crate) caret: Option<u32>,
    /// A frame of the traceback is in the standard library's socketserver.
    pub(crate) socketserver: bool,
    /// Every frame's file, outermost first.
    pub(crate) files: Vec<String>,
}

/// A frame: `File "/hw/server.py", line 18, in handle`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The file's name, without its folder: `server.py`.
    pub(crate) file: String,
    /// The line.
    pub(crate) line: u32,
    /// The function, when the frame names one (`<module>` included).
    pub(crate) function: Option<String>,
}

impl Frame {
    /// `server.py, line 18, in handle`, as the traceback says it.
    pub(crate) fn at(&self) -> String {
        match &self.function {
            Some(f) => format!("{}, line {}, in {f}", self.file, self.line),
            None => format!("{}, line {}", self.file, self.line),
        }
    }
}

const HEADER: &str = "Traceback (most recent call last):";

/// The classes Python reports a file that does not compile with, which
/// print no "Traceback" line when it is the script itself.
const NOT_COMPILED: &[&str] = &["SyntaxError", "IndentationError", "TabError"];

/// The last exception in `stderr`, with the frame in the student's own
/// files (under `cwd`, or named by a relative path) when there is one.
pub(crate) fn parse(stderr: &str, cwd: Option<&Path>) -> Option<Traceback> {
    let lines: Vec<&str> = stderr.lines().collect();
    // The last traceback: from its header to its exception line, the
    // first after the frames that does not start with a space (frames and
    // code are indented).
    let traceback = lines
        .iter()
        .rposition(|l| l.trim_end() == HEADER)
        .and_then(|h| {
            let last = lines[h + 1..]
                .iter()
                .position(|l| !l.starts_with(' ') && !l.trim().is_empty())?;
            Some((h, h + 1 + last))
        });
    // A script that does not compile: its File line comes a few lines
    // before the error, with no header.
    let uncompiled = lines
        .iter()
        .rposition(|l| {
            NOT_COMPILED.iter().any(|c| {
                l.strip_prefix(c)
                    .is_some_and(|r| r.is_empty() || r.starts_with(':'))
            })
        })
        .and_then(|b| {
            let file = lines[b.saturating_sub(4)..b]
                .iter()
                .rposition(|l| l.trim_start().starts_with("File \""))?;
            Some((b.saturating_sub(4) + file, b))
        });
    let (start, last) = match (traceback, uncompiled) {
        (Some(t), Some(u)) if u.1 > t.1 => u,
        (Some(t), _) => t,
        (None, Some(u)) => u,
        (None, None) => return None,
    };
    let line = lines[last].trim();
    let (class, detail) = match line.split_once(':') {
        Some((c, d)) => (c.trim(), d.trim()),
        None => (line, ""),
    };
    if class.is_empty()
        || !class
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return None;
    }
    let frames: Vec<(usize, Frame, String)> = (start..last)
        .filter_map(|i| {
            let (frame, path) = frame(lines[i])?;
            Some((i, frame, path))
        })
        .collect();
    let home = cwd.map(|c| std::fs::canonicalize(c).unwrap_or_else(|_| c.to_path_buf()));
    let own = |path: &str| is_students(path, home.as_deref());
    let chosen = frames
        .iter()
        .rev()
        .find(|(_, _, p)| own(p) == Own::Theirs)
        .or_else(|| frames.iter().rev().find(|(_, _, p)| own(p) != Own::Library))
        .or(frames.last());
    let (code, caret) = match chosen {
        Some(&(i, _, _)) => code_and_caret(&lines, i, last, NOT_COMPILED.contains(&class)),
        None => (None, None),
    };
    Some(Traceback {
        class: class.to_owned(),
        detail: detail.to_owned(),
        frame: chosen.map(|(_, f, _)| f.clone()),
        code,
        caret,
        socketserver: frames.iter().any(|(_, _, p)| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name == "socketserver.py" || name == "SocketServer.py"
        }),
        files: frames.into_iter().map(|(_, _, p)| p).collect(),
    })
}

/// `  File "/hw/server.py", line 18, in handle`: the frame, and the path
/// as printed.
fn frame(line: &str) -> Option<(Frame, String)> {
    let rest = line.trim_start().strip_prefix("File \"")?;
    let (path, rest) = rest.split_once('"')?;
    let rest = rest.strip_prefix(", line ")?;
    let (number, function) = match rest.split_once(", in ") {
        Some((n, f)) => (n, Some(f.trim().to_owned())),
        None => (rest.trim(), None),
    };
    let line = number.trim().parse().ok()?;
    let file = path.rsplit('/').next().unwrap_or(path).to_owned();
    Some((
        Frame {
            file,
            line,
            function,
        },
        path.to_owned(),
    ))
}

/// Whose a frame's file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Own {
    /// Under the program's working directory, or named by a relative path.
    Theirs,
    /// Some other file of no Python installation.
    Elsewhere,
    /// Python's own: its library, an installed package, frozen code, or
    /// code made at run time (`<string>`).
    Library,
}

fn is_students(path: &str, home: Option<&Path>) -> Own {
    let library = path.starts_with('<')
        || [
            "/lib/python",
            "/lib64/python",
            "site-packages",
            "dist-packages",
        ]
        .iter()
        .any(|l| path.contains(l))
        || path.contains("\\Lib\\");
    if library {
        Own::Library
    } else if !path.starts_with('/') || home.is_some_and(|h| Path::new(path).starts_with(h)) {
        Own::Theirs
    } else {
        Own::Elsewhere
    }
}

/// The source line quoted under frame line `i` (before the exception line
/// `last`), and, for a file that does not compile, where its caret points.
fn code_and_caret(
    lines: &[&str],
    i: usize,
    last: usize,
    compile_error: bool,
) -> (Option<String>, Option<u32>) {
    let marks = |l: &str| !l.trim().is_empty() && l.trim().chars().all(|c| matches!(c, '^' | '~'));
    let Some(code_line) = lines
        .get(i + 1)
        .filter(|_| i + 1 < last)
        .filter(|l| l.starts_with("    ") && !l.trim_start().starts_with("File \""))
        .filter(|l| !marks(l))
    else {
        return (None, None);
    };
    let code = code_line.trim().to_owned();
    let caret = lines
        .get(i + 2)
        .filter(|_| compile_error && i + 2 < last)
        .filter(|l| marks(l))
        .and_then(|l| {
            let indent = code_line.len() - code_line.trim_start().len();
            let at = l.find('^')?;
            u32::try_from(at.checked_sub(indent)? + 1).ok()
        });
    (Some(code), caret)
}

/// The errno an exception's detail quotes: `[Errno 98] ...` (Linux's
/// number), `[WinError 10048]`, or the system's text alone.
pub(crate) fn errno(detail: &str) -> Option<Errno> {
    if let Some(rest) = detail.split("[Errno ").nth(1) {
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return n.parse().ok().and_then(Errno::from_number);
    }
    if detail.contains("[WinError 10048]") {
        return Some(Errno::AddrInUse);
    }
    Errno::from_strerror(detail.trim())
}

#[cfg(test)]
mod tests;
