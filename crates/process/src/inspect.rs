//! What a program is doing right now, read from `/proc` without touching
//! it: the system call each of its threads is blocked in and the socket
//! that call waits on, the CPU time it has used, and the sockets it holds.
//!
//! Mostly the runner asks once a scenario has failed, to say *why* a wait
//! ran out ("blocked in recv() with nothing queued either way", "at 100%
//! CPU"), and completeness matters more than speed. But it also asks
//! between every two scenarios (is this server idle?) and every two
//! property cases (is this client back at its `input()`?), so sockets are
//! looked up by inode, cheapest table first ([`proc::sockets_of`]): a walk
//! of the connection hash costs milliseconds on a big host, and an idle
//! program, holding only its listener or its UDP socket, never needs one.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use crate::proc::{self, Proto, SocketEntry};

/// The system call a thread is in, by what it means for a socket program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `accept()` / `accept4()`.
    Accept,
    /// `recv()`, `recvfrom()`, `recvmsg()`, or `read()` on a socket.
    Recv,
    /// `send()`, `sendto()`, `sendmsg()`, or `write()` on a socket.
    Send,
    /// `connect()`.
    Connect,
    /// `read()` on something that is not a socket (standard input).
    Read,
    /// `poll()`, `select()`, `epoll_wait()` and kin (also `settimeout()`).
    Poll,
    /// A sleep (`time.sleep()`).
    Sleep,
    /// Waiting for a child (`wait()`), a lock or a futex, or another call.
    Other(u64),
}

/// One thread waiting in the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The process.
    pub pid: i32,
    /// The thread.
    pub tid: i32,
    /// The call.
    pub call: Call,
    /// The file descriptor it waits on, when the call has one.
    pub fd: Option<i32>,
    /// That descriptor's socket, and which table it is in.
    pub socket: Option<(Proto, SocketEntry)>,
}

/// The processes of a group that run the program itself: alive, and not a
/// fork of the harness that never exec'd (the sandbox's init and its
/// waiter run the harness's own binary with the harness's own command
/// line). The harness's reference peers run its binary too, but exec'd
/// with their own arguments: they are programs like any other, looked at
/// as a student's are.
pub fn program_pids(pgid: i32) -> Vec<i32> {
    static ME: std::sync::OnceLock<(Option<PathBuf>, Option<Vec<u8>>)> = std::sync::OnceLock::new();
    let (me, my_args) = ME.get_or_init(|| {
        (
            fs::read_link("/proc/self/exe").ok(),
            fs::read("/proc/self/cmdline").ok(),
        )
    });
    proc::group_members(pgid)
        .into_iter()
        .filter(|m| !m.is_zombie())
        .filter(|m| {
            let exe: Option<PathBuf> = fs::read_link(format!("/proc/{}/exe", m.pid)).ok();
            exe.is_none()
                || exe != *me
                || fs::read(format!("/proc/{}/cmdline", m.pid)).ok() != *my_args
        })
        .map(|m| m.pid)
        .collect()
}

/// Every thread of `pids` that is blocked in a call, with the socket it
/// waits on. Running threads (and ones that cannot be read) are left out.
pub fn waiting(pids: &[i32]) -> Vec<Waiting> {
    let mut out = Vec::new();
    for &pid in pids {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        let mut tids: Vec<i32> = tasks
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        tids.sort_unstable();
        for tid in tids {
            let Ok(text) = fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")) else {
                continue;
            };
            let Some((nr, first)) = parse_syscall(&text) else {
                continue;
            };
            out.push(describe(pid, tid, nr, first));
        }
    }
    out
}

/// Whether every thread of `pids` waits for something only the harness
/// could give, and the harness has given nothing: each is blocked in
/// `recv()`/`recvfrom()`/`accept()` on a socket with nothing queued, or in
/// `read()` on standard input, none running, sleeping, polling with a
/// timeout or waiting on anything else. Such a program never wakes by
/// itself; a wait for it to act can end now instead of at its deadline.
///
/// A JVM's own threads (its collector, compilers, the launcher's thread
/// that waits for `main`) are the runtime, not the program: they wait on
/// each other whatever the program does, so only the program's threads
/// are judged.
pub fn stalled(pids: &[i32]) -> bool {
    let mut threads = 0;
    for &pid in pids {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            return false;
        };
        let comm = |tid: i32| {
            fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"))
                .map(|c| c.trim_end().to_owned())
                .unwrap_or_default()
        };
        // The launcher is named `java`: only then are the threads' names
        // read (a poll of any other program costs nothing more).
        let jvm = comm(pid) == "java";
        for task in tasks.flatten() {
            let Some(tid) = task
                .file_name()
                .to_str()
                .and_then(|t| t.parse::<i32>().ok())
            else {
                continue;
            };
            if jvm && (tid == pid || is_jvm_thread(&comm(tid))) {
                continue;
            }
            // Asleep in the kernel ('S'), not running, stopped or dying.
            let asleep = thread_state(&format!("/proc/{pid}/task/{tid}/stat")) == Some('S');
            let Some((nr, first)) = fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall"))
                .ok()
                .and_then(|t| parse_syscall(&t))
                .filter(|_| asleep)
            else {
                // Running, stopped, or unreadable: not stalled.
                return false;
            };
            let w = describe(pid, tid, nr, first);
            let indefinite = match (w.call, &w.socket, w.fd) {
                (Call::Recv | Call::Accept, Some((_, e)), _) => e.rx_queue == 0,
                (Call::Read, None, Some(0)) => true,
                _ => false,
            };
            if !indefinite {
                return false;
            }
            threads += 1;
        }
    }
    threads > 0
}

/// The names (as `comm` cuts them, 15 bytes) of the threads a HotSpot JVM
/// starts for itself: none runs the program's code.
fn is_jvm_thread(name: &str) -> bool {
    const JVM: [&str; 17] = [
        "GC Thread#",
        "G1 ",
        "VM Thread",
        "VM Periodic Tas",
        "Reference Handl",
        "Finalizer",
        "Signal Dispatch",
        "Service Thread",
        "Monitor Deflati",
        "C1 CompilerThre",
        "C2 CompilerThre",
        "Sweeper thread",
        "Notification Th",
        "Common-Cleaner",
        "Attach Listener",
        "process reaper",
        "DestroyJavaVM",
    ];
    JVM.iter().any(|j| name.starts_with(j))
}

/// `/proc/PID/syscall`: "NR ARG1 ARG2 ... SP PC" while blocked, "running"
/// (or "-1 ...") otherwise.
fn parse_syscall(text: &str) -> Option<(u64, u64)> {
    let mut words = text.split_whitespace();
    let nr: i64 = words.next()?.parse().ok()?;
    if nr < 0 {
        return None;
    }
    let first = words
        .next()
        .and_then(|w| u64::from_str_radix(w.trim_start_matches("0x"), 16).ok())?;
    Some((nr as u64, first))
}

/// The fd argument's target: `socket:[INODE]`, or something else.
fn fd_inode(pid: i32, fd: i32) -> Option<Option<u64>> {
    let link = fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let link = link.to_string_lossy();
    Some(
        link.strip_prefix("socket:[")
            .and_then(|l| l.strip_suffix(']'))
            .and_then(|l| l.parse().ok()),
    )
}

fn describe(pid: i32, tid: i32, nr: u64, first: u64) -> Waiting {
    use Call::*;
    let kind = syscall_kind(nr);
    let fd = match kind {
        Some(Accept | Recv | Send | Connect | Read) => i32::try_from(first).ok(),
        _ => None,
    };
    let inode = fd.and_then(|fd| fd_inode(pid, fd)).flatten();
    let call = match (kind, inode) {
        // read()/write() on a socket are recv()/send() to a student.
        (Some(Read), Some(_)) => Recv,
        (Some(Send), None) if nr == SYS_WRITE => Other(nr),
        (Some(c), _) => c,
        (None, _) => Other(nr),
    };
    let socket = inode.and_then(|inode| {
        proc::sockets_of(pid, &HashSet::from([inode]))
            .into_iter()
            .next()
    });
    Waiting {
        pid,
        tid,
        call,
        fd,
        socket,
    }
}

const SYS_WRITE: u64 = 1;

/// The meaning of a system call number (x86-64 and aarch64).
fn syscall_kind(nr: u64) -> Option<Call> {
    #[cfg(target_arch = "x86_64")]
    let kind = match nr {
        0 | 17 | 19 => Some(Call::Read), // read, pread64, readv
        1 | 18 | 20 => Some(Call::Send), // write, pwrite64, writev
        7 | 23 | 232 | 270 | 271 | 281 | 441 => Some(Call::Poll), // poll select epoll_wait pselect6 ppoll epoll_pwait epoll_pwait2
        35 | 230 => Some(Call::Sleep),                            // nanosleep, clock_nanosleep
        42 => Some(Call::Connect),
        43 | 288 => Some(Call::Accept),
        44 | 46 | 307 => Some(Call::Send), // sendto, sendmsg, sendmmsg
        45 | 47 | 299 => Some(Call::Recv), // recvfrom, recvmsg, recvmmsg
        _ => None,
    };
    #[cfg(target_arch = "aarch64")]
    let kind = match nr {
        63 | 65 | 67 => Some(Call::Read),
        64 | 66 | 68 => Some(Call::Send),
        72 | 73 | 22 | 441 => Some(Call::Poll),
        101 | 115 => Some(Call::Sleep),
        203 => Some(Call::Connect),
        202 | 242 => Some(Call::Accept),
        206 | 211 | 269 => Some(Call::Send),
        207 | 212 | 243 => Some(Call::Recv),
        _ => None,
    };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    let kind = {
        let _ = nr;
        None
    };
    kind
}

/// Nanoseconds the processes' threads have been running or waiting to run
/// (on a CPU, or in a run queue), from `/proc/PID/task/TID/schedstat`; `None`
/// where the kernel gives no schedstat, or collects none (every thread reads
/// `0 0 0`). A program that spins wants the CPU
/// the whole time, whatever else the machine runs, so this share of a
/// window tells spinning from waiting on a loaded machine too, where the
/// CPU time it actually got may be small.
pub fn busy_ns(pids: &[i32]) -> Option<u64> {
    let mut total = 0u64;
    let mut seen = false;
    for pid in pids {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(text) = fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
            if let (Some(Some(run)), Some(Some(wait))) = (fields.next(), fields.next()) {
                total += run + wait;
                seen = true;
            }
        }
    }
    (seen && total > 0).then_some(total)
}

/// How many of the processes' threads are running or runnable (state `R`
/// in `/proc/PID/task/TID/stat`) now: sampled across a window, the share
/// of a core the program wants, where schedstat is not there to say so.
/// Like schedstat, and unlike the CPU time received, it does not shrink
/// when other work crowds the machine.
pub fn runnable_threads(pids: &[i32]) -> usize {
    let mut n = 0;
    for pid in pids {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let stat = task.path().join("stat");
            n += usize::from(thread_state(&stat.to_string_lossy()) == Some('R'));
        }
    }
    n
}

/// A thread's state letter (`R`, `S`, `D`, `T`, `Z`...) from its `stat`
/// file: the field after the command name, which may hold spaces and
/// parentheses, so it is found from the last `)`.
fn thread_state(stat: &str) -> Option<char> {
    let text = fs::read_to_string(stat).ok()?;
    text[text.rfind(')')? + 1..].trim_start().chars().next()
}

/// How many sockets the processes hold open, and how many of their TCP
/// sockets are in CLOSE_WAIT (the peer closed, the program never did).
pub fn socket_counts(pids: &[i32]) -> (usize, usize) {
    let inodes: HashSet<u64> = proc::socket_inodes(pids);
    let Some(&pid) = pids.first() else {
        return (0, 0);
    };
    const CLOSE_WAIT: u8 = 0x08;
    let close_wait = proc::sockets(pid, Proto::Tcp)
        .iter()
        .filter(|e| e.state == CLOSE_WAIT && inodes.contains(&e.inode))
        .count();
    (inodes.len(), close_wait)
}

/// How many of the program's TCP sockets are connections still open both
/// ways (ESTABLISHED): a peer is connected and may be waiting on it.
pub fn established(pids: &[i32]) -> usize {
    let inodes: HashSet<u64> = proc::socket_inodes(pids);
    let Some(&pid) = pids.first() else {
        return 0;
    };
    const ESTABLISHED: u8 = 0x01;
    proc::sockets(pid, Proto::Tcp)
        .iter()
        .filter(|e| e.state == ESTABLISHED && inodes.contains(&e.inode))
        .count()
}

/// Why a server that passed a scenario is not idle: what would make the
/// next scenario meet the last one's leftovers if it were handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotIdle {
    /// No process of the program is left.
    Gone,
    /// More than one process runs the program (a child per client).
    Children(usize),
    /// A thread is running or runnable: it is still at work.
    Running,
    /// A thread is sleeping (`time.sleep()`): it will act by itself.
    Sleeping,
    /// One of its TCP sockets is a connection (in this state), not the
    /// listening socket: a client it has not finished with.
    Connection(u8),
    /// Bytes or connections are queued for it that it has not read or
    /// accepted.
    Queued,
    /// It no longer listens on (or is bound to) the port.
    NotOnPort,
}

/// Whether the server of group `pgid` is idle and as it was when it
/// started: one process; no thread running or asleep; its only sockets of
/// `proto` are the one on `port` (listening, for TCP) and others with
/// nothing queued; no connection left, half-closed or waiting to be
/// accepted. Such a program can serve another scenario as if it were just
/// started, which is what a warm hand-over needs.
pub fn idle_server(pgid: i32, port: u16, proto: Proto) -> Result<(), NotIdle> {
    let pids = program_pids(pgid);
    let &[pid] = pids.as_slice() else {
        return Err(if pids.is_empty() {
            NotIdle::Gone
        } else {
            NotIdle::Children(pids.len())
        });
    };
    if runnable_threads(&pids) > 0 {
        return Err(NotIdle::Running);
    }
    if asleep(pid) {
        return Err(NotIdle::Sleeping);
    }
    let inodes = proc::socket_inodes(&pids);
    let mut on_port = false;
    for (p, e) in proc::sockets_of(pid, &inodes) {
        let listening = p == Proto::Tcp && e.state == proc::TCP_LISTEN;
        if p == Proto::Tcp && !listening {
            return Err(NotIdle::Connection(e.state));
        }
        if e.rx_queue > 0 {
            return Err(NotIdle::Queued);
        }
        on_port |= p == proto && e.local.port() == port;
    }
    if on_port {
        Ok(())
    } else {
        Err(NotIdle::NotOnPort)
    }
}

/// Whether the client of group `pgid` waits for its next line and nothing
/// else: alive, every thread blocked for good ([`stalled`]), one of them in
/// `read()` on standard input, and nothing queued on any of its sockets
/// (the last reply was read whole). Such a client meets the next line it
/// is typed as it met the last one.
pub fn idle_client(pgid: i32) -> bool {
    let pids = program_pids(pgid);
    if pids.is_empty() || !stalled(&pids) {
        return false;
    }
    let reading_stdin = waiting(&pids)
        .iter()
        .any(|w| w.call == Call::Read && w.fd == Some(0));
    reading_stdin
        && pids.iter().all(|&pid| {
            proc::sockets_of(pid, &proc::socket_inodes(&[pid]))
                .iter()
                .all(|(_, e)| e.rx_queue == 0)
        })
}

/// Whether a thread of `pid` is in a sleep call (`time.sleep()`): only the
/// call numbers are read, not the sockets they wait on.
fn asleep(pid: i32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        fs::read_to_string(task.path().join("syscall"))
            .ok()
            .and_then(|t| parse_syscall(&t))
            .is_some_and(|(nr, _)| syscall_kind(nr) == Some(Call::Sleep))
    })
}

/// The name of a TCP state code, as `ss` and `netstat` print it.
pub fn tcp_state_name(state: u8) -> &'static str {
    match state {
        0x01 => "ESTABLISHED",
        0x02 => "SYN_SENT",
        0x03 => "SYN_RECV",
        0x04 => "FIN_WAIT1",
        0x05 => "FIN_WAIT2",
        0x06 => "TIME_WAIT",
        0x07 => "CLOSE",
        0x08 => "CLOSE_WAIT",
        0x09 => "LAST_ACK",
        0x0A => "LISTEN",
        0x0B => "CLOSING",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_lines() {
        assert_eq!(
            parse_syscall("45 0x3 0x7ffd 0x400 0x0 0x0 0x0 0x7ffc 0x7f00\n"),
            Some((45, 3))
        );
        assert_eq!(parse_syscall("running\n"), None);
        assert_eq!(parse_syscall("-1 0x7ffc 0x7f00\n"), None);
    }

    /// The calls a C program blocks in are those of Python's socket
    /// module, and a few more (glibc's accept() is accept, not accept4;
    /// its recv() is recvfrom; a read() of a socket is recv() to a
    /// student).
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_calls_a_c_program_blocks_in() {
        for (nr, call) in [
            (43, Call::Accept),
            (288, Call::Accept),
            (45, Call::Recv),
            (47, Call::Recv),
            (0, Call::Read),
            (44, Call::Send),
            (1, Call::Send),
            (42, Call::Connect),
            (7, Call::Poll),
            (23, Call::Poll),
            (232, Call::Poll),
            (35, Call::Sleep),
            (230, Call::Sleep),
        ] {
            assert_eq!(syscall_kind(nr), Some(call), "syscall {nr}");
        }
        assert_eq!(syscall_kind(61), None, "wait4 is not a socket call");
    }

    /// A real C program, blocked in accept() and then in recv() (read()
    /// on the socket), is seen there, on its socket.
    #[test]
    fn a_c_program_is_seen_blocked_in_accept_and_in_read() {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let src = "#include <arpa/inet.h>\n#include <stdlib.h>\n#include <sys/socket.h>\n#include <unistd.h>\n\
                   int main(int argc, char **argv) {\n\
                   int s = socket(AF_INET, SOCK_STREAM, 0);\n\
                   struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);\n\
                   a.sin_port = htons(atoi(argv[1]));\n\
                   if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) return 1;\n\
                   listen(s, 1);\n\
                   int c = accept(s, 0, 0);\n\
                   char buf[16];\n\
                   read(c, buf, sizeof buf);\n\
                   return 0; }\n";
        std::fs::write(dir.path().join("blocked.c"), src).unwrap();
        let built = std::process::Command::new("gcc")
            .args(["-o", "blocked", "blocked.c"])
            .current_dir(dir.path())
            .output();
        if !built.is_ok_and(|o| o.status.success()) {
            eprintln!("no gcc here: the C program is not run");
            return;
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut child = std::process::Command::new(dir.path().join("blocked"))
            .arg(port.to_string())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let seen = |want: Call| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while std::time::Instant::now() < deadline {
                if let Some(w) = waiting(&[pid]).into_iter().find(|w| w.call == want) {
                    return Some(w);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            None
        };
        let accept = seen(Call::Accept);
        let stream = std::net::TcpStream::connect(("127.0.0.1", port));
        let recv = seen(Call::Recv);
        let _ = child.kill();
        let _ = child.wait();
        let accept = accept.expect("blocked in accept()");
        assert_eq!(
            accept.socket.map(|(p, e)| (p, e.local.port())),
            Some((Proto::Tcp, port))
        );
        assert!(stream.is_ok());
        let recv = recv.expect("blocked in read() on its socket, which is recv()");
        assert!(recv.socket.is_some(), "{recv:?}");
    }

    #[test]
    fn this_thread_is_runnable_while_it_looks() {
        let me = std::process::id() as i32;
        // The thread reading its own state is running as it reads it.
        assert!(runnable_threads(&[me]) >= 1);
        let own = format!("/proc/{me}/task/{}/stat", nix::unistd::gettid());
        assert_eq!(thread_state(&own), Some('R'));
        assert_eq!(thread_state("/proc/no-such/stat"), None);
    }
}
