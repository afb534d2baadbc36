//! The in-process bus: the same topics and services as DDS, delivered by function call.
//!
//! Publishing pushes a clone into every matching subscriber's keep-last inbox, synchronously, so a graph
//! driven from one task (the simulator's step loop) runs deterministically.
use crate::inbox::Inbox;
use crate::qos::{Durability, Qos};
use crate::{Result, TransportError};
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

type AnyBox = Box<dyn Any + Send + Sync>;

struct TopicEntry {
    type_name: String,
    /// `Weak<Inbox<M>>` per subscriber.
    subscribers: Vec<AnyBox>,
    /// `VecDeque<M>`: what a transient-local publisher left for late joiners.
    latched: Option<AnyBox>,
    publishers: usize,
}

pub(crate) struct ServiceEntry {
    pub(crate) type_name: String,
    /// `tokio::sync::mpsc::UnboundedSender<(Req, oneshot::Sender<Resp>)>`
    pub(crate) sender: AnyBox,
}

pub(crate) struct ActionEntry {
    pub(crate) type_name: String,
    /// `Weak<action::ServerShared<A>>`: the entry does not keep a dropped server alive.
    pub(crate) server: Weak<dyn Any + Send + Sync>,
}

#[derive(Default)]
struct BusInner {
    topics: HashMap<String, TopicEntry>,
    services: HashMap<String, ServiceEntry>,
    actions: HashMap<String, ActionEntry>,
    nodes: BTreeSet<String>,
}

#[derive(Default)]
pub(crate) struct Bus {
    inner: Mutex<BusInner>,
}

impl Bus {
    fn lock(&self) -> MutexGuard<'_, BusInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn add_node(&self, fqn: &str) {
        self.lock().nodes.insert(fqn.to_string());
    }

    pub(crate) fn remove_node(&self, fqn: &str) {
        self.lock().nodes.remove(fqn);
    }

    pub(crate) fn nodes(&self) -> Vec<String> {
        self.lock().nodes.iter().cloned().collect()
    }

    pub(crate) fn topics(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.lock()
            .topics
            .iter()
            .map(|(name, e)| (name.clone(), BTreeSet::from([e.type_name.clone()])))
            .collect()
    }

    fn entry<'a>(
        inner: &'a mut BusInner,
        topic: &str,
        type_name: &str,
    ) -> Result<&'a mut TopicEntry> {
        let e = inner
            .topics
            .entry(topic.to_string())
            .or_insert_with(|| TopicEntry {
                type_name: type_name.to_string(),
                subscribers: Vec::new(),
                latched: None,
                publishers: 0,
            });
        if e.type_name != type_name {
            return Err(TransportError::TypeMismatch {
                topic: topic.to_string(),
                existing: e.type_name.clone(),
                requested: type_name.to_string(),
            });
        }
        Ok(e)
    }

    pub(crate) fn advertise(&self, topic: &str, type_name: &str) -> Result<()> {
        let mut inner = self.lock();
        Self::entry(&mut inner, topic, type_name)?.publishers += 1;
        Ok(())
    }

    pub(crate) fn unadvertise(&self, topic: &str) {
        if let Some(e) = self.lock().topics.get_mut(topic) {
            e.publishers = e.publishers.saturating_sub(1);
        }
    }

    pub(crate) fn subscribe<M: Clone + Send + Sync + 'static>(
        &self,
        topic: &str,
        type_name: &str,
        qos: Qos,
    ) -> Result<Arc<Inbox<M>>> {
        let inbox = Inbox::new(qos.depth);
        let mut inner = self.lock();
        let e = Self::entry(&mut inner, topic, type_name)?;
        if qos.durability == Durability::TransientLocal {
            if let Some(latched) = e
                .latched
                .as_ref()
                .and_then(|l| l.downcast_ref::<VecDeque<M>>())
            {
                for m in latched {
                    inbox.push(m.clone());
                }
            }
        }
        e.subscribers.push(Box::new(Arc::downgrade(&inbox)));
        Ok(inbox)
    }

    /// Deliver to every live subscriber; returns how many received it.
    pub(crate) fn publish<M: Clone + Send + Sync + 'static>(
        &self,
        topic: &str,
        msg: &M,
        qos: Qos,
    ) -> usize {
        self.deliver(topic, msg, qos, None)
    }

    /// Deliver without waking the subscribers: their inboxes go into `wakes`, to be woken once a
    /// whole lockstep release is in (see `lockstep`).
    pub(crate) fn publish_quiet<M: Clone + Send + Sync + 'static>(
        &self,
        topic: &str,
        msg: &M,
        qos: Qos,
        wakes: &mut crate::lockstep::Wakes,
    ) -> usize {
        self.deliver(topic, msg, qos, Some(wakes))
    }

    fn deliver<M: Clone + Send + Sync + 'static>(
        &self,
        topic: &str,
        msg: &M,
        qos: Qos,
        mut wakes: Option<&mut crate::lockstep::Wakes>,
    ) -> usize {
        let mut inner = self.lock();
        let Some(e) = inner.topics.get_mut(topic) else {
            return 0;
        };
        if qos.durability == Durability::TransientLocal {
            let latched = e
                .latched
                .get_or_insert_with(|| Box::new(VecDeque::<M>::new()));
            if let Some(q) = latched.downcast_mut::<VecDeque<M>>() {
                if q.len() >= qos.depth.max(1) {
                    q.pop_front();
                }
                q.push_back(msg.clone());
            }
        }
        let mut delivered = 0;
        e.subscribers.retain(|s| {
            match s.downcast_ref::<Weak<Inbox<M>>>().and_then(|w| w.upgrade()) {
                Some(inbox) => {
                    match wakes.as_deref_mut() {
                        Some(w) => {
                            if inbox.push_quiet(msg.clone()) {
                                w.push(inbox);
                            }
                        }
                        None => inbox.push(msg.clone()),
                    }
                    delivered += 1;
                    true
                }
                None => false,
            }
        });
        delivered
    }

    pub(crate) fn subscriber_count(&self, topic: &str) -> usize {
        self.lock()
            .topics
            .get(topic)
            .map(|e| e.subscribers.len())
            .unwrap_or(0)
    }

    pub(crate) fn publisher_count(&self, topic: &str) -> usize {
        self.lock()
            .topics
            .get(topic)
            .map(|e| e.publishers)
            .unwrap_or(0)
    }

    pub(crate) fn register_service(&self, name: &str, entry: ServiceEntry) -> Result<()> {
        let mut inner = self.lock();
        if let Some(existing) = inner.services.get(name) {
            if existing.type_name != entry.type_name {
                return Err(TransportError::TypeMismatch {
                    topic: name.to_string(),
                    existing: existing.type_name.clone(),
                    requested: entry.type_name,
                });
            }
        }
        inner.services.insert(name.to_string(), entry);
        Ok(())
    }

    /// Register an action server. One live server per action name; a dropped one is replaced.
    pub(crate) fn register_action(&self, name: &str, entry: ActionEntry) -> Result<()> {
        let mut inner = self.lock();
        if let Some(existing) = inner.actions.get(name) {
            if existing.server.strong_count() > 0 {
                if existing.type_name != entry.type_name {
                    return Err(TransportError::TypeMismatch {
                        topic: name.to_string(),
                        existing: existing.type_name.clone(),
                        requested: entry.type_name,
                    });
                }
                return Err(TransportError::Action {
                    action: name.to_string(),
                    detail: "already has a server on this bus".into(),
                });
            }
        }
        inner.actions.insert(name.to_string(), entry);
        Ok(())
    }

    /// The live server of an action: its type name and its shared state.
    pub(crate) fn action_server(&self, name: &str) -> Option<(String, Arc<dyn Any + Send + Sync>)> {
        let inner = self.lock();
        let entry = inner.actions.get(name)?;
        Some((entry.type_name.clone(), entry.server.upgrade()?))
    }

    /// Actions with a live server, and their types.
    pub(crate) fn actions(&self) -> BTreeMap<String, String> {
        self.lock()
            .actions
            .iter()
            .filter(|(_, e)| e.server.strong_count() > 0)
            .map(|(name, e)| (name.clone(), e.type_name.clone()))
            .collect()
    }

    /// Run `f` on the service's sender, if a server is registered under `name`.
    pub(crate) fn with_service<R>(
        &self,
        name: &str,
        f: impl FnOnce(&ServiceEntry) -> R,
    ) -> Option<R> {
        self.lock().services.get(name).map(f)
    }
}
