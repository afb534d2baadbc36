//! Plain data shared by the detector side (`letan-vision`) and the behaviour side.

use std::fmt;

/// An axis-aligned box in image pixels: top-left corner plus size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl BBox {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// Centre point `(u, v)` in pixels.
    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    /// Intersection over union; 0 for disjoint or degenerate boxes.
    pub fn iou(&self, other: &BBox) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.w).min(other.x + other.w);
        let y1 = (self.y + self.h).min(other.y + other.h);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 || !union.is_finite() {
            0.0
        } else {
            inter / union
        }
    }

    /// The same box in a frame where this image is scaled by `s` (both axes) and its origin put
    /// at `offset`: e.g. from a downscaled detection input, or a crop, back to the camera frame.
    pub fn mapped(&self, s: f32, offset: (f32, f32)) -> Self {
        Self::new(
            self.x * s + offset.0,
            self.y * s + offset.1,
            self.w * s,
            self.h * s,
        )
    }

    /// True when every field is finite and the size is positive.
    pub fn is_valid(&self) -> bool {
        [self.x, self.y, self.w, self.h]
            .iter()
            .all(|v| v.is_finite())
            && self.w > 0.0
            && self.h > 0.0
    }
}

/// The five YuNet landmarks in image pixels, in YuNet's order: the subject's right eye,
/// left eye, nose tip, right mouth corner, left mouth corner. For a face looking at the
/// camera the subject's right eye appears on the image's left.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Landmarks {
    pub right_eye: (f32, f32),
    pub left_eye: (f32, f32),
    pub nose: (f32, f32),
    pub mouth_right: (f32, f32),
    pub mouth_left: (f32, f32),
}

impl Landmarks {
    /// From YuNet's flat `[x_re, y_re, x_le, y_le, x_nt, y_nt, x_rcm, y_rcm, x_lcm, y_lcm]`.
    pub fn from_flat(p: [f32; 10]) -> Self {
        Self {
            right_eye: (p[0], p[1]),
            left_eye: (p[2], p[3]),
            nose: (p[4], p[5]),
            mouth_right: (p[6], p[7]),
            mouth_left: (p[8], p[9]),
        }
    }

    fn points(&self) -> [(f32, f32); 5] {
        [
            self.right_eye,
            self.left_eye,
            self.nose,
            self.mouth_right,
            self.mouth_left,
        ]
    }

    /// The same points in a frame where this image is scaled by `s` and put at `offset`.
    pub fn mapped(&self, s: f32, offset: (f32, f32)) -> Self {
        let f = |(x, y): (f32, f32)| (x * s + offset.0, y * s + offset.1);
        Self {
            right_eye: f(self.right_eye),
            left_eye: f(self.left_eye),
            nose: f(self.nose),
            mouth_right: f(self.mouth_right),
            mouth_left: f(self.mouth_left),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.points()
            .iter()
            .all(|(x, y)| x.is_finite() && y.is_finite())
    }
}

/// One face found in one frame. Haar gives no landmarks; YuNet gives five.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Detection {
    pub bbox: BBox,
    pub landmarks: Option<Landmarks>,
    /// Detector confidence in [0, 1].
    pub score: f32,
}

impl Detection {
    pub fn new(bbox: BBox, score: f32) -> Self {
        Self {
            bbox,
            landmarks: None,
            score,
        }
    }

    pub fn with_landmarks(mut self, landmarks: Landmarks) -> Self {
        self.landmarks = Some(landmarks);
        self
    }

    /// The same detection in a frame where this image is scaled by `s` and put at `offset`
    /// ([`BBox::mapped`]); the score is kept.
    pub fn mapped(&self, s: f32, offset: (f32, f32)) -> Self {
        Self {
            bbox: self.bbox.mapped(s, offset),
            landmarks: self.landmarks.map(|l| l.mapped(s, offset)),
            score: self.score,
        }
    }
}

/// An anonymous face-track id. It is a counter, carries nothing about the person and is never
/// reused within one tracker's life. Displayed as REP-155-style short id (`f` + 4 hex digits+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId(pub u64);

impl fmt::Display for TrackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "f{:04x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_boxes_is_one_and_disjoint_is_zero() {
        let a = BBox::new(10.0, 10.0, 20.0, 20.0);
        assert!((a.iou(&a) - 1.0).abs() < 1e-6);
        let b = BBox::new(100.0, 100.0, 5.0, 5.0);
        assert_eq!(a.iou(&b), 0.0);
        let half = BBox::new(20.0, 10.0, 20.0, 20.0);
        assert!((a.iou(&half) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn degenerate_boxes_do_not_produce_nan() {
        let z = BBox::new(0.0, 0.0, 0.0, 0.0);
        assert_eq!(z.iou(&z), 0.0);
        assert!(!z.is_valid());
        assert!(!BBox::new(f32::NAN, 0.0, 1.0, 1.0).is_valid());
    }

    #[test]
    fn a_detection_scaled_back_to_the_camera_frame_scales_box_and_landmarks() {
        let lm = Landmarks::from_flat([10.0, 20.0, 30.0, 20.0, 20.0, 30.0, 12.0, 40.0, 28.0, 40.0]);
        let d = Detection::new(BBox::new(5.0, 6.0, 30.0, 40.0), 0.9).with_landmarks(lm);
        let up = d.mapped(2.5, (0.0, 0.0));
        assert_eq!(up.bbox, BBox::new(12.5, 15.0, 75.0, 100.0));
        assert_eq!(up.score, 0.9);
        let l = up.landmarks.expect("landmarks kept");
        assert_eq!(l.right_eye, (25.0, 50.0));
        assert_eq!(l.mouth_left, (70.0, 100.0));
        assert_eq!(
            Detection::new(d.bbox, 0.5)
                .mapped(2.0, (0.0, 0.0))
                .landmarks,
            None
        );
        // Moved as well: a crop's detection put back where the crop was taken.
        let moved = d.mapped(2.0, (100.0, 50.0));
        assert_eq!(moved.bbox, BBox::new(110.0, 62.0, 60.0, 80.0));
        assert_eq!(
            moved.landmarks.expect("landmarks kept").nose,
            (140.0, 110.0)
        );
    }

    #[test]
    fn track_id_display_is_short_and_anonymous() {
        assert_eq!(TrackId(10).to_string(), "f000a");
    }
}
