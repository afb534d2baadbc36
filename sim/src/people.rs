//! Simulated visitors: a social-force walker (Helbing & Molnár 1995 driving and repulsive terms,
//! with the anisotropy of Helbing et al. 2000 and group cohesion in the spirit of Moussaïd et al.
//! 2010, as used by pedsim and HuNavSim), driven by a scripted plan: enter, take a ticket, wait,
//! walk to counters, ask the robot, follow it when guided, leave.

use crate::geom::{pose, wrap_angle};
use crate::grid::Grid;
use crate::navfield::NavField;
use crate::rng::SimRng;
use letan_core::Pose2D;
use nalgebra::Vector2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Social-force parameters (accelerations in m/s², lengths in m, times in s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SocialForceConfig {
    /// Relaxation time of the driving term.
    pub tau: f64,
    /// Person–person repulsion strength and range.
    pub a_person: f64,
    pub b_person: f64,
    /// Anisotropy: weight of interactions behind the walker (1 = isotropic).
    pub lambda: f64,
    /// Wall repulsion strength and range.
    pub a_wall: f64,
    pub b_wall: f64,
    /// Repulsion from the robot (people keep more distance from a machine).
    pub a_robot: f64,
    pub b_robot: f64,
    /// Body contact stiffness (1/s²) when discs overlap.
    pub contact_k: f64,
    /// Attraction of group members towards their leader's side.
    pub group_cohesion: f64,
    /// Body radius.
    pub radius: f64,
    /// Range beyond which other agents are ignored.
    pub cutoff: f64,
    /// Cap on speed relative to the walker's preferred speed.
    pub max_speed_factor: f64,
}

impl Default for SocialForceConfig {
    fn default() -> Self {
        Self {
            tau: 0.5,
            a_person: 2.1,
            b_person: 0.3,
            lambda: 0.35,
            a_wall: 5.0,
            b_wall: 0.1,
            a_robot: 3.0,
            b_robot: 0.35,
            contact_k: 1500.0,
            group_cohesion: 1.0,
            radius: 0.23,
            cutoff: 3.0,
            max_speed_factor: 1.3,
        }
    }
}

/// One step of a scripted plan, as written in scenario files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Walk to a named place.
    GoTo(String),
    /// Stand still for some seconds.
    Wait(f64),
    /// Walk to the queue kiosk and take a number.
    TakeTicket,
    /// Walk to a place (default the waiting area) and wait there.
    WaitIn {
        #[serde(default = "default_waiting_area")]
        place: String,
        seconds: f64,
    },
    /// Walk up to the robot, face it and say something; wait for an answer.
    AskRobot {
        text: String,
        /// BCP-47 language (`vi` or `en`); defaults to the person's language.
        #[serde(default)]
        lang: Option<String>,
        /// Audio file (relative to the scenario) to play instead of synthesizing.
        #[serde(default)]
        audio: Option<String>,
        /// Give up waiting for an answer after this long (s).
        #[serde(default = "default_ask_timeout")]
        timeout: f64,
    },
    /// If the robot starts guiding within `wait` seconds, follow it until it stops guiding.
    FollowRobot {
        #[serde(default = "default_follow_wait")]
        wait: f64,
        #[serde(default = "default_follow_timeout")]
        timeout: f64,
    },
    /// Walk to the exit and disappear.
    Leave,
}

fn default_waiting_area() -> String {
    "waiting_area".into()
}
fn default_ask_timeout() -> f64 {
    30.0
}
fn default_follow_wait() -> f64 {
    15.0
}
fn default_follow_timeout() -> f64 {
    180.0
}

/// What a person is doing now (ground truth; published for scoring and debugging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Walking,
    Waiting,
    ApproachingRobot,
    Speaking,
    WaitingForAnswer,
    WaitingForGuide,
    Following,
    InGroup,
    Gone,
}

/// A visitor.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: u32,
    pub name: String,
    pub lang: String,
    pub pos: Vector2<f64>,
    pub vel: Vector2<f64>,
    pub yaw: f64,
    pub radius: f64,
    /// Preferred walking speed (m/s).
    pub speed: f64,
    pub ignores_robot: bool,
    /// Index of the group leader in the world's person list (None = walks alone or leads).
    pub leader: Option<usize>,
    /// Slot beside the leader (metres to the leader's left; negative = right).
    pub group_offset: f64,
    /// Index into the face bank.
    pub face: usize,
    /// Shirt colour for the camera.
    pub shirt: [u8; 3],
    /// Gait phase (rad) for leg positions.
    pub gait: f64,
    pub present: bool,
    pub activity: Activity,
    plan: Vec<Action>,
    step: usize,
    phase: Phase,
    timer: f64,
    /// Small per-person offset around shared goals so people don't stack on one point.
    goal_jitter: Vector2<f64>,
    /// Sideways shift (m, robot's left) of where this person stands to talk to the robot: a group
    /// leader stands off-centre so that the whole group faces the robot (set by the world).
    pub approach_shift: f64,
    /// The robot has greeted this person (set by the world).
    pub greeted: bool,
    /// The robot's engagement model has engaged this person (set by the world).
    pub engaged: bool,
    /// Seconds spent in front of the robot waiting to be greeted before speaking.
    waited_for_greeting: f64,
}

/// A person who walks up to the robot waits this long for its greeting before speaking (s).
pub const GREETING_PATIENCE_S: f64 = 3.0;
/// A follower stays this far (body gap, m) from a robot that is not moving away: they wait behind
/// it instead of walking around it.
pub const FOLLOW_GAP_M: f64 = 0.8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Start,
    Going,
    Dwelling,
    Approach,
    AwaitAnswer,
    AwaitGuide,
    Follow,
}

/// Things people do that the world logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PersonEvent {
    Reached {
        place: String,
    },
    TicketTaken {
        number: u32,
    },
    Spoke {
        text: String,
        lang: String,
        audio: Option<String>,
    },
    AnswerTimeout,
    StartedFollowing,
    StoppedFollowing,
    Left,
}

/// What a person sees of the robot this step.
#[derive(Debug, Clone, Copy)]
pub struct RobotView {
    pub pose: Pose2D,
    pub radius: f64,
    pub guiding: bool,
}

/// Static context for stepping people.
pub struct Context<'a> {
    pub grid: &'a Grid,
    pub places: &'a BTreeMap<String, Pose2D>,
    pub fields: &'a BTreeMap<String, NavField>,
    pub cfg: &'a SocialForceConfig,
    pub mic_range: f64,
    pub mic_facing: f64,
}

/// After one think: stay on the plan's step this substep, or move on to the next step.
enum Step {
    Stay,
    Next,
}

impl Person {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: u32,
        name: String,
        lang: String,
        start: Vector2<f64>,
        speed: f64,
        ignores_robot: bool,
        plan: Vec<Action>,
        rng: &mut SimRng,
        radius: f64,
    ) -> Self {
        let hue = rng.uniform();
        Self {
            id,
            name,
            lang,
            pos: start,
            vel: Vector2::zeros(),
            yaw: 0.0,
            radius,
            speed,
            ignores_robot,
            leader: None,
            group_offset: 0.0,
            face: 0,
            shirt: hue_to_rgb(hue),
            gait: rng.range(0.0, std::f64::consts::TAU),
            present: false,
            activity: Activity::Waiting,
            plan,
            step: 0,
            phase: Phase::Start,
            timer: 0.0,
            goal_jitter: Vector2::new(rng.range(-0.3, 0.3), rng.range(-0.3, 0.3)),
            approach_shift: 0.0,
            greeted: false,
            engaged: false,
            waited_for_greeting: 0.0,
        }
    }

    pub fn pose(&self) -> Pose2D {
        pose(self.pos.x, self.pos.y, self.yaw)
    }

    /// Places this person's plan names (to precompute navigation fields).
    pub fn places_needed(&self) -> Vec<String> {
        let mut v = Vec::new();
        for a in &self.plan {
            match a {
                Action::GoTo(p) => v.push(p.clone()),
                Action::WaitIn { place, .. } => v.push(place.clone()),
                Action::TakeTicket => v.push("queue_kiosk".into()),
                Action::Leave => v.push("exit".into()),
                _ => {}
            }
        }
        v
    }

    /// Is the person facing a point within `max_angle` radians?
    pub fn faces(&self, p: Vector2<f64>, max_angle: f64) -> bool {
        let d = p - self.pos;
        let a = d.y.atan2(d.x);
        wrap_angle(a - self.yaw).abs() <= max_angle
    }

    /// The leg centres (left, right) for the lidar: a scissor gait while walking.
    pub fn legs(&self) -> [Vector2<f64>; 2] {
        let h = Vector2::new(self.yaw.cos(), self.yaw.sin());
        let l = Vector2::new(-h.y, h.x);
        let speed = self.vel.norm().min(1.5);
        let stride = 0.25 * (speed / 1.2).min(1.0);
        let s = stride * self.gait.sin();
        [self.pos + l * 0.1 + h * s, self.pos - l * 0.1 - h * s]
    }

    fn current_target(
        &self,
        ctx: &Context,
        robot: &RobotView,
    ) -> Option<(Vector2<f64>, Option<String>)> {
        let place_target = |name: &str| {
            ctx.places
                .get(name)
                .map(|p| (p.position(), Some(name.to_string())))
        };
        match self.plan.get(self.step)? {
            Action::GoTo(p) => place_target(p),
            Action::WaitIn { place, .. } => place_target(place),
            Action::TakeTicket => place_target("queue_kiosk"),
            Action::Leave => place_target("exit"),
            Action::AskRobot { .. } => Some((self.approach_point(ctx, robot), None)),
            Action::FollowRobot { .. } => {
                let behind = robot
                    .pose
                    .transform_point(Vector2::new(-(robot.radius + 0.8), 0.0));
                Some((behind, None))
            }
            Action::Wait(_) => None,
        }
    }

    /// Advance the plan (decisions only; motion is done by `social_forces` + `integrate`).
    /// Returns events. `answered`/`guide_*` are the robot's actions addressed to this person.
    pub fn think(
        &mut self,
        dt: f64,
        ctx: &Context,
        robot: &RobotView,
        answered: bool,
        guide_started: bool,
        next_ticket: &mut u32,
    ) -> Vec<PersonEvent> {
        let mut ev = Vec::new();
        if !self.present || self.leader.is_some() {
            return ev;
        }
        // Bounded: each iteration either stays on the step or advances it.
        for _ in 0..8 {
            let Some(action) = self.plan.get(self.step).cloned() else {
                self.activity = Activity::Waiting;
                return ev;
            };
            let step = match action {
                Action::Wait(s) => self.think_wait(s, dt),
                Action::GoTo(_) | Action::TakeTicket | Action::WaitIn { .. } | Action::Leave => {
                    self.think_walk(&action, dt, ctx, robot, next_ticket, &mut ev)
                }
                Action::AskRobot {
                    text,
                    lang,
                    audio,
                    timeout,
                } => {
                    let said = (text, lang, audio);
                    self.think_ask(said, timeout, dt, ctx, robot, answered, &mut ev)
                }
                Action::FollowRobot { wait, timeout } => {
                    self.think_follow(wait, timeout, dt, robot, guide_started, &mut ev)
                }
            };
            match step {
                Step::Stay => return ev,
                Step::Next => self.advance(),
            }
        }
        ev
    }

    /// `wait`: stand where one is for `s` seconds.
    fn think_wait(&mut self, s: f64, dt: f64) -> Step {
        if self.phase == Phase::Start {
            self.phase = Phase::Dwelling;
            self.timer = s;
        }
        self.activity = Activity::Waiting;
        self.timer -= dt;
        if self.timer > 0.0 {
            Step::Stay
        } else {
            Step::Next
        }
    }

    /// `go_to`, `take_ticket`, `wait_in`, `leave`: walk to the place, then do what the step says
    /// there (take a number, dwell, go out).
    fn think_walk(
        &mut self,
        action: &Action,
        dt: f64,
        ctx: &Context,
        robot: &RobotView,
        next_ticket: &mut u32,
        ev: &mut Vec<PersonEvent>,
    ) -> Step {
        let Some((target, place)) = self.current_target(ctx, robot) else {
            return Step::Next;
        };
        match self.phase {
            Phase::Start => {
                self.phase = Phase::Going;
                self.activity = Activity::Walking;
                Step::Stay
            }
            Phase::Going => {
                let goal = target + self.goal_jitter;
                // Near the place but blocked (someone, or the robot, stands on it) for 2 s: good enough.
                if (self.pos - target).norm() < 1.5 && self.vel.norm() < 0.1 {
                    self.timer += dt;
                } else {
                    self.timer = 0.0;
                }
                let close = (self.pos - goal).norm() < 0.35 || self.timer > 2.0;
                if !close {
                    return Step::Stay;
                }
                if let Some(place) = place {
                    ev.push(PersonEvent::Reached { place });
                }
                match action {
                    Action::TakeTicket => {
                        self.phase = Phase::Dwelling;
                        self.timer = 2.0;
                        *next_ticket += 1;
                        ev.push(PersonEvent::TicketTaken {
                            number: *next_ticket,
                        });
                        Step::Stay
                    }
                    Action::WaitIn { seconds, .. } => {
                        self.phase = Phase::Dwelling;
                        self.timer = *seconds;
                        Step::Stay
                    }
                    Action::Leave => {
                        self.present = false;
                        self.activity = Activity::Gone;
                        ev.push(PersonEvent::Left);
                        Step::Stay
                    }
                    _ => Step::Next,
                }
            }
            _ => {
                // Dwelling at the place.
                self.activity = Activity::Waiting;
                self.timer -= dt;
                if self.timer > 0.0 {
                    Step::Stay
                } else {
                    Step::Next
                }
            }
        }
    }

    /// `ask_robot`: come up to the robot, wait a moment to be greeted, say it, and wait for an
    /// answer until `timeout`.
    #[allow(clippy::too_many_arguments)]
    fn think_ask(
        &mut self,
        (text, lang, audio): (String, Option<String>, Option<String>),
        timeout: f64,
        dt: f64,
        ctx: &Context,
        robot: &RobotView,
        answered: bool,
        ev: &mut Vec<PersonEvent>,
    ) -> Step {
        if self.ignores_robot {
            return Step::Next;
        }
        match self.phase {
            Phase::Start => {
                self.phase = Phase::Approach;
                self.timer = 0.0;
                self.activity = Activity::ApproachingRobot;
                Step::Stay
            }
            Phase::Approach => {
                self.timer += dt;
                let rp = robot.pose.position();
                let near = (self.pos - rp).norm() <= ctx.mic_range;
                let slow = self.vel.norm() < 0.3;
                let ready = near && slow && self.faces(rp, ctx.mic_facing);
                if ready && !self.greeted && self.waited_for_greeting < GREETING_PATIENCE_S {
                    // Like anyone at a reception desk: wait a moment to be greeted.
                    self.waited_for_greeting += dt;
                    self.activity = Activity::WaitingForAnswer;
                    return Step::Stay;
                }
                if ready {
                    self.activity = Activity::Speaking;
                    ev.push(PersonEvent::Spoke {
                        text,
                        lang: lang.unwrap_or_else(|| self.lang.clone()),
                        audio,
                    });
                    self.phase = Phase::AwaitAnswer;
                    self.timer = 0.0;
                    return Step::Stay;
                }
                if self.timer > timeout + 60.0 {
                    // never got near the robot
                    ev.push(PersonEvent::AnswerTimeout);
                    return Step::Next;
                }
                Step::Stay
            }
            _ => {
                self.activity = Activity::WaitingForAnswer;
                self.timer += dt;
                if answered {
                    return Step::Next;
                }
                if self.timer > timeout {
                    ev.push(PersonEvent::AnswerTimeout);
                    return Step::Next;
                }
                Step::Stay
            }
        }
    }

    /// `follow_robot`: wait up to `wait` for the robot to start guiding, then follow it until it
    /// stops guiding or `timeout` passes.
    fn think_follow(
        &mut self,
        wait: f64,
        timeout: f64,
        dt: f64,
        robot: &RobotView,
        guide_started: bool,
        ev: &mut Vec<PersonEvent>,
    ) -> Step {
        if self.ignores_robot {
            return Step::Next;
        }
        match self.phase {
            Phase::Start => {
                self.phase = Phase::AwaitGuide;
                self.timer = 0.0;
                self.activity = Activity::WaitingForGuide;
                // check the guide flag at once
                if guide_started || robot.guiding {
                    self.phase = Phase::Follow;
                    self.activity = Activity::Following;
                    ev.push(PersonEvent::StartedFollowing);
                }
                Step::Stay
            }
            Phase::AwaitGuide => {
                self.timer += dt;
                if guide_started || robot.guiding {
                    self.phase = Phase::Follow;
                    self.timer = 0.0;
                    self.activity = Activity::Following;
                    ev.push(PersonEvent::StartedFollowing);
                    return Step::Stay;
                }
                if self.timer > wait {
                    return Step::Next;
                }
                Step::Stay
            }
            _ => {
                self.timer += dt;
                if !robot.guiding || self.timer > timeout {
                    ev.push(PersonEvent::StoppedFollowing);
                    return Step::Next;
                }
                Step::Stay
            }
        }
    }

    fn advance(&mut self) {
        self.step += 1;
        self.phase = Phase::Start;
        self.timer = 0.0;
    }

    /// Where to stand to talk to the robot: in front of it if that spot is free, else the nearest
    /// free spot on an arc around its front (people on the other side of a desk walk around it).
    fn approach_point(&self, ctx: &Context, robot: &RobotView) -> Vector2<f64> {
        let dist = robot.radius + 0.75;
        let side = if self.id.is_multiple_of(2) { 1.0 } else { -1.0 };
        let mut best = robot
            .pose
            .transform_point(Vector2::new(dist, self.approach_shift));
        for k in 0..9 {
            let a = side
                * if k % 2 == 0 {
                    (k / 2) as f64 * 0.45
                } else {
                    -(((k + 1) / 2) as f64) * 0.45
                };
            let p = robot.pose.transform_point(Vector2::new(
                dist * a.cos(),
                dist * a.sin() + self.approach_shift,
            ));
            if ctx.grid.clearance(p) > self.radius + 0.05 {
                best = p;
                break;
            }
        }
        best
    }

    /// Is the person engaging with the robot (so it does not shy away from it)?
    pub fn engaging(&self) -> bool {
        matches!(
            self.phase,
            Phase::Approach | Phase::AwaitAnswer | Phase::AwaitGuide | Phase::Follow
        ) || self.lingering()
    }

    /// Waiting right after talking to the robot: still in front of it, still facing it (reading
    /// the screen, thinking of the next question).
    fn lingering(&self) -> bool {
        self.phase == Phase::Dwelling
            && self.step > 0
            && matches!(self.plan.get(self.step - 1), Some(Action::AskRobot { .. }))
    }

    /// The place this person is walking to now, if their current step names one.
    pub fn current_place(&self) -> Option<&str> {
        match self.plan.get(self.step)? {
            Action::GoTo(p) => Some(p),
            Action::WaitIn { place, .. } => Some(place),
            Action::TakeTicket => Some("queue_kiosk"),
            Action::Leave => Some("exit"),
            _ => None,
        }
    }

    /// Is the person currently waiting for the robot to answer?
    pub fn awaiting_answer(&self) -> bool {
        self.present && self.phase == Phase::AwaitAnswer
    }

    /// Is the person waiting to be guided or following?
    pub fn wants_guide(&self) -> bool {
        self.present && matches!(self.phase, Phase::AwaitGuide | Phase::Follow)
            || (self.present
                && self.phase == Phase::Start
                && matches!(self.plan.get(self.step), Some(Action::FollowRobot { .. })))
    }

    /// Desired velocity from the plan (before interaction forces).
    fn desired_velocity(
        &self,
        ctx: &Context,
        robot: &RobotView,
        leader: Option<&Person>,
    ) -> Vector2<f64> {
        if let Some(l) = leader {
            // Walk beside the leader.
            let h = Vector2::new(l.yaw.cos(), l.yaw.sin());
            let side = Vector2::new(-h.y, h.x);
            let slot = l.pos + side * self.group_offset;
            let d = slot - self.pos;
            let dist = d.norm();
            if dist < 0.2 {
                return Vector2::zeros();
            }
            // Far behind: take the leader's route (its navigation field) instead of cutting corners.
            let aim = match l.current_place().and_then(|p| ctx.fields.get(p)) {
                Some(f) if dist > 1.0 => f.waypoint(ctx.grid, self.pos, 0.8).unwrap_or(slot),
                _ => slot,
            };
            let da = aim - self.pos;
            let n = da.norm().max(1e-9);
            let v = (self.speed * if dist > 1.0 { 1.3 } else { 1.0 }).min(dist / 0.6);
            return da / n * v;
        }
        let moving = matches!(self.phase, Phase::Going | Phase::Approach | Phase::Follow);
        if !moving {
            return Vector2::zeros();
        }
        if self.phase == Phase::Follow
            && (robot.pose.position() - self.pos).norm() < robot.radius + self.radius + FOLLOW_GAP_M
        {
            // Close to the robot already. Standing in its way (in front of it, near its axis):
            // step aside, as anyone told "follow me" does; otherwise wait for it to move on.
            let rel = self.pos - robot.pose.position();
            let (c, s) = (robot.pose.yaw.cos(), robot.pose.yaw.sin());
            let (ahead, lateral) = (c * rel.x + s * rel.y, -s * rel.x + c * rel.y);
            let clear = robot.radius + self.radius + 0.3;
            if ahead > 0.0 && lateral.abs() < clear {
                let side = if lateral >= 0.0 { 1.0 } else { -1.0 };
                return Vector2::new(-s, c) * (side * 0.4);
            }
            return Vector2::zeros();
        }
        let Some((target, place)) = self.current_target(ctx, robot) else {
            return Vector2::zeros();
        };
        let goal = if place.is_some() {
            target + self.goal_jitter
        } else {
            target
        };
        let aim = match place.as_ref().and_then(|p| ctx.fields.get(p)) {
            Some(f) if (goal - self.pos).norm() > 1.0 => {
                f.waypoint(ctx.grid, self.pos, 0.8).unwrap_or(goal)
            }
            _ => goal,
        };
        let d = aim - self.pos;
        let dist = (goal - self.pos).norm();
        let n = d.norm();
        if n < 1e-6 {
            return Vector2::zeros();
        }
        let mut v = self.speed;
        // slow down when arriving (and keep pace behind a guiding robot)
        v = v.min(dist / 0.8);
        if self.phase == Phase::Follow {
            v = v.min(self.speed * 1.2);
        }
        if self.phase == Phase::Approach
            && (self.pos - robot.pose.position()).norm() < robot.radius + 0.9
        {
            v = 0.0;
        }
        d / n * v
    }

    /// Whom to look at when standing still.
    fn look_target(&self, robot: &RobotView) -> Option<Vector2<f64>> {
        match self.phase {
            Phase::Approach | Phase::AwaitAnswer | Phase::AwaitGuide => Some(robot.pose.position()),
            _ if self.lingering() => Some(robot.pose.position()),
            _ => None,
        }
    }
}

/// Compute the social-force acceleration of every present person.
pub fn social_forces(people: &[Person], ctx: &Context, robot: &RobotView) -> Vec<Vector2<f64>> {
    let cfg = ctx.cfg;
    let mut out = vec![Vector2::zeros(); people.len()];
    for (i, p) in people.iter().enumerate() {
        if !p.present {
            continue;
        }
        let leader = p.leader.and_then(|l| people.get(l)).filter(|l| l.present);
        let v0 = p.desired_velocity(ctx, robot, leader);
        let mut f = (v0 - p.vel) / cfg.tau;
        let e = if p.vel.norm() > 0.05 {
            p.vel.normalize()
        } else if v0.norm() > 1e-6 {
            v0.normalize()
        } else {
            Vector2::new(p.yaw.cos(), p.yaw.sin())
        };
        for (j, q) in people.iter().enumerate() {
            if i == j || !q.present {
                continue;
            }
            let d = p.pos - q.pos;
            let dist = d.norm();
            if dist > cfg.cutoff {
                continue;
            }
            let n = if dist > 1e-9 {
                d / dist
            } else {
                // coincident: deterministic split by id
                let a = (p.id as f64) * 2.399;
                Vector2::new(a.cos(), a.sin())
            };
            let rij = p.radius + q.radius;
            let cos_phi = -n.dot(&e);
            let w = cfg.lambda + (1.0 - cfg.lambda) * 0.5 * (1.0 + cos_phi);
            let mut a = cfg.a_person * ((rij - dist) / cfg.b_person).exp() * w;
            // group members tolerate closeness
            let same_group = p.leader == Some(j)
                || q.leader == Some(i)
                || (p.leader.is_some() && p.leader == q.leader);
            if same_group {
                // Companions standing together stay put side by side; only contact pushes them.
                let standing = p.vel.norm() < 0.3 && q.vel.norm() < 0.3;
                a *= if standing { 0.0 } else { 0.3 };
            }
            f += n * a;
            if dist < rij {
                f += n * cfg.contact_k * (rij - dist);
            }
        }
        // the robot (people talking to it or following it don't shy away)
        let d = p.pos - robot.pose.position();
        let dist = d.norm();
        if dist < cfg.cutoff && dist > 1e-9 {
            let n = d / dist;
            let rij = p.radius + robot.radius;
            let talking = p.engaging() || leader.is_some_and(|l| l.engaging());
            let a = if talking {
                cfg.a_robot * 0.2
            } else {
                cfg.a_robot
            };
            f += n * a * ((rij - dist) / cfg.b_robot).exp();
            if dist < rij {
                f += n * cfg.contact_k * (rij - dist);
            }
        }
        // walls
        let c = ctx.grid.clearance(p.pos);
        if c < 1.0 {
            let n = ctx.grid.clearance_gradient(p.pos);
            f += n * cfg.a_wall * ((p.radius - c) / cfg.b_wall).exp();
            if c < p.radius {
                f += n * cfg.contact_k * (p.radius - c);
            }
        }
        // group cohesion: pull followers back when they drift away from the leader
        if let Some(l) = leader {
            let d = l.pos - p.pos;
            let dist = d.norm();
            if dist > 1.5 {
                f += d / dist * cfg.group_cohesion * (dist - 1.5);
            }
        }
        if !f.x.is_finite() || !f.y.is_finite() {
            f = Vector2::zeros();
        }
        out[i] = f;
    }
    out
}

/// Integrate accelerations (semi-implicit Euler), keep people out of walls, update heading and gait.
pub fn integrate(
    people: &mut [Person],
    acc: &[Vector2<f64>],
    ctx: &Context,
    robot: &RobotView,
    dt: f64,
) {
    let cfg = ctx.cfg;
    // Where each person looks when standing still: at the robot while talking to it, and a group
    // member looks where their leader looks (a couple both face the robot their leader talks to).
    let looks: Vec<Option<Vector2<f64>>> = people
        .iter()
        .map(|p| {
            p.look_target(robot).or_else(|| {
                p.leader
                    .and_then(|l| people.get(l))
                    .and_then(|l| l.look_target(robot))
            })
        })
        .collect();
    for ((p, a), look) in people.iter_mut().zip(acc).zip(looks) {
        if !p.present {
            continue;
        }
        let max_a = 8.0;
        let a = if a.norm() > max_a {
            a.normalize() * max_a
        } else {
            *a
        };
        p.vel += a * dt;
        let vmax = p.speed * cfg.max_speed_factor;
        let s = p.vel.norm();
        if s > vmax {
            p.vel *= vmax / s;
        }
        if p.vel.norm() < 0.03 && a.norm() < 0.3 {
            p.vel = Vector2::zeros();
        }
        let next = p.pos + p.vel * dt;
        if ctx.grid.disc_overlaps(next, p.radius * 0.6) {
            // slide along the wall: try each axis
            let nx = Vector2::new(next.x, p.pos.y);
            let ny = Vector2::new(p.pos.x, next.y);
            if !ctx.grid.disc_overlaps(nx, p.radius * 0.6) {
                p.pos = nx;
                p.vel.y = 0.0;
            } else if !ctx.grid.disc_overlaps(ny, p.radius * 0.6) {
                p.pos = ny;
                p.vel.x = 0.0;
            } else {
                p.vel = Vector2::zeros();
            }
        } else {
            p.pos = next;
        }
        let speed = p.vel.norm();
        if speed > 0.15 {
            let target = p.vel.y.atan2(p.vel.x);
            p.yaw = turn_towards(p.yaw, target, 4.0 * dt);
            p.gait = wrap_angle(p.gait + speed / 0.35 * std::f64::consts::PI * dt);
        } else if let Some(t) = look {
            let d = t - p.pos;
            p.yaw = turn_towards(p.yaw, d.y.atan2(d.x), 2.5 * dt);
        }
    }
}

fn turn_towards(yaw: f64, target: f64, max_step: f64) -> f64 {
    let d = wrap_angle(target - yaw);
    wrap_angle(yaw + d.clamp(-max_step, max_step))
}

fn hue_to_rgb(h: f64) -> [u8; 3] {
    let h6 = (h.fract() * 6.0).max(0.0);
    let x = 1.0 - (h6 % 2.0 - 1.0).abs();
    let (r, g, b) = match h6 as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    let c = |v: f64| (40.0 + 170.0 * v) as u8;
    [c(r), c(g), c(b)]
}
