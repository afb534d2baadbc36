//! ort's `load-dynamic` deadlocks when ONNX Runtime cannot be loaded (shared/notes/speech.md,
//! problem 4). Our loader checks first, so a missing or broken library is an error within
//! seconds. Its own test binary: ONNX Runtime must not be loaded in this process beforehand.
#![cfg(feature = "piper")]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use letan_speech::piper::{init_onnxruntime, PiperConfig, PiperSynthesizer};
use letan_speech::Lang;

#[test]
fn missing_or_bogus_library_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("libonnxruntime.so.1");
    std::fs::write(&bogus, b"not an ELF file").unwrap();
    let missing = PathBuf::from("/nonexistent/libonnxruntime.so");
    let (tx, rx) = mpsc::channel();
    let cands = vec![missing.clone(), bogus.clone()];
    let model = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/standin_piper.onnx");
    std::thread::spawn(move || {
        let direct = init_onnxruntime(&cands)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let via_voice = PiperSynthesizer::load(
            &model,
            &model.with_extension("onnx.json"),
            Lang::Vi,
            &cands,
            PiperConfig::default(),
        )
        .map(|_| ())
        .map_err(|e| e.to_string());
        let _ = tx.send((direct, via_voice));
    });
    let (direct, via_voice) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("loader hung: the ort load-dynamic deadlock guard failed");
    for e in [direct.unwrap_err(), via_voice.unwrap_err()] {
        assert!(
            e.contains("/nonexistent/libonnxruntime.so (no such file)"),
            "{e}"
        );
        assert!(e.contains(&bogus.display().to_string()), "{e}");
        assert!(
            e.contains("scripts/setup.sh") && e.contains("ORT_DYLIB_PATH"),
            "{e}"
        );
    }
}
