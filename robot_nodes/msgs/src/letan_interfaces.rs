//! `letan_interfaces`: Letan's own messages. Each one is defined, with comments, in
//! `msg/letan_interfaces/<Name>.msg` (ROS `.msg` syntax, so a ROS 2 workspace can build the same
//! package with rosidl); `tests/msg_files.rs` checks these structs against those files.
//!
//! Languages are ISO 639-1 codes (`"vi"`, `"en"`); intent ids come from `spec/intents.tsv`, place
//! ids from `spec/places.tsv`; person ids are REP-155 person ids.
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `letan_interfaces/msg/Transcript`: recognised (or typed) citizen speech for the dialog.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Transcript {
    /// Stamp: when the utterance ended (or the text was entered).
    pub header: Header,
    /// The text, UTF-8, trimmed.
    pub text: String,
    /// `"vi"`, `"en"`, or `""` if unknown.
    pub language: String,
    /// [0, 1]; 1.0 for typed text.
    pub confidence: f32,
    /// `false` for a partial hypothesis that may still change.
    pub is_final: bool,
    /// [`Transcript::SOURCE_ASR`], [`Transcript::SOURCE_KEYBOARD`], or another producer's name.
    pub source: String,
}

impl Transcript {
    /// Produced by speech recognition.
    pub const SOURCE_ASR: &'static str = "asr";
    /// Typed (operator console, `letan ask`).
    pub const SOURCE_KEYBOARD: &'static str = "keyboard";
}

/// `letan_interfaces/msg/SayRequest`: a sentence for the speech node to speak.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SayRequest {
    /// Stamp: when the request was made.
    pub header: Header,
    /// Caller-chosen id, echoed back when the speech starts/ends (`""` = none).
    pub id: String,
    /// What to say, UTF-8.
    pub text: String,
    /// `"vi"` or `"en"`: picks the voice when `voice` is empty.
    pub language: String,
    /// A voice name; `""` = the default voice for `language`.
    pub voice: String,
    /// [`SayRequest::PRIORITY_NORMAL`] or [`SayRequest::PRIORITY_HIGH`].
    pub priority: u8,
    /// Stop what is being said now (and drop queued normal requests), then say this.
    pub interrupt: bool,
}

impl SayRequest {
    /// Answers, small talk.
    pub const PRIORITY_NORMAL: u8 = 0;
    /// Safety and staff messages: spoken before any queued normal request.
    pub const PRIORITY_HIGH: u8 = 1;
}

/// `letan_interfaces/msg/SpeechStatus`: an utterance of the robot starts or ends (`/tts/status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechStatus {
    /// Stamp: when the utterance started (`speaking`) or ended / was stopped, in the node clock.
    pub header: Header,
    /// `true`: the utterance starts playing; `false`: it finished or was stopped.
    pub speaking: bool,
    /// The utterance's text (one [`SayRequest`], all its sentences).
    pub text: String,
    /// `"vi"` or `"en"`.
    pub language: String,
    /// Counts utterances from 1; the start and the end of one utterance share it.
    pub utterance_id: u32,
    /// The `id` of the [`SayRequest`] this utterance says, echoed (`""` when it had none).
    pub request_id: String,
}

/// `letan_interfaces/msg/ScreenContent`: what the citizen touchscreen shows (`/dialog/screen`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreenContent {
    /// When the content changed.
    pub header: Header,
    /// `"vi"` or `"en"`: the language of every text below.
    pub language: String,
    /// Heading, e.g. the procedure's name.
    pub title: String,
    /// The answer text; may contain newlines.
    pub body: String,
    /// Documents to bring, one per item.
    pub documents: Vec<String>,
    /// The online procedure's page (shown as a QR code), `""` = none.
    pub qr_url: String,
    /// Topic buttons: intent ids, most asked first.
    pub suggestion_ids: Vec<String>,
    /// The buttons' labels, in the order of `suggestion_ids`.
    pub suggestion_labels: Vec<String>,
    /// A confirmation: what the robot heard, for the citizen to check; `""` = none.
    pub heard: String,
    /// Show the yes/no buttons ("Đúng" / "Không phải", "Yes" / "No"): the title is a yes/no
    /// question. A tap is a `Transcript` with source `"button"` and text
    /// [`ScreenContent::CONFIRM_YES`] or [`ScreenContent::CONFIRM_NO`].
    pub confirm: bool,
}

impl ScreenContent {
    /// `Transcript.text` of the screen's yes button (source `"button"`).
    pub const CONFIRM_YES: &'static str = "confirm.yes";
    /// `Transcript.text` of the screen's no button (source `"button"`).
    pub const CONFIRM_NO: &'static str = "confirm.no";
}

/// `letan_interfaces/msg/DialogState`: what the dialog manager is doing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DialogState {
    /// Time of the state change.
    pub header: Header,
    /// One of the `STATE_*` values.
    pub state: String,
    /// Person in the conversation, `""` = none.
    pub person_id: String,
    /// Last understood intent id, `""` = none.
    pub intent: String,
    /// Confidence of that intent, [0, 1].
    pub confidence: f32,
    /// Conversation language.
    pub language: String,
    /// The last sentence the robot said.
    pub last_answer: String,
    /// Answers said since the dialog started: a new answer with the same words as the last one
    /// still counts.
    pub answers: u32,
}

impl DialogState {
    /// Nobody engaged.
    pub const STATE_IDLE: &'static str = "idle";
    /// Greeting a newly engaged person.
    pub const STATE_GREETING: &'static str = "greeting";
    /// Waiting for the person to speak.
    pub const STATE_LISTENING: &'static str = "listening";
    /// Speaking an answer.
    pub const STATE_ANSWERING: &'static str = "answering";
    /// Walking the person to a place.
    pub const STATE_GUIDING: &'static str = "guiding";
    /// A staff member has been called.
    pub const STATE_HANDOVER: &'static str = "handover";
}

/// `letan_interfaces/msg/IntentHypothesis`: one reading of an utterance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntentHypothesis {
    /// Intent id from `spec/intents.tsv`.
    pub intent_id: String,
    /// PLACE slot (place id), `""` if none.
    pub destination: String,
    /// [0, 1].
    pub confidence: f32,
}

/// `letan_interfaces/msg/Intent`: the understanding of one final transcript.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Intent {
    /// Stamp copied from the transcript.
    pub header: Header,
    /// The parsed text.
    pub text: String,
    /// Language of the text.
    pub language: String,
    /// Best intent id; `""` = not understood.
    pub intent_id: String,
    /// PLACE slot of `nav.*` intents; `""` if none.
    pub destination: String,
    /// Language slot of `chat.language` (`"vi"`/`"en"`); `""` otherwise.
    pub requested_language: String,
    /// Confidence of the best intent, [0, 1].
    pub confidence: f32,
    /// Next-best readings, best first.
    pub alternatives: Vec<IntentHypothesis>,
}

/// `letan_interfaces/msg/MuxStatus`: which velocity input drives the base, and the e-stop.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MuxStatus {
    /// Time of the status.
    pub header: Header,
    /// Input forwarded to the base (`"teleop"`, `"nav"`, ...), `""` = none.
    pub active_input: String,
    /// The base is held at zero velocity by the emergency stop.
    pub estop_engaged: bool,
    /// Why inputs are held or dropped, human readable.
    pub reasons: Vec<String>,
}

/// `letan_interfaces/msg/StaffAlert`: a request for a human staff member.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffAlert {
    /// Stamp: when the alert was raised.
    pub header: Header,
    /// Unique id of the alert (repeats keep the id).
    pub id: String,
    /// One of the `REASON_*` values.
    pub reason: String,
    /// Short summary for the staff.
    pub text: String,
    /// The citizen's language.
    pub language: String,
    /// The citizen's person id, `""` if unknown.
    pub person_id: String,
}

impl StaffAlert {
    /// The citizen asked for a person.
    pub const REASON_REQUESTED: &'static str = "requested";
    /// Repeated failures to understand.
    pub const REASON_NOT_UNDERSTOOD: &'static str = "not_understood";
    /// A question the robot must not answer.
    pub const REASON_OUT_OF_SCOPE: &'static str = "out_of_scope";
    /// The robot cannot continue.
    pub const REASON_ROBOT_FAULT: &'static str = "robot_fault";
}

/// `letan_interfaces/msg/NavGoalPlace`: go to (and guide the person to) a named place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavGoalPlace {
    /// Time of the request.
    pub header: Header,
    /// Place id; `""` cancels the current goal.
    pub place_id: String,
    /// Person being guided, `""` if none (an id only: it does not choose the mode).
    pub person_id: String,
    /// Lead a person there (guide mode: slower, waits for them); `false` = drive alone.
    pub guide: bool,
}

/// `letan_interfaces/msg/GuideStatus`: progress of the current [`NavGoalPlace`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuideStatus {
    /// Time of the status.
    pub header: Header,
    /// The goal's place id.
    pub place_id: String,
    /// One of the `STATE_*` values.
    pub state: String,
    /// [0, 1]: fraction of the path covered.
    pub progress: f32,
    /// `ERROR_*`, 0 unless `state` is failed.
    pub error_code: u16,
    /// Detail of the error (or, while waiting, why in words).
    pub error_msg: String,
    /// One of the `WAIT_*` values: why the goal waits (`WAIT_NONE` unless `state` is waiting).
    pub wait_reason: u8,
    /// The goal leads a person (guide mode). Only the dialog sends guide goals, so a dialog that
    /// restarted mid-walk knows a running guide goal as its own.
    pub guide: bool,
}

impl GuideStatus {
    /// No goal.
    pub const STATE_IDLE: &'static str = "idle";
    /// Moving towards the goal.
    pub const STATE_NAVIGATING: &'static str = "navigating";
    /// Paused: the person fell behind, or the path is blocked.
    pub const STATE_WAITING: &'static str = "waiting";
    /// Reached the goal.
    pub const STATE_ARRIVED: &'static str = "arrived";
    /// Gave up (see `error_code`).
    pub const STATE_FAILED: &'static str = "failed";
    /// Cancelled by a new goal or an empty `place_id`.
    pub const STATE_CANCELED: &'static str = "canceled";

    /// No error.
    pub const ERROR_NONE: u16 = 0;
    /// The place id is not on the map.
    pub const ERROR_UNKNOWN_PLACE: u16 = 1;
    /// No path to the place.
    pub const ERROR_NO_PATH: u16 = 2;
    /// Took too long.
    pub const ERROR_TIMEOUT: u16 = 3;
    /// Stopped by the emergency stop.
    pub const ERROR_ESTOP: u16 = 4;

    /// Not waiting.
    pub const WAIT_NONE: u8 = 0;
    /// Guide mode: the guided person fell behind or is not found yet.
    pub const WAIT_GUIDED_PERSON: u8 = 1;
    /// The emergency stop holds the robot; the goal resumes (replanned) on release.
    pub const WAIT_ESTOP: u8 = 2;
    /// An operator drives (teleop) and the goal is kept (`cancel_on_teleop` off).
    pub const WAIT_TELEOP: u8 = 3;
    /// People stand in the way; the robot waits for them to pass.
    pub const WAIT_PEOPLE: u8 = 4;
}
