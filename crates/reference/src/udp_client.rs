//! The reference UDP client: each line is one datagram, each reply is
//! printed, and a reply that never comes costs one timeout, not the program.

use std::io::{BufRead, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use crate::{Ending, ReferenceError, lines};

/// Sends each input line to `addr` and prints the replies until the quit
/// line or the end of input.
pub fn run(
    addr: SocketAddr,
    quit: &str,
    wait: Duration,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<Ending, ReferenceError> {
    let any: SocketAddr = if addr.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(any)?;
    socket.set_read_timeout(Some(wait))?;
    let mut buf = vec![0u8; 65536];
    for line in lines(input) {
        let line = line?;
        if line == quit.as_bytes() {
            writeln!(output, "{}", Ending::Quit)?;
            return Ok(Ending::Quit);
        }
        socket.send_to(&line, addr)?;
        loop {
            match socket.recv_from(&mut buf) {
                // Anyone can send to this port; only the server's datagrams are replies.
                Ok((n, from)) if from == addr => {
                    writeln!(output, "{}", String::from_utf8_lossy(&buf[..n]))?;
                    break;
                }
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    writeln!(output, "no reply within {:.1} s", wait.as_secs_f64())?;
                    break;
                }
                // ICMP port unreachable from an earlier datagram: the server
                // is not there (yet); the datagram is lost, carry on.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    writeln!(output, "no server at {addr}")?;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    writeln!(output, "{}", Ending::EndOfInput)?;
    Ok(Ending::EndOfInput)
}
