//! Starting a hub from its parameters: the database, accounts, Zenoh and the web application.
use crate::authz::Role;
use crate::db::Db;
use crate::hub::{Hub, HubConfig};
use crate::server::{App, WebParams};
use crate::{FleetError, Result};
use letan_console::clock::{Clock, SystemClock};
use letan_console::config::HashCost;
use letan_core::params::{in_range, node_parameters, positive, ParamError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The hub's parameters (`fleet_hub: ros__parameters:` in its YAML file).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubParams {
    /// The SQLite file.
    pub db: String,
    /// The hash-chained JSONL copy of the audit (empty: database only).
    pub audit_log: String,
    /// Zenoh mode: `router` (robots or site routers connect here) or `peer`/`client`.
    pub zenoh_mode: String,
    pub zenoh_listen: Vec<String>,
    pub zenoh_connect: Vec<String>,
    /// Site id → site key (at least 16 characters each).
    pub sites: BTreeMap<String, String>,
    pub offline_after_ms: u64,
    pub reply_timeout_ms: u64,
    /// The web application.
    pub web: WebParams,
}

impl Default for HubParams {
    fn default() -> Self {
        let z = HubConfig::default();
        HubParams {
            db: "fleet.db".into(),
            audit_log: "fleet_audit.jsonl".into(),
            zenoh_mode: z.mode,
            zenoh_listen: z.listen,
            zenoh_connect: z.connect,
            sites: BTreeMap::new(),
            offline_after_ms: z.offline_after_ms,
            reply_timeout_ms: z.reply_timeout_ms,
            web: WebParams::default(),
        }
    }
}

/// A range check of `letan_core::params`, as this crate's error.
fn checked(r: std::result::Result<(), ParamError>) -> Result<()> {
    r.map_err(|e| FleetError::Param {
        detail: format!("{}, got {}", e.reason, e.value),
        key: e.key,
    })
}

impl HubParams {
    /// From a ROS 2-style YAML file's text: the `ros__parameters` that apply to `node` (`/**`,
    /// `/**/node`, then `node` itself, merged by `letan_core::params::ros_parameters`), naming a
    /// bad key.
    pub fn from_yaml(text: &str, node: &str) -> Result<Self> {
        let bad = |key: String, detail: String| FleetError::Param { key, detail };
        let doc: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| bad(node.into(), e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section = node_parameters(&doc, &fqn).map_err(|e| bad(node.into(), e.to_string()))?;
        if !section.found() {
            return Err(bad(
                node.into(),
                "no such node in the file (nor `/**`)".into(),
            ));
        }
        let p: HubParams = serde_path_to_error::deserialize(section.value())
            .map_err(|e| bad(e.path().to_string(), e.inner().to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Check the values, naming the key.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, detail: &str| {
            Err(FleetError::Param {
                key: key.into(),
                detail: detail.into(),
            })
        };
        if !matches!(self.zenoh_mode.as_str(), "router" | "peer" | "client") {
            return bad("zenoh_mode", "router, peer or client");
        }
        if self.zenoh_listen.is_empty() && self.zenoh_connect.is_empty() {
            return bad("zenoh_listen", "no endpoint to listen on or connect to");
        }
        checked(in_range(
            "web.max_upload_bytes",
            self.web.max_upload_bytes as f64,
            1024.0,
            (64 * 1024 * 1024) as f64,
        ))?;
        checked(positive(
            "web.retention_days",
            self.web.retention_days as f64,
        ))?;
        checked(in_range(
            "offline_after_ms",
            self.offline_after_ms as f64,
            500.0,
            60_000.0,
        ))?;
        Ok(())
    }

    /// The Zenoh side of these parameters.
    pub fn zenoh(&self) -> HubConfig {
        HubConfig {
            mode: self.zenoh_mode.clone(),
            listen: self.zenoh_listen.clone(),
            connect: self.zenoh_connect.clone(),
            sites: self.sites.clone(),
            offline_after_ms: self.offline_after_ms,
            reply_timeout_ms: self.reply_timeout_ms,
        }
    }
}

/// The demo accounts, those of the console: (name, password, grants).
pub const DEMO_USERS: [(&str, &str, Role); 2] = [
    ("operator", "letan-operator", Role::Operator),
    ("viewer", "letan-viewer", Role::Viewer),
];

/// Create or update an account with its grants (`site`, role); `*` is every site.
pub fn add_user(
    db: &Db,
    name: &str,
    password: &str,
    cost: HashCost,
    grants: &[(&str, Role)],
    now_ms: u64,
) -> Result<()> {
    if !letan_console::config::valid_user_name(name) {
        return Err(FleetError::Param {
            key: "name".into(),
            detail: format!("{name:?} is not a valid user name"),
        });
    }
    let hash = letan_console::config::hash_password(password, cost)?;
    db.upsert_user(name, &hash, now_ms)?;
    for (site, role) in grants {
        db.grant(name, site, *role)?;
    }
    Ok(())
}

/// A running hub: Zenoh side and the web application state.
pub struct Running {
    pub app: Arc<App>,
}

/// Open the database, start Zenoh, build the application (serve it with [`crate::server::serve`]).
pub async fn start(params: &HubParams, clock: Arc<dyn Clock>) -> Result<Running> {
    params.validate()?;
    let db = Arc::new(Db::open(Path::new(&params.db))?);
    let audit_log = if params.audit_log.is_empty() {
        None
    } else {
        Some(letan_console::audit::AuditLog::open(Path::new(
            &params.audit_log,
        ))?)
    };
    let hub = Arc::new(Hub::start(params.zenoh()).await?);
    let app = App::new(hub, db, params.web.clone(), clock, audit_log);
    Ok(Running { app })
}

/// A hub for the demo and tests in `workdir`: sites with generated keys, the demo accounts
/// (cheap hashes), Zenoh router on `127.0.0.1:zenoh_port`, web on an OS-chosen port.
pub fn demo_params(workdir: &Path, sites: &[&str], zenoh_port: u16) -> HubParams {
    let mut p = HubParams {
        db: workdir.join("fleet.db").display().to_string(),
        audit_log: workdir.join("fleet_audit.jsonl").display().to_string(),
        zenoh_listen: vec![format!("tcp/127.0.0.1:{zenoh_port}")],
        ..HubParams::default()
    };
    p.web.port = 0;
    for s in sites {
        p.sites.insert(s.to_string(), demo_site_key(s));
    }
    p
}

/// The demo's key of a site (never for production: derived from the name).
pub fn demo_site_key(site: &str) -> String {
    format!("demo-key-of-{site}-not-secret")
}

/// Add the demo accounts to a database.
pub fn add_demo_users(db: &Db) -> Result<()> {
    let now = SystemClock.now_ms();
    for (name, pw, role) in DEMO_USERS {
        add_user(db, name, pw, HashCost::CHEAP, &[("*", role)], now)?;
    }
    Ok(())
}

/// A TCP port free right now on 127.0.0.1 (for loopback tests and the demo).
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|source| FleetError::io("bind", "127.0.0.1:0", source))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|source| FleetError::io("read the address of", "127.0.0.1:0", source))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn params_from_yaml_name_the_bad_key() {
        let ok = "fleet_hub:\n  ros__parameters:\n    db: x.db\n    web: {port: 9000}\n    sites: {hoan-kiem: 0123456789abcdef0}\n";
        let p = HubParams::from_yaml(ok, "fleet_hub").unwrap();
        assert_eq!(p.web.port, 9000);
        assert_eq!(p.sites.len(), 1);
        let e = HubParams::from_yaml(
            "fleet_hub:\n  ros__parameters:\n    web: {port: x}\n",
            "fleet_hub",
        )
        .unwrap_err();
        assert!(e.to_string().contains("web.port"), "{e}");
        let e = HubParams::from_yaml(
            "fleet_hub:\n  ros__parameters:\n    web: {retention_days: 0}\n",
            "fleet_hub",
        )
        .unwrap_err();
        assert!(e.to_string().contains("retention_days"), "{e}");
        assert!(HubParams::from_yaml("other: {ros__parameters: {}}", "fleet_hub").is_err());
        let example =
            HubParams::from_yaml(include_str!("../config/hub.yaml"), "fleet_hub").unwrap();
        assert_eq!(example.web.retention_days, 30);
    }

    #[test]
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let text = "/**:\n  ros__parameters:\n    db: all.db\n    web: {port: 9000, retention_days: 7}\nfleet_hub:\n  ros__parameters:\n    web: {port: 9001}\n";
        let p = HubParams::from_yaml(text, "fleet_hub").unwrap();
        assert_eq!(
            (p.db.as_str(), p.web.port, p.web.retention_days),
            ("all.db", 9001, 7)
        );
        let p = HubParams::from_yaml("/**:\n  ros__parameters: {db: x.db}\n", "fleet_hub").unwrap();
        assert_eq!(p.db, "x.db");
        let p = HubParams::from_yaml("/fleet_hub:\n  ros__parameters: {db: y.db}\n", "fleet_hub")
            .unwrap();
        assert_eq!(p.db, "y.db");
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e = HubParams::from_yaml(
            "/**:\n  ros__parameters:\n    web: {prot: 1}\n",
            "fleet_hub",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("web") && e.to_string().contains("prot"),
            "{e}"
        );
        let e = HubParams::from_yaml(
            "/**:\n  ros__parameters: {offline_after_ms: 10}\n",
            "fleet_hub",
        )
        .unwrap_err();
        assert!(e.to_string().contains("offline_after_ms"), "{e}");
        let e =
            HubParams::from_yaml("/**:\n  ros__parameters: {dbb: x}\n", "fleet_hub").unwrap_err();
        assert!(e.to_string().contains("dbb"), "{e}");
    }
}
