//! PGM images (P2/P5) of map_server maps, parsed and turned into an occupancy grid.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let meta: letan_map::MapYaml =
        serde_yaml::from_str("image: fuzz.pgm\nresolution: 0.05\norigin: [-1.0, -2.0, 0.0]\n")
            .expect("fixed map yaml");
    if letan_map::pgm::parse_pgm(data).is_ok() {
        let _ = letan_map::grid_from_image(&meta, data, Path::new("fuzz.pgm"));
    }
});
