//! The NavigateToPose action on the goal supervisor: a new goal preempts the running one, a cancel
//! ends it, feedback goes out every 0.5 s, and the result follows how the supervisor ended it.
use super::convert::{nav_result, pose2d, stamp};
use super::Nav;
use crate::common::NodesError;
use letan_msgs::builtin_interfaces::Duration;
use letan_msgs::geometry_msgs::{Pose, PoseStamped};
use letan_msgs::nav2_msgs::{NavigateToPose, NavigateToPoseFeedback, NavigateToPoseResult};
use letan_msgs::std_msgs::Header;
use letan_nav::supervisor::{ActionEnd, GoalSource};
use letan_transport::action::{ActionServer, CancelRequest, GoalId, GoalOutcome, GoalRequest};

/// The NavigateToPose action's goal: its id and start, and when feedback last went out.
pub(super) struct Action {
    pub(super) server: ActionServer<NavigateToPose>,
    pub(super) goal: Option<(GoalId, f64)>,
    pub(super) feedback_at: f64,
}

impl Action {
    /// A new goal preempts (aborts) the running one; one that is not a finite pose in the map
    /// frame is rejected; one the planner refuses is accepted, then aborted with its code.
    pub(super) fn on_goal(
        &mut self,
        nav: &mut Nav,
        req: GoalRequest<NavigateToPose>,
        now: f64,
    ) -> Result<(), NodesError> {
        let goal = req.goal().clone();
        if let Some(old) = self.goal.take() {
            let r = nav_result(NavigateToPoseResult::UNKNOWN, "preempted by a new goal");
            self.server.finish(old.0, GoalOutcome::Aborted, r)?;
        }
        let mf = &nav.map_frame;
        let frame_ok = goal.pose.header.frame_id.is_empty() || goal.pose.header.frame_id == *mf;
        let pose = pose2d(&goal.pose.pose);
        if !(frame_ok && pose.x.is_finite() && pose.y.is_finite() && pose.yaw.is_finite()) {
            tracing::warn!(frame = %goal.pose.header.frame_id, "NavigateToPose goal rejected: not a finite pose in the {mf} frame");
            req.reject()?;
            return Ok(());
        }
        let id = req.goal_id();
        req.accept()?;
        let at = nav.per.pose();
        match nav.sup.goal_pose(GoalSource::Action, pose, at, now) {
            Ok(()) => {
                tracing::info!(x = pose.x, y = pose.y, "NavigateToPose goal accepted");
                self.goal = Some((id, now));
            }
            Err(f) => {
                tracing::warn!(code = f.code.code(), error = %f.message, "NavigateToPose goal failed at once");
                let r = nav_result(f.code.code(), &f.message);
                self.server.finish(id, GoalOutcome::Aborted, r)?;
            }
        }
        Ok(())
    }

    pub(super) fn on_cancel(
        &mut self,
        nav: &mut Nav,
        cancel: CancelRequest<NavigateToPose>,
    ) -> Result<(), NodesError> {
        for id in cancel.accept_all()? {
            if self.goal.is_some_and(|(g, _)| g == id) {
                nav.sup.cancel();
                self.goal = None;
            }
            let r = nav_result(NavigateToPoseResult::NONE, "canceled");
            self.server.finish(id, GoalOutcome::Canceled, r)?;
        }
        Ok(())
    }

    /// Feedback every 0.5 s while the goal runs; its result once it ended (or was replaced by a
    /// goal from another source, or cancelled by an operator).
    pub(super) fn report(&mut self, nav: &Nav, now: f64) -> Result<(), NodesError> {
        let Some((id, started)) = self.goal else {
            return Ok(());
        };
        let (outcome, result) = match nav.sup.action_end() {
            None if now - self.feedback_at < 0.5 => return Ok(()),
            None => {
                self.feedback_at = now;
                let (remaining, eta, recoveries) = nav.sup.progress();
                let p = nav.per.pose();
                let fb = NavigateToPoseFeedback {
                    current_pose: PoseStamped {
                        header: Header::new(stamp(now), nav.map_frame.clone()),
                        pose: Pose::from_xy_yaw(p.x, p.y, p.yaw),
                    },
                    navigation_time: Duration::from_secs_f64((now - started).max(0.0)),
                    estimated_time_remaining: Duration::from_secs_f64(eta.max(0.0)),
                    number_of_recoveries: recoveries.min(i16::MAX as u32) as i16,
                    distance_remaining: remaining as f32,
                };
                return Ok(self.server.publish_feedback(id, fb)?);
            }
            Some(ActionEnd::Succeeded) => (
                GoalOutcome::Succeeded,
                nav_result(NavigateToPoseResult::NONE, ""),
            ),
            Some(ActionEnd::Failed(f)) => {
                (GoalOutcome::Aborted, nav_result(f.code.code(), &f.message))
            }
            Some(ActionEnd::Canceled) => (
                GoalOutcome::Aborted,
                nav_result(
                    NavigateToPoseResult::UNKNOWN,
                    "canceled: an operator took over or the goal was cancelled",
                ),
            ),
            Some(ActionEnd::Preempted) => (
                GoalOutcome::Aborted,
                nav_result(NavigateToPoseResult::UNKNOWN, "preempted by another goal"),
            ),
        };
        tracing::info!(?outcome, error = %result.error_msg, "NavigateToPose goal ended");
        self.server.finish(id, outcome, result)?;
        self.goal = None;
        Ok(())
    }
}
