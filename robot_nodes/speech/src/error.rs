//! The one error type of `letan-speech`.

use std::path::PathBuf;

/// Everything that can go wrong in speech processing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpeechError {
    /// A sample rate outside what we accept.
    #[error("sample rate {rate} Hz is outside the accepted range {min}..={max} Hz")]
    BadSampleRate {
        /// The rate given.
        rate: u32,
        /// Lowest accepted.
        min: u32,
        /// Highest accepted.
        max: u32,
    },
    /// A channel count of zero.
    #[error("audio with {channels} channels cannot be downmixed")]
    BadChannels {
        /// The channel count given.
        channels: u16,
    },
    /// A WAV file could not be read or written.
    #[error("WAV {path:?}: {source}")]
    Wav {
        /// The file.
        path: PathBuf,
        /// What hound said.
        #[source]
        source: hound::Error,
    },
    /// A WAV stream in memory could not be parsed.
    #[error("WAV data from {what}: {reason}")]
    WavData {
        /// Where the bytes came from.
        what: String,
        /// What was wrong.
        reason: String,
    },
    /// A WAV sample format we do not read.
    #[error("WAV {path:?}: unsupported sample format ({bits} bits, {format})")]
    WavFormat {
        /// The file.
        path: PathBuf,
        /// Bits per sample.
        bits: u16,
        /// "int" or "float".
        format: &'static str,
    },
    /// A configuration value out of range; `key` names the parameter.
    #[error("invalid parameter `{key}`: {reason}")]
    Config {
        /// Parameter name.
        key: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A language code we do not speak.
    #[error("unsupported language {code:?} (expected \"vi\" or \"en\")")]
    Language {
        /// The code given.
        code: String,
    },
    /// Text given to a synthesizer that it refuses (empty after trimming, or too long).
    #[error("text refused by {engine}: {reason}")]
    Text {
        /// Engine name.
        engine: &'static str,
        /// Why.
        reason: String,
    },
    /// An external program could not be run or failed.
    #[error("{program}: {reason}")]
    Program {
        /// The program, e.g. `espeak-ng`.
        program: String,
        /// What failed, with a hint to fix it.
        reason: String,
    },
    /// A model is not installed (message names the paths searched and the fetch command).
    #[error(transparent)]
    Model(#[from] letan_models::ModelsError),
    /// A native engine library could not be found or loaded.
    #[error("{engine}: native library {library:?} not usable: {reason}")]
    Library {
        /// Engine name.
        engine: &'static str,
        /// The library path tried.
        library: PathBuf,
        /// Why.
        reason: String,
    },
    /// An engine reported an error while running.
    #[error("{engine}: {reason}")]
    Engine {
        /// Engine name.
        engine: &'static str,
        /// What it said.
        reason: String,
    },
}

impl From<letan_core::UnknownLang> for SpeechError {
    fn from(e: letan_core::UnknownLang) -> Self {
        SpeechError::Language { code: e.code }
    }
}
