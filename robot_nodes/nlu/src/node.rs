//! The intent-router node's pure parts: typed parameters and message mapping. The wiring
//! (subscribe, publish, poll the knowledge-base directory) is `letan nlu serve`.

use letan_core::params::{in_range, node_parameters, positive, ParamError};
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

/// A range check of `letan_core::params`, as this crate's error.
fn checked(r: Result<(), ParamError>) -> Result<(), NluError> {
    r.map_err(|e| NluError::Params {
        detail: format!("{}, got {}", e.reason, e.value),
        key: e.key,
    })
}

impl RouterParams {
    /// Check values once at start; the error names the key.
    pub fn validate(&self) -> Result<(), NluError> {
        let bad = |key: &str, detail: String| NluError::Params {
            key: key.to_string(),
            detail,
        };
        checked(positive("reload_period_s", self.reload_period_s))?;
        let oos = f64::from(self.oos_threshold);
        checked(in_range("oos_threshold", oos, 0.0, 1.0))?;
        if self.oos_threshold >= 1.0 {
            return Err(bad(
                "oos_threshold",
                format!("must be in [0, 1), got {}", self.oos_threshold),
            ));
        }
        checked(
            in_range(
                "clarify_threshold",
                f64::from(self.clarify_threshold),
                oos,
                1.0,
            )
            .map_err(|e| ParamError {
                reason: "must be within [oos_threshold, 1]".into(),
                ..e
            }),
        )?;
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

    /// Read the `ros__parameters` that apply to `node_name` in a ROS 2 parameter file (`/**`,
    /// `/**/node_name`, then `/node_name` or `node_name`, merged by
    /// `letan_core::params::ros_parameters`); none: the defaults.
    pub fn from_yaml(text: &str, node_name: &str) -> Result<RouterParams, NluError> {
        let bad = |detail: String| NluError::Params {
            key: node_name.to_string(),
            detail,
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let fqn = format!("/{}", node_name.trim_start_matches('/'));
        let section = node_parameters(&doc, &fqn).map_err(|e| bad(e.to_string()))?;
        let params: RouterParams =
            serde_yaml::from_value(section.value()).map_err(|e| NluError::Params {
                key: format!("{node_name}.ros__parameters"),
                detail: e.to_string(),
            })?;
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
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let p = RouterParams::from_yaml(
            "/**:\n  ros__parameters: {kb_dir: a, reload_period_s: 5.0}\nintent_router:\n  ros__parameters: {kb_dir: b}\n",
            "intent_router",
        )
        .unwrap();
        assert_eq!((p.kb_dir.as_str(), p.reload_period_s), ("b", 5.0));
        let p = RouterParams::from_yaml("/**:\n  ros__parameters: {kb_dir: c}\n", "intent_router")
            .unwrap();
        assert_eq!(p.kb_dir, "c");
        let p = RouterParams::from_yaml(
            "/intent_router:\n  ros__parameters: {kb_dir: d}\n",
            "intent_router",
        )
        .unwrap();
        assert_eq!(p.kb_dir, "d");
        // No section for this node: the defaults, as before.
        let p =
            RouterParams::from_yaml("other:\n  ros__parameters: {kb_dir: e}\n", "intent_router")
                .unwrap();
        assert_eq!(p, RouterParams::default());
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e = RouterParams::from_yaml("/**:\n  ros__parameters: {kb_dri: x}\n", "intent_router")
            .unwrap_err();
        assert!(e.to_string().contains("kb_dri"), "{e}");
        let e = RouterParams::from_yaml(
            "/**:\n  ros__parameters: {oos_threshold: 1.0}\n",
            "intent_router",
        )
        .unwrap_err();
        assert!(e.to_string().contains("oos_threshold"), "{e}");
        let e = RouterParams::from_yaml(
            "/**:\n  ros__parameters: {oos_threshold: 0.5, clarify_threshold: 0.4}\n",
            "intent_router",
        )
        .unwrap_err();
        assert!(e.to_string().contains("clarify_threshold"), "{e}");
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
