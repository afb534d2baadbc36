//! `std_srvs`: [`SetBool`] and [`Trigger`], with their request and response messages.
//!
//! The request/response structs implement [`RosMessage`] with `KIND = "srv"`, so their type names
//! are the ones the ROS 2 IDL generates (`std_srvs/srv/SetBool_Request`,
//! `std_srvs::srv::dds_::SetBool_Request_`). They are not topic types and are not in
//! [`crate::known_types`]; the services are listed by [`crate::known_services`].
use crate::{RosMessage, RosServiceType};
use serde::{Deserialize, Serialize};

/// `std_srvs/srv/SetBool`: switch something on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetBool;

/// Request of [`SetBool`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetBoolRequest {
    /// The value to set.
    pub data: bool,
}

/// Response of [`SetBool`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetBoolResponse {
    /// Whether it worked.
    pub success: bool,
    /// Informational, e.g. why it failed.
    pub message: String,
}

/// `std_srvs/srv/Trigger`: do something now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trigger;

/// Request of [`Trigger`]: no fields (one dummy octet on the wire, like `std_msgs/Empty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TriggerRequest {}

crate::serde_helpers::empty_message_serde!(TriggerRequest, "Trigger_Request");

/// Response of [`Trigger`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriggerResponse {
    /// Whether it worked.
    pub success: bool,
    /// Informational, e.g. why it failed.
    pub message: String,
}

macro_rules! srv_message {
    ($ty:ident, $name:literal) => {
        impl RosMessage for $ty {
            const PACKAGE: &'static str = "std_srvs";
            const NAME: &'static str = $name;
            const KIND: &'static str = "srv";
        }
    };
}
srv_message!(SetBoolRequest, "SetBool_Request");
srv_message!(SetBoolResponse, "SetBool_Response");
srv_message!(TriggerRequest, "Trigger_Request");
srv_message!(TriggerResponse, "Trigger_Response");

impl RosServiceType for SetBool {
    const PACKAGE: &'static str = "std_srvs";
    const NAME: &'static str = "SetBool";
    type Request = SetBoolRequest;
    type Response = SetBoolResponse;
}

impl RosServiceType for Trigger {
    const PACKAGE: &'static str = "std_srvs";
    const NAME: &'static str = "Trigger";
    type Request = TriggerRequest;
    type Response = TriggerResponse;
}
