//! Typed parameters (`console: {ros__parameters: {...}}`) and the users file.
use crate::{ConsoleError, Result};
use letan_core::params::{in_range, node_parameters, positive, ParamError};
use letan_web::WebNodeError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::Path;

/// Parameters of the console node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleParams {
    /// Address to bind. 127.0.0.1 by default: reach it over an SSH tunnel or a reverse proxy with TLS.
    pub bind: String,
    /// TCP port (0 = any free port).
    pub port: u16,
    /// Users file (YAML, argon2 hashes); relative paths are relative to the working directory.
    pub users_file: String,
    /// Audit log, one JSON object per line, appended.
    pub audit_log: String,
    /// A session ends this long after login (s).
    pub session_ttl_s: u64,
    /// A session ends after this long without a request (s).
    pub session_idle_s: u64,
    /// Failed logins allowed per client address and per user name within `login_window_s`.
    pub login_max_failures: u32,
    /// Window of the login rate limit (s).
    pub login_window_s: u64,
    /// Teleop from the console is clamped to this forward/backward speed (m/s).
    pub teleop_max_linear_mps: f64,
    /// Teleop from the console is clamped to this turn rate (rad/s).
    pub teleop_max_angular_rps: f64,
    /// Longest "say this" text (characters).
    pub say_max_chars: usize,
    /// Live-state push rate to each browser (Hz).
    pub push_rate_hz: f64,
    /// Open live streams (`/api/events`) allowed per session; more get 429.
    pub max_streams_per_session: usize,
    /// Open live streams allowed in all; more get 429.
    pub max_streams_total: usize,
    /// TLS certificate chain (PEM). With `tls_key`, the console serves HTTPS (rustls, TLS 1.2/1.3).
    pub tls_cert: String,
    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key: String,
    /// Allow plain HTTP on a non-loopback `bind` (otherwise refused without `tls_cert`/`tls_key`).
    /// Only behind a TLS-terminating reverse proxy on a trusted network.
    pub insecure: bool,
    /// Mark the session cookie `Secure` (set true behind a TLS reverse proxy; plain-HTTP loopback needs false).
    pub secure_cookie: bool,
    /// Also serve the robot state to Foxglove / Lichtblick (read-only WebSocket, same `bind` address).
    pub foxglove: bool,
    /// Port of the Foxglove server (8765 is the app's default; 0 = any free port). Always on 127.0.0.1.
    pub foxglove_port: u16,
    /// Token Foxglove clients must send (`ws://127.0.0.1:PORT/?token=T`), at least 16 characters;
    /// empty: a random one is made at start and printed with the URL.
    pub foxglove_token: String,
}

impl Default for ConsoleParams {
    fn default() -> Self {
        ConsoleParams {
            bind: "127.0.0.1".to_string(),
            port: 8080,
            users_file: "console_users.yaml".to_string(),
            audit_log: "console_audit.jsonl".to_string(),
            session_ttl_s: 8 * 3600,
            session_idle_s: 30 * 60,
            login_max_failures: 5,
            login_window_s: 300,
            teleop_max_linear_mps: 0.3,
            teleop_max_angular_rps: 0.8,
            say_max_chars: 300,
            push_rate_hz: 10.0,
            max_streams_per_session: 4,
            max_streams_total: 32,
            tls_cert: String::new(),
            tls_key: String::new(),
            insecure: false,
            secure_cookie: false,
            foxglove: false,
            foxglove_port: 8765,
            foxglove_token: String::new(),
        }
    }
}

fn invalid(key: &str, value: impl std::fmt::Display, reason: &str) -> ConsoleError {
    WebNodeError::invalid_param(key, value, reason).into()
}

/// A range check of `letan_core::params`, as this crate's error.
fn checked(r: std::result::Result<(), ParamError>) -> Result<()> {
    Ok(r.map_err(|e| WebNodeError::invalid_param(e.key, e.value, e.reason))?)
}

impl ConsoleParams {
    /// Parse a ROS 2 parameter file, take the `ros__parameters` that apply to `node` (`/**`,
    /// `/**/node`, then `node` itself, merged by `letan_core::params::ros_parameters`), validate.
    pub fn from_yaml(text: &str, node: &str) -> Result<Self> {
        let perr = |message: String| -> ConsoleError {
            WebNodeError::parse(format!("parameters of `{node}`"), message).into()
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| perr(e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section = node_parameters(&doc, &fqn).map_err(|e| perr(e.to_string()))?;
        if !section.found() {
            return Err(perr(format!("no top-level `{node}:` section (nor `/**`)")));
        }
        let p: ConsoleParams =
            serde_yaml::from_value(section.value()).map_err(|e| perr(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// TLS is configured (both `tls_cert` and `tls_key`).
    pub fn tls(&self) -> bool {
        !self.tls_cert.trim().is_empty() && !self.tls_key.trim().is_empty()
    }

    /// Check every value once; errors name the key.
    pub fn validate(&self) -> Result<()> {
        let ip = self.bind.parse::<IpAddr>().map_err(|_| {
            invalid(
                "bind",
                &self.bind,
                "must be an IP address such as 127.0.0.1",
            )
        })?;
        if self.tls_cert.trim().is_empty() != self.tls_key.trim().is_empty() {
            return Err(invalid(
                "tls_cert",
                &self.tls_cert,
                "tls_cert and tls_key go together (PEM files)",
            ));
        }
        if !ip.is_loopback() && !self.tls() && !self.insecure {
            return Err(invalid(
                "bind",
                &self.bind,
                "refusing plain HTTP on a non-loopback address: set tls_cert and tls_key (PEM), \
                 or insecure: true (`--insecure`) behind a TLS reverse proxy",
            ));
        }
        for (key, v) in [
            ("users_file", &self.users_file),
            ("audit_log", &self.audit_log),
        ] {
            if v.trim().is_empty() {
                return Err(invalid(key, "\"\"", "must not be empty"));
            }
        }
        for (key, v) in [
            ("session_ttl_s", self.session_ttl_s),
            ("session_idle_s", self.session_idle_s),
            ("login_window_s", self.login_window_s),
            ("login_max_failures", u64::from(self.login_max_failures)),
            ("say_max_chars", self.say_max_chars as u64),
            (
                "max_streams_per_session",
                self.max_streams_per_session as u64,
            ),
            ("max_streams_total", self.max_streams_total as u64),
        ] {
            checked(positive(key, v as f64))?;
        }
        for (key, v) in [
            ("teleop_max_linear_mps", self.teleop_max_linear_mps),
            ("teleop_max_angular_rps", self.teleop_max_angular_rps),
            ("push_rate_hz", self.push_rate_hz),
        ] {
            checked(positive(key, v))?;
        }
        let tok = self.foxglove_token.chars().count();
        if tok > 0 && (tok < 16 || self.foxglove_token.chars().any(|c| !c.is_ascii_graphic())) {
            return Err(invalid(
                "foxglove_token",
                "(hidden)",
                "must be empty (random) or at least 16 printable ASCII characters",
            ));
        }
        checked(in_range("push_rate_hz", self.push_rate_hz, 0.0, 60.0))?;
        Ok(())
    }
}

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Watch everything; may press (not release) the e-stop.
    Viewer,
    /// Everything a viewer may, plus drive, release the e-stop, send goals, speak, acknowledge alerts.
    Operator,
}

impl Role {
    /// `viewer` / `operator`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
        }
    }

    /// Parse `viewer` / `operator`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            _ => None,
        }
    }
}

/// One account in the users file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// Login name (letters, digits, `._-`, 1–64 characters).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string (`$argon2id$v=19$m=...`).
    pub password_hash: String,
}

/// The users file: `users: [{name, role, password_hash}, ...]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsersFile {
    /// Accounts.
    #[serde(default)]
    pub users: Vec<UserEntry>,
}

/// Cost of the argon2id hash (`m` KiB of memory, `t` passes, `p` lanes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

impl HashCost {
    /// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane) – what `letan console add-user` uses.
    pub const DEFAULT: HashCost = HashCost {
        m_kib: 19_456,
        t: 2,
        p: 1,
    };
    /// Deliberately cheap, for tests and the demo only.
    pub const CHEAP: HashCost = HashCost {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
}

/// Validate a user name.
pub fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str, cost: HashCost) -> Result<String> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let params = argon2::Params::new(cost.m_kib, cost.t, cost.p, None)
        .map_err(|e| ConsoleError::Hash(e.to_string()))?;
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    hasher
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ConsoleError::Hash(e.to_string()))
}

/// Check a password against a PHC hash string (any argon2 variant and cost it names).
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl UsersFile {
    /// Parse and check a users file's text.
    pub fn from_yaml(text: &str, path: &str) -> Result<Self> {
        let f: UsersFile = serde_yaml::from_str(text).map_err(|e| WebNodeError::parse(path, e))?;
        let mut seen = std::collections::BTreeSet::new();
        for u in &f.users {
            if !valid_user_name(&u.name) {
                return Err(ConsoleError::InvalidUser {
                    name: u.name.clone(),
                    reason: "names use letters, digits, '.', '_' or '-' (1–64)".to_string(),
                });
            }
            if !seen.insert(u.name.clone()) {
                return Err(ConsoleError::InvalidUser {
                    name: u.name.clone(),
                    reason: "listed twice".to_string(),
                });
            }
            if argon2::password_hash::PasswordHash::new(&u.password_hash).is_err() {
                return Err(ConsoleError::InvalidUser {
                    name: u.name.clone(),
                    reason: "password_hash is not a PHC string (use `letan console add-user`)"
                        .to_string(),
                });
            }
        }
        Ok(f)
    }

    /// Load a users file; a missing file is an error (the console refuses to start with no accounts).
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| WebNodeError::io("read", path.display(), source))?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Add a user, or replace the password and role of an existing one.
    pub fn upsert(&mut self, name: &str, role: Role, password: &str, cost: HashCost) -> Result<()> {
        if !valid_user_name(name) {
            return Err(ConsoleError::InvalidUser {
                name: name.to_string(),
                reason: "names use letters, digits, '.', '_' or '-' (1–64)".to_string(),
            });
        }
        if password.chars().count() < 10 {
            return Err(ConsoleError::InvalidUser {
                name: name.to_string(),
                reason: "password must have at least 10 characters".to_string(),
            });
        }
        let entry = UserEntry {
            name: name.to_string(),
            role,
            password_hash: hash_password(password, cost)?,
        };
        match self.users.iter_mut().find(|u| u.name == name) {
            Some(u) => *u = entry,
            None => self.users.push(entry),
        }
        Ok(())
    }
}

/// Shortest password `letan console add-user` accepts (characters).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password (the login endpoint refuses longer ones).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Well-known passwords and their stems (lowercase). A password is refused when it equals one of these,
/// or is one of these followed only by digits and punctuation (`Password2024!`, `matkhau@123456`).
/// Includes the demo accounts' passwords, so they cannot be reused on a real console.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "matkhau",
    "mat-khau",
    "letan",
    "letan-operator",
    "letan-viewer",
    "admin",
    "administrator",
    "operator",
    "viewer",
    "root",
    "welcome",
    "iloveyou",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abc",
    "abcdef",
    "abcdefghijkl",
    "letmein",
    "changeme",
    "secret",
    "hanoi",
    "vietnam",
    "123456789012",
    "1234567890",
    "0123456789",
    "111111111111",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
];

/// The password policy of `letan console add-user` (OWASP ASVS level 1, V2.1): at least
/// [`MIN_PASSWORD_CHARS`] characters (at most [`MAX_PASSWORD_CHARS`]), not all the same character,
/// not containing the user name (names of 3+ characters, any case), and not a well-known password or
/// one of them followed only by digits and punctuation. Every other character, spaces included, is
/// allowed: long passphrases are welcome. `Err` says which rule failed.
pub fn check_password_policy(name: &str, password: &str) -> std::result::Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "password must have at least {MIN_PASSWORD_CHARS} characters (it has {n}); a few words make a good one"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!(
            "password must have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let mut chars = password.chars();
    if let Some(c0) = chars.next() {
        if chars.all(|c| c == c0) {
            return Err("password must not be one character repeated".to_string());
        }
    }
    let lower = password.to_lowercase();
    let lname = name.to_lowercase();
    if lname.chars().count() >= 3 && lower.contains(&lname) {
        return Err("password must not contain the user name".to_string());
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if COMMON_PASSWORDS
        .iter()
        .any(|&c| c == lower || c == stem || stem.is_empty())
    {
        return Err(
            "password is a well-known one (or one followed by digits); choose another".to_string(),
        );
    }
    Ok(())
}

/// `letan console add-user`: add or update `name` in the users file at `path` (created if missing),
/// written atomically (temp file + rename) with mode 0600 on Unix.
///
/// The password must pass [`check_password_policy`] (the demo accounts are written with
/// [`UsersFile::upsert`] and do not go through here).
pub fn add_user(path: &Path, name: &str, role: Role, password: &str, cost: HashCost) -> Result<()> {
    if !valid_user_name(name) {
        return Err(ConsoleError::InvalidUser {
            name: name.to_string(),
            reason: "names use letters, digits, '.', '_' or '-' (1–64)".to_string(),
        });
    }
    check_password_policy(name, password).map_err(|reason| ConsoleError::InvalidUser {
        name: name.to_string(),
        reason,
    })?;
    let mut file = if path.exists() {
        UsersFile::load(path)?
    } else {
        UsersFile::default()
    };
    file.upsert(name, role, password, cost)?;
    let text = serde_yaml::to_string(&file).map_err(|e| WebNodeError::parse(path.display(), e))?;
    let tmp = path.with_extension("yaml.tmp");
    let io = |action, source| WebNodeError::io(action, tmp.display(), source);
    std::fs::write(
        &tmp,
        format!("# Letan console accounts (argon2id). Edit with `letan console add-user`.\n{text}"),
    )
    .map_err(|e| io("write", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io("chmod", e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io("rename", e))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_valid_and_bind_loopback() {
        let p = ConsoleParams::default();
        p.validate().unwrap();
        assert_eq!(p.bind, "127.0.0.1");
    }

    #[test]
    fn non_loopback_bind_needs_tls_or_insecure() {
        let mut p = ConsoleParams {
            bind: "0.0.0.0".into(),
            ..ConsoleParams::default()
        };
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("bind") && e.contains("insecure"), "{e}");
        p.bind = "192.168.1.20".into();
        assert!(p.validate().is_err());
        p.insecure = true;
        p.validate().unwrap();
        p.insecure = false;
        p.tls_cert = "cert.pem".into();
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("tls_key"), "{e}");
        p.tls_key = "key.pem".into();
        p.validate().unwrap();
        for lo in ["127.0.0.1", "::1", "127.0.0.2"] {
            ConsoleParams {
                bind: lo.into(),
                ..ConsoleParams::default()
            }
            .validate()
            .unwrap();
        }
        let e =
            ConsoleParams::from_yaml("console:\n  ros__parameters: {bind: 0.0.0.0}\n", "console")
                .unwrap_err();
        assert!(e.to_string().contains("insecure"), "{e}");
    }

    #[test]
    fn shipped_config_loads() {
        let text = include_str!("../config/console.yaml");
        let p = ConsoleParams::from_yaml(text, "console").unwrap();
        assert_eq!(p.bind, "127.0.0.1");
        assert_eq!(p.session_idle_s, 1800);
    }

    #[test]
    fn unknown_and_bad_keys_are_named() {
        let e = ConsoleParams::from_yaml("console:\n  ros__parameters: {portt: 1}\n", "console")
            .unwrap_err();
        assert!(e.to_string().contains("portt"), "{e}");
        let e = ConsoleParams::from_yaml(
            "console:\n  ros__parameters: {bind: localhost}\n",
            "console",
        )
        .unwrap_err();
        assert!(e.to_string().contains("bind"), "{e}");
        let e = ConsoleParams::from_yaml(
            "console:\n  ros__parameters: {session_ttl_s: 0}\n",
            "console",
        )
        .unwrap_err();
        assert!(e.to_string().contains("session_ttl_s"), "{e}");
    }

    #[test]
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let text = "/**:\n  ros__parameters: {port: 9000, push_rate_hz: 5.0}\nconsole:\n  ros__parameters: {port: 9001}\n";
        let p = ConsoleParams::from_yaml(text, "console").unwrap();
        assert_eq!((p.port, p.push_rate_hz), (9001, 5.0));
        let p =
            ConsoleParams::from_yaml("/**:\n  ros__parameters: {port: 9002}\n", "console").unwrap();
        assert_eq!(p.port, 9002);
        let p = ConsoleParams::from_yaml("/console:\n  ros__parameters: {port: 9003}\n", "console")
            .unwrap();
        assert_eq!(p.port, 9003);
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e = ConsoleParams::from_yaml("/**:\n  ros__parameters: {portt: 1}\n", "console")
            .unwrap_err();
        assert!(e.to_string().contains("portt"), "{e}");
        let e =
            ConsoleParams::from_yaml("/**:\n  ros__parameters: {push_rate_hz: 100}\n", "console")
                .unwrap_err();
        assert!(e.to_string().contains("push_rate_hz"), "{e}");
        let e = ConsoleParams::from_yaml("other:\n  ros__parameters: {port: 1}\n", "console")
            .unwrap_err();
        assert!(e.to_string().contains("`console:`"), "{e}");
    }

    #[test]
    fn add_user_hashes_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.yaml");
        add_user(
            &path,
            "lan.nguyen",
            Role::Operator,
            "correct horse battery",
            HashCost::CHEAP,
        )
        .unwrap();
        add_user(
            &path,
            "minh",
            Role::Viewer,
            "another long secret",
            HashCost::CHEAP,
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("correct horse"),
            "plain password must not be stored"
        );
        let f = UsersFile::load(&path).unwrap();
        assert_eq!(f.users.len(), 2);
        assert!(f.users[0].password_hash.starts_with("$argon2id$"));
        assert!(verify_password(
            "correct horse battery",
            &f.users[0].password_hash
        ));
        assert!(!verify_password(
            "correct horse batterY",
            &f.users[0].password_hash
        ));
        // update keeps one entry and changes the role
        add_user(
            &path,
            "minh",
            Role::Operator,
            "changed long secret",
            HashCost::CHEAP,
        )
        .unwrap();
        let f = UsersFile::load(&path).unwrap();
        assert_eq!(f.users.len(), 2);
        assert_eq!(f.users[1].role, Role::Operator);
        assert!(verify_password(
            "changed long secret",
            &f.users[1].password_hash
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn password_policy_refuses_weak_passwords_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.yaml");
        for (pw, why) in [
            ("short pass1", "at least 12"),
            ("aaaaaaaaaaaaaaaa", "repeated"),
            ("my-name-is-lan.nguyen!", "user name"),
            ("XLAN.NGUYENX-2026", "user name"),
            ("password1234", "well-known"),
            ("Password2024!", "well-known"),
            ("matkhau@123456", "well-known"),
            ("letan-operator", "well-known"),
            ("123456789012", "well-known"),
            ("12345678901234", "well-known"),
            ("QWERTYUIOP12", "well-known"),
        ] {
            let e = add_user(&path, "lan.nguyen", Role::Operator, pw, HashCost::CHEAP).unwrap_err();
            assert!(e.to_string().contains(why), "{pw:?}: {e}");
            assert!(
                e.to_string().contains("lan.nguyen"),
                "the error names the user: {e}"
            );
        }
        assert!(!path.exists(), "nothing written for refused passwords");
        let long = "x".repeat(1025) + "y";
        assert!(check_password_policy("lan", &long).is_err());
        // good ones, including a passphrase with spaces and Vietnamese letters
        for pw in [
            "cửa sổ màu xanh lá",
            "correct horse battery",
            "Ts7#kq2!Lm9@",
        ] {
            check_password_policy("lan.nguyen", pw).unwrap();
        }
        add_user(
            &path,
            "lan.nguyen",
            Role::Operator,
            "cửa sổ màu xanh lá",
            HashCost::CHEAP,
        )
        .unwrap();
        assert!(path.exists());
        // a short name does not make every password containing it invalid
        check_password_policy("an", "bananas and lanterns").unwrap();
    }

    #[cfg(feature = "demo")]
    #[test]
    fn demo_passwords_still_load_through_upsert() {
        // `letan sim` and `--demo` write these with upsert (no policy): they must keep working
        let mut f = UsersFile::default();
        for (name, role, pw) in crate::demo::DEMO_USERS {
            f.upsert(name, role, pw, HashCost::CHEAP).unwrap();
            assert_eq!(
                crate::auth::Accounts::from_file(&f).verify(name, pw),
                Some(role)
            );
        }
    }

    #[test]
    fn bad_users_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.yaml");
        assert!(add_user(
            &path,
            "bad name",
            Role::Viewer,
            "long enough pw",
            HashCost::CHEAP
        )
        .is_err());
        assert!(add_user(&path, "ok", Role::Viewer, "short", HashCost::CHEAP).is_err());
        let e = UsersFile::from_yaml("users:\n- {name: a, role: admin, password_hash: x}\n", "u")
            .unwrap_err();
        assert!(
            e.to_string().contains("admin") || e.to_string().contains("role"),
            "{e}"
        );
        let e = UsersFile::from_yaml(
            "users:\n- {name: a, role: viewer, password_hash: plain}\n",
            "u",
        )
        .unwrap_err();
        assert!(e.to_string().contains("PHC"), "{e}");
        assert!(!verify_password("x", "not a hash"));
    }
}
