#![allow(clippy::unwrap_used)]
//! Regulated pure pursuit in closed loop on the simulator's differential-drive kinematics: reaches
//! goals within tolerance without oscillating at the goal, and stops before an obstacle that
//! appears in the scan.

mod common;

use letan_map::OccupancyGrid;
use letan_nav::controller::{ControlInput, ControlStatus, Controller};
use letan_nav::costmap::Costmap;
use letan_nav::params::NavParams;
use letan_nav::planner::Planner;
use letan_nav::types::{normalize_angle, Pose2D, Twist2D};

fn open_map() -> OccupancyGrid {
    let mut g = OccupancyGrid::filled(240, 240, 0.05, Pose2D::default(), 0).unwrap();
    for i in 0..240 {
        g.set(i, 0, 100);
        g.set(i, 239, 100);
        g.set(0, i, 100);
        g.set(239, i, 100);
    }
    g
}

struct Run {
    final_pose: Pose2D,
    arrived: bool,
    sign_flips_near_goal: usize,
    steps: usize,
    max_speed: f64,
}

fn drive(start: Pose2D, goal: Pose2D) -> Run {
    let p = NavParams::default();
    let cm = Costmap::new(&open_map(), None, &p.costmap, p.robot.radius).unwrap();
    let path = Planner::new(p.planner.clone())
        .plan(&cm, &start, &goal)
        .unwrap();
    let mut ctl = Controller::new(p.controller.clone(), p.robot.clone(), p.goal.clone());
    let dt = 0.05;
    let mut pose = start;
    let mut vel = Twist2D::ZERO;
    let mut last_sign = 0.0;
    let mut flips = 0;
    let mut max_speed: f64 = 0.0;
    for step in 0..4000 {
        let out = ctl.compute(&ControlInput {
            pose,
            velocity: vel,
            path: &path,
            scan_points: &[],
            people: &[],
            speed_limit: f64::INFINITY,
            dt,
        });
        if out.status == ControlStatus::Arrived {
            return Run {
                final_pose: pose,
                arrived: true,
                sign_flips_near_goal: flips,
                steps: step,
                max_speed,
            };
        }
        assert!(out.cmd.linear <= p.robot.max_linear_speed + 1e-9);
        assert!(out.cmd.angular.abs() <= p.robot.max_angular_speed + 1e-9);
        assert!(
            out.cmd.linear - vel.linear <= p.robot.max_linear_accel * dt + 1e-9,
            "accel limit"
        );
        if pose.distance(&goal) < 0.5 && out.cmd.angular.abs() > 1e-3 {
            let s = out.cmd.angular.signum();
            if last_sign != 0.0 && s != last_sign {
                flips += 1;
            }
            last_sign = s;
        }
        max_speed = max_speed.max(out.cmd.linear);
        vel = out.cmd;
        pose = common::drive(&pose, &vel, dt);
    }
    Run {
        final_pose: pose,
        arrived: false,
        sign_flips_near_goal: flips,
        steps: 4000,
        max_speed,
    }
}

#[test]
fn reaches_goals_without_oscillation() {
    let p = NavParams::default();
    let cases = [
        (Pose2D::new(2.0, 2.0, 0.0), Pose2D::new(9.0, 3.0, 0.0)),
        (Pose2D::new(2.0, 2.0, 0.0), Pose2D::new(8.0, 9.0, 3.0)),
        (Pose2D::new(9.0, 9.0, 1.0), Pose2D::new(2.5, 3.0, -1.2)),
        // goal behind the robot: rotate first, then drive
        (Pose2D::new(5.0, 5.0, 0.0), Pose2D::new(2.0, 5.0, 1.57)),
        // goal just 0.3 m away with a yaw change: no dithering
        (Pose2D::new(5.0, 5.0, 0.0), Pose2D::new(5.3, 5.1, -2.5)),
    ];
    for (start, goal) in cases {
        let r = drive(start, goal);
        assert!(
            r.arrived,
            "{start:?} -> {goal:?}: not arrived, at {:?}",
            r.final_pose
        );
        assert!(
            r.final_pose.distance(&goal) <= p.goal.xy_tolerance + 0.02,
            "{goal:?}: at {:?}",
            r.final_pose
        );
        assert!(
            normalize_angle(r.final_pose.yaw - goal.yaw).abs() <= p.goal.yaw_tolerance,
            "{goal:?}: yaw {}",
            r.final_pose.yaw
        );
        assert!(
            r.sign_flips_near_goal <= 1,
            "{goal:?}: {} yaw-rate sign flips near the goal",
            r.sign_flips_near_goal
        );
        assert!(r.steps < 1200, "{goal:?}: took {} steps", r.steps);
    }
    // long straight leg reaches cruise speed
    let r = drive(Pose2D::new(1.0, 6.0, 0.0), Pose2D::new(11.0, 6.0, 0.0));
    assert!(
        r.max_speed > 0.5 * NavParams::default().robot.max_linear_speed,
        "{}",
        r.max_speed
    );
}

#[test]
fn stops_before_an_obstacle_appearing_in_the_scan() {
    let p = NavParams::default();
    let start = Pose2D::new(1.0, 6.0, 0.0);
    let goal = Pose2D::new(11.0, 6.0, 0.0);
    let cm = Costmap::new(&open_map(), None, &p.costmap, p.robot.radius).unwrap();
    let path = Planner::new(p.planner.clone())
        .plan(&cm, &start, &goal)
        .unwrap();
    let mut ctl = Controller::new(p.controller.clone(), p.robot.clone(), p.goal.clone());
    let dt = 0.05;
    let mut pose = start;
    let mut vel = Twist2D::ZERO;
    // a box (e.g. a dropped bag / a child) appears 1.2 m in front of the robot at t = 4 s
    let mut obstacle: Option<Vec<[f64; 2]>> = None;
    let mut blocked = false;
    let mut min_clear = f64::INFINITY;
    for step in 0..400 {
        let t = step as f64 * dt;
        if t >= 4.0 && obstacle.is_none() {
            let x0 = pose.x + 1.2;
            obstacle = Some((0..10).map(|k| [x0, 5.75 + 0.05 * k as f64]).collect());
        }
        let pts: Vec<[f64; 2]> = obstacle
            .iter()
            .flatten()
            .map(|&[x, y]| {
                let (s, c) = pose.yaw.sin_cos();
                let (dx, dy) = (x - pose.x, y - pose.y);
                [c * dx + s * dy, -s * dx + c * dy]
            })
            .collect();
        let out = ctl.compute(&ControlInput {
            pose,
            velocity: vel,
            path: &path,
            scan_points: &pts,
            people: &[],
            speed_limit: f64::INFINITY,
            dt,
        });
        if let ControlStatus::Blocked { .. } = out.status {
            blocked = true;
        }
        vel = out.cmd;
        pose = common::drive(&pose, &vel, dt);
        for o in obstacle.iter().flatten() {
            min_clear = min_clear.min((o[0] - pose.x).hypot(o[1] - pose.y) - p.robot.radius);
        }
    }
    assert!(
        obstacle.is_some() && blocked,
        "the controller must report Blocked"
    );
    assert!(vel.linear.abs() < 1e-9, "stopped at the end");
    assert!(
        min_clear > 0.03,
        "the footprint came within {min_clear:.3} m of the obstacle"
    );
    assert!(pose.x < 11.0 - 1.0, "did not drive through");
}
