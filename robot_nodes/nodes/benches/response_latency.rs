//! Response latency of the whole answer path: a final transcript (the end of the citizen's
//! utterance, as the recognizer or the screen delivers it) → dialog (router, knowledge base, reply)
//! → TTS (espeak-ng, the first sentence synthesized) → the first audio chunk on `/tts/audio`.
//!
//! The dialog and TTS nodes run on the in-process bus with the wall clock, exactly as shipped
//! (their parameter files), the real espeak-ng voice. Each trial is a new question while the robot
//! may still be speaking the last answer (the transcript comes from the recognizer, so it stops that
//! speech first, as a citizen talking over the robot does). A request for a staff member is left out:
//! the robot then stays quiet for the staff member (the dialog's handover).
//!
//! `cargo bench -p letan-nodes --bench response_latency` (prints median, p90 and max over the questions).
#![allow(clippy::disallowed_methods)] // a bench measures wall time
use letan_msgs::audio_common_msgs::AudioDataStamped;
use letan_msgs::letan_interfaces::{DialogState, Transcript};
use letan_nodes::NodeArgs;
use letan_transport::{Context, Qos};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const QUESTIONS: &[&str] = &[
    "con tôi mới sinh thì phải làm giấy gì",
    "làm căn cước công dân cần mang gì",
    "ở đây có wifi không",
    "tôi muốn in tài liệu",
    "chứng thực bản sao ở đâu",
    "lấy số thứ tự ở đâu",
    "đăng ký tạm trú cần giấy tờ gì",
    "quầy số bảy ở đâu",
    "how do I get a queue number",
    "is there free wifi here",
    "where is the restroom",
    "hướng dẫn cài vneid giúp tôi",
    "đăng ký kết hôn thì làm thế nào",
    "nhà vệ sinh ở đâu vậy",
    "còn lệ phí thì sao",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a short smoke.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let ctx = Context::bus();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for (exec, params) in [
            ("dialog", repo().join("robot_nodes/dialog/config/dialog.yaml")),
            ("tts", repo().join("launch/params/tts.yaml")),
        ] {
            let args = NodeArgs {
                params_files: vec![params],
                ..NodeArgs::default()
            };
            let (ctx, mut rx) = (ctx.clone(), stop_rx.clone());
            tasks.push(tokio::spawn(async move {
                letan_nodes::run(exec, ctx, args, async move {
                    let _ = rx.wait_for(|s| *s).await;
                })
                .await
                .expect("node runs");
            }));
        }
        let test = ctx.node("bench", "/").expect("node");
        let say = test
            .publisher::<Transcript>("/speech/transcript", Qos::commands())
            .expect("pub");
        let audio = test
            .subscribe::<AudioDataStamped>("/tts/audio", Qos::sensor_data().with_depth(10_000))
            .expect("sub");
        let state = test
            .subscribe::<DialogState>("/dialog/state", Qos::commands().with_depth(100))
            .expect("sub");
        // The dialog trains its router at start: wait until it publishes its state.
        tokio::time::timeout(Duration::from_secs(120), state.recv())
            .await
            .expect("dialog up")
            .expect("state");
        let rounds = if smoke { 1 } else { 3 };
        let questions: Vec<&str> = if smoke {
            QUESTIONS[..3].to_vec()
        } else {
            QUESTIONS.to_vec()
        };
        let mut ms: Vec<f64> = Vec::new();
        for _ in 0..rounds {
            for q in &questions {
                while audio.try_recv().is_some() {}
                let t0 = Instant::now();
                say.publish(Transcript {
                    text: (*q).to_string(),
                    confidence: 0.9,
                    is_final: true,
                    source: Transcript::SOURCE_ASR.into(),
                    ..Transcript::default()
                })
                .expect("publish");
                let first = tokio::time::timeout(Duration::from_secs(10), audio.recv()).await;
                match first {
                    Ok(Some(_)) => {
                        let t = t0.elapsed().as_secs_f64() * 1e3;
                        if t > 1000.0 {
                            eprintln!("slow: {t:.0} ms for {q:?}");
                        }
                        ms.push(t);
                    }
                    _ => eprintln!("no audio within 10 s for {q:?}"),
                }
                // Let a little of the answer play, as a citizen would before the next question.
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        let _ = stop_tx.send(true);
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
        ms.sort_by(f64::total_cmp);
        let pct = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
        assert!(!ms.is_empty(), "no answer was spoken");
        println!(
            "response latency (final transcript → first audio chunk, espeak-ng), {} answers: median {:.0} ms, p90 {:.0} ms, max {:.0} ms",
            ms.len(),
            pct(0.5),
            pct(0.9),
            ms[ms.len() - 1]
        );
    });
}
