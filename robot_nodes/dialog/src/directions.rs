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

/// One or two sentences of directions, e.g. "Quầy số 5 ở phía trước, bên trái, cách đây khoảng 15 mét, gần Quầy số 4."
pub fn describe(kb: &Kb, r: &Route, target: &str, near_m: f64, lang: Language) -> String {
    let name = place_name(kb, target, lang);
    if r.distance_m < near_m {
        return match lang {
            Language::Vi => format!("{name} ở ngay đây ạ."),
            Language::En => format!("The {name} is right here."),
        };
    }
    let deg = r.bearing.to_degrees();
    let dir = match lang {
        Language::Vi => match deg {
            d if d.abs() <= 20.0 => "ở phía trước mặt",
            d if d > 20.0 && d < 70.0 => "ở phía trước, bên trái",
            d if (70.0..=110.0).contains(&d) => "ở bên tay trái",
            d if d > 110.0 => "ở phía sau, bên trái",
            d if d < -20.0 && d > -70.0 => "ở phía trước, bên phải",
            d if (-110.0..=-70.0).contains(&d) => "ở bên tay phải",
            _ => "ở phía sau, bên phải",
        },
        Language::En => match deg {
            d if d.abs() <= 20.0 => "straight ahead",
            d if d > 20.0 && d < 70.0 => "ahead on your left",
            d if (70.0..=110.0).contains(&d) => "on your left",
            d if d > 110.0 => "behind you on the left",
            d if d < -20.0 && d > -70.0 => "ahead on your right",
            d if (-110.0..=-70.0).contains(&d) => "on your right",
            _ => "behind you on the right",
        },
    };
    let metres = r.distance_m.round().max(1.0);
    let near = r.landmark.as_ref().map(|l| place_name(kb, l, lang));
    match (lang, near) {
        (Language::Vi, Some(l)) => {
            format!("{name} {dir}, cách đây khoảng {metres} mét, gần {l}.")
        }
        (Language::Vi, None) => format!("{name} {dir}, cách đây khoảng {metres} mét."),
        (Language::En, Some(l)) => {
            format!("The {name} is {dir}, about {metres} metres from here, next to the {l}.")
        }
        (Language::En, None) => format!("The {name} is {dir}, about {metres} metres from here."),
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
}
