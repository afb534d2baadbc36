//! Regenerate maps/lobby.pgm, maps/lobby.yaml, maps/keepout_mask.pgm and maps/keepout_mask.yaml
//! from maps/lobby_layout.yaml and maps/keepout.yaml:
//!
//!     cargo run -j2 -p letan-map --example gen_lobby [-- <maps dir>]

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| letan_map::lobby::workspace_root().join("maps"));
    let layout = letan_map::Layout::load(dir.join("lobby_layout.yaml"))?;
    let keepout = letan_map::Keepout::load(dir.join("keepout.yaml"))?;
    let g = letan_map::generate(&layout, &keepout)?;
    std::fs::write(dir.join(format!("{}.pgm", layout.name)), &g.map_pgm)?;
    std::fs::write(dir.join(format!("{}.yaml", layout.name)), &g.map_yaml)?;
    std::fs::write(dir.join("keepout_mask.pgm"), &g.mask_pgm)?;
    std::fs::write(dir.join("keepout_mask.yaml"), &g.mask_yaml)?;
    println!("wrote {} map files to {}", 4, dir.display());
    Ok(())
}
