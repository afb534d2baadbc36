//! A seeded lobby scenario for the `people_trips_batch` test and the `people_trips` bench: the
//! navigator drives the simulator's differential-drive kinematics with scans from the simulator's
//! lidar (perfect localization) while the simulator's crossers (`letan_sim::crossers`) walk
//! between random points. They do not plan around the robot, but like real people they side-step
//! instead of walking into it; one who walked into furniture is sent somewhere else after 3 s.

use letan_map::{Keepout, OccupancyGrid};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use letan_nav::navigator::{Mode, NavState, Navigator};
use letan_nav::params::NavParams;
use letan_nav::types::{Person, Pose2D};

use letan_sim::crossers::Crosser;

use super::{circle, Circle, ClosedLoop, Scanner};

/// Body radius of a simulated person (m).
pub const PERSON_RADIUS: f64 = 0.2;

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    pub state: NavState,
    pub time: f64,
    /// Minimum robot–person distance, centre to centre (m).
    pub min_person_distance: f64,
    /// The bodies touched (distance < robot radius + person radius) while the robot was moving.
    pub contact: bool,
    pub recoveries: u32,
}

/// Run one trip from `start` to `goal` with `n_people` walkers; gives up after `max_time` seconds.
#[allow(clippy::too_many_arguments)]
pub fn run_people_scenario(
    seed: u64,
    grid: &OccupancyGrid,
    keepout: &Keepout,
    params: &NavParams,
    start: Pose2D,
    goal: Pose2D,
    n_people: usize,
    max_time: f64,
) -> letan_nav::Result<ScenarioResult> {
    let mut nav = Navigator::new(params.clone(), grid, Some(keepout))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cm = nav.costmap().clone();
    let free_point = |rng: &mut ChaCha8Rng| {
        for _ in 0..10_000 {
            let (x, y) = (rng.gen_range(2.0..28.0), rng.gen_range(2.0..15.0));
            if cm.static_obstacle_distance(x, y) > 0.6 && !cm.in_keepout(x, y) {
                return (x, y);
            }
        }
        (15.0, 5.0)
    };
    let mut walkers: Vec<Crosser> = Vec::new();
    while walkers.len() < n_people {
        let p = free_point(&mut rng);
        if (p.0 - start.x).hypot(p.1 - start.y) < 2.0 {
            continue;
        }
        let t = free_point(&mut rng);
        walkers.push(Crosser::new(p.0, p.1, t.0, t.1, rng.gen_range(0.7..1.2)));
    }
    nav.set_goal(goal, Mode::Normal, start, 0.0)
        .map_err(|f| letan_nav::NavError::BadInput {
            what: "scenario goal",
            reason: f.message,
        })?;
    let laser = Pose2D::new(
        params.robot.laser_x,
        params.robot.laser_y,
        params.robot.laser_yaw,
    );
    let mut lp = ClosedLoop::new(Scanner::new(grid, laser, 180, 0.0, 0), start, 0.0);
    let touch = PERSON_RADIUS + params.robot.radius;
    let mut min_d = f64::INFINITY;
    let mut contact = false;
    let mut state = NavState::Following;
    let mut recoveries = 0;
    while lp.t < max_time {
        // people walk; a pedestrian about to bump into the robot side-steps (turns 90° away from it)
        for w in &mut walkers {
            if w.to_target() < 0.2 || w.stuck > 3.0 {
                let p = free_point(&mut rng);
                w.retarget(p.0, p.1, rng.gen_range(0.7..1.2));
            } else {
                let wall = |x, y| cm.static_obstacle_distance(x, y);
                w.walk(
                    (lp.pose.x, lp.pose.y),
                    touch,
                    ClosedLoop::DT,
                    PERSON_RADIUS,
                    wall,
                );
            }
        }
        let circles: Vec<Circle> = walkers
            .iter()
            .map(|w| circle(w.x, w.y, PERSON_RADIUS))
            .collect();
        let people: Vec<Person> = walkers
            .iter()
            .enumerate()
            .map(|(i, w)| Person {
                id: i as u64 + 1,
                x: w.x,
                y: w.y,
                vx: w.vx,
                vy: w.vy,
            })
            .collect();
        let out = lp.step(&mut nav, &circles, &people);
        for w in &walkers {
            let d = (w.x - lp.pose.x).hypot(w.y - lp.pose.y);
            min_d = min_d.min(d);
            if d < touch && lp.vel.linear.abs() > 1e-3 {
                contact = true;
            }
        }
        state = out.state;
        recoveries = out.recoveries;
        if !state.is_active() {
            break;
        }
    }
    Ok(ScenarioResult {
        state,
        time: lp.t,
        min_person_distance: min_d,
        contact,
        recoveries,
    })
}

/// One seeded trip of the people-walking batch: where from, where to, how many people.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    pub seed: u64,
    pub from: Pose2D,
    pub to_id: String,
    pub to: Pose2D,
    pub people: usize,
}

/// The trip of `seed` among `places` (sorted by id): a spread of starts and goals, 4–8 people.
/// `None` when start and goal are under 1 m apart (nothing to drive).
pub fn seeded_trip(seed: u64, places: &std::collections::BTreeMap<String, Pose2D>) -> Option<Trip> {
    let ids: Vec<&String> = places.keys().collect();
    if ids.is_empty() {
        return None;
    }
    let from = places[ids[(seed as usize).wrapping_mul(7) % ids.len()]];
    let to_id = ids[(seed as usize).wrapping_mul(11).wrapping_add(3) % ids.len()];
    let to = places[to_id];
    (from.distance(&to) >= 1.0).then(|| Trip {
        seed,
        from,
        to_id: to_id.clone(),
        to,
        people: 4 + (seed % 5) as usize,
    })
}

/// What a batch of seeded trips gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchSummary {
    /// Trips driven (seeds whose start and goal were too close are skipped).
    pub trips: usize,
    pub succeeded: usize,
    /// Trips in which the robot's body touched a person's.
    pub contacts: usize,
    /// Closest robot–person approach over all trips, centre to centre (m).
    pub closest: f64,
    /// Sim time of all trips (s).
    pub sim_time: f64,
    /// Seeds that did not succeed, with how they ended.
    pub failures: Vec<(u64, String, NavState)>,
}

/// Drive the trips of `seeds` (see [`seeded_trip`]), each with up to `max_time` s.
pub fn run_trips(
    seeds: impl IntoIterator<Item = u64>,
    grid: &OccupancyGrid,
    keepout: &Keepout,
    params: &NavParams,
    places: &std::collections::BTreeMap<String, Pose2D>,
    max_time: f64,
) -> letan_nav::Result<BatchSummary> {
    let mut s = BatchSummary {
        closest: f64::INFINITY,
        ..BatchSummary::default()
    };
    for seed in seeds {
        let Some(trip) = seeded_trip(seed, places) else {
            continue;
        };
        let r = run_people_scenario(
            seed,
            grid,
            keepout,
            params,
            trip.from,
            trip.to,
            trip.people,
            max_time,
        )?;
        s.trips += 1;
        s.sim_time += r.time;
        s.closest = s.closest.min(r.min_person_distance);
        s.contacts += usize::from(r.contact);
        if r.state == NavState::Succeeded {
            s.succeeded += 1;
        } else {
            s.failures.push((seed, trip.to_id, r.state));
        }
    }
    Ok(s)
}
