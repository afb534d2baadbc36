//! The one error type of letan-console.

/// What went wrong in the console library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// What every web node shares: a bad parameter, an unparsable file, a failed file operation,
    /// a failed HTTP server (`letan_web::WebNodeError`; the messages are its own).
    #[error(transparent)]
    Common(#[from] letan_web::WebNodeError),
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
}
