//! Sentences about Java programs: the /proc diagnoses in Java's words.

use sockspec_model::Role;
use sockspec_results::{BlockedCall, Diagnosis, Language};

use super::has;
use crate::Lang;

#[test]
fn proc_diagnoses_in_javas_words() {
    let j = |d: &Diagnosis, role| super::super::sentence(d, role, Language::Java, Lang::En);
    let recv = Diagnosis::Blocked {
        call: BlockedCall::Recv,
        socket: None,
    };
    assert!(j(&recv, Role::TcpServer).starts_with("the server is blocked in read()"));
    assert!(j(&recv, Role::UdpServer).starts_with("the server is blocked in receive()"));
    let sleep = Diagnosis::Blocked {
        call: BlockedCall::Sleep,
        socket: None,
    };
    has(&j(&sleep, Role::TcpServer), &["(Thread.sleep())"]);
    let poll = Diagnosis::Blocked {
        call: BlockedCall::Poll,
        socket: None,
    };
    has(&j(&poll, Role::TcpServer), &["setSoTimeout()"]);
}
