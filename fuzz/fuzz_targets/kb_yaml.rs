//! Knowledge-base YAML (kb/*.yaml): parsing and the checks `Kb::parse` runs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(kb) = letan_nlu::Kb::parse([("fuzz.yaml".to_string(), text.to_string())]) {
        let _ = kb.training_phrases();
        let _ = kb.training_phrase_groups();
    }
});
