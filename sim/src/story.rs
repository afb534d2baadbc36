//! The scenario told as it happens, for people: one line per event (who came in, the greeting,
//! what was asked, the answer with its intent and confidence, guiding and arrival), each
//! expectation as it passes (✓) or fails (✗) the moment it is decided, the rest at the end, then a
//! summary table of the expectations and the verdict. Pure: `letan sim` feeds it what the
//! simulator publishes on `/sim/events` (log entries and the judge's decisions) and prints what it
//! returns.
use crate::people::PersonEvent;
use crate::scenario::{Decision, Expectation, Report};
use crate::world::{LogEntry, RobotAction, SimEvent};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Longest quoted text on one line (characters); longer text ends with "…".
const QUOTE_CHARS: usize = 90;

/// Turns log entries into story lines. Remembers people's names and the dialog's last confidence.
#[derive(Debug, Default)]
pub struct Story {
    names: BTreeMap<u32, String>,
    confidence: Option<(String, f32)>,
    /// Expectations already told (by index).
    decided: BTreeSet<usize>,
}

impl Story {
    pub fn new() -> Self {
        Self::default()
    }

    /// The confidence the dialog reported for an intent (from `/dialog/state`); the next answer
    /// with that intent shows it.
    pub fn note_confidence(&mut self, intent: &str, confidence: f32) {
        if !intent.is_empty() {
            self.confidence = Some((intent.to_string(), confidence));
        }
    }

    /// The line for one message of `/sim/events`: a log entry (see [`Story::line`]) or a decision
    /// (see [`Story::decision`]). An error if it is neither.
    pub fn message(&mut self, json: &str) -> Result<Option<String>, serde_json::Error> {
        match serde_json::from_str::<LogEntry>(json) {
            Ok(e) => Ok(self.line(&e)),
            Err(err) => match serde_json::from_str::<Decision>(json) {
                Ok(d) => Ok(self.decision(&d)),
                Err(_) => Err(err),
            },
        }
    }

    /// The line for an expectation decided during the run: `✓` held, `✗` failed, what it asked
    /// and the detail. `None` if that expectation was told already.
    pub fn decision(&mut self, d: &Decision) -> Option<String> {
        if !self.decided.insert(d.index) {
            return None;
        }
        Some(format!(
            "[{:6.1} s] {} {} — {}",
            d.t,
            if d.outcome.passed { "✓" } else { "✗" },
            describe(&d.outcome.expectation),
            d.outcome.detail
        ))
    }

    /// After the run: the expectations the run did not decide, as the report decides them, at the
    /// run's end.
    pub fn the_rest(&mut self, r: &Report) -> Vec<String> {
        r.expectations
            .iter()
            .enumerate()
            .filter_map(|(index, o)| {
                self.decision(&Decision {
                    t: r.sim_time,
                    index,
                    outcome: o.clone(),
                })
            })
            .collect()
    }

    /// The line for one event, or `None` for events a newcomer does not need (engagement, tickets).
    pub fn line(&mut self, e: &LogEntry) -> Option<String> {
        let what = match &e.event {
            SimEvent::PersonEntered { person, name } => {
                self.names.insert(*person, name.clone());
                format!("{name} comes in")
            }
            SimEvent::Person {
                person,
                name,
                event,
            } => {
                self.names.insert(*person, name.clone());
                match event {
                    PersonEvent::Spoke { text, lang, .. } => {
                        format!("{name} asks ({lang}): \"{}\"", quote(text))
                    }
                    PersonEvent::Reached { place } => format!("{name} reaches {place}"),
                    PersonEvent::AnswerTimeout => format!("{name} got no answer and gives up"),
                    PersonEvent::StartedFollowing => format!("{name} follows the robot"),
                    PersonEvent::StoppedFollowing => format!("{name} stops following"),
                    PersonEvent::Left => format!("{name} leaves"),
                    PersonEvent::TicketTaken { .. } => return None,
                }
            }
            SimEvent::WallCollision { x, y } => {
                format!("COLLISION: the robot touched a wall at ({x:.1}, {y:.1})")
            }
            SimEvent::PersonCollision { name, .. } => {
                format!("COLLISION: the robot touched {name}")
            }
            SimEvent::SensorSilent { sensor, until } => format!(
                "FAULT: the {} goes silent (nothing published until {until:.1} s)",
                sensor.name()
            ),
            SimEvent::SensorBack { sensor, silent_for } => format!(
                "the {} publishes again, after {silent_for:.1} s of silence",
                sensor.name()
            ),
            SimEvent::Robot { action, person } => {
                let whom = person
                    .and_then(|p| self.names.get(&p))
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                match action {
                    RobotAction::Greeted { .. } => format!("robot greets{whom}"),
                    RobotAction::Engaged { .. } => return None,
                    RobotAction::Said {
                        text, lang, intent, ..
                    } => {
                        let how = match intent {
                            Some(i) => match &self.confidence {
                                Some((ci, c)) if ci == i => format!("{i}, confidence {c:.2}"),
                                _ => i.clone(),
                            },
                            None => "no intent".into(),
                        };
                        format!("robot answers [{how}] ({lang}): \"{}\"", quote(text))
                    }
                    RobotAction::GuideStart { place } => format!("robot starts guiding to {place}"),
                    RobotAction::GuideEnd => "robot stops guiding".into(),
                }
            }
        };
        Some(format!("[{:6.1} s] {what}", e.t))
    }
}

fn quote(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut chars = flat.trim().chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// An expectation in words, for the story (`ba_lan greeted within 5 s of engaging`).
pub fn describe(e: &Expectation) -> String {
    match e {
        Expectation::RobotReached {
            place,
            within,
            tolerance,
        } => format!("the robot reaches {place} (within {tolerance} m) by {within} s"),
        Expectation::PersonReached {
            person,
            place,
            within,
        } => format!("{person} reaches {place} by {within} s"),
        Expectation::NoCollision {} => "no collision".into(),
        Expectation::GreetedOnce { person } => format!("{person} greeted once"),
        Expectation::Heard { person } => format!("{person} heard"),
        Expectation::Answered {
            person,
            intent,
            within,
        } => format!("{person} answered with {intent} within {within} s"),
        Expectation::Guided { person } => format!("{person} guided"),
        Expectation::MinDistanceToPeople { at_least } => {
            format!("nobody closer than {at_least} m")
        }
        Expectation::MaxPersonalSpaceTime { seconds } => {
            format!("at most {seconds} s in personal space")
        }
        Expectation::NotGreeted { person } => format!("{person} not greeted"),
        Expectation::GreetedWithin { person, seconds } => {
            format!("{person} greeted within {seconds} s of engaging")
        }
        Expectation::RobotReturned {
            place,
            within,
            tolerance,
        } => format!("the robot back at {place} (within {tolerance} m) by {within} s"),
        Expectation::RobotStill { from, to, at_most } => {
            format!("the robot still from {from} to {to} s (at most {at_most} m)")
        }
        Expectation::StoppedWhileSilent {
            sensor,
            within,
            at_most,
        } => format!(
            "the robot stands within {within} s while the {} is silent (then at most {at_most} m)",
            sensor.name()
        ),
        Expectation::NoGreeting { from, to } => format!("no greeting from {from} to {to} s"),
    }
}

/// An expectation in one line: its kind, then its fields (`greeted_once person=lan`).
pub fn expectation_label(e: &Expectation) -> String {
    let Ok(serde_json::Value::Object(top)) = serde_json::to_value(e) else {
        return format!("{e:?}");
    };
    let mut out = String::new();
    for (kind, fields) in top {
        out.push_str(&kind);
        if let serde_json::Value::Object(f) = fields {
            for (k, v) in f {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                let _ = write!(out, " {k}={v}");
            }
        }
    }
    out
}

/// The summary after the run: each expectation with PASS or FAIL and its detail, the run's
/// figures, and the verdict.
pub fn summary(r: &Report) -> String {
    let labels: Vec<String> = r
        .expectations
        .iter()
        .map(|o| expectation_label(&o.expectation))
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut s = format!("\nscenario {} (seed {})\n", r.scenario, r.seed);
    for (o, label) in r.expectations.iter().zip(&labels) {
        let pad = width - label.chars().count();
        let _ = writeln!(
            s,
            "  {}  {label}{}  {}",
            if o.passed { "PASS" } else { "FAIL" },
            " ".repeat(pad),
            o.detail
        );
    }
    for f in &r.faults {
        let stood = match f.stopped_after {
            Some(t) => format!(
                "stood after {t:.2} s, then moved {:.2} m",
                f.moved_while_stopped
            ),
            None => "did not stand still".into(),
        };
        let again = match f.moving_again_after {
            Some(t) => format!("; driving again {t:.2} s after it came back"),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "  fault: {} silent {:.1}–{:.1} s; the robot at {:.2} m/s when it went silent, {stood}{again}",
            f.sensor.name(),
            f.from,
            f.to,
            f.speed_at_fault
        );
    }
    let _ = writeln!(
        s,
        "  sim time {:.1} s in {:.1} s wall ({:.1}× real time); path {:.1} m; collisions: {} wall, {} people",
        r.sim_time, r.wall_time, r.real_time_factor, r.path_length, r.collisions.walls, r.collisions.people
    );
    let held = r.expectations.iter().filter(|o| o.passed).count();
    let _ = write!(
        s,
        "scenario {}: {} ({held} of {} expectations held)",
        r.scenario,
        if r.passed { "PASSED" } else { "FAILED" },
        r.expectations.len()
    );
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scenario::{Collisions, Outcome};

    fn entry(t: f64, event: SimEvent) -> LogEntry {
        LogEntry { t, event }
    }

    #[test]
    fn a_conversation_reads_as_a_story() {
        let mut s = Story::new();
        let lines: Vec<String> = [
            entry(
                1.0,
                SimEvent::PersonEntered {
                    person: 1,
                    name: "lan".into(),
                },
            ),
            entry(
                2.0,
                SimEvent::Robot {
                    action: RobotAction::Engaged { person: Some(1) },
                    person: Some(1),
                },
            ),
            entry(
                2.5,
                SimEvent::Robot {
                    action: RobotAction::Greeted { person: Some(1) },
                    person: Some(1),
                },
            ),
            entry(
                4.0,
                SimEvent::Person {
                    person: 1,
                    name: "lan".into(),
                    event: PersonEvent::Spoke {
                        text: "quầy 5 ở đâu\ncháu".into(),
                        lang: "vi".into(),
                        audio: None,
                    },
                },
            ),
        ]
        .iter()
        .filter_map(|e| s.line(e))
        .collect();
        assert_eq!(
            lines,
            [
                "[   1.0 s] lan comes in",
                "[   2.5 s] robot greets lan",
                "[   4.0 s] lan asks (vi): \"quầy 5 ở đâu cháu\"",
            ]
        );
        s.note_confidence("nav.where_is", 0.934);
        let said = s
            .line(&entry(
                5.0,
                SimEvent::Robot {
                    action: RobotAction::Said {
                        text: "x".repeat(200),
                        lang: "vi".into(),
                        intent: Some("nav.where_is".into()),
                        person: None,
                    },
                    person: None,
                },
            ))
            .unwrap();
        assert!(
            said.starts_with(
                "[   5.0 s] robot answers [nav.where_is, confidence 0.93] (vi): \"xxx"
            ),
            "{said}"
        );
        assert!(said.ends_with("x…\""), "{said}");
        // An answer with another intent does not borrow that confidence.
        let other = s
            .line(&entry(
                6.0,
                SimEvent::Robot {
                    action: RobotAction::Said {
                        text: "ok".into(),
                        lang: "vi".into(),
                        intent: Some("chat.thanks".into()),
                        person: None,
                    },
                    person: None,
                },
            ))
            .unwrap();
        assert!(other.contains("[chat.thanks]"), "{other}");
    }

    #[test]
    fn expectations_are_told_once_when_decided_and_the_rest_at_the_end() {
        let mut s = Story::new();
        let greeted = Outcome {
            expectation: Expectation::GreetedWithin {
                person: "lan".into(),
                seconds: 5.0,
            },
            passed: true,
            detail: "greeted 0.40 s after engaging".into(),
        };
        let d = Decision {
            t: 12.4,
            index: 0,
            outcome: greeted.clone(),
        };
        // As `/sim/events` carries it, beside the log entries.
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            s.message(&json).unwrap().as_deref(),
            Some("[  12.4 s] ✓ lan greeted within 5 s of engaging — greeted 0.40 s after engaging")
        );
        assert_eq!(s.message(&json).unwrap(), None, "told twice");
        let entry = serde_json::to_string(&entry(
            1.0,
            SimEvent::PersonEntered {
                person: 1,
                name: "lan".into(),
            },
        ))
        .unwrap();
        assert_eq!(
            s.message(&entry).unwrap().as_deref(),
            Some("[   1.0 s] lan comes in")
        );
        assert!(s.message("{\"colour\": 1}").is_err());
        let mut r = report_with(vec![
            greeted,
            Outcome {
                expectation: Expectation::NoCollision {},
                passed: false,
                detail: "1 wall and 0 person collisions".into(),
            },
        ]);
        r.sim_time = 70.0;
        assert_eq!(
            s.the_rest(&r),
            ["[  70.0 s] ✗ no collision — 1 wall and 0 person collisions"]
        );
    }

    fn report_with(expectations: Vec<Outcome>) -> Report {
        Report {
            scenario: "demo".into(),
            seed: 7,
            passed: expectations.iter().all(|o| o.passed),
            expectations,
            time_to_goal: None,
            path_length: 0.0,
            min_distance_to_people: None,
            collisions: Collisions {
                walls: 0,
                people: 0,
            },
            time_in_personal_space: 0.0,
            time_in_intimate_space: 0.0,
            faults: vec![],
            sim_time: 0.0,
            wall_time: 1.0,
            real_time_factor: 0.0,
        }
    }

    #[test]
    fn a_sensor_fault_is_told_when_it_starts_and_ends() {
        use crate::world::Sensor;
        let mut s = Story::new();
        let start = s
            .line(&entry(
                40.0,
                SimEvent::SensorSilent {
                    sensor: Sensor::Lidar,
                    until: 46.0,
                },
            ))
            .unwrap();
        assert_eq!(
            start,
            "[  40.0 s] FAULT: the lidar goes silent (nothing published until 46.0 s)"
        );
        let end = s
            .line(&entry(
                46.0,
                SimEvent::SensorBack {
                    sensor: Sensor::Camera,
                    silent_for: 6.0,
                },
            ))
            .unwrap();
        assert_eq!(
            end,
            "[  46.0 s] the camera publishes again, after 6.0 s of silence"
        );
    }

    #[test]
    fn the_summary_lists_every_expectation_and_the_verdict() {
        let r = Report {
            scenario: "demo".into(),
            seed: 7,
            passed: false,
            expectations: vec![
                Outcome {
                    expectation: Expectation::GreetedOnce {
                        person: "lan".into(),
                    },
                    passed: true,
                    detail: "greeted 1 time".into(),
                },
                Outcome {
                    expectation: Expectation::NoCollision {},
                    passed: false,
                    detail: "1 wall".into(),
                },
            ],
            time_to_goal: None,
            path_length: 3.0,
            min_distance_to_people: None,
            collisions: Collisions {
                walls: 1,
                people: 0,
            },
            time_in_personal_space: 0.0,
            time_in_intimate_space: 0.0,
            faults: vec![crate::scenario::FaultRecord {
                sensor: crate::world::Sensor::Lidar,
                from: 4.0,
                to: 10.0,
                speed_at_fault: 0.4,
                stopped_after: Some(0.9),
                moved_while_stopped: 0.0,
                moving_again_after: Some(0.5),
            }],
            sim_time: 10.0,
            wall_time: 1.0,
            real_time_factor: 10.0,
        };
        let s = summary(&r);
        assert!(
            s.contains("PASS  greeted_once person=lan  greeted 1 time"),
            "{s}"
        );
        assert!(s.contains("FAIL  no_collision"), "{s}");
        assert!(
            s.contains("fault: lidar silent 4.0–10.0 s; the robot at 0.40 m/s when it went silent, stood after 0.90 s, then moved 0.00 m; driving again 0.50 s after it came back"),
            "{s}"
        );
        assert!(
            s.ends_with("scenario demo: FAILED (1 of 2 expectations held)"),
            "{s}"
        );
    }
}
