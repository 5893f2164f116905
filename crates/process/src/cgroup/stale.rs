//! The names of the harness's cgroups, and removing those of a harness
//! that is gone.
//!
//! A harness killed with SIGKILL (an OOM kill, a CI job cancelled) cannot
//! remove its cgroups, and an empty cgroup costs the kernel memory and
//! clutters the hierarchy for good. So each is named after the harness
//! that made it, `sockspec-<pid>-<n>`, and a harness starting up kills and
//! removes those whose harness no longer runs. Nothing else is touched:
//! the name is the proof that a cgroup is ours.

use std::path::Path;
use std::time::{Duration, Instant};

/// The name of a harness's `n`th cgroup.
pub(super) fn name(pid: u32, n: u64) -> String {
    format!("sockspec-{pid}-{n}")
}

/// The harness pid a cgroup's name carries, if it is one of ours.
pub(super) fn owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("sockspec-")?;
    let (pid, n) = rest.split_once('-')?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
    pid.parse().ok()
}

/// Kills and removes, below `base`, the cgroups of harnesses that no
/// longer run.
pub(super) fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner) else {
            continue;
        };
        if pid == me || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let mut dead = super::Cgroup {
            dirs: vec![super::Dir {
                path: entry.path(),
                version: super::Version::V1,
                pids: false,
                memory: false,
            }],
            limits: super::CgroupLimits {
                processes: 0,
                overhead: 0,
                memory_bytes: u64::MAX,
            },
            removed: false,
        };
        dead.end(None, Instant::now() + Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_harness() {
        assert_eq!(owner(&name(4242, 7)), Some(4242));
        assert_eq!(owner("sockspec-12"), None);
        assert_eq!(owner("sockspec-12-x"), None);
        assert_eq!(owner("user.slice"), None);
    }
}
