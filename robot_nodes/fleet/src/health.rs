//! The robot's node health as the fleet node can observe it. Pure: every input carries its time.
//!
//! A node is *heard* when a message arrives on a topic it publishes. Nodes with a topic they keep
//! publishing (a heartbeat) are healthy while heard within `max_age_s`, and *silent* after. Nodes
//! that publish only when something happens (tts, asr) cannot be timed that way: they count as up
//! while heard recently or while their topic has a publisher on the graph, and the detail says
//! which. A node never heard is silent, but only a node going from healthy to silent is reported
//! as newly silent (for an error event): a robot started without a face camera does not raise one.
use crate::proto::NodeHealth;

/// How a node is watched.
#[derive(Clone, Debug, PartialEq)]
pub struct Watch {
    pub name: &'static str,
    /// The topics that count as hearing from it (for the detail text).
    pub topics: &'static str,
    /// `Some(topic)`: no heartbeat; up while this topic has a publisher on the graph.
    pub presence_topic: Option<&'static str>,
}

/// The nodes a reception robot is expected to run, and how each is heard from.
pub const EXPECTED: [Watch; 6] = [
    Watch {
        name: "dialog",
        topics: "/dialog/state",
        presence_topic: None,
    },
    Watch {
        name: "navigation",
        topics: "/tf (map→odom), /nav/guide_status",
        presence_topic: None,
    },
    Watch {
        name: "mux",
        topics: "/mux/status",
        presence_topic: None,
    },
    Watch {
        name: "face",
        topics: "/humans/faces/tracked, /humans/faces/debug_image",
        presence_topic: None,
    },
    Watch {
        name: "tts",
        topics: "/tts/status",
        presence_topic: Some("/tts/status"),
    },
    Watch {
        name: "asr",
        topics: "/humans/voices/tracked",
        presence_topic: Some("/humans/voices/tracked"),
    },
];

#[derive(Clone, Debug)]
struct Entry {
    watch: Watch,
    last: Option<f64>,
    was_ok: bool,
}

/// The health tracker.
#[derive(Clone, Debug)]
pub struct Health {
    entries: Vec<Entry>,
    /// A heartbeat node is silent when not heard for this long (seconds).
    pub max_age_s: f64,
}

impl Health {
    /// Watch `watches`; silent after `max_age_s` without a message.
    pub fn new(watches: &[Watch], max_age_s: f64) -> Self {
        Health {
            entries: watches
                .iter()
                .map(|w| Entry {
                    watch: w.clone(),
                    last: None,
                    was_ok: false,
                })
                .collect(),
            max_age_s,
        }
    }

    /// A message from node `name` arrived at `now` (seconds, any monotonic-enough clock).
    pub fn heard(&mut self, name: &str, now: f64) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.watch.name == name) {
            e.last = Some(now);
        }
    }

    /// Each node's health at `now`, and the messages for the nodes that went from healthy to
    /// silent since the last call. `has_publisher(topic)` answers for the presence-only nodes.
    pub fn evaluate(
        &mut self,
        now: f64,
        has_publisher: impl Fn(&str) -> bool,
    ) -> (Vec<NodeHealth>, Vec<String>) {
        let mut out = Vec::with_capacity(self.entries.len());
        let mut went_silent = Vec::new();
        for e in &mut self.entries {
            // a clock that stepped back counts as just heard, not as silent
            let age = e.last.map(|t| (now - t).max(0.0));
            let recent = age.is_some_and(|a| a <= self.max_age_s);
            let present = e.watch.presence_topic.is_some_and(&has_publisher);
            let ok = recent || present;
            let detail = match (age, recent, present) {
                (Some(a), true, _) => format!("heard {a:.1} s ago"),
                (_, false, true) => format!(
                    "a publisher of {} is up (publishes only when it works)",
                    e.watch.presence_topic.unwrap_or_default()
                ),
                (None, _, _) => format!("silent: never heard on {}", e.watch.topics),
                (Some(a), false, _) => {
                    format!("silent: nothing on {} for {a:.0} s", e.watch.topics)
                }
            };
            if e.was_ok && !ok {
                went_silent.push(format!("node {} went silent: {detail}", e.watch.name));
            }
            e.was_ok = ok;
            out.push(NodeHealth {
                name: e.watch.name.to_string(),
                ok,
                detail,
            });
        }
        (out, went_silent)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_nodes_go_silent_and_are_reported_once() {
        let mut h = Health::new(&EXPECTED, 3.0);
        let (nodes, silent) = h.evaluate(0.0, |_| false);
        assert_eq!(nodes.len(), 6);
        assert!(nodes.iter().all(|n| !n.ok), "{nodes:?}");
        assert!(silent.is_empty(), "never heard is not newly silent");
        h.heard("mux", 1.0);
        h.heard("dialog", 1.0);
        let (nodes, silent) = h.evaluate(3.5, |_| false);
        let ok: Vec<_> = nodes.iter().filter(|n| n.ok).map(|n| &n.name).collect();
        assert_eq!(ok, ["dialog", "mux"]);
        assert!(silent.is_empty());
        h.heard("dialog", 4.0);
        let (nodes, silent) = h.evaluate(4.5, |_| false);
        assert!(
            !nodes[2].ok && nodes[2].detail.contains("/mux/status"),
            "{nodes:?}"
        );
        assert_eq!(silent.len(), 1, "{silent:?}");
        assert!(silent[0].contains("mux went silent"), "{silent:?}");
        let (_, silent) = h.evaluate(5.0, |_| false);
        assert!(silent.is_empty(), "reported once");
        h.heard("mux", 5.5);
        let (nodes, _) = h.evaluate(6.0, |_| false);
        assert!(nodes[2].ok, "heard again: healthy again");
    }

    #[test]
    fn presence_only_nodes_count_while_a_publisher_is_up() {
        let mut h = Health::new(&EXPECTED, 3.0);
        let (nodes, _) = h.evaluate(10.0, |t| t == "/tts/status");
        let tts = nodes.iter().find(|n| n.name == "tts").unwrap();
        assert!(tts.ok && tts.detail.contains("publisher"), "{tts:?}");
        assert!(!nodes.iter().find(|n| n.name == "asr").unwrap().ok);
        let (_, silent) = h.evaluate(11.0, |_| false);
        assert_eq!(
            silent,
            ["node tts went silent: silent: never heard on /tts/status"]
        );
    }
}
