//! The one error type of letan-console.

/// What went wrong in the console library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// A parameter has a value the console cannot work with.
    #[error("parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        /// Dotted key, e.g. `session_ttl_s`.
        key: String,
        /// The offending value.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A YAML file (parameters or users) could not be parsed.
    #[error("{path}: {message}")]
    Parse {
        /// File (or `<text>`).
        path: String,
        /// Parser message (names the key and line when known).
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`, `append to`).
        action: &'static str,
        /// Which file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A user entry is not acceptable (bad name, short password, duplicate).
    #[error("user `{name}`: {reason}")]
    InvalidUser {
        /// The user name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Argon2 hashing failed.
    #[error("password hashing: {0}")]
    Hash(String),
    /// A camera frame was refused (not a JPEG, too large).
    #[error("camera frame refused: {reason}")]
    BadFrame {
        /// Why.
        reason: String,
    },
    /// Binding or serving HTTP failed.
    #[error("http server on {addr}: {source}")]
    Serve {
        /// The address.
        addr: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}
