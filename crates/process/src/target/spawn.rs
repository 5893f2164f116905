//! Starting a target.
//!
//! Every guarantee the rest of the supervision relies on is set up at the
//! spawn: the target leads its own process group (so it can be paused,
//! killed and searched for sockets as a group), its output goes to capped
//! captures, its prints arrive when they are made ([`unbuffered`]), and
//! the sandbox's hook runs before `exec`. Keeping that in one place means
//! nothing else can start a target half set up.

use std::io;
use std::process::Stdio;

use tokio::process::Command;

use super::{Target, TargetError, TargetSpec};
use crate::capture::Capture;
use crate::sandbox::{self, Applied, Support};

/// Where coreutils keeps the library behind `stdbuf`, on the systems
/// these machines run.
const LIBSTDBUF: [&str; 3] = [
    "/usr/libexec/coreutils/libstdbuf.so",
    "/usr/lib/coreutils/libstdbuf.so",
    "/usr/lib/x86_64-linux-gnu/coreutils/libstdbuf.so",
];

/// The environment that makes a program's output arrive line by line, as
/// it does on the terminal it was written at. On a pipe, Python's print
/// and C's printf both keep what they print until a buffer of 4–8 KiB
/// fills or the program exits, so a client that prints each reply would
/// seem to print nothing: `PYTHONUNBUFFERED=1` for Python, and for C (and
/// anything on its stdio) what `stdbuf -o0` does, preloading coreutils'
/// libstdbuf with `_STDBUF_O=0`. Unbuffered rather than line-buffered:
/// on a terminal glibc also flushes stdout when the program reads its
/// input, so a prompt or a reply printed without `\n` before the next
/// `fgets()` shows; on a pipe only no buffer at all does that. A program
/// that links stdio statically, or a machine without coreutils' library,
/// keeps its buffer.
pub(crate) fn unbuffered() -> Vec<(&'static str, std::ffi::OsString)> {
    static LIB: std::sync::OnceLock<Option<&'static str>> = std::sync::OnceLock::new();
    let lib = LIB.get_or_init(|| {
        LIBSTDBUF
            .into_iter()
            .find(|p| std::path::Path::new(p).is_file())
    });
    let mut env = vec![("PYTHONUNBUFFERED", "1".into())];
    if let Some(lib) = lib {
        let preload = match std::env::var_os("LD_PRELOAD") {
            Some(mut old) if !old.is_empty() => {
                old.push(":");
                old.push(lib);
                old
            }
            _ => (*lib).into(),
        };
        env.push(("LD_PRELOAD", preload));
        env.push(("_STDBUF_O", "0".into()));
    }
    env
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
            .envs(unbuffered())
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
        let (applied, scratch, cgroup) = match prepared {
            Some(p) => match p.finish(spawned.is_ok()) {
                Ok(applied) => (applied, p.scratch, p.cgroup),
                Err(Some(e)) => return Err(e.into()),
                Err(None) => (Applied::default(), None, None),
            },
            None => (Applied::default(), None, None),
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
            cgroup,
            hits: Vec::new(),
            done: false,
            waits: spec.waits,
        })
    }
}
