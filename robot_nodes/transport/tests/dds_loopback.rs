//! The same node code over real DDS, in a private network namespace: topics, latched topics and services
//! between two participants (two contexts, as two processes would have).
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::std_msgs::Bool;
use letan_msgs::std_srvs::{SetBool, SetBoolRequest, SetBoolResponse};
use letan_transport::testing::in_netns;
use letan_transport::{Context, DdsOptions, Qos, ServiceLayout};
use std::time::{Duration, Instant};

fn rt() -> tokio::runtime::Runtime {
    letan_transport::node_runtime().unwrap()
}

#[test]
fn topics_and_latched_topics_cross_participants() {
    in_netns("topics_and_latched_topics_cross_participants", || {
        rt().block_on(async {
            let a = Context::dds(DdsOptions {
                domain_id: 7,
                loopback_only: true,
                ..Default::default()
            })
            .unwrap();
            let b = Context::dds(DdsOptions {
                domain_id: 7,
                loopback_only: true,
                ..Default::default()
            })
            .unwrap();
            let talker = a.node("talker", "/robot").unwrap();
            let listener = b.node("listener", "/robot").unwrap();
            let latched = talker
                .publisher::<Bool>("map_ready", Qos::latched())
                .unwrap();
            latched.publish(Bool { data: true }).unwrap();
            let p = talker
                .publisher::<Twist>("cmd_vel", Qos::commands())
                .unwrap();
            let s = listener
                .subscribe::<Twist>("/robot/cmd_vel", Qos::commands())
                .unwrap();
            let start = Instant::now();
            let got = loop {
                p.publish(Twist::planar(0.2, -0.1)).unwrap();
                if let Ok(Some(m)) =
                    tokio::time::timeout(Duration::from_millis(100), s.recv()).await
                {
                    break m;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(15),
                    "no Twist crossed"
                );
            };
            assert_eq!((got.linear.x, got.angular.z), (0.2, -0.1));
            // Subscribed after the publish: transient local must still deliver it.
            let late = listener
                .subscribe::<Bool>("map_ready", Qos::latched())
                .unwrap();
            let m = tokio::time::timeout(Duration::from_secs(15), late.recv())
                .await
                .expect("latched sample")
                .unwrap();
            assert!(m.data);
            let topics = b.topics(Duration::from_millis(500)).await;
            assert!(
                topics
                    .iter()
                    .any(|t| t.name == "/robot/cmd_vel" && t.types == ["geometry_msgs/msg/Twist"]),
                "{topics:?}"
            );
            let nodes = b.nodes(Duration::from_secs(2)).await.unwrap();
            assert!(nodes.contains(&"/robot/talker".to_string()), "{nodes:?}");
        });
    });
}

#[test]
fn services_cross_participants() {
    in_netns("services_cross_participants", || {
        service_round_trips(ServiceLayout::SampleIdentity)
    });
}

/// The same calls with rmw_cyclonedds' layout (`RMW_IMPLEMENTATION=rmw_cyclonedds_cpp`) on both sides.
#[test]
fn services_cross_participants_in_the_cyclone_layout() {
    in_netns("services_cross_participants_in_the_cyclone_layout", || {
        service_round_trips(ServiceLayout::CycloneHeader)
    });
}

fn service_round_trips(service_layout: ServiceLayout) {
    {
        rt().block_on(async {
            let opts = DdsOptions {
                service_layout,
                ..Default::default()
            };
            let a = Context::dds(opts.clone()).unwrap();
            let b = Context::dds(opts).unwrap();
            let server_node = a.node("greeter", "/").unwrap();
            let client_node = b.node("console", "/").unwrap();
            let mut server = server_node.service_server::<SetBool>("~/enable").unwrap();
            tokio::spawn(async move {
                while let Some(req) = server.recv().await {
                    let on = req.request.data;
                    req.respond(SetBoolResponse {
                        success: on,
                        message: format!("on={on}"),
                    })
                    .unwrap();
                }
            });
            let client = client_node
                .service_client::<SetBool>("/greeter/enable")
                .unwrap();
            let start = Instant::now();
            let resp = loop {
                match client
                    .call(SetBoolRequest { data: true }, Duration::from_millis(500))
                    .await
                {
                    Ok(r) => break r,
                    Err(e) => assert!(
                        start.elapsed() < Duration::from_secs(20),
                        "service never answered: {e}"
                    ),
                }
            };
            assert_eq!(
                resp,
                SetBoolResponse {
                    success: true,
                    message: "on=true".into()
                }
            );
            let resp = client
                .call(SetBoolRequest { data: false }, Duration::from_secs(5))
                .await
                .unwrap();
            assert_eq!(resp.message, "on=false");
        });
    }
}

/// An action server on one participant and clients on another: feedback, results, rejection,
/// cancel, two goals at once, and discovery by `Context::actions`.
#[test]
fn actions_cross_participants() {
    use letan_msgs::action_msgs::{CancelGoalResponse, GoalStatus};
    use letan_msgs::nav2_msgs::{
        NavigateToPose, NavigateToPoseFeedback, NavigateToPoseGoal, NavigateToPoseResult,
    };
    use letan_transport::action::{GoalId, GoalOutcome};

    fn goal(x: f64) -> NavigateToPoseGoal {
        let mut g = NavigateToPoseGoal::default();
        g.pose.header.frame_id = "map".into();
        g.pose.pose.position.x = x;
        g
    }

    in_netns("actions_cross_participants", || {
        rt().block_on(async {
            let a = Context::dds(DdsOptions::default()).unwrap();
            let b = Context::dds(DdsOptions::default()).unwrap();
            let server_node = a.node("nav", "/robot").unwrap();
            let client_node = b.node("console", "/").unwrap();
            let server = server_node
                .action_server::<NavigateToPose>("navigate_to_pose")
                .unwrap();
            assert_eq!(server.name(), "/robot/navigate_to_pose");
            // The node: x < 0 is rejected; x = 100 runs until canceled; others send three
            // feedbacks, then succeed.
            tokio::spawn(async move {
                let mut running: Vec<(GoalId, f64, u32)> = Vec::new();
                let mut tick = tokio::time::interval(Duration::from_millis(30));
                loop {
                    tokio::select! {
                        Some(req) = server.recv_goal() => {
                            let x = req.goal().pose.pose.position.x;
                            if x < 0.0 {
                                req.reject().unwrap();
                            } else {
                                let id = req.goal_id();
                                req.accept().unwrap();
                                running.push((id, x, 0));
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
                                if g.1 == 100.0 { continue; }
                                g.2 += 1;
                                if g.2 <= 3 {
                                    server.publish_feedback(g.0, NavigateToPoseFeedback {
                                        distance_remaining: (g.1 as f32) - g.2 as f32,
                                        number_of_recoveries: g.2 as i16,
                                        ..Default::default()
                                    }).unwrap();
                                } else {
                                    server.finish(g.0, GoalOutcome::Succeeded, NavigateToPoseResult {
                                        error_code: NavigateToPoseResult::NONE,
                                        error_msg: format!("reached {}", g.1),
                                    }).unwrap();
                                }
                            }
                            running.retain(|g| g.2 <= 3);
                        }
                    }
                }
            });

            let client = client_node
                .action_client::<NavigateToPose>("/robot/navigate_to_pose")
                .unwrap();
            client
                .wait_for_server(Duration::from_secs(20))
                .await
                .expect("server discovered");
            // Discovery done; the first request can still race the match: retry a few times.
            let start = Instant::now();
            let h = loop {
                match client.send_goal(goal(10.0), Duration::from_secs(1)).await {
                    Ok(h) => break h.expect("accepted"),
                    Err(e) => assert!(
                        start.elapsed() < Duration::from_secs(20),
                        "send_goal never answered: {e}"
                    ),
                }
            };
            let mut feedback = Vec::new();
            // One get_result request, polled alongside the feedback.
            let result = h.get_result(Duration::from_secs(10));
            tokio::pin!(result);
            let r = loop {
                tokio::select! {
                    f = h.next_feedback() => feedback.push(f.unwrap().number_of_recoveries),
                    r = &mut result => break r.unwrap(),
                }
            };
            assert_eq!(r.outcome(), Some(GoalOutcome::Succeeded));
            assert_eq!(r.result.error_msg, "reached 10");
            assert_eq!(feedback, vec![1, 2, 3], "feedback in order, none lost");
            // Asked again later: the same result.
            let again = h.get_result(Duration::from_secs(5)).await.unwrap();
            assert_eq!(again, r);
            // The transient-local status topic reached this client.
            let deadline = Instant::now() + Duration::from_secs(5);
            while h.status() != Some(GoalStatus::STATUS_SUCCEEDED) {
                assert!(Instant::now() < deadline, "status {:?}", h.status());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }

            // Rejection.
            let rejected = client
                .send_goal(goal(-1.0), Duration::from_secs(5))
                .await
                .unwrap();
            assert!(rejected.is_none());

            // Two goals at once, one of them canceled.
            let (h1, h2) = tokio::join!(
                client.send_goal(goal(100.0), Duration::from_secs(5)),
                client.send_goal(goal(20.0), Duration::from_secs(5)),
            );
            let (h1, h2) = (h1.unwrap().unwrap(), h2.unwrap().unwrap());
            assert_ne!(h1.goal_id(), h2.goal_id());
            let (r1, r2, c) = tokio::join!(
                h1.get_result(Duration::from_secs(10)),
                h2.get_result(Duration::from_secs(10)),
                async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    h1.cancel(Duration::from_secs(5)).await
                }
            );
            let c = c.unwrap();
            assert_eq!(c.return_code, CancelGoalResponse::ERROR_NONE);
            assert_eq!(c.goals_canceling[0].goal_id, h1.goal_id());
            let (r1, r2) = (r1.unwrap(), r2.unwrap());
            assert_eq!(
                (r1.outcome(), r1.result.error_msg.as_str()),
                (Some(GoalOutcome::Canceled), "canceled")
            );
            assert_eq!(
                (r2.outcome(), r2.result.error_msg.as_str()),
                (Some(GoalOutcome::Succeeded), "reached 20")
            );
            let terminated = h1.cancel(Duration::from_secs(5)).await.unwrap();
            assert_eq!(
                terminated.return_code,
                CancelGoalResponse::ERROR_GOAL_TERMINATED
            );

            let actions = b.actions(Duration::from_millis(500)).await;
            assert!(
                actions.iter().any(|x| x.name == "/robot/navigate_to_pose"
                    && x.types == ["nav2_msgs/action/NavigateToPose"]),
                "{actions:?}"
            );
        });
    });
}

/// A one-shot publisher (a process that exits right after publishing) knows when its reader has the
/// message: it sees the reader matched to itself, and waits for the reader's acknowledgement.
#[test]
fn an_acked_publisher_knows_its_reader_has_the_message() {
    in_netns(
        "an_acked_publisher_knows_its_reader_has_the_message",
        || {
            rt().block_on(async {
                let opts = DdsOptions {
                    domain_id: 9,
                    loopback_only: true,
                    ..Default::default()
                };
                let a = Context::dds(opts.clone()).unwrap();
                let b = Context::dds(opts).unwrap();
                let tool = a.node("tool", "/").unwrap();
                let robot = b.node("robot", "/").unwrap();
                let p = tool
                    .acked_publisher::<Twist>("/cmd_vel", Qos::commands())
                    .unwrap();
                assert_eq!(p.matched_readers(), Some(0));
                let s = robot
                    .subscribe::<Twist>("/cmd_vel", Qos::commands())
                    .unwrap();
                let start = Instant::now();
                while p.matched_readers() == Some(0) {
                    assert!(start.elapsed() < Duration::from_secs(15), "never matched");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                p.publish(Twist::planar(0.15, 0.3)).unwrap();
                assert!(
                    p.wait_acknowledged(Duration::from_secs(10)).await.unwrap(),
                    "the reader did not acknowledge"
                );
                // Acknowledged means delivered: the sample is already in the reader's queue.
                let m = match s.try_recv() {
                    Some(m) => Some(m),
                    None => tokio::time::timeout(Duration::from_millis(500), s.recv())
                        .await
                        .ok()
                        .flatten(),
                };
                let m = m.expect("acknowledged but not delivered");
                assert_eq!((m.linear.x, m.angular.z), (0.15, 0.3));
                // A graph-listed publisher cannot tell, and says so instead of pretending.
                let plain = tool
                    .publisher::<Twist>("/cmd_vel", Qos::commands())
                    .unwrap();
                assert_eq!(plain.matched_readers(), None);
                assert!(!plain
                    .wait_acknowledged(Duration::from_millis(10))
                    .await
                    .unwrap());
            });
        },
    );
}
