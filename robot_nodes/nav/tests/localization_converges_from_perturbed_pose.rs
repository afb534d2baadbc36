#![allow(clippy::unwrap_used)]
//! The particle filter converges on the real lobby map from a perturbed initial pose, using scans
//! raycast on the map with range noise and odometry with drift; `map → odom` then maps odometry onto
//! the true pose.

mod common;

use letan_nav::localization::ParticleFilter;
use letan_nav::params::NavParams;
use letan_nav::types::{compose, normalize_angle, Pose2D, Twist2D};

struct Outcome {
    err_xy: f64,
    err_yaw: f64,
    map_to_odom_err: f64,
}

fn run(
    truth0: Pose2D,
    guess: Pose2D,
    sigma_xy: f64,
    sigma_yaw: f64,
    particles: usize,
    seed: u64,
) -> Outcome {
    let (grid, _, _) = common::lobby();
    let mut lp = NavParams::default().localization;
    lp.particles = particles;
    lp.seed = seed;
    let mut pf = ParticleFilter::new(&grid, lp, common::laser(), 8.0).unwrap();
    pf.init(guess, sigma_xy, sigma_yaw).unwrap();
    let mut scanner = common::Scanner::noisy(&grid, 0.03, seed + 100);
    let mut truth = truth0;
    // odometry starts at the origin of the odom frame and drifts: 3 % scale error, small yaw bias
    let mut odom = Pose2D::new(0.0, 0.0, 0.0);
    let dt = 0.1;
    for k in 0..150 {
        // drive a gentle S-curve at 0.4 m/s
        let cmd = Twist2D::new(0.4, 0.35 * ((k as f64) * 0.05).sin());
        truth = common::drive(&truth, &cmd, dt);
        let odom_cmd = Twist2D::new(cmd.linear * 1.03, cmd.angular + 0.01);
        odom = common::drive(&odom, &odom_cmd, dt);
        let scan = scanner.scan(&truth, &[]);
        pf.process(odom, &scan);
    }
    let est = pf.estimate();
    let m2o = pf.map_to_odom(&odom);
    let via_tf = compose(&m2o, &odom);
    Outcome {
        err_xy: est.distance(&truth),
        err_yaw: normalize_angle(est.yaw - truth.yaw).abs(),
        map_to_odom_err: via_tf.distance(&truth),
    }
}

#[test]
fn converges_from_a_guess_2m_off() {
    // true pose in the open area south of the seats, heading east; the guess is 2 m off (1.6, 1.2)
    let truth = Pose2D::new(6.0, 4.5, 0.2);
    let guess = Pose2D::new(7.6, 5.7, 0.45);
    let mut ok = 0;
    for seed in 1..=3 {
        let o = run(truth, guess, 1.2, 0.4, 3000, seed);
        if o.err_xy < 0.25 && o.err_yaw < 0.1 {
            ok += 1;
        }
        assert!(
            (o.map_to_odom_err - o.err_xy).abs() < 1e-6,
            "map→odom must reproduce the estimate"
        );
        eprintln!("seed {seed}: error {:.3} m {:.3} rad", o.err_xy, o.err_yaw);
    }
    assert_eq!(ok, 3, "every seed must converge");
}

#[test]
fn tracks_from_the_dock_with_default_spread() {
    let (_, _, places) = common::lobby();
    let dock = places.dock.unwrap();
    let p = NavParams::default().localization;
    let guess = Pose2D::new(dock.x + 0.3, dock.y - 0.2, dock.yaw + 0.1);
    let o = run(
        dock,
        guess,
        p.initial_sigma_xy,
        p.initial_sigma_yaw,
        p.particles,
        9,
    );
    assert!(
        o.err_xy < 0.2 && o.err_yaw < 0.08,
        "{:.3} m {:.3} rad",
        o.err_xy,
        o.err_yaw
    );
}
