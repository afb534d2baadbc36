//! The fleet node on the in-process bus, joined to a hub over real Zenoh on loopback: the hub sees
//! the robot's status from its topics, its teleop reaches `/cmd_vel_teleop_console`, its e-stop
//! `/mux/operator_estop`, and when the hub goes away the node publishes a zero by itself. The
//! status carries the robot's node health (a node that stops publishing turns silent), and the
//! events carry handoffs to staff and errors (a failed navigation goal, a node gone silent).
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_fleet::authz::Role;
use letan_fleet::hub::{Hub, HubConfig, Notice};
use letan_fleet::proto::{CommandBody, Event, EventKind, Outcome, Status};
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::{DialogState, GuideStatus, Intent, MuxStatus};
use letan_msgs::nav_msgs::Odometry;
use letan_msgs::std_msgs::Bool;
use letan_nodes::NodeArgs;
use letan_transport::{Context, Qos};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_node_reports_status_obeys_the_hub_and_stops_when_it_goes() {
    let key = "a-site-key-for-the-test";
    let port = letan_fleet::setup::free_port().unwrap();
    let hub = Hub::start(HubConfig {
        listen: vec![format!("tcp/127.0.0.1:{port}")],
        sites: [("site-a".to_string(), key.to_string())].into(),
        ..HubConfig::default()
    })
    .await
    .unwrap();
    let mut notices = hub.notices();
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("fleet.yaml");
    std::fs::write(
        &params,
        format!(
            "fleet:\n  ros__parameters:\n    site: site-a\n    robot: r1\n    site_key: {key}\n    connect: [\"tcp/127.0.0.1:{port}\"]\n    status_period_ms: 200\n"
        ),
    )
    .unwrap();
    let ctx = Context::bus();
    let test = ctx.node("test", "/").unwrap();
    let teleop = test
        .subscribe::<Twist>("/cmd_vel_teleop_console", Qos::commands().with_depth(1000))
        .unwrap();
    let estop = test
        .subscribe::<Bool>("/mux/operator_estop", Qos::commands().with_depth(100))
        .unwrap();
    let mux = test
        .publisher::<MuxStatus>("/mux/status", Qos::commands())
        .unwrap();
    let odom = test
        .publisher::<Odometry>("/odom", Qos::sensor_data())
        .unwrap();
    let args = NodeArgs {
        params_files: vec![params],
        ..Default::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(letan_nodes::fleet::run(ctx.clone(), args, async {
        let _ = stop_rx.await;
    }));

    // status from the robot's topics
    let t0 = Instant::now();
    let seen = loop {
        let mut o = Odometry::default();
        o.pose.pose.position.x = 3.5;
        odom.publish(o).unwrap();
        mux.publish(MuxStatus {
            estop_engaged: true,
            active_input: "navigation".into(),
            ..MuxStatus::default()
        })
        .unwrap();
        if let Some(r) = hub.robot("r1") {
            let s = r.status.clone().unwrap();
            if r.online && s.estop && s.pose.is_some_and(|p| p.x == 3.5) && node_ok(&s, "mux") {
                break r;
            }
        }
        assert!(
            t0.elapsed() < Duration::from_secs(15),
            "{:?}",
            hub.robot("r1")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(seen.site, "site-a");
    // node health: the mux is heard; nothing publishes for the dialog or the others
    let s = seen.status.clone().unwrap();
    let names: Vec<_> = s.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["dialog", "navigation", "mux", "face", "tts", "asr"],
        "{s:?}"
    );
    for n in s.nodes.iter().filter(|n| n.name != "mux") {
        assert!(!n.ok && n.detail.contains("never heard"), "{n:?}");
    }
    assert!(
        !seen.kb_version.is_empty(),
        "the built-in knowledge base's version"
    );

    // commands
    let r = hub
        .command(
            "site-a",
            "r1",
            "lan",
            Role::Operator,
            CommandBody::Estop { engage: true },
        )
        .await
        .unwrap();
    assert!(r.ok, "{r:?}");
    for _ in 0..3 {
        let r = hub
            .command(
                "site-a",
                "r1",
                "lan",
                Role::Operator,
                CommandBody::Teleop {
                    linear: 0.3,
                    angular: 0.1,
                },
            )
            .await
            .unwrap();
        assert!(r.ok, "{r:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = hub
        .command(
            "site-a",
            "r1",
            "lan",
            Role::Viewer,
            CommandBody::Teleop {
                linear: 0.9,
                angular: 0.0,
            },
        )
        .await
        .unwrap();
    assert!(!r.ok, "a viewer's command is refused by the robot too");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e: Vec<Bool> = std::iter::from_fn(|| estop.try_recv()).collect();
    assert_eq!(e, vec![Bool { data: true }]);
    let drive: Vec<Twist> = std::iter::from_fn(|| teleop.try_recv()).collect();
    assert_eq!(drive.len(), 3, "{drive:?}");
    assert!(drive
        .iter()
        .all(|t| t.linear.x == 0.3 && t.angular.z == 0.1));

    // the map and the (blurred) camera on request: what the robot's topics carry
    let map = test
        .publisher::<letan_msgs::nav_msgs::OccupancyGrid>("/map", Qos::latched())
        .unwrap();
    let mut m = letan_msgs::nav_msgs::OccupancyGrid::default();
    m.info.width = 4;
    m.info.height = 3;
    m.info.resolution = 0.05;
    m.data = vec![0, 100, -1, 0, 0, 0, 0, 0, 0, 0, 0, 100];
    map.publish(m).unwrap();
    let camera = test
        .publisher::<letan_msgs::sensor_msgs::Image>(
            "/humans/faces/debug_image",
            Qos::sensor_data(),
        )
        .unwrap();
    let frame = letan_msgs::sensor_msgs::Image {
        height: 6,
        width: 8,
        encoding: "bgr8".into(),
        step: 24,
        data: vec![90; 8 * 6 * 3],
        ..Default::default()
    };
    let t0 = Instant::now();
    let (pgm, jpeg) = loop {
        camera.publish(frame.clone()).unwrap();
        let pgm = hub.fetch("site-a", "r1", "map").await;
        let jpeg = hub.fetch("site-a", "r1", "image").await;
        if let (Ok(p), Ok(j)) = (pgm, jpeg) {
            break (p, j);
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "no map or image served"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let p = letan_map::pgm::parse_pgm(&pgm).unwrap();
    assert_eq!((p.width, p.height), (4, 3));
    // top row first: the map's last row (…, 100) is the image's first; occupied is black
    assert_eq!(p.pixels[3], 0, "{:?}", p.pixels);
    assert_eq!(p.pixels[8 + 1], 0, "{:?}", p.pixels);
    assert_eq!(p.pixels[8 + 2], 128, "unknown is grey: {:?}", p.pixels);
    assert_eq!(p.pixels[0], 254, "free is white: {:?}", p.pixels);
    // its placement in the comment, for the hub's page to draw the pose
    assert!(String::from_utf8_lossy(&pgm)
        .contains("# letan map for the fleet; resolution 0.05 origin 0 0 0\n"));
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");

    // events: a question the dialog hands to staff is one handoff, not also an answer; a question
    // it answers is an answer; a failed navigation goal is an error
    let intent = test
        .publisher::<Intent>("/intent", Qos::commands())
        .unwrap();
    let dialog = test
        .publisher::<DialogState>("/dialog/state", Qos::commands())
        .unwrap();
    let guide = test
        .publisher::<GuideStatus>("/nav/guide_status", Qos::commands())
        .unwrap();
    intent
        .publish(Intent {
            intent_id: "staff.request".into(),
            text: "cho tôi gặp cán bộ".into(),
            ..Intent::default()
        })
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let handover = DialogState {
        state: "handover".into(),
        intent: "staff.request".into(),
        ..DialogState::default()
    };
    dialog.publish(handover.clone()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    intent
        .publish(Intent {
            intent_id: "nav.where_is".into(),
            text: "nhà vệ sinh ở đâu".into(),
            ..Intent::default()
        })
        .unwrap();
    guide
        .publish(GuideStatus {
            place_id: "toilet".into(),
            state: "failed".into(),
            error_code: 2,
            error_msg: "no path to the place".into(),
            ..GuideStatus::default()
        })
        .unwrap();

    // the mux stopped publishing after the first part: it turns silent (an error event too), while
    // the dialog, heard again, is healthy
    let t0 = Instant::now();
    let mut events: Vec<Event> = Vec::new();
    let s = loop {
        dialog.publish(handover.clone()).unwrap();
        while let Ok(n) = notices.try_recv() {
            if let Notice::Event(e) = n {
                events.push(e);
            }
        }
        let s = hub.robot("r1").and_then(|r| r.status).unwrap();
        let silent_error = events.iter().any(|e| {
            matches!(&e.kind, EventKind::Error { message } if message.contains("node mux went silent"))
        });
        let answered = events.iter().any(
            |e| matches!(&e.kind, EventKind::Question { intent, .. } if intent == "nav.where_is"),
        );
        if !node_ok(&s, "mux") && node_ok(&s, "dialog") && silent_error && answered {
            break s;
        }
        assert!(t0.elapsed() < Duration::from_secs(15), "{s:?}\n{events:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mux_health = s.nodes.iter().find(|n| n.name == "mux").unwrap();
    assert!(mux_health.detail.contains("/mux/status"), "{mux_health:?}");
    let questions: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Question {
                intent, outcome, ..
            } => Some((intent.as_str(), *outcome)),
            _ => None,
        })
        .collect();
    assert_eq!(
        questions,
        [
            ("staff.request", Outcome::HandedToStaff),
            ("nav.where_is", Outcome::Answered)
        ],
        "{events:#?}"
    );
    let errors: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Error { message } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        errors
            .iter()
            .any(|m| m.contains("navigation to \"toilet\" failed (error 2): no path")),
        "{errors:?}"
    );
    assert_eq!(
        errors.iter().filter(|m| m.contains("node mux")).count(),
        1,
        "reported once: {errors:?}"
    );
    // the hub keeps the errors for the overview
    let alerts = hub.robot("r1").unwrap().alerts;
    assert!(
        alerts
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Error { message } if message.contains("toilet"))),
        "{alerts:?}"
    );

    // the hub goes: a zero within the deadman
    let gone = Instant::now();
    hub.close().await;
    let zero = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if let Some(t) = teleop.try_recv() {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("no stop after the hub went");
    assert_eq!(zero, Twist::default());
    assert!(
        gone.elapsed() < Duration::from_millis(800),
        "{:?}",
        gone.elapsed()
    );
    let _ = stop_tx.send(());
    node.await.unwrap().unwrap();
}

fn node_ok(s: &Status, name: &str) -> bool {
    s.nodes.iter().any(|n| n.name == name && n.ok)
}
