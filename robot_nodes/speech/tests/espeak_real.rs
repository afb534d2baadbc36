//! Real espeak-ng speech (Debian `espeak-ng`): synthesis in vi/en, and endpointing on it.
//! These tests need the `espeak-ng` program (scripts/apt-packages.txt); they fail, not skip,
//! when it is missing.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_speech::audio::{resample, rms_dbfs};
use letan_speech::vad::{segments, EndpointConfig};
use letan_speech::{
    transcribe_utterances, Audio, EspeakConfig, EspeakSynthesizer, FakeRecognizer, Lang,
    Synthesizer,
};

fn voice() -> EspeakSynthesizer {
    EspeakSynthesizer::new(EspeakConfig::default()).unwrap()
}

/// First and last 10 ms window louder than `threshold_dbfs` in a clean clip: where the speech is.
fn voiced_bounds(x: &[f32], rate: u32, threshold_dbfs: f32) -> (f64, f64) {
    let w = rate as usize / 100;
    let loud: Vec<usize> = x
        .chunks(w)
        .enumerate()
        .filter(|(_, c)| rms_dbfs(c) > threshold_dbfs)
        .map(|(i, _)| i)
        .collect();
    let first = *loud.first().unwrap() as f64 * 0.01;
    let last = (*loud.last().unwrap() + 1) as f64 * 0.01;
    (first, last)
}

#[test]
fn vietnamese_and_english_have_plausible_duration() {
    let mut v = voice();
    let cases = [
        (Lang::Vi, "Xin chào, tôi có thể giúp gì cho bác?", 9usize),
        (Lang::Vi, "Nhà vệ sinh ở cuối hành lang, bên tay phải.", 10),
        (
            Lang::En,
            "Hello, the passport counter is on the second floor.",
            9,
        ),
    ];
    for (lang, text, words) in cases {
        let a = v.synthesize(text, lang).unwrap();
        assert_eq!(a.sample_rate, 22_050);
        let d = a.duration_s();
        // 150 wpm ≈ 0.4 s/word; allow 0.2..0.9 s/word plus punctuation pauses.
        let lo = words as f64 * 0.2;
        let hi = words as f64 * 0.9 + 1.0;
        assert!(
            d > lo && d < hi,
            "{lang} {text:?}: {d:.2} s not in {lo}..{hi}"
        );
        assert!(a.rms_dbfs() > -35.0, "too quiet: {}", a.rms_dbfs());
    }
}

#[test]
fn slower_rate_gives_longer_audio() {
    let text = "Bác vui lòng lấy số thứ tự ở quầy lễ tân.";
    let fast = EspeakSynthesizer::new(EspeakConfig {
        words_per_minute: 220,
        ..EspeakConfig::default()
    })
    .unwrap()
    .synthesize(text, Lang::Vi)
    .unwrap();
    let slow = EspeakSynthesizer::new(EspeakConfig {
        words_per_minute: 120,
        ..EspeakConfig::default()
    })
    .unwrap()
    .synthesize(text, Lang::Vi)
    .unwrap();
    assert!(
        slow.duration_s() > fast.duration_s() * 1.4,
        "{} vs {}",
        slow.duration_s(),
        fast.duration_s()
    );
}

#[test]
fn odd_text_is_handled() {
    let mut v = voice();
    // Text that looks like an option goes in on stdin, so it is spoken, not parsed.
    let a = v.synthesize("-v en --help", Lang::En).unwrap();
    assert!(a.duration_s() > 0.3);
    assert!(v.synthesize("   ", Lang::Vi).is_err());
    let huge = "xin chào ".repeat(1_000);
    let e = v.synthesize(&huge, Lang::Vi).unwrap_err().to_string();
    assert!(e.contains("split into sentences"), "{e}");
    // Emoji and control characters do not break it.
    assert!(v.synthesize("Chào bác 👋\u{1}!", Lang::Vi).is_ok());
}

#[test]
fn missing_program_is_a_clear_error() {
    let mut v = EspeakSynthesizer::new(EspeakConfig {
        program: "/nonexistent/espeak-ng".into(),
        ..EspeakConfig::default()
    })
    .unwrap();
    let e = v.synthesize("xin chào", Lang::Vi).unwrap_err().to_string();
    assert!(e.contains("apt-get install espeak-ng"), "{e}");
    assert!(v.probe().is_err());
    assert!(voice().probe().unwrap().contains("eSpeak"));
}

#[test]
fn endpoints_on_real_speech_with_pauses_and_noise_are_within_100ms() {
    // Lobby hum at about -45 dBFS (SNR ≈ 25 dB): every boundary within 100 ms.
    endpoints_with_noise(0.0095, 0.1, 0.1);
    // A noisy hall at about -35 dBFS (SNR ≈ 15 dB): starts within 100 ms; ends within 150 ms,
    // because quiet word endings (final fricatives) under the noise fall below the endpointer's
    // continue threshold (7 dB over the floor, kept for fluctuating crowd noise).
    endpoints_with_noise(0.03, 0.1, 0.15);
}

fn endpoints_with_noise(noise_amp: f32, start_tol: f64, end_tol: f64) {
    let mut v = voice();
    let clips = [
        (Lang::Vi, "Cho tôi hỏi làm căn cước ở đâu?"),
        (Lang::Vi, "Vâng."),
        (Lang::En, "Where is the toilet, please?"),
    ];
    let rate = 16_000u32;
    let gaps = [1.2f64, 1.6, 1.3, 1.5];
    let mut signal: Vec<f32> = vec![0.0; (gaps[0] * f64::from(rate)) as usize];
    let mut truth = Vec::new();
    for (i, (lang, text)) in clips.iter().enumerate() {
        let a = v.synthesize(text, *lang).unwrap();
        let clip = resample(&a.samples, a.sample_rate, rate).unwrap();
        // Truth: where the clean speech is louder than -40 dBFS, or than the noise when the
        // noise is louder (speech under the noise cannot be located by anyone's ear either).
        let noise_dbfs = 20.0 * (noise_amp / 3f32.sqrt()).log10();
        let (b0, b1) = voiced_bounds(&clip, rate, noise_dbfs.max(-40.0));
        let offset = signal.len() as f64 / f64::from(rate);
        truth.push((offset + b0, offset + b1));
        signal.extend_from_slice(&clip);
        signal.extend(vec![0.0; (gaps[i + 1] * f64::from(rate)) as usize]);
    }
    // White background noise, deterministic.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for s in signal.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *s += ((state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * noise_amp;
    }
    let segs = segments(&signal, rate, EndpointConfig::default()).unwrap();
    assert_eq!(
        segs.len(),
        truth.len(),
        "noise {noise_amp}: segments {segs:?}\ntruth {truth:?}"
    );
    for (s, (a, b)) in segs.iter().zip(&truth) {
        assert!(
            (s.start_s() - a).abs() <= start_tol,
            "noise {noise_amp}: start {:.3} vs {a:.3}",
            s.start_s()
        );
        assert!(
            (s.end_s() - b).abs() <= end_tol,
            "noise {noise_amp}: end {:.3} vs {b:.3}",
            s.end_s()
        );
    }
}

#[test]
fn whole_recording_through_endpointer_and_fake_recognizer() {
    let mut v = voice();
    let rate = 22_050u32;
    let mut x = vec![0.0f32; rate as usize];
    for text in ["Xin chào.", "Tôi muốn làm hộ chiếu."] {
        let a = v.synthesize(text, Lang::Vi).unwrap();
        x.extend_from_slice(&a.samples);
        x.extend(vec![0.0; rate as usize * 2]);
    }
    let audio = Audio::new(x, rate).unwrap();
    let mut rec = FakeRecognizer::new(Lang::Vi, ["xin chào", "tôi muốn làm hộ chiếu"]);
    let out = transcribe_utterances(&audio, &mut rec, EndpointConfig::default()).unwrap();
    let texts: Vec<&str> = out.iter().map(|(_, t)| t.text.as_str()).collect();
    assert_eq!(texts, vec!["xin chào", "tôi muốn làm hộ chiếu"]);
    assert!(out[0].0.end_s() < out[1].0.start_s());
}

#[test]
fn citizen_talking_over_the_robot_barges_in_but_a_cough_does_not() {
    use letan_speech::turn::{GateDecision, ListenGate};
    use letan_speech::vad::Endpointer;
    let rate = 16_000u32;
    let mut v = voice();
    let a = v
        .synthesize("Cho tôi hỏi phòng hộ chiếu", Lang::Vi)
        .unwrap();
    let speech = resample(&a.samples, a.sample_rate, rate).unwrap();
    // Mic: 1 s quiet, a 100 ms cough, 1 s quiet, then the citizen's question.
    let mut mic = vec![0.0f32; rate as usize];
    mic.extend((0..1600).map(|i| 0.5 * ((i as f32) * 0.9).sin()));
    mic.extend(vec![0.0; rate as usize]);
    let speech_at = mic.len() as u64;
    mic.extend_from_slice(&speech);
    let mut ep = Endpointer::new(EndpointConfig::default(), rate).unwrap();
    let mut gate = ListenGate::new(rate, true, 400, 300).unwrap();
    gate.robot_started();
    let mut barge = None;
    for chunk in mic.chunks(320) {
        ep.push(chunk);
        match gate.decide(ep.position(), ep.open_span()) {
            GateDecision::BargeIn { from_sample } => {
                barge = Some((ep.position(), from_sample));
                break;
            }
            GateDecision::Gated => {}
            other => panic!("robot still speaking, got {other:?}"),
        }
    }
    let (at, from) = barge.expect("no barge-in");
    let sec = |s: u64| s as f64 / f64::from(rate);
    // Not on the cough (at 1.0–1.1 s); on the question, 400 ms of voice after it starts.
    assert!(sec(from) > sec(speech_at) - 0.1, "from {:.2}", sec(from));
    let waited = at - from;
    assert!((6_400..8_000).contains(&waited), "{waited} samples");
}
