//! The one error type of this crate.
use thiserror::Error;

/// Everything that can go wrong in the fleet: bad payloads, refused commands, bad knowledge bases,
/// storage and the network.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FleetError {
    /// A payload longer than its cap (checked before any parsing).
    #[error("{what}: payload of {len} bytes is over the {max}-byte cap")]
    TooLarge {
        what: &'static str,
        len: usize,
        max: usize,
    },
    /// A payload that is not what the protocol says.
    #[error("{what}: malformed payload: {detail}")]
    Malformed { what: &'static str, detail: String },
    /// A protocol version this build does not speak.
    #[error("{what}: protocol version {got}, this build speaks {want}")]
    Version {
        what: &'static str,
        got: u32,
        want: u32,
    },
    /// The MAC does not verify with the site key (wrong key, or tampered).
    #[error("{what}: signature does not verify with the key of site {site:?} (wrong site key?)")]
    BadSignature { what: &'static str, site: String },
    /// Not allowed.
    #[error("refused: {0}")]
    Refused(String),
    /// A knowledge-base archive or directory that cannot be used.
    #[error("knowledge base: {0}")]
    KbArchive(String),
    /// A knowledge base with errors, each `file:line: message`.
    #[error("knowledge base has {} error(s): {}", .0.len(), .0.join("; "))]
    KbInvalid(Vec<String>),
    /// A bad parameter, naming the key.
    #[error("parameter {key}: {detail}")]
    Param { key: String, detail: String },
    /// The database.
    #[error("database {path}: {detail}")]
    Db { path: String, detail: String },
    /// Asked for something the robot does not have (a map or camera image it has not received).
    #[error("{0}")]
    Absent(String),
    /// Zenoh.
    #[error("zenoh: {0}")]
    Zenoh(String),
    /// A file or a socket: the error every web node has (`letan_web::WebNodeError::Io`).
    #[error(transparent)]
    Common(#[from] letan_web::WebNodeError),
    /// The console's account/session/audit code.
    #[error(transparent)]
    Console(#[from] letan_console::ConsoleError),
}

impl FleetError {
    /// [`letan_web::WebNodeError::io`]: `action` on `path` failed.
    pub(crate) fn io(
        action: &'static str,
        path: impl std::fmt::Display,
        source: std::io::Error,
    ) -> Self {
        letan_web::WebNodeError::io(action, path, source).into()
    }

    #[cfg(feature = "network")]
    pub(crate) fn zenoh(e: impl std::fmt::Display) -> Self {
        FleetError::Zenoh(e.to_string())
    }
}
