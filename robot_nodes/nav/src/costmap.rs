//! Layered 2-D costmap: static map + keep-out (inflated once), scan obstacles with ray clearing
//! (inflated per update), and a people layer with proxemic zones. Costs follow Nav2:
//! 0 free … 252 inflated, 253 inscribed (robot centre must not be here), 254 lethal, 255 unknown.

use letan_map::{Keepout, OccupancyGrid};

use crate::error::{NavError, Result};
use crate::params::CostmapParams;
use crate::types::{compose, LaserScan, Person, Pose2D};
use letan_map::edt::distance_transform;

pub const FREE_SPACE: u8 = 0;
pub const MAX_NON_OBSTACLE: u8 = 252;
pub const INSCRIBED: u8 = 253;
pub const LETHAL: u8 = 254;
pub const NO_INFORMATION: u8 = 255;

/// The layered costmap in the map frame (axis-aligned with the map, same cells).
#[derive(Debug, Clone)]
pub struct Costmap {
    width: usize,
    height: usize,
    resolution: f64,
    origin_x: f64,
    origin_y: f64,
    robot_radius: f64,
    params: CostmapParams,
    /// static obstacles, unknown (if lethal) and keep-out
    static_lethal: Vec<bool>,
    keepout: Vec<bool>,
    static_cost: Vec<u8>,
    /// distance (m) to the nearest static obstacle (not keep-out), capped
    static_dist: Vec<f32>,
    marks: Vec<bool>,
    mark_list: Vec<u32>,
    kernel: Vec<(i32, i32, u8)>,
    people: Vec<Person>,
    master: Vec<u8>,
}

impl Costmap {
    /// Build from a static map and optional keep-out zones. The map origin must not be rotated.
    pub fn new(
        grid: &OccupancyGrid,
        keepout: Option<&Keepout>,
        params: &CostmapParams,
        robot_radius: f64,
    ) -> Result<Self> {
        let o = grid.origin();
        if o.yaw.abs() > 1e-9 {
            return Err(NavError::Map(format!(
                "rotated map origins are not supported (yaw {})",
                o.yaw
            )));
        }
        let (w, h) = (grid.width(), grid.height());
        let keep = keepout
            .map(|k| k.rasterize(grid))
            .unwrap_or_else(|| vec![false; w * h]);
        let obstacle: Vec<bool> = grid
            .data()
            .iter()
            .map(|&v| v >= 65 || (v < 0 && params.unknown_is_lethal))
            .collect();
        let static_lethal: Vec<bool> = obstacle.iter().zip(&keep).map(|(&a, &b)| a || b).collect();
        let res = grid.resolution();
        let dist = distance_transform(&static_lethal, w, h);
        let obstacle_dist: Vec<f32> = distance_transform(&obstacle, w, h)
            .into_iter()
            .map(|d| (f64::from(d) * res) as f32)
            .collect();
        let mut cm = Self {
            width: w,
            height: h,
            resolution: res,
            origin_x: o.x,
            origin_y: o.y,
            robot_radius,
            params: params.clone(),
            static_lethal,
            keepout: keep,
            static_cost: vec![FREE_SPACE; w * h],
            static_dist: obstacle_dist,
            marks: vec![false; w * h],
            mark_list: Vec::new(),
            kernel: Vec::new(),
            people: Vec::new(),
            master: Vec::new(),
        };
        for (i, &d) in dist.iter().enumerate() {
            cm.static_cost[i] = cm.cost_for_distance(f64::from(d) * res);
        }
        for (i, &u) in grid.data().iter().enumerate() {
            if u < 0 && !params.unknown_is_lethal && cm.static_cost[i] == FREE_SPACE {
                cm.static_cost[i] = NO_INFORMATION;
            }
        }
        let r = (params.inflation_radius / res).ceil() as i32;
        for dy in -r..=r {
            for dx in -r..=r {
                let d = f64::from(dx * dx + dy * dy).sqrt() * res;
                let c = cm.cost_for_distance(d);
                if c > FREE_SPACE {
                    cm.kernel.push((dx, dy, c));
                }
            }
        }
        cm.master = cm.static_cost.clone();
        Ok(cm)
    }

    /// Inflation cost at distance `d` (m) from an obstacle.
    pub fn cost_for_distance(&self, d: f64) -> u8 {
        if d < 0.5 * self.resolution {
            LETHAL
        } else if d <= self.robot_radius {
            INSCRIBED
        } else if d <= self.params.inflation_radius {
            let c = f64::from(MAX_NON_OBSTACLE)
                * (-self.params.cost_scaling_factor * (d - self.robot_radius)).exp();
            c.clamp(1.0, f64::from(MAX_NON_OBSTACLE)) as u8
        } else {
            FREE_SPACE
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn resolution(&self) -> f64 {
        self.resolution
    }
    pub fn origin(&self) -> (f64, f64) {
        (self.origin_x, self.origin_y)
    }
    pub fn robot_radius(&self) -> f64 {
        self.robot_radius
    }
    /// The combined costs, row-major, row 0 = bottom (publishable as a nav_msgs/OccupancyGrid after scaling).
    pub fn costs(&self) -> &[u8] {
        &self.master
    }
    /// People currently in the people layer.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    pub fn world_to_cell(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let gx = (x - self.origin_x) / self.resolution;
        let gy = (y - self.origin_y) / self.resolution;
        if !(gx.is_finite() && gy.is_finite()) || gx < 0.0 || gy < 0.0 {
            return None;
        }
        let (cx, cy) = (gx as usize, gy as usize);
        (cx < self.width && cy < self.height).then_some((cx, cy))
    }

    pub fn cell_to_world(&self, cx: usize, cy: usize) -> (f64, f64) {
        (
            self.origin_x + (cx as f64 + 0.5) * self.resolution,
            self.origin_y + (cy as f64 + 0.5) * self.resolution,
        )
    }

    pub fn cost(&self, cx: usize, cy: usize) -> u8 {
        if cx < self.width && cy < self.height {
            self.master[cy * self.width + cx]
        } else {
            LETHAL
        }
    }

    /// Cost at a world point; outside the map counts as lethal.
    pub fn cost_at(&self, x: f64, y: f64) -> u8 {
        self.world_to_cell(x, y)
            .map_or(LETHAL, |(cx, cy)| self.master[cy * self.width + cx])
    }

    /// Whether the robot centre may be at (x, y): inside the map and below the inscribed cost.
    pub fn traversable(&self, x: f64, y: f64) -> bool {
        self.cost_at(x, y) < INSCRIBED
    }

    /// Whether (x, y) is inside a keep-out zone (or outside the map).
    pub fn in_keepout(&self, x: f64, y: f64) -> bool {
        self.world_to_cell(x, y)
            .is_none_or(|(cx, cy)| self.keepout[cy * self.width + cx])
    }

    /// Distance (m) from (x, y) to the nearest static map obstacle (walls, furniture).
    pub fn static_obstacle_distance(&self, x: f64, y: f64) -> f64 {
        self.world_to_cell(x, y).map_or(0.0, |(cx, cy)| {
            f64::from(self.static_dist[cy * self.width + cx])
        })
    }

    /// Number of scan-obstacle cells currently marked.
    pub fn marked_cells(&self) -> usize {
        self.mark_list.len()
    }

    /// Mark scan hits and clear free space along every beam. `robot` is base_link in the map frame,
    /// `laser` the laser pose in base_link.
    pub fn update_scan(&mut self, robot: &Pose2D, laser: &Pose2D, scan: &LaserScan) {
        let sensor = compose(robot, laser);
        let Some((sx, sy)) = self.world_to_cell(sensor.x, sensor.y) else {
            return;
        };
        let clear_max = self.params.raytrace_max_range.min(scan.range_max);
        for (i, &r) in scan.ranges.iter().enumerate() {
            let a = sensor.yaw + scan.angle(i);
            let (c, s) = (a.cos(), a.sin());
            let rf = f64::from(r);
            let (hit, clear_len) = if scan.valid(r) {
                (rf < self.params.obstacle_max_range, rf.min(clear_max))
            } else if rf.is_nan() || rf < scan.range_min {
                continue;
            } else {
                (false, clear_max)
            };
            let ex = sensor.x + c * clear_len;
            let ey = sensor.y + s * clear_len;
            self.clear_ray(sx, sy, ex, ey);
            if hit {
                let (hx, hy) = (sensor.x + c * rf, sensor.y + s * rf);
                if let Some((cx, cy)) = self.world_to_cell(hx, hy) {
                    let idx = cy * self.width + cx;
                    // returns from walls and furniture (within ~1.5 cells of the static map) are already known
                    let on_static = f64::from(self.static_dist[idx]) <= 1.5 * self.resolution;
                    if !self.static_lethal[idx] && !on_static && !self.marks[idx] {
                        self.marks[idx] = true;
                        self.mark_list.push(idx as u32);
                    }
                }
            }
        }
        self.mark_list.retain(|&i| self.marks[i as usize]);
        self.rebuild();
    }

    fn clear_ray(&mut self, x0: usize, y0: usize, ex: f64, ey: f64) {
        // Bresenham from the sensor cell to the end cell (the end cell itself is not cleared)
        let gx = ((ex - self.origin_x) / self.resolution).floor() as i64;
        let gy = ((ey - self.origin_y) / self.resolution).floor() as i64;
        let (mut x, mut y) = (x0 as i64, y0 as i64);
        let dx = (gx - x).abs();
        let dy = -(gy - y).abs();
        let sx = if x < gx { 1 } else { -1 };
        let sy = if y < gy { 1 } else { -1 };
        let mut err = dx + dy;
        while !(x == gx && y == gy) {
            if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
                break;
            }
            self.marks[y as usize * self.width + x as usize] = false;
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Replace the people layer.
    pub fn set_people(&mut self, people: &[Person]) {
        self.people = people
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .copied()
            .collect();
        self.rebuild();
    }

    /// Recovery: forget all scan obstacles (the static map and keep-out stay).
    pub fn clear_dynamic(&mut self) {
        for &i in &self.mark_list {
            self.marks[i as usize] = false;
        }
        self.mark_list.clear();
        self.rebuild();
    }

    /// Proxemic cost of a person at offset (dx, dy) from them (moving with velocity (vx, vy)).
    pub fn person_cost(&self, p: &Person, x: f64, y: f64) -> u8 {
        let (dx, dy) = (x - p.x, y - p.y);
        let d = dx.hypot(dy);
        if d <= self.params.person_radius + self.robot_radius {
            return INSCRIBED;
        }
        let speed = p.vx.hypot(p.vy);
        let mut d_eff = d;
        if speed > 0.05 {
            let along = (dx * p.vx + dy * p.vy) / speed;
            if along > 0.0 {
                // elongate the zone ahead of a walking person
                let stretch = 1.0 + self.params.person_velocity_lookahead * speed;
                let perp2 = (d * d - along * along).max(0.0);
                d_eff = ((along / stretch).powi(2) + perp2).sqrt();
                if d_eff <= self.params.person_radius + self.robot_radius {
                    return INSCRIBED;
                }
            }
        }
        let sigma = self.params.personal_space / 2.0;
        let c = f64::from(self.params.person_peak_cost)
            * (-(d_eff - self.params.person_radius - self.robot_radius).powi(2)
                / (2.0 * sigma * sigma))
                .exp();
        if c < 1.0 {
            FREE_SPACE
        } else {
            c as u8
        }
    }

    fn rebuild(&mut self) {
        self.master.copy_from_slice(&self.static_cost);
        let (w, h) = (self.width as i32, self.height as i32);
        for &i in &self.mark_list {
            let (cx, cy) = (
                (i as usize % self.width) as i32,
                (i as usize / self.width) as i32,
            );
            for &(dx, dy, c) in &self.kernel {
                let (x, y) = (cx + dx, cy + dy);
                if x >= 0 && y >= 0 && x < w && y < h {
                    let m = &mut self.master[(y * w + x) as usize];
                    if c > *m || *m == NO_INFORMATION {
                        *m = c;
                    }
                }
            }
        }
        let people = std::mem::take(&mut self.people);
        let reach = self.params.personal_space * 2.0 + self.robot_radius;
        for p in &people {
            let reach = reach + self.params.person_velocity_lookahead * p.vx.hypot(p.vy);
            let r = (reach / self.resolution).ceil() as i64;
            let Some((pcx, pcy)) = self.world_to_cell(p.x, p.y) else {
                continue;
            };
            for y in (pcy as i64 - r).max(0)..=(pcy as i64 + r).min(h as i64 - 1) {
                for x in (pcx as i64 - r).max(0)..=(pcx as i64 + r).min(w as i64 - 1) {
                    let (wx, wy) = self.cell_to_world(x as usize, y as usize);
                    let c = self.person_cost(p, wx, wy);
                    let m = &mut self.master[y as usize * self.width + x as usize];
                    if c > *m && *m != LETHAL {
                        *m = c;
                    }
                }
            }
        }
        self.people = people;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn empty_map(w: usize, h: usize) -> OccupancyGrid {
        OccupancyGrid::filled(w, h, 0.05, Pose2D::default(), 0).unwrap()
    }

    #[test]
    fn inflation_profile() {
        let mut g = empty_map(100, 100);
        g.set(50, 50, 100);
        let cm = Costmap::new(&g, None, &CostmapParams::default(), 0.3).unwrap();
        assert_eq!(cm.cost(50, 50), LETHAL);
        assert_eq!(cm.cost(55, 50), INSCRIBED); // 0.25 m
        let c1 = cm.cost(58, 50); // 0.4 m
        let c2 = cm.cost(62, 50); // 0.6 m
        assert!(c1 > c2 && c2 > 0 && c1 < INSCRIBED, "{c1} {c2}");
        assert_eq!(cm.cost(70, 50), FREE_SPACE); // 1.0 m
        assert_eq!(cm.cost_at(-1.0, 0.0), LETHAL);
    }

    #[test]
    fn scan_marks_and_clears() {
        let g = empty_map(200, 200);
        let mut cm = Costmap::new(&g, None, &CostmapParams::default(), 0.3).unwrap();
        let robot = Pose2D::new(2.0, 5.0, 0.0);
        let scan = |r: f32| LaserScan {
            angle_min: 0.0,
            angle_increment: 0.01,
            range_min: 0.05,
            range_max: 8.0,
            ranges: vec![r],
        };
        cm.update_scan(&robot, &Pose2D::default(), &scan(2.0));
        assert_eq!(cm.cost_at(4.02, 5.0), LETHAL);
        assert!(cm.marked_cells() >= 1);
        // the obstacle moved away: the old cell is cleared by the longer ray
        cm.update_scan(&robot, &Pose2D::default(), &scan(4.0));
        assert_eq!(cm.cost_at(4.02, 5.0), FREE_SPACE);
        assert_eq!(cm.cost_at(6.02, 5.0), LETHAL);
        // no return (inf) clears too
        cm.update_scan(&robot, &Pose2D::default(), &scan(f32::INFINITY));
        assert_eq!(cm.marked_cells(), 0);
        cm.update_scan(&robot, &Pose2D::default(), &scan(3.0));
        cm.clear_dynamic();
        assert_eq!(cm.cost_at(5.02, 5.0), FREE_SPACE);
    }

    #[test]
    fn people_layer_is_proxemic_and_elongated_ahead() {
        let g = empty_map(200, 200);
        let mut cm = Costmap::new(&g, None, &CostmapParams::default(), 0.3).unwrap();
        cm.set_people(&[Person {
            id: 1,
            x: 5.0,
            y: 5.0,
            vx: 1.0,
            vy: 0.0,
        }]);
        assert_eq!(cm.cost_at(5.3, 5.0), INSCRIBED);
        let ahead = cm.cost_at(6.2, 5.0);
        let behind = cm.cost_at(3.8, 5.0);
        assert!(
            ahead > behind && behind > 0,
            "ahead {ahead} behind {behind}"
        );
        assert_eq!(cm.cost_at(9.0, 5.0), FREE_SPACE);
        cm.set_people(&[]);
        assert_eq!(cm.cost_at(5.0, 5.0), FREE_SPACE);
    }
}
