//! `rig probe modem|feasa PORT [--baud N]`: talk to one device by its serial port, print
//! what it is and one reading (the Feasa analyser) or its call list (a modem).
//!
//! Exit codes: 0 the device answered sensibly; 2 the port is not a serial port (bad path);
//! 3 a device fault — silent, garbage, refusing, or the port failing — with a message that
//! says which, always within [`DEADLINE`].

use std::time::Duration;

use clap::{Args, Subcommand};

use super::{CliError, ExitCode};
use crate::hw::feasa::codec::CaptureRange;
use crate::hw::feasa::{FeasaAnalyser, FeasaConfig, DEFAULT_BAUD as FEASA_BAUD};
use crate::hw::modem::{AtConfig, AtModem};
use crate::hw::serial::{OpenError, SerialStream};
use crate::hw::{HwError, HwErrorKind, LineState, PhoneLine};

/// The whole probe, open to verdict, ends within this.
pub const DEADLINE: Duration = Duration::from_millis(4500);

#[derive(Debug, Args)]
pub struct ProbeArgs {
    #[command(subcommand)]
    device: Device,
}

#[derive(Debug, Subcommand)]
enum Device {
    /// A cellular modem (AT commands): identity, registration, current calls.
    Modem(ModemArgs),
    /// A Feasa LED Analyser: serial, firmware, one capture of one fibre.
    Feasa(FeasaArgs),
}

#[derive(Debug, Args)]
struct ModemArgs {
    /// The serial port (e.g. /dev/ttyUSB2).
    port: String,
    /// Line speed.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
}

#[derive(Debug, Args)]
struct FeasaArgs {
    /// The serial port (e.g. /dev/ttyUSB0).
    port: String,
    /// Line speed.
    #[arg(long, default_value_t = FEASA_BAUD)]
    baud: u32,
    /// The fibre to read (1–20).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=20))]
    fibre: u8,
    /// Capture range: `auto` (350 ms) or a manual range 1–5.
    #[arg(long, default_value = "auto")]
    range: String,
}

impl ProbeArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Rig(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
        rt.block_on(async {
            let port = match &self.device {
                Device::Modem(a) => a.port.clone(),
                Device::Feasa(a) => a.port.clone(),
            };
            let work = async {
                match self.device {
                    Device::Modem(a) => probe_modem(a).await,
                    Device::Feasa(a) => probe_feasa(a).await,
                }
            };
            match tokio::time::timeout(DEADLINE, work).await {
                Ok(r) => r,
                Err(_) => Err(CliError::Rig(anyhow::anyhow!(
                    "{port}: the device did not finish answering within {} ms",
                    DEADLINE.as_millis()
                ))),
            }
        })
    }
}

fn open(port: &str, baud: u32) -> Result<SerialStream, CliError> {
    SerialStream::open(port, baud).map_err(|e| match e {
        OpenError::NotAPort { .. } => CliError::Usage(e.to_string()),
        OpenError::Failed { .. } => CliError::Rig(anyhow::anyhow!("{e}")),
    })
}

/// A device fault in words: silent, garbage, refusing, or the port.
fn fault(what: &str, port: &str, baud: u32, e: HwError) -> CliError {
    let why = match e.kind {
        HwErrorKind::Timeout => format!(
            "no {what} answers: the device is silent ({}); check the port, power and baud rate ({baud})",
            e.message
        ),
        HwErrorKind::Protocol => format!(
            "the device answers garbage, not {what} ({}); check the baud rate ({baud}) and that this is the right port",
            e.message
        ),
        HwErrorKind::Rejected => format!("the {what} refused: {}", e.message),
        HwErrorKind::Unreachable => format!("the port failed: {}", e.message),
    };
    CliError::Rig(anyhow::anyhow!("{port}: {why}"))
}

async fn probe_modem(a: ModemArgs) -> Result<ExitCode, CliError> {
    let stream = open(&a.port, a.baud)?;
    let cfg = AtConfig {
        command_timeout: Duration::from_millis(1000),
        call_timeout: Duration::from_millis(1000),
        resync_timeout: Duration::from_millis(1500),
        ..AtConfig::default()
    };
    let f = |e| fault("AT modem", &a.port, a.baud, e);
    let mut m = AtModem::new(stream, a.port.clone()).with_config(cfg);
    m.start().await.map_err(f)?;
    let id = m.identity().await.map_err(f)?;
    let registration = match m.registration().await {
        Ok(r) => r.to_string(),
        Err(e) if e.kind == HwErrorKind::Rejected => format!("not reported ({})", e.message),
        Err(e) => return Err(f(e)),
    };
    let calls = m.calls().await.map_err(f)?;
    println!("modem on {} ({} baud)", a.port, a.baud);
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not reported)".into());
    println!("  manufacturer: {}", show(&id.manufacturer));
    println!("  model:        {}", show(&id.model));
    println!("  revision:     {}", show(&id.revision));
    for l in &id.ati {
        println!("  ATI:          {l}");
    }
    println!("  registration: {registration}");
    if calls.is_empty() {
        println!("  calls:        none (idle)");
    } else {
        println!(
            "  calls:        {} ({})",
            calls.len(),
            LineState::of(&calls)
        );
        for c in &calls {
            println!(
                "    {} {:?} {}",
                if c.incoming { "incoming" } else { "outgoing" },
                c.status,
                c.number.as_deref().unwrap_or("(no number)")
            );
        }
    }
    for e in m.take_events() {
        println!("  event:        {e:?}");
    }
    Ok(ExitCode::Ok)
}

fn range(s: &str) -> Result<CaptureRange, CliError> {
    match s {
        "auto" => Ok(CaptureRange::Auto),
        "1" | "2" | "3" | "4" | "5" => Ok(CaptureRange::Manual(s.parse().expect("digit"))),
        _ => Err(CliError::Usage(format!(
            "--range {s}: use auto or a manual range 1–5"
        ))),
    }
}

async fn probe_feasa(a: FeasaArgs) -> Result<ExitCode, CliError> {
    let range = range(&a.range)?;
    let stream = open(&a.port, a.baud)?;
    let f = |e| fault("Feasa LED Analyser", &a.port, a.baud, e);
    let mut an = FeasaAnalyser::new(stream, a.port.clone()).with_config(FeasaConfig {
        answer_timeout: Duration::from_millis(1000),
        ..FeasaConfig::default()
    });
    let id = an.identity().await.map_err(f)?;
    an.capture(range).await.map_err(f)?;
    let rgbi = an.rgbi(a.fibre).await.map_err(f)?;
    let hsi = an.hsi(a.fibre).await.map_err(f)?;
    println!("Feasa LED Analyser on {} ({} baud)", a.port, a.baud);
    println!("  serial:   {}", id.serial);
    println!("  firmware: {}", id.version);
    let state = match rgbi.i {
        0 => " (under range: off or too dim)",
        i if i >= 99_999 => " (over range: too bright for this range)",
        _ => "",
    };
    println!(
        "  fibre {:02}: RGB {:03} {:03} {:03}, intensity {:05}{state}",
        a.fibre, rgbi.r, rgbi.g, rgbi.b, rgbi.i
    );
    match hsi.hue {
        Some(h) => println!(
            "            hue {h:.2}, saturation {}, intensity {:05}",
            hsi.saturation, hsi.intensity
        ),
        None => println!(
            "            hue out of range, intensity {:05}",
            hsi.intensity
        ),
    }
    Ok(ExitCode::Ok)
}
