//! How fast the whole robot runs headless in lockstep (issue 19): every shipped scenario (camera, face
//! node, people) at `--speed 0`, on the in-process bus and over DDS (one participant per node, in a
//! private network namespace), as sim seconds per wall second; the median over the scenarios.
//!
//! `cargo bench -j2 -p letan --bench sim_speed` (release). `LETAN_SCENARIO=<part of a file name>`
//! picks scenarios; `LETAN_BENCH_BACKENDS=bus` (or `dds`) picks the backends. The verdict of every
//! run is printed too: in lockstep it must not depend on how fast the run was.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Run {
    passed: bool,
    sim_time: f64,
    wall_time: f64,
}

fn run(scenario: &Path, dds: bool, report: &Path) -> Option<Run> {
    let exe = env!("CARGO_BIN_EXE_letan");
    let args = format!(
        "\"{exe}\" sim --headless --quiet --speed 0 {} --scenario \"{}\" --report \"{}\"",
        if dds { "" } else { "--bus" },
        scenario.display(),
        report.display()
    );
    let mut cmd = if dds {
        letan_transport::testing::netns_command(&args)
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &args]);
        c
    };
    let out = cmd.current_dir(repo()).output().expect("run letan sim");
    let text = std::fs::read_to_string(report).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    if json.is_null() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(Run {
        passed: json["passed"] == serde_json::Value::Bool(true),
        sim_time: json["sim_time"].as_f64()?,
        wall_time: json["wall_time"].as_f64()?,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test` of benches passes nothing: run only then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let pick = std::env::var("LETAN_SCENARIO").unwrap_or_default();
    let backends = std::env::var("LETAN_BENCH_BACKENDS").unwrap_or_else(|_| "bus,dds".into());
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(repo().join("sim/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&pick))
        .collect();
    scenarios.sort();
    let dir = tempfile::tempdir().unwrap();
    for backend in backends.split(',').map(str::trim).filter(|b| !b.is_empty()) {
        let dds = backend == "dds";
        let mut speeds = Vec::new();
        println!("sim_speed/{backend}: scenario, sim s, wall s, speed, verdict");
        for s in &scenarios {
            let name = s.file_stem().unwrap().to_string_lossy().to_string();
            let report = dir.path().join(format!("{backend}-{name}.json"));
            match run(s, dds, &report) {
                Some(r) => {
                    let speed = r.sim_time / r.wall_time.max(1e-9);
                    speeds.push(speed);
                    println!(
                        "  {name:<28} {:>6.1} {:>7.1} {:>6.1}x  {}",
                        r.sim_time,
                        r.wall_time,
                        speed,
                        if r.passed { "PASS" } else { "FAIL" }
                    );
                }
                None => println!("  {name:<28} no report (the run failed to start or finish)"),
            }
        }
        println!(
            "sim_speed/{backend}: median {:.1}x over {} scenarios",
            median(speeds.clone()),
            speeds.len()
        );
    }
}
