//! The microphone hears a person only when they are near and face the robot; people who ignore
//! the robot never speak to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_sim::geom::Pose2;
use letan_sim::people::{Action, Person};
use letan_sim::rng::SimRng;
use letan_sim::world::{Places, SimEvent, WorldConfig};
use letan_sim::{Inputs, World};
use nalgebra::Vector2;

fn ask() -> Vec<Action> {
    vec![Action::AskRobot {
        text: "Xin chào".into(),
        lang: None,
        audio: Some("hello.wav".into()),
        timeout: 5.0,
    }]
}

#[test]
fn utterance_reaches_the_robot_only_when_near_and_facing() {
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let mut places = Places::new();
    places.insert("entrance".into(), Pose2::new(1.0, 1.0, 0.0));
    let mut w = World::new(
        cfg.clone(),
        common::room(),
        places,
        Pose2::new(8.0, 3.0, std::f64::consts::PI),
        None,
    )
    .unwrap();
    let mut rng = SimRng::new(1, 1);
    let talker = Person::new(
        0,
        "talker".into(),
        "vi".into(),
        Vector2::new(1.0, 3.0),
        1.0,
        false,
        ask(),
        &mut rng,
        0.23,
    );
    let shy = Person::new(
        1,
        "shy".into(),
        "en".into(),
        Vector2::new(1.0, 5.0),
        1.0,
        true,
        ask(),
        &mut rng,
        0.23,
    );
    w.add_person(0.0, talker).unwrap();
    w.add_person(0.0, shy).unwrap();
    let mut heard = Vec::new();
    for _ in 0..400 {
        let out = w.step(0.05, &Inputs::default());
        for u in out.utterances {
            // At the moment of speaking: within mic range and facing the robot.
            let p = w.people().iter().find(|p| p.id == u.person).unwrap();
            assert!(
                u.distance <= cfg.mic.range + 1e-9,
                "heard from {} m",
                u.distance
            );
            assert!(p.faces(w.robot_pose().position(), cfg.mic.facing_angle));
            heard.push(u);
        }
    }
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].person, 0);
    assert_eq!(heard[0].text, "Xin chào");
    assert_eq!(heard[0].lang, "vi", "defaults to the person's language");
    assert_eq!(heard[0].audio.as_deref(), Some("hello.wav"));
    assert!(heard[0].stamp > 3.0, "the talker had to walk ~6 m first");
    // Nobody answered: the talker gave up after the timeout, logged.
    assert!(w.log().iter().any(|l| matches!(
        &l.event,
        SimEvent::Person {
            person: 0,
            event: letan_sim::people::PersonEvent::AnswerTimeout,
            ..
        }
    )));
}
