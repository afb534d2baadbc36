//! `nav2_msgs`: the [`NavigateToPose`] action (Jazzy layout), the interface Nav2's RViz panel and
//! `ros2 action send_goal /navigate_to_pose nav2_msgs/action/NavigateToPose …` speak.
//!
//! Wire names: `nav2_msgs/action/NavigateToPose`, DDS types
//! `nav2_msgs::action::dds_::NavigateToPose_SendGoal_Request_` and so on. The result is Jazzy's
//! (`uint16 error_code`, `string error_msg`); Humble's `std_msgs/Empty result` and Kilted's longer
//! feedback are different layouts and do not interoperate.
use crate::builtin_interfaces::Duration;
use crate::geometry_msgs::PoseStamped;
use serde::{Deserialize, Serialize};

/// `nav2_msgs/action/NavigateToPose_Goal`: where to go.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavigateToPoseGoal {
    /// The goal pose, usually in `map`.
    pub pose: PoseStamped,
    /// A behavior tree file or id for Nav2; `""` = the default. Letan ignores it.
    pub behavior_tree: String,
}

/// `nav2_msgs/action/NavigateToPose_Result`: how it ended, as an error code plus a message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavigateToPoseResult {
    /// [`NavigateToPoseResult::NONE`] on success, else one of the other constants.
    pub error_code: u16,
    /// A human-readable reason, `""` on success.
    pub error_msg: String,
}

impl NavigateToPoseResult {
    /// No error.
    pub const NONE: u16 = 0;
    /// Something else went wrong.
    pub const UNKNOWN: u16 = 9000;
    /// The requested behavior tree could not be loaded.
    pub const FAILED_TO_LOAD_BEHAVIOR_TREE: u16 = 9001;
    /// A transform was missing.
    pub const TF_ERROR: u16 = 9002;
}

/// `nav2_msgs/action/NavigateToPose_Feedback`: progress, published while navigating.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavigateToPoseFeedback {
    /// Where the robot is now.
    pub current_pose: PoseStamped,
    /// Time since the goal started.
    pub navigation_time: Duration,
    /// Estimated time to arrival.
    pub estimated_time_remaining: Duration,
    /// Recoveries run so far.
    pub number_of_recoveries: i16,
    /// Path length left, in metres.
    pub distance_remaining: f32,
}

crate::action_types::ros_action! {
    package: nav2_msgs,
    action: NavigateToPose,
    goal: NavigateToPoseGoal,
    result: NavigateToPoseResult,
    feedback: NavigateToPoseFeedback,
    send_goal: NavigateToPoseSendGoal { NavigateToPoseSendGoalRequest, NavigateToPoseSendGoalResponse },
    get_result: NavigateToPoseGetResult { NavigateToPoseGetResultRequest, NavigateToPoseGetResultResponse },
    feedback_message: NavigateToPoseFeedbackMessage,
}
