//! ROS 2 Jazzy message types as plain serde structs, plus Letan's own `letan_interfaces`.
//!
//! Every struct has the exact ROS type name and the field order and field types of its `.msg`
//! definition. On the wire (CDR, XCDR1) a message is *positional*: nothing checks names or types,
//! so a wrong field order or width decodes silently into garbage. To stop that, every type's `.msg`
//! file is kept in `msg/<package>/<Name>.msg` (`srv/` for services, `action/` for actions: see
//! [`RosActionType`]) and `tests/msg_files.rs` checks
//! the Rust struct against it, field by field and type by type. `tests/golden.rs` compares our CDR
//! bytes with those of the real Cyclone DDS implementation.
//!
//! Modules are named after the ROS packages. The Rust name is the ROS name, except
//! `std_msgs/String`, which is [`std_msgs::StringMsg`] (so that it does not shadow `String`).
//!
//! Serde conventions, shared by all types:
//! - `#[serde(default, deny_unknown_fields)]` on every struct: YAML such as `{linear: {x: 0.2}}`
//!   fills the other fields with their ROS defaults, and a misspelled key is an error naming it.
//!   CDR is positional and ignores both attributes.
//! - byte arrays (`uint8[]`, `int8[]`) are written as one block in CDR (fast) and as a list of
//!   integers in YAML/JSON; fixed arrays (`float64[36]`) are written without a length, as CDR wants.
//! - empty messages (`std_msgs/Empty`, `std_srvs/Trigger` request) carry the one `uint8` that the
//!   ROS 2 IDL adds to every empty struct (`structure_needs_at_least_one_member`), in CDR only.
//!
//! The audio type is `audio_common_msgs` (see [`audio_common_msgs`] for why).
//!
//! Choosing a type at run time by name, as `letan topic pub` does:
//!
//! ```
//! use letan_msgs::{visit_type, RosMessage, TypeVisitor};
//!
//! /// Parses YAML into whatever message type the name designates, and re-prints it.
//! struct FromYaml<'a>(&'a str);
//!
//! impl TypeVisitor for FromYaml<'_> {
//!     type Output = Result<String, serde_yaml::Error>;
//!     fn visit<M: RosMessage>(self) -> Self::Output {
//!         let msg: M = serde_yaml::from_str(self.0)?;
//!         Ok(format!("{}: {}", M::dds_type_name(), serde_yaml::to_string(&msg)?.trim()))
//!     }
//! }
//!
//! let out = visit_type("geometry_msgs/Vector3", FromYaml("{x: 0.5}")).expect("a known type");
//! assert_eq!(out.expect("valid YAML"), "geometry_msgs::msg::dds_::Vector3_: x: 0.5\ny: 0.0\nz: 0.0");
//! assert!(visit_type("geometry_msgs/msg/Vector3", FromYaml("{w: 1}")).expect("known").is_err());
//! assert!(visit_type("geometry_msgs/msg/Nope", FromYaml("{}")).is_none());
//! ```
#![forbid(unsafe_code)]

pub mod action_msgs;
mod action_types;
pub mod audio_common_msgs;
pub mod builtin_interfaces;
pub mod geometry_msgs;
pub mod hri_msgs;
pub mod letan_interfaces;
pub mod nav2_msgs;
pub mod nav_msgs;
pub mod rosgraph_msgs;
pub mod sensor_msgs;
pub mod std_msgs;
pub mod std_srvs;
pub mod tf2_msgs;
pub mod unique_identifier_msgs;

mod serde_helpers;

/// A ROS 2 message type: serde (de)serializable, with its ROS package and type name.
///
/// Implemented by the `ros_messages!` registry below (and for service requests/responses in
/// [`std_srvs`]); do not implement it by hand, or [`known_types`] will miss the type.
pub trait RosMessage:
    serde::Serialize
    + serde::de::DeserializeOwned
    + Clone
    + std::fmt::Debug
    + Default
    + PartialEq
    + Send
    + Sync
    + 'static
{
    /// The ROS package, e.g. `"geometry_msgs"`.
    const PACKAGE: &'static str;
    /// The type name inside the package, e.g. `"Twist"` (`"SetBool_Request"` for a service request).
    const NAME: &'static str;
    /// The interface kind: `"msg"` for topics, `"srv"` for service requests and responses.
    const KIND: &'static str = "msg";
    /// `"geometry_msgs/msg/Twist"`.
    fn type_name() -> String {
        format!("{}/{}/{}", Self::PACKAGE, Self::KIND, Self::NAME)
    }
    /// The DDS type name ROS 2 uses on the wire: `"geometry_msgs::msg::dds_::Twist_"`.
    fn dds_type_name() -> String {
        format!("{}::{}::dds_::{}_", Self::PACKAGE, Self::KIND, Self::NAME)
    }
}

/// A ROS 2 service type (`std_srvs/srv/SetBool`): a marker type naming its request and response.
pub trait RosServiceType: Send + Sync + 'static {
    /// The ROS package, e.g. `"std_srvs"`.
    const PACKAGE: &'static str;
    /// The service name inside the package, e.g. `"SetBool"`.
    const NAME: &'static str;
    /// The request message (`SetBool_Request`).
    type Request: RosMessage;
    /// The response message (`SetBool_Response`).
    type Response: RosMessage;
    /// The interface kind: `"srv"`, or `"action"` for the services an action is made of
    /// (`nav2_msgs/action/NavigateToPose_SendGoal`).
    const KIND: &'static str = "srv";
    /// `"std_srvs/srv/SetBool"`.
    fn type_name() -> String {
        format!("{}/{}/{}", Self::PACKAGE, Self::KIND, Self::NAME)
    }
}

/// A ROS 2 action type (`nav2_msgs/action/NavigateToPose`): a marker type naming the messages
/// rosidl generates for it. Implemented by the crate's `ros_action!` macro (see
/// [`nav2_msgs::NavigateToPose`]); a new action is also added by hand to `registry::KNOWN_ACTIONS`
/// and `registry::visit_action` in `lib.rs` (the `msg_files` test fails until it is).
///
/// On the wire an action `/a` is three services and two topics: `/a/_action/send_goal`
/// ([`Self::SendGoal`]), `/a/_action/cancel_goal` ([`action_msgs::CancelGoal`]),
/// `/a/_action/get_result` ([`Self::GetResult`]), `/a/_action/feedback` ([`Self::FeedbackMessage`])
/// and `/a/_action/status` ([`action_msgs::GoalStatusArray`]).
pub trait RosActionType: Send + Sync + 'static {
    /// The ROS package, e.g. `"nav2_msgs"`.
    const PACKAGE: &'static str;
    /// The action name inside the package, e.g. `"NavigateToPose"`.
    const NAME: &'static str;
    /// `<Name>_Goal`.
    type Goal: RosMessage;
    /// `<Name>_Result`.
    type Result: RosMessage;
    /// `<Name>_Feedback`.
    type Feedback: RosMessage;
    /// `<Name>_SendGoal`: request `{goal_id, goal}`, response `{accepted, stamp}`.
    type SendGoal: RosServiceType;
    /// `<Name>_GetResult`: request `{goal_id}`, response `{int8 status, result}`.
    type GetResult: RosServiceType;
    /// `<Name>_FeedbackMessage`: `{goal_id, feedback}`.
    type FeedbackMessage: RosMessage;
    /// `"nav2_msgs/action/NavigateToPose"`.
    fn type_name() -> String {
        format!("{}/action/{}", Self::PACKAGE, Self::NAME)
    }
}

/// Something to do with an action type chosen at run time by name (see [`visit_action`]).
pub trait ActionVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the action type that the name designates.
    fn visit<A: RosActionType>(self) -> Self::Output;
}

/// Something to do with a message type chosen at run time by name (see [`visit_type`]).
pub trait TypeVisitor {
    /// What the visit returns.
    type Output;
    /// Called with the message type that the name designates.
    fn visit<M: RosMessage>(self) -> Self::Output;
}

/// Splits a type name into (package, name). Accepts `pkg/msg/Name`, `pkg/Name` and the DDS form
/// `pkg::msg::dds_::Name_`.
fn split_type_name(type_name: &str) -> Option<(&str, &str)> {
    let t = type_name.trim();
    if let Some(rest) = t.strip_suffix('_') {
        let mut parts = rest.split("::");
        if let (Some(pkg), Some("msg"), Some("dds_"), Some(name), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) {
            return Some((pkg, name));
        }
    }
    let parts: Vec<&str> = t.split('/').collect();
    match parts.as_slice() {
        [pkg, "msg", name] | [pkg, name] if !pkg.is_empty() && !name.is_empty() => {
            Some((pkg, name))
        }
        _ => None,
    }
}

/// Calls `v.visit::<M>()` with the message type `M` that `type_name` designates, or returns `None`
/// for an unknown type. Accepts `"geometry_msgs/msg/Twist"`, `"geometry_msgs/Twist"` and the DDS form
/// `"geometry_msgs::msg::dds_::Twist_"`.
pub fn visit_type<V: TypeVisitor>(type_name: &str, v: V) -> Option<V::Output> {
    let (pkg, name) = split_type_name(type_name)?;
    registry::visit(pkg, name, v)
}

/// The canonical name (`pkg/msg/Name`) of every message type in this crate.
pub fn known_types() -> &'static [&'static str] {
    registry::KNOWN_TYPES
}

/// The canonical name (`pkg/srv/Name`) of every service type in this crate.
pub fn known_services() -> &'static [&'static str] {
    registry::KNOWN_SERVICES
}

/// The canonical name (`pkg/action/Name`) of every action type in this crate.
pub fn known_actions() -> &'static [&'static str] {
    registry::KNOWN_ACTIONS
}

/// Calls `v` with the action type named `type_name` (`pkg/action/Name` or `pkg/Name`); `None`
/// for an unknown or malformed name.
pub fn visit_action<V: ActionVisitor>(type_name: &str, v: V) -> Option<V::Output> {
    let parts: Vec<&str> = type_name.trim().split('/').collect();
    let (pkg, name) = match parts.as_slice() {
        [pkg, "action", name] | [pkg, name] => (*pkg, *name),
        _ => return None,
    };
    registry::visit_action(pkg, name, v)
}

/// Implements [`RosMessage`] for each listed type and registers it for [`visit_type`] and
/// [`known_types`], so the list cannot miss a type that has the trait.
/// Syntax: `package { Type, Type = "RosName", ... }`.
macro_rules! ros_messages {
    ( $( $pkg:ident { $( $ty:ident $( = $name:literal )? ),* $(,)? } )* ) => {
        $( $(
            impl $crate::RosMessage for $crate::$pkg::$ty {
                const PACKAGE: &'static str = stringify!($pkg);
                const NAME: &'static str = ros_messages!(@name $ty $(, $name)?);
            }
        )* )*

        pub(crate) const KNOWN_TYPES: &[&str] = &[
            $( $( concat!(stringify!($pkg), "/msg/", ros_messages!(@name $ty $(, $name)?)), )* )*
        ];

        pub(crate) fn visit<V: $crate::TypeVisitor>(pkg: &str, name: &str, v: V) -> Option<V::Output> {
            $( $(
                if pkg == stringify!($pkg) && name == ros_messages!(@name $ty $(, $name)?) {
                    return Some(v.visit::<$crate::$pkg::$ty>());
                }
            )* )*
            None
        }
    };
    (@name $ty:ident) => { stringify!($ty) };
    (@name $ty:ident, $name:literal) => { $name };
}

mod registry {
    ros_messages! {
        builtin_interfaces { Time, Duration }
        std_msgs { Header, StringMsg = "String", Bool, Empty, Float32, ColorRGBA }
        geometry_msgs {
            Vector3, Point, Quaternion, Pose, PoseWithCovariance, PoseStamped,
            PoseWithCovarianceStamped, Twist, TwistWithCovariance, TwistStamped,
            Transform, TransformStamped,
        }
        sensor_msgs { LaserScan, Image, CompressedImage, CameraInfo, RegionOfInterest }
        nav_msgs { Odometry, OccupancyGrid, MapMetaData, Path }
        tf2_msgs { TFMessage }
        rosgraph_msgs { Clock }
        hri_msgs { IdsList, EngagementLevel, LiveSpeech, NormalizedRegionOfInterest2D }
        audio_common_msgs { AudioData, AudioDataStamped, AudioInfo }
        letan_interfaces {
            Transcript, SayRequest, DialogState, Intent, IntentHypothesis, MuxStatus,
            StaffAlert, NavGoalPlace, GuideStatus, SpeechStatus, ScreenContent,
        }
        unique_identifier_msgs { UUID }
        action_msgs { GoalInfo, GoalStatus, GoalStatusArray }
    }

    pub(crate) const KNOWN_SERVICES: &[&str] = &[
        "std_srvs/srv/SetBool",
        "std_srvs/srv/Trigger",
        "action_msgs/srv/CancelGoal",
    ];

    pub(crate) const KNOWN_ACTIONS: &[&str] = &["nav2_msgs/action/NavigateToPose"];

    pub(crate) fn visit_action<V: crate::ActionVisitor>(
        pkg: &str,
        name: &str,
        v: V,
    ) -> Option<V::Output> {
        match (pkg, name) {
            ("nav2_msgs", "NavigateToPose") => Some(v.visit::<crate::nav2_msgs::NavigateToPose>()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names;
    impl TypeVisitor for Names {
        type Output = (String, String);
        fn visit<M: RosMessage>(self) -> Self::Output {
            (M::type_name(), M::dds_type_name())
        }
    }

    #[test]
    fn the_three_spellings_of_a_type_name_find_the_same_type() {
        let want = (
            "geometry_msgs/msg/Twist".to_string(),
            "geometry_msgs::msg::dds_::Twist_".to_string(),
        );
        for name in [
            "geometry_msgs/msg/Twist",
            "geometry_msgs/Twist",
            "geometry_msgs::msg::dds_::Twist_",
            " geometry_msgs/msg/Twist ",
        ] {
            assert_eq!(visit_type(name, Names), Some(want.clone()), "{name}");
        }
        let s = visit_type("std_msgs/msg/String", Names).map(|n| n.0);
        assert_eq!(s.as_deref(), Some("std_msgs/msg/String"));
    }

    #[test]
    fn unknown_or_malformed_names_are_none() {
        for name in [
            "",
            "Twist",
            "geometry_msgs/msg/Twistt",
            "geometry_msgs/srv/Twist",
            "geometry_msgs/msg/Twist/x",
            "/Twist",
            "geometry_msgs/",
            "geometry_msgs::msg::dds_::Twist",
            "geometry_msgs::srv::dds_::Twist_",
            "std_msgs/msg/StringMsg",
            "std_srvs/msg/SetBool_Request",
        ] {
            assert_eq!(visit_type(name, Names), None, "{name:?}");
        }
    }

    #[test]
    fn known_types_are_unique_canonical_and_all_visitable() {
        let known = known_types();
        assert!(known.len() >= 44, "{}", known.len());
        let mut seen = std::collections::HashSet::new();
        for name in known {
            assert!(seen.insert(*name), "duplicate {name}");
            let got = visit_type(name, Names).map(|n| n.0);
            assert_eq!(got.as_deref(), Some(*name));
        }
        assert!(known.contains(&"tf2_msgs/msg/TFMessage"));
        assert!(known.contains(&"letan_interfaces/msg/Transcript"));
    }

    #[test]
    fn service_types_have_srv_names() {
        use std_srvs::{SetBool, SetBoolRequest, Trigger, TriggerResponse};
        assert_eq!(SetBool::type_name(), "std_srvs/srv/SetBool");
        assert_eq!(Trigger::type_name(), "std_srvs/srv/Trigger");
        assert_eq!(SetBoolRequest::type_name(), "std_srvs/srv/SetBool_Request");
        assert_eq!(
            TriggerResponse::dds_type_name(),
            "std_srvs::srv::dds_::Trigger_Response_"
        );
        assert_eq!(
            known_services(),
            &[
                "std_srvs/srv/SetBool",
                "std_srvs/srv/Trigger",
                "action_msgs/srv/CancelGoal"
            ]
        );
        assert_eq!(
            action_msgs::CancelGoal::type_name(),
            "action_msgs/srv/CancelGoal"
        );
        assert_eq!(
            action_msgs::CancelGoalResponse::dds_type_name(),
            "action_msgs::srv::dds_::CancelGoal_Response_"
        );
    }

    struct ActionNames;
    impl ActionVisitor for ActionNames {
        type Output = Vec<String>;
        fn visit<A: RosActionType>(self) -> Self::Output {
            vec![
                A::type_name(),
                A::Goal::dds_type_name(),
                A::Result::dds_type_name(),
                A::Feedback::dds_type_name(),
                <A::SendGoal as RosServiceType>::type_name(),
                <A::SendGoal as RosServiceType>::Request::dds_type_name(),
                <A::SendGoal as RosServiceType>::Response::dds_type_name(),
                <A::GetResult as RosServiceType>::type_name(),
                <A::GetResult as RosServiceType>::Request::dds_type_name(),
                <A::GetResult as RosServiceType>::Response::dds_type_name(),
                A::FeedbackMessage::dds_type_name(),
            ]
        }
    }

    #[test]
    fn action_types_have_the_names_rosidl_generates() {
        let want = [
            "nav2_msgs/action/NavigateToPose",
            "nav2_msgs::action::dds_::NavigateToPose_Goal_",
            "nav2_msgs::action::dds_::NavigateToPose_Result_",
            "nav2_msgs::action::dds_::NavigateToPose_Feedback_",
            "nav2_msgs/action/NavigateToPose_SendGoal",
            "nav2_msgs::action::dds_::NavigateToPose_SendGoal_Request_",
            "nav2_msgs::action::dds_::NavigateToPose_SendGoal_Response_",
            "nav2_msgs/action/NavigateToPose_GetResult",
            "nav2_msgs::action::dds_::NavigateToPose_GetResult_Request_",
            "nav2_msgs::action::dds_::NavigateToPose_GetResult_Response_",
            "nav2_msgs::action::dds_::NavigateToPose_FeedbackMessage_",
        ];
        for name in [
            "nav2_msgs/action/NavigateToPose",
            "nav2_msgs/NavigateToPose",
            " nav2_msgs/action/NavigateToPose ",
        ] {
            let got = visit_action(name, ActionNames).expect("known action");
            assert_eq!(got, want, "{name}");
        }
        for bad in [
            "",
            "NavigateToPose",
            "nav2_msgs/msg/NavigateToPose",
            "nav2_msgs/action/NavigateToPose/x",
            "nav2_msgs/action/Nope",
        ] {
            assert_eq!(visit_action(bad, ActionNames), None, "{bad:?}");
        }
        for name in known_actions() {
            assert_eq!(
                visit_action(name, ActionNames)
                    .map(|v| v[0].clone())
                    .as_deref(),
                Some(*name)
            );
        }
        assert_eq!(
            unique_identifier_msgs::UUID::dds_type_name(),
            "unique_identifier_msgs::msg::dds_::UUID_"
        );
        assert_eq!(
            action_msgs::GoalStatusArray::type_name(),
            "action_msgs/msg/GoalStatusArray"
        );
    }
}
