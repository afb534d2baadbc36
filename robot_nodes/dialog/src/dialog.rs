//! The conversation state machine.

use std::time::Duration;

use letan_map::{Places, Pose2D};
use letan_nlu::catalog::OUT_OF_SCOPE;
use letan_nlu::normalize::normalize;
use letan_nlu::router::{unknown_place_reply, OosReason, Understanding};
use letan_nlu::{Detail, Language, Nlu, YesNo};

use crate::config::DialogConfig;
use crate::directions;
use crate::error::DialogError;

/// Where a transcript came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Speech recognition.
    Asr,
    /// Typed on the screen's keyboard (or the console).
    Keyboard,
    /// A topic button on the screen: the text is an intent id.
    Button,
}

impl Source {
    /// Read a `Transcript.source` string (`"asr"`, `"keyboard"`, `"button"`; anything else is typed text).
    pub fn parse(s: &str) -> Source {
        match s {
            "asr" => Source::Asr,
            "button" => Source::Button,
            _ => Source::Keyboard,
        }
    }
}

/// A final transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    pub text: String,
    /// The recognizer's language, if known (the text decides otherwise).
    pub lang: Option<Language>,
    /// [0, 1]; 1 for typed text.
    pub confidence: f32,
    pub source: Source,
}

impl Utterance {
    /// Spoken text.
    pub fn asr(text: &str, confidence: f32) -> Utterance {
        Utterance {
            text: text.to_string(),
            lang: None,
            confidence,
            source: Source::Asr,
        }
    }

    /// Typed text.
    pub fn typed(text: &str) -> Utterance {
        Utterance {
            text: text.to_string(),
            lang: None,
            confidence: 1.0,
            source: Source::Keyboard,
        }
    }
}

/// Navigation feedback for the current goal.
#[derive(Debug, Clone, PartialEq)]
pub enum NavEvent {
    Accepted,
    /// Fraction of the path covered, [0, 1].
    Progress(f32),
    Arrived,
    Failed {
        reason: String,
    },
    /// The guided person fell behind (the robot waits).
    FollowerLost,
    FollowerFound,
    /// Navigation stopped reporting on the goal (the node died or restarted without it).
    Silent,
    /// A guide goal this dialog did not send is running: the previous dialog process's, killed
    /// mid-walk and restarted by the launcher. An idle dialog takes the walk on as its own.
    Adopted {
        place: String,
    },
}

/// What an operator did in the console.
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorAction {
    /// A staff member takes over the conversation (stops speech and guidance).
    TakeOver,
    /// The staff member hands the conversation back to the robot.
    Release,
    /// Say this through the robot.
    Say { text: String, lang: Language },
    /// Send the robot back to its dock.
    SendHome,
}

/// An input to the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    PersonEngaged {
        id: String,
    },
    /// The greeting policy greeted this person with `text` (time of day, their language): when idle,
    /// the conversation starts with that greeting; otherwise it is a brief acknowledgement.
    Greeted {
        id: String,
        text: String,
        lang: Language,
    },
    PersonDisengaged {
        id: String,
    },
    Transcript(Utterance),
    TtsStarted,
    TtsFinished,
    /// The person started speaking while the robot was speaking.
    BargeIn,
    Nav(NavEvent),
    Operator(OperatorAction),
    /// Time passes (timeouts are checked).
    Tick,
}

/// Why the staff is alerted (the `StaffAlert.REASON_*` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertReason {
    Requested,
    NotUnderstood,
    RobotFault,
}

impl AlertReason {
    /// The `letan_interfaces/StaffAlert` reason string.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertReason::Requested => letan_msgs::letan_interfaces::StaffAlert::REASON_REQUESTED,
            AlertReason::NotUnderstood => {
                letan_msgs::letan_interfaces::StaffAlert::REASON_NOT_UNDERSTOOD
            }
            AlertReason::RobotFault => letan_msgs::letan_interfaces::StaffAlert::REASON_ROBOT_FAULT,
        }
    }
}

/// A topic button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Intent id (sent back as a [`Source::Button`] transcript).
    pub id: String,
    pub label: String,
}

/// What the citizen screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenContent {
    pub lang: Language,
    pub title: String,
    pub body: String,
    /// Documents to bring, one per item.
    pub documents: Vec<String>,
    /// The online procedure's page, for a QR code.
    pub qr_url: Option<String>,
    pub suggestions: Vec<Suggestion>,
    /// A confirmation: what the robot heard, shown for the citizen to check; `""` otherwise.
    pub heard: String,
    /// Show the big yes/no buttons ("Đúng" / "Không phải", "Yes" / "No"); they come back as
    /// [`Source::Button`] transcripts [`CONFIRM_YES`] / [`CONFIRM_NO`].
    pub confirm: bool,
}

/// The button transcript of the screen's "Đúng" / "Yes" button.
pub const CONFIRM_YES: &str = letan_msgs::letan_interfaces::ScreenContent::CONFIRM_YES;
/// The button transcript of the screen's "Không phải" / "No" button.
pub const CONFIRM_NO: &str = letan_msgs::letan_interfaces::ScreenContent::CONFIRM_NO;

/// An output of the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Say {
        text: String,
        lang: Language,
        /// Speech rate, 1.0 = normal; slower when repeating.
        rate: f32,
        /// Stop whatever is being said first.
        interrupt: bool,
    },
    StopSpeaking,
    ShowScreen(ScreenContent),
    /// Go to a place; `guide` = with the person following.
    NavigateTo {
        place: String,
        guide: bool,
        person_id: String,
    },
    CancelNavigation,
    ReturnToDock,
    StaffAlert {
        reason: AlertReason,
        text: String,
        lang: Language,
        person_id: String,
    },
    /// Switch the recognizer model and the voice.
    SwitchLanguage {
        lang: Language,
    },
}

/// The dialog's state for `/dialog/state`.
#[derive(Debug, Clone, PartialEq)]
pub struct DialogSnapshot {
    /// One of the `DialogState::STATE_*` values.
    pub state: &'static str,
    pub person_id: String,
    pub intent: String,
    pub confidence: f32,
    pub lang: Language,
    pub last_answer: String,
    /// Answers said since the start (a repeated sentence counts again).
    pub answers: u32,
    /// The robot is speaking (or is believed to be).
    pub speaking: bool,
}

impl DialogSnapshot {
    /// The `letan_interfaces/DialogState` message (header left for the node to stamp).
    pub fn to_msg(&self) -> letan_msgs::letan_interfaces::DialogState {
        letan_msgs::letan_interfaces::DialogState {
            state: self.state.to_string(),
            person_id: self.person_id.clone(),
            intent: self.intent.clone(),
            confidence: self.confidence,
            language: self.lang.code().to_string(),
            last_answer: self.last_answer.clone(),
            answers: self.answers,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Conversing,
    Guiding {
        place: String,
    },
    Arrived {
        leave_at: Duration,
    },
    Returning,
    Handover {
        until: Duration,
    },
    /// The farewell is being said.
    Ending {
        until: Duration,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Pending {
    None,
    /// "Shall I take you to X?"
    Guide {
        place: String,
    },
    /// "Do you mean A or B?"
    Clarify(Clarification),
    /// "Bác hỏi về X phải không ạ?": a low-confidence reading waiting for a yes.
    Confirm {
        intent: String,
        destination: Option<String>,
        /// The other readings, best first, offered after a "no".
        alternatives: Vec<String>,
    },
}

/// "Do you mean A or B?": the options, and the language it was asked in.
#[derive(Debug, Clone, PartialEq)]
struct Clarification {
    options: Vec<String>,
    lang: Language,
}

/// What an answer needs from an understanding besides its intent.
#[derive(Debug, Clone, Default, PartialEq)]
struct Reading {
    destination: Option<String>,
    language: Option<Language>,
    unknown_place: bool,
}

impl Reading {
    fn of(u: &Understanding) -> Reading {
        Reading {
            destination: u.destination.clone(),
            language: u.language,
            unknown_place: u.oos_reason == Some(OosReason::UnknownPlace),
        }
    }
}

/// The last thing said, for "say that again".
#[derive(Debug, Clone, PartialEq)]
struct Said {
    text: String,
    lang: Language,
    screen: Option<ScreenContent>,
}

/// The dialog manager. See the crate docs.
#[derive(Debug, Clone)]
pub struct Dialog {
    cfg: DialogConfig,
    nlu: Nlu,
    places: Places,
    standpoint: Pose2D,
    phase: Phase,
    pending: Pending,
    /// A clarification put aside because a full question in the other language came instead of a
    /// reply: most likely a second person at the desk (one microphone cannot tell voices apart).
    /// It is asked again, in its own language, at the next pause; a reply in that language still
    /// answers it meanwhile.
    deferred: Option<Clarification>,
    person: String,
    lang: Language,
    speaking: bool,
    /// When the robot stops speaking, by the length estimate (TTS events refine it).
    speech_end: Duration,
    listen_deadline: Option<Duration>,
    reprompts_used: u32,
    not_understood: u32,
    greeted_only: bool,
    follower_lost: bool,
    /// The procedure or service last answered (follow-up context).
    topic: Option<String>,
    intent: String,
    confidence: f32,
    last: Option<Said>,
    /// Answers said so far (`DialogState.answers`).
    answers: u32,
    /// How the citizen refers to themselves ("bác", "cô", "anh", …); "bác" until they say.
    address: &'static str,
    /// The recognizer's confidence in the utterance being handled (1 for typed text).
    heard_confidence: f32,
    /// The utterance being handled, as heard.
    heard: String,
    /// The last place the robot named and offered to go to ("dẫn bác ra đấy").
    offered_place: Option<String>,
    /// After a clarification was answered: the option not chosen ("cái kia", "the other one").
    other: Option<String>,
}

fn lang_of(code: &str) -> Language {
    if code == "en" {
        Language::En
    } else {
        Language::Vi
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Trim, drop control characters, cut to `max` characters (on a char boundary).
fn sanitize(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

impl Dialog {
    /// A dialog answering from `nlu`, giving directions from `places`.
    pub fn new(cfg: DialogConfig, nlu: Nlu, places: Places) -> Result<Dialog, DialogError> {
        cfg.validate()?;
        if let Some(id) = nlu
            .kb()
            .places
            .keys()
            .find(|id| !places.places.contains_key(id.as_str()))
        {
            return Err(DialogError::MissingPlace { id: id.clone() });
        }
        let dock = places
            .dock
            .or_else(|| places.places.get("reception").copied())
            .unwrap_or(Pose2D::new(0.0, 0.0, 0.0));
        let standpoint = Pose2D::new(dock.x, dock.y, cfg.directions_facing_yaw);
        let lang = lang_of(&cfg.default_language);
        Ok(Dialog {
            cfg,
            nlu,
            places,
            standpoint,
            phase: Phase::Idle,
            pending: Pending::None,
            deferred: None,
            answers: 0,
            person: String::new(),
            lang,
            speaking: false,
            speech_end: Duration::ZERO,
            listen_deadline: None,
            reprompts_used: 0,
            not_understood: 0,
            greeted_only: false,
            follower_lost: false,
            topic: None,
            intent: String::new(),
            confidence: 0.0,
            last: None,
            address: "bác",
            heard_confidence: 1.0,
            heard: String::new(),
            offered_place: None,
            other: None,
        })
    }

    /// The router in use (e.g. to swap in a reloaded knowledge base with [`Dialog::set_nlu`]).
    pub fn nlu(&self) -> &Nlu {
        &self.nlu
    }

    /// Answer from a new router from now on (after a knowledge-base reload).
    pub fn set_nlu(&mut self, nlu: Nlu) {
        self.nlu = nlu;
    }

    /// The knowledge base's sentence `id` (`kb/prompts.yaml`) in `lang`.
    fn prompt(&self, id: &str, lang: Language) -> String {
        self.nlu.kb().prompt(id, lang).to_string()
    }

    /// The knowledge base's sentence `id` in the conversation language, its `{name}`
    /// placeholders filled from `values`.
    fn prompt_with(&self, id: &str, values: &[(&str, &str)]) -> String {
        self.nlu.kb().prompt_with(id, self.lang, values)
    }

    /// [`Dialog::prompt_with`] for a sentence that addresses the person: `{address}` ("bác",
    /// "anh", "chị"), `{me}` ("cháu", or "em" to "anh"/"chị"), and `{Address}`, `{Me}` capitalised,
    /// besides `values`.
    fn prompt_addressed(&self, id: &str, values: &[(&str, &str)]) -> String {
        let a = self.address;
        let me = if matches!(a, "anh" | "chị") {
            "em"
        } else {
            "cháu"
        };
        let (cap_a, cap_me) = (capitalize(a), capitalize(me));
        let mut all = vec![
            ("address", a),
            ("Address", cap_a.as_str()),
            ("me", me),
            ("Me", cap_me.as_str()),
        ];
        all.extend_from_slice(values);
        self.prompt_with(id, &all)
    }

    /// The person in the conversation (`""`: none), without building a snapshot.
    pub fn person(&self) -> &str {
        &self.person
    }

    /// The conversation language.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// Answers said since the start (`DialogSnapshot::answers`), without building a snapshot.
    pub fn answers(&self) -> u32 {
        self.answers
    }

    /// The state for `/dialog/state`.
    pub fn snapshot(&self) -> DialogSnapshot {
        use letan_msgs::letan_interfaces::DialogState as S;
        let state = match &self.phase {
            Phase::Idle => S::STATE_IDLE,
            Phase::Conversing if self.greeted_only && self.speaking => S::STATE_GREETING,
            Phase::Conversing if self.speaking => S::STATE_ANSWERING,
            Phase::Conversing => S::STATE_LISTENING,
            Phase::Guiding { .. } | Phase::Arrived { .. } => S::STATE_GUIDING,
            // Driving back to the dock alone: nobody is being guided.
            Phase::Returning => S::STATE_IDLE,
            Phase::Handover { .. } => S::STATE_HANDOVER,
            Phase::Ending { .. } => S::STATE_ANSWERING,
        };
        DialogSnapshot {
            state,
            person_id: self.person.clone(),
            intent: self.intent.clone(),
            confidence: self.confidence,
            lang: self.lang,
            last_answer: self
                .last
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default(),
            answers: self.answers,
            speaking: self.speaking,
        }
    }

    /// Handle one event at time `now` (any monotonic clock, e.g. sim time since start).
    pub fn handle(&mut self, event: Event, now: Duration) -> Vec<Action> {
        let mut out = Vec::new();
        match event {
            Event::PersonEngaged { id } => self.on_engaged(id, None, now, &mut out),
            Event::Greeted { id, text, lang } => self.on_engaged(
                id,
                Some((sanitize(&text, self.cfg.max_text_chars), lang)),
                now,
                &mut out,
            ),
            Event::PersonDisengaged { id } => self.on_disengaged(&id, &mut out),
            Event::Transcript(u) => self.on_transcript(u, now, &mut out),
            Event::TtsStarted => self.speaking = true,
            Event::TtsFinished => self.on_tts_finished(now, &mut out),
            Event::BargeIn => {
                if self.speaking && matches!(self.phase, Phase::Conversing) {
                    self.speaking = false;
                    out.push(Action::StopSpeaking);
                    self.listen_deadline = Some(now + self.silence());
                }
            }
            Event::Nav(ev) => self.on_nav(ev, now, &mut out),
            Event::Operator(op) => self.on_operator(op, now, &mut out),
            Event::Tick => self.on_tick(now, &mut out),
        }
        out
    }

    fn silence(&self) -> Duration {
        Duration::from_secs_f64(self.cfg.silence_timeout_s)
    }

    fn say(&mut self, text: String, rate: f32, now: Duration, out: &mut Vec<Action>) {
        let secs = text.chars().count() as f64 / self.cfg.speech_chars_per_s / f64::from(rate);
        self.speech_end = now + Duration::from_secs_f64(secs);
        self.speaking = true;
        self.listen_deadline = Some(self.speech_end + self.silence());
        out.push(Action::Say {
            text,
            lang: self.lang,
            rate,
            interrupt: false,
        });
    }

    /// Say an answer and remember it for "say that again".
    fn answer(
        &mut self,
        text: String,
        screen: Option<ScreenContent>,
        now: Duration,
        out: &mut Vec<Action>,
    ) {
        self.last = Some(Said {
            text: text.clone(),
            lang: self.lang,
            screen: screen.clone(),
        });
        self.answers = self.answers.wrapping_add(1);
        let rate = self.cfg.normal_rate;
        self.say(text, rate, now, out);
        if let Some(s) = screen {
            out.push(Action::ShowScreen(s));
        }
    }

    fn suggestions(&self, ids: &[String]) -> Vec<Suggestion> {
        ids.iter()
            .map(|id| Suggestion {
                id: id.clone(),
                label: self.nlu.kb().title(id, self.lang).to_string(),
            })
            .collect()
    }

    fn home_screen(&self) -> ScreenContent {
        let l = self.lang;
        ScreenContent {
            lang: l,
            title: self.prompt("home.title", l),
            body: self.prompt("home.body", l),
            documents: Vec::new(),
            qr_url: None,
            suggestions: self.suggestions(&self.cfg.suggestions),
            heard: String::new(),
            confirm: false,
        }
    }

    fn start(&mut self, person: String) {
        self.phase = Phase::Conversing;
        self.pending = Pending::None;
        self.deferred = None;
        self.person = person;
        self.reprompts_used = 0;
        self.not_understood = 0;
        self.topic = None;
        self.intent.clear();
        self.confidence = 0.0;
        self.last = None;
        self.follower_lost = false;
        self.lang = lang_of(&self.cfg.default_language);
        self.address = "bác";
        self.offered_place = None;
        self.other = None;
    }

    /// Alert the staff about the person in the conversation, in the conversation's language.
    fn alert_staff(&self, reason: AlertReason, text: String, out: &mut Vec<Action>) {
        out.push(Action::StaffAlert {
            reason,
            text,
            lang: self.lang,
            person_id: self.person.clone(),
        });
    }

    /// A staff member takes the conversation on; the robot waits (`handoff_timeout_s`).
    fn hand_over(&mut self, now: Duration) {
        self.phase = Phase::Handover {
            until: now + Duration::from_secs_f64(self.cfg.handoff_timeout_s),
        };
    }

    fn go_idle(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Idle;
        self.pending = Pending::None;
        self.deferred = None;
        self.person.clear();
        self.listen_deadline = None;
        self.topic = None;
        self.greeted_only = false;
        out.push(Action::ShowScreen(self.home_screen()));
    }

    fn on_engaged(
        &mut self,
        id: String,
        greeting: Option<(String, Language)>,
        now: Duration,
        out: &mut Vec<Action>,
    ) {
        if self.phase != Phase::Idle {
            // One conversation at a time: a newcomer only gets the policy's brief acknowledgement.
            if let Some((text, lang)) = greeting.filter(|(t, _)| !t.is_empty()) {
                out.push(Action::Say {
                    text,
                    lang,
                    rate: self.cfg.normal_rate,
                    interrupt: false,
                });
            }
            return;
        }
        tracing::info!(person = %id, "conversation starts");
        self.start(id);
        self.greeted_only = true;
        let text = match greeting.filter(|(t, _)| !t.is_empty()) {
            Some((text, lang)) => {
                self.lang = lang;
                text
            }
            None => self.prompt("greeting", self.lang),
        };
        self.say(text, self.cfg.normal_rate, now, out);
        out.push(Action::ShowScreen(self.home_screen()));
    }

    fn on_disengaged(&mut self, id: &str, out: &mut Vec<Action>) {
        if id != self.person {
            return;
        }
        match self.phase {
            Phase::Conversing | Phase::Ending { .. } | Phase::Handover { .. } => {
                tracing::info!(person = %id, "person left; conversation ends");
                if self.speaking {
                    self.speaking = false;
                    out.push(Action::StopSpeaking);
                }
                self.go_idle(out);
            }
            // Guiding: the person walks behind the robot; navigation tracks them.
            _ => {}
        }
    }

    fn on_tts_finished(&mut self, now: Duration, out: &mut Vec<Action>) {
        self.speaking = false;
        match self.phase {
            Phase::Conversing => self.listen_deadline = Some(now + self.silence()),
            Phase::Ending { .. } => self.go_idle(out),
            Phase::Arrived { .. } => {
                self.phase = Phase::Returning;
                out.push(Action::ReturnToDock);
            }
            _ => {}
        }
    }

    fn on_tick(&mut self, now: Duration, out: &mut Vec<Action>) {
        if self.speaking && now > self.speech_end + self.silence() {
            // No TtsFinished came: assume the speech ended.
            self.speaking = false;
        }
        match self.phase.clone() {
            Phase::Conversing => {
                let Some(deadline) = self.listen_deadline else {
                    return;
                };
                if now < deadline || self.speaking {
                    return;
                }
                if let Some(c) = self.deferred.take() {
                    // The pause after the other person's answer: back to the earlier question.
                    self.switch_lang(c.lang, out);
                    self.clarify(c.options, true, now, out);
                } else if self.reprompts_used < self.cfg.reprompts {
                    self.reprompts_used += 1;
                    let text = self.prompt("anything_else", self.lang);
                    self.say(text, self.cfg.normal_rate, now, out);
                } else {
                    self.farewell(now, out);
                }
            }
            Phase::Arrived { leave_at } if now >= leave_at => {
                self.phase = Phase::Returning;
                out.push(Action::ReturnToDock);
            }
            Phase::Handover { until } if now >= until => self.go_idle(out),
            Phase::Ending { until } if now >= until => self.go_idle(out),
            _ => {}
        }
    }

    fn farewell(&mut self, now: Duration, out: &mut Vec<Action>) {
        let text = self.prompt("farewell", self.lang);
        self.say(text, self.cfg.normal_rate, now, out);
        self.listen_deadline = None;
        self.phase = Phase::Ending {
            until: self.speech_end + Duration::from_secs(2),
        };
    }

    fn place_name(&self, id: &str) -> String {
        self.nlu
            .kb()
            .places
            .get(id)
            .map_or_else(|| id.replace('_', " "), |p| p.name.get(self.lang).clone())
    }

    fn on_nav(&mut self, ev: NavEvent, now: Duration, out: &mut Vec<Action>) {
        match (self.phase.clone(), ev) {
            (Phase::Idle, NavEvent::Adopted { place })
                if self.nlu.kb().places.contains_key(&place) =>
            {
                // Restarted mid-walk: the person is still following. Nothing is said (they were
                // told where they are going); the screen shows it again, and the arrival, a
                // person falling behind or a failure are handled as for a walk this dialog began.
                tracing::info!(place = %place, "a running guided walk taken over after a restart");
                out.push(Action::ShowScreen(self.follow_screen(&place)));
                self.intent = "nav.guide".to_string();
                self.follower_lost = false;
                self.phase = Phase::Guiding { place };
            }
            (Phase::Guiding { .. }, NavEvent::FollowerLost) if !self.follower_lost => {
                self.follower_lost = true;
                let text = self.prompt("guide.wait_for_follower", self.lang);
                self.say(text, self.cfg.normal_rate, now, out);
            }
            (Phase::Guiding { .. }, NavEvent::FollowerFound) => self.follower_lost = false,
            (Phase::Guiding { place }, NavEvent::Arrived) => {
                let name = self.place_name(&place);
                let text = self.prompt_with("guide.arrived", &[("place", &name)]);
                self.say(text, self.cfg.normal_rate, now, out);
                self.phase = Phase::Arrived {
                    leave_at: now + Duration::from_secs_f64(self.cfg.post_arrival_wait_s),
                };
            }
            (Phase::Guiding { place }, NavEvent::Failed { reason }) => {
                tracing::warn!(place = %place, reason = %reason, "guidance failed");
                let directions = self.directions(&place);
                let text = self.prompt_with("guide.failed", &[("directions", &directions)]);
                self.say(text, self.cfg.normal_rate, now, out);
                self.alert_staff(
                    AlertReason::RobotFault,
                    format!("guidance to {place} failed: {reason}"),
                    out,
                );
                out.push(Action::ReturnToDock);
                self.phase = Phase::Returning;
            }
            (Phase::Guiding { place }, NavEvent::Silent) => {
                // Navigation is gone mid-walk; the robot has stopped (the mux's input timeout).
                // A restarted navigation node does not know where it is, so do not drive on:
                // apologise, call staff to take the person on, and hand over.
                tracing::warn!(place = %place, "navigation went silent while guiding");
                let name = self.place_name(&place);
                let text = self.prompt_with("guide.interrupted", &[("place", &name)]);
                self.say(text, self.cfg.normal_rate, now, out);
                self.alert_staff(
                    AlertReason::RobotFault,
                    format!(
                        "navigation stopped while guiding to {place}: please take the visitor there"
                    ),
                    out,
                );
                self.follower_lost = false;
                self.pending = Pending::None;
                self.listen_deadline = None;
                self.hand_over(now);
            }
            (Phase::Returning, NavEvent::Arrived | NavEvent::Failed { .. } | NavEvent::Silent) => {
                self.go_idle(out)
            }
            _ => {}
        }
    }

    fn on_operator(&mut self, op: OperatorAction, now: Duration, out: &mut Vec<Action>) {
        match op {
            OperatorAction::TakeOver => {
                if self.speaking {
                    self.speaking = false;
                    out.push(Action::StopSpeaking);
                }
                if matches!(self.phase, Phase::Guiding { .. } | Phase::Arrived { .. }) {
                    out.push(Action::CancelNavigation);
                }
                self.pending = Pending::None;
                self.listen_deadline = None;
                self.hand_over(now);
            }
            OperatorAction::Release => {
                if matches!(self.phase, Phase::Handover { .. }) {
                    if self.person.is_empty() {
                        self.go_idle(out);
                    } else {
                        self.phase = Phase::Conversing;
                        self.reprompts_used = 0;
                        self.listen_deadline = Some(now + self.silence());
                    }
                }
            }
            OperatorAction::Say { text, lang } => {
                let text = sanitize(&text, self.cfg.max_text_chars);
                if !text.is_empty() {
                    self.speaking = true;
                    out.push(Action::Say {
                        text,
                        lang,
                        rate: self.cfg.normal_rate,
                        interrupt: true,
                    });
                }
            }
            OperatorAction::SendHome => {
                if matches!(self.phase, Phase::Guiding { .. }) {
                    out.push(Action::CancelNavigation);
                }
                out.push(Action::ReturnToDock);
                self.pending = Pending::None;
                self.listen_deadline = None;
                self.phase = Phase::Returning;
            }
        }
    }

    fn on_transcript(&mut self, u: Utterance, now: Duration, out: &mut Vec<Action>) {
        let text = sanitize(&u.text, self.cfg.max_text_chars);
        if text.is_empty() {
            return;
        }
        match self.phase {
            Phase::Handover { .. } => return, // the staff member is talking with them
            Phase::Idle | Phase::Returning => {
                // Someone typed or spoke without being greeted: start a conversation.
                let person = std::mem::take(&mut self.person);
                self.start(person);
            }
            Phase::Ending { .. } => {
                self.phase = Phase::Conversing;
            }
            _ => {}
        }
        self.greeted_only = false;
        self.reprompts_used = 0;
        // The person is speaking: stop talking over them.
        if self.speaking && u.source == Source::Asr {
            self.speaking = false;
            out.push(Action::StopSpeaking);
        }
        tracing::debug!(text = ?text, source = ?u.source, confidence = u.confidence, "transcript");
        self.heard = text.clone();
        // Typed text says 1.0; a button is what the citizen chose. NaN stays unsure.
        self.heard_confidence = if u.source == Source::Button {
            1.0
        } else {
            u.confidence
        };
        let mut text = text;
        if u.source == Source::Button {
            if text == CONFIRM_YES || text == CONFIRM_NO {
                // The screen's yes/no buttons mean what saying it means.
                text = match (text == CONFIRM_YES, self.lang) {
                    (true, Language::Vi) => "vâng",
                    (true, Language::En) => "yes",
                    (false, Language::Vi) => "không",
                    (false, Language::En) => "no",
                }
                .to_string();
            } else if let Some(id) = letan_nlu::catalog::INTENTS.iter().find(|i| **i == text) {
                self.pending = Pending::None;
                self.other = None;
                self.answer_intent(id, &Reading::default(), 1.0, now, out);
                return;
            }
        }
        let source = u.source;
        // The one pass over the transcript: intent, slots and every reply reading.
        let u = self.nlu.understand(&text);
        if let Some(a) = u.reply.self_address {
            self.address = a;
        }
        if let Some(c) = self.deferred.take_if(|c| c.lang == u.lang) {
            // Its language again: most likely the reply to the clarification put aside.
            self.pending = Pending::Clarify(c);
        }
        if self.handle_pending(&u, source, now, out) {
            return;
        }
        // "cái kia", "the other one" after a clarification: the option not chosen.
        if u.reply.other_one {
            if let Some(other) = self.other.take() {
                self.pending = Pending::None;
                let previous = std::mem::take(&mut self.intent);
                self.answer_intent(&other, &Reading::default(), 1.0, now, out);
                self.other = (!previous.is_empty()).then_some(previous);
                return;
            }
        }
        // "không, ý bác là …": what follows the "no" is what to understand.
        let (u, corrected) = match u.correction {
            Some(c) => (*c, true),
            None => (u, false),
        };
        let mut understanding = self.guide_fixup(u);
        if corrected || text != self.heard {
            // A correction's few words (or a yes/no button) do not change the language.
            understanding.lang = self.lang;
        }
        if let Some(d) = understanding.reply.detail {
            if self.follow_up(d, &understanding, now, out) {
                return;
            }
        }
        if self.pending == Pending::None || matches!(self.pending, Pending::Guide { .. }) {
            match understanding.reply.yes_no {
                Some(YesNo::No) => {
                    // "No" to "anything else?": goodbye.
                    self.pending = Pending::None;
                    self.farewell(now, out);
                    return;
                }
                Some(YesNo::Yes) if self.pending == Pending::None => {
                    let text = self.prompt("go_ahead", self.lang);
                    self.say(text, self.cfg.normal_rate, now, out);
                    return;
                }
                _ => {}
            }
        }
        self.pending = Pending::None;
        self.dispatch(understanding, source, now, out);
    }

    /// A reply to a question the robot asked. True when consumed.
    fn handle_pending(
        &mut self,
        u: &Understanding,
        source: Source,
        now: Duration,
        out: &mut Vec<Action>,
    ) -> bool {
        let r = &u.reply;
        match self.pending.clone() {
            Pending::None => false,
            Pending::Guide { place } => match r.yes_no {
                Some(YesNo::Yes) => {
                    self.pending = Pending::None;
                    self.start_guide(&place, now, out);
                    true
                }
                Some(YesNo::No) => {
                    self.pending = Pending::None;
                    let text = self.prompt("guide.declined", self.lang);
                    self.say(text, self.cfg.normal_rate, now, out);
                    true
                }
                None => {
                    // "vâng, cháu dẫn bác đi" / "yes please take me there": a guide request for
                    // this place (or for no place in particular) is a yes; so is a reply that
                    // starts with a yes and goes on about going ("vâng, cháu dẫn bác ra đấy nhé")
                    // or points back at the place ("ừ, ra đó").
                    let same = u.destination.as_deref().is_none_or(|d| d == place);
                    let named_other = r.place.as_ref().is_some_and(|p| *p != place);
                    let accepts = u.intent == "nav.guide"
                        || (r.starts_with_yes
                            && (r.guide_verb || r.points_back || u.intent == OUT_OF_SCOPE));
                    if accepts && same && !named_other {
                        self.pending = Pending::None;
                        self.start_guide(&place, now, out);
                        true
                    } else {
                        false
                    }
                }
            },
            Pending::Confirm {
                intent,
                destination,
                alternatives,
            } => {
                let yes_no = r.yes_no.or_else(|| {
                    // "đúng rồi, cháu ạ, khai sinh cho cháu nội": a yes that goes on.
                    r.starts_with_yes.then_some(YesNo::Yes)
                });
                match yes_no {
                    Some(YesNo::Yes) => {
                        self.pending = Pending::None;
                        self.heard_confidence = 1.0;
                        self.other = None;
                        let r = Reading {
                            destination,
                            ..Reading::default()
                        };
                        self.answer_intent(&intent, &r, 1.0, now, out);
                        true
                    }
                    Some(YesNo::No) => {
                        self.pending = Pending::None;
                        let mut options = alternatives;
                        options.truncate(self.cfg.confirm_alternatives);
                        self.offer_alternatives(options, now, out);
                        true
                    }
                    None if r.other_one => match alternatives.first() {
                        // "không, cái kia": the next reading.
                        Some(next) => {
                            let next = next.clone();
                            self.pending = Pending::None;
                            self.other = Some(intent);
                            self.answer_intent(&next, &Reading::default(), 1.0, now, out);
                            true
                        }
                        None => false,
                    },
                    // Something else: a correction or a new question, understood afresh.
                    None => false,
                }
            }
            Pending::Clarify(c) => {
                let options = &c.options;
                let picked = r.ordinal.and_then(|i| options.get(i).cloned()).or_else(|| {
                    // Named by its title ("khai sinh")?
                    options
                        .iter()
                        .find(|o| {
                            [Language::Vi, Language::En].iter().any(|l| {
                                let t = normalize(self.nlu.kb().title(o, *l)).plain();
                                !t.is_empty() && r.plain.contains(&t)
                            })
                        })
                        .cloned()
                });
                if picked.is_none() && self.another_voice(u, &c) {
                    self.deferred = Some(c);
                    self.pending = Pending::None;
                    return false;
                }
                let chosen = picked
                    // Or said again in other words.
                    .or_else(|| options.iter().find(|o| **o == u.intent).cloned())
                    .or_else(|| match r.yes_no {
                        Some(YesNo::Yes) => options.first().cloned(),
                        _ => None,
                    });
                match chosen {
                    Some(intent) => {
                        self.pending = Pending::None;
                        // "cái kia" later means the option not chosen.
                        self.other = match options.as_slice() {
                            [a, b] => Some(if *a == intent { b.clone() } else { a.clone() }),
                            _ => None,
                        };
                        // Said again in other words ("the restroom, where is it?" to "printing or
                        // directions?"): that utterance's own place and language come with it.
                        let reading = if intent == u.intent {
                            self.set_lang_from(u, source, out);
                            Reading::of(u)
                        } else {
                            Reading::default()
                        };
                        self.answer_intent(&intent, &reading, 1.0, now, out);
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// A reply to "A or B?" that is rather another person's question: a whole,
    /// confident question in the other language that says no yes or no, and is not one of the
    /// options said again without a place of its own.
    fn another_voice(&self, u: &Understanding, c: &Clarification) -> bool {
        let r = &u.reply;
        let restated = c.options.contains(&u.intent) && u.destination.is_none();
        u.lang != c.lang
            && u.normalized.split_whitespace().count() >= 3
            && u.oos_reason.is_none()
            && u.intent != OUT_OF_SCOPE
            && !u.needs_clarification
            && u.confidence >= self.cfg.confirm_below_router
            && r.ordinal.is_none()
            && r.yes_no.is_none()
            && !r.starts_with_yes
            && !restated
    }

    /// "còn lệ phí thì sao?" after a procedure: that procedure's fee. True when answered.
    fn follow_up(
        &mut self,
        d: Detail,
        u: &Understanding,
        now: Duration,
        out: &mut Vec<Action>,
    ) -> bool {
        let Some(topic) = self.topic.clone() else {
            return false;
        };
        // A new, clearly different topic or a named place is not a follow-up.
        if u.destination.is_some() {
            return false;
        }
        if u.intent != topic
            && (u.intent.starts_with("proc.") || u.intent.starts_with("amenity."))
            && u.confidence >= 0.6
            && !u.needs_clarification
        {
            return false;
        }
        let Some(entry) = self.nlu.kb().intents.get(&topic) else {
            return false;
        };
        let screen = entry.screen.get(self.lang);
        let (field, prompt) = match d {
            Detail::Fee => (&screen.fee, "detail.fee"),
            Detail::Where => (&screen.where_, "detail.where"),
            Detail::Documents => (&screen.documents, "detail.documents"),
            Detail::Time => (&screen.time, "detail.time"),
            Detail::Online => (&screen.online, "detail.online"),
        };
        let Some(value) = field.clone() else {
            return false;
        };
        let t = self.nlu.kb().title(&topic, self.lang).to_lowercase();
        let text = self.prompt_with(prompt, &[("topic", &t), ("value", value.trim())]);
        self.pending = Pending::None;
        self.not_understood = 0;
        self.intent = topic.clone();
        let screen = self.screen_for(&topic);
        self.answer(text, screen, now, out);
        true
    }

    /// A request to be taken somewhere that the router read as a question about the place's
    /// amenity ("dẫn bác đến chỗ nước uống với") or without the place ("dẫn bác ra đấy"): a guide
    /// request for the place named, or for the place the robot last offered.
    fn guide_fixup(&self, mut u: Understanding) -> Understanding {
        let is_nav = letan_nlu::catalog::takes_destination(&u.intent);
        if !u.reply.guide_verb || (is_nav && u.destination.is_some()) {
            return u;
        }
        let (place, confidence) = match u.reply.place.clone() {
            Some(p) => (p, u.confidence.max(0.9)),
            None => match (&self.offered_place, u.reply.points_back) {
                (Some(p), true) if is_nav || u.intent == OUT_OF_SCOPE => (p.clone(), u.confidence),
                _ => return u,
            },
        };
        tracing::debug!(intent = %u.intent, place = %place, "a guide request names a place");
        u.alternatives.retain(|(i, _)| i != "nav.guide");
        u.alternatives
            .insert(0, ("nav.guide".to_string(), confidence));
        u.intent = "nav.guide".to_string();
        u.confidence = confidence;
        u.destination = Some(place);
        u.needs_clarification = false;
        u.oos_reason = None;
        u
    }

    fn set_lang_from(&mut self, u: &Understanding, source: Source, out: &mut Vec<Action>) {
        // A real sentence in the other language switches the conversation (and ASR + voice).
        if source != Source::Button
            && u.lang != self.lang
            && u.normalized.split_whitespace().count() >= 3
            && matches!(
                u.oos_reason,
                None | Some(OosReason::UnknownPlace | OosReason::NotInCatalog)
            )
        {
            self.switch_lang(u.lang, out);
        }
    }

    /// The conversation, the recognizer and the voice go to `lang` (nothing when already there).
    fn switch_lang(&mut self, lang: Language, out: &mut Vec<Action>) {
        if lang != self.lang {
            self.lang = lang;
            out.push(Action::SwitchLanguage { lang });
        }
    }

    fn dispatch(&mut self, u: Understanding, source: Source, now: Duration, out: &mut Vec<Action>) {
        self.set_lang_from(&u, source, out);
        self.intent = u.intent.clone();
        self.confidence = u.confidence;
        if u.needs_clarification {
            let options: Vec<String> = u
                .alternatives
                .iter()
                .map(|(i, _)| i.clone())
                .filter(|i| i != OUT_OF_SCOPE)
                .take(2)
                .collect();
            if options.len() == 2 {
                self.clarify(options, false, now, out);
                return;
            }
        }
        if u.intent == OUT_OF_SCOPE {
            self.not_understood += 1;
            if self.not_understood >= self.cfg.max_not_understood {
                self.not_understood = 0;
                self.alert_staff(
                    AlertReason::NotUnderstood,
                    format!("the robot did not understand: {:?}", u.normalized),
                    out,
                );
                let text = self.prompt("not_understood.staff_called", self.lang);
                self.say(text, self.cfg.normal_rate, now, out);
                self.hand_over(now);
                return;
            }
        } else {
            self.not_understood = 0;
        }
        let intent = u.intent.clone();
        let r = Reading::of(&u);
        if self.unsure(u.confidence) && self.confirm_first(&intent, &r) {
            let alternatives = u
                .alternatives
                .iter()
                .map(|(i, _)| i.clone())
                .filter(|i| *i != intent && i != OUT_OF_SCOPE)
                .collect();
            self.ask_confirm(intent, r.destination, alternatives, now, out);
            return;
        }
        self.other = None;
        self.answer_intent(&intent, &r, u.confidence, now, out);
    }

    /// The hearing or the reading is not sure enough to act on without asking.
    fn unsure(&self, router_confidence: f32) -> bool {
        // NaN compares false: an unknown confidence is unsure.
        !(self.heard_confidence >= self.cfg.confirm_below_asr
            && router_confidence >= self.cfg.confirm_below_router)
    }

    /// Whether an unsure reading of `intent` is confirmed before it is acted on. Small talk and
    /// "where would you like to go?" cost nothing when wrong; a guide request with a place asks
    /// "shall I take you to X?", which is itself the confirmation.
    fn confirm_first(&self, intent: &str, r: &Reading) -> bool {
        if intent == OUT_OF_SCOPE || intent.starts_with("chat.") || r.unknown_place {
            return false;
        }
        match intent {
            "nav.guide" => false,
            "nav.where_is" => r.destination.is_some(),
            _ => true,
        }
    }

    /// The one yes/no question: "Bác hỏi về đăng ký khai sinh phải không ạ?".
    fn ask_confirm(
        &mut self,
        intent: String,
        destination: Option<String>,
        alternatives: Vec<String>,
        now: Duration,
        out: &mut Vec<Action>,
    ) {
        let text = match (intent.as_str(), &destination) {
            ("staff.handoff", _) => self.prompt_addressed("confirm.staff", &[]),
            (_, Some(place)) => {
                let name = self.place_name(place);
                self.prompt_addressed("confirm.place", &[("place", &name)])
            }
            (_, None) => {
                let topic = self.nlu.kb().title(&intent, self.lang).to_lowercase();
                self.prompt_addressed("confirm.topic", &[("topic", &topic)])
            }
        };
        let heard = self.heard.clone();
        let screen = ScreenContent {
            lang: self.lang,
            title: text.clone(),
            body: self.prompt_addressed("confirm.heard", &[("heard", &heard)]),
            documents: Vec::new(),
            qr_url: None,
            suggestions: Vec::new(),
            heard,
            confirm: true,
        };
        tracing::info!(intent = %intent, "unsure: asking to confirm");
        self.intent.clear();
        self.answer(text, Some(screen), now, out);
        self.pending = Pending::Confirm {
            intent,
            destination,
            alternatives,
        };
    }

    /// "Không phải": offer the other readings as buttons (and by voice), or ask to hear it again.
    fn offer_alternatives(&mut self, options: Vec<String>, now: Duration, out: &mut Vec<Action>) {
        if options.is_empty() {
            let text = self.prompt_addressed("alternatives.none", &[]);
            let screen = self.home_screen();
            self.answer(text, Some(screen), now, out);
            return;
        }
        let names: Vec<String> = options
            .iter()
            .map(|o| self.nlu.kb().title(o, self.lang).to_lowercase())
            .collect();
        let list = match names.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => {
                let items = init.join(", ");
                self.prompt_with("alternatives.list", &[("items", &items), ("last", last)])
            }
            [] => String::new(),
        };
        let text = if options.len() == 1 {
            self.prompt_addressed("alternatives.one", &[("topic", &list)])
        } else {
            self.prompt_addressed("alternatives.many", &[("list", &list)])
        };
        let screen = ScreenContent {
            lang: self.lang,
            title: self.prompt("clarify.title", self.lang),
            body: text.clone(),
            documents: Vec::new(),
            qr_url: None,
            suggestions: self.suggestions(&options),
            heard: String::new(),
            confirm: false,
        };
        self.answer(text, Some(screen), now, out);
        self.pending = Pending::Clarify(Clarification {
            options,
            lang: self.lang,
        });
    }

    /// "Do you mean A or B?" (`earlier`: asked again after another person's question).
    fn clarify(
        &mut self,
        options: Vec<String>,
        earlier: bool,
        now: Duration,
        out: &mut Vec<Action>,
    ) {
        let (a, b) = (
            self.nlu.kb().title(&options[0], self.lang),
            self.nlu.kb().title(&options[1], self.lang),
        );
        let (a, b) = (a.to_lowercase(), b.to_lowercase());
        let mut text = self.prompt_with("clarify.two", &[("first", &a), ("second", &b)]);
        if earlier {
            text = format!("{} {text}", self.prompt("clarify.earlier", self.lang));
        }
        let screen = ScreenContent {
            lang: self.lang,
            title: self.prompt("clarify.title", self.lang),
            body: text.clone(),
            documents: Vec::new(),
            qr_url: None,
            suggestions: self.suggestions(&options),
            heard: String::new(),
            confirm: false,
        };
        self.pending = Pending::Clarify(Clarification {
            options,
            lang: self.lang,
        });
        self.answer(text, Some(screen), now, out);
    }

    fn directions(&self, place: &str) -> String {
        match directions::route(&self.places, self.standpoint, place) {
            Some(r) => directions::describe(
                self.nlu.kb(),
                &r,
                place,
                self.cfg.directions_near_m,
                self.lang,
            ),
            None => String::new(),
        }
    }

    /// The screen while the robot leads someone to `place`.
    fn follow_screen(&self, place: &str) -> ScreenContent {
        ScreenContent {
            lang: self.lang,
            title: self.place_name(place),
            body: self.prompt("guide.follow_robot", self.lang),
            documents: Vec::new(),
            qr_url: None,
            suggestions: Vec::new(),
            heard: String::new(),
            confirm: false,
        }
    }

    fn start_guide(&mut self, place: &str, now: Duration, out: &mut Vec<Action>) {
        let name = self.place_name(place);
        let text = match self.nlu.kb().intents.get("nav.guide") {
            Some(e) => e.spoken.get(self.lang).replace("{place}", &name),
            None => self.prompt("guide.follow_me", self.lang),
        };
        let screen = self.follow_screen(place);
        self.answer(text, Some(screen), now, out);
        self.intent = "nav.guide".to_string();
        out.push(Action::NavigateTo {
            place: place.to_string(),
            guide: true,
            person_id: self.person.clone(),
        });
        self.listen_deadline = None;
        self.follower_lost = false;
        self.phase = Phase::Guiding {
            place: place.to_string(),
        };
    }

    /// Screen content for an intent's knowledge-base entry.
    fn screen_for(&self, intent: &str) -> Option<ScreenContent> {
        let kb = self.nlu.kb();
        let entry = kb.intents.get(intent)?;
        let s = entry.screen.get(self.lang);
        let documents = s
            .documents
            .as_deref()
            .map(|d| {
                d.split(';')
                    .map(|x| x.trim().trim_end_matches('.').to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut rest = s.clone();
        rest.documents = None;
        let qr_url = entry
            .facts
            .iter()
            .filter_map(|f| kb.sources.get(&f.source).and_then(|s| s.url.clone()))
            .find(|u| u.starts_with("https://") || u.starts_with("http://"));
        let mut suggestions: Vec<String> = self
            .cfg
            .suggestions
            .iter()
            .filter(|s| *s != intent)
            .cloned()
            .collect();
        suggestions.truncate(4);
        Some(ScreenContent {
            lang: self.lang,
            title: self.nlu.kb().title(intent, self.lang).to_string(),
            body: rest.render(self.lang),
            documents,
            qr_url,
            suggestions: self.suggestions(&suggestions),
            heard: String::new(),
            confirm: false,
        })
    }

    fn answer_intent(
        &mut self,
        intent: &str,
        r: &Reading,
        confidence: f32,
        now: Duration,
        out: &mut Vec<Action>,
    ) {
        self.intent = intent.to_string();
        self.confidence = confidence;
        let destination = r.destination.clone();
        let kb_spoken = |d: &Dialog| {
            d.nlu
                .kb()
                .intents
                .get(intent)
                .map(|e| e.spoken.get(d.lang).clone())
                .unwrap_or_default()
        };
        match intent {
            "chat.repeat" => match self.last.clone() {
                Some(said) => {
                    self.answers = self.answers.wrapping_add(1);
                    let rate = self.cfg.repeat_rate;
                    self.lang = said.lang;
                    self.say(said.text, rate, now, out);
                    if let Some(s) = said.screen {
                        out.push(Action::ShowScreen(s));
                    }
                }
                None => {
                    let text = self.prompt("repeat.nothing_said", self.lang);
                    self.say(text, self.cfg.repeat_rate, now, out);
                }
            },
            "chat.language" => {
                let target = r.language.unwrap_or(match self.lang {
                    Language::Vi => Language::En,
                    Language::En => Language::Vi,
                });
                self.switch_lang(target, out);
                let text = self.prompt("language.switched", target);
                let screen = self.home_screen();
                self.answer(text, Some(screen), now, out);
            }
            "nav.guide" | "nav.where_is" => {
                let Some(place) = destination else {
                    let text = self.prompt("nav.where_to", self.lang);
                    self.answer(text, None, now, out);
                    return;
                };
                let name = self.place_name(&place);
                // Guiding without asking needs a confident reading of a confident hearing.
                if intent == "nav.guide" && !self.cfg.confirm_guide && !self.unsure(confidence) {
                    self.start_guide(&place, now, out);
                    return;
                }
                let text = if intent == "nav.guide" {
                    self.prompt_with("guide.offer", &[("place", &name)])
                } else {
                    let d = self.directions(&place);
                    self.prompt_with("guide.offer_after_directions", &[("directions", &d)])
                };
                let screen = ScreenContent {
                    lang: self.lang,
                    title: name,
                    body: text.clone(),
                    documents: Vec::new(),
                    qr_url: None,
                    suggestions: Vec::new(),
                    heard: String::new(),
                    // A yes/no question: the screen's yes/no buttons answer it.
                    confirm: true,
                };
                self.answer(text, Some(screen), now, out);
                self.offered_place = Some(place.clone());
                self.pending = Pending::Guide { place };
            }
            "staff.handoff" => {
                self.alert_staff(
                    AlertReason::Requested,
                    self.prompt("staff_alert.requested", self.lang),
                    out,
                );
                let text = kb_spoken(self);
                let screen = self.screen_for(intent);
                self.answer(text, screen, now, out);
                self.listen_deadline = None;
                self.hand_over(now);
            }
            "chat.goodbye" => {
                let text = kb_spoken(self);
                self.say(text, self.cfg.normal_rate, now, out);
                self.listen_deadline = None;
                self.phase = Phase::Ending {
                    until: self.speech_end + Duration::from_secs(2),
                };
            }
            _ => {
                // "Where is …" something the centre does not have: say so, not "I can't help".
                let unknown_place = r.unknown_place;
                let text = if unknown_place {
                    unknown_place_reply(self.lang).to_string()
                } else {
                    kb_spoken(self)
                };
                let mut screen = self.screen_for(intent);
                if let (true, Some(s)) = (unknown_place, screen.as_mut()) {
                    s.body = text.clone();
                }
                if intent == OUT_OF_SCOPE || intent.starts_with("chat.") {
                    if let Some(s) = screen.as_mut() {
                        s.suggestions = self.suggestions(&self.cfg.suggestions);
                    }
                } else {
                    self.topic = Some(intent.to_string());
                }
                self.answer(text, screen, now, out);
            }
        }
    }
}
