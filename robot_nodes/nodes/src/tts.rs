//! The TTS node: say requests → sentence-by-sentence synthesis → audio chunks paced in playback
//! time, with start/end status. Queueing, priorities, interruption and the phrase cache are
//! `letan_speech::turn`; the voices are `letan-speech`'s (Piper with feature `piper` and an
//! installed voice, else espeak-ng).
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/tts/say` | letan_interfaces/SayRequest (`priority` 1 = high: preempts a normal request; `interrupt`: stop now, drop queued normal requests) |
//! | in | `/tts/stop` | std_msgs/Empty: stop now and drop everything queued (barge-in, console) |
//! | in | `/dialog/language` | std_msgs/String `"vi"`/`"en"`: language of requests whose `language` is `""` |
//! | out | `/tts/status` | letan_interfaces/SpeechStatus: `speaking: true` when an utterance (one request) starts, `false` when it ends (stamp = start + audio duration) or is stopped |
//! | out | `/tts/audio` | audio_common_msgs/AudioDataStamped: mono S16LE at `output_sample_rate`, `chunk_ms` chunks published at their playback time in the node clock (sim time works) |
//! | out | `/tts/audio_info` | audio_common_msgs/AudioInfo, latched: the format of `/tts/audio` |
//! | out | `/tts/ready` | std_msgs/Header, latched: `stamp` = when this process began to take `/tts/say` requests (node clock). A new stamp is a new process, which never got what was sent before it: the dialog sends again what it had asked and not heard end |
//!
//! Synthesis runs on the node's task, one sentence at a time (espeak-ng: ~10–30 ms a sentence),
//! so the first sentence plays while the rest of a long answer is not yet synthesized.
use crate::common::{start, NodeArgs, NodesError};
use letan_msgs::audio_common_msgs::{AudioDataStamped, AudioInfo};
use letan_msgs::letan_interfaces::{SayRequest as SayMsg, SpeechStatus};
use letan_msgs::std_msgs::{Empty, Header, StringMsg};
use letan_speech::turn::{Chunk, PhraseCache, Priority, QueueEvent, SayQueue, SayRequest};
use letan_speech::{
    Audio, EspeakConfig, EspeakSynthesizer, FallbackSynthesizer, Lang, SpeechError, Synthesizer,
};
use letan_transport::{secs_to_time, Clock, Context, Publisher, Qos};
use serde::Deserialize;
use std::future::Future;

/// Topic names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TtsTopics {
    pub say: String,
    pub stop: String,
    pub language: String,
    pub status: String,
    pub audio: String,
    pub audio_info: String,
    pub ready: String,
}

impl Default for TtsTopics {
    fn default() -> Self {
        Self {
            say: "/tts/say".into(),
            stop: "/tts/stop".into(),
            language: "/dialog/language".into(),
            status: "/tts/status".into(),
            audio: "/tts/audio".into(),
            audio_info: "/tts/audio_info".into(),
            ready: "/tts/ready".into(),
        }
    }
}

/// Which voice engine to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceChoice {
    /// Piper where this build has it and the voice is installed, else espeak-ng.
    Auto,
    /// espeak-ng only.
    Espeak,
    /// Piper required (start fails if the build or a voice lacks it).
    Piper,
}

/// The TTS node's `ros__parameters`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TtsParams {
    pub topics: TtsTopics,
    /// `auto`, `espeak` or `piper`.
    pub voice: VoiceChoice,
    /// espeak-ng voice (speed, pitch, voices for vi/en).
    pub espeak: EspeakConfig,
    /// Piper: >1 speaks slower (used with feature `piper`).
    pub piper_length_scale: f32,
    /// Language of requests that name none, until `/dialog/language` says otherwise.
    pub default_language: String,
    /// Rate of `/tts/audio`, Hz (all voices are resampled to it).
    pub output_sample_rate: u32,
    /// Length of one `/tts/audio` chunk, ms.
    pub chunk_ms: u32,
    /// Silence between the sentences of one request, ms.
    pub sentence_pause_ms: u32,
    /// Requests that may wait behind the one being spoken.
    pub max_queued: usize,
    /// Sentences kept synthesized (greetings and other frequent phrases); 0 = no cache.
    pub cache_capacity: usize,
    /// Only sentences up to this many characters are cached.
    pub cache_max_chars: usize,
    /// `frame_id` of the audio and status headers.
    pub frame_id: String,
    /// Log a language whose Piper voice is not installed (espeak-ng speaks it) at WARN. The
    /// simulator's overrides set `false`: on a developer's machine that is expected, and the line
    /// is then at INFO, so a clean `letan sim` prints no warning.
    pub missing_voice_warns: bool,
}

impl Default for TtsParams {
    fn default() -> Self {
        Self {
            topics: TtsTopics::default(),
            voice: VoiceChoice::Auto,
            espeak: EspeakConfig::default(),
            piper_length_scale: 1.15,
            default_language: "vi".into(),
            output_sample_rate: 22_050,
            chunk_ms: 100,
            sentence_pause_ms: 250,
            max_queued: 8,
            cache_capacity: 32,
            cache_max_chars: 80,
            frame_id: "speaker".into(),
            missing_voice_warns: true,
        }
    }
}

impl TtsParams {
    /// Checks every value once, at start; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        self.espeak.validate().map_err(|e| format!("espeak.{e}"))?;
        if !(self.piper_length_scale.is_finite() && (0.3..=3.0).contains(&self.piper_length_scale))
        {
            return Err(format!(
                "key `piper_length_scale` = {}: must be within [0.3, 3]",
                self.piper_length_scale
            ));
        }
        self.default_language
            .parse::<Lang>()
            .map_err(|e| format!("key `default_language`: {e}"))?;
        if !(8_000..=48_000).contains(&self.output_sample_rate) {
            return Err(format!(
                "key `output_sample_rate` = {}: must be within [8000, 48000] Hz",
                self.output_sample_rate
            ));
        }
        if !(10..=1_000).contains(&self.chunk_ms) {
            return Err(format!(
                "key `chunk_ms` = {}: must be within [10, 1000]",
                self.chunk_ms
            ));
        }
        if self.sentence_pause_ms > 3_000 {
            return Err(format!(
                "key `sentence_pause_ms` = {}: must be at most 3000",
                self.sentence_pause_ms
            ));
        }
        if !(1..=256).contains(&self.max_queued) {
            return Err(format!(
                "key `max_queued` = {}: must be within [1, 256]",
                self.max_queued
            ));
        }
        if self.cache_capacity > 10_000 {
            return Err(format!(
                "key `cache_capacity` = {}: must be at most 10000",
                self.cache_capacity
            ));
        }
        Ok(())
    }
}

/// A voice for every language.
pub type Voice = Box<dyn Synthesizer + Send>;
/// Which engine speaks each language.
pub type VoiceReport = Vec<(Lang, String)>;

/// The voices for the `tts` executable: Piper (feature `piper`, voice installed) in front of
/// espeak-ng. espeak-ng missing is an error unless Piper speaks both languages.
pub fn build_voice(params: &TtsParams) -> Result<Box<dyn Synthesizer + Send>, String> {
    build_voice_with_report(params).map(|(v, _)| v)
}

/// [`build_voice`], also saying which engine speaks each language (`"piper en_US-joe-medium"`,
/// `"espeak-ng"`). One log line says the same; a language without a Piper voice says why.
pub fn build_voice_with_report(params: &TtsParams) -> Result<(Voice, VoiceReport), String> {
    let espeak = EspeakSynthesizer::new(params.espeak.clone()).map_err(|e| e.to_string())?;
    let espeak_ok = match espeak.probe() {
        Ok(version) => {
            tracing::info!(%version, "espeak-ng found");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    };
    let mut primaries: Vec<Box<dyn Synthesizer + Send>> = Vec::new();
    let mut report: Vec<(Lang, String)> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for lang in [Lang::Vi, Lang::En] {
        if params.voice == VoiceChoice::Espeak {
            report.push((lang, "espeak-ng".into()));
            continue;
        }
        match piper_voice(lang, params) {
            Ok((v, name)) => {
                report.push((lang, format!("piper {name}")));
                primaries.push(v);
            }
            Err(e) if params.voice == VoiceChoice::Piper => {
                return Err(format!("voice: piper for {lang}: {e}"))
            }
            Err(e) => {
                report.push((lang, "espeak-ng".into()));
                missing.push(format!("{lang}: {e}"));
            }
        }
    }
    if let Err(e) = espeak_ok {
        if primaries.len() < 2 {
            return Err(format!(
                "no voice for every language: {e} (espeak-ng is the voice that must always be there)"
            ));
        }
        tracing::warn!(reason = %e, "espeak-ng missing: Piper only, no fallback voice");
    }
    let voices = report
        .iter()
        .map(|(l, v)| format!("{l} = {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    if missing.is_empty() {
        tracing::info!(%voices, "voices");
    } else if params.missing_voice_warns {
        tracing::warn!(%voices, no_piper = %missing.join("; "), "voices: espeak-ng speaks where no Piper voice is installed");
    } else {
        tracing::info!(%voices, no_piper = %missing.join("; "), "voices: espeak-ng speaks where no Piper voice is installed");
    }
    let mut voice = FallbackSynthesizer::new(Box::new(espeak));
    for p in primaries {
        voice = voice.with_primary(p);
    }
    Ok((Box::new(FallbackVoice(voice)), report))
}

#[cfg(feature = "piper")]
fn piper_voice(
    lang: Lang,
    params: &TtsParams,
) -> Result<(Box<dyn Synthesizer + Send>, String), String> {
    use letan_speech::native::{deps_dir, onnxruntime_candidates, DEPS_ENV, ORT_ENV};
    use letan_speech::piper::{PiperConfig, PiperSynthesizer};
    let manifest = letan_models::Manifest::builtin().map_err(|e| e.to_string())?;
    let paths = letan_models::SearchPaths::from_process_env();
    let cwd = std::env::current_dir().ok();
    let ort = onnxruntime_candidates(
        std::env::var_os(ORT_ENV),
        &deps_dir(std::env::var_os(DEPS_ENV), cwd.as_deref()),
    );
    let cfg = PiperConfig {
        length_scale: params.piper_length_scale,
    };
    PiperSynthesizer::locate(lang, &manifest, &paths, &ort, cfg)
        .map(|p| {
            let name = p.voice().to_string();
            (Box::new(p) as Box<dyn Synthesizer + Send>, name)
        })
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "piper"))]
fn piper_voice(
    _lang: Lang,
    _params: &TtsParams,
) -> Result<(Box<dyn Synthesizer + Send>, String), String> {
    Err("this build has no Piper (build letan-nodes with feature `piper`)".into())
}

/// [`FallbackSynthesizer`] as a [`Synthesizer`].
struct FallbackVoice(FallbackSynthesizer);

impl Synthesizer for FallbackVoice {
    fn name(&self) -> &'static str {
        "voice"
    }
    fn supports(&self, _lang: Lang) -> bool {
        true
    }
    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
        self.0.speak(text, lang).map(|(a, _engine)| a)
    }
}

/// Run the TTS node with the real voices until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_inner(ctx, args, None, shutdown).await
}

/// Run the TTS node with the given synthesizer (a fake, in tests) until `shutdown`.
pub async fn run_with(
    ctx: Context,
    args: NodeArgs,
    voice: Box<dyn Synthesizer + Send>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_inner(ctx, args, Some(voice), shutdown).await
}

/// The utterance being played: one request, sentence after sentence.
struct Playing {
    utterance_id: u32,
    request: u64,
    /// What the request says, in which language, and the caller's id, echoed in the status.
    said: Said,
    /// The sentence being played (mono i16 at the output rate), its start time and how much of it
    /// was published.
    samples: Vec<i16>,
    start: f64,
    emitted: usize,
    last: bool,
}

/// A request taken: its full text, its language and the caller's id (`SayRequest.id`).
#[derive(Debug, Clone)]
struct Said {
    text: String,
    lang: Lang,
    caller_id: String,
}

/// How far back a request taken before sim time started may date this process's start (s).
const READY_EARLY_S: f64 = 5.0;

/// The `/tts/ready` stamp: `now`, the first time this process can read its clock, or the stamp of
/// the earliest request it took before then (within [`READY_EARLY_S`], not ahead of `now`): on
/// sim time nothing can be read before the first `/clock`, yet requests are taken from the start,
/// and the dialog must not count one this process has as lost.
fn ready_stamp(now: f64, early: &[f64]) -> f64 {
    early
        .iter()
        .copied()
        .filter(|t| t.is_finite() && *t > 0.0 && *t < now && now - *t <= READY_EARLY_S)
        .fold(now, f64::min)
}

/// Stamps of the requests taken before the `/tts/ready` time was known, at most this many.
const MAX_EARLY: usize = 64;

struct Tts {
    params: TtsParams,
    voice: Box<dyn Synthesizer + Send>,
    queue: SayQueue,
    cache: PhraseCache,
    lang: Lang,
    next_request: u64,
    /// Request id → its full text, language and caller's id, for the status messages.
    texts: std::collections::HashMap<u64, Said>,
    playing: Option<Playing>,
    utterances: u32,
    /// The `/tts/ready` time, once published.
    ready_at: Option<f64>,
    /// Stamps of the requests taken before it was known.
    early: Vec<f64>,
    /// The end of the audio already published (s): what comes next starts no earlier, so that an
    /// interrupted utterance's last chunk never overlaps the next one.
    audio_until: f64,
    clock: Clock,
    status: Publisher<SpeechStatus>,
    audio: Publisher<AudioDataStamped>,
}

impl Tts {
    fn header(&self, at: f64) -> Header {
        Header::new(secs_to_time(at), self.params.frame_id.clone())
    }

    fn publish_status(&self, speaking: bool, at: f64, p: &Playing) -> Result<(), NodesError> {
        self.status.publish(SpeechStatus {
            header: self.header(at),
            speaking,
            text: p.said.text.clone(),
            language: p.said.lang.code().to_string(),
            utterance_id: p.utterance_id,
            request_id: p.said.caller_id.clone(),
        })?;
        Ok(())
    }

    fn on_say(&mut self, msg: SayMsg) {
        if self.ready_at.is_none() && self.early.len() < MAX_EARLY {
            self.early.push(msg.header.stamp.as_secs_f64());
        }
        let lang = if msg.language.trim().is_empty() {
            self.lang
        } else {
            match msg.language.parse::<Lang>() {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(id = ?msg.id, error = %e, fallback = %self.lang, "say request in an unknown language");
                    self.lang
                }
            }
        };
        self.next_request += 1;
        let id = self.next_request;
        let priority = if msg.priority >= SayMsg::PRIORITY_HIGH {
            Priority::Urgent
        } else {
            Priority::Normal
        };
        let req = SayRequest {
            id,
            text: msg.text.clone(),
            lang,
            priority,
        };
        let shown: String = msg.text.chars().take(200).collect();
        tracing::info!(id = ?msg.id, text = ?shown, chars = msg.text.chars().count(), %lang, ?priority, interrupt = msg.interrupt, "say");
        let events = if msg.interrupt {
            self.queue.interrupt_with(req)
        } else {
            self.queue.push(req)
        };
        self.texts.insert(
            id,
            Said {
                text: msg.text,
                lang,
                caller_id: msg.id,
            },
        );
        for ev in events {
            self.on_queue_event(ev);
        }
    }

    fn on_queue_event(&mut self, ev: QueueEvent) {
        match ev {
            QueueEvent::Stop { id, preempted } => {
                if self.playing.as_ref().is_some_and(|p| p.request == id) {
                    self.stop_playing(if preempted { "preempted" } else { "cancelled" });
                }
                self.texts.remove(&id);
            }
            QueueEvent::Refused { id, reason } => {
                let text = self.texts.remove(&id).map(|t| t.text).unwrap_or_default();
                tracing::warn!(text = ?text, %reason, "say request refused");
            }
            other => tracing::debug!(event = ?other, "say queue event"),
        }
    }

    /// Ends the current utterance now (stop, preemption); no more of its audio is published.
    fn stop_playing(&mut self, why: &str) {
        if let Some(p) = self.playing.take() {
            // Audio already published will still play: the utterance ends with it.
            let now = self.clock.seconds().max(self.audio_until);
            tracing::info!(utterance = p.utterance_id, why, "speech stopped");
            if let Err(e) = self.publish_status(false, now, &p) {
                tracing::error!(error = %e, "could not publish the speech status");
            }
            self.texts.remove(&p.request);
        }
    }

    fn on_stop(&mut self) {
        if let Some(ev) = self.queue.clear() {
            self.on_queue_event(ev);
        }
        self.stop_playing("stop requested");
        self.texts.clear();
    }

    /// Synthesizes a sentence (from the cache when it is a frequent one), at the output rate,
    /// with the pause after it unless it is the request's last.
    fn synthesize(&mut self, c: &Chunk) -> Result<Vec<i16>, SpeechError> {
        let rate = self.params.output_sample_rate;
        let voice = &mut self.voice;
        let audio = if self.params.cache_capacity > 0
            && c.text.chars().count() <= self.params.cache_max_chars
        {
            self.cache.get_or_synthesize("voice", c.lang, &c.text, || {
                voice.synthesize(&c.text, c.lang)
            })?
        } else {
            voice.synthesize(&c.text, c.lang)?
        };
        let audio = if audio.sample_rate == rate {
            audio
        } else {
            audio.resampled(rate)?
        };
        let mut pcm = audio.to_i16();
        if !c.last {
            pcm.extend(std::iter::repeat_n(
                0i16,
                (u64::from(rate) * u64::from(self.params.sentence_pause_ms) / 1000) as usize,
            ));
        }
        Ok(pcm)
    }

    /// When something is due next: the next audio chunk, or the end of the sentence.
    fn next_deadline(&self) -> Option<f64> {
        let p = self.playing.as_ref()?;
        let rate = f64::from(self.params.output_sample_rate);
        if p.emitted < p.samples.len() {
            Some(p.start + p.emitted as f64 / rate)
        } else {
            Some(p.start + p.samples.len() as f64 / rate)
        }
    }

    /// Publishes what is due at `now`, moves to the next sentence or request, starts and ends utterances.
    fn pump(&mut self) -> Result<(), NodesError> {
        let rate = f64::from(self.params.output_sample_rate);
        let chunk_len =
            ((u64::from(self.params.output_sample_rate) * u64::from(self.params.chunk_ms)) / 1000)
                .max(1) as usize;
        // On sim time, nothing can be paced before the first /clock message: wait for it.
        if self.clock.is_simulated() && self.clock.seconds() <= 0.0 {
            return Ok(());
        }
        // Bounded: each pass either publishes, finishes a sentence or starts one.
        for _ in 0..10_000 {
            let now = self.clock.seconds();
            let Some(p) = self.playing.as_mut() else {
                // Idle: start the next request, if any.
                let Some(c) = self.queue.next_chunk() else {
                    return Ok(());
                };
                let at = now.max(self.audio_until);
                self.start_sentence(c, at, None);
                continue;
            };
            if p.emitted < p.samples.len() {
                let due = p.start + p.emitted as f64 / rate;
                if due > now + 1e-9 {
                    return Ok(());
                }
                let end = (p.emitted + chunk_len).min(p.samples.len());
                let header = Header::new(secs_to_time(due), self.params.frame_id.clone());
                let msg = AudioDataStamped::from_s16le(header, &p.samples[p.emitted..end]);
                p.emitted = end;
                self.audio_until = p.start + end as f64 / rate;
                self.audio.publish(msg)?;
                continue;
            }
            let end_t = p.start + p.samples.len() as f64 / rate;
            if end_t > now + 1e-9 {
                return Ok(());
            }
            if p.last {
                if let Some(p) = self.playing.take() {
                    tracing::info!(utterance = p.utterance_id, "speech finished");
                    self.publish_status(false, end_t, &p)?;
                    self.texts.remove(&p.request);
                }
                continue;
            }
            // The next sentence of the same request follows without a gap.
            let current = p.request;
            match self.queue.next_chunk() {
                Some(c) if c.id == current => self.start_sentence(c, end_t, Some(current)),
                Some(c) => {
                    // The queue moved on (should not happen while a request is playing): end this one.
                    if let Some(p) = self.playing.take() {
                        self.publish_status(false, end_t, &p)?;
                    }
                    self.start_sentence(c, now, None);
                }
                None => {
                    if let Some(p) = self.playing.take() {
                        self.publish_status(false, end_t, &p)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Synthesizes `c` and makes it the playing sentence from `at`. A failed sentence is skipped
    /// (logged); if it was a request's only or first sentence, the utterance starts with the next.
    fn start_sentence(&mut self, c: Chunk, at: f64, continuing: Option<u64>) {
        let samples = match self.synthesize(&c) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(text = ?c.text, lang = %c.lang, error = %e, "could not synthesize a sentence: skipped");
                Vec::new()
            }
        };
        if let (Some(_), Some(p)) = (continuing, self.playing.as_mut()) {
            p.samples = samples;
            p.start = at;
            p.emitted = 0;
            p.last = c.last;
            return;
        }
        self.utterances = self.utterances.wrapping_add(1).max(1);
        let said = self.texts.get(&c.id).cloned().unwrap_or_else(|| Said {
            text: c.text.clone(),
            lang: c.lang,
            caller_id: String::new(),
        });
        let p = Playing {
            utterance_id: self.utterances,
            request: c.id,
            said,
            samples,
            start: at,
            emitted: 0,
            last: c.last,
        };
        let shown: String = p.said.text.chars().take(200).collect();
        tracing::info!(utterance = p.utterance_id, text = ?shown, lang = %p.said.lang, "speech started");
        if let Err(e) = self.publish_status(true, at, &p) {
            tracing::error!(error = %e, "could not publish the speech status");
        }
        self.playing = Some(p);
    }
}

async fn sleep_until(clock: &Clock, deadline: Option<f64>) {
    match deadline {
        Some(d) => clock.sleep_until(d).await,
        None => std::future::pending().await,
    }
}

async fn run_inner(
    ctx: Context,
    args: NodeArgs,
    voice: Option<Box<dyn Synthesizer + Send>>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<TtsParams>(&ctx, &args, "tts", TtsParams::validate)?;
    let lang = params
        .default_language
        .parse::<Lang>()
        .map_err(|e| NodesError::node(&node, e))?;
    // Subscribe before loading the voices: a Piper voice takes one to a few seconds to load, and
    // requests said meanwhile (a greeting, the operator's "say this") wait in the queue instead of
    // being lost.
    let say = node.subscribe::<SayMsg>(&params.topics.say, Qos::commands().with_depth(50))?;
    let stop = node.subscribe::<Empty>(&params.topics.stop, Qos::commands())?;
    let language = node.subscribe::<StringMsg>(&params.topics.language, Qos::commands())?;
    // Latched: whoever (re)connects learns since when this process takes requests.
    let ready = node.publisher::<Header>(&params.topics.ready, Qos::latched())?;
    let announce = |at: f64, frame: &str| -> Result<f64, NodesError> {
        ready.publish(Header::new(secs_to_time(at), frame.to_string()))?;
        tracing::info!(since = at, "taking say requests");
        Ok(at)
    };
    let clock = node.clock();
    let mut ready_at = None;
    if !(clock.is_simulated() && clock.seconds() <= 0.0) {
        ready_at = Some(announce(clock.seconds(), &params.frame_id)?);
    }
    let voice = match voice {
        Some(v) => v,
        None => {
            // Off the async workers: loading blocks for as long as ONNX Runtime takes.
            let p = params.clone();
            tokio::task::spawn_blocking(move || build_voice(&p))
                .await
                .map_err(|e| NodesError::node(&node, e))?
                .map_err(|e| NodesError::node(&node, e))?
        }
    };
    let status = node.publisher::<SpeechStatus>(&params.topics.status, Qos::commands())?;
    let audio = node.publisher::<AudioDataStamped>(&params.topics.audio, Qos::sensor_data())?;
    let info = node.publisher::<AudioInfo>(&params.topics.audio_info, Qos::latched())?;
    info.publish(AudioInfo {
        channels: 1,
        sample_rate: params.output_sample_rate,
        sample_format: "S16LE".into(),
        bitrate: params.output_sample_rate * 16,
        coding_format: "wave".into(),
    })?;
    let mut tts = Tts {
        queue: SayQueue::new(params.max_queued),
        cache: PhraseCache::new(params.cache_capacity.max(1)),
        params,
        voice,
        lang,
        next_request: 0,
        texts: Default::default(),
        playing: None,
        utterances: 0,
        ready_at,
        early: Vec::new(),
        audio_until: 0.0,
        clock: node.clock(),
        status,
        audio,
    };
    tokio::pin!(shutdown);
    loop {
        if tts.ready_at.is_none() && clock.seconds() > 0.0 {
            // Sim time started: the requests taken so far date the start, then it is announced.
            while let Some(m) = say.try_recv() {
                tts.on_say(m);
            }
            let at = ready_stamp(clock.seconds(), &tts.early);
            tts.ready_at = Some(announce(at, &tts.params.frame_id)?);
            tts.early = Vec::new();
        }
        // Before the first /clock message (sim time), wake as soon as time starts.
        let deadline = if clock.is_simulated() && clock.seconds() <= 0.0 {
            Some(1e-9)
        } else {
            tts.next_deadline()
        };
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            Some(_) = stop.recv() => tts.on_stop(),
            Some(l) = language.recv() => match l.data.parse::<Lang>() {
                Ok(l) => {
                    tracing::info!(lang = %l, "language");
                    tts.lang = l;
                }
                Err(e) => tracing::warn!(error = %e, "ignored /dialog/language"),
            },
            Some(m) = say.recv() => tts.on_say(m),
            _ = sleep_until(&clock, deadline) => {}
        }
        tts.pump()?;
    }
    tts.stop_playing("shutdown");
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_by_key() {
        assert!(TtsParams::default().validate().is_ok());
        let bad = TtsParams {
            chunk_ms: 5,
            ..TtsParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("chunk_ms"));
        let bad = TtsParams {
            default_language: "fr".into(),
            ..TtsParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("default_language"));
        let mut bad = TtsParams::default();
        bad.espeak.words_per_minute = 10;
        assert!(bad.validate().unwrap_err().contains("words_per_minute"));
    }

    #[test]
    fn the_ready_time_goes_back_to_a_request_taken_before_sim_time_started() {
        assert_eq!(ready_stamp(50.0, &[]), 50.0);
        assert_eq!(ready_stamp(50.0, &[49.2, 49.5]), 49.2);
        // Unstamped, from another clock, ahead, or nonsense: not this robot's start.
        assert_eq!(
            ready_stamp(50.0, &[0.0, 3.0, 50.5, f64::NAN, -1.0, 1e12]),
            50.0
        );
    }
}
