//! A real face detector (YuNet 2022mar via OpenCV's FaceDetectorYN, model from
//! ../shared/vision/models) finds the faces the camera renders, where the ground truth says.
//! libopencv-dev is installed by setup (scripts/apt-packages.txt), so a missing OpenCV fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_core::Pose2D;
use letan_sim::camera::{self, CameraConfig, FaceTruth};
use letan_sim::people::Person;
use letan_sim::rng::SimRng;
use nalgebra::Vector2;
use std::process::Command;

fn detector() -> std::path::PathBuf {
    let pc = Command::new("pkg-config")
        .args(["--cflags", "--libs", "opencv4"])
        .output()
        .expect("pkg-config");
    assert!(
        pc.status.success(),
        "OpenCV 4 not found: install libopencv-dev (scripts/apt-packages.txt)"
    );
    let flags = String::from_utf8(pc.stdout).unwrap();
    let out = std::env::temp_dir().join(format!("letan_yunet_check_{}", std::process::id()));
    let ok = Command::new("g++")
        .arg("-O1")
        .arg("-o")
        .arg(&out)
        .arg(common::repo_root().join("sim/check/yunet_check.cpp"))
        .args(flags.split_whitespace())
        .status()
        .expect("g++")
        .success();
    assert!(ok, "compiling sim/check/yunet_check.cpp failed");
    out
}

fn iou(a: [f64; 4], b: [f64; 4]) -> f64 {
    let x0 = a[0].max(b[0]);
    let y0 = a[1].max(b[1]);
    let x1 = (a[0] + a[2]).min(b[0] + b[2]);
    let y1 = (a[1] + a[3]).min(b[1] + b[3]);
    let i = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    i / (a[2] * a[3] + b[2] * b[3] - i)
}

#[test]
fn yunet_finds_rendered_faces_at_the_ground_truth_box() {
    let model =
        common::repo_root().join("../shared/vision/models/face_detection_yunet_2022mar.onnx");
    assert!(model.is_file(), "{} missing", model.display());
    let bank = common::faces();
    let bin = detector();
    let cfg = CameraConfig::default();
    let g = common::room();
    let cam = Pose2D::new(1.0, 3.0, 0.0);
    let dir = std::env::temp_dir().join(format!("letan_faces_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases: Vec<(std::path::PathBuf, FaceTruth, f64, usize)> = Vec::new();
    for face in 0..bank.faces.len() {
        for d in [1.0, 1.5, 2.0, 3.0, 4.0] {
            let mut rng = SimRng::new(0, 0);
            let mut p = Person::new(
                1,
                "p".into(),
                "vi".into(),
                Vector2::new(1.0 + d, 3.2),
                1.0,
                false,
                vec![],
                &mut rng,
                0.23,
            );
            p.present = true;
            p.face = face;
            p.yaw = std::f64::consts::PI;
            let f = camera::render(&cfg, &g, &cam, std::slice::from_ref(&p), Some(&bank), 0.0);
            let truth = f.faces.first().cloned().expect("face in view");
            let path = dir.join(format!("face{face}_{d}.png"));
            image::save_buffer(
                &path,
                &f.image.data,
                f.image.width,
                f.image.height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
            cases.push((path, truth, d, face));
        }
    }
    let out = Command::new(&bin)
        .arg(&model)
        .args(cases.iter().map(|c| &c.0))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut found = 0;
    let mut report = String::new();
    for ((_, truth, d, face), line) in cases.iter().zip(text.lines()) {
        let v: Vec<f64> = line
            .split_whitespace()
            .skip(2)
            .map(|x| x.parse().unwrap())
            .collect();
        let best = v
            .chunks(5)
            .map(|c| {
                iou(
                    [c[0], c[1], c[2], c[3]],
                    [truth.x, truth.y, truth.w, truth.h],
                )
            })
            .fold(0.0, f64::max);
        report += &format!(
            "face {face} ({}) at {d} m: truth h={:.0}px, best IoU {best:.2}\n",
            bank.faces[*face].source, truth.h
        );
        if best > 0.5 {
            found += 1;
        }
    }
    eprintln!("{report}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&bin);
    // Every face up to 4 m (≥ 25 px tall) is found where the ground truth says.
    assert_eq!(found, cases.len(), "{report}");
}
