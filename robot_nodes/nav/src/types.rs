//! Plain input/output types: poses, velocity commands, laser scans, people.

pub use letan_core::{LaserScan, Twist2D};
pub use letan_map::{normalize_angle, Pose2D};
use nalgebra::{Isometry2, Point2, Vector2};

/// A person in the map frame with an estimated velocity.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Person {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
}

/// Compose poses: `a ⊕ b` (b expressed in a's frame).
pub fn compose(a: &Pose2D, b: &Pose2D) -> Pose2D {
    let (s, c) = a.yaw.sin_cos();
    Pose2D::new(
        a.x + c * b.x - s * b.y,
        a.y + s * b.x + c * b.y,
        normalize_angle(a.yaw + b.yaw),
    )
}

/// Inverse pose: `a ⊕ inverse(a) = identity`.
pub fn inverse(a: &Pose2D) -> Pose2D {
    let (s, c) = a.yaw.sin_cos();
    Pose2D::new(
        -(c * a.x + s * a.y),
        s * a.x - c * a.y,
        normalize_angle(-a.yaw),
    )
}

/// A world point expressed in the frame of `frame` (inverse-transform).
pub fn to_local(frame: &Pose2D, x: f64, y: f64) -> (f64, f64) {
    let (s, c) = frame.yaw.sin_cos();
    let (dx, dy) = (x - frame.x, y - frame.y);
    (c * dx + s * dy, -s * dx + c * dy)
}

/// nalgebra conversions.
pub fn to_isometry(p: &Pose2D) -> Isometry2<f64> {
    Isometry2::new(Vector2::new(p.x, p.y), p.yaw)
}

pub fn from_isometry(i: &Isometry2<f64>) -> Pose2D {
    let t: Point2<f64> = i.translation.vector.into();
    Pose2D::new(t.x, t.y, normalize_angle(i.rotation.angle()))
}

/// True if all pose fields are finite.
pub fn pose_finite(p: &Pose2D) -> bool {
    p.x.is_finite() && p.y.is_finite() && p.yaw.is_finite()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn compose_inverse_and_nalgebra_agree() {
        let a = Pose2D::new(1.0, 2.0, 0.7);
        let b = Pose2D::new(-0.5, 0.3, -2.0);
        let ab = compose(&a, &b);
        let ni = to_isometry(&a) * to_isometry(&b);
        let n = from_isometry(&ni);
        assert!((ab.x - n.x).abs() < 1e-12 && (ab.y - n.y).abs() < 1e-12);
        assert!((normalize_angle(ab.yaw - n.yaw)).abs() < 1e-12);
        let id = compose(&a, &inverse(&a));
        assert!(id.x.abs() < 1e-12 && id.y.abs() < 1e-12 && id.yaw.abs() < 1e-12);
        let (lx, ly) = to_local(&a, ab.x, ab.y);
        assert!((lx - b.x).abs() < 1e-12 && (ly - b.y).abs() < 1e-12);
    }

    #[test]
    fn scan_points_skip_invalid() {
        let s = LaserScan {
            angle_min: 0.0,
            angle_increment: std::f64::consts::FRAC_PI_2,
            range_min: 0.1,
            range_max: 10.0,
            ranges: vec![1.0, f32::NAN, 20.0, 0.05, f32::INFINITY, 2.0],
        };
        let p = s.points_in(&Pose2D::new(1.0, 0.0, 0.0));
        assert_eq!(p.len(), 2);
        assert!((p[0][0] - 2.0).abs() < 1e-9);
        // beam 5 at angle 5*pi/2 = pi/2
        assert!((p[1][1] - 2.0).abs() < 1e-6 && (p[1][0] - 1.0).abs() < 1e-6);
    }
}
