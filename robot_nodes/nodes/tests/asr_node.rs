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
use letan_nodes::asr::RecognizerFactory;
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
        let node = match factory {
            Some(f) => tokio::spawn(letan_nodes::asr::run_with(ctx.clone(), args, f, shutdown)),
            None => tokio::spawn(letan_nodes::run("asr", ctx.clone(), args, shutdown)),
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
