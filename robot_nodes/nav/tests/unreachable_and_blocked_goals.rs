#![allow(clippy::unwrap_used)]
//! Goals that cannot be reached fail fast with a clear error code; goals inside obstacles go to the
//! nearest free pose or are rejected; a path that becomes blocked ends in bounded recoveries, never a hang.

mod common;

use letan_map::OccupancyGrid;
use letan_nav::navigator::{Mode, NavErrorCode, NavState, Navigator, RecoveryKind};
use letan_nav::params::NavParams;
use letan_nav::types::Pose2D;

#[test]
fn goal_in_a_closed_room_is_rejected_with_no_valid_path() {
    // a 1.5 m box closed on all sides in the middle of a room
    let mut g = OccupancyGrid::filled(200, 200, 0.05, Pose2D::default(), 0).unwrap();
    for i in 60..=90 {
        g.set(i, 60, 100);
        g.set(i, 90, 100);
        g.set(60, i, 100);
        g.set(90, i, 100);
    }
    let mut nav = Navigator::new(NavParams::default(), &g, None).unwrap();
    let e = nav
        .set_goal(
            Pose2D::new(3.75, 3.75, 0.0),
            Mode::Normal,
            Pose2D::new(1.0, 1.0, 0.0),
            0.0,
        )
        .unwrap_err();
    assert_eq!(e.code, NavErrorCode::NoValidPath);
    assert_eq!(e.code.code(), 208);
    assert!(e.message.contains("no path"), "{}", e.message);
    assert!(matches!(nav.state(), NavState::Failed(_)));
}

#[test]
fn goal_inside_furniture_goes_to_nearest_free_pose_or_is_rejected() {
    let (grid, keep, places) = common::lobby();
    let mut nav = Navigator::new(NavParams::default(), &grid, Some(&keep)).unwrap();
    let start = places.dock.unwrap();
    // the middle of the forms desk (4.0..5.6 x 8.0..8.8) is 0.4 m from its edge: moved to a free pose nearby
    let used = nav
        .set_goal(Pose2D::new(4.8, 8.55, 0.0), Mode::Normal, start, 0.0)
        .unwrap();
    assert!(nav.costmap().traversable(used.x, used.y));
    assert!(
        used.distance(&Pose2D::new(4.8, 8.55, 0.0))
            <= NavParams::default().planner.goal_search_radius + 1e-9
    );
    // deep inside the staff area behind the counters: rejected as occupied (keep-out)
    let e = nav
        .set_goal(Pose2D::new(15.0, 18.5, 0.0), Mode::Normal, start, 0.0)
        .unwrap_err();
    assert_eq!(e.code, NavErrorCode::GoalOccupied);
    assert!(e.message.contains("keep-out"), "{}", e.message);
    // outside the map
    let e = nav
        .set_goal(Pose2D::new(45.0, 3.0, 0.0), Mode::Normal, start, 0.0)
        .unwrap_err();
    assert_eq!(e.code, NavErrorCode::GoalOutsideMap);
    // NaN
    let e = nav
        .set_goal(Pose2D::new(f64::NAN, 3.0, 0.0), Mode::Normal, start, 0.0)
        .unwrap_err();
    assert_eq!(e.code, NavErrorCode::InvalidInput);
    // unknown place id
    let e = nav
        .set_goal_place(&places, "counter_13", Mode::Normal, start, 0.0)
        .unwrap_err();
    assert_eq!(e.code, NavErrorCode::UnknownPlace);
}

#[test]
fn corridor_blocked_for_good_ends_in_failure_after_recoveries_without_hanging() {
    // 12 x 3 m corridor; a wall of boxes (seen only by the scan) closes it at x = 6
    let mut g = OccupancyGrid::filled(240, 60, 0.05, Pose2D::default(), 0).unwrap();
    for i in 0..240 {
        g.set(i, 0, 100);
        g.set(i, 59, 100);
    }
    for j in 0..60 {
        g.set(0, j, 100);
        g.set(239, j, 100);
    }
    let mut closed = g.clone();
    for j in 0..60 {
        closed.set(120, j, 100);
        closed.set(121, j, 100);
    }
    let mut params = NavParams::default();
    params.recovery.max_recoveries = 4;
    let mut nav = Navigator::new(params.clone(), &g, None).unwrap();
    let start = Pose2D::new(1.0, 1.5, 0.0);
    nav.set_goal(Pose2D::new(11.0, 1.5, 0.0), Mode::Normal, start, 0.0)
        .unwrap();
    // the sim raycasts on the closed corridor; the navigator's static map does not know about it
    let mut walkers = vec![];
    let r = common::run(
        &mut nav,
        &closed,
        start,
        0.0,
        300.0,
        &mut walkers,
        |_, _, _| {},
    );
    let last = r.outputs.last().unwrap();
    match &last.state {
        NavState::Failed(f) => {
            assert_eq!(f.code, NavErrorCode::NoValidPath, "{}", f.message);
            assert!(f.message.contains("recoveries"), "{}", f.message);
        }
        s => panic!("expected failure, got {s:?} after {:.0} s", r.time),
    }
    assert!(r.time < 120.0, "gave up in bounded time: {:.1} s", r.time);
    let kinds: Vec<RecoveryKind> = r
        .outputs
        .iter()
        .filter_map(|o| {
            if let NavState::Recovering(k) = o.state {
                Some(k)
            } else {
                None
            }
        })
        .collect();
    assert!(
        kinds.contains(&RecoveryKind::ClearCostmap) && kinds.contains(&RecoveryKind::Rotate),
        "{kinds:?}"
    );
    assert!(
        r.final_pose.x < 6.0 - params.robot.radius,
        "never drove into the blockage"
    );
    assert!(r.min_wall_clearance > params.robot.radius);
}
