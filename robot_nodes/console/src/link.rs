//! The boundary between the console and the robot. No DDS here: the robot side (a node wired to DDS
//! topics by the transport, or `fake::FakeRobot` with the feature `demo`) publishes [`RobotState`]
//! snapshots on a `watch` channel and receives [`OperatorCommand`]s on an `mpsc` channel.
use crate::{ConsoleError, Result};
use letan_mux::Twist2;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Largest camera frame accepted (bytes).
pub const MAX_FRAME_BYTES: usize = 2 * 1024 * 1024;

/// A JPEG whose faces were already blurred by the vision pipeline.
///
/// The console only ever serves frames of this type. The robot-side adapter must construct it from the
/// *blurred* camera topic (e.g. `/camera/blurred/compressed`), never from the raw camera; the
/// constructor name says so at every call site, and it refuses anything that is not a JPEG.
#[derive(Clone, Debug, PartialEq)]
pub struct BlurredJpeg(Arc<[u8]>);

impl BlurredJpeg {
    /// Wrap a JPEG taken from the face-blurred stream.
    pub fn from_blurred_stream(jpeg: Vec<u8>) -> Result<Self> {
        if jpeg.len() > MAX_FRAME_BYTES {
            return Err(ConsoleError::BadFrame {
                reason: format!("{} bytes, more than {MAX_FRAME_BYTES}", jpeg.len()),
            });
        }
        if jpeg.len() < 4 || jpeg[..3] != [0xFF, 0xD8, 0xFF] {
            return Err(ConsoleError::BadFrame {
                reason: "not a JPEG (no FF D8 FF start marker)".to_string(),
            });
        }
        Ok(BlurredJpeg(jpeg.into()))
    }

    /// The JPEG bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A pose (the robot's in [`RobotState`], in the map frame): the robot's one `Pose2D`, x and y in m,
/// yaw in rad in (-π, π]; the browser reads it as `{x, y, yaw}`.
pub use letan_core::Pose2D;

/// A point in the map frame (m).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Point2 {
    /// m
    pub x: f64,
    /// m
    pub y: f64,
}

/// A tracked person (map frame).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    /// Track id.
    pub id: u32,
    /// m
    pub x: f64,
    /// m
    pub y: f64,
}

/// A named place (ids from `spec/places.tsv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    /// Place id, e.g. `queue_kiosk`.
    pub id: String,
    /// m
    pub x: f64,
    /// m
    pub y: f64,
}

/// Extent of the map (for drawing), and wall segments.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MapInfo {
    /// Lower-left corner (m).
    pub min: Point2,
    /// Upper-right corner (m).
    pub max: Point2,
    /// Wall segments `[x0, y0, x1, y1]` (m).
    pub walls: Vec<[f64; 4]>,
}

/// One line of the conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TranscriptLine {
    /// When (ms since epoch).
    pub at_ms: u64,
    /// `visitor`, `robot` or `operator`.
    pub speaker: String,
    /// `vi` or `en`.
    pub lang: String,
    /// What was said.
    pub text: String,
}

/// Health of one node.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeHealth {
    /// Node name.
    pub name: String,
    /// Alive and well.
    pub ok: bool,
    /// Short detail (last error, rate).
    pub detail: String,
}

/// A staff-call alert raised by the dialog.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// Alert id.
    pub id: u64,
    /// When raised (ms since epoch).
    pub at_ms: u64,
    /// What the visitor needs.
    pub text: String,
    /// Who acknowledged it, if anyone.
    pub acknowledged_by: Option<String>,
}

/// The mux as the console shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MuxView {
    /// Active input (`navigation`, `console_teleop`, …) or none.
    pub active: Option<String>,
    /// Why the e-stop is engaged (`operator`, `heartbeat_lost`, …) or none.
    pub estop: Option<String>,
    /// The velocity the mux sends (m/s, rad/s).
    pub cmd_linear: f64,
    /// rad/s
    pub cmd_angular: f64,
    /// When the robot's link saw `/cmd_vel` go from zero to moving (ms since epoch, sub-millisecond),
    /// while it is moving; none when it is still. What a teleop latency is measured against.
    pub moving_since_ms: Option<f64>,
}

/// Everything the console shows, as one snapshot.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RobotState {
    /// When the snapshot was made (ms since epoch).
    pub stamp_ms: u64,
    /// Robot pose in the map frame, if localized.
    pub pose: Option<Pose2D>,
    /// Planned path (map frame).
    pub path: Vec<Point2>,
    /// People around.
    pub people: Vec<Person>,
    /// Named places.
    pub places: Vec<Place>,
    /// Map extent and walls.
    pub map: MapInfo,
    /// Latest face-blurred camera frame (served at `/api/camera.jpg`, not in the JSON).
    #[serde(skip)]
    pub camera: Option<BlurredJpeg>,
    /// Increases with each new camera frame.
    pub camera_seq: u64,
    /// Recent conversation (oldest first).
    pub transcript: Vec<TranscriptLine>,
    /// Dialog state name (`idle`, `listening`, `answering`, …).
    pub dialog_state: String,
    /// Mux status.
    pub mux: MuxView,
    /// Node health.
    pub nodes: Vec<NodeHealth>,
    /// Staff-call alerts.
    pub alerts: Vec<Alert>,
    /// Current navigation goal (place id), if any.
    pub goal: Option<String>,
}

/// Spoken language for "say this": the robot's one `Lang` (`vi` / `en`).
pub use letan_core::Lang;

/// What an operator asked the robot to do. `operator` is the account name, for the robot's own logs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum OperatorCommand {
    /// Drive (console teleop mux input). Sent at ~10 Hz while held; the mux stops the robot when they
    /// stop arriving.
    Teleop {
        /// Who.
        operator: String,
        /// Already clamped to the console's teleop limits.
        twist: Twist2,
    },
    /// Engage the e-stop lock.
    EStop {
        /// Who.
        operator: String,
    },
    /// Release the e-stop lock (the mux may refuse, e.g. without heartbeat).
    ReleaseEStop {
        /// Who.
        operator: String,
    },
    /// Navigate to a named place.
    GoTo {
        /// Who.
        operator: String,
        /// Place id.
        place: String,
    },
    /// Cancel navigation.
    CancelGoal {
        /// Who.
        operator: String,
    },
    /// Return to the dock.
    Dock {
        /// Who.
        operator: String,
    },
    /// Speak through the robot's voice.
    Say {
        /// Who.
        operator: String,
        /// Language.
        lang: Lang,
        /// Text.
        text: String,
    },
    /// Acknowledge a staff-call alert.
    AckAlert {
        /// Who.
        operator: String,
        /// Alert id.
        id: u64,
    },
}

/// The console's end of the link.
#[derive(Clone)]
pub struct RobotLink {
    /// Latest robot state.
    pub state: watch::Receiver<Arc<RobotState>>,
    /// Commands to the robot.
    pub commands: mpsc::Sender<OperatorCommand>,
}

/// The robot's end of the link.
pub struct RobotEnd {
    /// Publish snapshots here.
    pub state: watch::Sender<Arc<RobotState>>,
    /// Commands from operators.
    pub commands: mpsc::Receiver<OperatorCommand>,
}

/// A connected pair of ends. `capacity` bounds queued commands (a full queue refuses with 503).
pub fn robot_link(capacity: usize) -> (RobotLink, RobotEnd) {
    let (state_tx, state_rx) = watch::channel(Arc::new(RobotState::default()));
    let (cmd_tx, cmd_rx) = mpsc::channel(capacity.max(1));
    (
        RobotLink {
            state: state_rx,
            commands: cmd_tx,
        },
        RobotEnd {
            state: state_tx,
            commands: cmd_rx,
        },
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn frames_must_be_jpeg_and_bounded() {
        assert!(BlurredJpeg::from_blurred_stream(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).is_ok());
        assert!(BlurredJpeg::from_blurred_stream(b"\x89PNG\r\n".to_vec()).is_err());
        assert!(BlurredJpeg::from_blurred_stream(vec![]).is_err());
        let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
        big.resize(MAX_FRAME_BYTES + 1, 0);
        assert!(BlurredJpeg::from_blurred_stream(big).is_err());
    }

    #[test]
    fn camera_is_not_in_the_json() {
        let s = RobotState {
            camera: Some(BlurredJpeg::from_blurred_stream(vec![0xFF, 0xD8, 0xFF, 0xE0]).unwrap()),
            camera_seq: 3,
            ..Default::default()
        };
        let j = serde_json::to_string(&s).unwrap();
        assert!(!j.contains("\"camera\""), "{j}");
        assert!(j.contains("\"camera_seq\":3"));
    }
}
