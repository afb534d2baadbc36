//! The in-process bus runs the same node code as DDS, deterministically.
#![allow(clippy::unwrap_used)]
use letan_msgs::geometry_msgs::{Twist, Vector3};
use letan_msgs::std_msgs::Bool;
use letan_msgs::std_srvs::{SetBool, SetBoolRequest, SetBoolResponse};
use letan_transport::{Clock, Context, Qos, TransportError};
use std::time::Duration;

fn twist(x: f64) -> Twist {
    Twist {
        linear: Vector3 { x, y: 0.0, z: 0.0 },
        angular: Vector3::default(),
    }
}

#[tokio::test]
async fn publishers_reach_every_subscriber_in_order() {
    let ctx = Context::bus();
    let a = ctx.node("a", "/robot").unwrap();
    let b = ctx.node("b", "/robot").unwrap();
    let sub1 = b.subscribe::<Twist>("cmd_vel", Qos::commands()).unwrap();
    let sub2 = b
        .subscribe::<Twist>("/robot/cmd_vel", Qos::commands())
        .unwrap();
    let other = b.subscribe::<Twist>("/cmd_vel", Qos::commands()).unwrap();
    let p = a.publisher::<Twist>("cmd_vel", Qos::commands()).unwrap();
    assert_eq!(p.topic(), "/robot/cmd_vel");
    for i in 0..5 {
        p.publish(twist(i as f64)).unwrap();
    }
    for i in 0..5 {
        assert_eq!(sub1.recv().await.unwrap().linear.x, i as f64);
        assert_eq!(sub2.try_recv().unwrap().linear.x, i as f64);
    }
    assert!(
        other.try_recv().is_none(),
        "a different topic got the message"
    );
    assert_eq!(a.subscriber_count("cmd_vel").unwrap(), 2);
    assert_eq!(b.publisher_count("cmd_vel").unwrap(), 1);
}

#[tokio::test]
async fn keep_last_drops_the_oldest_for_a_slow_reader() {
    let ctx = Context::bus();
    let n = ctx.node("n", "/").unwrap();
    let sub = n
        .subscribe::<Twist>("/scan_like", Qos::sensor_data().with_depth(3))
        .unwrap();
    let p = n
        .publisher::<Twist>("/scan_like", Qos::sensor_data())
        .unwrap();
    for i in 0..10 {
        p.publish(twist(i as f64)).unwrap();
    }
    assert_eq!(sub.dropped(), 7);
    assert_eq!(sub.latest().unwrap().linear.x, 9.0);
    assert!(sub.try_recv().is_none());
}

#[tokio::test]
async fn latched_topics_reach_late_joiners_only_if_they_ask() {
    let ctx = Context::bus();
    let n = ctx.node("map_server", "/").unwrap();
    let p = n.publisher::<Bool>("/map_ready", Qos::latched()).unwrap();
    p.publish(Bool { data: false }).unwrap();
    p.publish(Bool { data: true }).unwrap();
    let late = n.subscribe::<Bool>("/map_ready", Qos::latched()).unwrap();
    assert_eq!(
        late.try_recv(),
        Some(Bool { data: true }),
        "depth 1 keeps only the last"
    );
    assert!(late.try_recv().is_none());
    let volatile = n.subscribe::<Bool>("/map_ready", Qos::commands()).unwrap();
    assert!(volatile.try_recv().is_none());
}

#[tokio::test]
async fn a_topic_has_one_type() {
    let ctx = Context::bus();
    let n = ctx.node("n", "/").unwrap();
    let _p = n.publisher::<Twist>("/cmd_vel", Qos::commands()).unwrap();
    match n.subscribe::<Bool>("/cmd_vel", Qos::commands()) {
        Err(TransportError::TypeMismatch {
            existing,
            requested,
            ..
        }) => {
            assert_eq!(existing, "geometry_msgs/msg/Twist");
            assert_eq!(requested, "std_msgs/msg/Bool");
        }
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("a Bool subscriber was allowed on a Twist topic"),
    }
}

#[tokio::test]
async fn dropped_subscribers_stop_receiving_and_are_not_counted() {
    let ctx = Context::bus();
    let n = ctx.node("n", "/").unwrap();
    let p = n.publisher::<Twist>("/x", Qos::commands()).unwrap();
    {
        let _s = n.subscribe::<Twist>("/x", Qos::commands()).unwrap();
        assert_eq!(n.subscriber_count("/x").unwrap(), 1);
    }
    p.publish(twist(1.0)).unwrap();
    assert_eq!(n.subscriber_count("/x").unwrap(), 0);
}

#[tokio::test]
async fn nodes_and_topics_are_listed() {
    let ctx = Context::bus();
    let a = ctx.node("asr", "/speech").unwrap();
    {
        let _b = ctx.node("tts", "/speech").unwrap();
        let _p = a.publisher::<Twist>("/cmd_vel", Qos::commands()).unwrap();
        assert_eq!(
            ctx.nodes(Duration::ZERO).await.unwrap(),
            vec!["/speech/asr", "/speech/tts"]
        );
    }
    assert_eq!(
        ctx.nodes(Duration::ZERO).await.unwrap(),
        vec!["/speech/asr"]
    );
    let topics = ctx.topics(Duration::ZERO).await;
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].name, "/cmd_vel");
    assert_eq!(topics[0].types, vec!["geometry_msgs/msg/Twist"]);
    assert!(ctx.node("bad/name", "/").is_err());
    assert!(ctx.node("ok", "/bad//ns").is_err());
}

#[tokio::test]
async fn services_answer_and_time_out() {
    let ctx = Context::bus();
    let server_node = ctx.node("greeter", "/").unwrap();
    let client_node = ctx.node("console", "/").unwrap();
    let client = client_node
        .service_client::<SetBool>("/greeter/enable")
        .unwrap();
    // No server yet: a clear error, not a hang.
    let e = client
        .call(SetBoolRequest { data: true }, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no server"), "{e}");

    let mut server = server_node.service_server::<SetBool>("~/enable").unwrap();
    assert_eq!(server.name(), "/greeter/enable");
    let serving = tokio::spawn(async move {
        let req = server.recv().await.unwrap();
        let on = req.request.data;
        req.respond(SetBoolResponse {
            success: on,
            message: format!("greeting {}", if on { "on" } else { "off" }),
        })
        .unwrap();
        // Second request: never answered, so the caller must time out.
        let _ignored = server.recv().await.unwrap();
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    let r = client
        .call(SetBoolRequest { data: true }, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        r,
        SetBoolResponse {
            success: true,
            message: "greeting on".into()
        }
    );
    let e = client
        .call(SetBoolRequest { data: false }, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::ServiceTimeout { .. }), "{e}");
    serving.abort();
}

#[tokio::test]
async fn sim_time_follows_clock_topic() {
    let ctx = Context::bus();
    let sim = ctx.node("sim", "/").unwrap();
    let mut n = ctx.node("nav", "/").unwrap();
    n.use_sim_time().unwrap();
    let clock: Clock = n.clock();
    assert!(clock.is_simulated());
    assert_eq!(clock.seconds(), 0.0);
    let p = sim
        .publisher::<letan_msgs::rosgraph_msgs::Clock>("/clock", Qos::clock())
        .unwrap();
    let waiter = {
        let clock = clock.clone();
        tokio::spawn(async move {
            clock.sleep_until(2.0).await;
            clock.seconds()
        })
    };
    for i in 1..=4 {
        p.publish(letan_msgs::rosgraph_msgs::Clock {
            clock: letan_msgs::builtin_interfaces::Time { sec: i, nanosec: 0 },
        })
        .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let woke = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert!(woke >= 2.0);
    assert_eq!(clock.seconds(), 4.0);
}

/// Two runs of the same little graph, driven from one task, give identical traces.
#[tokio::test(flavor = "current_thread")]
async fn a_graph_driven_from_one_task_is_deterministic() {
    async fn run() -> Vec<f64> {
        let ctx = Context::bus();
        let sensor = ctx.node("sensor", "/").unwrap();
        let filter = ctx.node("filter", "/").unwrap();
        let raw_pub = sensor
            .publisher::<Twist>("/raw", Qos::sensor_data())
            .unwrap();
        let raw_sub = filter
            .subscribe::<Twist>("/raw", Qos::sensor_data())
            .unwrap();
        let out_pub = filter
            .publisher::<Twist>("/filtered", Qos::commands())
            .unwrap();
        let out_sub = sensor
            .subscribe::<Twist>("/filtered", Qos::commands().with_depth(100))
            .unwrap();
        let mut state = 0.0;
        let mut trace = Vec::new();
        for step in 0..50 {
            raw_pub.publish(twist((step as f64 * 0.7).sin())).unwrap();
            while let Some(m) = raw_sub.try_recv() {
                state = 0.8 * state + 0.2 * m.linear.x;
                out_pub.publish(twist(state)).unwrap();
            }
            while let Some(m) = out_sub.try_recv() {
                trace.push(m.linear.x);
            }
        }
        trace
    }
    let a = run().await;
    let b = run().await;
    assert_eq!(a.len(), 50);
    assert_eq!(a, b);
}

#[tokio::test]
async fn remaps_redirect_topics() {
    let ctx = Context::bus();
    let mut nav = ctx.node("nav", "/robot").unwrap();
    nav.set_remaps(&[("cmd_vel".into(), "/cmd_vel_nav".into())])
        .unwrap();
    let listener = ctx.node("mux", "/").unwrap();
    let sub = listener
        .subscribe::<Twist>("/cmd_vel_nav", Qos::commands())
        .unwrap();
    let p = nav.publisher::<Twist>("cmd_vel", Qos::commands()).unwrap();
    assert_eq!(p.topic(), "/cmd_vel_nav");
    p.publish(twist(0.3)).unwrap();
    assert_eq!(sub.try_recv().unwrap().linear.x, 0.3);
    assert!(nav.set_remaps(&[("a".into(), "bad//x".into())]).is_err());
}
