//! Guide mode: lead a citizen at their pace. The supervisor picks the follower (the nearest tracked
//! person behind the robot when guiding starts, else the nearest one within reach: the citizen who
//! asked usually stands in front of it), caps speed to the guide speed, slows as they lag, waits
//! when they fall behind, resumes when they catch up, and reports them lost after a timeout.

use crate::params::GuideParams;
use crate::types::{to_local, Person, Pose2D};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GuideState {
    /// Looking for the follower (robot waits).
    Acquiring,
    Leading,
    /// The follower fell behind: stopped until they are within the resume distance.
    WaitingForFollower,
    /// Not seen for `lost_timeout`.
    Lost,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuideDecision {
    pub state: GuideState,
    /// Speed cap for the controller (m/s); 0 while waiting.
    pub speed_limit: f64,
    pub follower_distance: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct GuideSupervisor {
    params: GuideParams,
    follower: Option<u64>,
    last_pos: Option<(f64, f64)>,
    last_seen: f64,
    state: GuideState,
}

impl GuideSupervisor {
    /// Start guiding at time `now`; `follower` may name a known person id (e.g. from the face tracker).
    pub fn new(params: GuideParams, now: f64, follower: Option<u64>) -> Self {
        Self {
            params,
            follower,
            last_pos: None,
            last_seen: now,
            state: GuideState::Acquiring,
        }
    }

    pub fn follower_id(&self) -> Option<u64> {
        self.follower
    }

    pub fn state(&self) -> GuideState {
        self.state
    }

    pub fn update(&mut self, robot: &Pose2D, people: &[Person], now: f64) -> GuideDecision {
        let dist = |p: &Person| (p.x - robot.x).hypot(p.y - robot.y);
        let mut found = self
            .follower
            .and_then(|id| people.iter().find(|p| p.id == id))
            .copied();
        if found.is_none() {
            if let Some((lx, ly)) = self.last_pos {
                // the track broke: take whoever is nearest to where they were
                found = people
                    .iter()
                    .filter(|p| (p.x - lx).hypot(p.y - ly) < 1.5)
                    .min_by(|a, b| {
                        (a.x - lx)
                            .hypot(a.y - ly)
                            .total_cmp(&(b.x - lx).hypot(b.y - ly))
                    })
                    .copied();
            }
        }
        if found.is_none() {
            // (re)acquire: the nearest person behind the robot, within reach
            found = people
                .iter()
                .filter(|p| {
                    dist(p) <= self.params.acquire_distance && to_local(robot, p.x, p.y).0 < 0.5
                })
                .min_by(|a, b| dist(a).total_cmp(&dist(b)))
                .copied();
        }
        if found.is_none() && self.follower.is_none() && self.last_pos.is_none() {
            // First acquisition and nobody behind: the citizen who asked usually stands in front of
            // the robot (they were talking to it); take the nearest person within reach.
            found = people
                .iter()
                .filter(|p| dist(p) <= self.params.acquire_distance)
                .min_by(|a, b| dist(a).total_cmp(&dist(b)))
                .copied();
        }
        let Some(f) = found else {
            if now - self.last_seen > self.params.lost_timeout {
                self.state = GuideState::Lost;
            } else if self.state == GuideState::Leading {
                self.state = GuideState::WaitingForFollower;
            }
            return GuideDecision {
                state: self.state,
                speed_limit: 0.0,
                follower_distance: None,
            };
        };
        self.follower = Some(f.id);
        self.last_pos = Some((f.x, f.y));
        self.last_seen = now;
        let d = dist(&f);
        self.state = match self.state {
            GuideState::WaitingForFollower | GuideState::Acquiring | GuideState::Lost => {
                if d <= self.params.resume_distance {
                    GuideState::Leading
                } else {
                    GuideState::WaitingForFollower
                }
            }
            GuideState::Leading => {
                if d > self.params.wait_distance {
                    GuideState::WaitingForFollower
                } else {
                    GuideState::Leading
                }
            }
        };
        let speed_limit = match self.state {
            GuideState::Leading => {
                if d <= self.params.follow_distance {
                    self.params.max_speed
                } else {
                    let span = (self.params.wait_distance - self.params.follow_distance).max(1e-6);
                    let f = 1.0 - (d - self.params.follow_distance) / span;
                    (self.params.max_speed * f).max(0.1_f64.min(self.params.max_speed))
                }
            }
            _ => 0.0,
        };
        GuideDecision {
            state: self.state,
            speed_limit,
            follower_distance: Some(d),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn person(id: u64, x: f64) -> Person {
        Person {
            id,
            x,
            y: 0.0,
            vx: 0.0,
            vy: 0.0,
        }
    }

    #[test]
    fn with_nobody_behind_the_citizen_in_front_is_the_follower_but_not_after_a_loss() {
        let mut g = GuideSupervisor::new(GuideParams::default(), 0.0, None);
        let robot = Pose2D::new(0.0, 0.0, 0.0);
        let d = g.update(&robot, &[person(5, 1.1), person(6, 4.0)], 0.0);
        assert_eq!(g.follower_id(), Some(5));
        assert_eq!(d.state, GuideState::Leading);
        // once the follower's track is lost, a stranger ahead is not taken for them
        let mut g = GuideSupervisor::new(GuideParams::default(), 0.0, Some(99));
        g.update(&robot, &[person(99, -1.0)], 0.0);
        let d = g.update(&robot, &[person(8, 1.0)], 1.0);
        assert_ne!(g.follower_id(), Some(8));
        assert_eq!(d.speed_limit, 0.0);
    }

    #[test]
    fn acquires_the_person_behind_and_waits_when_they_lag() {
        let mut g = GuideSupervisor::new(GuideParams::default(), 0.0, None);
        let robot = Pose2D::new(0.0, 0.0, 0.0);
        // someone ahead is ignored, the person 1 m behind is the follower
        let d = g.update(&robot, &[person(7, 1.0), person(3, -1.0)], 0.0);
        assert_eq!(d.follower_distance, Some(1.0));
        assert_eq!(g.follower_id(), Some(3));
        assert_eq!(d.state, GuideState::Leading);
        assert!((d.speed_limit - GuideParams::default().max_speed).abs() < 1e-9);
        let d = g.update(&robot, &[person(3, -1.9)], 1.0);
        assert_eq!(d.state, GuideState::Leading);
        assert!(d.speed_limit < GuideParams::default().max_speed && d.speed_limit > 0.0);
        let d = g.update(&robot, &[person(3, -2.5)], 2.0);
        assert_eq!(d.state, GuideState::WaitingForFollower);
        assert_eq!(d.speed_limit, 0.0);
        // hysteresis: 2.0 m is not close enough to resume
        assert_eq!(
            g.update(&robot, &[person(3, -2.0)], 3.0).state,
            GuideState::WaitingForFollower
        );
        assert_eq!(
            g.update(&robot, &[person(3, -1.2)], 4.0).state,
            GuideState::Leading
        );
        // unseen for longer than the timeout -> lost
        g.update(&robot, &[], 5.0);
        assert_eq!(g.update(&robot, &[], 30.0).state, GuideState::Lost);
    }
}
