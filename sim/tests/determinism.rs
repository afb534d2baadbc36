//! Same seed, same run: trajectories, scans and events are bit-identical; another seed differs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_sim::scenario::Scenario;
use letan_sim::world::WorldConfig;
use letan_sim::Inputs;

type Run = (Vec<(f64, f64, f64)>, Vec<Vec<f32>>, String, Vec<(f64, f64)>);

fn run(seed: u64) -> Run {
    let lobby = common::lobby();
    let s = Scenario::load(&common::repo_root().join("sim/scenarios/busy_lobby.yaml")).unwrap();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let mut w = s
        .build_world(
            cfg,
            Some(seed),
            lobby.grid.clone(),
            lobby.places.clone(),
            None,
        )
        .unwrap();
    let mut scans = Vec::new();
    let mut people = Vec::new();
    for i in 0..1200 {
        // a wiggly open-loop command so odometry noise matters
        let t = i as f64 * 0.05;
        let out = w.step(
            0.05,
            &Inputs {
                cmd_vel: Some((0.2, 0.4 * (t * 0.3).sin())),
                actions: vec![],
            },
        );
        if let Some(s) = out.scan {
            scans.push(s.scan.ranges);
        }
        people.extend(out.truth.people.iter().map(|p| (p.pose.x, p.pose.y)));
        people.push((out.odom.pose.x, out.odom.pose.y));
    }
    let log = serde_json::to_string(w.log()).unwrap();
    (w.metrics().trajectory.clone(), scans, log, people)
}

#[test]
fn same_seed_gives_identical_runs() {
    let a = run(42);
    let b = run(42);
    assert_eq!(a.0, b.0, "robot trajectory");
    assert_eq!(a.1, b.1, "scans");
    assert_eq!(a.2, b.2, "event log");
    assert_eq!(a.3, b.3, "people and odometry");
    assert!(a.1.len() >= 59, "lidar at 10 Hz for 60 s: {}", a.1.len());
    assert!(
        a.2.contains("person_entered"),
        "people entered during the run"
    );
}

#[test]
fn another_seed_gives_another_run() {
    let a = run(1);
    let b = run(2);
    assert_ne!(a.3, b.3);
    assert_ne!(a.1, b.1);
}
