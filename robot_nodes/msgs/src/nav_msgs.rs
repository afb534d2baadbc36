//! `nav_msgs`: [`Odometry`], [`OccupancyGrid`], [`MapMetaData`], [`Path`].
use crate::builtin_interfaces::Time;
use crate::geometry_msgs::{Pose, PoseStamped, PoseWithCovariance, TwistWithCovariance};
use crate::serde_helpers::signed_octets;
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `nav_msgs/msg/Odometry`: the base's pose in `header.frame_id` (usually `odom`) and its velocity
/// in `child_frame_id` (usually `base_link`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Odometry {
    /// Time and the frame of `pose`.
    pub header: Header,
    /// The frame of `twist`.
    pub child_frame_id: String,
    /// Pose estimate.
    pub pose: PoseWithCovariance,
    /// Velocity estimate.
    pub twist: TwistWithCovariance,
}

/// `nav_msgs/msg/MapMetaData`: size, resolution and placement of an occupancy grid.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapMetaData {
    /// When the map was loaded.
    pub map_load_time: Time,
    /// Cell size, m/cell.
    pub resolution: f32,
    /// Cells per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Pose of cell (0, 0)'s corner in the map frame.
    pub origin: Pose,
}

/// `nav_msgs/msg/OccupancyGrid`: a 2-D map, row-major from (0, 0). Cells are -1 (unknown) or an
/// occupancy probability 0..=100.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OccupancyGrid {
    /// Time and the map frame.
    pub header: Header,
    /// Size and placement.
    pub info: MapMetaData,
    /// `width * height` cells.
    #[serde(with = "signed_octets")]
    pub data: Vec<i8>,
}

impl OccupancyGrid {
    /// The cell at column `x`, row `y`, or `None` outside the grid (or if `data` is short).
    pub fn cell(&self, x: u32, y: u32) -> Option<i8> {
        if x >= self.info.width || y >= self.info.height {
            return None;
        }
        let i = (y as usize)
            .checked_mul(self.info.width as usize)?
            .checked_add(x as usize)?;
        self.data.get(i).copied()
    }
}

/// `nav_msgs/msg/Path`: a sequence of poses (a planned route).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Path {
    /// Time and the frame of the poses.
    pub header: Header,
    /// The poses, start first.
    pub poses: Vec<PoseStamped>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_indexing_is_row_major_and_bounded() {
        let mut g = OccupancyGrid::default();
        g.info.width = 3;
        g.info.height = 2;
        g.data = vec![0, 1, 2, 3, 4, -1];
        assert_eq!(g.cell(2, 0), Some(2));
        assert_eq!(g.cell(0, 1), Some(3));
        assert_eq!(g.cell(2, 1), Some(-1));
        assert_eq!(g.cell(3, 0), None);
        assert_eq!(g.cell(0, 2), None);
        g.data.truncate(4);
        assert_eq!(g.cell(2, 1), None);
    }
}
