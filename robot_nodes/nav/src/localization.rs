//! Particle-filter localization (Monte Carlo localization as in AMCL): odometry motion model,
//! likelihood-field measurement model, low-variance resampling, augmented-MCL random particle
//! injection, and `map → odom` computed from the estimate and the current odometry.

use letan_map::OccupancyGrid;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

use crate::error::{NavError, Result};
use crate::params::LocalizationParams;
use crate::types::{compose, inverse, normalize_angle, pose_finite, LaserScan, Pose2D};
use letan_map::edt::distance_transform;

/// Side of the square cells the estimate clusters particles in (m).
const CLUSTER_CELL_M: f64 = 0.5;
/// A measurement update that moves the estimate further than this from odometry's prediction is
/// logged: a well-localized robot corrects by centimetres.
const ESTIMATE_JUMP_WARN_M: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    pub pose: Pose2D,
    pub weight: f64,
}

/// Precomputed per-cell beam-endpoint likelihood `z_hit·exp(-d²/2σ²) + z_rand/range_max`.
#[derive(Debug, Clone)]
pub struct LikelihoodField {
    width: usize,
    height: usize,
    resolution: f64,
    origin: (f64, f64),
    p: Vec<f32>,
    free_cells: Vec<u32>,
    outside: f32,
}

impl LikelihoodField {
    pub fn new(grid: &OccupancyGrid, params: &LocalizationParams, range_max: f64) -> Result<Self> {
        if grid.origin().yaw.abs() > 1e-9 {
            return Err(NavError::Map(
                "rotated map origins are not supported".into(),
            ));
        }
        let (w, h) = (grid.width(), grid.height());
        let occ: Vec<bool> = grid.data().iter().map(|&v| v >= 65).collect();
        let dist = distance_transform(&occ, w, h);
        let res = grid.resolution();
        let rand_term = params.z_rand / range_max.max(1e-3);
        let s2 = 2.0 * params.sigma_hit * params.sigma_hit;
        let p = dist
            .iter()
            .map(|&d| {
                let d = (f64::from(d) * res).min(params.likelihood_max_dist);
                (params.z_hit * (-(d * d) / s2).exp() + rand_term) as f32
            })
            .collect();
        let free_cells = grid
            .data()
            .iter()
            .enumerate()
            .filter(|(_, &v)| v == 0)
            .map(|(i, _)| i as u32)
            .collect();
        Ok(Self {
            width: w,
            height: h,
            resolution: res,
            origin: (grid.origin().x, grid.origin().y),
            p,
            free_cells,
            outside: rand_term as f32,
        })
    }

    #[inline]
    pub fn at(&self, x: f64, y: f64) -> f32 {
        let gx = (x - self.origin.0) / self.resolution;
        let gy = (y - self.origin.1) / self.resolution;
        if gx < 0.0 || gy < 0.0 || !gx.is_finite() || !gy.is_finite() {
            return self.outside;
        }
        let (cx, cy) = (gx as usize, gy as usize);
        if cx >= self.width || cy >= self.height {
            return self.outside;
        }
        self.p[cy * self.width + cx]
    }
}

/// Monte Carlo localization.
#[derive(Debug, Clone)]
pub struct ParticleFilter {
    params: LocalizationParams,
    field: LikelihoodField,
    laser: Pose2D,
    particles: Vec<Particle>,
    rng: ChaCha8Rng,
    last_odom: Option<Pose2D>,
    moved_d: f64,
    moved_a: f64,
    force_update: bool,
    w_slow: f64,
    w_fast: f64,
    estimate: Pose2D,
    /// map → odom as of the last measurement update (or initialization)
    m2o: Pose2D,
    /// Number of measurement updates done.
    pub updates: usize,
}

fn gauss(rng: &mut ChaCha8Rng, sigma: f64) -> f64 {
    if sigma <= 0.0 {
        return 0.0;
    }
    // Box–Muller
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen::<f64>();
    sigma * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl ParticleFilter {
    /// `laser` is the laser pose in base_link; `range_max` the scanner's maximum range.
    pub fn new(
        grid: &OccupancyGrid,
        params: LocalizationParams,
        laser: Pose2D,
        range_max: f64,
    ) -> Result<Self> {
        let field = LikelihoodField::new(grid, &params, range_max)?;
        let rng = ChaCha8Rng::seed_from_u64(params.seed);
        Ok(Self {
            params,
            field,
            laser,
            particles: Vec::new(),
            rng,
            last_odom: None,
            moved_d: 0.0,
            moved_a: 0.0,
            force_update: true,
            w_slow: 0.0,
            w_fast: 0.0,
            estimate: Pose2D::default(),
            m2o: Pose2D::default(),
            updates: 0,
        })
    }

    pub fn particles(&self) -> &[Particle] {
        &self.particles
    }

    /// (Re)initialize around `pose` (e.g. from /initialpose or the dock) with the given spreads.
    pub fn init(&mut self, pose: Pose2D, sigma_xy: f64, sigma_yaw: f64) -> Result<()> {
        if !pose_finite(&pose)
            || !sigma_xy.is_finite()
            || !sigma_yaw.is_finite()
            || sigma_xy < 0.0
            || sigma_yaw < 0.0
        {
            return Err(NavError::BadInput {
                what: "initial pose",
                reason: format!("{pose:?} σ {sigma_xy} {sigma_yaw}"),
            });
        }
        let n = self.params.particles;
        let w = 1.0 / n as f64;
        self.particles = (0..n)
            .map(|_| Particle {
                pose: Pose2D::new(
                    pose.x + gauss(&mut self.rng, sigma_xy),
                    pose.y + gauss(&mut self.rng, sigma_xy),
                    normalize_angle(pose.yaw + gauss(&mut self.rng, sigma_yaw)),
                ),
                weight: w,
            })
            .collect();
        self.estimate = pose;
        self.m2o = match self.last_odom {
            Some(o) => compose(&pose, &inverse(&o)),
            None => Pose2D::default(),
        };
        self.force_update = true;
        self.w_slow = 0.0;
        self.w_fast = 0.0;
        Ok(())
    }

    /// Initialize with the default spreads.
    pub fn init_default(&mut self, pose: Pose2D) -> Result<()> {
        let (s, a) = (self.params.initial_sigma_xy, self.params.initial_sigma_yaw);
        self.init(pose, s, a)
    }

    /// Odometry motion model: move every particle by the odometry change since the last call.
    pub fn predict(&mut self, odom: Pose2D) {
        if !pose_finite(&odom) {
            return;
        }
        let Some(prev) = self.last_odom.replace(odom) else {
            self.m2o = compose(&self.estimate, &inverse(&odom));
            return;
        };
        // between measurement updates the estimate follows odometry (map → odom stays fixed)
        self.estimate = compose(&self.m2o, &odom);
        let dx = odom.x - prev.x;
        let dy = odom.y - prev.y;
        let trans = dx.hypot(dy);
        let dyaw = normalize_angle(odom.yaw - prev.yaw);
        self.moved_d += trans;
        self.moved_a += dyaw.abs();
        if trans < 1e-9 && dyaw.abs() < 1e-9 {
            return;
        }
        let mut rot1 = if trans < 0.01 {
            0.0
        } else {
            normalize_angle(dy.atan2(dx) - prev.yaw)
        };
        let mut trans_s = trans;
        // driving backwards: model it as a reversed translation
        if rot1.abs() > std::f64::consts::FRAC_PI_2 {
            rot1 = normalize_angle(rot1 - std::f64::consts::PI);
            trans_s = -trans;
        }
        let rot2 = normalize_angle(dyaw - rot1);
        let p = &self.params;
        let (a1, a2, a3, a4) = (p.alpha1, p.alpha2, p.alpha3, p.alpha4);
        let s_rot1 = (a1 * rot1 * rot1 + a2 * trans * trans).sqrt();
        let s_trans = (a3 * trans * trans + a4 * (rot1 * rot1 + rot2 * rot2)).sqrt();
        let s_rot2 = (a1 * rot2 * rot2 + a2 * trans * trans).sqrt();
        for part in &mut self.particles {
            let r1 = rot1 - gauss(&mut self.rng, s_rot1);
            let t = trans_s - gauss(&mut self.rng, s_trans);
            let r2 = rot2 - gauss(&mut self.rng, s_rot2);
            let q = &mut part.pose;
            q.x += t * (q.yaw + r1).cos();
            q.y += t * (q.yaw + r1).sin();
            q.yaw = normalize_angle(q.yaw + r1 + r2);
        }
    }

    /// Weight particles by the scan if the robot moved enough since the last update (or after init).
    /// Returns true if an update happened.
    pub fn update(&mut self, scan: &LaserScan) -> bool {
        if self.particles.is_empty() {
            return false;
        }
        if !self.force_update
            && self.moved_d < self.params.update_min_d
            && self.moved_a < self.params.update_min_a
        {
            return false;
        }
        let n_ranges = scan.ranges.len();
        if n_ranges == 0 || !(scan.angle_increment.is_finite()) {
            return false;
        }
        let step = (n_ranges / self.params.max_beams).max(1);
        // beam endpoints in the laser frame
        let beams: Vec<(f64, f64)> = (0..n_ranges)
            .step_by(step)
            .filter(|&i| scan.valid(scan.ranges[i]))
            .map(|i| {
                let r = f64::from(scan.ranges[i]);
                let a = scan.angle(i);
                (r * a.cos(), r * a.sin())
            })
            .collect();
        // A scan that sees almost nothing (a person standing in front of the laser, a covered
        // sensor) says nothing about where the robot is: weighting particles by a handful of
        // beams would let the filter jump. Wait for a scan that sees the room.
        let considered = n_ranges.div_ceil(step);
        if beams.len() < (considered * 15 / 100).max(8) {
            return false;
        }
        self.force_update = false;
        self.moved_d = 0.0;
        self.moved_a = 0.0;
        let mut total = 0.0;
        for part in &mut self.particles {
            let s = compose(&part.pose, &self.laser);
            let (sn, cs) = s.yaw.sin_cos();
            let mut p = 1.0f64;
            for &(bx, by) in &beams {
                let x = s.x + cs * bx - sn * by;
                let y = s.y + sn * bx + cs * by;
                let pz = f64::from(self.field.at(x, y));
                p += pz * pz * pz;
            }
            // particles in walls or outside the map are implausible
            if self.field.at(part.pose.x, part.pose.y) > 0.85 * self.params.z_hit as f32 {
                p *= 0.1;
            }
            part.weight *= p;
            total += part.weight;
        }
        self.updates += 1;
        let n = self.particles.len() as f64;
        if !(total.is_finite() && total > 0.0) {
            for part in &mut self.particles {
                part.weight = 1.0 / n;
            }
            return true;
        }
        let w_avg = total / n;
        for part in &mut self.particles {
            part.weight /= total;
        }
        if self.w_slow == 0.0 {
            self.w_slow = w_avg;
            self.w_fast = w_avg;
        } else {
            self.w_slow += self.params.recovery_alpha_slow * (w_avg - self.w_slow);
            self.w_fast += self.params.recovery_alpha_fast * (w_avg - self.w_fast);
        }
        let predicted = self.estimate;
        self.compute_estimate();
        let jump = self.estimate.distance(&predicted);
        if jump > ESTIMATE_JUMP_WARN_M {
            tracing::warn!(
                jump_m = jump,
                from_x = predicted.x,
                from_y = predicted.y,
                to_x = self.estimate.x,
                to_y = self.estimate.y,
                "localization: the scan moved the estimate far from odometry's prediction"
            );
        }
        let neff = 1.0
            / self
                .particles
                .iter()
                .map(|p| p.weight * p.weight)
                .sum::<f64>();
        if neff < n / 2.0 {
            self.resample();
        }
        true
    }

    fn resample(&mut self) {
        let n = self.particles.len();
        let inject = if self.w_slow > 0.0 {
            (1.0 - self.w_fast / self.w_slow).max(0.0)
        } else {
            0.0
        };
        let mut out = Vec::with_capacity(n);
        let r: f64 = self.rng.gen::<f64>() / n as f64;
        let mut c = self.particles[0].weight;
        let mut i = 0;
        for m in 0..n {
            if inject > 0.0 && !self.field.free_cells.is_empty() && self.rng.gen::<f64>() < inject {
                let cell = self.field.free_cells[self.rng.gen_range(0..self.field.free_cells.len())]
                    as usize;
                let (cx, cy) = (cell % self.field.width, cell / self.field.width);
                out.push(Pose2D::new(
                    self.field.origin.0
                        + (cx as f64 + self.rng.gen::<f64>()) * self.field.resolution,
                    self.field.origin.1
                        + (cy as f64 + self.rng.gen::<f64>()) * self.field.resolution,
                    self.rng
                        .gen_range(-std::f64::consts::PI..std::f64::consts::PI),
                ));
                continue;
            }
            let u = r + m as f64 / n as f64;
            while u > c && i + 1 < n {
                i += 1;
                c += self.particles[i].weight;
            }
            out.push(self.particles[i].pose);
        }
        if inject > 0.0 {
            // the injection happened: reset the averages as AMCL does
            self.w_slow = 0.0;
            self.w_fast = 0.0;
        }
        let w = 1.0 / n as f64;
        self.particles = out
            .into_iter()
            .map(|pose| Particle { pose, weight: w })
            .collect();
    }

    /// The estimate is the weighted mean of the heaviest cluster, as AMCL takes it, not of the
    /// cloud around the single heaviest particle. After random injection a lone particle elsewhere
    /// can fit one scan a little better than each member of the true cloud; following it made the
    /// estimate jump metres away (and walls then looked like people in the way).
    fn compute_estimate(&mut self) {
        // mass per 0.5 m cell; a cluster's mass is that of a cell and its eight neighbours
        let cell = |p: &Pose2D| {
            (
                (p.x / CLUSTER_CELL_M).floor() as i64,
                (p.y / CLUSTER_CELL_M).floor() as i64,
            )
        };
        let mut mass: BTreeMap<(i64, i64), f64> = BTreeMap::new();
        for p in &self.particles {
            *mass.entry(cell(&p.pose)).or_default() += p.weight;
        }
        let around = |&(cx, cy): &(i64, i64)| {
            (-1..=1)
                .flat_map(|dx| (-1..=1).map(move |dy| (cx + dx, cy + dy)))
                .filter_map(|k| mass.get(&k))
                .sum::<f64>()
        };
        // ties go to the first cell in key order, so the choice is reproducible
        let Some(centre) = mass
            .keys()
            .map(|k| (*k, around(k)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a })
            .map(|(k, _)| k)
        else {
            return;
        };
        let near = |p: &Pose2D| {
            let (cx, cy) = cell(p);
            (cx - centre.0).abs() <= 1 && (cy - centre.1).abs() <= 1
        };
        let (mut sx, mut sy, mut ss, mut sc, mut sw) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for p in self.particles.iter().filter(|p| near(&p.pose)) {
            sx += p.weight * p.pose.x;
            sy += p.weight * p.pose.y;
            ss += p.weight * p.pose.yaw.sin();
            sc += p.weight * p.pose.yaw.cos();
            sw += p.weight;
        }
        if sw > 0.0 {
            self.estimate = Pose2D::new(sx / sw, sy / sw, ss.atan2(sc));
            if let Some(o) = self.last_odom {
                self.m2o = compose(&self.estimate, &inverse(&o));
            }
        }
    }

    /// Current estimate of base_link in the map frame.
    pub fn estimate(&self) -> Pose2D {
        self.estimate
    }

    /// Weighted standard deviation of particle positions (m) around the estimate.
    pub fn spread(&self) -> f64 {
        let e = self.estimate;
        let tw: f64 = self.particles.iter().map(|p| p.weight).sum();
        if tw <= 0.0 {
            return f64::INFINITY;
        }
        (self
            .particles
            .iter()
            .map(|p| p.weight * ((p.pose.x - e.x).powi(2) + (p.pose.y - e.y).powi(2)))
            .sum::<f64>()
            / tw)
            .sqrt()
    }

    /// `map → odom` such that `map_to_odom ⊕ odom_pose = estimate` (`odom` = the odometry pose the
    /// estimate refers to, i.e. the last one given to [`Self::predict`]).
    pub fn map_to_odom(&self, odom: &Pose2D) -> Pose2D {
        compose(&self.estimate, &inverse(odom))
    }

    /// Predict with odometry, then update with the scan if due. Returns true on a measurement update.
    pub fn process(&mut self, odom: Pose2D, scan: &LaserScan) -> bool {
        self.predict(odom);
        self.update(scan)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_that_sees_almost_nothing_does_not_move_the_estimate() {
        let mut g = OccupancyGrid::filled(200, 200, 0.05, Pose2D::default(), 0).unwrap();
        for i in 0..200 {
            g.set(i, 0, 100);
            g.set(0, i, 100);
        }
        let mut pf =
            ParticleFilter::new(&g, LocalizationParams::default(), Pose2D::default(), 8.0).unwrap();
        pf.init(Pose2D::new(5.0, 5.0, 0.0), 0.3, 0.2).unwrap();
        pf.predict(Pose2D::new(0.0, 0.0, 0.0));
        // 360 beams, only 5 returns (someone's legs right in front); the rest out of range.
        let mut ranges = vec![f32::INFINITY; 360];
        for r in ranges.iter_mut().take(182).skip(177) {
            *r = 0.5;
        }
        let scan = LaserScan {
            angle_min: -std::f64::consts::PI,
            angle_increment: std::f64::consts::TAU / 360.0,
            range_min: 0.1,
            range_max: 8.0,
            ranges,
        };
        let before = pf.estimate();
        assert!(!pf.update(&scan), "no measurement update from 5 beams");
        assert_eq!(pf.estimate(), before);
    }

    #[test]
    fn map_to_odom_composes_back_to_estimate() {
        let g = OccupancyGrid::filled(40, 40, 0.05, Pose2D::default(), 0).unwrap();
        let mut pf =
            ParticleFilter::new(&g, LocalizationParams::default(), Pose2D::default(), 8.0).unwrap();
        pf.init(Pose2D::new(1.0, 1.0, 0.5), 0.0, 0.0).unwrap();
        let odom = Pose2D::new(0.3, -0.2, 1.1);
        let t = pf.map_to_odom(&odom);
        let back = compose(&t, &odom);
        assert!(
            back.distance(&pf.estimate()) < 1e-9 && normalize_angle(back.yaw - 0.5).abs() < 1e-9
        );
    }

    #[test]
    fn motion_model_moves_particles_with_odometry() {
        let g = OccupancyGrid::filled(200, 200, 0.05, Pose2D::default(), 0).unwrap();
        let mut pf =
            ParticleFilter::new(&g, LocalizationParams::default(), Pose2D::default(), 8.0).unwrap();
        pf.init(Pose2D::new(2.0, 2.0, std::f64::consts::FRAC_PI_2), 0.0, 0.0)
            .unwrap();
        pf.predict(Pose2D::new(0.0, 0.0, 0.0));
        pf.predict(Pose2D::new(1.0, 0.0, 0.0)); // 1 m forward in odom
        let n = pf.particles().len() as f64;
        let my: f64 = pf.particles().iter().map(|p| p.pose.y).sum::<f64>() / n;
        let mx: f64 = pf.particles().iter().map(|p| p.pose.x).sum::<f64>() / n;
        assert!(
            (my - 3.0).abs() < 0.1 && (mx - 2.0).abs() < 0.1,
            "{mx} {my}"
        );
        let sd = (pf
            .particles()
            .iter()
            .map(|p| (p.pose.y - my).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        assert!(sd > 0.05 && sd < 0.8, "noise {sd}");
    }

    #[test]
    fn the_estimate_follows_the_heaviest_cluster_not_a_lone_heavy_particle() {
        let g = OccupancyGrid::filled(400, 400, 0.05, Pose2D::default(), 0).unwrap();
        let mut pf =
            ParticleFilter::new(&g, LocalizationParams::default(), Pose2D::default(), 8.0).unwrap();
        pf.init(Pose2D::new(5.0, 5.0, 0.0), 0.2, 0.1).unwrap();
        // after random injection: one particle 9 m away fits the scan a bit better than any one
        // member of the cloud, which together carry almost all the weight
        let n = pf.particles.len();
        for p in &mut pf.particles {
            p.weight = 1.0;
        }
        pf.particles[n - 1] = Particle {
            pose: Pose2D::new(14.0, 12.0, 2.0),
            weight: 3.0,
        };
        pf.compute_estimate();
        let e = pf.estimate();
        assert!(e.distance(&Pose2D::new(5.0, 5.0, 0.0)) < 0.1, "{e:?}");
        // once the lone particle's place outweighs the cloud, the estimate goes there
        for i in 0..n / 2 + 10 {
            pf.particles[i].pose = Pose2D::new(14.0, 12.0, 2.0);
        }
        pf.compute_estimate();
        assert!(pf.estimate().distance(&Pose2D::new(14.0, 12.0, 2.0)) < 0.1);
    }

    #[test]
    fn bad_initial_pose_refused() {
        let g = OccupancyGrid::filled(4, 4, 0.05, Pose2D::default(), 0).unwrap();
        let mut pf =
            ParticleFilter::new(&g, LocalizationParams::default(), Pose2D::default(), 8.0).unwrap();
        assert!(pf.init(Pose2D::new(f64::NAN, 0.0, 0.0), 0.1, 0.1).is_err());
        assert!(!pf.update(&LaserScan::default()));
    }
}
