//! The DDS backend: everything that names a ros2-client type lives here and in `service.rs`.
use crate::inbox::Inbox;
use crate::node::{DdsOptions, ServiceLayout};
use crate::qos::Qos;
use crate::{Result, TransportError};
use futures::StreamExt;
use ros2_client::{MessageTypeName, Name, NodeName, NodeOptions};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::{Arc, Weak};

pub(crate) struct DdsContext {
    pub(crate) ctx: ros2_client::Context,
    service_mapping: ros2_client::ServiceMapping,
    /// Dropped after `ctx` (fields drop in order). ros2-client's context holds its own writers and
    /// readers beside the participant; when the context held the last participant handle, the
    /// participant could stop its event loop before those were removed, and rustdds logged
    /// "Cannot remove Writer/Reader … Disconnected" on exit.
    _participant: ros2_client::dds::rustdds::DomainParticipant,
}

impl DdsContext {
    pub(crate) fn new(options: DdsOptions) -> Result<Self> {
        let mut builder =
            ros2_client::dds::rustdds::DomainParticipantBuilder::new(options.domain_id);
        if options.loopback_only {
            builder = builder.with_only_networks([std::net::Ipv4Addr::LOCALHOST]);
        }
        let participant = builder
            .build()
            .map_err(|e| TransportError::dds("creating the DDS participant", e))?;
        let ctx = ros2_client::Context::from_domain_participant(participant)
            .map_err(|e| TransportError::dds("creating the ROS 2 context", e))?;
        let service_mapping = match options.service_layout {
            ServiceLayout::SampleIdentity => ros2_client::ServiceMapping::Enhanced,
            ServiceLayout::CycloneHeader => ros2_client::ServiceMapping::Cyclone,
        };
        Ok(DdsContext {
            _participant: ctx.domain_participant(),
            ctx,
            service_mapping,
        })
    }

    /// Split `/a/b/c` into the ROS namespace `/a/b` and base name `c`, as ros2-client's `Name` wants.
    pub(crate) fn ros_name(full: &str) -> Result<Name> {
        let (ns, base) = match full.rfind('/') {
            Some(0) => ("/", &full[1..]),
            Some(i) => (&full[..i], &full[i + 1..]),
            None => ("/", full),
        };
        Name::new(ns, base).map_err(|e| TransportError::InvalidName {
            name: full.to_string(),
            reason: format!("{e:?}"),
        })
    }

    /// `pkg/msg/Name` or `pkg/Name` → ros2-client's type name.
    pub(crate) fn msg_type(type_name: &str) -> Result<MessageTypeName> {
        let parts: Vec<&str> = type_name.split('/').collect();
        match parts.as_slice() {
            [pkg, "msg", name] | [pkg, name] => Ok(MessageTypeName::new(pkg, name)),
            _ => Err(TransportError::InvalidName {
                name: type_name.to_string(),
                reason: "a message type is written pkg/msg/Name".into(),
            }),
        }
    }
}

pub(crate) struct DdsNode {
    /// Always there until `drop`, which hands it to the reaper (see `Drop for DdsNode`).
    pub(crate) node: Retiring<ros2_client::Node>,
    /// The thread running the node's spinner; `None` only after `drop`.
    spinner: Option<std::thread::JoinHandle<()>>,
    /// The node's participant, for discovery queries (`ActionClient::server_is_ready`).
    pub(crate) participant: ros2_client::dds::rustdds::DomainParticipant,
    /// The service wire layout of the context (`DdsOptions::service_layout`).
    pub(crate) service_mapping: ros2_client::ServiceMapping,
}

impl DdsNode {
    pub(crate) fn new(ctx: &DdsContext, name: &str, namespace: &str) -> Result<Self> {
        let node_name =
            NodeName::new(namespace, name).map_err(|e| TransportError::InvalidName {
                name: format!("{namespace}/{name}"),
                reason: format!("{e:?}"),
            })?;
        let mut node = ctx
            .ctx
            .new_node(node_name, NodeOptions::new().enable_rosout(false))
            .map_err(|e| TransportError::dds("creating the node", e))?;
        // The spinner keeps ROS graph discovery (ros_discovery_info) up to date. It runs on its own
        // thread so that it works whatever async runtime the node code uses.
        let spinner = node
            .spinner()
            .map_err(|e| TransportError::dds("starting the node spinner", e))?;
        // The spinner holds the ROS 2 context; when it stops after the node is gone it may drop the
        // context's last handle, so the thread keeps the participant until the spinner is done.
        let participant = ctx.ctx.domain_participant();
        let spinner = std::thread::Builder::new()
            .name(format!("dds-spin-{name}"))
            .spawn(move || {
                if let Err(e) = futures::executor::block_on(spinner.spin()) {
                    tracing::warn!(error = ?e, "DDS spinner stopped with an error");
                }
                drop(participant);
            })
            .map_err(|e| TransportError::dds("spawning the spinner thread", e))?;
        Ok(DdsNode {
            node: Retiring(Some(node)),
            spinner: Some(spinner),
            participant: ctx.ctx.domain_participant(),
            service_mapping: ctx.service_mapping,
        })
    }

    pub(crate) fn topic(
        &mut self,
        topic: &str,
        type_name: &str,
        qos: Qos,
    ) -> Result<ros2_client::dds::rustdds::Topic> {
        let name = DdsContext::ros_name(topic)?;
        self.node
            .create_topic(&name, DdsContext::msg_type(type_name)?, &qos.to_ros2())
            .map_err(|e| TransportError::dds(format!("creating topic {topic}"), e))
    }

    pub(crate) fn publisher<M: Serialize + Send + 'static>(
        &mut self,
        topic: &str,
        type_name: &str,
        qos: Qos,
    ) -> Result<DdsWriter<M>> {
        let t = self.topic(topic, type_name, qos)?;
        let publisher = self
            .node
            .create_publisher::<M>(&t, Some(qos.to_ros2()))
            .map_err(|e| TransportError::dds(format!("creating a publisher on {topic}"), e))?;
        Ok(DdsWriter {
            publisher: Some(publisher),
            participant: self.participant.clone(),
        })
    }

    /// A bare DDS writer (same topic, type and QoS as [`Self::publisher`]) that can tell when its
    /// readers have acknowledged what it wrote. ros2-client hides that of its own publishers. The
    /// writer is not listed under this node in the ROS graph (`ros_discovery_info`), though DDS
    /// discovery shows it to every peer: meant for one-shot tools such as `letan topic pub --once`.
    pub(crate) fn acked_writer<M: Serialize>(
        &mut self,
        topic: &str,
        type_name: &str,
        qos: Qos,
    ) -> Result<AckedWriter<M>> {
        let t = self.topic(topic, type_name, qos)?;
        let what = || format!("creating an acknowledged writer on {topic}");
        let policies = ros2_client::dds::rustdds::QosPolicies::from(qos.to_ros2());
        let writer = self
            .participant
            .create_publisher(&policies)
            .map_err(|e| TransportError::dds(what(), e))?
            .create_datawriter_no_key_cdr::<M>(&t, Some(policies))
            .map_err(|e| TransportError::dds(what(), e))?;
        Ok(AckedWriter {
            writer,
            matched: std::sync::atomic::AtomicI32::new(0),
            _participant: self.participant.clone(),
        })
    }

    /// Subscribe and forward every sample into a keep-last inbox from a runtime task.
    pub(crate) fn subscribe<M: DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        topic: &str,
        type_name: &str,
        qos: Qos,
    ) -> Result<Arc<Inbox<M>>> {
        let t = self.topic(topic, type_name, qos)?;
        let sub = self
            .node
            .create_subscription::<M>(&t, Some(qos.to_ros2()))
            .map_err(|e| TransportError::dds(format!("subscribing to {topic}"), e))?;
        let inbox = Inbox::new(qos.depth);
        spawn_forwarder(
            topic.to_string(),
            sub,
            Arc::downgrade(&inbox),
            inbox.dropped_signal(),
            self.participant.clone(),
        )?;
        Ok(inbox)
    }

    /// Subscribe to a topic of any type, counting samples without decoding them (`letan topic hz`).
    pub(crate) fn subscribe_opaque(
        &mut self,
        topic: &str,
        dds_type: &str,
        qos: Qos,
    ) -> Result<Arc<Inbox<()>>> {
        let ty = dds_to_ros_type(dds_type).ok_or_else(|| TransportError::InvalidName {
            name: dds_type.to_string(),
            reason: "not a ROS 2 DDS type name (pkg::msg::dds_::Name_)".into(),
        })?;
        let t = self.topic(topic, &ty, qos)?;
        let sub = self
            .node
            .create_subscription::<Opaque>(&t, Some(qos.to_ros2()))
            .map_err(|e| TransportError::dds(format!("subscribing to {topic}"), e))?;
        let inbox = Inbox::new(qos.depth.max(1000));
        let weak = Arc::downgrade(&inbox);
        let topic = topic.to_string();
        let gone = inbox.dropped_signal();
        let participant = self.participant.clone();
        runtime()?.spawn(async move {
            pump(sub.async_stream_seed(OpaqueSeed), gone, |item| {
                let Some(inbox) = weak.upgrade() else {
                    return false;
                };
                match item {
                    Ok(_) => inbox.push(()),
                    Err(e) => tracing::warn!(%topic, error = ?e, "sample could not be read"),
                }
                true
            })
            .await;
            // The reader is retired (see `reaper`) once the stream over it is gone.
            reaper::retire(Box::new((sub, participant)));
        });
        Ok(inbox)
    }
}

/// A value that is always there until its owner's `drop` takes it out (to retire it elsewhere).
pub(crate) struct Retiring<T>(Option<T>);

impl<T> std::ops::Deref for Retiring<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            Some(t) => t,
            None => unreachable!("taken only in drop"),
        }
    }
}

impl<T> std::ops::DerefMut for Retiring<T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.0 {
            Some(t) => t,
            None => unreachable!("taken only in drop"),
        }
    }
}

/// ros2-client's node is retired on the reaper too. Dropping it signals its spinner to stop, and
/// the spinner then drops its own entities at once: the parameter services (six readers, six
/// writers), the `ros_discovery_info` and `/clock` readers and the parameter-events writer. On the
/// caller's thread that burst came in the middle of the node's own removals (and, at `letan sim`'s
/// Ctrl-C, every other node's) and overflowed the participant's removal channel ("Cannot remove
/// Reader/Writer … Full"). On the reaper it takes its turn with the other removals (usually after
/// this node's publishers and readers), and the reaper waits for the spinner to finish before it
/// goes on (see [`SpinnerDone`]).
impl Drop for DdsNode {
    fn drop(&mut self) {
        if let Some(node) = self.node.0.take() {
            // Tuple fields drop in order: the node (stop the spinner), then wait for the spinner
            // thread, then the participant handle.
            reaper::retire(Box::new((
                node,
                SpinnerDone(self.spinner.take()),
                self.participant.clone(),
            )));
        }
    }
}

/// Waits, when dropped, for a spinner thread to end (at most [`SpinnerDone::LIMIT`]).
struct SpinnerDone(Option<std::thread::JoinHandle<()>>);

impl SpinnerDone {
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(2);
}

impl Drop for SpinnerDone {
    fn drop(&mut self) {
        let Some(thread) = self.0.take() else { return };
        let mut waited = std::time::Duration::ZERO;
        let step = std::time::Duration::from_millis(5);
        while !thread.is_finished() && waited < Self::LIMIT {
            std::thread::sleep(step);
            waited += step;
        }
    }
}

/// ros2-client wants its own `Message` marker; our types get it through this transparent wrapper.
#[derive(Serialize, serde::Deserialize, Clone, Debug)]
#[serde(transparent)]
pub(crate) struct Wire<T>(pub(crate) T);
impl<T: Serialize + DeserializeOwned> ros2_client::Message for Wire<T> {}

/// Moves a value between two serde types with the same CDR layout (ros2-client's action structs
/// and ours) by encoding it and decoding the bytes. Exact by construction: CDR is positional, and
/// `dds_action`'s tests check that both sides write the same bytes.
pub(crate) fn transcode<A: Serialize, B: DeserializeOwned>(value: &A) -> Result<B> {
    use byteorder::LittleEndian;
    let bytes = cdr_encoding::to_vec::<A, LittleEndian>(value)
        .map_err(|e| TransportError::dds("re-encoding an action message", e))?;
    cdr_encoding::from_bytes::<B, LittleEndian>(&bytes)
        .map(|(b, _)| b)
        .map_err(|e| TransportError::dds("re-decoding an action message", e))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Handle> {
    tokio::runtime::Handle::try_current().map_err(|_| TransportError::Dds {
        action: "starting a reader task".into(),
        detail: "DDS subscriptions and services must be created inside a tokio runtime".into(),
    })
}

/// Forwards a reader's samples into its inbox until the inbox is dropped. The task holds the
/// participant so that the reader is removed while the participant's event loop still runs
/// (removing it afterwards logged "Cannot remove Reader … Disconnected" on every exit).
fn spawn_forwarder<M: DeserializeOwned + Send + Sync + 'static>(
    topic: String,
    sub: ros2_client::Subscription<M>,
    weak: Weak<Inbox<M>>,
    gone: impl std::future::Future<Output = ()> + Send + 'static,
    participant: ros2_client::dds::rustdds::DomainParticipant,
) -> Result<()> {
    runtime()?.spawn(async move {
        pump(sub.async_stream(), gone, |item| {
            let Some(inbox) = weak.upgrade() else {
                return false;
            };
            match item {
                Ok((msg, _info)) => inbox.push(msg),
                // A malformed sample is logged and skipped; the stream goes on.
                Err(e) => {
                    tracing::warn!(%topic, error = ?e, "dropped a sample that did not decode")
                }
            }
            true
        })
        .await;
        // The reader is retired (see `reaper`) once the stream over it is gone.
        reaper::retire(Box::new((sub, participant)));
    });
    Ok(())
}

/// Feed each item of a reader's stream to `each` until the stream ends, `each` says stop, or
/// `gone` resolves (the subscriber was dropped).
async fn pump<T>(
    stream: impl futures::Stream<Item = T>,
    gone: impl std::future::Future<Output = ()>,
    mut each: impl FnMut(T) -> bool,
) {
    futures::pin_mut!(stream);
    futures::pin_mut!(gone);
    loop {
        let item = tokio::select! {
            _ = &mut gone => return,
            item = stream.next() => item,
        };
        let Some(item) = item else { return };
        if !each(item) {
            return;
        }
    }
}

/// Retires DDS entities one at a time. RustDDS removes a reader or writer by a message to its
/// participant's event loop, through a channel of four slots with a 20 ms timeout; a node that
/// drops a dozen at once (at shutdown) on a loaded machine overflowed it, and each overflow was an
/// ERROR ("Cannot remove Writer … Full"). Each item holds its entity and then its participant
/// handle (tuple fields drop in order), so the participant's event loop outlives the removal.
/// Items still queued when the process exits are not removed at all, which is what exiting does.
pub(crate) mod reaper {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::{Mutex, OnceLock};
    use std::time::Duration;

    /// Pause after each removal, so that at most one is in flight per pause.
    const PAUSE: Duration = Duration::from_millis(5);

    type Item = Box<dyn Send>;

    fn sender() -> Option<&'static Mutex<Sender<Item>>> {
        static TX: OnceLock<Option<Mutex<Sender<Item>>>> = OnceLock::new();
        TX.get_or_init(|| {
            let (tx, rx) = channel::<Item>();
            std::thread::Builder::new()
                .name("dds-reaper".into())
                .spawn(move || {
                    for item in rx {
                        drop(item);
                        std::thread::sleep(PAUSE);
                    }
                })
                .ok()
                .map(|_| Mutex::new(tx))
        })
        .as_ref()
    }

    /// Drop `item` on the reaper thread (or here, if that thread could not be started).
    pub(crate) fn retire(item: Item) {
        let Some(tx) = sender() else {
            drop(item);
            return;
        };
        let tx = tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(back) = tx.send(item) {
            drop(tx);
            drop(back.0);
        }
    }
}

/// `geometry_msgs::msg::dds_::Twist_` → `geometry_msgs/msg/Twist`.
pub(crate) fn dds_to_ros_type(dds: &str) -> Option<String> {
    let mut parts = dds.split("::");
    let pkg = parts.next()?;
    let kind = parts.next()?;
    let dds_ = parts.next()?;
    let name = parts.next()?.strip_suffix('_')?;
    if parts.next().is_some() || dds_ != "dds_" || pkg.is_empty() || name.is_empty() {
        return None;
    }
    Some(format!("{pkg}/{kind}/{name}"))
}

/// `rt/cmd_vel` → `/cmd_vel`; service and other non-topic DDS names give `None`.
pub(crate) fn dds_to_ros_topic(dds: &str) -> Option<String> {
    dds.strip_prefix("rt/").map(|t| format!("/{t}"))
}

/// A sample we count but do not decode.
pub(crate) struct Opaque;

#[derive(Clone)]
struct OpaqueSeed;

impl<'de> serde::de::DeserializeSeed<'de> for OpaqueSeed {
    type Value = Opaque;
    fn deserialize<D: serde::Deserializer<'de>>(self, _d: D) -> Result<Opaque, D::Error> {
        Ok(Opaque)
    }
}

/// A DDS writer that knows its matched readers (from its status events) and their acknowledgements.
pub(crate) struct AckedWriter<M: Serialize> {
    pub(crate) writer: ros2_client::dds::rustdds::no_key::DataWriterCdr<M>,
    matched: std::sync::atomic::AtomicI32,
    /// Dropped after the writer (fields drop in order): see [`DdsWriter`].
    _participant: ros2_client::dds::rustdds::DomainParticipant,
}

/// A ros2-client publisher that keeps its participant alive: the writer must be removed while the
/// participant's event loop still runs, or rustdds logs "Cannot remove Writer … Disconnected".
pub(crate) struct DdsWriter<M: Serialize + Send + 'static> {
    /// `None` only after `drop`.
    publisher: Option<ros2_client::Publisher<M>>,
    participant: ros2_client::dds::rustdds::DomainParticipant,
}

impl<M: Serialize + Send + 'static> DdsWriter<M> {
    pub(crate) fn publish(&self, m: M) -> std::result::Result<(), ros2_client::WriteError<M>> {
        match &self.publisher {
            Some(p) => p.publish(m),
            None => Ok(()),
        }
    }
}

impl<M: Serialize + Send + 'static> Drop for DdsWriter<M> {
    fn drop(&mut self) {
        if let Some(p) = self.publisher.take() {
            reaper::retire(Box::new((p, self.participant.clone())));
        }
    }
}

impl<M: Serialize> AckedWriter<M> {
    /// Readers currently matched to this writer.
    pub(crate) fn matched(&self) -> usize {
        use ros2_client::dds::rustdds::{DataWriterStatus, StatusEvented};
        use std::sync::atomic::Ordering;
        while let Some(status) = self.writer.try_recv_status() {
            if let DataWriterStatus::PublicationMatched { current, .. } = status {
                self.matched.store(current.count(), Ordering::Relaxed);
            }
        }
        usize::try_from(self.matched.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn maps_dds_names_to_ros_names() {
        assert_eq!(
            dds_to_ros_type("geometry_msgs::msg::dds_::Twist_").as_deref(),
            Some("geometry_msgs/msg/Twist")
        );
        assert_eq!(dds_to_ros_type("Twist"), None);
        assert_eq!(dds_to_ros_type("a::msg::dds_::B"), None);
        assert_eq!(dds_to_ros_topic("rt/cmd_vel").as_deref(), Some("/cmd_vel"));
        assert_eq!(dds_to_ros_topic("rq/x/get_parametersRequest"), None);
    }

    #[test]
    fn splits_names_for_ros2_client() {
        assert!(DdsContext::ros_name("/cmd_vel").is_ok());
        assert!(DdsContext::ros_name("/humans/faces/tracked").is_ok());
        assert!(DdsContext::msg_type("geometry_msgs/msg/Twist").is_ok());
        assert!(DdsContext::msg_type("Twist").is_err());
    }
}
