//! The navigation node: `letan-nav`'s perception (localization, people tracker) and goal supervisor
//! (navigator, goal lifecycle) on the robot's topics. The node decides nothing itself: it turns
//! messages into domain inputs, and the supervisor's outputs into messages.
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/odom` | nav_msgs/Odometry (odom → base_link) |
//! | in | `/scan` | sensor_msgs/LaserScan |
//! | in | `/tf_static` | tf2_msgs/TFMessage (base_link → the scan's frame replaces `robot.laser_*`) |
//! | in | `/initialpose` | geometry_msgs/PoseWithCovarianceStamped (RViz "2D Pose Estimate") |
//! | in | `/nav/goal` | letan_interfaces/NavGoalPlace (a place id; `guide` = lead a person there; `""` = cancel) |
//! | in | `/goal_pose` | geometry_msgs/PoseStamped (RViz "2D Goal Pose", map frame) |
//! | in | `/mux/status` | letan_interfaces/MuxStatus (teleop takes over → the goal is cancelled; e-stop → paused) |
//! | out | `cmd_vel` (remapped to `/cmd_vel_nav` by the launch files) | geometry_msgs/Twist |
//! | out | `/map` (transient local) | nav_msgs/OccupancyGrid |
//! | out | `/plan` | nav_msgs/Path (map frame) |
//! | out | `/tf` | map → odom (tf2_msgs/TFMessage), from the particle filter |
//! | out | `/nav/guide_status` | letan_interfaces/GuideStatus (on change, and at 2 Hz while a goal runs; `wait_reason` says why it waits) |
//! | out | `/nav/people` | nav_msgs/Path: people tracked from the scan, one pose each (`frame_id` = `person/<id>`) |
//! | action | `/navigate_to_pose` | nav2_msgs/action/NavigateToPose (Jazzy): feedback at 2 Hz (distance remaining, ETA, recoveries); cancel; a new goal preempts (aborts) the old one; failures carry Nav2 error codes |
//!
//! The pose starts at `initial_place` (the dock) until `/initialpose` says otherwise. Velocity goes out
//! only while a goal runs, plus one zero when it ends, so the mux falls back to its other inputs.
mod action;
mod convert;
mod params;

pub use convert::{
    guide_status_msg, map_msg, scan_from_msg, wait_code, MAX_BEAMS, MAX_LASER_OFFSET_M,
};
pub use letan_nav::supervisor::ACTION_GOAL;
pub use params::{map_root, MapFiles, NavMap, NavNodeOptions, NavNodeParams, NavTopics};

use crate::common::{start, NodeArgs, NodesError};
use action::Action;
use convert::{laser_from_tf, path_msg, people_msg, pose2d, quat, stamp};
use letan_map::OccupancyGrid as Grid;
use letan_msgs::geometry_msgs::{
    PoseStamped, PoseWithCovarianceStamped, Transform, TransformStamped, Twist, Vector3,
};
use letan_msgs::letan_interfaces::{GuideStatus, MuxStatus, NavGoalPlace};
use letan_msgs::nav2_msgs::NavigateToPose;
use letan_msgs::nav_msgs::{OccupancyGrid, Odometry, Path};
use letan_msgs::sensor_msgs::LaserScan as ScanMsg;
use letan_msgs::std_msgs::Header;
use letan_msgs::tf2_msgs::TFMessage;
use letan_mux::InputId;
use letan_nav::navigator::Navigator;
use letan_nav::perception::Perception;
use letan_nav::supervisor::{
    CycleOut, GoalSource, GoalStatus, GoalSupervisor, OperatorState, DOCK,
};
use letan_nav::{Pose2D, Twist2D};
use letan_transport::{Context, Node, Publisher, Qos, Rate, Subscriber};
use std::future::Future;

/// Perception and the goal supervisor, fed from messages.
struct Nav {
    sup: GoalSupervisor,
    per: Perception,
    grid: Grid,
    map_frame: String,
    refused_scans: u64,
}

impl Nav {
    fn new(params: &NavNodeParams, map: NavMap, laser: Pose2D) -> Result<Nav, String> {
        let mut nav_params = params.nav();
        nav_params.robot.laser_x = laser.x;
        nav_params.robot.laser_y = laser.y;
        nav_params.robot.laser_yaw = laser.yaw;
        let nav = Navigator::new(nav_params.clone(), &map.grid, map.keepout.as_ref())
            .map_err(|e| e.to_string())?;
        let sup = GoalSupervisor::new(params.supervisor(), nav, map.places);
        let start = match params.node.initial_place.as_str() {
            "" => Pose2D::default(),
            DOCK => sup
                .place_pose(DOCK)
                .ok_or("the places file has no dock (key `node.initial_place`)")?,
            other => sup
                .places()
                .get(other)
                .map_err(|e| format!("key `node.initial_place`: {e}"))?,
        };
        let per = Perception::new(&map.grid, &nav_params, start).map_err(|e| e.to_string())?;
        Ok(Nav {
            sup,
            per,
            grid: map.grid,
            map_frame: params.node.map_frame.clone(),
            refused_scans: 0,
        })
    }

    fn scan(&mut self, m: &ScanMsg, now: f64) {
        match scan_from_msg(m) {
            Ok(s) => self.per.scan(s, now, self.sup.costmap()),
            Err(e) => {
                self.refused_scans += 1;
                if self.refused_scans.is_power_of_two() {
                    tracing::warn!(error = %e, refused = self.refused_scans, "scan refused");
                }
            }
        }
    }

    fn initial_pose(&mut self, m: &PoseWithCovarianceStamped) {
        let (p, c) = (pose2d(&m.pose.pose), &m.pose.covariance);
        match self.per.initial_pose(&self.grid, p, c[0].max(c[7]), c[35]) {
            Ok(()) => tracing::info!(x = p.x, y = p.y, "localization restarted at /initialpose"),
            Err(e) => tracing::warn!(error = %e, "initial pose refused"),
        }
    }

    fn goal_place(&mut self, g: &NavGoalPlace, now: f64) {
        match self
            .sup
            .goal_place(&g.place_id, g.guide, self.per.pose(), now)
        {
            Ok(()) if g.place_id.trim().is_empty() => tracing::info!("goal cancelled"),
            Ok(()) => tracing::info!(place = %g.place_id, guide = g.guide, "goal accepted"),
            Err(f) => {
                tracing::warn!(place = ?g.place_id, code = f.code.code(), error = %f.message, "goal rejected")
            }
        }
    }

    fn goal_pose(&mut self, g: &PoseStamped, now: f64) {
        if !g.header.frame_id.is_empty() && g.header.frame_id != self.map_frame {
            tracing::warn!(frame = %g.header.frame_id, "goal pose refused: not in the {} frame", self.map_frame);
            return;
        }
        let (target, at) = (pose2d(&g.pose), self.per.pose());
        if let Err(f) = self.sup.goal_pose(GoalSource::PoseTopic, target, at, now) {
            tracing::warn!(code = f.code.code(), error = %f.message, "goal pose rejected");
        }
    }

    fn mux_status(&mut self, m: &MuxStatus, now: f64) {
        let op = OperatorState {
            teleop: InputId::is_teleop_name(&m.active_input),
            estop: m.estop_engaged,
        };
        self.sup.operator(op, self.per.pose(), now);
    }

    /// One control cycle.
    fn step(&mut self, now: f64) -> CycleOut {
        let out = self.sup.step(&self.per.cycle(now));
        if out.stepped {
            self.per.scan_taken();
        }
        out
    }
}

/// The node's subscriptions.
struct Inputs {
    odom: Subscriber<Odometry>,
    scans: Subscriber<ScanMsg>,
    tf_static: Subscriber<TFMessage>,
    initial: Subscriber<PoseWithCovarianceStamped>,
    goals: Subscriber<NavGoalPlace>,
    goal_poses: Subscriber<PoseStamped>,
    mux: Subscriber<MuxStatus>,
}

impl Inputs {
    fn new(node: &Node, t: &NavTopics) -> Result<Inputs, NodesError> {
        Ok(Inputs {
            odom: node.subscribe(&t.odom, Qos::sensor_data())?,
            scans: node.subscribe(&t.scan, Qos::sensor_data())?,
            tf_static: node.subscribe(&t.tf_static, Qos::latched())?,
            initial: node.subscribe(&t.initial_pose, Qos::commands())?,
            goals: node.subscribe(&t.goal_place, Qos::commands())?,
            goal_poses: node.subscribe(&t.goal_pose, Qos::commands())?,
            mux: node.subscribe(&t.mux_status, Qos::commands())?,
        })
    }

    /// Everything that arrived since the last cycle, in order; whether a scan came.
    fn drain(&self, nav: &mut Nav, now: f64) -> bool {
        while let Some(o) = self.odom.try_recv() {
            let t = &o.twist.twist;
            nav.per
                .odometry(pose2d(&o.pose.pose), Twist2D::new(t.linear.x, t.angular.z));
        }
        let scan = self.scans.latest();
        if let Some(s) = &scan {
            nav.scan(s, now);
        }
        while let Some(p) = self.initial.try_recv() {
            nav.initial_pose(&p);
        }
        while let Some(g) = self.goals.try_recv() {
            nav.goal_place(&g, now);
        }
        while let Some(g) = self.goal_poses.try_recv() {
            nav.goal_pose(&g, now);
        }
        while let Some(m) = self.mux.try_recv() {
            nav.mux_status(&m, now);
        }
        scan.is_some()
    }

    /// The laser mount: `/tf_static` when it comes within a moment (late joiners get it latched),
    /// else the configured one; and the first scan, if one came.
    async fn laser_mount(&self, params: &NavNodeParams) -> (Pose2D, Option<ScanMsg>) {
        let r = &params.robot;
        let configured = Pose2D::new(r.laser_x, r.laser_y, r.laser_yaw);
        let first = tokio::time::timeout(std::time::Duration::from_secs(3), self.scans.recv())
            .await
            .ok()
            .flatten();
        let frame = first
            .as_ref()
            .map_or_else(|| "laser".to_string(), |s| s.header.frame_id.clone());
        let mut laser = configured;
        while let Some(tf) = self.tf_static.try_recv() {
            if let Some(p) = laser_from_tf(&tf, &params.node.base_frame, &frame) {
                laser = p;
            }
        }
        tracing::info!(frame = %frame, x = laser.x, y = laser.y, yaw = laser.yaw, from_tf = laser != configured, "laser mount");
        (laser, first)
    }
}

/// The node's publishers, and what was last published on the status topic.
struct Outputs {
    cmd: Publisher<Twist>,
    plan: Publisher<Path>,
    tf: Publisher<TFMessage>,
    status: Publisher<GuideStatus>,
    people: Publisher<Path>,
    last_status: Option<GoalStatus>,
    status_at: f64,
}

impl Outputs {
    fn new(node: &Node, t: &NavTopics) -> Result<Outputs, NodesError> {
        Ok(Outputs {
            cmd: node.publisher(&t.cmd_vel, Qos::commands())?,
            plan: node.publisher(&t.plan, Qos::commands())?,
            tf: node.publisher(&t.tf, Qos::commands().with_depth(100))?,
            status: node.publisher(&t.guide_status, Qos::commands().with_depth(20))?,
            people: node.publisher(&t.people, Qos::sensor_data())?,
            last_status: None,
            status_at: f64::NEG_INFINITY,
        })
    }

    /// The cycle's velocity, new plan, map → odom and (after a scan) the people.
    fn cycle(
        &self,
        nav: &Nav,
        out: CycleOut,
        scanned: bool,
        now: f64,
        o: &NavNodeOptions,
    ) -> Result<(), NodesError> {
        if let Some(c) = out.cmd {
            self.cmd.publish(Twist::planar(c.linear, c.angular))?;
        }
        let (mf, stamp_now) = (&o.map_frame, stamp(now));
        if out.new_path {
            self.plan
                .publish(path_msg(&nav.sup.path().poses, mf, stamp_now))?;
        }
        if let Some(m2o) = nav.per.map_to_odom() {
            let header = Header::new(stamp(now + o.transform_tolerance_s), mf.clone());
            self.tf.publish(TFMessage {
                transforms: vec![TransformStamped {
                    header,
                    child_frame_id: o.odom_frame.clone(),
                    transform: Transform {
                        translation: Vector3 {
                            x: m2o.x,
                            y: m2o.y,
                            z: 0.0,
                        },
                        rotation: quat(m2o.yaw),
                    },
                }],
            })?;
        }
        if scanned {
            self.people
                .publish(people_msg(nav.per.people(), mf, stamp_now))?;
        }
        Ok(())
    }

    /// The goal status: on change, and every 0.5 s while a goal runs.
    fn status(&mut self, nav: &Nav, now: f64, mf: &str) -> Result<(), NodesError> {
        let status = nav.sup.status();
        let changed = self.last_status.as_ref() != Some(&status);
        let running = nav.sup.running().is_some();
        if !(changed || (running && now - self.status_at >= 0.5)) {
            return Ok(());
        }
        let msg = guide_status_msg(&status, Header::new(stamp(now), mf));
        let new_state = self
            .last_status
            .as_ref()
            .is_none_or(|l| (&l.phase, &l.place) != (&status.phase, &status.place));
        if new_state {
            tracing::info!(place = %msg.place_id, state = %msg.state, error = %msg.error_msg, wait = msg.wait_reason, "guide status");
        }
        self.status.publish(msg)?;
        self.status_at = now;
        self.last_status = Some(status);
        Ok(())
    }
}

/// Run the navigation node until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<NavNodeParams>(&ctx, &args, "navigation", |p| p.validate())?;
    let map = NavMap::load(&params.node.maps).map_err(|e| NodesError::node(&node, e))?;
    let (t, o) = (&params.node.topics, &params.node);
    let clock = node.clock();
    let map_pub = node.publisher::<OccupancyGrid>(&t.map, Qos::latched())?;
    map_pub.publish(map_msg(&map.grid, &o.map_frame, clock.now()))?;
    let mut outs = Outputs::new(&node, t)?;
    let ins = Inputs::new(&node, t)?;
    let (laser, first_scan) = ins.laser_mount(&params).await;
    let mut nav = Nav::new(&params, map, laser).map_err(|e| NodesError::node(&node, e))?;
    if let Some(s) = first_scan {
        nav.scan(&s, clock.seconds());
    }
    // Nav2's action, so that ROS 2 tools (RViz's Nav2 panel, `ros2 action send_goal`) can send goals.
    let mut action = Action {
        server: node.action_server::<NavigateToPose>(&t.navigate_to_pose)?,
        goal: None,
        feedback_at: f64::NEG_INFINITY,
    };
    let mut rate = Rate::new(clock.clone(), params.controller.rate_hz);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = rate.tick() => {}
            Some(req) = action.server.recv_goal() => {
                action.on_goal(&mut nav, req, clock.seconds())?;
                continue;
            }
            Some(cancel) = action.server.recv_cancel() => {
                action.on_cancel(&mut nav, cancel)?;
                continue;
            }
        }
        let now = clock.seconds();
        let scanned = ins.drain(&mut nav, now);
        let out = nav.step(now);
        outs.cycle(&nav, out, scanned, now, o)?;
        outs.status(&nav, now, &o.map_frame)?;
        action.report(&nav, now)?;
    }
    outs.cmd.publish(Twist::default())?;
    Ok(())
}
