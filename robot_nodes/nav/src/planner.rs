//! Global planner: 8-connected A* on the costmap (cost-aware), then any-angle string pulling
//! (Theta*-style line-of-sight shortcuts that never raise the cost already accepted by A*),
//! resampled to a dense path with headings.

use crate::costmap::{Costmap, INSCRIBED, MAX_NON_OBSTACLE};
use crate::error::{NavError, Result};
use crate::params::PlannerParams;
use crate::types::{normalize_angle, pose_finite, Pose2D};

/// A path in the map frame, first pose = start, last pose = goal (with the goal's yaw).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    pub poses: Vec<Pose2D>,
}

impl Path {
    /// Total length (m).
    pub fn length(&self) -> f64 {
        self.poses.windows(2).map(|w| w[0].distance(&w[1])).sum()
    }
    /// Length from pose index `from` to the end (m).
    pub fn length_from(&self, from: usize) -> f64 {
        self.poses
            .get(from..)
            .map_or(0.0, |p| p.windows(2).map(|w| w[0].distance(&w[1])).sum())
    }
    pub fn goal(&self) -> Option<Pose2D> {
        self.poses.last().copied()
    }
    pub fn is_empty(&self) -> bool {
        self.poses.is_empty()
    }
}

/// The planner keeps its search buffers between calls (no per-plan allocation of map-sized arrays).
#[derive(Debug, Clone)]
pub struct Planner {
    params: PlannerParams,
    g: Vec<f32>,
    parent: Vec<u32>,
    stamp: Vec<u32>,
    closed: Vec<u32>,
    open: BucketQueue,
    generation: u32,
    /// Cells expanded by the last search.
    pub last_expansions: usize,
    /// Where the goal was moved to, if it was not free.
    pub last_goal_adjusted: Option<Pose2D>,
}

const NO_PARENT: u32 = u32::MAX;

/// The open list: cells in buckets of f value `width` wide, popped lowest bucket first and, within a
/// bucket, newest first (the deeper cell, a good tie-break). Push and pop are O(1), where a binary heap
/// spent half the search time in `pop` on a 100 m map. Keys are rounded to `width` (a quarter cell),
/// far below what the weighted heuristic already gives up; f may drop below the current bucket (the
/// weighted heuristic is inconsistent), which moves the cursor back.
#[derive(Debug, Clone, Default)]
struct BucketQueue {
    buckets: Vec<Vec<u32>>,
    width: f32,
    cursor: usize,
    /// Highest bucket in use, so that `reset` clears only those.
    top: usize,
    len: usize,
}

impl BucketQueue {
    /// At most this many buckets (24 MB of empty vectors); higher f values share the last one.
    const MAX_BUCKETS: usize = 1 << 20;

    fn reset(&mut self, width: f32) {
        for b in self.buckets.iter_mut().take(self.top + 1) {
            b.clear();
        }
        self.width = width;
        self.cursor = 0;
        self.top = 0;
        self.len = 0;
    }

    fn push(&mut self, f: f32, cell: u32) {
        // f is finite and non-negative; the float-to-int cast saturates.
        let b = ((f / self.width) as usize).min(Self::MAX_BUCKETS - 1);
        if b >= self.buckets.len() {
            self.buckets
                .resize_with((b + 1).next_power_of_two().min(Self::MAX_BUCKETS), Vec::new);
        }
        self.buckets[b].push(cell);
        self.cursor = self.cursor.min(b);
        self.top = self.top.max(b);
        self.len += 1;
    }

    fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        while self.buckets[self.cursor].is_empty() {
            self.cursor += 1;
        }
        self.len -= 1;
        self.buckets[self.cursor].pop()
    }
}

impl Planner {
    pub fn new(params: PlannerParams) -> Self {
        Self {
            params,
            g: Vec::new(),
            parent: Vec::new(),
            stamp: Vec::new(),
            closed: Vec::new(),
            open: BucketQueue::default(),
            generation: 0,
            last_expansions: 0,
            last_goal_adjusted: None,
        }
    }

    pub fn params(&self) -> &PlannerParams {
        &self.params
    }

    /// Find the nearest traversable, non-keep-out cell centre within `radius` of (x, y).
    pub fn nearest_free(cm: &Costmap, x: f64, y: f64, radius: f64) -> Option<(f64, f64)> {
        let ok = |px: f64, py: f64| cm.traversable(px, py) && !cm.in_keepout(px, py);
        if ok(x, y) {
            return Some((x, y));
        }
        let res = cm.resolution();
        let r = (radius / res).ceil() as i64;
        let mut best: Option<(f64, f64, f64)> = None;
        for dy in -r..=r {
            for dx in -r..=r {
                let (px, py) = (x + dx as f64 * res, y + dy as f64 * res);
                let d = (dx as f64).hypot(dy as f64) * res;
                if d <= radius && ok(px, py) && best.is_none_or(|b| d < b.2) {
                    best = Some((px, py, d));
                }
            }
        }
        best.map(|(px, py, _)| (px, py))
    }

    /// Plan from `start` to `goal` on `cm`.
    pub fn plan(&mut self, cm: &Costmap, start: &Pose2D, goal: &Pose2D) -> Result<Path> {
        if !pose_finite(start) {
            return Err(NavError::BadInput {
                what: "start",
                reason: format!("{start:?}"),
            });
        }
        if !pose_finite(goal) {
            return Err(NavError::BadInput {
                what: "goal",
                reason: format!("{goal:?}"),
            });
        }
        let Some((scx, scy)) = cm.world_to_cell(start.x, start.y) else {
            return Err(NavError::StartBlocked {
                x: start.x,
                y: start.y,
                why: "outside the map",
            });
        };
        if cm.world_to_cell(goal.x, goal.y).is_none() {
            return Err(NavError::GoalBlocked {
                x: goal.x,
                y: goal.y,
                why: "outside the map",
            });
        }
        self.last_goal_adjusted = None;
        let mut goal_pt = (goal.x, goal.y);
        if !cm.traversable(goal.x, goal.y) || cm.in_keepout(goal.x, goal.y) {
            let why = if cm.in_keepout(goal.x, goal.y) {
                "in a keep-out zone"
            } else {
                "in an obstacle (or too close to one)"
            };
            match Self::nearest_free(cm, goal.x, goal.y, self.params.goal_search_radius) {
                Some(p) => {
                    goal_pt = p;
                    self.last_goal_adjusted = Some(Pose2D::new(p.0, p.1, goal.yaw));
                    tracing::debug!(
                        gx = goal.x,
                        gy = goal.y,
                        nx = p.0,
                        ny = p.1,
                        "goal moved to nearest free cell"
                    );
                }
                None => {
                    return Err(NavError::GoalBlocked {
                        x: goal.x,
                        y: goal.y,
                        why,
                    })
                }
            }
        }
        let Some((gcx, gcy)) = cm.world_to_cell(goal_pt.0, goal_pt.1) else {
            return Err(NavError::GoalBlocked {
                x: goal.x,
                y: goal.y,
                why: "outside the map",
            });
        };
        let cells = self
            .astar(cm, (scx, scy), (gcx, gcy))
            .ok_or(NavError::NoPath {
                sx: start.x,
                sy: start.y,
                gx: goal.x,
                gy: goal.y,
                expanded: self.last_expansions,
            })?;
        let corners = self.string_pull(cm, &cells);
        let mut pts: Vec<(f64, f64)> = corners
            .iter()
            .map(|&(x, y)| cm.cell_to_world(x, y))
            .collect();
        if let Some(f) = pts.first_mut() {
            *f = (start.x, start.y);
        }
        if let Some(l) = pts.last_mut() {
            *l = goal_pt;
        }
        Ok(self.resample(&pts, start.yaw, goal.yaw))
    }

    fn passable(&self, cm: &Costmap, x: usize, y: usize, start: (usize, usize)) -> bool {
        let c = cm.cost(x, y);
        if c < INSCRIBED {
            return true;
        }
        if c == INSCRIBED {
            let d = (x as f64 - start.0 as f64).hypot(y as f64 - start.1 as f64) * cm.resolution();
            return d <= self.params.start_escape_radius;
        }
        false
    }

    fn astar(
        &mut self,
        cm: &Costmap,
        s: (usize, usize),
        g: (usize, usize),
    ) -> Option<Vec<(usize, usize)>> {
        let (w, h) = (cm.width(), cm.height());
        let n = w * h;
        if self.g.len() != n {
            self.g = vec![f32::INFINITY; n];
            self.parent = vec![NO_PARENT; n];
            self.stamp = vec![0; n];
            self.closed = vec![0; n];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.closed.fill(0);
            self.generation = 1;
        }
        let gen = self.generation;
        let res = cm.resolution() as f32;
        let weight = self.params.cost_weight as f32 / f32::from(MAX_NON_OBSTACLE);
        let hw = self.params.heuristic_weight as f32;
        let heur = |x: usize, y: usize| -> f32 {
            let dx = (x as f32 - g.0 as f32).abs();
            let dy = (y as f32 - g.1 as f32).abs();
            (dx.max(dy) + (std::f32::consts::SQRT_2 - 1.0) * dx.min(dy)) * res * hw
        };
        let si = s.1 * w + s.0;
        let gi = g.1 * w + g.0;
        self.g[si] = 0.0;
        self.parent[si] = NO_PARENT;
        self.stamp[si] = gen;
        let mut open = std::mem::take(&mut self.open);
        open.reset(res / 4.0);
        open.push(heur(s.0, s.1), si as u32);
        self.last_expansions = 0;
        const NB: [(i32, i32, f32); 8] = [
            (1, 0, 1.0),
            (-1, 0, 1.0),
            (0, 1, 1.0),
            (0, -1, 1.0),
            (1, 1, std::f32::consts::SQRT_2),
            (1, -1, std::f32::consts::SQRT_2),
            (-1, 1, std::f32::consts::SQRT_2),
            (-1, -1, std::f32::consts::SQRT_2),
        ];
        let found = loop {
            let Some(ci) = open.pop() else {
                break None;
            };
            let ci = ci as usize;
            if self.closed[ci] == gen {
                continue;
            }
            self.closed[ci] = gen;
            self.last_expansions += 1;
            if ci == gi {
                let mut out = Vec::new();
                let mut c = ci as u32;
                while c != NO_PARENT {
                    out.push((c as usize % w, c as usize / w));
                    c = self.parent[c as usize];
                }
                out.reverse();
                break Some(out);
            }
            if self.last_expansions > self.params.max_expansions {
                break None;
            }
            let (cx, cy) = ((ci % w) as i32, (ci / w) as i32);
            let gc = self.g[ci];
            for &(dx, dy, len) in &NB {
                let (nx, ny) = (cx + dx, cy + dy);
                if nx < 0 || ny < 0 || nx >= w as i32 || ny >= h as i32 {
                    continue;
                }
                let (nx, ny) = (nx as usize, ny as usize);
                let ni = ny * w + nx;
                if self.closed[ni] == gen || !self.passable(cm, nx, ny, s) {
                    continue;
                }
                // no corner cutting between two blocked cells
                if dx != 0
                    && dy != 0
                    && !self.passable(cm, cx as usize, ny, s)
                    && !self.passable(cm, nx, cy as usize, s)
                {
                    continue;
                }
                let c = f32::from(cm.cost(nx, ny).min(MAX_NON_OBSTACLE));
                let ng = gc + len * res * (1.0 + weight * c);
                if self.stamp[ni] != gen || ng < self.g[ni] {
                    self.stamp[ni] = gen;
                    self.g[ni] = ng;
                    self.parent[ni] = ci as u32;
                    open.push(ng + heur(nx, ny), ni as u32);
                }
            }
        };
        self.open = open;
        found
    }

    /// Keep only the corners needed: extend each straight segment while the line of sight stays
    /// passable and never crosses a cell costlier than the worst cell A* accepted on that stretch.
    fn string_pull(&self, cm: &Costmap, cells: &[(usize, usize)]) -> Vec<(usize, usize)> {
        if cells.len() <= 2 {
            return cells.to_vec();
        }
        let s = cells[0];
        let n = cells.len();
        // running maximum of the cell costs along the A* path, for the "no costlier than accepted" rule
        let costs: Vec<u8> = cells.iter().map(|&(x, y)| cm.cost(x, y)).collect();
        let worst_between = |i: usize, j: usize| costs[i..=j].iter().copied().max().unwrap_or(0);
        let ok = |i: usize, j: usize| {
            self.line_ok(
                cm,
                cells[i],
                cells[j],
                worst_between(i, j).saturating_add(8),
                s,
            )
        };
        let mut out = vec![cells[0]];
        let mut i = 0;
        while i < n - 1 {
            // gallop: double the reach while the line of sight holds, then binary-search the boundary
            // (O(log n) line checks per corner instead of O(n))
            let mut good = i + 1;
            let mut step = 1;
            let mut bad = None;
            while good < n - 1 {
                let j = (good + step).min(n - 1);
                if ok(i, j) {
                    good = j;
                    step *= 2;
                } else {
                    bad = Some(j);
                    break;
                }
            }
            if let Some(mut hi) = bad {
                let mut lo = good;
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2;
                    if ok(i, mid) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                good = lo;
            }
            out.push(cells[good]);
            i = good;
        }
        out
    }

    fn line_ok(
        &self,
        cm: &Costmap,
        a: (usize, usize),
        b: (usize, usize),
        max_cost: u8,
        s: (usize, usize),
    ) -> bool {
        // supercover-ish: sample at quarter-cell steps
        let (ax, ay) = (a.0 as f64 + 0.5, a.1 as f64 + 0.5);
        let (bx, by) = (b.0 as f64 + 0.5, b.1 as f64 + 0.5);
        let n = ((bx - ax).abs().max((by - ay).abs()) * 4.0).ceil() as usize;
        for k in 0..=n {
            let t = if n == 0 { 0.0 } else { k as f64 / n as f64 };
            let (x, y) = ((ax + t * (bx - ax)) as usize, (ay + t * (by - ay)) as usize);
            let c = cm.cost(x, y);
            if !self.passable(cm, x, y, s) || (c > max_cost && c < INSCRIBED) {
                return false;
            }
        }
        true
    }

    fn resample(&self, pts: &[(f64, f64)], start_yaw: f64, goal_yaw: f64) -> Path {
        let step = self.params.path_resolution;
        let mut poses = Vec::new();
        for wnd in pts.windows(2) {
            let (a, b) = (wnd[0], wnd[1]);
            let len = (b.0 - a.0).hypot(b.1 - a.1);
            if len < 1e-9 {
                continue;
            }
            let yaw = (b.1 - a.1).atan2(b.0 - a.0);
            let n = (len / step).ceil().max(1.0) as usize;
            for k in 0..n {
                let t = k as f64 / n as f64;
                poses.push(Pose2D::new(
                    a.0 + t * (b.0 - a.0),
                    a.1 + t * (b.1 - a.1),
                    yaw,
                ));
            }
        }
        if let Some(&(x, y)) = pts.last() {
            poses.push(Pose2D::new(x, y, normalize_angle(goal_yaw)));
        }
        if poses.len() == 1 {
            // start and goal in the same spot: keep the start yaw first so the controller only rotates
            poses.insert(
                0,
                Pose2D::new(poses[0].x, poses[0].y, normalize_angle(start_yaw)),
            );
        }
        Path { poses }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::params::CostmapParams;
    use letan_map::OccupancyGrid;

    fn map_with_wall() -> Costmap {
        let mut g = OccupancyGrid::filled(200, 100, 0.05, Pose2D::default(), 0).unwrap();
        for y in 0..80 {
            for x in 98..102 {
                g.set(x, y, 100);
            }
        }
        Costmap::new(&g, None, &CostmapParams::default(), 0.3).unwrap()
    }

    #[test]
    fn plans_around_a_wall_with_few_corners() {
        let cm = map_with_wall();
        let mut p = Planner::new(PlannerParams::default());
        let path = p
            .plan(
                &cm,
                &Pose2D::new(1.0, 1.0, 0.0),
                &Pose2D::new(9.0, 1.0, 1.0),
            )
            .unwrap();
        assert!(path.poses.iter().all(|q| cm.traversable(q.x, q.y)));
        assert!(
            path.poses.iter().any(|q| q.y > 4.0),
            "must go around the wall top"
        );
        let l = path.length();
        // around the wall top (y ≈ 4.4): two legs of ≈ 5.3 m
        assert!(l > 10.4 && l < 13.0, "length {l}");
        assert!((path.goal().unwrap().yaw - 1.0).abs() < 1e-9);
        // any-angle: heading changes are few (string pulled), not a staircase
        let turns = path
            .poses
            .windows(2)
            .filter(|w| normalize_angle(w[1].yaw - w[0].yaw).abs() > 0.05)
            .count();
        assert!(turns <= 8, "{turns} turns");
    }

    #[test]
    fn the_open_list_pops_lowest_bucket_first_and_newest_within_one() {
        let mut q = BucketQueue::default();
        q.reset(0.1);
        q.push(0.55, 1);
        q.push(0.31, 2);
        q.push(0.34, 3); // same bucket as 2, pushed later: popped first
        assert_eq!(q.pop(), Some(3));
        // f below the cursor (the weighted heuristic is inconsistent): the cursor moves back
        q.push(0.05, 4);
        assert_eq!(q.pop(), Some(4));
        assert_eq!(q.pop(), Some(2));
        // a huge f shares the last bucket instead of allocating without bound
        q.push(1e30, 5);
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), Some(5));
        assert_eq!(q.pop(), None);
        assert!(q.buckets.len() <= BucketQueue::MAX_BUCKETS);
        // reset empties it for the next search
        q.push(0.2, 6);
        q.reset(0.1);
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn blocked_goal_is_moved_or_rejected() {
        let cm = map_with_wall();
        let mut p = Planner::new(PlannerParams::default());
        // goal 0.35 m from the wall centre line: inside the inscribed zone, a free cell is near
        let path = p
            .plan(
                &cm,
                &Pose2D::new(1.0, 1.0, 0.0),
                &Pose2D::new(4.7, 1.0, 0.0),
            )
            .unwrap();
        assert!(p.last_goal_adjusted.is_some());
        assert!(cm.traversable(path.goal().unwrap().x, 1.0));
        // goal deep inside the wall with a small search radius: rejected
        let mut p = Planner::new(PlannerParams {
            goal_search_radius: 0.1,
            ..Default::default()
        });
        let e = p
            .plan(
                &cm,
                &Pose2D::new(1.0, 1.0, 0.0),
                &Pose2D::new(5.0, 1.0, 0.0),
            )
            .unwrap_err();
        assert!(matches!(e, NavError::GoalBlocked { .. }), "{e}");
    }

    #[test]
    fn unreachable_goal_fails_fast() {
        let mut g = OccupancyGrid::filled(100, 100, 0.05, Pose2D::default(), 0).unwrap();
        for y in 0..100 {
            g.set(50, y, 100);
        }
        let cm = Costmap::new(&g, None, &CostmapParams::default(), 0.3).unwrap();
        let mut p = Planner::new(PlannerParams::default());
        let e = p
            .plan(
                &cm,
                &Pose2D::new(1.0, 2.5, 0.0),
                &Pose2D::new(4.0, 2.5, 0.0),
            )
            .unwrap_err();
        assert!(matches!(e, NavError::NoPath { .. }), "{e}");
        let e = p
            .plan(
                &cm,
                &Pose2D::new(f64::NAN, 2.5, 0.0),
                &Pose2D::new(4.0, 2.5, 0.0),
            )
            .unwrap_err();
        assert!(matches!(e, NavError::BadInput { .. }));
    }
}
