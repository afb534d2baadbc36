//! Regenerate sim/gazebo/ (world, robot model, bridge config) from the lobby map and the sim config.
//! `cargo run -j2 -p letan-sim --example gen_gazebo`
use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let lobby = letan_sim::lobby::Lobby::load(&root).context("loading the lobby map")?;
    let cfg = letan_sim::WorldConfig::default();
    for (rel, text) in letan_sim::gazebo::generate_all(&lobby, &cfg) {
        let path = root.join("sim/gazebo").join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
