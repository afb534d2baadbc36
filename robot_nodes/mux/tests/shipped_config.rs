//! The shipped parameter file loads, validates, and builds a mux.
#![allow(clippy::unwrap_used)]
use letan_mux::{Mux, MuxParams};

#[test]
fn shipped_mux_yaml_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/mux.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let params = MuxParams::from_yaml(&text, "mux").unwrap();
    assert_eq!(params.inputs.console_teleop.priority, 100);
    assert_eq!(params.inputs.navigation.timeout_s, 0.3);
    assert!(params.estop.require_heartbeat);
    assert!(params.estop.start_latched);
    assert_eq!(params.topics.cmd_vel, "/cmd_vel");
    Mux::new(params).unwrap();
}
