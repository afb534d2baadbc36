//! `letan teleop`: keyboard teleop in the terminal over DDS, like `teleop_twist_keyboard`.
//! Hold a key to move (auto-repeat, or key-release events on terminals that report them); when keys stop
//! arriving for the deadman delay the command goes to zero, a few zeros are sent, and the topic falls
//! silent so the mux times this input out. The key → twist logic is `letan_mux::keys` (pure, tested).
#![allow(clippy::disallowed_methods)] // the command line's edge: it times, paces and rates in wall time
use anyhow::{Context, Result};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use letan_mux::keys::KeyTeleop;
use letan_transport::msgs::geometry_msgs::Twist;
use letan_transport::{Context as RosContext, Qos};
use std::io::Write;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Topic to publish geometry_msgs/Twist on (the mux's keyboard input).
    #[arg(long, default_value = "/cmd_vel_teleop_keyboard")]
    topic: String,
    /// Start forward speed (m/s).
    #[arg(long, default_value_t = 0.2)]
    speed: f64,
    /// Start turn rate (rad/s).
    #[arg(long, default_value_t = 0.5)]
    turn: f64,
    /// Caps for + / - scaling (m/s, rad/s).
    #[arg(long, default_value_t = 0.5)]
    max_speed: f64,
    #[arg(long, default_value_t = 1.0)]
    max_turn: f64,
    /// Stop when no key press arrives for this long (s). Terminal auto-repeat starts after ~0.5 s.
    #[arg(long, default_value_t = 0.6)]
    deadman: f64,
    /// Publish rate while moving (Hz).
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
}

const HELP: &str = "Letan keyboard teleop - hold a key to move, release to stop\r\n\
\r\n   u i o      q w e     i/w forward, ,/s back, j/a left, l/d right\r\n   \
j k l      a s d     u o m . (q e z c) arcs; k x space: stop\r\n   \
m , .      z x c     +/- all speeds 10%, 1/2 linear, 3/4 angular\r\n\
\r\nEsc or Ctrl-C to quit.\r\n";

/// The character a key event stands for, if any.
fn key_char(code: KeyCode) -> Option<char> {
    match code {
        KeyCode::Char(c) => Some(c),
        KeyCode::Up => Some('i'),
        KeyCode::Down => Some(','),
        KeyCode::Left => Some('j'),
        KeyCode::Right => Some('l'),
        _ => None,
    }
}

/// Restores the terminal on every exit path.
struct RawMode {
    enhanced: bool,
}

impl RawMode {
    fn enter() -> Result<Self> {
        crossterm::terminal::enable_raw_mode()
            .context("switching the terminal to raw mode (is this a terminal?)")?;
        let enhanced = matches!(
            crossterm::terminal::supports_keyboard_enhancement(),
            Ok(true)
        ) && crossterm::execute!(
            std::io::stdout(),
            event::PushKeyboardEnhancementFlags(
                event::KeyboardEnhancementFlags::REPORT_EVENT_TYPES
            )
        )
        .is_ok();
        Ok(RawMode { enhanced })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if self.enhanced {
            let _ = crossterm::execute!(std::io::stdout(), event::PopKeyboardEnhancementFlags);
        }
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

pub fn run(args: Args) -> Result<()> {
    if !(args.deadman.is_finite()
        && args.deadman > 0.0
        && args.rate.is_finite()
        && args.rate > 0.0
        && args.rate <= 100.0)
    {
        anyhow::bail!("--deadman must be > 0 s and --rate in (0, 100] Hz");
    }
    let rt = super::topic::runtime()?;
    rt.block_on(async move {
        let ctx = RosContext::dds_from_env().context("joining the ROS 2 domain")?;
        let node = ctx
            .node(&format!("letan_teleop_{}", std::process::id()), "/")
            .context("creating the teleop node")?;
        let publisher = node
            .publisher::<Twist>(&args.topic, Qos::commands())
            .with_context(|| format!("advertising {}", args.topic))?;
        tokio::task::spawn_blocking(move || {
            key_loop(&args, |t: letan_mux::Twist2| {
                publisher
                    .publish(Twist::planar(t.linear_x, t.angular_z))
                    .map_err(anyhow::Error::from)
            })
        })
        .await
        .context("teleop loop")?
    })
}

fn key_loop(args: &Args, mut publish: impl FnMut(letan_mux::Twist2) -> Result<()>) -> Result<()> {
    let mut teleop = KeyTeleop::new(
        args.speed,
        args.turn,
        args.max_speed,
        args.max_turn,
        Duration::from_secs_f64(args.deadman),
    );
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let start = Instant::now();
    let _raw = RawMode::enter()?;
    let mut out = std::io::stdout();
    write!(out, "{HELP}publishing on {}\r\n", args.topic)?;
    out.flush()?;
    let mut next_pub = Instant::now();
    let mut zeros_left = 0u32;
    let mut last_line = String::new();
    loop {
        let wait = next_pub.saturating_duration_since(Instant::now());
        if event::poll(wait).context("reading the keyboard")? {
            if let Event::Key(k) = event::read().context("reading the keyboard")? {
                let quit = k.code == KeyCode::Esc
                    || (k.modifiers.contains(KeyModifiers::CONTROL)
                        && matches!(k.code, KeyCode::Char('c' | 'd')));
                if quit {
                    break;
                }
                if let Some(c) = key_char(k.code) {
                    match k.kind {
                        KeyEventKind::Press | KeyEventKind::Repeat => {
                            teleop.press(c, start.elapsed());
                        }
                        KeyEventKind::Release => teleop.release(c),
                    }
                }
            }
            continue;
        }
        next_pub += period;
        let twist = teleop.twist(start.elapsed());
        if !twist.is_zero() {
            publish(twist)?;
            zeros_left = 3;
        } else if zeros_left > 0 {
            publish(twist)?;
            zeros_left -= 1;
        }
        let (s, t) = teleop.speeds();
        let line = format!(
            "speed {s:.2} m/s  turn {t:.2} rad/s  now v={:+.2} w={:+.2}",
            twist.linear_x, twist.angular_z
        );
        if line != last_line {
            write!(out, "\r{line}   ")?;
            out.flush()?;
            last_line = line;
        }
    }
    teleop.stop();
    for _ in 0..3 {
        publish(letan_mux::Twist2::ZERO)?;
    }
    write!(out, "\r\nstopped\r\n")?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn arrows_map_to_the_ijkl_keys() {
        assert_eq!(key_char(KeyCode::Up), Some('i'));
        assert_eq!(key_char(KeyCode::Down), Some(','));
        assert_eq!(key_char(KeyCode::Left), Some('j'));
        assert_eq!(key_char(KeyCode::Right), Some('l'));
        assert_eq!(key_char(KeyCode::Char('w')), Some('w'));
        assert_eq!(key_char(KeyCode::Enter), None);
    }
}
