//! The safety figure: N seeded lobby trips among 4–8 walking people (default 1,000, two threads);
//! prints success, trips with contact, the closest approach and the wall time.
//!
//!     cargo bench -j2 -p letan-nav --bench people_trips              # 1,000 trips
//!     LETAN_TRIPS=200 cargo bench -j2 -p letan-nav --bench people_trips
//!
//! The first 50 seeds run in CI as `tests/people_trips_batch.rs`, with assertions.
#![allow(clippy::disallowed_methods)] // a bench measures wall time

use common::trips::{run_trips, BatchSummary};
use letan_map::{load_map, Keepout, Places};
use letan_nav::params::NavParams;

/// The trips, as the integration test runs them.
#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("LETAN_TRIPS")
        .ok()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1000);
    let root = letan_map::lobby::workspace_root();
    let grid = load_map(root.join("maps/lobby.yaml"))?.grid;
    let keep = Keepout::load(root.join("maps/keepout.yaml"))?;
    let places = Places::load(root.join("maps/places.yaml"))?;
    let started = std::time::Instant::now();
    let halves: Vec<BatchSummary> = std::thread::scope(|scope| {
        let handles: Vec<_> = [0u64, 1]
            .into_iter()
            .map(|first| {
                let (grid, keep, places) = (&grid, &keep, &places);
                scope.spawn(move || {
                    run_trips(
                        (first..n).step_by(2),
                        grid,
                        keep,
                        &NavParams::default(),
                        &places.places,
                        240.0,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a trip thread panicked"))
            .collect::<Result<Vec<_>, _>>()
    })?
    .into_iter()
    .collect::<Result<_, _>>()?;
    let trips: usize = halves.iter().map(|h| h.trips).sum();
    let ok: usize = halves.iter().map(|h| h.succeeded).sum();
    let contacts: usize = halves.iter().map(|h| h.contacts).sum();
    let closest = halves
        .iter()
        .map(|h| h.closest)
        .fold(f64::INFINITY, f64::min);
    let sim: f64 = halves.iter().map(|h| h.sim_time).sum();
    println!(
        "people_trips: {ok}/{trips} succeeded ({:.1} %), {contacts} trips with contact, closest approach {closest:.2} m centre to centre, {sim:.0} s of sim time in {:.0} s wall",
        100.0 * ok as f64 / trips.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    for h in &halves {
        for (seed, to, state) in &h.failures {
            println!("  failed: seed {seed} -> {to}: {state:?}");
        }
    }
    Ok(())
}
