//! OpenCV detectors (Debian 12's OpenCV 4.6 through the `opencv` crate), image file I/O and
//! resizing. Only compiled with the `opencv` feature.

use std::path::Path;

use opencv::core::{self, Mat, Rect, Size, Vec3b, Vector};
use opencv::prelude::*;
use opencv::{imgcodecs, imgproc, objdetect, videoio};

use crate::roi;
use crate::{
    BBox, Backend, Detection, DetectorParams, FaceDetector, FaceModel, Image, Landmarks,
    ModelSearch, VisionError,
};

fn cv_err(op: &'static str) -> impl Fn(opencv::Error) -> VisionError {
    move |e| VisionError::OpenCv {
        op,
        reason: e.to_string(),
    }
}

/// Sets OpenCV's worker-thread count for the whole process.
pub fn set_threads(n: i32) -> Result<(), VisionError> {
    core::set_num_threads(n).map_err(cv_err("set_num_threads"))
}

/// A borrowed OpenCV view of an [`Image`] (no copy).
fn as_mat(img: &Image) -> Result<opencv::boxed_ref::BoxedRef<'_, Mat>, VisionError> {
    let rows = i32::try_from(img.height()).map_err(|_| VisionError::BadImage {
        reason: "height".into(),
    })?;
    let cols = i32::try_from(img.width()).map_err(|_| VisionError::BadImage {
        reason: "width".into(),
    })?;
    Mat::new_rows_cols_with_bytes::<Vec3b>(rows, cols, img.data()).map_err(cv_err("wrap image"))
}

/// Copies a BGR (3-channel, 8-bit) `Mat` into an [`Image`]; grey or BGRA is converted.
pub fn image_from_mat(m: &Mat) -> Result<Image, VisionError> {
    let bgr = match m.channels() {
        3 => m.try_clone().map_err(cv_err("clone"))?,
        1 | 4 => {
            let code = if m.channels() == 1 {
                imgproc::COLOR_GRAY2BGR
            } else {
                imgproc::COLOR_BGRA2BGR
            };
            let mut out = Mat::default();
            imgproc::cvt_color(m, &mut out, code, 0).map_err(cv_err("cvt_color"))?;
            out
        }
        c => {
            return Err(VisionError::BadImage {
                reason: format!("{c} channels"),
            })
        }
    };
    if bgr.depth() != core::CV_8U {
        return Err(VisionError::BadImage {
            reason: "only 8-bit images are supported".into(),
        });
    }
    let bgr = if bgr.is_continuous() {
        bgr
    } else {
        bgr.try_clone().map_err(cv_err("clone"))?
    };
    let bytes = bgr.data_bytes().map_err(cv_err("data_bytes"))?.to_vec();
    let w = u32::try_from(bgr.cols()).unwrap_or(0);
    let h = u32::try_from(bgr.rows()).unwrap_or(0);
    Image::from_bgr(w, h, bytes)
}

/// Reads an image file (any format OpenCV decodes) as BGR.
pub fn load_image(path: &Path) -> Result<Image, VisionError> {
    let err = |reason: String| VisionError::ImageRead {
        path: path.to_path_buf(),
        reason,
    };
    if !path.is_file() {
        return Err(err("no such file".into()));
    }
    let m = imgcodecs::imread(path.as_os_str(), imgcodecs::IMREAD_COLOR)
        .map_err(|e| err(e.to_string()))?;
    if m.empty() {
        return Err(err("not a decodable image".into()));
    }
    image_from_mat(&m)
}

/// Writes an image file (format from the extension). Callers blur faces first.
pub fn save_image(path: &Path, img: &Image) -> Result<(), VisionError> {
    let m = as_mat(img)?;
    let ok = imgcodecs::imwrite(path.as_os_str(), &m, &Vector::new()).map_err(|e| {
        VisionError::ImageWrite {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    if ok {
        Ok(())
    } else {
        Err(VisionError::ImageWrite {
            path: path.to_path_buf(),
            reason: "encoder refused the file".into(),
        })
    }
}

/// Resizes with area interpolation (for shrinking) or linear (for enlarging).
pub fn resize(img: &Image, width: u32, height: u32) -> Result<Image, VisionError> {
    if img.is_empty() || width == 0 || height == 0 {
        return Err(VisionError::BadImage {
            reason: format!("cannot resize {img:?} to {width}x{height}"),
        });
    }
    let src = as_mat(img)?;
    let mut dst = Mat::default();
    let size = Size::new(width as i32, height as i32);
    let interp = if width < img.width() {
        imgproc::INTER_AREA
    } else {
        imgproc::INTER_LINEAR
    };
    imgproc::resize(&src, &mut dst, size, 0.0, 0.0, interp).map_err(cv_err("resize"))?;
    image_from_mat(&dst)
}

pub use crate::params::YUNET_MIN_SIDE;

/// YuNet 2022mar through `cv::FaceDetectorYN`.
pub struct YunetDetector {
    inner: core::Ptr<objdetect::FaceDetectorYN>,
    input: (i32, i32),
    /// Frames wider than this are downscaled before detection (0: never).
    detect_width: i32,
    /// The downscaled frame, reused between frames.
    small: Mat,
    /// A full-frame detection every this many frames; in between, only around the last faces.
    detect_every: u32,
    /// Frames since the last full-frame detection.
    since_full: u32,
    /// The faces found in the previous frame (frame pixels), and that frame's size.
    last: Vec<Detection>,
    last_size: (i32, i32),
}

/// Between full detections, a region around a face is scaled so that its smallest face spans at
/// most 128 / 2.5 ≈ 51 px (a lone face's square at most 128 px), which YuNet boxes well, at a
/// fraction of a frame's cost.
const ROI_INPUT_SIDE: i32 = 128;

/// Regions covering more than this fraction of the frame: a full detection instead.
const ROI_MAX_FRACTION: f64 = 0.5;

impl YunetDetector {
    pub fn new(model: &Path, p: &DetectorParams) -> Result<Self, VisionError> {
        let path = model.to_str().ok_or_else(|| VisionError::ModelLoad {
            path: model.to_path_buf(),
            reason: "path is not UTF-8".into(),
        })?;
        if !model.is_file() {
            return Err(VisionError::ModelLoad {
                path: model.to_path_buf(),
                reason: "no such file".into(),
            });
        }
        let inner = objdetect::FaceDetectorYN::create(
            path,
            "",
            Size::new(320, 320),
            p.score_threshold,
            p.nms_threshold,
            p.top_k,
            0,
            0,
        )
        .map_err(|e| VisionError::ModelLoad {
            path: model.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            inner,
            input: (320, 320),
            detect_width: p.detect_width,
            small: Mat::default(),
            detect_every: p.detect_every.max(1),
            since_full: 0,
            last: Vec::new(),
            last_size: (0, 0),
        })
    }

    /// Tracking between detections: a full-frame detection every `detect_every` frames, and in
    /// between a search around each face of the previous frame only (`roi`). A frame with no face
    /// before it waits for the next full detection. `None`: run a full detection.
    fn detect_around_last(
        &mut self,
        frame: &(impl MatTraitConst + core::ToInputArray),
    ) -> Result<Option<Vec<Detection>>, VisionError> {
        let size = (frame.cols(), frame.rows());
        if self.since_full + 1 >= self.detect_every || size != self.last_size {
            return Ok(None);
        }
        let (w, h) = (size.0.max(0) as u32, size.1.max(0) as u32);
        let Some(regions) = roi::regions(&self.last, w, h, ROI_MAX_FRACTION) else {
            return Ok(None);
        };
        self.since_full += 1;
        let mut found: Vec<Detection> = Vec::new();
        for r in &regions {
            let rect = Rect::new(r.x as i32, r.y as i32, r.w as i32, r.h as i32);
            let crop = Mat::roi(frame, rect).map_err(cv_err("Mat::roi"))?;
            let scale = r.input_scale(ROI_INPUT_SIDE as f32);
            let (faces, back) = if scale < 1.0 {
                let size = Size::new(
                    ((r.w as f32 * scale).round() as i32).max(1),
                    ((r.h as f32 * scale).round() as i32).max(1),
                );
                let back = r.w as f32 / size.width as f32;
                (self.detect_resized(&crop, size, imgproc::INTER_AREA)?, back)
            } else {
                // A copy, not the view: padding a small crop must not read the frame around it
                // (OpenCV's borders extrapolate from a view's parent).
                let own = crop.try_clone().map_err(cv_err("Mat::clone"))?;
                (self.detect_at_size(&own)?, 1.0)
            };
            found.extend(faces.iter().map(|d| roi::to_frame(d, r, back)));
        }
        Ok(Some(found))
    }

    /// Detects on `src` resized to `size` (into the reused buffer): the faces in the resized
    /// input's pixels.
    fn detect_resized(
        &mut self,
        src: &(impl MatTraitConst + core::ToInputArray),
        size: Size,
        interpolation: i32,
    ) -> Result<Vec<Detection>, VisionError> {
        let mut small = std::mem::take(&mut self.small);
        imgproc::resize(src, &mut small, size, 0.0, 0.0, interpolation)
            .map_err(cv_err("resize"))?;
        let found = self.detect_at_size(&small);
        self.small = small;
        found
    }

    /// Detects at `detect_width` when the frame is wider: the resize is done here, with
    /// bilinear interpolation, and the faces are scaled back to the frame's pixels.
    fn detect_downscaled(
        &mut self,
        frame: &(impl MatTraitConst + core::ToInputArray),
    ) -> Result<Option<Vec<Detection>>, VisionError> {
        let (w, h) = (frame.cols(), frame.rows());
        if self.detect_width <= 0 || w <= self.detect_width {
            return Ok(None);
        }
        let scale = f64::from(self.detect_width) / f64::from(w);
        let small_h = ((f64::from(h) * scale).round() as i32).max(1);
        let size = Size::new(self.detect_width, small_h);
        let found = self.detect_resized(frame, size, imgproc::INTER_LINEAR)?;
        let back = (f64::from(w) / f64::from(self.detect_width)) as f32;
        Ok(Some(
            found.iter().map(|d| d.mapped(back, (0.0, 0.0))).collect(),
        ))
    }

    /// Detects on an OpenCV BGR `Mat` directly (downscaled to `detect_width` if wider).
    pub fn detect_mat(
        &mut self,
        frame: &(impl MatTraitConst + core::ToInputArray),
    ) -> Result<Vec<Detection>, VisionError> {
        if frame.cols() <= 0 || frame.rows() <= 0 {
            return Ok(Vec::new());
        }
        let found = match self.detect_around_last(frame)? {
            Some(found) => found,
            None => {
                self.since_full = 0;
                match self.detect_downscaled(frame)? {
                    Some(found) => found,
                    None => self.detect_at_size(frame)?,
                }
            }
        };
        self.last.clone_from(&found);
        self.last_size = (frame.cols(), frame.rows());
        Ok(found)
    }

    /// Detects at the frame's own size.
    fn detect_at_size(
        &mut self,
        frame: &(impl MatTraitConst + core::ToInputArray),
    ) -> Result<Vec<Detection>, VisionError> {
        let (w, h) = (frame.cols(), frame.rows());
        if w <= 0 || h <= 0 {
            return Ok(Vec::new());
        }
        // YuNet 2022mar fails on inputs under 63 px a side in OpenCV 4.6 (a pooling layer's
        // output collapses to nothing): pad small frames at the right/bottom, which keeps
        // the coordinates of whatever is found.
        if w < YUNET_MIN_SIDE || h < YUNET_MIN_SIDE {
            let mut padded = Mat::default();
            core::copy_make_border(
                frame,
                &mut padded,
                0,
                (YUNET_MIN_SIDE - h).max(0),
                0,
                (YUNET_MIN_SIDE - w).max(0),
                core::BORDER_CONSTANT,
                core::Scalar::all(0.0),
            )
            .map_err(cv_err("copy_make_border"))?;
            return self.detect_at_size(&padded);
        }
        let size = (w, h);
        if size != self.input {
            self.inner
                .set_input_size(Size::new(size.0, size.1))
                .map_err(cv_err("FaceDetectorYN::setInputSize"))?;
            self.input = size;
        }
        let mut faces = Mat::default();
        self.inner
            .detect(frame, &mut faces)
            .map_err(cv_err("FaceDetectorYN::detect"))?;
        let mut out = Vec::with_capacity(faces.rows().max(0) as usize);
        for r in 0..faces.rows() {
            let row = faces
                .at_row::<f32>(r)
                .map_err(cv_err("read YuNet output"))?;
            if row.len() < 15 {
                continue;
            }
            let mut lm = [0f32; 10];
            lm.copy_from_slice(&row[4..14]);
            let det = Detection::new(BBox::new(row[0], row[1], row[2], row[3]), row[14])
                .with_landmarks(Landmarks::from_flat(lm));
            if det.bbox.is_valid() {
                out.push(det);
            }
        }
        Ok(out)
    }
}

impl FaceDetector for YunetDetector {
    fn name(&self) -> &str {
        "yunet-2022mar"
    }

    fn detect(&mut self, image: &Image) -> Result<Vec<Detection>, VisionError> {
        if image.is_empty() {
            return Ok(Vec::new());
        }
        let m = as_mat(image)?;
        self.detect_mat(&m)
    }
}

/// OpenCV's frontal-face Haar cascade on an equalised grey image. It gives no landmarks and
/// no confidence: every detection has score 1.0.
pub struct HaarDetector {
    cascade: objdetect::CascadeClassifier,
    scale_factor: f64,
    min_neighbors: i32,
    min_size: i32,
}

impl HaarDetector {
    pub fn new(model: &Path, p: &DetectorParams) -> Result<Self, VisionError> {
        let load_err = |reason: String| VisionError::ModelLoad {
            path: model.to_path_buf(),
            reason,
        };
        if !model.is_file() {
            return Err(load_err("no such file".into()));
        }
        let cascade = objdetect::CascadeClassifier::new(model.as_os_str())
            .map_err(|e| load_err(e.to_string()))?;
        if cascade.empty().map_err(|e| load_err(e.to_string()))? {
            return Err(load_err("not a Haar cascade".into()));
        }
        Ok(Self {
            cascade,
            scale_factor: p.haar_scale_factor,
            min_neighbors: p.haar_min_neighbors,
            min_size: p.haar_min_size_px,
        })
    }

    pub fn detect_mat(
        &mut self,
        frame: &(impl MatTraitConst + core::ToInputArray),
    ) -> Result<Vec<Detection>, VisionError> {
        if frame.cols() <= 0 || frame.rows() <= 0 {
            return Ok(Vec::new());
        }
        let mut gray = Mat::default();
        imgproc::cvt_color(frame, &mut gray, imgproc::COLOR_BGR2GRAY, 0)
            .map_err(cv_err("cvt_color"))?;
        let mut eq = Mat::default();
        imgproc::equalize_hist(&gray, &mut eq).map_err(cv_err("equalize_hist"))?;
        let mut rects: Vector<Rect> = Vector::new();
        let min = Size::new(self.min_size, self.min_size);
        self.cascade
            .detect_multi_scale(
                &eq,
                &mut rects,
                self.scale_factor,
                self.min_neighbors,
                0,
                min,
                Size::new(0, 0),
            )
            .map_err(cv_err("CascadeClassifier::detectMultiScale"))?;
        Ok(rects
            .iter()
            .map(|r| {
                Detection::new(
                    BBox::new(r.x as f32, r.y as f32, r.width as f32, r.height as f32),
                    1.0,
                )
            })
            .collect())
    }
}

impl FaceDetector for HaarDetector {
    fn name(&self) -> &str {
        "haar-frontalface-default"
    }

    fn detect(&mut self, image: &Image) -> Result<Vec<Detection>, VisionError> {
        if image.is_empty() {
            return Ok(Vec::new());
        }
        let m = as_mat(image)?;
        self.detect_mat(&m)
    }
}

/// Opens the configured detector, looking its model up in `search`. With YuNet selected and
/// its model missing, falls back to Haar if `fallback_to_haar` (logged as a warning); if that
/// is missing too, the error names the YuNet model.
pub fn open_detector(
    p: &DetectorParams,
    search: &ModelSearch,
) -> Result<Box<dyn FaceDetector + Send>, VisionError> {
    p.validate()?;
    set_threads(p.threads)?;
    match p.backend {
        Backend::Haar => Ok(Box::new(HaarDetector::new(
            &search.locate(FaceModel::HaarFrontalDefault)?,
            p,
        )?)),
        Backend::Yunet => match search.locate(FaceModel::Yunet2022Mar) {
            Ok(path) => Ok(Box::new(YunetDetector::new(&path, p)?)),
            Err(missing) if p.fallback_to_haar => {
                match search.locate(FaceModel::HaarFrontalDefault) {
                    Ok(haar) => {
                        tracing::warn!(error = %missing, fallback = %haar.display(), "YuNet model missing; using the Haar cascade");
                        Ok(Box::new(HaarDetector::new(&haar, p)?))
                    }
                    Err(_) => Err(missing),
                }
            }
            Err(missing) => Err(missing),
        },
    }
}

/// A benchmark frame: a real test image resized to a camera resolution.
#[derive(Debug, Clone)]
pub struct BenchFrame {
    /// e.g. `640x480 1 face (astronaut)`.
    pub label: String,
    pub width: u32,
    pub height: u32,
    pub faces: usize,
    pub image: Image,
}

/// The standard benchmark frames: one face (astronaut) and 29 faces (Solvay 1927), each at
/// 640×480 and 320×240, from `images_dir` (normally `shared/vision/images`).
pub fn bench_frames(images_dir: &Path) -> Result<Vec<BenchFrame>, VisionError> {
    let mut out = Vec::new();
    for (file, faces, what) in [
        ("astronaut.png", 1, "astronaut"),
        ("solvay_conference_1927.jpg", 29, "solvay 1927"),
    ] {
        let img = load_image(&images_dir.join(file))?;
        for (w, h) in [(640u32, 480u32), (320, 240)] {
            out.push(BenchFrame {
                label: format!(
                    "{w}x{h} {faces} face{} ({what})",
                    if faces == 1 { "" } else { "s" }
                ),
                width: w,
                height: h,
                faces,
                image: resize(&img, w, h)?,
            });
        }
    }
    Ok(out)
}

/// Runs `det` on every image of `dir` named in `ground_truth` or in `negatives`, matching
/// at `min_iou`; returns per-image results in the order given.
pub fn evaluate_dir(
    det: &mut dyn FaceDetector,
    dir: &Path,
    ground_truth: &std::collections::BTreeMap<String, Vec<BBox>>,
    negatives: &[&str],
    min_iou: f32,
) -> Result<Vec<(String, crate::eval::MatchResult)>, VisionError> {
    let mut names: Vec<String> = ground_truth.keys().cloned().collect();
    names.extend(negatives.iter().map(|s| s.to_string()));
    let mut out = Vec::new();
    for name in names {
        let img = load_image(&dir.join(&name))?;
        let found: Vec<BBox> = det.detect(&img)?.iter().map(|d| d.bbox).collect();
        let truth = ground_truth.get(&name).map_or(&[][..], |v| v.as_slice());
        out.push((name, crate::eval::match_boxes(truth, &found, min_iou)));
    }
    Ok(out)
}

/// The face-free images among the shared test images (`SOURCE.md`: any image not listed in
/// `faces.txt` has no faces).
pub const SHARED_NEGATIVES: [&str; 5] = [
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "brick.png",
    "starry_night.jpg",
];

/// A V4L2 camera read through OpenCV videoio (`/dev/videoN`, or just `N`).
pub struct Camera {
    cap: videoio::VideoCapture,
    device: String,
}

impl Camera {
    /// Opens `device` and asks for `width`×`height` (the driver may choose another size).
    pub fn open(device: &str, width: u32, height: u32) -> Result<Self, VisionError> {
        let err = |reason: String| VisionError::Camera {
            device: device.to_string(),
            reason,
        };
        let cap = match device.parse::<i32>() {
            Ok(index) => videoio::VideoCapture::new(index, videoio::CAP_V4L2),
            Err(_) => {
                if !Path::new(device).exists() {
                    return Err(err("no such device".into()));
                }
                videoio::VideoCapture::from_file(device, videoio::CAP_V4L2)
            }
        }
        .map_err(|e| err(e.to_string()))?;
        let mut cam = Self {
            cap,
            device: device.to_string(),
        };
        if !cam.cap.is_opened().map_err(|e| err(e.to_string()))? {
            return Err(err(
                "cannot be opened (not a V4L2 capture device, busy, or no permission)".into(),
            ));
        }
        // Best effort: a driver that ignores the request keeps its own size.
        let _ = cam.cap.set(videoio::CAP_PROP_FRAME_WIDTH, f64::from(width));
        let _ = cam
            .cap
            .set(videoio::CAP_PROP_FRAME_HEIGHT, f64::from(height));
        Ok(cam)
    }

    /// Blocks for the next frame; `Ok(None)` when the device gave none (unplugged, end).
    pub fn read(&mut self) -> Result<Option<Image>, VisionError> {
        let mut m = Mat::default();
        let got = self.cap.read(&mut m).map_err(|e| VisionError::Camera {
            device: self.device.clone(),
            reason: e.to_string(),
        })?;
        if !got || m.empty() {
            return Ok(None);
        }
        image_from_mat(&m).map(Some)
    }
}
