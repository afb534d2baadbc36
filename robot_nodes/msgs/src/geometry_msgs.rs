//! `geometry_msgs`: points, vectors, poses, twists and transforms (SI units, REP-103).
use crate::serde_helpers::fixed_array;
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `geometry_msgs/msg/Vector3`: a free vector (m, m/s or rad/s depending on the use).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vector3 {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// z.
    pub z: f64,
}

impl Vector3 {
    /// A vector from its components.
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }
}

/// `geometry_msgs/msg/Point`: a position, in metres.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Point {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// z.
    pub z: f64,
}

impl Point {
    /// A point from its coordinates.
    pub fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }
}

/// `geometry_msgs/msg/Quaternion`: an orientation. The default is the identity (`w = 1`), as in ROS 2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quaternion {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// z.
    pub z: f64,
    /// w.
    pub w: f64,
}

impl Default for Quaternion {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Quaternion {
    /// No rotation.
    pub const IDENTITY: Quaternion = Quaternion {
        x: 0.0,
        y: 0.0,
        z: 0.0,
        w: 1.0,
    };

    /// A rotation of `yaw` radians about +z (counter-clockwise seen from above, REP-103).
    pub fn from_yaw(yaw: f64) -> Self {
        let (s, c) = (yaw * 0.5).sin_cos();
        Self {
            x: 0.0,
            y: 0.0,
            z: s,
            w: c,
        }
    }

    /// The heading about +z in (-π, π]. For a quaternion that also pitches or rolls, this is the
    /// yaw of the ZYX (yaw-pitch-roll) decomposition. Works on non-normalized quaternions.
    pub fn yaw(&self) -> f64 {
        let Self { x, y, z, w } = *self;
        // w² + x² - y² - z² equals 1 - 2(y² + z²) for a unit quaternion, and scales like the numerator.
        let yaw = (2.0 * (w * z + x * y)).atan2(w * w + x * x - y * y - z * z);
        if yaw <= -std::f64::consts::PI {
            std::f64::consts::PI
        } else {
            yaw
        }
    }
}

/// `geometry_msgs/msg/Pose`: a position and an orientation.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pose {
    /// Position, metres.
    pub position: Point,
    /// Orientation.
    pub orientation: Quaternion,
}

impl Pose {
    /// A planar pose: (x, y) in metres and a heading in radians.
    pub fn from_xy_yaw(x: f64, y: f64, yaw: f64) -> Self {
        Self {
            position: Point::new(x, y, 0.0),
            orientation: Quaternion::from_yaw(yaw),
        }
    }
}

/// `geometry_msgs/msg/PoseWithCovariance`: a pose with its 6×6 covariance (row-major,
/// order x, y, z, rot x, rot y, rot z).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoseWithCovariance {
    /// The pose.
    pub pose: Pose,
    /// Row-major 6×6 covariance.
    #[serde(with = "fixed_array")]
    pub covariance: [f64; 36],
}

impl Default for PoseWithCovariance {
    fn default() -> Self {
        Self {
            pose: Pose::default(),
            covariance: [0.0; 36],
        }
    }
}

/// `geometry_msgs/msg/PoseStamped`: a pose in a frame at a time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoseStamped {
    /// Frame and time.
    pub header: Header,
    /// The pose.
    pub pose: Pose,
}

/// `geometry_msgs/msg/PoseWithCovarianceStamped` (e.g. `/initialpose`, `/amcl_pose`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoseWithCovarianceStamped {
    /// Frame and time.
    pub header: Header,
    /// The pose and its covariance.
    pub pose: PoseWithCovariance,
}

/// `geometry_msgs/msg/Twist`: linear (m/s) and angular (rad/s) velocity, e.g. on `/cmd_vel`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Twist {
    /// Linear velocity, m/s.
    pub linear: Vector3,
    /// Angular velocity, rad/s.
    pub angular: Vector3,
}

impl Twist {
    /// A planar base command: forward speed `vx` (m/s) and turn rate `wz` (rad/s).
    pub fn planar(vx: f64, wz: f64) -> Self {
        Self {
            linear: Vector3::new(vx, 0.0, 0.0),
            angular: Vector3::new(0.0, 0.0, wz),
        }
    }
}

/// `geometry_msgs/msg/TwistWithCovariance`: a twist with its 6×6 covariance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwistWithCovariance {
    /// The twist.
    pub twist: Twist,
    /// Row-major 6×6 covariance.
    #[serde(with = "fixed_array")]
    pub covariance: [f64; 36],
}

impl Default for TwistWithCovariance {
    fn default() -> Self {
        Self {
            twist: Twist::default(),
            covariance: [0.0; 36],
        }
    }
}

/// `geometry_msgs/msg/TwistStamped`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwistStamped {
    /// Frame and time.
    pub header: Header,
    /// The twist.
    pub twist: Twist,
}

/// `geometry_msgs/msg/Transform`: a translation and a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Transform {
    /// Translation, metres.
    pub translation: Vector3,
    /// Rotation.
    pub rotation: Quaternion,
}

/// `geometry_msgs/msg/TransformStamped`: the pose of `child_frame_id` in `header.frame_id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransformStamped {
    /// Parent frame and time.
    pub header: Header,
    /// The child frame.
    pub child_frame_id: String,
    /// Child pose in the parent frame.
    pub transform: Transform,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{FRAC_PI_2, PI};

    #[test]
    fn yaw_round_trips_over_the_circle() {
        for i in -17..=18 {
            let yaw = f64::from(i) * PI / 18.0; // -170° .. 180°
            let q = Quaternion::from_yaw(yaw);
            assert!((q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w - 1.0).abs() < 1e-12);
            assert!((q.yaw() - yaw).abs() < 1e-12, "{yaw} -> {}", q.yaw());
        }
    }

    #[test]
    fn yaw_is_normalized_to_minus_pi_exclusive() {
        assert!((Quaternion::from_yaw(-PI).yaw() - PI).abs() < 1e-12);
        assert!((Quaternion::from_yaw(3.0 * PI / 2.0).yaw() + FRAC_PI_2).abs() < 1e-12);
        assert!((Quaternion::from_yaw(2.0 * PI + 0.25).yaw() - 0.25).abs() < 1e-12);
        // A quaternion and its negation are the same rotation.
        let q = Quaternion::from_yaw(1.0);
        let neg = Quaternion {
            x: -q.x,
            y: -q.y,
            z: -q.z,
            w: -q.w,
        };
        assert!((neg.yaw() - 1.0).abs() < 1e-12);
        // Not normalized: scaled by 3.
        let big = Quaternion {
            x: 0.0,
            y: 0.0,
            z: 3.0 * q.z,
            w: 3.0 * q.w,
        };
        assert!((big.yaw() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn yaw_of_a_pitched_quaternion_is_the_zyx_yaw() {
        // yaw 0.7 then pitch 0.3 (ZYX): q = qz(0.7) * qy(0.3).
        let (sz, cz) = (0.35f64).sin_cos();
        let (sy, cy) = (0.15f64).sin_cos();
        let q = Quaternion {
            x: -sz * sy,
            y: cz * sy,
            z: sz * cy,
            w: cz * cy,
        };
        assert!((q.yaw() - 0.7).abs() < 1e-12, "{}", q.yaw());
    }

    #[test]
    fn defaults_match_ros() {
        assert_eq!(
            Quaternion::default(),
            Quaternion {
                x: 0.0,
                y: 0.0,
                z: 0.0,
                w: 1.0
            }
        );
        assert_eq!(Pose::default().orientation.w, 1.0);
        assert_eq!(PoseWithCovariance::default().covariance, [0.0; 36]);
        let p = Pose::from_xy_yaw(1.0, 2.0, FRAC_PI_2);
        assert_eq!(p.position, Point::new(1.0, 2.0, 0.0));
        assert!((p.orientation.yaw() - FRAC_PI_2).abs() < 1e-12);
        let t = Twist::planar(0.2, -0.5);
        assert_eq!((t.linear.x, t.angular.z, t.linear.y), (0.2, -0.5, 0.0));
    }
}
