//! `letan`: the command line of the Letan reception robot.
//!
//! Each subcommand lives in `cmd/<name>.rs` and keeps its logic in the domain crate it fronts.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "letan",
    version,
    about = "Letan reception robot: tools, nodes and simulation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print version and build information.
    Info,
    // Add one variant per subcommand below this line.
    // @variants
    Action(cmd::action::Args),
    /// Run a ROS 2 YAML launch file as supervised processes (like `ros2 launch`); --dry-run prints them.
    Launch(cmd::launch::Args),
    /// The whole robot in the simulated lobby: simulator, every node, console and screen, a scenario.
    Sim(cmd::sim::Args),
    /// Run one node as its own process over DDS (like `ros2 run letan <exec>`).
    Run(cmd::run::Args),
    /// Ask the robot: intent, slots, confidence and answer for one utterance.
    Ask(cmd::ask::Args),
    /// Intent router: `--jsonl` on stdin, or `eval <tsv>`.
    Nlu(cmd::nlu::Args),
    /// Knowledge base: `check` reports every error with file and line.
    Kb(cmd::kb::Args),
    /// Faces: detect in images (JSON lines), evaluate on the test images, benchmark detectors.
    Faces(cmd::faces::Args),
    /// Operator web console: serve (or --demo with a fake robot), add-user.
    Console(cmd::console::Args),
    /// The fleet on Eclipse Zenoh: the operations hub (serve, demo, add-user, backup, restore).
    Fleet(cmd::fleet::Args),
    /// Keyboard teleop in the terminal over DDS (like teleop_twist_keyboard).
    Teleop(cmd::teleop::Args),
    /// Model manifest: check what is installed, fetch from upstream with sha256 verification.
    Models(cmd::models::Args),
    /// Speech: synthesize text to WAV (espeak-ng/Piper), transcribe WAV (Vosk).
    Speech(cmd::speech::Args),
    /// Inspect and publish topics on the ROS 2 graph (like `ros2 topic`).
    Topic(cmd::topic::Args),
    /// Inspect nodes on the ROS 2 graph (like `ros2 node`).
    Node(cmd::node::Args),
}

/// The ROS 2 distribution whose message definitions Letan speaks (`letan-msgs`, and ros2-client's
/// `jazzy` feature).
const ROS_DISTRO: &str = "jazzy";

/// Warnings and errors, less one rustdds warning that is not a fault: it warns on every UDP
/// datagram over 1,500 bytes (`Message size = N`), which any scan, path or map sample is. The
/// kernel fragments such datagrams; DDS-level fragmentation takes over above 64 KiB. `LETAN_LOG`
/// replaces the whole filter.
const DEFAULT_LOG: &str = "warn,rustdds::network::udp_sender=error";

fn main() -> anyhow::Result<()> {
    // A sourced ROS 2 environment sets ROS_DISTRO, and ros2-client warns when it is missing. Letan
    // needs no ROS install, so when nothing set it we declare the distribution it was built for,
    // here, before any thread exists (changing the environment later would race other threads). A
    // value that someone did set is kept, and ros2-client says if it differs from the build.
    if std::env::var_os("ROS_DISTRO").is_none() {
        std::env::set_var("ROS_DISTRO", ROS_DISTRO);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LETAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG)),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Info => {
            println!("letan {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        // Add one match arm per subcommand below this line.
        // @arms
        Command::Action(a) => cmd::action::run(a),
        Command::Launch(a) => cmd::launch::run(a),
        Command::Sim(a) => cmd::sim::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Ask(a) => cmd::ask::run(a),
        Command::Nlu(a) => cmd::nlu::run(a),
        Command::Kb(a) => cmd::kb::run(a),
        Command::Faces(a) => cmd::faces::run(a),
        Command::Console(a) => cmd::console::run(a),
        Command::Fleet(a) => cmd::fleet::run(a),
        Command::Teleop(a) => cmd::teleop::run(a),
        Command::Models(a) => cmd::models::run(a),
        Command::Speech(a) => cmd::speech::run(a),
        Command::Topic(a) => cmd::topic::run(a),
        Command::Node(a) => cmd::node::run(a),
    }
}
