//! Gazebo assets: generated from the map (no drift), parsed by the real libsdformat12 parser, and the
//! bridge names only topics the stack uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_sim::gazebo::{self, BridgeEntry, STACK_TOPICS};
use std::path::{Path, PathBuf};
use std::process::Command;

fn gz_dir() -> PathBuf {
    common::repo_root().join("sim/gazebo")
}

#[test]
fn committed_assets_match_the_generator() {
    let lobby = common::lobby();
    for (rel, text) in gazebo::generate_all(&lobby, &letan_sim::WorldConfig::default()) {
        let on_disk = std::fs::read_to_string(gz_dir().join(&rel)).unwrap_or_default();
        assert!(
            on_disk == text,
            "sim/gazebo/{rel} is stale: run `cargo run -j2 -p letan-sim --example gen_gazebo`"
        );
    }
}

/// Build the checker against libsdformat12. libsdformat-dev is installed by scripts/setup.sh
/// (scripts/apt-packages.txt), so a missing parser is a failure, not a skip.
fn checker() -> PathBuf {
    let pc = Command::new("pkg-config")
        .args(["--cflags", "--libs", "sdformat12"])
        .output()
        .expect("pkg-config must be installed (scripts/apt-packages.txt)");
    assert!(
        pc.status.success(),
        "libsdformat12 not found: install libsdformat-dev (listed in scripts/apt-packages.txt): {}",
        String::from_utf8_lossy(&pc.stderr)
    );
    let flags = String::from_utf8(pc.stdout).unwrap();
    let out = std::env::temp_dir().join(format!("letan_sdf_check_{}", std::process::id()));
    let status = Command::new("g++")
        .arg("-O0")
        .arg("-o")
        .arg(&out)
        .arg(gz_dir().join("check/sdf_check.cpp"))
        .args(flags.split_whitespace())
        .status()
        .expect("g++ must be installed (scripts/apt-packages.txt)");
    assert!(
        status.success(),
        "compiling sim/gazebo/check/sdf_check.cpp failed"
    );
    out
}

fn sdf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sdf_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "sdf") {
            out.push(p);
        }
    }
}

#[test]
fn every_sdf_parses_with_libsdformat() {
    let bin = checker();
    let mut files = Vec::new();
    sdf_files(&gz_dir(), &mut files);
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let out = Command::new(&bin)
        .arg(gz_dir().join("models"))
        .args(&files)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "libsdformat rejected an SDF:\n{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("OK ")).count(),
        files.len(),
        "{text}"
    );
    // The parser really read the content: the world includes the robot with its 3 sensors,
    // has the actors, and one frame per place.
    let lobby = common::lobby();
    let world = text
        .lines()
        .find(|l| l.contains("world=lobby"))
        .expect("world summary");
    assert!(world.contains("actors=3"), "{world}");
    assert!(
        world.contains(&format!("frames={}", lobby.places.len())),
        "{world}"
    );
    assert!(
        world.contains("[letan_robot links=6 joints=5 sensors=3]"),
        "{world}"
    );

    // And it does reject a broken file (the check is not a no-op).
    let bad = std::env::temp_dir().join(format!("letan_bad_{}.sdf", std::process::id()));
    let good = std::fs::read_to_string(gz_dir().join("models/letan_robot/model.sdf")).unwrap();
    std::fs::write(
        &bad,
        good.replace("<max_step_size>", "<x>").replace(
            "</link>\n    <joint name=\"left",
            "<bogus/></link>\n    <joint name=\"left",
        ),
    )
    .unwrap();
    let out = Command::new(&bin)
        .arg(gz_dir().join("models"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a bogus element must fail the check");
    let _ = std::fs::remove_file(bad);
    let _ = std::fs::remove_file(bin);
}

#[test]
fn bridge_names_only_topics_the_stack_uses() {
    let text = std::fs::read_to_string(gz_dir().join("bridge.yaml")).unwrap();
    let entries: Vec<BridgeEntry> = serde_yaml::from_str(&text).unwrap();
    assert!(!entries.is_empty());
    for e in &entries {
        assert!(
            STACK_TOPICS.contains(&e.ros_topic_name.as_str()),
            "bridge names unused topic {}",
            e.ros_topic_name
        );
        assert!(
            matches!(e.direction.as_str(), "GZ_TO_ROS" | "ROS_TO_GZ"),
            "{e:?}"
        );
        assert!(e.gz_type_name.starts_with("gz.msgs."), "{e:?}");
        assert!(e.ros_type_name.contains("/msg/"), "{e:?}");
    }
    // every sensor/control topic the headless sim serves is bridged (tf_static comes from robot_state_publisher)
    for t in STACK_TOPICS.iter().filter(|t| **t != "/tf_static") {
        assert!(
            entries.iter().any(|e| e.ros_topic_name == *t),
            "{t} not bridged"
        );
    }
    assert_eq!(
        entries
            .iter()
            .find(|e| e.ros_topic_name == "/cmd_vel")
            .unwrap()
            .direction,
        "ROS_TO_GZ"
    );
    // The robot model publishes the same topics the bridge reads.
    let model = std::fs::read_to_string(gz_dir().join("models/letan_robot/model.sdf")).unwrap();
    for t in [
        "<topic>scan</topic>",
        "<topic>camera/image_raw</topic>",
        "<topic>/cmd_vel</topic>",
        "<odom_topic>/odom</odom_topic>",
        "<tf_topic>/tf</tf_topic>",
    ] {
        assert!(model.contains(t), "{t}");
    }
}

#[test]
fn launch_file_references_existing_files() {
    let text = std::fs::read_to_string(gz_dir().join("launch/lobby.launch.yaml")).unwrap();
    let v: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert!(v
        .get("launch")
        .and_then(|l| l.as_sequence())
        .is_some_and(|s| s.len() >= 4));
    for rel in ["../worlds/lobby.sdf", "../models", "../bridge.yaml"] {
        assert!(text.contains(&format!("$(dirname)/{rel}")), "{rel}");
        assert!(gz_dir().join("launch").join(rel).exists(), "{rel} missing");
    }
}
