//! A cgroup per started program: the limits that hold for root.
//!
//! `RLIMIT_NPROC` counts a user's processes and is not enforced for root,
//! which is who grades on these machines, so a fork flood in one submission
//! would take the machine, the other submissions and the next run with it.
//! A cgroup's `pids.max` holds for everyone, and its memory limit counts
//! what the program and everything it forked really use (resident pages),
//! not the address space one process reserves.
//!
//! That is why, where the cgroup's memory limit holds, the crude
//! `RLIMIT_AS` cap gives way to it (see
//! [`prepare`](crate::sandbox::prepare)): the cap counts address space
//! that is reserved and never touched, so a JVM (gigabytes of heap, class
//! space and code cache reserved at start) cannot even create its threads
//! under it, and it is per process, so a program that forks ten children
//! may use ten times the memory. The cgroup's limit is on the total really
//! used, which is what exhausts a machine. Where no cgroup can be made, the
//! cap stays, as before.
//!
//! The life of one: [`Cgroup::create`] makes `sockspec-<harness pid>-<n>`
//! below the harness's own cgroup in each hierarchy ([`hierarchy`]) and
//! sets its limits; the new process joins it between `fork` and `exec`,
//! before anything else, by writing `0` to the `cgroup.procs` files opened
//! here ([`Cgroup::join_fds`]), so that init, the target and everything
//! they fork are in it from their first instruction; at the end,
//! [`Cgroup::kill`] kills every process in it (`cgroup.kill` where v2 has
//! it, else SIGKILL to each listed pid until none is left) and
//! [`Cgroup::remove`] removes the folders; a [`Cgroup`] dropped without
//! that does both. Before that, [`Cgroup::hit`] reads the kernel's own
//! counts of refused forks and OOM kills. The names say which harness made
//! them, so that the leftovers of a harness that was killed (and could not
//! clean up) are recognised and removed by the next one ([`stale`]).
//!
//! [`support`] tries once whether a cgroup can be made at all here (not
//! root, a read-only mount, a container without delegation, no
//! controller); where it cannot, a program runs without one, and the run
//! says which limit was not enforced.

mod hierarchy;
mod stale;

use std::fs;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use nix::libc;
use sockspec_results::{LimitHit, NoCgroup};

pub(crate) use hierarchy::{Hierarchy, Version};

/// What a target's cgroup limits, as the harness asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CgroupLimits {
    /// The program's processes and threads, as the grader states it.
    pub(crate) processes: u64,
    /// The processes the sandbox itself keeps in front of the program (the
    /// harness's child and init of a PID namespace), added to `pids.max`
    /// so the program gets all of its own.
    pub(crate) overhead: u64,
    /// Bytes of memory; `u64::MAX`: none.
    pub(crate) memory_bytes: u64,
}

/// One target's cgroup, in every hierarchy that limits it.
#[derive(Debug)]
pub(crate) struct Cgroup {
    dirs: Vec<Dir>,
    limits: CgroupLimits,
    removed: bool,
}

#[derive(Debug)]
struct Dir {
    path: PathBuf,
    version: Version,
    pids: bool,
    memory: bool,
}

/// Whether a cgroup can limit processes and memory on this machine, and
/// why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CgroupSupport {
    pub(crate) processes: Result<(), NoCgroup>,
    pub(crate) memory: Result<(), NoCgroup>,
}

/// What [`Cgroup::create`] could do in `hierarchies`, tried once per
/// process with a probe cgroup that is removed at once.
pub(crate) fn support() -> &'static CgroupSupport {
    static SUPPORT: OnceLock<CgroupSupport> = OnceLock::new();
    SUPPORT.get_or_init(|| probe(hierarchies()))
}

/// This machine's hierarchies, read once; stale cgroups of dead harnesses
/// are removed the first time.
pub(crate) fn hierarchies() -> &'static [Hierarchy] {
    static FOUND: OnceLock<Vec<Hierarchy>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let found = hierarchy::detect();
        for h in &found {
            stale::remove_stale(&h.base);
        }
        found
    })
}

fn probe(hierarchies: &[Hierarchy]) -> CgroupSupport {
    let limits = CgroupLimits {
        processes: 1,
        overhead: 0,
        memory_bytes: 64 << 20,
    };
    let made = Cgroup::create(hierarchies, limits);
    let result = |want: fn(&Dir) -> bool| match &made {
        Err(why) => Err(why.clone()),
        Ok(cg) if cg.dirs.iter().any(want) => Ok(()),
        Ok(_) => Err(NoCgroup::NoController),
    };
    let support = CgroupSupport {
        processes: result(|d| d.pids),
        memory: result(|d| d.memory),
    };
    if let Ok(mut cg) = made {
        cg.remove();
    }
    support
}

impl Cgroup {
    /// Makes a new cgroup below the harness's own in each of
    /// `hierarchies` and sets `limits` in it. Fails, removing what it
    /// made, if a folder cannot be made or is not a cgroup, or a limit
    /// cannot be set.
    pub(crate) fn create(
        hierarchies: &[Hierarchy],
        limits: CgroupLimits,
    ) -> Result<Cgroup, NoCgroup> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        if hierarchies.is_empty() {
            return Err(NoCgroup::NoController);
        }
        let mut cg = Cgroup {
            dirs: Vec::new(),
            limits,
            removed: false,
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = stale::name(std::process::id(), n);
        let denied = |what: &str, path: &Path, e: io::Error| {
            NoCgroup::Denied(format!("{what} {}: {e}", path.display()))
        };
        for h in hierarchies {
            let path = h.base.join(&name);
            if let Err(e) = fs::create_dir(&path) {
                cg.remove();
                return Err(denied("cannot make", &path, e));
            }
            cg.dirs.push(Dir {
                path: path.clone(),
                version: h.version,
                pids: h.pids,
                memory: h.memory,
            });
            // The kernel fills a new cgroup's folder; a plain folder (a
            // path that is not a cgroup file system) stays empty.
            if !path.join("cgroup.procs").exists() {
                cg.remove();
                return Err(denied(
                    "is not a cgroup",
                    &path,
                    io::Error::from_raw_os_error(libc::ENOTDIR),
                ));
            }
            if h.version == Version::V2 {
                enable_controllers(&h.base, h.pids, h.memory).map_err(|e| {
                    cg.remove();
                    denied("cannot enable pids and memory in", &h.base, e)
                })?;
            }
            if let Err(e) = cg.dirs.last().expect("just pushed").set(limits) {
                cg.remove();
                return Err(denied("cannot set the limits of", &path, e));
            }
        }
        Ok(cg)
    }

    /// The cgroup's `cgroup.procs` files, open for writing (close-on-exec):
    /// the new process joins by writing `0` to each, before the fork's
    /// other steps.
    pub(crate) fn join_fds(&self) -> io::Result<Vec<OwnedFd>> {
        self.dirs
            .iter()
            .map(|d| {
                fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_CLOEXEC)
                    .open(d.path.join("cgroup.procs"))
                    .map(OwnedFd::from)
            })
            .collect()
    }

    /// Whether the cgroup holds the process limit (`pids.max`).
    pub(crate) fn limits_processes(&self) -> bool {
        self.dirs.iter().any(|d| d.pids)
    }

    /// Whether the cgroup holds the memory limit.
    pub(crate) fn limits_memory(&self) -> bool {
        self.limits.memory_bytes != u64::MAX && self.dirs.iter().any(|d| d.memory)
    }

    /// The limits it ran into, from the kernel's counts: a fork refused at
    /// `pids.max` (`pids.events`), a process killed for memory
    /// (`memory.events` in v2, `memory.oom_control` in v1).
    pub(crate) fn hit(&self) -> Vec<LimitHit> {
        let mut hits = Vec::new();
        for d in &self.dirs {
            if d.pids && count(&d.path.join("pids.events"), "max") > 0 {
                hits.push(LimitHit::Processes {
                    max: self.limits.processes,
                });
            }
            let events = match d.version {
                Version::V2 => "memory.events",
                Version::V1 => "memory.oom_control",
            };
            if d.memory && count(&d.path.join(events), "oom_kill") > 0 {
                hits.push(LimitHit::Memory {
                    max_mib: self.limits.memory_bytes >> 20,
                });
            }
        }
        hits
    }

    /// The processes in the cgroup now.
    pub(crate) fn pids(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .dirs
            .iter()
            .flat_map(|d| read_pids(&d.path.join("cgroup.procs")))
            .collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// Kills every process in the cgroup and waits, until `deadline`, for
    /// it to be empty (reaping those that are the harness's children, but
    /// `leader`, which is tokio's). True once it is.
    pub(crate) fn kill(&self, leader: Option<i32>, deadline: Instant) -> bool {
        for d in &self.dirs {
            if d.version == Version::V2 && d.path.join("cgroup.kill").exists() {
                let _ = write_file(&d.path.join("cgroup.kill"), "1");
            }
        }
        let me = std::process::id() as i32;
        loop {
            let pids = self.pids();
            if pids.is_empty() {
                return true;
            }
            for &pid in &pids {
                // A pid listed is in the cgroup, so not yet reaped, so not
                // reused: the signal reaches the process that was listed.
                // SAFETY: a plain system call.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                if Some(pid) != leader && crate::proc::stat(pid).map(|s| s.ppid) == Some(me) {
                    let mut status = 0;
                    // SAFETY: reaps this child by its own pid, never
                    // another's (tokio reaps the leader).
                    unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
                }
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Removes the cgroup's folders, retrying until `deadline` while the
    /// kernel still counts a dying process in them. Nothing is left to do
    /// on drop afterwards, whether or not it succeeded.
    pub(crate) fn remove_by(&mut self, deadline: Instant) {
        for d in &self.dirs {
            while let Err(e) = fs::remove_dir(&d.path) {
                if e.kind() == io::ErrorKind::NotFound || Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        self.removed = true;
    }

    /// [`remove_by`](Cgroup::remove_by) within a second.
    pub(crate) fn remove(&mut self) {
        self.remove_by(Instant::now() + Duration::from_secs(1));
    }

    /// Kills what is left and removes the folders: what a target's end
    /// does, and what a dropped target's does in the background.
    pub(crate) fn end(&mut self, leader: Option<i32>, deadline: Instant) {
        if !self.removed {
            self.kill(leader, deadline);
            self.remove_by(deadline.max(Instant::now() + Duration::from_millis(200)));
        }
    }

    #[cfg(test)]
    pub(crate) fn paths(&self) -> Vec<PathBuf> {
        self.dirs.iter().map(|d| d.path.clone()).collect()
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        self.end(None, Instant::now() + Duration::from_secs(2));
    }
}

impl Dir {
    fn set(&self, limits: CgroupLimits) -> io::Result<()> {
        if self.pids {
            let max = limits.processes.saturating_add(limits.overhead);
            write_file(&self.path.join("pids.max"), &max.to_string())?;
        }
        if self.memory && limits.memory_bytes != u64::MAX {
            let bytes = limits.memory_bytes.to_string();
            match self.version {
                Version::V2 => {
                    write_file(&self.path.join("memory.max"), &bytes)?;
                    // No swap to escape to, where the machine has any.
                    let _ = write_file(&self.path.join("memory.swap.max"), "0");
                }
                Version::V1 => {
                    write_file(&self.path.join("memory.limit_in_bytes"), &bytes)?;
                    let _ = write_file(&self.path.join("memory.memsw.limit_in_bytes"), &bytes);
                }
            }
        }
        Ok(())
    }
}

/// A v2 cgroup's controllers are only in its children if its parent lists
/// them in `cgroup.subtree_control`.
fn enable_controllers(base: &Path, pids: bool, memory: bool) -> io::Result<()> {
    let on = fs::read_to_string(base.join("cgroup.subtree_control")).unwrap_or_default();
    let has = |c: &str| on.split_whitespace().any(|w| w == c);
    let mut want = Vec::new();
    if pids && !has("pids") {
        want.push("+pids");
    }
    if memory && !has("memory") {
        want.push("+memory");
    }
    if want.is_empty() {
        return Ok(());
    }
    write_file(&base.join("cgroup.subtree_control"), &want.join(" "))
}

/// Writes `text` to an existing file (a cgroup's control file) in one
/// write, as the kernel wants it.
fn write_file(path: &Path, text: &str) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// The number after `key` in a flat keyed file (`max 3`, `oom_kill 1`);
/// 0 when the file or the key is missing.
fn count(path: &Path, key: &str) -> u64 {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(' ')?;
            (k == key).then(|| v.trim().parse().ok()).flatten()
        })
        .unwrap_or(0)
}

fn read_pids(path: &Path) -> Vec<i32> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

#[cfg(test)]
mod tests;
