//! The guards a program ran under, as facts: which limit it ran into, and
//! which guard this machine could not put in place.
//!
//! A submission that forks without end or allocates until the machine
//! swaps is stopped by the kernel at a limit; what the student needs to
//! hear is which one and what it was ("more than 64 processes"), not the
//! `BlockingIOError` or SIGKILL it shows up as. And a grader whose machine
//! cannot enforce a limit (no cgroup, not root) must be told that too,
//! since a fork flood would then reach the machine itself. Both are data
//! here; the reporters word them, in both languages.

/// A limit the program ran into, read from the kernel's own count (a
/// cgroup's `pids.events`, `memory.events` or `memory.oom_control`), so
/// it is never a guess from the program's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitHit {
    /// A fork (or a new thread) was refused: the program tried to have
    /// more than `max` processes at once.
    Processes {
        /// The limit, in processes (threads count too).
        max: u64,
    },
    /// The program used all the memory it may, and the kernel killed it.
    Memory {
        /// The limit, in MiB.
        max_mib: u64,
    },
}

/// A limit the sandbox enforces through a cgroup, where this machine lets
/// it make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CgroupLimit {
    /// How many processes the program may have (`pids.max`): the limit
    /// that holds for root, where `RLIMIT_NPROC` does not.
    Processes,
    /// How much memory it may use (`memory.max`, v1's
    /// `memory.limit_in_bytes`).
    Memory,
}

/// Why no cgroup could hold a limit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NoCgroup {
    /// Neither a cgroup v2 hierarchy with the controller nor a v1
    /// hierarchy of it is mounted.
    NoController,
    /// The hierarchy is there, but no cgroup could be made or joined in
    /// it (not root, a read-only mount, a container): the system's error.
    Denied(String),
}

/// A guard the sandbox was asked for and this machine could not give.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shortfall {
    /// No private file system: submissions can write outside their folder.
    PrivateFs,
    /// No PID namespace: a process that leaves its process group
    /// (`setsid`) can outlive the kill.
    PidNamespace,
    /// The resource limits (`setrlimit`) could not be set.
    Rlimits,
    /// The environment was not cleaned.
    CleanEnv,
    /// A limit that only a cgroup enforces was not enforced.
    Cgroup {
        /// Which limit.
        limit: CgroupLimit,
        /// Why.
        why: NoCgroup,
    },
}
