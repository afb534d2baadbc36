//! Pure cores for the speech nodes (the DDS wiring comes with the transport):
//!
//! - [`SayQueue`]: say requests with language and priority, spoken sentence by sentence so the
//!   first audio plays before a long answer is synthesized; cancellable; a higher priority
//!   request interrupts a lower one.
//! - [`PhraseCache`]: synthesized audio of frequent phrases (greetings), least recently used out.
//! - [`ListenGate`]: while the robot speaks, microphone input is gated (no self-transcription);
//!   a citizen who keeps talking over it for `barge_in_ms` triggers a barge-in (stop speaking).
//!
//! Time is the microphone sample count; nothing here reads a clock.

use std::collections::{HashMap, VecDeque};

use crate::audio::Audio;
use crate::error::SpeechError;
use crate::ports::{split_sentences, Lang};

/// Request priority: higher interrupts lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Small talk, idle announcements.
    Low,
    /// Answers.
    Normal,
    /// Safety messages ("please step aside"): interrupt anything else.
    Urgent,
}

/// One say request.
#[derive(Debug, Clone, PartialEq)]
pub struct SayRequest {
    /// Caller's id, used to cancel and to report progress.
    pub id: u64,
    /// What to say.
    pub text: String,
    /// In which language.
    pub lang: Lang,
    /// Priority.
    pub priority: Priority,
}

/// The next sentence to synthesize and play.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// Request id.
    pub id: u64,
    /// Sentence index within the request (0-based).
    pub index: usize,
    /// True for the request's last sentence.
    pub last: bool,
    /// The sentence.
    pub text: String,
    /// Language.
    pub lang: Lang,
}

/// What the queue tells the player to do.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueueEvent {
    /// Stop the audio of this request now (cancelled or preempted); its remaining sentences are dropped.
    Stop {
        /// Request id.
        id: u64,
        /// True if a higher-priority request took over (false: cancelled by the caller).
        preempted: bool,
    },
    /// The request was refused (no words, queue full).
    Refused {
        /// Request id.
        id: u64,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Clone)]
struct Active {
    req: SayRequest,
    sentences: VecDeque<String>,
    next_index: usize,
    total: usize,
}

/// Say requests in priority order (FIFO within a priority), split into sentences.
#[derive(Debug, Clone)]
pub struct SayQueue {
    current: Option<Active>,
    waiting: Vec<SayRequest>,
    max_waiting: usize,
}

impl SayQueue {
    /// A queue holding at most `max_waiting` requests behind the current one.
    pub fn new(max_waiting: usize) -> Self {
        Self {
            current: None,
            waiting: Vec::new(),
            max_waiting: max_waiting.max(1),
        }
    }

    /// Id of the request being spoken, if any.
    pub fn current_id(&self) -> Option<u64> {
        self.current.as_ref().map(|a| a.req.id)
    }

    /// Number of requests waiting.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Adds a request. A request of higher priority than the current one interrupts it.
    pub fn push(&mut self, req: SayRequest) -> Vec<QueueEvent> {
        let mut ev = Vec::new();
        if split_sentences(&req.text).is_empty() {
            ev.push(QueueEvent::Refused {
                id: req.id,
                reason: "no words to say".into(),
            });
            return ev;
        }
        if let Some(cur) = &self.current {
            if req.priority > cur.req.priority {
                ev.push(QueueEvent::Stop {
                    id: cur.req.id,
                    preempted: true,
                });
                self.current = None;
            }
        }
        if self.waiting.len() >= self.max_waiting {
            // Drop the lowest-priority, newest waiting request if the new one outranks it.
            let worst = self
                .waiting
                .iter()
                .enumerate()
                .min_by_key(|(i, r)| (r.priority, std::cmp::Reverse(*i)))
                .map(|(i, r)| (i, r.priority));
            match worst {
                Some((i, p)) if p < req.priority => {
                    let old = self.waiting.remove(i);
                    ev.push(QueueEvent::Refused {
                        id: old.id,
                        reason: "queue full: dropped for a higher-priority request".into(),
                    });
                }
                _ => {
                    ev.push(QueueEvent::Refused {
                        id: req.id,
                        reason: format!("queue full ({} waiting)", self.waiting.len()),
                    });
                    return ev;
                }
            }
        }
        // Stable insert: after every request of the same or higher priority.
        let pos = self
            .waiting
            .iter()
            .position(|r| r.priority < req.priority)
            .unwrap_or(self.waiting.len());
        self.waiting.insert(pos, req);
        ev
    }

    /// Says `req` now: stops the current request and drops waiting requests of lower or equal
    /// priority up to Normal (higher ones stay queued behind it), as `SayRequest.interrupt` asks.
    pub fn interrupt_with(&mut self, req: SayRequest) -> Vec<QueueEvent> {
        let mut ev = Vec::new();
        if split_sentences(&req.text).is_empty() {
            ev.push(QueueEvent::Refused {
                id: req.id,
                reason: "no words to say".into(),
            });
            return ev;
        }
        if let Some(cur) = self.current.take() {
            ev.push(QueueEvent::Stop {
                id: cur.req.id,
                preempted: true,
            });
        }
        let limit = req.priority.min(Priority::Normal);
        self.waiting.retain(|r| r.priority > limit);
        // First in line among equals: insert before every request of lower-or-equal priority.
        let pos = self
            .waiting
            .iter()
            .position(|r| r.priority <= req.priority)
            .unwrap_or(self.waiting.len());
        self.waiting.insert(pos, req);
        ev
    }

    /// Cancels a request (current or waiting). Returns a Stop event if it was being spoken.
    pub fn cancel(&mut self, id: u64) -> Option<QueueEvent> {
        self.waiting.retain(|r| r.id != id);
        if self.current_id() == Some(id) {
            self.current = None;
            return Some(QueueEvent::Stop {
                id,
                preempted: false,
            });
        }
        None
    }

    /// Cancels everything (e.g. barge-in): Stop for the current request, waiting ones dropped.
    pub fn clear(&mut self) -> Option<QueueEvent> {
        self.waiting.clear();
        self.current.take().map(|a| QueueEvent::Stop {
            id: a.req.id,
            preempted: false,
        })
    }

    /// The next sentence to synthesize, moving to the next request when one is finished.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        loop {
            if self.current.is_none() {
                if self.waiting.is_empty() {
                    return None;
                }
                let req = self.waiting.remove(0);
                let sentences: VecDeque<String> = split_sentences(&req.text).into();
                let total = sentences.len();
                self.current = Some(Active {
                    req,
                    sentences,
                    next_index: 0,
                    total,
                });
            }
            let Some(cur) = self.current.as_mut() else {
                continue;
            };
            match cur.sentences.pop_front() {
                Some(text) => {
                    let index = cur.next_index;
                    cur.next_index += 1;
                    return Some(Chunk {
                        id: cur.req.id,
                        index,
                        last: index + 1 == cur.total,
                        text,
                        lang: cur.req.lang,
                    });
                }
                None => self.current = None,
            }
        }
    }
}

/// Synthesized audio of frequent phrases, keyed by voice, language and normalised text.
#[derive(Debug, Clone)]
pub struct PhraseCache {
    capacity: usize,
    entries: HashMap<(String, Lang, String), (Audio, u64)>,
    tick: u64,
    hits: u64,
    misses: u64,
}

impl PhraseCache {
    /// A cache of at most `capacity` phrases.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            tick: 0,
            hits: 0,
            misses: 0,
        }
    }

    fn key(voice: &str, lang: Lang, text: &str) -> (String, Lang, String) {
        (
            voice.to_string(),
            lang,
            text.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
        )
    }

    /// The cached audio, or the result of `synth` (stored on success).
    pub fn get_or_synthesize<F>(
        &mut self,
        voice: &str,
        lang: Lang,
        text: &str,
        synth: F,
    ) -> Result<Audio, SpeechError>
    where
        F: FnOnce() -> Result<Audio, SpeechError>,
    {
        self.tick += 1;
        let key = Self::key(voice, lang, text);
        if let Some((audio, used)) = self.entries.get_mut(&key) {
            *used = self.tick;
            self.hits += 1;
            return Ok(audio.clone());
        }
        self.misses += 1;
        let audio = synth()?;
        if self.entries.len() >= self.capacity {
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(key, (audio.clone(), self.tick));
        Ok(audio)
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Number of phrases held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What to do with the microphone audio and endpointer events while the robot may be speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GateDecision {
    /// Listening: pass audio and events on to the recognizer.
    Listen,
    /// The robot is speaking (or its echo tail): drop this audio.
    Gated,
    /// The citizen talks over the robot: stop speaking and listen from `from_sample`.
    BargeIn {
        /// Where the citizen's speech started.
        from_sample: u64,
    },
}

/// Input gating and barge-in.
#[derive(Debug, Clone)]
pub struct ListenGate {
    sample_rate: u32,
    barge_in: bool,
    barge_in_samples: u64,
    tail_samples: u64,
    speaking: bool,
    stopped_at: Option<u64>,
}

impl ListenGate {
    /// `barge_in`: allow interrupting; `barge_in_ms`: how long the citizen must keep talking
    /// over the robot (≥ 200 ms, so a cough does not cut an answer); `tail_ms`: echo tail after
    /// the robot stops during which input is still gated.
    pub fn new(
        sample_rate: u32,
        barge_in: bool,
        barge_in_ms: u32,
        tail_ms: u32,
    ) -> Result<Self, SpeechError> {
        crate::audio::check_rate(sample_rate)?;
        if !(200..=3_000).contains(&barge_in_ms) {
            return Err(SpeechError::Config {
                key: "barge_in_ms",
                reason: format!("{barge_in_ms} not in 200..=3000"),
            });
        }
        if tail_ms > 2_000 {
            return Err(SpeechError::Config {
                key: "echo_tail_ms",
                reason: format!("{tail_ms} > 2000"),
            });
        }
        let ms = |v: u32| u64::from(sample_rate) * u64::from(v) / 1000;
        Ok(Self {
            sample_rate,
            barge_in,
            barge_in_samples: ms(barge_in_ms),
            tail_samples: ms(tail_ms),
            speaking: false,
            stopped_at: None,
        })
    }

    /// Sample rate the positions are in.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The robot started playing audio.
    pub fn robot_started(&mut self) {
        self.speaking = true;
        self.stopped_at = None;
    }

    /// The robot finished (or was stopped) at microphone sample `at`.
    pub fn robot_stopped(&mut self, at: u64) {
        self.speaking = false;
        self.stopped_at = Some(at);
    }

    /// True while the robot speaks.
    pub fn robot_speaking(&self) -> bool {
        self.speaking
    }

    /// Decides for the audio up to sample `now`, given the endpointer's open utterance
    /// ([`crate::vad::Endpointer::open_span`]: first and one-past-last voiced sample). Barge-in
    /// needs `barge_in_ms` of speech from its start to its latest voiced frame, so a cough
    /// followed by silence does not cut the robot off.
    pub fn decide(&mut self, now: u64, open_span: Option<(u64, u64)>) -> GateDecision {
        if self.speaking {
            if let Some((start, voiced_end)) = open_span {
                if self.barge_in && voiced_end.saturating_sub(start) >= self.barge_in_samples {
                    self.speaking = false;
                    self.stopped_at = None;
                    return GateDecision::BargeIn { from_sample: start };
                }
            }
            return GateDecision::Gated;
        }
        match self.stopped_at {
            Some(at) if now < at + self.tail_samples => GateDecision::Gated,
            _ => GateDecision::Listen,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn req(id: u64, text: &str, priority: Priority) -> SayRequest {
        SayRequest {
            id,
            text: text.into(),
            lang: Lang::Vi,
            priority,
        }
    }

    #[test]
    fn long_answers_stream_sentence_by_sentence() {
        let mut q = SayQueue::new(8);
        assert!(q
            .push(req(
                1,
                "Xin chào bác. Phòng hộ chiếu ở tầng hai. Bác đi thang máy ạ.",
                Priority::Normal
            ))
            .is_empty());
        let c0 = q.next_chunk().unwrap();
        assert_eq!((c0.id, c0.index, c0.last), (1, 0, false));
        assert_eq!(c0.text, "Xin chào bác.");
        assert_eq!(q.next_chunk().unwrap().index, 1);
        let c2 = q.next_chunk().unwrap();
        assert!(c2.last);
        assert!(q.next_chunk().is_none());
    }

    #[test]
    fn priorities_order_waiting_and_preempt_current() {
        let mut q = SayQueue::new(8);
        q.push(req(1, "Một. Hai.", Priority::Normal));
        assert_eq!(q.next_chunk().unwrap().id, 1);
        q.push(req(2, "Chào.", Priority::Low));
        q.push(req(3, "Trả lời.", Priority::Normal));
        // Urgent preempts the current request.
        let ev = q.push(req(4, "Xin nhường đường!", Priority::Urgent));
        assert_eq!(
            ev,
            vec![QueueEvent::Stop {
                id: 1,
                preempted: true
            }]
        );
        let order: Vec<u64> = std::iter::from_fn(|| q.next_chunk())
            .map(|c| c.id)
            .collect();
        assert_eq!(order, vec![4, 3, 2]);
    }

    #[test]
    fn interrupt_stops_now_and_drops_queued_normal_requests() {
        let mut q = SayQueue::new(8);
        q.push(req(1, "Một. Hai.", Priority::Normal));
        q.next_chunk();
        q.push(req(2, "Chào.", Priority::Normal));
        q.push(req(3, "Khẩn.", Priority::Urgent));
        // Urgent preempted 1 already; now an interrupting normal request.
        let ev = q.interrupt_with(req(4, "Xin lỗi, bác nói lại ạ?", Priority::Normal));
        assert!(ev.is_empty() || matches!(ev.as_slice(), [QueueEvent::Stop { .. }]));
        let order: Vec<u64> = std::iter::from_fn(|| q.next_chunk())
            .map(|c| c.id)
            .collect();
        assert_eq!(order, vec![3, 4]);
        // Interrupting while something is being spoken stops it.
        q.push(req(5, "Dài. Rất dài.", Priority::Normal));
        assert_eq!(q.next_chunk().unwrap().id, 5);
        let ev = q.interrupt_with(req(6, "Dừng.", Priority::Normal));
        assert_eq!(
            ev,
            vec![QueueEvent::Stop {
                id: 5,
                preempted: true
            }]
        );
        assert_eq!(q.next_chunk().unwrap().id, 6);
        assert!(q.next_chunk().is_none());
    }

    #[test]
    fn cancel_current_and_waiting() {
        let mut q = SayQueue::new(8);
        q.push(req(1, "A. B.", Priority::Normal));
        q.push(req(2, "C.", Priority::Normal));
        q.next_chunk();
        assert_eq!(q.cancel(2), None);
        assert_eq!(
            q.cancel(1),
            Some(QueueEvent::Stop {
                id: 1,
                preempted: false
            })
        );
        assert!(q.next_chunk().is_none());
        assert_eq!(q.cancel(99), None);
    }

    #[test]
    fn empty_text_and_full_queue_are_refused() {
        let mut q = SayQueue::new(2);
        assert!(matches!(
            q.push(req(1, " ... ", Priority::Normal)).as_slice(),
            [QueueEvent::Refused { id: 1, .. }]
        ));
        q.push(req(2, "a.", Priority::Low));
        q.push(req(3, "b.", Priority::Normal));
        assert!(matches!(
            q.push(req(4, "c.", Priority::Low)).as_slice(),
            [QueueEvent::Refused { id: 4, .. }]
        ));
        // A higher-priority request displaces the lowest waiting one.
        assert!(matches!(
            q.push(req(5, "d.", Priority::Urgent)).as_slice(),
            [QueueEvent::Refused { id: 2, .. }]
        ));
        assert_eq!(q.waiting(), 2);
    }

    #[test]
    fn cache_hits_normalised_text_and_evicts_least_recent() {
        let mut c = PhraseCache::new(2);
        let mk = |n: usize| move || Audio::new(vec![0.1; n], 22_050);
        let a = c
            .get_or_synthesize("espeak", Lang::Vi, "Xin chào", mk(10))
            .unwrap();
        let b = c
            .get_or_synthesize("espeak", Lang::Vi, "  xin   CHÀO ", || panic!("must hit"))
            .unwrap();
        assert_eq!(a, b);
        c.get_or_synthesize("espeak", Lang::En, "Hello", mk(20))
            .unwrap();
        c.get_or_synthesize("espeak", Lang::Vi, "xin chào", || panic!("must hit"))
            .unwrap();
        // "Hello" is now the least recent: a third phrase evicts it.
        c.get_or_synthesize("espeak", Lang::Vi, "Tạm biệt", mk(30))
            .unwrap();
        assert_eq!(c.len(), 2);
        let mut called = false;
        c.get_or_synthesize("espeak", Lang::En, "Hello", || {
            called = true;
            Audio::new(vec![0.0; 5], 22_050)
        })
        .unwrap();
        assert!(called);
        assert_eq!(c.stats(), (2, 4));
        // Failures are not cached.
        let e = c.get_or_synthesize("piper", Lang::Vi, "x", || {
            Err(SpeechError::Engine {
                engine: "piper",
                reason: "boom".into(),
            })
        });
        assert!(e.is_err());
        assert!(c.get_or_synthesize("piper", Lang::Vi, "x", mk(1)).is_ok());
    }

    #[test]
    fn gate_blocks_self_speech_and_allows_barge_in() {
        let mut g = ListenGate::new(16_000, true, 400, 300).unwrap();
        assert_eq!(g.decide(0, None), GateDecision::Listen);
        g.robot_started();
        assert_eq!(g.decide(1_000, None), GateDecision::Gated);
        // Citizen starts at 16 000; 200 ms later still gated, 400 ms later barge-in.
        assert_eq!(
            g.decide(16_000 + 3_200, Some((16_000, 19_200))),
            GateDecision::Gated
        );
        // A cough: open for long, but voiced for only 100 ms.
        assert_eq!(
            g.decide(16_000 + 9_600, Some((16_000, 17_600))),
            GateDecision::Gated
        );
        assert_eq!(
            g.decide(16_000 + 6_400, Some((16_000, 22_400))),
            GateDecision::BargeIn {
                from_sample: 16_000
            }
        );
        assert!(!g.robot_speaking());
        assert_eq!(
            g.decide(30_000, Some((16_000, 30_000))),
            GateDecision::Listen
        );
    }

    #[test]
    fn gate_echo_tail_and_barge_in_disabled() {
        let mut g = ListenGate::new(16_000, false, 400, 300).unwrap();
        g.robot_started();
        assert_eq!(g.decide(100_000, Some((0, 100_000))), GateDecision::Gated);
        g.robot_stopped(100_000);
        assert_eq!(g.decide(104_000, None), GateDecision::Gated); // 250 ms into a 300 ms tail
        assert_eq!(g.decide(104_800, None), GateDecision::Listen);
        assert!(ListenGate::new(16_000, true, 50, 0).is_err());
    }
}
