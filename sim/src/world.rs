//! The simulated world and its step function: `World::step(dt, inputs) -> Outputs`.
//! Pure and deterministic: the caller injects time (dt) and the seed; same seed, same run.

use crate::camera::{self, CameraConfig, CameraFrame, FaceBank};
use crate::error::SimError;
use crate::geom::{pose, wrap_angle, yaw_to_quaternion};
use crate::grid::Grid;
use crate::lidar::{self, Circle, LidarConfig, PeopleShape, StampedScan};
use crate::navfield::NavField;
use crate::people::{self, Activity, Context, Person, PersonEvent, RobotView, SocialForceConfig};
use crate::rng::SimRng;
use crate::robot::{DiffDrive, DiffDriveConfig, OdometryNoise};
use letan_core::Pose2D;
use nalgebra::Vector2;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Named places (map frame), e.g. from `maps/places.yaml`.
pub type Places = BTreeMap<String, Pose2D>;

/// A sensor that a scenario can silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensor {
    /// `/scan`.
    Lidar,
    /// `/camera/image_raw` and `/camera/camera_info`.
    Camera,
}

impl Sensor {
    pub fn name(self) -> &'static str {
        match self {
            Sensor::Lidar => "lidar",
            Sensor::Camera => "camera",
        }
    }
}

/// A sensor fault: from `at` for `duration` seconds of sim time the sensor publishes nothing
/// (a cable pulled, a driver hung). Scenario YAML: `{ at: 40, sensor: lidar, for: 6 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorFault {
    /// When the sensor goes silent (s); with `when_driving`, the earliest time it may.
    pub at: f64,
    pub sensor: Sensor,
    #[serde(rename = "for")]
    pub duration: f64,
    /// Start at the first step at or after `at` when the robot drives (at least
    /// [`FAULT_DRIVING_SPEED`]): a fault meant to catch the robot moving does, whatever the
    /// exact timing of the run before it.
    #[serde(default)]
    pub when_driving: bool,
}

/// The true speed (m/s) at which a `when_driving` fault may start.
pub const FAULT_DRIVING_SPEED: f64 = 0.2;

impl SensorFault {
    /// When the sensor publishes again, for a fault that starts at `at` (the latest start a
    /// scenario can check before the run; a `when_driving` fault may start later).
    pub fn end(&self) -> f64 {
        self.at + self.duration
    }
}

/// Microphone model: who can be heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MicConfig {
    /// Max speaker distance (m).
    pub range: f64,
    /// The speaker must face the robot within this angle (rad).
    pub facing_angle: f64,
}

impl Default for MicConfig {
    fn default() -> Self {
        Self {
            range: 2.0,
            facing_angle: 45f64.to_radians(),
        }
    }
}

/// Everything configurable about a world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldConfig {
    pub seed: u64,
    /// Largest internal physics step (s); `step(dt)` subdivides longer steps.
    pub max_substep: f64,
    pub robot: DiffDriveConfig,
    pub odometry: OdometryNoise,
    pub lidar: LidarConfig,
    pub camera: CameraConfig,
    pub people: SocialForceConfig,
    pub mic: MicConfig,
    /// HuNavSim-style proxemics radii (m) for the metrics.
    pub intimate_distance: f64,
    pub personal_distance: f64,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            max_substep: 0.02,
            robot: DiffDriveConfig::default(),
            odometry: OdometryNoise::default(),
            lidar: LidarConfig::default(),
            camera: CameraConfig::default(),
            people: SocialForceConfig::default(),
            mic: MicConfig::default(),
            intimate_distance: 0.45,
            personal_distance: 1.2,
        }
    }
}

impl WorldConfig {
    /// Parse a ROS 2-style parameter file (`<node>: {ros__parameters: {...}}`) and validate it.
    /// The sections that apply (`/**`, `/**/node`, `/node`, `node`) are merged key by key, as
    /// `letan run` reads them (`letan_core::params::node_parameters`). Unknown keys are errors that
    /// name the key.
    pub fn from_ros_yaml(text: &str, node: &str, path: &str) -> Result<Self, SimError> {
        let bad = |reason: String| SimError::InvalidConfig {
            key: format!("{path}: {node}.ros__parameters"),
            reason,
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section =
            letan_core::params::node_parameters(&doc, &fqn).map_err(|e| bad(e.to_string()))?;
        if section.keys.is_empty() {
            return Err(bad(format!(
                "no `{node}: {{ros__parameters: ...}}` section"
            )));
        }
        let cfg: WorldConfig = serde_yaml::from_value(serde_yaml::Value::Mapping(section.params))
            .map_err(|e| bad(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<(), SimError> {
        self.robot.validate()?;
        self.lidar.validate()?;
        self.camera.validate()?;
        if !(self.max_substep > 0.0 && self.max_substep <= 0.1) {
            return Err(SimError::InvalidConfig {
                key: "max_substep".into(),
                reason: format!("{} must be in (0, 0.1] s", self.max_substep),
            });
        }
        Ok(())
    }
}

/// What the robot stack did this step, as the sim node reads it from topics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RobotAction {
    /// The robot greeted someone (person id if the stack knows whom; else the nearest).
    Greeted { person: Option<u32> },
    /// The robot's engagement model started engaging someone (REP-155 ENGAGING or ENGAGED).
    Engaged { person: Option<u32> },
    /// The robot said something; `intent` is the NLU intent it answered.
    Said {
        text: String,
        lang: String,
        intent: Option<String>,
        person: Option<u32>,
    },
    /// The robot starts guiding to a place.
    GuideStart { place: String },
    /// The robot stops guiding.
    GuideEnd,
}

/// Inputs of one step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// `/cmd_vel` linear.x and angular.z, if a new command arrived this step.
    pub cmd_vel: Option<(f64, f64)>,
    pub actions: Vec<RobotAction>,
}

/// `nav_msgs/Odometry` content (odom → base_link).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Odometry {
    pub stamp: f64,
    pub frame_id: String,
    pub child_frame_id: String,
    pub pose: Pose2D,
    /// Quaternion x, y, z, w.
    pub orientation: [f64; 4],
    /// 6×6 row-major (x, y, z, rot x, rot y, rot z); 36 values.
    pub pose_covariance: Vec<f64>,
    pub linear_x: f64,
    pub angular_z: f64,
    pub twist_covariance: Vec<f64>,
}

/// A transform for `/tf` or `/tf_static`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    pub stamp: f64,
    pub parent: String,
    pub child: String,
    pub translation: [f64; 3],
    /// Quaternion x, y, z, w.
    pub rotation: [f64; 4],
}

/// A person's utterance as it reaches the robot's microphone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    pub stamp: f64,
    pub person: u32,
    pub text: String,
    pub lang: String,
    /// Pre-recorded audio to play (path relative to the scenario); otherwise the sim node
    /// synthesizes `text` (espeak-ng) or sends the text where no ASR is installed.
    pub audio: Option<String>,
    pub distance: f64,
}

/// Ground-truth state of one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonTruth {
    pub id: u32,
    pub name: String,
    pub pose: Pose2D,
    pub vx: f64,
    pub vy: f64,
    pub activity: Activity,
}

/// Ground truth for scoring (published on separate topics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub robot: Pose2D,
    pub people: Vec<PersonTruth>,
}

/// Something that happened (logged, and used by scenario expectations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SimEvent {
    PersonEntered {
        person: u32,
        name: String,
    },
    Person {
        person: u32,
        name: String,
        event: PersonEvent,
    },
    /// The robot touched a wall (counted once per contact).
    WallCollision {
        x: f64,
        y: f64,
    },
    /// The robot touched a person (counted once per contact).
    PersonCollision {
        person: u32,
        name: String,
    },
    Robot {
        action: RobotAction,
        person: Option<u32>,
    },
    /// A scripted sensor fault began: the sensor publishes nothing until `until`.
    SensorSilent {
        sensor: Sensor,
        until: f64,
    },
    /// The sensor publishes again, after `silent_for` seconds.
    SensorBack {
        sensor: Sensor,
        silent_for: f64,
    },
}

/// A timestamped event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub t: f64,
    pub event: SimEvent,
}

/// Outputs of one step.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Sim time after the step (for `/clock`).
    pub clock: f64,
    pub odom: Odometry,
    /// Dynamic transforms (odom → base_link).
    pub tf: Vec<Transform>,
    pub scan: Option<StampedScan>,
    pub camera: Option<CameraFrame>,
    pub utterances: Vec<Utterance>,
    pub truth: GroundTruth,
    pub events: Vec<LogEntry>,
}

/// HuNavSim-style running metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub sim_time: f64,
    pub path_length: f64,
    pub wall_collisions: u32,
    pub person_collisions: u32,
    /// Smallest centre distance minus both radii (m); `None` if no person was ever present.
    pub min_distance_to_people: Option<f64>,
    pub time_in_intimate_space: f64,
    pub time_in_personal_space: f64,
    /// Robot pose trace at 10 Hz (t, x, y).
    pub trajectory: Vec<(f64, f64, f64)>,
}

/// A person scheduled to enter.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: f64,
    pub person: Person,
}

/// The simulated lobby.
pub struct World {
    config: WorldConfig,
    grid: Grid,
    places: Places,
    fields: BTreeMap<String, NavField>,
    faces: Option<FaceBank>,
    time: f64,
    robot: DiffDrive,
    people: Vec<Person>,
    pending: Vec<Arrival>,
    cmd: (f64, f64),
    cmd_age: f64,
    guiding: bool,
    next_ticket: u32,
    next_scan: f64,
    next_frame: f64,
    lidar_rng: SimRng,
    people_rng: SimRng,
    wall_contact: bool,
    person_contact: BTreeSet<u32>,
    metrics: Metrics,
    log: Vec<LogEntry>,
    next_trace: f64,
    /// Scripted sensor faults, and when each one began (while it is active).
    /// Each fault, when it began, and whether it is over.
    faults: Vec<(SensorFault, Option<f64>, bool)>,
    /// The camera's walls and floor while the robot stands still (`camera::Backdrop`).
    backdrop: camera::Backdrop,
}

impl World {
    /// Build a world. `faces` is needed for faces in camera frames (None draws faceless heads).
    pub fn new(
        config: WorldConfig,
        grid: Grid,
        places: Places,
        robot_start: Pose2D,
        faces: Option<FaceBank>,
    ) -> Result<Self, SimError> {
        config.validate()?;
        let seed = config.seed;
        let robot = DiffDrive::new(
            config.robot.clone(),
            config.odometry.clone(),
            robot_start,
            SimRng::new(seed, 1),
        );
        Ok(Self {
            grid,
            places,
            fields: BTreeMap::new(),
            faces,
            time: 0.0,
            robot,
            people: Vec::new(),
            pending: Vec::new(),
            cmd: (0.0, 0.0),
            cmd_age: f64::INFINITY,
            guiding: false,
            next_ticket: 0,
            next_scan: 0.0,
            next_frame: 0.0,
            lidar_rng: SimRng::new(seed, 2),
            people_rng: SimRng::new(seed, 3),
            wall_contact: false,
            person_contact: BTreeSet::new(),
            metrics: Metrics::default(),
            log: Vec::new(),
            next_trace: 0.0,
            faults: Vec::new(),
            backdrop: camera::Backdrop::default(),
            config,
        })
    }

    pub fn config(&self) -> &WorldConfig {
        &self.config
    }
    pub fn grid(&self) -> &Grid {
        &self.grid
    }
    pub fn places(&self) -> &Places {
        &self.places
    }
    pub fn time(&self) -> f64 {
        self.time
    }
    pub fn robot_pose(&self) -> Pose2D {
        self.robot.pose
    }
    pub fn people(&self) -> &[Person] {
        &self.people
    }
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }
    /// The seeded stream used to randomize people (speed, colours) when building them.
    pub fn people_rng(&mut self) -> &mut SimRng {
        &mut self.people_rng
    }

    /// Scripted sensor faults: while one is active its sensor gives no output from `step`
    /// (`Outputs::scan` or `Outputs::camera` is `None`), and its start and end are logged
    /// (`SimEvent::SensorSilent`, `SimEvent::SensorBack`). The lidar still draws its noise while
    /// silent, so the scans after the fault are the ones a run without it would have had.
    pub fn set_faults(&mut self, faults: &[SensorFault]) {
        self.faults = faults.iter().map(|f| (*f, None, false)).collect();
    }

    /// Whether a scripted fault silences this sensor now.
    pub fn sensor_silent(&self, sensor: Sensor) -> bool {
        self.faults
            .iter()
            .any(|(f, began, over)| f.sensor == sensor && began.is_some() && !over)
    }

    /// Log the faults that begin or end at the current time.
    fn update_faults(&mut self, events: &mut Vec<LogEntry>) {
        let t = self.time;
        let driving = self.robot.linear.abs() >= FAULT_DRIVING_SPEED;
        let mut changes = Vec::new();
        for (f, began, over) in self.faults.iter_mut() {
            match *began {
                None if t + 1e-9 >= f.at && (!f.when_driving || driving) => {
                    *began = Some(t);
                    changes.push(SimEvent::SensorSilent {
                        sensor: f.sensor,
                        until: t + f.duration,
                    });
                }
                Some(t0) if !*over && t + 1e-9 >= t0 + f.duration => {
                    *over = true;
                    changes.push(SimEvent::SensorBack {
                        sensor: f.sensor,
                        silent_for: t - t0,
                    });
                }
                _ => {}
            }
        }
        for e in changes {
            self.push(events, e);
        }
    }

    /// Schedule a person to appear at `at` seconds at their start position.
    /// Navigation fields for the places in their plan are built now (not during `step`).
    pub fn add_person(&mut self, at: f64, person: Person) -> Result<(), SimError> {
        for place in person.places_needed() {
            let Some(p) = self.places.get(&place) else {
                return Err(SimError::UnknownPlace {
                    place,
                    context: format!("the plan of {}", person.name),
                });
            };
            if !self.fields.contains_key(&place) {
                let f = NavField::build(&self.grid, p.position(), self.config.people.radius);
                self.fields.insert(place, f);
            }
        }
        self.people.push(person);
        let idx = self.people.len() - 1;
        self.pending.push(Arrival {
            at,
            person: self.people[idx].clone(),
        });
        Ok(())
    }

    /// Set a person's group leader (index in `people()`), with a side offset in metres.
    pub fn set_leader(&mut self, member: usize, leader: usize, offset: f64) {
        if member < self.people.len() && leader < self.people.len() && member != leader {
            self.people[member].leader = Some(leader);
            self.people[member].group_offset = offset;
            // The leader stands off-centre so that the group is centred in front of the robot.
            let offsets: Vec<f64> = self
                .people
                .iter()
                .filter(|p| p.leader == Some(leader))
                .map(|p| p.group_offset)
                .collect();
            self.people[leader].approach_shift =
                offsets.iter().sum::<f64>() / (offsets.len() + 1) as f64;
        }
    }

    /// Static transforms (base_link → laser, camera_link, camera_optical_frame, imu_link).
    pub fn static_transforms(&self) -> Vec<Transform> {
        let l = &self.config.lidar;
        let c = &self.config.camera;
        // optical frame: z forward, x right, y down = rotation (-90° about z) then (-90° about x)
        vec![
            Transform {
                stamp: 0.0,
                parent: "base_link".into(),
                child: l.frame_id.clone(),
                translation: [l.mount_x, l.mount_y, l.mount_z],
                rotation: yaw_to_quaternion(l.mount_yaw),
            },
            Transform {
                stamp: 0.0,
                parent: "base_link".into(),
                child: "camera_link".into(),
                translation: [c.mount_x, 0.0, c.mount_z],
                rotation: [0.0, 0.0, 0.0, 1.0],
            },
            Transform {
                stamp: 0.0,
                parent: "camera_link".into(),
                child: c.frame_id.clone(),
                translation: [0.0, 0.0, 0.0],
                rotation: [-0.5, 0.5, -0.5, 0.5],
            },
            Transform {
                stamp: 0.0,
                parent: "base_link".into(),
                child: "imu_link".into(),
                translation: [0.0, 0.0, 0.15],
                rotation: [0.0, 0.0, 0.0, 1.0],
            },
        ]
    }

    fn push(&mut self, events: &mut Vec<LogEntry>, event: SimEvent) {
        let e = LogEntry {
            t: self.time,
            event,
        };
        self.log.push(e.clone());
        events.push(e);
    }

    fn robot_view(&self) -> RobotView {
        RobotView {
            pose: self.robot.pose,
            radius: self.config.robot.radius,
            guiding: self.guiding,
        }
    }

    /// Advance the world by `dt` seconds.
    pub fn step(&mut self, dt: f64, inputs: &Inputs) -> Outputs {
        let dt = if dt.is_finite() && dt > 0.0 {
            dt.min(1.0)
        } else {
            0.0
        };
        let mut events = Vec::new();
        let mut utterances = Vec::new();
        if let Some((v, w)) = inputs.cmd_vel {
            self.cmd = (v, w);
            self.cmd_age = 0.0;
        }
        // Robot actions: attribute to a person, log, and let people react.
        let mut answered: BTreeSet<u32> = BTreeSet::new();
        let mut guide_started = false;
        for a in &inputs.actions {
            let person = match a {
                RobotAction::Greeted { person } => person.or_else(|| self.in_front(|p| p.greeted)),
                RobotAction::Engaged { person } => person.or_else(|| self.in_front(|p| p.engaged)),
                RobotAction::Said { person, lang, .. } => {
                    person.or_else(|| self.addressee(Some(lang), &answered))
                }
                _ => None,
            };
            match a {
                RobotAction::Said { .. } => {
                    if let Some(p) = person {
                        answered.insert(p);
                    }
                }
                RobotAction::GuideStart { .. } => {
                    self.guiding = true;
                    guide_started = true;
                }
                RobotAction::GuideEnd => self.guiding = false,
                RobotAction::Greeted { .. } | RobotAction::Engaged { .. } => {
                    let greeted = matches!(a, RobotAction::Greeted { .. });
                    if let Some(p) =
                        person.and_then(|id| self.people.iter_mut().find(|p| p.id == id))
                    {
                        if greeted {
                            p.greeted = true;
                        } else {
                            p.engaged = true;
                        }
                    }
                }
            }
            self.push(
                &mut events,
                SimEvent::Robot {
                    action: a.clone(),
                    person,
                },
            );
        }

        let n = if dt > 0.0 {
            (dt / self.config.max_substep).ceil().max(1.0) as usize
        } else {
            0
        };
        let h = if n > 0 { dt / n as f64 } else { 0.0 };
        for _ in 0..n {
            self.substep(h, &answered, guide_started, &mut events, &mut utterances);
            answered.clear();
            guide_started = false;
        }

        self.update_faults(&mut events);
        let scan = if self.time + 1e-9 >= self.next_scan {
            self.next_scan += 1.0 / self.config.lidar.rate_hz;
            if self.next_scan <= self.time {
                self.next_scan = self.time + 1.0 / self.config.lidar.rate_hz;
            }
            // A silent lidar still draws its noise (see `set_faults`).
            let scan = self.scan_now();
            (!self.sensor_silent(Sensor::Lidar)).then_some(scan)
        } else {
            None
        };
        let camera = if self.config.camera.enabled && self.time + 1e-9 >= self.next_frame {
            self.next_frame += 1.0 / self.config.camera.rate_hz;
            if self.next_frame <= self.time {
                self.next_frame = self.time + 1.0 / self.config.camera.rate_hz;
            }
            (!self.sensor_silent(Sensor::Camera)).then(|| self.render_now())
        } else {
            None
        };

        let odom = self.odometry();
        let tf = vec![Transform {
            stamp: self.time,
            parent: "odom".into(),
            child: "base_link".into(),
            translation: [odom.pose.x, odom.pose.y, 0.0],
            rotation: odom.orientation,
        }];
        Outputs {
            clock: self.time,
            odom,
            tf,
            scan,
            camera,
            utterances,
            truth: self.truth(),
            events,
        }
    }

    /// Whom an anonymous greeting (or engagement) is about: the nearest person in front of the robot
    /// (camera side, within 4 m) for whom `done` is false, else the nearest one in front. (The face
    /// node's ids are anonymous; a group greeting names several people, one action each.)
    fn in_front(&self, done: impl Fn(&crate::people::Person) -> bool) -> Option<u32> {
        let pose = self.robot.pose;
        let rp = pose.position();
        let mut front: Vec<(bool, f64, u32)> = self
            .people
            .iter()
            .filter(|p| p.present)
            .filter_map(|p| {
                let d = p.pos - rp;
                let bearing = wrap_angle(d.y.atan2(d.x) - pose.yaw);
                (d.norm() < 4.0 && bearing.abs() < 1.0).then_some((done(p), d.norm(), p.id))
            })
            .collect();
        front.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        front
            .first()
            .map(|f| f.2)
            .or_else(|| self.addressee(None, &BTreeSet::new()))
    }

    /// Whom an answer in `lang` is for, among the people within 4 m: first someone waiting for an
    /// answer and not answered yet in this step (two questions in one step get two answers), then
    /// someone who speaks `lang`, then the nearest.
    fn addressee(&self, lang: Option<&str>, answered_now: &BTreeSet<u32>) -> Option<u32> {
        let rp = self.robot.pose.position();
        self.people
            .iter()
            .filter(|p| p.present)
            .map(|p| {
                let waiting = p.awaiting_answer() && !answered_now.contains(&p.id);
                let other_lang = lang.is_some_and(|l| p.lang != l);
                (!waiting, other_lang, (p.pos - rp).norm(), p.id)
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)))
            .filter(|(_, _, d, _)| *d < 4.0)
            .map(|(_, _, _, id)| id)
    }

    fn substep(
        &mut self,
        dt: f64,
        answered: &BTreeSet<u32>,
        guide_started: bool,
        events: &mut Vec<LogEntry>,
        utterances: &mut Vec<Utterance>,
    ) {
        self.time += dt;
        self.arrivals(events);
        self.move_robot(dt, events);
        self.move_people(dt, answered, guide_started, events, utterances);
        self.update_metrics(dt);
    }

    /// People whose time has come enter, unless someone stands on their entry spot.
    fn arrivals(&mut self, events: &mut Vec<LogEntry>) {
        let mut k = 0;
        while k < self.pending.len() {
            let spot = self.pending[k].person.pos;
            let r = self.pending[k].person.radius;
            let free = self
                .people
                .iter()
                .filter(|p| p.present)
                .all(|p| (p.pos - spot).norm() > p.radius + r + 0.1)
                && (self.robot.pose.position() - spot).norm() > self.config.robot.radius + r + 0.1;
            // A person whose entry spot is taken waits at the door until it clears.
            if self.pending[k].at <= self.time && free {
                let a = self.pending.remove(k);
                if let Some(p) = self.people.iter_mut().find(|p| p.id == a.person.id) {
                    p.present = true;
                    let (id, name) = (p.id, p.name.clone());
                    self.push(events, SimEvent::PersonEntered { person: id, name });
                }
            } else {
                k += 1;
            }
        }
    }

    /// The robot follows its command (zero once it is older than the timeout), unless that would
    /// push it into a wall or a person; contacts are counted once each.
    fn move_robot(&mut self, dt: f64, events: &mut Vec<LogEntry>) {
        self.cmd_age += dt;
        let (cv, cw) = if self.cmd_age <= self.config.robot.cmd_timeout {
            self.cmd
        } else {
            (0.0, 0.0)
        };
        let (v, w) = self.robot.limited(cv, cw, dt);
        let next = DiffDrive::integrate(&self.robot.pose, v, w, dt);
        let r = self.config.robot.radius;
        let hits_wall = self.grid.disc_overlaps(next.position(), r);
        let mut hit_people = Vec::new();
        for p in self.people.iter().filter(|p| p.present) {
            if (p.pos - next.position()).norm() < r + p.radius {
                hit_people.push((p.id, p.name.clone()));
            }
        }
        // Rotating in place never makes a new wall contact worse; translation into a contact is refused.
        let moving_into = hits_wall && {
            let now = self.grid.clearance(self.robot.pose.position());
            let then = self.grid.clearance(next.position());
            then <= now + 1e-9 || self.grid.disc_overlaps(self.robot.pose.position(), r)
        };
        if moving_into || !hit_people.is_empty() {
            self.robot.block();
        } else {
            let before = self.robot.pose.position();
            self.robot.commit(v, w, dt, next);
            self.metrics.path_length += (next.position() - before).norm();
        }
        if hits_wall && !self.wall_contact {
            self.metrics.wall_collisions += 1;
            let p = next.position();
            self.push(events, SimEvent::WallCollision { x: p.x, y: p.y });
        }
        // Contact lasts until the robot has backed off a little (hysteresis), so creeping
        // against a wall or a person counts as one collision.
        let here = self.robot.pose.position();
        self.wall_contact =
            hits_wall || (self.wall_contact && self.grid.disc_overlaps(here, r + 0.05));
        let mut touching: BTreeSet<u32> = hit_people.iter().map(|(id, _)| *id).collect();
        for p in self
            .people
            .iter()
            .filter(|p| p.present && self.person_contact.contains(&p.id))
        {
            if (p.pos - here).norm() < r + p.radius + 0.05 {
                touching.insert(p.id);
            }
        }
        for (id, name) in hit_people {
            if !self.person_contact.contains(&id) {
                tracing::debug!(t = self.time, person = %name, v, w, robot_x = here.x, robot_y = here.y, "robot-person contact");
                self.metrics.person_collisions += 1;
                self.push(events, SimEvent::PersonCollision { person: id, name });
            }
        }
        self.person_contact = touching;
    }

    /// Each person's plan, then social forces and motion; group members leave with their leader;
    /// what people said goes to the microphone.
    fn move_people(
        &mut self,
        dt: f64,
        answered: &BTreeSet<u32>,
        guide_started: bool,
        events: &mut Vec<LogEntry>,
        utterances: &mut Vec<Utterance>,
    ) {
        let view = self.robot_view();
        let mut ticket = self.next_ticket;
        let mut person_events = Vec::new();
        {
            let ctx = Context {
                grid: &self.grid,
                places: &self.places,
                fields: &self.fields,
                cfg: &self.config.people,
                mic_range: self.config.mic.range,
                mic_facing: self.config.mic.facing_angle,
            };
            for p in self.people.iter_mut() {
                let ans = answered.contains(&p.id);
                let guide = guide_started && p.wants_guide();
                for e in p.think(dt, &ctx, &view, ans, guide, &mut ticket) {
                    person_events.push((p.id, p.name.clone(), p.pos, e));
                }
            }
            let acc = people::social_forces(&self.people, &ctx, &view);
            people::integrate(&mut self.people, &acc, &ctx, &view, dt);
        }
        self.next_ticket = ticket;
        // Group members leave with their leader.
        for i in 0..self.people.len() {
            if let Some(l) = self.people[i].leader {
                if self.people[i].present
                    && !self.people[l].present
                    && self.people[l].activity == Activity::Gone
                {
                    self.people[i].present = false;
                    self.people[i].activity = Activity::Gone;
                    let (id, name) = (self.people[i].id, self.people[i].name.clone());
                    person_events.push((id, name, self.people[i].pos, PersonEvent::Left));
                } else if self.people[i].present {
                    self.people[i].activity = Activity::InGroup;
                }
            }
        }
        let rp = self.robot.pose.position();
        for (id, name, pos, e) in person_events {
            if let PersonEvent::Spoke { text, lang, audio } = &e {
                utterances.push(Utterance {
                    stamp: self.time,
                    person: id,
                    text: text.clone(),
                    lang: lang.clone(),
                    audio: audio.clone(),
                    distance: (pos - rp).norm(),
                });
            }
            self.push(
                events,
                SimEvent::Person {
                    person: id,
                    name,
                    event: e,
                },
            );
        }
    }

    /// Distances to people, time in personal and intimate space, and the 10 Hz trajectory.
    fn update_metrics(&mut self, dt: f64) {
        let rp = self.robot.pose.position();
        let r = self.config.robot.radius;
        self.metrics.sim_time = self.time;
        let mut min_gap: Option<f64> = None;
        let mut min_center = f64::INFINITY;
        for p in self.people.iter().filter(|p| p.present) {
            let d = (p.pos - rp).norm();
            let gap = d - r - p.radius;
            min_gap = Some(min_gap.map_or(gap, |m: f64| m.min(gap)));
            min_center = min_center.min(d);
        }
        if let Some(g) = min_gap {
            self.metrics.min_distance_to_people =
                Some(self.metrics.min_distance_to_people.map_or(g, |m| m.min(g)));
        }
        if min_center < self.config.personal_distance {
            self.metrics.time_in_personal_space += dt;
        }
        if min_center < self.config.intimate_distance {
            self.metrics.time_in_intimate_space += dt;
        }
        if self.time + 1e-9 >= self.next_trace {
            self.metrics.trajectory.push((self.time, rp.x, rp.y));
            self.next_trace += 0.1;
        }
    }

    fn scan_now(&mut self) -> StampedScan {
        let cfg = &self.config.lidar;
        let sensor = self.robot.pose.compose(&cfg.mount());
        let mut circles = Vec::new();
        for p in self.people.iter().filter(|p| p.present) {
            match cfg.people {
                PeopleShape::Legs => {
                    for c in p.legs() {
                        circles.push(Circle {
                            center: c,
                            radius: cfg.leg_radius,
                        });
                    }
                }
                PeopleShape::Circle => circles.push(Circle {
                    center: p.pos,
                    radius: p.radius,
                }),
            }
        }
        lidar::scan(
            cfg,
            &self.grid,
            &sensor,
            &circles,
            &mut self.lidar_rng,
            self.time,
        )
    }

    fn render_now(&mut self) -> CameraFrame {
        let mut backdrop = std::mem::take(&mut self.backdrop);
        let frame = self.render_over(&mut backdrop);
        self.backdrop = backdrop;
        frame
    }

    fn render_over(&self, backdrop: &mut camera::Backdrop) -> CameraFrame {
        let c = &self.config.camera;
        let cam = self.robot.pose.compose(&pose(c.mount_x, 0.0, 0.0));
        camera::render_with(
            backdrop,
            c,
            &self.grid,
            &cam,
            &self.people,
            self.faces.as_ref(),
            self.time,
        )
    }

    /// Render a camera frame now regardless of the camera rate (for tools and tests).
    pub fn render_camera(&self) -> CameraFrame {
        self.render_over(&mut camera::Backdrop::default())
    }

    fn odometry(&self) -> Odometry {
        let o = self.robot.odom;
        let var = self.robot.odom_var;
        let mut pc = vec![0.0; 36];
        pc[0] = var[0].max(1e-6);
        pc[7] = var[1].max(1e-6);
        pc[14] = 1e6;
        pc[21] = 1e6;
        pc[28] = 1e6;
        pc[35] = var[2].max(1e-6);
        let mut tc = vec![0.0; 36];
        tc[0] = 1e-4;
        tc[7] = 1e6;
        tc[14] = 1e6;
        tc[21] = 1e6;
        tc[28] = 1e6;
        tc[35] = 4e-4;
        let (v, w) = self.robot.odom_twist();
        Odometry {
            stamp: self.time,
            frame_id: "odom".into(),
            child_frame_id: "base_link".into(),
            pose: o,
            orientation: yaw_to_quaternion(o.yaw),
            pose_covariance: pc,
            linear_x: v,
            angular_z: w,
            twist_covariance: tc,
        }
    }

    fn truth(&self) -> GroundTruth {
        GroundTruth {
            robot: self.robot.pose,
            people: self
                .people
                .iter()
                .filter(|p| p.present)
                .map(|p| PersonTruth {
                    id: p.id,
                    name: p.name.clone(),
                    pose: pose(p.pos.x, p.pos.y, wrap_angle(p.yaw)),
                    vx: p.vel.x,
                    vy: p.vel.y,
                    activity: p.activity,
                })
                .collect(),
        }
    }

    /// Distance from the robot to a point.
    pub fn robot_distance_to(&self, p: Vector2<f64>) -> f64 {
        (self.robot.pose.position() - p).norm()
    }
}
