//! `letan-vision`: face detection for the reception robot, and the privacy rules around it.
//!
//! - [`FaceDetector`] is the port. `FakeDetector` replays scripted detections for tests (feature
//!   `testing`, off by default; this crate's own tests always have it); with the `opencv` feature
//!   (default) `cv::YunetDetector` (YuNet 2022mar, the default) and `cv::HaarDetector` (fallback)
//!   run on Debian 12's OpenCV 4.6.
//! - [`ModelSearch`] finds model files: `$LETAN_MODELS`, then `<repo>/models`, then
//!   `<repo>/../shared/vision/models`; a missing model is an error naming the model, the
//!   folders searched and `letan models fetch <name>`.
//! - [`blur`] pixelates faces; every image that leaves this crate for display or publishing
//!   goes through it ([`blur::debug_image`] blurs by default).
//! - [`eval`] scores detections against ground-truth boxes (recall/precision at an IoU).
//!
//! Nothing here identifies a person or stores an image; see `PRIVACY.md`.

pub mod background;
pub mod blur;
mod error;
pub mod eval;
#[cfg(any(test, feature = "testing"))]
mod fake;
mod image;
mod models;
mod params;
pub mod pipeline;
pub mod report;
pub mod roi;
pub mod ros;

#[cfg(feature = "opencv")]
pub mod cv;

pub use background::DetectorThread;
pub use error::VisionError;
#[cfg(any(test, feature = "testing"))]
pub use fake::FakeDetector;
pub use image::Image;
pub use letan_greeting::{BBox, Detection, Landmarks};
pub use models::{find_repo_root, shared_images_dir, FaceModel, ModelSearch, MODELS_ENV};
pub use params::{Backend, DetectorParams};
pub use pipeline::{FacePipeline, FaceTracking, FrameResult};

/// A face detector: one image in, the faces in it out (boxes in that image's pixels).
pub trait FaceDetector {
    /// Short name for logs and reports, e.g. `yunet-2022mar`.
    fn name(&self) -> &str;
    /// Finds faces in a BGR image. Never panics on odd input; an empty image gives no faces.
    fn detect(&mut self, image: &Image) -> Result<Vec<Detection>, VisionError>;
}

impl<T: FaceDetector + ?Sized> FaceDetector for Box<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn detect(&mut self, image: &Image) -> Result<Vec<Detection>, VisionError> {
        (**self).detect(image)
    }
}
