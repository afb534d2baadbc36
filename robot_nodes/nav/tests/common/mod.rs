#![allow(dead_code, clippy::unwrap_used)]
//! Shared fixtures for the crate's integration tests and benches: the real lobby map, and the
//! navigator in closed loop on `letan-sim`'s lidar (walls of the map, people as circles) and its
//! differential-drive kinematics. The seeded people-walking trips are in [`trips`].

pub mod trips;

use letan_map::{load_map, Keepout, OccupancyGrid, Places};
use letan_nav::navigator::{NavInput, NavOutput, Navigator};
use letan_nav::types::{compose, LaserScan, Person, Pose2D, Twist2D};
pub use letan_sim::lidar::Circle;
use letan_sim::lidar::LidarConfig;
use letan_sim::rng::SimRng;
use letan_sim::robot::DiffDrive;

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

/// A round obstacle (a leg, a person) at (x, y) of radius r, as the simulator's lidar sees it.
pub fn circle(x: f64, y: f64, r: f64) -> Circle {
    Circle {
        center: nalgebra::Vector2::new(x, y),
        radius: r,
    }
}

/// The simulator's lidar over the walls of a map: the lighter scanner of the closed-loop tests
/// ([`Scanner::light`]: 180 beams, 2°) or the robot's ([`Scanner::full`]: 360 beams, 1°).
pub struct Scanner {
    grid: letan_sim::Grid,
    cfg: LidarConfig,
    rng: SimRng,
}

impl Scanner {
    /// `beams` over the full circle from a laser at `laser` (base_link), Gaussian range noise
    /// `noise` (m) from random stream `seed`.
    pub fn new(
        grid: &OccupancyGrid,
        laser: Pose2D,
        beams: usize,
        noise: f64,
        seed: u64,
    ) -> Scanner {
        let cfg = LidarConfig {
            beams,
            angle_min: -std::f64::consts::PI,
            angle_max: std::f64::consts::PI - std::f64::consts::TAU / beams as f64,
            range_min: 0.05,
            range_max: 8.0,
            noise_std: noise,
            mount_x: laser.x,
            mount_y: laser.y,
            mount_yaw: laser.yaw,
            ..LidarConfig::default()
        };
        Scanner {
            // what the navigator's costmap takes for a wall (cost >= 65, or unknown)
            grid: letan_sim::lobby::grid_from_occupancy(grid, 65).unwrap(),
            cfg,
            rng: SimRng::new(seed, 2),
        }
    }

    /// 180 beams over the full circle, the laser at [`laser`], no noise.
    pub fn light(grid: &OccupancyGrid) -> Scanner {
        Scanner::new(grid, laser(), 180, 0.0, 0)
    }

    /// 180 beams with Gaussian range noise `noise` (m) from stream `seed`.
    pub fn noisy(grid: &OccupancyGrid, noise: f64, seed: u64) -> Scanner {
        Scanner::new(grid, laser(), 180, noise, seed)
    }

    /// 360 beams (1°), the laser at [`laser`], no noise.
    pub fn full(grid: &OccupancyGrid) -> Scanner {
        Scanner::new(grid, laser(), 360, 0.0, 0)
    }

    /// A scan (in the laser frame) from a robot at `robot` (map frame) among `circles`.
    pub fn scan(&mut self, robot: &Pose2D, circles: &[Circle]) -> LaserScan {
        let sensor = compose(robot, &self.cfg.mount());
        letan_sim::lidar::scan(&self.cfg, &self.grid, &sensor, circles, &mut self.rng, 0.0).scan
    }
}

/// The pose a base at `p` reaches in `dt` seconds under `cmd` (the simulator's exact arc).
pub fn drive(p: &Pose2D, cmd: &Twist2D, dt: f64) -> Pose2D {
    DiffDrive::integrate(p, cmd.linear, cmd.angular, dt)
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
        circle(self.x, self.y, 0.2)
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

/// The navigator's closed loop on the simulator: a control period of [`ClosedLoop::DT`], the
/// lidar every other period (10 Hz), perfect odometry and localization. Each [`ClosedLoop::step`]
/// scans (when due) among the bodies given, steps the navigator with the people given, and
/// drives the base under its command.
pub struct ClosedLoop {
    scanner: Scanner,
    /// The robot's pose and velocity now.
    pub pose: Pose2D,
    pub vel: Twist2D,
    /// The time of the next step (s).
    pub t: f64,
    steps: usize,
}

impl ClosedLoop {
    pub const DT: f64 = 0.05;

    pub fn new(scanner: Scanner, start: Pose2D, t0: f64) -> ClosedLoop {
        ClosedLoop {
            scanner,
            pose: start,
            vel: Twist2D::ZERO,
            t: t0,
            steps: 0,
        }
    }

    /// One control period among `bodies` (what the lidar sees) and `people` (the tracks the
    /// navigator is given); returns the navigator's output, the base having moved under it.
    pub fn step(&mut self, nav: &mut Navigator, bodies: &[Circle], people: &[Person]) -> NavOutput {
        let scan = self
            .steps
            .is_multiple_of(2)
            .then(|| self.scanner.scan(&self.pose, bodies));
        let out = nav.step(&NavInput {
            now: self.t,
            pose: self.pose,
            velocity: self.vel,
            scan: scan.as_ref(),
            people,
        });
        self.vel = out.cmd;
        self.pose = drive(&self.pose, &self.vel, Self::DT);
        self.t += Self::DT;
        self.steps += 1;
        out
    }
}

/// Drive the navigator in its [`ClosedLoop`] until it leaves the active states or `max_t`.
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
    let mut lp = ClosedLoop::new(Scanner::light(grid), start, t0);
    let mut outputs = Vec::new();
    let mut poses = Vec::new();
    let mut min_p = f64::INFINITY;
    let mut min_w = f64::INFINITY;
    while lp.t < t0 + max_t {
        move_walkers(lp.t, &lp.pose, walkers);
        let circles: Vec<Circle> = walkers.iter().map(Walker::circle).collect();
        let people: Vec<Person> = walkers.iter().map(Walker::person).collect();
        let out = lp.step(nav, &circles, &people);
        let pose = lp.pose;
        for w in walkers.iter() {
            min_p = min_p.min((w.x - pose.x).hypot(w.y - pose.y));
        }
        min_w = min_w.min(nav.costmap().static_obstacle_distance(pose.x, pose.y));
        poses.push(pose);
        let active = out.state.is_active();
        outputs.push(out);
        if !active {
            break;
        }
    }
    RunResult {
        outputs,
        poses,
        final_pose: lp.pose,
        time: lp.t - t0,
        min_person_distance: min_p,
        min_wall_clearance: min_w,
    }
}
