//! report.html as a person sees it: headless Chromium renders the report of a failing
//! run in a 1366 × 900 window (a lab laptop's screen), and the test checks what the
//! reader gets: the verdict banner first and on the first screen, with the verdict, the
//! firmware and the counts; no horizontal scrolling (the page is no wider than the
//! window, and the case × family matrix fits in it); one FAIL group per distinct (case,
//! expected, observed) of results.csv, each visible with its symptom.
//!
//! It needs Chromium (`/usr/bin/chromium`, Debian's `chromium`; `RIG_CHROMIUM` names
//! another), so plain `cargo test` skips it; `.ci/browser` installs Chromium and runs it:
//! `cargo test -p rig --test integration browser:: -- --ignored`. Run that way without
//! Chromium, it fails: a check that cannot look has not passed.
//!
//! How it looks: the page is copied with a script appended that measures the laid-out
//! page and writes the figures into the DOM as JSON; `chromium --headless --dump-dom`
//! prints the DOM after the script ran. The report itself has no script (labs open it
//! offline, and it must say everything without one).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fault profile that FAILs two cases on every phone with a Twinning light, with three
/// symptoms each (off expected on most families, grey on the 9621/9641, off seen as "on"
/// on the reflective displays): six FAIL groups, twenty FAIL rows.
const PROFILE: &str = "fixtures/firmware/faults/led-left-lit-after-off.toml";
const WIDTH: u32 = 1366;
const HEIGHT: u32 = 900;

/// Runs in the page after it is laid out; the figures go into a hidden `<pre>` only
/// once everything is measured, so the element itself changes nothing it measured.
const MEASURE: &str = r#"<script>
(function () {
  var d = document.documentElement;
  var banner = document.getElementById('verdict');
  var first = document.body.firstElementChild;
  var matrix = document.querySelector('table.matrix');
  var r = banner ? banner.getBoundingClientRect() : null;
  var groups = Array.prototype.map.call(
    document.querySelectorAll('details.fail-group'),
    function (g) {
      var s = g.querySelector('summary');
      return { text: s ? s.innerText : '', visible: !!s && s.getBoundingClientRect().height > 0 };
    });
  var out = {
    innerWidth: window.innerWidth,
    scrollWidth: d.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    bannerFirst: !!banner && first === banner,
    bannerTop: r ? r.top : -1,
    bannerBottom: r ? r.bottom : -1,
    banner: banner ? banner.innerText : '',
    matrixRight: matrix ? matrix.getBoundingClientRect().right : -1,
    matrixRows: matrix ? Array.prototype.map.call(matrix.rows, function (row) {
      return row.getBoundingClientRect().height;
    }) : [],
    groups: groups
  };
  var pre = document.createElement('pre');
  pre.id = 'rig-measurements';
  pre.hidden = true;
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"#;

fn chromium() -> PathBuf {
    let path = std::env::var_os("RIG_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "{} not found: this test needs Chromium (Debian: apt-get install chromium; \
         or set RIG_CHROMIUM); .ci/browser installs it and runs this test",
        path.display()
    );
    path
}

/// The figures the script measured in `page`, rendered at WIDTH × HEIGHT.
fn render(chromium: &Path, page: &Path, scratch: &Path) -> serde_json::Value {
    let profile = scratch.join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let url = format!("file://{}", page.display());
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(&url)
        .output()
        .expect("chromium starts");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"rig-measurements\"").unwrap_or_else(|| {
        panic!(
            "chromium printed no measurements (status {}):\n{}\n{}",
            out.status,
            dom.chars().take(2000).collect::<String>(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let body = &dom[start..];
    let text = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
    let json = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// The FAIL rows of results.csv: how many, and their distinct (case, expected,
/// observed).
fn fail_symptoms(results: &Path) -> (usize, BTreeSet<(String, String, String)>) {
    let mut rd = csv::Reader::from_path(results).expect("results.csv");
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (verdict, case, expected, observed) = (
        col("verdict"),
        col("case"),
        col("expected"),
        col("observed"),
    );
    let fails: Vec<csv::StringRecord> = rd
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[verdict] == "FAIL")
        .collect();
    let symptoms = fails
        .iter()
        .map(|r| {
            (
                r[case].to_string(),
                r[expected].to_string(),
                r[observed].to_string(),
            )
        })
        .collect();
    (fails.len(), symptoms)
}

#[test]
#[ignore = "needs chromium: .ci/browser runs it"]
fn a_failing_runs_report_reads_right_in_a_1366_px_browser() {
    let chromium = chromium();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(["run", "--sim-firmware", PROFILE, "--out"])
        .arg(&out)
        .current_dir(rig::workspace_path("."))
        .output()
        .expect("rig runs");
    assert_eq!(
        run.status.code(),
        Some(1),
        "the fault profile FAILs:\n{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let (fails, symptoms) = fail_symptoms(&out.join("results.csv"));
    assert!(symptoms.len() >= 3, "several FAIL groups: {symptoms:?}");

    // The page, with the measuring script, beside the report (its links stay valid).
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "the report itself has no script");
    let page = out.join("measured.html");
    std::fs::write(&page, html.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    let m = render(&chromium, &page, dir.path());

    assert_eq!(m["innerWidth"], WIDTH, "the window is {WIDTH} px wide: {m}");
    // No horizontal scrolling: nothing is wider than the window.
    let scroll = m["scrollWidth"].as_f64().unwrap();
    assert!(
        scroll <= f64::from(WIDTH),
        "the page is {scroll} px wide: {m}"
    );
    let body = m["bodyScrollWidth"].as_f64().unwrap();
    assert!(body <= f64::from(WIDTH), "the body is {body} px wide: {m}");
    // The matrix fits (not only scrolls inside its box).
    let right = m["matrixRight"].as_f64().unwrap();
    assert!(
        right > 0.0 && right <= f64::from(WIDTH),
        "the matrix ends at {right} px: {m}"
    );

    // ...without squeezing: no head or cell wraps onto a second line (a squeezed matrix
    // fits by breaking `shows-on` into `shows-` / `on`), so every row is as tall as the
    // lowest.
    let rows: Vec<f64> = m["matrixRows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_f64().unwrap())
        .collect();
    let lowest = rows.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        !rows.is_empty() && rows.iter().all(|h| *h < lowest * 1.5),
        "matrix rows of {rows:?} px: a head or cell wrapped"
    );

    // The banner is the first thing on the page, on the first screen, and says it all.
    assert_eq!(m["bannerFirst"], true, "{m}");
    let (top, bottom) = (
        m["bannerTop"].as_f64().unwrap(),
        m["bannerBottom"].as_f64().unwrap(),
    );
    assert!(
        (0.0..100.0).contains(&top) && bottom <= f64::from(HEIGHT),
        "banner at {top}..{bottom}: {m}"
    );
    let banner = m["banner"].as_str().unwrap();
    let lines: Vec<&str> = banner.lines().map(str::trim).collect();
    assert_eq!(lines.first(), Some(&"FAIL"), "{banner}");
    for want in [
        "firmware sim:led-left-lit-after-off on bench sim-matrix",
        &format!("{fails} FAIL"),
        &format!("in {} groups", symptoms.len()),
    ] {
        assert!(
            banner.contains(want),
            "{want:?} not in the banner: {banner}"
        );
    }

    // One FAIL group per case and symptom, each shown with its symptom.
    let groups = m["groups"].as_array().unwrap();
    assert_eq!(groups.len(), symptoms.len(), "{m}");
    for (case, expected, observed) in &symptoms {
        let found = groups.iter().filter(|g| {
            let t = g["text"].as_str().unwrap();
            t.contains(&format!(" {case} ["))
                && t.contains(&format!("expected: {expected}"))
                && t.contains(&format!("observed: {observed}"))
        });
        assert_eq!(
            found.count(),
            1,
            "{case}: expected {expected}, observed {observed} — one group: {m}"
        );
    }
    assert!(
        groups.iter().all(|g| g["visible"] == true),
        "every group's summary is on the page: {m}"
    );
}
