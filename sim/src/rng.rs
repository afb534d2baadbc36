//! Seeded randomness: one independent ChaCha stream per subsystem, so turning a sensor on or
//! off never changes what the people or the odometry do.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random stream with a Gaussian sampler (Box–Muller; no extra dependency).
#[derive(Debug, Clone)]
pub struct SimRng {
    rng: ChaCha8Rng,
}

impl SimRng {
    /// Stream `stream` of run `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self { rng }
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.rng.gen::<f64>()
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal sample times `std`.
    pub fn gaussian(&mut self, std: f64) -> f64 {
        if std <= 0.0 {
            return 0.0;
        }
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        std * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}
