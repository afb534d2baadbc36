//! Typed navigation parameters (`config/nav.yaml`, ROS 2 `ros__parameters` form), validated once.

use serde::{Deserialize, Serialize};

use crate::error::{NavError, Result};

/// The robot body and its kinematic limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RobotParams {
    /// Circular footprint radius (m).
    pub radius: f64,
    /// Laser position in base_link (m, m, rad).
    pub laser_x: f64,
    pub laser_y: f64,
    pub laser_yaw: f64,
    pub max_linear_speed: f64,
    pub max_angular_speed: f64,
    pub max_linear_accel: f64,
    pub max_angular_accel: f64,
    /// Largest reverse speed (backing-up recovery), positive number.
    pub max_reverse_speed: f64,
}

impl Default for RobotParams {
    fn default() -> Self {
        Self {
            radius: 0.3,
            laser_x: 0.1,
            laser_y: 0.0,
            laser_yaw: 0.0,
            max_linear_speed: 0.6,
            max_angular_speed: 1.2,
            max_linear_accel: 0.6,
            max_angular_accel: 2.0,
            max_reverse_speed: 0.15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostmapParams {
    /// Costs decay to zero at this distance from an obstacle (m).
    pub inflation_radius: f64,
    /// Exponential decay rate of inflated cost beyond the robot radius (1/m).
    pub cost_scaling_factor: f64,
    /// Scan hits beyond this range are not marked (m).
    pub obstacle_max_range: f64,
    /// Free space is cleared along beams up to this range (m).
    pub raytrace_max_range: f64,
    /// Radius of a person's body (m); the robot centre never comes closer than this + robot radius.
    pub person_radius: f64,
    /// Personal-space radius (m) around a standing person where costs are high.
    pub personal_space: f64,
    /// Extra length of the proxemic zone ahead of a walking person, per m/s of their speed (s).
    pub person_velocity_lookahead: f64,
    /// Peak proxemic cost (below lethal, 1..=252).
    pub person_peak_cost: u8,
    /// Treat unknown map cells as obstacles.
    pub unknown_is_lethal: bool,
}

impl Default for CostmapParams {
    fn default() -> Self {
        Self {
            inflation_radius: 0.75,
            cost_scaling_factor: 4.0,
            obstacle_max_range: 5.0,
            raytrace_max_range: 6.0,
            person_radius: 0.25,
            personal_space: 1.2,
            person_velocity_lookahead: 1.0,
            person_peak_cost: 220,
            unknown_is_lethal: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlannerParams {
    /// How much cost (0..252) counts against distance: step cost = length * (1 + cost_weight * cost/252).
    pub cost_weight: f64,
    /// If the goal cell is not free, look for the nearest free cell within this radius (m); 0 = reject.
    pub goal_search_radius: f64,
    /// Around the start, cells inside the inscribed radius may be crossed so the robot can leave a wall.
    pub start_escape_radius: f64,
    /// Output path spacing (m).
    pub path_resolution: f64,
    /// Give up after expanding this many cells.
    pub max_expansions: usize,
    /// Weighted A*: heuristic multiplier (>= 1). Above 1 trades optimality (path cost at most this
    /// factor above the best) for far fewer expansions; string pulling removes most of the difference.
    pub heuristic_weight: f64,
}

impl Default for PlannerParams {
    fn default() -> Self {
        Self {
            cost_weight: 3.0,
            goal_search_radius: 0.5,
            start_escape_radius: 0.4,
            path_resolution: 0.05,
            max_expansions: 6_000_000,
            heuristic_weight: 1.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ControllerParams {
    pub rate_hz: f64,
    pub lookahead_min: f64,
    pub lookahead_max: f64,
    /// Lookahead = speed * lookahead_time, clamped to [min, max] (s).
    pub lookahead_time: f64,
    /// Curvature regulation: below this turning radius the speed is scaled down (m).
    pub regulated_min_radius: f64,
    /// Start slowing this far from the goal (m).
    pub approach_distance: f64,
    pub min_approach_speed: f64,
    /// Rotate in place first when the path heading differs by more than this (rad).
    pub rotate_to_heading_angle: f64,
    /// Proportional gain of in-place rotations (1/s).
    pub rotate_gain: f64,
    /// Slowest useful in-place rotation (rad/s).
    pub min_rotate_speed: f64,
    /// Simulate the command this long forward for the scan collision check (s).
    pub collision_horizon: f64,
    /// Extra clearance over the robot radius for the scan collision check (m).
    pub collision_margin: f64,
    /// Full speed only when the nearest person is farther than this (m, centre to centre).
    pub people_slow_distance: f64,
    /// Stop (wait) when a person in the driving direction is closer than this (m).
    pub people_stop_distance: f64,
    /// Speed cap when a person is just beyond the stop distance (m/s).
    pub people_min_speed: f64,
    /// A person counts as "in the way" within this distance of the line to the lookahead point (m).
    pub people_corridor_half_width: f64,
}

impl Default for ControllerParams {
    fn default() -> Self {
        Self {
            rate_hz: 20.0,
            lookahead_min: 0.35,
            lookahead_max: 0.9,
            lookahead_time: 1.5,
            regulated_min_radius: 0.9,
            approach_distance: 0.8,
            min_approach_speed: 0.06,
            rotate_to_heading_angle: 0.75,
            rotate_gain: 1.8,
            min_rotate_speed: 0.15,
            collision_horizon: 1.5,
            collision_margin: 0.05,
            people_slow_distance: 2.0,
            people_stop_distance: 0.9,
            people_min_speed: 0.12,
            people_corridor_half_width: 0.7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GoalParams {
    pub xy_tolerance: f64,
    pub yaw_tolerance: f64,
    /// The robot must move `progress_min_distance` within `progress_timeout` seconds, else recover.
    pub progress_min_distance: f64,
    pub progress_timeout: f64,
    /// People standing on the goal: this close to it (m), the robot stops and has arrived (the
    /// spot is taken; it does not push in). 0 = never.
    pub occupied_tolerance: f64,
}

impl Default for GoalParams {
    fn default() -> Self {
        Self {
            xy_tolerance: 0.12,
            yaw_tolerance: 0.12,
            progress_min_distance: 0.3,
            progress_timeout: 8.0,
            occupied_tolerance: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalizationParams {
    pub particles: usize,
    /// Odometry noise (AMCL alpha1..alpha4): rot from rot, rot from trans, trans from trans, trans from rot.
    pub alpha1: f64,
    pub alpha2: f64,
    pub alpha3: f64,
    pub alpha4: f64,
    pub sigma_hit: f64,
    pub z_hit: f64,
    pub z_rand: f64,
    /// Beams used per update (evenly subsampled).
    pub max_beams: usize,
    pub likelihood_max_dist: f64,
    /// Filter updates only after this much motion (m, rad).
    pub update_min_d: f64,
    pub update_min_a: f64,
    /// Augmented MCL: averages of the measurement likelihood; random particles are injected when fast < slow.
    pub recovery_alpha_slow: f64,
    pub recovery_alpha_fast: f64,
    /// Default spread of the initial pose (m, rad) when none is given.
    pub initial_sigma_xy: f64,
    pub initial_sigma_yaw: f64,
    pub seed: u64,
}

impl Default for LocalizationParams {
    fn default() -> Self {
        Self {
            particles: 1000,
            alpha1: 0.2,
            alpha2: 0.2,
            alpha3: 0.2,
            alpha4: 0.2,
            sigma_hit: 0.2,
            z_hit: 0.9,
            z_rand: 0.1,
            max_beams: 60,
            likelihood_max_dist: 2.0,
            update_min_d: 0.1,
            update_min_a: 0.2,
            // off, as in Nav2's AMCL (see config/nav.yaml)
            recovery_alpha_slow: 0.0,
            recovery_alpha_fast: 0.0,
            initial_sigma_xy: 0.5,
            initial_sigma_yaw: 0.3,
            seed: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecoveryParams {
    /// Give up after this many recovery cycles without reaching the goal.
    pub max_recoveries: u32,
    /// How long to wait for people blocking the way before other recoveries (s).
    pub wait_for_people: f64,
    /// Plain wait recovery (s).
    pub wait: f64,
    pub rotate_angle: f64,
    pub backup_distance: f64,
    pub backup_speed: f64,
    /// Replan the path at this period while following (s); 0 = only on failure.
    pub replan_period: f64,
    /// A single recovery gives up after this long (s).
    pub behavior_timeout: f64,
    /// Having driven this far (m) since the last recovery started, the robot is through: the
    /// recovery count starts again (a busy lobby can block it several times on a long trip).
    pub reset_after_m: f64,
}

impl Default for RecoveryParams {
    fn default() -> Self {
        Self {
            max_recoveries: 6,
            wait_for_people: 8.0,
            wait: 3.0,
            rotate_angle: 1.57,
            backup_distance: 0.25,
            backup_speed: 0.1,
            replan_period: 2.0,
            behavior_timeout: 10.0,
            reset_after_m: 2.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuideParams {
    /// Speed cap while guiding a citizen (m/s): elderly walking pace.
    pub max_speed: f64,
    /// Keep the follower within this distance (m); the speed is reduced beyond it.
    pub follow_distance: f64,
    /// Stop and wait when the follower is farther than this (m).
    pub wait_distance: f64,
    /// Resume when they are back within this distance (m).
    pub resume_distance: f64,
    /// Give up (follower lost) after this long without seeing them (s).
    pub lost_timeout: f64,
    /// A tracked person counts as the follower only if behind the robot within this distance at start (m).
    pub acquire_distance: f64,
}

impl Default for GuideParams {
    fn default() -> Self {
        Self {
            max_speed: 0.45,
            follow_distance: 1.5,
            wait_distance: 2.2,
            resume_distance: 1.5,
            lost_timeout: 20.0,
            acquire_distance: 2.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerParams {
    /// Consecutive scan points farther apart than this start a new cluster (m).
    pub cluster_gap: f64,
    pub leg_min_width: f64,
    pub leg_max_width: f64,
    /// Two legs closer than this form one person (m).
    pub leg_pair_distance: f64,
    /// A single blob up to this wide is a person (m).
    pub person_max_width: f64,
    /// Points closer than this to a static map obstacle are ignored (m).
    pub static_ignore_distance: f64,
    pub association_gate: f64,
    /// Tracks unseen for this long are dropped (s).
    pub track_timeout: f64,
    /// Detections needed before a track is reported.
    pub confirm_hits: u32,
}

impl Default for TrackerParams {
    fn default() -> Self {
        Self {
            cluster_gap: 0.13,
            leg_min_width: 0.04,
            leg_max_width: 0.3,
            leg_pair_distance: 0.55,
            person_max_width: 0.7,
            static_ignore_distance: 0.15,
            association_gate: 0.8,
            track_timeout: 1.0,
            confirm_hits: 2,
        }
    }
}

/// All navigation parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct NavParams {
    pub robot: RobotParams,
    pub costmap: CostmapParams,
    pub planner: PlannerParams,
    pub controller: ControllerParams,
    pub goal: GoalParams,
    pub localization: LocalizationParams,
    pub recovery: RecoveryParams,
    pub guide: GuideParams,
    pub tracker: TrackerParams,
}

/// The node name under which `ros__parameters` are looked up.
pub const NODE_NAME: &str = "navigation";

impl NavParams {
    /// Parse a ROS 2 parameter file (`path` names it in errors), take the `ros__parameters` that
    /// apply to the `navigation` node (`/**`, `/**/navigation`, then `navigation` itself, merged by
    /// `letan_core::params::ros_parameters`) and validate them.
    pub fn from_ros_yaml(text: &str, path: &str) -> Result<Self> {
        let file_err = |reason: String| NavError::ParamFile {
            path: path.into(),
            reason,
        };
        let doc: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| file_err(e.to_string()))?;
        let section = letan_core::params::node_parameters(&doc, &format!("/{NODE_NAME}"))
            .map_err(|e| file_err(e.to_string()))?;
        if !section.found() {
            return Err(file_err(format!(
                "no `{NODE_NAME}:` node section (nor `/**`)"
            )));
        }
        let p: NavParams = serde_path_to_error::deserialize(section.value()).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            if key.is_empty() || key == "." {
                file_err(inner.to_string())
            } else {
                file_err(format!("key `{key}`: {inner}"))
            }
        })?;
        p.validate()?;
        Ok(p)
    }

    /// Check every value; the error names the key. One section of the file at a time.
    pub fn validate(&self) -> Result<()> {
        self.validate_robot_and_costmap()?;
        self.validate_planner_and_controller()?;
        self.validate_goal_and_localization()?;
        self.validate_recovery_guide_and_tracker()
    }

    fn validate_robot_and_costmap(&self) -> Result<()> {
        let r = &self.robot;
        pos("robot.radius", r.radius)?;
        for (k, v) in [
            ("robot.laser_x", r.laser_x),
            ("robot.laser_y", r.laser_y),
            ("robot.laser_yaw", r.laser_yaw),
        ] {
            if !v.is_finite() {
                return Err(invalid(k, "must be finite"));
            }
        }
        pos("robot.max_linear_speed", r.max_linear_speed)?;
        pos("robot.max_angular_speed", r.max_angular_speed)?;
        pos("robot.max_linear_accel", r.max_linear_accel)?;
        pos("robot.max_angular_accel", r.max_angular_accel)?;
        nonneg("robot.max_reverse_speed", r.max_reverse_speed)?;
        let c = &self.costmap;
        pos("costmap.inflation_radius", c.inflation_radius)?;
        order(
            "costmap.inflation_radius",
            r.radius,
            c.inflation_radius,
            "robot.radius",
        )?;
        pos("costmap.cost_scaling_factor", c.cost_scaling_factor)?;
        pos("costmap.obstacle_max_range", c.obstacle_max_range)?;
        pos("costmap.raytrace_max_range", c.raytrace_max_range)?;
        pos("costmap.person_radius", c.person_radius)?;
        order(
            "costmap.personal_space",
            c.person_radius,
            c.personal_space,
            "costmap.person_radius",
        )?;
        nonneg(
            "costmap.person_velocity_lookahead",
            c.person_velocity_lookahead,
        )?;
        if !(1..=252).contains(&c.person_peak_cost) {
            return Err(invalid(
                "costmap.person_peak_cost",
                format!("must be in 1..=252, got {}", c.person_peak_cost),
            ));
        }
        Ok(())
    }

    fn validate_planner_and_controller(&self) -> Result<()> {
        let p = &self.planner;
        nonneg("planner.cost_weight", p.cost_weight)?;
        nonneg("planner.goal_search_radius", p.goal_search_radius)?;
        nonneg("planner.start_escape_radius", p.start_escape_radius)?;
        pos("planner.path_resolution", p.path_resolution)?;
        within("planner.heuristic_weight", p.heuristic_weight, 1.0, 5.0)?;
        if p.max_expansions == 0 {
            return Err(invalid("planner.max_expansions", "must be > 0"));
        }
        let k = &self.controller;
        pos("controller.rate_hz", k.rate_hz)?;
        pos("controller.lookahead_min", k.lookahead_min)?;
        order(
            "controller.lookahead_max",
            k.lookahead_min,
            k.lookahead_max,
            "controller.lookahead_min",
        )?;
        pos("controller.lookahead_time", k.lookahead_time)?;
        pos("controller.regulated_min_radius", k.regulated_min_radius)?;
        pos("controller.approach_distance", k.approach_distance)?;
        pos("controller.min_approach_speed", k.min_approach_speed)?;
        pos(
            "controller.rotate_to_heading_angle",
            k.rotate_to_heading_angle,
        )?;
        pos("controller.rotate_gain", k.rotate_gain)?;
        pos("controller.min_rotate_speed", k.min_rotate_speed)?;
        pos("controller.collision_horizon", k.collision_horizon)?;
        nonneg("controller.collision_margin", k.collision_margin)?;
        pos("controller.people_stop_distance", k.people_stop_distance)?;
        order(
            "controller.people_slow_distance",
            k.people_stop_distance,
            k.people_slow_distance,
            "controller.people_stop_distance",
        )?;
        pos("controller.people_min_speed", k.people_min_speed)?;
        pos(
            "controller.people_corridor_half_width",
            k.people_corridor_half_width,
        )
    }

    fn validate_goal_and_localization(&self) -> Result<()> {
        let g = &self.goal;
        pos("goal.xy_tolerance", g.xy_tolerance)?;
        pos("goal.yaw_tolerance", g.yaw_tolerance)?;
        pos("goal.progress_min_distance", g.progress_min_distance)?;
        pos("goal.progress_timeout", g.progress_timeout)?;
        let l = &self.localization;
        if l.particles < 10 || l.particles > 200_000 {
            return Err(invalid(
                "localization.particles",
                format!("must be in 10..=200000, got {}", l.particles),
            ));
        }
        for (key, v) in [
            ("localization.alpha1", l.alpha1),
            ("localization.alpha2", l.alpha2),
            ("localization.alpha3", l.alpha3),
            ("localization.alpha4", l.alpha4),
            ("localization.update_min_d", l.update_min_d),
            ("localization.update_min_a", l.update_min_a),
        ] {
            nonneg(key, v)?;
        }
        pos("localization.sigma_hit", l.sigma_hit)?;
        pos("localization.likelihood_max_dist", l.likelihood_max_dist)?;
        pos("localization.initial_sigma_xy", l.initial_sigma_xy)?;
        pos("localization.initial_sigma_yaw", l.initial_sigma_yaw)?;
        for (key, v) in [
            ("localization.z_hit", l.z_hit),
            ("localization.z_rand", l.z_rand),
            ("localization.recovery_alpha_slow", l.recovery_alpha_slow),
            ("localization.recovery_alpha_fast", l.recovery_alpha_fast),
        ] {
            within(key, v, 0.0, 1.0)?;
        }
        if l.max_beams == 0 {
            return Err(invalid("localization.max_beams", "must be > 0"));
        }
        Ok(())
    }

    fn validate_recovery_guide_and_tracker(&self) -> Result<()> {
        let rc = &self.recovery;
        nonneg("recovery.wait_for_people", rc.wait_for_people)?;
        pos("recovery.reset_after_m", rc.reset_after_m)?;
        nonneg("recovery.wait", rc.wait)?;
        pos("recovery.rotate_angle", rc.rotate_angle)?;
        nonneg("recovery.backup_distance", rc.backup_distance)?;
        pos("recovery.backup_speed", rc.backup_speed)?;
        nonneg("recovery.replan_period", rc.replan_period)?;
        pos("recovery.behavior_timeout", rc.behavior_timeout)?;
        let gd = &self.guide;
        pos("guide.max_speed", gd.max_speed)?;
        pos("guide.follow_distance", gd.follow_distance)?;
        order(
            "guide.wait_distance",
            gd.follow_distance,
            gd.wait_distance,
            "guide.follow_distance",
        )?;
        order(
            "guide.wait_distance",
            gd.resume_distance,
            gd.wait_distance,
            "guide.resume_distance",
        )?;
        pos("guide.resume_distance", gd.resume_distance)?;
        pos("guide.lost_timeout", gd.lost_timeout)?;
        pos("guide.acquire_distance", gd.acquire_distance)?;
        let t = &self.tracker;
        pos("tracker.cluster_gap", t.cluster_gap)?;
        pos("tracker.leg_min_width", t.leg_min_width)?;
        order(
            "tracker.leg_max_width",
            t.leg_min_width,
            t.leg_max_width,
            "tracker.leg_min_width",
        )?;
        pos("tracker.leg_pair_distance", t.leg_pair_distance)?;
        order(
            "tracker.person_max_width",
            t.leg_max_width,
            t.person_max_width,
            "tracker.leg_max_width",
        )?;
        nonneg("tracker.static_ignore_distance", t.static_ignore_distance)?;
        pos("tracker.association_gate", t.association_gate)?;
        pos("tracker.track_timeout", t.track_timeout)
    }
}

fn invalid(key: &str, reason: impl Into<String>) -> NavError {
    NavError::InvalidParam {
        key: key.into(),
        reason: reason.into(),
    }
}

/// The shared range checks (`letan_core::params`), as this crate's error.
fn from_core(e: letan_core::params::ParamError) -> NavError {
    invalid(&e.key, format!("{}, got {}", e.reason, e.value))
}

fn pos(key: &str, v: f64) -> Result<()> {
    letan_core::params::positive(key, v).map_err(from_core)
}

fn nonneg(key: &str, v: f64) -> Result<()> {
    letan_core::params::non_negative(key, v).map_err(from_core)
}

fn within(key: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    letan_core::params::in_range(key, v, lo, hi).map_err(from_core)
}

/// `hi` (the value of `key`) is at least `lo` (the value of `what`).
fn order(key: &str, lo: f64, hi: f64, what: &str) -> Result<()> {
    if lo <= hi {
        Ok(())
    } else {
        Err(invalid(key, format!("must be >= {what} ({lo}), got {hi}")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        NavParams::default().validate().unwrap();
    }

    #[test]
    fn unknown_key_is_refused_with_its_name() {
        let e = NavParams::from_ros_yaml(
            "navigation:\n  ros__parameters:\n    controller:\n      lookahed_min: 0.3\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lookahed_min") && e.contains("x.yaml"), "{e}");
    }

    #[test]
    fn bad_value_names_key() {
        let e = NavParams::from_ros_yaml(
            "navigation:\n  ros__parameters:\n    guide:\n      wait_distance: 1.0\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("guide.wait_distance"), "{e}");
        let e = NavParams::from_ros_yaml(
            "navigation:\n  ros__parameters:\n    robot:\n      radius: -1\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("robot.radius"), "{e}");
    }

    #[test]
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let p = NavParams::from_ros_yaml(
            "/**:\n  ros__parameters:\n    robot: {radius: 0.3, max_linear_speed: 0.4}\nnavigation:\n  ros__parameters:\n    robot: {radius: 0.25}\n",
            "x.yaml",
        )
        .unwrap();
        assert_eq!((p.robot.radius, p.robot.max_linear_speed), (0.25, 0.4));
        let p = NavParams::from_ros_yaml(
            "/**:\n  ros__parameters:\n    robot: {radius: 0.22}\n",
            "x.yaml",
        )
        .unwrap();
        assert_eq!(p.robot.radius, 0.22);
        let p = NavParams::from_ros_yaml(
            "/navigation:\n  ros__parameters:\n    robot: {radius: 0.21}\n",
            "x.yaml",
        )
        .unwrap();
        assert_eq!(p.robot.radius, 0.21);
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e = NavParams::from_ros_yaml(
            "/**:\n  ros__parameters:\n    robot: {radios: 0.3}\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("robot.radios") && e.contains("x.yaml"), "{e}");
        let e = NavParams::from_ros_yaml(
            "/**:\n  ros__parameters:\n    robot: {radius: -1}\n",
            "x.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("robot.radius"), "{e}");
        let e = NavParams::from_ros_yaml("other:\n  ros__parameters: {}\n", "x.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("navigation") && e.contains("x.yaml"), "{e}");
    }

    #[test]
    fn partial_file_takes_defaults() {
        let p = NavParams::from_ros_yaml(
            "navigation:\n  ros__parameters:\n    robot:\n      radius: 0.25\n",
            "x.yaml",
        )
        .unwrap();
        assert_eq!(p.robot.radius, 0.25);
        assert_eq!(p.controller, ControllerParams::default());
    }
}
