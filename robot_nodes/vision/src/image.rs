use crate::VisionError;

/// An 8-bit BGR image, rows packed without padding (OpenCV's default channel order).
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl std::fmt::Debug for Image {
    // Never print pixels (they may show a face).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Image({}x{} bgr8)", self.width, self.height)
    }
}

/// Largest accepted side, to refuse absurd sizes before allocating.
pub const MAX_SIDE: u32 = 16_384;

impl Image {
    /// Wraps BGR bytes; `data.len()` must be `width * height * 3`.
    pub fn from_bgr(width: u32, height: u32, data: Vec<u8>) -> Result<Self, VisionError> {
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(VisionError::BadImage {
                reason: format!("{width}x{height} exceeds the {MAX_SIDE} px limit"),
            });
        }
        let want = width as usize * height as usize * 3;
        if data.len() != want {
            return Err(VisionError::BadImage {
                reason: format!(
                    "{width}x{height} bgr8 needs {want} bytes, got {}",
                    data.len()
                ),
            });
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// From RGB bytes (e.g. a `sensor_msgs/Image` with encoding `rgb8`).
    pub fn from_rgb(width: u32, height: u32, mut data: Vec<u8>) -> Result<Self, VisionError> {
        for px in data.chunks_exact_mut(3) {
            px.swap(0, 2);
        }
        Self::from_bgr(width, height, data)
    }

    /// A uniform image.
    pub fn filled(width: u32, height: u32, bgr: [u8; 3]) -> Result<Self, VisionError> {
        let n = width as usize * height as usize;
        Self::from_bgr(
            width,
            height,
            bgr.iter().copied().cycle().take(n * 3).collect(),
        )
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// The BGR bytes, row-major.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Pixel at (x, y), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some([self.data[i], self.data[i + 1], self.data[i + 2]])
    }

    /// Sets a pixel; outside the image does nothing.
    pub fn set_pixel(&mut self, x: u32, y: u32, bgr: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = (y as usize * self.width as usize + x as usize) * 3;
            self.data[i..i + 3].copy_from_slice(&bgr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_mismatch_and_absurd_sizes_are_refused() {
        assert!(Image::from_bgr(2, 2, vec![0; 11]).is_err());
        assert!(Image::from_bgr(MAX_SIDE + 1, 1, vec![]).is_err());
        let img = Image::from_bgr(2, 1, vec![1, 2, 3, 4, 5, 6]).expect("valid");
        assert_eq!(img.pixel(1, 0), Some([4, 5, 6]));
        assert_eq!(img.pixel(2, 0), None);
    }

    #[test]
    fn rgb_is_swapped_to_bgr_and_debug_hides_pixels() {
        let img = Image::from_rgb(1, 1, vec![10, 20, 30]).expect("valid");
        assert_eq!(img.pixel(0, 0), Some([30, 20, 10]));
        assert_eq!(format!("{img:?}"), "Image(1x1 bgr8)");
    }
}
