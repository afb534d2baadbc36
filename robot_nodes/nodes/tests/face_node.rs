//! The face node on the in-process bus, in sim time, with the real YuNet detector: a face
//! (the astronaut photo, scaled as a person walking from 3.5 m to 1 m) is tracked, reaches
//! ENGAGED, is greeted exactly once on /greeting/greet, and the debug image is blurred.
#![allow(clippy::unwrap_used)]
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::hri_msgs::{EngagementLevel, IdsList};
use letan_msgs::letan_interfaces::SayRequest;
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::sensor_msgs::Image as ImageMsg;
use letan_msgs::std_msgs::Header;
use letan_nodes::NodeArgs;
use letan_transport::{Context, Qos};
use letan_vision::{cv, ros, Image};
use std::path::PathBuf;

fn images() -> PathBuf {
    letan_vision::shared_images_dir().expect("shared/vision/images")
}

/// The astronaut's head and shoulders pasted at the image centre with its face `face_h` px tall.
fn frame(crop: &Image, face_h: f64) -> Image {
    let s = face_h / 117.0;
    let w = ((f64::from(crop.width()) * s).round() as u32).max(1);
    let h = ((f64::from(crop.height()) * s).round() as u32).max(1);
    let sprite = cv::resize(crop, w, h).expect("resize");
    let (x0, y0) = (
        320 - ((225.0 - 118.0) * s) as i64,
        240 - ((116.0 - 18.0) * s) as i64,
    );
    let mut f = Image::filled(640, 480, [110, 110, 110]).expect("frame");
    for sy in 0..sprite.height() {
        for sx in 0..sprite.width() {
            let (x, y) = (x0 + i64::from(sx), y0 + i64::from(sy));
            if (0..640).contains(&x) && (0..480).contains(&y) {
                f.set_pixel(x as u32, y as u32, sprite.pixel(sx, sy).expect("in"));
            }
        }
    }
    f
}

#[tokio::test(flavor = "current_thread")]
async fn face_node_greets_an_approaching_person_once_and_blurs_the_debug_image() {
    let src = cv::load_image(&images().join("astronaut.png")).expect("astronaut");
    let mut crop = Vec::new();
    for y in 18..278u32 {
        for x in 118..332u32 {
            crop.extend_from_slice(&src.pixel(x, y).expect("in"));
        }
    }
    let crop = Image::from_bgr(214, 260, crop).expect("crop");

    let ctx = Context::bus();
    let test = ctx.node("test", "/").expect("node");
    let clock = test
        .publisher::<Clock>("/clock", Qos::clock())
        .expect("pub");
    let camera = test
        .publisher::<ImageMsg>("/camera/image_raw", Qos::sensor_data())
        .expect("pub");
    let greet = test
        .subscribe::<SayRequest>("/greeting/greet", Qos::commands().with_depth(100))
        .expect("sub");
    let tracked = test
        .subscribe::<IdsList>("/humans/faces/tracked", Qos::commands().with_depth(1000))
        .expect("sub");
    let debug = test
        .subscribe::<ImageMsg>(
            "/humans/faces/debug_image",
            Qos::sensor_data().with_depth(1000),
        )
        .expect("sub");

    let args = NodeArgs {
        params_files: vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vision/config/face.yaml")
        ],
        use_sim_time: true,
        ..Default::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(letan_nodes::run("face", ctx.clone(), args, async {
        let _ = stop_rx.await;
    }));

    // 09:00 in Hanoi = 02:00 UTC; sim time is seconds since the epoch.
    let t0 = 1_780_000_000.0_f64 - (1_780_000_000.0_f64 % 86_400.0) + 2.0 * 3600.0;
    let mut greetings = Vec::new();
    let mut engaged_seen = false;
    let mut last_frame = None;
    for k in 0..60u32 {
        let t = t0 + f64::from(k) * 0.1;
        let sec = t.floor();
        clock
            .publish(Clock {
                clock: Time {
                    sec: sec as i32,
                    nanosec: ((t - sec) * 1e9) as u32,
                },
            })
            .expect("clock");
        let z = (3.5 - 0.08 * f64::from(k)).max(1.0);
        let img = frame(&crop, 554.3 * 0.2 / z);
        camera
            .publish(ros::image_to_msg(
                &img,
                Header::new(
                    Time {
                        sec: sec as i32,
                        nanosec: 0,
                    },
                    "camera",
                ),
            ))
            .expect("camera");
        last_frame = Some(img);
        for _ in 0..50 {
            tokio::task::yield_now().await;
        }
        greetings.extend(std::iter::from_fn(|| greet.try_recv()));
        for ids in std::iter::from_fn(|| tracked.try_recv()) {
            for id in ids.ids {
                let sub = test
                    .subscribe::<EngagementLevel>(
                        &format!("/humans/persons/{id}/engagement_status"),
                        Qos::latched(),
                    )
                    .expect("sub");
                for _ in 0..5 {
                    tokio::task::yield_now().await;
                }
                engaged_seen |= std::iter::from_fn(|| sub.try_recv())
                    .any(|m| m.level == EngagementLevel::ENGAGED);
            }
        }
    }
    let _ = stop_tx.send(());
    node.await.expect("join").expect("node ran without error");

    assert_eq!(greetings.len(), 1, "{greetings:?}");
    assert!(
        greetings[0].text.contains("Chào buổi sáng"),
        "{:?}",
        greetings[0].text
    );
    assert_eq!(greetings[0].language, "vi");
    assert!(greetings[0].id.starts_with('f'));
    assert!(engaged_seen, "an ENGAGED status was published");
    let dbg = std::iter::from_fn(|| debug.try_recv())
        .last()
        .expect("a debug image");
    let dbg = ros::image_from_msg(&dbg).expect("decodes");
    let orig = last_frame.expect("frame");
    // The face centre is pixelated; a background corner is untouched.
    let changed = (300..340u32)
        .flat_map(|x| (220..260u32).map(move |y| (x, y)))
        .filter(|&(x, y)| dbg.pixel(x, y) != orig.pixel(x, y))
        .count();
    assert!(
        changed > 1200,
        "only {changed}/1600 face pixels changed: not blurred"
    );
    assert_eq!(dbg.pixel(5, 5), orig.pixel(5, 5));
}
