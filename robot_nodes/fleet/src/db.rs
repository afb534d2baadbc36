//! The hub's storage: one SQLite file (rusqlite, SQLite compiled in), schema migrations by
//! `PRAGMA user_version`, backup and restore.
//!
//! Tables: accounts and per-site grants; knowledge-base versions (the checked files); pushes (which
//! robot went from which version to which, for roll-back); questions (per site and day: intent and
//! outcome, and the redacted text of unanswered ones, kept `retention_days`); the audit of every
//! command (who, when, which robot, the result).
use crate::authz::{Grant, Grants, Role};
use crate::kbpkg::KbVersion;
use crate::lock;
use crate::proto::Outcome;
use crate::{FleetError, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Migrations, in order; `user_version` is how many ran.
const MIGRATIONS: &[&str] = &[
    // 1
    "CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_ms INTEGER NOT NULL);
     CREATE TABLE grants (user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE, site TEXT NOT NULL,
                          role TEXT NOT NULL, PRIMARY KEY (user, site));
     CREATE TABLE kb_versions (version TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, uploaded_by TEXT NOT NULL,
                               files_json TEXT NOT NULL);
     CREATE TABLE pushes (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, robot TEXT NOT NULL, site TEXT NOT NULL,
                          from_version TEXT NOT NULL, to_version TEXT NOT NULL, ok INTEGER NOT NULL, message TEXT NOT NULL);
     CREATE TABLE questions (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, day TEXT NOT NULL, site TEXT NOT NULL,
                             robot TEXT NOT NULL, intent TEXT NOT NULL, outcome TEXT NOT NULL, text TEXT);
     CREATE INDEX questions_site_day ON questions (site, day);
     CREATE TABLE audit (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, user TEXT NOT NULL, role TEXT,
                         action TEXT NOT NULL, site TEXT, robot TEXT, detail TEXT NOT NULL, outcome TEXT NOT NULL);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// One audit row.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AuditRow {
    pub ts_ms: u64,
    pub user: String,
    pub role: Option<String>,
    pub action: String,
    pub site: Option<String>,
    pub robot: Option<String>,
    pub detail: String,
    pub outcome: String,
}

/// "What citizens asked" for one site and day.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Asked {
    pub site: String,
    pub day: String,
    pub served: u64,
    pub answered: u64,
    pub handed_to_staff: u64,
    pub unanswered: u64,
    /// (intent, count), most asked first.
    pub intents: Vec<(String, u64)>,
    /// Redacted texts of the questions the robot could not answer (also those it then handed to
    /// staff: robots send a text only for a question they did not understand).
    pub unanswered_questions: Vec<String>,
    /// The robot asked about, when the question was about one.
    pub robot: Option<String>,
    /// The latest questions, newest first (at most [`RECENT_QUESTIONS`]).
    pub recent: Vec<Question>,
}

/// How many of the latest questions [`Db::asked`] lists.
pub const RECENT_QUESTIONS: usize = 50;

/// One question as stored: its text only when the robot did not understand it (redacted), and only
/// within the retention period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Question {
    pub ts_ms: u64,
    pub robot: String,
    pub intent: String,
    pub outcome: String,
    pub text: Option<String>,
}

/// The database.
pub struct Db {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Db {
    fn err(&self, e: impl std::fmt::Display) -> FleetError {
        FleetError::Db {
            path: self.path.display().to_string(),
            detail: e.to_string(),
        }
    }

    /// Open (create) the file, check it and run the migrations it lacks. A locked file waits 2 s
    /// and then fails; a corrupt one fails with SQLite's words.
    pub fn open(path: &Path) -> Result<Db> {
        let e = |d: String| FleetError::Db {
            path: path.display().to_string(),
            detail: d,
        };
        let conn = Connection::open(path).map_err(|x| e(x.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|x| e(x.to_string()))?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|x| e(format!("{x} (corrupt, or not a database?)")))?;
        if check != "ok" {
            return Err(e(format!("integrity check failed: {check}")));
        }
        conn.execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|x| e(x.to_string()))?;
        let db = Db {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> Result<()> {
        let mut c = lock(&self.conn);
        let have: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if have > SCHEMA_VERSION {
            return Err(self.err(format!(
                "schema version {have} is newer than this build's {SCHEMA_VERSION}"
            )));
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(have as usize) {
            let tx = c.transaction().map_err(|e| self.err(e))?;
            tx.execute_batch(m)
                .map_err(|e| self.err(format!("migration {}: {e}", i + 1)))?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
            tracing::info!(version = i + 1, "fleet database migrated");
        }
        Ok(())
    }

    /// Create or replace an account (the hash from `letan_console::config::hash_password`).
    pub fn upsert_user(&self, name: &str, password_hash: &str, now_ms: u64) -> Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO users (name, password_hash, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash",
                params![name, password_hash, now_ms as i64],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Give `user` `role` on `site` (`*`: every site), replacing the role it had there.
    pub fn grant(&self, user: &str, site: &str, role: Role) -> Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO grants (user, site, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user, site) DO UPDATE SET role = excluded.role",
                params![user, site, role.as_str()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The password hash of `name`, if it exists.
    pub fn password_hash(&self, name: &str) -> Result<Option<String>> {
        lock(&self.conn)
            .query_row(
                "SELECT password_hash FROM users WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every grant of `user`.
    pub fn grants(&self, user: &str) -> Result<Grants> {
        let c = lock(&self.conn);
        let mut st = c
            .prepare("SELECT site, role FROM grants WHERE user = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([user], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut g = Vec::new();
        for row in rows {
            let (site, role) = row.map_err(|e| self.err(e))?;
            if let Some(role) = Role::parse(&role) {
                g.push(Grant { site, role });
            }
        }
        Ok(Grants(g))
    }

    /// Keep a checked knowledge base.
    pub fn add_kb(&self, kb: &KbVersion, by: &str, now_ms: u64) -> Result<()> {
        let files = serde_json::to_string(&kb.files).map_err(|e| self.err(e))?;
        lock(&self.conn)
            .execute(
                "INSERT OR IGNORE INTO kb_versions (version, created_ms, uploaded_by, files_json) VALUES (?1, ?2, ?3, ?4)",
                params![kb.version, now_ms as i64, by, files],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A kept knowledge base.
    pub fn kb(&self, version: &str) -> Result<Option<KbVersion>> {
        let files: Option<String> = lock(&self.conn)
            .query_row(
                "SELECT files_json FROM kb_versions WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match files {
            None => Ok(None),
            Some(f) => Ok(Some(KbVersion {
                version: version.to_string(),
                files: serde_json::from_str(&f).map_err(|e| self.err(e))?,
            })),
        }
    }

    /// Every kept version: (version, created_ms, uploaded_by), newest first.
    pub fn kb_list(&self) -> Result<Vec<(String, u64, String)>> {
        let c = lock(&self.conn);
        let mut st = c
            .prepare("SELECT version, created_ms, uploaded_by FROM kb_versions ORDER BY created_ms DESC, version")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Record a push and its result.
    #[allow(clippy::too_many_arguments)]
    pub fn add_push(
        &self,
        now_ms: u64,
        site: &str,
        robot: &str,
        from: &str,
        to: &str,
        ok: bool,
        message: &str,
    ) -> Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO pushes (ts_ms, robot, site, from_version, to_version, ok, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![now_ms as i64, robot, site, from, to, ok, message],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The version `robot` ran before its last successful switch to `current` (what roll-back goes to).
    pub fn previous_version(&self, robot: &str, current: &str) -> Result<Option<String>> {
        lock(&self.conn)
            .query_row(
                "SELECT from_version FROM pushes WHERE robot = ?1 AND to_version = ?2 AND ok = 1
                 AND from_version != to_version AND from_version != '' ORDER BY id DESC LIMIT 1",
                params![robot, current],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Count a question (the text only for unanswered ones, already redacted).
    #[allow(clippy::too_many_arguments)]
    pub fn add_question(
        &self,
        ts_ms: u64,
        day: &str,
        site: &str,
        robot: &str,
        intent: &str,
        outcome: Outcome,
        text: Option<&str>,
    ) -> Result<()> {
        let text = if outcome == Outcome::Unanswered {
            text
        } else {
            None
        };
        lock(&self.conn)
            .execute(
                "INSERT INTO questions (ts_ms, day, site, robot, intent, outcome, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![ts_ms as i64, day, site, robot, intent, outcome.as_str(), text],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// What was asked on `site` on `day`; with `robot`, only that robot's questions.
    pub fn asked(&self, site: &str, day: &str, robot: Option<&str>) -> Result<Asked> {
        let c = lock(&self.conn);
        let mut a = Asked {
            site: site.into(),
            day: day.into(),
            robot: robot.map(str::to_string),
            ..Asked::default()
        };
        // `?3 IS NULL`: every robot of the site
        const WHERE: &str = "site = ?1 AND day = ?2 AND (?3 IS NULL OR robot = ?3)";
        let params = rusqlite::params![site, day, robot];
        let mut st = c
            .prepare(&format!(
                "SELECT outcome, COUNT(*) FROM questions WHERE {WHERE} GROUP BY outcome"
            ))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params, |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (o, n) = row.map_err(|e| self.err(e))?;
            a.served += n;
            match o.as_str() {
                "answered" => a.answered = n,
                "handed_to_staff" => a.handed_to_staff = n,
                _ => a.unanswered += n,
            }
        }
        let mut st = c
            .prepare(&format!("SELECT intent, COUNT(*) AS n FROM questions WHERE {WHERE} GROUP BY intent ORDER BY n DESC, intent"))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params, |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.err(e))?;
        a.intents = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut st = c
            .prepare(&format!("SELECT text FROM questions WHERE {WHERE} AND outcome != 'answered' AND text IS NOT NULL ORDER BY ts_ms"))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params, |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        a.unanswered_questions = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut st = c
            .prepare(&format!("SELECT ts_ms, robot, intent, outcome, text FROM questions WHERE {WHERE} ORDER BY ts_ms DESC, id DESC LIMIT {RECENT_QUESTIONS}"))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params, |r| {
                Ok(Question {
                    ts_ms: r.get::<_, i64>(0)? as u64,
                    robot: r.get(1)?,
                    intent: r.get(2)?,
                    outcome: r.get(3)?,
                    text: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        a.recent = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        Ok(a)
    }

    /// Forget question texts older than `retention_days` (the counts stay), per
    /// robot_nodes/vision/PRIVACY.md. Returns how many texts were removed.
    pub fn purge(&self, now_ms: u64, retention_days: u64) -> Result<usize> {
        let cutoff = now_ms.saturating_sub(retention_days.saturating_mul(86_400_000)) as i64;
        lock(&self.conn)
            .execute(
                "UPDATE questions SET text = NULL WHERE text IS NOT NULL AND ts_ms < ?1",
                [cutoff],
            )
            .map_err(|e| self.err(e))
    }

    /// Append an audit row.
    pub fn audit(&self, row: &AuditRow) -> Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO audit (ts_ms, user, role, action, site, robot, detail, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![row.ts_ms as i64, row.user, row.role, row.action, row.site, row.robot, row.detail, row.outcome],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The last `limit` audit rows, newest first.
    pub fn audit_rows(&self, limit: usize) -> Result<Vec<AuditRow>> {
        let c = lock(&self.conn);
        let mut st = c
            .prepare("SELECT ts_ms, user, role, action, site, robot, detail, outcome FROM audit ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(AuditRow {
                    ts_ms: r.get::<_, i64>(0)? as u64,
                    user: r.get(1)?,
                    role: r.get(2)?,
                    action: r.get(3)?,
                    site: r.get(4)?,
                    robot: r.get(5)?,
                    detail: r.get(6)?,
                    outcome: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// A consistent copy of the whole database into `to` (which must not exist), while it runs.
    pub fn backup(&self, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(self.err(format!("backup target {} exists", to.display())));
        }
        let to_s = to
            .to_str()
            .ok_or_else(|| self.err("backup path is not UTF-8"))?;
        lock(&self.conn)
            .execute("VACUUM INTO ?1", [to_s])
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// Replace the database at `db` with the backup `from`, after checking the backup (integrity and
/// schema version). The hub must not be running. The old file is kept as `<db>.before-restore`.
pub fn restore(from: &Path, db: &Path) -> Result<()> {
    Db::open_readonly_checked(from)?;
    let tmp = db.with_extension("restoring");
    let _ = std::fs::remove_file(&tmp);
    std::fs::copy(from, &tmp).map_err(|source| FleetError::io("copy", from.display(), source))?;
    if db.exists() {
        let keep = db.with_extension("before-restore");
        std::fs::rename(db, &keep)
            .map_err(|source| FleetError::io("rename", db.display(), source))?;
    }
    std::fs::rename(&tmp, db).map_err(|source| FleetError::io("rename", tmp.display(), source))?;
    Db::open(db).map(|_| ())
}

impl Db {
    fn open_readonly_checked(path: &Path) -> Result<()> {
        let e = |d: String| FleetError::Db {
            path: path.display().to_string(),
            detail: d,
        };
        if !path.exists() {
            return Err(e("no such file".into()));
        }
        let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|x| e(x.to_string()))?;
        let check: String = c
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|x| e(format!("{x} (corrupt, or not a database?)")))?;
        if check != "ok" {
            return Err(e(format!("integrity check failed: {check}")));
        }
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|x| e(x.to_string()))?;
        if v == 0 || v > SCHEMA_VERSION {
            return Err(e(format!(
                "schema version {v}: not a fleet database this build can use (1..={SCHEMA_VERSION})"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn migrations_grants_questions_retention_backup_restore() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("fleet.db");
        let db = Db::open(&p).unwrap();
        db.upsert_user("lan", "h", 0).unwrap();
        db.grant("lan", "a", Role::Operator).unwrap();
        db.grant("lan", "*", Role::Viewer).unwrap();
        let g = db.grants("lan").unwrap();
        assert!(g.may("a", crate::authz::Action::Command));
        assert!(!g.may("b", crate::authz::Action::Command));
        assert!(g.sees("b"));
        let day = "2026-12-05";
        db.add_question(1000, day, "a", "r1", "birth", Outcome::Answered, Some("x"))
            .unwrap();
        db.add_question(1000, day, "a", "r1", "birth", Outcome::HandedToStaff, None)
            .unwrap();
        db.add_question(
            1000,
            day,
            "a",
            "r1",
            "unknown",
            Outcome::Unanswered,
            Some("đổi ngoại tệ"),
        )
        .unwrap();
        db.add_question(1000, day, "b", "r2", "x", Outcome::Answered, None)
            .unwrap();
        db.add_question(2000, day, "a", "r3", "wifi", Outcome::Answered, None)
            .unwrap();
        // one robot of the site: its questions only, newest first
        let r3 = db.asked("a", day, Some("r3")).unwrap();
        assert_eq!((r3.served, r3.robot.as_deref()), (1, Some("r3")));
        assert_eq!(r3.recent.len(), 1);
        assert_eq!(
            (r3.recent[0].ts_ms, r3.recent[0].intent.as_str()),
            (2000, "wifi")
        );
        let all = db.asked("a", day, None).unwrap();
        assert_eq!(all.served, 4);
        assert_eq!(all.recent[0].robot, "r3", "newest first");
        assert_eq!(
            all.recent.iter().filter(|q| q.text.is_some()).count(),
            1,
            "only the not-understood text is kept (answered texts are never stored)"
        );
        assert!(
            db.asked("a", day, Some("r2")).unwrap().recent.is_empty(),
            "r2 is of site b"
        );
        let a = db.asked("a", day, Some("r1")).unwrap();
        assert_eq!(
            (a.served, a.answered, a.handed_to_staff, a.unanswered),
            (3, 1, 1, 1)
        );
        assert_eq!(a.intents[0], ("birth".to_string(), 2));
        assert_eq!(a.unanswered_questions, vec!["đổi ngoại tệ".to_string()]);
        // answered texts are never stored
        assert_eq!(db.purge(1000 + 86_400_000 * 31, 30).unwrap(), 1);
        assert!(db
            .asked("a", day, None)
            .unwrap()
            .unanswered_questions
            .is_empty());
        assert_eq!(
            db.asked("a", day, Some("r1")).unwrap().served,
            3,
            "counts stay"
        );
        db.audit(&AuditRow {
            ts_ms: 5,
            user: "lan".into(),
            role: Some("operator".into()),
            action: "estop".into(),
            site: Some("a".into()),
            robot: Some("r1".into()),
            detail: "{}".into(),
            outcome: "ok".into(),
        })
        .unwrap();
        let bak = d.path().join("bak.db");
        db.backup(&bak).unwrap();
        assert!(db.backup(&bak).is_err(), "no overwrite");
        db.grant("lan", "c", Role::Admin).unwrap();
        drop(db);
        restore(&bak, &p).unwrap();
        let db = Db::open(&p).unwrap();
        assert!(
            !db.grants("lan")
                .unwrap()
                .may("c", crate::authz::Action::Admin),
            "restored to the backup"
        );
        assert_eq!(db.audit_rows(10).unwrap().len(), 1);
        drop(db);
        // a reopen does not re-run migrations
        Db::open(&p).unwrap();
    }

    #[test]
    fn corrupt_and_foreign_files_are_refused_clearly() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("junk.db");
        std::fs::write(&p, vec![7u8; 8192]).unwrap();
        let e = Db::open(&p).err().unwrap();
        assert!(e.to_string().contains("junk.db"), "{e}");
        let empty = d.path().join("empty.db");
        Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE t(x)")
            .unwrap();
        let e = restore(&empty, &d.path().join("x.db")).unwrap_err();
        assert!(e.to_string().contains("schema version 0"), "{e}");
        assert!(restore(&p, &d.path().join("x.db")).is_err());
    }

    #[test]
    fn a_locked_database_fails_after_the_busy_timeout() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("fleet.db");
        let db = Db::open(&p).unwrap();
        let other = Connection::open(&p).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let e = db.grant("x", "a", Role::Viewer).unwrap_err();
        assert!(e.to_string().contains("locked"), "{e}");
        other.execute_batch("ROLLBACK").unwrap();
        db.upsert_user("x", "h", 0).unwrap();
        db.grant("x", "a", Role::Viewer).unwrap();
    }
}
