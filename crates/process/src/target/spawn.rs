//! Starting a target.
//!
//! Every guarantee the rest of the supervision relies on is set up at the
//! spawn: the target leads its own process group (so it can be paused,
//! killed and searched for sockets as a group), its output goes to capped
//! captures, `PYTHONUNBUFFERED=1` makes a Python target's prints arrive
//! when they are made, and the sandbox's hook runs before `exec`. Keeping
//! that in one place means nothing else can start a target half set up.

use std::io;
use std::process::Stdio;

use tokio::process::Command;

use super::{Target, TargetError, TargetSpec};
use crate::capture::Capture;
use crate::sandbox::{self, Applied, Support};

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
            waits: spec.waits,
        })
    }
}
