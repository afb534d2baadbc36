//! JSON bodies of the citizen screen's API, through the real axum router (tower `oneshot`) with the
//! same-origin headers a browser sends. The first byte picks the endpoint; the rest is the body.
#![no_main]
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use letan_screen::link::{RobotSide, ScreenLink};
use letan_screen::server::router;
use letan_screen::ScreenParams;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8090";
const PATHS: [&str; 6] = [
    "/api/ask",
    "/api/topic",
    "/api/call_staff",
    "/api/language",
    "/api/repeat",
    "/api/confirm",
];

struct H {
    rt: tokio::runtime::Runtime,
    app: Router,
    robot: Mutex<RobotSide>,
}

fn harness() -> &'static H {
    static H: OnceLock<H> = OnceLock::new();
    H.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (link, robot) = ScreenLink::new(16);
        let app = rt
            .block_on(async { router(ScreenParams::default(), link) })
            .expect("router");
        H {
            rt,
            app,
            robot: Mutex::new(robot),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let h = harness();
    let path = PATHS[usize::from(sel) % PATHS.len()];
    let req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_vec()))
        .expect("request");
    let status = h.rt.block_on(async {
        let resp = h.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        status
    });
    assert!(
        status != StatusCode::INTERNAL_SERVER_ERROR,
        "{path}: 500 for body {:?}",
        String::from_utf8_lossy(body)
    );
    if let Ok(mut robot) = h.robot.lock() {
        while robot.inputs.try_recv().is_ok() {}
    }
});
