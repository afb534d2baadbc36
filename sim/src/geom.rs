//! Small 2D geometry helpers (SI units, REP-103: x forward, y left, yaw counter-clockwise).
//!
//! Poses and angles are `letan-core`'s ([`Pose2D`], [`letan_core::normalize_angle`]); what is left
//! here is the simulator's own: its rule for angles that are not finite, the quaternion of a yaw and
//! the ray/circle test of the lidar and camera.

use letan_core::Pose2D;
use nalgebra::Vector2;

/// The simulator's pose constructor: `Pose2D` with its yaw through [`wrap_angle`].
pub fn pose(x: f64, y: f64, yaw: f64) -> Pose2D {
    Pose2D::new(x, y, wrap_angle(yaw))
}

/// [`letan_core::normalize_angle`] (to (-π, π]), except that an angle that is not finite becomes 0:
/// the world's state never holds a NaN heading (core's function hands NaN back to its caller).
pub fn wrap_angle(a: f64) -> f64 {
    if a.is_finite() {
        letan_core::normalize_angle(a)
    } else {
        0.0
    }
}

/// Quaternion (x, y, z, w) of a rotation about z.
pub fn yaw_to_quaternion(yaw: f64) -> [f64; 4] {
    let h = yaw * 0.5;
    [0.0, 0.0, h.sin(), h.cos()]
}

/// Distance along a ray (origin `o`, unit direction `d`) to a circle, if it hits in front.
pub fn ray_circle(o: Vector2<f64>, d: Vector2<f64>, c: Vector2<f64>, r: f64) -> Option<f64> {
    let oc = o - c;
    let b = oc.dot(&d);
    let cc = oc.norm_squared() - r * r;
    let disc = b * b - cc;
    if disc < 0.0 {
        return None;
    }
    let sq = disc.sqrt();
    let t0 = -b - sq;
    if t0 >= 0.0 {
        return Some(t0);
    }
    let t1 = -b + sq;
    if t1 >= 0.0 {
        // Origin inside the circle.
        return Some(0.0);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_angle_range() {
        use std::f64::consts::PI;
        assert!((wrap_angle(PI) - PI).abs() < 1e-12);
        assert!((wrap_angle(-PI) - PI).abs() < 1e-12);
        assert!((wrap_angle(3.0 * PI) - PI).abs() < 1e-9);
        assert!((wrap_angle(0.5 + 4.0 * PI) - 0.5).abs() < 1e-9);
        assert!((wrap_angle(-0.5 - 4.0 * PI) + 0.5).abs() < 1e-9);
        assert_eq!(wrap_angle(f64::NAN), 0.0);
        assert_eq!(wrap_angle(f64::NEG_INFINITY), 0.0);
        assert_eq!(pose(1.0, 2.0, f64::NAN), Pose2D::new(1.0, 2.0, 0.0));
        assert_eq!(pose(1.0, 2.0, 3.0 * PI).yaw, wrap_angle(3.0 * PI));
    }

    #[test]
    fn ray_circle_hits_front_only() {
        let o = Vector2::new(0.0, 0.0);
        let d = Vector2::new(1.0, 0.0);
        let t = ray_circle(o, d, Vector2::new(3.0, 0.0), 0.5).unwrap_or(-1.0);
        assert!((t - 2.5).abs() < 1e-9);
        assert!(ray_circle(o, d, Vector2::new(-3.0, 0.0), 0.5).is_none());
        assert!(ray_circle(o, d, Vector2::new(3.0, 0.6), 0.5).is_none());
    }
}
