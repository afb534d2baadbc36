//! Hot paths: global planning (lobby and a 100 x 100 m map), one controller cycle, one localization
//! update, one costmap scan update. Run: `cargo bench -j2 -p letan-nav`.

use common::lobby;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use letan_map::OccupancyGrid;
use letan_nav::controller::{ControlInput, Controller};
use letan_nav::costmap::Costmap;
use letan_nav::localization::ParticleFilter;
use letan_nav::params::NavParams;
use letan_nav::planner::Planner;
use letan_nav::{Pose2D, Twist2D};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The lobby and the simulator's lidar, as the integration tests use them.
#[path = "../tests/common/mod.rs"]
mod common;

/// 100 x 100 m at 5 cm with a regular field of 1 m pillars every 5 m and long walls with gaps.
fn big_map() -> OccupancyGrid {
    let n = 2000;
    let mut g = OccupancyGrid::filled(n, n, 0.05, Pose2D::default(), 0).expect("grid");
    for cy in 0..n {
        for cx in 0..n {
            let (x, y) = (cx as f64 * 0.05, cy as f64 * 0.05);
            let pillar = (x % 5.0) < 1.0 && (y % 5.0) < 1.0 && x > 2.0 && y > 2.0;
            let wall = (x - 33.0).abs() < 0.1 && (y % 25.0) > 3.0
                || (x - 66.0).abs() < 0.1 && ((y + 12.0) % 25.0) > 3.0;
            let border = cx == 0 || cy == 0 || cx == n - 1 || cy == n - 1;
            if pillar || wall || border {
                g.set(cx, cy, 100);
            }
        }
    }
    g
}

fn bench_planning(c: &mut Criterion) {
    let p = NavParams::default();
    let (grid, keep, places) = lobby();
    let cm = Costmap::new(&grid, Some(&keep), &p.costmap, p.robot.radius).expect("costmap");
    let start = places.dock.expect("dock");
    let goal = places.get("counter_1").expect("counter_1");
    let mut planner = Planner::new(p.planner.clone());
    c.bench_function("plan_lobby_dock_to_counter_1", |b| {
        b.iter(|| planner.plan(&cm, &start, &goal).expect("plan"))
    });
    let big = big_map();
    let cm = Costmap::new(&big, None, &p.costmap, p.robot.radius).expect("costmap");
    let s = Pose2D::new(1.5, 1.5, 0.0);
    let g = Pose2D::new(70.0, 48.5, 0.0);
    let mut planner = Planner::new(p.planner.clone());
    let path = planner.plan(&cm, &s, &g).expect("plan");
    eprintln!(
        "100x100 m map: path length {:.1} m, {} expansions",
        path.length(),
        planner.last_expansions
    );
    let mut group = c.benchmark_group("plan_100m");
    group.sample_size(10);
    group.bench_function("plan_100x100m_diagonal", |b| {
        b.iter(|| planner.plan(&cm, &s, &g).expect("plan"))
    });
    group.finish();
}

fn bench_controller(c: &mut Criterion) {
    let p = NavParams::default();
    let (grid, keep, places) = lobby();
    let cm = Costmap::new(&grid, Some(&keep), &p.costmap, p.robot.radius).expect("costmap");
    let start = places.dock.expect("dock");
    let goal = places.get("counter_6").expect("counter_6");
    let path = Planner::new(p.planner.clone())
        .plan(&cm, &start, &goal)
        .expect("plan");
    let pose = path.poses[path.poses.len() / 3];
    let scan = common::Scanner::full(&grid).scan(&pose, &[]);
    let pts = scan.points_in(&Pose2D::new(0.1, 0.0, 0.0));
    let mut ctl = Controller::new(p.controller.clone(), p.robot.clone(), p.goal.clone());
    c.bench_function("controller_step_360_beams", |b| {
        b.iter(|| {
            ctl.compute(&ControlInput {
                pose,
                velocity: Twist2D::new(0.4, 0.0),
                path: &path,
                scan_points: &pts,
                people: &[],
                speed_limit: f64::INFINITY,
                dt: 0.05,
            })
        })
    });
    let mut cm2 = cm.clone();
    c.bench_function("costmap_scan_update_360_beams", |b| {
        b.iter(|| cm2.update_scan(&pose, &Pose2D::new(0.1, 0.0, 0.0), &scan))
    });
}

fn bench_localization(c: &mut Criterion) {
    let p = NavParams::default();
    let (grid, _, places) = lobby();
    let truth = places.get("waiting_area").expect("place");
    let laser = Pose2D::new(0.1, 0.0, 0.0);
    let scan = common::Scanner::full(&grid).scan(&truth, &[]);
    for n in [500usize, 2000] {
        let mut lp = p.localization.clone();
        lp.particles = n;
        let mut pf = ParticleFilter::new(&grid, lp, laser, 8.0).expect("pf");
        pf.init(truth, 0.3, 0.2).expect("init");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let _ = &mut rng;
        c.bench_function(
            &format!("localization_update_{n}_particles_60_beams"),
            |b| {
                b.iter_batched(
                    || {
                        let mut f = pf.clone();
                        f.init(truth, 0.3, 0.2).expect("init");
                        f
                    },
                    |mut f| f.update(&scan),
                    BatchSize::LargeInput,
                )
            },
        );
    }
}

criterion_group!(
    benches,
    bench_planning,
    bench_controller,
    bench_localization
);
criterion_main!(benches);
