//! Whole-trace tests: the drawn parameters, the proportions MODEL.md promises, the truth
//! rules, the calibration line and the cadence seen on a clean trace.

use super::*;
use crate::optics::Flicker;
use crate::scenario::RATES_HZ;

const FIXTURE: &str = include_str!("../../../fixtures/cadences.csv");

fn table() -> CadenceTable {
    CadenceTable::parse(FIXTURE).unwrap()
}

fn scenario(table: &CadenceTable, seed: u64) -> Scenario {
    Scenario::draw(table, &mut Xoshiro256PlusPlus::seed_from_u64(seed))
}

fn within(x: f64, lo: f64, hi: f64) -> bool {
    (lo..=hi).contains(&x)
}

#[test]
fn deterministic_per_seed() {
    let t = table();
    assert_eq!(generate(&t, 42), generate(&t, 42));
    assert_ne!(generate(&t, 42).samples, generate(&t, 43).samples);
}

#[test]
fn drawn_parameters_stay_in_range_over_2000_seeds() {
    let t = table();
    for seed in 0..2000 {
        let s = scenario(&t, seed);
        let ctx = s.describe();
        assert!(within(s.period_factor, 0.86, 1.14) && within(s.duty_factor, 0.94, 1.06));
        assert!(within(s.ambient, 20.0, 3000.0), "{ctx}");
        assert!(s.ambient <= 0.4 * s.sensor.full_scale + 1e-9, "{ctx}");
        let f = s.flicker;
        assert!(within(f.depth, 0.0, 0.3));
        let base = if f.freq_hz < 110.0 { 100.0 } else { 120.0 };
        assert!((f.freq_hz / base - 1.0).abs() <= 0.003);
        let sm = &s.sampling;
        assert!(RATES_HZ.contains(&sm.rate_hz) && sm.clock_err.abs() <= 0.005);
        assert!(within(s.window_ms, 1.0, 10.0) && s.window_ms <= 1000.0 / sm.rate_hz);
        assert!(within(sm.duration_ms, 3000.0, 4000.0));
        assert!(within(sm.jitter_sd_ms, 0.0, 2.5) && within(sm.drop_rate, 0.0, 0.05));
        assert!(sm.stalls.len() <= 3);
        assert!(sm.stalls.iter().all(|&(_, l)| within(l, 15.0, 40.0)));
        let se = &s.sensor;
        assert!(within(se.read_sd, 0.5, 3.0) && se.offset.iter().all(|&o| within(o, 1.0, 8.0)));
        if let Some(p) = s.pwm {
            assert!(s.polarity == Polarity::Emissive);
            assert!(within(1000.0 / p.period_ms, 500.0, 2000.0) && within(p.duty, 0.35, 1.0));
        }
        if s.polarity == Polarity::Reflective {
            assert!(within(s.reflectance, 0.15, 0.5) && s.colour == "lcd");
        } else if s.overdrive.is_none() {
            // Lit is at least 1.5x the ambient swing, and the brightest sample is below FS.
            let (lo, hi) = f.range();
            assert!(s.led_level >= 1.5 * s.ambient * (hi - lo) - 1e-6, "{ctx}");
            let frac = s
                .pwm
                .map_or(1.0, |p| p.max_on_time(s.window_ms) / s.window_ms);
            let peak = s.led_level / s.pwm.map_or(1.0, |p| p.duty) * frac;
            assert!(
                se.offset[3] + s.ambient * hi + peak <= 0.85 * se.full_scale + 1e-6,
                "{ctx}"
            );
        }
        if s.colour == "grey" {
            assert!(s.kind == SensorKind::Rgbc && s.polarity == Polarity::Emissive);
        }
    }
}

#[test]
fn proportions_truths_and_sample_sanity_over_2000_traces() {
    let t = table();
    let n = 2000;
    let (mut lit, mut lit_clipped, mut no_dark, mut reflective, mut level) = (0, 0, 0, 0, 0);
    let mut cadences = std::collections::HashMap::new();
    let mut colours = std::collections::HashMap::new();
    for seed in 0..n {
        let g = generate(&t, 1_000_000 + seed);
        let s = &g.samples;
        assert!(s.len() > 250, "{}", g.scenario);
        assert!(s.windows(2).all(|w| w[1].t_ms > w[0].t_ms));
        let fs = sensor::full_scale(g.kind, scenario(&t, 1_000_000 + seed).window_ms) as f32;
        for x in s {
            for v in [x.r, x.g, x.b, x.c] {
                assert!(v.is_finite() && v >= 0.0 && v <= fs && v.fract() == 0.0);
            }
            if g.kind == SensorKind::Level {
                assert_eq!((x.r, x.g, x.b), (0.0, 0.0, 0.0));
            }
        }
        let tr = g.truth;
        if tr.cadence != "off" {
            lit += 1;
            lit_clipped += g.clipped.iter().any(|&c| c) as u32;
        }
        assert_eq!(tr.colour == "off", tr.cadence == "off");
        if g.kind == SensorKind::Level || g.polarity == Polarity::Reflective {
            assert!(matches!(tr.colour, "on" | "off"));
        } else {
            assert!(!matches!(tr.colour, "on"));
        }
        if tr.colour_clipped {
            assert!(g.kind == SensorKind::Rgbc && g.clipped[..3].iter().any(|&c| c));
        }
        no_dark += g.dark.is_none() as u32;
        reflective += (g.polarity == Polarity::Reflective) as u32;
        level += (g.kind == SensorKind::Level) as u32;
        *cadences.entry(tr.cadence).or_insert(0u32) += 1;
        *colours.entry(tr.colour).or_insert(0u32) += 1;
        if let Some(d) = &g.dark {
            assert_eq!(d.len(), if g.kind == SensorKind::Rgbc { 4 } else { 1 });
        }
    }
    let share = |k: u32, of: u32| k as f64 / of as f64;
    let clip_share = share(lit_clipped, lit);
    assert!(
        within(clip_share, 0.055, 0.11),
        "{clip_share} of lit traces clipped"
    );
    assert!(within(share(no_dark, n as u32), 0.26, 0.34));
    assert!(within(share(reflective, n as u32), 0.17, 0.23));
    assert!(within(share(level, n as u32), 0.36, 0.44));
    assert_eq!(cadences.len(), 6, "{cadences:?}");
    for (c, k) in &cadences {
        assert!(within(share(*k, n as u32), 0.13, 0.21), "{c}: {k}");
    }
    for c in ["green", "red", "blue", "amber", "grey", "on", "off"] {
        assert!(colours.get(c).copied().unwrap_or(0) > 80, "{colours:?}");
    }
}

#[test]
fn dark_line_is_within_2pct_of_the_mean_off_reading() {
    // The mean of a short trace under flicker can be biased when the sample rate beats
    // slowly against the flicker, so the reading is averaged with the flicker held at its
    // mean (the dark line is the true mean, MODEL.md §6).
    let t = table();
    let mut checked = 0;
    for seed in 0..3000 {
        let mut sc = scenario(&t, seed);
        let (Some(dark), "off") = (sc.dark(), sc.cadence) else {
            continue;
        };
        sc.flicker = Flicker::steady();
        let g = render(&sc, &mut Xoshiro256PlusPlus::seed_from_u64(seed));
        assert_eq!(g.dark.as_ref(), Some(&dark));
        let n = g.samples.len() as f64;
        let mean = |i: usize| {
            g.samples
                .iter()
                .map(|s| [s.r, s.g, s.b, s.c][i] as f64)
                .sum::<f64>()
                / n
        };
        let means: Vec<f64> = sc.sensor.channels().map(mean).collect();
        for (d, m) in dark.iter().zip(&means) {
            // 2% measurement error, plus the sample mean's own error and clipping at 0.
            let slack = 0.02 * m + 0.3 + 4.0 * (m / n).sqrt();
            assert!(
                (*d as f64 - m).abs() <= slack,
                "dark {d} vs mean {m}: {}",
                g.scenario
            );
        }
        checked += 1;
    }
    assert!(checked > 250, "{checked}");
}

/// Runs of (lit, length ms) on a noise-free 1 kHz trace, thresholded halfway.
fn runs(mut sc: Scenario, seed: u64) -> Vec<(bool, f64)> {
    sc.sensor.shot_k = 0.0;
    sc.sensor.read_sd = 0.0;
    sc.flicker = Flicker::steady();
    sc.pwm = None;
    sc.overdrive = None;
    sc.led_level = 500.0;
    sc.ambient = 100.0;
    sc.reflectance = 0.3;
    sc.sensor.full_scale = 65535.0;
    sc.window_ms = 1.0;
    sc.sampling.rate_hz = 1000.0;
    sc.sampling.jitter_sd_ms = 0.0;
    sc.sampling.drop_rate = 0.0;
    sc.sampling.stalls.clear();
    let g = render(&sc, &mut Xoshiro256PlusPlus::seed_from_u64(seed));
    let (lo, hi) = g.samples.iter().fold((f32::MAX, f32::MIN), |(lo, hi), s| {
        (lo.min(s.c), hi.max(s.c))
    });
    let mid = (lo + hi) / 2.0;
    let bright = |s: &GenSample| s.c > mid;
    let lit = |s: &GenSample| bright(s) == (sc.polarity == Polarity::Emissive);
    let mut out: Vec<(bool, f64)> = Vec::new();
    let mut start = &g.samples[0];
    for w in g.samples.windows(2) {
        if lit(&w[1]) != lit(&w[0]) {
            out.push((lit(&w[0]), w[1].t_ms - start.t_ms));
            start = &w[1];
        }
    }
    out.remove(0); // the first run starts before the trace
    out
}

#[test]
fn clean_trace_runs_match_the_scaled_cadence() {
    // The brief's timings, scaled here independently of `cadence.rs`.
    let t = table();
    let mut seen = std::collections::HashSet::new();
    let tol = 2.5; // 1 ms sampling with 1 ms windows, and the clock error
    for seed in 0..400 {
        let sc = scenario(&t, seed);
        let scaled = |on: f64, off: f64| {
            let period = (on + off) * sc.period_factor;
            let on = period * (sc.duty_factor * on / (on + off)).min(0.98);
            (on, period - on)
        };
        let blink = match sc.cadence {
            "flash" => (500.0, 500.0),
            "wink" => (200.0, 50.0),
            "flutter" | "broken-flutter" => (50.0, 50.0),
            _ => continue,
        };
        seen.insert(sc.cadence);
        let (on, off) = scaled(blink.0, blink.1);
        let runs = runs(sc.clone(), seed);
        assert!(runs.len() >= 2, "{}", sc.describe());
        let ctx = sc.describe();
        if sc.cadence != "broken-flutter" {
            for (lit, len) in runs {
                let want = if lit { on } else { off };
                assert!((len - want).abs() <= tol, "{lit} {len} vs {want}: {ctx}");
            }
            continue;
        }
        let (_, group_off) = scaled(500.0, 500.0);
        let (mut whole, mut gaps) = (0, 0);
        for (lit, len) in runs {
            let ok = if lit {
                // A whole flutter pulse, or the group's last one cut short.
                whole += ((len - on).abs() <= tol) as u32;
                len <= on + tol
            } else {
                let gap = (group_off - tol..=group_off + on + off + tol).contains(&len);
                gaps += gap as u32;
                (len - off).abs() <= tol || gap
            };
            assert!(ok, "{lit} {len}: {ctx}");
        }
        assert!(
            whole >= 4 * gaps.max(1) - 1 && gaps >= 1,
            "{whole} {gaps}: {ctx}"
        );
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[test]
fn an_overdriven_trace_clips_clear_and_the_file_says_so() {
    let t = table();
    let seed = (0..)
        .find(|&s| {
            let sc = scenario(&t, s);
            sc.overdrive.is_some() && sc.kind == SensorKind::Rgbc && sc.overdrive > Some(3.0)
        })
        .unwrap();
    let g = generate(&t, seed);
    assert!(g.clipped[3], "{}", g.scenario);
    let text = g.to_file_text();
    assert!(text.contains("overdrive="));
    assert!(text.contains(&format!("# colour_clipped: {}", g.truth.colour_clipped)));
}

#[test]
fn file_text_is_the_trace_format() {
    let t = table();
    for seed in 0..40 {
        let g = generate(&t, seed);
        let text = g.to_file_text();
        let mut lines = text.lines();
        let mut header = "";
        for l in lines.by_ref() {
            if !l.starts_with('#') {
                header = l;
                break;
            }
            let (key, _) = l[1..].split_once(':').unwrap();
            assert!(
                ["polarity", "dark", "truth", "colour_clipped", "scenario"].contains(&key.trim())
            );
        }
        let want = if g.kind == SensorKind::Rgbc { 5 } else { 2 };
        assert_eq!(header.split(',').count(), want);
        let truth = format!("# truth: {} {}\n", g.truth.colour, g.truth.cadence);
        assert!(text.contains(&truth));
        assert_eq!(text.contains("# dark: "), g.dark.is_some());
        let rows: Vec<Vec<f64>> = lines
            .map(|l| l.split(',').map(|f| f.parse().unwrap()).collect())
            .collect();
        assert_eq!(rows.len(), g.samples.len());
        for (r, s) in rows.iter().zip(&g.samples) {
            assert_eq!(r.len(), want);
            assert!((r[0] - s.t_ms).abs() < 0.006 && r[want - 1] == s.c as f64);
        }
        assert!(rows.windows(2).all(|w| w[1][0] > w[0][0]));
    }
}
