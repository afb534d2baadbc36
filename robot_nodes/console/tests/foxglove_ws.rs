//! The Foxglove bridge: a real WebSocket client with the `foxglove.sdk.v1` subprotocol sees the server
//! info and the advertised channels, subscribes to the pose and receives binary message data.
#![allow(clippy::unwrap_used)]
use futures::{SinkExt, StreamExt};
use letan_console::link::{robot_link, Pose2, RobotState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foxglove_client_sees_channels_and_pose_data() {
    let (link, end) = robot_link(4);
    end.state
        .send(Arc::new(RobotState {
            stamp_ms: 1_795_314_865_000,
            pose: Some(Pose2 {
                x: 3.0,
                y: 4.0,
                theta: 0.5,
            }),
            ..Default::default()
        }))
        .unwrap();
    let bridge = letan_console::foxglove_bridge::start(link.state.clone(), "127.0.0.1", 0, 20.0)
        .await
        .unwrap();
    let mut req = format!("ws://127.0.0.1:{}/", bridge.port())
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
