//! Cellular modems over AT commands: [`AtModem`] is a [`PhoneLine`] over any byte stream
//! (a serial port through [`crate::serial::SerialStream`], a pty, `tokio::io::duplex`).
//!
//! # What is followed
//! - **ITU-T V.250**: a command line is `AT<command><CR>`; with verbose result codes the
//!   modem answers `<CR><LF>text<CR><LF>`; `ATE0` turns the command echo off (the driver
//!   copes with echo either way: a line starting `AT` is an echo); final result codes `OK`,
//!   `ERROR`, `NO CARRIER`, `BUSY`, `NO ANSWER`, `NO DIALTONE`, `CONNECT`; `ATD<n>;` places a
//!   voice call and stays in command state; `ATA` answers; `ATH` hangs up.
//! - **3GPP TS 27.007**: `AT+CHUP` (hang up all calls), `AT+CLCC` (list current calls,
//!   `+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>…]]`, no line when
//!   idle), `AT+CLIP=1` (`+CLIP: "<number>",<type>` after each `RING`), `AT+CMEE=1`
//!   (`+CME ERROR: <err>`, numeric; verbose text accepted too), `AT+CFUN=1` / `AT+CFUN=4`
//!   (radio on / RF off), `AT+CGMI`/`AT+CGMM`/`AT+CGMR` (identity; answered plain or
//!   prefixed `+CGMI: …`), `ATI` (fallback identity), `AT+CREG?` (`+CREG: <n>,<stat>`).
//!
//! # How it behaves
//! - **Start-up** ([`AtModem::open`], or lazily before the first command): drain whatever
//!   the port holds, `AT` until `OK`, then `ATE0`, `AT+CMEE=1` and `AT+CLIP=1` (the last two
//!   may be refused: optional features).
//! - **Every command has a timeout** ([`AtConfig`]): quick commands `command_timeout`, call
//!   control and radio (`ATD`, `ATA`, `AT+CHUP`, `ATH`, `AT+CFUN`) `call_timeout`, both
//!   below the runner's action timeout so the driver, not the runner, reports the fault.
//!   No final result code in time is `HwError { kind: Timeout }`.
//! - **Recovery**: a command that timed out, met garbage, or whose future was dropped
//!   mid-way (the runner's own timeout) leaves the driver unsynchronised; the next command
//!   first resynchronises (drain until quiet, `AT` → `OK`, drain again so a late `OK` of
//!   the abandoned command is not taken for the next one's, then the start-up settings
//!   again, in case the modem restarted). A modem that stays silent keeps failing fast
//!   with `Timeout`; one that talks nonsense fails with `Protocol`.
//! - **Unsolicited result codes** (`RING`, `+CRING`, `+CLIP`, `NO CARRIER`, `BUSY`,
//!   `NO ANSWER`, vendor `+XXX:`/`^XXX` reports) interleaved with responses are kept as
//!   events ([`AtModem::take_events`]); `NO CARRIER`/`BUSY`/`NO ANSWER` end a command only
//!   for `ATD` and `ATA`. Call state itself always comes from `AT+CLCC`, which the runner
//!   polls: the events are information, not state.
//! - **Errors**: `ERROR`, `+CME ERROR`, `BUSY`, `NO CARRIER`… as the final result of a
//!   command are `Rejected`; unparseable or non-text answers are `Protocol`; a closed or
//!   failing port is `Unreachable`.
//!
//! Assumptions: verbose result codes (`ATV1`, the factory default); the modem does not
//! send an unsolicited code in the middle of an information response (V.250 asks it to
//! hold them back); `ATD…;` answers `OK` once the call is set up or being set up (both are
//! seen on real modems: the runner then follows the call through `+CLCC`).

pub mod codec;

use std::collections::VecDeque;
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout_at, Instant};

use self::codec::{
    parse_clcc, parse_creg, strip_info_prefix, valid_dial_string, Command, Exchange, Final,
    Functionality, Line, Registration, Step, Urc,
};
use super::serial::{drain_quiet, escape, DrainFault, FrameError, LineSplitter};
use super::{CallInfo, HwError, HwErrorKind, PhoneLine};

/// Timeouts of the AT driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtConfig {
    /// Commands the modem answers by itself (`AT`, `AT+CLCC`, identity).
    pub command_timeout: Duration,
    /// Commands that wait on the network (`ATD`, `ATA`, `AT+CHUP`, `AT+CFUN`).
    pub call_timeout: Duration,
    /// The `AT` → `OK` probe of a resynchronisation.
    pub resync_timeout: Duration,
    /// Draining stops after this long without a byte.
    pub quiet: Duration,
}

impl Default for AtConfig {
    fn default() -> Self {
        Self {
            command_timeout: Duration::from_millis(2000),
            call_timeout: Duration::from_millis(4000),
            resync_timeout: Duration::from_millis(1000),
            quiet: Duration::from_millis(30),
        }
    }
}

/// What a modem says it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub revision: Option<String>,
    /// `ATI`'s lines, asked only when none of the three above is answered.
    pub ati: Vec<String>,
}

/// A command's answer: its information lines and final result code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub info: Vec<String>,
    pub result: Final,
}

/// Longest line accepted (a `+CLCC` line with an alpha tag is well under this).
const MAX_LINE: usize = 512;
/// Events kept for [`AtModem::take_events`]; older ones are dropped.
const MAX_EVENTS: usize = 256;
/// Printable lines that are not AT tolerated while resynchronising.
const MAX_STRAY_LINES: usize = 16;

/// A cellular modem driven by AT commands over `S`.
pub struct AtModem<S> {
    io: S,
    name: String,
    cfg: AtConfig,
    lines: LineSplitter,
    events: VecDeque<Urc>,
    /// The last exchange did not end cleanly (or none happened yet): resynchronise first.
    unsynced: bool,
}

impl<S> std::fmt::Debug for AtModem<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtModem")
            .field("name", &self.name)
            .field("unsynced", &self.unsynced)
            .finish()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> AtModem<S> {
    /// A driver over `io`, named `name` in errors (the bench's modem id). No I/O yet: the
    /// first command starts the modem up.
    pub fn new(io: S, name: impl Into<String>) -> Self {
        Self {
            io,
            name: name.into(),
            cfg: AtConfig::default(),
            lines: LineSplitter::new(MAX_LINE),
            events: VecDeque::new(),
            unsynced: true,
        }
    }

    pub fn with_config(mut self, cfg: AtConfig) -> Self {
        self.cfg = cfg;
        self
    }

    /// A driver over `io`, started up: fails if the modem does not answer `AT`.
    pub async fn open(io: S, name: impl Into<String>) -> Result<Self, HwError> {
        let mut m = Self::new(io, name);
        m.start().await?;
        Ok(m)
    }

    /// Synchronise with the modem and apply the start-up settings.
    pub async fn start(&mut self) -> Result<(), HwError> {
        self.unsynced = true;
        self.resync().await
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn config(&self) -> AtConfig {
        self.cfg
    }

    /// Unsolicited result codes seen since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<Urc> {
        self.events.drain(..).collect()
    }

    /// The byte stream back (for instance to hand the port to another driver).
    pub fn into_inner(self) -> S {
        self.io
    }

    /// Send one command and wait for its final result code (resynchronising first if the
    /// last exchange went wrong). Any final result comes back as `Ok`; the caller decides
    /// what a non-`OK` means.
    pub async fn command(&mut self, cmd: Command) -> Result<Reply, HwError> {
        if self.unsynced {
            self.resync().await?;
        }
        self.exchange(cmd).await
    }

    /// The modem's identity (`AT+CGMI`, `AT+CGMM`, `AT+CGMR`; `ATI` if none answers).
    pub async fn identity(&mut self) -> Result<Identity, HwError> {
        let mut id = Identity::default();
        for (cmd, slot) in [
            (Command::Manufacturer, &mut id.manufacturer),
            (Command::Model, &mut id.model),
            (Command::Revision, &mut id.revision),
        ] {
            let r = self.command(cmd).await?;
            if r.result == Final::Ok && !r.info.is_empty() {
                let text: Vec<String> = r.info.iter().map(|l| strip_info_prefix(l)).collect();
                *slot = Some(text.join(" "));
            }
        }
        if id.manufacturer.is_none() && id.model.is_none() && id.revision.is_none() {
            let r = self.command(Command::Identify).await?;
            if r.result == Final::Ok {
                id.ati = r.info;
            }
        }
        Ok(id)
    }

    /// Network registration (`AT+CREG?`).
    pub async fn registration(&mut self) -> Result<Registration, HwError> {
        let cmd = Command::Registration;
        let r = self.command(cmd.clone()).await?;
        if r.result != Final::Ok {
            return Err(self.refused(&cmd, &r.result));
        }
        let line = r.info.first().ok_or_else(|| {
            self.error(
                HwErrorKind::Protocol,
                "AT+CREG? answered OK without a +CREG line".into(),
            )
        })?;
        parse_creg(line).map_err(|e| self.error(HwErrorKind::Protocol, e.to_string()))
    }

    fn error(&self, kind: HwErrorKind, message: String) -> HwError {
        HwError::new(kind, self.name.clone(), message)
    }

    fn refused(&self, cmd: &Command, result: &Final) -> HwError {
        self.error(
            HwErrorKind::Rejected,
            format!("{} answered {result}", cmd.text()),
        )
    }

    fn keep_events(&mut self, events: Vec<Urc>) {
        for e in events {
            if self.events.len() == MAX_EVENTS {
                self.events.pop_front();
            }
            self.events.push_back(e);
        }
    }

    fn limit(&self, cmd: &Command) -> Duration {
        if cmd.is_slow() {
            self.cfg.call_timeout
        } else {
            self.cfg.command_timeout
        }
    }

    /// Read more bytes into the line splitter, by `deadline`. `Ok(false)`: the deadline
    /// passed first.
    async fn fill(&mut self, deadline: Instant) -> Result<bool, HwError> {
        let mut buf = [0u8; 256];
        match timeout_at(deadline, self.io.read(&mut buf)).await {
            Err(_) => Ok(false),
            Ok(Ok(0)) => Err(self.error(
                HwErrorKind::Unreachable,
                "the serial port closed (end of stream)".into(),
            )),
            Ok(Ok(n)) => {
                self.lines.push(&buf[..n]);
                Ok(true)
            }
            Ok(Err(e)) => Err(self.error(
                HwErrorKind::Unreachable,
                format!("serial port read failed: {e}"),
            )),
        }
    }

    async fn send(&mut self, cmd: &Command, deadline: Instant) -> Result<(), HwError> {
        match timeout_at(deadline, self.io.write_all(&cmd.encode())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.error(
                HwErrorKind::Unreachable,
                format!("serial port write failed: {e}"),
            )),
            Err(_) => Err(self.error(
                HwErrorKind::Timeout,
                format!("{} could not be sent (port blocked)", cmd.text()),
            )),
        }
    }

    fn garbage(&self, cmd: &Command, what: String) -> HwError {
        self.error(
            HwErrorKind::Protocol,
            format!("{} answered garbage: {what}", cmd.text()),
        )
    }

    /// One command, no resynchronisation. Leaves `unsynced` set unless it ends cleanly.
    async fn exchange(&mut self, cmd: Command) -> Result<Reply, HwError> {
        self.unsynced = true;
        let limit = self.limit(&cmd);
        let deadline = Instant::now() + limit;
        self.send(&cmd, deadline).await?;
        let mut x = Exchange::new(cmd);
        loop {
            while let Some(line) = self.lines.next_line() {
                let step = match line {
                    Ok(l) => x.on_line(&l),
                    Err(e) => Step::Garbage(frame_fault(&e)),
                };
                match step {
                    Step::More => {}
                    Step::Done(result) => {
                        let Exchange { info, events, .. } = x;
                        self.keep_events(events);
                        self.unsynced = false;
                        return Ok(Reply { info, result });
                    }
                    Step::Garbage(g) => {
                        let events = std::mem::take(&mut x.events);
                        self.keep_events(events);
                        return Err(self.garbage(&x.command, g));
                    }
                }
            }
            if !self.fill(deadline).await? {
                let events = std::mem::take(&mut x.events);
                self.keep_events(events);
                if !self.lines.partial().is_empty() {
                    // Bytes came, but never a line: noise (a wrong baud rate looks so).
                    let junk = escape(self.lines.partial());
                    return Err(self.garbage(&x.command, format!("{junk} (no line end)")));
                }
                return Err(self.error(
                    HwErrorKind::Timeout,
                    format!(
                        "no answer to {} within {} ms (modem not answering)",
                        x.command.text(),
                        limit.as_millis()
                    ),
                ));
            }
        }
    }

    /// Read and discard until the port has been quiet for `quiet` (at most
    /// [`super::serial::MAX_DRAIN`]).
    /// Returns the first bytes that were thrown away, for messages.
    async fn drain(&mut self) -> Result<Vec<u8>, HwError> {
        let mut seen = self.lines.partial().to_vec();
        self.lines.clear();
        let keep = 64usize.saturating_sub(seen.len());
        match drain_quiet(&mut self.io, self.cfg.quiet, keep).await {
            Ok(more) => {
                seen.extend_from_slice(&more);
                Ok(seen)
            }
            Err(DrainFault::Closed) => Err(self.error(
                HwErrorKind::Unreachable,
                "the serial port closed (end of stream)".into(),
            )),
            Err(DrainFault::Read(e)) => Err(self.error(
                HwErrorKind::Unreachable,
                format!("serial port read failed: {e}"),
            )),
        }
    }

    /// Get back in step with the modem: drain, `AT` until `OK`, drain, start-up settings.
    async fn resync(&mut self) -> Result<(), HwError> {
        self.drain().await?;
        let probe = Command::Attention;
        let deadline = Instant::now() + self.cfg.resync_timeout;
        self.send(&probe, deadline).await?;
        let mut stray: Vec<String> = Vec::new();
        'probe: loop {
            while let Some(line) = self.lines.next_line() {
                let line = match line {
                    Ok(l) => l,
                    Err(e) => return Err(self.garbage(&probe, frame_fault(&e))),
                };
                match codec::classify(Some(&probe), &line) {
                    Line::Final(Final::Ok) => break 'probe,
                    Line::Echo => {}
                    Line::Urc(u) => self.keep_events(vec![u]),
                    // A late answer to an abandoned command, or noise: tolerated a little.
                    Line::Final(_) | Line::Info(_) | Line::Unexpected(_) => {
                        stray.push(line);
                        if stray.len() > MAX_STRAY_LINES {
                            return Err(self.garbage(&probe, format!("{:?}", stray[0])));
                        }
                    }
                }
            }
            if !self.fill(deadline).await? {
                let partial = self.lines.partial().to_vec();
                return Err(match (stray.first(), partial.is_empty()) {
                    (Some(l), _) => self.garbage(&probe, format!("{l:?}, never OK")),
                    (None, false) => self.garbage(&probe, escape(&partial)),
                    (None, true) => self.error(
                        HwErrorKind::Timeout,
                        format!(
                            "no answer to AT within {} ms (modem not answering: silent, \
                             unpowered, or another baud rate)",
                            self.cfg.resync_timeout.as_millis()
                        ),
                    ),
                });
            }
        }
        // A late OK of an abandoned command may have been the one taken: let the real
        // one arrive and drop it.
        self.drain().await?;
        self.unsynced = false;
        let r = self.exchange(Command::Echo(false)).await?;
        if r.result != Final::Ok {
            return Err(self.refused(&Command::Echo(false), &r.result));
        }
        // Optional features: a modem without them still makes and takes calls.
        self.exchange(Command::ErrorReports(1)).await?;
        self.exchange(Command::Clip(true)).await?;
        Ok(())
    }
}

fn frame_fault(e: &FrameError) -> String {
    e.to_string()
}

#[async_trait]
impl<S: AsyncRead + AsyncWrite + Unpin + Send> PhoneLine for AtModem<S> {
    async fn dial(&mut self, number: &str) -> Result<(), HwError> {
        if !valid_dial_string(number) {
            return Err(self.error(
                HwErrorKind::Rejected,
                format!("refusing to dial {number:?}: not a dial string"),
            ));
        }
        let cmd = Command::Dial(number.to_string());
        match self.command(cmd.clone()).await?.result {
            Final::Ok => Ok(()),
            other => Err(self.refused(&cmd, &other)),
        }
    }

    async fn answer(&mut self) -> Result<(), HwError> {
        let cmd = Command::Answer;
        match self.command(cmd.clone()).await?.result {
            Final::Ok | Final::Connect(_) => Ok(()),
            other => Err(self.refused(&cmd, &other)),
        }
    }

    async fn hang_up(&mut self) -> Result<(), HwError> {
        match self.command(Command::HangUp).await?.result {
            Final::Ok => Ok(()),
            // A modem without +CHUP: V.250's ATH.
            Final::Error => match self.command(Command::Hook).await?.result {
                Final::Ok => Ok(()),
                other => Err(self.refused(&Command::Hook, &other)),
            },
            other => Err(self.refused(&Command::HangUp, &other)),
        }
    }

    async fn calls(&mut self) -> Result<Vec<CallInfo>, HwError> {
        let cmd = Command::ListCalls;
        let r = self.command(cmd.clone()).await?;
        if r.result != Final::Ok {
            return Err(self.refused(&cmd, &r.result));
        }
        r.info
            .iter()
            .map(|l| {
                parse_clcc(l)
                    .map(|e| e.to_call_info())
                    .map_err(|e| self.error(HwErrorKind::Protocol, e.to_string()))
            })
            .collect()
    }

    async fn set_radio(&mut self, on: bool) -> Result<(), HwError> {
        let cmd = Command::SetFunctionality(if on {
            Functionality::Full
        } else {
            Functionality::RadioOff
        });
        match self.command(cmd.clone()).await?.result {
            Final::Ok => Ok(()),
            other => Err(self.refused(&cmd, &other)),
        }
    }

    /// Manufacturer and model, and the network registration: a modem that is not
    /// registered cannot place or take the suite's calls, so that is an error.
    async fn identify(&mut self) -> Result<String, HwError> {
        let id = self.identity().await?;
        let who = [id.manufacturer.as_deref(), id.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let who = if who.is_empty() {
            id.ati.join(" ")
        } else {
            who
        };
        let reg = self.registration().await?;
        if !reg.is_registered() {
            return Err(self.error(
                HwErrorKind::Rejected,
                format!("{who}: not registered on the network ({reg})"),
            ));
        }
        Ok(format!("{who}, {reg}"))
    }
}

#[cfg(test)]
mod tests;
