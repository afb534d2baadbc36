//! Pinhole camera: a column renderer of the lobby (floor, walls, ceiling) with people drawn as
//! upright figures whose faces are real photos, scaled so a face `face_height` metres tall at
//! depth z spans `fy · face_height / z` pixels — the size a real face detector expects.

use crate::error::SimError;
use crate::grid::Grid;
use crate::people::Person;
use letan_core::Pose2D;
use nalgebra::Vector2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Camera parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    pub enabled: bool,
    pub width: u32,
    pub height: u32,
    /// Horizontal field of view (rad).
    pub hfov: f64,
    pub rate_hz: f64,
    /// Mount in base_link (m); the camera looks along base_link x, level.
    pub mount_x: f64,
    pub mount_z: f64,
    pub frame_id: String,
    /// Height of walls (m).
    pub wall_height: f64,
    /// Face box height (chin to brow, as face detectors box it), metres.
    pub face_height: f64,
    /// Height of the centre of the face above the floor (m).
    pub face_center_z: f64,
    /// Faces are drawn when the person's heading is within this angle (rad) of the camera.
    pub face_visible_angle: f64,
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            width: 640,
            height: 480,
            hfov: 60f64.to_radians(),
            rate_hz: 10.0,
            mount_x: 0.12,
            mount_z: 1.25,
            frame_id: "camera_optical_frame".into(),
            wall_height: 3.0,
            face_height: 0.19,
            face_center_z: 1.53,
            face_visible_angle: 70f64.to_radians(),
        }
    }
}

impl CameraConfig {
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |key: &str, reason: &str| {
            Err(SimError::InvalidConfig {
                key: format!("camera.{key}"),
                reason: reason.into(),
            })
        };
        if self.width == 0 || self.height == 0 || self.width > 4096 || self.height > 4096 {
            return bad("width", "width and height must be in 1..=4096");
        }
        if !(self.hfov > 0.05 && self.hfov < 3.0) {
            return bad("hfov", "must be in (0.05, 3.0) rad");
        }
        if !(self.rate_hz.is_finite() && self.rate_hz > 0.0) {
            return bad("rate_hz", "must be > 0");
        }
        if !(self.face_height.is_finite() && self.face_height > 0.0) {
            return bad("face_height", "must be > 0");
        }
        Ok(())
    }

    /// Focal length in pixels (square pixels).
    pub fn focal(&self) -> f64 {
        (self.width as f64 * 0.5) / (self.hfov * 0.5).tan()
    }

    pub fn info(&self, stamp: f64) -> CameraInfo {
        let f = self.focal();
        let cx = self.width as f64 * 0.5;
        let cy = self.height as f64 * 0.5;
        CameraInfo {
            stamp,
            frame_id: self.frame_id.clone(),
            width: self.width,
            height: self.height,
            distortion_model: "plumb_bob".into(),
            d: vec![0.0; 5],
            k: [f, 0.0, cx, 0.0, f, cy, 0.0, 0.0, 1.0],
            r: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
            p: [f, 0.0, cx, 0.0, 0.0, f, cy, 0.0, 0.0, 0.0, 1.0, 0.0],
        }
    }
}

/// `sensor_msgs/CameraInfo` content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraInfo {
    pub stamp: f64,
    pub frame_id: String,
    pub width: u32,
    pub height: u32,
    pub distortion_model: String,
    pub d: Vec<f64>,
    pub k: [f64; 9],
    pub r: [f64; 9],
    pub p: [f64; 12],
}

/// `sensor_msgs/Image` content, encoding `rgb8`.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub stamp: f64,
    pub frame_id: String,
    pub width: u32,
    pub height: u32,
    pub encoding: &'static str,
    pub step: u32,
    pub data: Vec<u8>,
}

impl Image {
    pub fn pixel(&self, u: u32, v: u32) -> [u8; 3] {
        let i = (v as usize * self.width as usize + u as usize) * 3;
        match self.data.get(i..i + 3) {
            Some(s) => [s[0], s[1], s[2]],
            None => [0, 0, 0],
        }
    }
}

/// Ground truth: where a face was drawn (pixels, the detector-style box).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceTruth {
    pub person_id: u32,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub depth: f64,
}

/// One rendered frame with its calibration and face ground truth.
#[derive(Debug, Clone)]
pub struct CameraFrame {
    pub image: Image,
    pub info: CameraInfo,
    pub faces: Vec<FaceTruth>,
}

/// A face photo cropped with context around the detector box.
#[derive(Debug, Clone)]
pub struct FaceCrop {
    pub source: String,
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
    /// Detector box inside the crop: x, y, w, h (pixels).
    pub face: [f64; 4],
}

/// Face photos from `../shared/vision/images` (boxes from faces.txt).
#[derive(Debug, Clone, Default)]
pub struct FaceBank {
    pub faces: Vec<FaceCrop>,
}

impl FaceBank {
    /// `<repo_root>/../shared/vision/images`, or a clear error if it is missing.
    pub fn shared_images_dir(repo_root: &Path) -> Result<PathBuf, SimError> {
        let shared = repo_root.join("..").join("shared");
        let dir = shared.join("vision").join("images");
        if !dir.join("faces.txt").is_file() {
            return Err(SimError::SharedMissing { path: dir });
        }
        Ok(dir)
    }

    /// Load every face listed in `dir/faces.txt` (`image x y w h`). Faces smaller than
    /// `min_height` pixels in the source are skipped (upscaled tiny faces look like blur).
    pub fn load(dir: &Path, min_height: f64) -> Result<Self, SimError> {
        let list = dir.join("faces.txt");
        let text = std::fs::read_to_string(&list).map_err(|source| SimError::Io {
            path: list.clone(),
            source,
        })?;
        let mut faces = Vec::new();
        let mut cache: Vec<(String, image::RgbImage)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let bad = |reason: String| SimError::FaceList {
                path: list.clone(),
                line: n + 1,
                reason,
            };
            if parts.len() != 5 {
                return Err(bad(format!("expected `image x y w h`, got {line:?}")));
            }
            let mut b = [0f64; 4];
            for (k, s) in parts[1..].iter().enumerate() {
                b[k] = s
                    .parse::<f64>()
                    .map_err(|e| bad(format!("{s:?} is not a number: {e}")))?;
            }
            if b[3] < min_height {
                continue;
            }
            let name = parts[0].to_string();
            if !cache.iter().any(|(n, _)| *n == name) {
                let path = dir.join(&name);
                let img = image::open(&path)
                    .map_err(|e| SimError::Image {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?
                    .to_rgb8();
                cache.push((name.clone(), img));
            }
            let Some((_, img)) = cache.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            faces.push(crop_face(&name, img, b));
        }
        if faces.is_empty() {
            return Err(SimError::FaceList {
                path: list,
                line: 0,
                reason: format!("no face at least {min_height} px tall"),
            });
        }
        Ok(Self { faces })
    }
}

fn crop_face(name: &str, img: &image::RgbImage, b: [f64; 4]) -> FaceCrop {
    let (iw, ih) = (img.width() as f64, img.height() as f64);
    let x0 = (b[0] - 0.35 * b[2]).max(0.0).floor();
    let x1 = (b[0] + 1.35 * b[2]).min(iw).ceil();
    let y0 = (b[1] - 0.45 * b[3]).max(0.0).floor();
    let y1 = (b[1] + 1.3 * b[3]).min(ih).ceil();
    let w = (x1 - x0).max(1.0) as usize;
    let h = (y1 - y0).max(1.0) as usize;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let p = img.get_pixel(
                (x0 as u32 + x as u32).min(img.width() - 1),
                (y0 as u32 + y as u32).min(img.height() - 1),
            );
            rgb.extend_from_slice(&p.0);
        }
    }
    FaceCrop {
        source: name.to_string(),
        width: w,
        height: h,
        rgb,
        face: [b[0] - x0, b[1] - y0, b[2], b[3]],
    }
}

impl FaceCrop {
    fn sample(&self, x: f64, y: f64) -> [u8; 3] {
        let x = x.clamp(0.0, (self.width - 1) as f64);
        let y = y.clamp(0.0, (self.height - 1) as f64);
        let x0 = x.floor() as usize;
        let y0 = y.floor() as usize;
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let fx = x - x0 as f64;
        let fy = y - y0 as f64;
        let px = |xx: usize, yy: usize, c: usize| self.rgb[(yy * self.width + xx) * 3 + c] as f64;
        let mut out = [0u8; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = px(x0, y0, c) * (1.0 - fx) + px(x1, y0, c) * fx;
            let bot = px(x0, y1, c) * (1.0 - fx) + px(x1, y1, c) * fx;
            *o = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
        }
        out
    }
}

const PERSON_HEIGHT: f64 = 1.70;

/// The camera's projection for one frame: image size, focal length (px), principal point,
/// camera height (m) and position in the map.
#[derive(Clone, Copy)]
struct View {
    w: usize,
    h: usize,
    f: f64,
    cx: f64,
    cy: f64,
    cam_h: f64,
    o: Vector2<f64>,
}

impl View {
    /// The projection of a camera with `cfg` at `cam`.
    fn new(cfg: &CameraConfig, cam: &Pose2D) -> Self {
        let w = cfg.width as usize;
        let h = cfg.height as usize;
        Self {
            w,
            h,
            f: cfg.focal(),
            cx: w as f64 * 0.5,
            cy: h as f64 * 0.5,
            cam_h: cfg.mount_z,
            o: cam.position(),
        }
    }

    /// Image row (px, fractional) of a point `hz` metres above the floor at depth `z`.
    #[inline]
    fn row_of(&self, hz: f64, z: f64) -> f64 {
        self.cy - (hz - self.cam_h) * self.f / z
    }
}

/// One image column: its ray, the depth of the wall it hits and that wall's colour.
struct Column {
    dir: Vector2<f64>,
    ca: f64,
    z: f64,
    wall: [u8; 3],
}

/// A person to draw: depth along the optical axis (m) and the image column of the body axis.
struct Placed<'a> {
    person: &'a Person,
    z: f64,
    uc: f64,
}

/// Render a frame from the camera pose `cam` (map frame, level, height `cfg.mount_z`).
pub fn render(
    cfg: &CameraConfig,
    grid: &Grid,
    cam: &Pose2D,
    people: &[Person],
    faces: Option<&FaceBank>,
    stamp: f64,
) -> CameraFrame {
    render_with(
        &mut Backdrop::default(),
        cfg,
        grid,
        cam,
        people,
        faces,
        stamp,
    )
}

/// The walls and floor of the last frame, and their depths, kept while the camera has not moved.
/// The robot stands still for most of a conversation, and shading every pixel of the walls and
/// the floor was the largest part of a frame's cost. One `Backdrop` serves one camera over one
/// grid (the world's); the frames are the same bytes with it or without it.
#[derive(Default)]
pub struct Backdrop {
    /// The camera pose, focal length, height and wall height (as bits) and the image size the
    /// backdrop was drawn for.
    at: Option<([u64; 6], usize, usize)>,
    columns: Vec<Column>,
    data: Vec<u8>,
}

/// [`render`], reusing `backdrop` when the camera is where it was for the last frame.
pub fn render_with(
    backdrop: &mut Backdrop,
    cfg: &CameraConfig,
    grid: &Grid,
    cam: &Pose2D,
    people: &[Person],
    faces: Option<&FaceBank>,
    stamp: f64,
) -> CameraFrame {
    let view = View::new(cfg, cam);
    let at = (
        [cam.x, cam.y, cam.yaw, view.f, view.cam_h, cfg.wall_height].map(f64::to_bits),
        view.w,
        view.h,
    );
    if backdrop.at != Some(at) {
        backdrop.columns = cast_columns(&view, grid, cam);
        backdrop.data = vec![0u8; view.w * view.h * 3];
        fill_background(cfg, &view, &backdrop.columns, &mut backdrop.data);
        backdrop.at = Some(at);
    }
    let columns = &backdrop.columns;
    let mut data = backdrop.data.clone();
    let zbuf: Vec<f64> = columns.iter().map(|col| col.z).collect();

    // People, far to near.
    let fwd = cam.heading();
    let left = Vector2::new(-fwd.y, fwd.x);
    let mut truths = Vec::new();
    for (z, i) in far_to_near(people, view.o, fwd) {
        let p = &people[i];
        let lat = (p.pos - view.o).dot(&left);
        let placed = Placed {
            person: p,
            z,
            uc: view.cx - view.f * lat / z,
        };
        draw_figure(&view, &zbuf, &placed, &mut data);
        // The face, if the person looks towards the camera.
        if let Some(truth) =
            faces.and_then(|bank| draw_face(cfg, &view, &zbuf, &placed, bank, &mut data))
        {
            truths.push(truth);
        }
    }
    CameraFrame {
        image: Image {
            stamp,
            frame_id: cfg.frame_id.clone(),
            width: cfg.width,
            height: cfg.height,
            encoding: "rgb8",
            step: cfg.width * 3,
            data,
        },
        info: cfg.info(stamp),
        faces: truths,
    }
}

/// Per column: cast the ray against the walls and shade the wall it hits by its depth.
fn cast_columns(view: &View, grid: &Grid, cam: &Pose2D) -> Vec<Column> {
    let View { w, f, cx, o, .. } = *view;
    let max_range = 60.0;
    (0..w)
        .map(|u| {
            let alpha = ((cx - (u as f64 + 0.5)) / f).atan();
            let ang = cam.yaw + alpha;
            let (s, c) = ang.sin_cos();
            let dir = Vector2::new(c, s);
            let ca = alpha.cos();
            let t = grid.raycast(o, ang, max_range).unwrap_or(max_range);
            let z = t * ca;
            let hit = o + dir * t;
            let stripe = ((hit.x + hit.y).rem_euclid(1.0)) < 0.04;
            let shade = 1.0 / (1.0 + 0.06 * z);
            let wall = if stripe {
                [150.0, 140.0, 125.0]
            } else {
                [215.0, 205.0, 185.0]
            };
            Column {
                dir,
                ca,
                z,
                wall: [
                    (wall[0] * shade) as u8,
                    (wall[1] * shade) as u8,
                    (wall[2] * shade) as u8,
                ],
            }
        })
        .collect()
}

/// Walls, ceiling and tiled floor. The image is filled row by row (contiguous writes), with the
/// same arithmetic per pixel as a column-by-column fill.
fn fill_background(cfg: &CameraConfig, view: &View, columns: &[Column], data: &mut [u8]) {
    let View {
        w, f, cy, cam_h, o, ..
    } = *view;
    for (v, row) in data.chunks_exact_mut(w * 3).enumerate() {
        let dv = cy - (v as f64 + 0.5);
        // floor: 0.6 m tiles (used by the pixels below the walls)
        let zf = cam_h * f / -dv;
        let fs = 1.0 / (1.0 + 0.04 * zf);
        for (px, col) in row.chunks_exact_mut(3).zip(columns) {
            let hz = cam_h + dv * col.z / f;
            let rgb = if hz >= 0.0 && hz <= cfg.wall_height {
                col.wall
            } else if hz > cfg.wall_height {
                [235, 235, 238]
            } else {
                let p = o + col.dir * (zf / col.ca);
                let tile =
                    ((p.x / 0.6).floor() as i64 + (p.y / 0.6).floor() as i64).rem_euclid(2) == 0;
                let base = if tile { 170.0 } else { 120.0 };
                [
                    (base * fs) as u8,
                    (base * 0.95 * fs) as u8,
                    (base * 0.9 * fs) as u8,
                ]
            };
            px.copy_from_slice(&rgb);
        }
    }
}

/// Present people in front of the camera (depth > 0.3 m) as (depth, index), farthest first.
fn far_to_near(people: &[Person], o: Vector2<f64>, fwd: Vector2<f64>) -> Vec<(f64, usize)> {
    let mut order: Vec<(f64, usize)> = people
        .iter()
        .enumerate()
        .filter(|(_, p)| p.present)
        .map(|(i, p)| ((p.pos - o).dot(&fwd), i))
        .filter(|(z, _)| *z > 0.3)
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order
}

/// Colour of an upright figure `hz` metres above the floor and `xm` metres from its body axis
/// (legs, shirt, neck, back of the head), or `None` where the figure is not.
#[inline]
fn figure_colour(hz: f64, xm: f64, shirt: [u8; 3]) -> Option<[u8; 3]> {
    if hz < 0.85 {
        // two legs
        let legs = xm.abs() > 0.03 && xm.abs() < 0.15;
        if !legs {
            return None;
        }
        Some([45, 50, 70])
    } else if hz < 1.42 {
        if xm.abs() > 0.22 {
            return None;
        }
        Some(shirt)
    } else if hz < 1.46 {
        if xm.abs() > 0.06 {
            return None;
        }
        Some([200, 160, 130])
    } else if hz < PERSON_HEIGHT {
        if xm.abs() > 0.09 {
            return None;
        }
        Some([60, 45, 35]) // hair / back of the head
    } else {
        None
    }
}

/// Draw a person's figure in the columns where it is nearer than the wall.
// Columns index both the image and the per-column depth buffer.
#[allow(clippy::needless_range_loop)]
fn draw_figure(view: &View, zbuf: &[f64], placed: &Placed<'_>, data: &mut [u8]) {
    let View {
        w, h, f, cy, cam_h, ..
    } = *view;
    let Placed { person: p, z, uc } = *placed;
    let v_top = view.row_of(PERSON_HEIGHT, z).floor().max(0.0) as usize;
    let v_bot = (view.row_of(0.0, z).ceil().max(0.0) as usize).min(h);
    let half = f * 0.24 / z;
    let u0 = (uc - half).floor().max(0.0) as usize;
    let u1 = ((uc + half).ceil().max(0.0) as usize).min(w);
    for u in u0..u1 {
        if z >= zbuf[u] {
            continue;
        }
        let xm = ((u as f64 + 0.5) - uc) * z / f; // metres from the body axis
        for v in v_top..v_bot {
            let hz = cam_h + (cy - (v as f64 + 0.5)) * z / f;
            let Some(col) = figure_colour(hz, xm, p.shirt) else {
                continue;
            };
            let k = (v * w + u) * 3;
            data[k..k + 3].copy_from_slice(&col);
        }
    }
}

/// Paste the person's face photo (an ellipse of the crop, scaled to `face_height` at depth z)
/// if they look towards the camera; its ground-truth box if it is inside the image and at least
/// half of its columns are visible.
// Columns index both the image and the per-column depth buffer.
#[allow(clippy::needless_range_loop)]
fn draw_face(
    cfg: &CameraConfig,
    view: &View,
    zbuf: &[f64],
    placed: &Placed<'_>,
    bank: &FaceBank,
    data: &mut [u8],
) -> Option<FaceTruth> {
    let View { w, h, f, o, .. } = *view;
    let Placed { person: p, z, uc } = *placed;
    if bank.faces.is_empty() || !p.faces(o, cfg.face_visible_angle) {
        return None;
    }
    let crop = &bank.faces[p.face % bank.faces.len()];
    let fh = f * cfg.face_height / z; // face box height in pixels
    let scale = fh / crop.face[3]; // output px per source px
    let fw = crop.face[2] * scale;
    let face_top = view.row_of(cfg.face_center_z, z) - fh * 0.5;
    let face_left = uc - fw * 0.5;
    let crop_left = face_left - crop.face[0] * scale;
    let crop_top = face_top - crop.face[1] * scale;
    let cw = crop.width as f64 * scale;
    let chh = crop.height as f64 * scale;
    let (ecx, ecy) = (crop_left + cw * 0.5, crop_top + chh * 0.5);
    let cu0 = crop_left.floor().max(0.0) as usize;
    let cu1 = ((crop_left + cw).ceil().max(0.0) as usize).min(w);
    let cv0 = crop_top.floor().max(0.0) as usize;
    let cv1 = ((crop_top + chh).ceil().max(0.0) as usize).min(h);
    let mut visible_cols = 0usize;
    for u in cu0..cu1 {
        if z >= zbuf[u] {
            continue;
        }
        let uu = u as f64 + 0.5;
        if uu >= face_left && uu < face_left + fw {
            visible_cols += 1;
        }
        for v in cv0..cv1 {
            let vv = v as f64 + 0.5;
            let ex = (uu - ecx) / (cw * 0.5);
            let ey = (vv - ecy) / (chh * 0.5);
            if ex * ex + ey * ey > 1.0 {
                continue;
            }
            let px = crop.sample(
                (uu - crop_left) / scale - 0.5,
                (vv - crop_top) / scale - 0.5,
            );
            let k = (v * w + u) * 3;
            data[k..k + 3].copy_from_slice(&px);
        }
    }
    let inside = face_left >= 0.0
        && face_top >= 0.0
        && face_left + fw <= w as f64
        && face_top + fh <= h as f64;
    (inside && (visible_cols as f64) >= 0.5 * fw).then_some(FaceTruth {
        person_id: p.id,
        x: face_left,
        y: face_top,
        w: fw,
        h: fh,
        depth: z,
    })
}
