//! `letan-nav`: pure lobby navigation. No DDS, no clock reads: time comes in as `f64` seconds,
//! randomness from seeded RNGs.
//!
//! - [`costmap`]: static + keep-out + scan obstacles (ray-cleared) + inflation + people (proxemics)
//! - [`planner`]: cost-aware A* with any-angle string pulling
//! - [`controller`]: regulated pure pursuit with scan collision checking, people slow-down and a latched
//!   goal approach (stop, then rotate in place) so it never oscillates at the goal
//! - [`localization`]: particle filter (likelihood field, odometry motion model, augmented-MCL recovery)
//!   giving `map → odom`
//! - [`tracker`]: people from scan leg/blob clusters, tracked with ids and velocities
//! - [`guide`]: guide-mode supervisor (keep the follower within ~1.5 m, wait when they fall behind)
//! - [`navigator`]: goal/progress checks, recoveries and the behaviour state machine
//! - [`supervisor`]: one goal at a time from places, poses or the action: timeout, pause on the
//!   e-stop and resume by replanning, cancel when an operator drives, typed statuses with wait reasons
//! - [`perception`]: localization and people tracking fed with odometry and scans
//!
//! The tests and benches drive it in closed loop on `letan-sim`'s lidar and differential-drive
//! kinematics (`tests/common`, a dev-dependency); the crate ships no simulator of its own.

pub mod controller;
pub mod costmap;
mod error;
pub mod guide;
pub mod localization;
pub mod navigator;
pub mod params;
pub mod perception;
pub mod planner;
pub mod supervisor;
pub mod tracker;
pub mod types;

pub use error::{NavError, Result};
pub use letan_map::edt::distance_transform;
pub use params::NavParams;
pub use types::{LaserScan, Person, Pose2D, Twist2D};
