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
use letan_speech::audio::{downmix, i16_to_f32, sanitize, ASR_SAMPLE_RATE};
use letan_speech::turn::{GateDecision, ListenGate};
use letan_speech::{
    EndpointConfig, EndpointEvent, Endpointer, Lang, Recognition, Recognizer, StreamResampler,
    Transcript,
};
use letan_transport::{Clock, Context, Publisher, Qos, Rate};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::PathBuf;

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

/// The ASR node's `ros__parameters`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AsrParams {
    pub topics: AsrTopics,
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

/// The recognizers of the `asr` executable: Vosk with feature `vosk` (models loaded once per
/// language from the model search paths), else none, with the reason.
pub fn vosk_factory() -> RecognizerFactory {
    #[cfg(feature = "vosk")]
    {
        use letan_speech::vosk::{set_verbose, VoskModel};
        let mut models: HashMap<Lang, VoskModel> = HashMap::new();
        Box::new(move |lang| {
            if let std::collections::hash_map::Entry::Vacant(e) = models.entry(lang) {
                set_verbose(false);
                let manifest = letan_models::Manifest::builtin().map_err(|e| e.to_string())?;
                let paths = letan_models::SearchPaths::from_process_env();
                let m = VoskModel::locate(lang, &manifest, &paths).map_err(|e| e.to_string())?;
                e.insert(m);
            }
            let model = models
                .get(&lang)
                .ok_or_else(|| format!("model for {lang} not loaded"))?;
            model
                .recognizer(None)
                .map(|r| Box::new(r) as Box<dyn Recognizer + Send>)
                .map_err(|e| e.to_string())
        })
    }
    #[cfg(not(feature = "vosk"))]
    {
        Box::new(|lang| {
            Err(no_vosk_reason(
                lang,
                &letan_models::SearchPaths::from_process_env(),
            ))
        })
    }
}

/// Run the ASR node with the real recognizer (Vosk) until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    run_with(ctx, args, vosk_factory(), shutdown).await
}

/// The stream format of `/audio/audio`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Format {
    rate: u32,
    channels: u16,
    s16le: bool,
}

/// Recent 16 kHz audio with absolute sample positions (for pre-roll and barge-in).
struct History {
    buf: VecDeque<i16>,
    /// Absolute position of `buf[0]`.
    start: u64,
    cap: usize,
}

impl History {
    fn end(&self) -> u64 {
        self.start + self.buf.len() as u64
    }
    fn push(&mut self, s: &[f32]) {
        for &x in s {
            self.buf
                .push_back((x.clamp(-1.0, 1.0) * 32767.0).round() as i16);
        }
        while self.buf.len() > self.cap {
            self.buf.pop_front();
            self.start += 1;
        }
    }
    /// Samples `[from, to)`, clamped to what is held.
    fn range(&self, from: u64, to: u64) -> Vec<i16> {
        let from = from.max(self.start);
        let to = to.min(self.end());
        if from >= to {
            return Vec::new();
        }
        self.buf
            .range((from - self.start) as usize..(to - self.start) as usize)
            .copied()
            .collect()
    }
}

struct Asr {
    params: AsrParams,
    clock: Clock,
    format: Format,
    resampler: Option<StreamResampler>,
    endpointer: Endpointer,
    gate: ListenGate,
    history: History,
    lang: Lang,
    factory: RecognizerFactory,
    recognizers: HashMap<Lang, Box<dyn Recognizer + Send>>,
    /// Languages whose missing recognizer was already reported.
    reported: Vec<Lang>,
    /// The open utterance is being fed to the recognizer, up to this position.
    fed_upto: Option<u64>,
    last_partial: String,
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
            match (self.factory)(lang) {
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

    fn set_language(&mut self, code: &str) {
        match code.parse::<Lang>() {
            Ok(l) if l != self.lang => {
                tracing::info!(lang = %l, "recognition language");
                self.abort_utterance();
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
        if format.rate != self.format.rate {
            self.resampler = None;
        }
        self.format = format;
    }

    fn on_status(&mut self, s: &SpeechStatus) {
        if s.speaking {
            self.gate.robot_started();
        } else if self.gate.robot_speaking() {
            self.gate.robot_stopped(self.endpointer.position());
        }
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

    /// Audio at `rate`, any length: to 16 kHz, then through the endpointer and gate in 20 ms steps.
    fn feed(&mut self, mut mono: Vec<f32>, rate: u32) -> Result<(), NodesError> {
        if mono.is_empty() {
            return Ok(());
        }
        sanitize(&mut mono);
        let at16 = if rate == ASR_SAMPLE_RATE {
            mono
        } else {
            if self.resampler.is_none() {
                match StreamResampler::new(rate, ASR_SAMPLE_RATE) {
                    Ok(r) => self.resampler = Some(r),
                    Err(e) => {
                        tracing::warn!(error = %e, "audio dropped");
                        return Ok(());
                    }
                }
            }
            match self.resampler.as_mut() {
                Some(r) => r.process(&mono),
                None => return Ok(()),
            }
        };
        let step = (ASR_SAMPLE_RATE / 50) as usize;
        for piece in at16.chunks(step) {
            self.step(piece)?;
        }
        Ok(())
    }

    fn step(&mut self, piece: &[f32]) -> Result<(), NodesError> {
        self.history.push(piece);
        let events = self.endpointer.push(piece);
        let pos = self.endpointer.position();
        let decision = self.gate.decide(pos, self.endpointer.open_span());
        match decision {
            GateDecision::BargeIn { from_sample } => {
                tracing::info!("barge-in: the citizen talks over the robot; stopping speech");
                self.stop.publish(Empty {})?;
                let pre =
                    u64::from(ASR_SAMPLE_RATE) * u64::from(self.params.endpoint.pre_roll_ms) / 1000;
                self.begin_utterance(from_sample.saturating_sub(pre))?;
            }
            GateDecision::Gated if self.gate.robot_speaking() => {
                // The robot talks: whatever is open is its own voice.
                self.abort_utterance();
            }
            _ => {}
        }
        let gated = matches!(decision, GateDecision::Gated);
        for ev in events {
            match ev {
                EndpointEvent::Start { pre_roll_start, .. }
                    if !gated && self.fed_upto.is_none() =>
                {
                    self.begin_utterance(pre_roll_start)?;
                }
                EndpointEvent::End(seg) => {
                    if let Some(from) = self.fed_upto {
                        self.feed_recognizer(from, seg.decided_at)?;
                        let ended_at = self.clock.seconds()
                            - (self.history.end().saturating_sub(seg.end)) as f64
                                / f64::from(ASR_SAMPLE_RATE);
                        self.end_utterance(ended_at)?;
                    } else {
                        // No recognizer: the voice was still tracked while it spoke.
                        self.set_tracked(false)?;
                    }
                }
                EndpointEvent::Rejected(_) => self.abort_utterance(),
                _ => {}
            }
        }
        if let Some(from) = self.fed_upto {
            self.feed_recognizer(from, self.history.end())?;
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

    fn begin_utterance(&mut self, from: u64) -> Result<(), NodesError> {
        self.set_tracked(true)?;
        self.last_partial.clear();
        if let Some(r) = self.recognizer() {
            r.reset();
            self.fed_upto = Some(from);
        }
        Ok(())
    }

    fn abort_utterance(&mut self) {
        if self.fed_upto.take().is_some() {
            let lang = self.lang;
            if let Some(r) = self.recognizers.get_mut(&lang) {
                r.reset();
            }
        }
        self.last_partial.clear();
        if let Err(e) = self.set_tracked(false) {
            tracing::error!(error = %e, "could not publish the tracked voices");
        }
    }

    fn feed_recognizer(&mut self, from: u64, to: u64) -> Result<(), NodesError> {
        let pcm = self.history.range(from, to);
        self.fed_upto = Some(to.max(from));
        if pcm.is_empty() {
            return Ok(());
        }
        let lang = self.lang;
        let Some(r) = self.recognizers.get_mut(&lang) else {
            return Ok(());
        };
        let result = r.accept_waveform(&pcm);
        match result {
            Ok(Recognition::Partial(text)) => {
                let text = text.trim().to_string();
                if self.params.publish_partials && !text.is_empty() && text != self.last_partial {
                    self.publish(&text, 0.0, false, self.clock.seconds())?;
                    self.last_partial = text;
                }
            }
            Ok(Recognition::Final(t)) => {
                // The engine closed a phrase itself mid-utterance.
                self.publish_final(&t, self.clock.seconds())?;
                self.last_partial.clear();
            }
            Ok(other) => tracing::debug!(?other, "recognition"),
            Err(e) => {
                tracing::warn!(error = %e, "recognizer failed on a chunk: utterance dropped");
                self.abort_utterance();
            }
        }
        Ok(())
    }

    fn end_utterance(&mut self, ended_at: f64) -> Result<(), NodesError> {
        let lang = self.lang;
        self.fed_upto = None;
        if let Some(r) = self.recognizers.get_mut(&lang) {
            match r.finish() {
                Ok(t) => self.publish_final(&t, ended_at)?,
                Err(e) => {
                    tracing::warn!(error = %e, "recognizer failed to finish: utterance dropped")
                }
            }
        }
        self.last_partial.clear();
        self.set_tracked(false)
    }

    fn publish_final(&mut self, t: &Transcript, at: f64) -> Result<(), NodesError> {
        let text = t.text.trim();
        if text.is_empty() {
            return Ok(());
        }
        tracing::info!(text = ?text, lang = %t.lang, confidence = t.confidence(), "heard");
        self.publish(text, t.confidence(), true, at)
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
        for ev in self.endpointer.finish() {
            if let EndpointEvent::End(_) = ev {
                if let Some(from) = self.fed_upto {
                    self.feed_recognizer(from, self.history.end())?;
                    self.end_utterance(self.clock.seconds())?;
                }
            }
        }
        self.abort_utterance();
        Ok(())
    }
}

/// Run the ASR node with recognizers from `factory` (one per language, made when first needed)
/// until `shutdown`.
pub async fn run_with(
    ctx: Context,
    args: NodeArgs,
    factory: RecognizerFactory,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<AsrParams>(&ctx, &args, "asr", AsrParams::validate)?;
    let lang = params
        .language
        .parse::<Lang>()
        .map_err(|e| NodesError::node(&node, e))?;
    let endpointer = Endpointer::new(params.endpoint.clone(), ASR_SAMPLE_RATE)
        .map_err(|e| NodesError::node(&node, e))?;
    let gate = ListenGate::new(
        ASR_SAMPLE_RATE,
        params.barge_in,
        params.barge_in_ms,
        params.echo_tail_ms,
    )
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
        resampler: None,
        endpointer,
        gate,
        history: History {
            buf: VecDeque::new(),
            start: 0,
            cap: ASR_SAMPLE_RATE as usize * 4,
        },
        lang,
        factory,
        recognizers: HashMap::new(),
        reported: Vec::new(),
        fed_upto: None,
        last_partial: String::new(),
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
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
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
    fn history_keeps_positions_and_clamps_ranges() {
        let mut h = History {
            buf: VecDeque::new(),
            start: 0,
            cap: 4,
        };
        h.push(&[0.0, 0.5, 1.0, -1.0, 0.25, 2.0]);
        assert_eq!((h.start, h.end()), (2, 6));
        assert_eq!(h.range(0, 4), vec![32767, -32767]);
        assert_eq!(h.range(5, 100), vec![32767]);
        assert!(h.range(7, 3).is_empty());
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
