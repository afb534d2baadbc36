//! Where the robot is and who is around it: the particle filter on odometry and scans, and the
//! people tracker on the same scans. Pure: each input comes with its time.

use letan_map::OccupancyGrid;

use crate::costmap::Costmap;
use crate::error::{NavError, Result};
use crate::localization::ParticleFilter;
use crate::params::{LocalizationParams, NavParams, TrackerParams};
use crate::supervisor::Cycle;
use crate::tracker::{detect_people, PersonTracker};
use crate::types::{compose, pose_finite, LaserScan, Person, Pose2D, Twist2D};

/// Localization and people tracking for the navigation loop.
#[derive(Debug, Clone)]
pub struct Perception {
    pf: ParticleFilter,
    tracker: PersonTracker,
    tracker_params: TrackerParams,
    localization: LocalizationParams,
    /// The laser in base_link.
    laser: Pose2D,
    odom: Option<Pose2D>,
    velocity: Twist2D,
    scan: Option<(LaserScan, f64)>,
    /// A scan arrived that the controller has not taken yet.
    scan_fresh: bool,
    people: Vec<Person>,
}

impl Perception {
    /// Localization on `grid` starting around `start`, with the laser at `params.robot.laser_*`.
    pub fn new(grid: &OccupancyGrid, params: &NavParams, start: Pose2D) -> Result<Self> {
        let r = &params.robot;
        let laser = Pose2D::new(r.laser_x, r.laser_y, r.laser_yaw);
        let range_max = params.costmap.raytrace_max_range.max(8.0);
        let mut pf = ParticleFilter::new(grid, params.localization.clone(), laser, range_max)?;
        pf.init_default(start)?;
        Ok(Self {
            pf,
            tracker: PersonTracker::new(params.tracker.clone()),
            tracker_params: params.tracker.clone(),
            localization: params.localization.clone(),
            laser,
            odom: None,
            velocity: Twist2D::ZERO,
            scan: None,
            scan_fresh: false,
            people: Vec::new(),
        })
    }

    /// The pose estimate (base_link in the map frame).
    pub fn pose(&self) -> Pose2D {
        self.pf.estimate()
    }

    /// Spread of the particle filter (m).
    pub fn spread(&self) -> f64 {
        self.pf.spread()
    }

    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// map → odom (once odometry has arrived).
    pub fn map_to_odom(&self) -> Option<Pose2D> {
        self.odom.map(|o| self.pf.map_to_odom(&o))
    }

    /// Odometry: base_link in the odom frame and the measured velocity. A non-finite pose is
    /// ignored, and so is a non-finite velocity.
    pub fn odometry(&mut self, pose: Pose2D, velocity: Twist2D) {
        if !pose_finite(&pose) {
            return;
        }
        self.odom = Some(pose);
        if velocity.linear.is_finite() && velocity.angular.is_finite() {
            self.velocity = velocity;
        }
        self.pf.predict(pose);
    }

    /// A scan at `now`: corrects the pose (once odometry has arrived) and tracks people, leaving
    /// out the static obstacles of `costmap`.
    pub fn scan(&mut self, scan: LaserScan, now: f64, costmap: &Costmap) {
        if self.odom.is_some() {
            self.pf.update(&scan);
        }
        let sensor = compose(&self.pf.estimate(), &self.laser);
        let points = scan.points_in(&sensor);
        let detections = detect_people(&points, &self.tracker_params, |x, y| {
            costmap.static_obstacle_distance(x, y)
        });
        self.people = self.tracker.update(&detections, now);
        self.scan = Some((scan, now));
        self.scan_fresh = true;
    }

    /// Restart localization around `pose` (an operator's estimate), with the variances of x, y
    /// and yaw; a variance that is not a positive number takes the configured σ. A pose off the
    /// map is refused (every goal would fail from there) and the current estimate kept.
    pub fn initial_pose(
        &mut self,
        grid: &OccupancyGrid,
        pose: Pose2D,
        var_xy: f64,
        var_yaw: f64,
    ) -> Result<()> {
        if grid.world_to_cell(pose.x, pose.y).is_none() {
            return Err(NavError::BadInput {
                what: "initial pose",
                reason: format!("({:.2}, {:.2}) is not on the map", pose.x, pose.y),
            });
        }
        let pick = |v: f64, default: f64, max: f64| {
            if v.is_finite() && v > 0.0 {
                v.sqrt().min(max)
            } else {
                default
            }
        };
        let l = &self.localization;
        let sxy = pick(var_xy, l.initial_sigma_xy, 3.0);
        let syaw = pick(var_yaw, l.initial_sigma_yaw, std::f64::consts::PI);
        self.pf.init(pose, sxy, syaw)
    }

    /// What the controller sees at `now`.
    pub fn cycle(&self, now: f64) -> Cycle<'_> {
        Cycle {
            now,
            pose: self.pf.estimate(),
            velocity: self.velocity,
            scan: self.scan.as_ref().map(|(s, t)| (s, *t)),
            scan_is_new: self.scan_fresh,
            people: &self.people,
        }
    }

    /// The controller took the latest scan.
    pub fn scan_taken(&mut self) {
        self.scan_fresh = false;
    }
}
