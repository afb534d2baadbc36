//! Parameter YAML (`--params-file`): transport's merge of `/**`, `/**/name` and exact sections, then
//! the typed parameter structs of the pure crates and their validation.
#![no_main]
use letan_transport::params::{from_yaml_str, Validate};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

macro_rules! typed {
    ($name:ident, $ty:ty) => {
        #[derive(Deserialize)]
        #[serde(transparent)]
        struct $name($ty);
        impl Validate for $name {
            fn validate(&self) -> Result<(), String> {
                self.0.validate().map_err(|e| e.to_string())
            }
        }
    };
}
typed!(Nav, letan_nav::NavParams);
typed!(Mux, letan_mux::MuxParams);
typed!(Greeting, letan_greeting::GreetingParams);
typed!(Detector, letan_vision::DetectorParams);
typed!(Screen, letan_screen::ScreenParams);
typed!(Console, letan_console::config::ConsoleParams);

/// Any YAML value, to exercise the section merge alone.
#[derive(Deserialize)]
#[serde(transparent)]
struct Any(#[allow(dead_code)] serde_yaml::Value);
impl Validate for Any {}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = from_yaml_str::<Any>(text, "fuzz.yaml", "/robot/node");
    let _ = from_yaml_str::<Nav>(text, "fuzz.yaml", "/navigation");
    let _ = letan_nav::NavParams::from_ros_yaml(text, "fuzz.yaml");
    let _ = from_yaml_str::<Mux>(text, "fuzz.yaml", "/mux");
    let _ = from_yaml_str::<Greeting>(text, "fuzz.yaml", "/face");
    let _ = from_yaml_str::<Detector>(text, "fuzz.yaml", "/face");
    let _ = from_yaml_str::<Screen>(text, "fuzz.yaml", "/screen");
    let _ = from_yaml_str::<Console>(text, "fuzz.yaml", "/console");
});
