//! Tracking between detections: where to look for the faces of the last frame, and how to merge
//! what is found there. Pure; the OpenCV side (`cv::YunetDetector`) crops and detects.
//!
//! A full-frame detection runs every `detect_every` frames and finds newcomers. In between, each
//! face of the previous frame is looked for only in a square around it, [`ROI_SCALE`] times the
//! face's larger side. A face moves little in one camera period: at 10 Hz a person walking at
//! 1.3 m/s moves 0.13 m, and the square leaves 0.75 face sides (0.15 m for a 0.20 m face, at any
//! distance) on each side.

use crate::{BBox, Detection};

/// The side of the square searched around a face, in face sides.
pub const ROI_SCALE: f32 = 2.5;

/// A region of the frame in whole pixels (inside the frame, never empty), and the larger side of
/// the smallest face it was made for (px).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roi {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub face: f32,
}

impl Roi {
    pub fn area(&self) -> u64 {
        u64::from(self.w) * u64::from(self.h)
    }

    /// The factor (≤ 1) to scale this region by before detection, so that its smallest face
    /// spans `max_input_side / ROI_SCALE` px: a lone face's square becomes at most
    /// `max_input_side` px, and merged regions keep their faces as large.
    pub fn input_scale(&self, max_input_side: f32) -> f32 {
        let want = max_input_side / ROI_SCALE;
        if self.face > want {
            want / self.face
        } else {
            1.0
        }
    }
}

/// The square searched around `face` in a `width`×`height` frame, clipped to the frame; `None`
/// for a box that is invalid or entirely outside.
pub fn roi_around(face: &BBox, width: u32, height: u32) -> Option<Roi> {
    if !face.is_valid() || width == 0 || height == 0 {
        return None;
    }
    let (cx, cy) = face.center();
    let half = face.w.max(face.h) * ROI_SCALE / 2.0;
    let clip = |v: f32, hi: u32| v.clamp(0.0, hi as f32);
    let (x0, x1) = (
        clip(cx - half, width).floor(),
        clip(cx + half, width).ceil(),
    );
    let (y0, y1) = (
        clip(cy - half, height).floor(),
        clip(cy + half, height).ceil(),
    );
    if x1 - x0 < 1.0 || y1 - y0 < 1.0 {
        return None;
    }
    Some(Roi {
        x: x0 as u32,
        y: y0 as u32,
        w: (x1 - x0) as u32,
        h: (y1 - y0) as u32,
        face: face.w.max(face.h),
    })
}

/// The regions to search for the faces of the last frame, overlapping ones merged into their
/// bounding region (two people side by side are searched once). `None` when together they cover
/// more than `max_fraction` of the frame: then a full detection is cheaper.
pub fn regions(last: &[Detection], width: u32, height: u32, max_fraction: f64) -> Option<Vec<Roi>> {
    let mut out: Vec<Roi> = last
        .iter()
        .filter_map(|d| roi_around(&d.bbox, width, height))
        .collect();
    // Merge until no two overlap (a handful of faces: quadratic is fine).
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..out.len() {
            for j in i + 1..out.len() {
                if overlap(&out[i], &out[j]) {
                    out[i] = union(&out[i], &out[j]);
                    out.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    let total: u64 = out.iter().map(Roi::area).sum();
    let frame = u64::from(width) * u64::from(height);
    (total as f64 <= max_fraction * frame as f64).then_some(out)
}

fn overlap(a: &Roi, b: &Roi) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

fn union(a: &Roi, b: &Roi) -> Roi {
    let (x0, y0) = (a.x.min(b.x), a.y.min(b.y));
    let (x1, y1) = ((a.x + a.w).max(b.x + b.w), (a.y + a.h).max(b.y + b.h));
    Roi {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
        face: a.face.min(b.face),
    }
}

/// A detection found in a region (in the region's pixels, after `scale` from the detector's
/// input back to the region), moved into the frame's pixels.
pub fn to_frame(d: &Detection, roi: &Roi, scale: f32) -> Detection {
    d.mapped(scale, (roi.x as f32, roi.y as f32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Landmarks;

    fn det(x: f32, y: f32, s: f32) -> Detection {
        Detection::new(BBox::new(x, y, s, s * 1.2), 0.9)
    }

    #[test]
    fn the_region_is_centred_on_the_face_and_clipped_to_the_frame() {
        let r = roi_around(&BBox::new(300.0, 200.0, 40.0, 50.0), 640, 480).expect("roi");
        // Centre (320, 225), side 2.5 × 50 = 125.
        assert_eq!((r.x, r.y, r.w, r.h, r.face), (257, 162, 126, 126, 50.0));
        // Scaled so that the face spans 128 / 2.5 = 51.2 px: not enlarged.
        assert_eq!(r.input_scale(128.0), 1.0);
        let near = roi_around(&BBox::new(200.0, 100.0, 100.0, 120.0), 640, 480).expect("roi");
        assert!((near.input_scale(128.0) - 51.2 / 120.0).abs() < 1e-6);
        let edge = roi_around(&BBox::new(0.0, 0.0, 40.0, 40.0), 640, 480).expect("roi");
        assert_eq!((edge.x, edge.y, edge.w, edge.h), (0, 0, 70, 70));
        assert_eq!(
            roi_around(&BBox::new(f32::NAN, 0.0, 4.0, 4.0), 640, 480),
            None
        );
        assert_eq!(roi_around(&BBox::new(900.0, 0.0, 4.0, 4.0), 640, 480), None);
    }

    #[test]
    fn overlapping_regions_are_searched_once_and_crowds_fall_back_to_a_full_detection() {
        let two = [det(100.0, 100.0, 30.0), det(120.0, 100.0, 30.0)];
        let r = regions(&two, 640, 480, 0.5).expect("small");
        assert_eq!(r.len(), 1, "{r:?}");
        // Merged with a larger face, a small face keeps its size at detection.
        let mixed = [det(100.0, 100.0, 20.0), det(110.0, 100.0, 80.0)];
        let m = regions(&mixed, 640, 480, 0.5).expect("small");
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].face, 24.0);
        assert_eq!(m[0].input_scale(128.0), 1.0);
        let apart = [det(50.0, 50.0, 30.0), det(500.0, 300.0, 30.0)];
        assert_eq!(regions(&apart, 640, 480, 0.5).expect("small").len(), 2);
        assert_eq!(regions(&[], 640, 480, 0.5), Some(vec![]));
        let close = [det(250.0, 150.0, 160.0)];
        assert_eq!(regions(&close, 640, 480, 0.5), None, "a face 160 px wide");
    }

    #[test]
    fn a_detection_in_a_region_is_moved_and_scaled_into_the_frame() {
        let lm = Landmarks::from_flat([10.0, 10.0, 20.0, 10.0, 15.0, 15.0, 11.0, 20.0, 19.0, 20.0]);
        let d = Detection::new(BBox::new(5.0, 4.0, 20.0, 24.0), 0.8).with_landmarks(lm);
        let roi = Roi {
            x: 100,
            y: 50,
            w: 60,
            h: 60,
            face: 24.0,
        };
        let f = to_frame(&d, &roi, 2.0);
        assert_eq!(f.bbox, BBox::new(110.0, 58.0, 40.0, 48.0));
        assert_eq!(f.landmarks.expect("lm").nose, (130.0, 80.0));
        assert_eq!(f.score, 0.8);
    }
}
