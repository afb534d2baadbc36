//! # letan-screen
//!
//! The citizen touchscreen of Letan: a small axum server (loopback by default) that serves one page,
//! in Vietnamese or English, for the robot's own touchscreen in the lobby. It shows the robot's answer
//! (title, text, the list of documents to bring), a QR code for the online procedure (rendered in Rust
//! as SVG), the most asked topics as big buttons, a "call staff" button and a text box with an
//! on-screen Vietnamese keyboard (letters, vowel marks, tone keys, Telex composition) for citizens who
//! cannot or prefer not to speak. HTML/JS/CSS are embedded with `include_str!`: no CDN, no fonts from
//! elsewhere, nothing beyond the page's own origin.
//!
//! The crate does not know DDS. It talks to the robot through a [`link::ScreenLink`]: a `watch` of
//! [`link::ScreenState`] in (what to show) and an `mpsc` of [`link::ScreenInput`] out (what the
//! citizen did). [`link::ScreenLink::new`] returns both ends; the node that wires the screen to
//! `/dialog/state`, `/speech/transcript` and `/staff/alert` keeps the [`link::RobotSide`].
//! `demo::FakeDialog` is an in-memory dialog for the demo and the browser test (feature `demo`, off by
//! default; the `screen_demo` example turns it on).

pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
mod error;
pub mod link;
pub mod qr;
pub mod server;
pub mod text;

pub use config::ScreenParams;
pub use error::ScreenError;
pub use link::{DialogState, Lang, RobotSide, ScreenInput, ScreenLink, ScreenState, Suggestion};

/// Result type of this crate.
pub type Result<T, E = ScreenError> = std::result::Result<T, E>;
