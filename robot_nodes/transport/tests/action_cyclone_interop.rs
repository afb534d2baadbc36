//! Our action server against a client built from plain Cyclone DDS endpoints
//! (`tests/cyclone_action_client.py`, PyPI `cyclonedds` in the project venv): the DDS topic names,
//! type names, QoS (transient-local status) and payloads of all five endpoints, as a non-RustDDS
//! peer sees them. Runs in a private network namespace, like the other DDS tests.
//!
//! Needs a Python with `cyclonedds` (`$LETAN_PYTHON`, else `.deps/venv/bin/python3`); without one
//! the test fails, unless `LETAN_NO_CYCLONE=1` is set (then it says it did not run).
#![allow(clippy::unwrap_used)]
use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseFeedback, NavigateToPoseResult};
use letan_transport::action::{GoalId, GoalOutcome};
use letan_transport::testing::in_netns;
use letan_transport::{Context, DdsOptions, ServiceLayout};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.deps/venv/bin/python3");
    std::env::var_os("LETAN_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv])
        .find(|py| {
            std::process::Command::new(py)
                .args(["-c", "import cyclonedds.idl"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Runs the Cyclone client to completion; returns its JSON events. In the Cyclone layout, every
/// reply must echo its request's header.
async fn cyclone_client(py: &PathBuf, layout: ServiceLayout, args: &[&str]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cyclone_action_client.py");
    let out = tokio::process::Command::new(py)
        .arg(script)
        .args(args)
        .args(match layout {
            ServiceLayout::SampleIdentity => ["--layout", "sample-identity"],
            ServiceLayout::CycloneHeader => ["--layout", "cyclone"],
        })
        .output()
        .await
        .expect("run the Cyclone client");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "Cyclone client {args:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let headers = events(&all, "reply_header");
    let replies = ["goal_response", "result", "cancel_response"]
        .iter()
        .map(|k| events(&all, k).len())
        .sum::<usize>();
    match layout {
        ServiceLayout::SampleIdentity => assert!(headers.is_empty(), "{all:?}"),
        ServiceLayout::CycloneHeader => {
            assert_eq!(headers.len(), replies, "one header per reply: {all:?}");
            assert!(headers.iter().all(|h| h["echoed"] == true), "{all:?}");
        }
    }
    all
}

fn events<'a>(all: &'a [Value], kind: &str) -> Vec<&'a Value> {
    all.iter().filter(|e| e["event"] == kind).collect()
}

fn one<'a>(all: &'a [Value], kind: &str) -> &'a Value {
    let found = events(all, kind);
    assert_eq!(found.len(), 1, "{kind} in {all:?}");
    found[0]
}

#[test]
fn a_cyclone_dds_client_drives_our_action_server() {
    drive_our_action_server(
        "a_cyclone_dds_client_drives_our_action_server",
        ServiceLayout::SampleIdentity,
    );
}

/// As a node on rmw_cyclonedds would call it: `RMW_IMPLEMENTATION=rmw_cyclonedds_cpp` on our side,
/// and the request header before every request on the client's.
#[test]
fn a_client_in_rmw_cyclonedds_layout_drives_our_action_server() {
    drive_our_action_server(
        "a_client_in_rmw_cyclonedds_layout_drives_our_action_server",
        ServiceLayout::CycloneHeader,
    );
}

fn drive_our_action_server(test: &str, layout: ServiceLayout) {
    let Some(py) = python() else {
        if std::env::var_os("LETAN_NO_CYCLONE").is_some() {
            eprintln!("LETAN_NO_CYCLONE set: the Cyclone DDS action client was NOT run");
            return;
        }
        panic!("no Python with cyclonedds ($LETAN_PYTHON, .deps/venv): run scripts/setup.sh");
    };
    in_netns(test, || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let ctx = Context::dds(DdsOptions {
                service_layout: layout,
                ..Default::default()
            })
            .unwrap();
            let node = ctx.node("nav", "/robot").unwrap();
            let server = node
                .action_server::<NavigateToPose>("navigate_to_pose")
                .unwrap();
            // x < 0: rejected; x = 100: feedback until canceled; otherwise three feedbacks, success.
            tokio::spawn(async move {
                let mut running: Vec<(GoalId, f64, u32)> = Vec::new();
                let mut tick = tokio::time::interval(Duration::from_millis(50));
                loop {
                    tokio::select! {
                        Some(req) = server.recv_goal() => {
                            let x = req.goal().pose.pose.position.x;
                            if x < 0.0 {
                                req.reject().unwrap();
                            } else {
                                running.push((req.goal_id(), x, 0));
                                req.accept().unwrap();
                            }
                        }
                        Some(cancel) = server.recv_cancel() => {
                            for id in cancel.accept_all().unwrap() {
                                server.finish(id, GoalOutcome::Canceled, NavigateToPoseResult {
                                    error_code: 0,
                                    error_msg: "canceled".into(),
                                }).unwrap();
                                running.retain(|g| g.0 != id);
                            }
                        }
                        _ = tick.tick() => {
                            for g in running.iter_mut() {
                                g.2 += 1;
                                if g.2 <= 3 || g.1 == 100.0 {
                                    let mut f = NavigateToPoseFeedback {
                                        distance_remaining: g.1 as f32 - g.2 as f32,
                                        number_of_recoveries: g.2 as i16,
                                        ..Default::default()
                                    };
                                    f.current_pose.header.frame_id = "map".into();
                                    server.publish_feedback(g.0, f).unwrap();
                                } else {
                                    server.finish(g.0, GoalOutcome::Succeeded, NavigateToPoseResult {
                                        error_code: NavigateToPoseResult::NONE,
                                        error_msg: format!("reached {}", g.1),
                                    }).unwrap();
                                }
                            }
                            running.retain(|g| g.2 <= 3 || g.1 == 100.0);
                        }
                    }
                }
            });
            let action = "/robot/navigate_to_pose";

            // A goal that succeeds.
            let run = cyclone_client(&py, layout, &[action, "10", "--seed", "1"]).await;
            let id = one(&run, "goal_id")["goal_id"].as_str().unwrap().to_string();
            assert_eq!(one(&run, "goal_response")["accepted"], true, "{run:?}");
            let feedback = events(&run, "feedback");
            let recoveries: Vec<i64> = feedback
                .iter()
                .map(|f| f["recoveries"].as_i64().unwrap())
                .collect();
            assert_eq!(recoveries, vec![1, 2, 3], "{run:?}");
            assert!(feedback.iter().all(|f| f["goal_id"] == id.as_str() && f["frame"] == "map"));
            assert_eq!(feedback[0]["distance_remaining"], 9.0);
            let result = one(&run, "result");
            assert_eq!(result["status"], 4, "SUCCEEDED: {run:?}");
            assert_eq!(result["error_msg"], "reached 10");
            let status = one(&run, "status")["list"].as_array().unwrap().clone();
            assert!(
                status.contains(&serde_json::json!([id, 4])),
                "{status:?}"
            );

            // A rejected goal.
            let run = cyclone_client(&py, layout, &[action, "-1", "--seed", "2"]).await;
            assert_eq!(one(&run, "goal_response")["accepted"], false, "{run:?}");
            assert!(events(&run, "result").is_empty());

            // A goal canceled after its first feedback.
            let run = cyclone_client(&py, layout, &[action, "100", "--seed", "3", "--cancel-after-feedback"]).await;
            let id3 = one(&run, "goal_id")["goal_id"].as_str().unwrap().to_string();
            let cancel = one(&run, "cancel_response");
            assert_eq!(cancel["return_code"], 0, "ERROR_NONE: {run:?}");
            assert_eq!(cancel["canceling"], serde_json::json!([id3]));
            let result = one(&run, "result");
            assert_eq!((result["status"].as_i64(), result["error_msg"].as_str()), (Some(5), Some("canceled")));

            // A reader joining late gets the current status array (transient local, keep last 1).
            let run = cyclone_client(&py, layout, &[action, "0", "--late-status"]).await;
            let status = one(&run, "status")["list"].as_array().unwrap().clone();
            assert!(status.contains(&serde_json::json!([id, 4])), "{status:?}");
            assert!(status.contains(&serde_json::json!([id3, 5])), "{status:?}");
        });
    });
}
