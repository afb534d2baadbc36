//! The one error type of letan-screen.

/// What went wrong in the screen library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScreenError {
    /// What every web node shares: a bad parameter, an unparsable file, a failed file operation,
    /// a failed HTTP server (`letan_web::WebNodeError`; the messages are its own).
    #[error(transparent)]
    Common(#[from] letan_web::WebNodeError),
    /// A QR code could not be made for this URL (not http(s), too long, control characters).
    #[error("cannot make a QR code for {url:?}: {reason}")]
    Qr {
        /// The URL (cut to 80 characters).
        url: String,
        /// Why.
        reason: String,
    },
}
