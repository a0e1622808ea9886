//! Driving the shared modems: a command with the suite's timeout, a line's state and the
//! wait for one, the twinning probe (a call proves the state), and settling to idle.

use std::future::Future;
use std::time::Duration;

use tokio::time::{sleep, timeout};

use super::{Driver, LightWant, RigFault, Stop};
use crate::bench::{InboundRoute, Light, ModemRole};
use crate::hw::{HwError, LineState};
use crate::runner::devices::Lease;

impl Driver {
    /// Run a modem command with the suite's action timeout.
    pub(crate) async fn modem<T>(
        &mut self,
        what: &str,
        fut: impl Future<Output = Result<T, HwError>>,
    ) -> Result<T, Stop> {
        let limit = self.settings().action_timeout_ms;
        let out = match timeout(Duration::from_millis(limit), fut).await {
            Ok(r) => r.map_err(Stop::from),
            Err(_) => Err(Stop::Rig(RigFault::NoAnswer {
                what: what.to_string(),
                limit_ms: limit,
            })),
        };
        self.action_done()?;
        out
    }

    pub(crate) async fn line_state(
        &mut self,
        lease: &mut Lease,
        role: ModemRole,
    ) -> Result<LineState, Stop> {
        let limit = self.settings().action_timeout_ms;
        match timeout(Duration::from_millis(limit), lease.line(role).calls()).await {
            Ok(Ok(calls)) => Ok(LineState::of(&calls)),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(Stop::Rig(RigFault::CallListNoAnswer {
                role: role.name(),
                limit_ms: limit,
            })),
        }
    }

    /// Wait until a modem's line is in `want`, then (with `hold_ms`) stays there.
    /// Returns the bench time at which it was first seen.
    pub(crate) async fn expect_line(
        &mut self,
        lease: &mut Lease,
        role: ModemRole,
        want: LineState,
        within_ms: u64,
        hold_ms: u64,
    ) -> Result<f64, Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let start = self.now_ms();
        self.line_from_ms = start;
        self.failed_light = None;
        let mut seen = self.line_state(lease, role).await?;
        while seen != want {
            if self.now_ms() - start > within_ms as f64 {
                return Err(Stop::Fail {
                    expected: format!("{} modem: {want}", role.name()),
                    observed: format!("{} modem: {seen}", role.name()),
                    message: format!(
                        "the {} modem was {seen}, not {want}, after {within_ms} ms",
                        role.name()
                    ),
                });
            }
            sleep(poll).await;
            seen = self.line_state(lease, role).await?;
        }
        let met = self.now_ms();
        while self.now_ms() - met < hold_ms as f64 {
            sleep(poll).await;
            let now = self.line_state(lease, role).await?;
            if now != want {
                return Err(Stop::Fail {
                    expected: format!("{} modem: {want} for {hold_ms} ms", role.name()),
                    observed: format!(
                        "{} modem: {now} after {:.0} ms",
                        role.name(),
                        self.now_ms() - met
                    ),
                    message: format!(
                        "the {} modem left {want} after {:.0} ms",
                        role.name(),
                        self.now_ms() - met
                    ),
                });
            }
        }
        Ok(met)
    }

    /// Is mobile twinning on? Proven by behaviour, not by the light: the caller rings the
    /// primary and the rig watches whether the mobile rings too. Leaves both idle.
    pub(crate) async fn probe_twinned(
        &mut self,
        lease: &mut Lease,
        route: &InboundRoute,
    ) -> Result<bool, Stop> {
        let number = self.ctx.bench.dial_number(&self.position, route);
        let ring_ms = self.settings().probe_ring_ms;
        let within = self.settings().expect_within_ms;
        let started = self.now_ms();
        self.modem("caller modem: dial", lease.caller.dial(&number))
            .await?;
        let alert = self.appearance(crate::spec::AppearanceState::Alerting)?;
        self.expect_light(Light::Call, LightWant::Is(alert), within, 0)
            .await
            .map_err(|s| match s {
                Stop::Fail { observed, .. } => Stop::Rig(RigFault::ProbeNotAlerting {
                    number: number.clone(),
                    observed,
                }),
                other => other,
            })?;
        let mut twinned = false;
        let poll = Duration::from_millis(self.settings().poll_ms);
        let watched_from = self.now_ms();
        while self.now_ms() - started < ring_ms as f64 {
            if self.line_state(lease, ModemRole::Mobile).await? == LineState::Ringing {
                twinned = true;
                break;
            }
            sleep(poll).await;
        }
        // The mobile's ringing decides: a FAIL is plotted with what the Twinning light did
        // meanwhile (kept before hanging up discards it).
        self.sample_history();
        self.modem("caller modem: hang up", lease.caller.hang_up())
            .await?;
        self.settle_idle(lease).await?;
        self.failed_light = None;
        self.line_from_ms = watched_from;
        Ok(twinned)
    }

    /// Wait for both modems and the primary to be idle; press release once if the
    /// primary still holds a call. A position that will not go idle is a rig ERROR.
    pub(crate) async fn settle_idle(&mut self, lease: &mut Lease) -> Result<(), Stop> {
        let within = self.settings().expect_within_ms;
        for role in [ModemRole::Mobile, ModemRole::Caller] {
            if self
                .expect_line(lease, role, LineState::Idle, within, 0)
                .await
                .is_err()
            {
                self.modem("hang up", lease.line(role).hang_up()).await?;
                self.expect_line(lease, role, LineState::Idle, within, 0)
                    .await
                    .map_err(|_| Stop::Rig(RigFault::LineNotIdle { role: role.name() }))?;
            }
        }
        self.primary_idle().await
    }
}
