#![allow(clippy::unwrap_used)]
//! The safety figure, tested: 50 seeded lobby trips (the first 50 seeds of the 1,000-trip bench,
//! `cargo bench -p letan-nav --bench people_trips`) among 4–8 walking people. No contact at all, and
//! at least 98 % of the trips reach their goal. Two threads, one per core.

mod common;

use common::trips::{run_trips, BatchSummary};
use letan_nav::params::NavParams;

#[test]
fn fifty_seeded_trips_no_contact_and_98_percent_success() {
    let halves: Vec<BatchSummary> = std::thread::scope(|scope| {
        let handles: Vec<_> = [(0u64..50).step_by(2), (1u64..50).step_by(2)]
            .into_iter()
            .map(|seeds| {
                scope.spawn(move || {
                    let (grid, keep, places) = common::lobby();
                    run_trips(
                        seeds,
                        &grid,
                        &keep,
                        &NavParams::default(),
                        &places.places,
                        240.0,
                    )
                    .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let trips: usize = halves.iter().map(|h| h.trips).sum();
    let ok: usize = halves.iter().map(|h| h.succeeded).sum();
    let contacts: usize = halves.iter().map(|h| h.contacts).sum();
    let closest = halves
        .iter()
        .map(|h| h.closest)
        .fold(f64::INFINITY, f64::min);
    let failures: Vec<_> = halves.iter().flat_map(|h| h.failures.clone()).collect();
    eprintln!("{ok}/{trips} succeeded, {contacts} with contact, closest {closest:.2} m; failures {failures:?}");
    assert!(trips >= 45, "only {trips} of 50 seeds gave a trip");
    assert_eq!(contacts, 0, "trips with a contact: {contacts}");
    assert!(
        ok * 100 >= trips * 98,
        "{ok}/{trips} succeeded (< 98 %): {failures:?}"
    );
}
