//! REP-155 engagement per tracked person.
//!
//! ```text
//! DISENGAGED ──candidate──► ENGAGING ──close + facing for engage_dwell_s──► ENGAGED
//!     ▲                        │ conditions lost > engaging_grace_s            │ too far / not facing
//!     └────────────────────────┘                                               ▼ > not_facing_grace_s / unseen
//!     ◄──────────── disengage_timeout_s ─────────────────────────────────── DISENGAGING
//! ```
//! "Candidate" = seen now, facing the robot (head yaw inside the cone), within the attention
//! distance, not walking across the view, not walking away, and either already inside the
//! engagement distance or approaching.

use std::collections::HashMap;
use std::time::Duration;

use crate::{EngagementParams, TrackId, TrackedFace};

/// `hri_msgs/msg/EngagementLevel` values (REP-155).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EngagementLevel {
    Unknown = 0,
    Disengaged = 1,
    Engaging = 2,
    Engaged = 3,
    Disengaging = 4,
}

impl EngagementLevel {
    /// The `hri_msgs/EngagementLevel.level` wire value.
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

#[derive(Debug, Clone)]
struct PersonState {
    level: EngagementLevel,
    since: Duration,
    ready_since: Option<Duration>,
    lost_since: Option<Duration>,
    not_facing_since: Option<Duration>,
}

/// Engagement state of every tracked person.
#[derive(Debug, Clone)]
pub struct Engagement {
    params: EngagementParams,
    states: HashMap<TrackId, PersonState>,
}

impl Engagement {
    pub fn new(params: EngagementParams) -> Self {
        Self {
            params,
            states: HashMap::new(),
        }
    }

    /// Current level of a person; `Unknown` for ids never seen or already gone.
    pub fn level(&self, id: TrackId) -> EngagementLevel {
        self.states
            .get(&id)
            .map_or(EngagementLevel::Unknown, |s| s.level)
    }

    fn facing(&self, f: &TrackedFace) -> bool {
        f.visible
            && f.yaw_rad
                .is_none_or(|y| y.abs() <= self.params.facing_max_yaw_rad)
    }

    /// Updates every person with this frame's tracks; people no longer tracked are forgotten.
    /// Returns each tracked person's level, in the order of `faces`.
    pub fn update(
        &mut self,
        faces: &[TrackedFace],
        now: Duration,
    ) -> Vec<(TrackId, EngagementLevel)> {
        self.states
            .retain(|id, _| faces.iter().any(|f| f.id == *id));
        let p = self.params.clone();
        let secs = |a: Duration, b: Duration| a.saturating_sub(b).as_secs_f64();
        faces
            .iter()
            .map(|f| {
                let facing = self.facing(f);
                let d = f.distance_m;
                let close = d <= p.engage_distance_m;
                let walking_past = f.lateral_speed_mps.abs() > p.max_lateral_speed_mps;
                let retreating = f.approach_speed_mps < -p.min_approach_speed_mps;
                let approaching = f.approach_speed_mps >= p.min_approach_speed_mps;
                let candidate = f.visible
                    && facing
                    && d <= p.attention_distance_m
                    && !walking_past
                    && !retreating
                    && (close || approaching);
                let st = self.states.entry(f.id).or_insert(PersonState {
                    level: EngagementLevel::Disengaged,
                    since: now,
                    ready_since: None,
                    lost_since: None,
                    not_facing_since: None,
                });
                let before = st.level;
                let go = |st: &mut PersonState, level| {
                    st.level = level;
                    st.since = now;
                    st.ready_since = None;
                    st.lost_since = None;
                    st.not_facing_since = None;
                };
                match st.level {
                    EngagementLevel::Disengaged | EngagementLevel::Unknown => {
                        if candidate {
                            go(st, EngagementLevel::Engaging);
                            if close {
                                st.ready_since = Some(now);
                            }
                        }
                    }
                    EngagementLevel::Engaging => {
                        if candidate {
                            st.lost_since = None;
                            if close {
                                let since = *st.ready_since.get_or_insert(now);
                                if secs(now, since) >= p.engage_dwell_s {
                                    go(st, EngagementLevel::Engaged);
                                }
                            } else {
                                st.ready_since = None;
                            }
                        } else {
                            st.ready_since = None;
                            let lost = *st.lost_since.get_or_insert(now);
                            if secs(now, lost) >= p.engaging_grace_s {
                                go(st, EngagementLevel::Disengaged);
                            }
                        }
                    }
                    EngagementLevel::Engaged => {
                        // Unseen (coasting) counts as not facing: a missed frame or two
                        // does not end an engagement.
                        if facing {
                            st.not_facing_since = None;
                        } else {
                            st.not_facing_since.get_or_insert(now);
                        }
                        let not_facing_long = st
                            .not_facing_since
                            .is_some_and(|t| secs(now, t) >= p.not_facing_grace_s);
                        if (f.visible && d > p.disengage_distance_m) || not_facing_long {
                            go(st, EngagementLevel::Disengaging);
                        }
                    }
                    EngagementLevel::Disengaging => {
                        if facing && close {
                            go(st, EngagementLevel::Engaged);
                        } else if secs(now, st.since) >= p.disengage_timeout_s {
                            go(st, EngagementLevel::Disengaged);
                        }
                    }
                }
                if st.level != before {
                    tracing::debug!(id = %f.id, from = ?before, to = ?st.level, distance_m = d,
                        facing, yaw = ?f.yaw_rad, approach = f.approach_speed_mps,
                        lateral = f.lateral_speed_mps, visible = f.visible, "engagement");
                }
                (f.id, st.level)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(d: f64, yaw: f64, approach: f64, visible: bool) -> TrackedFace {
        TrackedFace {
            id: TrackId(1),
            bbox: crate::BBox::new(0.0, 0.0, 10.0, 10.0),
            landmarks: None,
            score: 0.9,
            distance_m: d,
            bearing_rad: 0.0,
            yaw_rad: Some(yaw),
            approach_speed_mps: approach,
            lateral_speed_mps: 0.0,
            first_seen: Duration::ZERO,
            last_seen: Duration::ZERO,
            visible,
        }
    }

    fn at(e: &mut Engagement, f: TrackedFace, ms: u64) -> EngagementLevel {
        e.update(&[f], Duration::from_millis(ms))[0].1
    }

    #[test]
    fn wire_values_match_hri_msgs() {
        assert_eq!(EngagementLevel::Unknown.as_u8(), 0);
        assert_eq!(EngagementLevel::Disengaged.as_u8(), 1);
        assert_eq!(EngagementLevel::Engaging.as_u8(), 2);
        assert_eq!(EngagementLevel::Engaged.as_u8(), 3);
        assert_eq!(EngagementLevel::Disengaging.as_u8(), 4);
    }

    #[test]
    fn full_cycle_with_dwell_hysteresis_and_timeout() {
        let mut e = Engagement::new(EngagementParams::default());
        // 3 m, approaching at 0.5 m/s, facing: ENGAGING (not yet close).
        assert_eq!(
            at(&mut e, face(3.0, 0.0, 0.5, true), 0),
            EngagementLevel::Engaging
        );
        // Close but dwell not reached.
        assert_eq!(
            at(&mut e, face(1.4, 0.0, 0.0, true), 100),
            EngagementLevel::Engaging
        );
        assert_eq!(
            at(&mut e, face(1.4, 0.0, 0.0, true), 400),
            EngagementLevel::Engaging
        );
        assert_eq!(
            at(&mut e, face(1.4, 0.0, 0.0, true), 600),
            EngagementLevel::Engaged
        );
        // Between engage (1.5) and disengage (2.0) distance: stays ENGAGED (hysteresis).
        assert_eq!(
            at(&mut e, face(1.8, 0.0, 0.0, true), 700),
            EngagementLevel::Engaged
        );
        // Looking away briefly (< 3 s) keeps it.
        assert_eq!(
            at(&mut e, face(1.4, 1.2, 0.0, true), 800),
            EngagementLevel::Engaged
        );
        assert_eq!(
            at(&mut e, face(1.4, 1.2, 0.0, true), 3700),
            EngagementLevel::Engaged
        );
        assert_eq!(
            at(&mut e, face(1.4, 1.2, 0.0, true), 3900),
            EngagementLevel::Disengaging
        );
        // Turning back while close re-engages.
        assert_eq!(
            at(&mut e, face(1.4, 0.0, 0.0, true), 4000),
            EngagementLevel::Engaged
        );
        // Walking off past 2 m: DISENGAGING, then DISENGAGED after the 2 s timeout.
        assert_eq!(
            at(&mut e, face(2.5, 0.0, -0.5, true), 4100),
            EngagementLevel::Disengaging
        );
        assert_eq!(
            at(&mut e, face(3.0, 0.0, -0.5, true), 5000),
            EngagementLevel::Disengaging
        );
        assert_eq!(
            at(&mut e, face(3.5, 0.0, -0.5, true), 6200),
            EngagementLevel::Disengaged
        );
        assert_eq!(e.level(TrackId(1)), EngagementLevel::Disengaged);
        // Gone from the tracks: forgotten.
        e.update(&[], Duration::from_millis(6300));
        assert_eq!(e.level(TrackId(1)), EngagementLevel::Unknown);
    }

    #[test]
    fn far_static_or_retreating_or_averted_people_never_start_engaging() {
        let mut e = Engagement::new(EngagementParams::default());
        for (k, f) in [
            face(3.0, 0.0, 0.0, true),  // standing at 3 m: not approaching
            face(4.5, 0.0, 1.0, true),  // beyond the attention distance
            face(1.0, 0.0, -0.6, true), // close but walking away
            face(1.0, 0.9, 0.0, true),  // close but looking away (> 30°)
        ]
        .into_iter()
        .enumerate()
        {
            let mut e2 = Engagement::new(EngagementParams::default());
            assert_eq!(
                at(&mut e2, f.clone(), 0),
                EngagementLevel::Disengaged,
                "case {k}"
            );
            assert_eq!(
                at(&mut e, f, k as u64 * 100),
                EngagementLevel::Disengaged,
                "case {k}"
            );
        }
    }
}
