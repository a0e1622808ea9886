//! Watching a position's lights: waiting for an indication (and its hold), recording a
//! light for calibration, and bringing the call appearance to idle.

use std::time::Duration;

use tokio::time::sleep;

use super::{Driver, RigFault, Stop};
use crate::bench::{Button, Light};
use crate::hw::{HwError, Sample};
use crate::observe::{Classifier, Reading};
use crate::spec::{Expected, Indication};

/// What a light expectation wants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LightWant {
    Is(Expected),
    /// Any settled state the expectation does not accept (S10: no longer winking).
    IsNot(Expected),
    /// The spec gives no indication: record what the light shows, assert nothing.
    Unspecified,
}

impl LightWant {
    /// Whether a settled indication meets the want (`Unspecified` meets anything).
    fn accepts(&self, i: Indication) -> bool {
        match self {
            LightWant::Is(e) => e.accepts(i),
            LightWant::IsNot(e) => !e.accepts(i),
            LightWant::Unspecified => true,
        }
    }
}

impl std::fmt::Display for LightWant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LightWant::Is(e) => write!(f, "{e}"),
            LightWant::IsNot(e) => write!(f, "anything but {e}"),
            LightWant::Unspecified => f.write_str("any settled state"),
        }
    }
}

/// A light expectation that came true (or was recorded).
#[derive(Debug, Clone)]
pub struct LightSeen {
    pub(crate) reading: Reading,
    pub(crate) indication: Option<Indication>,
    pub(crate) at_ms: f64,
}

impl Driver {
    /// Watch a light until it settles in the wanted state (and holds it for `hold_ms`).
    pub(crate) async fn expect_light(
        &mut self,
        light: Light,
        want: LightWant,
        within_ms: u64,
        hold_ms: u64,
    ) -> Result<LightSeen, Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let start = self.now_ms();
        let mut last_sample_ms = start;
        let mut last = Reading::NotEnoughEvidence;
        let mut met: Option<(f64, Reading)> = None;
        let mut buf = Vec::new();
        loop {
            sleep(poll).await;
            let now = self.now_ms();
            let dev = self.devices.lights.get_mut(&light).ok_or_else(|| {
                Stop::Rig(RigFault::NoSensor {
                    light: light.name(),
                })
            })?;
            buf.clear();
            dev.sensor.drain(&mut buf).map_err(|error| {
                Stop::Rig(RigFault::Sensor {
                    sensor: dev.name.clone(),
                    error,
                })
            })?;
            self.failed_light = Some((light, start));
            self.remember(light, &buf);
            let dev = &self.devices.lights[&light];
            if let Some(s) = buf.last() {
                last_sample_ms = s.t_ms;
            } else if now - last_sample_ms > 1000.0 {
                return Err(Stop::Rig(RigFault::Silent {
                    sensor: dev.name.clone(),
                    light: light.name(),
                    silent_ms: now - last_sample_ms,
                }));
            }
            let watch = self.watches.get_mut(&light).expect("a watch per light");
            watch.push(&buf);
            let reading = watch.current();
            let seen = seen_indication(&reading);
            match (want, seen, &met) {
                // Unspecified: the first settled reading is the record.
                (LightWant::Unspecified, Some(i), _) => {
                    return Ok(LightSeen {
                        reading,
                        indication: Some(i),
                        at_ms: now,
                    })
                }
                (LightWant::Is(_) | LightWant::IsNot(_), Some(i), None) if want.accepts(i) => {
                    met = Some((now, reading.clone()))
                }
                (LightWant::Is(_) | LightWant::IsNot(_), Some(i), Some((t, _)))
                    if !want.accepts(i) =>
                {
                    return Err(Stop::Fail {
                        expected: format!("{} light: {want} for {hold_ms} ms", light.name()),
                        observed: format!("{} light: {}", light.name(), reading.describe()),
                        message: format!(
                            "the {} light changed to {i} after {:.0} ms",
                            light.name(),
                            now - t
                        ),
                    });
                }
                _ => {}
            }
            if !matches!(reading, Reading::NotEnoughEvidence) {
                last = reading;
            }
            if let Some((t, r)) = &met {
                if now - t >= hold_ms as f64 {
                    return Ok(LightSeen {
                        reading: r.clone(),
                        indication: seen_indication(r),
                        at_ms: *t,
                    });
                }
            } else if now - start > within_ms as f64 {
                let expected = match want {
                    LightWant::Is(_) | LightWant::IsNot(_) => {
                        format!("{} light: {want}", light.name())
                    }
                    LightWant::Unspecified => format!("{} light: any settled state", light.name()),
                };
                let dev = &self.devices.lights[&light];
                if let Some(why) = unreadable(&last, dev.calibration.kind, want) {
                    // The rig could not read the light: never blamed on the phone.
                    return Err(Stop::Rig(RigFault::Unreadable {
                        sensor: dev.name.clone(),
                        light: light.name(),
                        why,
                        wanted: expected,
                    }));
                }
                return Err(Stop::Fail {
                    expected,
                    observed: format!("{} light: {}", light.name(), last.describe()),
                    message: format!(
                        "the {} light did not show that within {within_ms} ms",
                        light.name()
                    ),
                });
            }
        }
    }

    /// Record a light's raw samples for `ms` of bench time from now, and what the classifier
    /// reads in them (for calibration: the mean of a known state, and proof that the light
    /// held still while it was measured). A sensor that gives no sample is a rig fault.
    pub(crate) async fn record_light(
        &mut self,
        light: Light,
        ms: f64,
    ) -> Result<(Vec<Sample>, Reading), Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let clock = self.ctx.clock;
        let dev = self.devices.lights.get_mut(&light).ok_or_else(|| {
            Stop::Rig(RigFault::NoSensor {
                light: light.name(),
            })
        })?;
        let name = dev.name.clone();
        let fault = |error: HwError| {
            Stop::Rig(RigFault::Sensor {
                sensor: name.clone(),
                error,
            })
        };
        dev.sensor.discard().map_err(fault)?;
        let start = clock.now_ms();
        let mut samples = Vec::new();
        while clock.now_ms() - start < ms {
            sleep(poll).await;
            dev.sensor.drain(&mut samples).map_err(fault)?;
        }
        if samples.is_empty() {
            return Err(Stop::Rig(RigFault::Silent {
                sensor: name,
                light: light.name(),
                silent_ms: ms,
            }));
        }
        let reading = Classifier::new(&self.ctx.spec.cadences, dev.calibration).classify(&samples);
        Ok((samples, reading))
    }

    /// The call appearance indication of this family's indicator for a state.
    pub(crate) fn appearance(&self, state: crate::spec::AppearanceState) -> Result<Expected, Stop> {
        let kind = self.family.indicator.ok_or_else(|| {
            Stop::Rig(RigFault::NoIndicator {
                family: self.family.id.to_string(),
            })
        })?;
        self.ctx
            .spec
            .indications
            .appearance(kind, state)
            .map(Expected::Exactly)
            .ok_or_else(|| {
                Stop::Rig(RigFault::NoAppearance {
                    indicator: kind.name(),
                    state,
                })
            })
    }

    /// Bring the primary's call appearance to idle (pressing release once if needed).
    pub(crate) async fn primary_idle(&mut self) -> Result<(), Stop> {
        let within = self.settings().expect_within_ms;
        let idle = self.appearance(crate::spec::AppearanceState::Idle)?;
        if self
            .expect_light(Light::Call, LightWant::Is(idle), within, 0)
            .await
            .is_ok()
        {
            return Ok(());
        }
        if !self.devices.buttons.contains_key(&Button::Release) {
            return Err(Stop::Rig(RigFault::NoRelease {
                position: self.position.id.to_string(),
            }));
        }
        self.press(Button::Release).await?;
        self.expect_light(Light::Call, LightWant::Is(idle), within, 0)
            .await
            .map(|_| ())
            .map_err(|s| match s {
                Stop::Fail { observed, .. } => Stop::Rig(RigFault::PositionNotIdle {
                    position: self.position.id.to_string(),
                    observed,
                }),
                other => other,
            })
    }
}

/// Why a final reading says nothing about the phone: no stable reading in the whole
/// window (noise, a loose sensor), or a colour sensor that could not measure the colour
/// (clipped channels read as `on`).
fn unreadable(
    last: &Reading,
    kind: crate::hw::SensorKind,
    want: LightWant,
) -> Option<&'static str> {
    use crate::spec::Colour;
    // Only a colour sensor asked for a hue can fail to measure one.
    let wants_hue = match want {
        LightWant::Is(Expected::Exactly(i)) => !matches!(i.colour, Colour::On | Colour::Off),
        LightWant::Is(Expected::AnyColour(_)) | LightWant::IsNot(_) | LightWant::Unspecified => {
            false
        }
    };
    match last {
        Reading::NotEnoughEvidence => Some("no stable reading at all: check the sensor's mounting, shroud and gain"),
        Reading::Seen(o) if wants_hue && kind == crate::hw::SensorKind::Rgbc && o.indication.colour == Colour::On => {
            Some("lit, but its colour could not be measured (clipped channels): lower the gain or integration time")
        }
        _ => None,
    }
}

/// The indication a settled reading shows; `None` while undecided or unmatched.
pub(crate) fn seen_indication(r: &Reading) -> Option<Indication> {
    match r {
        Reading::Seen(o) => Some(o.indication),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::SensorKind;
    use crate::observe::Observation;

    fn seen(i: &str) -> Reading {
        Reading::Seen(Observation {
            indication: i.parse().unwrap(),
            period_ms: None,
            on_ms: None,
            off_ms: None,
            confidence: 1.0,
            window_ms: 1500.0,
        })
    }

    #[test]
    fn only_the_rig_s_own_blindness_is_unreadable() {
        let green = LightWant::Is("green steady".parse().unwrap());
        let on = LightWant::Is("on steady".parse().unwrap());
        // Never a settled reading: the rig could not read the light.
        assert!(unreadable(&Reading::NotEnoughEvidence, SensorKind::Rgbc, green).is_some());
        // A colour sensor that saw "lit, colour unknown" where a hue was wanted.
        assert!(unreadable(&seen("on steady"), SensorKind::Rgbc, green).is_some());
        // A wrong but well-read light is the phone's: FAIL, not ERROR.
        assert!(unreadable(&seen("red steady"), SensorKind::Rgbc, green).is_none());
        assert!(unreadable(&seen("green flash"), SensorKind::Rgbc, green).is_none());
        // `on` is a real reading for a level sensor or an LCD indicator.
        assert!(unreadable(&seen("on steady"), SensorKind::Level, green).is_none());
        assert!(unreadable(&seen("on flash"), SensorKind::Rgbc, on).is_none());
    }
}
