//! CDR decoding of every message type a Letan node subscribes to, the way the transport decodes
//! (`cdr_encoding::from_bytes`), with the byte order taken from the 4-byte RTPS encapsulation header
//! as on the wire (0x00 0x01 little endian, 0x00 0x00 big endian). The first byte picks the type.
//! Where a pure function consumes the message, it gets the decoded value too:
//! LaserScan → `letan_nav::Costmap::update_scan` (behind the node's acceptance checks),
//! Image → `letan_vision::ros::image_from_msg` and the privacy blur.
#![no_main]
use byteorder::{BigEndian, LittleEndian};
use letan_msgs::{
    action_msgs, audio_common_msgs, geometry_msgs, hri_msgs, letan_interfaces, nav2_msgs, nav_msgs,
    rosgraph_msgs, sensor_msgs, std_msgs, tf2_msgs,
};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use std::sync::OnceLock;

fn decode<T: DeserializeOwned>(body: &[u8], big_endian: bool) -> Option<T> {
    let r = if big_endian {
        cdr_encoding::from_bytes::<T, BigEndian>(body)
    } else {
        cdr_encoding::from_bytes::<T, LittleEndian>(body)
    };
    r.ok().map(|(v, _)| v)
}

fn costmap() -> &'static std::sync::Mutex<letan_nav::costmap::Costmap> {
    static CM: OnceLock<std::sync::Mutex<letan_nav::costmap::Costmap>> = OnceLock::new();
    CM.get_or_init(|| {
        let grid = letan_map::OccupancyGrid::new(
            40,
            40,
            0.1,
            letan_map::Pose2D::new(-2.0, -2.0, 0.0),
            vec![0; 1600],
        )
        .expect("grid");
        std::sync::Mutex::new(
            letan_nav::costmap::Costmap::new(
                &grid,
                None,
                &letan_nav::params::CostmapParams::default(),
                0.3,
            )
            .expect("costmap"),
        )
    })
}

/// The acceptance checks of `letan_nodes::nav::scan_from_msg` (the node refuses anything else), then
/// the costmap's scan update.
fn scan(m: &sensor_msgs::LaserScan) {
    if m.ranges.is_empty() || m.ranges.len() > 20_000 {
        return;
    }
    let (a0, da) = (f64::from(m.angle_min), f64::from(m.angle_increment));
    if !(a0.is_finite() && da.is_finite() && da != 0.0 && da.abs() < 1.0) {
        return;
    }
    let (rmin, rmax) = (f64::from(m.range_min), f64::from(m.range_max));
    if !(rmin.is_finite() && rmax.is_finite() && rmin >= 0.0 && rmax > rmin && rmax <= 100.0) {
        return;
    }
    let s = letan_nav::LaserScan {
        angle_min: a0,
        angle_increment: da,
        range_min: rmin,
        range_max: rmax,
        ranges: m.ranges.clone(),
    };
    let robot = letan_nav::Pose2D::new(0.0, 0.0, 0.3);
    let laser = letan_nav::Pose2D::new(0.1, 0.0, 0.0);
    let _ = s.points_in(&laser);
    if let Ok(mut cm) = costmap().lock() {
        cm.update_scan(&robot, &laser, &s);
    }
}

fn image(m: &sensor_msgs::Image) {
    if let Ok(mut img) = letan_vision::ros::image_from_msg(m) {
        let b = letan_greeting::BBox {
            x: 1.0,
            y: 1.0,
            w: img.width() as f32 / 2.0,
            h: img.height() as f32 / 2.0,
        };
        letan_vision::blur::pixelate_faces(&mut img, &[b], Default::default());
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let kind = data[0];
    // data[1..5] is the encapsulation header: CDR_BE = 00 00, CDR_LE = 00 01.
    let big_endian = data[2] & 1 == 0;
    let body = &data[5..];
    macro_rules! d {
        ($t:ty) => {{
            let _ = decode::<$t>(body, big_endian);
        }};
    }
    match kind % 31 {
        0 => d!(rosgraph_msgs::Clock),
        1 => d!(geometry_msgs::Twist),
        2 => d!(std_msgs::Bool),
        3 => d!(nav_msgs::Odometry),
        4 => d!(tf2_msgs::TFMessage),
        5 => {
            if let Some(m) = decode::<sensor_msgs::LaserScan>(body, big_endian) {
                scan(&m);
            }
        }
        6 => d!(geometry_msgs::PoseWithCovarianceStamped),
        7 => d!(geometry_msgs::PoseStamped),
        8 => d!(letan_interfaces::NavGoalPlace),
        9 => d!(letan_interfaces::GuideStatus),
        10 => {
            if let Some(m) = decode::<sensor_msgs::Image>(body, big_endian) {
                image(&m);
            }
        }
        11 => d!(sensor_msgs::CameraInfo),
        12 => d!(hri_msgs::IdsList),
        13 => d!(hri_msgs::EngagementLevel),
        14 => d!(letan_interfaces::SayRequest),
        15 => d!(audio_common_msgs::AudioDataStamped),
        16 => d!(letan_interfaces::Transcript),
        17 => d!(letan_interfaces::DialogState),
        18 => d!(letan_interfaces::ScreenContent),
        19 => d!(std_msgs::StringMsg),
        20 => d!(letan_interfaces::MuxStatus),
        21 => d!(letan_interfaces::SpeechStatus),
        22 => d!(std_msgs::Empty),
        23 => d!(letan_interfaces::StaffAlert),
        24 => d!(nav_msgs::OccupancyGrid),
        25 => d!(nav_msgs::Path),
        26 => d!(nav2_msgs::NavigateToPoseGoal),
        27 => d!(letan_interfaces::Intent),
        28 => d!(audio_common_msgs::AudioInfo),
        29 => d!(action_msgs::CancelGoalRequest),
        _ => d!(hri_msgs::NormalizedRegionOfInterest2D),
    }
});
