//! What Letan's three web servers share: the operator console (`letan-console`), the citizen
//! screen (`letan-screen`) and the fleet operations hub (`letan-fleet`).
//!
//! Each serves one page from three embedded files (no CDN, works offline) and an OpenAPI document,
//! and every response it sends carries the same security headers: a strict Content-Security-Policy
//! (each server has its own), `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
//! `Referrer-Policy: no-referrer`, and `Cache-Control: no-store` unless the handler chose one.
//! A server describes its page once, as a `static` [`Site`], and asks it for the routes and the
//! layer:
//!
//! ```
//! use axum::Router;
//! use letan_web::Site;
//! static SITE: Site = Site {
//!     index_html: "<!doctype html><title>x</title>",
//!     app_js: "",
//!     app_css: "",
//!     openapi_json: "{}",
//!     csp: "default-src 'none'",
//!     extra_headers: &[],
//! };
//! let app: Router = SITE.harden(SITE.page_routes(Router::new()).route("/api/openapi.json", SITE.openapi()));
//! # let _ = app;
//! ```
//!
//! The errors the servers have in common (a bad parameter, an unparsable file, a failed file
//! operation, a failed HTTP server) are one [`WebNodeError`], which the console's and the screen's
//! error types wrap.

mod error;
pub use error::WebNodeError;

use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;

/// One server's page and its header policy.
#[derive(Debug)]
pub struct Site {
    /// `/`: the page.
    pub index_html: &'static str,
    /// `/app.js`: its script (the CSP allows no inline script).
    pub app_js: &'static str,
    /// `/app.css`: its style sheet (the CSP allows no inline style).
    pub app_css: &'static str,
    /// The server's HTTP API as an OpenAPI 3 document ([`Site::openapi`]).
    pub openapi_json: &'static str,
    /// The Content-Security-Policy of every response.
    pub csp: &'static str,
    /// More headers of every response (lower-case names), e.g. the screen's `permissions-policy`.
    pub extra_headers: &'static [(&'static str, &'static str)],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JSON: &str = "application/json";

fn body(content_type: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

impl Site {
    /// `router` with `/`, `/app.js` and `/app.css`.
    pub fn page_routes<S>(&'static self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        router
            .route("/", get(move || async move { body(HTML, self.index_html) }))
            .route("/app.js", get(move || async move { body(JS, self.app_js) }))
            .route(
                "/app.css",
                get(move || async move { body(CSS, self.app_css) }),
            )
    }

    /// The handler of the OpenAPI document (each server routes it where its API says).
    pub fn openapi<S>(&'static self) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        get(move || async move { body(JSON, self.openapi_json) })
    }

    /// `router` with the security headers on every response, its fallback's and errors included.
    pub fn harden<S>(&'static self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        router.layer(axum::middleware::map_response(
            move |resp: Response| async move { self.secure(resp) },
        ))
    }

    /// The security headers set on one response (replacing any of the same name, except a
    /// `Cache-Control` the handler chose).
    pub fn secure(&self, mut resp: Response) -> Response {
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(self.csp),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        for (name, value) in self.extra_headers {
            h.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    static SITE: Site = Site {
        index_html: "<!doctype html><title>t</title>",
        app_js: "console.log(1);",
        app_css: "body{}",
        openapi_json: "{\"openapi\":\"3.0.3\"}",
        csp: "default-src 'none'; frame-ancestors 'none'",
        extra_headers: &[("permissions-policy", "camera=()")],
    };

    fn app() -> Router {
        let cached = get(|| async { ([(header::CACHE_CONTROL, "max-age=5")], "c") });
        SITE.harden(
            SITE.page_routes(Router::new())
                .route("/api/openapi.json", SITE.openapi())
                .route("/cached", cached),
        )
    }

    async fn fetch(path: &str) -> Response {
        let req = Request::get(path).body(Body::empty()).expect("request");
        app().oneshot(req).await.expect("infallible")
    }

    fn header<'a>(r: &'a Response, name: &str) -> &'a str {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn every_asset_has_its_type_and_every_response_the_headers() {
        for (path, ty) in [
            ("/", HTML),
            ("/app.js", JS),
            ("/app.css", CSS),
            ("/api/openapi.json", JSON),
        ] {
            let r = fetch(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&r, "content-type"), ty, "{path}");
        }
        // a route that does not exist is answered by axum's fallback: it is hardened too
        for path in ["/", "/app.js", "/no-such-page"] {
            let r = fetch(path).await;
            assert_eq!(header(&r, "content-security-policy"), SITE.csp, "{path}");
            assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
            assert_eq!(header(&r, "referrer-policy"), "no-referrer", "{path}");
            assert_eq!(header(&r, "permissions-policy"), "camera=()", "{path}");
            assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
        }
    }

    #[tokio::test]
    async fn a_cache_control_the_handler_chose_is_kept() {
        let r = fetch("/cached").await;
        assert_eq!(header(&r, "cache-control"), "max-age=5");
        assert_eq!(header(&r, "x-frame-options"), "DENY");
    }
}
