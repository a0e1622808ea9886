//! Firmware profiles (`fixtures/firmware/*.toml`, format in `fixtures/firmware/README.md`):
//! how the simulated IP Office and its phones behave.
//!
//! A profile gives the timers, one switch per behaviour the clauses imply, and the
//! indication of the Twinning light in every state, per indication group with per-family
//! overrides. Every timer and switch is a required key, so a profile always says
//! everything and a fault profile reads as a full description of the firmware it mimics.
//! Parsing checks that every bench family of the catalog resolves a concrete indication
//! (a colour and a cadence) for every state: the simulator never has to guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::source::{InputErrors, Problems, SourceText};
use crate::spec::{Catalog, Indication, Spec, TwinningState};

/// The profile's timers. Seconds where the spec speaks in seconds, ms for short delays.
/// Each is in its range ([`crate::limits`]), so no timer overflows the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Transfer return time for a user with none configured (S14: 15 s).
    pub default_transfer_return_s: u64,
    /// How long a handover to an unreachable destination takes to fail (S12).
    pub unreachable_fail_s: u64,
    /// Delay before a twinned call alerts the mobile.
    pub twin_alert_delay_ms: u64,
    /// Call set-up delay through the network (a dial reaching the system, a leg ringing out).
    pub network_delay_ms: u64,
}

/// Declares the behaviour switches once: the full set ([`Behaviour`]), a per-family or
/// per-group override of some ([`BehaviourOverride`]), and the `[behaviour]` table as
/// written (every switch required, unknown keys rejected with their line).
macro_rules! switches {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// The behaviour switches: `true` everywhere (but `retrieve_over_ip_to_ip`) follows
        /// the spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Behaviour {
            $($(#[doc = $doc])* pub $name: bool,)*
        }

        /// `[behaviour.family."ID"]` / `[behaviour.group."ID"]`: switches that differ for
        /// some families (a phone firmware's own regression); unset keys follow
        /// `[behaviour]`.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct BehaviourOverride {
            $(pub $name: Option<bool>,)*
        }

        impl BehaviourOverride {
            /// `b` with this override's set keys.
            fn apply(&self, mut b: Behaviour) -> Behaviour {
                $(if let Some(v) = self.$name {
                    b.$name = v;
                })*
                b
            }
        }

        /// `[behaviour]` as written.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawBehaviour {
            $($name: bool,)*
            #[serde(default)]
            group: BTreeMap<Spanned<String>, BehaviourOverride>,
            #[serde(default)]
            family: BTreeMap<Spanned<String>, BehaviourOverride>,
        }

        impl RawBehaviour {
            fn all(&self) -> Behaviour {
                Behaviour { $($name: self.$name,)* }
            }
        }
    };
}

switches! {
    /// S3: from idle the button toggles mobile twinning.
    toggle,
    /// S3: calls to the primary also alert the twinned mobile while twinning is on.
    twin_calls,
    /// S9: handover works with mobile twinning switched off.
    handover_when_twinning_off,
    /// S11: a second press during a handover cancels it.
    second_press_cancels,
    /// S6: the button retrieves a twinned call from the secondary.
    retrieve,
    /// S7: `false` = multi-site optimisation re-routes IP-to-IP twinned calls, so the
    /// retrieve fails there (allowed by the spec).
    retrieve_over_ip_to_ip,
    /// S12: a handover that cannot connect returns to the primary (`false`: dropped).
    return_when_unreachable,
    /// S13/S14: an unanswered handover returns to the primary (`false`: dropped).
    return_when_unanswered,
    /// S13: the user's Transfer Return Time is used (`false`: the default always is).
    honour_user_return_time,
    /// S1: an internal-twinning user gets nothing from the button (`false`: it toggles).
    internal_twinning_ignores_button,
    /// S6: a retrieved call is kept (`false`: the retrieve press clears the call).
    retrieve_keeps_call,
    /// S11: a cancelled handover reconnects the call at the primary (`false`: the second
    /// press clears the call).
    cancel_reconnects,
    /// S4: the light is updated when twinning is switched off (`false`: it keeps showing
    /// twinning-on until the Twinning light's state next changes).
    light_follows_toggle,
    /// S10: the wink stops when a handover ends (`false`: after a handover answered at the
    /// mobile or cancelled, the light keeps winking until the next call reaches the phone).
    wink_ends_with_handover,
}

/// Where an indication override applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An indication group of `fixtures/indications.toml`.
    Group(String),
    /// One family of `fixtures/phones.toml`; wins over its group.
    Family(String),
}

type StateMap = BTreeMap<TwinningState, Indication>;

/// A checked firmware profile.
#[derive(Debug, Clone)]
pub struct FirmwareProfile {
    pub name: String,
    pub description: String,
    pub path: PathBuf,
    pub timers: Timers,
    /// The switches of every family without an override.
    pub behaviour: Behaviour,
    /// The clauses this firmware breaks (`[profile] breaks`), empty for the reference:
    /// what `rig selftest` requires the suite to catch.
    pub breaks: Vec<String>,
    /// The families the fault shows on (`[profile] families`); empty: not limited.
    pub fault_families: Vec<String>,
    behaviour_groups: BTreeMap<String, BehaviourOverride>,
    behaviour_families: BTreeMap<String, BehaviourOverride>,
    groups: BTreeMap<String, StateMap>,
    families: BTreeMap<String, StateMap>,
    /// Bench family id → its indication group, from the catalog the profile was checked
    /// against (so `indication` needs no catalog).
    family_groups: BTreeMap<String, Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    profile: RawHeader,
    timers: RawTimers,
    behaviour: RawBehaviour,
    #[serde(default)]
    indications: RawIndications,
}

/// `[timers]` as written: TOML integers, each checked against its limit with its line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimers {
    default_transfer_return_s: Spanned<i64>,
    unreachable_fail_s: Spanned<i64>,
    twin_alert_delay_ms: Spanned<i64>,
    network_delay_ms: Spanned<i64>,
}

impl RawTimers {
    fn check(&self, src: &SourceText, p: &mut Problems) -> Timers {
        let mut timer = |v: &Spanned<i64>, limit: &crate::limits::Limit| {
            limit.int_at(src, p, None, v, limit.min as i64) as u64
        };
        use crate::limits as l;
        Timers {
            default_transfer_return_s: timer(&self.default_transfer_return_s, &l::DEFAULT_RETURN_S),
            unreachable_fail_s: timer(&self.unreachable_fail_s, &l::UNREACHABLE_FAIL_S),
            twin_alert_delay_ms: timer(&self.twin_alert_delay_ms, &l::TWIN_ALERT_DELAY_MS),
            network_delay_ms: timer(&self.network_delay_ms, &l::NETWORK_DELAY_MS),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    breaks: Vec<Spanned<String>>,
    #[serde(default)]
    families: Vec<Spanned<String>>,
}

type RawStates = Spanned<BTreeMap<Spanned<String>, Spanned<String>>>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawIndications {
    #[serde(default)]
    group: BTreeMap<Spanned<String>, RawStates>,
    #[serde(default)]
    family: BTreeMap<Spanned<String>, RawStates>,
}

impl FirmwareProfile {
    /// Read and check a profile against the spec.
    pub fn load(path: impl AsRef<Path>, spec: &Spec) -> Result<Self, InputErrors> {
        Self::parse(
            &SourceText::read_limited(path, crate::source::MAX_TOML_BYTES)?,
            spec,
        )
    }

    /// The profile that follows the spec (`fixtures/firmware/reference.toml` beside the spec).
    pub fn reference(spec: &Spec) -> Result<Self, InputErrors> {
        Self::load(spec.dir.join("firmware").join("reference.toml"), spec)
    }

    /// Parse and check a profile; every fault is reported with its line.
    pub fn parse(src: &SourceText, spec: &Spec) -> Result<Self, InputErrors> {
        let raw: RawProfile = src.parse_toml()?;
        let mut p = Problems::default();
        let timers = raw.timers.check(src, &mut p);

        let groups = states_by_scope(src, &mut p, raw.indications.group, |id| {
            (!spec.indications.twinning.contains_key(id)).then(|| {
                let known: Vec<&str> = spec
                    .indications
                    .twinning
                    .keys()
                    .map(String::as_str)
                    .collect();
                format!(
                    "unknown indication group `{id}` (indications.toml has: {})",
                    known.join(", ")
                )
            })
        });
        let families = states_by_scope(src, &mut p, raw.indications.family, |id| {
            match spec.catalog.family(id) {
                Some(f) if f.bench => None,
                Some(f) => Some(format!(
                    "family `{id}` ({}) is not a bench family: nothing to simulate",
                    f.name
                )),
                None => Some(format!(
                    "unknown family `{id}` (phones.toml has: {})",
                    bench_family_ids(&spec.catalog).join(", ")
                )),
            }
        });

        let behaviour = raw.behaviour.all();
        let mut behaviour_groups = BTreeMap::new();
        for (id, o) in raw.behaviour.group {
            if spec.indications.twinning.contains_key(id.get_ref()) {
                behaviour_groups.insert(id.into_inner(), o);
            } else {
                p.push(src.error(
                    Some(id.span()),
                    format!(
                        "[behaviour.group]: unknown indication group `{}`",
                        id.get_ref()
                    ),
                ));
            }
        }
        let mut behaviour_families = BTreeMap::new();
        for (id, o) in raw.behaviour.family {
            if spec.catalog.family(id.get_ref()).is_some_and(|f| f.bench) {
                behaviour_families.insert(id.into_inner(), o);
            } else {
                p.push(src.error(
                    Some(id.span()),
                    format!(
                        "[behaviour.family]: `{}` is not a bench family (phones.toml has: {})",
                        id.get_ref(),
                        bench_family_ids(&spec.catalog).join(", ")
                    ),
                ));
            }
        }
        for c in &raw.profile.breaks {
            if spec.clauses.get(c.get_ref()).is_none() {
                p.push(src.error(
                    Some(c.span()),
                    format!("breaks: unknown clause `{}`", c.get_ref()),
                ));
            }
        }
        for f in &raw.profile.families {
            if !spec.catalog.family(f.get_ref()).is_some_and(|x| x.bench) {
                p.push(src.error(
                    Some(f.span()),
                    format!("families: `{}` is not a bench family", f.get_ref()),
                ));
            }
        }
        let profile = FirmwareProfile {
            name: raw.profile.name,
            description: raw.profile.description,
            path: src.path.clone(),
            timers,
            behaviour,
            breaks: raw
                .profile
                .breaks
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            fault_families: raw
                .profile
                .families
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            behaviour_groups,
            behaviour_families,
            groups: groups.states,
            families: families.states,
            family_groups: spec
                .catalog
                .families
                .iter()
                .filter(|f| f.bench)
                .map(|f| (f.id.clone(), f.group.clone()))
                .collect(),
        };

        // Every bench family must resolve every state: point at the table that should say it.
        for (family, group) in &profile.family_groups {
            for state in TwinningState::ALL {
                if profile.lookup(family, state).is_some() {
                    continue;
                }
                let line = families
                    .lines
                    .get(family)
                    .or_else(|| group.as_ref().and_then(|g| groups.lines.get(g)));
                let hint = match group {
                    Some(g) => {
                        format!("[indications.group.\"{g}\"] or [indications.family.\"{family}\"]")
                    }
                    None => format!(
                        "[indications.family.\"{family}\"] (the spec gives this family no group)"
                    ),
                };
                p.push(src.error(
                    line.cloned(),
                    format!(
                        "family `{family}` has no indication for `{state}`: give it under {hint}"
                    ),
                ));
            }
        }
        p.finish(profile)
    }

    /// The indication a family's Twinning light shows in a state (family entry, else its
    /// group's).
    ///
    /// # Panics
    /// If `family` is not a bench family of the catalog the profile was checked against:
    /// parsing guarantees every bench family resolves.
    pub fn indication(&self, family: &str, state: TwinningState) -> Indication {
        self.lookup(family, state).unwrap_or_else(|| {
            panic!("profile `{}` has no indication for family `{family}` in `{state}`: not a bench family of its catalog", self.name)
        })
    }

    /// The switches a family's phones follow: `[behaviour]`, then its group's override,
    /// then its own.
    pub fn behaviour_of(&self, family: &str) -> Behaviour {
        let mut b = self.behaviour;
        if let Some(g) = self.family_groups.get(family).and_then(|g| g.as_ref()) {
            if let Some(o) = self.behaviour_groups.get(g) {
                b = o.apply(b);
            }
        }
        if let Some(o) = self.behaviour_families.get(family) {
            b = o.apply(b);
        }
        b
    }

    /// Override switches of one scope in code (tests of the rig against faulty firmware).
    pub fn set_behaviour(&mut self, scope: Scope, o: BehaviourOverride) {
        match scope {
            Scope::Group(g) => self.behaviour_groups.insert(g, o),
            Scope::Family(f) => self.behaviour_families.insert(f, o),
        };
    }

    /// Override one indication in code (tests of the rig against faulty firmware).
    pub fn set_indication(&mut self, scope: Scope, state: TwinningState, ind: Indication) {
        let map = match scope {
            Scope::Group(g) => self.groups.entry(g),
            Scope::Family(f) => self.families.entry(f),
        };
        map.or_default().insert(state, ind);
    }

    fn lookup(&self, family: &str, state: TwinningState) -> Option<Indication> {
        let own = self.families.get(family).and_then(|m| m.get(&state));
        let group = || {
            let g = self.family_groups.get(family)?.as_ref()?;
            self.groups.get(g)?.get(&state)
        };
        own.or_else(group).copied()
    }
}

/// Parsed `[indications.group|family.ID]` tables, and the line of each table for errors.
struct Scoped {
    states: BTreeMap<String, StateMap>,
    lines: BTreeMap<String, std::ops::Range<usize>>,
}

/// Parse one kind of indication table; `unknown(id)` says why an id is not acceptable.
fn states_by_scope(
    src: &SourceText,
    p: &mut Problems,
    tables: BTreeMap<Spanned<String>, RawStates>,
    unknown: impl Fn(&str) -> Option<String>,
) -> Scoped {
    let mut out = Scoped {
        states: BTreeMap::new(),
        lines: BTreeMap::new(),
    };
    for (id, entries) in tables {
        if let Some(why) = unknown(id.get_ref()) {
            p.push(src.error(Some(id.span()), why));
            continue;
        }
        let mut states = StateMap::new();
        for (key, value) in entries.get_ref() {
            let state = key.get_ref().parse::<TwinningState>();
            let ind = value
                .get_ref()
                .parse::<Indication>()
                .map_err(|e| format!("`{}`: {e}", key.get_ref()));
            match (state, ind) {
                (Ok(s), Ok(i)) => {
                    states.insert(s, i);
                }
                (Err(e), _) => p.push(src.error(Some(key.span()), e)),
                (_, Err(e)) => p.push(src.error(Some(value.span()), e)),
            }
        }
        out.lines.insert(id.get_ref().clone(), id.span());
        out.states.insert(id.into_inner(), states);
    }
    out
}

fn bench_family_ids(catalog: &Catalog) -> Vec<&str> {
    catalog
        .families
        .iter()
        .filter(|f| f.bench)
        .map(|f| f.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Cadence, Colour, Expected};

    fn spec() -> Spec {
        Spec::load(Spec::default_dir()).unwrap()
    }

    fn reference_text() -> String {
        std::fs::read_to_string(crate::workspace_path("fixtures/firmware/reference.toml")).unwrap()
    }

    fn errors_of(text: &str) -> Vec<crate::source::InputError> {
        let src = SourceText::from_string("fw.toml", text);
        FirmwareProfile::parse(&src, &spec()).unwrap_err().0
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn reference_resolves_every_bench_family_as_the_spec_says() {
        let spec = spec();
        let profile = FirmwareProfile::reference(&spec).unwrap();
        assert_eq!(profile.name, "reference");
        assert_eq!(profile.timers.default_transfer_return_s, 15);
        for f in spec.catalog.families.iter().filter(|f| f.bench) {
            for s in TwinningState::ALL {
                let ind = profile.indication(&f.id, s);
                match spec.indications.twinning(f, s) {
                    Some(Expected::Exactly(want)) => assert_eq!(ind, want, "{} {s}", f.id),
                    Some(Expected::AnyColour(c)) => {
                        assert!(
                            ind.colour.is_lit() && ind.cadence == c,
                            "{} {s}: {ind}",
                            f.id
                        )
                    }
                    // 1100/1200: the spec says nothing; the reference firmware picks the
                    // usual LED scheme.
                    None => assert_ne!(ind.colour, Colour::On, "{} {s}", f.id),
                }
            }
        }
        assert_eq!(
            profile.indication("M-Series", TwinningState::HandoverPending),
            Indication::new(Colour::On, Cadence::Wink)
        );
        assert_eq!(
            profile.indication("1100", TwinningState::TwinnedCallAtSecondary),
            Indication::new(Colour::Red, Cadence::Steady)
        );
    }

    #[test]
    fn a_family_entry_wins_over_its_group_and_code_can_override() {
        let spec = spec();
        let mut profile = FirmwareProfile::reference(&spec).unwrap();
        let amber = Indication::new(Colour::Amber, Cadence::Steady);
        profile.set_indication(
            Scope::Group("1400-1600-9500".into()),
            TwinningState::TwinningOn,
            amber,
        );
        assert_eq!(profile.indication("1600", TwinningState::TwinningOn), amber);
        let red = Indication::new(Colour::Red, Cadence::Flash);
        profile.set_indication(Scope::Family("1600".into()), TwinningState::TwinningOn, red);
        assert_eq!(profile.indication("1600", TwinningState::TwinningOn), red);
        assert_eq!(profile.indication("1400", TwinningState::TwinningOn), amber);
    }

    #[test]
    fn an_unknown_key_names_its_line() {
        let text =
            reference_text().replacen("retrieve = true", "retrieve = true\nretreive = true", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(line_of(&text, "retreive")));
        assert!(
            errs[0].message.contains("unknown field `retreive`"),
            "{}",
            errs[0]
        );
        assert!(errs[0].to_string().starts_with("fw.toml:"), "{}", errs[0]);
    }

    #[test]
    fn a_missing_switch_is_an_error_at_its_table() {
        let text = reference_text().replacen("second_press_cancels = true", "", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(line_of(&text, "[behaviour]")));
        assert!(
            errs[0].message.contains("second_press_cancels"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bad_states_indications_groups_and_families_are_all_reported_with_lines() {
        let text = reference_text()
            .replacen("twinned-call-at-secondary = \"blue steady\"", "twinned-call-at-secondary = \"blue blinky\"", 1)
            .replacen("[indications.family.\"1100\"]", "[indications.family.\"1100\"]\ntwinning-maybe = \"off\"", 1)
            + "\n[indications.group.\"9999\"]\ntwinning-on = \"green\"\n\n[indications.family.\"VCE\"]\ntwinning-on = \"green\"\n\n[indications.family.\"8000\"]\ntwinning-on = \"green\"\n";
        let errs = errors_of(&text);
        let at = |needle: &str| {
            errs.iter()
                .find(|e| e.message.contains(needle))
                .unwrap_or_else(|| panic!("no `{needle}` in {errs:#?}"))
        };
        assert_eq!(
            at("unknown cadence `blinky`").line,
            Some(line_of(&text, "blue blinky"))
        );
        assert_eq!(
            at("unknown twinning state `twinning-maybe`").line,
            Some(line_of(&text, "twinning-maybe"))
        );
        assert_eq!(
            at("unknown indication group `9999`").line,
            Some(line_of(&text, "\"9999\""))
        );
        assert_eq!(
            at("not a bench family").line,
            Some(line_of(&text, "\"VCE\""))
        );
        assert_eq!(
            at("unknown family `8000`").line,
            Some(line_of(&text, "\"8000\""))
        );
        // The bad value leaves 9621/9641 without a secondary indication: named at the group.
        let missing = at("family `9621` has no indication for `twinned-call-at-secondary`");
        assert_eq!(
            missing.line,
            Some(line_of(&text, "[indications.group.\"9621-9641\"]"))
        );
        assert_eq!(errs.len(), 7, "{errs:#?}");
    }

    #[test]
    fn a_family_without_a_group_must_be_given_every_state() {
        // Drop the last line of the 1200 table (its handover-pending).
        let mut text = reference_text();
        let table = text.find("[indications.family.\"1200\"]").unwrap();
        let cut = table + text[table..].find("handover-pending").unwrap();
        text.truncate(cut);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .message
                .contains("family `1200` has no indication for `handover-pending`"),
            "{}",
            errs[0]
        );
        assert!(errs[0].message.contains("no group"), "{}", errs[0]);
        assert_eq!(
            errs[0].line,
            Some(line_of(&text, "[indications.family.\"1200\"]"))
        );
    }

    #[test]
    fn issue_10_timers_without_bounds_are_refused_with_their_line() {
        for (from, to) in [
            (
                "unreachable_fail_s = 5",
                "unreachable_fail_s = 9223372036854775807",
            ),
            ("unreachable_fail_s = 5", "unreachable_fail_s = -1"),
            (
                "twin_alert_delay_ms = 500",
                "twin_alert_delay_ms = 4294967296",
            ),
            (
                "network_delay_ms = 300",
                "network_delay_ms = 18446744073709551615",
            ),
            (
                "default_transfer_return_s = 15",
                "default_transfer_return_s = 0",
            ),
        ] {
            let text = reference_text().replacen(from, to, 1);
            let errs = errors_of(&text);
            assert_eq!(errs.len(), 1, "{to}: {errs:?}");
            assert_eq!(errs[0].line, Some(line_of(&text, to)), "{to}: {errs:?}");
        }
    }
}
