//! Map YAML (map_server description), places YAML and keep-out YAML (maps/*.yaml).
#![no_main]
use letan_map::{Keepout, MapYaml, Places};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(meta) = serde_yaml::from_str::<MapYaml>(text) {
        if meta.validate(Path::new("fuzz.yaml")).is_ok() {
            // A tiny valid image under the fuzzed description: thresholds, negate, mode, origin.
            let pgm = letan_map::pgm::write_pgm_p5(3, 2, &[0, 127, 254, 255, 1, 200], "fuzz");
            let _ = letan_map::grid_from_image(&meta, &pgm, Path::new("fuzz.pgm"));
            for v in [0u8, 1, 100, 127, 128, 205, 254, 255] {
                let _ = meta.pixel_to_occupancy(v, 255);
                let _ = meta.pixel_to_occupancy(v, 1);
            }
        }
    }
    if let Ok(p) = Places::from_yaml_str(text, "fuzz.yaml") {
        let _ = p.get("counter_5");
    }
    if let Ok(k) = Keepout::from_yaml_str(text, "fuzz.yaml") {
        let _ = k;
    }
});
