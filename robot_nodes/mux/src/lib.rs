//! # letan-mux
//!
//! The velocity multiplexer of Letan, in the spirit of ROS `twist_mux`, but one that **stops the robot**
//! when its inputs go silent:
//!
//! * four inputs ([`InputId`]: navigation, greeting turns, console teleop, keyboard teleop), each with a
//!   priority and a timeout (0.5 s by default). An input whose last command is older than its timeout is
//!   ignored; the live input with the highest priority drives.
//! * an e-stop lock ([`EstopState`]) that engages when pressed **or when its heartbeat stops**, and stays
//!   engaged until an explicit [`Mux::release`] (refused while the heartbeat is stale or pressed).
//! * velocity and acceleration limits. Speeding up is limited; slowing down never is, so the output is
//!   exactly zero whenever no input is live or the e-stop is engaged.
//!
//! Pure: time is injected as a monotonic [`Duration`](std::time::Duration) (`now`), nothing here reads a
//! clock or does I/O. [`keys`] holds the key → twist logic of `letan teleop` (hold to move, deadman).
//!
//! ```
//! use letan_mux::{InputId, Mux, MuxParams, Twist2};
//! use std::time::Duration;
//! let mut params = MuxParams::default();
//! params.estop.start_latched = false;
//! params.estop.require_heartbeat = false;
//! let mut mux = Mux::new(params).unwrap();
//! let t = Duration::from_secs(1);
//! mux.output(t); // starts the acceleration clock
//! mux.feed(InputId::Navigation, Twist2::new(0.2, 0.0), t).unwrap();
//! let (out, status) = mux.output(t + Duration::from_millis(100));
//! assert_eq!(status.active, Some(InputId::Navigation));
//! assert!(out.linear_x > 0.0);
//! // silence for longer than the timeout: the robot stops
//! let (out, status) = mux.output(t + Duration::from_millis(700));
//! assert_eq!(out, Twist2::ZERO);
//! assert_eq!(status.active, None);
//! ```

mod error;
pub mod keys;
mod mux;
mod params;

pub use error::MuxError;
pub use mux::{EstopReason, EstopState, InputId, Mux, MuxStatus, Twist2};
pub use params::{EstopParams, InputParams, InputsParams, LimitParams, MuxParams, TopicParams};

/// Result type of this crate.
pub type Result<T, E = MuxError> = std::result::Result<T, E>;
