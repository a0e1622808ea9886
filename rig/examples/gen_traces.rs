//! Regenerate the labelled trace corpus (issue 3) deterministically:
//!
//! ```sh
//! cargo run --release --example gen_traces -- fixtures/traces
//! ```
//!
//! Writes one CSV per trace and `labels.csv` (removing the folder's old `*.csv` first):
//! a random corpus (every colour × cadence × sensor setup, drawn by [`rig_core::tracegen::draw`]
//! from fixed seeds) and hand-made edge cases. The physics and its ranges are documented in
//! `rig_core::tracegen`.

use std::path::{Path, PathBuf};

use rig::hw::Sample;
use rig::spec::{Cadence, Colour};
use rig_core::tracegen::corpus::{write_labels, Label, Verdict, LABELS_FILE};
use rig_core::tracegen::{draw, Act, Drawn, Knobs, Light, Pattern, Scene, Setup, Trace, Want};

/// The random corpus keeps every gap between samples at most this long: a longer gap
/// deliberately voids the evidence before it (an edge case covers that).
const MAX_GAP_MS: f64 = 38.0;

struct Out {
    dir: PathBuf,
    labels: Vec<Label>,
    bytes: usize,
}

impl Out {
    fn add(
        &mut self,
        file: &str,
        trace: &Trace,
        colour: Colour,
        verdict: Verdict,
        sensor: &str,
        tags: &[String],
    ) {
        let mut text = Vec::new();
        trace.write_to(&mut text).expect("a trace the reader takes");
        self.bytes += text.len();
        std::fs::write(self.dir.join(file), text).expect("write a trace");
        self.labels.push(Label {
            file: file.to_string(),
            colour,
            cadence: verdict,
            sensor: sensor.to_string(),
            disturbances: tags.join(" "),
        });
    }
}

/// Render a scene; if the host lost enough reads in a row to leave a long gap, take the
/// next seed (see `MAX_GAP_MS`).
fn render(scene: &Scene, seed: u64) -> Trace {
    let mut s = seed;
    loop {
        let t = scene.render(s);
        if t.max_gap_ms() <= MAX_GAP_MS {
            return t;
        }
        s = s.wrapping_add(7919);
    }
}

fn verdict_of(want: &Want) -> (Colour, Verdict) {
    let i = want.indication();
    (i.colour, Verdict::Cadence(i.cadence))
}

fn random_corpus(out: &mut Out) {
    let mut seed = 1000u64;
    let mut next = || {
        seed += 1;
        seed
    };
    // RGB+clear over LEDs and the grey icon: every colour and cadence, six each (one of
    // them without a dark line; one of the LEDs' saturating the sensor).
    for colour in [
        Colour::Green,
        Colour::Red,
        Colour::Blue,
        Colour::Amber,
        Colour::Grey,
    ] {
        for cadence in Cadence::ALL {
            for k in 0..6u32 {
                let want = Want {
                    colour,
                    cadence,
                    setup: Setup::RgbcLed,
                    calibrated: k != 5,
                };
                let s = next();
                let mut knobs = Knobs::default();
                let saturating =
                    k == 2 && matches!(colour, Colour::Green | Colour::Red | Colour::Blue);
                if saturating {
                    knobs.level = Some(1.3 + 0.3 * f64::from(s as u32 % 5));
                }
                let d = draw(&want, &knobs, s);
                let file = format!("rgbc-{}-{}-{k}.csv", colour.name(), cadence.name());
                let (c, v) = verdict_of(&want);
                out.add(&file, &render(&d.scene, s), c, v, "rgbc", &d.tags);
            }
        }
    }
    // Dark lights under every kind of ambient light.
    for k in 0..16u32 {
        let want = Want {
            colour: Colour::Off,
            cadence: Cadence::Steady,
            setup: Setup::RgbcLed,
            calibrated: k % 4 != 3,
        };
        let s = next();
        let d = draw(&want, &Knobs::default(), s);
        let file = format!("rgbc-off-{k:02}.csv");
        out.add(
            &file,
            &render(&d.scene, s),
            Colour::Off,
            Verdict::Cadence(Cadence::Steady),
            "rgbc",
            &d.tags,
        );
    }
    // Photodiodes over LEDs, and over the reflective LCD indicator (level and RGB sensors).
    for (setup, per, uncalibrated) in [
        (Setup::LevelLed, 4u32, true),
        (Setup::LcdLevel, 4, true),
        (Setup::LcdRgbc, 2, false),
    ] {
        for colour in [Colour::On, Colour::Off] {
            let cadences: &[Cadence] = if colour == Colour::Off {
                &[Cadence::Steady]
            } else {
                &Cadence::ALL
            };
            for &cadence in cadences {
                for k in 0..per {
                    // Without a dark line a reflective indicator needs both levels in view:
                    // only its blinks are left uncalibrated.
                    let blinks = colour != Colour::Off && cadence != Cadence::Steady;
                    let nodark =
                        uncalibrated && k == per - 1 && (setup == Setup::LevelLed || blinks);
                    let want = Want {
                        colour,
                        cadence,
                        setup,
                        calibrated: !nodark,
                    };
                    let s = next();
                    let d = draw(&want, &Knobs::default(), s);
                    let name = if colour == Colour::Off {
                        format!("{}-off-{k}.csv", setup.name())
                    } else {
                        format!("{}-on-{}-{k}.csv", setup.name(), cadence.name())
                    };
                    let (c, v) = verdict_of(&want);
                    out.add(&name, &render(&d.scene, s), c, v, setup.name(), &d.tags);
                }
            }
        }
    }
}

/// A hand-made case: a drawn scene adjusted by `edit`, and its expected answer.
#[allow(clippy::too_many_arguments)]
fn edge(
    out: &mut Out,
    name: &str,
    want: Want,
    knobs: Knobs,
    seed: u64,
    edit: impl FnOnce(&mut Drawn),
    expect: (Colour, Verdict),
    note: &str,
) {
    let mut d = draw(&want, &knobs, seed);
    edit(&mut d);
    d.tags.push(note.to_string());
    let trace = render(&d.scene, seed);
    out.add(
        &format!("edge-{name}.csv"),
        &trace,
        expect.0,
        expect.1,
        want.setup.name(),
        &d.tags,
    );
}

fn rgbc(colour: Colour, cadence: Cadence) -> Want {
    Want {
        colour,
        cadence,
        setup: Setup::RgbcLed,
        calibrated: true,
    }
}

fn seen(colour: Colour, cadence: Cadence) -> (Colour, Verdict) {
    (colour, Verdict::Cadence(cadence))
}

/// Replace the light's acts: `first` from the start, then `later` from `at_ms` after the
/// trace's start.
fn change(d: &mut Drawn, later: &[(f64, Colour, Pattern, f64)]) {
    let start = d.scene.sampling.start_ms;
    let mut acts = d.scene.light.acts().to_vec();
    for &(at, colour, pattern, phase_ms) in later {
        acts.push(Act {
            from_ms: start + at,
            colour,
            pattern,
            phase_ms,
        });
    }
    match &mut d.scene.light {
        Light::Emissive { acts: a } | Light::Reflective { acts: a, .. } => *a = acts,
    }
}

/// An emitter for a second colour, like the first one but with that colour's spectrum.
fn add_emitter(d: &mut Drawn, colour: Colour, brightness: f64) {
    let first = d.scene.emitters[0];
    let rgb = rig_core::tracegen::nominal_rgb(colour);
    let sum = rgb.iter().sum::<f64>() * 1.1;
    let peak = first.response[3] * brightness;
    d.scene.emitters.push(rig_core::tracegen::Emitter {
        colour,
        response: [
            rgb[0] / sum * peak,
            rgb[1] / sum * peak,
            rgb[2] / sum * peak,
            peak,
        ],
        pwm: first.pwm,
    });
}

fn edge_cases(out: &mut Out) {
    let nee = |c: Colour| (c, Verdict::NotEnoughEvidence);
    let calm = Knobs {
        flicker: Some(None),
        pwm: Some(None),
        ..Knobs::default()
    };
    let wink = Pattern::nominal(Cadence::Wink);

    // Starts in the middle of a wink's off time.
    edge(
        out,
        "mid-wink-start",
        rgbc(Colour::Green, Cadence::Wink),
        Knobs {
            rate_hz: Some(100.0),
            period_scale: Some(1.0),
            phase: Some(0.9),
            duration_ms: Some(3000.0),
            ..Knobs::default()
        },
        1,
        |_| {},
        seen(Colour::Green, Cadence::Wink),
        "starts mid-off",
    );
    // Steady, then winking: 150 ms before the end (an edge, too little wink) and 1 s before.
    let steady_then_wink =
        |at: f64| move |d: &mut Drawn| change(d, &[(at, Colour::Green, wink, 200.0)]);
    edge(
        out,
        "steady-then-wink-150ms",
        rgbc(Colour::Green, Cadence::Steady),
        Knobs {
            duration_ms: Some(4000.0),
            rate_hz: Some(200.0),
            ..calm
        },
        2,
        steady_then_wink(3850.0),
        nee(Colour::Green),
        "change: steady->wink 150 ms before the end",
    );
    edge(
        out,
        "steady-then-wink-1s",
        rgbc(Colour::Green, Cadence::Steady),
        Knobs {
            duration_ms: Some(4000.0),
            rate_hz: Some(100.0),
            ..Knobs::default()
        },
        3,
        steady_then_wink(3000.0),
        seen(Colour::Green, Cadence::Wink),
        "change: steady->wink 1 s before the end",
    );
    // Flutter against broken flutter, and each too short to tell.
    edge(
        out,
        "flutter",
        rgbc(Colour::Amber, Cadence::Flutter),
        Knobs {
            duration_ms: Some(3000.0),
            rate_hz: Some(100.0),
            ..Knobs::default()
        },
        4,
        |_| {},
        seen(Colour::Amber, Cadence::Flutter),
        "flutter",
    );
    edge(
        out,
        "broken-flutter",
        rgbc(Colour::Amber, Cadence::BrokenFlutter),
        Knobs {
            duration_ms: Some(4000.0),
            rate_hz: Some(100.0),
            ..Knobs::default()
        },
        5,
        |_| {},
        seen(Colour::Amber, Cadence::BrokenFlutter),
        "broken flutter",
    );
    edge(
        out,
        "flutter-too-short",
        rgbc(Colour::Red, Cadence::Flutter),
        Knobs {
            duration_ms: Some(600.0),
            rate_hz: Some(200.0),
            period_scale: Some(1.0),
            ..Knobs::default()
        },
        6,
        |_| {},
        nee(Colour::Red),
        "600 ms of flutter: could still be a broken-flutter burst",
    );
    edge(
        out,
        "broken-flutter-one-burst",
        rgbc(Colour::Red, Cadence::BrokenFlutter),
        Knobs {
            duration_ms: Some(1200.0),
            rate_hz: Some(200.0),
            period_scale: Some(1.0),
            phase: Some(0.55),
            ..Knobs::default()
        },
        7,
        |_| {},
        nee(Colour::Red),
        "one burst and a half gap",
    );
    // A regular blink no row fits.
    for (i, (colour, hz)) in [(Colour::Green, 200.0), (Colour::Amber, 100.0)]
        .into_iter()
        .enumerate()
    {
        edge(
            out,
            &format!("blink-730ms-{}", colour.name()),
            rgbc(colour, Cadence::Flash),
            Knobs {
                duration_ms: Some(4500.0),
                rate_hz: Some(hz),
                ..Knobs::default()
            },
            8 + i as u64,
            |d| {
                change(
                    d,
                    &[(
                        -1.0e9,
                        colour,
                        Pattern::Blink {
                            on_ms: 365.0,
                            off_ms: 365.0,
                        },
                        100.0,
                    )],
                )
            },
            (colour, Verdict::NoFit),
            "730 ms blink, half duty",
        );
    }
    // Too short to judge.
    edge(
        out,
        "too-short",
        rgbc(Colour::Red, Cadence::Steady),
        Knobs {
            duration_ms: Some(800.0),
            ..Knobs::default()
        },
        10,
        |_| {},
        nee(Colour::Red),
        "800 ms of steady: below the settle time",
    );
    // Saturation: one dominant channel clipped (colour still certain), and two clipped
    // (amber: red or amber cannot be told, reported as lit of unknown colour).
    edge(
        out,
        "saturated-green-steady",
        rgbc(Colour::Green, Cadence::Steady),
        Knobs {
            gain: Some(60.0),
            level: Some(3.0),
            ..calm
        },
        11,
        |_| {},
        seen(Colour::Green, Cadence::Steady),
        "clear and green clipped",
    );
    edge(
        out,
        "saturated-blue-flash",
        rgbc(Colour::Blue, Cadence::Flash),
        Knobs {
            gain: Some(16.0),
            level: Some(2.5),
            ..Knobs::default()
        },
        12,
        |_| {},
        seen(Colour::Blue, Cadence::Flash),
        "clear and blue clipped",
    );
    edge(
        out,
        "saturated-amber-steady",
        rgbc(Colour::Amber, Cadence::Steady),
        Knobs {
            gain: Some(60.0),
            level: Some(5.0),
            ..calm
        },
        13,
        |_| {},
        seen(Colour::On, Cadence::Steady),
        "red, green and clear clipped: colour unknown, reported on",
    );
    // Grey at high gain against off, under a strongly flickering room light.
    let flickering = Knobs {
        gain: Some(60.0),
        ambient: Some(0.3),
        flicker: Some(Some((100.0, 1.0))),
        rate_hz: Some(200.0),
        level: Some(0.1),
        pwm: Some(None),
        ..Knobs::default()
    };
    edge(
        out,
        "grey-high-gain-flicker",
        rgbc(Colour::Grey, Cadence::Steady),
        flickering,
        14,
        |_| {},
        seen(Colour::Grey, Cadence::Steady),
        "grey icon, ambient 30% of it, 100% flicker",
    );
    edge(
        out,
        "off-high-gain-flicker",
        rgbc(Colour::Off, Cadence::Steady),
        flickering,
        14,
        |_| {},
        seen(Colour::Off, Cadence::Steady),
        "dark icon, same ambient",
    );
    edge(
        out,
        "grey-flash-aliased-flicker",
        rgbc(Colour::Grey, Cadence::Flash),
        Knobs {
            rate_hz: Some(120.0),
            jitter_ms: Some(0.0),
            flicker: Some(Some((120.0, 1.0))),
            ..flickering
        },
        15,
        |_| {},
        seen(Colour::Grey, Cadence::Flash),
        "120 Hz flicker sampled at 120 Hz",
    );
    edge(
        out,
        "off-aliased-flicker",
        rgbc(Colour::Off, Cadence::Steady),
        Knobs {
            rate_hz: Some(100.0),
            jitter_ms: Some(0.0),
            ambient: Some(0.5),
            ..flickering
        },
        16,
        |_| {},
        seen(Colour::Off, Cadence::Steady),
        "100 Hz flicker sampled at 100 Hz",
    );
    // Without a dark line: a bright flickering room light on a dark light is not taken
    // for a lit icon; a dim one is plainly dark.
    edge(
        out,
        "off-nodark-bright-flicker",
        Want {
            calibrated: false,
            ..rgbc(Colour::Off, Cadence::Steady)
        },
        Knobs {
            gain: Some(60.0),
            level: Some(0.3),
            flicker: Some(Some((100.0, 0.9))),
            ..Knobs::default()
        },
        17,
        |d| {
            // Past the shroud's limit: 20% of full scale of room light.
            let fs = d.scene.sensor.full_scale;
            let per_ms = 0.2 * fs / (d.scene.sensor.gain * d.scene.sensor.integration_ms);
            let c = d.scene.ambient.response[3].max(1e-9);
            d.scene.ambient.response = d.scene.ambient.response.map(|v| v / c * per_ms);
        },
        nee(Colour::Off),
        "no dark line, room light swinging with the mains",
    );
    edge(
        out,
        "off-nodark-dim",
        Want {
            calibrated: false,
            ..rgbc(Colour::Off, Cadence::Steady)
        },
        Knobs::default(),
        18,
        |_| {},
        seen(Colour::Off, Cadence::Steady),
        "no dark line, shrouded",
    );
    // PWM: dropouts at 1 kHz with a window shorter than the PWM period; ripple at 100 Hz.
    edge(
        out,
        "pwm-dropouts-1khz",
        rgbc(Colour::Green, Cadence::Steady),
        Knobs {
            rate_hz: Some(1000.0),
            integration_ms: Some(0.8),
            pwm: Some(Some((400.0, 0.2))),
            duration_ms: Some(2500.0),
            ..Knobs::default()
        },
        19,
        |_| {},
        seen(Colour::Green, Cadence::Steady),
        "half the windows miss every PWM pulse",
    );
    edge(
        out,
        "pwm-ripple-flutter-100hz",
        rgbc(Colour::Blue, Cadence::Flutter),
        Knobs {
            rate_hz: Some(100.0),
            integration_ms: Some(2.4),
            pwm: Some(Some((410.0, 0.2))),
            ..Knobs::default()
        },
        20,
        |_| {},
        seen(Colour::Blue, Cadence::Flutter),
        "PWM ripple on a flutter",
    );
    // A gap in the samples 800 ms before the end: steady is not proven.
    edge(
        out,
        "gap-before-end",
        rgbc(Colour::Green, Cadence::Steady),
        Knobs {
            rate_hz: Some(100.0),
            duration_ms: Some(3000.0),
            drop_p: Some(0.0),
            ..calm
        },
        21,
        |_| {},
        nee(Colour::Green),
        "60 ms without samples 800 ms before the end",
    );
    // The reflective indicator without its bare level, steady on: on and off look alike.
    edge(
        out,
        "lcd-nodark-steady",
        Want {
            colour: Colour::On,
            cadence: Cadence::Steady,
            setup: Setup::LcdLevel,
            calibrated: false,
        },
        Knobs::default(),
        22,
        |_| {},
        nee(Colour::On),
        "one level, no bare level",
    );
    // Changes of state: the answer is about the end.
    edge(
        out,
        "grey-then-green",
        rgbc(Colour::Grey, Cadence::Steady),
        Knobs {
            duration_ms: Some(4000.0),
            level: Some(0.08),
            ..calm
        },
        23,
        |d| {
            add_emitter(d, Colour::Green, 4.0);
            change(d, &[(2400.0, Colour::Green, Pattern::Steady, 0.0)])
        },
        seen(Colour::Green, Cadence::Steady),
        "change: grey->green 1.6 s before the end",
    );
    edge(
        out,
        "green-then-grey",
        rgbc(Colour::Grey, Cadence::Steady),
        Knobs {
            duration_ms: Some(4000.0),
            level: Some(0.08),
            ..calm
        },
        24,
        |d| {
            add_emitter(d, Colour::Green, 4.0);
            change(
                d,
                &[
                    (-1.0e9, Colour::Green, Pattern::Steady, 0.0),
                    (2500.0, Colour::Grey, Pattern::Steady, 0.0),
                ],
            )
        },
        seen(Colour::Grey, Cadence::Steady),
        "change: green->grey 1.5 s before the end",
    );
    edge(
        out,
        "wink-then-off",
        rgbc(Colour::Blue, Cadence::Wink),
        Knobs {
            duration_ms: Some(4000.0),
            ..Knobs::default()
        },
        25,
        |d| change(d, &[(2600.0, Colour::Blue, Pattern::Off, 0.0)]),
        seen(Colour::Off, Cadence::Steady),
        "change: wink->off 1.4 s before the end",
    );
    // Blink clocks at the ends of ±15%.
    for (i, cadence) in [
        Cadence::Flash,
        Cadence::Wink,
        Cadence::Flutter,
        Cadence::BrokenFlutter,
    ]
    .into_iter()
    .enumerate()
    {
        for (j, scale) in [0.85, 1.15].into_iter().enumerate() {
            let colour = [Colour::Green, Colour::Red, Colour::Grey, Colour::Blue][i];
            edge(
                out,
                &format!("period{:+.0}-{}", (scale - 1.0) * 100.0, cadence.name()),
                rgbc(colour, cadence),
                Knobs {
                    period_scale: Some(scale),
                    rate_hz: Some([100.0, 250.0][j]),
                    duration_ms: Some(5000.0),
                    ..Knobs::default()
                },
                30 + 2 * i as u64 + j as u64,
                |_| {},
                seen(colour, cadence),
                "period at the edge of ±15%",
            );
        }
    }
    // The LCD indicator under a deeply flickering light, sampled fast.
    edge(
        out,
        "lcd-deep-flicker-1khz",
        Want {
            colour: Colour::On,
            cadence: Cadence::Flash,
            setup: Setup::LcdLevel,
            calibrated: true,
        },
        Knobs {
            rate_hz: Some(1000.0),
            flicker: Some(Some((120.0, 1.0))),
            integration_ms: Some(0.8),
            duration_ms: Some(3500.0),
            ..Knobs::default()
        },
        40,
        |_| {},
        seen(Colour::On, Cadence::Flash),
        "120 Hz flicker at 100% depth on the reflected light",
    );
    // A wink at 100 Hz with late and lost reads.
    edge(
        out,
        "wink-jitter-drops",
        rgbc(Colour::Red, Cadence::Wink),
        Knobs {
            rate_hz: Some(100.0),
            jitter_ms: Some(3.0),
            drop_p: Some(0.03),
            ..Knobs::default()
        },
        41,
        |_| {},
        seen(Colour::Red, Cadence::Wink),
        "3 ms jitter, 3% lost",
    );
}

/// Remove the samples of a trace between two times after its start.
fn punch_hole(trace: &mut Trace, from_end_ms: f64, len_ms: f64) {
    let end = trace.samples.last().map_or(0.0, |s: &Sample| s.t_ms);
    let (a, b) = (end - from_end_ms, end - from_end_ms + len_ms);
    trace.samples.retain(|s| !(a..b).contains(&s.t_ms));
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| rig::workspace_path("fixtures/traces"), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("create the corpus folder");
    remove_old(&dir);
    let mut out = Out {
        dir: dir.clone(),
        labels: Vec::new(),
        bytes: 0,
    };
    random_corpus(&mut out);
    let generated = out.labels.len();
    edge_cases(&mut out);
    // The gap case: punch the hole after rendering.
    let gap = dir.join("edge-gap-before-end.csv");
    let mut t = Trace::read(&gap).expect("just written");
    punch_hole(&mut t, 800.0, 60.0);
    out.bytes -= std::fs::metadata(&gap).map_or(0, |m| m.len() as usize);
    t.write(&gap).expect("rewrite");
    out.bytes += std::fs::metadata(&gap).map_or(0, |m| m.len() as usize);
    // A tiny trace: five samples.
    let tiny = Trace {
        header: t.header,
        samples: t.samples[..5].to_vec(),
    };
    out.add(
        "edge-five-samples.csv",
        &tiny,
        Colour::Green,
        Verdict::NotEnoughEvidence,
        "rgbc",
        &["five samples".to_string()],
    );
    write_labels(dir.join(LABELS_FILE), &out.labels).expect("write labels");
    println!(
        "{} traces ({} random, {} edge cases), {:.2} MB, in {}",
        out.labels.len(),
        generated,
        out.labels.len() - generated,
        out.bytes as f64 / 1e6,
        dir.display()
    );
}

fn remove_old(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "csv") {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}
