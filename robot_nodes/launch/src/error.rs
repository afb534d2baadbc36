//! The one error type of `letan-launch`.
use std::path::PathBuf;
use thiserror::Error;

/// Everything that can go wrong while reading a launch file or supervising its processes.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LaunchError {
    /// The launch file (or an included one) cannot be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    /// The YAML does not have the launch-file shape; `path` names the offending key.
    #[error("{file}: at {path}: {detail}")]
    Parse {
        file: PathBuf,
        path: String,
        detail: String,
    },
    /// A value is well-formed YAML but not acceptable (bad boolean, duplicate node name …).
    #[error("{file}: {detail}")]
    Invalid { file: PathBuf, detail: String },
    /// A `$(…)` substitution could not be resolved.
    #[error("{file}: in {text:?}: {detail}")]
    Substitution {
        file: PathBuf,
        text: String,
        detail: String,
    },
    /// A node of a package that Letan does not provide.
    #[error("{file}: package {pkg:?} is not a Letan package; launch it with ros2 launch (or give an absolute `exec` path, or use an `executable` with `cmd`)")]
    ForeignPackage { file: PathBuf, pkg: String },
    /// `name:=value` given on the command line for an argument no launch file declares.
    #[error("unknown launch argument(s) {names}; the launch files declare: {declared}")]
    UnknownArgs { names: String, declared: String },
    /// A file includes itself, directly or not.
    #[error("{file}: include cycle: {chain}")]
    IncludeCycle { file: PathBuf, chain: String },
    /// A process could not be started.
    #[error("[{label}] cannot start {program}: {source}")]
    Spawn {
        label: String,
        program: PathBuf,
        source: std::io::Error,
    },
    /// A generated parameter file could not be written.
    #[error("cannot write {file}: {source}")]
    Write {
        file: PathBuf,
        source: std::io::Error,
    },
}
