//! The robot side of the fleet: joins the robot to Zenoh under `letan/<site>/<robot>/…`.
//!
//! It publishes the status (about 1 Hz) and events, holds a liveliness token (the hub sees the
//! robot go the moment its link does), serves the map and the blurred image on request, and
//! answers the hub's commands and knowledge-base pushes. Commands are checked twice: the payload
//! must be signed with the site key (only the hub has it besides the site's robots) and
//! [`crate::authz::robot_accepts`] must pass. Teleop has a deadman: with no teleop command for
//! `deadman_ms` (0.5 s) the gateway tells the robot to stop, whatever happened to the link.
use crate::authz::robot_accepts;
use crate::kbpkg::{KbVersion, Ledger};
use crate::proto::{
    self, keys, Command, CommandBody, Event, EventKind, KbPush, Reply, Status, PROTOCOL_VERSION,
};
use crate::{lock, now_ms};
use crate::{zenoh_config, FleetError, Result};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The robot's fleet parameters (`fleet` node, `ros__parameters`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Site id (`a-z0-9-_`).
    pub site: String,
    /// Robot id, unique in the city.
    pub robot: String,
    /// The site's shared key (HMAC-SHA256): the hub and this site's robots only.
    pub site_key: String,
    /// `client` (to a router: the site's, or the hub's) or `peer`.
    pub mode: String,
    /// Zenoh endpoints to connect to (`tcp/127.0.0.1:7447`).
    pub connect: Vec<String>,
    /// Zenoh endpoints to listen on (peers only).
    pub listen: Vec<String>,
    /// Status period.
    pub status_period_ms: u64,
    /// Teleop stops this long after the last teleop command.
    pub deadman_ms: u64,
    /// Commands stamped further than this from the robot's clock are refused.
    pub max_command_age_ms: u64,
    /// Where a pushed knowledge base is installed (empty: kept in memory only).
    pub kb_dir: String,
    /// Reported in the status.
    pub software_version: String,
    /// A node of the robot is reported silent when not heard from for this long (the fleet node).
    pub node_silent_ms: u64,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            site: String::new(),
            robot: String::new(),
            site_key: String::new(),
            mode: "client".into(),
            connect: vec!["tcp/127.0.0.1:7447".into()],
            listen: Vec::new(),
            status_period_ms: 1000,
            deadman_ms: 500,
            max_command_age_ms: 10_000,
            kb_dir: String::new(),
            software_version: env!("CARGO_PKG_VERSION").into(),
            node_silent_ms: 3000,
        }
    }
}

impl GatewayConfig {
    /// Check every parameter, naming the key.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, detail: &str| {
            Err(FleetError::Param {
                key: key.into(),
                detail: detail.into(),
            })
        };
        if !proto::valid_id(&self.site) {
            return bad("site", "1-48 of a-z 0-9 - _");
        }
        if !proto::valid_id(&self.robot) {
            return bad("robot", "1-48 of a-z 0-9 - _");
        }
        if self.site_key.len() < 16 {
            return bad("site_key", "at least 16 characters");
        }
        if !matches!(self.mode.as_str(), "client" | "peer") {
            return bad("mode", "client or peer");
        }
        if self.connect.is_empty() && self.listen.is_empty() {
            return bad("connect", "no endpoint to connect to or listen on");
        }
        if !(100..=60_000).contains(&self.status_period_ms) {
            return bad("status_period_ms", "100..=60000");
        }
        if !(100..=5_000).contains(&self.deadman_ms) {
            return bad("deadman_ms", "100..=5000");
        }
        if !(500..=60_000).contains(&self.node_silent_ms) {
            return bad("node_silent_ms", "500..=60000");
        }
        Ok(())
    }
}

/// What the gateway asks the robot to do.
#[derive(Clone, Debug, PartialEq)]
pub enum ToRobot {
    /// Drive (forward to the mux's console teleop input).
    Teleop {
        linear: f64,
        angular: f64,
    },
    /// The deadman ran out: publish a zero once.
    TeleopStop,
    /// Engage or release the operator e-stop.
    Estop(bool),
    Say {
        text: String,
        lang: String,
    },
    GoTo {
        place: String,
    },
    /// A new knowledge base is running (installed in `kb_dir` when one is set).
    KbSwitched {
        version: String,
    },
}

/// The robot's gateway.
pub struct Gateway {
    session: zenoh::Session,
    cfg: GatewayConfig,
    status: Arc<Mutex<Status>>,
    ledger: Arc<Mutex<Ledger>>,
    blobs: Arc<Mutex<[Option<Vec<u8>>; 2]>>,
    tasks: Vec<JoinHandle<()>>,
    _token: zenoh::liveliness::LivelinessToken,
}

/// Answer a hub query with the outcome and the knowledge-base version now running, signed.
async fn answer(
    q: &zenoh::query::Query,
    ok: bool,
    message: String,
    kb_version: String,
    site_key: &[u8],
) {
    let reply = Reply {
        v: PROTOCOL_VERSION,
        ok,
        message,
        kb_version,
    };
    let _ = q
        .reply(q.key_expr().clone(), proto::encode(&reply, site_key))
        .await;
}

/// A command from the hub, checked: signed with the site key, for this robot, from a role that may
/// command, fresh, and newer than `last_id`. Gives its id and what the robot is to do.
fn accept_command(
    bytes: &[u8],
    site: &str,
    robot: &str,
    site_key: &[u8],
    last_id: u64,
    max_age_ms: u64,
) -> Result<(u64, ToRobot)> {
    let c = proto::decode::<Command>("command", bytes, proto::MAX_COMMAND_BYTES, site, site_key)?;
    robot_accepts(&c, site, robot, now_ms(), last_id, max_age_ms).map_err(FleetError::Refused)?;
    let to = match c.body {
        CommandBody::Teleop { linear, angular } => ToRobot::Teleop { linear, angular },
        CommandBody::Estop { engage } => ToRobot::Estop(engage),
        CommandBody::Say { text, lang } => ToRobot::Say { text, lang },
        CommandBody::GoTo { place } => ToRobot::GoTo { place },
    };
    Ok((c.id, to))
}

/// A knowledge-base push, checked and applied: signed, for this robot, a valid knowledge base whose
/// content is the version it claims, and installed in `kb_dir` when there is one (on a failed
/// install the old version stays). Gives whether the version changed, and the version now running.
fn apply_push(
    bytes: &[u8],
    site: &str,
    robot: &str,
    site_key: &[u8],
    ledger: &Mutex<Ledger>,
    kb_dir: Option<&std::path::Path>,
) -> Result<(bool, String)> {
    let p = proto::decode::<KbPush>("kb push", bytes, proto::MAX_KB_PUSH_BYTES, site, site_key)?;
    if p.site != site || p.robot != robot {
        return Err(FleetError::Refused(format!(
            "push for {}/{}, this is {site}/{robot}",
            p.site, p.robot
        )));
    }
    let mut l = lock(ledger);
    let before = l.version();
    let kb = l.apply(&p.version, p.files)?.clone();
    if let Some(dir) = kb_dir {
        if let Err(e) = crate::kbpkg::install(dir, &kb) {
            // keep running the old one: undo the switch
            l.current = l.previous.take();
            return Err(e);
        }
    }
    Ok((before != kb.version, kb.version))
}

/// The status, signed, every `period`, with the knowledge-base version running.
async fn send_status(
    publisher: zenoh::pubsub::Publisher<'static>,
    status: Arc<Mutex<Status>>,
    ledger: Arc<Mutex<Ledger>>,
    site_key: Arc<Vec<u8>>,
    period: Duration,
) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let bytes = {
            let mut s = lock(&status);
            s.seq += 1;
            s.ts_ms = now_ms();
            s.kb_version = lock(&ledger).version();
            proto::encode(&*s, &site_key)
        };
        if let Err(e) = publisher.put(bytes).await {
            tracing::debug!(error = %e, "status not sent");
        }
    }
}

/// Answers queries for blob `i` (0: the map, 1: the blurred image) with the latest one set.
async fn serve_blob(
    q: zenoh::query::Queryable<zenoh::handlers::FifoChannelHandler<zenoh::query::Query>>,
    blobs: Arc<Mutex<[Option<Vec<u8>>; 2]>>,
    i: usize,
) {
    while let Ok(query) = q.recv_async().await {
        let blob = lock(&blobs)[i].clone();
        match blob {
            Some(b) => {
                let _ = query.reply(query.key_expr().clone(), b).await;
            }
            None => {
                let _ = query.reply_err("not available yet").await;
            }
        }
    }
}

/// The teleop deadman: a stop for the robot once no teleop came for `after`.
#[allow(clippy::disallowed_methods)] // the fleet link's edge: the deadman is wall time
async fn deadman(tx: mpsc::Sender<ToRobot>, last: Arc<Mutex<Option<Instant>>>, after: Duration) {
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    loop {
        tick.tick().await;
        let expired = {
            let mut l = lock(&last);
            match *l {
                Some(t) if t.elapsed() >= after => {
                    *l = None;
                    true
                }
                _ => false,
            }
        };
        if expired && tx.send(ToRobot::TeleopStop).await.is_err() {
            break;
        }
    }
}

impl Gateway {
    /// Join the fleet. `initial` is the knowledge base the robot runs.
    #[allow(clippy::disallowed_methods)] // the fleet link's edge: command ages and the teleop deadman are wall time between machines
    pub async fn start(
        cfg: GatewayConfig,
        initial: Option<KbVersion>,
    ) -> Result<(Gateway, mpsc::Receiver<ToRobot>)> {
        cfg.validate()?;
        let zc = zenoh_config(&cfg.mode, &cfg.listen, &cfg.connect)?;
        let session = zenoh::open(zc).await.map_err(FleetError::zenoh)?;
        let (tx, rx) = mpsc::channel(64);
        let status = Arc::new(Mutex::new(Status {
            v: PROTOCOL_VERSION,
            site: cfg.site.clone(),
            robot: cfg.robot.clone(),
            instance: letan_console::auth::random_token()[..16].to_string(),
            software_version: cfg.software_version.clone(),
            ..Status::default()
        }));
        let ledger = Arc::new(Mutex::new(Ledger::new(initial)));
        let blobs = Arc::new(Mutex::new([None, None]));
        let key = |leaf| keys::key(&cfg.site, &cfg.robot, leaf);
        let token = session
            .liveliness()
            .declare_token(key(keys::ALIVE))
            .await
            .map_err(FleetError::zenoh)?;
        let site_key = Arc::new(cfg.site_key.clone().into_bytes());
        let mut tasks = Vec::new();

        // status
        let publisher = session
            .declare_publisher(key(keys::STATUS))
            .await
            .map_err(FleetError::zenoh)?;
        tasks.push(tokio::spawn(send_status(
            publisher,
            status.clone(),
            ledger.clone(),
            site_key.clone(),
            Duration::from_millis(cfg.status_period_ms),
        )));

        // commands, with the deadman
        let cmd_q = session
            .declare_queryable(key(keys::CMD))
            .await
            .map_err(FleetError::zenoh)?;
        let last_teleop: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
        {
            let (tx, site_key, ledger, last_teleop) = (
                tx.clone(),
                site_key.clone(),
                ledger.clone(),
                last_teleop.clone(),
            );
            let (site, robot, max_age) =
                (cfg.site.clone(), cfg.robot.clone(), cfg.max_command_age_ms);
            tasks.push(tokio::spawn(async move {
                let mut last_id = 0u64;
                while let Ok(q) = cmd_q.recv_async().await {
                    let bytes = q
                        .payload()
                        .map(|p| p.to_bytes().into_owned())
                        .unwrap_or_default();
                    let result = accept_command(&bytes, &site, &robot, &site_key, last_id, max_age);
                    let (ok, message) = match result {
                        Ok((id, to)) => {
                            last_id = id;
                            if matches!(to, ToRobot::Teleop { .. }) {
                                *lock(&last_teleop) = Some(Instant::now());
                            }
                            match tx.send(to).await {
                                Ok(()) => (true, "ok".to_string()),
                                Err(_) => (false, "the robot is shutting down".to_string()),
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "fleet command refused");
                            (false, e.to_string())
                        }
                    };
                    let kb_version = lock(&ledger).version();
                    answer(&q, ok, message, kb_version, &site_key).await;
                }
            }));
        }
        tasks.push(tokio::spawn(deadman(
            tx.clone(),
            last_teleop.clone(),
            Duration::from_millis(cfg.deadman_ms),
        )));

        // knowledge-base pushes
        let kb_q = session
            .declare_queryable(key(keys::KB))
            .await
            .map_err(FleetError::zenoh)?;
        {
            let (tx, site_key, ledger) = (tx.clone(), site_key.clone(), ledger.clone());
            let (site, robot) = (cfg.site.clone(), cfg.robot.clone());
            let kb_dir = (!cfg.kb_dir.is_empty()).then(|| PathBuf::from(&cfg.kb_dir));
            tasks.push(tokio::spawn(async move {
                while let Ok(q) = kb_q.recv_async().await {
                    let bytes = q.payload().map(|p| p.to_bytes().into_owned()).unwrap_or_default();
                    let result =
                        apply_push(&bytes, &site, &robot, &site_key, &ledger, kb_dir.as_deref());
                    let (ok, message) = match result {
                        Ok((changed, version)) => {
                            if changed {
                                tracing::info!(version = %version, "knowledge base switched");
                                let _ = tx.send(ToRobot::KbSwitched { version }).await;
                                (true, "switched".to_string())
                            } else {
                                (true, "already running".to_string())
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "knowledge-base push refused; the old one stays");
                            (false, e.to_string())
                        }
                    };
                    let kb_version = lock(&ledger).version();
                    answer(&q, ok, message, kb_version, &site_key).await;
                }
            }));
        }

        // map and image on request
        for (i, leaf) in [(0usize, keys::MAP), (1, keys::IMAGE)] {
            let q = session
                .declare_queryable(key(leaf))
                .await
                .map_err(FleetError::zenoh)?;
            tasks.push(tokio::spawn(serve_blob(q, blobs.clone(), i)));
        }

        Ok((
            Gateway {
                session,
                cfg,
                status,
                ledger,
                blobs,
                tasks,
                _token: token,
            },
            rx,
        ))
    }

    /// Change the status fields the robot knows (pose, dialog, nav, e-stop, nodes …).
    pub fn update(&self, f: impl FnOnce(&mut Status)) {
        f(&mut lock(&self.status));
    }

    /// Publish an event now.
    pub async fn event(&self, kind: EventKind) -> Result<()> {
        let e = Event {
            v: PROTOCOL_VERSION,
            site: self.cfg.site.clone(),
            robot: self.cfg.robot.clone(),
            ts_ms: now_ms(),
            kind,
        };
        self.session
            .put(
                keys::key(&self.cfg.site, &self.cfg.robot, keys::EVENTS),
                proto::encode(&e, self.cfg.site_key.as_bytes()),
            )
            .await
            .map_err(FleetError::zenoh)
    }

    /// The map served on request (the fleet node sets a trinary PGM, `letan_map::grid_to_pgm`).
    pub fn set_map(&self, bytes: Vec<u8>) {
        lock(&self.blobs)[0] = Some(bytes);
    }

    /// The latest blurred camera image (JPEG), served on request. Only blurred frames belong here.
    pub fn set_blurred_image(&self, bytes: Vec<u8>) {
        lock(&self.blobs)[1] = Some(bytes);
    }

    /// The knowledge base the robot runs.
    pub fn kb_version(&self) -> String {
        lock(&self.ledger).version()
    }

    /// The running knowledge base's files.
    pub fn kb_files(&self) -> Option<Vec<(String, String)>> {
        lock(&self.ledger).current.as_ref().map(|k| k.files.clone())
    }

    /// Leave the fleet (the hub sees the robot go at once).
    pub async fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
        let _ = self.session.close().await;
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
