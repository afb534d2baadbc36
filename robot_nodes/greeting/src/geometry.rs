//! Pinhole geometry (distance and bearing from a face box) and head yaw from landmarks.

use crate::{BBox, CameraParams, Landmarks};
pub(crate) use letan_core::normalize_angle;

/// Ratio between the nose tip's depth in front of the eye plane and half the distance between
/// the eyes. Adult averages put both at about 3–3.5 cm, so 1.0 is used: then the nose's offset
/// from the face midline, divided by half the eye distance, is `tan(yaw)`.
const NOSE_DEPTH_OVER_HALF_EYE: f64 = 1.0;

/// Camera intrinsics plus the assumed physical face height, for one image size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraIntrinsics {
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    pub width: u32,
    pub height: u32,
    pub yaw_offset_rad: f64,
    pub face_height_m: f64,
}

impl CameraIntrinsics {
    pub fn from_params(p: &CameraParams) -> Self {
        Self {
            fx: p.fx,
            fy: p.fy,
            cx: p.cx,
            cy: p.cy,
            width: p.width,
            height: p.height,
            yaw_offset_rad: p.yaw_offset_rad,
            face_height_m: p.face_height_m,
        }
    }

    /// The same camera for frames resized to `width`×`height` (e.g. detection at 320×240).
    pub fn scaled_to(&self, width: u32, height: u32) -> Self {
        if width == self.width && height == self.height || width == 0 || height == 0 {
            return *self;
        }
        let sx = f64::from(width) / f64::from(self.width);
        let sy = f64::from(height) / f64::from(self.height);
        Self {
            fx: self.fx * sx,
            fy: self.fy * sy,
            cx: self.cx * sx,
            cy: self.cy * sy,
            width,
            height,
            ..*self
        }
    }

    /// Depth along the optical axis (m) from the face box height.
    pub fn depth_m(&self, bbox: &BBox) -> Option<f64> {
        let h = f64::from(bbox.h);
        (h.is_finite() && h > 0.0).then(|| self.fy * self.face_height_m / h)
    }

    /// Bearing of the face centre from base_link x (rad, REP-103: left positive), in (-π, π].
    pub fn bearing_rad(&self, bbox: &BBox) -> f64 {
        let (u, _) = bbox.center();
        // Image x grows to the right; a face right of centre is to the robot's right (negative).
        normalize_angle((-(f64::from(u) - self.cx)).atan2(self.fx) + self.yaw_offset_rad)
    }

    /// Straight-line distance (m) from the camera to the face.
    pub fn distance_m(&self, bbox: &BBox) -> Option<f64> {
        let z = self.depth_m(bbox)?;
        let (u, v) = bbox.center();
        let x = (f64::from(u) - self.cx) * z / self.fx;
        let y = (f64::from(v) - self.cy) * z / self.fy;
        Some((x * x + y * y + z * z).sqrt())
    }
}

/// Estimated head yaw relative to the camera's line of sight (rad). 0 = looking at the
/// camera; the sign is positive when the nose points toward image right. `None` if the
/// landmarks are degenerate.
///
/// Method: undo the roll using the eye line, take the face midline as the line through the
/// eye midpoint and the mouth midpoint, and measure how far the nose tip sits off it relative
/// to half the eye distance. With the nose `d` in front of the eye plane and the eyes `±e`
/// from the midline, that ratio is `(d/e)·tan(yaw)`.
pub fn face_yaw(l: &Landmarks) -> Option<f64> {
    if !l.is_valid() {
        return None;
    }
    let p = |q: (f32, f32)| (f64::from(q.0), f64::from(q.1));
    let (re, le, nose, mr, ml) = (
        p(l.right_eye),
        p(l.left_eye),
        p(l.nose),
        p(l.mouth_right),
        p(l.mouth_left),
    );
    let roll = (le.1 - re.1).atan2(le.0 - re.0);
    let (s, c) = (-roll).sin_cos();
    let eye_mid = ((re.0 + le.0) / 2.0, (re.1 + le.1) / 2.0);
    let rot = |q: (f64, f64)| {
        let (dx, dy) = (q.0 - eye_mid.0, q.1 - eye_mid.1);
        (dx * c - dy * s, dx * s + dy * c)
    };
    let (re, le, nose) = (rot(re), rot(le), rot(nose));
    let mouth_mid = rot(((mr.0 + ml.0) / 2.0, (mr.1 + ml.1) / 2.0));
    let half_eye = (le.0 - re.0).abs() / 2.0;
    if half_eye < 1e-3 {
        return None;
    }
    // Midline x at the nose's height, interpolated between the eye and mouth midpoints.
    let mid_x = if mouth_mid.1.abs() > 1e-3 {
        mouth_mid.0 * (nose.1 / mouth_mid.1).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let ratio = (nose.0 - mid_x) / half_eye;
    let yaw = (ratio / NOSE_DEPTH_OVER_HALF_EYE).atan();
    yaw.is_finite().then_some(yaw)
}

/// How frontal a face is, in [0, 1]: cos(yaw), 1 = facing the camera. Without landmarks
/// (Haar, which only finds near-frontal faces) this is 1.
pub fn frontalness(l: Option<&Landmarks>) -> f64 {
    match l {
        None => 1.0,
        Some(l) => face_yaw(l).map_or(0.0, |y| y.cos().clamp(0.0, 1.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam() -> CameraIntrinsics {
        CameraIntrinsics::from_params(&CameraParams::default())
    }

    /// Landmarks of a synthetic head at yaw `yaw`, centred at `u`, eye distance 60 px.
    fn head(u: f32, yaw: f64) -> Landmarks {
        let e = 30.0_f64;
        let (sn, cs) = yaw.sin_cos();
        let x = |lat: f64, depth: f64| u + (lat * cs + depth * sn) as f32;
        Landmarks {
            right_eye: (x(-e, 0.0), 100.0),
            left_eye: (x(e, 0.0), 100.0),
            nose: (x(0.0, e), 130.0),
            mouth_right: (x(-0.8 * e, 0.0), 160.0),
            mouth_left: (x(0.8 * e, 0.0), 160.0),
        }
    }

    #[test]
    fn distance_follows_face_size() {
        let c = cam();
        // A 0.20 m face 2 m away on the axis is fy*0.2/2 = 55.4 px tall.
        let b = BBox::new(320.0 - 23.0, 240.0 - 27.7, 46.0, 55.43);
        let d = c.distance_m(&b).expect("distance");
        assert!((d - 2.0).abs() < 0.01, "{d}");
        let near = BBox::new(300.0, 200.0, 80.0, 110.86);
        assert!((c.depth_m(&near).expect("depth") - 1.0).abs() < 0.01);
        assert!(c.depth_m(&BBox::new(0.0, 0.0, 0.0, 0.0)).is_none());
    }

    #[test]
    fn bearing_is_left_positive_and_scales_with_resolution() {
        let c = cam();
        let left = BBox::new(100.0, 200.0, 40.0, 40.0);
        let right = BBox::new(500.0, 200.0, 40.0, 40.0);
        assert!(c.bearing_rad(&left) > 0.2);
        assert!(c.bearing_rad(&right) < -0.2);
        assert!(c.bearing_rad(&BBox::new(300.0, 0.0, 40.0, 40.0)).abs() < 1e-9);
        // Same scene at half resolution: same bearing and distance.
        let half = c.scaled_to(320, 240);
        let left_half = BBox::new(50.0, 100.0, 20.0, 20.0);
        assert!((half.bearing_rad(&left_half) - c.bearing_rad(&left)).abs() < 1e-9);
        let dl = c.distance_m(&left).expect("d");
        assert!((half.distance_m(&left_half).expect("d") - dl).abs() < 1e-6);
    }

    #[test]
    fn angles_are_normalized() {
        use std::f64::consts::PI;
        assert!((normalize_angle(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
        assert!((normalize_angle(-PI) - PI).abs() < 1e-12);
        assert!((normalize_angle(PI) - PI).abs() < 1e-12);
    }

    #[test]
    fn yaw_from_landmarks_recovers_synthetic_head_pose() {
        for deg in [-60.0_f64, -30.0, 0.0, 15.0, 45.0] {
            let y = face_yaw(&head(200.0, deg.to_radians())).expect("yaw");
            assert!(
                (y.to_degrees() - deg).abs() < 3.0,
                "{deg} -> {}",
                y.to_degrees()
            );
        }
        assert!(frontalness(Some(&head(0.0, 0.0))) > 0.99);
        assert!(frontalness(Some(&head(0.0, 1.0))) < 0.6);
        assert_eq!(frontalness(None), 1.0);
    }

    #[test]
    fn yaw_is_roll_invariant() {
        let l = head(200.0, 0.4);
        let (s, c) = 0.5_f32.sin_cos();
        let r = |p: (f32, f32)| (p.0 * c - p.1 * s, p.0 * s + p.1 * c);
        let rolled = Landmarks {
            right_eye: r(l.right_eye),
            left_eye: r(l.left_eye),
            nose: r(l.nose),
            mouth_right: r(l.mouth_right),
            mouth_left: r(l.mouth_left),
        };
        let a = face_yaw(&l).expect("yaw");
        let b = face_yaw(&rolled).expect("yaw");
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }

    #[test]
    fn degenerate_landmarks_give_none() {
        let mut l = head(0.0, 0.0);
        l.left_eye = l.right_eye;
        assert!(face_yaw(&l).is_none());
        l.nose = (f32::NAN, 0.0);
        assert!(face_yaw(&l).is_none());
        assert_eq!(frontalness(Some(&l)), 0.0);
    }
}
