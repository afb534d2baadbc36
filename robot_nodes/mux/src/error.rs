//! The one error type of letan-mux.

/// What went wrong in the mux or its parameters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MuxError {
    /// A parameter has a value the mux cannot work with.
    #[error("parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        /// Dotted key under `ros__parameters`, e.g. `limits.max_linear_mps`.
        key: String,
        /// The offending value, as text.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The parameter file could not be parsed (unknown key, wrong type, bad YAML).
    #[error("parameter file for node `{node}`: {message}")]
    ParamFile {
        /// Node name looked up at the top level of the file.
        node: String,
        /// Parser message (names the offending key and line when known).
        message: String,
    },
    /// A command carried NaN or infinity; it was dropped and did not refresh the input.
    #[error("input {input}: field `{field}` is not finite ({value})")]
    NonFinite {
        /// Which input sent it.
        input: String,
        /// `linear_x` or `angular_z`.
        field: &'static str,
        /// The value received.
        value: f64,
    },
    /// The e-stop could not be released.
    #[error("e-stop release refused: {reason}")]
    ReleaseRefused {
        /// Why (heartbeat stale, still pressed).
        reason: String,
    },
}
