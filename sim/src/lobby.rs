//! The shipped lobby: walls from `maps/lobby.yaml` (via `letan-map`), places from `maps/places.yaml`.

use crate::error::SimError;
use crate::geom::pose;
use crate::grid::Grid;
use crate::world::Places;
use letan_core::Pose2D;
use std::path::Path;

/// The lobby as the simulator uses it.
#[derive(Debug, Clone)]
pub struct Lobby {
    pub grid: Grid,
    pub places: Places,
    /// The robot's dock (default start pose).
    pub dock: Pose2D,
    /// Named boxes with their kind (walls, counters, seats), for Gazebo.
    pub layout: letan_map::Layout,
}

fn map_err(e: letan_map::MapError) -> SimError {
    SimError::InvalidConfig {
        key: "map".into(),
        reason: e.to_string(),
    }
}

/// Convert a `nav_msgs/OccupancyGrid`-style grid: cells ≥ `threshold` or unknown are solid.
pub fn grid_from_occupancy(g: &letan_map::OccupancyGrid, threshold: i8) -> Result<Grid, SimError> {
    let o = g.origin();
    if o.yaw.abs() > 1e-9 {
        return Err(SimError::InvalidConfig {
            key: "map.origin".into(),
            reason: format!("rotated map origins (yaw {}) are not supported", o.yaw),
        });
    }
    let (w, h) = (g.width(), g.height());
    let data = g.data();
    // letan-map rows are bottom-first, like ours.
    Grid::from_top_rows(w, h, g.resolution(), (o.x, o.y), |c, r_top| {
        let row = h - 1 - r_top;
        data.get(row * w + c)
            .is_none_or(|&v| v < 0 || v >= threshold)
    })
}

impl Lobby {
    /// Load from the repository root (the folder holding `maps/`).
    pub fn load(repo_root: &Path) -> Result<Self, SimError> {
        let map =
            letan_map::load_map(repo_root.join(letan_map::lobby::MAP_YAML)).map_err(map_err)?;
        let places = letan_map::Places::load(repo_root.join(letan_map::lobby::PLACES_YAML))
            .map_err(map_err)?;
        let layout = letan_map::Layout::load(repo_root.join(letan_map::lobby::LAYOUT_YAML))
            .map_err(map_err)?;
        let grid = grid_from_occupancy(&map.grid, 65)?;
        let places: Places = places
            .places
            .iter()
            .map(|(k, p)| (k.clone(), pose(p.x, p.y, p.yaw)))
            .chain(
                places
                    .dock
                    .map(|d| ("dock".to_string(), pose(d.x, d.y, d.yaw))),
            )
            .collect();
        let dock = places
            .get("dock")
            .or_else(|| places.get("reception"))
            .copied()
            .ok_or_else(|| SimError::UnknownPlace {
                place: "dock".into(),
                context: "maps/places.yaml (no dock and no reception)".into(),
            })?;
        Ok(Self {
            grid,
            places,
            dock,
            layout,
        })
    }
}
