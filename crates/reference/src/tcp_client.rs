//! The reference TCP client: one line in, one message out, one reply printed.
//!
//! It is written with blocking sockets on purpose: a homework client is a
//! strict alternation of send and recv, and the reference should show that
//! shape, not hide it in a select loop. Every way the conversation can end
//! (quit line, end of input, the server closing or resetting) ends the
//! program with code 0 and one line saying why: a client is not broken
//! because its server went away.

use std::io::{BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use sockspec_model::{Contract, Framing};
use sockspec_wire::{FrameReader, encode};

use crate::{Ending, ReferenceError, lines};

/// Connects to `addr` and converses until one side ends it.
pub fn run(
    addr: SocketAddr,
    contract: &Contract,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<Ending, ReferenceError> {
    let mut stream = TcpStream::connect(addr).map_err(|e| ReferenceError::Connect(addr, e))?;
    let mut reader = FrameReader::new(contract.framing);
    let ending = (|| {
        for line in lines(input) {
            let line = line?;
            if line == contract.quit.as_bytes() {
                return Ok(Ending::Quit);
            }
            stream.write_all(&encode(contract.framing, &line))?;
            match read_reply(&mut stream, &mut reader, contract.framing)? {
                Some(reply) => writeln!(output, "{}", String::from_utf8_lossy(&reply))?,
                None => return Ok(Ending::PeerClosed),
            }
        }
        Ok(Ending::EndOfInput)
    })();
    let ending = match ending {
        Ok(e) => e,
        Err(e) if crate::peer_gone(&e) => Ending::PeerReset(e.to_string()),
        Err(e) => return Err(e.into()),
    };
    // The server may have gone already; there is nothing left to tell it.
    let _ = stream.shutdown(Shutdown::Both);
    writeln!(output, "{ending}")?;
    Ok(ending)
}

/// One whole reply, or `None` when the server closed first. Without framing
/// one recv is one reply: that is all a byte stream without boundaries
/// allows.
fn read_reply(
    stream: &mut TcpStream,
    reader: &mut FrameReader,
    framing: Framing,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if framing != Framing::None
            && let Some(m) = reader
                .next_message()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?
        {
            return Ok(Some(m));
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if framing == Framing::None {
            return Ok(Some(buf[..n].to_vec()));
        }
        reader.push(&buf[..n]);
    }
}
