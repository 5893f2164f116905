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
use sockspec_results::Unrunnable;

/// The sandbox of a submission's programs: the assignment's limits (the
/// harness's defaults where it sets none), a clean environment, writes
/// only in the submission's folder, a PID namespace so that nothing a
/// program forks outlives it, and a cgroup so that its process and memory
/// limits hold for root too (a fork flood would otherwise reach the
/// machine: `RLIMIT_NPROC` does nothing for root). Its default process
/// limit, 64, is room for a server with a process or a thread per client,
/// and far from what a flood needs. What this machine cannot do is said once by
/// the runner, not here.
pub(crate) fn sandbox(assignment: &Assignment, submission: &Path) -> sockspec_process::Sandbox {
    let d = sockspec_process::Limits::default();
    let l = &assignment.limits;
    let mib = |m: Option<u64>, default: u64| m.map_or(default, |m| m.saturating_mul(1 << 20));
    sockspec_process::Sandbox {
        limits: sockspec_process::Limits {
            cpu_seconds: l.cpu_s.unwrap_or(d.cpu_seconds),
            memory_bytes: mib(l.memory_mb, d.memory_bytes),
            processes: l.processes.unwrap_or(d.processes),
            file_size_bytes: mib(l.file_size_mb, d.file_size_bytes),
            open_files: l.open_files.unwrap_or(d.open_files),
        },
        clean_env: true,
        writable: Some(submission.to_path_buf()),
        pid_namespace: true,
        cgroup: true,
        cap_address_space: true,
    }
}

/// The command with a `python`/`python3` that is a shim (pyenv's, a bash
/// script that finds the interpreter and execs it, 70 ms every time) replaced
/// by the interpreter the shim would run in that folder. A suite starts a
/// program dozens of times; asking once saves that each time. A command
/// whose interpreter is a real executable is left as it is.
pub(crate) fn without_shim(command: &str, cwd: &Path) -> String {
    let Some(first) = shlex::split(command).and_then(|w| w.into_iter().next()) else {
        return command.to_owned();
    };
    match interpreter(&first, cwd).map(|real| shlex::try_quote(&real).map(|q| q.into_owned())) {
        Some(Ok(q)) => {
            let rest = command
                .trim_start()
                .strip_prefix(first.as_str())
                .unwrap_or("");
            format!("{q}{rest}")
        }
        _ => command.to_owned(),
    }
}

/// The interpreter a Python command word (`python`, `python3`,
/// `python3.11`) that is a shim runs in `cwd`, asked once per word and
/// folder; `None` for another word or a real executable.
fn interpreter(word: &str, cwd: &Path) -> Option<String> {
    /// (word, folder) → the interpreter, or None for no shim.
    type Resolved = Vec<((String, PathBuf), Option<String>)>;
    static RESOLVED: std::sync::Mutex<Resolved> = std::sync::Mutex::new(Vec::new());
    let is_python = word == "python"
        || word == "python3"
        || word
            .strip_prefix("python3.")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()));
    if !is_python {
        return None;
    }
    let key = (word.to_owned(), cwd.to_path_buf());
    let cached = RESOLVED
        .lock()
        .ok()
        .and_then(|r| r.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
    match cached {
        Some(r) => r,
        None => {
            let r = inherited(word, cwd).or_else(|| resolve_shim(word, cwd));
            if let Ok(mut all) = RESOLVED.lock() {
                all.push((key, r.clone()));
            }
            r
        }
    }
}

/// Where `grade` hands its runs the interpreters it resolved once for the
/// whole batch (`python3=/path/python3;python=...`): a batch of 300 would
/// otherwise ask the shim 300 times, 100 ms of CPU each.
pub(crate) const INTERPRETERS_ENV: &str = "SOCKSPEC_INTERPRETERS";

/// The interpreter `grade` resolved for `word`, unless `cwd` chooses its
/// own version (pyenv's `.python-version` in the submission's folder).
fn inherited(word: &str, cwd: &Path) -> Option<String> {
    inherited_from(&std::env::var(INTERPRETERS_ENV).ok()?, word, cwd)
}

fn inherited_from(all: &str, word: &str, cwd: &Path) -> Option<String> {
    if cwd.join(".python-version").exists() {
        return None;
    }
    all.split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(w, _)| *w == word)
        .map(|(_, real)| real.to_owned())
        .filter(|real| Path::new(real).is_file())
}

/// The interpreters of the Python commands of `commands`, resolved once in
/// `folder` (the batch's), as [`INTERPRETERS_ENV`] carries them.
pub(crate) fn interpreters<'a>(
    commands: impl IntoIterator<Item = &'a str>,
    folder: &Path,
) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for command in commands {
        let Some(first) = shlex::split(command).and_then(|w| w.into_iter().next()) else {
            continue;
        };
        if pairs.iter().any(|p| p.starts_with(&format!("{first}="))) {
            continue;
        }
        if let Some(real) = interpreter(&first, folder)
            && !real.contains([';', '='])
        {
            pairs.push(format!("{first}={real}"));
        }
    }
    pairs.join(";")
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

/// The addresses a command names: typed as its arguments, or in the files
/// it names (those that exist, relative to `cwd`, and are small enough to
/// be source code): `python3 client.py` reads client.py, not python3.
pub(crate) fn named_addresses(command: &str, cwd: &Path) -> sockspec_netns::Found {
    let words = shlex::split(command).unwrap_or_default();
    let is_file = |word: &str| cwd.join(word).is_file();
    // What is typed on the command line first: it is where the program
    // goes, whatever its source would have used without it.
    let args: Vec<&String> = words.iter().skip(1).filter(|w| !is_file(w)).collect();
    let mut found = sockspec_netns::scan_args(&args);
    for word in &words {
        let path = cwd.join(word);
        let small = path
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= 1 << 20);
        if !word.contains('{') && small {
            let text = std::fs::read(&path).unwrap_or_default();
            found.extend(sockspec_netns::scan_text(&String::from_utf8_lossy(&text)));
        }
    }
    found
}

/// Where the host names a source names are, for the harness: in a private
/// network, the loopback address each is given there; on the machine's own
/// network, only those its hosts file puts on the loopback (`'vm'`, a
/// machine's own name) — a client of any other is not run there.
pub(crate) fn where_names_are(
    private: bool,
    names: &std::collections::BTreeSet<String>,
) -> Vec<(String, Ipv4Addr)> {
    if private {
        return sockspec_netns::map_names(names);
    }
    let machine = std::fs::read("/etc/hosts")
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    names
        .iter()
        .filter_map(|n| Some((n.clone(), on_this_machine(&machine, n)?)))
        .collect()
}

/// The loopback address a hosts file gives `name`, if it gives one.
fn on_this_machine(hosts: &str, name: &str) -> Option<Ipv4Addr> {
    hosts.lines().find_map(|line| {
        let mut words = line.split('#').next()?.split_whitespace();
        let ip: Ipv4Addr = words.next()?.parse().ok()?;
        (ip.is_loopback() && words.any(|w| w.eq_ignore_ascii_case(name))).then_some(ip)
    })
}

/// Where a client that takes no `{port}` sends: the first (host, port) its
/// source names whose host has an address ('' and 'localhost' being
/// 127.0.0.1, a name the one `names` gives it). Servers need none: they are
/// found where they listen.
pub(crate) fn hard_coded_server(
    role: Role,
    command: &str,
    own: &sockspec_netns::Found,
    names: &[(String, Ipv4Addr)],
) -> Option<SocketAddr> {
    if !sends(role) || command.contains("{port}") {
        return None;
    }
    own.endpoints.iter().find_map(|e| {
        let ip = e.ip().or_else(|| sockspec_netns::mapped(names, &e.host))?;
        let ip = if ip.is_unspecified() {
            Ipv4Addr::LOCALHOST
        } else {
            ip
        };
        Some(SocketAddr::from((ip, e.port)))
    })
}

/// Whether the role's program is the one that connects or sends.
fn sends(role: Role) -> bool {
    role.is_client()
}

/// A client or sender whose source names an address off the loopback, or
/// any program that names a host (a server that binds a classroom
/// machine's name looks it up too), would on the machine's own network
/// send its packets out into the world (for a name, its look-up first):
/// without a private network it is not run, and says why. A name the
/// machine's hosts file puts on the loopback (`local`, see
/// [`where_names_are`]) is no way out.
pub(crate) fn leaves_the_machine(
    role: Role,
    own: &sockspec_netns::Found,
    local: &[(String, Ipv4Addr)],
) -> Option<Unrunnable> {
    // A server bound to an address the machine lacks only fails to bind.
    let sends = sends(role);
    let far: Vec<String> = own
        .literals
        .iter()
        .filter(|ip| sends && !ip.is_loopback() && !ip.is_unspecified())
        .map(|ip| {
            if ip.is_broadcast() {
                "255.255.255.255 ('<broadcast>')".to_owned()
            } else {
                ip.to_string()
            }
        })
        .collect();
    let hosts: Vec<&str> = own
        .names
        .iter()
        .filter(|n| sockspec_netns::mapped(local, n).is_none())
        .map(String::as_str)
        .collect();
    if far.is_empty() && hosts.is_empty() {
        return None;
    }
    Some(Unrunnable::LeavesMachine {
        role,
        sends,
        far,
        hosts: hosts.into_iter().map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interpreter grade resolved is used, unless the submission picks
    /// its own Python version or the interpreter is not there.
    #[test]
    fn an_interpreter_resolved_for_the_batch_is_used_where_no_version_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("python3.11");
        std::fs::write(&real, "").unwrap();
        let all = format!("python={};python3={}", "/no/such/python", real.display());
        let own = dir.path().join("alice");
        std::fs::create_dir(&own).unwrap();
        assert_eq!(
            inherited_from(&all, "python3", &own).as_deref(),
            Some(real.to_str().unwrap())
        );
        assert_eq!(inherited_from(&all, "python", &own), None, "not there");
        assert_eq!(inherited_from(&all, "python3.12", &own), None);
        std::fs::write(own.join(".python-version"), "3.12\n").unwrap();
        assert_eq!(
            inherited_from(&all, "python3", &own),
            None,
            "its own version"
        );
    }

    #[test]
    fn a_client_of_a_host_name_is_refused_with_the_name_or_graded_where_it_maps() {
        let own = sockspec_netns::scan_text("s.connect(('www.python.org', 80))\n");
        let leaves = |role, sends, far: &[&str], hosts: &[&str]| {
            Some(Unrunnable::LeavesMachine {
                role,
                sends,
                far: far.iter().map(|s| s.to_string()).collect(),
                hosts: hosts.iter().map(|s| s.to_string()).collect(),
            })
        };
        assert_eq!(
            leaves_the_machine(Role::TcpClient, &own, &[]),
            leaves(Role::TcpClient, true, &[], &["www.python.org"])
        );
        // A server that names a host looks it up: refused too.
        assert_eq!(
            leaves_the_machine(Role::TcpServer, &own, &[]),
            leaves(Role::TcpServer, false, &[], &["www.python.org"])
        );
        // One bound to an address the machine lacks only fails to bind.
        let bound = sockspec_netns::scan_text("s.bind(('10.16.129.97', 8888))\n");
        assert_eq!(leaves_the_machine(Role::TcpServer, &bound, &[]), None);
        let names = where_names_are(true, &own.names);
        assert_eq!(
            hard_coded_server(Role::TcpClient, "python3 client.py", &own, &names),
            Some("127.77.0.1:80".parse().unwrap())
        );
        assert_eq!(
            hard_coded_server(Role::TcpClient, "python3 client.py {port}", &own, &names),
            None
        );
        // Unmapped, a name is nowhere: no hard-coded server.
        assert_eq!(
            hard_coded_server(Role::TcpClient, "python3 client.py", &own, &[]),
            None
        );

        let own = sockspec_netns::scan_text(
            "ADDR = ('118.25.239.224', 8888)\nsock.sendto(b'x', ('tedu-server', 9))\n\
             sock.sendto(b'y', ('www.baidu.com', 9))\n",
        );
        assert_eq!(
            leaves_the_machine(Role::UdpClient, &own, &[]),
            leaves(
                Role::UdpClient,
                true,
                &["118.25.239.224"],
                &["tedu-server", "www.baidu.com"]
            )
        );
        // A name this machine's hosts file puts on the loopback stays here.
        let local = [("tedu-server".to_owned(), Ipv4Addr::LOCALHOST)];
        assert_eq!(
            leaves_the_machine(Role::UdpClient, &own, &local),
            leaves(
                Role::UdpClient,
                true,
                &["118.25.239.224"],
                &["www.baidu.com"]
            )
        );
        assert_eq!(
            leaves_the_machine(
                Role::TcpClient,
                &sockspec_netns::scan_text("HOST = 'localhost'\nPORT = 1\n"),
                &[]
            ),
            None
        );
    }

    #[test]
    fn the_machine_s_hosts_file_is_read_not_asked() {
        let hosts = "127.0.0.1 localhost\n127.0.1.1\tvm vm.local # this machine\n\
                     10.0.0.5 tedu-server\n# 127.0.0.1 www.python.org\n::1 ip6-localhost\n";
        assert_eq!(
            on_this_machine(hosts, "VM"),
            Some(Ipv4Addr::new(127, 0, 1, 1))
        );
        assert_eq!(
            on_this_machine(hosts, "vm.local"),
            Some(Ipv4Addr::new(127, 0, 1, 1))
        );
        // Named there, but off the machine; and a line turned off.
        assert_eq!(on_this_machine(hosts, "tedu-server"), None);
        assert_eq!(on_this_machine(hosts, "www.python.org"), None);
        assert_eq!(on_this_machine("", "vm"), None);
    }
}
