//! Debug aid: run a scenario with the robot still, a fake greeting when someone stands close, and
//! save camera frames between two times. `cargo run -p letan-sim --example snap -- <scenario> <t0> <t1> <dir>`
#![allow(clippy::unwrap_used, clippy::expect_used)]
use letan_sim::camera::FaceBank;
use letan_sim::lobby::Lobby;
use letan_sim::scenario::Scenario;
use letan_sim::world::WorldConfig;
use letan_sim::Inputs;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let lobby = Lobby::load(&root).expect("lobby");
    let s = Scenario::load(&root.join(&a[1])).expect("scenario");
    let (t0, t1): (f64, f64) = (a[2].parse().unwrap(), a[3].parse().unwrap());
    let dir = std::path::PathBuf::from(&a[4]);
    std::fs::create_dir_all(&dir).unwrap();
    let faces = FaceBank::load(&FaceBank::shared_images_dir(&root).unwrap(), 60.0).unwrap();
    let mut w = s
        .build_world(
            WorldConfig::default(),
            None,
            lobby.grid.clone(),
            lobby.places.clone(),
            Some(faces),
        )
        .expect("world");
    let mut k = 0;
    let mut inputs = Inputs::default();
    while w.time() < t1 {
        let out = w.step(0.05, &inputs);
        inputs = Inputs::default();
        for u in &out.utterances {
            println!("{:.1} heard {:?}", w.time(), u.text);
            inputs.actions.push(letan_sim::RobotAction::Said {
                text: "ok".into(),
                lang: "vi".into(),
                intent: None,
                person: Some(u.person),
            });
        }
        if w.time() > 9.0 && w.time() < 9.06 {
            inputs
                .actions
                .push(letan_sim::RobotAction::Greeted { person: None });
        }
        if let Some(f) = out.camera {
            if w.time() >= t0 {
                let img = &f.image;
                let buf =
                    image::RgbImage::from_raw(img.width, img.height, img.data.clone()).unwrap();
                buf.save(dir.join(format!("f{k:03}_{:.1}.png", w.time())))
                    .unwrap();
                println!(
                    "{:.1} faces {:?}",
                    w.time(),
                    f.faces
                        .iter()
                        .map(|x| (
                            x.person_id,
                            x.x as i32,
                            x.y as i32,
                            x.w as i32,
                            x.h as i32,
                            (x.depth * 100.0) as i32
                        ))
                        .collect::<Vec<_>>()
                );
                k += 1;
            }
        }
    }
}
