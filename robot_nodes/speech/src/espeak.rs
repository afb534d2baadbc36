//! espeak-ng fallback voice (vi and en), through Debian's `espeak-ng` program.
//!
//! The text goes in on stdin (never as an argument, so text starting with `-` is not an option)
//! and the WAV comes back on stdout. The program is always installed on the robot
//! (`apt-get install espeak-ng`), so this voice is the one that is always available.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::audio::Audio;
use crate::error::SpeechError;
use crate::ports::{check_text, Lang, Synthesizer};
use crate::wav::read_wav_bytes;

/// espeak-ng voice parameters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EspeakConfig {
    /// The program to run.
    pub program: PathBuf,
    /// Speed in words per minute (80–450). Slower than espeak's 175 for elderly listeners.
    pub words_per_minute: u32,
    /// Pitch 0–99.
    pub pitch: u32,
    /// Amplitude 0–200.
    pub amplitude: u32,
    /// Voice for Vietnamese (`vi` is Northern, Hanoi).
    pub voice_vi: String,
    /// Voice for English.
    pub voice_en: String,
}

impl Default for EspeakConfig {
    fn default() -> Self {
        Self {
            program: PathBuf::from("espeak-ng"),
            words_per_minute: 150,
            pitch: 50,
            amplitude: 100,
            voice_vi: "vi".into(),
            voice_en: "en-us".into(),
        }
    }
}

impl EspeakConfig {
    /// Checks the values; the error names the key.
    pub fn validate(&self) -> Result<(), SpeechError> {
        let bad = |key: &'static str, reason: String| SpeechError::Config { key, reason };
        if !(80..=450).contains(&self.words_per_minute) {
            return Err(bad(
                "words_per_minute",
                format!("{} not in 80..=450", self.words_per_minute),
            ));
        }
        if self.pitch > 99 {
            return Err(bad("pitch", format!("{} > 99", self.pitch)));
        }
        if self.amplitude > 200 {
            return Err(bad("amplitude", format!("{} > 200", self.amplitude)));
        }
        for (key, v) in [("voice_vi", &self.voice_vi), ("voice_en", &self.voice_en)] {
            let ok = !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/'));
            if !ok {
                return Err(bad(key, format!("{v:?} is not a voice name")));
            }
        }
        Ok(())
    }
}

/// The espeak-ng voice.
#[derive(Debug, Clone)]
pub struct EspeakSynthesizer {
    cfg: EspeakConfig,
}

impl EspeakSynthesizer {
    /// A voice with the given parameters (validated).
    pub fn new(cfg: EspeakConfig) -> Result<Self, SpeechError> {
        cfg.validate()?;
        Ok(Self { cfg })
    }

    /// Runs `espeak-ng --version` to check the program is there.
    pub fn probe(&self) -> Result<String, SpeechError> {
        let out = Command::new(&self.cfg.program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| self.missing(e))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn missing(&self, e: std::io::Error) -> SpeechError {
        SpeechError::Program {
            program: self.cfg.program.display().to_string(),
            reason: format!(
                "cannot run it ({e}); the fallback voice needs it: apt-get install espeak-ng"
            ),
        }
    }
}

impl Synthesizer for EspeakSynthesizer {
    fn name(&self) -> &'static str {
        "espeak-ng"
    }

    fn supports(&self, _lang: Lang) -> bool {
        true
    }

    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
        let text = check_text("espeak-ng", text)?;
        let voice = match lang {
            Lang::Vi => &self.cfg.voice_vi,
            Lang::En => &self.cfg.voice_en,
        };
        let mut child = Command::new(&self.cfg.program)
            .arg("-v")
            .arg(voice)
            .arg("-s")
            .arg(self.cfg.words_per_minute.to_string())
            .arg("-p")
            .arg(self.cfg.pitch.to_string())
            .arg("-a")
            .arg(self.cfg.amplitude.to_string())
            .arg("-b")
            .arg("1") // input is UTF-8
            .arg("--stdout")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.missing(e))?;
        let program = self.cfg.program.display().to_string();
        // Write stdin from a thread so a large stdout cannot deadlock against it.
        let writer = child.stdin.take().map(|mut stdin| {
            let text = text.clone();
            std::thread::spawn(move || {
                let _ = stdin.write_all(text.as_bytes());
            })
        });
        let out = child.wait_with_output().map_err(|e| SpeechError::Program {
            program: program.clone(),
            reason: format!("waiting for it failed: {e}"),
        })?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        if !out.status.success() {
            return Err(SpeechError::Program {
                program,
                reason: format!(
                    "exited with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        let audio = read_wav_bytes(&out.stdout, "espeak-ng stdout")?;
        tracing::debug!(%lang, chars = text.chars().count(), seconds = audio.duration_s(), "espeak-ng synthesized");
        Ok(audio)
    }
}
