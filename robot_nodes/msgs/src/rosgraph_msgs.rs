//! `rosgraph_msgs`: [`Clock`], the simulation time published on `/clock`.
use crate::builtin_interfaces::Time;
use serde::{Deserialize, Serialize};

/// `rosgraph_msgs/msg/Clock`: the current simulation time (nodes with `use_sim_time` follow it).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Clock {
    /// The current time.
    pub clock: Time,
}
