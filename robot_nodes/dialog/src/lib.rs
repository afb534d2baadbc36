//! The reception robot's dialog manager, as pure code.
//!
//! One conversation at a time with the engaged person, from the greeting through listening,
//! answering and follow-ups to the farewell. Events and the current time go in
//! ([`Dialog::handle`]); actions come out (speak, stop speaking, show on the screen, navigate,
//! return to the dock, alert the staff, switch language). No I/O, no clock reads: a node owns a
//! [`Dialog`], feeds it what it hears and the time, and carries out the actions.
//!
//! When unsure — the recognizer's confidence below `confirm_below_asr` or the router's below
//! `confirm_below_router` ([`DialogConfig`]) — the dialog asks one yes/no question ("Bác hỏi về
//! đăng ký khai sinh phải không ạ?", in the citizen's own form of address) and shows what it heard
//! with yes/no buttons ([`ScreenContent::confirm`], [`CONFIRM_YES`], [`CONFIRM_NO`]); a "no"
//! offers the other readings as buttons. It never guides anyone or calls staff on an unsure
//! reading without a yes. Context across turns: follow-ups about the last procedure, "cái kia" /
//! "the other one" after a clarification, corrections ("không, ý bác là …"), and "đấy" / "there"
//! for the place the robot last offered to walk to.
//!
//! Understanding comes from `letan-nlu` (the intent router and its knowledge base); directions
//! come from the place poses of `maps/places.yaml` (`letan-map`).

pub mod config;
mod dialog;
pub mod directions;
pub mod error;
pub mod say_ledger;
pub mod titles;
pub mod watch;

pub use config::DialogConfig;
pub use dialog::{
    Action, AlertReason, Dialog, DialogSnapshot, Event, NavEvent, OperatorAction, ScreenContent,
    Source, Suggestion, Utterance, CONFIRM_NO, CONFIRM_YES,
};
pub use error::DialogError;
pub use letan_nlu::Language;
pub use say_ledger::{SayLedger, TtsRequest};
pub use watch::{NavTracker, Presence, TakeoverWatch};
