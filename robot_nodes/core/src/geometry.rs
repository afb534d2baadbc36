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
pub fn normalize_angle(a: f64) -> f64 {
    use std::f64::consts::PI;
    if !a.is_finite() {
        return a;
    }
    let mut r = a.rem_euclid(2.0 * PI); // [0, 2π)
    if r > PI {
        r -= 2.0 * PI;
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
    fn distance_ignores_yaw() {
        assert_eq!(
            Pose2D::new(0.0, 0.0, 1.0).distance(&Pose2D::new(3.0, 4.0, -2.0)),
            5.0
        );
    }
}
