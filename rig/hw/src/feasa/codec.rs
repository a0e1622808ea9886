//! The Feasa LED Analyser codec: commands to bytes, answer lines to readings. Pure.
//!
//! Commands are ASCII, not case-sensitive, ended by `<CR>` or `<LF>`; every answer line
//! ends with `<CR><LF>` (optionally followed by EOT, 0x04: the line splitter treats it as a
//! line end). See `mod.rs` for the command set followed and the assumptions.

use crate::Sample;

/// The analyser's default baud rate.
pub const DEFAULT_BAUD: u32 = 57_600;

/// A capture's exposure: automatic, or a manual range 1 (most sensitive, slowest) to 5;
/// `pwm` variants average over a pulse-width-modulated light.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureRange {
    /// `capture`: auto range (350 ms).
    Auto,
    /// `capture<n>`, n = 1–5: a manual range (650, 200, 22, 4, 2 ms).
    Manual(u8),
    /// `capturepwm`: auto range for PWM lights (about 2 s).
    AutoPwm,
    /// `capture<n>pwm`: a manual range for PWM lights.
    ManualPwm(u8),
}

impl CaptureRange {
    /// How long the analyser takes to capture (the manual's tables), before it answers.
    pub fn capture_ms(self) -> u64 {
        match self {
            CaptureRange::Auto => 350,
            CaptureRange::Manual(n) => match n {
                1 => 650,
                2 => 200,
                3 => 22,
                4 => 4,
                _ => 2,
            },
            CaptureRange::AutoPwm => 2000,
            CaptureRange::ManualPwm(n) => match n {
                1 => 4500,
                2 => 3500,
                3 => 2500,
                4 => 500,
                _ => 250,
            },
        }
    }

    pub fn is_valid(self) -> bool {
        match self {
            CaptureRange::Manual(n) | CaptureRange::ManualPwm(n) => (1..=5).contains(&n),
            _ => true,
        }
    }
}

/// A sequence capture's settings (the `put…` commands: RAM, not flash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceSetup {
    /// Capture time of each sample, 1–999 ms.
    pub capture_ms: u16,
    /// Wait between samples, 0–999 ms.
    pub wait_ms: u16,
    /// Samples per sequence, 1–9999.
    pub count: u16,
    /// Intensity above which a sample is "on", 0–99999.
    pub threshold: u32,
}

impl SequenceSetup {
    /// Time from one sample to the next.
    pub fn step_ms(&self) -> u64 {
        u64::from(self.capture_ms) + u64::from(self.wait_ms)
    }

    /// How long the analyser is busy with one `capturesequence`.
    pub fn duration_ms(&self) -> u64 {
        self.step_ms() * u64::from(self.count)
    }

    pub fn check(&self) -> Result<(), SetupError> {
        if !(1..=999).contains(&self.capture_ms) {
            return Err(SetupError::CaptureTime(self.capture_ms));
        }
        if self.wait_ms > 999 {
            return Err(SetupError::Wait(self.wait_ms));
        }
        if !(1..=9999).contains(&self.count) {
            return Err(SetupError::Count(self.count));
        }
        if self.threshold > 99_999 {
            return Err(SetupError::Threshold(self.threshold));
        }
        Ok(())
    }
}

/// A sequence set-up the analyser cannot take: which setting is out of its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error("capture time {0} ms is not 1–999")]
    CaptureTime(u16),
    #[error("wait {0} ms is not 0–999")]
    Wait(u16),
    #[error("{0} samples is not 1–9999")]
    Count(u16),
    #[error("threshold {0} is not 0–99999")]
    Threshold(u32),
}

/// A command to the analyser. Fibres are 1–20 (sent as two digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Capture(CaptureRange),
    /// `getrgbi##`: `rrr ggg bbb iiiii`.
    GetRgbi(u8),
    /// `gethsi##`: `hhh.hh sss iiiii`.
    GetHsi(u8),
    /// `getintensity##`: `iiiii`.
    GetIntensity(u8),
    /// `getserial`: four alphanumerics.
    GetSerial,
    /// `getversion`: the firmware version (one line).
    GetVersion,
    PutSequenceCapture(u16),
    PutSequenceWait(u16),
    PutSequenceNumber(u16),
    PutSequenceThreshold(u32),
    /// `capturesequence`: runs the whole sequence, then `OK`.
    CaptureSequence,
    /// `getsequence##`: one `0`/`1` line per sample.
    GetSequence {
        fibre: u8,
        count: u16,
    },
    /// `getsequencetimes##`: `Toff1 = …ms Ton = … ms Toff2 = …ms`.
    GetSequenceTimes(u8),
}

impl Command {
    pub fn text(&self) -> String {
        match self {
            Command::Capture(CaptureRange::Auto) => "capture".into(),
            Command::Capture(CaptureRange::Manual(n)) => format!("capture{n}"),
            Command::Capture(CaptureRange::AutoPwm) => "capturepwm".into(),
            Command::Capture(CaptureRange::ManualPwm(n)) => format!("capture{n}pwm"),
            Command::GetRgbi(f) => format!("getrgbi{f:02}"),
            Command::GetHsi(f) => format!("gethsi{f:02}"),
            Command::GetIntensity(f) => format!("getintensity{f:02}"),
            Command::GetSerial => "getserial".into(),
            Command::GetVersion => "getversion".into(),
            Command::PutSequenceCapture(ms) => format!("putsequencecapture{ms:03}"),
            Command::PutSequenceWait(ms) => format!("putsequencewait{ms:03}"),
            Command::PutSequenceNumber(n) => format!("putsequencenumber{n:04}"),
            Command::PutSequenceThreshold(t) => format!("putsequencethreshold{t:05}"),
            Command::CaptureSequence => "capturesequence".into(),
            Command::GetSequence { fibre, .. } => format!("getsequence{fibre:02}"),
            Command::GetSequenceTimes(f) => format!("getsequencetimes{f:02}"),
        }
    }

    /// The bytes on the wire, ended by `<CR><LF>`: a terminal splitting at either (the
    /// manual's rule) sees an empty line after the CR and ignores it; one that reads lines
    /// up to LF gets the whole command.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = self.text().into_bytes();
        v.extend_from_slice(b"\r\n");
        v
    }

    /// How many answer lines the command gets.
    pub fn reply_lines(&self) -> usize {
        match self {
            Command::GetSequence { count, .. } => usize::from(*count),
            _ => 1,
        }
    }
}

/// Fibre numbers the analysers have (a 20-F has 20).
pub fn valid_fibre(f: u8) -> bool {
    (1..=20).contains(&f)
}

/// Why an answer is not the reading asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Not the answer's format at all.
    Garbage(String),
    /// `XXX…`: a blinking (PWM) light captured with a non-PWM capture.
    WrongCaptureMode,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Garbage(l) => write!(f, "unexpected answer {l:?}"),
            Fault::WrongCaptureMode => f.write_str(
                "incorrect capture mode (XXX): the light is PWM; capture with a pwm range",
            ),
        }
    }
}

fn garbage(line: &str) -> Fault {
    Fault::Garbage(line.chars().take(80).collect())
}

fn tokens(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn is_x(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c == 'X' || c == 'x' || c == '.')
}

/// `OK`.
pub fn parse_ok(line: &str) -> Result<(), Fault> {
    if line.trim().eq_ignore_ascii_case("OK") {
        Ok(())
    } else {
        Err(garbage(line))
    }
}

/// `getrgbi##`: colour normalised to 0–255 per channel and intensity 0–99999.
/// `000 000 000 00000` is under range (off); `255 255 255 99999` over range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgbi {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub i: u32,
}

impl Rgbi {
    /// As an RGB+clear sample: the colour scaled by the intensity, `c` the intensity, so
    /// chromaticity is the analyser's and levels follow its intensity.
    pub fn to_sample(self, t_ms: f64) -> Sample {
        let i = self.i as f32;
        Sample {
            t_ms,
            r: i * f32::from(self.r) / 255.0,
            g: i * f32::from(self.g) / 255.0,
            b: i * f32::from(self.b) / 255.0,
            c: i,
        }
    }

    pub fn is_over_range(self) -> bool {
        self.i >= 99_999
    }
}

pub fn parse_rgbi(line: &str) -> Result<Rgbi, Fault> {
    let t = tokens(line);
    if t.len() == 4 && t.iter().all(|x| is_x(x)) {
        return Err(Fault::WrongCaptureMode);
    }
    if t.len() != 4 || !t.iter().all(|x| x.chars().all(|c| c.is_ascii_digit())) {
        return Err(garbage(line));
    }
    let c = |s: &str| s.parse::<u8>().map_err(|_| garbage(line));
    let i: u32 = t[3].parse().map_err(|_| garbage(line))?;
    if i > 99_999 {
        return Err(garbage(line));
    }
    Ok(Rgbi {
        r: c(t[0])?,
        g: c(t[1])?,
        b: c(t[2])?,
        i,
    })
}

/// `gethsi##`: hue 0–360 (`None`: `999.99`, under or over range), saturation 0–100,
/// intensity 0–99999.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hsi {
    pub hue: Option<f32>,
    pub saturation: u16,
    pub intensity: u32,
}

pub fn parse_hsi(line: &str) -> Result<Hsi, Fault> {
    let t = tokens(line);
    if t.len() == 3 && t.iter().all(|x| is_x(x)) {
        return Err(Fault::WrongCaptureMode);
    }
    if t.len() != 3 {
        return Err(garbage(line));
    }
    let hue: f32 = t[0].parse().map_err(|_| garbage(line))?;
    let saturation: u16 = t[1].parse().map_err(|_| garbage(line))?;
    let intensity: u32 = t[2].parse().map_err(|_| garbage(line))?;
    if !(0.0..=999.99).contains(&hue) || intensity > 99_999 {
        return Err(garbage(line));
    }
    let out_of_range = hue > 360.0;
    if !out_of_range && saturation > 100 {
        return Err(garbage(line));
    }
    Ok(Hsi {
        hue: (!out_of_range).then_some(hue),
        saturation,
        intensity,
    })
}

/// `getintensity##`: `iiiii`.
pub fn parse_intensity(line: &str) -> Result<u32, Fault> {
    let t = line.trim();
    if is_x(t) {
        return Err(Fault::WrongCaptureMode);
    }
    match t.parse::<u32>() {
        Ok(i) if i <= 99_999 && t.chars().all(|c| c.is_ascii_digit()) => Ok(i),
        _ => Err(garbage(line)),
    }
}

/// `getserial`: an alphanumeric serial (four characters on the analysers documented).
pub fn parse_serial(line: &str) -> Result<String, Fault> {
    let t = line.trim();
    if (1..=16).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(t.to_string())
    } else {
        Err(garbage(line))
    }
}

/// `getversion`: free text, but printable and short.
pub fn parse_version(line: &str) -> Result<String, Fault> {
    let t = line.trim();
    if (1..=64).contains(&t.len()) && t.chars().any(|c| c.is_ascii_alphanumeric()) {
        Ok(t.to_string())
    } else {
        Err(garbage(line))
    }
}

/// One `getsequence##` line: `0` or `1`.
pub fn parse_bit(line: &str) -> Result<bool, Fault> {
    match line.trim() {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(garbage(line)),
    }
}

/// `getsequencetimes##`: off before, on, off after, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceTimes {
    pub off_before_ms: u32,
    pub on_ms: u32,
    pub off_after_ms: u32,
}

/// `Toff1 = 00350ms Ton = 00340 ms Toff2 = 76910ms` (spacing varies).
pub fn parse_sequence_times(line: &str) -> Result<SequenceTimes, Fault> {
    let mut values = Vec::new();
    for part in line.split('=').skip(1) {
        let digits: String = part
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        values.push(digits.parse::<u32>().map_err(|_| garbage(line))?);
    }
    let lower = line.to_ascii_lowercase();
    if values.len() != 3 || !lower.contains("toff1") || !lower.contains("ton") {
        return Err(garbage(line));
    }
    Ok(SequenceTimes {
        off_before_ms: values[0],
        on_ms: values[1],
        off_after_ms: values[2],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_encode_as_the_manual_spells_them() {
        assert_eq!(
            Command::Capture(CaptureRange::Auto).encode(),
            b"capture\r\n"
        );
        assert_eq!(Command::Capture(CaptureRange::Manual(3)).text(), "capture3");
        assert_eq!(Command::Capture(CaptureRange::AutoPwm).text(), "capturepwm");
        assert_eq!(Command::GetRgbi(1).encode(), b"getrgbi01\r\n");
        assert_eq!(Command::GetHsi(12).text(), "gethsi12");
        assert_eq!(Command::GetIntensity(5).text(), "getintensity05");
        assert_eq!(
            Command::PutSequenceCapture(5).text(),
            "putsequencecapture005"
        );
        assert_eq!(Command::PutSequenceWait(0).text(), "putsequencewait000");
        assert_eq!(
            Command::PutSequenceNumber(250).text(),
            "putsequencenumber0250"
        );
        assert_eq!(
            Command::PutSequenceThreshold(9500).text(),
            "putsequencethreshold09500"
        );
        assert_eq!(
            Command::GetSequence {
                fibre: 1,
                count: 50
            }
            .text(),
            "getsequence01"
        );
        assert_eq!(
            Command::GetSequence {
                fibre: 1,
                count: 50
            }
            .reply_lines(),
            50
        );
        assert_eq!(Command::GetSequenceTimes(1).text(), "getsequencetimes01");
    }

    #[test]
    fn rgbi_answers_including_the_range_conditions() {
        assert_eq!(
            parse_rgbi("006 230 018 06383").unwrap(),
            Rgbi {
                r: 6,
                g: 230,
                b: 18,
                i: 6383
            }
        );
        assert_eq!(parse_rgbi("000 000 000 00000").unwrap().i, 0);
        assert!(parse_rgbi("255 255 255 99999").unwrap().is_over_range());
        assert_eq!(
            parse_rgbi("XXX XXX XXX XXXXX"),
            Err(Fault::WrongCaptureMode)
        );
        assert!(matches!(parse_rgbi("OK"), Err(Fault::Garbage(_))));
        assert!(parse_rgbi("256 0 0 1").is_err());
        assert!(parse_rgbi("1 2 3").is_err());
        assert!(parse_rgbi("-1 2 3 4").is_err());
        let s = parse_rgbi("006 230 018 06383").unwrap().to_sample(12.5);
        assert_eq!(s.t_ms, 12.5);
        assert_eq!(s.c, 6383.0);
        assert!((s.g - 6383.0 * 230.0 / 255.0).abs() < 0.01);
    }

    #[test]
    fn hsi_answers_including_out_of_range() {
        let h = parse_hsi("123.47 098 06383").unwrap();
        assert_eq!(h.hue, Some(123.47));
        assert_eq!(h.saturation, 98);
        assert_eq!(h.intensity, 6383);
        let under = parse_hsi("999.99 999 00000").unwrap();
        assert_eq!(under.hue, None);
        assert_eq!(under.intensity, 0);
        assert_eq!(parse_hsi("XXX.XX XXX XXXXX"), Err(Fault::WrongCaptureMode));
        assert!(parse_hsi("12 3").is_err());
    }

    #[test]
    fn identity_bits_and_times() {
        assert_eq!(parse_serial("75A6").unwrap(), "75A6");
        assert!(parse_serial("7 5").is_err());
        assert!(parse_version("").is_err());
        assert_eq!(parse_intensity("06734").unwrap(), 6734);
        assert!(parse_intensity("6x").is_err());
        assert!(parse_bit("1").unwrap());
        assert!(!parse_bit("0").unwrap());
        assert!(parse_bit("2").is_err());
        assert_eq!(
            parse_sequence_times("Toff1 = 00350ms Ton = 00340 ms Toff2 = 76910ms").unwrap(),
            SequenceTimes {
                off_before_ms: 350,
                on_ms: 340,
                off_after_ms: 76910
            }
        );
        assert!(parse_sequence_times("Toff1 = x").is_err());
        assert!(parse_ok("ok").is_ok());
        assert!(parse_ok("ERR").is_err());
    }

    #[test]
    fn sequence_setup_limits_and_timing() {
        let s = SequenceSetup {
            capture_ms: 4,
            wait_ms: 1,
            count: 200,
            threshold: 500,
        };
        assert!(s.check().is_ok());
        assert_eq!(s.step_ms(), 5);
        assert_eq!(s.duration_ms(), 1000);
        assert_eq!(
            SequenceSetup { capture_ms: 0, ..s }.check(),
            Err(SetupError::CaptureTime(0))
        );
        assert_eq!(
            SequenceSetup { count: 10000, ..s }.check(),
            Err(SetupError::Count(10000))
        );
        assert!(CaptureRange::Manual(5).is_valid());
        assert!(!CaptureRange::Manual(6).is_valid());
        assert_eq!(CaptureRange::Manual(3).capture_ms(), 22);
    }
}
