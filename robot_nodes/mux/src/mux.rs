//! The mux itself.
use crate::params::{InputParams, MuxParams};
use crate::{MuxError, Result};
use std::fmt;
use std::time::Duration;

/// A planar velocity command: forward speed (m/s) and turn rate (rad/s, counter-clockwise positive).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Twist2 {
    /// Linear x in base_link (m/s).
    pub linear_x: f64,
    /// Angular z (rad/s).
    pub angular_z: f64,
}

impl Twist2 {
    /// Standing still.
    pub const ZERO: Twist2 = Twist2 {
        linear_x: 0.0,
        angular_z: 0.0,
    };

    /// A twist from its two components.
    pub const fn new(linear_x: f64, angular_z: f64) -> Self {
        Twist2 {
            linear_x,
            angular_z,
        }
    }

    /// Both components are exactly zero.
    pub fn is_zero(&self) -> bool {
        self.linear_x == 0.0 && self.angular_z == 0.0
    }
}

/// The inputs of the mux.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputId {
    /// Navigation controller.
    Navigation,
    /// Greeting turns.
    Greeting,
    /// Operator console teleop.
    ConsoleTeleop,
    /// Terminal keyboard teleop.
    KeyboardTeleop,
}

impl InputId {
    /// Every input, in a fixed order.
    pub const ALL: [InputId; 4] = [
        InputId::Navigation,
        InputId::Greeting,
        InputId::ConsoleTeleop,
        InputId::KeyboardTeleop,
    ];

    /// The parameter / wire name (`navigation`, `greeting`, `console_teleop`, `keyboard_teleop`).
    pub fn as_str(self) -> &'static str {
        match self {
            InputId::Navigation => "navigation",
            InputId::Greeting => "greeting",
            InputId::ConsoleTeleop => "console_teleop",
            InputId::KeyboardTeleop => "keyboard_teleop",
        }
    }

    /// Parse the wire name.
    pub fn parse(name: &str) -> Option<InputId> {
        InputId::ALL.into_iter().find(|i| i.as_str() == name)
    }

    /// An operator drives through this input (console or keyboard teleop).
    pub fn is_teleop(self) -> bool {
        matches!(self, InputId::ConsoleTeleop | InputId::KeyboardTeleop)
    }

    /// The wire name (e.g. `MuxStatus.active_input`) names a teleop input; `""` or an unknown
    /// name does not.
    pub fn is_teleop_name(name: &str) -> bool {
        InputId::parse(name).is_some_and(InputId::is_teleop)
    }

    fn index(self) -> usize {
        match self {
            InputId::Navigation => 0,
            InputId::Greeting => 1,
            InputId::ConsoleTeleop => 2,
            InputId::KeyboardTeleop => 3,
        }
    }
}

impl fmt::Display for InputId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the e-stop lock is engaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstopReason {
    /// Engaged at start (`estop.start_latched`); waiting for a first release.
    Startup,
    /// The e-stop heartbeat said "pressed".
    Pressed,
    /// An operator pressed the software e-stop (console).
    Operator,
    /// The heartbeat stopped arriving.
    HeartbeatLost,
}

impl EstopReason {
    /// Short wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EstopReason::Startup => "startup",
            EstopReason::Pressed => "pressed",
            EstopReason::Operator => "operator",
            EstopReason::HeartbeatLost => "heartbeat_lost",
        }
    }
}

/// State of the e-stop lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EstopState {
    /// `Some(reason)` while engaged: the output is zero.
    pub engaged: Option<EstopReason>,
    /// The heartbeat is fresh (arrived within `estop.heartbeat_timeout_s`).
    pub heartbeat_ok: bool,
}

/// What the mux reports alongside each output.
#[derive(Clone, Debug, PartialEq)]
pub struct MuxStatus {
    /// The input driving the robot, if any (none while the e-stop is engaged or no input is live).
    pub active: Option<InputId>,
    /// Inputs whose last command is fresh, highest priority first.
    pub live: Vec<InputId>,
    /// E-stop lock state.
    pub estop: EstopState,
    /// The command of the active input was cut by a velocity or acceleration limit.
    pub limited: bool,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    priority: u8,
    timeout: Duration,
    last: Option<(Twist2, Duration)>,
}

impl Slot {
    fn new(p: &InputParams) -> Self {
        Slot {
            priority: p.priority,
            timeout: Duration::from_secs_f64(p.timeout_s),
            last: None,
        }
    }

    fn fresh(&self, now: Duration) -> Option<Twist2> {
        let (twist, at) = self.last?;
        // A command stamped in the future (clock skew) counts as fresh only up to its timeout.
        let age = now.checked_sub(at).unwrap_or_default();
        (age <= self.timeout).then_some(twist)
    }
}

/// The velocity multiplexer. Feed it commands and heartbeats with their arrival time; call
/// [`Mux::output`] at the control rate.
#[derive(Clone, Debug)]
pub struct Mux {
    params: MuxParams,
    slots: [Slot; 4],
    heartbeat_timeout: Duration,
    last_heartbeat: Option<(bool, Duration)>,
    latched: Option<EstopReason>,
    last_out: Twist2,
    last_out_at: Option<Duration>,
}

impl Mux {
    /// A mux with validated parameters.
    pub fn new(params: MuxParams) -> Result<Self> {
        params.validate()?;
        let i = &params.inputs;
        let slots = [
            Slot::new(&i.navigation),
            Slot::new(&i.greeting),
            Slot::new(&i.console_teleop),
            Slot::new(&i.keyboard_teleop),
        ];
        Ok(Mux {
            heartbeat_timeout: Duration::from_secs_f64(params.estop.heartbeat_timeout_s),
            latched: params.estop.start_latched.then_some(EstopReason::Startup),
            params,
            slots,
            last_heartbeat: None,
            last_out: Twist2::ZERO,
            last_out_at: None,
        })
    }

    /// The parameters in use.
    pub fn params(&self) -> &MuxParams {
        &self.params
    }

    /// A velocity command from `input`, received at `now`. Non-finite commands are refused and do not
    /// refresh the input (so a broken publisher times out like a silent one).
    pub fn feed(&mut self, input: InputId, twist: Twist2, now: Duration) -> Result<()> {
        for (field, value) in [("linear_x", twist.linear_x), ("angular_z", twist.angular_z)] {
            if !value.is_finite() {
                return Err(MuxError::NonFinite {
                    input: input.to_string(),
                    field,
                    value,
                });
            }
        }
        self.slots[input.index()].last = Some((twist, now));
        Ok(())
    }

    /// An e-stop heartbeat (`pressed` = the physical or software e-stop is pressed), received at `now`.
    /// A pressed heartbeat latches the lock.
    pub fn feed_estop(&mut self, pressed: bool, now: Duration) {
        self.last_heartbeat = Some((pressed, now));
        if pressed {
            self.latch(EstopReason::Pressed);
        }
    }

    /// Engage the lock from software (the console's e-stop button).
    pub fn engage(&mut self, _now: Duration) {
        self.latch(EstopReason::Operator);
    }

    fn latch(&mut self, reason: EstopReason) {
        if self.latched.is_none() {
            tracing::warn!(reason = reason.as_str(), "e-stop engaged");
            self.latched = Some(reason);
        }
    }

    fn heartbeat_ok(&self, now: Duration) -> bool {
        match self.last_heartbeat {
            Some((_, at)) => now.checked_sub(at).unwrap_or_default() <= self.heartbeat_timeout,
            None => false,
        }
    }

    /// A heartbeat that was heard and went stale latches the lock. One never heard yet (the e-stop
    /// box or the simulator has not started) blocks every input without latching: the robot stays
    /// still, and the first heartbeat lets it move without an operator's release, unless the lock
    /// is latched for another reason (`start_latched` on the real robot).
    fn update_lock(&mut self, now: Duration) {
        if self.params.estop.require_heartbeat
            && self.last_heartbeat.is_some()
            && !self.heartbeat_ok(now)
        {
            self.latch(EstopReason::HeartbeatLost);
        }
    }

    /// Release the lock. Refused while the heartbeat is stale (when required) or says pressed.
    pub fn release(&mut self, now: Duration) -> Result<()> {
        if self.params.estop.require_heartbeat && !self.heartbeat_ok(now) {
            return Err(MuxError::ReleaseRefused {
                reason: "no fresh e-stop heartbeat".to_string(),
            });
        }
        if let Some((true, _)) = self.last_heartbeat {
            if self.heartbeat_ok(now) {
                return Err(MuxError::ReleaseRefused {
                    reason: "the e-stop is still pressed".to_string(),
                });
            }
        }
        if let Some(reason) = self.latched.take() {
            tracing::info!(was = reason.as_str(), "e-stop released");
        }
        Ok(())
    }

    /// E-stop state at `now` (also latches on heartbeat loss).
    pub fn estop(&mut self, now: Duration) -> EstopState {
        self.update_lock(now);
        EstopState {
            engaged: self.latched,
            heartbeat_ok: self.heartbeat_ok(now),
        }
    }

    /// The command to send at `now`, and the status that goes with it.
    pub fn output(&mut self, now: Duration) -> (Twist2, MuxStatus) {
        let estop = self.estop(now);
        let mut live: Vec<(u8, InputId, Twist2)> = InputId::ALL
            .into_iter()
            .filter_map(|id| {
                let slot = &self.slots[id.index()];
                slot.fresh(now).map(|t| (slot.priority, id, t))
            })
            .collect();
        live.sort_by_key(|l| std::cmp::Reverse(l.0));
        // A stale heartbeat has latched the lock by now; one never heard blocks without latching.
        let no_heartbeat = self.params.estop.require_heartbeat && !estop.heartbeat_ok;
        let chosen = if estop.engaged.is_some() || no_heartbeat {
            None
        } else {
            live.first().copied()
        };

        let dt = match self.last_out_at {
            Some(prev) => now.checked_sub(prev).unwrap_or_default().as_secs_f64(),
            None => 0.0,
        };
        // From standstill, the first step is one control period's worth, as a tick-based smoother
        // gives at its next tick: a command that arrives between ticks (or, in sim time, before the
        // clock moves) starts the robot at once instead of waiting for the tick. Once moving, growth
        // follows the elapsed time only, so a flood of commands cannot add steps.
        let dt = if self.last_out == Twist2::ZERO {
            dt.max(1.0 / self.params.rate_hz)
        } else {
            dt
        }
        .min(self.params.limits.max_step_s);
        let (out, limited) = match chosen {
            None => (Twist2::ZERO, false),
            Some((_, _, target)) => {
                let l = &self.params.limits;
                let v_cap = target.linear_x.clamp(-l.max_reverse_mps, l.max_linear_mps);
                let w_cap = target
                    .angular_z
                    .clamp(-l.max_angular_rps, l.max_angular_rps);
                let v = ramp(self.last_out.linear_x, v_cap, l.max_linear_accel_mps2 * dt);
                let w = ramp(
                    self.last_out.angular_z,
                    w_cap,
                    l.max_angular_accel_rps2 * dt,
                );
                let out = Twist2::new(v, w);
                (out, out != target)
            }
        };
        self.last_out = out;
        self.last_out_at = Some(now);
        let status = MuxStatus {
            active: chosen.map(|c| c.1),
            live: live.into_iter().map(|l| l.1).collect(),
            estop,
            limited,
        };
        (out, status)
    }
}

/// Move from `prev` toward `target`: growth in magnitude is limited to `step`, shrinking is immediate,
/// and a sign change first goes through zero.
fn ramp(prev: f64, target: f64, step: f64) -> f64 {
    let same_side = prev == 0.0 || prev.signum() == target.signum();
    let base = if same_side { prev } else { 0.0 };
    if target.abs() <= base.abs() {
        target
    } else {
        let grown = base.abs() + step;
        target.signum() * grown.min(target.abs())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    /// A mux with a fresh, unpressed heartbeat at t=0 and released, and generous acceleration.
    fn released() -> Mux {
        let mut p = MuxParams::default();
        p.limits.max_linear_accel_mps2 = 1000.0;
        p.limits.max_angular_accel_rps2 = 1000.0;
        let mut m = Mux::new(p).unwrap();
        m.feed_estop(false, ms(0));
        m.release(ms(0)).unwrap();
        // first output starts the acceleration clock
        assert_eq!(m.output(ms(0)).0, Twist2::ZERO);
        m
    }

    #[test]
    fn starts_latched_and_zero() {
        let mut m = Mux::new(MuxParams::default()).unwrap();
        m.feed_estop(false, ms(0));
        m.feed(InputId::Navigation, Twist2::new(0.3, 0.0), ms(0))
            .unwrap();
        let (out, st) = m.output(ms(10));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::Startup));
        assert_eq!(st.active, None);
        assert_eq!(st.live, vec![InputId::Navigation]);
    }

    #[test]
    fn highest_priority_live_input_wins() {
        let mut m = released();
        m.feed(InputId::Navigation, Twist2::new(0.3, 0.0), ms(0))
            .unwrap();
        m.feed(InputId::Greeting, Twist2::new(0.0, 0.5), ms(0))
            .unwrap();
        let (out, st) = m.output(ms(50));
        assert_eq!(st.active, Some(InputId::Greeting));
        assert_eq!(out, Twist2::new(0.0, 0.5));
        m.feed(InputId::ConsoleTeleop, Twist2::new(0.1, 0.0), ms(60))
            .unwrap();
        let (out, st) = m.output(ms(100));
        assert_eq!(st.active, Some(InputId::ConsoleTeleop));
        assert_eq!(out, Twist2::new(0.1, 0.0));
        assert_eq!(
            st.live,
            vec![
                InputId::ConsoleTeleop,
                InputId::Greeting,
                InputId::Navigation
            ]
        );
    }

    #[test]
    fn zero_from_higher_priority_still_holds_the_robot() {
        let mut m = released();
        m.feed(InputId::Navigation, Twist2::new(0.3, 0.0), ms(0))
            .unwrap();
        m.feed(InputId::ConsoleTeleop, Twist2::ZERO, ms(0)).unwrap();
        let (out, st) = m.output(ms(10));
        assert_eq!(st.active, Some(InputId::ConsoleTeleop));
        assert_eq!(out, Twist2::ZERO);
    }

    #[test]
    fn silent_input_times_out_and_lower_one_takes_over() {
        let mut m = released();
        m.feed_estop(false, ms(400));
        m.feed(InputId::Navigation, Twist2::new(0.3, 0.0), ms(400))
            .unwrap();
        m.feed(InputId::ConsoleTeleop, Twist2::new(0.1, 0.2), ms(0))
            .unwrap();
        let (_, st) = m.output(ms(500));
        assert_eq!(
            st.active,
            Some(InputId::ConsoleTeleop),
            "0.5 s old is still fresh"
        );
        let (out, st) = m.output(ms(501));
        assert_eq!(st.active, Some(InputId::Navigation));
        assert_eq!(out, Twist2::new(0.3, 0.0));
    }

    #[test]
    fn zero_when_every_input_is_silent() {
        let mut m = released();
        m.feed(InputId::KeyboardTeleop, Twist2::new(0.4, -0.4), ms(0))
            .unwrap();
        m.feed_estop(false, ms(900));
        let (out, _) = m.output(ms(100));
        assert_eq!(out, Twist2::new(0.4, -0.4));
        let (out, st) = m.output(ms(900));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.active, None);
        assert!(st.live.is_empty());
    }

    #[test]
    fn per_input_timeout_is_honoured() {
        let mut p = MuxParams::default();
        p.inputs.navigation.timeout_s = 2.0;
        p.estop.require_heartbeat = false;
        p.estop.start_latched = false;
        p.limits.max_linear_accel_mps2 = 100.0;
        let mut m = Mux::new(p).unwrap();
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(0))
            .unwrap();
        assert_eq!(m.output(ms(1900)).1.active, Some(InputId::Navigation));
        assert_eq!(m.output(ms(2100)).1.active, None);
    }

    #[test]
    fn heartbeat_loss_latches_and_needs_explicit_release() {
        let mut m = released();
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(0))
            .unwrap();
        assert!(!m.output(ms(100)).0.is_zero());
        // heartbeat last at 0; at 0.6 s it is stale
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(600))
            .unwrap();
        let (out, st) = m.output(ms(600));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::HeartbeatLost));
        assert!(!st.estop.heartbeat_ok);
        // release while the heartbeat is still missing is refused
        assert!(matches!(
            m.release(ms(650)),
            Err(MuxError::ReleaseRefused { .. })
        ));
        // heartbeat comes back: still latched until released
        m.feed_estop(false, ms(700));
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(700))
            .unwrap();
        let (out, st) = m.output(ms(710));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::HeartbeatLost));
        m.release(ms(720)).unwrap();
        let (out, st) = m.output(ms(730));
        assert_eq!(st.estop.engaged, None);
        assert_eq!(out, Twist2::new(0.2, 0.0));
    }

    #[test]
    fn a_heartbeat_never_heard_blocks_without_latching() {
        let mut p = MuxParams::default();
        p.estop.start_latched = false;
        p.limits.max_linear_accel_mps2 = 1000.0;
        let mut m = Mux::new(p).unwrap();
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(0))
            .unwrap();
        // No heartbeat yet, for longer than its timeout: nothing moves, nothing latches.
        let (out, st) = m.output(ms(2000));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.active, None);
        assert_eq!(st.estop.engaged, None);
        assert!(!st.estop.heartbeat_ok);
        // The first heartbeat lets the live input through without a release.
        m.feed_estop(false, ms(2010));
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(2010))
            .unwrap();
        let (out, st) = m.output(ms(2020));
        assert_eq!(st.active, Some(InputId::Navigation));
        assert_eq!(out, Twist2::new(0.2, 0.0));
        // Once heard, losing it latches.
        let (out, st) = m.output(ms(2600));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::HeartbeatLost));
    }

    #[test]
    fn pressed_estop_latches_and_release_refused_while_pressed() {
        let mut m = released();
        m.feed(InputId::ConsoleTeleop, Twist2::new(0.2, 0.0), ms(0))
            .unwrap();
        m.feed_estop(true, ms(10));
        let (out, st) = m.output(ms(20));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::Pressed));
        assert!(m.release(ms(30)).is_err());
        m.feed_estop(false, ms(40));
        assert_eq!(
            m.output(ms(45)).1.estop.engaged,
            Some(EstopReason::Pressed),
            "unpressing does not release"
        );
        m.release(ms(50)).unwrap();
        m.feed(InputId::ConsoleTeleop, Twist2::new(0.2, 0.0), ms(50))
            .unwrap();
        assert_eq!(m.output(ms(60)).0, Twist2::new(0.2, 0.0));
    }

    #[test]
    fn operator_engage_stops_immediately_even_at_speed() {
        let mut m = released();
        m.feed(InputId::ConsoleTeleop, Twist2::new(0.5, 1.0), ms(0))
            .unwrap();
        assert_eq!(m.output(ms(10)).0, Twist2::new(0.5, 1.0));
        m.engage(ms(20));
        let (out, st) = m.output(ms(20));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.estop.engaged, Some(EstopReason::Operator));
        assert_eq!(st.active, None);
    }

    #[test]
    fn velocity_limits_clamp_each_direction() {
        let mut m = released();
        m.feed(InputId::Navigation, Twist2::new(3.0, -9.0), ms(0))
            .unwrap();
        let (out, st) = m.output(ms(10));
        assert_eq!(out, Twist2::new(0.5, -1.0));
        assert!(st.limited);
        m.feed(InputId::Navigation, Twist2::new(-3.0, 9.0), ms(20))
            .unwrap();
        let (out, _) = m.output(ms(30));
        assert_eq!(out, Twist2::new(-0.2, 1.0));
    }

    #[test]
    fn acceleration_is_limited_but_braking_is_not() {
        let mut p = MuxParams::default();
        p.estop.require_heartbeat = false;
        p.estop.start_latched = false;
        let mut m = Mux::new(p).unwrap(); // 0.6 m/s², 2 rad/s², max step 0.1 s
        m.feed(InputId::Navigation, Twist2::new(0.5, 1.0), ms(0))
            .unwrap();
        // From standstill: one control period's worth (20 Hz) at once, with no elapsed time.
        let (out, st) = m.output(ms(0));
        assert!((out.linear_x - 0.03).abs() < 1e-9, "{out:?}");
        assert!((out.angular_z - 0.1).abs() < 1e-9, "{out:?}");
        assert!(st.limited);
        // Once moving, more commands at the same instant add nothing.
        for _ in 0..10 {
            m.feed(InputId::Navigation, Twist2::new(0.5, 1.0), ms(0))
                .unwrap();
            let (again, _) = m.output(ms(0));
            assert_eq!(again, out, "a flood must not add steps");
        }
        let (out, _) = m.output(ms(100));
        assert!((out.linear_x - 0.09).abs() < 1e-9, "{out:?}");
        assert!((out.angular_z - 0.3).abs() < 1e-9, "{out:?}");
        // a late call (1 s) is capped at max_step_s
        m.feed(InputId::Navigation, Twist2::new(0.5, 1.0), ms(1000))
            .unwrap();
        let (out, _) = m.output(ms(1100));
        assert!((out.linear_x - 0.15).abs() < 1e-9, "{out:?}");
        // slowing down is immediate
        m.feed(InputId::Navigation, Twist2::new(0.01, 0.0), ms(1150))
            .unwrap();
        let (out, _) = m.output(ms(1160));
        assert_eq!(out, Twist2::new(0.01, 0.0));
    }

    #[test]
    fn reversing_goes_through_zero() {
        assert_eq!(ramp(0.4, -0.4, 0.1), -0.1);
        assert_eq!(ramp(-0.4, 0.05, 0.1), 0.05);
        assert_eq!(ramp(0.0, 0.3, 0.1), 0.1);
        assert_eq!(ramp(0.2, 0.25, 0.1), 0.25);
        assert_eq!(ramp(0.2, 0.1, 0.0), 0.1);
    }

    #[test]
    fn non_finite_command_refused_and_does_not_refresh() {
        let mut m = released();
        m.feed_estop(false, ms(550));
        m.feed(InputId::Navigation, Twist2::new(0.2, 0.0), ms(0))
            .unwrap();
        let err = m
            .feed(InputId::Navigation, Twist2::new(f64::NAN, 0.0), ms(400))
            .unwrap_err();
        assert!(err.to_string().contains("linear_x"), "{err}");
        assert!(m
            .feed(InputId::Greeting, Twist2::new(0.0, f64::INFINITY), ms(400))
            .is_err());
        let (out, st) = m.output(ms(600));
        assert_eq!(out, Twist2::ZERO);
        assert_eq!(st.active, None);
    }

    #[test]
    fn time_going_backwards_does_not_panic_or_jump() {
        let mut p = MuxParams::default();
        p.estop.require_heartbeat = false;
        p.estop.start_latched = false;
        let mut m = Mux::new(p).unwrap();
        m.feed(InputId::Navigation, Twist2::new(0.5, 0.0), ms(1000))
            .unwrap();
        let (first, _) = m.output(ms(1000));
        assert!(
            first.linear_x > 0.0 && first.linear_x <= 0.03 + 1e-9,
            "{first:?}"
        );
        // time going back counts as no time: no growth, no panic
        let (out, _) = m.output(ms(500));
        assert_eq!(out, first);
    }

    #[test]
    fn input_names_round_trip() {
        for id in InputId::ALL {
            assert_eq!(InputId::parse(id.as_str()), Some(id));
        }
        assert_eq!(InputId::parse("joystick"), None);
    }

    #[test]
    fn teleop_inputs_are_the_operators() {
        let teleop: Vec<InputId> = InputId::ALL.into_iter().filter(|i| i.is_teleop()).collect();
        assert_eq!(teleop, [InputId::ConsoleTeleop, InputId::KeyboardTeleop]);
        assert!(InputId::is_teleop_name("console_teleop"));
        assert!(InputId::is_teleop_name("keyboard_teleop"));
        for other in ["navigation", "greeting", "", "teleop", "Console_teleop"] {
            assert!(!InputId::is_teleop_name(other), "{other}");
        }
    }
}
