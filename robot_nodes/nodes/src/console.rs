//! The operator console node: `letan-console`'s web server, with its `RobotLink` wired to the robot's
//! topics. The server never sees DDS; this file turns topics into `RobotState` snapshots and operator
//! commands into messages.
//!
//! | direction | topic | type | shown as / done |
//! |---|---|---|---|
//! | in | `/map` (transient local) | nav_msgs/OccupancyGrid | walls (merged cell edges) and extent |
//! | in | `/odom`, `/tf` (map → odom) | nav_msgs/Odometry, tf2_msgs/TFMessage | robot pose in the map |
//! | in | `/plan` | nav_msgs/Path | planned path |
//! | in | `/nav/people` | nav_msgs/Path (one pose per person) | people |
//! | in | `/nav/guide_status` | letan_interfaces/GuideStatus | current goal |
//! | in | `/humans/faces/debug_image` | sensor_msgs/Image (faces already pixelated by the face node) | camera (JPEG) |
//! | in | `/speech/transcript`, `/tts/status` | Transcript, SpeechStatus | conversation |
//! | in | `/dialog/state` | letan_interfaces/DialogState | dialog state |
//! | in | `/mux/status`, `/cmd_vel` | MuxStatus, Twist | active input, e-stop, velocity |
//! | in | `/staff/alert` | letan_interfaces/StaffAlert | alerts to acknowledge |
//! | out | `/cmd_vel_teleop_console` | geometry_msgs/Twist | drive (the mux's deadman stops it when it goes quiet) |
//! | out | `/mux/operator_estop` | std_msgs/Bool | e-stop (true) and release (false) |
//! | out | `/nav/goal` | letan_interfaces/NavGoalPlace | send to a place, dock, cancel |
//! | out | `/tts/say` | letan_interfaces/SayRequest | "say this" (high priority, interrupts) |
//!
//! Node health is read from the topics the nodes keep publishing (a node that falls silent turns red).
use crate::common::{repo_root, resolve, start, NodeArgs, NodesError};
use letan_console::clock::SystemClock;
use letan_console::config::ConsoleParams;
use letan_console::link::{
    robot_link, Alert, BlurredJpeg, MapInfo, MuxView, NodeHealth, OperatorCommand, Person, Place,
    Point2, Pose2D, RobotEnd, RobotState, TranscriptLine,
};
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, MuxStatus, NavGoalPlace, SayRequest, SpeechStatus, StaffAlert,
    Transcript,
};
use letan_msgs::nav_msgs::{OccupancyGrid, Odometry, Path};
use letan_msgs::sensor_msgs::Image;
use letan_msgs::std_msgs::{Bool, Header};
use letan_msgs::tf2_msgs::TFMessage;
use letan_transport::{Context, Node, Publisher, Qos, Rate, Subscriber};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Transcript lines kept for the console.
const TRANSCRIPT_LINES: usize = 50;
/// Alerts kept.
const MAX_ALERTS: usize = 50;
/// Path points sent to the browser at most.
const MAX_PATH_POINTS: usize = 300;
/// Camera frames encoded per second at most.
const CAMERA_HZ: f64 = 4.0;

/// Wall segments `[x0, y0, x1, y1]` along the edges between occupied (≥ 50) and other cells, merged
/// along rows and columns: a box becomes four segments whatever its size.
pub fn wall_segments(m: &OccupancyGrid) -> MapInfo {
    let (w, h) = (m.info.width as usize, m.info.height as usize);
    let res = f64::from(m.info.resolution);
    let (ox, oy) = (m.info.origin.position.x, m.info.origin.position.y);
    if w == 0 || h == 0 || m.data.len() < w * h || !(res.is_finite() && res > 0.0) {
        return MapInfo::default();
    }
    let occ = |x: isize, y: isize| -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < w
            && (y as usize) < h
            && m.data[y as usize * w + x as usize] >= 50
    };
    let mut walls = Vec::new();
    // Horizontal edges: between row y-1 and row y, for y in 0..=h.
    for y in 0..=h as isize {
        for side in [false, true] {
            let mut run: Option<isize> = None;
            for x in 0..=w as isize {
                let edge = x < w as isize && {
                    let (below, above) = (occ(x, y - 1), occ(x, y));
                    if side {
                        below && !above
                    } else {
                        above && !below
                    }
                };
                match (edge, run) {
                    (true, None) => run = Some(x),
                    (false, Some(x0)) => {
                        let yy = oy + y as f64 * res;
                        walls.push([ox + x0 as f64 * res, yy, ox + x as f64 * res, yy]);
                        run = None;
                    }
                    _ => {}
                }
            }
        }
    }
    for x in 0..=w as isize {
        for side in [false, true] {
            let mut run: Option<isize> = None;
            for y in 0..=h as isize {
                let edge = y < h as isize && {
                    let (left, right) = (occ(x - 1, y), occ(x, y));
                    if side {
                        left && !right
                    } else {
                        right && !left
                    }
                };
                match (edge, run) {
                    (true, None) => run = Some(y),
                    (false, Some(y0)) => {
                        let xx = ox + x as f64 * res;
                        walls.push([xx, oy + y0 as f64 * res, xx, oy + y as f64 * res]);
                        run = None;
                    }
                    _ => {}
                }
            }
        }
    }
    MapInfo {
        min: Point2 { x: ox, y: oy },
        max: Point2 {
            x: ox + w as f64 * res,
            y: oy + h as f64 * res,
        },
        walls,
    }
}

/// A JPEG of a camera frame (`bgr8`, `rgb8` or `mono8`), for the console. The frame must come from
/// the face node's debug image, where faces are already pixelated.
pub fn jpeg_of(img: &Image) -> Result<Vec<u8>, String> {
    let frame = letan_vision::ros::image_from_msg(img).map_err(|e| e.to_string())?;
    if frame.is_empty() {
        return Err("empty frame".into());
    }
    let rgb: Vec<u8> = frame
        .data()
        .chunks_exact(3)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode(
            &rgb,
            frame.width(),
            frame.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The e-stop reason from the mux status reasons (`"estop: operator"` → `operator`).
fn estop_reason(m: &MuxStatus) -> Option<String> {
    if !m.estop_engaged {
        return None;
    }
    Some(
        m.reasons
            .iter()
            .find_map(|r| r.strip_prefix("estop: "))
            .unwrap_or("engaged")
            .to_string(),
    )
}

/// The camera the face node reads (its default input topic).
const CAMERA_TOPIC: &str = crate::faces::DEFAULT_IMAGE_TOPIC;

struct Liveness {
    name: &'static str,
    /// When last heard from, on the bridge's wall clock.
    last: Option<Duration>,
    max_age: Duration,
}

struct Subs {
    map: Subscriber<OccupancyGrid>,
    odom: Subscriber<Odometry>,
    tf: Subscriber<TFMessage>,
    plan: Subscriber<Path>,
    people: Subscriber<Path>,
    guide: Subscriber<GuideStatus>,
    camera: Subscriber<Image>,
    transcript: Subscriber<Transcript>,
    tts: Subscriber<SpeechStatus>,
    dialog: Subscriber<DialogState>,
    mux: Subscriber<MuxStatus>,
    cmd: Subscriber<Twist>,
    alerts: Subscriber<StaffAlert>,
}

struct Pubs {
    teleop: Publisher<Twist>,
    estop: Publisher<Bool>,
    goal: Publisher<NavGoalPlace>,
    say: Publisher<SayRequest>,
}

/// The state the console shows, built from messages.
struct Bridge {
    state: RobotState,
    odom: Option<Pose2D>,
    /// `None` until navigation has published map → odom: until then the robot is "not localized"
    /// (odometry alone would put it at the map's origin).
    map_to_odom: Option<Pose2D>,
    transcript: VecDeque<TranscriptLine>,
    alerts: VecDeque<Alert>,
    next_alert: u64,
    camera_at: Option<Duration>,
    health: Vec<Liveness>,
    /// The wall clock (transport's system clock): the browser shows times of day, and node health
    /// and the camera rate are measured in wall time so that a paused simulation still shows them.
    wall: letan_transport::Clock,
}

impl Bridge {
    fn epoch_ms_f64(&self) -> f64 {
        self.wall.seconds() * 1e3
    }

    fn epoch_ms(&self) -> u64 {
        self.epoch_ms_f64() as u64
    }

    /// Wall time since `t` (zero if the wall clock went back).
    fn since(&self, t: Duration) -> Duration {
        self.wall.duration().saturating_sub(t)
    }

    /// A `/cmd_vel` from the mux, as it arrives: the velocity shown, and when it started moving.
    fn on_cmd_vel(&mut self, c: &Twist) {
        let moving = c.linear.x != 0.0 || c.angular.z != 0.0;
        let since = moving.then(|| {
            self.state
                .mux
                .moving_since_ms
                .unwrap_or_else(|| self.epoch_ms_f64())
        });
        self.state.mux = MuxView {
            cmd_linear: c.linear.x,
            cmd_angular: c.angular.z,
            moving_since_ms: since,
            ..self.state.mux.clone()
        };
    }

    fn line(&mut self, speaker: &str, lang: &str, text: &str) {
        let text: String = text.chars().take(500).collect();
        if text.trim().is_empty() {
            return;
        }
        self.transcript.push_back(TranscriptLine {
            at_ms: self.epoch_ms(),
            speaker: speaker.into(),
            lang: lang.into(),
            text,
        });
        while self.transcript.len() > TRANSCRIPT_LINES {
            self.transcript.pop_front();
        }
    }

    fn seen(&mut self, name: &str) {
        let now = self.wall.duration();
        if let Some(l) = self.health.iter_mut().find(|l| l.name == name) {
            l.last = Some(now);
        }
    }

    /// Everything that arrived since the last snapshot.
    fn drain(&mut self, s: &Subs, map_frame: &str, odom_frame: &str) {
        if let Some(m) = s.map.latest() {
            self.state.map = wall_segments(&m);
        }
        self.drain_pose(s, map_frame, odom_frame);
        self.drain_route(s);
        self.drain_camera(s);
        self.drain_talk(s);
        if let Some(d) = s.dialog.latest() {
            self.seen("dialog");
            self.state.dialog_state = d.state.chars().take(32).collect();
        }
        if let Some(m) = s.mux.latest() {
            self.seen("mux");
            self.state.mux.active = (!m.active_input.is_empty()).then(|| m.active_input.clone());
            self.state.mux.estop = estop_reason(&m);
        }
        if let Some(c) = s.cmd.latest() {
            self.on_cmd_vel(&c);
        }
        self.drain_alerts(s);
    }

    /// The robot's pose in the map: odometry composed with localization's map → odom.
    fn drain_pose(&mut self, s: &Subs, map_frame: &str, odom_frame: &str) {
        while let Some(o) = s.odom.try_recv() {
            let p = &o.pose.pose;
            let v = (p.position.x, p.position.y, p.orientation.yaw());
            if v.0.is_finite() && v.1.is_finite() && v.2.is_finite() {
                self.odom = Some(Pose2D::new(v.0, v.1, v.2));
            }
        }
        while let Some(tf) = s.tf.try_recv() {
            for t in &tf.transforms {
                if t.header.frame_id == map_frame && t.child_frame_id == odom_frame {
                    let r = &t.transform.rotation;
                    let q = letan_msgs::geometry_msgs::Quaternion {
                        x: r.x,
                        y: r.y,
                        z: r.z,
                        w: r.w,
                    };
                    let v = (
                        t.transform.translation.x,
                        t.transform.translation.y,
                        q.yaw(),
                    );
                    if v.0.is_finite() && v.1.is_finite() && v.2.is_finite() {
                        self.map_to_odom = Some(Pose2D::new(v.0, v.1, v.2));
                        self.seen("navigation");
                    }
                }
            }
        }
        if let (Some(o), Some(m)) = (self.odom, self.map_to_odom) {
            self.state.pose = Some(m.compose(&o));
        }
    }

    /// The planned path, the people navigation sees, and the goal.
    fn drain_route(&mut self, s: &Subs) {
        if let Some(p) = s.plan.latest() {
            let step = p.poses.len().div_ceil(MAX_PATH_POINTS).max(1);
            self.state.path = p
                .poses
                .iter()
                .step_by(step)
                .chain(p.poses.last())
                .map(|q| Point2 {
                    x: q.pose.position.x,
                    y: q.pose.position.y,
                })
                .filter(|q| q.x.is_finite() && q.y.is_finite())
                .collect();
        }
        if let Some(p) = s.people.latest() {
            self.state.people = p
                .poses
                .iter()
                .take(100)
                .enumerate()
                .map(|(i, q)| Person {
                    id: q
                        .header
                        .frame_id
                        .strip_prefix("person/")
                        .and_then(|x| x.parse().ok())
                        .unwrap_or(i as u32),
                    x: q.pose.position.x,
                    y: q.pose.position.y,
                })
                .filter(|q| q.x.is_finite() && q.y.is_finite())
                .collect();
        }
        while let Some(g) = s.guide.try_recv() {
            self.state.goal = matches!(
                g.state.as_str(),
                GuideStatus::STATE_NAVIGATING | GuideStatus::STATE_WAITING
            )
            .then(|| g.place_id.chars().take(64).collect());
            if !matches!(
                g.state.as_str(),
                GuideStatus::STATE_NAVIGATING | GuideStatus::STATE_WAITING
            ) {
                self.state.path.clear();
            }
        }
    }

    /// The (blurred) debug image, at most `CAMERA_HZ`.
    fn drain_camera(&mut self, s: &Subs) {
        if let Some(img) = s.camera.latest() {
            self.seen("face");
            let due = self
                .camera_at
                .is_none_or(|t| self.since(t).as_secs_f64() >= 1.0 / CAMERA_HZ);
            if due {
                self.camera_at = Some(self.wall.duration());
                match jpeg_of(&img)
                    .and_then(|j| BlurredJpeg::from_blurred_stream(j).map_err(|e| e.to_string()))
                {
                    Ok(j) => {
                        self.state.camera = Some(j);
                        self.state.camera_seq += 1;
                    }
                    Err(e) => tracing::debug!(error = %e, "camera frame not shown"),
                }
            }
        }
    }

    /// What the visitor said or typed and what the robot said, for the transcript.
    fn drain_talk(&mut self, s: &Subs) {
        while let Some(t) = s.transcript.try_recv() {
            if t.is_final {
                let who = if t.source == "keyboard" || t.source == "button" {
                    "visitor (typed)"
                } else {
                    "visitor"
                };
                self.line(who, &t.language.clone(), &t.text);
            }
        }
        while let Some(t) = s.tts.try_recv() {
            self.seen("tts");
            if t.speaking {
                self.line("robot", &t.language.clone(), &t.text);
            }
        }
    }

    /// Staff alerts; a repeat of an unacknowledged one is shown once.
    fn drain_alerts(&mut self, s: &Subs) {
        while let Some(a) = s.alerts.try_recv() {
            // Repeats of the same alert keep its id: shown once.
            let key: String = a.id.chars().take(64).collect();
            let text = format!(
                "[{}] {}{}",
                a.reason.chars().take(32).collect::<String>(),
                a.text.chars().take(300).collect::<String>(),
                if a.person_id.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (person {})",
                        a.person_id.chars().take(16).collect::<String>()
                    )
                }
            );
            if self
                .alerts
                .iter()
                .any(|x| x.text == text && x.acknowledged_by.is_none())
                && !key.is_empty()
            {
                continue;
            }
            self.next_alert += 1;
            self.alerts.push_back(Alert {
                id: self.next_alert,
                at_ms: self.epoch_ms(),
                text,
                acknowledged_by: None,
            });
            while self.alerts.len() > MAX_ALERTS {
                self.alerts.pop_front();
            }
        }
    }

    fn snapshot(&mut self, node: &Node) -> RobotState {
        // A silent face node with no camera to read is a missing camera, not a dead node: say which.
        let no_camera = || node.publisher_count(CAMERA_TOPIC).unwrap_or(0) == 0;
        let mut nodes: Vec<NodeHealth> = self
            .health
            .iter()
            .map(|l| NodeHealth {
                name: l.name.to_string(),
                ok: l.last.is_some_and(|t| self.since(t) <= l.max_age),
                detail: match l.last {
                    None if l.name == "face" && no_camera() => {
                        format!("not heard from: no camera (nothing publishes {CAMERA_TOPIC})")
                    }
                    None => "not heard from".into(),
                    Some(t) => format!("last message {:.1} s ago", self.since(t).as_secs_f64()),
                },
            })
            .collect();
        let tts = node.publisher_count("/tts/status").unwrap_or(0);
        nodes.push(NodeHealth {
            name: "tts".into(),
            ok: tts > 0,
            detail: format!("{tts} publisher(s) of /tts/status"),
        });
        let mut s = self.state.clone();
        s.stamp_ms = self.epoch_ms();
        s.nodes = nodes;
        s.transcript = self.transcript.iter().cloned().collect();
        s.alerts = self.alerts.iter().cloned().collect();
        s
    }

    fn command(
        &mut self,
        c: OperatorCommand,
        p: &Pubs,
        now: letan_msgs::builtin_interfaces::Time,
    ) -> Result<(), NodesError> {
        match c {
            OperatorCommand::Teleop { twist, .. } => {
                p.teleop
                    .publish(Twist::planar(twist.linear_x, twist.angular_z))?;
            }
            OperatorCommand::EStop { operator } => {
                tracing::warn!(%operator, "e-stop engaged from the console");
                p.estop.publish(Bool { data: true })?;
            }
            OperatorCommand::ReleaseEStop { operator } => {
                tracing::info!(%operator, "e-stop release from the console");
                p.estop.publish(Bool { data: false })?;
            }
            OperatorCommand::GoTo { operator, place } => {
                tracing::info!(%operator, %place, "goal from the console");
                p.goal.publish(NavGoalPlace {
                    header: Header::new(now, "map"),
                    place_id: place,
                    person_id: String::new(),
                    guide: false,
                })?;
            }
            OperatorCommand::CancelGoal { operator } => {
                tracing::info!(%operator, "goal cancelled from the console");
                p.goal.publish(NavGoalPlace {
                    header: Header::new(now, "map"),
                    ..NavGoalPlace::default()
                })?;
            }
            OperatorCommand::Dock { operator } => {
                tracing::info!(%operator, "dock from the console");
                p.goal.publish(NavGoalPlace {
                    header: Header::new(now, "map"),
                    place_id: "dock".into(),
                    person_id: String::new(),
                    guide: false,
                })?;
            }
            OperatorCommand::Say {
                operator,
                lang,
                text,
            } => {
                let code = match lang {
                    letan_console::link::Lang::Vi => "vi",
                    letan_console::link::Lang::En => "en",
                };
                tracing::info!(%operator, text = ?text, "say from the console");
                self.line("operator", code, &text);
                p.say.publish(SayRequest {
                    header: Header::new(now, "base_link"),
                    id: format!("console:{operator}"),
                    text,
                    language: code.into(),
                    voice: String::new(),
                    priority: SayRequest::PRIORITY_HIGH,
                    interrupt: true,
                })?;
            }
            OperatorCommand::AckAlert { operator, id } => {
                if let Some(a) = self.alerts.iter_mut().find(|a| a.id == id) {
                    a.acknowledged_by = Some(operator);
                }
            }
            other => tracing::warn!(command = ?other, "console command not handled"),
        }
        Ok(())
    }
}

/// Serve the console for the robot until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<ConsoleParams>(&ctx, &args, "console", |p| {
        p.validate().map_err(|e| e.to_string())
    })?;
    let (link, end) = robot_link(64);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(letan_console::run(
        params,
        link,
        Arc::new(SystemClock),
        async {
            let _ = stop_rx.await;
        },
    ));
    let result = bridge(&node, end, shutdown).await;
    let _ = stop_tx.send(());
    match server.await {
        Ok(Ok(())) => result,
        Ok(Err(e)) => Err(NodesError::node(&node, e)),
        Err(e) => Err(NodesError::node(
            &node,
            format!("the console server stopped: {e}"),
        )),
    }
}

async fn bridge(
    node: &Node,
    mut end: RobotEnd,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let subs = Subs {
        map: node.subscribe("/map", Qos::latched())?,
        odom: node.subscribe("/odom", Qos::sensor_data())?,
        tf: node.subscribe("/tf", Qos::commands().with_depth(100))?,
        plan: node.subscribe("/plan", Qos::commands())?,
        people: node.subscribe("/nav/people", Qos::sensor_data())?,
        guide: node.subscribe("/nav/guide_status", Qos::commands().with_depth(20))?,
        camera: node.subscribe(
            "/humans/faces/debug_image",
            Qos::sensor_data().with_depth(2),
        )?,
        transcript: node.subscribe("/speech/transcript", Qos::commands().with_depth(50))?,
        tts: node.subscribe("/tts/status", Qos::commands().with_depth(50))?,
        dialog: node.subscribe("/dialog/state", Qos::commands().with_depth(20))?,
        mux: node.subscribe("/mux/status", Qos::commands())?,
        cmd: node.subscribe("/cmd_vel", Qos::commands())?,
        alerts: node.subscribe("/staff/alert", Qos::commands().with_depth(20))?,
    };
    let pubs = Pubs {
        teleop: node.publisher("/cmd_vel_teleop_console", Qos::commands())?,
        estop: node.publisher("/mux/operator_estop", Qos::commands())?,
        goal: node.publisher("/nav/goal", Qos::commands())?,
        say: node.publisher("/tts/say", Qos::commands().with_depth(20))?,
    };
    let places = letan_map::Places::load(resolve(&repo_root(), "maps/places.yaml"))
        .map(|p| {
            p.places
                .iter()
                .map(|(id, pose)| Place {
                    id: id.clone(),
                    x: pose.x,
                    y: pose.y,
                })
                .collect()
        })
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no places for the console map");
            Vec::new()
        });
    let live = |name, secs| Liveness {
        name,
        last: None,
        max_age: Duration::from_secs_f64(secs),
    };
    let mut b = Bridge {
        state: RobotState {
            places,
            ..RobotState::default()
        },
        odom: None,
        map_to_odom: None,
        transcript: VecDeque::new(),
        alerts: VecDeque::new(),
        next_alert: 0,
        camera_at: None,
        wall: letan_transport::Clock::system(),
        health: vec![
            live("navigation", 2.0),
            live("mux", 1.0),
            live("dialog", 3.0),
            live("face", 3.0),
        ],
    };
    let clock = node.clock();
    // The console pushes at most 10 Hz; the bridge runs on the wall clock so that a paused
    // simulation still lets operators act.
    let mut rate = Rate::new(b.wall.clone(), 20.0);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            cmd = end.commands.recv() => {
                let Some(cmd) = cmd else { break };
                b.command(cmd, &pubs, clock.now())?;
            }
            // `/cmd_vel` as it arrives, not at the next tick: the moment the robot is told to move.
            Some(c) = subs.cmd.recv() => b.on_cmd_vel(&c),
            _ = rate.tick() => {
                b.drain(&subs, "map", "odom");
                if end.state.send(Arc::new(b.snapshot(node))).is_err() {
                    break;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use letan_msgs::nav_msgs::MapMetaData;

    fn grid(w: u32, h: u32, occupied: &[(u32, u32)]) -> OccupancyGrid {
        let mut data = vec![0i8; (w * h) as usize];
        for &(x, y) in occupied {
            data[(y * w + x) as usize] = 100;
        }
        OccupancyGrid {
            info: MapMetaData {
                resolution: 0.5,
                width: w,
                height: h,
                ..MapMetaData::default()
            },
            data,
            ..OccupancyGrid::default()
        }
    }

    #[test]
    fn a_box_of_cells_is_four_wall_segments() {
        let cells: Vec<(u32, u32)> = (2..5).flat_map(|x| (1..3).map(move |y| (x, y))).collect();
        let m = wall_segments(&grid(8, 6, &cells));
        assert_eq!(m.walls.len(), 4, "{:?}", m.walls);
        assert!(m.walls.contains(&[1.0, 0.5, 2.5, 0.5]), "{:?}", m.walls);
        assert!(m.walls.contains(&[1.0, 1.5, 2.5, 1.5]), "{:?}", m.walls);
        assert!(m.walls.contains(&[1.0, 0.5, 1.0, 1.5]), "{:?}", m.walls);
        assert!(m.walls.contains(&[2.5, 0.5, 2.5, 1.5]), "{:?}", m.walls);
        assert_eq!((m.max.x, m.max.y), (4.0, 3.0));
    }

    #[test]
    fn a_short_or_empty_map_draws_nothing_and_does_not_panic() {
        let mut m = grid(4, 4, &[(1, 1)]);
        m.data.truncate(3);
        assert!(wall_segments(&m).walls.is_empty());
        assert!(wall_segments(&OccupancyGrid::default()).walls.is_empty());
    }

    #[test]
    fn the_lobby_map_is_a_few_hundred_segments() {
        let root = repo_root();
        let g = letan_map::load_map(root.join("maps/lobby.yaml"))
            .unwrap()
            .grid;
        let msg = crate::nav::map_msg(&g, "map", Default::default());
        let m = wall_segments(&msg);
        assert!(
            m.walls.len() > 40 && m.walls.len() < 2000,
            "{}",
            m.walls.len()
        );
    }

    #[test]
    fn camera_frames_become_jpeg_and_bad_frames_are_refused() {
        let img = Image {
            width: 4,
            height: 2,
            encoding: "bgr8".into(),
            step: 12,
            data: vec![128; 24],
            ..Image::default()
        };
        let j = jpeg_of(&img).unwrap();
        assert_eq!(&j[..3], &[0xFF, 0xD8, 0xFF]);
        let bad = Image {
            data: vec![1; 5],
            ..img
        };
        assert!(jpeg_of(&bad).is_err());
    }
}
