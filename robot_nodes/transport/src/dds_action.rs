//! The DDS side of actions: ros2-client's action endpoints, driven by the state machine of
//! `action.rs` (shared with the bus).
//!
//! Why ros2-client's `create_action_server` / `create_action_client` and not the crate's service
//! and topic primitives: the endpoints' DDS type names must be the ones rosidl generates
//! (`nav2_msgs::action::dds_::NavigateToPose_SendGoal_Request_`, …), and ros2-client makes the
//! `action` prefix only through those two constructors (`ServiceTypeName::new_prefix` is private);
//! they also give rcl's names (`<action>/_action/send_goal`, …). Why not its `AsyncActionServer`:
//! its `send_result_response` waits until a client asks for the result (it would block a `select!`
//! loop), it answers only one get_result request per goal, it forgets a finished goal at once (a
//! later get_result never gets an answer), it stamps goals with the wall clock (not sim time), and
//! it panics on a poisoned lock. So only the endpoints are used.
//!
//! Server: the three service readers are registered with a mio poll on a thread of their own
//! (event driven; `Server` implements `mio::event::Source`, and registering needs the `&mut`
//! access that the server has before it is shared).
//!
//! Client: ros2-client's `Client::async_call_service` takes, and throws away, responses meant for
//! other outstanding calls of the same client, so two concurrent calls (two goals, a get_result
//! pending while a cancel is sent) would lose answers. One demultiplexer task reads every response
//! and hands it to the waiting call by request id. It looks every 5 ms while calls are outstanding
//! and sleeps otherwise: `ActionClient` lends its `Client`s only by shared reference, so they
//! cannot be registered with mio.
//!
//! Values cross between ros2-client's action structs (`GoalId`, `GoalStatusArray`, the cancel
//! messages, whose fields are partly private) and ours with [`transcode`]: same CDR layout, checked
//! byte for byte in the tests below.
use crate::action::{GoalAnswer, GoalId, Reply, ServerShared};
use crate::dds::{transcode, DdsContext, DdsNode, Wire};
use crate::qos::Qos;
use crate::{Result, TransportError};
use futures::StreamExt;
use letan_msgs::action_msgs::{CancelGoalRequest, CancelGoalResponse, GoalInfo, GoalStatusArray};
use letan_msgs::builtin_interfaces::Time;
use letan_msgs::RosActionType as RosAction;
use ros2_client::action as ra;
use ros2_client::dds::rustdds::mio1::{Events, Interest, Poll, Token};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::sync::{broadcast, oneshot, watch, Notify};

/// A service request's id, to address the response.
pub(crate) type RequestId = ros2_client::RmwRequestId;

type G<A> = Wire<<A as RosAction>::Goal>;
type R<A> = Wire<<A as RosAction>::Result>;
type F<A> = Wire<<A as RosAction>::Feedback>;
type RosServer<A> = ra::ActionServer<G<A>, R<A>, F<A>>;
type RosClient<A> = ra::ActionClient<G<A>, R<A>, F<A>>;

const GOALS: Token = Token(0);
const CANCELS: Token = Token(1);
const RESULTS: Token = Token(2);
/// Requests read per service per wake-up before the pump polls again (fairness, no endless loop).
const MAX_PER_ROUND: usize = 256;

/// A fresh random goal id (UUID v4).
pub(crate) fn random_goal_id() -> GoalId {
    GoalId::from_bytes(
        ros2_client::unique_identifier_msgs::UUID::new_random()
            .uuid
            .into_bytes(),
    )
}

fn from_ros_id(id: &ros2_client::unique_identifier_msgs::UUID) -> GoalId {
    GoalId::from_bytes(*id.uuid.as_bytes())
}

fn to_ros_id(id: GoalId) -> Result<ros2_client::unique_identifier_msgs::UUID> {
    transcode(&id)
}

fn action_err(action: &str, detail: impl Into<String>) -> TransportError {
    TransportError::Action {
        action: action.to_string(),
        detail: detail.into(),
    }
}

/// rcl's QoS for the five endpoints (services default; feedback = rmw default; status =
/// `rcl_action_qos_profile_status_default`: reliable, transient local, keep last 1).
fn qos() -> (
    ros2_client::QosProfile,
    ros2_client::QosProfile,
    ros2_client::QosProfile,
) {
    (
        Qos::services().to_ros2(),
        Qos::commands().to_ros2(),
        Qos::latched().to_ros2(),
    )
}

/// The DDS topic names of an action, for discovery checks (`/a/b` → `rq/a/b/_action/…`).
struct DdsNames {
    readers: [String; 3],
    writers: [String; 5],
}

impl DdsNames {
    fn new(action: &str) -> Self {
        let a = action.trim_start_matches('/');
        let svc = |s: &str, prefix: &str, suffix: &str| format!("{prefix}/{a}/_action/{s}{suffix}");
        DdsNames {
            readers: [
                svc("send_goal", "rq", "Request"),
                svc("cancel_goal", "rq", "Request"),
                svc("get_result", "rq", "Request"),
            ],
            writers: [
                svc("send_goal", "rr", "Reply"),
                svc("cancel_goal", "rr", "Reply"),
                svc("get_result", "rr", "Reply"),
                format!("rt/{a}/_action/feedback"),
                format!("rt/{a}/_action/status"),
            ],
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Server

/// Sends the server's answers, feedback and status through ros2-client's endpoints.
pub(crate) struct DdsServerOut<A: RosAction> {
    name: String,
    server: Arc<RosServer<A>>,
    stop: Arc<AtomicBool>,
}

impl<A: RosAction> DdsServerOut<A> {
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    pub(crate) fn reply_goal(&self, id: RequestId, answer: GoalAnswer) {
        let sent = transcode(&answer.stamp).and_then(|stamp| {
            self.server
                .send_goal_response(
                    id,
                    ra::SendGoalResponse {
                        accepted: answer.accepted,
                        stamp,
                    },
                )
                .map_err(|e| action_err(&self.name, format!("send_goal response: {e:?}")))
        });
        if let Err(e) = sent {
            tracing::warn!(error = %e, "action response not sent");
        }
    }

    pub(crate) fn reply_cancel(&self, id: RequestId, response: &CancelGoalResponse) {
        let sent = transcode::<_, ra::CancelGoalResponse>(response).and_then(|r| {
            self.server
                .send_cancel_response(id, r)
                .map_err(|e| action_err(&self.name, format!("cancel_goal response: {e:?}")))
        });
        if let Err(e) = sent {
            tracing::warn!(error = %e, "action response not sent");
        }
    }

    pub(crate) fn reply_result(&self, id: RequestId, status: i8, result: A::Result) {
        let sent = transcode::<i8, ra::GoalStatusEnum>(&status).and_then(|status| {
            self.server
                .send_result(
                    id,
                    ra::GetResultResponse {
                        status,
                        result: Wire(result),
                    },
                )
                .map_err(|e| action_err(&self.name, format!("get_result response: {e:?}")))
        });
        if let Err(e) = sent {
            tracing::warn!(error = %e, "action response not sent");
        }
    }

    pub(crate) fn feedback(&self, goal: GoalId, feedback: A::Feedback) -> Result<()> {
        self.server
            .send_feedback(to_ros_id(goal)?, Wire(feedback))
            .map_err(|e| TransportError::Publish {
                topic: format!("{}/_action/feedback", self.name),
                detail: format!("{e:?}"),
            })
    }

    pub(crate) fn status(&self, array: &GoalStatusArray) {
        let sent = transcode::<_, ros2_client::action_msgs::GoalStatusArray>(array).and_then(|a| {
            self.server
                .send_goal_statuses(a)
                .map_err(|e| action_err(&self.name, format!("status: {e:?}")))
        });
        if let Err(e) = sent {
            tracing::warn!(error = %e, "action status not published");
        }
    }
}

/// The reader thread of a server, not yet started.
pub(crate) struct ServerPump<A: RosAction> {
    name: String,
    poll: Poll,
    server: Arc<RosServer<A>>,
    stop: Arc<AtomicBool>,
    /// Kept until the thread has dropped its server handle (see `DdsContext`).
    participant: ros2_client::dds::rustdds::DomainParticipant,
}

pub(crate) fn create_server<A: RosAction>(
    node: &mut DdsNode,
    name: &str,
) -> Result<(DdsServerOut<A>, ServerPump<A>)> {
    let (services, feedback, status) = qos();
    let mapping = node.service_mapping;
    let mut server: RosServer<A> = node
        .node
        .create_action_server(
            mapping,
            &DdsContext::ros_name(name)?,
            &ros2_client::ActionTypeName::new(A::PACKAGE, A::NAME),
            ra::ActionServerQosPolicies {
                goal_service: services.clone(),
                result_service: services.clone(),
                cancel_service: services,
                feedback_publisher: feedback,
                status_publisher: status,
            },
        )
        .map_err(|e| TransportError::dds(format!("creating action server {name}"), e))?;
    let poll = Poll::new().map_err(|e| TransportError::dds("creating a poll", e))?;
    let registry = poll.registry();
    let register = |r: std::io::Result<()>| {
        r.map_err(|e| TransportError::dds(format!("watching the services of {name}"), e))
    };
    register(registry.register(server.goal_server(), GOALS, Interest::READABLE))?;
    register(registry.register(server.cancel_server(), CANCELS, Interest::READABLE))?;
    register(registry.register(server.result_server(), RESULTS, Interest::READABLE))?;
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    Ok((
        DdsServerOut {
            name: name.to_string(),
            server: server.clone(),
            stop: stop.clone(),
        },
        ServerPump {
            name: name.to_string(),
            poll,
            server,
            stop,
            participant: node.participant.clone(),
        },
    ))
}

impl<A: RosAction> ServerPump<A> {
    /// Start the reader thread. It ends when the server is dropped (within 200 ms).
    pub(crate) fn start(self, shared: Weak<ServerShared<A>>) -> Result<()> {
        let ServerPump {
            name,
            mut poll,
            server,
            stop,
            participant,
        } = self;
        let thread_name = format!("dds-action{}", name.replace('/', "-"));
        std::thread::Builder::new()
            .name(thread_name.chars().take(15).collect())
            .spawn(move || {
                let mut events = Events::with_capacity(8);
                let mut backlog = true; // read what arrived before the registration
                while !stop.load(Ordering::Acquire) {
                    let wait = if backlog {
                        Duration::ZERO
                    } else {
                        Duration::from_millis(200)
                    };
                    if let Err(e) = poll.poll(&mut events, Some(wait)) {
                        if e.kind() == std::io::ErrorKind::Interrupted {
                            continue;
                        }
                        tracing::error!(action = %name, error = %e, "action server stopped reading");
                        break;
                    }
                    let Some(shared) = shared.upgrade() else { break };
                    backlog = drain(&name, &server, &shared);
                }
                // The server's readers and writers go while the participant still runs.
                drop(server);
                drop(participant);
            })
            .map_err(|e| TransportError::dds("spawning the action reader thread", e))?;
        Ok(())
    }
}

/// Reads every waiting request of the three services. Returns `true` if some may be left.
fn drain<A: RosAction>(name: &str, server: &RosServer<A>, shared: &Arc<ServerShared<A>>) -> bool {
    let mut left = false;
    for n in 0.. {
        if n == MAX_PER_ROUND {
            left = true;
            break;
        }
        match server.receive_goal() {
            Ok(Some((id, request))) => shared.on_goal_request(
                from_ros_id(&request.goal_id),
                request.goal.0,
                Reply::Dds(id),
            ),
            Ok(None) => break,
            // The sample is consumed even when it does not decode (RustDDS advances its reader).
            Err(e) => tracing::warn!(action = %name, error = ?e, "bad send_goal request dropped"),
        }
    }
    for n in 0.. {
        if n == MAX_PER_ROUND {
            left = true;
            break;
        }
        match server.receive_cancel_request() {
            Ok(Some((id, request))) => match transcode::<_, CancelGoalRequest>(&request) {
                Ok(r) => shared.on_cancel_request(r.goal_info, Reply::Dds(id)),
                Err(e) => tracing::warn!(action = %name, error = %e, "bad cancel request"),
            },
            Ok(None) => break,
            Err(e) => tracing::warn!(action = %name, error = ?e, "bad cancel_goal request dropped"),
        }
    }
    for n in 0.. {
        if n == MAX_PER_ROUND {
            left = true;
            break;
        }
        match server.receive_result_request() {
            Ok(Some((id, request))) => {
                shared.on_result_request(from_ros_id(&request.goal_id), Reply::Dds(id))
            }
            Ok(None) => break,
            Err(e) => tracing::warn!(action = %name, error = ?e, "bad get_result request dropped"),
        }
    }
    left
}

// ------------------------------------------------------------------------------------------------
// Client

type Waiters<T> = BTreeMap<RequestId, oneshot::Sender<T>>;

struct Pending<A: RosAction> {
    goal: Waiters<ra::SendGoalResponse>,
    cancel: Waiters<ra::CancelGoalResponse>,
    result: Waiters<ra::GetResultResponse<R<A>>>,
}

impl<A: RosAction> Pending<A> {
    /// Forget callers that gave up; returns how many still wait.
    fn outstanding(&mut self) -> usize {
        self.goal.retain(|_, tx| !tx.is_closed());
        self.cancel.retain(|_, tx| !tx.is_closed());
        self.result.retain(|_, tx| !tx.is_closed());
        self.goal.len() + self.cancel.len() + self.result.len()
    }
}

pub(crate) struct DdsClientShared<A: RosAction> {
    name: String,
    client: RosClient<A>,
    participant: ros2_client::dds::rustdds::DomainParticipant,
    names: DdsNames,
    pending: Mutex<Pending<A>>,
    wake: Notify,
    feedback: broadcast::Sender<(GoalId, A::Feedback)>,
    status: watch::Sender<GoalStatusArray>,
}

/// A DDS action client: the shared part and its three tasks (response demultiplexer, feedback
/// and status readers), stopped when it is dropped.
pub(crate) struct DdsClient<A: RosAction> {
    shared: Arc<DdsClientShared<A>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl<A: RosAction> Drop for DdsClient<A> {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub(crate) fn create_client<A: RosAction>(node: &mut DdsNode, name: &str) -> Result<DdsClient<A>> {
    let rt = crate::dds::runtime()?;
    let (services, feedback, status) = qos();
    let mapping = node.service_mapping;
    let client: RosClient<A> = node
        .node
        .create_action_client(
            mapping,
            &DdsContext::ros_name(name)?,
            &ros2_client::ActionTypeName::new(A::PACKAGE, A::NAME),
            ra::ActionClientQosPolicies {
                goal_service: services.clone(),
                result_service: services.clone(),
                cancel_service: services,
                feedback_subscription: feedback,
                status_subscription: status,
            },
        )
        .map_err(|e| TransportError::dds(format!("creating action client {name}"), e))?;
    let (feedback, _) = broadcast::channel(64);
    let (status, _) = watch::channel(GoalStatusArray::default());
    let shared = Arc::new(DdsClientShared {
        name: name.to_string(),
        client,
        participant: node.participant.clone(),
        names: DdsNames::new(name),
        pending: Mutex::new(Pending {
            goal: BTreeMap::new(),
            cancel: BTreeMap::new(),
            result: BTreeMap::new(),
        }),
        wake: Notify::new(),
        feedback,
        status,
    });
    let tasks = vec![
        rt.spawn(demultiplex(shared.clone())),
        rt.spawn(read_feedback(shared.clone())),
        rt.spawn(read_status(shared.clone())),
    ];
    Ok(DdsClient { shared, tasks })
}

impl<A: RosAction> DdsClient<A> {
    pub(crate) fn shared(&self) -> Arc<DdsClientShared<A>> {
        self.shared.clone()
    }
    pub(crate) fn server_is_ready(&self) -> bool {
        self.shared.server_is_ready()
    }
    pub(crate) fn feedback(&self) -> broadcast::Receiver<(GoalId, A::Feedback)> {
        self.shared.feedback.subscribe()
    }
    pub(crate) fn status(&self) -> watch::Receiver<GoalStatusArray> {
        self.shared.status.subscribe()
    }
    pub(crate) async fn send_goal(
        &self,
        goal_id: GoalId,
        goal: A::Goal,
        timeout: Duration,
    ) -> Result<GoalAnswer> {
        self.shared.send_goal(goal_id, goal, timeout).await
    }
}

impl<A: RosAction> DdsClientShared<A> {
    fn lock(&self) -> MutexGuard<'_, Pending<A>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn server_is_ready(&self) -> bool {
        let readers = self.participant.discovered_readers();
        let writers = self.participant.discovered_writers();
        self.names.readers.iter().all(|t| {
            readers
                .iter()
                .any(|r| &r.subscription_topic_data.topic_name == t)
        }) && self.names.writers.iter().all(|t| {
            writers
                .iter()
                .any(|w| &w.publication_topic_data.topic_name == t)
        })
    }

    /// Sends with `send` and waits for the response with that request id. The waiter is registered
    /// under the same lock the demultiplexer takes, so a fast answer cannot slip past it.
    async fn call<T>(
        &self,
        request: &str,
        timeout: Duration,
        waiters: impl Fn(&mut Pending<A>) -> &mut Waiters<T>,
        send: impl FnOnce(&RosClient<A>) -> std::result::Result<RequestId, String>,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut pending = self.lock();
            let id = send(&self.client)
                .map_err(|e| action_err(&self.name, format!("sending {request}: {e}")))?;
            waiters(&mut pending).insert(id, tx);
            id
        };
        self.wake.notify_one();
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(_)) => Err(TransportError::Closed),
            Err(_) => {
                waiters(&mut self.lock()).remove(&id);
                Err(TransportError::ActionTimeout {
                    action: self.name.clone(),
                    request: request.to_string(),
                    timeout_ms: timeout.as_millis() as u64,
                })
            }
        }
    }

    async fn send_goal(
        &self,
        goal_id: GoalId,
        goal: A::Goal,
        timeout: Duration,
    ) -> Result<GoalAnswer> {
        let request = ra::SendGoalRequest {
            goal_id: to_ros_id(goal_id)?,
            goal: Wire(goal),
        };
        let response = self
            .call(
                "send_goal",
                timeout,
                |p| &mut p.goal,
                |c| {
                    c.goal_client()
                        .send_request(request)
                        .map_err(|e| format!("{e:?}"))
                },
            )
            .await?;
        Ok(GoalAnswer {
            accepted: response.accepted,
            stamp: transcode::<_, Time>(&response.stamp)?,
        })
    }

    pub(crate) async fn get_result(
        &self,
        goal_id: GoalId,
        timeout: Duration,
    ) -> Result<(i8, A::Result)> {
        let request = ra::GetResultRequest {
            goal_id: to_ros_id(goal_id)?,
        };
        let response = self
            .call(
                "get_result",
                timeout,
                |p| &mut p.result,
                |c| {
                    c.result_client()
                        .send_request(request)
                        .map_err(|e| format!("{e:?}"))
                },
            )
            .await?;
        Ok((response.status as i8, response.result.0))
    }

    pub(crate) async fn cancel(
        &self,
        which: GoalInfo,
        timeout: Duration,
    ) -> Result<CancelGoalResponse> {
        let request: ra::CancelGoalRequest = transcode(&CancelGoalRequest { goal_info: which })?;
        let response = self
            .call(
                "cancel_goal",
                timeout,
                |p| &mut p.cancel,
                |c| {
                    c.cancel_client()
                        .send_request(request)
                        .map_err(|e| format!("{e:?}"))
                },
            )
            .await?;
        transcode(&response)
    }

    /// Reads every waiting response and hands it to its caller. Returns how many calls still wait.
    fn pump_once(&self) -> usize {
        fn drain<Req, T>(name: &str, client: &ros2_client::Client<Req, T>, waiters: &mut Waiters<T>)
        where
            Req: ros2_client::Message + 'static,
            T: ros2_client::Message + 'static,
        {
            for _ in 0..MAX_PER_ROUND {
                match client.receive_response() {
                    Ok(Some((id, response))) => {
                        if let Some(tx) = waiters.remove(&id) {
                            let _ = tx.send(response);
                        }
                        // else: a caller that timed out, or a reply to another client.
                    }
                    Ok(None) => return,
                    Err(e) => tracing::debug!(action = %name, error = ?e, "response skipped"),
                }
            }
        }
        let mut pending = self.lock();
        drain(&self.name, self.client.goal_client(), &mut pending.goal);
        drain(&self.name, self.client.cancel_client(), &mut pending.cancel);
        drain(&self.name, self.client.result_client(), &mut pending.result);
        pending.outstanding()
    }
}

async fn demultiplex<A: RosAction>(shared: Arc<DdsClientShared<A>>) {
    loop {
        if shared.pump_once() == 0 {
            // A call registered since then left a permit: this returns at once.
            shared.wake.notified().await;
        } else {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn read_feedback<A: RosAction>(shared: Arc<DdsClientShared<A>>) {
    let stream = shared.client.feedback_subscription().async_stream();
    futures::pin_mut!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok((message, _info)) => {
                // No receiver (no goal handle alive) is fine.
                let _ = shared
                    .feedback
                    .send((from_ros_id(&message.goal_id), message.feedback.0));
            }
            Err(e) => tracing::warn!(action = %shared.name, error = ?e, "bad feedback dropped"),
        }
    }
}

async fn read_status<A: RosAction>(shared: Arc<DdsClientShared<A>>) {
    let stream = shared.client.status_subscription().async_stream();
    futures::pin_mut!(stream);
    while let Some(item) = stream.next().await {
        match item
            .map_err(|e| format!("{e:?}"))
            .and_then(|(array, _info)| {
                transcode::<_, GoalStatusArray>(&array).map_err(|e| e.to_string())
            }) {
            Ok(array) => {
                shared.status.send_replace(array);
            }
            Err(e) => tracing::warn!(action = %shared.name, error = %e, "bad status dropped"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use byteorder::LittleEndian;
    use letan_msgs::action_msgs::GoalStatus;
    use letan_msgs::nav2_msgs::*;
    use serde::Serialize;

    fn cdr<T: Serialize>(v: &T) -> Vec<u8> {
        cdr_encoding::to_vec::<T, LittleEndian>(v).unwrap()
    }

    fn goal_id() -> GoalId {
        GoalId::from_bytes(std::array::from_fn(|i| (i * 13 + 1) as u8))
    }

    fn stamp() -> Time {
        Time {
            sec: 1_700_000_100,
            nanosec: 5,
        }
    }

    fn goal() -> NavigateToPoseGoal {
        let mut g = NavigateToPoseGoal::default();
        g.pose.header.frame_id = "map".into();
        g.pose.pose.position.x = 3.5;
        g.behavior_tree = "bt.xml".into();
        g
    }

    /// ros2-client's generic action structs put on the wire exactly what letan-msgs' rosidl-shaped
    /// structs do (and those match Cyclone DDS byte for byte: letan-msgs' golden tests).
    #[test]
    fn ros2_client_action_messages_have_our_layouts() {
        let id = goal_id();
        let ros_id = to_ros_id(id).unwrap();
        assert_eq!(from_ros_id(&ros_id), id);
        assert_eq!(cdr(&ros_id), id.uuid.to_vec());

        let ours = NavigateToPoseSendGoalRequest {
            goal_id: id,
            goal: goal(),
        };
        let theirs = ra::SendGoalRequest {
            goal_id: ros_id,
            goal: Wire(goal()),
        };
        assert_eq!(cdr(&theirs), cdr(&ours));

        let ours = NavigateToPoseSendGoalResponse {
            accepted: true,
            stamp: stamp(),
        };
        let theirs = ra::SendGoalResponse {
            accepted: true,
            stamp: transcode(&stamp()).unwrap(),
        };
        assert_eq!(cdr(&theirs), cdr(&ours));

        let result = NavigateToPoseResult {
            error_code: NavigateToPoseResult::TF_ERROR,
            error_msg: "no tf".into(),
        };
        let ours = NavigateToPoseGetResultResponse {
            status: GoalStatus::STATUS_ABORTED,
            result: result.clone(),
        };
        let theirs = ra::GetResultResponse {
            status: ra::GoalStatusEnum::Aborted,
            result: Wire(result),
        };
        assert_eq!(cdr(&theirs), cdr(&ours));
        assert_eq!(
            cdr(&ra::GetResultRequest { goal_id: ros_id }),
            cdr(&NavigateToPoseGetResultRequest { goal_id: id })
        );

        let feedback = NavigateToPoseFeedback {
            distance_remaining: 2.5,
            number_of_recoveries: 3,
            ..Default::default()
        };
        let ours = NavigateToPoseFeedbackMessage {
            goal_id: id,
            feedback: feedback.clone(),
        };
        let theirs = ra::FeedbackMessage {
            goal_id: ros_id,
            feedback: Wire(feedback),
        };
        assert_eq!(cdr(&theirs), cdr(&ours));

        let array = GoalStatusArray {
            status_list: vec![
                GoalStatus {
                    goal_info: GoalInfo {
                        goal_id: id,
                        stamp: stamp(),
                    },
                    status: GoalStatus::STATUS_EXECUTING,
                },
                GoalStatus::default(),
            ],
        };
        let theirs: ros2_client::action_msgs::GoalStatusArray = transcode(&array).unwrap();
        assert_eq!(cdr(&theirs), cdr(&array));
        assert_eq!(transcode::<_, GoalStatusArray>(&theirs).unwrap(), array);

        let cancel = CancelGoalRequest {
            goal_info: GoalInfo {
                goal_id: id,
                stamp: Time::default(),
            },
        };
        let theirs: ra::CancelGoalRequest = transcode(&cancel).unwrap();
        assert_eq!(transcode::<_, CancelGoalRequest>(&theirs).unwrap(), cancel);
        let response = CancelGoalResponse {
            return_code: CancelGoalResponse::ERROR_GOAL_TERMINATED,
            goals_canceling: vec![cancel.goal_info],
        };
        let theirs: ra::CancelGoalResponse = transcode(&response).unwrap();
        assert_eq!(
            transcode::<_, CancelGoalResponse>(&theirs).unwrap(),
            response
        );
    }

    #[test]
    fn out_of_range_statuses_do_not_transcode() {
        for s in 0..=6i8 {
            let e: ra::GoalStatusEnum = transcode(&s).unwrap();
            assert_eq!(e as i8, s);
        }
        assert!(transcode::<i8, ra::GoalStatusEnum>(&7).is_err());
        assert!(transcode::<i8, ros2_client::action_msgs::CancelGoalResponseEnum>(&-1).is_err());
    }

    #[test]
    fn random_ids_differ_and_names_follow_rcl() {
        assert_ne!(random_goal_id(), random_goal_id());
        let n = DdsNames::new("/robot/navigate_to_pose");
        assert_eq!(
            n.readers[0],
            "rq/robot/navigate_to_pose/_action/send_goalRequest"
        );
        assert_eq!(
            n.writers[2],
            "rr/robot/navigate_to_pose/_action/get_resultReply"
        );
        assert_eq!(n.writers[4], "rt/robot/navigate_to_pose/_action/status");
    }
}
