//! Every shipped scenario parses, names real places and intents; the evaluator and the full
//! runner core work end to end with a fake robot stack.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{FakeStack, Rule};
use letan_sim::scenario::{self, Expectation, Scenario};
use letan_sim::world::WorldConfig;
use std::collections::BTreeSet;

fn scenario_files() -> Vec<std::path::PathBuf> {
    let dir = common::repo_root().join("sim/scenarios");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

fn known_intents() -> BTreeSet<String> {
    let tsv =
        std::fs::read_to_string(common::repo_root().join("../shared/spec/intents.tsv")).unwrap();
    tsv.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_shipped_scenario_parses_and_names_real_places_and_intents() {
    let files = scenario_files();
    assert!(files.len() >= 3, "{files:?}");
    let lobby = common::lobby();
    let intents = known_intents();
    for f in files {
        let s = Scenario::load(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for p in s.places() {
            assert!(
                lobby.places.contains_key(&p),
                "{}: unknown place {p}",
                f.display()
            );
        }
        for i in s.intents() {
            assert!(intents.contains(&i), "{}: unknown intent {i}", f.display());
        }
        assert!(
            !s.expectations.is_empty(),
            "{}: no expectations",
            f.display()
        );
    }
}

#[test]
fn parser_rejects_unknown_fields_and_bad_values_with_clear_errors() {
    let base = "name: x\nduration: 10\n";
    let e = Scenario::from_yaml(&format!("{base}colour: red\n"), "t.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.yaml") && e.contains("colour"), "{e}");
    let e = Scenario::from_yaml("name: x\nduration: -1\n", "t.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("duration"), "{e}");
    let e = Scenario::from_yaml(
        &format!("{base}people:\n  - name: a\n    plan:\n      - fly_to: moon\n"),
        "t.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("fly_to"), "{e}");
    let e = Scenario::from_yaml(
        &format!("{base}expectations:\n  - heard: {{ person: nobody }}\n"),
        "t.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("nobody"), "{e}");
    let e = Scenario::from_yaml(
        &format!("{base}people:\n  - name: a\n    lang: fr\n"),
        "t.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("lang"), "{e}");
    let e = Scenario::from_yaml(
        &format!("{base}people:\n  - name: a\n    group: g\n  - name: b\n    group: g\n    plan: [leave]\n"),
        "t.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("group"), "{e}");
    // unknown place is caught when building the world
    let s = Scenario::from_yaml(
        &format!("{base}people:\n  - name: a\n    plan: [{{go_to: mars}}]\n"),
        "t.yaml",
    )
    .unwrap();
    let lobby = common::lobby();
    let e = s
        .build_world(
            WorldConfig::default(),
            None,
            lobby.grid.clone(),
            lobby.places.clone(),
            None,
        )
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("mars"), "{e}");
}

fn run_with_fake_stack(file: &str, rules: Vec<Rule>) -> scenario::Report {
    let lobby = common::lobby();
    let s = Scenario::load(&common::repo_root().join("sim/scenarios").join(file)).unwrap();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let mut w = s
        .build_world(cfg, None, lobby.grid.clone(), lobby.places.clone(), None)
        .unwrap();
    let mut stack = FakeStack::new(rules);
    let mut out = None;
    let dt = 0.05;
    while w.time() < s.duration {
        let inputs = stack.inputs(&w, out.as_ref());
        out = Some(w.step(dt, &inputs));
    }
    scenario::report(&s, s.seed, w.log(), w.metrics(), w.places(), 1.0)
}

#[test]
fn ask_and_guide_passes_with_a_working_stack() {
    let r = run_with_fake_stack(
        "ask_and_guide.yaml",
        vec![
            Rule {
                needle: "quầy số 5",
                intent: "nav.where_is",
                guide_to: None,
            },
            Rule {
                needle: "dẫn bác",
                intent: "nav.guide",
                guide_to: Some("counter_5"),
            },
        ],
    );
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert!(r.passed, "{json}");
    assert!(r.time_to_goal.is_some_and(|t| t > 10.0), "{json}");
    assert!(
        r.path_length > 8.0,
        "reception → counter 5 is > 8 m: {json}"
    );
    assert_eq!(r.exit_code(), 0);
    // the JSON report carries HuNavSim-style metrics
    for key in [
        "expectations",
        "time_to_goal",
        "path_length",
        "min_distance_to_people",
        "collisions",
        "time_in_personal_space",
        "real_time_factor",
    ] {
        assert!(json.contains(key), "{key} missing from {json}");
    }
}

#[test]
fn ask_and_guide_fails_with_a_broken_stack() {
    // The stack answers with the wrong intent and never guides.
    let r = run_with_fake_stack(
        "ask_and_guide.yaml",
        vec![Rule {
            needle: "quầy",
            intent: "nav.where_is",
            guide_to: None,
        }],
    );
    assert!(!r.passed);
    assert_eq!(r.exit_code(), 1);
    let failed: Vec<_> = r
        .expectations
        .iter()
        .filter(|o| !o.passed)
        .map(|o| &o.expectation)
        .collect();
    assert!(
        failed
            .iter()
            .any(|e| matches!(e, Expectation::Answered { .. })),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|e| matches!(e, Expectation::RobotReached { .. })),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|e| matches!(e, Expectation::Guided { .. })),
        "{failed:?}"
    );
    // heard and greeted still hold
    assert!(r
        .expectations
        .iter()
        .any(|o| o.passed && matches!(o.expectation, Expectation::Heard { .. })));
}

#[test]
fn english_wifi_passes_with_a_working_stack() {
    let r = run_with_fake_stack(
        "english_wifi.yaml",
        vec![Rule {
            needle: "wifi",
            intent: "amenity.wifi",
            guide_to: None,
        }],
    );
    assert!(r.passed, "{}", serde_json::to_string_pretty(&r).unwrap());
}

#[test]
fn busy_lobby_passes_with_a_working_stack() {
    let r = run_with_fake_stack(
        "busy_lobby.yaml",
        vec![
            Rule {
                needle: "vệ sinh",
                intent: "nav.where_is",
                guide_to: None,
            },
            // The router reads "Where can I print documents?" as the way to the printing area.
            Rule {
                needle: "print",
                intent: "nav.where_is",
                guide_to: None,
            },
        ],
    );
    assert!(r.passed, "{}", serde_json::to_string_pretty(&r).unwrap());
}

/// Every shipped scenario with a fake stack, the judge deciding expectations as the run goes:
/// each expectation is decided once, during the run or at its end, and every verdict is the
/// report's. With a stack that answers and guides, one that only greets, and one that greets
/// everyone a second time 15 s later, some expectations pass and some fail before the end.
#[test]
fn expectations_decided_during_the_run_agree_with_the_report() {
    use letan_sim::world::RobotAction;
    let lobby = common::lobby();
    let working = || {
        vec![
            Rule {
                needle: "wifi",
                intent: "amenity.wifi",
                guide_to: None,
            },
            Rule {
                needle: "quầy số 5",
                intent: "nav.where_is",
                guide_to: None,
            },
            Rule {
                needle: "dẫn bác đi",
                intent: "nav.guide",
                guide_to: Some("counter_5"),
            },
            Rule {
                needle: "vệ sinh",
                intent: "nav.where_is",
                guide_to: None,
            },
            Rule {
                needle: "print",
                intent: "nav.where_is",
                guide_to: None,
            },
        ]
    };
    let (mut early_passes, mut early_fails) = (0, 0);
    for f in scenario_files() {
        let s = Scenario::load(&f).unwrap();
        for (stack, rules, twice) in [
            ("working", working(), false),
            ("greets only", vec![], false),
            ("greets twice", working(), true),
        ] {
            let mut cfg = WorldConfig::default();
            cfg.camera.enabled = false;
            let mut w = s
                .build_world(cfg, None, lobby.grid.clone(), lobby.places.clone(), None)
                .unwrap();
            let mut stack_ = FakeStack::new(rules);
            let mut judge = scenario::Judge::new(&s);
            let mut decisions = Vec::new();
            let mut out = None;
            let mut again: Vec<(f64, RobotAction)> = Vec::new();
            while w.time() < s.duration {
                let mut inputs = stack_.inputs(&w, out.as_ref());
                if twice {
                    let now = w.time();
                    for a in &inputs.actions {
                        if matches!(a, RobotAction::Greeted { .. }) {
                            again.push((now + 15.0, a.clone()));
                        }
                    }
                    let (due, later) = again.into_iter().partition(|(t, _)| *t <= now);
                    again = later;
                    inputs.actions.extend(due.into_iter().map(|(_, a)| a));
                }
                // The face node engages someone before it greets them.
                inputs.actions = inputs
                    .actions
                    .into_iter()
                    .flat_map(|a| match a {
                        RobotAction::Greeted { person } => {
                            vec![RobotAction::Engaged { person }, a]
                        }
                        a => vec![a],
                    })
                    .collect();
                out = Some(w.step(0.05, &inputs));
                decisions.extend(judge.step(&s, w.time(), w.log(), w.metrics(), w.places()));
            }
            let during = decisions.len();
            decisions.extend(judge.finish(&s, w.log(), w.metrics(), w.places()));
            let r = scenario::report(&s, s.seed, w.log(), w.metrics(), w.places(), 1.0);
            let name = format!("{} ({stack})", f.display());
            let mut indices: Vec<usize> = decisions.iter().map(|d| d.index).collect();
            indices.sort_unstable();
            assert_eq!(
                indices,
                (0..s.expectations.len()).collect::<Vec<_>>(),
                "{name}: each decided once"
            );
            for (k, d) in decisions.iter().enumerate() {
                let o = &r.expectations[d.index];
                assert_eq!(d.outcome.expectation, o.expectation, "{name}");
                assert_eq!(
                    d.outcome.passed, o.passed,
                    "{name}: decided at {:.2} s as {:?} ({}), the report says {} ({})",
                    d.t, d.outcome.passed, d.outcome.detail, o.passed, o.detail
                );
                if k < during {
                    assert!(d.t <= w.time(), "{name}: {d:?}");
                    if d.outcome.passed {
                        early_passes += 1;
                    } else {
                        early_fails += 1;
                    }
                } else {
                    assert_eq!(d.outcome.detail, o.detail, "{name}");
                }
            }
            // A question is heard the step it is asked.
            if let Some(d) = decisions[..during]
                .iter()
                .find(|d| matches!(d.outcome.expectation, Expectation::Heard { .. }))
            {
                let Expectation::Heard { person } = &d.outcome.expectation else {
                    unreachable!()
                };
                let spoke = w.log().iter().find_map(|l| match &l.event {
                    letan_sim::world::SimEvent::Person {
                        name,
                        event: letan_sim::people::PersonEvent::Spoke { .. },
                        ..
                    } if name == person => Some(l.t),
                    _ => None,
                });
                let spoke = spoke.unwrap();
                assert!(
                    d.t >= spoke && d.t - spoke < 0.05 + 1e-9,
                    "{name}: {person} spoke at {spoke} s, heard decided at {} s",
                    d.t
                );
            }
        }
    }
    assert!(
        early_passes > 10 && early_fails > 5,
        "{early_passes} passes and {early_fails} failures decided before the end"
    );
}
