//! Lidar ranges match the room geometry; people show up as legs or circles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_core::Pose2D;
use letan_sim::lidar::{self, Circle, LidarConfig, PeopleShape};
use letan_sim::rng::SimRng;
use letan_sim::world::{Places, WorldConfig};
use letan_sim::{Inputs, World};
use nalgebra::Vector2;

#[test]
fn ranges_match_room_geometry() {
    let g = common::room();
    let cfg = LidarConfig {
        noise_std: 0.0,
        ..LidarConfig::default()
    };
    let sensor = Pose2D::new(5.0, 3.0, 0.0);
    let s = lidar::scan(&cfg, &g, &sensor, &[], &mut SimRng::new(0, 0), 0.0);
    assert_eq!(s.scan.ranges.len(), 360);
    // Beam k is at angle_min + k·inc: k = 180 → 0 rad (east wall, 4.95 m)
    let at = |deg: i32| s.scan.ranges[(deg + 180) as usize] as f64;
    assert!((at(0) - 4.95).abs() < 1e-4, "{}", at(0));
    assert!((at(90) - 2.95).abs() < 1e-4, "{}", at(90));
    assert!((at(-90) - 2.95).abs() < 1e-4, "{}", at(-90));
    assert!((at(180 - 360) - 4.95).abs() < 1e-4, "{}", at(-180));
    // Any beam: the hit point lies on a wall face (x ∈ {0.05, 9.95} or y ∈ {0.05, 5.95}).
    for (k, r) in s.scan.ranges.iter().enumerate() {
        let a = s.scan.angle(k);
        let p = Vector2::new(5.0 + *r as f64 * a.cos(), 3.0 + *r as f64 * a.sin());
        let on_wall = [
            (p.x - 0.05).abs(),
            (p.x - 9.95).abs(),
            (p.y - 0.05).abs(),
            (p.y - 5.95).abs(),
        ]
        .iter()
        .any(|d| *d < 1e-3);
        assert!(on_wall, "beam {k} hit {p:?}");
    }
}

#[test]
fn out_of_range_is_infinite_and_noise_is_seeded() {
    let g = common::room();
    let cfg = LidarConfig {
        range_max: 3.0,
        noise_std: 0.02,
        ..LidarConfig::default()
    };
    let sensor = Pose2D::new(5.0, 3.0, 0.0);
    let a = lidar::scan(&cfg, &g, &sensor, &[], &mut SimRng::new(9, 2), 0.0);
    let b = lidar::scan(&cfg, &g, &sensor, &[], &mut SimRng::new(9, 2), 0.0);
    assert_eq!(a.scan.ranges, b.scan.ranges);
    assert!(
        a.scan.ranges[180].is_infinite(),
        "4.95 m wall beyond 3 m range"
    );
    let n = a.scan.ranges[270] as f64 - 2.95;
    assert!(n.abs() < 0.1 && n != 0.0, "noisy but close: {n}");
}

#[test]
fn people_appear_as_legs_or_circles() {
    let g = common::room();
    let cfg = LidarConfig {
        noise_std: 0.0,
        ..LidarConfig::default()
    };
    let sensor = Pose2D::new(2.0, 3.0, 0.0);
    let legs = [
        Circle {
            center: Vector2::new(4.0, 3.1),
            radius: 0.06,
        },
        Circle {
            center: Vector2::new(4.0, 2.9),
            radius: 0.06,
        },
    ];
    let s = lidar::scan(&cfg, &g, &sensor, &legs, &mut SimRng::new(0, 0), 0.0);
    // beam at +0.1/2 rad ≈ 2.86° → k=183 hits the left leg; k=180 passes between the legs.
    let between = s.scan.ranges[180] as f64;
    assert!(
        (between - 7.95).abs() < 1e-3,
        "gap between legs sees the wall: {between}"
    );
    let left = s.scan.ranges[183] as f64;
    assert!(left > 1.9 && left < 2.05, "left leg at ~1.94 m: {left}");

    // In the world: a person in front, circle mode.
    let mut wc = WorldConfig::default();
    wc.camera.enabled = false;
    wc.lidar.people = PeopleShape::Circle;
    wc.lidar.noise_std = 0.0;
    let mut places = Places::new();
    places.insert("spot".into(), Pose2D::new(4.0, 3.0, 0.0));
    let mut w = World::new(wc, common::room(), places, Pose2D::new(2.0, 3.0, 0.0), None).unwrap();
    let mut rng = SimRng::new(1, 1);
    let p = letan_sim::people::Person::new(
        0,
        "a".into(),
        "vi".into(),
        Vector2::new(4.0, 3.0),
        1.0,
        false,
        vec![],
        &mut rng,
        0.23,
    );
    w.add_person(0.0, p).unwrap();
    let out = w.step(0.05, &Inputs::default());
    let s = out.scan.expect("first step scans");
    // sensor at x = 2.1 (mount 0.1), circle radius 0.23 at x = 4 → 1.67
    let r = s.scan.ranges[180] as f64;
    assert!((r - 1.67).abs() < 0.02, "{r}");
}
