//! The self-contained demo: the console with the fake robot and the demo accounts. The real
//! console is started with [`crate::run`].
use crate::clock::{Clock, SystemClock};
use crate::config::{ConsoleParams, HashCost, Role, UsersFile};
use crate::fake::FakeRobot;
use crate::link::robot_link;
use crate::Result;
use letan_web::WebNodeError;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Demo accounts: (name, role, password). Only ever used with `--demo`.
pub const DEMO_USERS: [(&str, Role, &str); 2] = [
    ("operator", Role::Operator, "letan-operator"),
    ("viewer", Role::Viewer, "letan-viewer"),
];

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
    let text =
        serde_yaml::to_string(&users).map_err(|e| WebNodeError::parse(users_path.display(), e))?;
    std::fs::write(&users_path, text)
        .map_err(|source| WebNodeError::io("write", users_path.display(), source))?;
    params.users_file = users_path.display().to_string();
    params.audit_log = workdir.join("demo_audit.jsonl").display().to_string();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (link, end) = robot_link(64);
    let _robot = FakeRobot::spawn(end, clock.clone(), Duration::from_millis(50));
    eprintln!(
        "demo accounts: operator / {} (operator), viewer / {} (viewer); audit log: {}",
        DEMO_USERS[0].2, DEMO_USERS[1].2, params.audit_log
    );
    crate::run(params, link, clock, shutdown).await
}
