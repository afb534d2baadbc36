//! Simulator scenario YAML (sim/scenarios/*.yaml): parsing and validation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = letan_sim::scenario::Scenario::from_yaml(text, "fuzz.yaml") {
        let _ = s.places();
        let _ = s.intents();
    }
});
