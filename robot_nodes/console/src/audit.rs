//! The audit log: one JSON object per line (`ts`, `ts_ms`, `user`, `role`, `action`, `detail`, `outcome`,
//! `client`), appended and flushed per line.
use crate::clock::rfc3339_utc;
use crate::{ConsoleError, Result};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One audited action.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AuditEntry {
    /// RFC 3339 UTC.
    pub ts: String,
    /// ms since epoch.
    pub ts_ms: u64,
    /// Account name (or the name tried, for failed logins).
    pub user: String,
    /// Role, when known.
    pub role: Option<String>,
    /// `login`, `logout`, `teleop_start`, `teleop_stop`, `estop`, `estop_release`, `goto`, `dock`, `say`, `ack_alert`, …
    pub action: String,
    /// Parameters of the action (place, text, twist …).
    pub detail: serde_json::Value,
    /// `ok`, `denied`, `rate_limited`, `failed`, `unavailable`.
    pub outcome: String,
    /// Client address, when known.
    pub client: Option<String>,
}

/// Appends audit lines to a file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Open (create) `path` for appending.
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| ConsoleError::Io {
                action: "open for append",
                path: path.display().to_string(),
                source,
            })?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Append one entry. A write failure is logged at ERROR (an audit line was lost) and returned.
    pub fn write(&self, mut entry: AuditEntry) -> Result<()> {
        entry.ts = rfc3339_utc(entry.ts_ms);
        let mut line = serde_json::to_string(&entry).map_err(|e| ConsoleError::Parse {
            path: self.path.display().to_string(),
            message: e.to_string(),
        })?;
        line.push('\n');
        let mut f = match self.file.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        f.write_all(line.as_bytes())
            .and_then(|_| f.flush())
            .map_err(|source| {
                tracing::error!(path = %self.path.display(), error = %source, "audit line lost");
                ConsoleError::Io {
                    action: "append to",
                    path: self.path.display().to_string(),
                    source,
                }
            })
    }
}
