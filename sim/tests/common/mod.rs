//! Shared helpers for letan-sim tests: the repository lobby, a test room, and a fake robot stack
//! (greets, answers by keyword, guides with a navigation field) to drive scenarios end to end.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use letan_core::Pose2D;
use letan_sim::camera::FaceBank;
use letan_sim::geom::wrap_angle;
use letan_sim::grid::Grid;
use letan_sim::lobby::Lobby;
use letan_sim::navfield::NavField;
use letan_sim::world::{Outputs, RobotAction};
use letan_sim::{Inputs, World};
use nalgebra::Vector2;
use std::collections::BTreeSet;
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn lobby() -> Lobby {
    Lobby::load(&repo_root()).expect("maps/lobby.yaml + places.yaml load")
}

pub fn faces() -> FaceBank {
    let dir = FaceBank::shared_images_dir(&repo_root()).expect("../shared/vision/images present");
    FaceBank::load(&dir, 80.0).expect("face photos load")
}

/// A 10 m × 6 m room with 0.05 m cells and one-cell walls.
pub fn room() -> Grid {
    let mut g = Grid::new(200, 120, 0.05, (0.0, 0.0)).unwrap();
    g.fill_border();
    g.finish();
    g
}

/// A keyword rule: if the utterance contains `needle`, answer with `intent`, optionally guide.
pub struct Rule {
    pub needle: &'static str,
    pub intent: &'static str,
    pub guide_to: Option<&'static str>,
}

/// A stand-in for the robot stack: greets people who come close and face it, answers heard
/// utterances by keyword, and guides with a navigation field + a simple heading controller.
pub struct FakeStack {
    rules: Vec<Rule>,
    greeted: BTreeSet<u32>,
    guide: Option<(String, NavField, Vector2<f64>)>,
    pending: Vec<RobotAction>,
}

impl FakeStack {
    pub fn new(rules: Vec<Rule>) -> Self {
        Self {
            rules,
            greeted: BTreeSet::new(),
            guide: None,
            pending: Vec::new(),
        }
    }

    /// Decide the inputs of the next step from the world state and the last outputs.
    pub fn inputs(&mut self, world: &World, out: Option<&Outputs>) -> Inputs {
        let robot = world.robot_pose();
        let mut actions = std::mem::take(&mut self.pending);
        if let Some(out) = out {
            for p in &out.truth.people {
                let d = (p.pose.position() - robot.position()).norm();
                if d < 2.5 && !self.greeted.contains(&p.id) {
                    let person = world.people().iter().find(|q| q.id == p.id).unwrap();
                    if person.faces(robot.position(), 0.8) {
                        self.greeted.insert(p.id);
                        actions.push(RobotAction::Greeted { person: Some(p.id) });
                    }
                }
            }
            for u in &out.utterances {
                if let Some(rule) = self.rules.iter().find(|r| u.text.contains(r.needle)) {
                    actions.push(RobotAction::Said {
                        text: format!("answer to {:?}", u.text),
                        lang: u.lang.clone(),
                        intent: Some(rule.intent.to_string()),
                        person: Some(u.person),
                    });
                    if let Some(place) = rule.guide_to {
                        let goal = world.places()[place].position();
                        let field = NavField::build(world.grid(), goal, 0.3);
                        self.guide = Some((place.to_string(), field, goal));
                        // start guiding one step after answering
                        self.pending.push(RobotAction::GuideStart {
                            place: place.to_string(),
                        });
                    }
                }
            }
        }
        let mut cmd = (0.0, 0.0);
        if let Some((_, field, goal)) = &self.guide {
            let p = robot.position();
            if (goal - p).norm() < 0.4 {
                actions.push(RobotAction::GuideEnd);
                self.guide = None;
            } else {
                let wp = if (goal - p).norm() < 1.0 {
                    *goal
                } else {
                    field.waypoint(world.grid(), p, 1.0).unwrap_or(*goal)
                };
                let d = wp - p;
                let err = wrap_angle(d.y.atan2(d.x) - robot.yaw);
                let mut v = 0.5 * err.cos().max(0.0) * (goal - p).norm().min(1.0);
                // keep off people ahead
                if let Some(scan) = out.and_then(|o| o.scan.as_ref()) {
                    let ahead = scan
                        .scan
                        .ranges
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| scan.scan.angle(*k).abs() < 0.5)
                        .map(|(_, r)| *r)
                        .fold(f32::INFINITY, f32::min);
                    if ahead < 0.55 {
                        v = 0.0;
                    }
                }
                cmd = (v, 2.0 * err);
            }
        }
        Inputs {
            cmd_vel: Some(cmd),
            actions,
        }
    }
}

/// Where the robot should be pointing to see a point.
pub fn yaw_to(from: Pose2D, to: Vector2<f64>) -> f64 {
    let d = to - from.position();
    d.y.atan2(d.x)
}
