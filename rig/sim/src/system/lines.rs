//! The modem lines: dialling, answering, hanging up, the radio, and the call list a modem
//! reports (AT+CLCC).

use super::*;

impl Core {
    // ---- lines -------------------------------------------------------------------------

    pub(crate) fn dial(&mut self, line: usize, number: &str) -> Result<(), &'static str> {
        if !self.lines[line].radio {
            return Err("no network service (radio off)");
        }
        if self.line_busy(line) {
            return Err("the line already has a call");
        }
        let delay = ms(self.timers.network_delay_ms);
        match self.dial_plan.get(number).copied() {
            Some((position, ip_to_ip)) if !self.position_busy(position) => {
                self.next_id += 1;
                let id = self.next_id;
                self.changed.insert(position);
                let now = self.now_ms();
                self.call_log.push((position, now, None));
                self.calls.push(Call {
                    id,
                    seq: 0,
                    caller: line,
                    dialled: number.to_string(),
                    position,
                    ip_to_ip,
                    phase: Phase::SettingUp,
                });
                self.schedule_call(id, delay, Timer::SetUpDone);
            }
            // Unknown number or busy phone: the network gives up after the set-up delay.
            _ => {
                self.next_id += 1;
                let token = self.next_id;
                self.lines[line].doomed = Some((token, number.to_string()));
                self.schedule(delay, Due::DoomedDialEnds { line, token });
            }
        }
        Ok(())
    }

    pub(crate) fn answer(&mut self, line: usize) -> Result<(), &'static str> {
        let ringing = self
            .calls
            .iter()
            .find(|c| c.phase.mobile_leg() == Some((line, true)))
            .map(|c| (c.id, c.phase));
        match ringing {
            Some((id, Phase::Alerting { .. })) => {
                self.set_phase(id, Phase::AtSecondary { mobile: line })
            }
            Some((id, _)) => {
                self.set_phase(id, Phase::Transferred { mobile: line });
                let position = self.call(id).map_or(0, |c| c.position);
                self.handover_ended(position);
            }
            None => return Err("NO CARRIER: nothing rings"),
        }
        Ok(())
    }

    /// End or reject every call of a line (`AT+CHUP`).
    pub(crate) fn hang_up(&mut self, line: usize) {
        self.lines[line].doomed = None;
        let touching: Vec<(u64, usize, Phase)> = self
            .calls
            .iter()
            .map(|c| (c.id, c.caller, c.phase))
            .collect();
        for (id, caller, phase) in touching {
            if caller == line {
                self.end_call(id);
                continue;
            }
            if phase.mobile_leg().is_none_or(|(m, _)| m != line) {
                continue;
            }
            match phase {
                // Rejecting a twinned ring ends only the twin leg.
                Phase::Alerting { recall, .. } => {
                    self.call_mut(id).phase = Phase::Alerting { twin: None, recall }
                }
                // Rejecting the handover ring: it could not connect (S12), at once.
                Phase::Handover { .. } => {
                    let position = self.call(id).map_or(0, |c| c.position);
                    let returns = self.phones[position].behaviour.return_when_unreachable;
                    self.give_back(id, returns)
                }
                _ => self.end_call(id),
            }
        }
    }

    pub(crate) fn set_radio(&mut self, line: usize, on: bool) {
        if !on {
            self.hang_up(line);
        }
        self.lines[line].radio = on;
    }

    /// The line's calls as `AT+CLCC` lists them.
    pub(crate) fn clcc(&self, line: usize) -> Vec<CallInfo> {
        let mut out = Vec::new();
        for c in &self.calls {
            if c.caller == line {
                let status = match c.phase {
                    Phase::SettingUp => CallStatus::Dialing,
                    Phase::Alerting { recall: false, .. } => CallStatus::Alerting,
                    _ => CallStatus::Active,
                };
                out.push(CallInfo {
                    incoming: false,
                    status,
                    number: Some(c.dialled.clone()),
                });
            }
            if let Some((m, ringing)) = c.phase.mobile_leg() {
                if m == line {
                    out.push(CallInfo {
                        incoming: true,
                        status: if ringing {
                            CallStatus::Incoming
                        } else {
                            CallStatus::Active
                        },
                        // The system presents the original caller's number.
                        number: Some(self.lines[c.caller].number.clone()),
                    });
                }
            }
        }
        if let Some((_, number)) = &self.lines[line].doomed {
            out.push(CallInfo {
                incoming: false,
                status: CallStatus::Dialing,
                number: Some(number.clone()),
            });
        }
        out
    }
}
