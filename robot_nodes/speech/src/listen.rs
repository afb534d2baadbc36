//! The ASR node's listening, as pure code: recent audio with absolute positions ([`History`]) and
//! the utterance lifecycle ([`Listener`]): 16 kHz audio in 20 ms steps through the endpointer and
//! the barge-in gate, an utterance opened at the endpointer's start (or at a barge-in), fed to
//! the recognizer as it goes, closed at the end of speech or dropped when the robot's own voice
//! or a rejected segment opened it. What to publish comes out as [`Heard`]; no clock, no I/O.

use std::collections::VecDeque;

use crate::audio::{sanitize, StreamResampler, ASR_SAMPLE_RATE};
use crate::error::SpeechError;
use crate::ports::{Recognition, Recognizer, Transcript};
use crate::turn::{GateDecision, ListenGate};
use crate::vad::{EndpointConfig, EndpointEvent, Endpointer};

/// Recent 16 kHz audio with absolute sample positions (for pre-roll and barge-in).
#[derive(Debug, Clone)]
pub struct History {
    buf: VecDeque<i16>,
    /// Absolute position of `buf[0]`.
    start: u64,
    cap: usize,
}

impl History {
    /// Holds the last `cap` samples.
    pub fn new(cap: usize) -> History {
        History {
            buf: VecDeque::new(),
            start: 0,
            cap,
        }
    }

    /// Absolute position of the oldest sample held.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Absolute position after the newest sample.
    pub fn end(&self) -> u64 {
        self.start + self.buf.len() as u64
    }

    /// Appends samples in [-1, 1] (clamped), dropping the oldest beyond the capacity.
    pub fn push(&mut self, s: &[f32]) {
        for &x in s {
            self.buf
                .push_back((x.clamp(-1.0, 1.0) * 32767.0).round() as i16);
        }
        while self.buf.len() > self.cap {
            self.buf.pop_front();
            self.start += 1;
        }
    }

    /// Samples `[from, to)`, clamped to what is held.
    pub fn range(&self, from: u64, to: u64) -> Vec<i16> {
        let from = from.max(self.start);
        let to = to.min(self.end());
        if from >= to {
            return Vec::new();
        }
        self.buf
            .range((from - self.start) as usize..(to - self.start) as usize)
            .copied()
            .collect()
    }
}

/// What the listener heard, in order, for the node to publish.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// The citizen talks over the robot: stop its speech.
    BargeIn,
    /// A voice is (`true`) or is no longer (`false`) being tracked.
    Tracked(bool),
    /// A new partial hypothesis (trimmed, non-empty, different from the last).
    Partial(String),
    /// A final result (trimmed text, non-empty), which ended `ago_s` seconds before the newest
    /// audio (0: now).
    Final { transcript: Transcript, ago_s: f64 },
    /// The recognizer failed; the utterance was dropped (for the log).
    Dropped(String),
}

/// Listening settings (from the ASR node's parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct ListenConfig {
    pub endpoint: EndpointConfig,
    pub barge_in: bool,
    pub barge_in_ms: u32,
    pub echo_tail_ms: u32,
    pub publish_partials: bool,
    /// Seconds of audio kept for pre-roll and barge-in.
    pub history_s: u32,
}

/// The utterance lifecycle. See the module docs.
pub struct Listener {
    pre_roll_ms: u32,
    publish_partials: bool,
    endpointer: Endpointer,
    gate: ListenGate,
    history: History,
    resampler: Option<(u32, StreamResampler)>,
    /// The open utterance is being fed to the recognizer, up to this position.
    fed_upto: Option<u64>,
    last_partial: String,
    tracked: bool,
}

impl Listener {
    /// A listener; an invalid endpointer or gate setting is an error.
    pub fn new(cfg: &ListenConfig) -> Result<Listener, SpeechError> {
        Ok(Listener {
            pre_roll_ms: cfg.endpoint.pre_roll_ms,
            publish_partials: cfg.publish_partials,
            endpointer: Endpointer::new(cfg.endpoint.clone(), ASR_SAMPLE_RATE)?,
            gate: ListenGate::new(
                ASR_SAMPLE_RATE,
                cfg.barge_in,
                cfg.barge_in_ms,
                cfg.echo_tail_ms,
            )?,
            history: History::new(ASR_SAMPLE_RATE as usize * cfg.history_s as usize),
            resampler: None,
            fed_upto: None,
            last_partial: String::new(),
            tracked: false,
        })
    }

    /// An utterance is open (being fed to a recognizer).
    pub fn is_open(&self) -> bool {
        self.fed_upto.is_some()
    }

    /// The robot started (`true`) or stopped speaking: input is gated meanwhile (and for the
    /// echo tail after).
    pub fn robot_speaking(&mut self, speaking: bool) {
        if speaking {
            self.gate.robot_started();
        } else if self.gate.robot_speaking() {
            self.gate.robot_stopped(self.endpointer.position());
        }
    }

    /// Mono audio at `rate` Hz, any length: to 16 kHz, then through the endpointer and the gate
    /// in 20 ms steps. `rec` is the recognizer for the current language, if there is one.
    pub fn feed(
        &mut self,
        mut mono: Vec<f32>,
        rate: u32,
        mut rec: Option<&mut (dyn Recognizer + '_)>,
    ) -> Result<Vec<Heard>, SpeechError> {
        let mut out = Vec::new();
        if mono.is_empty() {
            return Ok(out);
        }
        sanitize(&mut mono);
        let at16 = if rate == ASR_SAMPLE_RATE {
            mono
        } else {
            if self.resampler.as_ref().is_none_or(|(r, _)| *r != rate) {
                self.resampler = Some((rate, StreamResampler::new(rate, ASR_SAMPLE_RATE)?));
            }
            match self.resampler.as_mut() {
                Some((_, r)) => r.process(&mono),
                None => return Ok(out),
            }
        };
        let step = (ASR_SAMPLE_RATE / 50) as usize;
        for piece in at16.chunks(step) {
            self.step(piece, rec.as_deref_mut(), &mut out);
        }
        Ok(out)
    }

    fn step(
        &mut self,
        piece: &[f32],
        mut rec: Option<&mut (dyn Recognizer + '_)>,
        out: &mut Vec<Heard>,
    ) {
        self.history.push(piece);
        let events = self.endpointer.push(piece);
        let pos = self.endpointer.position();
        let decision = self.gate.decide(pos, self.endpointer.open_span());
        match decision {
            GateDecision::BargeIn { from_sample } => {
                out.push(Heard::BargeIn);
                let pre = u64::from(ASR_SAMPLE_RATE) * u64::from(self.pre_roll_ms) / 1000;
                self.begin(from_sample.saturating_sub(pre), rec.as_deref_mut(), out);
            }
            GateDecision::Gated if self.gate.robot_speaking() => {
                // The robot talks: whatever is open is its own voice.
                self.abort(rec.as_deref_mut(), out);
            }
            _ => {}
        }
        let gated = matches!(decision, GateDecision::Gated);
        for ev in events {
            match ev {
                EndpointEvent::Start { pre_roll_start, .. }
                    if !gated && self.fed_upto.is_none() =>
                {
                    self.begin(pre_roll_start, rec.as_deref_mut(), out);
                }
                EndpointEvent::End(seg) => {
                    if let Some(from) = self.fed_upto {
                        self.feed_recognizer(from, seg.decided_at, rec.as_deref_mut(), out);
                        let ago = self.history.end().saturating_sub(seg.end) as f64
                            / f64::from(ASR_SAMPLE_RATE);
                        self.end(ago, rec.as_deref_mut(), out);
                    } else {
                        // No recognizer: the voice was still tracked while it spoke.
                        self.set_tracked(false, out);
                    }
                }
                EndpointEvent::Rejected(_) => self.abort(rec.as_deref_mut(), out),
                _ => {}
            }
        }
        if let Some(from) = self.fed_upto {
            self.feed_recognizer(from, self.history.end(), rec, out);
        }
    }

    fn set_tracked(&mut self, on: bool, out: &mut Vec<Heard>) {
        if self.tracked != on {
            self.tracked = on;
            out.push(Heard::Tracked(on));
        }
    }

    fn begin(&mut self, from: u64, rec: Option<&mut (dyn Recognizer + '_)>, out: &mut Vec<Heard>) {
        self.set_tracked(true, out);
        self.last_partial.clear();
        if let Some(r) = rec {
            r.reset();
            self.fed_upto = Some(from);
        }
    }

    /// Drops the open utterance, if any (the language changed, the robot's own voice, …).
    pub fn abort(&mut self, rec: Option<&mut (dyn Recognizer + '_)>, out: &mut Vec<Heard>) {
        if self.fed_upto.take().is_some() {
            if let Some(r) = rec {
                r.reset();
            }
        }
        self.last_partial.clear();
        self.set_tracked(false, out);
    }

    fn feed_recognizer(
        &mut self,
        from: u64,
        to: u64,
        rec: Option<&mut (dyn Recognizer + '_)>,
        out: &mut Vec<Heard>,
    ) {
        let pcm = self.history.range(from, to);
        self.fed_upto = Some(to.max(from));
        if pcm.is_empty() {
            return;
        }
        let Some(r) = rec else {
            return;
        };
        match r.accept_waveform(&pcm) {
            Ok(Recognition::Partial(text)) => {
                let text = text.trim().to_string();
                if self.publish_partials && !text.is_empty() && text != self.last_partial {
                    out.push(Heard::Partial(text.clone()));
                    self.last_partial = text;
                }
            }
            Ok(Recognition::Final(t)) => {
                // The engine closed a phrase itself mid-utterance.
                push_final(t, 0.0, out);
                self.last_partial.clear();
            }
            Err(e) => {
                out.push(Heard::Dropped(format!("recognizer failed on a chunk: {e}")));
                self.abort(Some(r), out);
            }
        }
    }

    fn end(&mut self, ago_s: f64, rec: Option<&mut (dyn Recognizer + '_)>, out: &mut Vec<Heard>) {
        self.fed_upto = None;
        if let Some(r) = rec {
            match r.finish() {
                Ok(t) => push_final(t, ago_s, out),
                Err(e) => out.push(Heard::Dropped(format!("recognizer failed to finish: {e}"))),
            }
        }
        self.last_partial.clear();
        self.set_tracked(false, out);
    }

    /// End of input (a WAV file played out): close an open utterance.
    pub fn finish(&mut self, mut rec: Option<&mut (dyn Recognizer + '_)>) -> Vec<Heard> {
        let mut out = Vec::new();
        for ev in self.endpointer.finish() {
            if let EndpointEvent::End(_) = ev {
                if let Some(from) = self.fed_upto {
                    self.feed_recognizer(from, self.history.end(), rec.as_deref_mut(), &mut out);
                    self.end(0.0, rec.as_deref_mut(), &mut out);
                }
            }
        }
        self.abort(rec, &mut out);
        out
    }
}

fn push_final(mut t: Transcript, ago_s: f64, out: &mut Vec<Heard>) {
    let text = t.text.trim();
    if text.is_empty() {
        return;
    }
    t.text = text.to_string();
    out.push(Heard::Final {
        transcript: t,
        ago_s,
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_positions_and_clamps_ranges() {
        let mut h = History::new(4);
        h.push(&[0.0, 0.5, 1.0, -1.0, 0.25, 2.0]);
        assert_eq!((h.start(), h.end()), (2, 6));
        assert_eq!(h.range(0, 4), vec![32767, -32767]);
        assert_eq!(h.range(5, 100), vec![32767]);
        assert!(h.range(7, 3).is_empty());
    }
}
