//! One soak run of the whole robot (shared by `tests/soak.rs` and `benches/soak.rs`):
//! `letan sim --headless --bus --speed 0 --repeat N` on the busy lobby, with the resident memory of
//! the process sampled twice a second.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a soak run gave.
pub struct Soak {
    pub passed: bool,
    pub report: serde_json::Value,
    pub stdout: String,
    pub stderr: String,
    pub wall_s: f64,
    /// RSS (MiB) once the robot is up: the first sample after a tenth of the run (router trained,
    /// YuNet loaded), and the largest of the last five samples.
    pub rss_up_mib: f64,
    pub rss_end_mib: f64,
}

impl Soak {
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains("ERROR"))
            .collect()
    }
}

/// Resident set size of a process (kB), from /proc.
fn rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn run(letan: &Path, repo: &Path, repeat: usize, limit: Duration) -> Soak {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("soak.json");
    let mut child = Command::new(letan)
        .current_dir(repo)
        .args([
            "sim",
            "--headless",
            "--bus",
            "--speed",
            "0",
            "--quiet",
            "--repeat",
        ])
        .arg(repeat.to_string())
        .args(["--scenario", "sim/scenarios/busy_lobby.yaml", "--report"])
        .arg(&report)
        .env_remove("LETAN_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run letan sim");
    let pid = child.id();
    let mut err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut out = child.stdout.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let mut samples: Vec<(f64, u64)> = Vec::new();
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = rss_kb(pid) {
            samples.push((started.elapsed().as_secs_f64(), kb));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let status = child.wait().unwrap();
    let total = samples.last().map_or(0.0, |s| s.0);
    let up = samples
        .iter()
        .find(|(t, _)| *t >= total * 0.1)
        .map_or(0, |s| s.1);
    let end = samples.iter().rev().take(5).map(|s| s.1).max().unwrap_or(0);
    let report: serde_json::Value = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    Soak {
        passed: status.success() && report["passed"] == true,
        report,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        wall_s: started.elapsed().as_secs_f64(),
        rss_up_mib: up as f64 / 1024.0,
        rss_end_mib: end as f64 / 1024.0,
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
