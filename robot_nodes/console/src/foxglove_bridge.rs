//! A read-only Foxglove WebSocket server (the `foxglove` SDK) fed from the same [`RobotState`]
//! snapshots as the console, so Foxglove and Lichtblick users can view the robot:
//!
//! | channel | schema | content |
//! |---|---|---|
//! | `/letan/pose` | `foxglove.PoseInFrame` (protobuf) | robot pose in `map` |
//! | `/letan/path` | `foxglove.PosesInFrame` | planned path in `map` |
//! | `/letan/camera/compressed` | `foxglove.CompressedImage` | the face-blurred JPEG (only [`crate::link::BlurredJpeg`]) |
//! | `/letan/state` | JSON | people, places, transcript, dialog state, mux, node health, alerts |
//!
//! The SDK speaks the `foxglove.sdk.v1` subprotocol (current Foxglove and Lichtblick since Dec 2025;
//! older clients offering only `foxglove.websocket.v1` get HTTP 400, see `notes/ros2.md`). It has no
//! authentication: keep it on 127.0.0.1 (the default) and tunnel. Clients cannot publish or call anything.
use crate::link::{Point2, Pose2, RobotState};
use crate::{ConsoleError, Result};
use foxglove::messages::{
    CompressedImage, Pose, PoseInFrame, PosesInFrame, Quaternion, Timestamp, Vector3,
};
use foxglove::{Channel, Context, RawChannel, Schema, WebSocketServer, WebSocketServerHandle};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running bridge; dropping it stops publishing (call [`FoxgloveBridge::stop`] to also close the server).
pub struct FoxgloveBridge {
    handle: Option<WebSocketServerHandle>,
    task: JoinHandle<()>,
    port: u16,
}

impl FoxgloveBridge {
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stop publishing and close the server.
    pub async fn stop(mut self) {
        self.task.abort();
        if let Some(h) = self.handle.take() {
            h.stop().wait().await;
        }
    }
}

impl Drop for FoxgloveBridge {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn stamp(ms: u64) -> Option<Timestamp> {
    Timestamp::new_checked(
        u32::try_from(ms / 1000).ok()?,
        ((ms % 1000) * 1_000_000) as u32,
    )
}

fn pose(p: &Pose2) -> Pose {
    let half = p.theta / 2.0;
    Pose {
        position: Some(Vector3 {
            x: p.x,
            y: p.y,
            z: 0.0,
        }),
        orientation: Some(Quaternion {
            x: 0.0,
            y: 0.0,
            z: half.sin(),
            w: half.cos(),
        }),
    }
}

fn point_pose(p: &Point2) -> Pose {
    pose(&Pose2 {
        x: p.x,
        y: p.y,
        theta: 0.0,
    })
}

struct Channels {
    pose: Channel<PoseInFrame>,
    path: Channel<PosesInFrame>,
    camera: Channel<CompressedImage>,
    state: Arc<RawChannel>,
}

fn publish(ch: &Channels, s: &RobotState, last_camera: &mut u64) {
    let ts = stamp(s.stamp_ms);
    if let Some(p) = &s.pose {
        ch.pose.log(&PoseInFrame {
            timestamp: ts,
            frame_id: "map".into(),
            pose: Some(pose(p)),
        });
    }
    ch.path.log(&PosesInFrame {
        timestamp: ts,
        frame_id: "map".into(),
        poses: s.path.iter().map(point_pose).collect(),
    });
    if s.camera_seq != *last_camera {
        if let Some(frame) = &s.camera {
            ch.camera.log(&CompressedImage {
                timestamp: ts,
                frame_id: "camera".into(),
                data: frame.bytes().to_vec().into(),
                format: "jpeg".into(),
            });
        }
        *last_camera = s.camera_seq;
    }
    match serde_json::to_vec(s) {
        Ok(json) => ch.state.log(&json),
        Err(e) => tracing::warn!(error = %e, "foxglove: state not serialized"),
    }
}

/// Start a Foxglove server on `host:port` (port 0 = any) publishing `state` at most `rate_hz` times a second.
pub async fn start(
    mut state: watch::Receiver<Arc<RobotState>>,
    host: &str,
    port: u16,
    rate_hz: f64,
) -> Result<FoxgloveBridge> {
    let ctx = Context::new();
    let fail = |e: foxglove::FoxgloveError| ConsoleError::Serve {
        addr: format!("{host}:{port}"),
        source: std::io::Error::other(e.to_string()),
    };
    let handle = WebSocketServer::new()
        .name("letan")
        .context(&ctx)
        .bind(host, port)
        .start()
        .await
        .map_err(fail)?;
    let bound = handle.port();
    let channels = Channels {
        pose: ctx.channel_builder("/letan/pose").build::<PoseInFrame>(),
        path: ctx.channel_builder("/letan/path").build::<PosesInFrame>(),
        camera: ctx
            .channel_builder("/letan/camera/compressed")
            .build::<CompressedImage>(),
        state: ctx
            .channel_builder("/letan/state")
            .message_encoding("json")
            .schema(Schema::new(
                "letan.RobotState",
                "jsonschema",
                br#"{"type":"object","title":"letan.RobotState"}"#.to_vec(),
            ))
            .build_raw()
            .map_err(fail)?,
    };
    let period = Duration::from_secs_f64(1.0 / rate_hz.clamp(0.1, 60.0));
    let task = tokio::spawn(async move {
        let _ctx = ctx; // keep channels attached for the life of the task
        let mut last_camera = u64::MAX;
        loop {
            let snap = state.borrow_and_update().clone();
            publish(&channels, &snap, &mut last_camera);
            tokio::time::sleep(period).await;
            if state.changed().await.is_err() {
                return;
            }
        }
    });
    tracing::info!(port = bound, "foxglove server listening");
    Ok(FoxgloveBridge {
        handle: Some(handle),
        task,
        port: bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaw_becomes_a_z_rotation() {
        let p = pose(&Pose2 {
            x: 1.0,
            y: 2.0,
            theta: std::f64::consts::FRAC_PI_2,
        });
        let q = p.orientation.unwrap_or_default();
        assert!((q.z - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert!((q.w - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert_eq!(p.position.unwrap_or_default().y, 2.0);
    }

    #[test]
    fn stamps_split_seconds_and_nanos() {
        let t = stamp(1_795_314_865_123).unwrap_or_default();
        assert_eq!(t.sec(), 1_795_314_865);
    }
}
