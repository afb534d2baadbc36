//! Typed parameters (ROS 2 YAML `greeting: {ros__parameters: {...}}`), validated once.

use std::path::Path;

use letan_core::params::{in_range as range, node_parameters, ParamError};
use letan_core::Lang;
use serde::Deserialize;

use crate::GreetingError;

/// The node name whose `ros__parameters` section holds these parameters.
pub const NODE_NAME: &str = "greeting";

/// Camera model used to turn face size into distance and position into bearing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraParams {
    /// Focal lengths and principal point in pixels, for images of `width`×`height`.
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    pub width: u32,
    pub height: u32,
    /// Yaw of the camera's optical axis relative to base_link x (rad, left positive).
    pub yaw_offset_rad: f64,
    /// Assumed real height of the detector's face box (m). The YuNet box runs from about
    /// mid-forehead to just under the chin; adult menton–hairline height is 0.18–0.19 m, so
    /// 0.20 m is used. Individual faces vary by ±15 %, and so does the distance; a child's
    /// smaller face reads as farther away, which errs on the side of not greeting.
    pub face_height_m: f64,
}

impl Default for CameraParams {
    fn default() -> Self {
        // 640×480 with a 60° horizontal field of view: fx = 320 / tan(30°).
        Self {
            fx: 554.3,
            fy: 554.3,
            cx: 320.0,
            cy: 240.0,
            width: 640,
            height: 480,
            yaw_offset_rad: 0.0,
            face_height_m: 0.20,
        }
    }
}

/// Multi-face tracker.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerParams {
    /// Detections below this score are ignored.
    pub min_score: f32,
    /// Minimum IoU for a detection to continue a track.
    pub min_iou: f32,
    /// If IoU fails, a detection whose centre is within this many track-box heights of the
    /// track's centre (and of similar size) may still continue it (fast motion, low frame rate).
    pub max_center_jump: f32,
    /// Detections in this many frames before a track is reported (absorbs one-frame false positives).
    pub min_hits: u32,
    /// A track unseen this long is dropped (s). Short occlusions inside this window keep the id.
    pub max_age_s: f64,
    /// Window for the distance trend (approach speed) and lateral speed (s).
    pub trend_window_s: f64,
    /// Exponential smoothing factor for the distance (1 = no smoothing).
    pub distance_alpha: f64,
}

impl Default for TrackerParams {
    fn default() -> Self {
        Self {
            min_score: 0.7,
            min_iou: 0.3,
            max_center_jump: 0.8,
            min_hits: 3,
            max_age_s: 1.0,
            trend_window_s: 1.0,
            distance_alpha: 0.5,
        }
    }
}

/// REP-155 engagement thresholds. Anchors: ros4hri `hri_engagement` (4 m, 60° cone),
/// Pepper (engagement at 1.5 m), temi (0.8 m, configurable 0.5–2 m).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngagementParams {
    /// Beyond this distance nobody is considered (m; ros4hri uses 4 m).
    pub attention_distance_m: f64,
    /// Within this distance a facing person can become ENGAGED (m; Pepper 1.5, temi 0.8).
    pub engage_distance_m: f64,
    /// An ENGAGED person farther than this starts DISENGAGING (m; hysteresis, > engage distance).
    pub disengage_distance_m: f64,
    /// Half-angle of the facing cone on the estimated head yaw (rad; 30° = ros4hri's 60° cone).
    pub facing_max_yaw_rad: f64,
    /// Approach speed (m/s) toward the robot that counts as "coming to us" while still
    /// farther than `engage_distance_m`.
    pub min_approach_speed_mps: f64,
    /// Lateral speed across the view (m/s) above which the person is walking past.
    pub max_lateral_speed_mps: f64,
    /// Time the ENGAGING conditions must hold, inside `engage_distance_m`, before ENGAGED (s).
    pub engage_dwell_s: f64,
    /// ENGAGING falls back to DISENGAGED after its conditions fail this long (s).
    pub engaging_grace_s: f64,
    /// ENGAGED turns DISENGAGING after the person stops facing the robot this long (s).
    pub not_facing_grace_s: f64,
    /// DISENGAGING becomes DISENGAGED after this long without re-engaging (s).
    pub disengage_timeout_s: f64,
}

impl Default for EngagementParams {
    fn default() -> Self {
        Self {
            attention_distance_m: 4.0,
            engage_distance_m: 1.5,
            disengage_distance_m: 2.0,
            facing_max_yaw_rad: 30f64.to_radians(),
            min_approach_speed_mps: 0.2,
            max_lateral_speed_mps: 0.6,
            engage_dwell_s: 0.5,
            engaging_grace_s: 0.5,
            not_facing_grace_s: 3.0,
            disengage_timeout_s: 2.0,
        }
    }
}

/// Greeting policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {
    /// Default greeting language when the context does not say.
    pub language: Lang,
    /// A person still engaged this long after their last greeting may be greeted again (s).
    pub regreet_after_s: f64,
    /// A new track that appears within this time of a greeted track vanishing, near where it
    /// vanished, is treated as the same visit (tracker lost and re-found them), not a return (s).
    pub reacquire_window_s: f64,
    /// "Near" for re-acquisition: distance difference (m) and bearing difference (rad).
    pub reacquire_max_distance_m: f64,
    pub reacquire_max_bearing_rad: f64,
    /// Persons becoming due within this window are greeted together (s).
    pub gather_s: f64,
    /// A companion a step behind: a face seen within `companion_distance_m` of a person who is due,
    /// not engaging yet and never greeted. The greeting waits up to `companion_wait_s` after the
    /// first person became due, so that a couple hears one greeting (s, m).
    pub companion_wait_s: f64,
    pub companion_distance_m: f64,
    /// Minimum gap between two utterances from this policy (s).
    pub min_gap_s: f64,
    /// Local hour (0–23) from which "good afternoon" and "good evening" apply; before
    /// `afternoon_from_h` (and from `morning_from_h`) it is "good morning".
    pub morning_from_h: u32,
    pub afternoon_from_h: u32,
    pub evening_from_h: u32,
    /// Turn toward the greeted person only if they are farther off-axis than this (rad).
    pub turn_deadband_rad: f64,
    /// Largest rotation requested (rad); the turn is small by design.
    pub turn_max_rad: f64,
    /// Angular speed of the requested turn (rad/s), sent through the velocity mux.
    pub turn_speed_rad_s: f64,
}

impl Default for PolicyParams {
    fn default() -> Self {
        Self {
            language: Lang::Vi,
            regreet_after_s: 600.0,
            reacquire_window_s: 3.0,
            reacquire_max_distance_m: 0.7,
            reacquire_max_bearing_rad: 0.35,
            gather_s: 0.3,
            companion_wait_s: 1.5,
            companion_distance_m: 1.2,
            min_gap_s: 2.0,
            morning_from_h: 4,
            afternoon_from_h: 12,
            evening_from_h: 18,
            turn_deadband_rad: 0.15,
            turn_max_rad: 0.6,
            turn_speed_rad_s: 0.5,
        }
    }
}

/// All greeting parameters, as found under `greeting: {ros__parameters: {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GreetingParams {
    pub camera: CameraParams,
    pub tracker: TrackerParams,
    pub engagement: EngagementParams,
    pub policy: PolicyParams,
}

fn bad(key: &str, value: impl std::fmt::Display, reason: &str) -> GreetingError {
    ParamError::new(key, value, reason).into()
}

impl GreetingParams {
    /// Parses a ROS 2 parameter file's text and validates it.
    pub fn from_yaml_str(text: &str) -> Result<Self, GreetingError> {
        Self::parse(text, None)
    }

    /// Reads, parses and validates a ROS 2 parameter file.
    pub fn from_yaml_file(path: &Path) -> Result<Self, GreetingError> {
        let text = std::fs::read_to_string(path).map_err(|source| GreetingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, Some(path))
    }

    fn parse(text: &str, path: Option<&Path>) -> Result<Self, GreetingError> {
        let yaml_err = |source| GreetingError::Yaml {
            path: path.map(Path::to_path_buf),
            source,
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(yaml_err)?;
        // `/greeting`, so that `/greeting:` and `/**/greeting:` sections apply as under `letan run`.
        let section = node_parameters(&doc, &format!("/{NODE_NAME}"))
            .ok()
            .filter(|s| s.found())
            .ok_or_else(|| GreetingError::MissingNode {
                node: NODE_NAME.to_string(),
                path: path.map(Path::to_path_buf),
            })?;
        let params: GreetingParams = serde_yaml::from_value(section.value()).map_err(yaml_err)?;
        params.validate()?;
        Ok(params)
    }

    /// Checks every value; the error names the offending key.
    pub fn validate(&self) -> Result<(), GreetingError> {
        let c = &self.camera;
        range("camera.fx", c.fx, 1.0, 1e5)?;
        range("camera.fy", c.fy, 1.0, 1e5)?;
        if c.width == 0 || c.height == 0 {
            return Err(bad(
                "camera.width/height",
                format!("{}x{}", c.width, c.height),
                "must be positive",
            ));
        }
        range("camera.cx", c.cx, 0.0, f64::from(c.width))?;
        range("camera.cy", c.cy, 0.0, f64::from(c.height))?;
        range(
            "camera.yaw_offset_rad",
            c.yaw_offset_rad,
            -std::f64::consts::PI,
            std::f64::consts::PI,
        )?;
        range("camera.face_height_m", c.face_height_m, 0.05, 0.5)?;

        let t = &self.tracker;
        range("tracker.min_score", f64::from(t.min_score), 0.0, 1.0)?;
        range("tracker.min_iou", f64::from(t.min_iou), 0.0, 1.0)?;
        range(
            "tracker.max_center_jump",
            f64::from(t.max_center_jump),
            0.0,
            10.0,
        )?;
        range("tracker.min_hits", f64::from(t.min_hits), 1.0, 100.0)?;
        range("tracker.max_age_s", t.max_age_s, 0.0, 60.0)?;
        range("tracker.trend_window_s", t.trend_window_s, 0.1, 10.0)?;
        range("tracker.distance_alpha", t.distance_alpha, 0.01, 1.0)?;

        let e = &self.engagement;
        range(
            "engagement.attention_distance_m",
            e.attention_distance_m,
            0.5,
            10.0,
        )?;
        // temi lets the user pick 0.5–2 m; allow a little more either side for other robots.
        range(
            "engagement.engage_distance_m",
            e.engage_distance_m,
            0.3,
            4.0,
        )?;
        if e.engage_distance_m > e.attention_distance_m {
            return Err(bad(
                "engagement.engage_distance_m",
                e.engage_distance_m,
                "must not exceed engagement.attention_distance_m",
            ));
        }
        range(
            "engagement.disengage_distance_m",
            e.disengage_distance_m,
            e.engage_distance_m,
            10.0,
        )
        .map_err(|_| {
            bad(
                "engagement.disengage_distance_m",
                e.disengage_distance_m,
                "must be >= engagement.engage_distance_m and <= 10",
            )
        })?;
        range(
            "engagement.facing_max_yaw_rad",
            e.facing_max_yaw_rad,
            0.05,
            std::f64::consts::FRAC_PI_2,
        )?;
        range(
            "engagement.min_approach_speed_mps",
            e.min_approach_speed_mps,
            0.0,
            3.0,
        )?;
        range(
            "engagement.max_lateral_speed_mps",
            e.max_lateral_speed_mps,
            0.05,
            5.0,
        )?;
        range("engagement.engage_dwell_s", e.engage_dwell_s, 0.0, 10.0)?;
        range("engagement.engaging_grace_s", e.engaging_grace_s, 0.0, 10.0)?;
        range(
            "engagement.not_facing_grace_s",
            e.not_facing_grace_s,
            0.0,
            60.0,
        )?;
        range(
            "engagement.disengage_timeout_s",
            e.disengage_timeout_s,
            0.0,
            60.0,
        )?;

        let p = &self.policy;
        range("policy.regreet_after_s", p.regreet_after_s, 1.0, 86_400.0)?;
        range("policy.reacquire_window_s", p.reacquire_window_s, 0.0, 60.0)?;
        range(
            "policy.reacquire_max_distance_m",
            p.reacquire_max_distance_m,
            0.0,
            5.0,
        )?;
        range(
            "policy.reacquire_max_bearing_rad",
            p.reacquire_max_bearing_rad,
            0.0,
            std::f64::consts::PI,
        )?;
        range("policy.gather_s", p.gather_s, 0.0, 1.0)?;
        range("policy.companion_wait_s", p.companion_wait_s, 0.0, 5.0)?;
        range(
            "policy.companion_distance_m",
            p.companion_distance_m,
            0.0,
            3.0,
        )?;
        range("policy.min_gap_s", p.min_gap_s, 0.0, 30.0)?;
        for (key, h) in [
            ("policy.morning_from_h", p.morning_from_h),
            ("policy.afternoon_from_h", p.afternoon_from_h),
            ("policy.evening_from_h", p.evening_from_h),
        ] {
            if h > 23 {
                return Err(bad(key, h, "must be an hour 0–23"));
            }
        }
        if !(p.morning_from_h < p.afternoon_from_h && p.afternoon_from_h < p.evening_from_h) {
            return Err(bad(
                "policy.afternoon_from_h",
                p.afternoon_from_h,
                "hours must satisfy morning_from_h < afternoon_from_h < evening_from_h",
            ));
        }
        range("policy.turn_deadband_rad", p.turn_deadband_rad, 0.0, 1.0)?;
        range("policy.turn_max_rad", p.turn_max_rad, 0.0, 1.0)?;
        range("policy.turn_speed_rad_s", p.turn_speed_rad_s, 0.05, 2.0)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_loads_and_validates() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/greeting.yaml");
        let p = GreetingParams::from_yaml_file(&path).expect("shipped config must load");
        assert_eq!(p.engagement.attention_distance_m, 4.0);
        assert_eq!(p.engagement.engage_distance_m, 1.5);
        assert_eq!(p.policy.language, Lang::Vi);
    }

    #[test]
    fn defaults_are_valid() {
        GreetingParams::default()
            .validate()
            .expect("defaults valid");
    }

    #[test]
    fn unknown_key_is_refused() {
        let y = "greeting:\n  ros__parameters:\n    engagement:\n      engage_distanse_m: 1.0\n";
        let err = GreetingParams::from_yaml_str(y)
            .expect_err("must be refused")
            .to_string();
        assert!(err.contains("engage_distanse_m"), "{err}");
    }

    #[test]
    fn out_of_range_names_the_key() {
        let y = "greeting:\n  ros__parameters:\n    engagement:\n      engage_distance_m: 6.0\n";
        let err = GreetingParams::from_yaml_str(y)
            .expect_err("must be refused")
            .to_string();
        assert!(err.contains("engagement.engage_distance_m"), "{err}");
        let y = "greeting:\n  ros__parameters:\n    policy:\n      afternoon_from_h: 20\n";
        let err = GreetingParams::from_yaml_str(y)
            .expect_err("must be refused")
            .to_string();
        assert!(err.contains("policy.afternoon_from_h"), "{err}");
    }

    #[test]
    fn temi_range_is_accepted_and_partial_yaml_keeps_defaults() {
        for d in [0.5, 0.8, 2.0] {
            let y = format!("greeting:\n  ros__parameters:\n    engagement:\n      engage_distance_m: {d}\n      disengage_distance_m: 2.5\n");
            let p = GreetingParams::from_yaml_str(&y).expect("valid");
            assert_eq!(p.engagement.engage_distance_m, d);
            assert_eq!(p.engagement.attention_distance_m, 4.0);
        }
    }

    #[test]
    fn missing_section_is_an_error() {
        // `/greeting:` is the node's own section
        let p = GreetingParams::from_yaml_str(
            "/greeting:\n  ros__parameters:\n    engagement:\n      engage_distance_m: 1.2\n",
        )
        .expect("a /greeting section");
        assert_eq!(p.engagement.engage_distance_m, 1.2);
        let err = GreetingParams::from_yaml_str("other:\n  ros__parameters: {}\n")
            .expect_err("must be refused");
        assert!(matches!(err, GreetingError::MissingNode { .. }));
    }
}
