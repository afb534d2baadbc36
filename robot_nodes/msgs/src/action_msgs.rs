//! `action_msgs`: the goal bookkeeping every ROS 2 action shares: [`GoalInfo`], [`GoalStatus`],
//! [`GoalStatusArray`] (the `<action>/_action/status` topic) and the [`CancelGoal`] service
//! (`<action>/_action/cancel_goal`).
use crate::builtin_interfaces::Time;
use crate::unique_identifier_msgs::UUID;
use crate::{RosMessage, RosServiceType};
use serde::{Deserialize, Serialize};

/// `action_msgs/msg/GoalInfo`: a goal id and the time the server accepted the goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalInfo {
    /// The goal's id, chosen by the client.
    pub goal_id: UUID,
    /// When the goal was accepted (zero in a cancel request: no time limit).
    pub stamp: Time,
}

/// `action_msgs/msg/GoalStatus`: one goal's state in the action state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalStatus {
    /// Which goal.
    pub goal_info: GoalInfo,
    /// One of the `STATUS_*` constants.
    pub status: i8,
}

impl GoalStatus {
    /// The status has not been set (also: a result asked for an unknown goal).
    pub const STATUS_UNKNOWN: i8 = 0;
    /// Accepted, waiting to execute.
    pub const STATUS_ACCEPTED: i8 = 1;
    /// Executing.
    pub const STATUS_EXECUTING: i8 = 2;
    /// A client asked to cancel and the server accepted; the goal is winding down.
    pub const STATUS_CANCELING: i8 = 3;
    /// Achieved (terminal).
    pub const STATUS_SUCCEEDED: i8 = 4;
    /// Canceled after a client's request (terminal).
    pub const STATUS_CANCELED: i8 = 5;
    /// Given up by the server without a request (terminal).
    pub const STATUS_ABORTED: i8 = 6;

    /// `true` for SUCCEEDED, CANCELED and ABORTED: the goal will not change again.
    pub fn is_terminal_status(status: i8) -> bool {
        matches!(
            status,
            Self::STATUS_SUCCEEDED | Self::STATUS_CANCELED | Self::STATUS_ABORTED
        )
    }

    /// The constant's name without `STATUS_` (`"SUCCEEDED"`), or `"INVALID(<n>)"`.
    pub fn status_name(status: i8) -> String {
        match status {
            Self::STATUS_UNKNOWN => "UNKNOWN".into(),
            Self::STATUS_ACCEPTED => "ACCEPTED".into(),
            Self::STATUS_EXECUTING => "EXECUTING".into(),
            Self::STATUS_CANCELING => "CANCELING".into(),
            Self::STATUS_SUCCEEDED => "SUCCEEDED".into(),
            Self::STATUS_CANCELED => "CANCELED".into(),
            Self::STATUS_ABORTED => "ABORTED".into(),
            other => format!("INVALID({other})"),
        }
    }
}

/// `action_msgs/msg/GoalStatusArray`: every goal the server still knows, published on each change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoalStatusArray {
    /// One entry per goal.
    pub status_list: Vec<GoalStatus>,
}

/// `action_msgs/srv/CancelGoal`: ask an action server to cancel one, some or all goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancelGoal;

/// Request of [`CancelGoal`]. Policy: zero id and zero stamp cancel every goal; zero id and a
/// stamp cancel the goals accepted at or before it; an id cancels that goal (and, with a stamp,
/// also every goal accepted at or before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CancelGoalRequest {
    /// Which goals.
    pub goal_info: GoalInfo,
}

/// Response of [`CancelGoal`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CancelGoalResponse {
    /// One of the `ERROR_*` constants.
    pub return_code: i8,
    /// The goals that are now canceling.
    pub goals_canceling: Vec<GoalInfo>,
}

impl CancelGoalResponse {
    /// Accepted: one or more goals are now CANCELING (`goals_canceling` is not empty).
    pub const ERROR_NONE: i8 = 0;
    /// Rejected: no goal changed state.
    pub const ERROR_REJECTED: i8 = 1;
    /// The requested goal id does not exist.
    pub const ERROR_UNKNOWN_GOAL_ID: i8 = 2;
    /// The goal is already in a terminal state.
    pub const ERROR_GOAL_TERMINATED: i8 = 3;
}

impl RosMessage for CancelGoalRequest {
    const PACKAGE: &'static str = "action_msgs";
    const NAME: &'static str = "CancelGoal_Request";
    const KIND: &'static str = "srv";
}

impl RosMessage for CancelGoalResponse {
    const PACKAGE: &'static str = "action_msgs";
    const NAME: &'static str = "CancelGoal_Response";
    const KIND: &'static str = "srv";
}

impl RosServiceType for CancelGoal {
    const PACKAGE: &'static str = "action_msgs";
    const NAME: &'static str = "CancelGoal";
    type Request = CancelGoalRequest;
    type Response = CancelGoalResponse;
}
