//! The harness's side of a sandboxed spawn: what is decided and made before
//! the fork, and what is learnt after it.
//!
//! Everything that may fail with a good message (a writable folder that is
//! not one, a working directory the private `/tmp` would hide), allocate or
//! read the file system happens here, before the fork: the clean
//! environment, a scratch folder for `HOME` and `TMPDIR` when there is no
//! private file system, the target's cgroup, and the [`Plan`] the new
//! process carries out. After
//! the spawn, [`Prepared::finish`] reads back the new process's report, so
//! the caller learns what was applied or which step failed.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::process::Command;

use super::mounts::FsPlan;
use super::postfork;
use super::probe::Support;
use super::report::{
    APPLIED_FS, APPLIED_LIMITS, APPLIED_PID, APPLIED_PRIVS, read_report, report_pipe,
};
use super::rlimits::rlimits;
use super::{Applied, Plan, Sandbox, SandboxError};
use crate::cgroup::{self, Cgroup, CgroupLimits};

/// A host folder of the harness's own, removed when dropped (after the
/// target is gone): `HOME` and `TMPDIR` when the target has no private
/// file system.
#[derive(Debug)]
pub(crate) struct Scratch {
    pub(super) path: PathBuf,
}

impl Scratch {
    pub(super) fn new() -> io::Result<Scratch> {
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
    /// The target's cgroup, which it joined before exec.
    pub(crate) cgroup: Option<Cgroup>,
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
                process_limit: self.cgroup.as_ref().is_some_and(Cgroup::limits_processes),
                memory_limit: self.cgroup.as_ref().is_some_and(Cgroup::limits_memory),
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
            .envs(crate::target::unbuffered())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(extra_env.iter().map(|(k, v)| (k, v)));
    }
    let (read, write) = report_pipe().map_err(|source| SandboxError::Prepare {
        what: "a pipe",
        source,
    })?;
    // A cgroup that cannot be made now although the probe made one (the
    // hierarchy full, a limit refused) leaves the target without it; the
    // spawn says so in what it applied.
    let cgroup = (want.process_limit || want.memory_limit)
        .then(|| {
            Cgroup::create(
                cgroup::hierarchies(),
                CgroupLimits {
                    processes: sandbox.limits.processes,
                    overhead: if want.pid_namespace { 2 } else { 0 },
                    memory_bytes: sandbox.limits.memory_bytes,
                },
            )
            .ok()
        })
        .flatten();
    let join = match &cgroup {
        Some(cg) => cg.join_fds().map_err(|source| SandboxError::Prepare {
            what: "the target's cgroup",
            source,
        })?,
        None => Vec::new(),
    };
    // Where the cgroup holds memory, the cap on address space gives way
    // to it (why: the cgroup module's doc); without one, it stays, but
    // for a program that cannot start under it.
    let mut limits = sandbox.limits;
    if cgroup.as_ref().is_some_and(Cgroup::limits_memory) || !sandbox.cap_address_space {
        limits.memory_bytes = u64::MAX;
    }
    let plan = Plan {
        fs,
        pid_ns: want.pid_namespace,
        limits: Some(rlimits(&limits)),
        drop_privileges: true,
        report: Some(write),
        cgroup: join,
    };
    postfork::install(cmd, plan);
    Ok(Prepared {
        report: read,
        clean_env: sandbox.clean_env,
        scratch,
        cgroup,
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

#[cfg(test)]
mod tests {
    use super::*;

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
                process_limit: false,
                memory_limit: false,
            }
        );
        // No file system, no PID namespace, no cgroup for either limit.
        assert_eq!(applied.shortfalls(&asked).len(), 4);
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
}
