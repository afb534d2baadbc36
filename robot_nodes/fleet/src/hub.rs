//! The centre side of the fleet on Zenoh: takes every robot's status, events and liveliness,
//! sends signed commands and knowledge-base pushes and waits for each robot's reply.
use crate::authz::Role;
use crate::kbpkg::KbVersion;
use crate::proto::{
    self, keys, Command, CommandBody, Event, KbPush, Reply, Status, PROTOCOL_VERSION,
};
use crate::state::{Fleet, RobotView};
use crate::{lock, now_ms};
use crate::{zenoh_config, FleetError, Result};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// The hub's Zenoh side.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// `router` (robots connect to it) or `peer`/`client` (to a centre router).
    pub mode: String,
    pub listen: Vec<String>,
    pub connect: Vec<String>,
    /// Site id → site key.
    pub sites: BTreeMap<String, String>,
    /// Offline after this long without a status (the liveliness token usually says it sooner).
    pub offline_after_ms: u64,
    /// How long to wait for a robot's reply.
    pub reply_timeout_ms: u64,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            mode: "router".into(),
            listen: vec!["tcp/127.0.0.1:7447".into()],
            connect: Vec::new(),
            sites: BTreeMap::new(),
            offline_after_ms: 2500,
            reply_timeout_ms: 3000,
        }
    }
}

/// What the hub saw that the web application may want to show or audit.
#[derive(Clone, Debug)]
pub enum Notice {
    /// A verified event.
    Event(Event),
    /// A refused payload: its key and why.
    Rejected { key: String, reason: String },
}

/// The hub.
pub struct Hub {
    session: zenoh::Session,
    cfg: HubConfig,
    fleet: Arc<Mutex<Fleet>>,
    next_id: AtomicU64,
    notices: broadcast::Sender<Notice>,
    tasks: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Open the hub's Zenoh session and start listening.
    pub async fn start(cfg: HubConfig) -> Result<Hub> {
        for (site, key) in &cfg.sites {
            if !proto::valid_id(site) {
                return Err(FleetError::Param {
                    key: format!("sites.{site}"),
                    detail: "site ids are 1-48 of a-z 0-9 - _".into(),
                });
            }
            if key.len() < 16 {
                return Err(FleetError::Param {
                    key: format!("sites.{site}"),
                    detail: "the site key needs at least 16 characters".into(),
                });
            }
        }
        let session = zenoh::open(zenoh_config(&cfg.mode, &cfg.listen, &cfg.connect)?)
            .await
            .map_err(FleetError::zenoh)?;
        let fleet = Arc::new(Mutex::new(Fleet::new(cfg.offline_after_ms)));
        let (notices, _) = broadcast::channel(1024);
        let sites = Arc::new(cfg.sites.clone());
        let mut tasks = Vec::new();

        let reject = {
            let notices = notices.clone();
            move |key: &str, reason: String| {
                tracing::warn!(key, reason = %reason, "fleet payload refused");
                let _ = notices.send(Notice::Rejected {
                    key: key.to_string(),
                    reason,
                });
            }
        };
        // status
        let sub = session
            .declare_subscriber(format!("{}/*/*/{}", keys::ROOT, keys::STATUS))
            .await
            .map_err(FleetError::zenoh)?;
        {
            let (fleet, sites, reject) = (fleet.clone(), sites.clone(), reject.clone());
            tasks.push(tokio::spawn(async move {
                while let Ok(sample) = sub.recv_async().await {
                    let key = sample.key_expr().as_str().to_string();
                    let bytes = sample.payload().to_bytes();
                    match verify::<Status>(&sites, &key, &bytes, proto::MAX_STATUS_BYTES, "status") {
                        Ok(s) => {
                            if let Err(crate::state::Rejected::Duplicate { id, site }) =
                                lock(&fleet).on_status(s, now_ms())
                            {
                                reject(
                                    &key,
                                    format!("duplicate robot id {id:?} (from site {site}): another robot with this id is online"),
                                );
                            }
                        }
                        Err(e) => reject(&key, e.to_string()),
                    }
                }
            }));
        }
        // events
        let sub = session
            .declare_subscriber(format!("{}/*/*/{}", keys::ROOT, keys::EVENTS))
            .await
            .map_err(FleetError::zenoh)?;
        {
            let (fleet, sites, reject, notices) = (
                fleet.clone(),
                sites.clone(),
                reject.clone(),
                notices.clone(),
            );
            tasks.push(tokio::spawn(async move {
                while let Ok(sample) = sub.recv_async().await {
                    let key = sample.key_expr().as_str().to_string();
                    let bytes = sample.payload().to_bytes();
                    match verify::<Event>(&sites, &key, &bytes, proto::MAX_EVENT_BYTES, "event") {
                        Ok(e) => {
                            lock(&fleet).on_event(&e);
                            let _ = notices.send(Notice::Event(e));
                        }
                        Err(e) => reject(&key, e.to_string()),
                    }
                }
            }));
        }
        // liveliness: a robot whose link went away is offline at once
        let alive = session
            .liveliness()
            .declare_subscriber(format!("{}/*/*/{}", keys::ROOT, keys::ALIVE))
            .await
            .map_err(FleetError::zenoh)?;
        {
            let fleet = fleet.clone();
            tasks.push(tokio::spawn(async move {
                while let Ok(sample) = alive.recv_async().await {
                    if sample.kind() == zenoh::sample::SampleKind::Delete {
                        if let Some((site, robot, _)) = keys::parse(sample.key_expr().as_str()) {
                            lock(&fleet).on_gone(site, robot);
                        }
                    }
                }
            }));
        }
        Ok(Hub {
            session,
            cfg,
            fleet,
            next_id: AtomicU64::new(now_ms()),
            notices,
            tasks,
        })
    }

    /// Every robot seen, with `online` as of now.
    pub fn robots(&self) -> Vec<RobotView> {
        let mut f = lock(&self.fleet);
        f.tick(now_ms());
        f.all().cloned().collect()
    }

    /// One robot.
    pub fn robot(&self, id: &str) -> Option<RobotView> {
        let mut f = lock(&self.fleet);
        f.tick(now_ms());
        f.get(id).cloned()
    }

    /// Events and refusals as they come.
    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    fn site_key(&self, site: &str) -> Result<&[u8]> {
        self.cfg
            .sites
            .get(site)
            .map(|k| k.as_bytes())
            .ok_or_else(|| FleetError::Refused(format!("unknown site {site:?}")))
    }

    async fn ask(
        &self,
        site: &str,
        robot: &str,
        leaf: &str,
        payload: Vec<u8>,
        max: usize,
    ) -> Result<Reply> {
        let key = self.site_key(site)?;
        let replies = self
            .session
            .get(keys::key(site, robot, leaf))
            .payload(payload)
            .timeout(Duration::from_millis(self.cfg.reply_timeout_ms))
            .await
            .map_err(FleetError::zenoh)?;
        match replies.recv_async().await {
            Ok(r) => match r.result() {
                Ok(sample) => {
                    proto::decode::<Reply>("reply", &sample.payload().to_bytes(), max, site, key)
                }
                Err(e) => Err(FleetError::Zenoh(format!(
                    "{robot}: {}",
                    e.payload().try_to_string().unwrap_or_default()
                ))),
            },
            Err(_) => Err(FleetError::Zenoh(format!(
                "{robot}: no reply within {} ms (offline?)",
                self.cfg.reply_timeout_ms
            ))),
        }
    }

    /// Send a command (already authorised by the caller for `role` on `site`) and wait for the
    /// robot's verdict.
    pub async fn command(
        &self,
        site: &str,
        robot: &str,
        user: &str,
        role: Role,
        body: CommandBody,
    ) -> Result<Reply> {
        let cmd = Command {
            v: PROTOCOL_VERSION,
            site: site.into(),
            robot: robot.into(),
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            ts_ms: now_ms(),
            user: user.into(),
            role,
            body,
        };
        let payload = proto::encode(&cmd, self.site_key(site)?);
        self.ask(site, robot, keys::CMD, payload, proto::MAX_COMMAND_BYTES)
            .await
    }

    /// Push a checked knowledge base to one robot; the reply says whether it switched.
    pub async fn push_kb(&self, site: &str, robot: &str, kb: &KbVersion) -> Result<Reply> {
        let push = KbPush {
            v: PROTOCOL_VERSION,
            site: site.into(),
            robot: robot.into(),
            version: kb.version.clone(),
            files: kb.files.clone(),
        };
        let payload = proto::encode(&push, self.site_key(site)?);
        let r = self
            .ask(site, robot, keys::KB, payload, proto::MAX_COMMAND_BYTES)
            .await?;
        lock(&self.fleet).set_kb_version(robot, &r.kb_version);
        Ok(r)
    }

    /// The map or the blurred image of a robot (`leaf` = `map` or `image`).
    pub async fn fetch(&self, site: &str, robot: &str, leaf: &str) -> Result<Vec<u8>> {
        self.site_key(site)?;
        let replies = self
            .session
            .get(keys::key(site, robot, leaf))
            .timeout(Duration::from_millis(self.cfg.reply_timeout_ms))
            .await
            .map_err(FleetError::zenoh)?;
        let r = replies
            .recv_async()
            .await
            .map_err(|_| FleetError::Zenoh(format!("{robot}: no reply")))?;
        // an error reply is the robot saying it has none (no map or image received yet)
        let sample = r.into_result().map_err(|e| {
            let why = e.payload().try_to_string().unwrap_or_default().into_owned();
            FleetError::Absent(format!("{robot} has no {leaf}: {why}"))
        })?;
        let b = sample.payload().to_bytes();
        if b.len() > proto::MAX_BLOB_BYTES {
            return Err(FleetError::TooLarge {
                what: "map or image",
                len: b.len(),
                max: proto::MAX_BLOB_BYTES,
            });
        }
        Ok(b.into_owned())
    }

    /// Close the session (robots lose the link; their teleop stops).
    pub async fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
        let _ = self.session.close().await;
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Decode a payload from `key` with its site's key, and check that it names the site and robot
/// its key does.
fn verify<T: serde::de::DeserializeOwned + Named>(
    sites: &BTreeMap<String, String>,
    key: &str,
    bytes: &[u8],
    max: usize,
    what: &'static str,
) -> Result<T> {
    let (site, robot, _) = keys::parse(key)
        .ok_or_else(|| FleetError::Refused(format!("key {key:?} is not letan/<site>/<robot>/…")))?;
    let site_key = sites
        .get(site)
        .ok_or_else(|| FleetError::Refused(format!("unknown site {site:?}")))?;
    let t: T = proto::decode(what, bytes, max, site, site_key.as_bytes())?;
    if t.site() != site || t.robot() != robot {
        return Err(FleetError::Refused(format!(
            "{what} names {}/{} but came on {key}",
            t.site(),
            t.robot()
        )));
    }
    Ok(t)
}

trait Named {
    fn site(&self) -> &str;
    fn robot(&self) -> &str;
}
impl Named for Status {
    fn site(&self) -> &str {
        &self.site
    }
    fn robot(&self) -> &str {
        &self.robot
    }
}
impl Named for Event {
    fn site(&self) -> &str {
        &self.site
    }
    fn robot(&self) -> &str {
        &self.robot
    }
}
