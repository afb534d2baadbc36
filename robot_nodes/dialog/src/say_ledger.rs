//! What the dialog asked the tts node to say and has not yet heard it finish ([`SayLedger`]), so
//! that what a killed or crashed tts node had accepted (being spoken, or queued behind something
//! else) is said once its restarted process is back, instead of being silently lost.
//!
//! The tts node latches `/tts/ready`: the time (its clock) from which it takes `/tts/say`
//! requests. A new time is a new tts process, which never got anything sent before it: the
//! unfinished requests sent before it are sent again, in their order, once. A request stays in
//! the ledger until `/tts/status` says its utterance ended (`speaking: false` with its id),
//! and is dropped, not said late, when it is older than the bound ([`RESEND_WITHIN_S`] in the
//! node), when the conversation it belongs to is over (another person, or none), when speech is
//! stopped (`/tts/stop`, or a request that interrupts), or when it had started (the person heard
//! part of it) and the person has spoken since it was asked for (the conversation moved on).
//!
//! Pure: the time is passed in (seconds of the node clock, the clock the tts node stamps with).

use std::collections::VecDeque;

use letan_msgs::letan_interfaces::SpeechStatus;

use crate::Language;

/// Unfinished requests older than this when the tts node comes back are dropped, not said (s).
pub const RESEND_WITHIN_S: f64 = 30.0;
/// A `/tts/stop` heard within this of the dialog's own stop is taken for that one (s).
pub const OWN_STOP_ECHO_S: f64 = 1.0;
/// At most this many unfinished requests are kept (the oldest are dropped first).
pub const MAX_OUTSTANDING: usize = 32;
/// A `/tts/ready` time further ahead of the dialog's clock than this is not this robot's clock
/// (ignored) (s).
pub const READY_AHEAD_S: f64 = 5.0;

/// A say request of the dialog: its `SayRequest.id`, text and language.
#[derive(Debug, Clone, PartialEq)]
pub struct TtsRequest {
    pub id: String,
    pub text: String,
    pub lang: Language,
}

#[derive(Debug, Clone)]
struct Outstanding {
    req: TtsRequest,
    /// The person of the conversation it was said in (`""`: none).
    person: String,
    /// Its place among the dialog's requests (1, 2, …).
    seq: u64,
    first_sent: f64,
    last_sent: f64,
    /// The tts node it was last sent to reported it started.
    started: bool,
}

/// The dialog's unfinished say requests. See the module docs.
#[derive(Debug, Clone)]
pub struct SayLedger {
    resend_within_s: f64,
    entries: VecDeque<Outstanding>,
    /// The `/tts/ready` time last heard.
    tts_ready: Option<f64>,
    /// Requests said so far.
    said: u64,
    /// The person last said (typed, pressed) something after this many requests.
    person_spoke: Option<u64>,
    /// When the dialog last stopped the speech itself (its own `/tts/stop` may come back).
    own_stop: Option<f64>,
}

impl Default for SayLedger {
    fn default() -> Self {
        SayLedger::new(RESEND_WITHIN_S)
    }
}

impl SayLedger {
    /// A ledger that drops requests older than `resend_within_s` rather than say them late.
    pub fn new(resend_within_s: f64) -> SayLedger {
        SayLedger {
            resend_within_s,
            entries: VecDeque::new(),
            tts_ready: None,
            said: 0,
            person_spoke: None,
            own_stop: None,
        }
    }

    /// Unfinished requests.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The dialog sent `req` at `now`, in the conversation with `person`. One that `interrupt`s
    /// makes the tts node drop what it was saying and had queued: so does the ledger.
    pub fn said(&mut self, req: TtsRequest, person: &str, interrupt: bool, now: f64) {
        if interrupt {
            self.entries.clear();
        }
        if self.entries.len() >= MAX_OUTSTANDING {
            self.entries.pop_front();
        }
        self.said += 1;
        self.entries.push_back(Outstanding {
            req,
            person: person.to_string(),
            seq: self.said,
            first_sent: now,
            last_sent: now,
            started: false,
        });
    }

    /// The person said, typed or pressed something (after the requests recorded so far, before
    /// those recorded next: call it in the order the dialog handles its events).
    pub fn person_spoke(&mut self) {
        self.person_spoke = Some(self.said);
    }

    /// The dialog stopped the speech itself (`/tts/stop`): the tts node dropped everything.
    pub fn stopped(&mut self, now: f64) {
        self.entries.clear();
        self.own_stop = Some(now);
    }

    /// A `/tts/stop` was heard at `now` (the ASR's barge-in, an operator): the tts node dropped
    /// everything. The dialog's own stop, coming back, is not counted again: what was sent after
    /// it stays.
    pub fn stop_heard(&mut self, now: f64) {
        if self
            .own_stop
            .take()
            .is_some_and(|at| now - at <= OWN_STOP_ECHO_S)
        {
            return;
        }
        self.entries.clear();
    }

    /// The conversation is now with `person` (`""`: none): requests of another are dropped.
    pub fn conversation(&mut self, person: &str) {
        self.entries.retain(|e| e.person == person);
    }

    /// Drops requests too old to be said.
    pub fn tick(&mut self, now: f64) {
        let within = self.resend_within_s;
        self.entries.retain(|e| now - e.first_sent <= within);
    }

    /// One `/tts/status`: an utterance of a request started, or ended (then the request is done,
    /// and so are the started ones before it, whose end was missed). The status names the request
    /// by its id (`request_id`, echoed by the tts node): a status with an id that is none of the
    /// ledger's (the console's "say this", another node's request) changes nothing, even when its
    /// text is the same as one of ours. A status without an id (a tts node that does not echo
    /// it, a request sent without one) is matched by its text.
    pub fn status(&mut self, s: &SpeechStatus) {
        let Some(i) = self.find(s) else {
            return;
        };
        if s.speaking {
            self.entries[i].started = true;
        } else {
            let mut k = 0;
            self.entries.retain(|e| {
                let keep = k > i || (k < i && !e.started);
                k += 1;
                keep
            });
        }
    }

    /// The request a status is about: by id, or by text when the status has no id (the first
    /// not yet started one for a start, the first one for an end).
    fn find(&self, s: &SpeechStatus) -> Option<usize> {
        if !s.request_id.is_empty() {
            return self.entries.iter().position(|e| e.req.id == s.request_id);
        }
        self.entries
            .iter()
            .position(|e| e.req.text == s.text && (!s.speaking || !e.started))
    }

    /// `/tts/ready` says, at `now`, that the tts node takes requests since `since`. A new time is
    /// a new tts process: the requests sent before it and not finished are returned, in order,
    /// to send again (and are then kept until their end is heard, like new ones). The same time
    /// again returns nothing.
    pub fn tts_ready(&mut self, since: f64, now: f64) -> Vec<TtsRequest> {
        if !since.is_finite() || since > now + READY_AHEAD_S || self.tts_ready == Some(since) {
            return Vec::new();
        }
        self.tts_ready = Some(since);
        self.tick(now);
        let spoke = self.person_spoke;
        let mut kept = VecDeque::with_capacity(self.entries.len());
        let mut again = Vec::new();
        for mut e in self.entries.drain(..) {
            if e.last_sent >= since {
                // Sent to this tts process: it has it.
                kept.push_back(e);
            } else if e.started && spoke.is_some_and(|n| n >= e.seq) {
                // Partly heard, and the person has spoken since: the conversation moved on.
                tracing::debug!(text = ?e.req.text, "interrupted utterance superseded");
            } else {
                e.last_sent = now;
                e.started = false;
                again.push(e);
            }
        }
        let out = again.iter().map(|e| e.req.clone()).collect();
        kept.extend(again);
        self.entries = kept;
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn req(n: u32, text: &str) -> TtsRequest {
        TtsRequest {
            id: format!("dialog-{n}"),
            text: text.into(),
            lang: Language::Vi,
        }
    }

    fn status(speaking: bool, text: &str) -> SpeechStatus {
        SpeechStatus {
            speaking,
            text: text.into(),
            ..SpeechStatus::default()
        }
    }

    fn texts(v: &[TtsRequest]) -> Vec<&str> {
        v.iter().map(|r| r.text.as_str()).collect()
    }

    /// The mux-killed fault run: the greeting is being spoken, two answers wait behind it, the
    /// person has spoken since the greeting; the tts process is killed and comes back.
    #[test]
    fn a_restarted_tts_gets_the_queued_answers_again_in_order_once() {
        let mut l = SayLedger::default();
        l.tts_ready(0.5, 1.0);
        l.said(req(1, "Xin chào bác."), "p1", false, 2.0);
        l.status(&status(true, "Xin chào bác."));
        l.person_spoke();
        l.said(req(2, "Quầy số 12 ở phía trước."), "p1", false, 4.1);
        l.person_spoke();
        l.said(req(3, "Mời bác đi theo cháu."), "p1", false, 6.1);
        assert_eq!(l.len(), 3);
        // The tts dies at 14 s, its new process takes requests from 16 s; the dialog hears it at 17 s.
        let again = l.tts_ready(16.0, 17.0);
        assert_eq!(
            texts(&again),
            ["Quầy số 12 ở phía trước.", "Mời bác đi theo cháu."]
        );
        assert_eq!(again[0].id, "dialog-2");
        // The latched time heard again (a repeat, a reconnection): nothing more.
        assert!(l.tts_ready(16.0, 18.0).is_empty());
        // Said this time: done.
        l.status(&status(true, "Quầy số 12 ở phía trước."));
        l.status(&status(false, "Quầy số 12 ở phía trước."));
        l.status(&status(true, "Mời bác đi theo cháu."));
        l.status(&status(false, "Mời bác đi theo cháu."));
        assert!(l.is_empty());
        assert!(l.tts_ready(40.0, 41.0).is_empty());
    }

    #[test]
    fn finished_requests_are_not_sent_again() {
        let mut l = SayLedger::default();
        l.said(req(1, "Một."), "p", false, 1.0);
        l.said(req(2, "Hai."), "p", false, 1.1);
        l.status(&status(true, "Một."));
        l.status(&status(false, "Một."));
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Hai."]);
    }

    #[test]
    fn an_utterance_cut_off_is_said_again_unless_the_person_spoke_since() {
        let mut l = SayLedger::default();
        l.said(req(1, "Thủ tục khai sinh cần …"), "p", false, 1.0);
        l.status(&status(true, "Thủ tục khai sinh cần …"));
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Thủ tục khai sinh cần …"]);

        let mut l = SayLedger::default();
        l.said(req(1, "Xin chào bác."), "p", false, 1.0);
        l.status(&status(true, "Xin chào bác."));
        l.person_spoke();
        assert!(l.tts_ready(5.0, 5.5).is_empty());
        assert!(l.is_empty());

        // The question, then its answer, in the same instant: the answer cut off is said again.
        let mut l = SayLedger::default();
        l.person_spoke();
        l.said(req(1, "Quầy số 12 ở phía trước."), "p", false, 1.0);
        l.status(&status(true, "Quầy số 12 ở phía trước."));
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Quầy số 12 ở phía trước."]);
    }

    #[test]
    fn requests_sent_to_the_new_process_are_not_sent_twice_and_keep_their_place() {
        let mut l = SayLedger::default();
        l.said(req(1, "Cũ."), "p", false, 1.0);
        // Sent after the new process began to take requests, heard of before its ready time.
        l.said(req(2, "Mới."), "p", false, 6.0);
        assert_eq!(texts(&l.tts_ready(5.0, 6.5)), ["Cũ."]);
        // The tts says "Mới." then "Cũ.": the ledger follows that order.
        l.status(&status(true, "Mới."));
        l.status(&status(false, "Mới."));
        assert_eq!(l.len(), 1);
        // Killed again before "Cũ." ended: sent again to the next process.
        assert_eq!(texts(&l.tts_ready(9.0, 9.5)), ["Cũ."]);
    }

    #[test]
    fn stale_requests_are_dropped_not_said_late() {
        let mut l = SayLedger::new(30.0);
        l.said(req(1, "Cũ quá."), "p", false, 1.0);
        l.said(req(2, "Còn kịp."), "p", false, 20.0);
        assert_eq!(texts(&l.tts_ready(40.0, 40.5)), ["Còn kịp."]);
        l.tick(60.0);
        assert!(l.is_empty());
    }

    #[test]
    fn another_conversation_drops_the_requests_of_the_last() {
        let mut l = SayLedger::default();
        l.said(req(1, "Tạm biệt bác."), "p1", false, 1.0);
        l.conversation("p1");
        assert_eq!(l.len(), 1);
        l.conversation("");
        assert!(l.is_empty());
        l.said(req(2, "Xin chào."), "p2", false, 2.0);
        l.conversation("p2");
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Xin chào."]);
    }

    #[test]
    fn stops_and_interruptions_drop_what_the_tts_dropped() {
        let mut l = SayLedger::default();
        l.said(req(1, "Một."), "p", false, 1.0);
        l.stopped(1.5);
        l.said(req(2, "Hai."), "p", false, 1.5);
        // The dialog's own stop, coming back: "Hai." stays.
        l.stop_heard(1.6);
        assert_eq!(l.len(), 1);
        // Someone else's stop (barge-in, console): dropped.
        l.stop_heard(3.0);
        assert!(l.is_empty());
        l.said(req(3, "Ba."), "p", false, 4.0);
        l.said(req(4, "Nhân viên nói."), "p", true, 4.1);
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Nhân viên nói."]);
    }

    #[test]
    fn the_same_text_twice_is_matched_oldest_first() {
        let mut l = SayLedger::default();
        l.said(req(1, "Bác cần hỏi gì nữa không ạ?"), "p", false, 1.0);
        l.said(req(2, "Bác cần hỏi gì nữa không ạ?"), "p", false, 2.0);
        l.status(&status(true, "Bác cần hỏi gì nữa không ạ?"));
        l.status(&status(false, "Bác cần hỏi gì nữa không ạ?"));
        let again = l.tts_ready(5.0, 5.5);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, "dialog-2");
    }

    fn status_of(speaking: bool, id: &str, text: &str) -> SpeechStatus {
        SpeechStatus {
            request_id: id.into(),
            ..status(speaking, text)
        }
    }

    /// The console's "say this" with the very words of an answer the dialog is waiting to hear
    /// said: by text it would end the dialog's request, by id it does not.
    #[test]
    fn statuses_are_matched_by_request_id_not_by_text() {
        let mut l = SayLedger::default();
        l.said(req(1, "Mời bác đi theo cháu."), "p", false, 1.0);
        l.said(req(2, "Quầy số 3 ở bên trái."), "p", false, 1.1);
        l.status(&status_of(true, "console-7", "Mời bác đi theo cháu."));
        l.status(&status_of(false, "console-7", "Mời bác đi theo cháu."));
        assert_eq!(l.len(), 2);
        // The dialog's second request said: the first, never started, waits on.
        l.status(&status_of(true, "dialog-2", "Quầy số 3 ở bên trái."));
        l.status(&status_of(false, "dialog-2", "Quầy số 3 ở bên trái."));
        assert_eq!(texts(&l.tts_ready(5.0, 5.5)), ["Mời bác đi theo cháu."]);
        // An id of ours names the request whatever text comes with it.
        l.status(&status_of(true, "dialog-1", ""));
        l.status(&status_of(false, "dialog-1", "?"));
        assert!(l.is_empty());
    }

    #[test]
    fn a_ready_time_from_another_clock_or_nonsense_is_ignored() {
        let mut l = SayLedger::default();
        l.said(req(1, "Một."), "p", false, 1.0);
        assert!(l.tts_ready(f64::NAN, 2.0).is_empty());
        assert!(l.tts_ready(1e9, 2.0).is_empty());
        assert_eq!(l.len(), 1);
        // Others' statuses (an operator's "say this") change nothing.
        l.status(&status(false, "Xin mời quý khách đến quầy số 3."));
        assert_eq!(texts(&l.tts_ready(3.0, 3.5)), ["Một."]);
    }

    #[test]
    fn at_most_max_outstanding_are_kept() {
        let mut l = SayLedger::default();
        for n in 0..(MAX_OUTSTANDING as u32 + 5) {
            l.said(req(n, &format!("Câu {n}.")), "p", false, 1.0);
        }
        assert_eq!(l.len(), MAX_OUTSTANDING);
        let again = l.tts_ready(5.0, 5.5);
        assert_eq!(again[0].text, "Câu 5.");
    }
}
