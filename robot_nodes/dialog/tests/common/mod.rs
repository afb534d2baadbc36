//! A conversation driver for the scripted tests, with a recognizer fake that hears each sentence
//! with a given confidence.
#![allow(dead_code)]

use std::time::Duration;

use letan_dialog::{
    Action, Dialog, DialogConfig, Event, Language, ScreenContent, Source, Utterance,
};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

pub fn dialog_with(cfg: DialogConfig) -> Dialog {
    let kb = letan_nlu::kb::load_dir(std::path::Path::new(&format!("{ROOT}/kb")))
        .unwrap_or_else(|e| panic!("kb: {e}"));
    let nlu = letan_nlu::Nlu::new(kb, letan_nlu::NluConfig::default())
        .unwrap_or_else(|e| panic!("nlu: {e}"));
    let places = letan_map::Places::load(format!("{ROOT}/maps/places.yaml"))
        .unwrap_or_else(|e| panic!("places: {e}"));
    Dialog::new(cfg, nlu, places).unwrap_or_else(|e| panic!("dialog: {e}"))
}

/// A recognizer fake: what it "hears" for a sentence is the sentence, with the confidence it was
/// told for that sentence (a default otherwise), like a Vosk final with word confidences.
pub struct FakeRecognizer {
    pub default_confidence: f32,
    pub confidences: Vec<(String, f32)>,
}

impl FakeRecognizer {
    pub fn new(default_confidence: f32) -> FakeRecognizer {
        FakeRecognizer {
            default_confidence,
            confidences: Vec::new(),
        }
    }
    /// Hear `text` with `confidence` from now on.
    pub fn hears(mut self, text: &str, confidence: f32) -> FakeRecognizer {
        self.confidences.push((text.to_string(), confidence));
        self
    }
    pub fn recognize(&self, text: &str) -> Utterance {
        let c = self
            .confidences
            .iter()
            .find(|(t, _)| t == text)
            .map_or(self.default_confidence, |(_, c)| *c);
        Utterance::asr(text, c)
    }
}

pub struct Script {
    pub d: Dialog,
    pub now: Duration,
    pub asr: FakeRecognizer,
}

impl Script {
    pub fn new() -> Script {
        Script::with(DialogConfig::default())
    }
    pub fn with(cfg: DialogConfig) -> Script {
        Script {
            d: dialog_with(cfg),
            now: Duration::ZERO,
            asr: FakeRecognizer::new(0.95),
        }
    }
    pub fn hearing(mut self, asr: FakeRecognizer) -> Script {
        self.asr = asr;
        self
    }
    pub fn ev(&mut self, e: Event) -> Vec<Action> {
        self.d.handle(e, self.now)
    }
    /// Speak `text` into the recognizer fake; the robot's reply is then spoken to the end.
    pub fn say(&mut self, text: &str) -> Vec<Action> {
        self.now += Duration::from_millis(500);
        let u = self.asr.recognize(text);
        let a = self.ev(Event::Transcript(u));
        self.spoken_to_end();
        a
    }
    /// Tap a button on the screen (an intent id, or `confirm.yes` / `confirm.no`).
    pub fn tap(&mut self, id: &str) -> Vec<Action> {
        self.now += Duration::from_millis(500);
        let a = self.ev(Event::Transcript(Utterance {
            text: id.to_string(),
            lang: None,
            confidence: 1.0,
            source: Source::Button,
        }));
        self.spoken_to_end();
        a
    }
    pub fn spoken_to_end(&mut self) {
        self.now += Duration::from_millis(100);
        self.ev(Event::TtsStarted);
        self.now += Duration::from_secs(3);
        self.ev(Event::TtsFinished);
    }
    pub fn engage(&mut self, id: &str) -> Vec<Action> {
        let a = self.ev(Event::PersonEngaged { id: id.into() });
        self.spoken_to_end();
        a
    }
}

pub fn said(actions: &[Action]) -> Vec<(String, Language)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Say { text, lang, .. } => Some((text.clone(), *lang)),
            _ => None,
        })
        .collect()
}

pub fn one_say(actions: &[Action]) -> String {
    let s = said(actions);
    assert_eq!(s.len(), 1, "expected one Say in {actions:#?}");
    s[0].0.clone()
}

pub fn screen(actions: &[Action]) -> ScreenContent {
    actions
        .iter()
        .find_map(|a| match a {
            Action::ShowScreen(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ShowScreen in {actions:#?}"))
}

pub fn navigations(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::NavigateTo { place, .. } => Some(place.clone()),
            _ => None,
        })
        .collect()
}

pub fn alerts(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::StaffAlert { .. }))
        .count()
}

/// The screen title of an intent's answer.
pub fn title(id: &str, lang: Language) -> String {
    static KB: std::sync::OnceLock<letan_nlu::Kb> = std::sync::OnceLock::new();
    let kb = KB.get_or_init(|| letan_nlu::Kb::embedded().unwrap_or_else(|e| panic!("{e:?}")));
    letan_dialog::titles::title(kb, id, lang).to_string()
}
