//! Expectations decided as the run goes: each one as soon as nothing that can still happen would
//! change its verdict (a greeting came, a deadline passed, a "never" was broken), the rest at the
//! end. Pure and deterministic; it only reads the world's log and metrics, so a run with it is
//! the same run as one without.
//!
//! The verdict of an early decision is the one the final report gives: the outcome comes from the
//! same check as the report, on the log and metrics so far, at a moment when no later event or
//! trace point can change it. Why each kind is settled when it is:
//!
//! | expectation | settled when |
//! |---|---|
//! | `robot_reached` | the trace first comes within the tolerance (the first reach is fixed), or the deadline passed |
//! | `person_reached` | the person first reaches the place, or the deadline passed |
//! | `no_collision` | a collision (counts only grow) |
//! | `greeted_once` | a second greeting |
//! | `heard`, `guided` | the person speaks, follows |
//! | `answered` | the first answer with that intent after the question, or `within` s after the question |
//! | `min_distance_to_people`, `max_personal_space_time` | the bound is broken (the minimum only falls, the time only grows) |
//! | `not_greeted` | a greeting |
//! | `greeted_within` | engaged and greeted (both firsts fixed), or `seconds` after engaging |
//! | `robot_returned` | back after leaving, or the deadline passed |
//! | `robot_still` | it moved more than allowed in the window, or the window is over |
//! | `stopped_while_silent` | every scripted fault of the sensor began and the trace runs past the last one's end |
//! | `no_greeting` | a greeting in the window, or the window is over |
//!
//! Entries logged later always have a time at or after the current one (robot actions are logged at
//! the start of the next step, with the time it starts at), and trace points later ones: a
//! deadline `d` has passed when `now > d`.
use super::{check, person_id, Expectation, Outcome, Scenario};
use crate::people::PersonEvent;
use crate::world::{LogEntry, Metrics, Places, RobotAction, SimEvent};
use serde::{Deserialize, Serialize};

/// One expectation decided: its index in the scenario's list, when (sim s) and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub t: f64,
    pub index: usize,
    pub outcome: Outcome,
}

/// What the judge remembers about one open expectation.
#[derive(Debug, Clone, Default)]
struct Watch {
    decided: bool,
    /// Greetings counted, or sensor faults begun.
    count: usize,
    /// The first question (`answered`) or engagement (`greeted_within`).
    t0: Option<f64>,
    /// The answer came (`answered`) or the greeting (`greeted_within`), or back (`robot_returned`),
    /// or moved too far (`robot_still`).
    seen: bool,
    /// When the robot left (`robot_returned`), or the latest end of a fault.
    mark: Option<f64>,
    /// The first trace point in the window (`robot_still`).
    start: Option<(f64, f64)>,
}

/// What one step of the run added, for deciding expectations.
struct StepView<'a> {
    s: &'a Scenario,
    /// The world's time after the step.
    now: f64,
    new_log: &'a [LogEntry],
    new_trace: &'a [(f64, f64, f64)],
    /// The time of the trajectory's last point.
    last_trace: Option<f64>,
    metrics: &'a Metrics,
    places: &'a Places,
}

impl StepView<'_> {
    /// Whether `e`, about person `id` (if any), is settled by this step; `w` keeps what it
    /// needs from earlier steps.
    fn settles(&self, e: &Expectation, id: Option<u32>, w: &mut Watch) -> bool {
        let StepView {
            s,
            now,
            new_log,
            new_trace,
            last_trace,
            metrics,
            places,
        } = *self;
        match e {
            Expectation::RobotReached {
                place,
                within,
                tolerance,
            } => places.get(place).is_some_and(|p| {
                now > *within
                    || new_trace
                        .iter()
                        .any(|(_, x, y)| (x - p.x).hypot(y - p.y) <= *tolerance)
            }),
            Expectation::PersonReached { place, within, .. } => {
                now > *within
                    || new_log.iter().any(|l| {
                        matches!(person_event(l, id), Some(PersonEvent::Reached { place: pl }) if pl == place)
                    })
            }
            Expectation::NoCollision {} => {
                metrics.wall_collisions > 0 || metrics.person_collisions > 0
            }
            Expectation::GreetedOnce { .. } => {
                w.count += new_log
                    .iter()
                    .filter(|l| greeting(l).is_some_and(|p| p.is_some() && p == id))
                    .count();
                w.count >= 2
            }
            Expectation::Heard { .. } => new_log
                .iter()
                .any(|l| matches!(person_event(l, id), Some(PersonEvent::Spoke { .. }))),
            Expectation::Guided { .. } => new_log.iter().any(|l| {
                matches!(person_event(l, id), Some(PersonEvent::StartedFollowing))
            }),
            Expectation::Answered { intent, within, .. } => {
                if w.t0.is_none() {
                    w.t0 = new_log.iter().find_map(|l| {
                        matches!(person_event(l, id), Some(PersonEvent::Spoke { .. }))
                            .then_some(l.t)
                    });
                }
                if let Some(t0) = w.t0 {
                    w.seen |= new_log.iter().any(|l| {
                        matches!(&l.event, SimEvent::Robot {
                            action: RobotAction::Said { intent: Some(i), .. },
                            person: p,
                        } if *p == id && l.t >= t0 && i == intent)
                    });
                }
                w.seen || w.t0.is_some_and(|t0| now - t0 > *within)
            }
            Expectation::MinDistanceToPeople { at_least } => metrics
                .min_distance_to_people
                .is_some_and(|d| d < *at_least),
            Expectation::MaxPersonalSpaceTime { seconds } => {
                metrics.time_in_personal_space > *seconds
            }
            Expectation::NotGreeted { .. } => new_log
                .iter()
                .any(|l| greeting(l).is_some_and(|p| p.is_some() && p == id)),
            Expectation::GreetedWithin { seconds, .. } => {
                for l in new_log {
                    match &l.event {
                        SimEvent::Robot {
                            action: RobotAction::Engaged { .. },
                            person: p,
                        } if w.t0.is_none() && p.is_some() && *p == id => w.t0 = Some(l.t),
                        _ => {}
                    }
                    w.seen |= greeting(l).is_some_and(|p| p.is_some() && p == id);
                }
                w.t0.is_some_and(|t0| w.seen || now - t0 > *seconds)
            }
            Expectation::RobotReturned {
                place,
                within,
                tolerance,
            } => match places.get(place) {
                Some(p) => {
                    for (t, x, y) in new_trace {
                        let d = (x - p.x).hypot(y - p.y);
                        match w.mark {
                            None if d > 2.0 => w.mark = Some(*t),
                            Some(left) if *t > left && d <= *tolerance => w.seen = true,
                            _ => {}
                        }
                    }
                    w.seen || now > *within
                }
                None => false,
            },
            Expectation::RobotStill { from, to, at_most } => {
                let window = new_trace.iter().filter(|(t, _, _)| *t >= *from && *t <= *to);
                for (_, x, y) in window {
                    match w.start {
                        None => w.start = Some((*x, *y)),
                        Some((x0, y0)) => w.seen |= (x - x0).hypot(y - y0) > *at_most,
                    }
                }
                w.seen || now > *to
            }
            Expectation::StoppedWhileSilent { sensor, .. } => {
                for l in new_log {
                    if let SimEvent::SensorSilent { sensor: s2, until } = &l.event {
                        if s2 == sensor {
                            w.count += 1;
                            w.mark = Some(w.mark.map_or(*until, |m| m.max(*until)));
                        }
                    }
                }
                let scripted = s.faults.iter().filter(|f| f.sensor == *sensor).count();
                w.count == scripted
                    && w
                        .mark
                        .is_some_and(|end| last_trace.is_some_and(|t| t > end + 1e-9))
            }
            Expectation::NoGreeting { from, to } => {
                now > *to
                    || new_log
                        .iter()
                        .any(|l| greeting(l).is_some() && l.t >= *from && l.t <= *to)
            }
        }
    }
}

/// Decides a scenario's expectations as the run goes.
#[derive(Debug, Clone)]
pub struct Judge {
    watches: Vec<Watch>,
    ids: Vec<Option<u32>>,
    log_seen: usize,
    trace_seen: usize,
}

fn greeting(l: &LogEntry) -> Option<Option<u32>> {
    match &l.event {
        SimEvent::Robot {
            action: RobotAction::Greeted { .. },
            person,
        } => Some(*person),
        _ => None,
    }
}

fn person_event(l: &LogEntry, id: Option<u32>) -> Option<&PersonEvent> {
    match &l.event {
        SimEvent::Person { person, event, .. } if Some(*person) == id => Some(event),
        _ => None,
    }
}

impl Judge {
    pub fn new(s: &Scenario) -> Self {
        let ids = s
            .expectations
            .iter()
            .map(|e| e.person().and_then(|p| person_id(s, p)))
            .collect();
        Self {
            watches: vec![Watch::default(); s.expectations.len()],
            ids,
            log_seen: 0,
            trace_seen: 0,
        }
    }

    /// After a step: the expectations decided by what the step added to `log` and `metrics`
    /// (`now` is the world's time after the step).
    pub fn step(
        &mut self,
        s: &Scenario,
        now: f64,
        log: &[LogEntry],
        metrics: &Metrics,
        places: &Places,
    ) -> Vec<Decision> {
        let new_log = log.get(self.log_seen..).unwrap_or_default();
        let new_trace = metrics
            .trajectory
            .get(self.trace_seen..)
            .unwrap_or_default();
        self.log_seen = log.len();
        self.trace_seen = metrics.trajectory.len();
        let view = StepView {
            s,
            now,
            new_log,
            new_trace,
            last_trace: metrics.trajectory.last().map(|p| p.0),
            metrics,
            places,
        };
        let mut out = Vec::new();
        for (index, e) in s.expectations.iter().enumerate() {
            let w = &mut self.watches[index];
            if !w.decided && view.settles(e, self.ids[index], w) {
                w.decided = true;
                out.push(decide(s, index, now, log, metrics, places));
            }
        }
        out
    }

    /// At the end of the run: every expectation not decided yet, as the report decides it.
    pub fn finish(
        &mut self,
        s: &Scenario,
        log: &[LogEntry],
        metrics: &Metrics,
        places: &Places,
    ) -> Vec<Decision> {
        let mut out = Vec::new();
        for (index, w) in self.watches.iter_mut().enumerate() {
            if w.decided {
                continue;
            }
            w.decided = true;
            out.push(decide(s, index, metrics.sim_time, log, metrics, places));
        }
        out
    }
}

/// Expectation `index` decided at `t`, by the report's own check on the run so far.
fn decide(
    s: &Scenario,
    index: usize,
    t: f64,
    log: &[LogEntry],
    metrics: &Metrics,
    places: &Places,
) -> Decision {
    let expectation = s.expectations[index].clone();
    let (passed, detail) = check(s, &expectation, log, metrics, places);
    Decision {
        t,
        index,
        outcome: Outcome {
            expectation,
            passed,
            detail,
        },
    }
}
