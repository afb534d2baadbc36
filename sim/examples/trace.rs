//! Run a scenario headless with the robot standing still and print one person's state every second.
//! `cargo run -p letan-sim --example trace -- sim/scenarios/busy_lobby.yaml co_hoa`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use letan_sim::lobby::Lobby;
use letan_sim::scenario::Scenario;
use letan_sim::world::WorldConfig;
use letan_sim::Inputs;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let lobby = Lobby::load(&root).expect("lobby");
    let s = Scenario::load(&root.join(&args[1])).expect("scenario");
    let who = args.get(2).cloned().unwrap_or_default();
    let mut cfg = WorldConfig::default();
    cfg.camera.enabled = false;
    let mut w = s
        .build_world(cfg, None, lobby.grid.clone(), lobby.places.clone(), None)
        .expect("world");
    let mut next = 0.0;
    while w.time() < s.duration {
        let out = w.step(0.05, &Inputs::default());
        for u in &out.utterances {
            println!("{:.1} HEARD {:?} from {}", out.clock, u.text, u.person);
        }
        if w.time() >= next {
            next += 1.0;
            if let Some(p) = w.people().iter().find(|p| p.name == who) {
                let d = (p.pos - w.robot_pose().position()).norm();
                println!(
                    "{:.1} {} pos=({:.2},{:.2}) v={:.2} yaw={:.2} {:?} d_robot={:.2}",
                    w.time(),
                    p.name,
                    p.pos.x,
                    p.pos.y,
                    p.vel.norm(),
                    p.yaw,
                    p.activity,
                    d
                );
            }
        }
    }
}
