//! The intent-router node's pure parts: typed parameters and message mapping. The wiring
//! (subscribe, publish, poll the knowledge-base directory) is `letan nlu serve`.

use letan_msgs::letan_interfaces::{Intent, IntentHypothesis, SayRequest};
use letan_msgs::std_msgs::Header;
use serde::Deserialize;

use crate::router::{Answer, NluConfig, Understanding};
use crate::NluError;

/// `intent_router: {ros__parameters: {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouterParams {
    /// Knowledge-base directory, watched for changes; empty = the built-in copy.
    pub kb_dir: String,
    /// Seconds between checks of the knowledge-base files.
    pub reload_period_s: f64,
    pub transcript_topic: String,
    pub intent_topic: String,
    /// Empty = do not publish spoken answers.
    pub answer_topic: String,
    pub oos_threshold: f32,
    pub clarify_threshold: f32,
}

impl Default for RouterParams {
    fn default() -> Self {
        let d = NluConfig::default();
        RouterParams {
            kb_dir: "kb".into(),
            reload_period_s: 2.0,
            transcript_topic: "transcript".into(),
            intent_topic: "intent".into(),
            answer_topic: "nlu/answer".into(),
            oos_threshold: d.oos_threshold,
            clarify_threshold: d.clarify_threshold,
        }
    }
}

#[derive(Deserialize)]
struct Section {
    #[serde(default, rename = "ros__parameters")]
    ros_parameters: Option<serde_yaml::Value>,
}

impl RouterParams {
    /// Check values once at start; the error names the key.
    pub fn validate(&self) -> Result<(), NluError> {
        let bad = |key: &str, detail: String| NluError::Params {
            key: key.to_string(),
            detail,
        };
        if !(self.reload_period_s.is_finite() && self.reload_period_s > 0.0) {
            return Err(bad(
                "reload_period_s",
                format!("must be > 0, got {}", self.reload_period_s),
            ));
        }
        if !(0.0..1.0).contains(&self.oos_threshold) {
            return Err(bad(
                "oos_threshold",
                format!("must be in [0, 1), got {}", self.oos_threshold),
            ));
        }
        if !(self.oos_threshold..=1.0).contains(&self.clarify_threshold) {
            return Err(bad(
                "clarify_threshold",
                format!(
                    "must be in [oos_threshold, 1], got {}",
                    self.clarify_threshold
                ),
            ));
        }
        for (key, v) in [
            ("transcript_topic", &self.transcript_topic),
            ("intent_topic", &self.intent_topic),
        ] {
            if v.trim().is_empty() {
                return Err(bad(key, "must not be empty".into()));
            }
        }
        Ok(())
    }

    /// Read the `node_name` (or `/node_name`, or `/**`) section of a ROS 2 parameter file.
    pub fn from_yaml(text: &str, node_name: &str) -> Result<RouterParams, NluError> {
        let doc: std::collections::BTreeMap<String, Section> =
            serde_yaml::from_str(text).map_err(|e| NluError::Params {
                key: node_name.to_string(),
                detail: e.to_string(),
            })?;
        let section = [
            node_name.to_string(),
            format!("/{node_name}"),
            "/**".to_string(),
        ]
        .iter()
        .find_map(|k| doc.get(k).and_then(|s| s.ros_parameters.clone()));
        let params = match section {
            Some(v) => serde_yaml::from_value(v).map_err(|e| NluError::Params {
                key: format!("{node_name}.ros__parameters"),
                detail: e.to_string(),
            })?,
            None => RouterParams::default(),
        };
        params.validate()?;
        Ok(params)
    }

    /// The router settings these parameters ask for.
    pub fn nlu_config(&self) -> NluConfig {
        NluConfig {
            oos_threshold: self.oos_threshold,
            clarify_threshold: self.clarify_threshold,
            ..NluConfig::default()
        }
    }
}

/// The `Intent` message for an understanding (stamp copied from the transcript).
pub fn intent_message(u: &Understanding, text: &str, header: Header) -> Intent {
    Intent {
        header,
        text: text.to_string(),
        language: u.lang.code().to_string(),
        intent_id: u.intent.clone(),
        destination: u.destination.clone().unwrap_or_default(),
        requested_language: u.language.map(|l| l.code().to_string()).unwrap_or_default(),
        confidence: u.confidence,
        alternatives: u
            .alternatives
            .iter()
            .skip(1)
            .map(|(id, p)| IntentHypothesis {
                intent_id: id.clone(),
                destination: String::new(),
                confidence: *p,
            })
            .collect(),
    }
}

/// The `SayRequest` carrying the spoken answer.
pub fn say_message(a: &Answer, u: &Understanding, header: Header) -> SayRequest {
    let lang = u
        .language
        .filter(|_| u.intent == "chat.language")
        .unwrap_or(u.lang);
    SayRequest {
        header,
        id: String::new(),
        text: a.spoken.clone(),
        language: lang.code().to_string(),
        voice: String::new(),
        priority: SayRequest::PRIORITY_NORMAL,
        interrupt: false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_loads_and_validates() {
        let text = include_str!("../config/intent_router.yaml");
        let p = RouterParams::from_yaml(text, "intent_router").unwrap();
        assert_eq!(p.kb_dir, "kb");
        assert_eq!(p.intent_topic, "intent");
    }

    #[test]
    fn unknown_key_and_bad_value_are_refused_by_name() {
        let e = RouterParams::from_yaml(
            "intent_router:\n  ros__parameters:\n    kb_dri: x\n",
            "intent_router",
        )
        .unwrap_err();
        assert!(e.to_string().contains("kb_dri"), "{e}");
        let e = RouterParams::from_yaml(
            "intent_router:\n  ros__parameters:\n    reload_period_s: 0\n",
            "intent_router",
        )
        .unwrap_err();
        assert!(e.to_string().contains("reload_period_s"), "{e}");
    }

    #[test]
    fn intent_message_carries_slots_and_alternatives() {
        let nlu = crate::Nlu::embedded().unwrap();
        let u = nlu.understand("dẫn tôi đến quầy số 3");
        let m = intent_message(&u, "dẫn tôi đến quầy số 3", Header::default());
        assert_eq!(m.intent_id, "nav.guide");
        assert_eq!(m.destination, "counter_3");
        assert_eq!(m.language, "vi");
        assert!(m.alternatives.iter().all(|a| a.intent_id != "nav.guide"));
        let s = say_message(&nlu.answer(&u), &u, Header::default());
        assert!(s.text.contains("Quầy số 3"));
    }
}
