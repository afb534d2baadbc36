//! Where a node process runs its node: on the runtime's worker threads, not on the thread that
//! called `block_on`.
//!
//! A DDS sample reaches a node through two wake-ups: RustDDS's event-loop thread wakes the
//! reader's forwarding task on a tokio worker, which pushes into the node's inbox and wakes the
//! node's task. When the node's future is the `block_on` future itself, that second wake-up is a
//! hand-off to another thread (the `block_on` thread is not a worker). When the node is a task on
//! the same runtime, tokio runs it next on the same worker. On a 2-core machine this took the
//! round trip between two processes from p50 152 µs to 105 µs (`cargo bench -p letan-transport
//! --bench rtt`, which runs its two sides this way too).
use std::future::Future;

/// The runtime a node process runs on: two worker threads (a node's CPU work, the face detector or
/// the recognizer, does not hold up its messages), I/O and timers on. `letan` builds its runtimes
/// here, and so do the transport's bench and tests that stand for a node process.
pub fn node_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Run `fut` as a task on `rt`'s workers and wait for it. A panic in the task is resumed here, as
/// `block_on` would have it.
pub fn block_on_task<F>(rt: &tokio::runtime::Runtime, fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match rt.block_on(rt.spawn(fut)) {
        Ok(out) => out,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Only a runtime shutting down cancels a task, and `rt` is borrowed here.
            Err(e) => unreachable!("a task on a runtime still in use was cancelled: {e}"),
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        node_runtime().unwrap()
    }

    #[test]
    fn the_future_runs_on_a_worker_and_its_output_comes_back() {
        let caller = std::thread::current().id();
        let (out, ran_on) = block_on_task(&rt(), async { (41 + 1, std::thread::current().id()) });
        assert_eq!(out, 42);
        assert_ne!(
            ran_on, caller,
            "the node must not run on the block_on thread"
        );
    }

    #[test]
    fn a_panic_in_the_task_reaches_the_caller() {
        let r = std::panic::catch_unwind(|| {
            block_on_task(&rt(), async {
                panic!("node failed");
            })
        });
        let msg = r.unwrap_err();
        assert_eq!(msg.downcast_ref::<&str>(), Some(&"node failed"));
    }
}
