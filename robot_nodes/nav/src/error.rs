/// Everything the navigation core can refuse or fail with.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum NavError {
    /// A parameter is out of range; `key` is its dotted path in the YAML.
    #[error("parameter `{key}`: {reason}")]
    InvalidParam { key: String, reason: String },
    /// The parameter file did not parse.
    #[error("parameters {path}: {reason}")]
    ParamFile { path: String, reason: String },
    /// The map could not be used.
    #[error("map: {0}")]
    Map(String),
    /// The start pose lies outside the map or in an obstacle.
    #[error("start ({x:.2}, {y:.2}) is {why}")]
    StartBlocked { x: f64, y: f64, why: &'static str },
    /// The goal pose lies outside the map, in an obstacle or keep-out, with no free pose nearby.
    #[error("goal ({x:.2}, {y:.2}) is {why}")]
    GoalBlocked { x: f64, y: f64, why: &'static str },
    /// No path exists between start and goal on the current costmap.
    #[error(
        "no path from ({sx:.2}, {sy:.2}) to ({gx:.2}, {gy:.2}) after expanding {expanded} cells"
    )]
    NoPath {
        sx: f64,
        sy: f64,
        gx: f64,
        gy: f64,
        expanded: usize,
    },
    /// Input data was unusable (NaN pose, empty scan …).
    #[error("bad input `{what}`: {reason}")]
    BadInput { what: &'static str, reason: String },
    /// An unknown place id was asked for.
    #[error("unknown place `{0}`")]
    UnknownPlace(String),
}

pub type Result<T> = std::result::Result<T, NavError>;
