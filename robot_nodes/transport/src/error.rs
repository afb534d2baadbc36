use thiserror::Error;

/// Everything that can go wrong in the transport.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TransportError {
    #[error("invalid ROS name {name:?}: {reason}")]
    InvalidName { name: String, reason: String },
    #[error("topic {topic} already carries type {existing}, not {requested}")]
    TypeMismatch {
        topic: String,
        existing: String,
        requested: String,
    },
    #[error("DDS error while {action}: {detail}")]
    Dds { action: String, detail: String },
    #[error("publishing on {topic} failed: {detail}")]
    Publish { topic: String, detail: String },
    #[error("service {service} did not answer within {timeout_ms} ms")]
    ServiceTimeout { service: String, timeout_ms: u64 },
    #[error("service {service} failed: {detail}")]
    Service { service: String, detail: String },
    #[error("action {action}: {detail}")]
    Action { action: String, detail: String },
    #[error("action {action}: no answer to {request} within {timeout_ms} ms")]
    ActionTimeout {
        action: String,
        request: String,
        timeout_ms: u64,
    },
    #[error("parameter file {file}: {detail}")]
    Params { file: String, detail: String },
    #[error("environment variable {var}={value:?} is invalid: {reason}")]
    Env {
        var: String,
        value: String,
        reason: String,
    },
    #[error("the node has shut down")]
    Closed,
}

impl TransportError {
    pub(crate) fn dds(action: impl Into<String>, detail: impl std::fmt::Debug) -> Self {
        TransportError::Dds {
            action: action.into(),
            detail: format!("{detail:?}"),
        }
    }
}
