//! `builtin_interfaces`: [`Time`] and [`Duration`].
use serde::{Deserialize, Serialize};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Splits a nanosecond count into (sec, nanosec) with `0 <= nanosec < 1e9`, saturating `sec` to i32.
fn split_nanos(nanos: i64) -> (i32, u32) {
    let sec = nanos.div_euclid(NANOS_PER_SEC);
    let nsec = nanos.rem_euclid(NANOS_PER_SEC);
    if sec > i64::from(i32::MAX) {
        (i32::MAX, 999_999_999)
    } else if sec < i64::from(i32::MIN) {
        (i32::MIN, 0)
    } else {
        (sec as i32, nsec as u32)
    }
}

/// Converts seconds to nanoseconds, saturating; NaN gives 0.
fn secs_to_nanos(secs: f64) -> i64 {
    if secs.is_nan() {
        return 0;
    }
    // `as` saturates for out-of-range floats.
    (secs * 1e9).round() as i64
}

/// `builtin_interfaces/msg/Time`: a point in time, seconds and nanoseconds since the clock's epoch
/// (the Unix epoch for system time, the simulation start for sim time).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(default, deny_unknown_fields)]
pub struct Time {
    /// Whole seconds.
    pub sec: i32,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanosec: u32,
}

impl Time {
    /// A time from seconds and nanoseconds (nanoseconds past one second carry into `sec`).
    pub fn new(sec: i32, nanosec: u32) -> Self {
        Self::from_nanos(i64::from(sec) * NANOS_PER_SEC + i64::from(nanosec))
    }

    /// A time from nanoseconds since the epoch. Negative values clamp to 0 (ROS time is never
    /// negative); values past 2038 saturate.
    pub fn from_nanos(nanos: i64) -> Self {
        let (sec, nanosec) = split_nanos(nanos.max(0));
        Self { sec, nanosec }
    }

    /// Nanoseconds since the epoch (a negative `sec` from a foreign peer gives a negative count).
    pub fn as_nanos(&self) -> i64 {
        i64::from(self.sec) * NANOS_PER_SEC + i64::from(self.nanosec)
    }

    /// A time from seconds since the epoch, rounded to the nanosecond. Negative values and NaN give 0.
    pub fn from_secs_f64(secs: f64) -> Self {
        Self::from_nanos(secs_to_nanos(secs))
    }

    /// Seconds since the epoch.
    pub fn as_secs_f64(&self) -> f64 {
        f64::from(self.sec) + f64::from(self.nanosec) * 1e-9
    }

    /// `true` for the zero time, which ROS uses for "no stamp" (e.g. "latest" in a tf lookup).
    pub fn is_zero(&self) -> bool {
        self.sec == 0 && self.nanosec == 0
    }
}

impl std::ops::Add<Duration> for Time {
    type Output = Time;
    /// Saturating: a sum below zero gives 0.
    fn add(self, d: Duration) -> Time {
        Time::from_nanos(self.as_nanos().saturating_add(d.as_nanos()))
    }
}

impl std::ops::Sub for Time {
    type Output = Duration;
    fn sub(self, other: Time) -> Duration {
        Duration::from_nanos(self.as_nanos().saturating_sub(other.as_nanos()))
    }
}

/// `builtin_interfaces/msg/Duration`: a signed span of time. As in ROS, a negative duration has a
/// negative `sec` and a positive `nanosec` (-0.5 s is `sec: -1, nanosec: 500_000_000`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(default, deny_unknown_fields)]
pub struct Duration {
    /// Whole seconds (floor).
    pub sec: i32,
    /// Nanoseconds added to `sec`, `0..1_000_000_000`.
    pub nanosec: u32,
}

impl Duration {
    /// A duration from nanoseconds (saturating at about ±68 years).
    pub fn from_nanos(nanos: i64) -> Self {
        let (sec, nanosec) = split_nanos(nanos);
        Self { sec, nanosec }
    }

    /// The duration in nanoseconds.
    pub fn as_nanos(&self) -> i64 {
        i64::from(self.sec) * NANOS_PER_SEC + i64::from(self.nanosec)
    }

    /// A duration from seconds, rounded to the nanosecond; NaN gives 0.
    pub fn from_secs_f64(secs: f64) -> Self {
        Self::from_nanos(secs_to_nanos(secs))
    }

    /// The duration in seconds.
    pub fn as_secs_f64(&self) -> f64 {
        f64::from(self.sec) + f64::from(self.nanosec) * 1e-9
    }
}

impl From<std::time::Duration> for Duration {
    /// Saturating at `i32::MAX` seconds.
    fn from(d: std::time::Duration) -> Self {
        Self::from_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_from_and_to_seconds() {
        let t = Time::from_secs_f64(12.25);
        assert_eq!((t.sec, t.nanosec), (12, 250_000_000));
        assert_eq!(t.as_secs_f64(), 12.25);
        let t = Time::from_secs_f64(1_700_000_000.123_457);
        assert_eq!(t.sec, 1_700_000_000);
        assert!(
            (i64::from(t.nanosec) - 123_457_000).abs() < 300,
            "{}",
            t.nanosec
        );
        assert_eq!(Time::from_secs_f64(0.999_999_999_9), Time::new(1, 0));
    }

    #[test]
    fn time_is_never_negative_and_saturates() {
        assert_eq!(Time::from_secs_f64(-3.0), Time::default());
        assert_eq!(Time::from_secs_f64(f64::NAN), Time::default());
        assert_eq!(Time::from_secs_f64(1e300).sec, i32::MAX);
        assert_eq!(Time::from_nanos(-1), Time::default());
        assert!(Time::default().is_zero());
    }

    #[test]
    fn time_nanos_round_trip_and_carry() {
        let t = Time::from_nanos(5_000_000_001);
        assert_eq!((t.sec, t.nanosec), (5, 1));
        assert_eq!(t.as_nanos(), 5_000_000_001);
        assert_eq!(
            Time::new(1, 1_500_000_000),
            Time {
                sec: 2,
                nanosec: 500_000_000
            }
        );
    }

    #[test]
    fn negative_durations_use_floor_seconds() {
        let d = Duration::from_secs_f64(-0.5);
        assert_eq!((d.sec, d.nanosec), (-1, 500_000_000));
        assert_eq!(d.as_secs_f64(), -0.5);
        assert_eq!(d.as_nanos(), -500_000_000);
        assert_eq!(
            Duration::from_nanos(-2_000_000_000),
            Duration {
                sec: -2,
                nanosec: 0
            }
        );
        assert_eq!(
            Duration::from(std::time::Duration::from_millis(1500)).as_secs_f64(),
            1.5
        );
    }

    #[test]
    fn time_arithmetic() {
        let a = Time::new(10, 900_000_000);
        let b = a + Duration::from_secs_f64(0.2);
        assert_eq!(b, Time::new(11, 100_000_000));
        assert_eq!((b - a).as_nanos(), 200_000_000);
        assert_eq!((a - b).as_nanos(), -200_000_000);
        assert_eq!(a + Duration::from_secs_f64(-100.0), Time::default());
    }
}
