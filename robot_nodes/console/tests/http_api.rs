//! In-process HTTP tests of the console (tower `oneshot`), with a manual clock and a recording robot end.
#![allow(clippy::unwrap_used)]
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::ManualClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::link::{
    robot_link, Alert, BlurredJpeg, OperatorCommand, Place, RobotEnd, RobotState,
};
use letan_console::server::{router, ConsoleState};
use letan_mux::Twist2;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

const T0: u64 = 1_795_314_865_000;

struct H {
    app: Router,
    clock: ManualClock,
    end: RobotEnd,
    dir: tempfile::TempDir,
    params: ConsoleParams,
}

fn harness_with(params: ConsoleParams) -> H {
    let dir = tempfile::tempdir().unwrap();
    let mut users = UsersFile::default();
    users
        .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
        .unwrap();
    users
        .upsert("minh", Role::Viewer, "viewer-pass-12", HashCost::CHEAP)
        .unwrap();
    let audit = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap();
    let clock = ManualClock::new(T0);
    let (link, end) = robot_link(64);
    end.state
        .send(Arc::new(RobotState {
            places: vec![Place {
                id: "queue_kiosk".into(),
                x: 4.0,
                y: 4.0,
            }],
            alerts: vec![Alert {
                id: 1,
                at_ms: T0,
                text: "help".into(),
                acknowledged_by: None,
            }],
            camera: Some(
                BlurredJpeg::from_blurred_stream(letan_console::fake::DEMO_JPEG.to_vec()).unwrap(),
            ),
            camera_seq: 1,
            ..Default::default()
        }))
        .unwrap();
    let state = ConsoleState::new(
        params.clone(),
        Accounts::from_file(&users),
        audit,
        Arc::new(clock.clone()),
        link,
    )
    .unwrap();
    H {
        app: router(state),
        clock,
        end,
        dir,
        params,
    }
}

fn harness() -> H {
    harness_with(ConsoleParams::default())
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl H {
    async fn call(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
        }
    }

    async fn login_from(&self, user: &str, pw: &str, ip: [u8; 4]) -> Resp {
        let mut req = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": user, "password": pw}).to_string(),
            ))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        self.call(req).await
    }

    async fn login(&self, user: &str, pw: &str) -> Resp {
        self.login_from(user, pw, [10, 0, 0, 1]).await
    }

    /// Log in and return (cookie header value, csrf).
    async fn session(&self, user: &str, pw: &str) -> (String, String) {
        let r = self.login(user, pw).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let set = r
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let cookie = set.split(';').next().unwrap().to_string();
        (cookie, r.body["csrf"].as_str().unwrap().to_string())
    }

    async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: Option<&str>,
        body: Value,
    ) -> Resp {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = csrf {
            b = b.header("x-csrf-token", t);
        }
        self.call(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.call(b.body(Body::empty()).unwrap()).await
    }

    fn commands(&mut self) -> Vec<OperatorCommand> {
        let mut v = Vec::new();
        while let Ok(c) = self.end.commands.try_recv() {
            v.push(c);
        }
        v
    }

    fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

#[tokio::test]
async fn login_ok_sets_a_strict_httponly_expiring_cookie() {
    let h = harness();
    let r = h.login("lan", "operator-pass-1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["role"], "operator");
    assert_eq!(r.body["csrf"].as_str().unwrap().len(), 64);
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.starts_with("letan_session="), "{set}");
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        &format!("Max-Age={}", h.params.session_ttl_s),
    ] {
        assert!(set.contains(part), "{set} lacks {part}");
    }
    assert!(
        !set.contains(r.body["csrf"].as_str().unwrap()),
        "the CSRF token is not the session token"
    );
}

#[tokio::test]
async fn login_fails_with_wrong_password_or_unknown_user() {
    let h = harness();
    let r = h.login("lan", "operator-pass-2").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    let r = h.login("nobody", "operator-pass-1").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let lines = h.audit_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["action"], "login");
    assert_eq!(lines[0]["outcome"], "failed");
    assert_eq!(lines[0]["user"], "lan");
    assert_eq!(lines[0]["client"], "10.0.0.1");
}

#[tokio::test]
async fn login_rate_limit_kicks_in_then_expires() {
    let h = harness(); // 5 failures per 300 s
    for _ in 0..5 {
        assert_eq!(
            h.login("lan", "wrong-password").await.status,
            StatusCode::UNAUTHORIZED
        );
        h.clock.advance_ms(1000);
    }
    // even the right password is refused now, with Retry-After
    let r = h.login("lan", "operator-pass-1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((290..=300).contains(&retry), "{retry}");
    // the same client address is blocked for other names too
    assert_eq!(
        h.login("minh", "viewer-pass-12").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // and the name is blocked from other addresses
    assert_eq!(
        h.login_from("lan", "operator-pass-1", [10, 0, 0, 9])
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // another user from another address is fine
    assert_eq!(
        h.login_from("minh", "viewer-pass-12", [10, 0, 0, 9])
            .await
            .status,
        StatusCode::OK
    );
    assert!(h
        .audit_lines()
        .iter()
        .any(|l| l["outcome"] == "rate_limited"));
    h.clock.advance_ms(300_000);
    assert_eq!(
        h.login("lan", "operator-pass-1").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn everything_but_the_page_needs_a_session() {
    let h = harness();
    assert_eq!(h.get("/", None).await.status, StatusCode::OK);
    for path in [
        "/api/state",
        "/api/session",
        "/api/camera.jpg",
        "/api/events",
    ] {
        assert_eq!(
            h.get(path, None).await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    for path in [
        "/api/teleop",
        "/api/estop",
        "/api/estop/release",
        "/api/goto",
        "/api/dock",
        "/api/say",
        "/api/alerts/ack",
        "/api/logout",
    ] {
        let r = h
            .post(path, None, None, json!({"linear": 0.1, "angular": 0.0}))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        let r = h
            .post(path, Some("letan_session=forged"), Some("x"), json!({}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{path} with a forged cookie"
        );
    }
}

#[tokio::test]
async fn viewer_cannot_drive_or_command_but_can_watch_and_estop() {
    let mut h = harness();
    let (cookie, csrf) = h.session("minh", "viewer-pass-12").await;
    assert_eq!(
        h.get("/api/state", Some(&cookie)).await.status,
        StatusCode::OK
    );
    for (path, body) in [
        ("/api/teleop", json!({"linear": 0.2, "angular": 0.0})),
        ("/api/estop/release", json!({})),
        ("/api/goto", json!({"place": "queue_kiosk"})),
        ("/api/dock", json!({})),
        ("/api/say", json!({"text": "xin chào", "lang": "vi"})),
        ("/api/alerts/ack", json!({"id": 1})),
    ] {
        let r = h.post(path, Some(&cookie), Some(&csrf), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(h.commands().is_empty(), "nothing reached the robot");
    let r = h
        .post("/api/estop", Some(&cookie), Some(&csrf), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        h.commands(),
        vec![OperatorCommand::EStop {
            operator: "minh".into()
        }]
    );
    let denied = h
        .audit_lines()
        .into_iter()
        .filter(|l| l["outcome"] == "denied")
        .count();
    assert_eq!(denied, 6);
}

#[tokio::test]
async fn operator_can_drive_and_teleop_is_clamped() {
    let mut h = harness();
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    let r = h
        .post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf),
            json!({"linear": 0.2, "angular": -0.1, "source": "keyboard"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = h
        .post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf),
            json!({"linear": 9.0, "angular": -9.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["linear"], 0.3);
    let r = h
        .post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf),
            json!({"linear": 0.0, "angular": 0.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        h.commands(),
        vec![
            OperatorCommand::Teleop {
                operator: "lan".into(),
                twist: Twist2::new(0.2, -0.1)
            },
            OperatorCommand::Teleop {
                operator: "lan".into(),
                twist: Twist2::new(0.3, -0.8)
            },
            OperatorCommand::Teleop {
                operator: "lan".into(),
                twist: Twist2::ZERO
            },
        ]
    );
    // teleop is audited on start and stop, not at 10 Hz
    let actions: Vec<String> = h
        .audit_lines()
        .iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, vec!["login", "teleop_start", "teleop_stop"]);
}

#[tokio::test]
async fn expired_and_idle_sessions_are_rejected() {
    let h = harness_with(ConsoleParams {
        session_ttl_s: 600,
        session_idle_s: 120,
        ..Default::default()
    });
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    h.clock.advance_ms(100_000);
    assert_eq!(
        h.get("/api/state", Some(&cookie)).await.status,
        StatusCode::OK
    );
    h.clock.advance_ms(121_000);
    assert_eq!(
        h.get("/api/state", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED,
        "idle"
    );
    let (cookie, csrf2) = h.session("lan", "operator-pass-1").await;
    assert_ne!(csrf, csrf2);
    for _ in 0..5 {
        h.clock.advance_ms(100_000);
        assert_eq!(
            h.get("/api/state", Some(&cookie)).await.status,
            StatusCode::OK
        );
    }
    h.clock.advance_ms(99_000);
    assert_eq!(
        h.get("/api/state", Some(&cookie)).await.status,
        StatusCode::OK
    );
    h.clock.advance_ms(1_000);
    let r = h
        .post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf2),
            json!({"linear": 0.1, "angular": 0.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "absolute ttl");
}

#[tokio::test]
async fn csrf_and_cross_origin_requests_are_rejected() {
    let mut h = harness();
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    let body = json!({"linear": 0.1, "angular": 0.0});
    assert_eq!(
        h.post("/api/teleop", Some(&cookie), None, body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        h.post(
            "/api/teleop",
            Some(&cookie),
            Some("0".repeat(64).as_str()),
            body.clone()
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        h.post("/api/estop", Some(&cookie), None, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        h.post("/api/logout", Some(&cookie), None, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // right token but another site's Origin
    let req = Request::post("/api/teleop")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::from(body.to_string()))
        .unwrap();
    assert_eq!(h.call(req).await.status, StatusCode::FORBIDDEN);
    // a form post (no JSON content type) is refused even with the token
    let req = Request::post("/api/teleop")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .body(Body::from("linear=0.1&angular=0"))
        .unwrap();
    assert_eq!(h.call(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(h.commands().is_empty());
    // same origin + token works
    let req = Request::post("/api/teleop")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .body(Body::from(body.to_string()))
        .unwrap();
    assert_eq!(h.call(req).await.status, StatusCode::OK);
    assert_eq!(h.commands().len(), 1);
    assert!(
        h.audit_lines()
            .iter()
            .filter(|l| l["outcome"] == "csrf_rejected")
            .count()
            >= 4
    );
}

#[tokio::test]
async fn malformed_json_gets_400_and_the_server_keeps_working() {
    let mut h = harness();
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    for raw in [
        "{",
        "[]",
        "{\"linear\": \"fast\", \"angular\": 0}",
        "{\"linear\": 0.1}",
        "{\"linear\":1e999,\"angular\":0}",
        "\u{0}\u{1}",
        "{\"linear\":0,\"angular\":0,\"turbo\":true}",
    ] {
        let req = Request::post("/api/teleop")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .body(Body::from(raw))
            .unwrap();
        let r = h.call(req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{raw:?} -> {:?}", r.body);
        assert!(r.body["error"].is_string());
    }
    let r = h.login("lan", "operator-pass-1").await;
    assert_eq!(r.status, StatusCode::OK);
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("nope"))
        .unwrap();
    assert_eq!(h.call(req).await.status, StatusCode::BAD_REQUEST);
    // oversized body
    let big = json!({"text": "a".repeat(40_000), "lang": "vi"});
    let r = h.post("/api/say", Some(&cookie), Some(&csrf), big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(h.commands().is_empty());
}

#[tokio::test]
async fn goto_dock_say_ack_and_release_reach_the_robot_and_are_audited() {
    let mut h = harness();
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    let c = Some(cookie.as_str());
    let t = Some(csrf.as_str());
    assert_eq!(
        h.post("/api/goto", c, t, json!({"place": "queue_kiosk"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post("/api/goto", c, t, json!({"place": "moon"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post("/api/dock", c, t, json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.post(
            "/api/say",
            c,
            t,
            json!({"text": "  Xin chờ một chút  ", "lang": "vi"})
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post("/api/say", c, t, json!({"text": "hi", "lang": "fr"}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post("/api/say", c, t, json!({"text": "   ", "lang": "en"}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post(
            "/api/say",
            c,
            t,
            json!({"text": "x".repeat(301), "lang": "en"})
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post("/api/alerts/ack", c, t, json!({"id": 1}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post("/api/alerts/ack", c, t, json!({"id": 77}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post("/api/estop", c, t, json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.post("/api/estop/release", c, t, json!({})).await.status,
        StatusCode::OK
    );
    let cmds = h.commands();
    assert_eq!(cmds.len(), 6);
    assert!(matches!(&cmds[0], OperatorCommand::GoTo { place, .. } if place == "queue_kiosk"));
    assert!(matches!(&cmds[1], OperatorCommand::Dock { .. }));
    assert!(matches!(&cmds[2], OperatorCommand::Say { text, .. } if text == "Xin chờ một chút"));
    assert!(matches!(&cmds[3], OperatorCommand::AckAlert { id: 1, .. }));
    assert!(matches!(&cmds[4], OperatorCommand::EStop { .. }));
    assert!(matches!(&cmds[5], OperatorCommand::ReleaseEStop { .. }));
    let lines = h.audit_lines();
    let find = |a: &str| lines.iter().find(|l| l["action"] == a).unwrap().clone();
    assert_eq!(find("goto")["detail"]["place"], "queue_kiosk");
    assert_eq!(find("say")["detail"]["text"], "Xin chờ một chút");
    assert_eq!(find("say")["user"], "lan");
    assert_eq!(find("estop")["role"], "operator");
    assert_eq!(find("estop")["ts"], "2026-11-22T02:34:25.000Z");
    assert_eq!(find("estop")["ts_ms"], T0);
    for l in &lines {
        for k in ["ts", "ts_ms", "user", "action", "outcome"] {
            assert!(!l[k].is_null(), "{l} lacks {k}");
        }
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_stops_driving() {
    let mut h = harness();
    let (cookie, csrf) = h.session("lan", "operator-pass-1").await;
    assert_eq!(
        h.post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf),
            json!({"linear": 0.2, "angular": 0.0})
        )
        .await
        .status,
        StatusCode::OK
    );
    let r = h
        .post("/api/logout", Some(&cookie), Some(&csrf), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let cmds = h.commands();
    assert_eq!(
        cmds.last(),
        Some(&OperatorCommand::Teleop {
            operator: "lan".into(),
            twist: Twist2::ZERO
        })
    );
    let r = h
        .post(
            "/api/teleop",
            Some(&cookie),
            Some(&csrf),
            json!({"linear": 0.2, "angular": 0.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(h.commands().is_empty());
}

#[tokio::test]
async fn camera_state_and_page_are_served_safely() {
    let h = harness();
    let (cookie, _) = h.session("minh", "viewer-pass-12").await;
    let resp = h
        .app
        .clone()
        .oneshot(
            Request::get("/api/camera.jpg")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/jpeg");
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
    let s = h.get("/api/state", Some(&cookie)).await;
    assert_eq!(s.body["places"][0]["id"], "queue_kiosk");
    assert!(s.body.get("camera").is_none());
    let page = h.get("/", None).await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    for asset in ["/", "/app.js", "/app.css"] {
        let resp = h
            .app
            .clone()
            .oneshot(Request::get(asset).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let text = String::from_utf8(
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
            "{asset} must work offline"
        );
    }
}

#[tokio::test]
async fn live_state_is_pushed_over_sse() {
    let h = harness();
    let (cookie, _) = h.session("minh", "viewer-pass-12").await;
    let resp = h
        .app
        .clone()
        .oneshot(
            Request::get("/api/events")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = resp.into_body();
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8(frame.into_data().unwrap().to_vec()).unwrap();
    assert!(text.starts_with("event: state\n"), "{text}");
    assert!(text.contains("queue_kiosk"), "{text}");
}
