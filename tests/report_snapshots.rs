//! Tests that read like the product: the human report of real runs against
//! fixture programs, in English and in Chinese, compared with the files in
//! tests/snapshots/ (`NAME.en.txt`, `NAME.zh.txt`). `UPDATE_SNAPSHOTS=1`
//! rewrites them (as in crates/report/tests); read the diff before
//! committing it.
//!
//! Each run is the built binary with `--format human --lang en|zh`,
//! `NO_COLOR=1` (no colour: there is no `--color` flag, and piped output is
//! plain anyway), started in the repository's root so that the fixtures'
//! paths are relative, with `--only` keeping it to a few scenarios. Its
//! exit code is checked too. What stays as the program printed it: every
//! sentence, every value, the deadlines a scenario sets ("within 6.0 s",
//! fixed by the scenario: `SOCKSPEC_TIME_SCALE` is cleared). What varies
//! from run to run or machine to machine is redacted, in this order:
//!
//! 1. the repository's root (as Cargo gives it, and canonical) → `<repo>`;
//! 2. an absolute path of the interpreter (`/root/.pyenv/…/bin/python3`,
//!    `/usr/bin/python3.11`: the harness resolves `python3` on `PATH`)
//!    → `python3`;
//! 3. a timeline row's time (`  102 ms  程序 …`, right-aligned to the
//!    longest of its timeline) → `<ms>` in a column of fixed width, and
//!    the first time measured in the row (`waited 0.6 s for a reply`,
//!    `0.6 秒内没有等到`: the harness stops waiting as soon as it sees the
//!    program blocked) → `<t>`;
//! 4. a timeline row of the program's start (`started: CMD` / `启动：CMD`):
//!    CMD → `<command>` (it is cut to fit by the length of the
//!    interpreter's path and the port; the `target:` line below says it
//!    whole);
//! 5. the time a scenario took, at the end of its verdict line
//!    (`(83 ms)`, `（83 ms）`) → `<ms>`, and the run's wall time at the
//!    end of the summary line (`— 0.6 s`, `— 0.6 秒`, and the program
//!    starts after it) → `<s>`;
//! 6. `pid N` → `pid <pid>`;
//! 7. a port: any number of 5 digits from 20000 to 65535 that stands
//!    alone → `<port>`. The harness hands its programs ports from 20000 to
//!    32767 and the kernel its clients ports from 32768 to 60999 (Linux's
//!    default), always 5 digits, so a line wrapped around one wraps the
//!    same way every run.
//!
//! And one rule of order: the report prints each scenario when it ends,
//! and scenarios run side by side (even with `--jobs 1` the order they
//! start in is not fixed), so the blocks of the scenarios are sorted by
//! id; a block with more than its verdict line is followed by a blank
//! line, as the report does.
//!
//! Each Chinese report is also read for English a user would read
//! ([`english_in_zh`]): lines quoting the program's output (`  | …`),
//! anything in quotes or backticks, and code-like words (paths, calls,
//! flags, identifiers, addresses) are left out, and every other run of 4
//! or more ASCII letters must be a code word of [`CODE_WORDS`]. The
//! English found today, a translation missing in the crates, is listed in
//! [`KNOWN_ENGLISH`]: a new one fails, and so does one that is gone.

mod common;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// The repository's root, as Cargo gives it.
const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// One run of the binary, rendered in both languages.
struct Run {
    /// The snapshots are tests/snapshots/NAME.en.txt and NAME.zh.txt.
    name: &'static str,
    /// `--role`, `--target` and the rest of the arguments (`--only`, the
    /// contract, `--cwd`, ...).
    role: &'static str,
    target: String,
    args: &'static [&'static str],
    /// The exit code it must end with.
    code: i32,
}

/// `python3 PATH ARGS`, PATH relative to the repository's root.
fn python(path: &str, args: &str) -> String {
    format!("python3 {path} {args}")
}

#[test]
fn a_course_style_tcp_server_passes_and_is_warned_about_restarting() {
    check(&Run {
        name: "course_tcp_server",
        role: "tcp-server",
        target: python("tests/fixtures/course/tcp_server.py", "{port}"),
        args: &[
            "--reply",
            "fixed:Thanks",
            "--only",
            "tcp-server/reply",
            "--only",
            "tcp-server/peer-exit",
            "--only",
            "tcp-server/clients-in-turn",
            "--only",
            "tcp-server/restart",
        ],
        code: 0,
    });
}

#[test]
fn a_tcp_server_that_receives_twice_is_found_blocked_in_recv() {
    check(&Run {
        name: "tcp_server_recv_twice",
        role: "tcp-server",
        target: python("tests/fixtures/tcp-server/recv_twice.py", "{port}"),
        args: &[
            "--reply",
            "fixed:Thanks",
            "--only",
            "tcp-server/reply",
            "--timeline",
        ],
        code: 1,
    });
}

#[test]
fn a_udp_server_that_answers_the_first_client_only() {
    check(&Run {
        name: "udp_server_first_client",
        role: "udp-server",
        target: python("tests/fixtures/udp-server/udp_first_client.py", "{port}"),
        args: &[
            "--reply",
            "fixed:Thanks",
            "--only",
            "udp-server/reply",
            "--only",
            "udp-server/two-clients",
        ],
        code: 1,
    });
}

#[test]
fn a_tcp_client_that_never_quits() {
    check(&Run {
        name: "tcp_client_no_quit",
        role: "tcp-client",
        target: python(
            "tests/fixtures/tcp-client/tcp_client_no_quit.py",
            "{host} {port}",
        ),
        args: &[
            "--reply",
            "fixed:Thanks",
            "--only",
            "tcp-client/lines",
            "--only",
            "tcp-client/quit",
        ],
        code: 1,
    });
}

/// The grader started the page server in the wrong folder: `/`, so that
/// the folder the diagnosis names (inside a wrapped sentence) is the same
/// on every machine.
#[test]
fn a_page_server_started_in_the_wrong_folder_answers_404() {
    check(&Run {
        name: "http_server_wrong_folder",
        role: "http-server",
        target: python(
            &format!("{REPO}/tests/fixtures/wrong-folder/page_server.py"),
            "{port}",
        ),
        args: &[
            "--cwd",
            "/",
            "--only",
            "http-server/get",
            "--only",
            "http-server/not-found",
        ],
        code: 1,
    });
}

#[test]
fn a_page_server_that_ends_its_lines_with_lf() {
    check(&Run {
        name: "http_server_lf",
        role: "http-server",
        target: python("lf_server.py", "{port}"),
        args: &[
            "--cwd",
            "tests/fixtures/http-server",
            "--only",
            "http-server/get",
        ],
        code: 1,
    });
}

#[test]
fn a_broadcast_sender_without_so_broadcast() {
    check(&Run {
        name: "broadcast_sender_no_so_broadcast",
        role: "broadcast-sender",
        target: python(
            "tests/fixtures/broadcast-sender/broadcast_no_so_broadcast.py",
            "{broadcast} {port}",
        ),
        args: &["--only", "broadcast-sender/reaches-all"],
        code: 1,
    });
}

/// Python starts and cannot open the file: the program has failed (exit
/// 1), with what Python said (`-v`: the line whole, however long the
/// paths in it are).
#[test]
fn a_program_whose_file_is_missing_fails() {
    check(&Run {
        name: "missing_file",
        role: "tcp-server",
        target: python("tests/fixtures/tcp-server/no_such_server.py", "{port}"),
        args: &[
            "--reply",
            "fixed:Thanks",
            "--only",
            "tcp-server/reply",
            "-v",
        ],
        code: 1,
    });
}

/// A command that cannot be executed at all is the grader's to fix (exit
/// 2). One scenario: with two, which one says it first is a race.
#[test]
fn a_command_that_cannot_be_executed_is_an_error() {
    check(&Run {
        name: "command_not_found",
        role: "tcp-server",
        target: "./no_such_program {port}".to_owned(),
        args: &["--reply", "fixed:Thanks", "--only", "tcp-server/reply"],
        code: 2,
    });
}

/// Runs `run` in both languages (side by side) and compares each report
/// with its snapshot; fails with every difference.
fn check(run: &Run) {
    let wrong: Vec<String> = std::thread::scope(|s| {
        let langs = ["en", "zh"].map(|lang| s.spawn(move || check_lang(run, lang)));
        langs
            .into_iter()
            .flat_map(|l| l.join().expect("the run's thread ends"))
            .collect()
    });
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// What is wrong with `run` in `lang`: its exit code, its snapshot, and
/// (in Chinese) English where a user reads.
fn check_lang(run: &Run, lang: &str) -> Vec<String> {
    let output = common::sockspec()
        .current_dir(REPO)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .args(["run", "--role", run.role, "--target", &run.target])
        .args(run.args)
        .args(["--format", "human", "--lang", lang])
        .output()
        .expect("sockspec runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut text = sorted(&redact(&stdout));
    if !stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&redact(&stderr));
    }
    let name = format!("{}.{lang}.txt", run.name);
    let mut wrong = Vec::new();
    let code = output.status.code();
    if code != Some(run.code) {
        wrong.push(format!(
            "{name}: exit code {code:?}, expected {}\n{text}",
            run.code
        ));
    }
    if let Err(e) = snapshot(&name, &text) {
        wrong.push(e);
    }
    if lang == "zh" {
        wrong.extend(english_in_zh(&name, &text));
    }
    wrong
}

/// The redactions of the module's documentation, in its order.
fn redact(text: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
        [
            // 2. An absolute path of the interpreter.
            (r"(?:/[\w.+-]+)+/python3(?:\.\d+)?\b", "python3"),
            // 3. A timeline row's time.
            (r"(?m)^ +\d+ ms  ", "         <ms>  "),
            // ... and a time measured in a row (`waited 0.6 s`: the
            // harness stops waiting as soon as it sees the program blocked).
            (r"(?m)^(         <ms>  .*?)\d+(?:\.\d+)? ?(?:ms\b|s\b|秒)", "${1}<t>"),
            // 4. The command in a timeline row of the program's start.
            (r"(?m)^(         <ms>  \S+ +)(started: |启动：).*$", "$1$2<command>"),
            // 5. A scenario's time, the run's wall time.
            (
                r"(?m)^((?:PASS|FAIL|WARN|SKIP|ERROR|FLAKY) .*)([(（])\d+(?:\.\d+)? (?:ms|s|秒)([)）])$",
                "$1$2<ms>$3",
            ),
            // ...with the program starts after it, which the lanes' race
            // for a handed-over server can make one more or less.
            (r"(?m)( — )\d+(?:\.\d+)? (s|秒|ms)(?:[,，].*)?$", "$1<s>"),
            // 6. Process ids.
            (r"\bpid \d+\b", "pid <pid>"),
            // 7. Ports.
            (r"\b(?:[2-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])\b", "<port>"),
        ]
        .into_iter()
        .map(|(re, by)| (Regex::new(re).expect("a valid rule"), by))
        .collect()
    });
    // 1. The repository's root, canonical first (it may be the longer).
    let mut out = text.to_owned();
    let canonical = Path::new(REPO)
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(REPO));
    for root in [canonical.to_string_lossy().into_owned(), REPO.to_owned()] {
        out = out.replace(&root, "<repo>");
    }
    for (re, by) in RULES.iter() {
        out = re.replace_all(&out, *by).into_owned();
    }
    out
}

/// The report with its scenarios' blocks sorted by id: a block is a
/// verdict line and the indented (or blank) lines under it; the lines
/// before the first are the head, the first line after the blocks that
/// is neither starts the tail (the summary).
fn sorted(text: &str) -> String {
    static VERDICT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:PASS|FAIL|WARN|SKIP|ERROR|FLAKY) +(\S+)").expect("a valid regex")
    });
    let mut head = Vec::new();
    let mut blocks: Vec<(String, Vec<&str>)> = Vec::new();
    let mut tail = Vec::new();
    for line in text.lines() {
        if !tail.is_empty() {
            tail.push(line);
        } else if let Some(c) = VERDICT.captures(line) {
            blocks.push((c[1].to_owned(), vec![line]));
        } else if let Some((_, block)) = blocks.last_mut()
            && (line.is_empty() || line.starts_with(' '))
        {
            block.push(line);
        } else if blocks.is_empty() {
            head.push(line);
        } else {
            tail.push(line);
        }
    }
    blocks.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for line in head {
        out.push_str(line);
        out.push('\n');
    }
    let last = blocks.len().saturating_sub(1);
    for (i, (_, block)) in blocks.iter_mut().enumerate() {
        while block.last().is_some_and(|l| l.is_empty()) {
            block.pop();
        }
        for line in block.iter() {
            out.push_str(line);
            out.push('\n');
        }
        // A block with more than its verdict line is followed by a blank
        // line, and so is the last one, before the summary.
        if block.len() > 1 || (i == last && !tail.is_empty()) {
            out.push('\n');
        }
    }
    for line in tail {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Compares `actual` with tests/snapshots/`name`, or writes it there when
/// `UPDATE_SNAPSHOTS=1`.
fn snapshot(name: &str, actual: &str) -> Result<(), String> {
    let dir = Path::new(REPO).join("tests/snapshots");
    let path = dir.join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).expect("tests/snapshots can be created");
        std::fs::write(&path, actual).expect("the snapshot can be written");
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)\n{actual}",
            path.display()
        )
    })?;
    if actual == expected {
        return Ok(());
    }
    let diff: Vec<String> = diff_lines(&expected, actual);
    Err(format!(
        "{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it):\n{}\n--- actual, whole\n{actual}",
        diff.join("\n")
    ))
}

/// The lines that differ, numbered: `-` expected, `+` actual.
fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = Vec::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            if let Some(x) = x {
                out.push(format!("{:>4} - {x}", i + 1));
            }
            if let Some(y) = y {
                out.push(format!("{:>4} + {y}", i + 1));
            }
        }
    }
    out
}

/// Runs of ASCII letters that may stand in a Chinese report: the course's
/// code words (system calls, socket options, protocol words), the names
/// the product keeps in every language (the verdicts, the output streams),
/// and HTTP's own words.
const CODE_WORDS: &[&str] = &[
    // Socket calls and the course's code.
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "recv",
    "recvfrom",
    "send",
    "sendto",
    "sendall",
    "close",
    "setsockopt",
    "decode",
    "encode",
    "input",
    "print",
    "python",
    "bytes",
    // Protocols, options, states.
    "HTTP",
    "CRLF",
    "GBK",
    "UTF",
    "SO_REUSEADDR",
    "SO_BROADCAST",
    "TIME_WAIT",
    "CLOSE_WAIT",
    "LINGER",
    "EACCES",
    "EADDRINUSE",
    "ECONNRESET",
    "EPIPE",
    // Variables of the code the hints show (`sendto(reply, addr)`, `len(body)`).
    "addr",
    "body",
    "data",
    "conn",
    "connfd",
    "sockfd",
    // HTTP's words: methods, headers, reason phrases.
    "Content",
    "Length",
    "Type",
    "Host",
    "HEAD",
    "POST",
    "Found",
    // What the product keeps in English: verdicts, streams, its name.
    "PASS",
    "FAIL",
    "WARN",
    "SKIP",
    "ERROR",
    "FLAKY",
    "stdout",
    "stderr",
    "sockspec",
    // Contract values.
    "fixed",
    "none",
    "line",
    "echo",
    "regex",
    "strict",
];

/// Lines of the Chinese reports with English in them that are known, a
/// translation still missing in the crates: `(snapshot, the line)`. A
/// line here must still be there (once it is translated, take it out).
const KNOWN_ENGLISH: &[(&str, &str)] = &[
    // A command that cannot be executed: the system's own error, quoted
    // as it said it, like the program's output.
    (
        "command_not_found.zh.txt",
        "       程序无法启动：`./no_such_program`：No such file or directory (os error",
    ),
];

/// The lines of a Chinese report with English a user reads (see the
/// module's documentation), less [`KNOWN_ENGLISH`]; and the known ones
/// that are gone.
fn english_in_zh(name: &str, text: &str) -> Vec<String> {
    let found = english_lines(text);
    let known: Vec<&str> = KNOWN_ENGLISH
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .collect();
    let mut wrong: Vec<String> = found
        .iter()
        .filter(|(line, _)| !known.contains(&line.as_str()))
        .map(|(line, words)| format!("{name}: English in the Chinese report ({words}):\n{line}"))
        .collect();
    wrong.extend(
        known
            .iter()
            .filter(|k| !found.iter().any(|(line, _)| line == *k))
            .map(|k| {
                format!("{name}: no longer in the report, take it out of KNOWN_ENGLISH:\n{k}")
            }),
    );
    wrong
}

/// Each line with English in it, and the English words.
fn english_lines(text: &str) -> Vec<(String, String)> {
    // A quoted span may be wrapped onto the next line, not further.
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#""[^"\n]*\n?[^"\n]*"|'[^'\n]*\n?[^'\n]*'|`[^`\n]*\n?[^`\n]*`|“[^”\n]*\n?[^”\n]*”"#,
        )
        .expect("a valid regex")
    });
    // Runs of ASCII that are not spaces: a token, when split at any other
    // character (Chinese text and punctuation).
    static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[!-~]+").expect("a valid regex"));
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z]{4,}").expect("a valid regex"));
    // The program's output, quoted: left out whole.
    let read: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('|') {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    // Quoted spans blanked, the lines kept where they are.
    let unquoted = QUOTED.replace_all(&read, |c: &regex::Captures| {
        c[0].chars()
            .map(|ch| if ch == '\n' { '\n' } else { ' ' })
            .collect::<String>()
    });
    let mut out = Vec::new();
    for (line, masked) in text.lines().zip(unquoted.lines()) {
        let mut words = Vec::new();
        let mut flag_end = None;
        for m in TOKEN.find_iter(masked) {
            let token = m.as_str();
            // A flag's value (`--quit exit`) or a key's (`quit: exit`),
            // right after it, is code too.
            let value = flag_end.is_some_and(|end| masked[end..m.start()].trim().is_empty());
            let key = token.len() > 1
                && token
                    .strip_suffix(':')
                    .is_some_and(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            flag_end = (token.starts_with("--") || key).then_some(m.end());
            if value || is_code(token) {
                continue;
            }
            for w in WORD.find_iter(token).map(|m| m.as_str()) {
                if !CODE_WORDS.contains(&w) && !w.ends_with("Error") {
                    words.push(w);
                }
            }
        }
        if !words.is_empty() {
            out.push((line.to_owned(), words.join(" ")));
        }
    }
    out
}

/// Whether a token is code rather than a word: a path or a file name, a
/// call (or a piece of one cut by the wrapping), a flag, an identifier, an
/// address, a key (`quit:`), a placeholder.
fn is_code(token: &str) -> bool {
    let token = token.trim_end_matches([',', ';', '.', '!', '?']);
    token.starts_with('-')
        || token.starts_with('<')
        || token.chars().any(|c| {
            matches!(
                c,
                '_' | '.' | '/' | '(' | ')' | '{' | '[' | '=' | '\\' | ':' | '@' | '%'
            )
        })
}
