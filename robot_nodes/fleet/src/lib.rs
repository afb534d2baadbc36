//! # letan-fleet
//!
//! Every robot on Eclipse Zenoh under `letan/<site>/<robot>/…`, and the operations hub.
//!
//! * Pure (no I/O, time passed in): [`proto`] (payloads, signing, size-capped decoding, redaction),
//!   [`authz`] (roles per site), [`kbpkg`] (archives, the `letan kb check` checker, versions),
//!   [`state`] (the hub's fleet table), [`health`] (the robot's node health as the fleet node sees it).
//! * Zenoh: [`gateway`] (the robot side) and [`hub`] (the centre side).
//! * The hub's storage ([`db`], SQLite) and web application ([`server`], axum).
pub mod authz;
#[cfg(feature = "network")]
pub mod db;
mod error;
#[cfg(feature = "network")]
pub mod gateway;
pub mod health;
#[cfg(feature = "network")]
pub mod hub;
pub mod kbpkg;
pub mod proto;
#[cfg(feature = "network")]
pub mod server;
#[cfg(feature = "network")]
pub mod setup;
pub mod state;

pub use error::FleetError;

/// A mutex's guard, also after a panic elsewhere poisoned it (the data stays usable).
#[cfg(feature = "network")]
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Milliseconds since the Unix epoch.
#[cfg(feature = "network")]
#[allow(clippy::disallowed_methods)] // the fleet's edge: command ages, the teleop deadman and hub stamps are wall time shared between machines
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Result type of this crate.
pub type Result<T, E = FleetError> = std::result::Result<T, E>;

/// A zenoh configuration for loopback/LAN use: no multicast scouting (nothing leaves the machine
/// unless told), `mode` = `router`, `peer` or `client`, with the given endpoints.
#[cfg(feature = "network")]
pub fn zenoh_config(mode: &str, listen: &[String], connect: &[String]) -> Result<zenoh::Config> {
    let mut c = zenoh::Config::default();
    let set = |c: &mut zenoh::Config, k: &str, v: String| {
        c.insert_json5(k, &v).map_err(|e| FleetError::Param {
            key: k.to_string(),
            detail: e.to_string(),
        })
    };
    let list = |l: &[String]| serde_json::to_string(l).unwrap_or_else(|_| "[]".into());
    set(&mut c, "mode", format!("{mode:?}"))?;
    set(&mut c, "scouting/multicast/enabled", "false".into())?;
    set(&mut c, "listen/endpoints", list(listen))?;
    set(&mut c, "connect/endpoints", list(connect))?;
    Ok(c)
}
