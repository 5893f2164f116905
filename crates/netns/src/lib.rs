//! A private network for a whole sockspec run: a new network namespace
//! whose only interface is loopback.
//!
//! Homework hard-codes its port (8888, 7777...), so two submissions graded
//! at once collide on the host, and a TIME_WAIT left by one blocks the next.
//! In a namespace of its own, each run has all of 127.0.0.0/8 and every port
//! to itself, and nothing a program sends can leave the machine: the
//! namespace has no other interface and no route out.
//!
//! The namespace is entered by the run's own process at start-up, before
//! it has any threads, so that everything the harness does afterwards (its
//! peers' sockets, the targets it spawns, `/proc/net` and sock_diag reads,
//! the abstract sockets of the port pool) happens inside it without any
//! per-socket `setns`. That is why [`enter`] insists on a single thread.

#![warn(missing_docs)]

use std::io;

/// How the namespace was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entered {
    /// `unshare(CLONE_NEWNET)` with the harness's own privileges (root).
    Network,
    /// A user namespace too, for a harness without root (unprivileged
    /// user namespaces): the run is root only inside it.
    UserAndNetwork,
}

/// Why no private network could be made.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    /// The process already has threads: a namespace entered now would hold
    /// only the calling thread.
    #[error("a private network must be entered before the harness starts any thread")]
    Threaded,
    /// The kernel refused the namespaces (no root, and unprivileged user
    /// namespaces are off).
    #[error(
        "this machine does not allow a private network (unshare: {net}; with a user namespace: {user}); run as root, or enable unprivileged user namespaces"
    )]
    Refused {
        /// Why a plain network namespace was refused.
        net: io::Error,
        /// Why a user + network namespace was refused.
        user: io::Error,
    },
    /// The namespace exists but its loopback could not be brought up.
    #[error("the private network's loopback could not be brought up: {0}")]
    Loopback(io::Error),
}

/// Moves this process into a new network namespace and brings its loopback
/// up (127.0.0.1/8, ::1, and the 127.255.255.255 broadcast route come with
/// it). Must be called while the process has a single thread.
pub fn enter() -> Result<Entered, NetnsError> {
    if thread_count() != Some(1) {
        return Err(NetnsError::Threaded);
    }
    let entered = match unshare(libc::CLONE_NEWNET) {
        Ok(()) => Entered::Network,
        Err(net) => {
            let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
            match unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET).and_then(|()| map_ids(uid, gid))
            {
                Ok(()) => Entered::UserAndNetwork,
                Err(user) => return Err(NetnsError::Refused { net, user }),
            }
        }
    };
    loopback_up().map_err(NetnsError::Loopback)?;
    Ok(entered)
}

/// Whether this process is in a network namespace other than init's
/// (compares the namespace of pid 1, when it can be read).
pub fn is_private() -> bool {
    let ns = |p: &str| std::fs::read_link(p).ok();
    match (ns("/proc/self/ns/net"), ns("/proc/1/ns/net")) {
        (Some(me), Some(init)) => me != init,
        _ => false,
    }
}

fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task").ok().map(|d| d.count())
}

fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes no pointers; the process is single-threaded.
    if unsafe { libc::unshare(flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Inside a new user namespace: be root there, mapped to the real ids.
fn map_ids(uid: libc::uid_t, gid: libc::gid_t) -> io::Result<()> {
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
}

/// `ip link set lo up`, by ioctl (no dependence on iproute2 being installed).
fn loopback_up() -> io::Result<()> {
    // SAFETY: a plain socket call; the fd is closed below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let result = (|| {
        // SAFETY: ifreq is plain data; all-zero is a valid value.
        let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
        for (dst, src) in ifr.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        // SAFETY: fd is a socket and ifr a valid ifreq for these requests.
        if unsafe { libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut ifr) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: SIOCGIFFLAGS filled the flags member of the union.
        unsafe {
            ifr.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        }
        // SAFETY: as above.
        if unsafe { libc::ioctl(fd, libc::SIOCSIFFLAGS, &ifr) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    })();
    // SAFETY: fd is ours.
    unsafe { libc::close(fd) };
    result
}
