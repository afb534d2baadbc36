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
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

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

/// The parent pid of `pid`, from /proc/<pid>/stat (the field after the command name).
fn ppid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|&c| c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Alive and not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Every live descendant of `root`.
fn descendants(root: u32) -> Vec<u32> {
    let table: Vec<(u32, u32)> = all_pids()
        .into_iter()
        .filter_map(|p| Some((p, ppid(p)?)))
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(p, pp) in &table {
            if pp == parent && !out.contains(&p) {
                out.push(p);
                frontier.push(p);
            }
        }
    }
    out
}

/// The live `letan run <exec>` processes the launcher started.
fn node_pids(launcher: u32, exec: &str) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|&p| ppid(p) == Some(launcher) && alive(p))
        .filter(|&p| {
            let c = cmdline(p);
            c.len() >= 3 && c[1] == "run" && c[2] == exec
        })
        .collect()
}

fn kill(sig: &str, target: &str) {
    let _ = Command::new("kill")
        .args([sig, "--", target])
        .stderr(Stdio::null())
        .status();
}

/// The launcher and what it prints; dropping it stops everything it started.
struct Launch {
    child: Child,
    lines: Receiver<String>,
    /// Every line so far (launcher and prefixed node lines, stdout and stderr interleaved).
    log: Vec<String>,
    status: Option<ExitStatus>,
}

impl Launch {
    fn start(scenario: &Path, speed: &str) -> Launch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_letan"))
            .current_dir(repo())
            .args(["launch", "launch/sim.launch.yaml"])
            .arg(format!("scenario:={}", scenario.display()))
            .arg(format!("speed:={speed}"))
            .args(["console:=false", "screen:=false", "--stop-timeout", "3"])
            .env("NO_COLOR", "1")
            .env(
                "LETAN_LOG",
                "warn,letan_launch=info,letan_nodes=info,letan_dialog=info",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so a timeout can signal it without touching the test.
            .process_group(0)
            .spawn()
            .expect("start letan launch");
        let (tx, rx) = channel();
        for out in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Launch {
            child,
            lines: rx,
            log: Vec::new(),
            status: None,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Collect what has been printed; note the exit status once the launcher has ended.
    fn pump(&mut self, wait: Duration) {
        if let Ok(l) = self.lines.recv_timeout(wait) {
            self.log.push(l);
        }
        while let Ok(l) = self.lines.try_recv() {
            self.log.push(l);
        }
        if self.status.is_none() {
            self.status = self.child.try_wait().unwrap();
        }
    }

    /// Index of the first line from `from` on for which `pred` holds, waiting at most `timeout`.
    fn wait_line(
        &mut self,
        from: usize,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.log.iter().skip(from).position(|l| pred(l)) {
                return from + i;
            }
            assert!(
                self.status.is_none(),
                "the launch ended ({:?}) before {what}\n{}",
                self.status,
                self.tail()
            );
            assert!(
                Instant::now() < deadline,
                "no {what} within {timeout:?}\n{}",
                self.tail()
            );
            self.pump(Duration::from_millis(100));
        }
    }

    /// Wait for the launcher to exit by itself.
    fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            self.pump(Duration::from_millis(100));
            if let Some(s) = self.status {
                // The pipes close with the last node: read what is left.
                let drain = Instant::now() + Duration::from_secs(2);
                while Instant::now() < drain {
                    match self.lines.recv_timeout(Duration::from_millis(100)) {
                        Ok(l) => self.log.push(l),
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                        Err(_) => {}
                    }
                }
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the launch did not end within {timeout:?}\n{}",
                self.tail()
            );
        }
    }

    /// The last lines of the log, without the DDS chatter, for failure messages.
    fn tail(&self) -> String {
        let keep: Vec<&String> = self
            .log
            .iter()
            .filter(|l| !l.contains("rustdds") && !l.contains("ros2_client"))
            .collect();
        keep[keep.len().saturating_sub(60)..]
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Launch {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() && descendants(self.pid()).is_empty() {
            return;
        }
        let pid = self.pid();
        // The launcher stops its nodes in order on SIGTERM…
        kill("-TERM", &pid.to_string());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && self.child.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(100));
        }
        // …and whatever is left (each node leads its own process group) is killed.
        let left = descendants(pid);
        kill("-KILL", &format!("-{pid}"));
        kill("-KILL", &pid.to_string());
        for p in left {
            kill("-KILL", &format!("-{p}"));
            kill("-KILL", &p.to_string());
        }
        let _ = self.child.wait();
    }
}

fn is_node_line(l: &str, label: &str, text: &str) -> bool {
    l.starts_with(&format!("[{label}] ")) && l.contains(text)
}

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
