//! Endpointer behaviour on synthetic speech-like signals with known boundaries.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_speech::vad::{segments, EndReason, EndpointConfig, EndpointEvent, Endpointer};

const RATE: u32 = 16_000;

/// Deterministic white noise (xorshift), uniform in [-amp, amp].
struct Noise(u64);
impl Noise {
    fn next(&mut self, amp: f32) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
    }
}

/// A voiced, syllable-modulated signal (120 Hz + harmonics, 4 syllables/s, slow elderly rate).
fn voiced(secs: f32, amp: f32) -> Vec<f32> {
    let n = (secs * RATE as f32) as usize;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let f0 = 120.0 + 10.0 * (2.0 * std::f32::consts::PI * 0.7 * t).sin();
            let mut s = 0.0;
            for h in 1..=6 {
                s += (2.0 * std::f32::consts::PI * f0 * h as f32 * t).sin() / h as f32;
            }
            // Syllable envelope between 0.35 and 1: never fully silent within a word group.
            let env = 0.675 + 0.325 * (2.0 * std::f32::consts::PI * 4.0 * t).cos();
            amp * env * s / 2.45
        })
        .collect()
}

fn silence(secs: f32) -> Vec<f32> {
    vec![0.0; (secs * RATE as f32) as usize]
}

fn add_noise(x: &mut [f32], amp: f32, seed: u64) {
    let mut n = Noise(seed);
    for s in x.iter_mut() {
        *s += n.next(amp);
    }
}

fn cat(parts: &[Vec<f32>]) -> Vec<f32> {
    parts.concat()
}

fn secs(n: usize) -> f64 {
    n as f64 / f64::from(RATE)
}

#[test]
fn one_utterance_in_silence_has_tight_boundaries() {
    let x = cat(&[silence(1.0), voiced(1.5, 0.3), silence(2.0)]);
    let segs = segments(&x, RATE, EndpointConfig::default()).unwrap();
    assert_eq!(segs.len(), 1, "{segs:?}");
    let s = segs[0];
    assert!((s.start_s() - 1.0).abs() <= 0.1, "start {}", s.start_s());
    assert!((s.end_s() - 2.5).abs() <= 0.1, "end {}", s.end_s());
    assert_eq!(s.reason, EndReason::Silence);
    // Decision after the configured trailing silence, not before.
    let lat = s.decision_latency_s();
    assert!((0.8..=0.84).contains(&lat), "latency {lat}");
}

#[test]
fn a_one_word_answer_ends_promptly_after_trailing_silence() {
    // "vâng": ~350 ms of voice, then the citizen waits.
    let word = voiced(0.35, 0.3);
    let x = cat(&[silence(0.5), word.clone(), silence(3.0)]);
    let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
    let mut ended_at = None;
    for (i, chunk) in x.chunks(320).enumerate() {
        for e in ep.push(chunk) {
            if let EndpointEvent::End(seg) = e {
                ended_at = Some((i + 1) * 320);
                assert!((seg.start_s() - 0.5).abs() <= 0.1);
                assert!((seg.end_s() - 0.85).abs() <= 0.1);
            }
        }
    }
    let at = ended_at.expect("the short answer must end without more audio");
    // Ends within trailing silence (0.8 s) + one frame of the word's end, never waits for max length.
    assert!(secs(at) <= 0.85 + 0.8 + 0.04, "ended at {}", secs(at));
}

#[test]
fn mid_sentence_pause_shorter_than_trailing_silence_keeps_one_utterance() {
    // Elderly speakers pause ~0.5 s while thinking: still one utterance with the 800 ms default.
    let x = cat(&[
        silence(0.6),
        voiced(1.0, 0.3),
        silence(0.55),
        voiced(1.2, 0.3),
        silence(1.5),
    ]);
    let segs = segments(&x, RATE, EndpointConfig::default()).unwrap();
    assert_eq!(segs.len(), 1, "{segs:?}");
    assert!((segs[0].end_s() - 3.35).abs() <= 0.1);
    // With a short trailing silence configured, the same audio splits in two.
    let cfg = EndpointConfig {
        trailing_silence_ms: 300,
        ..EndpointConfig::default()
    };
    let segs = segments(&x, RATE, cfg).unwrap();
    assert_eq!(segs.len(), 2, "{segs:?}");
    assert!((segs[1].start_s() - 2.15).abs() <= 0.1);
}

#[test]
fn boundaries_hold_in_background_noise_and_floor_adapts() {
    // Noise at about -40 dBFS (uniform amp 0.017 → rms 0.0098), speech rms ≈ -17 dBFS: SNR ≈ 23 dB.
    let mut x = cat(&[
        silence(1.5),
        voiced(1.2, 0.3),
        silence(1.2),
        voiced(0.8, 0.3),
        silence(1.5),
    ]);
    add_noise(&mut x, 0.017, 7);
    let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
    let mut segs = Vec::new();
    for chunk in x.chunks(777) {
        for e in ep.push(chunk) {
            if let EndpointEvent::End(s) = e {
                segs.push(s);
            }
        }
    }
    let floor = ep.noise_floor_dbfs();
    assert!((-46.0..=-38.0).contains(&floor), "floor {floor}");
    assert_eq!(segs.len(), 2, "{segs:?}");
    let truth = [(1.5, 2.7), (3.9, 4.7)];
    for (s, (a, b)) in segs.iter().zip(truth) {
        assert!(
            (s.start_s() - a).abs() <= 0.1,
            "start {} vs {a}",
            s.start_s()
        );
        assert!((s.end_s() - b).abs() <= 0.1, "end {} vs {b}", s.end_s());
    }
}

#[test]
fn noise_step_up_is_absorbed_without_endless_speech() {
    // A fan switches on (noise -60 → -35 dBFS) and stays on: at most one spurious segment, then
    // the floor follows it, and real speech over the new noise is still found.
    let mut quiet = silence(1.0);
    add_noise(&mut quiet, 0.0017, 1);
    let mut loud = silence(6.0);
    add_noise(&mut loud, 0.03, 2);
    let mut speech = cat(&[voiced(1.0, 0.5), silence(1.5)]);
    add_noise(&mut speech, 0.03, 3);
    let x = cat(&[quiet, loud, speech]);
    let segs = segments(&x, RATE, EndpointConfig::default()).unwrap();
    let real: Vec<_> = segs.iter().filter(|s| s.start_s() > 6.5).collect();
    assert_eq!(real.len(), 1, "{segs:?}");
    assert!((real[0].start_s() - 7.0).abs() <= 0.1);
    assert!((real[0].end_s() - 8.0).abs() <= 0.1);
    assert!(segs.len() <= 2, "{segs:?}");
    assert!(segs.iter().all(|s| s.reason != EndReason::MaxLength));
}

#[test]
fn endless_speech_is_cut_at_max_length() {
    let cfg = EndpointConfig {
        max_utterance_ms: 3_000,
        ..EndpointConfig::default()
    };
    // 7 s of talking with 150 ms breaths (shorter than the trailing silence) every 1.85 s.
    let mut parts = vec![silence(0.5)];
    for _ in 0..3 {
        parts.push(voiced(1.85, 0.3));
        parts.push(silence(0.15));
    }
    parts.push(voiced(1.0, 0.3));
    parts.push(silence(1.5));
    let x = cat(&parts);
    let segs = segments(&x, RATE, cfg).unwrap();
    assert!(segs.len() >= 2, "{segs:?}");
    assert_eq!(segs[0].reason, EndReason::MaxLength);
    assert!((segs[0].duration_s() - 3.0).abs() <= 0.05);
    assert!(segs.iter().all(|s| s.duration_s() <= 3.0 + 1e-9));
    let last = segs.last().unwrap();
    assert!((last.end_s() - 7.5).abs() <= 0.1);
}

#[test]
fn clicks_are_rejected_not_reported_as_speech() {
    let mut x = silence(1.0);
    x.extend(voiced(0.08, 0.8)); // 80 ms burst
    x.extend(silence(1.5));
    let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
    let mut ev = ep.push(&x);
    ev.extend(ep.finish());
    assert!(
        ev.iter().all(|e| !matches!(e, EndpointEvent::End(_))),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| matches!(e, EndpointEvent::Rejected(_))),
        "{ev:?}"
    );
}

#[test]
fn stream_ending_mid_speech_closes_the_utterance() {
    let x = cat(&[silence(0.5), voiced(1.0, 0.3)]);
    let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
    let ev = ep.push(&x);
    assert!(
        matches!(ev.as_slice(), [EndpointEvent::Start { .. }]),
        "{ev:?}"
    );
    assert!(ep.in_speech());
    let ev = ep.finish();
    match ev.as_slice() {
        [EndpointEvent::End(s)] => {
            assert_eq!(s.reason, EndReason::EndOfStream);
            assert!((s.end_s() - 1.5).abs() <= 0.05);
        }
        other => panic!("{other:?}"),
    }
    assert!(!ep.in_speech());
}

#[test]
fn start_event_carries_pre_roll_for_the_recognizer() {
    let x = cat(&[silence(1.0), voiced(1.0, 0.3)]);
    let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
    let ev = ep.push(&x);
    match ev.first() {
        Some(EndpointEvent::Start {
            start,
            pre_roll_start,
        }) => {
            assert_eq!(start - pre_roll_start, 3_200); // 200 ms at 16 kHz
            assert!((secs(*start as usize) - 1.0).abs() <= 0.05);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chunking_does_not_change_results() {
    let mut x = cat(&[
        silence(0.7),
        voiced(0.9, 0.25),
        silence(1.0),
        voiced(0.4, 0.25),
        silence(1.2),
    ]);
    add_noise(&mut x, 0.005, 11);
    let whole = segments(&x, RATE, EndpointConfig::default()).unwrap();
    for chunk in [1usize, 7, 160, 321, 4096] {
        let mut ep = Endpointer::new(EndpointConfig::default(), RATE).unwrap();
        let mut got = Vec::new();
        for c in x.chunks(chunk) {
            for e in ep.push(c) {
                if let EndpointEvent::End(s) = e {
                    got.push(s);
                }
            }
        }
        for e in ep.finish() {
            if let EndpointEvent::End(s) = e {
                got.push(s);
            }
        }
        assert_eq!(got, whole, "chunk {chunk}");
    }
}

#[test]
fn bad_audio_never_panics() {
    let cfg = EndpointConfig::default();
    // Empty and one sample.
    assert!(segments(&[], RATE, cfg.clone()).unwrap().is_empty());
    assert!(segments(&[0.5], RATE, cfg.clone()).unwrap().is_empty());
    // NaN and infinities count as silence.
    let mut x = vec![f32::NAN; 16_000];
    x.extend(vec![f32::INFINITY; 1000]);
    assert!(segments(&x, RATE, cfg.clone()).unwrap().is_empty());
    // Fully clipped square wave: loud, detected, bounded.
    let mut sq = silence(0.5);
    sq.extend((0..16_000).map(|i| if (i / 40) % 2 == 0 { 1.0 } else { -1.0 }));
    sq.extend(silence(1.0));
    let segs = segments(&sq, RATE, cfg.clone()).unwrap();
    assert_eq!(segs.len(), 1);
    assert!((segs[0].start_s() - 0.5).abs() <= 0.05);
    // 8 kHz and 48 kHz streams work with their own frame sizes.
    for rate in [8_000u32, 48_000] {
        let n_sil = rate as usize / 2;
        let mut y = vec![0.0; n_sil];
        y.extend((0..rate as usize).map(|i| 0.3 * (i as f32 * 0.05).sin()));
        y.extend(vec![0.0; rate as usize]);
        let segs = segments(&y, rate, cfg.clone()).unwrap();
        assert_eq!(segs.len(), 1, "rate {rate}");
        assert!((segs[0].start_s() - 0.5).abs() <= 0.05, "rate {rate}");
        assert!((segs[0].end_s() - 1.5).abs() <= 0.05, "rate {rate}");
    }
    // Absurd rates are refused, not panicked on.
    assert!(Endpointer::new(cfg, 0).is_err());
}

#[test]
fn config_errors_name_the_key() {
    let bad = [
        (
            EndpointConfig {
                trailing_silence_ms: 50,
                ..EndpointConfig::default()
            },
            "trailing_silence_ms",
        ),
        (
            EndpointConfig {
                frame_ms: 5,
                ..EndpointConfig::default()
            },
            "frame_ms",
        ),
        (
            EndpointConfig {
                continue_threshold_db: 20.0,
                ..EndpointConfig::default()
            },
            "continue_threshold_db",
        ),
        (
            EndpointConfig {
                start_threshold_db: f32::NAN,
                ..EndpointConfig::default()
            },
            "start_threshold_db",
        ),
    ];
    for (cfg, key) in bad {
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains(key), "{e}");
    }
    assert!(EndpointConfig::default().trailing_silence_ms >= 700);
}

#[test]
fn config_loads_from_ros2_style_yaml_and_refuses_unknown_keys() {
    #[derive(serde::Deserialize)]
    #[allow(non_snake_case)]
    struct Node {
        ros__parameters: EndpointConfig,
    }
    let ok = "asr_node:\n  ros__parameters:\n    trailing_silence_ms: 1000\n    max_utterance_ms: 20000\n";
    let m: std::collections::HashMap<String, Node> = serde_yaml::from_str(ok).unwrap();
    let cfg = &m["asr_node"].ros__parameters;
    assert_eq!(cfg.trailing_silence_ms, 1000);
    assert_eq!(cfg.frame_ms, 20);
    cfg.validate().unwrap();
    let bad = "asr_node:\n  ros__parameters:\n    trailing_silense_ms: 1000\n";
    let e = serde_yaml::from_str::<std::collections::HashMap<String, Node>>(bad)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("trailing_silense_ms"), "{e}");
}

#[test]
fn fluctuating_crowd_noise_does_not_hold_the_utterance_open() {
    // Crowd-like noise whose level swings ±3 dB at 3 Hz around -38 dBFS, from the start.
    let n = (6.0 * RATE as f32) as usize;
    let mut noise = Noise(42);
    let mut x: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let gain_db = 3.0 * (2.0 * std::f32::consts::PI * 3.0 * t).sin();
            noise.next(0.022) * 10f32.powf(gain_db / 20.0)
        })
        .collect();
    // One second of speech at 2.0–3.0 s on top.
    let v = voiced(1.0, 0.3);
    for (i, s) in v.iter().enumerate() {
        x[2 * RATE as usize + i] += s;
    }
    let segs = segments(&x, RATE, EndpointConfig::default()).unwrap();
    let real: Vec<_> = segs.iter().filter(|s| s.end_s() > 1.9).collect();
    assert_eq!(real.len(), 1, "{segs:?}");
    assert!((real[0].start_s() - 2.0).abs() <= 0.1, "{:?}", real[0]);
    assert!((real[0].end_s() - 3.0).abs() <= 0.15, "{:?}", real[0]);
    assert_eq!(real[0].reason, EndReason::Silence);
}
