//! The crate's one error type.

/// What went wrong while setting up a dialog.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// A parameter file could not be parsed; `key` names the offending key.
    #[error("dialog parameters: key `{key}`: {message}")]
    Params { key: String, message: String },
    /// A parameter has a value out of range.
    #[error("dialog parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        key: &'static str,
        value: String,
        reason: &'static str,
    },
    /// The places file does not name a place the knowledge base describes.
    #[error("place `{id}` is in the knowledge base but has no pose in the places map")]
    MissingPlace { id: String },
}
