//! The 2-hour soak: the busy lobby played 30 times back to back (7,200 s of sim time), whole
//! robot, as fast as the machine goes, on the in-process bus. Prints the wall time, the RSS once
//! the robot is up and at the end, the ERROR lines and the expectations.
//!
//!     cargo bench -j2 -p letan --bench soak                 # 30 copies (2 h of sim time)
//!     LETAN_SOAK_REPEAT=5 cargo bench -j2 -p letan --bench soak
#[path = "../tests/soak_run/mod.rs"]
mod soak_run;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let repeat: usize = std::env::var("LETAN_SOAK_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let s = soak_run::run(
        std::path::Path::new(env!("CARGO_BIN_EXE_letan")),
        &soak_run::repo(),
        repeat,
        std::time::Duration::from_secs(4 * 3600),
    );
    let held = s.report["expectations"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|o| o["passed"] == true).count());
    let total = s.report["expectations"].as_array().map_or(0, Vec::len);
    println!(
        "soak: busy_lobby x{repeat}: {:.0} s of sim time in {:.0} s wall ({:.1}x real time); {held}/{total} expectations held; {} ERROR lines; RSS {:.0} MiB when up, {:.0} MiB at the end ({:+.1} MiB); {}",
        s.report["sim_time"].as_f64().unwrap_or(0.0),
        s.wall_s,
        s.report["sim_time"].as_f64().unwrap_or(0.0) / s.wall_s.max(1e-9),
        s.error_lines().len(),
        s.rss_up_mib,
        s.rss_end_mib,
        s.rss_end_mib - s.rss_up_mib,
        if s.passed { "PASSED" } else { "FAILED" }
    );
    for l in s.error_lines().iter().take(10) {
        println!("  {l}");
    }
    // The expectations that did not hold, with what was seen.
    for o in s.report["expectations"].as_array().into_iter().flatten() {
        if o["passed"] != true {
            println!("  FAIL {} : {}", o["expectation"], o["detail"]);
        }
    }
}
