#![allow(clippy::unwrap_used)]
//! The shipped lobby map files: regenerable, loadable, with every spec place on free, allowed ground.

use letan_map::{generate, load_map, lobby, required_place_ids, Keepout, Layout, Places, OCCUPIED};

fn root() -> std::path::PathBuf {
    lobby::workspace_root()
}

#[test]
fn lobby_files_match_generator() {
    let layout = Layout::load(root().join(lobby::LAYOUT_YAML)).unwrap();
    let keepout = Keepout::load(root().join(lobby::KEEPOUT_YAML)).unwrap();
    let g = generate(&layout, &keepout).unwrap();
    let read = |p: &str| std::fs::read(root().join(p)).unwrap();
    let msg = "committed map files differ from the generator: run `cargo run -p letan-map --example gen_lobby`";
    assert!(read(lobby::MAP_PGM) == g.map_pgm, "{msg}");
    assert_eq!(
        String::from_utf8(read(lobby::MAP_YAML)).unwrap(),
        g.map_yaml,
        "{msg}"
    );
    assert!(read(lobby::KEEPOUT_MASK_PGM) == g.mask_pgm, "{msg}");
    assert_eq!(
        String::from_utf8(read(lobby::KEEPOUT_MASK_YAML)).unwrap(),
        g.mask_yaml,
        "{msg}"
    );
}

#[test]
fn lobby_map_loads_with_expected_shape() {
    let m = load_map(root().join(lobby::MAP_YAML)).unwrap();
    let g = &m.grid;
    assert_eq!((g.width(), g.height()), (600, 400));
    assert!((g.resolution() - 0.05).abs() < 1e-12);
    let (w, h) = g.size_m();
    assert!((w - 30.0).abs() < 1e-9 && (h - 20.0).abs() < 1e-9);
    // walls: south-west corner occupied; a point in the open lobby free
    assert_eq!(g.value_at(0.1, 0.1), Some(OCCUPIED));
    assert_eq!(g.value_at(15.0, 5.0), Some(0));
    // the door is an opening in the south wall; the wall beside it is solid
    assert_eq!(g.value_at(15.0, 0.1), Some(0));
    assert_eq!(g.value_at(12.0, 0.1), Some(OCCUPIED));
    // the row-0-is-bottom flip: the counter desk is at the north (y 16..16.6), not mirrored to y 3.4..4
    assert_eq!(g.value_at(15.0, 16.3), Some(OCCUPIED));
    assert_eq!(g.value_at(15.0, 3.7), Some(0));
    let (free, occ, unknown) = g.counts();
    assert_eq!(unknown, 0);
    assert!(occ > 5_000 && free > 150_000, "free {free} occupied {occ}");
}

#[test]
fn every_spec_place_is_free_reachable_ground_outside_keepout() {
    let places = Places::load(root().join(lobby::PLACES_YAML)).unwrap();
    let keepout = Keepout::load(root().join(lobby::KEEPOUT_YAML)).unwrap();
    let layout = Layout::load(root().join(lobby::LAYOUT_YAML)).unwrap();
    let map = load_map(root().join(lobby::MAP_YAML)).unwrap();
    let tsv_path = root().join("../shared/spec/places.tsv");
    let required = match std::fs::read_to_string(&tsv_path) {
        Ok(tsv) => required_place_ids(&tsv),
        // CI without the shared folder: the ids the spec listed when this map was made
        Err(_) => required_place_ids(include_str!("places_spec_copy.tsv")),
    };
    assert!(required.len() >= 26, "{required:?}");
    places.require(&required).unwrap();
    let robot_radius = 0.3;
    for id in &required {
        let p = places.get(id).unwrap();
        assert!(
            p.yaw > -std::f64::consts::PI && p.yaw <= std::f64::consts::PI,
            "{id} yaw"
        );
        assert!(
            map.grid.is_free_at(p.x, p.y, 50),
            "{id} at {p:?} is not free"
        );
        assert!(keepout.zone_at(p.x, p.y).is_none(), "{id} in keep-out");
        // the robot's footprint fits: no obstacle within the radius
        for k in 0..16 {
            let a = k as f64 * std::f64::consts::TAU / 16.0;
            let (x, y) = (p.x + robot_radius * a.cos(), p.y + robot_radius * a.sin());
            assert!(
                layout.obstacle_at(x, y).is_none(),
                "{id}: footprint hits {:?}",
                layout.obstacle_at(x, y).map(|o| &o.name)
            );
        }
    }
    let dock = places.dock.unwrap();
    assert!(map.grid.is_free_at(dock.x, dock.y, 50) && keepout.zone_at(dock.x, dock.y).is_none());
    // the dock is beside reception
    assert!(dock.distance(&places.get("reception").unwrap()) < 5.0);
}

#[test]
fn keepout_covers_staff_areas() {
    let keepout = Keepout::load(root().join(lobby::KEEPOUT_YAML)).unwrap();
    assert_eq!(
        keepout.zone_at(15.0, 18.0),
        Some("staff_area_behind_counters")
    );
    assert_eq!(keepout.zone_at(20.5, 1.5), Some("behind_reception_desk"));
    assert_eq!(keepout.zone_at(15.0, 0.3), Some("entrance_doorway"));
    assert_eq!(keepout.zone_at(15.0, 10.0), None);
    let mask = load_map(root().join(lobby::KEEPOUT_MASK_YAML)).unwrap();
    assert_eq!(mask.grid.value_at(15.0, 18.0), Some(OCCUPIED));
    assert_eq!(mask.grid.value_at(15.0, 10.0), Some(0));
}

#[test]
fn missing_file_error_names_it() {
    let e = load_map(root().join("maps/nope.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope.yaml"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("m.yaml");
    std::fs::write(
        &y,
        "image: m.pgm\nresolution: 0.05\norigin: [0,0,0]\nbogus: 1\n",
    )
    .unwrap();
    let e = load_map(&y).unwrap_err().to_string();
    assert!(e.contains("m.yaml") && e.contains("bogus"), "{e}");
    std::fs::write(&y, "image: m.pgm\nresolution: 0.05\norigin: [0,0,0]\n").unwrap();
    std::fs::write(dir.path().join("m.pgm"), b"P5\n10 10\n255\n\x00").unwrap();
    let e = load_map(&y).unwrap_err().to_string();
    assert!(e.contains("m.pgm") && e.contains("truncated"), "{e}");
}
