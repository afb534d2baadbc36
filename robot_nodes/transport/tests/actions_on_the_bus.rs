//! ROS 2 actions on the in-process bus: goals, feedback, results, cancels, rejections, several
//! goals at once, and the limits that keep a server's memory bounded.
#![allow(clippy::unwrap_used)]
use letan_msgs::action_msgs::{CancelGoalResponse, GoalInfo, GoalStatus};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::nav2_msgs::{
    NavigateToPose, NavigateToPoseFeedback, NavigateToPoseGoal, NavigateToPoseResult,
};
use letan_transport::action::{ActionServerOptions, GoalId, GoalOutcome};
use letan_transport::{ActionClient, ActionServer, Context, Node, TransportError};
use std::time::Duration;

const T: Duration = Duration::from_secs(5);

fn goal(x: f64) -> NavigateToPoseGoal {
    let mut g = NavigateToPoseGoal::default();
    g.pose.header.frame_id = "map".into();
    g.pose.pose.position.x = x;
    g
}

fn feedback(d: f32) -> NavigateToPoseFeedback {
    NavigateToPoseFeedback {
        distance_remaining: d,
        ..Default::default()
    }
}

fn result(code: u16, msg: &str) -> NavigateToPoseResult {
    NavigateToPoseResult {
        error_code: code,
        error_msg: msg.into(),
    }
}

fn pair(ctx: &Context) -> (Node, Node) {
    (
        ctx.node("nav", "/").unwrap(),
        ctx.node("console", "/").unwrap(),
    )
}

fn setup() -> (
    Node,
    Node,
    ActionServer<NavigateToPose>,
    ActionClient<NavigateToPose>,
) {
    let ctx = Context::bus();
    let (server_node, client_node) = pair(&ctx);
    let server = server_node
        .action_server::<NavigateToPose>("navigate_to_pose")
        .unwrap();
    let client = client_node
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    (server_node, client_node, server, client)
}

#[tokio::test]
async fn a_goal_gets_feedback_and_its_result_and_the_result_stays() {
    let (_sn, _cn, server, client) = setup();
    assert_eq!(server.name(), "/navigate_to_pose");
    assert!(client.server_is_ready());
    client.wait_for_server(T).await.unwrap();

    let send = tokio::spawn(async move {
        let handle = client.send_goal(goal(3.5), T).await.unwrap().unwrap();
        (client, handle)
    });
    let req = server.recv_goal().await.unwrap();
    assert_eq!(req.goal().pose.pose.position.x, 3.5);
    let id = req.goal_id();
    let g = req.accept().unwrap();
    assert_eq!(g.pose.header.frame_id, "map");
    let (_client, handle) = send.await.unwrap();
    assert_eq!(handle.goal_id(), id);
    assert_eq!(handle.status(), Some(GoalStatus::STATUS_EXECUTING));
    assert_eq!(server.goal_status(id), Some(GoalStatus::STATUS_EXECUTING));
    assert_eq!(server.active_goals(), vec![id]);

    // get_result asked before the end waits for it.
    let early = {
        let h = &handle;
        async move { h.get_result(T).await }
    };
    let finish = async {
        for d in [3.0, 2.0, 1.0] {
            server.publish_feedback(id, feedback(d)).unwrap();
        }
        tokio::task::yield_now().await;
        server
            .finish(
                id,
                GoalOutcome::Succeeded,
                result(NavigateToPoseResult::NONE, ""),
            )
            .unwrap();
    };
    let (early, ()) = tokio::join!(early, finish);
    let early = early.unwrap();
    assert_eq!(early.outcome(), Some(GoalOutcome::Succeeded));
    for d in [3.0, 2.0, 1.0] {
        assert_eq!(handle.next_feedback().await.unwrap().distance_remaining, d);
    }
    // Later calls get the same result.
    let late = handle.get_result(T).await.unwrap();
    assert_eq!(late, early);
    assert_eq!(handle.status(), Some(GoalStatus::STATUS_SUCCEEDED));
    assert!(server.active_goals().is_empty());

    // A finished goal takes no more feedback and cannot finish twice.
    assert!(server.publish_feedback(id, feedback(0.0)).is_err());
    let e = server
        .finish(id, GoalOutcome::Aborted, NavigateToPoseResult::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("already finished (SUCCEEDED)"),
        "{e}"
    );
    assert!(server
        .finish(
            GoalId::from_bytes([9; 16]),
            GoalOutcome::Aborted,
            Default::default()
        )
        .is_err());
}

#[tokio::test]
async fn rejected_and_unanswered_goals_are_refused() {
    let (_sn, _cn, server, client) = setup();
    let (a, ()) = tokio::join!(client.send_goal(goal(1.0), T), async {
        server.recv_goal().await.unwrap().reject().unwrap();
    });
    assert!(a.unwrap().is_none(), "rejected");
    // Dropping the request without an answer rejects it too.
    let (a, ()) = tokio::join!(client.send_goal(goal(2.0), T), async {
        drop(server.recv_goal().await.unwrap());
    });
    assert!(a.unwrap().is_none(), "dropped = rejected");
    assert!(server.active_goals().is_empty());
}

#[tokio::test]
async fn the_queue_of_unanswered_goals_is_bounded() {
    let ctx = Context::bus();
    let (sn, cn) = pair(&ctx);
    let options = ActionServerOptions {
        queue_depth: 2,
        ..Default::default()
    };
    let server = sn
        .action_server_with::<NavigateToPose>("/nav", options)
        .unwrap();
    let client = cn.action_client::<NavigateToPose>("/nav").unwrap();
    // Three goals while the node looks at none: the oldest is rejected at once.
    let sends = futures::future::join3(
        client.send_goal(goal(1.0), T),
        client.send_goal(goal(2.0), T),
        async {
            tokio::task::yield_now().await;
            client.send_goal(goal(3.0), T).await
        },
    );
    let serve = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut xs = Vec::new();
        while let Some(req) = server.recv_goal().await {
            xs.push(req.goal().pose.pose.position.x);
            req.accept().unwrap();
            if xs.len() == 2 {
                return xs;
            }
        }
        xs
    };
    let ((a, b, c), xs) = tokio::join!(sends, serve);
    let accepted: Vec<bool> = [a, b, c]
        .into_iter()
        .map(|r| r.unwrap().is_some())
        .collect();
    assert_eq!(accepted.iter().filter(|a| **a).count(), 2, "{accepted:?}");
    assert!(!accepted[0], "the oldest was rejected: {accepted:?}");
    assert_eq!(xs, vec![2.0, 3.0]);
}

#[tokio::test]
async fn a_cancel_request_reaches_the_node_and_the_result_says_canceled() {
    let (_sn, _cn, server, client) = setup();
    let (handle, ()) = tokio::join!(client.send_goal(goal(1.0), T), async {
        server.recv_goal().await.unwrap().accept().unwrap();
    });
    let handle = handle.unwrap().unwrap();
    let id = handle.goal_id();

    let (response, ()) = tokio::join!(handle.cancel(T), async {
        let cancel = server.recv_cancel().await.unwrap();
        assert_eq!(cancel.goals(), &[id]);
        assert_eq!(cancel.accept_all().unwrap(), vec![id]);
        assert_eq!(server.goal_status(id), Some(GoalStatus::STATUS_CANCELING));
        // Feedback is still allowed while canceling.
        server.publish_feedback(id, feedback(0.5)).unwrap();
        server
            .finish(
                id,
                GoalOutcome::Canceled,
                result(0, "canceled by the operator"),
            )
            .unwrap();
    });
    let response = response.unwrap();
    assert_eq!(response.return_code, CancelGoalResponse::ERROR_NONE);
    assert_eq!(response.goals_canceling.len(), 1);
    assert_eq!(response.goals_canceling[0].goal_id, id);
    assert_eq!(response.goals_canceling[0].stamp, handle.accepted_at());
    let r = handle.get_result(T).await.unwrap();
    assert_eq!(r.outcome(), Some(GoalOutcome::Canceled));
    assert_eq!(r.result.error_msg, "canceled by the operator");

    // The goal is over: canceling again says so, without bothering the node.
    let again = handle.cancel(T).await.unwrap();
    assert_eq!(again.return_code, CancelGoalResponse::ERROR_GOAL_TERMINATED);
    assert!(again.goals_canceling.is_empty());
    let unknown = client
        .cancel_goals(
            GoalInfo {
                goal_id: GoalId::from_bytes([7; 16]),
                stamp: Time::default(),
            },
            T,
        )
        .await
        .unwrap();
    assert_eq!(
        unknown.return_code,
        CancelGoalResponse::ERROR_UNKNOWN_GOAL_ID
    );
    // Nothing to cancel at all: rejected.
    let none = client.cancel_goals(GoalInfo::default(), T).await.unwrap();
    assert_eq!(none.return_code, CancelGoalResponse::ERROR_REJECTED);
}

#[tokio::test]
async fn the_node_may_refuse_a_cancel() {
    let (_sn, _cn, server, client) = setup();
    let (handle, ()) = tokio::join!(client.send_goal(goal(1.0), T), async {
        server.recv_goal().await.unwrap().accept().unwrap();
    });
    let handle = handle.unwrap().unwrap();
    let (refused, ()) = tokio::join!(handle.cancel(T), async {
        server.recv_cancel().await.unwrap().reject().unwrap();
    });
    assert_eq!(
        refused.unwrap().return_code,
        CancelGoalResponse::ERROR_REJECTED
    );
    // Dropping the request refuses too.
    let (dropped, ()) = tokio::join!(handle.cancel(T), async {
        drop(server.recv_cancel().await.unwrap());
    });
    assert_eq!(
        dropped.unwrap().return_code,
        CancelGoalResponse::ERROR_REJECTED
    );
    assert_eq!(
        server.goal_status(handle.goal_id()),
        Some(GoalStatus::STATUS_EXECUTING)
    );
}

#[tokio::test]
async fn two_goals_at_once_keep_their_feedback_and_results_apart() {
    let (_sn, _cn, server, client) = setup();
    let serve_two = async {
        let a = server.recv_goal().await.unwrap();
        let b = server.recv_goal().await.unwrap();
        let ids = (a.goal_id(), b.goal_id());
        let xa = a.accept().unwrap().pose.pose.position.x;
        let xb = b.accept_deferred().unwrap().pose.pose.position.x;
        (ids, xa, xb)
    };
    let (h1, h2, ((ia, ib), xa, xb)) = tokio::join!(
        client.send_goal(goal(1.0), T),
        client.send_goal(goal(2.0), T),
        serve_two
    );
    let (h1, h2) = (h1.unwrap().unwrap(), h2.unwrap().unwrap());
    let by_x = |x: f64| if x == xa { ia } else { ib };
    assert_eq!(by_x(1.0), h1.goal_id());
    assert_eq!(by_x(2.0), h2.goal_id());
    let deferred = by_x(xb);
    assert_eq!(
        server.goal_status(deferred),
        Some(GoalStatus::STATUS_ACCEPTED)
    );
    server.set_executing(deferred).unwrap();
    assert_eq!(
        server.goal_status(deferred),
        Some(GoalStatus::STATUS_EXECUTING)
    );

    // Interleaved feedback; each handle sees only its own.
    for i in 0..3 {
        server
            .publish_feedback(h1.goal_id(), feedback(10.0 + i as f32))
            .unwrap();
        server
            .publish_feedback(h2.goal_id(), feedback(20.0 + i as f32))
            .unwrap();
    }
    for i in 0..3 {
        assert_eq!(
            h1.next_feedback().await.unwrap().distance_remaining,
            10.0 + i as f32
        );
        assert_eq!(
            h2.next_feedback().await.unwrap().distance_remaining,
            20.0 + i as f32
        );
    }
    // Both results pending at once, finished in the other order.
    let results = tokio::join!(h1.get_result(T), h2.get_result(T), async {
        tokio::task::yield_now().await;
        server
            .finish(h2.goal_id(), GoalOutcome::Aborted, result(9000, "blocked"))
            .unwrap();
        server
            .finish(h1.goal_id(), GoalOutcome::Succeeded, result(0, ""))
            .unwrap();
    });
    let (r1, r2) = (results.0.unwrap(), results.1.unwrap());
    assert_eq!(r1.outcome(), Some(GoalOutcome::Succeeded));
    assert_eq!(
        (r2.outcome(), r2.result.error_code),
        (Some(GoalOutcome::Aborted), 9000)
    );
}

#[tokio::test]
async fn cancel_all_designates_every_active_goal() {
    let (_sn, _cn, server, client) = setup();
    let (h1, h2, ()) = tokio::join!(
        client.send_goal(goal(1.0), T),
        client.send_goal(goal(2.0), T),
        async {
            server.recv_goal().await.unwrap().accept().unwrap();
            server.recv_goal().await.unwrap().accept().unwrap();
        }
    );
    let (h1, h2) = (h1.unwrap().unwrap(), h2.unwrap().unwrap());
    let (response, ()) = tokio::join!(client.cancel_goals(GoalInfo::default(), T), async {
        let cancel = server.recv_cancel().await.unwrap();
        assert_eq!(cancel.goals().len(), 2);
        // Cancel only the first one.
        assert_eq!(cancel.accept(&[h1.goal_id()]).unwrap(), vec![h1.goal_id()]);
    });
    let response = response.unwrap();
    assert_eq!(response.return_code, CancelGoalResponse::ERROR_NONE);
    assert_eq!(response.goals_canceling.len(), 1);
    assert_eq!(
        server.goal_status(h1.goal_id()),
        Some(GoalStatus::STATUS_CANCELING)
    );
    assert_eq!(
        server.goal_status(h2.goal_id()),
        Some(GoalStatus::STATUS_EXECUTING)
    );
}

#[tokio::test]
async fn a_missing_server_is_an_error_not_a_hang() {
    let (_sn, cn, server, client) = setup();
    let (h, ()) = tokio::join!(client.send_goal(goal(1.0), T), async {
        server.recv_goal().await.unwrap().accept().unwrap();
    });
    let h = h.unwrap().unwrap();
    server
        .finish(h.goal_id(), GoalOutcome::Succeeded, result(0, ""))
        .unwrap();
    drop(server);
    // The server is gone: a clear error, not a hang.
    let e = h.get_result(T).await.unwrap_err();
    assert!(e.to_string().contains("no server"), "{e}");
    let other = cn.action_client::<NavigateToPose>("/other").unwrap();
    assert!(!other.server_is_ready());
    let e = other
        .wait_for_server(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::ActionTimeout { .. }), "{e}");
    let e = other.send_goal(goal(1.0), T).await.unwrap_err();
    assert!(e.to_string().contains("no server is running"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn finished_goals_expire_by_age_and_by_count() {
    let ctx = Context::bus();
    let (sn, cn) = pair(&ctx);
    let options = ActionServerOptions {
        result_timeout: Duration::from_secs(60),
        max_finished_goals: 2,
        ..Default::default()
    };
    let server = sn
        .action_server_with::<NavigateToPose>("/nav", options)
        .unwrap();
    let client = cn.action_client::<NavigateToPose>("/nav").unwrap();
    let mut handles = Vec::new();
    for i in 0..3 {
        let (h, ()) = tokio::join!(client.send_goal(goal(i as f64), T), async {
            server.recv_goal().await.unwrap().accept().unwrap();
        });
        let h = h.unwrap().unwrap();
        server
            .finish(h.goal_id(), GoalOutcome::Succeeded, result(i, ""))
            .unwrap();
        handles.push(h);
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    // Only the two newest are kept.
    let status = |r: letan_transport::action::GoalResult<NavigateToPoseResult>| r.status;
    assert_eq!(
        status(handles[0].get_result(T).await.unwrap()),
        GoalStatus::STATUS_UNKNOWN
    );
    let kept = handles[2].get_result(T).await.unwrap();
    assert_eq!(
        (kept.status, kept.result.error_code),
        (GoalStatus::STATUS_SUCCEEDED, 2)
    );
    assert_eq!(handles[0].status(), None, "gone from the status array too");
    assert_eq!(handles[1].status(), Some(GoalStatus::STATUS_SUCCEEDED));
    // After the timeout, nothing is left.
    tokio::time::advance(Duration::from_secs(61)).await;
    assert_eq!(
        status(handles[2].get_result(T).await.unwrap()),
        GoalStatus::STATUS_UNKNOWN
    );
    assert_eq!(handles[2].status(), None);
}

#[tokio::test]
async fn one_server_per_action_on_a_bus() {
    let ctx = Context::bus();
    let (a, b) = pair(&ctx);
    let first = a.action_server::<NavigateToPose>("/nav").unwrap();
    let e = b.action_server::<NavigateToPose>("/nav").unwrap_err();
    assert!(e.to_string().contains("already has a server"), "{e}");
    drop(first);
    let _second = b.action_server::<NavigateToPose>("/nav").unwrap();
    let actions = ctx.actions(Duration::ZERO).await;
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].name, "/nav");
    assert_eq!(actions[0].types, vec!["nav2_msgs/action/NavigateToPose"]);
}

/// The shape a navigation node has: one `select!` loop serving goals, cancels and a timer.
#[tokio::test]
async fn a_node_serves_goals_from_a_select_loop() {
    let ctx = Context::bus();
    let (sn, cn) = pair(&ctx);
    let server = sn
        .action_server::<NavigateToPose>("navigate_to_pose")
        .unwrap();
    let node_task = tokio::spawn(async move {
        let mut current: Option<(GoalId, f32)> = None;
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        loop {
            tokio::select! {
                Some(req) = server.recv_goal() => {
                    if let Some((old, _)) = current.take() {
                        server.finish(old, GoalOutcome::Aborted, result(9000, "preempted")).unwrap();
                    }
                    let id = req.goal_id();
                    let g = req.accept().unwrap();
                    current = Some((id, g.pose.pose.position.x as f32));
                }
                Some(cancel) = server.recv_cancel() => {
                    for id in cancel.accept_all().unwrap() {
                        server.finish(id, GoalOutcome::Canceled, result(0, "")).unwrap();
                        current = None;
                    }
                }
                _ = tick.tick() => {
                    if let Some((id, left)) = current.as_mut() {
                        *left -= 1.0;
                        if *left <= 0.0 {
                            server.finish(*id, GoalOutcome::Succeeded, result(0, "")).unwrap();
                            current = None;
                        } else {
                            server.publish_feedback(*id, feedback(*left)).unwrap();
                        }
                    }
                }
            }
        }
    });
    let client = cn
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    let h = client.send_goal(goal(4.0), T).await.unwrap().unwrap();
    let mut seen = Vec::new();
    let result = h.get_result(T);
    tokio::pin!(result);
    loop {
        tokio::select! {
            f = h.next_feedback() => seen.push(f.unwrap().distance_remaining),
            r = &mut result => {
                assert_eq!(r.unwrap().outcome(), Some(GoalOutcome::Succeeded));
                break;
            }
        }
    }
    assert!(
        !seen.is_empty() && seen.iter().all(|d| *d > 0.0),
        "{seen:?}"
    );
    // Preemption: a second goal aborts the first.
    let first = client.send_goal(goal(1000.0), T).await.unwrap().unwrap();
    let second = client.send_goal(goal(1000.0), T).await.unwrap().unwrap();
    let r = first.get_result(T).await.unwrap();
    assert_eq!(
        (r.outcome(), r.result.error_msg.as_str()),
        (Some(GoalOutcome::Aborted), "preempted")
    );
    let c = second.cancel(T).await.unwrap();
    assert_eq!(c.return_code, CancelGoalResponse::ERROR_NONE);
    assert_eq!(
        second.get_result(T).await.unwrap().outcome(),
        Some(GoalOutcome::Canceled)
    );
    node_task.abort();
}
