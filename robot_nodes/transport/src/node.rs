//! Contexts, nodes, publishers and subscribers: one API over DDS and the in-process bus.
use crate::bus::Bus;
use crate::clock::Clock;
use crate::dds::{DdsContext, DdsNode};
use crate::inbox::Inbox;
use crate::lockstep::{Lockstep, Received, Wakes};
use crate::names::{normalize_namespace, resolve_topic_name, validate_node_name};
use crate::qos::Qos;
use crate::{Result, RosMessage, TransportError};
use std::sync::{Arc, Mutex};

/// How to join the DDS domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DdsOptions {
    /// `ROS_DOMAIN_ID` (0–232).
    pub domain_id: u16,
    /// Send and listen on 127.0.0.1 only (`ROS_LOCALHOST_ONLY=1`, Jazzy's
    /// `ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`, or `LETAN_LOOPBACK=1`).
    pub loopback_only: bool,
    /// How service and action requests carry their request id, which must match the peers' RMW
    /// (`RMW_IMPLEMENTATION`). Topics are the same whatever this says.
    pub service_layout: ServiceLayout,
}

/// The two wire layouts of ROS 2 services (and so of actions) over DDS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServiceLayout {
    /// The request id travels as the related sample identity in the inline QoS and the payload is
    /// the bare request: rmw_fastrtps_cpp (Jazzy's default) and rmw_connextdds.
    #[default]
    SampleIdentity,
    /// A 16-byte header (client id, sequence number) before the request in the payload, echoed in
    /// the reply: rmw_cyclonedds_cpp.
    CycloneHeader,
}

impl ServiceLayout {
    /// The layout that talks to nodes using the RMW named by `RMW_IMPLEMENTATION`.
    pub fn for_rmw(rmw: &str) -> Result<Self> {
        match rmw.trim() {
            "" | "rmw_fastrtps_cpp" | "rmw_fastrtps_dynamic_cpp" | "rmw_connextdds" => {
                Ok(ServiceLayout::SampleIdentity)
            }
            "rmw_cyclonedds_cpp" => Ok(ServiceLayout::CycloneHeader),
            other => Err(TransportError::Env {
                var: "RMW_IMPLEMENTATION".into(),
                value: other.into(),
                reason: if other.contains("zenoh") {
                    "Zenoh is not DDS: Letan's nodes speak DDS only; use a DDS RMW (rmw_fastrtps_cpp or rmw_cyclonedds_cpp)".into()
                } else {
                    "Letan knows rmw_fastrtps_cpp, rmw_fastrtps_dynamic_cpp, rmw_connextdds and rmw_cyclonedds_cpp".into()
                },
            }),
        }
    }
}

impl DdsOptions {
    /// Read `ROS_DOMAIN_ID`, `ROS_LOCALHOST_ONLY`, `ROS_AUTOMATIC_DISCOVERY_RANGE`, `LETAN_LOOPBACK`
    /// and `RMW_IMPLEMENTATION`.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`DdsOptions::from_env`], reading variables through `get` (testable).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let domain_id = match get("ROS_DOMAIN_ID").filter(|v| !v.trim().is_empty()) {
            None => 0,
            Some(v) => match v.trim().parse::<u16>() {
                Ok(d) if d <= 232 => d,
                _ => {
                    return Err(TransportError::Env {
                        var: "ROS_DOMAIN_ID".into(),
                        value: v,
                        reason: "must be a whole number from 0 to 232".into(),
                    })
                }
            },
        };
        let truthy =
            |k: &str| get(k).is_some_and(|v| v.trim() == "1" || v.eq_ignore_ascii_case("true"));
        let loopback_only = truthy("ROS_LOCALHOST_ONLY")
            || truthy("LETAN_LOOPBACK")
            || get("ROS_AUTOMATIC_DISCOVERY_RANGE")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("LOCALHOST"));
        let service_layout =
            ServiceLayout::for_rmw(&get("RMW_IMPLEMENTATION").unwrap_or_default())?;
        Ok(DdsOptions {
            domain_id,
            loopback_only,
            service_layout,
        })
    }
}

#[derive(Clone)]
pub(crate) enum Backend {
    Dds(Arc<DdsContext>),
    Bus(Arc<Bus>),
}

/// A connection to a ROS 2 graph: a DDS domain participant, or an in-process bus.
/// Cheap to clone; every node made from it shares it.
#[derive(Clone)]
pub struct Context {
    pub(crate) backend: Backend,
    /// Shared by every context of one lockstep run (see [`Lockstep`]).
    lockstep: Option<Lockstep>,
}

impl Context {
    /// Join a DDS domain.
    pub fn dds(options: DdsOptions) -> Result<Self> {
        Ok(Context {
            backend: Backend::Dds(Arc::new(DdsContext::new(options)?)),
            lockstep: None,
        })
    }

    /// Join the DDS domain named by the environment (see [`DdsOptions::from_env`]).
    pub fn dds_from_env() -> Result<Self> {
        Self::dds(DdsOptions::from_env()?)
    }

    /// A fresh in-process bus: no DDS, no network, deterministic delivery.
    pub fn bus() -> Self {
        Context {
            backend: Backend::Bus(Arc::new(Bus::default())),
            lockstep: None,
        }
    }

    /// Nodes made from this context take part in `lockstep`: their publications wait for
    /// [`Lockstep::settle`] while it runs, and their `/clock` followers are tracked.
    pub fn with_lockstep(mut self, lockstep: Lockstep) -> Self {
        self.lockstep = Some(lockstep);
        self
    }

    /// The lockstep this context takes part in, if any.
    pub fn lockstep(&self) -> Option<&Lockstep> {
        self.lockstep.as_ref()
    }

    /// `true` for the in-process bus.
    pub fn is_bus(&self) -> bool {
        matches!(self.backend, Backend::Bus(_))
    }

    /// Create a node. Over DDS this must be called inside a tokio runtime.
    pub fn node(&self, name: &str, namespace: &str) -> Result<Node> {
        validate_node_name(name)?;
        let namespace = normalize_namespace(namespace)?;
        let inner = match &self.backend {
            Backend::Dds(d) => NodeBackend::Dds(Mutex::new(DdsNode::new(d, name, &namespace)?)),
            Backend::Bus(b) => {
                b.add_node(&fqn(&namespace, name));
                NodeBackend::Bus(b.clone())
            }
        };
        let lockstep = self
            .lockstep
            .clone()
            .map(|l| (l, Arc::<str>::from(fqn(&namespace, name))));
        Ok(Node {
            name: name.to_string(),
            namespace,
            remaps: Vec::new(),
            inner,
            clock: Clock::system(),
            lockstep,
        })
    }
}

fn fqn(namespace: &str, name: &str) -> String {
    if namespace == "/" {
        format!("/{name}")
    } else {
        format!("{namespace}/{name}")
    }
}

// One per node: boxing the DDS variant would save nothing worth an indirection.
#[allow(clippy::large_enum_variant)]
pub(crate) enum NodeBackend {
    Dds(Mutex<DdsNode>),
    Bus(Arc<Bus>),
}

/// A ROS 2 node: a name in a namespace, with publishers, subscribers, services and a clock.
pub struct Node {
    name: String,
    namespace: String,
    /// `(from, to)`, both fully resolved: `--ros-args -r from:=to`.
    remaps: Vec<(String, String)>,
    pub(crate) inner: NodeBackend,
    clock: Clock,
    /// The run's lockstep and this node's name (the order of its releases).
    lockstep: Option<(Lockstep, Arc<str>)>,
}

impl Drop for Node {
    fn drop(&mut self) {
        match &self.inner {
            NodeBackend::Bus(b) => b.remove_node(&self.fully_qualified_name()),
            // ros2-client's own `Drop for Node` tells the spinner to stop. Signalling it here as
            // well filled its one-slot stop channel, and the second signal was logged as an ERROR
            // ("Cannot notify spin task to stop: Full") on every normal exit.
            NodeBackend::Dds(_) => {}
        }
    }
}

impl Node {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    /// `/namespace/name`.
    pub fn fully_qualified_name(&self) -> String {
        fqn(&self.namespace, &self.name)
    }

    /// Resolve a relative, absolute or private (`~/x`) name for this node, then apply remaps.
    pub fn resolve(&self, name: &str) -> Result<String> {
        let full = resolve_topic_name(name, &self.namespace, &self.name)?;
        Ok(self
            .remaps
            .iter()
            .find(|(from, _)| *from == full)
            .map(|(_, to)| to.clone())
            .unwrap_or(full))
    }

    /// Remap topic and service names, as `--ros-args -r from:=to` does. Both sides are resolved against
    /// this node's namespace; rules do not chain.
    pub fn set_remaps(&mut self, rules: &[(String, String)]) -> Result<()> {
        let mut resolved = Vec::with_capacity(rules.len());
        for (from, to) in rules {
            resolved.push((
                resolve_topic_name(from, &self.namespace, &self.name)?,
                resolve_topic_name(to, &self.namespace, &self.name)?,
            ));
        }
        self.remaps = resolved;
        Ok(())
    }

    /// The node's clock: wall time until [`Node::use_sim_time`] switches it to `/clock`.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// Follow `/clock` (rosgraph_msgs/Clock) instead of the wall clock, as `use_sim_time: true` does.
    pub fn use_sim_time(&mut self) -> Result<()> {
        let sub = self.subscribe::<letan_msgs::rosgraph_msgs::Clock>("/clock", Qos::clock())?;
        let track = self
            .lockstep
            .as_ref()
            .map(|(l, name)| (l.clone(), format!("{name}/clock")));
        self.clock = Clock::from_clock_topic(sub, track)?;
        Ok(())
    }

    pub(crate) fn dds(&self) -> Option<std::sync::MutexGuard<'_, DdsNode>> {
        match &self.inner {
            NodeBackend::Dds(n) => Some(n.lock().unwrap_or_else(|p| p.into_inner())),
            NodeBackend::Bus(_) => None,
        }
    }

    /// A typed publisher.
    pub fn publisher<M: RosMessage>(&self, topic: &str, qos: Qos) -> Result<Publisher<M>> {
        let topic = self.resolve(topic)?;
        let inner = match &self.inner {
            NodeBackend::Dds(n) => PubInner::Dds(Arc::new(
                n.lock().unwrap_or_else(|p| p.into_inner()).publisher::<M>(
                    &topic,
                    &M::type_name(),
                    qos,
                )?,
            )),
            NodeBackend::Bus(b) => {
                b.advertise(&topic, &M::type_name())?;
                PubInner::Bus(b.clone())
            }
        };
        Ok(Publisher {
            topic,
            qos,
            inner,
            lockstep: self.lockstep.clone(),
        })
    }

    /// A publisher that can wait until its readers have acknowledged what it sent
    /// ([`Publisher::wait_acknowledged`]): for one-shot tools whose process exits right after
    /// publishing. On DDS it is a bare writer, not listed under this node in the ROS graph.
    pub fn acked_publisher<M: RosMessage>(&self, topic: &str, qos: Qos) -> Result<Publisher<M>> {
        let topic = self.resolve(topic)?;
        let inner = match &self.inner {
            NodeBackend::Dds(n) => PubInner::DdsAcked(
                n.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .acked_writer::<M>(&topic, &M::type_name(), qos)?,
            ),
            NodeBackend::Bus(b) => {
                b.advertise(&topic, &M::type_name())?;
                PubInner::Bus(b.clone())
            }
        };
        // One-shot tools: never staged.
        Ok(Publisher {
            topic,
            qos,
            inner,
            lockstep: None,
        })
    }

    /// A typed subscriber with a keep-last queue of `qos.depth`.
    pub fn subscribe<M: RosMessage>(&self, topic: &str, qos: Qos) -> Result<Subscriber<M>> {
        let topic = self.resolve(topic)?;
        let inbox = match &self.inner {
            NodeBackend::Dds(n) => {
                let inbox = n.lock().unwrap_or_else(|p| p.into_inner()).subscribe::<M>(
                    &topic,
                    &M::type_name(),
                    qos,
                )?;
                // Over DDS a released sample is in flight until it reaches this queue.
                if let Some((l, name)) = &self.lockstep {
                    let counter: Arc<dyn Received> = inbox.clone();
                    l.add_reader(name, &topic, qos, Arc::downgrade(&counter));
                }
                inbox
            }
            NodeBackend::Bus(b) => b.subscribe::<M>(&topic, &M::type_name(), qos)?,
        };
        Ok(Subscriber { topic, inbox })
    }

    /// Count samples of a topic of any type without decoding them (DDS only; `dds_type` as discovered).
    pub fn subscribe_opaque(
        &self,
        topic: &str,
        dds_type: &str,
        qos: Qos,
    ) -> Result<Subscriber<()>> {
        let topic = self.resolve(topic)?;
        match &self.inner {
            NodeBackend::Dds(n) => {
                let inbox = n
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .subscribe_opaque(&topic, dds_type, qos)?;
                Ok(Subscriber { topic, inbox })
            }
            NodeBackend::Bus(_) => Err(TransportError::Dds {
                action: format!("subscribing to {topic} without its type"),
                detail: "the in-process bus needs typed subscriptions".into(),
            }),
        }
    }

    /// How many subscribers (local and discovered) a topic has.
    pub fn subscriber_count(&self, topic: &str) -> Result<usize> {
        let topic = self.resolve(topic)?;
        Ok(match &self.inner {
            NodeBackend::Dds(n) => n
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .node
                .subscription_count(&topic),
            NodeBackend::Bus(b) => b.subscriber_count(&topic),
        })
    }

    /// How many publishers (local and discovered) a topic has.
    pub fn publisher_count(&self, topic: &str) -> Result<usize> {
        let topic = self.resolve(topic)?;
        Ok(match &self.inner {
            NodeBackend::Dds(n) => n
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .node
                .publisher_count(&topic),
            NodeBackend::Bus(b) => b.publisher_count(&topic),
        })
    }
}

// One per publisher, and the DDS variant is the one in use when it is big.
#[allow(clippy::large_enum_variant)]
enum PubInner<M: RosMessage> {
    /// Shared with staged lockstep deliveries.
    Dds(Arc<crate::dds::DdsWriter<M>>),
    DdsAcked(crate::dds::AckedWriter<M>),
    Bus(Arc<Bus>),
}

/// Publishes messages of type `M` on one topic.
pub struct Publisher<M: RosMessage> {
    topic: String,
    qos: Qos,
    inner: PubInner<M>,
    lockstep: Option<(Lockstep, Arc<str>)>,
}

impl<M: RosMessage> Publisher<M> {
    /// The fully resolved topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Publish one message. Never blocks for long: a reliable writer whose window is full waits at most
    /// 100 ms and then reports an error (pace bursts: see `notes/ros2.md`).
    pub fn publish(&self, msg: M) -> Result<()> {
        if let Some((l, node)) = &self.lockstep {
            if l.is_running() {
                if let Some(deliver) = l.stage(node, self.delivery(l, msg)) {
                    let mut wakes = Wakes::new();
                    deliver(&mut wakes);
                    for w in wakes {
                        w.wake();
                    }
                }
                return Ok(());
            }
        }
        match &self.inner {
            PubInner::Dds(p) => p.publish(msg).map_err(|e| TransportError::Publish {
                topic: self.topic.clone(),
                detail: format!("{e:?}"),
            }),
            PubInner::DdsAcked(w) => {
                w.writer
                    .write(msg, None)
                    .map_err(|e| TransportError::Publish {
                        topic: self.topic.clone(),
                        detail: format!("{e:?}"),
                    })
            }
            PubInner::Bus(b) => {
                b.publish(&self.topic, &msg, self.qos);
                Ok(())
            }
        }
    }

    /// The delivery of `msg`, to run when the lockstep releases it. A failed DDS write is logged
    /// (the node has moved on by then).
    fn delivery(&self, l: &Lockstep, msg: M) -> Box<dyn FnOnce(&mut Wakes) + Send> {
        let topic = self.topic.clone();
        let qos = self.qos;
        match &self.inner {
            PubInner::Dds(p) => {
                let (p, l) = (p.clone(), l.clone());
                Box::new(move |_| match p.publish(msg) {
                    Ok(()) => l.wrote(&topic, qos),
                    Err(e) => {
                        tracing::warn!(%topic, error = ?e, "lockstep release: publish failed")
                    }
                })
            }
            PubInner::DdsAcked(w) => {
                if let Err(e) = w.writer.write(msg, None) {
                    tracing::warn!(%topic, error = ?e, "publish failed");
                }
                Box::new(|_| {})
            }
            PubInner::Bus(b) => {
                let b = b.clone();
                Box::new(move |wakes| {
                    b.publish_quiet(&topic, &msg, qos, wakes);
                })
            }
        }
    }

    /// Readers matched to this very writer (not merely seen on the topic). `None` where the
    /// backend cannot tell per writer (a graph-listed DDS publisher: use [`Node::subscriber_count`]).
    pub fn matched_readers(&self) -> Option<usize> {
        match &self.inner {
            PubInner::Dds(_) => None,
            PubInner::DdsAcked(w) => Some(w.matched()),
            PubInner::Bus(b) => Some(b.subscriber_count(&self.topic)),
        }
    }

    /// Wait until every matched reliable reader has acknowledged everything published so far.
    /// `Ok(true)`: acknowledged (or nothing needs it: best effort, the bus); `Ok(false)`: not within
    /// `timeout`, or this publisher cannot tell (only [`Node::acked_publisher`] can, on DDS).
    pub async fn wait_acknowledged(&self, timeout: std::time::Duration) -> Result<bool> {
        match &self.inner {
            PubInner::Dds(_) => Ok(false),
            PubInner::DdsAcked(w) => {
                match tokio::time::timeout(timeout, w.writer.async_wait_for_acknowledgments()).await
                {
                    Err(_) => Ok(false),
                    Ok(r) => r.map_err(|e| TransportError::Publish {
                        topic: self.topic.clone(),
                        detail: format!("waiting for acknowledgements: {e:?}"),
                    }),
                }
            }
            PubInner::Bus(_) => Ok(true),
        }
    }
}

impl<M: RosMessage> Drop for Publisher<M> {
    fn drop(&mut self) {
        if let PubInner::Bus(b) = &self.inner {
            b.unadvertise(&self.topic);
        }
    }
}

/// Receives messages of type `M` from one topic, keeping the last `depth`.
pub struct Subscriber<M> {
    topic: String,
    inbox: Arc<Inbox<M>>,
}

impl<M> Subscriber<M> {
    pub fn topic(&self) -> &str {
        &self.topic
    }
    /// Wait for the next message (`None` only if the subscriber was closed).
    pub async fn recv(&self) -> Option<M> {
        self.inbox.pop().await
    }
    /// The next queued message, if any, without waiting.
    pub fn try_recv(&self) -> Option<M> {
        self.inbox.try_pop()
    }
    /// Drain the queue and return only the newest message.
    pub fn latest(&self) -> Option<M> {
        let mut last = None;
        while let Some(m) = self.inbox.try_pop() {
            last = Some(m);
        }
        last
    }
    /// Messages dropped because the reader fell more than `depth` behind.
    pub fn dropped(&self) -> u64 {
        self.inbox.dropped()
    }
}

impl<M> Drop for Subscriber<M> {
    fn drop(&mut self) {
        self.inbox.close();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_dds_options_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            DdsOptions::from_lookup(env(&[])).unwrap(),
            DdsOptions::default()
        );
        let o =
            DdsOptions::from_lookup(env(&[("ROS_DOMAIN_ID", "42"), ("ROS_LOCALHOST_ONLY", "1")]))
                .unwrap();
        assert_eq!(o.domain_id, 42);
        assert!(o.loopback_only);
        let o = DdsOptions::from_lookup(env(&[("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")]))
            .unwrap();
        assert!(o.loopback_only);
        let e = DdsOptions::from_lookup(env(&[("ROS_DOMAIN_ID", "300")])).unwrap_err();
        assert!(e.to_string().contains("ROS_DOMAIN_ID"), "{e}");
        assert!(DdsOptions::from_lookup(env(&[("ROS_DOMAIN_ID", "abc")])).is_err());
        for (rmw, layout) in [
            ("rmw_fastrtps_cpp", ServiceLayout::SampleIdentity),
            ("rmw_connextdds", ServiceLayout::SampleIdentity),
            (" rmw_cyclonedds_cpp ", ServiceLayout::CycloneHeader),
            ("", ServiceLayout::SampleIdentity),
        ] {
            let o =
                DdsOptions::from_lookup(|k| (k == "RMW_IMPLEMENTATION").then(|| rmw.to_string()))
                    .unwrap();
            assert_eq!(o.service_layout, layout, "{rmw:?}");
        }
        let e =
            DdsOptions::from_lookup(env(&[("RMW_IMPLEMENTATION", "rmw_zenoh_cpp")])).unwrap_err();
        assert!(e.to_string().contains("not DDS"), "{e}");
        let e = DdsOptions::from_lookup(env(&[("RMW_IMPLEMENTATION", "rmw_foo")])).unwrap_err();
        assert!(e.to_string().contains("RMW_IMPLEMENTATION"), "{e}");
    }
}
