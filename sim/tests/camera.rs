//! The camera renders the lobby and pastes real face photos at the size a detector expects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use letan_core::Pose2D;
use letan_sim::camera::{self, CameraConfig, FaceBank};
use letan_sim::people::Person;
use letan_sim::rng::SimRng;
use nalgebra::Vector2;

fn person_at(x: f64, y: f64, yaw: f64) -> Person {
    let mut rng = SimRng::new(0, 0);
    let mut p = Person::new(
        7,
        "ada".into(),
        "en".into(),
        Vector2::new(x, y),
        1.0,
        false,
        vec![],
        &mut rng,
        0.23,
    );
    p.present = true;
    p.yaw = yaw;
    p
}

#[test]
fn shared_folder_missing_is_a_clear_error() {
    let e = FaceBank::shared_images_dir(std::path::Path::new("/nonexistent/repo")).unwrap_err();
    assert!(e.to_string().contains("shared"), "{e}");
}

#[test]
fn face_is_rendered_at_the_expected_pixel_size() {
    let bank = common::faces();
    assert!(bank.faces.len() >= 2, "astronaut + grace_hopper at least");
    let g = common::room();
    let cfg = CameraConfig::default();
    let cam = Pose2D::new(1.0, 3.0, 0.0);
    let f = cfg.focal();
    for d in [1.5, 2.5, 4.0] {
        let facing = person_at(1.0 + d, 3.0, std::f64::consts::PI);
        let away = person_at(1.0 + d, 3.0, 0.0);
        let a = camera::render(
            &cfg,
            &g,
            &cam,
            std::slice::from_ref(&facing),
            Some(&bank),
            0.0,
        );
        let b = camera::render(
            &cfg,
            &g,
            &cam,
            std::slice::from_ref(&away),
            Some(&bank),
            0.0,
        );
        assert_eq!(a.image.data.len(), 640 * 480 * 3);
        assert_eq!(a.faces.len(), 1, "ground truth face at {d} m");
        assert!(b.faces.is_empty(), "no face seen from behind");
        let ft = &a.faces[0];
        let expect_h = f * cfg.face_height / d;
        assert!(
            (ft.h - expect_h).abs() < 0.5,
            "d={d}: box {} vs f·h/d {expect_h}",
            ft.h
        );
        // Pixels that differ between the facing and the turned-away renders: the photo.
        let (mut u0, mut v0, mut u1, mut v1) = (u32::MAX, u32::MAX, 0, 0);
        let mut n = 0;
        for v in 0..480 {
            for u in 0..640 {
                if a.image.pixel(u, v) != b.image.pixel(u, v) {
                    n += 1;
                    u0 = u0.min(u);
                    v0 = v0.min(v);
                    u1 = u1.max(u);
                    v1 = v1.max(v);
                }
            }
        }
        assert!(n > 0);
        // The pasted crop (face box plus margins) contains the truth box and is centred on the image column.
        assert!(
            (u0 as f64) <= ft.x + 1.0 && (u1 as f64) >= ft.x + ft.w - 2.0,
            "d={d}: cols {u0}..{u1} vs {ft:?}"
        );
        assert!(
            (v0 as f64) <= ft.y + 1.0 && (v1 as f64) >= ft.y + ft.h - 2.0,
            "d={d}: rows {v0}..{v1} vs {ft:?}"
        );
        let crop_h = (v1 - v0 + 1) as f64;
        assert!(
            crop_h > expect_h * 1.3 && crop_h < expect_h * 2.3,
            "d={d}: crop {crop_h} px for a {expect_h} px face"
        );
        assert!(((u0 + u1) as f64 * 0.5 - 320.0).abs() < 3.0);
        // The face box centre is at the projected face height.
        let vc = 240.0 - (cfg.face_center_z - cfg.mount_z) * f / d;
        assert!((ft.y + ft.h * 0.5 - vc).abs() < 1.0);
        // Photo content: the pasted pixels vary (a face, not a flat colour).
        let mut lum = Vec::new();
        for v in ft.y as u32..(ft.y + ft.h) as u32 {
            for u in ft.x as u32..(ft.x + ft.w) as u32 {
                let p = a.image.pixel(u, v);
                lum.push(p[0] as f64 * 0.3 + p[1] as f64 * 0.59 + p[2] as f64 * 0.11);
            }
        }
        let mean = lum.iter().sum::<f64>() / lum.len() as f64;
        let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
        assert!(
            var.sqrt() > 15.0,
            "face region looks flat (std {})",
            var.sqrt()
        );
    }
}

#[test]
fn walls_occlude_people_and_floor_is_below_horizon() {
    let bank = common::faces();
    let mut g = common::room();
    g.fill_rect(letan_sim::grid::Rect {
        min_x: 2.5,
        min_y: 2.0,
        max_x: 2.7,
        max_y: 4.0,
    });
    g.finish();
    let cfg = CameraConfig::default();
    let cam = Pose2D::new(1.0, 3.0, 0.0);
    let p = person_at(4.0, 3.0, std::f64::consts::PI);
    let a = camera::render(&cfg, &g, &cam, std::slice::from_ref(&p), Some(&bank), 0.0);
    assert!(
        a.faces.is_empty(),
        "person behind a wall must not be visible"
    );
    // The wall 1.5 m ahead fills the view; in the open room, floor and ceiling show.
    let open = camera::render(&cfg, &common::room(), &cam, &[], None, 0.0);
    assert_ne!(open.image.pixel(320, 470), open.image.pixel(320, 5));
    assert_ne!(open.image.pixel(320, 470), open.image.pixel(320, 240));
    assert_eq!(
        a.image.pixel(320, 470),
        a.image.pixel(320, 5),
        "wall top to bottom"
    );
    assert_eq!(a.info.k[0], cfg.focal());
    assert_eq!(a.image.encoding, "rgb8");
    assert_eq!(a.image.step, 640 * 3);
}

/// A backdrop reused while the camera stands still gives the same bytes as drawing every frame
/// afresh: people move in front of it, the camera then turns and moves, and comes back.
#[test]
fn a_reused_backdrop_draws_the_same_frames() {
    let g = common::room();
    let cfg = CameraConfig::default();
    let still = Pose2D::new(1.0, 3.0, 0.0);
    let turned = Pose2D::new(1.0, 3.0, 0.3);
    let moved = Pose2D::new(1.2, 2.9, 0.3);
    let mut backdrop = camera::Backdrop::default();
    for (i, cam) in [still, still, still, turned, moved, still]
        .iter()
        .enumerate()
    {
        let p = person_at(
            2.5 + 0.4 * i as f64,
            3.0 - 0.1 * i as f64,
            std::f64::consts::PI,
        );
        let people = std::slice::from_ref(&p);
        let fresh = camera::render(&cfg, &g, cam, people, None, i as f64);
        let reused = camera::render_with(&mut backdrop, &cfg, &g, cam, people, None, i as f64);
        assert!(fresh.image.data == reused.image.data, "frame {i} differs");
        assert_eq!(fresh.faces.len(), reused.faces.len());
    }
}
