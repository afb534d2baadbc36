//! `ros_action!`: what rosidl generates for a `.action` file, for one action.
//!
//! From the hand-written `<Name>_Goal`, `<Name>_Result` and `<Name>_Feedback` structs it makes the
//! marker type, the two services (`<Name>_SendGoal`, `<Name>_GetResult`) with their request and
//! response structs, the `<Name>_FeedbackMessage` struct, every [`crate::RosMessage`] impl (KIND
//! `"action"`: DDS names `pkg::action::dds_::<Name>_SendGoal_Request_`, …) and the
//! [`crate::RosActionType`] impl. The layouts are rosidl's (`rosidl_parser/definition.py`,
//! `Action`): `SendGoal_Request {goal_id, goal}`, `SendGoal_Response {accepted, stamp}`,
//! `GetResult_Request {goal_id}`, `GetResult_Response {int8 status, result}`,
//! `FeedbackMessage {goal_id, feedback}`. `tests/msg_files.rs` checks all eight against the
//! `.action` file.

macro_rules! ros_action {
    (
        package: $pkg:ident,
        action: $action:ident,
        goal: $goal:ident,
        result: $result:ident,
        feedback: $feedback:ident,
        send_goal: $send_goal:ident { $send_req:ident, $send_resp:ident },
        get_result: $get_result:ident { $get_req:ident, $get_resp:ident },
        feedback_message: $fb_msg:ident $(,)?
    ) => {
        #[doc = concat!("`", stringify!($pkg), "/action/", stringify!($action), "`: the action marker type.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $action;

        #[doc = concat!("`", stringify!($pkg), "/action/", stringify!($action), "_SendGoal`: the goal service.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $send_goal;

        #[doc = concat!("`", stringify!($pkg), "/action/", stringify!($action), "_GetResult`: the result service.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $get_result;

        #[doc = concat!("Request of [`", stringify!($send_goal), "`]: a new goal with the id the client chose.")]
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $send_req {
            /// The goal's id (random, chosen by the client).
            pub goal_id: $crate::unique_identifier_msgs::UUID,
            /// The goal.
            pub goal: $goal,
        }

        #[doc = concat!("Response of [`", stringify!($send_goal), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $send_resp {
            /// Whether the server accepted the goal.
            pub accepted: bool,
            /// When it was accepted.
            pub stamp: $crate::builtin_interfaces::Time,
        }

        #[doc = concat!("Request of [`", stringify!($get_result), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $get_req {
            /// Which goal.
            pub goal_id: $crate::unique_identifier_msgs::UUID,
        }

        #[doc = concat!("Response of [`", stringify!($get_result), "`], sent once the goal is terminal.")]
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $get_resp {
            /// A `action_msgs/msg/GoalStatus` `STATUS_*` value (UNKNOWN for an unknown goal).
            pub status: i8,
            /// The result.
            pub result: $result,
        }

        #[doc = concat!("`", stringify!($pkg), "/action/", stringify!($action), "_FeedbackMessage`: feedback for one goal, on `<action>/_action/feedback`.")]
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $fb_msg {
            /// Which goal.
            pub goal_id: $crate::unique_identifier_msgs::UUID,
            /// The feedback.
            pub feedback: $feedback,
        }

        $crate::action_types::ros_action!(@msg $pkg, $goal, concat!(stringify!($action), "_Goal"));
        $crate::action_types::ros_action!(@msg $pkg, $result, concat!(stringify!($action), "_Result"));
        $crate::action_types::ros_action!(@msg $pkg, $feedback, concat!(stringify!($action), "_Feedback"));
        $crate::action_types::ros_action!(@msg $pkg, $send_req, concat!(stringify!($action), "_SendGoal_Request"));
        $crate::action_types::ros_action!(@msg $pkg, $send_resp, concat!(stringify!($action), "_SendGoal_Response"));
        $crate::action_types::ros_action!(@msg $pkg, $get_req, concat!(stringify!($action), "_GetResult_Request"));
        $crate::action_types::ros_action!(@msg $pkg, $get_resp, concat!(stringify!($action), "_GetResult_Response"));
        $crate::action_types::ros_action!(@msg $pkg, $fb_msg, concat!(stringify!($action), "_FeedbackMessage"));

        impl $crate::RosServiceType for $send_goal {
            const PACKAGE: &'static str = stringify!($pkg);
            const NAME: &'static str = concat!(stringify!($action), "_SendGoal");
            const KIND: &'static str = "action";
            type Request = $send_req;
            type Response = $send_resp;
        }

        impl $crate::RosServiceType for $get_result {
            const PACKAGE: &'static str = stringify!($pkg);
            const NAME: &'static str = concat!(stringify!($action), "_GetResult");
            const KIND: &'static str = "action";
            type Request = $get_req;
            type Response = $get_resp;
        }

        impl $crate::RosActionType for $action {
            const PACKAGE: &'static str = stringify!($pkg);
            const NAME: &'static str = stringify!($action);
            type Goal = $goal;
            type Result = $result;
            type Feedback = $feedback;
            type SendGoal = $send_goal;
            type GetResult = $get_result;
            type FeedbackMessage = $fb_msg;
        }
    };
    (@msg $pkg:ident, $ty:ident, $name:expr) => {
        impl $crate::RosMessage for $ty {
            const PACKAGE: &'static str = stringify!($pkg);
            const NAME: &'static str = $name;
            const KIND: &'static str = "action";
        }
    };
}
pub(crate) use ros_action;
