//! map_server map files: a YAML description plus an image (PGM), as read by ROS 2 `nav2_map_server`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{MapError, Result};
use crate::grid::{OccupancyGrid, UNKNOWN};
use crate::pgm::{parse_pgm, write_pgm_p5};
use crate::pose::Pose2D;

/// How image values map to occupancy (map_server `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MapMode {
    /// occupied (100), free (0) or unknown (-1).
    #[default]
    Trinary,
    /// like trinary, but values between the thresholds are scaled to 1..=99.
    Scale,
    /// the pixel value is the occupancy (values > 100 become unknown).
    Raw,
}

/// The map YAML (`image`, `resolution`, `origin`, `negate`, `occupied_thresh`, `free_thresh`, `mode`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapYaml {
    /// Image path, relative to the YAML file's folder unless absolute.
    pub image: String,
    #[serde(default)]
    pub mode: MapMode,
    pub resolution: f64,
    /// [x, y, yaw] of the lower-left pixel's outer corner in the map frame.
    pub origin: [f64; 3],
    #[serde(default)]
    pub negate: u8,
    #[serde(default = "default_occ")]
    pub occupied_thresh: f64,
    #[serde(default = "default_free")]
    pub free_thresh: f64,
}

fn default_occ() -> f64 {
    0.65
}
fn default_free() -> f64 {
    0.25
}

impl MapYaml {
    /// Check values; errors name `path` and the key.
    pub fn validate(&self, path: &Path) -> Result<()> {
        let bad = |key: &str, reason: String| MapError::InvalidValue {
            path: path.to_path_buf(),
            key: key.into(),
            reason,
        };
        if self.image.trim().is_empty() {
            return Err(bad("image", "empty".into()));
        }
        if !(self.resolution.is_finite() && self.resolution > 0.0) {
            return Err(bad(
                "resolution",
                format!("must be > 0, got {}", self.resolution),
            ));
        }
        if self.origin.iter().any(|v| !v.is_finite()) {
            return Err(bad(
                "origin",
                format!("must be finite, got {:?}", self.origin),
            ));
        }
        if self.negate > 1 {
            return Err(bad(
                "negate",
                format!("must be 0 or 1, got {}", self.negate),
            ));
        }
        if !(0.0..=1.0).contains(&self.occupied_thresh) {
            return Err(bad(
                "occupied_thresh",
                format!("must be in [0, 1], got {}", self.occupied_thresh),
            ));
        }
        if !(0.0..=1.0).contains(&self.free_thresh) || self.free_thresh >= self.occupied_thresh {
            return Err(bad(
                "free_thresh",
                format!(
                    "must be in [0, 1) and below occupied_thresh {}, got {}",
                    self.occupied_thresh, self.free_thresh
                ),
            ));
        }
        Ok(())
    }

    /// Occupancy value for one pixel, following map_server's rules.
    pub fn pixel_to_occupancy(&self, v: u8, maxval: u16) -> i8 {
        if self.mode == MapMode::Raw {
            return if v <= 100 { v as i8 } else { UNKNOWN };
        }
        let mv = f64::from(maxval.max(1));
        let shade = f64::from(v) / mv;
        let occ = if self.negate == 1 { shade } else { 1.0 - shade };
        if occ > self.occupied_thresh {
            100
        } else if occ < self.free_thresh {
            0
        } else if self.mode == MapMode::Scale {
            let r = (occ - self.free_thresh) / (self.occupied_thresh - self.free_thresh);
            (1.0 + 98.0 * r).round().clamp(1.0, 99.0) as i8
        } else {
            UNKNOWN
        }
    }
}

/// A loaded map: its YAML description and the occupancy grid.
#[derive(Debug, Clone)]
pub struct LoadedMap {
    pub yaml_path: PathBuf,
    pub image_path: PathBuf,
    pub meta: MapYaml,
    pub grid: OccupancyGrid,
}

/// Load a map_server YAML and its image into an [`OccupancyGrid`] (image flipped so row 0 = bottom).
pub fn load_map(yaml_path: impl AsRef<Path>) -> Result<LoadedMap> {
    let yaml_path = yaml_path.as_ref();
    let text = read_to_string(yaml_path)?;
    let meta: MapYaml = serde_yaml::from_str(&text).map_err(|source| MapError::Yaml {
        path: yaml_path.to_path_buf(),
        source,
    })?;
    meta.validate(yaml_path)?;
    let image_path = resolve_relative(yaml_path, &meta.image);
    let bytes = std::fs::read(&image_path).map_err(|source| MapError::Io {
        path: image_path.clone(),
        source,
    })?;
    let grid = grid_from_image(&meta, &bytes, &image_path)?;
    Ok(LoadedMap {
        yaml_path: yaml_path.to_path_buf(),
        image_path,
        meta,
        grid,
    })
}

/// Convert image bytes (PGM) to a grid using `meta`; `image_path` is only used in errors.
pub fn grid_from_image(meta: &MapYaml, bytes: &[u8], image_path: &Path) -> Result<OccupancyGrid> {
    let pgm = parse_pgm(bytes).map_err(|reason| MapError::Pgm {
        path: image_path.to_path_buf(),
        reason,
    })?;
    let mut data = vec![UNKNOWN; pgm.width * pgm.height];
    for row in 0..pgm.height {
        let cy = pgm.height - 1 - row; // image row 0 is the top = highest y
        for col in 0..pgm.width {
            data[cy * pgm.width + col] =
                meta.pixel_to_occupancy(pgm.pixels[row * pgm.width + col], pgm.maxval);
        }
    }
    OccupancyGrid::new(
        pgm.width,
        pgm.height,
        meta.resolution,
        Pose2D::new(meta.origin[0], meta.origin[1], meta.origin[2]),
        data,
    )
    .map_err(|e| MapError::Pgm {
        path: image_path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Encode a grid as a trinary P5 image (0 = occupied, 254 = free, 128 = unknown), top row first,
/// the inverse of loading with `negate: 0`, thresholds 0.65 / 0.25.
pub fn grid_to_pgm(grid: &OccupancyGrid, comment: &str) -> Vec<u8> {
    let (w, h) = (grid.width(), grid.height());
    let mut px = vec![128u8; w * h];
    for row in 0..h {
        let cy = h - 1 - row;
        for cx in 0..w {
            let v = grid.data()[cy * w + cx];
            // 128 is mid-grey: (255-128)/255 = 0.50 lies between the thresholds, so it loads as unknown
            // (map_saver's 205 would load as free with free_thresh 0.25).
            px[row * w + cx] = if v < 0 {
                128
            } else if v >= 65 {
                0
            } else if v <= 19 {
                254
            } else {
                128
            };
        }
    }
    write_pgm_p5(w, h, &px, comment)
}

/// The map YAML text for an image written by [`grid_to_pgm`].
pub fn map_yaml_text(image: &str, grid: &OccupancyGrid) -> String {
    let o = grid.origin();
    format!(
        "image: {image}\nmode: trinary\nresolution: {}\norigin: [{:?}, {:?}, {:?}]\nnegate: 0\noccupied_thresh: 0.65\nfree_thresh: 0.25\n",
        grid.resolution(),
        o.x,
        o.y,
        o.yaw
    )
}

pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| MapError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn resolve_relative(yaml_path: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        yaml_path
            .parent()
            .map(|d| d.join(p))
            .unwrap_or_else(|| p.to_path_buf())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn meta() -> MapYaml {
        MapYaml {
            image: "m.pgm".into(),
            mode: MapMode::Trinary,
            resolution: 0.1,
            origin: [1.0, 2.0, 0.0],
            negate: 0,
            occupied_thresh: 0.65,
            free_thresh: 0.25,
        }
    }

    #[test]
    fn image_is_flipped_so_row0_is_bottom() {
        // 2x2 image: top row black (occupied), bottom row white (free)
        let bytes = write_pgm_p5(2, 2, &[0, 0, 254, 254], "");
        let g = grid_from_image(&meta(), &bytes, Path::new("m.pgm")).unwrap();
        assert_eq!(g.get(0, 0), Some(0));
        assert_eq!(g.get(1, 1), Some(100));
        assert_eq!(g.value_at(1.05, 2.15), Some(100));
    }

    #[test]
    fn trinary_scale_raw_negate() {
        let m = meta();
        assert_eq!(m.pixel_to_occupancy(128, 255), UNKNOWN);
        assert_eq!(m.pixel_to_occupancy(205, 255), 0);
        assert_eq!(m.pixel_to_occupancy(254, 255), 0);
        assert_eq!(m.pixel_to_occupancy(0, 255), 100);
        let s = MapYaml {
            mode: MapMode::Scale,
            ..meta()
        };
        let v = s.pixel_to_occupancy(128, 255);
        assert!((1..=99).contains(&v), "{v}");
        let n = MapYaml {
            negate: 1,
            ..meta()
        };
        assert_eq!(n.pixel_to_occupancy(0, 255), 0);
        let r = MapYaml {
            mode: MapMode::Raw,
            ..meta()
        };
        assert_eq!(r.pixel_to_occupancy(42, 255), 42);
        assert_eq!(r.pixel_to_occupancy(200, 255), UNKNOWN);
    }

    #[test]
    fn grid_pgm_roundtrip() {
        let g = OccupancyGrid::new(
            3,
            2,
            0.05,
            Pose2D::new(0.0, 0.0, 0.0),
            vec![0, 100, -1, 100, 0, 0],
        )
        .unwrap();
        let bytes = grid_to_pgm(&g, "t");
        let back = grid_from_image(
            &MapYaml {
                resolution: 0.05,
                origin: [0.0, 0.0, 0.0],
                ..meta()
            },
            &bytes,
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(back, g);
    }

    #[test]
    fn validation_names_the_key() {
        let m = MapYaml {
            free_thresh: 0.9,
            ..meta()
        };
        let e = m.validate(Path::new("lobby.yaml")).unwrap_err().to_string();
        assert!(e.contains("free_thresh") && e.contains("lobby.yaml"), "{e}");
        let m = MapYaml {
            resolution: -1.0,
            ..meta()
        };
        assert!(m
            .validate(Path::new("a.yaml"))
            .unwrap_err()
            .to_string()
            .contains("resolution"));
    }
}
