//! One module per subcommand. Each exposes `Args` (clap) and `run(args) -> anyhow::Result<()>`.
// Register new subcommand modules below this line (one `pub mod` line each).
// @mods
pub mod action;
pub mod ask;
pub mod console;
pub mod faces;
pub mod fleet;
pub mod kb;
pub mod launch;
pub mod models;
pub mod nlu;
pub mod node;
pub mod run;
pub mod sim;
pub mod speech;
pub mod teleop;
pub mod topic;
