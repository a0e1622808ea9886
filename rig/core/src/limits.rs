//! The range of every number the rig reads from an input file, one const per field.
//!
//! A number outside its range is refused with the file and line by the parser that reads
//! it (bench, suite, firmware profile, calibration), so `rig validate` and `rig run` refuse
//! the same things, and nothing downstream sees an infinite rate, a NaN level or a timeout
//! that overflows `Instant + Duration`. Every number must be finite; rates, durations and
//! counts have an upper bound a real bench could need, and a physical quantity is never
//! negative. docs/formats.md "Number ranges" lists every const here (a test keeps them equal).
//!
//! The bounds are generous on purpose: a real bench samples at most at the sensors' own
//! limits (a TCS34725 at 2.4 ms is 416 Hz; an ADS1115 converts at most 860 times a
//! second), and the longest wait the spec needs is a Transfer Return Time (at most 99999 s
//! on IP Office, but the suite waits minutes, not days).

#[cfg(test)]
use std::time::Duration;

use toml::Spanned;

use crate::source::{Problems, SourceText};

/// The longest duration any file may give: two days (a Transfer Return Time of 99999 s is
/// 28 h). `Instant + Duration` of this never overflows, and nothing on a bench needs longer.
#[cfg(test)]
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(2 * 86_400);

/// A number's allowed range: finite, `min` to `max` inclusive, in `unit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// The field as written in the file (`sample_hz`, `[settings] poll_ms`…).
    pub(crate) field: &'static str,
    pub min: f64,
    pub(crate) max: f64,
    /// `Hz`, `ms`, `s`, `counts`, `V`…; empty for a plain count.
    pub(crate) unit: &'static str,
    /// Which file the field is in, for the documentation table.
    pub(crate) file: &'static str,
}

impl Limit {
    const fn new(
        file: &'static str,
        field: &'static str,
        min: f64,
        max: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            field,
            min,
            max,
            unit,
            file,
        }
    }

    /// Ok when `v` is finite and in range; else which field, the value and the range.
    pub(crate) fn check(&self, v: f64) -> Result<(), OutOfRange> {
        if v.is_finite() && v >= self.min && v <= self.max {
            Ok(())
        } else {
            Err(OutOfRange {
                field: self.field,
                value: v,
                limit: *self,
            })
        }
    }

    /// As [`Limit::check`] for an integer field.
    pub(crate) fn check_int(&self, v: i64) -> Result<(), OutOfRange> {
        // Every bound is far below 2^53: the conversion is exact where it matters.
        self.check(v as f64)
    }

    /// A number read from `src` in range; else its fault, at its line and prefixed by
    /// `what` when given, goes to `p` and `fallback` stands in so that checking goes on.
    pub(crate) fn number_at<T: Copy + Into<f64>>(
        &self,
        src: &SourceText,
        p: &mut Problems,
        what: Option<&str>,
        v: &Spanned<T>,
        fallback: T,
    ) -> T {
        match self.check((*v.get_ref()).into()) {
            Ok(()) => *v.get_ref(),
            Err(m) => {
                let message = what.map_or_else(|| m.to_string(), |w| format!("{w}: {m}"));
                p.push(src.error(Some(v.span()), message));
                fallback
            }
        }
    }

    /// As `Limit::number_at` for an integer (TOML integers are i64: one parse for
    /// every command).
    pub fn int_at(
        &self,
        src: &SourceText,
        p: &mut Problems,
        what: Option<&str>,
        v: &Spanned<i64>,
        fallback: i64,
    ) -> i64 {
        match self.check_int(*v.get_ref()) {
            Ok(()) => *v.get_ref(),
            Err(m) => {
                let message = what.map_or_else(|| m.to_string(), |w| format!("{w}: {m}"));
                p.push(src.error(Some(v.span()), message));
                fallback
            }
        }
    }

    /// `100 to 1000 Hz`: the range as the messages and docs/formats.md write it.
    pub(crate) fn range_text(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        format!("{} to {}{unit}", shown(self.min), shown(self.max))
    }

    /// The docs/formats.md table row of this field.
    #[cfg(test)]
    pub(crate) fn doc_row(&self) -> String {
        format!(
            "| {} | `{}` | {} |",
            self.file,
            self.field,
            self.range_text()
        )
    }
}

/// A number outside its range: `` `sample_hz` = 50 is out of range: give 100 to 1000 Hz ``.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("`{field}` = {} is out of range: give {}", shown(*value), limit.range_text())]
pub(crate) struct OutOfRange {
    /// The field as written in the file (usually the limit's own; a table that shares one
    /// limit over several columns names the column).
    pub(crate) field: &'static str,
    pub(crate) value: f64,
    pub(crate) limit: Limit,
}

/// A number as a person writes it: no `.0` on whole numbers.
fn shown(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

const BENCH: &str = "bench";
const SUITE: &str = "suite";
const PROFILE: &str = "profile";
const CALIBRATION: &str = "calibration";
const CADENCES: &str = "cadences.csv";

// Bench files.
/// Relay channels of a board (a Pi header has 28 pins; driver boards chain to 64).
pub(crate) const RELAY_CHANNELS: Limit = Limit::new(BENCH, "[[relays]] channels", 1.0, 256.0, "");
pub(crate) const PRESS_MS: Limit = Limit::new(BENCH, "press_ms", 1.0, 10_000.0, "ms");
pub(crate) const MAX_HOLD_MS: Limit = Limit::new(BENCH, "max_hold_ms", 1.0, 60_000.0, "ms");
/// Sensor channels of a bank (8 muxes × 8 TCS34725; a Feasa has 20 fibres).
pub(crate) const SENSOR_CHANNELS: Limit = Limit::new(BENCH, "[[sensors]] channels", 1.0, 256.0, "");
/// At least 100 Hz to see a flutter (50 ms on, 50 ms off); no sensor reads faster than 1 kHz.
pub(crate) const SAMPLE_HZ: Limit = Limit::new(BENCH, "sample_hz", 100.0, 1000.0, "Hz");
/// Simulated levels in counts: a TCS34725 reads at most 65535.
pub(crate) const SIM_DARK: Limit = Limit::new(BENCH, "sim.dark", 0.0, 65_535.0, "counts");
pub(crate) const SIM_FULL: Limit = Limit::new(BENCH, "sim.full", 0.0, 65_535.0, "counts");
pub(crate) const SIM_NOISE: Limit = Limit::new(BENCH, "sim.noise", 0.0, 10_000.0, "counts");
pub(crate) const SIM_AMBIENT: Limit = Limit::new(BENCH, "sim.ambient", 0.0, 65_535.0, "counts");
/// A light's `dark` level (each of `[r, g, b, c]`, or the one level).
pub(crate) const DARK: Limit = Limit::new(BENCH, "leds dark", 0.0, 65_535.0, "counts");
pub(crate) const INTEGRATION_MS: Limit = Limit::new(BENCH, "integration_ms", 2.4, 614.4, "ms");
pub(crate) const FULL_SCALE_V: Limit = Limit::new(BENCH, "full_scale_v", 0.256, 6.144, "V");
pub(crate) const BAUD: Limit = Limit::new(BENCH, "baud", 300.0, 4_000_000.0, "baud");
/// IP Office's Transfer Return Time field takes 1 to 99999 s.
pub(crate) const TRANSFER_RETURN_S: Limit =
    Limit::new(BENCH, "twinning.transfer_return_s", 1.0, 99_999.0, "s");

// Suite files.
pub(crate) const ENFORCED_RETURN_S: Limit = Limit::new(
    SUITE,
    "[settings] enforced_transfer_return_s",
    1.0,
    3_600.0,
    "s",
);
pub(crate) const EXPECT_WITHIN_MS: Limit =
    Limit::new(SUITE, "[settings] expect_within_ms", 1.0, 600_000.0, "ms");
pub(crate) const PROBE_RING_MS: Limit =
    Limit::new(SUITE, "[settings] probe_ring_ms", 1.0, 120_000.0, "ms");
pub(crate) const POLL_MS: Limit = Limit::new(SUITE, "[settings] poll_ms", 1.0, 1_000.0, "ms");
pub(crate) const ACTION_TIMEOUT_MS: Limit =
    Limit::new(SUITE, "[settings] action_timeout_ms", 1.0, 600_000.0, "ms");
pub(crate) const WAIT_MS: Limit = Limit::new(SUITE, "wait_ms", 0.0, 3_600_000.0, "ms");
pub(crate) const WITHIN_MS: Limit = Limit::new(SUITE, "within_ms", 0.0, 600_000.0, "ms");
pub(crate) const HOLD_MS: Limit = Limit::new(SUITE, "hold_ms", 0.0, 600_000.0, "ms");
pub(crate) const MEASURE_MS: Limit = Limit::new(SUITE, "measure_ms", 0.0, 3_600_000.0, "ms");
/// A measured interval is judged to within this: more than 10 s judges nothing.
pub(crate) const TOLERANCE_MS: Limit = Limit::new(SUITE, "tolerance_ms", 0.0, 10_000.0, "ms");

// Firmware profiles.
pub const DEFAULT_RETURN_S: Limit = Limit::new(
    PROFILE,
    "[timers] default_transfer_return_s",
    1.0,
    3_600.0,
    "s",
);
pub const UNREACHABLE_FAIL_S: Limit =
    Limit::new(PROFILE, "[timers] unreachable_fail_s", 0.0, 3_600.0, "s");
pub const TWIN_ALERT_DELAY_MS: Limit =
    Limit::new(PROFILE, "[timers] twin_alert_delay_ms", 0.0, 60_000.0, "ms");
pub const NETWORK_DELAY_MS: Limit =
    Limit::new(PROFILE, "[timers] network_delay_ms", 0.0, 60_000.0, "ms");

// Calibration files.
pub(crate) const CAL_MEAN: Limit = Limit::new(CALIBRATION, "mean", 0.0, 65_535.0, "counts");
pub(crate) const CAL_NOISE: Limit = Limit::new(CALIBRATION, "noise", 0.0, 65_535.0, "counts");
pub(crate) const CAL_SAMPLES: Limit = Limit::new(CALIBRATION, "samples", 0.0, 1_000_000.0, "");

// The cadence table (fixtures/cadences.csv).
/// A blink's on or off time, or a group's: under 10 ms no sensor window resolves it, and
/// a phase over 10 s is no blink a person would call one.
pub(crate) const CADENCE_MS: Limit = Limit::new(
    CADENCES,
    "on_ms, off_ms, group_on_ms, group_off_ms",
    10.0,
    10_000.0,
    "ms",
);
/// How long steady must hold before it is confirmed.
pub(crate) const SETTLE_MS: Limit = Limit::new(CADENCES, "settle_ms", 100.0, 60_000.0, "ms");
/// A blink clock's allowed error: at 50% or more a flash could be read as a wink.
pub(crate) const TOLERANCE_PCT: Limit = Limit::new(CADENCES, "tolerance_pct", 1.0, 49.0, "%");

/// Every limit, in the order of the table in docs/formats.md.
#[cfg(test)]
pub(crate) const ALL: &[Limit] = &[
    RELAY_CHANNELS,
    PRESS_MS,
    MAX_HOLD_MS,
    SENSOR_CHANNELS,
    SAMPLE_HZ,
    SIM_DARK,
    SIM_FULL,
    SIM_NOISE,
    SIM_AMBIENT,
    DARK,
    INTEGRATION_MS,
    FULL_SCALE_V,
    BAUD,
    TRANSFER_RETURN_S,
    ENFORCED_RETURN_S,
    EXPECT_WITHIN_MS,
    PROBE_RING_MS,
    POLL_MS,
    ACTION_TIMEOUT_MS,
    WAIT_MS,
    WITHIN_MS,
    HOLD_MS,
    MEASURE_MS,
    TOLERANCE_MS,
    DEFAULT_RETURN_S,
    UNREACHABLE_FAIL_S,
    TWIN_ALERT_DELAY_MS,
    NETWORK_DELAY_MS,
    CAL_MEAN,
    CAL_NOISE,
    CAL_SAMPLES,
    CADENCE_MS,
    SETTLE_MS,
    TOLERANCE_PCT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_negative_and_huge_numbers_are_refused() {
        for bad in [f64::INFINITY, f64::NAN, -1.0, 99.9, 1e308, 4_294_967_296.0] {
            let e = SAMPLE_HZ.check(bad).unwrap_err();
            assert_eq!(e.limit, SAMPLE_HZ);
            assert!(e.value.to_bits() == bad.to_bits(), "{e:?}");
            assert!(e.to_string().contains("give 100 to 1000 Hz"), "{e}");
        }
        assert!(SAMPLE_HZ.check(200.0).is_ok());
        assert_eq!(
            WAIT_MS.check_int(-5).unwrap_err().to_string(),
            format!(
                "`{}` = -5 is out of range: give {}",
                WAIT_MS.field,
                WAIT_MS.range_text()
            )
        );
        assert!(WAIT_MS.check_int(i64::MAX).is_err());
        assert!(WAIT_MS.check_int(0).is_ok());
    }

    #[test]
    fn no_limit_lets_a_duration_overflow_an_instant() {
        for l in ALL {
            let secs = match l.unit {
                "ms" => l.max / 1000.0,
                "s" => l.max,
                _ => continue,
            };
            assert!(secs <= MAX_DURATION.as_secs_f64(), "{}", l.field);
        }
    }

    #[test]
    fn readme_lists_every_limit() {
        let readme = std::fs::read_to_string(crate::workspace_path("docs/formats.md")).unwrap();
        for l in ALL {
            assert!(
                readme.contains(&l.doc_row()),
                "docs/formats.md lacks the row\n{}",
                l.doc_row()
            );
        }
    }
}
