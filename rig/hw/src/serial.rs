//! Serial ports as async byte streams for tokio, and the CR/LF line framing the ASCII
//! serial protocols share (AT modems, the Feasa LED analyser).
//!
//! [`SerialStream`] opens a port with the `serialport` crate (raw mode, 8N1, no flow
//! control), sets its file descriptor non-blocking and registers it with tokio's reactor
//! through [`AsyncFd`]: reads and writes are plain `read(2)`/`write(2)` on readiness, so no
//! thread and no `spawn_blocking` is involved (both would break virtual time). It works the
//! same over a USB modem, an RS-232 adapter or one end of a pseudo-terminal pair
//! ([`pty_pair`]), which is how the tests put device emulators on the far side.
//!
//! Drivers do not depend on this type: they are generic over
//! `AsyncRead + AsyncWrite + Unpin + Send` and run as well over `tokio::io::duplex`.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits, TTYPort};
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Why a port could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The path names no serial port: it does not exist or is not a character device.
    #[error("{path}: {reason}")]
    NotAPort { path: String, reason: String },
    /// The port exists but could not be opened or set up (busy, permissions, driver).
    #[error("{path}: cannot open the serial port: {reason}")]
    Failed { path: String, reason: String },
}

/// A serial port (or a pty end) as a tokio byte stream.
pub struct SerialStream {
    fd: AsyncFd<TTYPort>,
    name: String,
}

impl std::fmt::Debug for SerialStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialStream")
            .field("name", &self.name)
            .finish()
    }
}

/// Whether `path` opens as a terminal (`None`: it does not open). Only asked after a
/// port failed to open, so a working port is never opened twice.
fn is_terminal(path: &str) -> Option<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    Some(std::io::IsTerminal::is_terminal(&f))
}

impl SerialStream {
    /// Open `path` at `baud`, 8 data bits, no parity, 1 stop bit, no flow control, raw.
    /// Must be called inside a tokio runtime with I/O enabled.
    pub fn open(path: &str, baud: u32) -> Result<SerialStream, OpenError> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(OpenError::NotAPort {
                    path: path.into(),
                    reason: "no such serial port (the path does not exist)".into(),
                })
            }
            Ok(m) if !is_char_device(&m) => {
                return Err(OpenError::NotAPort {
                    path: path.into(),
                    reason: "not a serial port (not a character device)".into(),
                })
            }
            _ => {}
        }
        let failed = |reason: String| OpenError::Failed {
            path: path.into(),
            reason,
        };
        // Exclusive (TIOCEXCL and flock): a second rig, or a terminal program left open
        // on the port, is refused instead of stealing half the modem's answers.
        let port = serialport::new(path, baud)
            .exclusive(true)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .open_native()
            .map_err(|e| {
                // A character device that is no terminal (`/dev/null`, a disk) is a wrong
                // path, not a broken port.
                if is_terminal(path) == Some(false) {
                    OpenError::NotAPort {
                        path: path.into(),
                        reason: "not a serial port (a character device, but not a terminal)".into(),
                    }
                } else {
                    failed(e.to_string())
                }
            })?;
        Self::from_port(port, path).map_err(|e| failed(e.to_string()))
    }

    /// Wrap an already opened port (for instance one end of [`pty_pair`]).
    pub fn from_port(port: TTYPort, name: impl Into<String>) -> io::Result<SerialStream> {
        set_nonblocking(port.as_raw_fd())?;
        // SAFETY: the `TTYPort` owns its descriptor and keeps it open until it is dropped,
        // which happens only with the `AsyncFd` (deregistering first); nothing else closes
        // or replaces it meanwhile.
        let fd = unsafe { AsyncFd::register(port)? };
        Ok(SerialStream {
            fd,
            name: name.into(),
        })
    }

    /// The port's name (its path, or what the caller named it).
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(unix)]
fn is_char_device(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_char_device()
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor we own (the port is alive for the whole call).
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; only the O_NONBLOCK status flag changes.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn sys_read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for `buf.len()` writable bytes for the whole call.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn sys_write(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for `buf.len()` readable bytes for the whole call.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

impl AsyncRead for SerialStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|fd| sys_read(fd.get_ref().as_raw_fd(), unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for SerialStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            match guard.try_io(|fd| sys_write(fd.get_ref().as_raw_fd(), buf)) {
                Ok(r) => return Poll::Ready(r),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the kernel's tty buffer: nothing is held here.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// `TTYPort::pair()` is not safe to call from two threads at once: every caller in this
/// process goes through this lock.
static PTY_LOCK: Mutex<()> = Mutex::new(());

/// A pseudo-terminal pair (`TTYPort::pair`, raw mode): `(master, slave)`. The slave has a
/// path (`slave.name()`) another program can open as a serial port; the master is the far
/// end, where a device emulator sits. Calls are serialised process-wide.
pub fn pty_pair() -> io::Result<(TTYPort, TTYPort)> {
    let _guard = PTY_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    TTYPort::pair().map_err(io::Error::other)
}

/// Both ends of [`pty_pair`] as streams: `(device end, rig end, rig end's path)`.
pub fn pty_streams() -> io::Result<(SerialStream, SerialStream, String)> {
    let (master, slave) = pty_pair()?;
    let path = slave.name().unwrap_or_else(|| "pty".into());
    let device = SerialStream::from_port(master, format!("{path} (far end)"))?;
    let rig = SerialStream::from_port(slave, path.clone())?;
    Ok((device, rig, path))
}

/// How long a drain may last at most: a device that never stops talking is garbage, not
/// a reply to wait out.
pub const MAX_DRAIN: std::time::Duration = std::time::Duration::from_millis(300);

/// Why a drain stopped before the line went quiet.
#[derive(Debug)]
pub enum DrainFault {
    /// The stream ended: the port closed.
    Closed,
    /// Reading failed.
    Read(io::Error),
}

/// Read and discard from `io` until it has been quiet for `quiet`, at most [`MAX_DRAIN`];
/// returns up to `keep` of the bytes thrown away, for messages. The Feasa and AT drivers
/// both get back in step with their device this way.
pub async fn drain_quiet<R: AsyncRead + Unpin>(
    io: &mut R,
    quiet: std::time::Duration,
    keep: usize,
) -> Result<Vec<u8>, DrainFault> {
    use tokio::io::AsyncReadExt;
    use tokio::time::{timeout, Instant};
    let mut seen = Vec::new();
    let stop = Instant::now() + MAX_DRAIN;
    let mut buf = [0u8; 256];
    loop {
        let now = Instant::now();
        if now >= stop {
            return Ok(seen);
        }
        match timeout(quiet.min(stop - now), io.read(&mut buf)).await {
            Err(_) => return Ok(seen),
            Ok(Ok(0)) => return Err(DrainFault::Closed),
            Ok(Ok(n)) => {
                let room = keep.saturating_sub(seen.len()).min(n);
                seen.extend_from_slice(&buf[..room]);
            }
            Ok(Err(e)) => return Err(DrainFault::Read(e)),
        }
    }
}

/// A fault in the byte stream's framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A line held bytes that are not printable text (binary noise, wrong baud rate).
    NotText(Vec<u8>),
    /// More than the line limit arrived without a line end.
    TooLong(usize),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::NotText(b) => write!(f, "non-text bytes {}", escape(b)),
            FrameError::TooLong(n) => write!(f, "{n} bytes without a line end"),
        }
    }
}

/// Printable form of raw bytes for messages, cut to 60 bytes.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(60) {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > 60 {
        s.push('…');
    }
    s.push('"');
    s
}

/// Splits a byte stream into lines ended by CR, LF (any mix: CRLF, LFCR) or EOT (0x04, the
/// Feasa analyser's optional end of transmission). Empty lines are skipped. A line must be
/// printable ASCII (tabs allowed); anything else is a [`FrameError`].
#[derive(Debug, Clone)]
pub struct LineSplitter {
    buf: Vec<u8>,
    max: usize,
}

impl LineSplitter {
    pub fn new(max_line: usize) -> Self {
        Self {
            buf: Vec::new(),
            max: max_line,
        }
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line, if any.
    pub fn next_line(&mut self) -> Option<Result<String, FrameError>> {
        loop {
            let end = self.buf.iter().position(|&b| is_end(b));
            let Some(end) = end else {
                if self.buf.len() > self.max {
                    let n = self.buf.len();
                    self.buf.clear();
                    return Some(Err(FrameError::TooLong(n)));
                }
                return None;
            };
            let line: Vec<u8> = self.buf.drain(..=end).take(end).collect();
            if line.is_empty() {
                continue;
            }
            if line
                .iter()
                .all(|&b| (0x20..=0x7e).contains(&b) || b == b'\t')
            {
                return Some(Ok(String::from_utf8(line).expect("ASCII")));
            }
            return Some(Err(FrameError::NotText(line)));
        }
    }

    /// Bytes of an unfinished line (line ends left over from the last line skipped).
    pub fn partial(&self) -> &[u8] {
        let start = self
            .buf
            .iter()
            .position(|&b| !is_end(b))
            .unwrap_or(self.buf.len());
        &self.buf[start..]
    }

    /// Forget everything buffered.
    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

fn is_end(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | 0x04)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &mut LineSplitter) -> Vec<Result<String, FrameError>> {
        std::iter::from_fn(|| s.next_line()).collect()
    }

    #[test]
    fn splits_on_any_line_end_and_skips_blank_lines() {
        let mut s = LineSplitter::new(100);
        s.push(b"\r\nOK\r\n\r\n+CLCC: 1,0");
        assert_eq!(lines(&mut s), vec![Ok("OK".to_string())]);
        assert_eq!(s.partial(), b"+CLCC: 1,0");
        let mut t = LineSplitter::new(100);
        t.push(b"OK\r\n");
        assert_eq!(lines(&mut t), vec![Ok("OK".to_string())]);
        assert!(
            t.partial().is_empty(),
            "a CR LF pair leaves nothing pending"
        );
        s.push(b",2,0,0\rAT\nx\x04");
        assert_eq!(
            lines(&mut s),
            vec![
                Ok("+CLCC: 1,0,2,0,0".to_string()),
                Ok("AT".to_string()),
                Ok("x".to_string())
            ]
        );
        assert!(s.partial().is_empty());
    }

    #[test]
    fn binary_noise_and_endless_lines_are_framing_faults() {
        let mut s = LineSplitter::new(8);
        s.push(b"O\xffK\r\n");
        assert_eq!(
            lines(&mut s),
            vec![Err(FrameError::NotText(b"O\xffK".to_vec()))]
        );
        s.push(b"0123456789");
        assert_eq!(lines(&mut s), vec![Err(FrameError::TooLong(10))]);
        s.push(b"OK\r");
        assert_eq!(lines(&mut s), vec![Ok("OK".to_string())]);
    }

    #[test]
    fn escape_shows_control_bytes() {
        assert_eq!(escape(b"A\r\n\x01\""), "\"A\\r\\n\\x01\\\"\"");
    }

    #[tokio::test]
    async fn a_pty_pair_carries_bytes_both_ways() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut device, mut rig, path) = pty_streams().unwrap();
        assert!(path.starts_with("/dev/"), "{path}");
        rig.write_all(b"AT\r").await.unwrap();
        let mut buf = [0u8; 3];
        device.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"AT\r");
        device.write_all(b"\r\nOK\r\n").await.unwrap();
        let mut buf = [0u8; 6];
        rig.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"\r\nOK\r\n");
    }

    #[tokio::test]
    async fn opening_a_missing_or_non_tty_path_says_it_is_not_a_port() {
        let e = SerialStream::open("/dev/no-such-port-here", 115200).unwrap_err();
        assert!(matches!(e, OpenError::NotAPort { .. }), "{e}");
        let e = SerialStream::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"), 115200)
            .unwrap_err();
        assert!(matches!(e, OpenError::NotAPort { .. }), "{e}");
        // A character device, but no terminal.
        let e = SerialStream::open("/dev/null", 115200).unwrap_err();
        assert!(matches!(e, OpenError::NotAPort { .. }), "{e}");
        assert!(e.to_string().contains("not a terminal"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_drain_keeps_what_it_was_asked_to_and_stops_when_quiet_or_closed() {
        use std::time::Duration;
        use tokio::io::AsyncWriteExt;
        let (mut device, mut rig) = tokio::io::duplex(1024);
        device.write_all(b"garbage from before").await.unwrap();
        let kept = drain_quiet(&mut rig, Duration::from_millis(20), 7)
            .await
            .unwrap();
        assert_eq!(kept, b"garbage");
        // Quiet at once: nothing kept, no error.
        let kept = drain_quiet(&mut rig, Duration::from_millis(20), 7)
            .await
            .unwrap();
        assert!(kept.is_empty());
        drop(device);
        let e = drain_quiet(&mut rig, Duration::from_millis(20), 7).await;
        assert!(matches!(e, Err(DrainFault::Closed)), "{e:?}");
    }

    #[tokio::test]
    async fn a_port_is_opened_exclusively() {
        // The far end keeps the pty alive; its path is opened by name as a bench would.
        let (master, slave) = pty_pair().unwrap();
        let path = slave.name().unwrap();
        drop(slave);
        let first = SerialStream::open(&path, 115200).unwrap();
        let e = SerialStream::open(&path, 115200).unwrap_err();
        assert!(matches!(e, OpenError::Failed { .. }), "{e}");
        drop(first);
        SerialStream::open(&path, 115200).unwrap();
        drop(master);
    }
}
