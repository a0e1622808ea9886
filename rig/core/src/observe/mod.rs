//! LED observation: classify light samples into (colour, cadence).
//!
//! [`Watch`] takes a live sensor's samples as they arrive and says what the light shows
//! NOW; [`Classifier::classify`] is a fresh `Watch` fed a whole trace, so a recorded trace
//! and a live watch are judged by the same code and decide the same on the same samples.
//! Both answer with a [`Reading`]: seen (an [`Observation`]), blinking with no matching
//! cadence, or not enough evidence yet.
//!
//! # Method: from the physics of a light under a sensor
//!
//! Each sample costs O(1) work and the memory is bounded whatever the length of the trace
//! (`stream/`); asking for a reading walks only the runs in view (`judge.rs`).
//!
//! 1. **The signal** is the clear (or level) channel, negated for the reflective LCD
//!    indicator so that lit is always higher. At 150 Hz or more it is averaged over the
//!    trailing 20 ms: two periods of 100 Hz mains flicker, 2.4 of 120 Hz, four or more of
//!    any PWM above 200 Hz, while the shortest run a cadence has still reaches its level.
//!    Slower sensors (100, 125 Hz) are judged sample by sample, and the flicker their
//!    short window passes is aliased into what looks like noise as wide as a blink; the
//!    box leaves an eighth of a 120 Hz flicker's swing (2.4 periods), and more where
//!    samples are jittered or lost, as large as a dim LED under a deep flicker. At every
//!    rate the flicker's frequency (100 or 120 Hz, ±0.3%) and every sample's instant are
//!    known, so a lock-in (`flicker.rs`) fits it on the sample-to-sample changes (a
//!    blink's steps are refused as outliers) and takes it off each sample before the box:
//!    subtracted for an emissive light (room light adds to the LED's), divided out for a
//!    reflective one (it multiplies the level). A sensor that reads twice or more every
//!    4 ms (500 Hz and up) has its samples averaged in blocks of as many first
//!    ([`Conditioner`]): the box would average them anyway, a cadence's shortest run is
//!    about ten blocks, and the stream then judges about 250 values a second whatever the
//!    rate, a quarter of the work at 1 kHz. Nothing the reading needs is averaged away:
//!    the lock-in fits each block on the mean of its samples' own phases (exact for a
//!    sinusoid, however jittered the stamps), a reflective block's flicker on the mean of
//!    its samples' logarithms, and a block keeps each channel's top reading and how often
//!    it recurs, which tell a clipped channel (a mean of clipped and dark samples would
//!    hide it). A block ends at a gap and says how long no sample saw before it, so the
//!    gaps a run remembers are the samples' own.
//! 2. **Levels** (`levels.rs`): the unlit level is the calibrated dark level (or the
//!    latest unlit runs', if the room has brightened), the lit level the latest lit runs'
//!    (unless it makes no band below an envelope that reaches higher: then it was learnt
//!    from a false run); before there are runs, the envelope of the last two slowest
//!    periods. Two levels are believed only when they are further apart than what a dark
//!    light's own signal does: its noise (4σ between run means, or between a known unlit
//!    level and an envelope's top, whose noise reaches one way; 7σ between an envelope's
//!    two extremes; the σ measured on the judged signal of the light while dark; judged
//!    sample by sample, a run level is a mean of three samples or more, so its σ is one
//!    sample's over √3) and a drift of the room light since the calibration (6% of the
//!    dark level). An LED's lit threshold sits low (30% of the way up): a PWM-dimmed LED
//!    read through a short integration window ripples far below its mean, a dark light
//!    only by its noise and flicker, which the floor covers. A reflective indicator has
//!    no PWM, while the room light's flicker and drift move its bare level most: its
//!    threshold sits halfway. Given a calibration, a run held dark that reads far above
//!    it (more than drift and, where the sample rate locks to the mains, a flicker at one
//!    phase could lift the dark; or an indicator darkened like a lit one) mixed lit
//!    samples in, cut before the levels were known: it teaches neither where dark is nor
//!    how far a dark light wanders.
//! 3. **Edges** (`stream/edges.rs`): an LED switches within one sample (one integration
//!    window), while mains flicker beating with the sample rate, or PWM beating with the
//!    integration window, moves the level gradually. A crossing of the band is accepted as
//!    an edge only if the signal moved half the contrast within a box and a few samples
//!    around it. A crossing that was no step is a *drift*: the state holds, unless a step
//!    back proves the drift was a change (the first edge was misjudged), or it outlasts
//!    half a settle time. A run shorter than half the shortest allowed run, or on one
//!    sample, between two of the other state, is a glitch (a spike, a missed PWM pulse).
//!    Edge times are placed from how lit the samples around them are, so durations stay
//!    unbiased whatever the integration time.
//! 4. **Gaps**: a gap and the smoothing box around it could hide a run as long as both
//!    (40 ms less the box); the run remembers it, and steady is not proven while the gaps
//!    seen could have hidden every short run of some blink (one 40 ms stall can hide one
//!    wink, never the four a settle time shows, nor can four stalls with more than a
//!    wink's period seen whole between two of them: `gaps.rs`). A run with such a gap, no
//!    longer than two runs and one of the other state, may be just that: it neither
//!    breaks a blink's chain nor counts in its means. An edge pending across a long gap
//!    is decided on the samples before it (those after may already show the next state).
//!    A gap longer than 300 ms could hide a flash's off time: the evidence before it is
//!    void.
//! 5. **Colour** (`colour.rs`, `runs.rs`) from a lit run's mean chromaticity above the
//!    calibrated dark level: grey when unsaturated (a narrow-band LED reads ≥ 0.85
//!    saturated through RGB filters, any white ≤ 0.65), else by its hue: midway between
//!    two families' representative hues, but red and amber, close neighbours whose
//!    sensor hue depends on the green filter's tail, meet at 10.5° (g/r ≈ 0.18). Without a
//!    calibration, above the unlit runs (their mean raw r, g, b, by their samples: a
//!    short run's noise and straddled edges, taken alone, named a red light amber) if
//!    the light stands 12 counts clear of them (a run no brighter is the same light cut
//!    at a false edge); else above a
//!    dark no one measured, named only if every dark a shrouded sensor may have (nothing,
//!    an even offset, warm or cool white room light, up to 48 counts across r, g and b)
//!    gives one name, and `On` otherwise; but an unclipped reading four times that
//!    dark, as saturated as any white (0.65) or more at a hue no white has (cyan, blue,
//!    magenta-red), is a coloured light with room light in it, named by its hue: white
//!    only dilutes a colour. A clipped channel is a lower bound; clipped lit
//!    runs are named together, and only if every value the bounds allow has one name, or,
//!    where the bounds allow several, by the light's unclipped runs if their name is one
//!    of those. The channels share one full scale all trace long: a run that read a
//!    channel at the ceiling other runs were held at is clipped there too, however briefly
//!    (its mean would name the light too warm or too cool). A
//!    whole pulse shorter than any a cadence shows (a broken flutter's gate cut it) keeps
//!    its burst's colour; lit runs over the settle time named by turns one colour and
//!    another (a chromaticity near a boundary, each run read through few samples) are one
//!    light's, named together: a phone changes an indicator's colour once, with its state.
//! 6. **Cadence** (`cadence.rs`): the runs walked back from the end and matched against
//!    the cadence table: steady or off after the settle time without an edge; a blink when
//!    each run fits the row (a phone's blink clock may run `tolerance` fast or slow and its
//!    on share 0.1 off) and the mean period and on share fit (a fast blink's mean
//!    share may be off by what a 20 ms firmware tick does to it: a flutter's 0.13), over
//!    1.5 measured periods;
//!    a grouped cadence (broken flutter) by its bursts, whose first and last pulses the
//!    group's gate may cut short (its timer may run apart from the pulses'; the last to
//!    nothing, and the burst ends a pulse early), and one of whose inner runs (among
//!    three pulses or more) noise may cut wrong; a regular blink no row fits is
//!    [`Reading::NoCadenceFits`]. A reflective indicator's runs may read
//!    up to 25 ms longer or shorter than its driver held them, all alike: an LCD segment's
//!    liquid crystal turns in 5–40 ms, driven one way and relaxing the other, so its two
//!    ramps reach halfway (where its edges are placed) at different times. That skew moves
//!    the on share, never the period, and is allowed beside the row's tolerances.
//! 7. **One level and no edge** (`judge.rs`; so are lit runs cut only at colour labels
//!    that read dark together): lit or dark from the level itself — above the calibrated
//!    dark level by more than a light adds, drift, noise and (when the mains flicker, or
//!    only its weaker second harmonic, is a multiple of the sample rate) a flicker seen
//!    at one phase can lift it (room light lifts every colour channel in proportion to
//!    its dark reading: an excess of another colour is a light of its own, and needs no
//!    such allowance; a room the lock-in saw flickering at one mains frequency has no
//!    flicker at the other); without a calibration, above what a shrouded sensor reads
//!    dark (48 counts; a photodiode, whose front end may add an offset of its own, above
//!    96, and between the two neither lit nor evidence of off), unless the room's
//!    flicker, as deep as the lock-in saw it, says the room alone reads more (an
//!    unshrouded sensor): then only a steady, unclipped green or blue past the grey
//!    boundary (saturation 0.75) and four shrouded darks bright is
//!    lit, a colour no white light and no offset makes; any other level cannot say. Lifted by more than a dark light reads (drift, noise, a few
//!    counts) but less than that, one level is a dim LED, the dark at the flicker's
//!    crest, or the mean of a dim blink the band could not cut: not enough evidence. The sample rate is the median interval's, which lost samples
//!    barely move (a mean interval read 100 Hz with 4% lost as 96 Hz, and no lock).
//! 8. **False edges** (`judge.rs`): every change of a light's state changes its mean
//!    reading by the light's whole level. A long last run whose level is not apart from
//!    the run before it (by the floor two levels must clear), and runs that make no
//!    cadence whose lit and unlit means over the settle time are not half a floor apart
//!    (a PWM beating with a short integration window), are one level, judged as in 7; so
//!    are such runs when those held unlit read lit, and half as bright as the lit ones
//!    (an LED that is off reads its dark, whatever its window does) unless, no dark line
//!    given, the two step apart by 3σ of the judged signal and a tenth of the lit light (a blink
//!    under the room light of an unshrouded sensor: noise cuts one level into runs a σ
//!    or two apart, and a PWM beat whose ramps read as steps is shallow) and the unlit
//!    runs do not read a green or blue past the grey boundary (which no white room
//!    light makes), and runs whose edges
//!    were all drifts, none a step (an LED switches within a sample; a mains flicker
//!    beating slowly with the sample rate wanders between levels). A blink the matcher
//!    found is one level too when its runs' raw means keep less than a quarter of the
//!    contrast their smoothed levels show (a real blink's edges are placed where the
//!    light switched, so its raw means keep half of it or more; a PWM beating with the
//!    box moves the smoothed signal only), and when its runs held unlit read lit, as
//!    above. A regular rise and fall no row fits is one level too when it is the mains
//!    beating with the sample rate: its period a beat's (120 Hz read at 125 Hz beats every
//!    200 ms; the rate as measured, up to 2% faster where samples were lost, or 2% slower
//!    where a free-running sensor's own clock is slower than the host's reads), no deeper
//!    than the flicker swings the room light, and lifting every colour as the room light
//!    does; so is one too uneven for any cadence (a band moving with a beat cuts its
//!    crests unevenly) whose mean times no row has and whose mean period is a beat's,
//!    or whose lit runs' middles come once a beat's period, most periods holding one (a
//!    sinusoid cut at any height is cut around its crest: noise moves the run's two ends,
//!    not its middle).
//!    Runs held lit for a settle time whose level alone cannot say, entered by no step,
//!    are no answer. A lit run no brighter than the
//!    calibrated dark (by half what a light must add) is dark; and a run held dark that
//!    does not read as dark (an emissive light lit by its level alone, against its
//!    calibration or, without one, what a shrouded sensor reads dark; an indicator darker
//!    than its bare level by more than drift, or a third when the rate locks to the
//!    mains, as far as its steadiness allows, as for an LED) held light the segmenter
//!    could not see: it is no evidence of off, and the
//!    answer abstains — unless it has lasted a settle time, ranges over less than it
//!    stands above the dark, and was stepped into by less than that (an LED going off
//!    steps down by its whole light): then it is one lit level, and the edge before it
//!    was none.
//!    A steady lit answer whose runs over the settle time dipped to the dark (three
//!    samples in a row or more, over 15 ms, reading no brighter than a dark LED, while
//!    the runs read three times further above the dark) is no answer: a PWM read through
//!    a short window ripples an LED's level so far that the noise figure keeps a band
//!    from being drawn, but reads dark only where a window falls wholly in the PWM's off
//!    time, a fraction of a millisecond of its phase, which it crosses within a sample
//!    or, beating slowly, reads partly lit either side; an LED held off for a wink's
//!    dark time reads the dark on several.
//!    The answer abstains too for one level with no edge at all whose brightest sample no
//!    dark LED gives (above the calibrated dark by more than a flicker's lift and 8σ): a
//!    low-duty PWM read through a short window shows its pulses on a few samples only,
//!    and a blink of it can be dark on average. (Not a run begun at an edge: its first
//!    sample's window may straddle the light going off.)
//!
//! # Decisions
//!
//! - The answer is about the end of the evidence only: a light that changed a moment ago
//!   is reported as its new state once that has enough evidence, never as a mixture. An
//!   undecided edge ends the evidence until it is decided.
//! - Level-only sensors (`SensorKind::Level`) and reflective indicators report
//!   `Colour::On` when lit: they can tell lit from dark, not colours.
//! - A reflective indicator without its bare level can only be judged when the trace
//!   shows both levels: one level is [`Reading::NotEnoughEvidence`] (on and off are both
//!   just a level). Calibrate it (`rig calibrate`).
//! - Without a dark level, a bench must shroud its sensors: a steady 500 counts is a lit
//!   LED or a bare sensor under a lamp, and no reader can tell which.
//! - When the evidence is not enough the answer says so; no cadence is ever guessed, and a
//!   colour the sensor cannot read is reported as `On`, never guessed.
//! - `confidence` is an evidence factor (0.5 with just enough evidence, 1 with twice as
//!   much) times, for blinks, a fit factor (1 on the table's times, 0.5 at the tolerance).
//!
//! The reader is scored on two independent trace generators: `tracegen`
//! (`rig_core::tracegen`, the `tracegen` feature: the corpus in `fixtures/traces/`,
//! `cargo bench --bench classifier`) and `lightgen` (`rig/lightgen/MODEL.md`), always on
//! seeds it was not tuned on.
//!
//! # Figures
//!
//! Measured at the end of the thirteenth session (2026-12-07, a shared 2-core machine)
//! with the commands below; in brackets, the same at its start (commit 9eb36b2, built in
//! a worktree and run on the same seeds). Tuning used `lightgen` seeds from 5, 6, 8, 12,
//! 13, 14, 15 and 18 million on, and `tracegen` seeds from 1 000 000 on; the eleventh to
//! thirteenth sessions read the misses of larger `lightgen` sets (20, 30 and 40 million
//! on, 20 000 traces each; the thirteenth also 50 and 60 million, the twelfth's fresh
//! sets) and of an eighth generator (below) to find their rules. The held-out sets were
//! never tuned on, but every change was also checked on them, so they are no longer quite
//! unseen. The fresh sets were drawn at the thirteenth session's end: 70M, 80M and
//! `tracegen` 7M after its four rules, 90M, 100M and `tracegen` 8M after a review's
//! mends to them too (one of which, a dip counted once, was chosen with the 90M and 100M
//! figures of the other in view); their misses were read only to check that no answer
//! was lost.
//!
//! | traces | right | abstained | forbidden (steady↔wink, off↔lit) | wrong colour |
//! |---|---|---|---|---|
//! | fresh: `lightgen` 90M / 100M (20 000 each) | 99.71 / 99.67% (the same) | 0.28 / 0.29% (0.27 / 0.27%) | 3 / 7 (4 / 9) | 0 |
//! | fresh: `tracegen` 8M (2877 kept of 3000) | 99.44% (the same) | 0.45% (0.35%) | 3 (5) | 0 |
//! | fresh: `lightgen` 70M / 80M (20 000 each) | 99.74 / 99.60% (99.73 / 99.59%) | 0.23 / 0.36% (0.23 / 0.35%) | 3 / 6 (3 / 11) | 0 |
//! | fresh: `tracegen` 7M (2878 kept of 3000) | 99.65% (the same) | 0.35% (0.31%) | 0 (1) | 0 |
//! | `lightgen` 20M / 30M / 40M / 50M / 60M (20 000 each, `RIG_LIGHTGEN=20000`; their misses read) | 99.66 / 99.67 / 99.68 / 99.69 / 99.61% (99.65 / 99.67 / 99.68 / 99.69 / 99.60%) | 0.31 / 0.30 / 0.30 / 0.27 / 0.36% (0.29 / 0.29 / 0.29 / 0.25 / 0.36%) | 4 / 4 / 2 / 5 / 3 (7 / 5 / 3 / 8 / 5) | 0 |
//! | `tracegen` 4M / 5M / 6M (2848 / 2875 / 2862 kept of 3000: `RIG_STRESS=3000`) | 99.44 / 99.62 / 99.55% (the same) | 0.56 / 0.38 / 0.45% (0.46 / 0.38 / 0.31%) | 0 / 0 / 0 (3 / 0 / 3) | 0 |
//! | `lightgen`, seeds 7 000 000.. (1000, held out) | 99.7% (99.7%) | 0.3% (0.3%) | 0 (0) | 0 (0) |
//! | `lightgen`, seeds 9 000 000.. (1000, held out; one trace read to find a bug) | 99.7% (99.7%) | 0.3% (0.3%) | 0 (0) | 0 (0) |
//! | `lightgen`, seeds 11 000 000.. (1000, held out) | 99.6% (99.6%) | 0.4% (0.4%) | 0 (0) | 0 (0) |
//! | `lightgen`, seeds 16 000 000.. (1000, held out; one trace taught a rule) | 99.8% (99.8%) | 0.2% (0.2%) | 0 (0) | 0 (0) |
//! | `lightgen`, seeds 17 000 000.. (1000, held out) | 99.8% (99.8%) | 0.2% (0.2%) | 0 (0) | 0 (0) |
//! | `tracegen`, seeds 2 000 000.. (567 kept, held out; a clipped colour read `on` scored right, as for `lightgen`) | 100% (100%) | 0% (0%) | 0 (0) | 0 (0) |
//! | `tracegen`, seeds 3 000 000.. (564 kept, held out) | 99.8% (99.8%) | 0.2% (0.2%) | 0 (0) | 0 (0) |
//! | `fixtures/traces/` (263) | 98.9% (98.9%) | 0.4% (0.4%) | 0 (0) | 0 (0) |
//! | `lightgen_traces` test (400, seeds 9 000 000..) | 100% (100%) | 0% (0%) | 0 (0) | 0 (0) |
//! | tuning: `lightgen` 5M / 6M / 8M / 12M / 13M, `tracegen` 1M | 99.8 / 99.8 / 99.7 / 99.7 / 99.5 / 99.65% (the same) | 0.1 / 0.2 / 0.3 / 0.2 / 0.5 / 0.35% (0.1 / 0.2 / 0.3 / 0.1 / 0.5 / 0.35%) | 0 / 0 / 0 / 1 / 0 / 0 (0 / 0 / 0 / 2 / 0 / 0) | 0 |
//! | tuning: `lightgen` 14M / 15M / 18M | 99.8 / 99.6 / 99.8% (99.8 / 99.6 / 99.7%) | 0.2 / 0.4 / 0.2% (0.2 / 0.4 / 0.3%) | 0 / 0 / 0 | 0 |
//!
//! The fourteenth session (2026-12-07) took its rules from a ninth generator, written
//! by a helper from the issue's list of disturbances, `docs/formats.md` and the cadence
//! table alone, with physics of its own: free-running sensors read twice or skipped,
//! sequential RGB conversion, TCS integration steps, delta-sigma photodiodes, firmware
//! ticks, LED droop, nematic S-curves, non-sinusoidal lamps, passing shadows, and
//! unshrouded sensors under room light with no dark line. Its three sets of 600 read
//! 90.7 / 92.2 / 93.0% right at the session's start, 93.8 / 94.7 / 95.5% at its end
//! (forbidden confusions 23 → 11, wrong colours 10 → 6, of which 2 each time are `on`
//! for a coloured light; 51 answers won, 2 lost: `RIG=target/release/rig python eval.py
//! SET` in its throwaway). Like the third to eighth, it lives in a throwaway, so its
//! figures cannot be measured again from here; its rules' tests can:
//! - a blink under room light stands when its runs step far apart (`judge.rs`,
//!   `steps_over_room_light`, no dark line given): runs held unlit that read lit were
//!   taken for a PWM's brightness moving, but an unshrouded sensor reads the room under
//!   a dark LED; runs noise cuts from one level read a σ or two apart, and a PWM beat
//!   whose ramps read as steps is shallow, so runs 5σ of the judged signal (a
//!   sample's, or a smoothing box's average) and a tenth of the lit light apart are a
//!   blink
//!   (`a_blink_under_room_light_on_an_unshrouded_sensor_is_a_blink`);
//! - white only dilutes a colour (`colour.rs`, `colour_of_diluted`): an unclipped
//!   reading with room light of unknown amount in it, as saturated as any white (0.65)
//!   or more at a hue no white has (cyan, blue, magenta-red), four times a shroud's dark
//!   or more, is named by its hue, not grey (`white_only_dilutes_a_coloured_light`);
//! - a fast blink's mean on share may be off by what a 20 ms firmware tick does to it
//!   (`cadence.rs`, `mean_share_tolerance`: a flutter's 0.13, and its times then fit a
//!   row, no mains beat's): a flutter on such a tick runs 60/40
//!   (`a_flutter_on_a_twenty_ms_tick_is_a_flutter`);
//! - a faint blink the band cannot cut is never read off (`MISSED_BLINK_LEAST_COUNTS`):
//!   a run read dark that swings against itself by 8 counts or more, not only by the
//!   20 a band needed then, held a blink (`a_faint_blink_near_the_floor_is_never_off`).
//!
//! The table's sets are measured as the thirteenth session's below (`RIG_LIGHTGEN=20000`
//! or `RIG_STRESS=3000` with `RIG_SEED` at the set's first seed, in the commands at the
//! end of this section).
//!
//! | traces (fourteenth session: end, and in brackets its start 09670b0) | right | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | fresh: `lightgen` 110M / 120M (20 000 each, drawn at the end) | 99.66 / 99.67% (the same) | 0.32 / 0.30% (the same) | 4 / 4 (the same) | 0 |
//! | fresh: `tracegen` 9M (3000) | 99.51% (99.55%) | 0.45% (0.38%) | 1 (1) | 0 |
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.66 / 99.68 / 99.67 / 99.69 / 99.61 / 99.73 / 99.60 / 99.71 / 99.67% (99.66 / 99.67 / 99.68 / 99.69 / 99.61 / 99.74 / 99.60 / 99.71 / 99.67%) | the same to 0.01% | 4 / 4 / 2 / 5 / 3 / 3 / 6 / 3 / 7 (the same) | 0 |
//! | `tracegen` 4M–8M | 99.44 / 99.62 / 99.55 / 99.65 / 99.44% (the same) | the same | 0 / 0 / 0 / 0 / 3 (the same) | 0 |
//! | every 1000-trace set below, `fixtures/traces/`, the eighth generator | the same | the same | the same | 0 |
//!
//! The sixteenth session (2026-12-07) mended the stream's noise figure for a dark
//! light. The stream takes its first samples as unlit until a band says otherwise, and a
//! band needs a settled noise figure, so the dark noise could settle on nothing but
//! those first nine changes, which may be a lit light's. A darkened LCD segment reflects
//! less light and so is quieter than the bare display; an off light whose first nine
//! changes happened to be small kept a noise of 2.1 counts where its samples' is 5
//! (`lightgen-40000067`, under the floor of 12 counts tried below), because a light read
//! lit teaches the dark noise nothing more.
//! The dark noise now stands for the raw noise only once it has seen three times as
//! many changes (`ChangeNoise::believed`;
//! `a_faint_lcd_s_quieter_segment_is_no_measure_of_its_bare_noise`: a dim room's LCD
//! with shot noise, 818 of 1000 right and 43 read steady or off before, 842 and 31
//! now). With it, one rule went: a long run after an edge is one level with the run
//! before it where the two are not a floor apart (`one_level_after_a_false_edge`), and
//! the two were apart either way. A photodiode's dark under a locked flicker's crest read
//! 2630 before its lock-in settled and 2531 after; the band's first drawing made that an
//! edge into a lit run 99 counts below the unlit one, and it was read "on steady" once
//! the dark noise no longer settled on the first nine changes
//! (`a_dark_light_near_the_crest_of_a_jittered_locked_flicker_is_never_lit`: 1 of 40
//! lit with the new noise figure alone, none with both). A change of state moves the level the new state's way, so the rise is
//! now signed. And an LED's runs whose judged means are not half the floor apart are
//! one level whether a cadence fits them or not (`blink_without_a_mean_change`; it was
//! asked only where none fits): an LED steps within a sample, so its runs' means are its
//! levels (`an_off_light_in_a_dim_room_under_a_beat_is_no_blink`: an off light in a room
//! of 20-35 counts flickering 15-30% deep, read by a free-running sensor without a dark
//! line, 3 of 400 read lit before, none now; it changed no answer on the sets below).
//! And without a dark line a lit run is named above the unlit runs where it stands 12
//! counts clear of them across r, g and b, not 20 (`runs::NAMED_ABOVE_UNLIT_LEAST`):
//! both are read in the same trace, so the drift and offset `MIN_LIT_COUNTS` allows for
//! above a `# dark:` line do not come into it
//! (`a_faint_amber_blink_in_a_dim_room_is_named_above_the_unlit_runs`: 0 of 30 amber
//! before, 14 now, the rest `on` or no answer; the ninth generator's faint amber wink
//! a/t0374, `on` before). Measured as the fifteenth session's table below (start
//! af8c86f, end aabe239):
//!
//! | traces | right, start → end | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.67 / 99.68 / 99.67 / 99.70 / 99.62 / 99.74 / 99.60 / 99.72 / 99.67% → 99.69 / 99.72 / 99.69 / 99.72 / 99.67 / 99.78 / 99.66 / 99.73 / 99.69% | 535 → 496 | 37 → 25 | 0 |
//! | fresh: `lightgen` 110M / 120M, `tracegen` 9M | 99.66 / 99.67 / 99.51% → 99.70 / 99.70 / 99.55% | 0.32 / 0.30 / 0.45% → 0.29 / 0.28 / 0.45% | 4 / 4 / 1 → 1 / 4 / 0 | 0 |
//! | `tracegen` 4M–8M | 99.44 / 99.62 / 99.55 / 99.65 / 99.44% → 99.40 / 99.62 / 99.55 / 99.62 / 99.44% | 63 → 65 | the same | 0 |
//! | the sixteen 1000-trace sets below | 2 more right, 1 fewer | | the same | 0 |
//! | ninth generator, 3 × 600 | 94.67 / 95.50 / 96.67% → 94.50 / 95.67 / 96.67% (lost: a grey flutter now read steady, an off light now no answer; won: a grey flutter read steady before, the faint amber) | 59 → 60 | 10 → 10 | 3 → 2 |
//! | eighth generator, `fixtures/traces/` | the same | the same | the same | 0 |
//!
//! Throughput is unchanged (`cargo bench -p rig --bench classifier -- --test`, the
//! start's build and the end's (0eea667) interleaved, two runs each, medians of 15
//! passes): classify 7.8–7.9 M samples/s both, a watch 4.9–5.1 both; `fixtures/traces/`
//! 260 of 263 (98.86%) both.
//!
//! Most of what it won on `lightgen` are faint LCD blinks in dim rooms, the class earlier
//! sessions named and left: 12 forbidden confusions fewer (a wink read steady, a broken
//! flutter read "off"; 14 mended, 2 new) and 39 abstentions fewer. Tried and left out, with it in place:
//! - taking a dark light's noise only from unlit runs between edges, as the judged
//!   signal's dark noise is: an off light is never edged, and its own first samples are
//!   its best measure (lost about 20 answers a `lightgen` set);
//! - the same count before the judged signal's dark noise stands (no better: a few
//!   answers either way);
//! - a floor of 12 counts for what a light adds (`MIN_LIT_COUNTS`, then 20; now
//!   `Stream::least_light`, seventeenth session). It is the ninth
//!   generator's largest class left: a dim room's LED five noise σ clear of it (10-20
//!   counts) is no answer, or read "off". A photodiode over an LED adding 15-20 counts
//!   to a calibrated dark of 30 (noise σ 3, 100 Hz with ±3 ms of jitter, 2% lost: 24
//!   traces, steady, flash, wink and flutter, drawn by a throwaway script and read with
//!   `rig classify FILE`) reads "off" in 6, steady and blinking alike: at 100 Hz the
//!   sample rate locks to the mains, and a dark light seen at a flicker's crest may read
//!   35% of its dark above it (`LOCKED_FLICKER_SHARE`), 10.5 counts on top of the 5 it
//!   may wander, though the lock-in, whose samples the jitter spread over a third of the
//!   flicker's period, saw 1.2 counts of flicker. With the constant at 12 for the band,
//!   the one-level threshold and the naming, the ninth generator read 96.2 / 97.5 /
//!   98.5% and its forbidden confusions fell from 10 to 4; at 12 everywhere `lightgen`
//!   and `tracegen` (the sets of the table above) lost 27 answers in 195 000. But the
//!   model of `an_off_light_in_a_dim_room_under_a_beat_is_no_blink`, run with the
//!   constant at 12, read "off" 280 times in 400 instead of 399 (the rest no answer),
//!   and with its flicker drawn 40-70% deep instead, 6 of 400 lit (none at 20). The
//!   issue's own first complaint was off lights under flicker abstaining, so it is left
//!   at 20. The lead: bound that locked lift by the flicker the lock-in saw wherever the
//!   samples' phases are spread enough for it to see one.
//!
//! The seventeenth session (2026-12-07) took three classes of the ninth generator's
//! misses, each with a rule argued from what an LED can and cannot do to a sensor:
//! - **A light must add 4σ of one value's noise, 12 to 20 counts** (`Stream::least_light`;
//!   it was 20 counts whatever the noise). A dim room's LED five noise σ clear of its
//!   dark (10-20 counts) was no answer above a dark line and read "off" without one (the
//!   ninth generator's six off↔lit confusions; at 20, 31 of 48 blinks in
//!   `a_faint_led_blinking_in_a_dim_room_is_read_without_a_dark_line`, 1 now: a wink
//!   whose band is lost, left). Kept at 20 without a dark line at first, for the test
//!   that had kept 20 last session (`an_off_light_in_a_dim_room_under_a_beat_is_no_blink`):
//!   its "noise" was a slow sawtooth (each window's generator seeded one apart, whose
//!   first draws step by a fixed share), steps a floor deep that no sensor makes; with
//!   each window's own noise (`mixed`) it reads 390 of 400 off at 4σ, none lit.
//!   The σ is the raw noise over a box, not the judged dark's as seen: a faint
//!   flutter's straddled samples raised that past the light's contrast, the band drawn
//!   at first was lost, and the last run alone read "off" (3 of 20 in
//!   `a_faint_blink_near_the_floor_is_never_off`). Tests:
//!   `a_faint_led_four_noise_sigmas_clear_of_a_calibrated_dim_room_is_read` (a 15-count
//!   flash read "off" at 20; 46 of 48 blinks and 8 of 12 steady lights now) and
//!   `a_calibrated_off_light_in_a_dim_room_under_a_beat_is_never_lit` (the dim room of
//!   the test that kept 20 last session, with its dark line: none lit, 398 of 400 off,
//!   400 at 20; 369 with the sawtooth noise below). The floor of 12 counts however quiet
//!   the sensor (`MIN_LIT_COUNTS`, 20 before) also sets what a dark LED may read above
//!   its dark line before the stream doubts the line (half of it: 6 counts, 10 before),
//!   the least a one-level run's brightest sample must clear to say a PWM hid in it
//!   (`held_lit_samples`), and the lit threshold report.html draws (a dark of 12 is
//!   drawn lit above 24, 32 before). Tried on the way: 12 counts flat (the band alone,
//!   or everywhere) abstained on about 20 more off lights under a locked or slowly
//!   beating flicker per 180 000 `lightgen` traces; 3σ of the judged dark's noise, on
//!   about 14 more.
//! - **Edges that take light of some colour away are no LED's** (`judge.rs`,
//!   `InView::took_light_away`, `dark_under_a_colour_beat`). An LED adds light to every
//!   channel. A sensor that reads its channels one after another under an LED lamp's
//!   square flicker catches it at a different phase in each, and the beat with its own
//!   clock, a percent or two off the polls, steps as sharply as an LED: "lit" runs with more clear light and less red,
//!   named blue at no cadence (two of the ninth generator's off lights). Where the lit
//!   runs read less of a colour than the unlit ones by more than 5% of the clear step
//!   and 5σ of the two means, the runs are judged as one level, and that reading stands
//!   where the level is dark; a blink under such a beat reads lit as one level, and its
//!   runs stay cut (judged as one level whatever it read, 11 more blue blinks of 200
//!   read steady). `a_square_flicker_read_channel_by_channel_is_no_light`: 200 of 200
//!   off lights off (none before, 28 read lit).
//! - **An uncalibrated lit level that held steady is named as a diluted colour however
//!   faint** (`judge.rs`, `lit_level_held_steady`; `RunStats::colour_of_a_steady_level`). A blue
//!   LED in a dim warm room reads about [20, 30, 60]: grey above no dark at all, blue
//!   above every other dark a shroud allows, so `on`, no answer. As saturated as no
//!   white is at a hue no white has, it is a coloured light whatever room light is in
//!   it; only a blink's mean had to be bright to be named so, and a level whose values'
//!   standard deviation is within 2σ of its noise and a tenth of its light above a
//!   shrouded dark is none (a blink swings by its whole light; the share keeps out a
//!   PWM as noisy as its light, whose wink hid in it: `lightgen-40008066` read steady
//!   on the noise bound alone). `a_steady_blue_led_in_a_dim_room_is_named_without_a_dark_line`:
//!   26 of 40 blue steady (8 before), the rest too pale.
//!
//! Measured with the commands at the end of this section (`RIG_LIGHTGEN=20000`,
//! `RIG_STRESS=3000` or, for the 1000-trace sets, `RIG_LIGHTGEN=1000` and `RIG_STRESS=600`,
//! with `RIG_SEED` at each set's first seed), start 08f5be4, end of the rules; the ninth
//! generator with `RIG=target/release/rig python eval.py SET` in its throwaway:
//!
//! | traces | right, start → end | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | ninth generator, 3 × 600 | 94.50 / 95.67 / 96.67% → 96.67 / 97.67 / 98.67% (1721 → 1758: 37 won, none lost; a red flutter read steady is now no answer, an amber flutter no answer now no cadence fits) | 60 → 30 | 10 → 4 | 2 → 2 |
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.69 / 99.72 / 99.69 / 99.72 / 99.67 / 99.78 / 99.66 / 99.73 / 99.69% → 99.69 / 99.70 / 99.69 / 99.73 / 99.67 / 99.77 / 99.66 / 99.71 / 99.70% | 496 → 502 | 25 → 25 | 0 |
//! | `tracegen` 4M–8M | 99.40 / 99.62 / 99.55 / 99.62 / 99.44% → 99.40 / 99.62 / 99.51 / 99.58 / 99.44% | 65 → 67 | 3 → 3 | 0 |
//! | fresh: `lightgen` 110M / 120M, `tracegen` 9M | 99.70 / 99.70 / 99.55% → 99.70 / 99.69 / 99.55% | 114 → 117, 13 → 13 | 5 → 5, 0 → 0 | 0 |
//! | the sixteen 1000-trace sets below | one more right (2 won, 1 lost) | | the same | 0 |
//! | eighth generator (`python3 eval.py SET --rerun`), `fixtures/traces/` | 576 / 584 / 567 → 575 / 584 / 568; 260 of 263 both | | | 0 |
//!
//! What `lightgen` and `tracegen` lost (about 12 answers in 195 000, all now no answer) are
//! off lights under a flicker locked to the sample rate or beating with it at a few
//! hertz, whose crests a floor of 12 counts lets the band cut. Throughput is unchanged
//! (`cargo bench -p rig --bench classifier -- --test`, the start's and the end's builds
//! interleaved, two runs each, medians of 15 passes): classify 7.6–7.7 → 7.8–8.0 M
//! samples/s, a watch 4.7 both (the rules' builds; the last change adds no work). Left:
//! the ninth generator's four forbidden confusions, uncalibrated photodiode blinks above
//! a shrouded dark read steady (runs held unlit that read lit, taken for a PWM's beat,
//! where the flicker the lock-in left raises the judged noise the step is told against),
//! and a colour sensor's steady green or amber under an unshrouded sensor's room light
//! (its flicker says the room reaches it; a per-channel lock-in would say whether the
//! level's colour is the flicker's: not built, it would triple the lock-in's work).
//!
//! The eighteenth session (2026-12-07) added four rules: three for classes the
//! seventeenth left, one for a forbidden confusion a fresh set of the ninth generator
//! showed.
//! - **Blinks over an unshrouded room, no dark line, read steady** (`judge.rs`,
//!   `ROOM_LIGHT_STEP_SIGMAS` 5 → 3, argued at `steps_over_room_light`). Runs held unlit
//!   that read lit are taken for one light's brightness moving unless they step apart
//!   from the lit runs by enough of the judged noise. Noise cutting one level parts the
//!   runs' means by 1.6–2σ; a blink's runs keep less than their step, and a flicker the
//!   lock-in cannot follow raises the judged noise without moving a run's mean. The
//!   ninth generator's winks and flutters over such rooms read steady stepped 3.4–4.9σ;
//!   the PWM beats of steady lights in `lightgen` and `tracegen` that a bound between 3σ
//!   and 5σ moves, 3.0–3.8σ; on the fresh set below, two beats of steady lights stepped
//!   4.1 and 4.2σ (read flutter now) and a photodiode flutter 4.7σ (read steady before).
//!   `a_blink_five_noise_sigmas_over_an_unshrouded_room_is_rarely_steady`: a wink or
//!   flutter five noise σ over an unshrouded room, 50 of 80 read steady at 5σ (24
//!   right), 14 now (54 right). Left: flutters whose band was never drawn (one lone
//!   level, read lit), and runs that step less than 3σ.
//! - **Runs held unlit that read green or blue held the LED's light** (`judge.rs`,
//!   `steps_over_room_light`, `holds_green_or_blue_led_light`). Where they read a
//!   green or blue past the grey boundary, no white room light made that reading: the
//!   LED never went off, and the steps were its brightness moving (a PWM beat).
//!   `a_green_or_blue_led_beating_over_an_unshrouded_room_is_steady_not_a_blink`: an
//!   LED beating between 60% and all of its light at a flutter's rhythm, 0 of 40 steady
//!   before (all flutter). A real blink's dark runs read so only if they carry a
//!   quarter to a half of its light, where straddled samples leave a few tenths at most
//!   (argued at `steps_over_room_light`; the test's guard, a pure green blink dimmer than
//!   a cool room, holds even with the bound at 0.5 saturation).
//! - **A steady green or blue under an unshrouded room is lit** (`judge.rs`,
//!   `reads_a_steady_green_or_blue`; `colour.rs`, `holds_a_green_or_blue_light`).
//!   Without a dark line, where the room's flicker says its light reaches the sensor,
//!   one level was no answer: an unlit LED under the room light or a lit one. Room light
//!   is white, and white and an offset only dilute a colour: a reading past the grey
//!   boundary at a green or blue hue is an LED's. Red and amber are left out (a warm
//!   lamp reads as saturated as an amber; yellow cleanroom or sodium light reads amber),
//!   and so is a level that did not hold steady (a flutter at 90 Hz through an 11 ms
//!   window, never cut, read green steady: the colour says lit, not steady) or reads
//!   less than four shrouded darks (an uneven offset). Light of another colour reaching
//!   the sensor, a lit neighbour's, would read so too: such a bench must give a dark
//!   line (docs/formats.md). `a_steady_green_or_blue_is_lit_under_an_unshrouded_room_without_a_dark_line`:
//!   24 of 24 green and blue LEDs six times the room's light (none before); none lit
//!   dark under white or yellow light, no amber another colour, no flutter steady. (A
//!   review of the first form, any hue above 45°, read an off LED under yellow light
//!   amber steady, and such a flutter steady: mended before the session ended.)
//! - **A segment darkened less than most, under a flicker locked to the rate, is never
//!   "off"** (`judge.rs`, `level_reads_lit`). Read at 100 Hz, a 100 Hz flicker is seen
//!   at one phase, and the bare display may read down to a third below its calibration
//!   at its trough: one level there was "off", and a segment darkened by 20–30% (a poor
//!   LCD) reads there too. Now it is no answer: the trade an earlier session declined
//!   (a false "off" is a false verdict, no answer an ERROR row). Its costs and limits
//!   are in the `judge` module docs: a bare display at the trough is no answer also
//!   after a darker segment was seen, and lit runs held in that range stay lit.
//!   `a_segment_darkened_less_than_most_under_a_locked_flicker_is_never_off`: 40 of 40
//!   were "off"; none now, and the bare display a few percent low still off.
//!
//! Start 8248b43 → end, the commands as in the seventeenth session's table. The fresh
//! set of the ninth generator was drawn this session (`python gen.py d --n 600 --seed
//! 4444` in its throwaway), after the 3σ bound and the colour rule's first form had
//! been tuned on the other three, and read with the start's build (a worktree at
//! 8248b43) and the end's:
//!
//! | traces | right, start → end | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | ninth generator, 3 × 600 | 96.67 / 97.67 / 98.67% → 97.17 / 98.33 / 99.17% (1758 → 1768: 10 won, none lost) | 30 → 27 | 4 → 3 | 2 → 1 |
//! | ninth generator, fresh set of 600 | 97.00% → 97.33% (582 → 584: 4 won, 2 lost, the beats above) | 11 → 10 | 3 → 1 (two LCD segments read "off": one right now, one no answer; a wink read steady is left) | 4 → 4 (two are clipped ambers read `on`, which the issue allows and the ninth generator's scoring counts wrong) |
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.69 / 99.70 / 99.69 / 99.73 / 99.67 / 99.77 / 99.66 / 99.71 / 99.70% → 99.69 / 99.70 / 99.69 / 99.73 / 99.66 / 99.77 / 99.65 / 99.72 / 99.70% | 502 → 508 | 25 → 20 | 0 |
//! | `tracegen` 4M–8M | 99.40 / 99.62 / 99.51 / 99.58 / 99.44% → 99.44 / 99.62 / 99.51 / 99.58 / 99.41% | 67 → 66 | 3 → 3 | 0 |
//! | fresh: `lightgen` 110M / 120M, `tracegen` 9M | 99.70 / 99.69 / 99.55% → 99.71 / 99.69 / 99.58% | 117 → 116, 13 → 12 | 5 → 5, 0 → 0 | 0 |
//! | the sixteen 1000-trace sets (`RIG_LIGHTGEN=1000` / `RIG_STRESS=600` at each set's first seed) | two `tracegen` off lights now no answer, else the same | | the same | 0 |
//! | eighth generator (`python3 eval.py SET --rerun` in its throwaway) | 575 / 584 / 568 both (set b's one forbidden confusion now no answer) | | 1 → 0 | 0 |
//! | `fixtures/traces/` (`cargo bench -p rig --bench classifier -- --test`, its accuracy line) | 260 → 259 of 263 (an off LCD 18% below its bare level at 100 Hz, no answer) | | 0 | 0 |
//!
//! On the 195 000 traces of our own two generators above, four answers were won and four
//! lost (two off lights and a grey steady light no answer, a red steady light read
//! flutter), and five forbidden confusions became no answer; on their fresh sets two
//! were won; on the sixteen small sets two off lights were lost. Throughput is unchanged
//! (`cargo bench -p rig --bench classifier -- --test`, the start's and the end's builds
//! interleaved, two runs each, medians of 15 passes: classify 7.7–7.9 M samples/s, a
//! watch 4.6–4.8, the same either build within the machine's noise). Tried and left
//! out: 4σ for the step (four of the ninth generator's blinks won, our generators
//! unchanged, the fresh set's two beats no better); a lit level whose values go against
//! themselves at half a flutter's period taken as no answer, as a dark one is
//! (`shows_a_missed_blink`: 23 of 195 000 steady PWM lights no answer, no blink won);
//! a free-running sensor's clock up to 6% off (the datasheets' integration-time spread,
//! unconfirmed here) for the mains-beat test: one of the ninth generator's answers.
//!
//! The nineteenth session (2026-12-07) read the traces of a tenth generator: written by
//! a helper from a brief (the issue's disturbances and ranges, the trace format, the
//! cadence table), in a throwaway it made, without reading this reader or the other
//! generators. Its model differs where ours were free to choose: a TCS34725-like red
//! dye whose edge rises at 588 nm (steeper than `lightgen`'s), rectified, fluorescent,
//! LED-driver and incandescent lamp waveforms with harmonics, a photodiode's front-end
//! offset (0–40 codes), a liquid crystal relaxing in 2–60 ms, polled, data-ready and
//! free-running sensors (their clocks 1–6% off), and stamps jittered or batched as USB
//! delivers them. Three rules came of it, each with a test that fails without it:
//! - **Red ends at 10.5°, not 12°** (`colour.rs`, argued in its module docs). Its
//!   ambers at 592–597 nm read 10–13° through the steep filter: 9 of 1800 traces were
//!   read red. The overlap with the greenest reds (a red-orange through a wide filter,
//!   with an unshrouded room's light left in) is real: at 10° a red fluttering over a
//!   warm unshrouded room read amber once in 80
//!   (`a_red_blink_under_warm_room_light_is_named_above_the_unlit_runs_together`), at
//!   9° 13 times. `runs_named_either_side_of_a_boundary_by_a_degree_are_one_light`
//!   now straddles the new boundary.
//! - **One uncalibrated photodiode level between 48 and 96 codes is no answer, and no
//!   evidence of off** (`judge.rs`, `within_a_photodiode_s_offset`). A shrouded
//!   photodiode behind an amplifier reads its op-amp's offset, tens of codes, before any
//!   light; two off lights read "on steady".
//!   `an_off_photodiode_its_amplifier_lifts_over_a_shroud_s_dark_is_never_lit`: 24 of
//!   24 lit before, none now; guards: 40 codes off, 140 lit, and a lit LED dimmed to 87
//!   codes never "off" (the rule's first form read it so once in ten: a review found it).
//! - **A free-running sensor's clock may be 10% slow for the mains-beat test, not 2%**
//!   (`judge.rs`, `MAX_CLOCK_SHARE`): the ADS111x datasheets give the data rate within
//!   ±10%. `an_off_light_under_a_beat_a_sensor_several_percent_slow_sees_is_off`: a
//!   sensor 2–6% slow left 13 of 200 off lights "blinking, no cadence fits", 8 now.
//!
//! Start faa885b → end (`RIG_LIGHTGEN=20000` / `RIG_STRESS=3000` at each set's first
//! seed, as in the seventeenth session's table; the tenth generator's `python eval.py
//! SET` in its throwaway). Its sets a, b, c (600 each) were read to find the rules; d
//! (600, seed 404) was drawn after the colour and photodiode rules, before the clock's.
//!
//! | traces | right, start → end | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | tenth generator, 3 × 600 | 95.83 / 96.17 / 96.17% → 96.17 / 97.00 / 96.00% (1729 → 1735) | 48 → 50 | 11 → 7 | 9 → 5 |
//! | tenth generator, set d of 600 | 94.17% → 95.00% (565 → 570) | 25 → 26 | 1 → 0 | 7 → 2 |
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.69 / 99.70 / 99.69 / 99.73 / 99.66 / 99.77 / 99.65 / 99.72 / 99.70% → 99.69 / 99.69 / 99.69 / 99.71 / 99.65 / 99.75 / 99.64 / 99.69 / 99.69% (179 463 → 179 441: 27 dim reds now no answer; 5 won, among them an off light and a steady one read "no cadence fits") | 508 → 531 | 20 → 20 | 0 |
//! | `tracegen` 4M–8M | 99.44 / 99.62 / 99.51 / 99.58 / 99.41% → 99.47 / 99.69 / 99.51 / 99.58 / 99.44% (4 uncalibrated ambers named) | 66 → 62 | 3 → 3 | 0 |
//! | `fixtures/traces/` (`cargo bench -p rig --bench classifier -- --test`, its accuracy line) | 259 of 263 both | | 0 | 0 |
//! | fresh, drawn at the end: `lightgen` 130M (20 000), `tracegen` 10M (2878 kept of 3000) | 99.63 → 99.62%, 99.58% both | 72 → 74, 10 both | 0, 1 both | 0, 1 both (a green flash clipped at 248 counts read grey: under `CLIP_MIN`, 255, no ceiling is recognised) |
//!
//! Of the tenth generator's 2400, 12 answers were won (9 ambers, 3 off lights under a
//! free-running sensor's beat) and one lost (an amber flutter, now no answer), and two
//! off photodiodes read "on steady" are no answer. What it still misses: LCD segments
//! without a dark line holding one level (14 of set d's 26 abstentions; the format says
//! a reflective trace needs its bare level); 120 Hz lamps read at 125 Hz, whose slowed
//! copy of the lamp's waveform (its harmonics alias to 5, 10, 15 Hz...) steps like a
//! blink at a wink's period (two read "on wink", a forbidden confusion: `mains_beat`
//! is asked only of blinks no row fits); stamps batched on arrival, whose median
//! interval is a batch multiple, not the sensor's period (6.8 ms for 8: the mains-beat
//! test then looks at the wrong rate); LEDs adding 2.5–7% to a bright room, read "off",
//! and a flash whose band, drawn before a locked flicker's slow wander lowered both
//! levels, no longer reached its lit runs ("off"); ambers of 595–597 nm that still read
//! under 10.5°. Tried and left out: a missed blink's swing taken as significant at 3.5
//! of its noise σ over the run's pairs rather than at 0.25 (five faint LCD broken
//! flutters of `lightgen` read "off" became no answer, but a free-running sensor's beat
//! of an off light crossed it: one answer lost on this generator, one on `tracegen`).
//! A review found, outside these changes: without a dark line, a light lit from the
//! trace's start that then goes dark reads "on steady" for good (the first run's state
//! is a guess until a band is drawn, and its level stands for the dark meanwhile, so no
//! band is drawn). Two fixes tried (the first band taking that run's state from its own
//! level; that run's level not taken for the dark) broke four tests and lost three of
//! the tenth generator's answers: left open. The generators hold one state a trace;
//! benches with a dark line are not affected. Throughput (`cargo bench -p rig --bench
//! classifier -- --test`, the start's and the end's builds interleaved, four runs each,
//! medians of 15 passes): classify 5.2–6.4 → 5.0–7.2 M samples/s, a watch 3.1–3.8 →
//! 3.9–4.6: no slower (the machine read both builds 15–25% slower than the eighteenth
//! session's figures). The bars, 15 and 20, are not met.
//!
//! The fifteenth session (2026-12-07) took the ninth generator's largest class left:
//! blinks under a mains beat a third of their step deep or more, 29 of its misses where
//! the flicker reaches the sensor aliased to 1–15 Hz, 24 of them on free-running
//! sensors (a conversion clock 3% off the host's stamps, which no lock-in at the stamps'
//! times can follow). Two rules, each with a test that fails without it:
//! - an LED's sharp step is an edge where a beat carries both levels across the band
//!   (`stream/`, step 4, **Jumps**; `levels::MeanChange`): a step from the last two
//!   values of half the band's contrast and eight σ of both states' changes within runs
//!   opens a pending edge, crossing or not, and the run it opens is confirmed against
//!   the jump's own middle (`a_blink_under_a_beat_the_lock_in_cannot_see_steps_sharply`:
//!   a 3 Hz wander 60% of the step deep, 6 of its 24 blinks right before, with wrong
//!   cadences; 24 of 24 now, and its steady lights never a blink nor off). The change
//!   scale is a mean, not a median: a lit run's
//!   changes are heavy-tailed (channels converted in turn, a PWM beating with the
//!   window), and a median-based scale let a blue flash's lit noise pass for jumps
//!   (one more right answer lost on the ninth generator, two on `lightgen`);
//! - without a dark line, colours are named above the unlit runs' mean r, g, b by their
//!   samples (at most 100), not above the latest unlit run alone: a blink's short off
//!   times carry their edges' straddled samples and their noise, and a red
//!   broken-flutter under a warm lamp read amber above one of them
//!   (`a_red_blink_under_warm_room_light_is_named_above_the_unlit_runs_together`: 6 of
//!   80 amber before, none now).
//!
//! The table's `lightgen` and `tracegen` sets are measured as the thirteenth session's
//! (the commands at the end of this section); the ninth and eighth generators' with
//! `RIG=target/release/rig python eval.py SET` in their throwaways, whose figures
//! cannot be measured again from here. The counts of blinks under a beat below are the
//! ninth generator's misses grouped by its labels' `flicker_alias_hz` and `Fpp_frac`.
//!
//! | traces (fifteenth session: end 47048b2, and in brackets its start 05a4f97) | right | abstained | forbidden | wrong colour |
//! |---|---|---|---|---|
//! | ninth generator, 3 × 600 | 94.67 / 95.50 / 96.67% (93.83 / 94.67 / 95.50%) | 59 (72) | 10 (11) | 3 (6) |
//! | fresh: `lightgen` 110M / 120M, `tracegen` 9M | 99.66 / 99.67 / 99.51% (the same) | the same | 4 / 4 / 1 (the same) | 0 |
//! | `lightgen` 20M–100M (nine sets of 20 000) | 99.67 / 99.68 / 99.67 / 99.70 / 99.62 / 99.74 / 99.60 / 99.72 / 99.67% (99.66 / 99.68 / 99.67 / 99.69 / 99.61 / 99.73 / 99.60 / 99.71 / 99.67%) | 8 fewer, 1 more (a clipped red on the red/amber line read above the pooled runs: no answer) | the same | 0 |
//! | `tracegen` 4M–8M, every 1000-trace set below, `fixtures/traces/` | the same | the same | the same | 0 |
//! | eighth generator, 3 × 600 | 576 / 584 / 567 (576 / 584 / 566) | | | 0 |
//!
//! Throughput (`cargo bench -p rig --bench classifier -- --test`, the start's build and
//! the end's interleaved, three runs each, medians of 15 passes): classify 7.7–7.8 →
//! 7.5–7.6 M samples/s, a watch 4.8–5.0 → 4.5–4.9; the jump test and the change scales
//! cost a sample a few nanoseconds, within the machine's noise but not nothing. Left
//! out: jumps on smoothed signals (150 Hz and more: the box ramps a step over 20 ms and
//! holds the flicker's whole periods; the ninth generator misses 3 blinks under a beat
//! aliased to 1–15 Hz and a third of their step deep there, before and after, against
//! 26 at 100 and 125 Hz before this rule and 15 after) and on reflective indicators
//! (an LCD segment turns over tens of ms: no jump is its signature; a bare display's
//! noise cut at false jumps read a steady segment as a blink on `lightgen`).
//!
//! The thirteenth session's rules, from the misses of the eighth generator's
//! free-running sensors and of the five larger `lightgen` sets. Each has a test that
//! fails without it, on a light model written in the test:
//! - a beat's crests keep its period however unevenly noise cuts them (`judge.rs`,
//!   `crests_at_one_period`): a sinusoid cut at any height is cut around its crest, so
//!   the lit runs' middles come once a beat period (or a whole number of periods apart
//!   where a crest fell short of the band), and runs too uneven for the uneven beat's
//!   spread guard are judged by the beat rules when most periods hold a crest (a broken
//!   flutter leaves half empty);
//! - a beat may be the mains with the sensor's own clock, up to 2% slower than the
//!   host's reads (`MAX_CLOCK_SHARE`; 10% since the nineteenth session, the ADS111x
//!   datasheets' spread of its data rate): a free-running sensor integrates on its own
//!   oscillator and a host reading it on a grid of its own gets its latest window,
//!   stamped when read, so the lock-in cannot fit the flicker and a sensor 0.8% slow
//!   beats 120 Hz at 4 Hz, not 5. Both rules: off lights under a beat a free-running
//!   sensor sees read off 138 times in 200 with neither, 158 with the crests' alone, 170
//!   with the clock's alone, 190 with both
//!   (`an_off_light_under_a_beat_a_free_running_sensor_sees_is_off`);
//! - a steady lit answer whose runs over the settle time dipped to the dark is none
//!   (`judge.rs`, `dipped_to_the_dark`; `runs::DarkDips`): a PWM read through a
//!   window of a millisecond or two ripples an LED's level so far that the noise figure
//!   is the ripple's and no band is drawn, and a wink read "on steady"; but a PWM reads
//!   dark only where a window falls wholly in its off time, crossed within a sample,
//!   while an LED held off for a wink's dark time reads the dark on several samples in
//!   a row (5 of 80 winks read steady without the rule, none now, and as many steady
//!   lights read steady:
//!   `a_pwm_led_that_dips_to_the_dark_again_and_again_is_never_steady`). A review found
//!   the dips counted over the whole of a run, however old (a watch's open run can be
//!   minutes long): only one that ended over the settle time counts now. Asking the
//!   samples either side of a dip to read well lit (to tell a PWM beating slowly into
//!   the dark, which at worst makes a steady light no answer) lost three of the dips on
//!   the larger sets, dim LEDs whose dark's noise crossed the bound: left out;
//! - a bare display's locked-flicker reach is cut to what the run's steadiness allows
//!   (`bare_reach`, as `locked_flicker_lift` already did for an LED): a flicker seen at
//!   one phase darkens every reading alike, so a faint LCD flash held in one run,
//!   varying between its levels, is not the bare display (59 of 200 read "off" without
//!   the rule, 11 now: `a_faint_lcd_flash_the_band_cannot_cut_at_100_hz_is_rarely_off`).
//!
//! On the sets above they turn 28 forbidden confusions into abstentions (or right
//! answers) and lose no right answer. The eighth generator's sets
//! (`python3 eval.py SET` in its throwaway) read 576 / 577, 584 / 588 and 566 / 575 (576,
//! 583 and 564 at the start): what it still misses is mostly its free-running sensors'
//! (off lights under a beat whose crests the band splits, or whose alias falls below
//! 2 Hz) and LEDs dimmer than `MIN_LIT_COUNTS` (then 20). Throughput, the start's build and this
//! one interleaved in the same hour: `cargo bench -p rig --bench classifier -- --test`,
//! classify 7.7-7.9 → 7.9-8.1 M samples/s and a watch 4.8-5.0 → 4.8-5.1 (medians of 15
//! passes, three runs each: no slower); `rig classify` on the 10 M-sample file, 0.43 →
//! 0.46 s at 1 kHz (22 M samples/s) and 1.02 → 0.98 s at 250 Hz (10 M), under 11.4 MB
//! (medians of five; the machine's noise is as large as the differences).
//! Left out: taking repeated readings (a window read twice, every channel equal) as a
//! measure of how much slower a free-running sensor's clock runs than the reads; the
//! eighth generator adds noise to each read, not each window, so no repeat was ever
//! seen, and the 2% bound does the same work.
//!
//! The twelfth session's rules, from the misses of the three larger sets and of an eighth
//! generator. Each has a test that fails without it, on a light model written in the test:
//! - one light's clipped and unclipped runs read one colour (`judge.rs`,
//!   `clipped_at_the_ceiling`, `colour_unclipped`; `RunStats::may_be_named`): a run that
//!   read a channel at the ceiling other runs were held at is clipped there too (the
//!   channels share one full scale all trace long), and clipped runs whose bounds allow
//!   several names take the name of the light's runs that never clipped, if the bounds
//!   allow it. Named run by run, an overdriven flutter read two colours and was no
//!   answer (19 of the 195 abstentions on the three larger sets), or a red one, named
//!   by runs that reached the top without holding it, read amber
//!   (`one_light_s_clipped_and_unclipped_runs_read_one_colour`);
//! - an emissive level is read above its dark with the mains flicker the lock-in fitted
//!   taken off (its judged signal's mean, not the raw mean): near a lock, jitter lets the
//!   lock-in see the flicker whose crest lifted an off photodiode's raw mean 9% above the
//!   dark; runs held lit whose level alone cannot say whether it is lit, entered by no
//!   step, are no answer (an LED switches within a sample: two off lights read grey and
//!   amber steady) (`a_dark_light_near_the_crest_of_a_jittered_locked_flicker_is_never_lit`);
//! - a blink whose runs held unlit read lit is one lit level (`blink_of_a_lit_light`): an
//!   LED that is off reads its dark, so a PWM beating with a short window, dipping a few
//!   percent at a wink's period, was read "on wink" for a steady light
//!   (`a_steady_led_whose_pwm_beats_with_the_window_never_blinks`);
//! - runs cut too unevenly for any cadence, at times no row has, each state's within
//!   twice each other, whose mean period is the mains beating with the sample rate, are
//!   judged as a regular beat no row fits is (`uneven_mains_beat`)
//!   (`an_off_light_under_a_flicker_beating_unevenly_with_the_rate_is_off`).
//!
//! Their cost in throughput (`cargo bench -p rig --bench classifier -- --test`, the start's
//! build and this one interleaved, the same hour, medians of 15 passes): classify 7.6-7.9
//! → 8.0-8.1 M samples/s (no slower: within the machine's noise), a watch 5.1-5.2 → 5.0
//! (each reading asks more of a blink's runs).
//!
//! An eighth generator (a throwaway like the third to seventh, by someone who read only
//! the issue's list, the cadence table and the trace format: LEDs from Gaussian spectra
//! with yellow-green greens, lamps as sine, rectified-with-persistence, capacitor
//! sawtooth and LED square waves plus a room drifting ±5%, LED edges ramped over 1-5 ms
//! and drooping 6% after switching on, LCDs turning in 5-40 ms and darkening by 30-80%,
//! half its sensors free-running on their own clock (±2%) read by a host that stamps
//! its reads, 40% of its traces stamped in whole milliseconds, drops in bursts, a late
//! read after each stall, shrouded benches where there is no dark line) read its two sets
//! of 600 at 99.5% and 99.1% at the start (574 / 577 and 583 / 588 decidable), 99.8% and
//! 99.1% now (576 / 577 and 583 / 588), with no wrong colour and 0 and 1 forbidden
//! confusions (`RIG=target/release/rig python3 eval.py SET` in the throwaway, which is
//! not in the repository: these figures cannot be measured again from here; what it
//! found is, as the tests of the rules it taught). What it still misses: off lights under
//! a mains flicker aliased to a few hertz that the lock-in cannot follow (free-running sensors); a faint LCD segment
//! darkening to 0.68 of its
//! bare level read at 100 Hz with the mains unknown, read "off" (a bare display at a
//! locked flicker's trough reads as low: the reader keeps one bound at a third, where
//! most segments darken to half or less; abstaining there instead cost two right "off"s
//! on `tracegen`); a slow LCD's flutter without a dark line. Its third set, drawn nearer
//! the limits (LEDs adding 15 counts to a dark of 27), read 98.1% at the start and now:
//! a light below `MIN_LIT_COUNTS` (then 20) is none a phone shows (lowering it to 12 lost answers
//! on every set).
//!
//! Tried and left out: taking the sensor's rate for the lock test up to 2% above the
//! median interval's, as the beat test does (a 100 Hz sensor whose stamps jitter by a
//! fifth of an interval was measured at 97.6 Hz). It changed no answer on the sets above
//! but, on the fresh ones, turned a faint LCD flash's abstention into "off" (a lock
//! widens what the bare display may read) and two answers into abstentions.
//!
//! The eleventh session's rules, from the misses of the three larger sets: forbidden
//! confusions were one in 1500 traces there, over half of them a blink read "off"
//! (blinks the band never cut: a flutter read at 100 Hz through windows as long as its
//! interval, a dim room's LCD flutter a few σ deep). Each has a test that fails without
//! it, on a model of its own written in the test:
//! - a locked flicker lifts a dark run only as far as the run is steady (`judge.rs`,
//!   `locked_flicker_lift`): a flicker moves each reading by at most its swing, so
//!   readings it lifts by `L` vary by at most `swing² − L²` beyond noise and drift. A
//!   flutter whose edges, a third of its changes, doubled its noise figure was cut into
//!   runs mixing both levels, one learnt as the dark, and read "off steady" (3 of 400 in
//!   `a_flutter_whose_edges_inflate_the_noise_figure_is_never_read_off`, now none);
//! - a level read dark whose settled values go against themselves half the fastest
//!   blink's period apart (below -0.4 over at least 100 pairs), or swing at its period
//!   (half the covariance a period apart less half a period apart, over the variance,
//!   above 0.25), by at least a light's depth, held a blink: no answer (`judge.rs`,
//!   `shows_a_missed_blink`; `RunStats::lag_correlation`, `RunStats::blink_swing`).
//!   Nothing a dark light shows does so: noise goes with nothing, a drift with itself,
//!   and a mains flicker with itself across 50 and 100 ms, whole periods of both mains,
//!   whatever the rate aliases it to. Only unsmoothed signals (under 150 Hz): the box
//!   leaves a lamp's harmonic that the rate aliases next to a blink's (120 Hz lamps read
//!   at 250 Hz: 240 Hz reads as 9.8 Hz). A faint LCD flutter at 100 Hz read off 202
//!   times in 300 before, 3 now; its broken flutter 91 times, 37 now
//!   (`a_faint_lcd_flutter_read_at_100_hz_is_never_off`,
//!   `what_swings_at_a_flutter_s_period_is_no_bare_display_s`); dark lights under
//!   flicker aliased at 100–250 Hz still read off
//!   (`a_dark_light_under_an_aliased_flicker_is_still_off`).
//!
//! On the three larger sets they halve the forbidden confusions (40 to 20) and lose no
//! right answer (the blinks abstain instead). What is left of them there: LCD broken
//! flutters and flashes read "off" (8: at 100 Hz, swinging within the noise; at 125 Hz,
//! whose samples never fall 50 ms apart; at 200 Hz, smoothed); winks read "steady" and
//! steady lights "wink" (9); off lights read lit (4). The rules cost a little
//! throughput: `cargo bench -p rig --bench classifier -- --test`, the same hour, classify
//! 8.0 → 7.7 M samples/s and a watch 5.2 → 5.0 (medians of 15 passes).
//!
//! The tenth session's rules, from a seventh generator (a throwaway like the third to
//! sixth, written from the issue's list of disturbances, the cadence table and the trace
//! format by someone who read neither the reader nor the other generators: lopsided LED
//! spectra, its own TCS34725 response curves with a clear channel well above r + g + b,
//! lamp waveforms with harmonics to the sixth and fluorescent red lines flickering less,
//! shot noise up to 3 counts per count, sensors free-running beside the host, dark lines
//! measured over 16 samples, and no shroud: 30% of its traces have no dark line under
//! 20–3000 counts of room light). Each has a test that fails without it:
//! - a noise figure from its first changes took their changes' lower median by chance
//!   (547 of 8500 early reads of pure noise in the `levels.rs` test; 88 now), read the
//!   noise a third low and cut noise into runs for the second it took to grow back;
//!   until the changes of changes are 27 they stand in only under half the changes
//!   (`levels.rs`, `ChangeNoise`);
//! - runs read unlit but lit above a shroud's dark are a PWM beat only if their light has
//!   the colour of the step to the lit runs: a beat dims the LED's own light. A brighter
//!   room's whiter light below an amber flutter is the room's (`judge.rs`,
//!   `could_be_the_lit_light_dimmed`): "grey steady", a wrong colour, now abstains;
//! - runs held lit for a settle time that read no brighter than a dark light are dark
//!   (`judge.rs`, `lit_runs_reading_dark`): a 30-count uncalibrated level cut by noise
//!   read "on steady".
//!
//! The seventh generator's two sets of 1000 (`RIG=... python3 eval.py SET` in the
//! throwaway) read 93.5% and 92.9% at the start and 93.6% and 92.9% now; every miss but
//! four is a trace without a dark line on an unshrouded bench, one level that no reader
//! can tell lit from off (a steady 500 counts is a lit LED or an off one under 500 counts
//! of room light), and all its wrong colours and forbidden confusions are there too. With
//! a dark line it reads 713 of 717 and 688 of 688. Drawn again with a shroud where there
//! is no dark line (room light 20–30 counts, a lit LED at least 100), two sets of 1000
//! read 97.8% and 97.3% (97.8 and 97.2 at the start); without its reflective traces
//! that have no dark line (one level of an LCD, bare or darkened, cannot be told), four
//! more read **99.0%, 99.1%, 99.1% and 99.5%**, 1.0 / 0.8 / 0.9 / 0.4% abstained, no
//! wrong colour, and 0, 1, 0 and 1 forbidden confusions (a faint LCD flutter read off;
//! an off light read as a red blink no row fits). A third rule came from them: one
//! calibrated level is lit only at twice the drift above its dark (`judge.rs`,
//! `emissive_reach`), as a bare display's reach already allowed: an off photodiode whose
//! dark line read 7% under the room read "on steady". What they still miss: dim
//! uncalibrated ambers, greys and blues whose name changes with the dark a shroud
//! allows (no answer: a cool dark of 48 counts turns a 150-count amber red); off lights
//! whose dark line reads 6–13% under the room (its dark lines are means of 16 samples,
//! and read low more often than high: no answer); and one level under a flicker locked
//! to the sample rate.
//!
//! The ninth session's change, for throughput: samples read twice or more every 4 ms are
//! averaged in blocks before the stream (step 1; `stream/signal.rs`, `Conditioner`),
//! with the flicker fitted on each sample's own phase, a reflective block's logarithms
//! its samples', each channel's top kept (a block of clipped and dark samples hides a
//! clip: a saturating blue flutter read grey without them) and a gap ending a block. A
//! block's changes before the lock-in has settled do not count toward the noise: at 1 kHz
//! a 53%-deep flicker, not yet taken off, set the dark's noise six times too high, and a
//! wink read steady (80 ms of blocks; a slower sensor's first changes are kept: a
//! hundred-hertz trace cannot spare 200 ms). Its price: at 1 kHz the newest samples
//! wait up to 4 ms for their block, and an edge a block more, so a watch's first reading
//! can come a 50 ms poll later (one flutter of the watch test's 27 at 1 kHz). The sets
//! above: the same answers to a trace in a thousand, one fixed and one lost. The fourth
//! generator: 897 → 901 of 1000 right, forbidden confusions 11 → 9, wrong colours 15 →
//! 14 (two dim ambers once not answered now read red, one grey no longer); the fifth's
//! sets unchanged (96.0% and 94.8%); the sixth's 88.7% and 86.2% → 88.3% and 85.5%, and
//! its fresh set 519 → 518 of 600: abstentions at 500–1000 Hz on lights at a few σ, and
//! an uncalibrated level whose mains flicker the blocks now see clearly enough to say
//! the room reaches the sensor (no answer, as `judge.rs` rules), with forbidden confusions
//! 23 and 6 → 22 and 6.
//!
//! The eighth session's rule, from a sixth generator: one sample's noise is read off its
//! changes of changes where those read under 0.7 of its changes (`levels.rs`,
//! `ChangeNoise`). A liquid crystal turning over tens of ms, read at 100 Hz, is on a ramp
//! at every sample: the median change took the ramps for noise (25 counts against the
//! sensor's 3.5 on a 220-count flutter), and no floor drawn from it let the blink be
//! seen. Independent noise reads the same on both (the second scaled by 1/√3), a random
//! walk 0.82 of it, and an LED's steps inflate the second more: all keep the changes'
//! figure. It moved one trace in a thousand either way on the sets above. The sixth
//! generator (a throwaway like the third to fifth, written from the issue's list, the
//! cadence table and the trace format alone: a TCS34725-like sensor modelled from its
//! filter curves, fluorescent flicker whose red lines flicker a third as deep,
//! photodiodes with mains hum and an offset, LCDs darkening to 15–70% of bare and
//! clearing in up to 50 ms, LEDs as dim as 0.4 of the room light, stamps batched at
//! 500–1000 Hz, 30% of traces without a dark line) read its sets of 600 and 400 at 88.2%
//! and 85.5% (93.6% and 90.6% of the traces it calls decidable) at the session's start and
//! **88.7% and 86.2%** (94.0% and 91.4%) now, forbidden confusions 22 and 8 → 23 and 6,
//! wrong colours 9 and 5 (the same: warm whites whose phosphor peaks at 586–590 nm over a
//! weak pump, named amber; off lights under room light with no dark line, named grey).
//! The fifth's sets read 96.0% and 94.8% (96.0% and 94.5%), the fourth's within a trace
//! of before. What the sixth still misses: faint LCD segments (a darkening of 10–30
//! counts, 1–3σ of one sample: most abstain, some read off); LEDs at 0.4 of a 20–35 count
//! room; those warm whites; one level without a dark line on an open bench.
//!
//! The seventh session's rules, each with a test that fails without it:
//! - without a `# dark:` line, one level a colour sensor reads lit but cannot name
//!   whatever dark is assumed, unclipped, is no answer, not "on steady"
//!   (`judge.rs`, `names_no_light_of_its_own`). Every abstention it added above was such
//!   an "on" for a dim uncalibrated colour (no right answer lost); the runner already
//!   took that "on" as unreadable where a hue is wanted. It matters on benches that
//!   break the shroud rule: an off indicator under the room's white light reads exactly
//!   so, and "on steady" there blamed a light that was off;
//! - a drift going on (a change too slow to be a step, not yet decided) ends the
//!   evidence, as a pending edge does (`stream/`): a slow LCD's last clearing at the end
//!   of a trace made a flash's last dark run too long for any row;
//! - a reflective flash whose lit runs each swing back and forth at a flutter's rate is
//!   broken flutter, whose groups have a flash's times (`judge.rs`,
//!   `bursts_a_display_smeared`; `RunStats::swings`): a slow LCD's band cut only its
//!   bursts;
//! - without a `# dark:` line, a dim light over unlit runs brighter than a shrouded
//!   sensor reads dark is named above those runs, not above a shroud's dark that is not
//!   under it (`runs.rs`): a green LED over halogen room light read amber;
//! - a blink's band need not clear the room's drift since the calibration while the
//!   light is seen at its calibrated dark (`stream/band.rs`): a wink adding 5.8% to a
//!   bright open bench's room light read "off".
//!
//! None of them changed an answer on the `lightgen` and `tracegen` sets but the first's.
//! A fifth generator (a throwaway like the third and fourth, written by someone
//! who read only the issue's list, the cadence table and the trace format: LCDs clearing
//! with time constants up to 40 ms, room light of 20–3000 counts on open benches, a
//! fifth of the benches without a dark line left unshrouded) read, on its two sets of
//! 600 and 400, 95.5% and 93.2% at the seventh session's start (98.3% and 96.6% of its
//! decidable traces) and 96.0% and 94.5% at its end (98.8% and 97.9%), with forbidden
//! confusions from 4 and 6 to 2 and 1 and wrong colours from 1 to 0. The fourth's sets
//! read 90.6% and 89.8% by its scorer (90.4% and 89.0% at the start), forbidden
//! confusions from 25 to 21, answers of a wrong colour (off↔lit included) from 40 to 25.
//! What the fifth still misses: a steady LED adding 5% to a bright open bench's room
//! light, within the room's drift bound, read "off" (one level cannot show its dark: a
//! forbidden confusion); an off light under a locked flicker beating slower than 2 Hz,
//! which no cadence explains (abstains); uncalibrated flutters of a slow LCD; a dim wink
//! lost in a 20% flicker read at 100 Hz (one steady for a wink).
//!
//! The one trace the sixth session's changes lost (7M: an off LCD segment read by a shot-noisy
//! photodiode, 14 counts of noise on 137, now abstains: three-sample dips clear the
//! band's lower reflective floor) is the price of reading a worn segment's 13% blinks.
//!
//! ("on" for a lit colour is no wrong colour: it is what a clipped or colour-blind
//! reading, or a blink's above a dark no one measured, must answer; `tracegen` scores it as a
//! miss, and its misses left are all that: saturated LEDs read "on".)
//!
//! The reader was also tried on a third generator, written from the issue's list of
//! disturbances alone by someone who had read neither the reader nor the other two,
//! with its own modelling choices: stamps in error around regular sample instants,
//! flicker with harmonics, phase-cut and capacitor-smoothed lamps, drops in bursts,
//! queued reads after a stall, a sensor free-running beside the host, a group timer apart
//! from the pulse timer, slow LCD segments. It was a throwaway (not in the repository),
//! so it is no test and its figures below cannot be measured again from here; what it
//! found is, as the tests of the rules it taught. Rules it taught, each argued from the
//! physics and each with a test: a burst's first pulse cut by the group's gate, and its
//! last anywhere up to the group's end; the lock-in's residual floor in logarithms; a
//! reflective indicator's edges halfway between its levels; an unlit level from a false
//! run giving way to the envelope; off an envelope, the raw noise over a box scaled by
//! what the box cancels; a reflective indicator's runs skewed alike by its liquid crystal
//! (`cadence.rs`); the samples before a gap kept, and an edge no window saw placed in the
//! span none saw; the sample rate from the median interval; and one level a locked
//! flicker may have lifted left unanswered (`judge.rs`). Its five sets of 1000 read
//! 99.4%, 99.5%, 99.7%, 99.2% and 99.5% when last tried (first read: 98.8%, 98.4%, 99.3%,
//! 98.8%, 99.4%), with no wrong colour and 3, 0, 0, 1 and 2 forbidden confusions. What it
//! missed: LCD segments so slow (clearing in 30–40 ms) that a wink's 50 ms bare time
//! barely shows, dark lights whose flicker beats with a free-running sensor, a dim steady
//! LED under PWM and flicker cut into a wink, and dim colours without a `# dark:` line.
//!
//! A fourth generator (also a throwaway, written from the issue's list alone) made other
//! choices: LEDs as dim as a tenth of the room light under 20–30% flicker, square-wave
//! (LED lamp) and fluorescent flicker waveforms, sensors free-running beside the host, LCD
//! segments that darken by only 17–40% and clear in up to 60 ms, steep green filters (a
//! 597 nm amber reads g/r 0.21), and, on 8% of traces, no `# dark:` line on one flat level
//! (undecidable by construction: 48 and 25 of the two sets' misses). Its two sets (1000
//! and 500) read 83.4% and 79.6% when first tried, 88.7% and 86.0% at the start of the
//! sixth session, and 89.6% and 88.4% at its end (of the decidable traces, 94.2% and
//! 93.2%, from 93.0% and 90.4%), with 9 forbidden confusions where there were 13; on its
//! undecidable flat levels, 18 answers that say off for lit, lit for off or name the
//! wrong colour, where there were 28 (the rest now say "not enough evidence"). (Its
//! scorer, which also takes "on" for a clipped colour, gives 90.4% and 89.0% for the
//! same answers; the seventh session's figures for it are above.) The sixth session's
//! rules came from it, each
//! argued from the physics and each with a test: a reflective level darker than the room
//! can make the bare display (twice its drift bound, as an LED's dark) is a faint
//! segment when it holds its level, not "not enough evidence" (`judge.rs`); the band cuts
//! a darkening of a tenth of the bare level, not 15% (a worn segment's wink read steady);
//! a slow LCD's wink that never clears to its bare level is cut against the lightest it
//! shows (`stream/band.rs`); runs named either side of a colour boundary that read the
//! same hue are one light; an uncalibrated level that flickers at the mains more than a
//! shrouded room could is no answer, not the room light named lit (`judge.rs`). What it
//! still misses, by class: dim blinks under
//! strong flicker read by a free-running sensor (its stamps are not its windows'
//! instants, so no lock-in can take the flicker off: they abstain, read steady, or off:
//! most of its forbidden confusions); faint LCD blinks whose darkening is a few σ of one
//! sample; without a `# dark:` line, 595–597 nm ambers read red through its steep filters
//! and unsegmented blinks under a bright unshrouded room named by the room light's grey
//! (six wrong colours, all on benches without a dark line, which the docs ask to be
//! shrouded); a segmentation lost mid-trace after a
//! stall (a fix that learnt the dark's wander only from values the dark can read mended
//! three traces, broke two and turned one `lightgen` abstention into "off": left out);
//! dim uncalibrated colours ("on"). The bar of 99% on a generator never seen is not met
//! on that one. (`RIG=target/release/rig python3 eval.py SET` in the throwaway.)
//!
//! Throughput (`cargo bench -p rig --bench classifier -- --test`, medians of 15 passes
//! over the corpus, one core): `classify` 7.2 M samples/s, a `Watch` polled every 50 ms
//! 4.5 M samples/s (5.3 and 3.8 at 6c59c0f; the bar is 20 M: not met). Most of the
//! corpus is read at 250 Hz or less, where every sample is a block of its own. `rig
//! classify` on a 10 M-sample file at 1 kHz: 0.53 s wall, 18.9 M samples/s end to end
//! (6c59c0f's build 1.01 s, 9.9 M, the same hour, medians of five interleaved runs; the
//! bar is 15 M: met at 1 kHz), under 9.3 MB of memory (`/usr/bin/time -v
//! target/release/rig classify FILE`, the file made as the `trace` module docs show);
//! the same file's stamps stretched to 250 Hz (`awk -F, 'BEGIN{OFS=","}
//! /^[0-9]/{$1=sprintf("%.1f",4*$1)} 1' FILE > FILE250`), 1.07 s (1.03 s at 6c59c0f),
//! under 12 MB. The times before and after each step below are the same command's.
//! What made it: the blocks (a quarter of the stream's work at 1 kHz); `rig classify`
//! parsing, conditioning (blocks and the lock-in) and judging on three threads over two
//! cores, each stage about a third of the work at 1 kHz; and no unpredictable branch
//! where a sample is as likely above as below a running median (the sampling period,
//! the noise scales) or may reach a channel's top (the tops a block keeps): 0.70 →
//! 0.58 s for the file, with the same answers on every set. The phase's whole turns come
//! from an integer conversion, not the library's `floor` (a call on the build's
//! baseline x86-64), measured with the block length fixed per block: 0.65 → 0.58 s. (The
//! eighth session had timed that conversion 10% slower, inlined four times a sample: it
//! is now once or twice.) Tried and left out: both flickers' phases from one of 20 Hz
//! raised to its fifth and sixth powers (no faster); fat LTO with one codegen unit (2%);
//! the lock-in on the judging thread (1 kHz faster, 250 Hz 40% slower: the pipeline's
//! balance moves with the rate).
//!
//! `RIG_LIGHTGEN=1000 RIG_SEED=7000000 cargo test --release --lib lightgen_stress --
//! --ignored --nocapture`; `RIG_STRESS=600 RIG_SEED=2000000 cargo test --release --lib
//! observe::corpus_tests::stress -- --ignored --nocapture` (`RIG_SEED` picks the set of
//! each row); `cargo test --lib corpus` for `fixtures/traces/`. The figures in brackets
//! were measured the same way at the session's start.
//!
//! The bar (99.5%, at most 0.3% abstentions, no wrong colour, no forbidden confusion) is
//! met whole on five held-out sets (7M, 16M, 17M, tracegen 2M and 3M; tracegen 2M's five
//! misses were saturated LEDs read "on", which its scorer takes as `lightgen`'s does); 9M
//! and 11M read 99.6% with 0.4% abstained. On 20 000 traces a set, forbidden confusions
//! are one in 3000 traces. What is left, by the confusion matrices:
//! faint blinks of an LCD read at 100–125 Hz, whose darkening is a few σ of one sample
//! (abstentions, or "off" where the blink's mean reads within what a locked mains flicker
//! could do to the bare level); blinks whose segmentation a PWM beating with the window
//! loses mid-trace; and, without a `# dark:` line, dim colours whose name depends on the
//! dark no one measured ("on"). The simulated matrix passes and `rig selftest` catches
//! every fault.

mod cadence;
mod colour;
#[cfg(test)]
mod corpus_tests;
mod flicker;
mod gaps;
mod judge;
mod levels;
mod runs;
mod stream;
#[cfg(test)]
mod testgen;
mod watch;

pub(crate) use judge::{dark_level, lit_threshold};
pub use stream::{Conditioned, Conditioner};
pub use watch::Watch;

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
#[cfg(test)]
use crate::spec::Cadence;
use crate::spec::{CadenceTable, Colour, Indication};

use cadence::Model;
use stream::Settings;

/// A `Watch` keeps runs back to this many of the slowest period (plus the settle time).
const RETAIN_PERIODS: f64 = 3.0;

/// How a light shows "on": a property of the phone's indicator, in the catalogue.
pub use crate::spec::Polarity;

/// How to read one sensor over one light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// Emissive: the reading with the light off (per channel for `Rgbc`, one level for
    /// `Level` sensors). Reflective: the level of the bare display ("on" reads well below
    /// it). `None`: estimated from each window (emissive; see the module docs).
    pub dark: Option<DarkLevel>,
}

impl Calibration {
    /// Whether lit samples carry a colour: an RGB sensor over an emissive light.
    fn reads_colour(&self) -> bool {
        self.kind == SensorKind::Rgbc && self.polarity == Polarity::Emissive
    }
}

/// What the light was seen to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// `Indication::OFF` when dark.
    pub indication: Indication,
    /// Measured times of a blink (for broken flutter: the groups'); `None` when steady.
    pub period_ms: Option<f64>,
    pub on_ms: Option<f64>,
    pub off_ms: Option<f64>,
    /// 0..=1 (see the module docs).
    pub confidence: f64,
    /// Span of the evidence used, ms.
    pub window_ms: f64,
}

/// The classifier's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    NotEnoughEvidence,
    /// Blinks, but no row of the cadence table fits (reported, not forced).
    NoCadenceFits {
        colour: Colour,
        period_ms: f64,
        on_ms: f64,
        off_ms: f64,
    },
    Seen(Observation),
}

impl Reading {
    /// For reports: `green wink (period 250 ms, on 200 ms)`, `off`, `no stable reading
    /// yet`, `green blinking, period 730 ms: no cadence fits`.
    pub fn describe(&self) -> String {
        match self {
            Reading::NotEnoughEvidence => "no stable reading yet".to_string(),
            Reading::NoCadenceFits {
                colour, period_ms, ..
            } => format!("{colour} blinking, period {period_ms:.0} ms: no cadence fits"),
            Reading::Seen(o) => match (o.period_ms, o.on_ms) {
                (Some(period), Some(on)) => {
                    format!("{} (period {period:.0} ms, on {on:.0} ms)", o.indication)
                }
                _ => o.indication.to_string(),
            },
        }
    }

    /// The indication seen, if any.
    pub fn indication(&self) -> Option<Indication> {
        match self {
            Reading::Seen(o) => Some(o.indication),
            _ => None,
        }
    }
}

/// Classifies windows of samples from one sensor over one light.
#[derive(Debug, Clone)]
pub struct Classifier {
    calibration: Calibration,
    model: Model,
}

impl Classifier {
    pub fn new(cadences: &CadenceTable, calibration: Calibration) -> Self {
        Self {
            calibration,
            model: Model::new(cadences, calibration.polarity),
        }
    }

    pub(crate) fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// How long a cadence must be watched, at least, before it is reported (steady and
    /// off: the settle time). Runners can size their waits with it.
    #[cfg(test)]
    pub(crate) fn evidence_ms(&self, cadence: Cadence) -> f64 {
        self.model
            .evidence_ms(cadence)
            .unwrap_or_else(|| self.model.settle_ms())
    }

    /// How much trailing history a [`Watch`] keeps: 3 × the slowest period + settle.
    pub(crate) fn retain_ms(&self) -> f64 {
        RETAIN_PERIODS * self.model.slowest_period_ms() + self.model.settle_ms()
    }

    /// Classify a trace (samples in time order; spacing may be uneven): what the light
    /// shows at its end, judged from the trailing evidence. The same as a [`Watch`] fed
    /// the trace.
    pub fn classify(&self, samples: &[Sample]) -> Reading {
        let mut watch = Watch::new(self.clone());
        watch.push(samples);
        watch.current()
    }

    fn model(&self) -> &Model {
        &self.model
    }

    fn stream_settings(&self) -> Settings {
        Settings {
            calibration: self.calibration,
            max_gap_ms: self.model.max_gap_ms(),
            glitch_ms: self.model.glitch_ms(),
            retain_ms: self.retain_ms(),
            slowest_period_ms: self.model.slowest_period_ms(),
            drift_limit_ms: 0.5 * self.model.settle_ms(),
            lag_ms: self.model.fastest_half_period_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testgen::{
        cadence_pattern, gaussian, table, uniform, watch_timeline, Light, Pattern, Sensor, ALL_LIT,
    };
    use super::*;

    fn rgb_classifier(dark: Option<DarkLevel>) -> Classifier {
        Classifier::new(
            &table(),
            Calibration {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark,
            },
        )
    }

    fn calibrated() -> Classifier {
        rgb_classifier(Some(DarkLevel::Rgbc([12.0; 4])))
    }

    fn seen(reading: &Reading) -> Option<Indication> {
        reading.indication()
    }

    /// Readings of lit lights of known cadence (a sensor that names no colour): never
    /// another cadence nor off, and how many are right.
    #[derive(Default)]
    struct BlinkTally {
        right: usize,
        cases: usize,
    }

    impl BlinkTally {
        fn read(&mut self, reading: &Reading, cadence: Cadence, case: String) {
            assert!(
                seen(reading).is_none_or(|s| s.cadence == cadence && s.colour != Colour::Off),
                "{cadence:?} {case}: {reading:?}"
            );
            self.cases += 1;
            self.right += usize::from(seen(reading) == Some(Indication::new(Colour::On, cadence)));
        }

        fn assert_nine_in_ten(&self) {
            assert!(
                self.right * 10 >= self.cases * 9,
                "{} of {}",
                self.right,
                self.cases
            );
        }
    }

    const BLINKS: [Cadence; 4] = [
        Cadence::Flash,
        Cadence::Wink,
        Cadence::Flutter,
        Cadence::BrokenFlutter,
    ];

    #[test]
    fn every_colour_and_cadence_is_classified_at_100hz_and_1khz_from_mid_period() {
        let classifier = calibrated();
        let table = table();
        let mut seed = 0;
        for hz in [100.0, 1000.0] {
            for colour in ALL_LIT {
                for cadence in Cadence::ALL {
                    for _ in 0..3 {
                        seed += 1;
                        let light = Light::new(colour, cadence_pattern(cadence)).random_phase(seed);
                        let trace = Sensor::rgbc(hz).trace(&light, 0.0, 4200.0, seed);
                        let reading = classifier.classify(&trace);
                        let want = Indication::new(colour, cadence);
                        assert_eq!(
                            seen(&reading),
                            Some(want),
                            "{hz} Hz seed {seed}: {reading:?}"
                        );
                        let Reading::Seen(o) = reading else {
                            unreachable!()
                        };
                        assert!((0.0..=1.0).contains(&o.confidence));
                        if let Some(period) = table.get(cadence).period_ms() {
                            let got = o.period_ms.unwrap();
                            assert!(
                                (got - period).abs() <= 0.25 * period,
                                "{want} period {got} at {hz} Hz"
                            );
                        } else {
                            assert_eq!(o.period_ms, None);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn measured_times_are_reported() {
        let light = Light::new(Colour::Green, cadence_pattern(Cadence::Wink));
        let trace = Sensor::rgbc(1000.0).trace(&light, 0.0, 2000.0, 1);
        let Reading::Seen(o) = calibrated().classify(&trace) else {
            panic!("not seen")
        };
        assert!((o.period_ms.unwrap() - 250.0).abs() < 5.0, "{o:?}");
        assert!((o.on_ms.unwrap() - 200.0).abs() < 5.0, "{o:?}");
        assert!((o.off_ms.unwrap() - 50.0).abs() < 5.0, "{o:?}");
        // The whole trace (it starts with a partial on time that fits): 2000 ms less at
        // most a block (the last samples wait for theirs to be whole), ± jitter.
        assert!(
            (o.window_ms - 2000.0).abs() < stream::BLOCK_MS + 1.0,
            "{o:?}"
        );
    }

    #[test]
    fn a_dark_light_is_off_and_grey_is_never_confused_with_off() {
        for dark in [Some(DarkLevel::Rgbc([12.0; 4])), None] {
            let classifier = rgb_classifier(dark);
            for hz in [100.0, 1000.0] {
                // LEDs from dim to bright: the grey icon is a quarter of that.
                for led in [300.0, 1000.0, 4000.0] {
                    let sensor = Sensor::rgbc(hz).with_led(led);
                    for seed in 0..3 {
                        let grey = Light::new(Colour::Grey, Pattern::Steady);
                        let trace = sensor.trace(&grey, 0.0, 2500.0, seed);
                        let want = Some(Indication::new(Colour::Grey, Cadence::Steady));
                        assert_eq!(seen(&classifier.classify(&trace)), want, "{dark:?} {led}");
                        let off = Light::new(Colour::Grey, Pattern::Off);
                        let trace = sensor.trace(&off, 0.0, 2500.0, seed);
                        assert_eq!(seen(&classifier.classify(&trace)), Some(Indication::OFF));
                    }
                }
            }
        }
    }

    #[test]
    fn an_off_photodiode_its_amplifier_lifts_over_a_shroud_s_dark_is_never_lit() {
        // No dark line: a shrouded photodiode whose amplifier's offset and the light the
        // shroud leaks read 50 to 95 codes with the LED off. "Lit" would blame an off
        // light (it did: 24 of 24 read "on steady"); it is no answer (clear of the
        // bound by the noise of the level's mean: from 60 codes on).
        let classifier = photodiode(None);
        let off = Light::new(Colour::On, Pattern::Off);
        let mut wrong = Vec::new();
        for (k, offset) in [50.0, 60.0, 70.0, 80.0, 88.0, 95.0].into_iter().enumerate() {
            for hz in [125.0, 500.0] {
                for seed in 0..2 {
                    let sensor = Sensor::level(hz).with_room(offset).with_noise(3.0);
                    let trace = sensor.trace(&off, 0.0, 3000.0, 10 * k as u64 + seed);
                    let reading = classifier.classify(&trace);
                    let lit = seen(&reading).is_some_and(|s| s.colour != Colour::Off);
                    if lit || (offset >= 60.0 && seen(&reading).is_some()) {
                        wrong.push(format!("offset {offset} at {hz} Hz: {reading:?}"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Nor is such a level evidence of off: a lit LED dimmed to a quarter, 312 codes
        // to 87, is never read "off" (it was, once in ten).
        let dimmed = Light::new(Colour::On, Pattern::Steady).then(
            1500.0,
            Colour::Grey,
            Pattern::Steady,
            0.0,
        );
        for hz in [100.0, 250.0] {
            for seed in 0..5 {
                let sensor = Sensor::level(hz)
                    .with_room(12.0)
                    .with_led(300.0)
                    .with_noise(3.0);
                let reading = classifier.classify(&sensor.trace(&dimmed, 0.0, 5000.0, seed));
                let off = seen(&reading).is_some_and(|s| s.colour == Colour::Off);
                assert!(!off, "{hz} Hz seed {seed}: {reading:?}");
            }
        }
        // Guards: an off one under the colour sensor's bound is off, a lit LED clear of
        // the photodiode's is lit.
        let sensor = Sensor::level(250.0).with_room(40.0).with_noise(3.0);
        let trace = sensor.trace(&off, 0.0, 3000.0, 1);
        assert_eq!(seen(&classifier.classify(&trace)), Some(Indication::OFF));
        let steady = Light::new(Colour::On, Pattern::Steady);
        let trace = sensor.with_led(100.0).trace(&steady, 0.0, 3000.0, 1);
        assert_eq!(
            seen(&classifier.classify(&trace)),
            Some(Indication::new(Colour::On, Cadence::Steady))
        );
    }

    #[test]
    fn a_blink_under_room_light_on_an_unshrouded_sensor_is_a_blink() {
        // No dark line, and the room reads more than the LED adds (2, 1.25 and 1.6 times):
        // the unlit runs read lit by any shroud's measure, but they step by the LED's
        // light, far beyond the noise. Not a PWM's brightness moving: the blink stands.
        let classifier = photodiode(None);
        let mut tally = BlinkTally::default();
        for (i, cadence) in BLINKS.into_iter().enumerate() {
            for (k, (room, led)) in [(600.0, 300.0), (1500.0, 1200.0), (400.0, 250.0)]
                .into_iter()
                .enumerate()
            {
                for hz in [100.0, 250.0] {
                    let seed = (10 * i + k) as u64;
                    let light =
                        Light::new(Colour::Green, cadence_pattern(cadence)).random_phase(seed);
                    let trace = Sensor::level(hz)
                        .with_room(room)
                        .with_led(led)
                        .with_noise(6.0)
                        .trace(&light, 0.0, 4500.0, seed);
                    // Never steady: a wink read steady is the confusion that matters.
                    tally.read(
                        &classifier.classify(&trace),
                        cadence,
                        format!("room {room} led {led} at {hz} Hz"),
                    );
                }
            }
        }
        tally.assert_nine_in_ten();
    }

    #[test]
    fn a_blink_five_noise_sigmas_over_an_unshrouded_room_is_rarely_steady() {
        // No dark line; a room of 600 counts on an unshrouded photodiode, 20 counts of
        // noise a sample, and a wink or a flutter adding 100 (five σ). The runs held
        // unlit read lit by a shroud's measure, and the band's runs carry straddled and
        // noise-crossed samples: their means step apart by 3 to 4 σ of the judged noise,
        // not five. Noise cutting one level reads a σ or two apart. At 5 σ, 50 of the 80
        // read steady (24 right); at 3 σ, 14 (54 right).
        let classifier = photodiode(None);
        let (mut right, mut steady, mut cases) = (0, 0, 0);
        for (i, cadence) in [Cadence::Wink, Cadence::Flutter].into_iter().enumerate() {
            for seed in 0..20 {
                for hz in [100.0, 125.0] {
                    let seed = 100 * i as u64 + seed;
                    let light =
                        Light::new(Colour::Green, cadence_pattern(cadence)).random_phase(seed);
                    let trace = Sensor::level(hz)
                        .with_room(600.0)
                        .with_led(100.0)
                        .with_noise(20.0)
                        .trace(&light, 0.0, 4500.0, seed);
                    let reading = seen(&classifier.classify(&trace));
                    assert!(
                        reading.is_none_or(|r| r.colour == Colour::On
                            && [cadence, Cadence::Steady].contains(&r.cadence)),
                        "{cadence:?} at {hz} Hz: {reading:?}"
                    );
                    cases += 1;
                    right += usize::from(reading == Some(Indication::new(Colour::On, cadence)));
                    steady += usize::from(reading.is_some_and(|r| r.cadence == Cadence::Steady));
                }
            }
        }
        assert!(
            right >= 45 && steady <= 20,
            "{right} right and {steady} steady of {cases}"
        );
    }

    #[test]
    fn a_faint_blink_near_the_floor_is_never_off() {
        // An LED adding 14 counts to a dark line of 81 (2.4 counts of noise: six σ),
        // read at 100 Hz: cut into runs where the band is drawn, else one level, lower
        // than a lit one, that plainly swings at a flutter's period. (With the floor a
        // light must clear at 4 σ of the judged dark's noise as seen, the straddled
        // samples in a flutter's unlit runs raised it past 14 counts, the band drawn at
        // first was lost, and the last run alone read "off" in 3 of 20: the floor stands
        // on the raw noise. 17 read flutter now, the rest no answer.)
        let classifier = photodiode(Some(81.0));
        let mut off = 0;
        for seed in 0..20 {
            let light =
                Light::new(Colour::Green, cadence_pattern(Cadence::Flutter)).random_phase(seed);
            let trace = Sensor::level(100.0)
                .with_room(81.0)
                .with_led(14.0)
                .with_noise(2.4)
                .trace(&light, 0.0, 3500.0, seed);
            off += usize::from(seen(&classifier.classify(&trace)) == Some(Indication::OFF));
        }
        assert_eq!(off, 0);
    }

    /// A photodiode over LEDs adding 15-18 counts to a room of `room` counts (noise 3),
    /// read at each of `rates`: `read` is handed each sensor with every blink of the
    /// table and steady, the seed to draw the light's phase and trace with, and the case.
    fn for_each_faint_led(
        room: f32,
        rates: [f64; 3],
        mut read: impl FnMut(&Sensor, Cadence, u64, String),
    ) {
        for (i, hz) in rates.into_iter().enumerate() {
            for k in 0..4u64 {
                let led = 15.0 + k as f32;
                let sensor = Sensor::level(hz)
                    .with_room(room)
                    .with_led(led)
                    .with_noise(3.0);
                for cadence in BLINKS.into_iter().chain([Cadence::Steady]) {
                    read(
                        &sensor,
                        cadence,
                        k + 10 * i as u64,
                        format!("{hz} Hz, {led} counts"),
                    );
                }
            }
        }
    }

    #[test]
    fn a_faint_led_four_noise_sigmas_clear_of_a_calibrated_dim_room_is_read() {
        // A photodiode in a dim room (30 counts, calibrated) over an LED adding 15-18
        // counts, read with a noise of 3 counts at 100, 125 and 200 Hz: every lit
        // sample stands five σ or more clear of the dark, plain to see in the trace.
        // Never another cadence nor off; 46 of 48 blinks and 8 of 12 steady lights read
        // when this was written. Under a fixed floor of 20 counts for what a light adds,
        // a 15-count flash at 100 Hz read "off".
        let classifier = photodiode(Some(30.0));
        let mut tally = BlinkTally::default();
        let mut steady = 0;
        for_each_faint_led(
            30.0,
            [100.0, 125.0, 200.0],
            |sensor, cadence, seed, case| {
                let light = Light::new(Colour::On, cadence_pattern(cadence)).random_phase(seed);
                let reading = classifier.classify(&sensor.trace(&light, 0.0, 4000.0, seed));
                if cadence != Cadence::Steady {
                    tally.read(&reading, cadence, case);
                    return;
                }
                let want = Indication::new(Colour::On, Cadence::Steady);
                assert!(seen(&reading).is_none_or(|s| s == want), "{reading:?}");
                steady += usize::from(seen(&reading) == Some(want));
            },
        );
        tally.assert_nine_in_ten();
        assert!(steady >= 6, "{steady} of 12 steady lights read");
    }

    #[test]
    fn a_faint_led_blinking_in_a_dim_room_is_read_without_a_dark_line() {
        // The same faint LED (15-18 counts) blinking in a dimmer room (25 counts, noise
        // of 3), no dark line, read at 125, 200 and 500 Hz (the last two through a
        // smoothing box): its runs stand 4σ clear of the room's. Under a fixed floor of
        // 20 counts no band was drawn, and one level under a shrouded sensor's dark read
        // "off": 31 of 48, a forbidden confusion (the ninth generator's six such were all
        // faint uncalibrated blinks), 11 right. Now 47 right, never another cadence; one
        // wink still reads "off" (the band drawn at first is lost and the last long lit
        // run, under a shrouded dark, reads dark alone), left.
        let classifier = photodiode(None);
        let (mut right, mut off) = (0, 0);
        for_each_faint_led(
            25.0,
            [125.0, 200.0, 500.0],
            |sensor, cadence, seed, case| {
                if cadence == Cadence::Steady {
                    return;
                }
                let light = Light::new(Colour::On, cadence_pattern(cadence)).random_phase(seed);
                let reading = classifier.classify(&sensor.trace(&light, 0.0, 4000.0, seed));
                let seen = seen(&reading);
                assert!(
                    seen.is_none_or(|s| s.colour == Colour::Off || s.cadence == cadence),
                    "{cadence:?} {case}: {reading:?}"
                );
                right += usize::from(seen == Some(Indication::new(Colour::On, cadence)));
                off += usize::from(seen == Some(Indication::OFF));
            },
        );
        assert!(right >= 44 && off <= 1, "{right} of 48 right, {off} off");
    }

    #[test]
    fn a_blink_under_a_beat_the_lock_in_cannot_see_steps_sharply() {
        // A free-running sensor converts on its own clock, 3% slow, while its readings
        // are stamped at the host's 100 Hz: the room's 100 Hz flicker reaches it aliased
        // to a 3 Hz wander, which no fit at the stamps' times can take off. The wander
        // swings both levels by 60% of the LED's step, so neither level stays on its
        // side of any one band; the LED's edges still step within a sample.
        let mut tally = BlinkTally::default();
        // (And the steady light under the same wander: never a blink, never off.)
        for (i, cadence) in BLINKS.into_iter().chain([Cadence::Steady]).enumerate() {
            for (k, dark) in [None, Some(120.0)].into_iter().enumerate() {
                for seed in 0..3 {
                    let seed = (100 * i + 10 * k + seed) as u64;
                    let light =
                        Light::new(Colour::Green, cadence_pattern(cadence)).random_phase(seed);
                    let mut trace = Sensor::level(100.0)
                        .with_room(120.0)
                        .with_led(80.0)
                        .with_noise(3.0)
                        .trace(&light, 0.0, 4000.0, seed);
                    let phase = seed as f64;
                    for s in &mut trace {
                        let wander = (std::f64::consts::TAU * 3.0 * s.t_ms / 1000.0 + phase).sin();
                        s.c += (24.0 * wander) as f32;
                    }
                    let reading = photodiode(dark).classify(&trace);
                    tally.read(&reading, cadence, format!("dark {dark:?} seed {seed}"));
                }
            }
        }
        tally.assert_nine_in_ten();
    }

    #[test]
    fn a_red_blink_under_warm_room_light_is_named_above_the_unlit_runs_together() {
        // No dark line, a warm lamp on the sensor (r 57, g 33, b 12, 8 counts of noise)
        // and a red LED adding r 70, g 8, b 3, a flutter read at 100 Hz through windows
        // as long as the interval: every unlit run is five samples or fewer, one or two
        // of them straddling an edge, and its mean is off the room's by that and by its
        // noise. Named above the latest such run alone, 6 of 80 read amber; above the
        // unlit runs' mean, by their samples, none.
        let room = [57.0, 33.0, 12.0];
        let led = [70.0, 8.0, 3.0];
        let mut amber = 0;
        let mut red = 0;
        for seed in 0..80u64 {
            let mut gauss = gaussian(seed);
            let phase = 100.0 * seed as f64 / 80.0;
            let trace: Vec<Sample> = (0..350)
                .map(|k| {
                    let t = 10.0 * f64::from(k) + 10.0;
                    let lit = lit_share_of_window(t + phase, 10.0, 50.0, 100.0) as f32;
                    let mut ch = |i: usize| room[i] + lit * led[i] + 8.0 * gauss() as f32;
                    let (r, g, b) = (ch(0), ch(1), ch(2));
                    Sample {
                        t_ms: t,
                        r,
                        g,
                        b,
                        c: r + g + b,
                    }
                })
                .collect();
            let reading = rgb_classifier(None).classify(&trace);
            let seen = seen(&reading);
            amber += usize::from(seen.is_some_and(|s| s.colour == Colour::Amber));
            red += usize::from(seen.is_some_and(|s| s.colour == Colour::Red));
        }
        assert_eq!(amber, 0);
        assert!(red >= 30, "{red} of 80 named red");
    }

    #[test]
    fn a_faint_amber_blink_in_a_dim_room_is_named_above_the_unlit_runs() {
        // No dark line, a dim room (r 14, g 13, b 5: under what a shroud lets through)
        // and an amber LED adding r 11, g 5, b 1, read at 200 Hz with noise of 1.5
        // counts; the clear channel, unfiltered, reads a quarter more than r, g and b
        // together, so the band sees a step of 21 counts. Its runs stand 17 counts
        // clear of the unlit ones across r, g and b, far beyond a false edge's excess
        // noise (a few counts of a run's mean), and are named amber above them.
        let room = [14.0, 13.0, 5.0];
        let led = [11.0, 5.0, 1.0];
        let (mut amber, mut other) = (0, 0);
        for (i, cadence) in [Cadence::Wink, Cadence::Flash, Cadence::Flutter]
            .into_iter()
            .enumerate()
        {
            for seed in 0..10u64 {
                let light = Light::new(Colour::Amber, cadence_pattern(cadence))
                    .random_phase(seed + 10 * i as u64);
                let mut gauss = gaussian(seed + 100 * i as u64);
                let trace: Vec<Sample> = (0..800)
                    .map(|k| {
                        let t = 5.0 * f64::from(k) + 5.0;
                        let lit = if light.lit_at(t).is_some() { 1.0 } else { 0.0 };
                        let mut ch =
                            |i: usize| (room[i] + lit * led[i] + 1.5 * gauss() as f32).round();
                        let (r, g, b) = (ch(0), ch(1), ch(2));
                        let c = (1.25 * (room[0] + room[1] + room[2] + lit * 17.0)
                            + 1.5 * gauss() as f32)
                            .round();
                        Sample {
                            t_ms: t,
                            r,
                            g,
                            b,
                            c,
                        }
                    })
                    .collect();
                match seen(&rgb_classifier(None).classify(&trace)) {
                    Some(s) if s == Indication::new(Colour::Amber, cadence) => amber += 1,
                    Some(s) if s.colour != Colour::On => other += 1,
                    _ => {}
                }
            }
        }
        // (14 of 30 amber and the rest `on` or no answer when this was written; none
        // amber when the runs had to stand 20 counts clear.)
        assert_eq!(other, 0, "{other} of 30 named otherwise");
        assert!(amber >= 10, "{amber} of 30 named amber");
    }

    #[test]
    fn grey_and_off_alternating_is_a_grey_blink_not_a_colour_change() {
        let light = Light::new(Colour::Grey, cadence_pattern(Cadence::Flash));
        for dark in [Some(DarkLevel::Rgbc([12.0; 4])), None] {
            let trace = Sensor::rgbc(100.0)
                .with_led(400.0)
                .trace(&light, 0.0, 3000.0, 5);
            assert_eq!(
                seen(&rgb_classifier(dark).classify(&trace)),
                Some(Indication::new(Colour::Grey, Cadence::Flash))
            );
        }
    }

    #[test]
    fn uncalibrated_rgb_still_reads_colours_and_cadences() {
        let classifier = rgb_classifier(None);
        for (colour, cadence) in [
            (Colour::Red, Cadence::Steady),
            (Colour::Green, Cadence::Flash),
            (Colour::Blue, Cadence::Wink),
            (Colour::Amber, Cadence::Flutter),
            (Colour::Green, Cadence::BrokenFlutter),
        ] {
            let light = Light::new(colour, cadence_pattern(cadence)).random_phase(9);
            let trace = Sensor::rgbc(200.0).trace(&light, 0.0, 4200.0, 3);
            assert_eq!(
                seen(&classifier.classify(&trace)),
                Some(Indication::new(colour, cadence))
            );
        }
    }

    /// 3 s of one steady reading `rgb` (clear: their sum) at 200 Hz, each channel give or
    /// take 2 counts, none above `full_scale`.
    fn steady_rgb(rgb: [f32; 3], full_scale: f32, seed: u64) -> Vec<Sample> {
        let mut next = uniform(seed);
        let mut noisy = |v: f32| (v + 4.0 * (next() as f32 - 0.5)).clamp(0.0, full_scale);
        (0..600)
            .map(|k| {
                let (r, g, b) = (noisy(rgb[0]), noisy(rgb[1]), noisy(rgb[2]));
                Sample {
                    t_ms: 5.0 * f64::from(k),
                    r,
                    g,
                    b,
                    c: (r + g + b).min(full_scale),
                }
            })
            .collect()
    }

    #[test]
    fn one_level_an_uncalibrated_colour_sensor_cannot_name_is_no_answer() {
        // No dark measured. An off indicator under white room light on an unshrouded
        // sensor reads 70 counts: above a shrouded sensor's dark (48), but its colour
        // changes with the dark assumed (offset and leaked room light, white, warm or
        // cool, up to 48 counts). "Lit" would blame a light that may be off: no answer.
        let classifier = rgb_classifier(None);
        let room = steady_rgb([22.0, 27.0, 21.0], 65535.0, 1);
        assert_eq!(classifier.classify(&room), Reading::NotEnoughEvidence);
        // A green LED over the same room is green whatever dark is assumed: lit.
        let green = steady_rgb([40.0, 330.0, 60.0], 65535.0, 2);
        assert_eq!(
            seen(&classifier.classify(&green)),
            Some(Indication::new(Colour::Green, Cadence::Steady))
        );
        // Clipped in every channel it is lit for sure, its colour unknown: on.
        let clipped = steady_rgb([70000.0; 3], 65535.0, 3);
        assert_eq!(
            seen(&classifier.classify(&clipped)),
            Some(Indication::new(Colour::On, Cadence::Steady))
        );
        // Under 48 counts it is what a shrouded sensor reads dark: off.
        let dark = steady_rgb([12.0, 14.0, 11.0], 65535.0, 4);
        assert_eq!(seen(&classifier.classify(&dark)), Some(Indication::OFF));
    }

    /// 4.5 s at `hz` (jittered by up to `jitter_ms` either way, 3 counts of noise a
    /// channel, each sample the mean over a window of `window_ms` before it) of an LED
    /// adding `led` (r, g, b) times its `brightness` at each moment (0 to 1) to a room
    /// reading `room` whose light flickers `depth` deep at 100 Hz, as an unshrouded
    /// colour sensor sees them.
    fn under_a_flickering_room(
        (room, depth, led): ([f32; 3], f32, [f32; 3]),
        brightness: impl Fn(f64) -> f32,
        (hz, window_ms, jitter_ms): (f64, f64, f64),
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        (0..(4.5 * hz) as u32)
            .map(|k| {
                let t_ms = 1000.0 / hz * f64::from(k) + 2.0 * jitter_ms * (next() - 0.5);
                let flicker = 1.0 + depth * (std::f64::consts::TAU * 0.1 * t_ms).sin() as f32;
                let lit = (0..8)
                    .map(|j| brightness(t_ms - window_ms * (f64::from(j) + 0.5) / 8.0))
                    .sum::<f32>()
                    / 8.0;
                let mut read = |i: usize| {
                    let noise = 3.0 * 3.46 * (next() as f32 - 0.5);
                    (room[i] * flicker + lit * led[i] + noise).max(0.0)
                };
                let (r, g, b) = (read(0), read(1), read(2));
                Sample {
                    t_ms,
                    r,
                    g,
                    b,
                    c: r + g + b,
                }
            })
            .collect()
    }

    /// A light's brightness at `t_ms`: 1 lit, 0 dark.
    fn on_off(light: &Light) -> impl Fn(f64) -> f32 + '_ {
        |t_ms| f32::from(u8::from(light.lit_at(t_ms).is_some()))
    }

    /// A green and a blue LED's light, as shares of r, g and b.
    const GREEN_AND_BLUE: [(Colour, [f32; 3]); 2] = [
        (Colour::Green, [0.12, 1.0, 0.25]),
        (Colour::Blue, [0.10, 0.30, 1.0]),
    ];

    /// An LED of colour `shares` (r, g, b) adding `times` the clear light of `room`.
    fn times_the_room(shares: [f32; 3], times: f32, room: [f32; 3]) -> [f32; 3] {
        let scale = times * room.iter().sum::<f32>() / shares.iter().sum::<f32>();
        shares.map(|v| v * scale)
    }

    #[test]
    fn a_steady_green_or_blue_is_lit_under_an_unshrouded_room_without_a_dark_line() {
        // No dark measured, and the room's flicker says its light reaches the sensor: one
        // level may be an unlit LED under it or a lit one. Room light is white (neutral,
        // a warm lamp's red-orange, a cool phosphor's green), no more saturated than 0.65
        // but at a warm lamp's hues, or yellow (a cleanroom's). A green or blue LED adding
        // six times the room's light reads past the grey boundary, however much room
        // light it carries: lit (without the rule all 24 were no answer). Adding 1.5
        // times, it is no answer or its colour, never grey; an amber one reads at a warm
        // lamp's hue: no answer or amber. The dark LED is never lit, and a green flutter
        // is never read steady: the colour says lit, not steady.
        let classifier = rgb_classifier(None);
        let rooms = [
            [200.0, 220.0, 190.0],
            [330.0, 200.0, 70.0],
            [120.0, 300.0, 180.0],
            [300.0, 260.0, 8.0],
        ];
        let leds = [
            GREEN_AND_BLUE[0],
            GREEN_AND_BLUE[1],
            (Colour::Amber, [1.0, 0.55, 0.05]),
        ];
        const FAST: (f64, f64, f64) = (250.0, 4.0, 1.0);
        let (mut named, mut missed) = (0, Vec::new());
        for (k, room) in rooms.into_iter().enumerate() {
            let white = k < 3;
            for seed in 0..4 {
                let seed = 10 * k as u64 + seed;
                let dark = under_a_flickering_room((room, 0.15, [0.0; 3]), |_| 0.0, FAST, seed);
                let off = classifier.classify(&dark);
                assert!(
                    matches!(seen(&off), None | Some(Indication::OFF)),
                    "room {room:?}: {off:?}"
                );
                for ((colour, shares), n) in leds.into_iter().flat_map(|l| [(l, 6.0), (l, 1.5)]) {
                    let lights = (room, 0.15, times_the_room(shares, n, room));
                    let trace = under_a_flickering_room(lights, |_| 1.0, FAST, seed);
                    let reading = seen(&classifier.classify(&trace));
                    let want = Indication::new(colour, Cadence::Steady);
                    let must = white && n == 6.0 && colour != Colour::Amber;
                    match reading {
                        Some(got) if got == want => named += usize::from(must),
                        None if must => missed.push((colour, room)),
                        None => {}
                        _ => panic!("{colour} at {n}× room {room:?}: {reading:?}"),
                    }
                }
            }
        }
        assert!(
            missed.is_empty() && named == 24,
            "{named} of 24 named; no answer: {missed:?}"
        );
        // A flutter read fast, at 100 Hz through a 10 ms window, and slower than a flutter
        // wants, 90 Hz through 11 ms (jittered ±0.25 ms over 4.5 s): never steady. (Where
        // the level's colour alone made it lit, not its steadiness too, the last read
        // steady in a white room. Another cadence there is a miss of its own. The room's
        // flicker is not averaged over the window: at 100 Hz it is locked, and that case
        // is read as a shrouded sensor's, lit above 48 counts.)
        for (room, (colour, shares), seed) in rooms
            .into_iter()
            .flat_map(|room| GREEN_AND_BLUE.map(|led| (room, led)))
            .flat_map(|(room, led)| (0..10).map(move |seed| (room, led, seed)))
        {
            let flutter = Light::new(colour, cadence_pattern(Cadence::Flutter)).random_phase(seed);
            let led = times_the_room(shares, 6.0, room);
            for rate in [FAST, (100.0, 10.0, 0.25), (90.0, 11.0, 0.25)] {
                let trace =
                    under_a_flickering_room((room, 0.15, led), on_off(&flutter), rate, seed + 1000);
                let reading = seen(&classifier.classify(&trace));
                assert!(
                    reading.is_none_or(|i| i.cadence != Cadence::Steady),
                    "flutter {shares:?} over room {room:?} at {rate:?}: {reading:?}"
                );
            }
        }
    }

    #[test]
    fn a_green_or_blue_led_beating_over_an_unshrouded_room_is_steady_not_a_blink() {
        // No dark line, a steady room (an unshrouded sensor's: its flicker unseen), and a
        // green or blue LED six times its light whose brightness a PWM beating with the
        // window moves between 60% and all of it, 50 ms each (a flutter's rhythm, steps
        // as sharp as an LED's). Its dim runs step from its bright ones by far more than
        // noise cuts one level, as a blink over the room would; but they read green or
        // blue past the grey boundary, which no white room light does: the LED's light
        // is in them, so it never went off. Steady (or no answer), never a blink.
        let classifier = rgb_classifier(None);
        let beat = |phase: f64| {
            move |t_ms: f64| {
                if (t_ms + phase) % 100.0 < 50.0 {
                    1.0
                } else {
                    0.6
                }
            }
        };
        let (mut steady, mut blinks) = (0, Vec::new());
        for room in [[200.0, 220.0, 190.0], [120.0, 300.0, 180.0]] {
            for (colour, shares) in GREEN_AND_BLUE {
                let led = times_the_room(shares, 6.0, room);
                for seed in 0..10 {
                    let trace = under_a_flickering_room(
                        (room, 0.0, led),
                        beat(9.7 * seed as f64),
                        (250.0, 2.0, 1.0),
                        seed,
                    );
                    match seen(&classifier.classify(&trace)) {
                        Some(i) if i == Indication::new(colour, Cadence::Steady) => steady += 1,
                        None => {}
                        other => blinks.push((colour, room, other)),
                    }
                }
            }
        }
        assert!(
            blinks.is_empty() && steady >= 30,
            "{steady} of 40 steady; {blinks:?}"
        );
        // A guard: a real blink as near the rule as one gets, a pure green LED adding
        // less than the room's light (so its dark runs read over half its lit ones, the
        // rule's precondition) over a cool phosphor room (green, 0.6 saturated), read at
        // 100 and 125 Hz, its short dark runs carrying straddled light. A wink or a
        // flutter, never steady. (It held with the rule's bound at 0.5 saturation too:
        // a dark run that bright is mostly room, and what protects a blink is that.)
        let (room, led) = ([120.0, 300.0, 180.0], [25.0, 480.0, 50.0]);
        for (cadence, seed) in [Cadence::Wink, Cadence::Flutter]
            .into_iter()
            .flat_map(|c| (0..10).map(move |seed| (c, seed)))
        {
            let light = Light::new(Colour::Green, cadence_pattern(cadence)).random_phase(seed);
            for rate in [(100.0, 8.0, 1.0), (125.0, 6.0, 1.0)] {
                let trace = under_a_flickering_room((room, 0.0, led), on_off(&light), rate, seed);
                let reading = seen(&classifier.classify(&trace));
                assert!(
                    reading.is_none_or(|i| i.cadence != Cadence::Steady),
                    "green {cadence:?} at {rate:?}: {reading:?}"
                );
            }
        }
    }

    /// `count` samples `interval_ms` apart of an LED winking as the table's wink does (lit
    /// from 0), each as `read(t_ms, lit)` says (`lit`: 1 or 0).
    fn winking(
        count: u32,
        interval_ms: f64,
        mut read: impl FnMut(f64, f32) -> Sample,
    ) -> Vec<Sample> {
        let light = Light::new(Colour::On, cadence_pattern(Cadence::Wink));
        (0..count)
            .map(|k| {
                let t = interval_ms * f64::from(k);
                read(t, f32::from(u8::from(light.lit_at(t).is_some())))
            })
            .collect()
    }

    #[test]
    fn a_dim_blink_over_a_bright_unshrouded_room_is_named_above_its_unlit_runs() {
        // No dark measured; the room (a warm halogen lamp, 161 counts over r, g, b) reaches
        // the sensor, and a green LED adds 1, 16 and 3: less than a light's least over
        // the unlit runs, so once named above a dark a shroud allows, where the room's
        // warm light left in read amber (a wrong colour). No shroud's dark is under this
        // light: above its unlit runs it is green.
        let mut next = uniform(7);
        let trace = winking(1500, 2.0, |t_ms, lit| {
            let mut read = |room: f32, led: f32| room + led * lit + 2.0 * (next() as f32 - 0.5);
            let (r, g, b) = (read(103.0, 1.0), read(41.0, 16.0), read(17.0, 3.0));
            Sample {
                t_ms,
                r,
                g,
                b,
                c: r + g + b,
            }
        });
        assert_eq!(
            seen(&rgb_classifier(None).classify(&trace)),
            Some(Indication::new(Colour::Green, Cadence::Wink))
        );
    }

    #[test]
    fn a_blink_under_a_room_brighter_than_its_step_is_not_taken_for_a_pwm_beat() {
        // No dark measured, and no shroud: the room's white light (650 counts over r, g,
        // b, steady) reaches the sensor, and an amber LED blinking at a period no row has
        // (730 ms) adds 510. The unlit runs read lit above any shrouded dark, and more
        // than half as high as the lit ones: what a PWM beating with the window shows.
        // But a beat dims the LED's own light, whose colour it keeps; these unlit runs
        // are whiter than the step to the lit ones. They are another light's: the edges
        // were the LED's, an amber blink, not one grey level.
        let mut next = uniform(11);
        let trace: Vec<Sample> = (0..1000)
            .map(|k| {
                let t_ms = 4.0 * f64::from(k);
                let lit = f32::from(u8::from(t_ms % 730.0 < 365.0));
                let mut read = |room: f32, led: f32| room + led * lit + 8.0 * (next() as f32 - 0.5);
                let (r, g, b) = (read(240.0, 340.0), read(280.0, 150.0), read(130.0, 20.0));
                Sample {
                    t_ms,
                    r,
                    g,
                    b,
                    c: r + g + b,
                }
            })
            .collect();
        match rgb_classifier(None).classify(&trace) {
            Reading::NoCadenceFits {
                colour, period_ms, ..
            } => {
                assert_eq!(colour, Colour::Amber);
                assert!((period_ms - 730.0).abs() < 20.0, "{period_ms}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_faint_level_cut_by_noise_alone_is_not_lit() {
        // No dark measured: 30 counts (what a shrouded sensor reads dark) with 7 counts
        // of noise a sample, read at 100 Hz, 200 times. Noise alone may cut it into runs,
        // some read lit: held a settle time, runs that read no brighter than a dark light
        // are dark. And a noise figure started from the first nine changes must not read
        // far low by chance (by taking the changes of changes' lower median: see the
        // `levels.rs` test): it cut the noise into runs for a second. Before both, 3 of the 200
        // read lit (on steady twice, on wink once).
        let mut lit = Vec::new();
        let mut off = 0;
        for seed in 0..200 {
            let mut next = uniform(seed);
            let mut noisy = |v: f32| {
                // (The sum of four uniforms: near enough Gaussian, σ ≈ 7.)
                let u: f64 = (0..4).map(|_| next() - 0.5).sum();
                v + 24.0 * u as f32
            };
            let trace: Vec<Sample> = (0..400)
                .map(|k| {
                    let (r, g, b) = (noisy(10.0), noisy(10.0), noisy(10.0));
                    Sample {
                        t_ms: 10.0 * f64::from(k),
                        r,
                        g,
                        b,
                        c: noisy(30.0),
                    }
                })
                .collect();
            match seen(&rgb_classifier(None).classify(&trace)) {
                Some(Indication::OFF) => off += 1,
                Some(other) => lit.push((seed, other)),
                None => {}
            }
        }
        assert!(lit.is_empty(), "{lit:?}");
        // (The rest abstain, or see one noise spike as a blink no row fits.)
        assert!(off >= 197, "{off} of 200 off");
    }

    #[test]
    fn steady_is_never_reported_before_the_settle_time() {
        let settle = table().steady_settle_ms();
        for hz in [100.0, 1000.0] {
            for light in [
                Light::new(Colour::Green, Pattern::Steady),
                Light::new(Colour::Grey, Pattern::Steady),
                Light::new(Colour::Red, Pattern::Off),
            ] {
                let trace = Sensor::rgbc(hz).trace(&light, 5000.0, 3000.0, 11);
                let mut first_seen = None;
                let start = trace[0].t_ms;
                watch_timeline(calibrated(), &trace, 50.0, |t, reading| {
                    let elapsed = t - start;
                    if elapsed < settle {
                        assert_eq!(reading, Reading::NotEnoughEvidence, "at {elapsed} ms");
                    } else if first_seen.is_none() && seen(&reading).is_some() {
                        first_seen = Some(elapsed);
                    }
                    if let Some(i) = seen(&reading) {
                        assert_eq!(i, light.indication_at(t));
                    }
                });
                let first = first_seen.expect("steady never seen");
                assert!(first <= settle + 60.0, "first seen at {first} ms");
            }
        }
    }

    #[test]
    fn a_watch_reports_each_cadence_in_time_and_nothing_else_before() {
        let classifier = calibrated();
        for hz in [100.0, 1000.0] {
            for colour in [Colour::Green, Colour::Grey, Colour::Amber] {
                for cadence in BLINKS {
                    for seed in 0..3 {
                        let light = Light::new(colour, cadence_pattern(cadence)).random_phase(seed);
                        let trace = Sensor::rgbc(hz).trace(&light, 0.0, 5000.0, seed);
                        let want = Indication::new(colour, cadence);
                        let mut first_seen = None;
                        watch_timeline(classifier.clone(), &trace, 50.0, |t, reading| {
                            if let Some(i) = seen(&reading) {
                                assert_eq!(i, want, "at {t} ms ({hz} Hz, seed {seed})");
                                first_seen.get_or_insert(t);
                            }
                            assert!(!matches!(reading, Reading::NoCadenceFits { .. }));
                        });
                        // Within the evidence needed plus one period (a mid-period start
                        // may first need a complete on and off run) and one poll. At
                        // 1 kHz the stream is up to two blocks behind (the one not yet
                        // whole, and the one an edge waits for after its box): a
                        // decision that falls within them of a poll waits for the next.
                        let period = table().get(cadence).period_ms().unwrap();
                        let lag = if hz > 500.0 {
                            50.0 + 2.0 * stream::BLOCK_MS
                        } else {
                            0.0
                        };
                        let deadline = classifier.evidence_ms(cadence) + period + 50.0 + lag;
                        let first = first_seen.expect("never seen");
                        assert!(
                            first <= deadline,
                            "{want} first seen at {first} > {deadline}"
                        );
                    }
                }
            }
        }
    }

    /// Replays a light that changes at `change_ms` through a `Watch` and checks the old
    /// state is never reported after it has visibly ended and the new one is reported in
    /// time. `old_ends_ms`: how long after the change the old state may still be claimed.
    fn check_transition(light: Light, change_ms: f64, old_ends_ms: f64, new_by_ms: f64) {
        let old = light.indication_at(change_ms - 1.0);
        let new = light.indication_at(change_ms + 2000.0);
        for hz in [100.0, 1000.0] {
            for seed in 0..4 {
                let trace = Sensor::rgbc(hz).trace(&light, 0.0, change_ms + 3000.0, seed);
                let mut first_new = None;
                watch_timeline(calibrated(), &trace, 50.0, |t, reading| {
                    let Some(i) = seen(&reading) else { return };
                    if t > change_ms + old_ends_ms {
                        assert_ne!(
                            i,
                            old,
                            "{old} still reported {} ms after the change",
                            t - change_ms
                        );
                    }
                    if t > change_ms {
                        assert!(i == old || i == new, "mixture {i} at {t} ({hz} Hz)");
                    }
                    if i == new && t > change_ms {
                        first_new.get_or_insert(t - change_ms);
                    }
                });
                let first = first_new.unwrap_or_else(|| panic!("{new} never seen ({hz} Hz)"));
                assert!(
                    first <= new_by_ms,
                    "{new} first seen {first} ms after the change"
                );
            }
        }
    }

    #[test]
    fn a_steady_light_that_starts_winking_is_never_confirmed_steady_and_soon_reads_wink() {
        // The wink begins with its off time: the first edge is at the change.
        let wink = Pattern::Blink {
            on: 200.0,
            off: 50.0,
        };
        let light =
            Light::new(Colour::Green, Pattern::Steady).then(3000.0, Colour::Green, wink, 200.0);
        // Steady may be claimed only until the first edge arrives (one poll); wink within
        // 1.5 wink periods of it, plus a poll and sampling slack.
        check_transition(light, 3000.0, 50.0, 1.5 * 250.0 + 50.0 + 20.0);
    }

    #[test]
    fn steady_is_not_confirmed_from_a_window_that_includes_a_wink() {
        // Green steady with a single wink (50 ms off) 1000 ms before the end.
        let light = Light::new(Colour::Green, Pattern::Steady)
            .then(2000.0, Colour::Green, Pattern::Off, 0.0)
            .then(2050.0, Colour::Green, Pattern::Steady, 0.0);
        let trace = Sensor::rgbc(100.0).trace(&light, 0.0, 3050.0, 2);
        assert_eq!(calibrated().classify(&trace), Reading::NotEnoughEvidence);
        let trace = Sensor::rgbc(100.0).trace(&light, 0.0, 3300.0, 2);
        assert_eq!(
            seen(&calibrated().classify(&trace)),
            Some(Indication::new(Colour::Green, Cadence::Steady))
        );
    }

    #[test]
    fn changes_of_pattern_or_colour_report_the_new_state_never_a_mixture() {
        let flutter = cadence_pattern(Cadence::Flutter);
        check_transition(
            Light::new(Colour::Red, cadence_pattern(Cadence::Flash)).then(
                3000.0,
                Colour::Red,
                flutter,
                0.0,
            ),
            3000.0,
            // Until the first flutter run is complete (then it is no flash run), and a poll.
            100.0 + 50.0,
            692.5 + 100.0 + 50.0,
        );
        check_transition(
            Light::new(Colour::Grey, Pattern::Steady).then(
                3000.0,
                Colour::Green,
                Pattern::Steady,
                0.0,
            ),
            3000.0,
            50.0,
            // The settle time, a poll and a sample's jitter.
            1200.0 + 60.0,
        );
        check_transition(
            Light::new(Colour::Blue, cadence_pattern(Cadence::Wink)).then(
                3000.0,
                Colour::Blue,
                Pattern::Off,
                0.0,
            ),
            3000.0,
            65.0 + 50.0,
            // The settle time, a poll and a sample's jitter.
            1200.0 + 60.0,
        );
    }

    #[test]
    fn a_730ms_half_duty_blink_fits_no_cadence() {
        let blink = Pattern::Blink {
            on: 365.0,
            off: 365.0,
        };
        for hz in [100.0, 1000.0] {
            for seed in 0..3 {
                let light = Light::new(Colour::Green, blink).random_phase(seed);
                let trace = Sensor::rgbc(hz).trace(&light, 0.0, 4000.0, seed);
                match calibrated().classify(&trace) {
                    Reading::NoCadenceFits {
                        colour,
                        period_ms,
                        on_ms,
                        off_ms,
                    } => {
                        assert_eq!(colour, Colour::Green);
                        assert!((period_ms - 730.0).abs() < 10.0, "{period_ms}");
                        assert!((on_ms - 365.0).abs() < 10.0 && (off_ms - 365.0).abs() < 10.0);
                    }
                    other => panic!("{hz} Hz: {other:?}"),
                }
            }
        }
    }

    /// A level sensor (photodiode) over `polarity`, calibrated at `dark` if given.
    fn level_sensor(polarity: Polarity, dark: Option<f32>) -> Classifier {
        Classifier::new(
            &table(),
            Calibration {
                kind: SensorKind::Level,
                polarity,
                dark: dark.map(DarkLevel::Level),
            },
        )
    }

    fn reflective(bare: Option<f32>) -> Classifier {
        level_sensor(Polarity::Reflective, bare)
    }

    /// A photodiode over an LED.
    fn photodiode(dark: Option<f32>) -> Classifier {
        level_sensor(Polarity::Emissive, dark)
    }

    /// The share of the window `window_ms` before `t` that a light lit for `on_ms` at the
    /// start of every `period_ms` (from 0) was lit.
    fn lit_share_of_window(t: f64, window_ms: f64, on_ms: f64, period_ms: f64) -> f64 {
        let (from, to) = (t - window_ms, t);
        let mut lit = 0.0;
        let mut p = (from / period_ms).floor() * period_ms;
        while p < to {
            lit += (to.min(p + on_ms) - from.max(p)).max(0.0);
            p += period_ms;
        }
        lit / window_ms
    }

    #[test]
    fn an_edge_no_window_saw_is_placed_in_the_middle_of_what_was_not_seen() {
        // A flash (500 ms on, 500 off) read at 100 Hz through a 3 ms window, the three
        // reads around every turn-off lost (a stall): the light went off somewhere in the
        // ~37 ms between the last lit window and the first dark one, anywhere in it as far
        // as the samples tell. Placed at the last lit sample, every lit run read ~18 ms
        // short and every dark one as long.
        for first in [2.0, 5.0, 8.0] {
            let trace: Vec<Sample> = (0..400)
                .map(|k| first + 10.0 * f64::from(k))
                .filter(|&t| !(485.0..515.0).contains(&(t % 1000.0)))
                .map(|t| Sample {
                    t_ms: t,
                    c: (20.0 + 3000.0 * lit_share_of_window(t, 3.0, 500.0, 1000.0)) as f32,
                    ..Sample::default()
                })
                .collect();
            let reading = photodiode(Some(20.0)).classify(&trace);
            let Reading::Seen(o) = reading else {
                panic!("{reading:?}")
            };
            let on_ms = o.on_ms.expect("a blink");
            assert!(
                (on_ms - 500.0).abs() < 6.0,
                "first sample at {first} ms: {on_ms} ms on"
            );
        }
    }

    #[test]
    fn a_flutter_whose_edges_inflate_the_noise_figure_is_never_read_off() {
        // A photodiode read at 100 Hz (jittered by 1.5 ms) through a 9.5 ms window: every
        // edge of a flutter falls in some window, which reads part lit, so a third of the
        // changes are the flutter's, not noise, and the noise figure reads about twice
        // the noise (σ 8 here; the flutter adds 56 counts to a dark of 85). The band then
        // misses lit runs; the runs it cuts mix both levels, and one that read 28 counts
        // above the dark was taken for the dark seen at one phase of a mains flicker
        // locked to the sample rate (a lift of up to 35%): "off steady", 3 times in 400.
        // But a flicker moves every reading by at most its swing; runs that vary that much
        // more than the noise about a mean it lifted that far are no dark light.
        let (mut right, mut off) = (0, 0);
        for seed in 0..400u64 {
            let mut gauss = gaussian(seed);
            let first = 1.0 + 0.7 * (seed % 13) as f64;
            let trace: Vec<Sample> = (0..400)
                .map(|k| {
                    let t = first + 10.0 * f64::from(k) + 1.5 * gauss();
                    let lit = lit_share_of_window(t, 9.5, 52.0, 102.0);
                    Sample {
                        t_ms: t,
                        c: (85.0 + 56.0 * lit + 8.0 * gauss()) as f32,
                        ..Sample::default()
                    }
                })
                .collect();
            match seen(&photodiode(Some(85.0)).classify(&trace)) {
                Some(i) if i == Indication::new(Colour::On, Cadence::Flutter) => right += 1,
                Some(i) if i.colour == Colour::Off => off += 1,
                _ => {}
            }
        }
        assert_eq!(off, 0);
        // (The rest abstain: 11 of 400 when this was written.)
        assert!(right >= 380, "{right} of 400 read on flutter");
    }

    #[test]
    fn a_pulse_followed_by_a_gap_keeps_its_length() {
        // A flutter (42 ms on, 44 off) read at 125 Hz through a 2.8 ms window, its lit
        // level rippling ±20% (a PWM beating with the window). Late in the trace a pulse
        // is seen on two samples only, then nothing for 39 ms (lost reads: a gap a little
        // shorter than one that could hide a run). The samples before the gap are still
        // what the signal was before the crossing after it, and the pulse's end is
        // somewhere in the gap: the pulse is no glitch, nor two pulses one dark run.
        let lit_share = |t: f64| lit_share_of_window(t, 2.8, 42.0, 86.0);
        for first in [4.5, 5.5, 6.5] {
            for seed in 1..=6 {
                let mut next = uniform(seed);
                let mut times: Vec<f64> = (0..450).map(|k| first + 8.0 * f64::from(k)).collect();
                // The pulse that begins at 86 × 38 = 3268 ms: its first two samples kept.
                let second = times.iter().position(|&t| t > 3268.0).unwrap() + 1;
                let kept = times[second];
                times.retain(|&t| t <= kept || t >= kept + 40.0);
                times[second + 1] -= 1.0;
                let trace: Vec<Sample> = times
                    .iter()
                    .map(|&t| {
                        let ripple = 1.0 + 0.4 * (next() - 0.5);
                        Sample {
                            t_ms: t,
                            c: (20.0 + 16_000.0 * lit_share(t) * ripple + 6.0 * (next() - 0.5))
                                as f32,
                            ..Sample::default()
                        }
                    })
                    .collect();
                assert!(trace.last().unwrap().t_ms - 3268.0 < 600.0);
                assert_eq!(
                    seen(&photodiode(Some(20.0)).classify(&trace)),
                    Some(Indication::new(Colour::On, Cadence::Flutter)),
                    "first sample at {first} ms, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn a_blink_dimmer_than_the_room_s_drift_is_cut_against_the_dark_it_shows() {
        // A photodiode on an open bench reads 1520 counts of room light, calibrated; an
        // LED winking adds 88 (5.8%), less than the room may have drifted since the
        // calibration (6%). One level that high could be the room drifted; but the wink
        // shows its dark every 250 ms, at the calibration: the room has not drifted, and
        // the wink stands 17σ clear of it. (Its band refused, it read "not enough
        // evidence", or "off", a forbidden confusion.)
        let mut next = uniform(11);
        let trace = winking(440, 8.0, |t_ms, lit| Sample {
            t_ms,
            c: 1520.0 + 88.0 * lit + 10.0 * (next() as f32 - 0.5),
            ..Sample::default()
        });
        assert_eq!(
            seen(&photodiode(Some(1520.0)).classify(&trace)),
            Some(Indication::new(Colour::On, Cadence::Wink))
        );
    }

    #[test]
    fn a_reflective_lcd_on_a_level_sensor_reads_on_off_and_flash() {
        let sensor = Sensor::reflective(100.0, 1800.0);
        for (pattern, want) in [
            (
                Pattern::Steady,
                Indication::new(Colour::On, Cadence::Steady),
            ),
            (Pattern::Off, Indication::OFF),
            (
                cadence_pattern(Cadence::Flash),
                Indication::new(Colour::On, Cadence::Flash),
            ),
            (
                cadence_pattern(Cadence::Flutter),
                Indication::new(Colour::On, Cadence::Flutter),
            ),
        ] {
            let trace = sensor.trace(
                &Light::new(Colour::On, pattern).random_phase(4),
                0.0,
                3000.0,
                4,
            );
            assert_eq!(seen(&reflective(Some(1800.0)).classify(&trace)), Some(want));
        }
    }

    /// An LCD segment fluttering (50 ms dark, 50 ms bare) that darkens and clears
    /// exponentially with time constants `tau_darken` and `tau_clear` (ms), read at 125 Hz
    /// with a little jitter and noise.
    fn slow_lcd_flutter(tau_darken: f64, tau_clear: f64, seed: u64) -> Vec<Sample> {
        slow_lcd((50.0, 50.0), tau_darken, tau_clear, seed)
    }

    /// The same, driven `dark_ms` then `bare_ms` (from a bare display).
    fn slow_lcd(
        (dark_ms, bare_ms): (f64, f64),
        tau_darken: f64,
        tau_clear: f64,
        seed: u64,
    ) -> Vec<Sample> {
        let driven = |t: f64| t % (dark_ms + bare_ms) >= bare_ms;
        slow_lcd_driven(driven, 3000.0, (tau_darken, tau_clear), seed)
    }

    /// The same, driven dark when `driven(t)`, for `duration_ms`.
    fn slow_lcd_driven(
        driven: impl Fn(f64) -> bool,
        duration_ms: f64,
        taus: (f64, f64),
        seed: u64,
    ) -> Vec<Sample> {
        LcdReading::default().trace(driven, duration_ms, taus, seed)
    }

    #[test]
    fn a_faint_lcd_flutter_read_at_100_hz_is_never_off() {
        // A dim room's LCD (bare 30 counts) darkening to 60% and clearing over 10 and
        // 15 ms, read at 100 Hz with noise of 14 counts peak to peak: each sample tells
        // lit from bare at 3 σ or so, too little for the band, and 202 of 300 read as one
        // bare level, "off", a forbidden confusion. Paired 50 ms apart, half its period,
        // their readings go against each other as no bare display's do: no answer.
        let reading = LcdReading {
            bare: 30.0,
            lit_share: 0.6,
            interval_ms: 10.0,
            noise: 14.0,
        };
        let (mut right, mut off) = (0, 0);
        for seed in 0..300 {
            let trace = reading.trace(|t| t % 100.0 >= 50.0, 3500.0, (10.0, 15.0), seed);
            match seen(&reflective(Some(30.0)).classify(&trace)) {
                Some(i) if i == Indication::new(Colour::On, Cadence::Flutter) => right += 1,
                Some(i) if i.colour == Colour::Off => off += 1,
                _ => {}
            }
        }
        // (73 read on flutter, 3 off and the rest abstained when this was written.)
        assert!(off <= 10, "{off} of 300 read off");
        assert!(right >= 60, "{right} of 300 read on flutter");
    }

    #[test]
    fn what_swings_at_a_flutter_s_period_is_no_bare_display_s() {
        // The same LCD's broken flutter, a little less noisy (10 counts peak to peak):
        // half its time bare, which dilutes how its readings go against each other 50 ms
        // apart (-0.1 to -0.3: within what the rule above allows). A whole period apart
        // they go with each other; half the difference of the two over the variance is
        // what swings at the flutter's period: 0.2 to 0.4 here, a bare display's 0 give
        // or take 0.1. Above 0.25 the level read bare is no answer: 91 of 300 read off
        // before, 37 now (the rest abstain; what is left swings less than that).
        let reading = LcdReading {
            bare: 30.0,
            lit_share: 0.6,
            interval_ms: 10.0,
            noise: 10.0,
        };
        let mut off = 0;
        for seed in 0..300 {
            let driven = |t: f64| t % 1000.0 < 500.0 && t % 100.0 >= 50.0;
            let trace = reading.trace(driven, 3500.0, (10.0, 15.0), seed);
            let read = seen(&reflective(Some(30.0)).classify(&trace));
            off += usize::from(read.is_some_and(|i| i.colour == Colour::Off));
        }
        assert!(off <= 50, "{off} of 300 read off");
    }

    #[test]
    fn a_dark_light_under_an_aliased_flicker_is_still_off() {
        // A photodiode's dark of 400 counts under a room light flickering 25% at 100 or
        // 120 Hz, read at 100, 125, 200 and 250 Hz: whatever the rate aliases the flicker
        // to, it is off. (Read from 2.2 ms on, where a flicker locked to the rate reads
        // its mean: at its crest it lifts the dark past what one level can tell.) (At 250 Hz, 120 Hz flicker's harmonic
        // looks like a 10 Hz blink once smoothed; unsmoothed, the flicker goes with
        // itself 50 ms later, five periods of 100 Hz and six of 120.)
        for (seed, (mains, hz)) in [100.0, 120.0]
            .into_iter()
            .flat_map(|m| [100.0, 125.0, 200.0, 250.0].map(|hz| (m, hz)))
            .enumerate()
        {
            let mut next = uniform(seed as u64);
            let trace: Vec<Sample> = (0..(3.5 * hz) as u32)
                .map(|k| {
                    let t = 2.2 + 1000.0 * f64::from(k) / hz + 0.2 * (next() - 0.5);
                    // (A rectified lamp: |sin| of half the flicker's frequency.)
                    let lamp = (std::f64::consts::PI * mains * t / 1000.0).sin().abs();
                    let c = 400.0 * (1.0 + 0.25 * (lamp - 0.637) / 0.637) + 6.0 * (next() - 0.5);
                    Sample {
                        t_ms: t,
                        c: c as f32,
                        ..Sample::default()
                    }
                })
                .collect();
            assert_eq!(
                seen(&photodiode(Some(400.0)).classify(&trace)),
                Some(Indication::OFF),
                "{mains} Hz flicker read at {hz} Hz"
            );
        }
    }

    #[test]
    fn a_dark_light_near_the_crest_of_a_jittered_locked_flicker_is_never_lit() {
        // A photodiode's dark of 2300 counts under a rectified lamp flickering 29% deep at
        // 99.79 Hz, read at 99.73 Hz (a beat of a twentieth of a hertz: the trace sees
        // the flicker turn a fifth of a period, near its crest) with stamps jittered by
        // up to 1.7 ms, through a 2.4 ms window: the raw readings average 7-15% above the
        // dark. The jitter spreads the samples' phases enough for the lock-in to see the
        // flicker and take part of it off: the level with it off reads off where the raw
        // mean could not say (1 of 40 read off by the raw mean, 10 now; the rest, between
        // what a dark light and a lit one read, abstain). Where the level wandered past
        // the band with no step and stayed, it was read "on steady" (2 of 40): an LED
        // switches within a sample, and a level lit no more surely than the same level
        // seen from the start is no answer.
        let mut read = OffOrNot::default();
        for seed in 0..80u64 {
            let mut next = uniform(seed);
            let phase = 0.3 + 0.4 * next();
            let lamp = |t: f64| {
                let s = (std::f64::consts::PI * (99.79 * t / 1000.0 + phase))
                    .sin()
                    .abs();
                (0.55 + 0.45 * s) / (0.55 + 0.9 / std::f64::consts::PI)
            };
            let trace: Vec<Sample> = (0..340)
                .map(|k| {
                    let t = 10.027 * f64::from(k) + 3.4 * (next() - 0.5);
                    // The window's mean, over 2.4 ms in steps of 0.1 ms.
                    let w = (0..24).map(|i| lamp(t - 0.1 * f64::from(i))).sum::<f64>() / 24.0;
                    let c = 2300.0 * w + 70.0 * (next() - 0.5);
                    Sample {
                        t_ms: t,
                        c: c.round() as f32,
                        ..Sample::default()
                    }
                })
                .collect();
            read.count(&photodiode(Some(2300.0)).classify(&trace));
        }
        assert_eq!(read.other, 0, "{} of 40 read lit", read.other);
        assert!(read.off >= 8, "{} of 40 read off", read.off);
    }

    /// A steady LED dimmed by PWM at `pwm_hz` with `duty`, read by a photodiode at `hz`
    /// through a window of `window_ms` (stamps jittered by `jitter_ms` either way) under
    /// a shrouded room's 25 counts, 2000 counts with the PWM on: each window catches a
    /// share of the PWM's pulses that beats with the sample rate.
    fn pwm_beating_with_a_short_window(
        (pwm_hz, duty): (f64, f64),
        (hz, window_ms, jitter_ms): (f64, f64, f64),
        seed: u64,
    ) -> Vec<Sample> {
        a_pwm_led_read_through_a_short_window(
            (pwm_hz, duty, 2000.0),
            (hz, window_ms, jitter_ms),
            |_| true,
            seed,
        )
    }

    #[test]
    fn a_steady_led_whose_pwm_beats_with_the_window_never_blinks() {
        // Its readings dip by a few percent where the windows catch fewer pulses, at
        // whatever rate the PWM beats with the sample rate, and the band may cut the dips:
        // a wink or a flutter of the table (3 of 192 here). But the dips read far above
        // any dark a shrouded sensor reads: an LED that is off reads its dark, so the
        // light never went off, and it is one level, "on steady".
        let (mut blinks, mut steady) = (0, 0);
        let mut seed = 0;
        for pwm_hz in [
            504.0, 1003.0, 1050.0, 1149.0, 1230.0, 1490.0, 1760.0, 2004.0,
        ] {
            for duty in [0.5, 0.7, 0.83, 0.95] {
                for (hz, window_ms) in [(1000.0, 1.0), (500.0, 1.9), (200.0, 1.1)] {
                    for jitter_ms in [0.0, 1.6] {
                        seed += 1;
                        let trace = pwm_beating_with_a_short_window(
                            (pwm_hz, duty),
                            (hz, window_ms, jitter_ms),
                            seed,
                        );
                        match seen(&photodiode(None).classify(&trace)) {
                            Some(i) if i == Indication::new(Colour::On, Cadence::Steady) => {
                                steady += 1
                            }
                            Some(_) => blinks += 1,
                            None => {}
                        }
                    }
                }
            }
        }
        // (182 read on steady; 10 abstained.)
        assert_eq!(blinks, 0, "{blinks} of 192 read another indication");
        assert!(steady >= 170, "{steady} of 192 read on steady");
    }

    #[test]
    fn an_off_light_under_a_flicker_beating_unevenly_with_the_rate_is_off() {
        // An RGB sensor's dark of 1600 counts (warm room light drifting 4% over seconds)
        // under a lamp whose 120 Hz flicker is a sawtooth 15-30% deep, read at 125 Hz
        // through a 3.8 ms window with shot noise, stamped in whole milliseconds by a host
        // whose reads jitter by up to 1 ms: the lock-in fits the flicker at the stamps,
        // an eighth of its period off, and takes little of it off. The flicker beats at
        // 5 Hz; the band cuts its crests and troughs too unevenly for any cadence, at
        // times no row has: the room's beat, judged as one level by the rules a regular
        // beat is (157 of 200 read off without that, 172 now; the rest abstain).
        let mut read = OffOrNot::default();
        for seed in 0..200u64 {
            let mut next = uniform(seed);
            let phase = next();
            let depth = 0.15 + 0.15 * next();
            let spread = 30.0 + 60.0 * next();
            let room = |t: f64| {
                let saw = (119.82 * t / 1000.0 + phase).rem_euclid(1.0);
                let drift = 0.04 * (std::f64::consts::TAU * (0.3 * t / 1000.0 + phase)).sin();
                (1.0 + drift) * (1.0 + depth * (2.0 * saw - 1.0))
            };
            let trace: Vec<Sample> = (0..440)
                .map(|k| {
                    let t = 8.0 * f64::from(k);
                    let w = (0..38).map(|i| room(t - 0.1 * f64::from(i))).sum::<f64>() / 38.0;
                    let late = 2.0 * (next() - 0.5);
                    let mut noise = || spread * (next() - 0.5);
                    let [r, g, b] = [0.53, 0.37, 0.10].map(|share| 1600.0 * share * w);
                    Sample {
                        t_ms: (t + late).round(),
                        r: (r + noise()) as f32,
                        g: (g + noise()) as f32,
                        b: (b + noise()) as f32,
                        c: (1600.0 * w + noise()) as f32,
                    }
                })
                .collect();
            let classifier = rgb_classifier(Some(DarkLevel::Rgbc([848.0, 592.0, 160.0, 1600.0])));
            read.count(&classifier.classify(&trace));
        }
        assert_eq!(read.other, 0, "{} of 200 read lit", read.other);
        assert!(read.off >= 165, "{} of 200 read off", read.off);
    }

    /// How often readings said "off", and how often another indication.
    #[derive(Default)]
    struct OffOrNot {
        off: u32,
        other: u32,
        /// Read blinking at a period no row fits (lit: an off light's forbidden confusion).
        no_fit: u32,
    }

    impl OffOrNot {
        fn count(&mut self, reading: &Reading) {
            match seen(reading) {
                Some(i) if i == Indication::OFF => self.off += 1,
                Some(_) => self.other += 1,
                None if matches!(reading, Reading::NoCadenceFits { .. }) => self.no_fit += 1,
                None => {}
            }
        }
    }

    /// The mean of `f` over the window of `window_ms` before `t`, in `steps` even steps
    /// (what a sensor integrating over it reads of a light `f`).
    fn window_mean(t: f64, window_ms: f64, steps: u32, f: impl Fn(f64) -> f64) -> f64 {
        (0..steps)
            .map(|i| f(t - window_ms * (f64::from(i) + 0.5) / f64::from(steps)))
            .sum::<f64>()
            / f64::from(steps)
    }

    /// An off light under a room of `level` counts whose lamps flicker at `flicker_hz`,
    /// `depth` deep (a sine), read by a colour sensor that integrates for `window_ms` on
    /// its own clock, every 8 ms off by `clock_error` (a share), and a host that reads it
    /// on an 8 ms grid of its own, jittered by up to `jitter_ms` either way: each read
    /// returns the latest window the sensor completed, stamped when the host read it (up
    /// to a cycle later). Some windows are read twice, some never; each window's noise
    /// is its own (uniform, `noise` peak to peak).
    fn a_free_running_sensor_under_a_flicker(
        (level, flicker_hz, depth): (f64, f64, f64),
        (window_ms, clock_error, jitter_ms, noise): (f64, f64, f64, f64),
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        let (phase, start) = (next(), 8.0 * next());
        let cycle = 8.0 * (1.0 + clock_error);
        let room = |t: f64| {
            let mean = window_mean(t, window_ms, 40, |u| {
                (std::f64::consts::TAU * (flicker_hz * u / 1000.0 + phase)).sin()
            });
            level * (1.0 + depth * mean)
        };
        (1..560)
            .map(|k| {
                let read = 8.0 * f64::from(k) + jitter_ms * 2.0 * (next() - 0.5);
                // The latest window completed by then: the sensor's cycles end at
                // start + n·cycle.
                let n = ((read - start) / cycle).floor();
                let w = room(start + n * cycle);
                // (n is -1 for a read before the first window ended: offset, so that
                // every window's noise is its own. The window's seed is mixed: the first
                // draws of generators seeded one apart step by a fixed share, and the
                // "noise" was a slow sawtooth.)
                let mut window_noise = uniform(mixed(seed, (n + 1.0) as u64));
                let mut noisy =
                    |v: f64| (v + noise * (window_noise() - 0.5)).round().max(0.0) as f32;
                Sample {
                    t_ms: read,
                    r: noisy(0.50 * w),
                    g: noisy(0.38 * w),
                    b: noisy(0.12 * w),
                    c: noisy(w),
                }
            })
            .collect()
    }

    /// `seed` and `n` mixed into one seed (SplitMix64's finaliser), so that seeds one `n`
    /// apart start unrelated streams.
    fn mixed(seed: u64, n: u64) -> u64 {
        let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A sensor's clock within a percent of the host's reads, either way (see
    /// [`off_lights_under_drawn_beats`]).
    const WITHIN_A_PERCENT: (f64, f64) = (0.0, 0.02);

    /// `traces` off lights read by [`a_free_running_sensor_under_a_flicker`], each with
    /// its room and sensor drawn from `uniform(seed_base + seed)`: a room of `levels`
    /// counts (least, span) under a 120 Hz flicker (±0.3%) `depths` deep (least, span), a
    /// window of 2-4 ms, a sensor's clock slower than the host's reads by `clock.0`, give
    /// or take half of `clock.1`, a host's jitter of 1-2 ms and noise of
    /// `noise(level, draw)` peak to peak; each classified by `classifier(level)`.
    fn off_lights_under_drawn_beats(
        (seed_base, traces): (u64, u64),
        levels: (f64, f64),
        depths: (f64, f64),
        clock: (f64, f64),
        noise: impl Fn(f64, &mut dyn FnMut() -> f64) -> f64,
        classifier: impl Fn(f64) -> Classifier,
    ) -> OffOrNot {
        let mut read = OffOrNot::default();
        for seed in 0..traces {
            let mut next = uniform(seed_base + seed);
            let level = levels.0 + levels.1 * next();
            let flicker_hz = 120.0 * (1.0 + 0.006 * (next() - 0.5));
            let depth = depths.0 + depths.1 * next();
            let window_ms = 2.0 + 2.0 * next();
            let clock_error = clock.1 * (next() - 0.5) + clock.0;
            let jitter_ms = 1.0 + next();
            let noise = noise(level, &mut next);
            let trace = a_free_running_sensor_under_a_flicker(
                (level, flicker_hz, depth),
                (window_ms, clock_error, jitter_ms, noise),
                seed,
            );
            read.count(&classifier(level).classify(&trace));
        }
        read
    }

    /// 400 off lights in a dim room (20-35 counts) flickering 15-30% deep, with noise of
    /// 10-14 counts peak to peak ([`off_lights_under_drawn_beats`] from `seed_base`).
    fn off_lights_in_a_dim_room_under_a_beat(
        seed_base: u64,
        classifier: impl Fn(f64) -> Classifier,
    ) -> OffOrNot {
        off_lights_under_drawn_beats(
            (seed_base, 400),
            (20.0, 15.0),
            (0.15, 0.15),
            WITHIN_A_PERCENT,
            |_, next| 10.0 + 4.0 * next(),
            classifier,
        )
    }

    /// An RGB sensor calibrated to the dark of [`a_free_running_sensor_under_a_flicker`]'s
    /// room at `level` (its light's shares of r, g and b).
    fn calibrated_to_the_room(level: f64) -> Classifier {
        let dark = [0.50, 0.38, 0.12, 1.0].map(|share| (share * level) as f32);
        rgb_classifier(Some(DarkLevel::Rgbc(dark)))
    }

    #[test]
    fn an_off_light_in_a_dim_room_under_a_beat_is_no_blink() {
        // The same free-running sensor in a dim room (20-35 counts) whose lamps flicker
        // 15-30% deep, without a dark line, with noise of 10-14 counts peak to peak: the
        // beat and the noise together reach the floor, and the band cuts the dark into
        // runs whose means sit at one level. Judged as a blink, 3 of 400 read lit (a
        // forbidden confusion); their runs' means are not half the floor apart, and an
        // LED's would be its levels: none now. (Those figures were measured with the
        // window noise a slow sawtooth, see `mixed`. With each window's own noise, and
        // the floor at 4σ of a value's noise here too, 390 of 400 read off, none lit.)
        let read = off_lights_in_a_dim_room_under_a_beat(3000, |_| rgb_classifier(None));
        assert_eq!(read.other, 0, "{} of 400 read lit", read.other);
        assert!(read.off >= 390, "{} of 400 read off", read.off);
    }

    /// A sensor that reads its channels one after another (r, g, b, then clear, each
    /// through a 1.2 ms window, 2 ms apart) on its own clock, a cycle of 8 ms × (1 +
    /// `clock_error`), polled every 8 ms, under an LED lamp whose light is a square wave at twice the mains
    /// (`flicker_hz`), on `duty` of each period, swinging `depth` of its mean `level`
    /// peak to peak; and a blue LED adding `led` counts of clear light while `light` is
    /// lit. Noise of 2% of the level peak to peak.
    fn a_sequential_sensor_under_a_square_flicker(
        (level, flicker_hz, duty, depth): (f64, f64, f64, f64),
        clock_error: f64,
        (light, led): (&Light, f64),
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        let phase = next();
        let cycle = 8.0 * (1.0 + clock_error);
        let room = |t: f64| {
            let on = |u: f64| f64::from(u8::from((flicker_hz * u / 1000.0 + phase).fract() < duty));
            level * (1.0 + depth * (window_mean(t, 1.2, 24, on) - duty))
        };
        (1..500)
            .map(|k| {
                let read = 8.0 * f64::from(k) + 0.3 * (next() - 0.5);
                let start = ((read / cycle).floor() - 1.0) * cycle;
                let mut noisy = |(room_share, led_share): (f64, f64), offset_ms: f64| {
                    let t = start + offset_ms + 1.2;
                    let lit = window_mean(t, 1.2, 24, |u| {
                        f64::from(u8::from(light.lit_at(u).is_some()))
                    });
                    let v = room_share * room(t) + led_share * led * lit;
                    (v + 0.02 * level * (next() - 0.5)).round() as f32
                };
                Sample {
                    t_ms: read,
                    r: noisy((0.57, 0.03), 0.0),
                    g: noisy((0.40, 0.35), 2.0),
                    b: noisy((0.13, 0.82), 4.0),
                    c: noisy((1.0, 1.0), 6.0),
                }
            })
            .collect()
    }

    #[test]
    fn a_square_flicker_read_channel_by_channel_is_no_light() {
        // Each channel catches the lamp's square flicker at its own phase, and the beat
        // with the sensor's clock (1-2.5% fast) steps as sharply as an LED, by a third of the
        // room: "lit" runs that read more clear light and less red than the dark ones,
        // named blue, at no cadence. An LED adds light to every channel, so edges that
        // take some away are no light's: 200 of 200 read off (none before, 28 read lit).
        // A blue LED winking or flashing under the same lamp, adding a room's worth of
        // light, is never read off, and as before this rule: 132 of 200 right, 7 read
        // steady (a beat as deep as the light, left), the rest no answer. (Judged as one
        // level, such a blink reads lit: the rule stands only where the level reads
        // dark, or 11 more read steady.) So does one adding a fifth of the room: never
        // off, with or without the rule (39 of 200 read flutter, a beat's pace, left).
        let mut read = OffOrNot::default();
        let mut blinks = 0;
        for seed in 0..200 {
            let mut next = uniform(7000 + seed);
            let level = 300.0 + 800.0 * next();
            let flicker_hz = 2.0 * (59.8 + 0.4 * next());
            let duty = 0.3 + 0.2 * next();
            let depth = 0.4 + 0.2 * next();
            let clock_error = -0.01 - 0.015 * next();
            let dark = [0.57, 0.40, 0.13, 1.0].map(|share| (share * level) as f32);
            let classifier = rgb_classifier(Some(DarkLevel::Rgbc(dark)));
            let sensor = (level, flicker_hz, duty, depth);
            let off = Light::new(Colour::Off, cadence_pattern(Cadence::Steady));
            let trace =
                a_sequential_sensor_under_a_square_flicker(sensor, clock_error, (&off, 0.0), seed);
            read.count(&classifier.classify(&trace));
            let cadence = [Cadence::Wink, Cadence::Flash][seed as usize % 2];
            let blue = Light::new(Colour::Blue, cadence_pattern(cadence)).random_phase(seed);
            let trace = a_sequential_sensor_under_a_square_flicker(
                sensor,
                clock_error,
                (&blue, level),
                seed,
            );
            let reading = classifier.classify(&trace);
            let want = Indication::new(Colour::Blue, cadence);
            assert!(
                seen(&reading).is_none_or(|s| s.colour != Colour::Off),
                "{reading:?}"
            );
            blinks += usize::from(seen(&reading) == Some(want));
            let trace = a_sequential_sensor_under_a_square_flicker(
                sensor,
                clock_error,
                (&blue, 0.2 * level),
                seed,
            );
            let reading = classifier.classify(&trace);
            assert!(
                seen(&reading).is_none_or(|s| s.colour != Colour::Off),
                "{reading:?}"
            );
        }
        assert_eq!(read.other, 0, "{} of 200 read lit", read.other);
        assert!(read.off >= 195, "{} of 200 read off", read.off);
        assert!(blinks >= 120, "{blinks} of 200 blinks read");
    }

    /// An uncalibrated RGB sensor read every 10 ms (±0.5 ms) through a 1.2 ms window, in
    /// a warm room of `room` counts, over a blue LED adding `led` counts while `light`
    /// is lit, PWM-dimmed at `pwm` (Hz, duty) if given; noise ±3 counts.
    fn a_blue_led_in_a_dim_warm_room(
        (room, led): (f64, f64),
        light: &Light,
        pwm: Option<(f64, f64)>,
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        let pwm_phase = next();
        let on = |u: f64| {
            let pulse = pwm.is_none_or(|(hz, duty)| (hz * u / 1000.0 + pwm_phase).fract() < duty);
            f64::from(u8::from(pulse && light.lit_at(u).is_some()))
        };
        (0..350)
            .map(|k| {
                let t = 10.0 * f64::from(k) + (next() - 0.5);
                let lit = led * window_mean(t, 1.2, 24, on);
                let mut read = |room_share: f64, led_share: f64| {
                    let v = room_share * room + led_share * lit + 6.0 * (next() - 0.5);
                    v.round().max(0.0) as f32
                };
                Sample {
                    t_ms: t,
                    r: read(0.53, 0.03),
                    g: read(0.37, 0.20),
                    b: read(0.10, 0.77),
                    c: read(1.0, 1.0),
                }
            })
            .collect()
    }

    #[test]
    fn a_steady_blue_led_in_a_dim_room_is_named_without_a_dark_line() {
        // A blue LED adding 50-90 counts to a warm room of 20-40, no dark line: its
        // reading, about [20, 30, 60], names no colour above no dark at all (too pale:
        // grey) though it is blue above every dark a shroud allows; where it is as
        // saturated as no white is, at a hue no white has, it is blue whatever room light
        // is in it. Only a blink's mean had to be bright to be named so; a level whose
        // values' standard deviation is within twice its noise and a tenth of its light
        // is none. Never
        // named otherwise; 26 of 40 read blue steady when this was written (8 before),
        // the rest too pale. The same LED winking through a PWM read at random phases
        // (as noisy as its light: the band cannot cut it) is never read off, and steady
        // once, with or without this rule (seed 23: a 20-count room, 168 counts of LED
        // at half duty), left; 7 times with the noise bound alone, without the tenth.
        let (mut steady, mut winks_steady) = (0, 0);
        for seed in 0..40 {
            let mut next = uniform(9000 + seed);
            let (room, led) = (20.0 + 20.0 * next(), 50.0 + 40.0 * next());
            let blue = Light::new(Colour::Blue, cadence_pattern(Cadence::Steady));
            let trace = a_blue_led_in_a_dim_warm_room((room, led), &blue, None, seed);
            let reading = rgb_classifier(None).classify(&trace);
            let want = Indication::new(Colour::Blue, Cadence::Steady);
            assert!(seen(&reading).is_none_or(|s| s == want), "{reading:?}");
            steady += usize::from(seen(&reading) == Some(want));
            let wink = Light::new(Colour::Blue, cadence_pattern(Cadence::Wink)).random_phase(seed);
            let pwm = Some((540.0, 0.5));
            let trace = a_blue_led_in_a_dim_warm_room((room, 2.0 * led), &wink, pwm, seed);
            let reading = rgb_classifier(None).classify(&trace);
            assert!(
                seen(&reading).is_none_or(|s| s.colour != Colour::Off),
                "{reading:?}"
            );
            winks_steady +=
                usize::from(seen(&reading).is_some_and(|s| s.cadence == Cadence::Steady));
        }
        assert!(steady >= 22, "{steady} of 40 read blue steady");
        assert!(winks_steady <= 1, "{winks_steady} of 40 winks read steady");
    }

    #[test]
    fn a_calibrated_off_light_in_a_dim_room_under_a_beat_is_never_lit() {
        // The dim room of `an_off_light_in_a_dim_room_under_a_beat_is_no_blink`, with its
        // dark line: a light must add 4 σ of a value's noise to it, no longer 20 counts,
        // and the beat and the noise together may reach that. Never read lit; 398 of 400
        // read off when this was written, the rest no answer (all 400 off under a floor
        // of 20 counts, which read the faint LEDs of the test above "off").
        let read = off_lights_in_a_dim_room_under_a_beat(5000, calibrated_to_the_room);
        assert_eq!(read.other, 0, "{} of 400 read lit", read.other);
        assert!(read.off >= 350, "{} of 400 read off", read.off);
    }

    #[test]
    fn an_off_light_under_a_beat_a_free_running_sensor_sees_is_off() {
        // The host's stamps are not the instants the light was read (up to a cycle
        // later), so the lock-in cannot fit the flicker, and the room's 120 Hz, 3-8%
        // deep, beats with the sensor's 125 Hz (give or take its clock) at about 5 Hz, a
        // flutter's pace. Noise of a third of the swing moves where the band cuts each
        // crest, so the runs it cuts range from a fifth of a crest to most of it, too
        // unevenly for any cadence or for the rule for an uneven beat; but a sinusoid
        // cut at any height is cut around its crest, so the crests' middles come once a
        // beat period: the room's beat, judged as one level. And the beat is the
        // flicker's with the sensor's own clock, which may run a little slower than the
        // host's reads (2% here: a sensor 0.8% slow beats at 4 Hz, not 5). 138 of 200
        // read off with neither rule, 158 with the crests' alone, 170 with the clock's
        // alone, 190 with both; the rest abstain. (With the window noise a slow sawtooth,
        // see `mixed`; with each window's own, 195.)
        let read = off_lights_under_drawn_beats(
            (1000, 200),
            (400.0, 1400.0),
            (0.03, 0.05),
            WITHIN_A_PERCENT,
            |level, _| 0.04 * level,
            calibrated_to_the_room,
        );
        assert_eq!(read.other, 0, "{} of 200 read lit", read.other);
        assert!(read.off >= 180, "{} of 200 read off", read.off);
    }

    #[test]
    fn an_off_light_under_a_beat_a_sensor_several_percent_slow_sees_is_off() {
        // As above, the sensor's own clock 2-6% slower than the host's reads: a
        // free-running converter keeps its own time (the ADS111x datasheets give its
        // data rate within ±10%), and 3% slow it beats 120 Hz read every 8 ms at 1.4 Hz,
        // not 5: where a cadence's tolerances leave a gap, "blinking, no cadence fits",
        // an off light read lit. The beat test allowing a clock 2% slow: 130 of 200 read
        // off, 13 no cadence fits; allowing 10%: 137 and 8 (the rest no answer).
        let read = off_lights_under_drawn_beats(
            (2000, 200),
            (400.0, 1400.0),
            (0.03, 0.05),
            (0.04, 0.04),
            |level, _| 0.04 * level,
            calibrated_to_the_room,
        );
        assert_eq!(read.other, 0, "{} of 200 read lit", read.other);
        assert!(read.no_fit <= 8, "{} of 200 read blinking", read.no_fit);
        assert!(read.off >= 135, "{} of 200 read off", read.off);
    }

    /// An LED dimmed by PWM at `pwm_hz` with `duty`, `peak` counts while its PWM is on,
    /// lit while `lit(t)`, read by a shrouded photodiode (25 counts dark, a few of noise)
    /// at `hz` through a window of `window_ms`, stamps jittered by up to `jitter_ms`
    /// either way.
    fn a_pwm_led_read_through_a_short_window(
        (pwm_hz, duty, peak): (f64, f64, f64),
        (hz, window_ms, jitter_ms): (f64, f64, f64),
        lit: impl Fn(f64) -> bool,
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        let (period, phase) = (1000.0 / pwm_hz, next());
        // The share of the window before `t` the LED shone: lit, and its PWM on.
        let shone = |t: f64| {
            window_mean(t, window_ms, 100, |u| {
                let on = lit(u) && (u / period + phase).rem_euclid(1.0) < duty;
                f64::from(u8::from(on))
            })
        };
        (0..(3.5 * hz) as u32)
            .map(|k| {
                let t = 1000.0 * f64::from(k) / hz + jitter_ms * 2.0 * (next() - 0.5);
                let c = 25.0 + peak * shone(t) + 6.0 * (next() - 0.5);
                Sample {
                    t_ms: t,
                    c: c.round() as f32,
                    ..Sample::default()
                }
            })
            .collect()
    }

    #[test]
    fn a_pwm_led_that_dips_to_the_dark_again_and_again_is_never_steady() {
        // Read through a window of a millisecond or two, the PWM's pulses ripple the lit
        // level by a good share of itself from sample to sample, and the noise figure
        // is the ripple's: no band is drawn, and a wink, one level with dips, read "on
        // steady". But the ripple reads dark only where a window falls wholly in the
        // PWM's off time; an LED held off for a wink's 50 ms reads the dark on several
        // samples in a row, entered and left within a sample, every period: no steady
        // light. Without the rule 5 of 80 winks read steady, none now; 75 of 80 steady
        // lights read steady either way (some at 40% duty read dark on a sample now and
        // then: their window fell wholly in the PWM's off time).
        let (mut winks_steady, mut steady_steady, mut runs) = (0, 0, 0);
        let mut seed = 0;
        for pwm_hz in [503.0, 751.0, 1002.0, 1499.0, 1996.0] {
            for duty in [0.4, 0.5, 0.7, 0.9] {
                let rates = [(100.0, 1.0), (125.0, 1.3), (125.0, 2.0), (100.0, 1.5)];
                for (hz, window_ms) in rates {
                    seed += 1;
                    let peak = 3000.0 + 5000.0 * uniform(seed)();
                    let start = 250.0 * uniform(seed + 7)();
                    let wink = |t: f64| (t + start).rem_euclid(250.0) < 200.0;
                    let read = |lit: &dyn Fn(f64) -> bool| {
                        let trace = a_pwm_led_read_through_a_short_window(
                            (pwm_hz, duty, peak),
                            (hz, window_ms, 2.0),
                            lit,
                            seed,
                        );
                        seen(&photodiode(None).classify(&trace))
                    };
                    let steady = Some(Indication::new(Colour::On, Cadence::Steady));
                    runs += 1;
                    if read(&wink) == steady {
                        winks_steady += 1;
                    }
                    if read(&|_| true) == steady {
                        steady_steady += 1;
                    }
                }
            }
        }
        assert_eq!(
            winks_steady, 0,
            "{winks_steady} of {runs} winks read steady"
        );
        assert!(
            steady_steady >= 72,
            "{steady_steady} of {runs} steady lights read steady"
        );
    }

    /// How an LCD segment is read: its bare level, the share of it left lit, the sensor's
    /// interval (jittered by a quarter of it either way) and its noise (uniform, peak to
    /// peak).
    struct LcdReading {
        bare: f64,
        lit_share: f64,
        interval_ms: f64,
        noise: f64,
    }

    impl Default for LcdReading {
        fn default() -> Self {
            Self {
                bare: 1800.0,
                lit_share: 0.4,
                interval_ms: 8.0,
                noise: 6.0,
            }
        }
    }

    impl LcdReading {
        /// A segment driven dark when `driven(t)`, for `duration_ms`, darkening and
        /// clearing exponentially with time constants `(tau_darken, tau_clear)` (ms).
        fn trace(
            &self,
            driven: impl Fn(f64) -> bool,
            duration_ms: f64,
            (tau_darken, tau_clear): (f64, f64),
            seed: u64,
        ) -> Vec<Sample> {
            let Self {
                bare,
                lit_share,
                interval_ms,
                noise,
            } = *self;
            let mut next = uniform(seed);
            let segment = LcdSegment {
                lit_share,
                taus: (tau_darken, tau_clear),
                first_ms: interval_ms,
            };
            segment.read(driven, duration_ms, |x| {
                let c = (bare * x + noise * (next() - 0.5)) as f32;
                (c, interval_ms * (1.0 + 0.25 * (next() - 0.5)))
            })
        }
    }

    /// An LCD segment's share of the bare display's light: 1 bare, `lit_share` driven
    /// dark, moving there exponentially with the time constants `taus` (darkening,
    /// clearing; ms).
    struct LcdSegment {
        lit_share: f64,
        taus: (f64, f64),
        /// When the first sample is read.
        first_ms: f64,
    }

    impl LcdSegment {
        /// The segment driven dark when `driven(t)`, for `duration_ms`, in steps of
        /// 0.1 ms; `read(share)` gives a sample's counts and the time to the next one.
        fn read(
            &self,
            driven: impl Fn(f64) -> bool,
            duration_ms: f64,
            mut read: impl FnMut(f64) -> (f32, f64),
        ) -> Vec<Sample> {
            let (tau_darken, tau_clear) = self.taus;
            let (mut x, mut t, mut t_sample) = (1.0f64, 0.0f64, self.first_ms);
            let mut trace = Vec::new();
            while t < duration_ms {
                let (target, tau) = if driven(t) {
                    (self.lit_share, tau_darken)
                } else {
                    (1.0, tau_clear)
                };
                x += (target - x) * (0.1 / tau);
                t += 0.1;
                if t >= t_sample {
                    let (c, to_next_ms) = read(x);
                    trace.push(Sample {
                        t_ms: t,
                        c,
                        ..Sample::default()
                    });
                    t_sample += to_next_ms;
                }
            }
            trace
        }
    }

    #[test]
    fn a_faint_lcd_flash_the_band_cannot_cut_at_100_hz_is_rarely_off() {
        // A display in a dim room (a bare level of 25-40 counts) whose segment darkens
        // by 55-70%, flashing, read at 100 Hz with noise of a third of the darkening
        // (uniform, 20 counts peak to peak): the room's flicker (100 Hz mains, unseen)
        // may be seen at one phase and darken the bare display by a third. The band may
        // not cut the flash, and a run holding both levels reads between them, within
        // that third. But a flicker seen at one phase darkens every reading alike: a
        // run it darkened by D varies about its mean by at most the rest of its swing,
        // and the flash's two levels vary more. Such a run is not the bare display: no
        // answer (59 of 200 read off without that, 11 now).
        let mut read = OffOrNot::default();
        for seed in 0..200u64 {
            let mut next = uniform(7000 + seed);
            let lcd = LcdReading {
                bare: 25.0 + 15.0 * next(),
                lit_share: 0.3 + 0.15 * next(),
                interval_ms: 10.0,
                noise: 20.0,
            };
            let start = 1000.0 * next();
            let flash = |t: f64| (t + start) % 1000.0 < 500.0;
            let trace = lcd.trace(flash, 3500.0, (10.0, 25.0), seed);
            read.count(&reflective(Some(lcd.bare as f32)).classify(&trace));
        }
        assert!(
            read.off <= 20,
            "{} of 200 read off ({} answered otherwise)",
            read.off,
            read.other
        );
    }

    #[test]
    fn a_faint_lcd_s_quieter_segment_is_no_measure_of_its_bare_noise() {
        // A dim room's display (bare 40-120 counts) whose segment keeps 40-60% of the
        // light, blinking from a random phase, read at 100 or 125 Hz with shot noise
        // (variance 0.1-1 counts per count) and read noise, in whole counts. A darkened
        // segment reflects less light, so it is the quieter state. Before its first
        // band the stream takes every sample as the bare display's; where the trace
        // begins darkened, nine of them settled a noise figure for the bare display
        // that was the segment's. Its floors then sat under the bare display's noise.
        // A dark noise is believed only from three times as many changes (818 of 1000
        // right and 43 read steady or off before, 842 and 31 now).
        let (mut right, mut forbidden) = (0, 0);
        for seed in 0..1000u64 {
            let mut next = uniform(900 + seed);
            let mut noise = gaussian(5000 + seed);
            let bare = 40.0 + 80.0 * next();
            let keep = 0.4 + 0.2 * next();
            let (shot, read) = (0.1 + 0.9 * next(), 0.5 + 2.0 * next());
            let interval_ms = if next() < 0.5 { 10.0 } else { 8.0 };
            let cadence = BLINKS[(4.0 * next()) as usize];
            let light = Light::new(Colour::On, cadence_pattern(cadence)).random_phase(seed);
            let (tau_darken, tau_clear) = (5.0 + 15.0 * next(), 10.0 + 30.0 * next());
            let segment = LcdSegment {
                lit_share: keep,
                taus: (tau_darken, tau_clear.max(tau_darken)),
                first_ms: interval_ms,
            };
            let trace = segment.read(
                |t| light.lit_at(t).is_some(),
                3500.0,
                |x| {
                    let level = bare * x;
                    let sigma = (shot * level + read * read).sqrt();
                    let c = (level + sigma * noise()).round().max(0.0) as f32;
                    (c, interval_ms * (1.0 + 0.1 * (next() - 0.5)))
                },
            );
            match seen(&reflective(Some(bare as f32)).classify(&trace)) {
                Some(i) if i == Indication::new(Colour::On, cadence) => right += 1,
                Some(i) if i.colour == Colour::Off || i.cadence == Cadence::Steady => {
                    forbidden += 1
                }
                _ => {}
            }
        }
        assert!(forbidden <= 36, "{forbidden} of 1000 read steady or off");
        assert!(right >= 832, "{right} of 1000 read right");
    }

    #[test]
    fn a_slow_lcd_read_at_100_hz_flutters_though_it_never_holds_a_level() {
        // Darkening over 12 ms, clearing over 45: read every ~10 ms, every sample of a
        // flutter is on a ramp, and the changes (up to a third of the 220-count depth)
        // read as noise of 25 counts, against 3.5 of the sensor's own: no floor drawn
        // from them lets the blink be seen. The changes of changes see only the ramps'
        // curvature.
        let lcd = LcdReading {
            bare: 340.0,
            lit_share: 0.35,
            interval_ms: 10.6,
            noise: 12.0,
        };
        let flutter = |t: f64| t % 100.0 >= 50.0;
        for seed in 0..10 {
            let trace = lcd.trace(flutter, 3500.0, (12.0, 45.0), seed);
            assert_eq!(
                seen(&reflective(Some(340.0)).classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::Flutter)),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn a_drift_going_on_at_the_end_of_the_evidence_is_not_the_run_before_it() {
        // A flash (500 ms lit, 500 dark) whose last lit run, 300 ms in, fades out over
        // 150 ms, too slowly to be a step: an undecided change, still going on when the
        // trace ends 350 ms later. Like a pending edge, it ends the evidence: the run
        // before it is not read as lit until the end (800 ms: no flash's on time).
        let mut next = uniform(3);
        let trace: Vec<Sample> = (0..3300)
            .map(|k| {
                let t = f64::from(k);
                let lit = match t {
                    t if t < 2800.0 => f64::from(u8::from(t % 1000.0 >= 500.0)),
                    t => (1.0 - (t - 2800.0) / 150.0).max(0.0),
                };
                Sample {
                    t_ms: t,
                    c: (12.0 + 400.0 * lit + 6.0 * (next() - 0.5)) as f32,
                    ..Sample::default()
                }
            })
            .collect();
        assert_eq!(
            seen(&photodiode(Some(12.0)).classify(&trace)),
            Some(Indication::new(Colour::On, Cadence::Flash))
        );
    }

    #[test]
    fn a_slow_lcd_s_lit_runs_are_not_read_long_by_its_clearing_time() {
        // Darkening in ~7 ms (10–90%), clearing in ~40 ms: its lit runs are read at the
        // halfway point of both ramps, not ended where the slow clearing reaches the
        // turn-off threshold (which read each lit run long by most of a clearing time,
        // and no flutter).
        assert_eq!(
            seen(&reflective(Some(1800.0)).classify(&slow_lcd_flutter(3.0, 18.0, 5))),
            Some(Indication::new(Colour::On, Cadence::Flutter))
        );
    }

    #[test]
    fn a_slow_lcd_s_broken_flutter_is_no_flash() {
        // Broken flutter (bursts of 50 ms dark, 50 ms bare for 500 ms, then 500 ms bare)
        // on a segment darkening in ~45 ms and clearing in ~85 ms (10–90%): it never
        // settles within a pulse, and a band drawn to the bursts' mean cuts only the
        // bursts, the times of a flash. But each burst swings back and forth across most
        // of its depth at the flutter's rate: broken flutter. The same segment flashing
        // holds each level: a flash.
        let broken_flutter = |t: f64| t % 1000.0 < 500.0 && t % 100.0 < 50.0;
        let flash = |t: f64| t % 1000.0 < 500.0;
        for (bare, seed) in [(Some(1800.0), 1), (None, 2), (Some(1800.0), 4), (None, 5)] {
            let trace = slow_lcd_driven(broken_flutter, 4300.0, (20.0, 39.0), seed);
            assert_eq!(
                seen(&reflective(bare).classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::BrokenFlutter)),
                "{bare:?}"
            );
            let trace = slow_lcd_driven(flash, 4300.0, (20.0, 39.0), seed);
            assert_eq!(
                seen(&reflective(bare).classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::Flash)),
                "{bare:?}"
            );
        }
    }

    /// An LED fluttering for 4 s, read at 200 Hz by a calibrated RGB sensor (dark 12 counts
    /// a channel), whose green reads `g_per_r` of its red: `before` until 3.52 s, then
    /// `after` (hue ≈ 60° × g/r).
    fn flutter_whose_hue_moves(before: f32, after: f32) -> Reading {
        let light = Light::new(Colour::Amber, cadence_pattern(Cadence::Flutter));
        let trace: Vec<Sample> = (0..800)
            .map(|k| {
                let t = 5.0 * f64::from(k);
                let g_per_r = if t < 3520.0 { before } else { after };
                let lit = if light.lit_at(t).is_some() { 1.0 } else { 0.0 };
                let (r, g) = (3000.0 * lit, 3000.0 * g_per_r * lit);
                Sample {
                    t_ms: t,
                    r: 12.0 + r,
                    g: 12.0 + g,
                    b: 12.0,
                    c: 48.0 + 1.3 * (r + g),
                }
            })
            .collect();
        calibrated().classify(&trace)
    }

    #[test]
    fn runs_named_either_side_of_a_boundary_by_a_degree_are_one_light() {
        // An amber at 11.5° (just above red's end at 10.5°) whose last pulses read 9.5°:
        // one light at the boundary, not a light turned red: amber flutter.
        assert_eq!(
            seen(&flutter_whose_hue_moves(0.1917, 0.1583)),
            Some(Indication::new(Colour::Amber, Cadence::Flutter))
        );
        // Turned a red of 3°: a change of colour, no amber flutter.
        assert_ne!(
            seen(&flutter_whose_hue_moves(0.1917, 0.05)),
            Some(Indication::new(Colour::Amber, Cadence::Flutter))
        );
    }

    #[test]
    fn a_wink_whose_bare_time_a_slow_lcd_never_clears_is_a_wink() {
        // Clearing in ~130 ms (10–90%): the wink's 50 ms bare times lighten the segment by
        // 57% of its swing, never to the calibrated bare level, and the band drawn to it
        // never saw them (read "on steady"). Drawn to the lightest the segment shows
        // instead, they are the wink they are.
        for seed in 1..4 {
            let trace = slow_lcd((200.0, 50.0), 15.0, 60.0, seed);
            assert_eq!(
                seen(&reflective(Some(1800.0)).classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::Wink)),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn a_slow_lcd_s_skew_is_no_fault_of_the_phone_s_duty() {
        // Halfway, the two ramps still differ: clearing in ~65 ms (10–90%) after
        // darkening in ~7 ms reads each dark run ~18 ms long (a 68/32 flutter); darkening
        // in ~55 ms after clearing in ~7 ms, ~14 ms short. The phone's driver held 50/50:
        // a flutter.
        for (tau_darken, tau_clear) in [(3.0, 30.0), (25.0, 3.0)] {
            for seed in 1..4 {
                let trace = slow_lcd_flutter(tau_darken, tau_clear, seed);
                assert_eq!(
                    seen(&reflective(Some(1800.0)).classify(&trace)),
                    Some(Indication::new(Colour::On, Cadence::Flutter)),
                    "darkening τ {tau_darken} ms, clearing τ {tau_clear} ms, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn a_steady_led_whose_pwm_beats_with_the_window_is_steady_not_a_blink() {
        // A steady LED read through a window its PWM beats with: each sample reads
        // anywhere within ±100 counts of a level that sits now near 240 counts for
        // 20-300 ms, now near 130 for 15-40 ms (longer than a smoothing box can average).
        // Both are far above the dark line, so the light never went off: no cadence, one
        // lit level. A real flutter stays a flutter.
        let classifier = photodiode(Some(12.0));
        let mut next = uniform(7);
        let (mut samples, mut t, mut high) = (Vec::new(), 0.0, true);
        while t < 4000.0 {
            let until = t + if high {
                20.0 + 280.0 * next()
            } else {
                15.0 + 25.0 * next()
            };
            while t < until {
                let level = if high { 240.0 } else { 130.0 };
                let c = (level + 200.0 * (next() - 0.5)) as f32;
                samples.push(Sample {
                    t_ms: t,
                    c,
                    ..Sample::default()
                });
                t += 1.0;
            }
            high = !high;
        }
        assert_eq!(
            seen(&classifier.classify(&samples)),
            Some(Indication::new(Colour::On, Cadence::Steady))
        );
        // Without a dark line the lower level may be an unshrouded sensor's room light,
        // and the steps (110 counts, eight σ of the smoothed signal) an LED switched at
        // times no cadence has: neither steady nor a cadence.
        let uncalibrated = photodiode(None);
        assert_eq!(seen(&uncalibrated.classify(&samples)), None);
        let flutter = Light::new(Colour::On, cadence_pattern(Cadence::Flutter));
        let trace = Sensor::level(1000.0)
            .with_led(600.0)
            .trace(&flutter, 0.0, 4000.0, 3);
        for classifier in [classifier, uncalibrated] {
            assert_eq!(
                seen(&classifier.classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::Flutter))
            );
        }
    }

    #[test]
    fn a_dim_led_read_sample_by_sample_through_heavy_noise_is_read_right() {
        // 70 counts of LED over a 12-count dark, read at 100 Hz with 11 counts of noise
        // per sample (6σ): early in a trace the noise estimate still carries the first
        // edges, so the first runs are cut wrong and mix lit and dark samples. A mixture
        // reads far above the calibrated dark: it must teach neither the dark level nor
        // how far a dark light wanders, or the band never recovers.
        let classifier = photodiode(Some(12.0));
        let sensor = Sensor::level(100.0).with_led(70.0).with_noise(11.0);
        for cadence in [
            Cadence::Steady,
            Cadence::Wink,
            Cadence::Flash,
            Cadence::Flutter,
        ] {
            let mut right = 0;
            for seed in 0..60 {
                let light = Light::new(Colour::On, cadence_pattern(cadence)).random_phase(seed);
                let mut trace = sensor.trace(&light, 0.0, 3200.0, seed);
                // Counts are whole and never negative.
                trace.retain(|s| s.t_ms >= 0.0);
                for s in &mut trace {
                    s.c = s.c.max(0.0).round();
                }
                // Never a wrong reading; rarely none.
                match classifier.classify(&trace) {
                    Reading::Seen(o) if o.indication == Indication::new(Colour::On, cadence) => {
                        right += 1
                    }
                    Reading::NotEnoughEvidence => {}
                    other => panic!("{cadence:?} seed {seed}: {other:?}"),
                }
            }
            assert!(right >= 57, "{cadence:?}: {right} of 60 right");
        }
    }

    #[test]
    fn a_pwm_led_whose_pulses_a_short_window_mostly_misses_is_never_read_off() {
        // A short window on a low-duty PWM catches a whole pulse (300 counts) on one
        // sample in sixteen and nothing between: the lit level's mean is less than any
        // light must add, too faint for the band, but no dark LED reads 300 counts above
        // its dark. (It was read off.)
        let classifier = photodiode(Some(27.0));
        let mut next = uniform(11);
        let pattern = cadence_pattern(Cadence::BrokenFlutter);
        let light = Light::new(Colour::Blue, pattern);
        let samples: Vec<Sample> = (0..3500)
            .map(|i| {
                let t_ms = f64::from(i);
                let pulse = light.indication_at(t_ms).colour != Colour::Off && next() < 0.06;
                let c = 27.0 + 3.0 * (next() - 0.5) + if pulse { 300.0 } else { 0.0 };
                Sample {
                    t_ms,
                    c: c.round() as f32,
                    ..Sample::default()
                }
            })
            .collect();
        let reading = classifier.classify(&samples);
        assert!(
            matches!(
                seen(&reading),
                None | Some(Indication {
                    colour: Colour::On,
                    cadence: Cadence::BrokenFlutter
                })
            ),
            "{reading:?}"
        );
    }

    #[test]
    fn a_light_going_off_between_two_samples_of_a_slow_sensor_reads_off() {
        // At 100 Hz a sample's window can straddle the light going off: the first dark
        // run begins on a sample half lit, far brighter than any dark LED reads. That
        // sample is the edge's, not a light the run held.
        let classifier = photodiode(Some(12.0));
        let samples: Vec<Sample> = (0..400)
            .map(|i| {
                let t_ms = f64::from(i) * 10.0;
                let wiggle = [0.0, 2.0, -1.0, 1.0][i as usize % 4];
                let c = match t_ms {
                    t if t < 1500.0 => 2012.0,
                    t if t < 1505.0 => 1000.0,
                    _ => 12.0,
                } + wiggle;
                Sample {
                    t_ms,
                    c,
                    ..Sample::default()
                }
            })
            .collect();
        assert_eq!(seen(&classifier.classify(&samples)), Some(Indication::OFF));
    }

    #[test]
    fn a_faint_lcd_in_a_dim_room_read_sample_by_sample_still_blinks() {
        // 60 counts bare, 21 darkened: the contrast is 7.8σ of one sample, and a run of
        // five samples shows its level to σ/√5: the blink is plain to see. (While a run
        // level had to clear 4σ of one sample, and the bare level's wander could cross a
        // turn-off threshold meant for PWM ripple, 2 of these 100 flutters read off.)
        let (bare, sigma) = (60.0, 5.0);
        let sensor = Sensor::reflective(100.0, bare).with_noise(sigma);
        let mut abstained = 0;
        for seed in 0..100 {
            for (pattern, want) in [
                (Pattern::Off, Indication::OFF),
                (
                    Pattern::Steady,
                    Indication::new(Colour::On, Cadence::Steady),
                ),
                (
                    cadence_pattern(Cadence::Flash),
                    Indication::new(Colour::On, Cadence::Flash),
                ),
                (
                    cadence_pattern(Cadence::Flutter),
                    Indication::new(Colour::On, Cadence::Flutter),
                ),
            ] {
                let light = Light::new(Colour::On, pattern).random_phase(seed);
                let trace = sensor.trace(&light, 0.0, 3500.0, seed);
                match reflective(Some(bare)).classify(&trace) {
                    Reading::Seen(o) if o.indication == want => {}
                    Reading::NotEnoughEvidence => abstained += 1,
                    other => panic!("seed {seed} {pattern:?}: {other:?}"),
                }
            }
        }
        assert!(abstained <= 2, "{abstained} of 400 abstained");
    }

    #[test]
    fn a_segment_darkened_less_than_most_under_a_locked_flicker_is_never_off() {
        // Read at 100 Hz, a 100 Hz mains flicker is seen at one phase: the bare display
        // may then read anywhere down to a third below its calibrated level, at the
        // flicker's trough. A segment lit steady that darkens it by 20-30% reads there
        // too: no answer, neither "off" (it was "off" in all 40) nor "on". The bare
        // display a few percent low (drift) is off.
        let bare = 1000.0;
        let steady = |share: f64, seed: u64| -> Vec<Sample> {
            let mut gauss = gaussian(seed);
            (0..350)
                .map(|k| Sample {
                    t_ms: 10.0 * f64::from(k) + 0.5 * gauss(),
                    c: (bare * (1.0 - share) + 6.0 * gauss()) as f32,
                    ..Sample::default()
                })
                .collect()
        };
        let classifier = reflective(Some(bare as f32));
        for seed in 0..10 {
            // (Lit or the bare display at the trough: neither "on" nor "off" is sure.)
            for share in [0.2, 0.24, 0.27, 0.3] {
                let reading = seen(&classifier.classify(&steady(share, seed)));
                assert_eq!(reading, None, "darkened {share}");
            }
            let drifted = seen(&classifier.classify(&steady(0.04, seed)));
            assert_eq!(drifted, Some(Indication::OFF));
        }
    }

    #[test]
    fn a_reflective_lcd_without_its_bare_level_needs_both_levels_in_view() {
        let sensor = Sensor::reflective(100.0, 1800.0);
        let steady_on = sensor.trace(&Light::new(Colour::On, Pattern::Steady), 0.0, 3000.0, 1);
        assert_eq!(
            reflective(None).classify(&steady_on),
            Reading::NotEnoughEvidence
        );
        let flash = Light::new(Colour::On, cadence_pattern(Cadence::Flash));
        let trace = sensor.trace(&flash, 0.0, 3000.0, 1);
        assert_eq!(
            seen(&reflective(None).classify(&trace)),
            Some(Indication::new(Colour::On, Cadence::Flash))
        );
    }

    #[test]
    fn an_emissive_level_sensor_reads_lit_as_on() {
        let classifier = photodiode(Some(12.0));
        let light = Light::new(Colour::Red, cadence_pattern(Cadence::Wink));
        let trace = Sensor::level(1000.0).trace(&light, 0.0, 2000.0, 8);
        assert_eq!(
            seen(&classifier.classify(&trace)),
            Some(Indication::new(Colour::On, Cadence::Wink))
        );
    }

    #[test]
    fn empty_or_tiny_windows_give_not_enough_evidence() {
        let classifier = calibrated();
        assert_eq!(classifier.classify(&[]), Reading::NotEnoughEvidence);
        let light = Light::new(Colour::Green, Pattern::Steady);
        let trace = Sensor::rgbc(1000.0).trace(&light, 0.0, 2.0, 1);
        assert!(!trace.is_empty() && trace.len() < 4);
        assert_eq!(classifier.classify(&trace), Reading::NotEnoughEvidence);
        // Plenty of samples, but shorter than the settle time.
        let trace = Sensor::rgbc(1000.0).trace(&light, 0.0, 1100.0, 1);
        assert_eq!(classifier.classify(&trace), Reading::NotEnoughEvidence);
    }

    #[test]
    fn gaps_void_steady_only_where_they_could_hide_a_blink() {
        let light = Light::new(Colour::Green, Pattern::Steady);
        let trace = Sensor::rgbc(100.0).trace(&light, 0.0, 3000.0, 1);
        let steady = Some(Indication::new(Colour::Green, Cadence::Steady));
        assert_eq!(seen(&calibrated().classify(&trace)), steady);
        // One 60 ms hole could hide one wink, never the four a wink shows in a settle
        // time: steady stands.
        let mut one = trace.clone();
        one.retain(|s| !(2140.0..2200.0).contains(&s.t_ms));
        assert_eq!(seen(&calibrated().classify(&one)), steady);
        // A hole every wink period could hide every wink: not proven.
        let mut many = trace.clone();
        many.retain(|s| (s.t_ms % 250.0) < 190.0 || s.t_ms < 1500.0);
        assert_eq!(calibrated().classify(&many), Reading::NotEnoughEvidence);
        // As many holes, but the light seen whole for longer than a wink's period between
        // two of them: a wink would have shown its off time there.
        let mut spread = trace.clone();
        spread.retain(|s| {
            ![2000.0, 2150.0, 2300.0, 2700.0]
                .iter()
                .any(|&hole| (hole..hole + 60.0).contains(&s.t_ms))
        });
        assert_eq!(seen(&calibrated().classify(&spread)), steady);
        // A 350 ms hole could hide a flash's off time: what came before it is void.
        let mut long = trace.clone();
        long.retain(|s| !(2000.0..2350.0).contains(&s.t_ms));
        assert_eq!(calibrated().classify(&long), Reading::NotEnoughEvidence);
        // So is a blink seen before it: a flash seen for two seconds, then for half a
        // period after the hole, is not yet known to flash still.
        let flash = Light::new(Colour::Green, cadence_pattern(Cadence::Flash));
        for hz in [100.0, 1000.0] {
            let mut blink = Sensor::rgbc(hz).trace(&flash, 0.0, 2900.0, 1);
            let flashing = Some(Indication::new(Colour::Green, Cadence::Flash));
            assert_eq!(seen(&calibrated().classify(&blink)), flashing, "{hz} Hz");
            blink.retain(|s| !(2000.0..2350.0).contains(&s.t_ms));
            assert_eq!(
                calibrated().classify(&blink),
                Reading::NotEnoughEvidence,
                "{hz} Hz"
            );
        }
    }

    #[test]
    fn a_blink_goes_on_through_a_stall_that_hid_its_last_off_time() {
        // A wink at 100 Hz (off 200–250 ms of each 250) whose last off time a stall hid
        // but for one dark sample: the run going on has outlasted a wink's on time only
        // because of the stall.
        let light = Light::new(Colour::Green, cadence_pattern(Cadence::Wink));
        let mut trace = Sensor::rgbc(100.0).trace(&light, 0.0, 2700.0, 1);
        trace.retain(|s| !(2455.0..2520.0).contains(&s.t_ms));
        assert_eq!(
            seen(&calibrated().classify(&trace)),
            Some(Indication::new(Colour::Green, Cadence::Wink))
        );
    }

    #[test]
    fn the_mains_beating_with_the_sample_rate_is_no_blink() {
        // An off LED under a lamp flickering 15% at 119.8 Hz, read at 125 Hz: the flicker
        // beats at 5.2 Hz, a rise and fall every 190 ms in the room light's own colour.
        // So it does with reads lost (4–5%, which made the mean interval a 119–120 Hz
        // rate's: the beat would be slower) and stamps jittered around the sensor's
        // instants.
        for (lost_every, jitter_ms) in [(u32::MAX, 0.0), (20, 0.0), (19, 1.0), (23, 1.0)] {
            mains_beat_read(lost_every, jitter_ms);
        }
    }

    /// `count` level samples every `interval_ms` at `level`, give or take 5 counts
    /// (seeded by `seed`).
    fn one_level(interval_ms: f64, count: u32, level: f64, seed: u64) -> Vec<Sample> {
        one_level_within(interval_ms, count, (level, 5.0), seed)
    }

    /// The same, give or take `within` counts.
    fn one_level_within(
        interval_ms: f64,
        count: u32,
        (level, within): (f64, f64),
        seed: u64,
    ) -> Vec<Sample> {
        let mut next = uniform(seed);
        (0..count)
            .map(|k| Sample {
                t_ms: interval_ms * f64::from(k),
                c: (level + 2.0 * within * (next() - 0.5)) as f32,
                ..Sample::default()
            })
            .collect()
    }

    /// Each `(level, want)`: [`one_level`] at `level` (`interval_ms`, `count`, `seed`)
    /// read by `classifier` as `want`.
    fn one_level_reads(
        classifier: &Classifier,
        (interval_ms, count, seed): (f64, u32, u64),
        cases: [(f64, Option<Indication>); 3],
    ) {
        for (level, want) in cases {
            let reading = classifier.classify(&one_level(interval_ms, count, level, seed));
            assert_eq!(seen(&reading), want, "{level}: {reading:?}");
        }
    }

    #[test]
    fn one_level_a_locked_flicker_may_have_lifted_is_not_called_dark() {
        // Read at 100 Hz, a rate a 100 Hz flicker is seen at one phase: the dark, reading
        // 1000 when calibrated, may read up to a third higher at the flicker's crest. One
        // level 20% above it is a dim LED or that crest: no answer. At the calibration it
        // is dark; twice as bright, lit.
        one_level_reads(
            &photodiode(Some(1000.0)),
            (10.0, 350, 4),
            [
                (1200.0, None),
                (1000.0, Some(Indication::OFF)),
                (2000.0, Some(Indication::new(Colour::On, Cadence::Steady))),
            ],
        );
    }

    #[test]
    fn one_level_a_room_seen_on_the_other_mains_cannot_have_lifted_is_lit() {
        // As above, 20% above the calibrated dark at 100 Hz, but the room's flicker is
        // seen at 120 Hz (10% deep, aliased to 20 Hz): a room is on one mains, so no
        // 100 Hz flicker is locked to the rate, and the lift is a light.
        let mut trace = one_level(10.0, 350, 1200.0, 4);
        for s in &mut trace {
            s.c += (100.0 * (std::f64::consts::TAU * 0.1201 * s.t_ms + 0.3).sin()) as f32;
        }
        let reading = photodiode(Some(1000.0)).classify(&trace);
        assert_eq!(
            seen(&reading),
            Some(Indication::new(Colour::On, Cadence::Steady)),
            "{reading:?}"
        );
    }

    #[test]
    fn one_level_above_what_a_dark_light_reads_and_below_a_light_is_no_answer() {
        // Read at 250 Hz (no lock to the mains), the dark at 150 counts. Lifted by 15
        // counts, more than the room's drift (9) and noise, less than a light adds (20):
        // the mean of a dim blink the band could not cut, never "off". Within drift it is
        // dark; 60 counts up, lit.
        one_level_reads(
            &photodiode(Some(150.0)),
            (4.0, 1000, 9),
            [
                (165.0, None),
                (154.0, Some(Indication::OFF)),
                (210.0, Some(Indication::new(Colour::On, Cadence::Steady))),
            ],
        );
    }

    #[test]
    fn one_level_darker_than_the_room_can_make_the_bare_display_is_a_faint_segment() {
        // An LCD whose bare display reads 1000, read at 125 Hz (no mains flicker is seen
        // at one phase). The room drifts the bare display by a few percent, not by a
        // quarter: one level 27% darker, held, is a faint "on" segment (a worn LCD, read
        // at an angle). Within drift of the bare level it is dark; at half of it, lit.
        one_level_reads(
            &reflective(Some(1000.0)),
            (8.0, 440, 7),
            [
                (730.0, Some(Indication::new(Colour::On, Cadence::Steady))),
                (970.0, Some(Indication::OFF)),
                (500.0, Some(Indication::new(Colour::On, Cadence::Steady))),
            ],
        );
    }

    #[test]
    fn a_faint_segment_s_wink_is_cut_into_runs() {
        // An LCD darkening by only 13% of its bare 1000 counts (a worn segment), winking,
        // read at 125 Hz with a little jitter and noise: a darkening that big is no room
        // drift, and its bare 50 ms are edges, not a steady segment's wander.
        for seed in 1..=4 {
            let light = Light::new(Colour::On, cadence_pattern(Cadence::Wink)).random_phase(seed);
            let mut next = uniform(seed);
            let trace: Vec<Sample> = (0..440)
                .map(|k| {
                    let t = 8.0 * f64::from(k) + 2.0 * (next() - 0.5);
                    let level = if light.lit_at(t).is_some() {
                        870.0
                    } else {
                        1000.0
                    };
                    Sample {
                        t_ms: t,
                        c: (level + 12.0 * (next() - 0.5)) as f32,
                        ..Sample::default()
                    }
                })
                .collect();
            assert_eq!(
                seen(&reflective(Some(1000.0)).classify(&trace)),
                Some(Indication::new(Colour::On, Cadence::Wink)),
                "seed {seed}"
            );
        }
    }

    /// 3 s at 250 Hz (jittered ±1 ms, ±2 counts of noise) of a photodiode reading
    /// `room` counts of room light flickering `depth` deep at 100.2 Hz, plus `led` counts.
    fn under_a_room(room: f64, depth: f64, led: f64, seed: u64) -> Vec<Sample> {
        let mut next = uniform(seed);
        (0..750)
            .map(|k| {
                let t = 4.0 * f64::from(k) + 2.0 * (next() - 0.5);
                let flicker = 1.0 + depth * (std::f64::consts::TAU * 0.1002 * t).sin();
                Sample {
                    t_ms: t,
                    c: (room * flicker + led + 4.0 * (next() - 0.5)) as f32,
                    ..Sample::default()
                }
            })
            .collect()
    }

    #[test]
    fn one_level_an_uncalibrated_sensor_sees_the_room_flicker_in_is_no_answer() {
        // No dark measured: a shrouded sensor reads under 48 counts dark, so one level
        // above that is lit. But 500 counts flickering 20% deep at the mains is the room's
        // light reaching the sensor (an LED does not flicker at the mains): no shroud. An
        // LED off under that lamp and one lit read alike: no answer.
        let sensor = photodiode(None);
        for led in [0.0, 300.0] {
            let reading = sensor.classify(&under_a_room(500.0, 0.2, led, 3));
            assert_eq!(reading, Reading::NotEnoughEvidence, "LED {led}");
        }
        // Under a shroud the room's 30 counts flicker by 9 at most: an LED adding 200 is
        // lit, however deep that flicker.
        let lit = Some(Indication::new(Colour::On, Cadence::Steady));
        assert_eq!(
            seen(&sensor.classify(&under_a_room(30.0, 0.3, 200.0, 3))),
            lit
        );
        // And where no flicker shows, the shroud is assumed (the docs ask for one).
        assert_eq!(
            seen(&sensor.classify(&under_a_room(500.0, 0.0, 0.0, 3))),
            lit
        );
    }

    #[test]
    fn one_level_a_faint_segment_would_darken_to_that_ranges_wider_is_no_answer() {
        // The same 27% darker on average, but ranging over ±180 counts: more than it
        // darkened. That is what a blink the band could not cut shows (its mean anywhere
        // between its levels), not a segment held dark: no answer.
        let trace = one_level_within(8.0, 440, (730.0, 180.0), 9);
        let reading = reflective(Some(1000.0)).classify(&trace);
        assert_eq!(reading, Reading::NotEnoughEvidence);
    }

    #[test]
    fn a_dim_blink_under_a_deep_120hz_flicker_is_read_through_the_box() {
        // An LED adding 120 counts to a room reading 800, flickering 30% deep at 120.2 Hz
        // (±240 counts), read at 250 Hz with stamps jittered ±1.5 ms and one read in 25
        // lost. The 20 ms box holds 2.4 flicker periods and leaves an eighth of its swing
        // (more with the jitter): as large as the LED's step. With the flicker taken
        // off first, every blink is read.
        for (cadence, seed) in BLINKS.iter().zip(30..) {
            let light = Light::new(Colour::On, cadence_pattern(*cadence)).random_phase(seed);
            let mut next = uniform(seed);
            let trace: Vec<Sample> = (0..1000)
                .filter(|k| k % 25 != 11)
                .map(|k| {
                    let t = 4.0 * f64::from(k) + 3.0 * (next() - 0.5);
                    let room = 800.0 * (1.0 + 0.3 * (std::f64::consts::TAU * 0.1202 * t).sin());
                    let led = if light.lit_at(t).is_some() {
                        120.0
                    } else {
                        0.0
                    };
                    Sample {
                        t_ms: t,
                        c: (room + led + 4.0 * (next() - 0.5)) as f32,
                        ..Sample::default()
                    }
                })
                .collect();
            let reading = photodiode(Some(800.0)).classify(&trace);
            assert_eq!(
                seen(&reading),
                Some(Indication::new(Colour::On, *cadence)),
                "{cadence:?}: {reading:?}"
            );
        }
    }

    fn mains_beat_read(lost_every: u32, jitter_ms: f64) {
        let room = [0.28f32, 0.49, 0.23];
        let dark = 700.0f32;
        let mut next = uniform(5);
        let mut stamp = uniform(6);
        let mut t_prev = f64::NEG_INFINITY;
        let trace: Vec<Sample> = (0..450)
            .filter(|i| i % lost_every != 7)
            .map(|i| {
                let t = 8.0 * f64::from(i);
                let at = (t + jitter_ms * (stamp() - 0.5) * 3.46).max(t_prev);
                t_prev = at;
                let flicker = 1.0 + 0.15 * (std::f64::consts::TAU * 0.1198 * t).sin() as f32;
                let jiggle = (next() * 6.0 - 3.0) as f32;
                let c = dark * flicker + jiggle;
                Sample {
                    t_ms: at,
                    r: room[0] * c,
                    g: room[1] * c,
                    b: room[2] * c,
                    c,
                }
            })
            .collect();
        let cal = DarkLevel::Rgbc([room[0] * dark, room[1] * dark, room[2] * dark, dark]);
        let reading = rgb_classifier(Some(cal)).classify(&trace);
        assert_eq!(
            seen(&reading),
            Some(Indication::OFF),
            "one read in {lost_every} lost, stamps ±{jitter_ms} ms: {reading:?}"
        );
    }

    #[test]
    fn one_level_within_twice_the_drift_above_a_bright_dark_is_no_answer() {
        // A photodiode calibrated at 1000 counts of room light. The room may have drifted
        // since by the drift bound (6%), and the calibration itself may be off by as
        // much (a short mean under a flicker): one level 9% above it is an LED adding
        // 9% or no light at all, and "on steady" blamed a light that was off. Within one
        // drift it is dark; a light adding a fifth is lit.
        let sensor = photodiode(Some(1000.0));
        let reading = |led| sensor.classify(&under_a_room(1000.0, 0.0, led, 5));
        assert_eq!(seen(&reading(30.0)), Some(Indication::OFF));
        assert_eq!(reading(90.0), Reading::NotEnoughEvidence);
        assert_eq!(
            seen(&reading(200.0)),
            Some(Indication::new(Colour::On, Cadence::Steady))
        );
    }

    #[test]
    fn a_light_gone_off_in_a_brighter_room_is_not_lit() {
        // Calibrated dark at 12 counts; a green light steps off after a second, and the
        // room now reads 90: above the calibration, but the step down was the light's.
        let trace: Vec<Sample> = (0..300)
            .map(|i| {
                let t_ms = 10.0 * f64::from(i);
                let jiggle = (i % 5) as f32;
                let (r, g, b) = if t_ms < 1000.0 {
                    (100.0, 1000.0, 200.0)
                } else {
                    (30.0, 30.0, 30.0)
                };
                Sample {
                    t_ms,
                    r: r + jiggle,
                    g: g + jiggle,
                    b: b + jiggle,
                    c: r + g + b + 3.0 * jiggle,
                }
            })
            .collect();
        let reading = calibrated().classify(&trace);
        assert!(
            reading.indication().is_none_or(|i| i.colour == Colour::Off),
            "{reading:?}"
        );
    }

    #[test]
    fn describe_says_what_was_seen() {
        let blink = Observation {
            indication: Indication::new(Colour::Green, Cadence::Wink),
            period_ms: Some(249.6),
            on_ms: Some(200.2),
            off_ms: Some(49.4),
            confidence: 1.0,
            window_ms: 400.0,
        };
        assert_eq!(
            Reading::Seen(blink).describe(),
            "green wink (period 250 ms, on 200 ms)"
        );
        let off = Observation {
            indication: Indication::OFF,
            period_ms: None,
            on_ms: None,
            off_ms: None,
            confidence: 1.0,
            window_ms: 1200.0,
        };
        assert_eq!(Reading::Seen(off).describe(), "off");
        assert_eq!(
            Reading::NotEnoughEvidence.describe(),
            "no stable reading yet"
        );
        let odd = Reading::NoCadenceFits {
            colour: Colour::Green,
            period_ms: 730.2,
            on_ms: 365.0,
            off_ms: 365.2,
        };
        assert_eq!(
            odd.describe(),
            "green blinking, period 730 ms: no cadence fits"
        );
    }

    /// An LED (r, g, b in proportion `rgb`) dimmed by PWM, driven past an RGB sensor's
    /// full scale, fluttering: read at 100 Hz (jittered by a millisecond either way, 5%
    /// of the samples lost) through a window of `window_ms` (full scale 1024 counts per
    /// 2.4 ms, as a TCS34725's integration cycles), above a dark of 10 counts a channel,
    /// with noise. Each window catches the PWM's pulses and the flutter's edges in its
    /// own share, so the samples of a lit run read unevenly: some at the top, some below.
    /// `peak`: the red channel's reading with the PWM on, in full scales.
    fn overdriven_flutter(rgb: [f64; 3], peak: f64, window_ms: f64, seed: u64) -> Vec<Sample> {
        let full = 1024.0 * (window_ms / 2.4).ceil();
        let (pwm_ms, duty) = (1.0 / 0.618, 0.42);
        let mut next = uniform(seed);
        let phase = 100.0 * next();
        // The share of [t - window_ms, t] the LED was driven: the flutter's gate times
        // the PWM's, integrated over the window in steps of 10 µs.
        let driven = |t: f64| {
            let steps = 300;
            (0..steps)
                .filter(|&k| {
                    let u = t - window_ms * (f64::from(k) + 0.5) / f64::from(steps);
                    (u + phase) % 100.0 < 50.0 && (u % pwm_ms) < duty * pwm_ms
                })
                .count() as f64
                / f64::from(steps)
        };
        let read = |v: f64, noise: f64| (v + noise).round().clamp(0.0, full) as f32;
        (0..350)
            .filter_map(|k| {
                let t = 10.0 + 10.0 * f64::from(k) + 2.0 * (next() - 0.5);
                if next() < 0.05 {
                    return None;
                }
                let share = driven(t) / duty;
                let light = rgb.map(|w| 10.0 + w * peak * full * share);
                let mut noise = || 4.0 * (next() - 0.5);
                let (r, g, b) = (
                    read(light[0], noise()),
                    read(light[1], noise()),
                    read(light[2], noise()),
                );
                let c = read(light.iter().sum::<f64>() - 20.0, noise());
                Some(Sample {
                    t_ms: t,
                    r,
                    g,
                    b,
                    c,
                })
            })
            .collect()
    }

    #[test]
    fn one_light_s_clipped_and_unclipped_runs_read_one_colour() {
        // An amber LED whose red reaches the top in some windows and not in others (as
        // the PWM falls in each), and a red one driven to three times the top, whose
        // runs that did not hold the top still reached it. Named run by run, a run held
        // at the top names no colour (its red may be any brighter), one below it reads
        // amber, and one that reached the top once or twice reads too little red: a red
        // LED's such run read amber. One light read two colours in one flutter, and
        // nothing was answered, or the red one, named by its runs below the top, read
        // amber. Runs that reached the ceiling others were held at
        // are clipped too, and the clipped ones are named by the light's unclipped runs
        // where their bounds allow that name.
        let classifier = rgb_classifier(Some(DarkLevel::Rgbc([10.0, 10.0, 10.0, 10.0])));
        for (colour, rgb, peaks, window_ms) in [
            (Colour::Amber, [1.0, 0.62, 0.06], (0.9, 1.5), 3.0),
            (Colour::Red, [1.0, 0.1, 0.035], (2.0, 4.0), 9.0),
        ] {
            let (mut right, mut named, mut wrong) = (0, 0, 0);
            for seed in 0..400 {
                let peak = peaks.0 + (peaks.1 - peaks.0) * (seed as f64 / 400.0);
                let trace = overdriven_flutter(rgb, peak, window_ms, seed);
                match seen(&classifier.classify(&trace)) {
                    Some(i) if i.cadence == Cadence::Flutter && i.colour == colour => {
                        right += 1;
                        named += 1;
                    }
                    Some(i) if i.cadence == Cadence::Flutter && i.colour == Colour::On => {
                        right += 1
                    }
                    Some(_) => wrong += 1,
                    None => {}
                }
            }
            // (Amber: 400 right, 84 named amber, when this was written; 376 right without
            // the naming by unclipped runs, 268 with neither rule. Red: 302 right, 172
            // named red, none wrong; 4 read amber without the ceiling.)
            assert_eq!(
                wrong, 0,
                "{colour}: {wrong} of 400 read another colour or cadence"
            );
            let least = if colour == Colour::Amber { 390 } else { 280 };
            assert!(
                right >= least,
                "{colour}: {right} of 400 read {colour} or on flutter"
            );
            assert!(named >= 60, "{colour}: {named} of 400 named {colour}");
        }
    }
}
