use std::path::PathBuf;

fn fmt_paths(p: &[PathBuf]) -> String {
    if p.is_empty() {
        return "(no folders: set LETAN_MODELS)".to_string();
    }
    p.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything that can go wrong in `letan-vision`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// A model file is in none of the searched folders.
    #[error("face model `{name}` ({file}) not found; searched: {searched}. Install it with `letan models fetch {name}`, or set LETAN_MODELS to a folder that holds {file}", searched = fmt_paths(.searched))]
    ModelMissing {
        name: String,
        file: String,
        searched: Vec<PathBuf>,
    },
    /// A model file exists but OpenCV could not load it.
    #[error("cannot load face model {path}: {reason}")]
    ModelLoad { path: PathBuf, reason: String },
    /// Image dimensions and data disagree, or the image is unusable.
    #[error("bad image: {reason}")]
    BadImage { reason: String },
    /// An image file could not be read or decoded.
    #[error("cannot read image {path}: {reason}")]
    ImageRead { path: PathBuf, reason: String },
    /// An image file could not be written.
    #[error("cannot write image {path}: {reason}")]
    ImageWrite { path: PathBuf, reason: String },
    /// An OpenCV call failed.
    #[error("OpenCV {op} failed: {reason}")]
    OpenCv { op: &'static str, reason: String },
    /// A parameter is out of range.
    #[error("invalid parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        key: String,
        value: String,
        reason: String,
    },
    /// Parameter YAML could not be parsed.
    #[error("cannot parse face detector parameters{}: {source}", path.as_ref().map(|p| format!(" from {}", p.display())).unwrap_or_default())]
    Yaml {
        path: Option<PathBuf>,
        #[source]
        source: serde_yaml::Error,
    },
    /// The parameter file has no section for the node.
    #[error("no `{node}: ros__parameters` section{}", path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    MissingNode { node: String, path: Option<PathBuf> },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A camera device could not be opened or read.
    #[error("camera {device}: {reason}")]
    Camera { device: String, reason: String },
    /// The detector thread is gone (it panicked), or a frame was sent while one was in flight.
    #[error("detector thread: {reason}")]
    DetectorThread { reason: String },
    /// A ground-truth line is malformed.
    #[error("ground truth line {line}: {reason}")]
    GroundTruth { line: usize, reason: String },
}
