#![allow(clippy::unwrap_used)]
//! People nearby slow the robot; someone standing in the way makes it wait, then it goes around.

mod common;

use common::Walker;
use letan_map::OccupancyGrid;
use letan_nav::controller::{ControlInput, ControlStatus, Controller};
use letan_nav::navigator::{Mode, NavState, Navigator};
use letan_nav::params::NavParams;
use letan_nav::planner::Path;
use letan_nav::types::{Person, Pose2D, Twist2D};

fn straight() -> Path {
    Path {
        poses: (0..=200)
            .map(|i| Pose2D::new(i as f64 * 0.05, 0.0, 0.0))
            .collect(),
    }
}

fn speed_with(people: &[Person]) -> (f64, ControlStatus) {
    let p = NavParams::default();
    let mut c = Controller::new(p.controller.clone(), p.robot.clone(), p.goal.clone());
    let path = straight();
    let out = c.compute(&ControlInput {
        pose: Pose2D::new(1.0, 0.0, 0.0),
        velocity: Twist2D::new(p.robot.max_linear_speed, 0.0),
        path: &path,
        scan_points: &[],
        people,
        speed_limit: f64::INFINITY,
        dt: 0.05,
    });
    (out.cmd.linear, out.status)
}

fn at(x: f64, y: f64) -> Person {
    Person {
        id: 1,
        x,
        y,
        vx: 0.0,
        vy: 0.0,
    }
}

#[test]
fn nearer_people_mean_slower_driving_and_in_the_way_means_stop() {
    let (free, _) = speed_with(&[]);
    let (far, _) = speed_with(&[at(1.0, 1.9)]);
    let (mid, _) = speed_with(&[at(1.5, 1.2)]);
    let (near, _) = speed_with(&[at(1.2, -1.0)]);
    assert!(
        (free - NavParams::default().robot.max_linear_speed).abs() < 1e-9,
        "{free}"
    );
    assert!(
        far < free && mid < far && near < mid,
        "free {free} far {far} mid {mid} near {near}"
    );
    assert!(near >= NavParams::default().controller.people_min_speed - 1e-9);
    let (v, st) = speed_with(&[at(1.7, 0.1)]);
    assert_eq!(v, 0.0);
    assert!(
        matches!(st, ControlStatus::WaitingForPeople { .. }),
        "{st:?}"
    );
    // someone close but behind the robot does not stop it
    let (v, _) = speed_with(&[at(0.3, 0.0)]);
    assert!(v > 0.0);
}

fn corridor() -> OccupancyGrid {
    // 16 x 6 m room
    let mut g = OccupancyGrid::filled(320, 120, 0.05, Pose2D::default(), 0).unwrap();
    for i in 0..320 {
        g.set(i, 0, 100);
        g.set(i, 119, 100);
    }
    for j in 0..120 {
        g.set(0, j, 100);
        g.set(319, j, 100);
    }
    g
}

#[test]
fn waits_for_a_person_who_steps_in_the_way_then_continues() {
    let grid = corridor();
    let mut nav = Navigator::new(NavParams::default(), &grid, None).unwrap();
    let start = Pose2D::new(1.5, 3.0, 0.0);
    nav.set_goal(Pose2D::new(14.0, 3.0, 0.0), Mode::Normal, start, 0.0)
        .unwrap();
    let mut walkers = vec![];
    // at t = 3 s a person steps in front of the robot (0.8 m ahead) and stands there until t = 7 s,
    // then walks away to the side
    let mut spot: Option<f64> = None;
    let r = common::run(
        &mut nav,
        &grid,
        start,
        0.0,
        80.0,
        &mut walkers,
        |t, robot, w| {
            w.clear();
            if (3.0..7.0).contains(&t) {
                let x = *spot.get_or_insert(robot.x + 0.8);
                w.push(Walker {
                    id: 5,
                    x,
                    y: 3.0,
                    vx: 0.0,
                    vy: 0.0,
                });
            } else if (7.0..10.0).contains(&t) {
                let x = spot.unwrap_or(5.0);
                w.push(Walker {
                    id: 5,
                    x,
                    y: 3.0 + (t - 7.0) * 1.0,
                    vx: 0.0,
                    vy: 1.0,
                });
            }
        },
    );
    let waited = r
        .outputs
        .iter()
        .any(|o| o.state == NavState::WaitingForPeople);
    assert!(waited, "the robot should wait for the person");
    assert_eq!(
        r.outputs.last().unwrap().state,
        NavState::Succeeded,
        "then reach the goal"
    );
    assert!(
        r.min_person_distance > 0.2 + NavParams::default().robot.radius,
        "touched: {:.2}",
        r.min_person_distance
    );
}

#[test]
fn someone_standing_on_the_goal_means_arrived_next_to_it_not_pushing_in() {
    let grid = corridor();
    let mut nav = Navigator::new(NavParams::default(), &grid, None).unwrap();
    let start = Pose2D::new(1.5, 3.0, 0.0);
    let goal = Pose2D::new(8.0, 3.0, 0.0);
    nav.set_goal(goal, Mode::Normal, start, 0.0).unwrap();
    // A person stands on the goal for the whole run.
    let mut walkers = vec![];
    let r = common::run(
        &mut nav,
        &grid,
        start,
        0.0,
        60.0,
        &mut walkers,
        |_, _, w| {
            w.clear();
            w.push(Walker {
                id: 9,
                x: 8.0,
                y: 3.0,
                vx: 0.0,
                vy: 0.0,
            });
        },
    );
    assert_eq!(r.outputs.last().unwrap().state, NavState::Succeeded);
    let d = r.final_pose.distance(&goal);
    assert!(
        d <= NavParams::default().goal.occupied_tolerance + 1e-9 && d > 0.5,
        "stopped {d:.2} m from the goal, next to the person"
    );
    assert!(r.min_person_distance > NavParams::default().robot.radius + 0.2);
    // With the behaviour off, the same run does not succeed (it waits, then gives up).
    let mut p = NavParams::default();
    p.goal.occupied_tolerance = 0.0;
    let mut nav = Navigator::new(p, &grid, None).unwrap();
    nav.set_goal(goal, Mode::Normal, start, 0.0).unwrap();
    let r = common::run(
        &mut nav,
        &grid,
        start,
        0.0,
        60.0,
        &mut walkers,
        |_, _, w| {
            w.clear();
            w.push(Walker {
                id: 9,
                x: 8.0,
                y: 3.0,
                vx: 0.0,
                vy: 0.0,
            });
        },
    );
    assert_ne!(r.outputs.last().unwrap().state, NavState::Succeeded);
}
