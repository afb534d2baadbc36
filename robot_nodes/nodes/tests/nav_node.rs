//! The navigation node in the simulated lobby, on the in-process bus and in sim time: the simulator
//! stands in for the hardware, the mux forwards navigation's velocity, and goals come through the
//! Nav2-compatible `NavigateToPose` action and the place topic.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::action_msgs::GoalStatus;
use letan_msgs::geometry_msgs::{Pose, PoseStamped};
use letan_msgs::letan_interfaces::{GuideStatus, NavGoalPlace};
use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseGoal, NavigateToPoseResult};
use letan_msgs::nav_msgs::{OccupancyGrid, Path};
use letan_msgs::std_msgs::Header;
use letan_nodes::sim::{run_scenario, SimOverrides};
use letan_nodes::NodeArgs;
use letan_transport::{Context, Lockstep, Qos};
use std::path::PathBuf;
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One simulated robot at a time: two stacks at 4× real time on 2 cores starve each other's
/// controllers (the simulator would not wait for them).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Stack {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    ctx: Context,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// The simulator (an empty lobby, robot at the dock), the mux and the navigation node.
async fn stack(duration: f64, speed: f64) -> Stack {
    let turn = ONE_AT_A_TIME.lock().await;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("LETAN_LOG"))
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("empty.yaml");
    std::fs::write(
        &scenario,
        format!("name: empty\nduration: {duration}\nrobot: {{start: dock}}\n"),
    )
    .unwrap();
    let sim_params = dir.path().join("sim.yaml");
    std::fs::write(
        &sim_params,
        format!(
            "sim:\n  ros__parameters:\n    camera: false\n    speed: {speed}\n    scenario: {:?}\n    repo_root: {:?}\n    wait_for: [/nav/guide_status, /cmd_vel]\n",
            scenario.display().to_string(),
            repo().display().to_string()
        ),
    )
    .unwrap();
    // In lockstep (`speed` 0): sim time advances only when the nav and mux nodes are done with
    // the last step, so the verdict does not depend on the machine's load.
    let lockstep = (speed == 0.0).then(Lockstep::new);
    let ctx = match &lockstep {
        Some(l) => Context::bus().with_lockstep(l.clone()),
        None => Context::bus(),
    };
    let (stop, rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let mut tasks = Vec::new();
    let nodes = [
        (
            "nav",
            NodeArgs {
                name: Some("navigation".into()),
                params_files: vec![repo().join("robot_nodes/nav/config/nav.yaml")],
                remaps: vec![("cmd_vel".into(), "/cmd_vel_nav".into())],
                use_sim_time: true,
                ..NodeArgs::default()
            },
        ),
        (
            "mux",
            NodeArgs {
                params_files: vec![
                    repo().join("robot_nodes/mux/config/mux.yaml"),
                    repo().join("launch/params/sim_overrides.yaml"),
                ],
                use_sim_time: true,
                ..NodeArgs::default()
            },
        ),
    ];
    for (exec, args) in nodes {
        let (ctx, stop) = (ctx.clone(), stopped(rx.clone()));
        let node = async move {
            letan_nodes::run(exec, ctx, args, stop).await.unwrap();
        };
        tasks.push(match &lockstep {
            Some(l) => tokio::spawn(l.track(exec, node)),
            None => tokio::spawn(node),
        });
    }
    let (sctx, sstop) = (ctx.clone(), stopped(rx.clone()));
    tasks.push(tokio::spawn(async move {
        let args = NodeArgs {
            params_files: vec![sim_params],
            ..NodeArgs::default()
        };
        run_scenario(sctx, args, SimOverrides::default(), sstop)
            .await
            .unwrap();
    }));
    Stack {
        _turn: turn,
        ctx,
        stop,
        tasks,
        _dir: dir,
    }
}

impl Stack {
    async fn finish(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .expect("nodes stop")
                .expect("no node panicked");
        }
    }
}

fn goal(x: f64, y: f64, yaw: f64) -> NavigateToPoseGoal {
    NavigateToPoseGoal {
        pose: PoseStamped {
            header: Header::new(Default::default(), "map"),
            pose: Pose::from_xy_yaw(x, y, yaw),
        },
        behavior_tree: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigate_to_pose_reaches_the_goal_with_feedback_and_the_map_is_latched() {
    let s = stack(120.0, 4.0).await;
    let test = s.ctx.node("test", "/").unwrap();
    let client = test
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    client
        .wait_for_server(Duration::from_secs(30))
        .await
        .unwrap();
    // A late subscriber still gets the map (transient local).
    let map = test
        .subscribe::<OccupancyGrid>("/map", Qos::latched())
        .unwrap();
    let m = tokio::time::timeout(Duration::from_secs(10), map.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.info.width, m.info.height), (600, 400));
    let truth = test
        .subscribe::<PoseStamped>("/sim/ground_truth/robot", Qos::sensor_data())
        .unwrap();
    let plans = test
        .subscribe::<Path>("/plan", Qos::commands().with_depth(100))
        .unwrap();

    // Reception, 4.5 m from the dock.
    let h = client
        .send_goal(
            goal(20.5, 4.5, -std::f64::consts::FRAC_PI_2),
            Duration::from_secs(10),
        )
        .await
        .unwrap()
        .expect("accepted");
    let fb = tokio::time::timeout(Duration::from_secs(30), h.next_feedback())
        .await
        .unwrap()
        .unwrap();
    assert!(
        fb.distance_remaining > 1.0 && fb.current_pose.header.frame_id == "map",
        "{fb:?}"
    );
    let r = h.get_result(Duration::from_secs(120)).await.unwrap();
    assert_eq!(r.status, GoalStatus::STATUS_SUCCEEDED, "{:?}", r.result);
    assert_eq!(r.result.error_code, NavigateToPoseResult::NONE);
    let p = truth.latest().unwrap().pose.position;
    assert!(
        (p.x - 20.5).hypot(p.y - 4.5) < 0.3,
        "the robot really is there: {p:?}"
    );
    let mut longest = 0;
    while let Some(p) = plans.try_recv() {
        assert_eq!(p.header.frame_id, "map");
        longest = longest.max(p.poses.len());
    }
    assert!(
        longest > 50,
        "a /plan over the 4.5 m (5 cm steps): {longest} poses"
    );
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_robot_and_an_unknown_place_fails_with_its_code() {
    let s = stack(120.0, 4.0).await;
    let test = s.ctx.node("test", "/").unwrap();
    let client = test
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    client
        .wait_for_server(Duration::from_secs(30))
        .await
        .unwrap();
    let truth = test
        .subscribe::<PoseStamped>("/sim/ground_truth/robot", Qos::sensor_data())
        .unwrap();
    let status = test
        .subscribe::<GuideStatus>("/nav/guide_status", Qos::commands().with_depth(200))
        .unwrap();
    // Far away (counter 12); cancel once it moves.
    let h = client
        .send_goal(
            goal(27.0, 14.9, std::f64::consts::FRAC_PI_2),
            Duration::from_secs(10),
        )
        .await
        .unwrap()
        .expect("accepted");
    for _ in 0..4 {
        tokio::time::timeout(Duration::from_secs(30), h.next_feedback())
            .await
            .unwrap()
            .unwrap();
    }
    h.cancel(Duration::from_secs(10)).await.unwrap();
    let r = h.get_result(Duration::from_secs(30)).await.unwrap();
    assert_eq!(r.status, GoalStatus::STATUS_CANCELED);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let a = truth.latest().unwrap().pose.position;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let b = truth.latest().unwrap().pose.position;
    assert!(
        (a.x - b.x).hypot(a.y - b.y) < 0.02,
        "stopped after the cancel: {a:?} → {b:?}"
    );

    // An unknown place: a clear failure on the status topic, no motion.
    let goals = test
        .publisher::<NavGoalPlace>("/nav/goal", Qos::commands())
        .unwrap();
    goals
        .publish(NavGoalPlace {
            place_id: "counter_99".into(),
            ..NavGoalPlace::default()
        })
        .unwrap();
    let failed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let g = status.recv().await.unwrap();
            if g.place_id == "counter_99" && g.state == GuideStatus::STATE_FAILED {
                return g;
            }
        }
    })
    .await
    .expect("a failure status");
    assert_eq!(failed.error_code, GuideStatus::ERROR_UNKNOWN_PLACE);
    assert!(failed.error_msg.contains("counter_99"), "{failed:?}");
    // A goal off the map fails at once with Nav2's code, never a hang.
    let h = client
        .send_goal(goal(-5.0, 10.0, 0.0), Duration::from_secs(10))
        .await
        .unwrap()
        .expect("accepted, then judged");
    let r = h.get_result(Duration::from_secs(30)).await.unwrap();
    assert_eq!(r.status, GoalStatus::STATUS_ABORTED, "{r:?}");
    assert_eq!(r.result.error_code, 204, "{:?}", r.result);
    s.finish().await;
}

/// The robot drives itself (its own localization on the simulated lidar and drifting odometry)
/// from the dock through every place of the lobby, one after the other, and back to the dock,
/// through the real simulator. (Until 2026-12-07 it went back to the dock after each place: twice
/// the legs, 246 s of CI, and no place-to-place route.)
///
/// It runs in lockstep, as fast as the machine goes: sim time advances only when the navigation
/// node and the mux are done with the last step. Paced by the wall clock instead (4× or 10×), it
/// failed on the 2-core machine shared with builds: the navigation node's cycles came further apart
/// than the mux's navigation timeout (0.3 s of sim time), the robot stopped and went, and a leg gave
/// up with "no progress" (status 6, error 105). Each leg has 300 s of sim time, so no leg can hang on
/// a run that ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_dock_through_every_place_and_back_in_the_simulator() {
    let places = letan_map::Places::load(repo().join("maps/places.yaml")).unwrap();
    // The run outlasts every leg, each within its own goal timeout (300 s of sim time).
    let legs = places.places.len() + 1;
    let s = stack(legs as f64 * 300.0, 0.0).await;
    let test = s.ctx.node("test", "/").unwrap();
    let client = test
        .action_client::<NavigateToPose>("/navigate_to_pose")
        .unwrap();
    client
        .wait_for_server(Duration::from_secs(30))
        .await
        .unwrap();
    let truth = test
        .subscribe::<PoseStamped>("/sim/ground_truth/robot", Qos::sensor_data())
        .unwrap();
    let dock = places.dock.unwrap();
    let mut failures = Vec::new();
    let mut worst: f64 = 0.0;
    let route: Vec<(&str, _)> = places
        .places
        .iter()
        .filter(|(id, _)| id.as_str() != "exit")
        .map(|(id, p)| (id.as_str(), *p))
        .chain([("dock", dock)])
        .collect();
    let mut from = "dock";
    for &(name, target) in &route {
        let id = std::mem::replace(&mut from, name);
        let h = client
            .send_goal(
                goal(target.x, target.y, target.yaw),
                Duration::from_secs(10),
            )
            .await
            .unwrap()
            .expect("accepted");
        let leg = std::time::Instant::now();
        let r = h.get_result(Duration::from_secs(240)).await.unwrap();
        // The newest pose, waiting for one if none came since the last leg (a leg that ends at
        // once, e.g. a goal judged straight away, may see no new sample).
        let at = match truth.latest() {
            Some(m) => Some(m),
            None => tokio::time::timeout(Duration::from_secs(5), truth.recv())
                .await
                .ok()
                .flatten(),
        };
        let Some(at) = at.map(|m| m.pose.position) else {
            failures.push(format!(
                "{name} (after {id}): status {} {:?}, no ground truth for 5 s",
                r.status, r.result
            ));
            continue;
        };
        let off = (at.x - target.x).hypot(at.y - target.y);
        worst = worst.max(off);
        eprintln!(
            "{name} (after {id}): status {}, {off:.2} m off, {:.1} s wall {:?}",
            r.status,
            leg.elapsed().as_secs_f64(),
            r.result
        );
        if r.status != GoalStatus::STATUS_SUCCEEDED || off > 0.35 {
            failures.push(format!(
                "{name} (after {id}): status {} {:?}, {off:.2} m off",
                r.status, r.result
            ));
        }
    }
    eprintln!("through every place and back: worst ground-truth error at arrival {worst:.2} m");
    assert!(failures.is_empty(), "{failures:#?}");
    s.finish().await;
}
