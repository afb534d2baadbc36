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
        /// Language: vi or en (with --model, any code: the voice's own config decides).
        #[arg(long)]
        lang: String,
        /// Voice engine.
        #[arg(long, value_enum, default_value = "auto")]
        voice: Voice,
        /// A Piper voice file (`.onnx`, with its `.onnx.json` beside it) instead of the manifest's.
        #[arg(long)]
        model: Option<PathBuf>,
        /// espeak-ng speed, words per minute.
        #[arg(long, default_value_t = 150)]
        wpm: u32,
        /// Output WAV (16-bit mono).
        #[arg(short, long)]
        output: PathBuf,
        /// The text (long text is spoken sentence by sentence).
        text: String,
    },
    /// Transcribe a WAV file (any rate/channels) with Vosk: the transcript on stdout, one line per
    /// utterance (times and confidences on stderr).
    Transcribe {
        /// Language: vi or en, or any language of a Vosk model in the manifest (ko); with --model,
        /// any code.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// A Vosk model folder instead of the manifest's model for the language.
        #[arg(long)]
        model: Option<PathBuf>,
        /// A file of phrases (one per line, `#` comments) to restrict recognition to. Phrases are
        /// mapped onto the model's vocabulary; phrases with unknown words are dropped and reported
        /// on stderr; the best of the N-best list that is one of the phrases is printed.
        #[arg(long)]
        grammar: Option<PathBuf>,
        /// The recording.
        wav: PathBuf,
    },
}

/// The robot's language for `code`, or, for another language (only with an explicit model),
/// the slot its engine runs in: the label does not change what the model hears or says.
fn lang_slot(code: &str, explicit_model: bool) -> anyhow::Result<Lang> {
    match code.parse::<Lang>() {
        Ok(l) => Ok(l),
        Err(_) if explicit_model => Ok(Lang::En),
        Err(e) => Err(e.into()),
    }
}

/// Runs `letan speech …`.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.cmd {
        Sub::Say {
            lang,
            voice,
            model,
            wpm,
            output,
            text,
        } => say(&lang, voice, model, wpm, &output, &text),
        Sub::Transcribe {
            lang,
            model,
            grammar,
            wav,
        } => transcribe(&lang, model, grammar, &wav),
    }
}

fn say(
    lang: &str,
    voice: Voice,
    model: Option<PathBuf>,
    wpm: u32,
    output: &std::path::Path,
    text: &str,
) -> anyhow::Result<()> {
    let sentences = split_sentences(text);
    if sentences.is_empty() {
        bail!("nothing to say: the text has no words");
    }
    if model.is_some() && voice == Voice::Espeak {
        bail!("--model names a Piper voice: use it with --voice piper");
    }
    let lang = lang_slot(lang, model.is_some() && voice != Voice::Espeak)?;
    let mut synth: Box<dyn Synthesizer> = match voice {
        Voice::Espeak => Box::new(espeak(wpm)?),
        Voice::Piper => piper(lang, model.as_deref())?,
        Voice::Auto => match piper(lang, model.as_deref()) {
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
fn piper(lang: Lang, model: Option<&std::path::Path>) -> anyhow::Result<Box<dyn Synthesizer>> {
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
    let voice = match model {
        Some(m) => {
            let config = PathBuf::from(format!("{}.json", m.display()));
            PiperSynthesizer::load(m, &config, lang, &ort, PiperConfig::default())?
        }
        None => PiperSynthesizer::locate(lang, &manifest, &paths, &ort, PiperConfig::default())?,
    };
    eprintln!("voice: piper {}", voice.voice());
    Ok(Box::new(voice))
}

#[cfg(not(feature = "piper"))]
fn piper(_lang: Lang, _model: Option<&std::path::Path>) -> anyhow::Result<Box<dyn Synthesizer>> {
    bail!("this letan was built without Piper: rebuild with `cargo build -p letan --features piper`, or use --voice espeak")
}

#[cfg(feature = "vosk")]
fn transcribe(
    lang: &str,
    model: Option<PathBuf>,
    grammar: Option<PathBuf>,
    wav: &std::path::Path,
) -> anyhow::Result<()> {
    use letan_speech::vosk::{set_verbose, VoskModel};
    use letan_speech::{build_grammar, transcribe_utterances, EndpointConfig};
    let audio = letan_speech::wav::read_wav(wav)?;
    set_verbose(false);
    let model = match model {
        Some(dir) => VoskModel::load(&dir, lang_slot(lang, true)?)?,
        None => {
            let manifest = letan_models::Manifest::builtin()?;
            let paths = letan_models::SearchPaths::from_process_env();
            match lang.parse::<Lang>() {
                Ok(l) => VoskModel::locate(l, &manifest, &paths)?,
                Err(_) => {
                    // Another language: the manifest's Vosk model for it (e.g. ko, for tests).
                    let code = lang.trim().to_ascii_lowercase();
                    let Some(entry) = manifest
                        .models
                        .iter()
                        .find(|m| m.engine == "vosk" && m.language == code)
                    else {
                        bail!(
                            "no Vosk model for language {code:?} in the manifest: pass --model DIR"
                        );
                    };
                    let found = paths.locate(entry)?;
                    VoskModel::load(&found.path, Lang::En)?
                }
            }
        }
    };
    let grammar = match grammar {
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("reading grammar {}", p.display()))?;
            let vocab = model.vocabulary()?;
            // One phrase a line; lines starting with '#' are comments.
            let lines = text.lines().filter(|l| !l.trim_start().starts_with('#'));
            let report = build_grammar(lines, &vocab, &[], 10_000);
            eprintln!("grammar {}: {}", p.display(), report.summary());
            if report.grammar.phrases().is_empty() {
                bail!(
                    "grammar {}: no phrase has only words the model knows",
                    p.display()
                );
            }
            Some(report.grammar)
        }
        None => None,
    };
    let mut rec = model.recognizer(grammar.as_ref())?;
    let out = transcribe_utterances(&audio, &mut rec, EndpointConfig::default())?;
    if out.is_empty() {
        eprintln!("(no speech found in {:.1} s of audio)", audio.duration_s());
    }
    for (seg, t) in out {
        eprintln!(
            "[{:7.2} – {:7.2}] conf {:.2}",
            seg.start_s(),
            seg.end_s(),
            t.confidence()
        );
        println!("{}", t.text);
    }
    Ok(())
}

#[cfg(not(feature = "vosk"))]
fn transcribe(
    lang: &str,
    _model: Option<PathBuf>,
    _grammar: Option<PathBuf>,
    wav: &std::path::Path,
) -> anyhow::Result<()> {
    // Still check the input so a bad file is reported as such.
    let audio = letan_speech::wav::read_wav(wav)?;
    let _ = (lang, audio);
    bail!("this letan was built without Vosk: rebuild with `cargo build -p letan --features vosk` (needs .deps/lib/libvosk.so from scripts/setup.sh)")
}
