//! `letan-map`: map_server maps (YAML + PGM P5/P2), named places and keep-out zones.
//!
//! Pure: parsing and geometry only; the `load*` helpers read the named files and report errors naming
//! the file and key. The grid follows `nav_msgs/OccupancyGrid`: row 0 is the bottom row (the image is
//! flipped vertically on load, as map_server does), values -1 (unknown) or 0..=100.
//!
//! ```no_run
//! let map = letan_map::load_map("maps/lobby.yaml")?;
//! let places = letan_map::Places::load("maps/places.yaml")?;
//! let keepout = letan_map::Keepout::load("maps/keepout.yaml")?;
//! let p = places.get("counter_5")?;
//! assert!(map.grid.is_free_at(p.x, p.y, 50) && keepout.zone_at(p.x, p.y).is_none());
//! # Ok::<(), letan_map::MapError>(())
//! ```

pub mod edt;
mod error;
mod grid;
mod keepout;
mod layout;
mod mapfile;
pub mod pgm;
mod places;
mod pose;

pub use error::{MapError, Result};
pub use grid::{OccupancyGrid, FREE, OCCUPIED, UNKNOWN};
pub use keepout::{point_in_polygon, Keepout, KeepoutZone};
pub use layout::{generate, GeneratedMap, Layout, Obstacle};
pub use mapfile::{
    grid_from_image, grid_to_pgm, load_map, map_yaml_text, LoadedMap, MapMode, MapYaml,
};
pub use places::{required_place_ids, Places};
pub use pose::{normalize_angle, Pose2D};

/// Paths of the shipped lobby files, relative to the workspace root.
pub mod lobby {
    pub const MAP_YAML: &str = "maps/lobby.yaml";
    pub const MAP_PGM: &str = "maps/lobby.pgm";
    pub const LAYOUT_YAML: &str = "maps/lobby_layout.yaml";
    pub const PLACES_YAML: &str = "maps/places.yaml";
    pub const KEEPOUT_YAML: &str = "maps/keepout.yaml";
    pub const KEEPOUT_MASK_YAML: &str = "maps/keepout_mask.yaml";
    pub const KEEPOUT_MASK_PGM: &str = "maps/keepout_mask.pgm";

    /// The workspace root, for tests and tools run by cargo (`CARGO_MANIFEST_DIR/../..`).
    pub fn workspace_root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}
