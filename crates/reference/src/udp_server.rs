//! The reference UDP server: every datagram, empty or huge, gets one reply,
//! sent to the address it came from.

use std::net::SocketAddr;

use sockspec_model::Contract;
use tokio::net::UdpSocket;

use crate::{ReferenceError, check_contract, reply};

/// Binds `addr` for datagrams.
pub async fn bind(addr: SocketAddr) -> Result<UdpSocket, ReferenceError> {
    Ok(UdpSocket::bind(addr).await?)
}

/// Answers datagrams forever. The buffer holds the largest UDP payload, so
/// no datagram is ever truncated; an empty one is answered like any other.
pub async fn serve(socket: UdpSocket, contract: Contract) -> Result<(), ReferenceError> {
    check_contract(&contract)?;
    let mut buf = vec![0u8; 65536];
    loop {
        let (n, from) = socket.recv_from(&mut buf).await?;
        // A reply that cannot be sent (the client's port is gone) is lost,
        // as UDP allows; the server goes on serving the others.
        let _ = socket.send_to(&reply(&contract, &buf[..n]), from).await;
    }
}
