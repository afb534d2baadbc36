//! `letan-core`: the vocabulary the Letan crates share, written once.
//!
//! - [`Lang`]: the robot's two languages (`vi`, `en`);
//! - [`Pose2D`], [`Twist2D`], [`normalize_angle`]: planar geometry in SI units (REP-103), angles in
//!   radians normalized to (-π, π];
//! - [`LaserScan`]: a laser scan as the pure crates use it (the fields of `sensor_msgs/LaserScan` that matter);
//! - [`params`]: the one `ros__parameters` extractor (ROS 2 parameter files, with `/**` wildcards) and
//!   [`ParamError`] with the range checks every parameter struct uses;
//! - [`find_repo_root`]: the workspace root, found from a start folder.
//!
//! Pure: no clock, no I/O beyond what a caller asks for, no runtime; depends on serde, serde_yaml,
//! nalgebra and thiserror only (`scripts/check_layers.sh` keeps it so).

mod geometry;
mod lang;
pub mod params;
mod root;
mod scan;

pub use geometry::{normalize_angle, Pose2D, Twist2D};
pub use lang::{Lang, UnknownLang};
pub use params::ParamError;
pub use root::find_repo_root;
pub use scan::LaserScan;
