//! The fleet over real Zenoh on loopback: a hub (router) and robots' gateways (clients) in this
//! process, each with its own session and TCP link; the web API through the real router.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{embedded, initial_kb, until, zip_of, Client};
use letan_console::clock::SystemClock;
use letan_console::config::HashCost;
use letan_fleet::authz::Role;
use letan_fleet::gateway::{Gateway, GatewayConfig, ToRobot};
use letan_fleet::kbpkg::{self, KbVersion};
use letan_fleet::proto::{self, keys, EventKind, Outcome};
use letan_fleet::server::{router, spawn_recorder, App};
use letan_fleet::setup::{self, demo_params, demo_site_key};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tower::ServiceExt;

struct Hub {
    app: Arc<App>,
    port: u16,
    _dir: tempfile::TempDir,
}

async fn hub(sites: &[&str]) -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let port = setup::free_port().unwrap();
    let params = demo_params(dir.path(), sites, port);
    let running = setup::start(&params, Arc::new(SystemClock)).await.unwrap();
    let db = &running.app.db;
    setup::add_demo_users(db).unwrap();
    let now = 0;
    setup::add_user(
        db,
        "op-a",
        "password-op-a",
        HashCost::CHEAP,
        &[("site-a", Role::Operator), ("*", Role::Viewer)],
        now,
    )
    .unwrap();
    setup::add_user(
        db,
        "editor",
        "password-editor",
        HashCost::CHEAP,
        &[("*", Role::KbEditor)],
        now,
    )
    .unwrap();
    setup::add_user(
        db,
        "admin",
        "password-admin",
        HashCost::CHEAP,
        &[("*", Role::Admin)],
        now,
    )
    .unwrap();
    spawn_recorder(running.app.clone());
    Hub {
        app: running.app,
        port,
        _dir: dir,
    }
}

async fn robot(
    h: &Hub,
    site: &str,
    id: &str,
    key: Option<&str>,
) -> (Gateway, mpsc::Receiver<ToRobot>) {
    let cfg = GatewayConfig {
        site: site.into(),
        robot: id.into(),
        site_key: key
            .map(str::to_string)
            .unwrap_or_else(|| demo_site_key(site)),
        connect: vec![format!("tcp/127.0.0.1:{}", h.port)],
        status_period_ms: 200,
        ..GatewayConfig::default()
    };
    Gateway::start(cfg, Some(initial_kb())).await.unwrap()
}

async fn online(c: &Client, n: usize) -> bool {
    c.robots()
        .await
        .iter()
        .filter(|r| r["online"] == true)
        .count()
        == n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_robots_appear_a_kb_push_reaches_all_and_rolls_back_and_a_bad_kb_switches_none() {
    let h = hub(&["site-a", "site-b"]).await;
    let mut robots = Vec::new();
    for i in 0..6 {
        let site = if i % 2 == 0 { "site-a" } else { "site-b" };
        robots.push(robot(&h, site, &format!("r{i}"), None).await);
    }
    let viewer = Client::login(&h.app, "viewer", "letan-viewer").await;
    assert!(
        until(Duration::from_secs(10), || online(&viewer, 6))
            .await
            .is_some(),
        "{:?}",
        viewer.robots().await
    );
    let list = viewer.robots().await;
    let old = initial_kb().version;
    for r in &list {
        assert!(r["id"].is_string() && r["site"].is_string());
        assert_eq!(r["kb_version"], old.as_str());
    }

    // the editors keep the running version in the hub (roll-back goes back to it)
    let editor = Client::login(&h.app, "editor", "password-editor").await;
    let (c, v) = editor
        .call("POST", "/api/kb", Body::from(zip_of(&embedded())))
        .await;
    assert_eq!(
        (c, v["version"].as_str()),
        (StatusCode::OK, Some(old.as_str())),
        "{v}"
    );
    // a new version: one more comment line
    let mut files = embedded();
    files[0].1.push_str("\n# fleet test edit\n");
    let new = kbpkg::check(files.clone()).unwrap().version;
    let (c, v) = editor
        .call("POST", "/api/kb", Body::from(zip_of(&files)))
        .await;
    assert_eq!(c, StatusCode::OK, "{v}");
    assert_eq!(v["version"], new.as_str());
    // a viewer may not push
    let (c, _) = viewer.post("/api/kb/push", json!({"version": new})).await;
    assert_eq!(
        c,
        StatusCode::OK,
        "the call works but each robot is refused"
    );
    let (_, v) = viewer.post("/api/kb/push", json!({"version": new})).await;
    assert!(
        v.as_array().unwrap().iter().all(|r| r["ok"] == false),
        "{v}"
    );
    let (c, v) = editor.post("/api/kb/push", json!({"version": new})).await;
    assert_eq!(c, StatusCode::OK, "{v}");
    let results = v.as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert!(
        results
            .iter()
            .all(|r| r["ok"] == true && r["kb_version"] == new.as_str()),
        "{v}"
    );
    for (g, _) in &robots {
        assert_eq!(g.kb_version(), new);
    }
    // each robot's own status reports it
    assert!(until(Duration::from_secs(5), || async {
        viewer
            .robots()
            .await
            .iter()
            .all(|r| r["kb_version"] == new.as_str() && r["status"]["kb_version"] == new.as_str())
    })
    .await
    .is_some());

    // an invalid version: refused with file and line; nothing switches
    let mut bad = files.clone();
    let i = bad
        .iter()
        .position(|(n, _)| n.starts_with("intents/"))
        .unwrap();
    bad[i].1.push_str("\n  - [unclosed\n");
    let (c, v) = editor
        .call("POST", "/api/kb", Body::from(zip_of(&bad)))
        .await;
    assert_eq!(c, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let errors: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    let name = &bad[i].0;
    assert!(
        errors.iter().any(|e| e.starts_with(name.as_str())
            && e[name.len()..].starts_with(':')
            && e[name.len() + 1..].chars().next().unwrap().is_ascii_digit()),
        "file:line in {errors:?}"
    );
    // pushed around the hub's check (a forged or buggy hub), each robot checks it too and keeps its own
    let bad_kb = KbVersion {
        version: kbpkg::version_of(&bad),
        files: bad,
    };
    for (g, _) in &robots {
        let id = g_id(g);
        let r = h
            .app
            .hub
            .push_kb(site_of(&list, &id), &id, &bad_kb)
            .await
            .unwrap();
        assert!(!r.ok, "{}", r.message);
        assert!(r.message.contains(&bad_kb.files[i].0), "{}", r.message);
        assert_eq!(r.kb_version, new);
        assert_eq!(g.kb_version(), new);
    }

    // roll back: each robot returns to the version before the push
    let (c, v) = editor.post("/api/kb/rollback", json!({})).await;
    assert_eq!(c, StatusCode::OK, "{v}");
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["ok"] == true && r["kb_version"] == old.as_str()),
        "{v}"
    );
    for (g, _) in &robots {
        assert_eq!(g.kb_version(), old);
    }

    // a 100 MB upload and a zip bomb are refused with a clear error, and each with an audit line
    let last_upload_audit = || {
        h.app
            .db
            .audit_rows(50)
            .unwrap()
            .into_iter()
            .find(|r| r.action == "kb_upload")
            .unwrap()
    };
    // no Content-Length: refused while reading
    let (c, v) = editor
        .call("POST", "/api/kb", Body::from(vec![b'P'; 100 * 1024 * 1024]))
        .await;
    assert_eq!(c, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["error"].as_str().unwrap().contains("limit"), "{v}");
    let a = last_upload_audit();
    assert_eq!(
        (a.user.as_str(), a.outcome.as_str()),
        ("editor", "too_large"),
        "{a:?}"
    );
    let d: Value = serde_json::from_str(&a.detail).unwrap();
    assert!(d["content_length"].is_null(), "{d}");
    // with a Content-Length: refused before reading
    let big = 100 * 1024 * 1024u64;
    let resp = router(h.app.clone())
        .oneshot(
            Request::post("/api/kb")
                .header(header::COOKIE, &editor.cookie)
                .header("x-csrf-token", &editor.csrf)
                .header(header::CONTENT_LENGTH, big)
                .body(Body::from(vec![b'P'; 1024]))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let a = last_upload_audit();
    assert_eq!(a.outcome, "too_large", "{a:?}");
    let d: Value = serde_json::from_str(&a.detail).unwrap();
    assert_eq!(d["content_length"], big, "{d}");
    let bomb = zip_of(&[("intents/x.yaml".to_string(), "a".repeat(6 * 1024 * 1024))]);
    let (c, v) = editor.call("POST", "/api/kb", Body::from(bomb)).await;
    assert_eq!(c, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("zip bomb"), "{v}");
    let a = last_upload_audit();
    assert_eq!(a.outcome, "refused", "{a:?}");
    assert!(a.detail.contains("zip bomb"), "{a:?}");
}

fn g_id(g: &Gateway) -> String {
    // the gateways were started as r0..r5; their status carries the id
    let mut id = String::new();
    g.update(|s| id = s.robot.clone());
    id
}

fn site_of<'a>(list: &'a [Value], id: &str) -> &'a str {
    list.iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["site"].as_str())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_robot_is_offline_within_3_s() {
    let h = hub(&["site-a"]).await;
    let (keep, _rk) = robot(&h, "site-a", "keep", None).await;
    let (gone, _rg) = robot(&h, "site-a", "gone", None).await;
    let viewer = Client::login(&h.app, "viewer", "letan-viewer").await;
    assert!(until(Duration::from_secs(10), || online(&viewer, 2))
        .await
        .is_some());
    drop(gone); // no goodbye: tasks aborted, session dropped
    let took = until(Duration::from_secs(3), || async {
        viewer
            .robots()
            .await
            .iter()
            .any(|r| r["id"] == "gone" && r["online"] == false)
    })
    .await;
    assert!(
        took.is_some(),
        "still online after 3 s: {:?}",
        viewer.robots().await
    );
    let l = viewer.robots().await;
    assert!(
        l.iter().any(|r| r["id"] == "keep" && r["online"] == true),
        "{l:?}"
    );
    drop(keep);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teleop_moves_only_the_chosen_robot_and_stops_when_the_hub_link_drops() {
    let h = hub(&["site-a"]).await;
    let (_g1, mut rx1) = robot(&h, "site-a", "r1", None).await;
    let (_g2, mut rx2) = robot(&h, "site-a", "r2", None).await;
    let op = Client::login(&h.app, "operator", "letan-operator").await;
    assert!(until(Duration::from_secs(10), || online(&op, 2))
        .await
        .is_some());
    for _ in 0..5 {
        let (c, v) = op
            .post(
                "/api/robots/r1/command",
                json!({"type": "teleop", "linear": 0.3, "angular": 0.0}),
            )
            .await;
        assert_eq!(c, StatusCode::OK, "{v}");
        assert_eq!(v["ok"], true, "{v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut got = Vec::new();
    while let Ok(m) = rx1.try_recv() {
        got.push(m);
    }
    assert_eq!(
        got.iter()
            .filter(|m| matches!(m, ToRobot::Teleop { linear, .. } if *linear == 0.3))
            .count(),
        5,
        "{got:?}"
    );
    assert!(rx2.try_recv().is_err(), "the other robot got nothing");
    // the hub goes away mid-drive: the robot stops on its own
    let (c, _) = op
        .post(
            "/api/robots/r1/command",
            json!({"type": "teleop", "linear": 0.3, "angular": 0.0}),
        )
        .await;
    assert_eq!(c, StatusCode::OK);
    let last = Instant::now();
    let app = h.app.clone();
    drop(op);
    drop(h);
    // closing the hub's Zenoh session drops every link
    if let Ok(hub) = Arc::try_unwrap(app).map(|a| a.hub.clone()) {
        if let Ok(hub) = Arc::try_unwrap(hub) {
            hub.close().await;
        }
    }
    let stop = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match rx1.recv().await {
                Some(ToRobot::TeleopStop) => return last.elapsed(),
                Some(_) => continue,
                None => panic!("gateway gone"),
            }
        }
    })
    .await
    .expect("no stop within 2 s");
    assert!(
        stop <= Duration::from_millis(500) + Duration::from_millis(150),
        "stopped after {stop:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_and_other_sites_operators_cannot_command_and_forgeries_are_refused() {
    let h = hub(&["site-a", "site-b"]).await;
    let (_ga, mut rxa) = robot(&h, "site-a", "ra", None).await;
    let (_gb, mut rxb) = robot(&h, "site-b", "rb", None).await;
    let viewer = Client::login(&h.app, "viewer", "letan-viewer").await;
    assert!(until(Duration::from_secs(10), || online(&viewer, 2))
        .await
        .is_some());
    let estop = json!({"type": "estop", "engage": true});
    let (c, v) = viewer.post("/api/robots/ra/command", estop.clone()).await;
    assert_eq!(c, StatusCode::FORBIDDEN, "{v}");
    let op_a = Client::login(&h.app, "op-a", "password-op-a").await;
    let (c, v) = op_a.post("/api/robots/rb/command", estop.clone()).await;
    assert_eq!(c, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("site-b"), "{v}");
    let (c, v) = op_a.post("/api/robots/ra/command", estop.clone()).await;
    assert_eq!((c, v["ok"].clone()), (StatusCode::OK, json!(true)), "{v}");
    assert_eq!(rxa.recv().await, Some(ToRobot::Estop(true)));
    assert!(rxb.try_recv().is_err());
    // without the CSRF token: refused before anything happens
    let req = Request::post("/api/robots/ra/command")
        .header(header::COOKIE, &op_a.cookie)
        .body(Body::from(estop.to_string()))
        .unwrap();
    assert_eq!(
        router(h.app.clone()).oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // every command is audited: who, robot, result
    let admin = Client::login(&h.app, "admin", "password-admin").await;
    let (_, rows) = admin.get("/api/audit").await;
    let rows = rows.as_array().unwrap();
    let has = |user: &str, robot: &str, outcome: &str| {
        rows.iter().any(|r| {
            r["user"] == user
                && r["robot"] == robot
                && r["outcome"] == outcome
                && r["action"] == "estop"
        })
    };
    assert!(
        has("viewer", "ra", "denied") && has("op-a", "rb", "denied") && has("op-a", "ra", "ok"),
        "{rows:?}"
    );
    let (c, _) = viewer.get("/api/audit").await;
    assert_eq!(c, StatusCode::FORBIDDEN);

    // a command signed with another site's key never reaches the robot
    let s = zenoh::open(
        letan_fleet::zenoh_config("client", &[], &[format!("tcp/127.0.0.1:{}", h.port)]).unwrap(),
    )
    .await
    .unwrap();
    let forged = proto::Command {
        v: proto::PROTOCOL_VERSION,
        site: "site-a".into(),
        robot: "ra".into(),
        id: u64::MAX,
        ts_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
        user: "mallory".into(),
        role: Role::Admin,
        body: proto::CommandBody::Estop { engage: false },
    };
    let replies = s
        .get(keys::key("site-a", "ra", keys::CMD))
        .payload(proto::encode(&forged, demo_site_key("site-b").as_bytes()))
        .await
        .unwrap();
    let reply = replies.recv_async().await.unwrap();
    let r: proto::Reply = proto::decode(
        "reply",
        &reply.result().unwrap().payload().to_bytes(),
        8192,
        "site-a",
        demo_site_key("site-a").as_bytes(),
    )
    .unwrap();
    assert!(!r.ok && r.message.contains("wrong site key"), "{r:?}");
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rxa.recv())
            .await
            .is_err(),
        "nothing reached the robot"
    );

    // bad payloads on the hub's keys: junk, oversized, a robot with the wrong site key, a duplicate id
    s.put(keys::key("site-a", "ra", keys::STATUS), vec![0xffu8; 100])
        .await
        .unwrap();
    s.put(keys::key("site-a", "ra", keys::EVENTS), vec![b'a'; 100_000])
        .await
        .unwrap();
    let (_wrong, _rw) = robot(&h, "site-a", "wrongkey", Some("a-key-that-is-not-site-a")).await;
    let (_dup, _rd) = robot(&h, "site-b", "ra", None).await;
    let refused = until(Duration::from_secs(5), || async {
        let (_, rows) = admin.get("/api/audit").await;
        let rows = rows.as_array().unwrap().clone();
        let r = |s: &str| {
            rows.iter().any(|x| {
                x["action"] == "payload_refused" && x["detail"].as_str().unwrap().contains(s)
            })
        };
        r("malformed") && r("cap") && r("wrong site key") && r("duplicate robot id")
    })
    .await;
    assert!(refused.is_some(), "{:?}", admin.get("/api/audit").await.1);
    let list = viewer.robots().await;
    assert!(!list.iter().any(|r| r["id"] == "wrongkey"), "{list:?}");
    assert_eq!(
        list.iter().find(|r| r["id"] == "ra").unwrap()["site"],
        "site-a",
        "the first ra keeps its place"
    );
    s.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_counted_per_site_and_day_with_redacted_unanswered_texts() {
    let h = hub(&["site-a"]).await;
    let (g, _rx) = robot(&h, "site-a", "r1", None).await;
    let viewer = Client::login(&h.app, "viewer", "letan-viewer").await;
    assert!(until(Duration::from_secs(10), || online(&viewer, 1))
        .await
        .is_some());
    for (intent, outcome, text) in [
        ("birth_registration", Outcome::Answered, None),
        ("birth_registration", Outcome::HandedToStaff, None),
        (
            "unknown",
            Outcome::Unanswered,
            Some("tên tôi là Nguyễn An, số 0912345678, đổi ngoại tệ ở đâu"),
        ),
    ] {
        g.event(EventKind::Question {
            intent: intent.into(),
            outcome,
            text: text.map(str::to_string),
        })
        .await
        .unwrap();
    }
    let got = until(Duration::from_secs(5), || async {
        viewer.get("/api/asked?site=site-a").await.1["served"] == 3
    })
    .await;
    let (_, a) = viewer.get("/api/asked?site=site-a").await;
    assert!(got.is_some(), "{a}");
    assert_eq!(
        (
            a["answered"].as_u64(),
            a["handed_to_staff"].as_u64(),
            a["unanswered"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{a}"
    );
    assert_eq!(a["intents"][0], json!(["birth_registration", 2]));
    let q = a["unanswered_questions"][0].as_str().unwrap();
    assert!(
        q.contains("đổi ngoại tệ") && !q.contains("Nguyễn") && !q.contains("0912345678"),
        "{q}"
    );
}
