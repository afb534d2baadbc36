//! Test and bench helpers: a grid raycaster producing laser scans (with round obstacles such as people's
//! legs) and a unicycle model. Deterministic; noise comes from a caller-seeded RNG.

use letan_map::OccupancyGrid;
use rand::Rng;

use crate::types::{compose, normalize_angle, LaserScan, Pose2D, Twist2D};

/// A round obstacle (leg, pillar, person) in the map frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

/// Scanner geometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanSpec {
    pub beams: usize,
    pub angle_min: f64,
    pub angle_max: f64,
    pub range_min: f64,
    pub range_max: f64,
}

impl Default for ScanSpec {
    fn default() -> Self {
        Self {
            beams: 360,
            angle_min: -std::f64::consts::PI,
            angle_max: std::f64::consts::PI - std::f64::consts::TAU / 360.0,
            range_min: 0.05,
            range_max: 8.0,
        }
    }
}

/// Distance along a ray from (x, y) at angle `a` to the first occupied cell (DDA grid traversal), or
/// `max` if none. Cells outside the map count as free (no return).
pub fn raycast_grid(grid: &OccupancyGrid, x: f64, y: f64, a: f64, max: f64) -> f64 {
    let res = grid.resolution();
    let o = grid.origin();
    let (gx, gy) = ((x - o.x) / res, (y - o.y) / res);
    let (dx, dy) = (a.cos(), a.sin());
    let (mut cx, mut cy) = (gx.floor() as i64, gy.floor() as i64);
    let step_x: i64 = if dx > 0.0 { 1 } else { -1 };
    let step_y: i64 = if dy > 0.0 { 1 } else { -1 };
    let t_dx = if dx.abs() < 1e-12 {
        f64::INFINITY
    } else {
        1.0 / dx.abs()
    };
    let t_dy = if dy.abs() < 1e-12 {
        f64::INFINITY
    } else {
        1.0 / dy.abs()
    };
    let first = |g: f64, c: i64, d: f64, td: f64| {
        if td.is_infinite() {
            f64::INFINITY
        } else if d > 0.0 {
            (c as f64 + 1.0 - g) * td
        } else {
            (g - c as f64) * td
        }
    };
    let mut t_x = first(gx, cx, dx, t_dx);
    let mut t_y = first(gy, cy, dy, t_dy);
    let max_cells = max / res;
    let mut t = 0.0;
    while t <= max_cells {
        if cx >= 0 && cy >= 0 {
            if let Some(v) = grid.get(cx as usize, cy as usize) {
                if v >= 65 {
                    return (t * res).min(max);
                }
            }
        }
        if t_x < t_y {
            t = t_x;
            t_x += t_dx;
            cx += step_x;
        } else {
            t = t_y;
            t_y += t_dy;
            cy += step_y;
        }
    }
    max
}

fn ray_circle(x: f64, y: f64, a: f64, c: &Circle) -> Option<f64> {
    let (dx, dy) = (a.cos(), a.sin());
    let (fx, fy) = (x - c.x, y - c.y);
    let b = fx * dx + fy * dy;
    let cc = fx * fx + fy * fy - c.r * c.r;
    let disc = b * b - cc;
    if disc < 0.0 {
        return None;
    }
    let t = -b - disc.sqrt();
    (t > 0.0).then_some(t)
}

/// Simulate a scan from the laser at `laser` (in base_link) on a robot at `robot` (map frame).
/// Beams with no return get `+inf`. Gaussian range noise `noise` (m) is added when `rng` is given.
pub fn simulate_scan<R: Rng>(
    grid: &OccupancyGrid,
    circles: &[Circle],
    robot: &Pose2D,
    laser: &Pose2D,
    spec: &ScanSpec,
    noise: f64,
    mut rng: Option<&mut R>,
) -> LaserScan {
    let s = compose(robot, laser);
    let inc = if spec.beams > 1 {
        (spec.angle_max - spec.angle_min) / (spec.beams - 1) as f64
    } else {
        0.0
    };
    let ranges = (0..spec.beams)
        .map(|i| {
            let a = s.yaw + spec.angle_min + inc * i as f64;
            let mut r = raycast_grid(grid, s.x, s.y, a, spec.range_max);
            for c in circles {
                if let Some(t) = ray_circle(s.x, s.y, a, c) {
                    r = r.min(t);
                }
            }
            if r >= spec.range_max {
                return f32::INFINITY;
            }
            if let Some(rng) = rng.as_deref_mut() {
                let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
                let u2: f64 = rng.gen();
                r += noise * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            }
            r.max(spec.range_min) as f32
        })
        .collect();
    LaserScan {
        angle_min: spec.angle_min,
        angle_increment: inc,
        range_min: spec.range_min,
        range_max: spec.range_max,
        ranges,
    }
}

/// Integrate a unicycle for `dt` seconds under `cmd` (exact arc).
pub fn unicycle_step(p: &Pose2D, cmd: &Twist2D, dt: f64) -> Pose2D {
    let (v, w) = (cmd.linear, cmd.angular);
    if w.abs() < 1e-9 {
        Pose2D::new(
            p.x + v * dt * p.yaw.cos(),
            p.y + v * dt * p.yaw.sin(),
            p.yaw,
        )
    } else {
        let yaw2 = p.yaw + w * dt;
        Pose2D::new(
            p.x + v / w * (yaw2.sin() - p.yaw.sin()),
            p.y - v / w * (yaw2.cos() - p.yaw.cos()),
            normalize_angle(yaw2),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn raycast_hits_wall_and_circle() {
        let mut g = OccupancyGrid::filled(100, 100, 0.05, Pose2D::default(), 0).unwrap();
        for y in 0..100 {
            g.set(80, y, 100);
        }
        let d = raycast_grid(&g, 1.0, 2.5, 0.0, 8.0);
        assert!((d - 3.0).abs() < 0.051, "{d}");
        let d = raycast_grid(&g, 1.0, 2.5, std::f64::consts::PI, 8.0);
        assert_eq!(d, 8.0);
        let spec = ScanSpec {
            beams: 4,
            angle_min: 0.0,
            angle_max: 3.0 * std::f64::consts::FRAC_PI_2,
            ..Default::default()
        };
        let s = simulate_scan::<ChaCha8Rng>(
            &g,
            &[Circle {
                x: 1.0,
                y: 3.5,
                r: 0.1,
            }],
            &Pose2D::new(1.0, 2.5, 0.0),
            &Pose2D::default(),
            &spec,
            0.0,
            None,
        );
        assert!((f64::from(s.ranges[0]) - 3.0).abs() < 0.06);
        assert!((f64::from(s.ranges[1]) - 0.9).abs() < 1e-4);
        assert!(s.ranges[2].is_infinite());
    }

    #[test]
    fn unicycle_arc() {
        let p = unicycle_step(
            &Pose2D::new(0.0, 0.0, 0.0),
            &Twist2D::new(1.0, std::f64::consts::PI),
            1.0,
        );
        assert!((p.x).abs() < 1e-9 && (p.y - 2.0 / std::f64::consts::PI).abs() < 1e-9);
    }
}
