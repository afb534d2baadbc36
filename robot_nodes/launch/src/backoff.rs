//! Restart delays for crashed processes: exponential, capped, and reset after a long enough run.
use std::time::Duration;

/// The restart policy. Default: 1 s, doubling, at most 30 s, back to 1 s once a run lasted 60 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub initial: Duration,
    pub max: Duration,
    /// Each consecutive crash multiplies the delay by this.
    pub factor: u32,
    /// A run at least this long counts as healthy: the next delay starts again from `initial`.
    pub reset_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
            factor: 2,
            reset_after: Duration::from_secs(60),
        }
    }
}

/// The backoff state of one process. Pure: the caller measures the uptime and sleeps.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    initial: Duration,
    next: Duration,
}

impl Backoff {
    /// `first_delay` (a node's `respawn_delay`) replaces the policy's initial delay when given.
    pub fn new(policy: BackoffPolicy, first_delay: Option<Duration>) -> Self {
        let initial = first_delay.unwrap_or(policy.initial).min(policy.max);
        Backoff {
            policy,
            initial,
            next: initial,
        }
    }

    /// The process exited after running for `uptime`: how long to wait before starting it again.
    pub fn on_exit(&mut self, uptime: Duration) -> Duration {
        if uptime >= self.policy.reset_after {
            self.next = self.initial;
        }
        let delay = self.next;
        self.next = self
            .next
            .saturating_mul(self.policy.factor.max(1))
            .min(self.policy.max);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn doubles_caps_and_resets_after_a_healthy_run() {
        let mut b = Backoff::new(BackoffPolicy::default(), None);
        let delays: Vec<_> = (0..7).map(|_| b.on_exit(S(2))).collect();
        assert_eq!(delays, vec![S(1), S(2), S(4), S(8), S(16), S(30), S(30)]);
        // Up for 59 s: still crashing, stays at the cap.
        assert_eq!(b.on_exit(S(59)), S(30));
        // Up for a minute: healthy, start over.
        assert_eq!(b.on_exit(S(60)), S(1));
        assert_eq!(b.on_exit(S(0)), S(2));
    }

    #[test]
    fn respawn_delay_sets_the_first_step() {
        let mut b = Backoff::new(BackoffPolicy::default(), Some(Duration::from_millis(500)));
        assert_eq!(b.on_exit(S(0)), Duration::from_millis(500));
        assert_eq!(b.on_exit(S(0)), S(1));
        let mut big = Backoff::new(BackoffPolicy::default(), Some(S(100)));
        assert_eq!(big.on_exit(S(0)), S(30));
    }
}
