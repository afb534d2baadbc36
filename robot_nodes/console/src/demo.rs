//! Running the console: against a real robot link, or as a self-contained demo with the fake robot.
use crate::audit::AuditLog;
use crate::auth::Accounts;
use crate::clock::{Clock, SystemClock};
use crate::config::{ConsoleParams, HashCost, Role, UsersFile};
use crate::fake::FakeRobot;
use crate::link::{robot_link, RobotLink};
use crate::server::{bind, serve, ConsoleState};
use crate::Result;
use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Demo accounts: (name, role, password). Only ever used with `--demo`.
pub const DEMO_USERS: [(&str, Role, &str); 2] = [
    ("operator", Role::Operator, "letan-operator"),
    ("viewer", Role::Viewer, "letan-viewer"),
];

/// Serve the console for `link` with the users file and audit log named in `params`, until `shutdown`.
/// Prints `console listening on http://ADDR/` on stdout once bound.
pub async fn run(
    params: ConsoleParams,
    link: RobotLink,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    params.validate()?;
    crate::server::load_tls(&params)?; // fail before binding when a PEM file is wrong
    let users = UsersFile::load(Path::new(&params.users_file))?;
    let audit = AuditLog::open(Path::new(&params.audit_log))?;
    let listener = bind(&params).await?;
    let _foxglove = if params.foxglove {
        let token = if params.foxglove_token.is_empty() {
            crate::auth::random_token()
        } else {
            params.foxglove_token.clone()
        };
        let b = crate::foxglove_bridge::start(
            link.state.clone(),
            params.foxglove_port,
            &token,
            params.push_rate_hz,
        )
        .await?;
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "foxglove server on ws://127.0.0.1:{}/?token={token}",
            b.port()
        );
        Some(b)
    } else {
        None
    };
    let scheme = if params.tls() { "https" } else { "http" };
    let state = ConsoleState::new(params, Accounts::from_file(&users), audit, clock, link)?;
    announce(&listener, scheme);
    serve(listener, state, shutdown).await
}

fn announce(listener: &tokio::net::TcpListener, scheme: &str) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, scheme, "operator console listening");
        let mut out = std::io::stdout();
        let _ = writeln!(out, "console listening on {scheme}://{addr}/");
        let _ = out.flush();
    }
}

/// The demo: writes a users file with [`DEMO_USERS`] (cheap hashes) and the audit log into `workdir`,
/// starts a [`FakeRobot`] at 20 Hz and serves until `shutdown`.
pub async fn run_demo(
    mut params: ConsoleParams,
    workdir: &Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let users_path = workdir.join("demo_users.yaml");
    let mut users = UsersFile::default();
    for (name, role, pw) in DEMO_USERS {
        users.upsert(name, role, pw, HashCost::CHEAP)?;
    }
    let text = serde_yaml::to_string(&users).map_err(|e| crate::ConsoleError::Parse {
        path: users_path.display().to_string(),
        message: e.to_string(),
    })?;
    std::fs::write(&users_path, text).map_err(|source| crate::ConsoleError::Io {
        action: "write",
        path: users_path.display().to_string(),
        source,
    })?;
    params.users_file = users_path.display().to_string();
    params.audit_log = workdir.join("demo_audit.jsonl").display().to_string();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (link, end) = robot_link(64);
    let _robot = FakeRobot::spawn(end, clock.clone(), Duration::from_millis(50));
    eprintln!(
        "demo accounts: operator / {} (operator), viewer / {} (viewer); audit log: {}",
        DEMO_USERS[0].2, DEMO_USERS[1].2, params.audit_log
    );
    run(params, link, clock, shutdown).await
}
