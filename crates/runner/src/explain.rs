//! Finding out why a step failed, once it has: the facts of
//! [`sockspec_results::diagnosis`], gathered from `/proc`, from how the
//! program ended and from what it printed, read as its language writes
//! errors (one reader per language, in the modules below). Nothing here
//! runs unless a scenario fails.

mod java;
mod perror;
mod signal;
mod traceback;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use sockspec_model::Role;
use sockspec_process::inspect::{self, Call, Waiting};
use sockspec_process::proc::Proto;
use tokio::time::Instant;

use crate::language::Recognised;
use crate::run::Run;
use sockspec_results::diagnosis::{BindProblem, BlockedCall, Diagnosis, SocketView};
use sockspec_results::{Errno, Language, Python2Sign, SourceLine};
use traceback::Traceback;

pub(crate) use signal::death;

/// A step shorter than this did not wait for anything: it failed on what
/// it read, and where the program is blocked now says nothing about it.
const WAITED: Duration = Duration::from_millis(300);
/// The share of a window, in percent of one core, a program wanted the CPU
/// (ran or waited to run) that makes it "spinning": a waiting program
/// wants none, a spinning one all of it, however loaded the machine.
const SPINNING: u32 = 40;
/// Blocked threads reported at most (a server with a thread per client
/// has many alike).
const MOST_BLOCKED: usize = 3;

/// How long the program's CPU use is sampled once a wait has failed: long
/// enough for a few clock ticks (10 ms each), short beside the wait itself.
const SAMPLE: Duration = Duration::from_millis(200);

/// How often the threads' states are looked at across the window, where
/// the kernel gives no schedstat.
const LOOK: Duration = Duration::from_millis(5);

/// What `/proc` tells about a failure of `run`'s program, right after it
/// failed, while it is still as it was (the last waiting step's start is in
/// `run.last_wait`); its traceback is read once its output has settled
/// (see [`Run::evidence`]).
pub(crate) async fn diagnose(run: &mut Run<'_>) -> Vec<Diagnosis> {
    let wait = run.last_wait;
    let mut found = Vec::new();
    let Some(target) = run.target.as_mut() else {
        return found;
    };
    let alive = target.try_exit().is_none();
    if run.role == Role::BroadcastReceiver
        && let Some(addr) = target.ready_addr()
        && !addr.ip().is_unspecified()
    {
        found.push(Diagnosis::Bound {
            addr,
            problem: BindProblem::NotAllAddresses,
        });
    }
    let waited = wait.filter(|w| w.elapsed() >= WAITED);
    if alive && run.stuck {
        // It stalled: blocked, so not spinning; no need to measure.
        let pids = inspect::program_pids(target.pid() as i32);
        found.extend(blocked(&pids));
    } else if alive && waited.is_some() {
        // Sampled now, not during every wait: a passing run pays nothing.
        let pids = inspect::program_pids(target.pid() as i32);
        // The time it wanted the CPU (ran or waited in a run queue), not
        // only the time it got: on a loaded machine a spinning program
        // gets a small share, but wants all of it.
        // Where the kernel keeps no schedstat, the threads' states are
        // sampled across the window instead: the share of looks that find
        // one runnable is, again, what it wants rather than what it got.
        let busy = inspect::busy_ns(&pids);
        let started = Instant::now();
        let sample = run.timing.pause(SAMPLE);
        let (mut looks, mut runnable) = (0usize, 0usize);
        if busy.is_some() {
            tokio::time::sleep(sample).await;
        } else {
            while started.elapsed() < sample {
                looks += 1;
                runnable += inspect::runnable_threads(&pids);
                tokio::time::sleep(LOOK).await;
            }
        }
        let window = started.elapsed();
        let percent = match (busy, inspect::busy_ns(&pids)) {
            (Some(before), Some(after)) => {
                let share = after.saturating_sub(before) as f64 / 1e9;
                (share / window.as_secs_f64() * 100.0) as u32
            }
            _ => (runnable * 100 / looks.max(1)) as u32,
        };
        if percent >= SPINNING {
            found.push(Diagnosis::Spinning {
                cpu_percent: percent.min(100 * pids.len() as u32),
                window,
                after_peer_closed: crate::timeline::harness_closed(),
            });
        } else {
            found.extend(blocked(&pids));
        }
    }
    // Growing counts alone could be a close not yet seen when the next
    // client came; sockets still in CLOSE_WAIT now are the leak itself.
    let growing = run.open_sockets.len() >= 2 && run.open_sockets.windows(2).all(|w| w[1] > w[0]);
    // A program that died has closed everything: nothing of it leaks.
    if alive && (growing || run.leak_seen) {
        let close_wait = run
            .target
            .as_ref()
            .map(|t| inspect::socket_counts(&inspect::program_pids(t.pid() as i32)).1)
            .unwrap_or(0);
        if close_wait > 0 {
            found.push(Diagnosis::LeakingSockets {
                counts: run.open_sockets.clone(),
                close_wait,
            });
        }
    }
    found
}

/// The threads of `pids` blocked in calls a socket program makes, the most
/// telling first (a conversation's recv before the listener's accept).
/// accept() is telling only while a connection it accepted is still open
/// (the peer connected, waiting on it): back in accept() with every
/// connection closed or left in CLOSE_WAIT is where a server should be, or
/// a leak, said by its own diagnosis.
fn blocked(pids: &[i32]) -> Vec<Diagnosis> {
    let connected = inspect::established(pids) > 0;
    blocked_in(
        inspect::waiting(pids),
        connected,
        crate::timeline::harness_closed(),
    )
}

fn blocked_in(waiting: Vec<Waiting>, connected: bool, peer_closed: bool) -> Vec<Diagnosis> {
    let mut found: Vec<(u8, Diagnosis)> = waiting
        .into_iter()
        .filter(|w| connected || w.call != Call::Accept)
        .filter_map(|w| {
            let (rank, call) = match (w.call, &w.socket, w.fd) {
                (Call::Recv, _, _) => (0, BlockedCall::Recv),
                (Call::Send, Some(_), _) => (0, BlockedCall::Send),
                (Call::Connect, _, _) => (0, BlockedCall::Connect),
                (Call::Accept, _, _) => (1, BlockedCall::Accept),
                (Call::Read, None, Some(0)) => (2, BlockedCall::ReadStdin),
                (Call::Poll, _, _) => (3, BlockedCall::Poll),
                (Call::Sleep, _, _) => (4, BlockedCall::Sleep),
                _ => return None,
            };
            let socket = w.socket.map(|(proto, e)| SocketView {
                proto: match proto {
                    Proto::Tcp => "tcp",
                    Proto::Udp => "udp",
                },
                local: e.local,
                peer: (e.remote.port() != 0).then_some(e.remote),
                rx_queue: u64::from(e.rx_queue),
                tx_queue: u64::from(e.tx_queue),
                state: match proto {
                    Proto::Tcp => inspect::tcp_state_name(e.state),
                    Proto::Udp => "bound",
                },
            });
            Some((
                rank,
                Diagnosis::Blocked {
                    call,
                    socket,
                    peer_closed,
                },
            ))
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    found.dedup_by(|a, b| a.1 == b.1);
    found
        .into_iter()
        .take(MOST_BLOCKED)
        .map(|(_, d)| d)
        .collect()
}

/// Whether the program does what the other end of its role does: for a
/// client role, that it listens, or failed to bind the port the harness
/// listens on (a server given `{port}`); for a server role, that it
/// connects, or was refused. `errors` are what its output says (a
/// traceback's exception, a perror line, a Java exception).
pub(crate) fn wrong_role(
    role: Role,
    pgid: Option<i32>,
    port: u16,
    errors: &[Diagnosis],
) -> Option<Diagnosis> {
    use sockspec_results::diagnosis::RoleSign;
    let errno = errors.iter().find_map(errno_of);
    let in_use = errno == Some(Errno::AddrInUse);
    let refused = errno == Some(Errno::ConnRefused);
    let seen = match role {
        Role::TcpClient | Role::HttpClient => pgid
            .and_then(listening_on)
            .map(RoleSign::Listens)
            .or_else(|| in_use.then_some(RoleSign::BindsHarnessPort(port))),
        Role::UdpClient => in_use.then_some(RoleSign::BindsHarnessPort(port)),
        Role::TcpServer | Role::HttpServer => pgid
            .and_then(|g| connecting_to(g).first().copied())
            .map(|to| RoleSign::Connects(Some(to)))
            .or_else(|| refused.then_some(RoleSign::Connects(None))),
        _ => None,
    }?;
    Some(Diagnosis::WrongRole {
        seen,
        plays: role.counterpart(),
    })
}

/// Where the program of group `pgid` listens for TCP connections, if it does.
fn listening_on(pgid: i32) -> Option<SocketAddr> {
    let pids = sockspec_process::proc::group_pids(pgid);
    let inodes = sockspec_process::proc::socket_inodes(&pids);
    sockspec_process::proc::tcp_listeners(*pids.first()?)
        .into_iter()
        .find(|e| inodes.contains(&e.inode))
        .map(|e| e.local)
}

/// Where the program of group `pgid` is trying to connect: the peers of
/// its TCP sockets in SYN_SENT (nothing has answered them yet).
pub(crate) fn connecting_to(pgid: i32) -> Vec<SocketAddr> {
    const SYN_SENT: u8 = 0x02;
    let pids = sockspec_process::proc::group_pids(pgid);
    let inodes = sockspec_process::proc::socket_inodes(&pids);
    pids.first()
        .map(|&pid| sockspec_process::proc::sockets(pid, Proto::Tcp))
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.state == SYN_SENT && inodes.contains(&e.inode))
        .map(|e| e.remote)
        .collect()
}

/// A page server that answered 404 to `/` (or `/index.html`), the page
/// every page server serves: it looked for its file relative to a working
/// directory that does not hold it.
pub(crate) fn page_not_found(
    run: &Run<'_>,
    conn: &sockspec_model::ConnName,
    received: Option<&sockspec_model::Bytes>,
) -> Option<Diagnosis> {
    let (method, path) = run.requests.get(conn)?;
    if run.role != Role::HttpServer
        || method != "GET"
        || !matches!(path.as_str(), "/" | "/index.html")
    {
        return None;
    }
    let status = match sockspec_http::check_response(&received?.0, Some(method), true) {
        sockspec_http::Checked::Complete(r, _) => r.status,
        _ => return None,
    };
    let cwd = match &run.program.cwd {
        Some(dir) => std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone()),
        None => std::env::current_dir().ok()?,
    };
    (status == 404).then(|| Diagnosis::PageNotFound {
        path: path.clone(),
        cwd,
    })
}

/// The diagnosis of a readiness timeout: where the program's sockets are
/// bound instead of the port it was given.
pub(crate) fn bound_elsewhere(pgid: i32, port: u16, proto: Proto) -> Vec<Diagnosis> {
    let pids = sockspec_process::proc::group_pids(pgid);
    let inodes = sockspec_process::proc::socket_inodes(&pids);
    let Some(&pid) = pids.first() else {
        return Vec::new();
    };
    let addrs: Vec<SocketAddr> = sockspec_process::proc::bound_addrs(pid, proto, &inodes);
    addrs
        .into_iter()
        .filter(|a| a.port() != port)
        .map(|addr| Diagnosis::Bound {
            addr,
            problem: BindProblem::WrongPort { expected: port },
        })
        .collect()
}

/// What the program's own output says about why it failed, read the way
/// its language reports errors: a Python traceback, a Java stack trace, a
/// C program's perror line (for a program of unknown language, whichever
/// is there). `cwd` is its working directory, which tells the student's
/// files from the library's; `path` its PATH, where a Python 2 program is
/// told of a python2 to run it with.
pub(crate) fn from_output(
    stderr: &str,
    program: &Recognised,
    cwd: Option<&Path>,
    path: Option<&OsString>,
) -> Vec<Diagnosis> {
    let python = || traceback::parse(stderr, cwd).map(|t| python(t, program, path));
    let java = || {
        java::parse(stderr).map(|t| {
            vec![Diagnosis::JavaException {
                thrown: t.thrown,
                wrapper: t.wrapper,
                at: t.at,
                call: t.call,
            }]
        })
    };
    let c = || {
        perror::parse(stderr).map(|r| {
            vec![Diagnosis::CallFailed {
                call: r.call,
                errno: r.errno,
                line: r.line,
            }]
        })
    };
    let found = match program.language {
        Language::Python | Language::Python2 => python(),
        Language::Java => java(),
        Language::C => c(),
        Language::Unknown => python().or_else(java).or_else(c),
    };
    found.unwrap_or_default()
}

/// The diagnoses of a Python traceback: its exception, unless the program
/// is Python 2 code that Python 3 could not run (or the other way round),
/// which is then what it says.
fn python(t: Traceback, program: &Recognised, path: Option<&OsString>) -> Vec<Diagnosis> {
    let here = t.frame.as_ref().map(|f| SourceLine {
        file: f.file.clone(),
        line: f.line,
        code: t.code.clone().unwrap_or_default(),
    });
    let python2 = |sign, at| Diagnosis::Python2 {
        sign,
        at,
        python2: crate::language::python2_interpreter(path),
    };
    let short = t.class.rsplit('.').next().unwrap_or(&t.class);
    let undefined = (short == "NameError")
        .then(|| t.detail.strip_prefix("name '")?.split('\'').next())
        .flatten();
    if program.by_python2 {
        // Python 2's input() evaluates the typed line: `hello` is a name
        // it does not know, `hello world` a syntax error, raised in code
        // made at run time (`<string>`) below the student's input() line.
        let evaluated = matches!(short, "NameError" | "SyntaxError")
            && t.files.last().is_some_and(|f| f.starts_with('<'))
            && t.code
                .as_deref()
                .is_some_and(|c| c.contains("input(") && !c.contains("raw_input("));
        if evaluated {
            return vec![Diagnosis::Python2 {
                sign: Python2Sign::InputEvaluates,
                at: here,
                python2: None,
            }];
        }
    } else if short == "SyntaxError"
        && t.detail
            .starts_with("Missing parentheses in call to 'print'")
    {
        return vec![python2(Python2Sign::PrintStatement, here)];
    } else if let Some(name) = undefined.filter(|n| crate::language::PYTHON2_NAMES.contains(n)) {
        return vec![python2(Python2Sign::Builtin(name.to_owned()), here)];
    } else if let Some((sign, at)) = &program.python2_sign {
        // A syntax only Python 2 has stops python3 before anything runs:
        // the SyntaxError is that, wherever python3 points.
        let syntax = !matches!(sign, Python2Sign::Builtin(_));
        let same_line = here.as_ref().is_some_and(|h| h.line == at.line);
        if short == "SyntaxError" && (syntax || same_line) {
            return vec![python2(sign.clone(), Some(at.clone()))];
        }
        return vec![python2(sign.clone(), Some(at.clone())), exception(t)];
    }
    vec![exception(t)]
}

fn exception(t: Traceback) -> Diagnosis {
    Diagnosis::Exception {
        errno: traceback::errno(&t.detail),
        class: t.class,
        detail: t.detail,
        at: t.frame.map(|f| f.at()),
        code: t.code,
        caret: t.caret,
        socketserver: t.socketserver,
    }
}

/// The limits of its sandbox the program ran into, as the kernel counted
/// them in its cgroup (a refused fork, an OOM kill): the cause of what the
/// rest of the evidence shows (a BlockingIOError, a SIGKILL).
pub(crate) fn limits_hit(target: Option<&sockspec_process::Target>) -> Vec<Diagnosis> {
    target
        .map(sockspec_process::Target::limit_hits)
        .unwrap_or_default()
        .into_iter()
        .map(Diagnosis::LimitHit)
        .collect()
}

/// The errno a diagnosis of the program's output stands for, whatever
/// language reported it.
pub(crate) fn errno_of(d: &Diagnosis) -> Option<Errno> {
    match d {
        Diagnosis::Exception { errno, class, .. } => errno.or_else(|| {
            class
                .ends_with("ConnectionRefusedError")
                .then_some(Errno::ConnRefused)
        }),
        Diagnosis::CallFailed { errno, .. } => Some(*errno),
        Diagnosis::JavaException { thrown, .. } => match thrown.short_name() {
            "BindException" => Some(Errno::AddrInUse),
            "ConnectException" if thrown.message.contains("refused") => Some(Errno::ConnRefused),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests;
