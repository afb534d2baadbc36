//! The wire protocol: key space, payload types, signing and size-capped decoding. No I/O.
//!
//! Every payload is `<64 hex HMAC-SHA256 of the body, with the site key>\n<body JSON>`. The body
//! carries `v` (the protocol version). Decoding checks, in order: the size cap, the layout, the MAC
//! (so a robot with the wrong site key is refused and nothing forged reaches the parser's caller),
//! the JSON and the version.
use crate::FleetError;
use letan_core::Pose2D;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Cap of a status payload.
pub const MAX_STATUS_BYTES: usize = 16 * 1024;
/// Cap of an event payload.
pub const MAX_EVENT_BYTES: usize = 16 * 1024;
/// Cap of a command payload (and of its reply).
pub const MAX_COMMAND_BYTES: usize = 8 * 1024;
/// Cap of a knowledge-base push.
pub const MAX_KB_PUSH_BYTES: usize = 8 * 1024 * 1024;
/// Cap of a map or image reply.
pub const MAX_BLOB_BYTES: usize = 8 * 1024 * 1024;
/// Longest site or robot id.
pub const MAX_ID_CHARS: usize = 48;

/// Site and robot ids: 1–48 of `a-z 0-9 - _` (no key-expression wildcards, no slashes).
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The leaves under `letan/<site>/<robot>/`.
pub mod keys {
    /// Root of the key space.
    pub const ROOT: &str = "letan";
    /// Status (put, ~1 Hz).
    pub const STATUS: &str = "status";
    /// Events (put).
    pub const EVENTS: &str = "events";
    /// Commands (query to the robot's queryable; the reply is the result).
    pub const CMD: &str = "cmd";
    /// Knowledge-base push (query; the reply is the result).
    pub const KB: &str = "kb";
    /// The map (queryable).
    pub const MAP: &str = "map";
    /// The blurred camera image (queryable).
    pub const IMAGE: &str = "image";
    /// Liveliness token of a robot.
    pub const ALIVE: &str = "alive";

    /// `letan/<site>/<robot>/<leaf>`.
    pub fn key(site: &str, robot: &str, leaf: &str) -> String {
        format!("{ROOT}/{site}/{robot}/{leaf}")
    }

    /// `(site, robot, leaf)` of a key in the space, if it is one.
    pub fn parse(key: &str) -> Option<(&str, &str, &str)> {
        let mut it = key.split('/');
        if it.next()? != ROOT {
            return None;
        }
        let site = it.next()?;
        let robot = it.next()?;
        let leaf = it.next()?;
        if it.next().is_some() || !super::valid_id(site) || !super::valid_id(robot) {
            return None;
        }
        Some((site, robot, leaf))
    }
}

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const B: usize = 64;
    let mut k = [0u8; B];
    if key.len() > B {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(ih);
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sign a body with the site key.
pub fn encode<T: Serialize>(body: &T, site_key: &[u8]) -> Vec<u8> {
    // Serializing these plain structs cannot fail; an empty object keeps this total anyway.
    let json = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut out = hex(&hmac_sha256(site_key, &json)).into_bytes();
    out.push(b'\n');
    out.extend_from_slice(&json);
    out
}

#[derive(Deserialize)]
struct VersionOnly {
    v: u32,
}

/// Check and decode a signed payload.
pub fn decode<T: DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
    max: usize,
    site: &str,
    site_key: &[u8],
) -> Result<T, FleetError> {
    if bytes.len() > max {
        return Err(FleetError::TooLarge {
            what,
            len: bytes.len(),
            max,
        });
    }
    let malformed = |detail: String| FleetError::Malformed { what, detail };
    if bytes.len() < 65 || bytes[64] != b'\n' {
        return Err(malformed("expected `<64 hex MAC>\\n<JSON>`".into()));
    }
    let (mac, body) = (&bytes[..64], &bytes[65..]);
    let want = hex(&hmac_sha256(site_key, body));
    let got = std::str::from_utf8(mac).map_err(|_| malformed("MAC is not ASCII hex".into()))?;
    if !letan_console::auth::constant_time_eq(&want, got) {
        return Err(FleetError::BadSignature {
            what,
            site: site.to_string(),
        });
    }
    let v: VersionOnly =
        serde_json::from_slice(body).map_err(|e| malformed(format!("no version `v`: {e}")))?;
    if v.v != PROTOCOL_VERSION {
        return Err(FleetError::Version {
            what,
            got: v.v,
            want: PROTOCOL_VERSION,
        });
    }
    serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))
}

/// One node's health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeHealth {
    pub name: String,
    pub ok: bool,
    /// Why: when last heard, or what is silent (absent from older robots' statuses).
    #[serde(default)]
    pub detail: String,
}

/// The robot's status, about once a second.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub v: u32,
    pub site: String,
    pub robot: String,
    /// Random per start of the gateway: two instances with one id are a duplicate.
    pub instance: String,
    pub seq: u64,
    /// The robot's wall clock (ms since epoch).
    pub ts_ms: u64,
    /// The robot in the map frame: letan-core's pose, on the wire as `{"x", "y", "yaw"}` (m, m, rad);
    /// a pose with any other key is refused, like the status itself.
    pub pose: Option<Pose2D>,
    pub dialog_state: String,
    pub nav_state: String,
    pub estop: bool,
    /// The mux's active input (`console_teleop` while an operator drives).
    pub active_input: String,
    /// Last commanded velocity (m/s, rad/s).
    pub cmd_linear: f64,
    pub cmd_angular: f64,
    pub nodes: Vec<NodeHealth>,
    pub kb_version: String,
    pub software_version: String,
}

/// How a question ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    HandedToStaff,
    Unanswered,
}

impl Outcome {
    /// The name used in storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::HandedToStaff => "handed_to_staff",
            Outcome::Unanswered => "unanswered",
        }
    }
}

/// What happened on a robot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A citizen's question: its intent and how it ended; the text only when unanswered, redacted.
    Question {
        intent: String,
        outcome: Outcome,
        text: Option<String>,
    },
    /// Staff called.
    StaffAlert { reason: String },
    /// An error worth an operator's eye.
    Error { message: String },
}

/// An event (no `deny_unknown_fields`: serde does not support it with the flattened kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub v: u32,
    pub site: String,
    pub robot: String,
    pub ts_ms: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What an operator asks a robot to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandBody {
    /// Drive; must be repeated (the deadman): the robot stops 0.5 s after the last one.
    Teleop { linear: f64, angular: f64 },
    /// Engage (`true`) or release the operator e-stop.
    Estop { engage: bool },
    /// Say this.
    Say { text: String, lang: String },
    /// Go to a place of the map.
    GoTo { place: String },
}

impl CommandBody {
    /// The audit name of the command.
    pub fn action(&self) -> &'static str {
        match self {
            CommandBody::Teleop { .. } => "teleop",
            CommandBody::Estop { engage: true } => "estop",
            CommandBody::Estop { engage: false } => "estop_release",
            CommandBody::Say { .. } => "say",
            CommandBody::GoTo { .. } => "goto",
        }
    }
}

/// A command from the hub.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub v: u32,
    pub site: String,
    pub robot: String,
    /// Increases per hub start (ms since epoch at send); the robot refuses replays.
    pub id: u64,
    pub ts_ms: u64,
    pub user: String,
    /// The user's role on the robot's site, as the hub decided it; the robot checks it again.
    pub role: crate::authz::Role,
    pub body: CommandBody,
}

/// A robot's answer to a command or a push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub v: u32,
    pub ok: bool,
    pub message: String,
    /// The robot's knowledge-base version after the request.
    pub kb_version: String,
}

/// A knowledge base pushed to a robot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KbPush {
    pub v: u32,
    pub site: String,
    pub robot: String,
    pub version: String,
    /// `(relative path, text)`, as `letan_nlu::Kb::parse` takes them.
    pub files: Vec<(String, String)>,
}

/// Remove what could identify a person from an unanswered question: runs of 3+ digits (phone,
/// ID, case numbers) become `#`, e-mail addresses `[email]`, and the words after "tên (tôi) là",
/// "tôi là", "my name is", "I am" become `[tên]`. Capped at 300 characters.
pub fn redact(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut mask_next = 0usize;
    for w in text.split_whitespace() {
        let lower = w.to_lowercase();
        let out = if mask_next > 0 {
            mask_next -= 1;
            "[tên]".to_string()
        } else if lower.contains('@') {
            "[email]".to_string()
        } else {
            let mut s = String::new();
            let mut run = String::new();
            for c in w.chars() {
                if c.is_ascii_digit() {
                    run.push(c);
                } else {
                    s.push_str(if run.len() >= 3 { "#" } else { &run });
                    run.clear();
                    s.push(c);
                }
            }
            s.push_str(if run.len() >= 3 { "#" } else { &run });
            s
        };
        words.push(out);
        let n = words.len();
        let last2 = if n >= 2 {
            format!(
                "{} {}",
                words[n - 2].to_lowercase(),
                words[n - 1].to_lowercase()
            )
        } else {
            String::new()
        };
        let last3 = if n >= 3 {
            format!("{} {}", words[n - 3].to_lowercase(), last2)
        } else {
            String::new()
        };
        let names = last3 == "tên tôi là"
            || last3 == "my name is"
            || ["tôi là", "tên là", "i am", "i'm called"].contains(&last2.as_str());
        if names {
            mask_next = 3;
        }
    }
    words.join(" ").chars().take(300).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn status() -> Status {
        Status {
            v: PROTOCOL_VERSION,
            site: "hoan-kiem".into(),
            robot: "r1".into(),
            kb_version: "abc".into(),
            ..Status::default()
        }
    }

    #[test]
    fn round_trip_and_every_rejection() {
        let key = b"site key";
        let bytes = encode(&status(), key);
        let back: Status = decode("status", &bytes, MAX_STATUS_BYTES, "hoan-kiem", key).unwrap();
        assert_eq!(back, status());
        // wrong key
        let e = decode::<Status>("status", &bytes, MAX_STATUS_BYTES, "hoan-kiem", b"other")
            .unwrap_err();
        assert!(matches!(e, FleetError::BadSignature { .. }), "{e}");
        assert!(e.to_string().contains("wrong site key"));
        // oversized before anything else
        let e = decode::<Status>("status", &vec![b'a'; 20_000], MAX_STATUS_BYTES, "s", key)
            .unwrap_err();
        assert!(e.to_string().contains("over the 16384-byte cap"), "{e}");
        // garbage
        for junk in [&b""[..], b"\n{}", &[0xffu8; 100][..]] {
            let e = decode::<Status>("status", junk, MAX_STATUS_BYTES, "s", key).unwrap_err();
            assert!(matches!(e, FleetError::Malformed { .. }), "{e}");
        }
        // tampered body
        let mut t = bytes.clone();
        let n = t.len();
        t[n - 3] ^= 1;
        assert!(decode::<Status>("status", &t, MAX_STATUS_BYTES, "s", key).is_err());
        // another version, correctly signed
        let mut s = status();
        s.v = 9;
        let e =
            decode::<Status>("status", &encode(&s, key), MAX_STATUS_BYTES, "s", key).unwrap_err();
        assert!(matches!(e, FleetError::Version { got: 9, .. }), "{e}");
        // signed but not a status
        let e = decode::<Status>(
            "status",
            &encode(&serde_json::json!({"v": 1, "x": 2}), key),
            MAX_STATUS_BYTES,
            "s",
            key,
        )
        .unwrap_err();
        assert!(matches!(e, FleetError::Malformed { .. }), "{e}");
    }

    #[test]
    fn pose_keeps_its_wire_names() {
        let key = b"site key";
        let mut s = status();
        s.pose = Some(Pose2D::new(1.0, 2.0, 0.5));
        let bytes = encode(&s, key);
        let body = std::str::from_utf8(&bytes[65..]).unwrap();
        assert!(
            body.contains(r#""pose":{"x":1.0,"y":2.0,"yaw":0.5}"#),
            "{body}"
        );
        let back: Status = decode("status", &bytes, MAX_STATUS_BYTES, "hoan-kiem", key).unwrap();
        assert_eq!(back, s);
        // what older robots send (the fuzz seed's pose) still decodes
        let mut v = serde_json::to_value(&s).unwrap();
        v["pose"] = serde_json::json!({"x": 1.0, "y": 2.0, "yaw": 0.5});
        let back: Status = decode(
            "status",
            &encode(&v, key),
            MAX_STATUS_BYTES,
            "hoan-kiem",
            key,
        )
        .unwrap();
        assert_eq!(back.pose, Some(Pose2D::new(1.0, 2.0, 0.5)));
        // a pose without yaw is malformed
        v["pose"] = serde_json::json!({"x": 1.0, "y": 2.0});
        let e = decode::<Status>(
            "status",
            &encode(&v, key),
            MAX_STATUS_BYTES,
            "hoan-kiem",
            key,
        )
        .unwrap_err();
        assert!(matches!(e, FleetError::Malformed { .. }), "{e}");
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn keys_parse_only_the_letan_space() {
        assert_eq!(keys::key("a", "b", keys::STATUS), "letan/a/b/status");
        assert_eq!(keys::parse("letan/a/b/status"), Some(("a", "b", "status")));
        assert_eq!(keys::parse("letan/a/b"), None);
        assert_eq!(keys::parse("letan/A/b/status"), None);
        assert_eq!(keys::parse("other/a/b/status"), None);
        assert_eq!(keys::parse("letan/a/b/status/x"), None);
        assert!(!valid_id("a*b") && !valid_id("") && !valid_id(&"a".repeat(49)));
    }

    #[test]
    fn redaction_removes_numbers_mail_and_names() {
        let r =
            redact("Tên tôi là Nguyễn Văn An, số điện thoại 0912345678, mail an@x.vn, phòng 12");
        assert!(
            !r.contains("Nguyễn") && !r.contains("An,") && !r.contains("0912345678"),
            "{r}"
        );
        assert!(!r.contains("an@x.vn"), "{r}");
        assert!(r.contains("phòng 12"), "short numbers stay: {r}");
        assert!(redact(&"x".repeat(1000)).chars().count() <= 300);
    }
}
