//! Crossers: people who walk straight across the lobby between points and do not plan around the
//! robot, unlike the social-force visitors of [`crate::people`] (who keep their distance from
//! it). Like real people they side-step at the last moment instead of walking into it, and one
//! stopped by furniture stands until the caller gives them somewhere else to go. The stress model
//! for navigation among people who do not make way (`letan-nav`'s seeded people trips).
//!
//! A pure step: positions and time in, positions out; the caller chooses the targets and owns the
//! random numbers.

/// How close (m) beyond touching a crosser starts side-stepping a robot they are closing on.
pub const SIDE_STEP_MARGIN: f64 = 0.15;

/// The share of their speed a crosser keeps while side-stepping.
pub const SIDE_STEP_SPEED: f64 = 0.6;

/// One crosser: where they are, how they move, where they go (all in the map frame, m and m/s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crosser {
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
    /// Where they are walking to.
    pub tx: f64,
    pub ty: f64,
    /// Their walking speed.
    pub speed: f64,
    /// Seconds without moving (walked into furniture).
    pub stuck: f64,
}

impl Crosser {
    /// Standing at (`x`, `y`), about to walk to (`tx`, `ty`) at `speed`.
    pub fn new(x: f64, y: f64, tx: f64, ty: f64, speed: f64) -> Self {
        Self {
            x,
            y,
            vx: 0.0,
            vy: 0.0,
            tx,
            ty,
            speed,
            stuck: 0.0,
        }
    }

    /// Distance (m) to their target.
    pub fn to_target(&self) -> f64 {
        (self.tx - self.x).hypot(self.ty - self.y)
    }

    /// Walk to (`tx`, `ty`) at `speed` from now on.
    pub fn retarget(&mut self, tx: f64, ty: f64, speed: f64) {
        self.tx = tx;
        self.ty = ty;
        self.speed = speed;
        self.stuck = 0.0;
    }

    /// One step of `dt` seconds towards the target. About to come closer than `touch` +
    /// [`SIDE_STEP_MARGIN`] to the robot at (`rx`, `ry`) while closing, they side-step: turn 90°
    /// away from it, to the side nearer their way, at [`SIDE_STEP_SPEED`] of their speed. A step
    /// that would leave less than `radius` of `clearance` (distance to the nearest wall at a
    /// point) is not taken: they stand, and [`Crosser::stuck`] grows.
    pub fn walk(
        &mut self,
        (rx, ry): (f64, f64),
        touch: f64,
        dt: f64,
        radius: f64,
        clearance: impl Fn(f64, f64) -> f64,
    ) {
        let (dx, dy) = (self.tx - self.x, self.ty - self.y);
        let d = dx.hypot(dy);
        let (mut vx, mut vy) = (dx / d * self.speed, dy / d * self.speed);
        let gap_now = (self.x - rx).hypot(self.y - ry);
        let gap_next = (self.x + vx * dt - rx).hypot(self.y + vy * dt - ry);
        if gap_next < touch + SIDE_STEP_MARGIN && gap_next < gap_now {
            let (ux, uy) = (
                (self.x - rx) / gap_now.max(1e-6),
                (self.y - ry) / gap_now.max(1e-6),
            );
            // the tangential direction closest to where they wanted to go
            let (t1x, t1y) = (-uy, ux);
            let s = if t1x * vx + t1y * vy >= 0.0 {
                1.0
            } else {
                -1.0
            };
            vx = s * t1x * self.speed * SIDE_STEP_SPEED;
            vy = s * t1y * self.speed * SIDE_STEP_SPEED;
        }
        let (nx, ny) = (self.x + vx * dt, self.y + vy * dt);
        if clearance(nx, ny) > radius {
            self.x = nx;
            self.y = ny;
            self.vx = vx;
            self.vy = vy;
            self.stuck = 0.0;
        } else {
            self.vx = 0.0;
            self.vy = 0.0;
            self.stuck += dt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: fn(f64, f64) -> f64 = |_, _| 10.0;

    #[test]
    fn walks_straight_to_the_target_at_its_speed() {
        let mut c = Crosser::new(0.0, 0.0, 10.0, 0.0, 1.0);
        for _ in 0..20 {
            c.walk((50.0, 50.0), 0.5, 0.1, 0.2, OPEN);
        }
        assert!((c.x - 2.0).abs() < 1e-9 && c.y.abs() < 1e-9, "{c:?}");
        assert!((c.vx - 1.0).abs() < 1e-9);
    }

    #[test]
    fn side_steps_a_robot_in_the_way_and_never_walks_into_it() {
        // The robot stands on the straight line to the target.
        let mut c = Crosser::new(0.0, 0.1, 10.0, 0.1, 1.0);
        let touch = 0.45;
        let mut closest = f64::INFINITY;
        for _ in 0..200 {
            c.walk((3.0, 0.0), touch, 0.05, 0.2, OPEN);
            closest = closest.min((c.x - 3.0).hypot(c.y));
        }
        assert!(closest >= touch, "walked into the robot: {closest:.3} m");
        assert!(c.y.abs() > 0.1, "never side-stepped: {c:?}");
    }

    #[test]
    fn a_wall_stops_them_and_they_count_the_time() {
        let mut c = Crosser::new(0.0, 0.0, 10.0, 0.0, 1.0);
        let wall = |x: f64, _y: f64| 1.0 - x;
        for _ in 0..40 {
            c.walk((50.0, 50.0), 0.5, 0.1, 0.2, wall);
        }
        assert!(c.x < 0.8 + 1e-9, "{c:?}");
        assert!(c.stuck > 1.0 && c.vx == 0.0, "{c:?}");
        c.retarget(0.0, 5.0, 1.0);
        assert_eq!(c.stuck, 0.0);
    }
}
