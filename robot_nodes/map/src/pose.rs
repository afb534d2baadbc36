//! Planar poses and angles are `letan-core`'s (one `Pose2D` and one `normalize_angle` for every crate).
pub use letan_core::{normalize_angle, Pose2D};
