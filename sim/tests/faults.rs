//! Scripted sensor faults (`faults:` in a scenario): a silent sensor publishes nothing for its
//! window and the log says when it went silent and came back; the parser refuses bad faults by
//! name; `stopped_while_silent` and `no_greeting` hold or fail on the trace and the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_core::Pose2D;
use letan_sim::scenario::{self, Expectation, FaultRecord, Scenario};
use letan_sim::world::{
    LogEntry, Metrics, Places, RobotAction, Sensor, SensorFault, SimEvent, WorldConfig,
};
use letan_sim::{Inputs, World};

fn room_world(camera: bool, faults: &[SensorFault]) -> World {
    let mut wc = WorldConfig::default();
    wc.camera.enabled = camera;
    wc.seed = 3;
    let mut w = World::new(
        wc,
        common::room(),
        Places::new(),
        Pose2D::new(2.0, 3.0, 0.0),
        None,
    )
    .unwrap();
    w.set_faults(faults);
    w
}

/// Steps of 50 ms to `until` s, driving forward slowly; (time, scan, camera frame stamp) per step.
fn run(
    w: &mut World,
    until: f64,
) -> Vec<(f64, Option<letan_sim::lidar::StampedScan>, Option<f64>)> {
    let mut out = Vec::new();
    let inputs = Inputs {
        cmd_vel: Some((0.2, 0.0)),
        actions: vec![],
    };
    while w.time() < until - 1e-9 {
        let o = w.step(0.05, &inputs);
        out.push((o.clock, o.scan, o.camera.map(|c| c.image.stamp)));
    }
    out
}

fn fault_events(w: &World) -> Vec<(f64, SimEvent)> {
    w.log()
        .iter()
        .filter(|l| {
            matches!(
                l.event,
                SimEvent::SensorSilent { .. } | SimEvent::SensorBack { .. }
            )
        })
        .map(|l| (l.t, l.event.clone()))
        .collect()
}

#[test]
fn a_silent_lidar_publishes_no_scan_for_its_window_and_the_log_says_when() {
    let fault = SensorFault {
        at: 1.0,
        sensor: Sensor::Lidar,
        duration: 2.0,
        when_driving: false,
    };
    let mut w = room_world(false, &[fault]);
    let steps = run(&mut w, 5.0);
    let scans: Vec<f64> = steps
        .iter()
        .filter_map(|(t, s, _)| s.as_ref().map(|_| *t))
        .collect();
    assert!(
        scans.iter().all(|t| !(*t >= 1.0 - 1e-6 && *t < 3.0 - 1e-6)),
        "a scan while silent: {scans:?}"
    );
    // 10 Hz before and after the fault: 0.05, 0.1 … 0.9 (10 scans), 3.0 … 5.0 (21 scans).
    assert_eq!(
        scans.iter().filter(|t| **t < 1.0 - 1e-6).count(),
        10,
        "{scans:?}"
    );
    assert_eq!(
        scans.iter().filter(|t| **t >= 3.0 - 1e-6).count(),
        21,
        "{scans:?}"
    );
    let ev = fault_events(&w);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert!((ev[0].0 - 1.0).abs() < 1e-6, "{ev:?}");
    assert!(
        matches!(ev[0].1, SimEvent::SensorSilent { sensor: Sensor::Lidar, until } if (until - 3.0).abs() < 1e-9),
        "{ev:?}"
    );
    assert!((ev[1].0 - 3.0).abs() < 1e-6, "{ev:?}");
    assert!(
        matches!(ev[1].1, SimEvent::SensorBack { sensor: Sensor::Lidar, silent_for } if (silent_for - 2.0).abs() < 1e-6),
        "{ev:?}"
    );
    // The same run without the fault: the same motion, and the scans after the fault are the
    // very scans it would have had (the silent lidar kept drawing its noise).
    let mut clean = room_world(false, &[]);
    let clean_steps = run(&mut clean, 5.0);
    let clean_scans = clean_steps.iter().filter(|(_, c, _)| c.is_some()).count();
    assert_eq!(
        clean_scans,
        scans.len() + 20,
        "20 scans fell in the silence"
    );
    assert_eq!(w.robot_pose(), clean.robot_pose());
    for ((t, s, _), (_, c, _)) in steps.iter().zip(&clean_steps) {
        if *t >= 3.0 - 1e-6 || *t < 1.0 - 1e-6 {
            assert_eq!(s, c, "scan at {t}");
        } else {
            assert!(s.is_none(), "at {t}");
        }
    }
}

#[test]
fn a_silent_camera_sends_no_frame_and_leaves_the_lidar_alone() {
    let fault = SensorFault {
        at: 0.5,
        sensor: Sensor::Camera,
        duration: 1.0,
        when_driving: false,
    };
    let mut w = room_world(true, &[fault]);
    let steps = run(&mut w, 2.5);
    let frames: Vec<f64> = steps.iter().filter_map(|(_, _, f)| *f).collect();
    assert!(
        frames
            .iter()
            .all(|t| !(*t >= 0.5 - 1e-6 && *t < 1.5 - 1e-6)),
        "{frames:?}"
    );
    assert!(frames.iter().any(|t| *t < 0.5), "{frames:?}");
    assert!(frames.iter().any(|t| *t >= 1.5 - 1e-6), "{frames:?}");
    let scans = steps.iter().filter(|(_, s, _)| s.is_some()).count();
    assert_eq!(scans, 26, "the lidar keeps its 10 Hz");
    let ev = fault_events(&w);
    assert!(
        matches!(
            ev.as_slice(),
            [
                (
                    _,
                    SimEvent::SensorSilent {
                        sensor: Sensor::Camera,
                        ..
                    }
                ),
                (
                    _,
                    SimEvent::SensorBack {
                        sensor: Sensor::Camera,
                        ..
                    }
                )
            ]
        ),
        "{ev:?}"
    );
}

#[test]
fn a_scenario_builds_its_faults_into_the_world() {
    let s = Scenario::from_yaml(
        "name: f\nduration: 10\nfaults:\n  - { at: 2, sensor: lidar, for: 1.5 }\n",
        "f.yaml",
    )
    .unwrap();
    assert_eq!(
        s.faults,
        [SensorFault {
            at: 2.0,
            sensor: Sensor::Lidar,
            duration: 1.5,
            when_driving: false,
        }]
    );
    let lobby = common::lobby();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let mut w = s
        .build_world(cfg, None, lobby.grid.clone(), lobby.places.clone(), None)
        .unwrap();
    let mut silent = Vec::new();
    while w.time() < 4.0 {
        let o = w.step(0.05, &Inputs::default());
        if o.scan.is_none() && w.sensor_silent(Sensor::Lidar) {
            silent.push(o.clock);
        }
        assert!(
            o.scan.is_none() || !(2.0..3.5 - 1e-6).contains(&o.clock),
            "{}",
            o.clock
        );
    }
    assert_eq!(silent.len(), 30, "{silent:?}");
    assert_eq!(fault_events(&w).len(), 2);
    // Repeated for a soak: each copy's fault moves with it.
    let r = s.repeated(3);
    let ats: Vec<f64> = r.faults.iter().map(|f| f.at).collect();
    assert_eq!(ats, [2.0, 12.0, 22.0]);
}

#[test]
fn the_parser_refuses_bad_faults_by_name() {
    let err = |faults: &str| {
        Scenario::from_yaml(&format!("name: x\nduration: 60\n{faults}"), "t.yaml")
            .unwrap_err()
            .to_string()
    };
    let e = err("faults:\n  - { at: 5, sensor: sonar, for: 2 }\n");
    assert!(e.contains("t.yaml") && e.contains("sonar"), "{e}");
    let e = err("faults:\n  - { at: 5, sensor: lidar, for: 2, colour: red }\n");
    assert!(e.contains("colour"), "{e}");
    let e = err("faults:\n  - { at: 5, sensor: lidar }\n");
    assert!(e.contains("for"), "{e}");
    let e = err("faults:\n  - { at: 5, sensor: camera, for: 0 }\n");
    assert!(e.contains("faults[0] (camera).for"), "{e}");
    let e = err("faults:\n  - { at: 60, sensor: lidar, for: 2 }\n");
    assert!(e.contains("faults[0] (lidar).at"), "{e}");
    let e = err("faults:\n  - { at: -1, sensor: lidar, for: 2 }\n");
    assert!(e.contains("faults[0] (lidar).at"), "{e}");
    let e = err(
        "faults:\n  - { at: 5, sensor: lidar, for: 4 }\n  - { at: 8, sensor: camera, for: 4 }\n  - { at: 8, sensor: lidar, for: 4 }\n",
    );
    assert!(e.contains("faults[2] (lidar): overlaps faults[0]"), "{e}");
    let e = err("expectations:\n  - stopped_while_silent: { sensor: lidar, within: 1 }\n");
    assert!(e.contains("no lidar fault"), "{e}");
    let e = err("faults:\n  - { at: 5, sensor: lidar, for: 2 }\nexpectations:\n  - stopped_while_silent: { sensor: lidar, within: 0 }\n");
    assert!(e.contains("stopped_while_silent"), "{e}");
    let e = err("expectations:\n  - no_greeting: { from: 9, to: 3 }\n");
    assert!(e.contains("no_greeting"), "{e}");
    // Back to back is fine.
    assert!(Scenario::from_yaml(
        "name: x\nduration: 60\nfaults:\n  - { at: 5, sensor: lidar, for: 3 }\n  - { at: 8, sensor: lidar, for: 3 }\n",
        "t.yaml"
    )
    .is_ok());
}

/// A 10 Hz trace: 0.4 m/s along x until 10.5 s, braking to a stop at 11.0 s, standing until
/// 16.3 s (`creep` metres drift meanwhile), then 0.4 m/s again.
fn trace(stop_at: f64, creep: f64) -> Vec<(f64, f64, f64)> {
    let mut v = Vec::new();
    let mut x: f64 = 0.0;
    for i in 0..=250 {
        let t = i as f64 * 0.1;
        let speed = if t < stop_at - 0.5 {
            0.4
        } else if t < stop_at {
            0.4 * (stop_at - t) / 0.5
        } else if t < 16.3 {
            0.0
        } else {
            0.4
        };
        v.push((t, x, 0.0));
        x += speed * 0.1;
        if (stop_at + 1.0..stop_at + 1.1).contains(&t) {
            x += creep;
        }
    }
    v
}

#[test]
fn the_fault_record_measures_stop_drift_and_restart() {
    let r = FaultRecord::from_trace(Sensor::Lidar, 10.0, 16.0, &trace(11.0, 0.0));
    assert!((r.speed_at_fault - 0.4).abs() < 1e-9, "{r:?}");
    // The interval from 10.9 s holds the last 8 mm of braking; from 11.0 s it stands.
    assert!((r.stopped_after.unwrap() - 1.0).abs() < 1e-9, "{r:?}");
    assert!(r.moved_while_stopped < 1e-12, "{r:?}");
    assert!((r.moving_again_after.unwrap() - 0.3).abs() < 1e-9, "{r:?}");
    let r = FaultRecord::from_trace(Sensor::Lidar, 10.0, 16.0, &trace(30.0, 0.0));
    assert_eq!(r.stopped_after, None, "{r:?}");
}

fn evaluate_stopped(trace: Vec<(f64, f64, f64)>) -> (bool, String) {
    let s = Scenario::from_yaml(
        "name: x\nduration: 25\nfaults:\n  - { at: 10, sensor: lidar, for: 6 }\nexpectations:\n  - stopped_while_silent: { sensor: lidar, within: 1.2, at_most: 0.05 }\n",
        "t.yaml",
    )
    .unwrap();
    let m = Metrics {
        trajectory: trace,
        ..Metrics::default()
    };
    // The log says when the lidar went silent (a plain fault: at its `at`).
    let log = [LogEntry {
        t: 10.0,
        event: SimEvent::SensorSilent {
            sensor: Sensor::Lidar,
            until: 16.0,
        },
    }];
    let o = scenario::evaluate(&s, &log, &m, &Places::new());
    (o[0].passed, o[0].detail.clone())
}

#[test]
fn stopped_while_silent_holds_only_for_a_robot_that_was_driving_stopped_in_time_and_stayed() {
    let (ok, d) = evaluate_stopped(trace(11.0, 0.0));
    assert!(ok, "{d}");
    assert!(d.contains("stood after 1.00 s, then moved 0.00 m"), "{d}");
    // Never stops while silent (drives blind).
    let (ok, d) = evaluate_stopped(trace(30.0, 0.0));
    assert!(!ok && d.contains("never stood"), "{d}");
    // Stops, but too late.
    let (ok, d) = evaluate_stopped(trace(11.5, 0.0));
    assert!(!ok && d.contains("stood after 1.50 s (> 1.2 s)"), "{d}");
    // Stops, then creeps 10 cm while still blind.
    let (ok, d) = evaluate_stopped(trace(11.0, 0.1));
    assert!(!ok && d.contains("then moved 0.10 m (> 0.05 m)"), "{d}");
    // Was not driving when the lidar went silent: proves nothing, so it fails.
    let (ok, d) = evaluate_stopped(trace(8.0, 0.0));
    assert!(!ok && d.contains("not driving"), "{d}");
}

#[test]
fn a_when_driving_fault_waits_for_the_robot_to_drive() {
    // Allowed from 1 s, but the robot only starts driving at 2 s (and reaches 0.2 m/s a little
    // later, accelerating at its limit): the lidar goes silent then, for the whole 1.5 s.
    let fault = SensorFault {
        at: 1.0,
        sensor: Sensor::Lidar,
        duration: 1.5,
        when_driving: true,
    };
    let mut w = room_world(false, &[fault]);
    let mut silent = Vec::new();
    while w.time() < 6.0 - 1e-9 {
        let cmd = if w.time() >= 2.0 - 1e-9 {
            (0.4, 0.0)
        } else {
            (0.0, 0.0)
        };
        let o = w.step(
            0.05,
            &Inputs {
                cmd_vel: Some(cmd),
                actions: vec![],
            },
        );
        if o.scan.is_none() && w.sensor_silent(Sensor::Lidar) {
            silent.push(o.clock);
        }
    }
    let ev = fault_events(&w);
    assert_eq!(ev.len(), 2, "{ev:?}");
    let start = ev[0].0;
    assert!(start > 2.0 && start < 2.6, "went silent at {start}: {ev:?}");
    assert!(
        matches!(ev[1].1, SimEvent::SensorBack { silent_for, .. } if (silent_for - 1.5).abs() < 1e-6),
        "{ev:?}"
    );
    assert_eq!(silent.len(), 30, "{silent:?}");
    // The window the expectation and the report use is the logged one.
    assert_eq!(
        scenario::fault_windows(w.log()),
        [(Sensor::Lidar, start, start + 1.5)]
    );
    let s = Scenario::from_yaml(
        "name: f\nduration: 10\nfaults:\n  - { at: 2, sensor: lidar, for: 1.5, when_driving: true }\n",
        "f.yaml",
    )
    .unwrap();
    assert!(s.faults[0].when_driving);
}

#[test]
fn no_greeting_counts_greetings_inside_its_window_only() {
    let s = Scenario::from_yaml(
        "name: x\nduration: 30\nexpectations:\n  - no_greeting: { from: 5, to: 12 }\n",
        "t.yaml",
    )
    .unwrap();
    let greet = |t: f64| LogEntry {
        t,
        event: SimEvent::Robot {
            action: RobotAction::Greeted { person: None },
            person: None,
        },
    };
    let m = Metrics::default();
    let places = Places::new();
    let o = scenario::evaluate(&s, &[greet(4.0), greet(12.5)], &m, &places);
    assert!(o[0].passed, "{}", o[0].detail);
    let o = scenario::evaluate(&s, &[greet(4.0), greet(7.0)], &m, &places);
    assert!(!o[0].passed, "{}", o[0].detail);
    assert_eq!(o[0].detail, "1 greetings between 5 and 12 s");
    assert!(matches!(
        o[0].expectation,
        Expectation::NoGreeting { from, to } if from == 5.0 && to == 12.0
    ));
}
