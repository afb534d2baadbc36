//! The HTTP server: routes, authentication, authorization, CSRF, rate limit, audit, live push.
use crate::audit::{AuditEntry, AuditLog};
use crate::auth::{constant_time_eq, Accounts, LoginLimiter, Session, Sessions};
use crate::clock::Clock;
use crate::config::{ConsoleParams, Role};
use crate::link::{Lang, OperatorCommand, RobotLink};
use crate::{ConsoleError, Result};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use letan_mux::Twist2;
use letan_web::WebNodeError;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "letan_session";
/// Header carrying the CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The console's HTTP API as an OpenAPI 3 document (hand-written), served at `/api/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../assets/openapi.json");
/// The page, its API document and the headers of every response.
static SITE: letan_web::Site = letan_web::Site {
    index_html: include_str!("../assets/index.html"),
    app_js: include_str!("../assets/app.js"),
    app_css: include_str!("../assets/app.css"),
    openapi_json: OPENAPI_JSON,
    csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
          form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    extra_headers: &[],
};

/// Every API route of the console that needs a session (method, path): the operator surface. The
/// citizen screen must serve none of them (tested in `tests/screen_isolation.rs`).
pub const SESSION_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/logout"),
    ("GET", "/api/session"),
    ("GET", "/api/state"),
    ("GET", "/api/events"),
    ("GET", "/api/camera.jpg"),
    ("POST", "/api/teleop"),
    ("POST", "/api/estop"),
    ("POST", "/api/estop/release"),
    ("POST", "/api/goto"),
    ("POST", "/api/goal/cancel"),
    ("POST", "/api/dock"),
    ("POST", "/api/say"),
    ("POST", "/api/alerts/ack"),
];

/// Open live streams (`/api/events`) per session and in all.
#[derive(Debug, Default)]
struct StreamSlots {
    per_session: HashMap<String, usize>,
    total: usize,
}

/// One open stream; frees its slot when the stream is dropped (client gone, session over, shutdown).
struct StreamSlot {
    st: Shared,
    token: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut slots = lock(&self.st.streams);
        slots.total = slots.total.saturating_sub(1);
        if let Some(n) = slots.per_session.get_mut(&self.token) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                slots.per_session.remove(&self.token);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Everything the handlers share.
pub struct ConsoleState {
    params: ConsoleParams,
    accounts: Arc<Accounts>,
    sessions: Mutex<Sessions>,
    limiter: Mutex<LoginLimiter>,
    audit: AuditLog,
    clock: Arc<dyn Clock>,
    link: RobotLink,
    driving: Mutex<HashMap<String, bool>>,
    streams: Mutex<StreamSlots>,
}

/// Shared handle.
pub type Shared = Arc<ConsoleState>;

impl ConsoleState {
    /// Put the pieces together (parameters are validated here).
    pub fn new(
        params: ConsoleParams,
        accounts: Accounts,
        audit: AuditLog,
        clock: Arc<dyn Clock>,
        link: RobotLink,
    ) -> Result<Shared> {
        params.validate()?;
        if accounts.is_empty() {
            return Err(WebNodeError::invalid_param(
                "users_file",
                &params.users_file,
                "has no accounts; add one with `letan console add-user`",
            )
            .into());
        }
        Ok(Arc::new(ConsoleState {
            sessions: Mutex::new(Sessions::new(params.session_ttl_s, params.session_idle_s)),
            limiter: Mutex::new(LoginLimiter::new(
                params.login_max_failures,
                params.login_window_s,
            )),
            params,
            accounts: Arc::new(accounts),
            audit,
            clock,
            link,
            driving: Mutex::new(HashMap::new()),
            streams: Mutex::new(StreamSlots::default()),
        }))
    }

    fn audit(
        &self,
        user: &str,
        role: Option<Role>,
        action: &str,
        detail: serde_json::Value,
        outcome: &str,
        client: Option<&str>,
    ) {
        let _ = self.audit.write(AuditEntry {
            ts: String::new(),
            ts_ms: self.clock.now_ms(),
            user: user.to_string(),
            role: role.map(|r| r.as_str().to_string()),
            action: action.to_string(),
            detail,
            outcome: outcome.to_string(),
            client: client.map(str::to_string),
        });
    }
}

/// An API failure, as a status and a JSON `{"error": ...}` body.
#[derive(Debug)]
pub enum ApiError {
    /// 400
    BadRequest(String),
    /// 401
    Unauthorized,
    /// 404 (an unknown place or alert)
    NotFound(String),
    /// 403
    Forbidden(&'static str),
    /// 415
    UnsupportedMedia,
    /// 429, with seconds to wait
    TooManyRequests(u64),
    /// 429: too many open live streams
    TooManyStreams,
    /// 503
    Unavailable,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, msg) = match &self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "log in first".to_string()),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, m.clone()),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, (*m).to_string()),
            ApiError::UnsupportedMedia => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send Content-Type: application/json".to_string(),
            ),
            ApiError::TooManyRequests(s) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed logins; retry in {s} s"),
            ),
            ApiError::TooManyStreams => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many open live streams; close another tab".to_string(),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "robot link busy or down".to_string(),
            ),
        };
        let mut resp = (status, Json(json!({ "error": msg }))).into_response();
        if let ApiError::TooManyRequests(s) = self {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

type ApiResult<T> = std::result::Result<T, ApiError>;

/// The client's socket address, when the server was started with connect info.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, Infallible> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// The value of cookie `name` in the request headers (also the fleet hub's session lookup).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A cross-origin `Origin` header (someone else's page posting here) is refused.
pub fn origin_ok(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|h| h.to_str()),
    ) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// A request from a logged-in user (cookie session; for state-changing methods also a same-origin
/// request carrying the session's CSRF token).
pub struct Authed {
    token: String,
    session: Session,
    client: Option<String>,
}

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, st: &Shared) -> ApiResult<Self> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let token = cookie_value(&parts.headers, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
        let now = st.clock.now_ms();
        let session = lock(&st.sessions)
            .get(&token, now)
            .ok_or(ApiError::Unauthorized)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let csrf_ok = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| constant_time_eq(v, &session.csrf));
            if !csrf_ok || !origin_ok(&parts.headers) {
                st.audit(
                    &session.user,
                    Some(session.role),
                    parts.uri.path(),
                    json!({}),
                    "csrf_rejected",
                    client.as_deref(),
                );
                return Err(ApiError::Forbidden(
                    "missing or wrong CSRF token, or cross-origin request",
                ));
            }
        }
        Ok(Authed {
            token,
            session,
            client,
        })
    }
}

impl Authed {
    fn operator(&self, st: &ConsoleState, action: &str) -> ApiResult<()> {
        if self.session.role == Role::Operator {
            Ok(())
        } else {
            st.audit(
                &self.session.user,
                Some(self.session.role),
                action,
                json!({}),
                "denied",
                self.client.as_deref(),
            );
            Err(ApiError::Forbidden("operators only"))
        }
    }

    fn log(&self, st: &ConsoleState, action: &str, detail: serde_json::Value, outcome: &str) {
        st.audit(
            &self.session.user,
            Some(self.session.role),
            action,
            detail,
            outcome,
            self.client.as_deref(),
        );
    }
}

/// Parse a JSON body: 415 without a JSON content type (so cross-site forms cannot post), 400 for
/// anything malformed.
fn parse_json<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> ApiResult<T> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return Err(ApiError::UnsupportedMedia);
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
}

async fn send(st: &ConsoleState, cmd: OperatorCommand) -> ApiResult<()> {
    match tokio::time::timeout(Duration::from_secs(1), st.link.commands.send(cmd)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(ApiError::Unavailable),
    }
}

fn ok() -> Json<serde_json::Value> {
    Json(json!({ "ok": true }))
}

/// The router. Serve it with [`serve`] (which adds client addresses) or call it in-process in tests.
pub fn router(state: Shared) -> Router {
    let api = SITE
        .page_routes(Router::new())
        .route("/api/openapi.json", SITE.openapi())
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/session", get(session_info))
        .route("/api/state", get(state_json))
        .route("/api/events", get(events))
        .route("/api/camera.jpg", get(camera))
        .route("/api/teleop", post(teleop))
        .route("/api/estop", post(estop))
        .route("/api/estop/release", post(estop_release))
        .route("/api/goto", post(goto))
        .route("/api/goal/cancel", post(cancel_goal))
        .route("/api/dock", post(dock))
        .route("/api/say", post(say))
        .route("/api/alerts/ack", post(ack_alert))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(declared_body_limit));
    SITE.harden(api).with_state(state)
}

/// Largest request body (bytes); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// 413 for a declared `Content-Length` over the limit, also on routes that never read their body
/// (bodies that are read are capped by `DefaultBodyLimit` whatever they declare).
async fn declared_body_limit(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({ "error": format!("request body over {MAX_BODY_BYTES} bytes") })),
        )
            .into_response();
    }
    next.run(req).await
}

/// Bind (the address comes from the parameters; 127.0.0.1 by default).
pub async fn bind(params: &ConsoleParams) -> Result<tokio::net::TcpListener> {
    let addr = format!("{}:{}", params.bind, params.port);
    tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| WebNodeError::serve(addr, source).into())
}

/// The rustls server configuration from the `tls_cert` / `tls_key` PEM files (`None` without TLS).
pub fn load_tls(params: &ConsoleParams) -> Result<Option<Arc<rustls::ServerConfig>>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    if !params.tls() {
        return Ok(None);
    }
    let read =
        |path: &str| std::fs::read(path).map_err(|source| WebNodeError::io("read", path, source));
    let bad = |key: &str, path: &str, reason: String| -> ConsoleError {
        WebNodeError::invalid_param(key, path, reason).into()
    };
    let cert_pem = read(&params.tls_cert)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| {
            bad(
                "tls_cert",
                &params.tls_cert,
                format!("not a PEM certificate: {e}"),
            )
        })?;
    if certs.is_empty() {
        return Err(bad(
            "tls_cert",
            &params.tls_cert,
            "no CERTIFICATE in the file".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&read(&params.tls_key)?).map_err(|e| {
        bad(
            "tls_key",
            &params.tls_key,
            format!("no PEM private key: {e}"),
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("tls_cert", &params.tls_cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad("tls_key", &params.tls_key, e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Arc::new(config)))
}

/// A listener that hands out TLS streams: TCP connections are accepted at once and their
/// handshakes run in their own tasks (10 s each at most), so a slow client delays no one else.
pub struct TlsListener {
    local: SocketAddr,
    rx: tokio::sync::mpsc::Receiver<(
        tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
        SocketAddr,
    )>,
    _accept: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Wrap a bound TCP listener.
    pub fn new(
        tcp: tokio::net::TcpListener,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let accept = tokio::spawn(async move {
            loop {
                let (conn, addr) = match tcp.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "console: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(conn)).await
                    {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => {
                            tracing::debug!(%addr, error = %e, "console: TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(%addr, "console: TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            local,
            rx,
            _accept: accept,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self._accept.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // the accept task only ends when aborted (on drop): wait forever, as a closed listener would
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// Serve until `shutdown` completes: HTTPS when `tls_cert`/`tls_key` are set, plain HTTP otherwise
/// (which the parameters allow only on loopback, or with `insecure`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    use axum::serve::ListenerExt;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let tls = load_tls(&state.params)?;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = match tls {
        Some(config) => {
            let l = TlsListener::new(listener, config)
                .map_err(|source| WebNodeError::serve(&addr, source))?;
            axum::serve(l.tap_io(|_| {}), app)
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
    };
    Ok(result.map_err(|source| WebNodeError::serve(addr, source))?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginReq {
    username: String,
    password: String,
}

fn session_cookie(st: &ConsoleState, token: &str, max_age_s: u64) -> HeaderValue {
    let secure = if st.params.secure_cookie || st.params.tls() {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    );
    HeaderValue::from_str(&v)
        .unwrap_or_else(|_| HeaderValue::from_static("letan_session=; Max-Age=0"))
}

async fn login(
    State(st): State<Shared>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if !origin_ok(&headers) {
        return Err(ApiError::Forbidden("cross-origin login refused"));
    }
    let req: LoginReq = parse_json(&headers, &body)?;
    if req.username.len() > 64 || req.password.len() > 1024 {
        return Err(ApiError::BadRequest(
            "user name or password too long".into(),
        ));
    }
    let client_key = format!("ip:{}", client.as_deref().unwrap_or("unknown"));
    let user_key = format!("user:{}", req.username);
    let keys = [client_key.as_str(), user_key.as_str()];
    let now = st.clock.now_ms();
    if let Some(wait) = lock(&st.limiter).blocked(&keys, now) {
        st.audit(
            &req.username,
            None,
            "login",
            json!({}),
            "rate_limited",
            client.as_deref(),
        );
        return Err(ApiError::TooManyRequests(wait));
    }
    let accounts = st.accounts.clone();
    let (name, password) = (req.username.clone(), req.password);
    let role = tokio::task::spawn_blocking(move || accounts.verify(&name, &password))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let Some(role) = role else {
        lock(&st.limiter).fail(&keys, st.clock.now_ms());
        st.audit(
            &req.username,
            None,
            "login",
            json!({}),
            "failed",
            client.as_deref(),
        );
        return Err(ApiError::Unauthorized);
    };
    let (token, session) = lock(&st.sessions).create(&req.username, role, st.clock.now_ms());
    st.audit(
        &req.username,
        Some(role),
        "login",
        json!({}),
        "ok",
        client.as_deref(),
    );
    tracing::info!(user = %req.username, role = role.as_str(), "operator logged in");
    let mut resp = Json(json!({
        "user": session.user,
        "role": role.as_str(),
        "csrf": session.csrf,
        "expires_at_ms": session.expires_at_ms,
    }))
    .into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&st, &token, st.params.session_ttl_s),
    );
    Ok(resp)
}

async fn logout(State(st): State<Shared>, a: Authed) -> ApiResult<Response> {
    lock(&st.sessions).remove(&a.token);
    if a.session.role == Role::Operator
        && lock(&st.driving).remove(&a.session.user).unwrap_or(false)
    {
        // stop anything this operator was driving
        let _ = send(
            &st,
            OperatorCommand::Teleop {
                operator: a.session.user.clone(),
                twist: Twist2::ZERO,
            },
        )
        .await;
    }
    a.log(&st, "logout", json!({}), "ok");
    let mut resp = ok().into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&st, "", 0));
    Ok(resp)
}

async fn session_info(State(st): State<Shared>, a: Authed) -> Json<serde_json::Value> {
    Json(json!({
        "user": a.session.user,
        "role": a.session.role.as_str(),
        "csrf": a.session.csrf,
        "expires_at_ms": a.session.expires_at_ms,
        "teleop_max_linear_mps": st.params.teleop_max_linear_mps,
        "teleop_max_angular_rps": st.params.teleop_max_angular_rps,
        "say_max_chars": st.params.say_max_chars,
    }))
}

async fn state_json(State(st): State<Shared>, _a: Authed) -> Response {
    let snap = st.link.state.borrow().clone();
    Json(&*snap).into_response()
}

async fn camera(State(st): State<Shared>, _a: Authed) -> Response {
    let frame = st.link.state.borrow().camera.clone();
    match frame {
        Some(f) => ([(header::CONTENT_TYPE, "image/jpeg")], f.bytes().to_vec()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no camera frame yet"})),
        )
            .into_response(),
    }
}

async fn events(
    State(st): State<Shared>,
    a: Authed,
) -> ApiResult<Sse<impl futures::Stream<Item = std::result::Result<Event, Infallible>>>> {
    {
        let mut slots = lock(&st.streams);
        let mine = slots.per_session.get(&a.token).copied().unwrap_or(0);
        if mine >= st.params.max_streams_per_session || slots.total >= st.params.max_streams_total {
            drop(slots);
            a.log(
                &st,
                "events",
                json!({ "open_for_session": mine }),
                "rate_limited",
            );
            return Err(ApiError::TooManyStreams);
        }
        slots.total += 1;
        *slots.per_session.entry(a.token.clone()).or_insert(0) += 1;
    }
    let slot = StreamSlot {
        st: st.clone(),
        token: a.token.clone(),
    };
    let period = Duration::from_secs_f64(1.0 / st.params.push_rate_hz);
    let rx = st.link.state.clone();
    let init = (st, rx, a.token, true, false, slot);
    let stream = futures::stream::unfold(
        init,
        move |(st, mut rx, token, first, done, slot)| async move {
            if done {
                return None;
            }
            if !first {
                tokio::time::sleep(period).await;
                // wait for a change, but wake at least every 2 s to re-check the session
                let _ = tokio::time::timeout(Duration::from_secs(2), rx.changed()).await;
            }
            let alive = lock(&st.sessions).peek(&token, st.clock.now_ms()).is_some();
            if !alive {
                let ev = Event::default().event("session").data("expired");
                return Some((Ok(ev), (st, rx, token, false, true, slot)));
            }
            let snap = rx.borrow_and_update().clone();
            let ev = match serde_json::to_string(&*snap) {
                Ok(j) => Event::default().event("state").data(j),
                Err(_) => Event::default().comment("serialize failed"),
            };
            Some((Ok(ev), (st, rx, token, false, false, slot)))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeleopReq {
    linear: f64,
    angular: f64,
    #[serde(default)]
    source: Option<String>,
}

async fn teleop(
    State(st): State<Shared>,
    a: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "teleop")?;
    let req: TeleopReq = parse_json(&headers, &body)?;
    if !req.linear.is_finite() || !req.angular.is_finite() {
        return Err(ApiError::BadRequest(
            "linear and angular must be finite numbers".into(),
        ));
    }
    let p = &st.params;
    let twist = Twist2::new(
        req.linear
            .clamp(-p.teleop_max_linear_mps, p.teleop_max_linear_mps),
        req.angular
            .clamp(-p.teleop_max_angular_rps, p.teleop_max_angular_rps),
    );
    let moving = !twist.is_zero();
    let was = lock(&st.driving)
        .insert(a.session.user.clone(), moving)
        .unwrap_or(false);
    let source: String = req.source.unwrap_or_default().chars().take(16).collect();
    send(
        &st,
        OperatorCommand::Teleop {
            operator: a.session.user.clone(),
            twist,
        },
    )
    .await?;
    if moving != was {
        let action = if moving {
            "teleop_start"
        } else {
            "teleop_stop"
        };
        a.log(
            &st,
            action,
            json!({ "source": source, "linear": twist.linear_x, "angular": twist.angular_z }),
            "ok",
        );
    }
    Ok(Json(
        json!({ "ok": true, "linear": twist.linear_x, "angular": twist.angular_z }),
    ))
}

async fn estop(State(st): State<Shared>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    // any logged-in user may stop the robot
    let r = send(
        &st,
        OperatorCommand::EStop {
            operator: a.session.user.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "estop",
        json!({}),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

async fn estop_release(State(st): State<Shared>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "estop_release")?;
    let r = send(
        &st,
        OperatorCommand::ReleaseEStop {
            operator: a.session.user.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "estop_release",
        json!({}),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GotoReq {
    place: String,
}

async fn goto(
    State(st): State<Shared>,
    a: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "goto")?;
    let req: GotoReq = parse_json(&headers, &body)?;
    let known = st
        .link
        .state
        .borrow()
        .places
        .iter()
        .any(|p| p.id == req.place);
    if !known {
        return Err(ApiError::NotFound(format!(
            "unknown place {:?}",
            req.place.chars().take(64).collect::<String>()
        )));
    }
    let r = send(
        &st,
        OperatorCommand::GoTo {
            operator: a.session.user.clone(),
            place: req.place.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "goto",
        json!({ "place": req.place }),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

async fn cancel_goal(State(st): State<Shared>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "cancel_goal")?;
    let r = send(
        &st,
        OperatorCommand::CancelGoal {
            operator: a.session.user.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "cancel_goal",
        json!({}),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

async fn dock(State(st): State<Shared>, a: Authed) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "dock")?;
    let r = send(
        &st,
        OperatorCommand::Dock {
            operator: a.session.user.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "dock",
        json!({}),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SayReq {
    text: String,
    lang: String,
}

async fn say(
    State(st): State<Shared>,
    a: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "say")?;
    let req: SayReq = parse_json(&headers, &body)?;
    let lang = match req.lang.as_str() {
        "vi" => Lang::Vi,
        "en" => Lang::En,
        _ => return Err(ApiError::BadRequest("lang must be \"vi\" or \"en\"".into())),
    };
    let text = req.text.trim().to_string();
    if text.is_empty()
        || text.chars().count() > st.params.say_max_chars
        || text.chars().any(|c| c.is_control())
    {
        return Err(ApiError::BadRequest(format!(
            "text must be 1–{} characters without control characters",
            st.params.say_max_chars
        )));
    }
    let r = send(
        &st,
        OperatorCommand::Say {
            operator: a.session.user.clone(),
            lang,
            text: text.clone(),
        },
    )
    .await;
    a.log(
        &st,
        "say",
        json!({ "lang": req.lang, "text": text }),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AckReq {
    id: u64,
}

async fn ack_alert(
    State(st): State<Shared>,
    a: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    a.operator(&st, "ack_alert")?;
    let req: AckReq = parse_json(&headers, &body)?;
    let known = st
        .link
        .state
        .borrow()
        .alerts
        .iter()
        .any(|al| al.id == req.id);
    if !known {
        return Err(ApiError::NotFound(format!("unknown alert {}", req.id)));
    }
    let r = send(
        &st,
        OperatorCommand::AckAlert {
            operator: a.session.user.clone(),
            id: req.id,
        },
    )
    .await;
    a.log(
        &st,
        "ack_alert",
        json!({ "id": req.id }),
        if r.is_ok() { "ok" } else { "unavailable" },
    );
    r.map(|_| ok())
}
