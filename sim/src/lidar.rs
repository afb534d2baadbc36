//! 2D lidar: beams cast against the grid (walls) and against people, who appear as two legs
//! (scissor gait) or as one body circle.

use crate::error::SimError;
use crate::geom::{pose, ray_circle};
use crate::grid::Grid;
use crate::rng::SimRng;
use letan_core::{LaserScan, Pose2D};
use nalgebra::Vector2;
use serde::{Deserialize, Serialize};

/// How people look to the lidar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleShape {
    /// Two legs of radius `leg_radius` (a lidar mounted at shin height).
    Legs,
    /// One circle of the body radius (a lidar at hip height).
    Circle,
}

/// Lidar parameters (REP-117: out-of-range readings are +inf).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LidarConfig {
    pub beams: usize,
    pub angle_min: f64,
    pub angle_max: f64,
    pub range_min: f64,
    pub range_max: f64,
    /// Gaussian range noise std (m).
    pub noise_std: f64,
    pub rate_hz: f64,
    /// Mount pose in base_link.
    pub mount_x: f64,
    pub mount_y: f64,
    pub mount_z: f64,
    pub mount_yaw: f64,
    pub frame_id: String,
    pub people: PeopleShape,
    pub leg_radius: f64,
}

impl Default for LidarConfig {
    fn default() -> Self {
        Self {
            beams: 360,
            angle_min: -std::f64::consts::PI,
            angle_max: std::f64::consts::PI,
            range_min: 0.12,
            range_max: 12.0,
            noise_std: 0.01,
            rate_hz: 10.0,
            mount_x: 0.1,
            mount_y: 0.0,
            mount_z: 0.25,
            mount_yaw: 0.0,
            frame_id: "laser".into(),
            people: PeopleShape::Legs,
            leg_radius: 0.06,
        }
    }
}

impl LidarConfig {
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |key: &str, reason: String| {
            Err(SimError::InvalidConfig {
                key: format!("lidar.{key}"),
                reason,
            })
        };
        if self.beams == 0 || self.beams > 100_000 {
            return bad("beams", format!("{} must be in 1..=100000", self.beams));
        }
        if !(self.angle_max.is_finite()
            && self.angle_min.is_finite()
            && self.angle_max > self.angle_min)
        {
            return bad("angle_max", "must exceed angle_min".into());
        }
        if !(self.range_min >= 0.0 && self.range_max > self.range_min) {
            return bad("range_max", "must exceed range_min >= 0".into());
        }
        if !(self.noise_std.is_finite() && self.noise_std >= 0.0) {
            return bad("noise_std", "must be >= 0".into());
        }
        if !(self.rate_hz.is_finite() && self.rate_hz > 0.0) {
            return bad("rate_hz", "must be > 0".into());
        }
        Ok(())
    }

    /// Angle between beams. A full circle does not repeat its first beam.
    pub fn increment(&self) -> f64 {
        let span = self.angle_max - self.angle_min;
        if (span - std::f64::consts::TAU).abs() < 1e-9 {
            span / self.beams as f64
        } else if self.beams > 1 {
            span / (self.beams - 1) as f64
        } else {
            0.0
        }
    }

    pub fn mount(&self) -> Pose2D {
        pose(self.mount_x, self.mount_y, self.mount_yaw)
    }
}

/// A scan as the lidar publishes it (`sensor_msgs/LaserScan`): letan-core's domain [`LaserScan`]
/// (first beam angle, increment, range limits and ranges, in f64 as configured) and what the message
/// adds. The message's f32 fields are these values cast (`angle_max` from [`StampedScan::angle_max`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StampedScan {
    /// Sim time (s).
    pub stamp: f64,
    pub frame_id: String,
    pub scan: LaserScan,
    pub time_increment: f32,
    pub scan_time: f32,
    pub intensities: Vec<f32>,
}

impl StampedScan {
    /// Angle of the last beam.
    pub fn angle_max(&self) -> f64 {
        self.scan.angle(self.scan.ranges.len().saturating_sub(1))
    }
}

/// A circle obstacle seen by the lidar.
#[derive(Debug, Clone, Copy)]
pub struct Circle {
    pub center: Vector2<f64>,
    pub radius: f64,
}

/// Cast one scan from the sensor pose (in the map frame).
pub fn scan(
    cfg: &LidarConfig,
    grid: &Grid,
    sensor: &Pose2D,
    circles: &[Circle],
    rng: &mut SimRng,
    stamp: f64,
) -> StampedScan {
    let inc = cfg.increment();
    let o = sensor.position();
    // keep only circles that could be within range
    let near: Vec<Circle> = circles
        .iter()
        .copied()
        .filter(|c| (c.center - o).norm() - c.radius <= cfg.range_max)
        .collect();
    let mut ranges = Vec::with_capacity(cfg.beams);
    let mut intensities = Vec::with_capacity(cfg.beams);
    for k in 0..cfg.beams {
        let a = sensor.yaw + cfg.angle_min + inc * k as f64;
        let d = Vector2::new(a.cos(), a.sin());
        let mut best = grid.raycast(o, a, cfg.range_max);
        let mut intensity = 100.0f32;
        for c in &near {
            if let Some(t) = ray_circle(o, d, c.center, c.radius) {
                if best.is_none_or(|b| t < b) {
                    best = Some(t);
                    intensity = 50.0;
                }
            }
        }
        let r = match best {
            Some(t) => {
                let noisy = t + rng.gaussian(cfg.noise_std);
                if noisy < cfg.range_min {
                    f32::NEG_INFINITY
                } else if noisy > cfg.range_max {
                    f32::INFINITY
                } else {
                    noisy as f32
                }
            }
            None => f32::INFINITY,
        };
        if !r.is_finite() {
            intensity = 0.0;
        }
        ranges.push(r);
        intensities.push(intensity);
    }
    let scan_time = (1.0 / cfg.rate_hz) as f32;
    StampedScan {
        stamp,
        frame_id: cfg.frame_id.clone(),
        scan: LaserScan {
            angle_min: cfg.angle_min,
            angle_increment: inc,
            range_min: cfg.range_min,
            range_max: cfg.range_max,
            ranges,
        },
        time_increment: scan_time / cfg.beams as f32,
        scan_time,
        intensities,
    }
}
