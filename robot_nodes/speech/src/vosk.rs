//! Vosk streaming recognition through libvosk (feature `vosk`).
//!
//! libvosk.so comes from the PyPI `vosk` wheel (scripts/setup.sh unpacks it into `.deps/lib`).
//! Models are found through the model manifest: `vosk-model-small-vn-0.4` for Vietnamese,
//! `vosk-model-small-en-us-0.15` for English. A missing model is reported before libvosk is
//! asked to load anything, with the folders searched and the fetch command.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use letan_models::{Manifest, SearchPaths};

use crate::audio::ASR_SAMPLE_RATE;
use crate::error::SpeechError;
use crate::grammar::Vocabulary;
use crate::ports::{Grammar, Lang, Recognition, Recognizer, Transcript, Word};

/// Manifest name of the Vosk model for a language.
pub fn model_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vosk-model-small-vn-0.4",
        Lang::En => "vosk-model-small-en-us-0.15",
    }
}

/// Quietens libvosk's own logging (Kaldi prints to stderr) unless `verbose`.
pub fn set_verbose(verbose: bool) {
    vosk::set_log_level(if verbose {
        vosk::LogLevel::Info
    } else {
        vosk::LogLevel::Warn
    });
}

/// A loaded Vosk model (shared by recognizers).
#[derive(Clone)]
pub struct VoskModel {
    model: Arc<vosk::Model>,
    lang: Lang,
    dir: PathBuf,
    vocabulary: OnceLock<Result<Arc<Vocabulary>, String>>,
}

impl std::fmt::Debug for VoskModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoskModel")
            .field("lang", &self.lang)
            .finish()
    }
}

impl VoskModel {
    /// Finds the model for `lang` in the search paths and loads it.
    pub fn locate(
        lang: Lang,
        manifest: &Manifest,
        paths: &SearchPaths,
    ) -> Result<Self, SpeechError> {
        let entry = manifest.get(model_name(lang))?;
        let found = paths.locate(entry)?;
        Self::load(&found.path, lang)
    }

    /// Loads a model folder. The folder is checked first, so a wrong path is a clear error and
    /// libvosk is only asked to load something that looks like a model.
    pub fn load(dir: &Path, lang: Lang) -> Result<Self, SpeechError> {
        let looks_ok = dir.join("am").join("final.mdl").is_file()
            || dir.join("conf").join("model.conf").is_file();
        if !looks_ok {
            return Err(SpeechError::Engine {
                engine: "vosk",
                reason: format!(
                    "{} is not a Vosk model folder (no am/final.mdl or conf/model.conf); \
                     install one with `letan models fetch {}`",
                    dir.display(),
                    model_name(lang)
                ),
            });
        }
        let path = dir.to_str().ok_or_else(|| SpeechError::Engine {
            engine: "vosk",
            reason: format!("model path {dir:?} is not UTF-8"),
        })?;
        let model = vosk::Model::new(path).ok_or_else(|| SpeechError::Engine {
            engine: "vosk",
            reason: format!(
                "libvosk could not load the model in {} (see its log above): a file is missing \
                 or corrupt. Reinstall it: `bash scripts/setup.sh` re-checks the registry models' \
                 sha256; `letan models fetch {} --force` for the manifest's {lang} model",
                dir.display(),
                model_name(lang)
            ),
        })?;
        Ok(Self {
            model: Arc::new(model),
            lang,
            dir: dir.to_path_buf(),
            vocabulary: OnceLock::new(),
        })
    }

    /// The model folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The words this model knows (`graph/words.txt` or the graph's symbol table), read once.
    pub fn vocabulary(&self) -> Result<Arc<Vocabulary>, SpeechError> {
        self.vocabulary
            .get_or_init(|| {
                Vocabulary::from_model_dir(&self.dir)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|reason| SpeechError::Engine {
                engine: "vosk",
                reason,
            })
    }

    /// Tries to load a model folder with libvosk directly, without the folder check: used to
    /// show libvosk itself is linked and answers (it returns "no model" quickly).
    pub fn load_unchecked(dir: &Path, lang: Lang) -> Result<Self, SpeechError> {
        let path = dir.to_string_lossy();
        let model = vosk::Model::new(path.as_ref()).ok_or_else(|| SpeechError::Engine {
            engine: "vosk",
            reason: format!("libvosk could not load a model from {}", dir.display()),
        })?;
        Ok(Self {
            model: Arc::new(model),
            lang,
            dir: dir.to_path_buf(),
            vocabulary: OnceLock::new(),
        })
    }

    /// A streaming recognizer at 16 kHz, optionally limited to a phrase list. Every word of the
    /// grammar must be in the model's vocabulary (build it with [`crate::grammar::build_grammar`]):
    /// libvosk would silently drop an unknown word and loop over the rest, so this refuses.
    pub fn recognizer(&self, grammar: Option<&Grammar>) -> Result<VoskRecognizer, SpeechError> {
        let rate = ASR_SAMPLE_RATE as f32;
        let rec = match grammar {
            Some(g) => {
                if g.phrases().is_empty() {
                    return Err(SpeechError::Engine {
                        engine: "vosk",
                        reason: "empty grammar: no phrase has only words this model knows".into(),
                    });
                }
                let vocab = self.vocabulary()?;
                let unknown: Vec<&str> = g
                    .phrases()
                    .iter()
                    .flat_map(|p| p.split_whitespace())
                    .filter(|w| !vocab.contains(w))
                    .take(10)
                    .collect();
                if !unknown.is_empty() {
                    return Err(SpeechError::Engine {
                        engine: "vosk",
                        reason: format!(
                            "grammar words not in the model's vocabulary ({}): {}; map phrases with \
                             grammar::build_grammar first",
                            self.dir.display(),
                            unknown.join(", ")
                        ),
                    });
                }
                let mut phrases: Vec<&str> = g.phrases().iter().map(String::as_str).collect();
                // Only a model that knows `[unk]` gets it (libvosk warns and ignores it otherwise).
                if vocab.has_unk() {
                    phrases.push("[unk]");
                }
                vosk::Recognizer::new_with_grammar(&self.model, rate, &phrases)
            }
            None => vosk::Recognizer::new(&self.model, rate),
        };
        let mut rec = rec.ok_or_else(|| SpeechError::Engine {
            engine: "vosk",
            reason: "libvosk could not create a recognizer".into(),
        })?;
        rec.set_words(true);
        rec.set_partial_words(false);
        let phrases = grammar.map(|g| {
            // libvosk's grammar decodes a loop of the grammar's words, not whole phrases: ask for
            // an N-best list and keep the best alternative that is one of the phrases.
            rec.set_max_alternatives(GRAMMAR_ALTERNATIVES);
            g.phrases().iter().cloned().collect::<HashSet<String>>()
        });
        Ok(VoskRecognizer {
            rec,
            lang: self.lang,
            phrases,
            _model: Arc::clone(&self.model),
        })
    }
}

/// Alternatives asked of a grammar recognizer (see [`VoskModel::recognizer`]).
pub const GRAMMAR_ALTERNATIVES: u16 = 10;

/// A Vosk streaming recognizer (16 kHz mono i16).
pub struct VoskRecognizer {
    rec: vosk::Recognizer,
    lang: Lang,
    /// With a grammar: its phrases (results are chosen among the N best).
    phrases: Option<HashSet<String>>,
    _model: Arc<vosk::Model>,
}

impl std::fmt::Debug for VoskRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoskRecognizer")
            .field("lang", &self.lang)
            .finish()
    }
}

/// The posterior of alternative `i` among N-best `scores` (libvosk's total log scores):
/// `exp(s_i) / Σ exp(s_j)`.
pub fn nbest_posterior(scores: &[f32], i: usize) -> f32 {
    let Some(&si) = scores.get(i) else {
        return 0.0;
    };
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = scores.iter().map(|s| (s - max).exp()).sum();
    if !(sum.is_finite() && sum > 0.0) {
        return 0.0;
    }
    ((si - max).exp() / sum).clamp(0.0, 1.0)
}

/// The index of the alternative to report: the best one that is a grammar phrase, else the best.
pub fn choose_alternative(texts: &[&str], phrases: Option<&HashSet<String>>) -> usize {
    phrases
        .and_then(|p| {
            texts.iter().position(|t| {
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                !t.is_empty() && p.contains(&t)
            })
        })
        .unwrap_or(0)
}

fn to_transcript(
    r: vosk::CompleteResult<'_>,
    lang: Lang,
    phrases: Option<&HashSet<String>>,
) -> Transcript {
    match r {
        vosk::CompleteResult::Single(s) => Transcript {
            text: s.text.to_string(),
            words: s
                .result
                .iter()
                .map(|w| Word {
                    word: w.word.to_string(),
                    conf: w.conf.clamp(0.0, 1.0),
                    start_s: w.start,
                    end_s: w.end,
                })
                .collect(),
            lang,
        },
        vosk::CompleteResult::Multiple(m) => {
            // N-best: word confidences are the chosen alternative's posterior in the list.
            let texts: Vec<&str> = m.alternatives.iter().map(|a| a.text).collect();
            let scores: Vec<f32> = m.alternatives.iter().map(|a| a.confidence).collect();
            let i = choose_alternative(&texts, phrases);
            let conf = nbest_posterior(&scores, i);
            let best = m.alternatives.get(i);
            Transcript {
                text: best.map(|a| a.text.to_string()).unwrap_or_default(),
                words: best
                    .map(|a| {
                        a.result
                            .iter()
                            .map(|w| Word {
                                word: w.word.to_string(),
                                conf,
                                start_s: w.start,
                                end_s: w.end,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                lang,
            }
        }
    }
}

impl Recognizer for VoskRecognizer {
    fn lang(&self) -> Lang {
        self.lang
    }
    fn sample_rate(&self) -> u32 {
        ASR_SAMPLE_RATE
    }
    fn accept_waveform(&mut self, samples: &[i16]) -> Result<Recognition, SpeechError> {
        let state = self
            .rec
            .accept_waveform(samples)
            .map_err(|e| SpeechError::Engine {
                engine: "vosk",
                reason: format!("accept_waveform: {e:?}"),
            })?;
        match state {
            vosk::DecodingState::Finalized => Ok(Recognition::Final(to_transcript(
                self.rec.result(),
                self.lang,
                self.phrases.as_ref(),
            ))),
            vosk::DecodingState::Running => Ok(Recognition::Partial(
                self.rec.partial_result().partial.to_string(),
            )),
            vosk::DecodingState::Failed => Err(SpeechError::Engine {
                engine: "vosk",
                reason: "decoding failed".into(),
            }),
        }
    }
    fn finish(&mut self) -> Result<Transcript, SpeechError> {
        Ok(to_transcript(
            self.rec.final_result(),
            self.lang,
            self.phrases.as_ref(),
        ))
    }
    fn reset(&mut self) {
        self.rec.reset();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn nbest_posterior_and_phrase_choice() {
        let s = [200.0, 199.0, 150.0];
        let p0 = nbest_posterior(&s, 0);
        assert!((p0 - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-3, "{p0}");
        assert!(nbest_posterior(&s, 2) < 1e-6);
        assert_eq!(nbest_posterior(&s, 7), 0.0);
        assert_eq!(nbest_posterior(&[150.0], 0), 1.0);
        let p: HashSet<String> = ["ne", "a b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(choose_alternative(&["x y", "a  b", "ne"], Some(&p)), 1);
        assert_eq!(choose_alternative(&["x y", "z"], Some(&p)), 0);
        assert_eq!(choose_alternative(&["x y", "ne"], None), 0);
    }
}
