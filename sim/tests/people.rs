//! Social-force walkers: they reach their goals through the real lobby and don't overlap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_sim::people::{Action, Activity, Person};
use letan_sim::rng::SimRng;
use letan_sim::world::{SimEvent, WorldConfig};
use letan_sim::{Inputs, World};
use nalgebra::Vector2;

/// Largest overlap of two bodies the README allows (m).
const MAX_OVERLAP: f64 = 0.01;

#[test]
fn walkers_reach_counters_without_overlapping() {
    let lobby = common::lobby();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let start = lobby.places["reception"];
    let mut w = World::new(cfg, lobby.grid.clone(), lobby.places.clone(), start, None).unwrap();
    let mut rng = SimRng::new(5, 9);
    let n = 16;
    for i in 0..n {
        let from = lobby.places["entrance"].position()
            + Vector2::new((i % 4) as f64 * 0.6 - 0.9, (i / 4) as f64 * 0.5);
        // half go to counters, half cross paths going to the kiosk then a counter on the other side
        let plan = if i % 2 == 0 {
            vec![Action::GoTo(format!("counter_{}", 1 + i % 12))]
        } else {
            vec![
                Action::TakeTicket,
                Action::GoTo(format!("counter_{}", 12 - i % 12)),
            ]
        };
        let p = Person::new(
            i as u32,
            format!("p{i}"),
            "vi".into(),
            from,
            1.1,
            true,
            plan,
            &mut rng,
            0.23,
        );
        w.add_person(i as f64 * 0.5, p).unwrap();
    }
    let mut min_gap = f64::INFINITY;
    let mut wall_inside = 0;
    for _ in 0..(120.0 / 0.05) as usize {
        w.step(0.05, &Inputs::default());
        let ps: Vec<_> = w.people().iter().filter(|p| p.present).collect();
        for (a, p) in ps.iter().enumerate() {
            if w.grid().occupied_at(p.pos) {
                wall_inside += 1;
            }
            for q in &ps[a + 1..] {
                let gap = (p.pos - q.pos).norm() - p.radius - q.radius;
                if gap < -MAX_OVERLAP && std::env::var("SIMDBG").is_ok() {
                    eprintln!(
                        "t={:.2} {} {:?} {:?} / {} {:?} {:?} gap {gap:.3}",
                        w.time(),
                        p.name,
                        p.pos,
                        p.activity,
                        q.name,
                        q.pos,
                        q.activity
                    );
                }
                min_gap = min_gap.min(gap);
            }
        }
    }
    eprintln!("closest bodies: gap {min_gap:.3} m");
    // Bodies touch (soft contact, one 50 ms step of closing speed at most) but do not overlap by
    // more than a centimetre: the figure sim/README.md gives.
    assert!(
        min_gap > -MAX_OVERLAP,
        "people overlapped by {:.3} m",
        -min_gap
    );
    assert_eq!(wall_inside, 0, "a person's centre entered a wall cell");
    let reached: Vec<u32> = w
        .log()
        .iter()
        .filter_map(|l| match &l.event {
            SimEvent::Person {
                person,
                event: letan_sim::people::PersonEvent::Reached { place },
                ..
            } if place.starts_with("counter_") => Some(*person),
            _ => None,
        })
        .collect();
    assert_eq!(
        reached.len(),
        n,
        "every walker reached their counter: {reached:?}"
    );
    for p in w.people() {
        let target = lobby.places[&format!(
            "counter_{}",
            if p.id % 2 == 0 {
                1 + p.id % 12
            } else {
                12 - p.id % 12
            }
        )];
        assert!(
            (p.pos - target.position()).norm() < 1.8,
            "{} ended at {:?}",
            p.name,
            p.pos
        );
    }
}

#[test]
fn groups_stay_together_and_leave_with_their_leader() {
    let lobby = common::lobby();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let start = lobby.places["reception"];
    let mut w = World::new(cfg, lobby.grid.clone(), lobby.places.clone(), start, None).unwrap();
    let mut rng = SimRng::new(1, 9);
    let e = lobby.places["entrance"].position();
    let lead = Person::new(
        0,
        "lead".into(),
        "vi".into(),
        e,
        1.0,
        true,
        vec![
            Action::GoTo("water_station".into()),
            Action::Wait(3.0),
            Action::Leave,
        ],
        &mut rng,
        0.23,
    );
    w.add_person(0.0, lead).unwrap();
    for i in 1..3 {
        let p = Person::new(
            i,
            format!("m{i}"),
            "vi".into(),
            e + Vector2::new(i as f64 * 0.5, -0.2),
            1.0,
            true,
            vec![],
            &mut rng,
            0.23,
        );
        w.add_person(0.0, p).unwrap();
        w.set_leader(i as usize, 0, if i == 1 { 0.6 } else { -0.6 });
    }
    let mut max_spread: f64 = 0.0;
    let (mut sum, mut cnt) = (0.0, 0usize);
    for _ in 0..(90.0 / 0.05) as usize {
        w.step(0.05, &Inputs::default());
        let ps = w.people();
        if ps[0].present {
            for m in &ps[1..] {
                if m.present {
                    let d = (m.pos - ps[0].pos).norm();
                    if d > 2.5 && std::env::var("SIMDBG").is_ok() {
                        eprintln!(
                            "t={:.2} {} at {:?} leader at {:?} {:?} d={d:.2}",
                            w.time(),
                            m.name,
                            m.pos,
                            ps[0].pos,
                            ps[0].activity
                        );
                    }
                    max_spread = max_spread.max(d);
                    sum += d;
                    cnt += 1;
                }
            }
        }
    }
    // Around the reception desk a member may take the other side for a moment; on average they keep close.
    assert!(max_spread < 4.0, "group spread {max_spread}");
    let mean = sum / cnt.max(1) as f64;
    assert!(
        cnt > 100 && mean < 1.5,
        "mean spread {mean} over {cnt} samples"
    );
    assert!(
        w.people().iter().all(|p| p.activity == Activity::Gone),
        "everyone left"
    );
}
