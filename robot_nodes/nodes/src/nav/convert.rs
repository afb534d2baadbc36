//! Messages in and out of the navigation node: `letan-nav`'s domain types ↔ ROS 2 messages.
use letan_map::OccupancyGrid as Grid;
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{Pose, PoseStamped, Quaternion};
use letan_msgs::letan_interfaces::GuideStatus;
use letan_msgs::nav2_msgs::NavigateToPoseResult;
use letan_msgs::nav_msgs::{MapMetaData, OccupancyGrid, Path};
use letan_msgs::sensor_msgs::LaserScan as ScanMsg;
use letan_msgs::std_msgs::Header;
use letan_msgs::tf2_msgs::TFMessage;
use letan_nav::navigator::{NavErrorCode, NavFailure};
use letan_nav::supervisor::{GoalStatus, Phase, WaitReason};
use letan_nav::{LaserScan, Person, Pose2D};

/// Most beams accepted in one scan (a bigger message is refused, not processed).
pub const MAX_BEAMS: usize = 20_000;

/// Farthest a laser mount from `/tf_static` may be from base_link (m).
pub const MAX_LASER_OFFSET_M: f64 = 2.0;

pub fn stamp(t: f64) -> Time {
    Time::from_secs_f64(t.max(0.0))
}

pub fn quat(yaw: f64) -> Quaternion {
    Quaternion::from_yaw(yaw)
}

pub fn pose2d(p: &Pose) -> Pose2D {
    Pose2D::new(p.position.x, p.position.y, p.orientation.yaw())
}

/// The `/map` message of a grid.
pub fn map_msg(grid: &Grid, frame: &str, now: Time) -> OccupancyGrid {
    let o = grid.origin();
    OccupancyGrid {
        header: Header::new(now, frame),
        info: MapMetaData {
            map_load_time: now,
            resolution: grid.resolution() as f32,
            width: grid.width() as u32,
            height: grid.height() as u32,
            origin: Pose::from_xy_yaw(o.x, o.y, o.yaw),
        },
        data: grid.data().to_vec(),
    }
}

/// A `sensor_msgs/LaserScan` as `letan-nav` reads it, or why it is refused.
pub fn scan_from_msg(m: &ScanMsg) -> Result<LaserScan, String> {
    if m.ranges.is_empty() {
        return Err("no ranges".into());
    }
    if m.ranges.len() > MAX_BEAMS {
        return Err(format!("{} ranges (at most {MAX_BEAMS})", m.ranges.len()));
    }
    let (a0, da) = (f64::from(m.angle_min), f64::from(m.angle_increment));
    if !(a0.is_finite() && da.is_finite() && da != 0.0 && da.abs() < 1.0) {
        return Err(format!(
            "angle_min {a0} / angle_increment {da} are not usable"
        ));
    }
    let (rmin, rmax) = (f64::from(m.range_min), f64::from(m.range_max));
    if !(rmin.is_finite() && rmax.is_finite() && rmin >= 0.0 && rmax > rmin && rmax <= 100.0) {
        return Err(format!(
            "range_min {rmin} / range_max {rmax} are not usable"
        ));
    }
    Ok(LaserScan {
        angle_min: a0,
        angle_increment: da,
        range_min: rmin,
        range_max: rmax,
        ranges: m.ranges.clone(),
    })
}

/// The `/nav/guide_status` message of a goal status.
pub fn guide_status_msg(s: &GoalStatus, header: Header) -> GuideStatus {
    let (state, error_code, error_msg, wait_reason) = match &s.phase {
        Phase::Idle => (
            GuideStatus::STATE_IDLE,
            0,
            String::new(),
            GuideStatus::WAIT_NONE,
        ),
        Phase::Navigating => (
            GuideStatus::STATE_NAVIGATING,
            0,
            String::new(),
            GuideStatus::WAIT_NONE,
        ),
        Phase::Waiting(r) => (
            GuideStatus::STATE_WAITING,
            0,
            r.text().to_string(),
            wait_code(*r),
        ),
        Phase::Arrived => (
            GuideStatus::STATE_ARRIVED,
            0,
            String::new(),
            GuideStatus::WAIT_NONE,
        ),
        Phase::Canceled => (
            GuideStatus::STATE_CANCELED,
            0,
            String::new(),
            GuideStatus::WAIT_NONE,
        ),
        Phase::Failed(f) => (
            GuideStatus::STATE_FAILED,
            failure_code(f),
            failure_text(f),
            GuideStatus::WAIT_NONE,
        ),
    };
    GuideStatus {
        header,
        place_id: s.place.clone(),
        state: state.to_string(),
        progress: s.progress,
        error_code,
        error_msg,
        wait_reason,
        guide: s.guide,
    }
}

/// The `WAIT_*` value of a wait reason.
pub fn wait_code(r: WaitReason) -> u8 {
    match r {
        WaitReason::GuidedPerson => GuideStatus::WAIT_GUIDED_PERSON,
        WaitReason::Estop => GuideStatus::WAIT_ESTOP,
        WaitReason::Teleop => GuideStatus::WAIT_TELEOP,
        WaitReason::People => GuideStatus::WAIT_PEOPLE,
    }
}

fn failure_code(f: &NavFailure) -> u16 {
    match f.code {
        NavErrorCode::UnknownPlace => GuideStatus::ERROR_UNKNOWN_PLACE,
        NavErrorCode::FailedToMakeProgress | NavErrorCode::FollowerLost => {
            GuideStatus::ERROR_TIMEOUT
        }
        _ => GuideStatus::ERROR_NO_PATH,
    }
}

/// `"[208] no path …"`: the Nav2 result code first, for tools that parse it.
fn failure_text(f: &NavFailure) -> String {
    format!("[{}] {}", f.code.code(), f.message)
}

pub fn nav_result(error_code: u16, error_msg: &str) -> NavigateToPoseResult {
    NavigateToPoseResult {
        error_code,
        error_msg: error_msg.to_string(),
    }
}

pub fn path_msg(poses: &[Pose2D], frame: &str, now: Time) -> Path {
    Path {
        header: Header::new(now, frame),
        poses: poses
            .iter()
            .map(|p| PoseStamped {
                header: Header::new(now, frame),
                pose: Pose::from_xy_yaw(p.x, p.y, p.yaw),
            })
            .collect(),
    }
}

pub fn people_msg(people: &[Person], frame: &str, now: Time) -> Path {
    Path {
        header: Header::new(now, frame),
        poses: people
            .iter()
            .map(|p| PoseStamped {
                header: Header::new(now, format!("person/{}", p.id)),
                pose: Pose::from_xy_yaw(p.x, p.y, p.vy.atan2(p.vx)),
            })
            .collect(),
    }
}

/// The laser's pose in base_link from `/tf_static`, if it names `frame`.
pub fn laser_from_tf(tf: &TFMessage, base: &str, frame: &str) -> Option<Pose2D> {
    tf.transforms
        .iter()
        .find(|t| t.header.frame_id == base && t.child_frame_id == frame)
        .map(|t| {
            let q = &t.transform.rotation;
            let yaw = Quaternion {
                x: q.x,
                y: q.y,
                z: q.z,
                w: q.w,
            }
            .yaw();
            Pose2D::new(t.transform.translation.x, t.transform.translation.y, yaw)
        })
        .filter(|p| {
            // A laser is mounted on the robot: a mount metres away would misplace every beam.
            let ok = p.x.is_finite()
                && p.y.is_finite()
                && p.yaw.is_finite()
                && p.x.hypot(p.y) <= MAX_LASER_OFFSET_M;
            if !ok {
                tracing::warn!(x = p.x, y = p.y, yaw = p.yaw, "laser mount in /tf_static refused (not finite, or more than {MAX_LASER_OFFSET_M} m from {base}): the configured one is used");
            }
            ok
        })
}
