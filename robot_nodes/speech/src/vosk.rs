//! Vosk streaming recognition through libvosk (feature `vosk`).
//!
//! libvosk.so comes from the PyPI `vosk` wheel (scripts/setup.sh unpacks it into `.deps/lib`).
//! Models are found through the model manifest: `vosk-model-small-vn-0.4` for Vietnamese,
//! `vosk-model-small-en-us-0.15` for English. A missing model is reported before libvosk is
//! asked to load anything, with the folders searched and the fetch command.

use std::path::Path;
use std::sync::Arc;

use letan_models::{Manifest, SearchPaths};

use crate::audio::ASR_SAMPLE_RATE;
use crate::error::SpeechError;
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
pub struct VoskModel {
    model: Arc<vosk::Model>,
    lang: Lang,
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
                "libvosk could not load the model in {} (see its log above); \
                 reinstall it with `letan models fetch {} --force`",
                dir.display(),
                model_name(lang)
            ),
        })?;
        Ok(Self {
            model: Arc::new(model),
            lang,
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
        })
    }

    /// A streaming recognizer at 16 kHz, optionally limited to a phrase list.
    pub fn recognizer(&self, grammar: Option<&Grammar>) -> Result<VoskRecognizer, SpeechError> {
        let rate = ASR_SAMPLE_RATE as f32;
        let rec = match grammar {
            Some(g) => {
                let mut phrases: Vec<&str> = g.phrases().iter().map(String::as_str).collect();
                phrases.push("[unk]");
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
        Ok(VoskRecognizer {
            rec,
            lang: self.lang,
            _model: Arc::clone(&self.model),
        })
    }
}

/// A Vosk streaming recognizer (16 kHz mono i16).
pub struct VoskRecognizer {
    rec: vosk::Recognizer,
    lang: Lang,
    _model: Arc<vosk::Model>,
}

impl std::fmt::Debug for VoskRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoskRecognizer")
            .field("lang", &self.lang)
            .finish()
    }
}

fn to_transcript(r: vosk::CompleteResult<'_>, lang: Lang) -> Transcript {
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
            let best = m.alternatives.first();
            Transcript {
                text: best.map(|a| a.text.to_string()).unwrap_or_default(),
                words: best
                    .map(|a| {
                        a.result
                            .iter()
                            .map(|w| Word {
                                word: w.word.to_string(),
                                conf: a.confidence.clamp(0.0, 1.0),
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
        Ok(to_transcript(self.rec.final_result(), self.lang))
    }
    fn reset(&mut self) {
        self.rec.reset();
    }
}
