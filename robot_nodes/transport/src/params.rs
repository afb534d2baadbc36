//! ROS 2 parameter files (`ros2 run … --ros-args --params-file f.yaml`) into typed structs.
//!
//! ```yaml
//! /robot/asr_node:          # or `asr_node`, `/**`, `/**/asr_node`
//!   ros__parameters:
//!     use_sim_time: true    # read by the transport, not passed to the struct
//!     trailing_silence_ms: 800
//! ```
//! Sections apply in order of specificity (`/**`, then `/**/name`, then the exact name), files in the order
//! given, later values replacing earlier ones key by key. The merged map is deserialized into the node's
//! struct, which should carry `#[serde(default, deny_unknown_fields)]` so that a typo is refused with its name.
use crate::{Result, TransportError};
use letan_core::params::{merge, ros_parameters};
use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// Checks a parameter struct once, at start-up. Return a message that names the offending key.
pub trait Validate {
    fn validate(&self) -> std::result::Result<(), String> {
        Ok(())
    }
}

/// Parameters for one node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeParams<T> {
    pub params: T,
    pub use_sim_time: bool,
    /// Which sections of which sources contributed (for the start-up log).
    pub sources: Vec<String>,
}

fn err(file: &str, detail: impl Into<String>) -> TransportError {
    TransportError::Params {
        file: file.to_string(),
        detail: detail.into(),
    }
}

/// Parse parameter YAML text (`source` names it in errors) and merge the sections that apply to
/// the node (`letan_core::params::ros_parameters`, as every crate's own loader) into `into`.
fn collect(
    yaml: &str,
    source: &str,
    node_fqn: &str,
    into: &mut Mapping,
    sources: &mut Vec<String>,
) -> Result<()> {
    let doc: Value =
        serde_yaml::from_str(yaml).map_err(|e| err(source, format!("not valid YAML: {e}")))?;
    let section = ros_parameters(&doc, node_fqn).map_err(|e| err(source, e.to_string()))?;
    merge(into, &section.params);
    sources.extend(
        section
            .keys
            .into_iter()
            .filter(|(_, held)| *held)
            .map(|(key, _)| format!("{source}:{key}")),
    );
    Ok(())
}

fn finish<T: DeserializeOwned + Validate>(
    mut map: Mapping,
    node_fqn: &str,
    sources: Vec<String>,
    label: &str,
) -> Result<NodeParams<T>> {
    let use_sim_time = match map.remove("use_sim_time") {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            return Err(err(
                label,
                format!("use_sim_time must be true or false, not {other:?}"),
            ))
        }
    };
    let params: T = serde_path_to_error::deserialize(Value::Mapping(map)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            err(label, format!("parameters of {node_fqn}: {inner}"))
        } else {
            err(
                label,
                format!("parameters of {node_fqn}: key `{path}`: {inner}"),
            )
        }
    })?;
    params
        .validate()
        .map_err(|e| err(label, format!("parameters of {node_fqn}: {e}")))?;
    Ok(NodeParams {
        params,
        use_sim_time,
        sources,
    })
}

/// Load parameters for `node_fqn` from YAML text.
pub fn from_yaml_str<T: DeserializeOwned + Validate>(
    yaml: &str,
    source: &str,
    node_fqn: &str,
) -> Result<NodeParams<T>> {
    let mut map = Mapping::new();
    let mut sources = Vec::new();
    collect(yaml, source, node_fqn, &mut map, &mut sources)?;
    finish(map, node_fqn, sources, source)
}

/// Load parameters for `node_fqn` from files, later files overriding earlier ones. No files: defaults.
pub fn from_files<T: DeserializeOwned + Validate>(
    files: &[impl AsRef<Path>],
    node_fqn: &str,
) -> Result<NodeParams<T>> {
    from_files_checked(files, node_fqn, |p: &T| p.validate())
}

/// [`from_files`] for parameter types defined in other crates: `check` validates them (its message
/// should name the key).
pub fn from_files_checked<T: DeserializeOwned>(
    files: &[impl AsRef<Path>],
    node_fqn: &str,
    check: impl FnOnce(&T) -> std::result::Result<(), String>,
) -> Result<NodeParams<T>> {
    /// Lets `finish` take any deserializable type; the real check runs afterwards.
    struct Unchecked<T>(T);
    impl<T> Validate for Unchecked<T> {}
    impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Unchecked<T> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            T::deserialize(d).map(Unchecked)
        }
    }
    let mut map = Mapping::new();
    let mut sources = Vec::new();
    let mut label = Vec::new();
    for f in files {
        let f = f.as_ref();
        let name = f.display().to_string();
        let text =
            std::fs::read_to_string(f).map_err(|e| err(&name, format!("cannot read: {e}")))?;
        collect(&text, &name, node_fqn, &mut map, &mut sources)?;
        label.push(name);
    }
    let label = label.join(", ");
    let loaded: NodeParams<Unchecked<T>> = finish(map, node_fqn, sources, &label)?;
    check(&loaded.params.0).map_err(|e| err(&label, format!("parameters of {node_fqn}: {e}")))?;
    Ok(NodeParams {
        params: loaded.params.0,
        use_sim_time: loaded.use_sim_time,
        sources: loaded.sources,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct P {
        rate_hz: f64,
        name: String,
        limits: Limits,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Limits {
        max_v: f64,
        max_w: f64,
    }
    impl Default for P {
        fn default() -> Self {
            P {
                rate_hz: 10.0,
                name: "x".into(),
                limits: Limits::default(),
            }
        }
    }
    impl Default for Limits {
        fn default() -> Self {
            Limits {
                max_v: 0.5,
                max_w: 1.0,
            }
        }
    }
    impl Validate for P {
        fn validate(&self) -> std::result::Result<(), String> {
            if self.rate_hz <= 0.0 {
                return Err(format!("rate_hz must be positive, got {}", self.rate_hz));
            }
            Ok(())
        }
    }

    const YAML: &str = r#"
/**:
  ros__parameters:
    use_sim_time: true
    rate_hz: 5.0
/robot/nav:
  ros__parameters:
    limits: {max_v: 0.3}
other:
  ros__parameters:
    rate_hz: 99.0
"#;

    #[test]
    fn merges_wildcard_and_node_sections() {
        let p: NodeParams<P> = from_yaml_str(YAML, "t.yaml", "/robot/nav").unwrap();
        assert!(p.use_sim_time);
        assert_eq!(p.params.rate_hz, 5.0);
        assert_eq!(
            p.params.limits,
            Limits {
                max_v: 0.3,
                max_w: 1.0
            }
        );
        assert_eq!(p.sources, vec!["t.yaml:/**", "t.yaml:/robot/nav"]);
        let o: NodeParams<P> = from_yaml_str(YAML, "t.yaml", "/other").unwrap();
        assert_eq!(o.params.rate_hz, 99.0);
    }

    #[test]
    fn refuses_unknown_keys_by_name() {
        let e = from_yaml_str::<P>("n:\n  ros__parameters:\n    rate_hzz: 3\n", "f.yaml", "/n")
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("rate_hzz") && msg.contains("f.yaml"), "{msg}");
        let e = from_yaml_str::<P>(
            "n:\n  ros__parameters:\n    limits: {max_vv: 1}\n",
            "f.yaml",
            "/n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("max_vv"), "{e}");
    }

    #[test]
    fn validates_values_and_types() {
        let e =
            from_yaml_str::<P>("n:\n  ros__parameters:\n    rate_hz: -1\n", "f", "/n").unwrap_err();
        assert!(e.to_string().contains("rate_hz must be positive"), "{e}");
        let e = from_yaml_str::<P>("n:\n  ros__parameters:\n    rate_hz: fast\n", "f", "/n")
            .unwrap_err();
        assert!(e.to_string().contains("rate_hz"), "{e}");
        let e = from_yaml_str::<P>("n:\n  ros__parameters:\n    use_sim_time: 3\n", "f", "/n")
            .unwrap_err();
        assert!(e.to_string().contains("use_sim_time"), "{e}");
        assert!(from_yaml_str::<P>("[1, 2]", "f", "/n").is_err());
        let e = from_yaml_str::<P>("n: {x: 1}", "f.yaml", "/n").unwrap_err();
        assert!(
            e.to_string().contains("f.yaml") && e.to_string().contains("\"n\""),
            "{e}"
        );
        assert!(from_yaml_str::<P>(": : :", "f", "/n").is_err());
    }

    #[test]
    fn missing_sections_give_defaults_and_later_files_win() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.yaml");
        std::fs::write(
            &a,
            "n:\n  ros__parameters:\n    rate_hz: 2.0\n    name: a\n",
        )
        .unwrap();
        std::fs::write(&b, "n:\n  ros__parameters:\n    name: b\n").unwrap();
        let p: NodeParams<P> = from_files(&[&a, &b], "/n").unwrap();
        assert_eq!((p.params.rate_hz, p.params.name.as_str()), (2.0, "b"));
        let none: NodeParams<P> = from_files(&[] as &[&Path], "/n").unwrap();
        assert_eq!(none.params, P::default());
        let e = from_files::<P>(&[dir.path().join("missing.yaml")], "/n").unwrap_err();
        assert!(e.to_string().contains("missing.yaml"), "{e}");
    }
}
