//! `letan sim`: the whole robot in the simulated lobby, in one command.
//!
//! It evaluates `launch/sim.launch.yaml` (the same file `letan launch` and `ros2 launch` read) and runs
//! every node it names in this process: the simulator, then the robot's nodes with their parameter
//! files, remaps and sim time, exactly as the launch file gives them. Over DDS (default) each node gets
//! its own participant, as separate processes would, so `ros2 topic echo` or `letan topic echo` on the
//! same domain sees everything; `--bus` runs them all on the in-process bus instead (no network).
//! With the console it writes demo accounts into a fresh folder and prints them with the URLs.
use anyhow::{bail, Context as _, Result};
use clap::Args as ClapArgs;
use letan_console::config::{HashCost, UsersFile};
use letan_console::demo::DEMO_USERS;
use letan_launch::{LaunchOptions, SystemHost};
use letan_nodes::sim::{find_repo_root, run_scenario, SimOverrides};
use letan_nodes::NodeArgs;
use letan_transport::{Context, DdsOptions};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (default: the launch file's, sim/scenarios/ask_and_guide.yaml).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// No operator console or citizen screen; exit with the scenario's verdict (0 passed, 1 failed).
    #[arg(long)]
    headless: bool,
    /// Sim seconds per wall second (default 1 with the console, 0 headless; 0 = as fast as possible).
    /// Headless runs are in lockstep, so the speed changes how long a run takes, not its verdict.
    #[arg(long)]
    speed: Option<f64>,
    /// Headless without lockstep: the nodes follow /clock as the wall allows (the verdict then
    /// depends on the machine's load; for comparison only).
    #[arg(long)]
    no_lockstep: bool,
    /// Seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Write the JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Run every node on the in-process bus instead of DDS.
    #[arg(long)]
    bus: bool,
    /// Do not render the camera (faster; the face node then sees nobody).
    #[arg(long)]
    no_camera: bool,
    /// Port of the operator console (default 8080; 0 = any free port).
    #[arg(long)]
    console_port: Option<u16>,
    /// Port of the citizen screen (default 8090; 0 = any free port).
    #[arg(long)]
    screen_port: Option<u16>,
    /// Play the scenario N times back to back (soak runs: people renamed `name~k`, times moved).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    repeat: u64,
    /// Do not tell the scenario as it happens (one line per event) nor print the summary table.
    #[arg(long)]
    quiet: bool,
    /// Also print the JSON report on stdout (it is always written with --report).
    #[arg(long)]
    json: bool,
    /// Launch arguments for launch/sim.launch.yaml, `name:=value` (e.g. `asr:=true`).
    #[arg(value_name = "NAME:=VALUE")]
    launch_args: Vec<String>,
}

fn section(params: Mapping) -> Value {
    let mut s = Mapping::new();
    s.insert("ros__parameters".into(), Value::Mapping(params));
    Value::Mapping(s)
}

/// The overrides every robot node gets: the simulator's file, plus where the console keeps its
/// accounts and audit log and the ports asked for.
fn write_overrides(root: &Path, work: &Path, args: &Args) -> Result<PathBuf> {
    let base = root.join("launch/params/sim_overrides.yaml");
    let text =
        std::fs::read_to_string(&base).with_context(|| format!("reading {}", base.display()))?;
    let mut doc: Mapping = serde_yaml::from_str::<Option<Mapping>>(&text)
        .with_context(|| format!("parsing {}", base.display()))?
        .unwrap_or_default();
    if !args.headless {
        let users = work.join("console_users.yaml");
        let mut file = UsersFile::default();
        for (name, role, pw) in DEMO_USERS {
            file.upsert(name, role, pw, HashCost::CHEAP)?;
        }
        std::fs::write(&users, serde_yaml::to_string(&file)?)
            .with_context(|| format!("writing {}", users.display()))?;
        let mut c = Mapping::new();
        c.insert("users_file".into(), users.display().to_string().into());
        c.insert(
            "audit_log".into(),
            work.join("console_audit.jsonl")
                .display()
                .to_string()
                .into(),
        );
        if let Some(p) = args.console_port {
            c.insert("port".into(), u64::from(p).into());
        }
        doc.insert("console".into(), section(c));
        if let Some(p) = args.screen_port {
            let mut s = Mapping::new();
            s.insert("port".into(), u64::from(p).into());
            doc.insert("screen".into(), section(s));
        }
    }
    let out = work.join("sim_overrides.yaml");
    std::fs::write(&out, serde_yaml::to_string(&doc)?)
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(out)
}

pub fn run(args: Args) -> Result<()> {
    let cwd = std::env::current_dir()?;
    let root = match std::env::var_os("LETAN_ROOT") {
        Some(r) => PathBuf::from(r),
        None => find_repo_root(&cwd).with_context(|| {
            format!(
                "run letan sim inside the Letan repository (no maps/lobby.yaml above {})",
                cwd.display()
            )
        })?,
    };
    let speed = match args.speed {
        Some(s) => s,
        // In lockstep every node keeps up by construction: as fast as the machine goes.
        None if args.headless && !args.no_lockstep => 0.0,
        None if args.headless => 4.0,
        None => 1.0,
    };
    if !(speed.is_finite() && (speed == 0.0 || speed >= letan_nodes::sim::MIN_SPEED)) {
        bail!(
            "--speed must be 0 (as fast as possible) or ≥ {}, got {speed}",
            letan_nodes::sim::MIN_SPEED
        );
    }
    let work = std::env::temp_dir().join(format!("letan-sim-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let result = run_in(&args, &root, &work, speed);
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &args.report {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{json}");
    }
    if args.quiet {
        println!(
            "scenario {}: {}",
            report.scenario,
            if report.passed { "PASSED" } else { "FAILED" }
        );
    } else {
        println!("{}", letan_sim::story::summary(&report));
    }
    if !report.passed {
        std::process::exit(1);
    }
    Ok(())
}

/// The nodes of `launch/sim.launch.yaml` for this run: the simulator's arguments and every other
/// Letan node's (`exec`, arguments). Anything that is not a Letan node is skipped with a word.
fn plan_nodes(
    args: &Args,
    root: &Path,
    work: &Path,
    speed: f64,
) -> Result<(NodeArgs, Vec<(String, NodeArgs)>)> {
    let mut launch_args = vec![
        ("speed".to_string(), speed.to_string()),
        ("console".to_string(), (!args.headless).to_string()),
        ("screen".to_string(), (!args.headless).to_string()),
        (
            "overrides".to_string(),
            write_overrides(root, work, args)?.display().to_string(),
        ),
    ];
    for a in &args.launch_args {
        launch_args.push(letan_launch::parse_cli_arg(a).map_err(anyhow::Error::msg)?);
    }
    let host = SystemHost {
        letan_root: root.to_path_buf(),
    };
    let plan = letan_launch::plan(
        &root.join("launch/sim.launch.yaml"),
        &LaunchOptions {
            args: launch_args,
            letan_exe: std::env::current_exe().context("locating the letan binary")?,
            host: &host,
            generated_dir: work.join("generated"),
        },
    )?;
    plan.write_generated()?;
    let mut sim_args: Option<NodeArgs> = None;
    let mut nodes: Vec<(String, NodeArgs)> = Vec::new();
    for p in &plan.processes {
        let Some(n) = &p.node else {
            eprintln!(
                "letan sim: [{}] is not a node; skipped (use letan launch)",
                p.label
            );
            continue;
        };
        if n.pkg != "letan" {
            eprintln!("letan sim: [{}] is not a Letan node; skipped", p.label);
            continue;
        }
        let a = NodeArgs {
            name: n.name.clone(),
            namespace: n.namespace.clone(),
            params_files: n.params_files.clone(),
            remaps: n.remaps.clone(),
            use_sim_time: n.exec != "sim",
        };
        if n.exec == "sim" {
            sim_args = Some(a);
        } else {
            nodes.push((n.exec.clone(), a));
        }
    }
    let sim_args = sim_args.context("launch/sim.launch.yaml starts no `sim` node")?;
    Ok((sim_args, nodes))
}

fn run_in(
    args: &Args,
    root: &Path,
    work: &Path,
    speed: f64,
) -> Result<letan_sim::scenario::Report> {
    let (sim_args, nodes) = plan_nodes(args, root, work, speed)?;
    let overrides = SimOverrides {
        scenario: args.scenario.clone(),
        seed: args.seed,
        speed: Some(speed),
        camera: args.no_camera.then_some(false),
        repeat: usize::try_from(args.repeat).ok(),
    };
    let dds = if args.bus {
        None
    } else {
        Some(DdsOptions::from_env()?)
    };
    // Headless runs are in lockstep: sim time advances when every node is done with the last
    // step (see letan_transport::lockstep). With the console, the wall paces the run.
    let lockstep = (args.headless && !args.no_lockstep).then(letan_transport::Lockstep::new);
    let with_lockstep = |c: Context| match &lockstep {
        Some(l) => c.with_lockstep(l.clone()),
        None => c,
    };
    let bus = with_lockstep(Context::bus());
    let context = |what: &str| -> Result<Context> {
        match &dds {
            None => Ok(bus.clone()),
            Some(o) => Ok(with_lockstep(
                Context::dds(o.clone()).with_context(|| format!("DDS participant for {what}"))?,
            )),
        }
    };
    super::topic::runtime()?.block_on(async {
        // One stop signal per task: they are stopped one at a time, in reverse order of start.
        // RustDDS removes a participant's readers and writers through a 4-slot channel with a
        // 20 ms timeout; every node tearing down at once on two busy cores overflowed it
        // ("Cannot remove Writer … Full").
        let mut stops: Vec<tokio::sync::oneshot::Sender<()>> = Vec::new();
        let mut stopped = || {
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            stops.push(tx);
            async move {
                let _ = rx.await;
            }
        };
        let mut tasks = Vec::new();
        for (exec, a) in nodes.iter().cloned() {
            let label = a.name.clone().unwrap_or_else(|| exec.clone());
            let ctx = context(&label)?;
            let stop = stopped();
            let node = {
                let label = label.clone();
                async move {
                    if let Err(e) = letan_nodes::run(&exec, ctx, a, stop).await {
                        eprintln!("[{label}] stopped: {e}");
                    }
                }
            };
            tasks.push(match &lockstep {
                Some(l) => tokio::spawn(l.track(label, node)),
                None => tokio::spawn(node),
            });
        }
        println!(
            "letan sim: {}{} with nodes {}",
            if args.bus { "in-process bus" } else { "DDS" },
            if lockstep.is_some() { ", lockstep" } else { "" },
            nodes
                .iter()
                .map(|(e, a)| a.name.clone().unwrap_or_else(|| e.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !args.headless {
            println!(
                "  operator console: the \"console listening on\" line; accounts {} / {} and {} / {}",
                DEMO_USERS[0].0, DEMO_USERS[0].2, DEMO_USERS[1].0, DEMO_USERS[1].2
            );
            println!("  citizen screen:   the \"screen listening on\" line");
        }
        let ctx = context("sim")?;
        let story = if args.quiet {
            None
        } else {
            Some(tell_the_story(&ctx)?)
        };
        // A signal during the scenario stops everything; only a scenario that ran to its end
        // leaves the console and the screen up.
        let signalled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = signalled.clone();
        let stop = async move {
            letan_transport::shutdown_signal().await;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        };
        let report = run_scenario(ctx, sim_args, overrides, stop).await;
        // The story ends with the expectations the run did not decide, as the report decides them.
        if let Some((stop, task)) = story {
            let _ = stop.send(());
            let told = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
            if let (Ok(Ok(mut story)), Ok(r)) = (told, &report) {
                for line in story.the_rest(r) {
                    println!("{line}");
                }
            }
        }
        if report.is_ok() && !args.headless && !signalled.load(std::sync::atomic::Ordering::SeqCst) {
            println!("scenario finished; the console and the screen stay up until Ctrl-C");
            letan_transport::shutdown_signal().await;
        }
        for (stop, t) in stops.into_iter().zip(tasks).rev() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), t).await;
        }
        report.context("the simulation")
    })
}

/// Print the scenario as it happens: the simulator's events and the expectations as they are
/// decided (`/sim/events`) as story lines, with the confidence the dialog reported (`/dialog/state`)
/// beside each answer. Runs until told to stop, then gives the story back.
fn tell_the_story(
    ctx: &Context,
) -> Result<(
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<letan_sim::story::Story>,
)> {
    use letan_msgs::letan_interfaces::DialogState;
    use letan_msgs::std_msgs::StringMsg;
    use letan_transport::Qos;
    let node = ctx.node("sim_story", "/")?;
    let events = node.subscribe::<StringMsg>("/sim/events", Qos::commands().with_depth(1000))?;
    let dialog = node.subscribe::<DialogState>("/dialog/state", Qos::commands().with_depth(100))?;
    let (stop_tx, stop) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _node = node;
        let mut story = letan_sim::story::Story::new();
        let tell = |story: &mut letan_sim::story::Story, data: &str| {
            // The dialog's state for this answer may still be queued: take it first.
            while let Some(d) = dialog.try_recv() {
                story.note_confidence(&d.intent, d.confidence);
            }
            match story.message(data) {
                Ok(Some(line)) => println!("{line}"),
                Ok(None) => {}
                Err(err) => tracing::debug!(error = %err, "not a simulator event"),
            }
        };
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                Some(e) = events.recv() => tell(&mut story, &e.data),
                else => break,
            }
        }
        // What the last steps published.
        while let Some(e) = events.try_recv() {
            tell(&mut story, &e.data);
        }
        story
    });
    Ok((stop_tx, task))
}
