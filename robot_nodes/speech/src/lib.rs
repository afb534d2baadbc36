//! Speech for the Letan reception robot.
//!
//! - [`audio`]: mono f32 buffers, i16/f32, stereo → mono, sanitising (NaN, clipping), resampling.
//! - [`wav`]: WAV read/write (hound), including WAV streamed to a pipe.
//! - [`vad`]: voice activity detection and endpointing for slow, elderly speakers.
//! - [`ports`]: the `Recognizer` and `Synthesizer` traits, with fakes.
//! - [`grammar`]: phrase grammars mapped onto a model's vocabulary (never an unknown word).
//! - [`closed`]: a grammar recognizer beside (or after) the open one, picked by confidence.
//! - [`espeak`]: the espeak-ng voice (vi, en), always available.
//! - `vosk` (feature `vosk`): Vosk streaming recognition through libvosk.
//! - `piper` (feature `piper`): Piper voices through piper-rs and ONNX Runtime.
//!
//! The DSP parts are pure: samples in, decisions out; time is the sample count.

pub mod audio;
pub mod closed;
pub mod error;
pub mod espeak;
pub mod grammar;
pub mod listen;
pub mod metrics;
pub mod native;
pub mod ports;
pub mod turn;
pub mod vad;
pub mod wav;

#[cfg(feature = "piper")]
pub mod piper;
#[cfg(feature = "vosk")]
pub mod vosk;

pub use audio::{Audio, Resampler, StreamResampler, ASR_SAMPLE_RATE};
pub use closed::{ClosedSetMode, ClosedSetRecognizer};
pub use error::SpeechError;
pub use espeak::{EspeakConfig, EspeakSynthesizer};
pub use grammar::{build_grammar, GrammarReport, Vocabulary};
pub use listen::{Heard, History, ListenConfig, Listener};
pub use ports::{
    FakeRecognizer, FakeSynthesizer, Grammar, Lang, Recognition, Recognizer, Synthesizer,
    Transcript, Word,
};
pub use vad::{EndReason, EndpointConfig, EndpointEvent, Endpointer, Segment};

/// A voice with a fallback: the preferred engine for each language (e.g. Piper), and a
/// fallback (espeak-ng) used when there is none or when it fails, so the robot always speaks.
pub struct FallbackSynthesizer {
    primary: Vec<Box<dyn Synthesizer + Send>>,
    fallback: Box<dyn Synthesizer + Send>,
}

impl FallbackSynthesizer {
    /// `fallback` must support every language the robot speaks.
    pub fn new(fallback: Box<dyn Synthesizer + Send>) -> Self {
        Self {
            primary: Vec::new(),
            fallback,
        }
    }

    /// Adds a preferred engine (tried in the order added, for the languages it supports).
    pub fn with_primary(mut self, s: Box<dyn Synthesizer + Send>) -> Self {
        self.primary.push(s);
        self
    }

    /// Synthesizes with the first primary engine that supports `lang` and succeeds, else the
    /// fallback. Returns the audio and the name of the engine that produced it.
    pub fn speak(&mut self, text: &str, lang: Lang) -> Result<(Audio, &'static str), SpeechError> {
        for p in self.primary.iter_mut().filter(|p| p.supports(lang)) {
            match p.synthesize(text, lang) {
                Ok(a) => return Ok((a, p.name())),
                Err(e @ SpeechError::Text { .. }) => return Err(e),
                Err(e) => {
                    tracing::warn!(engine = p.name(), error = %e, "primary voice failed, using fallback")
                }
            }
        }
        let a = self.fallback.synthesize(text, lang)?;
        Ok((a, self.fallback.name()))
    }
}

/// Runs a whole 16 kHz-or-other recording through the endpointer and a recognizer: each
/// utterance found is fed (from its pre-roll) to the recognizer and finished. Returns the
/// transcripts of the utterances, in order. Audio is resampled to the recognizer's rate.
pub fn transcribe_utterances(
    audio: &Audio,
    recognizer: &mut dyn Recognizer,
    cfg: EndpointConfig,
) -> Result<Vec<(Segment, Transcript)>, SpeechError> {
    let rate = recognizer.sample_rate();
    let a = audio.resampled(rate)?;
    let pcm = a.to_i16();
    let pre = u64::from(rate) * u64::from(cfg.pre_roll_ms) / 1000;
    let segs = vad::segments(&a.samples, rate, cfg)?;
    let mut out = Vec::with_capacity(segs.len());
    for seg in segs {
        let from = seg.start.saturating_sub(pre) as usize;
        // Give the recognizer a little of the trailing silence too.
        let to = ((seg.end + pre) as usize).min(pcm.len());
        recognizer.reset();
        // The engine may close utterances itself mid-way: keep every final it gives.
        let mut parts: Vec<Transcript> = Vec::new();
        for chunk in pcm[from.min(to)..to].chunks(4_000) {
            if let Recognition::Final(t) = recognizer.accept_waveform(chunk)? {
                parts.push(t);
            }
        }
        parts.push(recognizer.finish()?);
        let lang = recognizer.lang();
        let merged = Transcript {
            text: parts
                .iter()
                .map(|t| t.text.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            words: parts.into_iter().flat_map(|t| t.words).collect(),
            lang,
        };
        out.push((seg, merged));
    }
    Ok(out)
}
