use std::path::PathBuf;

/// Everything that can go wrong in `letan-greeting`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GreetingError {
    /// A parameter is out of range or inconsistent with another one.
    #[error("invalid parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        key: String,
        value: String,
        reason: String,
    },
    /// The YAML text could not be parsed into the parameter struct.
    #[error("cannot parse greeting parameters{}: {source}", path.as_ref().map(|p| format!(" from {}", p.display())).unwrap_or_default())]
    Yaml {
        path: Option<PathBuf>,
        #[source]
        source: serde_yaml::Error,
    },
    /// The YAML file has no `<node>: {ros__parameters: ...}` section for the node.
    #[error("no `{node}: ros__parameters` section{}", path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    MissingNode { node: String, path: Option<PathBuf> },
    /// The parameter file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<letan_core::ParamError> for GreetingError {
    fn from(e: letan_core::ParamError) -> Self {
        GreetingError::InvalidParam {
            key: e.key,
            value: e.value,
            reason: e.reason,
        }
    }
}
