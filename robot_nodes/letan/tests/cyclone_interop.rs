//! Interop with a real Cyclone DDS peer (PyPI `cyclonedds`, `tests/interop/cyclone_peer.py`).
//!
//! Each test re-runs itself inside a private network namespace (`unshare -n`, loopback only, multicast on
//! `lo`), so no DDS traffic leaves the machine and tests cannot see each other's participants.
//! Requires root (or unprivileged user namespaces) and `scripts/setup.sh` (the venv with cyclonedds).
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::{Quaternion, Transform, TransformStamped, Twist, Vector3};
use letan_msgs::nav_msgs::{MapMetaData, OccupancyGrid};
use letan_msgs::sensor_msgs::LaserScan;
use letan_msgs::std_msgs::Header;
use letan_msgs::tf2_msgs::TFMessage;
use letan_transport::testing::in_netns;
use letan_transport::{Context, DdsOptions, Qos, RosMessage};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let p = repo().join(".deps/venv/bin/python3");
    assert!(
        p.exists(),
        "{} is missing: run scripts/setup.sh",
        p.display()
    );
    p
}

struct Peer {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Peer {
    fn start(args: &[&str]) -> Peer {
        let mut child = Command::new(python())
            .arg(repo().join("tests/interop/cyclone_peer.py"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the Cyclone peer");
        let out = child.stdout.take().expect("peer stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let peer = Peer { child, lines: rx };
        let ready = peer
            .next_json(Duration::from_secs(20))
            .expect("peer never got ready");
        assert_eq!(ready["ready"], Value::Bool(true));
        peer
    }

    fn next_json(&self, timeout: Duration) -> Option<Value> {
        let line = self.lines.recv_timeout(timeout).ok()?;
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer printed {line:?}: {e}")))
    }

    fn wait(mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().expect("peer status") {
                return s.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Compare what the peer decoded with what we sent, field for field (numbers as f32-exact where they are f32).
fn assert_same(ours: &Value, theirs: &Value, path: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let ka: Vec<_> = a.keys().collect();
            let kb: Vec<_> = b.keys().collect();
            assert_eq!(ka, kb, "fields differ at {path}");
            for (k, v) in a {
                assert_same(v, &b[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length differs at {path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            assert!(
                a == b || (a as f32) == (b as f32),
                "{path}: ours {a}, Cyclone decoded {b}"
            );
        }
        _ => assert_eq!(ours, theirs, "at {path}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn dds() -> Context {
    Context::dds(DdsOptions::default()).expect("DDS context")
}

async fn wait_for_reader(node: &letan_transport::Node, topic: &str) {
    let start = Instant::now();
    while node.subscriber_count(topic).unwrap() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no reader on {topic} was discovered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Matching is not the end of discovery on the reader side; let it settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

fn stamp(sec: i32) -> Header {
    Header {
        stamp: Time {
            sec,
            nanosec: 123_456_789,
        },
        frame_id: "base_laser".into(),
    }
}

fn scan(n: usize) -> LaserScan {
    LaserScan {
        header: stamp(17),
        angle_min: -std::f32::consts::PI,
        angle_max: std::f32::consts::PI,
        angle_increment: 2.0 * std::f32::consts::PI / n as f32,
        time_increment: 1e-5,
        scan_time: 0.1,
        range_min: 0.05,
        range_max: 25.0,
        ranges: (0..n).map(|i| 0.5 + (i as f32) * 0.01).collect(),
        intensities: (0..n).map(|i| (i % 255) as f32).collect(),
    }
}

fn json<M: RosMessage>(m: &M) -> Value {
    serde_json::to_value(m).expect("to json")
}

async fn publish_to_peer<M: RosMessage>(
    topic: &str,
    type_name: &str,
    msg: M,
    count: usize,
    qos: Qos,
) {
    let peer = Peer::start(&[
        "sub",
        topic,
        type_name,
        "--count",
        &count.to_string(),
        "--timeout",
        "20",
    ]);
    let ctx = dds();
    let node = ctx.node("letan_interop", "/").unwrap();
    let publisher = node.publisher::<M>(topic, qos).unwrap();
    wait_for_reader(&node, topic).await;
    for _ in 0..count {
        publisher.publish(msg.clone()).unwrap();
        // Paced: unpaced reliable bursts lose data in RustDDS (notes/ros2.md).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for i in 0..count {
        let got = peer
            .next_json(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("Cyclone received {i} of {count} {type_name}"));
        assert_same(&json(&msg), &got, type_name);
    }
    assert!(peer.wait(), "the Cyclone peer exited with an error");
}

#[test]
fn twist_reaches_cyclone_field_for_field() {
    in_netns("twist_reaches_cyclone_field_for_field", || {
        let msg = Twist {
            linear: Vector3 {
                x: 0.3,
                y: -0.0,
                z: 1e-9,
            },
            angular: Vector3 {
                x: 0.0,
                y: 0.0,
                z: -1.25,
            },
        };
        runtime().block_on(publish_to_peer(
            "/cmd_vel",
            "geometry_msgs/msg/Twist",
            msg,
            3,
            Qos::commands(),
        ));
    });
}

#[test]
fn laser_scans_reach_cyclone_including_fragmented_ones() {
    in_netns(
        "laser_scans_reach_cyclone_including_fragmented_ones",
        || {
            let rt = runtime();
            // 1081 beams (a common 270° lidar at 0.25°), then 20,000 beams: ~160 KiB, far over one UDP datagram.
            rt.block_on(publish_to_peer(
                "/scan",
                "sensor_msgs/msg/LaserScan",
                scan(1081),
                2,
                Qos::commands(),
            ));
            rt.block_on(publish_to_peer(
                "/scan",
                "sensor_msgs/msg/LaserScan",
                scan(20_000),
                2,
                Qos::commands(),
            ));
        },
    );
}

#[test]
fn tf_reaches_cyclone() {
    in_netns("tf_reaches_cyclone", || {
        let tf = TFMessage {
            transforms: vec![
                TransformStamped {
                    header: Header {
                        stamp: Time { sec: 5, nanosec: 1 },
                        frame_id: "map".into(),
                    },
                    child_frame_id: "odom".into(),
                    transform: Transform {
                        translation: Vector3 {
                            x: 1.0,
                            y: 2.0,
                            z: 0.0,
                        },
                        rotation: Quaternion {
                            x: 0.0,
                            y: 0.0,
                            z: 0.382_683_432_4,
                            w: 0.923_879_532_5,
                        },
                    },
                },
                TransformStamped {
                    header: Header {
                        stamp: Time { sec: 5, nanosec: 2 },
                        frame_id: "odom".into(),
                    },
                    child_frame_id: "base_link".into(),
                    transform: Transform::default(),
                },
            ],
        };
        runtime().block_on(publish_to_peer(
            "/tf",
            "tf2_msgs/msg/TFMessage",
            tf,
            2,
            Qos::commands(),
        ));
    });
}

#[test]
fn latched_map_reaches_a_late_cyclone_subscriber() {
    in_netns("latched_map_reaches_a_late_cyclone_subscriber", || {
        let rt = runtime();
        rt.block_on(async {
            let ctx = dds();
            let node = ctx.node("map_server", "/").unwrap();
            let publisher = node
                .publisher::<OccupancyGrid>("/map", Qos::latched())
                .unwrap();
            let (w, h) = (120u32, 80u32);
            let map = OccupancyGrid {
                header: Header {
                    stamp: Time { sec: 1, nanosec: 0 },
                    frame_id: "map".into(),
                },
                info: MapMetaData {
                    map_load_time: Time { sec: 1, nanosec: 0 },
                    resolution: 0.05,
                    width: w,
                    height: h,
                    origin: Default::default(),
                },
                data: (0..w * h)
                    .map(|i| [0i8, 100, -1][(i % 3) as usize])
                    .collect(),
            };
            // Published before the Cyclone subscriber exists: only transient-local durability gets it there.
            publisher.publish(map.clone()).unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
            let peer = Peer::start(&[
                "sub",
                "/map",
                "nav_msgs/msg/OccupancyGrid",
                "--qos",
                "latched",
                "--timeout",
                "20",
            ]);
            let got = tokio::task::spawn_blocking(move || {
                (peer.next_json(Duration::from_secs(20)), peer)
            })
            .await
            .unwrap();
            let (got, peer) = got;
            let got = got.expect("the late Cyclone subscriber never got the latched map");
            assert_same(&json(&map), &got, "OccupancyGrid");
            assert!(peer.wait());
        });
    });
}

#[test]
fn our_subscriber_receives_what_cyclone_publishes() {
    in_netns("our_subscriber_receives_what_cyclone_publishes", || {
        runtime().block_on(async {
            let ctx = dds();
            let node = ctx.node("letan_listener", "/").unwrap();
            let twists = node.subscribe::<Twist>("/cmd_vel", Qos::commands()).unwrap();
            let scans = node.subscribe::<LaserScan>("/scan", Qos::sensor_data()).unwrap();
            let tw = r#"{"linear": {"x": 0.42, "y": 0.0, "z": 0.0}, "angular": {"x": 0.0, "y": 0.0, "z": 0.7}}"#;
            let _p1 = Peer::start(&["pub", "/cmd_vel", "geometry_msgs/msg/Twist", tw, "--count", "20"]);
            let got = tokio::time::timeout(Duration::from_secs(20), twists.recv()).await.expect("no Twist").unwrap();
            assert_eq!((got.linear.x, got.angular.z), (0.42, 0.7));
            let sc = serde_json::json!({
                "header": {"stamp": {"sec": 3, "nanosec": 4}, "frame_id": "laser"},
                "angle_min": -1.5, "angle_max": 1.5, "angle_increment": 0.003, "range_max": 12.0,
                "ranges": (0..1000).map(|i| i as f64 * 0.01).collect::<Vec<_>>(),
            })
            .to_string();
            let _p2 = Peer::start(&["pub", "/scan", "sensor_msgs/msg/LaserScan", &sc, "--count", "20", "--qos", "best_effort"]);
            let got = tokio::time::timeout(Duration::from_secs(20), scans.recv()).await.expect("no LaserScan").unwrap();
            assert_eq!(got.header.frame_id, "laser");
            assert_eq!(got.header.stamp, Time { sec: 3, nanosec: 4 });
            assert_eq!(got.ranges.len(), 1000);
            assert_eq!(got.ranges[500], 5.0);
            assert_eq!(got.angle_increment, 0.003);
        });
    });
}

fn letan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_letan"))
        .args(args)
        .output()
        .expect("run letan")
}

#[test]
fn letan_topic_echo_prints_a_twist_from_cyclone() {
    in_netns("letan_topic_echo_prints_a_twist_from_cyclone", || {
        let _peer = Peer::start(&["node", "cyclone_teleop", "--seconds", "30"]);
        let out = letan(&["topic", "echo", "/cmd_vel", "--once", "--timeout", "20"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "echo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_yaml::Value =
            serde_yaml::from_str(stdout.trim_end().trim_end_matches("---")).expect("YAML");
        assert_eq!(v["linear"]["x"].as_f64(), Some(0.25), "{stdout}");
        assert_eq!(v["angular"]["z"].as_f64(), Some(-0.5), "{stdout}");
    });
}

#[test]
fn letan_topic_and_node_list_see_the_cyclone_peer() {
    in_netns("letan_topic_and_node_list_see_the_cyclone_peer", || {
        let _peer = Peer::start(&["node", "cyclone_teleop", "--seconds", "30"]);
        let out = letan(&["topic", "list", "-t", "--wait", "3"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        assert!(
            stdout
                .lines()
                .any(|l| l == "/cmd_vel [geometry_msgs/msg/Twist]"),
            "{stdout}"
        );
        let out = letan(&["node", "list", "--wait", "3"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        assert!(stdout.lines().any(|l| l == "/cyclone_teleop"), "{stdout}");
    });
}

#[test]
fn letan_topic_hz_measures_the_cyclone_rate() {
    in_netns("letan_topic_hz_measures_the_cyclone_rate", || {
        let _peer = Peer::start(&["node", "cyclone_teleop", "--seconds", "30"]);
        let out = letan(&["topic", "hz", "/cmd_vel", "--duration", "4"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rates: Vec<f64> = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("average rate: "))
            .filter_map(|r| r.trim().parse().ok())
            .collect();
        let last = *rates
            .last()
            .unwrap_or_else(|| panic!("no rate printed: {stdout}"));
        assert!(
            (7.0..13.0).contains(&last),
            "the peer publishes at 10 Hz, hz said {last}"
        );
    });
}

#[test]
fn letan_topic_pub_reaches_cyclone() {
    in_netns("letan_topic_pub_reaches_cyclone", || {
        let peer = Peer::start(&[
            "sub",
            "/cmd_vel",
            "geometry_msgs/msg/Twist",
            "--timeout",
            "20",
        ]);
        let out = letan(&[
            "topic",
            "pub",
            "/cmd_vel",
            "geometry_msgs/msg/Twist",
            "{linear: {x: 0.15}, angular: {z: 0.3}}",
            "--once",
            "--wait-matching",
            "10",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        // The tool stayed until Cyclone's reliable reader acknowledged the message.
        assert!(!stderr.contains("acknowledged within"), "{stderr}");
        let got = peer
            .next_json(Duration::from_secs(20))
            .expect("Cyclone got nothing from letan topic pub");
        assert_eq!(got["linear"]["x"].as_f64(), Some(0.15));
        assert_eq!(got["angular"]["z"].as_f64(), Some(0.3));
    });
}

#[test]
fn letan_topic_refuses_bad_input_quickly() {
    in_netns("letan_topic_refuses_bad_input_quickly", || {
        let start = Instant::now();
        let out = letan(&[
            "topic",
            "pub",
            "/cmd_vel",
            "geometry_msgs/msg/Twistt",
            "{}",
            "--once",
        ]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("unknown message type") && err.contains("geometry_msgs/msg/Twist"),
            "{err}"
        );
        let out = letan(&[
            "topic",
            "pub",
            "/cmd_vel",
            "geometry_msgs/msg/Twist",
            "{linear: {q: 1}}",
            "--once",
        ]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains('q'));
        let out = letan(&["topic", "echo", "/nobody_here", "--once", "--timeout", "1"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("not seen on the graph"));
        let out = letan(&["topic", "echo", "/bad//name", "--once", "--timeout", "1"]);
        assert!(!out.status.success());
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "bad input must fail fast, took {:?}",
            start.elapsed()
        );
    });
}
