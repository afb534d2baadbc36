//! Small 2D geometry helpers (SI units, REP-103: x forward, y left, yaw counter-clockwise).

use nalgebra::Vector2;
use serde::{Deserialize, Serialize};

/// A planar pose: position in metres, yaw in radians normalized to (-π, π].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Pose2 {
    pub x: f64,
    pub y: f64,
    pub yaw: f64,
}

impl Pose2 {
    pub fn new(x: f64, y: f64, yaw: f64) -> Self {
        Self {
            x,
            y,
            yaw: normalize_angle(yaw),
        }
    }

    pub fn position(&self) -> Vector2<f64> {
        Vector2::new(self.x, self.y)
    }

    /// Unit vector along the heading.
    pub fn heading(&self) -> Vector2<f64> {
        Vector2::new(self.yaw.cos(), self.yaw.sin())
    }

    /// Transform a point given in this pose's frame into the parent frame.
    pub fn transform_point(&self, local: Vector2<f64>) -> Vector2<f64> {
        let (s, c) = self.yaw.sin_cos();
        Vector2::new(
            self.x + c * local.x - s * local.y,
            self.y + s * local.x + c * local.y,
        )
    }

    /// Compose `self ∘ other` (other expressed in self's frame).
    pub fn compose(&self, other: &Pose2) -> Pose2 {
        let p = self.transform_point(Vector2::new(other.x, other.y));
        Pose2::new(p.x, p.y, self.yaw + other.yaw)
    }
}

/// Normalize an angle to (-π, π].
pub fn normalize_angle(a: f64) -> f64 {
    if !a.is_finite() {
        return 0.0;
    }
    let two_pi = std::f64::consts::TAU;
    let mut r = a % two_pi;
    if r <= -std::f64::consts::PI {
        r += two_pi;
    } else if r > std::f64::consts::PI {
        r -= two_pi;
    }
    r
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
    fn normalize_angle_range() {
        use std::f64::consts::PI;
        assert!((normalize_angle(PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(-PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(3.0 * PI) - PI).abs() < 1e-9);
        assert!((normalize_angle(0.5 + 4.0 * PI) - 0.5).abs() < 1e-9);
        assert!((normalize_angle(-0.5 - 4.0 * PI) + 0.5).abs() < 1e-9);
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
