//! Scenario tests of the simulated bench, through the hardware traits only, in virtual time.
//! Lights are judged from raw samples (lit or not, mean colour): the classifier lives
//! elsewhere.

use std::time::Duration;

use tokio::time::{sleep, sleep_until, Instant};

use super::*;
use crate::bench::{Light, Position};
use crate::hw::{CallInfo, CallStatus, HwErrorKind, Sample};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

const CALLER_NUMBER: &str = "07700900002";

struct World {
    sim: SimBench,
    bench: Bench,
    spec: Spec,
    clock: BenchClock,
    caller: Box<dyn PhoneLine>,
    mobile: Box<dyn PhoneLine>,
}

/// The sim-matrix bench on the reference firmware, with `tweak` applied to the profile.
fn world(tweak: impl FnOnce(&mut FirmwareProfile)) -> World {
    let spec = Spec::load(Spec::default_dir()).unwrap();
    let bench = Bench::load(
        crate::workspace_path("wiring/sim-matrix.toml"),
        &spec.catalog,
    )
    .unwrap();
    let mut profile = FirmwareProfile::reference(&spec).unwrap();
    tweak(&mut profile);
    let clock = BenchClock::start();
    let sim = SimBench::new(&bench, &spec, profile, clock, 42);
    World {
        caller: sim.line("caller"),
        mobile: sim.line("mobile"),
        sim,
        bench,
        spec,
        clock,
    }
}

fn reference() -> World {
    world(|_| {})
}

/// A light's samples over a window, each judged lit or not.
struct Seen {
    samples: Vec<Sample>,
    lit: Vec<bool>,
}

impl Seen {
    fn share(&self) -> f64 {
        self.lit.iter().filter(|&&l| l).count() as f64 / self.lit.len() as f64
    }

    /// (lit, all) samples within `[from, to]` bench ms.
    fn lit_within(&self, from: f64, to: f64) -> (usize, usize) {
        let inside = self
            .samples
            .iter()
            .zip(&self.lit)
            .filter(|(s, _)| s.t_ms >= from && s.t_ms <= to);
        inside.fold((0, 0), |(l, n), (_, &lit)| (l + usize::from(lit), n + 1))
    }

    fn steady(&self) -> bool {
        self.share() == 1.0
    }

    fn dark(&self) -> bool {
        self.share() == 0.0
    }

    /// Roughly `share` of the time lit (a blink's duty cycle).
    fn blinks(&self, share: f64) -> bool {
        (self.share() - share).abs() < 0.06
    }

    /// Mean r, g, b of the lit samples.
    fn colour(&self) -> [f32; 3] {
        let lit: Vec<&Sample> = self
            .samples
            .iter()
            .zip(&self.lit)
            .filter(|(_, &l)| l)
            .map(|(s, _)| s)
            .collect();
        let n = lit.len().max(1) as f32;
        lit.iter().fold([0.0; 3], |a, s| {
            [a[0] + s.r / n, a[1] + s.g / n, a[2] + s.b / n]
        })
    }

    fn green(&self) -> bool {
        let [r, g, b] = self.colour();
        g > 2.0 * r && g > 2.0 * b
    }

    fn red(&self) -> bool {
        let [r, g, b] = self.colour();
        r > 2.0 * g && r > 2.0 * b
    }
}

impl World {
    fn pos(&self, id: &str) -> &Position {
        self.bench.position(id).unwrap()
    }

    fn reflective(&self, id: &str) -> bool {
        let family = self.bench.family(self.pos(id), &self.spec.catalog);
        family.indicator.unwrap().is_reflective()
    }

    /// Press and release a button as the runner would; returns the instant of the press.
    async fn press(&self, id: &str, button: Button) -> Instant {
        let mut relay = self.sim.actuator(&self.pos(id).buttons[&button]);
        let at = Instant::now();
        relay.set(true).unwrap();
        sleep(ms(150)).await;
        relay.set(false).unwrap();
        at
    }

    /// The caller dials the position over the named inbound route.
    async fn dial(&mut self, id: &str, route: &str) {
        let route = self
            .bench
            .system
            .inbound
            .iter()
            .find(|r| r.name == route)
            .unwrap();
        let number = self.bench.dial_number(self.pos(id), route);
        self.caller.dial(&number).await.unwrap();
    }

    /// A sensor over a light, sampling from now.
    fn watch(&self, id: &str, light: Light) -> Watch {
        let sensor = self.sim.sensor(&self.pos(id).lights[&light].sensor);
        Watch {
            sensor,
            reflective: self.reflective(id),
        }
    }

    /// The light's samples over the next `window_ms`.
    async fn look(&self, id: &str, light: Light, window_ms: u64) -> Seen {
        let mut w = self.watch(id, light);
        sleep(ms(window_ms)).await;
        w.seen()
    }

    fn bench_ms(&self, t: Instant) -> f64 {
        self.clock.ms_at(t)
    }
}

struct Watch {
    sensor: Box<dyn LightSensor>,
    reflective: bool,
}

impl Watch {
    fn seen(&mut self) -> Seen {
        let mut samples = Vec::new();
        self.sensor.drain(&mut samples).unwrap();
        assert!(!samples.is_empty(), "a simulated sensor always samples");
        // Defaults of SimOptics: dark 12, ambient 1800, full 4000, noise 4.
        let lit = samples
            .iter()
            .map(|s| {
                if self.reflective {
                    s.c < 1200.0
                } else {
                    s.c > 200.0
                }
            })
            .collect();
        Seen { samples, lit }
    }
}

async fn calls(line: &mut Box<dyn PhoneLine>) -> Vec<CallInfo> {
    line.calls().await.unwrap()
}

async fn status(line: &mut Box<dyn PhoneLine>) -> Vec<CallStatus> {
    calls(line).await.iter().map(|c| c.status).collect()
}

/// Call `id` over ISDN and answer it at the primary.
async fn connect_at_primary(w: &mut World, id: &str) {
    w.dial(id, "isdn").await;
    sleep(ms(400)).await;
    w.press(id, Button::Call).await;
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
}

/// Call `id` over `route` and answer the twinned ring at the mobile.
async fn connect_at_secondary(w: &mut World, id: &str, route: &str) {
    w.dial(id, route).await;
    sleep(ms(1000)).await;
    w.mobile.answer().await.unwrap();
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Active]);
}

#[tokio::test(start_paused = true)]
async fn a_call_alerts_the_primary_and_the_twinned_mobile_when_twinning_is_on() {
    let mut w = reference();
    w.dial("p1616", "isdn").await;
    assert_eq!(status(&mut w.caller).await, [CallStatus::Dialing]);
    sleep(ms(300)).await;
    assert_eq!(status(&mut w.caller).await, [CallStatus::Alerting]);
    assert!(
        calls(&mut w.mobile).await.is_empty(),
        "the twin alert waits its delay"
    );
    let call = w.look("p1616", Light::Call, 2000).await;
    assert!(
        call.blinks(0.5) && call.green(),
        "alerting flashes: {}",
        call.share()
    );
    let mobile = calls(&mut w.mobile).await;
    assert_eq!(mobile.len(), 1);
    assert!(mobile[0].incoming);
    assert_eq!(mobile[0].status, CallStatus::Incoming);
    assert_eq!(mobile[0].number.as_deref(), Some(CALLER_NUMBER));
    let twinning = w.look("p1616", Light::Twinning, 1500).await;
    assert!(twinning.steady() && twinning.green());
}

#[tokio::test(start_paused = true)]
async fn a_call_does_not_twin_while_twinning_is_off() {
    let mut w = reference();
    w.dial("p1416", "isdn").await;
    let call = w.look("p1416", Light::Call, 5000).await;
    assert!(call.blinks(0.5), "the primary still alerts");
    assert!(calls(&mut w.mobile).await.is_empty());
    assert!(w.look("p1416", Light::Twinning, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn the_button_toggles_twinning_from_idle() {
    let w = reference();
    assert!(w.look("p1416", Light::Twinning, 1500).await.dark());
    w.press("p1416", Button::Twinning).await;
    let on = w.look("p1416", Light::Twinning, 1500).await;
    assert!(on.steady() && on.green());
    w.press("p1416", Button::Twinning).await;
    assert!(w.look("p1416", Light::Twinning, 1500).await.dark());
    assert_eq!(w.sim.press_count("p1416", Button::Twinning), 2);
    assert_eq!(w.sim.press_count("p1416", Button::Call), 0);
}

#[tokio::test(start_paused = true)]
async fn toggling_twinning_on_makes_calls_twin() {
    let mut w = reference();
    w.press("p1416", Button::Twinning).await;
    w.dial("p1416", "isdn").await;
    sleep(ms(1000)).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Incoming]);
}

#[tokio::test(start_paused = true)]
async fn a_profile_without_toggle_ignores_the_button() {
    let w = world(|p| p.behaviour.toggle = false);
    w.press("p1416", Button::Twinning).await;
    assert!(w.look("p1416", Light::Twinning, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn an_internal_twinning_user_gets_nothing_from_the_button() {
    let w = reference();
    w.press("p9608i", Button::Twinning).await;
    assert!(w.look("p9608i", Light::Twinning, 1500).await.dark());

    let faulty = world(|p| p.behaviour.internal_twinning_ignores_button = false);
    faulty.press("p9608i", Button::Twinning).await;
    let on = faulty.look("p9608i", Light::Twinning, 1500).await;
    assert!(on.steady() && on.green());
}

#[tokio::test(start_paused = true)]
async fn a_twinned_call_at_the_secondary_shows_it_and_the_button_retrieves_it() {
    let mut w = reference();
    connect_at_secondary(&mut w, "p1616", "isdn").await;
    let twinning = w.look("p1616", Light::Twinning, 1500).await;
    assert!(twinning.steady() && twinning.red(), "S5: red steady");
    assert!(
        w.look("p1616", Light::Call, 1500).await.dark(),
        "not at the primary"
    );

    w.press("p1616", Button::Twinning).await;
    assert!(
        calls(&mut w.mobile).await.is_empty(),
        "S6: the mobile's leg ends"
    );
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
    let call = w.look("p1616", Light::Call, 1500).await;
    assert!(call.steady() && call.green(), "connected at the primary");
    let twinning = w.look("p1616", Light::Twinning, 1500).await;
    assert!(twinning.steady() && twinning.green(), "back to twinning on");
}

#[tokio::test(start_paused = true)]
async fn an_ip_to_ip_twinned_call_is_not_retrieved_when_the_profile_says_so() {
    let mut w = reference();
    connect_at_secondary(&mut w, "p1616", "sip").await;
    w.press("p1616", Button::Twinning).await;
    assert_eq!(
        status(&mut w.mobile).await,
        [CallStatus::Active],
        "S7: stays at the mobile"
    );
    assert!(w.look("p1616", Light::Twinning, 1500).await.red());

    let mut w = world(|p| p.behaviour.retrieve_over_ip_to_ip = true);
    connect_at_secondary(&mut w, "p1616", "sip").await;
    w.press("p1616", Button::Twinning).await;
    assert!(calls(&mut w.mobile).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_profile_without_retrieve_leaves_the_call_at_the_mobile() {
    let mut w = world(|p| p.behaviour.retrieve = false);
    connect_at_secondary(&mut w, "p1616", "isdn").await;
    w.press("p1616", Button::Twinning).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Active]);
}

#[tokio::test(start_paused = true)]
async fn handover_rings_the_mobile_winks_and_transfers_even_with_twinning_off() {
    let mut w = reference();
    connect_at_primary(&mut w, "p1416").await;
    let call = w.look("p1416", Light::Call, 1500).await;
    assert!(call.steady() && call.green(), "connected");

    w.press("p1416", Button::Twinning).await;
    let twinning = w.look("p1416", Light::Twinning, 1000).await;
    assert!(
        twinning.blinks(0.8) && twinning.green(),
        "S10 wink: {}",
        twinning.share()
    );
    assert!(
        w.look("p1416", Light::Call, 1000).await.blinks(0.5),
        "held flutters"
    );
    let mobile = calls(&mut w.mobile).await;
    assert_eq!(mobile.len(), 1);
    assert_eq!(
        (mobile[0].incoming, mobile[0].status),
        (true, CallStatus::Incoming)
    );
    assert_eq!(mobile[0].number.as_deref(), Some(CALLER_NUMBER));

    w.mobile.answer().await.unwrap();
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Active]);
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
    assert!(
        w.look("p1416", Light::Call, 1500).await.dark(),
        "the primary is free"
    );
    assert!(
        w.look("p1416", Light::Twinning, 1500).await.dark(),
        "twinning still off"
    );
}

#[tokio::test(start_paused = true)]
async fn handover_with_twinning_off_does_nothing_when_the_profile_forbids_it() {
    let mut w = world(|p| p.behaviour.handover_when_twinning_off = false);
    connect_at_primary(&mut w, "p1416").await;
    w.press("p1416", Button::Twinning).await;
    sleep(ms(2000)).await;
    assert!(calls(&mut w.mobile).await.is_empty());
    assert!(w.look("p1416", Light::Call, 1500).await.steady());
    assert!(w.look("p1416", Light::Twinning, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn a_second_press_cancels_the_handover() {
    let mut w = reference();
    connect_at_primary(&mut w, "p1616").await;
    w.press("p1616", Button::Twinning).await;
    sleep(ms(1000)).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Incoming]);
    w.press("p1616", Button::Twinning).await;
    assert!(
        calls(&mut w.mobile).await.is_empty(),
        "S11: the mobile stops ringing"
    );
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
    assert!(
        w.look("p1616", Light::Call, 1500).await.steady(),
        "reconnected at the primary"
    );
    assert!(
        w.look("p1616", Light::Twinning, 1500).await.steady(),
        "twinning on, no wink"
    );
    // The cancelled handover's return timer is void.
    sleep(ms(20_000)).await;
    assert!(w.look("p1616", Light::Call, 1500).await.steady());

    let mut w = world(|p| p.behaviour.second_press_cancels = false);
    connect_at_primary(&mut w, "p1616").await;
    w.press("p1616", Button::Twinning).await;
    sleep(ms(1000)).await;
    w.press("p1616", Button::Twinning).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Incoming]);
}

/// Hand over from `id`, leave it unanswered: the mobile rings until exactly `return_s`
/// after the press, then the call alerts at the primary again and can be answered there.
async fn unanswered_handover_returns_after(w: &mut World, id: &str, return_s: u64) {
    connect_at_primary(w, id).await;
    let pressed = w.press(id, Button::Twinning).await;
    let deadline = pressed + Duration::from_secs(return_s);
    sleep_until(deadline - ms(1)).await;
    assert_eq!(
        status(&mut w.mobile).await,
        [CallStatus::Incoming],
        "still ringing 1 ms before"
    );
    sleep_until(deadline + ms(1)).await;
    assert!(
        calls(&mut w.mobile).await.is_empty(),
        "stopped ringing 1 ms after"
    );
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
    let call = w.look(id, Light::Call, 2000).await;
    assert!(
        call.blinks(0.5),
        "recall alerts at the primary: {}",
        call.share()
    );
    w.press(id, Button::Call).await;
    assert!(w.look(id, Light::Call, 1500).await.steady());
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_handover_returns_after_the_users_transfer_return_time() {
    let mut w = reference();
    assert_eq!(w.pos("p1416").twinning.transfer_return_s, Some(10));
    unanswered_handover_returns_after(&mut w, "p1416", 10).await;
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_handover_returns_after_15_s_for_a_user_without_one() {
    let mut w = reference();
    assert_eq!(w.pos("p1616").twinning.transfer_return_s, None);
    unanswered_handover_returns_after(&mut w, "p1616", 15).await;
}

#[tokio::test(start_paused = true)]
async fn a_profile_ignoring_the_users_time_returns_after_the_default() {
    let mut w = world(|p| p.behaviour.honour_user_return_time = false);
    unanswered_handover_returns_after(&mut w, "p1416", 15).await;
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_handover_is_dropped_when_the_profile_says_so() {
    let mut w = world(|p| p.behaviour.return_when_unanswered = false);
    connect_at_primary(&mut w, "p1416").await;
    w.press("p1416", Button::Twinning).await;
    sleep(ms(11_000)).await;
    assert!(calls(&mut w.caller).await.is_empty());
    assert!(w.look("p1416", Light::Call, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn a_handover_to_an_unreachable_mobile_returns_after_the_fail_time() {
    let mut w = reference();
    w.mobile.set_radio(false).await.unwrap();
    connect_at_primary(&mut w, "p1416").await;
    let mut call = w.watch("p1416", Light::Call);
    let mut twinning = w.watch("p1416", Light::Twinning);
    let pressed = w.press("p1416", Button::Twinning).await;
    sleep_until(pressed + ms(6000)).await;
    let (call, twinning) = (call.seen(), twinning.seen());
    let t0 = w.bench_ms(pressed);
    // Held flutters from the press (50 on, 50 off); the recall flash starts lit at the
    // return (500 on). Both are dark in 4955–4995 and the recall is lit in 5005–5095,
    // where the flutter would be half dark: so the return is at 5000 ± 5 ms (a sample).
    assert_eq!(call.lit_within(t0 + 4955.0, t0 + 4995.0).0, 0);
    let (lit, all) = call.lit_within(t0 + 5005.0, t0 + 5095.0);
    assert!(all > 10 && lit == all, "{lit}/{all}");
    // The wink holds until the return, then twinning-off (p1416 has it off).
    assert!(twinning.lit_within(t0 + 4500.0, t0 + 4745.0).0 > 30);
    assert_eq!(twinning.lit_within(t0 + 5005.0, t0 + 6000.0).0, 0);
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
}

#[tokio::test(start_paused = true)]
async fn a_rejected_handover_returns_at_once() {
    let mut w = reference();
    connect_at_primary(&mut w, "p1416").await;
    w.press("p1416", Button::Twinning).await;
    sleep(ms(500)).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Incoming]);
    w.mobile.hang_up().await.unwrap();
    let call = w.look("p1416", Light::Call, 2000).await;
    assert!(call.blinks(0.5), "recall: {}", call.share());
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
}

#[tokio::test(start_paused = true)]
async fn a_rejected_twin_ring_ends_only_the_twin_leg() {
    let mut w = reference();
    w.dial("p1616", "isdn").await;
    sleep(ms(1000)).await;
    w.mobile.hang_up().await.unwrap();
    assert!(calls(&mut w.mobile).await.is_empty());
    assert_eq!(status(&mut w.caller).await, [CallStatus::Alerting]);
    w.press("p1616", Button::Call).await;
    assert_eq!(status(&mut w.caller).await, [CallStatus::Active]);
}

#[tokio::test(start_paused = true)]
async fn answering_at_the_primary_stops_the_mobile_ringing_and_release_ends_the_call() {
    let mut w = reference();
    w.dial("p1616", "isdn").await;
    sleep(ms(1000)).await;
    assert_eq!(status(&mut w.mobile).await, [CallStatus::Incoming]);
    w.press("p1616", Button::Call).await;
    assert!(calls(&mut w.mobile).await.is_empty());
    w.press("p1616", Button::Release).await;
    assert!(calls(&mut w.caller).await.is_empty());
    assert!(w.look("p1616", Light::Call, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn the_caller_hanging_up_ends_everything() {
    let mut w = reference();
    connect_at_secondary(&mut w, "p1616", "isdn").await;
    w.caller.hang_up().await.unwrap();
    assert!(calls(&mut w.mobile).await.is_empty());
    let twinning = w.look("p1616", Light::Twinning, 1500).await;
    assert!(twinning.green(), "back to twinning on");
}

#[tokio::test(start_paused = true)]
async fn a_dial_to_an_unknown_number_fails_after_the_network_delay() {
    let mut w = reference();
    w.caller.dial("999").await.unwrap();
    assert_eq!(status(&mut w.caller).await, [CallStatus::Dialing]);
    sleep(ms(301)).await;
    assert!(calls(&mut w.caller).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn modems_refuse_what_a_modem_would() {
    let mut w = reference();
    assert_eq!(
        w.mobile.answer().await.unwrap_err().kind,
        HwErrorKind::Rejected
    );
    w.caller.hang_up().await.unwrap();
    w.caller.set_radio(false).await.unwrap();
    let e = w.caller.dial("0163296201").await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);
    assert_eq!(e.device, "caller");
    let mut ghost = w.sim.line("nosuch");
    assert_eq!(
        ghost.calls().await.unwrap_err().kind,
        HwErrorKind::Unreachable
    );
}

#[tokio::test(start_paused = true)]
async fn the_lcd_indicator_reads_darker_when_on() {
    let w = reference();
    let on = w.look("pt7316", Light::Twinning, 1500).await;
    assert!(on.steady(), "T7316E has twinning on: the display darkens");
    assert!(on.samples.iter().all(|s| s.r == 0.0 && s.c > 400.0));
    assert!(w.look("pm7310", Light::Twinning, 1500).await.dark());
}

#[tokio::test(start_paused = true)]
async fn relays_are_released_only_when_every_relay_is() {
    let w = reference();
    assert!(w.sim.relays_released());
    let mut relay = w.sim.actuator(&w.pos("p9641").buttons[&Button::Release]);
    relay.set(true).unwrap();
    assert!(!w.sim.relays_released());
    relay.set(true).unwrap();
    assert_eq!(
        w.sim.press_count("p9641", Button::Release),
        1,
        "one press per edge"
    );
    relay.set(false).unwrap();
    assert!(w.sim.relays_released());
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_gives_the_same_samples_and_discard_skips() {
    let (a, b) = (reference(), reference());
    let (mut sa, mut sb) = (
        a.watch("p9641", Light::Twinning),
        b.watch("p9641", Light::Twinning),
    );
    sleep(ms(500)).await;
    let (xa, xb) = (sa.seen().samples, sb.seen().samples);
    assert_eq!(xa, xb);
    assert_eq!(xa.len(), 100);
    sleep(ms(500)).await;
    sa.sensor.discard().unwrap();
    sleep(ms(100)).await;
    let after = sa.seen().samples;
    assert_eq!(after.len(), 20);
    assert!(after[0].t_ms >= xa[99].t_ms + 500.0);
}

#[tokio::test(start_paused = true)]
async fn the_grey_icon_is_dim_but_lit() {
    let w = reference();
    let grey = w.look("p9621", Light::Twinning, 1500).await;
    assert!(grey.steady());
    let c = grey.samples.iter().map(|s| s.c).sum::<f32>() / grey.samples.len() as f32;
    assert!(c > 500.0 && c < 2000.0, "{c}");
}

#[tokio::test(start_paused = true)]
async fn a_device_on_an_unknown_board_is_unreachable() {
    let w = reference();
    let nowhere = ChannelRef {
        device: "nosuch".into(),
        channel: 0,
    };
    assert_eq!(
        w.sim.actuator(&nowhere).set(true).unwrap_err().kind,
        HwErrorKind::Unreachable
    );
    let mut out = Vec::new();
    assert_eq!(
        w.sim.sensor(&nowhere).drain(&mut out).unwrap_err().kind,
        HwErrorKind::Unreachable
    );
}
