//! Navigation functions for people: one geodesic distance field per goal (8-connected Dijkstra
//! over cells with enough clearance), so walkers go around counters instead of into them.

use crate::grid::Grid;
use nalgebra::Vector2;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Geodesic cost-to-goal per cell (millimetres; `u32::MAX` = unreachable).
#[derive(Debug, Clone)]
pub struct NavField {
    cost: Vec<u32>,
    width: usize,
    height: usize,
}

const UNREACHABLE: u32 = u32::MAX;

impl NavField {
    /// Build the field towards `goal` for walkers of radius `radius`. Cells closer than
    /// `radius` to a wall are avoided when possible (a large penalty, so goals near walls stay reachable).
    pub fn build(grid: &Grid, goal: Vector2<f64>, radius: f64) -> Self {
        let w = grid.width();
        let h = grid.height();
        let res = grid.resolution();
        let mut cost = vec![UNREACHABLE; w * h];
        let mut heap = BinaryHeap::new();
        let (gx, gy) = grid.cell_of(goal);
        let gx = gx.clamp(0, w as i64 - 1) as usize;
        let gy = gy.clamp(0, h as i64 - 1) as usize;
        cost[gy * w + gx] = 0;
        heap.push(Reverse((0u32, gy * w + gx)));
        let straight = (res * 1000.0).round() as u32;
        let diag = (res * 1414.2).round() as u32;
        let origin = grid.origin();
        // Per-cell extra cost, computed once: None = wall.
        let mut pen: Vec<Option<u32>> = Vec::with_capacity(w * h);
        for iy in 0..h {
            for ix in 0..w {
                if grid.occupied(ix as i64, iy as i64) {
                    pen.push(None);
                    continue;
                }
                let c = origin + Vector2::new((ix as f64 + 0.5) * res, (iy as f64 + 0.5) * res);
                let cl = grid.clearance(c);
                pen.push(Some(if cl < radius {
                    ((radius - cl) * 40_000.0) as u32 + 2000
                } else if cl < radius + 0.3 {
                    ((radius + 0.3 - cl) * 3_000.0) as u32
                } else {
                    0
                }));
            }
        }
        let penalty = |ix: usize, iy: usize| -> Option<u32> { pen[iy * w + ix] };
        while let Some(Reverse((c, idx))) = heap.pop() {
            if c > cost[idx] {
                continue;
            }
            let x = idx % w;
            let y = idx / w;
            for (dx, dy) in [
                (1i64, 0i64),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (1, -1),
                (-1, 1),
                (-1, -1),
            ] {
                let nx = x as i64 + dx;
                let ny = y as i64 + dy;
                if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    continue;
                }
                let (nx, ny) = (nx as usize, ny as usize);
                let Some(p) = penalty(nx, ny) else { continue };
                let step = if dx != 0 && dy != 0 {
                    // no corner cutting through walls
                    if grid.occupied(x as i64 + dx, y as i64)
                        || grid.occupied(x as i64, y as i64 + dy)
                    {
                        continue;
                    }
                    diag
                } else {
                    straight
                };
                let nc = c.saturating_add(step).saturating_add(p);
                let nidx = ny * w + nx;
                if nc < cost[nidx] {
                    cost[nidx] = nc;
                    heap.push(Reverse((nc, nidx)));
                }
            }
        }
        Self {
            cost,
            width: w,
            height: h,
        }
    }

    fn at(&self, ix: i64, iy: i64) -> u32 {
        if ix < 0 || iy < 0 || ix >= self.width as i64 || iy >= self.height as i64 {
            return UNREACHABLE;
        }
        self.cost[iy as usize * self.width + ix as usize]
    }

    /// Geodesic distance to the goal (m), if reachable.
    pub fn distance(&self, grid: &Grid, p: Vector2<f64>) -> Option<f64> {
        let (ix, iy) = grid.cell_of(p);
        let c = self.at(ix, iy);
        (c != UNREACHABLE).then_some(c as f64 / 1000.0)
    }

    /// A waypoint up to `lookahead` metres down the field from `p` (None if `p` is unreachable).
    pub fn waypoint(&self, grid: &Grid, p: Vector2<f64>, lookahead: f64) -> Option<Vector2<f64>> {
        let (mut ix, mut iy) = grid.cell_of(p);
        if self.at(ix, iy) == UNREACHABLE {
            return None;
        }
        let steps = (lookahead / grid.resolution()).ceil() as usize;
        for _ in 0..steps {
            let mut best = (self.at(ix, iy), ix, iy);
            for (dx, dy) in [
                (1i64, 0i64),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (1, -1),
                (-1, 1),
                (-1, -1),
            ] {
                let c = self.at(ix + dx, iy + dy);
                if c < best.0 {
                    best = (c, ix + dx, iy + dy);
                }
            }
            if best.1 == ix && best.2 == iy {
                break;
            }
            ix = best.1;
            iy = best.2;
        }
        let res = grid.resolution();
        Some(grid.origin() + Vector2::new((ix as f64 + 0.5) * res, (iy as f64 + 0.5) * res))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Rect;

    #[test]
    fn goes_around_a_wall() {
        let mut g = Grid::new(100, 60, 0.1, (0.0, 0.0)).unwrap_or_else(|e| panic!("{e}"));
        g.fill_border();
        // wall from y=0 to y=4.5 at x≈5
        g.fill_rect(Rect {
            min_x: 4.9,
            min_y: 0.0,
            max_x: 5.1,
            max_y: 4.5,
        });
        g.finish();
        let f = NavField::build(&g, Vector2::new(8.0, 1.0), 0.25);
        let start = Vector2::new(2.0, 1.0);
        let d = f.distance(&g, start).unwrap_or(0.0);
        assert!(d > 9.0, "geodesic {d} should exceed the straight 6 m");
        // The first waypoint heads up (towards the gap), not straight into the wall.
        let wp = f.waypoint(&g, start, 1.0).unwrap_or(start);
        assert!(wp.y - start.y > 0.3, "{wp:?}");
    }
}
