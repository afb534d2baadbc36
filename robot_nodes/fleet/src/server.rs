//! The operations hub's web application (axum), in the style of the operator console and on its
//! code: argon2id password hashes ([`letan_console::config`]), sessions and the login rate limit
//! ([`letan_console::auth`]), the hash-chained JSONL audit log ([`letan_console::audit`]). Accounts
//! and per-site roles live in the SQLite database ([`crate::db`]); every command is audited there
//! too (who, when, which robot, the result).
//!
//! API (JSON): `POST /api/login {username,password}` (sets the session cookie, returns the CSRF
//! token), `POST /api/logout`, `GET /api/robots`, `POST /api/robots/{id}/command` (a
//! [`crate::proto::CommandBody`]), `GET /api/robots/{id}/map|image`, `POST /api/kb` (a zip or tar
//! of `kb/`), `GET /api/kb`, `POST /api/kb/push {version, robots?}`, `POST /api/kb/rollback
//! {robots?}`, `GET /api/asked?site=&day=`, `GET /api/audit`. Every POST but login needs the
//! `X-CSRF-Token` header. The whole API, with its refusals, is the OpenAPI 3 document
//! `assets/openapi.json`, served at `GET /api/openapi.json` (tests/web_api.rs keeps it equal to the
//! routes). Every response carries the console's strict Content-Security-Policy (no inline script or
//! style: the page is `index.html`, `app.js` and `app.css`).
use crate::authz::{Action, Grants, Role};
use crate::db::{AuditRow, Db};
use crate::hub::{Hub, Notice};
use crate::kbpkg::{self, Limits};
use crate::lock;
use crate::proto::{CommandBody, EventKind};
use crate::state::day_of;
use crate::{FleetError, Result};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use letan_console::audit::{AuditEntry, AuditLog};
use letan_console::auth::{LoginLimiter, Session, Sessions};
use letan_console::clock::Clock;
use letan_console::server::{cookie_value, origin_ok};
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The session cookie.
pub const SESSION_COOKIE: &str = "letan_fleet_session";
/// The hub's HTTP API as an OpenAPI 3 document (hand-written), served at `/api/openapi.json`.
pub const OPENAPI_JSON: &str = include_str!("../assets/openapi.json");
/// The page, its API document and the headers of every response. The Content-Security-Policy is
/// the console's: only this origin, no inline script or style; images from this origin and `blob:`
/// (the map is drawn from a fetched PGM, the camera shown from a fetched JPEG).
static SITE: letan_web::Site = letan_web::Site {
    index_html: include_str!("../assets/index.html"),
    app_js: include_str!("../assets/app.js"),
    app_css: include_str!("../assets/app.css"),
    openapi_json: OPENAPI_JSON,
    csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; \
          form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    extra_headers: &[],
};
/// Largest JSON request body (login, commands, pushes); knowledge-base uploads have their own limit.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// The hub's web parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebParams {
    pub bind: String,
    pub port: u16,
    pub session_ttl_s: u64,
    pub session_idle_s: u64,
    pub login_max_failures: u32,
    pub login_window_s: u64,
    /// Largest knowledge-base upload.
    pub max_upload_bytes: usize,
    /// Unanswered question texts are forgotten after this many days (counts stay).
    pub retention_days: u64,
    /// Local time zone for "per day" (minutes east of UTC; Hanoi 420).
    pub utc_offset_min: i64,
}

impl Default for WebParams {
    fn default() -> Self {
        WebParams {
            bind: "127.0.0.1".into(),
            port: 8090,
            session_ttl_s: 8 * 3600,
            session_idle_s: 1800,
            login_max_failures: 5,
            login_window_s: 300,
            max_upload_bytes: 16 * 1024 * 1024,
            retention_days: 30,
            utc_offset_min: 420,
        }
    }
}

/// Everything a request handler needs.
pub struct App {
    pub hub: Arc<Hub>,
    pub db: Arc<Db>,
    pub params: WebParams,
    pub clock: Arc<dyn Clock>,
    sessions: Mutex<Sessions>,
    limiter: Mutex<LoginLimiter>,
    audit_log: Option<AuditLog>,
}

impl App {
    /// Build the application state. `audit_log`: the hash-chained JSONL copy of the audit.
    pub fn new(
        hub: Arc<Hub>,
        db: Arc<Db>,
        params: WebParams,
        clock: Arc<dyn Clock>,
        audit_log: Option<AuditLog>,
    ) -> Arc<App> {
        Arc::new(App {
            sessions: Mutex::new(Sessions::new(params.session_ttl_s, params.session_idle_s)),
            limiter: Mutex::new(LoginLimiter::new(
                params.login_max_failures,
                params.login_window_s,
            )),
            hub,
            db,
            params,
            clock,
            audit_log,
        })
    }

    /// Audit in the database and the JSONL chain; a failure is logged (never hidden).
    #[allow(clippy::too_many_arguments)]
    pub fn audit(
        &self,
        user: &str,
        role: Option<Role>,
        action: &str,
        site: Option<&str>,
        robot: Option<&str>,
        detail: serde_json::Value,
        outcome: &str,
    ) {
        let ts_ms = self.clock.now_ms();
        let row = AuditRow {
            ts_ms,
            user: user.into(),
            role: role.map(|r| r.as_str().to_string()),
            action: action.into(),
            site: site.map(str::to_string),
            robot: robot.map(str::to_string),
            detail: detail.to_string(),
            outcome: outcome.into(),
        };
        if let Err(e) = self.db.audit(&row) {
            tracing::error!(error = %e, "audit row lost in the database");
        }
        if let Some(log) = &self.audit_log {
            let _ = log.write(AuditEntry {
                ts: String::new(),
                ts_ms,
                user: user.into(),
                role: row.role.clone(),
                action: action.into(),
                detail: json!({ "site": site, "robot": robot, "detail": detail }),
                outcome: outcome.into(),
                client: None,
            });
        }
    }
}

/// An API error, as `{"error": "..."}`.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden(String),
    NotFound(String),
    TooLarge(String),
    Invalid(Vec<String>),
    TooManyRequests(u64),
    Unavailable(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, body) = match self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "error": m })),
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, json!({ "error": "log in first" }))
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "error": m })),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!({ "error": m })),
            ApiError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": m })),
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": "the knowledge base has errors", "errors": errors }),
            ),
            ApiError::TooManyRequests(s) => (
                StatusCode::TOO_MANY_REQUESTS,
                json!({ "error": format!("too many failed logins; try again in {s} s") }),
            ),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, json!({ "error": m })),
        };
        (code, Json(body)).into_response()
    }
}

impl From<FleetError> for ApiError {
    fn from(e: FleetError) -> Self {
        match e {
            FleetError::KbInvalid(v) => ApiError::Invalid(v),
            FleetError::TooLarge { .. } => ApiError::TooLarge(e.to_string()),
            FleetError::KbArchive(_) | FleetError::Malformed { .. } => {
                ApiError::BadRequest(e.to_string())
            }
            FleetError::Refused(m) => ApiError::Forbidden(m),
            FleetError::Absent(m) => ApiError::NotFound(m),
            other => ApiError::Unavailable(other.to_string()),
        }
    }
}

type ApiResult<T> = std::result::Result<T, ApiError>;
type Shared = Arc<App>;

/// The logged-in user and their grants; `write` requests also need the CSRF token and same origin.
fn authed(st: &App, headers: &HeaderMap, write: bool) -> ApiResult<(Session, Grants)> {
    let token = cookie_value(headers, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
    let s = lock(&st.sessions)
        .get(&token, st.clock.now_ms())
        .ok_or(ApiError::Unauthorized)?;
    if write {
        let csrf = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !origin_ok(headers) || !letan_console::auth::constant_time_eq(csrf, &s.csrf) {
            return Err(ApiError::Forbidden("missing or wrong X-CSRF-Token".into()));
        }
    }
    let g = st.db.grants(&s.user).map_err(ApiError::from)?;
    Ok((s, g))
}

/// A request body read whole (at most [`MAX_JSON_BYTES`]): over the limit is 413, as JSON.
type JsonBytes = std::result::Result<Bytes, BytesRejection>;

fn json_body<T: serde::de::DeserializeOwned>(body: JsonBytes) -> ApiResult<T> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!("request body over {MAX_JSON_BYTES} bytes"))
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })?;
    // an object only: serde would also fill a struct's fields from an array, in order
    let v: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("bad JSON: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::BadRequest("bad JSON: not an object".into()));
    }
    serde_json::from_value(v).map_err(|e| ApiError::BadRequest(format!("bad JSON: {e}")))
}

/// A path parameter, or 400 as JSON (not axum's plain text).
fn path_param<T>(p: std::result::Result<UrlPath<T>, PathRejection>) -> ApiResult<T> {
    p.map(|UrlPath(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginReq {
    username: String,
    password: String,
}

/// Argon2id hash of nothing anyone knows, checked for unknown names so timing does not tell.
const DUMMY_HASH: &str = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$u6fJ0w4p0zQd8m8cQn3Oj6I6V0q8mD8m3oXH2m3mX1A";

async fn login(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: JsonBytes,
) -> ApiResult<Response> {
    if !origin_ok(&headers) {
        return Err(ApiError::Forbidden("cross-origin login refused".into()));
    }
    let req: LoginReq = json_body(body)?;
    if req.username.len() > 64 || req.password.len() > 1024 {
        return Err(ApiError::BadRequest(
            "user name or password too long".into(),
        ));
    }
    let user_key = format!("user:{}", req.username);
    let keys = [user_key.as_str()];
    if let Some(wait) = lock(&st.limiter).blocked(&keys, st.clock.now_ms()) {
        st.audit(
            &req.username,
            None,
            "login",
            None,
            None,
            json!({}),
            "rate_limited",
        );
        return Err(ApiError::TooManyRequests(wait));
    }
    let hash = st.db.password_hash(&req.username).map_err(ApiError::from)?;
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
    let password = req.password.clone();
    let ok = tokio::task::spawn_blocking(move || {
        letan_console::config::verify_password(&password, &hash)
    })
    .await
    .map_err(|_| ApiError::Unavailable("password check failed".into()))?;
    if !(ok && known) {
        lock(&st.limiter).fail(&keys, st.clock.now_ms());
        st.audit(
            &req.username,
            None,
            "login",
            None,
            None,
            json!({}),
            "failed",
        );
        return Err(ApiError::Unauthorized);
    }
    let grants = st.db.grants(&req.username).map_err(ApiError::from)?;
    // The console's session table wants a console role; the fleet decides by its own grants.
    let (token, session) = lock(&st.sessions).create(
        &req.username,
        letan_console::config::Role::Viewer,
        st.clock.now_ms(),
    );
    st.audit(&req.username, None, "login", None, None, json!({}), "ok");
    let mut resp = Json(json!({
        "user": session.user,
        "csrf": session.csrf,
        "grants": grants.0,
    }))
    .into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        st.params.session_ttl_s
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

async fn logout(State(st): State<Shared>, headers: HeaderMap) -> ApiResult<Response> {
    let (s, _) = authed(&st, &headers, true)?;
    if let Some(t) = cookie_value(&headers, SESSION_COOKIE) {
        lock(&st.sessions).remove(&t);
    }
    st.audit(&s.user, None, "logout", None, None, json!({}), "ok");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn robots(State(st): State<Shared>, headers: HeaderMap) -> ApiResult<Response> {
    let (_, g) = authed(&st, &headers, false)?;
    let list: Vec<_> = st
        .hub
        .robots()
        .into_iter()
        .filter(|r| g.sees(&r.site))
        .collect();
    Ok(Json(list).into_response())
}

async fn command(
    State(st): State<Shared>,
    id: std::result::Result<UrlPath<String>, PathRejection>,
    headers: HeaderMap,
    body: JsonBytes,
) -> ApiResult<Response> {
    let (s, g) = authed(&st, &headers, true)?;
    let id = path_param(id)?;
    let cmd: CommandBody = json_body(body)?;
    let robot = st
        .hub
        .robot(&id)
        .filter(|r| g.sees(&r.site))
        .ok_or_else(|| ApiError::NotFound(format!("no robot {id:?}")))?;
    let detail = serde_json::to_value(&cmd).unwrap_or_default();
    let Some(role) = g.role_for(&robot.site, Action::Command) else {
        st.audit(
            &s.user,
            None,
            cmd.action(),
            Some(&robot.site),
            Some(&id),
            detail,
            "denied",
        );
        return Err(ApiError::Forbidden(format!(
            "{} may not command robots of site {}",
            s.user, robot.site
        )));
    };
    if let CommandBody::Say { text, .. } = &cmd {
        if text.chars().count() > 500 {
            return Err(ApiError::BadRequest("say: at most 500 characters".into()));
        }
    }
    let action = cmd.action();
    match st.hub.command(&robot.site, &id, &s.user, role, cmd).await {
        Ok(reply) => {
            let outcome = if reply.ok { "ok" } else { "refused" };
            st.audit(
                &s.user,
                Some(role),
                action,
                Some(&robot.site),
                Some(&id),
                json!({"cmd": detail, "message": reply.message}),
                outcome,
            );
            Ok(Json(json!({ "ok": reply.ok, "message": reply.message })).into_response())
        }
        Err(e) => {
            st.audit(
                &s.user,
                Some(role),
                action,
                Some(&robot.site),
                Some(&id),
                json!({"cmd": detail, "message": e.to_string()}),
                "failed",
            );
            Err(ApiError::Unavailable(e.to_string()))
        }
    }
}

async fn blob(
    State(st): State<Shared>,
    path: std::result::Result<UrlPath<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (_, g) = authed(&st, &headers, false)?;
    let (id, leaf) = path_param(path)?;
    let robot = st
        .hub
        .robot(&id)
        .filter(|r| g.sees(&r.site))
        .ok_or_else(|| ApiError::NotFound(format!("no robot {id:?}")))?;
    let (leaf, ctype) = match leaf.as_str() {
        "map" => (crate::proto::keys::MAP, "image/x-portable-graymap"),
        "image" => (crate::proto::keys::IMAGE, "image/jpeg"),
        _ => return Err(ApiError::NotFound(leaf)),
    };
    let bytes = st.hub.fetch(&robot.site, &id, leaf).await?;
    Ok(([(header::CONTENT_TYPE, ctype)], bytes).into_response())
}

async fn kb_upload(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let (s, g) = authed(&st, &headers, true)?;
    // Every outcome of an upload is audited under the same action.
    let audit = |detail: serde_json::Value, outcome: &str| {
        st.audit(&s.user, None, "kb_upload", None, None, detail, outcome)
    };
    if !g.0.iter().any(|x| x.role.allows(Action::EditKb)) {
        audit(json!({}), "denied");
        return Err(ApiError::Forbidden(format!(
            "{} may not edit the knowledge base",
            s.user
        )));
    }
    let max = st.params.max_upload_bytes;
    let too_large = || {
        ApiError::TooLarge(format!(
            "knowledge-base upload is over the {} MiB limit",
            max / (1024 * 1024)
        ))
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > max as u64 {
            audit(json!({ "limit": max, "content_length": len }), "too_large");
            return Err(too_large());
        }
    }
    // Without a Content-Length (chunked, or a length-less body) the size shows while reading: a
    // body over the limit is refused here, and audited like one refused by its header.
    let bytes = match axum::body::to_bytes(body, max).await {
        Ok(b) => b,
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            let (outcome, err) = if over {
                ("too_large", too_large())
            } else {
                (
                    "failed",
                    ApiError::BadRequest(format!("knowledge-base upload not read: {e}")),
                )
            };
            audit(
                json!({ "limit": max, "content_length": null, "error": e.to_string() }),
                outcome,
            );
            return Err(err);
        }
    };
    let limits = Limits {
        max_archive_bytes: max,
        ..Limits::default()
    };
    let checked = kbpkg::unpack(&bytes, &limits).and_then(kbpkg::check);
    match checked {
        Ok(kb) => {
            st.db.add_kb(&kb, &s.user, st.clock.now_ms())?;
            audit(json!({ "version": kb.version }), "ok");
            Ok(Json(json!({ "version": kb.version, "files": kb.files.len() })).into_response())
        }
        Err(e) => {
            // `invalid`: a knowledge base with errors (file and line); `refused`: an archive that
            // cannot be taken (a zip bomb, not a zip or tar, unsafe paths); `too_large`: over a cap.
            let outcome = match &e {
                FleetError::KbInvalid(_) => "invalid",
                FleetError::TooLarge { .. } => "too_large",
                _ => "refused",
            };
            audit(json!({ "error": e.to_string() }), outcome);
            Err(e.into())
        }
    }
}

async fn kb_list(State(st): State<Shared>, headers: HeaderMap) -> ApiResult<Response> {
    let (_, g) = authed(&st, &headers, false)?;
    let versions: Vec<_> = st
        .db
        .kb_list()?
        .into_iter()
        .map(|(v, ts, by)| json!({ "version": v, "created_ms": ts, "uploaded_by": by }))
        .collect();
    let robots: Vec<_> = st
        .hub
        .robots()
        .into_iter()
        .filter(|r| g.sees(&r.site))
        .map(|r| json!({ "id": r.id, "site": r.site, "online": r.online, "kb_version": r.kb_version }))
        .collect();
    Ok(Json(json!({ "versions": versions, "robots": robots })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushReq {
    version: Option<String>,
    robots: Option<Vec<String>>,
}

/// Push `version` (or, for roll-back, each robot's previous one) to the chosen robots at once.
async fn push_to(
    st: &App,
    user: &str,
    g: &Grants,
    req: PushReq,
    rollback: bool,
) -> ApiResult<Response> {
    let targets: Vec<_> = st
        .hub
        .robots()
        .into_iter()
        .filter(|r| req.robots.as_ref().is_none_or(|l| l.contains(&r.id)))
        .filter(|r| g.sees(&r.site))
        .collect();
    if let Some(l) = &req.robots {
        if let Some(missing) = l.iter().find(|id| !targets.iter().any(|r| &r.id == *id)) {
            return Err(ApiError::NotFound(format!("no robot {missing:?}")));
        }
    }
    let action = if rollback { "kb_rollback" } else { "kb_push" };
    let mut jobs = Vec::new();
    for r in targets {
        let version = if rollback {
            st.db.previous_version(&r.id, &r.kb_version)?
        } else {
            req.version.clone()
        };
        jobs.push(async move {
            let site = r.site.clone();
            if !g.may(&site, Action::EditKb) {
                return (
                    r,
                    version,
                    Err("not a kb_editor of this site".to_string()),
                    "denied",
                );
            }
            let Some(v) = version.clone() else {
                return (r, version, Err("no version to go to".to_string()), "failed");
            };
            let kb = match st.db.kb(&v) {
                Ok(Some(kb)) => kb,
                Ok(None) => return (r, version, Err(format!("unknown version {v}")), "failed"),
                Err(e) => return (r, version, Err(e.to_string()), "failed"),
            };
            match st.hub.push_kb(&site, &r.id, &kb).await {
                Ok(rep) if rep.ok => (r, version, Ok(rep), "ok"),
                Ok(rep) => (r, version, Ok(rep), "refused"),
                Err(e) => (r, version, Err(e.to_string()), "failed"),
            }
        });
    }
    let results = futures::future::join_all(jobs).await;
    let now = st.clock.now_ms();
    let mut out = Vec::new();
    for (r, version, res, outcome) in results {
        let v = version.unwrap_or_default();
        let (ok, message, now_running) = match res {
            Ok(rep) => (rep.ok, rep.message, rep.kb_version),
            Err(m) => (false, m, r.kb_version.clone()),
        };
        if let Err(e) = st.db.add_push(
            now,
            &r.site,
            &r.id,
            &r.kb_version,
            &now_running,
            ok,
            &message,
        ) {
            tracing::error!(error = %e, "push not recorded");
        }
        st.audit(
            user,
            None,
            action,
            Some(&r.site),
            Some(&r.id),
            json!({ "version": v, "message": message }),
            outcome,
        );
        out.push(json!({ "robot": r.id, "site": r.site, "ok": ok, "message": message, "kb_version": now_running }));
    }
    Ok(Json(out).into_response())
}

async fn kb_push(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: JsonBytes,
) -> ApiResult<Response> {
    let (s, g) = authed(&st, &headers, true)?;
    let req: PushReq = json_body(body)?;
    let Some(v) = &req.version else {
        return Err(ApiError::BadRequest("push needs a version".into()));
    };
    if st.db.kb(v)?.is_none() {
        return Err(ApiError::NotFound(format!("unknown version {v}")));
    }
    push_to(&st, &s.user, &g, req, false).await
}

async fn kb_rollback(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: JsonBytes,
) -> ApiResult<Response> {
    let (s, g) = authed(&st, &headers, true)?;
    let req: PushReq = if body.as_ref().is_ok_and(|b| b.is_empty()) {
        PushReq {
            version: None,
            robots: None,
        }
    } else {
        json_body(body)?
    };
    push_to(&st, &s.user, &g, req, true).await
}

#[derive(Deserialize)]
struct AskedQ {
    site: String,
    day: Option<String>,
    /// Only this robot's questions (of `site`).
    robot: Option<String>,
}

/// `YYYY-MM-DD`, as [`day_of`] writes days.
fn is_day(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

async fn asked(
    State(st): State<Shared>,
    headers: HeaderMap,
    q: std::result::Result<Query<AskedQ>, QueryRejection>,
) -> ApiResult<Response> {
    let (_, g) = authed(&st, &headers, false)?;
    let Query(q) = q.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if !g.sees(&q.site) {
        return Err(ApiError::Forbidden(format!("no access to site {}", q.site)));
    }
    let day = q
        .day
        .unwrap_or_else(|| day_of(st.clock.now_ms(), st.params.utc_offset_min));
    if !is_day(&day) {
        return Err(ApiError::BadRequest(format!("day {day:?}: not YYYY-MM-DD")));
    }
    Ok(Json(st.db.asked(&q.site, &day, q.robot.as_deref())?).into_response())
}

async fn audit_rows(State(st): State<Shared>, headers: HeaderMap) -> ApiResult<Response> {
    let (s, g) = authed(&st, &headers, false)?;
    if !g.0.iter().any(|x| x.role == Role::Admin) {
        return Err(ApiError::Forbidden(format!("{} is not an admin", s.user)));
    }
    Ok(Json(st.db.audit_rows(500)?).into_response())
}

/// Every API route (path, its methods): the router is built from this list and nothing else under
/// `/api`, so that tests/web_api.rs can hold the OpenAPI document to it.
pub fn api_routes() -> Vec<(&'static str, MethodRouter<Shared>)> {
    vec![
        ("/api/openapi.json", SITE.openapi()),
        ("/api/login", post(login)),
        ("/api/logout", post(logout)),
        ("/api/robots", get(robots)),
        ("/api/robots/{id}/command", post(command)),
        ("/api/robots/{id}/{leaf}", get(blob)),
        // the upload reads its body itself, up to `max_upload_bytes`
        (
            "/api/kb",
            get(kb_list)
                .post(kb_upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        ("/api/kb/push", post(kb_push)),
        ("/api/kb/rollback", post(kb_rollback)),
        ("/api/asked", get(asked)),
        ("/api/audit", get(audit_rows)),
    ]
}

/// The routes.
pub fn router(app: Shared) -> Router {
    let mut r = SITE.page_routes(Router::new());
    for (path, methods) in api_routes() {
        r = r.route(path, methods);
    }
    SITE.harden(r.layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BYTES)))
        .with_state(app)
}

/// Record what the hub hears: questions into "what citizens asked", refused payloads into the
/// audit; forget old question texts every hour.
pub fn spawn_recorder(app: Shared) -> tokio::task::JoinHandle<()> {
    let mut rx = app.hub.notices();
    tokio::spawn(async move {
        let mut purge = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = purge.tick() => {
                    if let Err(e) = app.db.purge(app.clock.now_ms(), app.params.retention_days) {
                        tracing::error!(error = %e, "retention purge failed");
                    }
                }
                n = rx.recv() => match n {
                    Ok(Notice::Event(e)) => {
                        if let EventKind::Question { intent, outcome, text } = &e.kind {
                            let day = day_of(e.ts_ms, app.params.utc_offset_min);
                            let text = text.as_deref().map(crate::proto::redact);
                            if let Err(err) = app.db.add_question(e.ts_ms, &day, &e.site, &e.robot, intent, *outcome, text.as_deref()) {
                                tracing::error!(error = %err, "question not recorded");
                            }
                        }
                    }
                    Ok(Notice::Rejected { key, reason }) => {
                        let parsed = crate::proto::keys::parse(&key);
                        app.audit("zenoh", None, "payload_refused", parsed.map(|p| p.0), parsed.map(|p| p.1), json!({ "key": key, "reason": reason }), "denied");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "hub notices lagged");
                    }
                    Err(_) => break,
                }
            }
        }
    })
}

/// Bind, print `fleet hub listening on http://ADDR/` and serve until `shutdown`.
pub async fn serve(app: Shared, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    let addr = format!("{}:{}", app.params.bind, app.params.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| FleetError::io("bind", &addr, source))?;
    serve_on(listener, app, shutdown).await
}

/// Serve on a bound listener.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Shared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    if let Ok(a) = listener.local_addr() {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "fleet hub listening on http://{a}/");
        let _ = out.flush();
    }
    let rec = spawn_recorder(app.clone());
    let r = axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| FleetError::io("serve", "http", source));
    rec.abort();
    r
}
