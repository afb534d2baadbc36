#![allow(clippy::unwrap_used)]
//! Closed loop on the real lobby map (unicycle, raycast scans, perfect localization): from the dock to
//! places across the lobby and back to the dock, with no contact with walls or furniture.
//! (Every place is covered by planning in `plan_from_reception_to_every_place`; the simulator runs
//! the full dock → every place → dock scenario.)

mod common;

use letan_nav::navigator::{Mode, NavState, Navigator};
use letan_nav::params::NavParams;
use letan_nav::types::normalize_angle;

// (with people walking, see `people_trips_batch`)

#[test]
fn dock_to_places_and_back() {
    let (grid, keep, places) = common::lobby();
    let params = NavParams::default();
    let mut nav = Navigator::new(params.clone(), &grid, Some(&keep)).unwrap();
    let dock = places.dock.unwrap();
    let mut pose = dock;
    let mut t = 0.0;
    let mut walkers = vec![];
    let ids = letan_map::required_place_ids(include_str!("../../map/tests/places_spec_copy.tsv"));
    assert_eq!(ids.len(), 26);
    for id in &ids {
        let id = id.as_str();
        let goal = places.get(id).unwrap();
        for (name, target) in [(id, goal), ("dock", dock)] {
            if name == "dock" {
                nav.return_to_dock(&places, pose, t).unwrap();
            } else {
                nav.set_goal_place(&places, id, Mode::Normal, pose, t)
                    .unwrap();
            }
            let r = common::run(&mut nav, &grid, pose, t, 240.0, &mut walkers, |_, _, _| {});
            let last = r.outputs.last().unwrap();
            assert_eq!(
                last.state,
                NavState::Succeeded,
                "{name}: ended {:?} at {:?}",
                last.state,
                r.final_pose
            );
            assert!(
                r.final_pose.distance(&target) <= params.goal.xy_tolerance + 0.03,
                "{name}: {:?}",
                r.final_pose
            );
            assert!(
                normalize_angle(r.final_pose.yaw - target.yaw).abs()
                    <= params.goal.yaw_tolerance + 0.01
            );
            // the footprint never touched walls or furniture
            assert!(
                r.min_wall_clearance > params.robot.radius,
                "{name}: clearance {:.2}",
                r.min_wall_clearance
            );
            assert_eq!(
                last.recoveries, 0,
                "{name}: an empty lobby needs no recovery"
            );
            assert!(
                r.poses.iter().all(|p| !nav.costmap().in_keepout(p.x, p.y)),
                "{name}: entered keep-out"
            );
            pose = r.final_pose;
            t += r.time + 1.0;
        }
    }
}
