//! `rig classify`: traces written here (by `rig::trace::Trace::write` and by hand) are
//! classified in text and CSV; a bad file exits 2 naming its line.

use std::path::Path;
use std::process::Output;

use rig::bench::DarkLevel;
use rig::hw::{Sample, SensorKind};
use rig::observe::Polarity;
use rig::trace::Trace;

use crate::common::rig;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn all(o: &Output) -> String {
    format!("{}{}", stdout(o), String::from_utf8_lossy(&o.stderr))
}

/// Deterministic read noise in [-3, 3) counts.
fn noise(i: u64, channel: u64) -> f32 {
    let mut z = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ channel.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^= z >> 29;
    z = z.wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 32;
    (z % 6000) as f32 / 1000.0 - 3.0
}

/// A green LED on an RGB+clear sensor at `hz`, lit while `lit(t_ms)`, slightly uneven
/// sample spacing, dark 12 counts.
fn green_trace(hz: f64, ms: f64, lit: impl Fn(f64) -> bool) -> Trace {
    let n = (ms * hz / 1000.0) as u64;
    let samples = (0..n)
        .map(|i| {
            let t_ms = i as f64 * 1000.0 / hz + if i % 3 == 0 { 0.4 } else { 0.0 };
            let on = if lit(t_ms) { 1.0 } else { 0.0 };
            Sample {
                t_ms,
                r: 12.0 + on * 350.0 + noise(i, 0),
                g: 12.0 + on * 2900.0 + noise(i, 1),
                b: 12.0 + on * 730.0 + noise(i, 2),
                c: 12.0 + on * 4000.0 + noise(i, 3),
            }
        })
        .collect();
    Trace {
        kind: SensorKind::Rgbc,
        polarity: Polarity::Emissive,
        dark: Some(DarkLevel::Rgbc([12.0; 4])),
        samples,
    }
}

fn save(trace: &Trace, path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    trace.write(&mut f).unwrap();
}

/// The one data row of `--format csv`, after checking the header.
fn csv_row(o: &Output) -> Vec<String> {
    let out = stdout(o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("colour,cadence,period_ms,on_ms,off_ms,confidence"),
        "{out}"
    );
    let row: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    assert_eq!(lines.next(), None, "one row only: {out}");
    assert_eq!(row.len(), 6, "{out}");
    row
}

#[test]
fn a_green_wink_is_classified_in_text_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wink.csv");
    // Wink: 200 ms on, 50 ms off, starting mid-period.
    save(
        &green_trace(200.0, 3000.0, |t| (t + 90.0) % 250.0 < 200.0),
        &path,
    );
    let p = path.to_str().unwrap();

    let o = rig(&["classify", p]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let text = stdout(&o);
    // Edges fall between samples (5 ms apart): on/off are estimates within a sample.
    assert!(text.starts_with("green wink (period 250 ms, on "), "{text}");
    let field = |key: &str| -> f64 {
        let rest = &text[text.find(key).unwrap_or_else(|| panic!("{key} in {text}")) + key.len()..];
        rest.split(" ms").next().unwrap().parse().unwrap()
    };
    assert!((field("on ") - 200.0).abs() <= 5.0, "{text}");
    assert!((field("off ") - 50.0).abs() <= 5.0, "{text}");

    let o = rig(&["classify", p, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let row = csv_row(&o);
    assert_eq!((row[0].as_str(), row[1].as_str()), ("green", "wink"));
    let num = |i: usize| row[i].parse::<f64>().unwrap();
    assert!((num(2) - 250.0).abs() < 10.0, "{row:?}");
    assert!((num(3) - 200.0).abs() < 10.0, "{row:?}");
    assert!((num(4) - 50.0).abs() < 10.0, "{row:?}");
    assert!((0.0..=1.0).contains(&num(5)), "{row:?}");
    // Text and CSV give the same confidence.
    assert!(
        text.contains(&format!("confidence {})", row[5])),
        "{text} / {row:?}"
    );
}

#[test]
fn a_hand_written_reflective_level_trace_reads_on_steady() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lcd.csv");
    // An M-Series LCD indicator, on (darker than the bare display), on a photodiode; with
    // the liberties a hand-made or foreign file takes: spaces, CRLF, blank lines, labels.
    let mut text = String::from(
        "# label: twinning-on, M7310\r\n# dark: 1800\r\n#polarity:  reflective\r\n\r\n t_ms , level \r\n",
    );
    let mut t = 0.0;
    for i in 0..400u64 {
        t += if i % 2 == 0 { 4.5 } else { 5.5 };
        text.push_str(&format!("{t:.1}, {:.1}\r\n", 630.0 + noise(i, 7)));
    }
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let o = rig(&["classify", p]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(
        stdout(&o).starts_with("on steady (confidence "),
        "{}",
        all(&o)
    );
    let row = csv_row(&rig(&["classify", p, "--format", "csv"]));
    assert_eq!(&row[..5], ["on", "steady", "", "", ""], "{row:?}");
}

#[test]
fn too_little_evidence_and_an_unknown_blink_are_answers_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short.csv");
    // Steady green for 400 ms: too short to rule out a slow flash.
    save(&green_trace(200.0, 400.0, |_| true), &short);
    let o = rig(&["classify", short.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(stdout(&o).starts_with("not enough evidence"), "{}", all(&o));
    let o = rig(&["classify", short.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(csv_row(&o), ["", "none", "", "", "", ""]);

    let odd = dir.path().join("odd.csv");
    // 365 ms on, 365 ms off: regular, but no row of the cadence table.
    save(&green_trace(200.0, 4000.0, |t| t % 730.0 < 365.0), &odd);
    let o = rig(&["classify", odd.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(stdout(&o).contains("no cadence fits"), "{}", all(&o));
    let row = csv_row(&rig(&[
        "classify",
        odd.to_str().unwrap(),
        "--format",
        "csv",
    ]));
    assert_eq!((row[0].as_str(), row[1].as_str()), ("green", "no-fit"));
    assert!(
        (row[2].parse::<f64>().unwrap() - 730.0).abs() < 15.0,
        "{row:?}"
    );
    assert_eq!(row[5], "", "no confidence for a blink that fits nothing");
}

#[test]
fn a_bad_trace_exits_2_naming_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut good = Vec::new();
    green_trace(200.0, 2000.0, |_| true)
        .write(&mut good)
        .unwrap();
    let good = String::from_utf8(good).unwrap();
    // Make the 10th sample's time go backwards.
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let header = lines.iter().position(|l| l.starts_with("t_ms")).unwrap();
    let bad_line = header + 1 + 10;
    let fields: Vec<&str> = lines[bad_line - 1].splitn(2, ',').collect();
    lines[bad_line - 1] = format!("1.5,{}", fields[1]);
    std::fs::write(&path, lines.join("\n")).unwrap();
    let o = rig(&["classify", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    let want = format!(
        "{}:{bad_line}: t_ms goes backwards: 1.5 after ",
        path.display()
    );
    assert!(all(&o).contains(&want), "wanted `{want}` in: {}", all(&o));
    assert!(stdout(&o).is_empty(), "no answer on stdout: {}", stdout(&o));

    // A dark line that does not fit the sensor: named at the dark line.
    std::fs::write(&path, "# dark: 12 12\nt_ms,r,g,b,c\n0,1,2,3,4\n").unwrap();
    let o = rig(&["classify", path.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(
        all(&o).contains(&format!("{}:1: `# dark:` has 2 value(s)", path.display())),
        "{}",
        all(&o)
    );

    // A missing file and a bad format are bad invocations too.
    let o = rig(&["classify", dir.path().join("nosuch.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("nosuch.csv: cannot read"), "{}", all(&o));
    let o = rig(&["classify", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
}
