//! The Feasa LED Analyser over serial: [`FeasaAnalyser`] (the commands) and
//! [`FeasaSampler`] (a background task that turns its captures into timestamped
//! [`Sample`](crate::Sample)s per fibre, handed out as [`LightSensor`](crate::LightSensor)s).
//!
//! # What is followed (Feasa LED Analyser user manual, functional version)
//! - ASCII commands, not case-sensitive, ended by `<CR>` or `<LF>`; every answer line ends
//!   with `<CR><LF>` (optionally EOT after it, `enableeot`). Sent here in lower case, ended
//!   by `<CR><LF>`. Default line settings 57600 baud, 8N1 (the analyser's USB/RS-232 port).
//! - `capture` (auto range, 350 ms), `capture<n>` (manual range n = 1–5: 650, 200, 22, 4,
//!   2 ms), `capturepwm` / `capture<n>pwm` for PWM lights: each answers `OK` when done.
//! - `getrgbi##` → `rrr ggg bbb iiiii` (colour normalised 0–255, intensity 0–99999;
//!   `000 000 000 00000` under range, `255 255 255 99999` over range, `XXX …` a PWM light
//!   under a non-PWM capture); `gethsi##` → `hhh.hh sss iiiii` (`999.99 999 …` out of
//!   range); `getintensity##` → `iiiii`; `getserial` → four alphanumerics; `getversion`.
//! - Sequence capture (blink timing): `putsequencecapture###` (capture per sample, ms),
//!   `putsequencewait###` (wait between samples), `putsequencenumber####` (samples),
//!   `putsequencethreshold#####` (on/off threshold), each answering `OK` (the `put` forms
//!   go to RAM; the `set` forms would wear the flash); `capturesequence` runs it and
//!   answers `OK`; `getsequence##` answers one `0`/`1` line per sample for a fibre;
//!   `getsequencetimes##` → `Toff1 = …ms Ton = … ms Toff2 = …ms`.
//!
//! Assumptions (the manual pages seen do not say): a manual-range capture is spelt
//! `capture<n>` (the PWM form `capture<n>pwm`); the sequence covers every fibre (sequence
//! mode left as the analyser has it) and `getsequence##` reads any of them; an unknown
//! command gets some answer line that is not the expected format (taken as garbage).
//!
//! # Sampling, and the rates it reaches
//! [`LightSensor::drain`](crate::LightSensor::drain) is synchronous while the analyser is
//! polled over serial, so a [`FeasaSampler`] task owns the port and fills a buffer per fibre
//! that `drain` empties:
//! - **Polled** ([`SamplerMode::Polled`]): `capture<n>` then `getrgbi##` per wired fibre,
//!   again and again. Each round's samples are stamped at the middle of the capture
//!   command (when the light was measured). At 57600 baud (5.76 bytes/ms) a round costs
//!   the capture time + ~2.4 ms (`capture3\r\n` + `OK\r\n`) + ~5.2 ms per fibre
//!   (`getrgbi01\r\n` + `rrr ggg bbb iiiii\r\n`): range 5 (2 ms) with one fibre ≈ 100 Hz,
//!   two fibres ≈ 65 Hz; range 3 (22 ms) ≈ 33 Hz; auto range (350 ms) < 3 Hz. USB serial
//!   adapters add their latency (often 1–16 ms per answer). Good for colour and steady
//!   states; not enough for a 50 ms flutter (a cadence reading wants ≥ 100 Hz).
//! - **Sequence** ([`SamplerMode::Sequence`]): for cadence. Each round takes one polled
//!   reading per fibre (its colour, and whether it is on), then `capturesequence` with
//!   the set-up's capture + wait per sample (e.g. 4 + 1 ms = 200 Hz for 200 samples = 1 s),
//!   then `getsequence##` per fibre. Each bit becomes a sample at `start + i · step`
//!   carrying the fibre's last polled reading *when on* (bit 1) or *when off* (bit 0), so
//!   the classifier sees the analyser's on/off edges at the sequence's resolution with the
//!   colour of the last full capture (a light never yet seen on reads as a neutral level at
//!   the threshold). Reading out costs ~0.5 ms per sample per fibre (`0\r\n`), a gap in the
//!   samples between bursts; the stamps are off by the command's transfer time (~3 ms).
//!
//! A fault (timeout, garbage) is kept and returned by `drain` while no sample arrives; the
//! sampler keeps trying (the driver resynchronises) and clears it on the next good round.
//!
//! This file holds the analyser's commands; [`codec`] the I/O-free command and answer
//! formats, `sampler` the background task and the sensors it hands out.

pub mod codec;
mod sampler;

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use self::codec::{
    parse_bit, parse_hsi, parse_intensity, parse_ok, parse_rgbi, parse_sequence_times,
    parse_serial, parse_version, valid_fibre, CaptureRange, Command, Fault, Hsi, Rgbi,
    SequenceSetup, SequenceTimes,
};
use super::serial::{drain_quiet, DrainFault, FrameError, LineSplitter};
use super::{HwError, HwErrorKind};

pub use codec::DEFAULT_BAUD;
pub use sampler::{FeasaSampler, FeasaSensor, SamplerMode};

/// Timeouts of the Feasa driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeasaConfig {
    /// An answer must come this long after the command (plus any capture time).
    pub answer_timeout: Duration,
    /// Draining stops after this long without a byte.
    pub quiet: Duration,
}

impl Default for FeasaConfig {
    fn default() -> Self {
        Self {
            answer_timeout: Duration::from_millis(1000),
            quiet: Duration::from_millis(30),
        }
    }
}

const MAX_LINE: usize = 256;

/// What the analyser says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeasaIdentity {
    pub serial: String,
    pub version: String,
}

/// A Feasa LED Analyser over `S`.
pub struct FeasaAnalyser<S> {
    io: S,
    name: String,
    cfg: FeasaConfig,
    lines: LineSplitter,
    unsynced: bool,
}

impl<S> std::fmt::Debug for FeasaAnalyser<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeasaAnalyser")
            .field("name", &self.name)
            .finish()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> FeasaAnalyser<S> {
    /// A driver over `io`, named `name` in errors. The first command drains the port.
    pub fn new(io: S, name: impl Into<String>) -> Self {
        Self {
            io,
            name: name.into(),
            cfg: FeasaConfig::default(),
            lines: LineSplitter::new(MAX_LINE),
            unsynced: true,
        }
    }

    pub fn with_config(mut self, cfg: FeasaConfig) -> Self {
        self.cfg = cfg;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn error(&self, kind: HwErrorKind, message: String) -> HwError {
        HwError::new(kind, self.name.clone(), message)
    }

    fn fault(&self, cmd: &Command, f: Fault) -> HwError {
        let kind = match f {
            Fault::WrongCaptureMode => HwErrorKind::Rejected,
            Fault::Garbage(_) => HwErrorKind::Protocol,
        };
        self.error(kind, format!("{}: {f}", cmd.text()))
    }

    async fn drain(&mut self) -> Result<(), HwError> {
        self.lines.clear();
        match drain_quiet(&mut self.io, self.cfg.quiet, 0).await {
            Ok(_) => Ok(()),
            Err(DrainFault::Closed) => Err(self.closed()),
            Err(DrainFault::Read(e)) => Err(self.read_failed(e)),
        }
    }

    fn closed(&self) -> HwError {
        self.error(
            HwErrorKind::Unreachable,
            "the serial port closed (end of stream)".into(),
        )
    }

    fn read_failed(&self, e: std::io::Error) -> HwError {
        self.error(
            HwErrorKind::Unreachable,
            format!("serial port read failed: {e}"),
        )
    }

    /// Send `cmd` and collect its answer lines; `busy` is how long the analyser works
    /// before answering (a capture). A command whose exchange went wrong leaves the driver
    /// unsynchronised: the next one drains the port first.
    pub async fn exchange(
        &mut self,
        cmd: &Command,
        busy: Duration,
    ) -> Result<Vec<String>, HwError> {
        if self.unsynced {
            self.drain().await?;
        }
        self.unsynced = true;
        let limit = busy + self.cfg.answer_timeout;
        let deadline = Instant::now() + limit;
        match timeout_at(deadline, self.io.write_all(&cmd.encode())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(self.error(
                    HwErrorKind::Unreachable,
                    format!("serial port write failed: {e}"),
                ))
            }
            Err(_) => {
                return Err(self.error(
                    HwErrorKind::Timeout,
                    format!("{} could not be sent (port blocked)", cmd.text()),
                ))
            }
        }
        let want = cmd.reply_lines();
        let mut out = Vec::with_capacity(want);
        let mut buf = [0u8; 512];
        loop {
            while out.len() < want {
                match self.lines.next_line() {
                    None => break,
                    Some(Ok(l)) => out.push(l),
                    Some(Err(e)) => return Err(self.framing(cmd, &e)),
                }
            }
            if out.len() == want {
                self.unsynced = !self.lines.partial().is_empty();
                return Ok(out);
            }
            match timeout_at(deadline, self.io.read(&mut buf)).await {
                Err(_) if !self.lines.partial().is_empty() => {
                    // Bytes came, but never a line: noise (a wrong baud rate looks so).
                    let junk = super::serial::escape(self.lines.partial());
                    return Err(self.error(
                        HwErrorKind::Protocol,
                        format!("{} answered garbage: {junk} (no line end)", cmd.text()),
                    ));
                }
                Err(_) => {
                    return Err(self.error(
                        HwErrorKind::Timeout,
                        format!(
                            "no answer to {} within {} ms (analyser not answering){}",
                            cmd.text(),
                            limit.as_millis(),
                            if out.is_empty() {
                                String::new()
                            } else {
                                format!(" after {} of {want} lines", out.len())
                            }
                        ),
                    ))
                }
                Ok(Ok(0)) => return Err(self.closed()),
                Ok(Ok(n)) => self.lines.push(&buf[..n]),
                Ok(Err(e)) => return Err(self.read_failed(e)),
            }
        }
    }

    fn framing(&self, cmd: &Command, e: &FrameError) -> HwError {
        self.error(
            HwErrorKind::Protocol,
            format!("{} answered garbage: {e}", cmd.text()),
        )
    }

    async fn one(&mut self, cmd: Command, busy: Duration) -> Result<String, HwError> {
        let mut lines = self.exchange(&cmd, busy).await?;
        Ok(lines.remove(0))
    }

    fn fibre(&self, f: u8) -> Result<(), HwError> {
        if valid_fibre(f) {
            Ok(())
        } else {
            Err(self.error(HwErrorKind::Rejected, format!("no fibre {f} (1–20)")))
        }
    }

    /// `getserial` and `getversion`.
    pub async fn identity(&mut self) -> Result<FeasaIdentity, HwError> {
        let cmd = Command::GetSerial;
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        let serial = parse_serial(&l).map_err(|f| self.fault(&cmd, f))?;
        let cmd = Command::GetVersion;
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        let version = parse_version(&l).map_err(|f| self.fault(&cmd, f))?;
        Ok(FeasaIdentity { serial, version })
    }

    /// Capture every fibre's light into the analyser's memory.
    pub async fn capture(&mut self, range: CaptureRange) -> Result<(), HwError> {
        if !range.is_valid() {
            return Err(self.error(HwErrorKind::Rejected, format!("no capture range {range:?}")));
        }
        let cmd = Command::Capture(range);
        let l = self
            .one(cmd.clone(), Duration::from_millis(range.capture_ms()))
            .await?;
        parse_ok(&l).map_err(|f| self.fault(&cmd, f))
    }

    /// The last capture's colour and intensity on `fibre`.
    pub async fn rgbi(&mut self, fibre: u8) -> Result<Rgbi, HwError> {
        self.fibre(fibre)?;
        let cmd = Command::GetRgbi(fibre);
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        parse_rgbi(&l).map_err(|f| self.fault(&cmd, f))
    }

    /// The last capture's hue, saturation and intensity on `fibre`.
    pub async fn hsi(&mut self, fibre: u8) -> Result<Hsi, HwError> {
        self.fibre(fibre)?;
        let cmd = Command::GetHsi(fibre);
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        parse_hsi(&l).map_err(|f| self.fault(&cmd, f))
    }

    /// The last capture's intensity on `fibre`.
    pub async fn intensity(&mut self, fibre: u8) -> Result<u32, HwError> {
        self.fibre(fibre)?;
        let cmd = Command::GetIntensity(fibre);
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        parse_intensity(&l).map_err(|f| self.fault(&cmd, f))
    }

    /// Load a sequence capture's settings (RAM: `put…`).
    pub async fn set_up_sequence(&mut self, setup: &SequenceSetup) -> Result<(), HwError> {
        setup
            .check()
            .map_err(|e| self.error(HwErrorKind::Rejected, format!("sequence set-up: {e}")))?;
        for cmd in [
            Command::PutSequenceCapture(setup.capture_ms),
            Command::PutSequenceWait(setup.wait_ms),
            Command::PutSequenceNumber(setup.count),
            Command::PutSequenceThreshold(setup.threshold),
        ] {
            let l = self.one(cmd.clone(), Duration::ZERO).await?;
            parse_ok(&l).map_err(|f| self.fault(&cmd, f))?;
        }
        Ok(())
    }

    /// Run a sequence capture set up as `setup` (the analyser answers when it is over).
    pub async fn capture_sequence(&mut self, setup: &SequenceSetup) -> Result<(), HwError> {
        let cmd = Command::CaptureSequence;
        let l = self
            .one(cmd.clone(), Duration::from_millis(setup.duration_ms()))
            .await?;
        parse_ok(&l).map_err(|f| self.fault(&cmd, f))
    }

    /// The last sequence on `fibre`, one on/off bit per sample.
    pub async fn sequence(&mut self, fibre: u8, count: u16) -> Result<Vec<bool>, HwError> {
        self.fibre(fibre)?;
        let cmd = Command::GetSequence { fibre, count };
        // Reading out takes time at the baud rate: ~0.5 ms a line at 57600.
        let lines = self
            .exchange(&cmd, Duration::from_millis(u64::from(count) / 2))
            .await?;
        lines
            .iter()
            .map(|l| parse_bit(l).map_err(|f| self.fault(&cmd, f)))
            .collect()
    }

    /// The analyser's own reading of the last sequence on `fibre`.
    pub async fn sequence_times(&mut self, fibre: u8) -> Result<SequenceTimes, HwError> {
        self.fibre(fibre)?;
        let cmd = Command::GetSequenceTimes(fibre);
        let l = self.one(cmd.clone(), Duration::ZERO).await?;
        parse_sequence_times(&l).map_err(|f| self.fault(&cmd, f))
    }
}
