//! Watchers that turn what the rest of the robot reports into the dialog's events: the
//! navigation status of the goals the dialog sent ([`NavTracker`]), an operator driving the robot
//! ([`TakeoverWatch`]), and the person in the conversation leaving ([`Presence`]). Pure: the time
//! is passed in (seconds of any monotonic clock, e.g. the node clock).

use letan_msgs::letan_interfaces::{GuideStatus, MuxStatus};

use crate::dialog::{Event, NavEvent, OperatorAction};

/// A person not seen for this long has left (s).
pub const LOST_S: f64 = 6.0;
/// An operator's teleop quiet for this long hands the conversation back (s).
pub const RELEASE_AFTER_S: f64 = 10.0;

/// Turns navigation status into the dialog's navigation events, for the goals the dialog sent.
#[derive(Debug, Default)]
pub struct NavTracker {
    expected: Option<String>,
    last: Option<(String, String)>,
    follower_lost: bool,
}

impl NavTracker {
    /// The dialog sent a goal for `place` (`None`: cancelled).
    pub fn expect(&mut self, place: Option<String>) {
        self.expected = place;
        self.last = None;
        self.follower_lost = false;
    }

    /// Events for one status message.
    pub fn feed(&mut self, g: &GuideStatus) -> Vec<NavEvent> {
        let mut out = Vec::new();
        if self.expected.as_deref() != Some(g.place_id.as_str()) {
            return out;
        }
        let key = (g.state.clone(), g.error_msg.clone());
        let first = self.last.is_none();
        let changed = self.last.as_ref() != Some(&key);
        self.last = Some(key);
        match g.state.as_str() {
            GuideStatus::STATE_NAVIGATING => {
                if first {
                    out.push(NavEvent::Accepted);
                }
                if self.follower_lost {
                    self.follower_lost = false;
                    out.push(NavEvent::FollowerFound);
                }
                if g.progress.is_finite() {
                    out.push(NavEvent::Progress(g.progress.clamp(0.0, 1.0)));
                }
            }
            GuideStatus::STATE_WAITING
                if changed
                    && g.wait_reason == GuideStatus::WAIT_GUIDED_PERSON
                    && !self.follower_lost =>
            {
                self.follower_lost = true;
                out.push(NavEvent::FollowerLost);
            }
            GuideStatus::STATE_ARRIVED if changed => {
                out.push(NavEvent::Arrived);
                self.expected = None;
            }
            GuideStatus::STATE_FAILED if changed => {
                out.push(NavEvent::Failed {
                    reason: if g.error_msg.is_empty() {
                        format!("error {}", g.error_code)
                    } else {
                        g.error_msg.clone()
                    },
                });
                self.expected = None;
            }
            _ => {}
        }
        out
    }
}

/// Whether an operator is driving, from the mux status; `Some(event)` when that changes.
#[derive(Debug, Default)]
pub struct TakeoverWatch {
    driving_since: Option<f64>,
    last_drive: f64,
    taken: bool,
}

impl TakeoverWatch {
    /// One mux status at `now` (s): `TakeOver` when a teleop input starts driving.
    pub fn feed(&mut self, m: &MuxStatus, now: f64) -> Option<OperatorAction> {
        let teleop = letan_mux::InputId::is_teleop_name(&m.active_input);
        if teleop {
            self.last_drive = now;
            self.driving_since.get_or_insert(now);
            if !self.taken {
                self.taken = true;
                return Some(OperatorAction::TakeOver);
            }
        } else {
            self.driving_since = None;
        }
        None
    }

    /// `Release` once teleop has been quiet for a while.
    pub fn tick(&mut self, now: f64) -> Option<OperatorAction> {
        if self.taken && self.driving_since.is_none() && now - self.last_drive >= RELEASE_AFTER_S {
            self.taken = false;
            return Some(OperatorAction::Release);
        }
        None
    }
}

/// The person in the conversation: gone when their engagement says disengaged, or when out of
/// sight for [`LOST_S`] (reported once, until they are seen again).
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    id: String,
    last_seen: f64,
}

impl Presence {
    /// Start watching `id`, seen at `now`.
    pub fn new(id: &str, now: f64) -> Presence {
        Presence {
            id: id.to_string(),
            last_seen: now,
        }
    }

    /// The person watched.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The face tracker's current ids at `now`.
    pub fn tracked(&mut self, ids: &[String], now: f64) {
        if ids.contains(&self.id) {
            self.last_seen = now;
        }
    }

    /// `PersonDisengaged` when `disengaged`, or out of sight for too long at `now` (then once).
    pub fn check(&mut self, disengaged: bool, now: f64) -> Option<Event> {
        if disengaged || now - self.last_seen > LOST_S {
            self.last_seen = f64::INFINITY; // once
            return Some(Event::PersonDisengaged {
                id: self.id.clone(),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(place: &str, state: &str, wait_reason: u8, msg: &str) -> GuideStatus {
        GuideStatus {
            place_id: place.into(),
            state: state.into(),
            wait_reason,
            error_msg: msg.into(),
            progress: 0.5,
            ..GuideStatus::default()
        }
    }

    #[test]
    fn nav_events_only_for_the_expected_goal_and_the_guided_person() {
        let mut t = NavTracker::default();
        let nav = GuideStatus::STATE_NAVIGATING;
        assert!(
            t.feed(&status("restroom", nav, 0, "")).is_empty(),
            "no goal sent"
        );
        t.expect(Some("restroom".into()));
        assert!(
            t.feed(&status("exit", nav, 0, "")).is_empty(),
            "another goal"
        );
        assert_eq!(
            t.feed(&status("restroom", nav, 0, "")),
            [NavEvent::Accepted, NavEvent::Progress(0.5)]
        );
        let waiting = GuideStatus::STATE_WAITING;
        // Waiting for another reason (e-stop, people in the way) is not a lost follower.
        assert!(t
            .feed(&status(
                "restroom",
                waiting,
                GuideStatus::WAIT_ESTOP,
                "e-stop"
            ))
            .is_empty());
        let lost = status(
            "restroom",
            waiting,
            GuideStatus::WAIT_GUIDED_PERSON,
            "waiting for the guided person",
        );
        assert_eq!(t.feed(&lost), [NavEvent::FollowerLost]);
        assert!(t.feed(&lost).is_empty(), "once");
        assert_eq!(
            t.feed(&status("restroom", nav, 0, "")),
            [NavEvent::FollowerFound, NavEvent::Progress(0.5)]
        );
        let arrived = status("restroom", GuideStatus::STATE_ARRIVED, 0, "");
        assert_eq!(t.feed(&arrived), [NavEvent::Arrived]);
        assert!(t.feed(&arrived).is_empty(), "the goal is done");
        t.expect(Some("dock".into()));
        let mut failed = status("dock", GuideStatus::STATE_FAILED, 0, "");
        failed.error_code = GuideStatus::ERROR_TIMEOUT;
        assert_eq!(
            t.feed(&failed),
            [NavEvent::Failed {
                reason: format!("error {}", GuideStatus::ERROR_TIMEOUT)
            }]
        );
    }

    #[test]
    fn teleop_takes_over_and_quiet_teleop_releases() {
        let mut w = TakeoverWatch::default();
        let mux = |input: &str| MuxStatus {
            active_input: input.into(),
            ..MuxStatus::default()
        };
        assert_eq!(w.feed(&mux("navigation"), 0.0), None);
        assert_eq!(
            w.feed(&mux("console_teleop"), 1.0),
            Some(OperatorAction::TakeOver)
        );
        assert_eq!(w.feed(&mux("keyboard_teleop"), 2.0), None, "once");
        assert_eq!(w.tick(5.0), None, "still driving");
        assert_eq!(w.feed(&mux(""), 3.0), None);
        assert_eq!(
            w.tick(3.0 + RELEASE_AFTER_S - 1.5),
            None,
            "not quiet long enough"
        );
        assert_eq!(w.tick(2.0 + RELEASE_AFTER_S), Some(OperatorAction::Release));
        assert_eq!(w.tick(100.0), None, "once");
    }

    #[test]
    fn presence_ends_on_disengagement_or_after_lost_s_once() {
        let mut p = Presence::new("face_1", 0.0);
        p.tracked(&["face_1".into()], 5.0);
        assert_eq!(p.check(false, 5.0 + LOST_S), None, "seen at 5 s");
        let gone = Some(Event::PersonDisengaged {
            id: "face_1".into(),
        });
        assert_eq!(p.check(false, 5.1 + LOST_S), gone);
        assert_eq!(p.check(false, 100.0), None, "once");
        p.tracked(&["face_1".into()], 101.0);
        assert_eq!(p.check(false, 102.0), None, "seen again");
        assert_eq!(p.check(false, 101.1 + LOST_S), gone, "lost again");
        let mut q = Presence::new("face_2", 0.0);
        assert_eq!(
            q.check(true, 0.5),
            Some(Event::PersonDisengaged {
                id: "face_2".into()
            })
        );
    }
}
