use crate::error::{MapError, Result};
use crate::pose::Pose2D;

/// Occupancy value of a lethal/occupied cell (nav_msgs/OccupancyGrid convention).
pub const OCCUPIED: i8 = 100;
/// Occupancy value of a free cell.
pub const FREE: i8 = 0;
/// Occupancy value of an unknown cell.
pub const UNKNOWN: i8 = -1;

/// A 2-D occupancy grid laid out like `nav_msgs/OccupancyGrid`: row-major, cell (0, 0) at the
/// origin pose, **row 0 = the bottom (lowest y) row** (map_server flips the image vertically on load).
/// Values are -1 (unknown) or 0..=100 (probability of occupancy in percent).
#[derive(Debug, Clone, PartialEq)]
pub struct OccupancyGrid {
    width: usize,
    height: usize,
    resolution: f64,
    origin: Pose2D,
    data: Vec<i8>,
}

impl OccupancyGrid {
    /// Build a grid; `data.len()` must be `width * height`, resolution positive and finite.
    pub fn new(
        width: usize,
        height: usize,
        resolution: f64,
        origin: Pose2D,
        data: Vec<i8>,
    ) -> Result<Self> {
        if !(resolution.is_finite() && resolution > 0.0) {
            return Err(MapError::BadGrid {
                reason: format!("resolution must be positive and finite, got {resolution}"),
            });
        }
        if width == 0 || height == 0 {
            return Err(MapError::BadGrid {
                reason: format!("empty grid {width}x{height}"),
            });
        }
        let n = width.checked_mul(height).ok_or_else(|| MapError::BadGrid {
            reason: format!("grid {width}x{height} too large"),
        })?;
        if data.len() != n {
            return Err(MapError::BadGrid {
                reason: format!(
                    "data has {} cells, expected {width}x{height}={n}",
                    data.len()
                ),
            });
        }
        if !(origin.x.is_finite() && origin.y.is_finite() && origin.yaw.is_finite()) {
            return Err(MapError::BadGrid {
                reason: "origin must be finite".into(),
            });
        }
        if let Some(bad) = data
            .iter()
            .find(|&&v| !(v == UNKNOWN || (0..=100).contains(&v)))
        {
            return Err(MapError::BadGrid {
                reason: format!("cell value {bad} outside -1..=100"),
            });
        }
        Ok(Self {
            width,
            height,
            resolution,
            origin,
            data,
        })
    }

    /// A grid of `width x height` cells all set to `value`.
    pub fn filled(
        width: usize,
        height: usize,
        resolution: f64,
        origin: Pose2D,
        value: i8,
    ) -> Result<Self> {
        let n = width.checked_mul(height).ok_or_else(|| MapError::BadGrid {
            reason: format!("grid {width}x{height} too large"),
        })?;
        Self::new(width, height, resolution, origin, vec![value; n])
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    /// Metres per cell.
    pub fn resolution(&self) -> f64 {
        self.resolution
    }
    /// Pose of the outer corner of cell (0, 0) in the map frame.
    pub fn origin(&self) -> Pose2D {
        self.origin
    }
    /// Row-major cells, row 0 = bottom.
    pub fn data(&self) -> &[i8] {
        &self.data
    }
    /// Width and height of the covered area in metres.
    pub fn size_m(&self) -> (f64, f64) {
        (
            self.width as f64 * self.resolution,
            self.height as f64 * self.resolution,
        )
    }

    /// Linear index of cell (cx, cy), if inside.
    pub fn index(&self, cx: usize, cy: usize) -> Option<usize> {
        (cx < self.width && cy < self.height).then(|| cy * self.width + cx)
    }

    /// Occupancy of cell (cx, cy), `None` outside the grid.
    pub fn get(&self, cx: usize, cy: usize) -> Option<i8> {
        self.index(cx, cy).map(|i| self.data[i])
    }

    /// Set cell (cx, cy); values outside -1..=100 are clamped. Returns false when outside the grid.
    pub fn set(&mut self, cx: usize, cy: usize, value: i8) -> bool {
        match self.index(cx, cy) {
            Some(i) => {
                self.data[i] = value.clamp(UNKNOWN, OCCUPIED);
                true
            }
            None => false,
        }
    }

    /// Continuous cell coordinates (in cells, not floored) of a world point.
    pub fn world_to_grid_f(&self, x: f64, y: f64) -> (f64, f64) {
        let (s, c) = self.origin.yaw.sin_cos();
        let dx = x - self.origin.x;
        let dy = y - self.origin.y;
        let lx = c * dx + s * dy;
        let ly = -s * dx + c * dy;
        (lx / self.resolution, ly / self.resolution)
    }

    /// The cell containing world point (x, y), `None` if outside the grid.
    pub fn world_to_cell(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (gx, gy) = self.world_to_grid_f(x, y);
        if !(gx.is_finite() && gy.is_finite()) || gx < 0.0 || gy < 0.0 {
            return None;
        }
        let (cx, cy) = (gx.floor() as usize, gy.floor() as usize);
        (cx < self.width && cy < self.height).then_some((cx, cy))
    }

    /// World coordinates of the centre of cell (cx, cy) (no bounds check).
    pub fn cell_to_world(&self, cx: usize, cy: usize) -> (f64, f64) {
        let lx = (cx as f64 + 0.5) * self.resolution;
        let ly = (cy as f64 + 0.5) * self.resolution;
        let (s, c) = self.origin.yaw.sin_cos();
        (
            self.origin.x + c * lx - s * ly,
            self.origin.y + s * lx + c * ly,
        )
    }

    /// Occupancy at a world point, `None` outside the grid.
    pub fn value_at(&self, x: f64, y: f64) -> Option<i8> {
        self.world_to_cell(x, y)
            .and_then(|(cx, cy)| self.get(cx, cy))
    }

    /// True if the world point is inside the grid and its cell is known free (value below `threshold`).
    pub fn is_free_at(&self, x: f64, y: f64, threshold: i8) -> bool {
        matches!(self.value_at(x, y), Some(v) if v >= 0 && v < threshold)
    }

    /// Count of cells by class: (free = 0, occupied >= 65, unknown = -1).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut free = 0;
        let mut occ = 0;
        let mut unk = 0;
        for &v in &self.data {
            if v < 0 {
                unk += 1;
            } else if v >= 65 {
                occ += 1;
            } else if v == 0 {
                free += 1;
            }
        }
        (free, occ, unk)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn world_cell_roundtrip_with_offset_origin() {
        let g = OccupancyGrid::filled(20, 10, 0.5, Pose2D::new(-2.0, 1.0, 0.0), 0).unwrap();
        assert_eq!(g.world_to_cell(-2.0, 1.0), Some((0, 0)));
        assert_eq!(g.world_to_cell(-1.76, 1.49), Some((0, 0)));
        assert_eq!(g.world_to_cell(-1.5, 1.5), Some((1, 1)));
        assert_eq!(g.world_to_cell(-2.01, 1.0), None);
        assert_eq!(g.world_to_cell(8.0, 1.0), None); // x = 8 is the far edge
        assert_eq!(g.world_to_cell(7.99, 5.99), Some((19, 9)));
        let (x, y) = g.cell_to_world(3, 4);
        assert!((x - (-2.0 + 1.75)).abs() < 1e-12 && (y - (1.0 + 2.25)).abs() < 1e-12);
        assert_eq!(g.world_to_cell(x, y), Some((3, 4)));
        assert_eq!(g.world_to_cell(f64::NAN, 0.0), None);
    }

    #[test]
    fn rotated_origin() {
        let yaw = std::f64::consts::FRAC_PI_2;
        let g = OccupancyGrid::filled(10, 10, 1.0, Pose2D::new(0.0, 0.0, yaw), 0).unwrap();
        // grid +x points along world +y
        assert_eq!(g.world_to_cell(-0.5, 2.5), Some((2, 0)));
        let (x, y) = g.cell_to_world(2, 0);
        assert!((x + 0.5).abs() < 1e-9 && (y - 2.5).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_grids() {
        assert!(OccupancyGrid::new(2, 2, 0.05, Pose2D::default(), vec![0; 3]).is_err());
        assert!(OccupancyGrid::new(2, 2, 0.0, Pose2D::default(), vec![0; 4]).is_err());
        assert!(OccupancyGrid::new(2, 2, 0.05, Pose2D::default(), vec![0, 0, 101, 0]).is_err());
        assert!(OccupancyGrid::new(0, 2, 0.05, Pose2D::default(), vec![]).is_err());
    }

    #[test]
    fn set_and_get() {
        let mut g = OccupancyGrid::filled(3, 2, 0.1, Pose2D::default(), UNKNOWN).unwrap();
        assert!(g.set(2, 1, OCCUPIED));
        assert!(!g.set(3, 1, OCCUPIED));
        assert_eq!(g.get(2, 1), Some(OCCUPIED));
        assert_eq!(g.data()[5], OCCUPIED);
        assert_eq!(g.counts(), (0, 1, 5));
    }
}
