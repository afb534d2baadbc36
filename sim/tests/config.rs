//! The shipped simulator config loads, equals the defaults it documents, and bad keys are named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_sim::WorldConfig;

#[test]
fn shipped_config_loads_and_matches_defaults() {
    let path = common::repo_root().join("sim/config/sim.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cfg = WorldConfig::from_ros_yaml(&text, "letan_sim", "sim/config/sim.yaml").unwrap();
    assert_eq!(cfg, WorldConfig::default());
}

#[test]
fn unknown_and_invalid_keys_are_named() {
    let e = WorldConfig::from_ros_yaml(
        "letan_sim:\n  ros__parameters:\n    lidar:\n      beamz: 3\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("beamz"), "{e}");
    let e = WorldConfig::from_ros_yaml(
        "letan_sim:\n  ros__parameters:\n    lidar:\n      beams: 0\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("lidar.beams"), "{e}");
    let e = WorldConfig::from_ros_yaml(
        "letan_sim:\n  ros__parameters:\n    robot:\n      max_linear: -1\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("robot.max_linear"), "{e}");
    let e = WorldConfig::from_ros_yaml("other:\n  ros__parameters: {}\n", "letan_sim", "x.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("letan_sim"), "{e}");
    // an empty parameter block is all defaults
    let c =
        WorldConfig::from_ros_yaml("letan_sim:\n  ros__parameters: {}\n", "letan_sim", "x.yaml")
            .unwrap();
    assert_eq!(c, WorldConfig::default());
}
