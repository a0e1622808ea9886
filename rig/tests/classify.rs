//! `rig classify`: traces written here (by `rig::trace::Trace::write`, streamed by
//! `rig::trace::TraceWriter`, and by hand) are classified in text and CSV; a bad file exits
//! 2 naming its line; a 1 M-sample trace is classified in bounded memory (streamed).

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

#[test]
fn bad_values_and_over_long_lines_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let p = path.to_str().unwrap();
    for (text, line, want) in [
        (
            "t_ms,level\n0,5\n1,2000000000\n".to_string(),
            3,
            "level `2000000000` is out of range",
        ),
        (
            "# dark: 12\nt_ms,level\n0,5\n# polarity: reflective\n".to_string(),
            4,
            "`# polarity:` after the first sample",
        ),
        (
            format!("t_ms,level\n0,5\n1,5{}\n", " ".repeat(5000)),
            3,
            "a line longer than 4096 bytes",
        ),
        ("t_ms,r,g,b,c\n0,1,2,3\n".to_string(), 2, "4 columns"),
    ] {
        std::fs::write(&path, text).unwrap();
        let o = rig(&["classify", p]);
        assert_eq!(o.status.code(), Some(2), "{}", all(&o));
        let want = format!("{p}:{line}: {want}");
        assert!(all(&o).contains(&want), "wanted `{want}` in: {}", all(&o));
        assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    }
}

/// Run `rig classify FILE`: its stdout, exit code and peak resident set (KiB).
fn classify_with_peak_rss(path: &Path) -> (String, i32, i64) {
    let run = crate::common::child::classify(path);
    eprintln!("rig classify {}: {:.2} s wall", path.display(), run.wall_s);
    (run.stdout, run.exit_code, run.peak_rss_kib)
}

/// A green wink on an RGB+clear sensor at 1 kHz with 0.1 ms jitter, `n` samples, written
/// as it is made (the test never holds it whole either).
fn write_long_wink(path: &Path, n: u64) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let head = rig::trace::Head {
        kind: SensorKind::Rgbc,
        polarity: Polarity::Emissive,
        dark: Some(DarkLevel::Rgbc([12.0; 4])),
        labels: vec![("label".into(), "green wink".into())],
    };
    let mut w = rig::trace::TraceWriter::new(file, &head).unwrap();
    let mut chunk = Vec::with_capacity(4096);
    for i in 0..n {
        let t_ms = i as f64 + (i % 3) as f64 / 10.0;
        let on = if (t_ms + 90.0) % 250.0 < 200.0 {
            1.0
        } else {
            0.0
        };
        chunk.push(Sample {
            t_ms,
            r: (12.0 + on * 350.0 + noise(i, 0)).round(),
            g: (12.0 + on * 2900.0 + noise(i, 1)).round(),
            b: (12.0 + on * 730.0 + noise(i, 2)).round(),
            c: (12.0 + on * 4000.0 + noise(i, 3)).round(),
        });
        if chunk.len() == chunk.capacity() {
            w.push(&chunk).unwrap();
            chunk.clear();
        }
    }
    w.push(&chunk).unwrap();
    w.finish().unwrap();
}

#[test]
fn a_million_sample_trace_classifies_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    let big = dir.path().join("big.csv");
    write_long_wink(&small, 10_000);
    write_long_wink(&big, 1_000_000);
    let big_bytes = std::fs::metadata(&big).unwrap().len();
    assert!(big_bytes > 15_000_000, "{big_bytes} bytes");

    let (out_small, code, rss_small) = classify_with_peak_rss(&small);
    assert_eq!(code, 0);
    assert!(
        out_small.starts_with("green wink (period 250 ms"),
        "{out_small}"
    );
    let (out_big, code, rss_big) = classify_with_peak_rss(&big);
    assert_eq!(code, 0);
    assert!(
        out_big.starts_with("green wink (period 250 ms"),
        "{out_big}"
    );
    // The whole file (15+ MB of text) or its samples (24 MB) held in memory would show;
    // streaming adds next to nothing over a 10 000-sample trace.
    let grown_kib = rss_big - rss_small;
    eprintln!("rig classify peak RSS: {rss_small} KiB (10 000 samples), {rss_big} KiB (1 M samples, {big_bytes} bytes)");
    assert!(
        grown_kib < 8 * 1024,
        "peak RSS {rss_big} KiB for 1 M samples vs {rss_small} KiB for 10 000: grew {grown_kib} KiB"
    );
}
