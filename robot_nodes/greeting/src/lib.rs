//! `letan-greeting`: the pure half of the face-aware greeting.
//!
//! Data flows one way, with time injected as a monotonic [`Duration`](std::time::Duration)
//! since an arbitrary start (no clock is read here):
//!
//! ```text
//! detections ──► FaceTracker::update ──► TrackedFace (id, distance, bearing, yaw, approach)
//!                                             │
//!                                             ▼
//!                         Greeter::decide ──► Engagement (REP-155 levels per id)
//!                                        └──► Option<Greeting> (text vi/en, optional small turn)
//! ```
//!
//! Nothing here identifies anyone: ids are anonymous counters that live only as long as a
//! face stays in view, and no pixels are kept.

mod engagement;
mod error;
mod geometry;
mod params;
mod policy;
mod tracker;
mod types;

pub use engagement::{Engagement, EngagementLevel};
pub use error::GreetingError;
pub use geometry::{face_yaw, frontalness, CameraIntrinsics};
pub use letan_core::Lang;
pub use params::{CameraParams, EngagementParams, GreetingParams, PolicyParams, TrackerParams};
pub use policy::{Context, Greeter, Greeting, GreetingKind, PartOfDay, Turn};
pub use tracker::{FaceTracker, TrackedFace};
pub use types::{BBox, Detection, Landmarks, TrackId};
