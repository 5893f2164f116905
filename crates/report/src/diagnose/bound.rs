//! A socket bound where the scenario cannot reach it: a port other than
//! the one given on the command line, or a broadcast receiver bound to one
//! address. It is about the arguments of bind(), fixed before the program
//! exchanges anything, not about how it behaves once running.

use sockspec_model::Role;
use sockspec_results::{BindProblem, Language};

use super::{Words, args, is_udp, who, words};
use crate::Lang;

pub(super) fn bound(
    addr: std::net::SocketAddr,
    problem: BindProblem,
    role: Role,
    language: Language,
    lang: Lang,
) -> String {
    let who = who(role, lang);
    let args = args(language);
    let all = match words(language) {
        Words::Python => "'' or '0.0.0.0'",
        Words::C => "INADDR_ANY",
        Words::Java => "new DatagramSocket(port), with no address",
    };
    match (problem, lang) {
        (BindProblem::WrongPort { expected }, Lang::En) => {
            let is = if is_udp(role) {
                "is bound to"
            } else {
                "is listening on"
            };
            format!(
                "{who} {is} {addr}, expected port {expected}: read the port from the command \
                 line ({args}) instead of hard-coding it"
            )
        }
        (BindProblem::WrongPort { expected }, Lang::Zh) => {
            let is = if is_udp(role) {
                format!("绑定在 {addr} 上")
            } else {
                format!("在 {addr} 上监听")
            };
            format!("{who}{is}，但给它的端口是 {expected}：端口要从命令行（{args}）读取，不要写死")
        }
        (BindProblem::NotAllAddresses, Lang::En) => format!(
            "{who} is bound to {}: a broadcast receiver must bind all addresses ({all}) to \
             get what is sent to the broadcast address",
            addr.ip()
        ),
        (BindProblem::NotAllAddresses, Lang::Zh) => format!(
            "{who}绑定在 {} 上，收不到发往广播地址的数据报：广播接收端要绑定所有地址\
             （{}）",
            addr.ip(),
            match words(language) {
                Words::Python => "'' 或 '0.0.0.0'",
                Words::C => "INADDR_ANY",
                Words::Java => "new DatagramSocket(port)，不指定地址",
            }
        ),
    }
}
