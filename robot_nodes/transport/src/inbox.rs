//! A keep-last queue shared by a subscriber and whatever feeds it (the bus or a DDS reader task).
use crate::lockstep::Received;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

struct State<M> {
    queue: VecDeque<M>,
    closed: bool,
    dropped: u64,
}

pub(crate) struct Inbox<M> {
    state: Mutex<State<M>>,
    notify: Notify,
    depth: usize,
    /// Messages ever pushed (the lockstep's in-flight count over DDS); bumped after the wake-up.
    received: AtomicU64,
    /// The lockstep's "something changed", notified after each count, and its "hold the wake-ups"
    /// flag (DDS readers in lockstep).
    lockstep: std::sync::OnceLock<(Arc<Notify>, Arc<AtomicBool>)>,
    /// A wake-up held back while the lockstep delivers a step (see [`Inbox::push`]).
    held: AtomicBool,
    /// Dropped with the inbox: a feeding task holding [`Inbox::dropped_signal`] then stops at once
    /// instead of waiting for a next sample that may never come.
    _alive: tokio::sync::watch::Sender<()>,
}

impl<M> Inbox<M> {
    pub(crate) fn new(depth: usize) -> Arc<Self> {
        Arc::new(Inbox {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(depth.min(64)),
                closed: false,
                dropped: 0,
            }),
            notify: Notify::new(),
            depth: depth.max(1),
            received: AtomicU64::new(0),
            lockstep: std::sync::OnceLock::new(),
            held: AtomicBool::new(false),
            _alive: tokio::sync::watch::channel(()).0,
        })
    }

    /// Resolves when this inbox is dropped (its subscriber is gone).
    pub(crate) fn dropped_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self._alive.subscribe();
        async move { while rx.changed().await.is_ok() {} }
    }

    fn lock(&self) -> MutexGuard<'_, State<M>> {
        // A poisoned lock only means another thread panicked mid-push; the queue is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Push a message; the oldest is dropped when the queue already holds `depth` (keep-last).
    ///
    /// A DDS reader in a running lockstep holds the wake-up back: the lockstep wakes every such
    /// reader at once when the whole step has arrived ([`Received::wake_held`]), as the bus fills
    /// every inbox before waking anyone. Otherwise a node woken by the step's `/clock` could run
    /// its tick before the same step's camera frame had reached it, depending on thread timing.
    pub(crate) fn push(&self, m: M) {
        let pushed = self.push_quiet(m);
        let lockstep = self.lockstep.get();
        let holding = || lockstep.is_some_and(|(_, h)| h.load(Ordering::SeqCst));
        if pushed {
            if holding() {
                self.held.store(true, Ordering::SeqCst);
                // The lockstep stopped holding in between: nobody else will wake this reader.
                if !holding() {
                    self.release_held();
                }
            } else {
                self.notify.notify_one();
            }
        }
        // Counted after the wake-up (or after it is held): whoever sees the count also sees the
        // reader woken or marked.
        self.received.fetch_add(1, Ordering::SeqCst);
        if let Some((changed, _)) = lockstep {
            changed.notify_one();
        }
    }

    /// Wake the reader if a wake-up was held back.
    fn release_held(&self) {
        if self.held.swap(false, Ordering::SeqCst) {
            self.notify.notify_one();
        }
    }

    /// Push without waking the reader (a lockstep release wakes everyone once the batch is in).
    pub(crate) fn push_quiet(&self, m: M) -> bool {
        let mut s = self.lock();
        if s.closed {
            return false;
        }
        if s.queue.len() >= self.depth {
            s.queue.pop_front();
            s.dropped += 1;
        }
        s.queue.push_back(m);
        true
    }

    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    pub(crate) fn try_pop(&self) -> Option<M> {
        self.lock().queue.pop_front()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Wait for the next message; `None` once closed and drained.
    pub(crate) async fn pop(&self) -> Option<M> {
        loop {
            let notified = self.notify.notified();
            {
                let mut s = self.lock();
                if let Some(m) = s.queue.pop_front() {
                    return Some(m);
                }
                if s.closed {
                    return None;
                }
            }
            notified.await;
        }
    }
}

impl<M: Send> crate::lockstep::Wakeable for Inbox<M> {
    fn wake(&self) {
        self.notify.notify_one();
    }
}

impl<M: Send> Received for Inbox<M> {
    fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    fn join_lockstep(&self, changed: Arc<Notify>, holding: Arc<AtomicBool>) {
        let _ = self.lockstep.set((changed, holding));
    }

    fn wake_held(&self) {
        self.release_held();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_last_depth_messages() {
        let inbox = Inbox::new(3);
        for i in 0..10 {
            inbox.push(i);
        }
        assert_eq!(inbox.dropped(), 7);
        assert_eq!(inbox.pop().await, Some(7));
        assert_eq!(inbox.try_pop(), Some(8));
        assert_eq!(inbox.pop().await, Some(9));
        inbox.close();
        assert_eq!(inbox.pop().await, None);
    }

    #[tokio::test]
    async fn wakes_a_waiting_reader() {
        let inbox = Inbox::new(2);
        let reader = {
            let inbox = inbox.clone();
            tokio::spawn(async move { inbox.pop().await })
        };
        tokio::task::yield_now().await;
        inbox.push(42);
        assert_eq!(reader.await.unwrap(), Some(42));
    }

    /// In a running lockstep an arrival is queued and counted, but its reader is woken only when
    /// the lockstep gives the held wake-ups; after the lockstep stops holding, arrivals wake again.
    #[tokio::test]
    async fn a_lockstep_holds_the_wake_up_until_the_step_has_arrived() {
        let inbox = Inbox::new(4);
        let changed = Arc::new(Notify::new());
        let holding = Arc::new(AtomicBool::new(true));
        inbox.join_lockstep(changed.clone(), holding.clone());
        let reader = {
            let inbox = inbox.clone();
            tokio::spawn(async move { inbox.pop().await })
        };
        tokio::task::yield_now().await;
        inbox.push(1);
        assert_eq!(inbox.received(), 1, "counted at once");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !reader.is_finished(),
            "woken before the lockstep gave the wake-up"
        );
        inbox.wake_held();
        assert_eq!(reader.await.unwrap(), Some(1));

        holding.store(false, Ordering::SeqCst);
        let reader = {
            let inbox = inbox.clone();
            tokio::spawn(async move { inbox.pop().await })
        };
        tokio::task::yield_now().await;
        inbox.push(2);
        assert_eq!(reader.await.unwrap(), Some(2));
    }
}
