//! The labelled corpus (`fixtures/traces/`, made by `examples/gen_traces.rs` with
//! [`crate::tracegen`]) read by the classifier: the accuracy bar of issue 3. The figures
//! themselves (confusion matrices, latency, throughput) are `cargo bench --bench classifier`.

use super::testgen::table;
use crate::tracegen::corpus::{self, latency, latency_report, Evaluation};

fn cases() -> Vec<corpus::Case> {
    let dir = std::env::var("RIG_TRACES")
        .map_or_else(|_| crate::workspace_path("fixtures/traces"), Into::into);
    corpus::load(dir).expect("the corpus loads")
}

#[test]
fn the_corpus_is_read_right_and_never_with_a_forbidden_confusion() {
    let cases = cases();
    assert!(cases.len() >= 200, "{} traces", cases.len());
    let eval = Evaluation::run(&cases, &table());
    let report = eval.report();
    println!("{report}");
    assert_eq!(eval.forbidden().count(), 0, "{report}");
    assert!(eval.accuracy() >= 0.995, "{report}");
}

#[test]
fn streaming_never_reports_a_wrong_state_on_the_corpus() {
    let rows = latency(&cases(), &table(), 50.0);
    let report = latency_report(&rows);
    println!("{report}");
    assert!(
        rows.iter().all(|r| r.wrong == 0 && r.never == 0),
        "{report}"
    );
}

/// Debugging aid: `RIG_TRACE=fixtures/traces/x.csv cargo test --lib dump_one -- --ignored
/// --nocapture` prints a trace's levels and runs.
#[test]
#[ignore]
fn dump_one() {
    use super::levels::{Levels, Signal};
    let path = std::env::var("RIG_TRACE").expect("RIG_TRACE");
    let mut trace = match path
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_prefix("seed-"))
    {
        Some(seed) => {
            let case = stress_case(seed.trim_end_matches(".csv").parse().unwrap()).unwrap();
            println!(
                "{} {} {} {}",
                case.label.file,
                case.label.colour,
                case.label.cadence.name(),
                case.label.disturbances
            );
            case.trace
        }
        None => crate::tracegen::Trace::read(path).unwrap(),
    };
    if let Ok(until) = std::env::var("RIG_UNTIL") {
        let end = trace.samples[0].t_ms + until.parse::<f64>().unwrap();
        trace.samples.retain(|s| s.t_ms <= end);
    }
    let cal = trace.calibration();
    let classifier = super::Classifier::new(&table(), cal);
    let samples = classifier.since_last_gap(&trace.samples);
    let signal = Signal::of(samples);
    let levels = Levels::estimate(samples, &signal, &cal);
    println!(
        "{cal:?}\nsmooth {} gap {}\n{levels:?}",
        signal.smooth_ms, signal.gap_ms
    );
    if let Some(levels) = levels {
        let runs = super::runs::segment(
            samples,
            &signal,
            &levels,
            cal.kind == crate::hw::SensorKind::Rgbc && cal.polarity == super::Polarity::Emissive,
            16.25,
        );
        for r in &runs {
            println!(
                "{:>5} {:>6} {:9.1} {:9.1} {:7.1} ±{:.1} {:?}",
                r.lit,
                r.colour.name(),
                r.start_ms,
                r.end_ms,
                r.duration_ms(),
                r.slack_ms(),
                r.debug_colour()
            );
        }
    }
    println!("{:?}", classifier.classify(&trace.samples));
}

/// A fresh scene for seed `seed` (the held-out check below).
fn stress_case(seed: u64) -> Option<corpus::Case> {
    use crate::spec::{Cadence, Colour};
    use crate::tracegen::corpus::{Label, Verdict};
    use crate::tracegen::{draw, Knobs, Setup, Want};
    let colours = [
        Colour::Green,
        Colour::Red,
        Colour::Blue,
        Colour::Amber,
        Colour::Grey,
        Colour::Off,
    ];
    let setups = [
        Setup::RgbcLed,
        Setup::RgbcLed,
        Setup::RgbcLed,
        Setup::LevelLed,
        Setup::LcdLevel,
        Setup::LcdRgbc,
    ];
    let colour = colours[(seed % 6) as usize];
    let cadence = Cadence::ALL[((seed / 6) % 5) as usize];
    let setup = setups[((seed / 30) % 6) as usize];
    let calibrated = !(seed / 180).is_multiple_of(5)
        || (setup.reflective() && (colour == Colour::Off || cadence == Cadence::Steady));
    let mut knobs = Knobs::default();
    if (seed / 900) % 7 == 3
        && setup == Setup::RgbcLed
        && matches!(colour, Colour::Green | Colour::Red | Colour::Blue)
    {
        knobs.level = Some(1.2 + (seed % 13) as f64 * 0.15);
    }
    let want = Want {
        colour,
        cadence: if colour == Colour::Off {
            Cadence::Steady
        } else {
            cadence
        },
        setup,
        calibrated,
    };
    let d = draw(&want, &knobs, seed);
    let trace = d.scene.render(seed);
    if trace.max_gap_ms() > 38.0 {
        return None;
    }
    let ind = want.indication();
    Some(corpus::Case {
        label: Label {
            file: format!("seed-{seed}"),
            colour: ind.colour,
            cadence: Verdict::Cadence(ind.cadence),
            sensor: setup.name().to_string(),
            disturbances: d.tags.join(" "),
        },
        trace,
    })
}

/// Held-out check: `RIG_STRESS=N cargo test --lib stress -- --ignored --nocapture` draws N
/// fresh scenes (seeds the corpus does not use) and scores them.
#[test]
#[ignore]
fn stress() {
    let n: u64 = std::env::var("RIG_STRESS").map_or(500, |v| v.parse().unwrap());
    let base: u64 = std::env::var("RIG_SEED").map_or(1_000_000, |v| v.parse().unwrap());
    let table = table();
    let cases: Vec<corpus::Case> = (base..base + n).filter_map(stress_case).collect();
    let eval = Evaluation::run(&cases, &table);
    println!("{}", eval.report());
    for s in eval.mistakes() {
        println!(
            "  {} {} {}",
            s.label.file, s.label.sensor, s.label.disturbances
        );
    }
    if std::env::var("RIG_STREAM").is_ok() {
        println!("{}", latency_report(&latency(&cases, &table, 50.0)));
    }
}
