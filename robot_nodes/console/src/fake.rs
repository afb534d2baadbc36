//! An in-memory robot for tests and `letan console --demo`: a kinematic base driven through a real
//! [`letan_mux::Mux`] (so the console-teleop deadman and the e-stop behave as on the robot), a lobby with
//! the places of `spec/places.tsv`, two wandering people, a transcript, node health and a staff-call alert.
use crate::clock::Clock;
use crate::link::{
    Alert, BlurredJpeg, Lang, MapInfo, MuxView, NodeHealth, OperatorCommand, Person, Place, Point2,
    Pose2D, RobotEnd, RobotState, TranscriptLine,
};
use letan_core::normalize_angle;
use letan_mux::{InputId, Mux, MuxParams, Twist2};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A synthetic, face-free 160×120 JPEG (the demo "camera").
pub const DEMO_JPEG: &[u8] = include_bytes!("../assets/demo_camera.jpg");

/// Places of the demo lobby (ids exactly as in `spec/places.tsv`), in metres on a 24 × 14 m floor.
pub fn demo_places() -> Vec<Place> {
    let mut v: Vec<Place> = [
        ("entrance", 1.0, 7.0),
        ("reception", 4.0, 10.5),
        ("queue_kiosk", 4.0, 4.0),
        ("waiting_area", 11.0, 6.5),
        ("printing_area", 20.0, 2.0),
        ("forms_desk", 16.0, 2.0),
        ("online_service_area", 21.0, 6.0),
        ("digital_signature_desk", 21.0, 9.0),
        ("charging_station", 8.0, 2.0),
        ("water_station", 12.0, 2.0),
        ("medical_corner", 2.0, 2.0),
        ("accessibility_desk", 7.0, 10.5),
        ("restroom", 23.0, 12.5),
        ("exit", 1.0, 5.0),
    ]
    .iter()
    .map(|&(id, x, y)| Place {
        id: id.to_string(),
        x,
        y,
    })
    .collect();
    for n in 1..=12 {
        v.push(Place {
            id: format!("counter_{n}"),
            x: 8.0 + f64::from(n - 1) * 1.2,
            y: 13.0,
        });
    }
    v
}

/// The dock pose (beside reception).
pub const DOCK: Pose2D = Pose2D::new(3.0, 10.5, 0.0);

/// What the fake saw, for tests.
#[derive(Debug, Default, Clone)]
pub struct FakeLog {
    /// Every operator command received, in order.
    pub commands: Vec<OperatorCommand>,
    /// Every mux output (elapsed since start, twist).
    pub cmd_vel: Vec<(Duration, Twist2)>,
}

/// Handle of a running fake robot.
pub struct FakeRobot {
    /// The last mux output (`/cmd_vel`).
    pub cmd_vel: watch::Receiver<Twist2>,
    /// Commands and outputs seen so far.
    pub log: Arc<Mutex<FakeLog>>,
    task: JoinHandle<()>,
}

impl Drop for FakeRobot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeRobot {
    /// Start the fake on the robot end of a link; it ticks every `period` (20 Hz in the demo).
    /// The mux starts released with a healthy heartbeat so the demo drives at once; press the e-stop to
    /// see it latch.
    pub fn spawn(end: RobotEnd, clock: Arc<dyn Clock>, period: Duration) -> Self {
        let (cmd_tx, cmd_rx) = watch::channel(Twist2::ZERO);
        let log = Arc::new(Mutex::new(FakeLog::default()));
        let task = tokio::spawn(run(end, clock, period, cmd_tx, log.clone()));
        FakeRobot {
            cmd_vel: cmd_rx,
            log,
            task,
        }
    }
}

fn lock(log: &Mutex<FakeLog>) -> std::sync::MutexGuard<'_, FakeLog> {
    match log.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Two people who wander a little, `t` seconds into the demo.
fn demo_people(t: f64) -> Vec<Person> {
    vec![
        Person {
            id: 7,
            x: 11.0 + 1.5 * (0.3 * t).sin(),
            y: 6.0 + 0.8 * (0.2 * t).cos(),
        },
        Person {
            id: 9,
            x: 4.5 + 0.3 * (0.5 * t).sin(),
            y: 4.6,
        },
    ]
}

/// A 24 × 14 m room with a door in its west wall.
fn demo_map() -> MapInfo {
    MapInfo {
        min: Point2 { x: 0.0, y: 0.0 },
        max: Point2 { x: 24.0, y: 14.0 },
        walls: vec![
            [0.0, 0.0, 24.0, 0.0],
            [24.0, 0.0, 24.0, 14.0],
            [24.0, 14.0, 0.0, 14.0],
            [0.0, 14.0, 0.0, 8.0],
            [0.0, 4.0, 0.0, 0.0],
        ],
    }
}

/// Every node well.
fn demo_health() -> Vec<NodeHealth> {
    ["mux", "nav", "dialog", "speech", "vision", "transport"]
        .iter()
        .map(|n| NodeHealth {
            name: (*n).into(),
            ok: true,
            detail: "fake".into(),
        })
        .collect()
}

#[allow(clippy::disallowed_methods)] // the demo robot moves in wall time for the browser
async fn run(
    mut end: RobotEnd,
    clock: Arc<dyn Clock>,
    period: Duration,
    cmd_tx: watch::Sender<Twist2>,
    log: Arc<Mutex<FakeLog>>,
) {
    let mut params = MuxParams::default();
    params.estop.start_latched = false;
    let Ok(mut mux) = Mux::new(params) else {
        tracing::error!("fake robot: default mux parameters refused");
        return;
    };
    let start = Instant::now();
    let places = demo_places();
    let mut pose = Pose2D::new(6.0, 7.0, 0.0);
    let mut goal: Option<(String, Point2)> = None;
    let mut transcript = vec![
        TranscriptLine {
            at_ms: clock.now_ms(),
            speaker: "visitor".into(),
            lang: "vi".into(),
            text: "Cho tôi hỏi quầy làm căn cước ở đâu?".into(),
        },
        TranscriptLine {
            at_ms: clock.now_ms(),
            speaker: "robot".into(),
            lang: "vi".into(),
            text: "Mời bác lấy số ở máy lấy số, rồi chờ gọi tên ở khu chờ.".into(),
        },
    ];
    let mut alerts = vec![Alert {
        id: 1,
        at_ms: clock.now_ms(),
        text: "A visitor at the waiting area asks for staff help".into(),
        acknowledged_by: None,
    }];
    let camera = BlurredJpeg::from_blurred_stream(DEMO_JPEG.to_vec()).ok();
    let mut camera_seq = 0u64;
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = start;
    let mut tick: u64 = 0;
    loop {
        tokio::select! {
            cmd = end.commands.recv() => {
                let Some(cmd) = cmd else { return };
                let now = start.elapsed();
                match &cmd {
                    OperatorCommand::Teleop { twist, .. } => {
                        if let Err(e) = mux.feed(InputId::ConsoleTeleop, *twist, now) {
                            tracing::warn!(error = %e, "fake robot: teleop refused");
                        }
                    }
                    OperatorCommand::EStop { .. } => mux.engage(now),
                    OperatorCommand::ReleaseEStop { .. } => {
                        if let Err(e) = mux.release(now) {
                            tracing::warn!(error = %e, "fake robot: release refused");
                        }
                    }
                    OperatorCommand::GoTo { place, .. } => {
                        goal = places.iter().find(|p| &p.id == place).map(|p| (p.id.clone(), Point2 { x: p.x, y: p.y }));
                    }
                    OperatorCommand::Dock { .. } => goal = Some(("dock".into(), Point2 { x: DOCK.x, y: DOCK.y })),
                    OperatorCommand::CancelGoal { .. } => goal = None,
                    OperatorCommand::Say { text, lang, .. } => transcript.push(TranscriptLine {
                        at_ms: clock.now_ms(),
                        speaker: "operator".into(),
                        lang: match lang { Lang::Vi => "vi".into(), Lang::En => "en".into() },
                        text: text.clone(),
                    }),
                    OperatorCommand::AckAlert { operator, id } => {
                        if let Some(a) = alerts.iter_mut().find(|a| a.id == *id) {
                            a.acknowledged_by = Some(operator.clone());
                        }
                    }
                }
                lock(&log).commands.push(cmd);
            }
            _ = ticker.tick() => {
                tick += 1;
                let now_i = Instant::now();
                let dt = now_i.duration_since(last).as_secs_f64().min(0.2);
                last = now_i;
                let now = start.elapsed();
                mux.feed_estop(false, now);
                // navigation: turn toward the goal, then drive
                let mut path = Vec::new();
                if let Some((_, g)) = &goal {
                    let (dx, dy) = (g.x - pose.x, g.y - pose.y);
                    let dist = dx.hypot(dy);
                    if dist < 0.15 {
                        goal = None;
                    } else {
                        path = vec![Point2 { x: pose.x, y: pose.y }, *g];
                        let err = normalize_angle(dy.atan2(dx) - pose.yaw);
                        let v = if err.abs() < 0.5 { (0.5 * dist).min(0.4) } else { 0.0 };
                        let _ = mux.feed(InputId::Navigation, Twist2::new(v, (1.5 * err).clamp(-0.8, 0.8)), now);
                    }
                }
                let (out, status) = mux.output(now);
                pose.x = (pose.x + out.linear_x * pose.yaw.cos() * dt).clamp(0.3, 23.7);
                pose.y = (pose.y + out.linear_x * pose.yaw.sin() * dt).clamp(0.3, 13.7);
                pose.yaw = normalize_angle(pose.yaw + out.angular_z * dt);
                lock(&log).cmd_vel.push((now, out));
                let _ = cmd_tx.send(out);
                if tick.is_multiple_of(10) {
                    camera_seq += 1;
                }
                let t = now.as_secs_f64();
                let snapshot = RobotState {
                    stamp_ms: clock.now_ms(),
                    pose: Some(pose),
                    path,
                    people: demo_people(t),
                    places: places.clone(),
                    map: demo_map(),
                    camera: camera.clone(),
                    camera_seq,
                    transcript: transcript.iter().rev().take(30).rev().cloned().collect(),
                    dialog_state: if goal.is_some() { "guiding".into() } else { "idle".into() },
                    mux: MuxView {
                        active: status.active.map(|a| a.as_str().to_string()),
                        estop: status.estop.engaged.map(|r| r.as_str().to_string()),
                        cmd_linear: out.linear_x,
                        cmd_angular: out.angular_z,
                        moving_since_ms: None,
                    },
                    nodes: demo_health(),
                    alerts: alerts.clone(),
                    goal: goal.as_ref().map(|g| g.0.clone()),
                };
                if end.state.send(Arc::new(snapshot)).is_err() {
                    return;
                }
            }
        }
    }
}
