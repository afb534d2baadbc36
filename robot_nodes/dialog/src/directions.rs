//! Directions in words, relative to landmarks, from the place poses of `maps/places.yaml`.

use letan_map::{normalize_angle, Places, Pose2D};
use letan_nlu::{Kb, Language};

/// Where a place is, seen from a standpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Straight-line distance, metres.
    pub distance_m: f64,
    /// Bearing of the place from the standpoint's facing direction, rad, (-π, π], left positive.
    pub bearing: f64,
    /// A nearby place to recognise it by, if any.
    pub landmark: Option<String>,
}

/// Work out the route from `from` (facing `from.yaw`) to place `target`.
pub fn route(places: &Places, from: Pose2D, target: &str) -> Option<Route> {
    let goal = places.places.get(target)?;
    let (dx, dy) = (goal.x - from.x, goal.y - from.y);
    let distance_m = dx.hypot(dy);
    let bearing = normalize_angle(dy.atan2(dx) - from.yaw);
    let is_counter = |id: &str| id.starts_with("counter_");
    // The nearest other place, preferring fixtures over counters unless the target is a counter
    // (then its neighbours are the best landmark).
    let landmark = places
        .places
        .iter()
        .filter(|(id, _)| {
            id.as_str() != target
                && !matches!(id.as_str(), "exit" | "entrance")
                && is_counter(target) == is_counter(id)
        })
        .map(|(id, p)| (id, p.distance(goal)))
        .filter(|(_, d)| *d < 6.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id.clone());
    Some(Route {
        distance_m,
        bearing,
        landmark,
    })
}

fn place_name(kb: &Kb, id: &str, lang: Language) -> String {
    kb.places
        .get(id)
        .map_or_else(|| id.replace('_', " "), |p| p.name.get(lang).clone())
}

/// The `way.*` prompt for a bearing (degrees, left positive): within 20° of straight ahead,
/// 20–70° to one side, 70–110°, and further back.
fn way(deg: f64) -> &'static str {
    match deg {
        d if d.abs() <= 20.0 => "way.ahead",
        d if d > 20.0 && d < 70.0 => "way.ahead_left",
        d if (70.0..=110.0).contains(&d) => "way.left",
        d if d > 110.0 => "way.behind_left",
        d if d < -20.0 && d > -70.0 => "way.ahead_right",
        d if (-110.0..=-70.0).contains(&d) => "way.right",
        _ => "way.behind_right",
    }
}

/// One or two sentences of directions, e.g. "Quầy số 5 ở phía trước, bên trái, cách đây khoảng
/// 15 mét, gần Quầy số 4.", in the words of the knowledge base's `directions.*` and `way.*`
/// prompts.
pub fn describe(kb: &Kb, r: &Route, target: &str, near_m: f64, lang: Language) -> String {
    let name = place_name(kb, target, lang);
    if r.distance_m < near_m {
        return kb.prompt_with("directions.here", lang, &[("place", &name)]);
    }
    let dir = kb.prompt(way(r.bearing.to_degrees()), lang);
    let metres = r.distance_m.round().max(1.0).to_string();
    match r.landmark.as_ref().map(|l| place_name(kb, l, lang)) {
        Some(l) => kb.prompt_with(
            "directions.there_near",
            lang,
            &[
                ("place", &name),
                ("way", dir),
                ("metres", &metres),
                ("landmark", &l),
            ],
        ),
        None => kb.prompt_with(
            "directions.there",
            lang,
            &[("place", &name), ("way", dir), ("metres", &metres)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lobby() -> Places {
        Places::from_yaml_str(
            "dock: {x: 0, y: 0, yaw: 1.5708}\nplaces:\n  a: {x: 0, y: 10, yaw: 0}\n  b: {x: -5, y: 0, yaw: 0}\n  c: {x: 5, y: 5, yaw: 0}\n  counter_1: {x: 1, y: 10, yaw: 0}\n  counter_2: {x: 3, y: 10, yaw: 0}\n",
            "test",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn bearing_left_right_ahead_from_a_north_facing_standpoint() {
        let p = lobby();
        let from = Pose2D::new(0.0, 0.0, std::f64::consts::FRAC_PI_2);
        let a = route(&p, from, "a").unwrap_or_else(|| panic!("a"));
        assert!(a.bearing.abs() < 0.01 && (a.distance_m - 10.0).abs() < 1e-9);
        let b = route(&p, from, "b").unwrap_or_else(|| panic!("b"));
        assert!(
            (b.bearing - std::f64::consts::FRAC_PI_2).abs() < 0.01,
            "west is left"
        );
        let c = route(&p, from, "c").unwrap_or_else(|| panic!("c"));
        assert!(
            c.bearing < -0.5 && c.bearing > -1.0,
            "north-east is ahead right"
        );
        let c1 = route(&p, from, "counter_1").unwrap_or_else(|| panic!("counter_1"));
        assert_eq!(c1.landmark.as_deref(), Some("counter_2"));
        assert!(route(&p, from, "nowhere").is_none());
    }

    #[test]
    fn directions_are_said_in_the_knowledge_base_words() {
        let kb = Kb::embedded().unwrap_or_else(|e| panic!("{e:?}"));
        let p = lobby();
        let from = Pose2D::new(0.0, 0.0, std::f64::consts::FRAC_PI_2);
        let r = route(&p, from, "counter_1").unwrap_or_else(|| panic!("counter_1"));
        assert_eq!(
            describe(&kb, &r, "counter_1", 1.5, Language::Vi),
            "Quầy số 1 ở phía trước mặt, cách đây khoảng 10 mét, gần Quầy số 2."
        );
        assert_eq!(
            describe(&kb, &r, "counter_1", 1.5, Language::En),
            "The Counter 1 is straight ahead, about 10 metres from here, next to the Counter 2."
        );
        let b = route(&p, from, "b").unwrap_or_else(|| panic!("b"));
        assert!(describe(&kb, &b, "b", 1.5, Language::En).contains("on your left"));
        assert_eq!(
            describe(&kb, &r, "counter_1", 20.0, Language::Vi),
            "Quầy số 1 ở ngay đây ạ."
        );
        for (deg, id) in [
            (0.0, "way.ahead"),
            (45.0, "way.ahead_left"),
            (90.0, "way.left"),
            (150.0, "way.behind_left"),
            (-45.0, "way.ahead_right"),
            (-90.0, "way.right"),
            (-150.0, "way.behind_right"),
        ] {
            assert_eq!(way(deg), id);
        }
    }
}
