//! Conversions between ROS 2 messages and this crate's types, for the face node: everything
//! but the wiring. Malformed images are refused with an error that says what is wrong.
//!
//! Ids: the anonymous track id (`f0001`, …) names both the face (`/humans/faces/<id>/…`)
//! and the person (`/humans/persons/<id>/…`): there is exactly one face per anonymous person
//! and no identification to merge them.

use letan_greeting::{EngagementLevel, TrackId, TrackedFace};
use letan_msgs::hri_msgs;
use letan_msgs::sensor_msgs;
use letan_msgs::std_msgs::Header;

use crate::{Image, VisionError};

/// `/humans/faces/tracked`
pub const TRACKED_FACES_TOPIC: &str = "/humans/faces/tracked";

/// `/humans/faces/<id>/roi`
pub fn face_roi_topic(id: TrackId) -> String {
    format!("/humans/faces/{id}/roi")
}

/// `/humans/persons/<id>/engagement_status`
pub fn engagement_topic(id: TrackId) -> String {
    format!("/humans/persons/{id}/engagement_status")
}

/// Decodes a `sensor_msgs/Image` (`bgr8`, `rgb8`, `mono8`, `bgra8`, `rgba8`, `8UC1`, `8UC3`;
/// rows may be padded: `step` ≥ width × channels).
pub fn image_from_msg(msg: &sensor_msgs::Image) -> Result<Image, VisionError> {
    let bad = |reason: String| VisionError::BadImage { reason };
    let (channels, order): (usize, &str) = match msg.encoding.as_str() {
        "bgr8" | "8UC3" => (3, "bgr"),
        "rgb8" => (3, "rgb"),
        "mono8" | "8UC1" => (1, "mono"),
        "bgra8" => (4, "bgr"),
        "rgba8" => (4, "rgb"),
        other => {
            return Err(bad(format!(
                "unsupported encoding {other:?} (want bgr8, rgb8, mono8, bgra8 or rgba8)"
            )))
        }
    };
    let (w, h) = (msg.width as usize, msg.height as usize);
    let row = w
        .checked_mul(channels)
        .ok_or_else(|| bad(format!("width {} overflows", msg.width)))?;
    let step = msg.step as usize;
    if step < row {
        return Err(bad(format!(
            "step {step} < width {w} × {channels} channels"
        )));
    }
    let need = step
        .checked_mul(h.saturating_sub(1))
        .and_then(|v| v.checked_add(row))
        .ok_or_else(|| bad("size overflows".into()))?;
    if h > 0 && msg.data.len() < need {
        return Err(bad(format!(
            "{}x{} {} with step {step} needs {need} bytes, got {}",
            w,
            h,
            msg.encoding,
            msg.data.len()
        )));
    }
    if msg.width > crate::image::MAX_SIDE || msg.height > crate::image::MAX_SIDE {
        return Err(bad(format!(
            "{}x{} exceeds the {} px limit",
            msg.width,
            msg.height,
            crate::image::MAX_SIDE
        )));
    }
    // The layout is matched once per row, not per pixel: a 640×480 camera frame at 10 Hz (and at
    // 15× real time in the simulator) is converted here every time. bgr8 is a plain row copy.
    let mut out = vec![0u8; w * h * 3];
    // (`max(1)`: an empty image has no rows, and a chunk size of zero would panic.)
    for (y, o) in out.chunks_exact_mut((w * 3).max(1)).enumerate() {
        let r = &msg.data[y * step..y * step + row];
        let pixels = o.chunks_exact_mut(3);
        match (channels, order) {
            (3, "bgr") => o.copy_from_slice(r),
            (1, _) => pixels.zip(r).for_each(|(px, &v)| px.fill(v)),
            (_, "rgb") => pixels
                .zip(r.chunks_exact(channels))
                .for_each(|(px, i)| px.copy_from_slice(&[i[2], i[1], i[0]])),
            _ => pixels
                .zip(r.chunks_exact(channels))
                .for_each(|(px, i)| px.copy_from_slice(&i[..3])),
        }
    }
    Image::from_bgr(msg.width, msg.height, out)
}

/// Encodes an image (already blurred by the caller) as a `bgr8` `sensor_msgs/Image`.
pub fn image_to_msg(img: &Image, header: Header) -> sensor_msgs::Image {
    sensor_msgs::Image {
        header,
        height: img.height(),
        width: img.width(),
        encoding: "bgr8".into(),
        is_bigendian: 0,
        step: img.width() * 3,
        data: img.data().to_vec(),
    }
}

/// The `hri_msgs/IdsList` of tracked faces.
pub fn tracked_ids(faces: &[TrackedFace], header: Header) -> hri_msgs::IdsList {
    hri_msgs::IdsList {
        header,
        ids: faces.iter().map(|f| f.id.to_string()).collect(),
    }
}

/// A face's region, normalized to [0, 1] of the image it was detected in; `c` = score.
pub fn face_roi(
    face: &TrackedFace,
    width: u32,
    height: u32,
    header: Header,
) -> hri_msgs::NormalizedRegionOfInterest2D {
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let n = |v: f32, s: f32| (v / s).clamp(0.0, 1.0);
    let b = face.bbox;
    hri_msgs::NormalizedRegionOfInterest2D {
        header,
        xmin: n(b.x, w),
        ymin: n(b.y, h),
        xmax: n(b.x + b.w, w),
        ymax: n(b.y + b.h, h),
        c: face.score.clamp(0.0, 1.0),
    }
}

/// The `hri_msgs/EngagementLevel` message for a level.
pub fn engagement_msg(level: EngagementLevel, header: Header) -> hri_msgs::EngagementLevel {
    hri_msgs::EngagementLevel {
        header,
        level: level.as_u8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BBox;
    use std::time::Duration;

    fn msg(encoding: &str, w: u32, h: u32, step: u32, data: Vec<u8>) -> sensor_msgs::Image {
        sensor_msgs::Image {
            header: Header::default(),
            height: h,
            width: w,
            encoding: encoding.into(),
            is_bigendian: 0,
            step,
            data,
        }
    }

    #[test]
    fn decodes_common_encodings_and_padded_rows() {
        let rgb = image_from_msg(&msg("rgb8", 2, 1, 6, vec![1, 2, 3, 4, 5, 6])).expect("rgb8");
        assert_eq!(rgb.pixel(0, 0), Some([3, 2, 1]));
        let mono = image_from_msg(&msg("mono8", 2, 2, 4, vec![7, 8, 99, 99, 9, 10, 99, 99]))
            .expect("padded mono8");
        assert_eq!(mono.pixel(1, 1), Some([10, 10, 10]));
        let bgra = image_from_msg(&msg("bgra8", 1, 1, 4, vec![1, 2, 3, 255])).expect("bgra8");
        assert_eq!(bgra.pixel(0, 0), Some([1, 2, 3]));
        let back = image_to_msg(&rgb, Header::default());
        assert_eq!(
            (back.encoding.as_str(), back.step, back.data.len()),
            ("bgr8", 6, 6)
        );
        assert_eq!(image_from_msg(&back).expect("round trip"), rgb);
        // bgr8 with padded rows is copied row by row; rgba8 drops alpha and swaps to bgr.
        let bgr =
            image_from_msg(&msg("bgr8", 1, 2, 4, vec![1, 2, 3, 99, 4, 5, 6, 99])).expect("bgr8");
        assert_eq!(
            (bgr.pixel(0, 0), bgr.pixel(0, 1)),
            (Some([1, 2, 3]), Some([4, 5, 6]))
        );
        let rgba = image_from_msg(&msg("rgba8", 1, 1, 4, vec![1, 2, 3, 255])).expect("rgba8");
        assert_eq!(rgba.pixel(0, 0), Some([3, 2, 1]));
        // Empty images never panic, whatever the answer.
        for (w, h) in [(0, 0), (0, 3), (3, 0)] {
            let _ = image_from_msg(&msg("rgb8", w, h, w * 3, vec![]));
        }
    }

    #[test]
    fn malformed_images_are_refused_with_a_reason() {
        for (m, want) in [
            (msg("16UC1", 1, 1, 2, vec![0, 0]), "16UC1"),
            (msg("bgr8", 4, 1, 6, vec![0; 12]), "step"),
            (msg("bgr8", 2, 2, 6, vec![0; 11]), "needs"),
            (msg("bgr8", u32::MAX, 1, u32::MAX, vec![]), "step"),
            (msg("bgr8", 1000, 1000, 3000, vec![0; 30]), "bytes"),
            (msg("mono8", 20_000, 1, 20_000, vec![0; 20_000]), "limit"),
        ] {
            let e = image_from_msg(&m).expect_err("refused").to_string();
            assert!(e.contains(want), "{e} should mention {want}");
        }
        let empty = image_from_msg(&msg("bgr8", 0, 0, 0, vec![])).expect("empty is fine");
        assert!(empty.is_empty());
    }

    #[test]
    fn rep155_outputs() {
        let f = TrackedFace {
            id: TrackId(3),
            bbox: BBox::new(-10.0, 120.0, 330.0, 120.0),
            landmarks: None,
            score: 0.93,
            distance_m: 1.0,
            bearing_rad: 0.0,
            yaw_rad: None,
            approach_speed_mps: 0.0,
            lateral_speed_mps: 0.0,
            first_seen: Duration::ZERO,
            last_seen: Duration::ZERO,
            visible: true,
        };
        let roi = face_roi(&f, 640, 480, Header::default());
        assert_eq!((roi.xmin, roi.ymin, roi.ymax), (0.0, 0.25, 0.5));
        assert!((roi.xmax - 0.5).abs() < 1e-6 && (roi.c - 0.93).abs() < 1e-6);
        assert_eq!(
            tracked_ids(&[f], Header::default()).ids,
            vec!["f0003".to_string()]
        );
        assert_eq!(face_roi_topic(TrackId(3)), "/humans/faces/f0003/roi");
        assert_eq!(
            engagement_topic(TrackId(3)),
            "/humans/persons/f0003/engagement_status"
        );
        assert_eq!(
            engagement_msg(EngagementLevel::Engaged, Header::default()).level,
            hri_msgs::EngagementLevel::ENGAGED
        );
    }
}
