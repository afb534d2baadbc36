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
    // `/**` applies too, the node's own section wins key by key, and the transport's use_sim_time
    // is not an unknown key
    let c = WorldConfig::from_ros_yaml(
        "/**:\n  ros__parameters: {use_sim_time: true, max_substep: 0.02}\nletan_sim:\n  ros__parameters: {max_substep: 0.01}\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap();
    assert_eq!(c.max_substep, 0.01);
    let c = WorldConfig::from_ros_yaml(
        "/**:\n  ros__parameters: {max_substep: 0.05}\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap();
    assert_eq!(c.max_substep, 0.05);
    let e = WorldConfig::from_ros_yaml(
        "/**:\n  ros__parameters: {max_substepp: 0.02}\n",
        "letan_sim",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("max_substepp"), "{e}");
}
