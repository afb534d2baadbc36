//! # letan-nodes
//!
//! The thin shell around Letan's pure crates: each module is one ROS 2 node. A node reads its
//! `ros__parameters`, subscribes, calls its pure core with the data and the time, and publishes. Nothing
//! here decides anything a pure crate could decide.
//!
//! Every node runs on any [`letan_transport::Context`]: as its own process over DDS (`letan run <exec>`,
//! started by `letan launch`), or with the others in one process on the in-process bus (`letan sim`).
//!
//! | exec | what it does |
//! |---|---|
//! | `asr` | microphone (or WAV file) → endpointing, mic gate and barge-in → Vosk → `/speech/transcript`, REP-155 voices |
//! | `console` | the robot's topics ↔ `letan-console`'s web server (map, camera, transcript, status; teleop, e-stop, goals, say) |
//! | `dialog` | transcripts, greetings, speech and navigation status → the conversation → `/tts/say`, `/dialog/screen`, `/nav/goal`, `/staff/alert` |
//! | `face` | camera → faces, REP-155 engagement, greet-once policy → `/greeting/greet`, `/cmd_vel_greeting` |
//! | `nav` | odometry, scan → localization (map → odom), people tracker, planner, controller, guide mode → `cmd_vel`, `/plan`, `/nav/guide_status` |
//! | `intent_router` | `transcript` → `letan-nlu` → `intent` and `nlu/answer`; live knowledge-base reload |
//! | `mux` | velocity mux: priorities, timeouts, e-stop lock with heartbeat, limits → `/cmd_vel` |
//! | `tts` | say requests → queue, priorities, interrupt → Piper/espeak-ng → `/tts/audio` paced in playback time, `/tts/status` |
//! | `screen` | `/dialog/screen`, `/dialog/state` ↔ `letan-screen`'s touchscreen page; typed and tapped input → `/speech/transcript` |
//! | `sim` | the headless lobby simulator on the robot's own topics (see [`sim`]) |
pub mod asr;
mod common;
pub mod console;
pub mod dialog;
pub mod faces;
pub mod fleet;
pub mod mux;
pub mod nav;
pub mod router;
pub mod screen;
pub mod sim;
pub mod tts;

pub use common::{NodeArgs, NodesError};

use letan_transport::Context;
use std::future::Future;

/// The executables `letan run` knows, with a one-line description each.
pub const EXECUTABLES: &[(&str, &str)] = &[
    (
        "asr",
        "speech recognition: /audio/audio (or a WAV file) → /speech/transcript, REP-155 voices; mic gated while the robot speaks, barge-in → /tts/stop",
    ),
    (
        "console",
        "operator web console (127.0.0.1): live map, camera, transcript, status; teleop with deadman, e-stop, goals, say this",
    ),
    (
        "dialog",
        "the conversation: greeting, transcripts, answers from the knowledge base, guidance, staff alerts → /tts/say, /dialog/screen, /nav/goal",
    ),
    (
        "face",
        "face detection, tracking, REP-155 engagement and the greet-once policy (camera → /humans/…, /greeting/greet)",
    ),
    (
        "fleet",
        "fleet gateway: the robot on Eclipse Zenoh under letan/<site>/<robot>/… (status, events, KB pushes); hub commands → teleop, e-stop, say, go to",
    ),
    (
        "intent_router",
        "intent router: transcript → intent (with destination, confidence, alternatives) and the spoken answer; live knowledge-base reload",
    ),
    (
        "mux",
        "velocity mux: navigation, greeting, console and keyboard teleop with priorities and timeouts; e-stop",
    ),
    (
        "nav",
        "navigation: particle-filter localization, people from the scan, planner and controller, guide mode → cmd_vel, /plan, map → odom, /nav/guide_status",
    ),
    (
        "screen",
        "citizen touchscreen page (127.0.0.1): answer, documents, QR code, topics, typed questions, call staff → /speech/transcript",
    ),
    (
        "sim",
        "headless lobby simulator serving /clock, /odom, /tf, /scan, /camera and the visitors' words",
    ),
    (
        "tts",
        "text to speech: /tts/say → /tts/audio paced in playback time and /tts/status; priorities, interrupt, /tts/stop",
    ),
];

/// Run the node `exec` until `shutdown` resolves or the node fails.
pub async fn run(
    exec: &str,
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    match exec {
        "asr" => asr::run(ctx, args, shutdown).await,
        "console" => console::run(ctx, args, shutdown).await,
        "dialog" => dialog::run(ctx, args, shutdown).await,
        "face" => faces::run(ctx, args, shutdown).await,
        "fleet" => fleet::run(ctx, args, shutdown).await,
        "intent_router" => router::run(ctx, args, shutdown).await,
        "mux" => mux::run(ctx, args, shutdown).await,
        "nav" => nav::run(ctx, args, shutdown).await,
        "screen" => screen::run(ctx, args, shutdown).await,
        "sim" => sim::run(ctx, args, shutdown).await,
        "tts" => tts::run(ctx, args, shutdown).await,
        other => Err(NodesError::UnknownExecutable {
            exec: other.to_string(),
            known: EXECUTABLES
                .iter()
                .map(|(e, _)| *e)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
