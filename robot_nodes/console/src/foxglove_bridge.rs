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
//! older clients offering only `foxglove.websocket.v1` get HTTP 400, see `notes/ros2.md`). Clients
//! cannot publish or call anything.
//!
//! **Access.** The SDK server has no authentication, so it listens on an ephemeral 127.0.0.1 port and
//! the advertised port (`foxglove_port`, also 127.0.0.1 only, whatever the console's `bind`) is a small
//! front that reads the WebSocket upgrade request, requires the token (`ws://127.0.0.1:PORT/?token=T`,
//! or `Authorization: Bearer T`; compared in constant time) and only then splices the connection
//! through; anything else gets 401 and is closed. At most [`MAX_CLIENTS`] clients at once (more get
//! 429). Remote users tunnel (`ssh -L`). Limit: a process on the robot itself could still find and
//! use the inner ephemeral port.
use crate::auth::constant_time_eq;
use crate::link::{Point2, Pose2D, RobotState};
use crate::Result;
use foxglove::messages::{
    CompressedImage, Pose, PoseInFrame, PosesInFrame, Quaternion, Timestamp, Vector3,
};
use foxglove::{Channel, Context, RawChannel, Schema, WebSocketServer, WebSocketServerHandle};
use letan_web::WebNodeError;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

/// A running bridge; dropping it stops publishing (call [`FoxgloveBridge::stop`] to also close the server).
pub struct FoxgloveBridge {
    handle: Option<WebSocketServerHandle>,
    task: JoinHandle<()>,
    front: JoinHandle<()>,
    port: u16,
}

/// Foxglove clients served at once.
pub const MAX_CLIENTS: usize = 8;
/// Longest upgrade request head read by the front (bytes).
const MAX_HEAD: usize = 8 * 1024;

impl FoxgloveBridge {
    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stop publishing and close the server.
    pub async fn stop(mut self) {
        self.task.abort();
        self.front.abort();
        if let Some(h) = self.handle.take() {
            h.stop().wait().await;
        }
    }
}

impl Drop for FoxgloveBridge {
    fn drop(&mut self) {
        self.task.abort();
        self.front.abort();
    }
}

fn stamp(ms: u64) -> Option<Timestamp> {
    Timestamp::new_checked(
        u32::try_from(ms / 1000).ok()?,
        ((ms % 1000) * 1_000_000) as u32,
    )
}

fn pose(p: &Pose2D) -> Pose {
    let half = p.yaw / 2.0;
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
    pose(&Pose2D::new(p.x, p.y, 0.0))
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

/// The token a client sent: `?token=` in the request target, or `Authorization: Bearer`.
fn request_token(head: &str) -> Option<&str> {
    let mut lines = head.split("\r\n");
    let target = lines.next()?.split(' ').nth(1)?;
    if let Some((_, query)) = target.split_once('?') {
        if let Some(t) = query.split('&').find_map(|kv| kv.strip_prefix("token=")) {
            return Some(t);
        }
    }
    lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        if !k.trim().eq_ignore_ascii_case("authorization") {
            return None;
        }
        v.trim().strip_prefix("Bearer ").map(str::trim)
    })
}

async fn refuse(mut conn: TcpStream, status: &str) {
    let resp = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = conn.write_all(resp.as_bytes()).await;
    let _ = conn.shutdown().await;
}

/// One client of the front: read the head, check the token, splice to the inner server.
async fn front_conn(mut conn: TcpStream, inner_port: u16, token: Arc<str>) {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let read_head = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            if head.len() > MAX_HEAD {
                return false;
            }
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        true
    };
    match tokio::time::timeout(Duration::from_secs(5), read_head).await {
        Ok(true) => {}
        _ => return refuse(conn, "400 Bad Request").await,
    }
    let ok = std::str::from_utf8(&head)
        .ok()
        .and_then(request_token)
        .is_some_and(|t| constant_time_eq(t, &token));
    if !ok {
        tracing::warn!("foxglove: connection without the right token refused");
        return refuse(conn, "401 Unauthorized").await;
    }
    let Ok(mut inner) = TcpStream::connect(("127.0.0.1", inner_port)).await else {
        return refuse(conn, "503 Service Unavailable").await;
    };
    if inner.write_all(&head).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut conn, &mut inner).await;
}

async fn front_loop(listener: TcpListener, inner_port: u16, token: Arc<str>) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(conn, "429 Too Many Requests"));
            continue;
        };
        let token = token.clone();
        tokio::spawn(async move {
            front_conn(conn, inner_port, token).await;
            drop(permit);
        });
    }
}

/// Start a Foxglove server on 127.0.0.1:`port` (0 = any) that requires `token` (at least 16
/// characters), publishing `state` at most `rate_hz` times a second.
pub async fn start(
    mut state: watch::Receiver<Arc<RobotState>>,
    port: u16,
    token: &str,
    rate_hz: f64,
) -> Result<FoxgloveBridge> {
    let host = "127.0.0.1";
    if token.chars().count() < 16 {
        return Err(WebNodeError::invalid_param(
            "foxglove_token",
            "(hidden)",
            "must have at least 16 characters",
        )
        .into());
    }
    let ctx = Context::new();
    let serve_err = |source| WebNodeError::serve(format_args!("{host}:{port}"), source);
    let fail = |e: foxglove::FoxgloveError| serve_err(std::io::Error::other(e.to_string()));
    let front = TcpListener::bind((host, port)).await.map_err(serve_err)?;
    let bound = front.local_addr().map_err(serve_err)?.port();
    let handle = WebSocketServer::new()
        .name("letan")
        .context(&ctx)
        .bind(host, 0)
        .start()
        .await
        .map_err(fail)?;
    let inner_port = handle.port();
    let front = tokio::spawn(front_loop(front, inner_port, Arc::from(token)));
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
        front,
        port: bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaw_becomes_a_z_rotation() {
        let p = pose(&Pose2D::new(1.0, 2.0, std::f64::consts::FRAC_PI_2));
        let q = p.orientation.unwrap_or_default();
        assert!((q.z - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert!((q.w - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert_eq!(p.position.unwrap_or_default().y, 2.0);
    }

    #[test]
    fn the_token_is_found_in_the_query_or_the_bearer_header() {
        let h = "GET /?a=1&token=abc HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(request_token(h), Some("abc"));
        let h = "GET / HTTP/1.1\r\nauthorization: Bearer xyz \r\n\r\n";
        assert_eq!(request_token(h), Some("xyz"));
        assert_eq!(request_token("GET / HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_token(""), None);
    }

    #[test]
    fn stamps_split_seconds_and_nanos() {
        let t = stamp(1_795_314_865_123).unwrap_or_default();
        assert_eq!(t.sec(), 1_795_314_865);
    }
}
