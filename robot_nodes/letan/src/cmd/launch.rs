//! `letan launch <file> [name:=value …] [--dry-run]`: run a ROS 2 YAML launch file (the format
//! `ros2 launch` reads) as supervised processes. The logic lives in `letan-launch` (robot_nodes/launch).
use anyhow::{bail, Context as _, Result};
use clap::Args as ClapArgs;
use letan_launch::{LaunchOptions, Outcome, SupervisorConfig, SystemHost};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(ClapArgs)]
pub struct Args {
    /// The launch file, e.g. launch/sim.launch.yaml.
    file: PathBuf,
    /// Launch arguments, `name:=value` (see --show-args).
    #[arg(value_name = "NAME:=VALUE")]
    args: Vec<String>,
    /// Print the resolved process command lines (and generated parameter files) and exit.
    #[arg(long)]
    dry_run: bool,
    /// Print the launch arguments the files declare, with defaults, and exit.
    #[arg(long)]
    show_args: bool,
    /// Seconds a process gets to exit after SIGINT before it is killed.
    #[arg(long, default_value_t = 5.0)]
    stop_timeout: f64,
}

/// The repository root, which `$(find-pkg-share letan)` names: `LETAN_ROOT`, else the folder above the
/// launch file (or the working directory) that holds maps/lobby.yaml.
fn letan_root(file: &Path) -> Result<PathBuf> {
    if let Some(root) = std::env::var_os("LETAN_ROOT") {
        return Ok(PathBuf::from(root));
    }
    let cwd = std::env::current_dir()?;
    file.parent()
        .and_then(letan_nodes::sim::find_repo_root)
        .or_else(|| letan_nodes::sim::find_repo_root(&cwd))
        .with_context(|| {
            format!(
                "cannot find the Letan repository (maps/lobby.yaml) above {} or {}; set LETAN_ROOT",
                file.display(),
                cwd.display()
            )
        })
}

pub fn run(args: Args) -> Result<()> {
    let cli_args = args
        .args
        .iter()
        .map(|a| letan_launch::parse_cli_arg(a).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    if !(args.stop_timeout.is_finite() && (0.0..=3600.0).contains(&args.stop_timeout)) {
        bail!("--stop-timeout must be between 0 and 3600 s");
    }
    let file = args
        .file
        .canonicalize()
        .with_context(|| format!("launch file {}", args.file.display()))?;
    let host = SystemHost {
        letan_root: letan_root(&file)?,
    };
    let letan_exe = std::env::current_exe().context("locating the letan binary")?;
    let generated_dir = std::env::temp_dir().join(format!("letan-launch-{}", std::process::id()));
    let plan = letan_launch::plan(
        &file,
        &LaunchOptions {
            args: cli_args,
            letan_exe,
            host: &host,
            generated_dir: generated_dir.clone(),
        },
    )?;

    if args.show_args {
        for a in &plan.args {
            println!(
                "{} (default {}): {}",
                a.name,
                a.default
                    .as_deref()
                    .map_or("none".into(), |d| format!("{d:?}")),
                a.description.as_deref().unwrap_or("")
            );
        }
        return Ok(());
    }
    if args.dry_run {
        for p in &plan.processes {
            let mut flags = Vec::new();
            if p.respawn {
                flags.push("respawn".to_string());
            }
            if let Some(d) = p.respawn_delay {
                flags.push(format!("respawn_delay {} s", d.as_secs_f64()));
            }
            if p.required {
                flags.push("on_exit: shutdown".to_string());
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!("  # {}", flags.join(", "))
            };
            println!("[{}] {}{flags}", p.label, p.command_line());
        }
        for g in &plan.generated {
            println!("\n# {} (written at launch):", g.path.display());
            for line in g.contents.lines() {
                println!("#   {line}");
            }
        }
        return Ok(());
    }

    plan.write_generated()?;
    let mut cfg = SupervisorConfig::for_terminal();
    cfg.stop_timeout = Duration::from_secs_f64(args.stop_timeout);
    let outcome = super::topic::runtime()?.block_on(letan_launch::supervise(
        plan.processes,
        cfg,
        letan_transport::shutdown_signal(),
    ));
    let _ = std::fs::remove_dir_all(&generated_dir);
    match outcome {
        Outcome::RequiredExited {
            label,
            success: false,
        } => bail!("required process {label} failed (on_exit: shutdown); everything was stopped"),
        _ => Ok(()),
    }
}
