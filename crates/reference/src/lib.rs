//! Reference peers: programs that do what the homework asks, exactly, so the
//! suite can be proven against something that is right by construction.
//!
//! They are run by `sockspec ref ROLE`, and `sockspec run` without `--target`
//! starts them as the program under test through the same supervision path a
//! student's program takes.

pub mod tcp_server;

use sockspec_model::{Contract, ReplyRule};

/// A contract the reference cannot honour.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A regex rule says what a reply may look like, not what to send.
    #[error(
        "the reference cannot make up a reply for `{0}`; give --reply fixed:TEXT or echo, or grade a --target"
    )]
    NoReplyFor(String),
    /// The socket could not be set up.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The bytes the reference answers `message` with under `contract`.
pub(crate) fn reply(contract: &Contract, message: &[u8]) -> Vec<u8> {
    sockspec_wire::reply_for(&contract.reply, message).unwrap_or_else(|| b"Thanks".to_vec())
}

/// Refuses contracts the reference cannot honour, before it binds anything.
pub fn check_contract(contract: &Contract) -> Result<(), ReferenceError> {
    match &contract.reply {
        ReplyRule::Regex(_) => Err(ReferenceError::NoReplyFor(contract.reply.to_string())),
        _ => Ok(()),
    }
}
