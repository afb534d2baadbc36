//! ROS 2 parameter files, read once: the `ros__parameters` of one node, and the checks of its values.
//!
//! ```yaml
//! /robot/asr_node:          # or `asr_node`, `/**`, `/**/asr_node`
//!   ros__parameters:
//!     trailing_silence_ms: 800
//! ```
//! [`ros_parameters`] takes the sections that apply to a node, least specific first (`/**`, then
//! `/**/name`, then the exact name), and merges them key by key. Transport (`letan run`) and every
//! crate's own loader use it, so a file means the same thing to both.
use serde_yaml::{Mapping, Value};
use std::fmt::Display;

/// A parameter whose value the node cannot work with. `key` is dotted under `ros__parameters`
/// (`limits.max_linear_mps`); `value` is the offending value as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{key}` = {value}: {reason}")]
pub struct ParamError {
    pub key: String,
    pub value: String,
    pub reason: String,
}

impl ParamError {
    pub fn new(key: &str, value: impl Display, reason: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// `v` is finite and within `[lo, hi]`.
pub fn in_range(key: &str, v: f64, lo: f64, hi: f64) -> Result<(), ParamError> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(ParamError::new(
            key,
            v,
            format!("must be within [{lo}, {hi}]"),
        ))
    }
}

/// `v` is finite and > 0.
pub fn positive(key: &str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ParamError::new(key, v, "must be a finite number > 0"))
    }
}

/// `v` is finite and ≥ 0.
pub fn non_negative(key: &str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(ParamError::new(key, v, "must be a finite number >= 0"))
    }
}

/// A parameter file whose shape is not `node: {ros__parameters: {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SectionError {
    /// The document is not a mapping of node names.
    #[error("the top level must map node names to `ros__parameters`")]
    TopLevel,
    /// A section that applies to the node has no `ros__parameters` mapping.
    #[error("section {key:?} has no `ros__parameters` mapping")]
    NotAMapping { key: String },
}

/// The parameters of one node, merged from the sections of one file that apply to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    /// The merged `ros__parameters` (empty if none applied).
    pub params: Mapping,
    /// The top-level keys that applied, least specific first, each with whether it held parameters
    /// (`false` for an empty `ros__parameters:`).
    pub keys: Vec<(String, bool)>,
}

impl Section {
    /// Whether any section of the file names this node (or all nodes).
    pub fn found(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The merged parameters as a YAML value, for `serde_yaml::from_value` or `serde_path_to_error`.
    pub fn value(&self) -> Value {
        Value::Mapping(self.params.clone())
    }
}

/// Merge `from` into `into`, nested mappings key by key, anything else replaced.
pub fn merge(into: &mut Mapping, from: &Mapping) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Mapping(a)), Value::Mapping(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Which top-level keys apply to `node` (`/ns/name` or `name`), least specific first.
pub fn matching_keys(doc: &Mapping, node: &str) -> Vec<String> {
    let name = node.rsplit('/').next().unwrap_or(node);
    let fqn_no_slash = node.trim_start_matches('/');
    let mut ranked: Vec<(u8, String)> = doc
        .keys()
        .filter_map(|k| k.as_str())
        .filter_map(|k| {
            let rank = if k == "/**" || k == "**" {
                0
            } else if k == format!("/**/{name}") || k == format!("**/{name}") {
                1
            } else if k == node || k == fqn_no_slash || k == name {
                2
            } else {
                return None;
            };
            Some((rank, k.to_string()))
        })
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, k)| k).collect()
}

/// The `ros__parameters` that apply to `node` in a parsed parameter file. An empty document applies
/// nothing; a section with an empty `ros__parameters:` applies nothing but counts as found.
pub fn ros_parameters(doc: &Value, node: &str) -> Result<Section, SectionError> {
    let doc = match doc {
        Value::Mapping(m) => m,
        Value::Null => return Ok(Section::default()),
        _ => return Err(SectionError::TopLevel),
    };
    let mut section = Section::default();
    for key in matching_keys(doc, node) {
        let params = doc
            .get(key.as_str())
            .and_then(|v| v.as_mapping())
            .and_then(|s| s.get("ros__parameters"));
        match params {
            Some(Value::Mapping(p)) => {
                merge(&mut section.params, p);
                section.keys.push((key, true));
            }
            Some(Value::Null) => section.keys.push((key, false)),
            _ => return Err(SectionError::NotAMapping { key }),
        }
    }
    Ok(section)
}

/// [`ros_parameters`] for a node's own loader: without `use_sim_time`, which is the transport's
/// (`letan run` reads it to choose the node's clock) and not one of the node's own parameters. A
/// shared `/**: {ros__parameters: {use_sim_time: true}}`, as ROS 2 launch files write it, is
/// therefore not an unknown key to a loader whose struct refuses unknown keys.
pub fn node_parameters(doc: &Value, node: &str) -> Result<Section, SectionError> {
    let mut section = ros_parameters(doc, node)?;
    section.params.remove("use_sim_time");
    Ok(section)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn sections_merge_from_least_to_most_specific() {
        let d = doc("mux:\n  ros__parameters: {a: 3, n: {x: 1}}\n/**:\n  ros__parameters: {a: 1, b: 2, n: {y: 2}}\nother:\n  ros__parameters: {a: 9}\n");
        let s = ros_parameters(&d, "mux").unwrap();
        assert_eq!(
            s.keys,
            vec![("/**".to_string(), true), ("mux".to_string(), true)]
        );
        assert_eq!(s.value(), doc("{a: 3, b: 2, n: {x: 1, y: 2}}"));
        assert!(ros_parameters(&d, "/robot/mux").unwrap().found());
        assert!(
            !ros_parameters(&doc("other:\n  ros__parameters: {}\n"), "mux")
                .unwrap()
                .found()
        );
    }

    #[test]
    fn empty_sections_count_and_bad_shapes_are_refused() {
        let s = ros_parameters(&doc("screen:\n  ros__parameters:\n"), "screen").unwrap();
        assert!(s.found() && s.params.is_empty());
        assert!(!ros_parameters(&Value::Null, "screen").unwrap().found());
        assert_eq!(
            ros_parameters(&doc("[1, 2]"), "x"),
            Err(SectionError::TopLevel)
        );
        assert_eq!(
            ros_parameters(&doc("x: {port: 1}"), "x"),
            Err(SectionError::NotAMapping { key: "x".into() })
        );
    }

    #[test]
    fn range_checks_name_the_key_and_value() {
        assert!(in_range("a", 1.0, 0.0, 1.0).is_ok());
        let e = in_range("camera.fx", f64::NAN, 1.0, 2.0).unwrap_err();
        assert_eq!(e.key, "camera.fx");
        assert_eq!(
            e.to_string(),
            "parameter `camera.fx` = NaN: must be within [1, 2]"
        );
        assert!(positive("rate_hz", 0.0).is_err() && positive("rate_hz", 1e-3).is_ok());
        assert!(non_negative("t", -1.0).is_err() && non_negative("t", 0.0).is_ok());
    }

    #[test]
    fn a_node_loader_does_not_see_use_sim_time() {
        let d = doc("/**:\n  ros__parameters: {use_sim_time: true, a: 1}\nmux:\n  ros__parameters: {b: 2}\n");
        let s = node_parameters(&d, "/mux").unwrap();
        assert_eq!(s.params.len(), 2, "{:?}", s.params);
        assert!(s.params.get("use_sim_time").is_none());
        assert!(ros_parameters(&d, "/mux")
            .unwrap()
            .params
            .get("use_sim_time")
            .is_some());
    }
}
