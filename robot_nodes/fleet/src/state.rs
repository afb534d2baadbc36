//! The hub's view of the fleet: which robots exist, which are online, what they run. Pure: every
//! input carries its time.
use crate::proto::{Event, EventKind, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// A robot as the hub sees it (the JSON of `GET /api/robots`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RobotView {
    pub id: String,
    pub site: String,
    pub online: bool,
    pub kb_version: String,
    pub software_version: String,
    pub last_seen_ms: u64,
    pub status: Option<Status>,
    /// Staff alerts and errors not yet seen by an operator (newest last, at most 20).
    pub alerts: Vec<Event>,
}

/// Why a status was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Another instance with this id is online (its site, instance).
    Duplicate { id: String, site: String },
    /// Older than one already taken.
    Stale,
}

/// The fleet table.
#[derive(Debug)]
pub struct Fleet {
    robots: BTreeMap<String, RobotView>,
    /// A robot is offline when its liveliness token went away or no status came for this long.
    pub offline_after_ms: u64,
    /// Instance per robot id.
    instances: BTreeMap<String, String>,
}

impl Fleet {
    /// An empty table.
    pub fn new(offline_after_ms: u64) -> Self {
        Fleet {
            robots: BTreeMap::new(),
            offline_after_ms,
            instances: BTreeMap::new(),
        }
    }

    /// Take a status (already verified with the site key). A second robot with the same id while
    /// the first is online is refused.
    pub fn on_status(&mut self, s: Status, now_ms: u64) -> Result<(), Rejected> {
        self.tick(now_ms);
        if let Some(r) = self.robots.get(&s.robot) {
            let inst = self.instances.get(&s.robot);
            let other_instance = inst.is_some_and(|i| *i != s.instance);
            if r.online && (r.site != s.site || other_instance) {
                return Err(Rejected::Duplicate {
                    id: s.robot.clone(),
                    site: s.site.clone(),
                });
            }
            if !other_instance && r.status.as_ref().is_some_and(|o| o.seq >= s.seq) {
                return Err(Rejected::Stale);
            }
        }
        self.instances.insert(s.robot.clone(), s.instance.clone());
        let r = self
            .robots
            .entry(s.robot.clone())
            .or_insert_with(|| RobotView {
                id: s.robot.clone(),
                site: s.site.clone(),
                online: true,
                kb_version: String::new(),
                software_version: String::new(),
                last_seen_ms: now_ms,
                status: None,
                alerts: Vec::new(),
            });
        r.site = s.site.clone();
        r.online = true;
        r.last_seen_ms = now_ms;
        r.kb_version = s.kb_version.clone();
        r.software_version = s.software_version.clone();
        r.status = Some(s);
        Ok(())
    }

    /// The robot's liveliness token went away: offline at once.
    pub fn on_gone(&mut self, site: &str, robot: &str) {
        if let Some(r) = self.robots.get_mut(robot) {
            if r.site == site {
                r.online = false;
            }
        }
    }

    /// Keep alerts and errors for the overview.
    pub fn on_event(&mut self, e: &Event) {
        if let Some(r) = self.robots.get_mut(&e.robot) {
            if r.site == e.site
                && matches!(
                    e.kind,
                    EventKind::StaffAlert { .. } | EventKind::Error { .. }
                )
            {
                r.alerts.push(e.clone());
                if r.alerts.len() > 20 {
                    r.alerts.remove(0);
                }
            }
        }
    }

    /// Mark robots without a recent status offline.
    pub fn tick(&mut self, now_ms: u64) {
        for r in self.robots.values_mut() {
            if now_ms.saturating_sub(r.last_seen_ms) > self.offline_after_ms {
                r.online = false;
            }
        }
    }

    /// A robot.
    pub fn get(&self, id: &str) -> Option<&RobotView> {
        self.robots.get(id)
    }

    /// Every robot, by id.
    pub fn all(&self) -> impl Iterator<Item = &RobotView> {
        self.robots.values()
    }

    /// Record the version a robot reported after a push (before its next status).
    pub fn set_kb_version(&mut self, id: &str, version: &str) {
        if let Some(r) = self.robots.get_mut(id) {
            r.kb_version = version.to_string();
        }
    }
}

/// The calendar day (`YYYY-MM-DD`) of `ms` in a zone `offset_min` minutes east of UTC (Hanoi: 420).
pub fn day_of(ms: u64, offset_min: i64) -> String {
    let shifted = (ms as i64)
        .saturating_add(offset_min.saturating_mul(60_000))
        .max(0) as u64;
    letan_console::clock::rfc3339_utc(shifted)[..10].to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::proto::PROTOCOL_VERSION;

    fn st(site: &str, robot: &str, inst: &str, seq: u64) -> Status {
        Status {
            v: PROTOCOL_VERSION,
            site: site.into(),
            robot: robot.into(),
            instance: inst.into(),
            seq,
            kb_version: format!("kb{seq}"),
            ..Status::default()
        }
    }

    #[test]
    fn online_offline_duplicates_and_order() {
        let mut f = Fleet::new(2500);
        f.on_status(st("a", "r1", "i1", 1), 0).unwrap();
        assert!(f.get("r1").unwrap().online);
        assert_eq!(f.get("r1").unwrap().kb_version, "kb1");
        assert_eq!(
            f.on_status(st("a", "r1", "i1", 1), 10),
            Err(Rejected::Stale)
        );
        // same id, other instance or other site, while online: refused
        assert!(matches!(
            f.on_status(st("a", "r1", "i2", 1), 100),
            Err(Rejected::Duplicate { .. })
        ));
        assert!(matches!(
            f.on_status(st("b", "r1", "i1", 9), 100),
            Err(Rejected::Duplicate { .. })
        ));
        f.tick(2400);
        assert!(f.get("r1").unwrap().online);
        f.tick(2600);
        assert!(!f.get("r1").unwrap().online, "no status for 2.6 s");
        // a restarted robot (new instance, seq from 1) is taken once the old one is offline
        f.on_status(st("a", "r1", "i2", 1), 3000).unwrap();
        assert!(f.get("r1").unwrap().online);
        f.on_gone("b", "r1");
        assert!(f.get("r1").unwrap().online, "other site's token");
        f.on_gone("a", "r1");
        assert!(!f.get("r1").unwrap().online);
    }

    #[test]
    fn days_in_hanoi() {
        // 2026-12-05T18:00Z is 2026-12-06 01:00 in Hanoi
        let ms = 1_796_493_600_000;
        assert_eq!(day_of(ms, 0), "2026-12-05");
        assert_eq!(day_of(ms, 420), "2026-12-06");
    }
}
