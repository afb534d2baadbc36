//! People from the laser: cluster consecutive scan points, keep leg- and body-sized clusters away from
//! static map obstacles, pair legs into people, and track them (nearest-neighbour association within a
//! gate, alpha-beta filter for velocity, confirmation and timeout). Externally supplied people (e.g.
//! from the face tracker) can be merged in as detections.

use crate::params::TrackerParams;
use crate::types::Person;

/// Detect people in scan points given in the map frame **in beam order**. `static_distance(x, y)` gives
/// the distance to the nearest static map obstacle (points on walls and furniture are ignored).
pub fn detect_people(
    points: &[[f64; 2]],
    params: &TrackerParams,
    static_distance: impl Fn(f64, f64) -> f64,
) -> Vec<[f64; 2]> {
    let mut clusters: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut cur: Vec<[f64; 2]> = Vec::new();
    for &p in points {
        if static_distance(p[0], p[1]) < params.static_ignore_distance {
            if !cur.is_empty() {
                clusters.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(last) = cur.last() {
            if (last[0] - p[0]).hypot(last[1] - p[1]) > params.cluster_gap {
                clusters.push(std::mem::take(&mut cur));
            }
        }
        cur.push(p);
    }
    if !cur.is_empty() {
        clusters.push(cur);
    }
    let mut legs: Vec<[f64; 2]> = Vec::new();
    let mut people: Vec<[f64; 2]> = Vec::new();
    for c in clusters.iter().filter(|c| c.len() >= 2) {
        let (a, b) = (c[0], c[c.len() - 1]);
        let width = (a[0] - b[0]).hypot(a[1] - b[1]);
        let n = c.len() as f64;
        let centroid = [
            c.iter().map(|p| p[0]).sum::<f64>() / n,
            c.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
        if width >= params.leg_min_width && width <= params.leg_max_width {
            legs.push(centroid);
        } else if width > params.leg_max_width && width <= params.person_max_width {
            people.push(centroid);
        }
    }
    // pair legs greedily, closest pairs first
    let mut used = vec![false; legs.len()];
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..legs.len() {
        for j in i + 1..legs.len() {
            let d = (legs[i][0] - legs[j][0]).hypot(legs[i][1] - legs[j][1]);
            if d <= params.leg_pair_distance {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, i, j) in pairs {
        if !used[i] && !used[j] {
            used[i] = true;
            used[j] = true;
            people.push([
                (legs[i][0] + legs[j][0]) / 2.0,
                (legs[i][1] + legs[j][1]) / 2.0,
            ]);
        }
    }
    // a lone leg (the other occluded) still counts: being cautious costs little
    for (i, l) in legs.iter().enumerate() {
        if !used[i] {
            people.push(*l);
        }
    }
    people
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Track {
    id: u64,
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    last_seen: f64,
    hits: u32,
}

/// Multi-person tracker with stable ids.
#[derive(Debug, Clone)]
pub struct PersonTracker {
    params: TrackerParams,
    tracks: Vec<Track>,
    next_id: u64,
    last_time: Option<f64>,
}

impl PersonTracker {
    pub fn new(params: TrackerParams) -> Self {
        Self {
            params,
            tracks: Vec::new(),
            next_id: 1,
            last_time: None,
        }
    }

    /// Feed detections (map frame) at time `now` (s); returns confirmed people.
    pub fn update(&mut self, detections: &[[f64; 2]], now: f64) -> Vec<Person> {
        let dt = self.last_time.map_or(0.0, |t| (now - t).max(0.0));
        self.last_time = Some(now);
        for t in &mut self.tracks {
            t.x += t.vx * dt;
            t.y += t.vy * dt;
        }
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (ti, t) in self.tracks.iter().enumerate() {
            for (di, d) in detections.iter().enumerate() {
                let dist = (t.x - d[0]).hypot(t.y - d[1]);
                if dist <= self.params.association_gate {
                    pairs.push((dist, ti, di));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut t_used = vec![false; self.tracks.len()];
        let mut d_used = vec![false; detections.len()];
        const ALPHA: f64 = 0.6;
        const BETA: f64 = 0.15;
        for (_, ti, di) in pairs {
            if t_used[ti] || d_used[di] {
                continue;
            }
            t_used[ti] = true;
            d_used[di] = true;
            let t = &mut self.tracks[ti];
            let (rx, ry) = (detections[di][0] - t.x, detections[di][1] - t.y);
            t.x += ALPHA * rx;
            t.y += ALPHA * ry;
            if dt > 1e-6 {
                t.vx += BETA * rx / dt;
                t.vy += BETA * ry / dt;
                // people walk slower than 2.5 m/s
                let s = t.vx.hypot(t.vy);
                if s > 2.5 {
                    t.vx *= 2.5 / s;
                    t.vy *= 2.5 / s;
                }
            }
            t.last_seen = now;
            t.hits += 1;
        }
        for (di, d) in detections.iter().enumerate() {
            if !d_used[di] && d[0].is_finite() && d[1].is_finite() {
                self.tracks.push(Track {
                    id: self.next_id,
                    x: d[0],
                    y: d[1],
                    vx: 0.0,
                    vy: 0.0,
                    last_seen: now,
                    hits: 1,
                });
                self.next_id += 1;
            }
        }
        let timeout = self.params.track_timeout;
        self.tracks.retain(|t| now - t.last_seen <= timeout);
        self.people()
    }

    /// Confirmed tracks.
    pub fn people(&self) -> Vec<Person> {
        self.tracks
            .iter()
            .filter(|t| t.hits >= self.params.confirm_hits)
            .map(|t| Person {
                id: t.id,
                x: t.x,
                y: t.y,
                vx: t.vx,
                vy: t.vy,
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn leg(cx: f64, cy: f64) -> Vec<[f64; 2]> {
        // front arc of a 0.12 m leg seen from the origin
        (0..4)
            .map(|k| [cx - 0.05, cy - 0.045 + 0.03 * k as f64])
            .collect()
    }

    #[test]
    fn two_legs_make_one_person_and_walls_are_ignored() {
        let mut pts = leg(2.0, 0.0);
        pts.extend(leg(2.0, 0.3));
        // a wall segment
        pts.extend((0..30).map(|k| [5.0, 1.0 + 0.05 * k as f64]));
        let p = detect_people(&pts, &TrackerParams::default(), |x, _| {
            if x > 4.9 {
                0.0
            } else {
                1.0
            }
        });
        assert_eq!(p.len(), 1, "{p:?}");
        assert!((p[0][1] - 0.15).abs() < 0.05 && (p[0][0] - 1.95).abs() < 0.05);
    }

    #[test]
    fn tracker_keeps_id_and_estimates_velocity() {
        let mut t = PersonTracker::new(TrackerParams::default());
        let mut out = Vec::new();
        for k in 0..20 {
            let time = k as f64 * 0.1;
            out = t.update(&[[1.0 + 0.8 * time, 2.0]], time);
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, 1);
        assert!((out[0].vx - 0.8).abs() < 0.15, "{:?}", out[0]);
        // disappears -> dropped after the timeout
        let out = t.update(&[], 3.5);
        assert!(out.is_empty());
    }
}
