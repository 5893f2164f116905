//! Where this machine keeps its cgroups, and where the harness may make
//! its own.
//!
//! Machines differ: a recent distribution mounts one cgroup v2 hierarchy
//! with every controller; these grading hosts mount v1 (one hierarchy per
//! controller, `/sys/fs/cgroup/pids`, `/sys/fs/cgroup/memory`) beside a v2
//! one without them; a container sees only its own part of either. So the
//! hierarchies are read from `/proc/self/mountinfo` (never assumed at
//! `/sys/fs/cgroup`), each controller is taken from v2 where v2 has it and
//! from its v1 hierarchy otherwise, and a target's cgroup is made below the
//! harness's own cgroup (from `/proc/self/cgroup`): whatever confines the
//! harness (a CI job's limits, a container's) then confines its targets
//! too, and nothing escapes to the machine's root.

use std::path::{Path, PathBuf};

/// Which cgroup interface a hierarchy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// One hierarchy, `cgroup.controllers`, `memory.max`, `cgroup.kill`.
    V2,
    /// One hierarchy per controller, `memory.limit_in_bytes`.
    V1,
}

/// A hierarchy the harness makes target cgroups in, and which of the two
/// controllers it limits with there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hierarchy {
    pub(crate) version: Version,
    /// The harness's own cgroup in it: targets' cgroups go below.
    pub(crate) base: PathBuf,
    /// `pids.max` is set here.
    pub(crate) pids: bool,
    /// The memory limit is set here.
    pub(crate) memory: bool,
}

/// The hierarchies that hold the `pids` and `memory` controllers, for this
/// process: v2 for each controller it has, v1 for the rest. Empty when
/// neither is mounted.
pub(crate) fn detect() -> Vec<Hierarchy> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    from_tables(&mountinfo, &own, |dir| {
        std::fs::read_to_string(dir.join("cgroup.controllers")).ok()
    })
}

/// [`detect`] from the text of `/proc/self/mountinfo` and
/// `/proc/self/cgroup`, with `controllers` reading a v2 mount's
/// `cgroup.controllers`.
fn from_tables(
    mountinfo: &str,
    own: &str,
    controllers: impl Fn(&Path) -> Option<String>,
) -> Vec<Hierarchy> {
    let mut found = Vec::new();
    let mut want_pids = true;
    let mut want_memory = true;
    let mounts: Vec<Mount> = mountinfo.lines().filter_map(Mount::parse).collect();
    // v2 first: where it has a controller, that is the one the kernel
    // enforces for a process in it.
    for m in mounts.iter().filter(|m| m.fstype == "cgroup2") {
        let Some(list) = controllers(&m.point) else {
            continue;
        };
        let has = |c: &str| list.split_whitespace().any(|w| w == c);
        let (pids, memory) = (has("pids") && want_pids, has("memory") && want_memory);
        if !(pids || memory) {
            continue;
        }
        let Some(path) = own_path(own, None) else {
            continue;
        };
        found.push(Hierarchy {
            version: Version::V2,
            base: m.below(&path),
            pids,
            memory,
        });
        want_pids &= !pids;
        want_memory &= !memory;
    }
    for m in mounts.iter().filter(|m| m.fstype == "cgroup") {
        let has = |c: &str| m.options.split(',').any(|o| o == c);
        let (pids, memory) = (has("pids") && want_pids, has("memory") && want_memory);
        if !(pids || memory) {
            continue;
        }
        let controller = if pids { "pids" } else { "memory" };
        let Some(path) = own_path(own, Some(controller)) else {
            continue;
        };
        found.push(Hierarchy {
            version: Version::V1,
            base: m.below(&path),
            pids,
            memory,
        });
        want_pids &= !pids;
        want_memory &= !memory;
    }
    found
}

/// A cgroup mount, from one line of mountinfo.
struct Mount {
    /// Where the hierarchy's `root` is mounted.
    point: PathBuf,
    /// The cgroup of the hierarchy this mount shows (`/` unless a
    /// container bind-mounts a part of it).
    root: String,
    fstype: String,
    /// The super block's options: a v1 hierarchy's controllers.
    options: String,
}

impl Mount {
    /// `36 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:14 - cgroup cgroup rw,pids`
    fn parse(line: &str) -> Option<Mount> {
        let (left, right) = line.split_once(" - ")?;
        let fields: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        Some(Mount {
            root: unescape(fields.get(3)?),
            point: PathBuf::from(unescape(fields.get(4)?)),
            fstype: (*right.first()?).to_owned(),
            options: (*right.get(2)?).to_owned(),
        })
    }

    /// The folder of the cgroup `path` (as `/proc/self/cgroup` names it)
    /// under this mount.
    fn below(&self, path: &str) -> PathBuf {
        let inside = path
            .strip_prefix(self.root.as_str())
            .filter(|_| self.root != "/")
            .unwrap_or(path);
        self.point.join(inside.trim_start_matches('/'))
    }
}

/// mountinfo writes a space as `\040` (and a tab, newline, backslash so).
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// This process's cgroup in the v2 hierarchy (`controller` None: the
/// `0::` line) or in the v1 hierarchy of `controller`.
fn own_path(own: &str, controller: Option<&str>) -> Option<String> {
    own.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (id, list, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = match controller {
            None => id == "0" && list.is_empty(),
            Some(c) => list.split(',').any(|x| x == c),
        };
        matches.then(|| path.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST_MOUNTS: &str = "\
30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
36 30 0:31 / /sys/fs/cgroup/pids rw,relatime shared:14 - cgroup cgroup rw,pids
37 30 0:32 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory
38 30 0:33 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const HOST_OWN: &str = "8:pids:/\n4:memory:/jobs/j7\n0::/\n";

    #[test]
    fn v1_where_v2_lacks_the_controllers() {
        let found = from_tables(HOST_MOUNTS, HOST_OWN, |_| Some("hugetlb\n".into()));
        assert_eq!(
            found,
            vec![
                Hierarchy {
                    version: Version::V1,
                    base: "/sys/fs/cgroup/pids".into(),
                    pids: true,
                    memory: false,
                },
                Hierarchy {
                    version: Version::V1,
                    base: "/sys/fs/cgroup/memory/jobs/j7".into(),
                    pids: false,
                    memory: true,
                },
            ]
        );
    }

    #[test]
    fn v2_takes_what_it_has() {
        let mounts = "29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        let own = "0::/user.slice/session-3.scope\n";
        let found = from_tables(mounts, own, |p| {
            (p == Path::new("/sys/fs/cgroup")).then(|| "cpu io memory pids\n".into())
        });
        assert_eq!(
            found,
            vec![Hierarchy {
                version: Version::V2,
                base: "/sys/fs/cgroup/user.slice/session-3.scope".into(),
                pids: true,
                memory: true,
            }]
        );
        // A container shows its own cgroup as the mount's root.
        let mounts = "29 23 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        let found = from_tables(mounts, "0::/docker/abc/inner\n", |_| {
            Some("memory pids".into())
        });
        assert_eq!(found[0].base, PathBuf::from("/sys/fs/cgroup/inner"));
    }

    #[test]
    fn nothing_mounted_is_nothing_found() {
        assert!(from_tables("", "0::/\n", |_| None).is_empty());
        assert_eq!(unescape(r"/a\040b"), "/a b");
    }
}
