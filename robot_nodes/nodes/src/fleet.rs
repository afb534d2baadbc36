//! The fleet node: the robot's topics ↔ `letan-fleet`'s Zenoh gateway (`letan/<site>/<robot>/…`).
//!
//! Optional: not in the default launch files (in `client` mode it needs a reachable Zenoh router).
//! Parameters: [`letan_fleet::gateway::GatewayConfig`] (`site`, `robot`, `site_key`, `connect`, …).
//!
//! | direction | topic | type | to/from the fleet |
//! |---|---|---|---|
//! | in | `/odom` | nav_msgs/Odometry | status: pose, in the map frame once map → odom is known |
//! | in | `/tf` map → odom (the localisation), else `/tf_static` map → odom (a fixed placement) | tf2_msgs/TFMessage | status: the pose in the map frame |
//! | in | `/dialog/state` | letan_interfaces/DialogState | status: dialog state |
//! | in | `/nav/guide_status` | letan_interfaces/GuideStatus | status: navigation state |
//! | in | `/mux/status` | letan_interfaces/MuxStatus | status: e-stop, active input |
//! | in | `/staff/alert` | letan_interfaces/StaffAlert | event: staff alert |
//! | in | `/intent` | letan_interfaces/Intent | event: question (answered, or unanswered with the redacted text), sent once the dialog's reaction is known (`handoff_window_s`) |
//! | in | `/dialog/state` → `handover` | letan_interfaces/DialogState | event: the question handed to staff (the pending one, else the dialog's last intent) |
//! | in | `/nav/guide_status` → `failed` | letan_interfaces/GuideStatus | event: error (place, Nav2 error code and message) |
//! | in | `/tf` (from `map`), `/humans/faces/tracked`, `/tts/status`, `/humans/voices/tracked` | TFMessage, IdsList, SpeechStatus, IdsList | status: node health ([`letan_fleet::health`]), with `/dialog/state`, `/nav/guide_status`, `/mux/status` and the debug image; an error event when a node that was heard goes silent |
//! | in | `/map` | nav_msgs/OccupancyGrid | the map served on request, as a trinary PGM whose comment gives its placement (`resolution R origin X Y YAW`) |
//! | in | `/humans/faces/debug_image` | sensor_msgs/Image | the camera served on request, as JPEG at most once a second; the face node pixelates faces in it (`blur_debug_image`, on by default) |
//! | out | `/cmd_vel_teleop_console` | geometry_msgs/Twist | hub teleop (the mux's deadman applies too; a zero when the gateway's 0.5 s deadman runs out) |
//! | out | `/mux/operator_estop` | std_msgs/Bool | hub e-stop |
//! | out | `/tts/say` | letan_interfaces/SayRequest | hub "say this" |
//! | out | `/nav/goal` | letan_interfaces/NavGoalPlace | hub "go to" |
use crate::common::{kb_files, repo_root, resolve, start, NodeArgs, NodesError};
use letan_fleet::gateway::{Gateway, GatewayConfig, ToRobot};
use letan_fleet::health::{Health, EXPECTED};
use letan_fleet::proto::{EventKind, Outcome};
use letan_msgs::geometry_msgs::{TransformStamped, Twist};
use letan_msgs::hri_msgs::IdsList;
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, Intent, MuxStatus, NavGoalPlace, SayRequest, SpeechStatus, StaffAlert,
};
use letan_msgs::nav_msgs::{OccupancyGrid as MapMsg, Odometry};
use letan_msgs::sensor_msgs::Image;
use letan_msgs::std_msgs::Bool;
use letan_msgs::tf2_msgs::TFMessage;
use letan_transport::{Context, Node, Publisher, Qos};
use std::future::Future;
use std::time::Duration;

/// How long a question waits for the dialog's reaction (a handover makes it "handed to staff").
const HANDOFF_WINDOW_S: f64 = 2.0;
/// The frame the navigation node's localisation publishes `/tf` from.
const MAP_FRAME: &str = "map";
/// The odometry frame (`/odom`'s poses are in it).
const ODOM_FRAME: &str = "odom";

/// A transform from the map frame to the odometry frame.
fn is_map_odom(t: &TransformStamped) -> bool {
    t.header.frame_id.trim_start_matches('/') == MAP_FRAME
        && t.child_frame_id.trim_start_matches('/') == ODOM_FRAME
}

/// An odometry pose (x, y, yaw) in the map frame through the localisation's map → odom transform,
/// or as it is while there is none.
fn in_map(map_odom: Option<(f64, f64, f64)>, p: (f64, f64, f64)) -> (f64, f64, f64) {
    let Some((tx, ty, th)) = map_odom else {
        return p;
    };
    let (c, s) = (th.cos(), th.sin());
    let yaw = (p.2 + th).sin().atan2((p.2 + th).cos());
    (tx + c * p.0 - s * p.1, ty + s * p.0 + c * p.1, yaw)
}

/// The question from `/intent` not yet sent: the dialog may still hand the citizen to staff.
struct Pending {
    kind: EventKind,
    at: f64,
}

/// The question event for an `/intent` message: answered, or unanswered with the redacted text.
fn question_of(i: &Intent) -> EventKind {
    let unanswered = i.intent_id.is_empty();
    EventKind::Question {
        intent: if unanswered {
            "unknown".into()
        } else {
            i.intent_id.clone()
        },
        outcome: if unanswered {
            Outcome::Unanswered
        } else {
            Outcome::Answered
        },
        // redacted again at the hub; never a face, never a name
        text: unanswered.then(|| letan_fleet::proto::redact(&i.text)),
    }
}

/// The dialog handed the citizen to staff: the pending question ends that way (keeping the
/// redacted text of one the robot did not understand), or, with none pending, the dialog's last
/// intent does.
fn handoff(pending: Option<Pending>, d: &DialogState) -> EventKind {
    match pending.map(|p| p.kind) {
        Some(EventKind::Question { intent, text, .. }) => EventKind::Question {
            intent,
            outcome: Outcome::HandedToStaff,
            text,
        },
        _ => EventKind::Question {
            intent: if d.intent.is_empty() {
                "unknown".into()
            } else {
                d.intent.clone()
            },
            outcome: Outcome::HandedToStaff,
            text: None,
        },
    }
}

async fn send(gw: &Gateway, kind: EventKind) {
    if let Err(e) = gw.event(kind).await {
        tracing::debug!(error = %e, "event not sent to the fleet");
    }
}

/// What the fleet node remembers between messages: node health, the question waiting for the
/// dialog's reaction, the last dialog and guide states (events fire on a change), and when the
/// camera was last served.
struct Observer {
    health: Health,
    pending: Option<Pending>,
    dialog_was: String,
    guide_was: (String, String),
    image_at: Option<f64>,
}

impl Observer {
    async fn on_dialog(&mut self, gw: &Gateway, d: &DialogState, now: f64) {
        self.health.heard("dialog", now);
        gw.update(|s| s.dialog_state = d.state.clone());
        if d.state == "handover" && self.dialog_was != "handover" {
            send(gw, handoff(self.pending.take(), d)).await;
        }
        self.dialog_was = d.state.clone();
    }

    async fn on_guide(&mut self, gw: &Gateway, g: &GuideStatus, now: f64) {
        self.health.heard("navigation", now);
        gw.update(|s| s.nav_state = g.state.clone());
        let now_is = (g.place_id.clone(), g.state.clone());
        if g.state == "failed" && self.guide_was != now_is {
            let message = format!(
                "navigation to {:?} failed (error {}): {}",
                g.place_id.chars().take(64).collect::<String>(),
                g.error_code,
                g.error_msg.chars().take(200).collect::<String>()
            );
            send(gw, EventKind::Error { message }).await;
        }
        self.guide_was = now_is;
    }

    /// Every 250 ms: node health into the status, an error event for each node that went
    /// silent, and the pending question once its window is over.
    async fn on_tick(&mut self, gw: &Gateway, now: f64, has_publisher: impl Fn(&str) -> bool) {
        let (nodes, went_silent) = self.health.evaluate(now, has_publisher);
        gw.update(|s| s.nodes = nodes);
        for message in went_silent {
            tracing::warn!(%message, "fleet: a node went silent");
            send(gw, EventKind::Error { message }).await;
        }
        let due = |p: &Pending| now - p.at >= HANDOFF_WINDOW_S || now < p.at;
        if self.pending.as_ref().is_some_and(due) {
            if let Some(p) = self.pending.take() {
                send(gw, p.kind).await;
            }
        }
    }

    async fn on_intent(&mut self, gw: &Gateway, i: &Intent, now: f64) {
        if let Some(p) = self.pending.take() {
            send(gw, p.kind).await;
        }
        self.pending = Some(Pending {
            kind: question_of(i),
            at: now,
        });
    }

    /// The camera frame, served at most once a second.
    fn on_image(&mut self, gw: &Gateway, img: &Image, now: f64) {
        self.health.heard("face", now);
        if self.image_at.is_none_or(|t| now - t >= 1.0 || now < t) {
            self.image_at = Some(now);
            match crate::console::jpeg_of(img) {
                Ok(jpeg) => gw.set_blurred_image(jpeg),
                Err(e) => tracing::debug!(error = %e, "camera frame not served to the fleet"),
            }
        }
    }
}

/// The hub's commands, published on the robot's topics.
struct Commands {
    teleop: Publisher<Twist>,
    estop: Publisher<Bool>,
    say: Publisher<SayRequest>,
    goal: Publisher<NavGoalPlace>,
    said: u64,
}

impl Commands {
    fn new(node: &Node) -> Result<Self, NodesError> {
        Ok(Commands {
            teleop: node.publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())?,
            estop: node.publisher::<Bool>("/mux/operator_estop", Qos::commands())?,
            say: node.publisher::<SayRequest>("/tts/say", Qos::commands())?,
            goal: node.publisher::<NavGoalPlace>("/nav/goal", Qos::commands())?,
            said: 0,
        })
    }

    fn apply(&mut self, cmd: ToRobot) -> Result<(), NodesError> {
        match cmd {
            ToRobot::Teleop { linear, angular } => {
                self.teleop.publish(Twist::planar(linear, angular))?
            }
            ToRobot::TeleopStop => self.teleop.publish(Twist::default())?,
            ToRobot::Estop(engage) => self.estop.publish(Bool { data: engage })?,
            ToRobot::Say { text, lang } => {
                self.said += 1;
                self.say.publish(SayRequest {
                    id: format!("fleet-{}", self.said),
                    text,
                    language: lang,
                    ..SayRequest::default()
                })?
            }
            ToRobot::GoTo { place } => self.goal.publish(NavGoalPlace {
                place_id: place,
                ..NavGoalPlace::default()
            })?,
            ToRobot::KbSwitched { version } => {
                tracing::info!(%version, "fleet: new knowledge base installed");
            }
        }
        Ok(())
    }
}

/// Run the fleet node until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, mut p) = start::<GatewayConfig>(&ctx, &args, "fleet", |p| {
        p.validate().map_err(|e| e.to_string())
    })?;
    let kb_dir = (!p.kb_dir.trim().is_empty()).then(|| resolve(&repo_root(), &p.kb_dir));
    if let Some(d) = &kb_dir {
        p.kb_dir = d.display().to_string();
    }
    // The version the robot runs now; a push replaces the files in kb_dir (the intent router
    // reloads them from there).
    let initial = kb_files(kb_dir.as_deref())
        .ok()
        .and_then(|f| letan_fleet::kbpkg::check(f).ok());
    let odom = node.subscribe::<Odometry>("/odom", Qos::sensor_data())?;
    let dialog = node.subscribe::<DialogState>("/dialog/state", Qos::commands())?;
    let guide = node.subscribe::<GuideStatus>("/nav/guide_status", Qos::commands())?;
    let mux = node.subscribe::<MuxStatus>("/mux/status", Qos::commands())?;
    let alerts = node.subscribe::<StaffAlert>("/staff/alert", Qos::commands())?;
    let intents = node.subscribe::<Intent>("/intent", Qos::commands())?;
    let map = node.subscribe::<MapMsg>("/map", Qos::latched())?;
    let image = node.subscribe::<Image>("/humans/faces/debug_image", Qos::sensor_data())?;
    // heard from, for node health only
    let tf = node.subscribe::<TFMessage>("/tf", Qos::commands().with_depth(100))?;
    // a fixed map → odom (a robot placed by hand, the demo's stand-in): the pose only, not health
    let tf_static = node.subscribe::<TFMessage>("/tf_static", Qos::latched())?;
    let faces = node.subscribe::<IdsList>("/humans/faces/tracked", Qos::commands())?;
    let tts = node.subscribe::<SpeechStatus>("/tts/status", Qos::commands())?;
    let voices = node.subscribe::<IdsList>("/humans/voices/tracked", Qos::commands())?;
    let clock = node.clock();
    let mut seen = Observer {
        health: Health::new(&EXPECTED, p.node_silent_ms as f64 / 1000.0),
        pending: None,
        dialog_was: String::new(),
        guide_was: (String::new(), String::new()),
        image_at: None,
    };
    // the localisation's map → odom: the status pose is in the map frame once it is known
    let mut map_odom: Option<(f64, f64, f64)> = None;
    let mut check = tokio::time::interval(Duration::from_millis(250));
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut commands = Commands::new(&node)?;
    let (gw, mut rx) = Gateway::start(p, initial)
        .await
        .map_err(|e| NodesError::node(&node, e))?;
    tracing::info!(kb = %gw.kb_version(), "fleet gateway up");
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(o) = odom.recv() => gw.update(|s| {
                let (x, y, yaw) = in_map(
                    map_odom,
                    (o.pose.pose.position.x, o.pose.pose.position.y, o.pose.pose.orientation.yaw()),
                );
                s.pose = Some(letan_map::Pose2D::new(x, y, yaw));
                s.cmd_linear = o.twist.twist.linear.x;
                s.cmd_angular = o.twist.twist.angular.z;
            }),
            Some(d) = dialog.recv() => seen.on_dialog(&gw, &d, clock.seconds()).await,
            Some(g) = guide.recv() => seen.on_guide(&gw, &g, clock.seconds()).await,
            Some(m) = mux.recv() => {
                seen.health.heard("mux", clock.seconds());
                gw.update(|s| {
                    s.estop = m.estop_engaged;
                    s.active_input = m.active_input.clone();
                });
            }
            Some(t) = tf.recv() => {
                for x in &t.transforms {
                    if x.header.frame_id.trim_start_matches('/') == MAP_FRAME {
                        seen.health.heard("navigation", clock.seconds());
                        if is_map_odom(x) {
                            let (tr, q) = (&x.transform.translation, &x.transform.rotation);
                            map_odom = Some((tr.x, tr.y, q.yaw()));
                        }
                    }
                }
            }
            Some(t) = tf_static.recv() => {
                if let Some(m) = t.transforms.iter().rev().find(|x| is_map_odom(x)) {
                    let (tr, q) = (&m.transform.translation, &m.transform.rotation);
                    map_odom = Some((tr.x, tr.y, q.yaw()));
                }
            }
            Some(_) = faces.recv() => seen.health.heard("face", clock.seconds()),
            Some(_) = tts.recv() => seen.health.heard("tts", clock.seconds()),
            Some(_) = voices.recv() => seen.health.heard("asr", clock.seconds()),
            _ = check.tick() => {
                let has_publisher = |topic: &str| node.publisher_count(topic).unwrap_or(0) > 0;
                seen.on_tick(&gw, clock.seconds(), has_publisher).await;
            }
            Some(a) = alerts.recv() => {
                send(&gw, EventKind::StaffAlert { reason: a.reason.clone() }).await;
            }
            Some(i) = intents.recv() => seen.on_intent(&gw, &i, clock.seconds()).await,
            Some(m) = map.recv() => match map_pgm(&m) {
                Ok(pgm) => gw.set_map(pgm),
                Err(e) => tracing::warn!(error = %e, "map not served to the fleet"),
            },
            Some(img) = image.recv() => seen.on_image(&gw, &img, clock.seconds()),
            Some(cmd) = rx.recv() => commands.apply(cmd)?,
        }
    }
    commands.teleop.publish(Twist::default())?;
    if let Some(p) = seen.pending.take() {
        send(&gw, p.kind).await;
    }
    gw.close().await;
    Ok(())
}

/// The map as a trinary PGM (`letan_map::grid_to_pgm`: occupied black, free white, unknown grey).
fn map_pgm(m: &MapMsg) -> Result<Vec<u8>, String> {
    let o = &m.info.origin;
    let grid = letan_map::OccupancyGrid::new(
        m.info.width as usize,
        m.info.height as usize,
        f64::from(m.info.resolution),
        letan_map::Pose2D::new(o.position.x, o.position.y, o.orientation.yaw()),
        m.data.clone(),
    )
    .map_err(|e| e.to_string())?;
    // the placement, for whoever draws a pose on it (the hub's robot page)
    let comment = format!(
        "letan map for the fleet; resolution {} origin {} {} {}",
        m.info.resolution,
        o.position.x,
        o.position.y,
        o.orientation.yaw()
    );
    Ok(letan_map::grid_to_pgm(&grid, &comment))
}

#[cfg(test)]
mod tests {
    use super::in_map;

    #[test]
    fn odometry_poses_go_into_the_map_frame_through_map_to_odom() {
        let p = (1.0, 0.0, 0.5);
        assert_eq!(in_map(None, p), p, "as it is without localisation");
        let (x, y, yaw) = in_map(Some((2.0, 3.0, std::f64::consts::FRAC_PI_2)), p);
        assert!((x - 2.0).abs() < 1e-9 && (y - 4.0).abs() < 1e-9, "{x} {y}");
        assert!((yaw - (0.5 + std::f64::consts::FRAC_PI_2)).abs() < 1e-9);
        let (_, _, wrapped) = in_map(Some((0.0, 0.0, 3.0)), (0.0, 0.0, 3.0));
        assert!((wrapped - (6.0 - 2.0 * std::f64::consts::PI)).abs() < 1e-9);
    }
}
