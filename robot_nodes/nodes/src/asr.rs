//! The ASR node: microphone audio → resampling to 16 kHz → endpointing → gating while the robot
//! speaks (barge-in) → a streaming recognizer → transcripts. The DSP, the endpointer and the gate
//! are `letan-speech`'s; the recognizer is Vosk (feature `vosk`, model installed) or injected
//! ([`run_with`], tests).
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/audio/audio` | audio_common_msgs/AudioDataStamped, S16LE, channels and rate from `/audio/audio_info` (else the `input_*` parameters) |
//! | in | `/audio/audio_info` | audio_common_msgs/AudioInfo (latched) |
//! | in | `/tts/status` | letan_interfaces/SpeechStatus: input is gated while the robot speaks and for `echo_tail_ms` after |
//! | in | `/dialog/language` | std_msgs/String `"vi"`/`"en"`: switches the recognizer (model) |
//! | out | `/speech/transcript` | letan_interfaces/Transcript: partials (`is_final: false`) and one final per utterance, source `"asr"` |
//! | out | `/tts/stop` | std_msgs/Empty: barge-in (the citizen talks over the robot for `barge_in_ms`) |
//! | out | `/humans/voices/tracked` | hri_msgs/IdsList: `[voice_id]` while an utterance is open, `[]` otherwise (REP-155) |
//! | out | `/humans/voices/<voice_id>/speech` | hri_msgs/LiveSpeech: the same results, REP-155 style |
//!
//! With `wav_file` set, audio comes from that WAV file (any rate or channels), played in
//! `input_chunk_ms` chunks paced by the node clock, instead of `/audio/audio`.
//!
//! Without a recognizer (no Vosk in this build, or the model is not installed) the node runs on:
//! it logs one warning naming the model, the folders searched and `letan models fetch`, still
//! detects speech for barge-in, and publishes no transcripts (typed text feeds the dialog).
//! Audio that is empty, odd-sized, NaN-filled or in an unsupported format is dropped or
//! repaired, never a panic.
use crate::common::{start, NodeArgs, NodesError};
use letan_msgs::audio_common_msgs::{AudioDataStamped, AudioInfo};
use letan_msgs::hri_msgs::{IdsList, LiveSpeech};
use letan_msgs::letan_interfaces::{SpeechStatus, Transcript as TranscriptMsg};
use letan_msgs::std_msgs::{Empty, Header, StringMsg};
use letan_speech::audio::{downmix, i16_to_f32, ASR_SAMPLE_RATE};
use letan_speech::turn::ListenGate;
use letan_speech::{
    build_grammar, ClosedSetMode, ClosedSetRecognizer, EndpointConfig, Grammar, Heard, Lang,
    ListenConfig, Listener, Recognizer, Vocabulary,
};
use letan_transport::{Clock, Context, Publisher, Qos, Rate};
use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

/// Topic names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AsrTopics {
    pub audio: String,
    pub audio_info: String,
    pub tts_status: String,
    pub tts_stop: String,
    pub language: String,
    pub transcript: String,
    pub voices_tracked: String,
    /// `<voices_prefix>/<voice_id>/speech`.
    pub voices_prefix: String,
}

impl Default for AsrTopics {
    fn default() -> Self {
        Self {
            audio: "/audio/audio".into(),
            audio_info: "/audio/audio_info".into(),
            tts_status: "/tts/status".into(),
            tts_stop: "/tts/stop".into(),
            language: "/dialog/language".into(),
            transcript: "/speech/transcript".into(),
            voices_tracked: "/humans/voices/tracked".into(),
            voices_prefix: "/humans/voices".into(),
        }
    }
}

/// Closed-set decoding: a phrase grammar from the knowledge base, decoded beside the open
/// recognizer (see `letan_speech::closed`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AsrGrammarParams {
    /// Build and use the grammar (engines that take one: Vosk).
    pub enabled: bool,
    /// `beside` (both decoders fed as audio arrives) or `two_pass` (grammar after the end of
    /// speech). Measured in robot_nodes/speech/README.md: `beside` adds nothing after the endpoint.
    pub mode: ClosedSetMode,
    /// Knowledge-base folder (`""` = the built-in copy), polled for changes.
    pub kb_dir: String,
    /// How often the knowledge base is checked for changes, s.
    pub reload_period_s: f64,
    /// At most this many phrases (each costs grammar-compile time and decoding breadth).
    pub max_phrases: usize,
}

impl Default for AsrGrammarParams {
    fn default() -> Self {
        Self {
            enabled: true,
            mode: ClosedSetMode::Beside,
            kb_dir: String::new(),
            reload_period_s: 2.0,
            max_phrases: 3_000,
        }
    }
}

/// The ASR node's `ros__parameters`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AsrParams {
    pub topics: AsrTopics,
    /// Phrase grammar from the knowledge base, beside the open recognizer.
    pub grammar: AsrGrammarParams,
    /// A Vosk model folder used for `language` instead of the manifest's (`""` = the manifest's).
    pub model_dir: String,
    /// Language recognised until `/dialog/language` says otherwise.
    pub language: String,
    /// Rate of `/audio/audio` until `/audio/audio_info` says otherwise, Hz.
    pub input_sample_rate: u32,
    /// Channels of `/audio/audio` until `/audio/audio_info` says otherwise.
    pub input_channels: u8,
    /// A WAV file to listen to instead of `/audio/audio` (`""` = the topic).
    pub wav_file: String,
    /// Chunk length when playing `wav_file`, ms.
    pub input_chunk_ms: u32,
    /// Endpointing (trailing silence, max utterance, thresholds…).
    pub endpoint: EndpointConfig,
    /// Let the citizen interrupt the robot by talking over it.
    pub barge_in: bool,
    /// How long the citizen must talk over the robot to interrupt it, ms (≥ 200).
    pub barge_in_ms: u32,
    /// Input stays gated this long after the robot stops (echo), ms.
    pub echo_tail_ms: u32,
    /// Publish partial hypotheses too.
    pub publish_partials: bool,
    /// The REP-155 voice id (one anonymous voice: speakers are not told apart).
    pub voice_id: String,
    /// `frame_id` of the transcripts.
    pub frame_id: String,
}

impl Default for AsrParams {
    fn default() -> Self {
        Self {
            topics: AsrTopics::default(),
            grammar: AsrGrammarParams::default(),
            model_dir: String::new(),
            language: "vi".into(),
            input_sample_rate: ASR_SAMPLE_RATE,
            input_channels: 1,
            wav_file: String::new(),
            input_chunk_ms: 100,
            endpoint: EndpointConfig::default(),
            barge_in: true,
            barge_in_ms: 400,
            echo_tail_ms: 300,
            publish_partials: true,
            voice_id: "anonymous".into(),
            frame_id: "microphone".into(),
        }
    }
}

impl AsrParams {
    /// Checks every value once, at start; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        self.language
            .parse::<Lang>()
            .map_err(|e| format!("key `language`: {e}"))?;
        if !(4_000..=192_000).contains(&self.input_sample_rate) {
            return Err(format!(
                "key `input_sample_rate` = {}: must be within [4000, 192000] Hz",
                self.input_sample_rate
            ));
        }
        if !(1..=8).contains(&self.input_channels) {
            return Err(format!(
                "key `input_channels` = {}: must be within [1, 8]",
                self.input_channels
            ));
        }
        if !(10..=1_000).contains(&self.input_chunk_ms) {
            return Err(format!(
                "key `input_chunk_ms` = {}: must be within [10, 1000]",
                self.input_chunk_ms
            ));
        }
        self.endpoint
            .validate()
            .map_err(|e| format!("endpoint.{e}"))?;
        if !(self.grammar.reload_period_s.is_finite()
            && (0.05..=3600.0).contains(&self.grammar.reload_period_s))
        {
            return Err(format!(
                "key `grammar.reload_period_s` = {}: must be within [0.05, 3600]",
                self.grammar.reload_period_s
            ));
        }
        if !(1..=50_000).contains(&self.grammar.max_phrases) {
            return Err(format!(
                "key `grammar.max_phrases` = {}: must be within [1, 50000]",
                self.grammar.max_phrases
            ));
        }
        ListenGate::new(
            ASR_SAMPLE_RATE,
            self.barge_in,
            self.barge_in_ms,
            self.echo_tail_ms,
        )
        .map_err(|e| e.to_string())?;
        let id_ok = !self.voice_id.is_empty()
            && self.voice_id.len() <= 32
            && self
                .voice_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !id_ok {
            return Err(format!(
                "key `voice_id` = {:?}: must be 1-32 letters, digits or `_` (it is part of a topic name)",
                self.voice_id
            ));
        }
        Ok(())
    }
}

/// Makes the recognizer for a language; the error says why there is none (shown once).
pub type RecognizerFactory =
    Box<dyn FnMut(Lang) -> Result<Box<dyn Recognizer + Send>, String> + Send>;

/// Manifest name of the Vosk model for a language.
pub fn vosk_model_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vosk-model-small-vn-0.4",
        Lang::En => "vosk-model-small-en-us-0.15",
    }
}

/// Why there is no recognizer for `lang` in a build without Vosk: names the model, whether it is
/// installed (and where it was looked for) and the fetch command.
pub fn no_vosk_reason(lang: Lang, paths: &letan_models::SearchPaths) -> String {
    let name = vosk_model_name(lang);
    let installed = letan_models::Manifest::builtin()
        .map_err(|e| e.to_string())
        .and_then(|m| {
            m.get(name)
                .map(|e| paths.locate(e))
                .map_err(|e| e.to_string())
        });
    let model = match installed {
        Ok(Ok(found)) => format!("model `{name}` is installed at {}", found.path.display()),
        Ok(Err(missing)) => missing.to_string(),
        Err(e) => format!("model `{name}`: {e}"),
    };
    format!(
        "speech recognition is off: this build has no Vosk (build letan with feature `vosk`); {model}"
    )
}

/// Where the node gets recognizers: open ones and, when the engine takes grammars, ones limited
/// to a phrase grammar whose words are all in the model's vocabulary.
pub trait AsrEngine: Send {
    /// An open-vocabulary recognizer for `lang`; the error says why there is none (shown once).
    fn open(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String>;
    /// The words the model for `lang` knows; `None` if this engine takes no grammar.
    fn vocabulary(&mut self, _lang: Lang) -> Option<Result<Arc<Vocabulary>, String>> {
        None
    }
    /// A recognizer limited to `grammar` (built against [`AsrEngine::vocabulary`]).
    fn with_grammar(
        &mut self,
        _lang: Lang,
        _grammar: &Grammar,
    ) -> Result<Box<dyn Recognizer + Send>, String> {
        Err("this engine takes no grammar".into())
    }
}

/// A [`RecognizerFactory`] as an engine without grammars.
struct FactoryEngine(RecognizerFactory);

impl AsrEngine for FactoryEngine {
    fn open(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String> {
        (self.0)(lang)
    }
}

/// The phrases a grammar is built from, per language, with a fingerprint that changes when they do.
pub trait PhraseSource: Send {
    /// The phrases for `lang` and their fingerprint.
    fn phrases(&mut self, lang: Lang) -> Result<(Vec<String>, u64), String>;
    /// The fingerprint only (cheap: no phrase building), to notice a change.
    fn fingerprint(&mut self) -> Result<u64, String>;
}

/// A fixed phrase list (tests, other languages' fixtures).
pub struct FixedPhrases(pub Vec<String>);

impl PhraseSource for FixedPhrases {
    fn phrases(&mut self, _lang: Lang) -> Result<(Vec<String>, u64), String> {
        Ok((self.0.clone(), 1))
    }
    fn fingerprint(&mut self) -> Result<u64, String> {
        Ok(1)
    }
}

/// Phrases from the knowledge base (`kb_dir`, or the built-in copy), read through letan-nlu.
pub struct KbPhrases {
    dir: Option<PathBuf>,
    cached: Option<(u64, letan_nlu::Kb)>,
}

impl KbPhrases {
    /// The knowledge base in `dir` (`None`: the built-in copy).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir, cached: None }
    }
}

fn fingerprint_files(files: &[(String, String)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in files {
        for b in name.bytes().chain([0u8]).chain(text.bytes()).chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

impl PhraseSource for KbPhrases {
    fn phrases(&mut self, lang: Lang) -> Result<(Vec<String>, u64), String> {
        let files = crate::common::kb_files(self.dir.as_deref())?;
        let fp = fingerprint_files(&files);
        if self.cached.as_ref().is_none_or(|(f, _)| *f != fp) {
            let kb = letan_nlu::Kb::parse(files).map_err(|e| format!("knowledge base: {e}"))?;
            self.cached = Some((fp, kb));
        }
        let kb = &self.cached.as_ref().ok_or("no knowledge base")?.1;
        Ok((kb_phrases(kb, lang), fp))
    }
    fn fingerprint(&mut self) -> Result<u64, String> {
        crate::common::kb_files(self.dir.as_deref()).map(|f| fingerprint_files(&f))
    }
}

fn nlu_lang(lang: Lang) -> letan_nlu::Language {
    match lang {
        Lang::Vi => letan_nlu::Language::Vi,
        Lang::En => letan_nlu::Language::En,
    }
}

/// Numbers 1..=n in words (counter numbers as citizens say them).
fn number_words(lang: Lang, n: u32) -> String {
    const VI: [&str; 10] = [
        "", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    ];
    const EN: [&str; 21] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    match lang {
        Lang::En => EN.get(n as usize).copied().unwrap_or("").to_string(),
        Lang::Vi => match n {
            1..=9 => VI[n as usize].to_string(),
            10 => "mười".into(),
            11..=19 => format!(
                "mười {}",
                if n == 15 {
                    "lăm"
                } else {
                    VI[(n - 10) as usize]
                }
            ),
            20..=99 => {
                let (t, u) = (n / 10, n % 10);
                let unit = match u {
                    0 => String::new(),
                    1 => " mốt".into(),
                    4 => " tư".into(),
                    5 => " lăm".into(),
                    _ => format!(" {}", VI[u as usize]),
                };
                format!("{} mươi{unit}", VI[t as usize])
            }
            _ => String::new(),
        },
    }
}

/// The phrases a citizen is expected to say, in `lang`, from the knowledge base: the intents'
/// examples in that language, templates with every place name, place names and aliases, counter
/// numbers in words, yes/no and polite words. Read-only use of letan-nlu's KB.
pub fn kb_phrases(kb: &letan_nlu::Kb, lang: Lang) -> Vec<String> {
    use letan_nlu::normalize::normalize;
    let nl = nlu_lang(lang);
    let id = letan_nlu::lang::LangId::new(kb);
    let mut out: Vec<String> = Vec::new();
    for e in kb.intents.values() {
        for ex in &e.examples {
            if id.identify(&normalize(ex)) == nl {
                out.push(ex.clone());
            }
        }
    }
    let places = kb.place_phrases(nl);
    out.extend(places.iter().cloned());
    for e in kb.intents.values() {
        if let Some(t) = &e.templates {
            for tpl in t.get(nl) {
                for p in &places {
                    out.push(tpl.replace("{place}", p));
                }
            }
        }
    }
    let counters = kb
        .places
        .keys()
        .filter_map(|id| id.strip_prefix("counter_")?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        .min(99);
    for n in 1..=counters {
        let w = number_words(lang, n);
        match lang {
            Lang::Vi => {
                out.push(format!("quầy {w}"));
                out.push(format!("quầy số {w}"));
                out.push(format!("quầy số {w} ở đâu"));
            }
            Lang::En => {
                out.push(format!("counter {w}"));
                out.push(format!("counter number {w}"));
                out.push(format!("where is counter {w}"));
            }
        }
    }
    let fixed: &[&str] = match lang {
        Lang::Vi => &[
            "vâng",
            "dạ",
            "có",
            "không",
            "đúng rồi",
            "đúng",
            "phải",
            "không phải",
            "ừ",
            "vâng ạ",
            "dạ vâng",
            "không ạ",
            "cảm ơn",
            "cảm ơn bạn",
            "cảm ơn cháu",
            "xin chào",
            "chào bạn",
            "chào cháu",
            "tạm biệt",
            "xin lỗi",
            "nói lại",
            "nói chậm thôi",
        ],
        Lang::En => &[
            "yes",
            "no",
            "yeah",
            "yes please",
            "no thanks",
            "that's right",
            "not that",
            "thank you",
            "thanks",
            "hello",
            "hi",
            "goodbye",
            "sorry",
            "please",
            "say that again",
        ],
    };
    out.extend(fixed.iter().map(|s| s.to_string()));
    out
}

/// Spellings the model uses for loanwords (normalised word → model words). Unmeasured for
/// Vietnamese: no Vietnamese model can be had here; check against the deployed model's words.
pub fn respellings(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::Vi => &[
            ("vneid", "vê en e i đê"),
            ("wifi", "wai phai"),
            ("ihanoi", "i hà nội"),
            ("qr", "qui rờ"),
        ],
        Lang::En => &[("vneid", "v n e i d"), ("ihanoi", "i hanoi")],
    }
}

/// The Vosk engine of the `asr` executable: models loaded once per language from the model search
/// paths (or from explicit folders), grammars checked against each model's vocabulary.
#[cfg(feature = "vosk")]
pub struct VoskEngine {
    models: HashMap<Lang, letan_speech::vosk::VoskModel>,
    dirs: HashMap<Lang, PathBuf>,
}

#[cfg(feature = "vosk")]
impl Default for VoskEngine {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "vosk")]
impl VoskEngine {
    /// Models from the manifest.
    pub fn new() -> Self {
        Self {
            models: HashMap::new(),
            dirs: HashMap::new(),
        }
    }

    /// Uses the model in `dir` for `lang` (any Vosk model folder).
    pub fn with_model_dir(mut self, lang: Lang, dir: PathBuf) -> Self {
        self.dirs.insert(lang, dir);
        self
    }

    /// Uses an already loaded model for `lang` (tests load one model once).
    pub fn with_model(mut self, lang: Lang, model: letan_speech::vosk::VoskModel) -> Self {
        self.models.insert(lang, model);
        self
    }

    fn model(&mut self, lang: Lang) -> Result<&letan_speech::vosk::VoskModel, String> {
        use letan_speech::vosk::{set_verbose, VoskModel};
        if let std::collections::hash_map::Entry::Vacant(e) = self.models.entry(lang) {
            set_verbose(false);
            let m = match self.dirs.get(&lang) {
                Some(dir) => VoskModel::load(dir, lang).map_err(|e| e.to_string())?,
                None => {
                    let manifest = letan_models::Manifest::builtin().map_err(|e| e.to_string())?;
                    let paths = letan_models::SearchPaths::from_process_env();
                    VoskModel::locate(lang, &manifest, &paths).map_err(|e| e.to_string())?
                }
            };
            e.insert(m);
        }
        self.models
            .get(&lang)
            .ok_or_else(|| format!("model for {lang} not loaded"))
    }
}

#[cfg(feature = "vosk")]
impl AsrEngine for VoskEngine {
    fn open(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String> {
        self.model(lang)?
            .recognizer(None)
            .map(|r| Box::new(r) as Box<dyn Recognizer + Send>)
            .map_err(|e| e.to_string())
    }
    fn vocabulary(&mut self, lang: Lang) -> Option<Result<Arc<Vocabulary>, String>> {
        Some(
            self.model(lang)
                .and_then(|m| m.vocabulary().map_err(|e| e.to_string())),
        )
    }
    fn with_grammar(
        &mut self,
        lang: Lang,
        grammar: &Grammar,
    ) -> Result<Box<dyn Recognizer + Send>, String> {
        self.model(lang)?
            .recognizer(Some(grammar))
            .map(|r| Box::new(r) as Box<dyn Recognizer + Send>)
            .map_err(|e| e.to_string())
    }
}

/// The engine of the `asr` executable: Vosk with feature `vosk` (the model for the start
/// language from `model_dir` if set), else none, with the reason.
pub fn default_engine(params: &AsrParams) -> Box<dyn AsrEngine> {
    #[cfg(feature = "vosk")]
    {
        let mut e = VoskEngine::new();
        if !params.model_dir.trim().is_empty() {
            if let Ok(lang) = params.language.parse::<Lang>() {
                let dir = crate::common::resolve(&crate::common::repo_root(), &params.model_dir);
                e = e.with_model_dir(lang, dir);
            }
        }
        Box::new(e)
    }
    #[cfg(not(feature = "vosk"))]
    {
        let _ = params;
        Box::new(FactoryEngine(Box::new(|lang| {
            Err(no_vosk_reason(
                lang,
                &letan_models::SearchPaths::from_process_env(),
            ))
        })))
    }
}

/// Run the ASR node with the real recognizer (Vosk) and the knowledge base's grammar until
/// `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_inner(ctx, args, None, None, shutdown).await
}

/// The stream format of `/audio/audio`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Format {
    rate: u32,
    channels: u16,
    s16le: bool,
}

struct Asr {
    params: AsrParams,
    clock: Clock,
    format: Format,
    listener: Listener,
    lang: Lang,
    engine: Box<dyn AsrEngine>,
    /// Phrases for the grammar (`None`: no closed-set decoding).
    phrases: Option<Box<dyn PhraseSource>>,
    /// Fingerprint of the phrases each language's grammar was built from.
    grammar_fp: HashMap<Lang, u64>,
    recognizers: HashMap<Lang, Box<dyn Recognizer + Send>>,
    /// Languages whose missing recognizer was already reported.
    reported: Vec<Lang>,
    tracked: bool,
    warned: Vec<&'static str>,
    transcript: Publisher<TranscriptMsg>,
    stop: Publisher<Empty>,
    tracked_pub: Publisher<IdsList>,
    speech_pub: Publisher<LiveSpeech>,
}

impl Asr {
    fn warn_once(&mut self, key: &'static str, detail: &str) {
        if !self.warned.contains(&key) {
            self.warned.push(key);
            tracing::warn!(detail, "dropped audio (reported once)");
        }
    }

    fn header(&self, at: f64) -> Header {
        let secs = if at.is_finite() { at.max(0.0) } else { 0.0 };
        let sec = secs.floor();
        Header::new(
            letan_msgs::builtin_interfaces::Time {
                sec: sec.min(f64::from(i32::MAX)) as i32,
                nanosec: (((secs - sec) * 1e9) as u32).min(999_999_999),
            },
            self.params.frame_id.clone(),
        )
    }

    /// The recognizer for the current language, made on first use; `None` (reported once) if
    /// there is none.
    fn recognizer(&mut self) -> Option<&mut Box<dyn Recognizer + Send>> {
        let lang = self.lang;
        if !self.recognizers.contains_key(&lang) && !self.reported.contains(&lang) {
            match self.make_recognizer(lang) {
                Ok(r) => {
                    tracing::info!(%lang, "recognizer ready");
                    self.recognizers.insert(lang, r);
                }
                Err(reason) => {
                    self.reported.push(lang);
                    tracing::warn!(%lang, %reason, "no speech recognizer: the node runs on without transcripts (typed text still reaches the dialog)");
                }
            }
        }
        self.recognizers.get_mut(&lang)
    }

    /// The open recognizer for `lang`, with the phrase grammar beside it when the engine takes
    /// one and phrases are configured. A grammar that cannot be built is logged; the open
    /// recognizer is used alone.
    fn make_recognizer(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String> {
        let open = self.engine.open(lang)?;
        let Some(source) = self.phrases.as_mut() else {
            return Ok(open);
        };
        let vocab = match self.engine.vocabulary(lang) {
            None => return Ok(open),
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                tracing::warn!(%lang, error = %e, "no vocabulary for the phrase grammar: open recognition only");
                return Ok(open);
            }
        };
        let (phrases, fp) = match source.phrases(lang) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(%lang, error = %e, "no phrases for the grammar: open recognition only");
                return Ok(open);
            }
        };
        self.grammar_fp.insert(lang, fp);
        let report = build_grammar(
            &phrases,
            &vocab,
            respellings(lang),
            self.params.grammar.max_phrases,
        );
        tracing::info!(%lang, report = %report.summary(), "phrase grammar");
        if report.grammar.phrases().is_empty() {
            tracing::warn!(%lang, "empty phrase grammar: open recognition only");
            return Ok(open);
        }
        let closed = match self.engine.with_grammar(lang, &report.grammar) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(%lang, error = %e, "grammar recognizer failed: open recognition only");
                return Ok(open);
            }
        };
        ClosedSetRecognizer::new(
            open,
            closed,
            &report.grammar,
            self.params.grammar.mode,
            self.params.endpoint.max_utterance_ms as f32 / 1000.0 + 2.0,
        )
        .map(|r| Box::new(r) as Box<dyn Recognizer + Send>)
        .map_err(|e| e.to_string())
    }

    /// Rebuilds the current language's recognizer when the phrases changed (knowledge base
    /// reloaded), between utterances only.
    fn check_phrases(&mut self) {
        if self.listener.is_open() {
            return;
        }
        let lang = self.lang;
        let Some(old) = self.grammar_fp.get(&lang).copied() else {
            return;
        };
        let Some(source) = self.phrases.as_mut() else {
            return;
        };
        match source.fingerprint() {
            Ok(fp) if fp != old => {
                match self.make_recognizer(lang) {
                    Ok(r) => {
                        tracing::info!(%lang, "knowledge base changed: phrase grammar rebuilt");
                        self.recognizers.insert(lang, r);
                    }
                    Err(e) => {
                        tracing::warn!(%lang, error = %e, "could not rebuild the recognizer; keeping the previous one")
                    }
                }
                // Do not retry the same version on every poll.
                self.grammar_fp.insert(lang, fp);
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "knowledge base not readable"),
        }
    }

    fn set_language(&mut self, code: &str) {
        match code.parse::<Lang>() {
            Ok(l) if l != self.lang => {
                tracing::info!(lang = %l, "recognition language");
                let mut heard = Vec::new();
                let rec = self.recognizers.get_mut(&self.lang);
                self.listener
                    .abort(rec.map(|r| &mut **r as &mut dyn Recognizer), &mut heard);
                if let Err(e) = self.publish_heard(heard) {
                    tracing::error!(error = %e, "could not publish the tracked voices");
                }
                self.lang = l;
                let _ = self.recognizer();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "ignored /dialog/language"),
        }
    }

    fn on_info(&mut self, info: &AudioInfo) {
        let format = Format {
            rate: info.sample_rate,
            channels: u16::from(info.channels),
            s16le: info.sample_format.eq_ignore_ascii_case("S16LE")
                && (info.coding_format.is_empty()
                    || info.coding_format.eq_ignore_ascii_case("wave")),
        };
        if !format.s16le || format.channels == 0 || !(4_000..=384_000).contains(&format.rate) {
            tracing::warn!(?info, "audio format not supported (need S16LE PCM, 1-8 channels, 4-384 kHz): audio ignored until it changes");
        } else if format != self.format {
            tracing::info!(
                rate = format.rate,
                channels = format.channels,
                "audio format"
            );
        }
        self.format = format;
    }

    fn on_status(&mut self, s: &SpeechStatus) {
        self.listener.robot_speaking(s.speaking);
    }

    /// One message of `/audio/audio`: decoded, checked, resampled and processed.
    fn on_audio(&mut self, msg: &AudioDataStamped) -> Result<(), NodesError> {
        let f = self.format;
        if !f.s16le || f.channels == 0 || !(4_000..=384_000).contains(&f.rate) {
            self.warn_once("format", "unsupported audio format");
            return Ok(());
        }
        let data = &msg.audio.data;
        if !data.len().is_multiple_of(2) {
            self.warn_once(
                "odd",
                "a chunk with an odd byte count (trailing byte ignored)",
            );
        }
        let pcm = msg.to_s16le();
        let frames = pcm.len() / usize::from(f.channels);
        if frames * usize::from(f.channels) != pcm.len() {
            self.warn_once(
                "frames",
                "a chunk that is not whole frames (partial frame ignored)",
            );
        }
        let samples = i16_to_f32(&pcm[..frames * usize::from(f.channels)]);
        let mono = if f.channels == 1 {
            samples
        } else {
            match downmix(&samples, f.channels) {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "audio dropped");
                    return Ok(());
                }
            }
        };
        self.feed(mono, f.rate)
    }

    /// Audio at `rate`, any length, through the listener (`letan_speech::listen`).
    fn feed(&mut self, mono: Vec<f32>, rate: u32) -> Result<(), NodesError> {
        let _ = self.recognizer();
        let rec = self.recognizers.get_mut(&self.lang);
        match self
            .listener
            .feed(mono, rate, rec.map(|r| &mut **r as &mut dyn Recognizer))
        {
            Ok(heard) => self.publish_heard(heard),
            Err(e) => {
                tracing::warn!(error = %e, "audio dropped");
                Ok(())
            }
        }
    }

    /// Publishes what the listener heard, in order.
    fn publish_heard(&mut self, heard: Vec<Heard>) -> Result<(), NodesError> {
        for h in heard {
            match h {
                Heard::BargeIn => {
                    tracing::info!("barge-in: the citizen talks over the robot; stopping speech");
                    self.stop.publish(Empty {})?;
                }
                Heard::Tracked(on) => self.set_tracked(on)?,
                Heard::Partial(text) => self.publish(&text, 0.0, false, self.clock.seconds())?,
                Heard::Final { transcript, ago_s } => {
                    let t = &transcript;
                    tracing::info!(text = ?t.text, lang = %t.lang, confidence = t.confidence(), "heard");
                    let at = self.clock.seconds() - ago_s;
                    self.publish(&t.text, t.confidence(), true, at)?;
                }
                Heard::Dropped(why) => tracing::warn!(%why, "utterance dropped"),
            }
        }
        Ok(())
    }

    fn set_tracked(&mut self, on: bool) -> Result<(), NodesError> {
        if self.tracked != on {
            self.tracked = on;
            let now = self.clock.seconds();
            self.tracked_pub.publish(IdsList {
                header: self.header(now),
                ids: if on {
                    vec![self.params.voice_id.clone()]
                } else {
                    Vec::new()
                },
            })?;
        }
        Ok(())
    }

    fn publish(
        &self,
        text: &str,
        confidence: f32,
        is_final: bool,
        at: f64,
    ) -> Result<(), NodesError> {
        let lang = self.lang;
        let confidence = if confidence.is_finite() {
            confidence.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.transcript.publish(TranscriptMsg {
            header: self.header(at),
            text: text.to_string(),
            language: lang.code().to_string(),
            confidence,
            is_final,
            source: TranscriptMsg::SOURCE_ASR.to_string(),
        })?;
        self.speech_pub.publish(LiveSpeech {
            header: self.header(at),
            incremental: if is_final {
                String::new()
            } else {
                text.to_string()
            },
            r#final: if is_final {
                text.to_string()
            } else {
                String::new()
            },
            confidence: f64::from(confidence),
            locale: match lang {
                Lang::Vi => "vi_VN",
                Lang::En => "en_US",
            }
            .to_string(),
        })?;
        Ok(())
    }

    /// End of input (a WAV file played out): close an open utterance.
    fn finish_stream(&mut self) -> Result<(), NodesError> {
        let rec = self.recognizers.get_mut(&self.lang);
        let heard = self
            .listener
            .finish(rec.map(|r| &mut **r as &mut dyn Recognizer));
        self.publish_heard(heard)
    }
}

/// Run the ASR node with recognizers from `factory` (one per language, made when first needed,
/// no grammar) until `shutdown`.
pub async fn run_with(
    ctx: Context,
    args: NodeArgs,
    factory: RecognizerFactory,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_inner(
        ctx,
        args,
        Some(Box::new(FactoryEngine(factory))),
        Some(None),
        shutdown,
    )
    .await
}

/// Run the ASR node with `engine` and, for closed-set decoding, `phrases` (`None`: no grammar)
/// until `shutdown`.
pub async fn run_with_engine(
    ctx: Context,
    args: NodeArgs,
    engine: Box<dyn AsrEngine>,
    phrases: Option<Box<dyn PhraseSource>>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_inner(ctx, args, Some(engine), Some(phrases), shutdown).await
}

/// `engine`/`phrases` `None`: the defaults ([`default_engine`], the knowledge base's phrases
/// when `grammar.enabled`).
async fn run_inner(
    ctx: Context,
    args: NodeArgs,
    engine: Option<Box<dyn AsrEngine>>,
    phrases: Option<Option<Box<dyn PhraseSource>>>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<AsrParams>(&ctx, &args, "asr", AsrParams::validate)?;
    let lang = params
        .language
        .parse::<Lang>()
        .map_err(|e| NodesError::node(&node, e))?;
    let listener = Listener::new(&ListenConfig {
        endpoint: params.endpoint.clone(),
        barge_in: params.barge_in,
        barge_in_ms: params.barge_in_ms,
        echo_tail_ms: params.echo_tail_ms,
        publish_partials: params.publish_partials,
        history_s: 4,
    })
    .map_err(|e| NodesError::node(&node, e))?;
    // The WAV file is read at start: a missing or bad file is a start-up error naming it.
    let wav = if params.wav_file.is_empty() {
        None
    } else {
        let path = PathBuf::from(&params.wav_file);
        let audio = letan_speech::wav::read_wav(&path)
            .map_err(|e| NodesError::node(&node, format!("wav_file: {e}")))?;
        tracing::info!(file = %path.display(), seconds = audio.duration_s(), "listening to a WAV file");
        Some(audio)
    };
    let audio_sub = node
        .subscribe::<AudioDataStamped>(&params.topics.audio, Qos::sensor_data().with_depth(100))?;
    let info_sub = node.subscribe::<AudioInfo>(&params.topics.audio_info, Qos::latched())?;
    let status_sub = node.subscribe::<SpeechStatus>(&params.topics.tts_status, Qos::commands())?;
    let lang_sub = node.subscribe::<StringMsg>(&params.topics.language, Qos::commands())?;
    let speech_topic = format!(
        "{}/{}/speech",
        params.topics.voices_prefix.trim_end_matches('/'),
        params.voice_id
    );
    let mut asr = Asr {
        format: Format {
            rate: params.input_sample_rate,
            channels: u16::from(params.input_channels),
            s16le: true,
        },
        listener,
        lang,
        engine: engine.unwrap_or_else(|| default_engine(&params)),
        phrases: match phrases {
            Some(p) => p,
            None if params.grammar.enabled => {
                let dir = (!params.grammar.kb_dir.trim().is_empty()).then(|| {
                    crate::common::resolve(&crate::common::repo_root(), &params.grammar.kb_dir)
                });
                Some(Box::new(KbPhrases::new(dir)) as Box<dyn PhraseSource>)
            }
            None => None,
        },
        grammar_fp: HashMap::new(),
        recognizers: HashMap::new(),
        reported: Vec::new(),
        tracked: false,
        warned: Vec::new(),
        transcript: node.publisher(&params.topics.transcript, Qos::commands())?,
        stop: node.publisher(&params.topics.tts_stop, Qos::commands())?,
        tracked_pub: node.publisher(&params.topics.voices_tracked, Qos::commands())?,
        speech_pub: node.publisher(&speech_topic, Qos::commands())?,
        clock: node.clock(),
        params,
    };
    // Load (or report the lack of) the recognizer now, not at the first word.
    let _ = asr.recognizer();

    let clock = node.clock();
    let mut wav_rate = wav
        .as_ref()
        .map(|_| Rate::new(clock.clone(), 1000.0 / f64::from(asr.params.input_chunk_ms)));
    let mut wav_pos = 0usize;
    let mut wav_done = wav.is_none();
    let mut reload = Rate::new(clock.clone(), 1.0 / asr.params.grammar.reload_period_s);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            _ = reload.tick() => asr.check_phrases(),
            Some(info) = info_sub.recv() => asr.on_info(&info),
            Some(s) = status_sub.recv() => asr.on_status(&s),
            Some(l) = lang_sub.recv() => asr.set_language(&l.data),
            Some(a) = audio_sub.recv(), if wav.is_none() => asr.on_audio(&a)?,
            _ = async {
                match wav_rate.as_mut() {
                    Some(r) if !wav_done => r.tick().await,
                    _ => std::future::pending().await,
                }
            } => {
                if let Some(w) = wav.as_ref() {
                    let n = (u64::from(w.sample_rate) * u64::from(asr.params.input_chunk_ms) / 1000)
                        .max(1) as usize;
                    let end = (wav_pos + n).min(w.samples.len());
                    let chunk = w.samples[wav_pos.min(end)..end].to_vec();
                    wav_pos = end;
                    asr.feed(chunk, w.sample_rate)?;
                    if wav_pos >= w.samples.len() {
                        wav_done = true;
                        asr.finish_stream()?;
                        tracing::info!("WAV file done");
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_by_key() {
        assert!(AsrParams::default().validate().is_ok());
        let bad = AsrParams {
            voice_id: "a/b".into(),
            ..AsrParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("voice_id"));
        let bad = AsrParams {
            barge_in_ms: 10,
            ..AsrParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("barge_in_ms"));
        let mut bad = AsrParams::default();
        bad.endpoint.trailing_silence_ms = 50;
        assert!(bad.validate().unwrap_err().contains("trailing_silence_ms"));
        let bad = AsrParams {
            language: "fr".into(),
            ..AsrParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("language"));
    }

    #[test]
    fn kb_phrases_cover_examples_places_counters_yes_no_and_politeness() {
        let kb = letan_nlu::Kb::embedded().unwrap();
        let vi = kb_phrases(&kb, Lang::Vi);
        let en = kb_phrases(&kb, Lang::En);
        for p in [
            "quầy số năm",
            "quầy số mười hai",
            "vâng",
            "không phải",
            "cảm ơn",
        ] {
            assert!(vi.iter().any(|x| x == p), "vi lacks {p:?}");
        }
        for p in ["counter five", "yes", "thank you"] {
            assert!(en.iter().any(|x| x == p), "en lacks {p:?}");
        }
        // Examples are sorted by language: no Vietnamese example in the English list.
        assert!(
            en.iter().all(|p| !p.contains('ở')),
            "a Vietnamese phrase in en"
        );
        assert!(
            vi.len() > 200 && en.len() > 50,
            "{} / {}",
            vi.len(),
            en.len()
        );
        assert_eq!(number_words(Lang::Vi, 21), "hai mươi mốt");
        assert_eq!(number_words(Lang::Vi, 14), "mười bốn");
        assert_eq!(number_words(Lang::En, 12), "twelve");
    }

    #[test]
    fn kb_phrases_fingerprint_follows_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
        for (name, text) in letan_nlu::kb::read_dir_files(&src).unwrap() {
            let p = dir.path().join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut s = KbPhrases::new(Some(dir.path().to_path_buf()));
        let (a, fp) = s.phrases(Lang::Vi).unwrap();
        assert_eq!(s.fingerprint().unwrap(), fp);
        let places = dir.path().join("places.yaml");
        let text = std::fs::read_to_string(&places).unwrap();
        std::fs::write(&places, format!("{text}\n# edited\n")).unwrap();
        assert_ne!(s.fingerprint().unwrap(), fp);
        let (b, _) = s.phrases(Lang::Vi).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn missing_model_reason_names_model_paths_and_fetch() {
        let dir = std::env::temp_dir().join(format!("letan-asr-nomodel-{}", std::process::id()));
        let paths = letan_models::SearchPaths {
            roots: vec![dir.clone()],
        };
        let r = no_vosk_reason(Lang::Vi, &paths);
        assert!(r.contains("vosk-model-small-vn-0.4"), "{r}");
        assert!(r.contains(&dir.display().to_string()), "{r}");
        assert!(
            r.contains("letan models fetch vosk-model-small-vn-0.4"),
            "{r}"
        );
        assert!(r.contains("feature `vosk`"), "{r}");
    }
}
