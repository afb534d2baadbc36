//! The navigation node: `letan-nav`'s localization, people tracker and navigator on the robot's topics.
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/odom` | nav_msgs/Odometry (odom → base_link) |
//! | in | `/scan` | sensor_msgs/LaserScan |
//! | in | `/tf_static` | tf2_msgs/TFMessage (base_link → the scan's frame replaces `robot.laser_*`) |
//! | in | `/initialpose` | geometry_msgs/PoseWithCovarianceStamped (RViz "2D Pose Estimate") |
//! | in | `/nav/goal` | letan_interfaces/NavGoalPlace (a place id; `person_id` set = guide mode; `""` = cancel) |
//! | in | `/goal_pose` | geometry_msgs/PoseStamped (RViz "2D Goal Pose", map frame) |
//! | in | `/mux/status` | letan_interfaces/MuxStatus (teleop takes over → the goal is cancelled; e-stop → paused) |
//! | out | `cmd_vel` (remapped to `/cmd_vel_nav` by the launch files) | geometry_msgs/Twist |
//! | out | `/map` (transient local) | nav_msgs/OccupancyGrid |
//! | out | `/plan` | nav_msgs/Path (map frame) |
//! | out | `/tf` | map → odom (tf2_msgs/TFMessage), from the particle filter |
//! | out | `/nav/guide_status` | letan_interfaces/GuideStatus (on change, and at 2 Hz while a goal runs) |
//! | out | `/nav/people` | nav_msgs/Path: people tracked from the scan, one pose each (`frame_id` = `person/<id>`) |
//! | action | `/navigate_to_pose` | nav2_msgs/action/NavigateToPose (Jazzy): feedback at 2 Hz (distance remaining, ETA, recoveries); cancel; a new goal preempts (aborts) the old one; failures carry Nav2 error codes |
//!
//! The pose starts at `initial_place` (the dock) until `/initialpose` says otherwise. Velocity goes out
//! only while a goal runs, plus one zero when it ends, so the mux falls back to its other inputs.
use crate::common::{start, NodeArgs, NodesError};
use letan_map::{load_map, Keepout, OccupancyGrid as Grid, Places};
use letan_msgs::builtin_interfaces::{Duration, Time};
use letan_msgs::geometry_msgs::{
    Pose, PoseStamped, PoseWithCovarianceStamped, Quaternion, Transform, TransformStamped, Twist,
    Vector3,
};
use letan_msgs::letan_interfaces::{GuideStatus, MuxStatus, NavGoalPlace};
use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseFeedback, NavigateToPoseResult};
use letan_msgs::nav_msgs::{MapMetaData, OccupancyGrid, Odometry, Path};
use letan_msgs::sensor_msgs::LaserScan as ScanMsg;
use letan_msgs::std_msgs::Header;
use letan_msgs::tf2_msgs::TFMessage;
use letan_nav::localization::ParticleFilter;
use letan_nav::navigator::{Mode, NavErrorCode, NavFailure, NavInput, NavState, Navigator};
use letan_nav::params::{
    ControllerParams, CostmapParams, GoalParams, GuideParams, LocalizationParams, PlannerParams,
    RecoveryParams, RobotParams, TrackerParams,
};
use letan_nav::tracker::{detect_people, PersonTracker};
use letan_nav::types::compose;
use letan_nav::{LaserScan, NavParams, Person, Pose2D, Twist2D};
use letan_transport::action::{GoalId, GoalOutcome};
use letan_transport::{Context, Publisher, Qos, Rate};
use serde::Deserialize;
use std::future::Future;
use std::path::{Path as FsPath, PathBuf};

/// The status `place_id` of a goal sent through the NavigateToPose action.
pub const ACTION_GOAL: &str = "navigate_to_pose";

/// Most beams accepted in one scan (a bigger message is refused, not processed).
pub const MAX_BEAMS: usize = 20_000;

/// Farthest a laser mount from `/tf_static` may be from base_link (m).
pub const MAX_LASER_OFFSET_M: f64 = 2.0;

/// Map files, relative to the repository root (or absolute).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapFiles {
    pub map_yaml: String,
    pub keepout_yaml: String,
    pub places_yaml: String,
    /// Where relative paths start; empty = the repository found from the working directory
    /// (`LETAN_ROOT` if set).
    pub root: String,
}

impl Default for MapFiles {
    fn default() -> Self {
        Self {
            map_yaml: "maps/lobby.yaml".into(),
            keepout_yaml: "maps/keepout.yaml".into(),
            places_yaml: "maps/places.yaml".into(),
            root: String::new(),
        }
    }
}

/// Topic names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavTopics {
    pub odom: String,
    pub scan: String,
    pub tf: String,
    pub tf_static: String,
    pub initial_pose: String,
    pub goal_place: String,
    pub goal_pose: String,
    pub mux_status: String,
    pub cmd_vel: String,
    pub map: String,
    pub plan: String,
    pub guide_status: String,
    pub people: String,
    /// The `nav2_msgs/action/NavigateToPose` action server.
    pub navigate_to_pose: String,
}

impl Default for NavTopics {
    fn default() -> Self {
        Self {
            odom: "/odom".into(),
            scan: "/scan".into(),
            tf: "/tf".into(),
            tf_static: "/tf_static".into(),
            initial_pose: "/initialpose".into(),
            goal_place: "/nav/goal".into(),
            goal_pose: "/goal_pose".into(),
            mux_status: "/mux/status".into(),
            cmd_vel: "cmd_vel".into(),
            map: "/map".into(),
            plan: "/plan".into(),
            guide_status: "/nav/guide_status".into(),
            people: "/nav/people".into(),
            navigate_to_pose: "/navigate_to_pose".into(),
        }
    }
}

/// The navigation node's `ros__parameters`: the `letan-nav` sections plus the node's own keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NavNodeParams {
    pub robot: RobotParams,
    pub costmap: CostmapParams,
    pub planner: PlannerParams,
    pub controller: ControllerParams,
    pub goal: GoalParams,
    pub localization: LocalizationParams,
    pub recovery: RecoveryParams,
    pub guide: GuideParams,
    pub tracker: TrackerParams,
    pub node: NavNodeOptions,
}

/// Keys of the node itself (`node:` section).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavNodeOptions {
    pub maps: MapFiles,
    pub topics: NavTopics,
    pub map_frame: String,
    pub odom_frame: String,
    pub base_frame: String,
    /// Place whose pose is the initial pose (the dock); `""` = the map origin.
    pub initial_place: String,
    /// A goal that takes longer fails with `ERROR_TIMEOUT`.
    pub goal_timeout_s: f64,
    /// An operator driving (console or keyboard teleop active in the mux) cancels the goal.
    pub cancel_on_teleop: bool,
    /// map → odom is stamped this far ahead, as AMCL does, so that lookups at "now" succeed.
    pub transform_tolerance_s: f64,
    /// Scans older than this (s, node clock) are not used for control.
    pub scan_timeout_s: f64,
}

impl Default for NavNodeOptions {
    fn default() -> Self {
        Self {
            maps: MapFiles::default(),
            topics: NavTopics::default(),
            map_frame: "map".into(),
            odom_frame: "odom".into(),
            base_frame: "base_link".into(),
            initial_place: "dock".into(),
            goal_timeout_s: 300.0,
            cancel_on_teleop: true,
            transform_tolerance_s: 0.2,
            scan_timeout_s: 0.5,
        }
    }
}

impl NavNodeParams {
    /// The `letan-nav` parameters.
    pub fn nav(&self) -> NavParams {
        NavParams {
            robot: self.robot.clone(),
            costmap: self.costmap.clone(),
            planner: self.planner.clone(),
            controller: self.controller.clone(),
            goal: self.goal.clone(),
            localization: self.localization.clone(),
            recovery: self.recovery.clone(),
            guide: self.guide.clone(),
            tracker: self.tracker.clone(),
        }
    }

    /// Check every value once; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        self.nav().validate().map_err(|e| e.to_string())?;
        let n = &self.node;
        for (key, v) in [
            ("node.goal_timeout_s", n.goal_timeout_s),
            ("node.scan_timeout_s", n.scan_timeout_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("key `{key}` must be > 0, got {v}"));
            }
        }
        if !(n.transform_tolerance_s.is_finite() && (0.0..=5.0).contains(&n.transform_tolerance_s))
        {
            return Err(format!(
                "key `node.transform_tolerance_s` must be within [0, 5], got {}",
                n.transform_tolerance_s
            ));
        }
        for (key, v) in [
            ("node.map_frame", &n.map_frame),
            ("node.odom_frame", &n.odom_frame),
            ("node.base_frame", &n.base_frame),
            ("node.maps.map_yaml", &n.maps.map_yaml),
            ("node.maps.places_yaml", &n.maps.places_yaml),
        ] {
            if v.trim().is_empty() {
                return Err(format!("key `{key}` must not be empty"));
            }
        }
        Ok(())
    }
}

/// The lobby as navigation needs it.
pub struct NavMap {
    pub grid: Grid,
    pub keepout: Option<Keepout>,
    pub places: Places,
}

fn resolve(root: &FsPath, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() {
        p
    } else {
        root.join(p)
    }
}

/// The root that relative map paths start from.
pub fn map_root(files: &MapFiles) -> Result<PathBuf, String> {
    if !files.root.is_empty() {
        return Ok(PathBuf::from(&files.root));
    }
    if let Some(r) = std::env::var_os("LETAN_ROOT") {
        return Ok(PathBuf::from(r));
    }
    let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
    crate::sim::find_repo_root(&cwd).ok_or_else(|| {
        format!(
            "no maps/lobby.yaml above {}: set `node.maps.root` or LETAN_ROOT",
            cwd.display()
        )
    })
}

impl NavMap {
    /// Load the map, keep-out zones (optional: `""`) and places.
    pub fn load(files: &MapFiles) -> Result<NavMap, String> {
        let root = map_root(files)?;
        let map_path = resolve(&root, &files.map_yaml);
        let grid = load_map(&map_path)
            .map_err(|e| format!("map {}: {e}", map_path.display()))?
            .grid;
        let keepout = if files.keepout_yaml.trim().is_empty() {
            None
        } else {
            let p = resolve(&root, &files.keepout_yaml);
            Some(Keepout::load(&p).map_err(|e| format!("keep-out zones {}: {e}", p.display()))?)
        };
        let p = resolve(&root, &files.places_yaml);
        let places = Places::load(&p).map_err(|e| format!("places {}: {e}", p.display()))?;
        Ok(NavMap {
            grid,
            keepout,
            places,
        })
    }
}

fn stamp(t: f64) -> Time {
    Time::from_secs_f64(t.max(0.0))
}

fn quat(yaw: f64) -> Quaternion {
    Quaternion::from_yaw(yaw)
}

fn pose2d(p: &Pose) -> Pose2D {
    Pose2D::new(p.position.x, p.position.y, p.orientation.yaw())
}

/// The `/map` message of a grid.
pub fn map_msg(grid: &Grid, frame: &str, now: Time) -> OccupancyGrid {
    let o = grid.origin();
    OccupancyGrid {
        header: Header::new(now, frame),
        info: MapMetaData {
            map_load_time: now,
            resolution: grid.resolution() as f32,
            width: grid.width() as u32,
            height: grid.height() as u32,
            origin: Pose::from_xy_yaw(o.x, o.y, o.yaw),
        },
        data: grid.data().to_vec(),
    }
}

/// A `sensor_msgs/LaserScan` as `letan-nav` reads it, or why it is refused.
pub fn scan_from_msg(m: &ScanMsg) -> Result<LaserScan, String> {
    if m.ranges.is_empty() {
        return Err("no ranges".into());
    }
    if m.ranges.len() > MAX_BEAMS {
        return Err(format!("{} ranges (at most {MAX_BEAMS})", m.ranges.len()));
    }
    let (a0, da) = (f64::from(m.angle_min), f64::from(m.angle_increment));
    if !(a0.is_finite() && da.is_finite() && da != 0.0 && da.abs() < 1.0) {
        return Err(format!(
            "angle_min {a0} / angle_increment {da} are not usable"
        ));
    }
    let (rmin, rmax) = (f64::from(m.range_min), f64::from(m.range_max));
    if !(rmin.is_finite() && rmax.is_finite() && rmin >= 0.0 && rmax > rmin && rmax <= 100.0) {
        return Err(format!(
            "range_min {rmin} / range_max {rmax} are not usable"
        ));
    }
    Ok(LaserScan {
        angle_min: a0,
        angle_increment: da,
        range_min: rmin,
        range_max: rmax,
        ranges: m.ranges.clone(),
    })
}

/// The GuideStatus `state` (and error code) for a navigator state.
pub fn guide_state(state: &NavState) -> (&'static str, u16, String) {
    match state {
        NavState::Idle => (GuideStatus::STATE_IDLE, 0, String::new()),
        NavState::Following | NavState::Recovering(_) => {
            (GuideStatus::STATE_NAVIGATING, 0, String::new())
        }
        NavState::WaitingForPeople => (
            GuideStatus::STATE_WAITING,
            0,
            "waiting for people to pass".into(),
        ),
        NavState::WaitingForFollower => (
            GuideStatus::STATE_WAITING,
            0,
            "waiting for the guided person".into(),
        ),
        NavState::Succeeded => (GuideStatus::STATE_ARRIVED, 0, String::new()),
        NavState::Canceled => (GuideStatus::STATE_CANCELED, 0, String::new()),
        NavState::Failed(f) => (GuideStatus::STATE_FAILED, failure_code(f), failure_text(f)),
    }
}

fn failure_code(f: &NavFailure) -> u16 {
    match f.code {
        NavErrorCode::UnknownPlace => GuideStatus::ERROR_UNKNOWN_PLACE,
        NavErrorCode::FailedToMakeProgress | NavErrorCode::FollowerLost => {
            GuideStatus::ERROR_TIMEOUT
        }
        _ => GuideStatus::ERROR_NO_PATH,
    }
}

/// `"[208] no path …"`: the Nav2 result code first, for tools that parse it.
fn failure_text(f: &NavFailure) -> String {
    format!("[{}] {}", f.code.code(), f.message)
}

/// The goal being driven to.
#[derive(Debug, Clone, PartialEq)]
struct Goal {
    place: String,
    pose: Pose2D,
    mode: Mode,
    started: f64,
    length: f64,
    /// Held by the e-stop: not stepped, resumed (replanned) on release.
    paused: bool,
}

struct Outputs {
    cmd: Publisher<Twist>,
    plan: Publisher<Path>,
    tf: Publisher<TFMessage>,
    status: Publisher<GuideStatus>,
    people: Publisher<Path>,
}

/// Everything the node decides, without the transport: fed messages and the time, asked for outputs.
/// (The node loop owns one; tests drive it directly.)
pub struct NavCore {
    params: NavNodeParams,
    map: NavMap,
    nav: Navigator,
    pf: ParticleFilter,
    tracker: PersonTracker,
    laser: Pose2D,
    odom: Option<Pose2D>,
    velocity: Twist2D,
    scan: Option<(LaserScan, f64)>,
    scan_fresh: bool,
    people: Vec<Person>,
    goal: Option<Goal>,
    /// The last goal's place and how it ended.
    finished: Option<(String, NavState)>,
    /// A zero is still owed on `cmd_vel` (a goal just ended).
    owe_zero: bool,
    /// Distance remaining (m), ETA (s) and recoveries of the last cycle.
    progress: (f64, f64, u32),
}

/// One published status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    pub place: String,
    pub state: &'static str,
    pub progress: f32,
    pub error_code: u16,
    pub error_msg: String,
}

impl NavCore {
    pub fn new(params: NavNodeParams, map: NavMap, laser: Pose2D) -> Result<NavCore, String> {
        let mut nav_params = params.nav();
        nav_params.robot.laser_x = laser.x;
        nav_params.robot.laser_y = laser.y;
        nav_params.robot.laser_yaw = laser.yaw;
        let nav = Navigator::new(nav_params.clone(), &map.grid, map.keepout.as_ref())
            .map_err(|e| e.to_string())?;
        let range_max = params.costmap.raytrace_max_range.max(8.0);
        let mut pf =
            ParticleFilter::new(&map.grid, nav_params.localization.clone(), laser, range_max)
                .map_err(|e| e.to_string())?;
        let start = match params.node.initial_place.as_str() {
            "" => Pose2D::default(),
            "dock" => map
                .places
                .dock
                .or_else(|| map.places.get("dock").ok())
                .ok_or("the places file has no dock (key `node.initial_place`)")?,
            other => map
                .places
                .get(other)
                .map_err(|e| format!("key `node.initial_place`: {e}"))?,
        };
        pf.init_default(start).map_err(|e| e.to_string())?;
        let tracker = PersonTracker::new(params.tracker.clone());
        Ok(NavCore {
            params,
            map,
            nav,
            pf,
            tracker,
            laser,
            odom: None,
            velocity: Twist2D::ZERO,
            scan: None,
            scan_fresh: false,
            people: Vec::new(),
            goal: None,
            finished: None,
            owe_zero: false,
            progress: (0.0, 0.0, 0),
        })
    }

    /// The pose estimate (base_link in the map frame).
    pub fn pose(&self) -> Pose2D {
        self.pf.estimate()
    }

    /// Spread of the particle filter (m).
    pub fn spread(&self) -> f64 {
        self.pf.spread()
    }

    pub fn places(&self) -> &Places {
        &self.map.places
    }

    pub fn grid(&self) -> &Grid {
        &self.map.grid
    }

    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The running goal's place id (`"pose"` for a pose goal).
    pub fn goal_place(&self) -> Option<&str> {
        self.goal.as_ref().map(|g| g.place.as_str())
    }

    pub fn odometry(&mut self, m: &Odometry) {
        let p = pose2d(&m.pose.pose);
        if !(p.x.is_finite() && p.y.is_finite() && p.yaw.is_finite()) {
            return;
        }
        self.odom = Some(p);
        let (v, w) = (m.twist.twist.linear.x, m.twist.twist.angular.z);
        if v.is_finite() && w.is_finite() {
            self.velocity = Twist2D::new(v, w);
        }
        self.pf.predict(p);
    }

    /// A new scan at time `now`; a refused scan is reported and not used.
    pub fn scan(&mut self, m: &ScanMsg, now: f64) -> Result<(), String> {
        let scan = scan_from_msg(m)?;
        if self.odom.is_some() {
            self.pf.update(&scan);
        }
        let sensor = compose(&self.pf.estimate(), &self.laser);
        let points = scan.points_in(&sensor);
        let cm = self.nav.costmap();
        let detections = detect_people(&points, &self.params.tracker, |x, y| {
            cm.static_obstacle_distance(x, y)
        });
        self.people = self.tracker.update(&detections, now);
        self.scan = Some((scan, now));
        self.scan_fresh = true;
        Ok(())
    }

    /// `/initialpose`: restart localization around this pose (σ from the covariance).
    pub fn initial_pose(&mut self, m: &PoseWithCovarianceStamped) -> Result<(), String> {
        let p = pose2d(&m.pose.pose);
        // Off the map the robot could go nowhere (every goal would fail): keep the current pose.
        if self.map.grid.world_to_cell(p.x, p.y).is_none() {
            return Err(format!("({:.2}, {:.2}) is not on the map", p.x, p.y));
        }
        let c = &m.pose.covariance;
        let pick = |v: f64, default: f64, max: f64| {
            if v.is_finite() && v > 0.0 {
                v.sqrt().min(max)
            } else {
                default
            }
        };
        let l = &self.params.localization;
        let sxy = pick(c[0].max(c[7]), l.initial_sigma_xy, 3.0);
        let syaw = pick(c[35], l.initial_sigma_yaw, std::f64::consts::PI);
        self.pf.init(p, sxy, syaw).map_err(|e| e.to_string())
    }

    fn finish(&mut self, state: NavState) {
        if let Some(g) = self.goal.take() {
            tracing::info!(place = %g.place, ?state, "goal ended");
            self.finished = Some((g.place, state));
        }
        self.owe_zero = true;
    }

    fn start_goal(
        &mut self,
        place: String,
        pose: Pose2D,
        mode: Mode,
        now: f64,
    ) -> Result<(), NavFailure> {
        if self.goal.is_some() {
            self.finish(NavState::Canceled);
        }
        match self.nav.set_goal(pose, mode, self.pf.estimate(), now) {
            Ok(_) => {
                let length = self.nav.path().length();
                self.progress = (length, 0.0, 0);
                self.goal = Some(Goal {
                    place,
                    pose,
                    mode,
                    started: now,
                    length: length.max(1e-3),
                    paused: false,
                });
                self.finished = None;
                Ok(())
            }
            Err(f) => {
                self.finished = Some((place, NavState::Failed(f.clone())));
                Err(f)
            }
        }
    }

    /// `/nav/goal`: go to a place (guide mode when `person_id` is set); `""` cancels.
    pub fn goal_place_msg(&mut self, m: &NavGoalPlace, now: f64) -> Result<(), NavFailure> {
        let id = m.place_id.trim();
        if id.is_empty() {
            self.cancel();
            return Ok(());
        }
        let mode = if m.person_id.is_empty() {
            Mode::Normal
        } else {
            Mode::Guide { follower: None }
        };
        let pose = match id {
            "dock" => self
                .map
                .places
                .dock
                .or_else(|| self.map.places.get("dock").ok()),
            _ => self.map.places.get(id).ok(),
        };
        match pose {
            Some(p) => self.start_goal(id.to_string(), p, mode, now),
            None => {
                if self.goal.is_some() {
                    self.nav.cancel();
                    self.finish(NavState::Canceled);
                }
                let f = NavFailure {
                    code: NavErrorCode::UnknownPlace,
                    message: format!(
                        "unknown place {:?}",
                        id.chars().take(64).collect::<String>()
                    ),
                };
                self.finished = Some((id.chars().take(64).collect(), NavState::Failed(f.clone())));
                Err(f)
            }
        }
    }

    /// A pose goal in the map frame; `label` names it in the status (`pose` for `/goal_pose`,
    /// [`ACTION_GOAL`] for the NavigateToPose action).
    pub fn goal_pose(&mut self, label: &str, pose: Pose2D, now: f64) -> Result<(), NavFailure> {
        self.start_goal(label.into(), pose, Mode::Normal, now)
    }

    pub fn cancel(&mut self) {
        if self.goal.is_some() {
            self.nav.cancel();
            self.finish(NavState::Canceled);
        }
    }

    /// `/mux/status`: teleop takes over → cancel; e-stop → pause, release → resume.
    pub fn mux_status(&mut self, m: &MuxStatus, now: f64) {
        let Some(g) = self.goal.clone() else { return };
        let teleop = matches!(
            m.active_input.as_str(),
            "console_teleop" | "keyboard_teleop"
        );
        if teleop && self.params.node.cancel_on_teleop {
            tracing::info!(input = %m.active_input, "an operator took over: goal cancelled");
            self.cancel();
        } else if m.estop_engaged && !g.paused {
            tracing::info!("e-stop: navigation paused");
            if let Some(g) = self.goal.as_mut() {
                g.paused = true;
            }
        } else if !m.estop_engaged && g.paused {
            tracing::info!("e-stop released: navigation resumes");
            if self.start_goal(g.place, g.pose, g.mode, now).is_ok() {
                if let Some(n) = self.goal.as_mut() {
                    n.started = g.started;
                    n.length = g.length;
                }
            }
        }
    }

    /// One control cycle at `now`: the velocity to send (if any) and whether a new plan was made.
    pub fn step(&mut self, now: f64) -> (Option<Twist2D>, bool) {
        let Some(goal) = self.goal.clone() else {
            let zero = std::mem::take(&mut self.owe_zero);
            return (zero.then_some(Twist2D::ZERO), false);
        };
        if goal.paused {
            return (Some(Twist2D::ZERO), false);
        }
        if now - goal.started > self.params.node.goal_timeout_s {
            self.nav.cancel();
            self.finish(NavState::Failed(NavFailure {
                code: NavErrorCode::FailedToMakeProgress,
                message: format!("no arrival within {} s", self.params.node.goal_timeout_s),
            }));
            self.owe_zero = false;
            return (Some(Twist2D::ZERO), false);
        }
        let recent = self
            .scan
            .as_ref()
            .filter(|(_, t)| now - t <= self.params.node.scan_timeout_s)
            .map(|(s, _)| s);
        let out = self.nav.step(&NavInput {
            now,
            pose: self.pf.estimate(),
            velocity: self.velocity,
            scan: if self.scan_fresh { recent } else { None },
            people: &self.people,
        });
        self.scan_fresh = false;
        self.progress = (out.distance_remaining, out.eta, out.recoveries);
        if !out.state.is_active() {
            self.finish(out.state);
            self.owe_zero = false;
            return (Some(Twist2D::ZERO), out.new_path);
        }
        // Without a recent scan the robot may turn in place but never drive blind.
        let cmd = if recent.is_none() {
            Twist2D::new(0.0, out.cmd.angular)
        } else {
            out.cmd
        };
        (Some(cmd), out.new_path)
    }

    /// The status of the running (or last) goal.
    pub fn status(&self) -> StatusUpdate {
        let (place, state, progress, paused) = match (&self.goal, &self.finished) {
            (Some(g), _) => {
                let remaining = self.nav.path().length();
                let p = (1.0 - remaining / g.length).clamp(0.0, 1.0) as f32;
                (g.place.clone(), self.nav.state().clone(), p, g.paused)
            }
            (None, Some((place, st))) => {
                let p = if *st == NavState::Succeeded { 1.0 } else { 0.0 };
                (place.clone(), st.clone(), p, false)
            }
            (None, None) => (String::new(), NavState::Idle, 0.0, false),
        };
        let (name, code, msg) = if paused {
            (
                GuideStatus::STATE_WAITING,
                0,
                "paused by the emergency stop".to_string(),
            )
        } else {
            guide_state(&state)
        };
        StatusUpdate {
            place,
            state: name,
            progress,
            error_code: code,
            error_msg: msg,
        }
    }

    /// How the last goal ended (its place id and final state), once it has.
    pub fn finished(&self) -> Option<(&str, &NavState)> {
        self.finished.as_ref().map(|(p, s)| (p.as_str(), s))
    }

    /// Distance remaining (m), estimated time to arrival (s) and recoveries so far, as of the last
    /// cycle of the running goal.
    pub fn progress(&self) -> (f64, f64, u32) {
        self.progress
    }

    /// map → odom (once odometry has arrived).
    pub fn map_to_odom(&self) -> Option<Pose2D> {
        self.odom.map(|o| self.pf.map_to_odom(&o))
    }

    pub fn path(&self) -> &letan_nav::planner::Path {
        self.nav.path()
    }
}

fn nav_result(error_code: u16, error_msg: &str) -> NavigateToPoseResult {
    NavigateToPoseResult {
        error_code,
        error_msg: error_msg.to_string(),
    }
}

fn path_msg(poses: &[Pose2D], frame: &str, now: Time) -> Path {
    Path {
        header: Header::new(now, frame),
        poses: poses
            .iter()
            .map(|p| PoseStamped {
                header: Header::new(now, frame),
                pose: Pose::from_xy_yaw(p.x, p.y, p.yaw),
            })
            .collect(),
    }
}

fn people_msg(people: &[Person], frame: &str, now: Time) -> Path {
    Path {
        header: Header::new(now, frame),
        poses: people
            .iter()
            .map(|p| PoseStamped {
                header: Header::new(now, format!("person/{}", p.id)),
                pose: Pose::from_xy_yaw(p.x, p.y, p.vy.atan2(p.vx)),
            })
            .collect(),
    }
}

/// The laser's pose in base_link from `/tf_static`, if it names `frame`.
fn laser_from_tf(tf: &TFMessage, base: &str, frame: &str) -> Option<Pose2D> {
    tf.transforms
        .iter()
        .find(|t| t.header.frame_id == base && t.child_frame_id == frame)
        .map(|t| {
            let q = &t.transform.rotation;
            let yaw = Quaternion {
                x: q.x,
                y: q.y,
                z: q.z,
                w: q.w,
            }
            .yaw();
            Pose2D::new(t.transform.translation.x, t.transform.translation.y, yaw)
        })
        .filter(|p| {
            // A laser is mounted on the robot: a mount metres away would misplace every beam.
            let ok = p.x.is_finite()
                && p.y.is_finite()
                && p.yaw.is_finite()
                && p.x.hypot(p.y) <= MAX_LASER_OFFSET_M;
            if !ok {
                tracing::warn!(x = p.x, y = p.y, yaw = p.yaw, "laser mount in /tf_static refused (not finite, or more than {MAX_LASER_OFFSET_M} m from {base}): the configured one is used");
            }
            ok
        })
}

/// Run the navigation node until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<NavNodeParams>(&ctx, &args, "navigation", |p| p.validate())?;
    let map = NavMap::load(&params.node.maps).map_err(|e| NodesError::node(&node, e))?;
    let t = params.node.topics.clone();
    let (mf, of, bf) = (
        params.node.map_frame.clone(),
        params.node.odom_frame.clone(),
        params.node.base_frame.clone(),
    );
    let clock = node.clock();

    let map_pub = node.publisher::<OccupancyGrid>(&t.map, Qos::latched())?;
    map_pub.publish(map_msg(&map.grid, &mf, clock.now()))?;
    let outs = Outputs {
        cmd: node.publisher(&t.cmd_vel, Qos::commands())?,
        plan: node.publisher(&t.plan, Qos::commands())?,
        tf: node.publisher(&t.tf, Qos::commands().with_depth(100))?,
        status: node.publisher(&t.guide_status, Qos::commands().with_depth(20))?,
        people: node.publisher(&t.people, Qos::sensor_data())?,
    };
    let odom = node.subscribe::<Odometry>(&t.odom, Qos::sensor_data())?;
    let scans = node.subscribe::<ScanMsg>(&t.scan, Qos::sensor_data())?;
    let tf_static = node.subscribe::<TFMessage>(&t.tf_static, Qos::latched())?;
    let initial = node.subscribe::<PoseWithCovarianceStamped>(&t.initial_pose, Qos::commands())?;
    let goals = node.subscribe::<NavGoalPlace>(&t.goal_place, Qos::commands())?;
    let goal_poses = node.subscribe::<PoseStamped>(&t.goal_pose, Qos::commands())?;
    let mux = node.subscribe::<MuxStatus>(&t.mux_status, Qos::commands())?;

    // The laser mount: /tf_static when it comes within a moment (late joiners get it latched).
    let configured = Pose2D::new(
        params.robot.laser_x,
        params.robot.laser_y,
        params.robot.laser_yaw,
    );
    let mut laser = configured;
    let first_scan = tokio::time::timeout(std::time::Duration::from_secs(3), scans.recv()).await;
    let frame = match &first_scan {
        Ok(Some(s)) => s.header.frame_id.clone(),
        _ => "laser".to_string(),
    };
    while let Some(tf) = tf_static.try_recv() {
        if let Some(p) = laser_from_tf(&tf, &bf, &frame) {
            laser = p;
        }
    }
    tracing::info!(frame = %frame, x = laser.x, y = laser.y, yaw = laser.yaw, from_tf = laser != configured, "laser mount");
    let mut core =
        NavCore::new(params.clone(), map, laser).map_err(|e| NodesError::node(&node, e))?;
    if let Ok(Some(s)) = first_scan {
        if let Err(e) = core.scan(&s, clock.seconds()) {
            tracing::warn!(error = %e, "scan refused");
        }
    }

    // Nav2's action, so that ROS 2 tools (RViz's Nav2 panel, `ros2 action send_goal`) can send goals.
    let action = node.action_server::<NavigateToPose>(&t.navigate_to_pose)?;
    let mut action_goal: Option<(GoalId, f64)> = None;
    let mut feedback_at = f64::NEG_INFINITY;
    let mut rate = Rate::new(clock.clone(), params.controller.rate_hz);
    let mut last_status: Option<StatusUpdate> = None;
    let mut status_at = f64::NEG_INFINITY;
    let mut refused_scans = 0u64;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = rate.tick() => {}
            Some(req) = action.recv_goal() => {
                let now = clock.seconds();
                let goal = req.goal().clone();
                if let Some(old) = action_goal.take() {
                    action.finish(old.0, GoalOutcome::Aborted, nav_result(NavigateToPoseResult::UNKNOWN, "preempted by a new goal"))?;
                }
                let frame_ok = goal.pose.header.frame_id.is_empty() || goal.pose.header.frame_id == mf;
                let pose = pose2d(&goal.pose.pose);
                if !(frame_ok && pose.x.is_finite() && pose.y.is_finite() && pose.yaw.is_finite()) {
                    tracing::warn!(frame = %goal.pose.header.frame_id, "NavigateToPose goal rejected: not a finite pose in the {mf} frame");
                    req.reject()?;
                    continue;
                }
                let id = req.goal_id();
                req.accept()?;
                match core.goal_pose(ACTION_GOAL, pose, now) {
                    Ok(()) => {
                        tracing::info!(x = pose.x, y = pose.y, "NavigateToPose goal accepted");
                        action_goal = Some((id, now));
                    }
                    Err(f) => {
                        tracing::warn!(code = f.code.code(), error = %f.message, "NavigateToPose goal failed at once");
                        action.finish(id, GoalOutcome::Aborted, nav_result(f.code.code(), &f.message))?;
                    }
                }
                continue;
            }
            Some(cancel) = action.recv_cancel() => {
                for id in cancel.accept_all()? {
                    if action_goal.is_some_and(|(g, _)| g == id) {
                        core.cancel();
                        action_goal = None;
                    }
                    action.finish(id, GoalOutcome::Canceled, nav_result(NavigateToPoseResult::NONE, "canceled"))?;
                }
                continue;
            }
        }
        let now = clock.seconds();
        while let Some(o) = odom.try_recv() {
            core.odometry(&o);
        }
        let mut scanned = false;
        if let Some(s) = scans.latest() {
            scanned = true;
            if let Err(e) = core.scan(&s, now) {
                refused_scans += 1;
                if refused_scans.is_power_of_two() {
                    tracing::warn!(error = %e, refused = refused_scans, "scan refused");
                }
            }
        }
        while let Some(p) = initial.try_recv() {
            match core.initial_pose(&p) {
                Ok(()) => tracing::info!(
                    x = p.pose.pose.position.x,
                    y = p.pose.pose.position.y,
                    "localization restarted at /initialpose"
                ),
                Err(e) => tracing::warn!(error = %e, "initial pose refused"),
            }
        }
        while let Some(g) = goals.try_recv() {
            match core.goal_place_msg(&g, now) {
                Ok(()) if g.place_id.is_empty() => tracing::info!("goal cancelled"),
                Ok(()) => {
                    tracing::info!(place = %g.place_id, guide = !g.person_id.is_empty(), "goal accepted")
                }
                Err(f) => {
                    tracing::warn!(place = ?g.place_id, code = f.code.code(), error = %f.message, "goal rejected")
                }
            }
        }
        while let Some(g) = goal_poses.try_recv() {
            if !g.header.frame_id.is_empty() && g.header.frame_id != mf {
                tracing::warn!(frame = %g.header.frame_id, "goal pose refused: not in the {mf} frame");
                continue;
            }
            if let Err(f) = core.goal_pose("pose", pose2d(&g.pose), now) {
                tracing::warn!(code = f.code.code(), error = %f.message, "goal pose rejected");
            }
        }
        while let Some(m) = mux.try_recv() {
            core.mux_status(&m, now);
        }
        let (cmd, new_path) = core.step(now);
        if let Some(c) = cmd {
            outs.cmd.publish(Twist::planar(c.linear, c.angular))?;
        }
        let stamp_now = stamp(now);
        if new_path {
            outs.plan
                .publish(path_msg(&core.path().poses, &mf, stamp_now))?;
        }
        if let Some(m2o) = core.map_to_odom() {
            outs.tf.publish(TFMessage {
                transforms: vec![TransformStamped {
                    header: Header::new(stamp(now + params.node.transform_tolerance_s), mf.clone()),
                    child_frame_id: of.clone(),
                    transform: Transform {
                        translation: Vector3 {
                            x: m2o.x,
                            y: m2o.y,
                            z: 0.0,
                        },
                        rotation: quat(m2o.yaw),
                    },
                }],
            })?;
        }
        if scanned {
            outs.people
                .publish(people_msg(core.people(), &mf, stamp_now))?;
        }
        let status = core.status();
        let changed = last_status.as_ref() != Some(&status);
        let running = core.goal_place().is_some();
        if changed || (running && now - status_at >= 0.5) {
            let new_state = last_status.as_ref().is_none_or(|l| {
                (l.state, &l.place, &l.error_msg)
                    != (status.state, &status.place, &status.error_msg)
            });
            if new_state {
                tracing::info!(place = %status.place, state = status.state, error = %status.error_msg, "guide status");
            }
            outs.status.publish(GuideStatus {
                header: Header::new(stamp_now, mf.clone()),
                place_id: status.place.clone(),
                state: status.state.to_string(),
                progress: status.progress,
                error_code: status.error_code,
                error_msg: status.error_msg.clone(),
            })?;
            status_at = now;
            last_status = Some(status);
        }
        if let Some((id, started)) = action_goal {
            if core.goal_place() == Some(ACTION_GOAL) {
                if now - feedback_at >= 0.5 {
                    feedback_at = now;
                    let (remaining, eta, recoveries) = core.progress();
                    let p = core.pose();
                    action.publish_feedback(
                        id,
                        NavigateToPoseFeedback {
                            current_pose: PoseStamped {
                                header: Header::new(stamp(now), mf.clone()),
                                pose: Pose::from_xy_yaw(p.x, p.y, p.yaw),
                            },
                            navigation_time: Duration::from_secs_f64((now - started).max(0.0)),
                            estimated_time_remaining: Duration::from_secs_f64(eta.max(0.0)),
                            number_of_recoveries: recoveries.min(i16::MAX as u32) as i16,
                            distance_remaining: remaining as f32,
                        },
                    )?;
                }
            } else {
                // Ended, or replaced by a goal from /nav/goal or /goal_pose, or cancelled by teleop.
                let (outcome, result) = match core.finished() {
                    Some((ACTION_GOAL, NavState::Succeeded)) => (
                        GoalOutcome::Succeeded,
                        nav_result(NavigateToPoseResult::NONE, ""),
                    ),
                    Some((ACTION_GOAL, NavState::Failed(f))) => {
                        (GoalOutcome::Aborted, nav_result(f.code.code(), &f.message))
                    }
                    Some((ACTION_GOAL, NavState::Canceled)) => (
                        GoalOutcome::Aborted,
                        nav_result(
                            NavigateToPoseResult::UNKNOWN,
                            "canceled: an operator took over or the goal was cancelled",
                        ),
                    ),
                    _ => (
                        GoalOutcome::Aborted,
                        nav_result(NavigateToPoseResult::UNKNOWN, "preempted by another goal"),
                    ),
                };
                tracing::info!(?outcome, error = %result.error_msg, "NavigateToPose goal ended");
                action.finish(id, outcome, result)?;
                action_goal = None;
            }
        }
    }
    outs.cmd.publish(Twist::default())?;
    Ok(())
}
