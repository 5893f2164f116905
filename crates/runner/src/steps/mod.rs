//! The steps, one file per family (tcp, udp, http, process, broadcast), like
//! a command per file: adding a step is its variant in the model, its arm
//! here, its executor in its family's file, and its sentences in the
//! reporters, and nothing else.

mod broadcast;
mod http;
mod process;
mod tcp;
mod udp;

pub(crate) use http::{Writing, read_response, request_bytes, response_bytes, send_pieces};
pub(crate) use tcp::{split, wait_consumed};
pub(crate) use udp::until_read;

use sockspec_model::Step;

use crate::conn::StepFailure;
use crate::run::Run;

impl Run<'_> {
    /// Carries out one step.
    pub(crate) async fn carry_out(&mut self, step: &Step) -> Result<(), StepFailure> {
        match step {
            Step::Connect(name) => self.connect(name).await,
            Step::Udp(name) => self.open_udp(name).await,
            Step::Accept(name) => self.accept(name).await,
            Step::Send(send) => self.send(send).await,
            Step::ExpectReply(e) => self.expect_reply(e).await,
            Step::ExpectMessage(e) => self.expect_message(e).await,
            Step::Reply(r) => self.reply(r).await,
            Step::ExpectEof(name) => self.expect_eof(name).await,
            Step::ExpectReset(name) => self.expect_reset(name).await,
            Step::Shutdown(name) => self.shutdown(name).await,
            Step::Close(name) => self.close_conn(name).await,
            Step::Abort(name) => self.abort_conn(name).await,
            Step::ExpectClosed(name) => self.expect_closed(name).await,
            Step::ExpectAlive => self.expect_alive().await,
            Step::ExpectExit(e) => self.expect_exit(e).await,
            Step::Kill => self.kill_target().await,
            Step::Start => self.start_again(false).await,
            Step::Restart => self.start_again(true).await,
            Step::Stdin(line) => self.type_line(line).await,
            Step::Quit => self.type_quit().await,
            Step::CloseStdin => self.close_stdin().await,
            Step::ExpectPrinted(p) => self.expect_printed(p).await,
            Step::ExpectNoTraceback => self.expect_no_traceback().await,
            Step::ExpectBroadcast(b) => self.expect_broadcast(b).await,
            Step::Broadcast(b) => self.broadcast(b).await,
            Step::Request(r) => self.request(r).await,
            Step::ExpectResponse(e) => self.expect_response(e).await,
            Step::ExpectRequest(e) => self.expect_request(e).await,
            Step::Respond(r) => self.respond(r).await,
            Step::BindBeside => self.bind_beside().await,
        }
    }
}
