//! Scenario files (`sim/scenarios/*.yaml`): who enters when, what they say, what must happen.
//! The runner core here builds a world from a scenario and evaluates expectations on the event
//! log; the `letan sim --scenario` command wires it to the whole stack.

use crate::camera::FaceBank;
use crate::error::SimError;
use crate::grid::Grid;
use crate::people::{Action, Person, PersonEvent};
use crate::world::{
    LogEntry, Metrics, Places, RobotAction, Sensor, SensorFault, SimEvent, World, WorldConfig,
};
use letan_core::Pose2D;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod judge;
pub use judge::{Decision, Judge};

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Default seed (`--seed` overrides).
    #[serde(default)]
    pub seed: u64,
    /// Sim seconds to run.
    pub duration: f64,
    #[serde(default)]
    pub robot: RobotStart,
    #[serde(default)]
    pub people: Vec<PersonSpec>,
    /// What an operator does from the console, at given sim times (the runner publishes it on the
    /// console's own topics).
    #[serde(default)]
    pub operator: Vec<OperatorStep>,
    /// Sensors that go silent for a while: `{ at: 40, sensor: lidar, for: 6 }` (`lidar` or
    /// `camera`); the simulator publishes nothing from that sensor meanwhile.
    #[serde(default)]
    pub faults: Vec<SensorFault>,
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    pub expectations: Vec<Expectation>,
}

/// One operator action at sim time `at`: `{at: 40, do: estop}`, `{at: 30, do: {teleop: {angular: 0.5, duration: 2}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorStep {
    pub at: f64,
    #[serde(rename = "do", with = "serde_yaml::with::singleton_map_recursive")]
    pub action: OperatorAction,
}

/// What the operator does (the console's controls).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OperatorAction {
    /// Hold a drive command for `duration` s (console teleop, 10 Hz), then release it.
    Teleop {
        #[serde(default)]
        linear: f64,
        #[serde(default)]
        angular: f64,
        duration: f64,
    },
    /// Press the e-stop.
    Estop,
    /// Release the e-stop.
    Release,
    /// Send the robot to a place.
    GoTo { place: String },
    /// Send the robot back to its dock.
    Dock,
}

/// Where the robot starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RobotStart {
    /// A place id (e.g. `dock`, `reception`).
    #[serde(default = "default_start")]
    pub start: String,
}

impl Default for RobotStart {
    fn default() -> Self {
        Self {
            start: default_start(),
        }
    }
}

fn default_start() -> String {
    "dock".into()
}

/// A visitor in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonSpec {
    pub name: String,
    /// Seconds after the start.
    #[serde(default)]
    pub enter_at: f64,
    #[serde(default = "default_from")]
    pub from: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Preferred walking speed (m/s); default is drawn from the seed (0.9–1.3).
    #[serde(default)]
    pub speed: Option<f64>,
    #[serde(default)]
    pub ignores_robot: bool,
    /// Members of one group walk together; the first listed member leads, the others have no plan.
    #[serde(default)]
    pub group: Option<String>,
    /// Index into the face bank (default: assigned in order).
    #[serde(default)]
    pub face: Option<usize>,
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    pub plan: Vec<Action>,
}

fn default_from() -> String {
    "entrance".into()
}
fn default_lang() -> String {
    "vi".into()
}

/// Something that must happen (or must not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expectation {
    /// The robot comes within `tolerance` of a place by `within` seconds.
    RobotReached {
        place: String,
        within: f64,
        #[serde(default = "default_tolerance")]
        tolerance: f64,
    },
    /// A person reaches a place by `within` seconds.
    PersonReached {
        person: String,
        place: String,
        within: f64,
    },
    /// The robot touches no wall and no person.
    NoCollision {},
    /// The robot greets this person exactly once.
    GreetedOnce { person: String },
    /// The person's utterance reaches the robot's microphone.
    Heard { person: String },
    /// The robot answers the person's question with this intent within `within` s of hearing it.
    Answered {
        person: String,
        intent: String,
        #[serde(default = "default_answer_within")]
        within: f64,
    },
    /// The robot starts guiding the person (who then follows).
    Guided { person: String },
    /// The robot never comes closer than `at_least` metres (body gap) to anyone.
    MinDistanceToPeople { at_least: f64 },
    /// The robot spends at most `seconds` inside anyone's personal space.
    MaxPersonalSpaceTime { seconds: f64 },
    /// The robot never greets this person (e.g. someone just walking past).
    NotGreeted { person: String },
    /// The robot greets this person within `seconds` of its engagement model engaging them.
    GreetedWithin { person: String, seconds: f64 },
    /// The robot comes back within `tolerance` of `place` (default `dock`) by `within` s, after
    /// having been more than 2 m away from it.
    RobotReturned {
        #[serde(default = "default_dock")]
        place: String,
        within: f64,
        #[serde(default = "default_tolerance")]
        tolerance: f64,
    },
    /// Between `from` and `to` s the robot moves less than `at_most` metres (it does not drive on
    /// by itself, e.g. after an operator took over).
    RobotStill {
        from: f64,
        to: f64,
        #[serde(default = "default_still")]
        at_most: f64,
    },
    /// For every fault of `sensor` in `faults`: the robot was driving (≥ 0.05 m/s) when the sensor
    /// went silent, came to a standstill (< 0.01 m/s) within `within` s, and from then until the
    /// sensor came back moved less than `at_most` metres.
    StoppedWhileSilent {
        sensor: Sensor,
        within: f64,
        #[serde(default = "default_stopped")]
        at_most: f64,
    },
    /// Between `from` and `to` s the robot greets nobody.
    NoGreeting { from: f64, to: f64 },
}

impl Expectation {
    /// The person the expectation is about, for those about one person.
    pub fn person(&self) -> Option<&str> {
        match self {
            Expectation::PersonReached { person, .. }
            | Expectation::GreetedOnce { person }
            | Expectation::Heard { person }
            | Expectation::Answered { person, .. }
            | Expectation::Guided { person }
            | Expectation::NotGreeted { person }
            | Expectation::GreetedWithin { person, .. } => Some(person),
            _ => None,
        }
    }
}

/// Driving: at least this fast (m/s) between two trace points.
const MOVING_SPEED: f64 = 0.05;
/// Standing: slower than this (m/s) between two trace points.
const STANDING_SPEED: f64 = 0.01;

fn default_stopped() -> f64 {
    0.05
}

fn default_dock() -> String {
    "dock".into()
}
fn default_still() -> f64 {
    0.3
}

fn default_tolerance() -> f64 {
    1.0
}
fn default_answer_within() -> f64 {
    15.0
}

impl Scenario {
    /// Parse YAML; `path` names the file in errors.
    pub fn from_yaml(text: &str, path: &str) -> Result<Self, SimError> {
        let s: Scenario = serde_yaml::from_str(text).map_err(|e| SimError::Scenario {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        s.validate(path)?;
        Ok(s)
    }

    /// The scenario played `times` times back to back, for soak runs: copy `k` (from 0) enters
    /// `k × duration` later, its people and groups are renamed `name~k`, its operator steps and
    /// time-bound expectations move by the same offset. Expectations about the whole run
    /// (`no_collision`, `min_distance_to_people`) are kept once; the personal-space budget grows
    /// with the run. `times` 0 or 1 gives the scenario unchanged.
    pub fn repeated(&self, times: usize) -> Scenario {
        if times <= 1 {
            return self.clone();
        }
        let rename = |name: &str, k: usize| {
            if k == 0 {
                name.to_string()
            } else {
                format!("{name}~{k}")
            }
        };
        let mut out = self.clone();
        out.name = format!("{}×{times}", self.name);
        out.duration = self.duration * times as f64;
        out.people.clear();
        out.operator.clear();
        out.faults.clear();
        out.expectations.clear();
        for k in 0..times {
            let off = self.duration * k as f64;
            for p in &self.people {
                let mut q = p.clone();
                q.name = rename(&p.name, k);
                q.enter_at += off;
                q.group = p.group.as_deref().map(|g| rename(g, k));
                out.people.push(q);
            }
            for o in &self.operator {
                let mut o = o.clone();
                o.at += off;
                out.operator.push(o);
            }
            for f in &self.faults {
                let mut f = *f;
                f.at += off;
                out.faults.push(f);
            }
            for e in &self.expectations {
                use Expectation as E;
                let moved = match e.clone() {
                    E::NoCollision {}
                    | E::MinDistanceToPeople { .. }
                    | E::StoppedWhileSilent { .. }
                        if k > 0 =>
                    {
                        continue
                    }
                    E::MaxPersonalSpaceTime { seconds } if k == 0 => E::MaxPersonalSpaceTime {
                        seconds: seconds * times as f64,
                    },
                    E::MaxPersonalSpaceTime { .. } => continue,
                    E::RobotReached {
                        place,
                        within,
                        tolerance,
                    } => E::RobotReached {
                        place,
                        within: within + off,
                        tolerance,
                    },
                    E::PersonReached {
                        person,
                        place,
                        within,
                    } => E::PersonReached {
                        person: rename(&person, k),
                        place,
                        within: within + off,
                    },
                    E::GreetedOnce { person } => E::GreetedOnce {
                        person: rename(&person, k),
                    },
                    E::Heard { person } => E::Heard {
                        person: rename(&person, k),
                    },
                    E::Answered {
                        person,
                        intent,
                        within,
                    } => E::Answered {
                        person: rename(&person, k),
                        intent,
                        within,
                    },
                    E::Guided { person } => E::Guided {
                        person: rename(&person, k),
                    },
                    E::NotGreeted { person } => E::NotGreeted {
                        person: rename(&person, k),
                    },
                    E::GreetedWithin { person, seconds } => E::GreetedWithin {
                        person: rename(&person, k),
                        seconds,
                    },
                    E::RobotReturned {
                        place,
                        within,
                        tolerance,
                    } => E::RobotReturned {
                        place,
                        within: within + off,
                        tolerance,
                    },
                    E::RobotStill { from, to, at_most } => E::RobotStill {
                        from: from + off,
                        to: to + off,
                        at_most,
                    },
                    E::NoGreeting { from, to } => E::NoGreeting {
                        from: from + off,
                        to: to + off,
                    },
                    other => other,
                };
                out.expectations.push(moved);
            }
        }
        out
    }

    /// Read and parse a scenario file.
    pub fn load(path: &std::path::Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    fn validate(&self, path: &str) -> Result<(), SimError> {
        let check = || -> Result<(), String> {
            if !(self.duration.is_finite() && self.duration > 0.0 && self.duration <= 86_400.0) {
                return Err(format!(
                    "duration: {} must be in (0, 86400] s",
                    self.duration
                ));
            }
            let names = self.validate_people()?;
            self.validate_operator()?;
            self.validate_faults()?;
            self.validate_expectations(&names)
        };
        check().map_err(|reason| SimError::Scenario {
            path: path.to_string(),
            reason,
        })
    }

    /// Names unique and set, sane entry times, speeds and languages, one plan per group, and
    /// each plan's steps. Returns the names.
    fn validate_people(&self) -> Result<BTreeSet<&str>, String> {
        let mut names = BTreeSet::new();
        let mut leaders: BTreeSet<&str> = BTreeSet::new();
        for (i, p) in self.people.iter().enumerate() {
            let key = format!("people[{i}] ({})", p.name);
            if p.name.trim().is_empty() {
                return Err(format!("people[{i}].name: empty"));
            }
            if !names.insert(p.name.as_str()) {
                return Err(format!("{key}: duplicate name"));
            }
            if !(p.enter_at.is_finite() && p.enter_at >= 0.0) {
                return Err(format!("{key}.enter_at: {} must be >= 0", p.enter_at));
            }
            if let Some(s) = p.speed {
                if !(s > 0.1 && s <= 2.5) {
                    return Err(format!("{key}.speed: {s} must be in (0.1, 2.5] m/s"));
                }
            }
            if !matches!(p.lang.as_str(), "vi" | "en") {
                return Err(format!("{key}.lang: {:?} must be \"vi\" or \"en\"", p.lang));
            }
            if let Some(g) = &p.group {
                if leaders.contains(g.as_str()) {
                    if !p.plan.is_empty() {
                        return Err(format!(
                            "{key}.plan: only the first member of group {g:?} has a plan; the others follow"
                        ));
                    }
                } else {
                    leaders.insert(g.as_str());
                }
            }
            validate_plan(&key, &p.plan)?;
        }
        Ok(names)
    }

    fn validate_operator(&self) -> Result<(), String> {
        for (i, o) in self.operator.iter().enumerate() {
            if !(o.at.is_finite() && o.at >= 0.0) {
                return Err(format!("operator[{i}].at: {} must be >= 0", o.at));
            }
            if let OperatorAction::Teleop {
                linear,
                angular,
                duration,
            } = &o.action
            {
                if !(duration.is_finite()
                    && *duration > 0.0
                    && linear.is_finite()
                    && angular.is_finite())
                {
                    return Err(format!(
                        "operator[{i}]: teleop needs a finite linear, angular and duration > 0"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Within the run, at least 0.1 s long, and no two of one sensor overlapping.
    fn validate_faults(&self) -> Result<(), String> {
        for (i, f) in self.faults.iter().enumerate() {
            let key = format!("faults[{i}] ({})", f.sensor.name());
            if !(f.at.is_finite() && f.at >= 0.0 && f.at < self.duration) {
                return Err(format!(
                    "{key}.at: {} must be >= 0 and before the end ({} s)",
                    f.at, self.duration
                ));
            }
            if !(f.duration.is_finite() && f.duration >= 0.1) {
                return Err(format!("{key}.for: {} must be >= 0.1 s", f.duration));
            }
            if let Some((j, g)) = self.faults[..i]
                .iter()
                .enumerate()
                .find(|(_, g)| g.sensor == f.sensor && f.at < g.end() && g.at < f.end())
            {
                return Err(format!(
                    "{key}: overlaps faults[{j}] ({} from {} s for {} s)",
                    g.sensor.name(),
                    g.at,
                    g.duration
                ));
            }
        }
        Ok(())
    }

    /// Sane windows and bounds, a fault for every fault expectation, and only people of the
    /// scenario (`names`).
    fn validate_expectations(&self, names: &BTreeSet<&str>) -> Result<(), String> {
        for (i, e) in self.expectations.iter().enumerate() {
            match e {
                Expectation::RobotStill { from, to, at_most }
                    if !(from.is_finite() && to.is_finite() && from < to && *at_most >= 0.0) =>
                {
                    return Err(format!(
                        "expectations[{i}].robot_still: needs from < to and at_most >= 0"
                    ));
                }
                Expectation::NoGreeting { from, to }
                    if !(from.is_finite() && to.is_finite() && from < to) =>
                {
                    return Err(format!("expectations[{i}].no_greeting: needs from < to"));
                }
                Expectation::StoppedWhileSilent {
                    sensor,
                    within,
                    at_most,
                } => {
                    if !(within.is_finite()
                        && *within > 0.0
                        && at_most.is_finite()
                        && *at_most >= 0.0)
                    {
                        return Err(format!(
                            "expectations[{i}].stopped_while_silent: needs within > 0 and at_most >= 0"
                        ));
                    }
                    if !self.faults.iter().any(|f| f.sensor == *sensor) {
                        return Err(format!(
                            "expectations[{i}].stopped_while_silent: no {} fault in faults",
                            sensor.name()
                        ));
                    }
                }
                _ => {}
            }
            if let Some(w) = e.person() {
                if !names.contains(w) {
                    return Err(format!(
                        "expectations[{i}]: no person named {w:?} in people"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every place id the scenario names (to check against the map).
    pub fn places(&self) -> BTreeSet<String> {
        let mut s = BTreeSet::new();
        s.insert(self.robot.start.clone());
        for p in &self.people {
            s.insert(p.from.clone());
            for a in &p.plan {
                match a {
                    Action::GoTo(x) | Action::WaitIn { place: x, .. } => {
                        s.insert(x.clone());
                    }
                    Action::TakeTicket => {
                        s.insert("queue_kiosk".into());
                    }
                    Action::Leave => {
                        s.insert("exit".into());
                    }
                    _ => {}
                }
            }
        }
        for e in &self.expectations {
            match e {
                Expectation::RobotReached { place, .. }
                | Expectation::PersonReached { place, .. }
                | Expectation::RobotReturned { place, .. } => {
                    s.insert(place.clone());
                }
                _ => {}
            }
        }
        for o in &self.operator {
            if let OperatorAction::GoTo { place } = &o.action {
                s.insert(place.clone());
            }
        }
        s
    }

    /// Every intent id the expectations name (to check against spec/intents.tsv).
    pub fn intents(&self) -> BTreeSet<String> {
        self.expectations
            .iter()
            .filter_map(|e| match e {
                Expectation::Answered { intent, .. } => Some(intent.clone()),
                _ => None,
            })
            .collect()
    }

    /// Build the world for this scenario. Person ids are their index in `people` (0-based).
    pub fn build_world(
        &self,
        mut config: WorldConfig,
        seed: Option<u64>,
        grid: Grid,
        places: Places,
        faces: Option<FaceBank>,
    ) -> Result<World, SimError> {
        for p in self.places() {
            if !places.contains_key(&p) {
                return Err(SimError::UnknownPlace {
                    place: p,
                    context: format!("scenario {}", self.name),
                });
            }
        }
        config.seed = seed.unwrap_or(self.seed);
        let start = places.get(&self.robot.start).copied().unwrap_or_default();
        let nfaces = faces.as_ref().map_or(1, |f| f.faces.len().max(1));
        let radius = config.people.radius;
        let mut world = World::new(config, grid, places.clone(), start, faces)?;
        world.set_faults(&self.faults);
        let mut leader_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut group_size: BTreeMap<String, usize> = BTreeMap::new();
        let mut spawned: Vec<nalgebra::Vector2<f64>> = Vec::new();
        for (i, spec) in self.people.iter().enumerate() {
            let from = places.get(&spec.from).copied().unwrap_or_default();
            let rng = world.people_rng();
            let speed = spec.speed.unwrap_or_else(|| rng.range(0.9, 1.3));
            let jitter = nalgebra::Vector2::new(rng.range(-0.4, 0.4), rng.range(-0.2, 0.2));
            // A group walks in side by side: members start beside their leader (people enter
            // facing north, so the leader's left is west).
            let membership = spec.group.as_ref().and_then(|g| {
                leader_of.get(g).map(|&l| {
                    let n = group_size.entry(g.clone()).or_insert(0);
                    *n += 1;
                    let side = if *n % 2 == 1 { 1.0 } else { -1.0 };
                    (l, side * 0.5 * (*n as f64 / 2.0).ceil())
                })
            });
            let pos = match membership {
                Some((l, offset)) => spawned[l] + nalgebra::Vector2::new(-offset, 0.0),
                None => from.position() + jitter,
            };
            spawned.push(pos);
            let mut person = Person::new(
                i as u32,
                spec.name.clone(),
                spec.lang.clone(),
                pos,
                speed,
                spec.ignores_robot,
                spec.plan.clone(),
                rng,
                radius,
            );
            person.yaw = std::f64::consts::FRAC_PI_2;
            person.face = spec.face.unwrap_or(i) % nfaces;
            world.add_person(spec.enter_at, person)?;
            match (membership, &spec.group) {
                (Some((l, offset)), _) => world.set_leader(i, l, offset),
                (None, Some(g)) => {
                    leader_of.insert(g.clone(), i);
                }
                (None, None) => {}
            }
        }
        Ok(world)
    }
}

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub expectation: Expectation,
    pub passed: bool,
    pub detail: String,
}

/// Collision counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collisions {
    pub walls: u32,
    pub people: u32,
}

/// What the robot did during one sensor fault, from its 10 Hz trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    pub sensor: Sensor,
    /// When the sensor went silent and when it came back (s).
    pub from: f64,
    pub to: f64,
    /// The robot's speed (m/s) over the trace interval in which the sensor went silent.
    pub speed_at_fault: f64,
    /// Seconds from the fault's start to the first trace interval slower than 0.01 m/s (at or
    /// after the start), if the robot stood before the sensor came back.
    pub stopped_after: Option<f64>,
    /// Largest distance (m) from where it stopped, until the sensor came back.
    pub moved_while_stopped: f64,
    /// Seconds from the sensor's return to the first trace interval faster than 0.05 m/s.
    pub moving_again_after: Option<f64>,
}

/// When each scripted fault of the run silenced its sensor, from the log (`SensorSilent`): the
/// sensor, the start and the end (s). A `when_driving` fault starts when the robot drives, so the
/// log, not the scenario, says when.
pub fn fault_windows(log: &[LogEntry]) -> Vec<(Sensor, f64, f64)> {
    log.iter()
        .filter_map(|e| match &e.event {
            SimEvent::SensorSilent { sensor, until } => Some((*sensor, e.t, *until)),
            _ => None,
        })
        .collect()
}

impl FaultRecord {
    /// The robot's motion while `sensor` was silent from `from` to `to`, from the trace `(t, x, y)`.
    pub fn from_trace(sensor: Sensor, from: f64, to: f64, trace: &[(f64, f64, f64)]) -> Self {
        let speed = |i: usize| {
            let (t0, x0, y0) = trace[i];
            let (t1, x1, y1) = trace[i + 1];
            if t1 > t0 {
                (x1 - x0).hypot(y1 - y0) / (t1 - t0)
            } else {
                0.0
            }
        };
        let n = trace.len().saturating_sub(1);
        // The interval [t_i, t_i+1) that holds the fault's start (else the last one before it).
        let at_fault = (0..n).rev().find(|&i| trace[i].0 <= from + 1e-9);
        let stop = (0..n)
            .find(|&i| trace[i].0 + 1e-9 >= from && trace[i].0 < to && speed(i) < STANDING_SPEED);
        let moved_while_stopped = stop.map_or(0.0, |i| {
            let (_, x0, y0) = trace[i];
            trace[i..]
                .iter()
                .take_while(|(t, _, _)| *t <= to + 1e-9)
                .map(|(_, x, y)| (x - x0).hypot(y - y0))
                .fold(0.0, f64::max)
        });
        let again = (0..n).find(|&i| trace[i].0 + 1e-9 >= to && speed(i) >= MOVING_SPEED);
        FaultRecord {
            sensor,
            from,
            to,
            speed_at_fault: at_fault.map_or(0.0, speed),
            // Sim time is a sum of substeps: a trace point "at" the start can be 1e-14 s early.
            stopped_after: stop.map(|i| (trace[i].0 - from).max(0.0)),
            moved_while_stopped,
            moving_again_after: again.map(|i| (trace[i].0 - to).max(0.0)),
        }
    }
}

/// The JSON report of a scenario run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub passed: bool,
    pub expectations: Vec<Outcome>,
    /// Time until the first `robot_reached` goal was reached (s), if any.
    pub time_to_goal: Option<f64>,
    pub path_length: f64,
    pub min_distance_to_people: Option<f64>,
    pub collisions: Collisions,
    pub time_in_personal_space: f64,
    pub time_in_intimate_space: f64,
    /// The scenario's sensor faults and what the robot did meanwhile.
    #[serde(default)]
    pub faults: Vec<FaultRecord>,
    pub sim_time: f64,
    pub wall_time: f64,
    /// sim_time / wall_time.
    pub real_time_factor: f64,
}

impl Report {
    /// Exit code of `letan sim`: 0 when every expectation holds.
    pub fn exit_code(&self) -> i32 {
        if self.passed {
            0
        } else {
            1
        }
    }
}

fn person_id(s: &Scenario, name: &str) -> Option<u32> {
    s.people
        .iter()
        .position(|p| p.name == name)
        .map(|i| i as u32)
}

/// First time the robot trace comes within `tol` of `place`.
fn robot_reach_time(metrics: &Metrics, place: &Pose2D, tol: f64) -> Option<f64> {
    metrics
        .trajectory
        .iter()
        .find(|(_, x, y)| (x - place.x).hypot(y - place.y) <= tol)
        .map(|(t, _, _)| *t)
}

/// Evaluate every expectation against the log and metrics.
pub fn evaluate(
    s: &Scenario,
    log: &[LogEntry],
    metrics: &Metrics,
    places: &Places,
) -> Vec<Outcome> {
    s.expectations
        .iter()
        .map(|e| {
            let (passed, detail) = check(s, e, log, metrics, places);
            Outcome {
                expectation: e.clone(),
                passed,
                detail,
            }
        })
        .collect()
}

/// One person's plan (`key` names them in errors): waits >= 0, questions with text and a
/// timeout, follow steps with sane times.
fn validate_plan(key: &str, plan: &[Action]) -> Result<(), String> {
    for (k, a) in plan.iter().enumerate() {
        match a {
            Action::Wait(s) | Action::WaitIn { seconds: s, .. }
                if !(s.is_finite() && *s >= 0.0) =>
            {
                return Err(format!("{key}.plan[{k}]: wait {s} must be >= 0"));
            }
            Action::AskRobot { text, timeout, .. } => {
                if text.trim().is_empty() {
                    return Err(format!("{key}.plan[{k}].ask_robot.text: empty"));
                }
                if !(timeout.is_finite() && *timeout > 0.0) {
                    return Err(format!("{key}.plan[{k}].ask_robot.timeout must be > 0"));
                }
            }
            Action::FollowRobot { wait, timeout }
                if !(wait.is_finite() && *wait >= 0.0 && timeout.is_finite() && *timeout > 0.0) =>
            {
                return Err(format!(
                    "{key}.plan[{k}].follow_robot: wait must be >= 0 and timeout > 0"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check(
    s: &Scenario,
    e: &Expectation,
    log: &[LogEntry],
    m: &Metrics,
    places: &Places,
) -> (bool, String) {
    match e {
        Expectation::RobotReached {
            place,
            within,
            tolerance,
        } => match places.get(place) {
            Some(p) => reached_within(robot_reach_time(m, p, *tolerance), *within),
            None => (false, format!("unknown place {place:?}")),
        },
        Expectation::PersonReached {
            person,
            place,
            within,
        } => {
            let id = person_id(s, person);
            let t = log.iter().find_map(|l| match &l.event {
                SimEvent::Person {
                    person: p,
                    event: PersonEvent::Reached { place: pl },
                    ..
                } if Some(*p) == id && pl == place => Some(l.t),
                _ => None,
            });
            reached_within(t, *within)
        }
        Expectation::NoCollision {} => {
            let ok = m.wall_collisions == 0 && m.person_collisions == 0;
            (
                ok,
                format!(
                    "{} wall and {} person collisions",
                    m.wall_collisions, m.person_collisions
                ),
            )
        }
        Expectation::GreetedOnce { person } => {
            let n = greetings(log, person_id(s, person)).len();
            (n == 1, format!("greeted {n} times"))
        }
        Expectation::Heard { person } => {
            let t = spoke_times(log, person_id(s, person));
            (
                !t.is_empty(),
                format!("{} utterances reached the robot", t.len()),
            )
        }
        Expectation::Answered {
            person,
            intent,
            within,
        } => answered(log, person_id(s, person), intent, *within),
        Expectation::Guided { person } => {
            let id = person_id(s, person);
            let followed = log.iter().any(|l| {
                matches!(&l.event, SimEvent::Person { person: p, event: PersonEvent::StartedFollowing, .. } if Some(*p) == id)
            });
            (
                followed,
                if followed {
                    "followed the robot".into()
                } else {
                    "never followed".into()
                },
            )
        }
        Expectation::MinDistanceToPeople { at_least } => match m.min_distance_to_people {
            Some(d) => (d >= *at_least, format!("min gap {d:.2} m")),
            None => (true, "no people present".into()),
        },
        Expectation::MaxPersonalSpaceTime { seconds } => (
            m.time_in_personal_space <= *seconds,
            format!("{:.1} s in personal space", m.time_in_personal_space),
        ),
        Expectation::NotGreeted { person } => {
            let n = greetings(log, person_id(s, person)).len();
            (n == 0, format!("greeted {n} times"))
        }
        Expectation::GreetedWithin { person, seconds } => {
            greeted_within(log, person_id(s, person), *seconds)
        }
        Expectation::RobotReturned {
            place,
            within,
            tolerance,
        } => match places.get(place) {
            Some(p) => robot_returned(m, place, (p.x, p.y), *within, *tolerance),
            None => (false, format!("unknown place {place:?}")),
        },
        Expectation::RobotStill { from, to, at_most } => robot_still(m, *from, *to, *at_most),
        Expectation::StoppedWhileSilent {
            sensor,
            within,
            at_most,
        } => stopped_while_silent(s, log, m, *sensor, *within, *at_most),
        Expectation::NoGreeting { from, to } => {
            let n = greeted(log)
                .filter(|(t, _)| *t >= *from && *t <= *to)
                .count();
            (n == 0, format!("{n} greetings between {from} and {to} s"))
        }
    }
}

/// Reached at `t` (if ever), at the latest at `within`.
fn reached_within(t: Option<f64>, within: f64) -> (bool, String) {
    match t {
        Some(t) if t <= within => (true, format!("reached at {t:.1} s")),
        Some(t) => (false, format!("reached at {t:.1} s, later than {within} s")),
        None => (false, "never reached".into()),
    }
}

/// The robot answered person `id` with `intent` within `within` s of their first utterance.
fn answered(log: &[LogEntry], id: Option<u32>, intent: &str, within: f64) -> (bool, String) {
    let spoke = spoke_times(log, id);
    let Some(&t0) = spoke.first() else {
        return (false, "never heard, so never answered".into());
    };
    let answers: Vec<(f64, Option<String>)> = log
        .iter()
        .filter_map(|l| match &l.event {
            SimEvent::Robot {
                action: RobotAction::Said { intent, .. },
                person: p,
            } if *p == id && l.t >= t0 => Some((l.t, intent.clone())),
            _ => None,
        })
        .collect();
    match answers.iter().find(|(_, i)| i.as_deref() == Some(intent)) {
        Some((t, _)) if t - t0 <= within => {
            (true, format!("answered {intent} after {:.1} s", t - t0))
        }
        Some((t, _)) => (
            false,
            format!("answered {intent} after {:.1} s (> {within} s)", t - t0),
        ),
        None => (
            false,
            format!(
                "no answer with intent {intent}; got {:?}",
                answers.iter().map(|a| a.1.clone()).collect::<Vec<_>>()
            ),
        ),
    }
}

/// Person `id` was greeted within `seconds` of the robot engaging them.
fn greeted_within(log: &[LogEntry], id: Option<u32>, seconds: f64) -> (bool, String) {
    let engaged = log.iter().find_map(|l| match &l.event {
        SimEvent::Robot {
            action: RobotAction::Engaged { .. },
            person: p,
        } if p.is_some() && *p == id => Some(l.t),
        _ => None,
    });
    let Some(t0) = engaged else {
        return (false, "the robot never engaged them".into());
    };
    match greetings(log, id).first() {
        Some(t) if *t - t0 <= seconds => (true, format!("greeted {:.2} s after engaging", t - t0)),
        Some(t) => (
            false,
            format!("greeted {:.2} s after engaging (> {seconds} s)", t - t0),
        ),
        None => (false, "never greeted".into()),
    }
}

/// The robot left `place` (at `at`) by more than 2 m and came back within `tolerance` of it by
/// `within`.
fn robot_returned(
    m: &Metrics,
    place: &str,
    at: (f64, f64),
    within: f64,
    tolerance: f64,
) -> (bool, String) {
    let d = |x: f64, y: f64| (x - at.0).hypot(y - at.1);
    let left = m.trajectory.iter().find(|(_, x, y)| d(*x, *y) > 2.0);
    let Some(&(t_left, _, _)) = left else {
        return (false, format!("never left {place}"));
    };
    match m
        .trajectory
        .iter()
        .find(|(t, x, y)| *t > t_left && d(*x, *y) <= tolerance)
    {
        Some((t, _, _)) if *t <= within => {
            (true, format!("left at {t_left:.1} s, back at {t:.1} s"))
        }
        Some((t, _, _)) => (false, format!("back at {t:.1} s, later than {within} s")),
        None => (false, format!("left at {t_left:.1} s and never came back")),
    }
}

/// The robot moved at most `at_most` m between `from` and `to`.
fn robot_still(m: &Metrics, from: f64, to: f64, at_most: f64) -> (bool, String) {
    let pts: Vec<_> = m
        .trajectory
        .iter()
        .filter(|(t, _, _)| *t >= from && *t <= to)
        .collect();
    let Some(&&(_, x0, y0)) = pts.first() else {
        return (false, format!("no robot trace between {from} and {to} s"));
    };
    let moved = pts
        .iter()
        .map(|(_, x, y)| (x - x0).hypot(y - y0))
        .fold(0.0, f64::max);
    (
        moved <= at_most,
        format!("moved {moved:.2} m between {from} and {to} s"),
    )
}

/// Every scripted fault of `sensor` happened, the robot was driving when it began, and it stood
/// within `within` s and then moved at most `at_most` m while the sensor stayed silent.
fn stopped_while_silent(
    s: &Scenario,
    log: &[LogEntry],
    m: &Metrics,
    sensor: Sensor,
    within: f64,
    at_most: f64,
) -> (bool, String) {
    let windows: Vec<_> = fault_windows(log)
        .into_iter()
        .filter(|w| w.0 == sensor)
        .collect();
    let scripted = s.faults.iter().filter(|f| f.sensor == sensor).count();
    let mut ok = windows.len() == scripted;
    let mut details = Vec::new();
    if !ok {
        details.push(format!(
            "{} of {scripted} {} faults happened (a when_driving fault waits for the robot to drive)",
            windows.len(),
            sensor.name()
        ));
    }
    for (_, from, to) in windows {
        let r = FaultRecord::from_trace(sensor, from, to, &m.trajectory);
        let at = format!(
            "{} silent {:.1}–{:.1} s: {:.2} m/s at the start",
            sensor.name(),
            r.from,
            r.to,
            r.speed_at_fault
        );
        let (held, what) = if r.speed_at_fault < MOVING_SPEED {
            (false, "not driving, so this shows nothing".to_string())
        } else {
            match r.stopped_after {
                None => (false, "never stood".to_string()),
                Some(t) if t > within => (false, format!("stood after {t:.2} s (> {within} s)")),
                Some(t) if r.moved_while_stopped > at_most => (
                    false,
                    format!(
                        "stood after {t:.2} s, then moved {:.2} m (> {at_most} m)",
                        r.moved_while_stopped
                    ),
                ),
                Some(t) => (
                    true,
                    format!(
                        "stood after {t:.2} s, then moved {:.2} m",
                        r.moved_while_stopped
                    ),
                ),
            }
        };
        ok &= held;
        details.push(format!("{at}, {what}"));
    }
    (ok, details.join("; "))
}

/// Every greeting the robot made: when, and whom.
fn greeted(log: &[LogEntry]) -> impl Iterator<Item = (f64, Option<u32>)> + '_ {
    log.iter().filter_map(|l| match &l.event {
        SimEvent::Robot {
            action: RobotAction::Greeted { .. },
            person,
        } => Some((l.t, *person)),
        _ => None,
    })
}

/// When the robot greeted this person.
fn greetings(log: &[LogEntry], id: Option<u32>) -> Vec<f64> {
    greeted(log)
        .filter(|(_, p)| p.is_some() && *p == id)
        .map(|(t, _)| t)
        .collect()
}

fn spoke_times(log: &[LogEntry], id: Option<u32>) -> Vec<f64> {
    log.iter()
        .filter_map(|l| match &l.event {
            SimEvent::Person {
                person,
                event: PersonEvent::Spoke { .. },
                ..
            } if Some(*person) == id => Some(l.t),
            _ => None,
        })
        .collect()
}

/// Assemble the report. `wall_time` is measured by the caller (this crate reads no clock).
pub fn report(
    s: &Scenario,
    seed: u64,
    log: &[LogEntry],
    metrics: &Metrics,
    places: &Places,
    wall_time: f64,
) -> Report {
    let expectations = evaluate(s, log, metrics, places);
    let passed = expectations.iter().all(|o| o.passed);
    let time_to_goal = s.expectations.iter().find_map(|e| match e {
        Expectation::RobotReached {
            place, tolerance, ..
        } => places
            .get(place)
            .and_then(|p| robot_reach_time(metrics, p, *tolerance)),
        _ => None,
    });
    Report {
        scenario: s.name.clone(),
        seed,
        passed,
        expectations,
        time_to_goal,
        path_length: metrics.path_length,
        min_distance_to_people: metrics.min_distance_to_people,
        collisions: Collisions {
            walls: metrics.wall_collisions,
            people: metrics.person_collisions,
        },
        time_in_personal_space: metrics.time_in_personal_space,
        time_in_intimate_space: metrics.time_in_intimate_space,
        faults: fault_windows(log)
            .into_iter()
            .map(|(sensor, from, to)| {
                FaultRecord::from_trace(sensor, from, to, &metrics.trajectory)
            })
            .collect(),
        sim_time: metrics.sim_time,
        wall_time,
        real_time_factor: if wall_time > 0.0 {
            metrics.sim_time / wall_time
        } else {
            f64::INFINITY
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod repeat_tests {
    use super::*;

    #[test]
    fn a_repeated_scenario_renames_people_and_moves_times() {
        let s = Scenario::from_yaml(
            "name: r\nduration: 100\npeople:\n  - {name: a, enter_at: 5, group: g, plan: [leave]}\n\
             operator:\n  - {at: 10, do: estop}\n\
             expectations:\n  - heard: {person: a}\n  - no_collision: {}\n  - max_personal_space_time: {seconds: 7}\n  - person_reached: {person: a, place: exit, within: 90}\n",
            "r.yaml",
        )
        .unwrap();
        assert_eq!(s.repeated(1), s);
        let r = s.repeated(3);
        assert_eq!(r.duration, 300.0);
        let names: Vec<(&str, f64, Option<&str>)> = r
            .people
            .iter()
            .map(|p| (p.name.as_str(), p.enter_at, p.group.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("a", 5.0, Some("g")),
                ("a~1", 105.0, Some("g~1")),
                ("a~2", 205.0, Some("g~2"))
            ]
        );
        assert_eq!(
            r.operator.iter().map(|o| o.at).collect::<Vec<_>>(),
            [10.0, 110.0, 210.0]
        );
        assert_eq!(
            r.expectations
                .iter()
                .filter(|e| matches!(e, Expectation::NoCollision {}))
                .count(),
            1
        );
        assert!(r
            .expectations
            .contains(&Expectation::MaxPersonalSpaceTime { seconds: 21.0 }));
        assert!(r.expectations.contains(&Expectation::PersonReached {
            person: "a~2".into(),
            place: "exit".into(),
            within: 290.0
        }));
        assert!(r.expectations.contains(&Expectation::Heard {
            person: "a~1".into()
        }));
        // The result is itself a valid scenario.
        let text = serde_yaml::to_string(&r).unwrap();
        assert!(Scenario::from_yaml(&text, "again.yaml").is_ok(), "{text}");
    }
}
