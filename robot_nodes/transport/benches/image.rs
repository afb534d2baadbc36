//! Camera throughput over DDS: a `sensor_msgs/Image`, 640×480 rgb8 (921,600 bytes of pixels), at
//! 30 Hz from one Letan process to another on loopback. Reports the delivered rate, the latency
//! (header stamp → received, one clock: both processes are on this machine) and the CPU time each
//! process used, as a share of one core.
//!
//! `cargo bench -p letan-transport --bench image` (LETAN_IMAGE_SECONDS=10 by default, QoS as the
//! robot's camera: sensor data, best effort, keep last). It runs inside a private network
//! namespace with multicast on `lo`, so nothing leaves the machine.
#![allow(clippy::disallowed_methods)] // a bench measures wall time
#![allow(clippy::unwrap_used, clippy::expect_used)]
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::sensor_msgs::Image;
use letan_msgs::std_msgs::Header;
use letan_transport::{testing::netns_command, Context, DdsOptions, Qos};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TOPIC: &str = "/letan_bench/image_raw";
const W: u32 = 640;
const H: u32 = 480;
const HZ: f64 = 30.0;

fn rt() -> tokio::runtime::Runtime {
    letan_transport::node_runtime().unwrap()
}

fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// This process's user + system CPU seconds (/proc/self/stat, clock ticks of 100 Hz).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn publisher(seconds: f64) {
    rt().block_on(async {
        let ctx = Context::dds(DdsOptions::default()).unwrap();
        let node = ctx.node("image_pub", "/").unwrap();
        let publ = node.publisher::<Image>(TOPIC, Qos::sensor_data()).unwrap();
        let mut frame = Image {
            header: Header::new(Time::default(), "camera_optical"),
            height: H,
            width: W,
            encoding: "rgb8".into(),
            is_bigendian: 0,
            step: W * 3,
            data: (0..(W * H * 3) as usize).map(|i| (i % 251) as u8).collect(),
        };
        // Let the subscriber match before the clock starts.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let period = Duration::from_secs_f64(1.0 / HZ);
        let mut next = tokio::time::Instant::now();
        let frames = (seconds * HZ) as usize;
        let (cpu0, t0) = (cpu_seconds(), Instant::now());
        for i in 0..frames {
            next += period;
            tokio::time::sleep_until(next).await;
            frame.header.stamp = Time::from_secs_f64(wall());
            frame.data[0] = i as u8;
            publ.publish(frame.clone()).unwrap();
        }
        let share = (cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64();
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!(
            "  publisher CPU {:.1} % of one core while sending {frames} frames",
            100.0 * share
        );
    });
}

fn subscriber(seconds: f64) -> (usize, Vec<f64>, f64, String) {
    let exe = std::env::current_exe().unwrap();
    let child = std::process::Command::new(exe)
        .env("LETAN_IMAGE_ROLE", "pub")
        .env("LETAN_IMAGE_SECONDS", seconds.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (got, lat, cpu) = rt().block_on(async {
        let ctx = Context::dds(DdsOptions::default()).unwrap();
        let node = ctx.node("image_sub", "/").unwrap();
        let sub = node
            .subscribe::<Image>(TOPIC, Qos::sensor_data().with_depth(5))
            .unwrap();
        let mut lat = Vec::new();
        let mut got = 0usize;
        let mut first: Option<(f64, Instant)> = None;
        let mut last = (0.0, Instant::now());
        let end = Instant::now() + Duration::from_secs_f64(seconds + 6.0);
        while Instant::now() < end {
            match tokio::time::timeout(Duration::from_secs(3), sub.recv()).await {
                Ok(Some(img)) => {
                    assert_eq!(img.data.len(), (W * H * 3) as usize, "a frame was cut");
                    got += 1;
                    last = (cpu_seconds(), Instant::now());
                    first.get_or_insert(last);
                    let sent = f64::from(img.header.stamp.sec)
                        + f64::from(img.header.stamp.nanosec) * 1e-9;
                    lat.push((wall() - sent) * 1e3);
                }
                Ok(None) => break,
                Err(_) if got > 0 => break,
                Err(_) => {}
            }
        }
        let share = first.map_or(0.0, |(c, t)| {
            (last.0 - c) / last.1.duration_since(t).as_secs_f64().max(1e-3)
        });
        (got, lat, share)
    });
    let out = child.wait_with_output().unwrap();
    (
        got,
        lat,
        cpu,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn main() {
    let seconds: f64 = std::env::var("LETAN_IMAGE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    if std::env::var("LETAN_IMAGE_ROLE").as_deref() == Ok("pub") {
        publisher(seconds);
        return;
    }
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
    let (got, mut lat, cpu, publisher_line) = subscriber(seconds);
    let sent = (seconds * HZ) as usize;
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    println!(
        "sensor_msgs/Image 640x480 rgb8 at {HZ} Hz for {seconds} s, best effort, two processes:"
    );
    if lat.is_empty() {
        println!("  no frame delivered");
        std::process::exit(1);
    }
    println!(
        "  delivered {got}/{sent} ({:.1} Hz, {:.1} MB/s); latency p50 {:.2} ms p90 {:.2} ms p99 {:.2} ms max {:.2} ms",
        got as f64 / seconds,
        got as f64 * f64::from(W * H * 3) / seconds / 1e6,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        lat[lat.len() - 1]
    );
    println!(
        "  subscriber CPU {:.1} % of one core while receiving",
        100.0 * cpu
    );
    print!("{publisher_line}");
}
