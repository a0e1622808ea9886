//! The plot of a FAIL's deciding light trace, as inline SVG: light level over bench time
//! (the clear channel, plus red, green and blue for an RGB sensor), the deciding window
//! shaded, the decision marked, and what was expected and observed written above.
//!
//! Long traces are reduced to at most four points per pixel column (first, min, max,
//! last), so a plot stays a few tens of kB whatever the trace's length while keeping
//! every flash and spike visible.

use std::fmt::Write as _;

use crate::hw::{Sample, SensorKind};
use crate::report::escape_xml as esc;
use crate::runner::DecidingTrace;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 230.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 28.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 34.0;
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
        SensorKind::Level => vec![&CLEAR],
    }
}

/// Maps bench time (ms) and light level to the SVG's coordinates.
struct Scale {
    t0: f64,
    t1: f64,
    y0: f64,
    y1: f64,
}

impl Scale {
    /// Spans the samples and the deciding window; the level axis starts at 0 (or the
    /// lowest reading if one is negative).
    fn of(t: &DecidingTrace, chans: &[&Channel]) -> Self {
        let times = t
            .trace
            .samples
            .iter()
            .map(|s| s.t_ms)
            .chain([t.window_from_ms, t.decided_ms])
            .filter(|x| x.is_finite());
        let (t0, t1) = span(times).unwrap_or((0.0, 1.0));
        let levels = t
            .trace
            .samples
            .iter()
            .flat_map(|s| chans.iter().map(move |c| f64::from((c.value)(s))))
            .filter(|x| x.is_finite())
            .chain([0.0]);
        let (y0, y1) = span(levels).unwrap_or((0.0, 1.0));
        Self {
            t0,
            t1: if t1 > t0 { t1 } else { t0 + 1.0 },
            y0,
            y1: if y1 > y0 { y1 * 1.05 } else { y0 + 1.0 },
        }
    }

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

/// The SVG of one deciding trace.
pub fn trace_plot(t: &DecidingTrace) -> String {
    let chans = channels(t.trace.kind);
    let scale = Scale::of(t, &chans);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg class=\"trace\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\">"
    );
    let _ = writeln!(
        svg,
        "<title>{} light, sensor {}</title>",
        esc(&t.light),
        esc(&t.sensor)
    );
    window(&mut svg, &scale, t);
    axes(&mut svg, &scale);
    if t.trace.samples.is_empty() {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"note\">no samples</text>",
            WIDTH / 2.0 - 30.0,
            HEIGHT / 2.0
        );
    }
    for c in &chans {
        line(&mut svg, &scale, &t.trace.samples, c);
    }
    marks(&mut svg, t, &chans);
    svg.push_str("</svg>\n");
    svg
}

/// The deciding window shaded, and a vertical line where the verdict was reached.
fn window(svg: &mut String, s: &Scale, t: &DecidingTrace) {
    if t.window_from_ms.is_finite() && t.decided_ms.is_finite() {
        let (a, b) = (s.x(t.window_from_ms), s.x(t.decided_ms));
        let _ = writeln!(
            svg,
            "<rect class=\"window\" x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{}\"/>",
            a.min(b),
            (b - a).abs(),
            HEIGHT - TOP - BOTTOM
        );
    }
    if t.decided_ms.is_finite() {
        let x = s.x(t.decided_ms);
        let _ = writeln!(
            svg,
            "<line class=\"decided\" x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{}\"/>",
            HEIGHT - BOTTOM
        );
    }
}

/// The frame, five time ticks in seconds and the level axis' ends.
fn axes(svg: &mut String, s: &Scale) {
    let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
    let _ = writeln!(
        svg,
        "<rect class=\"frame\" x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\"/>",
        right - LEFT,
        bottom - TOP
    );
    for i in 0..=4 {
        let t = s.t0 + (s.t1 - s.t0) * f64::from(i) / 4.0;
        let x = s.x(t);
        let _ = writeln!(
            svg,
            "<text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{:.2}</text>",
            bottom + 13.0,
            t / 1000.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">bench time, s</text>",
        LEFT + (right - LEFT) / 2.0,
        bottom + 27.0
    );
    for v in [s.y0, s.y1] {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{v:.0}</text>",
            LEFT - 4.0,
            s.y(v) + 4.0
        );
    }
}

/// One channel's line, reduced to at most four points per pixel column.
fn line(svg: &mut String, s: &Scale, samples: &[Sample], c: &Channel) {
    let points = reduce(s, samples, c.value);
    if points.is_empty() {
        return;
    }
    let mut text = String::with_capacity(points.len() * 8);
    for (x, y) in points {
        let _ = write!(text, "{x},{y} ");
    }
    let _ = writeln!(
        svg,
        "<polyline class=\"ch\" stroke=\"{}\" points=\"{}\"><title>{}</title></polyline>",
        c.colour,
        text.trim_end(),
        c.name
    );
}

/// The points of a channel in whole pixels: per column its first, lowest, highest and
/// last value, consecutive duplicates dropped. Non-finite readings are left out.
fn reduce(s: &Scale, samples: &[Sample], value: fn(&Sample) -> f32) -> Vec<(i32, i32)> {
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
    let mut points: Vec<(i32, i32)> = Vec::new();
    for (i, col) in cols.iter().enumerate() {
        let Some(vals) = col else { continue };
        let x = (LEFT + i as f64 + 0.5).round() as i32;
        for v in vals {
            let p = (x, s.y(*v).round() as i32);
            if points.last() != Some(&p) {
                points.push(p);
            }
        }
    }
    points
}

/// "expected: …" and "observed: …" above the plot, and the legend at the top right.
fn marks(svg: &mut String, t: &DecidingTrace, chans: &[&Channel]) {
    let _ = writeln!(
        svg,
        "<text x=\"{LEFT}\" y=\"14\" class=\"expected\">expected: {}</text>",
        esc(&t.expected)
    );
    let _ = writeln!(
        svg,
        "<text x=\"{LEFT}\" y=\"30\" class=\"observed\">observed: {}</text>",
        esc(&t.observed)
    );
    for (i, c) in chans.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"14\" class=\"legend\" fill=\"{}\">{}</text>",
            WIDTH - RIGHT - 40.0 * (chans.len() - i) as f64,
            c.colour,
            c.name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::trace;

    #[test]
    fn a_long_trace_is_reduced_to_a_few_points_per_column() {
        let t = trace(SensorKind::Rgbc, 1_000.0, 200_000);
        let svg = trace_plot(&t);
        assert_eq!(svg.matches("<polyline").count(), 4);
        // 4 channels × at most 4 points per column, each point at most "720,230 ".
        assert!(
            svg.len() < 4 * 4 * COLUMNS * 8 + 4_000,
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
    fn a_level_trace_has_only_the_clear_line_and_odd_input_does_not_panic() {
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
    }

    #[test]
    fn the_window_and_decision_are_where_the_trace_says() {
        let mut t = trace(SensorKind::Level, 0.0, 101); // 0..500 ms
        t.window_from_ms = 250.0;
        t.decided_ms = 500.0;
        let svg = trace_plot(&t);
        let mid = LEFT + (WIDTH - LEFT - RIGHT) / 2.0;
        assert!(
            svg.contains(&format!("<rect class=\"window\" x=\"{mid:.1}\"")),
            "{svg}"
        );
        let end = WIDTH - RIGHT;
        assert!(
            svg.contains(&format!("<line class=\"decided\" x1=\"{end:.1}\"")),
            "{svg}"
        );
    }
}
