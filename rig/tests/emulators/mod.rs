//! Device emulators for the serial tests: they sit on the far end of a pseudo-terminal pair
//! (`rig::hw::serial::pty_streams`) and speak the devices' public command sets, so the rig's
//! drivers are tested over a real tty.
//!
//! - [`modem::AtEmulator`]: an AT modem (V.250 / 3GPP TS 27.007) in front of any
//!   [`rig::hw::PhoneLine`]: a [`modem::ScriptedLine`] the test drives, or a simulated
//!   bench's own modem line (the bridge of the whole-suite test).
//! - [`junk`]: a silent port and a port that answers garbage.
//! - [`feasa::FeasaEmulator`]: a Feasa LED Analyser looking at scripted LEDs.
//! - [`pace::Pacer`]: real pty I/O under tokio's paused clock.

#![allow(dead_code)]

pub mod feasa;
pub mod junk;
pub mod modem;
pub mod pace;

/// Aborts a spawned emulator task when dropped.
#[derive(Debug)]
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A pty for a device emulator whose near end another process opens by path (`rig probe`):
/// `(far end, near end, near end's path)`. Keep the near end alive (unread): while it is
/// open, the far end never sees a hang-up between the other process's open and close.
pub fn pty_for_another_process() -> (rig::hw::serial::SerialStream, serialport::TTYPort, String) {
    use serialport::SerialPort;
    let (master, slave) = rig::hw::serial::pty_pair().unwrap();
    let path = slave.name().unwrap();
    (
        rig::hw::serial::SerialStream::from_port(master, "far end").unwrap(),
        slave,
        path,
    )
}
