//! Serving the console for a robot link: the entry point of `letan run console` and of the demo.
use crate::audit::AuditLog;
use crate::auth::Accounts;
use crate::clock::Clock;
use crate::config::{ConsoleParams, UsersFile};
use crate::link::RobotLink;
use crate::server::{bind, serve, ConsoleState};
use crate::Result;
use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

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
