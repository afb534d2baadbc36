//! JSON bodies of the operator console's API, sent through the real axum router (tower `oneshot`)
//! as a logged-in operator with a valid CSRF token, so that every handler's body extraction and
//! validation runs. The first byte picks the endpoint; the rest is the body.
#![no_main]
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use letan_console::audit::AuditLog;
use letan_console::auth::Accounts;
use letan_console::clock::ManualClock;
use letan_console::config::{ConsoleParams, HashCost, Role, UsersFile};
use letan_console::link::{robot_link, Place, RobotEnd, RobotState};
use letan_console::server::{router, ConsoleState};
use libfuzzer_sys::fuzz_target;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use tower::ServiceExt;

const PATHS: [&str; 9] = [
    "/api/login",
    "/api/teleop",
    "/api/goto",
    "/api/say",
    "/api/alerts/ack",
    "/api/estop",
    "/api/estop/release",
    "/api/goal/cancel",
    "/api/dock",
];

struct H {
    rt: tokio::runtime::Runtime,
    app: Router,
    end: Mutex<RobotEnd>,
    cookie: String,
    csrf: String,
}

fn with_peer(mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    req
}

fn harness() -> &'static H {
    static H: OnceLock<H> = OnceLock::new();
    H.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut users = UsersFile::default();
        users
            .upsert("lan", Role::Operator, "operator-pass-1", HashCost::CHEAP)
            .expect("user");
        // The audit log goes nowhere: millions of lines would fill the disk.
        let audit = AuditLog::open(std::path::Path::new("/dev/null")).expect("audit log");
        let (link, end) = robot_link(64);
        end.state
            .send(Arc::new(RobotState {
                places: vec![Place {
                    id: "counter_5".into(),
                    x: 4.0,
                    y: 4.0,
                }],
                ..Default::default()
            }))
            .expect("state");
        let state = ConsoleState::new(
            ConsoleParams::default(),
            Accounts::from_file(&users),
            audit,
            Arc::new(ManualClock::new(1_795_314_865_000)),
            link,
        )
        .expect("console state");
        let app = router(state);
        let (cookie, csrf) = rt.block_on(async {
            let req = with_peer(
                Request::post("/api/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        r#"{"username":"lan","password":"operator-pass-1"}"#,
                    ))
                    .expect("request"),
            );
            let resp = app.clone().oneshot(req).await.expect("login");
            assert_eq!(resp.status(), StatusCode::OK);
            let cookie = resp.headers()[header::SET_COOKIE]
                .to_str()
                .expect("cookie")
                .split(';')
                .next()
                .expect("cookie")
                .to_string();
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
            (cookie, v["csrf"].as_str().expect("csrf").to_string())
        });
        H {
            rt,
            app,
            end: Mutex::new(end),
            cookie,
            csrf,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let h = harness();
    let path = PATHS[usize::from(sel) % PATHS.len()];
    let req = with_peer(
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &h.cookie)
            .header("x-csrf-token", &h.csrf)
            .body(Body::from(body.to_vec()))
            .expect("request"),
    );
    let status = h.rt.block_on(async {
        let resp = h.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        status
    });
    // A handler may refuse the body (4xx) or the robot (503), but never fail inside (500).
    assert!(
        status != StatusCode::INTERNAL_SERVER_ERROR,
        "{path}: 500 for body {:?}",
        String::from_utf8_lossy(body)
    );
    if let Ok(mut end) = h.end.lock() {
        while end.commands.try_recv().is_ok() {}
    }
});
