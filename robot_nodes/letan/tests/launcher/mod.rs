//! The `letan launch` harness shared by the whole-robot process tests: start a launch file on a
//! scenario, read what it prints, find and signal its node processes, and stop everything it
//! started when dropped (so a broken run cannot hang CI or leave nodes behind).
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used, dead_code)]
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The parent pid of `pid`, from /proc/<pid>/stat (the field after the command name).
pub fn ppid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|&c| c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Alive and not a zombie.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Every live descendant of `root`.
pub fn descendants(root: u32) -> Vec<u32> {
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
pub fn node_pids(launcher: u32, exec: &str) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|&p| ppid(p) == Some(launcher) && alive(p))
        .filter(|&p| {
            let c = cmdline(p);
            c.len() >= 3 && c[1] == "run" && c[2] == exec
        })
        .collect()
}

pub fn kill(sig: &str, target: &str) {
    let _ = Command::new("kill")
        .args([sig, "--", target])
        .stderr(Stdio::null())
        .status();
}

/// The launcher and what it prints; dropping it stops everything it started.
pub struct Launch {
    pub child: Child,
    lines: Receiver<String>,
    /// Every line so far (launcher and prefixed node lines, stdout and stderr interleaved).
    pub log: Vec<String>,
    pub status: Option<ExitStatus>,
}

impl Launch {
    pub fn start(scenario: &Path, speed: &str) -> Launch {
        Self::start_with(scenario, speed, &["console:=false", "screen:=false"])
    }

    /// [`Launch::start`] with these launch arguments (`name:=value`) instead of its
    /// `console:=false screen:=false`.
    pub fn start_with(scenario: &Path, speed: &str, args: &[&str]) -> Launch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_letan"))
            .current_dir(repo())
            .args(["launch", "launch/sim.launch.yaml"])
            .arg(format!("scenario:={}", scenario.display()))
            .arg(format!("speed:={speed}"))
            .args(args)
            .args(["--stop-timeout", "3"])
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

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Collect what has been printed; note the exit status once the launcher has ended.
    pub fn pump(&mut self, wait: Duration) {
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
    pub fn wait_line(
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
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
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
    pub fn tail(&self) -> String {
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

pub fn is_node_line(l: &str, label: &str, text: &str) -> bool {
    l.starts_with(&format!("[{label}] ")) && l.contains(text)
}
