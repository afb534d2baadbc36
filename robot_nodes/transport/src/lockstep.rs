//! Lockstep: sim time advances only when every node has finished with what the previous step gave it.
//!
//! The simulator is the only clock source (`/clock`), so "finished" is something the transport can
//! see without the nodes' help. A [`Lockstep`] is shared by every [`crate::Context`] of one run
//! ([`crate::Context::with_lockstep`]) and does three things:
//!
//! 1. **Tracks the node tasks.** [`Lockstep::track`] wraps a node's future; its waker is wrapped too,
//!    so the transport knows, for each node, whether it is *parked* (its last poll returned `Pending`
//!    and nothing has woken it since) or *busy* (being polled, or woken and not yet polled). A node
//!    waiting for its next tick in sim time, or for a message that has not come, is parked. The
//!    `/clock` follower task of every node (see [`crate::Node::use_sim_time`]) is tracked as well.
//! 2. **Stages publications.** While the lockstep runs, `Publisher::publish` does not deliver: it
//!    queues. The simulator's [`Lockstep::settle`] releases the queue only when every tracked task is
//!    parked, in an order that does not depend on thread timing (by node name, then by publication
//!    order within the node), and on the bus it delivers the whole batch before waking anyone. Then
//!    it waits until everyone is parked again and releases what they published, and so on, until a
//!    round publishes nothing. So within a step, node B never sees half of node A's output, and
//!    what a node sees at a tick does not depend on which thread ran first: same seed on the bus,
//!    same run.
//! 3. **Counts messages in flight (DDS).** On the bus a release delivers synchronously. Over DDS a
//!    released sample reaches its readers through RustDDS's threads, so the lockstep counts, per
//!    topic and QoS class, the samples written by this process, and, per local reader, the samples
//!    that reached its queue; a step is settled only when every reader has received what the
//!    writers it can match (reliability, durability) wrote. Each arrival notifies `settle` (a reader
//!    whose node reads on its own tick wakes no task when a sample comes). An arrival does not wake
//!    its reader's task at once: the wake-ups are held until the whole step has arrived at every
//!    reader and then given together, as on the bus, so a node woken by the step's `/clock` finds
//!    the same step's sensor data already in its queues whatever the thread timing. A reader
//!    still in discovery cannot receive: if all tasks are parked and only counts are missing for
//!    `dds_grace` of wall time, the missing samples are written off once (logged at DEBUG) rather
//!    than stalling every step.
//!
//! If a step is not settled within the watchdog (`settle(timeout)`), it fails with
//! [`LockstepError`], naming the busy nodes and the readers still waiting: a hung node stops the run
//! loudly instead of freezing it.
//!
//! The mechanism works within one process (the `letan sim` runner, on the bus or with one DDS
//! participant per node). Nodes in other processes are not waited for.
#![allow(clippy::disallowed_methods)] // the watchdog and the DDS grace period are wall time by design
use crate::qos::{Durability, Qos, Reliability};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context as TaskCx, Poll, Wake, Waker};
use std::time::Duration;
use tokio::sync::Notify;

/// Why a step did not settle.
#[derive(Debug, Clone, thiserror::Error)]
#[error("lockstep: not settled after {waited_s:.1} s of wall time{}{}", busy_text(.busy), flight_text(.in_flight))]
pub struct LockstepError {
    pub waited_s: f64,
    /// Tracked tasks (node names; `<node>/clock` for a node's clock follower) still busy.
    pub busy: Vec<String>,
    /// `(node, topic, missing samples)` of local DDS readers still waiting for released samples.
    pub in_flight: Vec<(String, String, u64)>,
}

fn busy_text(busy: &[String]) -> String {
    if busy.is_empty() {
        String::new()
    } else {
        format!("; still busy: {}", busy.join(", "))
    }
}

fn flight_text(f: &[(String, String, u64)]) -> String {
    if f.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = f
            .iter()
            .map(|(n, t, k)| format!("{n} waits for {k} on {t}"))
            .collect();
        format!("; in flight: {}", parts.join(", "))
    }
}

/// What a settle did (for statistics and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    /// Release rounds (1 = only the caller's own publications).
    pub rounds: u32,
    /// Publications released.
    pub released: u64,
    /// DDS samples written off after the grace period (readers still in discovery).
    pub written_off: u64,
}

/// The state of one tracked future.
pub(crate) struct TaskState {
    label: String,
    /// Bumped by every wake.
    wakes: AtomicU64,
    /// `wakes` as it was when the last `Pending` poll started; `u64::MAX` while polling.
    parked_at: AtomicU64,
    done: AtomicBool,
    changed: Arc<Notify>,
}

impl TaskState {
    fn parked(&self) -> bool {
        self.done.load(Ordering::SeqCst)
            || self.parked_at.load(Ordering::SeqCst) == self.wakes.load(Ordering::SeqCst)
    }
}

struct TrackingWaker {
    state: Arc<TaskState>,
    inner: Waker,
}

impl Wake for TrackingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.state.wakes.fetch_add(1, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// A future whose parked/busy state the lockstep can see (see [`Lockstep::track`]).
pub struct Tracked<F> {
    state: Arc<TaskState>,
    fut: Pin<Box<F>>,
    waker: Option<(Waker, Waker)>,
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskCx<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let start = this.state.wakes.load(Ordering::SeqCst);
        this.state.parked_at.store(u64::MAX, Ordering::SeqCst);
        let waker = match &this.waker {
            Some((outer, ours)) if outer.will_wake(cx.waker()) => ours.clone(),
            _ => {
                let ours = Waker::from(Arc::new(TrackingWaker {
                    state: this.state.clone(),
                    inner: cx.waker().clone(),
                }));
                this.waker = Some((cx.waker().clone(), ours.clone()));
                ours
            }
        };
        let out = this.fut.as_mut().poll(&mut TaskCx::from_waker(&waker));
        match out {
            Poll::Ready(v) => {
                this.state.done.store(true, Ordering::SeqCst);
                this.state.changed.notify_one();
                Poll::Ready(v)
            }
            Poll::Pending => {
                // A wake during the poll leaves `wakes` > `start`: still busy, and the executor
                // polls again.
                this.state.parked_at.store(start, Ordering::SeqCst);
                this.state.changed.notify_one();
                Poll::Pending
            }
        }
    }
}

impl<F> Drop for Tracked<F> {
    fn drop(&mut self) {
        self.state.done.store(true, Ordering::SeqCst);
        self.state.changed.notify_one();
    }
}

/// Something a staged bus delivery has to wake once the whole batch is in.
pub(crate) trait Wakeable: Send + Sync {
    fn wake(&self);
}

/// Where a released publication's wake-ups are collected.
pub(crate) type Wakes = Vec<Arc<dyn Wakeable>>;

type Delivery = Box<dyn FnOnce(&mut Wakes) + Send>;

struct Staged {
    node: Arc<str>,
    seq: u64,
    deliver: Delivery,
}

/// A local reader's receive counter (the inbox's).
pub(crate) trait Received: Send + Sync {
    fn received(&self) -> u64;
    /// Notify `changed` after each arrival, so that `settle` looks again at once instead of at
    /// its next poll (a reader whose task reads on its own tick wakes nobody when a sample comes);
    /// while `holding` is set, hold the reader's wake-up until [`Received::wake_held`].
    fn join_lockstep(&self, changed: Arc<Notify>, holding: Arc<AtomicBool>);
    /// Wake the reader if an arrival's wake-up was held.
    fn wake_held(&self);
}

struct Reader {
    node: Arc<str>,
    topic: String,
    reliable: bool,
    transient: bool,
    counter: Weak<dyn Received>,
    /// `expected = written(compatible) - base`.
    base: u64,
}

/// Samples written per topic, by writer class `[reliable as usize * 2 + transient as usize]`.
type Written = HashMap<String, [u64; 4]>;

fn compatible(written: &Written, r: &Reader) -> u64 {
    let Some(w) = written.get(&r.topic) else {
        return 0;
    };
    let mut n = 0;
    for (class, count) in w.iter().enumerate() {
        let (w_rel, w_tl) = (class / 2 == 1, class % 2 == 1);
        if (!r.reliable || w_rel) && (!r.transient || w_tl) {
            n += count;
        }
    }
    n
}

#[derive(Default)]
struct State {
    staged: Vec<Staged>,
    tasks: Vec<Arc<TaskState>>,
    readers: Vec<Reader>,
    written: Written,
}

struct Shared {
    active: AtomicBool,
    /// DDS readers hold their wake-ups while set (between `start` and `stop`).
    holding: Arc<AtomicBool>,
    seq: AtomicU64,
    state: Mutex<State>,
    changed: Arc<Notify>,
    dds_grace: Duration,
}

/// One run's lockstep; cheap to clone. See the module docs.
#[derive(Clone)]
pub struct Lockstep {
    shared: Arc<Shared>,
}

impl Default for Lockstep {
    fn default() -> Self {
        Self::new()
    }
}

impl Lockstep {
    pub fn new() -> Self {
        Lockstep {
            shared: Arc::new(Shared {
                active: AtomicBool::new(false),
                holding: Arc::new(AtomicBool::new(false)),
                seq: AtomicU64::new(0),
                state: Mutex::new(State::default()),
                changed: Arc::new(Notify::new()),
                dds_grace: Duration::from_secs(1),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wrap a node's future so that the lockstep waits for it (`label` names it in errors).
    pub fn track<F: Future>(&self, label: impl Into<String>, fut: F) -> Tracked<F> {
        let state = Arc::new(TaskState {
            label: label.into(),
            wakes: AtomicU64::new(0),
            // Busy until its first poll.
            parked_at: AtomicU64::new(u64::MAX),
            done: AtomicBool::new(false),
            changed: self.shared.changed.clone(),
        });
        let mut s = self.lock();
        s.tasks.retain(|t| !t.done.load(Ordering::SeqCst));
        s.tasks.push(state.clone());
        drop(s);
        Tracked {
            state,
            fut: Box::pin(fut),
            waker: None,
        }
    }

    /// `true` between [`Lockstep::start`] and [`Lockstep::stop`]: publications are staged.
    pub fn is_running(&self) -> bool {
        self.shared.active.load(Ordering::SeqCst)
    }

    /// From now on, publications wait for [`Lockstep::settle`]. Counts start from here.
    pub fn start(&self) {
        let mut s = self.lock();
        let State {
            readers, written, ..
        } = &mut *s;
        for r in readers.iter_mut() {
            let got = r.counter.upgrade().map_or(0, |c| c.received());
            r.base = compatible(written, r).saturating_sub(got);
        }
        self.shared.holding.store(true, Ordering::SeqCst);
        self.shared.active.store(true, Ordering::SeqCst);
    }

    /// Back to immediate delivery (the end of a run); what is staged is delivered now.
    pub fn stop(&self) {
        self.shared.active.store(false, Ordering::SeqCst);
        self.shared.holding.store(false, Ordering::SeqCst);
        Self::wake_held(&self.lock());
        let mut wakes = Wakes::new();
        let staged = std::mem::take(&mut self.lock().staged);
        for st in staged {
            (st.deliver)(&mut wakes);
        }
        for w in wakes {
            w.wake();
        }
    }

    /// Queue a publication (called by publishers while running). `None`: not running, deliver now.
    pub(crate) fn stage(&self, node: &Arc<str>, deliver: Delivery) -> Option<Delivery> {
        if !self.is_running() {
            return Some(deliver);
        }
        let seq = self.shared.seq.fetch_add(1, Ordering::SeqCst);
        let mut s = self.lock();
        if !self.is_running() {
            return Some(deliver);
        }
        s.staged.push(Staged {
            node: node.clone(),
            seq,
            deliver,
        });
        None
    }

    /// A DDS sample of this process was written on `topic` (counted for the readers).
    pub(crate) fn wrote(&self, topic: &str, qos: Qos) {
        let class = (qos.reliability == Reliability::Reliable) as usize * 2
            + (qos.durability == Durability::TransientLocal) as usize;
        let mut s = self.lock();
        match s.written.get_mut(topic) {
            Some(w) => w[class] += 1,
            None => {
                let mut w = [0; 4];
                w[class] = 1;
                s.written.insert(topic.to_string(), w);
            }
        }
    }

    /// A local DDS reader whose receive count the lockstep checks.
    pub(crate) fn add_reader(
        &self,
        node: &Arc<str>,
        topic: &str,
        qos: Qos,
        counter: Weak<dyn Received>,
    ) {
        if let Some(c) = counter.upgrade() {
            c.join_lockstep(self.shared.changed.clone(), self.shared.holding.clone());
        }
        let mut s = self.lock();
        s.readers.retain(|r| r.counter.strong_count() > 0);
        let mut r = Reader {
            node: node.clone(),
            topic: topic.to_string(),
            reliable: qos.reliability == Reliability::Reliable,
            transient: qos.durability == Durability::TransientLocal,
            counter,
            base: 0,
        };
        r.base = compatible(&s.written, &r);
        s.readers.push(r);
    }

    /// Wake every DDS reader whose wake-up was held (the step has arrived everywhere).
    fn wake_held(s: &State) {
        for r in &s.readers {
            if let Some(c) = r.counter.upgrade() {
                c.wake_held();
            }
        }
    }

    fn busy(s: &State) -> Vec<String> {
        s.tasks
            .iter()
            .filter(|t| !t.parked())
            .map(|t| t.label.clone())
            .collect()
    }

    fn missing(s: &State) -> Vec<(String, String, u64)> {
        s.readers
            .iter()
            .filter_map(|r| {
                let got = r.counter.upgrade()?.received();
                let expected = compatible(&s.written, r).saturating_sub(r.base);
                (got < expected).then(|| (r.node.to_string(), r.topic.clone(), expected - got))
            })
            .collect()
    }

    /// Release what is staged, round after round, until every tracked task is parked, nothing is
    /// staged and every local reader has what was written for it. Fails after `timeout` of wall
    /// time, naming what was still busy.
    #[allow(clippy::disallowed_methods)] // transport's edge: settle() is bounded in wall time (tokio's clock)
    pub async fn settle(&self, timeout: Duration) -> Result<Settled, LockstepError> {
        let started = tokio::time::Instant::now();
        let mut out = Settled::default();
        let mut only_counts_since: Option<tokio::time::Instant> = None;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.lock();
                // Counts first. Once every reader has the step, the wake-ups held meanwhile are
                // given all at once (a woken task is busy from the wake on, so `busy` sees it).
                let missing = Self::missing(&s);
                if missing.is_empty() {
                    Self::wake_held(&s);
                }
                let busy = Self::busy(&s);
                if busy.is_empty() && missing.is_empty() {
                    only_counts_since = None;
                    if s.staged.is_empty() {
                        return Ok(out);
                    }
                    let mut batch = std::mem::take(&mut s.staged);
                    drop(s);
                    batch.sort_by(|a, b| a.node.cmp(&b.node).then(a.seq.cmp(&b.seq)));
                    out.rounds += 1;
                    out.released += batch.len() as u64;
                    let mut wakes = Wakes::new();
                    for st in batch {
                        (st.deliver)(&mut wakes);
                    }
                    for w in wakes {
                        w.wake();
                    }
                    continue;
                }
                if busy.is_empty() {
                    let since = *only_counts_since.get_or_insert_with(tokio::time::Instant::now);
                    if since.elapsed() >= self.shared.dds_grace {
                        let State {
                            readers, written, ..
                        } = &mut *s;
                        for r in readers.iter_mut() {
                            let Some(c) = r.counter.upgrade() else {
                                continue;
                            };
                            let got = c.received();
                            let expected = compatible(written, r).saturating_sub(r.base);
                            if got < expected {
                                tracing::debug!(node = %r.node, topic = %r.topic, missing = expected - got, "lockstep: samples never arrived (reader in discovery?); written off");
                                out.written_off += expected - got;
                                r.base = compatible(written, r).saturating_sub(got);
                            }
                        }
                        only_counts_since = None;
                        continue;
                    }
                } else {
                    only_counts_since = None;
                }
                if started.elapsed() >= timeout {
                    return Err(LockstepError {
                        waited_s: started.elapsed().as_secs_f64(),
                        busy,
                        in_flight: missing,
                    });
                }
            }
            // Parked tasks, staged publications and DDS arrivals (`Received::notify_arrivals`)
            // all notify; the millisecond is only a backstop.
            let _ = tokio::time::timeout(Duration::from_millis(1), notified).await;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Clock, Context, Qos};
    use letan_msgs::std_msgs::Float32;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_step_settles_only_when_the_node_has_answered() {
        let ls = Lockstep::new();
        let ctx = Context::bus().with_lockstep(ls.clone());
        let (clock, driver) = Clock::manual(0.0);
        let node = ctx.node("echo", "/").unwrap();
        let input = node.subscribe::<Float32>("/in", Qos::commands()).unwrap();
        let output = node.publisher::<Float32>("/out", Qos::commands()).unwrap();
        // A slow node: each input costs 20 ms of wall time, answered as "input + 1".
        let task = tokio::spawn(ls.track("echo", async move {
            while let Some(m) = input.recv().await {
                std::thread::sleep(Duration::from_millis(20));
                output.publish(Float32 { data: m.data + 1.0 }).unwrap();
            }
        }));
        let sim = ctx.node("sim", "/").unwrap();
        let to_node = sim.publisher::<Float32>("/in", Qos::commands()).unwrap();
        let from_node = sim.subscribe::<Float32>("/out", Qos::commands()).unwrap();
        ls.settle(Duration::from_secs(5)).await.unwrap();
        ls.start();
        for i in 0..10 {
            to_node.publish(Float32 { data: i as f32 }).unwrap();
            // Staged: nothing delivered before the settle.
            assert!(from_node.try_recv().is_none());
            let s = ls.settle(Duration::from_secs(5)).await.unwrap();
            assert_eq!(s.rounds, 2, "the input, then the answer");
            assert_eq!(from_node.try_recv().map(|m| m.data), Some(i as f32 + 1.0));
            driver.advance(0.05);
        }
        assert!(clock.seconds() > 0.4);
        ls.stop();
        drop(to_node);
        task.abort();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hung_node_is_named_not_waited_for_forever() {
        let ls = Lockstep::new();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(ls.track("stuck_node", async move {
            // Busy without ever yielding (as a node stuck in a blocking call).
            while !flag.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
        ls.start();
        let e = ls.settle(Duration::from_millis(300)).await.unwrap_err();
        assert_eq!(e.busy, vec!["stuck_node".to_string()]);
        assert!(e.to_string().contains("stuck_node"), "{e}");
        stop.store(true, Ordering::SeqCst);
        task.await.unwrap();
        // Finished tasks no longer count.
        assert_eq!(ls.settle(Duration::from_secs(1)).await.unwrap().rounds, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn releases_are_ordered_by_node_not_by_thread_timing() {
        let ls = Lockstep::new();
        let ctx = Context::bus().with_lockstep(ls.clone());
        let reader = ctx.node("reader", "/").unwrap();
        let sub = reader
            .subscribe::<Float32>("/x", Qos::commands().with_depth(100))
            .unwrap();
        let b = ctx.node("b_node", "/").unwrap();
        let a = ctx.node("a_node", "/").unwrap();
        let pb = b.publisher::<Float32>("/x", Qos::commands()).unwrap();
        let pa = a.publisher::<Float32>("/x", Qos::commands()).unwrap();
        ls.start();
        pb.publish(Float32 { data: 20.0 }).unwrap();
        pa.publish(Float32 { data: 10.0 }).unwrap();
        pb.publish(Float32 { data: 21.0 }).unwrap();
        pa.publish(Float32 { data: 11.0 }).unwrap();
        ls.settle(Duration::from_secs(1)).await.unwrap();
        let got: Vec<f32> = std::iter::from_fn(|| sub.try_recv().map(|m| m.data)).collect();
        assert_eq!(got, vec![10.0, 11.0, 20.0, 21.0]);
    }
}
