//! One position of the bench: its phone and family, its user's twinning settings, and the
//! relay and sensor channels wired to it (each channel used once on the bench).

use std::ops::Range;

use toml::Spanned;

use super::raw::{RawDark, RawLight, RawPosition};
use super::*;

/// One position: its phone, extension, twinning settings, and which relay channel presses
/// each button and which sensor channel watches each light. `None` when its model cannot
/// stand on a bench (the fault is in `p`).
pub(super) fn position(
    src: &SourceText,
    p: &mut Problems,
    catalog: &Catalog,
    pos: &Spanned<RawPosition>,
    devices: &Devices,
    seen: &mut Seen,
) -> Option<Position> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let pos = pos.get_ref();
    let id = pos.id.get_ref().clone();
    if !seen.position_ids.insert(id.clone()) {
        p.push(err(
            pos.id.span(),
            format!("position id `{id}` is used twice"),
        ));
    }
    if !pos.extension.get_ref().chars().all(|c| c.is_ascii_digit())
        || pos.extension.get_ref().is_empty()
    {
        p.push(err(
            pos.extension.span(),
            format!(
                "position `{id}`: extension `{}` is not digits",
                pos.extension.get_ref()
            ),
        ));
    } else if !seen.extensions.insert(pos.extension.get_ref().clone()) {
        p.push(err(
            pos.extension.span(),
            format!(
                "position `{id}`: extension {} is used by another position",
                pos.extension.get_ref()
            ),
        ));
    }
    let family = bench_family(src, p, catalog, pos, &id);
    let twinning = twinning_settings(src, p, pos, &id, devices.modems);
    let buttons = button_wiring(src, p, pos, &id, devices.relays, seen);
    let lights = light_wiring(src, p, pos, &id, devices.sensors, family, seen);
    family.map(|f| Position {
        id,
        model: pos.model.get_ref().clone(),
        family: f.id.clone(),
        extension: pos.extension.get_ref().clone(),
        twinning,
        buttons,
        lights,
    })
}

/// The family of the position's model, if it can stand on a bench.
pub(super) fn bench_family<'c>(
    src: &SourceText,
    p: &mut Problems,
    catalog: &'c Catalog,
    pos: &RawPosition,
    id: &str,
) -> Option<&'c Family> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    match catalog.family_of_model(pos.model.get_ref()) {
        Some(f) if f.bench => Some(f),
        Some(f) => {
            p.push(err(
                pos.model.span(),
                format!(
                    "position `{id}`: {} cannot stand on a bench ({})",
                    f.name,
                    f.reason.as_deref().unwrap_or("not a bench phone")
                ),
            ));
            None
        }
        None => {
            let known: Vec<&str> = catalog.models().collect();
            p.push(err(
                pos.model.span(),
                format!(
                    "position `{id}`: unknown model `{}` (the catalog knows: {})",
                    pos.model.get_ref(),
                    known.join(", ")
                ),
            ));
            None
        }
    }
}

/// The position's twinning settings; a mobile twin's number must be a mobile modem's.
pub(super) fn twinning_settings(
    src: &SourceText,
    p: &mut Problems,
    pos: &RawPosition,
    id: &str,
    modems: &[Modem],
) -> TwinningSettings {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let tw = pos.twinning.get_ref();
    if !is_dialable(tw.number.get_ref()) {
        p.push(err(
            tw.number.span(),
            format!(
                "position `{id}`: twinned number `{}` is not a dialable number",
                tw.number.get_ref()
            ),
        ));
    } else if tw.mode == TwinningMode::Mobile
        && !modems
            .iter()
            .any(|m| m.role == ModemRole::Mobile && &m.number == tw.number.get_ref())
    {
        p.push(err(tw.number.span(), format!("position `{id}`: twinned number `{}` is no mobile modem's number, so the rig could not see twinned calls", tw.number.get_ref())));
    }
    let transfer_return_s = tw.transfer_return_s.as_ref().map(|t| {
        ranged_int(
            src,
            p,
            &format!("position `{id}`"),
            Some(t),
            limits::TRANSFER_RETURN_S.min as i64,
            &limits::TRANSFER_RETURN_S,
        ) as u32
    });
    TwinningSettings {
        mode: tw.mode,
        enabled: tw.enabled,
        number: tw.number.get_ref().clone(),
        transfer_return_s,
    }
}

/// Which relay channel presses each button (each channel used once on the bench).
pub(super) fn button_wiring(
    src: &SourceText,
    p: &mut Problems,
    pos: &RawPosition,
    id: &str,
    relays: &[RelayBoard],
    seen: &mut Seen,
) -> BTreeMap<Button, ChannelRef> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut buttons = BTreeMap::new();
    for b in Button::ALL {
        match pos.buttons.get_ref().get(&b) {
            // Without a release relay the rig ends calls from the far end (hang-up).
            None if b == Button::Release => {}
            None => p.push(err(
                pos.buttons.span(),
                format!(
                    "position `{id}`: no relay channel for the `{}` button",
                    b.name()
                ),
            )),
            Some(ch) => {
                if let Some(c) = channel(
                    src,
                    ch,
                    p,
                    |dev| relays.iter().find(|r| r.id == dev).map(|r| r.channels),
                    "relay board",
                ) {
                    claim(
                        src,
                        p,
                        &mut seen.used_channels,
                        &c,
                        ch.span(),
                        format!("{id}.{}", b.name()),
                    );
                    buttons.insert(b, c);
                }
            }
        }
    }
    buttons
}

/// Which sensor channel watches each light, with its dark level (each channel used once;
/// a colour indicator needs a colour sensor).
pub(super) fn light_wiring(
    src: &SourceText,
    p: &mut Problems,
    pos: &RawPosition,
    id: &str,
    sensors: &[SensorBank],
    family: Option<&Family>,
    seen: &mut Seen,
) -> BTreeMap<Light, LightWiring> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut lights = BTreeMap::new();
    for l in Light::ALL {
        let Some(entry) = pos.leds.get_ref().get(&l) else {
            p.push(err(
                pos.leds.span(),
                format!("position `{id}`: the {} light has no sensor", l.name()),
            ));
            continue;
        };
        let (name, dark) = match entry.get_ref() {
            RawLight::Channel(c) => (c.clone(), None),
            RawLight::Calibrated { sensor, dark } => (sensor.clone(), Some(dark)),
        };
        let named = Spanned::new(entry.span(), name);
        let Some(c) = channel(
            src,
            &named,
            p,
            |dev| sensors.iter().find(|s| s.id == dev).map(|s| s.channels),
            "sensor bank",
        ) else {
            continue;
        };
        claim(
            src,
            p,
            &mut seen.used_channels,
            &c,
            entry.span(),
            format!("{id}.{} light", l.name()),
        );
        let bank = sensors
            .iter()
            .find(|s| s.id == c.device)
            .expect("channel() checked the bank");
        let dark_values: &[f32] = match dark {
            Some(RawDark::Level(v)) => std::slice::from_ref(v),
            Some(RawDark::Rgbc(v)) => v,
            None => &[],
        };
        let bad_dark = dark_values
            .iter()
            .find_map(|v| limits::DARK.check(f64::from(*v)).err());
        if let Some(m) = &bad_dark {
            p.push(err(entry.span(), format!("position `{id}`: {m}")));
        }
        let dark = match (dark, bank.kind) {
            _ if bad_dark.is_some() => None,
            (None, _) => None,
            (Some(RawDark::Rgbc(v)), SensorKind::Rgbc) => Some(DarkLevel::Rgbc(*v)),
            (Some(RawDark::Level(v)), SensorKind::Level) => Some(DarkLevel::Level(*v)),
            (Some(_), kind) => {
                p.push(err(
                    entry.span(),
                    format!(
                        "position `{id}`: `dark` must be {} for a {kind:?} sensor",
                        if kind == SensorKind::Rgbc {
                            "four numbers [r, g, b, c]"
                        } else {
                            "one level"
                        }
                    ),
                ));
                None
            }
        };
        if let Some(indicator) = family.and_then(|f| f.indicator) {
            if indicator.needs_colour() && bank.kind == SensorKind::Level {
                p.push(err(
                    entry.span(),
                    format!(
                        "position `{id}`: a {} needs a colour sensor, but `{}` only reads a level",
                        indicator.name(),
                        bank.id
                    ),
                ));
            }
        }
        lights.insert(l, LightWiring { sensor: c, dark });
    }
    lights
}

/// Parse `device:channel` and check the device exists and has that channel.
pub(super) fn channel(
    src: &SourceText,
    text: &Spanned<String>,
    p: &mut Problems,
    channels_of: impl Fn(&str) -> Option<u32>,
    what: &str,
) -> Option<ChannelRef> {
    let span = text.span();
    let Some((dev, ch)) = text.get_ref().split_once(':') else {
        p.push(src.error(
            Some(span),
            format!("`{}` is not `DEVICE:CHANNEL`", text.get_ref()),
        ));
        return None;
    };
    let Ok(channel) = ch.parse::<u32>() else {
        p.push(src.error(
            Some(span),
            format!("`{ch}` in `{}` is not a channel number", text.get_ref()),
        ));
        return None;
    };
    match channels_of(dev) {
        None => {
            p.push(src.error(Some(span), format!("no {what} called `{dev}`")));
            None
        }
        // Its own fault is reported where it is defined.
        Some(0) => None,
        Some(n) if channel >= n => {
            p.push(src.error(
                Some(span),
                format!("{what} `{dev}` has channels 0 to {}, not {channel}", n - 1),
            ));
            None
        }
        Some(_) => Some(ChannelRef {
            device: dev.to_string(),
            channel,
        }),
    }
}

/// Record that `user` owns a channel; a channel wired twice is an error.
pub(super) fn claim(
    src: &SourceText,
    p: &mut Problems,
    used: &mut BTreeMap<ChannelRef, String>,
    c: &ChannelRef,
    span: Range<usize>,
    user: String,
) {
    if let Some(other) = used.get(c) {
        p.push(src.error(
            Some(span),
            format!("channel {c} is already wired to {other}"),
        ));
    } else {
        used.insert(c.clone(), user);
    }
}
