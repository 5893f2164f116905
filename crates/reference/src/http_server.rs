//! The reference HTTP server: reads each request whole (however many
//! pieces it comes in), answers with a well-formed response with a
//! Content-Length, and closes.

use std::net::SocketAddr;

use sockspec_http::{Checked, check_request};
use sockspec_model::Contract;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::ReferenceError;

/// The page served at `/` and `/index.html`.
pub const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>sockspec</title></head><body><h1>Hello from the sockspec reference server</h1></body></html>\n";

/// Binds like the TCP reference (SO_REUSEADDR).
pub fn bind(addr: SocketAddr) -> Result<TcpListener, ReferenceError> {
    crate::tcp_server::bind(addr)
}

/// Serves clients forever, each on its own task.
pub async fn serve(listener: TcpListener, contract: Contract) -> Result<(), ReferenceError> {
    loop {
        let (stream, _) = listener.accept().await?;
        let contract = contract.clone();
        tokio::spawn(async move {
            // A client that leaves early is the client's business.
            let _ = handle(stream, &contract).await;
        });
    }
}

/// The status, reason and body for a request.
pub fn answer(contract: &Contract, method: &str, target: &str) -> (u16, &'static str, Vec<u8>) {
    let path = target.split('?').next().unwrap_or(target);
    let known = path == "/" || path == "/index.html";
    let status = contract
        .page(path)
        .map(|p| p.status)
        .unwrap_or(if known { 200 } else { 404 });
    let (reason, body) = match status {
        200 if method == "POST" => ("OK", b"<html><body>received</body></html>\n".to_vec()),
        200 => ("OK", PAGE.as_bytes().to_vec()),
        404 => (
            "Not Found",
            format!("<html><body><h1>404</h1><p>{path} is not here</p></body></html>\n")
                .into_bytes(),
        ),
        _ => ("Status", Vec::new()),
    };
    (status, reason, body)
}

async fn handle(mut stream: TcpStream, contract: &Contract) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let request = loop {
        match check_request(&buf) {
            Checked::Incomplete => {}
            Checked::Complete(r, problems) if !problems.iter().any(|p| p.is_error()) => {
                break Ok(r);
            }
            Checked::Complete(_, problems) | Checked::Invalid(problems) => break Err(problems),
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            // Connected and left without a request (a browser's pre-connect).
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let (status, reason, body, head_only) = match &request {
        Ok(r) => {
            let (status, reason, body) = answer(contract, &r.method, &r.target);
            (status, reason, body, r.method == "HEAD")
        }
        Err(problems) => {
            let text: String = problems.iter().map(|p| format!("{p}\n")).collect();
            (400, "Bad Request", text.into_bytes(), false)
        }
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(&body);
    }
    stream.write_all(&out).await?;
    stream.shutdown().await
}
