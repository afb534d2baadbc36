//! The greet-once policy: `decide(faces, context, now) -> Option<Greeting>`.
//!
//! - A person is greeted when their engagement reaches ENGAGED, never before: people who only
//!   pass by never get there.
//! - Once greeted, the same track is not greeted again until it has gone back to DISENGAGED
//!   (left) and re-engaged, or `regreet_after_s` has passed. A new track that appears where a
//!   greeted one vanished moments ago (tracker lost and re-found them) keeps the greeted mark.
//! - During a conversation, people engaged or engaging when it started count as its
//!   participants (if there were none, the nearest person who engages during it); other
//!   newcomers get one brief acknowledgement, and a full greeting after it ends if still there.
//! - People becoming due together (within `gather_s`) are greeted with one utterance, together with
//!   companions who are still engaging (a step behind) at that moment. A companion seen beside
//!   them who has not started engaging yet is waited for, up to `companion_wait_s`.
//! - A small turn toward the greeted person(s) is requested only when the robot is idle, and only
//!   when they stand outside the inner half of the camera's view: centring someone who is already
//!   well in view would move whoever stands beside them (a companion still hidden behind them when
//!   the greeting is decided) to the edge of the image, where the face is cut by the border and
//!   its box no longer tells its distance.

use std::collections::HashMap;
use std::time::Duration;

use crate::geometry::normalize_angle;
use crate::{
    Engagement, EngagementLevel, GreetingParams, Lang, PolicyParams, TrackId, TrackedFace,
};

/// How far apart two faces stand (m), from their distances and bearings.
fn apart_m(a: &TrackedFace, b: &TrackedFace) -> f64 {
    let (ax, ay) = (
        a.distance_m * a.bearing_rad.cos(),
        a.distance_m * a.bearing_rad.sin(),
    );
    let (bx, by) = (
        b.distance_m * b.bearing_rad.cos(),
        b.distance_m * b.bearing_rad.sin(),
    );
    (ax - bx).hypot(ay - by)
}

/// What the rest of the robot tells the policy, each call.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// A dialogue with someone is going on (listening, thinking or speaking).
    pub conversation_active: bool,
    /// The robot is not navigating, not speaking and not being driven: a small turn is fine.
    pub robot_idle: bool,
    /// Local wall-clock time as seconds since local midnight (Asia/Ho_Chi_Minh in production).
    pub local_seconds_of_day: u32,
    /// Language to greet in; `None` = the `policy.language` parameter.
    pub language: Option<Lang>,
}

/// Morning, afternoon or evening, from the local hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOfDay {
    Morning,
    Afternoon,
    Evening,
}

impl PartOfDay {
    pub fn from_seconds(local_seconds_of_day: u32, p: &PolicyParams) -> Self {
        let h = (local_seconds_of_day / 3600) % 24;
        if h >= p.morning_from_h && h < p.afternoon_from_h {
            Self::Morning
        } else if h >= p.afternoon_from_h && h < p.evening_from_h {
            Self::Afternoon
        } else {
            Self::Evening
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreetingKind {
    /// A full time-of-day greeting with an offer to help.
    Greet,
    /// A brief "with you in a moment" to a newcomer while a conversation is going on.
    Acknowledge,
}

/// A small rotation toward the greeted person(s), for the velocity mux.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    /// Rotation to perform relative to the current heading (rad, left positive), clamped.
    pub target_bearing_rad: f64,
    /// Angular velocity to command (rad/s, sign = direction) for `duration_s`.
    pub angular_velocity_rad_s: f64,
    pub duration_s: f64,
}

/// One utterance to say (and maybe a turn to make).
#[derive(Debug, Clone, PartialEq)]
pub struct Greeting {
    pub kind: GreetingKind,
    pub persons: Vec<TrackId>,
    pub language: Lang,
    pub part_of_day: PartOfDay,
    pub text: String,
    pub turn: Option<Turn>,
}

/// The greeting text for a kind, language and part of day.
pub fn greeting_text(kind: GreetingKind, lang: Lang, part: PartOfDay) -> &'static str {
    match (kind, lang, part) {
        (GreetingKind::Greet, Lang::Vi, PartOfDay::Morning) => {
            "Chào buổi sáng quý khách! Tôi có thể giúp gì ạ?"
        }
        (GreetingKind::Greet, Lang::Vi, PartOfDay::Afternoon) => {
            "Chào buổi chiều quý khách! Tôi có thể giúp gì ạ?"
        }
        (GreetingKind::Greet, Lang::Vi, PartOfDay::Evening) => {
            "Chào buổi tối quý khách! Tôi có thể giúp gì ạ?"
        }
        (GreetingKind::Greet, Lang::En, PartOfDay::Morning) => "Good morning! How can I help you?",
        (GreetingKind::Greet, Lang::En, PartOfDay::Afternoon) => {
            "Good afternoon! How can I help you?"
        }
        (GreetingKind::Greet, Lang::En, PartOfDay::Evening) => "Good evening! How can I help you?",
        (GreetingKind::Acknowledge, Lang::Vi, _) => {
            "Xin chào quý khách, xin vui lòng chờ một chút ạ."
        }
        (GreetingKind::Acknowledge, Lang::En, _) => "Hello! I will be with you in a moment.",
    }
}

#[derive(Debug, Clone, Default)]
struct Visit {
    greeted_at: Option<Duration>,
    /// Went back to DISENGAGED since the last greeting.
    left: bool,
    acknowledged: bool,
    /// Taking part in the current conversation (not to be acknowledged as a newcomer).
    participant: bool,
    due_since: Option<Duration>,
    distance: f64,
    bearing: f64,
}

impl Visit {
    /// Greeted, and has not left since.
    fn greeted_and_here(&self) -> bool {
        self.greeted_at.is_some() && !self.left
    }
}

#[derive(Debug, Clone)]
struct Vanished {
    at: Duration,
    distance: f64,
    bearing: f64,
    greeted_at: Duration,
}

/// The greeting policy, holding the engagement state machine it feeds on.
#[derive(Debug, Clone)]
pub struct Greeter {
    params: PolicyParams,
    engagement: Engagement,
    visits: HashMap<TrackId, Visit>,
    vanished: Vec<Vanished>,
    last_utterance: Option<Duration>,
    in_conversation: bool,
    levels: Vec<(TrackId, EngagementLevel)>,
    /// Half of the camera's half field of view (rad): people within it need no turn.
    inner_view_rad: f64,
}

impl Greeter {
    pub fn new(params: &GreetingParams) -> Self {
        Self {
            params: params.policy.clone(),
            engagement: Engagement::new(params.engagement.clone()),
            visits: HashMap::new(),
            vanished: Vec::new(),
            last_utterance: None,
            in_conversation: false,
            levels: Vec::new(),
            inner_view_rad: inner_view_rad(&params.camera),
        }
    }

    /// Engagement levels from the last `decide` call, one per tracked person (for publishing
    /// `/humans/persons/<id>/engagement_status`).
    pub fn levels(&self) -> &[(TrackId, EngagementLevel)] {
        &self.levels
    }

    pub fn level(&self, id: TrackId) -> EngagementLevel {
        self.engagement.level(id)
    }

    /// Feeds the current tracks and context; returns what to say now, if anything.
    ///
    /// In phases: forget the tracks that vanished (keeping where greeted ones were), see whether a
    /// conversation just started and who started it, update every visit (due, left, participant),
    /// then, unless the robot spoke too recently, acknowledge newcomers during a conversation or
    /// greet the people due (with their companions).
    pub fn decide(
        &mut self,
        faces: &[TrackedFace],
        ctx: &Context,
        now: Duration,
    ) -> Option<Greeting> {
        let p = self.params.clone();
        self.levels = self.engagement.update(faces, now);
        self.forget_vanished(faces, now, &p);
        let (conversation_started, starter) = self.conversation_starter(faces, ctx);
        self.update_visits(faces, ctx, now, &p, conversation_started, starter);

        if self
            .last_utterance
            .is_some_and(|t| secs(now, t) < p.min_gap_s)
        {
            return None;
        }
        let language = ctx.language.unwrap_or(p.language);
        let part_of_day = PartOfDay::from_seconds(ctx.local_seconds_of_day, &p);
        if ctx.conversation_active {
            self.acknowledge_newcomers(faces, now, language, part_of_day)
        } else {
            self.greet_due(faces, ctx, now, &p, language, part_of_day)
        }
    }

    /// Tracks that vanished: remember where greeted ones were, for `reacquire_window_s`.
    fn forget_vanished(&mut self, faces: &[TrackedFace], now: Duration, p: &PolicyParams) {
        let gone: Vec<TrackId> = self
            .visits
            .keys()
            .filter(|id| !faces.iter().any(|f| f.id == **id))
            .copied()
            .collect();
        for id in gone {
            if let Some(v) = self.visits.remove(&id) {
                if let (Some(greeted_at), false) = (v.greeted_at, v.left) {
                    self.vanished.push(Vanished {
                        at: now,
                        distance: v.distance,
                        bearing: v.bearing,
                        greeted_at,
                    });
                }
            }
        }
        self.vanished
            .retain(|g| secs(now, g.at) <= p.reacquire_window_s);
    }

    /// Whether a conversation started since the last call, and who started it.
    fn conversation_starter(
        &mut self,
        faces: &[TrackedFace],
        ctx: &Context,
    ) -> (bool, Option<TrackId>) {
        // Conversation start: the people already greeted and engaged are taking part in it; if
        // nobody was greeted, the nearest engaged or engaging person is (they started it). Anyone
        // else engaging, a companion who was never greeted included, gets an acknowledgement once
        // engaged, instead of silently counting as greeted.
        let conversation_started = ctx.conversation_active && !self.in_conversation;
        self.in_conversation = ctx.conversation_active;
        let starter = if conversation_started {
            let around: Vec<&TrackedFace> = faces
                .iter()
                .zip(&self.levels)
                .filter(|(_, &(_, l))| engaged_or_engaging(l))
                .map(|(f, _)| f)
                .collect();
            let greeted =
                |f: &&TrackedFace| self.visits.get(&f.id).is_some_and(Visit::greeted_and_here);
            if around.iter().any(greeted) {
                None
            } else {
                around
                    .iter()
                    .min_by(|a, b| a.distance_m.total_cmp(&b.distance_m))
                    .map(|f| f.id)
            }
        } else {
            None
        };
        (conversation_started, starter)
    }

    /// Every visit, updated: re-acquired greetings, participants, left, due since when.
    fn update_visits(
        &mut self,
        faces: &[TrackedFace],
        ctx: &Context,
        now: Duration,
        p: &PolicyParams,
        conversation_started: bool,
        starter: Option<TrackId>,
    ) {
        for (f, &(_, level)) in faces.iter().zip(&self.levels) {
            let is_new = !self.visits.contains_key(&f.id);
            let visit = self.visits.entry(f.id).or_default();
            if is_new {
                let found = self.vanished.iter().position(|g| {
                    (g.distance - f.distance_m).abs() <= p.reacquire_max_distance_m
                        && normalize_angle(g.bearing - f.bearing_rad).abs()
                            <= p.reacquire_max_bearing_rad
                });
                if let Some(i) = found {
                    let g = self.vanished.swap_remove(i);
                    visit.greeted_at = Some(g.greeted_at);
                    tracing::debug!(id = %f.id, "face re-acquired; keeps its greeting");
                }
            }
            visit.distance = f.distance_m;
            visit.bearing = f.bearing_rad;
            if !ctx.conversation_active {
                visit.participant = false;
            } else if conversation_started
                && engaged_or_engaging(level)
                && (visit.greeted_and_here() || starter == Some(f.id))
            {
                visit.participant = true;
                visit.greeted_at = Some(now);
                visit.left = false;
            }
            if level == EngagementLevel::Disengaged && visit.greeted_at.is_some() {
                visit.left = true;
            }
            let due = level == EngagementLevel::Engaged
                && match visit.greeted_at {
                    None => true,
                    Some(t) => visit.left || secs(now, t) >= p.regreet_after_s,
                };
            if due {
                visit.due_since.get_or_insert(now);
            } else {
                visit.due_since = None;
                if level != EngagementLevel::Engaged {
                    visit.acknowledged = false;
                }
            }
        }
    }

    /// During a conversation: acknowledge the people who became due and are not taking part in it.
    fn acknowledge_newcomers(
        &mut self,
        faces: &[TrackedFace],
        now: Duration,
        language: Lang,
        part_of_day: PartOfDay,
    ) -> Option<Greeting> {
        // Nobody present was engaged when the conversation began (it started from the
        // screen, say): the nearest person becoming due is its participant, not a newcomer.
        if !self.visits.values().any(|v| v.participant) {
            let nearest = faces
                .iter()
                .filter(|f| {
                    self.visits
                        .get(&f.id)
                        .is_some_and(|v| v.due_since.is_some())
                })
                .min_by(|a, b| a.distance_m.total_cmp(&b.distance_m))
                .map(|f| f.id);
            if let Some(v) = nearest.and_then(|id| self.visits.get_mut(&id)) {
                v.participant = true;
                v.greeted_at = Some(now);
                v.left = false;
                v.due_since = None;
            }
        }
        let mut newcomers: Vec<TrackId> = faces
            .iter()
            .filter(|f| {
                self.visits
                    .get(&f.id)
                    .is_some_and(|v| v.due_since.is_some() && !v.acknowledged)
            })
            .map(|f| f.id)
            .collect();
        if newcomers.is_empty() {
            return None;
        }
        newcomers.sort();
        for id in &newcomers {
            if let Some(v) = self.visits.get_mut(id) {
                v.acknowledged = true;
            }
        }
        self.last_utterance = Some(now);
        tracing::info!(
            persons = newcomers.len(),
            "acknowledging newcomer during conversation"
        );
        Some(Greeting {
            kind: GreetingKind::Acknowledge,
            persons: newcomers,
            language,
            part_of_day,
            text: greeting_text(GreetingKind::Acknowledge, language, part_of_day).to_string(),
            turn: None,
        })
    }

    /// Outside a conversation: greet the people due, with their companions, once they have
    /// gathered; turn toward them if the robot is idle.
    fn greet_due(
        &mut self,
        faces: &[TrackedFace],
        ctx: &Context,
        now: Duration,
        p: &PolicyParams,
        language: Lang,
        part_of_day: PartOfDay,
    ) -> Option<Greeting> {
        let due: Vec<&TrackedFace> = faces
            .iter()
            .filter(|f| {
                self.visits
                    .get(&f.id)
                    .is_some_and(|v| v.due_since.is_some())
            })
            .collect();
        let earliest = due
            .iter()
            .filter_map(|f| self.visits.get(&f.id).and_then(|v| v.due_since))
            .min()?;
        if secs(now, earliest) < p.gather_s {
            return None;
        }
        // A companion still a step behind (seen beside someone due, not engaging yet, never
        // greeted): wait a little for them, so that a couple hears one greeting and the robot does
        // not turn away from the second one.
        if secs(now, earliest) < p.companion_wait_s {
            let beside_due = |f: &TrackedFace| {
                due.iter()
                    .any(|d| d.id != f.id && apart_m(d, f) <= p.companion_distance_m)
            };
            let behind = faces.iter().zip(&self.levels).any(|(f, &(_, level))| {
                f.visible
                    && level == EngagementLevel::Disengaged
                    && self
                        .visits
                        .get(&f.id)
                        .is_some_and(|v| v.greeted_at.is_none() && v.due_since.is_none())
                    && beside_due(f)
            });
            if behind {
                return None;
            }
        }
        // Companions a step behind (engaging now, never greeted) are greeted with them: a couple
        // arriving together hears one greeting, and the robot does not turn away from either.
        let companions: Vec<&TrackedFace> = faces
            .iter()
            .zip(&self.levels)
            .filter(|(f, &(_, level))| {
                level == EngagementLevel::Engaging
                    && f.visible
                    && self
                        .visits
                        .get(&f.id)
                        .is_some_and(|v| v.greeted_at.is_none())
            })
            .map(|(f, _)| f)
            .collect();
        let group: Vec<&TrackedFace> = due.iter().copied().chain(companions).collect();
        let mut persons: Vec<TrackId> = group.iter().map(|f| f.id).collect();
        persons.sort();
        persons.dedup();
        let mean_bearing = group.iter().map(|f| f.bearing_rad).sum::<f64>() / group.len() as f64;
        for id in &persons {
            if let Some(v) = self.visits.get_mut(id) {
                v.greeted_at = Some(now);
                v.left = false;
                v.acknowledged = false;
                v.due_since = None;
            }
        }
        self.last_utterance = Some(now);
        let deadband = p.turn_deadband_rad.max(self.inner_view_rad);
        let turn = (ctx.robot_idle && mean_bearing.abs() > deadband).then(|| {
            let target = mean_bearing.clamp(-p.turn_max_rad, p.turn_max_rad);
            Turn {
                target_bearing_rad: target,
                angular_velocity_rad_s: p.turn_speed_rad_s.copysign(target),
                duration_s: target.abs() / p.turn_speed_rad_s,
            }
        });
        tracing::info!(
            persons = persons.len(),
            ?language,
            ?part_of_day,
            turn = turn.is_some(),
            "greeting"
        );
        Some(Greeting {
            kind: GreetingKind::Greet,
            persons,
            language,
            part_of_day,
            text: greeting_text(GreetingKind::Greet, language, part_of_day).to_string(),
            turn,
        })
    }
}

/// Half of the camera's horizontal half field of view (rad); 0 if the intrinsics are unusable.
fn inner_view_rad(c: &crate::CameraParams) -> f64 {
    let half_width = f64::from(c.width) / 2.0;
    let half_fov = half_width.atan2(c.fx);
    if half_fov.is_finite() && c.fx > 0.0 {
        half_fov / 2.0
    } else {
        0.0
    }
}

/// Seconds from `b` to `a` (zero if `a` is earlier).
fn secs(a: Duration, b: Duration) -> f64 {
    a.saturating_sub(b).as_secs_f64()
}

fn engaged_or_engaging(l: EngagementLevel) -> bool {
    matches!(l, EngagementLevel::Engaged | EngagementLevel::Engaging)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_of_day_boundaries() {
        let p = PolicyParams::default();
        let at = |h: u32, m: u32| PartOfDay::from_seconds(h * 3600 + m * 60, &p);
        assert_eq!(at(7, 30), PartOfDay::Morning);
        assert_eq!(at(11, 59), PartOfDay::Morning);
        assert_eq!(at(12, 0), PartOfDay::Afternoon);
        assert_eq!(at(17, 59), PartOfDay::Afternoon);
        assert_eq!(at(18, 0), PartOfDay::Evening);
        assert_eq!(at(2, 0), PartOfDay::Evening);
        assert_eq!(
            PartOfDay::from_seconds(u32::MAX, &p),
            PartOfDay::from_seconds(u32::MAX % 86_400, &p)
        );
    }

    #[test]
    fn texts_are_in_the_right_language() {
        assert!(
            greeting_text(GreetingKind::Greet, Lang::Vi, PartOfDay::Morning).contains("buổi sáng")
        );
        assert!(
            greeting_text(GreetingKind::Greet, Lang::Vi, PartOfDay::Afternoon)
                .contains("buổi chiều")
        );
        assert!(
            greeting_text(GreetingKind::Greet, Lang::Vi, PartOfDay::Evening).contains("buổi tối")
        );
        assert!(
            greeting_text(GreetingKind::Greet, Lang::En, PartOfDay::Evening)
                .starts_with("Good evening")
        );
        assert!(
            greeting_text(GreetingKind::Acknowledge, Lang::Vi, PartOfDay::Evening).contains("chờ")
        );
    }
}
