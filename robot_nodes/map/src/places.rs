//! Named places (`maps/places.yaml`): a pose in the map frame for every place id of `spec/places.tsv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{MapError, Result};
use crate::mapfile::read_to_string;
use crate::pose::Pose2D;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    #[serde(default = "default_frame")]
    frame_id: String,
    #[serde(default)]
    dock: Option<Pose2D>,
    places: BTreeMap<String, Pose2D>,
}

fn default_frame() -> String {
    "map".into()
}

/// The named places of a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Places {
    pub path: PathBuf,
    pub frame_id: String,
    /// The charging dock pose (the default initial pose), if the file gives one.
    pub dock: Option<Pose2D>,
    pub places: BTreeMap<String, Pose2D>,
}

impl Places {
    /// Parse places YAML text; `path` is used in error messages.
    pub fn from_yaml_str(text: &str, path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let f: PlacesFile = serde_yaml::from_str(text).map_err(|source| MapError::Yaml {
            path: path.clone(),
            source,
        })?;
        let all = f
            .places
            .iter()
            .map(|(k, v)| (format!("places.{k}"), v))
            .chain(f.dock.iter().map(|d| ("dock".to_string(), d)));
        for (key, p) in all {
            if !(p.x.is_finite() && p.y.is_finite() && p.yaw.is_finite()) {
                return Err(MapError::InvalidValue {
                    path,
                    key,
                    reason: format!("pose must be finite, got {p:?}"),
                });
            }
        }
        if let Some(k) = f.places.keys().find(|k| k.trim().is_empty()) {
            return Err(MapError::InvalidValue {
                path,
                key: format!("places.{k:?}"),
                reason: "empty place id".into(),
            });
        }
        Ok(Self {
            path,
            frame_id: f.frame_id,
            dock: f.dock,
            places: f.places,
        })
    }

    /// Load a places YAML file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_yaml_str(&read_to_string(path)?, path)
    }

    /// The pose of place `id`.
    pub fn get(&self, id: &str) -> Result<Pose2D> {
        self.places
            .get(id)
            .copied()
            .ok_or_else(|| MapError::UnknownPlace { id: id.to_string() })
    }

    /// Error listing every id of `required` that this file lacks.
    pub fn require(&self, required: &[String]) -> Result<()> {
        let missing: Vec<String> = required
            .iter()
            .filter(|id| !self.places.contains_key(id.as_str()))
            .cloned()
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MapError::MissingPlaces {
                path: self.path.clone(),
                ids: missing,
            })
        }
    }
}

/// Place ids required by a `places.tsv` spec (first column, header skipped); `counter_1` stands for
/// counters 1..=12 (the spec says so), so they are expanded.
pub fn required_place_ids(places_tsv: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for line in places_tsv.lines().skip(1) {
        let Some(id) = line.split('\t').next().map(str::trim) else {
            continue;
        };
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if id == "counter_1" {
            ids.extend((1..=12).map(|n| format!("counter_{n}")));
        } else {
            ids.push(id.to_string());
        }
    }
    ids
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_looks_up() {
        let p = Places::from_yaml_str(
            "dock: {x: 1, y: 2, yaw: 0}\nplaces:\n  a: {x: 1.5, y: -2, yaw: 0.5}\n",
            "p.yaml",
        )
        .unwrap();
        assert_eq!(p.get("a").unwrap(), Pose2D::new(1.5, -2.0, 0.5));
        assert_eq!(p.frame_id, "map");
        assert!(matches!(p.get("zz"), Err(MapError::UnknownPlace { .. })));
        let e = p
            .require(&["a".into(), "b".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"b\"") && e.contains("p.yaml"), "{e}");
    }

    #[test]
    fn unknown_keys_and_bad_values_fail_with_names() {
        let e = Places::from_yaml_str("places:\n  a: {x: 1, y: 2, yaw: 0, z: 3}\n", "q.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("q.yaml") && e.contains('z'), "{e}");
        let e = Places::from_yaml_str("places:\n  a: {x: .nan, y: 2, yaw: 0}\n", "q.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("places.a"), "{e}");
    }

    #[test]
    fn tsv_ids_expand_counters() {
        let ids = required_place_ids("place\twhat\nentrance\tdoor\ncounter_1\tc\nexit\tx\n");
        assert_eq!(ids.len(), 14);
        assert_eq!(ids[0], "entrance");
        assert!(ids.contains(&"counter_12".to_string()));
        assert_eq!(ids.last().map(String::as_str), Some("exit"));
    }
}
