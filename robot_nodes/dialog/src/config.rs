//! Typed parameters (`dialog: {ros__parameters: {...}}`).

use letan_core::params::{in_range, node_parameters, positive, ParamError};
use serde::Deserialize;

use crate::error::DialogError;

/// Dialog timing and behaviour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DialogConfig {
    /// Seconds of silence after the robot finishes speaking before it re-prompts.
    pub silence_timeout_s: f64,
    /// How many re-prompts before the farewell.
    pub reprompts: u32,
    /// Speech rate of ordinary answers (1.0 = the voice's default).
    pub normal_rate: f32,
    /// Speech rate when repeating (slower).
    pub repeat_rate: f32,
    /// Ask "shall I take you to X?" before guiding.
    pub confirm_guide: bool,
    /// After announcing the arrival, leave for the dock at the latest this long after.
    pub post_arrival_wait_s: f64,
    /// Give up waiting for a staff member after this long and end the conversation.
    pub handoff_timeout_s: f64,
    /// After this many misunderstood utterances in a row, alert the staff.
    pub max_not_understood: u32,
    /// Speaking-time estimate (characters per second) used when no TTS events arrive.
    pub speech_chars_per_s: f64,
    /// Longer transcripts are cut to this many characters before understanding.
    pub max_text_chars: usize,
    /// `"vi"` or `"en"`: the language a conversation starts in.
    pub default_language: String,
    /// Directions are given as seen by a citizen standing at the dock facing this way (rad, map frame).
    pub directions_facing_yaw: f64,
    /// Closer than this (m), a place is "right here".
    pub directions_near_m: f64,
    /// Topic buttons on the screen (intent ids), most asked first.
    pub suggestions: Vec<String>,
    /// The knowledge-base directory the node answers from (relative to the repository root);
    /// `""` = the copy built into the binary.
    pub kb_dir: String,
    /// Seconds between checks of the knowledge-base files (a valid change is reloaded live).
    pub kb_reload_period_s: f64,
    /// Place poses for directions (relative to the repository root).
    pub places_yaml: String,
    /// Below this recognizer confidence (`Transcript.confidence`, [0, 1]) the robot asks one yes/no
    /// question ("Bác hỏi về đăng ký khai sinh phải không ạ?") before answering, guiding or
    /// calling staff. Typed text and buttons have confidence 1. 0 = never on this ground.
    pub confirm_below_asr: f32,
    /// Below this router confidence (`Understanding.confidence`, [0, 1]) the robot asks the same
    /// yes/no question. Below the router's own clarify threshold it asks "A or B?" instead.
    pub confirm_below_router: f32,
    /// When the citizen answers "no" to that question, at most this many other readings are
    /// offered as buttons (and by voice, "A or B").
    pub confirm_alternatives: usize,
}

impl Default for DialogConfig {
    fn default() -> Self {
        DialogConfig {
            silence_timeout_s: 8.0,
            reprompts: 1,
            normal_rate: 1.0,
            repeat_rate: 0.8,
            confirm_guide: true,
            post_arrival_wait_s: 6.0,
            handoff_timeout_s: 180.0,
            max_not_understood: 3,
            speech_chars_per_s: 12.0,
            max_text_chars: 400,
            default_language: "vi".into(),
            directions_facing_yaw: std::f64::consts::FRAC_PI_2,
            directions_near_m: 2.0,
            suggestions: vec![
                "proc.birth_registration".into(),
                "proc.id_card".into(),
                "proc.permanent_residence".into(),
                "proc.certified_copy".into(),
                "service.queue_number".into(),
                "service.vneid".into(),
            ],
            kb_dir: "kb".into(),
            kb_reload_period_s: 2.0,
            places_yaml: "maps/places.yaml".into(),
            confirm_below_asr: 0.6,
            confirm_below_router: 0.7,
            confirm_alternatives: 3,
        }
    }
}

/// A range check of `letan_core::params`, as this crate's error (whose key and reason are static).
fn checked(
    key: &'static str,
    reason: &'static str,
    r: Result<(), ParamError>,
) -> Result<(), DialogError> {
    r.map_err(|e| DialogError::InvalidParam {
        key,
        value: e.value,
        reason,
    })
}

impl DialogConfig {
    /// Parse a ROS 2 parameter file, take the `ros__parameters` that apply to `node` (`/**`,
    /// `/**/node`, then `node` itself, merged by `letan_core::params::ros_parameters`), validate.
    pub fn from_ros_yaml(text: &str, node: &str) -> Result<DialogConfig, DialogError> {
        let bad = |key: String, message: String| DialogError::Params { key, message };
        let doc: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| bad(node.to_string(), e.to_string()))?;
        let fqn = format!("/{}", node.trim_start_matches('/'));
        let section =
            node_parameters(&doc, &fqn).map_err(|e| bad(node.to_string(), e.to_string()))?;
        if !section.found() {
            return Err(bad(
                node.to_string(),
                format!("no parameters for this node (no `{node}:` nor `/**` section)"),
            ));
        }
        let p: DialogConfig = serde_path_to_error::deserialize(section.value()).map_err(|e| {
            let path = e.path().to_string();
            let key = if path.is_empty() || path == "." {
                format!("{node}.ros__parameters")
            } else {
                format!("{node}.ros__parameters.{path}")
            };
            bad(key, e.into_inner().to_string())
        })?;
        p.validate()?;
        Ok(p)
    }

    /// Refuse values that cannot work, naming the key.
    pub fn validate(&self) -> Result<(), DialogError> {
        let pos =
            |key: &'static str, v: f64| checked(key, "must be a positive number", positive(key, v));
        pos("silence_timeout_s", self.silence_timeout_s)?;
        pos("post_arrival_wait_s", self.post_arrival_wait_s)?;
        pos("handoff_timeout_s", self.handoff_timeout_s)?;
        pos("speech_chars_per_s", self.speech_chars_per_s)?;
        pos("directions_near_m", self.directions_near_m)?;
        pos("kb_reload_period_s", self.kb_reload_period_s)?;
        if self.places_yaml.trim().is_empty() {
            return Err(DialogError::InvalidParam {
                key: "places_yaml",
                value: String::new(),
                reason: "must name the places file",
            });
        }
        pos("normal_rate", f64::from(self.normal_rate))?;
        pos("repeat_rate", f64::from(self.repeat_rate))?;
        if !self.directions_facing_yaw.is_finite() {
            return Err(DialogError::InvalidParam {
                key: "directions_facing_yaw",
                value: self.directions_facing_yaw.to_string(),
                reason: "must be finite",
            });
        }
        if self.repeat_rate > self.normal_rate {
            return Err(DialogError::InvalidParam {
                key: "repeat_rate",
                value: self.repeat_rate.to_string(),
                reason: "a repeat must not be faster than normal_rate",
            });
        }
        for (key, v) in [
            ("confirm_below_asr", self.confirm_below_asr),
            ("confirm_below_router", self.confirm_below_router),
        ] {
            checked(
                key,
                "must be in [0, 1]",
                in_range(key, f64::from(v), 0.0, 1.0),
            )?;
        }
        checked(
            "confirm_alternatives",
            "must be in 1..=6",
            in_range(
                "confirm_alternatives",
                self.confirm_alternatives as f64,
                1.0,
                6.0,
            ),
        )?;
        if self.max_text_chars == 0 {
            return Err(DialogError::InvalidParam {
                key: "max_text_chars",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        if !matches!(self.default_language.as_str(), "vi" | "en") {
            return Err(DialogError::InvalidParam {
                key: "default_language",
                value: self.default_language.clone(),
                reason: "must be \"vi\" or \"en\"",
            });
        }
        if let Some(s) = self
            .suggestions
            .iter()
            .find(|s| !letan_nlu::catalog::INTENTS.contains(&s.as_str()))
        {
            return Err(DialogError::InvalidParam {
                key: "suggestions",
                value: s.clone(),
                reason: "not an intent id of spec/intents.tsv",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<DialogConfig, String> {
        DialogConfig::from_ros_yaml(text, "dialog").map_err(|e| e.to_string())
    }

    #[test]
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let cfg = load("/**:\n  ros__parameters: {reprompts: 2, silence_timeout_s: 5.0}\ndialog:\n  ros__parameters: {reprompts: 3}\n");
        assert_eq!(
            cfg.map(|c| (c.reprompts, c.silence_timeout_s)),
            Ok((3, 5.0))
        );
        let cfg = load("/**:\n  ros__parameters: {reprompts: 4}\n");
        assert_eq!(cfg.map(|c| c.reprompts), Ok(4));
        let cfg = load("/dialog:\n  ros__parameters: {reprompts: 5}\n");
        assert_eq!(cfg.map(|c| c.reprompts), Ok(5));
    }

    #[test]
    fn a_typo_or_bad_value_under_all_nodes_is_refused_by_name() {
        let e = load("/**:\n  ros__parameters: {silence_timout_s: 3.0}\n").unwrap_err();
        assert!(e.contains("silence_timout_s"), "{e}");
        let e = load("/**:\n  ros__parameters: {confirm_below_asr: 1.5}\n").unwrap_err();
        assert!(e.contains("confirm_below_asr"), "{e}");
        let e = load("/**:\n  ros__parameters: {silence_timeout_s: .nan}\n").unwrap_err();
        assert!(e.contains("silence_timeout_s"), "{e}");
        let e = load("other:\n  ros__parameters: {reprompts: 1}\n").unwrap_err();
        assert!(e.contains("dialog"), "{e}");
        let e = load("dialog:\n  ros__parameters: {reprompts: many}\n").unwrap_err();
        assert!(e.contains("reprompts"), "{e}");
    }
}
