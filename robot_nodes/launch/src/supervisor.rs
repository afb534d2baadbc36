//! Run the processes of a launch: prefixed logs, restarts with backoff, a clean stop.
use crate::{Backoff, BackoffPolicy, ProcessSpec};
use std::future::Future;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Which output a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where prefixed lines go (the terminal by default; tests collect them).
pub type Sink = Arc<dyn Fn(Stream, &str) + Send + Sync>;

/// What happened to a process (for tests and tools; the sink gets the human-readable form).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    Started {
        label: String,
        pid: u32,
        attempt: u32,
    },
    StartFailed {
        label: String,
        error: String,
    },
    Exited {
        label: String,
        status: String,
        success: bool,
        uptime: Duration,
    },
    Restarting {
        label: String,
        delay: Duration,
    },
    Stopped {
        label: String,
    },
}

/// How the launch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every process ended by itself and none was to be restarted.
    AllExited,
    /// The shutdown future resolved (SIGINT/SIGTERM); everything was stopped.
    Shutdown,
    /// An `on_exit: shutdown` process exited, so everything was stopped.
    RequiredExited { label: String, success: bool },
}

impl Outcome {
    /// A required process failed: the launch should exit non-zero.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::RequiredExited { success: false, .. })
    }
}

/// How to supervise.
#[derive(Clone)]
pub struct SupervisorConfig {
    pub backoff: BackoffPolicy,
    /// How long a process may take to exit after SIGINT before it gets SIGKILL.
    pub stop_timeout: Duration,
    /// Colour the `[label]` prefixes (only on a terminal); when off, children get `NO_COLOR=1`.
    pub colour: bool,
    pub sink: Sink,
    pub events: Option<mpsc::UnboundedSender<Event>>,
}

impl SupervisorConfig {
    /// Defaults for a terminal: 1 s → 30 s backoff, 5 s stop timeout, colour if stdout is a tty
    /// and `NO_COLOR` is unset, lines to stdout/stderr.
    pub fn for_terminal() -> Self {
        use std::io::IsTerminal;
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        SupervisorConfig {
            backoff: BackoffPolicy::default(),
            stop_timeout: Duration::from_secs(5),
            colour,
            sink: Arc::new(|stream, line| {
                use std::io::Write;
                let _ = match stream {
                    Stream::Stdout => writeln!(std::io::stdout().lock(), "{line}"),
                    Stream::Stderr => writeln!(std::io::stderr().lock(), "{line}"),
                };
            }),
            events: None,
        }
    }
}

struct Shared {
    cfg: SupervisorConfig,
}

impl Shared {
    fn emit(&self, e: Event) {
        if let Some(tx) = &self.cfg.events {
            let _ = tx.send(e);
        }
    }
}

struct End {
    label: String,
    required: bool,
    success: bool,
    stopped: bool,
}

/// Run `specs` until they all end, a required one exits, or `shutdown` resolves.
pub async fn supervise(
    specs: Vec<ProcessSpec>,
    cfg: SupervisorConfig,
    shutdown: impl Future<Output = ()>,
) -> Outcome {
    let shared = Arc::new(Shared { cfg });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut set = JoinSet::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let prefix = prefix(&spec.label, i, shared.cfg.colour);
        set.spawn(run_process(spec, prefix, shared.clone(), stop_rx.clone()));
    }
    let mut shutdown = std::pin::pin!(shutdown);
    let mut stopping = false;
    let mut outcome = None;
    loop {
        tokio::select! {
            _ = &mut shutdown, if !stopping => {
                stopping = true;
                outcome.get_or_insert(Outcome::Shutdown);
                tracing::info!("stopping every process");
                stop_tx.send_replace(true);
            }
            joined = set.join_next() => match joined {
                None => break,
                Some(Ok(end)) => {
                    if end.required && !end.stopped && !stopping {
                        stopping = true;
                        tracing::warn!(label = %end.label, success = end.success, "required process exited: stopping the launch");
                        (shared.cfg.sink)(Stream::Stderr, &format!(
                            "[launch] {} exited and is required (on_exit: shutdown): stopping everything",
                            end.label
                        ));
                        outcome = Some(Outcome::RequiredExited { label: end.label, success: end.success });
                        stop_tx.send_replace(true);
                    }
                }
                Some(Err(e)) => tracing::error!(error = %e, "a supervisor task failed"),
            }
        }
    }
    outcome.unwrap_or(Outcome::AllExited)
}

fn prefix(label: &str, index: usize, colour: bool) -> String {
    if colour {
        const COLOURS: [u8; 6] = [32, 33, 34, 35, 36, 31];
        format!("\x1b[{}m[{label}]\x1b[0m", COLOURS[index % COLOURS.len()])
    } else {
        format!("[{label}]")
    }
}

fn describe(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit code {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown status".into(),
    }
}

async fn wait_stop(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Send `sig` to the process group led by `pid` (each child leads its own group).
fn signal_group(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = i32::try_from(pid) {
        if pid > 0 {
            // SAFETY: kill(2) takes plain integers and has no memory effects; a stale group id
            // only yields ESRCH, which is ignored.
            unsafe {
                libc::kill(-pid, sig);
            }
        }
    }
}

async fn pump<R: AsyncRead + Unpin>(r: R, prefix: String, stream: Stream, sink: Sink) {
    let mut reader = BufReader::new(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                let line = String::from_utf8_lossy(&buf);
                sink(stream, &format!("{prefix} {line}"));
            }
        }
    }
}

/// Stop one child: SIGINT to its group, SIGKILL after the timeout.
async fn stop_child(child: &mut Child, pid: u32, timeout: Duration) {
    signal_group(pid, libc::SIGINT);
    if tokio::time::timeout(timeout, child.wait()).await.is_err() {
        tracing::warn!(pid, "no exit after SIGINT: SIGKILL");
        signal_group(pid, libc::SIGKILL);
        let _ = child.wait().await;
    }
    // Anything the process left behind in its group.
    signal_group(pid, libc::SIGKILL);
}

async fn drain(pumps: Vec<tokio::task::JoinHandle<()>>) {
    for p in pumps {
        // A grandchild may hold the pipe open; do not wait for it long.
        let abort = p.abort_handle();
        if tokio::time::timeout(Duration::from_millis(200), p)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

#[allow(clippy::disallowed_methods)] // the launcher's edge: restart backoff is measured in wall time
async fn run_process(
    spec: ProcessSpec,
    prefix: String,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> End {
    let cfg = &shared.cfg;
    let say = |line: String| (cfg.sink)(Stream::Stderr, &format!("{prefix} {line}"));
    let end = |success: bool, stopped: bool| End {
        label: spec.label.clone(),
        required: spec.required,
        success,
        stopped,
    };
    let mut backoff = Backoff::new(cfg.backoff, spec.respawn_delay);
    let mut attempt = 0u32;
    loop {
        if *stop.borrow() {
            return end(true, true);
        }
        attempt = attempt.saturating_add(1);
        let started = Instant::now();
        let mut cmd = Command::new(&spec.program);
        cmd.args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if !cfg.colour {
            cmd.env("NO_COLOR", "1");
        }
        if let Some(dir) = &spec.cwd {
            cmd.current_dir(dir);
        }
        let success = match cmd.spawn() {
            Err(e) => {
                say(format!("cannot start {}: {e}", spec.program.display()));
                tracing::error!(label = %spec.label, error = %e, "cannot start");
                shared.emit(Event::StartFailed {
                    label: spec.label.clone(),
                    error: e.to_string(),
                });
                false
            }
            Ok(mut child) => {
                let pid = child.id().unwrap_or(0);
                tracing::info!(label = %spec.label, pid, attempt, "started");
                shared.emit(Event::Started {
                    label: spec.label.clone(),
                    pid,
                    attempt,
                });
                let mut pumps = Vec::new();
                if let Some(out) = child.stdout.take() {
                    pumps.push(tokio::spawn(pump(
                        out,
                        prefix.clone(),
                        Stream::Stdout,
                        cfg.sink.clone(),
                    )));
                }
                if let Some(err) = child.stderr.take() {
                    pumps.push(tokio::spawn(pump(
                        err,
                        prefix.clone(),
                        Stream::Stderr,
                        cfg.sink.clone(),
                    )));
                }
                let status = tokio::select! {
                    s = child.wait() => s,
                    _ = wait_stop(&mut stop) => {
                        stop_child(&mut child, pid, cfg.stop_timeout).await;
                        drain(pumps).await;
                        shared.emit(Event::Stopped { label: spec.label.clone() });
                        return end(true, true);
                    }
                };
                // Orphans left in the process group go with it.
                signal_group(pid, libc::SIGKILL);
                drain(pumps).await;
                let uptime = started.elapsed();
                let (text, ok) = match &status {
                    Ok(s) => (describe(s), s.success()),
                    Err(e) => (format!("wait failed: {e}"), false),
                };
                if ok {
                    tracing::info!(label = %spec.label, status = %text, "exited");
                } else {
                    tracing::warn!(label = %spec.label, status = %text, "exited");
                }
                shared.emit(Event::Exited {
                    label: spec.label.clone(),
                    status: text.clone(),
                    success: ok,
                    uptime,
                });
                if !spec.respawn {
                    say(format!("process ended ({text})"));
                }
                ok
            }
        };
        if !spec.respawn || *stop.borrow() {
            return end(success, false);
        }
        let delay = backoff.on_exit(started.elapsed());
        say(format!(
            "restarting in {:.2} s (attempt {})",
            delay.as_secs_f64(),
            attempt + 1
        ));
        shared.emit(Event::Restarting {
            label: spec.label.clone(),
            delay,
        });
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wait_stop(&mut stop) => return end(success, true),
        }
    }
}
