//! The navigation node's parameters and map files.
use letan_map::{load_map, Keepout, OccupancyGrid as Grid, Places};
use letan_nav::params::{
    ControllerParams, CostmapParams, GoalParams, GuideParams, LocalizationParams, PlannerParams,
    RecoveryParams, RobotParams, TrackerParams,
};
use letan_nav::supervisor::SupervisorParams;
use letan_nav::NavParams;
use serde::Deserialize;
use std::path::{Path as FsPath, PathBuf};

/// Map files, relative to the repository root (or absolute).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapFiles {
    pub map_yaml: String,
    pub keepout_yaml: String,
    pub places_yaml: String,
    /// Where relative paths start; empty = the repository found from the working directory
    /// (`LETAN_ROOT` if set).
    pub root: String,
}

impl Default for MapFiles {
    fn default() -> Self {
        Self {
            map_yaml: "maps/lobby.yaml".into(),
            keepout_yaml: "maps/keepout.yaml".into(),
            places_yaml: "maps/places.yaml".into(),
            root: String::new(),
        }
    }
}

/// Topic names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavTopics {
    pub odom: String,
    pub scan: String,
    pub tf: String,
    pub tf_static: String,
    pub initial_pose: String,
    pub goal_place: String,
    pub goal_pose: String,
    pub mux_status: String,
    pub cmd_vel: String,
    pub map: String,
    pub plan: String,
    pub guide_status: String,
    pub people: String,
    /// The `nav2_msgs/action/NavigateToPose` action server.
    pub navigate_to_pose: String,
}

impl Default for NavTopics {
    fn default() -> Self {
        Self {
            odom: "/odom".into(),
            scan: "/scan".into(),
            tf: "/tf".into(),
            tf_static: "/tf_static".into(),
            initial_pose: "/initialpose".into(),
            goal_place: "/nav/goal".into(),
            goal_pose: "/goal_pose".into(),
            mux_status: "/mux/status".into(),
            cmd_vel: "cmd_vel".into(),
            map: "/map".into(),
            plan: "/plan".into(),
            guide_status: "/nav/guide_status".into(),
            people: "/nav/people".into(),
            navigate_to_pose: "/navigate_to_pose".into(),
        }
    }
}

/// The navigation node's `ros__parameters`: the `letan-nav` sections plus the node's own keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NavNodeParams {
    pub robot: RobotParams,
    pub costmap: CostmapParams,
    pub planner: PlannerParams,
    pub controller: ControllerParams,
    pub goal: GoalParams,
    pub localization: LocalizationParams,
    pub recovery: RecoveryParams,
    pub guide: GuideParams,
    pub tracker: TrackerParams,
    pub node: NavNodeOptions,
}

/// Keys of the node itself (`node:` section).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NavNodeOptions {
    pub maps: MapFiles,
    pub topics: NavTopics,
    pub map_frame: String,
    pub odom_frame: String,
    pub base_frame: String,
    /// Place whose pose is the initial pose (the dock); `""` = the map origin.
    pub initial_place: String,
    /// A goal that takes longer fails with `ERROR_TIMEOUT`.
    pub goal_timeout_s: f64,
    /// An operator driving (console or keyboard teleop active in the mux) cancels the goal.
    pub cancel_on_teleop: bool,
    /// map → odom is stamped this far ahead, as AMCL does, so that lookups at "now" succeed.
    pub transform_tolerance_s: f64,
    /// Scans older than this (s, node clock) are not used for control.
    pub scan_timeout_s: f64,
}

impl Default for NavNodeOptions {
    fn default() -> Self {
        Self {
            maps: MapFiles::default(),
            topics: NavTopics::default(),
            map_frame: "map".into(),
            odom_frame: "odom".into(),
            base_frame: "base_link".into(),
            initial_place: "dock".into(),
            goal_timeout_s: 300.0,
            cancel_on_teleop: true,
            transform_tolerance_s: 0.2,
            scan_timeout_s: 0.5,
        }
    }
}

impl NavNodeParams {
    /// The `letan-nav` parameters.
    pub fn nav(&self) -> NavParams {
        NavParams {
            robot: self.robot.clone(),
            costmap: self.costmap.clone(),
            planner: self.planner.clone(),
            controller: self.controller.clone(),
            goal: self.goal.clone(),
            localization: self.localization.clone(),
            recovery: self.recovery.clone(),
            guide: self.guide.clone(),
            tracker: self.tracker.clone(),
        }
    }

    /// The goal supervisor's limits (keys of the `node:` section).
    pub fn supervisor(&self) -> SupervisorParams {
        SupervisorParams {
            goal_timeout_s: self.node.goal_timeout_s,
            cancel_on_teleop: self.node.cancel_on_teleop,
            scan_timeout_s: self.node.scan_timeout_s,
        }
    }

    /// Check every value once; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        self.nav().validate().map_err(|e| e.to_string())?;
        let n = &self.node;
        use letan_core::params::{in_range, positive};
        positive("node.goal_timeout_s", n.goal_timeout_s)
            .and_then(|()| positive("node.scan_timeout_s", n.scan_timeout_s))
            .and_then(|()| {
                in_range(
                    "node.transform_tolerance_s",
                    n.transform_tolerance_s,
                    0.0,
                    5.0,
                )
            })
            .map_err(|e| e.to_string())?;
        for (key, v) in [
            ("node.map_frame", &n.map_frame),
            ("node.odom_frame", &n.odom_frame),
            ("node.base_frame", &n.base_frame),
            ("node.maps.map_yaml", &n.maps.map_yaml),
            ("node.maps.places_yaml", &n.maps.places_yaml),
        ] {
            if v.trim().is_empty() {
                return Err(format!("key `{key}` must not be empty"));
            }
        }
        Ok(())
    }
}

/// The lobby as navigation needs it.
pub struct NavMap {
    pub grid: Grid,
    pub keepout: Option<Keepout>,
    pub places: Places,
}

fn resolve(root: &FsPath, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() {
        p
    } else {
        root.join(p)
    }
}

/// The root that relative map paths start from.
pub fn map_root(files: &MapFiles) -> Result<PathBuf, String> {
    if !files.root.is_empty() {
        return Ok(PathBuf::from(&files.root));
    }
    if let Some(r) = std::env::var_os("LETAN_ROOT") {
        return Ok(PathBuf::from(r));
    }
    let cwd = std::env::current_dir().map_err(|e| format!("working directory: {e}"))?;
    crate::sim::find_repo_root(&cwd).ok_or_else(|| {
        format!(
            "no maps/lobby.yaml above {}: set `node.maps.root` or LETAN_ROOT",
            cwd.display()
        )
    })
}

impl NavMap {
    /// Load the map, keep-out zones (optional: `""`) and places.
    pub fn load(files: &MapFiles) -> Result<NavMap, String> {
        let root = map_root(files)?;
        let map_path = resolve(&root, &files.map_yaml);
        let grid = load_map(&map_path)
            .map_err(|e| format!("map {}: {e}", map_path.display()))?
            .grid;
        let keepout = if files.keepout_yaml.trim().is_empty() {
            None
        } else {
            let p = resolve(&root, &files.keepout_yaml);
            Some(Keepout::load(&p).map_err(|e| format!("keep-out zones {}: {e}", p.display()))?)
        };
        let p = resolve(&root, &files.places_yaml);
        let places = Places::load(&p).map_err(|e| format!("places {}: {e}", p.display()))?;
        Ok(NavMap {
            grid,
            keepout,
            places,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_keys_are_checked_and_named() {
        assert_eq!(NavNodeParams::default().validate(), Ok(()));
        let bad = |f: &dyn Fn(&mut NavNodeOptions)| {
            let mut p = NavNodeParams::default();
            f(&mut p.node);
            p.validate().err().unwrap_or_default()
        };
        assert!(bad(&|n| n.goal_timeout_s = f64::NAN).contains("node.goal_timeout_s"));
        assert!(bad(&|n| n.scan_timeout_s = 0.0).contains("node.scan_timeout_s"));
        let e = bad(&|n| n.transform_tolerance_s = 6.0);
        assert!(
            e.contains("node.transform_tolerance_s") && e.contains("[0, 5]"),
            "{e}"
        );
        assert!(bad(&|n| n.base_frame = " ".into()).contains("node.base_frame"));
    }
}
