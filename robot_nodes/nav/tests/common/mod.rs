#![allow(dead_code, clippy::unwrap_used)]
//! Shared fixtures for the crate's integration tests: the real lobby map and a small closed-loop sim.

use letan_map::{load_map, Keepout, OccupancyGrid, Places};
use letan_nav::navigator::{NavInput, NavOutput, Navigator};
use letan_nav::testing::{simulate_scan, unicycle_step, Circle, ScanSpec};
use letan_nav::types::{LaserScan, Person, Pose2D, Twist2D};
use rand_chacha::ChaCha8Rng;

pub fn root() -> std::path::PathBuf {
    letan_map::lobby::workspace_root()
}

pub fn lobby() -> (OccupancyGrid, Keepout, Places) {
    let m = load_map(root().join("maps/lobby.yaml")).unwrap();
    let k = Keepout::load(root().join("maps/keepout.yaml")).unwrap();
    let p = Places::load(root().join("maps/places.yaml")).unwrap();
    (m.grid, k, p)
}

pub fn laser() -> Pose2D {
    Pose2D::new(0.1, 0.0, 0.0)
}

/// A lighter scanner for closed-loop tests (180 beams, 2°).
pub fn spec() -> ScanSpec {
    ScanSpec {
        beams: 180,
        angle_min: -std::f64::consts::PI,
        angle_max: std::f64::consts::PI - 0.0349,
        range_min: 0.05,
        range_max: 8.0,
    }
}

pub fn scan_at(grid: &OccupancyGrid, circles: &[Circle], pose: &Pose2D) -> LaserScan {
    simulate_scan::<ChaCha8Rng>(grid, circles, pose, &laser(), &spec(), 0.0, None)
}

/// A walking person for the sim: body circle + a tracked `Person` (ground truth).
#[derive(Debug, Clone, Copy)]
pub struct Walker {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
}

impl Walker {
    pub fn person(&self) -> Person {
        Person {
            id: self.id,
            x: self.x,
            y: self.y,
            vx: self.vx,
            vy: self.vy,
        }
    }
    pub fn circle(&self) -> Circle {
        Circle {
            x: self.x,
            y: self.y,
            r: 0.2,
        }
    }
}

pub struct RunResult {
    pub outputs: Vec<NavOutput>,
    pub poses: Vec<Pose2D>,
    pub final_pose: Pose2D,
    pub time: f64,
    pub min_person_distance: f64,
    pub min_wall_clearance: f64,
}

/// Drive the navigator with a perfect-odometry unicycle until it leaves the active states or `max_t`.
/// `walkers` moves people each step (callback gets time, robot pose, walkers).
pub fn run(
    nav: &mut Navigator,
    grid: &OccupancyGrid,
    start: Pose2D,
    t0: f64,
    max_t: f64,
    walkers: &mut Vec<Walker>,
    mut move_walkers: impl FnMut(f64, &Pose2D, &mut Vec<Walker>),
) -> RunResult {
    let dt = 0.05;
    let mut pose = start;
    let mut vel = Twist2D::ZERO;
    let mut t = t0;
    let mut outputs = Vec::new();
    let mut poses = Vec::new();
    let mut min_p = f64::INFINITY;
    let mut min_w = f64::INFINITY;
    let mut k = 0usize;
    while t < t0 + max_t {
        move_walkers(t, &pose, walkers);
        let circles: Vec<Circle> = walkers.iter().map(Walker::circle).collect();
        let people: Vec<Person> = walkers.iter().map(Walker::person).collect();
        // scan at 10 Hz
        let scan = k.is_multiple_of(2).then(|| scan_at(grid, &circles, &pose));
        let out = nav.step(&NavInput {
            now: t,
            pose,
            velocity: vel,
            scan: scan.as_ref(),
            people: &people,
        });
        vel = out.cmd;
        pose = unicycle_step(&pose, &vel, dt);
        for w in walkers.iter() {
            min_p = min_p.min((w.x - pose.x).hypot(w.y - pose.y));
        }
        min_w = min_w.min(nav.costmap().static_obstacle_distance(pose.x, pose.y));
        poses.push(pose);
        let active = out.state.is_active();
        outputs.push(out);
        t += dt;
        k += 1;
        if !active {
            break;
        }
    }
    RunResult {
        outputs,
        poses,
        final_pose: pose,
        time: t - t0,
        min_person_distance: min_p,
        min_wall_clearance: min_w,
    }
}
