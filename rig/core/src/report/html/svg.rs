//! The plot of a FAIL's deciding light trace, as inline SVG (template `plot.svg`): light
//! level over time in seconds from the start of the trace (the clear channel, plus red,
//! green and blue for an RGB sensor), with what a reader needs to judge it at a glance:
//!
//! - the **expected state's band**: where the level must be for the light to read as
//!   what was expected (lit or dark), from the same threshold the classifier judges one
//!   steady level by ([`crate::observe::lit_threshold`]); none when the expectation is
//!   not a light state (a modem state, "anything but a wink") or a reflective display has
//!   no bare level;
//! - the **dark level** (the trace's `# dark:` line, the bench's calibration), dashed: for
//!   a reflective display the bare level, where "off" sits;
//! - the deciding window shaded and the moment of the verdict dashed;
//! - "nice" ticks (steps of 1, 2 or 5 × 10^k, [`super::ticks`]) on both axes, the level
//!   axis always covering zero, the dark level and the band.
//!
//! Long traces are reduced to at most four points per pixel column (first, min, max,
//! last), so a plot stays a few tens of kB whatever the trace's length while keeping
//! every flash and spike visible.

use std::fmt::Write as _;

use askama::Template;

use super::ticks::{Ticks, TARGET_TICKS};
use crate::hw::{Sample, SensorKind};
use crate::observe::{dark_level, lit_threshold, Polarity};
use crate::runner::DecidingTrace;
use crate::spec::{Cadence, Colour, Expected};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 270.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 40.0;
/// Pixel columns of the plot area: the resolution traces are reduced to.
const COLUMNS: usize = (WIDTH - LEFT - RIGHT) as usize;

/// A channel of the samples and the colour its line is drawn in.
struct Channel {
    name: &'static str,
    colour: &'static str,
    value: fn(&Sample) -> f32,
}

const CLEAR: Channel = Channel {
    name: "clear",
    colour: "#333333",
    value: |s| s.c,
};
const LEVEL: Channel = Channel {
    name: "level",
    colour: "#333333",
    value: |s| s.c,
};
const RGB: [Channel; 3] = [
    Channel {
        name: "red",
        colour: "#d62728",
        value: |s| s.r,
    },
    Channel {
        name: "green",
        colour: "#2ca02c",
        value: |s| s.g,
    },
    Channel {
        name: "blue",
        colour: "#1f77b4",
        value: |s| s.b,
    },
];

/// The channels plotted for a sensor kind: clear always, RGB for colour sensors.
fn channels(kind: SensorKind) -> Vec<&'static Channel> {
    match kind {
        SensorKind::Rgbc => vec![&RGB[0], &RGB[1], &RGB[2], &CLEAR],
        SensorKind::Level => vec![&LEVEL],
    }
}

/// Which side of the lit threshold an expectation wants the light on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Lit; `blinks`: lit runs with dark between.
    Lit {
        blinks: bool,
    },
    Dark,
}

/// The side of the light state an expectation (`twinning light: green steady for 2000
/// ms`, as the runner words it) wants; `None` when it wants no one light state (a modem
/// state, `anything but any wink`, `any settled state`).
pub(crate) fn expected_side(expected: &str) -> Option<(Side, String)> {
    let (_, want) = expected.split_once(" light: ")?;
    let want = match want.rsplit_once(" for ") {
        Some((w, hold))
            if hold
                .strip_suffix(" ms")
                .is_some_and(|n| n.parse::<f64>().is_ok()) =>
        {
            w
        }
        _ => want,
    };
    let side = match want.trim().parse::<Expected>().ok()? {
        Expected::Exactly(i) if i.colour == Colour::Off => Side::Dark,
        Expected::Exactly(i) => Side::Lit {
            blinks: i.cadence != Cadence::Steady,
        },
        Expected::AnyColour(c) => Side::Lit {
            blinks: c != Cadence::Steady,
        },
    };
    Some((side, want.trim().to_string()))
}

/// Maps time (ms) and light level to the SVG's coordinates.
struct Scale {
    t0: f64,
    t1: f64,
    y0: f64,
    y1: f64,
}

impl Scale {
    fn x(&self, t_ms: f64) -> f64 {
        let f = ((t_ms - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0);
        LEFT + f * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, v: f64) -> f64 {
        let f = ((v - self.y0) / (self.y1 - self.y0)).clamp(0.0, 1.0);
        HEIGHT - BOTTOM - f * (HEIGHT - TOP - BOTTOM)
    }

    /// The pixel column of a time, `0..COLUMNS`.
    fn column(&self, t_ms: f64) -> usize {
        let f = ((t_ms - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0);
        ((f * COLUMNS as f64) as usize).min(COLUMNS - 1)
    }
}

/// Lowest and highest of some numbers.
fn span(xs: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    xs.fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
    })
}

/// A tick: its position on the axis and its label.
pub(crate) struct Tick {
    pub(crate) at: String,
    pub(crate) label: String,
}

/// A horizontal mark across the plot (the dark level) or a band (the expected state).
pub(crate) struct Level {
    pub(crate) y: String,
    /// A band's height; 0 for a line.
    pub(crate) height: String,
    pub(crate) label: String,
    pub(crate) label_y: String,
}

/// One channel's line.
pub(crate) struct Line {
    pub(crate) colour: &'static str,
    pub(crate) name: &'static str,
    pub(crate) points: String,
}

/// The plot of one deciding trace.
#[derive(Template)]
#[template(path = "plot.svg")]
pub(crate) struct Plot {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) left: f64,
    pub(crate) top: f64,
    pub(crate) right: f64,
    pub(crate) bottom: f64,
    pub(crate) title: String,
    pub(crate) expected: String,
    pub(crate) observed: String,
    /// The deciding window: x and width.
    pub(crate) window: Option<(String, String)>,
    pub(crate) decided: Option<String>,
    pub(crate) band: Option<Level>,
    pub(crate) dark: Option<Level>,
    pub(crate) x_ticks: Vec<Tick>,
    pub(crate) y_ticks: Vec<Tick>,
    pub(crate) x_label: String,
    pub(crate) y_label: &'static str,
    pub(crate) lines: Vec<Line>,
    pub(crate) legend: Vec<(String, &'static str, &'static str)>,
    pub(crate) empty: bool,
}

/// Pixel coordinates with one decimal.
fn px(v: f64) -> String {
    format!("{v:.1}")
}

impl Plot {
    pub(crate) fn of(t: &DecidingTrace) -> Self {
        let chans = channels(t.trace.kind);
        let cal = t.trace.calibration();
        let dark = dark_level(&cal).filter(|d| d.is_finite());
        let expected = expected_side(&t.expected);
        let threshold = expected
            .as_ref()
            .and(lit_threshold(&cal))
            .filter(|x| x.is_finite());

        // Time: seconds from the start of the trace.
        let times = t
            .trace
            .samples
            .iter()
            .map(|s| s.t_ms)
            .chain([t.window_from_ms, t.decided_ms])
            .filter(|x| x.is_finite());
        let (t0, t1) = span(times).unwrap_or((0.0, 1.0));
        let t1 = if t1 > t0 { t1 } else { t0 + 1.0 };

        // Level: zero, the readings, the dark level and room above the threshold.
        let levels = t
            .trace
            .samples
            .iter()
            .flat_map(|s| chans.iter().map(move |c| f64::from((c.value)(s))))
            .filter(|x| x.is_finite())
            .chain([0.0])
            .chain(dark.map(|d| d * 1.05))
            .chain(threshold.map(|x| x * 1.3));
        let (lo, hi) = span(levels).unwrap_or((0.0, 1.0));
        let (y0, y1, y_ticks) = Ticks::covering(lo, if hi > lo { hi } else { lo + 1.0 }, 5);
        let s = Scale { t0, t1, y0, y1 };

        let x_ticks = Ticks::within(0.0, (t1 - t0) / 1000.0, TARGET_TICKS + 2);
        let x_ticks = x_ticks
            .values
            .iter()
            .map(|v| Tick {
                at: px(s.x(t0 + v * 1000.0)),
                label: x_ticks.label(*v),
            })
            .collect();
        let y_ticks = y_ticks
            .values
            .iter()
            .map(|v| Tick {
                at: px(s.y(*v)),
                label: y_ticks.label(*v),
            })
            .collect();

        let reflective = cal.polarity == Polarity::Reflective;
        let band = match (expected, threshold) {
            (Some((side, words)), Some(x)) => Some(band(&s, side, &words, x, reflective)),
            _ => None,
        };
        let dark = dark.map(|d| {
            let y = s.y(d);
            Level {
                y: px(y),
                height: "0".into(),
                label: if reflective {
                    format!("bare display (off): {d:.0}")
                } else {
                    format!("dark: {d:.0}")
                },
                label_y: px(if y - TOP > 14.0 { y - 4.0 } else { y + 12.0 }),
            }
        });

        let window = (t.window_from_ms.is_finite() && t.decided_ms.is_finite()).then(|| {
            let (a, b) = (s.x(t.window_from_ms), s.x(t.decided_ms));
            (px(a.min(b)), px((b - a).abs()))
        });
        let decided = t.decided_ms.is_finite().then(|| px(s.x(t.decided_ms)));
        let lines = chans
            .iter()
            .filter_map(|c| {
                let points = points(&s, &t.trace.samples, c.value);
                (!points.is_empty()).then_some(Line {
                    colour: c.colour,
                    name: c.name,
                    points,
                })
            })
            .collect();
        let legend = chans
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    px(WIDTH - RIGHT - 44.0 * (chans.len() - i) as f64),
                    c.colour,
                    c.name,
                )
            })
            .collect();
        let origin = if t0.is_finite() { t0 / 1000.0 } else { 0.0 };
        Plot {
            width: WIDTH,
            height: HEIGHT,
            left: LEFT,
            top: TOP,
            right: WIDTH - RIGHT,
            bottom: HEIGHT - BOTTOM,
            title: format!("{} light, sensor {}", t.light, t.sensor),
            expected: t.expected.clone(),
            observed: t.observed.clone(),
            window,
            decided,
            band,
            dark,
            x_ticks,
            y_ticks,
            x_label: format!("s from the start of the trace (bench time {origin:.1} s)"),
            y_label: match t.trace.kind {
                SensorKind::Rgbc => "counts",
                SensorKind::Level => "level",
            },
            lines,
            legend,
            empty: t.trace.samples.is_empty(),
        }
    }

    /// The SVG markup.
    pub(crate) fn svg(&self) -> String {
        self.render()
            .unwrap_or_else(|e| format!("<p class=\"note\">plot not drawn: {e}</p>"))
    }
}

/// The band where the level must be for the expected state: lit above the threshold
/// (below it on a reflective display), dark on the other side.
fn band(s: &Scale, side: Side, words: &str, threshold: f64, reflective: bool) -> Level {
    let lit_high = !reflective;
    let (lo, hi) = match (side, lit_high) {
        (Side::Lit { .. }, true) | (Side::Dark, false) => (threshold, s.y1),
        (Side::Lit { .. }, false) | (Side::Dark, true) => (s.y0, threshold),
    };
    let (top, bottom) = (s.y(hi), s.y(lo));
    let where_ = match (side, lit_high) {
        (Side::Lit { .. }, true) | (Side::Dark, false) => "above",
        _ => "below",
    };
    let state = match side {
        Side::Lit { blinks: true } => "lit runs",
        Side::Lit { blinks: false } => "lit",
        Side::Dark => "dark",
    };
    let height = (bottom - top).max(2.0);
    let label_y = if height > 18.0 {
        top + 13.0
    } else if top - TOP > 16.0 {
        top - 4.0
    } else {
        bottom + 13.0
    };
    Level {
        y: px(top.min(bottom - 2.0)),
        height: px(height),
        label: format!("expected {words}: {state}, {where_} {threshold:.0}"),
        label_y: px(label_y),
    }
}

/// A channel's points in whole pixels, `x,y x,y …`: per column its first, lowest,
/// highest and last value, consecutive duplicates dropped. Non-finite readings are left
/// out.
fn points(s: &Scale, samples: &[Sample], value: fn(&Sample) -> f32) -> String {
    // (first, min, max, last) per column.
    let mut cols: Vec<Option<[f64; 4]>> = vec![None; COLUMNS];
    for sm in samples {
        let v = f64::from(value(sm));
        if !v.is_finite() || !sm.t_ms.is_finite() {
            continue;
        }
        let col = &mut cols[s.column(sm.t_ms)];
        *col = Some(match *col {
            None => [v, v, v, v],
            Some([first, lo, hi, _]) => [first, lo.min(v), hi.max(v), v],
        });
    }
    let mut text = String::new();
    let mut last = None;
    for (i, col) in cols.iter().enumerate() {
        let Some(vals) = col else { continue };
        let x = (LEFT + i as f64 + 0.5).round() as i32;
        for v in vals {
            let p = (x, s.y(*v).round() as i32);
            if last != Some(p) {
                if last.is_some() {
                    text.push(' ');
                }
                let _ = write!(text, "{},{}", p.0, p.1);
                last = Some(p);
            }
        }
    }
    text
}

/// The SVG of one deciding trace.
pub(crate) fn trace_plot(t: &DecidingTrace) -> String {
    Plot::of(t).svg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::DarkLevel;
    use crate::report::fixture::trace;

    /// The numbers of `attr` on every element `tag` of class `class`.
    fn attrs(svg: &str, tag: &str, class: &str, attr: &str) -> Vec<f64> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed");
        doc.descendants()
            .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
            .map(|n| n.attribute(attr).unwrap().parse().unwrap())
            .collect()
    }

    /// The texts of the elements of class `class`.
    fn texts(svg: &str, class: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed");
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn a_long_trace_is_reduced_to_a_few_points_per_column() {
        let t = trace(SensorKind::Rgbc, 1_000.0, 200_000);
        let svg = trace_plot(&t);
        assert_eq!(svg.matches("<polyline").count(), 4);
        // 4 channels × at most 4 points per column, each point at most "760,270 ".
        assert!(
            svg.len() < 4 * 4 * COLUMNS * 8 + 8_000,
            "{} bytes",
            svg.len()
        );
        assert!(svg.contains("expected: twinning light: green steady"));
        assert!(svg.contains("observed: twinning light: red &lt;flash&gt; &amp; &quot;more&quot;"));
        assert!(svg.contains("class=\"window\""));
        assert!(svg.contains("class=\"decided\""));
        roxmltree::Document::parse(&svg).expect("the plot is well-formed XML");
    }

    #[test]
    fn a_level_trace_has_only_the_level_line_and_odd_input_does_not_panic() {
        let t = trace(SensorKind::Level, 0.0, 50);
        assert_eq!(trace_plot(&t).matches("<polyline").count(), 1);
        let mut empty = trace(SensorKind::Rgbc, 0.0, 0);
        empty.window_from_ms = f64::NAN;
        empty.decided_ms = f64::INFINITY;
        let svg = trace_plot(&empty);
        assert!(svg.contains("no samples"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let mut odd = trace(SensorKind::Rgbc, 0.0, 3);
        odd.trace.samples[1].c = f32::NAN;
        odd.trace.samples[2].t_ms = f64::NAN;
        let svg = trace_plot(&odd);
        assert!(!svg.contains("NaN"));
        roxmltree::Document::parse(&svg).expect("well-formed");
    }

    #[test]
    fn the_window_and_decision_are_where_the_trace_says() {
        let mut t = trace(SensorKind::Level, 0.0, 101); // 0..500 ms
        t.window_from_ms = 250.0;
        t.decided_ms = 500.0;
        let svg = trace_plot(&t);
        let mid = LEFT + (WIDTH - LEFT - RIGHT) / 2.0;
        assert_eq!(
            attrs(&svg, "rect", "window", "x"),
            [(mid * 10.0).round() / 10.0]
        );
        let end = WIDTH - RIGHT;
        assert_eq!(attrs(&svg, "line", "decided", "x1"), [end]);
    }

    #[test]
    fn time_is_in_seconds_from_the_start_of_the_trace_on_nice_ticks() {
        // 359.01 s to 371.76 s of bench time: the old plots' ticks read 359.01, 362.20, …
        let mut t = trace(SensorKind::Rgbc, 359_010.0, 2_551);
        t.window_from_ms = 365_000.0;
        t.decided_ms = 371_760.0;
        let svg = trace_plot(&t);
        assert_eq!(texts(&svg, "xtick"), ["0", "2", "4", "6", "8", "10", "12"]);
        assert!(svg.contains("bench time 359.0 s"), "{svg}");
        // The first tick is at the left edge, the trace's first sample.
        assert_eq!(attrs(&svg, "line", "xgrid", "x1")[0], LEFT);
    }

    #[test]
    fn a_reflective_display_shows_its_bare_level_and_the_band_where_off_reads() {
        // An M-Series segment reads 614..646 lit; its bare (off) level is 1800.
        let mut t = trace(SensorKind::Level, 0.0, 400);
        for s in &mut t.trace.samples {
            s.c = 630.0;
        }
        t.trace.polarity = Polarity::Reflective;
        t.trace.dark = Some(DarkLevel::Level(1800.0));
        t.expected = "twinning light: off".into();
        t.observed = "twinning light: on steady".into();
        let svg = trace_plot(&t);
        // The level axis reaches past the bare level on round ticks.
        assert_eq!(texts(&svg, "ytick"), ["0", "500", "1000", "1500", "2000"]);
        assert_eq!(texts(&svg, "dark-label"), ["bare display (off): 1800"]);
        assert_eq!(
            texts(&svg, "band-label"),
            ["expected off: dark, above 1206"]
        );
        // The band runs from the threshold (1206) to the top of the axis (2000).
        let y = attrs(&svg, "rect", "band", "y")[0];
        let h = attrs(&svg, "rect", "band", "height")[0];
        assert!((y - TOP).abs() < 0.2, "{y}");
        let plot_h = HEIGHT - TOP - BOTTOM;
        let want = plot_h * (2000.0 - 1206.0) / 2000.0;
        assert!((h - want).abs() < 0.2, "{h} vs {want}");
        let dark_y = attrs(&svg, "line", "dark", "y1")[0];
        assert!((dark_y - (HEIGHT - BOTTOM - plot_h * 0.9)).abs() < 0.2);
    }

    #[test]
    fn the_band_follows_the_expectation_and_is_left_out_when_there_is_none() {
        let mut t = trace(SensorKind::Rgbc, 0.0, 400);
        t.trace.dark = Some(DarkLevel::Rgbc([5.0, 5.0, 5.0, 12.0]));
        t.expected = "twinning light: green steady for 2000 ms".into();
        let svg = trace_plot(&t);
        assert_eq!(
            texts(&svg, "band-label"),
            ["expected green steady: lit, above 24"]
        );
        assert_eq!(texts(&svg, "dark-label"), ["dark: 12"]);
        t.expected = "twinning light: any wink".into();
        assert_eq!(
            texts(&trace_plot(&t), "band-label"),
            ["expected any wink: lit runs, above 24"]
        );
        t.trace.dark = None;
        t.expected = "twinning light: off".into();
        assert_eq!(
            texts(&trace_plot(&t), "band-label"),
            ["expected off: dark, below 48"]
        );
        assert!(texts(&trace_plot(&t), "dark-label").is_empty());
        for none in [
            "twinning light: anything but any wink for 2000 ms",
            "mobile modem: ringing",
            "a call to the primary also rings the mobile",
        ] {
            t.expected = none.into();
            assert!(texts(&trace_plot(&t), "band-label").is_empty(), "{none}");
        }
    }

    #[test]
    fn expectations_are_read_as_the_runner_words_them() {
        let lit = Side::Lit { blinks: false };
        assert_eq!(
            expected_side("twinning light: green steady for 2000 ms"),
            Some((lit, "green steady".into()))
        );
        assert_eq!(
            expected_side("call light: off"),
            Some((Side::Dark, "off".into()))
        );
        assert_eq!(
            expected_side("twinning light: red flash"),
            Some((Side::Lit { blinks: true }, "red flash".into()))
        );
        assert_eq!(expected_side("twinning light: any settled state"), None);
        assert_eq!(expected_side("10000 ± 500 ms"), None);
    }
}
