//! Deadman through the whole console path: an operator drives at 10 Hz, stops sending, and the fake
//! robot (which runs the real mux) goes to zero within the mux timeout. Also: e-stop stops at once.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::SystemClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::fake::FakeRobot;
use letan_console::link::robot_link;
use letan_console::server::{router, ConsoleState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value, Option<String>) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        cookie,
    )
}

fn post(path: &str, cookie: &str, csrf: &str, body: Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teleop_stops_when_commands_stop_arriving_and_on_estop() {
    let dir = tempfile::tempdir().unwrap();
    let mut users = UsersFile::default();
    users
        .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
        .unwrap();
    let clock = Arc::new(SystemClock);
    let (link, end) = robot_link(64);
    let robot = FakeRobot::spawn(end, clock.clone(), Duration::from_millis(20));
    let state = ConsoleState::new(
        ConsoleParams::default(),
        Accounts::from_file(&users),
        AuditLog::open(&dir.path().join("a.jsonl")).unwrap(),
        clock,
        link,
    )
    .unwrap();
    let app = router(state);
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": "lan", "password": "operator-pass-1"}).to_string(),
        ))
        .unwrap();
    let (status, body, cookie) = call(&app, login).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie.unwrap();
    let csrf = body["csrf"].as_str().unwrap().to_string();

    // hold "forward" for 1 s at 10 Hz
    for _ in 0..10 {
        let (s, _, _) = call(
            &app,
            post(
                "/api/teleop",
                &cookie,
                &csrf,
                json!({"linear": 0.3, "angular": 0.0}),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let v = *robot.cmd_vel.borrow();
    assert!(
        v.linear_x > 0.2,
        "robot drives while commands arrive: {v:?}"
    );
    // the browser dies: nothing more arrives, not even a zero
    let stopped_sending = tokio::time::Instant::now();
    let mut rx = robot.cmd_vel.clone();
    tokio::time::timeout(Duration::from_secs(2), rx.wait_for(|t| t.is_zero()))
        .await
        .unwrap()
        .unwrap();
    let took = stopped_sending.elapsed();
    assert!(
        took <= Duration::from_millis(1500),
        "stopped after {took:?} (mux timeout 0.5 s)"
    );
    assert!(
        took >= Duration::from_millis(300),
        "did not stop before the timeout: {took:?}"
    );
    {
        let log = robot.log.lock().unwrap();
        let (_, last) = log.cmd_vel.last().unwrap();
        assert!(last.is_zero());
        assert!(log.cmd_vel.iter().any(|(_, t)| t.linear_x > 0.2));
    }

    // drive again, then press the e-stop mid-drive: zero immediately and stays zero while teleop continues
    for _ in 0..5 {
        call(
            &app,
            post(
                "/api/teleop",
                &cookie,
                &csrf,
                json!({"linear": 0.3, "angular": 0.0}),
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(robot.cmd_vel.borrow().linear_x > 0.0);
    let (s, _, _) = call(&app, post("/api/estop", &cookie, &csrf, json!({}))).await;
    assert_eq!(s, StatusCode::OK);
    let mut rx = robot.cmd_vel.clone();
    tokio::time::timeout(Duration::from_millis(200), rx.wait_for(|t| t.is_zero()))
        .await
        .unwrap()
        .unwrap();
    for _ in 0..4 {
        call(
            &app,
            post(
                "/api/teleop",
                &cookie,
                &csrf,
                json!({"linear": 0.3, "angular": 0.0}),
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(robot.cmd_vel.borrow().is_zero(), "e-stop holds");
    }
    // release, and driving works again
    call(&app, post("/api/estop/release", &cookie, &csrf, json!({}))).await;
    for _ in 0..5 {
        call(
            &app,
            post(
                "/api/teleop",
                &cookie,
                &csrf,
                json!({"linear": 0.3, "angular": 0.0}),
            ),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(robot.cmd_vel.borrow().linear_x > 0.0);
}
