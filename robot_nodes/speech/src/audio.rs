//! Audio buffers and format handling: i16/f32 conversion, channel downmix, sanitising, resampling.
//!
//! Everything here is pure: samples in, samples out. Odd input (empty, one sample, NaN, clipped,
//! any sample rate, any channel count) is handled without panicking.

use crate::error::SpeechError;

/// The sample rate the recognizers and the endpointer work at.
pub const ASR_SAMPLE_RATE: u32 = 16_000;

/// Lowest and highest sample rates accepted (telephone 8 kHz up to studio 192 kHz, with margin).
pub const MIN_SAMPLE_RATE: u32 = 4_000;
/// See [`MIN_SAMPLE_RATE`].
pub const MAX_SAMPLE_RATE: u32 = 384_000;

/// Mono audio as f32 samples in [-1, 1] at a given rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Samples in [-1, 1].
    pub samples: Vec<f32>,
    /// Samples per second.
    pub sample_rate: u32,
}

impl Audio {
    /// Builds mono audio, checking the sample rate and sanitising the samples (NaN/inf → 0, clamp to [-1, 1]).
    pub fn new(mut samples: Vec<f32>, sample_rate: u32) -> Result<Self, SpeechError> {
        check_rate(sample_rate)?;
        sanitize(&mut samples);
        Ok(Self {
            samples,
            sample_rate,
        })
    }

    /// Builds mono audio from interleaved frames with `channels` channels (averaged).
    pub fn from_interleaved(
        interleaved: &[f32],
        channels: u16,
        sample_rate: u32,
    ) -> Result<Self, SpeechError> {
        Self::new(downmix(interleaved, channels)?, sample_rate)
    }

    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }

    /// The same audio at another rate.
    pub fn resampled(&self, to_rate: u32) -> Result<Self, SpeechError> {
        Ok(Self {
            samples: resample(&self.samples, self.sample_rate, to_rate)?,
            sample_rate: to_rate,
        })
    }

    /// 16-bit samples (rounded, saturated).
    pub fn to_i16(&self) -> Vec<i16> {
        f32_to_i16(&self.samples)
    }

    /// Root-mean-square level in dBFS (−∞ → −120 for silence/empty).
    pub fn rms_dbfs(&self) -> f32 {
        rms_dbfs(&self.samples)
    }
}

/// Checks a sample rate is within [`MIN_SAMPLE_RATE`, `MAX_SAMPLE_RATE`].
pub fn check_rate(sample_rate: u32) -> Result<(), SpeechError> {
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
        return Err(SpeechError::BadSampleRate {
            rate: sample_rate,
            min: MIN_SAMPLE_RATE,
            max: MAX_SAMPLE_RATE,
        });
    }
    Ok(())
}

/// Replaces NaN and infinities with 0 and clamps to [-1, 1]. Returns how many samples were changed.
pub fn sanitize(samples: &mut [f32]) -> usize {
    let mut changed = 0;
    for s in samples.iter_mut() {
        if !s.is_finite() {
            *s = 0.0;
            changed += 1;
        } else if *s > 1.0 {
            *s = 1.0;
            changed += 1;
        } else if *s < -1.0 {
            *s = -1.0;
            changed += 1;
        }
    }
    changed
}

/// i16 → f32 in [-1, 1) (divides by 32768).
pub fn i16_to_f32(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|&s| f32::from(s) / 32768.0).collect()
}

/// f32 → i16, scaling by 32767, rounding and saturating; NaN becomes 0.
pub fn f32_to_i16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&s| {
            if s.is_nan() {
                0
            } else {
                // `as` saturates for floats out of range.
                (s.clamp(-1.0, 1.0) * 32767.0).round() as i16
            }
        })
        .collect()
}

/// Averages interleaved frames of `channels` channels to mono. A trailing partial frame is dropped.
pub fn downmix(interleaved: &[f32], channels: u16) -> Result<Vec<f32>, SpeechError> {
    match channels {
        0 => Err(SpeechError::BadChannels { channels }),
        1 => Ok(interleaved.to_vec()),
        n => {
            let n = usize::from(n);
            let scale = 1.0 / n as f32;
            Ok(interleaved
                .chunks_exact(n)
                .map(|frame| {
                    // NaN in one channel must not poison the frame: count it as 0.
                    frame
                        .iter()
                        .map(|s| if s.is_finite() { *s } else { 0.0 })
                        .sum::<f32>()
                        * scale
                })
                .collect())
        }
    }
}

/// RMS level in dBFS, floored at −120 dB.
pub fn rms_dbfs(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return -120.0;
    }
    let energy: f64 = samples
        .iter()
        .map(|&s| {
            let s = if s.is_finite() { f64::from(s) } else { 0.0 };
            s * s
        })
        .sum::<f64>()
        / samples.len() as f64;
    let db = 10.0 * energy.max(1e-12).log10();
    (db as f32).max(-120.0)
}

/// Half-width of the windowed-sinc kernel, in input samples at the lower of the two rates.
const SINC_HALF_TAPS: usize = 16;
/// Number of fractional phases tabulated for the kernel.
const SINC_PHASES: usize = 256;

/// Band-limited resampler from one fixed rate to another (windowed sinc, Blackman window,
/// cut-off at 0.45 × the lower rate). Build it once, then call [`Resampler::process`] on whole
/// buffers; it is pure and stateless between calls.
#[derive(Debug, Clone)]
pub struct Resampler {
    from: u32,
    to: u32,
    /// Kernel half-width in input samples.
    half: usize,
    /// `SINC_PHASES + 1` rows of `2 * half` taps each, row p is for fractional offset p / SINC_PHASES.
    table: Vec<f32>,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz.
    pub fn new(from: u32, to: u32) -> Result<Self, SpeechError> {
        check_rate(from)?;
        check_rate(to)?;
        // Cut-off relative to the input rate: below both Nyquist frequencies.
        let ratio = f64::from(to) / f64::from(from);
        // Cut-off in cycles per input sample: 0.45 × the lower rate.
        let cutoff = 0.45 * ratio.min(1.0);
        // When downsampling, the kernel widens in input samples to keep the same number of zero crossings.
        let half = ((SINC_HALF_TAPS as f64) / ratio.min(1.0)).ceil() as usize;
        let taps = 2 * half;
        let mut table = Vec::with_capacity((SINC_PHASES + 1) * taps);
        for p in 0..=SINC_PHASES {
            let frac = p as f64 / SINC_PHASES as f64;
            let mut row = Vec::with_capacity(taps);
            let mut sum = 0.0;
            for k in 0..taps {
                // Tap k sits at input index floor(t) - half + 1 + k; distance from t:
                let x = (k as f64) - (half as f64 - 1.0) - frac;
                let sinc = if x.abs() < 1e-9 {
                    1.0
                } else {
                    let a = 2.0 * std::f64::consts::PI * cutoff * x;
                    a.sin() / a
                };
                // Blackman window over [-half, half].
                let w_pos = (x + half as f64) / (2.0 * half as f64);
                let w = if (0.0..=1.0).contains(&w_pos) {
                    let tau = 2.0 * std::f64::consts::PI * w_pos;
                    0.42 - 0.5 * tau.cos() + 0.08 * (2.0 * tau).cos()
                } else {
                    0.0
                };
                let v = sinc * w;
                sum += v;
                row.push(v);
            }
            // Normalise DC gain to exactly 1 for every phase.
            let norm = if sum.abs() > 1e-12 { 1.0 / sum } else { 0.0 };
            table.extend(row.into_iter().map(|v| (v * norm) as f32));
        }
        Ok(Self {
            from,
            to,
            half,
            table,
        })
    }

    /// Input rate in Hz.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// Output rate in Hz.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// Number of output samples produced for `n` input samples.
    pub fn output_len(&self, n: usize) -> usize {
        ((n as u128 * u128::from(self.to)) / u128::from(self.from)) as usize
    }

    /// Resamples a whole buffer. Samples outside the buffer are taken as 0.
    pub fn process(&self, input: &[f32]) -> Vec<f32> {
        if self.from == self.to {
            return input.to_vec();
        }
        let out_len = self.output_len(input.len());
        let taps = 2 * self.half;
        let mut out = Vec::with_capacity(out_len);
        let step = f64::from(self.from) / f64::from(self.to);
        let n = input.len() as isize;
        for j in 0..out_len {
            let t = j as f64 * step;
            let base = t.floor();
            let frac = t - base;
            let phase = (frac * SINC_PHASES as f64).round() as usize;
            let row = &self.table[phase * taps..(phase + 1) * taps];
            let first = base as isize - self.half as isize + 1;
            let mut acc = 0.0f32;
            if first >= 0 && first + taps as isize <= n {
                let start = first as usize;
                let window = &input[start..start + taps];
                for (w, x) in row.iter().zip(window) {
                    acc += w * x;
                }
            } else {
                for (k, w) in row.iter().enumerate() {
                    let idx = first + k as isize;
                    if idx >= 0 && idx < n {
                        acc += w * input[idx as usize];
                    }
                }
            }
            out.push(acc);
        }
        out
    }
}

/// Streaming form of [`Resampler`] for live audio that arrives in chunks (microphone, topic):
/// it keeps the kernel's history between chunks, so the output equals resampling the whole
/// stream at once (up to the last `half` input samples, held back until more input arrives).
#[derive(Debug, Clone)]
pub struct StreamResampler {
    r: Resampler,
    /// Input not yet fully used, starting at absolute input index `base`.
    buf: Vec<f32>,
    base: u64,
    /// Next output sample index.
    next_out: u64,
}

impl StreamResampler {
    /// A streaming resampler from `from` Hz to `to` Hz.
    pub fn new(from: u32, to: u32) -> Result<Self, SpeechError> {
        let r = Resampler::new(from, to)?;
        // Start with `half` zeros of history so the first outputs see zeros before the stream.
        let half = r.half;
        Ok(Self {
            r,
            buf: vec![0.0; half],
            base: 0,
            next_out: 0,
        })
    }

    /// Feeds a chunk and returns the output samples it completes.
    pub fn process(&mut self, chunk: &[f32]) -> Vec<f32> {
        let half = self.r.half as u64;
        let taps = 2 * self.r.half;
        self.buf.extend_from_slice(chunk);
        // buf[0] is absolute input index base - half (the zero history).
        let have_until = self.base + self.buf.len() as u64 - half; // one past last real input
        let step = f64::from(self.r.from) / f64::from(self.r.to);
        let mut out = Vec::new();
        loop {
            let t = self.next_out as f64 * step;
            let base = t.floor() as u64;
            // Needs inputs up to base + half (inclusive).
            if base + half >= have_until {
                break;
            }
            let frac = t - t.floor();
            let phase = (frac * SINC_PHASES as f64).round() as usize;
            let row = &self.r.table[phase * taps..(phase + 1) * taps];
            // first tap at absolute base - half + 1 → buffer index (base + 1) - self.base
            let start = (base + 1 - self.base) as usize;
            let window = &self.buf[start..start + taps];
            out.push(row.iter().zip(window).map(|(w, x)| w * x).sum());
            self.next_out += 1;
        }
        // Drop input no longer needed: the next output's first tap is at absolute index
        // floor(t) - half + 1; buf[0] is at absolute index base - half.
        let t = self.next_out as f64 * step;
        let first_needed = t.floor() as i64 - half as i64 + 1;
        let buf_start = self.base as i64 - half as i64;
        let drop = (first_needed - buf_start).clamp(0, self.buf.len() as i64) as usize;
        if drop > 0 {
            self.buf.drain(..drop);
            self.base += drop as u64;
        }
        out
    }
}

/// Resamples `input` from `from` Hz to `to` Hz (see [`Resampler`]).
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, SpeechError> {
    Ok(Resampler::new(from, to)?.process(input))
}

/// Brings any mono audio to the 16 kHz the recognizers expect.
pub fn to_asr_rate(audio: &Audio) -> Result<Audio, SpeechError> {
    audio.resampled(ASR_SAMPLE_RATE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, secs: f32, amp: f32) -> Vec<f32> {
        let n = (rate as f32 * secs) as usize;
        (0..n)
            .map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    /// Amplitude of `freq` in `x` by correlation (single-bin DFT).
    fn tone_amplitude(x: &[f32], freq: f32, rate: u32) -> f32 {
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for (i, &s) in x.iter().enumerate() {
            let ph = 2.0 * std::f64::consts::PI * f64::from(freq) * i as f64 / f64::from(rate);
            re += f64::from(s) * ph.cos();
            im += f64::from(s) * ph.sin();
        }
        (2.0 * (re * re + im * im).sqrt() / x.len() as f64) as f32
    }

    #[test]
    fn i16_f32_round_trip_is_exact_within_one_lsb() {
        let v: Vec<i16> = vec![i16::MIN, -12345, -1, 0, 1, 777, i16::MAX];
        let back = f32_to_i16(&i16_to_f32(&v));
        for (a, b) in v.iter().zip(&back) {
            assert!((i32::from(*a) - i32::from(*b)).abs() <= 1, "{a} -> {b}");
        }
    }

    #[test]
    fn f32_to_i16_saturates_and_zeroes_nan() {
        let out = f32_to_i16(&[2.0, -3.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.5]);
        assert_eq!(out, vec![32767, -32767, 0, 32767, -32767, 16384]);
    }

    #[test]
    fn sanitize_counts_and_fixes_bad_samples() {
        let mut v = vec![0.1, f32::NAN, 1.5, -7.0, f32::INFINITY, -0.2];
        assert_eq!(sanitize(&mut v), 4);
        assert_eq!(v, vec![0.1, 0.0, 1.0, -1.0, 0.0, -0.2]);
    }

    #[test]
    fn downmix_averages_stereo_and_drops_partial_frame() {
        let inter = [1.0, 0.0, 0.5, 0.5, -1.0, 1.0, 0.9];
        assert_eq!(downmix(&inter, 2).unwrap(), vec![0.5, 0.5, 0.0]);
        assert!(matches!(
            downmix(&inter, 0),
            Err(SpeechError::BadChannels { channels: 0 })
        ));
        // NaN in one channel counts as silence for that channel.
        assert_eq!(downmix(&[f32::NAN, 0.5], 2).unwrap(), vec![0.25]);
    }

    #[test]
    fn bad_rates_are_refused() {
        assert!(Audio::new(vec![0.0], 0).is_err());
        assert!(Audio::new(vec![0.0], 1_000_000).is_err());
        assert!(Resampler::new(16_000, 3).is_err());
    }

    #[test]
    fn resample_preserves_in_band_tone_and_length() {
        for &(from, to) in &[
            (48_000u32, 16_000u32),
            (44_100, 16_000),
            (22_050, 16_000),
            (8_000, 16_000),
            (16_000, 22_050),
            (16_000, 48_000),
        ] {
            let x = sine(440.0, from, 0.5, 0.5);
            let y = resample(&x, from, to).unwrap();
            let expected_len = (x.len() as u64 * u64::from(to) / u64::from(from)) as usize;
            assert_eq!(y.len(), expected_len, "{from}->{to}");
            // Skip the edges where the kernel sees zeros.
            let m = y.len() / 10;
            let amp = tone_amplitude(&y[m..y.len() - m], 440.0, to);
            assert!((amp - 0.5).abs() < 0.01, "{from}->{to}: amp {amp}");
        }
    }

    #[test]
    fn downsampling_rejects_tone_above_new_nyquist() {
        // 12 kHz at 48 kHz would alias to 4 kHz at 16 kHz without filtering.
        let x = sine(12_000.0, 48_000, 0.5, 0.5);
        let y = resample(&x, 48_000, 16_000).unwrap();
        let m = y.len() / 10;
        let alias = tone_amplitude(&y[m..y.len() - m], 4_000.0, 16_000);
        let rms = rms_dbfs(&y[m..y.len() - m]);
        assert!(alias < 0.005, "alias amplitude {alias}");
        assert!(rms < -40.0, "residual {rms} dBFS");
    }

    #[test]
    fn resample_round_trip_is_close() {
        let x = sine(300.0, 16_000, 0.3, 0.4);
        let up = resample(&x, 16_000, 44_100).unwrap();
        let back = resample(&up, 44_100, 16_000).unwrap();
        let m = 200;
        let n = x.len().min(back.len()) - m;
        let err: f32 = x[m..n]
            .iter()
            .zip(&back[m..n])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max error {err}");
    }

    #[test]
    fn resample_tiny_inputs() {
        assert!(resample(&[], 48_000, 16_000).unwrap().is_empty());
        // One sample at 48 kHz is a third of a 16 kHz sample: nothing to output, no panic.
        assert!(resample(&[0.3], 48_000, 16_000).unwrap().is_empty());
        assert_eq!(resample(&[0.3], 8_000, 16_000).unwrap().len(), 2);
        assert_eq!(
            resample(&[0.3, 0.1], 16_000, 16_000).unwrap(),
            vec![0.3, 0.1]
        );
    }

    #[test]
    fn streaming_matches_batch_for_any_chunking() {
        for &(from, to) in &[(48_000u32, 16_000u32), (44_100, 16_000), (16_000, 22_050)] {
            let x = sine(440.0, from, 0.4, 0.5);
            let whole = resample(&x, from, to).unwrap();
            for chunk in [1usize, 160, 441, 4096] {
                let mut s = StreamResampler::new(from, to).unwrap();
                let mut got = Vec::new();
                for c in x.chunks(chunk) {
                    got.extend(s.process(c));
                    // History stays bounded: one kernel plus the chunk.
                    assert!(s.buf.len() <= 2 * s.r.half + chunk + 2, "{}", s.buf.len());
                }
                // All but the held-back tail is produced, and it equals the batch result.
                assert!(
                    got.len() + 80 >= whole.len(),
                    "{from}->{to} chunk {chunk}: {}",
                    got.len()
                );
                assert!(got.len() <= whole.len() + 1);
                for (i, (a, b)) in got.iter().zip(&whole).enumerate() {
                    assert!(
                        (a - b).abs() < 1e-5,
                        "{from}->{to} chunk {chunk} at {i}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn rms_levels() {
        assert_eq!(rms_dbfs(&[]), -120.0);
        assert_eq!(rms_dbfs(&[0.0; 100]), -120.0);
        let x = sine(1000.0, 16_000, 1.0, 1.0);
        assert!((rms_dbfs(&x) + 3.01).abs() < 0.05);
    }
}
