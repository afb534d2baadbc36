//! Scripted people walking in front of a simulated pinhole camera, through the real tracker,
//! engagement and greeting policy, on a simulated clock (10 frames per second).

use std::collections::HashMap;
use std::time::Duration;

use letan_greeting::{
    BBox, CameraIntrinsics, Context, Detection, EngagementLevel, FaceTracker, Greeter, Greeting,
    GreetingKind, GreetingParams, Landmarks, Lang, PartOfDay, TrackId,
};

const DT: f64 = 0.1;

/// Where a person is at time t: (forward m, left m, head yaw relative to the line of sight to
/// the camera in rad; 0 = looking at the robot), or `None` when out of the scene.
type Path = Box<dyn Fn(f64) -> Option<(f64, f64, f64)>>;

struct Run {
    greetings: Vec<(f64, Greeting)>,
    /// person index -> greetings that included them (time, kind)
    per_person: HashMap<usize, Vec<(f64, GreetingKind)>>,
    /// person index -> first time any of their tracks was ENGAGED
    first_engaged: HashMap<usize, f64>,
    /// person index -> track ids seen
    ids: HashMap<usize, Vec<TrackId>>,
}

/// Deterministic jitter in [-1, 1] (no RNG crate needed; seeded per frame and person).
fn jitter(frame: u64, person: usize) -> f32 {
    let mut x = frame
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(person as u64 * 1_442_695_040_888_963_407 + 1);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x % 2001) as f32 / 1000.0 - 1.0
}

fn project(
    cam: &CameraIntrinsics,
    x: f64,
    y: f64,
    yaw: f64,
    frame: u64,
    who: usize,
) -> Option<Detection> {
    if x < 0.3 {
        return None;
    }
    let h = cam.fy * cam.face_height_m / x;
    let u = cam.cx - cam.fx * y / x;
    if h < 16.0 || u < 0.0 || u > f64::from(cam.width) || yaw.abs() > 1.4 {
        return None; // too small, out of view, or seen from the side/back: the detector misses it
    }
    let h = h as f32 * (1.0 + 0.02 * jitter(frame, who));
    let u = u as f32;
    let v = cam.cy as f32;
    let e = (cam.fx * 0.032 / x) as f32; // half eye distance, px
    let (s, c) = (yaw.sin() as f32, yaw.cos() as f32);
    let lx = |lat: f32, depth: f32| u + lat * c + depth * s;
    let lm = Landmarks {
        right_eye: (lx(-e, 0.0), v - 0.15 * h),
        left_eye: (lx(e, 0.0), v - 0.15 * h),
        nose: (lx(0.0, e), v),
        mouth_right: (lx(-0.8 * e, 0.0), v + 0.2 * h),
        mouth_left: (lx(0.8 * e, 0.0), v + 0.2 * h),
    };
    Some(Detection::new(BBox::new(u - 0.42 * h, v - h / 2.0, 0.85 * h, h), 0.9).with_landmarks(lm))
}

fn simulate(
    params: &GreetingParams,
    people: &[Path],
    seconds: f64,
    ctx: impl Fn(f64) -> Context,
) -> Run {
    let cam = CameraIntrinsics::from_params(&params.camera);
    let mut tracker = FaceTracker::new(params.tracker.clone(), cam);
    let mut greeter = Greeter::new(params);
    let mut run = Run {
        greetings: vec![],
        per_person: HashMap::new(),
        first_engaged: HashMap::new(),
        ids: HashMap::new(),
    };
    let frames = (seconds / DT).round() as u64;
    for k in 0..frames {
        let t = k as f64 * DT;
        let now = Duration::from_secs_f64(t);
        let mut dets = Vec::new();
        let mut owner = Vec::new();
        for (i, p) in people.iter().enumerate() {
            if let Some((x, y, yaw)) = p(t) {
                if let Some(d) = project(&cam, x, y, yaw, k, i) {
                    dets.push(d);
                    owner.push(i);
                }
            }
        }
        let faces = tracker.update(&dets, cam.width, cam.height, now);
        // Which person each visible track belongs to (its bbox is that person's detection).
        let mut who: HashMap<TrackId, usize> = HashMap::new();
        for f in &faces {
            if let Some(j) = dets.iter().position(|d| d.bbox == f.bbox) {
                who.insert(f.id, owner[j]);
                let ids = run.ids.entry(owner[j]).or_default();
                if !ids.contains(&f.id) {
                    ids.push(f.id);
                }
            }
        }
        let g = greeter.decide(&faces, &ctx(t), now);
        for &(id, level) in greeter.levels() {
            if level == EngagementLevel::Engaged {
                if let Some(&i) = who.get(&id) {
                    run.first_engaged.entry(i).or_insert(t);
                }
            }
        }
        if let Some(g) = g {
            for id in &g.persons {
                let i = who.get(id).copied().or_else(|| {
                    run.ids
                        .iter()
                        .find(|(_, v)| v.contains(id))
                        .map(|(k, _)| *k)
                });
                if let Some(i) = i {
                    run.per_person.entry(i).or_default().push((t, g.kind));
                }
            }
            run.greetings.push((t, g));
        }
    }
    run
}

fn idle_morning(_: f64) -> Context {
    Context {
        conversation_active: false,
        robot_idle: true,
        local_seconds_of_day: 9 * 3600,
        language: None,
    }
}

/// Walks straight toward the robot from `from` m to `to` m at `speed`, starting at `start`
/// s, at lateral offset `y`, then stands facing the robot until `leave` s (then gone).
fn approacher(start: f64, from: f64, to: f64, speed: f64, y: f64, leave: f64) -> Path {
    Box::new(move |t| {
        if t < start || t >= leave {
            return None;
        }
        let x = (from - (t - start) * speed).max(to);
        Some((x, y, 0.0))
    })
}

fn greets(run: &Run, person: usize) -> Vec<f64> {
    run.per_person.get(&person).map_or(vec![], |v| {
        v.iter()
            .filter(|g| g.1 == GreetingKind::Greet)
            .map(|g| g.0)
            .collect()
    })
}

#[test]
fn approacher_is_greeted_exactly_once_within_one_second_of_engaging() {
    let params = GreetingParams::default();
    let people = vec![approacher(1.0, 5.0, 1.0, 0.8, 0.0, 1e9)];
    let run = simulate(&params, &people, 30.0, idle_morning);
    let g = greets(&run, 0);
    assert_eq!(g.len(), 1, "{:?}", run.greetings);
    let engaged = run.first_engaged[&0];
    assert!(
        g[0] >= engaged && g[0] - engaged <= 1.0,
        "engaged {engaged}, greeted {}",
        g[0]
    );
    let greeting = &run.greetings[0].1;
    assert_eq!(greeting.language, Lang::Vi);
    assert_eq!(greeting.part_of_day, PartOfDay::Morning);
    assert!(greeting.text.contains("Chào buổi sáng"));
    assert!(greeting.turn.is_none(), "straight ahead needs no turn");
    assert_eq!(
        run.ids[&0].len(),
        1,
        "one stable id for the whole approach: {:?}",
        run.ids
    );
}

#[test]
fn passer_by_four_metres_away_is_never_greeted_even_looking_at_the_robot() {
    let params = GreetingParams::default();
    // Crosses the whole view at 4 m, 1.2 m/s; once looking where they walk, once at the robot.
    let walking: Path = Box::new(|t| Some((4.0, 3.0 - 1.2 * t, 1.2)));
    let looking: Path = Box::new(|t| Some((4.0, -3.0 + 1.2 * (t - 6.0), 0.0)).filter(|_| t >= 6.0));
    let run = simulate(&params, &[walking, looking], 12.0, idle_morning);
    assert!(run.greetings.is_empty(), "{:?}", run.greetings);
    assert!(run.first_engaged.is_empty());
    assert!(
        !run.ids.is_empty(),
        "the passers-by must at least be tracked"
    );
}

#[test]
fn passer_by_crossing_close_and_glancing_is_not_greeted() {
    let params = GreetingParams::default();
    // Crosses at 1.3 m (inside the engagement distance) at 1.2 m/s, looking at the robot.
    let p: Path = Box::new(|t| Some((1.3, 0.9 - 1.2 * t, 0.0)));
    let run = simulate(&params, &[p], 3.0, idle_morning);
    assert!(run.greetings.is_empty(), "{:?}", run.greetings);
    assert!(!run.ids.is_empty());
}

#[test]
fn someone_close_but_looking_away_is_greeted_only_once_they_turn_to_the_robot() {
    let params = GreetingParams::default();
    let p: Path = Box::new(|t| Some((1.2, 0.0, if t < 6.0 { 1.0 } else { 0.0 })));
    let run = simulate(&params, &[p], 10.0, idle_morning);
    let g = greets(&run, 0);
    assert_eq!(g.len(), 1, "{:?}", run.greetings);
    assert!(g[0] >= 6.0 && g[0] <= 7.5, "{g:?}");
}

#[test]
fn regreeted_after_leaving_and_coming_back() {
    let params = GreetingParams::default();
    // Comes, stays 5 s, leaves the scene for 10 s, comes back.
    let p: Path = Box::new(|t| {
        if t < 8.0 {
            Some(((4.0 - 0.8 * t).max(1.0), 0.0, 0.0))
        } else if t < 18.0 {
            None
        } else {
            Some(((4.0 - 0.8 * (t - 18.0)).max(1.0), 0.0, 0.0))
        }
    });
    let run = simulate(&params, &[p], 30.0, idle_morning);
    let g = greets(&run, 0);
    assert_eq!(g.len(), 2, "{:?}", run.greetings);
    assert!(g[0] < 8.0 && g[1] > 18.0);
}

#[test]
fn regreeted_after_stepping_back_out_of_range_while_still_tracked() {
    let params = GreetingParams::default();
    // Approaches to 1 m, backs off to 4.5 m (beyond attention, still in view), returns.
    let p: Path = Box::new(|t| {
        let x = if t < 8.0 {
            (4.0 - 0.8 * t).max(1.0)
        } else if t < 16.0 {
            (1.0 + 0.8 * (t - 8.0)).min(4.5)
        } else {
            (4.5 - 0.8 * (t - 16.0)).max(1.0)
        };
        Some((x, 0.0, 0.0))
    });
    let run = simulate(&params, &[p], 30.0, idle_morning);
    assert_eq!(greets(&run, 0).len(), 2, "{:?}", run.greetings);
    assert_eq!(run.ids[&0].len(), 1, "stayed one track");
}

#[test]
fn regreeted_after_the_configured_time_and_not_before() {
    let mut params = GreetingParams::default();
    params.policy.regreet_after_s = 20.0;
    let people = vec![approacher(0.0, 3.0, 1.0, 0.8, 0.0, 1e9)];
    let run = simulate(&params, &people, 50.0, idle_morning);
    let g = greets(&run, 0);
    assert_eq!(g.len(), 3, "{g:?}");
    assert!(
        (g[1] - g[0] - 20.0).abs() < 0.5 && (g[2] - g[1] - 20.0).abs() < 0.5,
        "{g:?}"
    );
}

#[test]
fn brief_track_loss_is_not_a_return() {
    let params = GreetingParams::default();
    // Occluded 1.5 s (longer than the tracker's max age, shorter than the re-acquire window).
    let p: Path = Box::new(|t| {
        if (8.0..9.5).contains(&t) {
            None
        } else {
            Some(((4.0 - 0.8 * t).max(1.0), 0.1, 0.0))
        }
    });
    let run = simulate(&params, &[p], 20.0, idle_morning);
    assert_eq!(
        run.ids[&0].len(),
        2,
        "the tracker did lose them: {:?}",
        run.ids
    );
    assert_eq!(greets(&run, 0).len(), 1, "{:?}", run.greetings);
}

#[test]
fn two_people_arriving_together_are_each_greeted_once() {
    let params = GreetingParams::default();
    let people = vec![
        approacher(0.5, 5.0, 1.1, 0.8, 0.35, 1e9),
        approacher(0.5, 5.1, 1.2, 0.8, -0.35, 1e9),
    ];
    let run = simulate(&params, &people, 20.0, idle_morning);
    assert_eq!(greets(&run, 0).len(), 1, "{:?}", run.greetings);
    assert_eq!(greets(&run, 1).len(), 1, "{:?}", run.greetings);
    assert!(run.greetings.len() <= 2);
    for i in 0..2 {
        let dt = greets(&run, i)[0] - run.first_engaged[&i];
        assert!(
            (0.0..=1.0).contains(&dt),
            "person {i}: greeted {dt} s after engaging"
        );
    }
}

#[test]
fn a_companion_a_step_behind_is_greeted_with_the_first_in_one_greeting() {
    let params = GreetingParams::default();
    // The second person arrives 0.6 s later: still engaging when the first becomes due.
    let people = vec![
        approacher(0.5, 5.0, 1.1, 0.8, 0.3, 1e9),
        approacher(1.1, 5.0, 1.3, 0.8, -0.3, 1e9),
    ];
    let run = simulate(&params, &people, 20.0, idle_morning);
    assert_eq!(greets(&run, 0).len(), 1, "{:?}", run.greetings);
    assert_eq!(greets(&run, 1).len(), 1, "{:?}", run.greetings);
    assert_eq!(
        run.greetings.len(),
        1,
        "one greeting for both: {:?}",
        run.greetings
    );
    assert_eq!(run.greetings[0].1.persons.len(), 2);
}

/// The second of a couple stands beside the first, looking at the lobby, and turns to the robot
/// only a second after the first is due (the case `sim/scenarios/two_together.yaml` hit): the
/// greeting waits for them, and both hear one.
#[test]
fn a_companion_seen_beside_but_not_engaging_yet_is_waited_for() {
    let params = GreetingParams::default();
    let beside: Path =
        Box::new(|t| (t >= 0.5).then_some((1.3, -0.4, if t < 6.3 { 0.9 } else { 0.0 })));
    let people = vec![approacher(0.5, 5.0, 1.1, 0.8, 0.3, 1e9), beside];
    let run = simulate(&params, &people, 20.0, idle_morning);
    assert_eq!(
        run.greetings.len(),
        1,
        "one greeting for both: {:?}",
        run.greetings
    );
    assert_eq!(run.greetings[0].1.persons.len(), 2, "{:?}", run.greetings);
    let dt = greets(&run, 0)[0] - run.first_engaged[&0];
    assert!(
        dt <= params.policy.companion_wait_s + 0.1,
        "the first is not kept waiting longer than companion_wait_s: {dt} s"
    );
    // Without the wait, the first is greeted alone.
    let mut no_wait = GreetingParams::default();
    no_wait.policy.companion_wait_s = 0.0;
    let run = simulate(&no_wait, &people, 20.0, idle_morning);
    assert_eq!(run.greetings[0].1.persons.len(), 1, "{:?}", run.greetings);
}

#[test]
fn newcomer_during_a_conversation_gets_an_acknowledgement_then_a_greeting() {
    let params = GreetingParams::default();
    let people = vec![
        approacher(0.0, 3.0, 1.0, 0.8, 0.0, 1e9),
        approacher(10.0, 4.0, 1.3, 0.8, 0.4, 1e9),
    ];
    // Conversation from 5 s to 25 s.
    let ctx = |t: f64| Context {
        conversation_active: (5.0..25.0).contains(&t),
        robot_idle: false,
        local_seconds_of_day: 15 * 3600,
        language: Some(Lang::En),
    };
    let run = simulate(&params, &people, 35.0, ctx);
    let a = &run.per_person[&0];
    assert_eq!(
        a.len(),
        1,
        "the first person is greeted once, before talking: {a:?}"
    );
    assert_eq!(a[0].1, GreetingKind::Greet);
    let b = &run.per_person[&1];
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(b[0].1, GreetingKind::Acknowledge);
    assert!(b[0].0 < 25.0);
    assert_eq!(b[1].1, GreetingKind::Greet);
    assert!(b[1].0 >= 25.0 && b[1].0 <= 26.0, "{b:?}");
    let ack = run
        .greetings
        .iter()
        .find(|g| g.1.kind == GreetingKind::Acknowledge)
        .map(|g| &g.1);
    assert!(ack.is_some_and(|g| g.turn.is_none() && g.text.contains("moment")));
    assert!(
        run.greetings.iter().all(|g| g.1.turn.is_none()),
        "not idle: never turn"
    );
    assert!(run.greetings[0].1.text.starts_with("Good afternoon"));
}

/// The first of a couple is greeted alone and starts talking while the second is still turning
/// to the robot: the second was never greeted, so is acknowledged, not silently counted as a
/// participant.
#[test]
fn a_companion_engaging_when_the_conversation_starts_is_acknowledged() {
    let mut params = GreetingParams::default();
    params.policy.companion_wait_s = 0.0; // the first is greeted alone
    let beside: Path =
        Box::new(|t| (t >= 0.5).then_some((1.3, -0.4, if t < 6.3 { 0.9 } else { 0.0 })));
    let people = vec![approacher(0.5, 5.0, 1.1, 0.8, 0.3, 1e9), beside];
    let ctx = |t: f64| Context {
        conversation_active: t > 6.45,
        ..idle_morning(t)
    };
    let run = simulate(&params, &people, 15.0, ctx);
    assert_eq!(greets(&run, 0).len(), 1, "{:?}", run.greetings);
    let second: Vec<_> = run.per_person.get(&1).cloned().unwrap_or_default();
    assert!(
        second.iter().any(|g| g.1 == GreetingKind::Acknowledge),
        "the companion is acknowledged: {:?}",
        run.greetings
    );
}

#[test]
fn person_talking_when_the_conversation_started_is_not_acknowledged() {
    let params = GreetingParams::default();
    // Conversation begins (e.g. touch screen) before the greeting could happen.
    let people = vec![approacher(0.0, 1.2, 1.2, 0.0, 0.0, 1e9)];
    let ctx = |t: f64| Context {
        conversation_active: t > 0.2,
        ..idle_morning(t)
    };
    let run = simulate(&params, &people, 15.0, ctx);
    assert!(run.greetings.is_empty(), "{:?}", run.greetings);
}

#[test]
fn turns_toward_an_off_axis_person_only_when_idle() {
    let params = GreetingParams::default();
    // 1.2 m away, 0.5 m to the left: bearing ≈ 0.39 rad.
    let people = || vec![approacher(0.0, 3.0, 1.2, 0.8, 0.5, 1e9)];
    let run = simulate(&params, &people(), 10.0, idle_morning);
    assert_eq!(run.greetings.len(), 1);
    let turn = run.greetings[0].1.turn.expect("idle: turn");
    assert!(turn.target_bearing_rad > 0.3 && turn.target_bearing_rad <= params.policy.turn_max_rad);
    assert!(turn.angular_velocity_rad_s > 0.0);
    assert!((turn.duration_s * turn.angular_velocity_rad_s - turn.target_bearing_rad).abs() < 1e-9);
    let busy = |t: f64| Context {
        robot_idle: false,
        ..idle_morning(t)
    };
    let run = simulate(&params, &people(), 10.0, busy);
    assert_eq!(run.greetings.len(), 1);
    assert!(run.greetings[0].1.turn.is_none());
}

#[test]
fn no_turn_toward_someone_already_well_in_view() {
    // 1.2 m away, 0.25 m to the left: bearing ≈ 0.2 rad, past the 0.15 rad dead band but inside
    // the inner half of the 60° view. Centring them would push a companion standing 0.5 m to
    // their side to the edge of the image (two_together, seed 5), so the robot does not turn.
    let params = GreetingParams::default();
    let people = vec![approacher(0.0, 3.0, 1.2, 0.8, 0.25, 1e9)];
    let run = simulate(&params, &people, 10.0, idle_morning);
    assert_eq!(run.greetings.len(), 1, "{:?}", run.greetings);
    assert!(run.greetings[0].1.turn.is_none(), "{:?}", run.greetings);
}

#[test]
fn evening_greeting_in_vietnamese() {
    let params = GreetingParams::default();
    let ctx = |_: f64| Context {
        conversation_active: false,
        robot_idle: true,
        local_seconds_of_day: 19 * 3600,
        language: None,
    };
    let run = simulate(
        &params,
        &[approacher(0.0, 3.0, 1.0, 0.8, 0.0, 1e9)],
        8.0,
        ctx,
    );
    assert_eq!(run.greetings.len(), 1);
    assert!(run.greetings[0].1.text.contains("Chào buổi tối"));
}

#[test]
fn temi_distance_setting_moves_the_engagement_point() {
    let mut params = GreetingParams::default();
    params.engagement.engage_distance_m = 0.8;
    params.engagement.disengage_distance_m = 1.2;
    // Stops at 1.2 m: inside Pepper's 1.5 m, outside temi's 0.8 m.
    let run = simulate(
        &params,
        &[approacher(0.0, 3.0, 1.2, 0.8, 0.0, 1e9)],
        10.0,
        idle_morning,
    );
    assert!(run.greetings.is_empty());
    let run = simulate(
        &params,
        &[approacher(0.0, 3.0, 0.7, 0.8, 0.0, 1e9)],
        10.0,
        idle_morning,
    );
    assert_eq!(run.greetings.len(), 1);
}

#[test]
fn the_lateral_speed_rule_is_what_spares_the_close_passer_by() {
    // Control for the test above: without the rule, the same walk would be greeted.
    let mut params = GreetingParams::default();
    params.engagement.max_lateral_speed_mps = 5.0;
    let p: Path = Box::new(|t| Some((1.3, 0.9 - 1.2 * t, 0.0)));
    let run = simulate(&params, &[p], 3.0, idle_morning);
    assert_eq!(run.greetings.len(), 1, "{:?}", run.greetings);
}
