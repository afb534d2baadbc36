//! The fleet node: the robot's topics ↔ `letan-fleet`'s Zenoh gateway (`letan/<site>/<robot>/…`).
//!
//! Optional: not in the default launch files (in `client` mode it needs a reachable Zenoh router).
//! Parameters: [`letan_fleet::gateway::GatewayConfig`] (`site`, `robot`, `site_key`, `connect`, …).
//!
//! | direction | topic | type | to/from the fleet |
//! |---|---|---|---|
//! | in | `/odom` | nav_msgs/Odometry | status: pose |
//! | in | `/dialog/state` | letan_interfaces/DialogState | status: dialog state |
//! | in | `/nav/guide_status` | letan_interfaces/GuideStatus | status: navigation state |
//! | in | `/mux/status` | letan_interfaces/MuxStatus | status: e-stop, active input |
//! | in | `/staff/alert` | letan_interfaces/StaffAlert | event: staff alert |
//! | in | `/intent` | letan_interfaces/Intent | event: question (answered, or unanswered with the redacted text) |
//! | in | `/map` | nav_msgs/OccupancyGrid | the map served on request, as a trinary PGM |
//! | in | `/humans/faces/debug_image` | sensor_msgs/Image | the camera served on request, as JPEG at most once a second; the face node pixelates faces in it (`blur_debug_image`, on by default) |
//! | out | `/cmd_vel_teleop_console` | geometry_msgs/Twist | hub teleop (the mux's deadman applies too; a zero when the gateway's 0.5 s deadman runs out) |
//! | out | `/mux/operator_estop` | std_msgs/Bool | hub e-stop |
//! | out | `/tts/say` | letan_interfaces/SayRequest | hub "say this" |
//! | out | `/nav/goal` | letan_interfaces/NavGoalPlace | hub "go to" |
use crate::common::{kb_files, repo_root, resolve, start, NodeArgs, NodesError};
use letan_fleet::gateway::{Gateway, GatewayConfig, ToRobot};
use letan_fleet::proto::{EventKind, Outcome, Pose2};
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, Intent, MuxStatus, NavGoalPlace, SayRequest, StaffAlert,
};
use letan_msgs::nav_msgs::{OccupancyGrid as MapMsg, Odometry};
use letan_msgs::sensor_msgs::Image;
use letan_msgs::std_msgs::Bool;
use letan_transport::{Context, Qos};
use std::future::Future;

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
    let clock = node.clock();
    let mut image_at: Option<f64> = None;
    let teleop = node.publisher::<Twist>("/cmd_vel_teleop_console", Qos::commands())?;
    let estop = node.publisher::<Bool>("/mux/operator_estop", Qos::commands())?;
    let say = node.publisher::<SayRequest>("/tts/say", Qos::commands())?;
    let goal = node.publisher::<NavGoalPlace>("/nav/goal", Qos::commands())?;
    let (gw, mut rx) = Gateway::start(p, initial)
        .await
        .map_err(|e| NodesError::node(&node, e))?;
    tracing::info!(kb = %gw.kb_version(), "fleet gateway up");
    let mut said = 0u64;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(o) = odom.recv() => gw.update(|s| {
                s.pose = Some(Pose2 {
                    x: o.pose.pose.position.x,
                    y: o.pose.pose.position.y,
                    yaw: o.pose.pose.orientation.yaw(),
                });
                s.cmd_linear = o.twist.twist.linear.x;
                s.cmd_angular = o.twist.twist.angular.z;
            }),
            Some(d) = dialog.recv() => gw.update(|s| s.dialog_state = d.state.clone()),
            Some(g) = guide.recv() => gw.update(|s| s.nav_state = g.state.clone()),
            Some(m) = mux.recv() => gw.update(|s| {
                s.estop = m.estop_engaged;
                s.active_input = m.active_input.clone();
            }),
            Some(a) = alerts.recv() => {
                if let Err(e) = gw.event(EventKind::StaffAlert { reason: a.reason.clone() }).await {
                    tracing::debug!(error = %e, "alert not sent to the fleet");
                }
            }
            Some(i) = intents.recv() => {
                let unanswered = i.intent_id.is_empty();
                let kind = EventKind::Question {
                    intent: if unanswered { "unknown".into() } else { i.intent_id.clone() },
                    outcome: if unanswered { Outcome::Unanswered } else { Outcome::Answered },
                    // redacted again at the hub; never a face, never a name
                    text: unanswered.then(|| letan_fleet::proto::redact(&i.text)),
                };
                if let Err(e) = gw.event(kind).await {
                    tracing::debug!(error = %e, "question not sent to the fleet");
                }
            }
            Some(m) = map.recv() => match map_pgm(&m) {
                Ok(pgm) => gw.set_map(pgm),
                Err(e) => tracing::warn!(error = %e, "map not served to the fleet"),
            },
            Some(img) = image.recv() => {
                let now = clock.seconds();
                if image_at.is_none_or(|t| now - t >= 1.0 || now < t) {
                    image_at = Some(now);
                    match crate::console::jpeg_of(&img) {
                        Ok(jpeg) => gw.set_blurred_image(jpeg),
                        Err(e) => tracing::debug!(error = %e, "camera frame not served to the fleet"),
                    }
                }
            }
            Some(cmd) = rx.recv() => match cmd {
                ToRobot::Teleop { linear, angular } => teleop.publish(Twist::planar(linear, angular))?,
                ToRobot::TeleopStop => teleop.publish(Twist::default())?,
                ToRobot::Estop(engage) => estop.publish(Bool { data: engage })?,
                ToRobot::Say { text, lang } => {
                    said += 1;
                    say.publish(SayRequest {
                        id: format!("fleet-{said}"),
                        text,
                        language: lang,
                        ..SayRequest::default()
                    })?
                }
                ToRobot::GoTo { place } => goal.publish(NavGoalPlace {
                    place_id: place,
                    ..NavGoalPlace::default()
                })?,
                ToRobot::KbSwitched { version } => {
                    tracing::info!(%version, "fleet: new knowledge base installed");
                }
            },
        }
    }
    teleop.publish(Twist::default())?;
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
    Ok(letan_map::grid_to_pgm(&grid, "letan map for the fleet"))
}
