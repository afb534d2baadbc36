//! The errors every web node has in common, defined once: the console's and the screen's error
//! types each wrap this one (`ConsoleError::Common`, `ScreenError::Common`, `#[error(transparent)]`),
//! so a message reads the same whichever node printed it.

use std::fmt::Display;

/// A bad parameter, an unparsable file, a failed file operation or a failed HTTP server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebNodeError {
    /// A parameter has a value the node cannot work with.
    #[error("parameter `{key}` = {value}: {reason}")]
    InvalidParam {
        /// The key, e.g. `session_ttl_s`.
        key: String,
        /// The offending value.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A file or text could not be parsed (or written as YAML/JSON).
    #[error("{path}: {message}")]
    Parse {
        /// Which file or section (or `<text>`).
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

impl WebNodeError {
    /// [`WebNodeError::InvalidParam`].
    pub fn invalid_param(
        key: impl Into<String>,
        value: impl Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidParam {
            key: key.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// [`WebNodeError::Parse`].
    pub fn parse(path: impl Display, message: impl Display) -> Self {
        Self::Parse {
            path: path.to_string(),
            message: message.to_string(),
        }
    }

    /// [`WebNodeError::Io`].
    pub fn io(action: &'static str, path: impl Display, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_string(),
            source,
        }
    }

    /// [`WebNodeError::Serve`].
    pub fn serve(addr: impl Display, source: std::io::Error) -> Self {
        Self::Serve {
            addr: addr.to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn messages_and_sources() {
        let e = WebNodeError::invalid_param("port", 0, "must be positive");
        assert_eq!(e.to_string(), "parameter `port` = 0: must be positive");
        let e = WebNodeError::parse("users.yaml", "line 3: bad");
        assert_eq!(e.to_string(), "users.yaml: line 3: bad");
        let e = WebNodeError::io("read", "a.yaml", std::io::Error::other("gone"));
        assert_eq!(e.to_string(), "read a.yaml: gone");
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("gone"));
        let e = WebNodeError::serve("127.0.0.1:80", std::io::Error::other("in use"));
        assert_eq!(e.to_string(), "http server on 127.0.0.1:80: in use");
        assert!(e.source().is_some());
    }
}
