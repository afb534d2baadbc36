//! The simulator node: `letan-sim`'s world stepped in sim time and served on the robot's own topics.
//!
//! | direction | topic | type |
//! |---|---|---|
//! | out | `/clock` | rosgraph_msgs/Clock |
//! | out | `/odom` (odom → base_link, with drift) | nav_msgs/Odometry |
//! | out | `/tf`, `/tf_static` (base_link → laser, camera) | tf2_msgs/TFMessage |
//! | out | `/scan` | sensor_msgs/LaserScan |
//! | out | `/camera/image_raw`, `/camera/camera_info` (only when the camera is on) | sensor_msgs/Image (rgb8), CameraInfo |
//! | out | `/speech/transcript` (what a nearby visitor says, as text: source `sim`) | letan_interfaces/Transcript |
//! | out | `/estop` heartbeat (the simulated e-stop box, not pressed) | std_msgs/Bool |
//! | out | `/sim/ground_truth/robot` | geometry_msgs/PoseStamped (map frame) |
//! | out | `/sim/ground_truth/people` (one pose per person; pose header frame_id = `person/<id>`) | nav_msgs/Path |
//! | out | `/sim/events` (one JSON object per log entry, and per expectation as the judge decides it: `{t, index, outcome}`) | std_msgs/String |
//! | out | `/cmd_vel_teleop_console`, `/mux/operator_estop`, `/nav/goal` (the scenario's scripted operator) | Twist, Bool, NavGoalPlace |
//! | in | `/cmd_vel` | geometry_msgs/Twist |
//! | in | `/greeting/greet` | letan_interfaces/SayRequest |
//! | in | `/dialog/state` | letan_interfaces/DialogState |
//! | in | `/humans/faces/tracked`, `/humans/persons/<id>/engagement_status` (to time greetings) | hri_msgs/IdsList, EngagementLevel |
//! | in | `/nav/guide_status` | letan_interfaces/GuideStatus |
//!
//! The microphone is text: no ASR model can be installed here, so the visitor's scripted words reach the
//! dialog the way typed words do. (Audio through espeak-ng into `/audio/audio` is the planned `audio` mode.)
use crate::common::{start, NodeArgs, NodesError};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{
    Point, Pose, PoseStamped, PoseWithCovariance, Quaternion, Transform, TransformStamped, Twist,
    TwistWithCovariance, Vector3,
};
use letan_msgs::hri_msgs::{EngagementLevel, IdsList};
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, NavGoalPlace, SayRequest, Transcript,
};
use letan_msgs::nav_msgs::{Odometry, Path};
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::sensor_msgs::{CameraInfo, Image, LaserScan};
use letan_msgs::std_msgs::{Bool, Header, StringMsg};
use letan_msgs::tf2_msgs::TFMessage;
use letan_sim::camera::FaceBank;
use letan_sim::lobby::Lobby;
use letan_sim::scenario::{report, Judge, OperatorAction, OperatorStep, Report, Scenario};
use letan_sim::world::{Outputs, RobotAction, World, WorldConfig};
use letan_sim::Inputs;
use letan_transport::{Context, Publisher, Qos, Subscriber};
use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path as FsPath, PathBuf};

/// Parameters of the `sim` node.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SimParams {
    /// Scenario file, relative to the repository root or absolute.
    pub scenario: String,
    /// Seed; `-1` takes the scenario's own.
    pub seed: i64,
    /// Sim step (s).
    pub step_s: f64,
    /// Sim seconds per wall second; 0 runs as fast as the machine goes.
    pub speed: f64,
    /// Render the camera (needs ../shared/vision/images for the faces).
    pub camera: bool,
    /// Publish the simulated e-stop box's heartbeat (not pressed).
    pub estop_heartbeat: bool,
    /// Repository root; empty = found from the working directory.
    pub repo_root: String,
    /// Before the first step, wait until each of these topics has a publisher (the robot's nodes are
    /// up: the dialog has trained its router, navigation has loaded its map), at most `wait_timeout_s`
    /// of wall time.
    pub wait_for: Vec<String>,
    pub wait_timeout_s: f64,
    /// In lockstep (the context has a `Lockstep`: `letan sim --headless`), the wall time a step may
    /// take to settle before the run fails, naming the nodes still busy.
    pub settle_timeout_s: f64,
}

impl Default for SimParams {
    fn default() -> Self {
        SimParams {
            scenario: "sim/scenarios/ask_and_guide.yaml".into(),
            seed: -1,
            step_s: 0.05,
            speed: 1.0,
            camera: true,
            estop_heartbeat: true,
            repo_root: String::new(),
            wait_for: vec![
                "/dialog/state".into(),
                "/nav/guide_status".into(),
                "/cmd_vel".into(),
                // The tts node advertises it once its voices are loaded (off the async workers,
                // where the lockstep cannot see the work).
                "/tts/status".into(),
            ],
            wait_timeout_s: 120.0,
            settle_timeout_s: 60.0,
        }
    }
}

/// The slowest pace a run may be asked for (sim seconds per wall second): slower would only be a
/// frozen simulator, and a tiny positive speed overflowed the pacing arithmetic.
pub const MIN_SPEED: f64 = 0.01;

/// How long to wait before the next step, so that sim time runs `speed` times faster than the wall
/// (`speed` 0: no wait). Never panics: an offset beyond `Duration`'s or `Instant`'s range waits
/// at most an hour, after which the loop asks again.
fn pace_wait(
    wall_start: std::time::Instant,
    now: std::time::Instant,
    sim_time: f64,
    speed: f64,
) -> std::time::Duration {
    if speed.is_nan() || speed <= 0.0 {
        return std::time::Duration::ZERO;
    }
    const AT_MOST: std::time::Duration = std::time::Duration::from_secs(3600);
    let offset = letan_transport::secs_to_duration(sim_time / speed);
    wall_start.checked_add(offset).map_or(AT_MOST, |due| {
        due.saturating_duration_since(now).min(AT_MOST)
    })
}

impl SimParams {
    fn check(&self) -> Result<(), String> {
        if !(self.step_s.is_finite() && self.step_s > 0.0 && self.step_s <= 0.2) {
            return Err(format!(
                "key `step_s` must be in (0, 0.2], got {}",
                self.step_s
            ));
        }
        if !(self.speed.is_finite() && (self.speed == 0.0 || self.speed >= MIN_SPEED)) {
            return Err(format!(
                "key `speed` must be 0 (as fast as possible) or ≥ {MIN_SPEED}, got {}",
                self.speed
            ));
        }
        if !(self.settle_timeout_s.is_finite() && self.settle_timeout_s > 0.0) {
            return Err(format!(
                "key `settle_timeout_s` must be > 0, got {}",
                self.settle_timeout_s
            ));
        }
        if !(self.wait_timeout_s.is_finite() && self.wait_timeout_s >= 0.0) {
            return Err(format!(
                "key `wait_timeout_s` must be ≥ 0, got {}",
                self.wait_timeout_s
            ));
        }
        if self.scenario.trim().is_empty() {
            return Err("key `scenario` is empty".into());
        }
        Ok(())
    }
}

/// The repository root: the first folder upwards from `start` holding `maps/lobby.yaml`.
pub fn find_repo_root(start: &FsPath) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("maps/lobby.yaml").is_file())
        .map(FsPath::to_path_buf)
}

fn stamp(t: f64) -> Time {
    Time::from_secs_f64(t)
}

fn quat(q: [f64; 4]) -> Quaternion {
    Quaternion {
        x: q[0],
        y: q[1],
        z: q[2],
        w: q[3],
    }
}

fn odom_msg(out: &Outputs) -> Odometry {
    let o = &out.odom;
    let mut pose_cov = [0.0; 36];
    let mut twist_cov = [0.0; 36];
    for (dst, src) in pose_cov.iter_mut().zip(&o.pose_covariance) {
        *dst = *src;
    }
    for (dst, src) in twist_cov.iter_mut().zip(&o.twist_covariance) {
        *dst = *src;
    }
    Odometry {
        header: Header::new(stamp(o.stamp), o.frame_id.clone()),
        child_frame_id: o.child_frame_id.clone(),
        pose: PoseWithCovariance {
            pose: Pose {
                position: Point {
                    x: o.pose.x,
                    y: o.pose.y,
                    z: 0.0,
                },
                orientation: quat(o.orientation),
            },
            covariance: pose_cov,
        },
        twist: TwistWithCovariance {
            twist: Twist::planar(o.linear_x, o.angular_z),
            covariance: twist_cov,
        },
    }
}

fn tf_msg(transforms: &[letan_sim::world::Transform]) -> TFMessage {
    TFMessage {
        transforms: transforms
            .iter()
            .map(|t| TransformStamped {
                header: Header::new(stamp(t.stamp), t.parent.clone()),
                child_frame_id: t.child.clone(),
                transform: Transform {
                    translation: Vector3 {
                        x: t.translation[0],
                        y: t.translation[1],
                        z: t.translation[2],
                    },
                    rotation: quat(t.rotation),
                },
            })
            .collect(),
    }
}

fn scan_msg(s: &letan_sim::lidar::StampedScan) -> LaserScan {
    LaserScan {
        header: Header::new(stamp(s.stamp), s.frame_id.clone()),
        angle_min: s.scan.angle_min as f32,
        angle_max: s.angle_max() as f32,
        angle_increment: s.scan.angle_increment as f32,
        time_increment: s.time_increment,
        scan_time: s.scan_time,
        range_min: s.scan.range_min as f32,
        range_max: s.scan.range_max as f32,
        ranges: s.scan.ranges.clone(),
        intensities: s.intensities.clone(),
    }
}

fn camera_msgs(f: &letan_sim::camera::CameraFrame) -> (Image, CameraInfo) {
    let i = &f.image;
    let image = Image {
        header: Header::new(stamp(i.stamp), i.frame_id.clone()),
        height: i.height,
        width: i.width,
        encoding: i.encoding.to_string(),
        is_bigendian: 0,
        step: i.step,
        data: i.data.clone(),
    };
    let c = &f.info;
    let info = CameraInfo {
        header: Header::new(stamp(c.stamp), c.frame_id.clone()),
        height: c.height,
        width: c.width,
        distortion_model: c.distortion_model.clone(),
        d: c.d.clone(),
        k: c.k,
        r: c.r,
        p: c.p,
        ..Default::default()
    };
    (image, info)
}

struct Pubs {
    clock: Publisher<Clock>,
    odom: Publisher<Odometry>,
    tf: Publisher<TFMessage>,
    scan: Publisher<LaserScan>,
    /// Only when the camera is simulated: an advertised but silent camera would look alive to the graph.
    camera: Option<(Publisher<Image>, Publisher<CameraInfo>)>,
    transcript: Publisher<Transcript>,
    estop: Publisher<Bool>,
    robot_truth: Publisher<PoseStamped>,
    people_truth: Publisher<Path>,
    events: Publisher<StringMsg>,
}

impl Pubs {
    fn publish(&self, out: &Outputs, heartbeat: bool) -> Result<(), NodesError> {
        let now = stamp(out.clock);
        self.clock.publish(Clock { clock: now })?;
        self.odom.publish(odom_msg(out))?;
        self.tf.publish(tf_msg(&out.tf))?;
        if let Some(s) = &out.scan {
            self.scan.publish(scan_msg(s))?;
        }
        if let (Some(f), Some((image_pub, info_pub))) = (&out.camera, &self.camera) {
            let (image, info) = camera_msgs(f);
            image_pub.publish(image)?;
            info_pub.publish(info)?;
        }
        for u in &out.utterances {
            self.transcript.publish(Transcript {
                header: Header::new(stamp(u.stamp), "base_link"),
                text: u.text.clone(),
                language: u.lang.clone(),
                confidence: 1.0,
                is_final: true,
                source: "sim".into(),
            })?;
        }
        if heartbeat {
            self.estop.publish(Bool { data: false })?;
        }
        let r = out.truth.robot;
        self.robot_truth.publish(PoseStamped {
            header: Header::new(now, "map"),
            pose: Pose::from_xy_yaw(r.x, r.y, r.yaw),
        })?;
        self.people_truth.publish(Path {
            header: Header::new(now, "map"),
            poses: out
                .truth
                .people
                .iter()
                .map(|p| PoseStamped {
                    header: Header::new(now, format!("person/{}", p.id)),
                    pose: Pose::from_xy_yaw(p.pose.x, p.pose.y, p.pose.yaw),
                })
                .collect(),
        })?;
        for e in &out.events {
            if let Ok(json) = serde_json::to_string(e) {
                self.events.publish(StringMsg { data: json })?;
            }
        }
        Ok(())
    }
}

/// The console's topics, for scripted operator actions.
struct OperatorPubs {
    teleop: Publisher<Twist>,
    estop: Publisher<Bool>,
    goal: Publisher<NavGoalPlace>,
}

/// Turns what the robot's own nodes publish into the simulator's `RobotAction`s.
#[derive(Default)]
struct ActionWatcher {
    /// `DialogState.answers` last seen.
    answers: Option<u32>,
    dialog_state: String,
    guiding_place: Option<String>,
}

impl ActionWatcher {
    fn greeting(&mut self, g: &SayRequest, out: &mut Vec<RobotAction>) {
        // The face node's ids are anonymous; the world attributes each greeting to the nearest
        // person in front of the robot not greeted yet. A group greeting names several ids.
        let n =
            g.id.split(',')
                .filter(|s| !s.trim().is_empty())
                .count()
                .clamp(1, 8);
        out.extend((0..n).map(|_| RobotAction::Greeted { person: None }));
    }

    fn dialog(&mut self, d: &DialogState, out: &mut Vec<RobotAction>) {
        // A new answer is a new count, even in the same words as the last (two people asking the
        // same question; the soak's repeated scenarios once lost an answer that way).
        if !d.last_answer.is_empty() && self.answers != Some(d.answers) {
            out.push(RobotAction::Said {
                text: d.last_answer.clone(),
                lang: d.language.clone(),
                intent: (!d.intent.is_empty()).then(|| d.intent.clone()),
                person: None,
            });
        }
        self.answers = Some(d.answers);
        self.dialog_state = d.state.clone();
    }

    fn guide(&mut self, g: &GuideStatus, out: &mut Vec<RobotAction>) {
        match g.state.as_str() {
            "navigating" | "waiting"
                if self.guiding_place.as_deref() != Some(&g.place_id)
                    && self.dialog_state == "guiding" =>
            {
                self.guiding_place = Some(g.place_id.clone());
                out.push(RobotAction::GuideStart {
                    place: g.place_id.clone(),
                });
            }
            "arrived" | "failed" | "canceled" | "idle" if self.guiding_place.is_some() => {
                self.guiding_place = None;
                out.push(RobotAction::GuideEnd);
            }
            _ => {}
        }
    }
}

/// Run options of a scenario (the `letan sim` flags, over the parameters).
#[derive(Debug, Clone, Default)]
pub struct SimOverrides {
    pub scenario: Option<PathBuf>,
    pub seed: Option<u64>,
    pub speed: Option<f64>,
    pub camera: Option<bool>,
    /// Play the scenario this many times back to back (soak runs; see `Scenario::repeated`).
    pub repeat: Option<usize>,
}

/// The scenario and the world it builds, from the parameters and the command line's overrides.
fn load_world(
    node: &letan_transport::Node,
    params: &SimParams,
    overrides: &SimOverrides,
) -> Result<(Scenario, World), NodesError> {
    let root = if params.repo_root.is_empty() {
        let cwd = std::env::current_dir().map_err(|e| NodesError::node(node, e))?;
        find_repo_root(&cwd).ok_or_else(|| {
            NodesError::node(
                node,
                format!(
                    "no maps/lobby.yaml above {}: run from the repository",
                    cwd.display()
                ),
            )
        })?
    } else {
        PathBuf::from(&params.repo_root)
    };
    let scenario_path = {
        let p = PathBuf::from(&params.scenario);
        if p.is_absolute() || p.exists() {
            p
        } else {
            root.join(p)
        }
    };
    let scenario = Scenario::load(&scenario_path)
        .map_err(|e| NodesError::node(node, e))?
        .repeated(overrides.repeat.unwrap_or(1));
    let lobby = Lobby::load(&root).map_err(|e| NodesError::node(node, e))?;
    let mut config = WorldConfig::default();
    config.camera.enabled = params.camera;
    let faces = if params.camera {
        let dir = FaceBank::shared_images_dir(&root).map_err(|e| NodesError::node(node, e))?;
        Some(FaceBank::load(&dir, 60.0).map_err(|e| NodesError::node(node, e))?)
    } else {
        None
    };
    let seed = overrides
        .seed
        .or((params.seed >= 0).then_some(params.seed as u64));
    let world = scenario
        .build_world(
            config,
            seed,
            lobby.grid.clone(),
            lobby.places.clone(),
            faces,
        )
        .map_err(|e| NodesError::node(node, e))?;
    Ok((scenario, world))
}

/// What the robot's own nodes publish, turned into the world's `RobotAction`s each step.
struct RobotWatch {
    greet: Subscriber<SayRequest>,
    dialog: Subscriber<DialogState>,
    guide: Subscriber<GuideStatus>,
    /// The robot's engagement model (REP-155), to time greetings against it.
    tracked: Subscriber<IdsList>,
    engagement: HashMap<String, (Subscriber<EngagementLevel>, bool)>,
    watcher: ActionWatcher,
}

impl RobotWatch {
    fn new(node: &letan_transport::Node) -> Result<Self, NodesError> {
        Ok(Self {
            greet: node.subscribe("/greeting/greet", Qos::commands())?,
            dialog: node.subscribe("/dialog/state", Qos::commands().with_depth(50))?,
            guide: node.subscribe("/nav/guide_status", Qos::commands().with_depth(50))?,
            tracked: node.subscribe("/humans/faces/tracked", Qos::commands())?,
            engagement: HashMap::new(),
            watcher: ActionWatcher::default(),
        })
    }

    /// The robot's actions since the last step.
    fn actions(
        &mut self,
        node: &letan_transport::Node,
        out: &mut Vec<RobotAction>,
    ) -> Result<(), NodesError> {
        if let Some(ids) = self.tracked.latest() {
            self.engagement.retain(|id, _| ids.ids.contains(id));
            for id in ids.ids.iter().take(64) {
                if !self.engagement.contains_key(id)
                    && id.len() <= 32
                    && id.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    let sub = node.subscribe::<EngagementLevel>(
                        &format!("/humans/persons/{id}/engagement_status"),
                        Qos::latched(),
                    )?;
                    self.engagement.insert(id.clone(), (sub, false));
                }
            }
        }
        for (sub, engaged) in self.engagement.values_mut() {
            if let Some(l) = sub.latest() {
                if !*engaged
                    && matches!(
                        l.level,
                        EngagementLevel::ENGAGING | EngagementLevel::ENGAGED
                    )
                {
                    *engaged = true;
                    out.push(RobotAction::Engaged { person: None });
                }
            }
        }
        while let Some(g) = self.greet.try_recv() {
            self.watcher.greeting(&g, out);
        }
        while let Some(d) = self.dialog.try_recv() {
            self.watcher.dialog(&d, out);
        }
        while let Some(g) = self.guide.try_recv() {
            self.watcher.guide(&g, out);
        }
        Ok(())
    }
}

/// The scenario's operator steps, played on the console's own topics.
struct ScriptedOperator {
    pubs: OperatorPubs,
    steps: Vec<OperatorStep>,
    next: usize,
    /// Teleop held until this sim time.
    teleop: Option<(f64, Twist)>,
}

impl ScriptedOperator {
    fn new(node: &letan_transport::Node, scenario: &Scenario) -> Result<Self, NodesError> {
        let mut steps = scenario.operator.clone();
        steps.sort_by(|a, b| a.at.total_cmp(&b.at));
        Ok(Self {
            pubs: OperatorPubs {
                teleop: node.publisher("/cmd_vel_teleop_console", Qos::commands())?,
                estop: node.publisher("/mux/operator_estop", Qos::commands())?,
                goal: node.publisher("/nav/goal", Qos::commands())?,
            },
            steps,
            next: 0,
            teleop: None,
        })
    }

    /// The steps due at sim time `now`, and the held teleop.
    fn step(&mut self, now: f64) -> Result<(), NodesError> {
        let goal = |place: &str| NavGoalPlace {
            header: Header::new(stamp(now), "map"),
            place_id: place.into(),
            person_id: String::new(),
            guide: false,
        };
        while self.next < self.steps.len() && self.steps[self.next].at <= now {
            let step = &self.steps[self.next];
            tracing::info!(t = now, action = ?step.action, "operator");
            match &step.action {
                OperatorAction::Teleop {
                    linear,
                    angular,
                    duration,
                } => {
                    self.teleop = Some((now + duration, Twist::planar(*linear, *angular)));
                }
                OperatorAction::Estop => self.pubs.estop.publish(Bool { data: true })?,
                OperatorAction::Release => self.pubs.estop.publish(Bool { data: false })?,
                OperatorAction::GoTo { place } => self.pubs.goal.publish(goal(place))?,
                OperatorAction::Dock => self.pubs.goal.publish(goal("dock"))?,
            }
            self.next += 1;
        }
        if let Some((until, t)) = self.teleop {
            if now < until {
                self.pubs.teleop.publish(t)?;
            } else {
                self.pubs.teleop.publish(Twist::default())?;
                self.teleop = None;
            }
        }
        Ok(())
    }
}

/// Waits (in wall time, at most `wait_timeout_s`) until the robot's topics named in `wait_for`
/// have a publisher, keeping the e-stop box alive meanwhile. False if `shutdown` came first.
#[allow(clippy::disallowed_methods)] // waits for the robot's topics in wall time
async fn wait_for_robot(
    node: &letan_transport::Node,
    params: &SimParams,
    pubs: &Pubs,
    shutdown: &mut (impl Future<Output = ()> + Unpin),
) -> Result<bool, NodesError> {
    let waited = std::time::Instant::now();
    let mut missing: Vec<&String> = params.wait_for.iter().collect();
    while !missing.is_empty() {
        missing.retain(|t| node.publisher_count(t).map_or(true, |n| n == 0));
        if missing.is_empty() {
            break;
        }
        if waited.elapsed().as_secs_f64() > params.wait_timeout_s {
            tracing::warn!(topics = ?missing, "starting without these robot topics (no publisher yet)");
            break;
        }
        // Keep the e-stop box alive while waiting, or the mux latches "heartbeat lost".
        if params.estop_heartbeat {
            pubs.estop.publish(Bool { data: false })?;
        }
        tokio::select! {
            _ = &mut *shutdown => return Ok(false),
            _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {}
        }
    }
    Ok(true)
}

/// Run a scenario to its end (or `shutdown`) and return its report.
#[allow(clippy::disallowed_methods)] // the simulator paces sim time against the wall (`speed`)
pub async fn run_scenario(
    ctx: Context,
    args: NodeArgs,
    overrides: SimOverrides,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<Report, NodesError> {
    let (node, mut params) = start::<SimParams>(&ctx, &args, "sim", SimParams::check)?;
    if let Some(s) = &overrides.scenario {
        params.scenario = s.display().to_string();
    }
    if let Some(s) = overrides.speed {
        params.speed = s;
    }
    if let Some(c) = overrides.camera {
        params.camera = c;
    }
    params.check().map_err(|e| NodesError::node(&node, e))?;
    let (scenario, mut world) = load_world(&node, &params, &overrides)?;
    let seed_used = world.config().seed;

    let pubs = Pubs {
        clock: node.publisher("/clock", Qos::clock())?,
        odom: node.publisher("/odom", Qos::sensor_data())?,
        tf: node.publisher("/tf", Qos::commands().with_depth(100))?,
        scan: node.publisher("/scan", Qos::sensor_data())?,
        camera: if params.camera {
            Some((
                node.publisher("/camera/image_raw", Qos::sensor_data().with_depth(2))?,
                node.publisher("/camera/camera_info", Qos::sensor_data())?,
            ))
        } else {
            None
        },
        transcript: node.publisher("/speech/transcript", Qos::commands())?,
        estop: node.publisher("/estop", Qos::commands())?,
        robot_truth: node.publisher("/sim/ground_truth/robot", Qos::sensor_data())?,
        people_truth: node.publisher("/sim/ground_truth/people", Qos::sensor_data())?,
        events: node.publisher("/sim/events", Qos::commands().with_depth(100))?,
    };
    // Kept alive for the whole run: transient local serves late joiners from the live writer.
    let tf_static = node.publisher::<TFMessage>("/tf_static", Qos::latched())?;
    tf_static.publish(tf_msg(&world.static_transforms()))?;
    let cmd = node.subscribe::<Twist>("/cmd_vel", Qos::commands())?;
    let mut robot = RobotWatch::new(&node)?;
    let mut operator = ScriptedOperator::new(&node, &scenario)?;
    // Decides expectations as the run goes, for the story; reads the world, changes nothing.
    let mut judge = Judge::new(&scenario);

    tokio::pin!(shutdown);
    let waited = std::time::Instant::now();
    let mut running = wait_for_robot(&node, &params, &pubs, &mut shutdown).await?;
    // Lockstep: the nodes finish starting up (routers trained, maps loaded), then every step waits
    // for them (see `letan_transport::lockstep`).
    let lockstep = ctx.lockstep().cloned();
    if let (Some(l), true) = (&lockstep, running) {
        let settled = tokio::select! {
            _ = &mut shutdown => None,
            s = l.settle(letan_transport::secs_to_duration(params.wait_timeout_s.max(params.settle_timeout_s))) => Some(s),
        };
        match settled {
            Some(Err(e)) => {
                return Err(NodesError::node(
                    &node,
                    format!("before the first step: {e}"),
                ))
            }
            Some(Ok(_)) => l.start(),
            None => running = false,
        }
    }
    tracing::info!(waited_s = waited.elapsed().as_secs_f64(), scenario = %scenario.name, seed = seed_used, speed = params.speed, lockstep = lockstep.is_some(), "simulation starts");
    let wall_start = std::time::Instant::now();
    let mut heartbeat_at = 0.0;
    while running && world.time() < scenario.duration {
        let mut inputs = Inputs::default();
        if let Some(t) = cmd.latest() {
            inputs.cmd_vel = Some((t.linear.x, t.angular.z));
        }
        robot.actions(&node, &mut inputs.actions)?;
        operator.step(world.time())?;
        let out = world.step(params.step_s, &inputs);
        let beat = params.estop_heartbeat && out.clock >= heartbeat_at;
        if beat {
            heartbeat_at = out.clock + 0.1;
        }
        pubs.publish(&out, beat)?;
        for d in judge.step(
            &scenario,
            world.time(),
            world.log(),
            world.metrics(),
            world.places(),
        ) {
            if let Ok(json) = serde_json::to_string(&d) {
                pubs.events.publish(StringMsg { data: json })?;
            }
        }
        // Lockstep: the next step waits until every node is done with this one.
        if let Some(l) = &lockstep {
            let settled = tokio::select! {
                _ = &mut shutdown => break,
                s = l.settle(letan_transport::secs_to_duration(params.settle_timeout_s)) => s,
            };
            if let Err(e) = settled {
                l.stop();
                return Err(NodesError::node(
                    &node,
                    format!("at sim time {:.2} s: {e}", world.time()),
                ));
            }
        }
        // Pace: sim time runs `speed` times faster than the wall; the other nodes follow /clock.
        let wait = pace_wait(
            wall_start,
            std::time::Instant::now(),
            world.time(),
            params.speed,
        );
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    if let Some(l) = &lockstep {
        l.stop();
    }
    let wall = wall_start.elapsed().as_secs_f64();
    let r = report(
        &scenario,
        seed_used,
        world.log(),
        world.metrics(),
        world.places(),
        wall,
    );
    tracing::info!(
        passed = r.passed,
        sim_time = r.sim_time,
        rtf = r.real_time_factor,
        "simulation ended"
    );
    Ok(r)
}

/// `letan run sim`: run the configured scenario once.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let r = run_scenario(ctx, args, SimOverrides::default(), shutdown).await?;
    if r.passed {
        Ok(())
    } else {
        Err(NodesError::Node {
            node: "sim".into(),
            detail: format!("scenario {} failed", r.scenario),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    #[allow(clippy::disallowed_methods)] // a test of wall-clock pacing
    fn pacing_never_panics_and_keeps_the_asked_pace() {
        let start = Instant::now();
        // 10 s of sim time at 2× is due 5 s after the start.
        let w = pace_wait(start, start, 10.0, 2.0);
        assert_eq!(w, Duration::from_secs(5));
        // Already late: no wait.
        assert_eq!(
            pace_wait(start, start + Duration::from_secs(9), 10.0, 2.0),
            Duration::ZERO
        );
        // As fast as possible.
        assert_eq!(pace_wait(start, start, 10.0, 0.0), Duration::ZERO);
        // A tiny positive speed (sim_time / speed overflows Duration) waits a bounded time.
        assert_eq!(
            pace_wait(start, start, 0.05, 1e-300),
            Duration::from_secs(3600)
        );
        assert_eq!(pace_wait(start, start, 0.05, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn the_same_answer_said_again_is_a_new_answer_and_a_republished_state_is_not() {
        let state = |answers: u32| DialogState {
            last_answer: "Do you mean printing and copying or directions?".into(),
            intent: "amenity.printing".into(),
            language: "en".into(),
            answers,
            ..DialogState::default()
        };
        let mut w = ActionWatcher::default();
        let said = |w: &mut ActionWatcher, d: &DialogState| {
            let mut out = Vec::new();
            w.dialog(d, &mut out);
            out.iter()
                .filter(|a| matches!(a, RobotAction::Said { .. }))
                .count()
        };
        assert_eq!(said(&mut w, &DialogState::default()), 0);
        assert_eq!(said(&mut w, &state(1)), 1);
        // The 1 Hz republish of the same state.
        assert_eq!(said(&mut w, &state(1)), 0);
        // Two visitors asking the same thing get the same words: two answers.
        assert_eq!(said(&mut w, &state(2)), 1);
    }

    #[test]
    fn speed_is_zero_or_at_least_the_minimum() {
        let ok = |speed: f64| {
            SimParams {
                speed,
                ..SimParams::default()
            }
            .check()
        };
        assert!(ok(0.0).is_ok());
        assert!(ok(MIN_SPEED).is_ok());
        assert!(ok(40.0).is_ok());
        for bad in [1e-300, 0.001, -1.0, f64::INFINITY, f64::NAN] {
            let e = ok(bad).unwrap_err();
            assert!(e.contains("speed"), "{bad}: {e}");
        }
    }

    /// Before the fix, `--speed 1e-300` passed the check and the first pacing step panicked in
    /// `Duration::from_secs_f64` (overflow); now the run is refused with the key named.
    #[tokio::test]
    async fn a_tiny_positive_speed_is_a_clear_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sim.yaml");
        std::fs::write(
            &f,
            "sim:\n  ros__parameters:\n    camera: false\n    wait_for: []\n",
        )
        .unwrap();
        let args = NodeArgs {
            params_files: vec![f],
            ..NodeArgs::default()
        };
        let overrides = SimOverrides {
            speed: Some(1e-300),
            camera: Some(false),
            ..SimOverrides::default()
        };
        let run = run_scenario(
            Context::bus(),
            args,
            overrides,
            tokio::time::sleep(Duration::from_secs(20)),
        );
        let e = run.await.unwrap_err();
        assert!(e.to_string().contains("speed"), "{e}");
    }
}
