//! `sensor_msgs`: [`LaserScan`], [`Image`], [`CompressedImage`], [`CameraInfo`], [`RegionOfInterest`].
use crate::serde_helpers::octets;
use crate::std_msgs::Header;
use serde::{Deserialize, Serialize};

/// `sensor_msgs/msg/LaserScan`: one planar lidar sweep. Angles in radians (counter-clockwise, 0 =
/// forward along the sensor's x axis), ranges in metres. A range outside `[range_min, range_max]`
/// (including `inf`/`NaN`) is not a valid return.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LaserScan {
    /// `stamp` is the time of the first ray; `frame_id` is the sensor frame.
    pub header: Header,
    /// Angle of the first ray, rad.
    pub angle_min: f32,
    /// Angle of the last ray, rad.
    pub angle_max: f32,
    /// Angle between rays, rad.
    pub angle_increment: f32,
    /// Time between rays, s.
    pub time_increment: f32,
    /// Time between scans, s.
    pub scan_time: f32,
    /// Minimum valid range, m.
    pub range_min: f32,
    /// Maximum valid range, m.
    pub range_max: f32,
    /// Ranges, m.
    pub ranges: Vec<f32>,
    /// Intensities (device-specific units); empty if the device gives none.
    pub intensities: Vec<f32>,
}

impl LaserScan {
    /// The angle of ray `i`, rad.
    pub fn angle_of(&self, i: usize) -> f32 {
        self.angle_min + self.angle_increment * i as f32
    }
}

/// `sensor_msgs/msg/Image`: an uncompressed image.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Image {
    /// `stamp`: acquisition time; `frame_id`: the camera's optical frame.
    pub header: Header,
    /// Rows.
    pub height: u32,
    /// Columns.
    pub width: u32,
    /// Pixel encoding, e.g. `"rgb8"`, `"bgr8"`, `"mono8"`, `"16UC1"`.
    pub encoding: String,
    /// 1 if multi-byte pixel values are big-endian.
    pub is_bigendian: u8,
    /// Row length in bytes.
    pub step: u32,
    /// `step * height` bytes.
    #[serde(with = "octets")]
    pub data: Vec<u8>,
}

/// `sensor_msgs/msg/CompressedImage`: a JPEG or PNG image.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompressedImage {
    /// Acquisition time and optical frame.
    pub header: Header,
    /// `"jpeg"` or `"png"` (image_transport also writes e.g. `"rgb8; jpeg compressed bgr8"`).
    pub format: String,
    /// The compressed bytes.
    #[serde(with = "octets")]
    pub data: Vec<u8>,
}

/// `sensor_msgs/msg/RegionOfInterest`: a pixel rectangle of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionOfInterest {
    /// Leftmost pixel.
    pub x_offset: u32,
    /// Topmost pixel.
    pub y_offset: u32,
    /// Height in pixels.
    pub height: u32,
    /// Width in pixels.
    pub width: u32,
    /// Whether a rectified ROI should be computed from this raw one.
    pub do_rectify: bool,
}

/// `sensor_msgs/msg/CameraInfo`: the calibration of a camera (intrinsics `k`, distortion `d`,
/// rectification `r`, projection `p`, all row-major).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraInfo {
    /// Time and optical frame of the image this describes.
    pub header: Header,
    /// Calibrated image height, px.
    pub height: u32,
    /// Calibrated image width, px.
    pub width: u32,
    /// `"plumb_bob"`, `"rational_polynomial"` or `"equidistant"`.
    pub distortion_model: String,
    /// Distortion parameters (5 for plumb_bob).
    pub d: Vec<f64>,
    /// Intrinsic matrix, 3×3.
    pub k: [f64; 9],
    /// Rectification matrix, 3×3.
    pub r: [f64; 9],
    /// Projection matrix, 3×4.
    pub p: [f64; 12],
    /// Horizontal binning (0 or 1 = none).
    pub binning_x: u32,
    /// Vertical binning (0 or 1 = none).
    pub binning_y: u32,
    /// Region of interest (all zero = the full image).
    pub roi: RegionOfInterest,
}
