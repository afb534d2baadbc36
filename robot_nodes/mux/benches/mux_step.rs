//! One control step of the mux: feed a command and a heartbeat, compute the output.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use letan_mux::keys::KeyTeleop;
use letan_mux::{InputId, Mux, MuxParams, Twist2};
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut mux = Mux::new(MuxParams::default()).unwrap_or_else(|e| panic!("{e}"));
    mux.feed_estop(false, Duration::ZERO);
    let _ = mux.release(Duration::ZERO);
    let mut t = 0u64;
    c.bench_function("mux_feed_and_output", |b| {
        b.iter(|| {
            t += 50;
            let now = Duration::from_millis(t);
            mux.feed_estop(false, now);
            let _ = mux.feed(InputId::Navigation, Twist2::new(0.3, 0.1), now);
            let _ = mux.feed(InputId::ConsoleTeleop, Twist2::new(0.2, -0.2), now);
            black_box(mux.output(black_box(now)))
        })
    });
    let mut keys = KeyTeleop::new(0.2, 0.5, 0.5, 1.0, Duration::from_millis(600));
    c.bench_function("key_teleop_press_and_twist", |b| {
        b.iter(|| {
            t += 50;
            let now = Duration::from_millis(t);
            keys.press(black_box('w'), now);
            black_box(keys.twist(now))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
