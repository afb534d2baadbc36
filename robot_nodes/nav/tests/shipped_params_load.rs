#![allow(clippy::unwrap_used)]
//! The shipped config/nav.yaml loads, validates, and spells out exactly the defaults.

use letan_nav::params::NavParams;

#[test]
fn shipped_nav_yaml_loads_and_matches_defaults() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/nav.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let p = NavParams::from_ros_yaml(&text, path).unwrap();
    assert_eq!(
        p,
        NavParams::default(),
        "config/nav.yaml drifted from the defaults in src/params.rs"
    );
}
