//! Ports that do not speak the protocol: silent, or answering garbage.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::AbortOnDrop;

/// Reads and drops everything; never answers (an unpowered device, a wrong port).
pub fn spawn_silent<S: AsyncRead + AsyncWrite + Send + 'static>(io: S) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(async move {
        let mut io = Box::pin(io);
        let mut buf = [0u8; 256];
        while let Ok(n) = io.read(&mut buf).await {
            if n == 0 {
                return;
            }
        }
    }))
}

/// What a garbage port sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Garbage {
    /// Bytes of any value (a wrong baud rate looks like this).
    Binary,
    /// Printable lines that are not the protocol (another device on the port).
    Text,
}

/// Answers every line it gets with garbage.
pub fn spawn_garbage<S: AsyncRead + AsyncWrite + Send + 'static>(
    io: S,
    kind: Garbage,
) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(async move {
        let mut io = Box::pin(io);
        let mut buf = [0u8; 256];
        let mut x: u32 = 0x1234_5678;
        let mut next = move || {
            // xorshift32: deterministic noise.
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        loop {
            let n = match io.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if !buf[..n].iter().any(|&b| b == b'\r' || b == b'\n') {
                continue;
            }
            let out: Vec<u8> = match kind {
                Garbage::Binary => (0..24).map(|_| (next() & 0xff) as u8).collect(),
                Garbage::Text => {
                    let word: String = (0..12)
                        .map(|_| char::from(b'!' + (next() % 90) as u8))
                        .collect();
                    format!("\r\n{word} READY>\r\n").into_bytes()
                }
            };
            if io.write_all(&out).await.is_err() {
                return;
            }
        }
    }))
}
