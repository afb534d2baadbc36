//! Speech benchmarks: endpointer cost per 20 ms frame, resampler throughput, espeak-ng synthesis
//! (real-time factor = time / audio duration; the audio durations are printed once), and with
//! feature `piper` the stand-in Piper graph (plumbing cost: phonemizer + ORT, not a real voice).
#![allow(clippy::disallowed_methods)] // a bench measures wall time

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use letan_speech::audio::resample;
use letan_speech::vad::{EndpointConfig, Endpointer};
use letan_speech::{EspeakConfig, EspeakSynthesizer, Lang, Resampler, Synthesizer};

fn speechy(rate: u32, secs: f32) -> Vec<f32> {
    let n = (rate as f32 * secs) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let env = 0.5 + 0.5 * (2.0 * std::f32::consts::PI * 3.0 * t).sin();
            0.3 * env * (2.0 * std::f32::consts::PI * 140.0 * t).sin()
        })
        .collect()
}

fn bench_vad(c: &mut Criterion) {
    let frame = speechy(16_000, 0.02);
    let mut g = c.benchmark_group("endpointer");
    g.throughput(Throughput::Elements(1));
    g.bench_function("push_20ms_frame_16k", |b| {
        let mut ep =
            Endpointer::new(EndpointConfig::default(), 16_000).unwrap_or_else(|e| panic!("{e}"));
        b.iter(|| black_box(ep.push(black_box(&frame))))
    });
    g.finish();
}

fn bench_resample(c: &mut Criterion) {
    let mut g = c.benchmark_group("resample_1s");
    for (from, to) in [
        (48_000u32, 16_000u32),
        (44_100, 16_000),
        (22_050, 16_000),
        (16_000, 22_050),
    ] {
        let x = speechy(from, 1.0);
        let r = Resampler::new(from, to).unwrap_or_else(|e| panic!("{e}"));
        g.throughput(Throughput::Elements(x.len() as u64));
        g.bench_function(format!("{from}_to_{to}"), |b| {
            b.iter(|| black_box(r.process(black_box(&x))))
        });
    }
    g.bench_function("48000_to_16000_with_kernel_build", |b| {
        let x = speechy(48_000, 1.0);
        b.iter(|| black_box(resample(black_box(&x), 48_000, 16_000)))
    });
    g.finish();
}

fn bench_espeak(c: &mut Criterion) {
    let mut v = EspeakSynthesizer::new(EspeakConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        (
            "vi_sentence",
            Lang::Vi,
            "Nhà vệ sinh ở cuối hành lang, bên tay phải, cạnh thang máy.",
        ),
        (
            "en_sentence",
            Lang::En,
            "The passport counter is on the second floor, next to the lift.",
        ),
        ("vi_short", Lang::Vi, "Vâng."),
    ];
    let mut g = c.benchmark_group("espeak_ng");
    g.sample_size(20);
    for (name, lang, text) in cases {
        let t = Instant::now();
        let a = v.synthesize(text, lang).unwrap_or_else(|e| panic!("{e}"));
        let first = t.elapsed().as_secs_f64();
        println!(
            "espeak_ng/{name}: audio {:.2} s, one-shot synthesis {:.1} ms (RTF {:.4})",
            a.duration_s(),
            first * 1e3,
            first / a.duration_s()
        );
        g.bench_function(name, |b| {
            b.iter(|| black_box(v.synthesize(black_box(text), lang)))
        });
    }
    g.finish();
}

#[cfg(feature = "piper")]
fn bench_piper_standin(c: &mut Criterion) {
    use letan_speech::native::{deps_dir, onnxruntime_candidates};
    use letan_speech::piper::{PiperConfig, PiperSynthesizer};
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let cwd = std::env::current_dir().ok();
    let ort = onnxruntime_candidates(
        std::env::var_os("ORT_DYLIB_PATH"),
        &deps_dir(std::env::var_os("LETAN_DEPS"), cwd.as_deref()),
    );
    let t = Instant::now();
    let mut v = PiperSynthesizer::load(
        &data.join("standin_piper.onnx"),
        &data.join("standin_piper.onnx.json"),
        Lang::Vi,
        &ort,
        PiperConfig::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "piper_standin: load (ORT + session) {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let text = "Nhà vệ sinh ở cuối hành lang, bên tay phải, cạnh thang máy.";
    let t = Instant::now();
    let a = v
        .synthesize(text, Lang::Vi)
        .unwrap_or_else(|e| panic!("{e}"));
    let first = t.elapsed().as_secs_f64();
    println!(
        "piper_standin: first sentence {:.1} ms for {:.2} s of stand-in audio (time to first audio)",
        first * 1e3,
        a.duration_s()
    );
    let mut g = c.benchmark_group("piper_standin");
    g.sample_size(30);
    g.bench_function("vi_sentence", |b| {
        b.iter(|| black_box(v.synthesize(black_box(text), Lang::Vi)))
    });
    g.finish();
}

#[cfg(not(feature = "piper"))]
fn bench_piper_standin(_c: &mut Criterion) {}

criterion_group!(
    benches,
    bench_vad,
    bench_resample,
    bench_espeak,
    bench_piper_standin
);
criterion_main!(benches);
