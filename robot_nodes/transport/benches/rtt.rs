//! Round-trip latency of a small message between two Letan processes over DDS on loopback, side by side
//! with Cyclone DDS's own `ddsperf` (Debian `cyclonedds-tools`) in the same run.
//!
//! `cargo bench -p letan-transport --bench rtt` (LETAN_RTT_N=5000 round trips a round, LETAN_RTT_ROUNDS=3
//! rounds, each Letan then ddsperf; the worst ratio over the rounds is printed last). It runs inside a private
//! network namespace with multicast on `lo`, so nothing leaves the machine. Note: ddsperf prints
//! RTT/2 (`ddsperf.c`: `(tnow - ts) / 2`); the table below doubles it to compare round trips.
#![allow(clippy::disallowed_methods)] // a bench measures wall time
#![allow(clippy::unwrap_used, clippy::expect_used)]
use letan_msgs::geometry_msgs::Vector3;
use letan_transport::{block_on_task, testing::netns_command, Context, DdsOptions, Qos};
use std::time::{Duration, Instant};

const PING: &str = "/letan_bench/ping";
const PONG: &str = "/letan_bench/pong";

fn rt() -> tokio::runtime::Runtime {
    letan_transport::node_runtime().unwrap()
}

// Each side runs as a task on the runtime's workers, as `letan run` runs a node (`block_on_task`).
fn pong() {
    block_on_task(&rt(), async {
        let ctx = Context::dds(DdsOptions::default()).unwrap();
        let node = ctx.node("rtt_pong", "/").unwrap();
        let sub = node.subscribe::<Vector3>(PING, Qos::commands()).unwrap();
        let publ = node.publisher::<Vector3>(PONG, Qos::commands()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(20), sub.recv()).await {
                Ok(Some(m)) => {
                    if m.x < 0.0 {
                        break;
                    }
                    publ.publish(m).unwrap();
                }
                _ => break,
            }
        }
    });
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ping(n: usize) -> Vec<f64> {
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .env("LETAN_RTT_ROLE", "pong")
        .spawn()
        .unwrap();
    let rtts = block_on_task(&rt(), async move {
        let ctx = Context::dds(DdsOptions::default()).unwrap();
        let node = ctx.node("rtt_ping", "/").unwrap();
        let publ = node.publisher::<Vector3>(PING, Qos::commands()).unwrap();
        let sub = node.subscribe::<Vector3>(PONG, Qos::commands()).unwrap();
        // Wait for discovery both ways: keep pinging until echoes come back.
        let start = Instant::now();
        loop {
            publ.publish(Vector3 {
                x: 0.0,
                y: 0.0,
                z: 0.0,
            })
            .unwrap();
            if tokio::time::timeout(Duration::from_millis(200), sub.recv())
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "pong never answered"
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        while sub.try_recv().is_some() {}
        let mut rtts = Vec::with_capacity(n);
        let warmup = 500;
        for i in 1..=(n + warmup) {
            let t0 = Instant::now();
            publ.publish(Vector3 {
                x: i as f64,
                y: 0.0,
                z: 0.0,
            })
            .unwrap();
            loop {
                let m = tokio::time::timeout(Duration::from_secs(2), sub.recv())
                    .await
                    .expect("an echo was lost")
                    .unwrap();
                if m.x == i as f64 {
                    break;
                }
            }
            if i > warmup {
                rtts.push(t0.elapsed().as_secs_f64() * 1e6);
            }
        }
        publ.publish(Vector3 {
            x: -1.0,
            y: 0.0,
            z: 0.0,
        })
        .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        rtts
    });
    let _ = child.wait();
    rtts
}

/// Half-RTT percentiles from ddsperf's last full report line.
fn ddsperf(seconds: u32) -> Option<(f64, f64, f64)> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(ddsperf -D {} pong >/dev/null 2>&1 &) ; ddsperf -D {seconds} ping 2>&1",
            seconds + 2
        ))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.contains(" 50% "))?;
    let field = |key: &str| -> Option<f64> {
        let rest = line.split(key).nth(1)?;
        rest.split_whitespace()
            .next()?
            .trim_end_matches("us")
            .parse()
            .ok()
    };
    Some((field(" 50% ")?, field(" 90% ")?, field(" 99% ")?))
}

fn main() {
    if std::env::var("LETAN_RTT_ROLE").as_deref() == Ok("pong") {
        pong();
        return;
    }
    // `cargo bench` passes --bench; `cargo test --benches` does not run this harness-less bench's body.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if std::env::var_os("LETAN_IN_NETNS").is_none() {
        let exe = std::env::current_exe().unwrap();
        let status = netns_command(&format!(
            "LETAN_IN_NETNS=1 exec '{}' --bench",
            exe.display()
        ))
        .status()
        .expect("unshare");
        std::process::exit(status.code().unwrap_or(1));
    }
    let n: usize = std::env::var("LETAN_RTT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let rounds: usize = std::env::var("LETAN_RTT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    // Both sides alternate, round after round, so a slow spell of the machine hits both.
    let mut worst = (0.0f64, 0.0f64);
    for round in 1..=rounds {
        let mut rtts = ping(n);
        rtts.sort_by(f64::total_cmp);
        let (p50, p90, p99) = (
            percentile(&rtts, 0.5),
            percentile(&rtts, 0.9),
            percentile(&rtts, 0.99),
        );
        println!("round {round}/{rounds}");
        println!(
            "  letan (ros2-client/RustDDS), reliable, 24-byte Vector3, {n} round trips, two processes:"
        );
        println!(
            "    RTT p50 {p50:.1} us  p90 {p90:.1} us  p99 {p99:.1} us  max {:.1} us",
            rtts[rtts.len() - 1]
        );
        let Some((h50, h90, h99)) = ddsperf(5) else {
            println!("ddsperf not available: install cyclonedds-tools (scripts/setup.sh does)");
            return;
        };
        let (d50, d90, d99) = (2.0 * h50, 2.0 * h90, 2.0 * h99);
        println!("  Cyclone DDS ddsperf ping/pong (same namespace; RTT = 2 x its half-RTT):");
        println!("    RTT p50 {d50:.1} us  p90 {d90:.1} us  p99 {d99:.1} us");
        let (r50, r99) = (p50 / d50, p99 / d99);
        println!("  ratio letan/ddsperf: p50 {r50:.2}x  p99 {r99:.2}x");
        worst = (worst.0.max(r50), worst.1.max(r99));
    }
    println!(
        "worst ratio over {rounds} rounds: p50 {:.2}x  p99 {:.2}x (the aim is <= 2x)",
        worst.0, worst.1
    );
}
