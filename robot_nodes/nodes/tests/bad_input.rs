//! Hostile input at every entry point. On one in-process bus, in sim time (the test publishes
//! /clock), the dialog, navigation, mux, tts (fake voice), face (its default detector, YuNet),
//! intent-router and asr (fake recognizer) nodes run together while the test publishes hostile
//! messages on every topic each of them subscribes to: NaN and infinite twists, poses and
//! covariances; empty, 100 kB, control-character, emoji and other-script strings; unknown
//! languages; scans with 0, 1 and 100 000 ranges, NaN ranges or a zero angle increment; images
//! with a wrong step, truncated data, an unknown encoding or 0×0 pixels; odd-length, 48 kHz
//! stereo and absurd audio; goals for unknown places; an `IdsList` with 10 000 ids; a
//! `TFMessage` with 10 000 transforms; 1 MB transcripts (final and partial); a flood of 10 000
//! messages in 1 s of sim time on the transcript input and on each of the mux's four velocity
//! inputs; `/clock` stamps before the epoch, an hour back or with a nanosecond field over one
//! second, then a stalled clock (no node may stamp anything earlier than the last good clock);
//! and so on.
//!
//! Afterwards every node must still be running (its task not finished) and still do its job, and
//! nothing hostile may have come out the other side (no NaN, no over-limit velocity on /cmd_vel,
//! no hostile id echoed in a guide status, localization still at the dock, people still seen
//! where they stand). A second test streams NaN commands and bad frames for 10 s: dropped, with
//! a few warnings rather than one per message.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::audio_common_msgs::{AudioDataStamped, AudioInfo};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{
    Point, Pose, PoseStamped, PoseWithCovariance, PoseWithCovarianceStamped, Quaternion, Transform,
    TransformStamped, Twist, TwistWithCovariance, Vector3,
};
use letan_msgs::hri_msgs::{EngagementLevel, IdsList, LiveSpeech};
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, Intent, MuxStatus, NavGoalPlace, SayRequest, SpeechStatus, Transcript,
};
use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseGoal};
use letan_msgs::nav_msgs::{Odometry, Path};
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::sensor_msgs::{CameraInfo, Image as ImageMsg, LaserScan};
use letan_msgs::std_msgs::{Bool, Empty, Header, StringMsg};
use letan_msgs::tf2_msgs::TFMessage;
use letan_nodes::{NodeArgs, NodesError};
use letan_speech::{FakeRecognizer, FakeSynthesizer, Recognizer};
use letan_transport::{Context, Node, Publisher, Qos, RosMessage, Subscriber};
use letan_vision::{cv, ros, Image};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Heavy tests (seven nodes, YuNet on every frame) one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const DOCK: (f64, f64, f64) = (23.0, 0.75, std::f64::consts::FRAC_PI_2);
/// `frame_id` of every hostile message on a topic the test also watches (to tell them apart).
const HOSTILE: &str = "hostile";
const MAX_LINEAR: f64 = 0.5;
/// Navigation's and the face node's velocity, remapped away from the mux inputs the test feeds.
const NAV_CMD_VEL: &str = "/test/nav_cmd_vel";
const FACE_CMD_VEL: &str = "/test/face_cmd_vel";
const MAX_ANGULAR: f64 = 1.0;

/// Hostile strings: empty, 100 kB (with and without sentence ends), control characters, emoji,
/// other scripts, invisible and combining characters, topic-name tricks.
fn hostile_strings() -> Vec<String> {
    vec![
        String::new(),
        " \t\r\n ".into(),
        "a".repeat(100_000),
        "Xin chào bác. ".repeat(7_200),
        "ư".repeat(50_000),
        "\u{0}\u{1}\u{7}\u{8}\u{1b}[31m\u{7f}\r\n\u{0}".into(),
        "🙂🔥👍🏽👨‍👩‍👧‍👦".repeat(500),
        "你好，请问洗手间在哪里？".into(),
        "مرحبا، أين الحمام؟".into(),
        "Здравствуйте, где туалет?".into(),
        "สวัสดีครับ ห้องน้ำอยู่ที่ไหน".into(),
        "नमस्ते, शौचालय कहाँ है?".into(),
        "\u{202e}\u{200b}\u{feff}\u{2066}abc\u{2069}".into(),
        format!("e{}", "\u{301}".repeat(5_000)),
        "../../etc/passwd".into(),
        "/humans/persons/../../x,,y,".into(),
        "%s%n{}{{}}$(rm -rf /)".into(),
    ]
}

fn hostile_languages() -> Vec<String> {
    vec![
        "xx".into(),
        String::new(),
        "VI-vn-extra".into(),
        "🙂".into(),
        "\u{0}".into(),
        "e".repeat(100_000),
    ]
}

const BAD_F64: [f64; 7] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e308,
    -1e308,
    f64::MIN_POSITIVE,
    -0.0,
];

fn hdr(t: f64, frame: &str) -> Header {
    Header::new(Time::from_secs_f64(t), frame)
}

fn twist(lx: f64, az: f64, other: f64) -> Twist {
    Twist {
        linear: Vector3 {
            x: lx,
            y: other,
            z: other,
        },
        angular: Vector3 {
            x: other,
            y: other,
            z: az,
        },
    }
}

fn pose(x: f64, y: f64, q: Quaternion) -> Pose {
    Pose {
        position: Point { x, y, z: 0.0 },
        orientation: q,
    }
}

fn nan_quat() -> Quaternion {
    Quaternion {
        x: f64::NAN,
        y: 0.0,
        z: f64::NAN,
        w: f64::NAN,
    }
}

fn zero_quat() -> Quaternion {
    Quaternion {
        x: 0.0,
        y: 0.0,
        z: 0.0,
        w: 0.0,
    }
}

fn valid_scan(t: f64) -> LaserScan {
    LaserScan {
        header: hdr(t, "laser"),
        angle_min: -std::f32::consts::PI,
        angle_max: std::f32::consts::PI,
        angle_increment: std::f32::consts::PI / 180.0,
        time_increment: 0.0,
        scan_time: 0.1,
        range_min: 0.1,
        range_max: 12.0,
        ranges: vec![12.0; 360],
        intensities: Vec::new(),
    }
}

/// A scan with someone standing 1.4 m in front of the laser (a 0.3 m wide blob), nothing else.
fn person_scan(t: f64) -> LaserScan {
    let mut s = valid_scan(t);
    // Beam i looks at angle -π + i°; straight ahead is beam 180.
    for i in 174..=186usize {
        s.ranges[i] = 1.4;
    }
    s
}

fn odom(t: f64, x: f64, y: f64, q: Quaternion, v: f64, w: f64) -> Odometry {
    Odometry {
        header: hdr(t, "odom"),
        child_frame_id: "base_link".into(),
        pose: PoseWithCovariance {
            pose: pose(x, y, q),
            covariance: [0.0; 36],
        },
        twist: TwistWithCovariance {
            twist: Twist::planar(v, w),
            covariance: [f64::NAN; 36],
        },
    }
}

fn camera_info(t: f64, k: [f64; 9], width: u32, height: u32) -> CameraInfo {
    CameraInfo {
        header: hdr(t, "camera"),
        width,
        height,
        distortion_model: "plumb_bob".into(),
        d: vec![0.0; 5],
        k,
        ..Default::default()
    }
}

const GOOD_K: [f64; 9] = [554.3, 0.0, 320.0, 0.0, 554.3, 240.0, 0.0, 0.0, 1.0];

/// The astronaut's head and shoulders pasted at the centre of a 640×480 frame, face ~100 px tall
/// (someone about 1.1 m away).
fn face_frame() -> Image {
    let dir = letan_vision::shared_images_dir().expect("shared/vision/images");
    let src = cv::load_image(&dir.join("astronaut.png")).expect("astronaut");
    let mut crop = Vec::new();
    for y in 18..278u32 {
        for x in 118..332u32 {
            crop.extend_from_slice(&src.pixel(x, y).expect("in"));
        }
    }
    let crop = Image::from_bgr(214, 260, crop).expect("crop");
    let s = 100.0 / 117.0;
    let w = (214.0 * s) as u32;
    let h = (260.0 * s) as u32;
    let sprite = cv::resize(&crop, w, h).expect("resize");
    let (x0, y0) = (
        320 - ((225.0 - 118.0) * s) as i64,
        240 - ((116.0 - 18.0) * s) as i64,
    );
    let mut f = Image::filled(640, 480, [110, 110, 110]).expect("frame");
    for sy in 0..sprite.height() {
        for sx in 0..sprite.width() {
            let (x, y) = (x0 + i64::from(sx), y0 + i64::from(sy));
            if (0..640).contains(&x) && (0..480).contains(&y) {
                f.set_pixel(x as u32, y as u32, sprite.pixel(sx, sy).expect("in"));
            }
        }
    }
    f
}

fn raw_image(t: f64, width: u32, height: u32, encoding: &str, step: u32, len: usize) -> ImageMsg {
    ImageMsg {
        header: hdr(t, "camera"),
        height,
        width,
        encoding: encoding.into(),
        is_bigendian: 0,
        step,
        data: vec![128u8; len],
    }
}

/// espeak-free speech stand-in for the ASR node: a loud 220 Hz tone with a slow tremolo.
fn voice(seconds: f64, rate: u32) -> Vec<i16> {
    (0..(seconds * f64::from(rate)) as usize)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let env = 0.6 + 0.4 * (2.0 * std::f64::consts::PI * 3.0 * t).sin();
            (9000.0 * env * (2.0 * std::f64::consts::PI * 220.0 * t).sin()) as i16
        })
        .collect()
}

/// Every output the test watches, with what arrived so far.
struct Seen<T: RosMessage> {
    sub: Subscriber<T>,
    all: Vec<(f64, T)>,
}

impl<T: RosMessage + Clone> Seen<T> {
    fn new(node: &Node, topic: &str) -> Seen<T> {
        Seen {
            sub: node
                .subscribe::<T>(topic, Qos::commands().with_depth(100_000))
                .unwrap(),
            all: Vec::new(),
        }
    }
    fn sensor(node: &Node, topic: &str) -> Seen<T> {
        Seen {
            sub: node
                .subscribe::<T>(topic, Qos::sensor_data().with_depth(100_000))
                .unwrap(),
            all: Vec::new(),
        }
    }
    fn pull(&mut self, t: f64) {
        while let Some(m) = self.sub.try_recv() {
            self.all.push((t, m));
        }
    }
    /// What arrived from `t` on.
    fn since(&self, t: f64) -> impl Iterator<Item = &T> {
        self.all
            .iter()
            .filter(move |(at, _)| *at >= t)
            .map(|(_, m)| m)
    }
}

struct Outs {
    cmd_vel: Seen<Twist>,
    cmd_vel_nav: Seen<Twist>,
    cmd_vel_greeting: Seen<Twist>,
    mux_status: Seen<MuxStatus>,
    dialog_state: Seen<DialogState>,
    tts_say: Seen<SayRequest>,
    tts_status: Seen<SpeechStatus>,
    tts_audio: Seen<AudioDataStamped>,
    guide: Seen<GuideStatus>,
    plan: Seen<Path>,
    people: Seen<Path>,
    tf: Seen<TFMessage>,
    tracked_faces: Seen<IdsList>,
    intent: Seen<Intent>,
    answer: Seen<SayRequest>,
    transcript: Seen<Transcript>,
    voices: Seen<IdsList>,
    live: Seen<LiveSpeech>,
    tts_stop: Seen<Empty>,
}

impl Outs {
    fn pull(&mut self, t: f64) {
        self.cmd_vel.pull(t);
        self.cmd_vel_nav.pull(t);
        self.cmd_vel_greeting.pull(t);
        self.mux_status.pull(t);
        self.dialog_state.pull(t);
        self.tts_say.pull(t);
        self.tts_status.pull(t);
        self.tts_audio.pull(t);
        self.guide.pull(t);
        self.plan.pull(t);
        self.people.pull(t);
        self.tf.pull(t);
        self.tracked_faces.pull(t);
        self.intent.pull(t);
        self.answer.pull(t);
        self.transcript.pull(t);
        self.voices.pull(t);
        self.live.pull(t);
        self.tts_stop.pull(t);
    }
}

/// Publishers for every topic a node under test subscribes to.
struct Ins {
    clock: Publisher<Clock>,
    // mux
    cmd_nav: Publisher<Twist>,
    cmd_greeting: Publisher<Twist>,
    cmd_console: Publisher<Twist>,
    cmd_keyboard: Publisher<Twist>,
    estop: Publisher<Bool>,
    operator_estop: Publisher<Bool>,
    // nav
    odom: Publisher<Odometry>,
    scan: Publisher<LaserScan>,
    initial_pose: Publisher<PoseWithCovarianceStamped>,
    goal: Publisher<NavGoalPlace>,
    goal_pose: Publisher<PoseStamped>,
    mux_status: Publisher<MuxStatus>,
    // dialog (and router, asr, tts)
    transcript: Publisher<Transcript>,
    greet: Publisher<SayRequest>,
    faces_tracked: Publisher<IdsList>,
    tts_status: Publisher<SpeechStatus>,
    tts_stop: Publisher<Empty>,
    guide_status: Publisher<GuideStatus>,
    // tts
    say: Publisher<SayRequest>,
    language: Publisher<StringMsg>,
    // face
    image: Publisher<ImageMsg>,
    camera_info: Publisher<CameraInfo>,
    dialog_state: Publisher<DialogState>,
    // asr
    audio: Publisher<AudioDataStamped>,
    audio_info: Publisher<AudioInfo>,
}

impl Ins {
    fn new(n: &Node) -> Ins {
        let cmd = Qos::commands().with_depth(1000);
        Ins {
            clock: n.publisher("/clock", Qos::clock()).unwrap(),
            cmd_nav: n.publisher("/cmd_vel_nav", cmd).unwrap(),
            cmd_greeting: n.publisher("/cmd_vel_greeting", cmd).unwrap(),
            cmd_console: n.publisher("/cmd_vel_teleop_console", cmd).unwrap(),
            cmd_keyboard: n.publisher("/cmd_vel_teleop_keyboard", cmd).unwrap(),
            estop: n.publisher("/estop", cmd).unwrap(),
            operator_estop: n.publisher("/mux/operator_estop", cmd).unwrap(),
            odom: n.publisher("/odom", Qos::sensor_data()).unwrap(),
            scan: n.publisher("/scan", Qos::sensor_data()).unwrap(),
            initial_pose: n.publisher("/initialpose", cmd).unwrap(),
            goal: n.publisher("/nav/goal", cmd).unwrap(),
            goal_pose: n.publisher("/goal_pose", cmd).unwrap(),
            mux_status: n.publisher("/mux/status", cmd).unwrap(),
            transcript: n.publisher("/speech/transcript", cmd).unwrap(),
            greet: n.publisher("/greeting/greet", cmd).unwrap(),
            faces_tracked: n.publisher("/humans/faces/tracked", cmd).unwrap(),
            tts_status: n.publisher("/tts/status", cmd).unwrap(),
            tts_stop: n.publisher("/tts/stop", cmd).unwrap(),
            guide_status: n.publisher("/nav/guide_status", cmd).unwrap(),
            say: n.publisher("/tts/say", cmd).unwrap(),
            language: n.publisher("/dialog/language", cmd).unwrap(),
            image: n
                .publisher("/camera/image_raw", Qos::sensor_data())
                .unwrap(),
            camera_info: n
                .publisher("/camera/camera_info", Qos::sensor_data())
                .unwrap(),
            dialog_state: n.publisher("/dialog/state", cmd).unwrap(),
            audio: n.publisher("/audio/audio", Qos::sensor_data()).unwrap(),
            audio_info: n.publisher("/audio/audio_info", Qos::latched()).unwrap(),
        }
    }
}

struct Rig {
    t: f64,
    ins: Ins,
    outs: Outs,
    test: Node,
    tasks: Vec<(&'static str, JoinHandle<Result<(), NodesError>>)>,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Rig {
    /// One sim step: /clock, the e-stop box's heartbeat, then the nodes run.
    async fn step(&mut self, dt: f64) {
        self.t += dt;
        self.ins
            .clock
            .publish(Clock {
                clock: Time::from_secs_f64(self.t),
            })
            .unwrap();
        self.ins.estop.publish(Bool { data: false }).unwrap();
        for _ in 0..40 {
            tokio::task::yield_now().await;
        }
        self.outs.pull(self.t);
    }

    /// `seconds` of sim time in 0.1 s steps, with valid odometry and scans (the robot at the dock).
    async fn run(&mut self, seconds: f64) {
        for _ in 0..(seconds / 0.1).round() as usize {
            self.sensors();
            self.step(0.1).await;
        }
    }

    fn sensors(&self) {
        self.ins
            .odom
            .publish(odom(self.t, 0.0, 0.0, Quaternion::from_yaw(0.0), 0.0, 0.0))
            .unwrap();
        self.ins.scan.publish(valid_scan(self.t)).unwrap();
    }

    /// Every node's task is still running.
    fn assert_alive(&self, after: &str) {
        for (name, task) in &self.tasks {
            assert!(!task.is_finished(), "the {name} node stopped after {after}");
        }
    }

    async fn shutdown(self) {
        self.stop.send_replace(true);
        for (name, task) in self.tasks {
            let r = tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .unwrap_or_else(|_| panic!("{name} did not stop"));
            r.unwrap_or_else(|e| panic!("{name} panicked: {e}"))
                .unwrap_or_else(|e| panic!("{name} failed: {e}"));
        }
    }
}

async fn rig() -> Rig {
    let turn = ONE_AT_A_TIME.lock().await;
    // Logs only on request: the nodes log hostile text (100 kB lines) as they refuse it.
    if std::env::var_os("LETAN_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("LETAN_LOG"))
            .with_test_writer()
            .try_init();
    }
    let dir = tempfile::tempdir().unwrap();
    let router_params = dir.path().join("router.yaml");
    // The face node's greeting turn goes to a topic of its own here, so that what the face node
    // sends can be told from what the test sends the mux.
    let face_params = dir.path().join("face.yaml");
    std::fs::write(
        &face_params,
        format!("face:\n  ros__parameters:\n    topics:\n      cmd_vel: {FACE_CMD_VEL}\n"),
    )
    .unwrap();
    std::fs::write(
        &router_params,
        "intent_router:\n  ros__parameters:\n    transcript_topic: /speech/transcript\n    intent_topic: /intent\n    answer_topic: /nlu/answer\n",
    )
    .unwrap();
    let ctx = Context::bus();
    let test = ctx.node("hostile", "/").unwrap();
    let ins = Ins::new(&test);
    let outs = Outs {
        cmd_vel: Seen::new(&test, "/cmd_vel"),
        cmd_vel_nav: Seen::new(&test, NAV_CMD_VEL),
        cmd_vel_greeting: Seen::new(&test, FACE_CMD_VEL),
        mux_status: Seen::new(&test, "/mux/status"),
        dialog_state: Seen::new(&test, "/dialog/state"),
        tts_say: Seen::new(&test, "/tts/say"),
        tts_status: Seen::new(&test, "/tts/status"),
        tts_audio: Seen::sensor(&test, "/tts/audio"),
        guide: Seen::new(&test, "/nav/guide_status"),
        plan: Seen::new(&test, "/plan"),
        people: Seen::sensor(&test, "/nav/people"),
        tf: Seen::new(&test, "/tf"),
        tracked_faces: Seen::new(&test, "/humans/faces/tracked"),
        intent: Seen::new(&test, "/intent"),
        answer: Seen::new(&test, "/nlu/answer"),
        transcript: Seen::new(&test, "/speech/transcript"),
        voices: Seen::new(&test, "/humans/voices/tracked"),
        live: Seen::new(&test, "/humans/voices/anonymous/speech"),
        tts_stop: Seen::new(&test, "/tts/stop"),
    };
    // A hostile /tf_static, latched, there before navigation starts (it reads the laser mount
    // from it): 10 000 transforms of NaN, infinite and 1e300 junk, the base_link → laser one a
    // kilometre away (finite, so only a bound on the mount refuses it: checked below through
    // where navigation sees a person).
    let tf_static = test
        .publisher::<TFMessage>("/tf_static", Qos::latched())
        .unwrap();
    let mut transforms = vec![TransformStamped {
        header: hdr(0.0, "base_link"),
        child_frame_id: "laser".into(),
        transform: Transform {
            translation: Vector3 {
                x: 1e6,
                y: -1e6,
                z: 0.0,
            },
            rotation: Quaternion::from_yaw(0.0),
        },
    }];
    transforms.extend((0..9_999).map(|i| TransformStamped {
        header: hdr(0.0, if i % 2 == 0 { "base_link" } else { "" }),
        child_frame_id: format!("junk_{i}"),
        transform: Transform {
            translation: Vector3 {
                x: BAD_F64[i % BAD_F64.len()],
                y: 1e300,
                z: f64::NAN,
            },
            rotation: zero_quat(),
        },
    }));
    tf_static.publish(TFMessage { transforms }).unwrap();
    // The microphone's format, latched: 16 kHz mono to start with.
    ins.audio_info
        .publish(AudioInfo {
            channels: 1,
            sample_rate: 16_000,
            sample_format: "S16LE".into(),
            bitrate: 256_000,
            coding_format: "wave".into(),
        })
        .unwrap();

    let (stop, rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let args = |files: Vec<PathBuf>| NodeArgs {
        params_files: files,
        use_sim_time: true,
        ..NodeArgs::default()
    };
    let r = repo();
    let mut tasks: Vec<(&'static str, JoinHandle<Result<(), NodesError>>)> = Vec::new();
    tasks.push((
        "mux",
        tokio::spawn(letan_nodes::run(
            "mux",
            ctx.clone(),
            args(vec![
                r.join("robot_nodes/mux/config/mux.yaml"),
                r.join("launch/params/sim_overrides.yaml"),
            ]),
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "nav",
        tokio::spawn(letan_nodes::run(
            "nav",
            ctx.clone(),
            NodeArgs {
                name: Some("navigation".into()),
                remaps: vec![("cmd_vel".into(), NAV_CMD_VEL.into())],
                ..args(vec![r.join("robot_nodes/nav/config/nav.yaml")])
            },
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "dialog",
        tokio::spawn(letan_nodes::run(
            "dialog",
            ctx.clone(),
            args(vec![r.join("robot_nodes/dialog/config/dialog.yaml")]),
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "tts",
        tokio::spawn(letan_nodes::tts::run_with(
            ctx.clone(),
            args(vec![r.join("launch/params/tts.yaml")]),
            Box::new(FakeSynthesizer::default()),
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "face",
        tokio::spawn(letan_nodes::run(
            "face",
            ctx.clone(),
            args(vec![
                r.join("robot_nodes/vision/config/face.yaml"),
                face_params,
            ]),
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "intent_router",
        tokio::spawn(letan_nodes::run(
            "intent_router",
            ctx.clone(),
            args(vec![router_params]),
            stopped(rx.clone()),
        )),
    ));
    tasks.push((
        "asr",
        tokio::spawn(letan_nodes::asr::run_with(
            ctx.clone(),
            args(vec![r.join("launch/params/asr.yaml")]),
            Box::new(|lang| {
                Ok(Box::new(FakeRecognizer::new(lang, vec!["xin chào"; 1000]))
                    as Box<dyn Recognizer + Send>)
            }),
            stopped(rx.clone()),
        )),
    ));
    // 09:00 in Hanoi, in sim time.
    let t0 = 1_780_000_000.0_f64 - (1_780_000_000.0_f64 % 86_400.0) + 2.0 * 3600.0;
    let mut rig = Rig {
        t: t0,
        ins,
        outs,
        test,
        tasks,
        stop,
        _dir: dir,
        _turn: turn,
    };
    // Up: navigation has its first scan and publishes its status, the dialog has trained its
    // router, the mux runs, the TTS announced its format.
    let wall = Instant::now();
    loop {
        rig.run(0.1).await;
        rig.assert_alive("start-up");
        if !rig.outs.guide.all.is_empty()
            && !rig.outs.dialog_state.all.is_empty()
            && !rig.outs.mux_status.all.is_empty()
        {
            break;
        }
        assert!(
            wall.elapsed() < Duration::from_secs(120),
            "the nodes did not come up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    rig
}

fn velocity_input(ins: &Ins, i: usize) -> &Publisher<Twist> {
    [
        &ins.cmd_nav,
        &ins.cmd_greeting,
        &ins.cmd_console,
        &ins.cmd_keyboard,
    ][i]
}

async fn hostile_velocities(rig: &mut Rig) {
    for i in 0..4 {
        for (j, &bad) in BAD_F64.iter().enumerate() {
            let other = BAD_F64[(j + i + 1) % BAD_F64.len()];
            let p = velocity_input(&rig.ins, i);
            p.publish(twist(bad, 0.1, other)).unwrap();
            p.publish(twist(0.1, bad, other)).unwrap();
            p.publish(twist(bad, bad, bad)).unwrap();
            rig.step(0.02).await;
        }
        let p = velocity_input(&rig.ins, i);
        // Far over the limits (finite): clamped, never forwarded as is.
        p.publish(twist(50.0, -80.0, 0.0)).unwrap();
        rig.step(0.05).await;
    }
    // The e-stop box and the operator toggling as fast as messages go.
    for k in 0..200 {
        rig.ins.estop.publish(Bool { data: k % 3 == 0 }).unwrap();
        rig.ins
            .operator_estop
            .publish(Bool { data: k % 2 == 0 })
            .unwrap();
    }
    rig.step(0.05).await;
    rig.assert_alive("hostile velocities and e-stop toggling");
}

async fn hostile_navigation(rig: &mut Rig) {
    let t = rig.t;
    // Scans: 0, 1 and 100 000 ranges, NaN/inf/negative ranges, zero/NaN angles, bad range limits.
    let mut scans = Vec::new();
    for n in [0usize, 1, 100_000] {
        scans.push(LaserScan {
            ranges: vec![3.0; n],
            ..valid_scan(t)
        });
    }
    for r in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -5.0, 0.0, 1e30] {
        scans.push(LaserScan {
            ranges: vec![r; 360],
            ..valid_scan(t)
        });
    }
    scans.push(LaserScan {
        ranges: (0..360)
            .map(|i| if i % 2 == 0 { f32::NAN } else { 1.0 })
            .collect(),
        ..valid_scan(t)
    });
    for (a0, da) in [
        (0.0, 0.0),
        (f32::NAN, 0.01),
        (0.0, f32::NAN),
        (0.0, f32::INFINITY),
        (-1e30, 1e-30),
        (0.0, -0.0),
    ] {
        scans.push(LaserScan {
            angle_min: a0,
            angle_increment: da,
            ..valid_scan(t)
        });
    }
    for (rmin, rmax) in [
        (5.0, 1.0),
        (f32::NAN, 10.0),
        (0.0, f32::INFINITY),
        (-1.0, 0.0),
        (0.0, 1e30),
    ] {
        scans.push(LaserScan {
            range_min: rmin,
            range_max: rmax,
            ..valid_scan(t)
        });
    }
    scans.push(LaserScan {
        intensities: vec![f32::NAN; 100_000],
        header: hdr(t, &"l".repeat(100_000)),
        ..valid_scan(t)
    });
    for s in scans {
        rig.ins.scan.publish(s).unwrap();
        // Navigation reads the newest scan each control cycle: let it see every one.
        rig.step(0.1).await;
    }
    rig.assert_alive("hostile scans");

    // Odometry: NaN/inf poses, NaN and zero quaternions, NaN and huge twists.
    for &bad in &BAD_F64 {
        rig.ins
            .odom
            .publish(odom(rig.t, bad, 0.0, Quaternion::from_yaw(0.0), 0.0, 0.0))
            .unwrap();
        rig.ins
            .odom
            .publish(odom(rig.t, 0.0, 0.0, Quaternion::from_yaw(0.0), bad, bad))
            .unwrap();
        rig.step(0.1).await;
    }
    rig.ins
        .odom
        .publish(odom(rig.t, 0.0, 0.0, nan_quat(), 0.0, 0.0))
        .unwrap();
    rig.ins
        .odom
        .publish(odom(rig.t, 0.0, 0.0, zero_quat(), 0.0, 0.0))
        .unwrap();
    rig.step(0.1).await;
    // Back to the valid stream before goals, so a pose exists.
    rig.run(0.5).await;
    rig.assert_alive("hostile odometry");

    // Initial poses: NaN covariance at the dock (kept, with the default spread), NaN and infinite
    // poses (refused).
    let (dx, dy, dyaw) = DOCK;
    let initial = |p: Pose, cov: [f64; 36]| PoseWithCovarianceStamped {
        header: hdr(rig.t, "map"),
        pose: PoseWithCovariance {
            pose: p,
            covariance: cov,
        },
    };
    let mut bad_cov = [f64::NAN; 36];
    bad_cov[7] = f64::INFINITY;
    bad_cov[35] = -1.0;
    rig.ins
        .initial_pose
        .publish(initial(pose(dx, dy, Quaternion::from_yaw(dyaw)), bad_cov))
        .unwrap();
    for &bad in &BAD_F64[..3] {
        rig.ins
            .initial_pose
            .publish(initial(
                pose(bad, dy, Quaternion::from_yaw(dyaw)),
                [0.1; 36],
            ))
            .unwrap();
        rig.ins
            .initial_pose
            .publish(initial(pose(dx, dy, nan_quat()), [0.1; 36]))
            .unwrap();
    }
    rig.ins
        .initial_pose
        .publish(initial(
            pose(dx, dy, Quaternion::from_yaw(dyaw)),
            [1e300; 36],
        ))
        .unwrap();
    // Finite but far off the map (no such place to be): refused too.
    for (x, y) in [(1e9, -1e9), (1e308, 0.0), (-500.0, 3.0)] {
        rig.ins
            .initial_pose
            .publish(initial(pose(x, y, Quaternion::from_yaw(0.0)), [0.1; 36]))
            .unwrap();
    }
    rig.run(0.3).await;
    rig.assert_alive("hostile initial poses");

    // Goals: unknown places, hostile ids and person ids; pose goals with NaN/inf, NaN or zero
    // quaternions, the wrong frame, far off the map.
    for id in hostile_strings().into_iter().chain([
        "nowhere".to_string(),
        "counter_13".into(),
        "dock\u{0}".into(),
        "../reception".into(),
    ]) {
        if id.trim().is_empty() {
            continue; // "" is a cancel, not hostile
        }
        rig.ins
            .goal
            .publish(NavGoalPlace {
                header: hdr(rig.t, "map"),
                place_id: id.clone(),
                person_id: "p".repeat(100_000),
                guide: true,
            })
            .unwrap();
    }
    rig.step(0.1).await;
    for (x, y, q, frame) in [
        (f64::NAN, 1.0, Quaternion::from_yaw(0.0), "map"),
        (1.0, f64::INFINITY, Quaternion::from_yaw(0.0), "map"),
        (20.5, 4.5, nan_quat(), "map"),
        (f64::NAN, 4.5, zero_quat(), ""),
        (1e9, -1e9, Quaternion::from_yaw(0.0), "map"),
        (20.5, 4.5, Quaternion::from_yaw(0.0), "odom"),
        (20.5, 4.5, Quaternion::from_yaw(0.0), "🙂"),
    ] {
        rig.ins
            .goal_pose
            .publish(PoseStamped {
                header: hdr(rig.t, frame),
                pose: pose(x, y, q),
            })
            .unwrap();
        rig.step(0.1).await;
    }
    // The same through Nav2's action: refused or failed, never driven.
    let client = rig
        .test
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    for (x, q) in [
        (f64::NAN, Quaternion::from_yaw(0.0)),
        (20.5, nan_quat()),
        (1e9, Quaternion::from_yaw(0.0)),
    ] {
        let goal = NavigateToPoseGoal {
            pose: PoseStamped {
                header: hdr(rig.t, "map"),
                pose: pose(x, 4.5, q),
            },
            behavior_tree: "b".repeat(100_000),
        };
        let sent = client.send_goal(goal, Duration::from_secs(5));
        tokio::pin!(sent);
        // The server answers on its task; keep the clock going meanwhile.
        let handle = loop {
            tokio::select! {
                r = &mut sent => break r.unwrap(),
                _ = tokio::time::sleep(Duration::from_millis(5)) => rig.step(0.02).await,
            }
        };
        if let Some(h) = handle {
            let r = h.get_result(Duration::from_secs(10));
            tokio::pin!(r);
            let result = loop {
                tokio::select! {
                    r = &mut r => break r.unwrap(),
                    _ = tokio::time::sleep(Duration::from_millis(5)) => rig.step(0.02).await,
                }
            };
            assert_ne!(
                result.outcome(),
                Some(letan_transport::action::GoalOutcome::Succeeded),
                "an absurd goal succeeded: {result:?}"
            );
        }
    }
    // The mux status as navigation reads it: garbage inputs, e-stop flapping.
    for (k, s) in hostile_strings().into_iter().enumerate() {
        rig.ins
            .mux_status
            .publish(MuxStatus {
                header: hdr(rig.t, HOSTILE),
                active_input: s,
                estop_engaged: k % 2 == 0,
                reasons: vec!["r".repeat(1000); 1000],
            })
            .unwrap();
    }
    rig.run(0.5).await;
    rig.assert_alive("hostile goals and mux statuses");
}

async fn hostile_speech_and_dialog(rig: &mut Rig) {
    // Transcripts: every hostile text, final and partial, in hostile languages, with NaN and
    // out-of-range confidences and unknown sources.
    let confidences = [f32::NAN, f32::INFINITY, -1.0, 2.0, 0.0];
    let mut k = 0usize;
    for text in hostile_strings() {
        for lang in ["vi".to_string()]
            .into_iter()
            .chain(hostile_languages().into_iter().take(3))
        {
            for is_final in [true, false] {
                k += 1;
                rig.ins
                    .transcript
                    .publish(Transcript {
                        header: hdr(rig.t, HOSTILE),
                        text: text.clone(),
                        language: lang.clone(),
                        confidence: confidences[k % confidences.len()],
                        is_final,
                        source: ["asr", "keyboard", "button", "🙂", ""][k % 5].into(),
                    })
                    .unwrap();
            }
        }
        // The dialog reads at 10 Hz; the router on each message.
        rig.step(0.1).await;
    }
    // Partials with huge text, and the screen's language button in a language that is no language.
    rig.ins
        .transcript
        .publish(Transcript {
            text: "wifi ".repeat(20_000),
            is_final: false,
            language: "vi".into(),
            header: hdr(rig.t, HOSTILE),
            ..Transcript::default()
        })
        .unwrap();
    // 1 MB transcripts, a final one (the router and the dialog read it) and a partial one, in a
    // step of their own.
    let mb = |unit: &str| unit.repeat(1_000_000 / unit.len() + 1);
    for (text, is_final) in [
        (mb("Xin chào, cho tôi hỏi nhà vệ sinh ở đâu? 🙂 "), true),
        (mb("wifi "), false),
    ] {
        assert!(text.len() >= 1_000_000);
        rig.ins
            .transcript
            .publish(Transcript {
                text,
                is_final,
                language: "vi".into(),
                confidence: 0.9,
                source: "keyboard".into(),
                header: hdr(rig.t, HOSTILE),
            })
            .unwrap();
    }
    rig.step(0.1).await;
    rig.assert_alive("1 MB transcripts");
    rig.ins
        .transcript
        .publish(Transcript {
            text: "chat.language".into(),
            is_final: true,
            language: "xx".into(),
            source: "button".into(),
            header: hdr(rig.t, HOSTILE),
            ..Transcript::default()
        })
        .unwrap();
    rig.run(0.5).await;
    rig.assert_alive("hostile transcripts");

    // Greetings from the "face node": hostile ids (topic-name tricks, 100 kB, many commas) and texts.
    let strings = hostile_strings();
    for (i, id) in strings.iter().enumerate() {
        rig.ins
            .greet
            .publish(SayRequest {
                header: hdr(rig.t, HOSTILE),
                id: id.clone(),
                text: strings[(i + 3) % strings.len()].clone(),
                language: hostile_languages()[i % 6].clone(),
                voice: "v".repeat(1000),
                priority: 255,
                interrupt: i % 2 == 0,
            })
            .unwrap();
        rig.step(0.1).await;
    }
    // Tracked faces: 10 000 ids, hostile ids, none; engagement of a watched id out of range.
    rig.ins
        .faces_tracked
        .publish(IdsList {
            header: hdr(rig.t, HOSTILE),
            ids: (0..10_000).map(|i| format!("f{i:04}")).collect(),
        })
        .unwrap();
    rig.ins
        .faces_tracked
        .publish(IdsList {
            header: hdr(rig.t, HOSTILE),
            ids: hostile_strings(),
        })
        .unwrap();
    rig.ins
        .faces_tracked
        .publish(IdsList {
            header: hdr(rig.t, HOSTILE),
            ids: Vec::new(),
        })
        .unwrap();
    let engagement = rig
        .test
        .publisher::<EngagementLevel>("/humans/persons/f0001/engagement_status", Qos::latched())
        .unwrap();
    for level in [255u8, 7, 0] {
        engagement
            .publish(EngagementLevel {
                header: hdr(rig.t, "camera"),
                level,
            })
            .unwrap();
        rig.step(0.1).await;
    }
    // Speech status from the "TTS": starts without ends, ends without starts, hostile texts.
    for (i, text) in hostile_strings().into_iter().enumerate() {
        rig.ins
            .tts_status
            .publish(SpeechStatus {
                header: hdr(rig.t, HOSTILE),
                speaking: i % 3 != 0,
                request_id: text.clone(),
                text,
                language: "xx".into(),
                utterance_id: u32::MAX - i as u32,
            })
            .unwrap();
    }
    for _ in 0..100 {
        rig.ins.tts_stop.publish(Empty {}).unwrap();
    }
    rig.step(0.1).await;
    // Guide status from the "navigation": NaN progress, unknown states, hostile places and errors.
    for (i, s) in hostile_strings().into_iter().enumerate() {
        rig.ins
            .guide_status
            .publish(GuideStatus {
                header: hdr(rig.t, HOSTILE),
                place_id: if i % 2 == 0 {
                    "reception".into()
                } else {
                    s.clone()
                },
                state: [s.as_str(), "navigating", "arrived", "failed", "waiting"][i % 5].into(),
                progress: [f32::NAN, f32::INFINITY, -3.0, 1e30][i % 4],
                error_code: u16::MAX,
                error_msg: s,
                wait_reason: u8::MAX,
                // A guide goal the dialog did not send: adopted only if its place is known.
                guide: i % 3 == 0,
            })
            .unwrap();
    }
    rig.step(0.1).await;
    // The dialog state, as the face node reads it: unknown states, 100 kB fields.
    for s in hostile_strings() {
        rig.ins
            .dialog_state
            .publish(DialogState {
                header: hdr(rig.t, HOSTILE),
                state: s.clone(),
                person_id: s.clone(),
                intent: s.clone(),
                confidence: f32::NAN,
                language: s.clone(),
                last_answer: s,
                answers: u32::MAX,
            })
            .unwrap();
        rig.step(0.1).await;
    }
    rig.run(0.5).await;
    rig.assert_alive("hostile greetings, faces, speech and guide statuses");

    // Say requests straight to the TTS: every hostile text in every hostile language, priorities
    // and interrupts; the language topic too.
    for (i, text) in hostile_strings().into_iter().enumerate() {
        for lang in hostile_languages() {
            rig.ins
                .say
                .publish(SayRequest {
                    header: hdr(rig.t, HOSTILE),
                    id: "i".repeat(i * 100),
                    text: text.clone(),
                    language: lang,
                    voice: "🙂".into(),
                    priority: (i * 37 % 256) as u8,
                    interrupt: i % 4 == 0,
                })
                .unwrap();
        }
        rig.step(0.1).await;
    }
    for lang in hostile_languages().into_iter().chain(hostile_strings()) {
        rig.ins.language.publish(StringMsg { data: lang }).unwrap();
    }
    rig.run(1.0).await;
    rig.assert_alive("hostile say requests and languages");
}

async fn hostile_camera(rig: &mut Rig) {
    let t = rig.t;
    let frames = vec![
        raw_image(t, 640, 480, "bgr8", 100, 640 * 480 * 3), // step < width × 3
        raw_image(t, 640, 480, "bgr8", 1920, 1000),         // truncated data
        raw_image(t, 640, 480, "yuv422", 1280, 640 * 480 * 2), // unknown encoding
        raw_image(t, 640, 480, "16UC1", 1280, 640 * 480 * 2),
        raw_image(t, 640, 480, "", 1920, 640 * 480 * 3),
        raw_image(t, 640, 480, &"bgr8".repeat(25_000), 1920, 640 * 480 * 3),
        raw_image(t, 0, 0, "bgr8", 0, 0), // 0×0
        raw_image(t, 0, 480, "bgr8", 0, 0),
        raw_image(t, 640, 0, "bgr8", 1920, 0),
        raw_image(t, 1, 1, "bgr8", 3, 3),
        raw_image(t, 2, 2, "mono8", 2, 4),
        raw_image(t, 16_384, 1, "mono8", 16_384, 16_384), // a line at the size limit
        raw_image(t, 1, 16_384, "mono8", 1, 16_384),
        raw_image(t, 16_385, 16_385, "bgr8", 49_155, 10), // over the limit
        raw_image(t, u32::MAX, u32::MAX, "bgra8", u32::MAX, 16), // overflowing sizes
        raw_image(t, 640, 480, "rgba8", u32::MAX, 100),
        raw_image(t, 640, 480, "bgr8", 1920, 640 * 480 * 3 + 12_345), // extra bytes
    ];
    // CameraInfo: NaN, zero and absurd intrinsics, zero size.
    let mut nan_k = GOOD_K;
    nan_k[0] = f64::NAN;
    let infos = [
        camera_info(t, nan_k, 640, 480),
        camera_info(t, [0.0; 9], 640, 480),
        camera_info(t, [f64::INFINITY; 9], 640, 480),
        camera_info(t, GOOD_K, 0, 0),
        camera_info(
            t,
            [1e300, 0.0, -5.0, 0.0, 1e300, 1e9, 0.0, 0.0, 1.0],
            640,
            480,
        ),
    ];
    for (i, f) in frames.into_iter().enumerate() {
        rig.ins
            .camera_info
            .publish(infos[i % infos.len()].clone())
            .unwrap();
        rig.ins.image.publish(f).unwrap();
        // The face node takes the newest frame at its rate (10 Hz).
        rig.step(0.1).await;
        rig.assert_alive(&format!("hostile camera frame {i}"));
    }
    rig.run(0.3).await;
}

async fn hostile_audio(rig: &mut Rig) {
    let chunk = |t: f64, pcm: &[i16]| AudioDataStamped::from_s16le(hdr(t, "microphone"), pcm);
    let t = rig.t;
    let loud = voice(0.1, 16_000);
    // Odd byte counts, empty and one-byte chunks, a 1 MB chunk.
    let mut odd = chunk(t, &loud);
    odd.audio.data.push(7);
    let mut one = chunk(t, &[]);
    one.audio.data.push(1);
    for m in [odd, one, chunk(t, &[]), chunk(t, &voice(31.25, 16_000))] {
        rig.ins.audio.publish(m).unwrap();
        rig.step(0.1).await;
    }
    // Formats: 48 kHz stereo (valid, unusual), then absurd ones, with audio in each.
    let infos = [
        (2u8, 48_000u32, "S16LE", "wave"),
        (0, 16_000, "S16LE", "wave"),
        (1, 0, "S16LE", "wave"),
        (1, 1, "S16LE", "wave"),
        (1, u32::MAX, "S16LE", "wave"),
        (255, 16_000, "S16LE", "wave"),
        (1, 16_000, "F32LE", "wave"), // float samples (NaN-able): refused, not misread
        (1, 16_000, "S16LE", "opus"),
        (3, 44_100, "S16LE", ""),
    ];
    for (channels, rate, format, coding) in infos {
        rig.ins
            .audio_info
            .publish(AudioInfo {
                channels,
                sample_rate: rate,
                sample_format: format.into(),
                bitrate: 0,
                coding_format: coding.into(),
            })
            .unwrap();
        rig.step(0.0).await;
        // Stereo at 48 kHz: interleaved frames, and one chunk that is not whole frames.
        let stereo: Vec<i16> = voice(0.1, 48_000)
            .into_iter()
            .flat_map(|s| [s, s])
            .collect();
        rig.ins.audio.publish(chunk(rig.t, &stereo)).unwrap();
        rig.ins
            .audio
            .publish(chunk(rig.t, &stereo[..stereo.len() - 1]))
            .unwrap();
        rig.ins
            .audio
            .publish(chunk(rig.t, &[i16::MIN; 4801]))
            .unwrap();
        rig.step(0.1).await;
    }
    rig.run(0.5).await;
    rig.assert_alive("hostile audio");
}

/// Messages per input in the flood, all within 1 s of sim time.
const FLOOD: usize = 10_000;

/// A flood: `FLOOD` messages in 1 s of sim time on the transcript input and on each of the four
/// velocity inputs of the mux (1 000 per input in each of the rig's usual 0.1 s steps, 50 000 in
/// all), short hostile transcripts and NaN or over-limit twists. The nodes' subscriptions keep
/// the newest few and drop the rest; the nodes stay up, and nothing over the limits reaches
/// /cmd_vel (checked with the rest afterwards). (Steps of 0.1 s, as everywhere else in this
/// test: finer steps shift the mux's 20 Hz ticks against the 0.1 s steps of the later checks.)
async fn flood(rig: &mut Rig) {
    let texts = ["", "🙂", "xin chào", "\u{0}\u{1b}[31m", "nhà vệ sinh"];
    let wall = Instant::now();
    let t0 = rig.t;
    let mut sent = [0usize; 5];
    for step in 0..10 {
        for j in 0..FLOOD / 10 {
            let k = step * (FLOOD / 10) + j;
            rig.ins
                .transcript
                .publish(Transcript {
                    header: hdr(rig.t, HOSTILE),
                    text: texts[k % texts.len()].into(),
                    language: "vi".into(),
                    confidence: [0.9, f32::NAN][k % 2],
                    is_final: k.is_multiple_of(3),
                    source: "keyboard".into(),
                })
                .unwrap();
            sent[0] += 1;
            for (i, n) in sent[1..].iter_mut().enumerate() {
                let t = if k.is_multiple_of(3) {
                    twist(50.0, -80.0, 0.0)
                } else {
                    twist(BAD_F64[k % BAD_F64.len()], 0.2, f64::NAN)
                };
                velocity_input(&rig.ins, i).publish(t).unwrap();
                *n += 1;
            }
        }
        rig.sensors();
        rig.step(0.1).await;
    }
    assert_eq!(sent, [FLOOD; 5]);
    assert!(
        (rig.t - t0 - 1.0).abs() < 1e-3,
        "the flood took {} s of sim time",
        rig.t - t0
    );
    rig.assert_alive("the flood");
    eprintln!(
        "flood: {FLOOD} messages on each of 5 inputs in 1 s of sim time, {:.1} s wall",
        wall.elapsed().as_secs_f64()
    );
    rig.run(1.0).await;
    rig.assert_alive("the flood");
}

fn stamp_secs(t: &Time) -> f64 {
    f64::from(t.sec) + f64::from(t.nanosec) * 1e-9
}

/// `/clock` from a broken or hostile simulator, heard by every node with `use_sim_time`: stamps
/// before the epoch, `i32::MIN`, an hour back, a nanosecond field over one second, then no clock
/// at all while sensor data and commands keep coming. Sim time never runs backwards for any node:
/// nothing any node stamps afterwards is earlier than the last good clock, and every node stays
/// up and goes on when the clock comes back.
async fn hostile_clock(rig: &mut Rig) {
    let t0 = rig.t;
    let seen_before = rig.outs.mux_status.all.len();
    let back = (t0 - 3600.0) as i32;
    for clock in [
        Time {
            sec: -5,
            nanosec: 0,
        },
        Time {
            sec: i32::MIN,
            nanosec: 999_999_999,
        },
        Time {
            sec: back,
            nanosec: 0,
        },
        Time {
            sec: 0,
            nanosec: u32::MAX,
        },
        Time {
            sec: -1,
            nanosec: u32::MAX,
        },
    ] {
        rig.ins.clock.publish(Clock { clock }).unwrap();
        rig.sensors();
        rig.ins.estop.publish(Bool { data: false }).unwrap();
        rig.ins.cmd_console.publish(twist(0.2, 0.0, 0.0)).unwrap();
        for _ in 0..40 {
            tokio::task::yield_now().await;
        }
        rig.outs.pull(rig.t);
        rig.assert_alive("a hostile /clock");
    }
    // A stalled clock: inputs keep coming, time does not.
    for _ in 0..20 {
        rig.sensors();
        rig.ins.cmd_console.publish(twist(0.2, 0.0, 0.0)).unwrap();
        for _ in 0..40 {
            tokio::task::yield_now().await;
        }
        rig.outs.pull(rig.t);
    }
    rig.assert_alive("a stalled /clock");
    rig.run(1.0).await;
    rig.assert_alive("the clock came back");
    let after = &rig.outs.mux_status.all[seen_before..];
    assert!(
        after
            .iter()
            .any(|(_, s)| stamp_secs(&s.header.stamp) > t0 + 0.5),
        "the mux's status did not go on after the clock came back"
    );
    // The last good stamp was t0; a node's own stamps may lag it by one step, never more.
    let earliest = t0 - 0.1 - 1e-6;
    for (topic, stamps) in [
        (
            "/mux/status",
            after
                .iter()
                .map(|(_, s)| stamp_secs(&s.header.stamp))
                .collect::<Vec<_>>(),
        ),
        (
            "/dialog/state",
            rig.outs
                .dialog_state
                .all
                .iter()
                .filter(|(at, s)| *at >= t0 && s.header.frame_id != HOSTILE)
                .map(|(_, s)| stamp_secs(&s.header.stamp))
                .collect(),
        ),
        (
            "/tf",
            rig.outs
                .tf
                .all
                .iter()
                .filter(|(at, _)| *at >= t0)
                .flat_map(|(_, m)| m.transforms.iter().map(|x| stamp_secs(&x.header.stamp)))
                .collect(),
        ),
    ] {
        if let Some(bad) = stamps.iter().find(|&&s| s < earliest) {
            panic!("{topic} stamped {bad} after a hostile /clock; the last good clock was {t0}");
        }
    }
    eprintln!("hostile /clock: 5 bad stamps and a stall, every node up, no stamp went back");
}

#[tokio::test(flavor = "current_thread")]
async fn every_node_survives_hostile_input_and_still_does_its_job() {
    let wall = Instant::now();
    let mut rig = rig().await;

    hostile_velocities(&mut rig).await;
    hostile_navigation(&mut rig).await;
    hostile_speech_and_dialog(&mut rig).await;
    flood(&mut rig).await;
    hostile_clock(&mut rig).await;
    hostile_camera(&mut rig).await;
    hostile_audio(&mut rig).await;
    rig.assert_alive("all hostile input");
    eprintln!(
        "hostile input done at {:.1} s wall",
        wall.elapsed().as_secs_f64()
    );

    // Nothing hostile came out: every velocity the mux sent is finite and within its limits, and
    // so is everything navigation and the greeting turn sent it.
    for (topic, seen) in [
        ("/cmd_vel", &rig.outs.cmd_vel),
        ("navigation's cmd_vel", &rig.outs.cmd_vel_nav),
        ("the face node's cmd_vel", &rig.outs.cmd_vel_greeting),
    ] {
        for (_, t) in &seen.all {
            let v = [
                t.linear.x,
                t.linear.y,
                t.linear.z,
                t.angular.x,
                t.angular.y,
                t.angular.z,
            ];
            assert!(v.iter().all(|x| x.is_finite()), "{topic}: {t:?}");
        }
    }
    assert!(!rig.outs.cmd_vel.all.is_empty());
    for (_, t) in &rig.outs.cmd_vel.all {
        assert!(
            t.linear.x.abs() <= MAX_LINEAR + 1e-9 && t.angular.z.abs() <= MAX_ANGULAR + 1e-9,
            "over the limits on /cmd_vel: {t:?}"
        );
    }
    for (_, s) in rig
        .outs
        .guide
        .all
        .iter()
        .filter(|(_, s)| s.header.frame_id != HOSTILE)
    {
        assert!(
            s.place_id.chars().count() <= 64 && s.error_msg.len() <= 4096,
            "navigation echoed a hostile id: {} chars",
            s.place_id.chars().count()
        );
        assert!(s.progress.is_finite() && (0.0..=1.0).contains(&s.progress));
    }
    for (_, s) in rig
        .outs
        .dialog_state
        .all
        .iter()
        .filter(|(_, s)| s.header.frame_id != HOSTILE)
    {
        assert!(
            s.confidence.is_finite() && (0.0..=1.0).contains(&s.confidence),
            "{s:?}"
        );
    }
    for (_, a) in &rig.outs.tts_audio.all {
        assert_eq!(a.audio.data.len() % 2, 0, "odd-sized /tts/audio chunk");
    }
    // The ASR's transcripts are its recognizer's words, whatever the audio was.
    for (_, m) in rig
        .outs
        .transcript
        .all
        .iter()
        .filter(|(_, m)| m.header.frame_id != HOSTILE)
    {
        assert_eq!(m.source, Transcript::SOURCE_ASR);
        assert!("xin chào".starts_with(&m.text), "{m:?}");
        assert!(m.confidence.is_finite() && (0.0..=1.0).contains(&m.confidence));
    }
    for (_, i) in &rig.outs.intent.all {
        assert!(i.confidence.is_finite(), "{i:?}");
    }

    // The mux still works: the operator releases the e-stop; with no input it sends zero at its
    // rate, with its status; a valid greeting turn goes through, within the limits.
    rig.ins
        .operator_estop
        .publish(Bool { data: false })
        .unwrap();
    let t = rig.t;
    rig.run(1.5).await;
    let zeros: Vec<&Twist> = rig.outs.cmd_vel.since(t + 1.0).collect();
    assert!(
        zeros.len() >= 8,
        "the mux stopped publishing: {}",
        zeros.len()
    );
    assert!(
        zeros
            .iter()
            .all(|z| z.linear.x == 0.0 && z.angular.z == 0.0),
        "{zeros:?}"
    );
    let status: Vec<&MuxStatus> = rig.outs.mux_status.since(t + 1.0).collect();
    assert!(status.len() >= 8);
    assert!(!status.last().unwrap().estop_engaged, "{:?}", status.last());
    let t = rig.t;
    for _ in 0..10 {
        rig.ins
            .cmd_greeting
            .publish(Twist::planar(0.0, 0.4))
            .unwrap();
        rig.sensors();
        rig.step(0.1).await;
    }
    let last = rig.outs.cmd_vel.since(t).last().unwrap();
    assert!((last.angular.z - 0.4).abs() < 1e-9, "{last:?}");
    assert_eq!(
        rig.outs.mux_status.since(t).last().unwrap().active_input,
        "greeting"
    );
    rig.run(1.0).await;

    // The TTS still speaks: stop whatever hostile text it is reading, then a valid request.
    rig.ins.tts_stop.publish(Empty {}).unwrap();
    rig.run(0.3).await;
    let t = rig.t;
    rig.ins
        .say
        .publish(SayRequest {
            header: hdr(t, "base_link"),
            id: "check".into(),
            text: "Kiểm tra loa.".into(),
            language: "vi".into(),
            voice: String::new(),
            priority: SayRequest::PRIORITY_HIGH,
            interrupt: true,
        })
        .unwrap();
    rig.run(2.0).await;
    let started = rig
        .outs
        .tts_status
        .since(t)
        .find(|s| s.speaking && s.text == "Kiểm tra loa.")
        .cloned()
        .expect("the TTS did not start the valid request");
    assert!(
        rig.outs
            .tts_status
            .since(t)
            .any(|s| !s.speaking && s.utterance_id == started.utterance_id),
        "it never finished"
    );
    let samples: usize = rig
        .outs
        .tts_audio
        .since(t)
        .map(|a| a.audio.data.len() / 2)
        .sum();
    // 13 characters of the fake voice: 0.78 s at 22 050 Hz.
    assert!(samples >= 17_000, "{samples} samples of audio");

    // The ASR still transcribes: the microphone back to 16 kHz mono, the robot silent.
    rig.ins
        .audio_info
        .publish(AudioInfo {
            channels: 1,
            sample_rate: 16_000,
            sample_format: "S16LE".into(),
            bitrate: 256_000,
            coding_format: "wave".into(),
        })
        .unwrap();
    rig.ins.tts_stop.publish(Empty {}).unwrap();
    rig.run(1.0).await;
    let t = rig.t;
    let quiet = vec![0i16; 1600];
    for k in 0..40 {
        let pcm = if (5..20).contains(&k) {
            voice(0.1, 16_000)
        } else {
            quiet.clone()
        };
        rig.ins
            .audio
            .publish(AudioDataStamped::from_s16le(hdr(rig.t, "microphone"), &pcm))
            .unwrap();
        rig.sensors();
        rig.step(0.1).await;
    }
    assert!(
        rig.outs
            .transcript
            .since(t)
            .any(|m| m.is_final && m.source == "asr" && m.text == "xin chào"),
        "the ASR no longer transcribes: {:?}",
        rig.outs.transcript.since(t).collect::<Vec<_>>()
    );
    rig.run(1.0).await;

    // The dialog and the router still understand and answer a valid question.
    let before = rig
        .outs
        .dialog_state
        .all
        .iter()
        .rfind(|(_, s)| s.header.frame_id != HOSTILE)
        .map(|(_, s)| s.intent.clone());
    assert_ne!(
        before.as_deref(),
        Some("amenity.wifi"),
        "the check would prove nothing"
    );
    let t = rig.t;
    rig.ins
        .transcript
        .publish(Transcript {
            header: hdr(t, "microphone"),
            text: "wifi ở đâu".into(),
            language: "vi".into(),
            confidence: 0.9,
            is_final: true,
            source: "keyboard".into(),
        })
        .unwrap();
    rig.run(2.0).await;
    let states: Vec<&DialogState> = rig.outs.dialog_state.since(t).collect();
    assert!(
        states.iter().any(|s| s.intent == "amenity.wifi"),
        "the dialog did not answer: {states:?}"
    );
    assert!(
        rig.outs.tts_say.since(t).any(|s| s.text.contains("wifi")),
        "the dialog did not say the answer"
    );
    let intents: Vec<&Intent> = rig.outs.intent.since(t).collect();
    assert!(
        intents
            .iter()
            .any(|i| i.intent_id == "amenity.wifi" && i.text == "wifi ở đâu"),
        "the router did not route it: {intents:?}"
    );
    assert!(rig.outs.answer.since(t).any(|a| a.text.contains("wifi")));

    // Navigation still publishes its status and accepts a valid goal.
    let t = rig.t;
    rig.ins
        .goal
        .publish(NavGoalPlace {
            header: hdr(t, "map"),
            place_id: "reception".into(),
            person_id: String::new(),
            guide: false,
        })
        .unwrap();
    rig.run(1.5).await;
    let statuses: Vec<&GuideStatus> = rig.outs.guide.since(t).collect();
    assert!(
        statuses
            .iter()
            .any(|s| s.place_id == "reception" && s.state == GuideStatus::STATE_NAVIGATING),
        "navigation did not take a valid goal: {statuses:?}"
    );
    // Planned from where the robot is: localization was not thrown off by hostile odometry,
    // scans, initial poses or the laser mount.
    let plan = rig
        .outs
        .plan
        .since(t)
        .find(|p| !p.poses.is_empty())
        .expect("no plan");
    let start = &plan.poses[0].pose.position;
    assert!(
        (start.x - DOCK.0).hypot(start.y - DOCK.1) < 1.0,
        "the robot thinks it is at ({}, {}), not at the dock",
        start.x,
        start.y
    );
    assert!(
        rig.outs.cmd_vel_nav.since(t).next().is_some(),
        "navigation does not drive"
    );
    rig.ins
        .goal
        .publish(NavGoalPlace {
            header: hdr(rig.t, "map"),
            ..NavGoalPlace::default()
        })
        .unwrap();
    rig.run(0.5).await;

    // Navigation still sees people where they are: someone 1.5 m in front of the robot (1.4 m in
    // front of its laser) is tracked there, not where an absurd laser mount would put them. (A
    // scan with nothing but that person may move the localization: "in front" is taken from the
    // pose navigation publishes, map → odom with odometry at the origin.)
    let t = rig.t;
    for _ in 0..10 {
        rig.ins.scan.publish(person_scan(rig.t)).unwrap();
        rig.ins
            .odom
            .publish(odom(rig.t, 0.0, 0.0, Quaternion::from_yaw(0.0), 0.0, 0.0))
            .unwrap();
        rig.step(0.1).await;
    }
    let m2o = &rig.outs.tf.all.last().expect("map → odom").1.transforms[0].transform;
    let yaw = m2o.rotation.yaw();
    let front = (
        m2o.translation.x + 1.5 * yaw.cos(),
        m2o.translation.y + 1.5 * yaw.sin(),
    );
    let people: Vec<(f64, f64)> = rig
        .outs
        .people
        .since(t + 0.5)
        .flat_map(|p| {
            p.poses
                .iter()
                .map(|q| (q.pose.position.x, q.pose.position.y))
        })
        .collect();
    assert!(
        !people.is_empty()
            && people
                .iter()
                .all(|&(x, y)| (x - front.0).hypot(y - front.1) < 0.3),
        "the person in front of the robot, at {front:?}, is not where navigation sees people: {people:?}"
    );

    // The face node still finds a face.
    let t = rig.t;
    let frame = face_frame();
    for _ in 0..10 {
        rig.ins
            .camera_info
            .publish(camera_info(rig.t, GOOD_K, 640, 480))
            .unwrap();
        rig.ins
            .image
            .publish(ros::image_to_msg(&frame, hdr(rig.t, "camera")))
            .unwrap();
        rig.sensors();
        rig.step(0.1).await;
    }
    assert!(
        rig.outs
            .tracked_faces
            .since(t)
            .any(|ids| !ids.ids.is_empty()),
        "the face node no longer tracks a face"
    );

    rig.assert_alive("the checks");
    let summary: HashMap<&str, usize> = [
        ("/cmd_vel", rig.outs.cmd_vel.all.len()),
        ("/tts/say", rig.outs.tts_say.all.len()),
        ("/tts/status", rig.outs.tts_status.all.len()),
        ("/intent", rig.outs.intent.all.len()),
        ("/speech/transcript", rig.outs.transcript.all.len()),
        ("/humans/voices/tracked", rig.outs.voices.all.len()),
        ("/humans/voices/anonymous/speech", rig.outs.live.all.len()),
        ("/tts/stop", rig.outs.tts_stop.all.len()),
    ]
    .into_iter()
    .collect();
    eprintln!(
        "bad_input: passed in {:.1} s wall; messages seen {summary:?}",
        wall.elapsed().as_secs_f64()
    );
    rig.shutdown().await;
}

/// Log lines, captured from the nodes' tasks (same thread: current-thread runtime).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A broken teleop client sending NaN at 50 Hz and a camera sending frames in an unknown encoding
/// at 30 Hz, for 10 s: every message is dropped, the first one with a warning that says why, and
/// the log is not flooded (one warning per message would be 800 lines).
#[tokio::test(flavor = "current_thread")]
async fn a_sustained_hostile_stream_is_dropped_with_rate_limited_warnings() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let ctx = Context::bus();
    let test = ctx.node("hostile", "/").unwrap();
    let ins = Ins::new(&test);
    let mut cmd_vel = Seen::<Twist>::new(&test, "/cmd_vel");
    let (stop, rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let r = repo();
    let args = |files: Vec<PathBuf>| NodeArgs {
        params_files: files,
        use_sim_time: true,
        ..NodeArgs::default()
    };
    let tasks = vec![
        (
            "mux",
            tokio::spawn(letan_nodes::run(
                "mux",
                ctx.clone(),
                args(vec![
                    r.join("robot_nodes/mux/config/mux.yaml"),
                    r.join("launch/params/sim_overrides.yaml"),
                ]),
                stopped(rx.clone()),
            )),
        ),
        (
            "face",
            tokio::spawn(letan_nodes::run(
                "face",
                ctx.clone(),
                args(vec![r.join("robot_nodes/vision/config/face.yaml")]),
                stopped(rx.clone()),
            )),
        ),
    ];
    let mut t = 1_780_000_000.0;
    let mut sent = (0usize, 0usize);
    for k in 0..1500u32 {
        t += 1.0 / 150.0;
        ins.clock
            .publish(Clock {
                clock: Time::from_secs_f64(t),
            })
            .unwrap();
        if k % 3 == 0 {
            ins.cmd_console.publish(twist(f64::NAN, 0.2, 0.0)).unwrap();
            sent.0 += 1;
        }
        if k % 5 == 0 {
            ins.image
                .publish(raw_image(t, 64, 48, "yuv422", 128, 64 * 48 * 2))
                .unwrap();
            sent.1 += 1;
        }
        if k % 15 == 0 {
            ins.estop.publish(Bool { data: false }).unwrap();
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        cmd_vel.pull(t);
    }
    for (name, task) in &tasks {
        assert!(!task.is_finished(), "the {name} node stopped");
    }
    stop.send_replace(true);
    for (name, task) in tasks {
        task.await
            .unwrap()
            .unwrap_or_else(|e| panic!("{name} failed: {e}"));
    }
    assert_eq!(sent, (500, 300));
    assert!(cmd_vel.all.len() > 100);
    assert!(
        cmd_vel
            .all
            .iter()
            .all(|(_, c)| c.linear.x == 0.0 && c.angular.z == 0.0),
        "a NaN command moved the robot"
    );
    drop(_guard);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    for (what, needle, why) in [
        ("velocity", "refused a velocity command", "linear_x"),
        ("camera", "camera frame refused", "yuv422"),
    ] {
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
        assert!(
            !lines.is_empty() && lines[0].contains(why),
            "the first refused {what} message says why: {lines:?}"
        );
        assert!(
            lines.len() <= 12,
            "{} warnings for refused {what} messages: the log is flooded",
            lines.len()
        );
    }
}
