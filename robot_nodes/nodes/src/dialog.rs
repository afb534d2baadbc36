//! The dialog node: `letan-dialog`'s conversation manager between what the robot perceives and what
//! it does. Every decision is the pure [`Dialog`]; this file only turns messages into its events and
//! its actions into messages.
//!
//! | direction | topic | type |
//! |---|---|---|
//! | in | `/speech/transcript` (final results only; source `asr`, `keyboard`, `button`, `sim`) | letan_interfaces/Transcript |
//! | in | `/greeting/greet` (the greeting policy's decision; id = person id) | letan_interfaces/SayRequest |
//! | in | `/humans/persons/<id>/engagement_status` of the person in the conversation | hri_msgs/EngagementLevel |
//! | in | `/humans/faces/tracked` (the person out of sight for `lost_s` = gone) | hri_msgs/IdsList |
//! | in | `/tts/status` | letan_interfaces/SpeechStatus |
//! | in | `/tts/ready` (latched: since when the tts process takes requests) | std_msgs/Header |
//! | in | `/tts/stop` (barge-in from the ASR node, or an operator) | std_msgs/Empty |
//! | in | `/nav/guide_status` (the goals the dialog sent, and a running guide goal it adopts after a restart) | letan_interfaces/GuideStatus |
//! | in | `/mux/status` (teleop active = an operator took over) | letan_interfaces/MuxStatus |
//! | out | `/tts/say` | letan_interfaces/SayRequest |
//! | out | `/tts/stop` | std_msgs/Empty |
//! | out | `/dialog/screen` (transient local) | letan_interfaces/ScreenContent |
//! | out | `/dialog/state` (on change and at 1 Hz) | letan_interfaces/DialogState |
//! | out | `/dialog/language` (transient local) | std_msgs/String (`vi`/`en`) |
//! | out | `/nav/goal` | letan_interfaces/NavGoalPlace |
//! | out | `/staff/alert` | letan_interfaces/StaffAlert |
//!
//! What the dialog asked the tts node to say stays in a [`SayLedger`] until `/tts/status` says it
//! ended: when `/tts/ready` shows a new tts process (the old one killed or crashed, and restarted
//! by the launcher), what it had accepted and not finished is sent again, in order, once; what is
//! older than [`RESEND_WITHIN_S`], of a conversation that is over, stopped, or cut off after the
//! person spoke again, is dropped, not said late.
//!
//! The knowledge base is read from `kb_dir` and reloaded live when a change is valid; an invalid
//! change is logged and the previous knowledge base stays in service.
use crate::common::{kb_files, repo_root, resolve, start, NodeArgs, NodesError};
use letan_dialog::say_ledger::RESEND_WITHIN_S;
use letan_dialog::{
    Action, Dialog, DialogConfig, Event, Language, NavTracker, Presence, SayLedger, ScreenContent,
    Source, TakeoverWatch, TtsRequest, Utterance,
};
use letan_msgs::hri_msgs::{EngagementLevel, IdsList};
use letan_msgs::letan_interfaces::{
    DialogState, GuideStatus, MuxStatus, NavGoalPlace, SayRequest, ScreenContent as ScreenMsg,
    SpeechStatus, StaffAlert, Transcript,
};
use letan_msgs::std_msgs::{Empty, Header, StringMsg};
use letan_nlu::{NluConfig, ReloadOutcome, Reloader};
use letan_transport::{Clock, Context, Node, Publisher, Qos, Rate, Subscriber};
use std::future::Future;
use std::path::Path;
use std::time::Duration;

/// Longest transcript text accepted from the wire (longer ones are cut before the dialog sees them).
pub const MAX_TRANSCRIPT_BYTES: usize = 16 * 1024;

/// Topics of the dialog node (remap them with `-r`).
pub mod topics {
    pub const TRANSCRIPT: &str = "/speech/transcript";
    pub const GREET: &str = "/greeting/greet";
    pub const FACES_TRACKED: &str = "/humans/faces/tracked";
    pub const TTS_STATUS: &str = "/tts/status";
    pub const TTS_STOP: &str = "/tts/stop";
    pub const TTS_SAY: &str = "/tts/say";
    pub const TTS_READY: &str = "/tts/ready";
    pub const GUIDE_STATUS: &str = "/nav/guide_status";
    pub const MUX_STATUS: &str = "/mux/status";
    pub const SCREEN: &str = "/dialog/screen";
    pub const STATE: &str = "/dialog/state";
    pub const LANGUAGE: &str = "/dialog/language";
    pub const NAV_GOAL: &str = "/nav/goal";
    pub const STAFF_ALERT: &str = "/staff/alert";
}

fn lang_of(code: &str) -> Option<Language> {
    match code {
        "vi" => Some(Language::Vi),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The `Utterance` for a final transcript, or `None` for partials and empty or non-text input.
pub fn utterance(t: &Transcript) -> Option<Utterance> {
    if !t.is_final {
        return None;
    }
    let mut text = t.text.clone();
    if text.len() > MAX_TRANSCRIPT_BYTES {
        let mut cut = MAX_TRANSCRIPT_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    if text.trim().is_empty() {
        return None;
    }
    let confidence = if t.confidence.is_finite() {
        t.confidence.clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some(Utterance {
        text,
        lang: lang_of(&t.language),
        confidence,
        source: Source::parse(&t.source),
    })
}

/// The screen message of the dialog's screen content.
pub fn screen_msg(s: &ScreenContent, header: Header) -> ScreenMsg {
    ScreenMsg {
        header,
        language: s.lang.code().to_string(),
        title: s.title.clone(),
        body: s.body.clone(),
        documents: s.documents.clone(),
        qr_url: s.qr_url.clone().unwrap_or_default(),
        suggestion_ids: s.suggestions.iter().map(|x| x.id.clone()).collect(),
        suggestion_labels: s.suggestions.iter().map(|x| x.label.clone()).collect(),
        heard: s.heard.clone(),
        confirm: s.confirm,
    }
}

struct Pubs {
    say: Publisher<SayRequest>,
    stop: Publisher<Empty>,
    screen: Publisher<ScreenMsg>,
    state: Publisher<DialogState>,
    language: Publisher<StringMsg>,
    goal: Publisher<NavGoalPlace>,
    alert: Publisher<StaffAlert>,
}

struct Executor<'a> {
    pubs: &'a Pubs,
    clock: &'a Clock,
    nav: &'a mut NavTracker,
    ledger: &'a mut SayLedger,
    said: &'a mut u64,
    alerts: &'a mut u64,
    /// The node clock when the actions run (s).
    now: f64,
    /// The person in the conversation the actions belong to.
    person: String,
}

impl Executor<'_> {
    fn header(&self) -> Header {
        Header::new(self.clock.now(), "base_link")
    }

    fn publish_say(&self, r: &TtsRequest, interrupt: bool) -> Result<(), NodesError> {
        self.pubs.say.publish(SayRequest {
            header: self.header(),
            id: r.id.clone(),
            text: r.text.clone(),
            language: r.lang.code().to_string(),
            voice: String::new(),
            priority: SayRequest::PRIORITY_NORMAL,
            interrupt,
        })?;
        Ok(())
    }

    /// Sends again what a restarted tts process never got (in order; queued, not interrupting).
    fn resend(&mut self, again: Vec<TtsRequest>) -> Result<(), NodesError> {
        for r in again {
            tracing::info!(id = %r.id, text = ?r.text, "say again: the tts process restarted before it was said");
            self.publish_say(&r, false)?;
        }
        Ok(())
    }

    fn run(&mut self, actions: Vec<Action>) -> Result<(), NodesError> {
        for a in actions {
            match a {
                Action::Say {
                    text,
                    lang,
                    rate,
                    interrupt,
                } => {
                    *self.said += 1;
                    tracing::debug!(text = ?text, rate, "say");
                    let r = TtsRequest {
                        // The process id too: a status echoing a killed dialog's request is not
                        // taken for one of the restarted dialog's.
                        id: format!("dialog-{}-{}", std::process::id(), self.said),
                        text,
                        lang,
                    };
                    self.publish_say(&r, interrupt)?;
                    self.ledger.said(r, &self.person, interrupt, self.now);
                }
                Action::StopSpeaking => {
                    self.pubs.stop.publish(Empty {})?;
                    self.ledger.stopped(self.now);
                }
                Action::ShowScreen(s) => self.pubs.screen.publish(screen_msg(&s, self.header()))?,
                Action::NavigateTo {
                    place,
                    guide,
                    person_id,
                } => {
                    self.nav.expect(Some(place.clone()), self.clock.seconds());
                    self.pubs.goal.publish(NavGoalPlace {
                        header: Header::new(self.clock.now(), "map"),
                        place_id: place,
                        person_id: if guide { person_id } else { String::new() },
                        guide,
                    })?;
                }
                Action::CancelNavigation => {
                    self.nav.expect(None, self.clock.seconds());
                    self.pubs.goal.publish(NavGoalPlace {
                        header: Header::new(self.clock.now(), "map"),
                        ..NavGoalPlace::default()
                    })?;
                }
                Action::ReturnToDock => {
                    self.nav.expect(Some("dock".into()), self.clock.seconds());
                    self.pubs.goal.publish(NavGoalPlace {
                        header: Header::new(self.clock.now(), "map"),
                        place_id: "dock".into(),
                        person_id: String::new(),
                        guide: false,
                    })?;
                }
                Action::StaffAlert {
                    reason,
                    text,
                    lang,
                    person_id,
                } => {
                    *self.alerts += 1;
                    tracing::warn!(reason = reason.as_str(), text = ?text, "staff alert");
                    self.pubs.alert.publish(StaffAlert {
                        header: self.header(),
                        id: format!("dialog-{}-{}", std::process::id(), self.alerts),
                        reason: reason.as_str().to_string(),
                        text,
                        language: lang.code().to_string(),
                        person_id,
                    })?;
                }
                Action::SwitchLanguage { lang } => self.pubs.language.publish(StringMsg {
                    data: lang.code().to_string(),
                })?,
            }
        }
        Ok(())
    }
}

/// The person in the conversation and their engagement topic.
struct Watched {
    presence: Presence,
    sub: Subscriber<EngagementLevel>,
}

fn watch(node: &Node, id: &str, now: f64) -> Result<Option<Watched>, NodesError> {
    // Person ids become topic names: only the face node's anonymous ids (letters, digits, `_`).
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Ok(None);
    }
    let sub = node.subscribe::<EngagementLevel>(
        &format!("/humans/persons/{id}/engagement_status"),
        Qos::latched(),
    )?;
    Ok(Some(Watched {
        presence: Presence::new(id, now),
        sub,
    }))
}

/// What the dialog node reads.
struct Inputs {
    transcripts: Subscriber<Transcript>,
    greets: Subscriber<SayRequest>,
    tracked: Subscriber<IdsList>,
    tts_status: Subscriber<SpeechStatus>,
    tts_ready: Subscriber<Header>,
    tts_stop: Subscriber<Empty>,
    guide: Subscriber<GuideStatus>,
    mux: Subscriber<MuxStatus>,
}

/// The watchers between the topics and the dialog's events.
struct Watchers {
    nav: NavTracker,
    takeover: TakeoverWatch,
    /// The person in the conversation: engagement, or out of sight for too long.
    person: Option<Watched>,
    /// The say requests not yet heard to end.
    ledger: SayLedger,
    /// What a restarted tts process is to be sent again, before this tick's new requests.
    resend: Vec<TtsRequest>,
}

impl Inputs {
    /// Everything that arrived since the last tick, as the dialog's events, ending with a tick.
    fn events(&self, lang: Language, w: &mut Watchers, now: f64) -> Vec<Event> {
        let mut events: Vec<Event> = Vec::new();
        while let Some(g) = self.greets.try_recv() {
            let lang = lang_of(&g.language).unwrap_or(lang);
            events.push(Event::Greeted {
                // A group greeting names everyone; the conversation is with the first.
                id: g
                    .id
                    .split(',')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                text: g.text.clone(),
                lang,
            });
        }
        while let Some(tr) = self.transcripts.try_recv() {
            if let Some(u) = utterance(&tr) {
                // The screen's language buttons say which language they want: no toggle back.
                if u.source == Source::Button
                    && u.text.trim() == "chat.language"
                    && u.lang == Some(lang)
                {
                    continue;
                }
                events.push(Event::Transcript(u));
            }
        }
        while let Some(s) = self.tts_status.try_recv() {
            w.ledger.status(&s);
            events.push(if s.speaking {
                Event::TtsStarted
            } else {
                Event::TtsFinished
            });
        }
        while let Some(r) = self.tts_ready.try_recv() {
            let again = w.ledger.tts_ready(r.stamp.as_secs_f64(), now);
            w.resend.extend(again);
        }
        while self.tts_stop.try_recv().is_some() {
            w.ledger.stop_heard(now);
            events.push(Event::BargeIn);
        }
        while let Some(g) = self.guide.try_recv() {
            events.extend(w.nav.feed(&g, now).into_iter().map(Event::Nav));
        }
        events.extend(w.nav.tick(now).map(Event::Nav));
        while let Some(m) = self.mux.try_recv() {
            if let Some(op) = w.takeover.feed(&m, now) {
                tracing::info!(?op, "operator");
                events.push(Event::Operator(op));
            }
        }
        if let Some(op) = w.takeover.tick(now) {
            events.push(Event::Operator(op));
        }
        if let Some(p) = w.person.as_mut() {
            if let Some(ids) = self.tracked.latest() {
                p.presence.tracked(&ids.ids, now);
            }
            let disengaged = p
                .sub
                .latest()
                .is_some_and(|l| l.level == EngagementLevel::DISENGAGED);
            events.extend(p.presence.check(disengaged, now));
        }
        events.push(Event::Tick);
        events
    }
}

/// `/dialog/state`: on every change, and again every second.
#[derive(Default)]
struct StateOut {
    last: Option<DialogState>,
    at: Option<f64>,
}

impl StateOut {
    /// `answers` differs from the last state published.
    fn is_new_answer(&self, answers: u32) -> bool {
        self.last.as_ref().is_some_and(|l| l.answers != answers)
    }

    fn publish(
        &mut self,
        pubs: &Pubs,
        mut msg: DialogState,
        stamp: Header,
        now: f64,
    ) -> Result<(), NodesError> {
        msg.header = stamp;
        let changed = self.last.as_ref().is_none_or(|l| {
            let mut l = l.clone();
            l.header = msg.header.clone();
            l != msg
        });
        if changed || self.at.is_none_or(|at| now - at >= 1.0) {
            if changed {
                tracing::info!(state = %msg.state, intent = %msg.intent, person = %msg.person_id, "dialog state");
            }
            pubs.state.publish(msg.clone())?;
            self.at = Some(now);
            self.last = Some(msg);
        }
        Ok(())
    }
}

/// Offers the knowledge base in `dir` to the reloader; a new valid one goes into service.
fn reload_kb(dir: &Path, reloader: &mut Reloader, dialog: &mut Dialog) {
    match kb_files(Some(dir)) {
        Ok(files) => match reloader.offer(files) {
            ReloadOutcome::Reloaded => dialog.set_nlu(reloader.nlu().clone()),
            ReloadOutcome::Rejected(e) => {
                tracing::warn!(error = %e, "knowledge base change rejected; the previous one stays in service")
            }
            ReloadOutcome::Unchanged => {}
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the knowledge base; the previous one stays in service")
        }
    }
}

/// Run the dialog node until `shutdown`.
pub async fn run(
    ctx: Context,
    args: NodeArgs,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), NodesError> {
    let (node, cfg) = start::<DialogConfig>(&ctx, &args, "dialog", |c| {
        c.validate().map_err(|e| e.to_string())
    })?;
    let root = repo_root();
    let kb_dir = (!cfg.kb_dir.trim().is_empty()).then(|| resolve(&root, &cfg.kb_dir));
    let mut reloader = Reloader::new(
        kb_files(kb_dir.as_deref()).map_err(|e| NodesError::node(&node, e))?,
        NluConfig::default(),
    )
    .map_err(|e| NodesError::node(&node, format!("knowledge base: {e}")))?;
    let places_path = resolve(&root, &cfg.places_yaml);
    let places = letan_map::Places::load(&places_path)
        .map_err(|e| NodesError::node(&node, format!("places {}: {e}", places_path.display())))?;
    let reload_period = cfg.kb_reload_period_s;
    let mut dialog =
        Dialog::new(cfg, reloader.nlu().clone(), places).map_err(|e| NodesError::node(&node, e))?;

    use topics as t;
    let pubs = Pubs {
        say: node.publisher(t::TTS_SAY, Qos::commands().with_depth(20))?,
        stop: node.publisher(t::TTS_STOP, Qos::commands())?,
        screen: node.publisher(t::SCREEN, Qos::latched())?,
        state: node.publisher(t::STATE, Qos::commands().with_depth(20))?,
        language: node.publisher(t::LANGUAGE, Qos::latched())?,
        goal: node.publisher(t::NAV_GOAL, Qos::commands())?,
        alert: node.publisher(t::STAFF_ALERT, Qos::commands().with_depth(20))?,
    };
    let inputs = Inputs {
        transcripts: node.subscribe(t::TRANSCRIPT, Qos::commands().with_depth(50))?,
        greets: node.subscribe(t::GREET, Qos::commands())?,
        tracked: node.subscribe(t::FACES_TRACKED, Qos::commands())?,
        tts_status: node.subscribe(t::TTS_STATUS, Qos::commands().with_depth(50))?,
        tts_ready: node.subscribe(t::TTS_READY, Qos::latched())?,
        tts_stop: node.subscribe(t::TTS_STOP, Qos::commands())?,
        guide: node.subscribe(t::GUIDE_STATUS, Qos::commands().with_depth(50))?,
        mux: node.subscribe(t::MUX_STATUS, Qos::commands())?,
    };

    let clock = node.clock();
    let t0 = clock.seconds();
    let since_start = |now: f64| Duration::from_secs_f64((now - t0).max(0.0));
    let mut w = Watchers {
        nav: NavTracker::default(),
        takeover: TakeoverWatch::default(),
        person: None,
        ledger: SayLedger::new(RESEND_WITHIN_S),
        resend: Vec::new(),
    };
    let (mut said, mut alerts) = (0u64, 0u64);
    let mut state = StateOut::default();
    let mut reload_at = clock.seconds() + reload_period;
    // The home screen and the language, for late joiners (both latched).
    {
        let now = clock.seconds();
        let actions = dialog.handle(Event::Tick, since_start(now));
        let mut ex = Executor {
            pubs: &pubs,
            clock: &clock,
            nav: &mut w.nav,
            ledger: &mut w.ledger,
            said: &mut said,
            alerts: &mut alerts,
            now,
            person: dialog.person().to_string(),
        };
        ex.run(actions)?;
        pubs.language.publish(StringMsg {
            data: dialog.language().code().to_string(),
        })?;
    }
    tracing::info!(kb = ?kb_dir, "dialog ready");
    let mut rate = Rate::new(clock.clone(), 10.0);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = rate.tick() => {}
        }
        let now = clock.seconds();
        let events = inputs.events(dialog.language(), &mut w, now);
        let mut ex = Executor {
            pubs: &pubs,
            clock: &clock,
            nav: &mut w.nav,
            ledger: &mut w.ledger,
            said: &mut said,
            alerts: &mut alerts,
            now,
            person: dialog.person().to_string(),
        };
        // What a restarted tts process lost comes before anything new.
        ex.resend(std::mem::take(&mut w.resend))?;
        for ev in events {
            if matches!(ev, Event::Transcript(_)) {
                ex.ledger.person_spoke();
            }
            let actions = dialog.handle(ev, since_start(now));
            ex.person.clear();
            ex.person.push_str(dialog.person());
            ex.run(actions)?;
            // Every answer gets its own state (two questions in one tick: two answers), so that
            // whoever follows `/dialog/state` sees each one, not only the last.
            if state.is_new_answer(dialog.answers()) {
                state.publish(
                    &pubs,
                    dialog.snapshot().to_msg(),
                    Header::new(clock.now(), "base_link"),
                    now,
                )?;
            }
        }
        let snap = dialog.snapshot();
        w.ledger.conversation(&snap.person_id);
        w.ledger.tick(now);
        if w.person.as_ref().map(|p| p.presence.id()) != Some(snap.person_id.as_str()) {
            w.person = watch(&node, &snap.person_id, now)?;
        }
        state.publish(
            &pubs,
            snap.to_msg(),
            Header::new(clock.now(), "base_link"),
            now,
        )?;
        if now >= reload_at {
            reload_at = now + reload_period;
            if let Some(dir) = &kb_dir {
                reload_kb(dir, &mut reloader, &mut dialog);
            }
        }
    }
    Ok(())
}
