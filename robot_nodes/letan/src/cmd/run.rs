//! `letan run <exec>`: run one node as its own process over DDS (what `letan launch` starts), like
//! `ros2 run letan <exec> --ros-args …`. Stops cleanly on SIGINT/SIGTERM.
use anyhow::{anyhow, Context as _, Result};
use clap::Args as ClapArgs;
use letan_nodes::{NodeArgs, EXECUTABLES};
use letan_transport::Context;
use std::path::PathBuf;

#[derive(ClapArgs)]
pub struct Args {
    /// The node to run (`letan run --list` shows them).
    #[arg(required_unless_present = "list")]
    exec: Option<String>,
    /// List the executables and exit.
    #[arg(long)]
    list: bool,
    /// Node name (each node has a default).
    #[arg(long)]
    name: Option<String>,
    /// ROS namespace.
    #[arg(long, default_value = "/")]
    namespace: String,
    /// A ROS 2 parameter file (repeatable; later files win).
    #[arg(long = "params-file")]
    params_files: Vec<PathBuf>,
    /// Remap a topic or service: `-r from:=to` (repeatable).
    #[arg(short = 'r', long = "remap")]
    remaps: Vec<String>,
    /// Follow /clock instead of the wall clock.
    #[arg(long)]
    use_sim_time: bool,
}

pub(crate) fn parse_remap(rule: &str) -> Result<(String, String)> {
    let (from, to) = rule
        .split_once(":=")
        .ok_or_else(|| anyhow!("a remap is written from:=to, got {rule:?}"))?;
    if from.is_empty() || to.is_empty() {
        return Err(anyhow!("a remap needs both sides, got {rule:?}"));
    }
    Ok((from.to_string(), to.to_string()))
}

pub fn run(args: Args) -> Result<()> {
    if args.list {
        for (exec, what) in EXECUTABLES {
            println!("{exec:<10} {what}");
        }
        return Ok(());
    }
    let exec = args.exec.unwrap_or_default();
    let node_args = NodeArgs {
        name: args.name,
        namespace: args.namespace,
        params_files: args.params_files,
        remaps: args
            .remaps
            .iter()
            .map(|r| parse_remap(r))
            .collect::<Result<_>>()?,
        use_sim_time: args.use_sim_time,
    };
    // On a worker, not the block_on thread: one thread hand-off less per message received.
    letan_transport::block_on_task(&super::topic::runtime()?, async move {
        let ctx = Context::dds_from_env().context("joining the ROS 2 domain")?;
        letan_nodes::run(&exec, ctx, node_args, letan_transport::shutdown_signal())
            .await
            .with_context(|| format!("node {exec}"))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn remap_rules_parse() {
        assert_eq!(
            parse_remap("cmd_vel:=/cmd_vel_nav").unwrap(),
            ("cmd_vel".into(), "/cmd_vel_nav".into())
        );
        assert!(parse_remap("cmd_vel").is_err());
        assert!(parse_remap(":=x").is_err());
    }
}
