//! Keep-out zones (`maps/keepout.yaml`): named polygons in the map frame the robot must never enter.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{MapError, Result};
use crate::grid::OccupancyGrid;
use crate::mapfile::read_to_string;

/// One named keep-out polygon (vertices in order, implicitly closed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepoutZone {
    pub name: String,
    pub polygon: Vec<[f64; 2]>,
}

impl KeepoutZone {
    /// Even-odd point-in-polygon test.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        point_in_polygon(&self.polygon, x, y)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeepoutFile {
    zones: Vec<KeepoutZone>,
}

/// All keep-out zones of a map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keepout {
    pub zones: Vec<KeepoutZone>,
}

impl Keepout {
    pub fn from_yaml_str(text: &str, path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let f: KeepoutFile = serde_yaml::from_str(text).map_err(|source| MapError::Yaml {
            path: path.clone(),
            source,
        })?;
        for (i, z) in f.zones.iter().enumerate() {
            if z.polygon.len() < 3 {
                return Err(MapError::InvalidValue {
                    path,
                    key: format!("zones[{i}].polygon ({})", z.name),
                    reason: format!("needs at least 3 vertices, got {}", z.polygon.len()),
                });
            }
            if z.polygon.iter().flatten().any(|v| !v.is_finite()) {
                return Err(MapError::InvalidValue {
                    path,
                    key: format!("zones[{i}].polygon ({})", z.name),
                    reason: "vertices must be finite".into(),
                });
            }
        }
        Ok(Self { zones: f.zones })
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_yaml_str(&read_to_string(path)?, path)
    }

    /// The name of the first zone containing (x, y), if any.
    pub fn zone_at(&self, x: f64, y: f64) -> Option<&str> {
        self.zones
            .iter()
            .find(|z| z.contains(x, y))
            .map(|z| z.name.as_str())
    }

    /// A mask with the same geometry as `grid`: `true` where the cell centre lies in a keep-out zone.
    pub fn rasterize(&self, grid: &OccupancyGrid) -> Vec<bool> {
        let (w, h) = (grid.width(), grid.height());
        let mut mask = vec![false; w * h];
        for cy in 0..h {
            for cx in 0..w {
                let (x, y) = grid.cell_to_world(cx, cy);
                mask[cy * w + cx] = self.zone_at(x, y).is_some();
            }
        }
        mask
    }
}

/// Even-odd rule point-in-polygon.
pub fn point_in_polygon(poly: &[[f64; 2]], x: f64, y: f64) -> bool {
    let n = poly.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let [xi, yi] = poly[i];
        let [xj, yj] = poly[j];
        if (yi > y) != (yj > y) {
            let xc = xj + (y - yj) * (xi - xj) / (yi - yj);
            if x < xc {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pose::Pose2D;

    #[test]
    fn polygon_membership() {
        let k = Keepout::from_yaml_str(
            "zones:\n  - name: tri\n    polygon: [[0,0],[4,0],[0,4]]\n",
            "k.yaml",
        )
        .unwrap();
        assert_eq!(k.zone_at(1.0, 1.0), Some("tri"));
        assert_eq!(k.zone_at(3.0, 3.0), None);
        assert_eq!(k.zone_at(-0.1, 1.0), None);
    }

    #[test]
    fn rasterize_marks_cells() {
        let k = Keepout::from_yaml_str(
            "zones:\n  - name: sq\n    polygon: [[0,0],[1,0],[1,1],[0,1]]\n",
            "k.yaml",
        )
        .unwrap();
        let g = OccupancyGrid::filled(4, 4, 0.5, Pose2D::default(), 0).unwrap();
        let m = k.rasterize(&g);
        assert_eq!(m.iter().filter(|&&b| b).count(), 4);
        assert!(m[0] && m[1] && m[4] && m[5]);
    }

    #[test]
    fn bad_polygon_names_key() {
        let e = Keepout::from_yaml_str(
            "zones:\n  - name: x\n    polygon: [[0,0],[1,1]]\n",
            "k.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("zones[0].polygon") && e.contains("k.yaml"),
            "{e}"
        );
    }
}
