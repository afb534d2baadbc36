//! The Foxglove bridge: a real WebSocket client with the `foxglove.sdk.v1` subprotocol sees the server
//! info and the advertised channels, subscribes to the pose and receives binary message data — only with
//! the token; without it, or with a wrong one, the upgrade is refused with 401.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use futures::{SinkExt, StreamExt};
use letan_console::link::{robot_link, Pose2D, RobotState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "fox-token-0123456789abcdef";

async fn try_connect(port: u16, query: &str, bearer: Option<&str>) -> Result<(), String> {
    let mut req = format!("ws://127.0.0.1:{port}/{query}")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "foxglove.sdk.v1".parse().unwrap());
    if let Some(b) = bearer {
        req.headers_mut()
            .insert("Authorization", format!("Bearer {b}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((mut ws, _)) => {
            // the SDK's first message proves we reached it
            let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .map_err(|_| "no serverInfo".to_string())?;
            match m {
                Some(Ok(Message::Text(t))) if t.contains("serverInfo") => Ok(()),
                other => Err(format!("unexpected {other:?}")),
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foxglove_needs_the_token_and_listens_on_loopback_only() {
    let (link, _end) = robot_link(4);
    let short = letan_console::foxglove_bridge::start(link.state.clone(), 0, "short", 20.0).await;
    assert!(short.is_err(), "a short token is refused");
    let bridge = letan_console::foxglove_bridge::start(link.state.clone(), 0, TOKEN, 20.0)
        .await
        .unwrap();
    let port = bridge.port();
    for (query, bearer) in [
        ("", None),
        ("?token=", None),
        ("?token=fox-token-0123456789abcdeX", None),
        ("?token=fox-token", None),
        ("", Some("wrong-token-0123456789abcdef")),
    ] {
        let e = try_connect(port, query, bearer).await.unwrap_err();
        assert!(e.contains("401"), "{query:?} {bearer:?}: {e}");
    }
    try_connect(port, &format!("?token={TOKEN}"), None)
        .await
        .unwrap();
    try_connect(port, "", Some(TOKEN)).await.unwrap();
    // garbage instead of an upgrade request: refused, and the bridge still serves
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(&[0xFFu8; 9000]).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(6), s.read_to_end(&mut out)).await;
        assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 400"));
    }
    try_connect(port, &format!("?token={TOKEN}"), None)
        .await
        .unwrap();
    // bound to 127.0.0.1: the listening socket of the port is a loopback one
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let listening: Vec<&str> = tcp
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f[3] == "0A" && f[1].ends_with(&format!(":{port:04X}"))
        })
        .collect();
    assert_eq!(listening.len(), 1, "{listening:?}");
    assert!(
        listening[0]
            .split_whitespace()
            .nth(1)
            .unwrap()
            .starts_with("0100007F:"),
        "bound to 127.0.0.1: {listening:?}"
    );
    bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foxglove_client_sees_channels_and_pose_data() {
    let (link, end) = robot_link(4);
    end.state
        .send(Arc::new(RobotState {
            stamp_ms: 1_795_314_865_000,
            pose: Some(Pose2D::new(3.0, 4.0, 0.5)),
            ..Default::default()
        }))
        .unwrap();
    let bridge = letan_console::foxglove_bridge::start(link.state.clone(), 0, TOKEN, 20.0)
        .await
        .unwrap();
    let mut req = format!("ws://127.0.0.1:{}/?token={TOKEN}", bridge.port())
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "foxglove.sdk.v1".parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(resp.headers()["sec-websocket-protocol"], "foxglove.sdk.v1");
    let mut channels: Vec<(u64, String, String)> = Vec::new();
    let mut got_server_info = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut subscribed = false;
    let mut binary = 0;
    while tokio::time::Instant::now() < deadline && binary < 2 {
        // keep the robot state changing so the bridge keeps publishing
        end.state.send_modify(|s| {
            let mut n = (**s).clone();
            n.stamp_ms += 100;
            *s = Arc::new(n);
        });
        let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(500), ws.next()).await
        else {
            continue;
        };
        match msg.unwrap() {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                match v["op"].as_str() {
                    Some("serverInfo") => got_server_info = true,
                    Some("advertise") => {
                        for c in v["channels"].as_array().unwrap() {
                            channels.push((
                                c["id"].as_u64().unwrap(),
                                c["topic"].as_str().unwrap().to_string(),
                                c["schemaName"].as_str().unwrap_or_default().to_string(),
                            ));
                        }
                    }
                    _ => {}
                }
            }
            Message::Binary(b) => {
                assert_eq!(b[0], 1, "messageData opcode");
                binary += 1;
            }
            _ => {}
        }
        if !subscribed {
            if let Some((id, _, _)) = channels.iter().find(|c| c.1 == "/letan/pose") {
                let sub = json!({"op": "subscribe", "subscriptions": [{"id": 1, "channelId": id}]});
                ws.send(Message::Text(sub.to_string().into()))
                    .await
                    .unwrap();
                subscribed = true;
            }
        }
    }
    assert!(got_server_info, "serverInfo received");
    let topics: Vec<&str> = channels.iter().map(|c| c.1.as_str()).collect();
    for t in [
        "/letan/pose",
        "/letan/path",
        "/letan/camera/compressed",
        "/letan/state",
    ] {
        assert!(topics.contains(&t), "{t} advertised: {topics:?}");
    }
    assert!(
        channels
            .iter()
            .any(|c| c.1 == "/letan/pose" && c.2 == "foxglove.PoseInFrame"),
        "{channels:?}"
    );
    assert!(binary >= 2, "pose messages received after subscribing");
    bridge.stop().await;
}
