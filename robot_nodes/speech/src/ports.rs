//! Engine ports (traits) and the values they exchange, with fakes for tests.

use std::collections::VecDeque;

use crate::audio::Audio;
use crate::error::SpeechError;

/// The languages the robot speaks (one `Lang` for every crate: `letan-core`). Its `FromStr` is
/// lenient (`vi-VN`, `eng`, any case); the error converts into [`SpeechError::Language`].
pub use letan_core::Lang;

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word.
    pub word: String,
    /// Confidence in [0, 1].
    pub conf: f32,
    /// Start, seconds from the utterance start.
    pub start_s: f32,
    /// End, seconds from the utterance start.
    pub end_s: f32,
}

/// A final result.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Full text.
    pub text: String,
    /// Words with confidences (may be empty if the engine gives none).
    pub words: Vec<Word>,
    /// Language of the recognizer that produced it.
    pub lang: Lang,
}

impl Transcript {
    /// Mean word confidence (0 when there are no words).
    pub fn confidence(&self) -> f32 {
        if self.words.is_empty() {
            return 0.0;
        }
        self.words.iter().map(|w| w.conf).sum::<f32>() / self.words.len() as f32
    }

    /// True when nothing was recognised.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// What one chunk of audio produced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Recognition {
    /// A partial hypothesis for the utterance so far (may change).
    Partial(String),
    /// The engine decided the utterance ended (its own endpointing).
    Final(Transcript),
}

/// A phrase list that restricts what the recognizer may output (e.g. built from the knowledge
/// base). Engines add their unknown-word token themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grammar {
    phrases: Vec<String>,
}

impl Grammar {
    /// Builds a grammar: phrases are trimmed, lower-cased, de-duplicated; empty ones dropped.
    pub fn new<I, S>(phrases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for p in phrases {
            // Quotes and backslashes would break the JSON the engines are given.
            let cleaned: String = p
                .as_ref()
                .chars()
                .filter(|c| !matches!(c, '"' | '\\'))
                .collect();
            let p = cleaned
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if !p.is_empty() && !out.contains(&p) {
                out.push(p);
            }
        }
        Self { phrases: out }
    }

    /// The phrases.
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }

    /// True if `word` occurs in some phrase.
    pub fn knows_word(&self, word: &str) -> bool {
        let w = word.to_lowercase();
        self.phrases
            .iter()
            .any(|p| p.split_whitespace().any(|x| x == w))
    }

    /// The JSON array Vosk expects, with `[unk]` appended.
    pub fn to_vosk_json(&self) -> String {
        let mut all: Vec<&str> = self.phrases.iter().map(String::as_str).collect();
        all.push("[unk]");
        serde_json::to_string(&all).unwrap_or_else(|_| "[\"[unk]\"]".to_string())
    }
}

/// Streaming speech recognition over 16-bit mono audio at [`Recognizer::sample_rate`].
pub trait Recognizer {
    /// Language recognised.
    fn lang(&self) -> Lang;
    /// Sample rate the audio must have.
    fn sample_rate(&self) -> u32;
    /// Feeds a chunk; returns a partial or a final result.
    fn accept_waveform(&mut self, samples: &[i16]) -> Result<Recognition, SpeechError>;
    /// Ends the utterance and returns its final result; the recognizer is ready for the next one.
    fn finish(&mut self) -> Result<Transcript, SpeechError>;
    /// Drops any audio of the current utterance.
    fn reset(&mut self);
}

/// Text to speech.
pub trait Synthesizer {
    /// Engine name, for logs and errors.
    fn name(&self) -> &'static str;
    /// True if the engine can speak `lang`.
    fn supports(&self, lang: Lang) -> bool;
    /// Synthesizes `text` (one sentence or a short paragraph) in `lang`.
    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError>;
}

/// Longest text a synthesizer accepts in one call (characters); callers split longer answers
/// into sentences (see [`split_sentences`]).
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Checks text for synthesis: non-empty after trimming, at most [`MAX_TEXT_CHARS`].
pub fn check_text(engine: &'static str, text: &str) -> Result<String, SpeechError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(SpeechError::Text {
            engine,
            reason: "empty text".into(),
        });
    }
    let n = t.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(SpeechError::Text {
            engine,
            reason: format!("{n} characters, more than {MAX_TEXT_CHARS}: split into sentences"),
        });
    }
    // Control characters other than newline/tab are dropped.
    Ok(t.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect())
}

/// Splits text into sentences at `.`, `!`, `?`, `…`, `;` and newlines, keeping the
/// punctuation, so long answers can be spoken sentence by sentence.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == '\n' {
            push_trimmed(&mut out, &mut cur);
            continue;
        }
        cur.push(c);
        if matches!(c, '.' | '!' | '?' | '…' | ';') {
            push_trimmed(&mut out, &mut cur);
        }
    }
    push_trimmed(&mut out, &mut cur);
    out
}

fn push_trimmed(out: &mut Vec<String>, cur: &mut String) {
    let t = cur.trim();
    if !t.is_empty() && t.chars().any(char::is_alphanumeric) {
        out.push(t.to_string());
    }
    cur.clear();
}

/// A scripted recognizer: each utterance yields the next queued text; partials grow with the
/// audio fed (one word per `ms_per_word` of audio); a grammar turns unknown words into `[unk]`.
#[derive(Debug, Clone)]
pub struct FakeRecognizer {
    lang: Lang,
    script: VecDeque<String>,
    grammar: Option<Grammar>,
    fed: usize,
    ms_per_word: u32,
}

impl FakeRecognizer {
    /// A fake that will "hear" `script` in order.
    pub fn new<I, S>(lang: Lang, script: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            lang,
            script: script.into_iter().map(Into::into).collect(),
            grammar: None,
            fed: 0,
            ms_per_word: 300,
        }
    }

    /// Restricts output to a grammar.
    pub fn with_grammar(mut self, g: Grammar) -> Self {
        self.grammar = Some(g);
        self
    }

    fn words_of(&self, text: &str) -> Vec<String> {
        text.split_whitespace()
            .map(|w| match &self.grammar {
                Some(g) if !g.knows_word(w) => "[unk]".to_string(),
                _ => w.to_lowercase(),
            })
            .collect()
    }
}

impl Recognizer for FakeRecognizer {
    fn lang(&self) -> Lang {
        self.lang
    }
    fn sample_rate(&self) -> u32 {
        crate::audio::ASR_SAMPLE_RATE
    }
    fn accept_waveform(&mut self, samples: &[i16]) -> Result<Recognition, SpeechError> {
        self.fed += samples.len();
        let words = self.words_of(self.script.front().map(String::as_str).unwrap_or(""));
        let per_word = (self.sample_rate() as usize * self.ms_per_word as usize / 1000).max(1);
        let n = (self.fed / per_word).min(words.len());
        Ok(Recognition::Partial(words[..n].join(" ")))
    }
    fn finish(&mut self) -> Result<Transcript, SpeechError> {
        let text = self.script.pop_front().unwrap_or_default();
        self.fed = 0;
        let words: Vec<Word> = self
            .words_of(&text)
            .into_iter()
            .enumerate()
            .map(|(i, w)| Word {
                conf: if w == "[unk]" { 0.3 } else { 0.95 },
                word: w,
                start_s: i as f32 * 0.3,
                end_s: (i + 1) as f32 * 0.3,
            })
            .collect();
        Ok(Transcript {
            text: words
                .iter()
                .map(|w| w.word.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            words,
            lang: self.lang,
        })
    }
    fn reset(&mut self) {
        self.fed = 0;
    }
}

/// A synthesizer that "speaks" a 220 Hz tone of 60 ms per character at 22 050 Hz, and counts calls.
#[derive(Debug, Clone, Default)]
pub struct FakeSynthesizer {
    /// Texts synthesized so far.
    pub calls: Vec<(String, Lang)>,
}

impl Synthesizer for FakeSynthesizer {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn supports(&self, _lang: Lang) -> bool {
        true
    }
    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
        let text = check_text("fake", text)?;
        let rate = 22_050u32;
        let n = text.chars().count() * rate as usize * 60 / 1000;
        let samples = (0..n)
            .map(|i| 0.3 * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / rate as f32).sin())
            .collect();
        self.calls.push((text, lang));
        Audio::new(samples, rate)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_and_refuses() {
        assert_eq!("VI".parse::<Lang>().unwrap(), Lang::Vi);
        assert_eq!("en-US".parse::<Lang>().unwrap(), Lang::En);
        let e = "fr".parse::<Lang>().unwrap_err().to_string();
        assert!(e.contains("\"fr\""), "{e}");
    }

    #[test]
    fn grammar_normalises_and_serialises_for_vosk() {
        let g = Grammar::new(["  Nhà  vệ sinh ", "nhà vệ sinh", "", "Làm căn \"cước\""]);
        assert_eq!(g.phrases(), &["nhà vệ sinh", "làm căn cước"]);
        assert!(g.knows_word("Sinh"));
        assert!(!g.knows_word("bánh"));
        let json = g.to_vosk_json();
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec!["nhà vệ sinh", "làm căn cước", "[unk]"]);
    }

    #[test]
    fn fake_recognizer_partials_grow_and_grammar_applies() {
        let g = Grammar::new(["nhà vệ sinh ở đâu"]);
        let mut r = FakeRecognizer::new(Lang::Vi, ["nhà vệ sinh ở đâu ạ", "vâng"]).with_grammar(g);
        let chunk = vec![0i16; 4_800]; // 300 ms = one word
        assert_eq!(
            r.accept_waveform(&chunk).unwrap(),
            Recognition::Partial("nhà".into())
        );
        assert_eq!(
            r.accept_waveform(&chunk).unwrap(),
            Recognition::Partial("nhà vệ".into())
        );
        let t = r.finish().unwrap();
        assert_eq!(t.text, "nhà vệ sinh ở đâu [unk]");
        assert!(t.confidence() < 0.95 && t.confidence() > 0.8);
        let t2 = r.finish().unwrap();
        assert_eq!(t2.text, "[unk]");
        assert!(r.finish().unwrap().is_empty());
    }

    #[test]
    fn check_text_refuses_empty_and_huge() {
        assert!(check_text("x", "   ").is_err());
        let huge = "a".repeat(MAX_TEXT_CHARS + 1);
        let e = check_text("x", &huge).unwrap_err().to_string();
        assert!(e.contains("split"), "{e}");
        assert_eq!(check_text("x", " xin\u{7} chào ").unwrap(), "xin chào");
    }

    #[test]
    fn sentences_split_on_punctuation_and_newlines() {
        let s = split_sentences("Xin chào! Bạn cần gì?\nTầng 2; phòng 5… ...");
        assert_eq!(s, vec!["Xin chào!", "Bạn cần gì?", "Tầng 2;", "phòng 5…"]);
        assert!(split_sentences("").is_empty());
    }

    #[test]
    fn fake_synthesizer_duration_tracks_text() {
        let mut s = FakeSynthesizer::default();
        let a = s.synthesize("xin chào", Lang::Vi).unwrap();
        assert!((a.duration_s() - 0.48).abs() < 0.01);
        assert_eq!(s.calls.len(), 1);
        assert!(s.synthesize("", Lang::Vi).is_err());
    }
}
