//! ASVS level 1 basics of the console's web surface, asserted on every kind of response: security
//! headers, body limits, the login lockout, stream limits, and the screen serving no operator route.
#![allow(clippy::unwrap_used)]
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::ManualClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::link::{robot_link, RobotEnd};
use letan_console::server::{router, ConsoleState, SESSION_ROUTES};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

const T0: u64 = 1_795_314_865_000;

fn app_with(params: ConsoleParams) -> (Router, RobotEnd, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut users = UsersFile::default();
    users
        .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
        .unwrap();
    users
        .upsert("minh", Role::Viewer, "viewer-pass-12", HashCost::CHEAP)
        .unwrap();
    let audit = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap();
    let (link, end) = robot_link(64);
    let state = ConsoleState::new(
        params,
        Accounts::from_file(&users),
        audit,
        Arc::new(ManualClock::new(T0)),
        link,
    )
    .unwrap();
    (router(state), end, dir)
}

fn assert_security_headers(what: &str, h: &HeaderMap) {
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'),
        "{what}: {csp}"
    );
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{what}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
}

fn login_req(user: &str, pw: &str, ip: [u8; 4]) -> Request<Body> {
    let mut req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": user, "password": pw}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    req
}

async fn session(app: &Router, user: &str, pw: &str) -> (String, String) {
    let r = app
        .clone()
        .oneshot(login_req(user, pw, [10, 0, 0, 9]))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = r.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    (cookie, v["csrf"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let (app, _end, _dir) = app_with(ConsoleParams::default());
    let (cookie, _) = session(&app, "lan", "operator-pass-1").await;
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        (
            "page",
            Request::get("/").body(Body::empty()).unwrap(),
            StatusCode::OK,
        ),
        (
            "script",
            Request::get("/app.js").body(Body::empty()).unwrap(),
            StatusCode::OK,
        ),
        (
            "401",
            Request::get("/api/state").body(Body::empty()).unwrap(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "404",
            Request::get("/no/such/page").body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
        ),
        (
            "405",
            Request::delete("/api/teleop").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "state",
            Request::get("/api/state")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
            StatusCode::OK,
        ),
        (
            "403 csrf",
            Request::post("/api/dock")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (what, req, want) in cases {
        let r = app.clone().oneshot(req).await.unwrap();
        assert_eq!(r.status(), want, "{what}");
        assert_security_headers(what, r.headers());
    }
}

#[tokio::test]
async fn a_5_mb_body_gets_413_on_every_post_route_and_reaches_nothing() {
    let (app, mut end, _dir) = app_with(ConsoleParams::default());
    let (cookie, csrf) = session(&app, "lan", "operator-pass-1").await;
    let big = format!(
        "{{\"text\":\"{}\",\"lang\":\"vi\"}}",
        "a".repeat(5 * 1024 * 1024)
    );
    let mut posts: Vec<&str> = SESSION_ROUTES
        .iter()
        .filter(|(m, p)| *m == "POST" && *p != "/api/logout")
        .map(|(_, p)| *p)
        .collect();
    posts.push("/api/login");
    assert!(posts.len() >= 8);
    for path in posts {
        let r = app
            .clone()
            .oneshot(
                Request::post(path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::CONTENT_LENGTH, big.len())
                    .header(header::COOKIE, &cookie)
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(big.clone()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_security_headers(path, r.headers());
    }
    assert!(
        end.commands.try_recv().is_err(),
        "nothing reached the robot"
    );
}

#[tokio::test]
async fn repeated_failed_logins_get_429_with_retry_after_even_with_the_right_password() {
    let params = ConsoleParams::default();
    let max = params.login_max_failures;
    let (app, _end, _dir) = app_with(params);
    for i in 0..max {
        let r = app
            .clone()
            .oneshot(login_req("lan", "wrong-password", [10, 0, 0, 2]))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = app
        .clone()
        .oneshot(login_req("lan", "operator-pass-1", [10, 0, 0, 2]))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 300, "{wait}");
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    assert_security_headers("429", r.headers());
}

async fn open_events(app: &Router, cookie: Option<&str>) -> axum::response::Response {
    let mut b = Request::get("/api/events");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    app.clone()
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn live_streams_need_a_session_and_are_capped_per_session_and_in_all() {
    let params = ConsoleParams {
        max_streams_per_session: 2,
        max_streams_total: 3,
        ..ConsoleParams::default()
    };
    let (app, _end, dir) = app_with(params);
    assert_eq!(
        open_events(&app, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        open_events(&app, Some("letan_session=forged"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (a, _) = session(&app, "lan", "operator-pass-1").await;
    let (b, _) = session(&app, "minh", "viewer-pass-12").await;
    let a1 = open_events(&app, Some(&a)).await;
    let a2 = open_events(&app, Some(&a)).await;
    assert_eq!((a1.status(), a2.status()), (StatusCode::OK, StatusCode::OK));
    let a3 = open_events(&app, Some(&a)).await;
    assert_eq!(a3.status(), StatusCode::TOO_MANY_REQUESTS, "per session");
    let b1 = open_events(&app, Some(&b)).await;
    assert_eq!(b1.status(), StatusCode::OK, "another session still may");
    let b2 = open_events(&app, Some(&b)).await;
    assert_eq!(b2.status(), StatusCode::TOO_MANY_REQUESTS, "in all");
    // closing a stream frees its slot
    drop(a1);
    let a4 = open_events(&app, Some(&a)).await;
    assert_eq!(a4.status(), StatusCode::OK, "slot freed on close");
    drop((a2, a4, b1));
    for _ in 0..3 {
        let r = open_events(&app, Some(&b)).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("\"action\":\"events\"") && audit.contains("rate_limited"),
        "refused streams are audited"
    );
}

/// Every operator route of the console is absent from the citizen screen (404 on the screen's
/// router), for the console's method and the other one. `/api/state` and `/api/events` exist on
/// both, with different content: the screen's carry no operator data (checked below).
#[tokio::test]
async fn the_citizen_screen_serves_no_operator_route() {
    let (console, _end, _dir) = app_with(ConsoleParams::default());
    let (link, _robot) = letan_screen::link::ScreenLink::new(16);
    let screen = letan_screen::server::router(letan_screen::ScreenParams::default(), link).unwrap();
    let mut checked = 0;
    let mut routes: Vec<(&str, &str)> = SESSION_ROUTES.to_vec();
    routes.push(("POST", "/api/login"));
    for (method, path) in routes {
        // the list is right: the console serves it (not 404)
        let req = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let r = console.clone().oneshot(req).await.unwrap();
        assert_ne!(r.status(), StatusCode::NOT_FOUND, "console {method} {path}");
        if path == "/api/state" || path == "/api/events" {
            continue;
        }
        for m in ["GET", "POST"] {
            let mut b = Request::builder()
                .method(m)
                .uri(path)
                .header(header::HOST, "127.0.0.1:8090");
            if m == "POST" {
                b = b
                    .header(header::ORIGIN, "http://127.0.0.1:8090")
                    .header(header::CONTENT_TYPE, "application/json");
            }
            let body = if m == "POST" { "{}" } else { "" };
            let r = screen
                .clone()
                .oneshot(b.body(Body::from(body)).unwrap())
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "screen {m} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 22, "{checked}");
    let r = screen
        .clone()
        .oneshot(
            Request::get("/api/state")
                .header(header::HOST, "127.0.0.1:8090")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value =
        serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap();
    for key in [
        "pose",
        "path",
        "people",
        "map",
        "camera_seq",
        "mux",
        "nodes",
        "alerts",
        "goal",
    ] {
        assert!(
            v.get(key).is_none(),
            "screen state carries operator field {key}: {v}"
        );
    }
}

/// The OpenAPI document is served, parses, and lists exactly the console's API routes (the session
/// routes plus login and itself), each with the method the router serves.
#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let (app, _end, _dir) = app_with(ConsoleParams::default());
    let r = app
        .clone()
        .oneshot(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: serde_json::Value =
        serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = SESSION_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.push(("POST".into(), "/api/login".into()));
    served.push(("GET".into(), "/api/openapi.json".into()));
    served.sort();
    assert_eq!(documented, served);
    for (m, p) in &documented {
        let req = Request::builder()
            .method(m.as_str())
            .uri(p.as_str())
            .body(Body::empty())
            .unwrap();
        let r = app.clone().oneshot(req).await.unwrap();
        assert_ne!(r.status(), StatusCode::NOT_FOUND, "{m} {p}");
        assert_ne!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{m} {p}");
    }
}
