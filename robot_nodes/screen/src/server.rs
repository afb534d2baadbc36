//! The HTTP server: the page, the state (JSON and server-sent events), the citizen's inputs, the QR.
use crate::config::ScreenParams;
use crate::link::{Lang, ScreenInput, ScreenLink, ScreenState};
use crate::text::{clean_text, valid_topic_id, TokenBucket, MAX_TOPIC_ID_BYTES};
use crate::{qr, Result};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use letan_web::WebNodeError;
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// This server's HTTP API as an OpenAPI 3 document (hand-written), served at `/api/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../assets/openapi.json");
/// At most this many `/api/events` streams at once (the route is public): one more gets 503 until
/// one of them closes. The robot's own screen needs one; a few spare for a reloading page or a
/// technician's laptop.
pub const MAX_EVENT_STREAMS: usize = 32;
/// Content-Security-Policy of every response: only this origin, no inline script or style.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
/// The page, its API document and the headers of every response (the screen's page may use no
/// camera, microphone, location or payment, and no other site may load what it serves).
static SITE: letan_web::Site = letan_web::Site {
    index_html: include_str!("../assets/index.html"),
    app_js: include_str!("../assets/app.js"),
    app_css: include_str!("../assets/app.css"),
    openapi_json: OPENAPI_JSON,
    csp: CSP,
    extra_headers: &[
        ("cross-origin-resource-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ],
};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// What the handlers share.
struct App {
    params: ScreenParams,
    link: ScreenLink,
    typed: Mutex<TokenBucket>,
    buttons: Mutex<TokenBucket>,
    /// Flips to true when the server shuts down (ends the event streams).
    stop: watch::Sender<bool>,
    /// One permit per open `/api/events` stream, held until the stream is dropped.
    streams: Arc<tokio::sync::Semaphore>,
}

type Shared = Arc<App>;

/// An API failure, as a status and a JSON `{"error": ...}` body.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// 400
    BadRequest(String),
    /// 403
    Forbidden(&'static str),
    /// 404
    NotFound(String),
    /// 413
    TooLarge(String),
    /// 415
    UnsupportedMedia,
    /// 429, with the time to wait
    TooManyRequests(Duration),
    /// 503
    Unavailable,
    /// 503: `MAX_EVENT_STREAMS` event streams are already open
    TooManyStreams,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, msg) = match &self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, (*m).to_string()),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m.clone()),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m.clone()),
            ApiError::UnsupportedMedia => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send Content-Type: application/json".to_string(),
            ),
            ApiError::TooManyRequests(d) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests; retry in {:.1} s", d.as_secs_f64()),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the robot is busy or not connected".to_string(),
            ),
            ApiError::TooManyStreams => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "too many open event streams (at most {MAX_EVENT_STREAMS}); \
                     close another screen page or try again later"
                ),
            ),
        };
        let mut resp = (status, Json(json!({ "error": msg }))).into_response();
        if let ApiError::TooManyStreams = self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if let ApiError::TooManyRequests(d) = self {
            let secs = d.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

type ApiResult<T> = std::result::Result<T, ApiError>;

/// The router for `link`, with `params` validated. Serve it with [`serve`] / [`serve_listener`], or
/// call it in-process (`tower::ServiceExt::oneshot`) in tests.
pub fn router(params: ScreenParams, link: ScreenLink) -> Result<Router> {
    Ok(build(params, link)?.0)
}

fn build(params: ScreenParams, link: ScreenLink) -> Result<(Router, Shared)> {
    params.validate()?;
    let app = Arc::new(App {
        typed: Mutex::new(TokenBucket::new(
            params.typed_rate_per_s,
            params.typed_burst,
        )),
        buttons: Mutex::new(TokenBucket::new(
            params.button_rate_per_s,
            params.button_burst,
        )),
        stop: watch::channel(false).0,
        streams: Arc::new(tokio::sync::Semaphore::new(MAX_EVENT_STREAMS)),
        link,
        params,
    });
    let router = SITE
        .page_routes(Router::new())
        .route("/favicon.ico", get(favicon))
        .route("/api/openapi.json", SITE.openapi())
        .route("/api/config", get(config_json))
        .route("/api/state", get(state_json))
        .route("/api/events", get(events))
        .route("/api/qr.svg", get(qr_image))
        .route("/api/ask", post(ask))
        .route("/api/topic", post(topic))
        .route("/api/call_staff", post(call_staff))
        .route("/api/language", post(language))
        .route("/api/repeat", post(repeat))
        .route("/api/confirm", post(confirm))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .layer(DefaultBodyLimit::max(app.params.max_body_bytes));
    let router = SITE.harden(router).with_state(app.clone());
    Ok((router, app))
}

/// The host part of a `Host` header value (`127.0.0.1:8090`, `[::1]:8090`, `localhost`).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `Host` must be an IP literal, `localhost` or an allowed name (a browser tricked by DNS
/// rebinding sends the attacker's name), and a state-changing request from a browser must come from
/// this origin.
fn check_request(params: &ScreenParams, method: &Method, headers: &HeaderMap) -> ApiResult<()> {
    let host = match headers.get(header::HOST).map(|h| h.to_str()) {
        None => None,
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => return Err(ApiError::Forbidden("unreadable Host header")),
    };
    if let Some(h) = host {
        let name = host_name(h);
        let ok = name.parse::<IpAddr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || params
                .allowed_hosts
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name));
        if !ok {
            return Err(ApiError::Forbidden(
                "unknown Host (add it to allowed_hosts)",
            ));
        }
    }
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return Ok(());
    }
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return Err(ApiError::Forbidden("cross-site request refused"));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let same = match (origin.to_str(), host) {
            (Ok(o), Some(h)) => o == format!("http://{h}") || o == format!("https://{h}"),
            _ => false,
        };
        if !same {
            return Err(ApiError::Forbidden("cross-origin request refused"));
        }
    }
    Ok(())
}

async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    match check_request(&app.params, req.method(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            tracing::warn!(method = %req.method(), path = req.uri().path(), "screen request refused: {e:?}");
            e.into_response()
        }
    }
}

/// Bind `params.bind:params.port` (127.0.0.1:8090 by default; port 0 = any free port).
pub async fn bind(params: &ScreenParams) -> Result<tokio::net::TcpListener> {
    params.validate()?;
    let ip: IpAddr = params
        .bind
        .parse()
        .map_err(|_| WebNodeError::invalid_param("bind", &params.bind, "must be an IP address"))?;
    let addr = std::net::SocketAddr::new(ip, params.port);
    Ok(tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| WebNodeError::serve(addr, source))?)
}

/// Bind and serve until `shutdown` completes. Prints `screen listening on http://ADDR/` on stdout
/// once bound.
pub async fn serve(
    params: ScreenParams,
    link: ScreenLink,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listener = bind(&params).await?;
    serve_listener(listener, params, link, shutdown).await
}

/// Serve on a listener from [`bind`] (tests read its address first) until `shutdown` completes;
/// open event streams end then. Prints `screen listening on http://ADDR/` on stdout.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    params: ScreenParams,
    link: ScreenLink,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let (router, app) = build(params, link)?;
    let addr = listener
        .local_addr()
        .map_err(|source| WebNodeError::serve("?", source))?;
    tracing::info!(%addr, "citizen screen listening");
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "screen listening on http://{addr}/");
        let _ = out.flush();
    }
    let stop = async move {
        shutdown.await;
        app.stop.send_replace(true);
    };
    Ok(axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await
        .map_err(|source| WebNodeError::serve(addr, source))?)
}

/// No icon (the kiosk browser shows none); 204 keeps the browser console free of 404s.
async fn favicon() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page".into())
}

async fn config_json(State(app): State<Shared>) -> Json<serde_json::Value> {
    Json(json!({ "max_text_chars": app.params.max_text_chars }))
}

async fn state_json(State(app): State<Shared>) -> Response {
    let body = serde_json::to_vec(&*app.link.state.borrow());
    match body {
        Ok(b) => ([(header::CONTENT_TYPE, "application/json")], b).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "state serialization failed",
        )
            .into_response(),
    }
}

fn state_event(state: &ScreenState) -> Event {
    match serde_json::to_string(state) {
        Ok(j) => Event::default().event("state").data(j),
        Err(_) => Event::default().comment("serialize failed"),
    }
}

/// Resolves when the server stops (never, if nobody can stop it any more).
async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The state as server-sent events, at most [`MAX_EVENT_STREAMS`] streams at once (503 beyond).
async fn events(State(app): State<Shared>) -> ApiResult<Response> {
    // The permit lives in the stream's state: it is released when the stream ends or the client
    // goes away (the body is dropped).
    let permit = app
        .streams
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::TooManyStreams)?;
    let rx = app.link.state.clone();
    let stop = app.stop.subscribe();
    let init = (rx, stop, true, permit);
    let stream = futures::stream::unfold(init, |(mut rx, stop, first, permit)| async move {
        if !first {
            let change = async {
                if rx.changed().await.is_err() {
                    // the robot side is gone: keep the stream (keep-alives) until the server stops
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                () = change => {}
                () = stopped(stop.clone()) => return None,
            }
        }
        let ev = state_event(&rx.borrow_and_update());
        Some((Ok::<_, Infallible>(ev), (rx, stop, false, permit)))
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

async fn qr_image(State(app): State<Shared>) -> ApiResult<Response> {
    // Only the current state's URL is ever rendered; the query string is ignored.
    let url = app.link.state.borrow().qr_url.clone();
    let Some(url) = url else {
        return Err(ApiError::NotFound("no QR code for this answer".into()));
    };
    match qr::qr_svg(&url) {
        Ok(svg) => Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()),
        Err(e) => {
            tracing::warn!("qr_url not shown: {e}");
            Err(ApiError::NotFound(
                "this answer's QR code cannot be shown".into(),
            ))
        }
    }
}

/// Parse a JSON body: 415 without a JSON content type, 413 over the body limit, 400 if malformed.
fn parse_json<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<T> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.trim_start().to_ascii_lowercase();
            v == "application/json" || v.starts_with("application/json;")
        });
    if !is_json {
        return Err(ApiError::UnsupportedMedia);
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("request body too large".into())
        } else {
            ApiError::BadRequest(format!("cannot read the body: {e}"))
        }
    })?;
    serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
}

#[allow(clippy::disallowed_methods)] // the HTTP rate limit is tokio's clock (paused in tests)
fn take(bucket: &Mutex<TokenBucket>) -> ApiResult<()> {
    lock(bucket)
        .try_take(tokio::time::Instant::now().into_std())
        .map_err(ApiError::TooManyRequests)
}

fn send(app: &App, input: ScreenInput) -> ApiResult<Json<serde_json::Value>> {
    let kind = input.kind();
    match app.link.inputs.try_send(input) {
        Ok(()) => Ok(Json(json!({ "ok": true }))),
        Err(mpsc::error::TrySendError::Full(_)) => {
            tracing::warn!(kind, "screen input dropped: queue full");
            Err(ApiError::Unavailable)
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            tracing::warn!(kind, "screen input dropped: robot side gone");
            Err(ApiError::Unavailable)
        }
    }
}

fn current_lang(app: &App) -> Lang {
    app.link.state.borrow().lang
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AskReq {
    text: String,
    #[serde(default)]
    lang: Option<Lang>,
}

async fn ask(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: AskReq = parse_json(&headers, body)?;
    let text = clean_text(&req.text);
    if text.is_empty() {
        return Err(ApiError::BadRequest("the question is empty".into()));
    }
    let n = text.chars().count();
    let max = app.params.max_text_chars;
    if n > max {
        return Err(ApiError::TooLarge(format!(
            "the question has {n} characters; at most {max} are accepted"
        )));
    }
    take(&app.typed)?;
    let lang = req.lang.unwrap_or_else(|| current_lang(&app));
    tracing::debug!(lang = lang.code(), text = ?text, "typed question");
    send(&app, ScreenInput::Typed { text, lang })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicReq {
    id: String,
    #[serde(default)]
    lang: Option<Lang>,
}

async fn topic(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: TopicReq = parse_json(&headers, body)?;
    if !valid_topic_id(&req.id) {
        return Err(ApiError::BadRequest(format!(
            "topic id must look like proc.birth_registration (a-z, one dot, a-z and _; at most {MAX_TOPIC_ID_BYTES} bytes)"
        )));
    }
    take(&app.buttons)?;
    let lang = req.lang.unwrap_or_else(|| current_lang(&app));
    send(&app, ScreenInput::Topic { id: req.id, lang })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LangOnlyReq {
    #[serde(default)]
    lang: Option<Lang>,
}

async fn call_staff(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: LangOnlyReq = parse_json(&headers, body)?;
    take(&app.buttons)?;
    let lang = req.lang.unwrap_or_else(|| current_lang(&app));
    tracing::info!(lang = lang.code(), "citizen asked for a staff member");
    send(&app, ScreenInput::CallStaff { lang })
}

async fn repeat(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: LangOnlyReq = parse_json(&headers, body)?;
    take(&app.buttons)?;
    let lang = req.lang.unwrap_or_else(|| current_lang(&app));
    send(&app, ScreenInput::Repeat { lang })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmReq {
    yes: bool,
    #[serde(default)]
    lang: Option<Lang>,
}

/// The yes/no buttons of a confirmation question: `{"yes": true|false, "lang"?: "vi"|"en"}`.
async fn confirm(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: ConfirmReq = parse_json(&headers, body)?;
    take(&app.buttons)?;
    let lang = req.lang.unwrap_or_else(|| current_lang(&app));
    send(&app, ScreenInput::Confirm { yes: req.yes, lang })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageReq {
    lang: Lang,
}

async fn language(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: LanguageReq = parse_json(&headers, body)?;
    take(&app.buttons)?;
    send(&app, ScreenInput::Language { lang: req.lang })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("127.0.0.1:8090"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8090"), "::1");
        assert_eq!(host_name("localhost"), "localhost");
        assert_eq!(host_name("evil.example:80"), "evil.example");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn host_and_origin_rules() {
        let p = ScreenParams {
            allowed_hosts: vec!["screen.local".into()],
            ..Default::default()
        };
        let get = Method::GET;
        let post = Method::POST;
        assert!(check_request(&p, &get, &headers(&[("host", "127.0.0.1:8090")])).is_ok());
        assert!(check_request(&p, &get, &headers(&[("host", "screen.local:8090")])).is_ok());
        assert!(check_request(&p, &get, &headers(&[("host", "rebind.evil.example")])).is_err());
        let same = headers(&[
            ("host", "localhost:8090"),
            ("origin", "http://localhost:8090"),
        ]);
        assert!(check_request(&p, &post, &same).is_ok());
        let other_port = headers(&[
            ("host", "localhost:8090"),
            ("origin", "http://localhost:9999"),
        ]);
        assert!(check_request(&p, &post, &other_port).is_err());
        let null = headers(&[("host", "localhost:8090"), ("origin", "null")]);
        assert!(check_request(&p, &post, &null).is_err());
        let site = headers(&[("host", "localhost:8090"), ("sec-fetch-site", "cross-site")]);
        assert!(check_request(&p, &post, &site).is_err());
        assert!(check_request(&p, &get, &site).is_ok());
    }
}
