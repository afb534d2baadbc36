//! `letan speech say|transcribe`: text to a WAV file, and a WAV file to text.
//! Logic lives in letan-speech; engines: espeak-ng (always), Piper (feature `piper`),
//! Vosk (feature `vosk`).

use std::path::PathBuf;

use anyhow::{bail, Context};
use letan_speech::ports::split_sentences;
use letan_speech::{Audio, EspeakConfig, EspeakSynthesizer, Lang, Synthesizer};

/// Speech commands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Voice {
    /// Piper if this build has it and the voice is installed, else espeak-ng.
    Auto,
    /// espeak-ng (always available).
    Espeak,
    /// Piper neural voice (feature `piper`, voice from `letan models fetch`).
    Piper,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Synthesize text to a WAV file.
    Say {
        /// Language: vi or en.
        #[arg(long, value_parser = parse_lang)]
        lang: Lang,
        /// Voice engine.
        #[arg(long, value_enum, default_value = "auto")]
        voice: Voice,
        /// espeak-ng speed, words per minute.
        #[arg(long, default_value_t = 150)]
        wpm: u32,
        /// Output WAV (16-bit mono).
        #[arg(short, long)]
        output: PathBuf,
        /// The text (long text is spoken sentence by sentence).
        text: String,
    },
    /// Transcribe a WAV file (any rate/channels) with Vosk: one line per utterance.
    Transcribe {
        /// Language: vi or en.
        #[arg(long, value_parser = parse_lang, default_value = "vi")]
        lang: Lang,
        /// A file of phrases (one per line) to restrict recognition to.
        #[arg(long)]
        grammar: Option<PathBuf>,
        /// The recording.
        wav: PathBuf,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>().map_err(|e| e.to_string())
}

/// Runs `letan speech …`.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.cmd {
        Sub::Say {
            lang,
            voice,
            wpm,
            output,
            text,
        } => say(lang, voice, wpm, &output, &text),
        Sub::Transcribe { lang, grammar, wav } => transcribe(lang, grammar, &wav),
    }
}

fn say(
    lang: Lang,
    voice: Voice,
    wpm: u32,
    output: &std::path::Path,
    text: &str,
) -> anyhow::Result<()> {
    let sentences = split_sentences(text);
    if sentences.is_empty() {
        bail!("nothing to say: the text has no words");
    }
    let mut synth: Box<dyn Synthesizer> = match voice {
        Voice::Espeak => Box::new(espeak(wpm)?),
        Voice::Piper => piper(lang)?,
        Voice::Auto => match piper(lang) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("note: using espeak-ng ({e:#})");
                Box::new(espeak(wpm)?)
            }
        },
    };
    let mut all: Vec<f32> = Vec::new();
    let mut rate = 0;
    for s in &sentences {
        let a = synth
            .synthesize(s, lang)
            .with_context(|| format!("{} could not say {s:?}", synth.name()))?;
        if rate == 0 {
            rate = a.sample_rate;
        }
        let a = if a.sample_rate == rate {
            a
        } else {
            a.resampled(rate)?
        };
        all.extend_from_slice(&a.samples);
        // A short pause between sentences helps elderly listeners.
        all.extend(std::iter::repeat_n(0.0, rate as usize / 4));
    }
    let audio = Audio::new(all, rate)?;
    letan_speech::wav::write_wav(output, &audio)
        .with_context(|| format!("writing {}", output.display()))?;
    println!(
        "{}: {:.2} s at {} Hz, {} sentence(s), voice {}",
        output.display(),
        audio.duration_s(),
        audio.sample_rate,
        sentences.len(),
        synth.name()
    );
    Ok(())
}

fn espeak(wpm: u32) -> anyhow::Result<EspeakSynthesizer> {
    Ok(EspeakSynthesizer::new(EspeakConfig {
        words_per_minute: wpm,
        ..EspeakConfig::default()
    })?)
}

#[cfg(feature = "piper")]
fn piper(lang: Lang) -> anyhow::Result<Box<dyn Synthesizer>> {
    use letan_speech::native::{deps_dir, onnxruntime_candidates};
    use letan_speech::piper::{PiperConfig, PiperSynthesizer};
    let manifest = letan_models::Manifest::builtin()?;
    let paths = letan_models::SearchPaths::from_process_env();
    let cwd = std::env::current_dir().ok();
    let ort = onnxruntime_candidates(
        std::env::var_os(letan_speech::native::ORT_ENV),
        &deps_dir(
            std::env::var_os(letan_speech::native::DEPS_ENV),
            cwd.as_deref(),
        ),
    );
    Ok(Box::new(PiperSynthesizer::locate(
        lang,
        &manifest,
        &paths,
        &ort,
        PiperConfig::default(),
    )?))
}

#[cfg(not(feature = "piper"))]
fn piper(_lang: Lang) -> anyhow::Result<Box<dyn Synthesizer>> {
    bail!("this letan was built without Piper: rebuild with `cargo build -p letan --features piper`, or use --voice espeak")
}

#[cfg(feature = "vosk")]
fn transcribe(lang: Lang, grammar: Option<PathBuf>, wav: &std::path::Path) -> anyhow::Result<()> {
    use letan_speech::vosk::{set_verbose, VoskModel};
    use letan_speech::{transcribe_utterances, EndpointConfig, Grammar};
    let audio = letan_speech::wav::read_wav(wav)?;
    set_verbose(false);
    let manifest = letan_models::Manifest::builtin()?;
    let paths = letan_models::SearchPaths::from_process_env();
    let model = VoskModel::locate(lang, &manifest, &paths)?;
    let grammar = match grammar {
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("reading grammar {}", p.display()))?;
            Some(Grammar::new(text.lines()))
        }
        None => None,
    };
    let mut rec = model.recognizer(grammar.as_ref())?;
    let out = transcribe_utterances(&audio, &mut rec, EndpointConfig::default())?;
    if out.is_empty() {
        println!("(no speech found in {:.1} s of audio)", audio.duration_s());
    }
    for (seg, t) in out {
        println!(
            "[{:7.2} – {:7.2}] conf {:.2}  {}",
            seg.start_s(),
            seg.end_s(),
            t.confidence(),
            t.text
        );
    }
    Ok(())
}

#[cfg(not(feature = "vosk"))]
fn transcribe(lang: Lang, _grammar: Option<PathBuf>, wav: &std::path::Path) -> anyhow::Result<()> {
    // Still check the input so a bad file is reported as such.
    let audio = letan_speech::wav::read_wav(wav)?;
    let _ = (lang, audio);
    bail!("this letan was built without Vosk: rebuild with `cargo build -p letan --features vosk` (needs .deps/lib/libvosk.so from scripts/setup.sh)")
}
