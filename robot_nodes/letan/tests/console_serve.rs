//! `letan console serve` is the console node on the ROS 2 domain (DDS), the same as `letan run
//! console`: it starts, serves the console page on a free port, and its robot link is live: a node
//! it has not heard from shows as down, and as up once its topic arrives over DDS. In a private
//! network namespace.
#![allow(clippy::unwrap_used)]
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
mod common;

use common::{console_login, http, interrupt, listening_addr, KillOnDrop, Output};
use letan_console::config::{add_user, HashCost, Role};
use letan_transport::testing::in_netns;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `mux` entry of the console's node health in `/api/state`: (ok, detail). The node's first
/// snapshot comes with its first tick: until then the state is empty, so this waits for it (10 s).
fn mux_health(addr: &str, cookie: &str) -> (bool, String) {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let r = http(addr, "GET", "/api/state", &[("Cookie", cookie)], None);
        assert_eq!(r.status, 200, "{}", r.body);
        let state: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let mux = state["nodes"]
            .as_array()
            .and_then(|n| n.iter().find(|n| n["name"] == "mux"));
        if let Some(mux) = mux {
            return (
                mux["ok"].as_bool().unwrap(),
                mux["detail"].as_str().unwrap_or_default().to_string(),
            );
        }
        assert!(
            state["stamp_ms"] == 0 && Instant::now() < until,
            "no mux in the node health: {}",
            r.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn console_serve_is_the_dds_console_and_shows_the_robot_link() {
    in_netns(
        "console_serve_is_the_dds_console_and_shows_the_robot_link",
        || {
            let letan = env!("CARGO_BIN_EXE_letan");
            let dir = tempfile::tempdir().unwrap();
            let users = dir.path().join("users.yaml");
            let password = "quiet-harbour-1947";
            add_user(&users, "lan", Role::Operator, password, HashCost::CHEAP).unwrap();
            let params = dir.path().join("console.yaml");
            std::fs::write(
                &params,
                format!(
                    "console:\n  ros__parameters:\n    users_file: {}\n    audit_log: {}\n",
                    users.display(),
                    dir.path().join("audit.jsonl").display()
                ),
            )
            .unwrap();
            let mut console = KillOnDrop(
                Command::new(letan)
                    .args(["console", "serve", "--port", "0", "--params"])
                    .arg(&params)
                    .env_remove("LETAN_LOG")
                    .env_remove("RUST_LOG")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap(),
            );
            let out = Output::of(
                console.stdout.take().unwrap(),
                console.stderr.take().unwrap(),
            );
            let addr = listening_addr(&out.wait_for(
                "console listening line",
                Duration::from_secs(60),
                |l| l.starts_with("console listening on http://"),
            ));
            assert!(!addr.ends_with(":8080"), "--port 0 took {addr}");

            // The console page, with its robot link indicator.
            let page = http(&addr, "GET", "/", &[], None);
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(page.body.contains("id=\"st-link\""), "{}", page.body);
            // Its state needs a session; with one, the robot link: nothing publishes /mux/status yet.
            assert_eq!(http(&addr, "GET", "/api/state", &[], None).status, 401);
            let cookie = console_login(&addr, "lan", password);
            let (ok, detail) = mux_health(&addr, &cookie);
            assert!(!ok && detail == "not heard from", "{ok} {detail}");

            // A mux on the domain: the console hears it over DDS.
            let mut mux = KillOnDrop(
                Command::new(letan)
                    .args([
                        "topic",
                        "pub",
                        "/mux/status",
                        "letan_interfaces/msg/MuxStatus",
                        "{active_input: nav}",
                        "--rate",
                        "10",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            );
            let until = Instant::now() + Duration::from_secs(30);
            let live = loop {
                let (ok, detail) = mux_health(&addr, &cookie);
                if ok || Instant::now() > until {
                    break (ok, detail);
                }
                std::thread::sleep(Duration::from_millis(200));
            };
            let _ = mux.kill();
            let _ = mux.wait();
            assert!(live.0, "the mux never showed as up: {}", live.1);
            assert!(live.1.starts_with("last message"), "{}", live.1);
            let r = http(&addr, "GET", "/api/state", &[("Cookie", &cookie)], None);
            let state: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(state["mux"]["active"], "nav", "{}", r.body);

            // And it went silent: down again after its 1 s allowance.
            let until = Instant::now() + Duration::from_secs(10);
            while mux_health(&addr, &cookie).0 {
                assert!(
                    Instant::now() < until,
                    "the mux still shows as up after it stopped"
                );
                std::thread::sleep(Duration::from_millis(200));
            }

            let status = interrupt(&mut console, Duration::from_secs(20));
            assert!(status.success(), "{status:?}:\n{}", out.all().join("\n"));
        },
    );
}
