//! The mux node on the in-process bus, in sim time: the robot moves only with a live input, a fresh
//! e-stop heartbeat and a released e-stop; a silent heartbeat stops it.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::MuxStatus;
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::std_msgs::Bool;
use letan_nodes::NodeArgs;
use letan_transport::{Context, Publisher, Qos};
use std::path::PathBuf;

struct Harness {
    t: f64,
    clock: Publisher<Clock>,
}

impl Harness {
    async fn step(&mut self, dt: f64) {
        self.t += dt;
        let sec = self.t.floor();
        self.clock
            .publish(Clock {
                clock: Time {
                    sec: sec as i32,
                    nanosec: ((self.t - sec) * 1e9) as u32,
                },
            })
            .unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn mux_node_follows_inputs_estop_and_heartbeat() {
    let ctx = Context::bus();
    let test = ctx.node("test", "/").unwrap();
    let clock = test.publisher::<Clock>("/clock", Qos::clock()).unwrap();
    let cmd = test
        .subscribe::<Twist>("/cmd_vel", Qos::commands().with_depth(1000))
        .unwrap();
    let status = test
        .subscribe::<MuxStatus>("/mux/status", Qos::commands().with_depth(1000))
        .unwrap();
    let nav = test
        .publisher::<Twist>("/cmd_vel_nav", Qos::commands())
        .unwrap();
    let console = test
        .publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())
        .unwrap();
    let heartbeat = test.publisher::<Bool>("/estop", Qos::commands()).unwrap();
    let operator = test
        .publisher::<Bool>("/mux/operator_estop", Qos::commands())
        .unwrap();

    let args = NodeArgs {
        params_files: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mux/config/mux.yaml")],
        use_sim_time: true,
        ..Default::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(letan_nodes::run("mux", ctx.clone(), args, async {
        let _ = stop_rx.await;
    }));
    let mut h = Harness { t: 100.0, clock };
    h.step(0.0).await;

    // Navigation asks to move, but the e-stop starts latched: nothing moves.
    for _ in 0..10 {
        nav.publish(Twist::planar(0.4, 0.0)).unwrap();
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    let outs: Vec<Twist> = std::iter::from_fn(|| cmd.try_recv()).collect();
    assert!(!outs.is_empty(), "the mux published nothing");
    assert!(
        outs.iter().all(|t| t.linear.x == 0.0),
        "moved while latched"
    );
    let last_status = std::iter::from_fn(|| status.try_recv()).last().unwrap();
    assert!(last_status.estop_engaged);

    // The operator releases: navigation drives, ramped up by the acceleration limit, capped at 0.4.
    operator.publish(Bool { data: false }).unwrap();
    for _ in 0..40 {
        nav.publish(Twist::planar(0.4, 0.0)).unwrap();
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    let outs: Vec<f64> = std::iter::from_fn(|| cmd.try_recv())
        .map(|t| t.linear.x)
        .collect();
    assert!(
        outs.windows(2).all(|w| w[1] - w[0] <= 0.6 * 0.1 + 1e-9),
        "acceleration limit broken: {outs:?}"
    );
    assert!((outs.last().unwrap() - 0.4).abs() < 1e-9, "{outs:?}");
    let s = std::iter::from_fn(|| status.try_recv()).last().unwrap();
    assert_eq!(s.active_input, "navigation");
    assert!(!s.estop_engaged);

    // The console outranks navigation.
    for _ in 0..10 {
        nav.publish(Twist::planar(0.4, 0.0)).unwrap();
        console.publish(Twist::planar(0.0, 0.5)).unwrap();
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    let s = std::iter::from_fn(|| status.try_recv()).last().unwrap();
    assert_eq!(s.active_input, "console_teleop");
    let last = std::iter::from_fn(|| cmd.try_recv()).last().unwrap();
    assert_eq!(last.linear.x, 0.0);
    assert!(last.angular.z > 0.0);

    // The heartbeat goes silent (the e-stop box lost power): the robot stops within the timeout.
    for _ in 0..20 {
        nav.publish(Twist::planar(0.4, 0.0)).unwrap();
        h.step(0.05).await;
    }
    let last = std::iter::from_fn(|| cmd.try_recv()).last().unwrap();
    assert_eq!((last.linear.x, last.angular.z), (0.0, 0.0));
    assert!(
        std::iter::from_fn(|| status.try_recv())
            .last()
            .unwrap()
            .estop_engaged
    );

    // All inputs silent, heartbeat back: still zero (latched until released).
    for _ in 0..20 {
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    assert!(std::iter::from_fn(|| cmd.try_recv()).all(|t| t.linear.x == 0.0 && t.angular.z == 0.0));

    stop_tx.send(()).unwrap();
    node.await.unwrap().unwrap();
}

#[tokio::test]
async fn bad_parameters_are_refused_by_key() {
    let dir = std::env::temp_dir().join(format!("letan-mux-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.yaml");
    std::fs::write(&f, "mux:\n  ros__parameters:\n    rate_hz: -5.0\n").unwrap();
    let args = NodeArgs {
        params_files: vec![f.clone()],
        ..Default::default()
    };
    let e = letan_nodes::run("mux", Context::bus(), args, std::future::pending())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("rate_hz"), "{e}");
    std::fs::write(&f, "mux:\n  ros__parameters:\n    rate_hzz: 5.0\n").unwrap();
    let args = NodeArgs {
        params_files: vec![f],
        ..Default::default()
    };
    let e = letan_nodes::run("mux", Context::bus(), args, std::future::pending())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("rate_hzz"), "{e}");
    let e = letan_nodes::run(
        "nope",
        Context::bus(),
        NodeArgs::default(),
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("mux"), "{e}");
}

#[tokio::test(flavor = "current_thread")]
async fn operator_commands_reach_cmd_vel_at_once_not_at_the_next_tick() {
    let ctx = Context::bus();
    let test = ctx.node("test", "/").unwrap();
    let clock = test.publisher::<Clock>("/clock", Qos::clock()).unwrap();
    let cmd = test
        .subscribe::<Twist>("/cmd_vel", Qos::commands().with_depth(1000))
        .unwrap();
    let console = test
        .publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())
        .unwrap();
    let heartbeat = test.publisher::<Bool>("/estop", Qos::commands()).unwrap();
    let operator = test
        .publisher::<Bool>("/mux/operator_estop", Qos::commands())
        .unwrap();
    let args = NodeArgs {
        params_files: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mux/config/mux.yaml")],
        use_sim_time: true,
        ..Default::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(letan_nodes::run("mux", ctx.clone(), args, async {
        let _ = stop_rx.await;
    }));
    let mut h = Harness { t: 100.0, clock };
    h.step(0.0).await;
    for k in 0..10 {
        heartbeat.publish(Bool { data: false }).unwrap();
        if k == 5 {
            // Released once the e-stop box's heartbeat is fresh.
            operator.publish(Bool { data: false }).unwrap();
        }
        h.step(0.05).await;
    }
    while cmd.try_recv().is_some() {}
    // 10 ms after a tick (the next one is 40 ms away): a turn command goes out now.
    h.step(0.01).await;
    // (the /clock follower runs on the transport's own runtime: let it catch up)
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    assert!(cmd.try_recv().is_none(), "no tick was due");
    console.publish(Twist::planar(0.0, 0.5)).unwrap();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    let out = cmd
        .try_recv()
        .expect("forwarded without waiting for the tick");
    assert!(out.angular.z > 0.0, "{out:?}");
    // A flooding client does not flood /cmd_vel (at most one out-of-tick output per 10 ms).
    while cmd.try_recv().is_some() {}
    let t0 = std::time::Instant::now();
    for _ in 0..200 {
        console.publish(Twist::planar(0.0, 0.5)).unwrap();
        tokio::task::yield_now().await;
    }
    let n = std::iter::from_fn(|| cmd.try_recv()).count();
    let bound = 2 + (t0.elapsed().as_millis() / 10) as usize;
    assert!(
        n <= bound,
        "{n} outputs for 200 flooded commands in {:?}",
        t0.elapsed()
    );
    // And the operator's e-stop, too.
    operator.publish(Bool { data: true }).unwrap();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    let out = std::iter::from_fn(|| cmd.try_recv())
        .last()
        .expect("e-stop output");
    assert_eq!((out.linear.x, out.angular.z), (0.0, 0.0));
    stop_tx.send(()).unwrap();
    node.await.unwrap().unwrap();
}

/// `/clock` that goes negative, jumps backwards or stalls must not bring down the node that stops
/// the robot: sim time never runs backwards (earlier stamps are ignored) and the mux reads it
/// through a clamped `Clock::duration`, so it stays up and an operator e-stop still zeroes
/// `/cmd_vel` at once.
#[tokio::test(flavor = "current_thread")]
async fn negative_backwards_and_stalled_clock_leave_the_mux_up_and_stoppable() {
    let ctx = Context::bus();
    let test = ctx.node("test", "/").unwrap();
    let clock = test.publisher::<Clock>("/clock", Qos::clock()).unwrap();
    let cmd = test
        .subscribe::<Twist>("/cmd_vel", Qos::commands().with_depth(1000))
        .unwrap();
    let console = test
        .publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())
        .unwrap();
    let heartbeat = test.publisher::<Bool>("/estop", Qos::commands()).unwrap();
    let operator = test
        .publisher::<Bool>("/mux/operator_estop", Qos::commands())
        .unwrap();
    let args = NodeArgs {
        params_files: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mux/config/mux.yaml")],
        use_sim_time: true,
        ..Default::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(letan_nodes::run("mux", ctx.clone(), args, async {
        let _ = stop_rx.await;
    }));
    let mut h = Harness { t: 100.0, clock };
    h.step(0.0).await;
    for _ in 0..4 {
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    operator.publish(Bool { data: false }).unwrap();
    for _ in 0..10 {
        console.publish(Twist::planar(0.3, 0.0)).unwrap();
        heartbeat.publish(Bool { data: false }).unwrap();
        h.step(0.05).await;
    }
    let moving = std::iter::from_fn(|| cmd.try_recv()).last().unwrap();
    assert!(moving.linear.x > 0.0, "teleop did not move: {moving:?}");

    // Negative, far backwards, and i32::MIN stamps; then nothing at all (a stalled /clock).
    for sec in [-5, 50, i32::MIN, -1] {
        h.clock
            .publish(Clock {
                clock: Time {
                    sec,
                    nanosec: 999_999_999,
                },
            })
            .unwrap();
        console.publish(Twist::planar(0.3, 0.0)).unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(
            !node.is_finished(),
            "the mux stopped after /clock sec={sec}"
        );
    }
    for _ in 0..50 {
        console.publish(Twist::planar(0.3, 0.0)).unwrap();
        tokio::task::yield_now().await;
    }
    assert!(!node.is_finished(), "the mux stopped while /clock stalled");
    let outs: Vec<Twist> = std::iter::from_fn(|| cmd.try_recv()).collect();
    assert!(
        outs.iter()
            .all(|t| t.linear.x.is_finite() && t.angular.z.is_finite()),
        "{outs:?}"
    );

    // Still stoppable: the operator's e-stop goes out at once, with the clock still stalled.
    operator.publish(Bool { data: true }).unwrap();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    let last = std::iter::from_fn(|| cmd.try_recv()).last().unwrap();
    assert_eq!((last.linear.x, last.angular.z), (0.0, 0.0));

    stop_tx.send(()).unwrap();
    node.await.unwrap().unwrap();
}
