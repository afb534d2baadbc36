//! `letan fleet`: the operations hub (serve, demo, add-user, backup, restore). Logic lives in
//! letan-fleet; the demo's robots are the real `sim`, `mux`, `intent_router` and `fleet` nodes.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use letan_console::clock::{Clock, SystemClock};
use letan_console::config::HashCost;
use letan_fleet::authz::Role;
use letan_fleet::setup::{self, HubParams};
use letan_nodes::NodeArgs;
use letan_transport::Context as Ros;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: FleetCommand,
}

#[derive(Subcommand)]
enum FleetCommand {
    /// Serve the hub: Zenoh (router by default) and the web application.
    Serve {
        /// ROS 2-style parameter file with a `fleet_hub:` section (robot_nodes/fleet/config/hub.yaml).
        #[arg(long)]
        params: PathBuf,
        /// Override the web port (0 = any free port; the URL is printed on stdout).
        #[arg(long)]
        port: Option<u16>,
    },
    /// The hub and N simulated robots (each its own lobby on its own in-process bus, joined over
    /// Zenoh on loopback), with the demo accounts operator/letan-operator and viewer/letan-viewer.
    Demo {
        /// How many robots.
        #[arg(long, default_value_t = 5)]
        robots: usize,
        /// Web port (0 = any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where the database, audit log and robots' knowledge bases go (default: a temporary directory).
        #[arg(long)]
        workdir: Option<PathBuf>,
        /// Sim seconds per wall second.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
    /// Add a user or change a password, with a role on a site (`*` = every site); the password is
    /// the first line of stdin.
    AddUser {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        name: String,
        /// viewer, operator, kb_editor or admin.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "*")]
        site: String,
    },
    /// Copy the database while the hub runs or not (`VACUUM INTO`).
    Backup {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the database with a checked backup (hub stopped); the old file is kept beside it.
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        db: PathBuf,
    },
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        FleetCommand::Serve { params, port } => {
            let text = std::fs::read_to_string(&params)
                .with_context(|| format!("reading {}", params.display()))?;
            let mut p = HubParams::from_yaml(&text, "fleet_hub")
                .with_context(|| params.display().to_string())?;
            if let Some(port) = port {
                p.web.port = port;
            }
            super::topic::runtime()?.block_on(async move {
                let running = setup::start(&p, Arc::new(SystemClock)).await?;
                letan_fleet::server::serve(running.app, ctrl_c()).await?;
                Ok(())
            })
        }
        FleetCommand::Demo {
            robots,
            port,
            workdir,
            speed,
        } => demo(robots, port, workdir, speed),
        FleetCommand::AddUser {
            db,
            name,
            role,
            site,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("--role {role:?}: viewer, operator, kb_editor or admin")
            })?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            if let Err(why) = letan_console::config::check_password_policy(&name, password) {
                bail!("password refused: {why}");
            }
            let db = letan_fleet::db::Db::open(&db)?;
            setup::add_user(
                &db,
                &name,
                password,
                HashCost::DEFAULT,
                &[(site.as_str(), role)],
                SystemClock.now_ms(),
            )?;
            println!("{name}: {} on {site}", role.as_str());
            Ok(())
        }
        FleetCommand::Backup { db, to } => {
            letan_fleet::db::Db::open(&db)?.backup(&to)?;
            println!("{} -> {}", db.display(), to.display());
            Ok(())
        }
        FleetCommand::Restore { from, db } => {
            letan_fleet::db::restore(&from, &db)?;
            println!("{} restored from {}", db.display(), from.display());
            Ok(())
        }
    }
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// The scenarios the demo's lobbies play, one per robot in turn.
const SCENARIOS: [&str; 6] = [
    "sim/scenarios/ask_and_guide.yaml",
    "sim/scenarios/elderly_birth_registration.yaml",
    "sim/scenarios/english_wifi.yaml",
    "sim/scenarios/two_citizens.yaml",
    "sim/scenarios/greeting.yaml",
    "sim/scenarios/busy_lobby.yaml",
];
const SITES: [&str; 3] = ["hoan-kiem", "ba-dinh", "cau-giay"];

fn demo(n: usize, port: u16, workdir: Option<PathBuf>, speed: f64) -> Result<()> {
    if n == 0 || n > 200 {
        bail!("--robots: 1..=200");
    }
    let root = letan_nodes::sim::find_repo_root(&std::env::current_dir()?)
        .context("run the demo from the repository (it needs maps/ and sim/scenarios/)")?;
    // A folder of its own only when none is given; removed at the end (`--workdir` is kept).
    let own = workdir.is_none();
    let dir = match workdir {
        Some(d) => d,
        None => tempfile_dir()?,
    };
    std::fs::create_dir_all(&dir)?;
    let zport = setup::free_port()?;
    let mut p = setup::demo_params(&dir, &SITES, zport);
    p.web.port = port;
    let served = super::topic::runtime()?.block_on(async {
        let running = setup::start(&p, Arc::new(SystemClock)).await?;
        setup::add_demo_users(&running.app.db)?;
        let app = running.app.clone();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        let lobby = letan_nodes::nav::NavMap::load(&letan_nodes::nav::MapFiles {
            root: root.display().to_string(),
            ..Default::default()
        })
        .map_err(anyhow::Error::msg)?;
        let lobby = letan_nodes::nav::map_msg(&lobby.grid, "map", Default::default());
        for i in 0..n {
            let site = SITES[i % SITES.len()];
            let id = format!("{site}-{:02}", i / SITES.len() + 1);
            let files = robot_params(&root, &dir, site, &id, zport, SCENARIOS[i % SCENARIOS.len()], speed)?;
            let ctx = Ros::bus();
            tasks.push(tokio::spawn(placement(
                ctx.clone(),
                lobby.clone(),
                stop_rx.clone(),
                id.clone(),
            )));
            for (exec, remaps) in [
                ("sim", vec![]),
                ("mux", vec![]),
                (
                    "intent_router",
                    vec![
                        ("transcript".to_string(), "/speech/transcript".to_string()),
                        ("intent".to_string(), "/intent".to_string()),
                        ("nlu/answer".to_string(), "/nlu/answer".to_string()),
                    ],
                ),
                ("fleet", vec![]),
            ] {
                let args = NodeArgs {
                    name: None,
                    namespace: String::new(),
                    params_files: files.clone(),
                    remaps,
                    use_sim_time: exec != "sim" && exec != "fleet",
                };
                let (ctx, mut stop, id) = (ctx.clone(), stop_rx.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let shutdown = async move {
                        let _ = stop.wait_for(|s| *s).await;
                    };
                    let r = if exec == "fleet" {
                        letan_nodes::fleet::run(ctx, args, shutdown).await
                    } else {
                        letan_nodes::run(exec, ctx, args, shutdown).await
                    };
                    if let Err(e) = r {
                        eprintln!("[{id}/{exec}] stopped: {e}");
                    }
                }));
            }
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", p.web.port)).await?;
        println!(
            "fleet demo: {n} robots on sites {} (Zenoh router on tcp/127.0.0.1:{zport}); files in {}",
            SITES.join(", "),
            dir.display()
        );
        for (name, pw, role) in setup::DEMO_USERS {
            println!("  account {name} / {pw} ({} on every site)", role.as_str());
        }
        letan_fleet::server::serve_on(listener, app, ctrl_c()).await?;
        let _ = stop_tx.send(true);
        for t in tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), t).await;
        }
        Ok(())
    });
    if own {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            eprintln!("fleet demo: could not remove {}: {e}", dir.display());
        }
    }
    served
}

/// The demo runs no navigation node; this stand-in gives a robot's fleet node what its
/// localisation would: the lobby map on `/map` (latched) and a fixed map → odom on `/tf_static`,
/// where the robot started (the simulator's ground truth when it first comes; odometry drift is
/// not corrected). A fixed transform is not a running localisation: the robot's navigation health
/// stays silent.
async fn placement(
    ctx: Ros,
    lobby: letan_msgs::nav_msgs::OccupancyGrid,
    mut stop: tokio::sync::watch::Receiver<bool>,
    id: String,
) {
    use letan_msgs::geometry_msgs::{
        PoseStamped, Quaternion, Transform, TransformStamped, Vector3,
    };
    use letan_msgs::std_msgs::Header;
    use letan_msgs::tf2_msgs::TFMessage;
    use letan_transport::Qos;
    let run = async {
        let node = ctx.node("demo_placement", "/")?;
        let clock = node.clock();
        let map = node.publisher("/map", Qos::latched())?;
        map.publish(lobby)?;
        let tf = node.publisher::<TFMessage>("/tf_static", Qos::latched())?;
        let truth = node.subscribe::<PoseStamped>("/sim/ground_truth/robot", Qos::sensor_data())?;
        if let Some(p) = truth.recv().await {
            let (x, y, yaw) = (
                p.pose.position.x,
                p.pose.position.y,
                p.pose.orientation.yaw(),
            );
            tf.publish(TFMessage {
                transforms: vec![TransformStamped {
                    header: Header::new(clock.now(), "map"),
                    child_frame_id: "odom".into(),
                    transform: Transform {
                        translation: Vector3::new(x, y, 0.0),
                        rotation: Quaternion::from_yaw(yaw),
                    },
                }],
            })?;
        }
        // the publishers live (latched) until the demo stops
        let _ = stop.wait_for(|s| *s).await;
        anyhow::Ok(())
    };
    if let Err(e) = run.await {
        eprintln!("[{id}/demo_placement] stopped: {e}");
    }
}

fn tempfile_dir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("letan-fleet-demo-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// One robot's parameter files: the simulator's defaults, then this robot's lobby and fleet identity.
fn robot_params(
    root: &Path,
    dir: &Path,
    site: &str,
    id: &str,
    zport: u16,
    scenario: &str,
    speed: f64,
) -> Result<Vec<PathBuf>> {
    let kb_dir = dir.join(id).join("kb");
    std::fs::create_dir_all(dir.join(id))?;
    if !kb_dir.exists() {
        let kb = letan_fleet::kbpkg::check(letan_fleet::kbpkg::read_dir(&root.join("kb"))?)?;
        letan_fleet::kbpkg::install(&kb_dir, &kb)?;
    }
    let yaml = serde_yaml::to_string(&serde_json::json!({
        "sim": { "ros__parameters": {
            "scenario": scenario, "speed": speed, "camera": false,
            // the demo runs no dialog, navigation or face node: start at once
            "wait_for": [],
            "repo_root": root.display().to_string(),
        }},
        "intent_router": { "ros__parameters": { "kb_dir": kb_dir.display().to_string() }},
        "fleet": { "ros__parameters": {
            "site": site, "robot": id, "site_key": setup::demo_site_key(site),
            "connect": [format!("tcp/127.0.0.1:{zport}")],
            "kb_dir": kb_dir.display().to_string(),
        }},
    }))?;
    let own = dir.join(id).join("params.yaml");
    std::fs::write(&own, yaml)?;
    Ok(vec![
        root.join("launch/params/sim.yaml"),
        root.join("launch/params/sim_overrides.yaml"),
        root.join("robot_nodes/mux/config/mux.yaml"),
        own,
    ])
}
