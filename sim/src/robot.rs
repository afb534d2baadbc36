//! The robot base: a differential drive with velocity and acceleration limits, and wheel
//! odometry that drifts like real encoders (per-wheel scale error plus random slip).

use crate::error::SimError;
use crate::geom::{self, wrap_angle};
use crate::rng::SimRng;
use letan_core::Pose2D;
use serde::{Deserialize, Serialize};

/// Base geometry and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiffDriveConfig {
    /// Footprint radius (m).
    pub radius: f64,
    /// Distance between the wheels (m).
    pub wheel_separation: f64,
    pub max_linear: f64,
    pub max_angular: f64,
    pub max_linear_accel: f64,
    pub max_angular_accel: f64,
    /// A `/cmd_vel` older than this (s) is treated as zero (like a real base's watchdog).
    pub cmd_timeout: f64,
}

impl Default for DiffDriveConfig {
    fn default() -> Self {
        Self {
            radius: 0.25,
            wheel_separation: 0.36,
            max_linear: 0.7,
            max_angular: 1.5,
            max_linear_accel: 0.8,
            max_angular_accel: 2.5,
            cmd_timeout: 0.5,
        }
    }
}

impl DiffDriveConfig {
    pub fn validate(&self) -> Result<(), SimError> {
        for (key, v) in [
            ("robot.radius", self.radius),
            ("robot.wheel_separation", self.wheel_separation),
            ("robot.max_linear", self.max_linear),
            ("robot.max_angular", self.max_angular),
            ("robot.max_linear_accel", self.max_linear_accel),
            ("robot.max_angular_accel", self.max_angular_accel),
            ("robot.cmd_timeout", self.cmd_timeout),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(SimError::InvalidConfig {
                    key: key.into(),
                    reason: format!("{v} must be a positive number"),
                });
            }
        }
        Ok(())
    }
}

/// Wheel-odometry error model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OdometryNoise {
    /// Std of each wheel's constant scale error (fraction), drawn once per run from the seed.
    pub wheel_scale_std: f64,
    /// Std of random slip per wheel, in metres per √metre travelled by that wheel.
    pub wheel_slip_std: f64,
}

impl Default for OdometryNoise {
    fn default() -> Self {
        Self {
            wheel_scale_std: 0.005,
            wheel_slip_std: 0.004,
        }
    }
}

/// The base's true state and its odometry estimate.
#[derive(Debug, Clone)]
pub struct DiffDrive {
    pub config: DiffDriveConfig,
    noise: OdometryNoise,
    /// True pose in the map frame.
    pub pose: Pose2D,
    /// Current true velocities.
    pub linear: f64,
    pub angular: f64,
    /// Odometry pose in the odom frame (starts at the identity).
    pub odom: Pose2D,
    /// Variances of (x, y, yaw) accumulated by odometry.
    pub odom_var: [f64; 3],
    scale_l: f64,
    scale_r: f64,
    rng: SimRng,
    /// Total true distance travelled (m).
    pub distance: f64,
}

impl DiffDrive {
    pub fn new(
        config: DiffDriveConfig,
        noise: OdometryNoise,
        start: Pose2D,
        mut rng: SimRng,
    ) -> Self {
        let scale_l = rng.gaussian(noise.wheel_scale_std);
        let scale_r = rng.gaussian(noise.wheel_scale_std);
        Self {
            config,
            noise,
            pose: start,
            linear: 0.0,
            angular: 0.0,
            odom: Pose2D::default(),
            odom_var: [0.0; 3],
            scale_l,
            scale_r,
            rng,
            distance: 0.0,
        }
    }

    /// Velocities after applying limits to a command over `dt`.
    pub fn limited(&self, cmd_linear: f64, cmd_angular: f64, dt: f64) -> (f64, f64) {
        let c = &self.config;
        let vl = if cmd_linear.is_finite() {
            cmd_linear
        } else {
            0.0
        };
        let va = if cmd_angular.is_finite() {
            cmd_angular
        } else {
            0.0
        };
        let vl = vl.clamp(-c.max_linear, c.max_linear);
        let va = va.clamp(-c.max_angular, c.max_angular);
        let dv = (vl - self.linear).clamp(-c.max_linear_accel * dt, c.max_linear_accel * dt);
        let dw = (va - self.angular).clamp(-c.max_angular_accel * dt, c.max_angular_accel * dt);
        (self.linear + dv, self.angular + dw)
    }

    /// Pose the base would reach moving at (v, w) for dt (exact arc integration).
    pub fn integrate(pose: &Pose2D, v: f64, w: f64, dt: f64) -> Pose2D {
        let th = pose.yaw;
        if w.abs() < 1e-9 {
            geom::pose(pose.x + v * dt * th.cos(), pose.y + v * dt * th.sin(), th)
        } else {
            let r = v / w;
            let th2 = th + w * dt;
            geom::pose(
                pose.x + r * (th2.sin() - th.sin()),
                pose.y - r * (th2.cos() - th.cos()),
                th2,
            )
        }
    }

    /// Commit a motion (v, w) over dt that the world accepted: updates the true pose and
    /// integrates noisy wheel odometry.
    pub fn commit(&mut self, v: f64, w: f64, dt: f64, new_pose: Pose2D) {
        self.linear = v;
        self.angular = w;
        self.pose = new_pose;
        let b = self.config.wheel_separation;
        let dl = (v - w * b * 0.5) * dt;
        let dr = (v + w * b * 0.5) * dt;
        self.distance += (v * dt).abs();
        let ml = dl * (1.0 + self.scale_l)
            + self
                .rng
                .gaussian(self.noise.wheel_slip_std * dl.abs().sqrt());
        let mr = dr * (1.0 + self.scale_r)
            + self
                .rng
                .gaussian(self.noise.wheel_slip_std * dr.abs().sqrt());
        let ds = 0.5 * (ml + mr);
        let dth = (mr - ml) / b;
        let mid = self.odom.yaw + 0.5 * dth;
        self.odom = geom::pose(
            self.odom.x + ds * mid.cos(),
            self.odom.y + ds * mid.sin(),
            wrap_angle(self.odom.yaw + dth),
        );
        // Variance grows with the wheel travel (first-order, diagonal).
        let k = self.noise.wheel_slip_std.powi(2) + self.noise.wheel_scale_std.powi(2) * ds.abs();
        let travel = 0.5 * (dl.abs() + dr.abs());
        self.odom_var[0] += k * travel;
        self.odom_var[1] += k * travel;
        self.odom_var[2] += 2.0 * k * travel / (b * b);
    }

    /// The base was blocked: velocities drop to zero and the pose stays.
    pub fn block(&mut self) {
        self.linear = 0.0;
        self.angular = 0.0;
    }

    /// Measured (odometry) velocities, as the base reports them in `/odom` twist.
    pub fn odom_twist(&self) -> (f64, f64) {
        (
            self.linear * (1.0 + 0.5 * (self.scale_l + self.scale_r)),
            self.angular * (1.0 + 0.5 * (self.scale_r - self.scale_l).abs()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_applied() {
        let d = DiffDrive::new(
            DiffDriveConfig::default(),
            OdometryNoise::default(),
            Pose2D::default(),
            SimRng::new(1, 1),
        );
        let (v, w) = d.limited(5.0, -9.0, 0.1);
        assert!((v - 0.08).abs() < 1e-12, "{v}");
        assert!((w + 0.25).abs() < 1e-12, "{w}");
        let (v, w) = d.limited(f64::NAN, f64::INFINITY, 0.1);
        assert_eq!((v, w), (0.0, 0.0));
    }

    #[test]
    fn arc_integration_closes_circle() {
        let mut p = Pose2D::default();
        let w = 0.5;
        let steps = 1000;
        let dt = std::f64::consts::TAU / w / steps as f64;
        for _ in 0..steps {
            p = DiffDrive::integrate(&p, 0.5, w, dt);
        }
        assert!(p.x.abs() < 1e-9 && p.y.abs() < 1e-9, "{p:?}");
    }
}
