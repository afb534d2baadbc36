//! Helpers shared by the fleet's Zenoh tests: the embedded knowledge base, a logged-in web client
//! of the hub (through its real axum router), polling, and KB archives.
#![allow(dead_code)] // each test file uses its own part
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use letan_fleet::kbpkg::{self, KbVersion};
use letan_fleet::server::{router, App};
use serde_json::{json, Value};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The knowledge base built into the binary, as (path, text).
pub fn embedded() -> Vec<(String, String)> {
    letan_nlu::kb::EMBEDDED
        .iter()
        .map(|&(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// The version a robot starts with: the embedded knowledge base.
pub fn initial_kb() -> KbVersion {
    kbpkg::check(embedded()).unwrap()
}

/// A user logged in to the hub's web API.
pub struct Client {
    pub app: Arc<App>,
    pub cookie: String,
    pub csrf: String,
}

impl Client {
    pub async fn login(app: &Arc<App>, user: &str, pw: &str) -> Client {
        let resp = router(app.clone())
            .oneshot(
                Request::post("/api/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        json!({"username": user, "password": pw}).to_string(),
                    ))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "login {user}");
        let cookie = resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let body: Value =
            serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        Client {
            app: app.clone(),
            cookie,
            csrf: body["csrf"].as_str().unwrap().to_string(),
        }
    }

    pub async fn call(&self, method: &str, uri: &str, body: Body) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .unwrap();
        let resp = router(self.app.clone()).oneshot(req).await.unwrap();
        let code = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, Body::empty()).await
    }

    pub async fn post(&self, uri: &str, v: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Body::from(v.to_string())).await
    }

    pub async fn robots(&self) -> Vec<Value> {
        let (c, v) = self.get("/api/robots").await;
        assert_eq!(c, StatusCode::OK);
        v.as_array().unwrap().clone()
    }
}

/// Poll `f` every 50 ms until it is true or `limit` passes; returns the time it took.
pub async fn until<F: std::future::Future<Output = bool>>(
    limit: Duration,
    mut f: impl FnMut() -> F,
) -> Option<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if f().await {
            return Some(t0.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// A zip of knowledge-base files under `kb/`.
pub fn zip_of(files: &[(String, String)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, t) in files {
            z.start_file(format!("kb/{n}"), o).unwrap();
            z.write_all(t.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}
