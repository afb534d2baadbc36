//! The velocity mux node: `letan-mux` between the velocity sources and `/cmd_vel`.
//!
//! | direction | topic (default) | type |
//! |---|---|---|
//! | in | `/cmd_vel_nav`, `/cmd_vel_greeting`, `/cmd_vel_teleop_console`, `/cmd_vel_teleop_keyboard` | geometry_msgs/Twist |
//! | in | `/estop` (heartbeat, `true` = pressed) | std_msgs/Bool |
//! | in | `/mux/operator_estop` (`true` engage, `false` release) | std_msgs/Bool |
//! | out | `/cmd_vel` at `rate_hz` and at once on every teleop or operator e-stop message, zero when no input is live | geometry_msgs/Twist |
//! | out | `/mux/status` | letan_interfaces/MuxStatus |
use crate::common::{start, NodeArgs, NodesError};
use letan_msgs::geometry_msgs::Twist;
use letan_msgs::letan_interfaces::MuxStatus as MuxStatusMsg;
use letan_msgs::std_msgs::{Bool, Header};
use letan_mux::{InputId, Mux, MuxParams, MuxStatus, Twist2};
use letan_transport::{Context, Qos, Rate};
use std::future::Future;

/// The status message for a mux status.
pub fn status_msg(status: &MuxStatus, header: Header) -> MuxStatusMsg {
    let mut reasons = Vec::new();
    if let Some(r) = status.estop.engaged {
        reasons.push(format!("estop: {}", r.as_str()));
    }
    if !status.estop.heartbeat_ok {
        reasons.push("estop: no heartbeat".to_string());
    }
    if status.limited {
        reasons.push("limited: velocity or acceleration limit".to_string());
    }
    for id in &status.live {
        if Some(*id) != status.active {
            reasons.push(format!("{}: outranked", id.as_str()));
        }
    }
    MuxStatusMsg {
        header,
        active_input: status
            .active
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        estop_engaged: status.estop.engaged.is_some(),
        reasons,
    }
}

fn twist2(t: &Twist) -> Twist2 {
    Twist2::new(t.linear.x, t.angular.z)
}

/// A refused velocity command is dropped; the 1st, 2nd, 4th, 8th … are logged, so that a client
/// sending bad commands at its rate does not flood the log.
fn warn_refused(refused: &mut u64, id: InputId, e: &dyn std::fmt::Display) {
    *refused += 1;
    if refused.is_power_of_two() {
        tracing::warn!(input = id.as_str(), error = %e, refused = *refused, "refused a velocity command");
    }
}

/// Run the mux node until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, params) = start::<MuxParams>(&ctx, &args, "mux", |p| {
        p.validate().map_err(|e| e.to_string())
    })?;
    let mut mux = Mux::new(params.clone()).map_err(|e| NodesError::node(&node, e))?;
    let inputs = [
        (InputId::Navigation, &params.inputs.navigation.topic),
        (InputId::Greeting, &params.inputs.greeting.topic),
        (InputId::ConsoleTeleop, &params.inputs.console_teleop.topic),
        (
            InputId::KeyboardTeleop,
            &params.inputs.keyboard_teleop.topic,
        ),
    ];
    // Velocity inputs and the e-stop box's heartbeat are streams: read best effort, so that on a
    // lossy link a newer sample never waits behind the resend of an older one (with reliable
    // readers the heartbeat stalled past its timeout and latched the e-stop on a 20 % loss, 200 ms
    // link; tests/faults.rs). The operator's latch commands stay reliable: each one counts.
    let mut subs = Vec::new();
    for (id, topic) in inputs {
        subs.push((id, node.subscribe::<Twist>(topic, Qos::command_stream())?));
    }
    let estop = node.subscribe::<Bool>(&params.estop.topic, Qos::command_stream())?;
    let operator = node.subscribe::<Bool>(&params.estop.operator_topic, Qos::commands())?;
    let cmd = node.publisher::<Twist>(&params.topics.cmd_vel, Qos::commands())?;
    let status_pub = node.publisher::<MuxStatusMsg>(&params.topics.status, Qos::commands())?;
    let clock = node.clock();
    let mut rate = Rate::new(clock.clone(), params.rate_hz);
    let mut last_active: Option<Option<InputId>> = None;
    let mut refused = 0u64;
    tokio::pin!(shutdown);
    // Operators' commands are forwarded at once, not at the next tick: a key press reaches
    // `/cmd_vel` without waiting up to a period, and so does the operator's e-stop.
    let teleop = [2usize, 3];
    // A teleop client flooding its topic must not flood `/cmd_vel`: an out-of-tick output at most
    // every 10 ms of the node clock (an e-stop always goes out at once).
    let mut last_event_out: Option<std::time::Duration> = None;
    loop {
        let mut first: Option<(InputId, Twist)> = None;
        let mut first_estop: Option<Bool> = None;
        tokio::select! {
            _ = &mut shutdown => break,
            _ = rate.tick() => {}
            Some(t) = subs[teleop[0]].1.recv() => first = Some((subs[teleop[0]].0, t)),
            Some(t) = subs[teleop[1]].1.recv() => first = Some((subs[teleop[1]].0, t)),
            Some(b) = operator.recv() => first_estop = Some(b),
        }
        // Clamped: a clock before its epoch must not panic the node that stops the robot.
        let now = clock.duration();
        if let Some((id, t)) = first {
            if let Err(e) = mux.feed(id, twist2(&t), now) {
                warn_refused(&mut refused, id, &e);
            }
        }
        if let Some(b) = first_estop {
            if b.data {
                mux.engage(now);
            } else if let Err(e) = mux.release(now) {
                tracing::warn!(error = %e, "e-stop release refused");
            }
        }
        for (id, sub) in &subs {
            while let Some(t) = sub.try_recv() {
                if let Err(e) = mux.feed(*id, twist2(&t), now) {
                    warn_refused(&mut refused, *id, &e);
                }
            }
        }
        while let Some(b) = estop.try_recv() {
            mux.feed_estop(b.data, now);
        }
        while let Some(b) = operator.try_recv() {
            if b.data {
                mux.engage(now);
            } else if let Err(e) = mux.release(now) {
                tracing::warn!(error = %e, "e-stop release refused");
            }
        }
        let ticked = first.is_none() && first_estop.is_none();
        if !ticked && first_estop.is_none() {
            // A clock that went back (a restarted simulation) is not "recent".
            let recent = last_event_out.is_some_and(|t| {
                now.checked_sub(t)
                    .is_some_and(|d| d < std::time::Duration::from_millis(10))
            });
            if recent {
                continue;
            }
            last_event_out = Some(now);
        }
        let (out, status) = mux.output(now);
        if last_active != Some(status.active) {
            tracing::info!(active = ?status.active.map(|a| a.as_str()), estop = ?status.estop.engaged, "mux input changed");
            last_active = Some(status.active);
        }
        cmd.publish(Twist::planar(out.linear_x, out.angular_z))?;
        status_pub.publish(status_msg(&status, Header::new(clock.now(), "base_link")))?;
    }
    // Leave the robot stopped.
    cmd.publish(Twist::default())?;
    Ok(())
}
