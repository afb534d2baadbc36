#![allow(clippy::unwrap_used)]
//! Guide mode, closed loop with people tracked from the scan (legs): the robot leads slower than normal,
//! keeps the follower close, stops and waits when they fall behind, resumes when they catch up, and
//! gives up with FollowerLost when they leave.

mod common;

use common::{circle, Circle};

use letan_nav::navigator::{Mode, NavErrorCode, NavInput, NavState, Navigator};
use letan_nav::params::NavParams;
use letan_nav::tracker::{detect_people, PersonTracker};
use letan_nav::types::{compose, Pose2D, Twist2D};

struct Follower {
    x: f64,
    y: f64,
}

impl Follower {
    fn legs(&self, t: f64) -> [Circle; 2] {
        // legs 0.25 m apart, swinging a little
        let s = 0.08 * (t * 6.0).sin();
        [
            circle(self.x + s, self.y - 0.12, 0.06),
            circle(self.x - s, self.y + 0.12, 0.06),
        ]
    }
}

#[test]
fn guide_leads_waits_when_the_follower_falls_behind_and_resumes() {
    let (grid, keep, places) = common::lobby();
    let params = NavParams::default();
    let mut nav = Navigator::new(params.clone(), &grid, Some(&keep)).unwrap();
    let mut tracker = PersonTracker::new(params.tracker.clone());
    let mut scanner = common::Scanner::light(&grid);
    // in the open hall north of the entrance, facing into the lobby
    let start = Pose2D::new(16.0, 4.5, std::f64::consts::FRAC_PI_2);
    let goal = places.get("counter_5").unwrap();
    // the citizen stands 1 m behind the robot
    let mut f = Follower {
        x: start.x,
        y: start.y - 1.0,
    };
    let mut pose = start;
    let mut vel = Twist2D::ZERO;
    let dt: f64 = 0.05;
    nav.set_goal(goal, Mode::Guide { follower: None }, pose, 0.0)
        .unwrap();
    let mut waited_at = None;
    let mut resumed = false;
    let mut max_gap_while_driving: f64 = 0.0;
    let mut max_speed: f64 = 0.0;
    let mut t = 0.0;
    let mut state = NavState::Idle;
    while t < 200.0 {
        // the citizen walks towards the robot at 0.5 m/s keeping ~1 m, except they stop for 8 s at t = 15 s
        let stopped = (15.0..23.0).contains(&t);
        let (dx, dy) = (pose.x - f.x, pose.y - f.y);
        let d = dx.hypot(dy);
        if !stopped && d > 1.0 {
            let step = (0.5 * dt).min(d - 1.0);
            f.x += dx / d * step;
            f.y += dy / d * step;
        }
        let scan = scanner.scan(&pose, &f.legs(t));
        let pts = scan.points_in(&compose(&pose, &common::laser()));
        let det = detect_people(&pts, &params.tracker, |x, y| {
            nav.costmap().static_obstacle_distance(x, y)
        });
        let people = tracker.update(&det, t);
        let out = nav.step(&NavInput {
            now: t,
            pose,
            velocity: vel,
            scan: Some(&scan),
            people: &people,
        });
        state = out.state.clone();
        if state == NavState::WaitingForFollower && t > 15.0 && waited_at.is_none() {
            waited_at = Some(t);
            assert!(
                d > params.guide.wait_distance - 0.1,
                "waits only once they are far: {d:.2}"
            );
        }
        if waited_at.is_some() && out.cmd.linear > 0.05 {
            resumed = true;
        }
        if out.cmd.linear > 0.01 {
            max_gap_while_driving = max_gap_while_driving.max(d);
        }
        max_speed = max_speed.max(out.cmd.linear);
        vel = out.cmd;
        pose = common::drive(&pose, &vel, dt);
        t += dt;
        if !state.is_active() {
            break;
        }
    }
    assert!(
        waited_at.is_some(),
        "the robot must wait when the follower falls behind"
    );
    assert!(resumed, "and resume when they catch up");
    assert_eq!(
        state,
        NavState::Succeeded,
        "reaches the counter (t = {t:.1})"
    );
    assert!(pose.distance(&goal) < params.goal.xy_tolerance + 0.02);
    assert!(
        max_speed <= params.guide.max_speed + 1e-9,
        "guide speed cap: {max_speed}"
    );
    assert!(
        max_gap_while_driving < params.guide.wait_distance + 0.3,
        "gap while driving {max_gap_while_driving:.2}"
    );
}

#[test]
fn guide_fails_with_follower_lost_when_nobody_follows() {
    let (grid, keep, places) = common::lobby();
    let mut params = NavParams::default();
    params.guide.lost_timeout = 5.0;
    let mut nav = Navigator::new(params, &grid, Some(&keep)).unwrap();
    let pose = places.get("reception").unwrap();
    nav.set_goal(
        places.get("counter_5").unwrap(),
        Mode::Guide { follower: None },
        pose,
        0.0,
    )
    .unwrap();
    let mut t = 0.0;
    let mut last = None;
    while t < 20.0 {
        let out = nav.step(&NavInput {
            now: t,
            pose,
            velocity: Twist2D::ZERO,
            scan: None,
            people: &[],
        });
        assert_eq!(
            out.cmd,
            Twist2D::ZERO,
            "never leads away without a follower"
        );
        if !out.state.is_active() {
            last = Some(out.state);
            break;
        }
        t += 0.1;
    }
    match last {
        Some(NavState::Failed(f)) => assert_eq!(f.code, NavErrorCode::FollowerLost),
        other => panic!("expected FollowerLost, got {other:?}"),
    }
    assert!(t > 4.9 && t < 6.0, "gives up at the timeout, t = {t}");
}
