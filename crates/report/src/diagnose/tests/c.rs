//! Sentences about programs in C: the /proc diagnoses in C's words.

use sockspec_model::Role;
use sockspec_results::{BindProblem, BlockedCall, Diagnosis, Language, RoleSign};

use super::{addr, has, view};
use crate::Lang;

#[test]
fn proc_diagnoses_in_cs_words() {
    let c = |d: &Diagnosis, role| super::super::sentence(d, role, Language::C, Lang::En);
    let recv = Diagnosis::Blocked {
        call: BlockedCall::Recv,
        socket: Some(view(0, 0)),
    };
    assert!(c(&recv, Role::TcpServer).starts_with("the server is blocked in recv() on "));
    let spin = Diagnosis::Spinning {
        cpu_percent: 100,
        window: std::time::Duration::from_millis(200),
        after_peer_closed: true,
    };
    assert_eq!(
        c(&spin, Role::TcpServer),
        "the server is spinning at 100% CPU after the peer closed: recv() returns 0 forever; \
         break out of the loop when it does"
    );
    has(
        &super::super::sentence(&spin, Role::TcpServer, Language::C, Lang::Zh),
        &["recv() 一直返回 0，返回 0 时应当跳出循环"],
    );
    let stdin = Diagnosis::Blocked {
        call: BlockedCall::ReadStdin,
        socket: None,
    };
    has(&c(&stdin, Role::TcpClient), &["(fgets())"]);
    let sleep = Diagnosis::Blocked {
        call: BlockedCall::Sleep,
        socket: None,
    };
    has(&c(&sleep, Role::TcpServer), &["(sleep())"]);
    let poll = Diagnosis::Blocked {
        call: BlockedCall::Poll,
        socket: None,
    };
    assert!(!c(&poll, Role::TcpServer).contains("settimeout"));
    let port = Diagnosis::Bound {
        addr: addr("127.0.0.1:9001"),
        problem: BindProblem::WrongPort { expected: 9000 },
    };
    has(&c(&port, Role::TcpServer), &["command line (argv)"]);
    let all = Diagnosis::Bound {
        addr: addr("127.0.0.1:9000"),
        problem: BindProblem::NotAllAddresses,
    };
    has(&c(&all, Role::BroadcastReceiver), &["(INADDR_ANY)"]);
    let refused = Diagnosis::WrongRole {
        seen: RoleSign::Connects(None),
        plays: Role::TcpClient,
    };
    has(&c(&refused, Role::TcpServer), &["(ECONNREFUSED)"]);
    let leak = Diagnosis::LeakingSockets {
        counts: vec![3, 4],
        close_wait: 1,
    };
    has(
        &super::super::sentence(&leak, Role::TcpServer, Language::C, Lang::Zh),
        &["recv() 返回 0"],
    );
}
