//! The hub's web API against its OpenAPI document (`assets/openapi.json`): the document lists every
//! route the router serves and no other, with the methods served; the security headers; refusals
//! answered as JSON (400, 401, 403, 413); `GET /api/asked` for one robot. The hub is real (Zenoh
//! router on loopback, SQLite in a temp folder) but has no robots.
#![allow(clippy::unwrap_used)]
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::Client;
use http_body_util::BodyExt;
use letan_console::clock::SystemClock;
use letan_fleet::proto::Outcome;
use letan_fleet::server::{api_routes, router, App, MAX_JSON_BYTES};
use letan_fleet::setup::{self, demo_params};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use tower::ServiceExt;

async fn hub() -> (Arc<App>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let port = setup::free_port().unwrap();
    let params = demo_params(dir.path(), &["site-a", "site-b"], port);
    let running = setup::start(&params, Arc::new(SystemClock)).await.unwrap();
    setup::add_demo_users(&running.app.db).unwrap();
    (running.app, dir)
}

async fn send(app: &Arc<App>, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let r = router(app.clone()).oneshot(req).await.unwrap();
    let (code, headers) = (r.status(), r.headers().clone());
    (
        code,
        headers,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

/// Every (method, path) of the router's API routes: each path of [`api_routes`] (the router adds
/// nothing else under /api) with each method it does not answer 405 to.
async fn served(app: &Arc<App>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, _) in api_routes() {
        let uri = path.replace("{id}", "x").replace("{leaf}", "map");
        for m in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ] {
            let req = Request::builder()
                .method(m.clone())
                .uri(&uri)
                .body(Body::empty())
                .unwrap();
            let (code, _, _) = send(app, req).await;
            assert_ne!(code, StatusCode::NOT_FOUND, "{m} {uri}");
            if code != StatusCode::METHOD_NOT_ALLOWED {
                out.insert((m.to_string(), path.to_string()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_exactly_the_routes_the_router_serves() {
    let (app, _dir) = hub().await;
    let (code, headers, body) = send(
        &app,
        Request::get("/api/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|c| c.starts_with('2')),
                "{method} {path}: a success answer"
            );
            // a route behind a session documents its refusal
            if op["security"].as_array().is_none_or(|s| !s.is_empty()) {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
            if op["security"].to_string().contains("csrf") {
                assert!(responses.contains_key("403"), "{method} {path}: 403");
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("413"), "{method} {path}: 413");
                assert!(responses.contains_key("400"), "{method} {path}: 400");
            }
        }
    }
    let served = served(&app).await;
    assert_eq!(
        documented, served,
        "the document's operations are the router's API routes"
    );
    // every $ref resolves
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/").skip(1) {
        let target = &part[..part.find('"').unwrap()];
        let mut v = &doc;
        for key in target.split('/') {
            v = &v[key];
        }
        assert!(!v.is_null(), "unresolved $ref #/{target}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_has_the_security_headers_and_the_page_no_inline_script() {
    let (app, _dir) = hub().await;
    for uri in [
        "/",
        "/app.js",
        "/app.css",
        "/api/robots",
        "/api/openapi.json",
        "/nowhere",
    ] {
        let (_, h, _) = send(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self';") && !csp.contains("unsafe-inline"),
            "{uri}: {csp}"
        );
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
    }
    let (_, _, page) = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("<script>") && !page.contains("<style") && !page.contains("style="));
    assert!(page.contains(r#"<script src="/app.js" defer></script>"#));
    let (_, _, js) = send(&app, Request::get("/app.js").body(Body::empty()).unwrap()).await;
    assert!(
        !String::from_utf8(js).unwrap().contains("innerHTML"),
        "text only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_json_and_asked_can_be_one_robots() {
    let (app, _dir) = hub().await;
    let json_of = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap();
    // 401 without a session
    let (code, _, body) = send(
        &app,
        Request::get("/api/asked?site=site-a")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(json_of(&body)["error"].is_string());
    // 413 for a JSON body over the limit, as JSON
    let big = json!({"username": "x".repeat(MAX_JSON_BYTES), "password": "p"}).to_string();
    let (code, _, body) = send(
        &app,
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(json_of(&body)["error"].as_str().unwrap().contains("bytes"));

    let viewer = Client::login(&app, "viewer", "letan-viewer").await;
    // 400 as JSON: no site, a malformed day
    for uri in [
        "/api/asked",
        "/api/asked?day=2026-12-06",
        "/api/asked?site=site-a&day=yesterday",
    ] {
        let (code, v) = viewer.get(uri).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{uri}");
        assert!(v["error"].is_string(), "{uri}: {v}");
    }
    // a JSON body must be an object (serde would fill a struct from an array, in order)
    let (code, v) = viewer
        .call("POST", "/api/kb/rollback", Body::from("[null, null]"))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{v}");
    // a viewer may not command (403 once the robot is known; 404 for an unknown one), as JSON
    let (code, v) = viewer
        .post(
            "/api/robots/nobody/command",
            json!({"type": "estop", "engage": true}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{v}");
    let (code, v) = viewer.get("/api/audit").await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{v}");

    // what was asked: the site's, then one robot's
    let day = "2026-12-06";
    for (ts, robot, intent, outcome, text) in [
        (1, "a1", "birth", Outcome::Answered, None),
        (2, "a2", "wifi", Outcome::Unanswered, Some("đổi ngoại tệ")),
        (3, "a1", "toilet", Outcome::HandedToStaff, None),
    ] {
        app.db
            .add_question(ts, day, "site-a", robot, intent, outcome, text)
            .unwrap();
    }
    let (code, all) = viewer
        .get(&format!("/api/asked?site=site-a&day={day}"))
        .await;
    assert_eq!(code, StatusCode::OK, "{all}");
    assert_eq!(all["served"], 3);
    let robots: Vec<_> = all["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["robot"].clone())
        .collect();
    assert_eq!(
        robots,
        vec![json!("a1"), json!("a2"), json!("a1")],
        "newest first"
    );
    let (code, a1) = viewer
        .get(&format!("/api/asked?site=site-a&day={day}&robot=a1"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        (a1["served"].clone(), a1["robot"].clone()),
        (json!(2), json!("a1"))
    );
    assert!(a1["recent"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["robot"] == "a1"));
    let (_, a2) = viewer
        .get(&format!("/api/asked?site=site-a&day={day}&robot=a2"))
        .await;
    assert_eq!(a2["recent"][0]["text"], "đổi ngoại tệ");
}
