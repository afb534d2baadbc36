//! Local controller: regulated pure pursuit.
//!
//! - lookahead scales with speed; curvature and goal-approach regulation slow it in turns and near the goal
//! - speed caps from people nearby (stop when one stands in the way) and from the caller (guide mode)
//! - the commanded arc is checked against the latest scan; the speed is limited so the robot can
//!   stop before the first scan point that would touch its footprint, and it reports `Blocked`
//! - goal approach is latched: once within the xy tolerance the robot stops translating and rotates in
//!   place to the goal yaw with a braking profile (`ω ≤ √(2·α·|error|)`), so it does not oscillate.

use crate::params::{ControllerParams, GoalParams, RobotParams};
use crate::planner::Path;
use crate::types::{normalize_angle, to_local, Person, Pose2D, Twist2D};

/// What the controller is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlStatus {
    Following,
    /// Turning in place towards the path before driving.
    RotatingToHeading,
    /// Within the xy tolerance, turning to the goal yaw.
    FinalRotation,
    /// Position and yaw within tolerance; command is zero.
    Arrived,
    /// A scan obstacle is within `free_distance` (m) on the commanded arc.
    Blocked {
        free_distance: f64,
    },
    /// A person stands in the way closer than the stop distance.
    WaitingForPeople {
        distance: f64,
    },
    /// No path.
    NoPath,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlOutput {
    pub cmd: Twist2D,
    pub status: ControlStatus,
    /// Path length left (m).
    pub distance_remaining: f64,
    /// Distance to the nearest person (m, centre to centre), infinite if none.
    pub nearest_person: f64,
}

/// Inputs of one control cycle.
#[derive(Debug, Clone, Copy)]
pub struct ControlInput<'a> {
    /// base_link in the map frame.
    pub pose: Pose2D,
    /// Current measured velocity (or the last command).
    pub velocity: Twist2D,
    pub path: &'a Path,
    /// Latest scan returns in the base_link frame.
    pub scan_points: &'a [[f64; 2]],
    /// People in the map frame.
    pub people: &'a [Person],
    /// Extra speed cap (m/s), e.g. guide mode; `f64::INFINITY` for none.
    pub speed_limit: f64,
    /// Cycle period (s).
    pub dt: f64,
}

#[derive(Debug, Clone)]
pub struct Controller {
    params: ControllerParams,
    robot: RobotParams,
    goal: GoalParams,
    path_index: usize,
    latched: bool,
    last: Twist2D,
}

impl Controller {
    pub fn new(params: ControllerParams, robot: RobotParams, goal: GoalParams) -> Self {
        Self {
            params,
            robot,
            goal,
            path_index: 0,
            latched: false,
            last: Twist2D::ZERO,
        }
    }

    /// Call when a new path (new goal or replan) is given.
    pub fn reset(&mut self, new_goal: bool) {
        self.path_index = 0;
        if new_goal {
            self.latched = false;
        }
    }

    pub fn params(&self) -> &ControllerParams {
        &self.params
    }

    /// In-place rotation speed towards `err` with a braking profile and the accel limit.
    fn rotate(&self, err: f64, dt: f64) -> f64 {
        let a = self.robot.max_angular_accel;
        let mag = (self.params.rotate_gain * err.abs())
            .min((2.0 * a * err.abs()).sqrt())
            .min(self.robot.max_angular_speed)
            .max(self.params.min_rotate_speed)
            .min(err.abs() / dt.max(1e-3));
        let w = mag.copysign(err);
        // accel limit (braking allowed at full rate)
        let lo = self.last.angular - a * dt;
        let hi = self.last.angular + a * dt;
        if w.abs() > self.last.angular.abs() || w.signum() != self.last.angular.signum() {
            w.clamp(lo, hi)
        } else {
            w
        }
    }

    fn finish(
        &mut self,
        cmd: Twist2D,
        status: ControlStatus,
        remaining: f64,
        nearest: f64,
    ) -> ControlOutput {
        self.last = cmd;
        ControlOutput {
            cmd,
            status,
            distance_remaining: remaining,
            nearest_person: nearest,
        }
    }

    /// One control cycle.
    pub fn compute(&mut self, inp: &ControlInput<'_>) -> ControlOutput {
        let dt = if inp.dt.is_finite() && inp.dt > 0.0 {
            inp.dt
        } else {
            1.0 / self.params.rate_hz
        };
        self.last = inp.velocity;
        let pose = inp.pose;
        let nearest = inp
            .people
            .iter()
            .map(|p| (p.x - pose.x).hypot(p.y - pose.y))
            .fold(f64::INFINITY, f64::min);
        let (Some(goal), false) = (inp.path.goal(), inp.path.is_empty()) else {
            return self.finish(Twist2D::ZERO, ControlStatus::NoPath, 0.0, nearest);
        };
        let d_goal = pose.distance(&goal);
        if let Some((cmd, status)) = self.goal_approach(&pose, &goal, d_goal, dt) {
            return self.finish(cmd, status, d_goal, nearest);
        }
        let (best, remaining) = self.closest_path_point(&pose, inp.path);
        let carrot = self.carrot(&pose, &inp.path.poses[best..], goal, inp.velocity.linear);
        let (lx, ly) = to_local(&pose, carrot.x, carrot.y);
        let heading = ly.atan2(lx);
        if heading.abs() > self.params.rotate_to_heading_angle {
            let w = self.rotate(heading, dt);
            return self.finish(
                Twist2D::new(0.0, w),
                ControlStatus::RotatingToHeading,
                remaining,
                nearest,
            );
        }
        let (cmd, status) = match self.pursue(inp, (lx, ly), remaining, dt) {
            Ok(cmd) => (cmd, ControlStatus::Following),
            Err(stop) => (Twist2D::ZERO, stop),
        };
        self.finish(cmd, status, remaining, nearest)
    }

    /// Goal approach latch: within the xy tolerance the robot rotates in place to the goal yaw (and
    /// is `Arrived` once within the yaw tolerance); `None` while not latched.
    fn goal_approach(
        &mut self,
        pose: &Pose2D,
        goal: &Pose2D,
        d_goal: f64,
        dt: f64,
    ) -> Option<(Twist2D, ControlStatus)> {
        if d_goal < self.goal.xy_tolerance {
            self.latched = true;
        } else if d_goal > 3.0 * self.goal.xy_tolerance + 0.1 {
            self.latched = false;
        }
        if !self.latched {
            return None;
        }
        let err = normalize_angle(goal.yaw - pose.yaw);
        if err.abs() < self.goal.yaw_tolerance {
            return Some((Twist2D::ZERO, ControlStatus::Arrived));
        }
        let w = self.rotate(err, dt);
        Some((Twist2D::new(0.0, w), ControlStatus::FinalRotation))
    }

    /// Closest path point, searched forward from the last one within a 3 m window: its index and
    /// the path length left from the robot (m).
    fn closest_path_point(&mut self, pose: &Pose2D, path: &Path) -> (usize, f64) {
        let poses = &path.poses;
        if self.path_index >= poses.len() {
            self.path_index = 0;
        }
        let mut best = self.path_index;
        let mut best_d = f64::INFINITY;
        let mut walked = 0.0;
        for i in self.path_index..poses.len() {
            if i > self.path_index {
                walked += poses[i - 1].distance(&poses[i]);
            }
            if walked > 3.0 {
                break;
            }
            let d = pose.distance(&poses[i]);
            if d < best_d {
                best_d = d;
                best = i;
            }
        }
        self.path_index = best;
        (best, best_d + path.length_from(best))
    }

    /// The pursuit point: the first pose `ahead` at least the lookahead (scaled with the current
    /// speed `linear`) away, else the goal.
    fn carrot(&self, pose: &Pose2D, ahead: &[Pose2D], goal: Pose2D, linear: f64) -> Pose2D {
        let look = (linear.abs() * self.params.lookahead_time)
            .clamp(self.params.lookahead_min, self.params.lookahead_max);
        ahead
            .iter()
            .find(|p| pose.distance(p) >= look)
            .copied()
            .unwrap_or(goal)
    }

    /// Pure pursuit towards the carrot at `(lx, ly)` (base_link): the command after the speed
    /// regulations and limits, or the status that stops the robot (a person in the way, a scan
    /// obstacle too close).
    fn pursue(
        &self,
        inp: &ControlInput<'_>,
        (lx, ly): (f64, f64),
        remaining: f64,
        dt: f64,
    ) -> Result<Twist2D, ControlStatus> {
        let l2 = (lx * lx + ly * ly).max(1e-9);
        let curvature = 2.0 * ly / l2;
        let v = self.regulated_speed(curvature, remaining, inp.speed_limit);
        // in the way = close to the stretch of path the robot is about to drive (robot → carrot)
        let dir = (lx / l2.sqrt(), ly / l2.sqrt());
        let v = self.people_speed(&inp.pose, dir, inp.people, v)?;
        let v = self.scan_speed(curvature, inp.scan_points, v)?;
        Ok(self.limit(v, curvature, dt))
    }

    /// Speed cap from the caller's limit, then curvature regulation and goal-approach regulation.
    fn regulated_speed(&self, curvature: f64, remaining: f64, speed_limit: f64) -> f64 {
        let mut v = self.robot.max_linear_speed.min(speed_limit.max(0.0));
        // curvature regulation
        let radius = 1.0 / curvature.abs().max(1e-9);
        if radius < self.params.regulated_min_radius {
            v *= radius / self.params.regulated_min_radius;
        }
        // approach regulation
        if remaining < self.params.approach_distance {
            v = v.min(
                (self.robot.max_linear_speed * remaining / self.params.approach_distance)
                    .max(self.params.min_approach_speed),
            );
        }
        v
    }

    /// People: slow `v` near anyone; `WaitingForPeople` for someone closer than the stop distance
    /// in the corridor along `dir` (unit vector to the carrot, base_link).
    fn people_speed(
        &self,
        pose: &Pose2D,
        dir: (f64, f64),
        people: &[Person],
        mut v: f64,
    ) -> Result<f64, ControlStatus> {
        for p in people {
            let (px, py) = to_local(pose, p.x, p.y);
            let d = px.hypot(py);
            let along = px * dir.0 + py * dir.1;
            let perp = (px * dir.1 - py * dir.0).abs();
            let in_way = along > 0.0 && perp < self.params.people_corridor_half_width;
            if d <= self.params.people_stop_distance && in_way {
                return Err(ControlStatus::WaitingForPeople { distance: d });
            }
            let span = self.params.people_slow_distance - self.params.people_stop_distance;
            if d < self.params.people_slow_distance {
                let f = ((d - self.params.people_stop_distance) / span.max(1e-6)).clamp(0.0, 1.0);
                let cap = self.params.people_min_speed
                    + f * (self.robot.max_linear_speed - self.params.people_min_speed);
                v = v.min(cap);
            }
        }
        Ok(v)
    }

    /// Scan collision check along the commanded arc: cap `v` so the robot can brake before the
    /// first obstacle; `Blocked` when it is closer than 0.2 m.
    fn scan_speed(
        &self,
        curvature: f64,
        scan_points: &[[f64; 2]],
        mut v: f64,
    ) -> Result<f64, ControlStatus> {
        let check_len = (self.robot.max_linear_speed * self.params.collision_horizon).max(0.6);
        let free = self.free_distance(curvature, check_len, scan_points);
        if free < check_len {
            let brake = self.robot.max_linear_accel;
            let usable = (free - 0.1).max(0.0);
            v = v.min((2.0 * brake * usable).sqrt());
            if free < 0.2 {
                return Err(ControlStatus::Blocked {
                    free_distance: free,
                });
            }
        }
        Ok(v)
    }

    /// Acceleration limit (speeding up only; braking is never delayed), then the angular speed
    /// limit, scaling both speeds to keep the arc.
    fn limit(&self, mut v: f64, curvature: f64, dt: f64) -> Twist2D {
        v = v.min(self.last.linear.max(0.0) + self.robot.max_linear_accel * dt);
        let mut w = v * curvature;
        if w.abs() > self.robot.max_angular_speed {
            let s = self.robot.max_angular_speed / w.abs();
            w *= s;
            v *= s;
        }
        Twist2D::new(v, w)
    }

    /// Arc length (m) the footprint can travel along curvature `k` before touching a scan point
    /// (`max_len` if nothing is hit).
    pub fn free_distance(&self, k: f64, max_len: f64, points: &[[f64; 2]]) -> f64 {
        let r = self.robot.radius + self.params.collision_margin;
        let r2 = r * r;
        // only points that could matter
        let reach = max_len + r;
        let near: Vec<[f64; 2]> = points
            .iter()
            .filter(|p| p[0] > -r && p[0] * p[0] + p[1] * p[1] < reach * reach)
            .copied()
            .collect();
        if near.is_empty() {
            return max_len;
        }
        let step = 0.05;
        let n = (max_len / step).ceil() as usize;
        for i in 0..=n {
            let s = (i as f64 * step).min(max_len);
            let (x, y) = if k.abs() < 1e-6 {
                (s, 0.0)
            } else {
                let th = s * k;
                (th.sin() / k, (1.0 - th.cos()) / k)
            };
            if near
                .iter()
                .any(|p| (p[0] - x).powi(2) + (p[1] - y).powi(2) < r2)
            {
                return s;
            }
        }
        max_len
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn straight(len: f64, yaw_end: f64) -> Path {
        let mut poses: Vec<Pose2D> = (0..=(len / 0.05) as usize)
            .map(|i| Pose2D::new(i as f64 * 0.05, 0.0, 0.0))
            .collect();
        if let Some(l) = poses.last_mut() {
            l.yaw = yaw_end;
        }
        Path { poses }
    }

    fn ctl() -> Controller {
        Controller::new(
            ControllerParams::default(),
            RobotParams::default(),
            GoalParams::default(),
        )
    }

    #[test]
    fn drives_forward_and_respects_limits() {
        let mut c = ctl();
        let path = straight(5.0, 0.0);
        let out = c.compute(&ControlInput {
            pose: Pose2D::new(0.0, 0.0, 0.0),
            velocity: Twist2D::new(0.6, 0.0),
            path: &path,
            scan_points: &[],
            people: &[],
            speed_limit: 0.3,
            dt: 0.05,
        });
        assert_eq!(out.status, ControlStatus::Following);
        assert!((out.cmd.linear - 0.3).abs() < 1e-9, "{out:?}");
        assert!(out.cmd.angular.abs() < 1e-6);
    }

    #[test]
    fn rotates_first_when_facing_away() {
        let mut c = ctl();
        let path = straight(5.0, 0.0);
        let out = c.compute(&ControlInput {
            pose: Pose2D::new(0.0, 0.0, 3.0),
            velocity: Twist2D::ZERO,
            path: &path,
            scan_points: &[],
            people: &[],
            speed_limit: f64::INFINITY,
            dt: 0.05,
        });
        assert_eq!(out.status, ControlStatus::RotatingToHeading);
        assert_eq!(out.cmd.linear, 0.0);
        assert!(
            out.cmd.angular < 0.0,
            "shortest way from 3.0 rad to 0 is clockwise"
        );
    }

    #[test]
    fn blocked_by_scan_point_ahead() {
        let mut c = ctl();
        let path = straight(5.0, 0.0);
        let out = c.compute(&ControlInput {
            pose: Pose2D::new(0.0, 0.0, 0.0),
            velocity: Twist2D::new(0.3, 0.0),
            path: &path,
            scan_points: &[[0.4, 0.0]],
            people: &[],
            speed_limit: f64::INFINITY,
            dt: 0.05,
        });
        assert!(
            matches!(out.status, ControlStatus::Blocked { .. }),
            "{out:?}"
        );
        assert_eq!(out.cmd, Twist2D::ZERO);
        assert!((c.free_distance(0.0, 2.0, &[[1.0, 0.0]]) - 0.65).abs() < 0.051);
        assert_eq!(c.free_distance(0.0, 2.0, &[[1.0, 1.0]]), 2.0);
    }
}
