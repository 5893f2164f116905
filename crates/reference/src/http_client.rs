//! The reference HTTP client: one well-formed request, the response read
//! until the response itself says it is whole, and its body printed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use sockspec_http::{Checked, check_response};

use crate::ReferenceError;

/// Fetches `path` from `addr` and writes the body to `output`.
pub fn run(
    addr: SocketAddr,
    method: &str,
    path: &str,
    mut output: impl Write,
) -> Result<(), ReferenceError> {
    let mut stream = TcpStream::connect(addr).map_err(|e| ReferenceError::Connect(addr, e))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: sockspec\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut closed = false;
    loop {
        match check_response(&buf, Some(method), closed) {
            Checked::Incomplete if closed => {
                return Err(ReferenceError::BadResponse(
                    "the connection closed before the response was complete".into(),
                ));
            }
            Checked::Incomplete => {}
            Checked::Complete(r, problems) if !problems.iter().any(|p| p.is_error()) => {
                output.write_all(&r.body)?;
                if !r.body.ends_with(b"\n") {
                    output.write_all(b"\n")?;
                }
                return Ok(());
            }
            Checked::Complete(_, problems) | Checked::Invalid(problems) => {
                let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                return Err(ReferenceError::BadResponse(text.join("; ")));
            }
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            closed = true;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
