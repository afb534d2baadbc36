//! Graph introspection for `letan topic list` and `letan node list`: what is on the domain or bus.
use crate::dds::{dds_to_ros_topic, dds_to_ros_type};
use crate::node::{Backend, Context};
use crate::qos::Qos;
use crate::{Result, TransportError};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A topic and the types it is seen with (more than one is a misconfiguration worth showing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: String,
    pub types: Vec<String>,
    /// The DDS type names, as discovered (empty on the bus).
    pub dds_types: Vec<String>,
}

/// An action on the graph and the types it is seen with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInfo {
    /// `/navigate_to_pose`.
    pub name: String,
    /// `nav2_msgs/action/NavigateToPose`.
    pub types: Vec<String>,
}

/// `rt/a/b/_action/feedback` with `pkg::action::dds_::Name_FeedbackMessage_` → (`/a/b`,
/// `pkg/action/Name`): actions are found by their feedback topic, as `ros2 action list` does.
pub(crate) fn action_from_feedback_topic(topic: &str, dds_type: &str) -> Option<(String, String)> {
    let name = dds_to_ros_topic(topic)?
        .strip_suffix("/_action/feedback")?
        .to_string();
    let ty = dds_to_ros_type(dds_type)?;
    let ty = ty.strip_suffix("_FeedbackMessage")?;
    if name.is_empty() || !ty.contains("/action/") {
        return None;
    }
    Some((name, ty.to_string()))
}

impl Context {
    /// Actions on the graph after waiting `wait` for discovery (like `ros2 action list`).
    pub async fn actions(&self, wait: Duration) -> Vec<ActionInfo> {
        let found: BTreeMap<String, BTreeSet<String>> = match &self.backend {
            Backend::Bus(b) => b
                .actions()
                .into_iter()
                .map(|(name, ty)| (name, BTreeSet::from([ty])))
                .collect(),
            Backend::Dds(d) => {
                tokio::time::sleep(wait).await;
                let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                for t in d.ctx.discovered_topics() {
                    if let Some((name, ty)) = action_from_feedback_topic(&t.name, &t.type_name) {
                        map.entry(name).or_default().insert(ty);
                    }
                }
                map
            }
        };
        found
            .into_iter()
            .map(|(name, types)| ActionInfo {
                name,
                types: types.into_iter().collect(),
            })
            .collect()
    }

    /// Topics seen on the graph after waiting `wait` for discovery (ROS topics only: `rt/...`).
    pub async fn topics(&self, wait: Duration) -> Vec<TopicInfo> {
        match &self.backend {
            Backend::Bus(b) => b
                .topics()
                .into_iter()
                .map(|(name, types)| TopicInfo {
                    name,
                    types: types.into_iter().collect(),
                    dds_types: Vec::new(),
                })
                .collect(),
            Backend::Dds(d) => {
                tokio::time::sleep(wait).await;
                let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                for t in d.ctx.discovered_topics() {
                    if let Some(name) = dds_to_ros_topic(&t.name) {
                        map.entry(name).or_default().insert(t.type_name.clone());
                    }
                }
                map.into_iter()
                    .map(|(name, dds)| TopicInfo {
                        name,
                        types: dds
                            .iter()
                            .map(|t| dds_to_ros_type(t).unwrap_or_else(|| t.clone()))
                            .collect(),
                        dds_types: dds.into_iter().collect(),
                    })
                    .collect()
            }
        }
    }

    /// Fully qualified names of the ROS 2 nodes on the graph (from `ros_discovery_info`, as `ros2 node list`).
    #[allow(clippy::disallowed_methods)] // transport's edge: graph discovery waits in wall time
    pub async fn nodes(&self, wait: Duration) -> Result<Vec<String>> {
        match &self.backend {
            Backend::Bus(b) => Ok(b.nodes()),
            Backend::Dds(d) => {
                let mut probe = d
                    .ctx
                    .new_node(
                        ros2_client::NodeName::new("/", "_letan_graph_probe")
                            .map_err(|e| TransportError::dds("naming the probe node", e))?,
                        ros2_client::NodeOptions::new().enable_rosout(false),
                    )
                    .map_err(|e| TransportError::dds("creating the probe node", e))?;
                let qos = Qos::latched().with_depth(1).to_ros2();
                let topic = d
                    .ctx
                    .create_topic(
                        "ros_discovery_info".to_string(),
                        ros2_client::MessageTypeName::new(
                            "rmw_dds_common",
                            "ParticipantEntitiesInfo",
                        ),
                        &qos,
                    )
                    .map_err(|e| TransportError::dds("opening ros_discovery_info", e))?;
                let sub = probe
                    .create_subscription::<ros2_client::entities_info::ParticipantEntitiesInfo>(
                        &topic,
                        Some(qos),
                    )
                    .map_err(|e| TransportError::dds("subscribing to ros_discovery_info", e))?;
                let deadline = tokio::time::Instant::now() + wait;
                // Latest info per participant: a participant republishes its whole node list on change.
                let mut per_participant = BTreeMap::new();
                loop {
                    match sub.take() {
                        Ok(Some((info, _))) => {
                            per_participant.insert(format!("{:?}", info.gid()), info);
                            continue;
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = ?e, "bad ros_discovery_info sample"),
                    }
                    if tokio::time::Instant::now() >= deadline {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let mut names: BTreeSet<String> = BTreeSet::new();
                for info in per_participant.values() {
                    for n in info.nodes() {
                        let fq = n.fully_qualified_name();
                        if !fq.ends_with("/_letan_graph_probe") {
                            names.insert(fq);
                        }
                    }
                }
                Ok(names.into_iter().collect())
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_found_by_their_feedback_topic() {
        assert_eq!(
            action_from_feedback_topic(
                "rt/robot/navigate_to_pose/_action/feedback",
                "nav2_msgs::action::dds_::NavigateToPose_FeedbackMessage_"
            ),
            Some((
                "/robot/navigate_to_pose".to_string(),
                "nav2_msgs/action/NavigateToPose".to_string()
            ))
        );
        for (topic, ty) in [
            (
                "rt/navigate_to_pose/_action/status",
                "action_msgs::msg::dds_::GoalStatusArray_",
            ),
            ("rt/_action/feedback", "a::action::dds_::B_FeedbackMessage_"),
            ("rt/x/_action/feedback", "a::msg::dds_::B_"),
            (
                "rq/x/_action/feedback",
                "a::action::dds_::B_FeedbackMessage_",
            ),
        ] {
            assert_eq!(action_from_feedback_topic(topic, ty), None, "{topic}");
        }
    }
}
