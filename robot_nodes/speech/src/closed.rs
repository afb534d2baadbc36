//! Closed-set decoding beside open decoding: one utterance goes to an open recognizer and to one
//! restricted to a phrase grammar (see [`crate::grammar`]); the grammar's result is chosen when it
//! is confident enough (see [`pick`]), else the open one. A grammar result is only a candidate
//! when it is exactly one of the
//! grammar's phrases: libvosk's grammar accepts any sequence of its phrases (and words), and a
//! result holding the unknown-word token (`[unk]`), nothing, or a patchwork of phrases means the
//! citizen said something outside the list.
//!
//! Two schedules:
//! - [`ClosedSetMode::Beside`]: both recognizers get every chunk as it arrives (twice the decoding
//!   work while the citizen talks, nothing extra after the end of speech);
//! - [`ClosedSetMode::TwoPass`]: the open recognizer gets the chunks; the utterance is kept (up to
//!   `max_buffer_s`), and at the end the grammar recognizer decodes it in one go (no extra work
//!   while talking, its whole decoding after the end of speech).
//!
//! Engine-side finals in the middle of an utterance are collected and joined at the end.

use std::collections::HashSet;

use crate::error::SpeechError;
use crate::ports::{Grammar, Lang, Recognition, Recognizer, Transcript};

/// When the grammar recognizer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedSetMode {
    /// Fed chunk by chunk beside the open recognizer.
    Beside,
    /// Fed the whole utterance after it ended.
    TwoPass,
}

/// Which recognizer's result was chosen for the last utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// True if the grammar's result was chosen.
    pub closed: bool,
    /// The open result.
    pub open: Transcript,
    /// The grammar result (empty if it had `[unk]` or nothing).
    pub grammar: Transcript,
}

/// An open recognizer and a grammar recognizer as one [`Recognizer`].
pub struct ClosedSetRecognizer {
    open: Box<dyn Recognizer + Send>,
    closed: Box<dyn Recognizer + Send>,
    phrases: HashSet<String>,
    min_conf: f32,
    mode: ClosedSetMode,
    open_parts: Vec<Transcript>,
    closed_parts: Vec<Transcript>,
    buffer: Vec<i16>,
    max_buffer: usize,
    last: Option<Choice>,
}

impl std::fmt::Debug for ClosedSetRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClosedSetRecognizer")
            .field("mode", &self.mode)
            .finish()
    }
}

fn join(parts: Vec<Transcript>, lang: Lang) -> Transcript {
    Transcript {
        text: parts
            .iter()
            .map(|t| t.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        words: parts.into_iter().flat_map(|t| t.words).collect(),
        lang,
    }
}

/// True if a grammar result may be chosen: exactly one of the grammar's phrases.
pub fn grammar_result_usable(t: &Transcript, phrases: &HashSet<String>) -> bool {
    let text = t.text.split_whitespace().collect::<Vec<_>>().join(" ");
    !text.is_empty() && phrases.contains(&text)
}

/// Lowest confidence of a grammar phrase for it to be chosen over the open result.
pub const DEFAULT_MIN_GRAMMAR_CONFIDENCE: f32 = 0.05;

/// Picks between an open and a grammar result: the grammar's when it is exactly one of `phrases`
/// with a confidence of at least `min_conf` (with libvosk: its posterior in the N-best list).
/// The open result's confidence is not compared: measured on the Korean closed loop
/// (robot_nodes/speech/README.md), open decoding of out-of-vocabulary-looking speech is often
/// more "confident" than the right phrase, and comparing lost correct phrases. The published
/// confidence is the grammar's, so a doubtful phrase still leads to a confirmation question.
pub fn pick(
    _open: &Transcript,
    grammar: &Transcript,
    phrases: &HashSet<String>,
    min_conf: f32,
) -> bool {
    grammar_result_usable(grammar, phrases) && grammar.confidence() >= min_conf
}

impl ClosedSetRecognizer {
    /// Both recognizers must take the same sample rate; `grammar` is the one `closed` decodes with.
    pub fn new(
        open: Box<dyn Recognizer + Send>,
        closed: Box<dyn Recognizer + Send>,
        grammar: &Grammar,
        mode: ClosedSetMode,
        max_buffer_s: f32,
    ) -> Result<Self, SpeechError> {
        if open.sample_rate() != closed.sample_rate() {
            return Err(SpeechError::Config {
                key: "closed_set",
                reason: format!(
                    "the recognizers take {} and {} Hz",
                    open.sample_rate(),
                    closed.sample_rate()
                ),
            });
        }
        let max_buffer = (max_buffer_s.clamp(1.0, 120.0) * open.sample_rate() as f32) as usize;
        Ok(Self {
            open,
            closed,
            phrases: grammar.phrases().iter().cloned().collect(),
            min_conf: DEFAULT_MIN_GRAMMAR_CONFIDENCE,
            mode,
            open_parts: Vec::new(),
            closed_parts: Vec::new(),
            buffer: Vec::new(),
            max_buffer,
            last: None,
        })
    }

    /// Sets the lowest confidence for which a grammar phrase is chosen (default
    /// [`DEFAULT_MIN_GRAMMAR_CONFIDENCE`]).
    pub fn with_min_confidence(mut self, min_conf: f32) -> Self {
        self.min_conf = if min_conf.is_finite() {
            min_conf.clamp(0.0, 1.0)
        } else {
            DEFAULT_MIN_GRAMMAR_CONFIDENCE
        };
        self
    }

    /// What was chosen for the last finished utterance, with both results.
    pub fn last_choice(&self) -> Option<&Choice> {
        self.last.as_ref()
    }
}

impl Recognizer for ClosedSetRecognizer {
    fn lang(&self) -> Lang {
        self.open.lang()
    }
    fn sample_rate(&self) -> u32 {
        self.open.sample_rate()
    }
    fn accept_waveform(&mut self, samples: &[i16]) -> Result<Recognition, SpeechError> {
        let partial = match self.open.accept_waveform(samples)? {
            Recognition::Final(t) => {
                let text = t.text.clone();
                self.open_parts.push(t);
                text
            }
            Recognition::Partial(p) => p,
        };
        match self.mode {
            ClosedSetMode::Beside => {
                if let Recognition::Final(t) = self.closed.accept_waveform(samples)? {
                    self.closed_parts.push(t);
                }
            }
            ClosedSetMode::TwoPass => {
                let room = self.max_buffer.saturating_sub(self.buffer.len());
                self.buffer
                    .extend_from_slice(&samples[..samples.len().min(room)]);
            }
        }
        let mut shown: Vec<&str> = self.open_parts.iter().map(|t| t.text.trim()).collect();
        if !matches!(shown.last(), Some(l) if *l == partial.trim()) {
            shown.push(partial.trim());
        }
        Ok(Recognition::Partial(
            shown
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ))
    }
    fn finish(&mut self) -> Result<Transcript, SpeechError> {
        let lang = self.lang();
        let open_last = self.open.finish();
        let closed_last = match self.mode {
            ClosedSetMode::Beside => self.closed.finish(),
            ClosedSetMode::TwoPass => {
                self.closed.reset();
                let buf = std::mem::take(&mut self.buffer);
                let mut r = Ok(());
                for chunk in buf.chunks(8_000) {
                    match self.closed.accept_waveform(chunk) {
                        Ok(Recognition::Final(t)) => self.closed_parts.push(t),
                        Ok(_) => {}
                        Err(e) => {
                            r = Err(e);
                            break;
                        }
                    }
                }
                r.and_then(|()| self.closed.finish())
            }
        };
        let mut open_parts = std::mem::take(&mut self.open_parts);
        let mut closed_parts = std::mem::take(&mut self.closed_parts);
        open_parts.push(open_last?);
        let grammar = match closed_last {
            Ok(t) => {
                closed_parts.push(t);
                join(closed_parts, lang)
            }
            Err(e) => {
                tracing::warn!(error = %e, "grammar recognizer failed: open result only");
                join(Vec::new(), lang)
            }
        };
        let open = join(open_parts, lang);
        let closed = pick(&open, &grammar, &self.phrases, self.min_conf);
        tracing::debug!(open = ?open.text, open_conf = open.confidence(), grammar = ?grammar.text,
            grammar_conf = grammar.confidence(), closed, "closed-set choice");
        let out = if closed {
            grammar.clone()
        } else {
            open.clone()
        };
        self.last = Some(Choice {
            closed,
            open,
            grammar,
        });
        Ok(out)
    }
    fn reset(&mut self) {
        self.open.reset();
        self.closed.reset();
        self.open_parts.clear();
        self.closed_parts.clear();
        self.buffer.clear();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ports::{FakeRecognizer, Grammar, Word};

    fn t(text: &str, conf: f32) -> Transcript {
        Transcript {
            text: text.into(),
            words: text
                .split_whitespace()
                .map(|w| Word {
                    word: w.into(),
                    conf,
                    start_s: 0.0,
                    end_s: 0.1,
                })
                .collect(),
            lang: Lang::Vi,
        }
    }

    #[test]
    fn pick_prefers_a_grammar_phrase_above_the_floor() {
        let g: HashSet<String> = ["nhà vệ sinh", "vâng"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(pick(
            &t("nhà về sinh", 0.5),
            &t("nhà vệ sinh", 0.9),
            &g,
            0.05
        ));
        assert!(pick(
            &t("nhà về sinh", 0.95),
            &t("nhà vệ sinh", 0.2),
            &g,
            0.05
        ));
        assert!(!pick(
            &t("nhà về sinh", 0.5),
            &t("nhà vệ sinh", 0.01),
            &g,
            0.05
        ));
        assert!(!pick(&t("bánh mì", 0.3), &t("[unk] sinh", 0.99), &g, 0.05));
        assert!(!pick(&t("bánh mì", 0.3), &t("", 0.0), &g, 0.05));
        // A patchwork of phrases is not a phrase.
        assert!(!pick(
            &t("bánh mì", 0.3),
            &t("vâng nhà vệ sinh", 0.99),
            &g,
            0.05
        ));
    }

    #[test]
    fn both_schedules_decode_with_the_grammar_and_choose() {
        for mode in [ClosedSetMode::Beside, ClosedSetMode::TwoPass] {
            let open = FakeRecognizer::new(Lang::Vi, ["nhà vệ sinh ở đâu", "bánh mì"]);
            let closed = FakeRecognizer::new(Lang::Vi, ["nhà vệ sinh ở đâu", "bánh mì"])
                .with_grammar(Grammar::new(["nhà vệ sinh ở đâu"]));
            let g = Grammar::new(["nhà vệ sinh ở đâu"]);
            let mut r =
                ClosedSetRecognizer::new(Box::new(open), Box::new(closed), &g, mode, 30.0).unwrap();
            let chunk = vec![0i16; 4_800];
            assert_eq!(
                r.accept_waveform(&chunk).unwrap(),
                Recognition::Partial("nhà".into())
            );
            let a = r.finish().unwrap();
            assert_eq!(a.text, "nhà vệ sinh ở đâu");
            assert!(r.last_choice().unwrap().closed, "{mode:?}");
            let b = r.finish().unwrap();
            assert_eq!(b.text, "bánh mì", "{mode:?}: out of grammar → open result");
            let c = r.last_choice().unwrap();
            assert!(!c.closed);
            assert_eq!(c.grammar.text, "[unk] [unk]");
        }
    }

    #[test]
    fn two_pass_buffer_is_bounded() {
        let open = FakeRecognizer::new(Lang::Vi, ["a"]);
        let closed = FakeRecognizer::new(Lang::Vi, ["a"]);
        let mut r = ClosedSetRecognizer::new(
            Box::new(open),
            Box::new(closed),
            &Grammar::new(["a"]),
            ClosedSetMode::TwoPass,
            1.0,
        )
        .unwrap();
        for _ in 0..100 {
            r.accept_waveform(&[0i16; 16_000]).unwrap();
        }
        assert_eq!(r.buffer.len(), 16_000);
        r.reset();
        assert!(r.buffer.is_empty());
    }
}
