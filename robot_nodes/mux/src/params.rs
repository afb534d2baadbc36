//! Typed parameters of the mux node (`mux: {ros__parameters: {...}}`), with defaults and validation.
use crate::{MuxError, Result};
use letan_core::params::{node_parameters, non_negative, positive, ParamError};
use serde::Deserialize;

/// Priority and timeout of one input.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InputParams {
    /// Topic the node reads this input from (`geometry_msgs/Twist`).
    pub topic: String,
    /// Higher wins among live inputs. Priorities must be distinct.
    pub priority: u8,
    /// An input whose last command is older than this is ignored (seconds, > 0).
    pub timeout_s: f64,
}

impl InputParams {
    fn with(topic: &str, priority: u8) -> Self {
        InputParams {
            topic: topic.to_string(),
            priority,
            timeout_s: 0.5,
        }
    }
}

impl Default for InputParams {
    fn default() -> Self {
        InputParams::with("", 0)
    }
}

/// The four inputs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InputsParams {
    /// Nav2-style controller output.
    pub navigation: InputParams,
    /// Small turns of the greeting behaviour (face the visitor).
    pub greeting: InputParams,
    /// Teleop from the operator web console.
    pub console_teleop: InputParams,
    /// `letan teleop` in a terminal.
    pub keyboard_teleop: InputParams,
}

impl Default for InputsParams {
    fn default() -> Self {
        InputsParams {
            navigation: InputParams::with("/cmd_vel_nav", 10),
            greeting: InputParams::with("/cmd_vel_greeting", 20),
            keyboard_teleop: InputParams::with("/cmd_vel_teleop_keyboard", 90),
            console_teleop: InputParams::with("/cmd_vel_teleop_console", 100),
        }
    }
}

/// Velocity and acceleration limits (SI units). Slowing down is never limited.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LimitParams {
    /// Forward speed cap (m/s, > 0).
    pub max_linear_mps: f64,
    /// Reverse speed cap (m/s, ≥ 0; 0 forbids driving backwards).
    pub max_reverse_mps: f64,
    /// Turn rate cap (rad/s, > 0).
    pub max_angular_rps: f64,
    /// How fast |linear x| may grow (m/s², > 0).
    pub max_linear_accel_mps2: f64,
    /// How fast |angular z| may grow (rad/s², > 0).
    pub max_angular_accel_rps2: f64,
    /// Largest time step used for the acceleration limit (s, > 0): a late call does not allow a jump.
    pub max_step_s: f64,
}

impl Default for LimitParams {
    fn default() -> Self {
        LimitParams {
            max_linear_mps: 0.5,
            max_reverse_mps: 0.2,
            max_angular_rps: 1.0,
            max_linear_accel_mps2: 0.6,
            max_angular_accel_rps2: 2.0,
            max_step_s: 0.1,
        }
    }
}

/// The e-stop lock.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EstopParams {
    /// Topic of the e-stop heartbeat (`std_msgs/Bool`, true = pressed), published periodically.
    pub topic: String,
    /// The lock engages when no heartbeat arrived for this long (s, > 0).
    pub heartbeat_timeout_s: f64,
    /// When false, a silent heartbeat does not engage the lock (only for setups without an e-stop node,
    /// e.g. some simulations). Default true.
    pub require_heartbeat: bool,
    /// Start engaged: the robot does not move until an operator releases the e-stop. Default true.
    pub start_latched: bool,
    /// Software e-stop from operators (`std_msgs/Bool`): true engages, false asks for a release.
    pub operator_topic: String,
}

impl Default for EstopParams {
    fn default() -> Self {
        EstopParams {
            topic: "/estop".to_string(),
            heartbeat_timeout_s: 0.5,
            require_heartbeat: true,
            start_latched: true,
            operator_topic: "/mux/operator_estop".to_string(),
        }
    }
}

/// Output topics.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TopicParams {
    /// Where the limited velocity goes.
    pub cmd_vel: String,
    /// Where the mux status (active input, e-stop) goes.
    pub status: String,
}

impl Default for TopicParams {
    fn default() -> Self {
        TopicParams {
            cmd_vel: "/cmd_vel".to_string(),
            status: "/mux/status".to_string(),
        }
    }
}

/// All parameters of the mux node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MuxParams {
    /// Output rate of the node (Hz, > 0).
    pub rate_hz: f64,
    /// The four inputs.
    pub inputs: InputsParams,
    /// Limits.
    pub limits: LimitParams,
    /// The e-stop lock.
    pub estop: EstopParams,
    /// Output topics.
    pub topics: TopicParams,
}

impl Default for MuxParams {
    fn default() -> Self {
        MuxParams {
            rate_hz: 20.0,
            inputs: InputsParams::default(),
            limits: LimitParams::default(),
            estop: EstopParams::default(),
            topics: TopicParams::default(),
        }
    }
}

/// A range check of `letan_core::params`, as this crate's error.
fn checked(r: std::result::Result<(), ParamError>) -> Result<()> {
    r.map_err(|e| MuxError::InvalidParam {
        key: e.key,
        value: e.value,
        reason: e.reason,
    })
}

fn invalid(key: &str, v: impl std::fmt::Display, reason: &str) -> MuxError {
    MuxError::InvalidParam {
        key: key.to_string(),
        value: v.to_string(),
        reason: reason.to_string(),
    }
}

impl MuxParams {
    /// Parse a ROS 2 parameter file and take the `ros__parameters` that apply to `node`
    /// (`/**`, `/**/node`, then `node` itself, merged by `letan_core::params::ros_parameters`);
    /// then validate. Unknown keys and values of the wrong type are refused with their name.
    pub fn from_yaml(text: &str, node: &str) -> Result<Self> {
        let file_err = |message: String| MuxError::ParamFile {
            node: node.to_string(),
            message,
        };
        let doc: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| file_err(e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section = node_parameters(&doc, &fqn).map_err(|e| file_err(e.to_string()))?;
        if !section.found() {
            return Err(file_err(format!(
                "no top-level `{node}:` section (nor `/**`)"
            )));
        }
        let params: MuxParams = serde_path_to_error::deserialize(section.value()).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                file_err(inner.to_string())
            } else {
                file_err(format!("key `{path}`: {inner}"))
            }
        })?;
        params.validate()?;
        Ok(params)
    }

    /// Check every value once; the error names the key.
    pub fn validate(&self) -> Result<()> {
        checked(positive("rate_hz", self.rate_hz))?;
        let inputs = [
            ("navigation", &self.inputs.navigation),
            ("greeting", &self.inputs.greeting),
            ("console_teleop", &self.inputs.console_teleop),
            ("keyboard_teleop", &self.inputs.keyboard_teleop),
        ];
        for (i, (name, p)) in inputs.iter().enumerate() {
            checked(positive(&format!("inputs.{name}.timeout_s"), p.timeout_s))?;
            if p.topic.trim().is_empty() {
                return Err(invalid(
                    &format!("inputs.{name}.topic"),
                    "\"\"",
                    "must not be empty",
                ));
            }
            for (other, q) in inputs.iter().skip(i + 1) {
                if p.priority == q.priority {
                    return Err(invalid(
                        &format!("inputs.{other}.priority"),
                        q.priority,
                        &format!("same priority as inputs.{name}; priorities must be distinct"),
                    ));
                }
            }
        }
        let l = &self.limits;
        for (key, v) in [
            ("limits.max_linear_mps", l.max_linear_mps),
            ("limits.max_angular_rps", l.max_angular_rps),
            ("limits.max_linear_accel_mps2", l.max_linear_accel_mps2),
            ("limits.max_angular_accel_rps2", l.max_angular_accel_rps2),
            ("limits.max_step_s", l.max_step_s),
            ("estop.heartbeat_timeout_s", self.estop.heartbeat_timeout_s),
        ] {
            checked(positive(key, v))?;
        }
        checked(non_negative("limits.max_reverse_mps", l.max_reverse_mps))?;
        for (key, v) in [
            ("estop.topic", &self.estop.topic),
            ("estop.operator_topic", &self.estop.operator_topic),
            ("topics.cmd_vel", &self.topics.cmd_vel),
            ("topics.status", &self.topics.status),
        ] {
            if v.trim().is_empty() {
                return Err(invalid(key, "\"\"", "must not be empty"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        MuxParams::default().validate().unwrap();
    }

    #[test]
    fn unknown_key_is_refused_and_named() {
        let text = "mux:\n  ros__parameters:\n    limits:\n      max_linear_mps: 0.4\n      max_speed: 3\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(err.contains("max_speed"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let text = "mux:\n  ros__parameters:\n    inputs:\n      greeting: {priority: 10}\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(err.contains("inputs.greeting.priority"), "{err}");
        let text = "mux:\n  ros__parameters:\n    limits: {max_angular_rps: -1.0}\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(err.contains("limits.max_angular_rps"), "{err}");
        let text = "mux:\n  ros__parameters:\n    inputs:\n      navigation: {timeout_s: 0}\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(err.contains("inputs.navigation.timeout_s"), "{err}");
    }

    #[test]
    fn missing_node_section_is_an_error() {
        let err = MuxParams::from_yaml("other:\n  ros__parameters: {}\n", "mux").unwrap_err();
        assert!(err.to_string().contains("mux"), "{err}");
    }

    #[test]
    fn partial_file_keeps_defaults() {
        let text = "mux:\n  ros__parameters:\n    limits: {max_linear_mps: 0.3}\n";
        let p = MuxParams::from_yaml(text, "mux").unwrap();
        assert_eq!(p.limits.max_linear_mps, 0.3);
        assert_eq!(p.inputs.navigation.timeout_s, 0.5);
        assert_eq!(
            p.limits.max_angular_rps,
            LimitParams::default().max_angular_rps
        );
    }

    #[test]
    fn sections_for_all_nodes_apply_and_the_node_wins() {
        // `/**` applies to every node; the node's own section overrides it key by key.
        let text = "/**:\n  ros__parameters:\n    rate_hz: 15.0\n    limits: {max_linear_mps: 0.2, max_step_s: 0.05}\nmux:\n  ros__parameters:\n    limits: {max_linear_mps: 0.3}\n";
        let p = MuxParams::from_yaml(text, "mux").unwrap();
        assert_eq!(p.rate_hz, 15.0);
        assert_eq!(p.limits.max_linear_mps, 0.3);
        assert_eq!(p.limits.max_step_s, 0.05);
        // `/**` alone is enough, and `/mux` is the same node as `mux`.
        let p = MuxParams::from_yaml("/**:\n  ros__parameters: {rate_hz: 12.0}\n", "mux").unwrap();
        // the transport's use_sim_time in a shared section is not an unknown key here
        let q = MuxParams::from_yaml(
            "/**:\n  ros__parameters: {use_sim_time: true, rate_hz: 12.0}\n",
            "mux",
        )
        .unwrap();
        assert_eq!(q.rate_hz, 12.0);
        assert_eq!(p.rate_hz, 12.0);
        let p = MuxParams::from_yaml("/mux:\n  ros__parameters: {rate_hz: 8.0}\n", "mux").unwrap();
        assert_eq!(p.rate_hz, 8.0);
        // A typo under `/**` is refused like one under the node's own section.
        let text = "/**:\n  ros__parameters:\n    limits: {max_speed: 1.0}\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(
            err.contains("limits.max_speed") && err.contains("mux"),
            "{err}"
        );
        // Ranges are checked on the merged values.
        let text = "/**:\n  ros__parameters:\n    limits: {max_reverse_mps: -0.1}\n";
        let err = MuxParams::from_yaml(text, "mux").unwrap_err().to_string();
        assert!(err.contains("limits.max_reverse_mps"), "{err}");
    }
}
