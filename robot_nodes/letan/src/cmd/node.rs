//! `letan node list`: the ROS 2 nodes on the domain, from `ros_discovery_info` (as `ros2 node list`).
use anyhow::{Context as _, Result};
use clap::{Args as ClapArgs, Subcommand};
use letan_transport::Context;
use std::time::Duration;

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    command: NodeCommand,
}

#[derive(Subcommand)]
enum NodeCommand {
    /// List the nodes on the graph.
    List {
        /// Seconds to wait for discovery.
        #[arg(long, default_value_t = 2.0)]
        wait: f64,
    },
}

pub fn run(args: Args) -> Result<()> {
    let NodeCommand::List { wait } = args.command;
    if !(wait.is_finite() && (0.0..1e6).contains(&wait)) {
        anyhow::bail!("--wait must be a number of seconds ≥ 0, got {wait}");
    }
    super::topic::runtime()?.block_on(async move {
        let ctx = Context::dds_from_env().context("joining the ROS 2 domain")?;
        for n in ctx.nodes(Duration::from_secs_f64(wait)).await? {
            println!("{n}");
        }
        Ok(())
    })
}
