//! `letan console`: the operator web console (serve, demo, add-user). Logic lives in letan-console.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use letan_console::config::{add_user, ConsoleParams, HashCost, Role};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ConsoleCommand,
}

#[derive(Subcommand)]
enum ConsoleCommand {
    /// Serve the console (127.0.0.1 by default): the console node on the ROS 2 domain, the same as
    /// `letan run console`. With --demo: against an in-memory fake robot, with demo accounts
    /// operator/letan-operator and viewer/letan-viewer.
    Serve {
        /// ROS 2 parameter file with a `console:` section (defaults apply without one).
        #[arg(long)]
        params: Option<PathBuf>,
        /// Run against the built-in fake robot (no DDS, no robot needed).
        #[arg(long)]
        demo: bool,
        /// Override the port (0 = any free port; the URL is printed on stdout).
        #[arg(long)]
        port: Option<u16>,
        /// Override the bind address.
        #[arg(long)]
        bind: Option<String>,
        /// Where the demo writes its users file and audit log (default: a fresh temporary directory).
        #[arg(long)]
        workdir: Option<PathBuf>,
        /// Also serve a read-only Foxglove WebSocket server on 127.0.0.1:PORT (Foxglove / Lichtblick);
        /// clients need the token printed with its URL (or `foxglove_token` from the parameters).
        #[arg(long)]
        foxglove_port: Option<u16>,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Allow plain HTTP on a non-loopback --bind (only behind a TLS reverse proxy).
        #[arg(long)]
        insecure: bool,
    },
    /// Check the hash chain of an audit log: prints the line count and the last line's hash, or the
    /// first broken line (exit code 1).
    VerifyAudit {
        /// The audit log (JSONL).
        file: PathBuf,
    },
    /// Add a user (or change a user's password and role) in the users file. The password is read from
    /// the terminal without echo, or from the first line of stdin when it is not a terminal. Policy:
    /// at least 12 characters, not one character repeated, not containing the user name, not a
    /// well-known password (optionally followed by digits or punctuation).
    AddUser {
        /// Users file (created if missing, written with mode 0600).
        #[arg(long, default_value = "console_users.yaml")]
        users: PathBuf,
        /// Login name.
        #[arg(long)]
        name: String,
        /// viewer or operator.
        #[arg(long)]
        role: String,
    },
}

fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (at least 12 characters, not echoed): ");
        std::io::stderr().flush().ok();
        crossterm::terminal::enable_raw_mode().context("switching the terminal to raw mode")?;
        let mut pw = String::new();
        let result = loop {
            match crossterm::event::read() {
                Ok(crossterm::event::Event::Key(k))
                    if k.kind != crossterm::event::KeyEventKind::Release =>
                {
                    use crossterm::event::{KeyCode, KeyModifiers};
                    match k.code {
                        KeyCode::Enter => break Ok(()),
                        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                            break Err(anyhow::anyhow!("cancelled"))
                        }
                        KeyCode::Backspace => {
                            pw.pop();
                        }
                        KeyCode::Char(c) => pw.push(c),
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(e) => break Err(anyhow::Error::new(e).context("reading the password")),
            }
        };
        crossterm::terminal::disable_raw_mode().ok();
        eprintln!();
        result.map(|_| pw)
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        ConsoleCommand::VerifyAudit { file } => {
            use letan_console::audit::{verify_file, ChainCheck};
            match verify_file(&file).with_context(|| format!("checking {}", file.display()))? {
                ChainCheck::Intact { lines, head } => {
                    println!(
                        "{}: {lines} lines, chain intact; last line sha256 {head}",
                        file.display()
                    );
                    Ok(())
                }
                ChainCheck::Broken { line, reason } => {
                    bail!("{}: chain broken at line {line}: {reason}", file.display())
                }
            }
        }
        ConsoleCommand::AddUser { users, name, role } => {
            let Some(role) = Role::parse(&role) else {
                bail!("--role must be viewer or operator, got {role:?}");
            };
            let password = read_password()?;
            add_user(&users, &name, role, &password, HashCost::DEFAULT)
                .with_context(|| format!("adding {name:?} to {}", users.display()))?;
            println!("{name} ({}) saved in {}", role.as_str(), users.display());
            Ok(())
        }
        ConsoleCommand::Serve {
            params,
            demo,
            port,
            bind,
            workdir,
            foxglove_port,
            tls_cert,
            tls_key,
            insecure,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some((c.display().to_string(), k.display().to_string())),
                _ => None,
            };
            let mut p = match &params {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    ConsoleParams::from_yaml(&text, "console")
                        .with_context(|| format!("parameters in {}", path.display()))?
                }
                None => ConsoleParams::default(),
            };
            if let Some(port) = port {
                p.port = port;
            }
            if let Some(bind) = bind.clone() {
                p.bind = bind;
            }
            if let Some(fp) = foxglove_port {
                p.foxglove = true;
                p.foxglove_port = fp;
            }
            if let Some((c, k)) = tls.clone() {
                p.tls_cert = c;
                p.tls_key = k;
            }
            if insecure {
                p.insecure = true;
            }
            p.validate().context("console parameters")?;
            if !demo {
                return serve_on_dds(params, port, bind, foxglove_port, tls, insecure);
            }
            let rt = super::topic::runtime()?;
            let tmp;
            let dir = match workdir {
                Some(d) => {
                    std::fs::create_dir_all(&d)
                        .with_context(|| format!("creating {}", d.display()))?;
                    d
                }
                None => {
                    tmp = std::env::temp_dir()
                        .join(format!("letan-console-demo-{}", std::process::id()));
                    std::fs::create_dir_all(&tmp)
                        .with_context(|| format!("creating {}", tmp.display()))?;
                    tmp
                }
            };
            rt.block_on(async move {
                let shutdown = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                letan_console::demo::run_demo(p, &dir, shutdown)
                    .await
                    .context("operator console")
            })
        }
    }
}

/// `letan console serve` without `--demo`: the console node on the ROS 2 domain, exactly what
/// `letan run console --params-file F` runs, with the command line's port, bind address and
/// Foxglove port laid over the parameter file.
fn serve_on_dds(
    params: Option<PathBuf>,
    port: Option<u16>,
    bind: Option<String>,
    foxglove_port: Option<u16>,
    tls: Option<(String, String)>,
    insecure: bool,
) -> Result<()> {
    let mut over = serde_yaml::Mapping::new();
    if let Some(port) = port {
        over.insert("port".into(), u64::from(port).into());
    }
    if let Some(bind) = bind {
        over.insert("bind".into(), bind.into());
    }
    if let Some(fp) = foxglove_port {
        over.insert("foxglove".into(), true.into());
        over.insert("foxglove_port".into(), u64::from(fp).into());
    }
    if let Some((cert, key)) = tls {
        over.insert("tls_cert".into(), cert.into());
        over.insert("tls_key".into(), key.into());
    }
    if insecure {
        over.insert("insecure".into(), true.into());
    }
    let mut files: Vec<PathBuf> = params.into_iter().collect();
    let dir = tempfile_dir()?;
    if !over.is_empty() {
        let mut section = serde_yaml::Mapping::new();
        section.insert("ros__parameters".into(), serde_yaml::Value::Mapping(over));
        let mut doc = serde_yaml::Mapping::new();
        doc.insert("console".into(), serde_yaml::Value::Mapping(section));
        let f = dir.join("console_overrides.yaml");
        std::fs::write(&f, serde_yaml::to_string(&doc)?)
            .with_context(|| format!("writing {}", f.display()))?;
        files.push(f);
    }
    let args = letan_nodes::NodeArgs {
        params_files: files,
        ..letan_nodes::NodeArgs::default()
    };
    let result = letan_transport::block_on_task(&super::topic::runtime()?, async move {
        let ctx = letan_transport::Context::dds_from_env().context("joining the ROS 2 domain")?;
        letan_nodes::run("console", ctx, args, letan_transport::shutdown_signal())
            .await
            .context("node console")
    });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempfile_dir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("letan-console-{}", std::process::id()));
    std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    Ok(d)
}
