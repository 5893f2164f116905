//! Private networks for programs under test: network namespaces whose only
//! interface is a loopback, carrying the addresses a program hard-codes.
//!
//! Homework hard-codes its address and port (('10.16.129.97', 7777),
//! ('0.0.0.0', 8888)), so two submissions graded at once collide on the
//! host, a TIME_WAIT left by one scenario blocks the next, and a client of
//! a classroom address would send its packets out into the world. In a
//! namespace of its own, each scenario has every port and the addresses its
//! program names to itself, and nothing it sends can leave the machine: the
//! namespace has no other interface. The host names it names
//! (`('www.python.org', 80)`) resolve there to addresses of that loopback,
//! so a client of one is graded like any other and its look-up asks no one
//! outside.
//!
//! Each program started gets a namespace of its own: the thread that runs
//! its scenario enters a new one ([`enter_thread`]) before it creates
//! anything, so that every socket of the harness for that scenario, the
//! program it spawns, and the `/proc/net` and sock_diag reads about it are
//! all inside, with no per-socket `setns`, while the rest of the run stays
//! where it was. A thread may enter one after another (a program handed
//! from scenario to scenario keeps its namespace; the next fresh program
//! gets a new one).
//! Without root, the process first enters a user namespace ([`prepare`]),
//! which only a single-threaded process can do: at start-up.

#![warn(missing_docs)]

use std::io;
use std::net::Ipv4Addr;

mod names;
mod scan;
pub use names::{FIRST_NAME_ADDRESS, map_names, mapped};
pub use scan::{Endpoint, Found, scan_args, scan_folder, scan_text};

/// How this process may make private networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    /// As root, with its own privileges.
    Root,
    /// In a user namespace of its own (unprivileged user namespaces), in
    /// which it is root.
    UserNamespace,
}

/// Why no private network could be made.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    /// The process already has threads: a user namespace can only be
    /// entered by a single-threaded process.
    #[error("a user namespace must be entered before the harness starts any thread")]
    Threaded,
    /// The kernel refused the namespaces (no root, and unprivileged user
    /// namespaces are off).
    #[error(
        "this machine does not allow a private network (network namespace: {net}; user namespace: {user}); run as root, or enable unprivileged user namespaces"
    )]
    Refused {
        /// Why a network namespace was refused.
        net: io::Error,
        /// Why a user namespace was refused (or that none was tried).
        user: io::Error,
    },
    /// The namespace exists but its loopback could not be set up.
    #[error("the private network's loopback could not be set up: {0}")]
    Loopback(io::Error),
    /// The namespace exists but its host names could not be made to
    /// resolve there.
    #[error(
        "the private network's host names could not be set up (a mount namespace with its own /etc/hosts): {0}"
    )]
    Names(io::Error),
}

/// Makes this process able to give its threads private networks: nothing
/// to do as root; otherwise it enters a user namespace of its own, which
/// only a single-threaded process can, so this is called at start-up.
pub fn prepare() -> Result<Privilege, NetnsError> {
    // SAFETY: geteuid takes nothing and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return Ok(Privilege::Root);
    }
    if thread_count() != Some(1) {
        return Err(NetnsError::Threaded);
    }
    // SAFETY: as above.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    unshare(libc::CLONE_NEWUSER)
        .and_then(|()| map_ids(uid, gid))
        .map(|()| Privilege::UserNamespace)
        .map_err(|user| NetnsError::Refused {
            net: io::Error::other("not tried"),
            user,
        })
}

fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task").ok().map(|d| d.count())
}

fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes no pointers, and what it unshares (a user
    // namespace of a single-threaded process, a thread's network or mount
    // namespace) leaves the rest of the process as it was.
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
    let s = IoctlSocket::new()?;
    let mut ifr = ifreq("lo");
    s.ioctl(libc::SIOCGIFFLAGS, &mut ifr)?;
    // SAFETY: SIOCGIFFLAGS filled the flags member of the union.
    unsafe {
        ifr.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    }
    s.ioctl(libc::SIOCSIFFLAGS, &mut ifr)
}

/// What a private network must carry so that a program runs as written:
/// the addresses it binds, connects or sends to (each on the loopback), for
/// a broadcast address, a subnet whose broadcast it is, and for a host name,
/// an address of the loopback that the name resolves to there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetPlan {
    /// Addresses to put on the loopback: address, prefix length, and the
    /// subnet's broadcast address for a prefix shorter than 32.
    pub addrs: Vec<(Ipv4Addr, u8, Option<Ipv4Addr>)>,
    /// A route for everything through the loopback, so that
    /// 255.255.255.255 (Python's `'<broadcast>'`) is a broadcast that reaches
    /// the namespace's receivers, and any other address is a place nothing
    /// listens (a connect there hangs in SYN_SENT, visibly), never a way out.
    pub default_route: bool,
    /// The host names the program names, each with the address it resolves
    /// to inside (from [`map_names`]; 127.0.0.0/8 is the loopback's already).
    pub names: Vec<(String, Ipv4Addr)>,
}

impl NetPlan {
    /// The plan for these address literals. 127.0.0.0/8 and 0.0.0.0 are
    /// there already; 255.255.255.255 asks for the default route; an address
    /// ending in .255 is taken as a subnet's broadcast (a.b.c.255: /24,
    /// a.b.255.255: /16, a.255.255.255: /8) and gets the subnet's first host
    /// address with that broadcast; any other address is put there as a /32.
    /// Multicast and reserved addresses are left out.
    pub fn for_literals(literals: impl IntoIterator<Item = Ipv4Addr>) -> NetPlan {
        let mut plan = NetPlan::default();
        let mut push = |entry: (Ipv4Addr, u8, Option<Ipv4Addr>)| {
            if !plan.addrs.contains(&entry) {
                plan.addrs.push(entry);
            }
        };
        let mut literals: Vec<Ipv4Addr> = literals.into_iter().collect();
        literals.sort();
        literals.dedup();
        for ip in literals {
            let o = ip.octets();
            if ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || o[0] >= 240 && !ip.is_broadcast()
            {
                continue;
            }
            if ip.is_broadcast() {
                plan.default_route = true;
                continue;
            }
            if o[3] == 255 {
                let prefix = if o[1] == 255 && o[2] == 255 {
                    8
                } else if o[2] == 255 {
                    16
                } else {
                    24
                };
                let mask = u32::MAX << (32 - prefix);
                let host = Ipv4Addr::from((u32::from(ip) & mask) + 1);
                push((host, prefix, Some(ip)));
            } else {
                push((ip, 32, None));
            }
        }
        plan
    }

    /// The plan with these host names resolving to these addresses.
    pub fn with_names(mut self, names: Vec<(String, Ipv4Addr)>) -> NetPlan {
        self.names = names;
        self
    }
}

/// Moves the calling thread, and only it, into a new network namespace with
/// its loopback up and `plan`'s addresses and route on it, and, if the plan
/// has host names, into a mount namespace of its own in which they resolve
/// to their addresses. Everything the thread creates afterwards (sockets,
/// child processes, netlink queries) lives there; other threads are
/// unaffected. The namespaces end when the thread and every process in them
/// have ended.
pub fn enter_thread(plan: &NetPlan) -> Result<(), NetnsError> {
    unshare(libc::CLONE_NEWNET).map_err(|net| NetnsError::Refused {
        user: io::Error::other("see sockspec_netns::prepare"),
        net,
    })?;
    loopback_up().map_err(NetnsError::Loopback)?;
    for (i, (addr, prefix, brd)) in plan.addrs.iter().enumerate() {
        add_address(&format!("lo:{i}"), *addr, *prefix, *brd).map_err(NetnsError::Loopback)?;
    }
    if plan.default_route {
        default_route_via_loopback().map_err(NetnsError::Loopback)?;
    }
    if plan.names.is_empty() {
        // The names of a network this thread had before mean nothing here.
        names::forget_here();
    } else {
        names::resolve_here(&plan.names).map_err(NetnsError::Names)?;
    }
    Ok(())
}

/// Whether a thread of this process can get a network namespace of its
/// own (root, or a process already in a user namespace of its own, see
/// [`prepare`]). Probed once, on a thread that ends right after.
pub fn threads_can_isolate() -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| {
        std::thread::spawn(|| enter_thread(&NetPlan::default()).is_ok())
            .join()
            .unwrap_or(false)
    })
}

/// A socket for interface ioctls, closed on drop.
struct IoctlSocket(libc::c_int);

impl IoctlSocket {
    fn new() -> io::Result<IoctlSocket> {
        // SAFETY: a plain socket call.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(IoctlSocket(fd))
        }
    }

    fn ioctl<T>(&self, request: libc::c_ulong, arg: &mut T) -> io::Result<()> {
        // SAFETY: `arg` is the structure `request` takes (ifreq, rtentry).
        if unsafe { libc::ioctl(self.0, request as _, arg as *mut T) } < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

impl Drop for IoctlSocket {
    fn drop(&mut self) {
        // SAFETY: the fd is ours.
        unsafe { libc::close(self.0) };
    }
}

fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr
        .ifr_name
        .iter_mut()
        .take(libc::IFNAMSIZ - 1)
        .zip(name.bytes())
    {
        *dst = src as libc::c_char;
    }
    ifr
}

fn sockaddr(ip: Ipv4Addr) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size; the kernel reads
    // it as sockaddr_in by its family.
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

/// `ip addr add ADDR/PREFIX [brd BRD] dev lo label NAME`, by ioctl.
fn add_address(label: &str, addr: Ipv4Addr, prefix: u8, brd: Option<Ipv4Addr>) -> io::Result<()> {
    let s = IoctlSocket::new()?;
    let mut ifr = ifreq(label);
    ifr.ifr_ifru.ifru_addr = sockaddr(addr);
    s.ioctl(libc::SIOCSIFADDR, &mut ifr)?;
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    };
    let mut ifr = ifreq(label);
    ifr.ifr_ifru.ifru_netmask = sockaddr(Ipv4Addr::from(mask));
    s.ioctl(libc::SIOCSIFNETMASK, &mut ifr)?;
    if let Some(brd) = brd {
        let mut ifr = ifreq(label);
        ifr.ifr_ifru.ifru_broadaddr = sockaddr(brd);
        s.ioctl(libc::SIOCSIFBRDADDR, &mut ifr)?;
    }
    Ok(())
}

/// `ip route add default dev lo`, by ioctl.
fn default_route_via_loopback() -> io::Result<()> {
    let s = IoctlSocket::new()?;
    let mut dev = *b"lo\0";
    // SAFETY: rtentry is plain data (and a pointer, set below).
    let mut rt: libc::rtentry = unsafe { std::mem::zeroed() };
    rt.rt_dst = sockaddr(Ipv4Addr::UNSPECIFIED);
    rt.rt_genmask = sockaddr(Ipv4Addr::UNSPECIFIED);
    rt.rt_flags = libc::RTF_UP;
    rt.rt_dev = dev.as_mut_ptr().cast();
    s.ioctl(libc::SIOCADDRT, &mut rt)
}
