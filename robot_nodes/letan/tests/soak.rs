//! Soak, as CI runs it: the whole robot in the busy lobby (twenty people, the camera, the face node)
//! for 12 minutes of sim time (`busy_lobby` played three times back to back), as fast as the
//! machine goes, on the in-process bus. Every expectation of every copy holds, no ERROR line is
//! printed, and the resident memory grows by at most [`MAX_GROWTH_MIB`] from "robot up" to the
//! end. The 2-hour run is `cargo bench -p letan --bench soak`.
#![allow(clippy::unwrap_used)]
mod soak_run;

use std::time::Duration;

/// RSS growth allowed over the 12 minutes (MiB); measured: +3.8 MiB (376 → 380 MiB).
const MAX_GROWTH_MIB: f64 = 32.0;

#[test]
fn twelve_minutes_of_busy_lobby_hold_every_expectation_with_bounded_memory() {
    let s = soak_run::run(
        std::path::Path::new(env!("CARGO_BIN_EXE_letan")),
        &soak_run::repo(),
        3,
        Duration::from_secs(1800),
    );
    assert!(s.passed, "soak failed:\n{}\n{}", s.stdout, s.stderr);
    let expectations = s.report["expectations"].as_array().unwrap().len();
    assert!(expectations >= 12, "only {expectations} expectations");
    let sim_time = s.report["sim_time"].as_f64().unwrap();
    assert!(sim_time >= 600.0, "{}", s.report);
    assert!(
        s.error_lines().is_empty(),
        "ERROR lines: {:#?}",
        s.error_lines()
    );
    let growth = s.rss_end_mib - s.rss_up_mib;
    eprintln!(
        "soak: {sim_time:.0} s of sim time in {:.0} s wall, {expectations} expectations held; RSS {:.0} MiB when up, {:.0} MiB at the end ({growth:+.1} MiB)",
        s.wall_s, s.rss_up_mib, s.rss_end_mib
    );
    assert!(
        growth <= MAX_GROWTH_MIB,
        "RSS grew {growth:.1} MiB during the soak (bound {MAX_GROWTH_MIB} MiB)"
    );
}
