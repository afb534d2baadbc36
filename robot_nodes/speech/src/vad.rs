//! Voice activity detection and endpointing, tuned for slow, elderly speakers.
//!
//! Frame energy (dBFS) is compared with an adaptive noise floor: the minimum frame energy over
//! the last `noise_window_ms` (minimum statistics), so the floor follows the room (fans, crowd)
//! and speech itself does not raise it as long as the speaker draws breath now and then.
//! A frame starts speech when it is `start_threshold_db` above the floor (and above
//! `min_level_dbfs`), and keeps speech going when it is `continue_threshold_db` above it
//! (hysteresis). An utterance opens after `onset_ms` of consecutive loud frames and closes after
//! `trailing_silence_ms` of quiet (default 800 ms: elderly speakers pause mid-sentence), or when
//! it reaches `max_utterance_ms`. A short answer such as "vâng" closes exactly like a long one:
//! after the trailing silence, with nothing waiting for more speech.
//!
//! For the first `warmup_ms` of a stream frames only teach the floor, so a noisy room at start-up
//! is not taken for speech (a recording that starts mid-word loses at most that much of it;
//! the recognizer's pre-roll covers it).
//!
//! Time is the sample count of the audio pushed in: no clock is read.

use std::collections::VecDeque;

use serde::Deserialize;

use crate::audio::{check_rate, rms_dbfs};
use crate::error::SpeechError;

/// Endpointer parameters (ROS 2 `ros__parameters` keys).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointConfig {
    /// Analysis frame length, ms (10–50).
    pub frame_ms: u32,
    /// Quiet needed to close an utterance, ms (200–5000).
    pub trailing_silence_ms: u32,
    /// Consecutive loud time needed to open an utterance, ms.
    pub onset_ms: u32,
    /// Utterances with less voiced time than this are rejected as clicks/coughs, ms.
    pub min_speech_ms: u32,
    /// Longest utterance; it is cut here and a new one may start at once, ms.
    pub max_utterance_ms: u32,
    /// Audio kept before the detected start (for the recognizer), ms.
    pub pre_roll_ms: u32,
    /// Level above the noise floor that opens speech, dB.
    pub start_threshold_db: f32,
    /// Level above the noise floor that keeps speech going, dB (≤ start threshold).
    pub continue_threshold_db: f32,
    /// Frames quieter than this are never speech, dBFS.
    pub min_level_dbfs: f32,
    /// Window of the minimum-statistics noise floor, ms.
    pub noise_window_ms: u32,
    /// Noise floor assumed before any audio is seen, dBFS.
    pub initial_noise_dbfs: f32,
    /// At the start of a stream, frames only teach the noise floor for this long (no speech can
    /// open), so a noisy room is not taken for speech, ms.
    pub warmup_ms: u32,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            frame_ms: 20,
            trailing_silence_ms: 800,
            onset_ms: 60,
            min_speech_ms: 120,
            max_utterance_ms: 15_000,
            pre_roll_ms: 200,
            start_threshold_db: 12.0,
            continue_threshold_db: 7.0,
            min_level_dbfs: -55.0,
            noise_window_ms: 3_000,
            initial_noise_dbfs: -65.0,
            warmup_ms: 200,
        }
    }
}

impl EndpointConfig {
    /// Checks every value; the error names the offending key.
    pub fn validate(&self) -> Result<(), SpeechError> {
        fn bad(key: &'static str, reason: impl Into<String>) -> SpeechError {
            SpeechError::Config {
                key,
                reason: reason.into(),
            }
        }
        if !(10..=50).contains(&self.frame_ms) {
            return Err(bad("frame_ms", format!("{} not in 10..=50", self.frame_ms)));
        }
        if !(200..=5_000).contains(&self.trailing_silence_ms) {
            return Err(bad(
                "trailing_silence_ms",
                format!("{} not in 200..=5000", self.trailing_silence_ms),
            ));
        }
        if self.onset_ms < self.frame_ms || self.onset_ms > 500 {
            return Err(bad(
                "onset_ms",
                format!("{} not in frame_ms..=500", self.onset_ms),
            ));
        }
        if self.min_speech_ms > 2_000 {
            return Err(bad(
                "min_speech_ms",
                format!("{} > 2000", self.min_speech_ms),
            ));
        }
        if !(1_000..=120_000).contains(&self.max_utterance_ms) {
            return Err(bad(
                "max_utterance_ms",
                format!("{} not in 1000..=120000", self.max_utterance_ms),
            ));
        }
        if self.pre_roll_ms > 2_000 {
            return Err(bad("pre_roll_ms", format!("{} > 2000", self.pre_roll_ms)));
        }
        let finite = |v: f32| v.is_finite();
        if !finite(self.start_threshold_db) || !(1.0..=40.0).contains(&self.start_threshold_db) {
            return Err(bad("start_threshold_db", "must be in 1..=40 dB"));
        }
        if !finite(self.continue_threshold_db)
            || self.continue_threshold_db < 0.0
            || self.continue_threshold_db > self.start_threshold_db
        {
            return Err(bad(
                "continue_threshold_db",
                "must be in 0..=start_threshold_db",
            ));
        }
        if !finite(self.min_level_dbfs) || !(-100.0..=0.0).contains(&self.min_level_dbfs) {
            return Err(bad("min_level_dbfs", "must be in -100..=0 dBFS"));
        }
        if !(200..=30_000).contains(&self.noise_window_ms) {
            return Err(bad(
                "noise_window_ms",
                format!("{} not in 200..=30000", self.noise_window_ms),
            ));
        }
        if !finite(self.initial_noise_dbfs) || !(-120.0..=0.0).contains(&self.initial_noise_dbfs) {
            return Err(bad("initial_noise_dbfs", "must be in -120..=0 dBFS"));
        }
        if self.warmup_ms > 2_000 {
            return Err(bad("warmup_ms", format!("{} > 2000", self.warmup_ms)));
        }
        Ok(())
    }
}

/// Why an utterance closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndReason {
    /// Trailing silence reached.
    Silence,
    /// `max_utterance_ms` reached.
    MaxLength,
    /// The stream ended ([`Endpointer::finish`]).
    EndOfStream,
}

/// One utterance, in samples of the stream (first sample pushed is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// First voiced sample (frame-aligned).
    pub start: u64,
    /// One past the last voiced sample (frame-aligned).
    pub end: u64,
    /// Sample at which the decision was taken (end + trailing silence for [`EndReason::Silence`]).
    pub decided_at: u64,
    /// Why it closed.
    pub reason: EndReason,
    /// Sample rate of the stream.
    pub sample_rate: u32,
}

impl Segment {
    /// Start in seconds.
    pub fn start_s(&self) -> f64 {
        self.start as f64 / f64::from(self.sample_rate)
    }
    /// End in seconds.
    pub fn end_s(&self) -> f64 {
        self.end as f64 / f64::from(self.sample_rate)
    }
    /// Voiced duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.end_s() - self.start_s()
    }
    /// Latency from the end of speech to the decision, seconds.
    pub fn decision_latency_s(&self) -> f64 {
        (self.decided_at.saturating_sub(self.end)) as f64 / f64::from(self.sample_rate)
    }
}

/// What the endpointer saw.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum EndpointEvent {
    /// Speech opened (e.g. barge-in: stop talking). `start` is the first voiced sample,
    /// `pre_roll_start` where the recognizer should begin.
    Start {
        /// First voiced sample.
        start: u64,
        /// `start` minus the pre-roll, floored at 0.
        pre_roll_start: u64,
    },
    /// An utterance closed.
    End(Segment),
    /// A burst opened but was too short to be speech (cough, click): discard it.
    Rejected(Segment),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Idle {
        run_frames: u32,
        run_start: u64,
    },
    Speech {
        start: u64,
        last_voiced_end: u64,
        voiced_frames: u32,
        quiet_frames: u32,
    },
}

/// Streaming endpointer: push samples in any chunk size, get events.
#[derive(Debug, Clone)]
pub struct Endpointer {
    cfg: EndpointConfig,
    sample_rate: u32,
    frame_len: usize,
    pending: Vec<f32>,
    /// Samples consumed as whole frames so far.
    pos: u64,
    energies: VecDeque<f32>,
    window_frames: usize,
    state: State,
    last_energy: f32,
    frames_seen: u32,
    /// Recent idle frames (start sample, level) for extending an onset backwards.
    recent: VecDeque<(u64, f32)>,
}

/// How many idle frames an onset may be extended back over (10 × 20 ms = 200 ms).
const LOOKBACK_FRAMES: usize = 10;

impl Endpointer {
    /// A new endpointer for a stream at `sample_rate` Hz (validates the config).
    pub fn new(cfg: EndpointConfig, sample_rate: u32) -> Result<Self, SpeechError> {
        cfg.validate()?;
        check_rate(sample_rate)?;
        let frame_len = (u64::from(sample_rate) * u64::from(cfg.frame_ms) / 1000) as usize;
        let window_frames = (cfg.noise_window_ms / cfg.frame_ms).max(1) as usize;
        let energies = VecDeque::with_capacity(window_frames);
        Ok(Self {
            last_energy: cfg.initial_noise_dbfs,
            cfg,
            sample_rate,
            frame_len: frame_len.max(1),
            pending: Vec::with_capacity(frame_len),
            pos: 0,
            energies,
            window_frames,
            state: State::Idle {
                run_frames: 0,
                run_start: 0,
            },
            frames_seen: 0,
            recent: VecDeque::with_capacity(LOOKBACK_FRAMES),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &EndpointConfig {
        &self.cfg
    }

    /// Sample rate of the stream.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Current noise-floor estimate, dBFS (`initial_noise_dbfs` before any audio).
    pub fn noise_floor_dbfs(&self) -> f32 {
        if self.energies.is_empty() {
            return self.cfg.initial_noise_dbfs;
        }
        self.energies
            .iter()
            .copied()
            .fold(f32::INFINITY, f32::min)
            .min(0.0)
    }

    /// Level of the last frame, dBFS.
    pub fn last_level_dbfs(&self) -> f32 {
        self.last_energy
    }

    /// True while an utterance is open.
    pub fn in_speech(&self) -> bool {
        matches!(self.state, State::Speech { .. })
    }

    /// The open utterance, if any: (first voiced sample, one past the last voiced sample).
    pub fn open_span(&self) -> Option<(u64, u64)> {
        match self.state {
            State::Speech {
                start,
                last_voiced_end,
                ..
            } => Some((start, last_voiced_end)),
            State::Idle { .. } => None,
        }
    }

    /// Samples consumed so far (whole frames).
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Feeds samples (NaN counts as silence); returns the events they caused, in order.
    pub fn push(&mut self, samples: &[f32]) -> Vec<EndpointEvent> {
        let mut events = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let need = self.frame_len - self.pending.len();
            let take = need.min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == self.frame_len {
                let energy = rms_dbfs(&self.pending);
                self.pending.clear();
                self.frame(energy, &mut events);
            }
        }
        events
    }

    /// Ends the stream: closes an open utterance ([`EndReason::EndOfStream`]) and resets.
    pub fn finish(&mut self) -> Vec<EndpointEvent> {
        let mut events = Vec::new();
        if !self.pending.is_empty() {
            // Count the partial frame's time; its level decides like a full frame.
            let energy = rms_dbfs(&self.pending);
            let extra = self.pending.len() as u64;
            self.pending.clear();
            self.frame_with_len(energy, extra, &mut events);
        }
        if let State::Speech {
            start,
            last_voiced_end,
            voiced_frames,
            ..
        } = self.state
        {
            events.push(self.close(
                start,
                last_voiced_end,
                voiced_frames,
                EndReason::EndOfStream,
            ));
        }
        self.state = State::Idle {
            run_frames: 0,
            run_start: self.pos,
        };
        events
    }

    fn frame(&mut self, energy: f32, events: &mut Vec<EndpointEvent>) {
        let len = self.frame_len as u64;
        self.frame_with_len(energy, len, events);
    }

    fn frame_with_len(&mut self, energy: f32, len: u64, events: &mut Vec<EndpointEvent>) {
        let floor = self.noise_floor_dbfs();
        self.last_energy = energy;
        let start_level = (floor + self.cfg.start_threshold_db).max(self.cfg.min_level_dbfs);
        let cont_level = (floor + self.cfg.continue_threshold_db).max(self.cfg.min_level_dbfs);
        let frame_start = self.pos;
        let frame_end = self.pos + len;
        self.pos = frame_end;
        if self.energies.len() >= self.window_frames {
            self.energies.pop_front();
        }
        self.energies.push_back(energy);
        self.frames_seen = self.frames_seen.saturating_add(1);
        let warming_up = u64::from(self.frames_seen) * u64::from(self.cfg.frame_ms)
            <= u64::from(self.cfg.warmup_ms);

        let onset_frames = self.cfg.onset_ms.div_ceil(self.cfg.frame_ms);
        let trailing_frames = self.cfg.trailing_silence_ms.div_ceil(self.cfg.frame_ms);
        let max_len = u64::from(self.sample_rate) * u64::from(self.cfg.max_utterance_ms) / 1000;
        match self.state {
            State::Idle {
                run_frames,
                run_start,
            } => {
                if energy > start_level && !warming_up {
                    let run_start = if run_frames == 0 {
                        frame_start
                    } else {
                        run_start
                    };
                    let run_frames = run_frames + 1;
                    if run_frames >= onset_frames {
                        // Soft onsets (h, s, wh) sit below the start threshold but above the
                        // continue threshold: extend the start back over such frames.
                        let mut run_start = run_start;
                        for &(fs, e) in self.recent.iter().rev() {
                            if fs >= run_start {
                                continue;
                            }
                            if fs + self.frame_len as u64 == run_start && e > cont_level {
                                run_start = fs;
                            } else {
                                break;
                            }
                        }
                        self.recent.clear();
                        let pre =
                            u64::from(self.sample_rate) * u64::from(self.cfg.pre_roll_ms) / 1000;
                        events.push(EndpointEvent::Start {
                            start: run_start,
                            pre_roll_start: run_start.saturating_sub(pre),
                        });
                        self.state = State::Speech {
                            start: run_start,
                            last_voiced_end: frame_end,
                            voiced_frames: run_frames,
                            quiet_frames: 0,
                        };
                    } else {
                        self.state = State::Idle {
                            run_frames,
                            run_start,
                        };
                    }
                } else {
                    self.state = State::Idle {
                        run_frames: 0,
                        run_start: frame_end,
                    };
                }
                if matches!(self.state, State::Idle { .. }) {
                    if self.recent.len() >= LOOKBACK_FRAMES {
                        self.recent.pop_front();
                    }
                    self.recent.push_back((frame_start, energy));
                }
            }
            State::Speech {
                start,
                last_voiced_end,
                voiced_frames,
                quiet_frames,
            } => {
                let (last_voiced_end, voiced_frames, quiet_frames) = if energy > cont_level {
                    (frame_end, voiced_frames + 1, 0)
                } else {
                    (last_voiced_end, voiced_frames, quiet_frames + 1)
                };
                if quiet_frames >= trailing_frames {
                    events.push(self.close(
                        start,
                        last_voiced_end,
                        voiced_frames,
                        EndReason::Silence,
                    ));
                    self.state = State::Idle {
                        run_frames: 0,
                        run_start: frame_end,
                    };
                } else if frame_end - start >= max_len {
                    events.push(self.close(
                        start,
                        last_voiced_end,
                        voiced_frames,
                        EndReason::MaxLength,
                    ));
                    self.state = State::Idle {
                        run_frames: 0,
                        run_start: frame_end,
                    };
                } else {
                    self.state = State::Speech {
                        start,
                        last_voiced_end,
                        voiced_frames,
                        quiet_frames,
                    };
                }
            }
        }
    }

    fn close(&self, start: u64, end: u64, voiced_frames: u32, reason: EndReason) -> EndpointEvent {
        let seg = Segment {
            start,
            end,
            decided_at: self.pos,
            reason,
            sample_rate: self.sample_rate,
        };
        let voiced_ms = u64::from(voiced_frames) * u64::from(self.cfg.frame_ms);
        if voiced_ms < u64::from(self.cfg.min_speech_ms) {
            tracing::debug!(
                start,
                end,
                voiced_ms,
                "endpointer: burst rejected as too short"
            );
            EndpointEvent::Rejected(seg)
        } else {
            tracing::debug!(start, end, ?reason, "endpointer: utterance closed");
            EndpointEvent::End(seg)
        }
    }
}

/// Runs the endpointer over a whole buffer and returns the accepted utterances.
pub fn segments(
    samples: &[f32],
    sample_rate: u32,
    cfg: EndpointConfig,
) -> Result<Vec<Segment>, SpeechError> {
    let mut ep = Endpointer::new(cfg, sample_rate)?;
    let mut events = ep.push(samples);
    events.extend(ep.finish());
    Ok(events
        .into_iter()
        .filter_map(|e| match e {
            EndpointEvent::End(s) => Some(s),
            _ => None,
        })
        .collect())
}
