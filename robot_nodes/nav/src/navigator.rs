//! The navigation behaviour: goal → plan → follow, with goal and progress checks, periodic replanning,
//! waiting for people, guide mode, and recoveries (clear costmap, wait, rotate, back up, replan) until a
//! bounded number of attempts is spent. Failures carry Nav2-style error codes.

use letan_map::{Keepout, OccupancyGrid, Places};

use crate::controller::{ControlInput, ControlStatus, Controller};
use crate::costmap::Costmap;
use crate::error::{NavError, Result};
use crate::guide::{GuideState, GuideSupervisor};
use crate::params::NavParams;
use crate::planner::{Path, Planner};
use crate::types::{normalize_angle, pose_finite, to_local, LaserScan, Person, Pose2D, Twist2D};

/// Failure codes (numbers follow nav2_msgs ComputePathToPose / FollowPath / NavigateToPose results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NavErrorCode {
    StartOutsideMap,
    GoalOutsideMap,
    StartOccupied,
    GoalOccupied,
    NoValidPath,
    FailedToMakeProgress,
    FollowerLost,
    InvalidInput,
    UnknownPlace,
}

impl NavErrorCode {
    pub fn code(self) -> u16 {
        match self {
            NavErrorCode::StartOutsideMap => 203,
            NavErrorCode::GoalOutsideMap => 204,
            NavErrorCode::StartOccupied => 205,
            NavErrorCode::GoalOccupied => 206,
            NavErrorCode::NoValidPath => 208,
            NavErrorCode::FailedToMakeProgress => 105,
            NavErrorCode::FollowerLost => 9010,
            NavErrorCode::InvalidInput => 9000,
            NavErrorCode::UnknownPlace => 9011,
        }
    }

    /// Map a planning error to a code.
    pub fn from_error(e: &NavError) -> Self {
        match e {
            NavError::StartBlocked { why, .. } if why.contains("outside") => {
                NavErrorCode::StartOutsideMap
            }
            NavError::StartBlocked { .. } => NavErrorCode::StartOccupied,
            NavError::GoalBlocked { why, .. } if why.contains("outside") => {
                NavErrorCode::GoalOutsideMap
            }
            NavError::GoalBlocked { .. } => NavErrorCode::GoalOccupied,
            NavError::NoPath { .. } => NavErrorCode::NoValidPath,
            NavError::UnknownPlace(_) => NavErrorCode::UnknownPlace,
            _ => NavErrorCode::InvalidInput,
        }
    }
}

/// A failed goal: code + human-readable message (→ `error_code` + `error_msg`).
#[derive(Debug, Clone, PartialEq)]
pub struct NavFailure {
    pub code: NavErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryKind {
    ClearCostmap,
    Wait,
    Rotate,
    BackUp,
}

const RECOVERY_ORDER: [RecoveryKind; 4] = [
    RecoveryKind::ClearCostmap,
    RecoveryKind::Wait,
    RecoveryKind::Rotate,
    RecoveryKind::BackUp,
];

#[derive(Debug, Clone, PartialEq)]
pub enum NavState {
    Idle,
    Following,
    WaitingForPeople,
    WaitingForFollower,
    Recovering(RecoveryKind),
    Succeeded,
    Failed(NavFailure),
    Canceled,
}

impl NavState {
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            NavState::Following
                | NavState::WaitingForPeople
                | NavState::WaitingForFollower
                | NavState::Recovering(_)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Drive alone.
    Normal,
    /// Lead a citizen (slower, waits for them). `follower` may name a tracked person id.
    Guide { follower: Option<u64> },
}

/// Inputs of one navigation cycle.
#[derive(Debug, Clone, Copy)]
pub struct NavInput<'a> {
    pub now: f64,
    /// base_link in the map frame (from localization).
    pub pose: Pose2D,
    pub velocity: Twist2D,
    pub scan: Option<&'a LaserScan>,
    /// Tracked people in the map frame.
    pub people: &'a [Person],
}

#[derive(Debug, Clone, PartialEq)]
pub struct NavOutput {
    pub cmd: Twist2D,
    pub state: NavState,
    pub distance_remaining: f64,
    /// Estimated time to arrival (s).
    pub eta: f64,
    /// Set when a new path was computed this cycle (publish on /plan).
    pub new_path: bool,
    pub recoveries: u32,
    pub nearest_person: f64,
}

/// Progress checker: the robot must move `min_distance` every `timeout` seconds.
#[derive(Debug, Clone, Copy)]
pub struct ProgressChecker {
    anchor: Pose2D,
    since: f64,
    min_distance: f64,
    timeout: f64,
}

impl ProgressChecker {
    pub fn new(pose: Pose2D, now: f64, min_distance: f64, timeout: f64) -> Self {
        Self {
            anchor: pose,
            since: now,
            min_distance,
            timeout,
        }
    }
    pub fn reset(&mut self, pose: Pose2D, now: f64) {
        self.anchor = pose;
        self.since = now;
    }
    /// True if progress is still fine.
    pub fn check(&mut self, pose: Pose2D, now: f64) -> bool {
        if pose.distance(&self.anchor) >= self.min_distance {
            self.reset(pose, now);
            return true;
        }
        now - self.since <= self.timeout
    }
}

#[derive(Debug, Clone, Copy)]
struct ActiveRecovery {
    kind: RecoveryKind,
    start: f64,
    start_pose: Pose2D,
}

/// The navigation core.
#[derive(Debug, Clone)]
pub struct Navigator {
    params: NavParams,
    costmap: Costmap,
    planner: Planner,
    controller: Controller,
    laser: Pose2D,
    goal: Option<Pose2D>,
    mode: Mode,
    guide: Option<GuideSupervisor>,
    path: Path,
    state: NavState,
    recoveries: u32,
    recovery: Option<ActiveRecovery>,
    last_plan: f64,
    people_wait_since: Option<f64>,
    progress: ProgressChecker,
    new_path: bool,
    /// Where the last recovery started (the count resets once the robot is well past it).
    last_recovery_at: Option<Pose2D>,
    /// Recoveries on this goal in all (what feedback reports; `recoveries` is the running count).
    total_recoveries: u32,
}

impl Navigator {
    pub fn new(params: NavParams, map: &OccupancyGrid, keepout: Option<&Keepout>) -> Result<Self> {
        params.validate()?;
        let costmap = Costmap::new(map, keepout, &params.costmap, params.robot.radius)?;
        let planner = Planner::new(params.planner.clone());
        let controller = Controller::new(
            params.controller.clone(),
            params.robot.clone(),
            params.goal.clone(),
        );
        let laser = Pose2D::new(
            params.robot.laser_x,
            params.robot.laser_y,
            params.robot.laser_yaw,
        );
        let progress = ProgressChecker::new(
            Pose2D::default(),
            0.0,
            params.goal.progress_min_distance,
            params.goal.progress_timeout,
        );
        Ok(Self {
            params,
            costmap,
            planner,
            controller,
            laser,
            goal: None,
            mode: Mode::Normal,
            guide: None,
            path: Path::default(),
            state: NavState::Idle,
            recoveries: 0,
            recovery: None,
            last_plan: 0.0,
            people_wait_since: None,
            progress,
            new_path: false,
            last_recovery_at: None,
            total_recoveries: 0,
        })
    }

    pub fn costmap(&self) -> &Costmap {
        &self.costmap
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn state(&self) -> &NavState {
        &self.state
    }
    pub fn goal(&self) -> Option<Pose2D> {
        self.goal
    }
    pub fn guide(&self) -> Option<&GuideSupervisor> {
        self.guide.as_ref()
    }

    /// Accept a goal: plans at once. On error the goal is rejected (state becomes Failed with the code).
    /// Returns the goal actually used (moved to the nearest free pose if the given one was blocked).
    pub fn set_goal(
        &mut self,
        goal: Pose2D,
        mode: Mode,
        pose: Pose2D,
        now: f64,
    ) -> std::result::Result<Pose2D, NavFailure> {
        if !pose_finite(&goal) || !pose_finite(&pose) || !now.is_finite() {
            let f = NavFailure {
                code: NavErrorCode::InvalidInput,
                message: format!("non-finite goal {goal:?} or pose {pose:?}"),
            };
            self.state = NavState::Failed(f.clone());
            return Err(f);
        }
        let goal = Pose2D::new(goal.x, goal.y, normalize_angle(goal.yaw));
        match self.planner.plan(&self.costmap, &pose, &goal) {
            Ok(path) => {
                let used = path.goal().unwrap_or(goal);
                self.goal = Some(used);
                self.path = path;
                self.mode = mode;
                self.guide = match mode {
                    Mode::Guide { follower } => Some(GuideSupervisor::new(
                        self.params.guide.clone(),
                        now,
                        follower,
                    )),
                    Mode::Normal => None,
                };
                self.state = NavState::Following;
                self.recoveries = 0;
                self.total_recoveries = 0;
                self.last_recovery_at = None;
                self.recovery = None;
                self.people_wait_since = None;
                self.last_plan = now;
                self.progress.reset(pose, now);
                self.controller.reset(true);
                self.new_path = true;
                tracing::info!(
                    x = used.x,
                    y = used.y,
                    yaw = used.yaw,
                    length = self.path.length(),
                    "goal accepted"
                );
                Ok(used)
            }
            Err(e) => {
                let f = NavFailure {
                    code: NavErrorCode::from_error(&e),
                    message: e.to_string(),
                };
                tracing::warn!(code = f.code.code(), error = %e, "goal rejected");
                self.state = NavState::Failed(f.clone());
                self.goal = None;
                self.path = Path::default();
                Err(f)
            }
        }
    }

    /// Go to a named place.
    pub fn set_goal_place(
        &mut self,
        places: &Places,
        id: &str,
        mode: Mode,
        pose: Pose2D,
        now: f64,
    ) -> std::result::Result<Pose2D, NavFailure> {
        match places.get(id) {
            Ok(p) => self.set_goal(p, mode, pose, now),
            Err(_) => {
                let f = NavFailure {
                    code: NavErrorCode::UnknownPlace,
                    message: format!("unknown place {id:?}"),
                };
                self.state = NavState::Failed(f.clone());
                Err(f)
            }
        }
    }

    /// Return to the dock given in the places file.
    pub fn return_to_dock(
        &mut self,
        places: &Places,
        pose: Pose2D,
        now: f64,
    ) -> std::result::Result<Pose2D, NavFailure> {
        match places.dock {
            Some(d) => self.set_goal(d, Mode::Normal, pose, now),
            None => {
                let f = NavFailure {
                    code: NavErrorCode::UnknownPlace,
                    message: "the places file has no dock".into(),
                };
                self.state = NavState::Failed(f.clone());
                Err(f)
            }
        }
    }

    pub fn cancel(&mut self) {
        if self.state.is_active() {
            self.state = NavState::Canceled;
        }
        self.goal = None;
        self.recovery = None;
    }

    fn out(&mut self, cmd: Twist2D, remaining: f64, nearest: f64) -> NavOutput {
        let speed = match self.mode {
            Mode::Guide { .. } => self.params.guide.max_speed,
            Mode::Normal => self.params.robot.max_linear_speed,
        };
        let new_path = std::mem::take(&mut self.new_path);
        NavOutput {
            cmd,
            state: self.state.clone(),
            distance_remaining: remaining,
            eta: remaining / (0.8 * speed).max(1e-3),
            new_path,
            recoveries: self.total_recoveries,
            nearest_person: nearest,
        }
    }

    /// Close to the goal, with someone standing on it (within their body + the robot's radius).
    fn goal_taken(&self, pose: Pose2D, people: &[Person]) -> bool {
        let tol = self.params.goal.occupied_tolerance;
        let Some(goal) = self.goal else { return false };
        tol > 0.0
            && goal.distance(&pose) <= tol
            && people.iter().any(|p| {
                (p.x - goal.x).hypot(p.y - goal.y)
                    < self.params.robot.radius + self.params.costmap.person_radius + 0.1
            })
    }

    fn replan(&mut self, pose: Pose2D, now: f64) -> Result<()> {
        let Some(goal) = self.goal else { return Ok(()) };
        self.last_plan = now;
        let path = self.planner.plan(&self.costmap, &pose, &goal)?;
        self.path = path;
        self.controller.reset(false);
        self.new_path = true;
        Ok(())
    }

    fn fail(&mut self, code: NavErrorCode, message: String) {
        tracing::warn!(code = code.code(), %message, "navigation failed");
        self.state = NavState::Failed(NavFailure { code, message });
        self.goal = None;
        self.recovery = None;
    }

    fn start_recovery(&mut self, pose: Pose2D, now: f64, reason: &str) {
        if self.recoveries >= self.params.recovery.max_recoveries {
            let code = if self
                .planner
                .plan(&self.costmap, &pose, &self.goal.unwrap_or(pose))
                .is_err()
            {
                NavErrorCode::NoValidPath
            } else {
                NavErrorCode::FailedToMakeProgress
            };
            self.fail(
                code,
                format!("gave up after {} recoveries ({reason})", self.recoveries),
            );
            return;
        }
        let kind = RECOVERY_ORDER[self.recoveries as usize % RECOVERY_ORDER.len()];
        self.recoveries += 1;
        self.total_recoveries += 1;
        self.last_recovery_at = Some(pose);
        tracing::info!(?kind, reason, n = self.recoveries, "recovery");
        self.recovery = Some(ActiveRecovery {
            kind,
            start: now,
            start_pose: pose,
        });
        self.state = NavState::Recovering(kind);
    }

    /// One navigation cycle.
    pub fn step(&mut self, inp: &NavInput<'_>) -> NavOutput {
        let now = inp.now;
        let pose = inp.pose;
        if let Some(scan) = inp.scan {
            if pose_finite(&pose) {
                self.costmap.update_scan(&pose, &self.laser, scan);
            }
        }
        // the person being guided is not an obstacle to slow down for or plan around
        let follower = self.guide.as_ref().and_then(GuideSupervisor::follower_id);
        let others: Vec<Person> = inp
            .people
            .iter()
            .filter(|p| Some(p.id) != follower)
            .copied()
            .collect();
        self.costmap.set_people(&others);
        let nearest = inp
            .people
            .iter()
            .map(|p| (p.x - pose.x).hypot(p.y - pose.y))
            .fold(f64::INFINITY, f64::min);
        if !self.state.is_active() || self.goal.is_none() {
            return self.out(Twist2D::ZERO, 0.0, nearest);
        }
        if !pose_finite(&pose) || !now.is_finite() {
            return self.out(Twist2D::ZERO, self.path.length(), nearest);
        }
        let scan_points: Vec<[f64; 2]> = inp
            .scan
            .map(|s| s.points_in(&self.laser))
            .unwrap_or_default();

        // --- recoveries ---
        if let Some(r) = self.recovery {
            let (cmd, done) = self.run_recovery(&r, pose, now, &scan_points);
            if !done {
                return self.out(cmd, self.path.length(), nearest);
            }
            self.recovery = None;
            match self.replan(pose, now) {
                Ok(()) => {
                    self.state = NavState::Following;
                    self.progress.reset(pose, now);
                }
                Err(e) => {
                    self.start_recovery(pose, now, &e.to_string());
                    return self.out(Twist2D::ZERO, self.path.length(), nearest);
                }
            }
        }

        // --- periodic replanning ---
        let rp = self.params.recovery.replan_period;
        if rp > 0.0 && now - self.last_plan >= rp {
            if let Err(e) = self.replan(pose, now) {
                tracing::debug!(error = %e, "periodic replan failed; keeping the old path");
            }
        }

        // --- guide mode ---
        let Some(speed_limit) = self.guide_speed(pose, inp.people, now) else {
            return self.out(Twist2D::ZERO, self.path.length(), nearest);
        };

        // --- control ---
        let dt = 1.0 / self.params.controller.rate_hz;
        let out = self.controller.compute(&ControlInput {
            pose,
            velocity: inp.velocity,
            path: &self.path,
            scan_points: &scan_points,
            people: &others,
            speed_limit,
            dt,
        });
        match out.status {
            ControlStatus::Arrived => {
                self.state = NavState::Succeeded;
                self.goal = None;
                tracing::info!(x = pose.x, y = pose.y, "goal reached");
                return self.out(Twist2D::ZERO, 0.0, nearest);
            }
            ControlStatus::WaitingForPeople { .. } | ControlStatus::Blocked { .. }
                if self.goal_taken(pose, &others) =>
            {
                self.state = NavState::Succeeded;
                self.goal = None;
                tracing::info!(
                    x = pose.x,
                    y = pose.y,
                    "arrived next to the goal: people stand on it"
                );
                return self.out(Twist2D::ZERO, 0.0, nearest);
            }
            ControlStatus::WaitingForPeople { .. } => {
                self.wait_for_people(pose, now);
                return self.out(Twist2D::ZERO, out.distance_remaining, nearest);
            }
            ControlStatus::Blocked { free_distance } => {
                self.blocked(pose, now, &others, free_distance);
                return self.out(Twist2D::ZERO, out.distance_remaining, nearest);
            }
            ControlStatus::NoPath => {
                self.start_recovery(pose, now, "no path");
                return self.out(Twist2D::ZERO, 0.0, nearest);
            }
            ControlStatus::Following
            | ControlStatus::RotatingToHeading
            | ControlStatus::FinalRotation => {
                self.people_wait_since = None;
                self.state = NavState::Following;
                if let Some(at) = self.last_recovery_at {
                    if at.distance(&pose) >= self.params.recovery.reset_after_m {
                        tracing::debug!(
                            recoveries = self.recoveries,
                            "through: recovery count reset"
                        );
                        self.recoveries = 0;
                        self.last_recovery_at = None;
                    }
                }
            }
        }
        let turning = matches!(
            out.status,
            ControlStatus::RotatingToHeading | ControlStatus::FinalRotation
        );
        if turning {
            self.progress.reset(pose, now);
        } else if !self.progress.check(pose, now) {
            self.start_recovery(pose, now, "no progress");
            return self.out(Twist2D::ZERO, out.distance_remaining, nearest);
        }
        self.out(out.cmd, out.distance_remaining, nearest)
    }

    /// Guide mode: the speed limit while leading (infinite when not guiding), or `None` while the
    /// robot must stand: waiting for the person, or having lost them (the goal then fails).
    fn guide_speed(&mut self, pose: Pose2D, people: &[Person], now: f64) -> Option<f64> {
        let Some(g) = self.guide.as_mut() else {
            return Some(f64::INFINITY);
        };
        let d = g.update(&pose, people, now);
        match d.state {
            GuideState::Lost => {
                self.fail(
                    NavErrorCode::FollowerLost,
                    "the person being guided was not seen for too long".into(),
                );
                return None;
            }
            GuideState::Acquiring | GuideState::WaitingForFollower => {
                // stay put (turning to face them is the node's/dialog's business); progress is paused
                let at_goal = self
                    .path
                    .goal()
                    .is_some_and(|g| g.distance(&pose) < self.params.goal.xy_tolerance);
                if !at_goal {
                    self.state = NavState::WaitingForFollower;
                    self.progress.reset(pose, now);
                    return None;
                }
            }
            GuideState::Leading => {}
        }
        let limit = if d.state == GuideState::Leading {
            d.speed_limit
        } else {
            self.params.guide.max_speed
        };
        Some(limit.min(self.params.guide.max_speed))
    }

    /// People stand in the way: wait for them, and after `wait_for_people` recover (each recovery
    /// ends in a replan around them, with their personal space costly; bounded by max_recoveries,
    /// so it never waits forever).
    fn wait_for_people(&mut self, pose: Pose2D, now: f64) {
        let since = *self.people_wait_since.get_or_insert(now);
        self.state = NavState::WaitingForPeople;
        self.progress.reset(pose, now);
        if now - since > self.params.recovery.wait_for_people {
            self.people_wait_since = None;
            self.start_recovery(pose, now, "people block the way");
        }
    }

    /// Something blocks the path `free_distance` ahead: a person ahead is waited for first (usually
    /// fastest, and the most polite); then a replan, and if that fails a recovery.
    fn blocked(&mut self, pose: Pose2D, now: f64, others: &[Person], free_distance: f64) {
        let person_ahead = others.iter().any(|p| {
            let (lx, ly) = to_local(&pose, p.x, p.y);
            lx > 0.0 && lx < 2.0 && ly.abs() < 1.0
        });
        if person_ahead {
            let since = *self.people_wait_since.get_or_insert(now);
            self.state = NavState::WaitingForPeople;
            self.progress.reset(pose, now);
            if now - since <= self.params.recovery.wait_for_people {
                return;
            }
            self.people_wait_since = None;
        }
        // replan first; the new path may avoid the obstacle
        if now - self.last_plan > 0.5 && self.replan(pose, now).is_ok() {
            self.state = NavState::Following;
            return;
        }
        self.start_recovery(pose, now, &format!("blocked {free_distance:.2} m ahead"));
    }

    fn run_recovery(
        &mut self,
        r: &ActiveRecovery,
        pose: Pose2D,
        now: f64,
        scan_points: &[[f64; 2]],
    ) -> (Twist2D, bool) {
        let rp = self.params.recovery.clone();
        let elapsed = now - r.start;
        if elapsed > rp.behavior_timeout {
            return (Twist2D::ZERO, true);
        }
        match r.kind {
            RecoveryKind::ClearCostmap => {
                self.costmap.clear_dynamic();
                (Twist2D::ZERO, true)
            }
            RecoveryKind::Wait => (Twist2D::ZERO, elapsed >= rp.wait),
            RecoveryKind::Rotate => {
                let turned = normalize_angle(pose.yaw - r.start_pose.yaw).abs();
                let w = self.params.robot.max_angular_speed.min(0.6);
                // stop near the target so we do not exceed it much
                if elapsed > 0.0
                    && (turned >= rp.rotate_angle - 0.05 || elapsed * w >= rp.rotate_angle + 0.5)
                {
                    (Twist2D::ZERO, true)
                } else {
                    (Twist2D::new(0.0, w), false)
                }
            }
            RecoveryKind::BackUp => {
                let back = pose.distance(&r.start_pose);
                let rad = self.params.robot.radius + 0.05;
                // refuse to back into something the scan sees behind
                let behind_blocked = scan_points
                    .iter()
                    .any(|p| p[0] < 0.0 && p[0] > -(rad + rp.backup_distance) && p[1].abs() < rad);
                if back >= rp.backup_distance || behind_blocked {
                    (Twist2D::ZERO, true)
                } else {
                    (
                        Twist2D::new(
                            -rp.backup_speed.min(self.params.robot.max_reverse_speed),
                            0.0,
                        ),
                        false,
                    )
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn progress_checker_times_out_without_motion() {
        let mut p = ProgressChecker::new(Pose2D::new(0.0, 0.0, 0.0), 0.0, 0.3, 5.0);
        assert!(p.check(Pose2D::new(0.1, 0.0, 0.0), 4.0));
        assert!(!p.check(Pose2D::new(0.2, 0.0, 0.0), 5.5));
        assert!(p.check(Pose2D::new(0.35, 0.0, 0.0), 6.0));
        assert!(p.check(Pose2D::new(0.35, 0.0, 0.0), 10.9));
    }

    #[test]
    fn error_codes() {
        let e = NavError::NoPath {
            sx: 0.0,
            sy: 0.0,
            gx: 1.0,
            gy: 1.0,
            expanded: 3,
        };
        assert_eq!(NavErrorCode::from_error(&e).code(), 208);
        let e = NavError::GoalBlocked {
            x: 0.0,
            y: 0.0,
            why: "outside the map",
        };
        assert_eq!(NavErrorCode::from_error(&e), NavErrorCode::GoalOutsideMap);
    }
}
