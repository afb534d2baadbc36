//! Multi-face tracker with stable anonymous ids.
//!
//! Association is greedy on IoU (best pairs first), with a centre-distance fallback for fast
//! motion or low frame rates. A track is reported only after `min_hits` consecutive
//! detections (a one-frame false positive never gets an id) and is kept, coasting, for
//! `max_age_s` after its last detection so a brief occlusion keeps the same id.

use std::collections::VecDeque;
use std::time::Duration;

use crate::geometry::{face_yaw, CameraIntrinsics};
use crate::{BBox, Detection, Landmarks, TrackId, TrackerParams};

/// A tracked face with its estimated geometry, as the engagement and greeting logic see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFace {
    pub id: TrackId,
    /// Last detected box (pixels of the frame it was detected in).
    pub bbox: BBox,
    pub landmarks: Option<Landmarks>,
    pub score: f32,
    /// Smoothed straight-line distance from the camera (m).
    pub distance_m: f64,
    /// Bearing from base_link x (rad, left positive).
    pub bearing_rad: f64,
    /// Estimated head yaw (rad, 0 = facing the camera); `None` without landmarks.
    pub yaw_rad: Option<f64>,
    /// Speed toward the robot (m/s, positive = approaching), from the distance trend.
    pub approach_speed_mps: f64,
    /// Speed across the view (m/s, positive = moving to the robot's left).
    pub lateral_speed_mps: f64,
    pub first_seen: Duration,
    pub last_seen: Duration,
    /// Detected in the latest frame (false while coasting through a short miss).
    pub visible: bool,
}

#[derive(Debug, Clone)]
struct Track {
    id: TrackId,
    bbox: BBox,
    landmarks: Option<Landmarks>,
    score: f32,
    hits: u32,
    first_seen: Duration,
    last_seen: Duration,
    distance: f64,
    bearing: f64,
    /// (t s, raw distance m, lateral position m)
    samples: VecDeque<(f64, f64, f64)>,
}

/// The tracker. Pure: frames and their time come in, tracks go out.
#[derive(Debug, Clone)]
pub struct FaceTracker {
    params: TrackerParams,
    camera: CameraIntrinsics,
    tracks: Vec<Track>,
    next_id: u64,
    last_now: Option<Duration>,
}

/// Least-squares slope of `y` over `t`; `None` with fewer than 3 samples or < 0.2 s span.
fn slope(points: impl Iterator<Item = (f64, f64)> + Clone) -> Option<f64> {
    let n = points.clone().count();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let (st, sy) = points
        .clone()
        .fold((0.0, 0.0), |(a, b), (t, y)| (a + t, b + y));
    let (mt, my) = (st / nf, sy / nf);
    let (mut num, mut den, mut tmin, mut tmax) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for (t, y) in points {
        num += (t - mt) * (y - my);
        den += (t - mt) * (t - mt);
        tmin = tmin.min(t);
        tmax = tmax.max(t);
    }
    (tmax - tmin >= 0.2 && den > 0.0).then(|| num / den)
}

impl FaceTracker {
    pub fn new(params: TrackerParams, camera: CameraIntrinsics) -> Self {
        Self {
            params,
            camera,
            tracks: Vec::new(),
            next_id: 1,
            last_now: None,
        }
    }

    /// Replaces the camera model (e.g. from `sensor_msgs/CameraInfo`); tracks are kept.
    pub fn set_camera(&mut self, camera: CameraIntrinsics) {
        self.camera = camera;
    }

    pub fn camera(&self) -> &CameraIntrinsics {
        &self.camera
    }

    /// Number of tracks held, confirmed or not.
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Feeds one frame's detections (from an image of `width`×`height`) taken at `now`, and
    /// returns the confirmed tracks, visible or coasting. A frame older than the previous
    /// one is ignored.
    pub fn update(
        &mut self,
        detections: &[Detection],
        width: u32,
        height: u32,
        now: Duration,
    ) -> Vec<TrackedFace> {
        if self.last_now.is_some_and(|last| now < last) {
            tracing::warn!(?now, last = ?self.last_now, "face frame older than the previous one; ignored");
            return self.report(now);
        }
        self.last_now = Some(now);
        let cam = self.camera.scaled_to(width, height);
        let p = self.params.clone();
        // Expire stale tracks first, so a face seen again after a long gap without frames
        // starts a new track instead of reviving the old one.
        let max_age = Duration::from_secs_f64(p.max_age_s);
        self.tracks
            .retain(|t| now.saturating_sub(t.last_seen) <= max_age);
        let dets: Vec<&Detection> = detections
            .iter()
            .filter(|d| d.bbox.is_valid() && d.score.is_finite() && d.score >= p.min_score)
            .collect();

        // Candidate pairs with an association score; IoU pairs always beat centre-jump pairs.
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (ti, t) in self.tracks.iter().enumerate() {
            for (di, d) in dets.iter().enumerate() {
                let iou = t.bbox.iou(&d.bbox);
                if iou >= p.min_iou {
                    pairs.push((1.0 + iou, ti, di));
                    continue;
                }
                let (tu, tv) = t.bbox.center();
                let (du, dv) = d.bbox.center();
                let jump = ((tu - du).powi(2) + (tv - dv).powi(2)).sqrt() / t.bbox.h.max(1.0);
                let size_ratio = d.bbox.h / t.bbox.h.max(1.0);
                if jump <= p.max_center_jump && (0.67..=1.5).contains(&size_ratio) {
                    pairs.push((1.0 - jump / (p.max_center_jump + 1e-6), ti, di));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_used = vec![false; self.tracks.len()];
        let mut det_used = vec![false; dets.len()];
        let t_now = now.as_secs_f64();
        for (_, ti, di) in pairs {
            if track_used[ti] || det_used[di] {
                continue;
            }
            track_used[ti] = true;
            det_used[di] = true;
            let d = dets[di];
            if let Some(track) = self.tracks.get_mut(ti) {
                Self::absorb(track, d, &cam, &p, now, t_now);
            }
        }

        // Tentative tracks must be seen in consecutive frames; confirmed ones may coast.
        let min_hits = p.min_hits;
        let mut kept = Vec::with_capacity(self.tracks.len());
        for (t, used) in self.tracks.drain(..).zip(track_used) {
            let confirmed = t.hits >= min_hits;
            let keep = used || (confirmed && now.saturating_sub(t.last_seen) <= max_age);
            if keep {
                kept.push(t);
            } else if confirmed {
                tracing::debug!(id = %t.id, "face track ended");
            }
        }
        self.tracks = kept;

        for (d, used) in dets.iter().zip(det_used) {
            if used {
                continue;
            }
            let id = TrackId(self.next_id);
            self.next_id += 1;
            let mut track = Track {
                id,
                bbox: d.bbox,
                landmarks: d.landmarks,
                score: d.score,
                hits: 0,
                first_seen: now,
                last_seen: now,
                distance: f64::NAN,
                bearing: 0.0,
                samples: VecDeque::new(),
            };
            Self::absorb(&mut track, d, &cam, &p, now, t_now);
            self.tracks.push(track);
        }
        self.report(now)
    }

    fn absorb(
        t: &mut Track,
        d: &Detection,
        cam: &CameraIntrinsics,
        p: &TrackerParams,
        now: Duration,
        t_now: f64,
    ) {
        t.bbox = d.bbox;
        t.landmarks = d.landmarks;
        t.score = d.score;
        t.hits = t.hits.saturating_add(1);
        t.last_seen = now;
        t.bearing = cam.bearing_rad(&d.bbox);
        if let Some(raw) = cam.distance_m(&d.bbox) {
            t.distance = if t.distance.is_finite() {
                p.distance_alpha * raw + (1.0 - p.distance_alpha) * t.distance
            } else {
                raw
            };
            t.samples.push_back((t_now, raw, raw * t.bearing.sin()));
        }
        while t
            .samples
            .front()
            .is_some_and(|s| t_now - s.0 > p.trend_window_s)
        {
            t.samples.pop_front();
        }
    }

    fn report(&self, now: Duration) -> Vec<TrackedFace> {
        self.tracks
            .iter()
            .filter(|t| t.hits >= self.params.min_hits && t.distance.is_finite())
            .map(|t| TrackedFace {
                id: t.id,
                bbox: t.bbox,
                landmarks: t.landmarks,
                score: t.score,
                distance_m: t.distance,
                bearing_rad: t.bearing,
                yaw_rad: t.landmarks.as_ref().and_then(face_yaw),
                approach_speed_mps: -slope(t.samples.iter().map(|s| (s.0, s.1))).unwrap_or(0.0),
                lateral_speed_mps: slope(t.samples.iter().map(|s| (s.0, s.2))).unwrap_or(0.0),
                first_seen: t.first_seen,
                last_seen: t.last_seen,
                visible: t.last_seen == now,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CameraParams;

    fn tracker() -> FaceTracker {
        FaceTracker::new(
            TrackerParams::default(),
            CameraIntrinsics::from_params(&CameraParams::default()),
        )
    }

    fn det(x: f32, y: f32, h: f32) -> Detection {
        Detection::new(BBox::new(x, y, h * 0.85, h), 0.9)
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn ids_stay_stable_while_faces_move_and_new_faces_get_new_ids() {
        let mut tr = tracker();
        let mut ids_a = Vec::new();
        let mut ids_b = Vec::new();
        for k in 0..30u64 {
            let a = det(100.0 + k as f32 * 4.0, 200.0, 60.0);
            let b = det(500.0 - k as f32 * 3.0, 180.0, 50.0);
            let out = tr.update(&[b, a], 640, 480, ms(k * 100));
            for f in out {
                if f.bbox.x < 320.0 && k < 25 {
                    ids_a.push(f.id);
                } else if f.bbox.x >= 400.0 {
                    ids_b.push(f.id);
                }
            }
        }
        assert!(ids_a.len() > 20 && ids_b.len() > 20);
        assert!(ids_a.iter().all(|i| *i == ids_a[0]), "{ids_a:?}");
        assert!(ids_b.iter().all(|i| *i == ids_b[0]), "{ids_b:?}");
        assert_ne!(ids_a[0], ids_b[0]);
    }

    #[test]
    fn one_frame_false_positive_never_gets_reported() {
        let mut tr = tracker();
        let mut reported = 0;
        for k in 0..10u64 {
            let dets = if k == 3 {
                vec![det(300.0, 200.0, 40.0)]
            } else {
                vec![]
            };
            reported += tr.update(&dets, 640, 480, ms(k * 100)).len();
        }
        assert_eq!(reported, 0);
        assert!(tr.is_empty());
    }

    #[test]
    fn short_occlusion_keeps_id_long_one_gives_new_id() {
        let mut tr = tracker();
        let mut t = 0u64;
        let mut first = None;
        for _ in 0..5 {
            let out = tr.update(&[det(300.0, 200.0, 60.0)], 640, 480, ms(t));
            first = out.first().map(|f| f.id).or(first);
            t += 100;
        }
        // 0.6 s gap: coasting, reported but not visible.
        for _ in 0..6 {
            let out = tr.update(&[], 640, 480, ms(t));
            assert_eq!(out.len(), 1);
            assert!(!out[0].visible);
            t += 100;
        }
        let out = tr.update(&[det(305.0, 200.0, 60.0)], 640, 480, ms(t));
        assert_eq!(out.first().map(|f| f.id), first);
        // 1.5 s gap: the track ends; the face comes back with a new id after min_hits frames.
        t += 1500;
        let mut again = None;
        for _ in 0..4 {
            let out = tr.update(&[det(305.0, 200.0, 60.0)], 640, 480, ms(t));
            again = out.first().map(|f| f.id).or(again);
            t += 100;
        }
        assert!(again.is_some());
        assert_ne!(again, first);
    }

    #[test]
    fn crossing_faces_keep_their_ids_with_centre_fallback_at_low_frame_rate() {
        let mut tr = tracker();
        // A face moving 50 px per frame (no IoU overlap with 40-px boxes) stays one track.
        let mut ids = Vec::new();
        for k in 0..8u64 {
            let out = tr.update(
                &[det(50.0 + k as f32 * 30.0, 200.0, 40.0)],
                640,
                480,
                ms(k * 200),
            );
            ids.extend(out.iter().map(|f| f.id));
        }
        assert!(ids.len() >= 5);
        assert!(ids.iter().all(|i| *i == ids[0]));
    }

    #[test]
    fn approach_speed_and_distance_are_estimated() {
        let mut tr = tracker();
        let cam = CameraIntrinsics::from_params(&CameraParams::default());
        let mut last = None;
        // Walk from 3 m to 1.5 m at 1 m/s, straight at the camera, 10 fps.
        for k in 0..16u64 {
            let z = 3.0 - k as f64 * 0.1;
            let h = (cam.fy * 0.2 / z) as f32;
            let out = tr.update(
                &[Detection::new(
                    BBox::new(320.0 - h * 0.4, 240.0 - h / 2.0, h * 0.8, h),
                    0.9,
                )],
                640,
                480,
                ms(k * 100),
            );
            last = out.into_iter().next().or(last);
        }
        let f = last.expect("tracked");
        assert!(
            (f.approach_speed_mps - 1.0).abs() < 0.1,
            "{}",
            f.approach_speed_mps
        );
        assert!((f.distance_m - 1.5).abs() < 0.15, "{}", f.distance_m);
        assert!(f.lateral_speed_mps.abs() < 0.05);
        assert!(f.bearing_rad.abs() < 1e-6);
    }

    #[test]
    fn garbage_detections_and_time_going_back_do_not_panic() {
        let mut tr = tracker();
        let bad = [
            Detection::new(BBox::new(f32::NAN, 0.0, 10.0, 10.0), 0.9),
            Detection::new(BBox::new(0.0, 0.0, -5.0, 10.0), 0.9),
            Detection::new(BBox::new(0.0, 0.0, 10.0, 10.0), f32::NAN),
            Detection::new(BBox::new(0.0, 0.0, 1e30, 1e30), 0.9),
        ];
        for k in 0..5u64 {
            let _ = tr.update(&bad, 640, 480, ms(k * 100));
        }
        let before = tr.len();
        let _ = tr.update(&[det(1.0, 1.0, 30.0)], 640, 480, ms(0));
        assert_eq!(tr.len(), before, "an out-of-order frame must be ignored");
    }
}
