//! Key → twist logic of `letan teleop` (like `teleop_twist_keyboard`), pure and time-injected.
//!
//! Hold to move: each key press (or terminal auto-repeat) refreshes the command; when no press arrives
//! for `deadman` (or a key-release event arrives, on terminals that report them) the command is zero.
//!
//! Layout (both work):
//! ```text
//!   u i o        q w e        i/w forward, ,/s backward, j/a turn left, l/d turn right
//!   j k l        a s d        u/q o/e forward arcs, m/z ./c backward arcs
//!   m , .        z x c        k, x, space: stop now
//! ```
//! `+`/`-` scale both speeds by 10 %, `1`/`2` linear only, `3`/`4` angular only.
use crate::Twist2;
use std::time::Duration;

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyAction {
    /// Move: multiply (linear speed, angular speed) by these signs while held.
    Move {
        /// -1, 0 or 1.
        linear: f64,
        /// -1, 0 or 1 (positive = turn left, counter-clockwise).
        angular: f64,
    },
    /// Stop immediately.
    Stop,
    /// Multiply speeds by factors (linear, angular).
    Scale {
        /// Factor on the linear speed.
        linear: f64,
        /// Factor on the angular speed.
        angular: f64,
    },
}

/// Map a typed character to its action (case-insensitive); `None` for keys without one.
pub fn key_action(c: char) -> Option<KeyAction> {
    let mv = |linear: f64, angular: f64| Some(KeyAction::Move { linear, angular });
    match c.to_ascii_lowercase() {
        'i' | 'w' => mv(1.0, 0.0),
        ',' | 's' => mv(-1.0, 0.0),
        'j' | 'a' => mv(0.0, 1.0),
        'l' | 'd' => mv(0.0, -1.0),
        'u' | 'q' => mv(1.0, 1.0),
        'o' | 'e' => mv(1.0, -1.0),
        // reversing arcs as in teleop_twist_keyboard: m turns so the back swings left
        'm' | 'z' => mv(-1.0, -1.0),
        '.' | 'c' => mv(-1.0, 1.0),
        'k' | 'x' | ' ' => Some(KeyAction::Stop),
        '+' => Some(KeyAction::Scale {
            linear: 1.1,
            angular: 1.1,
        }),
        '-' => Some(KeyAction::Scale {
            linear: 0.9,
            angular: 0.9,
        }),
        '1' => Some(KeyAction::Scale {
            linear: 1.1,
            angular: 1.0,
        }),
        '2' => Some(KeyAction::Scale {
            linear: 0.9,
            angular: 1.0,
        }),
        '3' => Some(KeyAction::Scale {
            linear: 1.0,
            angular: 1.1,
        }),
        '4' => Some(KeyAction::Scale {
            linear: 1.0,
            angular: 0.9,
        }),
        _ => None,
    }
}

/// Keyboard teleop state.
#[derive(Clone, Debug)]
pub struct KeyTeleop {
    linear_speed: f64,
    angular_speed: f64,
    max_linear: f64,
    max_angular: f64,
    deadman: Duration,
    held: Option<(f64, f64, Duration)>,
}

impl KeyTeleop {
    /// Start speeds (m/s, rad/s), caps for scaling, and the deadman delay. Non-finite or negative values
    /// are replaced by safe ones (0.2 m/s, 0.5 rad/s).
    pub fn new(
        linear_speed: f64,
        angular_speed: f64,
        max_linear: f64,
        max_angular: f64,
        deadman: Duration,
    ) -> Self {
        let sane = |v: f64, d: f64| if v.is_finite() && v >= 0.0 { v } else { d };
        let max_linear = sane(max_linear, 0.5);
        let max_angular = sane(max_angular, 1.0);
        KeyTeleop {
            linear_speed: sane(linear_speed, 0.2).min(max_linear),
            angular_speed: sane(angular_speed, 0.5).min(max_angular),
            max_linear,
            max_angular,
            deadman,
            held: None,
        }
    }

    /// Current (linear, angular) speeds.
    pub fn speeds(&self) -> (f64, f64) {
        (self.linear_speed, self.angular_speed)
    }

    /// A key was pressed (or auto-repeated) at `now`. Returns the action taken, if any.
    pub fn press(&mut self, c: char, now: Duration) -> Option<KeyAction> {
        let action = key_action(c)?;
        match action {
            KeyAction::Move { linear, angular } => self.held = Some((linear, angular, now)),
            KeyAction::Stop => self.held = None,
            KeyAction::Scale { linear, angular } => {
                self.linear_speed = (self.linear_speed * linear).min(self.max_linear);
                self.angular_speed = (self.angular_speed * angular).min(self.max_angular);
            }
        }
        Some(action)
    }

    /// A key-release event (terminals with the kitty keyboard protocol report them): stop if that key
    /// was the one moving the robot.
    pub fn release(&mut self, c: char) {
        if let (Some(KeyAction::Move { linear, angular }), Some((l, a, _))) =
            (key_action(c), self.held)
        {
            if linear == l && angular == a {
                self.held = None;
            }
        }
    }

    /// Stop now (focus lost, quit).
    pub fn stop(&mut self) {
        self.held = None;
    }

    /// The command at `now`: zero once the deadman delay has passed since the last press.
    pub fn twist(&self, now: Duration) -> Twist2 {
        match self.held {
            Some((l, a, at)) if now.checked_sub(at).unwrap_or_default() <= self.deadman => {
                Twist2::new(l * self.linear_speed, a * self.angular_speed)
            }
            _ => Twist2::ZERO,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn teleop() -> KeyTeleop {
        KeyTeleop::new(0.2, 0.5, 0.5, 1.0, ms(600))
    }

    #[test]
    fn hold_to_move_then_deadman_stops() {
        let mut t = teleop();
        assert_eq!(t.twist(ms(0)), Twist2::ZERO);
        t.press('w', ms(0));
        assert_eq!(t.twist(ms(100)), Twist2::new(0.2, 0.0));
        // auto-repeat keeps it going
        t.press('w', ms(500));
        assert_eq!(t.twist(ms(1000)), Twist2::new(0.2, 0.0));
        assert_eq!(t.twist(ms(1101)), Twist2::ZERO);
    }

    #[test]
    fn both_layouts_and_arcs() {
        let mut t = teleop();
        for (c, want) in [
            ('i', Twist2::new(0.2, 0.0)),
            ('A', Twist2::new(0.0, 0.5)),
            ('l', Twist2::new(0.0, -0.5)),
            ('u', Twist2::new(0.2, 0.5)),
            ('e', Twist2::new(0.2, -0.5)),
            (',', Twist2::new(-0.2, 0.0)),
            ('m', Twist2::new(-0.2, -0.5)),
            ('.', Twist2::new(-0.2, 0.5)),
        ] {
            t.press(c, ms(0));
            assert_eq!(t.twist(ms(1)), want, "key {c:?}");
        }
    }

    #[test]
    fn stop_key_and_release_stop_immediately() {
        let mut t = teleop();
        t.press('w', ms(0));
        t.press(' ', ms(10));
        assert_eq!(t.twist(ms(11)), Twist2::ZERO);
        t.press('d', ms(20));
        t.release('w'); // not the held key
        assert_eq!(t.twist(ms(21)), Twist2::new(0.0, -0.5));
        t.release('D');
        assert_eq!(t.twist(ms(22)), Twist2::ZERO);
    }

    #[test]
    fn scaling_is_capped() {
        let mut t = teleop();
        for _ in 0..50 {
            t.press('+', ms(0));
        }
        assert_eq!(t.speeds(), (0.5, 1.0));
        t.press('2', ms(0));
        assert!((t.speeds().0 - 0.45).abs() < 1e-9);
        assert_eq!(t.speeds().1, 1.0);
        assert_eq!(t.press('?', ms(0)), None);
    }

    #[test]
    fn insane_construction_values_fall_back() {
        let t = KeyTeleop::new(f64::NAN, -1.0, f64::INFINITY, 2.0, ms(500));
        assert_eq!(t.speeds(), (0.2, 0.5));
    }
}
