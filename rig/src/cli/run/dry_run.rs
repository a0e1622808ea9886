//! `rig run --dry-run`: the devices probed, the plan printed, nothing pressed or dialled.

use super::*;

/// `--dry-run`: probe the devices (no relay energised, nothing dialled) and print the
/// plan: each position's cases in the order the scheduler expects to start them, why the
/// others would be skipped, the lower bound on bench time and the time expected.
pub(super) fn dry_run(l: &Loaded, plan: &runner::Plan, seed: u64) -> Result<ExitCode, CliError> {
    // Nothing is pressed or written: a signal may stop it as it would any program.
    crate::cli::release_stop_signals();
    let rt = build_runtime(false).map_err(CliError::Rig)?;
    let checks = rt.block_on(crate::cli::doctor::probe_all(l, seed));
    crate::cli::doctor::print_table(&checks);
    let ctx = Context {
        spec: l.spec.clone(),
        bench: l.bench.clone(),
        settings: l.suite.settings.clone(),
        clock: BenchClock::start(),
    };
    let work = plan.work(&ctx);
    say!(
        "\nplan ({} positions × {} cases{}; {} mobile and {} caller lines):",
        plan.positions.len(),
        plan.cases.len(),
        if plan.repeat > 1 {
            format!(" × {} attempts", plan.repeat)
        } else {
            String::new()
        },
        work.mobile_lines.len(),
        work.caller_lines.len()
    );
    let starts = crate::schedule::forecast_starts(&work);
    for (p, id) in plan.positions.iter().enumerate() {
        let position = l.bench.position(id).expect("positions come from the bench");
        say!(
            "  {id} (mobile line {}):",
            work.mobile_lines[work.mobile_of[p]]
        );
        for &(job, start_ms) in starts.iter().filter(|(j, _)| work.jobs[*j].position == p) {
            let case = &plan.cases[work.jobs[job].case];
            match runner::not_applicable(&l.bench, position, case) {
                None => say!(
                    "    {:>8.1} s  {:<22} would run (about {:.1} s{})",
                    start_ms / 1000.0,
                    case.id,
                    work.jobs[job].estimate_ms / 1000.0,
                    if work.jobs[job].needs_lines {
                        ", holding its lines"
                    } else {
                        ""
                    }
                ),
                Some(why) => say!(
                    "    {:>8.1} s  {:<22} would skip: {why}",
                    start_ms / 1000.0,
                    case.id
                ),
            }
        }
    }
    let bound = Bound::of(&work, |j| work.jobs[j].estimate_ms);
    say!(
        "\nlower bound: {:.1} s (set by {}); expected bench time: {:.1} s{}",
        bound.ms() / 1000.0,
        bound.limited_by(),
        crate::schedule::forecast(&work) / 1000.0,
        match &plan.history.source {
            Some(f) => format!(" (durations learnt from {f} where it has them)"),
            None => " (durations from the suite's timers)".into(),
        }
    );
    let bad = checks.iter().filter(|c| !c.ok).count();
    say!(
        "\ndry run: {bad} of {} device checks failed; nothing was pressed or dialled",
        checks.len()
    );
    Ok(if bad == 0 {
        ExitCode::Ok
    } else {
        ExitCode::RigError
    })
}
