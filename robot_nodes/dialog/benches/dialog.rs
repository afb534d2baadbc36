//! Dialog latency: one final transcript in, the actions out (understanding included).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use letan_dialog::{Dialog, DialogConfig, Event, Utterance};

fn bench(c: &mut Criterion) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let nlu = match letan_nlu::Nlu::embedded() {
        Ok(n) => n,
        Err(e) => panic!("nlu: {e}"),
    };
    let places = match letan_map::Places::load(format!("{root}/maps/places.yaml")) {
        Ok(p) => p,
        Err(e) => panic!("places: {e}"),
    };
    let base = match Dialog::new(DialogConfig::default(), nlu, places) {
        Ok(d) => d,
        Err(e) => panic!("dialog: {e}"),
    };
    for (name, text) in [
        ("procedure_vi", "con tôi mới sinh thì phải làm giấy gì"),
        ("where_is_en", "where is counter seven"),
    ] {
        c.bench_function(&format!("transcript_to_actions/{name}"), |b| {
            b.iter_batched(
                || base.clone(),
                |mut d| d.handle(Event::Transcript(Utterance::asr(text, 0.9)), Duration::ZERO),
                criterion::BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
