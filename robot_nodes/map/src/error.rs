use std::path::PathBuf;

/// Everything that can go wrong loading or building a map, its places or its keep-out zones.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A YAML file did not parse or had unknown/missing keys.
    #[error("{path}: YAML: {source}")]
    Yaml {
        path: PathBuf,
        #[source]
        source: serde_yaml::Error,
    },
    /// A key parsed but its value is not acceptable.
    #[error("{path}: key `{key}`: {reason}")]
    InvalidValue {
        path: PathBuf,
        key: String,
        reason: String,
    },
    /// The image is not a PGM this crate can read (P5 or P2, maxval <= 255).
    #[error("{path}: PGM: {reason}")]
    Pgm { path: PathBuf, reason: String },
    /// A place id was asked for that the places file does not define.
    #[error("unknown place `{id}`")]
    UnknownPlace { id: String },
    /// The places file lacks ids that the spec requires.
    #[error("{path}: missing places: {ids:?}")]
    MissingPlaces { path: PathBuf, ids: Vec<String> },
    /// A grid was built with inconsistent dimensions.
    #[error("grid: {reason}")]
    BadGrid { reason: String },
}

pub type Result<T> = std::result::Result<T, MapError>;
