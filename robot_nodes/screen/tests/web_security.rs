//! The citizen screen's web-surface basics (OWASP ASVS level 1): security headers on every kind of
//! response and 413 for a 5 MB body on every POST route, with nothing reaching the robot.
#![allow(clippy::unwrap_used)]
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use letan_screen::link::ScreenLink;
use letan_screen::server::router;
use letan_screen::ScreenParams;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8090";

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
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(
        !csp.contains("unsafe-") && !csp.contains('*'),
        "{what}: {csp}"
    );
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{what}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
}

#[tokio::test]
async fn every_kind_of_screen_response_carries_the_security_headers() {
    let (link, _robot) = ScreenLink::new(16);
    let app = router(ScreenParams::default(), link).unwrap();
    let cases = [
        ("GET", "/", HOST, StatusCode::OK),
        ("GET", "/app.js", HOST, StatusCode::OK),
        ("GET", "/api/state", HOST, StatusCode::OK),
        ("GET", "/api/teleop", HOST, StatusCode::NOT_FOUND),
        ("GET", "/", "evil.example:8090", StatusCode::FORBIDDEN),
        ("POST", "/api/ask", HOST, StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ];
    for (m, path, host, want) in cases {
        let req = Request::builder()
            .method(m)
            .uri(path)
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let r = app.clone().oneshot(req).await.unwrap();
        assert_eq!(r.status(), want, "{m} {path} Host {host}");
        assert_security_headers(path, r.headers());
    }
}

#[tokio::test]
async fn a_5_mb_body_gets_413_on_every_screen_post_route() {
    let (link, mut robot) = ScreenLink::new(16);
    let app = router(ScreenParams::default(), link).unwrap();
    let big = format!("{{\"text\":\"{}\"}}", "a".repeat(5 * 1024 * 1024));
    for path in [
        "/api/ask",
        "/api/topic",
        "/api/call_staff",
        "/api/language",
        "/api/repeat",
    ] {
        let req = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big.clone()))
            .unwrap();
        let r = app.clone().oneshot(req).await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_security_headers(path, r.headers());
    }
    assert!(
        robot.inputs.try_recv().is_err(),
        "nothing reached the robot"
    );
}

/// The OpenAPI document is served and every path in it is served with its method (not 404/405),
/// and every API route the screen serves is in it.
#[tokio::test]
async fn the_openapi_document_matches_the_screen_routes() {
    let (link, _robot) = ScreenLink::new(16);
    let app = router(ScreenParams::default(), link).unwrap();
    let req = Request::get("/api/openapi.json")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(r.into_body())
        .await
        .unwrap()
        .to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let mut expected: Vec<String> = [
        "GET /api/openapi.json",
        "GET /api/config",
        "GET /api/state",
        "GET /api/events",
        "GET /api/qr.svg",
        "POST /api/ask",
        "POST /api/topic",
        "POST /api/call_staff",
        "POST /api/repeat",
        "POST /api/confirm",
        "POST /api/language",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    expected.sort();
    assert_eq!(documented, expected);
    for route in &documented {
        let (m, p) = route.split_once(' ').unwrap();
        if p == "/api/events" {
            continue; // a never-ending stream; served (tests/api.rs)
        }
        let mut b = Request::builder()
            .method(m)
            .uri(p)
            .header(header::HOST, HOST);
        if m == "POST" {
            b = b
                .header(header::ORIGIN, format!("http://{HOST}"))
                .header(header::CONTENT_TYPE, "application/json");
        }
        let r = app
            .clone()
            .oneshot(b.body(Body::from("{}")).unwrap())
            .await
            .unwrap();
        let s = r.status();
        assert!(
            s != StatusCode::METHOD_NOT_ALLOWED
                && !(s == StatusCode::NOT_FOUND && p != "/api/qr.svg"),
            "{route}: {s}"
        );
    }
}
