//! The fleet across a real network (issue #17): the operations centre and two sites in separate Linux
//! network namespaces joined by veth pairs through a "WAN" namespace, Zenoh over TCP between them.
//!
//! ```text
//!   centre: a private netns (`unshare -n`) = this test process: the hub (Zenoh router + web API)
//!     up0 10.78.0.2/24
//!      | veth
//!   letan-wan-<pid>:  wc 10.78.0.1/24   (forwards; every packet goes through the WAN emulation)
//!                     wa 10.77.1.1/24              wb 10.77.2.1/24
//!      | veth                                       | veth
//!   letan-sa-<pid>: eth0 10.77.1.2/24      letan-sb-<pid>: eth0 10.77.2.2/24
//!     robots a1, a2 (site-a)                 robots b1, b2 (site-b)
//! ```
//!
//! The robots are child processes of this test binary run in their site's namespace
//! (`ip netns exec <ns> <this binary> --exact child_site_robots`); each runs two real
//! [`Gateway`]s and prints every [`ToRobot`] message it gets (`TOROBOT <robot> <unix µs> <what>`).
//!
//! WAN emulation. `tc qdisc … netem` is tried first (delay 25 ms and 1 % loss on each egress of the
//! WAN namespace). The kernel this was written on has no `sch_netem` (nor `fq`/`etf`, which could
//! delay by departure time; only `tbf`/`htb`, which shape bandwidth and add no fixed delay), so
//! the fallback is a delay line in user space, this file's `child_wan_delay_line`: policy routing
//! in the WAN namespace sends every forwarded packet into a TUN device; the child reads it, drops
//! it with probability 1 % or writes it back into the TUN 25 ms later, and the kernel forwards it
//! on to the centre or the site. Each packet crosses the WAN once, so a site↔centre round trip
//! costs at least 50 ms, which the test checks on every command. No jitter and no reordering
//! (netem adds neither by default either). When neither netem nor `/dev/net/tun` is available
//! the test still runs, on the plain veths, and says so in its output.
//!
//! What it checks, over the hub's web API as `fleet_zenoh.rs` does:
//! 1. the 4 robots come online in the hub, each with its site;
//! 2. a KB push (a changed copy of the embedded KB, zipped) switches all 4, which report it;
//! 3. an operator of site A only cannot command site B's robot;
//! 4. teleop reaches the chosen robot of site A and no other; site A's WAN link is cut mid-drive
//!    (`ip link set wa down` in the WAN namespace): the robot stops on its own within 0.5 s (+0.15 s)
//!    of its last command, site A's robots are offline in the hub within 3 s while site B's stay
//!    online and commandable; the cut lasts 12 s, longer than Zenoh's 10 s lease, so both ends drop
//!    the session; when the link is back the robots reconnect (over new TCP connections, seen with
//!    `ss` in the site's namespace), are online again and take commands.
//!
//! Every command's round trip is checked against the WAN's (at least 2 × 25 ms when emulated), and
//! the measured times are printed (`multi-site: …` lines). Asserted times are only the issue's: the
//! stop within 0.65 s of the robot's last command, site A offline within 3 s of the cut.
//!
//! Needs root, iproute2 and util-linux `unshare`; without them the test FAILS (it does not skip).
//! The test process re-executes itself under `unshare -n` (`LETAN_MULTI_SITE_ROLE=centre`) so the
//! centre's addresses never touch the host; the named namespaces are removed by a guard on every
//! path, and again by the outer process after the inner one ends however it ended.
//! `child_site_robots` and `child_wan_delay_line` are `#[ignore]`d: the test starts them with
//! `--ignored`, and they return at once unless `LETAN_MULTI_SITE_ROLE` says they are a child.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
mod common;

use axum::body::Body;
use axum::http::StatusCode;
use common::{embedded, initial_kb, until, zip_of, Client};
use letan_console::clock::SystemClock;
use letan_console::config::HashCost;
use letan_fleet::authz::Role;
use letan_fleet::gateway::{Gateway, GatewayConfig, ToRobot};
use letan_fleet::kbpkg;
use letan_fleet::server::spawn_recorder;
use letan_fleet::setup::{self, demo_params, demo_site_key};
use letan_transport::testing::tun;
use serde_json::{json, Value};
use std::io::{BufRead, Read};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MAIN: &str = "four_robots_on_two_sites_across_a_wan_appear_take_a_push_obey_only_their_operators_and_stop_and_rejoin_when_a_site_is_cut";
const ROLE: &str = "LETAN_MULTI_SITE_ROLE";
const TAG: &str = "LETAN_MULTI_SITE_TAG";
const CENTRE_IP: &str = "10.78.0.2";
/// One way, site ↔ centre.
const WAN_DELAY_MS: u64 = 25;
const WAN_LOSS_PERMILLE: u64 = 10;
/// Longer than Zenoh's default 10 s lease: both ends drop the session during the cut.
const CUT: Duration = Duration::from_secs(12);

fn namespaces(tag: &str) -> [String; 3] {
    [
        format!("letan-wan-{tag}"),
        format!("letan-sa-{tag}"),
        format!("letan-sb-{tag}"),
    ]
}

fn unix_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// Exit this child process when its parent closes our stdin (or dies).
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
}

// ---------------------------------------------------------------------------------------------
// The test: outside, re-execute in a private network namespace; inside, the centre.

#[test]
fn four_robots_on_two_sites_across_a_wan_appear_take_a_push_obey_only_their_operators_and_stop_and_rejoin_when_a_site_is_cut(
) {
    match std::env::var(ROLE).as_deref() {
        Ok("centre") => centre(),
        Ok(_) => {} // a child process running another test of this file
        Err(_) => outer(),
    }
}

fn outer() {
    let tag = std::process::id().to_string();
    let exe = std::env::current_exe().unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let out = log.reopen().unwrap(); // one file offset for both streams
    let started = Command::new("unshare")
        .args(["-n", "--"])
        .arg(&exe)
        .args(["--exact", MAIN, "--nocapture", "--test-threads=1"])
        .env(ROLE, "centre")
        .env(TAG, &tag)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn();
    let mut inner = started.unwrap_or_else(|e| {
        panic!("the multi-site test needs util-linux `unshare`, iproute2 and root: {e}")
    });
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = inner.try_wait().unwrap() {
            break Some(s);
        }
        if t0.elapsed() > Duration::from_secs(300) {
            let _ = inner.kill();
            let _ = inner.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // whatever happened inside, nothing stays behind
    let left = remove_namespaces(&tag);
    let mut out = String::new();
    std::fs::File::open(log.path())
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    print!("{out}");
    let status = status.expect("the multi-site test did not end within 300 s (killed)");
    assert!(
        status.success(),
        "the multi-site test failed inside its network namespace ({status}); its output is above. \
         It needs root, iproute2 (`ip netns`, veth) and util-linux `unshare`."
    );
    assert!(
        left.is_empty(),
        "the centre left namespaces behind (removed now): {left:?}"
    );
}

/// Kill what still runs in this run's namespaces and delete them; returns those that existed.
fn remove_namespaces(tag: &str) -> Vec<String> {
    let list = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut left = Vec::new();
    for ns in namespaces(tag) {
        if !list
            .lines()
            .any(|l| l.split_whitespace().next() == Some(ns.as_str()))
        {
            continue;
        }
        if let Ok(o) = Command::new("ip").args(["netns", "pids", &ns]).output() {
            for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).status();
            }
        }
        let _ = Command::new("ip").args(["netns", "del", &ns]).status();
        left.push(ns);
    }
    left
}

fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
    let o = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

fn ip(args: &[&str]) {
    if let Err(e) = run("ip", args) {
        panic!("{e} (the multi-site test needs root and iproute2: ip netns, veth)");
    }
}

/// A child process of this test binary, with its stdout lines collected as they come.
struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    fn spawn(name: &str, ns: &str, test: &str, env: &[(&str, &str)]) -> Proc {
        let exe = std::env::current_exe().unwrap();
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns])
            .arg(exe)
            // The children are #[ignore]d (a normal run does not count them as passed tests).
            .args([
                "--exact",
                test,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c
            .spawn()
            .unwrap_or_else(|e| panic!("ip netns exec {ns}: {e}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(l);
                }
            });
        }
        Proc {
            name: name.into(),
            stdin: child.stdin.take(),
            child,
            lines,
        }
    }

    /// Our lines: from the marker on (libtest may have begun the line with `test <name> ... `).
    fn lines(&self) -> Vec<String> {
        let markers = ["TOROBOT ", "WAN ", "ROBOTS READY"];
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| {
                let i = markers.iter().filter_map(|m| l.find(m)).min()?;
                Some(l[i..].to_string())
            })
            .collect()
    }

    /// Wait (blocking) for a line starting with one of `prefixes`; panics if the child ends first.
    fn wait_line(&mut self, prefixes: &[&str], limit: Duration) -> String {
        let t0 = Instant::now();
        loop {
            if let Some(l) = self
                .lines()
                .into_iter()
                .find(|l| prefixes.iter().any(|p| l.starts_with(p)))
            {
                return l;
            }
            if let Some(s) = self.child.try_wait().unwrap() {
                panic!("{} ended ({s}) before saying {prefixes:?}", self.name);
            }
            assert!(
                t0.elapsed() < limit,
                "{}: no {prefixes:?} within {limit:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `TOROBOT` lines: (robot, unix µs, what).
    fn msgs(&self) -> Vec<(String, u64, String)> {
        self.lines()
            .iter()
            .filter_map(|l| {
                let mut it = l.strip_prefix("TOROBOT ")?.splitn(3, ' ');
                let robot = it.next()?.to_string();
                let us = it.next()?.parse().ok()?;
                Some((robot, us, it.next().unwrap_or_default().to_string()))
            })
            .collect()
    }

    fn ended(&mut self) -> Option<String> {
        self.child
            .try_wait()
            .ok()
            .flatten()
            .map(|s| format!("{} ended: {s}", self.name))
    }
}

#[derive(Debug, PartialEq)]
enum Wan {
    Netem,
    DelayLine,
    None,
}

/// The namespaces, links and child processes of one run; all of it goes when this is dropped.
struct Net {
    ns: Vec<String>,
    procs: Vec<Proc>,
    wan: Wan,
    netem_error: String,
}

impl Drop for Net {
    fn drop(&mut self) {
        for p in &mut self.procs {
            p.stdin.take();
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        for ns in self.ns.iter().rev() {
            if let Err(e) = run("ip", &["netns", "del", ns]) {
                eprintln!("cleanup: {e}");
            }
        }
    }
}

impl Net {
    fn wan_ns(&self) -> &str {
        &self.ns[0]
    }

    /// Build the topology of the file's header.
    fn build(tag: &str) -> Net {
        let mut net = Net {
            ns: Vec::new(),
            procs: Vec::new(),
            wan: Wan::None,
            netem_error: String::new(),
        };
        ip(&["link", "set", "lo", "up"]);
        for ns in namespaces(tag) {
            ip(&["netns", "add", &ns]);
            net.ns.push(ns.clone());
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
        }
        let [wan, sa, sb] = namespaces(tag);
        sysctl(
            &wan,
            &[
                ("net/ipv4/ip_forward", "1"),
                ("net/ipv4/conf/all/rp_filter", "0"),
                ("net/ipv4/conf/default/rp_filter", "0"),
            ],
        );
        ip(&[
            "link", "add", "up0", "type", "veth", "peer", "name", "wc", "netns", &wan,
        ]);
        ip(&[
            "-n", &wan, "link", "add", "wa", "type", "veth", "peer", "name", "eth0", "netns", &sa,
        ]);
        ip(&[
            "-n", &wan, "link", "add", "wb", "type", "veth", "peer", "name", "eth0", "netns", &sb,
        ]);
        for (ns, dev, addr) in [
            (None, "up0", "10.78.0.2/24"),
            (Some(&wan), "wc", "10.78.0.1/24"),
            (Some(&wan), "wa", "10.77.1.1/24"),
            (Some(&wan), "wb", "10.77.2.1/24"),
            (Some(&sa), "eth0", "10.77.1.2/24"),
            (Some(&sb), "eth0", "10.77.2.2/24"),
        ] {
            let mut pre: Vec<&str> = Vec::new();
            if let Some(ns) = ns {
                pre.extend(["-n", ns.as_str()]);
            }
            ip(&[&pre[..], &["addr", "add", addr, "dev", dev]].concat());
            ip(&[&pre[..], &["link", "set", dev, "up"]].concat());
        }
        ip(&["route", "add", "10.77.0.0/16", "via", "10.78.0.1"]);
        ip(&["-n", &sa, "route", "add", "default", "via", "10.77.1.1"]);
        ip(&["-n", &sb, "route", "add", "default", "via", "10.77.2.1"]);
        net.wan_emulation();
        net
    }

    /// netem on the WAN namespace's three egresses if the kernel has it, else the TUN delay line.
    fn wan_emulation(&mut self) {
        let wan = self.wan_ns().to_string();
        let delay = format!("{WAN_DELAY_MS}ms");
        let loss = format!("{}%", WAN_LOSS_PERMILLE as f64 / 10.0);
        match run(
            "tc",
            &[
                "-n", &wan, "qdisc", "add", "dev", "wc", "root", "netem", "delay", &delay, "loss",
                &loss,
            ],
        ) {
            Ok(_) => {
                for dev in ["wa", "wb"] {
                    run(
                        "tc",
                        &[
                            "-n", &wan, "qdisc", "add", "dev", dev, "root", "netem", "delay",
                            &delay, "loss", &loss,
                        ],
                    )
                    .unwrap();
                }
                self.wan = Wan::Netem;
                return;
            }
            Err(e) => self.netem_error = e,
        }
        let (d, l) = (WAN_DELAY_MS.to_string(), WAN_LOSS_PERMILLE.to_string());
        let mut p = Proc::spawn(
            "WAN delay line",
            &wan,
            "child_wan_delay_line",
            &[
                (ROLE, "wan"),
                ("LETAN_WAN_DELAY_MS", &d),
                ("LETAN_WAN_LOSS_PERMILLE", &l),
            ],
        );
        let said = p.wait_line(&["WAN READY", "WAN NO-TUN"], Duration::from_secs(30));
        if said.starts_with("WAN NO-TUN") {
            self.netem_error = format!("{}; {said}", self.netem_error);
            return;
        }
        self.procs.push(p);
        sysctl(&wan, &[("net/ipv4/conf/wt/rp_filter", "0")]);
        ip(&["-n", &wan, "link", "set", "wt", "up"]);
        for dev in ["wc", "wa", "wb"] {
            ip(&["-n", &wan, "rule", "add", "iif", dev, "lookup", "100"]);
        }
        ip(&[
            "-n", &wan, "route", "add", "default", "dev", "wt", "table", "100",
        ]);
        self.wan = Wan::DelayLine;
    }

    fn describe_wan(&self) -> String {
        let what = format!(
            "{WAN_DELAY_MS} ms one way, {}% loss",
            WAN_LOSS_PERMILLE as f64 / 10.0
        );
        match self.wan {
            Wan::Netem => format!("tc netem ({what})"),
            Wan::DelayLine => format!(
                "user-space delay line through a TUN device ({what}); tc netem unavailable: {}",
                self.netem_error
            ),
            Wan::None => format!(
                "NONE, plain veths: neither tc netem nor a TUN device ({})",
                self.netem_error
            ),
        }
    }

    fn start_site(&mut self, site: &str, ns: &str, robots: &str, hub: &str) {
        let p = Proc::spawn(
            site,
            ns,
            "child_site_robots",
            &[
                (ROLE, "robots"),
                ("LETAN_SITE", site),
                ("LETAN_ROBOTS", robots),
                ("LETAN_HUB", hub),
            ],
        );
        self.procs.push(p);
    }

    fn site(&self, site: &str) -> &Proc {
        self.procs.iter().find(|p| p.name == site).unwrap()
    }

    fn ended(&mut self) -> Vec<String> {
        self.procs.iter_mut().filter_map(Proc::ended).collect()
    }
}

/// The local ends of the established TCP connections from namespace `ns` to the hub.
fn hub_links(ns: &str, port: u16) -> std::collections::BTreeSet<String> {
    let out = run(
        "ip",
        &["netns", "exec", ns, "ss", "-tnH", "state", "established"],
    )
    .unwrap();
    let hub = format!("{CENTRE_IP}:{port}");
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && f[3] == hub).then(|| f[2].to_string())
        })
        .collect()
}

fn sysctl(ns: &str, kv: &[(&str, &str)]) {
    let script: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("echo {v} > /proc/sys/{k}"))
        .collect();
    ip(&["netns", "exec", ns, "sh", "-c", &script.join(" && ")]);
}

fn centre() {
    let tag = std::env::var(TAG).unwrap();
    let t0 = Instant::now();
    let mut net = Net::build(&tag);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(240), scenario(&mut net))
            .await
            .expect("the scenario did not end within 240 s")
    });
    drop(rt);
    drop(net);
    println!(
        "multi-site: test wall time {:.1} s (network built and removed)",
        t0.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// The hub's side (helpers as in fleet_zenoh.rs).

/// What this test asks of the hub beyond `common::Client`.
trait HubClient {
    async fn online(&self) -> Vec<(String, bool)>;
    async fn command(&self, robot: &str, body: Value) -> (StatusCode, Value, Duration);
}

impl HubClient for Client {
    /// Online state per robot id.
    async fn online(&self) -> Vec<(String, bool)> {
        self.robots()
            .await
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), r["online"] == true))
            .collect()
    }

    /// A command and its round trip (web API → hub → robot → signed verdict).
    async fn command(&self, robot: &str, body: Value) -> (StatusCode, Value, Duration) {
        let t = Instant::now();
        let (c, v) = self
            .post(&format!("/api/robots/{robot}/command"), body)
            .await;
        (c, v, t.elapsed())
    }
}

fn all(list: &[(String, bool)], ids: &[&str], online: bool) -> bool {
    ids.iter()
        .all(|id| list.iter().any(|(i, o)| i == id && *o == online))
}

const A: [&str; 2] = ["a1", "a2"];
const B: [&str; 2] = ["b1", "b2"];

async fn scenario(net: &mut Net) {
    let mut report = vec![format!("WAN emulation: {}", net.describe_wan())];
    let min_rtt = if net.wan == Wan::None {
        Duration::ZERO
    } else {
        Duration::from_millis(2 * WAN_DELAY_MS)
    };
    // the hub, listening on the centre's WAN address only
    let dir = tempfile::tempdir().unwrap();
    let port = setup::free_port().unwrap();
    let mut params = demo_params(dir.path(), &["site-a", "site-b"], port);
    let hub_ep = format!("tcp/{CENTRE_IP}:{port}");
    params.zenoh_listen = vec![hub_ep.clone()];
    let running = setup::start(&params, Arc::new(SystemClock)).await.unwrap();
    let app = running.app;
    setup::add_demo_users(&app.db).unwrap();
    for (user, grants) in [
        (
            "op-a",
            vec![("site-a", Role::Operator), ("*", Role::Viewer)],
        ),
        ("editor", vec![("*", Role::KbEditor)]),
    ] {
        setup::add_user(
            &app.db,
            user,
            &format!("password-{user}"),
            HashCost::CHEAP,
            &grants,
            0,
        )
        .unwrap();
    }
    spawn_recorder(app.clone());
    let [_, sa, sb] = net.ns.clone().try_into().unwrap();
    net.start_site("site-a", &sa, "a1,a2", &hub_ep);
    net.start_site("site-b", &sb, "b1,b2", &hub_ep);

    // 1. the four robots appear, each with its site
    let viewer = Client::login(&app, "viewer", "letan-viewer").await;
    let appear = until(Duration::from_secs(30), || async {
        let l = viewer.online().await;
        all(&l, &A, true) && all(&l, &B, true)
    })
    .await;
    assert!(
        appear.is_some(),
        "not all 4 online within 30 s: {:?}; children: {:?}",
        viewer.online().await,
        net.ended()
    );
    let list = viewer.robots().await;
    assert_eq!(list.len(), 4, "{list:?}");
    for r in &list {
        let id = r["id"].as_str().unwrap();
        let site = if id.starts_with('a') {
            "site-a"
        } else {
            "site-b"
        };
        assert_eq!(r["site"], site, "{r}");
        assert_eq!(r["kb_version"], initial_kb().version.as_str(), "{r}");
    }
    report.push(format!(
        "appear: 4 robots online with their sites {:.2} s after their processes started",
        appear.unwrap().as_secs_f64()
    ));

    // 2. a KB push across the WAN reaches all four
    let editor = Client::login(&app, "editor", "password-editor").await;
    let mut files = embedded();
    files[0].1.push_str("\n# multi-site test edit\n");
    let new = kbpkg::check(files.clone()).unwrap().version;
    let (c, v) = editor
        .call("POST", "/api/kb", Body::from(zip_of(&files)))
        .await;
    assert_eq!(
        (c, v["version"].as_str()),
        (StatusCode::OK, Some(new.as_str())),
        "{v}"
    );
    let t = Instant::now();
    let (c, v) = editor.post("/api/kb/push", json!({"version": new})).await;
    let push = t.elapsed();
    assert_eq!(c, StatusCode::OK, "{v}");
    let results = v.as_array().unwrap();
    assert_eq!(results.len(), 4, "{v}");
    assert!(
        results
            .iter()
            .all(|r| r["ok"] == true && r["kb_version"] == new.as_str()),
        "{v}"
    );
    let reported =
        until(Duration::from_secs(10), || async {
            viewer.robots().await.iter().all(|r| {
                r["kb_version"] == new.as_str() && r["status"]["kb_version"] == new.as_str()
            })
        })
        .await;
    assert!(reported.is_some(), "{:?}", viewer.robots().await);
    let switched = |p: &Proc, ids: &[&str]| {
        let m = p.msgs();
        ids.iter().all(|id| {
            m.iter()
                .any(|(r, _, w)| r == id && *w == format!("kb {new}"))
        })
    };
    assert!(
        switched(net.site("site-a"), &A) && switched(net.site("site-b"), &B),
        "every robot process was told to switch: {:?} {:?}",
        net.site("site-a").msgs(),
        net.site("site-b").msgs()
    );
    report.push(format!(
        "kb push: 4/4 switched, push call {:.2} s, all statuses report it {:.2} s later",
        push.as_secs_f64(),
        reported.unwrap().as_secs_f64()
    ));

    // 3. an operator of site A only cannot command site B's robot; can command site A's
    let op_a = Client::login(&app, "op-a", "password-op-a").await;
    let release = json!({"type": "estop", "engage": false});
    let (c, v, _) = op_a.command("b1", release.clone()).await;
    assert_eq!(c, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("site-b"), "{v}");
    let (c, v, rtt) = op_a.command("a2", release.clone()).await;
    assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
    let mut rtts = vec![rtt];

    // 4. teleop reaches a1 only
    let op = Client::login(&app, "operator", "letan-operator").await;
    let drive = json!({"type": "teleop", "linear": 0.3, "angular": 0.0});
    for _ in 0..5 {
        let (c, v, rtt) = op.command("a1", drive.clone()).await;
        assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
        rtts.push(rtt);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let teleops = |p: &Proc, id: &str| {
        p.msgs()
            .into_iter()
            .filter(|(r, _, w)| r == id && w.starts_with("teleop "))
            .count()
    };
    let got = until(Duration::from_secs(2), || {
        let n = teleops(net.site("site-a"), "a1");
        async move { n == 5 }
    })
    .await;
    assert!(got.is_some(), "{:?}", net.site("site-a").msgs());
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (site, id) in [("site-a", "a2"), ("site-b", "b1"), ("site-b", "b2")] {
        assert_eq!(teleops(net.site(site), id), 0, "{id} was driven");
    }
    let estops = |p: &Proc, id: &str| {
        p.msgs()
            .into_iter()
            .filter(|(r, _, w)| r == id && w.starts_with("estop"))
            .count()
    };
    assert_eq!(estops(net.site("site-a"), "a2"), 1, "op-a's command to a2");
    assert_eq!(
        estops(net.site("site-b"), "b1"),
        0,
        "op-a's refused command to b1"
    );

    // ... and the site's WAN link is cut mid-drive
    let (c, v, rtt) = op.command("a1", drive.clone()).await;
    assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
    rtts.push(rtt);
    let sent_us = unix_us() - rtt.as_micros() as u64;
    let wan = net.wan_ns().to_string();
    let links_before = hub_links(&sa, port);
    assert_eq!(
        links_before.len(),
        2,
        "site A's two robots each have a TCP link to the hub"
    );
    ip(&["-n", &wan, "link", "set", "wa", "down"]);
    let cut = Instant::now();
    let stop = until(Duration::from_secs(2), || {
        let m = net.site("site-a").msgs();
        async move {
            let a1: Vec<_> = m.iter().filter(|(r, _, _)| r == "a1").collect();
            let last = a1.iter().rposition(|(_, _, w)| w.starts_with("teleop "));
            last.is_some_and(|i| a1[i..].iter().any(|(_, _, w)| w == "stop"))
        }
    })
    .await;
    let m = net.site("site-a").msgs();
    assert!(
        stop.is_some(),
        "a1 did not stop within 2 s of the cut: {m:?}"
    );
    let a1: Vec<_> = m.iter().filter(|(r, _, _)| r == "a1").collect();
    let i = a1
        .iter()
        .rposition(|(_, _, w)| w.starts_with("teleop "))
        .unwrap();
    let last_teleop_us = a1[i].1;
    let stop_us = a1[i..].iter().find(|(_, _, w)| w == "stop").unwrap().1;
    let robot_side = Duration::from_micros(stop_us - last_teleop_us);
    let hub_side = Duration::from_micros(stop_us.saturating_sub(sent_us));
    assert!(
        robot_side <= Duration::from_millis(650),
        "a1 stopped {robot_side:?} after its last teleop command (deadman 0.5 s)"
    );
    report.push(format!(
        "teleop stop: a1 stopped {} ms after its last command arrived ({} ms after the hub sent it)",
        robot_side.as_millis(),
        hub_side.as_millis()
    ));

    // site A goes offline within 3 s; site B stays online throughout the cut
    let offline = until(
        Duration::from_secs(3).saturating_sub(cut.elapsed()),
        || async {
            let l = viewer.online().await;
            assert!(
                all(&l, &B, true),
                "site B went offline with site A's link: {l:?}"
            );
            all(&l, &A, false)
        },
    )
    .await;
    assert!(
        offline.is_some(),
        "site A still online 3 s after its link was cut: {:?}",
        viewer.online().await
    );
    let offline = cut.elapsed();
    report.push(format!(
        "offline: site A's robots offline {:.2} s after the cut, site B's online",
        offline.as_secs_f64()
    ));
    // during the cut: site A cannot be commanded, site B can
    let (fc, fv, fail) = op.command("a2", release.clone()).await;
    assert_ne!(
        fc,
        StatusCode::OK,
        "a command reached a cut-off robot: {fv}"
    );
    let (c, v, rtt) = op.command("b1", release.clone()).await;
    assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
    rtts.push(rtt);
    report.push(format!(
        "during the cut: a command to a2 failed with {fc} after {:.1} s ({}); b1 commanded",
        fail.as_secs_f64(),
        fv["error"].as_str().unwrap_or_default()
    ));
    while cut.elapsed() < CUT {
        let l = viewer.online().await;
        assert!(
            all(&l, &B, true),
            "site B went offline with site A's link: {l:?}"
        );
        assert!(
            all(&l, &A, false),
            "site A online through a cut link: {l:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // the link comes back: site A's robots reconnect and take commands again
    ip(&["-n", &wan, "link", "set", "wa", "up"]);
    let back = until(Duration::from_secs(30), || async {
        let l = viewer.online().await;
        all(&l, &A, true) && all(&l, &B, true)
    })
    .await;
    assert!(
        back.is_some(),
        "site A not back online within 30 s of its link coming back: {:?}; children: {:?}",
        viewer.online().await,
        net.ended()
    );
    // over new TCP connections: both ends dropped the old session during the cut
    let links_after = hub_links(&sa, port);
    assert!(
        links_after.len() == 2 && links_after.is_disjoint(&links_before),
        "site A's links to the hub before the cut {links_before:?}, after {links_after:?}"
    );
    let before = estops(net.site("site-a"), "a1");
    let (c, v, rtt) = op.command("a1", release.clone()).await;
    assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
    rtts.push(rtt);
    assert!(
        until(Duration::from_secs(2), || {
            let n = estops(net.site("site-a"), "a1");
            async move { n == before + 1 }
        })
        .await
        .is_some(),
        "{:?}",
        net.site("site-a").msgs()
    );
    report.push(format!(
        "rejoin: site A online again {:.2} s after its link came back (cut {} s, over Zenoh's 10 s lease), \
         on new TCP connections {links_after:?} (were {links_before:?}), a1 commanded",
        back.unwrap().as_secs_f64(),
        CUT.as_secs()
    ));

    // every command crossed the WAN: none came back sooner than its round trip allows
    rtts.sort();
    assert!(
        rtts[0] >= min_rtt,
        "a command came back in {:?}, under the WAN's {min_rtt:?} round trip",
        rtts[0]
    );
    report.push(format!(
        "command round trips ({}): min {} ms, median {} ms, max {} ms",
        rtts.len(),
        rtts[0].as_millis(),
        rtts[rtts.len() / 2].as_millis(),
        rtts[rtts.len() - 1].as_millis()
    ));
    if net.wan == Wan::DelayLine {
        let stats = net
            .procs
            .iter()
            .find(|p| p.name == "WAN delay line")
            .and_then(|p| {
                p.lines()
                    .into_iter()
                    .rev()
                    .find(|l| l.starts_with("WAN forwarded"))
            })
            .unwrap_or_default();
        report.push(format!("delay line: {stats}"));
    }
    assert!(net.ended().is_empty(), "{:?}", net.ended());
    for l in report {
        println!("multi-site: {l}");
    }
}

// ---------------------------------------------------------------------------------------------
// The children.

/// A site's robots (child process in the site's namespace), started by the test above.
#[test]
#[ignore = "a child process of the multi-site test, which starts it"]
fn child_site_robots() {
    if std::env::var(ROLE).as_deref() != Ok("robots") {
        return;
    }
    let var = |k: &str| std::env::var(k).unwrap();
    let (site, robots, hub) = (var("LETAN_SITE"), var("LETAN_ROBOTS"), var("LETAN_HUB"));
    exit_when_stdin_closes();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut gateways = Vec::new();
        for id in robots.split(',') {
            let cfg = GatewayConfig {
                site: site.clone(),
                robot: id.into(),
                site_key: demo_site_key(&site),
                connect: vec![hub.clone()],
                status_period_ms: 200,
                ..GatewayConfig::default()
            };
            let (g, mut rx) = Gateway::start(cfg, Some(initial_kb())).await.unwrap();
            gateways.push(g);
            let id = id.to_string();
            tokio::spawn(async move {
                while let Some(m) = rx.recv().await {
                    let what = match m {
                        ToRobot::Teleop { linear, angular } => format!("teleop {linear} {angular}"),
                        ToRobot::TeleopStop => "stop".into(),
                        ToRobot::Estop(e) => format!("estop {e}"),
                        ToRobot::KbSwitched { version } => format!("kb {version}"),
                        other => format!("other {other:?}"),
                    };
                    println!("TOROBOT {id} {} {what}", unix_us());
                }
            });
        }
        println!("ROBOTS READY");
        std::future::pending::<()>().await;
    });
}

/// The WAN's delay line (child process in the WAN namespace), started by the test above. Makes the
/// TUN device `wt`, says `WAN READY`, then forwards each packet read from it back into it
/// `LETAN_WAN_DELAY_MS` later, dropping `LETAN_WAN_LOSS_PERMILLE` of them at random
/// ([`letan_transport::testing::tun`], shared with `letan`'s fault test).
#[test]
#[ignore = "a child process of the multi-site test, which starts it"]
fn child_wan_delay_line() {
    if std::env::var(ROLE).as_deref() != Ok("wan") {
        return;
    }
    let num = |k: &str| std::env::var(k).unwrap().parse::<u64>().unwrap();
    let delay = Duration::from_millis(num("LETAN_WAN_DELAY_MS"));
    let loss = num("LETAN_WAN_LOSS_PERMILLE");
    let tun = match tun::open_tun("wt") {
        Ok(f) => f,
        Err(e) => {
            println!("WAN NO-TUN {e}");
            return;
        }
    };
    exit_when_stdin_closes();
    // seeded from the clock and pid
    let seed = unix_us() ^ (u64::from(std::process::id()) << 32);
    let line = tun::DelayLine::start(tun.try_clone().unwrap(), tun, delay, loss, seed);
    println!("WAN READY");
    loop {
        std::thread::sleep(Duration::from_secs(1));
        println!("WAN {}", line.counts());
    }
}
