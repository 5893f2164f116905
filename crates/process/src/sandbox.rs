//! An optional sandbox for targets that cannot be trusted.
//!
//! A teacher grades hundreds of submissions at once, so one program that
//! spins, allocates without bound, writes all over the disk or leaves a
//! daemon behind must not take the machine, the other submissions or the
//! next run with it. The sandbox is applied between `fork` and `exec` of the
//! target (a `pre_exec` hook), so it costs no helper binary and works for any
//! command line:
//!
//! - resource limits (`setrlimit`), so a runaway program is stopped by the
//!   kernel rather than by the harness noticing;
//! - a clean environment, so what a program sees does not depend on the
//!   teacher's shell, and Python writes no `__pycache__` into submissions;
//! - a mount namespace in which everything is read-only except the
//!   submission's folder and a private `/tmp`, so a stray write fails with
//!   `EROFS` instead of landing in another submission or the teacher's home;
//! - a PID namespace, so killing the target ends everything it ever forked,
//!   even a daemon that called `setsid()` and left the process group that
//!   the harness kills.
//!
//! Namespaces need privileges this machine may not grant. [`support`] probes
//! once what works; a spawn applies what it can and says what it applied
//! ([`Applied`]), so the caller can warn once instead of failing every run.
//!
//! In a PID namespace the target is not pid 1: pid 1 of a namespace ignores
//! every signal it has no handler for (a program's own `SIGTERM`, `SIGXCPU`
//! at the CPU limit, the `SIGABRT` of `abort()`), so the harness would report
//! other deaths than without the sandbox. Instead a tiny init (a fork of the
//! harness that never execs) is pid 1, reaps orphans, and passes on how the
//! target ended; the process the harness started waits for it and ends the
//! same way (same exit code, or killed by the same signal). All three stay in
//! the target's process group, so group kill, pause and resume, and readiness
//! by process group work as before. When the target ends, init exits and the
//! kernel kills whatever is left in the namespace.
//!
//! A target running as root could undo a namespace (remount `/` read-write,
//! `setns` back) or raise its limits, so a sandboxed target also loses the
//! capabilities that allow it (everything but file-permission overrides,
//! `kill`, `setuid`/`setgid` and binding low ports) and gets `no_new_privs`.
//! The sandbox is a guard against careless and runaway programs, not a
//! security boundary against someone attacking the grader: the target still
//! shares the harness's network namespace and user.

use std::ffi::{CString, OsString};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::libc;
use tokio::process::Command;

/// Resource limits, set with `setrlimit` in the target before it starts.
/// `u64::MAX` means no limit. A limit above the harness's own hard limit is
/// lowered to it (only a privileged process may raise a hard limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU seconds (`RLIMIT_CPU`): `SIGXCPU` at this many, `SIGKILL` one
    /// second later.
    pub cpu_seconds: u64,
    /// Address space in bytes (`RLIMIT_AS`): allocation fails beyond it
    /// (Python raises `MemoryError`).
    pub memory_bytes: u64,
    /// Processes and threads of the user (`RLIMIT_NPROC`). The kernel counts
    /// every process of the same user, not just the target's, and does not
    /// enforce it for root.
    pub processes: u64,
    /// The largest file the target may write (`RLIMIT_FSIZE`); also the size
    /// of the private `/tmp`.
    pub file_size_bytes: u64,
    /// Open file descriptors (`RLIMIT_NOFILE`).
    pub open_files: u64,
}

impl Default for Limits {
    /// Generous for homework, small enough that a runaway program is stopped
    /// within seconds. Core dumps are always off.
    fn default() -> Self {
        Limits {
            cpu_seconds: 10,
            memory_bytes: 1 << 30,
            processes: 64,
            file_size_bytes: 16 << 20,
            open_files: 256,
        }
    }
}

/// What to confine a target to, applied between `fork` and `exec`. What
/// this machine cannot do is skipped, and said by
/// [`Target::sandboxed`](crate::Target::sandboxed). A sandboxed target also
/// loses the capabilities that would undo the namespaces or raise its
/// limits, and gets `no_new_privs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// Resource limits.
    pub limits: Limits,
    /// Start from an empty environment: only `PATH` (the harness's), `HOME`
    /// (the writable folder, or a private temporary folder), `LANG=C.UTF-8`,
    /// `TMPDIR` (private), `PYTHONUNBUFFERED=1`, `PYTHONDONTWRITEBYTECODE=1`,
    /// then [`TargetSpec::env`](crate::TargetSpec::env).
    pub clean_env: bool,
    /// If set, the target runs in its own mount namespace where everything
    /// is read-only except this folder (its submission) and a private, empty
    /// `/tmp` (and `/dev/shm`), gone with the target. Writes elsewhere fail
    /// with `EROFS`; `/dev/null` and the like keep working. Files under the
    /// host's `/tmp` outside this folder are hidden from the target.
    pub writable: Option<PathBuf>,
    /// Run the target in a new PID namespace, so that when it ends or is
    /// killed, everything it forked dies too.
    pub pid_namespace: bool,
}

impl Default for Sandbox {
    /// Everything on, no writable folder (so no private file system).
    fn default() -> Self {
        Sandbox {
            limits: Limits::default(),
            clean_env: true,
            writable: None,
            pid_namespace: true,
        }
    }
}

impl Sandbox {
    /// What a spawn with this sandbox would apply on this machine.
    pub fn expected(&self) -> Applied {
        Plan::decide(self, support())
    }
}

/// What this machine supports, from [`support`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// A PID namespace can be created.
    pub pid_namespace: bool,
    /// A mount namespace can be created and made read-only.
    pub mount_namespace: bool,
    pid_failure: Option<Failure>,
    mount_failure: Option<Failure>,
}

impl Support {
    /// Nothing supported (what a spawn without a sandbox needs).
    pub(crate) const NONE: Support = Support {
        pid_namespace: false,
        mount_namespace: false,
        pid_failure: None,
        mount_failure: None,
    };
}

impl fmt::Display for Support {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let say = |f: &mut fmt::Formatter<'_>, what: &str, failure: Option<Failure>| match failure {
            None => write!(f, "{what}: yes"),
            Some(fail) => write!(f, "{what}: no ({fail})"),
        };
        say(f, "pid namespace", self.pid_failure)?;
        f.write_str("; ")?;
        say(f, "private file system", self.mount_failure)
    }
}

/// What the sandbox applied to one target (all false without a sandbox).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The resource limits are in force.
    pub limits: bool,
    /// The environment was cleaned.
    pub clean_env: bool,
    /// Only the writable folder and a private `/tmp` can be written.
    pub private_fs: bool,
    /// The target and everything it forks live in a PID namespace.
    pub pid_namespace: bool,
    /// The target cannot gain privileges, nor keep those that would undo
    /// the namespaces or raise its limits.
    pub privileges_dropped: bool,
}

impl Applied {
    /// What `asked` wanted and this does not give, in a teacher's words,
    /// e.g. "this machine cannot isolate the file system: submissions can
    /// write outside their folder".
    pub fn shortfalls(&self, asked: &Sandbox) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if asked.writable.is_some() && !self.private_fs {
            missing.push(
                "this machine cannot isolate the file system: submissions can write outside their folder",
            );
        }
        if asked.pid_namespace && !self.pid_namespace {
            missing.push(
                "this machine cannot give submissions a PID namespace: a process that leaves its \
                 process group (setsid) can outlive the kill",
            );
        }
        if !self.limits {
            missing.push("the resource limits could not be set");
        }
        if asked.clean_env && !self.clean_env {
            missing.push("the environment was not cleaned");
        }
        missing
    }
}

/// Why a sandboxed target could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The writable folder is not usable.
    #[error("the sandbox's writable folder {path} is not usable: {source}")]
    Writable {
        /// The folder as given.
        path: PathBuf,
        /// What was wrong with it.
        source: io::Error,
    },
    /// The working directory would be hidden by the private `/tmp`.
    #[error(
        "the target's working directory {cwd} is under {tmp}, which the sandbox replaces with a \
         private one; put it inside the writable folder {writable}"
    )]
    HiddenCwd {
        /// The working directory.
        cwd: PathBuf,
        /// The private mount that hides it.
        tmp: PathBuf,
        /// The writable folder.
        writable: PathBuf,
    },
    /// A private temporary folder or a pipe could not be made.
    #[error("the sandbox could not prepare {what}: {source}")]
    Prepare {
        /// What it was making.
        what: &'static str,
        /// Why it failed.
        source: io::Error,
    },
    /// A step in the new process failed although [`support`] found it works.
    #[error("the sandbox could not {step}: {source}")]
    Setup {
        /// The step, e.g. `make every mount read-only`.
        step: &'static str,
        /// The error of its system call.
        source: io::Error,
    },
}

/// What this machine supports, probed once per process by trying each
/// namespace in a short-lived child (which then exits; nothing is changed
/// outside it).
pub fn support() -> Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    *SUPPORT.get_or_init(probe)
}

fn probe() -> Support {
    let pid_failure = run_probe(&Plan {
        pid_ns: true,
        ..Plan::empty()
    })
    .err();
    let mount_failure = match Scratch::new() {
        Err(e) => Some(Failure {
            step: Step::Prepare,
            errno: e.raw_os_error().unwrap_or(0),
        }),
        Ok(scratch) => match FsPlan::new(&scratch.path, &scratch.path, 1 << 20, &[]) {
            Err(_) => Some(Failure {
                step: Step::Prepare,
                errno: libc::EINVAL,
            }),
            Ok(fs) => run_probe(&Plan {
                fs: Some(fs),
                ..Plan::empty()
            })
            .err(),
        },
    };
    Support {
        pid_namespace: pid_failure.is_none(),
        mount_namespace: mount_failure.is_none(),
        pid_failure,
        mount_failure,
    }
}

/// Runs `plan` in a forked child that exits instead of exec'ing.
fn run_probe(plan: &Plan) -> Result<(), Failure> {
    let fail = |step| Failure {
        step,
        errno: errno(),
    };
    let (read, write) = report_pipe().map_err(|_| fail(Step::Prepare))?;
    // SAFETY: the child runs only async-signal-safe system calls (no
    // allocation, no locks) and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(fail(Step::Fork));
    }
    if pid == 0 {
        let result = plan.enter();
        report(write.as_raw_fd(), result);
        // SAFETY: ends the child without running the harness's destructors.
        unsafe { libc::_exit(0) };
    }
    drop(write);
    let mut status = 0;
    // SAFETY: waits for the child forked above, by its pid.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 && errno() == libc::EINTR {}
    match read_report(read.as_raw_fd()) {
        Some(Ok(_)) => Ok(()),
        Some(Err(failure)) => Err(failure),
        None => Err(Failure {
            step: Step::Report,
            errno: 0,
        }),
    }
}

/// A step of setting up the sandbox in the new process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Step {
    Prepare = 1,
    MountNs,
    Private,
    CloneFolder,
    ReadOnly,
    Tmpfs,
    FolderMount,
    Chdir,
    Pipe,
    PidNs,
    Fork,
    Report,
}

impl Step {
    const ALL: [Step; 12] = [
        Step::Prepare,
        Step::MountNs,
        Step::Private,
        Step::CloneFolder,
        Step::ReadOnly,
        Step::Tmpfs,
        Step::FolderMount,
        Step::Chdir,
        Step::Pipe,
        Step::PidNs,
        Step::Fork,
        Step::Report,
    ];

    fn what(self) -> &'static str {
        match self {
            Step::Prepare => "prepare the probe",
            Step::MountNs => "create a mount namespace",
            Step::Private => "make the mounts private",
            Step::CloneFolder => "take a copy of the writable folder's mount",
            Step::ReadOnly => "make every mount read-only",
            Step::Tmpfs => "mount a private /tmp",
            Step::FolderMount => "mount the writable folder",
            Step::Chdir => "enter the working directory again",
            Step::Pipe => "make a pipe to pid 1",
            Step::PidNs => "create a PID namespace",
            Step::Fork => "fork into the PID namespace",
            Step::Report => "report what was applied",
        }
    }

    fn from_u8(n: u8) -> Option<Step> {
        Step::ALL.into_iter().find(|s| *s as u8 == n)
    }
}

/// A failed step and its errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure {
    step: Step,
    errno: i32,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not {}: {}",
            self.step.what(),
            io::Error::from_raw_os_error(self.errno)
        )
    }
}

/// Report bits of a successful setup.
const APPLIED_LIMITS: u8 = 1;
const APPLIED_FS: u8 = 2;
const APPLIED_PID: u8 = 4;
const APPLIED_PRIVS: u8 = 8;
/// The report of a failure: this bit and the step, then the errno.
const FAILED: u8 = 0x80;

/// A host folder of the harness's own, removed when dropped (after the
/// target is gone): `HOME` and `TMPDIR` when the target has no private
/// file system.
#[derive(Debug)]
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> io::Result<Scratch> {
        use std::os::unix::fs::DirBuilderExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("sockspec-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What a spawn keeps from preparing the sandbox, to learn afterwards what
/// the new process applied.
#[derive(Debug)]
pub(crate) struct Prepared {
    report: OwnedFd,
    clean_env: bool,
    pub(crate) scratch: Option<Scratch>,
}

impl Prepared {
    /// Reads what the new process applied, once the spawn has returned
    /// (`spawned`: whether it succeeded). A spawn that failed in a sandbox
    /// step gives that step's [`SandboxError::Setup`], any other failure
    /// `Err(None)` (the spawn's own error says it).
    pub(crate) fn finish(&self, spawned: bool) -> Result<Applied, Option<SandboxError>> {
        let report = read_report(self.report.as_raw_fd());
        match (spawned, report) {
            (true, Some(Ok(bits))) => Ok(Applied {
                limits: bits & APPLIED_LIMITS != 0,
                clean_env: self.clean_env,
                private_fs: bits & APPLIED_FS != 0,
                pid_namespace: bits & APPLIED_PID != 0,
                privileges_dropped: bits & APPLIED_PRIVS != 0,
            }),
            // Exec'd without a report: cannot happen, but claim nothing.
            (true, _) => Ok(Applied {
                clean_env: self.clean_env,
                ..Applied::default()
            }),
            (false, Some(Err(failure))) => Err(Some(SandboxError::Setup {
                step: failure.step.what(),
                source: io::Error::from_raw_os_error(failure.errno),
            })),
            (false, _) => Err(None),
        }
    }
}

/// Prepares `cmd` to start inside `sandbox`, as far as `support` allows:
/// the environment, and the `pre_exec` hook that does the rest.
pub(crate) fn prepare(
    sandbox: &Sandbox,
    support: Support,
    cwd: Option<&Path>,
    extra_env: &[(String, String)],
    cmd: &mut Command,
) -> Result<Prepared, SandboxError> {
    let want = Plan::decide(sandbox, support);
    let folder = match &sandbox.writable {
        Some(dir) => {
            let folder = dir
                .canonicalize()
                .map_err(|source| SandboxError::Writable {
                    path: dir.clone(),
                    source,
                })?;
            if !folder.is_dir() || folder == Path::new("/") {
                return Err(SandboxError::Writable {
                    path: dir.clone(),
                    source: io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "not a folder below the root",
                    ),
                });
            }
            Some(folder)
        }
        None => None,
    };
    let cwd = match cwd {
        Some(c) => c.canonicalize(),
        None => std::env::current_dir(),
    }
    .map_err(|source| SandboxError::Prepare {
        what: "the working directory",
        source,
    })?;
    let fs = match (&folder, want.private_fs) {
        (Some(folder), true) => {
            let needed = needed_folders(cmd, &cwd);
            let fs = FsPlan::new(folder, &cwd, sandbox.limits.file_size_bytes, &needed).map_err(
                |_| SandboxError::Writable {
                    path: folder.clone(),
                    source: io::Error::new(io::ErrorKind::InvalidInput, "contains a NUL byte"),
                },
            )?;
            if let Some(tmp) = fs.hidden_cwd {
                return Err(SandboxError::HiddenCwd {
                    cwd,
                    tmp: tmp.into(),
                    writable: folder.clone(),
                });
            }
            Some(fs)
        }
        _ => None,
    };
    let needs_scratch = sandbox.clean_env && (folder.is_none() || fs.is_none());
    let scratch = if needs_scratch {
        Some(Scratch::new().map_err(|source| SandboxError::Prepare {
            what: "a private temporary folder",
            source,
        })?)
    } else {
        None
    };
    if sandbox.clean_env {
        let path = std::env::var_os("PATH")
            .unwrap_or_else(|| OsString::from("/usr/local/bin:/usr/bin:/bin"));
        let scratch_path = scratch.as_ref().map(|s| s.path.as_path());
        let home = folder.as_deref().or(scratch_path).expect("a home");
        let private_tmp = fs
            .as_ref()
            .is_some_and(|fs| fs.tmpfs.iter().any(|p| p.as_bytes() == b"/tmp"));
        let tmpdir = match (private_tmp, &folder, scratch_path) {
            (true, _, _) => Path::new("/tmp"),
            (false, _, Some(scratch)) => scratch,
            // A folder that contains /tmp: the folder is writable.
            (false, Some(folder), None) => folder.as_path(),
            (false, None, None) => unreachable!("no folder means a scratch folder"),
        };
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", home)
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", tmpdir)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(extra_env.iter().map(|(k, v)| (k, v)));
    }
    let (read, write) = report_pipe().map_err(|source| SandboxError::Prepare {
        what: "a pipe",
        source,
    })?;
    let plan = Plan {
        fs,
        pid_ns: want.pid_namespace,
        limits: Some(rlimits(&sandbox.limits)),
        drop_privileges: true,
        report: Some(write),
    };
    // SAFETY: the hook runs only async-signal-safe system calls on data
    // built here, before the fork: no allocation, no locks.
    unsafe {
        cmd.pre_exec(move || {
            let result = plan.enter();
            let fd = plan.report.as_ref().map_or(-1, |w| w.as_raw_fd());
            report(fd, result);
            result
                .map(|_| ())
                .map_err(|f| io::Error::from_raw_os_error(f.errno))
        });
    }
    Ok(Prepared {
        report: read,
        clean_env: sandbox.clean_env,
        scratch,
    })
}

/// The folders of the files a command names (its program and every
/// argument that is an existing file, relative to `cwd` or absolute),
/// canonical: what must stay readable inside the sandbox.
fn needed_folders(cmd: &Command, cwd: &Path) -> Vec<PathBuf> {
    let std = cmd.as_std();
    std::iter::once(std.get_program())
        .chain(std.get_args())
        .map(|a| cwd.join(a))
        .filter(|p| p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect()
}

/// A pipe for the new process's report: close-on-exec both ends, the read
/// end non-blocking (the report is written before `exec`, so it is there
/// once the spawn has returned).
fn report_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two fds, which are then owned here.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: sets a flag on an fd owned here.
    unsafe { libc::fcntl(read.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    Ok((read, write))
}

/// Writes the result of a setup to `fd` (async-signal-safe).
fn report(fd: RawFd, result: Result<u8, Failure>) {
    if fd < 0 {
        return;
    }
    let mut buf = [0u8; 5];
    let len = match result {
        Ok(bits) => {
            buf[0] = bits;
            1
        }
        Err(f) => {
            buf[0] = FAILED | f.step as u8;
            buf[1..].copy_from_slice(&f.errno.to_ne_bytes());
            5
        }
    };
    // SAFETY: writes from a stack buffer; a short write is not retried
    // (5 bytes to an empty pipe are written at once).
    unsafe { libc::write(fd, buf.as_ptr().cast(), len) };
}

fn read_report(fd: RawFd) -> Option<Result<u8, Failure>> {
    let mut buf = [0u8; 5];
    // SAFETY: reads into a stack buffer from an fd owned by the caller.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 1 {
        return None;
    }
    if buf[0] & FAILED == 0 {
        return Some(Ok(buf[0]));
    }
    let step = Step::from_u8(buf[0] & !FAILED)?;
    let errno = if n == 5 {
        i32::from_ne_bytes([buf[1], buf[2], buf[3], buf[4]])
    } else {
        0
    };
    Some(Err(Failure { step, errno }))
}

fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The resources limited, in the order of [`rlimits`].
fn rlimits(limits: &Limits) -> [libc::rlimit; 6] {
    let want = [
        (limits.cpu_seconds, limits.cpu_seconds.saturating_add(1)),
        (limits.memory_bytes, limits.memory_bytes),
        (limits.processes, limits.processes),
        (limits.file_size_bytes, limits.file_size_bytes),
        (limits.open_files, limits.open_files),
        (0, 0),
    ];
    let resources = resources();
    let mut out = [libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    }; 6];
    for (i, (soft, hard)) in want.into_iter().enumerate() {
        let to_rlim = |v: u64| {
            if v == u64::MAX {
                libc::RLIM_INFINITY
            } else {
                v as libc::rlim_t
            }
        };
        let mut now = libc::rlimit {
            rlim_cur: libc::RLIM_INFINITY,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: fills a stack struct.
        unsafe { libc::getrlimit(resources[i], &mut now) };
        let max = to_rlim(hard).min(now.rlim_max);
        out[i] = libc::rlimit {
            rlim_cur: to_rlim(soft).min(max),
            rlim_max: max,
        };
    }
    out
}

#[cfg(target_env = "gnu")]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
type Resource = libc::c_int;

fn resources() -> [Resource; 6] {
    [
        libc::RLIMIT_CPU,
        libc::RLIMIT_AS,
        libc::RLIMIT_NPROC,
        libc::RLIMIT_FSIZE,
        libc::RLIMIT_NOFILE,
        libc::RLIMIT_CORE,
    ]
}

/// Capabilities a sandboxed target keeps: overriding file permissions (a
/// root harness grading folders owned by the teacher), signalling,
/// changing ids, binding low and raw sockets. Everything else (mounting,
/// `setns`, raising limits, modules, network configuration, ...) is dropped.
const KEPT_CAPS: [u32; 10] = [
    0,  // CAP_CHOWN
    1,  // CAP_DAC_OVERRIDE
    2,  // CAP_DAC_READ_SEARCH
    3,  // CAP_FOWNER
    4,  // CAP_FSETID
    5,  // CAP_KILL
    6,  // CAP_SETGID
    7,  // CAP_SETUID
    10, // CAP_NET_BIND_SERVICE
    13, // CAP_NET_RAW
];

/// Everything the new process needs, built before the fork.
struct Plan {
    fs: Option<FsPlan>,
    pid_ns: bool,
    limits: Option<[libc::rlimit; 6]>,
    drop_privileges: bool,
    report: Option<OwnedFd>,
}

/// The private file system: paths as C strings, built before the fork.
struct FsPlan {
    folder: CString,
    cwd: CString,
    /// Where a private tmpfs goes (`/tmp`, `/dev/shm`).
    tmpfs: Vec<CString>,
    tmpfs_data: CString,
    /// Folders to create in a private tmpfs so the writable folder, when it
    /// lies under it, can be mounted back at its own path.
    mkdirs: Vec<CString>,
    /// Folders under a private tmpfs that the target needs to read (its
    /// script, its interpreter, its working directory, when they live in
    /// the host's /tmp): mounted back there, read-only, at most [`KEEP`].
    keep: Vec<CString>,
    /// The tmpfs that would hide the working directory, if any.
    hidden_cwd: Option<&'static str>,
}

/// Folders a private /tmp mounts back for the target to read, at most.
const KEEP: usize = 8;

impl FsPlan {
    fn new(
        folder: &Path,
        cwd: &Path,
        tmp_bytes: u64,
        needed: &[PathBuf],
    ) -> Result<FsPlan, std::ffi::NulError> {
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes());
        let mut tmpfs = Vec::new();
        let mut mkdirs = Vec::new();
        let mut keep: Vec<CString> = Vec::new();
        let mut hidden_cwd = None;
        for point in ["/tmp", "/dev/shm"] {
            let p = Path::new(point);
            // A folder that is the mount point or contains it is writable
            // anyway; a private tmpfs there would only hide it.
            if !p.is_dir() || p.starts_with(folder) {
                continue;
            }
            let make_path =
                |to: &Path, mkdirs: &mut Vec<CString>| -> Result<(), std::ffi::NulError> {
                    if let Ok(below) = to.strip_prefix(p) {
                        let mut at = p.to_path_buf();
                        for part in below.components() {
                            at.push(part);
                            let dir = c(&at)?;
                            if !mkdirs.contains(&dir) {
                                mkdirs.push(dir);
                            }
                        }
                    }
                    Ok(())
                };
            make_path(folder, &mut mkdirs)?;
            // What the target reads from the host's /tmp comes back,
            // read-only: its working directory, and the folders of the
            // files its command names (a clone checked out under /tmp).
            let wanted = std::iter::once(cwd).chain(needed.iter().map(PathBuf::as_path));
            for dir in wanted {
                if !dir.starts_with(p) || dir.starts_with(folder) || !dir.is_dir() {
                    continue;
                }
                let d = c(dir)?;
                if keep.contains(&d) {
                    continue;
                }
                if keep.len() == KEEP {
                    if dir == cwd {
                        hidden_cwd = Some(point);
                    }
                    continue;
                }
                make_path(dir, &mut mkdirs)?;
                keep.push(d);
            }
            tmpfs.push(c(p)?);
        }
        let size = tmp_bytes.clamp(1 << 20, 1 << 30);
        Ok(FsPlan {
            folder: c(folder)?,
            cwd: c(cwd)?,
            tmpfs,
            tmpfs_data: CString::new(format!("mode=1777,size={size},nr_inodes=16384"))?,
            mkdirs,
            keep,
            hidden_cwd,
        })
    }
}

/// `struct mount_attr` of mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}
const MOUNT_ATTR_RDONLY: u64 = 0x1;
const OPEN_TREE_CLONE: libc::c_uint = 0x1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;

impl Plan {
    fn empty() -> Plan {
        Plan {
            fs: None,
            pid_ns: false,
            limits: None,
            drop_privileges: false,
            report: None,
        }
    }

    /// What a spawn of `sandbox` applies given `support` (before it runs).
    fn decide(sandbox: &Sandbox, support: Support) -> Applied {
        Applied {
            limits: true,
            clean_env: sandbox.clean_env,
            private_fs: sandbox.writable.is_some() && support.mount_namespace,
            pid_namespace: sandbox.pid_namespace && support.pid_namespace,
            privileges_dropped: true,
        }
    }

    /// Sets everything up in the new process (between fork and exec).
    /// Returns in the process that goes on to exec the target, with the
    /// bits of what was applied; with a PID namespace, the processes in
    /// front of it never return.
    ///
    /// Only async-signal-safe calls: raw system calls on prepared data.
    fn enter(&self) -> Result<u8, Failure> {
        let mut applied = 0;
        if let Some(fs) = &self.fs {
            fs.enter()?;
            applied |= APPLIED_FS;
        }
        if self.pid_ns {
            enter_pid_namespace()?;
            applied |= APPLIED_PID;
        }
        if let Some(limits) = &self.limits {
            let resources = resources();
            let mut all = true;
            for (i, limit) in limits.iter().enumerate() {
                // SAFETY: a system call on a prepared struct.
                all &= unsafe { libc::setrlimit(resources[i], limit) } == 0;
            }
            if all {
                applied |= APPLIED_LIMITS;
            }
        }
        if self.drop_privileges && drop_privileges() {
            applied |= APPLIED_PRIVS;
        }
        Ok(applied)
    }
}

impl FsPlan {
    fn enter(&self) -> Result<(), Failure> {
        let fail = |step| Failure {
            step,
            errno: errno(),
        };
        let root = c"/";
        // SAFETY (this whole function): raw system calls on C strings and
        // structs prepared before the fork.
        unsafe {
            if libc::unshare(libc::CLONE_NEWNS) < 0 {
                return Err(fail(Step::MountNs));
            }
            // Nothing done here may propagate back to the host.
            if libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ) < 0
            {
                return Err(fail(Step::Private));
            }
            // A detached, still writable copy of the folder's mount, taken
            // before everything turns read-only and before a private /tmp
            // may hide it; attached again at its path at the end.
            let tree = libc::syscall(
                libc::SYS_open_tree,
                libc::AT_FDCWD,
                self.folder.as_ptr(),
                OPEN_TREE_CLONE
                    | libc::AT_RECURSIVE as libc::c_uint
                    | libc::O_CLOEXEC as libc::c_uint,
            );
            if tree < 0 {
                return Err(fail(Step::CloneFolder));
            }
            let tree = tree as libc::c_int;
            let attr = MountAttr {
                attr_set: MOUNT_ATTR_RDONLY,
                attr_clr: 0,
                propagation: 0,
                userns_fd: 0,
            };
            if libc::syscall(
                libc::SYS_mount_setattr,
                libc::AT_FDCWD,
                root.as_ptr(),
                libc::AT_RECURSIVE as libc::c_uint,
                &attr as *const MountAttr,
                std::mem::size_of::<MountAttr>(),
            ) < 0
            {
                let failure = fail(Step::ReadOnly);
                libc::close(tree);
                return Err(failure);
            }
            // Read-only clones of what must stay readable under a private
            // tmpfs, taken now that everything is read-only.
            let mut kept = [-1 as libc::c_int; KEEP];
            for (i, dir) in self.keep.iter().enumerate() {
                let fd = libc::syscall(
                    libc::SYS_open_tree,
                    libc::AT_FDCWD,
                    dir.as_ptr(),
                    OPEN_TREE_CLONE
                        | libc::AT_RECURSIVE as libc::c_uint
                        | libc::O_CLOEXEC as libc::c_uint,
                );
                kept[i] = fd as libc::c_int;
            }
            for point in &self.tmpfs {
                if libc::mount(
                    c"tmpfs".as_ptr(),
                    point.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    self.tmpfs_data.as_ptr().cast(),
                ) < 0
                {
                    let failure = fail(Step::Tmpfs);
                    libc::close(tree);
                    return Err(failure);
                }
            }
            for dir in &self.mkdirs {
                // EEXIST is fine; a real problem shows in move_mount.
                libc::mkdir(dir.as_ptr(), 0o755);
            }
            if libc::syscall(
                libc::SYS_move_mount,
                tree,
                c"".as_ptr(),
                libc::AT_FDCWD,
                self.folder.as_ptr(),
                MOVE_MOUNT_F_EMPTY_PATH,
            ) < 0
            {
                let failure = fail(Step::FolderMount);
                libc::close(tree);
                return Err(failure);
            }
            libc::close(tree);
            for (i, dir) in self.keep.iter().enumerate() {
                if kept[i] < 0 {
                    continue;
                }
                // A folder that cannot come back stays hidden; the target
                // then fails to open it, and says so itself.
                libc::syscall(
                    libc::SYS_move_mount,
                    kept[i],
                    c"".as_ptr(),
                    libc::AT_FDCWD,
                    dir.as_ptr(),
                    MOVE_MOUNT_F_EMPTY_PATH,
                );
                libc::close(kept[i]);
            }
            // The working directory was entered before the mounts changed:
            // enter it again through them.
            if libc::chdir(self.cwd.as_ptr()) < 0 {
                return Err(fail(Step::Chdir));
            }
        }
        Ok(())
    }
}

/// Makes a PID namespace with a tiny init as pid 1 and returns in its
/// child, pid 2, which goes on to exec the target. The calling process (the
/// harness's child) and init never return: they wait and end as the target
/// ends.
fn enter_pid_namespace() -> Result<(), Failure> {
    let fail = |step| Failure {
        step,
        errno: errno(),
    };
    let mut status_pipe = [0; 2];
    // SAFETY (this whole function): raw system calls; the branches that do
    // not return end with `_exit`.
    unsafe {
        if libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC) < 0 {
            return Err(fail(Step::Pipe));
        }
        let [status_read, status_write] = status_pipe;
        if libc::unshare(libc::CLONE_NEWPID) < 0 {
            let failure = fail(Step::PidNs);
            libc::close(status_read);
            libc::close(status_write);
            return Err(failure);
        }
        match libc::fork() {
            -1 => {
                let failure = fail(Step::Fork);
                libc::close(status_read);
                libc::close(status_write);
                Err(failure)
            }
            0 => {
                libc::close(status_read);
                be_init(status_write)
            }
            init => {
                libc::close(status_write);
                mirror_init(init, status_read)
            }
        }
    }
}

/// Pid 1: forks the target (which returns), then reaps everything until the
/// target ends, passes its wait status on through `status_fd` and exits,
/// which makes the kernel kill what is left in the namespace.
///
/// # Safety
/// Between fork and exec only.
unsafe fn be_init(status_fd: libc::c_int) -> Result<(), Failure> {
    unsafe {
        // If the process in front dies (harness's kill), so does init.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        match libc::fork() {
            -1 => Err(Failure {
                step: Step::Fork,
                errno: errno(),
            }),
            0 => {
                libc::close(status_fd);
                Ok(())
            }
            target => {
                close_all_except(status_fd);
                libc::signal(libc::SIGCHLD, libc::SIG_DFL);
                loop {
                    let mut status = 0;
                    let pid = libc::waitpid(-1, &mut status, 0);
                    if pid == target {
                        let bytes = status.to_ne_bytes();
                        libc::write(status_fd, bytes.as_ptr().cast(), bytes.len());
                        libc::_exit(0);
                    }
                    if pid < 0 && errno() != libc::EINTR {
                        libc::_exit(0);
                    }
                }
            }
        }
    }
}

/// The harness's child in front of the namespace: waits for init and ends
/// the way the target ended (or init, if init was killed first).
///
/// # Safety
/// Between fork and exec only.
unsafe fn mirror_init(init: libc::pid_t, status_fd: libc::c_int) -> ! {
    unsafe {
        // Holding no copy of the target's stdio or of the spawn's error pipe
        // (which would keep the spawn waiting until the target ends).
        close_all_except(status_fd);
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
        let mut init_status = 0;
        while libc::waitpid(init, &mut init_status, 0) < 0 {
            if errno() != libc::EINTR {
                libc::_exit(1);
            }
        }
        let mut bytes = [0u8; 4];
        let n = libc::read(status_fd, bytes.as_mut_ptr().cast(), bytes.len());
        let status = if n == 4 {
            i32::from_ne_bytes(bytes)
        } else {
            init_status
        };
        if libc::WIFSIGNALED(status) {
            let sig = libc::WTERMSIG(status);
            // Dying of SIGSEGV or SIGABRT must not dump this copy of the
            // harness's memory.
            libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong);
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::kill(libc::getpid(), sig);
            libc::_exit(128 + sig);
        }
        libc::_exit(if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            1
        });
    }
}

/// Closes every fd but `keep` (async-signal-safe).
///
/// # Safety
/// Between fork and exec only: other code may own these fds.
unsafe fn close_all_except(keep: libc::c_int) {
    unsafe {
        let ok = (keep == 0 || libc::syscall(libc::SYS_close_range, 0, keep - 1, 0) == 0)
            && libc::syscall(libc::SYS_close_range, keep + 1, libc::c_uint::MAX, 0) == 0;
        if !ok {
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
            let top = lim.rlim_cur.min(65536) as libc::c_int;
            for fd in 0..top {
                if fd != keep {
                    libc::close(fd);
                }
            }
        }
    }
}

/// Drops every capability but [`KEPT_CAPS`] from the bounding, inheritable
/// and ambient sets, and sets `no_new_privs`. True if all of it held
/// (dropping from the bounding set fails for a non-root harness, which has
/// none of these to begin with; that counts as held).
fn drop_privileges() -> bool {
    /// `_LINUX_CAPABILITY_VERSION_3`.
    const CAP_V3: u32 = 0x2008_0522;
    #[repr(C)]
    struct Header {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    // SAFETY: raw system calls on stack structs.
    unsafe {
        let mut ok = true;
        let mut is_root_ish = true;
        for cap in 0..64u32 {
            if KEPT_CAPS.contains(&cap) {
                continue;
            }
            if libc::prctl(libc::PR_CAPBSET_READ, cap as libc::c_ulong) != 1 {
                continue; // not in the set, or past the last capability
            }
            if libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong) < 0 {
                if errno() == libc::EPERM {
                    is_root_ish = false;
                    break;
                }
                ok = false;
            }
        }
        let mut header = Header {
            version: CAP_V3,
            pid: 0,
        };
        let mut data = [Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        if libc::syscall(
            libc::SYS_capget,
            &mut header as *mut Header,
            data.as_mut_ptr(),
        ) == 0
        {
            let mut kept = [0u32; 2];
            for cap in KEPT_CAPS {
                kept[(cap / 32) as usize] |= 1 << (cap % 32);
            }
            for (d, k) in data.iter_mut().zip(kept) {
                d.inheritable &= k;
            }
            if libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr()) < 0
                && is_root_ish
            {
                ok = false;
            }
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
        ok &= libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) == 0;
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip() {
        let (read, write) = report_pipe().unwrap();
        report(write.as_raw_fd(), Ok(APPLIED_FS | APPLIED_PID));
        assert_eq!(
            read_report(read.as_raw_fd()),
            Some(Ok(APPLIED_FS | APPLIED_PID))
        );
        assert_eq!(read_report(read.as_raw_fd()), None, "nothing more");
        let failure = Failure {
            step: Step::ReadOnly,
            errno: libc::EPERM,
        };
        report(write.as_raw_fd(), Err(failure));
        assert_eq!(read_report(read.as_raw_fd()), Some(Err(failure)));
        assert!(
            failure
                .to_string()
                .starts_with("could not make every mount read-only: ")
        );
        for step in Step::ALL {
            assert_eq!(Step::from_u8(step as u8), Some(step));
        }
    }

    #[test]
    fn limits_never_exceed_the_harness_hard_limits() {
        let limits = rlimits(&Limits {
            cpu_seconds: 3,
            memory_bytes: u64::MAX,
            ..Limits::default()
        });
        assert_eq!((limits[0].rlim_cur, limits[0].rlim_max), (3, 4));
        let mut now = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut now) };
        assert_eq!(limits[1].rlim_max, now.rlim_max);
        assert_eq!((limits[5].rlim_cur, limits[5].rlim_max), (0, 0));
    }

    #[test]
    fn folder_under_tmp_is_rebuilt_in_the_private_tmp() {
        let plan = FsPlan::new(Path::new("/tmp/a/b"), Path::new("/tmp/a/b"), 5, &[]).unwrap();
        assert_eq!(
            plan.mkdirs,
            vec![c"/tmp/a".to_owned(), c"/tmp/a/b".to_owned()]
        );
        assert_eq!(plan.hidden_cwd, None);
        assert!(plan.tmpfs.contains(&c"/tmp".to_owned()));
        assert!(plan.tmpfs_data.to_str().unwrap().contains("size=1048576"));
        // A working directory and a script's folder in the host's /tmp
        // come back, read-only, inside the private one.
        let cwd = tempfile::tempdir_in("/tmp").unwrap();
        let script = tempfile::tempdir_in("/tmp").unwrap();
        let plan = FsPlan::new(
            Path::new("/srv/hw"),
            cwd.path(),
            5,
            &[script.path().to_path_buf()],
        )
        .unwrap();
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).unwrap();
        assert_eq!(plan.keep, vec![c(cwd.path()), c(script.path())]);
        assert!(plan.mkdirs.contains(&c(cwd.path())));
        assert_eq!(plan.hidden_cwd, None);
        // More than KEEP of them: the working directory would be hidden.
        let many: Vec<tempfile::TempDir> = (0..KEEP)
            .map(|_| tempfile::tempdir_in("/tmp").unwrap())
            .collect();
        let paths: Vec<PathBuf> = many.iter().map(|d| d.path().to_path_buf()).collect();
        let crowded = FsPlan::new(Path::new("/srv/hw"), cwd.path(), 5, &paths).unwrap();
        assert_eq!(crowded.keep.len(), KEEP);
    }

    /// On a machine without namespaces a sandboxed spawn still works and
    /// says what it could not do (forced here with `Support::NONE`).
    #[tokio::test]
    async fn without_namespaces_the_rest_is_applied() {
        let dir = std::env::temp_dir().join(format!("sockspec-fallback-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let outside = dir.join("outside.txt");
        let folder = dir.join("folder");
        std::fs::create_dir_all(&folder).unwrap();
        let asked = Sandbox {
            writable: Some(folder.clone()),
            ..Sandbox::default()
        };
        let spec = crate::TargetSpec {
            command: "sh -c 'echo \"$HOME $TMPDIR\"; echo x > ../outside.txt; echo written'".into(),
            cwd: Some(folder.clone()),
            sandbox: Some(asked.clone()),
            ..crate::TargetSpec::default()
        };
        let mut t = crate::Target::spawn_with(&spec, Support::NONE)
            .await
            .unwrap();
        let soon = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        assert_eq!(t.wait_exit(soon).await, Some(crate::ExitState::Code(0)));
        let applied = t.sandboxed();
        assert_eq!(
            applied,
            Applied {
                limits: true,
                clean_env: true,
                private_fs: false,
                pid_namespace: false,
                privileges_dropped: true,
            }
        );
        assert_eq!(applied.shortfalls(&asked).len(), 2);
        let out = t.output().stdout;
        let (home, tmpdir) = out.lines().next().unwrap().split_once(' ').unwrap();
        assert_eq!(Path::new(home), folder.canonicalize().unwrap());
        // TMPDIR is a private scratch folder of the harness's, gone with
        // the target.
        assert!(tmpdir.contains("sockspec-"), "{out}");
        assert!(Path::new(tmpdir).is_dir());
        assert!(out.ends_with("written\n"), "{out}");
        assert!(outside.exists(), "nothing stops a write outside");
        t.kill().await;
        assert!(!Path::new(tmpdir).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shortfalls_name_what_is_missing() {
        let asked = Sandbox {
            writable: Some("/srv/hw".into()),
            ..Sandbox::default()
        };
        let all = Plan::decide(
            &asked,
            Support {
                pid_namespace: true,
                mount_namespace: true,
                pid_failure: None,
                mount_failure: None,
            },
        );
        assert!(all.shortfalls(&asked).is_empty());
        let none = Plan::decide(
            &asked,
            Support {
                pid_namespace: false,
                mount_namespace: false,
                pid_failure: None,
                mount_failure: None,
            },
        );
        let said = none.shortfalls(&asked);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].contains("cannot isolate the file system"));
        assert!(said[1].contains("PID namespace"));
    }
}
