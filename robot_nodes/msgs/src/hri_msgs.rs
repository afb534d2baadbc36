//! `hri_msgs` (ROS4HRI, REP-155): the subset Letan uses. Definitions from the ROS 2 branch of
//! `ros4hri/hri_msgs` (note: the ROS 1 releases used an `IdHeader` and a `language` field instead of
//! `locale`; these are the ROS 2 layouts).
//!
//! REP-155 topics: `/humans/faces/tracked` ([`IdsList`]), `/humans/faces/<id>/roi`
//! ([`NormalizedRegionOfInterest2D`]), `/humans/persons/<id>/engagement_status` ([`EngagementLevel`]),
//! `/humans/voices/<id>/speech` ([`LiveSpeech`]).
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `hri_msgs/msg/IdsList`: the ids currently tracked (faces, bodies, voices or persons).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdsList {
    /// Time of the detection the list comes from.
    pub header: Header,
    /// The ids (REP-155: short random strings, e.g. `"a3f9k"`).
    pub ids: Vec<String>,
}

/// `hri_msgs/msg/EngagementLevel`: how engaged a person is with the robot.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngagementLevel {
    /// Time of the estimate.
    pub header: Header,
    /// One of the constants below.
    pub level: u8,
}

impl EngagementLevel {
    /// No information.
    pub const UNKNOWN: u8 = 0;
    /// The person has not looked towards the robot.
    pub const DISENGAGED: u8 = 1;
    /// The person has started to look towards the robot.
    pub const ENGAGING: u8 = 2;
    /// The person is fully engaged with the robot.
    pub const ENGAGED: u8 = 3;
    /// The person has started to look away.
    pub const DISENGAGING: u8 = 4;
}

/// `hri_msgs/msg/LiveSpeech`: incremental and final speech-recognition results of one voice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveSpeech {
    /// Time of the result.
    pub header: Header,
    /// The current partial hypothesis ("" in a final result).
    pub incremental: String,
    /// The final recognised text ("" in a partial result). ROS field name `final`.
    pub r#final: String,
    /// Confidence of the final result, [0, 1].
    pub confidence: f64,
    /// Locale, ISO 639-1 + `_` + ISO 3166-1 alpha-2, e.g. `"vi_VN"`, `"en_GB"`.
    pub locale: String,
}

/// `hri_msgs/msg/NormalizedRegionOfInterest2D`: an image region in normalized coordinates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizedRegionOfInterest2D {
    /// Acquisition time of the source image.
    pub header: Header,
    /// Left edge, [0, 1] of the image width.
    pub xmin: f32,
    /// Top edge, [0, 1] of the image height.
    pub ymin: f32,
    /// Right edge, [0, 1].
    pub xmax: f32,
    /// Bottom edge, [0, 1].
    pub ymax: f32,
    /// Confidence, [0, 1].
    pub c: f32,
}
