//! # letan-console
//!
//! The operator web console of Letan: a small axum server that binds to 127.0.0.1 by default and
//! serves its own page (HTML/JS/CSS embedded with `include_str!`, no CDN).
//!
//! * **Access**: accounts with argon2id hashes in a users file ([`config::add_user`] backs
//!   `letan console add-user`), roles viewer/operator, expiring sessions (HttpOnly, SameSite=Strict
//!   cookie, absolute and idle timeouts), a failed-login rate limit per client and per user name,
//!   CSRF tokens (plus an Origin check and JSON-only bodies) on every state-changing request, and an
//!   audit log (JSONL: who, what, when).
//! * **Views** (pushed with server-sent events): map with pose, path, people and places; the camera
//!   (only [`link::BlurredJpeg`] frames, blurred upstream); transcript and dialog state; mux status,
//!   e-stop, node health; staff-call alerts.
//! * **Controls**: drive (on-screen joystick, WASD hold-to-move, gamepad) with a deadman: the page sends
//!   teleop at 10 Hz while held and a zero on release, and the robot's mux stops the robot when
//!   commands stop arriving (0.5 s). E-stop and release, send to a place, dock, "say this" (vi/en),
//!   acknowledge alerts.
//!
//! [`foxglove_bridge`] also serves the same state to Foxglove / Lichtblick over the Foxglove WebSocket
//! protocol (read-only, loopback by default).
//!
//! The console does not know DDS: it talks to the robot through a [`link::RobotLink`] (a `watch` of
//! [`link::RobotState`] in, an `mpsc` of [`link::OperatorCommand`] out). [`run`] serves it for a
//! link: `letan run console` (the console node in `letan-nodes`) starts it there. `fake::FakeRobot`
//! is an in-memory robot for tests, and `demo` puts the two together for `letan console --demo`; both
//! are behind the feature `demo`, off by default (the `letan` binary and the crate's tests turn it on).

pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
mod error;
#[cfg(feature = "demo")]
pub mod fake;
pub mod foxglove_bridge;
pub mod link;
mod run;
pub mod server;

pub use error::ConsoleError;
pub use run::run;

/// Result type of this crate.
pub type Result<T, E = ConsoleError> = std::result::Result<T, E>;
