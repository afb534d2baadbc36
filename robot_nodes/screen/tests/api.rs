//! HTTP tests of the citizen screen: in-process (tower `oneshot`) against a recording robot side,
//! plus one test on a real bound socket.
#![allow(clippy::unwrap_used)]
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use letan_screen::link::{
    DialogState, Lang, RobotSide, ScreenInput, ScreenLink, ScreenState, Suggestion,
};
use letan_screen::server::{bind, router, serve_listener, MAX_EVENT_STREAMS};
use letan_screen::ScreenParams;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8090";

struct H {
    app: Router,
    robot: RobotSide,
}

fn harness_with(params: ScreenParams) -> H {
    let (link, robot) = ScreenLink::new(16);
    let app = router(params, link).unwrap();
    H { app, robot }
}

fn harness() -> H {
    harness_with(ScreenParams::default())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

fn post_json(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn call(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.unwrap()
}

async fn body_bytes(resp: Response<Body>) -> Vec<u8> {
    resp.into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

async fn json_of(resp: Response<Body>) -> Value {
    serde_json::from_slice(&body_bytes(resp).await).unwrap()
}

/// POST and expect `status`; returns the JSON body.
async fn expect(app: &Router, path: &str, body: &str, status: StatusCode) -> Value {
    let resp = call(app, post_json(path, body)).await;
    assert_eq!(resp.status(), status, "POST {path} {body}");
    assert!(
        resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "JSON answer for {path}"
    );
    json_of(resp).await
}

fn no_input(robot: &mut RobotSide) {
    assert!(
        robot.inputs.try_recv().is_err(),
        "nothing reached the robot"
    );
}

#[tokio::test]
async fn page_and_assets_are_served_with_strict_headers() {
    let h = harness();
    let resp = call(&h.app, get("/")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let hd = resp.headers().clone();
    assert!(hd[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = hd[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(hd[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(hd[header::X_FRAME_OPTIONS], "DENY");
    let html = String::from_utf8(body_bytes(resp).await).unwrap();
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("Gọi cán bộ hỗ trợ"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external URLs in the page"
    );
    for (path, ty) in [("/app.js", "text/javascript"), ("/app.css", "text/css")] {
        let resp = call(&h.app, get(path)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(ty));
        let text = String::from_utf8(body_bytes(resp).await).unwrap();
        assert!(!text.contains("https://"), "{path} loads nothing external");
    }
    let resp = call(&h.app, get("/nope")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(json_of(resp).await["error"].is_string());
}

#[tokio::test]
async fn state_json_reflects_the_robot_side() {
    let h = harness();
    let v = json_of(call(&h.app, get("/api/state")).await).await;
    assert_eq!(v["lang"], "vi");
    assert_eq!(v["dialog_state"], "idle");
    assert_eq!(v["qr_url"], Value::Null);
    h.robot.publish(ScreenState {
        lang: Lang::En,
        title: "Birth registration".into(),
        body: "Line one\nLine two".into(),
        documents: vec!["Birth certificate".into(), "ID card".into()],
        qr_url: Some("https://dichvucong.gov.vn/".into()),
        suggestions: vec![Suggestion {
            id: "proc.id_card".into(),
            label: "ID card".into(),
        }],
        dialog_state: DialogState::Answering,
        heard: "birth".into(),
        confirm: true,
        robot_speaking: true,
        staff_called: false,
        seq: 0,
    });
    let v = json_of(call(&h.app, get("/api/state")).await).await;
    assert_eq!(v["lang"], "en");
    assert_eq!(v["body"], "Line one\nLine two");
    assert_eq!(v["documents"][1], "ID card");
    assert_eq!(v["suggestions"][0]["id"], "proc.id_card");
    assert_eq!(v["dialog_state"], "answering");
    assert_eq!(v["robot_speaking"], true);
    assert_eq!(v["confirm"], true);
    assert_eq!(v["seq"], 1);
    let c = json_of(call(&h.app, get("/api/config")).await).await;
    assert_eq!(c["max_text_chars"], 500);
}

/// Read SSE frames until one `state` event satisfies `want`.
async fn next_state(body: &mut Body, want: impl Fn(&Value) -> bool) -> Value {
    let mut buf = String::new();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an SSE frame within 5 s")
            .expect("stream still open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            buf.push_str(std::str::from_utf8(&data).unwrap());
        }
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if !event.lines().any(|l| l == "event: state") {
                continue;
            }
            let data: String = event
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            let v: Value = serde_json::from_str(&data).unwrap();
            if want(&v) {
                return v;
            }
        }
    }
}

#[tokio::test]
async fn events_push_the_state_on_every_change() {
    let h = harness();
    let resp = call(&h.app, get("/api/events")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = resp.into_body();
    let first = next_state(&mut body, |_| true).await;
    assert_eq!(first["seq"], 0, "the current state comes first");
    h.robot.update(|s| s.heard = "khai sinh".into());
    let v = next_state(&mut body, |_| true).await;
    assert_eq!(v["heard"], "khai sinh");
    assert_eq!(v["seq"], 1);
    h.robot.update(|s| s.staff_called = true);
    let v = next_state(&mut body, |_| true).await;
    assert_eq!(v["staff_called"], true);
    assert_eq!(v["seq"], 2);
}

#[tokio::test]
async fn event_streams_are_capped_and_a_closed_one_frees_its_place() {
    let h = harness();
    let mut open = Vec::new();
    for _ in 0..MAX_EVENT_STREAMS {
        let resp = call(&h.app, get("/api/events")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        open.push(resp.into_body());
    }
    // One more: 503, a JSON error that says why, and when to retry.
    let resp = call(&h.app, get("/api/events")).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers()[header::RETRY_AFTER], "5");
    let v = json_of(resp).await;
    let msg = v["error"].as_str().unwrap();
    assert!(
        msg.contains("too many open event streams") && msg.contains("32"),
        "{msg}"
    );
    // The rest of the screen still answers, and the open streams still get every change.
    assert_eq!(
        call(&h.app, get("/api/state")).await.status(),
        StatusCode::OK
    );
    h.robot.update(|s| s.heard = "khai sinh".into());
    for body in &mut open {
        let v = next_state(body, |v| v["seq"] == 1).await;
        assert_eq!(v["heard"], "khai sinh");
    }
    // A client goes away: its place is free again, once, for the current state.
    drop(open.pop());
    let resp = call(&h.app, get("/api/events")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    assert_eq!(next_state(&mut body, |_| true).await["seq"], 1);
    assert_eq!(
        call(&h.app, get("/api/events")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    // All closed: all places free.
    drop(body);
    open.clear();
    for _ in 0..MAX_EVENT_STREAMS {
        let resp = call(&h.app, get("/api/events")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        open.push(resp.into_body());
    }
}

#[tokio::test]
async fn each_post_reaches_the_robot_as_its_input() {
    let mut h = harness();
    expect(
        &h.app,
        "/api/ask",
        r#"{"text":"  Đăng ký khai sinh ở đâu?  ","lang":"vi"}"#,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Typed {
            text: "Đăng ký khai sinh ở đâu?".into(),
            lang: Lang::Vi
        }
    );
    expect(
        &h.app,
        "/api/topic",
        r#"{"id":"proc.birth_registration","lang":"en"}"#,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Topic {
            id: "proc.birth_registration".into(),
            lang: Lang::En
        }
    );
    expect(
        &h.app,
        "/api/call_staff",
        r#"{"lang":"vi"}"#,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::CallStaff { lang: Lang::Vi }
    );
    expect(&h.app, "/api/language", r#"{"lang":"en"}"#, StatusCode::OK).await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Language { lang: Lang::En }
    );
    expect(&h.app, "/api/repeat", r#"{"lang":"en"}"#, StatusCode::OK).await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Repeat { lang: Lang::En }
    );
    expect(
        &h.app,
        "/api/confirm",
        r#"{"yes":true,"lang":"vi"}"#,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Confirm {
            yes: true,
            lang: Lang::Vi
        }
    );
    expect(&h.app, "/api/confirm", r#"{"yes":false}"#, StatusCode::OK).await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Confirm {
            yes: false,
            lang: Lang::Vi
        }
    );
    // the buttons need an answer, and nothing else
    expect(&h.app, "/api/confirm", "{}", StatusCode::BAD_REQUEST).await;
    expect(
        &h.app,
        "/api/confirm",
        r#"{"yes":"maybe"}"#,
        StatusCode::BAD_REQUEST,
    )
    .await;
    expect(
        &h.app,
        "/api/confirm",
        r#"{"yes":true,"extra":1}"#,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // without `lang`, the screen's current language is used
    h.robot.update(|s| s.lang = Lang::En);
    expect(&h.app, "/api/repeat", "{}", StatusCode::OK).await;
    assert_eq!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Repeat { lang: Lang::En }
    );
    // the language toggle needs a language
    expect(&h.app, "/api/language", "{}", StatusCode::BAD_REQUEST).await;
    expect(
        &h.app,
        "/api/language",
        r#"{"lang":"fr"}"#,
        StatusCode::BAD_REQUEST,
    )
    .await;
    no_input(&mut h.robot);
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_json_error() {
    let mut h = harness();
    for body in [
        "{",
        "not json",
        "",
        "[]",
        r#"{"text": 5}"#,
        r#"{"text":"x","extra":1}"#,
        r#"{"text":"x","lang":"fr"}"#,
    ] {
        let v = expect(&h.app, "/api/ask", body, StatusCode::BAD_REQUEST).await;
        assert!(v["error"].as_str().unwrap().contains("JSON"), "{body}: {v}");
    }
    expect(
        &h.app,
        "/api/topic",
        r#"{"id":["x"]}"#,
        StatusCode::BAD_REQUEST,
    )
    .await;
    no_input(&mut h.robot);
}

#[tokio::test]
async fn non_json_bodies_are_415() {
    let mut h = harness();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonp"),
        None,
    ] {
        let mut req = Request::post("/api/ask")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"));
        if let Some(ct) = ct {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let resp = call(&h.app, req.body(Body::from(r#"{"text":"x"}"#)).unwrap()).await;
        assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert!(json_of(resp).await["error"].is_string());
    }
    // charset parameter is fine
    let req = Request::post("/api/ask")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(r#"{"text":"xin chào"}"#))
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::OK);
    assert!(h.robot.inputs.try_recv().is_ok());
    no_input(&mut h.robot);
}

#[tokio::test]
async fn too_long_and_empty_questions_are_refused() {
    let mut h = harness_with(ScreenParams {
        max_text_chars: 20,
        ..Default::default()
    });
    // exactly 20 characters (Vietnamese letters count as one each)
    let ok = "ấ".repeat(20);
    expect(
        &h.app,
        "/api/ask",
        &json!({ "text": ok }).to_string(),
        StatusCode::OK,
    )
    .await;
    assert!(h.robot.inputs.try_recv().is_ok());
    let v = expect(
        &h.app,
        "/api/ask",
        &json!({ "text": "ấ".repeat(21) }).to_string(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(v["error"].as_str().unwrap().contains("at most 20"), "{v}");
    // a body over max_body_bytes (16 KiB) is 413 too, as JSON
    let huge = json!({ "text": "a".repeat(20_000) }).to_string();
    let v = expect(&h.app, "/api/ask", &huge, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(v["error"].as_str().unwrap().contains("too large"), "{v}");
    for empty in ["", "   ", "\n\t", "\u{0}\u{7}", "\u{200B}"] {
        let v = expect(
            &h.app,
            "/api/ask",
            &json!({ "text": empty }).to_string(),
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(v["error"].as_str().unwrap().contains("empty"), "{empty:?}");
    }
    no_input(&mut h.robot);
}

#[tokio::test]
async fn control_characters_are_stripped() {
    let mut h = harness();
    let raw = "khai\u{0}\u{1b}[2J sinh\r\ncho\u{202E} con\u{7}";
    expect(
        &h.app,
        "/api/ask",
        &json!({ "text": raw, "lang": "vi" }).to_string(),
        StatusCode::OK,
    )
    .await;
    match h.robot.inputs.try_recv().unwrap() {
        ScreenInput::Typed { text, .. } => {
            assert_eq!(text, "khai[2J sinh cho con");
            assert!(!text.chars().any(char::is_control));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn topic_ids_must_look_like_intent_ids() {
    let mut h = harness();
    for bad in [
        "",
        "birth",
        "proc.Birth",
        "proc.birth-registration",
        "../etc/passwd",
        "proc.birth registration",
        "<script>.x",
    ] {
        expect(
            &h.app,
            "/api/topic",
            &json!({ "id": bad }).to_string(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let long = format!("proc.{}", "a".repeat(60));
    expect(
        &h.app,
        "/api/topic",
        &json!({ "id": long }).to_string(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    no_input(&mut h.robot);
    // any well-formed id is accepted, even one not on the screen
    expect(
        &h.app,
        "/api/topic",
        r#"{"id":"amenity.restroom"}"#,
        StatusCode::OK,
    )
    .await;
    assert!(matches!(
        h.robot.inputs.try_recv().unwrap(),
        ScreenInput::Topic { id, .. } if id == "amenity.restroom"
    ));
}

#[tokio::test]
async fn cross_site_posts_and_foreign_hosts_are_403() {
    let mut h = harness();
    for origin in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:9999",
        "https://evil.example:8090",
    ] {
        let req = Request::post("/api/call_staff")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let resp = call(&h.app, req).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(json_of(resp).await["error"].is_string());
    }
    let req = Request::post("/api/call_staff")
        .header(header::HOST, HOST)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::FORBIDDEN);
    // DNS rebinding: the browser sends the attacker's host name, even for GETs
    let req = Request::get("/api/state")
        .header(header::HOST, "rebind.evil.example:8090")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::FORBIDDEN);
    let req = Request::post("/api/call_staff")
        .header(header::HOST, "rebind.evil.example:8090")
        .header(header::ORIGIN, "http://rebind.evil.example:8090")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::FORBIDDEN);
    no_input(&mut h.robot);
    // same origin on localhost and no Origin at all (curl) are fine
    let req = Request::post("/api/call_staff")
        .header(header::HOST, "localhost:8090")
        .header(header::ORIGIN, "http://localhost:8090")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::OK);
    let req = Request::post("/api/call_staff")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(call(&h.app, req).await.status(), StatusCode::OK);
    assert!(h.robot.inputs.try_recv().is_ok());
    assert!(h.robot.inputs.try_recv().is_ok());
}

#[tokio::test(start_paused = true)]
async fn typed_questions_are_rate_limited() {
    let mut h = harness(); // 2 per second, burst 3
    let ask = r#"{"text":"xin chào"}"#;
    for _ in 0..3 {
        expect(&h.app, "/api/ask", ask, StatusCode::OK).await;
    }
    let resp = call(&h.app, post_json("/api/ask", ask)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()[header::RETRY_AFTER], "1");
    assert!(json_of(resp).await["error"]
        .as_str()
        .unwrap()
        .contains("retry"));
    // buttons have their own bucket
    expect(&h.app, "/api/repeat", "{}", StatusCode::OK).await;
    tokio::time::advance(Duration::from_millis(300)).await;
    expect(&h.app, "/api/ask", ask, StatusCode::TOO_MANY_REQUESTS).await;
    tokio::time::advance(Duration::from_millis(250)).await;
    expect(&h.app, "/api/ask", ask, StatusCode::OK).await;
    expect(&h.app, "/api/ask", ask, StatusCode::TOO_MANY_REQUESTS).await;
    let mut n = 0;
    while h.robot.inputs.try_recv().is_ok() {
        n += 1;
    }
    assert_eq!(n, 5, "3 + 1 questions and one repeat reached the robot");
}

#[tokio::test]
async fn a_full_queue_or_a_gone_robot_is_503() {
    let (link, robot) = ScreenLink::new(1);
    let app = router(ScreenParams::default(), link).unwrap();
    expect(&app, "/api/repeat", "{}", StatusCode::OK).await;
    expect(&app, "/api/repeat", "{}", StatusCode::SERVICE_UNAVAILABLE).await;
    drop(robot);
    expect(
        &app,
        "/api/call_staff",
        "{}",
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
}

#[tokio::test]
async fn qr_is_404_without_a_url() {
    let h = harness();
    let resp = call(&h.app, get("/api/qr.svg")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(json_of(resp).await["error"].is_string());
    // not even when the query string names one
    let resp = call(&h.app, get("/api/qr.svg?url=https://evil.example/")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // a non-http URL in the state is not shown either
    h.robot
        .update(|s| s.qr_url = Some("javascript:alert(1)".into()));
    let resp = call(&h.app, get("/api/qr.svg")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// Turn the served SVG (rects `M{x} {y}h{w}v{h}H{x}V{y}` in pixels, 8 px per module) back into a
/// module grid, then decode it with an independent QR reader.
fn decode_svg(svg: &str) -> (usize, String) {
    let vb = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let size: usize = vb.split(' ').next().unwrap().parse().unwrap();
    let module = letan_screen::qr::MODULE_PX as usize;
    assert_eq!(size % module, 0);
    let n = size / module; // modules including the quiet zone
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut dark = vec![vec![false; n]; n];
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let (x, y, w, h) = (nums[0], nums[1], nums[2], nums[3]);
        for row in dark.iter_mut().skip(y / module).take(h / module) {
            for cell in row.iter_mut().skip(x / module).take(w / module) {
                *cell = true;
            }
        }
    }
    // 4 px per module for the reader
    let px = 4;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(n * px, n * px, |x, y| {
        if dark[y / px][x / px] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the SVG");
    let (_, content) = grids[0].decode().unwrap();
    (n - 8, content)
}

#[tokio::test]
async fn qr_svg_encodes_the_state_url_and_ignores_the_query() {
    let h = harness();
    let url = "https://dichvucong.gov.vn/";
    h.robot.update(|s| s.qr_url = Some(url.into()));
    let resp = call(&h.app, get("/api/qr.svg")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let svg = String::from_utf8(body_bytes(resp).await).unwrap();
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"));
    assert!(svg.contains("<svg"));
    let (modules, content) = decode_svg(&svg);
    assert_eq!(content, url);
    // 26 bytes at level M fit version 2 (25 modules); any QR is 21 + 4k modules
    assert!(
        (21..=41).contains(&modules) && (modules - 21) % 4 == 0,
        "{modules}"
    );

    // a URL in the query string is ignored: the same picture comes back
    let other = call(
        &h.app,
        get("/api/qr.svg?url=https%3A%2F%2Fevil.example%2F&qr_url=https://evil.example/"),
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    let other = String::from_utf8(body_bytes(other).await).unwrap();
    assert_eq!(other, svg);
    assert_eq!(decode_svg(&other).1, url);

    // a new state's URL gives a new code
    let long = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193";
    h.robot.update(|s| s.qr_url = Some(long.into()));
    let svg2 = String::from_utf8(body_bytes(call(&h.app, get("/api/qr.svg")).await).await).unwrap();
    let (m2, c2) = decode_svg(&svg2);
    assert_eq!(c2, long);
    assert!(
        m2 > modules,
        "a longer URL needs a bigger code ({m2} vs {modules})"
    );
}

#[tokio::test]
async fn real_socket_serves_and_stops_with_open_event_streams() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let params = ScreenParams {
        port: 0,
        ..Default::default()
    };
    let listener = bind(&params).await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let (link, robot) = ScreenLink::new(4);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_listener(listener, params, link, async move {
        let _ = stop_rx.await;
    }));
    // an open event stream
    let mut sse = tokio::net::TcpStream::connect(addr).await.unwrap();
    sse.write_all(
        format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("event: state") {
        let n = tokio::time::timeout(Duration::from_secs(5), sse.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    robot.update(|s| s.heard = "tạm trú".into());
    while !String::from_utf8_lossy(&got).contains("tạm trú") {
        let n = tokio::time::timeout(Duration::from_secs(5), sse.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    // a plain request on another connection
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(
        format!("GET /api/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut resp = String::new();
    c.read_to_string(&mut resp).await.unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"heard\":\"tạm trú\""));
    // shutdown ends the open stream and the server
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops although an event stream was open")
        .unwrap()
        .unwrap();
}
