use nalgebra::Vector2;
use serde::{Deserialize, Serialize};

/// A planar pose (REP-103: metres, radians, yaw counter-clockwise from +x), in the frame the caller names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Pose2D {
    pub x: f64,
    pub y: f64,
    pub yaw: f64,
}

impl Pose2D {
    pub const fn new(x: f64, y: f64, yaw: f64) -> Self {
        Self { x, y, yaw }
    }

    /// Euclidean distance between the positions (yaw ignored).
    pub fn distance(&self, other: &Pose2D) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// The position as a vector.
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

    /// Compose `self ∘ other` (`other` expressed in self's frame); the yaw is normalized.
    pub fn compose(&self, other: &Pose2D) -> Pose2D {
        let p = self.transform_point(Vector2::new(other.x, other.y));
        Pose2D::new(p.x, p.y, normalize_angle(self.yaw + other.yaw))
    }
}

/// A velocity command in base_link (m/s forward, rad/s counter-clockwise).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Twist2D {
    pub linear: f64,
    pub angular: f64,
}

impl Twist2D {
    pub const ZERO: Twist2D = Twist2D {
        linear: 0.0,
        angular: 0.0,
    };
    pub fn new(linear: f64, angular: f64) -> Self {
        Self { linear, angular }
    }
}

/// Normalize an angle to (-π, π]. A value that is not finite is returned as it is (NaN stays NaN),
/// so that callers checking `is_finite` still see it.
///
/// Exact for an angle already in (-π, π] (returned bit for bit: `%` is exact and no 2π is added
/// and taken back), so normalizing twice changes nothing.
pub fn normalize_angle(a: f64) -> f64 {
    use std::f64::consts::{PI, TAU};
    if !a.is_finite() {
        return a;
    }
    let mut r = a % TAU; // (-2π, 2π), exact
    if r <= -PI {
        r += TAU;
    } else if r > PI {
        r -= TAU;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn normalize_angle_range() {
        assert!((normalize_angle(3.0 * PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(-PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(-0.5) + 0.5).abs() < 1e-12);
        assert!((normalize_angle(2.0 * PI + 0.25) - 0.25).abs() < 1e-12);
        assert!((normalize_angle(-3.0 * PI / 2.0) - PI / 2.0).abs() < 1e-12);
        assert!((normalize_angle(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
        assert!(normalize_angle(f64::NAN).is_nan());
        assert!(!normalize_angle(f64::INFINITY).is_finite());
    }

    #[test]
    fn normalize_angle_is_exact_inside_the_range() {
        for a in [-0.1, -1e-20, -3.0, -PI + 1e-15, 0.1, 3.0, PI, -0.0, 0.0] {
            assert_eq!(normalize_angle(a).to_bits(), a.to_bits(), "{a}");
            let n = normalize_angle(a + 4.0 * PI);
            assert_eq!(normalize_angle(n).to_bits(), n.to_bits(), "{a}");
        }
    }

    #[test]
    fn compose_and_transform_point() {
        let a = Pose2D::new(1.0, 2.0, PI / 2.0);
        let p = a.transform_point(Vector2::new(1.0, 0.0));
        assert!(
            (p.x - 1.0).abs() < 1e-12 && (p.y - 3.0).abs() < 1e-12,
            "{p:?}"
        );
        let c = a.compose(&Pose2D::new(0.0, 1.0, PI));
        assert!(
            (c.x - 0.0).abs() < 1e-12 && (c.y - 2.0).abs() < 1e-12,
            "{c:?}"
        );
        assert!((c.yaw + PI / 2.0).abs() < 1e-12, "{c:?}");
        assert!((a.heading() - Vector2::new(0.0, 1.0)).norm() < 1e-12);
        assert_eq!(a.position(), Vector2::new(1.0, 2.0));
    }

    #[test]
    fn distance_ignores_yaw() {
        assert_eq!(
            Pose2D::new(0.0, 0.0, 1.0).distance(&Pose2D::new(3.0, 4.0, -2.0)),
            5.0
        );
    }
}
