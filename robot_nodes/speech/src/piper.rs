//! Piper voices through piper-rs and ONNX Runtime (feature `piper`).
//!
//! ONNX Runtime is loaded at run time (ort `load-dynamic`) from the library scripts/setup.sh
//! unpacks from the PyPI `onnxruntime` wheel. ort rc.12 deadlocks if that load fails (its error
//! path re-enters the lock being initialised: shared/notes/speech.md, problem 4), so
//! [`init_onnxruntime`] first checks the file exists and `dlopen`s it itself, and only then
//! lets ort load it. A missing or broken library is an error, never a hang.
//!
//! piper-rs phonemizes with espeak-ng 1.52 (built from source by espeak-rs-sys) and needs its
//! `espeak-ng-data` folder; see [`locate_espeak_data`].

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use letan_models::{Manifest, SearchPaths};

use crate::audio::Audio;
use crate::error::SpeechError;
use crate::ports::{check_text, Lang, Synthesizer};

/// Manifest name of the preferred Piper voice for a language.
pub fn voice_name(lang: Lang) -> &'static str {
    voice_names(lang)[0]
}

/// Manifest names of the Piper voices for a language, preferred first: for English the voice that
/// scripts/setup.sh installs from PyPI (`en_US-joe-medium`), then `en_US-lessac-medium`.
pub fn voice_names(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Vi => &["vi_VN-vais1000-medium"],
        Lang::En => &["en_US-joe-medium", "en_US-lessac-medium"],
    }
}

static ORT_LOADED: OnceLock<PathBuf> = OnceLock::new();
static ORT_INIT: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime once for the process from the first usable candidate
/// ([`crate::native::onnxruntime_candidates`]). Each candidate must exist, `dlopen`, and export
/// `OrtGetApiBase` before ort is allowed to touch it. Returns the library used.
pub fn init_onnxruntime(candidates: &[PathBuf]) -> Result<PathBuf, SpeechError> {
    if let Some(p) = ORT_LOADED.get() {
        return Ok(p.clone());
    }
    let _guard = ORT_INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = ORT_LOADED.get() {
        return Ok(p.clone());
    }
    let mut tried = Vec::new();
    for path in candidates {
        match check_library(path) {
            Ok(()) => {
                let builder = ort::init_from(path).map_err(|e| SpeechError::Library {
                    engine: "onnxruntime",
                    library: path.clone(),
                    reason: e.to_string(),
                })?;
                builder.with_name("letan-piper").commit();
                let _ = ORT_LOADED.set(path.clone());
                tracing::info!(library = %path.display(), "onnxruntime loaded");
                return Ok(path.clone());
            }
            Err(reason) => tried.push(format!("{} ({reason})", path.display())),
        }
    }
    Err(SpeechError::Library {
        engine: "onnxruntime",
        library: candidates.first().cloned().unwrap_or_default(),
        reason: format!(
            "no usable libonnxruntime; tried: {}. Run `bash scripts/setup.sh` (unpacks it from the \
             PyPI onnxruntime wheel into .deps/lib) or set ORT_DYLIB_PATH",
            if tried.is_empty() {
                "nothing".to_string()
            } else {
                tried.join("; ")
            }
        ),
    })
}

fn check_library(path: &Path) -> Result<(), String> {
    if !path.is_file() {
        return Err("no such file".into());
    }
    // SAFETY: loading ONNX Runtime runs its (well-behaved) initialisers; we only look up a
    // symbol and close it again. ort loads the same file right after.
    unsafe {
        let lib = libloading::Library::new(path).map_err(|e| e.to_string())?;
        lib.get::<unsafe extern "C" fn() -> *const std::ffi::c_void>(b"OrtGetApiBase\0")
            .map_err(|e| format!("not ONNX Runtime: {e}"))?;
    }
    Ok(())
}

/// Finds the folder that CONTAINS `espeak-ng-data` for piper-rs's espeak-ng 1.52, in order:
/// `$PIPER_ESPEAKNG_DATA_DIRECTORY`, the working directory, the executable's folder (deploy:
/// copy it beside the binary), then the build output of espeak-rs-sys under the target folder
/// the executable runs from (development).
pub fn locate_espeak_data() -> Option<PathBuf> {
    let has = |d: &Path| d.join("espeak-ng-data").join("phontab").is_file();
    if let Some(d) = std::env::var_os("PIPER_ESPEAKNG_DATA_DIRECTORY") {
        let d = PathBuf::from(d);
        if has(&d) {
            return Some(d);
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        if has(&cwd) {
            return Some(cwd);
        }
    }
    let exe = std::env::current_exe().ok()?;
    let exe_dir = exe.parent()?;
    if has(exe_dir) {
        return Some(exe_dir.to_path_buf());
    }
    // target/<profile>/{deps/,}<exe> → target/<profile>/build/espeak-rs-sys-*/out/share
    for base in exe_dir.ancestors().take(3) {
        let Ok(rd) = std::fs::read_dir(base.join("build")) else {
            continue;
        };
        let mut found: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("espeak-rs-sys-"))
            })
            .map(|p| p.join("out").join("share"))
            .filter(|p| has(p))
            .collect();
        found.sort();
        if let Some(d) = found.pop() {
            return Some(d);
        }
    }
    None
}

static ESPEAK_DATA: OnceLock<Option<PathBuf>> = OnceLock::new();
/// libespeak-ng is not thread-safe: every phonemization goes through this lock.
static ESPEAK_LOCK: Mutex<()> = Mutex::new(());

fn ensure_espeak_data() -> Result<PathBuf, SpeechError> {
    let found = ESPEAK_DATA.get_or_init(|| {
        let d = locate_espeak_data()?;
        if std::env::var_os("PIPER_ESPEAKNG_DATA_DIRECTORY").is_none() {
            // espeak-rs reads only this variable, the cwd and the exe folder: point it at what
            // we found. Done once, before the first phonemization.
            std::env::set_var("PIPER_ESPEAKNG_DATA_DIRECTORY", &d);
        }
        Some(d)
    });
    found.clone().ok_or_else(|| SpeechError::Engine {
        engine: "piper",
        reason: "espeak-ng-data for piper-rs not found: set PIPER_ESPEAKNG_DATA_DIRECTORY to the \
                 folder that contains espeak-ng-data (built at \
                 target/<profile>/build/espeak-rs-sys-*/out/share), or copy espeak-ng-data next \
                 to the binary"
            .into(),
    })
}

/// Piper synthesis parameters.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PiperConfig {
    /// >1 speaks slower (elderly listeners: 1.15).
    pub length_scale: f32,
}

impl Default for PiperConfig {
    fn default() -> Self {
        Self { length_scale: 1.15 }
    }
}

/// One Piper voice.
pub struct PiperSynthesizer {
    piper: piper_rs::Piper,
    lang: Lang,
    cfg: PiperConfig,
    voice: String,
}

impl std::fmt::Debug for PiperSynthesizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PiperSynthesizer")
            .field("lang", &self.lang)
            .field("cfg", &self.cfg)
            .finish()
    }
}

impl PiperSynthesizer {
    /// Loads the first installed voice of [`voice_names`] for `lang` from the model search paths
    /// (the `.onnx` and its `.onnx.json`). None installed: the error of the preferred one.
    pub fn locate(
        lang: Lang,
        manifest: &Manifest,
        paths: &SearchPaths,
        ort_candidates: &[PathBuf],
        cfg: PiperConfig,
    ) -> Result<Self, SpeechError> {
        let mut first_err = None;
        for name in voice_names(lang) {
            let entry = manifest.get(name)?;
            match paths.locate(entry) {
                Ok(found) => {
                    let config = PathBuf::from(format!("{}.json", found.path.display()));
                    tracing::debug!(voice = name, path = %found.path.display(), "Piper voice");
                    return Self::load(&found.path, &config, lang, ort_candidates, cfg).map(
                        |mut p| {
                            p.voice = (*name).to_string();
                            p
                        },
                    );
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(match first_err {
            Some(e) => e.into(),
            None => SpeechError::Engine {
                engine: "piper",
                reason: format!("no Piper voice known for {lang}"),
            },
        })
    }

    /// Loads a voice from explicit files.
    pub fn load(
        model: &Path,
        config: &Path,
        lang: Lang,
        ort_candidates: &[PathBuf],
        cfg: PiperConfig,
    ) -> Result<Self, SpeechError> {
        if !(0.3..=3.0).contains(&cfg.length_scale) {
            return Err(SpeechError::Config {
                key: "length_scale",
                reason: format!("{} not in 0.3..=3.0", cfg.length_scale),
            });
        }
        for f in [model, config] {
            if !f.is_file() {
                return Err(SpeechError::Engine {
                    engine: "piper",
                    reason: format!(
                        "{} not found; the {lang} voices are {}: `bash scripts/setup.sh` installs \
                         the registry ones (en_US-joe-medium), `letan models fetch <name>` the others",
                        f.display(),
                        voice_names(lang).join(", ")
                    ),
                });
            }
        }
        init_onnxruntime(ort_candidates)?;
        ensure_espeak_data()?;
        let piper = piper_rs::Piper::new(model, config).map_err(|e| SpeechError::Engine {
            engine: "piper",
            reason: e.to_string(),
        })?;
        let voice = model
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self {
            piper,
            lang,
            cfg,
            voice,
        })
    }

    /// The voice: its manifest name, or the model file's stem when loaded from explicit files.
    pub fn voice(&self) -> &str {
        &self.voice
    }

    /// The language this voice speaks.
    pub fn lang(&self) -> Lang {
        self.lang
    }
}

impl Synthesizer for PiperSynthesizer {
    fn name(&self) -> &'static str {
        "piper"
    }
    fn supports(&self, lang: Lang) -> bool {
        lang == self.lang
    }
    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
        if lang != self.lang {
            return Err(SpeechError::Engine {
                engine: "piper",
                reason: format!("this voice speaks {}, not {lang}", self.lang),
            });
        }
        let text = check_text("piper", text)?;
        // libespeak-ng keeps global state (current voice, text pointer): two voices phonemizing
        // at once from different threads corrupt each other ("Failed to set voice"). Serialize.
        let _espeak = ESPEAK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (samples, rate) = self
            .piper
            .create(&text, false, None, Some(self.cfg.length_scale), None, None)
            .map_err(|e| SpeechError::Engine {
                engine: "piper",
                reason: e.to_string(),
            })?;
        Audio::new(samples, rate)
    }
}
