//! Time for nodes: the wall clock, `/clock` (sim time), or a manually driven clock for tests.
use crate::node::Subscriber;
use crate::Result;
use letan_msgs::builtin_interfaces::Time;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
enum Inner {
    System,
    /// Seconds since the epoch of the sim, as last published on `/clock` (0 before the first one).
    Watched(watch::Receiver<f64>),
}

/// A clock handle. Cheap to clone; pure code never reads it, nodes pass `now` in.
#[derive(Clone)]
pub struct Clock {
    inner: Inner,
}

/// Drives a [`Clock::manual`] clock.
#[derive(Clone)]
pub struct ClockDriver {
    tx: Arc<watch::Sender<f64>>,
}

impl ClockDriver {
    /// Set the time (seconds). Time never goes backwards: an earlier value is ignored.
    pub fn set(&self, secs: f64) {
        self.tx.send_if_modified(|t| {
            if secs > *t {
                *t = secs;
                true
            } else {
                false
            }
        });
    }
    pub fn advance(&self, dt: f64) {
        let now = *self.tx.borrow();
        self.set(now + dt.max(0.0));
    }
}

/// Seconds as a stamp, clamped: negative, NaN or infinite is zero, too large saturates. The fraction
/// is rounded to the nanosecond on its own, so a wall-clock stamp (~1.7e9 s) is exact (not
/// `Time::from_secs_f64`, which rounds `secs * 1e9`: off by up to 128 ns at that size).
pub fn secs_to_time(secs: f64) -> Time {
    let secs = if secs.is_finite() { secs.max(0.0) } else { 0.0 };
    let whole = secs.floor();
    let mut nanos = ((secs - whole) * 1e9).round() as u32;
    let mut sec = whole.min(i32::MAX as f64) as i32;
    if nanos >= 1_000_000_000 {
        nanos -= 1_000_000_000;
        sec = sec.saturating_add(1);
    }
    Time {
        sec,
        nanosec: nanos,
    }
}

/// Seconds as a `Duration`, clamped: negative or NaN is zero, too large saturates.
pub fn secs_to_duration(secs: f64) -> std::time::Duration {
    if secs.is_nan() || secs <= 0.0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::try_from_secs_f64(secs).unwrap_or(std::time::Duration::MAX)
}

pub(crate) fn time_to_secs(t: &Time) -> f64 {
    t.sec as f64 + t.nanosec as f64 * 1e-9
}

impl Clock {
    /// The wall clock (ROS time without sim time).
    pub fn system() -> Self {
        Clock {
            inner: Inner::System,
        }
    }

    /// A clock that only moves when its driver says so.
    pub fn manual(start_secs: f64) -> (Self, ClockDriver) {
        let (tx, rx) = watch::channel(start_secs);
        (
            Clock {
                inner: Inner::Watched(rx),
            },
            ClockDriver { tx: Arc::new(tx) },
        )
    }

    /// Follow `/clock`. With `track`, the follower is a task of that lockstep (under that label).
    pub(crate) fn from_clock_topic(
        sub: Subscriber<letan_msgs::rosgraph_msgs::Clock>,
        track: Option<(crate::Lockstep, String)>,
    ) -> Result<Self> {
        let (clock, driver) = Self::manual(0.0);
        let follow = async move {
            while let Some(c) = sub.recv().await {
                driver.set(time_to_secs(&c.clock));
            }
        };
        let rt = crate::dds::runtime()?;
        match track {
            Some((lockstep, label)) => drop(rt.spawn(lockstep.track(label, follow))),
            None => drop(rt.spawn(follow)),
        }
        Ok(clock)
    }

    /// `true` when this clock follows `/clock` or a driver rather than the wall.
    pub fn is_simulated(&self) -> bool {
        matches!(self.inner, Inner::Watched(_))
    }

    /// Now, in seconds.
    #[allow(clippy::disallowed_methods)] // transport's clock: the one place a node's system time is read
    pub fn seconds(&self) -> f64 {
        match &self.inner {
            Inner::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
            Inner::Watched(rx) => *rx.borrow(),
        }
    }

    /// Now, as a duration since the clock's epoch, for code that keeps `Duration`s. Never panics:
    /// a reading before the epoch, or not a number, is zero (`Duration::from_secs_f64` would panic
    /// on both), and one beyond `Duration`'s range saturates.
    pub fn duration(&self) -> std::time::Duration {
        secs_to_duration(self.seconds())
    }

    /// Now, as a ROS time stamp.
    pub fn now(&self) -> Time {
        secs_to_time(self.seconds())
    }

    /// Sleep until the clock reads at least `deadline` seconds.
    pub async fn sleep_until(&self, deadline: f64) {
        match &self.inner {
            Inner::System => {
                let left = deadline - self.seconds();
                if left > 0.0 {
                    tokio::time::sleep(std::time::Duration::from_secs_f64(left.min(1e6))).await;
                }
            }
            Inner::Watched(rx) => {
                let mut rx = rx.clone();
                // If the driver is gone, time has stopped for good: wait forever rather than spin.
                if rx.wait_for(|t| *t >= deadline).await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        }
    }

    /// Sleep for `secs` of this clock's time.
    pub async fn sleep(&self, secs: f64) {
        self.sleep_until(self.seconds() + secs).await;
    }
}

/// A fixed-rate loop in a clock's time (sim time included).
pub struct Rate {
    clock: Clock,
    period: f64,
    next: f64,
}

impl Rate {
    /// `hz` must be positive; a non-positive rate is treated as 1 Hz.
    pub fn new(clock: Clock, hz: f64) -> Self {
        let period = if hz > 0.0 && hz.is_finite() {
            1.0 / hz
        } else {
            1.0
        };
        let next = clock.seconds() + period;
        Rate {
            clock,
            period,
            next,
        }
    }

    /// Wait for the next tick. After a stall, it restarts from now instead of bursting to catch up.
    pub async fn tick(&mut self) {
        self.clock.sleep_until(self.next).await;
        let now = self.clock.seconds();
        self.next += self.period;
        if self.next < now {
            self.next = now + self.period;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn converts_between_seconds_and_stamps() {
        let t = secs_to_time(12.25);
        assert_eq!((t.sec, t.nanosec), (12, 250_000_000));
        assert!((time_to_secs(&t) - 12.25).abs() < 1e-9);
        let t = secs_to_time(0.999_999_999_9);
        assert_eq!((t.sec, t.nanosec), (1, 0));
        assert_eq!(secs_to_time(f64::NAN).sec, 0);
        assert_eq!(secs_to_time(-3.0).sec, 0);
    }

    #[test]
    fn durations_never_panic_before_the_epoch_or_beyond_range() {
        use std::time::Duration;
        assert_eq!(secs_to_duration(-5.0), Duration::ZERO);
        assert_eq!(secs_to_duration(f64::NAN), Duration::ZERO);
        assert_eq!(secs_to_duration(f64::NEG_INFINITY), Duration::ZERO);
        assert_eq!(secs_to_duration(f64::INFINITY), Duration::MAX);
        assert_eq!(secs_to_duration(1e300), Duration::MAX);
        assert_eq!(secs_to_duration(2.5), Duration::from_millis(2500));
        // A clock that starts before its epoch (or at NaN) reads zero rather than panicking.
        let (clock, _driver) = Clock::manual(-3.0);
        assert_eq!(clock.duration(), Duration::ZERO);
        let (clock, _driver) = Clock::manual(f64::NAN);
        assert_eq!(clock.duration(), Duration::ZERO);
    }

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_only_when_driven() {
        let (clock, driver) = Clock::manual(10.0);
        assert!(clock.is_simulated());
        let c = clock.clone();
        let sleeper = tokio::spawn(async move {
            c.sleep_until(11.0).await;
            c.seconds()
        });
        tokio::task::yield_now().await;
        driver.advance(0.5);
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        driver.set(9.0); // ignored: time does not go back
        assert_eq!(clock.seconds(), 10.5);
        driver.advance(0.6);
        let woke_at = sleeper.await.unwrap();
        assert!(woke_at >= 11.0);
    }

    #[tokio::test]
    async fn rate_ticks_in_sim_time() {
        let (clock, driver) = Clock::manual(0.0);
        let mut rate = Rate::new(clock.clone(), 10.0);
        let ticker = tokio::spawn(async move {
            let mut n = 0;
            loop {
                rate.tick().await;
                n += 1;
                if n == 5 {
                    break;
                }
            }
        });
        for _ in 0..50 {
            driver.advance(0.01);
            tokio::task::yield_now().await;
        }
        ticker.await.unwrap();
        assert!(clock.seconds() >= 0.5 - 1e-9);
    }
}
