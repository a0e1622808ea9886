//! The phones' buttons as relays press them: toggling twinning, and the button during a
//! call (retrieve, handover, cancel).

use super::*;

impl Core {
    // ---- buttons -----------------------------------------------------------------------

    /// A relay changed; a press acts on the press edge, as a phone key does.
    pub(crate) fn set_relay(&mut self, channel: &ChannelRef, pressed: bool) {
        let relay = self.relays.entry(channel.clone()).or_default();
        let edge = pressed && !relay.held;
        relay.held = pressed;
        if let (true, Some((position, button))) = (edge, relay.button) {
            *self.phones[position].presses.entry(button).or_default() += 1;
            self.press(position, button);
        }
    }

    pub(crate) fn relays_released(&self) -> bool {
        self.relays.values().all(|r| !r.held)
    }

    pub(crate) fn press_count(&self, position: &str, button: Button) -> usize {
        self.phones
            .iter()
            .find(|p| p.id == position)
            .and_then(|p| p.presses.get(&button).copied())
            .unwrap_or(0)
    }

    pub(super) fn press(&mut self, position: usize, button: Button) {
        let call = self.call_at_phone(position);
        match (button, call) {
            (Button::Call, Some((id, Phase::Alerting { .. }))) => {
                self.set_phase(id, Phase::AtPrimary);
            }
            (Button::Call, Some((id, Phase::Handover { .. }))) => {
                // Takes a held (handover) call back.
                self.set_phase(id, Phase::AtPrimary);
                self.handover_ended(position);
            }
            (Button::Release, Some((id, Phase::AtPrimary))) => self.end_call(id),
            (Button::Twinning, None) => self.toggle(position),
            (Button::Twinning, Some((id, phase))) => self.twinning_during_call(position, id, phase),
            _ => {}
        }
    }

    /// S1, S3: the button from idle.
    pub(super) fn toggle(&mut self, position: usize) {
        let phone = self.phone_mut(position);
        let b = phone.behaviour;
        let allowed = match phone.mode {
            TwinningMode::Mobile => b.toggle,
            TwinningMode::Internal => b.toggle && !b.internal_twinning_ignores_button,
        };
        if allowed {
            phone.enabled = !phone.enabled;
            if !phone.enabled && !b.light_follows_toggle {
                phone.stale = Some(Stale {
                    shown: TwinningState::TwinningOn,
                    masked: TwinningState::TwinningOff,
                    until_call: false,
                });
            }
        }
    }

    /// A handover ended at the phone (answered at the mobile, cancelled, taken back): a
    /// firmware that does not stop the wink leaves it on.
    pub(super) fn handover_ended(&mut self, position: usize) {
        if self.phones[position].behaviour.wink_ends_with_handover {
            return;
        }
        let masked = self.true_twinning_state(position);
        self.phone_mut(position).stale = Some(Stale {
            shown: TwinningState::HandoverPending,
            masked,
            until_call: true,
        });
    }

    /// S6–S11: the button with a call at the phone.
    pub(super) fn twinning_during_call(&mut self, position: usize, id: u64, phase: Phase) {
        let b = self.phones[position].behaviour;
        match phase {
            Phase::AtSecondary { .. } => {
                let ip_to_ip = self.call(id).is_some_and(|c| c.ip_to_ip);
                if b.retrieve && (b.retrieve_over_ip_to_ip || !ip_to_ip) {
                    if b.retrieve_keeps_call {
                        self.set_phase(id, Phase::AtPrimary);
                    } else {
                        self.end_call(id);
                    }
                }
            }
            Phase::AtPrimary => self.start_handover(position, id),
            Phase::Handover { .. } if b.second_press_cancels => {
                if b.cancel_reconnects {
                    self.set_phase(id, Phase::AtPrimary);
                } else {
                    self.end_call(id);
                }
                self.handover_ended(position);
            }
            _ => {}
        }
    }

    /// S8–S13: an unassisted transfer to the twinned number; its timers run from the press.
    pub(super) fn start_handover(&mut self, position: usize, id: u64) {
        let phone = &self.phones[position];
        let b = phone.behaviour;
        if phone.mode != TwinningMode::Mobile || !(phone.enabled || b.handover_when_twinning_off) {
            return;
        }
        let reachable = phone.mobile.is_some_and(|m| self.reachable(m));
        let return_s = match phone.transfer_return_s {
            Some(s) if b.honour_user_return_time => u64::from(s),
            _ => self.timers.default_transfer_return_s,
        };
        self.set_phase(id, Phase::Handover { ringing: None });
        if reachable {
            self.schedule_call(id, ms(self.timers.network_delay_ms), Timer::HandoverRing);
            self.schedule_call(id, Duration::from_secs(return_s), Timer::HandoverUnanswered);
        } else {
            let fail = Duration::from_secs(self.timers.unreachable_fail_s);
            self.schedule_call(id, fail, Timer::HandoverUnreachable);
        }
    }
}
