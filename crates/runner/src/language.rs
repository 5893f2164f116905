//! Recognising what a program is written in, from its command line and the
//! files it names, so that its failures are read (a traceback, a stack
//! trace, a perror line) and explained in its own language's terms.
//!
//! It is a look at names and a few bytes, never a run of anything: the
//! interpreter's name (`python3.11`, `python2`, `java`), the first bytes of
//! the executable (`\x7fELF`, `#!`), and, for a Python program, its source,
//! where Python 2's syntax shows (a print statement) even when python3 is
//! asked to run it. Wrappers that only change how a program runs (`env`,
//! `timeout`, `stdbuf`, `nice`, `sh -c '...'`) are looked through. It runs
//! only when a scenario has failed, so a passing run reads no file.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sockspec_results::{Language, Python2Sign, SourceLine};

/// What a program's command and files show about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Recognised {
    /// Its language.
    pub(crate) language: Language,
    /// A Python interpreter runs it, and it is a Python 2 one
    /// (`python2`, `python2.7`).
    pub(crate) by_python2: bool,
    /// A Python program run by Python 3 whose source is Python 2: the
    /// first sign of it, and where.
    pub(crate) python2_sign: Option<(Python2Sign, SourceLine)>,
}

/// What the program `spec` starts is written in, read from its command,
/// in its working directory, with the PATH it runs with.
pub(crate) fn of(spec: &sockspec_process::TargetSpec) -> Recognised {
    let words =
        sockspec_process::split_command(&spec.command, &spec.host, spec.port, &spec.broadcast)
            .unwrap_or_default();
    recognise(&words, &cwd_of(spec), path_of(spec).as_ref())
}

/// The program's working directory: its own, else the harness's.
pub(crate) fn cwd_of(spec: &sockspec_process::TargetSpec) -> PathBuf {
    spec.cwd
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// The PATH the program runs with: its own environment's, else the harness's.
pub(crate) fn path_of(spec: &sockspec_process::TargetSpec) -> Option<OsString> {
    spec.env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| OsString::from(v))
        .or_else(|| std::env::var_os("PATH"))
}

/// How much of a script is read for signs of Python 2: homework is far
/// smaller; a bigger file is read no further.
const SOURCE_CAP: u64 = 256 * 1024;

/// What the program that `words` start (split as the harness runs them),
/// in working directory `cwd`, with `path` as its PATH, is written in.
pub(crate) fn recognise(words: &[String], cwd: &Path, path: Option<&OsString>) -> Recognised {
    let words = unwrapped(words, 0);
    let Some(program) = words.first() else {
        return Recognised::default();
    };
    let name = file_name(program);
    if let Some(major) = python_major(name) {
        return python(major == Some(2), script_of(&words[1..]), cwd);
    }
    if name == "java"
        || words
            .iter()
            .any(|w| w.ends_with(".class") || w.ends_with(".jar"))
    {
        return language(Language::Java);
    }
    let Some(file) = resolve(program, cwd, path) else {
        return Recognised::default();
    };
    let Some(head) = first_bytes(&file, 256) else {
        return Recognised::default();
    };
    if head.starts_with(b"\x7fELF") {
        // An interpreter is native code too: what it runs is not.
        let interprets = words[1..].iter().any(|w| is_script_of_another_language(w));
        return language(if interprets {
            Language::Unknown
        } else {
            Language::C
        });
    }
    // A script run directly: its #! line names the interpreter.
    if let Some(line) = head.strip_prefix(b"#!") {
        let line = String::from_utf8_lossy(line);
        let line = line.lines().next().unwrap_or("");
        let mut shebang: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        if shebang.first().is_some_and(|w| file_name(w) == "env") {
            shebang = unwrapped(&shebang, 0);
        }
        if let Some(major) = shebang.first().and_then(|w| python_major(file_name(w))) {
            return python(major == Some(2), Some(program.clone()), cwd);
        }
    }
    if program.ends_with(".py") {
        return python(false, Some(program.clone()), cwd);
    }
    Recognised::default()
}

fn language(language: Language) -> Recognised {
    Recognised {
        language,
        ..Recognised::default()
    }
}

/// A Python program: Python 2 by its interpreter, or by its source's
/// syntax when another runs it.
fn python(by_python2: bool, script: Option<String>, cwd: &Path) -> Recognised {
    if by_python2 {
        return Recognised {
            language: Language::Python2,
            by_python2: true,
            python2_sign: None,
        };
    }
    let sign = script.and_then(|s| {
        let text = read_source(&cwd.join(&s))?;
        let (sign, line, code) = python2_sign(&text)?;
        Some((
            sign,
            SourceLine {
                file: s,
                line,
                code,
            },
        ))
    });
    Recognised {
        language: if sign.is_some() {
            Language::Python2
        } else {
            Language::Python
        },
        by_python2: false,
        python2_sign: sign,
    }
}

/// `words` without the wrappers in front of the program: `env [-i]
/// [NAME=VALUE...]`, `timeout [-s SIG] DURATION`, `stdbuf -oL`, `nice -n
/// N`, `nohup`, `exec`, and `sh -c 'CMD'` (split again).
fn unwrapped(words: &[String], depth: usize) -> Vec<String> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let rest = &words[i + 1..];
        // How many words after this one belong to it.
        let skip = match file_name(w) {
            "env" => {
                let n = rest
                    .iter()
                    .take_while(|a| a.starts_with('-') || a.contains('='))
                    .count();
                // `env -u NAME` and `env -C DIR` take a value.
                n + rest[..n]
                    .iter()
                    .filter(|a| matches!(a.as_str(), "-u" | "-C" | "-S"))
                    .count()
            }
            "timeout" => {
                let mut n = 0;
                while let Some(a) = rest.get(n).filter(|a| a.starts_with('-')) {
                    n += if matches!(a.as_str(), "-s" | "-k" | "--signal" | "--kill-after") {
                        2
                    } else {
                        1
                    };
                }
                n + 1 // the duration
            }
            "stdbuf" | "nohup" | "exec" | "nice" => {
                let mut n = 0;
                while let Some(a) = rest.get(n).filter(|a| a.starts_with('-')) {
                    n += if matches!(a.as_str(), "-n" | "-i" | "-o" | "-e") {
                        2
                    } else {
                        1
                    };
                }
                n
            }
            "sh" | "bash" | "dash" | "zsh" if depth < 4 => {
                let Some(c) = rest.iter().position(|a| a == "-c") else {
                    return words[i..].to_vec();
                };
                let Some(inner) = rest.get(c + 1).and_then(|cmd| shlex::split(cmd)) else {
                    return words[i..].to_vec();
                };
                return unwrapped(&inner, depth + 1);
            }
            _ => return words[i..].to_vec(),
        };
        i += 1 + skip;
    }
    Vec::new()
}

/// The last part of a path: `/usr/bin/python3` → `python3`.
fn file_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The major version a Python interpreter's name says: `python3.11` →
/// `Some(Some(3))`, `python` → `Some(None)`; not a Python interpreter →
/// `None`.
fn python_major(name: &str) -> Option<Option<u32>> {
    let version = name
        .strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"))?;
    if version.is_empty() {
        return Some(None);
    }
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    Some(version.split('.').next().and_then(|m| m.parse().ok()))
}

/// The script a Python command line runs: the first word that is not an
/// option (nor an option's value); none for `-c CODE` and `-m MODULE`.
fn script_of(args: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-c" | "-m" => return None,
            "-W" | "-X" | "-Q" => i += 2,
            _ if a.starts_with('-') => i += 1,
            _ => return Some(a.clone()),
        }
    }
    None
}

/// A file another interpreter runs: an ELF that is handed one is not the
/// student's native code.
fn is_script_of_another_language(word: &str) -> bool {
    [
        ".js", ".rb", ".pl", ".php", ".sh", ".lua", ".tcl", ".go", ".ts",
    ]
    .iter()
    .any(|ext| word.ends_with(ext))
}

/// The file a command word names: a path against the working directory,
/// a bare name against PATH.
fn resolve(program: &str, cwd: &Path, path: Option<&OsString>) -> Option<PathBuf> {
    if program.contains('/') {
        let p = cwd.join(program);
        return p.is_file().then_some(p);
    }
    std::env::split_paths(path?)
        .map(|dir| cwd.join(dir).join(program))
        .find(|p| p.is_file())
}

fn first_bytes(file: &Path, n: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::with_capacity(n);
    std::fs::File::open(file)
        .ok()?
        .take(n as u64)
        .read_to_end(&mut buf)
        .ok()?;
    Some(buf)
}

fn read_source(file: &Path) -> Option<String> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(file)
        .ok()?
        .take(SOURCE_CAP)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Names Python 2 has and Python 3 does not, which a call shows.
pub(crate) const PYTHON2_NAMES: &[&str] = &["raw_input", "xrange", "unicode", "unichr", "execfile"];

/// The first sign in a Python source that it is Python 2 code, with its
/// line number and its line: a syntax only Python 2 accepts first (python3
/// stops on the first of those), else a call of a name only Python 2 has.
pub(crate) fn python2_sign(source: &str) -> Option<(Python2Sign, u32, String)> {
    let mut first_name: Option<(Python2Sign, u32, String)> = None;
    let mut in_string: Option<&str> = None;
    for (i, line) in source.lines().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (code, still_open) = code_of(line, in_string);
        in_string = still_open;
        let sign = if is_print_statement(&code) {
            Some(Python2Sign::PrintStatement)
        } else if is_except_comma(&code) {
            Some(Python2Sign::ExceptComma)
        } else if code.contains('`') {
            Some(Python2Sign::Backticks)
        } else {
            None
        };
        if let Some(sign) = sign {
            return Some((sign, number, line.trim().to_owned()));
        }
        if first_name.is_none()
            && let Some(name) = called_python2_name(&code)
        {
            first_name = Some((
                Python2Sign::Builtin(name.to_owned()),
                number,
                line.trim().to_owned(),
            ));
        }
    }
    first_name
}

/// A line's code with its strings emptied (`"x"` → `""`) and its comment
/// cut, given the triple-quoted string it starts in (if any); and the
/// triple-quoted string still open at its end.
fn code_of<'q>(line: &str, mut open: Option<&'q str>) -> (String, Option<&'q str>) {
    let mut out = String::new();
    let mut rest = line;
    loop {
        if let Some(q) = open {
            match rest.find(q) {
                Some(end) => {
                    out.push_str("\"\"");
                    rest = &rest[end + q.len()..];
                    open = None;
                }
                None => return (out, open),
            }
        }
        let Some(start) = rest.find(['"', '\'', '#']) else {
            out.push_str(rest);
            return (out, None);
        };
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if after.starts_with('#') {
            return (out, None);
        }
        for q in ["\"\"\"", "'''"] {
            if after.starts_with(q) {
                open = Some(q);
                rest = &after[3..];
                break;
            }
        }
        if open.is_some() {
            continue;
        }
        let quote = after.chars().next().unwrap_or('"');
        let mut end = None;
        let mut chars = after.char_indices().skip(1);
        while let Some((j, c)) = chars.next() {
            if c == '\\' {
                chars.next();
            } else if c == quote {
                end = Some(j);
                break;
            }
        }
        out.push(quote);
        out.push(quote);
        match end {
            Some(j) => rest = &after[j + 1..],
            None => return (out, None),
        }
    }
}

/// `print x`, `print "x"`, `print >>f, x`: print used as a statement.
/// `print(x)`, `print (x)` and a bare `print` are Python 3 too.
fn is_print_statement(code: &str) -> bool {
    let code = code.trim_start();
    // `if x: print y` puts it after a colon.
    let code = code
        .rsplit_once(": ")
        .filter(|(head, _)| {
            ["if ", "else", "elif ", "for ", "while ", "try", "except"]
                .iter()
                .any(|k| head.trim_start().starts_with(k))
        })
        .map_or(code, |(_, tail)| tail.trim_start());
    let Some(rest) = code.strip_prefix("print") else {
        return false;
    };
    match rest.chars().next() {
        Some('"' | '\'') => true,
        Some(c) if c.is_whitespace() => {
            let next = rest.trim_start().chars().next();
            next.is_some_and(|n| !matches!(n, '(' | '=' | '.' | ',' | ')' | ':' | '[' | ';'))
        }
        _ => false,
    }
}

/// `except E, e:` or `except (A, B), e:`.
fn is_except_comma(code: &str) -> bool {
    let Some(rest) = code.trim_start().strip_prefix("except") else {
        return false;
    };
    if !rest.starts_with([' ', '(']) {
        return false;
    }
    let rest = rest.trim_start();
    let after_types = if let Some(inner) = rest.strip_prefix('(') {
        match inner.find(')') {
            Some(end) => &inner[end + 1..],
            None => return false,
        }
    } else {
        rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
    };
    let Some(name) = after_types.trim_start().strip_prefix(',') else {
        return false;
    };
    let name = name.trim_start();
    let ident: String = name
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    !ident.is_empty() && name[ident.len()..].trim_start().starts_with(':')
}

/// A call of a name Python 3 does not have (`raw_input(`), not a method
/// (`.unicode(`) nor a definition of the student's own (`def xrange(`).
fn called_python2_name(code: &str) -> Option<&'static str> {
    PYTHON2_NAMES.iter().copied().find(|name| {
        code.match_indices(name).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + name.len()..].trim_start();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && !code[..at].trim_end().ends_with("def")
                && after.starts_with('(')
        })
    })
}

/// A Python 2 interpreter that works on this machine, as an assignment's
/// command would name it: `python2` when one on PATH is the real thing
/// (not a pyenv shim that refuses to run), else the full path of one pyenv
/// has installed. Looked for only when a Python 2 diagnosis is made.
pub(crate) fn python2_interpreter(path: Option<&OsString>) -> Option<String> {
    let real = |p: &Path| first_bytes(p, 4).is_some_and(|b| b.starts_with(b"\x7fELF"));
    for dir in path.map(std::env::split_paths).into_iter().flatten() {
        for name in ["python2", "python2.7"] {
            let p = dir.join(name);
            if p.is_file() && real(&p) {
                return Some(name.to_owned());
            }
        }
    }
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))?;
    let mut versions: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|v| {
            v.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("2."))
        })
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("bin/python2"))
        .find(|p| real(p))
        .map(|p| p.display().to_string())
}

#[cfg(test)]
mod tests;
