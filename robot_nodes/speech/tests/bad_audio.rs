//! Odd recordings through the whole file pipeline (WAV read → resample → endpointer →
//! recognizer): empty, one sample, 8 kHz, 48 kHz stereo, clipped, NaN. Nothing panics, and
//! speech that is there is still found.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::Path;

use letan_speech::wav::read_wav;
use letan_speech::{transcribe_utterances, EndpointConfig, FakeRecognizer, Lang};

fn write(path: &Path, rate: u32, channels: u16, float: bool, frames: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: if float { 32 } else { 16 },
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for f in frames {
        for &s in f {
            if float {
                w.write_sample(s).unwrap();
            } else {
                w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
                    .unwrap();
            }
        }
    }
    w.finalize().unwrap();
}

/// 0.6 s silence, 1 s of a voiced tone, 1.5 s silence, as `channels` identical channels.
fn utterance(rate: u32, channels: usize, gain: f32) -> Vec<Vec<f32>> {
    let n = |s: f32| (s * rate as f32) as usize;
    let mut out = vec![vec![0.0; channels]; n(0.6)];
    for i in 0..n(1.0) {
        let t = i as f32 / rate as f32;
        let s = gain * 0.3 * (2.0 * std::f32::consts::PI * 150.0 * t).sin();
        out.push(vec![s; channels]);
    }
    out.extend(vec![vec![0.0; channels]; n(1.5)]);
    out
}

fn run(path: &Path) -> Vec<(f64, f64, String)> {
    let audio = read_wav(path).unwrap();
    let mut rec = FakeRecognizer::new(Lang::Vi, ["vâng", "dạ", "xin chào"]);
    transcribe_utterances(&audio, &mut rec, EndpointConfig::default())
        .unwrap()
        .into_iter()
        .map(|(s, t)| (s.start_s(), s.end_s(), t.text))
        .collect()
}

#[test]
fn empty_and_single_sample_files_give_no_utterances() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("empty.wav");
    write(&p, 16_000, 1, false, &[]);
    assert!(run(&p).is_empty());
    let p = d.path().join("one.wav");
    write(&p, 16_000, 1, false, &[vec![0.9]]);
    assert!(run(&p).is_empty());
}

#[test]
fn telephone_8k_and_48k_stereo_are_resampled_and_found() {
    let d = tempfile::tempdir().unwrap();
    for (rate, ch) in [(8_000u32, 1u16), (48_000, 2), (44_100, 2), (22_050, 1)] {
        let p = d.path().join(format!("{rate}_{ch}.wav"));
        write(&p, rate, ch, false, &utterance(rate, ch as usize, 1.0));
        let got = run(&p);
        assert_eq!(got.len(), 1, "{rate} Hz x{ch}: {got:?}");
        assert!(
            (got[0].0 - 0.6).abs() <= 0.1 && (got[0].1 - 1.6).abs() <= 0.1,
            "{got:?}"
        );
        assert_eq!(got[0].2, "vâng");
    }
}

#[test]
fn clipped_and_nan_audio_is_sanitised() {
    let d = tempfile::tempdir().unwrap();
    // Clipped: gain 10 drives the float file far outside [-1, 1].
    let p = d.path().join("clipped.wav");
    write(&p, 16_000, 1, true, &utterance(16_000, 1, 10.0));
    let got = run(&p);
    assert_eq!(got.len(), 1, "{got:?}");
    // NaN everywhere in one channel of a stereo float file: the other channel still carries speech.
    let mut frames = utterance(48_000, 2, 1.0);
    for f in &mut frames {
        f[1] = f32::NAN;
    }
    let p = d.path().join("nan.wav");
    write(&p, 48_000, 2, true, &frames);
    let got = run(&p);
    assert_eq!(got.len(), 1, "{got:?}");
    // All NaN: silence, no utterance, no panic.
    let p = d.path().join("allnan.wav");
    write(&p, 16_000, 1, true, &vec![vec![f32::NAN]; 16_000]);
    assert!(run(&p).is_empty());
}
