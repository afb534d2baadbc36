//! `std_msgs`: [`Header`], [`StringMsg`] (ROS `std_msgs/String`), [`Bool`], [`Empty`], [`Float32`],
//! [`ColorRGBA`].
use crate::builtin_interfaces::Time;
use serde::{Deserialize, Serialize};

/// `std_msgs/msg/Header`: when the data was acquired and in which coordinate frame.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Header {
    /// Acquisition time of the data.
    pub stamp: Time,
    /// Coordinate frame of the data (REP-105 names: `map`, `odom`, `base_link`, `laser`, ...).
    pub frame_id: String,
}

impl Header {
    /// A header with this stamp and frame.
    pub fn new(stamp: Time, frame_id: impl Into<String>) -> Self {
        Self {
            stamp,
            frame_id: frame_id.into(),
        }
    }
}

/// `std_msgs/msg/String`. Named `StringMsg` in Rust so that it does not shadow [`String`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StringMsg {
    /// The text, UTF-8.
    pub data: String,
}

impl From<&str> for StringMsg {
    fn from(s: &str) -> Self {
        Self {
            data: s.to_string(),
        }
    }
}

/// `std_msgs/msg/Bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bool {
    /// The value.
    pub data: bool,
}

/// `std_msgs/msg/Empty`: no fields. On the wire it is one `0` octet (the ROS 2 IDL's
/// `structure_needs_at_least_one_member`); in YAML it is `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Empty {}

crate::serde_helpers::empty_message_serde!(Empty, "Empty");

/// `std_msgs/msg/Float32`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Float32 {
    /// The value.
    pub data: f32,
}

/// `std_msgs/msg/ColorRGBA`: a colour, each channel in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColorRGBA {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
    /// Alpha (1 = opaque).
    pub a: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_new_sets_stamp_and_frame() {
        let h = Header::new(Time::new(3, 4), "base_link");
        assert_eq!(h.stamp, Time { sec: 3, nanosec: 4 });
        assert_eq!(h.frame_id, "base_link");
        assert_eq!(StringMsg::from("xin chào").data, "xin chào");
    }
}
