//! The goal supervisor: one goal at a time, from the place topic (a named place, `dock` included, to
//! go to or to guide someone to), a pose topic or the NavigateToPose action. It owns the goal's
//! lifecycle around the [`Navigator`]: the overall timeout, pause on the e-stop and resume by
//! replanning, cancel when an operator drives, and how each goal ended, for the status and for the
//! action's result. Pure: time comes in as seconds, the operator's state as [`OperatorState`].

use letan_map::Places;

use crate::costmap::Costmap;
use crate::navigator::{Mode, NavErrorCode, NavFailure, NavInput, NavState, Navigator};
use crate::planner::Path;
use crate::types::{LaserScan, Person, Pose2D, Twist2D};

/// The status label of a goal from the NavigateToPose action.
pub const ACTION_GOAL: &str = "navigate_to_pose";
/// The status label of a goal from the pose topic (RViz "2D Goal Pose").
pub const POSE_GOAL: &str = "pose";
/// The place id of the charging dock (the places file's `dock`, else a place named so).
pub const DOCK: &str = "dock";

/// The supervisor's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupervisorParams {
    /// A goal that takes longer (s) fails with `FailedToMakeProgress`.
    pub goal_timeout_s: f64,
    /// An operator driving cancels the goal; when off, the goal is kept and its status says so.
    pub cancel_on_teleop: bool,
    /// Scans older than this (s) are not used for control.
    pub scan_timeout_s: f64,
}

impl Default for SupervisorParams {
    fn default() -> Self {
        Self {
            goal_timeout_s: 300.0,
            cancel_on_teleop: true,
            scan_timeout_s: 0.5,
        }
    }
}

/// Where a goal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalSource {
    /// A named place (`/nav/goal`: the dialog, the console, the scripted operator).
    Place,
    /// A pose (`/goal_pose`).
    PoseTopic,
    /// The NavigateToPose action.
    Action,
}

/// The operator's state, as the velocity mux reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperatorState {
    /// A teleop input (console or keyboard) is the mux's active input.
    pub teleop: bool,
    /// The e-stop lock is engaged.
    pub estop: bool,
}

/// Why a running goal is not moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// Guide mode: the guided person is not following (fell behind, or not found yet).
    GuidedPerson,
    /// The e-stop holds the robot; the goal resumes (replanned) on release.
    Estop,
    /// An operator drives and `cancel_on_teleop` is off: the goal is kept.
    Teleop,
    /// People stand in the way; the robot waits for them to pass.
    People,
}

impl WaitReason {
    /// The human-readable detail (the status's `error_msg`).
    pub fn text(self) -> &'static str {
        match self {
            WaitReason::GuidedPerson => "waiting for the guided person",
            WaitReason::Estop => "paused by the emergency stop",
            WaitReason::Teleop => "an operator is driving",
            WaitReason::People => "waiting for people to pass",
        }
    }
}

/// Where the goal is at.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    Navigating,
    Waiting(WaitReason),
    Arrived,
    Canceled,
    Failed(NavFailure),
}

/// The status of the running (or last) goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalStatus {
    /// The place id, or [`POSE_GOAL`] / [`ACTION_GOAL`].
    pub place: String,
    pub phase: Phase,
    /// [0, 1]: fraction of the path covered.
    pub progress: f32,
    /// The goal leads a person (guide mode); false when there is no goal.
    pub guide: bool,
}

/// How the action's goal ended, once it has (see [`GoalSupervisor::action_end`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ActionEnd {
    Succeeded,
    Failed(NavFailure),
    /// Cancelled: an operator took over or a cancel arrived.
    Canceled,
    /// Replaced by a goal from another source.
    Preempted,
}

/// What one control cycle sees.
#[derive(Debug, Clone, Copy)]
pub struct Cycle<'a> {
    pub now: f64,
    /// base_link in the map frame.
    pub pose: Pose2D,
    pub velocity: Twist2D,
    /// The latest scan and when it arrived (s).
    pub scan: Option<(&'a LaserScan, f64)>,
    /// The scan arrived since the last cycle (the costmap takes each scan once).
    pub scan_is_new: bool,
    pub people: &'a [Person],
}

/// What one control cycle gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CycleOut {
    /// The velocity to send: `None` when no goal runs (and no final zero is owed).
    pub cmd: Option<Twist2D>,
    /// A new plan was made (publish it).
    pub new_path: bool,
    /// The navigator ran this cycle (and took the scan if it was new).
    pub stepped: bool,
}

fn is_guide(mode: Mode) -> bool {
    matches!(mode, Mode::Guide { .. })
}

#[derive(Debug, Clone, PartialEq)]
struct Goal {
    place: String,
    source: GoalSource,
    pose: Pose2D,
    mode: Mode,
    started: f64,
    length: f64,
    /// Held by the e-stop: not stepped, resumed (replanned) on release.
    paused: bool,
}

/// The goal lifecycle around a [`Navigator`].
#[derive(Debug, Clone)]
pub struct GoalSupervisor {
    params: SupervisorParams,
    nav: Navigator,
    places: Places,
    goal: Option<Goal>,
    /// An operator drives (only kept when `cancel_on_teleop` is off).
    teleop: bool,
    /// The last goal's place, source, how it ended, and whether it led a person (guide mode).
    finished: Option<(String, GoalSource, NavState, bool)>,
    /// A zero is still owed on the velocity output (a goal just ended).
    owe_zero: bool,
    /// Distance remaining (m), ETA (s) and recoveries of the last cycle.
    progress: (f64, f64, u32),
}

impl GoalSupervisor {
    pub fn new(params: SupervisorParams, nav: Navigator, places: Places) -> Self {
        Self {
            params,
            nav,
            places,
            goal: None,
            teleop: false,
            finished: None,
            owe_zero: false,
            progress: (0.0, 0.0, 0),
        }
    }

    pub fn places(&self) -> &Places {
        &self.places
    }

    pub fn costmap(&self) -> &Costmap {
        self.nav.costmap()
    }

    pub fn path(&self) -> &Path {
        self.nav.path()
    }

    /// The running goal's label (place id, [`POSE_GOAL`] or [`ACTION_GOAL`]) and source.
    pub fn running(&self) -> Option<(&str, GoalSource)> {
        self.goal.as_ref().map(|g| (g.place.as_str(), g.source))
    }

    /// Distance remaining (m), estimated time to arrival (s) and recoveries so far, as of the last
    /// cycle of the running goal.
    pub fn progress(&self) -> (f64, f64, u32) {
        self.progress
    }

    /// The pose of a place id (`dock`: the places file's dock, else a place named so).
    pub fn place_pose(&self, id: &str) -> Option<Pose2D> {
        match id {
            DOCK => self.places.dock.or_else(|| self.places.get(DOCK).ok()),
            _ => self.places.get(id).ok(),
        }
    }

    fn finish(&mut self, state: NavState) {
        if let Some(g) = self.goal.take() {
            tracing::info!(place = %g.place, ?state, "goal ended");
            self.finished = Some((g.place, g.source, state, is_guide(g.mode)));
        }
        self.owe_zero = true;
    }

    fn start(
        &mut self,
        place: String,
        source: GoalSource,
        target: (Pose2D, Mode),
        pose: Pose2D,
        now: f64,
    ) -> Result<(), NavFailure> {
        if self.goal.is_some() {
            self.finish(NavState::Canceled);
        }
        let (goal_pose, mode) = target;
        match self.nav.set_goal(goal_pose, mode, pose, now) {
            Ok(_) => {
                let length = self.nav.path().length();
                self.progress = (length, 0.0, 0);
                self.goal = Some(Goal {
                    place,
                    source,
                    pose: goal_pose,
                    mode,
                    started: now,
                    length: length.max(1e-3),
                    paused: false,
                });
                self.finished = None;
                Ok(())
            }
            Err(f) => {
                let guide = is_guide(mode);
                self.finished = Some((place, source, NavState::Failed(f.clone()), guide));
                Err(f)
            }
        }
    }

    /// Go to a named place from `pose` (lead a person there when `guide`); an empty id cancels.
    pub fn goal_place(
        &mut self,
        id: &str,
        guide: bool,
        pose: Pose2D,
        now: f64,
    ) -> Result<(), NavFailure> {
        let id = id.trim();
        if id.is_empty() {
            self.cancel();
            return Ok(());
        }
        let mode = if guide {
            Mode::Guide { follower: None }
        } else {
            Mode::Normal
        };
        match self.place_pose(id) {
            Some(p) => self.start(id.to_string(), GoalSource::Place, (p, mode), pose, now),
            None => {
                if self.goal.is_some() {
                    self.nav.cancel();
                    self.finish(NavState::Canceled);
                }
                let shown: String = id.chars().take(64).collect();
                let f = NavFailure {
                    code: NavErrorCode::UnknownPlace,
                    message: format!("unknown place {shown:?}"),
                };
                let failed = NavState::Failed(f.clone());
                self.finished = Some((shown, GoalSource::Place, failed, guide));
                Err(f)
            }
        }
    }

    /// A pose goal in the map frame, from the pose topic or the action (which also labels it).
    pub fn goal_pose(
        &mut self,
        source: GoalSource,
        target: Pose2D,
        pose: Pose2D,
        now: f64,
    ) -> Result<(), NavFailure> {
        let label = match source {
            GoalSource::Action => ACTION_GOAL,
            GoalSource::PoseTopic | GoalSource::Place => POSE_GOAL,
        };
        self.start(label.into(), source, (target, Mode::Normal), pose, now)
    }

    pub fn cancel(&mut self) {
        if self.goal.is_some() {
            self.nav.cancel();
            self.finish(NavState::Canceled);
        }
    }

    /// The operator's state: teleop takes over → cancel (or, with `cancel_on_teleop` off, a
    /// waiting status); e-stop → pause; release → resume, replanned from `pose`, with the goal's
    /// start time and length kept.
    pub fn operator(&mut self, op: OperatorState, pose: Pose2D, now: f64) {
        self.teleop = op.teleop && !self.params.cancel_on_teleop;
        let Some(g) = self.goal.clone() else { return };
        if op.teleop && self.params.cancel_on_teleop {
            tracing::info!("an operator took over: goal cancelled");
            self.cancel();
        } else if op.estop && !g.paused {
            tracing::info!("e-stop: navigation paused");
            if let Some(g) = self.goal.as_mut() {
                g.paused = true;
            }
        } else if !op.estop && g.paused {
            tracing::info!("e-stop released: navigation resumes");
            if self
                .start(g.place, g.source, (g.pose, g.mode), pose, now)
                .is_ok()
            {
                if let Some(n) = self.goal.as_mut() {
                    n.started = g.started;
                    n.length = g.length;
                }
            }
        }
    }

    /// One control cycle.
    pub fn step(&mut self, c: &Cycle<'_>) -> CycleOut {
        let now = c.now;
        let Some(goal) = self.goal.clone() else {
            let zero = std::mem::take(&mut self.owe_zero);
            return CycleOut {
                cmd: zero.then_some(Twist2D::ZERO),
                new_path: false,
                stepped: false,
            };
        };
        if goal.paused {
            return CycleOut {
                cmd: Some(Twist2D::ZERO),
                new_path: false,
                stepped: false,
            };
        }
        if now - goal.started > self.params.goal_timeout_s {
            self.nav.cancel();
            self.finish(NavState::Failed(NavFailure {
                code: NavErrorCode::FailedToMakeProgress,
                message: format!("no arrival within {} s", self.params.goal_timeout_s),
            }));
            self.owe_zero = false;
            return CycleOut {
                cmd: Some(Twist2D::ZERO),
                new_path: false,
                stepped: false,
            };
        }
        let recent = c
            .scan
            .filter(|(_, t)| now - t <= self.params.scan_timeout_s)
            .map(|(s, _)| s);
        let out = self.nav.step(&NavInput {
            now,
            pose: c.pose,
            velocity: c.velocity,
            scan: if c.scan_is_new { recent } else { None },
            people: c.people,
        });
        self.progress = (out.distance_remaining, out.eta, out.recoveries);
        if !out.state.is_active() {
            self.finish(out.state);
            self.owe_zero = false;
            return CycleOut {
                cmd: Some(Twist2D::ZERO),
                new_path: out.new_path,
                stepped: true,
            };
        }
        // Without a recent scan the robot may turn in place but never drive blind.
        let cmd = if recent.is_none() {
            Twist2D::new(0.0, out.cmd.angular)
        } else {
            out.cmd
        };
        CycleOut {
            cmd: Some(cmd),
            new_path: out.new_path,
            stepped: true,
        }
    }

    /// The status of the running (or last) goal.
    pub fn status(&self) -> GoalStatus {
        match (&self.goal, &self.finished) {
            (Some(g), _) => {
                let remaining = self.nav.path().length();
                let progress = (1.0 - remaining / g.length).clamp(0.0, 1.0) as f32;
                let phase = if g.paused {
                    Phase::Waiting(WaitReason::Estop)
                } else if self.teleop {
                    Phase::Waiting(WaitReason::Teleop)
                } else {
                    phase(self.nav.state())
                };
                GoalStatus {
                    place: g.place.clone(),
                    phase,
                    progress,
                    guide: is_guide(g.mode),
                }
            }
            (None, Some((place, _, st, guide))) => GoalStatus {
                place: place.clone(),
                phase: phase(st),
                progress: if *st == NavState::Succeeded { 1.0 } else { 0.0 },
                guide: *guide,
            },
            (None, None) => GoalStatus {
                place: String::new(),
                phase: Phase::Idle,
                progress: 0.0,
                guide: false,
            },
        }
    }

    /// For the holder of an action goal: `None` while the action's goal runs, else how it ended
    /// ([`ActionEnd::Preempted`] when another source's goal replaced it).
    pub fn action_end(&self) -> Option<ActionEnd> {
        if self
            .goal
            .as_ref()
            .is_some_and(|g| g.source == GoalSource::Action)
        {
            return None;
        }
        Some(match &self.finished {
            Some((_, GoalSource::Action, NavState::Succeeded, _)) => ActionEnd::Succeeded,
            Some((_, GoalSource::Action, NavState::Failed(f), _)) => ActionEnd::Failed(f.clone()),
            Some((_, GoalSource::Action, NavState::Canceled, _)) => ActionEnd::Canceled,
            _ => ActionEnd::Preempted,
        })
    }
}

/// The phase of a navigator state.
fn phase(state: &NavState) -> Phase {
    match state {
        NavState::Idle => Phase::Idle,
        NavState::Following | NavState::Recovering(_) => Phase::Navigating,
        NavState::WaitingForPeople => Phase::Waiting(WaitReason::People),
        NavState::WaitingForFollower => Phase::Waiting(WaitReason::GuidedPerson),
        NavState::Succeeded => Phase::Arrived,
        NavState::Canceled => Phase::Canceled,
        NavState::Failed(f) => Phase::Failed(f.clone()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::params::NavParams;
    use letan_map::{load_map, Keepout};

    fn supervisor(params: SupervisorParams) -> GoalSupervisor {
        let root = letan_map::lobby::workspace_root();
        let grid = load_map(root.join("maps/lobby.yaml")).unwrap().grid;
        let keep = Keepout::load(root.join("maps/keepout.yaml")).unwrap();
        let places = Places::load(root.join("maps/places.yaml")).unwrap();
        let nav = Navigator::new(NavParams::default(), &grid, Some(&keep)).unwrap();
        GoalSupervisor::new(params, nav, places)
    }

    fn dock(s: &GoalSupervisor) -> Pose2D {
        s.places().dock.unwrap()
    }

    /// A cycle at the dock, with no scan (the robot may turn but not drive).
    fn still(s: &GoalSupervisor, now: f64) -> Cycle<'static> {
        Cycle {
            now,
            pose: dock(s),
            velocity: Twist2D::ZERO,
            scan: None,
            scan_is_new: false,
            people: &[],
        }
    }

    const ESTOP: OperatorState = OperatorState {
        teleop: false,
        estop: true,
    };
    const CLEAR: OperatorState = OperatorState {
        teleop: false,
        estop: false,
    };
    const TELEOP: OperatorState = OperatorState {
        teleop: true,
        estop: false,
    };

    /// A silent lidar: with a fresh scan of an empty room the robot drives along its path; once
    /// the last scan is older than `scan_timeout_s` it may still turn but never drives forward,
    /// and it drives again when scans come back.
    #[test]
    fn a_stale_scan_stops_forward_motion_and_a_fresh_one_resumes_it() {
        let mut s = supervisor(SupervisorParams::default());
        let timeout = s.params.scan_timeout_s;
        let at = dock(&s);
        s.goal_place("counter_12", false, at, 0.0).unwrap();
        let scan = LaserScan {
            angle_min: -std::f64::consts::PI,
            angle_increment: std::f64::consts::PI / 180.0,
            range_min: 0.1,
            range_max: 12.0,
            ranges: vec![f32::INFINITY; 360],
        };
        // Plan from the dock, then face the path so the controller drives rather than turns.
        let first = s.step(&Cycle {
            scan: Some((&scan, 0.0)),
            scan_is_new: true,
            ..still(&s, 0.05)
        });
        assert!(first.stepped && s.path().poses.len() >= 2, "{first:?}");
        let ahead = s.path().poses[s.path().poses.len().min(6) - 1];
        let facing = Pose2D::new(at.x, at.y, (ahead.y - at.y).atan2(ahead.x - at.x));
        let cycle = |now: f64, scan_at: f64, new: bool| Cycle {
            now,
            pose: facing,
            velocity: Twist2D::new(0.3, 0.0),
            scan: Some((&scan, scan_at)),
            scan_is_new: new,
            people: &[],
        };
        let mut t = 0.05;
        let mut drove = false;
        for _ in 0..20 {
            t += 0.05;
            let c = s.step(&cycle(t, t, true)).cmd.unwrap();
            drove |= c.linear > 0.05;
        }
        assert!(drove, "never drove forward with fresh scans");
        // The lidar goes silent at `t`: forward speed is zero from the first cycle past the timeout.
        let last_scan = t;
        let mut blind = Vec::new();
        while t < last_scan + timeout + 1.0 {
            t += 0.05;
            let c = s.step(&cycle(t, last_scan, false)).cmd.unwrap();
            if t - last_scan > timeout {
                blind.push(c.linear);
            }
        }
        assert!(
            !blind.is_empty() && blind.iter().all(|v| *v == 0.0),
            "{blind:?}"
        );
        assert_eq!(s.running().map(|r| r.0), Some("counter_12"));
        // Scans again: it drives on.
        let mut resumed = false;
        for _ in 0..20 {
            t += 0.05;
            resumed |= s.step(&cycle(t, t, true)).cmd.unwrap().linear > 0.05;
        }
        assert!(resumed, "did not drive again when the scans came back");
    }

    #[test]
    fn places_the_dock_and_unknown_ids() {
        let mut s = supervisor(SupervisorParams::default());
        assert_eq!(s.status().phase, Phase::Idle);
        let at = dock(&s);
        s.goal_place("reception", false, at, 0.0).unwrap();
        assert_eq!(s.running(), Some(("reception", GoalSource::Place)));
        assert_eq!(s.status().phase, Phase::Navigating);
        // The dock is the places file's own dock pose.
        assert_eq!(s.place_pose(DOCK), s.places().dock);
        s.goal_place(" dock ", false, at, 1.0).unwrap();
        assert_eq!(s.running(), Some(("dock", GoalSource::Place)));
        // An unknown place ends the running goal and fails with its id.
        let f = s.goal_place("counter_99", false, at, 2.0).unwrap_err();
        assert_eq!(f.code, NavErrorCode::UnknownPlace);
        assert_eq!(s.running(), None);
        let st = s.status();
        assert_eq!(st.place, "counter_99");
        assert!(
            matches!(&st.phase, Phase::Failed(f) if f.message.contains("counter_99")),
            "{st:?}"
        );
        // The ended goal owes one zero velocity, then nothing.
        assert_eq!(s.step(&still(&s, 2.1)).cmd, Some(Twist2D::ZERO));
        assert_eq!(s.step(&still(&s, 2.2)).cmd, None);
    }

    #[test]
    fn an_empty_place_cancels() {
        let mut s = supervisor(SupervisorParams::default());
        let at = dock(&s);
        assert!(!s.status().guide, "no goal");
        s.goal_place("entrance", true, at, 0.0).unwrap();
        assert!(s.status().guide, "a guide goal says so while it runs");
        s.goal_place("", false, at, 1.0).unwrap();
        assert_eq!(s.running(), None);
        let st = s.status();
        assert_eq!((st.place.as_str(), st.phase), ("entrance", Phase::Canceled));
        assert!(st.guide, "and once it ended");
        s.goal_place("reception", false, at, 2.0).unwrap();
        assert!(!s.status().guide);
        s.goal_place("counter_99", true, at, 3.0).unwrap_err();
        assert!(s.status().guide, "a guide goal to an unknown place");
    }

    #[test]
    fn the_estop_pauses_and_the_release_resumes_with_the_same_deadline() {
        let mut s = supervisor(SupervisorParams {
            goal_timeout_s: 10.0,
            ..SupervisorParams::default()
        });
        let at = dock(&s);
        s.goal_place("counter_12", false, at, 0.0).unwrap();
        s.operator(ESTOP, at, 1.0);
        assert_eq!(s.status().phase, Phase::Waiting(WaitReason::Estop));
        let out = s.step(&still(&s, 1.1));
        assert_eq!((out.cmd, out.stepped), (Some(Twist2D::ZERO), false));
        // Still held: the same e-stop again changes nothing.
        s.operator(ESTOP, at, 2.0);
        assert_eq!(s.status().phase, Phase::Waiting(WaitReason::Estop));
        s.operator(CLEAR, at, 3.0);
        assert_eq!(s.running(), Some(("counter_12", GoalSource::Place)));
        assert_eq!(s.status().phase, Phase::Navigating);
        assert!(s.step(&still(&s, 3.1)).stepped);
        // The deadline counts from the goal's start, not from the release.
        assert!(s.step(&still(&s, 9.9)).cmd.is_some());
        assert_eq!(s.running().map(|r| r.0), Some("counter_12"));
        assert_eq!(s.step(&still(&s, 10.2)).cmd, Some(Twist2D::ZERO));
        assert_eq!(s.running(), None);
        assert!(
            matches!(&s.status().phase, Phase::Failed(f)
                if f.code == NavErrorCode::FailedToMakeProgress && f.message == "no arrival within 10 s"),
            "{:?}",
            s.status()
        );
        // A timeout sends its zero at once: nothing is owed after it.
        assert_eq!(s.step(&still(&s, 10.3)).cmd, None);
    }

    #[test]
    fn an_operator_driving_cancels_or_with_the_option_off_holds_the_status() {
        let mut s = supervisor(SupervisorParams::default());
        let at = dock(&s);
        s.goal_pose(
            GoalSource::Action,
            s.place_pose("reception").unwrap(),
            at,
            0.0,
        )
        .unwrap();
        assert_eq!(s.running(), Some((ACTION_GOAL, GoalSource::Action)));
        assert_eq!(s.action_end(), None);
        s.operator(TELEOP, at, 1.0);
        assert_eq!(s.running(), None);
        assert_eq!(s.status().phase, Phase::Canceled);
        assert_eq!(s.action_end(), Some(ActionEnd::Canceled));

        let mut s = supervisor(SupervisorParams {
            cancel_on_teleop: false,
            ..SupervisorParams::default()
        });
        s.goal_place("reception", false, at, 0.0).unwrap();
        s.operator(TELEOP, at, 1.0);
        assert_eq!(s.running().map(|r| r.0), Some("reception"));
        assert_eq!(s.status().phase, Phase::Waiting(WaitReason::Teleop));
        s.operator(CLEAR, at, 2.0);
        assert_eq!(s.status().phase, Phase::Navigating);
    }

    #[test]
    fn the_action_learns_how_its_goal_ended() {
        let mut s = supervisor(SupervisorParams::default());
        let at = dock(&s);
        let reception = s.place_pose("reception").unwrap();
        s.goal_pose(GoalSource::Action, reception, at, 0.0).unwrap();
        // Replaced by a goal from the pose topic.
        s.goal_pose(GoalSource::PoseTopic, reception, at, 1.0)
            .unwrap();
        assert_eq!(s.running(), Some((POSE_GOAL, GoalSource::PoseTopic)));
        assert_eq!(s.action_end(), Some(ActionEnd::Preempted));
        // Off the map: fails at once with the planner's code.
        let off = Pose2D::new(-5.0, 10.0, 0.0);
        let f = s.goal_pose(GoalSource::Action, off, at, 2.0).unwrap_err();
        assert_eq!(f.code.code(), 204);
        assert_eq!(s.action_end(), Some(ActionEnd::Failed(f)));
    }

    #[test]
    fn navigator_states_map_to_phases_and_wait_reasons() {
        assert_eq!(
            phase(&NavState::WaitingForFollower),
            Phase::Waiting(WaitReason::GuidedPerson)
        );
        assert_eq!(
            phase(&NavState::WaitingForPeople),
            Phase::Waiting(WaitReason::People)
        );
        assert_eq!(
            phase(&NavState::Recovering(crate::navigator::RecoveryKind::Wait)),
            Phase::Navigating
        );
        assert_eq!(phase(&NavState::Succeeded), Phase::Arrived);
        assert_eq!(
            WaitReason::GuidedPerson.text(),
            "waiting for the guided person"
        );
    }
}
