//! Detector → tracker → engagement → greeting, per frame: everything the face node does
//! between receiving an image and publishing, with the clock and context passed in.

use std::time::Duration;

use letan_greeting::{
    CameraIntrinsics, Context, EngagementLevel, FaceTracker, Greeter, Greeting, GreetingParams,
    TrackId, TrackedFace,
};

use crate::blur::{debug_image, DebugFace};
use crate::{Detection, FaceDetector, Image, VisionError};

/// What one frame produced.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameResult {
    /// Confirmed tracks (visible or briefly coasting), for `/humans/faces/tracked` and ROIs.
    pub faces: Vec<TrackedFace>,
    /// Engagement level per tracked person, for `/humans/persons/<id>/engagement_status`.
    pub levels: Vec<(TrackId, EngagementLevel)>,
    /// What to say (and maybe a small turn), if anything.
    pub greeting: Option<Greeting>,
}

/// Outline colour (BGR) per engagement level on the debug image.
pub fn level_color(level: EngagementLevel) -> [u8; 3] {
    match level {
        EngagementLevel::Engaged => [0, 200, 0],
        EngagementLevel::Engaging => [0, 200, 255],
        EngagementLevel::Disengaging => [255, 128, 0],
        EngagementLevel::Disengaged | EngagementLevel::Unknown => [160, 160, 160],
    }
}

/// Tracker → engagement → greeting for detections made elsewhere (the face node detects on a
/// thread of its own, [`crate::background::DetectorThread`]); [`FacePipeline`] adds the detector.
pub struct FaceTracking {
    tracker: FaceTracker,
    greeter: Greeter,
}

impl FaceTracking {
    /// `params` must have been validated (`GreetingParams::validate`, done by the loaders).
    pub fn new(params: &GreetingParams) -> Self {
        Self {
            tracker: FaceTracker::new(
                params.tracker.clone(),
                CameraIntrinsics::from_params(&params.camera),
            ),
            greeter: Greeter::new(params),
        }
    }

    /// Uses a calibrated camera model (from `sensor_msgs/CameraInfo`): `k` is the row-major
    /// 3×3 intrinsic matrix for `width`×`height` images. Ignored (returns false) when `k` is
    /// not a usable pinhole matrix; the face height and yaw offset are kept.
    pub fn set_intrinsics(&mut self, k: &[f64; 9], width: u32, height: u32) -> bool {
        let (fx, cx, fy, cy) = (k[0], k[2], k[4], k[5]);
        let ok = [fx, fy, cx, cy].iter().all(|v| v.is_finite())
            && fx > 1.0
            && fy > 1.0
            && width > 0
            && height > 0
            && (0.0..=f64::from(width)).contains(&cx)
            && (0.0..=f64::from(height)).contains(&cy);
        if ok {
            let cam = CameraIntrinsics {
                fx,
                fy,
                cx,
                cy,
                width,
                height,
                ..*self.tracker.camera()
            };
            if cam != *self.tracker.camera() {
                self.tracker.set_camera(cam);
                tracing::info!(
                    fx,
                    fy,
                    cx,
                    cy,
                    width,
                    height,
                    "camera intrinsics from CameraInfo"
                );
            }
        }
        ok
    }

    /// Current engagement level of a tracked person.
    pub fn level(&self, id: TrackId) -> EngagementLevel {
        self.greeter.level(id)
    }

    /// The detections of one `width`×`height` frame taken at `now`.
    pub fn update(
        &mut self,
        detections: &[Detection],
        width: u32,
        height: u32,
        ctx: &Context,
        now: Duration,
    ) -> FrameResult {
        let faces = self.tracker.update(detections, width, height, now);
        let greeting = self.greeter.decide(&faces, ctx, now);
        FrameResult {
            faces,
            levels: self.greeter.levels().to_vec(),
            greeting,
        }
    }

    /// The annotated debug image for `frame`: faces pixelated unless `blur` is false, outlined
    /// in their engagement colour. Only visible faces are drawn (coasting boxes are stale).
    pub fn debug_image(&self, frame: &Image, result: &FrameResult, blur: bool) -> Image {
        let faces: Vec<DebugFace> = result
            .faces
            .iter()
            .filter(|f| f.visible)
            .map(|f| DebugFace {
                bbox: f.bbox,
                color: level_color(self.greeter.level(f.id)),
            })
            .collect();
        debug_image(frame, &faces, blur)
    }
}

/// The per-frame face pipeline around any [`FaceDetector`]: detection, then [`FaceTracking`].
pub struct FacePipeline<D: FaceDetector> {
    detector: D,
    tracking: FaceTracking,
}

impl<D: FaceDetector> FacePipeline<D> {
    /// `params` must have been validated (`GreetingParams::validate`, done by the loaders).
    pub fn new(detector: D, params: &GreetingParams) -> Self {
        Self {
            detector,
            tracking: FaceTracking::new(params),
        }
    }

    pub fn detector(&self) -> &D {
        &self.detector
    }

    /// See [`FaceTracking::set_intrinsics`].
    pub fn set_intrinsics(&mut self, k: &[f64; 9], width: u32, height: u32) -> bool {
        self.tracking.set_intrinsics(k, width, height)
    }

    /// Current engagement level of a tracked person.
    pub fn level(&self, id: TrackId) -> EngagementLevel {
        self.tracking.level(id)
    }

    /// Processes one frame taken at `now`. A detector error is returned and the frame is
    /// skipped; tracks simply coast, so the next good frame continues where this left off.
    pub fn process(
        &mut self,
        frame: &Image,
        ctx: &Context,
        now: Duration,
    ) -> Result<FrameResult, VisionError> {
        let detections = self.detector.detect(frame)?;
        Ok(self
            .tracking
            .update(&detections, frame.width(), frame.height(), ctx, now))
    }

    /// See [`FaceTracking::debug_image`].
    pub fn debug_image(&self, frame: &Image, result: &FrameResult, blur: bool) -> Image {
        self.tracking.debug_image(frame, result, blur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BBox, Detection, FakeDetector, Landmarks};

    /// A frontal face box of a person `z` m straight ahead, for the default 640x480 camera.
    fn face_at(z: f64) -> Detection {
        let h = (554.3 * 0.2 / z) as f32;
        let (u, v) = (320.0f32, 240.0f32);
        let e = (554.3 * 0.032 / z) as f32;
        let lm = Landmarks {
            right_eye: (u - e, v - 0.15 * h),
            left_eye: (u + e, v - 0.15 * h),
            nose: (u, v),
            mouth_right: (u - 0.8 * e, v + 0.2 * h),
            mouth_left: (u + 0.8 * e, v + 0.2 * h),
        };
        Detection::new(BBox::new(u - 0.42 * h, v - h / 2.0, 0.85 * h, h), 0.95).with_landmarks(lm)
    }

    fn ctx() -> Context {
        Context {
            conversation_active: false,
            robot_idle: true,
            local_seconds_of_day: 14 * 3600,
            language: None,
        }
    }

    #[test]
    fn scripted_approach_through_the_fake_detector_is_greeted_once() {
        // 10 fps: walks from 3 m to 1 m at 1 m/s, then stands for 5 s.
        let script: Vec<Vec<Detection>> = (0..70)
            .map(|k| vec![face_at((3.0 - 0.1 * f64::from(k)).max(1.0))])
            .collect();
        let mut p = FacePipeline::new(FakeDetector::new(script), &GreetingParams::default());
        let frame = Image::filled(640, 480, [90, 90, 90]).expect("frame");
        let mut greetings = Vec::new();
        let mut engaged_at = None;
        for k in 0..70u64 {
            let now = Duration::from_millis(k * 100);
            let r = p.process(&frame, &ctx(), now).expect("process");
            if engaged_at.is_none() && r.levels.iter().any(|l| l.1 == EngagementLevel::Engaged) {
                engaged_at = Some(now);
            }
            if let Some(g) = r.greeting {
                greetings.push((now, g));
            }
        }
        assert_eq!(greetings.len(), 1, "{greetings:?}");
        let (t, g) = &greetings[0];
        let engaged = engaged_at.expect("engaged");
        assert!(*t >= engaged && *t - engaged <= Duration::from_secs(1));
        assert!(g.text.contains("buổi chiều"), "{}", g.text);
        assert_eq!(p.detector().calls(), 70);
    }

    #[test]
    fn camera_info_intrinsics_change_the_distance_estimate() {
        let mut p = FacePipeline::new(
            FakeDetector::fixed(vec![face_at(2.0)]),
            &GreetingParams::default(),
        );
        let frame = Image::filled(640, 480, [0, 0, 0]).expect("frame");
        let mut d = 0.0;
        for k in 0..4u64 {
            d = p
                .process(&frame, &ctx(), Duration::from_millis(k * 100))
                .expect("ok")
                .faces
                .first()
                .map_or(0.0, |f| f.distance_m);
        }
        assert!((d - 2.0).abs() < 0.05, "{d}");
        // A lens with twice the focal length: the same box is twice as far.
        assert!(p.set_intrinsics(
            &[1108.6, 0.0, 320.0, 0.0, 1108.6, 240.0, 0.0, 0.0, 1.0],
            640,
            480
        ));
        assert!(
            !p.set_intrinsics(&[0.0; 9], 640, 480),
            "all-zero K (uncalibrated) is ignored"
        );
        for k in 4..12u64 {
            d = p
                .process(&frame, &ctx(), Duration::from_millis(k * 100))
                .expect("ok")
                .faces
                .first()
                .map_or(0.0, |f| f.distance_m);
        }
        assert!((d - 4.0).abs() < 0.2, "{d}");
    }

    #[test]
    fn detector_errors_skip_the_frame_without_losing_the_track() {
        let mut p = FacePipeline::new(
            FakeDetector::fixed(vec![face_at(1.2)]).failing_on(5),
            &GreetingParams::default(),
        );
        let frame = Image::filled(640, 480, [0, 0, 0]).expect("frame");
        let mut ids = Vec::new();
        for k in 0..10u64 {
            match p.process(&frame, &ctx(), Duration::from_millis(k * 100)) {
                Ok(r) => ids.extend(r.faces.iter().map(|f| f.id)),
                Err(e) => assert_eq!(k, 5, "only the scripted failure: {e}"),
            }
        }
        assert!(ids.len() >= 6);
        assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    }

    #[test]
    fn debug_image_is_blurred_and_outlined_by_engagement() {
        let mut p = FacePipeline::new(
            FakeDetector::fixed(vec![face_at(1.0)]),
            &GreetingParams::default(),
        );
        // A frame with fine detail where the face is.
        let mut data = Vec::new();
        for y in 0..480u32 {
            for x in 0..640u32 {
                let v = ((x * 31 + y * 17) % 256) as u8;
                data.extend_from_slice(&[v, 255 - v, v / 2]);
            }
        }
        let frame = Image::from_bgr(640, 480, data).expect("frame");
        let mut last = None;
        for k in 0..20u64 {
            last = Some(
                p.process(&frame, &ctx(), Duration::from_millis(k * 100))
                    .expect("ok"),
            );
        }
        let r = last.expect("result");
        assert_eq!(
            r.levels.first().map(|l| l.1),
            Some(EngagementLevel::Engaged)
        );
        let dbg = p.debug_image(&frame, &r, true);
        let b = r.faces[0].bbox;
        assert_eq!(
            dbg.pixel(b.x.ceil() as u32, b.y.ceil() as u32),
            Some(level_color(EngagementLevel::Engaged))
        );
        let (cx, cy) = (b.center().0 as u32, b.center().1 as u32);
        assert_ne!(
            dbg.pixel(cx, cy),
            frame.pixel(cx, cy),
            "face centre pixelated"
        );
        assert_eq!(dbg.pixel(5, 5), frame.pixel(5, 5), "background untouched");
    }
}
