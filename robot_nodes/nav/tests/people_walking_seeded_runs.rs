#![allow(clippy::unwrap_used)]
//! Seeded lobby trips with people walking: no contact, (nearly) all succeed. A few seeds here (debug
//! builds are slow); `cargo run --release -p letan-nav --example people_runs -- 200` runs 200.

mod common;

use letan_nav::navigator::NavState;
use letan_nav::params::NavParams;
use letan_nav::scenario::run_people_scenario;

#[test]
fn seeded_runs_with_people_walking() {
    let (grid, keep, places) = common::lobby();
    let params = NavParams::default();
    let trips = [
        ("dock", "counter_6"),
        ("entrance", "counter_11"),
        ("queue_kiosk", "water_station"),
        ("reception", "online_service_area"),
    ];
    let mut ok = 0;
    for seed in 0..4u64 {
        let (from, to) = trips[seed as usize % trips.len()];
        let start = if from == "dock" {
            places.dock.unwrap()
        } else {
            places.get(from).unwrap()
        };
        let r = run_people_scenario(
            seed,
            &grid,
            &keep,
            &params,
            start,
            places.get(to).unwrap(),
            5,
            150.0,
        )
        .unwrap();
        eprintln!(
            "seed {seed} {from} -> {to}: {:?} {:.1} s, min person distance {:.2} m",
            r.state, r.time, r.min_person_distance
        );
        assert!(!r.contact, "seed {seed}: contact with a person");
        assert!(
            !r.state.is_active(),
            "seed {seed}: still running after 150 s (hang)"
        );
        ok += usize::from(r.state == NavState::Succeeded);
    }
    assert!(ok >= 3, "{ok}/4 succeeded");
}
