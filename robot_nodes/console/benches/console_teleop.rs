//! Console hot paths, in-process (no sockets): an operator's teleop request through the router
//! (session, CSRF, JSON, clamp, audit bookkeeping) to the robot end of the link and through the mux to a
//! `/cmd_vel` value; and an e-stop request to a zero `/cmd_vel`.
#![allow(clippy::disallowed_methods)] // a bench measures wall time
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::SystemClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::link::{robot_link, OperatorCommand};
use letan_console::server::{router, ConsoleState};
use letan_mux::{InputId, Mux, MuxParams, Twist2};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn req(path: &str, cookie: &str, csrf: &str, body: &'static str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut users = UsersFile::default();
    users
        .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
        .unwrap_or_else(|e| panic!("{e}"));
    let (link, mut end) = robot_link(64);
    let state = ConsoleState::new(
        ConsoleParams::default(),
        Accounts::from_file(&users),
        AuditLog::open(&dir.path().join("a.jsonl")).unwrap_or_else(|e| panic!("{e}")),
        Arc::new(SystemClock),
        link,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let app = router(state);
    let (cookie, csrf) = rt.block_on(async {
        let login = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"username":"lan","password":"operator-pass-1"}"#,
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        let resp = app
            .clone()
            .oneshot(login)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let cookie = resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
        (cookie, v["csrf"].as_str().unwrap_or_default().to_string())
    });
    let mut params = MuxParams::default();
    params.estop.require_heartbeat = false;
    params.estop.start_latched = false;
    params.limits.max_linear_accel_mps2 = 1e6;
    let mut mux = Mux::new(params).unwrap_or_else(|e| panic!("{e}"));
    let t0 = Instant::now();
    mux.output(Duration::ZERO);

    c.bench_function("teleop_request_to_cmd_vel", |b| {
        b.iter(|| {
            rt.block_on(async {
                let resp = app
                    .clone()
                    .oneshot(req(
                        "/api/teleop",
                        &cookie,
                        &csrf,
                        r#"{"linear":0.2,"angular":0.1}"#,
                    ))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(resp.status(), StatusCode::OK);
                let Some(OperatorCommand::Teleop { twist, .. }) = end.commands.recv().await else {
                    panic!("no teleop command")
                };
                let now = t0.elapsed();
                mux.feed(InputId::ConsoleTeleop, twist, now)
                    .unwrap_or_else(|e| panic!("{e}"));
                let (out, _) = mux.output(now);
                assert!(out.linear_x > 0.0);
            })
        })
    });

    c.bench_function("estop_request_to_zero_cmd_vel", |b| {
        b.iter(|| {
            rt.block_on(async {
                let now = t0.elapsed();
                mux.feed(InputId::ConsoleTeleop, Twist2::new(0.2, 0.0), now)
                    .unwrap_or_else(|e| panic!("{e}"));
                let resp = app
                    .clone()
                    .oneshot(req("/api/estop", &cookie, &csrf, "{}"))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(resp.status(), StatusCode::OK);
                let Some(OperatorCommand::EStop { .. }) = end.commands.recv().await else {
                    panic!("no e-stop command")
                };
                mux.engage(now);
                let (out, _) = mux.output(now);
                assert!(out.is_zero());
                mux.release(now).unwrap_or_else(|e| panic!("{e}"));
            })
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
