//! The supervisor with real short-lived child processes and a fast backoff.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_launch::{
    supervise, BackoffPolicy, Event, Outcome, ProcessSpec, Stream, SupervisorConfig,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

type Lines = Arc<Mutex<Vec<(Stream, String)>>>;

fn sh(label: &str, script: &str, respawn: bool, required: bool) -> ProcessSpec {
    ProcessSpec {
        label: label.into(),
        program: PathBuf::from("sh"),
        args: vec!["-c".into(), script.into()],
        env: vec![("GREETING".into(), "xin chào".into())],
        cwd: None,
        respawn,
        respawn_delay: None,
        required,
        node: None,
    }
}

fn config(lines: &Lines, events: mpsc::UnboundedSender<(Instant, Event)>) -> SupervisorConfig {
    let sink_lines = lines.clone();
    // Timestamp events as they happen.
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            let _ = events.send((Instant::now(), e));
        }
    });
    SupervisorConfig {
        backoff: BackoffPolicy {
            initial: Duration::from_millis(40),
            max: Duration::from_millis(320),
            factor: 2,
            reset_after: Duration::from_secs(10),
        },
        stop_timeout: Duration::from_millis(300),
        colour: false,
        sink: Arc::new(move |s, l| sink_lines.lock().unwrap().push((s, l.to_string()))),
        events: Some(tx),
    }
}

/// Alive and not a zombie (a reparented grandchild may linger as one in a container without init).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => false,
        Ok(stat) => {
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            !matches!(state, Some('Z') | Some('X'))
        }
    }
}

async fn gone_within(pid: u32, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    !alive(pid)
}

async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<(Instant, Event)>,
    pred: impl Fn(&Event) -> bool,
) -> (Instant, Event) {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let (t, e) = rx.recv().await.unwrap();
            if pred(&e) {
                return (t, e);
            }
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn crashed_process_restarts_with_growing_delays() {
    let lines: Lines = Arc::default();
    let (etx, mut erx) = mpsc::unbounded_channel();
    let cfg = config(&lines, etx);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let run = tokio::spawn(supervise(
        vec![sh("crashy", "echo \"hi $GREETING\"; exit 1", true, false)],
        cfg,
        async {
            let _ = stop_rx.await;
        },
    ));
    let mut starts = Vec::new();
    let mut delays = Vec::new();
    while starts.len() < 6 {
        let (t, e) = next_event(&mut erx, |e| {
            matches!(e, Event::Started { .. } | Event::Restarting { .. })
        })
        .await;
        match e {
            Event::Started { attempt, .. } => {
                assert_eq!(attempt as usize, starts.len() + 1);
                starts.push(t);
            }
            Event::Restarting { delay, .. } => delays.push(delay),
            _ => unreachable!(),
        }
    }
    stop_tx.send(()).unwrap();
    assert_eq!(run.await.unwrap(), Outcome::Shutdown);
    let ms = Duration::from_millis;
    assert_eq!(delays, [ms(40), ms(80), ms(160), ms(320), ms(320)]);
    // The gap between two starts is at least the announced delay.
    for (i, d) in delays.iter().enumerate() {
        let gap = starts[i + 1] - starts[i];
        assert!(gap >= *d, "restart {i}: gap {gap:?} < delay {d:?}");
    }
    let lines = lines.lock().unwrap();
    let his = lines
        .iter()
        .filter(|(s, l)| *s == Stream::Stdout && l == "[crashy] hi xin chào")
        .count();
    assert!(his >= 5, "{lines:?}");
    assert!(lines
        .iter()
        .any(|(s, l)| *s == Stream::Stderr && l.starts_with("[crashy] restarting in 0.04 s")));
}

#[tokio::test]
async fn every_line_is_prefixed_with_the_label_and_no_colour_off_a_tty() {
    let lines: Lines = Arc::default();
    let (etx, _erx) = mpsc::unbounded_channel();
    let cfg = config(&lines, etx);
    let outcome = supervise(
        vec![
            sh(
                "talker",
                "echo out; echo err >&2; echo \"colour:${NO_COLOR:-unset}\"; printf 'no newline'",
                false,
                false,
            ),
            sh("other", "echo second", false, false),
        ],
        cfg,
        std::future::pending(),
    )
    .await;
    assert_eq!(outcome, Outcome::AllExited);
    let lines = lines.lock().unwrap().clone();
    for want in [
        (Stream::Stdout, "[talker] out"),
        (Stream::Stderr, "[talker] err"),
        (Stream::Stdout, "[talker] colour:1"),
        (Stream::Stdout, "[talker] no newline"),
        (Stream::Stdout, "[other] second"),
        (Stream::Stderr, "[talker] process ended (exit code 0)"),
    ] {
        assert!(
            lines.iter().any(|(s, l)| (*s, l.as_str()) == want),
            "missing {want:?} in {lines:?}"
        );
    }
    assert!(lines.iter().all(|(_, l)| !l.contains('\x1b')), "{lines:?}");
}

#[tokio::test]
async fn clean_stop_interrupts_then_kills_every_process_and_its_children() {
    let lines: Lines = Arc::default();
    let (etx, mut erx) = mpsc::unbounded_channel();
    let cfg = config(&lines, etx);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let run = tokio::spawn(supervise(
        vec![
            sh("polite", "exec sleep 30", true, false),
            // Ignores SIGINT, and so does its background child: both need the SIGKILL.
            sh(
                "stubborn",
                "trap '' INT; sleep 30 & echo child $!; wait",
                true,
                false,
            ),
        ],
        cfg,
        async {
            let _ = stop_rx.await;
        },
    ));
    let mut pids = Vec::new();
    while pids.len() < 2 {
        if let (_, Event::Started { pid, .. }) =
            next_event(&mut erx, |e| matches!(e, Event::Started { .. })).await
        {
            pids.push(pid);
        }
    }
    // The grandchild's pid, from its output.
    let grandchild = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let found = lines.lock().unwrap().iter().find_map(|(_, l)| {
                l.strip_prefix("[stubborn] child ")
                    .map(|p| p.parse::<u32>().unwrap())
            });
            if let Some(p) = found {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert!(pids.iter().all(|p| alive(*p)) && alive(grandchild));
    let t0 = Instant::now();
    stop_tx.send(()).unwrap();
    assert_eq!(run.await.unwrap(), Outcome::Shutdown);
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(300),
        "the stubborn one waited for the timeout: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    for pid in pids.iter().chain([&grandchild]) {
        assert!(
            gone_within(*pid, Duration::from_secs(1)).await,
            "pid {pid} survived"
        );
    }
    // Stopped processes are not restarted.
    let mut stopped = 0;
    while let Ok((_, e)) = erx.try_recv() {
        assert!(!matches!(e, Event::Started { .. }), "{e:?}");
        stopped += usize::from(matches!(e, Event::Stopped { .. }));
    }
    assert_eq!(stopped, 2);
}

#[tokio::test]
async fn a_required_process_that_fails_ends_the_launch_with_failure() {
    let lines: Lines = Arc::default();
    let (etx, mut erx) = mpsc::unbounded_channel();
    let cfg = config(&lines, etx);
    let t0 = Instant::now();
    let outcome = supervise(
        vec![
            sh("bystander", "exec sleep 30", true, false),
            sh("simulator", "sleep 0.1; exit 3", false, true),
        ],
        cfg,
        std::future::pending(),
    )
    .await;
    assert_eq!(
        outcome,
        Outcome::RequiredExited {
            label: "simulator".into(),
            success: false
        }
    );
    assert!(outcome.is_failure());
    assert!(t0.elapsed() < Duration::from_secs(3));
    let (_, e) = next_event(&mut erx, |e| matches!(e, Event::Started { .. })).await;
    let Event::Started { pid, label, .. } = e else {
        unreachable!()
    };
    assert_eq!(label, "bystander");
    assert!(gone_within(pid, Duration::from_secs(1)).await);
    assert!(lines
        .lock()
        .unwrap()
        .iter()
        .any(|(_, l)| l.contains("simulator exited and is required")));

    // A required process that ends well ends the launch without failure.
    let (etx, _erx) = mpsc::unbounded_channel();
    let outcome = supervise(
        vec![
            sh("bystander", "exec sleep 30", false, false),
            sh("job", "exit 0", false, true),
        ],
        config(&lines, etx),
        std::future::pending(),
    )
    .await;
    assert!(!outcome.is_failure(), "{outcome:?}");
}

#[tokio::test]
async fn a_missing_program_is_reported_and_retried_only_when_respawning() {
    let lines: Lines = Arc::default();
    let (etx, mut erx) = mpsc::unbounded_channel();
    let mut spec = sh("ghost", "", false, false);
    spec.program = PathBuf::from("/nonexistent/letan");
    let outcome = supervise(
        vec![spec.clone()],
        config(&lines, etx),
        std::future::pending(),
    )
    .await;
    assert_eq!(outcome, Outcome::AllExited);
    let (_, e) = next_event(&mut erx, |e| matches!(e, Event::StartFailed { .. })).await;
    assert!(matches!(e, Event::StartFailed { label, .. } if label == "ghost"));
    assert!(lines
        .lock()
        .unwrap()
        .iter()
        .any(|(_, l)| l.starts_with("[ghost] cannot start /nonexistent/letan")));

    spec.respawn = true;
    let (etx, mut erx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let run = tokio::spawn(supervise(vec![spec], config(&lines, etx), async {
        let _ = stop_rx.await;
    }));
    for _ in 0..2 {
        next_event(&mut erx, |e| matches!(e, Event::Restarting { .. })).await;
    }
    stop_tx.send(()).unwrap();
    assert_eq!(run.await.unwrap(), Outcome::Shutdown);
}
