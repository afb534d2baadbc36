//! Typed parameters: `screen: {ros__parameters: {...}}` in a ROS 2 parameters file.
use crate::{Result, ScreenError};
use letan_core::params::{in_range, positive, ros_parameters, ParamError};
use letan_web::WebNodeError;
use serde::Deserialize;
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
    WebNodeError::invalid_param(key, value, reason).into()
}

/// A range check of `letan_core::params`, as this crate's error.
fn checked(r: std::result::Result<(), ParamError>) -> Result<()> {
    Ok(r.map_err(|e| WebNodeError::invalid_param(e.key, e.value, e.reason))?)
}

impl ScreenParams {
    /// Parse a ROS 2 parameters file, take the `ros__parameters` that apply to `node` (`/**`,
    /// `/**/node`, then `node` itself, merged by `letan_core::params::ros_parameters`), validate.
    /// Unknown keys and values of the wrong type are refused with the key's name.
    pub fn from_yaml(text: &str, node: &str) -> Result<Self> {
        let perr = |message: String| -> ScreenError {
            WebNodeError::parse(format!("parameters of `{node}`"), message).into()
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| perr(e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section = ros_parameters(&doc, &fqn).map_err(|e| perr(e.to_string()))?;
        if !section.found() {
            return Err(perr(format!("no top-level `{node}:` section (nor `/**`)")));
        }
        let p: ScreenParams = serde_path_to_error::deserialize(section.value()).map_err(|e| {
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
        let text = std::fs::read_to_string(path)
            .map_err(|source| WebNodeError::io("read", path.display(), source))?;
        Self::from_yaml(&text, node).map_err(|e| match e {
            ScreenError::Common(WebNodeError::Parse { message, .. }) => {
                WebNodeError::parse(path.display(), message).into()
            }
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
        checked(in_range(
            "max_text_chars",
            self.max_text_chars as f64,
            1.0,
            5000.0,
        ))?;
        for (key, rate) in [
            ("typed_rate_per_s", self.typed_rate_per_s),
            ("button_rate_per_s", self.button_rate_per_s),
        ] {
            checked(positive(key, rate))?;
            checked(in_range(key, rate, 0.0, 1000.0))?;
        }
        for (key, burst) in [
            ("typed_burst", self.typed_burst),
            ("button_burst", self.button_burst),
        ] {
            checked(in_range(key, f64::from(burst), 1.0, 1000.0))?;
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
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let text = "/**:\n  ros__parameters: {port: 9000, typed_burst: 4}\nscreen:\n  ros__parameters: {port: 9001}\n";
        let p = ScreenParams::from_yaml(text, "screen").unwrap();
        assert_eq!((p.port, p.typed_burst), (9001, 4));
        let p =
            ScreenParams::from_yaml("/**:\n  ros__parameters: {port: 9002}\n", "screen").unwrap();
        assert_eq!(p.port, 9002);
        let p = ScreenParams::from_yaml("/screen:\n  ros__parameters: {port: 9003}\n", "screen")
            .unwrap();
        assert_eq!(p.port, 9003);
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e =
            ScreenParams::from_yaml("/**:\n  ros__parameters: {portt: 1}\n", "screen").unwrap_err();
        assert!(e.to_string().contains("portt"), "{e}");
        let e = ScreenParams::from_yaml("/**:\n  ros__parameters: {typed_burst: 0}\n", "screen")
            .unwrap_err();
        assert!(e.to_string().contains("typed_burst"), "{e}");
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
