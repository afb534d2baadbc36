//! Accounts, sessions and the login rate limit. Pure bookkeeping: time comes in as `now_ms`.
use crate::config::{Role, UsersFile};
use rand::RngCore;
use std::collections::{HashMap, VecDeque};

/// A logged-in operator.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Account name.
    pub user: String,
    /// Role at login.
    pub role: Role,
    /// Token the page must echo in `X-CSRF-Token` on every state-changing request.
    pub csrf: String,
    /// Absolute end (ms since epoch).
    pub expires_at_ms: u64,
    /// Last request (ms since epoch), for the idle timeout.
    pub last_seen_ms: u64,
}

/// 32 random bytes from the OS, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compare two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session table.
#[derive(Debug, Default)]
pub struct Sessions {
    by_token: HashMap<String, Session>,
    ttl_ms: u64,
    idle_ms: u64,
}

impl Sessions {
    /// Sessions that end `ttl_s` after login or `idle_s` after the last request.
    pub fn new(ttl_s: u64, idle_s: u64) -> Self {
        Sessions {
            by_token: HashMap::new(),
            ttl_ms: ttl_s.saturating_mul(1000),
            idle_ms: idle_s.saturating_mul(1000),
        }
    }

    /// Start a session; returns (token, session).
    pub fn create(&mut self, user: &str, role: Role, now_ms: u64) -> (String, Session) {
        self.purge(now_ms);
        let token = random_token();
        let s = Session {
            user: user.to_string(),
            role,
            csrf: random_token(),
            expires_at_ms: now_ms.saturating_add(self.ttl_ms),
            last_seen_ms: now_ms,
        };
        self.by_token.insert(token.clone(), s.clone());
        (token, s)
    }

    /// The live session for `token`, touching its idle timer; `None` if unknown or expired (and then removed).
    pub fn get(&mut self, token: &str, now_ms: u64) -> Option<Session> {
        let idle_ms = self.idle_ms;
        let s = self.by_token.get_mut(token)?;
        if now_ms >= s.expires_at_ms || now_ms.saturating_sub(s.last_seen_ms) >= idle_ms {
            self.by_token.remove(token);
            return None;
        }
        s.last_seen_ms = now_ms;
        Some(s.clone())
    }

    /// Peek without touching (for long-lived streams): `None` if unknown or expired.
    pub fn peek(&self, token: &str, now_ms: u64) -> Option<&Session> {
        self.by_token.get(token).filter(|s| {
            now_ms < s.expires_at_ms && now_ms.saturating_sub(s.last_seen_ms) < self.idle_ms
        })
    }

    /// End a session.
    pub fn remove(&mut self, token: &str) -> Option<Session> {
        self.by_token.remove(token)
    }

    /// Drop every expired session.
    pub fn purge(&mut self, now_ms: u64) {
        let idle = self.idle_ms;
        self.by_token.retain(|_, s| {
            now_ms < s.expires_at_ms && now_ms.saturating_sub(s.last_seen_ms) < idle
        });
    }

    /// Number of live entries (expired ones may linger until the next purge).
    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    /// No sessions.
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

/// Failed-login counter per key (client address, user name) in a sliding window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<String, VecDeque<u64>>,
    max: u32,
    window_ms: u64,
}

impl LoginLimiter {
    /// Allow at most `max` failures per key within `window_s`.
    pub fn new(max: u32, window_s: u64) -> Self {
        LoginLimiter {
            failures: HashMap::new(),
            max,
            window_ms: window_s.saturating_mul(1000),
        }
    }

    fn prune(&mut self, now_ms: u64) {
        let w = self.window_ms;
        for q in self.failures.values_mut() {
            while q.front().is_some_and(|&t| now_ms.saturating_sub(t) >= w) {
                q.pop_front();
            }
        }
        self.failures.retain(|_, q| !q.is_empty());
    }

    /// Seconds until `keys` may try again, or `None` if allowed now.
    pub fn blocked(&mut self, keys: &[&str], now_ms: u64) -> Option<u64> {
        self.prune(now_ms);
        keys.iter()
            .filter_map(|k| {
                let q = self.failures.get(*k)?;
                if q.len() as u64 >= u64::from(self.max) {
                    let oldest = q.front().copied().unwrap_or(now_ms);
                    Some(
                        (oldest + self.window_ms)
                            .saturating_sub(now_ms)
                            .div_ceil(1000)
                            .max(1),
                    )
                } else {
                    None
                }
            })
            .max()
    }

    /// Count a failure for each key.
    pub fn fail(&mut self, keys: &[&str], now_ms: u64) {
        for k in keys {
            self.failures
                .entry((*k).to_string())
                .or_default()
                .push_back(now_ms);
        }
    }
}

/// Accounts loaded from the users file.
#[derive(Clone, Debug, Default)]
pub struct Accounts {
    users: HashMap<String, (Role, String)>,
}

/// Argon2id hash of a random password, verified against when the user name is unknown so that the
/// response time does not tell which names exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$u6fJ0w4p0zQd8m8cQn3Oj6I6V0q8mD8m3oXH2m3mX1A";

impl Accounts {
    /// From a parsed users file.
    pub fn from_file(f: &UsersFile) -> Self {
        Accounts {
            users: f
                .users
                .iter()
                .map(|u| (u.name.clone(), (u.role, u.password_hash.clone())))
                .collect(),
        }
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// No accounts.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Check a password (slow: argon2; call from a blocking thread). The role on success.
    pub fn verify(&self, name: &str, password: &str) -> Option<Role> {
        match self.users.get(name) {
            Some((role, hash)) => crate::config::verify_password(password, hash).then_some(*role),
            None => {
                let _ = crate::config::verify_password(password, DUMMY_HASH);
                None
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_absolutely_and_when_idle() {
        let mut s = Sessions::new(100, 10);
        let (tok, sess) = s.create("lan", Role::Operator, 0);
        assert_eq!(tok.len(), 64);
        assert_ne!(tok, sess.csrf);
        assert!(s.get(&tok, 9_000).is_some());
        assert!(s.get(&tok, 18_000).is_some(), "activity keeps it alive");
        assert!(s.get(&tok, 28_001).is_none(), "idle > 10 s");
        assert!(s.get(&tok, 28_002).is_none(), "removed");
        let (tok, _) = s.create("lan", Role::Operator, 0);
        for t in (5_000..100_000).step_by(5_000) {
            assert!(s.get(&tok, t).is_some());
        }
        assert!(s.get(&tok, 100_000).is_none(), "absolute ttl");
        assert!(s.get("nope", 0).is_none());
    }

    #[test]
    fn limiter_blocks_after_max_failures_then_recovers() {
        let mut l = LoginLimiter::new(3, 60);
        for i in 0..3 {
            assert_eq!(l.blocked(&["ip:1", "user:a"], i * 1000), None);
            l.fail(&["ip:1", "user:a"], i * 1000);
        }
        assert_eq!(l.blocked(&["ip:1", "user:b"], 3_000), Some(57));
        assert_eq!(
            l.blocked(&["ip:2", "user:a"], 3_000),
            Some(57),
            "per user too"
        );
        assert_eq!(l.blocked(&["ip:2", "user:b"], 3_000), None);
        assert_eq!(
            l.blocked(&["ip:1"], 60_000),
            None,
            "oldest failure left the window"
        );
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }

    #[test]
    fn dummy_hash_parses() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
