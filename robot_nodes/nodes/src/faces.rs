//! The face node: camera frames → face detection (YuNet, Haar fallback) → tracking → REP-155
//! engagement → the greet-once policy. All decisions are in `letan-greeting`; detection and
//! message conversion in `letan-vision`.
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/camera/image_raw` | sensor_msgs/Image (bgr8, rgb8, mono8, bgra8, rgba8) |
//! | in | or a V4L2 device (`v4l2_device`) read through OpenCV videoio | — |
//! | in | `/camera/camera_info` | sensor_msgs/CameraInfo (K replaces the configured intrinsics) |
//! | in | `/dialog/state` | letan_interfaces/DialogState (conversation in progress?) |
//! | in | `/nav/guide_status` | letan_interfaces/GuideStatus (navigating = not idle) |
//! | out | `/humans/faces/tracked` | hri_msgs/IdsList |
//! | out | `/humans/faces/<id>/roi` | hri_msgs/NormalizedRegionOfInterest2D |
//! | out | `/humans/persons/<id>/engagement_status` | hri_msgs/EngagementLevel |
//! | out | `/greeting/greet` | letan_interfaces/SayRequest (id = the greeted person ids, comma-separated) |
//! | out | `/cmd_vel_greeting` | geometry_msgs/Twist (small turn toward the greeted person, only when idle) |
//! | out | `/humans/faces/debug_image` | sensor_msgs/Image, faces pixelated unless `blur_debug_image: false` |
//!
//! With `detect_in_background` (the default) a frame is detected on a thread of its own while the
//! node waits for its next tick, and its faces are published at that tick with the frame's stamp
//! (`letan_vision::background`): one tick of latency for detection that overlaps everything else.
//!
//! No frame is stored; ids are anonymous counters (see `robot_nodes/vision/PRIVACY.md`).
use crate::common::{start, NodeArgs, NodesError};
use letan_greeting::{
    CameraParams, Context as GreetContext, EngagementParams, GreetingParams, Lang, PolicyParams,
    TrackId, TrackerParams,
};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::hri_msgs::{EngagementLevel, IdsList, NormalizedRegionOfInterest2D};
use letan_msgs::letan_interfaces::{DialogState, GuideStatus, SayRequest};
use letan_msgs::sensor_msgs::{CameraInfo, Image as ImageMsg};
use letan_msgs::std_msgs::Header;
use letan_transport::{Context, Publisher, Qos, Rate, Subscriber};
use letan_vision::{
    cv, ros, DetectorParams, DetectorThread, FaceDetector, FaceTracking, ModelSearch,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

/// Topic names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceTopics {
    pub image: String,
    /// Calibration; when it arrives it replaces `camera.fx/fy/cx/cy/width/height`.
    pub camera_info: String,
    pub dialog_state: String,
    pub guide_status: String,
    pub greet: String,
    pub cmd_vel: String,
    pub debug_image: String,
}

/// The camera topic the face node reads unless its parameters say otherwise.
pub const DEFAULT_IMAGE_TOPIC: &str = "/camera/image_raw";

impl Default for FaceTopics {
    fn default() -> Self {
        Self {
            image: DEFAULT_IMAGE_TOPIC.into(),
            camera_info: "/camera/camera_info".into(),
            dialog_state: "/dialog/state".into(),
            guide_status: "/nav/guide_status".into(),
            greet: "/greeting/greet".into(),
            cmd_vel: "/cmd_vel_greeting".into(),
            debug_image: "/humans/faces/debug_image".into(),
        }
    }
}

/// The face node's `ros__parameters`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceNodeParams {
    pub detector: DetectorParams,
    pub camera: CameraParams,
    pub tracker: TrackerParams,
    pub engagement: EngagementParams,
    pub policy: PolicyParams,
    pub topics: FaceTopics,
    /// Read frames from this V4L2 device (`/dev/video0` or `0`) through OpenCV instead of
    /// subscribing to `topics.image`; `""` = subscribe.
    pub v4l2_device: String,
    /// Frames processed per second at most; newer frames replace unprocessed older ones.
    pub max_rate_hz: f64,
    pub publish_debug_image: bool,
    /// Pixelate faces in the debug image. Turn off only for bench tests with no public present.
    pub blur_debug_image: bool,
    /// Local time = ROS time + this offset (s), for the time-of-day greeting (Hanoi: +7 h).
    pub utc_offset_s: i64,
    /// Detect each frame on a thread of its own while the node waits for its next tick, and
    /// publish its faces at that tick (one tick later, with the frame's stamp). Detection then
    /// overlaps the rest of the robot; off, it runs in the node's loop.
    pub detect_in_background: bool,
}

impl Default for FaceNodeParams {
    fn default() -> Self {
        Self {
            detector: DetectorParams::default(),
            camera: CameraParams::default(),
            tracker: TrackerParams::default(),
            engagement: EngagementParams::default(),
            policy: PolicyParams::default(),
            topics: FaceTopics::default(),
            v4l2_device: String::new(),
            max_rate_hz: 10.0,
            publish_debug_image: true,
            blur_debug_image: true,
            utc_offset_s: 7 * 3600,
            detect_in_background: true,
        }
    }
}

impl FaceNodeParams {
    pub fn greeting(&self) -> GreetingParams {
        GreetingParams {
            camera: self.camera.clone(),
            tracker: self.tracker.clone(),
            engagement: self.engagement.clone(),
            policy: self.policy.clone(),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        self.detector
            .validate()
            .map_err(|e| format!("detector.{e}"))?;
        self.greeting().validate().map_err(|e| e.to_string())?;
        if !(self.max_rate_hz.is_finite() && (0.5..=60.0).contains(&self.max_rate_hz)) {
            return Err(format!(
                "key `max_rate_hz` = {}: must be within [0.5, 60]",
                self.max_rate_hz
            ));
        }
        if self.utc_offset_s.abs() > 14 * 3600 {
            return Err(format!(
                "key `utc_offset_s` = {}: must be within ±14 h",
                self.utc_offset_s
            ));
        }
        Ok(())
    }
}

/// The context the greeting policy needs, from the dialogue and navigation states.
pub fn greeting_context(
    dialog: Option<&DialogState>,
    guide: Option<&GuideStatus>,
    local_seconds_of_day: u32,
) -> GreetContext {
    let state = dialog.map_or("", |d| d.state.as_str());
    let conversation_active = matches!(
        state,
        DialogState::STATE_LISTENING
            | DialogState::STATE_ANSWERING
            | DialogState::STATE_GUIDING
            | DialogState::STATE_HANDOVER
    );
    let navigating = guide.is_some_and(|g| {
        g.state == GuideStatus::STATE_NAVIGATING || g.state == GuideStatus::STATE_WAITING
    });
    GreetContext {
        conversation_active,
        robot_idle: !conversation_active && state != DialogState::STATE_GREETING && !navigating,
        local_seconds_of_day,
        language: None,
    }
}

/// Reads a V4L2 camera on its own thread; only the newest frame is kept.
fn spawn_camera(mut cam: cv::Camera) -> std::sync::mpsc::Receiver<letan_vision::Image> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<letan_vision::Image>(1);
    std::thread::spawn(move || loop {
        match cam.read() {
            Ok(Some(img)) => match tx.try_send(img) {
                Ok(()) | Err(std::sync::mpsc::TrySendError::Full(_)) => {}
                Err(std::sync::mpsc::TrySendError::Disconnected(_)) => break,
            },
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                tracing::warn!(error = %e, "camera read failed");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    });
    rx
}

struct PerFace {
    roi: Publisher<NormalizedRegionOfInterest2D>,
    engagement: Publisher<EngagementLevel>,
}

/// Where frames are detected: in the node's loop, or on a thread of its own with the faces
/// taken at the next tick (`detect_in_background`).
enum Detect {
    Inline(Box<dyn FaceDetector + Send>),
    Background(DetectorThread<InFlight>),
}

/// A frame handed to the detector thread, with what its tracking needs when it comes back.
struct InFlight {
    header: Header,
    now: Duration,
    ctx: GreetContext,
}

/// Everything the node publishes, and the per-face publishers it keeps.
struct Outputs {
    tracked: Publisher<IdsList>,
    greet: Publisher<SayRequest>,
    cmd: Publisher<Twist>,
    debug: Publisher<ImageMsg>,
    per_face: HashMap<TrackId, PerFace>,
    /// The greeting turn: (end time s, angular velocity rad/s).
    turn: Option<(f64, f64)>,
}

impl Outputs {
    /// Tracks one frame's detections (taken at `job.now`) and publishes the faces, levels,
    /// greeting and debug image under the frame's header.
    fn frame(
        &mut self,
        node: &letan_transport::Node,
        params: &FaceNodeParams,
        tracking: &mut FaceTracking,
        frame: &letan_vision::Image,
        detections: &[letan_vision::Detection],
        job: InFlight,
    ) -> Result<(), NodesError> {
        let InFlight { header, now, ctx } = job;
        let result = tracking.update(detections, frame.width(), frame.height(), &ctx, now);
        tracing::trace!(
            width = frame.width(),
            height = frame.height(),
            tracks = result.faces.len(),
            "frame"
        );
        self.tracked
            .publish(ros::tracked_ids(&result.faces, header.clone()))?;
        self.per_face
            .retain(|id, _| result.faces.iter().any(|f| f.id == *id));
        for f in &result.faces {
            let pf = match self.per_face.entry(f.id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(PerFace {
                    roi: node.publisher(&ros::face_roi_topic(f.id), Qos::commands())?,
                    engagement: node.publisher(&ros::engagement_topic(f.id), Qos::latched())?,
                }),
            };
            if f.visible {
                pf.roi.publish(ros::face_roi(
                    f,
                    frame.width(),
                    frame.height(),
                    header.clone(),
                ))?;
            }
            pf.engagement
                .publish(ros::engagement_msg(tracking.level(f.id), header.clone()))?;
        }
        if let Some(g) = &result.greeting {
            let language = match g.language {
                Lang::Vi => "vi",
                Lang::En => "en",
            };
            let clock = node.clock();
            self.greet.publish(SayRequest {
                header: Header::new(clock.now(), "base_link"),
                // Everyone greeted, comma-separated (a group is greeted once, together).
                id: g
                    .persons
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                text: g.text.clone(),
                language: language.into(),
                voice: String::new(),
                priority: SayRequest::PRIORITY_NORMAL,
                interrupt: false,
            })?;
            tracing::info!(persons = g.persons.len(), kind = ?g.kind, text = ?g.text, "greeting");
            if let Some(t) = g.turn {
                self.turn = Some((clock.seconds() + t.duration_s, t.angular_velocity_rad_s));
                self.cmd
                    .publish(Twist::planar(0.0, t.angular_velocity_rad_s))?;
            }
        }
        if params.publish_debug_image {
            let dbg = tracking.debug_image(frame, &result, params.blur_debug_image);
            self.debug.publish(ros::image_to_msg(&dbg, header))?;
        }
        Ok(())
    }
}

/// Run the face node until `shutdown`.
/// Where frames come from: a V4L2 device read through OpenCV on a thread of its own, or the
/// image topic.
enum Frames {
    Device(std::sync::mpsc::Receiver<letan_vision::Image>),
    Topic {
        images: Subscriber<ImageMsg>,
        /// Frames refused so far (the 1st, 2nd, 4th … are logged).
        refused: u64,
    },
}

impl Frames {
    fn open(
        node: &letan_transport::Node,
        params: &FaceNodeParams,
        images: Subscriber<ImageMsg>,
    ) -> Result<Frames, NodesError> {
        if params.v4l2_device.is_empty() {
            return Ok(Frames::Topic { images, refused: 0 });
        }
        let cam = cv::Camera::open(
            &params.v4l2_device,
            params.camera.width,
            params.camera.height,
        )
        .map_err(|e| NodesError::node(node, e))?;
        tracing::info!(device = %params.v4l2_device, "reading the camera through OpenCV videoio");
        Ok(Frames::Device(spawn_camera(cam)))
    }

    /// The newest frame since the last tick, with its header (`now` stamps a device's frames);
    /// `None` when there is none, or it was refused.
    fn newest(&mut self, now: Time) -> Option<(letan_vision::Image, Header)> {
        match self {
            Frames::Device(rx) => {
                let img = std::iter::from_fn(|| rx.try_recv().ok()).last()?;
                Some((img, Header::new(now, "camera")))
            }
            Frames::Topic { images, refused } => {
                let msg = images.latest()?;
                match ros::image_from_msg(&msg) {
                    Ok(f) => Some((
                        f,
                        Header::new(msg.header.stamp, msg.header.frame_id.clone()),
                    )),
                    Err(e) => {
                        // Dropped; a camera sends them at its rate, so only some are logged.
                        *refused += 1;
                        if refused.is_power_of_two() {
                            tracing::warn!(error = %e, refused = *refused, "camera frame refused");
                        }
                        None
                    }
                }
            }
        }
    }
}

impl Detect {
    fn open(node: &letan_transport::Node, params: &FaceNodeParams) -> Result<Detect, NodesError> {
        let detector: Box<dyn FaceDetector + Send> =
            cv::open_detector(&params.detector, &ModelSearch::from_env())
                .map_err(|e| NodesError::node(node, e))?;
        tracing::info!(
            detector = detector.name(),
            background = params.detect_in_background,
            "face detector ready"
        );
        Ok(if params.detect_in_background {
            Detect::Background(
                DetectorThread::spawn(detector).map_err(|e| NodesError::node(node, e))?,
            )
        } else {
            Detect::Inline(detector)
        })
    }
}

impl Outputs {
    fn new(node: &letan_transport::Node, t: &FaceTopics) -> Result<Outputs, NodesError> {
        Ok(Outputs {
            tracked: node.publisher::<IdsList>(ros::TRACKED_FACES_TOPIC, Qos::commands())?,
            greet: node.publisher::<SayRequest>(&t.greet, Qos::commands())?,
            cmd: node.publisher::<Twist>(&t.cmd_vel, Qos::commands())?,
            debug: node.publisher::<ImageMsg>(&t.debug_image, Qos::sensor_data())?,
            per_face: HashMap::new(),
            turn: None,
        })
    }

    /// The greeting turn, through the mux's greeting input; one zero at its end.
    fn turn_tick(&mut self, now_s: f64) -> Result<(), NodesError> {
        if let Some((end, wz)) = self.turn {
            if now_s < end {
                self.cmd.publish(Twist::planar(0.0, wz))?;
            } else {
                self.cmd.publish(Twist::default())?;
                self.turn = None;
            }
        }
        Ok(())
    }
}

pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<FaceNodeParams>(&ctx, &args, "face", |p| p.validate())?;
    let mut detect = Detect::open(&node, &params)?;
    let mut tracking = FaceTracking::new(&params.greeting());
    let t = &params.topics;
    let images = node.subscribe::<ImageMsg>(&t.image, Qos::sensor_data())?;
    let mut frames = Frames::open(&node, &params, images)?;
    let camera_info = node.subscribe::<CameraInfo>(&t.camera_info, Qos::sensor_data())?;
    let dialog = node.subscribe::<DialogState>(&t.dialog_state, Qos::commands())?;
    let guide = node.subscribe::<GuideStatus>(&t.guide_status, Qos::commands())?;
    let mut out = Outputs::new(&node, t)?;
    let (mut last_dialog, mut last_guide): (Option<DialogState>, Option<GuideStatus>) =
        (None, None);
    let clock = node.clock();
    let mut rate = Rate::new(clock.clone(), params.max_rate_hz);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = rate.tick() => {}
        }
        let now_s = clock.seconds();
        last_dialog = dialog.latest().or(last_dialog);
        last_guide = guide.latest().or(last_guide);
        if let Some(info) = camera_info.latest() {
            if !tracking.set_intrinsics(&info.k, info.width, info.height) {
                tracing::debug!("CameraInfo without a usable K; keeping the configured intrinsics");
            }
        }
        out.turn_tick(now_s)?;
        // The frame handed to the detector thread at the last tick: always collected now, so
        // what is published does not depend on how fast that thread was.
        if let Detect::Background(thread) = &mut detect {
            match thread.wait() {
                Some(Ok((frame, job, Ok(found)))) => {
                    out.frame(&node, &params, &mut tracking, &frame, &found, job)?;
                }
                Some(Ok((_, _, Err(e)))) => {
                    tracing::warn!(error = %e, "face detection failed on a frame")
                }
                Some(Err(e)) => return Err(NodesError::node(&node, e)),
                None => {}
            }
        }
        let Some((frame, header)) = frames.newest(clock.now()) else {
            continue;
        };
        let local = (now_s.floor() as i64 + params.utc_offset_s).rem_euclid(86_400) as u32;
        let job = InFlight {
            header,
            now: Duration::from_secs_f64(now_s.max(0.0)),
            ctx: greeting_context(last_dialog.as_ref(), last_guide.as_ref(), local),
        };
        match &mut detect {
            Detect::Inline(detector) => match detector.detect(&frame) {
                Ok(found) => out.frame(&node, &params, &mut tracking, &frame, &found, job)?,
                Err(e) => tracing::warn!(error = %e, "face detection failed on a frame"),
            },
            Detect::Background(thread) => {
                thread
                    .submit(frame, job)
                    .map_err(|e| NodesError::node(&node, e))?;
            }
        }
    }
    if out.turn.is_some() {
        out.cmd.publish(Twist::default())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog(state: &str) -> DialogState {
        DialogState {
            state: state.into(),
            ..DialogState::default()
        }
    }

    fn guide(state: &str) -> GuideStatus {
        GuideStatus {
            state: state.into(),
            ..GuideStatus::default()
        }
    }

    #[test]
    fn context_from_dialog_and_navigation() {
        let idle = greeting_context(None, None, 100);
        assert!(!idle.conversation_active && idle.robot_idle && idle.local_seconds_of_day == 100);
        for s in [
            DialogState::STATE_LISTENING,
            DialogState::STATE_ANSWERING,
            DialogState::STATE_GUIDING,
            DialogState::STATE_HANDOVER,
        ] {
            let c = greeting_context(Some(&dialog(s)), None, 0);
            assert!(c.conversation_active && !c.robot_idle, "{s}");
        }
        let greeting = greeting_context(Some(&dialog(DialogState::STATE_GREETING)), None, 0);
        assert!(!greeting.conversation_active && !greeting.robot_idle);
        let nav = greeting_context(
            Some(&dialog(DialogState::STATE_IDLE)),
            Some(&guide(GuideStatus::STATE_NAVIGATING)),
            0,
        );
        assert!(!nav.conversation_active && !nav.robot_idle);
        let arrived = greeting_context(
            Some(&dialog(DialogState::STATE_IDLE)),
            Some(&guide(GuideStatus::STATE_ARRIVED)),
            0,
        );
        assert!(arrived.robot_idle);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_missing_v4l2_device_stops_the_node_with_its_name() {
        let dir = std::env::temp_dir().join(format!("letan-face-node-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let file = dir.join("face.yaml");
        std::fs::write(
            &file,
            "face:\n  ros__parameters:\n    v4l2_device: /dev/letan-no-such-video\n",
        )
        .expect("write");
        let args = NodeArgs {
            params_files: vec![file],
            ..NodeArgs::default()
        };
        let r = run(Context::bus(), args, std::future::pending::<()>()).await;
        let _ = std::fs::remove_dir_all(&dir);
        let e = r.expect_err("no such camera").to_string();
        assert!(e.contains("/dev/letan-no-such-video"), "{e}");
    }

    #[test]
    fn defaults_validate_and_bad_values_name_their_key() {
        FaceNodeParams::default().validate().expect("defaults");
        let p = FaceNodeParams {
            max_rate_hz: 0.0,
            ..FaceNodeParams::default()
        };
        assert!(p.validate().expect_err("rate").contains("max_rate_hz"));
        let mut p = FaceNodeParams::default();
        p.detector.score_threshold = 2.0;
        assert!(p.validate().expect_err("threshold").contains("detector."));
        let mut p = FaceNodeParams::default();
        p.engagement.engage_distance_m = 9.0;
        assert!(p
            .validate()
            .expect_err("distance")
            .contains("engagement.engage_distance_m"));
    }
}
