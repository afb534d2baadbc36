//! The fleet's payloads, as a robot and the operations hub read them off Zenoh: signed JSON
//! (status, event, command, reply, knowledge-base push), knowledge-base archives (zip or tar),
//! key expressions and the redaction of unanswered questions. The first byte picks the input;
//! signed kinds are signed here with the site key, so the fuzzer reaches the JSON behind the MAC
//! (kind 7 sends the bytes unsigned, for the MAC and framing checks).
#![no_main]
use letan_fleet::authz::robot_accepts;
use letan_fleet::kbpkg::{self, Ledger, Limits};
use letan_fleet::proto::{
    self, hmac_sha256, Command, Event, KbPush, Reply, Status, MAX_COMMAND_BYTES,
    MAX_EVENT_BYTES, MAX_KB_PUSH_BYTES, MAX_STATUS_BYTES,
};
use letan_fleet::state::{day_of, Fleet};
use libfuzzer_sys::fuzz_target;

const SITE: &str = "hoan-kiem";
const KEY: &[u8] = b"fuzz-site-key";

fn signed(body: &[u8]) -> Vec<u8> {
    let mac: String = hmac_sha256(KEY, body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = mac.into_bytes();
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let bytes = signed(rest);
    match kind % 8 {
        0 => {
            if let Ok(s) = proto::decode::<Status>("status", &bytes, MAX_STATUS_BYTES, SITE, KEY) {
                let mut st = Fleet::new(10_000);
                let _ = st.on_status(s.clone(), s.ts_ms);
                st.tick(s.ts_ms.wrapping_add(20_000));
                let _ = serde_json::to_string(&st.get(&s.robot));
                let _ = day_of(s.ts_ms, i64::from(s.seq as i32));
            }
        }
        1 => {
            if let Ok(e) = proto::decode::<Event>("event", &bytes, MAX_EVENT_BYTES, SITE, KEY) {
                let mut st = Fleet::new(10_000);
                st.on_event(&e);
            }
        }
        2 => {
            if let Ok(c) = proto::decode::<Command>("command", &bytes, MAX_COMMAND_BYTES, SITE, KEY)
            {
                let _ = robot_accepts(&c, SITE, "robot-1", c.ts_ms, 0, 5_000);
                let _ = robot_accepts(&c, SITE, "robot-1", u64::MAX, u64::MAX, u64::MAX);
                let _ = c.body.action();
            }
        }
        3 => {
            let _ = proto::decode::<Reply>("reply", &bytes, MAX_COMMAND_BYTES, SITE, KEY);
        }
        4 => {
            if let Ok(p) = proto::decode::<KbPush>("kb push", &bytes, MAX_KB_PUSH_BYTES, SITE, KEY)
            {
                let mut ledger = Ledger::new(None);
                let _ = ledger.apply(&p.version, p.files);
            }
        }
        5 => {
            // An uploaded archive, under small limits so that the caps are reached.
            let limits = Limits {
                max_archive_bytes: 64 * 1024,
                max_unpacked_bytes: 256 * 1024,
                max_file_bytes: 64 * 1024,
                max_entries: 16,
            };
            if let Ok(files) = kbpkg::unpack(rest, &limits) {
                let _ = kbpkg::check(files);
            }
        }
        6 => {
            let text = String::from_utf8_lossy(rest);
            let _ = proto::keys::parse(&text);
            let _ = proto::valid_id(&text);
            let r = proto::redact(&text);
            assert!(r.chars().count() <= 300, "redact is capped at 300 characters");
        }
        _ => {
            let _ = proto::decode::<Status>("status", rest, MAX_STATUS_BYTES, SITE, KEY);
        }
    }
});
