//! Which case runs on which position, and why a pair is skipped.

use crate::bench::{Bench, Position, TwinningMode};
use crate::suite::{Case, Via};

/// Why `case` does not apply to `position`, or `None` when it does.
pub fn not_applicable(bench: &Bench, position: &Position, case: &Case) -> Option<String> {
    if let Some(mode) = case.applies.mode {
        if mode != position.twinning.mode {
            return Some(format!(
                "applies to users set up for {} twinning; {} is set up for {} twinning",
                mode_name(mode),
                position.id,
                mode_name(position.twinning.mode)
            ));
        }
    }
    if let Some(set) = case.applies.transfer_return_set {
        let has = position.twinning.transfer_return_s.is_some();
        if set != has {
            return Some(if set {
                format!("applies to users with a Transfer Return Time; {} has none (see return-enforced-15s)", position.id)
            } else {
                format!("applies to users with no Transfer Return Time; {} has one (see return-user-time)", position.id)
            });
        }
    }
    let system = &bench.system;
    for via in case.dial_via() {
        let ok = system.inbound.iter().any(|r| match via {
            Via::Any => true,
            Via::IpToIp => system.is_ip_to_ip(r),
            Via::NotIpToIp => !system.is_ip_to_ip(r),
        });
        if !ok {
            return Some(match via {
                Via::IpToIp => "the bench has no inbound route that makes an IP-to-IP twinned call (an IP inbound trunk and an IP twinning trunk)".into(),
                Via::NotIpToIp => "every inbound route of the bench makes an IP-to-IP twinned call, where S7 lets retrieve fail".into(),
                Via::Any => "the bench has no inbound route".into(),
            });
        }
    }
    None
}

fn mode_name(m: TwinningMode) -> &'static str {
    match m {
        TwinningMode::Mobile => "mobile",
        TwinningMode::Internal => "internal",
    }
}
