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

/// Resident memory of this process, bytes (Linux).
fn rss_bytes() -> usize {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = s
        .split_whitespace()
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Ten minutes of live audio at 48 kHz, streamed in 100 ms chunks as the ASR node gets it:
/// resampled, endpointed, and fed to an open + grammar recognizer pair (two-pass keeps the
/// utterance). `loud`: continuous speech-like sound, else near silence. Returns the utterances
/// closed and the longest (s).
fn ten_minutes(loud: bool) -> (usize, f64) {
    use letan_speech::{
        ClosedSetMode, ClosedSetRecognizer, EndpointEvent, Endpointer, Grammar, Recognizer,
        StreamResampler,
    };
    let rate = 48_000u32;
    let cfg = EndpointConfig::default();
    let max_s = f64::from(cfg.max_utterance_ms) / 1000.0;
    let mut ep = Endpointer::new(cfg, 16_000).unwrap();
    let mut rs = StreamResampler::new(rate, 16_000).unwrap();
    let g = Grammar::new(["vâng"]);
    let mut rec = ClosedSetRecognizer::new(
        Box::new(FakeRecognizer::new(Lang::Vi, Vec::<String>::new())),
        Box::new(FakeRecognizer::new(Lang::Vi, Vec::<String>::new()).with_grammar(g.clone())),
        &g,
        ClosedSetMode::TwoPass,
        17.0,
    )
    .unwrap();
    let mut open = false;
    let (mut closed, mut longest) = (0usize, 0.0f64);
    let chunk = rate as usize / 10;
    let mut x = 0x1234_5678u32;
    for c in 0..(600 * 10) {
        let mut buf: Vec<f32> = (0..chunk)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let noise = x as f32 / u32::MAX as f32 - 0.5;
                if loud {
                    // Syllable-rate modulated noise and voicing: speech-like, never a pause.
                    let t = (c * chunk + i) as f32 / rate as f32;
                    let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 4.0 * t).sin();
                    env * (0.5 * noise + 0.3 * (2.0 * std::f32::consts::PI * 140.0 * t).sin())
                } else {
                    noise * 0.0005
                }
            })
            .collect();
        if c % 997 == 0 {
            buf[0] = f32::NAN;
            buf[1] = 40.0;
        }
        letan_speech::audio::sanitize(&mut buf);
        let at16 = rs.process(&buf);
        for piece in at16.chunks(320) {
            for ev in ep.push(piece) {
                match ev {
                    EndpointEvent::Start { .. } => {
                        rec.reset();
                        open = true;
                    }
                    EndpointEvent::End(seg) => {
                        open = false;
                        closed += 1;
                        longest = longest.max(seg.end_s() - seg.start_s());
                        rec.finish().unwrap();
                    }
                    _ => {}
                }
            }
            if open {
                let pcm: Vec<i16> = piece.iter().map(|s| (s * 32767.0) as i16).collect();
                rec.accept_waveform(&pcm).unwrap();
            }
        }
    }
    assert!(longest <= max_s + 0.1, "an utterance of {longest} s");
    (closed, longest)
}

#[test]
fn ten_minutes_of_silence_or_of_speech_stream_in_bounded_memory() {
    let before = rss_bytes();
    let (n, _) = ten_minutes(false);
    assert_eq!(n, 0, "silence closed {n} utterances");
    let (n, longest) = ten_minutes(true);
    // Never a pause: the endpointer cuts at the maximum utterance length, again and again.
    assert!(
        n >= 30,
        "{n} utterances of at most {longest:.1} s in 10 min"
    );
    let grown = rss_bytes().saturating_sub(before);
    // 10 min at 16 kHz kept whole would be 19 MB of i16 (38 MB of f32): the pipeline keeps only
    // the open utterance.
    assert!(grown < 16 << 20, "memory grew by {} MB", grown >> 20);
}
