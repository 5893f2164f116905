use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use super::*;

fn limits(processes: u64) -> CgroupLimits {
    CgroupLimits {
        processes,
        overhead: 0,
        memory_bytes: 64 << 20,
    }
}

/// Starts `program -c script` in `cg` (joined before exec, as a target
/// is).
fn start_in(cg: &Cgroup, program: &str, script: &str) -> std::process::Child {
    let fds = cg.join_fds().unwrap();
    let raw: Vec<i32> = fds.iter().map(|f| f.as_raw_fd()).collect();
    let mut cmd = Command::new(program);
    cmd.args(["-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    // SAFETY: only write(2) on fds opened before the fork.
    unsafe {
        cmd.pre_exec(move || {
            for &fd in &raw {
                if libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    drop(fds);
    child
}

fn read_line(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

#[test]
fn a_cgroup_is_made_limited_joined_killed_and_removed() {
    if let Err(why) = &support().processes {
        // Where none can be made, creating one says why instead.
        let made = Cgroup::create(hierarchies(), limits(8));
        assert_eq!(made.as_ref().err(), Some(why), "{made:?}");
        return;
    }
    let mut cg = Cgroup::create(hierarchies(), limits(8)).unwrap();
    assert!(cg.limits_processes());
    let paths = cg.paths();
    let pids_dir = paths
        .iter()
        .find(|p| p.join("pids.max").exists())
        .expect("a pids cgroup");
    assert_eq!(
        fs::read_to_string(pids_dir.join("pids.max"))
            .unwrap()
            .trim(),
        "8"
    );
    if cg.limits_memory() {
        let mem = paths
            .iter()
            .find(|p| p.join("memory.limit_in_bytes").exists() || p.join("memory.max").exists())
            .unwrap();
        let file = ["memory.limit_in_bytes", "memory.max"]
            .into_iter()
            .find(|f| mem.join(f).exists())
            .unwrap();
        assert_eq!(
            fs::read_to_string(mem.join(file)).unwrap().trim(),
            (64u64 << 20).to_string()
        );
    }
    // A shell that forks three sleepers, says so, and waits: all four
    // are in the cgroup, and the kill ends all of them.
    let mut child = start_in(
        &cg,
        "sh",
        "for i in 1 2 3; do sleep 300 & done; echo started; wait",
    );
    assert_eq!(read_line(&mut child), "started\n");
    let members = cg.pids();
    assert_eq!(members.len(), 4, "{members:?}");
    assert!(members.contains(&(child.id() as i32)));
    let own = fs::read_to_string(format!("/proc/{}/cgroup", child.id())).unwrap();
    let name = pids_dir.file_name().unwrap().to_str().unwrap();
    assert!(own.contains(name), "{own}");
    assert!(cg.hit().is_empty());
    assert!(cg.kill(
        Some(child.id() as i32),
        Instant::now() + Duration::from_secs(5)
    ));
    assert!(child.wait().unwrap().code().is_none(), "killed by a signal");
    for pid in members {
        assert!(
            crate::proc::stat(pid).is_none_or(|s| s.is_zombie()),
            "{pid} still runs"
        );
    }
    cg.remove();
    for p in &paths {
        assert!(!p.exists(), "{} is left", p.display());
    }
}

#[test]
fn a_fork_past_the_limit_is_refused_and_counted() {
    if support().processes.is_err() {
        return a_cgroup_is_made_limited_joined_killed_and_removed();
    }
    let cg = Cgroup::create(hierarchies(), limits(4)).unwrap();
    // Python and six sleeping children would be seven (a shell would
    // retry a refused fork for ever).
    let script = r#"
import os, time
n = 0
try:
    for _ in range(6):
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        n += 1
except BlockingIOError:
    pass
print(n, flush=True)
time.sleep(300)
"#;
    // The interpreter itself, not a shim that forks to find it.
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let python = String::from_utf8(out.stdout).unwrap();
    let mut child = start_in(&cg, python.trim(), script);
    assert_eq!(read_line(&mut child), "3\n", "three forks, then refused");
    assert_eq!(cg.pids().len(), 4, "{:?}", cg.pids());
    assert_eq!(cg.hit(), vec![LimitHit::Processes { max: 4 }]);
    assert!(cg.kill(
        Some(child.id() as i32),
        Instant::now() + Duration::from_secs(5)
    ));
    assert!(child.wait().unwrap().code().is_none());
}

#[test]
fn where_no_cgroup_can_be_made_it_says_why() {
    // Not writable (even for root) and not a cgroup file system.
    let nowhere = Hierarchy {
        version: Version::V1,
        base: "/proc/1".into(),
        pids: true,
        memory: true,
    };
    assert!(matches!(
        Cgroup::create(&[nowhere], limits(8)),
        Err(NoCgroup::Denied(why)) if why.contains("/proc/1")
    ));
    // A plain folder takes a mkdir but is no cgroup: nothing is left.
    let dir = tempfile::tempdir().unwrap();
    let plain = Hierarchy {
        version: Version::V1,
        base: dir.path().into(),
        pids: true,
        memory: false,
    };
    assert!(matches!(
        Cgroup::create(std::slice::from_ref(&plain), limits(8)),
        Err(NoCgroup::Denied(why)) if why.contains("is not a cgroup")
    ));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(
        probe(&[]),
        CgroupSupport {
            processes: Err(NoCgroup::NoController),
            memory: Err(NoCgroup::NoController),
        }
    );
    assert!(probe(&[plain]).processes.is_err());
}

#[test]
fn cgroups_of_dead_harnesses_are_removed() {
    let Some(h) = hierarchies().iter().find(|h| h.pids) else {
        return where_no_cgroup_can_be_made_it_says_why();
    };
    if support().processes.is_err() {
        return where_no_cgroup_can_be_made_it_says_why();
    }
    // A pid that cannot be running: above pid_max.
    let dead = h.base.join(stale::name(4_194_305, 0));
    fs::create_dir(&dead).unwrap();
    let ours = h.base.join(stale::name(std::process::id(), 999_999));
    fs::create_dir(&ours).unwrap();
    stale::remove_stale(&h.base);
    assert!(!dead.exists());
    assert!(ours.exists(), "a live harness's cgroup stays");
    fs::remove_dir(&ours).unwrap();
}
