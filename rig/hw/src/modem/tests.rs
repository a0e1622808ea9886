//! The AT driver over `tokio::io::duplex` against a scripted peer, in virtual time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::time::Instant;

use super::codec::{Clip, Registration, Urc};
use super::{AtConfig, AtModem};
use crate::{CallStatus, HwErrorKind, PhoneLine};

/// How the scripted peer answers one command line: `None` stays silent.
type Script = Arc<Mutex<dyn FnMut(&str) -> Option<String> + Send>>;

/// A peer that reads CR-terminated command lines, echoes them (V.250 `ATE1` default) until
/// `ATE0`, and answers with what the script says. Returns the log of commands it got.
fn peer(mut io: DuplexStream, script: Script) -> Arc<Mutex<Vec<String>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        let mut echo = true;
        let mut line = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = match io.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if b != b'\r' {
                    line.push(b);
                    continue;
                }
                let cmd = String::from_utf8_lossy(&line).trim().to_string();
                line.clear();
                seen.lock().unwrap().push(cmd.clone());
                let reply = (script.lock().unwrap())(&cmd);
                let Some(reply) = reply else { continue };
                let mut out = Vec::new();
                if echo {
                    out.extend_from_slice(cmd.as_bytes());
                    out.push(b'\r');
                }
                if cmd.eq_ignore_ascii_case("ATE0") {
                    echo = false;
                }
                out.extend_from_slice(reply.as_bytes());
                if io.write_all(&out).await.is_err() {
                    return;
                }
            }
        }
    });
    log
}

fn ok() -> Option<String> {
    Some("\r\nOK\r\n".into())
}

/// A well-behaved modem with one incoming call ringing.
fn good_modem(cmd: &str) -> Option<String> {
    match cmd {
        "AT+CLCC" => Some(
            "\r\nRING\r\n\r\n+CLIP: \"07700900002\",129\r\n\
             \r\n+CLCC: 1,1,4,0,0,\"07700900002\",129\r\n\r\nOK\r\n"
                .into(),
        ),
        "AT+CGMI" => Some("\r\nQuectel\r\n\r\nOK\r\n".into()),
        "AT+CGMM" => Some("\r\n+CGMM: EC25\r\n\r\nOK\r\n".into()),
        "AT+CGMR" => Some("\r\nERROR\r\n".into()),
        "AT+CREG?" => Some("\r\n+CREG: 0,5\r\n\r\nOK\r\n".into()),
        "AT+CLIP=1" => Some("\r\n+CME ERROR: 4\r\n".into()),
        _ => ok(),
    }
}

fn modem(
    script: impl FnMut(&str) -> Option<String> + Send + 'static,
) -> (AtModem<DuplexStream>, Arc<Mutex<Vec<String>>>) {
    let (rig, dev) = tokio::io::duplex(4096);
    let log = peer(dev, Arc::new(Mutex::new(script)));
    (AtModem::new(rig, "mobile"), log)
}

#[tokio::test(start_paused = true)]
async fn starts_up_then_lists_calls_keeping_the_unsolicited_ring() {
    let (mut m, log) = modem(good_modem);
    m.start().await.unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        vec!["AT", "ATE0", "AT+CMEE=1", "AT+CLIP=1"],
        "start-up sequence (a refused +CLIP is tolerated)"
    );
    let calls = m.calls().await.unwrap();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].incoming);
    assert_eq!(calls[0].status, CallStatus::Incoming);
    assert_eq!(calls[0].number.as_deref(), Some("07700900002"));
    assert_eq!(
        m.take_events(),
        vec![
            Urc::Ring,
            Urc::Clip(Clip {
                number: "07700900002".into(),
                kind: 129
            })
        ]
    );
    assert!(m.take_events().is_empty());
    let id = m.identity().await.unwrap();
    assert_eq!(id.manufacturer.as_deref(), Some("Quectel"));
    assert_eq!(id.model.as_deref(), Some("EC25"));
    assert_eq!(id.revision, None);
    assert_eq!(m.registration().await.unwrap(), Registration::Roaming);
}

#[tokio::test(start_paused = true)]
async fn call_control_maps_to_at_commands_and_result_codes() {
    let (mut m, log) = modem(|cmd| match cmd {
        "ATD07700900009;" => Some("\r\nBUSY\r\n".into()),
        "ATA" => Some("\r\nNO CARRIER\r\n".into()),
        "AT+CHUP" => Some("\r\nERROR\r\n".into()),
        "AT+CFUN=4" => Some("\r\n+CME ERROR: 3\r\n".into()),
        _ => ok(),
    });
    m.dial("07700900001").await.unwrap();
    let e = m.dial("07700900009").await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);
    assert!(e.message.contains("BUSY"), "{e}");
    let e = m.answer().await.unwrap_err();
    assert!(e.message.contains("ATA answered NO CARRIER"), "{e}");
    // No +CHUP: falls back to ATH.
    m.hang_up().await.unwrap();
    m.set_radio(true).await.unwrap();
    let e = m.set_radio(false).await.unwrap_err();
    assert!(e.message.contains("operation not allowed"), "{e}");
    let e = m.dial("1;+CFUN=0").await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);
    let sent = log.lock().unwrap().clone();
    assert_eq!(
        sent[4..],
        [
            "ATD07700900001;",
            "ATD07700900009;",
            "ATA",
            "AT+CHUP",
            "ATH",
            "AT+CFUN=1",
            "AT+CFUN=4"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_modem_that_stops_answering_times_out_promptly_and_recovers() {
    let silent = Arc::new(Mutex::new(false));
    let s = silent.clone();
    let (mut m, log) = modem(move |cmd| {
        if *s.lock().unwrap() {
            None
        } else {
            good_modem(cmd)
        }
    });
    m.start().await.unwrap();
    *silent.lock().unwrap() = true;
    let t0 = Instant::now();
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
    assert_eq!(e.device, "mobile");
    assert_eq!(t0.elapsed(), AtConfig::default().command_timeout);
    // Still silent: the next command fails on the AT probe, as fast.
    let t0 = Instant::now();
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
    assert!(e.message.contains("no answer to AT"), "{e}");
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t0.elapsed()
    );
    // Back: resynchronises (AT, ATE0…) and answers.
    *silent.lock().unwrap() = false;
    log.lock().unwrap().clear();
    assert_eq!(m.calls().await.unwrap().len(), 1);
    assert_eq!(
        *log.lock().unwrap(),
        ["AT", "ATE0", "AT+CMEE=1", "AT+CLIP=1", "AT+CLCC"]
    );
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_command_does_not_leak_its_answer_into_the_next() {
    // The first AT+CLCC is answered late (after the caller gave up); its answer must not
    // be taken for the next command's.
    let late = Arc::new(Mutex::new(true));
    let (rig, mut dev) = tokio::io::duplex(4096);
    let l = late.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 64];
        let mut line = Vec::new();
        loop {
            let n = match dev.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if b != b'\r' {
                    line.push(b);
                    continue;
                }
                let cmd = String::from_utf8_lossy(&line).to_string();
                line.clear();
                let reply = match cmd.as_str() {
                    "AT+CLCC" if std::mem::replace(&mut *l.lock().unwrap(), false) => {
                        tokio::time::sleep(Duration::from_millis(700)).await;
                        "\r\n+CLCC: 1,0,0,0,0,\"stale\",129\r\n\r\nOK\r\n"
                    }
                    "AT+CLCC" => "\r\nOK\r\n",
                    _ => "\r\nOK\r\n",
                };
                dev.write_all(reply.as_bytes()).await.unwrap();
            }
        }
    });
    let mut m = AtModem::new(rig, "caller");
    m.start().await.unwrap();
    let r = tokio::time::timeout(Duration::from_millis(100), m.calls()).await;
    assert!(r.is_err(), "the outer timeout drops the call");
    // The next list must be the fresh (empty) one, not the stale active call.
    assert_eq!(m.calls().await.unwrap(), vec![]);
}

#[tokio::test(start_paused = true)]
async fn garbage_is_a_protocol_fault_not_a_hang() {
    let (mut m, _) = modem(|_| Some("\r\n\u{1}\u{7f}zz%%\r\n".into()));
    let t0 = Instant::now();
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Protocol, "{e}");
    assert!(e.message.contains("garbage"), "{e}");
    assert!(t0.elapsed() < Duration::from_millis(1500));

    let (mut m, _) = modem(|cmd| match cmd {
        "AT+CLCC" => Some("\r\n+CLCC: 1,7,0,0,0\r\n\r\nOK\r\n".into()),
        _ => ok(),
    });
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Protocol, "{e}");
    assert!(e.message.contains("+CLCC"), "{e}");

    // Printable nonsense to the AT probe: garbage, said so, within the probe timeout.
    let (mut m, _) = modem(|_| Some("hello there\r\n".into()));
    let e = m.start().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Protocol, "{e}");
    assert!(e.message.contains("hello there"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn a_closed_port_is_unreachable() {
    let (rig, dev) = tokio::io::duplex(64);
    drop(dev);
    let mut m = AtModem::new(rig, "mobile");
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Unreachable, "{e}");
}
