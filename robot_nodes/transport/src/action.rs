//! ROS 2 actions: [`ActionServer`] and [`ActionClient`], over DDS and over the in-process bus.
//!
//! An action `/navigate_to_pose` is, on the wire, three services and two topics:
//! `/navigate_to_pose/_action/send_goal`, `…/cancel_goal`, `…/get_result` (reliable, volatile,
//! keep last 10, rmw's services profile), `…/feedback` (reliable, volatile, keep last 10) and
//! `…/status` (reliable, **transient local, keep last 1**: `rcl_action_qos_profile_status_default`,
//! so a late client sees the current goals at once).
//!
//! The goal state machine lives here, once, for both backends (`dds_action.rs` only moves bytes):
//! ACCEPTED → EXECUTING → (CANCELING) → SUCCEEDED | ABORTED | CANCELED. The server answers
//! `get_result` by itself: a request for an active goal waits, and is answered when the node
//! finishes the goal; a request for a finished goal is answered at once, with the same result, for
//! as long as the goal is kept ([`ActionServerOptions::result_timeout`], at most
//! [`ActionServerOptions::max_finished_goals`]); an unknown goal gets STATUS_UNKNOWN and a default
//! result, as rclcpp answers. The status array is republished on every change.
//!
//! A node serves goals from its `tokio::select!` loop:
//!
//! ```no_run
//! # async fn nav(node: letan_transport::Node) -> letan_transport::Result<()> {
//! use letan_transport::action::{GoalId, GoalOutcome};
//! use letan_transport::msgs::nav2_msgs::{NavigateToPose, NavigateToPoseFeedback, NavigateToPoseResult};
//! let server = node.action_server::<NavigateToPose>("navigate_to_pose")?;
//! let mut current: Option<GoalId> = None;
//! let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
//! loop {
//!     tokio::select! {
//!         Some(req) = server.recv_goal() => {
//!             if let Some(old) = current.take() {
//!                 // One goal at a time: the new one preempts the old one (Nav2 aborts it too).
//!                 server.finish(old, GoalOutcome::Aborted, NavigateToPoseResult {
//!                     error_code: NavigateToPoseResult::UNKNOWN,
//!                     error_msg: "preempted by a new goal".into(),
//!                 })?;
//!             }
//!             current = Some(req.goal_id());
//!             let goal = req.accept()?; // status EXECUTING; `req.reject()` answers "not accepted"
//!             let _ = goal.pose;        // … start planning to it
//!         }
//!         Some(cancel) = server.recv_cancel() => {
//!             for id in cancel.accept_all()? {   // those goals are now CANCELING
//!                 server.finish(id, GoalOutcome::Canceled, NavigateToPoseResult::default())?;
//!                 current = None;
//!             }
//!         }
//!         _ = tick.tick() => {
//!             if let Some(id) = current {
//!                 server.publish_feedback(id, NavigateToPoseFeedback::default())?;
//!             }
//!         }
//!     }
//! }
//! # }
//! ```
use crate::bus::{ActionEntry, Bus};
use crate::clock::Clock;
use crate::dds_action::{self, DdsClient, DdsServerOut, RequestId};
use crate::inbox::Inbox;
use crate::node::{Node, NodeBackend};
use crate::{Result, TransportError};
use letan_msgs::action_msgs::{CancelGoalResponse, GoalInfo, GoalStatus, GoalStatusArray};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::RosActionType as RosAction;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot, watch};
use tokio::time::Instant;

/// A goal's id: `unique_identifier_msgs/UUID`, chosen at random by the client.
pub use letan_msgs::unique_identifier_msgs::UUID as GoalId;

/// Status constants (`action_msgs/msg/GoalStatus`): `STATUS_UNKNOWN` = 0 … `STATUS_ABORTED` = 6.
pub use letan_msgs::action_msgs::GoalStatus as Status;

/// `get_result` requests waiting for one active goal; beyond this the oldest is dropped (its caller
/// times out). Bounds what a client that keeps asking can make the server hold.
const MAX_RESULT_WAITERS: usize = 32;
/// Feedback messages a slow [`GoalHandle`] reader can fall behind before the oldest are skipped.
const FEEDBACK_BUFFER: usize = 64;

/// How a goal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalOutcome {
    /// Reached (STATUS_SUCCEEDED).
    Succeeded,
    /// Given up by the server (STATUS_ABORTED): failure, or preempted by a newer goal.
    Aborted,
    /// Canceled after a client's cancel request (STATUS_CANCELED). rcl only produces it from
    /// CANCELING; we accept it from any active state, since no peer checks.
    Canceled,
}

impl GoalOutcome {
    /// The `action_msgs/msg/GoalStatus` value.
    pub fn status(self) -> i8 {
        match self {
            GoalOutcome::Succeeded => Status::STATUS_SUCCEEDED,
            GoalOutcome::Aborted => Status::STATUS_ABORTED,
            GoalOutcome::Canceled => Status::STATUS_CANCELED,
        }
    }

    /// The outcome of a terminal status; `None` for the others.
    pub fn from_status(status: i8) -> Option<Self> {
        match status {
            Status::STATUS_SUCCEEDED => Some(GoalOutcome::Succeeded),
            Status::STATUS_ABORTED => Some(GoalOutcome::Aborted),
            Status::STATUS_CANCELED => Some(GoalOutcome::Canceled),
            _ => None,
        }
    }
}

/// Limits of an [`ActionServer`]: what it remembers, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionServerOptions {
    /// How long a finished goal (and its result) stays available to `get_result` and in the status
    /// array. rcl's default is 10 s; Nav2 sets 15 min for its navigators, as here.
    pub result_timeout: Duration,
    /// At most this many finished goals are kept (the oldest go first); at least 1.
    pub max_finished_goals: usize,
    /// Goal and cancel requests waiting for the node to look at them; when full, the oldest is
    /// rejected. At least 1.
    pub queue_depth: usize,
}

impl Default for ActionServerOptions {
    fn default() -> Self {
        ActionServerOptions {
            result_timeout: Duration::from_secs(15 * 60),
            max_finished_goals: 64,
            queue_depth: 16,
        }
    }
}

/// The server's answer to a send_goal request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GoalAnswer {
    pub(crate) accepted: bool,
    pub(crate) stamp: Time,
}

/// Where a service answer goes: a DDS request id, or a bus caller's channel.
pub(crate) enum Reply<T> {
    Dds(RequestId),
    Bus(oneshot::Sender<T>),
}

/// How a server sends answers, feedback and status.
pub(crate) enum ServerOut<A: RosAction> {
    Dds(DdsServerOut<A>),
    Bus(BusServerOut<A>),
}

pub(crate) struct BusServerOut<A: RosAction> {
    pub(crate) feedback: broadcast::Sender<(GoalId, A::Feedback)>,
    pub(crate) status: watch::Sender<GoalStatusArray>,
}

impl<A: RosAction> ServerOut<A> {
    fn reply_goal(&self, reply: Reply<GoalAnswer>, answer: GoalAnswer) {
        match (reply, self) {
            (Reply::Bus(tx), _) => {
                // The caller may have timed out; nothing to do then.
                let _ = tx.send(answer);
            }
            (Reply::Dds(id), ServerOut::Dds(d)) => d.reply_goal(id, answer),
            (Reply::Dds(_), ServerOut::Bus(_)) => tracing::warn!("DDS reply on a bus action"),
        }
    }

    fn reply_cancel(&self, reply: Reply<CancelGoalResponse>, response: CancelGoalResponse) {
        match (reply, self) {
            (Reply::Bus(tx), _) => {
                let _ = tx.send(response);
            }
            (Reply::Dds(id), ServerOut::Dds(d)) => d.reply_cancel(id, &response),
            (Reply::Dds(_), ServerOut::Bus(_)) => tracing::warn!("DDS reply on a bus action"),
        }
    }

    fn reply_result(&self, reply: Reply<(i8, A::Result)>, status: i8, result: A::Result) {
        match (reply, self) {
            (Reply::Bus(tx), _) => {
                let _ = tx.send((status, result));
            }
            (Reply::Dds(id), ServerOut::Dds(d)) => d.reply_result(id, status, result),
            (Reply::Dds(_), ServerOut::Bus(_)) => tracing::warn!("DDS reply on a bus action"),
        }
    }

    fn feedback(&self, goal: GoalId, feedback: A::Feedback) -> Result<()> {
        match self {
            ServerOut::Dds(d) => d.feedback(goal, feedback),
            ServerOut::Bus(b) => {
                // No receiver (no client waiting) is not an error.
                let _ = b.feedback.send((goal, feedback));
                Ok(())
            }
        }
    }

    fn status(&self, array: GoalStatusArray) {
        match self {
            ServerOut::Dds(d) => d.status(&array),
            ServerOut::Bus(b) => {
                b.status.send_replace(array);
            }
        }
    }
}

struct GoalEntry<A: RosAction> {
    info: GoalInfo,
    status: i8,
    result: Option<A::Result>,
    finished_at: Option<Instant>,
    waiters: Vec<Reply<(i8, A::Result)>>,
}

fn is_active(status: i8) -> bool {
    matches!(
        status,
        Status::STATUS_ACCEPTED | Status::STATUS_EXECUTING | Status::STATUS_CANCELING
    )
}

fn is_cancelable(status: i8) -> bool {
    matches!(status, Status::STATUS_ACCEPTED | Status::STATUS_EXECUTING)
}

/// The cancel policy of `action_msgs/srv/CancelGoal`.
fn cancel_matches(request: &GoalInfo, goal: &GoalInfo) -> bool {
    let by_id = !request.goal_id.is_zero() && request.goal_id == goal.goal_id;
    let by_time = !request.stamp.is_zero() && goal.stamp <= request.stamp;
    (request.goal_id.is_zero() && request.stamp.is_zero()) || by_id || by_time
}

struct Core<A: RosAction> {
    /// In acceptance order (the order of the status array).
    goals: Vec<GoalEntry<A>>,
    /// Goal requests handed to the node and not yet accepted or rejected (duplicate ids are refused).
    unanswered: HashSet<GoalId>,
}

impl<A: RosAction> Core<A> {
    fn find(&self, id: GoalId) -> Option<&GoalEntry<A>> {
        self.goals.iter().find(|g| g.info.goal_id == id)
    }
    fn find_mut(&mut self, id: GoalId) -> Option<&mut GoalEntry<A>> {
        self.goals.iter_mut().find(|g| g.info.goal_id == id)
    }
    fn status_array(&self) -> GoalStatusArray {
        GoalStatusArray {
            status_list: self
                .goals
                .iter()
                .map(|g| GoalStatus {
                    goal_info: g.info,
                    status: g.status,
                })
                .collect(),
        }
    }
}

/// What both backends feed: the goal table and the queues the node reads.
pub(crate) struct ServerShared<A: RosAction> {
    name: String,
    options: ActionServerOptions,
    clock: Clock,
    core: Mutex<Core<A>>,
    goals_in: Arc<Inbox<GoalRequest<A>>>,
    cancels_in: Arc<Inbox<CancelRequest<A>>>,
    pub(crate) out: ServerOut<A>,
}

impl<A: RosAction> ServerShared<A> {
    fn new(name: String, options: ActionServerOptions, clock: Clock, out: ServerOut<A>) -> Self {
        let options = ActionServerOptions {
            max_finished_goals: options.max_finished_goals.max(1),
            queue_depth: options.queue_depth.max(1),
            ..options
        };
        ServerShared {
            name,
            clock,
            core: Mutex::new(Core {
                goals: Vec::new(),
                unanswered: HashSet::new(),
            }),
            goals_in: Inbox::new(options.queue_depth),
            cancels_in: Inbox::new(options.queue_depth),
            options,
            out,
        }
    }

    // Rule that keeps this deadlock-free: nothing is pushed into (or dropped out of) an inbox while
    // `core` is locked, since dropping a request locks `core` to reject it.
    fn lock(&self) -> MutexGuard<'_, Core<A>> {
        // A poisoned lock means a panic elsewhere mid-update; the table is still consistent enough
        // to answer requests.
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publish_status(&self, core: &Core<A>) {
        self.out.status(core.status_array());
    }

    /// Forgets finished goals older than `result_timeout`, then the oldest beyond
    /// `max_finished_goals`. Returns whether anything was removed.
    #[allow(clippy::disallowed_methods)] // transport's edge: goal retention and the server wait are wall time, as in rclcpp
    fn prune(&self, core: &mut Core<A>) -> bool {
        let now = Instant::now();
        let before = core.goals.len();
        let timeout = self.options.result_timeout;
        core.goals.retain(|g| {
            g.finished_at
                .is_none_or(|t| now.duration_since(t) < timeout)
        });
        loop {
            let finished = core.goals.iter().filter(|g| g.finished_at.is_some());
            if finished.count() <= self.options.max_finished_goals {
                break;
            }
            let oldest = core
                .goals
                .iter()
                .enumerate()
                .filter_map(|(i, g)| g.finished_at.map(|t| (t, i)))
                .min()
                .map(|(_, i)| i);
            match oldest {
                Some(i) => {
                    core.goals.remove(i);
                }
                None => break,
            }
        }
        core.goals.len() != before
    }

    /// A send_goal request arrived (from a DDS reader or a bus client).
    pub(crate) fn on_goal_request(
        self: &Arc<Self>,
        goal_id: GoalId,
        goal: A::Goal,
        reply: Reply<GoalAnswer>,
    ) {
        {
            let mut core = self.lock();
            if self.prune(&mut core) {
                self.publish_status(&core);
            }
            if core.find(goal_id).is_some() || core.unanswered.contains(&goal_id) {
                tracing::warn!(action = %self.name, goal = %goal_id, "duplicate goal id: rejected");
                let stamp = self.clock.now();
                self.out.reply_goal(
                    reply,
                    GoalAnswer {
                        accepted: false,
                        stamp,
                    },
                );
                return;
            }
            core.unanswered.insert(goal_id);
        }
        tracing::debug!(action = %self.name, goal = %goal_id, "goal request");
        self.goals_in.push(GoalRequest {
            goal_id,
            goal,
            reply: Some(reply),
            server: Arc::downgrade(self),
        });
    }

    fn answer_goal(&self, goal_id: GoalId, accept_as: Option<i8>, reply: Reply<GoalAnswer>) {
        let mut core = self.lock();
        core.unanswered.remove(&goal_id);
        let stamp = self.clock.now();
        match accept_as {
            None => {
                tracing::debug!(action = %self.name, goal = %goal_id, "goal rejected");
                self.out.reply_goal(
                    reply,
                    GoalAnswer {
                        accepted: false,
                        stamp,
                    },
                );
            }
            Some(status) => {
                tracing::debug!(action = %self.name, goal = %goal_id, "goal accepted");
                core.goals.push(GoalEntry {
                    info: GoalInfo { goal_id, stamp },
                    status,
                    result: None,
                    finished_at: None,
                    waiters: Vec::new(),
                });
                self.out.reply_goal(
                    reply,
                    GoalAnswer {
                        accepted: true,
                        stamp,
                    },
                );
                self.publish_status(&core);
            }
        }
    }

    /// A cancel_goal request arrived. Requests that match no cancelable goal are answered here
    /// (UNKNOWN_GOAL_ID, GOAL_TERMINATED or REJECTED, as rcl does); the others go to the node.
    pub(crate) fn on_cancel_request(
        self: &Arc<Self>,
        request: GoalInfo,
        reply: Reply<CancelGoalResponse>,
    ) {
        let candidates: Vec<GoalId> = {
            let mut core = self.lock();
            if self.prune(&mut core) {
                self.publish_status(&core);
            }
            let refuse = |code| CancelGoalResponse {
                return_code: code,
                goals_canceling: Vec::new(),
            };
            if !request.goal_id.is_zero() && core.find(request.goal_id).is_none() {
                self.out
                    .reply_cancel(reply, refuse(CancelGoalResponse::ERROR_UNKNOWN_GOAL_ID));
                return;
            }
            let candidates: Vec<GoalId> = core
                .goals
                .iter()
                .filter(|g| is_cancelable(g.status) && cancel_matches(&request, &g.info))
                .map(|g| g.info.goal_id)
                .collect();
            if candidates.is_empty() {
                let terminated = core
                    .find(request.goal_id)
                    .is_some_and(|g| Status::is_terminal_status(g.status));
                let code = if terminated {
                    CancelGoalResponse::ERROR_GOAL_TERMINATED
                } else {
                    CancelGoalResponse::ERROR_REJECTED
                };
                self.out.reply_cancel(reply, refuse(code));
                return;
            }
            candidates
        };
        tracing::debug!(action = %self.name, goals = candidates.len(), "cancel request");
        self.cancels_in.push(CancelRequest {
            goals: candidates,
            reply: Some(reply),
            server: Arc::downgrade(self),
        });
    }

    fn answer_cancel(
        &self,
        chosen: &[GoalId],
        allowed: &[GoalId],
        reply: Reply<CancelGoalResponse>,
    ) -> Vec<GoalId> {
        let mut core = self.lock();
        let mut canceling = Vec::new();
        for id in chosen.iter().filter(|id| allowed.contains(id)) {
            if let Some(g) = core.find_mut(*id) {
                // It may have finished since the request arrived.
                if is_cancelable(g.status) {
                    g.status = Status::STATUS_CANCELING;
                    canceling.push(g.info);
                }
            }
        }
        let return_code = if canceling.is_empty() {
            CancelGoalResponse::ERROR_REJECTED
        } else {
            CancelGoalResponse::ERROR_NONE
        };
        let ids = canceling.iter().map(|g| g.goal_id).collect();
        self.out.reply_cancel(
            reply,
            CancelGoalResponse {
                return_code,
                goals_canceling: canceling,
            },
        );
        if return_code == CancelGoalResponse::ERROR_NONE {
            self.publish_status(&core);
        }
        ids
    }

    /// A get_result request arrived.
    pub(crate) fn on_result_request(&self, goal_id: GoalId, reply: Reply<(i8, A::Result)>) {
        let mut core = self.lock();
        if self.prune(&mut core) {
            self.publish_status(&core);
        }
        match core.find_mut(goal_id) {
            None => self
                .out
                .reply_result(reply, Status::STATUS_UNKNOWN, A::Result::default()),
            Some(g) => match &g.result {
                Some(result) => self.out.reply_result(reply, g.status, result.clone()),
                None => {
                    if g.waiters.len() >= MAX_RESULT_WAITERS {
                        g.waiters.remove(0);
                    }
                    g.waiters.push(reply);
                }
            },
        }
    }

    fn not_found(&self, goal_id: GoalId) -> TransportError {
        TransportError::Action {
            action: self.name.clone(),
            detail: format!("no goal {goal_id}"),
        }
    }

    fn set_executing(&self, goal_id: GoalId) -> Result<()> {
        let mut core = self.lock();
        let g = core
            .find_mut(goal_id)
            .ok_or_else(|| self.not_found(goal_id))?;
        match g.status {
            Status::STATUS_EXECUTING => Ok(()),
            Status::STATUS_ACCEPTED => {
                g.status = Status::STATUS_EXECUTING;
                self.publish_status(&core);
                Ok(())
            }
            other => Err(TransportError::Action {
                action: self.name.clone(),
                detail: format!(
                    "goal {goal_id} is {}, not ACCEPTED",
                    Status::status_name(other)
                ),
            }),
        }
    }

    fn publish_feedback(&self, goal_id: GoalId, feedback: A::Feedback) -> Result<()> {
        let core = self.lock();
        let g = core.find(goal_id).ok_or_else(|| self.not_found(goal_id))?;
        if !is_active(g.status) {
            return Err(TransportError::Action {
                action: self.name.clone(),
                detail: format!(
                    "feedback for goal {goal_id}, which is {}",
                    Status::status_name(g.status)
                ),
            });
        }
        self.out.feedback(goal_id, feedback)
    }

    #[allow(clippy::disallowed_methods)] // transport's edge: goal retention and the server wait are wall time, as in rclcpp
    fn finish(&self, goal_id: GoalId, outcome: GoalOutcome, result: A::Result) -> Result<()> {
        let mut core = self.lock();
        let status = outcome.status();
        let g = core
            .find_mut(goal_id)
            .ok_or_else(|| self.not_found(goal_id))?;
        if !is_active(g.status) {
            return Err(TransportError::Action {
                action: self.name.clone(),
                detail: format!(
                    "goal {goal_id} already finished ({})",
                    Status::status_name(g.status)
                ),
            });
        }
        g.status = status;
        g.finished_at = Some(Instant::now());
        let waiters = std::mem::take(&mut g.waiters);
        g.result = Some(result.clone());
        tracing::debug!(action = %self.name, goal = %goal_id, status = %Status::status_name(status), "goal finished");
        // Status first, then the results, as rclcpp does.
        self.publish_status(&core);
        for waiter in waiters {
            self.out.reply_result(waiter, status, result.clone());
        }
        if self.prune(&mut core) {
            self.publish_status(&core);
        }
        Ok(())
    }

    fn goal_status(&self, goal_id: GoalId) -> Option<i8> {
        self.lock().find(goal_id).map(|g| g.status)
    }

    fn active_goals(&self) -> Vec<GoalId> {
        self.lock()
            .goals
            .iter()
            .filter(|g| is_active(g.status))
            .map(|g| g.info.goal_id)
            .collect()
    }
}

/// A goal sent by a client: accept it (the goal starts) or reject it. Dropping it unanswered
/// rejects it, so a client never waits for an answer that will not come.
pub struct GoalRequest<A: RosAction> {
    goal_id: GoalId,
    goal: A::Goal,
    reply: Option<Reply<GoalAnswer>>,
    server: Weak<ServerShared<A>>,
}

impl<A: RosAction> GoalRequest<A> {
    /// The id the client chose.
    pub fn goal_id(&self) -> GoalId {
        self.goal_id
    }

    /// The goal.
    pub fn goal(&self) -> &A::Goal {
        &self.goal
    }

    /// Accept and start executing (status EXECUTING, like rclcpp's ACCEPT_AND_EXECUTE). Returns the
    /// goal. From now on the node must eventually [`ActionServer::finish`] it.
    pub fn accept(mut self) -> Result<A::Goal> {
        self.answer(Some(Status::STATUS_EXECUTING))?;
        Ok(std::mem::take(&mut self.goal))
    }

    /// Accept but do not start yet (status ACCEPTED); [`ActionServer::set_executing`] starts it.
    pub fn accept_deferred(mut self) -> Result<A::Goal> {
        self.answer(Some(Status::STATUS_ACCEPTED))?;
        Ok(std::mem::take(&mut self.goal))
    }

    /// Tell the client the goal is not accepted.
    pub fn reject(mut self) -> Result<()> {
        self.answer(None)
    }

    fn answer(&mut self, accept_as: Option<i8>) -> Result<()> {
        let server = self.server.upgrade().ok_or(TransportError::Closed)?;
        if let Some(reply) = self.reply.take() {
            server.answer_goal(self.goal_id, accept_as, reply);
        }
        Ok(())
    }
}

impl<A: RosAction> Drop for GoalRequest<A> {
    fn drop(&mut self) {
        if let (Some(reply), Some(server)) = (self.reply.take(), self.server.upgrade()) {
            server.answer_goal(self.goal_id, None, reply);
        }
    }
}

impl<A: RosAction> std::fmt::Debug for GoalRequest<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoalRequest")
            .field("goal_id", &self.goal_id)
            .field("goal", &self.goal)
            .finish()
    }
}

/// A client asks to cancel goals: [`CancelRequest::goals`] are the active goals it designates.
/// Accept some or all of them (they become CANCELING; the node then finishes them, usually as
/// CANCELED), or reject. Dropping it unanswered rejects it.
pub struct CancelRequest<A: RosAction> {
    goals: Vec<GoalId>,
    reply: Option<Reply<CancelGoalResponse>>,
    server: Weak<ServerShared<A>>,
}

impl<A: RosAction> CancelRequest<A> {
    /// The active goals the request designates (never empty).
    pub fn goals(&self) -> &[GoalId] {
        &self.goals
    }

    /// Cancel them all. Returns the goals now CANCELING (those that finished meanwhile are left out).
    pub fn accept_all(mut self) -> Result<Vec<GoalId>> {
        let goals = std::mem::take(&mut self.goals);
        self.answer(&goals, &goals)
    }

    /// Cancel only these (ignoring ids the request did not designate).
    pub fn accept(mut self, goals: &[GoalId]) -> Result<Vec<GoalId>> {
        let allowed = std::mem::take(&mut self.goals);
        self.answer(goals, &allowed)
    }

    /// Refuse: no goal changes state; the client gets ERROR_REJECTED.
    pub fn reject(mut self) -> Result<()> {
        self.answer(&[], &[]).map(|_| ())
    }

    fn answer(&mut self, chosen: &[GoalId], allowed: &[GoalId]) -> Result<Vec<GoalId>> {
        let server = self.server.upgrade().ok_or(TransportError::Closed)?;
        Ok(match self.reply.take() {
            Some(reply) => server.answer_cancel(chosen, allowed, reply),
            None => Vec::new(),
        })
    }
}

impl<A: RosAction> Drop for CancelRequest<A> {
    fn drop(&mut self) {
        if let (Some(reply), Some(server)) = (self.reply.take(), self.server.upgrade()) {
            server.answer_cancel(&[], &[], reply);
        }
    }
}

impl<A: RosAction> std::fmt::Debug for CancelRequest<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelRequest")
            .field("goals", &self.goals)
            .finish()
    }
}

/// Serves one action. All methods take `&self`, so `recv_goal` and `recv_cancel` can sit in the
/// same `tokio::select!`.
pub struct ActionServer<A: RosAction> {
    name: String,
    shared: Arc<ServerShared<A>>,
}

impl<A: RosAction> ActionServer<A> {
    /// The fully resolved action name (`/navigate_to_pose`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next goal sent by a client (`None` once the server is closed).
    pub async fn recv_goal(&self) -> Option<GoalRequest<A>> {
        self.shared.goals_in.pop().await
    }

    /// The next cancel request that designates at least one active goal.
    pub async fn recv_cancel(&self) -> Option<CancelRequest<A>> {
        self.shared.cancels_in.pop().await
    }

    /// ACCEPTED → EXECUTING, for goals accepted with [`GoalRequest::accept_deferred`].
    pub fn set_executing(&self, goal: GoalId) -> Result<()> {
        self.shared.set_executing(goal)
    }

    /// Feedback for an active goal, on `<action>/_action/feedback`.
    pub fn publish_feedback(&self, goal: GoalId, feedback: A::Feedback) -> Result<()> {
        self.shared.publish_feedback(goal, feedback)
    }

    /// End an active goal: every pending and later `get_result` call gets `outcome` and `result`
    /// (until the goal expires, see [`ActionServerOptions`]). Errors for an unknown or already
    /// finished goal.
    pub fn finish(&self, goal: GoalId, outcome: GoalOutcome, result: A::Result) -> Result<()> {
        self.shared.finish(goal, outcome, result)
    }

    /// The goal's status, while the server remembers it.
    pub fn goal_status(&self, goal: GoalId) -> Option<i8> {
        self.shared.goal_status(goal)
    }

    /// Goals not yet finished (ACCEPTED, EXECUTING, CANCELING), oldest first.
    pub fn active_goals(&self) -> Vec<GoalId> {
        self.shared.active_goals()
    }
}

impl<A: RosAction> Drop for ActionServer<A> {
    fn drop(&mut self) {
        self.shared.goals_in.close();
        self.shared.cancels_in.close();
        // Reject what is still queued (the shared state is alive: we hold it).
        while self.shared.goals_in.try_pop().is_some() {}
        while self.shared.cancels_in.try_pop().is_some() {}
        if let ServerOut::Dds(d) = &self.shared.out {
            d.stop();
        }
    }
}

/// The result of a goal, as `get_result` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalResult<R> {
    /// A `STATUS_*` value: SUCCEEDED, ABORTED or CANCELED, or UNKNOWN if the server does not know
    /// the goal (any more).
    pub status: i8,
    /// The result (the default value for an unknown goal).
    pub result: R,
}

impl<R> GoalResult<R> {
    /// The outcome, `None` for STATUS_UNKNOWN.
    pub fn outcome(&self) -> Option<GoalOutcome> {
        GoalOutcome::from_status(self.status)
    }
}

enum ClientInner<A: RosAction> {
    Dds(DdsClient<A>),
    Bus(Arc<Bus>),
}

/// Sends goals to one action server.
///
/// ```no_run
/// # async fn f(node: letan_transport::Node) -> letan_transport::Result<()> {
/// use letan_transport::msgs::nav2_msgs::{NavigateToPose, NavigateToPoseGoal};
/// use std::time::Duration;
/// let client = node.action_client::<NavigateToPose>("/navigate_to_pose")?;
/// client.wait_for_server(Duration::from_secs(10)).await?;
/// let Some(goal) = client.send_goal(NavigateToPoseGoal::default(), Duration::from_secs(5)).await? else {
///     return Ok(()); // rejected
/// };
/// let result = goal.get_result(Duration::MAX); // one request, polled next to the feedback
/// tokio::pin!(result);
/// loop {
///     tokio::select! {
///         Some(f) = goal.next_feedback() => println!("{} m to go", f.distance_remaining),
///         r = &mut result => { println!("{:?}", r?.outcome()); break; }
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ActionClient<A: RosAction> {
    name: String,
    inner: ClientInner<A>,
}

fn bus_server<A: RosAction>(bus: &Bus, name: &str) -> Result<Arc<ServerShared<A>>> {
    let (type_name, server) = bus
        .action_server(name)
        .ok_or_else(|| TransportError::Action {
            action: name.to_string(),
            detail: "no server is running".into(),
        })?;
    server
        .downcast::<ServerShared<A>>()
        .map_err(|_| TransportError::TypeMismatch {
            topic: name.to_string(),
            existing: type_name,
            requested: A::type_name(),
        })
}

async fn bus_wait<T>(
    name: &str,
    request: &str,
    timeout: Duration,
    rx: oneshot::Receiver<T>,
) -> Result<T> {
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(TransportError::Action {
            action: name.to_string(),
            detail: format!("the server went away before answering {request}"),
        }),
        Err(_) => Err(TransportError::ActionTimeout {
            action: name.to_string(),
            request: request.to_string(),
            timeout_ms: timeout.as_millis() as u64,
        }),
    }
}

impl<A: RosAction> ActionClient<A> {
    /// The fully resolved action name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a server is there: on DDS, all three services and both topics of the action have
    /// been discovered (what rcl's `rcl_action_server_is_available` checks).
    pub fn server_is_ready(&self) -> bool {
        match &self.inner {
            ClientInner::Dds(d) => d.server_is_ready(),
            ClientInner::Bus(bus) => bus_server::<A>(bus, &self.name).is_ok(),
        }
    }

    /// Wait until [`ActionClient::server_is_ready`], at most `timeout`.
    #[allow(clippy::disallowed_methods)] // transport's edge: goal retention and the server wait are wall time, as in rclcpp
    pub async fn wait_for_server(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.server_is_ready() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(TransportError::ActionTimeout {
                    action: self.name.clone(),
                    request: "discovery of the server".into(),
                    timeout_ms: timeout.as_millis() as u64,
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Send a goal; waits at most `timeout` for the server's answer. `Ok(None)`: rejected.
    pub async fn send_goal(
        &self,
        goal: A::Goal,
        timeout: Duration,
    ) -> Result<Option<GoalHandle<A>>> {
        let goal_id = dds_action::random_goal_id();
        let (answer, feedback, status) = match &self.inner {
            ClientInner::Dds(d) => {
                // Subscribe before sending, so no feedback of this goal is missed.
                let feedback = d.feedback();
                let status = d.status();
                (d.send_goal(goal_id, goal, timeout).await?, feedback, status)
            }
            ClientInner::Bus(bus) => {
                let server = bus_server::<A>(bus, &self.name)?;
                let ServerOut::Bus(out) = &server.out else {
                    return Err(TransportError::Closed);
                };
                let feedback = out.feedback.subscribe();
                let status = out.status.subscribe();
                let (tx, rx) = oneshot::channel();
                server.on_goal_request(goal_id, goal, Reply::Bus(tx));
                drop(server);
                let answer = bus_wait(&self.name, "send_goal", timeout, rx).await?;
                (answer, feedback, status)
            }
        };
        if !answer.accepted {
            return Ok(None);
        }
        Ok(Some(GoalHandle {
            goal_id,
            accepted_at: answer.stamp,
            client: self.link(),
            feedback: tokio::sync::Mutex::new(feedback),
            status,
        }))
    }

    /// Cancel goals by the `CancelGoal` policy (zero id and zero stamp: all goals).
    pub async fn cancel_goals(
        &self,
        which: GoalInfo,
        timeout: Duration,
    ) -> Result<CancelGoalResponse> {
        self.link().cancel(which, timeout).await
    }

    fn link(&self) -> ClientLink<A> {
        match &self.inner {
            ClientInner::Dds(d) => ClientLink::Dds(d.shared()),
            ClientInner::Bus(bus) => ClientLink::Bus(bus.clone(), self.name.clone()),
        }
    }
}

/// What a goal handle needs of its client (it may outlive the [`ActionClient`] value).
enum ClientLink<A: RosAction> {
    Dds(Arc<dds_action::DdsClientShared<A>>),
    Bus(Arc<Bus>, String),
}

impl<A: RosAction> ClientLink<A> {
    async fn cancel(&self, which: GoalInfo, timeout: Duration) -> Result<CancelGoalResponse> {
        match self {
            ClientLink::Dds(d) => d.cancel(which, timeout).await,
            ClientLink::Bus(bus, name) => {
                let server = bus_server::<A>(bus, name)?;
                let (tx, rx) = oneshot::channel();
                server.on_cancel_request(which, Reply::Bus(tx));
                drop(server);
                bus_wait(name, "cancel_goal", timeout, rx).await
            }
        }
    }

    async fn get_result(&self, goal: GoalId, timeout: Duration) -> Result<(i8, A::Result)> {
        match self {
            ClientLink::Dds(d) => d.get_result(goal, timeout).await,
            ClientLink::Bus(bus, name) => {
                let server = bus_server::<A>(bus, name)?;
                let (tx, rx) = oneshot::channel();
                server.on_result_request(goal, Reply::Bus(tx));
                drop(server);
                bus_wait(name, "get_result", timeout, rx).await
            }
        }
    }
}

/// An accepted goal, on the client side: its feedback, its status, its result, cancel.
pub struct GoalHandle<A: RosAction> {
    goal_id: GoalId,
    accepted_at: Time,
    client: ClientLink<A>,
    feedback: tokio::sync::Mutex<broadcast::Receiver<(GoalId, A::Feedback)>>,
    status: watch::Receiver<GoalStatusArray>,
}

impl<A: RosAction> GoalHandle<A> {
    /// The goal's id.
    pub fn goal_id(&self) -> GoalId {
        self.goal_id
    }

    /// When the server accepted it (server clock).
    pub fn accepted_at(&self) -> Time {
        self.accepted_at
    }

    /// The next feedback for this goal (`None` once the client side is closed). Skips feedback of
    /// other goals; a reader more than 64 messages behind loses the oldest.
    pub async fn next_feedback(&self) -> Option<A::Feedback> {
        let mut rx = self.feedback.lock().await;
        loop {
            match rx.recv().await {
                Ok((id, feedback)) if id == self.goal_id => return Some(feedback),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::debug!(skipped = n, "feedback reader fell behind");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The goal's latest status from the status topic (`None` until the server's status array
    /// mentions it, or once the server forgot it).
    pub fn status(&self) -> Option<i8> {
        self.status
            .borrow()
            .status_list
            .iter()
            .find(|s| s.goal_info.goal_id == self.goal_id)
            .map(|s| s.status)
    }

    /// Wait for the result: the server answers once the goal is finished. `Duration::MAX` waits
    /// without limit.
    pub async fn get_result(&self, timeout: Duration) -> Result<GoalResult<A::Result>> {
        let (status, result) = self.client.get_result(self.goal_id, timeout).await?;
        Ok(GoalResult { status, result })
    }

    /// Ask the server to cancel this goal. `return_code` says whether it accepted.
    pub async fn cancel(&self, timeout: Duration) -> Result<CancelGoalResponse> {
        self.client
            .cancel(
                GoalInfo {
                    goal_id: self.goal_id,
                    stamp: Time::default(),
                },
                timeout,
            )
            .await
    }
}

impl<A: RosAction> std::fmt::Debug for ActionServer<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionServer")
            .field("name", &self.name)
            .field("type", &A::type_name())
            .finish()
    }
}

impl<A: RosAction> std::fmt::Debug for ActionClient<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionClient")
            .field("name", &self.name)
            .field("type", &A::type_name())
            .finish()
    }
}

impl<A: RosAction> std::fmt::Debug for GoalHandle<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoalHandle")
            .field("goal_id", &self.goal_id)
            .field("accepted_at", &self.accepted_at)
            .finish()
    }
}

impl Node {
    /// Serve the action `name` (resolved like a topic), with the default [`ActionServerOptions`].
    /// Over DDS, must be called inside a tokio runtime.
    pub fn action_server<A: RosAction>(&self, name: &str) -> Result<ActionServer<A>> {
        self.action_server_with(name, ActionServerOptions::default())
    }

    /// Serve the action `name` with explicit limits.
    pub fn action_server_with<A: RosAction>(
        &self,
        name: &str,
        options: ActionServerOptions,
    ) -> Result<ActionServer<A>> {
        let name = self.resolve(name)?;
        let shared = match &self.inner {
            NodeBackend::Dds(_) => {
                let mut guard = self.dds().ok_or(TransportError::Closed)?;
                let (out, pump) = dds_action::create_server::<A>(&mut guard, &name)?;
                let shared = Arc::new(ServerShared::new(
                    name.clone(),
                    options,
                    self.clock(),
                    ServerOut::Dds(out),
                ));
                pump.start(Arc::downgrade(&shared))?;
                shared
            }
            NodeBackend::Bus(bus) => {
                let (feedback, _) = broadcast::channel(FEEDBACK_BUFFER);
                let (status, _) = watch::channel(GoalStatusArray::default());
                let shared = Arc::new(ServerShared::new(
                    name.clone(),
                    options,
                    self.clock(),
                    ServerOut::Bus(BusServerOut { feedback, status }),
                ));
                let weak: Weak<ServerShared<A>> = Arc::downgrade(&shared);
                bus.register_action(
                    &name,
                    ActionEntry {
                        type_name: A::type_name(),
                        server: weak,
                    },
                )?;
                shared
            }
        };
        Ok(ActionServer { name, shared })
    }

    /// A client of the action `name` (resolved like a topic). Over DDS, must be called inside a
    /// tokio runtime.
    pub fn action_client<A: RosAction>(&self, name: &str) -> Result<ActionClient<A>> {
        let name = self.resolve(name)?;
        let inner = match &self.inner {
            NodeBackend::Dds(_) => {
                let mut guard = self.dds().ok_or(TransportError::Closed)?;
                ClientInner::Dds(dds_action::create_client::<A>(&mut guard, &name)?)
            }
            NodeBackend::Bus(bus) => ClientInner::Bus(bus.clone()),
        };
        Ok(ActionClient { name, inner })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(n: u8) -> GoalId {
        GoalId::from_bytes([n; 16])
    }

    fn info(n: u8, sec: i32) -> GoalInfo {
        GoalInfo {
            goal_id: if n == 0 { GoalId::ZERO } else { id(n) },
            stamp: Time { sec, nanosec: 0 },
        }
    }

    #[test]
    fn the_cancel_policy_of_cancel_goal() {
        let goal = info(7, 10);
        assert!(cancel_matches(&info(0, 0), &goal), "all goals");
        assert!(cancel_matches(&info(0, 10), &goal), "accepted at the stamp");
        assert!(
            cancel_matches(&info(0, 11), &goal),
            "accepted before the stamp"
        );
        assert!(
            !cancel_matches(&info(0, 9), &goal),
            "accepted after the stamp"
        );
        assert!(cancel_matches(&info(7, 0), &goal), "by id");
        assert!(!cancel_matches(&info(8, 0), &goal), "another id");
        assert!(
            cancel_matches(&info(8, 10), &goal),
            "another id, but by time"
        );
        assert!(!cancel_matches(&info(8, 9), &goal));
    }

    #[test]
    fn outcomes_and_statuses() {
        for o in [
            GoalOutcome::Succeeded,
            GoalOutcome::Aborted,
            GoalOutcome::Canceled,
        ] {
            assert_eq!(GoalOutcome::from_status(o.status()), Some(o));
            assert!(Status::is_terminal_status(o.status()));
            assert!(!is_active(o.status()));
        }
        assert_eq!(GoalOutcome::from_status(Status::STATUS_UNKNOWN), None);
        assert!(is_active(Status::STATUS_CANCELING) && !is_cancelable(Status::STATUS_CANCELING));
    }
}
