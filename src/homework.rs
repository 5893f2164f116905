//! Homework as handed in: what a submission's programs need to be run
//! unchanged. Which file a command names and whether it is there, which
//! addresses its source hard-codes (and whether running it on the
//! machine's own network would send packets out), which interpreter a
//! `python3` shim stands for, and the sandbox its programs run in.
//!
//! All of it reads the submission; none of it runs a scenario.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use sockspec_model::{Assignment, Role};

/// The sandbox of a submission's programs: the assignment's limits (the
/// harness's defaults where it sets none), a clean environment, writes
/// only in the submission's folder, and a PID namespace so that nothing a
/// program forks outlives it. What this machine cannot do is said once by
/// the runner, not here.
pub(crate) fn sandbox(assignment: &Assignment, submission: &Path) -> sockspec_target::Sandbox {
    let d = sockspec_target::Limits::default();
    let l = &assignment.limits;
    let mib = |m: Option<u64>, default: u64| m.map_or(default, |m| m.saturating_mul(1 << 20));
    sockspec_target::Sandbox {
        limits: sockspec_target::Limits {
            cpu_seconds: l.cpu_s.unwrap_or(d.cpu_seconds),
            memory_bytes: mib(l.memory_mb, d.memory_bytes),
            processes: l.processes.unwrap_or(d.processes),
            file_size_bytes: mib(l.file_size_mb, d.file_size_bytes),
            open_files: l.open_files.unwrap_or(d.open_files),
        },
        clean_env: true,
        writable: Some(submission.to_path_buf()),
        pid_namespace: true,
    }
}

/// The command with a `python`/`python3` that is a shim (pyenv's, a bash
/// script that finds the interpreter and execs it, 70 ms every time) replaced
/// by the interpreter the shim would run in that folder. A suite starts a
/// program dozens of times; asking once saves that each time. A command
/// whose interpreter is a real executable is left as it is.
pub(crate) fn without_shim(command: &str, cwd: &Path) -> String {
    /// (word, folder) → the interpreter, or None for no shim.
    type Resolved = Vec<((String, PathBuf), Option<String>)>;
    static RESOLVED: std::sync::Mutex<Resolved> = std::sync::Mutex::new(Vec::new());
    let Some(words) = shlex::split(command) else {
        return command.to_owned();
    };
    let Some(first) = words.first() else {
        return command.to_owned();
    };
    let is_python = first == "python"
        || first == "python3"
        || first
            .strip_prefix("python3.")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()));
    if !is_python {
        return command.to_owned();
    }
    let key = (first.clone(), cwd.to_path_buf());
    let cached = RESOLVED
        .lock()
        .ok()
        .and_then(|r| r.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
    let resolved = match cached {
        Some(r) => r,
        None => {
            let r = resolve_shim(first, cwd);
            if let Ok(mut all) = RESOLVED.lock() {
                all.push((key, r.clone()));
            }
            r
        }
    };
    match resolved {
        Some(real) => match shlex::try_quote(&real) {
            Ok(q) => {
                let rest = command
                    .trim_start()
                    .strip_prefix(first.as_str())
                    .unwrap_or("");
                format!("{q}{rest}")
            }
            Err(_) => command.to_owned(),
        },
        None => command.to_owned(),
    }
}

/// The interpreter behind a shim on PATH, or `None` if `word` is not a
/// shim (a script, not an executable) or cannot be asked.
fn resolve_shim(word: &str, cwd: &Path) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join(word))
        .find(|p| p.is_file())?;
    let mut head = [0u8; 2];
    use std::io::Read;
    std::fs::File::open(&found)
        .ok()?
        .read_exact(&mut head)
        .ok()?;
    if &head != b"#!" {
        return None;
    }
    let out = std::process::Command::new(&found)
        .args(["-c", "import sys; print(sys.executable)"])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let real = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && Path::new(&real).is_file()).then_some(real)
}

/// The addresses named in the files a command names (those that exist,
/// relative to `cwd`, and are small enough to be source code): `python3
/// client.py` reads client.py, not python3.
pub(crate) fn named_addresses(command: &str, cwd: &Path) -> sockspec_netns::Found {
    let mut found = sockspec_netns::Found::default();
    for word in shlex::split(command).unwrap_or_default() {
        let path = cwd.join(&word);
        let small = path
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= 1 << 20);
        if !word.contains('{') && small {
            let text = std::fs::read(&path).unwrap_or_default();
            let more = sockspec_netns::scan_text(&String::from_utf8_lossy(&text));
            found.literals.extend(more.literals);
            found.endpoints.extend(more.endpoints);
        }
    }
    found
}

/// Where a client that takes no `{port}` sends: the first (host, port) its
/// source names ('' and 'localhost' being 127.0.0.1). Servers need none:
/// they are found where they listen.
pub(crate) fn hard_coded_server(
    role: Role,
    command: &str,
    own: &sockspec_netns::Found,
) -> Option<SocketAddr> {
    let client = matches!(
        role,
        Role::TcpClient | Role::UdpClient | Role::HttpClient | Role::BroadcastSender
    );
    if !client || command.contains("{port}") {
        return None;
    }
    own.endpoints.iter().find_map(|e| {
        let ip = e.ip()?;
        let ip = if ip.is_unspecified() {
            Ipv4Addr::LOCALHOST
        } else {
            ip
        };
        Some(SocketAddr::from((ip, e.port)))
    })
}

/// A client or sender whose source names an address off the loopback
/// would, on the machine's own network, send its packets out into the
/// world: without a private network it is not run, and says why.
pub(crate) fn leaves_the_machine(role: Role, own: &sockspec_netns::Found) -> Option<String> {
    let sends = matches!(
        role,
        Role::TcpClient | Role::UdpClient | Role::HttpClient | Role::BroadcastSender
    );
    let far: Vec<String> = own
        .literals
        .iter()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .map(|ip| {
            if ip.is_broadcast() {
                "255.255.255.255 ('<broadcast>')".to_owned()
            } else {
                ip.to_string()
            }
        })
        .collect();
    (sends && !far.is_empty()).then(|| {
        format!(
            "not run: this {role} sends to {}, which only a private network can serve without its packets leaving the machine; grade it with --isolate net (as root, or with unprivileged user namespaces)",
            far.join(", ")
        )
    })
}

/// Says which file a submission lacks, if the command names a file (a word
/// with a source-file extension, or a relative path) that is not in the
/// folder it runs in: "the submission has no tcp_server.py" is the grade a
/// teacher wants, not a traceback from python3 in every scenario.
pub(crate) fn missing_file(command: &str, cwd: &Path) -> Option<String> {
    const SOURCES: [&str; 9] = ["py", "js", "rb", "pl", "sh", "jar", "class", "php", "lua"];
    let words = shlex::split(command)?;
    let missing = words.iter().find(|w| {
        let path = Path::new(w.as_str());
        let names_a_file = path
            .extension()
            .is_some_and(|x| SOURCES.contains(&x.to_string_lossy().as_ref()))
            || (w.contains('/') && path.is_relative());
        names_a_file
            && !w.contains('{')
            && !w.starts_with('-')
            && path.is_relative()
            && !cwd.join(path).exists()
    })?;
    let mut files: Vec<String> = std::fs::read_dir(cwd)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let has = match files.len() {
        0 => "it is empty".to_owned(),
        n if n <= 8 => format!("it has {}", files.join(", ")),
        n => format!("it has {} and {} more", files[..8].join(", "), n - 8),
    };
    Some(format!(
        "the submission has no {missing} (the command is `{command}`, run in {}; {has})",
        cwd.display()
    ))
}
