//! Typed parameters: `screen: {ros__parameters: {...}}` in a ROS 2 parameters file.
use crate::{Result, ScreenError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

/// Parameters of the screen node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScreenParams {
    /// Address to bind. 127.0.0.1 by default: the robot's own browser shows the page.
    pub bind: String,
    /// TCP port (0 = any free port).
    pub port: u16,
    /// Longest typed question, in characters after trimming (longer ones are refused with 413).
    pub max_text_chars: usize,
    /// Typed questions allowed per second, sustained (token bucket shared by the whole screen).
    pub typed_rate_per_s: f64,
    /// Typed questions allowed at once before the rate applies.
    pub typed_burst: u32,
    /// Button presses (topic, call staff, language, repeat) allowed per second, sustained.
    pub button_rate_per_s: f64,
    /// Button presses allowed at once before the rate applies.
    pub button_burst: u32,
    /// Largest request body (bytes).
    pub max_body_bytes: usize,
    /// Host names accepted in the `Host` header besides IP literals and `localhost` (lowercase).
    /// Anything else is refused, so that a web page cannot reach the screen by DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Read by the transport (simulation clock); accepted and ignored here.
    pub use_sim_time: bool,
}

impl Default for ScreenParams {
    fn default() -> Self {
        ScreenParams {
            bind: "127.0.0.1".to_string(),
            port: 8090,
            max_text_chars: 500,
            typed_rate_per_s: 2.0,
            typed_burst: 3,
            button_rate_per_s: 5.0,
            button_burst: 8,
            max_body_bytes: 16 * 1024,
            allowed_hosts: Vec::new(),
            use_sim_time: false,
        }
    }
}

fn invalid(key: &str, value: impl std::fmt::Display, reason: &str) -> ScreenError {
    ScreenError::InvalidParam {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

#[derive(Deserialize)]
#[allow(non_snake_case)] // the ROS 2 key is `ros__parameters`
struct NodeSection {
    #[serde(default)]
    ros__parameters: serde_yaml::Value,
}

impl ScreenParams {
    /// Parse a ROS 2 parameters file, take `node: {ros__parameters: ...}`, validate. Unknown keys and
    /// values of the wrong type are refused with the key's name.
    pub fn from_yaml(text: &str, node: &str) -> Result<Self> {
        let perr = |message: String| ScreenError::Parse {
            path: format!("parameters of `{node}`"),
            message,
        };
        let top: BTreeMap<String, NodeSection> =
            serde_yaml::from_str(text).map_err(|e| perr(e.to_string()))?;
        let section = top
            .get(node)
            .ok_or_else(|| perr(format!("no top-level `{node}:` section")))?;
        let value = match &section.ros__parameters {
            serde_yaml::Value::Null => serde_yaml::Value::Mapping(Default::default()),
            v => v.clone(),
        };
        let p: ScreenParams = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                perr(inner.to_string())
            } else {
                perr(format!("`{path}`: {inner}"))
            }
        })?;
        p.validate()?;
        Ok(p)
    }

    /// Read and parse a parameters file (see [`ScreenParams::from_yaml`]).
    pub fn from_file(path: &Path, node: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| ScreenError::Io {
            action: "read",
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml(&text, node).map_err(|e| match e {
            ScreenError::Parse { message, .. } => ScreenError::Parse {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Check every value once; errors name the key.
    pub fn validate(&self) -> Result<()> {
        self.bind.parse::<IpAddr>().map_err(|_| {
            invalid(
                "bind",
                &self.bind,
                "must be an IP address such as 127.0.0.1",
            )
        })?;
        if !(1..=5000).contains(&self.max_text_chars) {
            return Err(invalid(
                "max_text_chars",
                self.max_text_chars,
                "must be between 1 and 5000",
            ));
        }
        for (key, rate) in [
            ("typed_rate_per_s", self.typed_rate_per_s),
            ("button_rate_per_s", self.button_rate_per_s),
        ] {
            if !(rate.is_finite() && rate > 0.0 && rate <= 1000.0) {
                return Err(invalid(key, rate, "must be a number > 0 and <= 1000"));
            }
        }
        for (key, burst) in [
            ("typed_burst", self.typed_burst),
            ("button_burst", self.button_burst),
        ] {
            if !(1..=1000).contains(&burst) {
                return Err(invalid(key, burst, "must be between 1 and 1000"));
            }
        }
        let need = self.max_text_chars.saturating_mul(6).saturating_add(64);
        if self.max_body_bytes < need.max(1024) || self.max_body_bytes > 1024 * 1024 {
            return Err(invalid(
                "max_body_bytes",
                self.max_body_bytes,
                &format!(
                    "must be between {} (max_text_chars as \\u escapes) and 1048576",
                    need.max(1024)
                ),
            ));
        }
        for h in &self.allowed_hosts {
            let ok = !h.is_empty()
                && h.len() <= 253
                && h.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
            if !ok {
                return Err(invalid(
                    "allowed_hosts",
                    format!("{h:?}"),
                    "each must be a lowercase host name (letters, digits, '.', '-'), without port",
                ));
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
    fn defaults_are_valid_and_loopback() {
        let p = ScreenParams::default();
        p.validate().unwrap();
        assert_eq!(p.bind, "127.0.0.1");
        assert_eq!(p.port, 8090);
    }

    #[test]
    fn empty_section_gives_defaults() {
        let p = ScreenParams::from_yaml("screen:\n  ros__parameters:\n", "screen").unwrap();
        assert_eq!(p, ScreenParams::default());
        let e = ScreenParams::from_yaml("other:\n  ros__parameters: {}\n", "screen").unwrap_err();
        assert!(e.to_string().contains("`screen:`"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = ScreenParams::from_yaml("screen:\n  ros__parameters: {port: eighty}\n", "screen")
            .unwrap_err();
        assert!(e.to_string().contains("`port`"), "{e}");
    }

    #[test]
    fn body_limit_must_hold_the_longest_question() {
        let p = ScreenParams {
            max_text_chars: 3000,
            ..Default::default()
        };
        let e = p.validate().unwrap_err();
        assert!(e.to_string().contains("max_body_bytes"), "{e}");
    }

    #[test]
    fn allowed_hosts_are_checked() {
        let p = ScreenParams {
            allowed_hosts: vec!["Screen.local:8090".into()],
            ..Default::default()
        };
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("allowed_hosts"));
        let p = ScreenParams {
            allowed_hosts: vec!["screen.local".into()],
            ..Default::default()
        };
        p.validate().unwrap();
    }
}
