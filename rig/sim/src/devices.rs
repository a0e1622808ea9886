//! The simulated devices: thin [`crate::hw`] trait implementations over the world.
//! Each call locks the world once, brings it to now, acts, and unlocks.

use async_trait::async_trait;

use super::optics::{channel_seed, SampleStream};
use super::SimBench;
use crate::bench::ChannelRef;
use crate::hw::{
    Actuator, CallInfo, HwError, HwErrorKind, LightSensor, PhoneLine, Sample, SensorKind,
};

/// One relay channel.
pub(super) struct SimActuator {
    sim: SimBench,
    channel: ChannelRef,
}

impl SimActuator {
    pub(super) fn new(sim: SimBench, channel: ChannelRef) -> Self {
        Self { sim, channel }
    }
}

impl Actuator for SimActuator {
    fn set(&mut self, pressed: bool) -> Result<(), HwError> {
        if self.sim.bench.relay_board(&self.channel.device).is_none() {
            return Err(HwError::new(
                HwErrorKind::Unreachable,
                self.channel.to_string(),
                "no such relay board on the simulated bench",
            ));
        }
        self.sim.act(|core| core.set_relay(&self.channel, pressed));
        self.sim.log_relay(&self.channel, pressed);
        Ok(())
    }
}

/// One sensor channel.
pub(super) struct SimSensor {
    sim: SimBench,
    name: String,
    kind: SensorKind,
    /// The light it watches (index into the world's timelines); `None`: unwired, dark.
    light: Option<usize>,
    /// `None` when its bank is not on the bench: every read fails as unreachable.
    stream: Option<SampleStream>,
}

impl SimSensor {
    pub(super) fn new(sim: SimBench, channel: &ChannelRef) -> Self {
        let core = sim.lock();
        let light = core.watched.get(channel).copied();
        let reflective = light.is_some_and(|l| core.light_is_reflective(l));
        drop(core);
        let start = sim.clock.now_ms();
        let bank = sim.bench.sensor_bank(&channel.device);
        let seed = channel_seed(sim.seed, &channel.device, channel.channel);
        Self {
            name: channel.to_string(),
            kind: bank.map_or(SensorKind::Rgbc, |b| b.kind),
            light,
            stream: bank.map(|b| SampleStream::new(b, reflective, seed, start)),
            sim,
        }
    }

    fn stream(&mut self) -> Result<&mut SampleStream, HwError> {
        self.stream.as_mut().ok_or_else(|| {
            HwError::new(
                HwErrorKind::Unreachable,
                self.name.clone(),
                "no such sensor bank on the simulated bench",
            )
        })
    }
}

impl LightSensor for SimSensor {
    fn kind(&self) -> SensorKind {
        self.kind
    }

    fn drain(&mut self, out: &mut Vec<Sample>) -> Result<(), HwError> {
        let light = self.light;
        let sim = self.sim.clone();
        let stream = self.stream()?;
        sim.act(|core| {
            let now = core.now_ms();
            let watched = light.map(|l| (&core.timelines[l], &core.blink));
            stream.fill(watched, now, out);
        });
        Ok(())
    }

    fn discard(&mut self) -> Result<(), HwError> {
        let now = self.sim.clock.now_ms();
        self.stream()?.skip_to(now);
        Ok(())
    }
}

/// One modem.
pub(super) struct SimLine {
    sim: SimBench,
    id: String,
    line: Option<usize>,
}

impl SimLine {
    pub(super) fn new(sim: SimBench, modem_id: &str) -> Self {
        let line = sim.lock().line_ids.get(modem_id).copied();
        Self {
            sim,
            id: modem_id.to_string(),
            line,
        }
    }

    fn line(&self) -> Result<usize, HwError> {
        self.line.ok_or_else(|| {
            HwError::new(
                HwErrorKind::Unreachable,
                self.id.clone(),
                "no such modem on the simulated bench",
            )
        })
    }

    fn rejected(&self, message: &str) -> HwError {
        HwError::new(HwErrorKind::Rejected, self.id.clone(), message)
    }
}

#[async_trait]
impl PhoneLine for SimLine {
    async fn dial(&mut self, number: &str) -> Result<(), HwError> {
        let line = self.line()?;
        self.sim
            .act(|core| core.dial(line, number))
            .map_err(|e| self.rejected(e))
    }

    async fn answer(&mut self) -> Result<(), HwError> {
        let line = self.line()?;
        self.sim
            .act(|core| core.answer(line))
            .map_err(|e| self.rejected(e))
    }

    async fn hang_up(&mut self) -> Result<(), HwError> {
        let line = self.line()?;
        self.sim.act(|core| core.hang_up(line));
        Ok(())
    }

    async fn calls(&mut self) -> Result<Vec<CallInfo>, HwError> {
        let line = self.line()?;
        Ok(self.sim.act(|core| core.clcc(line)))
    }

    async fn set_radio(&mut self, on: bool) -> Result<(), HwError> {
        let line = self.line()?;
        self.sim.act(|core| core.set_radio(line, on));
        Ok(())
    }

    async fn identify(&mut self) -> Result<String, HwError> {
        self.line()?;
        Ok("simulated modem, registered on the simulated network".into())
    }
}
