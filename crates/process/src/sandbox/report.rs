//! How the new process tells the harness what it applied, or which step
//! failed.
//!
//! Between `fork` and `exec` nothing can be returned and nothing may be
//! allocated, yet the harness must learn which guards are in force (to warn
//! once about what this machine cannot do) and, when a step fails, which
//! one and why (to say more than "exec failed"). So the new process writes a
//! few bytes into a close-on-exec pipe before it execs: one byte of
//! `APPLIED_*` bits, or [`FAILED`] with the [`Step`] and then the errno.
//! The writer runs after the fork and so lives in
//! [`postfork`](super::postfork); this file holds the format and the
//! reader.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::libc;

/// A step of setting up the sandbox in the new process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Step {
    Prepare = 1,
    MountNs,
    Private,
    CloneFolder,
    ReadOnly,
    Tmpfs,
    FolderMount,
    Chdir,
    Pipe,
    PidNs,
    Fork,
    Report,
    Cgroup,
}

impl Step {
    const ALL: [Step; 13] = [
        Step::Prepare,
        Step::MountNs,
        Step::Private,
        Step::CloneFolder,
        Step::ReadOnly,
        Step::Tmpfs,
        Step::FolderMount,
        Step::Chdir,
        Step::Pipe,
        Step::PidNs,
        Step::Fork,
        Step::Report,
        Step::Cgroup,
    ];

    pub(super) fn what(self) -> &'static str {
        match self {
            Step::Prepare => "prepare the probe",
            Step::MountNs => "create a mount namespace",
            Step::Private => "make the mounts private",
            Step::CloneFolder => "take a copy of the writable folder's mount",
            Step::ReadOnly => "make every mount read-only",
            Step::Tmpfs => "mount a private /tmp",
            Step::FolderMount => "mount the writable folder",
            Step::Chdir => "enter the working directory again",
            Step::Pipe => "make a pipe to pid 1",
            Step::PidNs => "create a PID namespace",
            Step::Fork => "fork into the PID namespace",
            Step::Report => "report what was applied",
            Step::Cgroup => "join its cgroup",
        }
    }

    fn from_u8(n: u8) -> Option<Step> {
        Step::ALL.into_iter().find(|s| *s as u8 == n)
    }
}

/// A failed step and its errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Failure {
    pub(super) step: Step,
    pub(super) errno: i32,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not {}: {}",
            self.step.what(),
            io::Error::from_raw_os_error(self.errno)
        )
    }
}

/// Report bits of a successful setup.
pub(super) const APPLIED_LIMITS: u8 = 1;
pub(super) const APPLIED_FS: u8 = 2;
pub(super) const APPLIED_PID: u8 = 4;
pub(super) const APPLIED_PRIVS: u8 = 8;
/// The report of a failure: this bit and the step, then the errno.
pub(super) const FAILED: u8 = 0x80;

/// A pipe for the new process's report: close-on-exec both ends, the read
/// end non-blocking (the report is written before `exec`, so it is there
/// once the spawn has returned).
pub(super) fn report_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two fds, which are then owned here.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: sets a flag on an fd owned here.
    unsafe { libc::fcntl(read.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    Ok((read, write))
}

/// Reads the report from `fd`; `None` if there is none (nothing was
/// written yet, or the pipe is empty again) or it names no known step.
pub(super) fn read_report(fd: RawFd) -> Option<Result<u8, Failure>> {
    let mut buf = [0u8; 5];
    // SAFETY: reads into a stack buffer from an fd owned by the caller.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 1 {
        return None;
    }
    if buf[0] & FAILED == 0 {
        return Some(Ok(buf[0]));
    }
    let step = Step::from_u8(buf[0] & !FAILED)?;
    let errno = if n == 5 {
        i32::from_ne_bytes([buf[1], buf[2], buf[3], buf[4]])
    } else {
        0
    };
    Some(Err(Failure { step, errno }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::postfork::report;

    #[test]
    fn reports_round_trip() {
        let (read, write) = report_pipe().unwrap();
        report(write.as_raw_fd(), Ok(APPLIED_FS | APPLIED_PID));
        assert_eq!(
            read_report(read.as_raw_fd()),
            Some(Ok(APPLIED_FS | APPLIED_PID))
        );
        assert_eq!(read_report(read.as_raw_fd()), None, "nothing more");
        let failure = Failure {
            step: Step::ReadOnly,
            errno: libc::EPERM,
        };
        report(write.as_raw_fd(), Err(failure));
        assert_eq!(read_report(read.as_raw_fd()), Some(Err(failure)));
        assert!(
            failure
                .to_string()
                .starts_with("could not make every mount read-only: ")
        );
        for step in Step::ALL {
            assert_eq!(Step::from_u8(step as u8), Some(step));
        }
    }
}
