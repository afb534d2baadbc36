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
/// Navigation reports a running goal every 0.5 s. Nothing about the goal the dialog sent for
/// this long means navigation is gone (killed, crashed, restarting without the goal) (s).
pub const NAV_SILENT_S: f64 = 3.0;

/// Turns navigation status into the dialog's navigation events, for the goals the dialog sent.
/// Times are seconds of the node clock.
#[derive(Debug, Default)]
pub struct NavTracker {
    expected: Option<String>,
    last: Option<(String, String)>,
    follower_lost: bool,
    /// When the goal was sent or its status last heard; `None` once silence was reported.
    heard_at: Option<f64>,
    /// This dialog sent (or adopted) a goal: from then on only its own goals are followed.
    sent_any: bool,
}

impl NavTracker {
    /// The dialog sent a goal for `place` at `now` (`None`: cancelled).
    pub fn expect(&mut self, place: Option<String>, now: f64) {
        self.sent_any = true;
        self.heard_at = place.as_ref().map(|_| now);
        self.expected = place;
        self.last = None;
        self.follower_lost = false;
    }

    /// `Silent` once when nothing was heard about the expected goal for [`NAV_SILENT_S`].
    pub fn tick(&mut self, now: f64) -> Option<NavEvent> {
        let heard = self.heard_at?;
        if self.expected.is_some() && now - heard > NAV_SILENT_S {
            self.heard_at = None;
            return Some(NavEvent::Silent);
        }
        None
    }

    /// Events for one status message received at `now`.
    ///
    /// A running guide goal heard before this dialog sent any goal is adopted, once
    /// ([`NavEvent::Adopted`]): only the dialog sends guide goals, so it is the goal of the dialog
    /// process this one replaced (killed mid-walk and restarted by the launcher). A dialog that has
    /// sent a goal never adopts, so a late status of a goal it cancelled is not taken back.
    pub fn feed(&mut self, g: &GuideStatus, now: f64) -> Vec<NavEvent> {
        let mut out = Vec::new();
        let running = matches!(
            g.state.as_str(),
            GuideStatus::STATE_NAVIGATING | GuideStatus::STATE_WAITING
        );
        if !self.sent_any && self.expected.is_none() && g.guide && running {
            self.expect(Some(g.place_id.clone()), now);
            out.push(NavEvent::Adopted {
                place: g.place_id.clone(),
            });
        }
        if self.expected.as_deref() != Some(g.place_id.as_str()) {
            return out;
        }
        self.heard_at = Some(now);
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

    impl NavTracker {
        fn feed_at(&mut self, g: &GuideStatus) -> Vec<NavEvent> {
            self.feed(g, 0.0)
        }
    }

    #[test]
    fn a_goal_nobody_reports_on_is_silent_once() {
        let mut t = NavTracker::default();
        assert_eq!(t.tick(100.0), None, "no goal, no silence");
        t.expect(Some("counter_12".into()), 10.0);
        assert_eq!(t.tick(10.0 + NAV_SILENT_S - 0.1), None);
        let running = status("counter_12", GuideStatus::STATE_NAVIGATING, 0, "");
        t.feed(&running, 12.0);
        assert_eq!(t.tick(12.0 + NAV_SILENT_S - 0.1), None, "heard at 12 s");
        // Status of another goal does not count as hearing about ours.
        t.feed(&status("exit", GuideStatus::STATE_NAVIGATING, 0, ""), 14.0);
        assert_eq!(t.tick(12.0 + NAV_SILENT_S + 0.1), Some(NavEvent::Silent));
        assert_eq!(t.tick(40.0), None, "once");
        t.feed(&running, 41.0);
        assert_eq!(
            t.tick(41.0 + NAV_SILENT_S + 0.1),
            Some(NavEvent::Silent),
            "again after news"
        );
        t.expect(None, 50.0);
        assert_eq!(t.tick(100.0), None, "cancelled");
        // A goal that finished is not expected to report any more.
        t.expect(Some("dock".into()), 60.0);
        t.feed(&status("dock", GuideStatus::STATE_ARRIVED, 0, ""), 61.0);
        assert_eq!(t.tick(100.0), None, "arrived");
    }

    #[test]
    fn a_running_guide_goal_is_adopted_only_by_a_dialog_that_sent_none() {
        let nav = GuideStatus::STATE_NAVIGATING;
        let guide = |place: &str, state: &str| GuideStatus {
            guide: true,
            ..status(place, state, 0, "")
        };
        // An operator's goal (not guide mode) or a finished walk is not adopted.
        let mut t = NavTracker::default();
        assert!(t.feed_at(&status("exit", nav, 0, "")).is_empty());
        assert!(t
            .feed_at(&guide("exit", GuideStatus::STATE_ARRIVED))
            .is_empty());
        // A walk running when the dialog starts is, once; its events follow.
        assert_eq!(
            t.feed(&guide("counter_5", nav), 1.0),
            [
                NavEvent::Adopted {
                    place: "counter_5".into()
                },
                NavEvent::Accepted,
                NavEvent::Progress(0.5)
            ]
        );
        assert_eq!(
            t.feed(&guide("counter_5", nav), 1.5),
            [NavEvent::Progress(0.5)]
        );
        assert_eq!(
            t.tick(1.5 + NAV_SILENT_S + 0.1),
            Some(NavEvent::Silent),
            "an adopted walk is watched like one sent"
        );
        assert_eq!(
            t.feed(&guide("counter_5", GuideStatus::STATE_ARRIVED), 6.0),
            [NavEvent::Arrived]
        );
        assert!(
            t.feed(&guide("counter_9", nav), 7.0).is_empty(),
            "adopted once"
        );
        // A dialog that sent a goal (then cancelled it) does not take a late status back.
        let mut t = NavTracker::default();
        t.expect(Some("counter_5".into()), 0.0);
        t.expect(None, 1.0);
        assert!(t.feed(&guide("counter_5", nav), 1.1).is_empty());
    }

    #[test]
    fn nav_events_only_for_the_expected_goal_and_the_guided_person() {
        let mut t = NavTracker::default();
        let nav = GuideStatus::STATE_NAVIGATING;
        assert!(
            t.feed_at(&status("restroom", nav, 0, "")).is_empty(),
            "no goal sent"
        );
        t.expect(Some("restroom".into()), 0.0);
        assert!(
            t.feed_at(&status("exit", nav, 0, "")).is_empty(),
            "another goal"
        );
        assert_eq!(
            t.feed_at(&status("restroom", nav, 0, "")),
            [NavEvent::Accepted, NavEvent::Progress(0.5)]
        );
        let waiting = GuideStatus::STATE_WAITING;
        // Waiting for another reason (e-stop, people in the way) is not a lost follower.
        assert!(t
            .feed_at(&status(
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
        assert_eq!(t.feed_at(&lost), [NavEvent::FollowerLost]);
        assert!(t.feed_at(&lost).is_empty(), "once");
        assert_eq!(
            t.feed_at(&status("restroom", nav, 0, "")),
            [NavEvent::FollowerFound, NavEvent::Progress(0.5)]
        );
        let arrived = status("restroom", GuideStatus::STATE_ARRIVED, 0, "");
        assert_eq!(t.feed_at(&arrived), [NavEvent::Arrived]);
        assert!(t.feed_at(&arrived).is_empty(), "the goal is done");
        t.expect(Some("dock".into()), 0.0);
        let mut failed = status("dock", GuideStatus::STATE_FAILED, 0, "");
        failed.error_code = GuideStatus::ERROR_TIMEOUT;
        assert_eq!(
            t.feed_at(&failed),
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
