//! The Piper path end to end with the stand-in graph (tests/data/standin_piper.onnx, built by
//! scripts/make_standin_piper.py with Piper's exact inputs/outputs): real espeak-ng 1.52
//! phonemizer (piper-rs) → phoneme ids → ONNX Runtime (from the PyPI wheel, loaded at run time)
//! → audio. It checks plumbing, not voice quality: no real Piper voice can be downloaded here.
#![cfg(feature = "piper")]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use letan_models::{Manifest, SearchPaths};
use letan_speech::native::{deps_dir, onnxruntime_candidates};
use letan_speech::piper::{PiperConfig, PiperSynthesizer};
use letan_speech::{Lang, Synthesizer};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn candidates() -> Vec<PathBuf> {
    let cwd = std::env::current_dir().ok();
    onnxruntime_candidates(
        std::env::var_os("ORT_DYLIB_PATH"),
        &deps_dir(std::env::var_os("LETAN_DEPS"), cwd.as_deref()),
    )
}

fn standin(length_scale: f32) -> PiperSynthesizer {
    PiperSynthesizer::load(
        &data("standin_piper.onnx"),
        &data("standin_piper.onnx.json"),
        Lang::Vi,
        &candidates(),
        PiperConfig { length_scale },
    )
    .unwrap()
}

#[test]
fn vietnamese_text_goes_through_phonemizer_and_onnxruntime() {
    let mut v = standin(1.0);
    let short = v.synthesize("vâng", Lang::Vi).unwrap();
    let long = v
        .synthesize("Nhà vệ sinh ở cuối hành lang, bên tay phải.", Lang::Vi)
        .unwrap();
    assert_eq!(short.sample_rate, 22_050);
    // The stand-in outputs 256 samples per phoneme id (Piper's hop length) at length_scale 1.
    for a in [&short, &long] {
        assert!(!a.samples.is_empty());
        assert_eq!(a.samples.len() % 256, 0, "{}", a.samples.len());
    }
    let ids_short = short.samples.len() / 256;
    let ids_long = long.samples.len() / 256;
    // "vâng" → ^ + ~4 phonemes with pads + $: a handful of ids; the sentence many more.
    assert!((5..=20).contains(&ids_short), "{ids_short}");
    assert!(ids_long > 4 * ids_short, "{ids_long} vs {ids_short}");
    // Amplitude encodes the mean id (0.1 + 0.002·mean): ids of real phonemes reached ORT.
    let peak = long.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.1 && peak < 0.9, "{peak}");
}

#[test]
fn length_scale_reaches_the_graph() {
    let a = standin(1.0).synthesize("xin chào", Lang::Vi).unwrap();
    let b = standin(1.5).synthesize("xin chào", Lang::Vi).unwrap();
    let n = a.samples.len() / 256;
    assert_eq!(b.samples.len(), (n as f32 * 256.0 * 1.5).floor() as usize);
}

#[test]
fn refuses_other_language_and_bad_text() {
    let mut v = standin(1.0);
    assert!(v
        .synthesize("hello", Lang::En)
        .unwrap_err()
        .to_string()
        .contains("speaks vi"));
    assert!(v.synthesize("  ", Lang::Vi).is_err());
    assert!(v.synthesize(&"a".repeat(10_000), Lang::Vi).is_err());
}

#[test]
fn missing_voice_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let paths = SearchPaths {
        roots: vec![root.path().to_path_buf()],
    };
    let e = PiperSynthesizer::locate(
        Lang::Vi,
        &Manifest::builtin().unwrap(),
        &paths,
        &candidates(),
        PiperConfig::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("vi_VN-vais1000-medium"), "{e}");
    assert!(
        e.contains("letan models fetch vi_VN-vais1000-medium"),
        "{e}"
    );
    assert!(e.contains(&root.path().display().to_string()), "{e}");
    let e = PiperSynthesizer::load(
        &root.path().join("x.onnx"),
        &root.path().join("x.onnx.json"),
        Lang::En,
        &candidates(),
        PiperConfig::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("x.onnx") && e.contains("not found"), "{e}");
    assert!(
        e.contains("en_US-joe-medium") && e.contains("en_US-lessac-medium"),
        "{e}"
    );
    assert!(
        e.contains("scripts/setup.sh") && e.contains("letan models fetch"),
        "{e}"
    );
}
