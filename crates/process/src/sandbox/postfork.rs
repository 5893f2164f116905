//! Everything that runs in the new process between `fork` and `exec`.
//!
//! The harness is multi-threaded (tokio), and `fork` copies only the thread
//! that called it: a lock another thread held at that moment (the
//! allocator's, stdio's, any mutex) stays locked forever in the child. So
//! the code here may make only async-signal-safe calls: raw system calls on
//! data built before the fork ([`Plan`], [`FsPlan`], the limits of
//! [`rlimits`](super::rlimits)), no allocation, no locks, no formatted
//! errors (a failure is a [`Step`] and an errno, sent back through the
//! report pipe). A mistake here does not fail a test; it hangs a spawn now
//! and then, under load. Nothing else lives in this file, so all of it can
//! be read against those rules in one sitting, and code that needs more
//! than they allow belongs before the fork, in the file of its idea.
//!
//! It runs in three places: the `pre_exec` hook of every sandboxed spawn
//! ([`install`]), the probe's child, which exits instead of exec'ing
//! ([`fork_and_enter`]), and, with a PID namespace, the two processes that
//! stay in front of the target (the harness's child and init), which never
//! return.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use nix::libc;
use tokio::process::Command;

use super::Plan;
use super::capabilities::{CAP_V3, Data, Header, KEPT_CAPS, KEPT_MASK};
use super::mounts::{FsPlan, KEEP};
use super::report::{
    APPLIED_FS, APPLIED_LIMITS, APPLIED_PID, APPLIED_PRIVS, FAILED, Failure, Step,
};
use super::rlimits::RESOURCES;

/// Makes `cmd` carry out `plan` in the new process before it execs, and
/// report what it applied through `plan.report`.
pub(super) fn install(cmd: &mut Command, plan: Plan) {
    // SAFETY: the hook runs only async-signal-safe system calls on data
    // built before the fork: no allocation, no locks.
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
}

/// Forks a child that carries out `plan`, reports to `report_fd` and exits
/// instead of exec'ing (the probe). Returns the child's pid, or -1 if the
/// fork failed (errno says why).
pub(super) fn fork_and_enter(plan: &Plan, report_fd: RawFd) -> libc::pid_t {
    // SAFETY: the child runs only async-signal-safe system calls (no
    // allocation, no locks) and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let result = plan.enter();
        report(report_fd, result);
        // SAFETY: ends the child without running the harness's destructors.
        unsafe { libc::_exit(0) };
    }
    pid
}

/// The errno of the last failed system call (async-signal-safe: reads
/// errno, allocates nothing).
pub(super) fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

// The report: its format and its reader are in `report.rs`.

/// Writes the result of a setup to `fd` (async-signal-safe).
pub(super) fn report(fd: RawFd, result: Result<u8, Failure>) {
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

// The whole setup, in order: cgroup, file system, PID namespace, limits,
// capabilities.

impl Plan {
    /// Sets everything up in the new process (between fork and exec).
    /// Returns in the process that goes on to exec the target, with the
    /// bits of what was applied; with a PID namespace, the processes in
    /// front of it never return.
    ///
    /// Only async-signal-safe calls: raw system calls on prepared data.
    fn enter(&self) -> Result<u8, Failure> {
        let mut applied = 0;
        // First, so that everything after (init, the target, all they
        // fork) is counted, and before the mounts turn read-only.
        for fd in &self.cgroup {
            // SAFETY: a write from a static buffer to an fd opened before
            // the fork; "0" is the writing process itself.
            if unsafe { libc::write(fd.as_raw_fd(), b"0".as_ptr().cast(), 1) } != 1 {
                return Err(Failure {
                    step: Step::Cgroup,
                    errno: errno(),
                });
            }
        }
        if let Some(fs) = &self.fs {
            fs.enter()?;
            applied |= APPLIED_FS;
        }
        if self.pid_ns {
            enter_pid_namespace()?;
            applied |= APPLIED_PID;
        }
        if let Some(limits) = &self.limits {
            let mut all = true;
            for (i, limit) in limits.iter().enumerate() {
                // SAFETY: a system call on a prepared struct.
                all &= unsafe { libc::setrlimit(RESOURCES[i], limit) } == 0;
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

// The private file system, planned in `mounts.rs`.

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

// The PID namespace: why its init is not the target is in the sandbox's
// module doc.

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

// Capabilities: which ones are kept is in `capabilities.rs`.

/// Drops every capability but [`KEPT_CAPS`] from the bounding, inheritable
/// and ambient sets, and sets `no_new_privs`. True if all of it held
/// (dropping from the bounding set fails for a non-root harness, which has
/// none of these to begin with; that counts as held).
fn drop_privileges() -> bool {
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
            for (d, k) in data.iter_mut().zip(KEPT_MASK) {
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
