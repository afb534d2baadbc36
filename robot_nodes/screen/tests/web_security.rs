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
