//! Real pty I/O under tokio's paused clock.
//!
//! The paused clock jumps to the next timer whenever the runtime would park, after polling
//! I/O once with a zero timeout. Pty bytes cross the kernel asynchronously (a work queue:
//! tens of µs to ms on a busy 2-core machine), so a park usually misses them and the clock
//! jumps to a far timer — a 2 s command timeout fires before the answer is delivered.
//!
//! A plain heartbeat (a task sleeping 1 ms in a loop) bounds each jump to 1 ms but not the
//! *rate*: an idle tick costs ~2 µs of wall time, so virtual time ran ~500× faster than the
//! kernel moved bytes and 1 s timeouts still expired mid-answer (measured here: every
//! Feasa exchange timed out). The [`Pacer`] instead *freezes* virtual time while bytes are
//! in the kernel: every pty end is wrapped ([`Paced`]) to count bytes written and read per
//! direction, and `written − read − readable(FIONREAD at the reader)` is what is still
//! crossing the kernel. While any is, the pacer task yields (`yield_now` makes the runtime
//! poll I/O with a zero timeout *without* advancing the clock); otherwise it sleeps until
//! the next write. Bytes that arrived but are not read yet (an unsolicited `RING` before
//! the next command) do not hold the clock. A transfer that never completes is given up on
//! after a bounded spin, 1 ms of virtual time at a time.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rig::hw::serial::{pty_pair, SerialStream};
use serialport::SerialPort;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use super::AbortOnDrop;

/// One direction of a pty.
#[derive(Debug)]
struct Pipe {
    written: AtomicU64,
    read: AtomicU64,
    /// The reading end's descriptor (alive as long as its [`Paced`] stream).
    reader: RawFd,
}

fn readable(fd: RawFd) -> u64 {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int; `fd` is a live pty end (see `Pipe::reader`).
    let r = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    if r < 0 {
        0
    } else {
        n as u64
    }
}

impl Pipe {
    fn in_flight(&self) -> bool {
        let w = self.written.load(Ordering::SeqCst);
        let r = self.read.load(Ordering::SeqCst);
        w > r && w > r + readable(self.reader)
    }
}

#[derive(Debug, Default)]
struct Shared {
    pipes: Mutex<Vec<Arc<Pipe>>>,
    wrote: Notify,
}

/// Holds the paused clock while pty bytes are in the kernel (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    shared: Arc<Shared>,
}

/// Yields before giving up on a transfer for 1 ms of virtual time.
const SPIN: u32 = 20_000;

impl Pacer {
    /// Start the pacing task (stops when the returned guard drops).
    pub fn start(&self) -> AbortOnDrop {
        let shared = self.shared.clone();
        AbortOnDrop(tokio::spawn(async move {
            let mut spins = 0u32;
            loop {
                let wrote = shared.wrote.notified();
                let busy = shared.pipes.lock().unwrap().iter().any(|p| p.in_flight());
                if !busy {
                    spins = 0;
                    wrote.await;
                } else if spins < SPIN {
                    spins += 1;
                    tokio::task::yield_now().await;
                } else {
                    spins = 0;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }))
    }

    /// A pty pair, both ends paced: `(device end, rig end, rig end's path)`.
    pub fn pty(&self) -> (Paced, Paced, String) {
        let (master, slave) = pty_pair().unwrap();
        let path = slave.name().unwrap();
        let to_rig = Arc::new(Pipe {
            written: AtomicU64::new(0),
            read: AtomicU64::new(0),
            reader: slave.as_raw_fd(),
        });
        let to_device = Arc::new(Pipe {
            written: AtomicU64::new(0),
            read: AtomicU64::new(0),
            reader: master.as_raw_fd(),
        });
        self.shared
            .pipes
            .lock()
            .unwrap()
            .extend([to_rig.clone(), to_device.clone()]);
        let device = Paced {
            io: SerialStream::from_port(master, format!("{path} (far end)")).unwrap(),
            out: to_rig.clone(),
            inp: to_device.clone(),
            shared: self.shared.clone(),
        };
        let rig = Paced {
            io: SerialStream::from_port(slave, path.clone()).unwrap(),
            out: to_device,
            inp: to_rig,
            shared: self.shared.clone(),
        };
        (device, rig, path)
    }
}

/// A pty end that tells its [`Pacer`] what it writes and reads.
pub struct Paced {
    io: SerialStream,
    out: Arc<Pipe>,
    inp: Arc<Pipe>,
    shared: Arc<Shared>,
}

impl AsyncRead for Paced {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let n = (buf.filled().len() - before) as u64;
            self.inp.read.fetch_add(n, Ordering::SeqCst);
        }
        r
    }
}

impl AsyncWrite for Paced {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = r {
            self.out.written.fetch_add(n as u64, Ordering::SeqCst);
            self.shared.wrote.notify_one();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
