//! Simulator costs: one physics step with N people, one lidar scan, one camera frame, and the
//! headless real-time factor with 20 people, lidar at 10 Hz and camera at 10 Hz.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use letan_core::Pose2D;
use letan_sim::camera::FaceBank;
use letan_sim::lidar::{self, LidarConfig};
use letan_sim::lobby::Lobby;
use letan_sim::people::{Action, Person};
use letan_sim::rng::SimRng;
use letan_sim::world::WorldConfig;
use letan_sim::{Inputs, World};
use nalgebra::Vector2;
use std::path::PathBuf;

const SPOTS: [&str; 8] = [
    "waiting_area",
    "counter_2",
    "counter_6",
    "counter_10",
    "queue_kiosk",
    "forms_desk",
    "water_station",
    "printing_area",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The lobby with `n` people wandering between places, warmed up for 20 s so all are walking.
fn lobby_world(n: usize, lidar_on: bool, camera_on: bool) -> World {
    let lobby = Lobby::load(&root()).unwrap();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = camera_on;
    if !lidar_on {
        cfg.lidar.rate_hz = 1e-6;
    }
    let faces = camera_on
        .then(|| FaceBank::load(&FaceBank::shared_images_dir(&root()).unwrap(), 80.0).unwrap());
    let start = lobby.places["waiting_area"];
    let start = Pose2D::new(start.x, start.y - 1.5, start.yaw);
    let mut w = World::new(cfg, lobby.grid.clone(), lobby.places.clone(), start, faces).unwrap();
    let mut rng = SimRng::new(3, 3);
    for i in 0..n {
        let from = lobby.places[SPOTS[i % SPOTS.len()]].position()
            + Vector2::new((i / 8) as f64 * 0.7, 0.5);
        let mut plan = Vec::new();
        for k in 1..12 {
            plan.push(Action::GoTo(SPOTS[(i + 3 * k) % SPOTS.len()].to_string()));
            plan.push(Action::Wait(2.0));
        }
        let p = Person::new(
            i as u32,
            format!("p{i}"),
            "vi".into(),
            from,
            1.1,
            i % 3 == 0,
            plan,
            &mut rng,
            0.23,
        );
        w.add_person(0.0, p).unwrap();
    }
    for _ in 0..400 {
        w.step(
            0.05,
            &Inputs {
                cmd_vel: Some((0.0, 0.3)),
                actions: vec![],
            },
        );
    }
    w
}

fn bench_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("world_step_50ms_no_sensors");
    for n in [0usize, 10, 20, 40] {
        let mut w = lobby_world(n, false, false);
        let input = Inputs {
            cmd_vel: Some((0.3, 0.2)),
            actions: vec![],
        };
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(w.step(0.05, &input)))
        });
    }
    g.finish();
}

fn bench_lidar(c: &mut Criterion) {
    let lobby = Lobby::load(&root()).unwrap();
    let cfg = LidarConfig::default();
    let sensor = lobby.places["waiting_area"];
    let sensor = Pose2D::new(sensor.x, sensor.y - 1.5, 0.3);
    let mut rng = SimRng::new(1, 1);
    let w = lobby_world(20, false, false);
    let circles: Vec<_> = w
        .people()
        .iter()
        .filter(|p| p.present)
        .flat_map(|p| p.legs())
        .map(|c| lidar::Circle {
            center: c,
            radius: 0.06,
        })
        .collect();
    c.bench_function("lidar_scan_360_beams_12m_lobby_20_people", |b| {
        b.iter(|| {
            black_box(lidar::scan(
                &cfg,
                &lobby.grid,
                &sensor,
                &circles,
                &mut rng,
                0.0,
            ))
        })
    });
}

fn bench_camera(c: &mut Criterion) {
    let w = lobby_world(20, false, true);
    let visible = w.render_camera().faces.len();
    eprintln!("camera bench: {visible} faces visible in the frame");
    c.bench_function("camera_frame_640x480_lobby_20_people", |b| {
        b.iter(|| black_box(w.render_camera()))
    });
}

fn bench_rtf(c: &mut Criterion) {
    let mut g = c.benchmark_group("realtime_factor");
    g.sample_size(10);
    let mut w = lobby_world(20, true, true);
    let input = Inputs {
        cmd_vel: Some((0.2, 0.3)),
        actions: vec![],
    };
    // 10 s of sim time at 20 Hz steps (50 ms), lidar 10 Hz, camera 10 Hz: RTF = 10 s / measured time.
    g.bench_function("sim_10s_20_people_lidar10hz_camera10hz", |b| {
        b.iter(|| {
            for _ in 0..200 {
                black_box(w.step(0.05, &input));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_step, bench_lidar, bench_camera, bench_rtf);

/// Walls as merged boxes (runs of occupied cells) with a brute-force slab test per ray, versus
/// the grid DDA the simulator uses: the measurement behind the choice.
fn bench_raycast_backends(c: &mut Criterion) {
    let lobby = Lobby::load(&root()).unwrap();
    let boxes = lobby.grid.merged_boxes();
    eprintln!(
        "lobby: {} occupied cells merge into {} boxes",
        lobby.grid.occupied_count(),
        boxes.len()
    );
    let o = lobby.places["waiting_area"].position() - Vector2::new(0.0, 1.5);
    let slab = |angle: f64| -> Option<f64> {
        let (s, co) = angle.sin_cos();
        let mut best: Option<f64> = None;
        for b in &boxes {
            let (mut t0, mut t1) = (0.0f64, 12.0f64);
            for (oo, d, lo, hi) in [(o.x, co, b.min_x, b.max_x), (o.y, s, b.min_y, b.max_y)] {
                if d.abs() < 1e-12 {
                    if oo < lo || oo > hi {
                        t0 = f64::INFINITY;
                    }
                } else {
                    let (a, z) = ((lo - oo) / d, (hi - oo) / d);
                    t0 = t0.max(a.min(z));
                    t1 = t1.min(a.max(z));
                }
            }
            if t0 <= t1 && best.is_none_or(|x| t0 < x) {
                best = Some(t0);
            }
        }
        best
    };
    // Both agree (within a cell) before we time them.
    for k in 0..360 {
        let a = -std::f64::consts::PI + k as f64 * std::f64::consts::TAU / 360.0;
        let g = lobby.grid.raycast(o, a, 12.0);
        let b = slab(a);
        if let (Some(g), Some(b)) = (g, b) {
            assert!((g - b).abs() < 0.08, "beam {k}: grid {g} vs boxes {b}");
        }
    }
    let mut g = c.benchmark_group("raycast_360_beams_lobby_walls");
    g.bench_function("grid_dda", |b| {
        b.iter(|| {
            (0..360).fold(0.0, |acc, k| {
                let a = -std::f64::consts::PI + k as f64 * std::f64::consts::TAU / 360.0;
                acc + lobby.grid.raycast(o, a, 12.0).unwrap_or(12.0)
            })
        })
    });
    g.bench_function("merged_boxes_bruteforce", |b| {
        b.iter(|| {
            (0..360).fold(0.0, |acc, k| {
                let a = -std::f64::consts::PI + k as f64 * std::f64::consts::TAU / 360.0;
                acc + slab(a).unwrap_or(12.0)
            })
        })
    });
    g.finish();
}

criterion_group!(backends, bench_raycast_backends);
criterion_main!(benches, backends);
