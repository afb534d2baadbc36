#![allow(clippy::unwrap_used)]
//! Planning on the real lobby map from reception (and the dock) to every place succeeds and the path
//! never enters keep-out zones or cells closer to an obstacle than the robot radius.

mod common;

use letan_map::required_place_ids;
use letan_nav::costmap::{Costmap, INSCRIBED};
use letan_nav::params::NavParams;
use letan_nav::planner::Planner;

#[test]
fn plan_from_reception_and_dock_to_every_place() {
    let (grid, keep, places) = common::lobby();
    let p = NavParams::default();
    let cm = Costmap::new(&grid, Some(&keep), &p.costmap, p.robot.radius).unwrap();
    let mut planner = Planner::new(p.planner.clone());
    let ids = required_place_ids(include_str!("../../map/tests/places_spec_copy.tsv"));
    assert_eq!(ids.len(), 26);
    let starts = [
        ("reception", places.get("reception").unwrap()),
        ("dock", places.dock.unwrap()),
    ];
    for (sname, start) in starts {
        for id in &ids {
            let goal = places.get(id).unwrap();
            let path = planner
                .plan(&cm, &start, &goal)
                .unwrap_or_else(|e| panic!("{sname} -> {id}: {e}"));
            assert!(
                planner.last_goal_adjusted.is_none(),
                "{id}: goal pose itself must be free"
            );
            let end = path.goal().unwrap();
            assert!(
                end.distance(&goal) < 1e-9 && (end.yaw - goal.yaw).abs() < 1e-9,
                "{id}"
            );
            // dense check along every segment (the path is already at 5 cm spacing; check midpoints too)
            for w in path.poses.windows(2) {
                for k in 0..=4 {
                    let t = k as f64 / 4.0;
                    let (x, y) = (
                        w[0].x + t * (w[1].x - w[0].x),
                        w[0].y + t * (w[1].y - w[0].y),
                    );
                    assert!(
                        !cm.in_keepout(x, y),
                        "{sname} -> {id}: enters keep-out at ({x:.2}, {y:.2})"
                    );
                    let d = cm.static_obstacle_distance(x, y);
                    // start escape allows the first few centimetres to be closer
                    if (x - start.x).hypot(y - start.y) > p.planner.start_escape_radius {
                        assert!(
                            cm.cost_at(x, y) < INSCRIBED,
                            "{sname} -> {id}: lethal/inscribed cell at ({x:.2}, {y:.2})"
                        );
                        assert!(
                            d >= p.robot.radius,
                            "{sname} -> {id}: {d:.2} m from an obstacle at ({x:.2}, {y:.2})"
                        );
                    }
                }
            }
            // not absurdly long: at most 2.2x the straight-line distance + 4 m
            let straight = start.distance(&goal);
            assert!(
                path.length() < 2.2 * straight + 4.0,
                "{sname} -> {id}: {:.1} m vs {:.1} m",
                path.length(),
                straight
            );
        }
    }
}

#[test]
fn counters_are_reached_from_the_front_not_through_staff_area() {
    let (grid, keep, places) = common::lobby();
    let p = NavParams::default();
    let cm = Costmap::new(&grid, Some(&keep), &p.costmap, p.robot.radius).unwrap();
    let mut planner = Planner::new(p.planner.clone());
    let path = planner
        .plan(
            &cm,
            &places.get("counter_1").unwrap(),
            &places.get("counter_12").unwrap(),
        )
        .unwrap();
    assert!(
        path.poses.iter().all(|q| q.y < 15.7),
        "never behind the counter desk"
    );
}
