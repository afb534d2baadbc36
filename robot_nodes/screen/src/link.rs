//! The boundary between the screen and the robot. No DDS here: the robot side (a node wired to the
//! dialog's topics, or `demo::FakeDialog` with the feature `demo`) publishes [`ScreenState`] on a
//! `watch` channel and receives [`ScreenInput`]s (what the citizen did) on an `mpsc` channel.
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

/// Language of the screen and of what the citizen said or typed: the robot's one `Lang`
/// (`vi` / `en` on the wire and in JSON).
pub use letan_core::Lang;

/// What the dialog is doing, as the screen shows it in its status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DialogState {
    /// Nobody is being served.
    #[default]
    Idle,
    /// The robot greets someone who came close.
    Greeting,
    /// The robot listens (microphone open).
    Listening,
    /// The robot answers (speaking and showing the answer).
    Answering,
    /// The robot walks the citizen to a place.
    Guiding,
    /// A staff member was called and takes over.
    Handover,
}

impl DialogState {
    /// The lowercase name (as in `letan_interfaces/DialogState`).
    pub fn as_str(self) -> &'static str {
        match self {
            DialogState::Idle => "idle",
            DialogState::Greeting => "greeting",
            DialogState::Listening => "listening",
            DialogState::Answering => "answering",
            DialogState::Guiding => "guiding",
            DialogState::Handover => "handover",
        }
    }

    /// Parse a lowercase name; `None` for anything else.
    pub fn parse(s: &str) -> Option<DialogState> {
        Some(match s {
            "idle" => DialogState::Idle,
            "greeting" => DialogState::Greeting,
            "listening" => DialogState::Listening,
            "answering" => DialogState::Answering,
            "guiding" => DialogState::Guiding,
            "handover" => DialogState::Handover,
            _ => return None,
        })
    }
}

/// One topic button (a most-asked procedure).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Intent id, e.g. `proc.birth_registration` (sent back in [`ScreenInput::Topic`]).
    pub id: String,
    /// Button text in the screen's language, e.g. `Khai sinh`.
    pub label: String,
}

/// Everything the screen shows, as one snapshot. The robot side replaces it whole or edits it with
/// [`RobotSide::update`]; every change is pushed to the page at once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScreenState {
    /// Language of the labels and of the answer.
    pub lang: Lang,
    /// Answer title (e.g. the procedure's name); empty = the welcome screen.
    pub title: String,
    /// Answer text, plain (never HTML); may have newlines.
    pub body: String,
    /// Documents to bring, one per item.
    pub documents: Vec<String>,
    /// The online procedure, shown as a QR code (`/api/qr.svg`); http(s) only.
    pub qr_url: Option<String>,
    /// Topic buttons (most asked first).
    pub suggestions: Vec<Suggestion>,
    /// What the dialog is doing.
    pub dialog_state: DialogState,
    /// The last thing the citizen said or typed (echoed on the screen).
    pub heard: String,
    /// The title is a yes/no question about what the robot heard ("Bác hỏi về đăng ký khai sinh
    /// phải không ạ?"): show the big yes/no buttons ("Đúng" / "Không phải", "Yes" / "No"), which
    /// send [`ScreenInput::Confirm`].
    #[serde(default)]
    pub confirm: bool,
    /// The robot's voice is playing.
    pub robot_speaking: bool,
    /// A staff member was called and is coming.
    pub staff_called: bool,
    /// Increases with every change ([`RobotSide::publish`] and [`RobotSide::update`] set it).
    pub seq: u64,
}

/// What the citizen did on the screen. `lang` is the screen's language when they did it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScreenInput {
    /// A typed question (trimmed, control characters removed, NFC, at most `max_text_chars`).
    Typed {
        /// The question.
        text: String,
        /// Language.
        lang: Lang,
    },
    /// A topic button, e.g. `proc.birth_registration` (matches `^[a-z]+\.[a-z_]+$`, ≤ 64 bytes).
    Topic {
        /// Intent id.
        id: String,
        /// Language.
        lang: Lang,
    },
    /// "Call staff".
    CallStaff {
        /// Language.
        lang: Lang,
    },
    /// The vi/en toggle: the citizen wants this language.
    Language {
        /// The language asked for.
        lang: Lang,
    },
    /// "Say it again".
    Repeat {
        /// Language.
        lang: Lang,
    },
    /// The yes ("Đúng") or no ("Không phải") button of a confirmation question.
    Confirm {
        /// True for yes.
        yes: bool,
        /// Language.
        lang: Lang,
    },
}

impl ScreenInput {
    /// The language the input came with.
    pub fn lang(&self) -> Lang {
        match self {
            ScreenInput::Typed { lang, .. }
            | ScreenInput::Topic { lang, .. }
            | ScreenInput::CallStaff { lang }
            | ScreenInput::Language { lang }
            | ScreenInput::Repeat { lang }
            | ScreenInput::Confirm { lang, .. } => *lang,
        }
    }

    /// A short name for logs: `typed`, `topic`, `call_staff`, `language`, `repeat`, `confirm`.
    pub fn kind(&self) -> &'static str {
        match self {
            ScreenInput::Typed { .. } => "typed",
            ScreenInput::Topic { .. } => "topic",
            ScreenInput::CallStaff { .. } => "call_staff",
            ScreenInput::Language { .. } => "language",
            ScreenInput::Repeat { .. } => "repeat",
            ScreenInput::Confirm { .. } => "confirm",
        }
    }
}

/// The screen's end of the link (the server holds it).
#[derive(Clone, Debug)]
pub struct ScreenLink {
    /// Latest state to show.
    pub state: watch::Receiver<ScreenState>,
    /// What the citizen did.
    pub inputs: mpsc::Sender<ScreenInput>,
}

/// The robot's end of the link (the screen node or the fake dialog holds it).
#[derive(Debug)]
pub struct RobotSide {
    /// Publish what to show here (or use [`RobotSide::publish`] / [`RobotSide::update`]).
    pub state: watch::Sender<ScreenState>,
    /// What the citizen did.
    pub inputs: mpsc::Receiver<ScreenInput>,
}

impl ScreenLink {
    /// A connected pair of ends, starting from `ScreenState::default()` (Vietnamese, welcome
    /// screen). `capacity` bounds queued inputs (a full queue answers 503).
    pub fn new(capacity: usize) -> (ScreenLink, RobotSide) {
        let (state_tx, state_rx) = watch::channel(ScreenState::default());
        let (in_tx, in_rx) = mpsc::channel(capacity.max(1));
        (
            ScreenLink {
                state: state_rx,
                inputs: in_tx,
            },
            RobotSide {
                state: state_tx,
                inputs: in_rx,
            },
        )
    }
}

impl RobotSide {
    /// Show `state` (its `seq` is replaced by the previous one + 1, which is returned).
    pub fn publish(&self, mut state: ScreenState) -> u64 {
        let mut seq = 0;
        self.state.send_modify(|s| {
            seq = s.seq.wrapping_add(1);
            state.seq = seq;
            *s = state;
        });
        seq
    }

    /// Edit what is shown in place (e.g. `|s| s.robot_speaking = false`); bumps and returns `seq`.
    pub fn update(&self, edit: impl FnOnce(&mut ScreenState)) -> u64 {
        let mut seq = 0;
        self.state.send_modify(|s| {
            let before = s.seq;
            edit(s);
            seq = before.wrapping_add(1);
            s.seq = seq;
        });
        seq
    }

    /// A copy of what is shown now.
    pub fn current(&self) -> ScreenState {
        self.state.borrow().clone()
    }

    /// The next input from the citizen; `None` once the server is gone.
    pub async fn recv(&mut self) -> Option<ScreenInput> {
        self.inputs.recv().await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn state_json_uses_lowercase_names() {
        let s = ScreenState {
            lang: Lang::En,
            dialog_state: DialogState::Handover,
            qr_url: Some("https://dichvucong.gov.vn/".into()),
            ..Default::default()
        };
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["lang"], "en");
        assert_eq!(j["dialog_state"], "handover");
        assert_eq!(j["qr_url"], "https://dichvucong.gov.vn/");
        assert_eq!(j["staff_called"], false);
        let back: ScreenState = serde_json::from_value(j).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn names_round_trip() {
        for d in [
            DialogState::Idle,
            DialogState::Greeting,
            DialogState::Listening,
            DialogState::Answering,
            DialogState::Guiding,
            DialogState::Handover,
        ] {
            assert_eq!(DialogState::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        assert_eq!(DialogState::parse("Idle"), None);
        assert_eq!(Lang::parse("vi"), Some(Lang::Vi));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[tokio::test]
    async fn publish_and_update_bump_seq_and_notify() {
        let (link, mut robot) = ScreenLink::new(4);
        let mut rx = link.state.clone();
        assert_eq!(robot.publish(ScreenState::default()), 1);
        rx.changed().await.unwrap();
        assert_eq!(rx.borrow_and_update().seq, 1);
        let seq = robot.update(|s| {
            s.seq = 99; // ignored: update sets seq itself
            s.robot_speaking = true;
        });
        assert_eq!(seq, 2);
        rx.changed().await.unwrap();
        assert!(rx.borrow().robot_speaking);
        assert_eq!(robot.current().seq, 2);
        link.inputs
            .send(ScreenInput::Repeat { lang: Lang::En })
            .await
            .unwrap();
        let got = robot.recv().await.unwrap();
        assert_eq!(got.lang(), Lang::En);
        assert_eq!(got.kind(), "repeat");
    }
}
