//! The one error type of letan-screen.

/// What went wrong in the screen library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScreenError {
    /// A parameter has a value the screen cannot work with.
    #[error("parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        /// The key, e.g. `typed_rate_per_s`.
        key: String,
        /// The offending value.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The parameters file could not be parsed (unknown key, wrong type, bad YAML).
    #[error("{path}: {message}")]
    Parse {
        /// Which file or section.
        path: String,
        /// Parser message (names the key and line when known).
        message: String,
    },
    /// Reading a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`read`).
        action: &'static str,
        /// Which file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A QR code could not be made for this URL (not http(s), too long, control characters).
    #[error("cannot make a QR code for {url:?}: {reason}")]
    Qr {
        /// The URL (cut to 80 characters).
        url: String,
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
