//! A Feasa LED Analyser emulator looking at scripted LEDs, following the user manual's
//! command set: commands end with `<CR>` or `<LF>` (empty lines ignored), are not case
//! sensitive, and every answer line ends with `<CR><LF>`. Captures take the manual's
//! capture times on tokio's clock; LEDs blink on tokio's clock from the emulator's start.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{sleep, Instant};

use super::AbortOnDrop;

/// What one fibre looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Led {
    /// Colour as the analyser normalises it (0–255 per channel).
    pub rgb: (u8, u8, u8),
    /// Intensity when lit (0–99999).
    pub intensity: u32,
    /// `Some((on_ms, off_ms))`: blinks, starting lit at the emulator's start.
    pub blink: Option<(u64, u64)>,
}

impl Led {
    pub fn steady(rgb: (u8, u8, u8), intensity: u32) -> Led {
        Led {
            rgb,
            intensity,
            blink: None,
        }
    }

    fn lit(&self, since_start: Duration) -> bool {
        match self.blink {
            None => true,
            Some((on, off)) => (since_start.as_millis() as u64) % (on + off) < on,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Reading {
    rgb: (u8, u8, u8),
    i: u32,
}

#[derive(Debug)]
struct State {
    leds: BTreeMap<u8, Led>,
    captured: BTreeMap<u8, Reading>,
    seq_capture: u64,
    seq_wait: u64,
    seq_number: usize,
    seq_threshold: u32,
    sequence: BTreeMap<u8, Vec<bool>>,
    counts: BTreeMap<String, usize>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    silent: AtomicBool,
}

/// A running emulator; stops when dropped.
pub struct FeasaEmulator {
    shared: Arc<Shared>,
    _task: AbortOnDrop,
}

pub const SERIAL: &str = "75A6";
pub const VERSION: &str = "F2.13";

impl FeasaEmulator {
    pub fn spawn<S>(io: S, leds: BTreeMap<u8, Led>) -> FeasaEmulator
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                leds,
                captured: BTreeMap::new(),
                seq_capture: 10,
                seq_wait: 0,
                seq_number: 100,
                seq_threshold: 1000,
                sequence: BTreeMap::new(),
                counts: BTreeMap::new(),
            }),
            silent: AtomicBool::new(false),
        });
        let task = tokio::spawn(run(io, shared.clone()));
        FeasaEmulator {
            shared,
            _task: AbortOnDrop(task),
        }
    }

    pub fn set_silent(&self, silent: bool) {
        self.shared.silent.store(silent, Ordering::SeqCst);
    }

    /// Commands received whose text starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        let s = self.shared.state.lock().unwrap();
        s.counts
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }
}

fn answer(lines: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

async fn run<S: AsyncRead + AsyncWrite + Send + 'static>(io: S, shared: Arc<Shared>) {
    let start = Instant::now();
    let mut io = Box::pin(io);
    let mut pending = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let n = match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if b != b'\r' && b != b'\n' {
                pending.push(b);
                continue;
            }
            if pending.is_empty() {
                continue;
            }
            let cmd = String::from_utf8_lossy(&pending)
                .trim()
                .to_ascii_lowercase();
            pending.clear();
            if shared.silent.load(Ordering::SeqCst) {
                continue;
            }
            let out = command(&shared, &cmd, start).await;
            if io.write_all(&answer(&out)).await.is_err() {
                return;
            }
        }
    }
}

fn fibre_of(cmd: &str, prefix: &str) -> Option<u8> {
    let rest = cmd.strip_prefix(prefix)?;
    if rest.len() != 2 {
        return None;
    }
    rest.parse().ok().filter(|f| (1..=20).contains(f))
}

fn capture_ms(range: &str) -> Option<u64> {
    Some(match range {
        "" => 350,
        "1" => 650,
        "2" => 200,
        "3" => 22,
        "4" => 4,
        "5" => 2,
        "pwm" => 2000,
        "1pwm" => 4500,
        "2pwm" => 3500,
        "3pwm" => 2500,
        "4pwm" => 500,
        "5pwm" => 250,
        _ => return None,
    })
}

/// Hue 0–360, saturation 0–100 of a normalised colour.
fn hue_saturation((r, g, b): (u8, u8, u8)) -> (f64, u32) {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    if max <= 0.0 {
        return (0.0, 0);
    }
    let d = max - min;
    let sat = (100.0 * d / max).round() as u32;
    if d == 0.0 {
        return (0.0, sat);
    }
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h, sat)
}

async fn command(shared: &Shared, cmd: &str, start: Instant) -> Vec<String> {
    let ok = || vec!["OK".to_string()];
    {
        let mut s = shared.state.lock().unwrap();
        *s.counts.entry(cmd.to_string()).or_default() += 1;
    }
    if let Some(range) = cmd.strip_prefix("capture") {
        if range == "sequence" {
            let (step, capture, n, threshold, leds) = {
                let s = shared.state.lock().unwrap();
                (
                    s.seq_capture + s.seq_wait,
                    s.seq_capture,
                    s.seq_number,
                    s.seq_threshold,
                    s.leds.clone(),
                )
            };
            let t0 = Instant::now() - start;
            let mut seq = BTreeMap::new();
            for (f, led) in &leds {
                let bits = (0..n)
                    .map(|i| {
                        let at = t0 + Duration::from_millis(i as u64 * step + capture / 2);
                        led.lit(at) && led.intensity > threshold
                    })
                    .collect::<Vec<_>>();
                seq.insert(*f, bits);
            }
            sleep(Duration::from_millis(step * n as u64)).await;
            shared.state.lock().unwrap().sequence = seq;
            return ok();
        }
        let Some(ms) = capture_ms(range) else {
            return vec!["ERROR".into()];
        };
        let mid = Instant::now() - start + Duration::from_millis(ms / 2);
        sleep(Duration::from_millis(ms)).await;
        let mut s = shared.state.lock().unwrap();
        let readings: BTreeMap<u8, Reading> = s
            .leds
            .iter()
            .map(|(f, led)| {
                let r = if led.lit(mid) {
                    Reading {
                        rgb: led.rgb,
                        i: led.intensity,
                    }
                } else {
                    Reading::default()
                };
                (*f, r)
            })
            .collect();
        s.captured = readings;
        return ok();
    }
    let mut s = shared.state.lock().unwrap();
    let reading = |s: &State, f: u8| s.captured.get(&f).copied().unwrap_or_default();
    if let Some(f) = fibre_of(cmd, "getrgbi") {
        let r = reading(&s, f);
        return vec![format!(
            "{:03} {:03} {:03} {:05}",
            r.rgb.0, r.rgb.1, r.rgb.2, r.i
        )];
    }
    if let Some(f) = fibre_of(cmd, "gethsi") {
        let r = reading(&s, f);
        if r.i == 0 {
            return vec!["999.99 999 00000".into()];
        }
        let (h, sat) = hue_saturation(r.rgb);
        return vec![format!("{h:06.2} {sat:03} {:05}", r.i)];
    }
    if let Some(f) = fibre_of(cmd, "getintensity") {
        return vec![format!("{:05}", reading(&s, f).i)];
    }
    if let Some(f) = fibre_of(cmd, "getsequencetimes") {
        let step = s.seq_capture + s.seq_wait;
        let bits = s.sequence.get(&f).cloned().unwrap_or_default();
        let off1 = bits.iter().take_while(|b| !**b).count();
        let on = bits[off1..].iter().take_while(|b| **b).count();
        let off2 = bits.len() - off1 - on;
        return vec![format!(
            "Toff1 = {:05}ms Ton = {:05} ms Toff2 = {:05}ms",
            off1 as u64 * step,
            on as u64 * step,
            off2 as u64 * step
        )];
    }
    if let Some(f) = fibre_of(cmd, "getsequence") {
        let n = s.seq_number;
        let bits = s
            .sequence
            .get(&f)
            .cloned()
            .unwrap_or_else(|| vec![false; n]);
        return bits.iter().map(|b| u8::from(*b).to_string()).collect();
    }
    let number = |p: &str, digits: &[usize]| -> Option<u64> {
        let rest = cmd.strip_prefix(p)?;
        (digits.contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_digit()))
            .then(|| rest.parse().ok())
            .flatten()
    };
    for p in ["put", "set"] {
        if let Some(v) = number(&format!("{p}sequencecapture"), &[2, 3]) {
            if v == 0 {
                return vec!["ERROR".into()];
            }
            s.seq_capture = v;
            return ok();
        }
        if let Some(v) = number(&format!("{p}sequencewait"), &[2, 3]) {
            s.seq_wait = v;
            return ok();
        }
        if let Some(v) = number(&format!("{p}sequencenumber"), &[3, 4]) {
            s.seq_number = v as usize;
            return ok();
        }
        if let Some(v) = number(&format!("{p}sequencethreshold"), &[5]) {
            s.seq_threshold = v as u32;
            return ok();
        }
    }
    match cmd {
        "getserial" => vec![SERIAL.into()],
        "getversion" => vec![VERSION.into()],
        _ => vec!["ERROR".into()],
    }
}
