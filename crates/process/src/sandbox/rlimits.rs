//! Resource limits: the cheapest guard, and the only one every machine
//! allows.
//!
//! A spinning loop, an allocation without end or a log that fills the disk
//! is stopped by the kernel at a limit, not by the harness noticing in time;
//! a limit needs no privilege, so unlike the namespaces it never falls back.
//! What is decided here, in the harness, is which limits, clamped to what
//! this process may grant; [`postfork`](super::postfork) only sets them.

use nix::libc;

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

/// The resources limited, in the order of [`rlimits`].
pub(super) fn rlimits(limits: &Limits) -> [libc::rlimit; 6] {
    let want = [
        (limits.cpu_seconds, limits.cpu_seconds.saturating_add(1)),
        (limits.memory_bytes, limits.memory_bytes),
        (limits.processes, limits.processes),
        (limits.file_size_bytes, limits.file_size_bytes),
        (limits.open_files, limits.open_files),
        (0, 0),
    ];
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
        unsafe { libc::getrlimit(RESOURCES[i], &mut now) };
        let max = to_rlim(hard).min(now.rlim_max);
        out[i] = libc::rlimit {
            rlim_cur: to_rlim(soft).min(max),
            rlim_max: max,
        };
    }
    out
}

#[cfg(target_env = "gnu")]
pub(super) type Resource = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
pub(super) type Resource = libc::c_int;

/// What each of the limits of [`rlimits`] limits, in its order: CPU time,
/// address space, processes, file size, open files, and core dumps (always
/// off).
pub(super) const RESOURCES: [Resource; 6] = [
    libc::RLIMIT_CPU,
    libc::RLIMIT_AS,
    libc::RLIMIT_NPROC,
    libc::RLIMIT_FSIZE,
    libc::RLIMIT_NOFILE,
    libc::RLIMIT_CORE,
];

#[cfg(test)]
mod tests {
    use super::*;

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
}
