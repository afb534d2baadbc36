//! A pretend navigator serving `nav2_msgs/action/NavigateToPose` on DDS, to try action clients
//! against (`letan action send_goal`, `ros2 action send_goal`, RViz's Nav2 panel):
//!
//! ```text
//! cargo run -p letan-transport --example navigate_to_pose_demo [action_name]
//! letan action send_goal /navigate_to_pose nav2_msgs/action/NavigateToPose \
//!     '{pose: {header: {frame_id: map}, pose: {position: {x: 2.0}}}}' --feedback
//! ```
//!
//! The "robot" moves 1 m/s straight to the goal from where it is, publishing feedback at 5 Hz. A
//! new goal preempts (aborts) the running one, a cancel is accepted, a goal farther than 50 m is
//! rejected. Ctrl-C stops.
#![allow(clippy::disallowed_methods)] // an example edge: it times goals in wall time
use letan_transport::action::{GoalId, GoalOutcome};
use letan_transport::msgs::builtin_interfaces::Duration as RosDuration;
use letan_transport::msgs::nav2_msgs::{
    NavigateToPose, NavigateToPoseFeedback, NavigateToPoseGoal, NavigateToPoseResult,
};
use letan_transport::{shutdown_signal, Context};
use std::time::{Duration, Instant};

struct Running {
    id: GoalId,
    goal: NavigateToPoseGoal,
    started: Instant,
}

#[tokio::main]
async fn main() -> letan_transport::Result<()> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/navigate_to_pose".into());
    let ctx = Context::dds_from_env()?;
    let node = ctx.node("navigate_to_pose_demo", "/")?;
    let server = node.action_server::<NavigateToPose>(&name)?;
    println!(
        "serving {} (nav2_msgs/action/NavigateToPose)",
        server.name()
    );
    let (mut x, mut y) = (0.0f64, 0.0f64);
    let mut running: Option<Running> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let result = |code: u16, msg: &str| NavigateToPoseResult {
        error_code: code,
        error_msg: msg.into(),
    };
    loop {
        tokio::select! {
            Some(req) = server.recv_goal() => {
                let p = &req.goal().pose.pose.position;
                let far = ((p.x - x).powi(2) + (p.y - y).powi(2)).sqrt();
                if far > 50.0 {
                    println!("goal {} rejected: {far:.1} m away", req.goal_id());
                    req.reject()?;
                    continue;
                }
                if let Some(old) = running.take() {
                    println!("goal {} preempted", old.id);
                    server.finish(old.id, GoalOutcome::Aborted, result(NavigateToPoseResult::UNKNOWN, "preempted by a new goal"))?;
                }
                let id = req.goal_id();
                let goal = req.accept()?;
                println!("goal {id} accepted: ({:.2}, {:.2})", goal.pose.pose.position.x, goal.pose.pose.position.y);
                running = Some(Running { id, goal, started: Instant::now() });
            }
            Some(cancel) = server.recv_cancel() => {
                for id in cancel.accept_all()? {
                    println!("goal {id} canceled");
                    server.finish(id, GoalOutcome::Canceled, result(NavigateToPoseResult::NONE, ""))?;
                    running = None;
                }
            }
            _ = tick.tick() => {
                let Some(r) = running.as_ref() else { continue };
                let target = &r.goal.pose.pose.position;
                let (dx, dy) = (target.x - x, target.y - y);
                let left = (dx * dx + dy * dy).sqrt();
                let step = 0.2; // 1 m/s at 5 Hz
                if left <= step {
                    (x, y) = (target.x, target.y);
                    println!("goal {} reached", r.id);
                    server.finish(r.id, GoalOutcome::Succeeded, result(NavigateToPoseResult::NONE, ""))?;
                    running = None;
                    continue;
                }
                x += dx / left * step;
                y += dy / left * step;
                let mut f = NavigateToPoseFeedback {
                    navigation_time: r.started.elapsed().into(),
                    estimated_time_remaining: RosDuration::from_secs_f64(left - step),
                    distance_remaining: (left - step) as f32,
                    ..Default::default()
                };
                f.current_pose.header = r.goal.pose.header.clone();
                f.current_pose.pose.position.x = x;
                f.current_pose.pose.position.y = y;
                server.publish_feedback(r.id, f)?;
            }
            _ = shutdown_signal() => return Ok(()),
        }
    }
}
