use crate::Pose2D;

/// A laser scan in the laser frame: the fields of `sensor_msgs/LaserScan` that the pure crates use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaserScan {
    pub angle_min: f64,
    pub angle_increment: f64,
    pub range_min: f64,
    pub range_max: f64,
    /// NaN / inf / out-of-range values mean "no return".
    pub ranges: Vec<f32>,
}

impl LaserScan {
    /// Beam angle of index `i`.
    pub fn angle(&self, i: usize) -> f64 {
        self.angle_min + self.angle_increment * i as f64
    }
    /// Whether range `r` is a valid return.
    pub fn valid(&self, r: f32) -> bool {
        let r = f64::from(r);
        r.is_finite() && r >= self.range_min && r < self.range_max
    }
    /// Valid returns as points in the frame given by `sensor` (e.g. the laser pose in base_link or map).
    pub fn points_in(&self, sensor: &Pose2D) -> Vec<[f64; 2]> {
        let (s, c) = sensor.yaw.sin_cos();
        self.ranges
            .iter()
            .enumerate()
            .filter(|(_, &r)| self.valid(r))
            .map(|(i, &r)| {
                let a = self.angle(i);
                let (lx, ly) = (f64::from(r) * a.cos(), f64::from(r) * a.sin());
                [sensor.x + c * lx - s * ly, sensor.y + s * lx + c * ly]
            })
            .collect()
    }
}
