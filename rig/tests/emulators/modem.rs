//! An AT modem emulator (ITU-T V.250, 3GPP TS 27.007) in front of a [`PhoneLine`].
//!
//! It reads command lines ended by `<CR>` (anything before `AT` ignored, commands not case
//! sensitive), echoes them while `ATE1` (the factory default), and answers with verbose
//! result codes framed `<CR><LF>…<CR><LF>`. Call control goes to the line behind it;
//! `+CLCC` lists the line's calls. It watches the line and volunteers `RING` (repeated
//! while a call rings) with `+CLIP: "<number>",<type>` when `AT+CLIP=1`, and `NO CARRIER`
//! when a call ends that it did not end itself. `+CME ERROR` follows `AT+CMEE`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rig::hw::{CallInfo, CallStatus, HwError, HwErrorKind, PhoneLine};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{interval, Instant, MissedTickBehavior};

use super::AbortOnDrop;

#[derive(Debug, Clone)]
pub struct AtOptions {
    /// Echo at start (`ATE1` is the V.250 default).
    pub echo: bool,
    /// How often the line is watched for calls that start or end.
    pub poll: Duration,
    /// `RING` repeats this often while a call rings.
    pub ring_every: Duration,
    pub manufacturer: String,
    pub model: String,
    pub revision: String,
}

impl Default for AtOptions {
    fn default() -> Self {
        Self {
            echo: true,
            poll: Duration::from_millis(50),
            ring_every: Duration::from_millis(3000),
            manufacturer: "Rig Emulator".into(),
            model: "AT-27007".into(),
            revision: "1.0".into(),
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    silent: AtomicBool,
    /// Commands received, by name (`AT+CLCC`, `ATD`, …).
    counts: Mutex<BTreeMap<String, usize>>,
    /// The last commands, newest last.
    recent: Mutex<Vec<String>>,
}

/// A running emulator; stops when dropped.
pub struct AtEmulator {
    shared: Arc<Shared>,
    _task: AbortOnDrop,
}

impl AtEmulator {
    pub fn spawn<S>(io: S, line: Box<dyn PhoneLine>, opts: AtOptions) -> AtEmulator
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(run(io, line, opts, shared.clone()));
        AtEmulator {
            shared,
            _task: AbortOnDrop(task),
        }
    }

    /// Stop answering (and volunteering anything) until `false` again.
    pub fn set_silent(&self, silent: bool) {
        self.shared.silent.store(silent, Ordering::SeqCst);
    }

    /// How many commands of this name arrived (`AT+CLCC`, `ATD`, `ATA`…).
    pub fn count(&self, name: &str) -> usize {
        self.shared
            .counts
            .lock()
            .unwrap()
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.shared.counts.lock().unwrap().values().sum()
    }

    pub fn recent(&self) -> Vec<String> {
        self.shared.recent.lock().unwrap().clone()
    }
}

struct Emu {
    line: Box<dyn PhoneLine>,
    opts: AtOptions,
    echo: bool,
    clip: bool,
    cmee: u8,
    radio: bool,
    known: Vec<CallInfo>,
    last_ring: Option<Instant>,
}

async fn run<S: AsyncRead + AsyncWrite + Send + 'static>(
    io: S,
    line: Box<dyn PhoneLine>,
    opts: AtOptions,
    shared: Arc<Shared>,
) {
    let (mut rd, mut wr) = tokio::io::split(io);
    let mut tick = interval(opts.poll);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut emu = Emu {
        echo: opts.echo,
        line,
        opts,
        clip: false,
        cmee: 0,
        radio: true,
        known: Vec::new(),
        last_ring: None,
    };
    emu.known = emu.line.calls().await.unwrap_or_default();
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let out = tokio::select! {
            r = rd.read(&mut buf) => {
                let n = match r {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if shared.silent.load(Ordering::SeqCst) {
                    pending.clear();
                    continue;
                }
                let mut out = Vec::new();
                for &b in &buf[..n] {
                    if b == b'\r' {
                        let text = String::from_utf8_lossy(&pending).to_string();
                        pending.clear();
                        // Anything before the AT prefix is ignored (V.250 §5.2.1).
                        let Some(at) = text.to_ascii_uppercase().find("AT") else { continue };
                        let cmd = text[at..].trim().to_string();
                        note(&shared, &cmd);
                        out.extend(emu.volunteer().await);
                        if emu.echo {
                            out.extend_from_slice(cmd.as_bytes());
                            out.push(b'\r');
                        }
                        out.extend(emu.command(&cmd).await);
                    } else if b != b'\n' {
                        pending.push(b);
                    }
                }
                out
            }
            _ = tick.tick() => {
                if shared.silent.load(Ordering::SeqCst) {
                    continue;
                }
                emu.volunteer().await
            }
        };
        if !out.is_empty() && wr.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn note(shared: &Shared, cmd: &str) {
    let upper = cmd.to_ascii_uppercase();
    let name = if upper.starts_with("ATD") {
        "ATD".to_string()
    } else {
        upper
            .split(['=', '?'])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    *shared.counts.lock().unwrap().entry(name).or_default() += 1;
    let mut r = shared.recent.lock().unwrap();
    if r.len() == 50 {
        r.remove(0);
    }
    r.push(cmd.to_string());
}

fn frame(text: &str) -> Vec<u8> {
    format!("\r\n{text}\r\n").into_bytes()
}

fn same_call(a: &CallInfo, b: &CallInfo) -> bool {
    a.incoming == b.incoming && a.number == b.number
}

fn ringing(c: &CallInfo) -> bool {
    c.incoming && matches!(c.status, CallStatus::Incoming | CallStatus::Waiting)
}

fn number_type(n: &str) -> u16 {
    if n.starts_with('+') {
        145
    } else {
        129
    }
}

impl Emu {
    /// Unsolicited result codes for what changed on the line since last seen.
    async fn volunteer(&mut self) -> Vec<u8> {
        let Ok(now) = self.line.calls().await else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let ended = self
            .known
            .iter()
            .filter(|k| !now.iter().any(|c| same_call(c, k)))
            .count();
        for _ in 0..ended {
            out.extend(frame("NO CARRIER"));
        }
        let ring_due = self
            .last_ring
            .is_none_or(|t| t.elapsed() >= self.opts.ring_every);
        for c in now.iter().filter(|c| ringing(c)) {
            let new = !self.known.iter().any(|k| same_call(c, k) && ringing(k));
            if new || ring_due {
                out.extend(frame("RING"));
                if self.clip {
                    let n = c.number.clone().unwrap_or_default();
                    out.extend(frame(&format!("+CLIP: \"{n}\",{}", number_type(&n))));
                }
                self.last_ring = Some(Instant::now());
            }
        }
        if !now.iter().any(ringing) {
            self.last_ring = None;
        }
        self.known = now;
        out
    }

    /// After a command of ours changed the calls: no unsolicited codes for that.
    async fn resync_calls(&mut self) {
        if let Ok(now) = self.line.calls().await {
            self.known = now;
        }
    }

    fn cme(&self, code: u16, text: &str) -> Vec<u8> {
        match self.cmee {
            1 => frame(&format!("+CME ERROR: {code}")),
            2 => frame(&format!("+CME ERROR: {text}")),
            _ => frame("ERROR"),
        }
    }

    fn info_ok(lines: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in lines {
            out.extend(frame(l));
        }
        out.extend(frame("OK"));
        out
    }

    async fn command(&mut self, cmd: &str) -> Vec<u8> {
        let upper = cmd.to_ascii_uppercase();
        let ok = frame("OK");
        match upper.as_str() {
            "AT" => ok,
            "ATE0" | "ATE" => {
                self.echo = false;
                ok
            }
            "ATE1" => {
                self.echo = true;
                ok
            }
            "ATI" => Self::info_ok(&[
                format!("{} {}", self.opts.manufacturer, self.opts.model),
                format!("Revision: {}", self.opts.revision),
            ]),
            "AT+CGMI" => Self::info_ok(std::slice::from_ref(&self.opts.manufacturer)),
            "AT+CGMM" => Self::info_ok(std::slice::from_ref(&self.opts.model)),
            "AT+CGMR" => Self::info_ok(std::slice::from_ref(&self.opts.revision)),
            "AT+CGSN" => Self::info_ok(&["490154203237518".into()]),
            "AT+CMEE=0" | "AT+CMEE=1" | "AT+CMEE=2" => {
                self.cmee = upper.as_bytes()[8] - b'0';
                ok
            }
            "AT+CLIP=0" | "AT+CLIP=1" => {
                self.clip = upper.ends_with('1');
                ok
            }
            "AT+CLIP?" => Self::info_ok(&[format!("+CLIP: {},1", u8::from(self.clip))]),
            "AT+CREG?" => Self::info_ok(&[format!("+CREG: 0,{}", u8::from(self.radio))]),
            "AT+CFUN?" => Self::info_ok(&[format!("+CFUN: {}", if self.radio { 1 } else { 4 })]),
            "AT+CFUN=1" | "AT+CFUN=4" | "AT+CFUN=0" => {
                let on = upper.ends_with('1');
                let r = self.line.set_radio(on).await;
                self.resync_calls().await;
                match r {
                    Ok(()) => {
                        self.radio = on;
                        ok
                    }
                    Err(_) => self.cme(0, "phone failure"),
                }
            }
            "ATA" => {
                let r = self.line.answer().await;
                self.resync_calls().await;
                match r {
                    Ok(()) => ok,
                    Err(_) => frame("NO CARRIER"),
                }
            }
            "AT+CHUP" | "ATH" | "ATH0" => {
                let r = self.line.hang_up().await;
                self.resync_calls().await;
                match r {
                    Ok(()) => ok,
                    Err(_) => self.cme(0, "phone failure"),
                }
            }
            "AT+CLCC" => match self.line.calls().await {
                Ok(calls) => {
                    let lines: Vec<String> = calls
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let stat = match c.status {
                                CallStatus::Active => 0,
                                CallStatus::Held => 1,
                                CallStatus::Dialing => 2,
                                CallStatus::Alerting => 3,
                                CallStatus::Incoming => 4,
                                CallStatus::Waiting => 5,
                            };
                            let n = c.number.clone().unwrap_or_default();
                            format!(
                                "+CLCC: {},{},{stat},0,0,\"{n}\",{}",
                                i + 1,
                                u8::from(c.incoming),
                                number_type(&n)
                            )
                        })
                        .collect();
                    Self::info_ok(&lines)
                }
                Err(_) => self.cme(0, "phone failure"),
            },
            _ if upper.starts_with("ATD") => {
                let Some(number) = cmd[3..].strip_suffix(';') else {
                    // A data call: not offered.
                    return frame("NO CARRIER");
                };
                let r = self.line.dial(number.trim()).await;
                self.resync_calls().await;
                match r {
                    Ok(()) => ok,
                    Err(e) if e.message.contains("radio") || e.message.contains("network") => {
                        self.cme(30, "no network service")
                    }
                    Err(_) => self.cme(3, "operation not allowed"),
                }
            }
            _ => frame("ERROR"),
        }
    }
}

/// A phone line a test drives by hand: the far end of the network.
#[derive(Debug, Clone)]
pub struct ScriptedLine {
    state: Arc<Mutex<(Vec<CallInfo>, bool)>>,
}

impl Default for ScriptedLine {
    fn default() -> Self {
        Self {
            state: Arc::new(Mutex::new((Vec::new(), true))),
        }
    }
}

impl ScriptedLine {
    /// `number` calls this line: it rings.
    pub fn ring(&self, number: &str) {
        self.state.lock().unwrap().0.push(CallInfo {
            incoming: true,
            status: CallStatus::Incoming,
            number: Some(number.into()),
        });
    }

    /// The far end answers our outgoing call.
    pub fn remote_answer(&self) {
        for c in &mut self.state.lock().unwrap().0 {
            if !c.incoming {
                c.status = CallStatus::Active;
            }
        }
    }

    /// The far end hangs up every call.
    pub fn remote_hang_up(&self) {
        self.state.lock().unwrap().0.clear();
    }

    pub fn radio(&self) -> bool {
        self.state.lock().unwrap().1
    }
}

fn rejected(m: &str) -> HwError {
    HwError::new(HwErrorKind::Rejected, "scripted", m)
}

#[async_trait]
impl PhoneLine for ScriptedLine {
    async fn dial(&mut self, number: &str) -> Result<(), HwError> {
        let mut s = self.state.lock().unwrap();
        if !s.1 {
            return Err(rejected("no network service (radio off)"));
        }
        if !s.0.is_empty() {
            return Err(rejected("the line already has a call"));
        }
        s.0.push(CallInfo {
            incoming: false,
            status: CallStatus::Dialing,
            number: Some(number.into()),
        });
        Ok(())
    }

    async fn answer(&mut self) -> Result<(), HwError> {
        let mut s = self.state.lock().unwrap();
        match s.0.iter_mut().find(|c| ringing(c)) {
            Some(c) => {
                c.status = CallStatus::Active;
                Ok(())
            }
            None => Err(rejected("nothing rings")),
        }
    }

    async fn hang_up(&mut self) -> Result<(), HwError> {
        self.state.lock().unwrap().0.clear();
        Ok(())
    }

    async fn calls(&mut self) -> Result<Vec<CallInfo>, HwError> {
        Ok(self.state.lock().unwrap().0.clone())
    }

    async fn set_radio(&mut self, on: bool) -> Result<(), HwError> {
        let mut s = self.state.lock().unwrap();
        if !on {
            s.0.clear();
        }
        s.1 = on;
        Ok(())
    }
}
