//! N seeded lobby trips with people walking; prints success rate, contacts and minimum distance.
//!
//!     cargo run --release -j2 -p letan-nav --example people_runs -- [N=200] [seed,seed,…]
//!
//! With a seed list only those seeds run (to look at failures).

use letan_map::{load_map, Keepout, Places};
use letan_nav::navigator::NavState;
use letan_nav::params::NavParams;
use letan_nav::scenario::run_people_scenario;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200);
    let root = letan_map::lobby::workspace_root();
    let grid = load_map(root.join("maps/lobby.yaml"))?.grid;
    let keep = Keepout::load(root.join("maps/keepout.yaml"))?;
    let places = Places::load(root.join("maps/places.yaml"))?;
    let only: Option<Vec<u64>> = std::env::args()
        .nth(2)
        .map(|s| s.split(',').map(str::parse).collect())
        .transpose()?;
    let params = NavParams::default();
    let ids: Vec<&String> = places.places.keys().collect();
    let (mut ok, mut contacts, mut min_d, mut fails) = (0, 0, f64::INFINITY, Vec::new());
    let mut total_time = 0.0;
    for seed in 0..n {
        if only.as_ref().is_some_and(|o| !o.contains(&seed)) {
            continue;
        }
        let from = places.places[ids[(seed as usize * 7) % ids.len()]];
        let to_id = ids[(seed as usize * 11 + 3) % ids.len()];
        let to = places.places[to_id];
        if from.distance(&to) < 1.0 {
            continue;
        }
        let people = 4 + (seed % 5) as usize;
        let r = run_people_scenario(seed, &grid, &keep, &params, from, to, people, 240.0)?;
        total_time += r.time;
        println!(
            "seed {seed:3} -> {to_id}: {:?} {:.1} s, people {people}, min distance {:.2} m, recoveries {}",
            r.state, r.time, r.min_person_distance, r.recoveries
        );
        min_d = min_d.min(r.min_person_distance);
        contacts += usize::from(r.contact);
        if r.state == NavState::Succeeded {
            ok += 1;
        } else {
            fails.push((seed, to_id.clone(), r.state.clone()));
        }
    }
    println!("{ok}/{n} succeeded, {contacts} runs with contact, min robot-person distance {min_d:.2} m (centre to centre), sim time {total_time:.0} s");
    for f in fails {
        println!("failed: seed {} -> {}: {:?}", f.0, f.1, f.2);
    }
    Ok(())
}
