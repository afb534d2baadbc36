//! # letan-transport
//!
//! The one crate of Letan that touches `ros2-client`. Node code is written once against [`Node`],
//! [`Publisher`], [`Subscriber`], [`ServiceServer`], [`ServiceClient`], [`ActionServer`] and
//! [`ActionClient`] (see [`action`]), and runs on either backend:
//!
//! * **DDS** ([`Context::dds`]): real ROS 2 on the wire through `ros2-client` (RTPS), so that a ROS 2
//!   robot's own tools on the same `ROS_DOMAIN_ID` see our topics and decode them. Topic names map to
//!   `rt/<name>` and types to `<pkg>::msg::dds_::<Name>_`, as rmw does.
//! * **In-process bus** ([`Context::bus`]): the same API with no DDS, for pure-logic tests and for running a
//!   whole graph (simulator included) in one process, deterministically and faster than real time.
//!
//! Also here: named QoS profiles ([`Qos`]), ROS 2 parameter files ([`params`]), sim time from `/clock`
//! ([`Clock`]), clean shutdown on SIGINT/SIGTERM ([`shutdown_signal`]), a node process's runtime and
//! its node run on the runtime's workers ([`node_runtime`], [`block_on_task`]), and graph
//! introspection for the `letan topic` / `letan node` tools ([`graph`]). Test support (`testing`: hermetic DDS tests in a network
//! namespace) is behind the feature `testing`, off by default: only tests, benches and examples turn it on.
//!
//! An `rclrs` backend can be added as a third [`Context`] variant where a ROS 2 install exists; nothing
//! outside this crate names a backend type.

pub mod action;
mod bus;
mod clock;
mod dds;
mod dds_action;
mod error;
mod exec;
pub mod graph;
mod inbox;
pub mod lockstep;
mod names;
mod node;
pub mod params;
mod qos;
mod service;
mod shutdown;
/// Test support (network namespaces for hermetic DDS tests): feature `testing`, for tests, benches and
/// examples only.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use action::{ActionClient, ActionServer, ActionServerOptions, GoalHandle, GoalOutcome};
pub use clock::{secs_to_duration, secs_to_time, Clock, Rate};
pub use error::TransportError;
pub use exec::{block_on_task, node_runtime};
pub use letan_msgs as msgs;
/// A ROS 2 action type (goal, result, feedback, `pkg/action/Name`), from `letan-msgs`.
pub use letan_msgs::RosActionType as RosAction;
pub use letan_msgs::RosMessage;
/// A ROS 2 service type (request, response, `pkg/srv/Name`), from `letan-msgs`.
pub use letan_msgs::RosServiceType as RosService;
pub use lockstep::{Lockstep, LockstepError, Settled};
pub use names::{resolve_topic_name, validate_node_name};
pub use node::{Context, DdsOptions, Node, Publisher, ServiceLayout, Subscriber};
pub use qos::{Durability, Qos, Reliability};
pub use service::{ServiceClient, ServiceRequest, ServiceServer};
pub use shutdown::shutdown_signal;

/// Result type of this crate.
pub type Result<T, E = TransportError> = std::result::Result<T, E>;
