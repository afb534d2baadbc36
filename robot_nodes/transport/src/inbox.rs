//! A keep-last queue shared by a subscriber and whatever feeds it (the bus or a DDS reader task).
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The lockstep's "something changed", notified after each count (DDS readers in lockstep).
    arrivals: std::sync::OnceLock<Arc<Notify>>,
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
            arrivals: std::sync::OnceLock::new(),
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
    pub(crate) fn push(&self, m: M) {
        let pushed = self.push_quiet(m);
        if pushed {
            self.notify.notify_one();
        }
        // Counted after the wake-up: whoever sees the count also sees the reader woken.
        self.received.fetch_add(1, Ordering::SeqCst);
        if let Some(changed) = self.arrivals.get() {
            changed.notify_one();
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

impl<M: Send> crate::lockstep::Received for Inbox<M> {
    fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    fn notify_arrivals(&self, changed: Arc<Notify>) {
        let _ = self.arrivals.set(changed);
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
}
