//! Property-style test: random feeds, heartbeats, presses, releases and call times (seeded). At every
//! output: limits hold, and the output is zero whenever no input is fresh or the e-stop is engaged.
#![allow(clippy::unwrap_used)]
use letan_mux::{InputId, Mux, MuxParams, Twist2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

fn check_run(seed: u64, params: MuxParams) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let l = params.limits.clone();
    let timeouts: Vec<(InputId, f64)> = InputId::ALL
        .iter()
        .map(|&id| {
            let p = match id {
                InputId::Navigation => &params.inputs.navigation,
                InputId::Greeting => &params.inputs.greeting,
                InputId::ConsoleTeleop => &params.inputs.console_teleop,
                InputId::KeyboardTeleop => &params.inputs.keyboard_teleop,
            };
            (id, p.timeout_s)
        })
        .collect();
    let mut mux = Mux::new(params).unwrap();
    let mut last_fed: Vec<Option<f64>> = vec![None; 4];
    let mut t = 0.0_f64;
    let mut prev = Twist2::ZERO;
    let mut prev_t: Option<f64> = None;
    let mut nonzero_seen = 0;
    for _ in 0..4000 {
        t += rng.gen_range(0.0..0.15);
        let now = Duration::from_secs_f64(t);
        match rng.gen_range(0..10) {
            0..=4 => {
                let i = rng.gen_range(0..4);
                let twist = Twist2::new(rng.gen_range(-3.0..3.0), rng.gen_range(-5.0..5.0));
                mux.feed(InputId::ALL[i], twist, now).unwrap();
                last_fed[i] = Some(t);
            }
            5 | 6 => mux.feed_estop(rng.gen_bool(0.05), now),
            7 => {
                let _ = mux.release(now);
            }
            8 if rng.gen_bool(0.05) => mux.engage(now),
            _ => {}
        }
        let (out, status) = mux.output(now);
        // velocity limits
        assert!(
            out.linear_x <= l.max_linear_mps + 1e-12,
            "seed {seed} t {t}: {out:?}"
        );
        assert!(
            out.linear_x >= -l.max_reverse_mps - 1e-12,
            "seed {seed} t {t}: {out:?}"
        );
        assert!(
            out.angular_z.abs() <= l.max_angular_rps + 1e-12,
            "seed {seed} t {t}: {out:?}"
        );
        // acceleration limits: growth of magnitude per step (sign changes pass through zero); from
        // standstill the first step may be one control period's worth, as a 20 Hz tick would give
        let elapsed = prev_t.map_or(0.0, |p| (t - p).max(0.0));
        let period = 1.0 / mux.params().rate_hz;
        let dt = if prev == Twist2::ZERO {
            elapsed.max(period)
        } else {
            elapsed
        }
        .min(l.max_step_s);
        let grow = |a: f64, b: f64| {
            if a * b < 0.0 {
                b.abs()
            } else {
                (b.abs() - a.abs()).max(0.0)
            }
        };
        assert!(
            grow(prev.linear_x, out.linear_x) <= l.max_linear_accel_mps2 * dt + 1e-6,
            "seed {seed} t {t} dt {dt}: {prev:?} -> {out:?}"
        );
        assert!(
            grow(prev.angular_z, out.angular_z) <= l.max_angular_accel_rps2 * dt + 1e-6,
            "seed {seed} t {t} dt {dt}: {prev:?} -> {out:?}"
        );
        // zero whenever no input is fresh (computed independently of the mux)
        let any_fresh = timeouts
            .iter()
            .enumerate()
            .any(|(i, (_, to))| last_fed[i].is_some_and(|f| t - f <= *to + 1e-9));
        if !any_fresh {
            assert_eq!(out, Twist2::ZERO, "seed {seed} t {t}: no input fresh");
            assert_eq!(status.active, None);
        }
        if status.estop.engaged.is_some() {
            assert_eq!(out, Twist2::ZERO, "seed {seed} t {t}: e-stop engaged");
            assert_eq!(status.active, None);
        }
        if status.active.is_none() {
            assert_eq!(out, Twist2::ZERO);
        }
        if !out.is_zero() {
            nonzero_seen += 1;
        }
        prev = out;
        prev_t = Some(t);
    }
    assert!(
        nonzero_seen > 50,
        "seed {seed}: the run must actually drive ({nonzero_seen} nonzero outputs)"
    );
}

#[test]
fn output_never_exceeds_limits_and_is_zero_without_fresh_input() {
    for seed in 0..40 {
        check_run(seed, MuxParams::default());
    }
}

#[test]
fn same_property_with_tight_limits_and_mixed_timeouts() {
    let mut p = MuxParams::default();
    p.limits.max_linear_mps = 0.1;
    p.limits.max_reverse_mps = 0.0;
    p.limits.max_angular_rps = 0.3;
    p.limits.max_linear_accel_mps2 = 0.2;
    p.inputs.greeting.timeout_s = 0.05;
    p.inputs.navigation.timeout_s = 1.5;
    for seed in 100..130 {
        check_run(seed, p.clone());
    }
}
