//! Broadcast steps: datagrams to the loopback broadcast address, and the
//! harness's receivers that every broadcast must reach.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::time::Instant;

use crate::conn::StepFailure;
use crate::exec::BROADCAST;
use crate::harness::{Harness, broadcast_receiver};
use crate::start::ended;

use crate::run::Run;
use crate::timeline;
use sockspec_model::{BroadcastStep, ExpectBroadcastStep};
use sockspec_results::{Doing, Expectation, Mismatch, ScenarioBug};

impl Run<'_> {
    pub(crate) async fn expect_broadcast(
        &mut self,
        b: &ExpectBroadcastStep,
    ) -> Result<(), StepFailure> {
        let timing = self.timing;
        let limit = b
            .within_ms
            .map(|ms| timing.pause(Duration::from_millis(ms)))
            .unwrap_or_else(|| timing.reply());
        let deadline = Instant::now() + limit;
        let Harness::Receivers(receivers) = &self.harness else {
            return Err(StepFailure::bug(ScenarioBug::NoReceivers));
        };
        let mut counts = Vec::new();
        for r in receivers {
            counts.push(r.expect_any(b.count, deadline).await);
        }
        let (port, n) = (self.addr.port(), receivers.len());
        if counts.iter().all(|&got| got >= b.count) {
            Ok(())
        } else {
            let mismatch = if counts.iter().all(|&got| got == 0) {
                Mismatch::NoBroadcast {
                    receivers: n,
                    port,
                    within: limit,
                    sender: self.target.as_mut().and_then(|t| t.try_exit()).map(ended),
                }
            } else {
                Mismatch::SomeBroadcast {
                    receivers: n,
                    port,
                    counts,
                    within: limit,
                }
            };
            Err(StepFailure {
                expected: Some(Expectation::Broadcast {
                    count: b.count,
                    // A program that hard-codes its broadcast
                    // address ('<broadcast>', a subnet's) uses it.
                    to: match self.program.server {
                        Some(s) => s.ip().to_string(),
                        None => BROADCAST.to_owned(),
                    },
                    port: self.addr.port(),
                }),
                ..StepFailure::new(mismatch)
            })
        }
    }

    pub(crate) async fn broadcast(&mut self, b: &BroadcastStep) -> Result<(), StepFailure> {
        let to = SocketAddr::new(
            IpAddr::V4(BROADCAST.parse().unwrap_or(Ipv4Addr::LOCALHOST)),
            self.addr.port(),
        );
        let send = || -> std::io::Result<()> {
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
            socket.set_broadcast(true)?;
            socket.send_to(b.text.as_bytes(), &to.into())?;
            timeline::record(
                timeline::harness("broadcaster"),
                timeline::sent(b.text.as_bytes()),
            );
            Ok(())
        };
        send().map_err(|e| StepFailure::io(Doing::Broadcast(to), e))
    }

    pub(crate) async fn bind_beside(&mut self) -> Result<(), StepFailure> {
        let receiver = broadcast_receiver(self.addr.port())?;
        match &mut self.harness {
            Harness::Receivers(rs) => rs.push(receiver),
            other => *other = Harness::Receivers(vec![receiver]),
        }
        Ok(())
    }
}
