//! `letan launch launch/sim.launch.yaml` as separate processes over real DDS, in a private network
//! namespace: the dialog node is killed (SIGKILL) while the robot is idle, the launcher restarts it,
//! and the visitor who arrives afterwards is still answered, so the launch exits with the
//! simulator's verdict (0 = every expectation held). A scenario that cannot pass makes the launch
//! exit non-zero.
//!
//! Every wait is bounded; on any failure the launcher gets SIGTERM (it stops its nodes), then it and
//! every process it started get SIGKILL, so a broken run cannot hang CI or leave nodes behind.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_transport::testing::in_netns;
mod launcher;

use launcher::{alive, is_node_line, kill, node_pids, Launch};
use std::time::{Duration, Instant};

/// One launch at a time: two whole robots on 2 cores would starve each other.
static ONE_LAUNCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// An empty lobby; at t = 60 s a visitor walks up to the robot and asks about wifi.
const IDLE_THEN_WIFI: &str = "\
name: idle_then_wifi
description: an empty lobby for a minute, then a visitor asks about wifi
seed: 5
duration: 95
robot:
  start: dock
people:
  - name: khach
    enter_at: 60
    from: entrance
    lang: vi
    plan:
      - ask_robot:
          text: \"Cho tôi hỏi ở đây có wifi không?\"
      - wait: 5
      - leave
expectations:
  - heard: { person: khach }
  - answered: { person: khach, intent: amenity.wifi, within: 15 }
";

#[test]
fn dialog_killed_while_idle_is_restarted_and_the_visitor_is_still_answered() {
    let _one = ONE_LAUNCH.lock().unwrap_or_else(|e| e.into_inner());
    in_netns(
        "dialog_killed_while_idle_is_restarted_and_the_visitor_is_still_answered",
        || {
            let started = Instant::now();
            let dir = tempfile::tempdir().unwrap();
            let scenario = dir.path().join("idle_then_wifi.yaml");
            std::fs::write(&scenario, IDLE_THEN_WIFI).unwrap();
            let mut launch = Launch::start(&scenario, "2");

            // The robot is up and idle: the simulation runs, the dialog said it is idle.
            let sim_start =
                launch.wait_line(0, Duration::from_secs(120), "simulation start", |l| {
                    is_node_line(l, "sim", "simulation starts")
                });
            launch.wait_line(0, Duration::from_secs(30), "an idle dialog", |l| {
                is_node_line(l, "dialog", "dialog state state=idle")
            });
            let first = node_pids(launch.pid(), "dialog");
            assert_eq!(
                first.len(),
                1,
                "one `letan run dialog` child of the launcher: {first:?}"
            );
            let old = first[0];
            // A few seconds into the empty lobby (about 8 s of sim time at 2×): nobody is there yet.
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(4) {
                launch.pump(Duration::from_millis(100));
            }
            assert!(
                !launch.log.iter().any(|l| l.contains("conversation starts")),
                "the robot must still be idle when the dialog is killed\n{}",
                launch.tail()
            );
            let killed_at = launch.log.len();
            kill("-KILL", &old.to_string());

            // The launcher sees the crash and restarts the dialog.
            let exited = launch.wait_line(
                killed_at,
                Duration::from_secs(20),
                "the dialog's exit",
                |l| l.contains("exited") && l.contains("label=dialog") && l.contains("signal 9"),
            );
            let restarting = launch.wait_line(
                exited,
                Duration::from_secs(20),
                "a restart of [dialog]",
                |l| is_node_line(l, "dialog", "restarting in"),
            );
            launch.wait_line(
                restarting,
                Duration::from_secs(20),
                "the restarted dialog started",
                |l| l.contains("started") && l.contains("label=dialog") && l.contains("attempt=2"),
            );
            let ready = launch.wait_line(
                restarting,
                Duration::from_secs(60),
                "the restarted dialog ready",
                |l| is_node_line(l, "dialog", "dialog ready"),
            );
            let again = node_pids(launch.pid(), "dialog");
            assert_eq!(again.len(), 1, "{again:?}");
            assert_ne!(again[0], old, "the dialog runs again as a new process");
            assert!(!alive(old), "the killed dialog is gone");

            // The visitor arrives afterwards, is answered by the new dialog, and the simulator's
            // verdict is the launch's exit status.
            let status = launch.wait_exit(Duration::from_secs(150));
            let log = launch.tail();
            let answered = launch
                .log
                .iter()
                .position(|l| {
                    is_node_line(l, "dialog", "state=answering")
                        && l.contains("intent=amenity.wifi")
                })
                .unwrap_or_else(|| panic!("the dialog never answered about wifi\n{log}"));
            assert!(
                answered > ready,
                "answered by the restarted dialog, after it was ready\n{log}"
            );
            let conversation = launch
                .log
                .iter()
                .position(|l| l.contains("conversation starts"))
                .unwrap_or_else(|| panic!("no conversation\n{log}"));
            assert!(
                conversation > ready && ready > sim_start,
                "the dialog was back before the visitor arrived\n{log}"
            );
            assert!(
                launch
                    .log
                    .iter()
                    .any(|l| is_node_line(l, "sim", "simulation ended passed=true")),
                "{log}"
            );
            assert!(status.success(), "launch exit {status:?}\n{log}");
            // Only the dialog was restarted.
            let restarts: Vec<&String> = launch
                .log
                .iter()
                .filter(|l| l.contains("restarting in"))
                .collect();
            assert_eq!(restarts.len(), 1, "{restarts:?}");
            eprintln!(
                "launch_restart: passed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        },
    );
}

#[test]
fn a_scenario_that_cannot_pass_fails_the_launch() {
    let _one = ONE_LAUNCH.lock().unwrap_or_else(|e| e.into_inner());
    in_netns("a_scenario_that_cannot_pass_fails_the_launch", || {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("impossible.yaml");
        std::fs::write(
            &scenario,
            "name: impossible\nduration: 4\nrobot: {start: dock}\nexpectations:\n  - robot_reached: {place: counter_12, within: 1, tolerance: 0.5}\n",
        )
        .unwrap();
        let mut launch = Launch::start(&scenario, "2");
        let status = launch.wait_exit(Duration::from_secs(150));
        let log = launch.tail();
        assert!(
            launch
                .log
                .iter()
                .any(|l| is_node_line(l, "sim", "simulation ended passed=false")),
            "{log}"
        );
        assert_eq!(status.code(), Some(1), "{log}");
        assert!(
            launch
                .log
                .iter()
                .any(|l| l.contains("required process sim failed")),
            "{log}"
        );
    });
}
