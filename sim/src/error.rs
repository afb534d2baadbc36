//! The one error type of the simulator crate.

use std::path::PathBuf;

/// Everything that can go wrong while building a simulated world or reading its files.
/// Stepping a built world never fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A configuration value is out of its valid range.
    #[error("invalid config `{key}`: {reason}")]
    InvalidConfig { key: String, reason: String },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The shared asset folder (`../shared` next to the repository) is missing.
    #[error("shared asset folder not found at {path}: the simulator needs ../shared/vision/images next to the repository root")]
    SharedMissing { path: PathBuf },
    /// An image could not be decoded.
    #[error("cannot decode image {path}: {reason}")]
    Image { path: PathBuf, reason: String },
    /// A line of faces.txt is malformed.
    #[error("{path}:{line}: {reason}")]
    FaceList {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// A scenario file is malformed.
    #[error("scenario {path}: {reason}")]
    Scenario { path: String, reason: String },
    /// A scenario names a place the map does not have.
    #[error("unknown place `{place}` (referenced by {context})")]
    UnknownPlace { place: String, context: String },
}
