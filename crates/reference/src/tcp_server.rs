//! The reference TCP server: accepts clients, answers every whole message by
//! the contract, and survives every way a client can leave.

use std::net::SocketAddr;

use sockspec_model::Contract;
use sockspec_wire::{FrameReader, encode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{ReferenceError, check_contract, reply};

/// Binds `addr` with SO_REUSEADDR (so a restart right after a kill works,
/// whatever TIME_WAIT the last run left) and returns the listener.
pub fn bind(addr: SocketAddr) -> Result<TcpListener, ReferenceError> {
    let domain = socket2::Domain::for_address(addr);
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(TcpListener::from_std(socket.into())?)
}

/// Serves clients forever, each on its own task.
pub async fn serve(listener: TcpListener, contract: Contract) -> Result<(), ReferenceError> {
    check_contract(&contract)?;
    loop {
        let (stream, _) = listener.accept().await?;
        let contract = contract.clone();
        tokio::spawn(async move {
            // A client that resets or vanishes ends only its own connection:
            // the error is the client's business, not the server's.
            let _ = handle(stream, &contract).await;
        });
    }
}

/// Answers one client until it closes its write half, then closes.
async fn handle(mut stream: TcpStream, contract: &Contract) -> std::io::Result<()> {
    let mut reader = FrameReader::new(contract.framing);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return stream.shutdown().await;
        }
        reader.push(&buf[..n]);
        loop {
            let message = match reader.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            };
            let out = encode(contract.framing, &reply(contract, &message));
            stream.write_all(&out).await?;
        }
    }
}
