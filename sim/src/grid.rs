//! The static world: an occupancy grid (walls, counters, seats) with ray casting,
//! a distance field for clearance queries, and run-merging into boxes for Gazebo.

use crate::error::SimError;
use nalgebra::Vector2;

/// An axis-aligned box in world coordinates (metres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

/// An occupancy grid. Cell (0, 0) is at the bottom-left (world `origin`), x grows with the column
/// index and y with the row index (unlike a PGM, whose first row is the top).
/// Everything outside the grid counts as occupied.
#[derive(Debug, Clone)]
pub struct Grid {
    width: usize,
    height: usize,
    resolution: f64,
    origin: Vector2<f64>,
    occ: Vec<bool>,
    /// Distance (m) from each cell centre to the nearest occupied cell centre; filled by `finish`.
    dist: Vec<f32>,
}

impl Grid {
    /// An empty grid of `width` × `height` cells of `resolution` metres, bottom-left corner at `origin`.
    pub fn new(
        width: usize,
        height: usize,
        resolution: f64,
        origin: (f64, f64),
    ) -> Result<Self, SimError> {
        if width == 0 || height == 0 || width.saturating_mul(height) > 64_000_000 {
            return Err(SimError::InvalidConfig {
                key: "grid.size".into(),
                reason: format!("{width}x{height} cells is empty or too large"),
            });
        }
        if !(resolution.is_finite() && resolution > 0.0) {
            return Err(SimError::InvalidConfig {
                key: "grid.resolution".into(),
                reason: format!("{resolution} must be a positive number of metres"),
            });
        }
        let mut g = Self {
            width,
            height,
            resolution,
            origin: Vector2::new(origin.0, origin.1),
            occ: vec![false; width * height],
            dist: Vec::new(),
        };
        g.finish();
        Ok(g)
    }

    /// Build from rows given top row first (as in a PGM image): `occupied(col, row_from_top)`.
    pub fn from_top_rows(
        width: usize,
        height: usize,
        resolution: f64,
        origin: (f64, f64),
        occupied: impl Fn(usize, usize) -> bool,
    ) -> Result<Self, SimError> {
        let mut g = Self::new(width, height, resolution, origin)?;
        for r in 0..height {
            for c in 0..width {
                if occupied(c, r) {
                    g.occ[(height - 1 - r) * width + c] = true;
                }
            }
        }
        g.finish();
        Ok(g)
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
    pub fn origin(&self) -> Vector2<f64> {
        self.origin
    }
    /// World extent (min_x, min_y, max_x, max_y).
    pub fn bounds(&self) -> Rect {
        Rect {
            min_x: self.origin.x,
            min_y: self.origin.y,
            max_x: self.origin.x + self.width as f64 * self.resolution,
            max_y: self.origin.y + self.height as f64 * self.resolution,
        }
    }

    /// Mark every cell whose centre lies in the box as occupied. Call `finish` when done editing.
    pub fn fill_rect(&mut self, r: Rect) {
        for iy in 0..self.height {
            let cy = self.origin.y + (iy as f64 + 0.5) * self.resolution;
            if cy < r.min_y || cy > r.max_y {
                continue;
            }
            for ix in 0..self.width {
                let cx = self.origin.x + (ix as f64 + 0.5) * self.resolution;
                if cx >= r.min_x && cx <= r.max_x {
                    self.occ[iy * self.width + ix] = true;
                }
            }
        }
    }

    /// Occupied outline one cell thick around the whole grid.
    pub fn fill_border(&mut self) {
        for ix in 0..self.width {
            self.occ[ix] = true;
            self.occ[(self.height - 1) * self.width + ix] = true;
        }
        for iy in 0..self.height {
            self.occ[iy * self.width] = true;
            self.occ[iy * self.width + self.width - 1] = true;
        }
    }

    /// Recompute derived data (the distance field) after editing cells.
    pub fn finish(&mut self) {
        self.dist = distance_field(&self.occ, self.width, self.height, self.resolution);
    }

    /// Is cell (ix, iy) occupied? Out-of-grid cells are occupied.
    pub fn occupied(&self, ix: i64, iy: i64) -> bool {
        if ix < 0 || iy < 0 || ix >= self.width as i64 || iy >= self.height as i64 {
            return true;
        }
        self.occ[iy as usize * self.width + ix as usize]
    }

    /// The cell containing a world point.
    pub fn cell_of(&self, p: Vector2<f64>) -> (i64, i64) {
        let q = (p - self.origin) / self.resolution;
        (q.x.floor() as i64, q.y.floor() as i64)
    }

    /// Is the world point inside an occupied cell (or outside the grid)?
    pub fn occupied_at(&self, p: Vector2<f64>) -> bool {
        let (ix, iy) = self.cell_of(p);
        self.occupied(ix, iy)
    }

    /// Approximate clearance (m) from a point to the nearest occupied cell boundary, from the
    /// precomputed distance field (bilinear would be smoother; nearest cell is enough for forces).
    pub fn clearance(&self, p: Vector2<f64>) -> f64 {
        let (ix, iy) = self.cell_of(p);
        if self.occupied(ix, iy) {
            return 0.0;
        }
        let d = self.dist[iy as usize * self.width + ix as usize] as f64;
        (d - 0.5 * self.resolution).max(0.0)
    }

    /// Unit vector pointing away from the nearest obstacle (the distance field's gradient), or zero.
    pub fn clearance_gradient(&self, p: Vector2<f64>) -> Vector2<f64> {
        let h = self.resolution;
        let gx =
            self.clearance(p + Vector2::new(h, 0.0)) - self.clearance(p - Vector2::new(h, 0.0));
        let gy =
            self.clearance(p + Vector2::new(0.0, h)) - self.clearance(p - Vector2::new(0.0, h));
        let g = Vector2::new(gx, gy);
        let n = g.norm();
        if n > 1e-9 {
            g / n
        } else {
            Vector2::zeros()
        }
    }

    /// Exact test: does a disc of radius `r` at `p` overlap any occupied cell square?
    pub fn disc_overlaps(&self, p: Vector2<f64>, r: f64) -> bool {
        let (x0, y0) = self.cell_of(p - Vector2::new(r, r));
        let (x1, y1) = self.cell_of(p + Vector2::new(r, r));
        let r2 = r * r;
        for iy in y0..=y1 {
            for ix in x0..=x1 {
                if !self.occupied(ix, iy) {
                    continue;
                }
                let lo = self.origin + Vector2::new(ix as f64, iy as f64) * self.resolution;
                let cx = p.x.clamp(lo.x, lo.x + self.resolution);
                let cy = p.y.clamp(lo.y, lo.y + self.resolution);
                let dx = p.x - cx;
                let dy = p.y - cy;
                if dx * dx + dy * dy < r2 {
                    return true;
                }
            }
        }
        false
    }

    /// Cast a ray through the grid (Amanatides–Woo DDA). Returns the distance to the first
    /// occupied cell boundary, or `None` if nothing is hit within `max_range`.
    pub fn raycast(&self, origin: Vector2<f64>, angle: f64, max_range: f64) -> Option<f64> {
        let (dy, dx) = angle.sin_cos();
        let (mut ix, mut iy) = self.cell_of(origin);
        if self.occupied(ix, iy) {
            return Some(0.0);
        }
        let res = self.resolution;
        let local = (origin - self.origin) / res;
        let step_x: i64 = if dx > 0.0 { 1 } else { -1 };
        let step_y: i64 = if dy > 0.0 { 1 } else { -1 };
        let inf = f64::INFINITY;
        let t_delta_x = if dx != 0.0 { res / dx.abs() } else { inf };
        let t_delta_y = if dy != 0.0 { res / dy.abs() } else { inf };
        let mut t_max_x = if dx > 0.0 {
            ((ix as f64 + 1.0) - local.x) * res / dx
        } else if dx < 0.0 {
            (local.x - ix as f64) * res / -dx
        } else {
            inf
        };
        let mut t_max_y = if dy > 0.0 {
            ((iy as f64 + 1.0) - local.y) * res / dy
        } else if dy < 0.0 {
            (local.y - iy as f64) * res / -dy
        } else {
            inf
        };
        loop {
            let t = if t_max_x < t_max_y {
                let t = t_max_x;
                ix += step_x;
                t_max_x += t_delta_x;
                t
            } else {
                let t = t_max_y;
                iy += step_y;
                t_max_y += t_delta_y;
                t
            };
            if t > max_range {
                return None;
            }
            if self.occupied(ix, iy) {
                return Some(t);
            }
        }
    }

    /// Occupied cells merged into boxes: horizontal runs first, then identical runs on
    /// consecutive rows stacked into one box. Used for Gazebo walls and for collider export.
    pub fn merged_boxes(&self) -> Vec<Rect> {
        // (x_start, x_end_exclusive) -> (start_row, open)
        let mut open: Vec<(usize, usize, usize)> = Vec::new();
        let mut out = Vec::new();
        let res = self.resolution;
        let close = |(x0, x1, y0): (usize, usize, usize), y1: usize, out: &mut Vec<Rect>| {
            out.push(Rect {
                min_x: self.origin.x + x0 as f64 * res,
                max_x: self.origin.x + x1 as f64 * res,
                min_y: self.origin.y + y0 as f64 * res,
                max_y: self.origin.y + y1 as f64 * res,
            });
        };
        for iy in 0..=self.height {
            let mut runs = Vec::new();
            if iy < self.height {
                let row = &self.occ[iy * self.width..(iy + 1) * self.width];
                let mut x = 0;
                while x < self.width {
                    if row[x] {
                        let s = x;
                        while x < self.width && row[x] {
                            x += 1;
                        }
                        runs.push((s, x));
                    } else {
                        x += 1;
                    }
                }
            }
            let mut next_open = Vec::with_capacity(runs.len());
            for o in open.drain(..) {
                if runs.contains(&(o.0, o.1)) {
                    next_open.push(o);
                } else {
                    close(o, iy, &mut out);
                }
            }
            for r in runs {
                if !next_open.iter().any(|o| o.0 == r.0 && o.1 == r.1) {
                    next_open.push((r.0, r.1, iy));
                }
            }
            open = next_open;
        }
        out
    }

    /// Number of occupied cells.
    pub fn occupied_count(&self) -> usize {
        self.occ.iter().filter(|&&o| o).count()
    }
}

/// Exact Euclidean distance, in metres, from each cell to the nearest occupied cell centre
/// (`letan_map::edt`); 1e6 where there is none.
fn distance_field(occ: &[bool], w: usize, h: usize, res: f64) -> Vec<f32> {
    letan_map::edt::squared_distance_transform(occ, w, h)
        .iter()
        .map(|&d2| {
            if d2.is_infinite() {
                1e6
            } else {
                (d2.sqrt() * res) as f32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Grid {
        // 10 m × 6 m room at 0.05 m, walls one cell thick.
        let mut g = Grid::new(200, 120, 0.05, (0.0, 0.0)).unwrap_or_else(|e| panic!("{e}"));
        g.fill_border();
        g.finish();
        g
    }

    #[test]
    fn raycast_matches_geometry() {
        let g = room();
        let o = Vector2::new(5.0, 3.0);
        // East wall inner face at x = 9.95.
        let t = g.raycast(o, 0.0, 20.0).unwrap_or(-1.0);
        assert!((t - 4.95).abs() < 1e-6, "{t}");
        let t = g
            .raycast(o, std::f64::consts::FRAC_PI_2, 20.0)
            .unwrap_or(-1.0);
        assert!((t - 2.95).abs() < 1e-6, "{t}");
        // Diagonal to the north wall at y = 5.95: t = 2.95 / sin(45°).
        let t = g
            .raycast(o, std::f64::consts::FRAC_PI_4, 20.0)
            .unwrap_or(-1.0);
        assert!(
            (t - 2.95 / std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-6,
            "{t}"
        );
        assert!(g.raycast(o, 0.0, 3.0).is_none());
    }

    #[test]
    fn distance_field_and_disc() {
        let g = room();
        let c = g.clearance(Vector2::new(1.0, 3.0));
        // Nearest wall cell centre at x = 0.025 -> 0.975, minus half a cell.
        assert!((c - 0.95).abs() < 0.03, "{c}");
        let grad = g.clearance_gradient(Vector2::new(1.0, 3.0));
        assert!(grad.x > 0.9, "{grad:?}");
        assert!(!g.disc_overlaps(Vector2::new(1.0, 3.0), 0.3));
        assert!(g.disc_overlaps(Vector2::new(0.3, 3.0), 0.3));
    }

    #[test]
    fn merged_boxes_cover_exactly() {
        let mut g = Grid::new(40, 30, 0.1, (-2.0, -1.0)).unwrap_or_else(|e| panic!("{e}"));
        g.fill_border();
        g.fill_rect(Rect {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 0.5,
            max_y: 1.0,
        });
        g.finish();
        let boxes = g.merged_boxes();
        // border = 4 boxes (top, bottom, left column, right column), plus the block
        assert!(boxes.len() <= 6, "{}", boxes.len());
        let area: f64 = boxes
            .iter()
            .map(|b| (b.max_x - b.min_x) * (b.max_y - b.min_y))
            .sum();
        let cells = g.occupied_count() as f64 * 0.01;
        assert!((area - cells).abs() < 1e-6, "{area} vs {cells}");
        // every occupied cell centre is inside a box
        for iy in 0..30 {
            for ix in 0..40 {
                if g.occupied(ix, iy) {
                    let c = Vector2::new(
                        -2.0 + (ix as f64 + 0.5) * 0.1,
                        -1.0 + (iy as f64 + 0.5) * 0.1,
                    );
                    assert!(boxes
                        .iter()
                        .any(|b| c.x > b.min_x && c.x < b.max_x && c.y > b.min_y && c.y < b.max_y));
                }
            }
        }
    }
}
