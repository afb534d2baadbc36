//! Hot paths of the screen: the QR SVG (rendered on every /api/qr.svg), the state JSON (on every
//! push to the page), and cleaning a typed question.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use letan_screen::link::{DialogState, Lang, ScreenState, Suggestion};

fn state() -> ScreenState {
    ScreenState {
        lang: Lang::Vi,
        title: "Đăng ký khai sinh".into(),
        body: "Đăng ký trong 60 ngày kể từ ngày sinh, tại UBND phường nơi bố hoặc mẹ cư trú.\nLàm đúng hạn thì miễn phí; có thể làm trực tuyến.".into(),
        documents: vec!["Giấy chứng sinh".into(), "Căn cước của bố hoặc mẹ".into()],
        qr_url: Some("https://dichvucong.gov.vn/".into()),
        suggestions: (0..6)
            .map(|i| Suggestion { id: format!("proc.topic_{}", "x".repeat(i)), label: "Khai sinh".into() })
            .collect(),
        dialog_state: DialogState::Answering,
        heard: "đăng ký khai sinh cho cháu".into(),
        confirm: false,
        robot_speaking: true,
        staff_called: false,
        seq: 42,
    }
}

fn benches(c: &mut Criterion) {
    c.bench_function("qr_svg dichvucong.gov.vn", |b| {
        b.iter(|| letan_screen::qr::qr_svg(black_box("https://dichvucong.gov.vn/")))
    });
    let long = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193";
    c.bench_function("qr_svg 97-byte procedure URL", |b| {
        b.iter(|| letan_screen::qr::qr_svg(black_box(long)))
    });
    let s = state();
    c.bench_function("state to JSON", |b| {
        b.iter(|| serde_json::to_string(black_box(&s)))
    });
    let q = "  Tôi muốn\tđăng ký khai sinh cho cháu nội\u{7}, cần mang những giấy tờ gì ạ?\r\n"
        .repeat(6);
    c.bench_function("clean_text 500 chars", |b| {
        b.iter(|| letan_screen::text::clean_text(black_box(&q)))
    });
}

criterion_group!(screen, benches);
criterion_main!(screen);
