//! The city's fleet on one machine: a hub (a Zenoh router) in this process and N robot gateways
//! (Zenoh clients, each its own session and TCP link on loopback) in a second process (this bench
//! binary started again with `LETAN_FLEET_GATEWAYS`), statuses at 1 Hz as in production. First 1
//! robot (the anchor), then 126 (Hanoi's communes and wards), in the same run:
//!
//! - how long until the hub sees every robot online;
//! - statuses taken by the hub per second, and their delivery time (the hub's receive time minus
//!   the robot's stamp, both this machine's clock, in ms);
//! - a command's round trip (hub → robot → signed verdict back), 40 in a row, while all report;
//! - CPU (in cores) and RSS of the hub's process and of the gateways' process, apart;
//! - the bytes per robot per second: the signed status payloads the hub took, and everything the
//!   loopback interface carried in the window (`/proc/net/dev`: Zenoh's framing, TCP and anything
//!   else on this machine's loopback meanwhile);
//! - a knowledge-base push (the embedded KB with one prompt changed) to every robot at once: until
//!   every robot has replied that it switched, and until every robot's status reports it.
//!
//! `cargo bench -p letan-fleet --bench fleet_scale` (release). `LETAN_FLEET_ROBOTS=20` changes the
//! large count; `LETAN_FLEET_WINDOW_S=20` the measuring window.
#![allow(clippy::disallowed_methods)] // a bench measures wall time
#![allow(clippy::unwrap_used, clippy::expect_used)]
use letan_fleet::authz::Role;
use letan_fleet::gateway::{Gateway, GatewayConfig};
use letan_fleet::hub::{Hub, HubConfig};
use letan_fleet::kbpkg::{self, KbVersion};
use letan_fleet::proto::{self, CommandBody};
use letan_fleet::setup::{demo_site_key, free_port};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

const SITES: usize = 3;

fn site(i: usize) -> String {
    format!("site-{}", i % SITES)
}

/// User + system CPU seconds of a process so far (`/proc/<pid>/stat`, clock ticks of 10 ms).
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name's closing parenthesis: utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// Resident set size (MiB) of a process, from `/proc/<pid>/status`.
fn rss_mib(pid: &str) -> f64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Bytes the loopback interface has received (`/proc/net/dev`, the `lo` line's first counter).
fn loopback_bytes() -> f64 {
    let s = std::fs::read_to_string("/proc/net/dev").unwrap_or_default();
    s.lines()
        .find_map(|l| l.trim_start().strip_prefix("lo:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|b| b.parse().ok())
        .unwrap_or(f64::NAN)
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

struct Figures {
    robots: usize,
    online_after_s: f64,
    statuses_per_s: f64,
    delivery_ms: (f64, f64, f64),
    command_ms: (f64, f64),
    /// CPU of the hub's process and of the gateways' process, in cores.
    cores: (f64, f64),
    /// RSS of the hub's process and of the gateways' process, MiB.
    rss_mib: (f64, f64),
    /// Signed status payload bytes, and loopback bytes, per robot per second.
    status_bytes: f64,
    loopback_bytes: f64,
    /// KB push to all: (every reply ok, every status reports it), s.
    push_s: (f64, f64),
}

async fn measure(n: usize, window: Duration, next: &KbVersion) -> Figures {
    let port = free_port().expect("a free port");
    let sites: BTreeMap<String, String> = (0..SITES)
        .map(|i| (site(i), demo_site_key(&site(i))))
        .collect();
    let hub = Hub::start(HubConfig {
        listen: vec![format!("tcp/127.0.0.1:{port}")],
        sites,
        ..HubConfig::default()
    })
    .await
    .expect("hub");
    let t0 = Instant::now();
    let mut child = Gateways::spawn(n, port);
    let child_pid = child.pid();
    let deadline = Instant::now() + Duration::from_secs(120);
    while hub.robots().iter().filter(|r| r.online).count() < n {
        assert!(Instant::now() < deadline, "not all {n} robots online");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let online_after_s = t0.elapsed().as_secs_f64();
    // A second for everyone's first periodic status to go out.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The statuses already taken do not count in the window.
    let mut seen: HashSet<(String, u64)> = hub
        .robots()
        .into_iter()
        .filter_map(|r| r.status.map(|s| (r.id, s.seq)))
        .collect();
    let cpu0 = (cpu_seconds("self"), cpu_seconds(&child_pid));
    let lo0 = loopback_bytes();
    let w0 = Instant::now();
    let primed = seen.len();
    let mut delivery: Vec<f64> = Vec::new();
    let mut payload = 0usize;
    while w0.elapsed() < window {
        for r in hub.robots() {
            if let Some(s) = &r.status {
                if seen.insert((r.id.clone(), s.seq)) {
                    delivery.push(r.last_seen_ms.saturating_sub(s.ts_ms) as f64);
                    payload += proto::encode(s, demo_site_key(&r.site).as_bytes()).len();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let window_s = w0.elapsed().as_secs_f64();
    let cores = (
        (cpu_seconds("self") - cpu0.0) / window_s,
        (cpu_seconds(&child_pid) - cpu0.1) / window_s,
    );
    let per_robot_s = window_s * n as f64;
    let loopback = (loopback_bytes() - lo0) / per_robot_s;
    let mut rtt: Vec<f64> = Vec::new();
    for k in 0..40 {
        let i = (k * 37) % n;
        let t = Instant::now();
        let r = hub
            .command(
                &site(i),
                &format!("r{i:03}"),
                "bench",
                Role::Operator,
                CommandBody::Say {
                    text: "xin chào".into(),
                    lang: "vi".into(),
                },
            )
            .await
            .expect("a reply");
        assert!(r.ok, "refused: {}", r.message);
        rtt.push(t.elapsed().as_secs_f64() * 1e3);
    }
    // A KB push to every robot at once.
    let p0 = Instant::now();
    let replies = futures::future::join_all((0..n).map(|i| {
        let hub = &hub;
        async move { hub.push_kb(&site(i), &format!("r{i:03}"), next).await }
    }))
    .await;
    for r in &replies {
        let r = r.as_ref().expect("a reply to the push");
        assert!(r.ok && r.kb_version == next.version, "{r:?}");
    }
    let replied_s = p0.elapsed().as_secs_f64();
    while !hub.robots().iter().all(|r| {
        r.status
            .as_ref()
            .is_some_and(|s| s.kb_version == next.version)
    }) {
        assert!(
            p0.elapsed() < Duration::from_secs(60),
            "statuses never reported the push"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reported_s = p0.elapsed().as_secs_f64();
    let rss = (rss_mib("self"), rss_mib(&child_pid));
    child.stop();
    hub.close().await;
    let statuses = (seen.len() - primed) as f64;
    Figures {
        robots: n,
        online_after_s,
        statuses_per_s: statuses / window_s,
        delivery_ms: (
            pct(&mut delivery, 0.5),
            pct(&mut delivery, 0.99),
            pct(&mut delivery, 1.0),
        ),
        command_ms: (pct(&mut rtt, 0.5), pct(&mut rtt, 0.99)),
        cores,
        rss_mib: rss,
        status_bytes: payload as f64 / per_robot_s,
        loopback_bytes: loopback,
        push_s: (replied_s, reported_s),
    }
}

/// The gateways' process, started by [`measure`]: the same binary with `LETAN_FLEET_GATEWAYS`.
struct Gateways {
    child: std::process::Child,
}

impl Gateways {
    /// Starts `n` gateways connecting to the hub on `port` in a child process; returns once the
    /// child says they are all started.
    fn spawn(n: usize, port: u16) -> Gateways {
        use std::io::BufRead as _;
        let exe = std::env::current_exe().expect("this bench's own path");
        let mut child = std::process::Command::new(exe)
            .env(GATEWAYS_ENV, format!("{n}:{port}"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the gateways' process");
        let out = child.stdout.take().expect("its stdout");
        let mut line = String::new();
        std::io::BufReader::new(out)
            .read_line(&mut line)
            .expect("a line from the gateways' process");
        assert_eq!(line.trim(), "READY", "the gateways' process said {line:?}");
        Gateways { child }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Closes the child's stdin (it closes its gateways and exits) and waits for it.
    fn stop(&mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().expect("the gateways' process ends");
        assert!(status.success(), "the gateways' process: {status}");
    }
}

/// `N:PORT`: this process is the gateways' process of [`Gateways::spawn`].
const GATEWAYS_ENV: &str = "LETAN_FLEET_GATEWAYS";

/// The gateways' process: `n` gateways to the hub on `port`, "READY" on stdout once all are
/// started, then until stdin closes.
fn gateways_process(spec: &str, kb: KbVersion) {
    let (n, port) = spec.split_once(':').expect("N:PORT");
    let (n, port): (usize, u16) = (n.parse().expect("N"), port.parse().expect("PORT"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut gateways = Vec::with_capacity(n);
        for i in 0..n {
            let cfg = GatewayConfig {
                site: site(i),
                robot: format!("r{i:03}"),
                site_key: demo_site_key(&site(i)),
                connect: vec![format!("tcp/127.0.0.1:{port}")],
                status_period_ms: 1000,
                ..GatewayConfig::default()
            };
            let (g, mut rx) = Gateway::start(cfg, Some(kb.clone()))
                .await
                .expect("gateway");
            // What the robot would do with the commands: nothing here, but keep the channel empty.
            tokio::spawn(async move { while rx.recv().await.is_some() {} });
            gateways.push(g);
        }
        println!("READY");
        // Until the bench closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).is_ok_and(|k| k > 0) {}
        })
        .await
        .expect("stdin watcher");
        for g in gateways {
            g.close().await;
        }
    });
}

fn main() {
    let large: usize = std::env::var("LETAN_FLEET_ROBOTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(126);
    let window = Duration::from_secs(
        std::env::var("LETAN_FLEET_WINDOW_S")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20),
    );
    let files: Vec<(String, String)> = letan_nlu::kb::EMBEDDED
        .iter()
        .map(|&(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let kb = kbpkg::check(files.clone()).expect("the embedded knowledge base checks");
    if let Ok(spec) = std::env::var(GATEWAYS_ENV) {
        gateways_process(&spec, kb);
        return;
    }
    // The version pushed: one prompt reworded.
    let changed: Vec<(String, String)> = files
        .into_iter()
        .map(|(n, t)| {
            let t = if n == "prompts.yaml" {
                t.replacen("Xin chào!", "Xin chào quý khách!", 1)
            } else {
                t
            };
            (n, t)
        })
        .collect();
    let next = kbpkg::check(changed).expect("the changed knowledge base checks");
    assert_ne!(next.version, kb.version);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "fleet_scale: robots, all online after (s), statuses/s, delivery p50/p99/max (ms), command round trip p50/p99 (ms), CPU hub / gateways (cores), RSS hub / gateways (MiB), status payload and loopback bytes per robot per s, KB push to all: replied / reported (s); window {} s",
        window.as_secs()
    );
    for n in [1, large] {
        let f = rt.block_on(measure(n, window, &next));
        println!(
            "  {:>4} {:>8.2} {:>8.1} {:>6.0} {:>6.0} {:>6.0} {:>8.2} {:>8.2} {:>6.3} {:>6.3} {:>5.0} {:>5.0} {:>7.0} {:>7.0} {:>7.2} {:>7.2}",
            f.robots,
            f.online_after_s,
            f.statuses_per_s,
            f.delivery_ms.0,
            f.delivery_ms.1,
            f.delivery_ms.2,
            f.command_ms.0,
            f.command_ms.1,
            f.cores.0,
            f.cores.1,
            f.rss_mib.0,
            f.rss_mib.1,
            f.status_bytes,
            f.loopback_bytes,
            f.push_s.0,
            f.push_s.1
        );
    }
}
