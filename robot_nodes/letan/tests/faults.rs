//! Injected faults on the whole robot, run as separate processes over real DDS (`letan launch
//! launch/sim.launch.yaml`) in a private network namespace:
//!
//! * the navigation node, then the velocity mux, is killed (SIGKILL) while the robot guides a
//!   visitor: the robot stops within [`STOP_WITHIN_S`] of sim time and the launcher restarts the node;
//! * 20 % packet loss and 200 ms delay on loopback (`tc netem`, inside the namespace): a released
//!   teleop deadman still stops the robot, and a pressed e-stop still holds it.
//!
//! The test process joins the same DDS domain as a probe (`/clock`, `/odom`, `/mux/status`), so the
//! figures are in sim time, stamped by the simulator and the mux themselves.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
mod launcher;

use launcher::{is_node_line, kill, node_pids, Launch};
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::{MuxStatus, SayRequest, StaffAlert};
use letan_msgs::nav_msgs::Odometry;
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::std_msgs::Bool;
use letan_transport::testing::in_netns;
use letan_transport::{Context, Qos};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One launch at a time: two whole robots on 2 cores would starve each other.
static ONE_LAUNCH: Mutex<()> = Mutex::new(());

/// What the issue asks of a dead navigation node or mux: the robot is still within this (sim time).
const STOP_WITHIN_S: f64 = 0.5;

/// The one-way delay `tc netem` adds on loopback, where the kernel has netem.
const DELAY_S: f64 = 0.2;

/// Speed below which the base counts as stopped (m/s and rad/s).
const STILL: f64 = 0.01;

/// A visitor asks for counter 12 (far from the dock), accepts the offer and follows. The robot is
/// killed into during the walk, so the scenario's verdict is not asserted.
const GUIDED_WALK: &str = "\
name: guided_walk_under_faults
description: a visitor is guided to counter 12 while a node is killed
seed: 11
duration: 120
robot:
  start: dock
people:
  - name: ba_hoa
    enter_at: 1
    from: entrance
    lang: vi
    speed: 0.8
    plan:
      - ask_robot:
          text: \"Cho tôi hỏi quầy số 12 ở đâu?\"
      - ask_robot:
          text: \"Vâng, cháu dẫn bác đi nhé\"
      - follow_robot: {}
      - leave
expectations:
  - no_collision: {}
";

/// The base's motion as the simulator reports it, and sim time, collected in the background.
struct Probe {
    rt: tokio::runtime::Runtime,
    _ctx: Context,
    now: Arc<Mutex<f64>>,
    /// (stamp, |v|, |w|) of every `/odom` received.
    odom: Arc<Mutex<Vec<(f64, f64, f64)>>>,
    /// (sim time on arrival, largest |component|) of every `/cmd_vel` the mux sent.
    cmd: Arc<Mutex<Vec<(f64, f64)>>>,
    /// (sim time on arrival, reason, text) of every `/staff/alert`.
    alerts: Arc<Mutex<Vec<(f64, String, String)>>>,
    /// (sim time on arrival, text) of everything the robot was asked to say (`/tts/say`).
    said: Arc<Mutex<Vec<(f64, String)>>>,
}

fn stamp(t: &letan_msgs::builtin_interfaces::Time) -> f64 {
    f64::from(t.sec) + f64::from(t.nanosec) * 1e-9
}

impl Probe {
    fn start() -> Probe {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let _in = rt.enter();
        let ctx = Context::dds_from_env().unwrap();
        let node = ctx.node("fault_probe", "/").unwrap();
        let clock = node.subscribe::<Clock>("/clock", Qos::clock()).unwrap();
        let odom_sub = node
            .subscribe::<Odometry>("/odom", Qos::sensor_data())
            .unwrap();
        let cmd_sub = node
            .subscribe::<Twist>("/cmd_vel", Qos::commands())
            .unwrap();
        let alert_sub = node
            .subscribe::<StaffAlert>("/staff/alert", Qos::commands())
            .unwrap();
        let say_sub = node
            .subscribe::<SayRequest>("/tts/say", Qos::commands())
            .unwrap();
        let now = Arc::new(Mutex::new(f64::NAN));
        let cmd = Arc::new(Mutex::new(Vec::new()));
        let alerts = Arc::new(Mutex::new(Vec::new()));
        let said = Arc::new(Mutex::new(Vec::new()));
        let (a, n) = (alerts.clone(), now.clone());
        rt.spawn(async move {
            while let Some(m) = alert_sub.recv().await {
                let t = *n.lock().unwrap();
                a.lock()
                    .unwrap()
                    .push((t, m.reason.clone(), m.text.clone()));
            }
        });
        let (sd, n) = (said.clone(), now.clone());
        rt.spawn(async move {
            while let Some(m) = say_sub.recv().await {
                let t = *n.lock().unwrap();
                sd.lock().unwrap().push((t, m.text.clone()));
            }
        });
        let odom = Arc::new(Mutex::new(Vec::new()));
        let n = now.clone();
        rt.spawn(async move {
            while let Some(c) = clock.recv().await {
                *n.lock().unwrap() = stamp(&c.clock);
            }
        });
        let o = odom.clone();
        rt.spawn(async move {
            while let Some(m) = odom_sub.recv().await {
                let t = &m.twist.twist;
                o.lock().unwrap().push((
                    stamp(&m.header.stamp),
                    t.linear.x.hypot(t.linear.y).abs(),
                    t.angular.z.abs(),
                ));
            }
        });
        let (c, n) = (cmd.clone(), now.clone());
        rt.spawn(async move {
            while let Some(m) = cmd_sub.recv().await {
                let t = *n.lock().unwrap();
                c.lock()
                    .unwrap()
                    .push((t, m.linear.x.abs().max(m.angular.z.abs())));
            }
        });
        drop(_in);
        Probe {
            rt,
            _ctx: ctx,
            now,
            odom,
            cmd,
            alerts,
            said,
        }
    }

    /// Sim time from `since` to the first zero `/cmd_vel` after which no motion was commanded for
    /// `hold_s` (None: none yet).
    fn zero_command_after(&self, since: f64, hold_s: f64) -> Option<f64> {
        let c = self.cmd.lock().unwrap();
        let after: Vec<_> = c.iter().filter(|s| s.0 >= since).collect();
        let (&&(t, _), rest) = after
            .iter()
            .enumerate()
            .find(|(_, s)| s.1 < 1e-9)
            .map(|(i, s)| (s, &after[i..]))?;
        let held = rest.iter().take_while(|q| q.0 <= t + hold_s);
        held.clone().all(|q| q.1 < 1e-9).then_some(())?;
        (rest.last().is_some_and(|q| q.0 >= t + hold_s)).then_some(t - since)
    }

    /// The base's speed (m/s) in the last `/odom` at or before `t`.
    fn speed_at(&self, t: f64) -> f64 {
        let o = self.odom.lock().unwrap();
        o.iter().rev().find(|s| s.0 <= t).map_or(0.0, |s| s.1)
    }

    fn now(&self) -> f64 {
        *self.now.lock().unwrap()
    }

    /// Whether the base has moved faster than `speed` for the last `for_s` seconds of sim time.
    fn moving_for(&self, speed: f64, for_s: f64) -> bool {
        let o = self.odom.lock().unwrap();
        let Some(&(last, _, _)) = o.last() else {
            return false;
        };
        let recent: Vec<_> = o.iter().filter(|s| s.0 >= last - for_s).collect();
        recent.len() >= 5
            && recent.first().is_some_and(|s| s.0 <= last - for_s * 0.9)
            && recent.iter().all(|s| s.1 > speed)
    }

    /// Sim time from `since` until the base was still and stayed still for `hold_s` (None: not yet).
    fn stopped_after(&self, since: f64, hold_s: f64) -> Option<f64> {
        let o = self.odom.lock().unwrap();
        let after: Vec<_> = o.iter().filter(|s| s.0 >= since).collect();
        for (i, s) in after.iter().enumerate() {
            if s.1 < STILL && s.2 < STILL {
                let held = after[i..].iter().take_while(|q| q.0 <= s.0 + hold_s);
                let mut last = s.0;
                let mut still = true;
                for q in held {
                    still &= q.1 < STILL && q.2 < STILL;
                    last = q.0;
                }
                if still && last >= s.0 + hold_s * 0.9 {
                    return Some(s.0 - since);
                }
            }
        }
        None
    }
}

/// Wait (pumping the launch's output) until `pred` holds, at most `timeout`.
fn wait_until(launch: &mut Launch, timeout: Duration, what: &str, pred: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !pred() {
        assert!(
            Instant::now() < deadline,
            "no {what} within {timeout:?}\n{}",
            launch.tail()
        );
        assert!(
            launch.status.is_none(),
            "the launch ended ({:?}) before {what}\n{}",
            launch.status,
            launch.tail()
        );
        launch.pump(Duration::from_millis(50));
    }
}

/// What happened after a node was killed, in sim time from the kill.
struct Stop {
    /// The first robot-fault staff alert after the kill: (sim time from the kill, its text).
    fault_alert: Option<(f64, String)>,
    /// What the robot said after the kill.
    said_after: Vec<String>,
    /// The base's speed when the node was killed (m/s).
    speed: f64,
    /// The first zero velocity command the mux sent (none if the mux itself was killed).
    zero_command: Option<f64>,
    /// The base at a standstill.
    still: f64,
}

/// Guide a visitor, kill `exec` while the robot drives, and measure the stop; the launcher must
/// restart the node (its launch label is `label`).
fn kill_during_a_guided_walk(exec: &str, label: &str) -> Stop {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("guided_walk.yaml");
    std::fs::write(&scenario, GUIDED_WALK).unwrap();
    let probe = Probe::start();
    let mut launch = Launch::start(&scenario, "1");
    launch.wait_line(0, Duration::from_secs(120), "simulation start", |l| {
        is_node_line(l, "sim", "simulation starts")
    });
    // The robot guides: it has driven for a whole second of sim time.
    wait_until(
        &mut launch,
        Duration::from_secs(90),
        "a robot driving on a guided walk",
        || probe.moving_for(0.05, 1.0),
    );
    let pids = node_pids(launch.pid(), exec);
    assert_eq!(pids.len(), 1, "one `letan run {exec}`: {pids:?}");
    let killed_at_log = launch.log.len();
    let killed_at = probe.now();
    kill("-KILL", &pids[0].to_string());
    // The launcher restarts it.
    launch.wait_line(killed_at_log, Duration::from_secs(30), "a restart", |l| {
        is_node_line(l, label, "restarting in")
    });
    // The base came to a standstill (a restarted mux may set it moving again later).
    wait_until(
        &mut launch,
        Duration::from_secs(30),
        "a stopped robot",
        || probe.stopped_after(killed_at, 0.2).is_some(),
    );
    // A dead navigation node leaves the dialog without news of its goal: it apologises and calls
    // staff (`letan-dialog` NAV_SILENT_S, 3 s). Wait a little longer for that, whatever was killed.
    let fault_alert = || {
        probe
            .alerts
            .lock()
            .unwrap()
            .iter()
            .find(|a| a.0 >= killed_at && a.1 == StaffAlert::REASON_ROBOT_FAULT)
            .map(|a| (a.0 - killed_at, a.2.clone()))
    };
    if exec == "nav" {
        wait_until(
            &mut launch,
            Duration::from_secs(30),
            "a robot-fault alert",
            || fault_alert().is_some(),
        );
    } else {
        let until = probe.now() + 6.0;
        wait_until(&mut launch, Duration::from_secs(30), "6 s more", || {
            probe.now() >= until
        });
    }
    let stop = Stop {
        fault_alert: fault_alert(),
        said_after: probe
            .said
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.0 >= killed_at)
            .map(|s| s.1.clone())
            .collect(),
        speed: probe.speed_at(killed_at),
        zero_command: probe.zero_command_after(killed_at, 0.3),
        still: probe.stopped_after(killed_at, 0.2).unwrap(),
    };
    eprintln!(
        "faults: {exec} killed at sim {killed_at:.2} s at {:.2} m/s: zero command after {:?} s, standstill after {:.3} s; staff alert {:?}; said {:?}",
        stop.speed, stop.zero_command, stop.still, stop.fault_alert, stop.said_after
    );
    drop(launch);
    probe.rt.shutdown_timeout(Duration::from_secs(2));
    stop
}

/// The sim base's braking (sim/config/sim.yaml `max_linear_accel`, m/s²) and its odometry period
/// plus one step of slack (s): a standstill follows a zero command after `speed / BRAKE + SLACK`.
const BRAKE: f64 = 0.8;
const SLACK: f64 = 0.15;

#[test]
fn navigation_killed_during_a_guided_walk_stops_the_robot_and_is_restarted() {
    let _one = ONE_LAUNCH.lock().unwrap_or_else(|e| e.into_inner());
    in_netns(
        "navigation_killed_during_a_guided_walk_stops_the_robot_and_is_restarted",
        || {
            let stop = kill_during_a_guided_walk("nav", "navigation");
            // The mux's navigation input lapses and it commands zero.
            let zero = stop.zero_command.expect("the mux never commanded zero");
            assert!(
                zero <= STOP_WITHIN_S,
                "the mux commanded zero {zero:.3} s after the nav node died"
            );
            assert!(
                stop.still <= zero + stop.speed / BRAKE + SLACK,
                "standstill {:.3} s after the nav node died, at {:.2} m/s",
                stop.still,
                stop.speed
            );
            // The dialog notices, apologises naming the counter, and calls staff.
            let (after, text) = stop.fault_alert.expect("no robot-fault alert");
            assert!(after < 6.0, "staff alerted {after:.2} s after the kill");
            assert!(text.contains("counter_12"), "{text}");
            assert!(
                stop.said_after
                    .iter()
                    .any(|t| t.contains("Xin lỗi") && t.contains("12")),
                "{:?}",
                stop.said_after
            );
        },
    );
}

#[test]
fn mux_killed_during_a_guided_walk_stops_the_robot_and_is_restarted() {
    let _one = ONE_LAUNCH.lock().unwrap_or_else(|e| e.into_inner());
    in_netns(
        "mux_killed_during_a_guided_walk_stops_the_robot_and_is_restarted",
        || {
            let stop = kill_during_a_guided_walk("mux", "mux");
            // Navigation lives on and keeps reporting: the walk goes on, no fault is raised.
            assert_eq!(stop.fault_alert, None, "{:?}", stop.said_after);
            // Nothing commands the base any more: its own watchdog (cmd_timeout) brakes it.
            assert!(
                stop.still <= STOP_WITHIN_S + stop.speed / BRAKE + SLACK,
                "standstill {:.3} s after the mux died, at {:.2} m/s",
                stop.still,
                stop.speed
            );
        },
    );
}

/// Under 20 % loss and 200 ms delay on every packet: the mux on its own, an operator console
/// stand-in (this process) that holds the deadman for 2 s and releases it, and the e-stop box's
/// heartbeat. Returns the mux's statuses.
#[test]
fn a_lossy_slow_link_still_stops_on_deadman_release_and_holds_the_estop() {
    let _one = ONE_LAUNCH.lock().unwrap_or_else(|e| e.into_inner());
    in_netns(
        "a_lossy_slow_link_still_stops_on_deadman_release_and_holds_the_estop",
        lossy_link,
    );
}

fn lossy_link() {
    let delay = degrade_loopback();
    let repo = launcher::repo();
    let mut mux = std::process::Command::new(env!("CARGO_BIN_EXE_letan"))
        .current_dir(&repo)
        .args([
            "run",
            "mux",
            "--params-file",
            "robot_nodes/mux/config/mux.yaml",
        ])
        .env("LETAN_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(async {
        let ctx = Context::dds_from_env().unwrap();
        let node = ctx.node("operator_standin", "/").unwrap();
        let teleop = node
            .publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())
            .unwrap();
        let estop = node.publisher::<Bool>("/estop", Qos::commands()).unwrap();
        let operator = node
            .publisher::<Bool>("/mux/operator_estop", Qos::commands())
            .unwrap();
        let status = node
            .subscribe::<MuxStatus>("/mux/status", Qos::commands().with_depth(100))
            .unwrap();
        let cmd = node
            .subscribe::<Twist>("/cmd_vel", Qos::commands().with_depth(100))
            .unwrap();
        // The timeline starts once the mux is up, has discovered this process's writers through the
        // lossy link and has taken the operator's release of its start-up latch: a status saying
        // the e-stop is not engaged. (A debug mux in a cold run can take seconds to start, and
        // under loss its readers can match this process's writers later than its status reaches
        // here; samples sent before that are never delivered. Both made the held deadman miss.)
        let up = Instant::now();
        let mut statuses: Vec<MuxStatus> = Vec::new();
        while !statuses.iter().any(|s| !s.estop_engaged) {
            assert!(
                up.elapsed() < Duration::from_secs(60),
                "the mux never reported its latch released through the lossy link: {:?}",
                statuses.last()
            );
            estop.publish(Bool { data: false }).unwrap();
            operator.publish(Bool { data: false }).unwrap();
            while let Some(s) = status.try_recv() {
                statuses.push(s);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let wall = Instant::now();
        // What the mux published, stamped on arrival here (one netem delay after it was sent).
        let mut log: Vec<(f64, Twist)> = Vec::new();
        let mut released_at = None;
        let mut pressed_at = None;
        // Received samples are stamped every 10 ms; the console page's rhythm is every tenth tick.
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let mut ticks: u64 = 0;
        // The console page's rhythm: teleop at 10 Hz while held, one zero on release.
        // 0–6 s: heartbeat says released, the operator releases the latch, deadman held 2–4 s;
        // 6–9 s: the e-stop is pressed while the deadman is held again; 9–10 s: released again.
        while wall.elapsed() < Duration::from_secs(10) {
            tick.tick().await;
            ticks += 1;
            let t = wall.elapsed().as_secs_f64();
            while let Some(c) = cmd.try_recv() {
                log.push((unix_now(), c));
            }
            while let Some(s) = status.try_recv() {
                statuses.push(s);
            }
            if ticks % 10 != 1 {
                continue;
            }
            let pressed = t >= 6.0;
            if pressed && pressed_at.is_none() {
                pressed_at = Some(unix_now());
            }
            estop.publish(Bool { data: pressed }).unwrap();
            if t < 1.5 {
                operator.publish(Bool { data: false }).unwrap();
            }
            let held = (2.0..4.0).contains(&t) || (6.0..9.0).contains(&t);
            if held {
                let mut tw = Twist::default();
                tw.linear.x = 0.3;
                teleop.publish(tw).unwrap();
            } else if (4.0..6.0).contains(&t) && released_at.is_none() {
                released_at = Some(unix_now());
                teleop.publish(Twist::default()).unwrap();
            }
        }
        // The statuses still in flight through the slow link.
        let drain = Instant::now();
        while drain.elapsed() < Duration::from_secs(1) {
            while let Some(c) = cmd.try_recv() {
                log.push((unix_now(), c));
            }
            while let Some(s) = status.try_recv() {
                statuses.push(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (log, statuses, released_at.unwrap(), pressed_at.unwrap())
    });
    let _ = mux.kill();
    let _ = mux.wait();
    let (log, statuses, released_at, pressed_at) = result;
    assert!(
        log.len() >= 50,
        "only {} /cmd_vel arrived through the lossy link",
        log.len()
    );
    let moving = |c: &Twist| c.linear.x.abs() > 1e-6 || c.angular.z.abs() > 1e-6;
    assert!(
        log.iter()
            .any(|(t, c)| *t < released_at + delay && moving(c)),
        "the held deadman never moved the robot through the lossy link"
    );
    // The mux's first zero after the release, after which it stays zero until the e-stop phase.
    // It was sent at most one delay before it arrived here: an upper bound of the stop time.
    let after: Vec<&(f64, Twist)> = log
        .iter()
        .filter(|(t, _)| (released_at..pressed_at).contains(t))
        .collect();
    let stopped = match after.iter().rposition(|(_, c)| moving(c)) {
        None => after.first(),
        Some(i) => after.get(i + 1),
    }
    .map(|(t, _)| t - delay - released_at)
    .expect("no /cmd_vel after the release");
    eprintln!(
        "faults: deadman released, mux output zero at most {stopped:.3} s later ({:.0} ms delay, 20 % loss)",
        delay * 1e3
    );
    assert!(
        stopped <= STOP_WITHIN_S,
        "the robot stopped {stopped:.3} s after the deadman was released"
    );
    // The pressed e-stop holds: once its first heartbeat can have arrived (the delay) and at the
    // latest when the released heartbeats lapse (0.5 s), nothing moves while the deadman is held.
    let held: Vec<&(f64, Twist)> = log
        .iter()
        .filter(|(t, _)| *t >= pressed_at + STOP_WITHIN_S + 2.0 * delay)
        .collect();
    assert!(
        held.len() >= 10,
        "{} /cmd_vel in the e-stop phase",
        held.len()
    );
    let moved: Vec<f64> = held
        .iter()
        .filter(|(_, c)| moving(c))
        .map(|(t, _)| t - pressed_at)
        .collect();
    assert!(
        moved.is_empty(),
        "moved with the e-stop pressed, at {moved:?} s after the press"
    );
    let late: Vec<&MuxStatus> = statuses
        .iter()
        .filter(|s| stamp(&s.header.stamp) >= pressed_at + STOP_WITHIN_S)
        .collect();
    assert!(
        !late.is_empty() && late.iter().all(|s| s.estop_engaged),
        "the mux must report the pressed e-stop: {late:?}"
    );
}

/// 20 % loss and [`DELAY_S`] on every packet leaving `lo` (in this test's own network namespace),
/// with `tc netem`; returns the delay in force. Kernels built without netem (the CI machines' is
/// one: no `CONFIG_NET_SCH_NETEM`) get the loss from nftables instead (`numgen random`), and no
/// delay: that is printed, and the delay part is then not measured.
fn degrade_loopback() -> f64 {
    let netem = std::process::Command::new("tc")
        .args([
            "qdisc", "add", "dev", "lo", "root", "netem", "delay", "200ms", "loss", "20%",
        ])
        .status()
        .expect("tc (iproute2) must be installed");
    if netem.success() {
        return DELAY_S;
    }
    let nft = std::process::Command::new("nft")
        .arg(
            "add table inet lossy; \
             add chain inet lossy out { type filter hook output priority 0; }; \
             add rule inet lossy out numgen random mod 100 < 20 drop",
        )
        .status()
        .expect("nft (nftables) must be installed: scripts/setup.sh installs it");
    assert!(nft.success(), "nftables loss rule on lo");
    eprintln!("faults: this kernel has no netem: 20 % loss from nftables, NO added delay");
    0.0
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}
