//! The audit log: one JSON object per line (`ts`, `ts_ms`, `user`, `role`, `action`, `detail`, `outcome`,
//! `client`, `prev`), appended and flushed per line.
//!
//! The file is a hash chain: `prev` is the lowercase hex SHA-256 of the previous line's bytes (without
//! its newline), and 64 zeros on the first line. Editing, deleting, inserting or reordering any line
//! but the last breaks the chain at the line after it; [`verify_chain`] (`letan console verify-audit
//! FILE`) reports the first broken line. Not covered by the chain alone: removing lines at the end,
//! or rewriting the whole file (keep a copy of the last line's hash elsewhere for that).
use crate::clock::rfc3339_utc;
use crate::Result;
use letan_web::WebNodeError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// `prev` of the first line.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lowercase hex SHA-256 of one line (without its newline).
pub fn line_hash(line: &[u8]) -> String {
    Sha256::digest(line)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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
    /// The file and the hash of its last line.
    file: Mutex<(File, String)>,
}

#[derive(Serialize)]
struct ChainedLine<'a> {
    #[serde(flatten)]
    entry: &'a AuditEntry,
    prev: &'a str,
}

/// The outcome of [`verify_chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every line links to the one before it.
    Intact {
        /// Number of lines.
        lines: usize,
        /// Hash of the last line (keep it elsewhere to detect removal at the end).
        head: String,
    },
    /// The first line that does not link.
    Broken {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Check the hash chain of an audit log's text.
pub fn verify_chain(text: &str) -> ChainCheck {
    let mut prev = GENESIS_HASH.to_string();
    let mut n = 0;
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return ChainCheck::Intact {
            lines: 0,
            head: prev,
        };
    }
    for (i, line) in body.split('\n').enumerate() {
        let no = i + 1;
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                return ChainCheck::Broken {
                    line: no,
                    reason: format!("not a JSON object: {e}"),
                }
            }
        };
        match v.get("prev").and_then(|p| p.as_str()) {
            Some(p) if p == prev => {}
            Some(_) => {
                return ChainCheck::Broken {
                    line: no,
                    reason: if no == 1 {
                        "first line does not start the chain (lines removed at the start?)".into()
                    } else {
                        format!(
                            "`prev` does not match line {}: that line was edited or removed, or this one inserted",
                            no - 1
                        )
                    },
                }
            }
            None => {
                return ChainCheck::Broken {
                    line: no,
                    reason: "no `prev` hash".into(),
                }
            }
        }
        prev = line_hash(line.as_bytes());
        n = no;
    }
    ChainCheck::Intact {
        lines: n,
        head: prev,
    }
}

/// Read and check an audit log file.
pub fn verify_file(path: &Path) -> Result<ChainCheck> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| WebNodeError::io("read", path.display(), source))?;
    Ok(verify_chain(&text))
}

impl AuditLog {
    /// Open (create) `path` for appending.
    pub fn open(path: &Path) -> Result<Self> {
        // continue the chain from the last line already there
        let prev = match std::fs::read(path) {
            Ok(bytes) => {
                let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
                match body.rsplit(|&b| b == b'\n').next() {
                    Some(last) if !last.is_empty() => line_hash(last),
                    _ => GENESIS_HASH.to_string(),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => GENESIS_HASH.to_string(),
            Err(source) => return Err(WebNodeError::io("read", path.display(), source).into()),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| WebNodeError::io("open for append", path.display(), source))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new((file, prev)),
        })
    }

    /// Append one entry. A write failure is logged at ERROR (an audit line was lost) and returned.
    pub fn write(&self, mut entry: AuditEntry) -> Result<()> {
        entry.ts = rfc3339_utc(entry.ts_ms);
        let mut guard = match self.file.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (f, prev) = &mut *guard;
        let mut line = serde_json::to_string(&ChainedLine {
            entry: &entry,
            prev: prev.as_str(),
        })
        .map_err(|e| WebNodeError::parse(self.path.display(), e))?;
        let hash = line_hash(line.as_bytes());
        line.push('\n');
        f.write_all(line.as_bytes())
            .and_then(|_| f.flush())
            .map(|_| *prev = hash)
            .map_err(|source| {
                tracing::error!(path = %self.path.display(), error = %source, "audit line lost");
                WebNodeError::io("append to", self.path.display(), source).into()
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(i: u64) -> AuditEntry {
        AuditEntry {
            ts: String::new(),
            ts_ms: 1_795_314_865_000 + i,
            user: "lan".into(),
            role: Some("operator".into()),
            action: "say".into(),
            detail: serde_json::json!({ "text": format!("line {i}") }),
            outcome: "ok".into(),
            client: None,
        }
    }

    fn write_log(path: &Path, n: u64) {
        let log = AuditLog::open(path).unwrap();
        for i in 0..n {
            log.write(entry(i)).unwrap();
        }
    }

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn save(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn chain_is_intact_and_continues_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        assert!(verify_file(&path).is_err(), "a missing file is an error");
        write_log(&path, 3);
        write_log(&path, 2); // a restart appends and links to the last line
        let l = lines(&path);
        assert_eq!(l.len(), 5);
        let first: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
        assert_eq!(first["prev"], GENESIS_HASH);
        let fourth: serde_json::Value = serde_json::from_str(&l[3]).unwrap();
        assert_eq!(fourth["prev"], line_hash(l[2].as_bytes()));
        assert_eq!(
            verify_file(&path).unwrap(),
            ChainCheck::Intact {
                lines: 5,
                head: line_hash(l[4].as_bytes())
            }
        );
        assert!(matches!(
            verify_chain(""),
            ChainCheck::Intact { lines: 0, .. }
        ));
    }

    #[test]
    fn an_edited_line_is_detected_at_the_next_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        write_log(&path, 6);
        let mut l = lines(&path);
        l[2] = l[2].replace("line 2", "line X");
        save(&path, &l);
        match verify_file(&path).unwrap() {
            ChainCheck::Broken { line, reason } => {
                assert_eq!(line, 4, "{reason}");
                assert!(reason.contains("line 3"), "{reason}");
            }
            other => panic!("edit not detected: {other:?}"),
        }
    }

    #[test]
    fn deleted_inserted_reordered_and_garbage_lines_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        write_log(&path, 6);
        let orig = lines(&path);
        let broken_at = |l: Vec<String>| {
            save(&path, &l);
            match verify_file(&path).unwrap() {
                ChainCheck::Broken { line, .. } => line,
                other => panic!("not detected: {other:?}"),
            }
        };
        let mut l = orig.clone();
        l.remove(3);
        assert_eq!(broken_at(l), 4, "deleted line 4");
        let mut l = orig.clone();
        l.remove(0);
        assert_eq!(broken_at(l), 1, "deleted first line");
        let mut l = orig.clone();
        l.insert(2, orig[1].clone());
        assert_eq!(broken_at(l), 3, "line 2 repeated as line 3");
        let mut l = orig.clone();
        l.swap(1, 2);
        assert_eq!(broken_at(l), 2, "swapped lines 2 and 3");
        let mut l = orig.clone();
        l[4] = "not json".into();
        assert_eq!(broken_at(l), 5);
        // the untouched file is still fine
        save(&path, &orig);
        assert!(matches!(
            verify_file(&path).unwrap(),
            ChainCheck::Intact { lines: 6, .. }
        ));
    }
}
