//! `tf2_msgs`: [`TFMessage`], the message of `/tf` and `/tf_static`.
use crate::geometry_msgs::TransformStamped;
use serde::{Deserialize, Serialize};

/// `tf2_msgs/msg/TFMessage`: a batch of transforms.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TFMessage {
    /// Each transform gives `child_frame_id`'s pose in `header.frame_id`.
    pub transforms: Vec<TransformStamped>,
}
