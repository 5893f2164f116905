//! The supervised target process.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpid};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, Command};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout_at};

use crate::capture::Capture;
use crate::command::split_command;
use crate::proc::{self, ListenState, Proto};
use crate::sandbox::{self, Applied, Sandbox, SandboxError, Scratch, Support};

/// Bytes of each output stream kept by default (the tail).
pub const DEFAULT_OUTPUT_CAP: usize = 64 * 1024;

/// How often readiness looks at `/proc` (a look costs ~0.1 ms).
const POLL: Duration = Duration::from_millis(1);
/// How often readiness rescans `/proc` for the group's other processes
/// (`sh -c` wrappers, forks); the target's own sockets are checked every poll.
const GROUP_RESCAN: Duration = Duration::from_millis(10);
/// How long `kill` waits for the group to die and be reaped.
const KILL_LIMIT: Duration = Duration::from_secs(5);
/// How long to wait for the output pipes to reach their end once the
/// target has exited (the last lines, a traceback, are usually in flight).
const DRAIN_LIMIT: Duration = Duration::from_millis(250);

/// How to start a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// The command template, e.g. `python3 server.py {port}`; see [`split_command`].
    pub command: String,
    /// Substituted for `{host}`.
    pub host: String,
    /// Substituted for `{port}`.
    pub port: u16,
    /// Substituted for `{broadcast}`.
    pub broadcast: String,
    /// The working directory (default: the harness's).
    pub cwd: Option<PathBuf>,
    /// Extra environment variables, set after `PYTHONUNBUFFERED=1` (so they
    /// can override it).
    pub env: Vec<(String, String)>,
    /// Bytes kept per output stream: the last `output_cap` bytes.
    pub output_cap: usize,
    /// Pipe stdin (client roles) instead of `/dev/null`.
    pub stdin: bool,
    /// Confine the target (`None`: run it as it is). See [`Sandbox`].
    pub sandbox: Option<Sandbox>,
}

impl Default for TargetSpec {
    fn default() -> Self {
        TargetSpec {
            command: String::new(),
            host: "127.0.0.1".into(),
            port: 0,
            broadcast: "127.255.255.255".into(),
            cwd: None,
            env: Vec::new(),
            output_cap: DEFAULT_OUTPUT_CAP,
            stdin: false,
            sandbox: None,
        }
    }
}

impl TargetSpec {
    /// The argv this spec starts: the template split and substituted.
    pub fn argv(&self) -> Result<Vec<String>, TargetError> {
        split_command(&self.command, &self.host, self.port, &self.broadcast)
    }
}

/// Why a target could not be started or fed.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The command template has no words.
    #[error("the target command is empty")]
    EmptyCommand,
    /// The command template has an unclosed quote or a trailing backslash.
    #[error("the target command has an unclosed quote or a trailing backslash: {template}")]
    Unbalanced {
        /// The template as given.
        template: String,
    },
    /// The command template uses a placeholder that does not exist.
    #[error(
        "unknown placeholder {{{name}}} in the target command{hint} (known: {{port}}, {{host}}, {{broadcast}}; {{{{{name}}}}} gives a literal {{{name}}})"
    )]
    UnknownPlaceholder {
        /// The name between the braces.
        name: String,
        /// `, did you mean {port}?` or empty.
        hint: String,
    },
    /// The working directory is not a usable directory.
    #[error("the target's working directory {path} is not usable: {source}")]
    Cwd {
        /// The directory.
        path: PathBuf,
        /// What was wrong with it.
        source: io::Error,
    },
    /// The program could not be executed.
    #[error("could not start `{program}`: {source}{}", if source.kind() == io::ErrorKind::NotFound && !program.contains('/') { " (not found on PATH)" } else { "" })]
    Spawn {
        /// The program (first word of the command).
        program: String,
        /// The error from exec.
        source: io::Error,
    },
    /// The target was started without a stdin pipe.
    #[error("the target's stdin is not a pipe (start it with `stdin: true`)")]
    StdinNotPiped,
    /// Stdin was already closed with `close_stdin`.
    #[error("the target's stdin was already closed")]
    StdinClosed,
    /// Writing to stdin failed (typically EPIPE: the target has exited).
    #[error("writing to the target's stdin failed: {0}")]
    Stdin(#[source] io::Error),
    /// The sandbox could not be set up.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

/// What "ready" means for a target. Port 0 means any port: a program that
/// chose its own (hard-coded) is ready wherever it listens or binds, and
/// [`Target::ready_addr`] then says where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// A socket of the target's process group is in LISTEN on this TCP port.
    TcpListen {
        /// The port (0: any).
        port: u16,
    },
    /// A socket of the target's process group is bound to this UDP port.
    UdpBound {
        /// The port (0: any).
        port: u16,
    },
}

/// Why a target did not become ready.
#[derive(Debug, thiserror::Error)]
pub enum ReadyError {
    /// The target exited first.
    #[error("the target {state} before it was ready")]
    Exited {
        /// How it ended.
        state: ExitState,
    },
    /// The deadline passed.
    #[error("the target was not ready after {:.1} s: {seen}", waited.as_secs_f64())]
    Timeout {
        /// How long readiness was waited for.
        waited: Duration,
        /// What the target was seen doing instead, e.g. `listening on
        /// 0.0.0.0:7777 instead of port 40001 (is the port hard-coded?)`.
        seen: String,
    },
    /// Waiting on the child failed.
    #[error("waiting for the target failed: {0}")]
    Io(#[from] io::Error),
}

/// How a target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitState {
    /// It exited with this code.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

impl ExitState {
    fn from_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => ExitState::Code(code),
            (None, Some(sig)) => ExitState::Signal(sig),
            // Stopped/continued are not reported by wait; be explicit anyway.
            (None, None) => ExitState::Code(-1),
        }
    }

    /// Whether this is exit code 0.
    pub fn success(&self) -> bool {
        *self == ExitState::Code(0)
    }
}

impl fmt::Display for ExitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExitState::Code(code) => write!(f, "exited with code {code}"),
            ExitState::Signal(sig) => match Signal::try_from(sig) {
                Ok(s) => write!(f, "killed by signal {sig} ({})", s.as_str()),
                Err(_) => write!(f, "killed by signal {sig}"),
            },
        }
    }
}

/// Which output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A snapshot of the captured output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The tail of stdout (lossy UTF-8).
    pub stdout: String,
    /// The tail of stderr (lossy UTF-8).
    pub stderr: String,
    /// Bytes of stdout dropped from the front to respect the cap.
    pub stdout_dropped: usize,
    /// Bytes of stderr dropped from the front to respect the cap.
    pub stderr_dropped: usize,
}

/// Makes the harness a child subreaper (`PR_SET_CHILD_SUBREAPER`), once, so
/// that the orphans of a target's group are reparented to the harness, which
/// reaps them in [`Target::kill`], instead of to init. Returns whether the
/// harness is a subreaper.
pub fn become_subreaper() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| nix::sys::prctl::set_child_subreaper(true).is_ok())
}

/// See [`Target::exit_watch`].
#[derive(Debug)]
pub struct ExitWatch(Watch);

#[derive(Debug)]
enum Watch {
    Ended,
    Pidfd(tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>),
    Unavailable,
}

impl ExitWatch {
    /// A watch that never resolves (for a wait that is for the end itself).
    pub fn never() -> ExitWatch {
        ExitWatch(Watch::Unavailable)
    }

    /// Resolves when the process has ended.
    pub async fn ended(self) {
        match self.0 {
            Watch::Ended => {}
            // A pidfd is readable once its process has exited.
            Watch::Pidfd(fd) => {
                let _ = fd.readable().await;
            }
            Watch::Unavailable => std::future::pending().await,
        }
    }
}

/// A running (or finished) target: its own process group, with captured output.
///
/// Dropping a `Target` that was not [`kill`](Target::kill)ed kills its whole
/// process group (SIGKILL) and reaps what it can in the background.
#[derive(Debug)]
pub struct Target {
    child: Child,
    pid: u32,
    argv: Vec<String>,
    stdin: Option<ChildStdin>,
    stdin_piped: bool,
    stdout: Arc<Capture>,
    stderr: Arc<Capture>,
    readers: Vec<JoinHandle<()>>,
    exit: Option<ExitState>,
    ready_addr: Option<SocketAddr>,
    /// What the sandbox applied.
    applied: Applied,
    /// The target's private host folder, removed once its group is gone.
    scratch: Option<Scratch>,
    /// The group was killed and reaped: nothing left to do on drop.
    done: bool,
}

impl Target {
    /// Starts the target in its own process group, with `PYTHONUNBUFFERED=1`,
    /// stdout and stderr captured in the background, inside
    /// [`TargetSpec::sandbox`] as far as this machine [supports](crate::support) it.
    pub async fn spawn(spec: &TargetSpec) -> Result<Target, TargetError> {
        let support = match spec.sandbox {
            Some(_) => sandbox::support(),
            None => Support::NONE,
        };
        Self::spawn_with(spec, support).await
    }

    /// [`spawn`](Target::spawn) as if the machine supported only `support`.
    pub(crate) async fn spawn_with(
        spec: &TargetSpec,
        support: Support,
    ) -> Result<Target, TargetError> {
        let argv = spec.argv()?;
        if let Some(cwd) = &spec.cwd {
            let meta = std::fs::metadata(cwd).map_err(|source| TargetError::Cwd {
                path: cwd.clone(),
                source,
            })?;
            if !meta.is_dir() {
                return Err(TargetError::Cwd {
                    path: cwd.clone(),
                    source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
                });
            }
        }
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .process_group(0)
            .kill_on_drop(true)
            .stdin(if spec.stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("PYTHONUNBUFFERED", "1")
            .envs(spec.env.iter().map(|(k, v)| (k, v)));
        if let Some(cwd) = &spec.cwd {
            cmd.current_dir(cwd);
        }
        let prepared = match &spec.sandbox {
            Some(sb) => Some(sandbox::prepare(
                sb,
                support,
                spec.cwd.as_deref(),
                &spec.env,
                &mut cmd,
            )?),
            None => None,
        };
        let spawned = cmd.spawn();
        let (applied, scratch) = match prepared {
            Some(p) => match p.finish(spawned.is_ok()) {
                Ok(applied) => (applied, p.scratch),
                Err(Some(e)) => return Err(e.into()),
                Err(None) => (Applied::default(), None),
            },
            None => (Applied::default(), None),
        };
        drop(cmd);
        let mut child = spawned.map_err(|source| TargetError::Spawn {
            program: argv[0].clone(),
            source,
        })?;
        let pid = child.id().expect("a just-spawned child has a pid");
        let cap = spec.output_cap.max(1);
        let stdout = Capture::new(cap);
        let stderr = Capture::new(cap);
        let mut readers = Vec::with_capacity(2);
        if let Some(pipe) = child.stdout.take() {
            readers.push(stdout.spawn_reader(pipe));
        }
        if let Some(pipe) = child.stderr.take() {
            readers.push(stderr.spawn_reader(pipe));
        }
        // Held apart from the child: `Child::wait` would close it.
        let stdin = child.stdin.take();
        Ok(Target {
            child,
            pid,
            argv,
            stdin,
            stdin_piped: spec.stdin,
            stdout,
            stderr,
            readers,
            exit: None,
            ready_addr: None,
            applied,
            scratch,
            done: false,
        })
    }

    /// The pid of the process the harness started, which is also the
    /// process group id. In a PID namespace this is the small process in
    /// front of the namespace, which ends as the program ends.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A future that resolves once the target's process has ended, held
    /// apart from the target (a pidfd), so that a wait on its sockets can
    /// race it: a program that died is not waited for until a deadline.
    /// It never resolves where pidfds are unavailable (Linux before 5.3).
    pub fn exit_watch(&self) -> ExitWatch {
        if self.exit.is_some() {
            return ExitWatch(Watch::Ended);
        }
        // SAFETY: pidfd_open takes a pid and flags; the result is a new fd
        // or -1.
        let fd = unsafe {
            nix::libc::syscall(nix::libc::SYS_pidfd_open, self.pid as nix::libc::c_int, 0)
        };
        if fd < 0 {
            return ExitWatch(Watch::Unavailable);
        }
        // SAFETY: the fd was just opened and is owned by nothing else.
        let fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as std::os::fd::RawFd) };
        // SAFETY: an OwnedFd keeps its fd open and the same for as long as
        // the AsyncFd that owns it lives.
        match unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)
        } {
            Ok(fd) => ExitWatch(Watch::Pidfd(fd)),
            Err(_) => ExitWatch(Watch::Unavailable),
        }
    }

    /// What the sandbox applied (all false without one).
    pub fn sandboxed(&self) -> Applied {
        self.applied
    }

    /// The words the target was started with, split and substituted.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// Stops the whole group (SIGSTOP): it runs no code until [`resume`],
    /// so whatever arrives meanwhile waits in its socket queues at once.
    /// That is how "datagrams queued while the server was busy" is made
    /// certain rather than likely.
    ///
    /// [`resume`]: Target::resume
    pub fn pause(&self) {
        if self.exit.is_none() {
            let _ = killpg(Pid::from_raw(self.pgid()), Signal::SIGSTOP);
        }
    }

    /// Lets a paused group run again (SIGCONT).
    pub fn resume(&self) {
        if self.exit.is_none() {
            let _ = killpg(Pid::from_raw(self.pgid()), Signal::SIGCONT);
        }
    }

    /// The command line for display, quoted so it can be pasted into a shell.
    pub fn command_line(&self) -> String {
        shlex::try_join(self.argv.iter().map(String::as_str))
            .unwrap_or_else(|_| self.argv.join(" "))
    }

    fn pgid(&self) -> i32 {
        self.pid as i32
    }

    /// Waits until the target is ready: a socket held by a process of its
    /// group listens on (or has bound) the port, seen in the kernel's socket
    /// tables every millisecond, never by connecting. Returns early with
    /// [`ReadyError::Exited`] as soon as the started process exits (even if
    /// it left children behind), after giving its last output up to 250 ms to
    /// arrive; at the deadline, [`ReadyError::Timeout`] says what was seen
    /// instead. On success, [`ready_addr`](Target::ready_addr) tells where.
    pub async fn wait_ready(
        &mut self,
        what: Readiness,
        deadline: Instant,
    ) -> Result<(), ReadyError> {
        let start = Instant::now();
        let me = self.pid as i32;
        let mut group: Vec<i32> = Vec::new();
        let mut rescan_at = start;
        loop {
            let now = Instant::now();
            if now >= rescan_at {
                group = proc::group_pids(self.pgid());
                group.retain(|p| *p != me);
                rescan_at = now + GROUP_RESCAN;
            }
            if self.exit.is_none()
                && let Some(addr) = self.ready_at(what, &group)
            {
                self.ready_addr = Some(addr);
                return Ok(());
            }
            if let Some(state) = self.try_exit() {
                self.settle_output(Instant::now() + DRAIN_LIMIT).await;
                return Err(ReadyError::Exited { state });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ReadyError::Timeout {
                    waited: now - start,
                    seen: self.describe(what),
                });
            }
            tokio::select! {
                status = self.child.wait() => {
                    let state = ExitState::from_status(status?);
                    self.exit = Some(state);
                    // It may have become ready just before exiting; it is not
                    // ready now, and saying how it ended is what helps.
                    self.settle_output(Instant::now() + DRAIN_LIMIT).await;
                    return Err(ReadyError::Exited { state });
                }
                _ = sleep_until((now + POLL).min(deadline)) => {}
            }
        }
    }

    /// One readiness check: the target's own sockets first (one fd scan),
    /// then those of the rest of its group. The address when ready.
    fn ready_at(&self, what: Readiness, others: &[i32]) -> Option<SocketAddr> {
        let me = self.pid as i32;
        let check = |inodes: &HashSet<u64>| match what {
            Readiness::TcpListen { port } => match proc::tcp_listening(me, port, inodes) {
                ListenState::Listening(addr) => Some(addr),
                ListenState::Elsewhere(addrs) if port == 0 => addrs.first().copied(),
                _ => None,
            },
            Readiness::UdpBound { port: 0 } => {
                proc::bound_addrs(me, Proto::Udp, inodes).first().copied()
            }
            Readiness::UdpBound { port } => proc::udp_bound_addr(me, port, inodes),
        };
        let mine = proc::socket_inodes(&[me]);
        if !mine.is_empty()
            && let Some(addr) = check(&mine)
        {
            return Some(addr);
        }
        if others.is_empty() {
            return None;
        }
        let theirs = proc::socket_inodes(others);
        if theirs.is_empty() {
            return None;
        }
        check(&theirs)
    }

    /// The local address of the socket that made the last successful
    /// [`wait_ready`](Target::wait_ready) succeed, e.g. `0.0.0.0:40001` or
    /// `127.0.0.1:40001`, so a caller can tell a target bound to an address
    /// it cannot reach.
    pub fn ready_addr(&self) -> Option<SocketAddr> {
        self.ready_addr
    }

    /// What the target's group is doing instead of being ready, for a
    /// timeout message.
    fn describe(&self, what: Readiness) -> String {
        let pids = proc::group_pids(self.pgid());
        let net_pid = pids
            .iter()
            .copied()
            .find(|p| proc::stat(*p).is_some_and(|s| !s.is_zombie()))
            .unwrap_or(self.pgid());
        let inodes = proc::socket_inodes(&pids);
        let join = |addrs: &[SocketAddr]| {
            addrs
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match what {
            Readiness::TcpListen { port } => match proc::tcp_listening(net_pid, port, &inodes) {
                ListenState::Listening(a) => format!("listening on {a} only just now"),
                ListenState::Elsewhere(addrs) => format!(
                    "listening on {} instead of port {port} (is the port hard-coded?)",
                    join(&addrs)
                ),
                ListenState::Nothing => {
                    if proc::udp_bound(net_pid, port, &inodes) {
                        format!(
                            "no TCP listener on port {port}, but a UDP socket is bound to it \
                             (SOCK_DGRAM instead of SOCK_STREAM?)"
                        )
                    } else if proc::tcp_listeners(net_pid)
                        .iter()
                        .any(|e| e.local.port() == port)
                    {
                        format!(
                            "no socket on port {port}; another process (not the target) listens on it"
                        )
                    } else {
                        format!("no socket on port {port}")
                    }
                }
            },
            Readiness::UdpBound { port } => {
                let udp = proc::bound_addrs(net_pid, Proto::Udp, &inodes);
                if !udp.is_empty() {
                    format!(
                        "a UDP socket is bound to {} instead of port {port} (is the port hard-coded?)",
                        join(&udp)
                    )
                } else if matches!(
                    proc::tcp_listening(net_pid, port, &inodes),
                    ListenState::Listening(_)
                ) {
                    format!(
                        "a TCP listener on port {port} instead of a UDP socket \
                         (SOCK_STREAM instead of SOCK_DGRAM?)"
                    )
                } else {
                    format!("no UDP socket on port {port}")
                }
            }
        }
    }

    /// How the target ended, or `None` while it runs. Never blocks.
    pub fn try_exit(&mut self) -> Option<ExitState> {
        if self.exit.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            self.exit = Some(ExitState::from_status(status));
        }
        self.exit
    }

    /// Waits for the target to exit; `None` at the deadline. Once it has
    /// exited, also gives its output a moment to arrive.
    pub async fn wait_exit(&mut self, deadline: Instant) -> Option<ExitState> {
        if self.exit.is_none() {
            let status = timeout_at(deadline, self.child.wait()).await.ok()?.ok()?;
            self.exit = Some(ExitState::from_status(status));
            self.settle_output((Instant::now() + DRAIN_LIMIT).min(deadline))
                .await;
        }
        self.exit
    }

    /// Kills the whole process group (SIGKILL), reaps the target, and reaps
    /// the group's processes that were reparented to the harness (see
    /// [`become_subreaper`]). Returns how the target ended (usually
    /// `killed by signal 9`, or its own exit if it had already ended).
    /// Calling it again returns the same state.
    pub async fn kill(&mut self) -> ExitState {
        if self.done
            && let Some(state) = self.exit
        {
            return state;
        }
        let pgid = self.pgid();
        let deadline = Instant::now() + KILL_LIMIT;
        signal_group(pgid, self.exit.is_some());
        let state = match self.exit {
            Some(state) => state,
            None => match timeout_at(deadline, self.child.wait()).await {
                Ok(Ok(status)) => ExitState::from_status(status),
                // Unkillable within the limit (stuck in the kernel): report
                // the kill that was sent; kill_on_drop still applies.
                _ => ExitState::Signal(Signal::SIGKILL as i32),
            },
        };
        self.exit = Some(state);
        reap_group(pgid, deadline).await;
        self.settle_output((Instant::now() + DRAIN_LIMIT).min(deadline))
            .await;
        for reader in self.readers.drain(..) {
            reader.abort();
        }
        self.stdout.mark_eof();
        self.stderr.mark_eof();
        self.stdin = None;
        self.scratch = None;
        self.done = true;
        state
    }

    /// Waits until both output streams have ended (every writer closed its
    /// end), at most until `deadline`.
    async fn settle_output(&self, deadline: Instant) {
        self.stdout.wait_eof(deadline).await;
        self.stderr.wait_eof(deadline).await;
    }

    /// A snapshot of the captured output so far.
    pub fn output(&self) -> Output {
        let out = self.stdout.lock();
        let err = self.stderr.lock();
        Output {
            stdout: out.text(),
            stderr: err.text(),
            stdout_dropped: out.dropped(),
            stderr_dropped: err.dropped(),
        }
    }

    /// Writes `bytes` to the target's stdin and flushes.
    pub async fn write_stdin(&mut self, bytes: &[u8]) -> Result<(), TargetError> {
        let stdin = match &mut self.stdin {
            Some(s) => s,
            None if self.stdin_piped => return Err(TargetError::StdinClosed),
            None => return Err(TargetError::StdinNotPiped),
        };
        stdin.write_all(bytes).await.map_err(TargetError::Stdin)?;
        stdin.flush().await.map_err(TargetError::Stdin)
    }

    /// Closes the target's stdin (it reads EOF). Does nothing if it is not
    /// a pipe or already closed.
    pub async fn close_stdin(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.shutdown().await;
        }
    }

    /// Waits until the captured tail of `stream` contains `needle`: woken by
    /// every chunk the target writes, not polled. False at the deadline, or
    /// as soon as the stream ends without it.
    pub async fn wait_output_contains(
        &self,
        stream: Stream,
        needle: &[u8],
        deadline: Instant,
    ) -> bool {
        let capture = match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        };
        capture.wait_contains(needle, deadline).await
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        for reader in self.readers.drain(..) {
            reader.abort();
        }
        if self.done {
            return;
        }
        let pgid = self.pgid();
        signal_group(pgid, self.exit.is_some());
        // The target itself is reaped by tokio (kill_on_drop); the rest of
        // the group, reparented here, is reaped in the background.
        let deadline = Instant::now() + KILL_LIMIT;
        // Removed once nothing of the group can write there any more.
        let scratch = self.scratch.take();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    reap_group(pgid, deadline).await;
                    drop(scratch);
                });
            }
            Err(_) => {
                std::thread::spawn(move || {
                    while !reap_round(pgid) && Instant::now() < deadline {
                        std::thread::sleep(POLL);
                    }
                    drop(scratch);
                });
            }
        }
    }
}

/// SIGKILLs the group `pgid`. When the leader is known to have been reaped,
/// its pid could in principle be reused, so the group is signalled only
/// while processes with that group id still exist (which keeps the id reserved).
fn signal_group(pgid: i32, leader_reaped: bool) {
    if leader_reaped && proc::group_pids(pgid).is_empty() {
        return;
    }
    // ESRCH (nothing left) is the only likely error, and fine.
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
}

/// Reaps, until the deadline, the processes of group `pgid` that are the
/// harness's children (reparented orphans), re-signalling survivors.
async fn reap_group(pgid: i32, deadline: Instant) {
    while !reap_round(pgid) && Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
    }
}

/// One round of reaping the group `pgid`; true when nothing of it is left
/// that could still need the harness.
///
/// Only pids seen in `/proc` as members of the group *and* children of the
/// harness are waited for, each by its own pid (`waitpid(pid, WNOHANG)`,
/// never `waitpid(-1)`, which would steal tokio's reaping). The leader
/// (`pid == pgid`) is tokio's. A pid cannot be reused before it is reaped,
/// and only the harness can reap its own child, so the pid waited for is the
/// process that was seen.
fn reap_round(pgid: i32) -> bool {
    let me = getpid().as_raw();
    let members = proc::group_members(pgid);
    let in_group: HashSet<i32> = members.iter().map(|m| m.pid).collect();
    let mut pending = false;
    let mut alive = false;
    for m in &members {
        if m.pid == pgid {
            // Tokio reaps the leader; it counts until it has.
            pending = true;
            alive |= !m.is_zombie();
            continue;
        }
        if m.ppid == me {
            // Reaped now (or already gone) unless still alive.
            let status = waitpid(Pid::from_raw(m.pid), Some(WaitPidFlag::WNOHANG));
            if let Ok(WaitStatus::StillAlive) = status {
                pending = true;
                alive = true;
            }
        } else if !m.is_zombie() {
            pending = true;
            alive = true;
        } else if in_group.contains(&m.ppid) {
            // A zombie whose parent is dying: it will be reparented here.
            pending = true;
        }
        // Else: a zombie of some other parent (init, when the harness is not
        // a subreaper); not the harness's to reap.
    }
    if alive {
        // Anything forked during the kill is killed too.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
    !pending
}
