//! Start-up (parse the embedded knowledge base and train) and per-utterance latency.
//!
//! `cargo bench -p letan-nlu --bench nlu`. Criterion reports the mean per utterance; the p50
//! and p99 over the dev set's utterances are printed by the `percentiles` step.
#![allow(clippy::disallowed_methods)] // a bench measures wall time
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use letan_nlu::{Kb, Nlu, NluConfig};

const DEV: &str = include_str!("../tests/data/nlu_dev.tsv");

fn utterances() -> Vec<String> {
    DEV.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("parse_kb", |b| {
        b.iter(|| black_box(Kb::embedded().unwrap()))
    });
    g.bench_function("parse_kb_and_train", |b| {
        b.iter(|| black_box(Nlu::new(Kb::embedded().unwrap(), NluConfig::default()).unwrap()))
    });
    // The anchor: one SGD run instead of the default's average of several.
    g.bench_function("parse_kb_and_train_one_run", |b| {
        let mut cfg = NluConfig::default();
        cfg.classifier.runs = 1;
        b.iter(|| black_box(Nlu::new(Kb::embedded().unwrap(), cfg.clone()).unwrap()))
    });
    g.finish();
}

fn classify(c: &mut Criterion) {
    let nlu = Nlu::embedded().unwrap();
    let texts = utterances();
    let mut g = c.benchmark_group("classify");
    g.bench_function("short_vi", |b| {
        b.iter(|| black_box(nlu.understand(black_box("quầy số bảy ở đâu"))))
    });
    g.bench_function("long_vi", |b| {
        b.iter(|| {
            black_box(nlu.understand(black_box(
                "Bác già rồi, không rành mạng, có ai làm giúp hồ sơ trực tuyến không cháu ơi?",
            )))
        })
    });
    g.bench_function("dev_set_mean", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % texts.len();
            black_box(nlu.understand(&texts[i]))
        })
    });
    g.finish();

    // p50 / p99 per utterance over many passes of the dev set (criterion gives means only).
    let mut samples = Vec::with_capacity(texts.len() * 20);
    for _ in 0..20 {
        for t in &texts {
            let start = Instant::now();
            black_box(nlu.understand(t));
            samples.push(start.elapsed().as_nanos() as u64);
        }
    }
    samples.sort_unstable();
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "classify percentiles over {} calls: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        samples.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

criterion_group!(benches, startup, classify);
criterion_main!(benches);
