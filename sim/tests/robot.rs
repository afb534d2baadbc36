//! Drive the base: walls stop it and collisions are counted; odometry drifts but stays bounded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_core::Pose2D;
use letan_sim::world::{Places, WorldConfig};
use letan_sim::{Inputs, World};

fn world(seed: u64) -> World {
    let mut cfg = WorldConfig {
        seed,
        ..WorldConfig::default()
    };
    cfg.camera.enabled = false;
    World::new(
        cfg,
        common::room(),
        Places::new(),
        Pose2D::new(2.0, 3.0, 0.0),
        None,
    )
    .unwrap()
}

#[test]
fn driving_into_a_wall_stops_and_counts_one_collision() {
    let mut w = world(1);
    let cmd = Inputs {
        cmd_vel: Some((0.7, 0.0)),
        actions: vec![],
    };
    for _ in 0..(20.0 / 0.05) as usize {
        w.step(0.05, &cmd);
    }
    let p = w.robot_pose();
    // Inner wall face at x = 9.95; robot radius 0.25.
    assert!(
        p.x <= 9.95 - 0.25 + 1e-9,
        "robot passed into the wall: {p:?}"
    );
    assert!(p.x > 9.95 - 0.25 - 0.05, "robot stopped too early: {p:?}");
    assert_eq!(
        w.metrics().wall_collisions,
        1,
        "one continuous contact = one collision"
    );
    assert_eq!(w.metrics().person_collisions, 0);
    // Back off and hit again: a second contact.
    for _ in 0..40 {
        w.step(
            0.05,
            &Inputs {
                cmd_vel: Some((-0.5, 0.0)),
                actions: vec![],
            },
        );
    }
    assert!(w.robot_pose().x < 9.5);
    for _ in 0..100 {
        w.step(0.05, &cmd);
    }
    assert_eq!(w.metrics().wall_collisions, 2);
}

#[test]
fn velocity_and_acceleration_limits_hold() {
    let mut w = world(2);
    let mut last = w.robot_pose();
    let mut last_v = 0.0;
    for i in 0..100 {
        let out = w.step(
            0.05,
            &Inputs {
                cmd_vel: Some((5.0, 0.0)),
                actions: vec![],
            },
        );
        let p = w.robot_pose();
        let v = (p.x - last.x) / 0.05;
        assert!(v <= 0.7 + 1e-9, "step {i}: v {v}");
        assert!(
            v - last_v <= 0.8 * 0.05 + 1e-9,
            "step {i}: accel {}",
            (v - last_v) / 0.05
        );
        last = p;
        last_v = v;
        assert!(out.odom.linear_x.is_finite());
    }
    assert!(last_v > 0.69, "reached the velocity limit: {last_v}");
}

#[test]
fn stale_cmd_vel_times_out() {
    let mut w = world(3);
    w.step(
        0.05,
        &Inputs {
            cmd_vel: Some((0.5, 0.0)),
            actions: vec![],
        },
    );
    for _ in 0..60 {
        w.step(0.05, &Inputs::default());
    }
    let x = w.robot_pose().x;
    for _ in 0..20 {
        w.step(0.05, &Inputs::default());
    }
    assert!(
        (w.robot_pose().x - x).abs() < 1e-12,
        "base kept moving without commands"
    );
}

/// Drive a loop (square-ish laps) and compare odometry against ground truth.
fn odom_error_after(seed: u64, laps: usize) -> (f64, f64) {
    let mut w = world(seed);
    let mut err_first = 0.0;
    for lap in 0..laps {
        // circle of radius 1 m: v = 0.5, w = 0.5
        for _ in 0..((std::f64::consts::TAU / 0.5) / 0.05).round() as usize {
            w.step(
                0.05,
                &Inputs {
                    cmd_vel: Some((0.5, 0.5)),
                    actions: vec![],
                },
            );
        }
        let truth = w.robot_pose();
        let out = w.step(
            0.05,
            &Inputs {
                cmd_vel: Some((0.5, 0.5)),
                actions: vec![],
            },
        );
        // odom starts at identity at the start pose (2, 3, 0)
        let est = Pose2D::new(2.0, 3.0, 0.0).compose(&out.odom.pose);
        let e = (est.position() - truth.position()).norm();
        if lap == 0 {
            err_first = e;
        }
        if lap + 1 == laps {
            return (err_first, e);
        }
    }
    (err_first, err_first)
}

#[test]
fn odometry_drift_grows_but_stays_bounded() {
    let mut grew = 0;
    for seed in 0..8u64 {
        let (first, last) = odom_error_after(seed, 10);
        // 10 laps ≈ 63 m of travel: realistic encoders drift, but not by more than a few %.
        assert!(last < 0.05 * 63.0, "seed {seed}: drift {last} m after 63 m");
        assert!(
            last > 1e-4,
            "seed {seed}: odometry is suspiciously perfect ({last})"
        );
        if last > first {
            grew += 1;
        }
    }
    assert!(
        grew >= 6,
        "drift should usually grow with distance ({grew}/8 seeds)"
    );
}

#[test]
fn odometry_covariance_grows_with_distance() {
    let mut w = world(4);
    let o0 = w
        .step(
            0.05,
            &Inputs {
                cmd_vel: Some((0.5, 0.0)),
                actions: vec![],
            },
        )
        .odom;
    let mut o1 = o0.clone();
    for _ in 0..100 {
        o1 = w
            .step(
                0.05,
                &Inputs {
                    cmd_vel: Some((0.5, 0.0)),
                    actions: vec![],
                },
            )
            .odom;
    }
    assert_eq!(o1.pose_covariance.len(), 36);
    assert!(o1.pose_covariance[0] > o0.pose_covariance[0]);
    assert!(o1.pose_covariance[35] > o0.pose_covariance[35]);
}
