//! What the phones' lights show, drawn into their timelines when a phone changes.

use super::*;

impl Core {
    // ---- lights ------------------------------------------------------------------------

    /// What the phone's two lights show now: (Twinning, call appearance).
    pub(super) fn lights_of(&self, position: usize) -> (Indication, Indication) {
        let phone = &self.phones[position];
        let phase = self.call_at_phone(position).map(|(_, p)| p);
        let real = self.true_twinning_state(position);
        let tw = match phone.stale {
            Some(st) if st.masked == real => st.shown,
            _ => real,
        };
        let call = match phase {
            Some(Phase::Alerting { .. }) => AppearanceState::Alerting,
            Some(Phase::AtPrimary) => AppearanceState::Connected,
            Some(Phase::Handover { .. }) => AppearanceState::Held,
            _ => AppearanceState::Idle,
        };
        (phone.twinning[&tw], phone.appearance[&call])
    }

    /// The state the Twinning light should show now.
    pub(super) fn true_twinning_state(&self, position: usize) -> TwinningState {
        let phone = &self.phones[position];
        let twinning_on = phone.enabled
            && (phone.mode == TwinningMode::Mobile
                || !phone.behaviour.internal_twinning_ignores_button);
        match self.call_at_phone(position).map(|(_, p)| p) {
            Some(Phase::AtSecondary { .. }) => TwinningState::TwinnedCallAtSecondary,
            Some(Phase::Handover { .. }) => TwinningState::HandoverPending,
            _ if twinning_on => TwinningState::TwinningOn,
            _ => TwinningState::TwinningOff,
        }
    }

    /// Stamp any light change at the current instant (of the phones that changed).
    pub(crate) fn refresh_lights(&mut self) {
        let t = self.now_ms();
        for p in std::mem::take(&mut self.changed) {
            // A stale lamp is redrawn once the real state moves on.
            if let Some(st) = self.phones[p].stale {
                if st.masked != self.true_twinning_state(p) {
                    self.phones[p].stale = None;
                }
            }
            let (tw, call) = self.lights_of(p);
            self.timelines[light_index(p, Light::Twinning)].set(t, tw);
            self.timelines[light_index(p, Light::Call)].set(t, call);
        }
    }

    pub(crate) fn position_id(&self, position: usize) -> &str {
        &self.phones[position].id
    }

    /// Whether a light (index into `timelines`) is a reflective LCD indicator.
    pub(crate) fn light_is_reflective(&self, light: usize) -> bool {
        self.phones[light / 2].reflective
    }
}
