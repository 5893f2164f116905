//! Host names inside a private network. Homework connects to
//! `('www.python.org', 80)`, to a classroom server called `'tedu-server'`,
//! to `urlopen('http://example.com/')`: graded as handed in, each name must
//! be an address of the namespace's loopback, where the harness listens,
//! and looking it up must not ask anyone outside. A DNS query is itself a
//! packet out, and a look-up handed to a daemon through a file-system
//! socket (systemd-resolved, nscd, avahi) is made on the host's network,
//! whatever namespace the program is in.
//!
//! Programs resolve names the C library's way: `/etc/nsswitch.conf` says
//! which sources (`hosts: files dns` on these machines), `files` is
//! `/etc/hosts`. So the thread that enters a private network also gets a
//! mount namespace of its own, in which a generated `/etc/hosts` (the names
//! first, then the machine's own lines, so its host name still resolves) is
//! mounted over the real one, the way `ip netns exec` mounts
//! `/etc/netns/NAME/hosts`; where `nsswitch.conf` names a source that could
//! leave (a daemon's), a copy that keeps only `files`, `myhostname` and
//! `dns` is mounted over it, and an nscd socket is covered. `dns` may stay:
//! inside the namespace a query can only reach its loopback, and
//! `resolv.conf` says so (`nameserver 127.0.0.1`), so that a name looked
//! up that the source does not name fails at once instead of waiting out
//! the resolver's timeouts on a server that is not there.
//!
//! Doing it on the thread, before anything is spawned, rather than between
//! fork and exec, means every program the scenario starts sees it, with or
//! without the sandbox (whose mount namespace is a copy of the one it was
//! forked in), and nothing but the fork happens in the child. Every mount is
//! made private first, so nothing reaches the host's mount namespace.

use std::ffi::CString;
use std::io;
use std::net::Ipv4Addr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The address the first name gets; the others follow it in 127.77.0.0/16.
pub const FIRST_NAME_ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 77, 0, 1);
/// A submission that names more hosts than this is not homework; the rest
/// are left unresolved.
const MAX_NAMES: usize = 4096;
/// Where the C library looks for nscd, which would look names up outside.
const NSCD_SOCKETS: [&str; 2] = ["/run/nscd/socket", "/var/run/nscd/socket"];
/// Sources of `hosts:` in nsswitch.conf that answer inside the namespace.
const LOCAL_SOURCES: [&str; 3] = ["files", "myhostname", "dns"];

/// Gives each name an address of the loopback: 127.77.0.1, 127.77.0.2, ...
/// in alphabetical order, the same every run for the same names. Names
/// differ only in case are one host (the first spelling is kept); an
/// address never ends in .0 or .255.
pub fn map_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<(String, Ipv4Addr)> {
    let mut names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let first = u32::from(FIRST_NAME_ADDRESS) - 1;
    names
        .into_iter()
        .take(MAX_NAMES)
        .enumerate()
        .map(|(i, n)| {
            let i = i as u32;
            (n, Ipv4Addr::from(first + (i / 254) * 256 + i % 254 + 1))
        })
        .collect()
}

/// The address `host` has in a mapping (host names are case-insensitive).
pub fn mapped(names: &[(String, Ipv4Addr)], host: &str) -> Option<Ipv4Addr> {
    names
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(host))
        .map(|(_, ip)| *ip)
}

/// The hosts file of a private network: the names, then the machine's own.
fn hosts_file(names: &[(String, Ipv4Addr)], machine: &str) -> String {
    let mut text = String::from(
        "# sockspec: in this private network the names the program's source names\n\
         # are addresses of its loopback, where the harness listens.\n",
    );
    for (name, ip) in names {
        text.push_str(&format!("{ip}\t{name}\n"));
    }
    text.push_str(machine);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `nsswitch.conf` with its `hosts:` sources cut to those that answer
/// inside the namespace (`files` always, first), or `None` if it needs no
/// change.
fn local_nsswitch(conf: &str) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(conf.len());
    for line in conf.split_inclusive('\n') {
        let Some(rest) = line.trim_start().strip_prefix("hosts:") else {
            out.push_str(line);
            continue;
        };
        let rest = rest.split('#').next().unwrap_or("");
        // Sources, without their `[NOTFOUND=return]` actions.
        let mut sources = Vec::new();
        let mut in_action = false;
        for word in rest.split_whitespace() {
            if word.starts_with('[') {
                in_action = true;
            }
            if !in_action {
                sources.push(word);
            }
            if word.ends_with(']') {
                in_action = false;
            }
        }
        let mut kept = vec!["files"];
        kept.extend(
            sources
                .iter()
                .filter(|s| LOCAL_SOURCES.contains(s) && **s != "files"),
        );
        let plain = !rest.contains('[');
        if plain && sources == kept {
            out.push_str(line);
            continue;
        }
        changed = true;
        out.push_str(&format!("hosts: {}\n", kept.join(" ")));
    }
    changed.then_some(out)
}

/// A file of the harness's own in the temporary folder, removed on drop
/// (a mount of it keeps its contents).
struct Generated(PathBuf);

impl Generated {
    fn write(text: &str) -> io::Result<Generated> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path =
                std::env::temp_dir().join(format!("sockspec-names-{}-{n}", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(&path)
            {
                Ok(mut f) => {
                    let file = Generated(path);
                    f.write_all(text.as_bytes())?;
                    return Ok(file);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Generated {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
}

fn mount(source: Option<&Path>, target: &Path, flags: libc::c_ulong, what: &str) -> io::Result<()> {
    let source = source.map(c_path).transpose()?;
    let target = c_path(target)?;
    // SAFETY: C strings that live across the call; no file system type or
    // data.
    let r = unsafe {
        libc::mount(
            source.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            target.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    };
    if r == 0 {
        Ok(())
    } else {
        let e = io::Error::last_os_error();
        Err(io::Error::new(e.kind(), format!("{what}: {e}")))
    }
}

std::thread_local! {
    /// The files this thread's mount namespace has covered, topmost.
    static COVERED: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Takes off the files an earlier private network of this thread put
/// over the machine's (in its own mount namespace, which only this thread
/// and what it spawns see).
pub(crate) fn forget_here() {
    COVERED.with(|c| {
        for path in c.borrow_mut().drain(..).rev() {
            uncover(&path);
        }
    });
}

/// Takes the topmost mount off `target` (one of [`cover`]'s), in the
/// calling thread's mount namespace.
fn uncover(target: &Path) {
    if let Ok(t) = c_path(target) {
        // SAFETY: a C string that lives across the call. A failure leaves
        // the old cover, which the next mount then fails on, and says so.
        unsafe { libc::umount2(t.as_ptr(), libc::MNT_DETACH) };
    }
}

/// Mounts `source` over the file `target`, read-only where the kernel
/// allows (a read-only remount must keep the flags of the mount the file
/// came from, which in a user namespace are locked: nosuid, nodev...).
fn cover(source: &Path, target: &Path) -> io::Result<()> {
    mount(
        Some(source),
        target,
        libc::MS_BIND,
        &format!("mount {} over {}", source.display(), target.display()),
    )?;
    COVERED.with(|c| c.borrow_mut().push(target.to_path_buf()));
    let flags = c_path(target).ok().and_then(|t| {
        // SAFETY: statvfs fills the struct it is given.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        (unsafe { libc::statvfs(t.as_ptr(), &mut st) } == 0).then_some(st.f_flag)
    });
    let kept = [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ]
    .iter()
    .filter(|(st, _)| flags.is_some_and(|f| f & *st != 0))
    .fold(0, |all, (_, ms)| all | ms);
    // Best effort: a writable copy only ever changes the namespace's view.
    let _ = mount(
        None,
        target,
        libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | kept,
        "remount read-only",
    );
    Ok(())
}

/// Makes `names` resolve, on the calling thread and everything it spawns
/// from now on, to their addresses; see the module's documentation. The
/// calling thread must already be in the private network.
pub(crate) fn resolve_here(names: &[(String, Ipv4Addr)]) -> io::Result<()> {
    let hosts_path = Path::new("/etc/hosts");
    let nsswitch_path = Path::new("/etc/nsswitch.conf");
    let resolv_path = Path::new("/etc/resolv.conf");
    crate::unshare(libc::CLONE_NEWNS)
        .map_err(|e| io::Error::new(e.kind(), format!("a mount namespace: {e}")))?;
    mount(
        None,
        Path::new("/"),
        libc::MS_REC | libc::MS_PRIVATE,
        "make the mounts private",
    )?;
    // A thread that had a private network before (a lane of the runner
    // starts one per program) still sees that one's files over the
    // machine's: take exactly those off, in this namespace only, so that
    // the new files are made from the machine's own and can be mounted at
    // all (the old ones are gone from the temporary folder).
    forget_here();
    let machine = std::fs::read(hosts_path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let hosts = Generated::write(&hosts_file(names, &machine))?;
    let nsswitch = match std::fs::read_to_string(nsswitch_path)
        .ok()
        .and_then(|c| local_nsswitch(&c))
    {
        Some(conf) => Some(Generated::write(&conf)?),
        None => None,
    };
    let resolv = Generated::write(
        "# sockspec: a private network has no name server but its loopback.\nnameserver 127.0.0.1\n",
    )?;
    if !hosts_path.is_file() {
        // Never made here: the file system is the host's.
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "this machine has no /etc/hosts to mount the names over",
        ));
    }
    cover(&hosts.0, hosts_path)?;
    if let Some(conf) = &nsswitch {
        cover(&conf.0, nsswitch_path)?;
    }
    if resolv_path.is_file() {
        cover(&resolv.0, resolv_path)?;
    }
    for socket in NSCD_SOCKETS.iter().map(Path::new) {
        if socket.exists() {
            // Connecting to a file that is not a socket is refused, and the
            // C library then reads nsswitch.conf itself.
            cover(Path::new("/dev/null"), socket)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_addresses_in_order_and_the_same_every_time() {
        let m = map_names([
            "www.python.org",
            "tedu-server",
            "WWW.Python.org",
            "example.com",
        ]);
        assert_eq!(
            m,
            [
                ("example.com".to_owned(), Ipv4Addr::new(127, 77, 0, 1)),
                ("tedu-server".to_owned(), Ipv4Addr::new(127, 77, 0, 2)),
                ("www.python.org".to_owned(), Ipv4Addr::new(127, 77, 0, 3)),
            ]
        );
        assert_eq!(
            mapped(&m, "WWW.PYTHON.ORG"),
            Some(Ipv4Addr::new(127, 77, 0, 3))
        );
        assert_eq!(mapped(&m, "python.org"), None);
        let many = map_names((0..600).map(|i| format!("h{i:04}.example")));
        assert_eq!(many[253].1, Ipv4Addr::new(127, 77, 0, 254));
        assert_eq!(many[254].1, Ipv4Addr::new(127, 77, 1, 1));
        assert!(
            many.iter()
                .all(|(_, ip)| ip.is_loopback() && ip.octets()[3] != 0 && ip.octets()[3] != 255)
        );
        assert!(map_names(Vec::<String>::new()).is_empty());
    }

    #[test]
    fn the_hosts_file_puts_the_names_first() {
        let text = hosts_file(
            &map_names(["www.python.org"]),
            "127.0.0.1 localhost\n127.0.0.1 vm",
        );
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "127.77.0.1\twww.python.org",
                "127.0.0.1 localhost",
                "127.0.0.1 vm"
            ]
        );
    }

    #[test]
    fn nsswitch_keeps_only_sources_that_answer_inside() {
        let here = "passwd: files systemd\nhosts:          files dns\nnetworks: files\n";
        assert_eq!(local_nsswitch(here), None);
        let ubuntu = "hosts: files mdns4_minimal [NOTFOUND=return] dns myhostname\n";
        assert_eq!(
            local_nsswitch(ubuntu).as_deref(),
            Some("hosts: files dns myhostname\n")
        );
        let resolved = "passwd: files\nhosts: resolve [!UNAVAIL=return] files myhostname dns\n";
        assert_eq!(
            local_nsswitch(resolved).as_deref(),
            Some("passwd: files\nhosts: files myhostname dns\n")
        );
        assert_eq!(
            local_nsswitch("hosts: dns\n").as_deref(),
            Some("hosts: files dns\n")
        );
        assert_eq!(local_nsswitch(""), None);
    }
}
